/*
 * Unit tests for core/: address and number parsing (util), wire-form names
 * (dname), configuration loading (config) and the compiled zone tables
 * (zonedb), built directly through their API.
 */
#include "config.h"

#include "core/config.h"
#include "core/dname.h"
#include "core/log.h"
#include "core/util.h"
#include "core/view.h"
#include "core/zonedb.h"
#include "tests/unit/helper.h"
#include "tests/unit/suites.h"

#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ======================================================================
 * util: errors
 * ====================================================================== */

static void test_strerror(void)
{
	CU_ASSERT_STRING_EQUAL(lns_strerror(0), "success");
	CU_ASSERT_STRING_EQUAL(lns_strerror(LNS_EPARSE), "parse error");
	CU_ASSERT_STRING_EQUAL(lns_strerror(LNS_EZONE), "zone error");
	CU_ASSERT_STRING_EQUAL(lns_strerror(LNS_ECONFIG), "configuration error");
	CU_ASSERT_STRING_EQUAL(lns_strerror(LNS_ELIMIT), "limit reached");
	CU_ASSERT_STRING_EQUAL(lns_strerror(-ENOENT), strerror(ENOENT));
	CU_ASSERT_STRING_EQUAL(lns_strerror(-5000), "unknown error");
	CU_ASSERT_STRING_EQUAL(lns_strerror(7), "unknown error");
}

static void test_err_set_formats_file_and_line(void)
{
	lns_err_t err;
	lns_err_set(&err, "a.conf", 7, "bad %s", "thing");
	CU_ASSERT_STRING_EQUAL(err.msg, "a.conf:7: bad thing");
	lns_err_set(&err, "a.conf", 0, "no line");
	CU_ASSERT_STRING_EQUAL(err.msg, "a.conf: no line");
	lns_err_set(&err, NULL, 3, "no file");
	CU_ASSERT_STRING_EQUAL(err.msg, "no file");
	lns_err_set(NULL, "x", 1, "a NULL holder is ignored");

	/* A very long file name is cut, the message stays terminated. */
	char file[1000];
	memset(file, 'f', sizeof(file) - 1);
	file[sizeof(file) - 1] = '\0';
	lns_err_set(&err, file, 12, "reason");
	CU_ASSERT(strlen(err.msg) < sizeof(err.msg));
	CU_ASSERT(lns_test_contains(err.msg, ":12: reason"));
}

/* ======================================================================
 * util: addresses, prefixes, numbers (tables)
 * ====================================================================== */

static const struct addr_row {
	const char *name;
	const char *text;
	uint16_t default_port;
	int rc;            /* 0 or LNS_EPARSE */
	int family;
	const char *render; /* lns_addr_render of the result */
	const char *reason; /* substring of the error */
} addr_rows[] = {
	{ "ipv4 takes the default port", "127.0.0.1", 53, 0, AF_INET, "127.0.0.1@53", NULL },
	{ "ipv4 with port", "192.0.2.1@5353", 53, 0, AF_INET, "192.0.2.1@5353", NULL },
	{ "ipv4 port 0", "0.0.0.0@0", 53, 0, AF_INET, "0.0.0.0@0", NULL },
	{ "ipv4 port 65535", "10.1.2.3@65535", 53, 0, AF_INET, "10.1.2.3@65535", NULL },
	{ "ipv4 other default port", "10.1.2.3", 8053, 0, AF_INET, "10.1.2.3@8053", NULL },
	{ "ipv6 takes the default port", "::1", 53, 0, AF_INET6, "::1@53", NULL },
	{ "ipv6 with bare port", "2001:db8::1@5353", 53, 0, AF_INET6, "2001:db8::1@5353", NULL },
	{ "ipv6 in brackets with port", "[2001:db8::53]@5300", 53, 0, AF_INET6, "2001:db8::53@5300", NULL },
	{ "ipv6 in brackets, default port", "[::1]", 53, 0, AF_INET6, "::1@53", NULL },
	{ "ipv4-mapped ipv6", "::ffff:192.0.2.1@99", 53, 0, AF_INET6, "::ffff:192.0.2.1@99", NULL },
	{ "empty text", "", 53, LNS_EPARSE, 0, NULL, "bad address ''" },
	{ "port without host", "@53", 53, LNS_EPARSE, 0, NULL, "bad address '@53'" },
	{ "host name", "localhost", 53, LNS_EPARSE, 0, NULL, "bad address 'localhost'" },
	{ "short ipv4", "1.2.3", 53, LNS_EPARSE, 0, NULL, "bad address" },
	{ "ipv4 with 5 parts", "1.2.3.4.5", 53, LNS_EPARSE, 0, NULL, "bad address" },
	{ "ipv4 octet 256", "1.2.3.256", 53, LNS_EPARSE, 0, NULL, "bad address" },
	{ "port 65536", "127.0.0.1@65536", 53, LNS_EPARSE, 0, NULL, "bad port in '127.0.0.1@65536'" },
	{ "negative port", "127.0.0.1@-1", 53, LNS_EPARSE, 0, NULL, "bad port" },
	{ "empty port", "127.0.0.1@", 53, LNS_EPARSE, 0, NULL, "bad port" },
	{ "port with letters", "127.0.0.1@53x", 53, LNS_EPARSE, 0, NULL, "bad port" },
	{ "ipv6 unclosed bracket", "[::1@53", 53, LNS_EPARSE, 0, NULL, "bad address" },
	{ "empty brackets", "[]@53", 53, LNS_EPARSE, 0, NULL, "bad address" },
	{ "ipv6 with colon port", "[::1]:53", 53, LNS_EPARSE, 0, NULL, "bad address" },
	{ "too long", "1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa@53", 53, LNS_EPARSE, 0, NULL,
		"bad address" },
};

static void run_addr_row(const void *table, size_t i)
{
	const struct addr_row *r = (const struct addr_row *)table + i;
	lns_addr_t a;
	lns_err_t err = { "" };
	char buf[64];
	int rc = lns_addr_parse(r->text, r->default_port, &a, &err);
	T_CHECK(rc == r->rc, "%s: lns_addr_parse(\"%s\") = %d, expected %d (%s)", r->name, r->text, rc, r->rc, err.msg);
	if (rc != 0 || r->rc != 0) {
		if (r->reason)
			T_CONTAINS(r->name, err.msg, r->reason);
		return;
	}
	T_CHECK(a.ss.ss_family == r->family, "%s: family %d", r->name, a.ss.ss_family);
	T_CHECK(a.len == (r->family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)),
		"%s: len %u", r->name, (unsigned)a.len);
	lns_addr_render(&a, buf, sizeof(buf));
	T_CHECK(strcmp(buf, r->render) == 0, "%s: rendered \"%s\", expected \"%s\"", r->name, buf, r->render);
}

static void test_addr_port_get_set(void)
{
	lns_addr_t a;
	char buf[64];
	CU_ASSERT_EQUAL_FATAL(lns_addr_parse("192.0.2.7@1000", 53, &a, NULL), 0);
	CU_ASSERT_EQUAL(lns_addr_port(&a), 1000);
	lns_addr_set_port(&a, 5353);
	CU_ASSERT_EQUAL(lns_addr_port(&a), 5353);
	CU_ASSERT_STRING_EQUAL(lns_addr_render(&a, buf, sizeof(buf)), "192.0.2.7@5353");
	CU_ASSERT_EQUAL(ntohs(((struct sockaddr_in *)&a.ss)->sin_port), 5353);

	CU_ASSERT_EQUAL_FATAL(lns_addr_parse("[::1]@1000", 53, &a, NULL), 0);
	lns_addr_set_port(&a, 65535);
	CU_ASSERT_EQUAL(lns_addr_port(&a), 65535);
	CU_ASSERT_STRING_EQUAL(lns_addr_render(&a, buf, sizeof(buf)), "::1@65535");
}

static const struct prefix_row {
	const char *name;
	const char *text;
	int rc;
	int family;
	unsigned bits;
} prefix_rows[] = {
	{ "ipv4 host", "127.0.0.1", 0, AF_INET, 32 },
	{ "ipv4 /24", "192.0.2.0/24", 0, AF_INET, 24 },
	{ "ipv4 /0", "0.0.0.0/0", 0, AF_INET, 0 },
	{ "ipv4 /32", "192.0.2.1/32", 0, AF_INET, 32 },
	{ "ipv6 host", "::1", 0, AF_INET6, 128 },
	{ "ipv6 /32", "2001:db8::/32", 0, AF_INET6, 32 },
	{ "ipv6 /128", "2001:db8::1/128", 0, AF_INET6, 128 },
	{ "ipv4 /33", "192.0.2.0/33", LNS_EPARSE, 0, 0 },
	{ "ipv6 /129", "::/129", LNS_EPARSE, 0, 0 },
	{ "negative length", "192.0.2.0/-1", LNS_EPARSE, 0, 0 },
	{ "empty length", "192.0.2.0/", LNS_EPARSE, 0, 0 },
	{ "length with letters", "192.0.2.0/2a", LNS_EPARSE, 0, 0 },
	{ "no address", "/24", LNS_EPARSE, 0, 0 },
	{ "empty", "", LNS_EPARSE, 0, 0 },
	{ "host name", "ns1.example.test", LNS_EPARSE, 0, 0 },
	{ "address with port", "127.0.0.1@53", LNS_EPARSE, 0, 0 },
};

