/*
 * Unit tests for web/: routing (table), RFC 3339 times and UTF-8 clean-up
 * (tables), the JSON documents rendered from views built by hand and parsed
 * back with jansson, and the endpoint itself on 127.0.0.1 fetched with
 * libcurl while answer and status views are published.
 */
#include "config.h"

#include "core/config.h"
#include "core/events.h"
#include "core/policy.h"
#include "core/util.h"
#include "core/view.h"
#include "tests/unit/helper.h"
#include "web/web.h"
#include "web/web_int.h"

#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ======================================================================
 * routing (table)
 * ====================================================================== */

static const struct route_row {
	const char *name;
	const char *method;
	const char *path;
	bool body;
	int status;
	enum lns_web_endpoint endpoint;
	const char *allow;
} route_rows[] = {
	{ "GET health", "GET", "/api/v1/health", false, 200, LNS_WEB_EP_HEALTH, NULL },
	{ "HEAD health", "HEAD", "/api/v1/health", false, 200, LNS_WEB_EP_HEALTH, NULL },
	{ "GET pools", "GET", "/api/v1/pools", false, 200, LNS_WEB_EP_POOLS, NULL },
	{ "HEAD pools", "HEAD", "/api/v1/pools", false, 200, LNS_WEB_EP_POOLS, NULL },
	{ "POST health is 405", "POST", "/api/v1/health", false, 405, LNS_WEB_EP_NONE, "GET, HEAD" },
	{ "POST health with a body is 405", "POST", "/api/v1/health", true, 405, LNS_WEB_EP_NONE, "GET, HEAD" },
	{ "DELETE pools is 405", "DELETE", "/api/v1/pools", false, 405, LNS_WEB_EP_NONE, "GET, HEAD" },
	{ "OPTIONS pools is 405", "OPTIONS", "/api/v1/pools", false, 405, LNS_WEB_EP_NONE, "GET, HEAD" },
	{ "methods are case-sensitive", "get", "/api/v1/health", false, 405, LNS_WEB_EP_NONE, "GET, HEAD" },
	{ "GET with a body is 400", "GET", "/api/v1/health", true, 400, LNS_WEB_EP_NONE, NULL },
	{ "HEAD with a body is 400", "HEAD", "/api/v1/pools", true, 400, LNS_WEB_EP_NONE, NULL },
	{ "unknown path", "GET", "/api/v1/nope", false, 404, LNS_WEB_EP_NONE, NULL },
	{ "unknown path and method", "BREW", "/coffee", true, 404, LNS_WEB_EP_NONE, NULL },
	{ "root", "GET", "/", false, 404, LNS_WEB_EP_NONE, NULL },
	{ "empty path", "GET", "", false, 404, LNS_WEB_EP_NONE, NULL },
	{ "trailing slash", "GET", "/api/v1/health/", false, 404, LNS_WEB_EP_NONE, NULL },
	{ "prefix only", "GET", "/api/v1/heal", false, 404, LNS_WEB_EP_NONE, NULL },
	{ "longer path", "GET", "/api/v1/healthz", false, 404, LNS_WEB_EP_NONE, NULL },
	{ "other version", "GET", "/api/v2/health", false, 404, LNS_WEB_EP_NONE, NULL },
	{ "case of the path", "GET", "/API/v1/health", false, 404, LNS_WEB_EP_NONE, NULL },
	{ "no path", "GET", NULL, false, 404, LNS_WEB_EP_NONE, NULL },
	{ "GET stats", "GET", "/api/v1/stats", false, 200, LNS_WEB_EP_STATS, NULL },
	{ "HEAD stats", "HEAD", "/api/v1/stats", false, 200, LNS_WEB_EP_STATS, NULL },
	{ "POST stats is 405", "POST", "/api/v1/stats", false, 405, LNS_WEB_EP_NONE, "GET, HEAD" },
	{ "GET events", "GET", "/api/v1/events", false, 200, LNS_WEB_EP_EVENTS, NULL },
	{ "DELETE events is 405", "DELETE", "/api/v1/events", false, 405, LNS_WEB_EP_NONE, "GET, HEAD" },
	{ "GET events with a body is 400", "GET", "/api/v1/events", true, 400, LNS_WEB_EP_NONE, NULL },
	{ "GET metrics", "GET", "/metrics", false, 200, LNS_WEB_EP_METRICS, NULL },
	{ "HEAD metrics", "HEAD", "/metrics", false, 200, LNS_WEB_EP_METRICS, NULL },
	{ "PUT metrics is 405", "PUT", "/metrics", false, 405, LNS_WEB_EP_NONE, "GET, HEAD" },
	{ "metrics under the API is unknown", "GET", "/api/v1/metrics", false, 404, LNS_WEB_EP_NONE, NULL },
	{ "metrics with a slash", "GET", "/metrics/", false, 404, LNS_WEB_EP_NONE, NULL },
	{ "POST reload", "POST", "/api/v1/reload", false, 200, LNS_WEB_EP_RELOAD, NULL },
	{ "POST reload with a body is 400", "POST", "/api/v1/reload", true, 400, LNS_WEB_EP_NONE, NULL },
	{ "GET reload is 405", "GET", "/api/v1/reload", false, 405, LNS_WEB_EP_NONE, "POST" },
	{ "POST election", "POST", "/api/v1/election", false, 200, LNS_WEB_EP_ELECTION, NULL },
	{ "GET election is 405", "GET", "/api/v1/election", false, 405, LNS_WEB_EP_NONE, "POST" },
	{ "GET master", "GET", "/api/v1/master", false, 200, LNS_WEB_EP_MASTER, NULL },
	{ "GET nodes", "GET", "/api/v1/nodes", false, 200, LNS_WEB_EP_NODES, NULL },
};

static void run_route_row(const void *table, size_t i)
{
	const struct route_row *r = &((const struct route_row *)table)[i];
	lns_web_route_t out;
	memset(&out, 0x5a, sizeof(out));
	lns_web_route(r->method, r->path, r->body, &out);
	T_CHECK(out.status == r->status, "%s: status %d, expected %d", r->name, out.status, r->status);
	T_CHECK(out.endpoint == r->endpoint, "%s: endpoint %d, expected %d", r->name, out.endpoint, r->endpoint);
	if (r->allow)
		T_CHECK(out.allow && strcmp(out.allow, r->allow) == 0, "%s: allow \"%s\"", r->name,
			out.allow ? out.allow : "(null)");
	else
		T_CHECK(out.allow == NULL, "%s: unexpected allow \"%s\"", r->name, out.allow);
	T_CHECK((out.error != NULL) == (r->status != 200), "%s: error \"%s\"", r->name, out.error ? out.error : "(null)");
}

/* ======================================================================
 * RFC 3339 times (table)
 * ====================================================================== */

static const struct time_row {
	const char *name;
	int64_t ms;
	size_t size;
	const char *text; /* NULL: refused */
} time_rows[] = {
	{ "the epoch", 0, LNS_WEB_TIME_MAX, "1970-01-01T00:00:00.000Z" },
	{ "with milliseconds", INT64_C(1795894801123), LNS_WEB_TIME_MAX, "2026-11-28T19:40:01.123Z" },
	{ "whole minute", INT64_C(1795894860000), LNS_WEB_TIME_MAX, "2026-11-28T19:41:00.000Z" },
	{ "leap day", INT64_C(951868799999), LNS_WEB_TIME_MAX, "2000-02-29T23:59:59.999Z" },
	{ "last of year 9999", INT64_C(253402300799999), LNS_WEB_TIME_MAX, "9999-12-31T23:59:59.999Z" },
	{ "year 10000", INT64_C(253402300800000), LNS_WEB_TIME_MAX, NULL },
	{ "negative", -1, LNS_WEB_TIME_MAX, NULL },
	{ "most negative", INT64_MIN, LNS_WEB_TIME_MAX, NULL },
	{ "largest", INT64_MAX, LNS_WEB_TIME_MAX, NULL },
	{ "buffer too small", 0, 24, NULL },
};

static void run_time_row(const void *table, size_t i)
{
	const struct time_row *r = &((const struct time_row *)table)[i];
	char buf[64];
	memset(buf, 'x', sizeof(buf));
	bool ok = lns_web_time_render(r->ms, buf, r->size);
	if (r->text) {
		T_CHECK(ok && strcmp(buf, r->text) == 0, "%s: \"%s\", expected \"%s\"", r->name, buf, r->text);
	} else {
		T_CHECK(!ok && buf[0] == '\0', "%s: accepted as \"%s\"", r->name, buf);
	}
}

/* ======================================================================
 * strings: UTF-8 kept, anything else replaced (table)
 * ====================================================================== */

#define FFFD "\xef\xbf\xbd"

static const struct string_row {
	const char *name;
	const char *in;
	size_t max;
	const char *out;
} string_rows[] = {
	{ "ascii", "www.example.test", SIZE_MAX, "www.example.test" },
	{ "empty", "", SIZE_MAX, "" },
	{ "json specials kept for jansson to escape", "a\"b\\c\n\t\x01", SIZE_MAX, "a\"b\\c\n\t\x01" },
	{ "two three four bytes", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", SIZE_MAX, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" },
	{ "lone 0xff", "a\xff" "b", SIZE_MAX, "a" FFFD "b" },
	{ "lone continuation", "\x80", SIZE_MAX, FFFD },
	{ "overlong slash", "\xc0\xaf", SIZE_MAX, FFFD FFFD },
	{ "overlong three bytes", "\xe0\x80\xaf", SIZE_MAX, FFFD FFFD FFFD },
	{ "surrogate", "\xed\xa0\x80", SIZE_MAX, FFFD FFFD FFFD },
	{ "past U+10FFFF", "\xf4\x90\x80\x80", SIZE_MAX, FFFD FFFD FFFD FFFD },
	{ "cut at the end", "ok\xe2\x82", SIZE_MAX, "ok" FFFD FFFD },
	{ "valid then invalid", "\xc3\xa9\xff", SIZE_MAX, "\xc3\xa9" FFFD },
	{ "bounded by max", "abcdef", 3, "abc" },
	{ "max cuts a sequence", "\xc3\xa9", 1, FFFD },
};

static void run_string_row(const void *table, size_t i)
{
	const struct string_row *r = &((const struct string_row *)table)[i];
	json_t *j = lns_web_string(r->in, r->max);
	T_CHECK(json_is_string(j), "%s: not a string", r->name);
	if (json_is_string(j))
		T_CHECK(json_string_length(j) == strlen(r->out) && memcmp(json_string_value(j), r->out, strlen(r->out)) == 0,
			"%s: got \"%s\"", r->name, json_string_value(j));
	/* and it dumps to a document that parses back to the same text */
	json_t *doc = json_pack("{s:O}", "s", j);
	char *text = lns_web_dump(doc, NULL);
	json_t *back = text ? json_loads(text, 0, NULL) : NULL;
	T_CHECK(back && json_equal(back, doc), "%s: does not survive a dump", r->name);
	json_decref(back);
	free(text);
	json_decref(doc);
	json_decref(j);
}

static void test_string_null(void)
{
	json_t *j = lns_web_string(NULL, SIZE_MAX);
	CU_ASSERT(json_is_null(j));
	json_decref(j);
}

/* ======================================================================
 * documents from a view built by hand
 * ====================================================================== */

#define NOW INT64_C(1795894801123) /* 2026-11-28T19:40:01.123Z */
#define ODD_NAME "we\"ird\\name\n\x01\xc3\xa9\xff"
#define ODD_NAME_CLEAN "we\"ird\\name\n\x01\xc3\xa9" FFFD

/* Two pools as plain structs, the way core/policy would leave them. */
struct fixture {
	lns_member_conf_t m0[4], m1[2];
	lns_addr_t fallback1[2];
	lns_pool_conf_t pools[2];
	lns_health_t h0[4], h1[2];
	uint16_t order0[4], order1[2];
	uint32_t weight0[4], weight1[2];
	lns_pool_state_t st[2];
	lns_pool_state_t *stp[2];
	lns_config_t cfg;
	lns_view_t view;
};

