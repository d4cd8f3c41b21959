/*
 * Unit tests of probe/'s pure parts: the rise/fall machine, doubt, the
 * adaptive interval and the budget, driven with a fake clock; and a
 * simulation of the schedule that checks the failover bounds and the
 * false-down rate the defaults were tuned for.
 */
#include "config.h"

#include "core/config.h"
#include "probe/probe.h"
#include "tests/unit/helper.h"

#include <stdlib.h>
#include <string.h>

static lns_probe_conf_t pc;

static void defaults(void)
{
	memset(&pc, 0, sizeof(pc));
	pc.rise = 3;
	pc.fall = 6;
	pc.timeout_ms = 400;
	pc.min_interval_ms = 250;
	pc.max_interval_ms = 750;
	pc.recheck_ms = 25;
}

static bool feed(lns_health_t *h, bool ok, int64_t t)
{
	return lns_health_apply(h, &pc, true, ok, ok ? "ok" : "connection refused", 0.3, -1, t, 1000000 + t);
}

static void test_rise_fall(void)
{
	defaults();
	lns_health_t h = { .load = -1 };
	T_CHECK(lns_health_in_doubt(&h, true), "not probed yet: in doubt");
	T_CHECK(feed(&h, true, 0) && h.state == LNS_HEALTH_UP, "first success of a presumed-up member: up");
	T_CHECK(h.up_since_mono == 0, "no slow start for a member seen for the first time");
	T_CHECK(!lns_health_in_doubt(&h, true), "up and succeeding: not in doubt");
	for (int i = 0; i < 5; i++)
		T_CHECK(!feed(&h, false, 10 + i) && h.state == LNS_HEALTH_UP, "failure %d of 6: still up", i + 1);
	T_CHECK(lns_health_in_doubt(&h, true), "failing while up: in doubt");
	T_CHECK(feed(&h, false, 20) && h.state == LNS_HEALTH_DOWN, "sixth consecutive failure: down");
	T_CHECK(h.changed_at == 1000020 && h.n_history == 2, "change recorded (%u)", h.n_history);
	T_CHECK(strcmp(h.history[1].reason, "connection refused") == 0 && h.history[1].from == LNS_HEALTH_UP &&
			h.history[1].to == LNS_HEALTH_DOWN,
		"history names the reason");
	T_CHECK(!feed(&h, true, 30) && !feed(&h, true, 31), "two successes: still down");
	T_CHECK(lns_health_in_doubt(&h, true), "succeeding while down: in doubt");
	T_CHECK(feed(&h, true, 32) && h.state == LNS_HEALTH_UP, "third success: up");
	T_CHECK(h.up_since_mono == 32, "came back at 32: slow start counts from there");
	/* A failure between successes resets the rise count. */
	for (int i = 0; i < 6; i++)
		feed(&h, false, 40);
	feed(&h, true, 50);
	feed(&h, true, 51);
	feed(&h, false, 52);
	feed(&h, true, 53);
	T_CHECK(h.state == LNS_HEALTH_DOWN, "rise needs consecutive successes");
	T_CHECK(h.probes == 20 && h.failures == 13, "counts: %llu probes, %llu failures", (unsigned long long)h.probes,
		(unsigned long long)h.failures);
}

static void test_initial_down(void)
{
	defaults();
	lns_health_t h = { .load = -1 };
	T_CHECK(lns_health_apply(&h, &pc, false, false, "timeout 400 ms", 0, -1, 0, 0) && h.state == LNS_HEALTH_DOWN,
		"presumed down: the first failure makes it down");
	lns_health_t g = { .load = -1 };
	lns_health_apply(&g, &pc, false, true, "ok", 0, -1, 0, 0);
	T_CHECK(g.state == LNS_HEALTH_UNKNOWN, "presumed down: one success is not enough");
	lns_health_apply(&g, &pc, false, true, "ok", 0, -1, 1, 1);
	lns_health_apply(&g, &pc, false, true, "ok", 0, -1, 2, 2);
	T_CHECK(g.state == LNS_HEALTH_UP, "presumed down: rise successes make it up");
}

static void test_load_kept(void)
{
	defaults();
	lns_health_t h = { .load = -1 };
	lns_health_apply(&h, &pc, true, true, "ok", 1.5, 73, 0, 0);
	T_CHECK(h.load == 73 && h.rtt_ms == 1.5, "load and RTT of a success are kept");
	lns_health_apply(&h, &pc, true, false, "bad load value", 0, -1, 1, 1);
	T_CHECK(h.load == 73 && strcmp(h.reason, "bad load value") == 0, "a failure keeps the last load, shows its reason");
}

static void test_interval(void)
{
	defaults();
	T_CHECK(lns_probe_next_interval(&pc, 750, true) == 250, "busy: the minimum");
	unsigned i = 250, steps = 0;
	while (i < 750 && steps < 100) {
		i = lns_probe_next_interval(&pc, i, false);
		steps++;
	}
	T_CHECK(i == 750 && steps == 5, "idle and stable: grows to the maximum in %u steps", steps);
	T_CHECK(lns_probe_next_interval(&pc, 750, false) == 750, "never past the maximum");
}

static void test_budget(void)
{
	lns_budget_t b;
	lns_budget_init(&b, 1000, 0);
	unsigned taken = 0, wait = 0;
	/* Ask every ms for 10 s, 5 times each: at most 1000 a second are given. */
	unsigned per_second[10] = { 0 };
	for (int64_t t = 0; t < 10000; t++)
		for (int k = 0; k < 5; k++)
			if (lns_budget_take(&b, t, &wait)) {
				taken++;
				per_second[t / 1000]++;
			}
	for (int s = 0; s < 10; s++)
		T_CHECK(per_second[s] <= 1020, "second %d: %u probes for a budget of 1000", s, per_second[s]);
	T_CHECK(taken >= 9900, "the budget is used (%u of 10000)", taken);
	lns_budget_init(&b, 10, 0);
	while (lns_budget_take(&b, 0, &wait))
		;
	T_CHECK(wait >= 90 && wait <= 101, "empty bucket: wait about 100 ms for a budget of 10/s (%u)", wait);
}

