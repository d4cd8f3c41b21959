/*
 * Unit tests of EDNS Client Subnet (RFC 7871) in answers: parsing (FORMERR
 * for malformed options), the option echoed with scope 0 for answers that
 * do not depend on the subnet and with the prefix used for affinity pools,
 * and affinity answers that follow the subnet.
 */
#include "config.h"

#include "core/config.h"
#include "core/view.h"
#include "nameserver/nameserver.h"
#include "nameserver/nameserver_int.h"
#include "tests/unit/helper.h"
#include "tests/unit/suites.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

static lns_view_t *view;
static char *dir;

static int ecs_init(void)
{
	lns_err_t err;
	lns_config_t *cfg;
	lns_zonedb_t *db;
	dir = lns_test_mkdtemp();
	free(lns_test_write(dir, "z.zone",
		"$ORIGIN example.test.\n@ 300 SOA ns hm 1 2 3 4 60\n@ NS ns\nns A 192.0.2.53\nstatic A 192.0.2.80\n"));
	char *conf = lns_test_write(dir, "ecs.conf",
		"zones = ( { name = \"example.test\"; file = \"z.zone\"; } );\n"
		"pools = ( { name = \"near.example.test\"; policy = \"affinity\"; probe = { type = \"none\"; };\n"
		"  members = ( { name = \"a\"; address = \"192.0.2.1\"; }, { name = \"b\"; address = \"192.0.2.2\"; },\n"
		"              { name = \"c\"; address = \"192.0.2.3\"; }, { name = \"d\"; address = \"192.0.2.4\"; } ); } );\n");
	int rc = lns_config_load(conf, &cfg, &err);
	free(conf);
	if (rc != 0 || lns_ns_zones_load(cfg, &db, &err) != 0) {
		fprintf(stderr, "ecs suite: %s\n", err.msg);
		return 1;
	}
	view = lns_view_new(cfg, db);
	return 0;
}

static int ecs_cleanup(void)
{
	lns_view_free(view);
	lns_test_rmtree(dir);
	free(dir);
	return 0;
}

/* A query for name/type (presentation name), with an ECS option given as
 * raw bytes (family, source, scope, address). */
static size_t query(uint8_t *q, const char *name, uint16_t type, const uint8_t *ecs, size_t ecs_len)
{
	static const uint8_t hdr[12] = { 0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1 };
	size_t n = 12;
	memcpy(q, hdr, 12);
	n += lns_dname_parse(name, q + n, 256);
	q[n++] = (uint8_t)(type >> 8);
	q[n++] = (uint8_t)type;
	q[n++] = 0;
	q[n++] = 1;
	const uint8_t opt[11] = { 0, 0, 41, 4, 208, 0, 0, 0, 0, 0, (uint8_t)(4 + ecs_len) };
	memcpy(q + n, opt, 11);
	n += 11;
	q[n++] = 0;
	q[n++] = 8;
	q[n++] = 0;
	q[n++] = (uint8_t)ecs_len;
	memcpy(q + n, ecs, ecs_len);
	return n + ecs_len;
}

static size_t ask(const uint8_t *ecs, size_t ecs_len, const char *name, uint8_t *r)
{
	uint8_t q[512];
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	lns_client_t client = { (const struct sockaddr *)&sin, false };
	size_t n = query(q, name, 1, ecs, ecs_len);
	return lns_answer(view, q, n, r, 4096, &client);
}

/* The ECS option in a response: its 4 + address bytes, or NULL. */
static const uint8_t *ecs_of(const uint8_t *r, size_t len, size_t *olen)
{
	for (size_t i = 12; i + 4 <= len; i++)
		if (r[i] == 0 && r[i + 1] == 8) {
			*olen = (size_t)((r[i + 2] << 8) | r[i + 3]);
			if (i + 4 + *olen == len)
				return r + i + 4;
		}
	return NULL;
}