static void addr(lns_addr_t *a, const char *text)
{
	lns_err_t err;
	CU_ASSERT_FATAL(lns_addr_parse(text, 0, a, &err) == 0);
}

static void member(lns_member_conf_t *m, const char *name, const char *address)
{
	m->name = (char *)name;
	addr(&m->address, address);
	m->probe = m->address;
	m->priority = 100;
	m->weight = 1;
}

static void change(lns_health_t *h, int64_t at, uint8_t from, uint8_t to, const char *reason)
{
	lns_health_change_t *c = &h->history[h->n_history++ % LNS_HEALTH_HISTORY];
	c->at = at;
	c->from = from;
	c->to = to;
	snprintf(c->reason, sizeof(c->reason), "%s", reason);
}

static void fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));

	/* pool 0: failover; a up, b down, c (IPv6) up, d drained */
	lns_pool_conf_t *p = &f->pools[0];
	p->name = "www.example.test";
	p->policy = LNS_POLICY_FAILOVER;
	p->ttl = 5;
	p->answers = 1;
	p->all_down = LNS_ALL_DOWN_SERVE_ALL;
	p->probe.type = LNS_PROBE_HTTP;
	p->members = f->m0;
	p->n_members = 4;
	member(&f->m0[0], "a", "192.0.2.10");
	member(&f->m0[1], "b", "192.0.2.11");
	member(&f->m0[2], "c", "2001:db8::c");
	member(&f->m0[3], "d", "192.0.2.13");
	for (unsigned j = 0; j < 4; j++) {
		f->h0[j].load = -1;
		f->h0[j].interval_ms = 500;
		snprintf(f->h0[j].reason, sizeof(f->h0[j].reason), "ok");
	}
	f->h0[0].state = LNS_HEALTH_UP;
	f->h0[0].probed = true;
	f->h0[0].rtt_ms = 0.21;
	f->h0[0].changed_at = NOW;
	f->h0[0].probes = 12;
	f->h0[0].load = 87;
	change(&f->h0[0], NOW, LNS_HEALTH_UNKNOWN, LNS_HEALTH_UP, "ok");

	f->h0[1].state = LNS_HEALTH_DOWN;
	f->h0[1].probed = true;
	f->h0[1].changed_at = NOW - 1000;
	f->h0[1].probes = 40;
	f->h0[1].failures = 30;
	f->h0[1].interval_ms = 25;
	snprintf(f->h0[1].reason, sizeof(f->h0[1].reason), "connection refused");
	/* ten changes: the ring of eight wrapped; the oldest shown is the third */
	for (int k = 0; k < 10; k++)
		change(&f->h0[1], NOW - 10000 + k * 1000, k % 2 ? LNS_HEALTH_DOWN : LNS_HEALTH_UP,
			k % 2 ? LNS_HEALTH_UP : LNS_HEALTH_DOWN, k % 2 ? "ok" : "connection refused");

	f->h0[2].state = LNS_HEALTH_UP;
	f->h0[2].rtt_ms = 1234.5;

	f->h0[3].state = LNS_HEALTH_UP; /* drained wins */
	f->h0[3].drained = true;
	f->h0[3].drained_until = NOW + 60000;

	f->order0[0] = 0;
	f->order0[1] = 2;
	f->st[0].conf = p;
	f->st[0].health = f->h0;
	f->st[0].order = f->order0;
	f->st[0].weight = f->weight0;
	f->st[0].n_eligible = 2;

	/* pool 1: round-robin with an odd name, all down, fallback addresses */
	p = &f->pools[1];
	p->name = ODD_NAME;
	p->policy = LNS_POLICY_ROUND_ROBIN;
	p->ttl = 30;
	p->answers = 2;
	p->all_down = LNS_ALL_DOWN_FALLBACK;
	p->fallback = f->fallback1;
	p->n_fallback = 2;
	addr(&f->fallback1[0], "198.51.100.1");
	addr(&f->fallback1[1], "2001:db8::f");
	p->probe.type = LNS_PROBE_TCP;
	p->members = f->m1;
	p->n_members = 2;
	member(&f->m1[0], "x\x7f\xfe", "203.0.113.1");
	member(&f->m1[1], "y", "203.0.113.2");
	f->h1[0].load = f->h1[1].load = -1;
	f->h1[1].state = LNS_HEALTH_DOWN;
	f->h1[1].drained = true; /* drained, until undrained */
	snprintf(f->h1[1].reason, sizeof(f->h1[1].reason), "timeout 400 ms \xff");
	f->st[1].conf = p;
	f->st[1].health = f->h1;
	f->st[1].order = f->order1;
	f->st[1].weight = f->weight1;
	f->st[1].fallback = true;

	f->stp[0] = &f->st[0];
	f->stp[1] = &f->st[1];
	f->cfg.pools = f->pools;
	f->cfg.n_pools = 2;
	f->view.config = &f->cfg;
	f->view.pools = f->stp;
	f->view.generation = 7;
}

/* Renders with fn and parses the text back; checks the text's shape. */
static json_t *render_parse(char *(*fn)(const lns_view_t *, int64_t), const lns_view_t *v, char **text_out)
{
	char *text = fn(v, NOW);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	size_t n = strlen(text);
	CU_ASSERT(n > 2 && text[n - 1] == '\n' && text[n - 2] == '}');
	json_error_t jerr;
	json_t *doc = json_loads(text, 0, &jerr);
	T_CHECK(doc != NULL, "does not parse: %s: %s", jerr.text, text);
	CU_ASSERT_FATAL(doc != NULL);
	if (text_out)
		*text_out = text;
	else
		free(text);
	return doc;
}

static const char *sget(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static json_int_t iget(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" */
static bool is_rfc3339_ms(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
	if (!s || strlen(s) != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
			return false;
	return true;
}

static void test_health_document(void)
{
	struct fixture f;
	fixture_init(&f);
	char *text;
	json_t *doc = render_parse(lns_web_render_health, &f.view, &text);

	CU_ASSERT_STRING_EQUAL(sget(doc, "generated_at"), "2026-11-28T19:40:01.123Z");
	CU_ASSERT_EQUAL(iget(doc, "generation"), 7);
	json_t *pools = json_object_get(doc, "pools");
	CU_ASSERT_FATAL(json_array_size(pools) == 2);

	json_t *p = json_array_get(pools, 0);
	CU_ASSERT_STRING_EQUAL(sget(p, "name"), "www.example.test");
	CU_ASSERT_STRING_EQUAL(sget(p, "policy"), "failover");
	CU_ASSERT_STRING_EQUAL(sget(p, "probe"), "http");
	json_t *ms = json_object_get(p, "members");
	CU_ASSERT_FATAL(json_array_size(ms) == 4);

	json_t *a = json_array_get(ms, 0);
	CU_ASSERT_STRING_EQUAL(sget(a, "name"), "a");
	CU_ASSERT_STRING_EQUAL(sget(a, "address"), "192.0.2.10");
	CU_ASSERT_STRING_EQUAL(sget(a, "state"), "up");
	CU_ASSERT_STRING_EQUAL(sget(a, "reason"), "ok");
	CU_ASSERT(json_is_real(json_object_get(a, "rtt_ms")) && json_real_value(json_object_get(a, "rtt_ms")) == 0.21);
	T_CONTAINS("rtt without binary noise", text, "\"rtt_ms\":0.21,");
	T_CONTAINS("a big rtt keeps its decimal", text, "\"rtt_ms\":1234.5,");
	CU_ASSERT_EQUAL(iget(a, "interval_ms"), 500);
	CU_ASSERT_STRING_EQUAL(sget(a, "changed_at"), "2026-11-28T19:40:01.123Z");
	CU_ASSERT_EQUAL(iget(a, "probes"), 12);
	CU_ASSERT_EQUAL(iget(a, "failures"), 0);
	CU_ASSERT(json_is_false(json_object_get(a, "drained")));
	CU_ASSERT(json_is_null(json_object_get(a, "drained_until")));
	CU_ASSERT_EQUAL(iget(a, "load"), 87);
	json_t *hist = json_object_get(a, "history");
	CU_ASSERT_FATAL(json_array_size(hist) == 1);
	CU_ASSERT_STRING_EQUAL(sget(json_array_get(hist, 0), "from"), "unknown");
	CU_ASSERT_STRING_EQUAL(sget(json_array_get(hist, 0), "to"), "up");
	CU_ASSERT_STRING_EQUAL(sget(json_array_get(hist, 0), "at"), "2026-11-28T19:40:01.123Z");

	json_t *b = json_array_get(ms, 1);
	CU_ASSERT_STRING_EQUAL(sget(b, "state"), "down");
	CU_ASSERT_STRING_EQUAL(sget(b, "reason"), "connection refused");
	CU_ASSERT(json_is_null(json_object_get(b, "rtt_ms")));
	CU_ASSERT(json_is_null(json_object_get(b, "load")));
	CU_ASSERT_STRING_EQUAL(sget(b, "changed_at"), "2026-11-28T19:40:00.123Z");
	CU_ASSERT_EQUAL(iget(b, "failures"), 30);
	/* the ring wrapped: the last eight changes, oldest first */
	hist = json_object_get(b, "history");
	CU_ASSERT_FATAL(json_array_size(hist) == LNS_HEALTH_HISTORY);
	for (size_t k = 0; k < LNS_HEALTH_HISTORY; k++) {
		json_t *c = json_array_get(hist, k);
		char want[LNS_WEB_TIME_MAX];
		lns_web_time_render(NOW - 10000 + (int64_t)(k + 2) * 1000, want, sizeof(want));
		T_CHECK(sget(c, "at") && strcmp(sget(c, "at"), want) == 0, "history %zu at %s, expected %s", k,
			sget(c, "at"), want);
		T_CHECK(strcmp(sget(c, "to"), k % 2 ? "up" : "down") == 0, "history %zu to %s", k, sget(c, "to"));
		T_CHECK(strcmp(sget(c, "reason"), k % 2 ? "ok" : "connection refused") == 0, "history %zu", k);
	}

	json_t *c = json_array_get(ms, 2);
	CU_ASSERT_STRING_EQUAL(sget(c, "address"), "2001:db8::c");
	CU_ASSERT(json_is_null(json_object_get(c, "changed_at")));
	CU_ASSERT_EQUAL(json_array_size(json_object_get(c, "history")), 0);

	json_t *d = json_array_get(ms, 3);
	CU_ASSERT_STRING_EQUAL(sget(d, "state"), "drained");
	CU_ASSERT(json_is_true(json_object_get(d, "drained")));
	CU_ASSERT_STRING_EQUAL(sget(d, "drained_until"), "2026-11-28T19:41:01.123Z");

	/* pool 1: the odd names come back as given, invalid bytes replaced */
	p = json_array_get(pools, 1);
	CU_ASSERT_STRING_EQUAL(sget(p, "name"), ODD_NAME_CLEAN);
	CU_ASSERT_STRING_EQUAL(sget(p, "policy"), "round-robin");
	CU_ASSERT_STRING_EQUAL(sget(p, "probe"), "tcp");
	ms = json_object_get(p, "members");
	CU_ASSERT_FATAL(json_array_size(ms) == 2);
	json_t *x = json_array_get(ms, 0);
	CU_ASSERT_STRING_EQUAL(sget(x, "name"), "x\x7f" FFFD);
	CU_ASSERT_STRING_EQUAL(sget(x, "state"), "unknown");
	CU_ASSERT_STRING_EQUAL(sget(x, "reason"), "");
	CU_ASSERT(json_is_null(json_object_get(x, "changed_at")));
	CU_ASSERT(json_is_null(json_object_get(x, "rtt_ms")));
	json_t *y = json_array_get(ms, 1);
	CU_ASSERT_STRING_EQUAL(sget(y, "state"), "drained");
	CU_ASSERT(json_is_true(json_object_get(y, "drained")));
	CU_ASSERT(json_is_null(json_object_get(y, "drained_until")));
	CU_ASSERT_STRING_EQUAL(sget(y, "reason"), "timeout 400 ms " FFFD);

	/* every time in the document has the one shape */
	CU_ASSERT(is_rfc3339_ms(sget(doc, "generated_at")));
	size_t i;
	json_t *pool;
	json_array_foreach (pools, i, pool) {
		size_t j;
		json_t *m;
		json_array_foreach (json_object_get(pool, "members"), j, m) {
			json_t *t = json_object_get(m, "changed_at");
			T_CHECK(json_is_null(t) || is_rfc3339_ms(json_string_value(t)), "pool %zu member %zu changed_at", i, j);
		}
	}

	json_decref(doc);
	free(text);
}

static void test_pools_document(void)
{
	struct fixture f;
	fixture_init(&f);
	json_t *doc = render_parse(lns_web_render_pools, &f.view, NULL);
	CU_ASSERT_STRING_EQUAL(sget(doc, "generated_at"), "2026-11-28T19:40:01.123Z");
	json_t *pools = json_object_get(doc, "pools");
	CU_ASSERT_FATAL(json_array_size(pools) == 2);

	json_t *p = json_array_get(pools, 0);
	CU_ASSERT_STRING_EQUAL(sget(p, "name"), "www.example.test");
	CU_ASSERT_STRING_EQUAL(sget(p, "policy"), "failover");
	CU_ASSERT_EQUAL(iget(p, "ttl"), 5);
	CU_ASSERT_EQUAL(iget(p, "answers"), 1);
	CU_ASSERT(json_is_false(json_object_get(p, "all_down")));
	CU_ASSERT_STRING_EQUAL(sget(p, "all_down_mode"), "serve-all");
	CU_ASSERT_EQUAL(iget(p, "members"), 4);
	/* answers = 1 per query type: the first IPv4 and the first IPv6 member */
	json_t *want = json_pack("[ss]", "192.0.2.10", "2001:db8::c");
	CU_ASSERT(json_equal(json_object_get(p, "answer"), want));
	CU_ASSERT(json_equal(json_object_get(p, "eligible"), want));
	json_decref(want);
	CU_ASSERT(json_object_get(p, "fallback") == NULL);

	/* answers = 2 would take the next IPv4 member in order too */
	f.pools[0].answers = 2;
	f.order0[2] = 3;
	f.st[0].n_eligible = 3;
	json_t *doc2 = render_parse(lns_web_render_pools, &f.view, NULL);
	json_t *p2 = json_array_get(json_object_get(doc2, "pools"), 0);
	want = json_pack("[sss]", "192.0.2.10", "192.0.2.13", "2001:db8::c");
	CU_ASSERT(json_equal(json_object_get(p2, "answer"), want));
	json_decref(want);
	want = json_pack("[sss]", "192.0.2.10", "2001:db8::c", "192.0.2.13");
	CU_ASSERT(json_equal(json_object_get(p2, "eligible"), want));
	json_decref(want);
	json_decref(doc2);

	p = json_array_get(pools, 1);
	CU_ASSERT_STRING_EQUAL(sget(p, "name"), ODD_NAME_CLEAN);
	CU_ASSERT_STRING_EQUAL(sget(p, "policy"), "round-robin");
	CU_ASSERT(json_is_true(json_object_get(p, "all_down")));
	CU_ASSERT_STRING_EQUAL(sget(p, "all_down_mode"), "fallback");
	CU_ASSERT_EQUAL(json_array_size(json_object_get(p, "eligible")), 0);
	want = json_pack("[ss]", "198.51.100.1", "2001:db8::f");
	CU_ASSERT(json_equal(json_object_get(p, "answer"), want));
	CU_ASSERT(json_equal(json_object_get(p, "fallback"), want));
	json_decref(want);
	json_decref(doc);

	/* servfail and nodata answer nothing when all are down */
	f.pools[1].all_down = LNS_ALL_DOWN_SERVFAIL;
	doc = render_parse(lns_web_render_pools, &f.view, NULL);
	p = json_array_get(json_object_get(doc, "pools"), 1);
	CU_ASSERT_STRING_EQUAL(sget(p, "all_down_mode"), "servfail");
	CU_ASSERT_EQUAL(json_array_size(json_object_get(p, "answer")), 0);
	CU_ASSERT(json_object_get(p, "fallback") == NULL);
	json_decref(doc);
}

/* A view of a configuration without pools, and a pool without members. */
static void test_empty_documents(void)
{
	lns_config_t cfg;
	memset(&cfg, 0, sizeof(cfg));
	lns_view_t v;
	memset(&v, 0, sizeof(v));
	v.config = &cfg;
	json_t *doc = render_parse(lns_web_render_health, &v, NULL);
	CU_ASSERT(json_is_array(json_object_get(doc, "pools")) && json_array_size(json_object_get(doc, "pools")) == 0);
	json_decref(doc);

	lns_pool_conf_t pc;
	memset(&pc, 0, sizeof(pc));
	pc.name = "empty.example.test";
	pc.answers = 1;
	lns_pool_state_t st;
	memset(&st, 0, sizeof(st));
	st.conf = &pc;
	st.fallback = true;
	lns_pool_state_t *stp = &st;
	cfg.pools = &pc;
	cfg.n_pools = 1;
	v.pools = &stp;
	doc = render_parse(lns_web_render_pools, &v, NULL);
	json_t *p = json_array_get(json_object_get(doc, "pools"), 0);
	CU_ASSERT_EQUAL(iget(p, "members"), 0);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(p, "answer")), 0);
	json_decref(doc);
	doc = render_parse(lns_web_render_health, &v, NULL);
	p = json_array_get(json_object_get(doc, "pools"), 0);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(p, "members")), 0);
	json_decref(doc);
}

