/*
 * election/verdict: multi-vantage health. Every node reports to the master
 * which pool members its own probes see up (one bit per member, pools and
 * members in configuration order). The master marks a member down only when
 * a majority of the live nodes' reports see it down, and sets aside the
 * reports of a suspect vantage point: a node that sees more than half of
 * all members down while the others see them up. The verdict travels in
 * every heartbeat; followers answer from it.
 *
 * Pure functions over bit arrays; the control thread calls them.
 */
#ifndef LNS_ELECTION_VERDICT_H
#define LNS_ELECTION_VERDICT_H

#include "core/config.h"
#include "core/health.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LNS_VERDICT_MAX_BYTES 1024 /* 8192 members fit a heartbeat */

/* Members across all pools. */
unsigned lns_verdict_members(const lns_config_t *cfg);
/* A hash of what the verdict bits mean (pool and member names, addresses)
 * so that nodes running different configurations notice. */
uint64_t lns_verdict_config_hash(const lns_config_t *cfg);
/* This node's view: bit set when its probes see the member up (drains are
 * not part of it). health[p] is pool p's records. */
void lns_verdict_local(const lns_config_t *cfg, const lns_health_t *const *health, uint8_t *bits);

/* The verdict from n reports (each lns_verdict_members bits): a member is
 * down when more than half of the counted reports see it down. Reports of
 * suspect vantage points are not counted (suspect[i] set on return).
 * Returns the number of reports counted. */
unsigned lns_verdict_quorum(unsigned members, const uint8_t *const *reports, unsigned n, uint8_t *out, bool *suspect);

static inline bool lns_verdict_bit(const uint8_t *bits, unsigned i)
{
	return bits[i / 8] & (1u << (i % 8));
}

#endif
