/*
 * nameserver/pkt: writes records into a response with name compression
 * (RFC 1035 4.1.4). A small dictionary remembers where names stand in the
 * packet; it is seeded with every suffix of the question name, so most
 * owners become a two-byte pointer and a whole RRset is one memcpy.
 */
#include "config.h"

#include "nameserver/nameserver_int.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

static void dict_add(lns_pkt_t *p, const uint8_t *name, size_t len, size_t off)
{
	if (p->n_dict == LNS_DICT_MAX || off >= 0x4000)
		return;
	p->dict[p->n_dict].name = name;
	p->dict[p->n_dict].len = (uint8_t)len;
	p->dict[p->n_dict].off = (uint16_t)off;
	p->n_dict++;
}

static int dict_find(const lns_pkt_t *p, const uint8_t *name, size_t len)
{
	for (unsigned i = 0; i < p->n_dict; i++)
		if (p->dict[i].len == len && lns_dname_equal(p->dict[i].name, name))
			return p->dict[i].off;
	return -1;
}

void lns_pkt_init(lns_pkt_t *p, uint8_t *buf, size_t cap, const lns_query_t *q, size_t qname_off)
{
	p->buf = buf;
	p->len = q->qend;
	p->cap = cap;
	p->count[0] = p->count[1] = p->count[2] = 0;
	p->n_dict = 0;
	unsigned first = q->labels > 24 ? q->labels - 23 : 1;
	if (q->name_len == 0)
		return;
	dict_add(p, q->lname, q->name_len, qname_off);
	for (unsigned i = first; i < q->labels; i++)
		dict_add(p, q->lname + q->label_off[i], q->name_len - q->label_off[i], qname_off + q->label_off[i]);
}

lns_pkt_mark_t lns_pkt_mark(const lns_pkt_t *p)
{
	lns_pkt_mark_t m = { p->len, p->n_dict, { p->count[0], p->count[1], p->count[2] } };
	return m;
}

void lns_pkt_undo(lns_pkt_t *p, lns_pkt_mark_t m)
{
	p->len = m.len;
	p->n_dict = m.n_dict;
	memcpy(p->count, m.count, sizeof(p->count));
}

int lns_pkt_put_name(lns_pkt_t *p, const uint8_t *name, bool compress)
{
	size_t len = 0;
	while (name[len])
		len += 1u + name[len];
	len++;

	/* The longest suffix already in the packet. */
	const uint8_t *s = name;
	size_t slen = len;
	int ptr = -1;
	if (compress) {
		while (*s) {
			if ((ptr = dict_find(p, s, slen)) >= 0)
				break;
			slen -= 1u + *s;
			s += 1u + *s;
		}
		if (s == name && ptr >= 0)
			goto pointer_only;
	} else {
		s = name + len - 1;
	}
	size_t literal = (size_t)(s - name);
	if (p->len + literal + (ptr >= 0 ? 2 : 1) > p->cap)
		return -1;
	size_t start = p->len;
	for (const uint8_t *l = name; l < s; l += 1u + *l)
		dict_add(p, l, len - (size_t)(l - name), p->len + (size_t)(l - name));
	memcpy(p->buf + p->len, name, literal);
	p->len += literal;
	if (ptr >= 0) {
		p->buf[p->len++] = (uint8_t)(0xc0 | (ptr >> 8));
		p->buf[p->len++] = (uint8_t)ptr;
	} else {
		p->buf[p->len++] = 0;
	}
	return (int)start;

pointer_only:
	if (p->len + 2 > p->cap)
		return -1;
	p->buf[p->len++] = (uint8_t)(0xc0 | (ptr >> 8));
	p->buf[p->len++] = (uint8_t)ptr;
	return ptr;
}

static void cap_ttl(uint8_t *ttl_field, uint32_t ttl_cap)
{
	uint32_t ttl;
	memcpy(&ttl, ttl_field, 4);
	if (ntohl(ttl) > ttl_cap) {
		ttl = htonl(ttl_cap);
		memcpy(ttl_field, &ttl, 4);
	}
}

/* RDATA whose names may be compressed: NS, CNAME, PTR, MX, SOA. */
static int put_rdata_compressed(lns_pkt_t *p, uint16_t type, const uint8_t *rd, size_t rdlen)
{
	size_t fixed = 0;
	if (type == LNS_T_MX) {
		if (p->len + 2 > p->cap)
			return -1;
		memcpy(p->buf + p->len, rd, 2);
		p->len += 2;
		rd += 2;
		rdlen -= 2;
	}
	size_t n = lns_dname_len(rd, rdlen);
	if (lns_pkt_put_name(p, rd, true) < 0)
		return -1;
	if (type == LNS_T_SOA) {
		size_t m = lns_dname_len(rd + n, rdlen - n);
		if (lns_pkt_put_name(p, rd + n, true) < 0)
			return -1;
		n += m;
		fixed = rdlen - n;
	}
	if (p->len + fixed > p->cap)
		return -1;
	memcpy(p->buf + p->len, rd + n, fixed);
	p->len += fixed;
	return 0;
}

static int put_owner(lns_pkt_t *p, const uint8_t *owner)
{
	return lns_pkt_put_name(p, owner, true);
}