static void run_prefix_row(const void *table, size_t i)
{
	const struct prefix_row *r = (const struct prefix_row *)table + i;
	lns_prefix_t p;
	lns_err_t err = { "" };
	int rc = lns_prefix_parse(r->text, &p, &err);
	T_CHECK(rc == r->rc, "%s: lns_prefix_parse(\"%s\") = %d, expected %d", r->name, r->text, rc, r->rc);
	if (r->rc != 0) {
		char want[128];
		snprintf(want, sizeof(want), "bad address or prefix '%s'", r->text);
		T_CONTAINS(r->name, err.msg, want);
		return;
	}
	if (rc == 0) {
		T_CHECK(p.family == r->family, "%s: family %d", r->name, p.family);
		T_CHECK(p.bits == r->bits, "%s: bits %u, expected %u", r->name, p.bits, r->bits);
	}
}

static const struct has_row {
	const char *name;
	const char *prefix;
	const char *addr;
	bool has;
} has_rows[] = {
	{ "ipv4 host matches itself", "127.0.0.1", "127.0.0.1", true },
	{ "ipv4 host, other address", "127.0.0.1", "127.0.0.2", false },
	{ "ipv4 /24 first", "192.0.2.0/24", "192.0.2.0", true },
	{ "ipv4 /24 last", "192.0.2.0/24", "192.0.2.255", true },
	{ "ipv4 /24 next network", "192.0.2.0/24", "192.0.3.0", false },
	{ "ipv4 /25 upper half", "192.0.2.128/25", "192.0.2.129", true },
	{ "ipv4 /25 lower half", "192.0.2.128/25", "192.0.2.127", false },
	{ "ipv4 /12 inside", "172.16.0.0/12", "172.31.255.255", true },
	{ "ipv4 /12 outside", "172.16.0.0/12", "172.32.0.0", false },
	{ "ipv4 /0 matches any ipv4", "0.0.0.0/0", "203.0.113.9", true },
	{ "ipv4 /0 does not match ipv6", "0.0.0.0/0", "::1", false },
	{ "ipv4 prefix with host bits", "192.0.2.77/24", "192.0.2.1", true },
	{ "ipv6 host matches itself", "::1", "::1", true },
	{ "ipv6 host, other address", "::1", "::2", false },
	{ "ipv6 /32 inside", "2001:db8::/32", "2001:db8:ffff::1", true },
	{ "ipv6 /32 outside", "2001:db8::/32", "2001:db9::1", false },
	{ "ipv6 /10 inside", "fe80::/10", "febf::1", true },
	{ "ipv6 /10 outside", "fe80::/10", "fec0::1", false },
	{ "ipv6 prefix does not match ipv4", "::/0", "127.0.0.1", false },
	{ "ipv4 prefix does not match ipv4-mapped ipv6", "127.0.0.1", "::ffff:127.0.0.1", false },
};

static void run_has_row(const void *table, size_t i)
{
	const struct has_row *r = (const struct has_row *)table + i;
	lns_prefix_t p;
	lns_addr_t a;
	T_CHECK(lns_prefix_parse(r->prefix, &p, NULL) == 0, "%s: prefix %s", r->name, r->prefix);
	T_CHECK(lns_addr_parse(r->addr, 53, &a, NULL) == 0, "%s: address %s", r->name, r->addr);
	bool has = lns_prefix_has(&p, (const struct sockaddr *)&a.ss);
	T_CHECK(has == r->has, "%s: lns_prefix_has(%s, %s) = %d", r->name, r->prefix, r->addr, has);
}

static const struct long_row {
	const char *name;
	const char *text;
	long min, max;
	int rc;
	long value;
} long_rows[] = {
	{ "zero", "0", 0, 10, 0, 0 },
	{ "inside", "7", 0, 10, 0, 7 },
	{ "at the minimum", "512", 512, 4096, 0, 512 },
	{ "at the maximum", "4096", 512, 4096, 0, 4096 },
	{ "below the minimum", "511", 512, 4096, -ERANGE, 0 },
	{ "above the maximum", "4097", 512, 4096, -ERANGE, 0 },
	{ "negative inside", "-5", -10, 10, 0, -5 },
	{ "negative below", "-11", -10, 10, -ERANGE, 0 },
	{ "overflows long", "99999999999999999999999", 0, 10, -ERANGE, 0 },
	{ "empty", "", 0, 10, -EINVAL, 0 },
	{ "letters", "abc", 0, 10, -EINVAL, 0 },
	{ "trailing letters", "5x", 0, 10, -EINVAL, 0 },
	{ "trailing space", "5 ", 0, 10, -EINVAL, 0 },
	{ "fraction", "5.0", 0, 10, -EINVAL, 0 },
	{ "hexadecimal", "0x5", 0, 10, -EINVAL, 0 },
	/* "a whole decimal number": strtol would skip blanks and take a sign */
	{ "leading space", " 5", 0, 10, -EINVAL, 0 },
	{ "leading plus", "+5", 0, 10, -EINVAL, 0 },
};

static void run_long_row(const void *table, size_t i)
{
	const struct long_row *r = (const struct long_row *)table + i;
	long v = -12345;
	int rc = lns_parse_long(r->text, r->min, r->max, &v);
	T_CHECK(rc == r->rc, "%s: lns_parse_long(\"%s\", %ld, %ld) = %d, expected %d", r->name, r->text, r->min,
		r->max, rc, r->rc);
	if (r->rc == 0)
		T_CHECK(v == r->value, "%s: value %ld, expected %ld", r->name, v, r->value);
	else
		T_CHECK(v == -12345, "%s: *out changed on error (%ld)", r->name, v);
}

static void test_parse_long_null(void)
{
	long v;
	CU_ASSERT_EQUAL(lns_parse_long(NULL, 0, 1, &v), -EINVAL);
}

/* ======================================================================
 * dname
 * ====================================================================== */

/* Builds a wire name: labels of the given sizes (filled with 'a'..), then root. */
static size_t make_name(uint8_t *out, const unsigned *sizes, unsigned n)
{
	size_t o = 0;
	for (unsigned i = 0; i < n; i++) {
		out[o++] = (uint8_t)sizes[i];
		for (unsigned k = 0; k < sizes[i]; k++)
			out[o++] = (uint8_t)('a' + (k % 26));
	}
	out[o++] = 0;
	return o;
}

static const struct dlen_row {
	const char *name;
	unsigned sizes[6];
	unsigned n;
	size_t max_delta; /* max = wire length - max_delta (0: full buffer) */
	size_t len;       /* expected result; 0 = not well formed */
} dlen_rows[] = {
	{ "root", { 0 }, 0, 0, 1 },
	{ "three labels", { 3, 7, 4 }, 3, 0, 18 },
	{ "label of 63", { 63, 4 }, 2, 0, 70 },
	{ "label of 64 is refused", { 64, 4 }, 2, 0, 0 },
	{ "exactly 255 bytes", { 63, 63, 63, 61 }, 4, 0, 255 },
	{ "256 bytes is refused", { 63, 63, 63, 62 }, 4, 0, 0 },
	{ "far over 255 is refused", { 63, 63, 63, 63, 63 }, 5, 0, 0 },
	{ "root label beyond max", { 3, 7, 4 }, 3, 1, 0 },
	{ "label running past max", { 3, 7, 4 }, 3, 3, 0 },
};

static void run_dlen_row(const void *table, size_t i)
{
	const struct dlen_row *r = (const struct dlen_row *)table + i;
	uint8_t buf[600];
	size_t wire = make_name(buf, r->sizes, r->n);
	size_t got = lns_dname_len(buf, wire - r->max_delta);
	T_CHECK(got == r->len, "%s: lns_dname_len = %zu, expected %zu", r->name, got, r->len);
	if (r->len)
		T_CHECK(lns_dname_labels(buf) == r->n, "%s: %u labels, expected %u", r->name, lns_dname_labels(buf),
			r->n);
}

static void test_dname_len_zero_max(void)
{
	const uint8_t root[] = { 0 };
	CU_ASSERT_EQUAL(lns_dname_len(root, 0), 0);
	CU_ASSERT_EQUAL(lns_dname_len(root, 1), 1);
	/* a compression pointer is not a label */
	const uint8_t ptr[] = { 0xc0, 0x0c };
	CU_ASSERT_EQUAL(lns_dname_len(ptr, sizeof(ptr)), 0);
}

static void test_dname_labels(void)
{
	uint8_t n[LNS_DNAME_MAX + 8];
	CU_ASSERT_EQUAL(lns_test_dname(".", n, sizeof(n)), 1);
	CU_ASSERT_EQUAL(lns_dname_labels(n), 0);
	CU_ASSERT_EQUAL(lns_test_dname("test.", n, sizeof(n)), 6);
	CU_ASSERT_EQUAL(lns_dname_labels(n), 1);
	CU_ASSERT_EQUAL(lns_test_dname("www.example.test.", n, sizeof(n)), 18);
	CU_ASSERT_EQUAL(lns_dname_labels(n), 3);
	CU_ASSERT_EQUAL(lns_test_dname("a.b.c.d.e.f.g.h", n, sizeof(n)), 17);
	CU_ASSERT_EQUAL(lns_dname_labels(n), 8);
}

static const struct deq_row {
	const char *name;
	const char *a, *b;
	bool equal;
	bool a_is_sub_of_b;
} deq_rows[] = {
	{ "same name", "www.example.test", "www.example.test", true, true },
	{ "different case", "WwW.ExAmPlE.TEST", "www.example.test", true, true },
	{ "root and root", ".", ".", true, true },
	{ "child of parent", "www.example.test", "example.test", false, true },
	{ "deep child, other case", "a.b.C.Example.Test", "example.TEST", false, true },
	{ "anything is below the root", "www.example.test", ".", false, true },
	{ "parent is not below child", "example.test", "www.example.test", false, false },
	{ "sibling", "www.example.test", "ftp.example.test", false, false },
	{ "label boundary: badexample", "badexample.test", "example.test", false, false },
	{ "label boundary: xample", "www.example.test", "xample.test", false, false },
	{ "other top level", "example.test", "example.net", false, false },
	{ "prefix of a label", "www.example.test", "ww.example.test", false, false },
	{ "only the case of a non-letter", "a[.test", "a{.test", false, false },
};

