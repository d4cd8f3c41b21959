/*
 * Unit tests for nameserver/rrl: the account arithmetic on a fake clock
 * (burst, refill, the window's memory, window 0), prefixes (IPv4 /24, IPv6
 * /56, mapped addresses, other lengths), the allow-list, slip cycles, the
 * onset flag, a full table, threads racing on one prefix, the slipped
 * answer's wire form, and SipHash against its reference vectors.
 */
#include "config.h"

#include "nameserver/rrl.h"
#include "tests/unit/helper.h"

#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define S 1000000000ull /* one second in ns */
#define T0 (5 * S)      /* the table's origin on the fake clock */

static const uint8_t key[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

static lns_rrl_conf_t conf_of(unsigned rate, unsigned slip, unsigned window)
{
	lns_rrl_conf_t c;
	memset(&c, 0, sizeof(c));
	c.enabled = true;
	c.rate = rate;
	c.slip = slip;
	c.window = window;
	c.ipv4_prefix = 24;
	c.ipv6_prefix = 56;
	c.table_size = 1024;
	return c;
}

static struct sockaddr_storage addr(const char *ip)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, ip, &a4->sin_addr) == 1)
		a4->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, ip, &a6->sin6_addr) == 1)
		a6->sin6_family = AF_INET6;
	else
		abort();
	return ss;
}

/* n responses to ip at now; returns how many passed, adds to *slips. */
static unsigned burst(lns_rrl_t *r, const lns_rrl_conf_t *c, lns_rrl_local_t *l, const char *ip, uint64_t now,
	unsigned n, unsigned *slips)
{
	struct sockaddr_storage a = addr(ip);
	unsigned passed = 0;
	for (unsigned i = 0; i < n; i++) {
		bool onset;
		enum lns_rrl_verdict v = lns_rrl_check(r, c, l, (struct sockaddr *)&a, now, &onset);
		passed += v == LNS_RRL_PASS;
		if (slips)
			*slips += v == LNS_RRL_SLIP;
	}
	return passed;
}

