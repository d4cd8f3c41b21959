/*
 * core/policy: what a pool answers, computed from its configuration and the
 * health of its members. Pure functions of (configuration, health, time):
 * no sockets, no clock reads, so unit tests drive them with a fake clock.
 *
 * lns_pool_state_build runs on the control thread whenever the health
 * table changes; the resulting lns_pool_state_t is immutable and lives in a
 * view. lns_policy_pick runs per query on DNS workers: no allocation.
 */
#ifndef LNS_CORE_POLICY_H
#define LNS_CORE_POLICY_H

#include "core/health.h"
#include "core/pool.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LNS_POOL_MAX_MEMBERS 4096

typedef struct lns_pool_state {
	const lns_pool_conf_t *conf;
	lns_health_t *health;        /* copy of each member's record, conf->n_members */
	uint16_t *order;             /* eligible member indices, in answer preference order */
	uint32_t *weight;            /* effective weight of each entry of order (slow start applied) */
	uint64_t total_weight;
	unsigned n_eligible;
	bool fallback;               /* no member is eligible: all_down applies */
	uint16_t leader;             /* healthiest: the member in front (kept across builds) */
	bool warming;                /* just started, some member not probed yet: SERVFAIL (EDE Not Ready) */
} lns_pool_state_t;

/* Builds the state of pool conf from health (conf->n_members records) at
 * monotonic time now_ms. prev is the previous state of the same pool or NULL
 * (healthiest keeps its leader unless a challenger beats it by the
 * hysteresis margin). The result is owned by the caller: lns_pool_state_free. */
lns_pool_state_t *lns_pool_state_build(const lns_pool_conf_t *conf, const lns_health_t *health,
	const lns_pool_state_t *prev, int64_t now_ms);
void lns_pool_state_free(lns_pool_state_t *st);
/* True when both would answer the same way (the view need not change). */
bool lns_pool_state_same_answer(const lns_pool_state_t *a, const lns_pool_state_t *b);

/* The client, as far as policies care. */
typedef struct lns_client_subnet {
	int family;          /* AF_INET, AF_INET6, or 0 when unknown */
	uint8_t addr[16];    /* masked to prefix */
	uint8_t prefix;      /* bits used: the ECS source prefix, or /24 and /56 by default */
} lns_client_subnet_t;

/* Chooses up to max member indices (into conf->members) to answer, for one
 * query: family AF_INET answers A, AF_INET6 AAAA (members of the other
 * family are skipped). seq is a per-worker counter (round-robin), rnd a
 * random number (weighted). Returns the count; 0 when none fits. */
unsigned lns_policy_pick(const lns_pool_state_t *st, int family, const lns_client_subnet_t *client, uint64_t seq,
	uint64_t rnd, uint16_t *out, unsigned max);

/* The address member m of st answers for family (AF_INET or AF_INET6):
 * its configured address, or for a host name what it last resolved to.
 * Returns false when it has none of that family. */
bool lns_pool_member_addr(const lns_pool_state_t *st, unsigned m, int family, lns_addr_t *out);

/* Masks an address to a prefix into a client subnet. */
void lns_client_subnet_set(lns_client_subnet_t *cs, int family, const void *addr, unsigned prefix);

#endif
