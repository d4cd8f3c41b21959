/*
 * nameserver/daemon: parts of levelnsd kept beside main.c, which wires the
 * modules together: the command line (options.c), the drains kept across
 * restarts (drains.c) and the events the API shows (eventscan.c). Control
 * thread only.
 */
#ifndef LNS_NAMESERVER_DAEMON_H
#define LNS_NAMESERVER_DAEMON_H

#include "core/config.h"
#include "core/events.h"
#include "core/view.h"
#include "probe/probe.h"

#include <stdbool.h>
#include <stddef.h>

/* The command line. */
typedef struct lns_options {
	const char *config;
	bool foreground;
	bool check;
	const char *listen[LNS_MAX_LISTEN];
	unsigned n_listen;
	long port;
	int ready_fd;
	const char *http;
	bool allow_root;
} lns_options_t;

/* Fills o from the command line (o holds the defaults); prints the usage
 * and exits 0 on -h, 2 on a bad option; -V prints the versions and exits. */
void lns_daemon_parse_args(lns_options_t *o, int argc, char **argv);
/* The command line's -a and -p replace what cfg says. Returns 0, or an
 * error with the reason in err. */
int lns_daemon_apply_overrides(const lns_options_t *o, lns_config_t *cfg, lns_err_t *err);
/* --check-config: the summary of v, and per pool the worst-case times to
 * stop answering a dead member. */
void lns_daemon_print_check(const lns_options_t *o, const lns_view_t *v);

/* Writes the prober's drains of cfg's pools to cluster.state_dir/drains
 * when they changed since the last save or load (temporary file, fsync,
 * rename); a failure is logged. Nothing without a cluster. */
void lns_daemon_drains_save(const lns_config_t *cfg, const lns_prober_t *prober);
/* Drains again what the file holds, for the pools and members of cfg. */
void lns_daemon_drains_load(const lns_config_t *cfg, lns_prober_t *prober);

/* Members' state changes (from their history rings), drains, and master
 * changes seen in a new status view become events. A new generation is
 * only looked at: what its members went through before is not new. */
void lns_daemon_events_scan(lns_events_t *events, const lns_prober_t *prober, const lns_view_t *sv);
/* Frees what the scan remembers (at stop). */
void lns_daemon_events_scan_end(void);

/* Copies src (NULL: "") into dst of size bytes, cut if need be. */
void lns_daemon_copy_text(char *dst, size_t size, const char *src);

#endif