int lns_pkt_put_rr(lns_pkt_t *p, int section, const uint8_t *owner, const lns_rrset_t *rs, unsigned i,
	uint32_t ttl_cap)
{
	const uint8_t *rr = rs->wire + rs->rr_off[i];
	size_t rdlen = (size_t)((rr[10] << 8) | rr[11]);
	if (put_owner(p, owner) < 0 || p->len + 10 > p->cap)
		return -1;
	uint8_t *hdr = p->buf + p->len;
	memcpy(hdr, rr + 2, 10);
	cap_ttl(hdr + 4, ttl_cap);
	p->len += 10;
	size_t start = p->len;
	if (rs->compress) {
		if (put_rdata_compressed(p, rs->type, rr + 12, rdlen) < 0)
			return -1;
		size_t n = p->len - start;
		hdr[8] = (uint8_t)(n >> 8);
		hdr[9] = (uint8_t)n;
	} else {
		if (p->len + rdlen > p->cap)
			return -1;
		memcpy(p->buf + p->len, rr + 12, rdlen);
		p->len += rdlen;
	}
	p->count[section]++;
	return 0;
}

int lns_pkt_put_rrset(lns_pkt_t *p, int section, const uint8_t *owner, const lns_rrset_t *rs, uint32_t ttl_cap)
{
	size_t olen = lns_dname_len(owner, LNS_DNAME_MAX);
	int off = dict_find(p, owner, olen);
	if (off < 0 || rs->compress) {
		for (unsigned i = 0; i < rs->count; i++)
			if (lns_pkt_put_rr(p, section, owner, rs, i, ttl_cap) < 0)
				return -1;
		return 0;
	}
	/* Fast path: the stored wire with its owner placeholders set. */
	if (p->len + rs->len > p->cap)
		return -1;
	uint8_t *w = p->buf + p->len;
	memcpy(w, rs->wire, rs->len);
	if (off != LNS_HDR || ttl_cap != UINT32_MAX) {
		for (unsigned i = 0; i < rs->count; i++) {
			uint8_t *rr = w + rs->rr_off[i];
			rr[0] = (uint8_t)(0xc0 | (off >> 8));
			rr[1] = (uint8_t)off;
			cap_ttl(rr + 6, ttl_cap);
		}
	}
	p->len += rs->len;
	p->count[section] = (uint16_t)(p->count[section] + rs->count);
	return 0;
}

size_t lns_opt_render(uint8_t *o, size_t room, const lns_opt_t *opt)
{
	size_t nsid_len = opt->nsid ? strlen(opt->nsid) : 0;
	size_t ecs_len = opt->ecs ? (size_t)(opt->ecs->ecs_source + 7) / 8 : 0;
	size_t rdlen = (opt->nsid ? 4 + nsid_len : 0) + (opt->ede >= 0 ? 6 : 0) + (opt->ecs ? 8 + ecs_len : 0);
	if (11 + rdlen > room)
		return 0;
	const uint8_t fixed[11] = { 0, 0, LNS_T_OPT, (uint8_t)(opt->payload >> 8), (uint8_t)opt->payload,
		(uint8_t)(opt->rcode >> 4), 0 /* version */, opt->do_bit ? 0x80 : 0, 0, (uint8_t)(rdlen >> 8), (uint8_t)rdlen };
	memcpy(o, fixed, sizeof(fixed));
	o += sizeof(fixed);
	if (opt->nsid) {
		const uint8_t h[4] = { 0, LNS_EDNS_NSID, (uint8_t)(nsid_len >> 8), (uint8_t)nsid_len };
		memcpy(o, h, 4);
		memcpy(o + 4, opt->nsid, nsid_len);
		o += 4 + nsid_len;
	}
	if (opt->ecs) {
		const lns_query_t *q = opt->ecs;
		const uint8_t h[8] = { 0, LNS_EDNS_ECS, 0, (uint8_t)(4 + ecs_len), 0, (uint8_t)q->ecs_family, q->ecs_source,
			opt->ecs_scope };
		memcpy(o, h, 8);
		memcpy(o + 8, q->ecs_addr, ecs_len);
		o += 8 + ecs_len;
	}
	if (opt->ede >= 0) {
		const uint8_t e[6] = { 0, LNS_EDNS_EDE, 0, 2, (uint8_t)(opt->ede >> 8), (uint8_t)opt->ede };
		memcpy(o, e, sizeof(e));
	}
	return 11 + rdlen;
}

int lns_pkt_put_addr(lns_pkt_t *p, int section, const uint8_t *owner, const lns_addr_t *addr, uint32_t ttl)
{
	bool v4 = addr->ss.ss_family == AF_INET;
	size_t alen = v4 ? 4 : 16;
	const void *a = v4 ? (const void *)&((const struct sockaddr_in *)&addr->ss)->sin_addr
			   : (const void *)&((const struct sockaddr_in6 *)&addr->ss)->sin6_addr;
	if (put_owner(p, owner) < 0 || p->len + 10 + alen > p->cap)
		return -1;
	uint8_t *w = p->buf + p->len;
	const uint8_t h[10] = { 0, v4 ? LNS_T_A : LNS_T_AAAA, 0, LNS_C_IN, (uint8_t)(ttl >> 24), (uint8_t)(ttl >> 16),
		(uint8_t)(ttl >> 8), (uint8_t)ttl, 0, (uint8_t)alen };
	memcpy(w, h, 10);
	memcpy(w + 10, a, alen);
	p->len += 10 + alen;
	p->count[section]++;
	return 0;
}