static void test_error_document(void)
{
	json_t *doc = lns_web_error_json("no \"such\" thing");
	size_t len = 0;
	char *text = lns_web_dump(doc, &len);
	CU_ASSERT_STRING_EQUAL(text, "{\"error\":\"no \\\"such\\\" thing\"}\n");
	CU_ASSERT_EQUAL(len, strlen(text));
	free(text);
	json_decref(doc);
	CU_ASSERT_PTR_NULL(lns_web_dump(NULL, &len));
	CU_ASSERT_PTR_NULL(lns_web_endpoint_json(LNS_WEB_EP_NONE, NULL, NOW));
}

/* ======================================================================
 * the endpoint on 127.0.0.1, fetched with libcurl
 * ====================================================================== */

struct fetch {
	long status;
	char *body;
	size_t len;
	char ctype[64];
	char allow[64];
	char cache[64];
	char www[64];
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct fetch *f = ud;
	f->body = lns_xrealloc(f->body, f->len + size * n + 1);
	memcpy(f->body + f->len, p, size * n);
	f->len += size * n;
	f->body[f->len] = '\0';
	return size * n;
}

static void header_value(const char *line, size_t n, const char *name, char *out, size_t size)
{
	size_t k = strlen(name);
	if (n <= k || strncasecmp(line, name, k) != 0)
		return;
	line += k, n -= k;
	while (n && *line == ' ')
		line++, n--;
	while (n && (line[n - 1] == '\r' || line[n - 1] == '\n'))
		n--;
	snprintf(out, size, "%.*s", (int)n, line);
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct fetch *f = ud;
	header_value(p, size * n, "Content-Type:", f->ctype, sizeof(f->ctype));
	header_value(p, size * n, "Allow:", f->allow, sizeof(f->allow));
	header_value(p, size * n, "Cache-Control:", f->cache, sizeof(f->cache));
	header_value(p, size * n, "WWW-Authenticate:", f->www, sizeof(f->www));
	return size * n;
}

/* method NULL: GET; body: sent with the request when not NULL; token:
 * sent as "Authorization: Bearer <token>" when not NULL. */
static bool fetch_auth(uint16_t port, const char *method, const char *path, const char *body, const char *token,
	struct fetch *f)
{
	char url[256], auth[256];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
	memset(f, 0, sizeof(*f));
	CURL *c = curl_easy_init();
	if (!c)
		return false;
	struct curl_slist *headers = NULL;
	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		headers = curl_slist_append(headers, auth);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, f);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	if (method && strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (method)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	CURLcode rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &f->status);
	else
		fprintf(stderr, "unit_web: %s %s: %s\n", method ? method : "GET", url, curl_easy_strerror(rc));
	curl_easy_cleanup(c);
	curl_slist_free_all(headers);
	return rc == CURLE_OK;
}

static bool fetch(uint16_t port, const char *method, const char *path, const char *body, struct fetch *f)
{
	return fetch_auth(port, method, path, body, NULL, f);
}

static json_t *fetch_json(uint16_t port, const char *path, long status)
{
	struct fetch f;
	if (!fetch(port, NULL, path, NULL, &f)) {
		CU_FAIL("fetch failed");
		return NULL;
	}
	T_CHECK(f.status == status, "GET %s: status %ld, expected %ld", path, f.status, status);
	T_CHECK(strcmp(f.ctype, "application/json") == 0, "GET %s: content type \"%s\"", path, f.ctype);
	T_CHECK(strcmp(f.cache, "no-store") == 0, "GET %s: cache control \"%s\"", path, f.cache);
	json_t *doc = f.body ? json_loads(f.body, 0, NULL) : NULL;
	T_CHECK(doc != NULL, "GET %s: not JSON: %s", path, f.body ? f.body : "(no body)");
	free(f.body);
	return doc;
}

static const char server_conf[] =
	"pools = ( { name = \"www.example.test\"; policy = \"failover\"; ttl = 5; answers = 1;\n"
	"  probe = { type = \"tcp\"; port = 80; };\n"
	"  members = ( { name = \"a\"; address = \"192.0.2.10\"; priority = 100; },\n"
	"              { name = \"b\"; address = \"192.0.2.11\"; priority = 50; } ); } );\n";

/* A view of a loaded configuration in which member b is drained and a up
 * (when a_up) or down. */
static lns_view_t *derive_view(const lns_view_t *base, bool a_up)
{
	const lns_pool_conf_t *pc = &base->config->pools[0];
	lns_health_t h[2];
	memset(h, 0, sizeof(h));
	h[0].load = h[1].load = -1;
	h[0].state = a_up ? LNS_HEALTH_UP : LNS_HEALTH_DOWN;
	h[0].changed_at = NOW;
	snprintf(h[0].reason, sizeof(h[0].reason), a_up ? "ok" : "connection refused");
	h[1].state = LNS_HEALTH_UP;
	h[1].drained = true;
	lns_pool_state_t **pools = lns_xcalloc(1, sizeof(*pools));
	pools[0] = lns_pool_state_build(pc, h, NULL, 0);
	return lns_view_derive(base, pools);
}

struct hammer {
	uint16_t port;
	unsigned ok;
};

static void *hammer_run(void *arg)
{
	struct hammer *hm = arg;
	for (int i = 0; i < 40; i++) {
		struct fetch f;
		if (fetch(hm->port, NULL, i % 2 ? "/api/v1/pools" : "/api/v1/health", NULL, &f) && f.status == 200) {
			json_t *doc = json_loads(f.body, 0, NULL);
			if (doc && json_array_size(json_object_get(doc, "pools")) == 1)
				hm->ok++;
			json_decref(doc);
		}
		free(f.body);
	}
	return NULL;
}

