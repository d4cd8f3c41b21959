/*
 * probe/health: the rise/fall state machine, the adaptive interval and the
 * probe budget. Pure functions of (state, event, now): no clock reads.
 */
#include "config.h"

#include "probe/probe.h"

#include <stdio.h>
#include <string.h>

/* A member not probed yet is presumed up or down as configured. */
static uint8_t presumed(const lns_health_t *h, bool initial_up)
{
	if (h->state != LNS_HEALTH_UNKNOWN)
		return h->state;
	return initial_up ? LNS_HEALTH_UP : LNS_HEALTH_DOWN;
}

bool lns_health_in_doubt(const lns_health_t *h, bool initial_up)
{
	if (!h->probed)
		return true;
	uint8_t s = presumed(h, initial_up);
	return (s == LNS_HEALTH_UP && h->fail_streak > 0) || (s == LNS_HEALTH_DOWN && h->ok_streak > 0);
}

static void record_change(lns_health_t *h, uint8_t to, const char *reason, int64_t now_mono, int64_t now_wall)
{
	lns_health_change_t *c = &h->history[h->n_history % LNS_HEALTH_HISTORY];
	c->at = now_wall;
	c->from = h->state;
	c->to = to;
	snprintf(c->reason, sizeof(c->reason), "%s", reason);
	h->n_history++;
	/* Slow start ramps members that come back, not those seen for the first time. */
	if (to == LNS_HEALTH_UP)
		h->up_since_mono = h->state == LNS_HEALTH_UNKNOWN ? 0 : now_mono;
	h->state = to;
	h->changed_at = now_wall;
}

bool lns_health_apply(lns_health_t *h, const lns_probe_conf_t *pc, bool initial_up, bool ok, const char *reason,
	double rtt_ms, int load, int64_t now_mono, int64_t now_wall)
{
	uint8_t s = presumed(h, initial_up);
	h->probed = true;
	h->last_ok = ok;
	h->probes++;
	snprintf(h->reason, sizeof(h->reason), "%s", reason ? reason : (ok ? "ok" : "failed"));
	if (ok) {
		h->ok_streak++;
		h->fail_streak = 0;
		h->rtt_ms = rtt_ms;
		if (load >= 0)
			h->load = load;
		if (s == LNS_HEALTH_UP && h->state == LNS_HEALTH_UNKNOWN) {
			record_change(h, LNS_HEALTH_UP, h->reason, now_mono, now_wall);
			return true;
		}
		if (s == LNS_HEALTH_DOWN && h->ok_streak >= pc->rise) {
			record_change(h, LNS_HEALTH_UP, h->reason, now_mono, now_wall);
			return true;
		}
		return false;
	}
	h->failures++;
	h->fail_streak++;
	h->ok_streak = 0;
	if (s == LNS_HEALTH_DOWN && h->state == LNS_HEALTH_UNKNOWN) {
		record_change(h, LNS_HEALTH_DOWN, h->reason, now_mono, now_wall);
		return true;
	}
	if (s == LNS_HEALTH_UP && h->fail_streak >= pc->fall) {
		record_change(h, LNS_HEALTH_DOWN, h->reason, now_mono, now_wall);
		return true;
	}
	return false;
}

unsigned lns_probe_next_interval(const lns_probe_conf_t *pc, unsigned current, bool busy)
{
	if (busy || current < pc->min_interval_ms)
		return pc->min_interval_ms;
	unsigned next = current + current / 4;
	return next > pc->max_interval_ms ? pc->max_interval_ms : next;
}

/* The bucket holds a fiftieth of a second's worth, so that no one-second
 * window sees more than the budget and 2%. */
static double capacity(const lns_budget_t *b)
{
	return b->rate / 50 > 1.0 ? b->rate / 50 : 1.0;
}

void lns_budget_init(lns_budget_t *b, unsigned per_second, int64_t now_ms)
{
	b->rate = per_second;
	b->tokens = capacity(b);
	b->last_ms = now_ms;
}

bool lns_budget_take(lns_budget_t *b, int64_t now_ms, unsigned *wait_ms)
{
	if (now_ms > b->last_ms) {
		b->tokens += (double)(now_ms - b->last_ms) * b->rate / 1000.0;
		if (b->tokens > capacity(b))
			b->tokens = capacity(b);
		b->last_ms = now_ms;
	}
	if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
		return true;
	}
	double need = (1.0 - b->tokens) * 1000.0 / b->rate;
	*wait_ms = need < 1.0 ? 1 : (unsigned)need + 1;
	return false;
}