static void run_deq_row(const void *table, size_t i)
{
	const struct deq_row *r = (const struct deq_row *)table + i;
	uint8_t a[300], b[300];
	T_CHECK(lns_test_dname(r->a, a, sizeof(a)) > 0 && lns_test_dname(r->b, b, sizeof(b)) > 0, "%s: names",
		r->name);
	bool eq = lns_dname_equal(a, b), eq2 = lns_dname_equal(b, a), sub = lns_dname_is_sub(a, b);
	T_CHECK(eq == r->equal, "%s: lns_dname_equal(%s, %s) = %d", r->name, r->a, r->b, eq);
	T_CHECK(eq2 == r->equal, "%s: lns_dname_equal(%s, %s) = %d", r->name, r->b, r->a, eq2);
	T_CHECK(sub == r->a_is_sub_of_b, "%s: lns_dname_is_sub(%s, %s) = %d", r->name, r->a, r->b, sub);
}

static const struct render_row {
	const char *name;
	const uint8_t *wire;
	const char *text;
} render_rows[] = {
	{ "root", (const uint8_t *)"", "." },
	{ "plain", (const uint8_t *)"\3www\7example\4test", "www.example.test." },
	{ "case kept", (const uint8_t *)"\3WwW\4TEST", "WwW.TEST." },
	{ "dot inside a label", (const uint8_t *)"\3a.b\4test", "a\\.b.test." },
	{ "backslash inside a label", (const uint8_t *)"\3a\\b\4test", "a\\\\b.test." },
	{ "space as \\032", (const uint8_t *)"\3a b\4test", "a\\032b.test." },
	{ "control byte as \\001", (const uint8_t *)"\1\1\4test", "\\001.test." },
	{ "byte 255 as \\255", (const uint8_t *)"\2\377x", "\\255x." },
	{ "byte 127 as \\127", (const uint8_t *)"\1\177", "\\127." },
	{ "wildcard and underscore", (const uint8_t *)"\1*\4_sip\4test", "*._sip.test." },
};

static void run_render_row(const void *table, size_t i)
{
	const struct render_row *r = (const struct render_row *)table + i;
	char buf[LNS_DNAME_MAX * 4];
	const char *s = lns_dname_render(r->wire, buf, sizeof(buf));
	T_CHECK(strcmp(s, r->text) == 0, "%s: rendered \"%s\", expected \"%s\"", r->name, s, r->text);
}

static void test_dname_render_small_buffers(void)
{
	const uint8_t *name = (const uint8_t *)"\3www\7example\4test";
	char buf[64];
	for (size_t size = 2; size < 24; size++) {
		memset(buf, 'Z', sizeof(buf));
		const char *s = lns_dname_render(name, buf, size);
		T_CHECK(strlen(s) < size, "size %zu: \"%s\" does not fit", size, s);
		T_CHECK(buf[size] == 'Z', "size %zu: wrote past the buffer", size);
		/* cut short, the text is a prefix of the name up to its last dot */
		T_CHECK(strlen(s) == 0 || strncmp(s, "www.example.test.", strlen(s) - 1) == 0,
			"size %zu: \"%s\" is not a prefix", size, s);
	}
	CU_ASSERT_STRING_EQUAL(lns_dname_render(name, buf, 1), "");

	/* the longest name with every byte escaped fits the usual 4x buffer */
	uint8_t big[LNS_DNAME_MAX];
	unsigned sizes[] = { 63, 63, 63, 61 };
	make_name(big, sizes, 4);
	for (size_t k = 0; k < sizeof(big); k++)
		if (big[k] >= 'a')
			big[k] = 0xfe;
	char out[LNS_DNAME_MAX * 4];
	const char *s = lns_dname_render(big, out, sizeof(out));
	CU_ASSERT_EQUAL(strlen(s), 250 * 4 + 4);
}

static void test_dname_tolower_and_hash(void)
{
	uint8_t a[64], b[64];
	size_t la = lns_test_dname("WWW.Example.TEST", a, sizeof(a));
	size_t lb = lns_test_dname("www.example.test", b, sizeof(b));
	CU_ASSERT_EQUAL_FATAL(la, lb);
	lns_dname_tolower(a, la);
	CU_ASSERT(memcmp(a, b, la) == 0);
	CU_ASSERT_EQUAL(lns_dname_hash(a, la), lns_dname_hash(b, lb));
	/* length bytes are not letters: \101 is 'A' as a label length would be 65 */
	CU_ASSERT_EQUAL(lns_lower['A'], 'a');
	CU_ASSERT_EQUAL(lns_lower['Z'], 'z');
	CU_ASSERT_EQUAL(lns_lower['@'], '@');
	CU_ASSERT_EQUAL(lns_lower['['], '[');
	CU_ASSERT_EQUAL(lns_lower[0xC0], 0xC0);
	CU_ASSERT_EQUAL(lns_lower[3], 3);
}

/* ======================================================================
 * config
 * ====================================================================== */

static lns_config_t *load_text(const char *text, char **path, lns_err_t *err, int *rc)
{
	lns_config_t *cfg = (lns_config_t *)1;
	*path = lns_test_mkstemp(text);
	memset(err, 0, sizeof(*err));
	*rc = lns_config_load(*path, &cfg, err);
	return cfg;
}

static void drop_file(char *path)
{
	unlink(path);
	free(path);
}

static void test_config_defaults(void)
{
	char *path;
	lns_err_t err;
	int rc;
	lns_config_t *cfg = load_text("# nothing set\n", &path, &err, &rc);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	char buf[64];
	CU_ASSERT_STRING_EQUAL(cfg->path, path);
	CU_ASSERT_STRING_EQUAL(cfg->node, "levelns");
	CU_ASSERT_EQUAL(cfg->n_listen, 1);
	CU_ASSERT_STRING_EQUAL(lns_addr_render(&cfg->listen[0], buf, sizeof(buf)), "127.0.0.1@53");
	CU_ASSERT_EQUAL(cfg->workers, 0);
	CU_ASSERT_EQUAL(cfg->udp_payload, 1232);
	CU_ASSERT_EQUAL(cfg->nsid, true);
	CU_ASSERT_EQUAL(cfg->tcp_idle_timeout_ms, 10000);
	CU_ASSERT_EQUAL(cfg->tcp_max_connections, 256);
	CU_ASSERT_EQUAL(cfg->log_level, LNS_LOG_INFO);
	CU_ASSERT_EQUAL(cfg->n_zones, 0);
	lns_config_free(cfg);
	drop_file(path);

	/* an empty file and empty groups give the same defaults */
	cfg = load_text("", &path, &err, &rc);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL(cfg);
	lns_config_free(cfg);
	drop_file(path);
	cfg = load_text("server: { };\nzones = ( );\n", &path, &err, &rc);
	CU_ASSERT_EQUAL(rc, 0);
	if (cfg) {
		CU_ASSERT_EQUAL(cfg->udp_payload, 1232);
		CU_ASSERT_EQUAL(cfg->n_zones, 0);
	}
	lns_config_free(cfg);
	drop_file(path);
	lns_config_free(NULL);
}

static void test_config_every_key(void)
{
	char *dir = lns_test_mkdtemp();
	char *path = lns_test_write(dir, "levelns.conf",
		"# every key set\n"
		"server: {\n"
		"  node = \"ns7\";\n"
		"  listen = [ \"127.0.0.2@5300\", \"[::1]@5301\", \"192.0.2.1\" ];\n"
		"  workers = 4;\n"
		"  udp_payload = 4096;\n"
		"  nsid = false;\n"
		"  tcp_idle_timeout_ms = 2500;\n"
		"  tcp_max_connections = 17;\n"
		"  log_level = \"debug\";\n"
		"};\n"
		"zones = (\n"
		"  { name = \"example.test\"; file = \"example.test.zone\";\n"
		"    allow_transfer = [ \"127.0.0.1\", \"192.0.2.0/24\", \"::1\" ]; },\n"
		"  { name = \"other.test\"; file = \"/abs/other.test.zone\"; },\n"
		"  { name = \"sub.test\"; file = \"zones/sub.test.zone\"; allow_transfer = ( \"10.0.0.0/8\" ); }\n"
		");\n");
	lns_config_t *cfg = NULL;
	lns_err_t err = { "" };
	char buf[64];
	int rc = lns_config_load(path, &cfg, &err);
	T_CHECK(rc == 0, "every key: %s", err.msg);
	if (rc == 0) {
		CU_ASSERT_STRING_EQUAL(cfg->node, "ns7");
		CU_ASSERT_EQUAL(cfg->n_listen, 3);
		CU_ASSERT_STRING_EQUAL(lns_addr_render(&cfg->listen[0], buf, sizeof(buf)), "127.0.0.2@5300");
		CU_ASSERT_STRING_EQUAL(lns_addr_render(&cfg->listen[1], buf, sizeof(buf)), "::1@5301");
		CU_ASSERT_STRING_EQUAL(lns_addr_render(&cfg->listen[2], buf, sizeof(buf)), "192.0.2.1@53");
		CU_ASSERT_EQUAL(cfg->workers, 4);
		CU_ASSERT_EQUAL(cfg->udp_payload, 4096);
		CU_ASSERT_EQUAL(cfg->nsid, false);
		CU_ASSERT_EQUAL(cfg->tcp_idle_timeout_ms, 2500);
		CU_ASSERT_EQUAL(cfg->tcp_max_connections, 17);
		CU_ASSERT_EQUAL(cfg->log_level, LNS_LOG_DEBUG);
		CU_ASSERT_EQUAL_FATAL(cfg->n_zones, 3);

		char *want = lns_test_path(dir, "example.test.zone");
		CU_ASSERT_STRING_EQUAL(cfg->zones[0].name, "example.test");
		CU_ASSERT_STRING_EQUAL(cfg->zones[0].file, want);
		CU_ASSERT_EQUAL(cfg->zones[0].line, 13);
		free(want);
		CU_ASSERT_EQUAL_FATAL(cfg->zones[0].n_allow_transfer, 3);
		lns_addr_t a;
		lns_addr_parse("192.0.2.200", 53, &a, NULL);
		CU_ASSERT(lns_prefix_has(&cfg->zones[0].allow_transfer[1], (struct sockaddr *)&a.ss));
		CU_ASSERT_EQUAL(cfg->zones[0].allow_transfer[1].bits, 24);
		CU_ASSERT_EQUAL(cfg->zones[0].allow_transfer[2].family, AF_INET6);

		CU_ASSERT_STRING_EQUAL(cfg->zones[1].name, "other.test");
		CU_ASSERT_STRING_EQUAL(cfg->zones[1].file, "/abs/other.test.zone");
		CU_ASSERT_EQUAL(cfg->zones[1].n_allow_transfer, 0);
		CU_ASSERT_PTR_NULL(cfg->zones[1].allow_transfer);

		want = lns_test_path(dir, "zones/sub.test.zone");
		CU_ASSERT_STRING_EQUAL(cfg->zones[2].file, want);
		free(want);
		CU_ASSERT_EQUAL(cfg->zones[2].n_allow_transfer, 1);
	}
	lns_config_free(cfg);
	free(path);
	lns_test_rmtree(dir);
	free(dir);
}

