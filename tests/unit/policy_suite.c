/* Unit tests of core/policy: every policy, drains, all-down, slow start. */
#include "config.h"

#include "core/policy.h"
#include "tests/unit/helper.h"
#include "tests/unit/suites.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#define N 4

static lns_member_conf_t members[N];
static lns_pool_conf_t pool;
static lns_health_t health[N];
static char names[N][8];

static void setup(enum lns_policy policy)
{
	memset(&pool, 0, sizeof(pool));
	memset(members, 0, sizeof(members));
	memset(health, 0, sizeof(health));
	pool.name = "www.example.test";
	pool.policy = policy;
	pool.ttl = 5;
	pool.answers = 1;
	pool.hysteresis = 10;
	pool.initial_up = true;
	pool.members = members;
	pool.n_members = N;
	for (int i = 0; i < N; i++) {
		lns_err_t err;
		char addr[32];
		snprintf(names[i], sizeof(names[i]), "m%d", i);
		snprintf(addr, sizeof(addr), "192.0.2.%d", 10 + i);
		members[i].name = names[i];
		lns_addr_parse(addr, 0, &members[i].address, &err);
		members[i].weight = 1;
		members[i].priority = (unsigned)(100 - i * 10);
		health[i].state = LNS_HEALTH_UP;
		health[i].load = -1;
	}
}

static unsigned pick1(const lns_pool_state_t *st, uint64_t seq, uint64_t rnd)
{
	uint16_t out[8];
	lns_client_subnet_t cs = { 0 };
	unsigned n = lns_policy_pick(st, AF_INET, &cs, seq, rnd, out, 8);
	return n ? out[0] : 999;
}

static void test_failover(void)
{
	setup(LNS_POLICY_FAILOVER);
	lns_pool_state_t *st = lns_pool_state_build(&pool, health, NULL, 0);
	T_CHECK(pick1(st, 0, 0) == 0, "highest priority first");
	lns_pool_state_free(st);
	health[0].state = LNS_HEALTH_DOWN;
	st = lns_pool_state_build(&pool, health, NULL, 0);
	T_CHECK(pick1(st, 0, 0) == 1, "next priority when the first is down");
	lns_pool_state_free(st);
	/* Ties on priority: the heavier member first. */
	members[2].priority = members[1].priority;
	members[2].weight = 5;
	st = lns_pool_state_build(&pool, health, NULL, 0);
	T_CHECK(pick1(st, 0, 0) == 2, "ties broken by weight");
	lns_pool_state_free(st);
}

static void test_answers_n_and_family(void)
{
	setup(LNS_POLICY_FAILOVER);
	lns_err_t err;
	lns_addr_parse("2001:db8::1", 0, &members[3].address, &err);
	pool.answers = 3;
	lns_pool_state_t *st = lns_pool_state_build(&pool, health, NULL, 0);
	uint16_t out[8];
	lns_client_subnet_t cs = { 0 };
	unsigned n = lns_policy_pick(st, AF_INET, &cs, 0, 0, out, 8);
	T_CHECK(n == 3 && out[0] == 0 && out[1] == 1 && out[2] == 2, "three IPv4 members, got %u", n);
	n = lns_policy_pick(st, AF_INET6, &cs, 0, 0, out, 8);
	T_CHECK(n == 1 && out[0] == 3, "one IPv6 member, got %u", n);
	lns_pool_state_free(st);
}

static void test_all_down(void)
{
	setup(LNS_POLICY_FAILOVER);
	for (int i = 0; i < N; i++)
		health[i].state = LNS_HEALTH_DOWN;
	health[1].drained = true;
	pool.all_down = LNS_ALL_DOWN_SERVE_ALL;
	lns_pool_state_t *st = lns_pool_state_build(&pool, health, NULL, 0);
	T_CHECK(st->fallback && st->n_eligible == N - 1, "serve-all answers every undrained member (%u)", st->n_eligible);
	lns_pool_state_free(st);
	pool.all_down = LNS_ALL_DOWN_SERVFAIL;
	st = lns_pool_state_build(&pool, health, NULL, 0);
	T_CHECK(st->fallback && st->n_eligible == 0, "servfail: nothing eligible");
	lns_pool_state_free(st);
}

