/*
 * Unit tests for nameserver/: zone files compiled through the real loader
 * (lns_config_load + lns_ns_zones_load), answers built by lns_answer from a
 * view that is never published, and zone transfers from lns_axfr_stream.
 * Queries are built with ldns, responses read back with ldns and with a raw
 * reader (tests/unit/dnsmsg.c). The answer rules are one table row each.
 */
#include "config.h"

#include "core/config.h"
#include "core/view.h"
#include "core/zonedb.h"
#include "nameserver/nameserver.h"
#include "nameserver/nameserver_int.h"
#include "tests/unit/dnsmsg.h"
#include "tests/unit/helper.h"
#include "tests/unit/suites.h"

#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define T_IN 1
#define T_CH 3
#define SOA_EXAMPLE \
	"example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 2026112801 7200 3600 1209600 300"
#define SOA_EXAMPLE_FULL_TTL \
	"example.test. 3600 IN SOA ns1.example.test. hostmaster.example.test. 2026112801 7200 3600 1209600 300"
#define L63 "lllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll"
#define Q63 "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"

/* ======================================================================
 * shared: loading a configuration with its zones into a view
 * ====================================================================== */

/* Loads conf_path and its zones into a new view (never published). Returns
 * NULL with the reason in err. */
static lns_view_t *view_load(const char *conf_path, lns_err_t *err)
{
	lns_config_t *cfg = NULL;
	lns_zonedb_t *db = NULL;
	if (lns_config_load(conf_path, &cfg, err) != 0)
		return NULL;
	if (lns_ns_zones_load(cfg, &db, err) != 0) {
		lns_config_free(cfg);
		return NULL;
	}
	return lns_view_new(cfg, db);
}

static struct sockaddr_in peer4(const char *ip)
{
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(53000);
	inet_pton(AF_INET, ip, &sin.sin_addr);
	return sin;
}

static struct sockaddr_in6 peer6(const char *ip)
{
	struct sockaddr_in6 sin6;
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(53000);
	inet_pton(AF_INET6, ip, &sin6.sin6_addr);
	return sin6;
}

/* lns_answer runs in a child process writing here (shared memory), so a
 * crash or a sanitizer report fails one test instead of the whole binary. */
static struct shared_out {
	size_t len;
	uint8_t buf[65535 + 64];
} *shared;

static void shared_init(void)
{
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		perror("unit_nameserver: mmap");
		abort();
	}
}