static void test_config_small_forms(void)
{
	char *path;
	lns_err_t err;
	int rc;
	char buf[64];
	/* listen as one string; log levels in any case; the other end of the ranges */
	lns_config_t *cfg = load_text("server: { listen = \"::@5353\"; log_level = \"WARNING\"; workers = 256;\n"
				      "  udp_payload = 512; tcp_idle_timeout_ms = 100; tcp_max_connections = 1;\n"
				      "  nsid = true; node = \"n\"; };\n",
		&path, &err, &rc);
	T_CHECK(rc == 0, "small forms: %s", err.msg);
	if (cfg) {
		CU_ASSERT_EQUAL(cfg->n_listen, 1);
		CU_ASSERT_STRING_EQUAL(lns_addr_render(&cfg->listen[0], buf, sizeof(buf)), "::@5353");
		CU_ASSERT_EQUAL(cfg->log_level, LNS_LOG_WARNING);
		CU_ASSERT_EQUAL(cfg->workers, 256);
		CU_ASSERT_EQUAL(cfg->udp_payload, 512);
		CU_ASSERT_EQUAL(cfg->tcp_idle_timeout_ms, 100);
		CU_ASSERT_EQUAL(cfg->tcp_max_connections, 1);
		CU_ASSERT_STRING_EQUAL(cfg->node, "n");
	}
	lns_config_free(cfg);
	drop_file(path);

	/* every log level name */
	const char *levels[] = { "error", "warning", "notice", "info", "debug" };
	const int values[] = { LNS_LOG_ERR, LNS_LOG_WARNING, LNS_LOG_NOTICE, LNS_LOG_INFO, LNS_LOG_DEBUG };
	for (unsigned i = 0; i < 5; i++) {
		char text[128];
		snprintf(text, sizeof(text), "server: { log_level = \"%s\"; };\n", levels[i]);
		cfg = load_text(text, &path, &err, &rc);
		T_CHECK(rc == 0 && cfg && cfg->log_level == values[i], "log_level %s: %s", levels[i], err.msg);
		lns_config_free(cfg);
		drop_file(path);
	}
}

static void test_config_relative_to_relative_config(void)
{
	/* a config named relative to the working directory resolves its zone
	 * files against its own directory, not the working directory */
	char *dir = lns_test_mkdtemp();
	char *sub = lns_test_path(dir, "etc");
	CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0700), 0);
	char *conf = lns_test_write(sub, "l.conf", "zones = ( { name = \"a.test\"; file = \"a.zone\"; } );\n");
	char cwd[4096];
	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof(cwd)));
	CU_ASSERT_EQUAL_FATAL(chdir(dir), 0);
	lns_config_t *cfg = NULL;
	lns_err_t err;
	int rc = lns_config_load("etc/l.conf", &cfg, &err);
	CU_ASSERT_EQUAL(rc, 0);
	if (cfg) {
		CU_ASSERT_STRING_EQUAL(cfg->zones[0].file, "etc/a.zone");
		CU_ASSERT_STRING_EQUAL(cfg->path, "etc/l.conf");
	}
	lns_config_free(cfg);
	cfg = NULL;
	/* and a config in the working directory itself */
	char *conf2 = lns_test_write(dir, "m.conf", "zones = ( { name = \"a.test\"; file = \"a.zone\"; } );\n");
	rc = lns_config_load("m.conf", &cfg, &err);
	CU_ASSERT_EQUAL(rc, 0);
	if (cfg)
		CU_ASSERT_STRING_EQUAL(cfg->zones[0].file, "./a.zone");
	lns_config_free(cfg);
	CU_ASSERT_EQUAL(chdir(cwd), 0);
	lns_test_rmtree(dir);
	free(conf);
	free(conf2);
	free(sub);
	free(dir);
}

static void test_config_missing_file(void)
{
	char *dir = lns_test_mkdtemp();
	char *path = lns_test_path(dir, "absent.conf");
	lns_config_t *cfg = (lns_config_t *)1;
	lns_err_t err = { "" };
	int rc = lns_config_load(path, &cfg, &err);
	CU_ASSERT_NOT_EQUAL(rc, 0);
	CU_ASSERT_PTR_NULL(cfg);
	char want[600];
	snprintf(want, sizeof(want), "%s: cannot read the file", path);
	T_CONTAINS("missing file", err.msg, want);
	free(path);
	lns_test_rmtree(dir);
	free(dir);
}

static const struct badconf_row {
	const char *name;
	const char *text;
	int line;
	const char *reason;
} badconf_rows[] = {
	{ "syntax error", "server: {\n  node = ;\n};\n", 2, "syntax error" },
	{ "unclosed group", "server: {\n  node = \"a\";\n", 3, "" },
	{ "unknown top-level key", "server: { };\n\nbogus = 1;\n", 3, "unknown key 'bogus' in the top level" },
	{ "unknown key in server", "server: {\n  node = \"a\";\n  port = 53;\n};\n", 3,
		"unknown key 'port' in server" },
	{ "unknown key in zone",
		"zones = (\n  { name = \"a.test\";\n    file = \"a.zone\";\n    master = \"x\"; }\n);\n", 4,
		"unknown key 'master' in zone" },
	{ "server is not a group", "server = 5;\n", 1, "server must be a group" },
	{ "node is not a string", "server: {\n  node = 5;\n};\n", 2, "node must be a string" },
	{ "node is empty", "server: {\n  node = \"\";\n};\n", 2, "node must be 1 to 63 characters" },
	{ "node is too long",
		"server: {\n  node = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\";\n};\n", 2,
		"node must be 1 to 63 characters" },
	{ "workers is a string", "server: {\n  workers = \"4\";\n};\n", 2, "workers must be a whole number" },
	{ "workers is a float", "server: {\n  workers = 4.0;\n};\n", 2, "workers must be a whole number" },
	{ "workers is negative", "server: {\n  workers = -1;\n};\n", 2, "workers is out of range (0 to 256)" },
	{ "workers is 257", "server: {\n  workers = 257;\n};\n", 2, "workers is out of range (0 to 256)" },
	{ "workers is huge", "server: {\n  workers = 99999999999L;\n};\n", 2, "workers is out of range" },
	{ "udp_payload 511", "server: {\n\n  udp_payload = 511;\n};\n", 3, "udp_payload is out of range (512 to 4096)" },
	{ "udp_payload 4097", "server: {\n  udp_payload = 4097;\n};\n", 2,
		"udp_payload is out of range (512 to 4096)" },
	{ "tcp_idle_timeout_ms 99", "server: {\n  tcp_idle_timeout_ms = 99;\n};\n", 2,
		"tcp_idle_timeout_ms is out of range" },
	{ "tcp_max_connections 0", "server: {\n  tcp_max_connections = 0;\n};\n", 2,
		"tcp_max_connections is out of range" },
	{ "nsid is a number", "server: {\n  nsid = 1;\n};\n", 2, "nsid must be true or false" },
	{ "nsid is a string", "server: {\n  nsid = \"yes\";\n};\n", 2, "nsid must be true or false" },
	{ "log_level is unknown", "server: {\n  log_level = \"loud\";\n};\n", 2,
		"log_level 'loud' is not one of error, warning, notice, info, debug" },
	{ "log_level is a number", "server: {\n  log_level = 3;\n};\n", 2, "log_level must be a string" },
	{ "listen is a number", "server: {\n  listen = 5353;\n};\n", 2, "listen must be a list of addresses" },
	{ "listen is empty", "server: {\n  listen = [ ];\n};\n", 2, "listen needs 1 to 16 addresses" },
	{ "listen has 17 addresses",
		"server: {\n  listen = [ \"127.0.0.1@1\", \"127.0.0.1@2\", \"127.0.0.1@3\", \"127.0.0.1@4\",\n"
		"\"127.0.0.1@5\", \"127.0.0.1@6\", \"127.0.0.1@7\", \"127.0.0.1@8\", \"127.0.0.1@9\",\n"
		"\"127.0.0.1@10\", \"127.0.0.1@11\", \"127.0.0.1@12\", \"127.0.0.1@13\", \"127.0.0.1@14\",\n"
		"\"127.0.0.1@15\", \"127.0.0.1@16\", \"127.0.0.1@17\" ];\n};\n",
		2, "listen needs 1 to 16 addresses" },
	{ "listen entry is a number", "server: {\n  listen = [ 53 ];\n};\n", 2, "listen entries must be strings" },
	{ "listen address is a host name", "server: {\n  listen = [ \"127.0.0.1@53\",\n  \"localhost@53\" ];\n};\n",
		3, "listen: bad address 'localhost@53'" },
	{ "listen port out of range", "server: {\n  listen = [ \"127.0.0.1@70000\" ];\n};\n", 2,
		"listen: bad port in '127.0.0.1@70000'" },
	{ "listen port not a number", "server: {\n  listen = \"127.0.0.1@dns\";\n};\n", 2, "listen: bad port" },
	{ "zones is a group", "zones: { name = \"a.test\"; };\n", 1, "zones must be a list" },
	{ "zone is not a group", "zones = (\n  \"a.test\" );\n", 2, "each zone must be a group" },
	{ "zone without name", "zones = (\n  { file = \"a.zone\"; }\n);\n", 2, "zone needs a name" },
	{ "zone with empty name", "zones = (\n  { name = \"\"; file = \"a.zone\"; }\n);\n", 2, "zone needs a name" },
	{ "zone name is a number", "zones = (\n  { name = 5;\n file = \"a.zone\"; }\n);\n", 2,
		"name must be a string" },
	{ "zone without file", "zones = (\n  { name = \"a.test\"; }\n);\n", 2, "zone 'a.test' needs a file" },
	{ "zone with empty file", "zones = (\n  { name = \"a.test\"; file = \"\"; }\n);\n", 2,
		"zone 'a.test' needs a file" },
	{ "duplicate zone",
		"zones = (\n  { name = \"a.test\"; file = \"a.zone\"; },\n  { name = \"b.test\"; file = \"b.zone\"; },\n"
		"  { name = \"a.test\"; file = \"c.zone\"; }\n);\n",
		4, "zone 'a.test' is defined twice" },
	{ "duplicate zone in another case",
		"zones = (\n  { name = \"a.test\"; file = \"a.zone\"; },\n  { name = \"A.Test\"; file = \"b.zone\"; }\n);\n",
		3, "zone 'A.Test' is defined twice" },
	{ "allow_transfer is a string",
		"zones = (\n  { name = \"a.test\"; file = \"a.zone\";\n    allow_transfer = \"127.0.0.1\"; }\n);\n", 3,
		"zone 'a.test': allow_transfer must be a list" },
	{ "allow_transfer prefix too long",
		"zones = (\n  { name = \"a.test\"; file = \"a.zone\";\n    allow_transfer = [ \"10.0.0.0/33\" ]; }\n);\n",
		3, "zone 'a.test': allow_transfer: bad address or prefix '10.0.0.0/33'" },
	{ "allow_transfer host name",
		"zones = (\n  { name = \"a.test\"; file = \"a.zone\";\n    allow_transfer = ( \"::1\",\n"
		"      \"ns2.a.test\" ); }\n);\n",
		4, "zone 'a.test': allow_transfer: bad address or prefix 'ns2.a.test'" },
	{ "allow_transfer entry is a number",
		"zones = (\n  { name = \"a.test\"; file = \"a.zone\";\n    allow_transfer = [ 1 ]; }\n);\n", 3,
		"zone 'a.test': allow_transfer: entries must be strings" },
};

