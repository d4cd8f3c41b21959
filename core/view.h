/*
 * core/view: the immutable snapshot that DNS workers and web threads read:
 * configuration and compiled zones. The control thread builds a new view
 * when something changes and publishes it with one pointer swap (liburcu,
 * memb flavour); the old one is freed after a grace period.
 *
 * Threads: lns_view_publish only from the control thread. Readers register
 * once (lns_view_reader_register), then bracket each use with
 * lns_view_read_begin / lns_view_read_end; the returned view is valid in
 * between. Nothing is allocated or locked on the read side.
 */
#ifndef LNS_CORE_VIEW_H
#define LNS_CORE_VIEW_H

#include "core/config.h"
#include "core/zonedb.h"

#include <stdint.h>

typedef struct lns_view {
	lns_config_t *config;  /* owned */
	lns_zonedb_t *zones;   /* owned */
	uint64_t generation;
} lns_view_t;

/* Takes ownership of config and zones. */
lns_view_t *lns_view_new(lns_config_t *config, lns_zonedb_t *zones);
void lns_view_free(lns_view_t *view);

/* Makes view current and frees the previous one once no reader holds it.
 * view may be NULL at shutdown. */
void lns_view_publish(lns_view_t *view);

void lns_view_reader_register(void);
void lns_view_reader_unregister(void);
const lns_view_t *lns_view_read_begin(void);
void lns_view_read_end(void);

/* The current view for the control thread itself (its only writer). */
const lns_view_t *lns_view_current_writer(void);

#endif