static lns_test_resp_t *answer_isolated(const lns_view_t *v, const uint8_t *wire, size_t len, size_t cap, bool tcp,
	const char *what)
{
	struct sockaddr_in sin = peer4("127.0.0.1");
	lns_client_t client = { (const struct sockaddr *)&sin, tcp };
	shared->len = 0;
	fflush(NULL);
	pid_t pid = fork();
	CU_ASSERT_FATAL(pid != -1);
	if (pid == 0) {
		shared->len = lns_answer(v, wire, len, shared->buf, cap, &client);
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	T_CHECK(ok, "%s: lns_answer %s %d", what, WIFSIGNALED(status) ? "died with signal" : "exited with",
		WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	return lns_test_resp_read(shared->buf, ok ? shared->len : 0);
}

/* Asks v the query q over UDP or TCP (LNS_TQ_TCP) from 127.0.0.1 with an
 * output buffer of cap bytes; returns the response read back (len 0 when
 * nothing would be sent). */
static lns_test_resp_t *ask_with(const lns_view_t *v, const lns_test_query_t *q, size_t cap)
{
	uint8_t wire[1024];
	size_t len = lns_test_query_wire(q, wire, sizeof(wire));
	CU_ASSERT_FATAL(len > 0);
	return answer_isolated(v, wire, len, cap, (q->opts & LNS_TQ_TCP) != 0, q->qname);
}

static lns_test_resp_t *ask(const lns_view_t *v, const lns_test_query_t *q)
{
	return ask_with(v, q, 65535);
}

static lns_test_resp_t *answer_raw(const lns_view_t *v, const uint8_t *wire, size_t len, bool tcp)
{
	return answer_isolated(v, wire, len, 65535, tcp, "raw query");
}

static char *src_path(const char *rel)
{
	char *p = lns_test_path(lns_test_srcdir(), rel);
	char *abs = realpath(p, NULL);
	if (!abs) {
		fprintf(stderr, "unit_nameserver: %s: %s (is top_srcdir set?)\n", p, strerror(errno));
		abort();
	}
	free(p);
	return abs;
}

/* ======================================================================
 * zone loading through the real loader
 * ====================================================================== */

typedef struct zfiles {
	char *dir;
	char *conf;
	lns_view_t *view;
	lns_err_t err;
	int rc;
} zfiles_t;

/* Writes main.zone (and optional more files: name, text pairs, NULL-ended)
 * into a new directory with a config serving example.test from main.zone,
 * then loads it. */
static void zload(zfiles_t *z, const char *main_zone, ...)
{
	memset(z, 0, sizeof(*z));
	z->dir = lns_test_mkdtemp();
	char *inc = lns_test_path(z->dir, "inc");
	mkdir(inc, 0700);
	free(inc);
	free(lns_test_write(z->dir, "main.zone", main_zone));
	va_list ap;
	va_start(ap, main_zone);
	for (;;) {
		const char *name = va_arg(ap, const char *);
		if (!name)
			break;
		free(lns_test_write(z->dir, name, va_arg(ap, const char *)));
	}
	va_end(ap);
	z->conf = lns_test_write(z->dir, "levelns.conf",
		"server: { node = \"t1\"; };\n"
		"zones = ( { name = \"example.test\"; file = \"main.zone\"; allow_transfer = [ \"127.0.0.1\" ]; } );\n");
	z->view = view_load(z->conf, &z->err);
	z->rc = z->view ? 0 : -1;
}

static void zfree(zfiles_t *z)
{
	lns_view_free(z->view);
	lns_test_rmtree(z->dir);
	free(z->dir);
	free(z->conf);
}

static char *zpath(const zfiles_t *z, const char *name)
{
	return lns_test_path(z->dir, name);
}

static const lns_node_t *zfind(const lns_view_t *v, const char *name)
{
	uint8_t n[LNS_DNAME_MAX + 8];
	size_t len = lns_test_dname(name, n, sizeof(n));
	CU_ASSERT_FATAL(len > 0);
	lns_dname_tolower(n, len);
	return lns_zonedb_find(v->zones, n, len, lns_dname_hash(n, len));
}

/* The TTL of the first record of name/type, or -1 when there is none. */
static long zttl(const lns_view_t *v, const char *name, uint16_t type)
{
	const lns_node_t *n = zfind(v, name);
	const lns_rrset_t *rs = n ? lns_node_rrset(n, type) : NULL;
	if (!rs)
		return -1;
	const uint8_t *t = rs->wire + 6;
	return (long)(((uint32_t)t[0] << 24) | ((uint32_t)t[1] << 16) | ((uint32_t)t[2] << 8) | t[3]);
}

/* five lines: the head of most test zones */
#define ZHEAD \
	"$ORIGIN example.test.\n$TTL 300\n@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n  NS ns1\nns1 A 192.0.2.53\n"

static void test_zload_example_zone(void)
{
	/* the shipped example zone and config load */
	char *conf = src_path("zones/example.conf");
	lns_err_t err = { "" };
	lns_view_t *v = view_load(conf, &err);
	T_CHECK(v != NULL, "zones/example.conf: %s", err.msg);
	if (v) {
		CU_ASSERT_EQUAL(v->zones->n_zones, 1);
		CU_ASSERT_EQUAL(v->zones->zones[0]->serial, 2026112801);
		CU_ASSERT_EQUAL(zttl(v, "example.test", LNS_T_SOA), 3600);
		CU_ASSERT_PTR_NOT_NULL(zfind(v, "deep.ent.sub.example.test"));
		CU_ASSERT_PTR_NOT_NULL(zfind(v, "ent.sub.example.test"));
		CU_ASSERT_PTR_NOT_NULL(zfind(v, "*.wild.example.test"));
		CU_ASSERT_EQUAL(v->zones->zones[0]->n_allow_transfer, 2);
		const lns_node_t *t = zfind(v, "texts.example.test");
		CU_ASSERT(t && lns_node_rrset(t, LNS_T_TXT) && lns_node_rrset(t, LNS_T_TXT)->count == 2);
		t = zfind(v, "unknown.example.test");
		CU_ASSERT(t && lns_node_rrset(t, 65280) && lns_node_rrset(t, 65280)->len == 12 + 4);
	}
	lns_view_free(v);
	free(conf);
}

static void test_zload_origin_and_ttl(void)
{
	zfiles_t z;
	zload(&z, "; directives\n"
		  "$ORIGIN example.test.\n"
		  "$TTL 300\n"
		  "@ SOA ns1 hostmaster ( 1 ; serial\n"
		  "   7200 3600 1209600 300 )\n"
		  "  NS ns1\n"
		  "ns1 A 192.0.2.53\n"
		  "$TTL 60\n"
		  "www A 192.0.2.2\n"
		  "long 7200 A 192.0.2.3\n"
		  "WithCase 90 IN A 192.0.2.6\n"
		  "$ORIGIN sub.example.test.\n"
		  "host A 192.0.2.4\n"
		  "@ TXT \"at sub\"\n"
		  "abs.example.test. A 192.0.2.5\n"
		  "\n"
		  "; a comment at the end\n",
		NULL);
	T_CHECK(z.rc == 0, "load: %s", z.err.msg);
	if (z.view) {
		CU_ASSERT_EQUAL(zttl(z.view, "example.test", LNS_T_SOA), 300);
		CU_ASSERT_EQUAL(zttl(z.view, "ns1.example.test", LNS_T_A), 300);
		CU_ASSERT_EQUAL(zttl(z.view, "www.example.test", LNS_T_A), 60);
		CU_ASSERT_EQUAL(zttl(z.view, "long.example.test", LNS_T_A), 7200);
		CU_ASSERT_EQUAL(zttl(z.view, "withcase.example.test", LNS_T_A), 90);
		CU_ASSERT_EQUAL(zttl(z.view, "host.sub.example.test", LNS_T_A), 60);
		CU_ASSERT_EQUAL(zttl(z.view, "sub.example.test", LNS_T_TXT), 60);
		CU_ASSERT_EQUAL(zttl(z.view, "abs.example.test", LNS_T_A), 60);
		CU_ASSERT_EQUAL(z.view->zones->n_records, 9);
		CU_ASSERT_EQUAL(z.view->zones->zones[0]->serial, 1);
	}
	zfree(&z);
}

static void test_zload_relative_to_zone_name(void)
{
	/* without $ORIGIN, relative names hang below the configured zone name,
	 * and without $TTL records get 3600 */
	zfiles_t z;
	zload(&z, "@ 300 SOA ns1 hostmaster 1 7200 3600 1209600 300\n 300 NS ns1\nwww A 192.0.2.1\n", NULL);
	T_CHECK(z.rc == 0, "load: %s", z.err.msg);
	if (z.view) {
		CU_ASSERT_EQUAL(zttl(z.view, "www.example.test", LNS_T_A), 3600);
		CU_ASSERT_EQUAL(zttl(z.view, "example.test", LNS_T_NS), 300);
		CU_ASSERT_PTR_NOT_NULL(zfind(z.view, "example.test"));
	}
	zfree(&z);
}

/* Tests that reach the $INCLUDE code run their body in a child process
 * (lns_test_isolate): zload.c reads the origin argument with "%1024s" into
 * a 1021-byte buffer, a stack overrun that ASan reports for every origin
 * argument; isolated, that one bug fails these tests instead of aborting
 * the binary. */
static void body_zload_include_with_origin(const void *arg, size_t i)
{
	(void)arg;
	(void)i;
	zfiles_t z;
	zload(&z,
		ZHEAD "$INCLUDE inc/hosts.inc sub\n"
		      "after A 192.0.2.9\n"
		      "$INCLUDE inc/abs.inc other.example.test.\n"
		      "$INCLUDE inc/plain.inc\n"
		      "last A 192.0.2.19\n",
		"inc/hosts.inc",
		"www A 192.0.2.10\n"
		"@ TXT \"included at sub\"\n"
		"$INCLUDE nested.inc deeper\n" /* relative to inc/, origin relative to sub */
		"$ORIGIN elsewhere.example.test.\n"
		"moved A 192.0.2.11\n",
		"inc/nested.inc", "n A 192.0.2.12\n", "inc/abs.inc", "a A 192.0.2.13\n", "inc/plain.inc",
		"p A 192.0.2.14\n", NULL);
	T_CHECK(z.rc == 0, "load: %s", z.err.msg);
	if (z.view) {
		CU_ASSERT_EQUAL(zttl(z.view, "www.sub.example.test", LNS_T_A), 300);
		CU_ASSERT_PTR_NOT_NULL(zfind(z.view, "sub.example.test"));
		CU_ASSERT_EQUAL(zttl(z.view, "sub.example.test", LNS_T_TXT), 300);
		CU_ASSERT_EQUAL(zttl(z.view, "n.deeper.sub.example.test", LNS_T_A), 300);
		CU_ASSERT_EQUAL(zttl(z.view, "moved.elsewhere.example.test", LNS_T_A), 300);
		/* the including file's origin is back after the $INCLUDE */
		CU_ASSERT_EQUAL(zttl(z.view, "after.example.test", LNS_T_A), 300);
		CU_ASSERT_PTR_NULL(zfind(z.view, "after.sub.example.test"));
		CU_ASSERT_PTR_NULL(zfind(z.view, "after.elsewhere.example.test"));
		CU_ASSERT_EQUAL(zttl(z.view, "a.other.example.test", LNS_T_A), 300);
		CU_ASSERT_EQUAL(zttl(z.view, "p.example.test", LNS_T_A), 300);
		CU_ASSERT_EQUAL(zttl(z.view, "last.example.test", LNS_T_A), 300);
	}
	zfree(&z);
}

static void test_zload_include_with_origin(void)
{
	lns_test_isolate("test_zload_include_with_origin", body_zload_include_with_origin, NULL, 0);
}

static void body_zload_include_absolute_path(const void *arg, size_t i)
{
	(void)arg;
	(void)i;
	char *dir = lns_test_mkdtemp();
	char *abs = lns_test_write(dir, "abs.inc", "www A 192.0.2.30\n");
	char main_zone[1024];
	snprintf(main_zone, sizeof(main_zone), ZHEAD "$INCLUDE %s\n", abs);
	zfiles_t z;
	zload(&z, main_zone, NULL);
	T_CHECK(z.rc == 0, "load: %s", z.err.msg);
	if (z.view)
		CU_ASSERT_EQUAL(zttl(z.view, "www.example.test", LNS_T_A), 300);
	zfree(&z);
	lns_test_rmtree(dir);
	free(dir);
	free(abs);
}

static void test_zload_include_absolute_path(void)
{
	lns_test_isolate("test_zload_include_absolute_path", body_zload_include_absolute_path, NULL, 0);
}

static void body_zload_include_with_comment(const void *arg, size_t i)
{
	(void)arg;
	(void)i;
	/* RFC 1035 5.1: "$INCLUDE <file-name> [<domain-name>] [<comment>]" */
	zfiles_t z;
	zload(&z, ZHEAD "$INCLUDE inc/hosts.inc ; the web servers\n", "inc/hosts.inc", "www A 192.0.2.10\n", NULL);
	T_CHECK(z.rc == 0, "load: %s", z.err.msg);
	if (z.view) {
		T_CHECK(zttl(z.view, "www.example.test", LNS_T_A) == 300,
			"$INCLUDE with a comment: www.example.test. is missing (the comment was taken as the origin?)");
	}
	zfree(&z);
}

static void test_zload_include_with_comment(void)
{
	lns_test_isolate("test_zload_include_with_comment", body_zload_include_with_comment, NULL, 0);
}

static void body_zload_include_origin_too_long(const void *arg, size_t i)
{
	(void)arg;
	(void)i;
	char main_zone[4096];
	char origin[1101];
	memset(origin, 'o', sizeof(origin) - 1);
	origin[sizeof(origin) - 1] = '\0';
	snprintf(main_zone, sizeof(main_zone), ZHEAD "$INCLUDE inc/hosts.inc %s\n", origin);
	zfiles_t z;
	zload(&z, main_zone, "inc/hosts.inc", "www A 192.0.2.10\n", NULL);
	T_CHECK(z.rc != 0, "a 1100-character $INCLUDE origin was accepted");
	T_CONTAINS("a 1100-character $INCLUDE origin", z.err.msg, "main.zone:6: ");
	zfree(&z);
}

/* An origin argument longer than the buffer overruns it without ASan too. */
static void test_zload_include_origin_too_long_in_child(void)
{
	lns_test_isolate("$INCLUDE origin over 1024 characters", body_zload_include_origin_too_long, NULL, 0);
}

enum { IN_MAIN, IN_INC };
static const struct zbad_row {
	const char *name;
	const char *main_zone;
	const char *inc_name, *inc_text;
	int where;   /* which file the message names */
	int line;    /* 0: "file: reason" */
	const char *reason;
	const char *also; /* another substring, or NULL */
} zbad_rows[] = {
#define RDATA_ERR "Syntax error, could not parse the RR's rdata"
	{ "syntax error: unknown type", ZHEAD "www A 192.0.2.1\nftp BOGUS 192.0.2.2\n", NULL, NULL, IN_MAIN, 7,
		RDATA_ERR, NULL },
	{ "syntax error after a multi-line SOA",
		"$ORIGIN example.test.\n$TTL 300\n@ SOA ns1 hostmaster (\n 1\n 7200\n 3600\n 1209600\n 300 )\n"
		"  NS ns1\nns1 A 192.0.2.53\n\nwww A 192.0.2.1 192.0.2.2 192.0.2.3\n",
		NULL, NULL, IN_MAIN, 12, "Syntax error, superfluous text present", NULL },
	/* ldns reads an unknown type name with no data as TYPE0 (reserved) */
	{ "unknown type name without data", "bogus line\n" ZHEAD, NULL, NULL, IN_MAIN, 1, "", NULL },
	{ "explicit TYPE0", ZHEAD "www TYPE0\n", NULL, NULL, IN_MAIN, 6, "", NULL },
	{ "syntax error on the last line without newline", ZHEAD "www A 192.0.2.1\nftp A", NULL, NULL, IN_MAIN, 7,
		"Syntax error", NULL },
	{ "bad rdata: IPv4 address", ZHEAD "\nwww A 300.1.2.3\n", NULL, NULL, IN_MAIN, 7, RDATA_ERR, NULL },
	{ "bad rdata: IPv6 address", ZHEAD "www AAAA 2001:db8::zz\n", NULL, NULL, IN_MAIN, 6, RDATA_ERR, NULL },
	{ "bad rdata: MX without preference", ZHEAD "@ MX mail\n", NULL, NULL, IN_MAIN, 6, RDATA_ERR, NULL },
	{ "$GENERATE is not supported", ZHEAD "$GENERATE 1-3 host$ A 192.0.2.$\n", NULL, NULL, IN_MAIN, 6, "", NULL },
	{ "out-of-zone owner", ZHEAD "www.example.net. A 192.0.2.1\n", NULL, NULL, IN_MAIN, 6,
		"www.example.net. is outside the zone example.test.", NULL },
	{ "out-of-zone owner after $ORIGIN", ZHEAD "$ORIGIN example.net.\nwww A 192.0.2.1\n", NULL, NULL, IN_MAIN, 7,
		"www.example.net. is outside the zone example.test.", NULL },
	{ "class CH record", ZHEAD "www CH A 192.0.2.1\n", NULL, NULL, IN_MAIN, 6, "only class IN is served", NULL },
	{ "error inside an included file", ZHEAD "$INCLUDE inc/bad.inc\n", "inc/bad.inc",
		"ok A 192.0.2.1\nbad A not-an-address\n", IN_INC, 2, RDATA_ERR, NULL },
	{ "out-of-zone owner in an included file", ZHEAD "$INCLUDE inc/bad.inc example.net.\n", "inc/bad.inc",
		"www A 192.0.2.1\n", IN_INC, 1, "www.example.net. is outside the zone example.test.", NULL },
	{ "$INCLUDE of a missing file", ZHEAD "\n$INCLUDE inc/missing.inc\n", NULL, NULL, IN_MAIN, 7, "",
		"missing.inc" },
	{ "$INCLUDE without a file name", ZHEAD "$INCLUDE\n", NULL, NULL, IN_MAIN, 6, "$INCLUDE needs a file name", NULL },
	{ "$INCLUDE of itself", ZHEAD "$INCLUDE loop.inc\n", "loop.inc", "$INCLUDE loop.inc\n", IN_INC, 1,
		"$INCLUDE nested more than 8 deep", NULL },
	{ "no SOA", "$ORIGIN example.test.\n@ 300 NS ns1\nns1 300 A 192.0.2.1\n", NULL, NULL, IN_MAIN, 0,
		"zone example.test. needs exactly one SOA record at its apex", NULL },
	{ "no NS at the apex", "$ORIGIN example.test.\n@ 300 SOA ns1 hostmaster 1 2 3 4 5\nns1 300 A 192.0.2.1\n", NULL,
		NULL, IN_MAIN, 0, "zone example.test. has no NS records at its apex", NULL },
	{ "CNAME and other data", ZHEAD "www A 192.0.2.1\nwww CNAME ns1\n", NULL, NULL, IN_MAIN, 0,
		"www.example.test. has a CNAME and other data", NULL },
};

static void zbad_row_body(const void *table, size_t i)
{
	const struct zbad_row *r = (const struct zbad_row *)table + i;
	zfiles_t z;
	if (r->inc_name)
		zload(&z, r->main_zone, r->inc_name, r->inc_text, NULL);
	else
		zload(&z, r->main_zone, NULL);
	T_CHECK(z.rc != 0, "%s: the zone was accepted", r->name);
	char *file = zpath(&z, r->where == IN_MAIN ? "main.zone" : r->inc_name);
	char want[1200];
	if (r->line)
		snprintf(want, sizeof(want), "%s:%d: %s", file, r->line, r->reason);
	else
		snprintf(want, sizeof(want), "%s: %s", file, r->reason);
	T_CONTAINS(r->name, z.err.msg, want);
	if (r->also)
		T_CONTAINS(r->name, z.err.msg, r->also);
	free(file);
	zfree(&z);
}

static void run_zbad_row(const void *table, size_t i)
{
	lns_test_isolate(((const struct zbad_row *)table)[i].name, zbad_row_body, table, i);
}

static void test_zload_missing_zone_file(void)
{
	char *dir = lns_test_mkdtemp();
	char *conf = lns_test_write(dir, "levelns.conf",
		"zones = ( { name = \"example.test\"; file = \"absent.zone\"; } );\n");
	lns_err_t err = { "" };
	lns_view_t *v = view_load(conf, &err);
	CU_ASSERT_PTR_NULL(v);
	char *zone = lns_test_path(dir, "absent.zone");
	char want[600];
	snprintf(want, sizeof(want), "%s: cannot open zone file: %s", zone, strerror(ENOENT));
	T_CONTAINS("missing zone file", err.msg, want);
	lns_view_free(v);
	free(zone);
	free(conf);
	lns_test_rmtree(dir);
	free(dir);
}

static const struct zconf_row {
	const char *name;
	const char *zones;
	int line;
	const char *reason;
} zconf_rows[] = {
	{ "bad zone name", "zones = (\n  { name = \"exa..mple.test\"; file = \"main.zone\"; }\n);\n", 2,
		"bad zone name 'exa..mple.test'" },
	{ "same zone with and without the final dot",
		"zones = (\n  { name = \"example.test\"; file = \"main.zone\"; },\n"
		"  { name = \"example.test.\"; file = \"main.zone\"; }\n);\n",
		3, "zone 'example.test.' is defined twice" },
};

static void run_zconf_row(const void *table, size_t i)
{
	const struct zconf_row *r = (const struct zconf_row *)table + i;
	char *dir = lns_test_mkdtemp();
	free(lns_test_write(dir, "main.zone", ZHEAD));
	char *conf = lns_test_write(dir, "levelns.conf", r->zones);
	lns_err_t err = { "" };
	lns_view_t *v = view_load(conf, &err);
	T_CHECK(v == NULL, "%s: accepted", r->name);
	char want[800];
	snprintf(want, sizeof(want), "%s:%d: %s", conf, r->line, r->reason);
	T_CONTAINS(r->name, err.msg, want);
	lns_view_free(v);
	free(conf);
	lns_test_rmtree(dir);
	free(dir);
}

/* ======================================================================
 * answers: one row per rule
 * ====================================================================== */

static lns_view_t *view;      /* example.test, other.test, served.example.test */
static char *answer_dir;

static int answers_init(void)
{
	char *zone = src_path("tests/unit/answer.zone"), *other = src_path("tests/unit/other.zone"),
	     *served = src_path("tests/unit/served.zone");
	char text[4096];
	snprintf(text, sizeof(text),
		"server: { node = \"ns1\"; };\n"
		"zones = (\n"
		"  { name = \"example.test\"; file = \"%s\"; allow_transfer = [ \"127.0.0.1\", \"::1\" ]; },\n"
		"  { name = \"other.test\"; file = \"%s\"; },\n"
		"  { name = \"served.example.test\"; file = \"%s\"; }\n"
		");\n",
		zone, other, served);
	free(zone);
	free(other);
	free(served);
	answer_dir = lns_test_mkdtemp();
	char *conf = lns_test_write(answer_dir, "levelns.conf", text);
	lns_err_t err = { "" };
	view = view_load(conf, &err);
	free(conf);
	if (!view) {
		fprintf(stderr, "unit_nameserver: cannot load the answer zones: %s\n", err.msg);
		return 1;
	}
	return 0;
}

static int answers_cleanup(void)
{
	lns_view_free(view);
	view = NULL;
	lns_test_rmtree(answer_dir);
	free(answer_dir);
	return 0;
}

#define AA LNS_F_AA
#define TC LNS_F_TC
#define RD LNS_F_RD
#define CD LNS_F_CD

typedef struct ans_row {
	const char *name;
	const char *qname;
	uint16_t qtype, qclass;
	unsigned opts;     /* LNS_TQ_* */
	uint16_t payload;
	int rcode;         /* with the extended bits */
	unsigned flags;    /* expected AA TC RD CD */
	int an, ns, ar;    /* records per section, OPT not counted */
	const char *answer[12], *authority[8], *additional[14]; /* in order; checked when given */
	int ede;           /* Extended DNS Error info code expected in OPT; 0: none */
} ans_row_t;

/* Rows name the fields they set; everything else is 0: class IN, no EDNS,
 * NOERROR, no flags, empty sections, no EDE. */
#define A_STATIC "static.example.test. 3600 IN A 192.0.2.80"
#define NS_CHILD                                                                              \
	{ "child.example.test. 3600 IN NS ns.child.example.test.",                              \
		"child.example.test. 3600 IN NS ns.other.example.net." }
#define GLUE_CHILD { "ns.child.example.test. 3600 IN A 192.0.2.200" }
#define DNAME_LONG "longdn.example.test. 3600 IN DNAME " L63 "." L63 "." L63 ".example.net."
#define Q49 "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"

static const ans_row_t ans_rows[] = {
	/* ---- exact matches ---- */
	{ "exact match", "static.example.test.", LNS_T_A, .flags = AA, .an = 1, .answer = { A_STATIC } },
	{ "exact match AAAA", "static.example.test.", LNS_T_AAAA, .flags = AA, .an = 1,
		.answer = { "static.example.test. 3600 IN AAAA 2001:db8::80" } },
	{ "RD and CD are echoed", "static.example.test.", LNS_T_A, .opts = LNS_TQ_RD | LNS_TQ_CD,
		.flags = AA | RD | CD, .an = 1, .answer = { A_STATIC } },
	{ "case is preserved in the question and owner", "StAtIc.ExAmPlE.tEsT.", LNS_T_A, .flags = AA, .an = 1,
		.answer = { "StAtIc.ExAmPlE.tEsT. 3600 IN A 192.0.2.80" } },
	{ "several strings and records of TXT", "texts.example.test.", LNS_T_TXT, .flags = AA, .an = 2,
		.answer = { "texts.example.test. 3600 IN TXT \"first string\" \"second string\"",
			"texts.example.test. 3600 IN TXT \"another\"" } },
	{ "unknown type (RFC 3597)", "unknown.example.test.", 65280, .flags = AA, .an = 1,
		.answer = { "unknown.example.test. 3600 IN TYPE65280 \\# 4 0a000001" } },
	{ "PTR", "1.2.0.192.in-addr.example.test.", LNS_T_PTR, .flags = AA, .an = 1,
		.answer = { "1.2.0.192.in-addr.example.test. 3600 IN PTR static.example.test." } },
	{ "SOA at the apex keeps its TTL", "example.test.", LNS_T_SOA, .flags = AA, .an = 1,
		.answer = { SOA_EXAMPLE_FULL_TTL } },

	/* ---- negative answers (RFC 2308) ---- */
	{ "NXDOMAIN with the SOA, TTL is the MINIMUM", "nx.example.test.", LNS_T_A, .rcode = LNS_RCODE_NXDOMAIN,
		.flags = AA, .ns = 1, .authority = { SOA_EXAMPLE } },
	{ "NXDOMAIN with the SOA, TTL is the SOA's own when lower", "nx.other.test.", LNS_T_A,
		.rcode = LNS_RCODE_NXDOMAIN, .flags = AA, .ns = 1,
		.authority = { "other.test. 60 IN SOA ns1.other.test. hostmaster.other.test. 7 3600 600 86400 300" } },
	{ "NXDOMAIN deep below an existing name", "a.b.static.example.test.", LNS_T_A, .rcode = LNS_RCODE_NXDOMAIN,
		.flags = AA, .ns = 1, .authority = { SOA_EXAMPLE } },
	{ "NODATA with the SOA", "static.example.test.", LNS_T_MX, .flags = AA, .ns = 1,
		.authority = { SOA_EXAMPLE } },
	{ "NODATA for DS at a non-cut", "static.example.test.", LNS_T_DS, .flags = AA, .ns = 1,
		.authority = { SOA_EXAMPLE } },
	{ "empty non-terminal is NODATA", "sub.example.test.", LNS_T_A, .flags = AA, .ns = 1,
		.authority = { SOA_EXAMPLE } },
	{ "deeper empty non-terminal is NODATA", "ent.sub.example.test.", LNS_T_TXT, .flags = AA, .ns = 1,
		.authority = { SOA_EXAMPLE } },

	/* ---- CNAME ---- */
	{ "CNAME chased in the zone", "alias.example.test.", LNS_T_A, .flags = AA, .an = 2,
		.answer = { "alias.example.test. 3600 IN CNAME static.example.test.", A_STATIC } },
	{ "CNAME chain", "chain1.example.test.", LNS_T_AAAA, .flags = AA, .an = 4,
		.answer = { "chain1.example.test. 3600 IN CNAME chain2.example.test.",
			"chain2.example.test. 3600 IN CNAME alias.example.test.",
			"alias.example.test. 3600 IN CNAME static.example.test.",
			"static.example.test. 3600 IN AAAA 2001:db8::80" } },
	{ "CNAME chain ending in NODATA", "chain1.example.test.", LNS_T_MX, .flags = AA, .an = 3, .ns = 1,
		.answer = { "chain1.example.test. 3600 IN CNAME chain2.example.test.",
			"chain2.example.test. 3600 IN CNAME alias.example.test.",
			"alias.example.test. 3600 IN CNAME static.example.test." },
		.authority = { SOA_EXAMPLE } },
	{ "CNAME loop stops", "loop1.example.test.", LNS_T_A, .flags = AA, .an = 2,
		.answer = { "loop1.example.test. 3600 IN CNAME loop2.example.test.",
			"loop2.example.test. 3600 IN CNAME loop1.example.test." } },
	{ "dangling CNAME is NXDOMAIN with the CNAME", "dangling.example.test.", LNS_T_A,
		.rcode = LNS_RCODE_NXDOMAIN, .flags = AA, .an = 1, .ns = 1,
		.answer = { "dangling.example.test. 3600 IN CNAME nowhere.example.test." }, .authority = { SOA_EXAMPLE } },
	{ "CNAME out of the zone is not chased", "outside.example.test.", LNS_T_A, .flags = AA, .an = 1,
		.answer = { "outside.example.test. 3600 IN CNAME www.example.net." } },
	{ "CNAME into another served zone is not chased", "toother.example.test.", LNS_T_A, .flags = AA, .an = 1,
		.answer = { "toother.example.test. 3600 IN CNAME www.other.test." } },
	{ "CNAME to a name below a cut stops", "tochild.example.test.", LNS_T_A, .flags = AA, .an = 1,
		.answer = { "tochild.example.test. 3600 IN CNAME deep.child.example.test." } },
	{ "CNAME to a wildcard-matched name", "tonx.example.test.", LNS_T_A, .flags = AA, .an = 2,
		.answer = { "tonx.example.test. 3600 IN CNAME nx.wild.example.test.",
			"nx.wild.example.test. 3600 IN A 192.0.2.99" } },
	{ "qtype CNAME is not chased", "alias.example.test.", LNS_T_CNAME, .flags = AA, .an = 1,
		.answer = { "alias.example.test. 3600 IN CNAME static.example.test." } },

	/* ---- wildcards (RFC 4592) ---- */
	{ "wildcard, one label", "a.wild.example.test.", LNS_T_A, .flags = AA, .an = 1,
		.answer = { "a.wild.example.test. 3600 IN A 192.0.2.99" } },
	{ "wildcard, several labels", "a.b.c.wild.example.test.", LNS_T_A, .flags = AA, .an = 1,
		.answer = { "a.b.c.wild.example.test. 3600 IN A 192.0.2.99" } },
	{ "wildcard keeps the query's case", "Some.WILD.example.test.", LNS_T_TXT, .flags = AA, .an = 1,
		.answer = { "Some.WILD.example.test. 3600 IN TXT \"wildcard\"" } },
	{ "wildcard NODATA", "a.wild.example.test.", LNS_T_MX, .flags = AA, .ns = 1, .authority = { SOA_EXAMPLE } },
	{ "wildcard CNAME is chased", "x.cwild.example.test.", LNS_T_A, .flags = AA, .an = 2,
		.answer = { "x.cwild.example.test. 3600 IN CNAME static.example.test.", A_STATIC } },
	{ "the wildcard owner itself", "*.wild.example.test.", LNS_T_A, .flags = AA, .an = 1,
		.answer = { "*.wild.example.test. 3600 IN A 192.0.2.99" } },
	{ "the wildcard's parent answers for itself", "wild.example.test.", LNS_T_A, .flags = AA, .ns = 1,
		.authority = { SOA_EXAMPLE } },
	{ "wildcard beside existing names", "q.w.example.test.", LNS_T_A, .flags = AA, .an = 1,
		.answer = { "q.w.example.test. 3600 IN A 192.0.2.98" } },
	{ "wildcard not applied to an existing name", "x.y.w.example.test.", LNS_T_A, .flags = AA, .an = 1,
		.answer = { "x.y.w.example.test. 3600 IN A 192.0.2.97" } },
	{ "wildcard not applied to an existing name, NODATA", "x.y.w.example.test.", LNS_T_TXT, .flags = AA, .ns = 1,
		.authority = { SOA_EXAMPLE } },
	{ "wildcard not applied to an empty non-terminal", "y.w.example.test.", LNS_T_A, .flags = AA, .ns = 1,
		.authority = { SOA_EXAMPLE } },
	{ "wildcard not applied below an empty non-terminal", "z.y.w.example.test.", LNS_T_A,
		.rcode = LNS_RCODE_NXDOMAIN, .flags = AA, .ns = 1, .authority = { SOA_EXAMPLE } },

	/* ---- DNAME (RFC 6672) ---- */
	{ "DNAME synthesis out of the zone", "www.legacy.example.test.", LNS_T_A, .flags = AA, .an = 2,
		.answer = { "legacy.example.test. 3600 IN DNAME example.net.",
			"www.legacy.example.test. 3600 IN CNAME www.example.net." } },
	{ "DNAME synthesis, several labels, query case kept", "A.B.Legacy.example.test.", LNS_T_TXT, .flags = AA,
		.an = 2,
		.answer = { "Legacy.example.test. 3600 IN DNAME example.net.",
			"A.B.Legacy.example.test. 3600 IN CNAME a.b.example.net." } },
	{ "DNAME synthesis chased in the zone", "static.olddn.example.test.", LNS_T_A, .flags = AA, .an = 3,
		.answer = { "olddn.example.test. 900 IN DNAME example.test.",
			"static.olddn.example.test. 900 IN CNAME static.example.test.", A_STATIC } },
	{ "DNAME synthesis to a missing name is NXDOMAIN", "nx.olddn.example.test.", LNS_T_A,
		.rcode = LNS_RCODE_NXDOMAIN, .flags = AA, .an = 2, .ns = 1,
		.answer = { "olddn.example.test. 900 IN DNAME example.test.",
			"nx.olddn.example.test. 900 IN CNAME nx.example.test." },
		.authority = { SOA_EXAMPLE } },
	{ "DNAME occludes the names below it", "occluded.legacy.example.test.", LNS_T_A, .flags = AA, .an = 2,
		.answer = { "legacy.example.test. 3600 IN DNAME example.net.",
			"occluded.legacy.example.test. 3600 IN CNAME occluded.example.net." } },
	{ "CNAME to a name below a DNAME", "tooldn.example.test.", LNS_T_A, .flags = AA, .an = 4,
		.answer = { "tooldn.example.test. 3600 IN CNAME static.olddn.example.test.",
			"olddn.example.test. 900 IN DNAME example.test.",
			"static.olddn.example.test. 900 IN CNAME static.example.test.", A_STATIC } },
	{ "DNAME then CNAME", "alias.olddn.example.test.", LNS_T_A, .flags = AA, .an = 4,
		.answer = { "olddn.example.test. 900 IN DNAME example.test.",
			"alias.olddn.example.test. 900 IN CNAME alias.example.test.",
			"alias.example.test. 3600 IN CNAME static.example.test.", A_STATIC } },
	{ "two DNAMEs in a row", "static.dn1.example.test.", LNS_T_A, .flags = AA, .an = 5,
		.answer = { "dn1.example.test. 3600 IN DNAME olddn.example.test.",
			"static.dn1.example.test. 3600 IN CNAME static.olddn.example.test.",
			"olddn.example.test. 900 IN DNAME example.test.",
			"static.olddn.example.test. 900 IN CNAME static.example.test.", A_STATIC } },
	{ "the DNAME owner answers for itself", "legacy.example.test.", LNS_T_DNAME, .flags = AA, .an = 1,
		.answer = { "legacy.example.test. 3600 IN DNAME example.net." } },
	{ "the DNAME owner, other type, is NODATA", "legacy.example.test.", LNS_T_A, .flags = AA, .ns = 1,
		.authority = { SOA_EXAMPLE } },
	{ "DNAME substitution over 255 bytes is YXDOMAIN", Q63 ".longdn.example.test.", LNS_T_A,
		.rcode = LNS_RCODE_YXDOMAIN, .flags = AA, .an = 1, .answer = { DNAME_LONG } },
	{ "DNAME substitution of exactly 255 bytes is fine", Q49 ".longdn.example.test.", LNS_T_A,
		.opts = LNS_TQ_EDNS, .flags = AA, .an = 2,
		.answer = { DNAME_LONG,
			Q49 ".longdn.example.test. 3600 IN CNAME " Q49 "." L63 "." L63 "." L63 ".example.net." } },

	/* ---- delegations ---- */
	{ "referral at the cut", "child.example.test.", LNS_T_A, .ns = 2, .ar = 1, .authority = NS_CHILD,
		.additional = GLUE_CHILD },
	{ "referral below the cut", "deep.child.example.test.", LNS_T_A, .opts = LNS_TQ_RD, .flags = RD, .ns = 2,
		.ar = 1, .authority = NS_CHILD, .additional = GLUE_CHILD },
	{ "referral for the glue's own name", "ns.child.example.test.", LNS_T_A, .ns = 2, .ar = 1,
		.authority = NS_CHILD, .additional = GLUE_CHILD },
	{ "NS at the cut is a referral", "child.example.test.", LNS_T_NS, .ns = 2, .ar = 1, .authority = NS_CHILD,
		.additional = GLUE_CHILD },
	{ "DS at the cut is answered from the parent", "child.example.test.", LNS_T_DS, .flags = AA, .an = 1,
		.answer = { "child.example.test. 3600 IN DS 12345 13 2 "
			    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" } },
	{ "DS at a cut without DS is NODATA from the parent", "bigcut.example.test.", LNS_T_DS, .flags = AA, .ns = 1,
		.authority = { SOA_EXAMPLE } },
	{ "DS below the cut is a referral", "deep.child.example.test.", LNS_T_DS, .ns = 2, .ar = 1,
		.authority = NS_CHILD, .additional = GLUE_CHILD },
	{ "referral whose glue does not fit 512 bytes is truncated", "x.bigcut.example.test.", LNS_T_A, .flags = TC },
	{ "referral with all the glue over EDNS", "x.bigcut.example.test.", LNS_T_A, .opts = LNS_TQ_EDNS, .ns = 6,
		.ar = 12 },
	{ "a served child zone answers for itself", "www.served.example.test.", LNS_T_A, .flags = AA, .an = 1,
		.answer = { "www.served.example.test. 600 IN A 192.0.2.150" } },
	{ "a served child zone's NXDOMAIN has its SOA", "nx.served.example.test.", LNS_T_A,
		.rcode = LNS_RCODE_NXDOMAIN, .flags = AA, .ns = 1,
		.authority = { "served.example.test. 120 IN SOA ns1.example.test. hostmaster.example.test. 1 3600 600 "
			       "86400 120" } },

	/* ---- outside the zones ---- */
	{ "REFUSED outside the zones", "www.example.net.", LNS_T_A, .opts = LNS_TQ_RD, .rcode = LNS_RCODE_REFUSED,
		.flags = RD },
	{ "REFUSED outside the zones, EDE 20 with EDNS", "www.example.net.", LNS_T_A, .opts = LNS_TQ_EDNS,
		.rcode = LNS_RCODE_REFUSED, .ede = LNS_EDE_NOT_AUTHORITATIVE },
	{ "REFUSED for the parent of a zone", "test.", LNS_T_SOA, .rcode = LNS_RCODE_REFUSED },
	{ "REFUSED for the root", ".", LNS_T_NS, .opts = LNS_TQ_EDNS, .rcode = LNS_RCODE_REFUSED,
		.ede = LNS_EDE_NOT_AUTHORITATIVE },
	{ "REFUSED for a name sharing a suffix", "badexample.test.", LNS_T_A, .rcode = LNS_RCODE_REFUSED },

	/* ---- ANY (RFC 8482) ---- */
	{ "ANY over UDP is one RRset", "example.test.", LNS_T_ANY, .flags = AA, .an = 1,
		.answer = { "example.test. 3600 IN A 192.0.2.1" } },
	{ "ANY over TCP is every RRset", "example.test.", LNS_T_ANY, .opts = LNS_TQ_TCP, .flags = AA, .an = 9,
		.answer = { "example.test. 3600 IN A 192.0.2.1", "example.test. 3600 IN NS ns1.example.test.",
			"example.test. 3600 IN NS ns2.example.test.", SOA_EXAMPLE_FULL_TTL,
			"example.test. 3600 IN MX 10 mail.example.test.", "example.test. 3600 IN MX 20 mail2.example.net.",
			"example.test. 3600 IN TXT \"v=spf1 mx -all\"", "example.test. 3600 IN AAAA 2001:db8::1",
			"example.test. 3600 IN CAA 0 issue \"letsencrypt.org\"" } },
	{ "ANY at an empty non-terminal is NODATA", "sub.example.test.", LNS_T_ANY, .flags = AA, .ns = 1,
		.authority = { SOA_EXAMPLE } },
	{ "ANY at a CNAME is not chased", "alias.example.test.", LNS_T_ANY, .opts = LNS_TQ_TCP, .flags = AA, .an = 1,
		.answer = { "alias.example.test. 3600 IN CNAME static.example.test." } },
	{ "ANY at a missing name is NXDOMAIN", "nx.example.test.", LNS_T_ANY, .rcode = LNS_RCODE_NXDOMAIN,
		.flags = AA, .ns = 1, .authority = { SOA_EXAMPLE } },

	/* ---- additional section ---- */
	{ "NS with A and AAAA of in-zone targets", "example.test.", LNS_T_NS, .flags = AA, .an = 2, .ar = 3,
		.answer = { "example.test. 3600 IN NS ns1.example.test.", "example.test. 3600 IN NS ns2.example.test." },
		.additional = { "ns1.example.test. 3600 IN A 192.0.2.53", "ns1.example.test. 3600 IN AAAA 2001:db8::53",
			"ns2.example.test. 3600 IN A 192.0.2.54" } },
	{ "MX with addresses of the in-zone target only", "example.test.", LNS_T_MX, .flags = AA, .an = 2, .ar = 2,
		.answer = { "example.test. 3600 IN MX 10 mail.example.test.",
			"example.test. 3600 IN MX 20 mail2.example.net." },
		.additional = { "mail.example.test. 3600 IN A 192.0.2.25",
			"mail.example.test. 3600 IN AAAA 2001:db8::25" } },
	{ "SRV with addresses of its target", "_sip._tcp.example.test.", LNS_T_SRV, .flags = AA, .an = 1, .ar = 2,
		.answer = { "_sip._tcp.example.test. 3600 IN SRV 10 60 5060 mail.example.test." },
		.additional = { "mail.example.test. 3600 IN A 192.0.2.25",
			"mail.example.test. 3600 IN AAAA 2001:db8::25" } },

	/* ---- sizes and truncation ---- */
	{ "over 512 bytes without EDNS: TC and empty sections", "big.example.test.", LNS_T_TXT, .opts = LNS_TQ_RD,
		.flags = AA | TC | RD },
	{ "over 512 bytes fits with EDNS 1232", "big.example.test.", LNS_T_TXT, .opts = LNS_TQ_EDNS, .flags = AA,
		.an = 3 },
	{ "EDNS payload below 512 counts as 512", "big.example.test.", LNS_T_TXT, .opts = LNS_TQ_EDNS,
		.payload = 100, .flags = AA | TC },
	{ "the client's EDNS payload limits the answer", "big.example.test.", LNS_T_TXT, .opts = LNS_TQ_EDNS,
		.payload = 700, .flags = AA | TC },
	{ "the server's udp_payload caps a larger EDNS payload", "huge.example.test.", LNS_T_TXT,
		.opts = LNS_TQ_EDNS, .payload = 4096, .flags = AA | TC },
	{ "up to 65535 bytes over TCP", "huge.example.test.", LNS_T_TXT, .opts = LNS_TQ_TCP, .flags = AA, .an = 20 },

	/* ---- EDNS (RFC 6891) ---- */
	{ "EDNS: OPT in the answer", "static.example.test.", LNS_T_A, .opts = LNS_TQ_EDNS, .flags = AA, .an = 1,
		.answer = { A_STATIC } },
	{ "EDNS: DO is echoed", "static.example.test.", LNS_T_A, .opts = LNS_TQ_DO, .flags = AA, .an = 1,
		.answer = { A_STATIC } },
	{ "EDNS: version 1 is BADVERS", "static.example.test.", LNS_T_A, .opts = LNS_TQ_V1 | LNS_TQ_RD,
		.rcode = LNS_RCODE_BADVERS, .flags = RD },
	{ "EDNS: NSID answered with the node name", "static.example.test.", LNS_T_A, .opts = LNS_TQ_NSID,
		.flags = AA, .an = 1, .answer = { A_STATIC } },
	{ "EDNS: unknown options are ignored", "static.example.test.", LNS_T_A, .opts = LNS_TQ_UNKNOWN | LNS_TQ_DO,
		.flags = AA, .an = 1, .answer = { A_STATIC } },
	{ "EDNS: NSID beside unknown options", "static.example.test.", LNS_T_A,
		.opts = LNS_TQ_UNKNOWN | LNS_TQ_NSID, .flags = AA, .an = 1, .answer = { A_STATIC } },
	{ "EDNS: NSID on a truncated answer", "big.example.test.", LNS_T_TXT, .opts = LNS_TQ_NSID, .payload = 512,
		.flags = AA | TC },

	/* ---- other classes and meta types ---- */
	{ "CHAOS id.server TXT is the node name", "id.server.", LNS_T_TXT, .qclass = T_CH, .flags = AA, .an = 1,
		.answer = { "id.server. 0 CH TXT \"ns1\"" } },
	{ "CHAOS hostname.bind TXT is the node name", "HOSTNAME.bind.", LNS_T_TXT, .qclass = T_CH, .flags = AA,
		.an = 1, .answer = { "HOSTNAME.bind. 0 CH TXT \"ns1\"" } },
	{ "CHAOS version.bind TXT", "version.bind.", LNS_T_TXT, .qclass = T_CH, .flags = AA, .an = 1,
		.answer = { "version.bind. 0 CH TXT \"" PACKAGE_NAME " " PACKAGE_VERSION "\"" } },
	{ "CHAOS id.server, other type, is empty", "id.server.", LNS_T_A, .qclass = T_CH, .flags = AA },
	{ "CHAOS other name is REFUSED, EDE 21", "foo.bar.", LNS_T_TXT, .qclass = T_CH, .opts = LNS_TQ_EDNS,
		.rcode = LNS_RCODE_REFUSED, .ede = LNS_EDE_NOT_SUPPORTED },
	{ "class ANY is REFUSED, EDE 21", "static.example.test.", LNS_T_A, .qclass = 255, .opts = LNS_TQ_EDNS,
		.rcode = LNS_RCODE_REFUSED, .ede = LNS_EDE_NOT_SUPPORTED },
	{ "IXFR over UDP gets the SOA", "example.test.", LNS_T_IXFR, .flags = AA, .an = 1,
		.answer = { SOA_EXAMPLE_FULL_TTL } },
	{ "IXFR over UDP below the apex is NOTIMP", "static.example.test.", LNS_T_IXFR, .rcode = LNS_RCODE_NOTIMP },
	{ "AXFR over UDP is NOTIMP", "example.test.", LNS_T_AXFR, .rcode = LNS_RCODE_NOTIMP },
	{ "qtype OPT is FORMERR", "static.example.test.", LNS_T_OPT, .rcode = LNS_RCODE_FORMERR },
	{ "qtype TSIG is FORMERR", "static.example.test.", 250, .rcode = LNS_RCODE_FORMERR },
};

static unsigned count_given(const char *const *list, unsigned max)
{
	unsigned n = 0;
	while (n < max && list[n])
		n++;
	return n;
}

static void check_section(const ans_row_t *r, const char *what, const ldns_rr_list *rrs, const char *const *want,
	unsigned max)
{
	unsigned n = count_given(want, max);
	if (n == 0)
		return;
	T_CHECK(ldns_rr_list_rr_count(rrs) == n, "%s: %s has %zu records, expected %u", r->name, what,
		ldns_rr_list_rr_count(rrs), n);
	for (unsigned i = 0; i < n && i < ldns_rr_list_rr_count(rrs); i++) {
		char *got = lns_test_rr_text(ldns_rr_list_rr(rrs, i));
		T_CHECK(strcmp(got, want[i]) == 0, "%s: %s record %u is\n      \"%s\", expected\n      \"%s\"", r->name,
			what, i, got, want[i]);
		free(got);
	}
}

static void run_ans_row(const void *table, size_t i)
{
	const ans_row_t *r = (const ans_row_t *)table + i;
	lns_test_query_t q = { r->qname, r->qtype, r->qclass, r->opts, r->payload, (uint16_t)(0x1000 + i) };
	lns_test_resp_t *resp = ask(view, &q);
	bool edns = (r->opts & LNS_TQ_ANY_EDNS) != 0;

	T_CHECK(resp->len >= 12, "%s: no response (%zu bytes)", r->name, resp->len);
	if (resp->len < 12)
		goto out;
	T_CHECK(resp->well_formed, "%s: the response is not well formed", r->name);
	T_CHECK(resp->pkt != NULL, "%s: ldns cannot parse the response", r->name);
	T_CHECK(resp->id == q.id, "%s: id %#x, expected %#x", r->name, resp->id, q.id);
	T_CHECK(resp->flags & LNS_F_QR, "%s: QR is clear", r->name);
	T_CHECK(((resp->flags >> 11) & 0xf) == 0, "%s: opcode %u", r->name, (resp->flags >> 11) & 0xf);
	unsigned flags = resp->flags & (AA | TC | RD | CD);
	T_CHECK(flags == r->flags, "%s: flags AA=%d TC=%d RD=%d CD=%d, expected AA=%d TC=%d RD=%d CD=%d", r->name,
		!!(flags & AA), !!(flags & TC), !!(flags & RD), !!(flags & CD), !!(r->flags & AA), !!(r->flags & TC),
		!!(r->flags & RD), !!(r->flags & CD));
	T_CHECK(resp->rcode == r->rcode, "%s: rcode %d, expected %d", r->name, resp->rcode, r->rcode);
	T_CHECK((resp->flags & 0x00e0) == 0, "%s: RA/Z/AD bits set (%#x)", r->name, resp->flags);

	/* OPT only when the query had one, with our payload and its DO bit */
	bool want_opt = edns && r->rcode != LNS_RCODE_FORMERR;
	T_CHECK(resp->opt == want_opt, "%s: OPT %s", r->name, resp->opt ? "present" : "missing");
	T_CHECK(resp->n_opt <= 1, "%s: %u OPT records", r->name, resp->n_opt);
	if (resp->opt) {
		T_CHECK(resp->opt_payload == 1232, "%s: OPT payload %u, expected 1232", r->name, resp->opt_payload);
		T_CHECK(resp->opt_version == 0, "%s: OPT version %u", r->name, resp->opt_version);
		T_CHECK(resp->opt_do == ((r->opts & LNS_TQ_DO) != 0), "%s: DO %d", r->name, resp->opt_do);
		const uint8_t *d;
		uint16_t dl;
		bool nsid = lns_test_resp_option(resp, LNS_EDNS_NSID, &d, &dl);
		T_CHECK(nsid == ((r->opts & LNS_TQ_NSID) != 0), "%s: NSID %s", r->name, nsid ? "present" : "missing");
		if (nsid)
			T_CHECK(dl == 3 && memcmp(d, "ns1", 3) == 0, "%s: NSID \"%.*s\"", r->name, (int)dl, (const char *)d);
		bool ede = lns_test_resp_option(resp, LNS_EDNS_EDE, &d, &dl);
		T_CHECK(ede == (r->ede != 0), "%s: EDE %s", r->name, ede ? "present" : "missing");
		if (ede && r->ede)
			T_CHECK(dl >= 2 && ((d[0] << 8) | d[1]) == r->ede, "%s: EDE info code %d, expected %d", r->name,
				dl >= 2 ? (d[0] << 8) | d[1] : -1, r->ede);
		T_CHECK(!lns_test_resp_option(resp, 10, &d, &dl), "%s: a cookie came back", r->name);
	}

	/* the question, as asked */
	T_CHECK(resp->qd == 1, "%s: QDCOUNT %u", r->name, resp->qd);
	if (resp->pkt && ldns_rr_list_rr_count(ldns_pkt_question(resp->pkt)) == 1) {
		const ldns_rr *qr = ldns_rr_list_rr(ldns_pkt_question(resp->pkt), 0);
		char *qn = ldns_rdf2str(ldns_rr_owner(qr));
		T_CHECK(strcmp(qn, r->qname) == 0, "%s: question name %s, expected %s", r->name, qn, r->qname);
		T_CHECK(ldns_rr_get_type(qr) == r->qtype, "%s: question type %d", r->name, ldns_rr_get_type(qr));
		T_CHECK(ldns_rr_get_class(qr) == (r->qclass ? r->qclass : T_IN), "%s: question class %d", r->name,
			ldns_rr_get_class(qr));
		free(qn);
	}

	/* counts from the header as sent, OPT taken out */
	int ar = resp->ar - (resp->opt ? 1 : 0);
	T_CHECK(resp->an == r->an, "%s: ANCOUNT %u, expected %d", r->name, resp->an, r->an);
	T_CHECK(resp->ns == r->ns, "%s: NSCOUNT %u, expected %d", r->name, resp->ns, r->ns);
	T_CHECK(ar == r->ar, "%s: ARCOUNT %d without OPT, expected %d", r->name, ar, r->ar);
	if (resp->flags & TC)
		T_CHECK(resp->an == 0 && resp->ns == 0 && ar == 0, "%s: TC with records", r->name);

	/* the UDP size limits */
	size_t limit = (r->opts & LNS_TQ_TCP) ? 65535 : !edns ? 512 : 1232;
	if (edns && r->payload && r->payload < 1232)
		limit = r->payload < 512 ? 512 : r->payload;
	T_CHECK(resp->len <= limit, "%s: %zu bytes, over the limit %zu", r->name, resp->len, limit);

	if (resp->pkt) {
		check_section(r, "answer", ldns_pkt_answer(resp->pkt), r->answer, N_ELEMS(r->answer));
		check_section(r, "authority", ldns_pkt_authority(resp->pkt), r->authority, N_ELEMS(r->authority));
		check_section(r, "additional", ldns_pkt_additional(resp->pkt), r->additional, N_ELEMS(r->additional));
	}
out:
	lns_test_resp_free(resp);
}

/* ---- the same rules, one at a time, where a table does not fit ---- */

static void test_answer_compression(void)
{
	/* many records: every owner and every name in RDATA after the first
	 * occurrence becomes a pointer */
	lns_test_query_t q = { "example.test.", LNS_T_ANY, 0, LNS_TQ_TCP, 0, 0 };
	lns_test_resp_t *r = ask(view, &q);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r->pkt);
	size_t plain = 12 + ldns_rdf_size(ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(r->pkt), 0))) + 4;
	for (size_t i = 0; i < ldns_rr_list_rr_count(ldns_pkt_answer(r->pkt)); i++)
		plain += lns_test_rr_wire_size(ldns_rr_list_rr(ldns_pkt_answer(r->pkt), i));
	T_CHECK(r->len < plain, "ANY over TCP: %zu bytes compressed, %zu without", r->len, plain);
	T_CHECK(r->len + 9 * 12 <= plain, "ANY over TCP: %zu bytes; each of 9 owners should save 12 (of %zu)", r->len,
		plain);
	/* the first owner is a pointer to the question */
	size_t qend = 12 + 14 + 4;
	CU_ASSERT(r->len > qend + 2 && r->wire[qend] == 0xc0 && r->wire[qend + 1] == 12);
	lns_test_resp_free(r);

	/* referral: owner, NS targets and glue owners compress against each other */
	lns_test_query_t q2 = { "x.bigcut.example.test.", LNS_T_A, 0, LNS_TQ_EDNS, 0, 0 };
	r = ask(view, &q2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r->pkt);
	plain = 12 + 23 + 4 + 11;
	for (int s = 0; s < 2; s++) {
		const ldns_rr_list *l = s ? ldns_pkt_additional(r->pkt) : ldns_pkt_authority(r->pkt);
		for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++)
			plain += lns_test_rr_wire_size(ldns_rr_list_rr(l, i));
	}
	T_CHECK(r->len * 2 < plain, "referral: %zu bytes compressed, %zu without", r->len, plain);
	CU_ASSERT_EQUAL(ldns_rr_list_rr_count(ldns_pkt_additional(r->pkt)), 12);
	lns_test_resp_free(r);

	/* SRV targets must not be compressed (RFC 2782), DNAME targets neither (RFC 6672 2.5) */
	lns_test_query_t q3 = { "_sip._tcp.example.test.", LNS_T_SRV, 0, 0, 0, 0 };
	r = ask(view, &q3);
	const uint8_t target[] = "\4mail\7example\4test";
	CU_ASSERT(memmem(r->wire, r->len, target, sizeof(target)) != NULL);
	lns_test_resp_free(r);
	lns_test_query_t q4 = { "www.olddn.example.test.", LNS_T_A, 0, 0, 0, 0 };
	r = ask(view, &q4);
	/* the DNAME RR: owner pointer, type 39, class, ttl, rdlength 14, target in full */
	const uint8_t dname_rr[] = { 0, 39, 0, 1, 0, 0, 0x03, 0x84, 0, 14, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e',
		's', 't', 0 };
	CU_ASSERT(memmem(r->wire, r->len, dname_rr, sizeof(dname_rr)) != NULL);
	lns_test_resp_free(r);
}

