/* tests/fuzz/dns_check: every response reads back (see dns_check.h). */
#include "config.h"

#include "tests/fuzz/dns_check.h"

#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *what, const char *why, const uint8_t *resp, size_t len)
{
	fprintf(stderr, "fuzz: %s: response of %zu bytes: %s\n", what, len, why);
	for (size_t i = 0; i < len && i < 256; i++)
		fprintf(stderr, "%02x%s", resp[i], i % 32 == 31 ? "\n" : " ");
	fprintf(stderr, "\n");
	abort();
}

void fuzz_dns_check(const uint8_t *query, size_t qlen, const uint8_t *resp, size_t len, size_t cap, const char *what)
{
	if (len == 0)
		return;
	if (len > cap)
		fail(what, "longer than the room it was given", resp, len);
	if (len < 12)
		fail(what, "shorter than a header", resp, len);
	if (qlen < 2 || resp[0] != query[0] || resp[1] != query[1])
		fail(what, "ID differs from the query's", resp, len);
	if (!(resp[2] & 0x80))
		fail(what, "QR is clear", resp, len);
	/* A question answered is the query's, byte for byte (its case kept). */
	if (resp[4] == 0 && resp[5] == 1) {
		size_t q = 12;
		while (q < qlen && query[q] != 0 && query[q] < 64)
			q += 1u + query[q];
		q += 5; /* the root label, type, class */
		if (q > qlen || q > len || memcmp(query + 12, resp + 12, q - 12) != 0)
			fail(what, "its question is not the query's", resp, len);
	}
	ldns_pkt *pkt = NULL;
	ldns_status s = ldns_wire2pkt(&pkt, resp, len);
	if (s != LDNS_STATUS_OK) {
		char why[128];
		snprintf(why, sizeof(why), "ldns cannot read it: %s", ldns_get_errorstr_by_id(s));
		fail(what, why, resp, len);
	}
	ldns_pkt_free(pkt);
}

void fuzz_dns_check_udp(const uint8_t *query, size_t qlen, const uint8_t *resp, size_t len, size_t payload_max,
	const char *what)
{
	ldns_pkt *q = NULL;
	if (len == 0 || ldns_wire2pkt(&q, query, qlen) != LDNS_STATUS_OK)
		return;
	size_t limit = 512;
	if (ldns_pkt_edns(q)) {
		limit = ldns_pkt_edns_udp_size(q) < payload_max ? ldns_pkt_edns_udp_size(q) : payload_max;
		limit = limit < 512 ? 512 : limit;
	}
	ldns_pkt_free(q);
	if (len > limit) {
		char why[128];
		snprintf(why, sizeof(why), "over UDP, larger than the %zu bytes the query allows", limit);
		fail(what, why, resp, len);
	}
}