static void test_server(void)
{
	lns_err_t err;
	lns_addr_t any;
	addr(&any, "127.0.0.1@0");
	lns_web_t *web = NULL;
	int rc = lns_web_start(&any, NULL, &web, &err);
	T_CHECK(rc == 0, "lns_web_start: %s", err.msg);
	CU_ASSERT_FATAL(rc == 0 && web);
	uint16_t port = lns_web_port(web);
	CU_ASSERT_FATAL(port != 0);

	/* nothing published yet */
	json_t *doc = fetch_json(port, "/api/v1/health", 503);
	CU_ASSERT(doc && sget(doc, "error") != NULL);
	json_decref(doc);

	/* a second endpoint on the same port fails with the reason */
	lns_addr_t same = any;
	lns_addr_set_port(&same, port);
	lns_web_t *web2 = NULL;
	rc = lns_web_start(&same, NULL, &web2, &err);
	T_CHECK(rc < 0 && web2 == NULL, "second start on port %u: rc %d", port, rc);
	T_CONTAINS("busy port", err.msg, "http: cannot listen on 127.0.0.1@");

	char *dir = lns_test_mkdtemp();
	char *path = lns_test_write(dir, "web.conf", server_conf);
	lns_config_t *cfg = NULL;
	rc = lns_config_load(path, &cfg, &err);
	T_CHECK(rc == 0, "config: %s", err.msg);
	CU_ASSERT_FATAL(rc == 0);
	lns_view_t *base = lns_view_new(cfg, NULL);
	lns_view_publish(base);
	lns_view_publish(derive_view(base, true)); /* frees base */

	doc = fetch_json(port, "/api/v1/health", 200);
	json_t *ms = json_object_get(json_array_get(json_object_get(doc, "pools"), 0), "members");
	CU_ASSERT_FATAL(json_array_size(ms) == 2);
	CU_ASSERT_STRING_EQUAL(sget(json_array_get(ms, 0), "name"), "a");
	CU_ASSERT_STRING_EQUAL(sget(json_array_get(ms, 0), "state"), "up");
	CU_ASSERT_STRING_EQUAL(sget(json_array_get(ms, 0), "changed_at"), "2026-11-28T19:40:01.123Z");
	CU_ASSERT_STRING_EQUAL(sget(json_array_get(ms, 1), "state"), "drained");
	CU_ASSERT(is_rfc3339_ms(sget(doc, "generated_at")));
	json_decref(doc);

	doc = fetch_json(port, "/api/v1/pools", 200);
	json_t *p = json_array_get(json_object_get(doc, "pools"), 0);
	json_t *want = json_pack("[s]", "192.0.2.10");
	CU_ASSERT(json_equal(json_object_get(p, "answer"), want));
	json_decref(want);
	CU_ASSERT(json_is_false(json_object_get(p, "all_down")));
	json_decref(doc);

	/* A status view, newer than the answer view: /health shows it (a is
	 * down there), /pools still what DNS answers (a). */
	lns_view_publish_status(derive_view(lns_view_current_writer(), false));
	doc = fetch_json(port, "/api/v1/health", 200);
	ms = json_object_get(json_array_get(json_object_get(doc, "pools"), 0), "members");
	CU_ASSERT_STRING_EQUAL(sget(json_array_get(ms, 0), "state"), "down");
	CU_ASSERT_STRING_EQUAL(sget(json_array_get(ms, 0), "reason"), "connection refused");
	json_decref(doc);
	doc = fetch_json(port, "/api/v1/pools", 200);
	p = json_array_get(json_object_get(doc, "pools"), 0);
	want = json_pack("[s]", "192.0.2.10");
	CU_ASSERT(json_equal(json_object_get(p, "answer"), want));
	json_decref(want);
	json_decref(doc);
	lns_view_publish_status(NULL); /* /health falls back to the answer view */

	doc = fetch_json(port, "/api/v1/nope", 404);
	CU_ASSERT(doc && sget(doc, "error") && strcmp(sget(doc, "error"), "not found") == 0);
	json_decref(doc);
	doc = fetch_json(port, "/api/v1/pools?x=1", 200); /* the query string is not part of the path */
	json_decref(doc);

	struct fetch f;
	CU_ASSERT(fetch(port, "POST", "/api/v1/health", "{\"x\": 1}", &f));
	CU_ASSERT_EQUAL(f.status, 405);
	CU_ASSERT_STRING_EQUAL(f.allow, "GET, HEAD");
	CU_ASSERT_STRING_EQUAL(f.ctype, "application/json");
	T_CONTAINS("405 body", f.body, "\"error\":");
	free(f.body);
	CU_ASSERT(fetch(port, "DELETE", "/api/v1/pools", NULL, &f));
	CU_ASSERT_EQUAL(f.status, 405);
	free(f.body);
	CU_ASSERT(fetch(port, "GET", "/api/v1/health", "a body", &f));
	CU_ASSERT_EQUAL(f.status, 400);
	T_CONTAINS("400 body", f.body, "\"error\":");
	free(f.body);
	CU_ASSERT(fetch(port, "HEAD", "/api/v1/health", NULL, &f));
	CU_ASSERT_EQUAL(f.status, 200);
	CU_ASSERT_EQUAL(f.len, 0);
	CU_ASSERT_STRING_EQUAL(f.ctype, "application/json");
	free(f.body);

	/* new views published while another thread keeps asking */
	struct hammer hm = { .port = port, .ok = 0 };
	pthread_t t;
	CU_ASSERT_FATAL(pthread_create(&t, NULL, hammer_run, &hm) == 0);
	for (int i = 0; i < 100; i++) {
		lns_view_publish(derive_view(lns_view_current_writer(), i % 2));
		lns_view_publish_status(derive_view(lns_view_current_writer(), i % 3));
		usleep(1000);
	}
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(hm.ok, 40);

	lns_web_stop(web);
	lns_web_stop(NULL);

	/* The serving thread unregistered as it ended: grace periods after its
	 * exit do not visit it (ASan and valgrind would see its freed TLS). */
	web = NULL;
	rc = lns_web_start(&same, NULL, &web, &err); /* the port is free again */
	T_CHECK(rc == 0, "restart on port %u: %s", port, err.msg);
	if (web) {
		doc = fetch_json(port, "/api/v1/pools", 200);
		json_decref(doc);
		lns_web_stop(web);
	}
	lns_view_publish(derive_view(lns_view_current_writer(), false));
	lns_view_publish_status(NULL);
	lns_view_publish(NULL);

	unlink(path);
	free(path);
	lns_test_rmtree(dir);
	free(dir);
}

static void test_start_errors(void)
{
	lns_addr_t bad;
	memset(&bad, 0, sizeof(bad));
	bad.ss.ss_family = AF_UNIX;
	lns_web_t *web = (lns_web_t *)&bad;
	lns_err_t err;
	int rc = lns_web_start(&bad, NULL, &web, &err);
	CU_ASSERT(rc < 0);
	CU_ASSERT_PTR_NULL(web);
	T_CONTAINS("not IP", err.msg, "not an IP address");

	/* a port of this host's own nobody may bind (not root) or a foreign address */
	lns_addr_t foreign;
	addr(&foreign, "192.0.2.1@8053");
	rc = lns_web_start(&foreign, NULL, &web, &err);
	T_CHECK(rc < 0 && web == NULL, "listening on a foreign address: rc %d", rc);
	if (rc < 0)
		T_CONTAINS("foreign address", err.msg, "http: cannot listen on 192.0.2.1@8053: ");
	lns_web_stop(web);
}

static void test_server_ipv6(void)
{
	lns_addr_t a6;
	addr(&a6, "[::1]@0");
	lns_web_t *web = NULL;
	lns_err_t err;
	int rc = lns_web_start(&a6, NULL, &web, &err);
	if (rc != 0) {
		fprintf(stderr, "unit_web: no IPv6 loopback here (%s), skipped\n", err.msg);
		return;
	}
	char url[64];
	snprintf(url, sizeof(url), "http://[::1]:%u/api/v1/nope", lns_web_port(web));
	CURL *c = curl_easy_init();
	struct fetch f;
	memset(&f, 0, sizeof(f));
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &f);
	CU_ASSERT(curl_easy_perform(c) == CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &f.status);
	CU_ASSERT_EQUAL(f.status, 404);
	curl_easy_cleanup(c);
	free(f.body);
	lns_web_stop(web);
}

/* ====================================================================== */


/* ---- writes: token, member paths, drain bodies, RFC 3339 ---- */

static void test_authorize(void)
{
	const char *tok = "0123456789abcdef0123";
	T_CHECK(lns_web_authorize(NULL, "Bearer x") == 403, "no token configured: 403");
	T_CHECK(lns_web_authorize("", "Bearer x") == 403, "an empty token: 403");
	T_CHECK(lns_web_authorize(tok, NULL) == 401, "no header: 401");
	T_CHECK(lns_web_authorize(tok, "Basic abc") == 401, "another scheme: 401");
	T_CHECK(lns_web_authorize(tok, "Bearer 0123456789abcdef012") == 401, "a prefix of the token: 401");
	T_CHECK(lns_web_authorize(tok, "Bearer 0123456789abcdef01234") == 401, "the token and more: 401");
	T_CHECK(lns_web_authorize(tok, "Bearer 0123456789abcdef0124") == 401, "one byte off: 401");
	T_CHECK(lns_web_authorize(tok, "Bearer 0123456789abcdef0123") == 0, "the token: allowed");
}

static void test_member_path(void)
{
	char pool[64], member[64];
	const char *action;
	T_CHECK(lns_web_member_path("/api/v1/members/www.example.test/a/drain", pool, member, sizeof(pool), &action) &&
			strcmp(pool, "www.example.test") == 0 && strcmp(member, "a") == 0 && strcmp(action, "drain") == 0,
		"pool, member and action");
	T_CHECK(!lns_web_member_path("/api/v1/members/www/a", pool, member, sizeof(pool), &action), "no action");
	T_CHECK(!lns_web_member_path("/api/v1/members//a/drain", pool, member, sizeof(pool), &action), "empty pool");
	T_CHECK(!lns_web_member_path("/api/v1/members/p//drain", pool, member, sizeof(pool), &action), "empty member");
	T_CHECK(!lns_web_member_path("/api/v1/members/p/m/drain/x", pool, member, sizeof(pool), &action), "too deep");
	char longer[200];
	snprintf(longer, sizeof(longer), "/api/v1/members/%0100d/m/drain", 0);
	T_CHECK(!lns_web_member_path(longer, pool, member, sizeof(pool), &action), "a pool name too long for the buffer");
	lns_web_route_t r;
	lns_web_route("POST", "/api/v1/members/p/m/drain", true, &r);
	T_CHECK(r.status == 200 && r.endpoint == LNS_WEB_EP_DRAIN, "POST drain routes, with a body");
	lns_web_route("POST", "/api/v1/members/p/m/undrain", false, &r);
	T_CHECK(r.status == 200 && r.endpoint == LNS_WEB_EP_UNDRAIN, "POST undrain routes");
	lns_web_route("GET", "/api/v1/members/p/m/drain", false, &r);
	T_CHECK(r.status == 405 && r.allow && strcmp(r.allow, "POST") == 0, "GET on a write: 405, Allow: POST");
	lns_web_route("POST", "/api/v1/members/p/m/explode", false, &r);
	T_CHECK(r.status == 404, "an unknown action: 404");
}