static void test_answer_ede_only_with_edns(void)
{
	lns_test_query_t q = { "www.example.net.", LNS_T_A, 0, 0, 0, 0 };
	lns_test_resp_t *r = ask(view, &q);
	CU_ASSERT_EQUAL(r->rcode, LNS_RCODE_REFUSED);
	CU_ASSERT_FALSE(r->opt);
	CU_ASSERT_EQUAL(r->ar, 0);
	CU_ASSERT_EQUAL(r->len, 12 + 17 + 4);
	lns_test_resp_free(r);
}

static void test_answer_badvers_extended_rcode(void)
{
	lns_test_query_t q = { "static.example.test.", LNS_T_A, 0, LNS_TQ_V1, 0, 0 };
	lns_test_resp_t *r = ask(view, &q);
	CU_ASSERT_EQUAL(r->flags & 0xf, 0);      /* lower bits in the header */
	CU_ASSERT_EQUAL(r->opt_ext_rcode, 1);    /* 16 >> 4 in OPT */
	CU_ASSERT_PTR_NOT_NULL_FATAL(r->pkt);
	CU_ASSERT_EQUAL(ldns_pkt_edns_extended_rcode(r->pkt), 1);
	lns_test_resp_free(r);
}

static void test_answer_nsid_off(void)
{
	/* nsid = false: no NSID even when asked; the node name still shows in CHAOS */
	char *dir = lns_test_mkdtemp();
	char *other = src_path("tests/unit/other.zone");
	char text[1024];
	snprintf(text, sizeof(text),
		"server: { node = \"quiet\"; nsid = false; udp_payload = 1400; };\n"
		"zones = ( { name = \"other.test\"; file = \"%s\"; } );\n",
		other);
	char *conf = lns_test_write(dir, "l.conf", text);
	lns_err_t err = { "" };
	lns_view_t *v = view_load(conf, &err);
	T_CHECK(v != NULL, "load: %s", err.msg);
	if (v) {
		lns_test_query_t q = { "www.other.test.", LNS_T_A, 0, LNS_TQ_NSID, 4096, 0 };
		lns_test_resp_t *r = ask(v, &q);
		const uint8_t *d;
		uint16_t dl;
		CU_ASSERT(r->opt);
		CU_ASSERT_EQUAL(r->opt_payload, 1400);
		CU_ASSERT_FALSE(lns_test_resp_option(r, LNS_EDNS_NSID, &d, &dl));
		CU_ASSERT_EQUAL(r->an, 1);
		lns_test_resp_free(r);
		lns_test_query_t c = { "id.server.", LNS_T_TXT, T_CH, 0, 0, 0 };
		r = ask(v, &c);
		CU_ASSERT_PTR_NOT_NULL(r->pkt);
		if (r->pkt && ldns_pkt_ancount(r->pkt) == 1) {
			char *s = lns_test_rr_text(ldns_rr_list_rr(ldns_pkt_answer(r->pkt), 0));
			CU_ASSERT_STRING_EQUAL(s, "id.server. 0 CH TXT \"quiet\"");
			free(s);
		}
		lns_test_resp_free(r);
	}
	lns_view_free(v);
	free(conf);
	free(other);
	lns_test_rmtree(dir);
	free(dir);
}