static void test_drain(void)
{
	setup(LNS_POLICY_FAILOVER);
	health[0].drained = true;
	lns_pool_state_t *st = lns_pool_state_build(&pool, health, NULL, 0);
	T_CHECK(pick1(st, 0, 0) == 1, "a drained member is never answered");
	lns_pool_state_t *again = lns_pool_state_build(&pool, health, NULL, 0);
	T_CHECK(lns_pool_state_same_answer(st, again), "same health, same answer");
	health[0].drained = false;
	lns_pool_state_t *back = lns_pool_state_build(&pool, health, NULL, 0);
	T_CHECK(!lns_pool_state_same_answer(st, back) && pick1(back, 0, 0) == 0, "undrained: answered again");
	lns_pool_state_free(st);
	lns_pool_state_free(again);
	lns_pool_state_free(back);
}

static void test_round_robin(void)
{
	setup(LNS_POLICY_ROUND_ROBIN);
	lns_pool_state_t *st = lns_pool_state_build(&pool, health, NULL, 0);
	unsigned count[N] = { 0 };
	for (uint64_t q = 0; q < 4000; q++)
		count[pick1(st, q, 0)]++;
	for (int i = 0; i < N; i++)
		T_CHECK(count[i] == 1000, "round-robin: member %d answered %u of 4000", i, count[i]);
	lns_pool_state_free(st);
}

static void test_weighted(void)
{
	setup(LNS_POLICY_WEIGHTED);
	members[0].weight = 1;
	members[1].weight = 3;
	members[2].weight = 6;
	members[3].weight = 0;
	lns_pool_state_t *st = lns_pool_state_build(&pool, health, NULL, 0);
	unsigned count[N] = { 0 };
	uint64_t r = 88172645463325252ull;
	for (int q = 0; q < 100000; q++) {
		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		count[pick1(st, 0, r)]++;
	}
	T_CHECK(count[3] == 0, "weight 0 is never answered (%u)", count[3]);
	T_CHECK(count[0] > 9000 && count[0] < 11000, "weight 1 of 10: %u of 100000", count[0]);
	T_CHECK(count[1] > 28500 && count[1] < 31500, "weight 3 of 10: %u of 100000", count[1]);
	T_CHECK(count[2] > 58500 && count[2] < 61500, "weight 6 of 10: %u of 100000", count[2]);
	lns_pool_state_free(st);
}

static void test_healthiest(void)
{
	setup(LNS_POLICY_HEALTHIEST);
	int loads[N] = { 50, 70, 65, 10 };
	for (int i = 0; i < N; i++)
		health[i].load = loads[i];
	lns_pool_state_t *a = lns_pool_state_build(&pool, health, NULL, 0);
	T_CHECK(pick1(a, 0, 0) == 1, "the best health degree wins");
	health[2].load = 78; /* better, but within the margin of 10 */
	lns_pool_state_t *b = lns_pool_state_build(&pool, health, a, 0);
	T_CHECK(pick1(b, 0, 0) == 1, "a challenger within the hysteresis margin does not take over");
	health[2].load = 81;
	lns_pool_state_t *c = lns_pool_state_build(&pool, health, b, 0);
	T_CHECK(pick1(c, 0, 0) == 2, "a challenger beyond the margin takes over");
	health[2].state = LNS_HEALTH_DOWN;
	lns_pool_state_t *d = lns_pool_state_build(&pool, health, c, 0);
	T_CHECK(pick1(d, 0, 0) == 1, "a leader that goes down is replaced");
	lns_pool_state_free(a);
	lns_pool_state_free(b);
	lns_pool_state_free(c);
	lns_pool_state_free(d);
}

static unsigned affinity_of(const lns_pool_state_t *st, unsigned subnet)
{
	uint8_t a[4] = { 10, (uint8_t)(subnet >> 8), (uint8_t)subnet, 77 };
	lns_client_subnet_t cs;
	lns_client_subnet_set(&cs, AF_INET, a, 24);
	uint16_t out[1];
	return lns_policy_pick(st, AF_INET, &cs, 0, 0, out, 1) ? out[0] : 999;
}