static void run_badconf_row(const void *table, size_t i)
{
	const struct badconf_row *r = (const struct badconf_row *)table + i;
	char *path;
	lns_err_t err;
	int rc;
	lns_config_t *cfg = load_text(r->text, &path, &err, &rc);
	T_CHECK(rc != 0, "%s: the file was accepted", r->name);
	T_CHECK(cfg == NULL, "%s: *out is not NULL on error", r->name);
	if (rc == 0)
		lns_config_free(cfg);
	char want[800];
	snprintf(want, sizeof(want), "%s:%d: %s", path, r->line, r->reason);
	T_CONTAINS(r->name, err.msg, want);
	drop_file(path);
}

/* ======================================================================
 * zonedb, built through its API
 * ====================================================================== */

typedef struct rd {
	uint8_t b[512];
	uint16_t len;
} rd_t;

static void rd_name(rd_t *r, const char *name)
{
	size_t n = lns_test_dname(name, r->b + r->len, sizeof(r->b) - r->len);
	CU_ASSERT_FATAL(n > 0);
	r->len = (uint16_t)(r->len + n);
}

static void rd_u16(rd_t *r, uint16_t v)
{
	r->b[r->len++] = (uint8_t)(v >> 8);
	r->b[r->len++] = (uint8_t)v;
}

static void rd_u32(rd_t *r, uint32_t v)
{
	rd_u16(r, (uint16_t)(v >> 16));
	rd_u16(r, (uint16_t)v);
}

static rd_t rd_a(const char *ip)
{
	rd_t r = { .len = 4 };
	CU_ASSERT_FATAL(inet_pton(AF_INET, ip, r.b) == 1);
	return r;
}

static rd_t rd_aaaa(const char *ip)
{
	rd_t r = { .len = 16 };
	CU_ASSERT_FATAL(inet_pton(AF_INET6, ip, r.b) == 1);
	return r;
}

static rd_t rd_dname(const char *name)
{
	rd_t r = { .len = 0 };
	rd_name(&r, name);
	return r;
}

static rd_t rd_soa(const char *mname, uint32_t serial, uint32_t minimum)
{
	rd_t r = { .len = 0 };
	rd_name(&r, mname);
	rd_name(&r, "hostmaster.example.test.");
	rd_u32(&r, serial);
	rd_u32(&r, 7200);
	rd_u32(&r, 3600);
	rd_u32(&r, 1209600);
	rd_u32(&r, minimum);
	return r;
}

static rd_t rd_mx(uint16_t pref, const char *name)
{
	rd_t r = { .len = 0 };
	rd_u16(&r, pref);
	rd_name(&r, name);
	return r;
}

static rd_t rd_srv(uint16_t prio, uint16_t weight, uint16_t port, const char *name)
{
	rd_t r = { .len = 0 };
	rd_u16(&r, prio);
	rd_u16(&r, weight);
	rd_u16(&r, port);
	rd_name(&r, name);
	return r;
}

static rd_t rd_txt(const char *s)
{
	rd_t r = { .len = 0 };
	size_t n = strlen(s);
	r.b[r.len++] = (uint8_t)n;
	memcpy(r.b + r.len, s, n);
	r.len = (uint16_t)(r.len + n);
	return r;
}

static int add(lns_zone_t *z, const char *owner, uint16_t type, uint32_t ttl, rd_t rd, lns_err_t *err)
{
	uint8_t o[LNS_DNAME_MAX + 8];
	CU_ASSERT_FATAL(lns_test_dname(owner, o, sizeof(o)) > 0);
	return lns_zone_add_rr(z, o, type, ttl, rd.b, rd.len, err);
}

#define ADD_OK(z, owner, type, ttl, rd)                                                          \
	do {                                                                                     \
		lns_err_t e_ = { "" };                                                           \
		int rc_ = add((z), (owner), (type), (ttl), (rd), &e_);                          \
		T_CHECK(rc_ == 0, "adding %s type %u: %d %s", (owner), (unsigned)(type), rc_, e_.msg); \
	} while (0)

static lns_zone_t *new_zone(lns_zonedb_t *db, const char *apex, const char *file)
{
	uint8_t a[LNS_DNAME_MAX + 8];
	CU_ASSERT_FATAL(lns_test_dname(apex, a, sizeof(a)) > 0);
	return lns_zonedb_add_zone(db, a, file);
}

/* A zone with SOA and NS at the apex. */
static lns_zone_t *base_zone(lns_zonedb_t *db, const char *apex)
{
	lns_zone_t *z = new_zone(db, apex, "test.zone");
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	char ns[300];
	snprintf(ns, sizeof(ns), "ns1.%s", apex);
	ADD_OK(z, apex, LNS_T_SOA, 3600, rd_soa(ns, 2026010101, 300));
	ADD_OK(z, apex, LNS_T_NS, 3600, rd_dname(ns));
	return z;
}

static const lns_node_t *find(const lns_zonedb_t *db, const char *name)
{
	uint8_t n[LNS_DNAME_MAX + 8];
	size_t len = lns_test_dname(name, n, sizeof(n));
	CU_ASSERT_FATAL(len > 0);
	lns_dname_tolower(n, len);
	return lns_zonedb_find(db, n, len, lns_dname_hash(n, len));
}

static bool node_is(const lns_node_t *n, const char *name)
{
	uint8_t w[LNS_DNAME_MAX + 8];
	size_t len = lns_test_dname(name, w, sizeof(w));
	return n && len == n->name_len && lns_dname_equal(n->name, w);
}