static void test_answer_into_a_512_byte_buffer(void)
{
	/* the smallest buffer a caller may pass: even TCP answers stay inside */
	memset(shared->buf, 0xee, sizeof(shared->buf));
	lns_test_query_t q = { "huge.example.test.", LNS_T_TXT, 0, LNS_TQ_TCP | LNS_TQ_NSID, 0, 0 };
	lns_test_resp_t *r = ask_with(view, &q, 512);
	CU_ASSERT(r->len <= 512);
	CU_ASSERT(r->flags & TC);
	CU_ASSERT_EQUAL(shared->buf[512], 0xee);
	lns_test_resp_free(r);
}

/* ---- malformed queries ---- */

static size_t base_query(uint8_t *w, unsigned opts)
{
	lns_test_query_t q = { "static.example.test.", LNS_T_A, 0, opts, 0, 0x7777 };
	return lns_test_query_wire(&q, w, 512);
}

static const uint8_t opt_rr[] = { 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0 };

static size_t m_qr(uint8_t *w)
{
	size_t n = base_query(w, LNS_TQ_RD);
	w[2] |= 0x80;
	return n;
}
static size_t m_short(uint8_t *w)
{
	base_query(w, 0);
	return 11;
}
static size_t m_empty(uint8_t *w)
{
	(void)w;
	return 0;
}
static size_t m_qd0(uint8_t *w)
{
	base_query(w, LNS_TQ_RD);
	w[5] = 0;
	return 12;
}
static size_t m_qd0_with_data(uint8_t *w)
{
	size_t n = base_query(w, 0);
	w[5] = 0;
	return n;
}
static size_t m_qd2(uint8_t *w)
{
	size_t n = base_query(w, 0);
	memcpy(w + n, w + 12, n - 12);
	w[5] = 2;
	return n + n - 12;
}
static size_t m_notify(uint8_t *w)
{
	size_t n = base_query(w, 0);
	w[2] = (uint8_t)((w[2] & 0x87) | (4 << 3));
	return n;
}
static size_t m_update(uint8_t *w)
{
	size_t n = base_query(w, 0);
	w[2] = (uint8_t)((w[2] & 0x87) | (5 << 3));
	return n;
}
static size_t m_trunc_qclass(uint8_t *w)
{
	return base_query(w, 0) - 2;
}
static size_t m_trunc_name(uint8_t *w)
{
	base_query(w, 0);
	return 12 + 5;
}
static size_t m_name_no_root(uint8_t *w)
{
	base_query(w, 0);
	return 12 + 20; /* the whole name but its root label */
}
static size_t m_pointer_in_question(uint8_t *w)
{
	base_query(w, 0);
	w[12] = 0xc0;
	w[13] = 12;
	return 12 + 2 + 4;
}
static size_t m_label_64(uint8_t *w)
{
	size_t n = base_query(w, 0);
	w[12] = 64;
	return n;
}
static size_t m_name_256(uint8_t *w)
{
	/* 4 labels of 63 + 1 of 2 = 258 bytes with the root */
	size_t o = 12;
	memset(w, 0, 12);
	w[0] = 0x77, w[1] = 0x77, w[5] = 1;
	for (int l = 0; l < 4; l++) {
		w[o++] = 63;
		memset(w + o, 'a', 63);
		o += 63;
	}
	w[o++] = 1;
	w[o++] = 'b';
	w[o++] = 0;
	w[o++] = 0, w[o++] = 1, w[o++] = 0, w[o++] = 1;
	return o;
}
static size_t m_two_opts(uint8_t *w)
{
	size_t n = base_query(w, LNS_TQ_EDNS);
	memcpy(w + n, opt_rr, sizeof(opt_rr));
	w[11] = 2;
	return n + sizeof(opt_rr);
}
static size_t m_opt_in_answer(uint8_t *w)
{
	size_t n = base_query(w, 0);
	memcpy(w + n, opt_rr, sizeof(opt_rr));
	w[7] = 1;
	return n + sizeof(opt_rr);
}
static size_t m_opt_owner(uint8_t *w)
{
	size_t n = base_query(w, 0);
	w[n] = 0xc0, w[n + 1] = 12; /* owner: the question name */
	memcpy(w + n + 2, opt_rr + 1, sizeof(opt_rr) - 1);
	w[11] = 1;
	return n + 1 + sizeof(opt_rr);
}
static size_t m_opt_option_overrun(uint8_t *w)
{
	size_t n = base_query(w, 0);
	memcpy(w + n, opt_rr, sizeof(opt_rr));
	w[n + 10] = 4; /* RDLENGTH 4: one option claiming 8 bytes */
	const uint8_t o[] = { 0, 3, 0, 8 };
	memcpy(w + n + 11, o, 4);
	w[11] = 1;
	return n + sizeof(opt_rr) + 4;
}
static size_t m_opt_short_option(uint8_t *w)
{
	size_t n = base_query(w, 0);
	memcpy(w + n, opt_rr, sizeof(opt_rr));
	w[n + 10] = 2; /* two bytes cannot hold an option header */
	w[n + 11] = 0, w[n + 12] = 3;
	w[11] = 1;
	return n + sizeof(opt_rr) + 2;
}
static size_t m_ar_runs_past_end(uint8_t *w)
{
	size_t n = base_query(w, 0);
	memcpy(w + n, opt_rr, sizeof(opt_rr));
	w[n + 10] = 40; /* RDLENGTH past the end */
	w[11] = 1;
	return n + sizeof(opt_rr);
}
static size_t m_arcount_without_records(uint8_t *w)
{
	size_t n = base_query(w, 0);
	w[11] = 3;
	return n;
}
static size_t m_ok_with_trailing_bytes(uint8_t *w)
{
	size_t n = base_query(w, 0);
	w[n] = 0xab, w[n + 1] = 0xcd;
	return n + 2;
}
static size_t m_ok_with_authority(uint8_t *w)
{
	/* an IXFR-style SOA in the authority section is walked over */
	size_t n = base_query(w, 0);
	const uint8_t soa[] = { 0xc0, 12, 0, 6, 0, 1, 0, 0, 0, 0, 0, 22, /* owner type class ttl rdlength */
		0, 0,                                                     /* MNAME and RNAME: the root */
		0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5 };
	memcpy(w + n, soa, sizeof(soa));
	w[9] = 1;
	return n + sizeof(soa);
}

