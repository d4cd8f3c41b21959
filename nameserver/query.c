/*
 * nameserver/query: parses a query straight from the wire, bounds-checked,
 * without allocation: header, the one question (name lowercased), and the
 * EDNS OPT record if any (RFC 6891).
 */
#include "config.h"

#include "core/dname.h"

#include "nameserver/nameserver_int.h"

#include <string.h>

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/* RFC 7871 6: family, source prefix, scope 0, and just the address bytes the
 * prefix needs, with the bits past it zero. */
static enum lns_parse_result parse_ecs(const uint8_t *o, size_t olen, lns_query_t *q)
{
	if (olen < 4 || q->ecs)
		return LNS_PARSE_FORMERR;
	uint16_t family = get16(o);
	uint8_t source = o[2], scope = o[3];
	size_t alen = (size_t)(source + 7) / 8;
	if ((family != 1 && family != 2) || source > (family == 1 ? 32 : 128) || scope != 0 || olen - 4 != alen)
		return LNS_PARSE_FORMERR;
	memset(q->ecs_addr, 0, sizeof(q->ecs_addr));
	memcpy(q->ecs_addr, o + 4, alen);
	if (source % 8 && (q->ecs_addr[alen - 1] & (0xff >> (source % 8))))
		return LNS_PARSE_FORMERR;
	q->ecs = true;
	q->ecs_family = family;
	q->ecs_source = source;
	return LNS_PARSE_OK;
}

static enum lns_parse_result parse_opt(const uint8_t *rr, size_t rdlen, lns_query_t *q)
{
	/* rr points at TYPE: type(2) class(2) ttl(4) rdlen(2) rdata */
	q->edns = true;
	q->edns_payload = get16(rr + 2) < 512 ? 512 : get16(rr + 2);
	q->edns_version = rr[5];
	q->edns_do = (rr[6] & 0x80) != 0;
	const uint8_t *o = rr + 10;
	while (rdlen > 0) {
		if (rdlen < 4)
			return LNS_PARSE_FORMERR;
		uint16_t code = get16(o), olen = get16(o + 2);
		if ((size_t)olen + 4 > rdlen)
			return LNS_PARSE_FORMERR;
		if (code == LNS_EDNS_NSID && olen == 0)
			q->edns_nsid = true;
		if (code == LNS_EDNS_ECS && parse_ecs(o + 4, olen, q) != LNS_PARSE_OK)
			return LNS_PARSE_FORMERR;
		o += 4u + olen;
		rdlen -= 4u + olen;
	}
	return LNS_PARSE_OK;
}

static enum lns_parse_result parse_question(const uint8_t *pkt, size_t len, lns_query_t *q)
{
	size_t off = LNS_HDR, n = 0;
	unsigned labels = 0;
	for (;;) {
		if (off >= len)
			return LNS_PARSE_FORMERR;
		uint8_t l = pkt[off];
		if (l == 0)
			break;
		if (l > 63 || labels == LNS_LABELS_MAX - 1 || n + 1u + l + 1 > LNS_DNAME_MAX || off + 1u + l >= len)
			return LNS_PARSE_FORMERR; /* pointers in the question are not allowed either */
		q->label_off[labels++] = (uint8_t)n;
		q->lname[n++] = l;
		for (unsigned i = 1; i <= l; i++)
			q->lname[n++] = lns_lower[pkt[off + i]];
		off += 1u + l;
	}
	q->lname[n++] = 0;
	q->name_len = (uint8_t)n;
	q->labels = (uint8_t)labels;
	if (off + 5 > len)
		return LNS_PARSE_FORMERR;
	q->qtype = get16(pkt + off + 1);
	q->qclass = get16(pkt + off + 3);
	q->qend = off + 5;
	return LNS_PARSE_OK;
}

enum lns_parse_result lns_query_parse(const uint8_t *pkt, size_t len, lns_query_t *q)
{
	if (len < LNS_HDR)
		return LNS_PARSE_DROP;
	q->id = get16(pkt);
	q->flags = get16(pkt + 2);
	q->opcode = (uint8_t)((q->flags >> 11) & 0xf);
	q->edns = q->edns_do = q->edns_nsid = q->ecs = false;
	q->edns_version = 0;
	q->edns_payload = 512;
	q->qend = LNS_HDR;
	q->name_len = 0;
	q->labels = 0;
	if (q->flags & LNS_F_QR)
		return LNS_PARSE_DROP;
	if (q->opcode != 0)
		return LNS_PARSE_NOTIMP;
	if (get16(pkt + 4) != 1)
		return LNS_PARSE_FORMERR;
	enum lns_parse_result r = parse_question(pkt, len, q);
	if (r != LNS_PARSE_OK)
		return r;

	/* Walk the other sections; only OPT (in the additional section) matters. */
	unsigned an = get16(pkt + 6), ns = get16(pkt + 8), ar = get16(pkt + 10);
	size_t off = q->qend;
	for (unsigned i = 0; i < an + ns + ar; i++) {
		size_t name = off;
		off = lns_dname_skip(pkt, len, off);
		if (off == 0 || off + 10 > len)
			return LNS_PARSE_FORMERR;
		size_t rdlen = get16(pkt + off + 8);
		if (off + 10 + rdlen > len)
			return LNS_PARSE_FORMERR;
		if (get16(pkt + off) == LNS_T_OPT) {
			if (i < an + ns || q->edns || pkt[name] != 0)
				return LNS_PARSE_FORMERR; /* RFC 6891 6.1.1 */
			if ((r = parse_opt(pkt + off, rdlen, q)) != LNS_PARSE_OK)
				return r;
		}
		off += 10 + rdlen;
	}
	return LNS_PARSE_OK;
}
