/*
 * nameserver/daemon: parts of levelnsd's control thread kept beside
 * main.c, which wires the modules together: the drains kept across
 * restarts, and the events the API shows. Control thread only.
 */
#ifndef LNS_NAMESERVER_DAEMON_H
#define LNS_NAMESERVER_DAEMON_H

#include "core/config.h"
#include "core/events.h"
#include "core/view.h"
#include "probe/probe.h"

#include <stddef.h>

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