enum { DROP = -1 };
static const struct mal_row {
	const char *name;
	size_t (*build)(uint8_t *w);
	int rcode;     /* DROP: no response at all */
	unsigned qd;   /* QDCOUNT of the response */
	unsigned flags_echo; /* opcode/RD bits that must come back */
} mal_rows[] = {
	{ "QR set: dropped", m_qr, DROP, 0, 0 },
	{ "shorter than a header: dropped", m_short, DROP, 0, 0 },
	{ "empty: dropped", m_empty, DROP, 0, 0 },
	{ "QDCOUNT 0: FORMERR", m_qd0, LNS_RCODE_FORMERR, 0, LNS_F_RD },
	{ "QDCOUNT 0 with a question after the header: FORMERR", m_qd0_with_data, LNS_RCODE_FORMERR, 0, 0 },
	{ "QDCOUNT 2: FORMERR", m_qd2, LNS_RCODE_FORMERR, 0, 0 },
	{ "opcode NOTIFY: NOTIMP", m_notify, LNS_RCODE_NOTIMP, 0, 4 << 11 },
	{ "opcode UPDATE: NOTIMP", m_update, LNS_RCODE_NOTIMP, 0, 5 << 11 },
	{ "question without its class: FORMERR", m_trunc_qclass, LNS_RCODE_FORMERR, 0, 0 },
	{ "question name cut short: FORMERR", m_trunc_name, LNS_RCODE_FORMERR, 0, 0 },
	{ "question name without its root label: FORMERR", m_name_no_root, LNS_RCODE_FORMERR, 0, 0 },
	{ "compression pointer in the question: FORMERR", m_pointer_in_question, LNS_RCODE_FORMERR, 0, 0 },
	{ "label of 64 in the question: FORMERR", m_label_64, LNS_RCODE_FORMERR, 0, 0 },
	{ "question name over 255 bytes: FORMERR", m_name_256, LNS_RCODE_FORMERR, 0, 0 },
	{ "two OPT records: FORMERR", m_two_opts, LNS_RCODE_FORMERR, 0, 0 },
	{ "OPT in the answer section: FORMERR", m_opt_in_answer, LNS_RCODE_FORMERR, 0, 0 },
	{ "OPT with a non-root owner: FORMERR", m_opt_owner, LNS_RCODE_FORMERR, 0, 0 },
	{ "EDNS option running past the OPT: FORMERR", m_opt_option_overrun, LNS_RCODE_FORMERR, 0, 0 },
	{ "EDNS option header cut short: FORMERR", m_opt_short_option, LNS_RCODE_FORMERR, 0, 0 },
	{ "record running past the end: FORMERR", m_ar_runs_past_end, LNS_RCODE_FORMERR, 0, 0 },
	{ "ARCOUNT without the records: FORMERR", m_arcount_without_records, LNS_RCODE_FORMERR, 0, 0 },
	{ "trailing bytes after the question are ignored", m_ok_with_trailing_bytes, 0, 1, 0 },
	{ "a record in the authority section is walked over", m_ok_with_authority, 0, 1, 0 },
};