/*
 * The schedule, simulated: a member probed at min_interval (busy pool) with
 * jitter; after a failure, rechecks every recheck_ms with probes
 * overlapping, until settled. A probe to a refusing member fails at once,
 * to a blackholed one after the timeout; a flaky member fails 10% of its
 * probes. Returns the time from failure to down, or -1 if never down.
 */
typedef enum { HEALTHY, REFUSING, BLACKHOLED, FLAKY } behaviour_t;

static int64_t simulate(behaviour_t b, unsigned interval, int64_t fail_at, int64_t until, uint64_t *rng, unsigned *downs)
{
	lns_health_t h = { .load = -1 };
	int64_t next = (int64_t)(*rng % interval);
	int64_t pending[64];
	unsigned n_pending = 0;
	*downs = 0;
	for (int64_t t = 0; t < until; t++) {
		/* Results due now, in order. */
		for (unsigned i = 0; i < n_pending;) {
			if (pending[i] >> 1 > t) {
				i++;
				continue;
			}
			bool ok = pending[i] & 1;
			pending[i] = pending[--n_pending];
			if (lns_health_apply(&h, &pc, true, ok, ok ? "ok" : "failed", 0, -1, t, t) &&
			    h.state == LNS_HEALTH_DOWN) {
				(*downs)++;
				if (b != FLAKY)
					return t - fail_at;
			}
			if (lns_health_in_doubt(&h, true) && next > t + pc.recheck_ms)
				next = t + pc.recheck_ms;
		}
		if (t < next)
			continue;
		bool doubt = lns_health_in_doubt(&h, true);
		if (n_pending < (doubt ? pc.fall : 1)) {
			*rng ^= *rng << 13;
			*rng ^= *rng >> 7;
			*rng ^= *rng << 17;
			bool fails = t >= fail_at && (b == REFUSING || b == BLACKHOLED || (b == FLAKY && *rng % 10 == 0));
			int64_t done = t + (fails && (b == BLACKHOLED || (b == FLAKY && *rng % 20 == 0)) ? pc.timeout_ms : 1);
			pending[n_pending++] = done << 1 | !fails;
		}
		next = doubt ? t + pc.recheck_ms : t + (int64_t)(interval * (0.9 + 0.2 * (double)(*rng % 1000) / 1000));
	}
	return -1;
}

static void test_failover_bounds(void)
{
	lns_config_t *cfg = NULL;
	defaults();
	lns_pool_conf_t pool = { .probe = pc, .ttl = 5 };
	pool.probe.type = LNS_PROBE_TCP;
	uint64_t rng = 0x243f6a8885a308d3ull;
	int64_t worst_refused = 0, worst_black = 0;
	unsigned downs;
	for (int trial = 0; trial < 400; trial++) {
		/* Half busy (min_interval), half idle and stable (max_interval). */
		unsigned interval = trial % 2 ? pc.min_interval_ms : pc.max_interval_ms;
		int64_t fail_at = 5000 + (int64_t)(rng % 1000);
		int64_t r = simulate(REFUSING, interval, fail_at, 20000, &rng, &downs);
		int64_t k = simulate(BLACKHOLED, interval, fail_at, 20000, &rng, &downs);
		worst_refused = r > worst_refused ? r : worst_refused;
		worst_black = k > worst_black ? k : worst_black;
		T_CHECK(r > 0 && k > 0, "trial %d: a dead member goes down", trial);
	}
	printf("\n    simulated worst case over 400 trials: refused %lld ms, blackholed %lld ms\n", (long long)worst_refused,
		(long long)worst_black);
	T_CHECK(worst_refused <= 1000, "refused: down within 1 s at worst (%lld ms)", (long long)worst_refused);
	T_CHECK(worst_black <= 2000, "blackholed: down within 2 s at worst (%lld ms)", (long long)worst_black);
	T_CHECK(worst_refused <= (int64_t)lns_pool_detect_refused_ms(&pool), "the refused bound holds (%lld <= %u)",
		(long long)worst_refused, lns_pool_detect_refused_ms(&pool));
	T_CHECK(worst_black <= (int64_t)lns_pool_detect_blackhole_ms(&pool), "the blackhole bound holds (%lld <= %u)",
		(long long)worst_black, lns_pool_detect_blackhole_ms(&pool));
	/* 10% flaky for 10 simulated minutes, 20 times: never down. */
	unsigned total = 0;
	for (int run = 0; run < 20; run++) {
		simulate(FLAKY, pc.min_interval_ms, 0, 600000, &rng, &downs);
		total += downs;
	}
	T_CHECK(total == 0, "a 10%% flaky member is never marked down in 20 x 10 minutes (%u downs)", total);
	lns_config_free(cfg);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	CU_pSuite s = CU_add_suite("health", NULL, NULL);
	CU_add_test(s, "rise and fall", test_rise_fall);
	CU_add_test(s, "initial state down", test_initial_down);
	CU_add_test(s, "load and reasons", test_load_kept);
	s = CU_add_suite("schedule", NULL, NULL);
	CU_add_test(s, "adaptive interval", test_interval);
	CU_add_test(s, "probe budget", test_budget);
	CU_add_test(s, "failover bounds and no false downs, simulated", test_failover_bounds);
	return lns_test_run();
}