static void test_zonedb_nodes_and_empty_non_terminals(void)
{
	lns_zonedb_t *db = lns_zonedb_new();
	lns_zone_t *z = base_zone(db, "example.test");
	ADD_OK(z, "deep.ent.sub.example.test", LNS_T_A, 300, rd_a("192.0.2.77"));
	ADD_OK(z, "Other.Example.Test", LNS_T_A, 300, rd_a("192.0.2.78"));
	lns_err_t err = { "" };
	CU_ASSERT_EQUAL_FATAL(lns_zonedb_finish(db, &err), 0);

	CU_ASSERT_EQUAL(z->n_nodes, 5); /* apex, sub, ent.sub, deep.ent.sub, other */
	CU_ASSERT_EQUAL(db->n_records, 4);
	CU_ASSERT_EQUAL(z->serial, 2026010101);
	CU_ASSERT_PTR_NOT_NULL(z->soa);
	CU_ASSERT(node_is(z->apex, "example.test"));
	CU_ASSERT(z->apex->flags & LNS_NODE_APEX);
	CU_ASSERT_PTR_NULL(z->apex->parent);
	/* parents come before children in zone->nodes */
	for (unsigned i = 0; i < z->n_nodes; i++)
		for (unsigned j = i + 1; j < z->n_nodes; j++)
			T_CHECK(z->nodes[j] != z->nodes[i]->parent, "node %u's parent comes after it", i);

	const lns_node_t *deep = find(db, "deep.ent.sub.example.test");
	const lns_node_t *ent = find(db, "ent.sub.example.test");
	const lns_node_t *sub = find(db, "sub.example.test");
	CU_ASSERT_PTR_NOT_NULL_FATAL(deep);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ent);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sub);
	CU_ASSERT_EQUAL(ent->n_rrsets, 0);
	CU_ASSERT_EQUAL(sub->n_rrsets, 0);
	CU_ASSERT_PTR_EQUAL(deep->parent, ent);
	CU_ASSERT_PTR_EQUAL(ent->parent, sub);
	CU_ASSERT_PTR_EQUAL(sub->parent, z->apex);
	CU_ASSERT_PTR_EQUAL(deep->zone, z);
	CU_ASSERT_EQUAL(deep->labels, 5);
	CU_ASSERT_EQUAL(deep->flags, 0);
	CU_ASSERT_PTR_NOT_NULL(lns_node_rrset(deep, LNS_T_A));
	CU_ASSERT_PTR_NULL(lns_node_rrset(deep, LNS_T_AAAA));
	/* names are kept lowercase; lookups take lowercase names */
	const lns_node_t *other = find(db, "other.example.test");
	CU_ASSERT_PTR_NOT_NULL(other);
	if (other)
		CU_ASSERT(memcmp(other->name, "\5other\7example\4test", 20) == 0);
	CU_ASSERT_PTR_NULL(find(db, "nowhere.example.test"));
	CU_ASSERT_PTR_NULL(find(db, "example.net"));
	lns_zonedb_free(db);
	lns_zonedb_free(NULL);
}

static void test_zonedb_rrsets_sorted_and_duplicates_dropped(void)
{
	lns_zonedb_t *db = lns_zonedb_new();
	lns_zone_t *z = base_zone(db, "example.test");
	ADD_OK(z, "www.example.test", LNS_T_TXT, 300, rd_txt("hello"));
	ADD_OK(z, "www.example.test", LNS_T_AAAA, 300, rd_aaaa("2001:db8::1"));
	ADD_OK(z, "www.example.test", LNS_T_A, 300, rd_a("192.0.2.1"));
	ADD_OK(z, "www.example.test", LNS_T_A, 300, rd_a("192.0.2.1"));   /* same record */
	ADD_OK(z, "WWW.example.test", LNS_T_A, 60, rd_a("192.0.2.1"));    /* same, other TTL and case */
	ADD_OK(z, "www.example.test", LNS_T_A, 120, rd_a("192.0.2.2"));
	ADD_OK(z, "example.test", LNS_T_NS, 3600, rd_dname("ns1.example.test")); /* repeats base_zone */
	lns_err_t err = { "" };
	CU_ASSERT_EQUAL_FATAL(lns_zonedb_finish(db, &err), 0);
	const lns_node_t *www = find(db, "www.example.test");
	CU_ASSERT_PTR_NOT_NULL_FATAL(www);
	CU_ASSERT_EQUAL_FATAL(www->n_rrsets, 3);
	CU_ASSERT_EQUAL(www->rrsets[0].type, LNS_T_A);
	CU_ASSERT_EQUAL(www->rrsets[1].type, LNS_T_TXT);
	CU_ASSERT_EQUAL(www->rrsets[2].type, LNS_T_AAAA);
	const lns_rrset_t *a = lns_node_rrset(www, LNS_T_A);
	CU_ASSERT_EQUAL(a->count, 2);
	CU_ASSERT_EQUAL(a->len, 2 * (12 + 4));
	CU_ASSERT_EQUAL(a->ttl_min, 120);
	CU_ASSERT_EQUAL(a->rr_off[1], 16);
	/* stored wire: owner placeholder, type, class IN, TTL, RDLENGTH, RDATA */
	const uint8_t want[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 192, 0, 2, 1 };
	CU_ASSERT(memcmp(a->wire, want, sizeof(want)) == 0);
	CU_ASSERT_FALSE(a->compress);
	CU_ASSERT_TRUE(lns_node_rrset(z->apex, LNS_T_NS)->compress);
	CU_ASSERT_TRUE(lns_node_rrset(z->apex, LNS_T_SOA)->compress);
	CU_ASSERT_EQUAL(lns_node_rrset(z->apex, LNS_T_NS)->count, 1);
	CU_ASSERT_EQUAL(db->n_records, 2 + 4);
	lns_zonedb_free(db);
}

static void test_zonedb_zone_twice(void)
{
	lns_zonedb_t *db = lns_zonedb_new();
	CU_ASSERT_PTR_NOT_NULL(new_zone(db, "example.test", "a"));
	CU_ASSERT_PTR_NULL(new_zone(db, "example.test", "b"));
	CU_ASSERT_PTR_NULL(new_zone(db, "EXAMPLE.Test.", "c"));
	CU_ASSERT_PTR_NOT_NULL(new_zone(db, "sub.example.test", "d"));
	CU_ASSERT_EQUAL(db->n_zones, 2);
	lns_zonedb_free(db);
}

static const struct zadd_row {
	const char *name;
	const char *owner;
	uint16_t type;
	const char *reason;
} zadd_rows[] = {
	{ "owner outside the zone", "www.example.net", LNS_T_A, "www.example.net. is outside the zone example.test." },
	{ "owner is the parent", "test", LNS_T_A, "test. is outside the zone example.test." },
	{ "owner sharing a suffix", "badexample.test", LNS_T_A, "is outside the zone" },
	{ "meta type OPT", "www.example.test", LNS_T_OPT, "type 41 cannot appear in a zone" },
	{ "meta type AXFR", "www.example.test", LNS_T_AXFR, "type 252 cannot appear in a zone" },
	{ "meta type IXFR", "www.example.test", LNS_T_IXFR, "type 251 cannot appear in a zone" },
	{ "meta type ANY", "www.example.test", LNS_T_ANY, "type 255 cannot appear in a zone" },
	{ "meta type MAILA", "www.example.test", LNS_T_MAILA, "type 254 cannot appear in a zone" },
	{ "meta type MAILB", "www.example.test", LNS_T_MAILB, "type 253 cannot appear in a zone" },
	{ "label over 63", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.test", LNS_T_A,
		"bad owner name" },
};

static void run_zadd_row(const void *table, size_t i)
{
	const struct zadd_row *r = (const struct zadd_row *)table + i;
	lns_zonedb_t *db = lns_zonedb_new();
	lns_zone_t *z = base_zone(db, "example.test");
	lns_err_t err = { "" };
	int rc = add(z, r->owner, r->type, 300, rd_a("192.0.2.1"), &err);
	T_CHECK(rc == LNS_EZONE, "%s: lns_zone_add_rr = %d, expected LNS_EZONE", r->name, rc);
	T_CONTAINS(r->name, err.msg, r->reason);
	/* nothing was added: the zone still finishes with its two records */
	T_CHECK(lns_zonedb_finish(db, &err) == 0, "%s: finish: %s", r->name, err.msg);
	T_CHECK(db->n_records == 2, "%s: %zu records", r->name, db->n_records);
	lns_zonedb_free(db);
}

enum { NO_SOA = 1, NO_NS = 2 };
static const struct zbad_row {
	const char *name;
	int base; /* what base records to leave out */
	struct {
		const char *owner;
		uint16_t type;
		const char *data;
	} rr[3];
	const char *reason;
} zbad_rows[] = {
	{ "CNAME and other data", 0,
		{ { "www.example.test", LNS_T_CNAME, "static.example.test" }, { "www.example.test", LNS_T_A, "192.0.2.1" } },
		"test.zone: www.example.test. has a CNAME and other data (RFC 1034 3.6.2)" },
	{ "CNAME at the apex", 0, { { "example.test", LNS_T_CNAME, "static.example.test" } },
		"test.zone: example.test. has a CNAME and other data" },
	{ "two CNAMEs", 0,
		{ { "www.example.test", LNS_T_CNAME, "a.example.test" }, { "www.example.test", LNS_T_CNAME, "b.example.test" } },
		"test.zone: www.example.test. has a CNAME and other data" },
	{ "two DNAMEs", 0,
		{ { "old.example.test", LNS_T_DNAME, "a.example.net" }, { "old.example.test", LNS_T_DNAME, "b.example.net" } },
		"test.zone: old.example.test. has more than one DNAME (RFC 6672 2.4)" },
	{ "missing SOA", NO_SOA, { { NULL, 0, NULL } },
		"test.zone: zone example.test. needs exactly one SOA record at its apex" },
	{ "two SOAs", 0, { { "example.test", LNS_T_SOA, "ns2.example.test" } },
		"test.zone: zone example.test. needs exactly one SOA record at its apex" },
	{ "SOA only below the apex", NO_SOA, { { "sub.example.test", LNS_T_SOA, "ns1.example.test" } },
		"needs exactly one SOA record at its apex" },
	{ "missing apex NS", NO_NS, { { "child.example.test", LNS_T_NS, "ns1.example.test" } },
		"test.zone: zone example.test. has no NS records at its apex" },
};