static void run_mal_row(const void *table, size_t i)
{
	const struct mal_row *r = (const struct mal_row *)table + i;
	uint8_t w[1024];
	memset(w, 0, sizeof(w));
	size_t n = r->build(w);
	lns_test_resp_t *resp = answer_raw(view, w, n, false);
	if (r->rcode == DROP) {
		T_CHECK(resp->len == 0, "%s: answered with %zu bytes", r->name, resp->len);
		lns_test_resp_free(resp);
		return;
	}
	T_CHECK(resp->len >= 12, "%s: %zu bytes", r->name, resp->len);
	if (resp->len >= 12) {
		T_CHECK(resp->id == 0x7777, "%s: id %#x", r->name, resp->id);
		T_CHECK(resp->flags & LNS_F_QR, "%s: QR clear", r->name);
		T_CHECK(resp->rcode == r->rcode, "%s: rcode %d, expected %d", r->name, resp->rcode, r->rcode);
		T_CHECK((resp->flags & r->flags_echo) == r->flags_echo, "%s: flags %#x do not echo %#x", r->name,
			resp->flags, r->flags_echo);
		T_CHECK(resp->qd == r->qd, "%s: QDCOUNT %u, expected %u", r->name, resp->qd, r->qd);
		T_CHECK(resp->well_formed, "%s: the response is not well formed", r->name);
		if (r->rcode != 0) {
			T_CHECK(resp->len == 12, "%s: %zu bytes, expected the header only", r->name, resp->len);
			T_CHECK(resp->an == 0 && resp->ns == 0 && resp->ar == 0, "%s: records in an error", r->name);
			T_CHECK(!(resp->flags & (LNS_F_AA | LNS_F_TC)), "%s: AA or TC in an error", r->name);
		}
	}
	lns_test_resp_free(resp);
}

