/*
 * probe: health probing of every pool member on the control loop (libev).
 * Owns the health table: one lns_health_t per member, written only here.
 *
 * Each member is probed at an interval that adapts between the probe's
 * min_interval_ms (while its pool is busy) and max_interval_ms (while the
 * member is stable and the pool idle). A result that puts the state in doubt
 * (a failure of an up member, a success of a down one) makes the member be
 * rechecked every recheck_ms, probes overlapping, until rise or fall
 * consecutive results settle it. A global budget (probes per second) is
 * never exceeded. First probes are spread over the first interval, and every
 * interval has jitter, so probes never come in bursts.
 *
 * Thread: the control thread only.
 */
#ifndef LNS_PROBE_H
#define LNS_PROBE_H

#include "core/config.h"
#include "core/health.h"
#include "core/view.h"

#include <ev.h>

typedef struct lns_prober lns_prober_t;

/* Called (on the loop) after results changed the health table; state_changed
 * tells whether some member changed state (answers may change). */
typedef void (*lns_prober_cb)(void *arg, bool state_changed);

lns_prober_t *lns_prober_new(struct ev_loop *loop, lns_prober_cb cb, void *arg, lns_err_t *err);
void lns_prober_free(lns_prober_t *p);

/* Probes the pools of cfg from now on; hits are the generation's query
 * counters (read every second for the adaptive interval). A member whose
 * pool, name, addresses and probe settings are unchanged keeps its health
 * across a reload; the others start over. cfg and hits must outlive the
 * next apply or free. */
void lns_prober_apply(lns_prober_t *p, const lns_config_t *cfg, const lns_pool_hits_t *hits);

/* The health records of pool i of the applied configuration. */
const lns_health_t *lns_prober_health(const lns_prober_t *p, unsigned pool);

/* Drains (or undrains) a member: it is never answered while drained, and
 * probes go on. until is a wall-clock time in ms (0: until undrained).
 * Returns 0 or -ENOENT. */
int lns_prober_drain(lns_prober_t *p, unsigned pool, unsigned member, bool drain, int64_t until);

/* Probes started since lns_prober_new, and those of them that failed
 * (timeouts included). The one function of the prober that any thread may
 * call, while p lives. */
void lns_prober_counts(const lns_prober_t *p, uint64_t *sent, uint64_t *failed);

/* The pure parts, for unit tests. */

/* Applies one probe result to h at the given times; returns true when the
 * state changed. */
bool lns_health_apply(lns_health_t *h, const lns_probe_conf_t *pc, bool initial_up, bool ok, const char *reason,
	double rtt_ms, int load, int64_t now_mono, int64_t now_wall);
/* True while the state is in doubt: not probed yet, or the last results
 * disagree with it. */
bool lns_health_in_doubt(const lns_health_t *h, bool initial_up);
/* The next interval of a stable member: min while busy, else growing by a
 * quarter up to max. */
unsigned lns_probe_next_interval(const lns_probe_conf_t *pc, unsigned current, bool busy);

/* A token bucket of probes per second. */
typedef struct lns_budget {
	double tokens;
	double rate;      /* tokens per second, also the capacity */
	int64_t last_ms;
} lns_budget_t;
void lns_budget_init(lns_budget_t *b, unsigned per_second, int64_t now_ms);
/* Takes a token if there is one; otherwise returns false and the ms to wait. */
bool lns_budget_take(lns_budget_t *b, int64_t now_ms, unsigned *wait_ms);

#endif