static void add_text(lns_zone_t *z, const char *owner, uint16_t type, const char *data, lns_err_t *err)
{
	rd_t r;
	switch (type) {
	case LNS_T_A: r = rd_a(data); break;
	case LNS_T_SOA: r = rd_soa(data, 1, 300); break;
	default: r = rd_dname(data); break;
	}
	int rc = add(z, owner, type, 300, r, err);
	T_CHECK(rc == 0, "adding %s: %s", owner, err->msg);
}

static void run_zbad_row(const void *table, size_t i)
{
	const struct zbad_row *r = (const struct zbad_row *)table + i;
	lns_zonedb_t *db = lns_zonedb_new();
	lns_zone_t *z = new_zone(db, "example.test", "test.zone");
	lns_err_t err = { "" };
	if (!(r->base & NO_SOA))
		add_text(z, "example.test", LNS_T_SOA, "ns1.example.test", &err);
	if (!(r->base & NO_NS))
		add_text(z, "example.test", LNS_T_NS, "ns1.example.test", &err);
	for (unsigned k = 0; k < 3 && r->rr[k].owner; k++)
		add_text(z, r->rr[k].owner, r->rr[k].type, r->rr[k].data, &err);
	int rc = lns_zonedb_finish(db, &err);
	T_CHECK(rc == LNS_EZONE, "%s: lns_zonedb_finish = %d, expected LNS_EZONE", r->name, rc);
	T_CONTAINS(r->name, err.msg, r->reason);
	lns_zonedb_free(db);
}

static void test_zonedb_malformed_soa(void)
{
	lns_zonedb_t *db = lns_zonedb_new();
	lns_zone_t *z = new_zone(db, "example.test", "test.zone");
	lns_err_t err = { "" };
	rd_t soa = rd_soa("ns1.example.test", 1, 300);
	soa.len = (uint16_t)(soa.len - 4); /* no MINIMUM */
	CU_ASSERT_EQUAL(add(z, "example.test", LNS_T_SOA, 300, soa, &err), 0);
	ADD_OK(z, "example.test", LNS_T_NS, 300, rd_dname("ns1.example.test"));
	CU_ASSERT_EQUAL(lns_zonedb_finish(db, &err), LNS_EZONE);
	T_CONTAINS("malformed SOA", err.msg, "test.zone: malformed SOA record");
	lns_zonedb_free(db);
}

static void test_zonedb_cname_beside_dnssec_records(void)
{
	/* RFC 2181 10.1 / RFC 4035: RRSIG and NSEC may stand beside a CNAME */
	lns_zonedb_t *db = lns_zonedb_new();
	lns_zone_t *z = base_zone(db, "example.test");
	ADD_OK(z, "alias.example.test", LNS_T_CNAME, 300, rd_dname("www.example.test"));
	ADD_OK(z, "alias.example.test", LNS_T_RRSIG, 300, rd_txt("not really a signature"));
	ADD_OK(z, "alias.example.test", LNS_T_NSEC, 300, rd_dname("www.example.test"));
	lns_err_t err = { "" };
	CU_ASSERT_EQUAL(lns_zonedb_finish(db, &err), 0);
	const lns_node_t *alias = find(db, "alias.example.test");
	CU_ASSERT_PTR_NOT_NULL_FATAL(alias);
	CU_ASSERT(alias->flags & LNS_NODE_CNAME);
	lns_zonedb_free(db);
}

static void test_zonedb_links_cut_dname_wildcard(void)
{
	lns_zonedb_t *db = lns_zonedb_new();
	lns_zone_t *z = base_zone(db, "example.test");
	ADD_OK(z, "child.example.test", LNS_T_NS, 300, rd_dname("ns.child.example.test"));
	ADD_OK(z, "ns.child.example.test", LNS_T_A, 300, rd_a("192.0.2.200"));
	ADD_OK(z, "deeper.ns.child.example.test", LNS_T_A, 300, rd_a("192.0.2.201"));
	ADD_OK(z, "grand.child.example.test", LNS_T_NS, 300, rd_dname("ns.example.net")); /* cut below a cut */
	ADD_OK(z, "x.grand.child.example.test", LNS_T_A, 300, rd_a("192.0.2.202"));
	ADD_OK(z, "legacy.example.test", LNS_T_DNAME, 300, rd_dname("example.net"));
	ADD_OK(z, "legacy.example.test", LNS_T_A, 300, rd_a("192.0.2.3"));
	ADD_OK(z, "hidden.legacy.example.test", LNS_T_A, 300, rd_a("192.0.2.4"));
	ADD_OK(z, "*.wild.example.test", LNS_T_A, 300, rd_a("192.0.2.99"));
	ADD_OK(z, "*.example.test", LNS_T_TXT, 300, rd_txt("apex wildcard"));
	ADD_OK(z, "alias.example.test", LNS_T_CNAME, 300, rd_dname("wild.example.test"));
	ADD_OK(z, "plain.example.test", LNS_T_A, 300, rd_a("192.0.2.5"));
	lns_err_t err = { "" };
	CU_ASSERT_EQUAL_FATAL(lns_zonedb_finish(db, &err), 0);

	const lns_node_t *apex = z->apex, *child = find(db, "child.example.test"),
			 *ns = find(db, "ns.child.example.test"), *deeper = find(db, "deeper.ns.child.example.test"),
			 *grand = find(db, "grand.child.example.test"), *x = find(db, "x.grand.child.example.test"),
			 *legacy = find(db, "legacy.example.test"), *hidden = find(db, "hidden.legacy.example.test"),
			 *wild = find(db, "wild.example.test"), *star = find(db, "*.wild.example.test"),
			 *apexstar = find(db, "*.example.test"), *alias = find(db, "alias.example.test"),
			 *plain = find(db, "plain.example.test");
	CU_ASSERT_FATAL(child && ns && deeper && grand && x && legacy && hidden && wild && star && apexstar && alias &&
		plain);

	/* the apex has NS but is no cut */
	CU_ASSERT_EQUAL(apex->flags, LNS_NODE_APEX);
	CU_ASSERT_PTR_NULL(apex->above);
	CU_ASSERT_PTR_EQUAL(apex->wild, apexstar);

	CU_ASSERT_EQUAL(child->flags, LNS_NODE_CUT);
	CU_ASSERT_PTR_NULL(child->above);
	CU_ASSERT_PTR_EQUAL(ns->above, child);
	CU_ASSERT_PTR_EQUAL(deeper->above, child);
	/* the topmost cut wins */
	CU_ASSERT(grand->flags & LNS_NODE_CUT);
	CU_ASSERT_PTR_EQUAL(grand->above, child);
	CU_ASSERT_PTR_EQUAL(x->above, child);

	CU_ASSERT_EQUAL(legacy->flags, LNS_NODE_DNAME);
	CU_ASSERT_PTR_NULL(legacy->above);
	CU_ASSERT_PTR_EQUAL(hidden->above, legacy);

	CU_ASSERT_PTR_EQUAL(wild->wild, star);
	CU_ASSERT_EQUAL(wild->n_rrsets, 0);
	CU_ASSERT_PTR_NULL(star->wild);
	CU_ASSERT_PTR_NULL(star->above);
	CU_ASSERT_PTR_NULL(plain->wild);

	CU_ASSERT_EQUAL(alias->flags, LNS_NODE_CNAME);
	CU_ASSERT_EQUAL(plain->flags, 0);
	CU_ASSERT_PTR_NULL(plain->above);
	lns_zonedb_free(db);
}

static bool has_add(const lns_rrset_t *rs, const lns_node_t *n)
{
	for (unsigned i = 0; i < rs->n_add; i++)
		if (rs->add[i] == n)
			return true;
	return false;
}

static void test_zonedb_additional_targets(void)
{
	lns_zonedb_t *db = lns_zonedb_new();
	lns_zone_t *z = base_zone(db, "example.test");
	ADD_OK(z, "example.test", LNS_T_NS, 300, rd_dname("NS2.Example.Test"));       /* other case */
	ADD_OK(z, "example.test", LNS_T_NS, 300, rd_dname("ns.example.net"));         /* out of zone */
	ADD_OK(z, "example.test", LNS_T_NS, 300, rd_dname("txtonly.example.test"));   /* no address */
	ADD_OK(z, "ns1.example.test", LNS_T_A, 300, rd_a("192.0.2.53"));
	ADD_OK(z, "ns2.example.test", LNS_T_AAAA, 300, rd_aaaa("2001:db8::54"));
	ADD_OK(z, "txtonly.example.test", LNS_T_TXT, 300, rd_txt("no address here"));
	ADD_OK(z, "example.test", LNS_T_MX, 300, rd_mx(10, "mail.example.test"));
	ADD_OK(z, "example.test", LNS_T_MX, 300, rd_mx(20, "mail.example.test."));
	ADD_OK(z, "example.test", LNS_T_MX, 300, rd_mx(30, "mail.example.test"));  /* same target twice */
	ADD_OK(z, "example.test", LNS_T_MX, 300, rd_mx(40, "nowhere.example.test"));
	ADD_OK(z, "mail.example.test", LNS_T_A, 300, rd_a("192.0.2.25"));
	ADD_OK(z, "_sip._tcp.example.test", LNS_T_SRV, 300, rd_srv(10, 60, 5060, "mail.example.test"));
	ADD_OK(z, "child.example.test", LNS_T_NS, 300, rd_dname("ns.child.example.test"));
	ADD_OK(z, "ns.child.example.test", LNS_T_A, 300, rd_a("192.0.2.200"));
	ADD_OK(z, "ptr.example.test", LNS_T_PTR, 300, rd_dname("mail.example.test")); /* PTR gets none */
	ADD_OK(z, "cn.example.test", LNS_T_CNAME, 300, rd_dname("mail.example.test")); /* nor CNAME */
	lns_err_t err = { "" };
	CU_ASSERT_EQUAL_FATAL(lns_zonedb_finish(db, &err), 0);

	const lns_rrset_t *ns = lns_node_rrset(z->apex, LNS_T_NS);
	const lns_node_t *ns1 = find(db, "ns1.example.test"), *ns2 = find(db, "ns2.example.test"),
			 *mail = find(db, "mail.example.test"), *txtonly = find(db, "txtonly.example.test"),
			 *glue = find(db, "ns.child.example.test");
	CU_ASSERT_FATAL(ns1 && ns2 && mail && txtonly && glue);
	CU_ASSERT_EQUAL(ns->count, 4);
	CU_ASSERT_EQUAL(ns->n_add, 2);
	CU_ASSERT(has_add(ns, ns1));
	CU_ASSERT(has_add(ns, ns2));
	CU_ASSERT_FALSE(has_add(ns, txtonly));

	const lns_rrset_t *mx = lns_node_rrset(z->apex, LNS_T_MX);
	CU_ASSERT_EQUAL(mx->count, 4);
	CU_ASSERT_EQUAL(mx->n_add, 1);
	CU_ASSERT(has_add(mx, mail));

	const lns_rrset_t *srv = lns_node_rrset(find(db, "_sip._tcp.example.test"), LNS_T_SRV);
	CU_ASSERT_EQUAL(srv->n_add, 1);
	CU_ASSERT(has_add(srv, mail));

	const lns_rrset_t *cut = lns_node_rrset(find(db, "child.example.test"), LNS_T_NS);
	CU_ASSERT_EQUAL(cut->n_add, 1);
	CU_ASSERT(has_add(cut, glue));

	CU_ASSERT_EQUAL(lns_node_rrset(find(db, "ptr.example.test"), LNS_T_PTR)->n_add, 0);
	CU_ASSERT_EQUAL(lns_node_rrset(find(db, "cn.example.test"), LNS_T_CNAME)->n_add, 0);
	CU_ASSERT_EQUAL(lns_node_rrset(mail, LNS_T_A)->n_add, 0);
	lns_zonedb_free(db);
}