/* ======================================================================
 * zone transfers
 * ====================================================================== */

typedef struct xfr {
	lns_test_resp_t *msg[64];
	unsigned n;
	size_t max_len;
	bool framing_ok;
	ldns_rr_list *rrs; /* every answer record, in order (owned by the messages) */
} xfr_t;

static void xfr_run(xfr_t *x, const lns_view_t *v, const lns_test_query_t *q, const struct sockaddr *peer)
{
	uint8_t wire[512];
	size_t len = lns_test_query_wire(q, wire, sizeof(wire));
	CU_ASSERT_FATAL(len > 0);
	uint8_t *buf = NULL;
	size_t blen = 0, bcap = 0;
	lns_axfr_stream(v, wire, len, peer, &buf, &blen, &bcap);
	memset(x, 0, sizeof(*x));
	x->framing_ok = true;
	x->rrs = ldns_rr_list_new();
	size_t off = 0;
	while (off + 2 <= blen && x->n < N_ELEMS(x->msg)) {
		size_t m = (size_t)((buf[off] << 8) | buf[off + 1]);
		if (off + 2 + m > blen) {
			x->framing_ok = false;
			break;
		}
		lns_test_resp_t *r = lns_test_resp_read(buf + off + 2, m);
		x->msg[x->n++] = r;
		if (m > x->max_len)
			x->max_len = m;
		if (r->pkt)
			for (size_t i = 0; i < ldns_rr_list_rr_count(ldns_pkt_answer(r->pkt)); i++)
				ldns_rr_list_push_rr(x->rrs, ldns_rr_list_rr(ldns_pkt_answer(r->pkt), i));
		off += 2 + m;
	}
	if (off != blen)
		x->framing_ok = false;
	free(buf);
}

static void xfr_free(xfr_t *x)
{
	ldns_rr_list_free(x->rrs); /* the records belong to the messages' packets */
	for (unsigned i = 0; i < x->n; i++)
		lns_test_resp_free(x->msg[i]);
}

static bool rr_is(const ldns_rr *rr, const uint8_t *name, size_t name_len, uint16_t type)
{
	const ldns_rdf *o = ldns_rr_owner(rr);
	return ldns_rr_get_type(rr) == type && ldns_rdf_size(o) == name_len &&
		lns_dname_equal(ldns_rdf_data(o), name);
}

/* Every record of zone z appears in x exactly as often as it is in the zone
 * (the SOA twice); returns how many were missing or extra. */
static unsigned xfr_coverage(const xfr_t *x, const lns_zone_t *z, size_t *zone_records)
{
	unsigned bad = 0;
	*zone_records = 0;
	for (unsigned n = 0; n < z->n_nodes; n++) {
		const lns_node_t *node = z->nodes[n];
		for (unsigned k = 0; k < node->n_rrsets; k++) {
			const lns_rrset_t *rs = &node->rrsets[k];
			size_t want = rs->count + (rs->type == LNS_T_SOA ? 1u : 0u), got = 0;
			*zone_records += rs->count;
			for (size_t i = 0; i < ldns_rr_list_rr_count(x->rrs); i++)
				got += rr_is(ldns_rr_list_rr(x->rrs, i), node->name, node->name_len, rs->type);
			if (got != want) {
				char name[1024];
				T_CHECK(false, "AXFR: %s type %u: %zu records, expected %zu",
					lns_dname_render(node->name, name, sizeof(name)), rs->type, got, want);
				bad++;
			}
		}
	}
	return bad;
}

static void check_xfr_messages(const xfr_t *x, const char *what, int rcode, bool edns)
{
	T_CHECK(x->framing_ok, "%s: bad TCP length framing", what);
	for (unsigned i = 0; i < x->n; i++) {
		const lns_test_resp_t *m = x->msg[i];
		T_CHECK(m->pkt != NULL && m->well_formed, "%s: message %u cannot be parsed", what, i);
		T_CHECK(m->rcode == rcode, "%s: message %u rcode %d, expected %d", what, i, m->rcode, rcode);
		T_CHECK((m->flags & LNS_F_QR) && !(m->flags & LNS_F_TC), "%s: message %u flags %#x", what, i, m->flags);
		T_CHECK(rcode != 0 || (m->flags & LNS_F_AA), "%s: message %u without AA", what, i);
		T_CHECK(m->id == 0x4c4e, "%s: message %u id %#x", what, i, m->id);
		T_CHECK(m->qd == 1, "%s: message %u QDCOUNT %u", what, i, m->qd);
		T_CHECK(m->opt == edns, "%s: message %u OPT %s", what, i, m->opt ? "present" : "missing");
		T_CHECK(m->len <= 16384, "%s: message %u is %zu bytes", what, i, m->len);
		T_CHECK(m->ns == 0 && m->ar == (edns ? 1 : 0), "%s: message %u NS %u AR %u", what, i, m->ns, m->ar);
	}
}

static void check_soa_ends(const xfr_t *x, const char *what)
{
	size_t n = ldns_rr_list_rr_count(x->rrs);
	T_CHECK(n >= 2, "%s: %zu records", what, n);
	if (n < 2)
		return;
	T_CHECK(ldns_rr_get_type(ldns_rr_list_rr(x->rrs, 0)) == LDNS_RR_TYPE_SOA, "%s: does not start with the SOA", what);
	T_CHECK(ldns_rr_get_type(ldns_rr_list_rr(x->rrs, n - 1)) == LDNS_RR_TYPE_SOA, "%s: does not end with the SOA",
		what);
	T_CHECK(ldns_rr_compare(ldns_rr_list_rr(x->rrs, 0), ldns_rr_list_rr(x->rrs, n - 1)) == 0,
		"%s: first and last SOA differ", what);
	for (size_t i = 1; i + 1 < n; i++)
		T_CHECK(ldns_rr_get_type(ldns_rr_list_rr(x->rrs, i)) != LDNS_RR_TYPE_SOA, "%s: SOA at record %zu", what, i);
}

static void test_axfr_allowed_peer(void)
{
	struct sockaddr_in sin = peer4("127.0.0.1");
	lns_test_query_t q = { "example.test.", LNS_T_AXFR, 0, 0, 0, 0 };
	xfr_t x;
	xfr_run(&x, view, &q, (struct sockaddr *)&sin);
	check_xfr_messages(&x, "AXFR", 0, false);
	check_soa_ends(&x, "AXFR");
	size_t zone_records;
	const lns_zone_t *z = view->zones->zones[0];
	CU_ASSERT_EQUAL(xfr_coverage(&x, z, &zone_records), 0);
	T_CHECK(ldns_rr_list_rr_count(x.rrs) == zone_records + 1, "AXFR: %zu records for a zone of %zu",
		ldns_rr_list_rr_count(x.rrs), zone_records);
	/* nothing of the served child zone: it is not part of this zone */
	for (size_t i = 0; i < ldns_rr_list_rr_count(x.rrs); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(x.rrs, i);
		T_CHECK(!(rr_is(rr, (const uint8_t *)"\3www\6served\7example\4test", 26, LNS_T_A)),
			"AXFR: record of the child zone");
	}
	xfr_free(&x);
}

static void test_axfr_ixfr_and_ipv6_and_edns(void)
{
	/* IXFR is answered with the whole zone (RFC 1995 4), ::1 is allowed,
	 * and with EDNS every message carries an OPT */
	struct sockaddr_in6 sin6 = peer6("::1");
	lns_test_query_t q = { "Example.TEST.", LNS_T_IXFR, 0, LNS_TQ_EDNS, 0, 0 };
	xfr_t x;
	xfr_run(&x, view, &q, (struct sockaddr *)&sin6);
	check_xfr_messages(&x, "IXFR", 0, true);
	check_soa_ends(&x, "IXFR");
	size_t zone_records;
	CU_ASSERT_EQUAL(xfr_coverage(&x, view->zones->zones[0], &zone_records), 0);
	xfr_free(&x);
}

static const struct xref_row {
	const char *name;
	const char *qname;
	const char *peer;
	unsigned opts;
	int rcode;
	int ede; /* 0: none */
} xref_rows[] = {
	{ "a peer not in allow_transfer is REFUSED", "example.test.", "127.0.0.2", 0, LNS_RCODE_REFUSED, 0 },
	{ "a peer not in allow_transfer is REFUSED, EDE 18 with EDNS", "example.test.", "192.0.2.1", LNS_TQ_EDNS,
		LNS_RCODE_REFUSED, LNS_EDE_PROHIBITED },
	{ "an IPv6 peer not in allow_transfer is REFUSED", "example.test.", "::2", 0, LNS_RCODE_REFUSED, 0 },
	{ "a zone without allow_transfer is REFUSED", "other.test.", "127.0.0.1", 0, LNS_RCODE_REFUSED, 0 },
	{ "a name below the apex is NOTAUTH", "static.example.test.", "127.0.0.1", 0, 9, 0 },
	{ "a name outside the zones is REFUSED", "example.net.", "127.0.0.1", 0, LNS_RCODE_REFUSED, 0 },
};

