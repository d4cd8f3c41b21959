/*
 * fuzz_zone: one input is the text of a zone file for example.test,
 * compiled by the real loader (lns_config_load, then lns_ns_zones_load:
 * ldns, $ORIGIN, $TTL, $INCLUDE, the zone checks, pools beside static
 * names). The scratch directory holds files to $INCLUDE (inc.zone,
 * sub/deeper.zone). A zone that compiles is then served: its SOA, ANY over
 * TCP at the apex and at the pool's name, and a full AXFR (which walks
 * every record compiled) must read back (dns_check.h).
 *
 * Corpus: tests/fuzz/corpus/zone/, the example zones of zones/,
 * tests/unit/ and tests/data/, and small zones for each check.
 */
#include "config.h"

#include "core/dname.h"
#include "nameserver/nameserver.h"
#include "nameserver/nameserver_int.h"
#include "tests/fuzz/dns_check.h"
#include "tests/fuzz/fuzz.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *conf_path;
static struct sockaddr_in peer;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_log_init();
	free(fuzz_write_text("inc.zone", "included A 192.0.2.5\n@ TXT \"from inc.zone\"\n"));
	char *sub = fuzz_tmp_path("sub");
	mkdir(sub, 0700);
	free(sub);
	free(fuzz_write_text("sub/deeper.zone", "$TTL 60\ndeeper AAAA 2001:db8::5\n$INCLUDE ../inc.zone\n"));
	conf_path = fuzz_write_text("zone.conf",
		"server: { node = \"fuzz-zone\"; };\n"
		"zones = ( { name = \"example.test\"; file = \"fuzz.zone\"; allow_transfer = [ \"127.0.0.1\" ]; } );\n"
		"pools = ( { name = \"www.example.test\"; probe = { type = \"none\"; };\n"
		"  members = ( { name = \"a\"; address = \"192.0.2.1\"; }, { name = \"b\"; address = \"2001:db8::1\"; } ); } );\n");
	peer.sin_family = AF_INET;
	peer.sin_port = htons(53002);
	inet_pton(AF_INET, "127.0.0.1", &peer.sin_addr);
	return 0;
}

/* A query for name/type with EDNS (payload 4096, DO), as dig sends it. */
static size_t query(uint8_t *q, const char *name, uint16_t type)
{
	static const uint8_t hdr[12] = { 0xab, 0xcd, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1 };
	static const uint8_t opt[11] = { 0, 0, 41, 0x10, 0, 0, 0, 0x80, 0, 0, 0 };
	size_t n = 12;
	memcpy(q, hdr, 12);
	n += lns_dname_parse(name, q + n, LNS_DNAME_MAX);
	q[n++] = (uint8_t)(type >> 8);
	q[n++] = (uint8_t)type;
	q[n++] = 0;
	q[n++] = 1;
	memcpy(q + n, opt, sizeof(opt));
	return n + sizeof(opt);
}

static void serve(const lns_view_t *v)
{
	static const struct {
		const char *name;
		uint16_t type;
		bool tcp;
	} asks[] = { { "example.test", 6, false }, { "example.test", 255, true }, { "www.example.test", 255, true },
		{ "included.example.test", 1, false } };
	uint8_t q[512];
	uint8_t *out = malloc(65535);
	for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
		size_t qlen = query(q, asks[i].name, asks[i].type);
		lns_client_t c = { (const struct sockaddr *)&peer, asks[i].tcp };
		size_t cap = asks[i].tcp ? 65535 : 4096;
		size_t n = lns_answer(v, q, qlen, out, cap, &c);
		fuzz_dns_check(q, qlen, out, n, cap, asks[i].name);
	}
	free(out);
	size_t qlen = query(q, "example.test", 252), len = 0, cap = 0;
	uint8_t *xfr = NULL;
	lns_axfr_stream(v, q, qlen, (const struct sockaddr *)&peer, &xfr, &len, &cap);
	for (size_t off = 0; off + 2 <= len;) {
		size_t n = (size_t)(xfr[off] << 8 | xfr[off + 1]);
		if (off + 2 + n > len) {
			fprintf(stderr, "fuzz: the AXFR stream is cut inside a message\n");
			abort();
		}
		fuzz_dns_check(q, qlen, xfr + off + 2, n, 65535, "axfr");
		off += 2 + n;
	}
	free(xfr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	free(fuzz_write("fuzz.zone", data, size));
	lns_config_t *cfg = NULL;
	lns_zonedb_t *db = NULL;
	lns_err_t err;
	err.msg[0] = '\0';
	if (lns_config_load(conf_path, &cfg, &err) != 0) {
		fprintf(stderr, "fuzz: zone.conf does not load: %s\n", err.msg);
		abort();
	}
	if (lns_ns_zones_load(cfg, &db, &err) != 0) {
		if (fuzz_verbose())
			fprintf(stderr, "fuzz: refused: %s\n", err.msg);
		if (!err.msg[0]) {
			fprintf(stderr, "fuzz: a zone was refused without a reason\n");
			abort();
		}
		lns_config_free(cfg);
		return 0;
	}
	lns_view_t *v = lns_view_new(cfg, db);
	if (fuzz_verbose())
		fprintf(stderr, "fuzz: loaded; serving\n");
	serve(v);
	lns_view_free(v);
	return 0;
}
