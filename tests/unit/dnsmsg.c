/* tests/unit/dnsmsg: test queries and responses. */
#include "tests/unit/dnsmsg.h"

#include "core/dname.h"

#include <stdlib.h>
#include <string.h>

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

size_t lns_test_query_wire(const lns_test_query_t *q, uint8_t *out, size_t cap)
{
	ldns_rdf *name = ldns_dname_new_frm_str(q->qname);
	if (!name)
		return 0;
	uint16_t flags = (uint16_t)((q->opts & LNS_TQ_RD ? LDNS_RD : 0) | (q->opts & LNS_TQ_CD ? LDNS_CD : 0));
	ldns_pkt *p = ldns_pkt_query_new(name, (ldns_rr_type)q->qtype, (ldns_rr_class)(q->qclass ? q->qclass : 1),
		flags);
	if (!p)
		return 0;
	ldns_pkt_set_id(p, q->id ? q->id : 0x4c4e);
	if (q->opts & LNS_TQ_ANY_EDNS) {
		ldns_pkt_set_edns_udp_size(p, q->payload ? q->payload : 1232);
		ldns_pkt_set_edns_do(p, (q->opts & LNS_TQ_DO) != 0);
		ldns_pkt_set_edns_version(p, q->opts & LNS_TQ_V1 ? 1 : 0);
		uint8_t data[64];
		size_t n = 0;
		if (q->opts & LNS_TQ_UNKNOWN) {
			/* a client cookie (RFC 7873) and a private-use option with data */
			const uint8_t unknown[] = { 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0xfd, 0xe9, 0, 3, 'a', 'b', 'c' };
			memcpy(data + n, unknown, sizeof(unknown));
			n += sizeof(unknown);
		}
		if (q->opts & LNS_TQ_NSID) {
			const uint8_t nsid[] = { 0, 3, 0, 0 };
			memcpy(data + n, nsid, sizeof(nsid));
			n += sizeof(nsid);
		}
		if (n)
			ldns_pkt_set_edns_data(p, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, n, data));
	}
	uint8_t *wire = NULL;
	size_t len = 0;
	if (ldns_pkt2wire(&wire, p, &len) != LDNS_STATUS_OK || len > cap)
		len = 0;
	else
		memcpy(out, wire, len);
	free(wire);
	ldns_pkt_free(p);
	return len;
}

static void raw_read(lns_test_resp_t *r)
{
	const uint8_t *w = r->wire;
	if (r->len < 12)
		return;
	r->id = get16(w);
	r->flags = get16(w + 2);
	r->qd = get16(w + 4);
	r->an = get16(w + 6);
	r->ns = get16(w + 8);
	r->ar = get16(w + 10);
	r->rcode = r->flags & 0xf;
	size_t off = 12;
	for (unsigned i = 0; i < r->qd; i++) {
		off = lns_dname_skip(w, r->len, off);
		if (off == 0 || off + 4 > r->len)
			return;
		off += 4;
	}
	unsigned total = (unsigned)r->an + r->ns + r->ar;
	for (unsigned i = 0; i < total; i++) {
		size_t owner = off;
		off = lns_dname_skip(w, r->len, off);
		if (off == 0 || off + 10 > r->len)
			return;
		uint16_t rdlen = get16(w + off + 8);
		if (off + 10 + rdlen > r->len)
			return;
		if (get16(w + off) == 41 && i >= (unsigned)r->an + r->ns) {
			r->n_opt++;
			r->opt = true;
			(void)owner;
			r->opt_payload = get16(w + off + 2);
			r->opt_ext_rcode = w[off + 4];
			r->opt_version = w[off + 5];
			r->opt_do = (w[off + 6] & 0x80) != 0;
			r->opt_data = w + off + 10;
			r->opt_len = rdlen;
			r->rcode = (r->opt_ext_rcode << 4) | (r->flags & 0xf);
		}
		off += 10u + rdlen;
	}
	r->well_formed = off == r->len;
}

lns_test_resp_t *lns_test_resp_read(const uint8_t *wire, size_t len)
{
	lns_test_resp_t *r = calloc(1, sizeof(*r));
	if (!r)
		abort();
	r->wire = malloc(len ? len : 1);
	if (!r->wire)
		abort();
	memcpy(r->wire, wire, len);
	r->len = len;
	r->rcode = -1;
	raw_read(r);
	if (len && ldns_wire2pkt(&r->pkt, r->wire, len) != LDNS_STATUS_OK)
		r->pkt = NULL;
	return r;
}

void lns_test_resp_free(lns_test_resp_t *r)
{
	if (!r)
		return;
	ldns_pkt_free(r->pkt);
	free(r->wire);
	free(r);
}

bool lns_test_resp_option(const lns_test_resp_t *r, uint16_t code, const uint8_t **data, uint16_t *len)
{
	if (!r->opt)
		return false;
	const uint8_t *o = r->opt_data;
	size_t left = r->opt_len;
	while (left >= 4) {
		uint16_t c = get16(o), l = get16(o + 2);
		if ((size_t)l + 4 > left)
			return false;
		if (c == code) {
			*data = o + 4;
			*len = l;
			return true;
		}
		o += 4u + l;
		left -= 4u + l;
	}
	return false;
}

char *lns_test_rr_text(const ldns_rr *rr)
{
	char *s = ldns_rr2str(rr);
	if (!s)
		abort();
	size_t o = 0;
	for (size_t i = 0; s[i]; i++) {
		char c = s[i] == '\t' ? ' ' : s[i];
		if (c == '\n')
			continue;
		if (c == ' ' && o > 0 && s[o - 1] == ' ')
			continue;
		s[o++] = c;
	}
	while (o > 0 && s[o - 1] == ' ')
		o--;
	s[o] = '\0';
	return s;
}

size_t lns_test_rr_wire_size(const ldns_rr *rr)
{
	size_t n = ldns_rdf_size(ldns_rr_owner(rr)) + 10;
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++)
		n += ldns_rdf_size(ldns_rr_rdf(rr, i));
	return n;
}
