/*
 * nameserver: the DNS side of levelnsd. Loads zones into a zonedb, and runs
 * the listeners: per listen address one UDP socket per worker thread
 * (SO_REUSEPORT), and one TCP thread for every TCP listener. Workers answer
 * from the view published in core/view; they never write shared state.
 *
 * Threads: lns_ns_zones_load, lns_ns_start and lns_ns_stop are called by the
 * control thread. Listen addresses and worker counts are fixed at start.
 */
#ifndef LNS_NAMESERVER_H
#define LNS_NAMESERVER_H

#include "core/config.h"
#include "core/stats.h"
#include "core/zonedb.h"

#include <stdint.h>

/* Loads every zone of cfg. Returns 0 and a finished zonedb (caller owns),
 * or an error with "file:line: reason" in err. */
int lns_ns_zones_load(const lns_config_t *cfg, lns_zonedb_t **out, lns_err_t *err);

typedef struct lns_ns lns_ns_t;

/* Binds every listener of cfg (addresses and ports as configured) and
 * starts the worker threads. Returns 0 with *out set, or a negative errno
 * with the reason in err. */
int lns_ns_start(const lns_config_t *cfg, lns_ns_t **out, lns_err_t *err);
/* Stops the workers, closes the sockets and frees ns. NULL is a no-op. */
void lns_ns_stop(lns_ns_t *ns);

/* Counters summed over the workers (queries by protocol, RCODE and QTYPE,
 * see core/stats.h); read by any thread while ns runs. Each worker keeps
 * its own on a cache line of its own, so counting costs the query path no
 * locked instruction and no shared line. */
typedef lns_query_counts_t lns_ns_stats_t;
void lns_ns_stats(const lns_ns_t *ns, lns_ns_stats_t *out);

#endif