static void test_siphash_vectors(void)
{
	uint8_t msg[15];
	for (unsigned i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	/* From the SipHash paper's reference implementation (vectors.h). */
	CU_ASSERT_EQUAL(lns_siphash(key, msg, 0), 0x726fdb47dd0e0e31ull);
	CU_ASSERT_EQUAL(lns_siphash(key, msg, 8), 0x93f5f5799a932462ull);
	CU_ASSERT_EQUAL(lns_siphash(key, msg, 15), 0xa129ca6149be45e5ull);
}

static void test_burst_then_limited(void)
{
	lns_rrl_conf_t c = conf_of(100, 0, 15);
	lns_rrl_local_t l = { 0 };
	lns_rrl_t *r = lns_rrl_new(1024, key, T0);
	/* A second's worth at once, then nothing more at that instant. */
	CU_ASSERT_EQUAL(burst(r, &c, &l, "192.0.2.1", T0, 100, NULL), 100);
	CU_ASSERT_EQUAL(burst(r, &c, &l, "192.0.2.1", T0, 50, NULL), 0);
	CU_ASSERT_EQUAL(l.limited, 50);
	CU_ASSERT_EQUAL(l.dropped, 50);
	CU_ASSERT_EQUAL(l.slipped, 0);
	lns_rrl_free(r);
}

/* Ticks of 1/16 us: a debit of 1/rate is rounded down to whole ticks, so
 * the burst exceeds the rate by at most 1/(16e6/rate): 0.1% at 16,000 a
 * second, 0.6% at 100,000, 6% at most near a million. */
static void test_high_rates(void)
{
	static const unsigned rates[] = { 1000000, 300000, 123457, 100000, 7 };
	for (unsigned k = 0; k < sizeof(rates) / sizeof(rates[0]); k++) {
		lns_rrl_conf_t c = conf_of(rates[k], 0, 15);
		lns_rrl_local_t l = { 0 };
		lns_rrl_t *r = lns_rrl_new(1024, key, T0);
		unsigned n = rates[k] + rates[k] / 50 + 10;
		unsigned passed = burst(r, &c, &l, "192.0.2.1", T0, n, NULL);
		unsigned step = 16000000u / rates[k];
		T_CHECK(passed >= rates[k] && passed <= 16000000u / step, "rate %u: a burst of %u passed", rates[k], passed);
		lns_rrl_free(r);
	}
}

static void test_steady_below_rate_never_limited(void)
{
	lns_rrl_conf_t c = conf_of(100, 2, 15);
	lns_rrl_local_t l = { 0 };
	lns_rrl_t *r = lns_rrl_new(1024, key, T0);
	unsigned passed = 0;
	/* 99 a second for 60 s, evenly */
	for (unsigned i = 0; i < 99 * 60; i++)
		passed += burst(r, &c, &l, "198.51.100.7", T0 + (uint64_t)i * S / 99, 1, NULL);
	CU_ASSERT_EQUAL(passed, 99 * 60);
	CU_ASSERT_EQUAL(l.limited, 0);
	lns_rrl_free(r);
}

/* A flood at 10 x rate: after the first second's burst every response is
 * limited while it lasts (limited ones are debited too), and the prefix
 * stays limited for `window` seconds after it stops, not longer. */
static void test_window_remembers_a_flood(void)
{
	lns_rrl_conf_t c = conf_of(100, 0, 15);
	lns_rrl_local_t l = { 0 };
	lns_rrl_t *r = lns_rrl_new(1024, key, T0);
	unsigned passed = 0;
	uint64_t t = T0;
	for (unsigned i = 0; i < 1000 * 5; i++, t += S / 1000)
		passed += burst(r, &c, &l, "203.0.113.9", t, 1, NULL);
	CU_ASSERT(passed >= 100 && passed <= 115); /* the burst, and what the first ms earned */
	uint64_t stop = t;
	CU_ASSERT_EQUAL(burst(r, &c, &l, "203.0.113.9", stop + 14 * S, 1, NULL), 0);
	lns_rrl_free(r);
	r = lns_rrl_new(1024, key, T0);
	for (t = T0; t < stop; t += S / 1000)
		burst(r, &c, &l, "203.0.113.9", t, 1, NULL);
	CU_ASSERT_EQUAL(burst(r, &c, &l, "203.0.113.9", stop + 15 * S + S / 50, 1, NULL), 1);
	lns_rrl_free(r);
}

/* window 1: a flood is forgotten a second after it stops; while it goes
 * on, even at twice the rate, nothing passes (limited answers are debited
 * too), and with slip 2 half of what is limited is truncated. */
static void test_window_one(void)
{
	lns_rrl_conf_t c = conf_of(100, 2, 1);
	lns_rrl_local_t l = { 0 };
	lns_rrl_t *r = lns_rrl_new(1024, key, T0);
	unsigned passed = 0, slips = 0;
	uint64_t t = T0;
	for (unsigned i = 0; i < 200 * 10; i++, t += S / 200)
		passed += burst(r, &c, &l, "203.0.113.9", t, 1, &slips);
	/* the first second's burst, and what was earned before it ran out */
	T_CHECK(passed >= 100 && passed <= 205, "passed %u", passed);
	T_CHECK(slips == (2000 - passed) / 2, "slipped %u of %u limited", slips, 2000 - passed);
	CU_ASSERT_EQUAL(burst(r, &c, &l, "203.0.113.9", t + S - S / 20, 1, NULL), 0);
	CU_ASSERT_EQUAL(burst(r, &c, &l, "203.0.113.9", t + 2 * S + S / 50, 1, NULL), 1);
	lns_rrl_free(r);
}

static void test_prefixes(void)
{
	lns_rrl_conf_t c = conf_of(10, 0, 15);
	lns_rrl_local_t l = { 0 };
	lns_rrl_t *r = lns_rrl_new(1024, key, T0);
	/* IPv4: one /24 shares an account, the next /24 has its own */
	CU_ASSERT_EQUAL(burst(r, &c, &l, "192.0.2.1", T0, 6, NULL), 6);
	CU_ASSERT_EQUAL(burst(r, &c, &l, "192.0.2.250", T0, 6, NULL), 4);
	CU_ASSERT_EQUAL(burst(r, &c, &l, "192.0.3.1", T0, 6, NULL), 6);
	/* a mapped IPv4 address is its IPv4 self */
	CU_ASSERT_EQUAL(burst(r, &c, &l, "::ffff:192.0.2.77", T0, 1, NULL), 0);
	/* IPv6: one /56 shares, the next /56 does not */
	CU_ASSERT_EQUAL(burst(r, &c, &l, "2001:db8:0:1::1", T0, 6, NULL), 6);
	CU_ASSERT_EQUAL(burst(r, &c, &l, "2001:db8:0:ff:1:2:3:4", T0, 6, NULL), 4);
	CU_ASSERT_EQUAL(burst(r, &c, &l, "2001:db8:0:100::1", T0, 6, NULL), 6);
	/* /32 and /128: every address on its own */
	c.ipv4_prefix = 32;
	c.ipv6_prefix = 128;
	CU_ASSERT_EQUAL(burst(r, &c, &l, "192.0.2.2", T0, 10, NULL), 10);
	CU_ASSERT_EQUAL(burst(r, &c, &l, "192.0.2.3", T0, 10, NULL), 10);
	CU_ASSERT_EQUAL(burst(r, &c, &l, "2001:db8::5", T0, 10, NULL), 10);
	CU_ASSERT_EQUAL(burst(r, &c, &l, "2001:db8::6", T0, 10, NULL), 10);
	/* /0: everyone together */
	c.ipv4_prefix = 0;
	CU_ASSERT_EQUAL(burst(r, &c, &l, "10.0.0.1", T0, 6, NULL), 6);
	CU_ASSERT_EQUAL(burst(r, &c, &l, "172.16.0.1", T0, 6, NULL), 4);
	lns_rrl_free(r);
}

static void test_prefix_render(void)
{
	lns_rrl_conf_t c = conf_of(10, 0, 15);
	char buf[64];
	struct sockaddr_storage a = addr("192.0.2.77");
	CU_ASSERT_STRING_EQUAL(lns_rrl_prefix_render(&c, (struct sockaddr *)&a, buf, sizeof(buf)), "192.0.2.0/24");
	a = addr("2001:db8:aa:bbcc:dd::1");
	CU_ASSERT_STRING_EQUAL(lns_rrl_prefix_render(&c, (struct sockaddr *)&a, buf, sizeof(buf)), "2001:db8:aa:bb00::/56");
	c.ipv4_prefix = 20;
	a = addr("198.51.100.9");
	CU_ASSERT_STRING_EQUAL(lns_rrl_prefix_render(&c, (struct sockaddr *)&a, buf, sizeof(buf)), "198.51.96.0/20");
}

static void test_allow_list(void)
{
	lns_rrl_conf_t c = conf_of(5, 2, 15);
	lns_err_t err;
	CU_ASSERT_EQUAL(lns_prefix_parse("127.0.0.0/8", &c.allow[0], &err), 0);
	CU_ASSERT_EQUAL(lns_prefix_parse("2001:db8::/32", &c.allow[1], &err), 0);
	c.n_allow = 2;
	lns_rrl_local_t l = { 0 };
	lns_rrl_t *r = lns_rrl_new(1024, key, T0);
	CU_ASSERT_EQUAL(burst(r, &c, &l, "127.0.0.1", T0, 1000, NULL), 1000);
	CU_ASSERT_EQUAL(burst(r, &c, &l, "127.9.9.9", T0, 1000, NULL), 1000);
	CU_ASSERT_EQUAL(burst(r, &c, &l, "2001:db8:1::1", T0, 1000, NULL), 1000);
	CU_ASSERT_EQUAL(l.limited, 0);
	CU_ASSERT_EQUAL(burst(r, &c, &l, "128.0.0.1", T0, 10, NULL), 5);
	CU_ASSERT_EQUAL(burst(r, &c, &l, "2001:db9::1", T0, 10, NULL), 5);
	CU_ASSERT_EQUAL(l.limited, 10);
	struct sockaddr_storage a = addr("127.3.2.1");
	CU_ASSERT(lns_rrl_is_allowed(&c, (struct sockaddr *)&a));
	a = addr("::1");
	CU_ASSERT(!lns_rrl_is_allowed(&c, (struct sockaddr *)&a));
	lns_rrl_free(r);
}

static const struct {
	const char *name;
	unsigned slip, slipped;
} slip_rows[] = {
	{ "slip 0 drops all", 0, 0 },
	{ "slip 1 truncates all", 1, 60 },
	{ "slip 2 truncates every second", 2, 30 },
	{ "slip 3 truncates every third", 3, 20 },
	{ "slip 10 truncates every tenth", 10, 6 },
};

static void run_slip_row(const void *table, size_t i)
{
	(void)table;
	lns_rrl_conf_t c = conf_of(40, slip_rows[i].slip, 15);
	lns_rrl_local_t l = { 0 };
	lns_rrl_t *r = lns_rrl_new(1024, key, T0);
	unsigned slips = 0;
	unsigned passed = burst(r, &c, &l, "192.0.2.1", T0, 100, &slips);
	T_CHECK(passed == 40, "%s: passed %u", slip_rows[i].name, passed);
	T_CHECK(slips == slip_rows[i].slipped && l.slipped == slips, "%s: slipped %u (counted %lu)", slip_rows[i].name,
		slips, (unsigned long)l.slipped);
	T_CHECK(l.limited == 60 && l.dropped == 60 - slips, "%s: limited %lu dropped %lu", slip_rows[i].name,
		(unsigned long)l.limited, (unsigned long)l.dropped);
	lns_rrl_free(r);
}

static void test_onset_once(void)
{
	lns_rrl_conf_t c = conf_of(10, 2, 15);
	lns_rrl_local_t l = { 0 };
	lns_rrl_t *r = lns_rrl_new(1024, key, T0);
	struct sockaddr_storage a = addr("192.0.2.1");
	unsigned onsets = 0;
	uint64_t t = T0;
	for (unsigned i = 0; i < 500; i++, t += S / 100) {
		bool onset;
		lns_rrl_check(r, &c, &l, (struct sockaddr *)&a, t, &onset);
		onsets += onset;
	}
	CU_ASSERT_EQUAL(onsets, 1);
	/* quiet past the window: limited again later is a new onset */
	t += 20 * S;
	for (unsigned i = 0; i < 100; i++) {
		bool onset;
		lns_rrl_check(r, &c, &l, (struct sockaddr *)&a, t, &onset);
		onsets += onset;
	}
	CU_ASSERT_EQUAL(onsets, 2);
	lns_rrl_free(r);
}

/* Far more prefixes than entries: memory stays as it was, old idle
 * prefixes are forgotten first, and a prefix in debt that is pushed out is
 * counted. */
static void test_full_table(void)
{
	lns_rrl_conf_t c = conf_of(1, 0, 15);
	lns_rrl_local_t l = { 0 };
	lns_rrl_t *r = lns_rrl_new(100, key, T0);
	CU_ASSERT_EQUAL(lns_rrl_entries(r), 1024);
	char ip[32];
	unsigned passed = 0;
	/* 2 responses each to 100,000 /24s: the second is over rate 1 (a burst of 1) */
	for (unsigned i = 0; i < 100000; i++) {
		snprintf(ip, sizeof(ip), "10.%u.%u.1", i >> 8 & 0xff, i & 0xff);
		if (i >= 65536)
			snprintf(ip, sizeof(ip), "11.%u.%u.1", i >> 8 & 0xff, i & 0xff);
		passed += burst(r, &c, &l, ip, T0 + i * 1000ull, 2, NULL);
	}
	/* all but the rare prefix whose 16-bit tag matches one already in its
	 * group (4 in 65,536): it shares that account */
	T_CHECK(passed >= 99950 && passed <= 100100, "passed %u", passed);
	T_CHECK(l.evicted > 90000, "evicted %lu", (unsigned long)l.evicted);
	lns_rrl_free(r);
	/* Table sizes are powers of two. */
	r = lns_rrl_new(5000, NULL, 0);
	CU_ASSERT_EQUAL(lns_rrl_entries(r), 8192);
	lns_rrl_free(r);
}

/* Which of 1,000 prefixes in debt survive in a 1,024-entry table depends
 * on where the key hashes them: the same for one key, different for two
 * random keys (unless they collide, odds far below 2^-100). */
static void survivors(const uint8_t *k, uint8_t *map)
{
	lns_rrl_conf_t c = conf_of(1, 0, 15);
	lns_rrl_local_t l = { 0 };
	lns_rrl_t *r = lns_rrl_new(1024, k, T0);
	char ip[32];
	for (unsigned i = 0; i < 1000; i++) {
		snprintf(ip, sizeof(ip), "10.%u.%u.1", i >> 8, i & 0xff);
		burst(r, &c, &l, ip, T0, 2, NULL);
	}
	for (unsigned i = 0; i < 1000; i++) {
		snprintf(ip, sizeof(ip), "10.%u.%u.1", i >> 8, i & 0xff);
		map[i] = (uint8_t)burst(r, &c, &l, ip, T0, 1, NULL);
	}
	lns_rrl_free(r);
}

static void test_random_key(void)
{
	uint8_t a[1000], b[1000];
	survivors(key, a);
	survivors(key, b);
	CU_ASSERT(memcmp(a, b, sizeof(a)) == 0);
	unsigned evicted = 0;
	for (unsigned i = 0; i < 1000; i++)
		evicted += a[i];
	T_CHECK(evicted > 0 && evicted < 1000, "%u of 1000 evicted", evicted);
	survivors(NULL, a);
	survivors(NULL, b);
	CU_ASSERT(memcmp(a, b, sizeof(a)) != 0);
	uint8_t k2[16];
	memcpy(k2, key, 16);
	k2[0] ^= 1;
	CU_ASSERT_NOT_EQUAL(lns_siphash(key, "abc", 3), lns_siphash(k2, "abc", 3));
}

/* Threads on one prefix at one instant: exactly `rate` pass in all, as the
 * compare-and-swap loses no update. */
#define RACERS 4
#define TRIES 20000
static lns_rrl_t *race_table;
static lns_rrl_conf_t race_conf;
static unsigned race_passed[RACERS];
static lns_rrl_local_t race_local[RACERS];

static void *racer(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	race_passed[id] = burst(race_table, &race_conf, &race_local[id], "192.0.2.1", T0 + S, TRIES, NULL);
	return NULL;
}

static void test_threads_share_one_account(void)
{
	pthread_t th[RACERS];
	race_conf = conf_of(5000, 2, 15);
	race_table = lns_rrl_new(1024, key, T0);
	for (unsigned i = 0; i < RACERS; i++)
		pthread_create(&th[i], NULL, racer, (void *)(uintptr_t)i);
	unsigned total = 0;
	uint64_t limited = 0, slipped = 0, dropped = 0;
	for (unsigned i = 0; i < RACERS; i++) {
		pthread_join(th[i], NULL);
		total += race_passed[i];
		limited += race_local[i].limited;
		slipped += race_local[i].slipped;
		dropped += race_local[i].dropped;
	}
	T_CHECK(total == 5000, "passed %u of %u", total, RACERS * TRIES);
	CU_ASSERT_EQUAL(limited, RACERS * TRIES - 5000);
	CU_ASSERT_EQUAL(slipped + dropped, limited);
	lns_rrl_free(race_table);
}

/* ---- the slipped answer ---- */

static size_t build_response(uint8_t *p, bool opt)
{
	static const uint8_t head[] = {
		0x12, 0x34, 0x84, 0x00, 0, 1, 0, 1, 0, 1, 0, 0, /* QR AA, 1 question, 1 answer, 1 authority */
		3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1,
		0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 192, 0, 2, 1,             /* www A 192.0.2.1 */
		0xc0, 16, 0, 2, 0, 1, 0, 0, 0xe, 0x10, 0, 6, 3, 'n', 's', '1', 0xc0, 16, /* example.test NS ns1 */
	};
	static const uint8_t optrr[] = { 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 6, 0, 3, 0, 2, 'n', 's' };
	memcpy(p, head, sizeof(head));
	size_t n = sizeof(head);
	if (opt) {
		memcpy(p + n, optrr, sizeof(optrr));
		n += sizeof(optrr);
		p[11] = 1;
	}
	return n;
}

static void test_slip_wire_form(void)
{
	uint8_t p[512];
	size_t n = build_response(p, true);
	size_t m = lns_rrl_slip(p, n);
	CU_ASSERT_EQUAL(m, 12 + 22 + 17);
	CU_ASSERT_EQUAL(p[2], 0x86); /* QR AA TC */
	CU_ASSERT(p[4] == 0 && p[5] == 1 && p[6] == 0 && p[7] == 0 && p[8] == 0 && p[9] == 0 && p[10] == 0 && p[11] == 1);
	CU_ASSERT_EQUAL(p[34], 0);
	CU_ASSERT_EQUAL(p[36], 41);
	CU_ASSERT_EQUAL(p[m - 1], 's');

	n = build_response(p, false);
	m = lns_rrl_slip(p, n);
	CU_ASSERT_EQUAL(m, 12 + 22);
	CU_ASSERT(p[11] == 0 && p[7] == 0 && (p[2] & 0x02));

	/* not a response, cut short, or a count that lies */
	n = build_response(p, true);
	p[2] &= 0x7f;
	CU_ASSERT_EQUAL(lns_rrl_slip(p, n), 0);
	n = build_response(p, true);
	CU_ASSERT_EQUAL(lns_rrl_slip(p, n - 3), 0);
	CU_ASSERT_EQUAL(lns_rrl_slip(p, 11), 0);
	n = build_response(p, true);
	p[7] = 9;
	CU_ASSERT_EQUAL(lns_rrl_slip(p, n), 0);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	CU_pSuite s = CU_add_suite("rrl", NULL, NULL);
	CU_add_test(s, "siphash reference vectors", test_siphash_vectors);
	CU_add_test(s, "a second's burst, then limited", test_burst_then_limited);
	CU_add_test(s, "steady below the rate: never limited", test_steady_below_rate_never_limited);
	CU_add_test(s, "high rates: the burst within a tick per debit", test_high_rates);
	CU_add_test(s, "window: a flood is remembered for window seconds", test_window_remembers_a_flood);
	CU_add_test(s, "window 1: forgotten a second after the flood", test_window_one);
	CU_add_test(s, "prefixes: /24, /56, mapped, /32, /128, /0", test_prefixes);
	CU_add_test(s, "prefix rendering", test_prefix_render);
	CU_add_test(s, "allow-list", test_allow_list);
	LNS_TEST_ADD_ROWS(s, "slip", slip_rows, run_slip_row);
	CU_add_test(s, "onset is reported once per episode", test_onset_once);
	CU_add_test(s, "full table: fixed memory, evictions counted", test_full_table);
	CU_add_test(s, "random keys", test_random_key);
	CU_add_test(s, "threads share one account exactly", test_threads_share_one_account);
	CU_add_test(s, "slipped answer: header, question, OPT, TC", test_slip_wire_form);
	return lns_test_run();
}