static void test_affinity(void)
{
	setup(LNS_POLICY_AFFINITY);
	enum { SUBNETS = 2000 };
	static unsigned before[SUBNETS], during[SUBNETS];
	unsigned per[N] = { 0 };
	lns_pool_state_t *st = lns_pool_state_build(&pool, health, NULL, 0);
	for (unsigned s = 0; s < SUBNETS; s++)
		per[before[s] = affinity_of(st, s)]++;
	lns_pool_state_free(st);
	for (int i = 0; i < N; i++)
		T_CHECK(per[i] > SUBNETS / N * 8 / 10 && per[i] < SUBNETS / N * 12 / 10, "affinity spreads: member %d has %u",
			i, per[i]);
	health[1].state = LNS_HEALTH_DOWN;
	st = lns_pool_state_build(&pool, health, NULL, 0);
	unsigned moved_wrongly = 0, moved = 0;
	for (unsigned s = 0; s < SUBNETS; s++) {
		during[s] = affinity_of(st, s);
		if (before[s] != 1 && during[s] != before[s])
			moved_wrongly++;
		if (before[s] == 1)
			moved += during[s] != 1;
	}
	lns_pool_state_free(st);
	T_CHECK(moved_wrongly == 0, "only the failed member's clients move (%u others moved)", moved_wrongly);
	T_CHECK(moved == per[1], "every client of the failed member moved (%u of %u)", moved, per[1]);
	health[1].state = LNS_HEALTH_UP;
	st = lns_pool_state_build(&pool, health, NULL, 0);
	unsigned back = 0;
	for (unsigned s = 0; s < SUBNETS; s++)
		back += affinity_of(st, s) == before[s];
	lns_pool_state_free(st);
	T_CHECK(back == SUBNETS, "they come back when it recovers (%u of %u)", back, SUBNETS);
	/* The same /24 maps the same way whatever the host part. */
	uint8_t a1[4] = { 198, 51, 100, 1 }, a2[4] = { 198, 51, 100, 200 };
	lns_client_subnet_t c1, c2;
	lns_client_subnet_set(&c1, AF_INET, a1, 24);
	lns_client_subnet_set(&c2, AF_INET, a2, 24);
	T_CHECK(memcmp(&c1, &c2, sizeof(c1)) == 0, "the subnet is masked to its prefix");
}

static void test_slow_start(void)
{
	setup(LNS_POLICY_WEIGHTED);
	pool.slow_start_ms = 10000;
	members[0].weight = 100;
	members[1].weight = 100;
	health[0].up_since_mono = 50000; /* came back at t=50 s */
	lns_pool_state_t *st = lns_pool_state_build(&pool, health, NULL, 52500);
	T_CHECK(st->weight[0] == 25, "a quarter through slow start: weight 25 of 100, got %u", st->weight[0]);
	T_CHECK(st->weight[1] == 100, "others keep their weight (%u)", st->weight[1]);
	lns_pool_state_free(st);
	st = lns_pool_state_build(&pool, health, NULL, 60001);
	T_CHECK(st->weight[0] == 100, "after slow start: the full weight (%u)", st->weight[0]);
	lns_pool_state_free(st);
	st = lns_pool_state_build(&pool, health, NULL, 50000);
	T_CHECK(st->weight[0] == 1, "at the start: weight 1, not 0 (%u)", st->weight[0]);
	lns_pool_state_free(st);
}

void lns_test_policy_suite(void)
{
	CU_pSuite s = CU_add_suite("policy", NULL, NULL);
	CU_add_test(s, "failover: priority, then weight", test_failover);
	CU_add_test(s, "answers = N, and the address family", test_answers_n_and_family);
	CU_add_test(s, "all members down", test_all_down);
	CU_add_test(s, "drain", test_drain);
	CU_add_test(s, "round-robin is even", test_round_robin);
	CU_add_test(s, "weighted follows the weights", test_weighted);
	CU_add_test(s, "healthiest with hysteresis", test_healthiest);
	CU_add_test(s, "affinity: only the failed member's clients move, and come back", test_affinity);
	CU_add_test(s, "slow start ramps the weight", test_slow_start);
}
