/*
 * election/store: what a node must remember across restarts, so that it
 * never votes twice in a term, never lets its term go backwards, and never
 * reuses a boot number (the wire's replay window): kept in
 * cluster.state_dir/cluster.state, written to a temporary file, fsync'd,
 * renamed over the old one, and the directory fsync'd.
 *
 * Thread: the control thread.
 */
#ifndef LNS_ELECTION_STORE_H
#define LNS_ELECTION_STORE_H

#include "core/util.h"

#include <stdint.h>

typedef struct lns_store_state {
	uint64_t term;
	int vote;       /* node index voted for in term, or -1 */
	uint64_t boot;  /* starts so far */
} lns_store_state_t;

/* Reads dir/cluster.state (creating dir, mode 0700, when missing); a node
 * that never ran gets zeros and vote -1. A damaged file is an error: the
 * node cannot know what it promised. */
int lns_store_load(const char *dir, lns_store_state_t *st, lns_err_t *err);
/* Writes st atomically and durably. */
int lns_store_save(const char *dir, const lns_store_state_t *st, lns_err_t *err);

#endif
