/*
 * Unit tests for levelnsctl's pure parts (web/ctl_table.c, ctl_fmt.c,
 * ctl_print.c): aligned tables, text clean-up, times, durations, and the
 * API's documents printed for people, including documents that are
 * missing fields or hold the wrong types.
 */
#include "config.h"

#include "tests/unit/helper.h"
#include "web/ctl.h"

#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* 2026-11-28T20:00:00Z */
#define NOW INT64_C(1795896000000)

/* ---- capturing output ---- */

typedef struct capture {
	FILE *f;
	char *text;
	size_t len;
} capture_t;

static void cap_open(capture_t *c)
{
	c->text = NULL;
	c->len = 0;
	c->f = open_memstream(&c->text, &c->len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->f);
}

/* Closes the stream: c->text holds what was written (caller frees). */
static const char *cap_close(capture_t *c)
{
	fclose(c->f);
	return c->text;
}

static json_t *parse(const char *text)
{
	json_error_t err;
	json_t *doc = json_loads(text, 0, &err);
	if (!doc)
		fprintf(stderr, "bad test JSON: %d: %s\n", err.line, err.text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	return doc;
}

/* ======================================================================
 * tables
 * ====================================================================== */

static char *table_text(lns_ctl_table_t *t)
{
	capture_t c;
	cap_open(&c);
	lns_ctl_table_print(t, c.f);
	cap_close(&c);
	lns_ctl_table_free(t);
	return c.text;
}

static void test_table_align(void)
{
	static const char *const head[] = { "NAME", ">N", "NOTE" };
	lns_ctl_table_t *t = lns_ctl_table_new(3, head);
	lns_ctl_table_add(t, (const char *const[]){ "a", "1", "x" });
	lns_ctl_table_add(t, (const char *const[]){ "longer", "100", "" });
	lns_ctl_table_add(t, (const char *const[]){ NULL, "7", "last" });
	CU_ASSERT_EQUAL(lns_ctl_table_rows(t), 3);
	char *s = table_text(t);
	CU_ASSERT_STRING_EQUAL(s, "NAME      N  NOTE\n"
				  "a         1  x\n"
				  "longer  100\n"
				  "-         7  last\n");
	free(s);
}

static void test_table_utf8_and_controls(void)
{
	static const char *const head[] = { "A", "B" };
	lns_ctl_table_t *t = lns_ctl_table_new(2, head);
	lns_ctl_table_add(t, (const char *const[]){ "h\xc3\xa9h\xc3\xa9", "1" });   /* héhé: 4 wide */
	lns_ctl_table_add(t, (const char *const[]){ "\x1b[31mred", "2" });         /* escape cleaned */
	lns_ctl_table_add(t, (const char *const[]){ "bad\xff", "3\n4" });          /* invalid byte, newline */
	char *s = table_text(t);
	CU_ASSERT_STRING_EQUAL(s, "A         B\n"
				  "h\xc3\xa9h\xc3\xa9      1\n"
				  "?[31mred  2\n"
				  "bad?      3?4\n");
	free(s);
}

static void test_table_no_header(void)
{
	lns_ctl_table_t *t = lns_ctl_table_new(2, NULL);
	lns_ctl_table_indent(t, 2);
	lns_ctl_table_add(t, (const char *const[]){ "key:", "value" });
	lns_ctl_table_add(t, (const char *const[]){ "longer key:", "v" });
	char *s = table_text(t);
	CU_ASSERT_STRING_EQUAL(s, "  key:         value\n"
				  "  longer key:  v\n");
	free(s);
	t = lns_ctl_table_new(1, (const char *const[]){ "ONLY" });
	s = table_text(t);
	CU_ASSERT_STRING_EQUAL(s, "ONLY\n");
	free(s);
}

static void test_table_many_rows(void)
{
	lns_ctl_table_t *t = lns_ctl_table_new(2, (const char *const[]){ "I", ">SQUARE" });
	for (int i = 0; i < 1000; i++) {
		char a[16], b[16];
		snprintf(a, sizeof(a), "%d", i);
		snprintf(b, sizeof(b), "%d", i * i);
		lns_ctl_table_add(t, (const char *const[]){ a, b });
	}
	char *s = table_text(t);
	CU_ASSERT(lns_test_contains(s, "\n999  998001\n"));
	CU_ASSERT(lns_test_contains(s, "\n0         0\n"));
	free(s);
}

/* ======================================================================
 * text, times, durations (tables)
 * ====================================================================== */

static const struct clean_row {
	const char *name, *in, *out;
	size_t size;
} clean_rows[] = {
	{ "plain", "www.example.test", "www.example.test", 64 },
	{ "tab and newline", "a\tb\nc", "a?b?c", 64 },
	{ "DEL", "a\x7f", "a?", 64 },
	{ "C1 control (U+0085)", "a\xc2\x85z", "a?z", 64 },
	{ "latin-1 byte", "caf\xe9", "caf?", 64 },
	{ "overlong slash", "\xc0\xaf", "??", 64 },
	{ "surrogate", "\xed\xa0\x80", "???", 64 },
	{ "valid 4-byte", "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", 64 },
	{ "cut on a boundary", "ab\xc3\xa9", "ab", 4 },
	{ "cut to fit", "abcdef", "abc", 4 },
	{ "NULL", NULL, "", 8 },
};

static void run_clean(const void *table, size_t i)
{
	const struct clean_row *r = &((const struct clean_row *)table)[i];
	char buf[64];
	lns_ctl_clean(r->in, buf, r->size);
	T_CHECK(strcmp(buf, r->out) == 0, "%s: got \"%s\", want \"%s\"", r->name, buf, r->out);
}

static const struct time_row {
	const char *name, *in;
	bool ok;
	int64_t ms;
} time_rows[] = {
	{ "UTC", "2026-11-28T20:00:00Z", true, NOW },
	{ "milliseconds", "2026-11-28T20:00:00.123Z", true, NOW + 123 },
	{ "one decimal", "2026-11-28T20:00:00.5Z", true, NOW + 500 },
	{ "offset", "2026-11-28T21:30:00+01:30", true, NOW },
	{ "negative offset", "2026-11-28T19:00:00-01:00", true, NOW },
	{ "lower-case t and z", "2026-11-28t20:00:00z", true, NOW },
	{ "epoch", "1970-01-01T00:00:00Z", true, 0 },
	{ "no zone", "2026-11-28T20:00:00", false, 0 },
	{ "no seconds", "2026-11-28T20:00Z", false, 0 },
	{ "month 13", "2026-13-01T00:00:00Z", false, 0 },
	{ "trailing junk", "2026-11-28T20:00:00Zx", false, 0 },
	{ "empty fraction", "2026-11-28T20:00:00.Z", false, 0 },
	{ "empty", "", false, 0 },
	{ "NULL", NULL, false, 0 },
};

static void run_time(const void *table, size_t i)
{
	const struct time_row *r = &((const struct time_row *)table)[i];
	int64_t ms = -1;
	bool ok = lns_ctl_time_parse(r->in, &ms);
	T_CHECK(ok == r->ok, "%s: parse %s", r->name, ok ? "accepted" : "refused");
	if (ok && r->ok)
		T_CHECK(ms == r->ms, "%s: %lld, want %lld", r->name, (long long)ms, (long long)r->ms);
}

static const struct duration_row {
	const char *name, *in;
	bool ok;
	int64_t ms;
} duration_rows[] = {
	{ "seconds", "30s", true, 30000 },
	{ "minutes", "10m", true, 600000 },
	{ "hours", "2h", true, 7200000 },
	{ "days", "1d", true, 86400000 },
	{ "zero", "0s", false, 0 },
	{ "no unit", "10", false, 0 },
	{ "unknown unit", "10y", false, 0 },
	{ "two units", "1h30m", false, 0 },
	{ "negative", "-5m", false, 0 },
	{ "over ten years", "4000d", false, 0 },
	{ "huge", "99999999999999999999s", false, 0 },
	{ "a time", "2026-11-28T20:00:00Z", false, 0 },
};

static void run_duration(const void *table, size_t i)
{
	const struct duration_row *r = &((const struct duration_row *)table)[i];
	int64_t ms = -1;
	bool ok = lns_ctl_duration_parse(r->in, &ms);
	T_CHECK(ok == r->ok, "%s: %s", r->name, ok ? "accepted" : "refused");
	if (ok && r->ok)
		T_CHECK(ms == r->ms, "%s: %lld, want %lld", r->name, (long long)ms, (long long)r->ms);
}

static void test_age_and_render(void)
{
	static const struct { int64_t ms; const char *text; } ages[] = {
		{ -1, "-" }, { 0, "0 ms" }, { 95, "95 ms" }, { 1250, "1.2 s" }, { 59999, "59.9 s" },
		{ 60000, "1 min" }, { 3599999, "59 min" }, { 3600000, "1 h" }, { 47 * 3600000LL, "47 h" },
		{ 3 * 86400000LL, "3 d" },
	};
	for (size_t i = 0; i < N_ELEMS(ages); i++) {
		char buf[32];
		lns_ctl_age(ages[i].ms, buf, sizeof(buf));
		T_CHECK(strcmp(buf, ages[i].text) == 0, "age %lld: got %s, want %s", (long long)ages[i].ms, buf,
			ages[i].text);
	}
	char buf[32];
	lns_ctl_time_render(NOW + 999, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "2026-11-28T20:00:00Z");
	lns_ctl_time_render(-5, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "-");
	CU_ASSERT_EQUAL(lns_ctl_width("h\xc3\xa9\xf0\x9f\x98\x80"), 3);
}

/* ======================================================================
 * documents
 * ====================================================================== */

static const char health_doc[] =
	"{\"pools\": [{\"name\": \"www.example.test\", \"policy\": \"failover\", \"probe\": \"http\", \"members\": ["
	"  {\"name\": \"a\", \"address\": \"127.0.0.2\", \"state\": \"up\", \"reason\": \"HTTP 200\", \"rtt_ms\": 0.213,"
	"   \"interval_ms\": 750, \"changed_at\": \"2026-11-28T19:59:55.000Z\", \"drained\": false},"
	"  {\"name\": \"b\", \"address\": \"127.0.0.3\", \"state\": \"down\", \"reason\": \"connect refused\","
	"   \"rtt_ms\": null, \"interval_ms\": 250, \"changed_at\": \"2026-11-28T19:58:00.000Z\", \"drained\": false},"
	"  {\"name\": \"c\", \"address\": \"127.0.0.4\", \"host\": \"web.hosts.test\", \"state\": \"drained\","
	"   \"reason\": \"\", \"rtt_ms\": 1.5, \"interval_ms\": 750, \"changed_at\": null, \"drained\": true,"
	"   \"drained_until\": \"2026-11-28T21:00:00.000Z\"}]}],"
	" \"generation\": 3, \"generated_at\": \"2026-11-28T20:00:00.000Z\"}";

static const char pools_doc[] =
	"{\"pools\": ["
	"  {\"name\": \"www.example.test\", \"policy\": \"failover\", \"ttl\": 5, \"answers\": 1, \"all_down\": false,"
	"   \"all_down_mode\": \"serve-all\", \"answer\": [\"127.0.0.2\"], \"members\": 3},"
	"  {\"name\": \"rr.example.test\", \"policy\": \"round-robin\", \"ttl\": 30, \"answers\": 2, \"all_down\": false,"
	"   \"all_down_mode\": \"serve-all\", \"answer\": [\"127.0.0.2\", \"127.0.0.3\"], \"members\": 3},"
	"  {\"name\": \"sf.example.test\", \"policy\": \"failover\", \"ttl\": 5, \"answers\": 1, \"all_down\": true,"
	"   \"all_down_mode\": \"servfail\", \"answer\": [], \"members\": 1}]}";

static const char master_doc[] =
	"{\"master\": \"ns1\", \"term\": 7, \"since\": \"2026-11-28T19:59:00.000Z\", \"lease_expires\": null,"
	" \"seq\": 42, \"stale\": false, \"node\": \"ns2\", \"role\": \"follower\", \"is_master\": false, \"clustered\": true}";

static const char nodes_doc[] =
	"{\"nodes\": ["
	"  {\"name\": \"ns1\", \"address\": \"127.0.0.11@7353\", \"priority\": 100, \"role\": \"master\", \"term\": 7,"
	"   \"heartbeat_age_ms\": 95, \"reachable\": true, \"self\": false, \"config_match\": true, \"suspect_vantage\": false},"
	"  {\"name\": \"ns2\", \"address\": \"127.0.0.12@7353\", \"priority\": 50, \"role\": \"follower\", \"term\": 7,"
	"   \"heartbeat_age_ms\": null, \"reachable\": true, \"self\": true, \"config_match\": true, \"suspect_vantage\": false},"
	"  {\"name\": \"ns3\", \"address\": \"127.0.0.13@7353\", \"priority\": 10, \"role\": \"unknown\", \"term\": 6,"
	"   \"heartbeat_age_ms\": 5000, \"reachable\": false, \"self\": false, \"config_match\": false, \"suspect_vantage\": false}],"
	" \"dropped\": {\"bad_hmac\": 3, \"replay\": 0}, \"elections\": 2}";

typedef void (*print_fn)(const lns_ctl_print_t *, json_t *);

static char *print_doc(print_fn fn, const char *text)
{
	capture_t c;
	cap_open(&c);
	lns_ctl_print_t p = { .out = c.f, .now_ms = NOW };
	json_t *doc = parse(text);
	fn(&p, doc);
	json_decref(doc);
	return (char *)cap_close(&c);
}

static void test_print_health(void)
{
	char *s = print_doc(lns_ctl_print_health, health_doc);
	CU_ASSERT(lns_test_contains(s, "POOL              MEMBER  ADDRESS                     STATE        RTT  INTERVAL  CHANGED    REASON\n"));
	CU_ASSERT(lns_test_contains(s, "www.example.test  a       127.0.0.2                   up       0.21 ms    750 ms  5.0 s ago  HTTP 200\n"));
	CU_ASSERT(lns_test_contains(s, "0.21 ms"));
	CU_ASSERT(lns_test_contains(s, "5.0 s ago"));
	CU_ASSERT(lns_test_contains(s, "down"));
	CU_ASSERT(lns_test_contains(s, "2 min ago  connect refused"));
	CU_ASSERT(lns_test_contains(s, "web.hosts.test (127.0.0.4)"));
	CU_ASSERT(lns_test_contains(s, "drained until 2026-11-28T21:00:00.000Z"));
	CU_ASSERT(!lns_test_contains(s, " \n"));
	free(s);
}

static void test_print_pools(void)
{
	char *s = print_doc(lns_ctl_print_pools, pools_doc);
	CU_ASSERT_STRING_EQUAL(s, "POOL              POLICY       TTL  MEMBERS  ANSWER\n"
				  "www.example.test  failover       5        3  127.0.0.2\n"
				  "rr.example.test   round-robin   30        3  127.0.0.2, 127.0.0.3\n"
				  "sf.example.test   failover       5        1  nothing (all down: servfail)\n");
	free(s);
}

static void test_print_master_nodes(void)
{
	char *s = print_doc(lns_ctl_print_master, master_doc);
	CU_ASSERT(lns_test_contains(s, "master:         ns1\n"));
	CU_ASSERT(lns_test_contains(s, "term:           7\n"));
	CU_ASSERT(lns_test_contains(s, "since:          1 min ago\n"));
	CU_ASSERT(lns_test_contains(s, "stale:          no\n"));
	CU_ASSERT(lns_test_contains(s, "this node:      ns2 (follower)\n"));
	free(s);
	s = print_doc(lns_ctl_print_nodes, nodes_doc);
	CU_ASSERT(lns_test_contains(s, "NODE  ADDRESS          ROLE      PRIORITY  TERM  HEARTBEAT  NOTES\n"));
	CU_ASSERT(lns_test_contains(s, "ns1   127.0.0.11@7353  master         100     7      95 ms\n"));
	CU_ASSERT(lns_test_contains(s, "ns2   127.0.0.12@7353  follower        50     7          -  self\n"));
	CU_ASSERT(lns_test_contains(s, "unreachable, config differs\n"));
	CU_ASSERT(lns_test_contains(s, "elections: 2\n"));
	CU_ASSERT(lns_test_contains(s, "dropped messages: bad_hmac 3\n"));
	free(s);
	s = print_doc(lns_ctl_print_nodes, "{\"nodes\": [], \"dropped\": {}, \"elections\": 0}");
	CU_ASSERT(lns_test_contains(s, "no cluster"));
	CU_ASSERT(lns_test_contains(s, "dropped messages: none"));
	free(s);
}

static void test_print_status(void)
{
	capture_t c;
	cap_open(&c);
	lns_ctl_print_t p = { .out = c.f, .now_ms = NOW };
	json_t *m = parse(master_doc), *n = parse(nodes_doc), *pl = parse(pools_doc), *h = parse(health_doc);
	lns_ctl_print_status(&p, m, n, pl, h);
	char *s = (char *)cap_close(&c);
	CU_ASSERT(lns_test_contains(s, "master:  ns1, term 7\n"));
	CU_ASSERT(lns_test_contains(s, "node:    ns2 (follower)\n"));
	CU_ASSERT(lns_test_contains(s, "  ns1  master    heartbeat 95 ms ago\n"));
	CU_ASSERT(lns_test_contains(s, "  ns3  unknown   heartbeat 5.0 s ago, unreachable, config differs\n"));
	CU_ASSERT(lns_test_contains(s, "  www.example.test  failover     127.0.0.2\n"));
	CU_ASSERT(lns_test_contains(s, "  sf.example.test   failover     nothing (all down: servfail)\n"));
	CU_ASSERT(lns_test_contains(s, "members: 1 down, 1 drained of 3\n"));
	CU_ASSERT(lns_test_contains(s, "  www.example.test/b  down     connect refused"));
	CU_ASSERT(!lns_test_contains(s, "www.example.test/a"));
	free(s);

	/* every member up, no cluster */
	cap_open(&c);
	p.out = c.f;
	json_t *up = parse("{\"pools\": [{\"name\": \"x.test\", \"members\": [{\"name\": \"a\", \"state\": \"up\"}]}]}");
	json_t *solo = parse("{\"nodes\": [{\"name\": \"ns1\", \"self\": true, \"role\": \"master\"}]}");
	json_t *m1 = parse("{\"master\": \"ns1\", \"term\": 1, \"node\": \"ns1\", \"role\": \"master\", \"clustered\": false}");
	lns_ctl_print_status(&p, m1, solo, pl, up);
	s = (char *)cap_close(&c);
	CU_ASSERT(lns_test_contains(s, "node:    ns1 (master, no cluster)\n"));
	CU_ASSERT(!lns_test_contains(s, "nodes:"));
	CU_ASSERT(lns_test_contains(s, "members: all members up (1)\n"));
	free(s);
	json_decref(m), json_decref(n), json_decref(pl), json_decref(h);
	json_decref(up), json_decref(solo), json_decref(m1);
}

static void test_print_events(void)
{
	static const char doc[] =
		"{\"time\": \"2026-11-28T20:00:00.000Z\", \"next\": 9, \"events\": ["
		" {\"seq\": 5, \"time\": \"2026-11-28T19:59:01.000Z\", \"kind\": \"member\", \"pool\": \"www.example.test\","
		"  \"member\": \"a\", \"from\": \"up\", \"to\": \"down\", \"reason\": \"connect refused\"},"
		" {\"seq\": 6, \"time\": \"2026-11-28T19:59:02.000Z\", \"kind\": \"master\", \"master\": \"ns2\", \"term\": 4},"
		" {\"seq\": 7, \"time\": \"2026-11-28T19:59:03.000Z\", \"kind\": \"master\", \"master\": null, \"term\": 5},"
		" {\"seq\": 8, \"time\": \"2026-11-28T19:59:04.000Z\", \"kind\": \"reload\", \"ok\": false,"
		"  \"message\": \"x.conf:3: bad\"},"
		" {\"seq\": 9, \"time\": \"2026-11-28T19:59:05.000Z\", \"kind\": \"drain\", \"pool\": \"p\", \"member\": \"m\","
		"  \"drained\": true},"
		" {\"seq\": 10, \"time\": \"2026-11-28T19:59:06.000Z\", \"kind\": \"future\", \"x\": 1}]}";
	capture_t c;
	cap_open(&c);
	lns_ctl_print_t p = { .out = c.f, .now_ms = NOW };
	json_t *d = parse(doc);
	lns_ctl_print_events(&p, d, true);
	char *s = (char *)cap_close(&c);
	CU_ASSERT(lns_test_contains(s, "SEQ  TIME                      KIND    EVENT\n"));
	CU_ASSERT(lns_test_contains(s, "  5  2026-11-28T19:59:01.000Z  member  www.example.test/a up -> down (connect refused)\n"));
	CU_ASSERT(lns_test_contains(s, "master ns2, term 4\n"));
	CU_ASSERT(lns_test_contains(s, "no master, term 5\n"));
	CU_ASSERT(lns_test_contains(s, "refused: x.conf:3: bad\n"));
	CU_ASSERT(lns_test_contains(s, "p/m drained\n"));
	CU_ASSERT(lns_test_contains(s, "\"kind\":\"future\""));
	free(s);
	cap_open(&c);
	p.out = c.f;
	lns_ctl_print_events(&p, d, false);
	s = (char *)cap_close(&c);
	CU_ASSERT(lns_test_contains(s, "6  2026-11-28T19:59:02.000Z  master  master ns2, term 4\n"));
	CU_ASSERT(!lns_test_contains(s, "SEQ"));
	free(s);
	json_decref(d);
}

static void test_print_stats(void)
{
	static const char doc[] =
		"{\"time\": \"2026-11-28T20:00:00.000Z\", \"uptime_s\": 3700, \"generation\": 2,"
		" \"reloads\": {\"ok\": 2, \"failed\": 1},"
		" \"queries\": {\"total\": 120, \"by_rcode\": {\"NOERROR\": 100, \"SERVFAIL\": 0, \"NXDOMAIN\": 20},"
		"  \"by_type\": {\"A\": 90, \"AAAA\": 30}, \"udp\": 110, \"tcp\": 10, \"dropped\": 1},"
		" \"pools\": {\"www.example.test\": {\"answers\": 80}},"
		" \"probes\": {\"sent\": 500, \"failed\": 12},"
		" \"cluster\": {\"elections\": 1, \"term\": 3, \"master\": \"ns1\", \"heartbeats_sent\": 40,"
		"  \"heartbeats_missed\": 2, \"dropped\": {\"bad_hmac\": 4}}}";
	char *s = print_doc(lns_ctl_print_stats, doc);
	CU_ASSERT(lns_test_contains(s, "uptime:     1 h (generation 2)\n"));
	CU_ASSERT(lns_test_contains(s, "reloads:    2 ok, 1 refused\n"));
	CU_ASSERT(lns_test_contains(s, "queries:    120 (udp 110, tcp 10, dropped 1)\n"));
	CU_ASSERT(lns_test_contains(s, "probes:     500 sent, 12 failed\n"));
	CU_ASSERT(lns_test_contains(s, "cluster:    master ns1, term 3, elections 1\n"));
	CU_ASSERT(lns_test_contains(s, "heartbeats: 40 sent, 2 missed\n"));
	CU_ASSERT(lns_test_contains(s, "dropped:    bad_hmac 4\n"));
	CU_ASSERT(lns_test_contains(s, "RCODE     QUERIES\nNOERROR       100\nNXDOMAIN       20\n"));
	CU_ASSERT(lns_test_contains(s, "TYPE  QUERIES\nA          90\nAAAA       30\n"));
	CU_ASSERT(lns_test_contains(s, "POOL              ANSWERS\nwww.example.test       80\n"));
	CU_ASSERT(!lns_test_contains(s, "SERVFAIL"));
	free(s);
	s = print_doc(lns_ctl_print_stats, "{\"cluster\": {\"clustered\": false, \"term\": 1}}");
	CU_ASSERT(lns_test_contains(s, "cluster:    none (this node is its own master)\n"));
	CU_ASSERT(!lns_test_contains(s, "heartbeats"));
	free(s);
}

static void test_print_writes(void)
{
	char *s = print_doc(lns_ctl_print_drain,
		"{\"pool\": \"www.example.test\", \"member\": \"a\", \"drained\": true, \"until\": \"2026-11-28T21:00:00.000Z\"}");
	CU_ASSERT_STRING_EQUAL(s, "www.example.test/a drained until 2026-11-28T21:00:00.000Z\n");
	free(s);
	s = print_doc(lns_ctl_print_drain, "{\"pool\": \"www.example.test\", \"member\": \"a\", \"drained\": false, \"until\": null}");
	CU_ASSERT_STRING_EQUAL(s, "www.example.test/a undrained\n");
	free(s);
	s = print_doc(lns_ctl_print_election, "{\"master\": \"ns1\", \"term\": 7}");
	CU_ASSERT_STRING_EQUAL(s, "master ns1, term 7\n");
	free(s);
	s = print_doc(lns_ctl_print_reload, "{\"reloaded\": true, \"generation\": 4, \"zones\": 2, \"pools\": 8}");
	CU_ASSERT_STRING_EQUAL(s, "reloaded: generation 4, 2 zones, 8 pools\n");
	free(s);
}

/* Documents that are empty, missing fields, or hold the wrong types: every
 * printer shows "-" or nothing, and does not crash (ASan watches). */
static void test_print_odd_documents(void)
{
	static const char *const docs[] = {
		"{}",
		"[]",
		"{\"pools\": 5, \"nodes\": \"x\", \"events\": {}, \"queries\": [], \"cluster\": 1}",
		"{\"pools\": [1, null, {\"members\": [2, {\"name\": 3, \"state\": [], \"rtt_ms\": \"x\"}]}]}",
		"{\"pools\": {\"a\": 1, \"b\": {\"answers\": \"x\"}}, \"queries\": {\"by_rcode\": {\"X\": \"y\"}}}",
		"{\"nodes\": [{\"name\": null, \"heartbeat_age_ms\": -5}], \"dropped\": []}",
		"{\"events\": [{}, {\"kind\": 5}, {\"kind\": \"member\"}, 7]}",
		"{\"master\": 5, \"term\": \"7\", \"since\": \"not a time\", \"stale\": \"yes\"}",
		"{\"pool\": \"\\u001b[2J\", \"member\": \"m\\n\", \"drained\": true, \"until\": 5}",
	};
	static const print_fn fns[] = {
		lns_ctl_print_health, lns_ctl_print_pools, lns_ctl_print_master, lns_ctl_print_nodes,
		lns_ctl_print_stats, lns_ctl_print_drain, lns_ctl_print_election, lns_ctl_print_reload,
	};
	for (size_t i = 0; i < N_ELEMS(docs); i++) {
		for (size_t f = 0; f < N_ELEMS(fns); f++) {
			char *s = print_doc(fns[f], docs[i]);
			T_CHECK(s && !strchr(s, '\x1b'), "doc %zu printer %zu: an escape reached the output", i, f);
			free(s);
		}
		capture_t c;
		cap_open(&c);
		lns_ctl_print_t p = { .out = c.f, .now_ms = NOW };
		json_t *d = parse(docs[i]);
		lns_ctl_print_events(&p, d, true);
		lns_ctl_print_events(&p, d, false);
		lns_ctl_print_status(&p, d, d, d, d);
		lns_ctl_print_status(&p, NULL, NULL, NULL, NULL);
		json_decref(d);
		char *s = (char *)cap_close(&c);
		T_CHECK(!strchr(s, '\x1b'), "doc %zu: an escape reached the output", i);
		free(s);
	}
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	CU_pSuite s = CU_add_suite("ctl: tables", NULL, NULL);
	CU_add_test(s, "columns aligned, right-aligned numbers, no trailing blanks", test_table_align);
	CU_add_test(s, "UTF-8 widths, control characters cleaned", test_table_utf8_and_controls);
	CU_add_test(s, "no header, indented", test_table_no_header);
	CU_add_test(s, "a thousand rows", test_table_many_rows);
	s = CU_add_suite("ctl: text", NULL, NULL);
	LNS_TEST_ADD_ROWS(s, "clean: ", clean_rows, run_clean);
	LNS_TEST_ADD_ROWS(s, "time: ", time_rows, run_time);
	LNS_TEST_ADD_ROWS(s, "duration: ", duration_rows, run_duration);
	CU_add_test(s, "ages and rendered times", test_age_and_render);
	s = CU_add_suite("ctl: documents", NULL, NULL);
	CU_add_test(s, "health", test_print_health);
	CU_add_test(s, "pools", test_print_pools);
	CU_add_test(s, "master and nodes", test_print_master_nodes);
	CU_add_test(s, "status", test_print_status);
	CU_add_test(s, "events", test_print_events);
	CU_add_test(s, "stats", test_print_stats);
	CU_add_test(s, "answers to writes", test_print_writes);
	CU_add_test(s, "odd documents", test_print_odd_documents);
	return lns_test_run();
}