static void test_parse_errors(void)
{
	static const struct {
		const char *what;
		uint8_t bytes[12];
		size_t len;
	} bad[] = {
		{ "scope not zero in a query", { 0, 1, 24, 8, 198, 51, 100 }, 7 },
		{ "bits beyond the source prefix", { 0, 1, 24, 0, 198, 51, 100, 7 }, 8 },
		{ "address longer than the prefix needs", { 0, 1, 16, 0, 198, 51, 100 }, 7 },
		{ "address shorter than the prefix needs", { 0, 1, 24, 0, 198, 51 }, 6 },
		{ "unknown family", { 0, 3, 8, 0, 10 }, 5 },
		{ "IPv4 prefix over 32", { 0, 1, 33, 0, 1, 2, 3, 4, 5 }, 9 },
		{ "option shorter than its fixed part", { 0, 1, 0 }, 3 },
		{ "a set bit past a /20", { 0, 1, 20, 0, 198, 51, 0x6f }, 7 },
	};
	uint8_t r[4096];
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		size_t n = ask(bad[i].bytes, bad[i].len, "static.example.test", r);
		T_CHECK(n >= 12 && (r[3] & 0xf) == LNS_RCODE_FORMERR, "%s: FORMERR (rcode %d)", bad[i].what, n ? r[3] & 0xf : -1);
	}
}

static void test_scope(void)
{
	uint8_t r[4096];
	size_t olen;
	const uint8_t v4[] = { 0, 1, 24, 0, 198, 51, 100 };
	size_t n = ask(v4, sizeof(v4), "static.example.test", r);
	const uint8_t *o = ecs_of(r, n, &olen);
	T_CHECK(o && olen == 7 && o[2] == 24 && o[3] == 0 && memcmp(o + 4, v4 + 4, 3) == 0,
		"a static answer echoes the subnet with scope 0");
	n = ask(v4, sizeof(v4), "near.example.test", r);
	o = ecs_of(r, n, &olen);
	T_CHECK(o && olen == 7 && o[2] == 24 && o[3] == 24, "an affinity answer has scope /24");
	const uint8_t host[] = { 0, 1, 32, 0, 198, 51, 100, 7 };
	n = ask(host, sizeof(host), "near.example.test", r);
	o = ecs_of(r, n, &olen);
	T_CHECK(o && olen == 8 && o[2] == 32 && o[3] == 24, "a /32 source is used as its /24: scope 24");
	const uint8_t v6[] = { 0, 2, 56, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0x12 };
	n = ask(v6, sizeof(v6), "near.example.test", r);
	o = ecs_of(r, n, &olen);
	T_CHECK(o && olen == 11 && o[2] == 56 && o[3] == 56, "IPv6 /56: scope 56");
	const uint8_t none[] = { 0, 1, 0, 0 };
	n = ask(none, sizeof(none), "near.example.test", r);
	o = ecs_of(r, n, &olen);
	T_CHECK(o && olen == 4 && o[2] == 0 && o[3] == 0, "source 0 (the client opts out): scope 0");
}

static void test_affinity_follows_subnet(void)
{
	uint8_t r[4096], first[16], wire[256];
	unsigned seen = 0;
	/* The answer's address ends 15 bytes after the question (pointer, type,
	 * class, TTL, length, 4 bytes). */
	size_t last_at = 12 + lns_dname_parse("near.example.test", wire, sizeof(wire)) + 4 + 15;
	for (unsigned s = 0; s < 64; s++) {
		uint8_t ecs[] = { 0, 1, 24, 0, 10, (uint8_t)s, 0 };
		size_t n = ask(ecs, sizeof(ecs), "near.example.test", r);
		T_CHECK(n > 12 && r[7] == 1, "subnet %u: one answer", s);
		uint8_t last = r[last_at];
		size_t m = ask(ecs, sizeof(ecs), "near.example.test", r);
		T_CHECK(m == n && r[last_at] == last, "subnet %u: the same member again", s);
		if (s < 16)
			first[s] = last;
		seen |= 1u << (last & 7);
	}
	T_CHECK(seen == ((1u << 1) | (1u << 2) | (1u << 3) | (1u << 4)), "64 subnets reach all 4 members (%x)", seen);
	(void)first;
}

void lns_test_ecs_suite(void)
{
	CU_pSuite s = CU_add_suite("client subnet", ecs_init, ecs_cleanup);
	CU_add_test(s, "malformed options: FORMERR", test_parse_errors);
	CU_add_test(s, "scope: 0 for static, the prefix used for affinity", test_scope);
	CU_add_test(s, "affinity follows the subnet", test_affinity_follows_subnet);
}
