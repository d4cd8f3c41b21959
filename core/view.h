/*
 * core/view: the immutable snapshot that DNS workers and web threads read:
 * configuration, compiled zones, and the state of every pool (its members'
 * health and what it answers). The control thread builds a new view when
 * something changes and publishes it with one pointer swap (liburcu, memb
 * flavour); the old one is freed after a grace period.
 *
 * A configuration and its zones form a generation, shared by every view
 * derived from it (health changes make new views of the same generation; a
 * reload makes a new generation). Reference counts are touched only by the
 * control thread.
 *
 * Threads: lns_view_new/derive/publish/free only on the control thread.
 * Readers register once (lns_view_reader_register), then bracket each use
 * with lns_view_read_begin / lns_view_read_end; the view returned is valid in
 * between. Nothing is allocated or locked on the read side.
 */
#ifndef LNS_CORE_VIEW_H
#define LNS_CORE_VIEW_H

#include "core/cluster.h"
#include "core/config.h"
#include "core/policy.h"
#include "core/zonedb.h"

#include <stdint.h>

/* Queries answered per pool, counted by DNS workers (relaxed atomics, one
 * cache line each) and read by the control thread for adaptive probing. */
typedef struct lns_pool_hits {
	_Atomic uint64_t n;
	char pad[56];
} lns_pool_hits_t;

typedef struct lns_generation {
	lns_config_t *config;
	lns_zonedb_t *zones;
	lns_pool_hits_t *hits;  /* config->n_pools */
	unsigned refs;
} lns_generation_t;

typedef struct lns_view {
	const lns_config_t *config;  /* = gen->config */
	const lns_zonedb_t *zones;   /* = gen->zones */
	lns_generation_t *gen;
	lns_pool_state_t **pools;    /* config->n_pools, owned; NULL entries never */
	lns_cluster_status_t *cluster; /* owned; status views only, else NULL */
	uint64_t generation;         /* counts publications */
	int64_t published_at;        /* wall clock ms */
} lns_view_t;

/* A view of a new generation; takes ownership of config and zones. Its
 * pools start with every member unknown (initial_state applies). */
lns_view_t *lns_view_new(lns_config_t *config, lns_zonedb_t *zones);
/* A view of the same generation as base with new pool states (owned from
 * now on; an array of base->config->n_pools). */
lns_view_t *lns_view_derive(const lns_view_t *base, lns_pool_state_t **pools);
void lns_view_free(lns_view_t *view);

/* Makes view current and frees the previous one once no reader holds it.
 * view may be NULL at shutdown. */
void lns_view_publish(lns_view_t *view);

/* The status view: the same shape, published as often as health details
 * change (coalesced by the control thread), for readers that show health
 * (the web API). DNS workers read the answer view above, which changes only
 * when an answer changes. */
void lns_view_publish_status(lns_view_t *view);
const lns_view_t *lns_view_status_read_begin(void);
/* lns_view_read_end ends both kinds of read. */

void lns_view_reader_register(void);
void lns_view_reader_unregister(void);
const lns_view_t *lns_view_read_begin(void);
void lns_view_read_end(void);

/* The current view for the control thread itself (its only writer). */
const lns_view_t *lns_view_current_writer(void);

#endif