static void test_time_parse(void)
{
	static const struct {
		const char *text;
		bool ok;
		int64_t ms;
	} rows[] = {
		{ "1970-01-01T00:00:00Z", true, 0 },
		{ "2026-11-28T19:40:01.123Z", true, 1795894801123 },
		{ "2026-11-28T19:40:01.5Z", true, 1795894801500 },
		{ "2026-11-28T20:40:01+01:00", true, 1795894801000 },
		{ "2026-11-28T18:40:01-01:00", true, 1795894801000 },
		{ "2026-11-28t19:40:01z", true, 1795894801000 },
		{ "2026-02-30T00:00:00Z", false, 0 },
		{ "2026-11-28 19:40:01Z", false, 0 },
		{ "2026-11-28T19:40:01", false, 0 },
		{ "2026-11-28T19:40:01.Z", false, 0 },
		{ "2026-13-01T00:00:00Z", false, 0 },
		{ "2026-11-28T24:00:00Z", false, 0 },
		{ "2026-11-28T19:40:01+1:00", false, 0 },
		{ "tomorrow", false, 0 },
		{ "", false, 0 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		int64_t ms = -1;
		bool ok = lns_web_time_parse(rows[i].text, &ms);
		T_CHECK(ok == rows[i].ok && (!ok || ms == rows[i].ms), "'%s': %s %lld", rows[i].text, ok ? "parsed" : "refused",
			(long long)ms);
	}
}

static void test_drain_body(void)
{
	char err[256];
	int64_t until = -1, now = 1795894801000;
	T_CHECK(lns_web_drain_body("", 0, now, &until, err, sizeof(err)) == 0 && until == 0, "no body: no end");
	const char *b = "{\"until\": \"2026-11-28T20:40:01Z\"}";
	T_CHECK(lns_web_drain_body(b, strlen(b), now, &until, err, sizeof(err)) == 0 && until == now + 3600000, "until");
	b = "{\"until\": null}";
	T_CHECK(lns_web_drain_body(b, strlen(b), now, &until, err, sizeof(err)) == 0 && until == 0, "until null: no end");
	b = "{\"until\": \"2026-11-28T18:00:00Z\"}";
	T_CHECK(lns_web_drain_body(b, strlen(b), now, &until, err, sizeof(err)) == 400 && strstr(err, "past"),
		"until in the past: 400");
	b = "{\"until\": 12}";
	T_CHECK(lns_web_drain_body(b, strlen(b), now, &until, err, sizeof(err)) == 400, "until not a string: 400");
	b = "{\"for\": \"1h\"}";
	T_CHECK(lns_web_drain_body(b, strlen(b), now, &until, err, sizeof(err)) == 400 && strstr(err, "unknown field"),
		"unknown field: 400");
	b = "[1, 2]";
	T_CHECK(lns_web_drain_body(b, strlen(b), now, &until, err, sizeof(err)) == 400, "not an object: 400");
	b = "{\"until\": ";
	T_CHECK(lns_web_drain_body(b, strlen(b), now, &until, err, sizeof(err)) == 400, "truncated JSON: 400");
}

/* ======================================================================
 * counters, events and metrics: documents from constructed data
 * ====================================================================== */

/* The fixture's two pools with answer counters and a cluster's state. */
struct counted {
	struct fixture f;
	lns_generation_t gen;
	lns_pool_hits_t hits[2];
	lns_cluster_status_t cluster;
	lns_stats_t stats;
};

static void counted_init(struct counted *c)
{
	memset(c, 0, sizeof(*c));
	fixture_init(&c->f);
	c->hits[0].n = 1234;
	c->hits[1].n = 5;
	c->gen.hits = c->hits;
	c->gen.config = &c->f.cfg;
	c->f.view.gen = &c->gen;
	c->f.view.cluster = &c->cluster;
	lns_cluster_status_t *cs = &c->cluster;
	cs->clustered = true;
	snprintf(cs->master, sizeof(cs->master), "ns\"2\\x");
	cs->term = 7;
	cs->elections = 3;
	cs->heartbeats_sent = 100;
	cs->heartbeats_received = 40;
	cs->heartbeats_missed = 2;
	cs->n_nodes = 2;
	snprintf(cs->nodes[0].name, sizeof(cs->nodes[0].name), "ns1");
	snprintf(cs->nodes[1].name, sizeof(cs->nodes[1].name), "ns\"2\\x");
	cs->nodes[0].reachable = true;
	cs->dropped[0].reason = "bad_mac";
	cs->dropped[0].count = 4;
	cs->dropped[1].reason = "replay";
	cs->dropped[1].count = 1;
	cs->n_dropped = 2;
	lns_stats_t *s = &c->stats;
	s->started_at = NOW - 90500;
	s->generation = 3;
	s->reloads = 2;
	s->reloads_failed = 1;
	s->queries.udp = 1000;
	s->queries.tcp = 20;
	s->queries.dropped = 3;
	s->queries.rcode[0] = 900;
	s->queries.rcode[3] = 100;
	s->queries.rcode[5] = 15;
	s->queries.rcode[9] = 2; /* NOTAUTH: listed because not 0 */
	s->queries.qtype[LNS_QT_A] = 700;
	s->queries.qtype[LNS_QT_AAAA] = 300;
	s->queries.qtype[LNS_QT_OTHER] = 17;
	s->queries.rrl_limited = 61;
	s->queries.rrl_dropped = 40;
	s->queries.rrl_slipped = 21;
	s->queries.rrl_evicted = 6;
	s->queries.tcp_full = 9;
	s->queries.tcp_refused_per_source = 8;
	s->queries.tcp_idle_closed = 7;
	s->queries.tcp_read_timeouts = 5;
	s->queries.tcp_query_cap = 4;
	s->probes_sent = 555;
	s->probes_failed = 55;
}

static void test_stats_document(void)
{
	struct counted c;
	counted_init(&c);
	json_t *doc = lns_web_stats_json(&c.f.view, &c.stats, NOW);
	char *text = lns_web_dump(doc, NULL);
	json_decref(doc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	doc = json_loads(text, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_STRING_EQUAL(sget(doc, "time"), "2026-11-28T19:40:01.123Z");
	CU_ASSERT_EQUAL(iget(doc, "uptime_s"), 90);
	CU_ASSERT_EQUAL(iget(doc, "generation"), 3);
	CU_ASSERT(is_rfc3339_ms(sget(doc, "started_at")));
	json_t *r = json_object_get(doc, "reloads");
	CU_ASSERT(iget(r, "ok") == 2 && iget(r, "failed") == 1);
	json_t *q = json_object_get(doc, "queries");
	CU_ASSERT_EQUAL(iget(q, "total"), 1020);
	CU_ASSERT_EQUAL(iget(q, "answered"), 1017);
	CU_ASSERT_EQUAL(iget(q, "udp"), 1000);
	CU_ASSERT_EQUAL(iget(q, "tcp"), 20);
	CU_ASSERT_EQUAL(iget(q, "dropped"), 3);
	json_t *rc = json_object_get(q, "by_rcode");
	CU_ASSERT_EQUAL(iget(rc, "NOERROR"), 900);
	CU_ASSERT_EQUAL(iget(rc, "NXDOMAIN"), 100);
	CU_ASSERT_EQUAL(iget(rc, "REFUSED"), 15);
	CU_ASSERT(json_is_integer(json_object_get(rc, "SERVFAIL")) && iget(rc, "SERVFAIL") == 0);
	CU_ASSERT_EQUAL(iget(rc, "NOTAUTH"), 2);
	CU_ASSERT_PTR_NULL(json_object_get(rc, "YXDOMAIN")); /* 0 and not among the usual six */
	CU_ASSERT_EQUAL(json_object_size(rc), 7);
	json_t *ty = json_object_get(q, "by_type");
	CU_ASSERT_EQUAL(json_object_size(ty), LNS_STATS_QTYPES);
	CU_ASSERT_EQUAL(iget(ty, "A"), 700);
	CU_ASSERT_EQUAL(iget(ty, "AAAA"), 300);
	CU_ASSERT_EQUAL(iget(ty, "other"), 17);
	CU_ASSERT(json_is_integer(json_object_get(ty, "MX")) && iget(ty, "MX") == 0);
	json_t *pools = json_object_get(doc, "pools");
	CU_ASSERT_EQUAL(json_object_size(pools), 2);
	CU_ASSERT_EQUAL(iget(json_object_get(pools, "www.example.test"), "answers"), 1234);
	CU_ASSERT_EQUAL(iget(json_object_get(pools, ODD_NAME_CLEAN), "answers"), 5);
	json_t *p = json_object_get(doc, "probes");
	CU_ASSERT(iget(p, "sent") == 555 && iget(p, "failed") == 55);
	/* the limits: the counters /metrics shows, under the same names */
	json_t *lim = json_object_get(doc, "limits");
	CU_ASSERT_FATAL(json_is_object(lim));
	CU_ASSERT_EQUAL(json_object_size(lim), 2);
	json_t *rrl = json_object_get(lim, "rrl"), *tcp = json_object_get(lim, "tcp");
	CU_ASSERT_EQUAL(json_object_size(rrl), 3);
	CU_ASSERT_EQUAL(iget(rrl, "dropped"), 40);
	CU_ASSERT_EQUAL(iget(rrl, "slipped"), 21);
	CU_ASSERT_EQUAL(iget(rrl, "evicted"), 6);
	CU_ASSERT_EQUAL(json_object_size(tcp), 5);
	CU_ASSERT_EQUAL(iget(tcp, "full"), 9);
	CU_ASSERT_EQUAL(iget(tcp, "per_source"), 8);
	CU_ASSERT_EQUAL(iget(tcp, "idle"), 7);
	CU_ASSERT_EQUAL(iget(tcp, "read_timeout"), 5);
	CU_ASSERT_EQUAL(iget(tcp, "max_queries"), 4);
	json_t *cl = json_object_get(doc, "cluster");
	CU_ASSERT(json_is_true(json_object_get(cl, "clustered")));
	CU_ASSERT_EQUAL(iget(cl, "elections"), 3);
	CU_ASSERT_EQUAL(iget(cl, "term"), 7);
	CU_ASSERT_STRING_EQUAL(sget(cl, "master"), "ns\"2\\x");
	CU_ASSERT_EQUAL(iget(cl, "heartbeats_sent"), 100);
	CU_ASSERT_EQUAL(iget(cl, "heartbeats_missed"), 2);
	CU_ASSERT_EQUAL(iget(json_object_get(cl, "dropped"), "bad_mac"), 4);
	CU_ASSERT_EQUAL(iget(json_object_get(cl, "dropped"), "replay"), 1);
	json_decref(doc);
	free(text);

	/* no counters, no cluster, no master: zeros and null */
	c.f.view.cluster = NULL;
	doc = lns_web_stats_json(&c.f.view, NULL, NOW);
	CU_ASSERT_EQUAL(iget(json_object_get(doc, "queries"), "total"), 0);
	CU_ASSERT_EQUAL(iget(json_object_get(json_object_get(doc, "limits"), "rrl"), "dropped"), 0);
	CU_ASSERT(json_is_integer(json_object_get(json_object_get(json_object_get(doc, "limits"), "tcp"), "max_queries")));
	CU_ASSERT_EQUAL(iget(doc, "uptime_s"), 0);
	CU_ASSERT(json_is_null(json_object_get(json_object_get(doc, "cluster"), "master")));
	CU_ASSERT(json_is_null(json_object_get(doc, "started_at")));
	json_decref(doc);
}

static const struct since_row {
	const char *name;
	const char *text;
	bool ok;
	uint64_t since;
} since_rows[] = {
	{ "absent", NULL, true, 0 },
	{ "zero", "0", true, 0 },
	{ "a number", "42", true, 42 },
	{ "the largest", "18446744073709551615", true, UINT64_MAX },
	{ "past the largest", "18446744073709551616", false, 0 },
	{ "too long", "000000000000000000001", false, 0 },
	{ "empty", "", false, 0 },
	{ "negative", "-1", false, 0 },
	{ "plus", "+1", false, 0 },
	{ "hex", "0x10", false, 0 },
	{ "trailing junk", "12abc", false, 0 },
	{ "space", " 1", false, 0 },
};

static void run_since_row(const void *table, size_t i)
{
	const struct since_row *r = &((const struct since_row *)table)[i];
	uint64_t since = 99;
	bool ok = lns_web_since_parse(r->text, &since);
	T_CHECK(ok == r->ok && (!ok || since == r->since), "%s: %s %llu", r->name, ok ? "parsed" : "refused",
		(unsigned long long)since);
}

static void add_member_event(lns_events_t *ev, unsigned k)
{
	lns_event_t e = { .kind = LNS_EVENT_MEMBER, .at = NOW + k, .from = LNS_HEALTH_UP, .to = LNS_HEALTH_DOWN };
	snprintf(e.pool, sizeof(e.pool), "www.example.test");
	snprintf(e.member, sizeof(e.member), "m%u", k);
	snprintf(e.text, sizeof(e.text), "timeout 400 ms");
	CU_ASSERT_EQUAL(lns_events_add(ev, &e), k);
}

static void test_events_ring(void)
{
	lns_events_t *ev = lns_events_new();
	lns_event_t *out = lns_xcalloc(LNS_EVENTS_KEPT, sizeof(*out));
	uint64_t next = 1, oldest = 1;
	CU_ASSERT_EQUAL(lns_events_read(ev, 0, out, LNS_EVENTS_KEPT, &next, &oldest), 0);
	CU_ASSERT(next == 0 && oldest == 0);
	for (unsigned k = 1; k <= 10; k++)
		add_member_event(ev, k);
	CU_ASSERT_EQUAL(lns_events_read(ev, 0, out, LNS_EVENTS_KEPT, &next, &oldest), 10);
	CU_ASSERT(next == 10 && oldest == 1 && out[0].seq == 1 && out[9].seq == 10);
	CU_ASSERT_EQUAL(lns_events_read(ev, 7, out, LNS_EVENTS_KEPT, &next, &oldest), 3);
	CU_ASSERT(out[0].seq == 8 && strcmp(out[0].member, "m8") == 0);
	CU_ASSERT_EQUAL(lns_events_read(ev, 10, out, LNS_EVENTS_KEPT, &next, NULL), 0);
	CU_ASSERT_EQUAL(lns_events_read(ev, 3, out, 2, &next, NULL), 2); /* max */
	CU_ASSERT(out[0].seq == 4 && out[1].seq == 5);
	/* a since from another run of the daemon (beyond the newest): all */
	CU_ASSERT_EQUAL(lns_events_read(ev, 500, out, LNS_EVENTS_KEPT, &next, NULL), 10);
	CU_ASSERT_EQUAL(lns_events_read(ev, UINT64_MAX, out, LNS_EVENTS_KEPT, &next, NULL), 10);
	/* the ring wraps: the last 256 are kept */
	for (unsigned k = 11; k <= 300; k++)
		add_member_event(ev, k);
	CU_ASSERT_EQUAL(lns_events_read(ev, 0, out, LNS_EVENTS_KEPT, &next, &oldest), LNS_EVENTS_KEPT);
	CU_ASSERT(next == 300 && oldest == 300 - LNS_EVENTS_KEPT + 1);
	CU_ASSERT(out[0].seq == oldest && out[LNS_EVENTS_KEPT - 1].seq == 300);
	CU_ASSERT_EQUAL(lns_events_read(ev, 10, out, LNS_EVENTS_KEPT, &next, NULL), LNS_EVENTS_KEPT);
	CU_ASSERT_EQUAL(lns_events_read(ev, 298, out, LNS_EVENTS_KEPT, &next, NULL), 2);
	/* strings longer than their fields are cut and terminated */
	lns_event_t e;
	memset(&e, 'x', sizeof(e));
	e.kind = LNS_EVENT_RELOAD;
	CU_ASSERT_EQUAL(lns_events_add(ev, &e), 301);
	CU_ASSERT_EQUAL(lns_events_read(ev, 300, out, LNS_EVENTS_KEPT, &next, NULL), 1);
	CU_ASSERT_EQUAL(strlen(out[0].text), sizeof(out[0].text) - 1);
	CU_ASSERT_EQUAL(strlen(out[0].pool), sizeof(out[0].pool) - 1);
	free(out);
	lns_events_free(ev);
	lns_events_free(NULL);
	CU_ASSERT_EQUAL(lns_events_add(NULL, &e), 0);
	CU_ASSERT_EQUAL(lns_events_read(NULL, 0, NULL, 0, &next, &oldest), 0);
}

static void test_events_document(void)
{
	lns_event_t ev[5];
	memset(ev, 0, sizeof(ev));
	ev[0] = (lns_event_t){ .seq = 11, .at = NOW, .kind = LNS_EVENT_MEMBER, .from = LNS_HEALTH_UP, .to = LNS_HEALTH_DOWN };
	snprintf(ev[0].pool, sizeof(ev[0].pool), "%s", ODD_NAME);
	snprintf(ev[0].member, sizeof(ev[0].member), "a");
	snprintf(ev[0].text, sizeof(ev[0].text), "connection refused");
	ev[1] = (lns_event_t){ .seq = 12, .at = NOW + 1, .kind = LNS_EVENT_MASTER, .term = 8 };
	snprintf(ev[1].master, sizeof(ev[1].master), "ns2");
	ev[2] = (lns_event_t){ .seq = 13, .at = NOW + 2, .kind = LNS_EVENT_MASTER, .term = 9 }; /* none known */
	ev[3] = (lns_event_t){ .seq = 14, .at = NOW + 3, .kind = LNS_EVENT_RELOAD, .ok = false };
	snprintf(ev[3].text, sizeof(ev[3].text), "reload refused: a.conf:3: bad \xff");
	ev[4] = (lns_event_t){ .seq = 15, .at = NOW + 4, .kind = LNS_EVENT_DRAIN, .ok = true };
	snprintf(ev[4].pool, sizeof(ev[4].pool), "www.example.test");
	snprintf(ev[4].member, sizeof(ev[4].member), "b");
	json_t *doc = lns_web_events_json(ev, 5, 15, 3, NOW);
	char *text = lns_web_dump(doc, NULL);
	json_decref(doc);
	doc = text ? json_loads(text, 0, NULL) : NULL;
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_STRING_EQUAL(sget(doc, "time"), "2026-11-28T19:40:01.123Z");
	CU_ASSERT_EQUAL(iget(doc, "next"), 15);
	CU_ASSERT_EQUAL(iget(doc, "oldest"), 3);
	json_t *arr = json_object_get(doc, "events");
	CU_ASSERT_FATAL(json_array_size(arr) == 5);
	json_t *e = json_array_get(arr, 0);
	CU_ASSERT_EQUAL(iget(e, "seq"), 11);
	CU_ASSERT_STRING_EQUAL(sget(e, "time"), "2026-11-28T19:40:01.123Z");
	CU_ASSERT_STRING_EQUAL(sget(e, "kind"), "member");
	CU_ASSERT_STRING_EQUAL(sget(e, "pool"), ODD_NAME_CLEAN);
	CU_ASSERT_STRING_EQUAL(sget(e, "member"), "a");
	CU_ASSERT_STRING_EQUAL(sget(e, "from"), "up");
	CU_ASSERT_STRING_EQUAL(sget(e, "to"), "down");
	CU_ASSERT_STRING_EQUAL(sget(e, "reason"), "connection refused");
	e = json_array_get(arr, 1);
	CU_ASSERT_STRING_EQUAL(sget(e, "kind"), "master");
	CU_ASSERT_STRING_EQUAL(sget(e, "master"), "ns2");
	CU_ASSERT_EQUAL(iget(e, "term"), 8);
	e = json_array_get(arr, 2);
	CU_ASSERT(json_is_null(json_object_get(e, "master")));
	CU_ASSERT_EQUAL(iget(e, "term"), 9);
	e = json_array_get(arr, 3);
	CU_ASSERT_STRING_EQUAL(sget(e, "kind"), "reload");
	CU_ASSERT(json_is_false(json_object_get(e, "ok")));
	CU_ASSERT_STRING_EQUAL(sget(e, "message"), "reload refused: a.conf:3: bad " FFFD);
	e = json_array_get(arr, 4);
	CU_ASSERT_STRING_EQUAL(sget(e, "kind"), "drain");
	CU_ASSERT_STRING_EQUAL(sget(e, "member"), "b");
	CU_ASSERT(json_is_true(json_object_get(e, "drained")));
	json_decref(doc);
	free(text);
	doc = lns_web_events_json(NULL, 0, 0, 0, NOW);
	CU_ASSERT(json_array_size(json_object_get(doc, "events")) == 0 && iget(doc, "next") == 0);
	json_decref(doc);
}

/* ---- metrics ---- */

/* The value of the sample line that starts with series ("name{labels}"
 * exactly), or -1 when there is none. */
static double metric(const char *text, const char *series)
{
	size_t n = strlen(series);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, series, n) == 0 && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	return -1;
}

/* Checks the text exposition's shape line by line: a family's HELP and
 * TYPE come before its samples, counters end in _total, label values
 * are quoted with only \\, \" and \n escapes, values are numbers. */
static void check_exposition(const char *text)
{
	char typed[128][96];
	size_t n_typed = 0;
	CU_ASSERT_FATAL(text && *text && text[strlen(text) - 1] == '\n');
	for (const char *line = text; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = (size_t)(end - line);
		char buf[1024];
		T_CHECK(len < sizeof(buf), "a line of %zu bytes", len);
		snprintf(buf, sizeof(buf), "%.*s", (int)len, line);
		line = end + 1;
		char name[96], type[32];
		if (sscanf(buf, "# TYPE %95s %31s", name, type) == 2) {
			T_CHECK(strcmp(type, "counter") == 0 || strcmp(type, "gauge") == 0, "%s: type %s", name, type);
			if (strcmp(type, "counter") == 0)
				T_CHECK(strlen(name) > 6 && strcmp(name + strlen(name) - 6, "_total") == 0, "counter %s", name);
			if (n_typed < 128)
				snprintf(typed[n_typed++], sizeof(typed[0]), "%s", name);
			continue;
		}
		if (strncmp(buf, "# HELP levelns_", 15) == 0)
			continue;
		size_t k = strspn(buf, "abcdefghijklmnopqrstuvwxyz_");
		T_CHECK(k > 8 && strncmp(buf, "levelns_", 8) == 0, "a sample without the prefix: %s", buf);
		snprintf(name, sizeof(name), "%.*s", (int)k, buf);
		bool declared = n_typed && strcmp(typed[n_typed - 1], name) == 0;
		T_CHECK(declared, "%s: no TYPE line just before its family", buf);
		const char *p = buf + k;
		if (*p == '{') {
			p++;
			while (*p && *p != '}') {
				size_t l = strspn(p, "abcdefghijklmnopqrstuvwxyz_");
				T_CHECK(l > 0 && p[l] == '=' && p[l + 1] == '"', "label syntax in %s", buf);
				if (!(l > 0 && p[l] == '=' && p[l + 1] == '"'))
					break;
				p += l + 2;
				while (*p && *p != '"') {
					if (*p == '\\') {
						T_CHECK(p[1] == '\\' || p[1] == '"' || p[1] == 'n', "escape in %s", buf);
						p++;
					}
					p++;
				}
				T_CHECK(*p == '"', "unterminated label in %s", buf);
				if (*p == '"')
					p++;
				if (*p == ',')
					p++;
			}
			T_CHECK(*p == '}', "labels end in %s", buf);
			if (*p == '}')
				p++;
		}
		T_CHECK(*p == ' ', "a space before the value in %s", buf);
		char *vend;
		strtod(p, &vend);
		T_CHECK(vend != p && *vend == '\0', "a number after the labels in %s", buf);
	}
}

/* promtool check metrics, when installed (Debian: prometheus). */
static void promtool_check(const char *text, size_t len)
{
	if (access("/usr/bin/promtool", X_OK) != 0) {
		fprintf(stderr, "unit_web: no /usr/bin/promtool, its check skipped\n");
		return;
	}
	char *path = lns_test_mkstemp("");
	FILE *fp = fopen(path, "w");
	CU_ASSERT_FATAL(fp != NULL);
	fwrite(text, 1, len, fp);
	fclose(fp);
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "/usr/bin/promtool check metrics <%s >%s.out 2>&1", path, path);
	int rc = system(cmd);
	snprintf(cmd, sizeof(cmd), "%s.out", path);
	FILE *out = fopen(cmd, "r");
	char msg[2048] = "";
	if (out) {
		size_t n = fread(msg, 1, sizeof(msg) - 1, out);
		msg[n] = '\0';
		fclose(out);
	}
	T_CHECK(rc == 0 && msg[0] == '\0', "promtool check metrics: status %d: %s", rc, msg);
	unlink(cmd);
	unlink(path);
	free(path);
}

static void test_metrics_render(void)
{
	struct counted c;
	counted_init(&c);
	size_t len = 0;
	char *text = lns_web_metrics_render(&c.f.view, &c.stats, NOW, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_EQUAL(len, strlen(text));
	check_exposition(text);
	promtool_check(text, len);

	CU_ASSERT_EQUAL(metric(text, "levelns_uptime_seconds"), 90.5);
	CU_ASSERT_EQUAL(metric(text, "levelns_config_generation"), 3);
	CU_ASSERT_EQUAL(metric(text, "levelns_reloads_total{result=\"ok\"}"), 2);
	CU_ASSERT_EQUAL(metric(text, "levelns_reloads_total{result=\"failed\"}"), 1);
	CU_ASSERT_EQUAL(metric(text, "levelns_views_published_total"), 7);
	CU_ASSERT_EQUAL(metric(text, "levelns_queries_total{proto=\"udp\"}"), 1000);
	CU_ASSERT_EQUAL(metric(text, "levelns_queries_total{proto=\"tcp\"}"), 20);
	CU_ASSERT_EQUAL(metric(text, "levelns_queries_dropped_total"), 3);
	CU_ASSERT_EQUAL(metric(text, "levelns_responses_total{rcode=\"NOERROR\"}"), 900);
	CU_ASSERT_EQUAL(metric(text, "levelns_responses_total{rcode=\"SERVFAIL\"}"), 0);
	CU_ASSERT_EQUAL(metric(text, "levelns_responses_total{rcode=\"NOTAUTH\"}"), 2);
	CU_ASSERT_EQUAL(metric(text, "levelns_responses_total{rcode=\"YXDOMAIN\"}"), -1);
	CU_ASSERT_EQUAL(metric(text, "levelns_responses_by_qtype_total{qtype=\"AAAA\"}"), 300);
	CU_ASSERT_EQUAL(metric(text, "levelns_responses_by_qtype_total{qtype=\"other\"}"), 17);
	CU_ASSERT_EQUAL(metric(text, "levelns_responses_by_qtype_total{qtype=\"MX\"}"), 0);
	CU_ASSERT_EQUAL(metric(text, "levelns_rrl_limited_total{action=\"dropped\"}"), 40);
	CU_ASSERT_EQUAL(metric(text, "levelns_rrl_evicted_total"), 6);
	CU_ASSERT_EQUAL(metric(text, "levelns_tcp_limit_total{limit=\"per_source\"}"), 8);
	CU_ASSERT_EQUAL(metric(text, "levelns_pool_answers_total{pool=\"www.example.test\"}"), 1234);
	/* the odd pool name: quote, backslash and newline escaped, bad bytes replaced */
	CU_ASSERT_EQUAL(metric(text, "levelns_pool_answers_total{pool=\"we\\\"ird\\\\name\\n\x01\xc3\xa9" FFFD "\"}"), 5);
	CU_ASSERT_EQUAL(metric(text, "levelns_pool_eligible_members{pool=\"www.example.test\"}"), 2);
	const char *a = "{pool=\"www.example.test\",member=\"a\"}";
	char series[256];
	snprintf(series, sizeof(series), "levelns_member_up%s", a);
	CU_ASSERT_EQUAL(metric(text, series), 1);
	CU_ASSERT_EQUAL(metric(text, "levelns_member_up{pool=\"www.example.test\",member=\"b\"}"), 0);
	CU_ASSERT_EQUAL(metric(text, "levelns_member_up{pool=\"www.example.test\",member=\"d\"}"), 0); /* drained */
	CU_ASSERT_EQUAL(metric(text, "levelns_member_state{pool=\"www.example.test\",member=\"a\",state=\"up\"}"), 1);
	CU_ASSERT_EQUAL(metric(text, "levelns_member_state{pool=\"www.example.test\",member=\"a\",state=\"down\"}"), 0);
	CU_ASSERT_EQUAL(metric(text, "levelns_member_state{pool=\"www.example.test\",member=\"b\",state=\"down\"}"), 1);
	CU_ASSERT_EQUAL(metric(text, "levelns_member_state{pool=\"www.example.test\",member=\"d\",state=\"drained\"}"), 1);
	CU_ASSERT_EQUAL(metric(text, "levelns_member_state{pool=\"www.example.test\",member=\"d\",state=\"up\"}"), 0);
	snprintf(series, sizeof(series), "levelns_member_rtt_seconds%s", a);
	CU_ASSERT_DOUBLE_EQUAL(metric(text, series), 0.00021, 1e-12);
	CU_ASSERT_EQUAL(metric(text, "levelns_member_rtt_seconds{pool=\"www.example.test\",member=\"b\"}"), -1);
	CU_ASSERT_EQUAL(metric(text, "levelns_member_probe_interval_seconds{pool=\"www.example.test\",member=\"b\"}"),
		0.025);
	CU_ASSERT_EQUAL(metric(text, "levelns_member_probes_total{pool=\"www.example.test\",member=\"b\"}"), 40);
	CU_ASSERT_EQUAL(metric(text, "levelns_member_probe_failures_total{pool=\"www.example.test\",member=\"b\"}"), 30);
	CU_ASSERT_EQUAL(metric(text, "levelns_member_state_changes_total{pool=\"www.example.test\",member=\"b\"}"), 10);
	CU_ASSERT_EQUAL(metric(text, "levelns_probes_total"), 555);
	CU_ASSERT_EQUAL(metric(text, "levelns_probes_failed_total"), 55);
	CU_ASSERT_EQUAL(metric(text, "levelns_cluster_elections_total"), 3);
	CU_ASSERT_EQUAL(metric(text, "levelns_cluster_term"), 7);
	CU_ASSERT_EQUAL(metric(text, "levelns_cluster_master{node=\"ns\\\"2\\\\x\"}"), 1);
	CU_ASSERT_EQUAL(metric(text, "levelns_cluster_heartbeats_sent_total"), 100);
	CU_ASSERT_EQUAL(metric(text, "levelns_cluster_heartbeats_received_total"), 40);
	CU_ASSERT_EQUAL(metric(text, "levelns_cluster_heartbeats_missed_total"), 2);
	CU_ASSERT_EQUAL(metric(text, "levelns_cluster_dropped_messages_total{reason=\"bad_mac\"}"), 4);
	CU_ASSERT_EQUAL(metric(text, "levelns_cluster_node_reachable{node=\"ns1\"}"), 1);
	free(text);

	/* no master known: no series for it; no counters, no cluster */
	c.cluster.master[0] = '\0';
	text = lns_web_metrics_render(&c.f.view, NULL, NOW, &len);
	T_CHECK(!strstr(text, "levelns_cluster_master{"), "a master series without a master");
	CU_ASSERT_EQUAL(metric(text, "levelns_queries_total{proto=\"udp\"}"), 0);
	check_exposition(text);
	promtool_check(text, len);
	free(text);
	c.f.view.cluster = NULL;
	c.f.view.gen = NULL;
	text = lns_web_metrics_render(&c.f.view, NULL, NOW, &len);
	CU_ASSERT_EQUAL(metric(text, "levelns_pool_answers_total{pool=\"www.example.test\"}"), 0);
	CU_ASSERT_EQUAL(metric(text, "levelns_cluster_term"), 0);
	check_exposition(text);
	free(text);
}

static void test_qtype_slots(void)
{
	static const struct {
		uint16_t type;
		const char *name;
	} rows[] = {
		{ 1, "A" }, { 2, "NS" }, { 5, "CNAME" }, { 6, "SOA" }, { 12, "PTR" }, { 15, "MX" }, { 16, "TXT" },
		{ 28, "AAAA" }, { 33, "SRV" }, { 35, "NAPTR" }, { 43, "DS" }, { 48, "DNSKEY" }, { 64, "SVCB" },
		{ 65, "HTTPS" }, { 257, "CAA" }, { 251, "IXFR" }, { 252, "AXFR" }, { 255, "ANY" }, { 0, "other" },
		{ 3, "other" }, { 41, "other" }, { 46, "other" }, { 256, "other" }, { 258, "other" }, { 65535, "other" },
	};
	for (size_t i = 0; i < N_ELEMS(rows); i++) {
		const char *name = lns_stats_qtype_name(lns_stats_qtype_index(rows[i].type));
		T_CHECK(name && strcmp(name, rows[i].name) == 0, "type %u: %s, expected %s", rows[i].type,
			name ? name : "(null)", rows[i].name);
	}
	/* every slot has one name, and every listed type its own slot */
	unsigned seen[LNS_STATS_QTYPES] = { 0 };
	for (unsigned t = 0; t < 65536; t++)
		seen[lns_stats_qtype_index((uint16_t)t)]++;
	for (unsigned s = 0; s < LNS_STATS_QTYPES; s++)
		T_CHECK(lns_stats_qtype_name(s) && (s == LNS_QT_OTHER || seen[s] == 1), "slot %u: %u types", s, seen[s]);
	CU_ASSERT_PTR_NULL(lns_stats_qtype_name(LNS_STATS_QTYPES));
	CU_ASSERT_STRING_EQUAL(lns_stats_rcode_name(0), "NOERROR");
	CU_ASSERT_STRING_EQUAL(lns_stats_rcode_name(3), "NXDOMAIN");
	CU_ASSERT_STRING_EQUAL(lns_stats_rcode_name(15), "RCODE15");
	CU_ASSERT_PTR_NULL(lns_stats_rcode_name(16));
}

static void test_write_endpoints(void)
{
	static const struct {
		enum lns_web_endpoint ep;
		bool write;
	} rows[] = {
		{ LNS_WEB_EP_NONE, false }, { LNS_WEB_EP_HEALTH, false }, { LNS_WEB_EP_POOLS, false },
		{ LNS_WEB_EP_MASTER, false }, { LNS_WEB_EP_NODES, false }, { LNS_WEB_EP_STATS, false },
		{ LNS_WEB_EP_EVENTS, false }, { LNS_WEB_EP_METRICS, false }, { LNS_WEB_EP_ELECTION, true },
		{ LNS_WEB_EP_DRAIN, true }, { LNS_WEB_EP_UNDRAIN, true }, { LNS_WEB_EP_RELOAD, true },
	};
	for (size_t i = 0; i < N_ELEMS(rows); i++)
		T_CHECK(lns_web_endpoint_is_write(rows[i].ep) == rows[i].write, "endpoint %d", rows[i].ep);
}

/* ======================================================================
 * the endpoint with the daemon's hooks: stats, events, metrics, reload,
 * read_auth, the connection limit
 * ====================================================================== */

#define TOKEN "unit-test-token-0123456789"

static int fake_reload_rc;
static unsigned fake_reloads;

static int fake_reload(void *arg, lns_web_reload_t *out)
{
	fake_reloads++;
	if (fake_reload_rc == 0) {
		out->generation = 4;
		out->zones = 2;
		out->pools = 1;
		return 0;
	}
	snprintf(out->msg, sizeof(out->msg), "reload refused: x.conf:3: bad; still serving the previous configuration");
	return fake_reload_rc;
}

static void fake_stats(void *arg, lns_stats_t *out)
{
	memset(out, 0, sizeof(*out));
	out->started_at = NOW;
	out->generation = 4;
	out->queries.udp = 77;
	out->queries.rcode[0] = 77;
	out->queries.qtype[LNS_QT_A] = 77;
	out->probes_sent = 9;
}

static lns_config_t *load_conf(const char *dir, const char *extra)
{
	char text[2048];
	snprintf(text, sizeof(text), "%s%s", server_conf, extra);
	char *path = lns_test_write(dir, "hooks.conf", text);
	lns_config_t *cfg = NULL;
	lns_err_t err;
	int rc = lns_config_load(path, &cfg, &err);
	T_CHECK(rc == 0, "config: %s", err.msg);
	unlink(path);
	free(path);
	return cfg;
}

static int connect_to(uint16_t port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void test_server_hooks(void)
{
	char *dir = lns_test_mkdtemp();
	free(lns_test_write(dir, "tok", TOKEN "\n"));
	lns_events_t *events = lns_events_new();
	lns_web_hooks_t hooks = { .reload = fake_reload, .stats = fake_stats, .events = events };
	lns_addr_t any;
	addr(&any, "127.0.0.1@0");
	lns_web_t *web = NULL;
	lns_err_t err;
	CU_ASSERT_FATAL(lns_web_start(&any, &hooks, &web, &err) == 0);
	uint16_t port = lns_web_port(web);
	lns_view_publish(lns_view_new(load_conf(dir, "http = { token_file = \"tok\"; };\n"), NULL));

	json_t *doc = fetch_json(port, "/api/v1/stats", 200);
	CU_ASSERT_EQUAL(iget(json_object_get(doc, "queries"), "udp"), 77);
	CU_ASSERT_EQUAL(iget(json_object_get(json_object_get(doc, "queries"), "by_type"), "A"), 77);
	CU_ASSERT_EQUAL(iget(doc, "generation"), 4);
	CU_ASSERT_EQUAL(iget(json_object_get(json_object_get(doc, "pools"), "www.example.test"), "answers"), 0);
	json_decref(doc);

	/* events: all, then since */
	for (unsigned k = 1; k <= 3; k++)
		add_member_event(events, k);
	doc = fetch_json(port, "/api/v1/events", 200);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(doc, "events")), 3);
	CU_ASSERT_EQUAL(iget(doc, "next"), 3);
	json_decref(doc);
	doc = fetch_json(port, "/api/v1/events?since=2", 200);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(doc, "events")), 1);
	CU_ASSERT_EQUAL(iget(json_array_get(json_object_get(doc, "events"), 0), "seq"), 3);
	json_decref(doc);
	doc = fetch_json(port, "/api/v1/events?since=3", 200);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(doc, "events")), 0);
	json_decref(doc);
	doc = fetch_json(port, "/api/v1/events?since=-1", 400);
	T_CONTAINS("bad since", sget(doc, "error"), "since must be");
	json_decref(doc);

	/* metrics: text, the counters and the view */
	struct fetch f;
	CU_ASSERT(fetch(port, NULL, "/metrics", NULL, &f));
	CU_ASSERT_EQUAL(f.status, 200);
	CU_ASSERT_STRING_EQUAL(f.ctype, LNS_WEB_METRICS_TYPE);
	CU_ASSERT(f.body && metric(f.body, "levelns_queries_total{proto=\"udp\"}") == 77);
	CU_ASSERT(f.body && metric(f.body, "levelns_probes_total") == 9);
	CU_ASSERT(f.body && metric(f.body, "levelns_member_up{pool=\"www.example.test\",member=\"a\"}") == 0);
	if (f.body) {
		check_exposition(f.body);
		promtool_check(f.body, f.len);
	}
	free(f.body);
	CU_ASSERT(fetch(port, "POST", "/metrics", NULL, &f));
	CU_ASSERT(f.status == 405 && strcmp(f.allow, "GET, HEAD") == 0);
	free(f.body);

	/* reload: the token, then 200, 409 or 503 as the hook says */
	CU_ASSERT(fetch(port, "POST", "/api/v1/reload", NULL, &f));
	CU_ASSERT_EQUAL(f.status, 401);
	CU_ASSERT_STRING_EQUAL(f.www, "Bearer realm=\"levelns\"");
	free(f.body);
	CU_ASSERT(fetch_auth(port, "POST", "/api/v1/reload", NULL, "wrong-token-0123456789", &f));
	CU_ASSERT_EQUAL(f.status, 401);
	T_CONTAINS("wrong token", f.body, "does not match");
	free(f.body);
	CU_ASSERT_EQUAL(fake_reloads, 0);
	fake_reload_rc = 0;
	CU_ASSERT(fetch_auth(port, "POST", "/api/v1/reload", NULL, TOKEN, &f));
	CU_ASSERT_EQUAL(f.status, 200);
	doc = f.body ? json_loads(f.body, 0, NULL) : NULL;
	CU_ASSERT(json_is_true(json_object_get(doc, "reloaded")) && iget(doc, "generation") == 4 &&
		iget(doc, "zones") == 2 && iget(doc, "pools") == 1);
	json_decref(doc);
	free(f.body);
	fake_reload_rc = -EINVAL;
	CU_ASSERT(fetch_auth(port, "POST", "/api/v1/reload", NULL, TOKEN, &f));
	CU_ASSERT_EQUAL(f.status, 409);
	T_CONTAINS("409", f.body, "\"error\":\"reload refused: x.conf:3: bad; still serving the previous configuration\"");
	free(f.body);
	fake_reload_rc = -ESHUTDOWN;
	CU_ASSERT(fetch_auth(port, "POST", "/api/v1/reload", NULL, TOKEN, &f));
	CU_ASSERT_EQUAL(f.status, 503);
	free(f.body);
	CU_ASSERT_EQUAL(fake_reloads, 3);
	CU_ASSERT(fetch_auth(port, "POST", "/api/v1/reload", "{}", TOKEN, &f));
	CU_ASSERT_EQUAL(f.status, 400);
	T_CONTAINS("reload with a body", f.body, "takes no body");
	free(f.body);
	CU_ASSERT(fetch_auth(port, "GET", "/api/v1/reload", NULL, TOKEN, &f));
	CU_ASSERT(f.status == 405 && strcmp(f.allow, "POST") == 0);
	free(f.body);
	CU_ASSERT_EQUAL(fake_reloads, 3);

	/* reads are open without read_auth */
	CU_ASSERT(fetch(port, NULL, "/api/v1/health", NULL, &f));
	CU_ASSERT_EQUAL(f.status, 200);
	free(f.body);

	/* http.read_auth: every read needs the token, the dashboard's files not */
	lns_view_publish(lns_view_new(load_conf(dir, "http = { token_file = \"tok\"; read_auth = true; };\n"), NULL));
	static const char *const reads[] = { "/api/v1/health", "/api/v1/pools", "/api/v1/master", "/api/v1/nodes",
		"/api/v1/stats", "/api/v1/events", "/metrics" };
	for (size_t i = 0; i < N_ELEMS(reads); i++) {
		CU_ASSERT(fetch(port, NULL, reads[i], NULL, &f));
		T_CHECK(f.status == 401 && strcmp(f.ctype, "application/json") == 0, "%s without the token: %ld", reads[i],
			f.status);
		T_CONTAINS(reads[i], f.body, "http.read_auth");
		free(f.body);
		CU_ASSERT(fetch_auth(port, NULL, reads[i], NULL, "not-the-token-0123456789", &f));
		T_CHECK(f.status == 401, "%s with a wrong token: %ld", reads[i], f.status);
		free(f.body);
		CU_ASSERT(fetch_auth(port, NULL, reads[i], NULL, TOKEN, &f));
		T_CHECK(f.status == 200, "%s with the token: %ld", reads[i], f.status);
		free(f.body);
	}
	CU_ASSERT(fetch(port, NULL, "/", NULL, &f));
	T_CHECK(f.status == 200 || f.status == 404, "the dashboard needs no token: %ld", f.status);
	T_CHECK(f.status != 401, "the dashboard needs no token");
	free(f.body);
	CU_ASSERT(fetch(port, NULL, "/api/v1/nope", NULL, &f));
	CU_ASSERT_EQUAL(f.status, 404);
	free(f.body);

	/* the connection limit: past it, a JSON 503; below it again, served */
	int fds[LNS_WEB_MAX_CONNECTIONS];
	size_t n_fds = 0;
	for (; n_fds < LNS_WEB_MAX_CONNECTIONS; n_fds++)
		if ((fds[n_fds] = connect_to(port)) < 0)
			break;
	CU_ASSERT_EQUAL(n_fds, LNS_WEB_MAX_CONNECTIONS);
	usleep(200000); /* accepted by the serving thread */
	CU_ASSERT(fetch_auth(port, NULL, "/api/v1/health", NULL, TOKEN, &f));
	CU_ASSERT_EQUAL(f.status, 503);
	T_CONTAINS("connection limit", f.body, "too many connections");
	free(f.body);
	for (size_t i = 0; i < n_fds; i++)
		close(fds[i]);
	bool served = false;
	for (int i = 0; i < 50 && !served; i++) {
		usleep(20000);
		served = fetch_auth(port, NULL, "/api/v1/health", NULL, TOKEN, &f) && f.status == 200;
		free(f.body);
	}
	CU_ASSERT(served);

	/* a request that never ends is cut off after LNS_WEB_TIMEOUT_S idle */
	int fd = connect_to(port);
	CU_ASSERT_FATAL(fd >= 0);
	static const char half[] = "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n";
	CU_ASSERT(write(fd, half, sizeof(half) - 1) == (ssize_t)(sizeof(half) - 1));
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct timeval tv = { .tv_sec = LNS_WEB_TIMEOUT_S + 5 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	char buf[512];
	ssize_t got = read(fd, buf, sizeof(buf));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double waited = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	T_CHECK(got == 0 && waited > LNS_WEB_TIMEOUT_S - 1 && waited < LNS_WEB_TIMEOUT_S + 4,
		"a stalled request: read %zd after %.1f s", got, waited);
	close(fd);

	lns_web_stop(web);
	lns_view_publish(NULL);
	lns_events_free(events);
	lns_test_rmtree(dir);
	free(dir);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 2;
	CU_pSuite s = CU_add_suite("web: routes", NULL, NULL);
	LNS_TEST_ADD_ROWS(s, "route: ", route_rows, run_route_row);

	s = CU_add_suite("web: times and strings", NULL, NULL);
	LNS_TEST_ADD_ROWS(s, "time: ", time_rows, run_time_row);
	LNS_TEST_ADD_ROWS(s, "string: ", string_rows, run_string_row);
	CU_add_test(s, "string: NULL is null", test_string_null);

	s = CU_add_suite("web: documents", NULL, NULL);
	CU_add_test(s, "health document", test_health_document);
	CU_add_test(s, "pools document", test_pools_document);
	CU_add_test(s, "empty documents", test_empty_documents);
	CU_add_test(s, "error document", test_error_document);

	s = CU_add_suite("web: server", NULL, NULL);
	CU_add_test(s, "serves the published view on 127.0.0.1", test_server);
	CU_add_test(s, "start errors", test_start_errors);
	CU_add_test(s, "serves on ::1", test_server_ipv6);

	s = CU_add_suite("web: writes", NULL, NULL);
	CU_add_test(s, "bearer token", test_authorize);
	CU_add_test(s, "member paths and routes", test_member_path);
	CU_add_test(s, "RFC 3339 times", test_time_parse);
	CU_add_test(s, "drain bodies", test_drain_body);

	s = CU_add_suite("web: counters, events, metrics", NULL, NULL);
	CU_add_test(s, "stats document", test_stats_document);
	LNS_TEST_ADD_ROWS(s, "since: ", since_rows, run_since_row);
	CU_add_test(s, "the events ring", test_events_ring);
	CU_add_test(s, "events document", test_events_document);
	CU_add_test(s, "metrics exposition", test_metrics_render);
	CU_add_test(s, "QTYPE slots and RCODE names", test_qtype_slots);
	CU_add_test(s, "writes and reads", test_write_endpoints);
	CU_add_test(s, "stats, events, metrics, reload, read_auth and the connection limit over HTTP",
		test_server_hooks);
	int rc = lns_test_run();
	curl_global_cleanup();
	return rc;
}