static void run_xref_row(const void *table, size_t i)
{
	const struct xref_row *r = (const struct xref_row *)table + i;
	struct sockaddr_storage ss;
	if (strchr(r->peer, ':')) {
		struct sockaddr_in6 s6 = peer6(r->peer);
		memcpy(&ss, &s6, sizeof(s6));
	} else {
		struct sockaddr_in s4 = peer4(r->peer);
		memcpy(&ss, &s4, sizeof(s4));
	}
	lns_test_query_t q = { r->qname, LNS_T_AXFR, 0, r->opts, 0, 0 };
	xfr_t x;
	xfr_run(&x, view, &q, (struct sockaddr *)&ss);
	T_CHECK(x.n == 1, "%s: %u messages, expected one", r->name, x.n);
	check_xfr_messages(&x, r->name, r->rcode, (r->opts & LNS_TQ_ANY_EDNS) != 0);
	if (x.n >= 1) {
		const lns_test_resp_t *m = x.msg[0];
		T_CHECK(m->an == 0, "%s: %u records in a refusal", r->name, m->an);
		T_CHECK(!(m->flags & LNS_F_AA), "%s: AA in a refusal", r->name);
		const uint8_t *d;
		uint16_t dl;
		bool ede = lns_test_resp_option(m, LNS_EDNS_EDE, &d, &dl);
		T_CHECK(ede == (r->ede != 0), "%s: EDE %s", r->name, ede ? "present" : "missing");
		if (ede && r->ede && dl >= 2)
			T_CHECK(((d[0] << 8) | d[1]) == r->ede, "%s: EDE %d", r->name, (d[0] << 8) | d[1]);
	}
	xfr_free(&x);
}

static void test_axfr_large_zone_split(void)
{
	/* a zone of a few thousand records goes out in several messages, each
	 * within 16 KiB, every record once */
	enum { HOSTS = 3000 };
	size_t cap = 200 + HOSTS * 64, o = 0;
	char *text = malloc(cap);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	o += (size_t)snprintf(text + o, cap - o, ZHEAD);
	for (unsigned i = 0; i < HOSTS; i++)
		o += (size_t)snprintf(text + o, cap - o, "host-%04u TXT \"record number %u of the large zone\"\n", i, i);
	zfiles_t z;
	zload(&z, text, NULL);
	free(text);
	T_CHECK(z.rc == 0, "load: %s", z.err.msg);
	if (!z.view) {
		zfree(&z);
		return;
	}
	struct sockaddr_in sin = peer4("127.0.0.1");
	lns_test_query_t q = { "example.test.", LNS_T_AXFR, 0, 0, 0, 0 };
	xfr_t x;
	xfr_run(&x, z.view, &q, (struct sockaddr *)&sin);
	check_xfr_messages(&x, "large AXFR", 0, false);
	check_soa_ends(&x, "large AXFR");
	T_CHECK(x.n >= 5, "large AXFR: %u messages", x.n);
	T_CHECK(x.max_len <= 16384 && x.max_len > 12000, "large AXFR: largest message %zu bytes", x.max_len);
	T_CHECK(ldns_rr_list_rr_count(x.rrs) == HOSTS + 4, "large AXFR: %zu records, expected %d",
		ldns_rr_list_rr_count(x.rrs), HOSTS + 4);
	unsigned char seen[HOSTS] = { 0 };
	unsigned bad = 0;
	for (size_t i = 0; i < ldns_rr_list_rr_count(x.rrs); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(x.rrs, i);
		const uint8_t *o1 = ldns_rdf_data(ldns_rr_owner(rr));
		unsigned k;
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_TXT && o1[0] == 9 &&
		    sscanf((const char *)o1 + 1, "host-%4u", &k) == 1 && k < HOSTS)
			seen[k]++;
	}
	for (unsigned i = 0; i < HOSTS; i++)
		bad += seen[i] != 1;
	T_CHECK(bad == 0, "large AXFR: %u hosts missing or repeated", bad);
	size_t zone_records;
	CU_ASSERT_EQUAL(xfr_coverage(&x, z.view->zones->zones[0], &zone_records), 0);
	xfr_free(&x);
	zfree(&z);
}

static void test_axfr_record_over_16k(void)
{
	/* A record may hold up to 65535 bytes of RDATA and a TCP message may be
	 * 65535 bytes long: a TXT record of 17.5 KB (70 strings, one zone file
	 * record in parentheses) must still go out, in a message of its own. */
	enum { STRINGS = 70 };
	size_t cap = 512 + STRINGS * 260, o = 0;
	char *text = malloc(cap);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	o += (size_t)snprintf(text + o, cap - o, ZHEAD "small TXT \"small\"\nlarge TXT (\n");
	for (unsigned i = 0; i < STRINGS; i++) {
		text[o++] = ' ';
		text[o++] = '"';
		memset(text + o, 'a' + (int)(i % 26), 250);
		o += 250;
		text[o++] = '"';
		text[o++] = '\n';
	}
	o += (size_t)snprintf(text + o, cap - o, ")\nafter TXT \"after\"\n");
	zfiles_t z;
	zload(&z, text, NULL);
	free(text);
	T_CHECK(z.rc == 0, "load: %s", z.err.msg);
	if (!z.view) {
		zfree(&z);
		return;
	}
	/* an ordinary TCP query gets it */
	lns_test_query_t tq = { "large.example.test.", LNS_T_TXT, 0, LNS_TQ_TCP, 0, 0 };
	lns_test_resp_t *r = ask(z.view, &tq);
	T_CHECK(r->an == 1 && !(r->flags & LNS_F_TC) && r->len > 17570, "TCP query: ANCOUNT %u, %zu bytes", r->an,
		r->len);
	lns_test_resp_free(r);

	struct sockaddr_in sin = peer4("127.0.0.1");
	lns_test_query_t q = { "example.test.", LNS_T_AXFR, 0, 0, 0, 0 };
	xfr_t x;
	xfr_run(&x, z.view, &q, (struct sockaddr *)&sin);
	T_CHECK(x.framing_ok, "AXFR with a 17.5 KB record: bad TCP framing");
	for (unsigned i = 0; i < x.n; i++)
		T_CHECK(x.msg[i]->pkt && x.msg[i]->well_formed,
			"AXFR with a 17.5 KB record: message %u (%zu bytes, ANCOUNT %u) is malformed", i, x.msg[i]->len,
			x.msg[i]->an);
	check_soa_ends(&x, "AXFR with a 17.5 KB record");
	size_t zone_records;
	CU_ASSERT_EQUAL(xfr_coverage(&x, z.view->zones->zones[0], &zone_records), 0);
	T_CHECK(ldns_rr_list_rr_count(x.rrs) == zone_records + 1, "AXFR with a 17.5 KB record: %zu records of %zu",
		ldns_rr_list_rr_count(x.rrs), zone_records + 1);
	xfr_free(&x);
	zfree(&z);
}

static const struct isx_row {
	const char *name;
	const char *qname;
	uint16_t qtype, qclass;
	bool is_xfr;
} isx_rows[] = {
	{ "AXFR IN", "example.test.", LNS_T_AXFR, 0, true },
	{ "IXFR IN", "example.test.", LNS_T_IXFR, 0, true },
	{ "AXFR for any name", "www.example.net.", LNS_T_AXFR, 0, true },
	{ "A query", "example.test.", LNS_T_A, 0, false },
	{ "SOA query", "example.test.", LNS_T_SOA, 0, false },
	{ "AXFR in class CH", "example.test.", LNS_T_AXFR, T_CH, false },
};

static void run_isx_row(const void *table, size_t i)
{
	const struct isx_row *r = (const struct isx_row *)table + i;
	uint8_t w[512];
	lns_test_query_t q = { r->qname, r->qtype, r->qclass, 0, 0, 0 };
	size_t n = lns_test_query_wire(&q, w, sizeof(w));
	bool got = lns_axfr_is_xfr(w, n);
	T_CHECK(got == r->is_xfr, "%s: lns_axfr_is_xfr = %d", r->name, got);
}

static void test_axfr_is_xfr_malformed(void)
{
	uint8_t w[512];
	lns_test_query_t q = { "example.test.", LNS_T_AXFR, 0, 0, 0, 0 };
	size_t n = lns_test_query_wire(&q, w, sizeof(w));
	CU_ASSERT_TRUE(lns_axfr_is_xfr(w, n));
	CU_ASSERT_FALSE(lns_axfr_is_xfr(w, 11));
	CU_ASSERT_FALSE(lns_axfr_is_xfr(w, n - 1));
	w[2] |= 0x80; /* a response */
	CU_ASSERT_FALSE(lns_axfr_is_xfr(w, n));
}

/* ====================================================================== */

int main(void)
{
	shared_init();
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	CU_pSuite s = CU_add_suite("zone loading", NULL, NULL);
	CU_add_test(s, "the shipped example zone and config", test_zload_example_zone);
	CU_add_test(s, "$ORIGIN, $TTL, explicit TTLs and relative names", test_zload_origin_and_ttl);
	CU_add_test(s, "without $ORIGIN and $TTL", test_zload_relative_to_zone_name);
	CU_add_test(s, "$INCLUDE: relative paths, origin arguments, nesting", test_zload_include_with_origin);
	CU_add_test(s, "$INCLUDE: absolute path", test_zload_include_absolute_path);
	CU_add_test(s, "$INCLUDE: a comment after the file name", test_zload_include_with_comment);
	CU_add_test(s, "$INCLUDE: an origin argument over 1024 characters", test_zload_include_origin_too_long_in_child);
	CU_add_test(s, "missing zone file", test_zload_missing_zone_file);
	LNS_TEST_ADD_ROWS(s, "bad zone: ", zbad_rows, run_zbad_row);
	LNS_TEST_ADD_ROWS(s, "bad zone config: ", zconf_rows, run_zconf_row);

	s = CU_add_suite("answers", answers_init, answers_cleanup);
	LNS_TEST_ADD_ROWS(s, "", ans_rows, run_ans_row);
	CU_add_test(s, "name compression", test_answer_compression);
	CU_add_test(s, "REFUSED without EDNS has no OPT", test_answer_ede_only_with_edns);
	CU_add_test(s, "BADVERS is split between header and OPT", test_answer_badvers_extended_rcode);
	CU_add_test(s, "nsid = false and another udp_payload", test_answer_nsid_off);
	CU_add_test(s, "a 512-byte output buffer is never overrun", test_answer_into_a_512_byte_buffer);
	LNS_TEST_ADD_ROWS(s, "malformed: ", mal_rows, run_mal_row);

	s = CU_add_suite("zone transfer", answers_init, answers_cleanup);
	CU_add_test(s, "AXFR to an allowed peer: SOA, every record, SOA", test_axfr_allowed_peer);
	CU_add_test(s, "IXFR over TCP from ::1 with EDNS: the whole zone", test_axfr_ixfr_and_ipv6_and_edns);
	LNS_TEST_ADD_ROWS(s, "", xref_rows, run_xref_row);
	CU_add_test(s, "a large zone is split under 16 KiB", test_axfr_large_zone_split);
	CU_add_test(s, "a record over 16 KiB still goes out", test_axfr_record_over_16k);
	LNS_TEST_ADD_ROWS(s, "is_xfr: ", isx_rows, run_isx_row);
	CU_add_test(s, "is_xfr: malformed", test_axfr_is_xfr_malformed);

	if (CU_get_error() != CUE_SUCCESS) {
		fprintf(stderr, "unit_nameserver: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	lns_test_ecs_suite();
	int rc = lns_test_run();
	munmap(shared, sizeof(*shared));
	return rc;
}