static void test_zonedb_deeper_zone_hides_parent_nodes(void)
{
	lns_zonedb_t *db = lns_zonedb_new();
	lns_zone_t *parent = base_zone(db, "example.test");
	ADD_OK(parent, "sub.example.test", LNS_T_NS, 300, rd_dname("ns.sub.example.test"));
	ADD_OK(parent, "ns.sub.example.test", LNS_T_A, 300, rd_a("192.0.2.100"));
	ADD_OK(parent, "only-in-parent.sub.example.test", LNS_T_A, 300, rd_a("192.0.2.101"));
	ADD_OK(parent, "www.example.test", LNS_T_A, 300, rd_a("192.0.2.102"));
	lns_zone_t *child = base_zone(db, "sub.example.test");
	ADD_OK(child, "ns.sub.example.test", LNS_T_A, 300, rd_a("192.0.2.110"));
	ADD_OK(child, "www.sub.example.test", LNS_T_A, 300, rd_a("192.0.2.111"));
	/* a zone added before its parent is still found first */
	lns_zone_t *grandchild = base_zone(db, "deep.www.sub.example.test");
	(void)grandchild;
	lns_err_t err = { "" };
	CU_ASSERT_EQUAL_FATAL(lns_zonedb_finish(db, &err), 0);

	const lns_node_t *n = find(db, "sub.example.test");
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_EQUAL(n->zone, child);
	CU_ASSERT(n->flags & LNS_NODE_APEX);
	CU_ASSERT_FALSE(n->flags & LNS_NODE_CUT);
	n = find(db, "ns.sub.example.test");
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_EQUAL(n->zone, child);
	CU_ASSERT_PTR_NULL(n->above);
	CU_ASSERT_PTR_NULL(find(db, "only-in-parent.sub.example.test"));
	n = find(db, "www.sub.example.test");
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_EQUAL(n->zone, child);
	n = find(db, "deep.www.sub.example.test");
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT(n->flags & LNS_NODE_APEX);
	CU_ASSERT_PTR_NOT_EQUAL(n->zone, child);
	n = find(db, "www.example.test");
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_EQUAL(n->zone, parent);
	n = find(db, "example.test");
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_EQUAL(n->zone, parent);
	/* the parent keeps its own copy for transfers: cut, glue and the rest */
	CU_ASSERT_EQUAL(parent->n_nodes, 5);
	lns_zonedb_free(db);
}

static void test_zonedb_many_nodes(void)
{
	/* the tables grow past their first size and every name stays findable */
	lns_zonedb_t *db = lns_zonedb_new();
	lns_zone_t *z = base_zone(db, "example.test");
	char name[64];
	for (unsigned i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "h%u.g%u.example.test", i, i % 7);
		ADD_OK(z, name, LNS_T_A, 300, rd_a("192.0.2.1"));
	}
	lns_err_t err = { "" };
	CU_ASSERT_EQUAL_FATAL(lns_zonedb_finish(db, &err), 0);
	CU_ASSERT_EQUAL(db->n_records, 3002);
	CU_ASSERT_EQUAL(z->n_nodes, 1 + 7 + 3000);
	unsigned found = 0;
	for (unsigned i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "h%u.g%u.example.test", i, i % 7);
		const lns_node_t *n = find(db, name);
		found += n && node_is(n, name);
	}
	CU_ASSERT_EQUAL(found, 3000);
	lns_zonedb_free(db);
}

/* ======================================================================
 * view (without publishing)
 * ====================================================================== */

static void test_view_new_takes_ownership(void)
{
	char *path;
	lns_err_t err;
	int rc;
	lns_config_t *cfg = load_text("server: { node = \"v\"; };\n", &path, &err, &rc);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	lns_zonedb_t *db = lns_zonedb_new();
	lns_view_t *v = lns_view_new(cfg, db);
	CU_ASSERT_PTR_EQUAL(v->config, cfg);
	CU_ASSERT_PTR_EQUAL(v->zones, db);
	CU_ASSERT_EQUAL(v->generation, 0);
	lns_view_free(v); /* frees cfg and db: no leak under valgrind/ASan */
	lns_view_free(NULL);
	drop_file(path);
}

/* ====================================================================== */

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	CU_pSuite s = CU_add_suite("util", NULL, NULL);
	CU_add_test(s, "lns_strerror knows every code", test_strerror);
	CU_add_test(s, "lns_err_set writes file:line: message", test_err_set_formats_file_and_line);
	LNS_TEST_ADD_ROWS(s, "addr_parse: ", addr_rows, run_addr_row);
	CU_add_test(s, "addr port get and set", test_addr_port_get_set);
	LNS_TEST_ADD_ROWS(s, "prefix_parse: ", prefix_rows, run_prefix_row);
	LNS_TEST_ADD_ROWS(s, "prefix_has: ", has_rows, run_has_row);
	LNS_TEST_ADD_ROWS(s, "parse_long: ", long_rows, run_long_row);
	CU_add_test(s, "parse_long: NULL text", test_parse_long_null);

	s = CU_add_suite("dname", NULL, NULL);
	LNS_TEST_ADD_ROWS(s, "len: ", dlen_rows, run_dlen_row);
	CU_add_test(s, "len: zero max and pointers", test_dname_len_zero_max);
	CU_add_test(s, "labels", test_dname_labels);
	LNS_TEST_ADD_ROWS(s, "equal and is_sub: ", deq_rows, run_deq_row);
	LNS_TEST_ADD_ROWS(s, "render: ", render_rows, run_render_row);
	CU_add_test(s, "render: small buffers are never overrun", test_dname_render_small_buffers);
	CU_add_test(s, "tolower and hash", test_dname_tolower_and_hash);

	s = CU_add_suite("config", NULL, NULL);
	CU_add_test(s, "defaults", test_config_defaults);
	CU_add_test(s, "every key, relative and absolute zone files", test_config_every_key);
	CU_add_test(s, "listen as one string, range ends, log levels", test_config_small_forms);
	CU_add_test(s, "zone files relative to a relative config path", test_config_relative_to_relative_config);
	CU_add_test(s, "missing file", test_config_missing_file);
	LNS_TEST_ADD_ROWS(s, "bad file: ", badconf_rows, run_badconf_row);

	s = CU_add_suite("zonedb", NULL, NULL);
	CU_add_test(s, "nodes and empty non-terminals", test_zonedb_nodes_and_empty_non_terminals);
	CU_add_test(s, "RRsets sorted by type, duplicate records dropped",
		test_zonedb_rrsets_sorted_and_duplicates_dropped);
	CU_add_test(s, "the same zone twice", test_zonedb_zone_twice);
	LNS_TEST_ADD_ROWS(s, "add_rr refuses: ", zadd_rows, run_zadd_row);
	LNS_TEST_ADD_ROWS(s, "finish refuses: ", zbad_rows, run_zbad_row);
	CU_add_test(s, "finish refuses: malformed SOA", test_zonedb_malformed_soa);
	CU_add_test(s, "CNAME beside RRSIG and NSEC is fine", test_zonedb_cname_beside_dnssec_records);
	CU_add_test(s, "cut, DNAME and wildcard links", test_zonedb_links_cut_dname_wildcard);
	CU_add_test(s, "additional targets for NS, MX, SRV", test_zonedb_additional_targets);
	CU_add_test(s, "a deeper zone hides the parent's nodes", test_zonedb_deeper_zone_hides_parent_nodes);
	CU_add_test(s, "thousands of nodes", test_zonedb_many_nodes);

	lns_test_policy_suite();
	s = CU_add_suite("view", NULL, NULL);
	CU_add_test(s, "new takes ownership, free releases all", test_view_new_takes_ownership);

	if (CU_get_error() != CUE_SUCCESS) {
		fprintf(stderr, "unit_core: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	return lns_test_run();
}
