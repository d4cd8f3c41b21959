/*
 * nameserver/axfr: full zone transfer over TCP (RFC 5936) to the addresses
 * in the zone's allow_transfer list; REFUSED to everyone else. IXFR is
 * answered with a full transfer (RFC 1995 4).
 */
#include "config.h"

#include "nameserver/nameserver_int.h"

#include <string.h>

#define MSG_MAX 16384

typedef struct stream {
	uint8_t **buf;
	size_t *blen, *bcap;
	const uint8_t *query;
	lns_query_t q;
	bool edns;      /* the query had OPT: every message carries one */
	uint16_t payload;
	lns_pkt_t pkt;
	size_t msg; /* where the current message's length prefix stands */
} stream_t;

/* Messages hold up to MSG_MAX bytes, or a whole 64 KiB for a record that
 * does not fit that; the buffer always has room for the larger. */
static void msg_begin(stream_t *s)
{
	if (*s->bcap < *s->blen + 2 + 65535) {
		*s->bcap = (*s->blen + 2 + 65535) * 2;
		*s->buf = lns_xrealloc(*s->buf, *s->bcap);
	}
	s->msg = *s->blen;
	uint8_t *m = *s->buf + s->msg + 2;
	memcpy(m, s->query, s->q.qend);
	lns_pkt_init(&s->pkt, m, MSG_MAX - 32, &s->q, LNS_HDR);
}

static void msg_end(stream_t *s, uint16_t flags_extra, uint16_t rcode)
{
	uint8_t *m = *s->buf + s->msg + 2;
	if (s->edns) {
		lns_opt_t opt = { .payload = s->payload, .rcode = rcode, .do_bit = s->q.edns_do,
			.ede = rcode == LNS_RCODE_REFUSED ? LNS_EDE_PROHIBITED : -1 };
		size_t n = lns_opt_render(m + s->pkt.len, 32, &opt);
		s->pkt.len += n;
		s->pkt.count[LNS_SEC_AR] = (uint16_t)(s->pkt.count[LNS_SEC_AR] + (n ? 1 : 0));
	}
	uint16_t flags = (uint16_t)(0x8000 | (s->q.flags & 0x7800) | (s->q.flags & LNS_F_RD) | flags_extra | rcode);
	uint16_t counts[4] = { 1, s->pkt.count[0], s->pkt.count[1], s->pkt.count[2] };
	m[2] = (uint8_t)(flags >> 8);
	m[3] = (uint8_t)flags;
	for (int i = 0; i < 4; i++) {
		m[4 + 2 * i] = (uint8_t)(counts[i] >> 8);
		m[5 + 2 * i] = (uint8_t)counts[i];
	}
	(*s->buf)[s->msg] = (uint8_t)(s->pkt.len >> 8);
	(*s->buf)[s->msg + 1] = (uint8_t)s->pkt.len;
	*s->blen = s->msg + 2 + s->pkt.len;
}

static bool try_put(stream_t *s, const uint8_t *owner, const lns_rrset_t *rs, unsigned i)
{
	lns_pkt_mark_t m = lns_pkt_mark(&s->pkt);
	if (lns_pkt_put_rr(&s->pkt, LNS_SEC_AN, owner, rs, i, UINT32_MAX) == 0)
		return true;
	lns_pkt_undo(&s->pkt, m);
	return false;
}

static void put(stream_t *s, const uint8_t *owner, const lns_rrset_t *rs, unsigned i)
{
	if (try_put(s, owner, rs, i))
		return;
	if (s->pkt.count[LNS_SEC_AN] > 0) {
		msg_end(s, LNS_F_AA, 0);
		msg_begin(s);
		if (try_put(s, owner, rs, i))
			return;
	}
	/* A record larger than MSG_MAX gets a message of its own, up to 64 KiB;
	 * it fits, as zonedb refuses RDATA beyond LNS_RDATA_MAX. */
	s->pkt.cap = 65535 - 32;
	try_put(s, owner, rs, i);
	msg_end(s, LNS_F_AA, 0);
	msg_begin(s);
}

bool lns_axfr_is_xfr(const uint8_t *pkt, size_t len)
{
	lns_query_t q;
	return lns_query_parse(pkt, len, &q) == LNS_PARSE_OK && q.qclass == LNS_C_IN &&
		(q.qtype == LNS_T_AXFR || q.qtype == LNS_T_IXFR);
}

static bool allowed(const lns_zone_t *z, const struct sockaddr *peer)
{
	for (unsigned i = 0; i < z->n_allow_transfer; i++)
		if (lns_prefix_has(&z->allow_transfer[i], peer))
			return true;
	return false;
}

void lns_axfr_stream(const lns_view_t *view, const uint8_t *pkt, size_t len, const struct sockaddr *peer,
	uint8_t **buf, size_t *blen, size_t *bcap)
{
	stream_t s = { .buf = buf, .blen = blen, .bcap = bcap, .query = pkt };
	if (lns_query_parse(pkt, len, &s.q) != LNS_PARSE_OK)
		return;
	s.edns = s.q.edns;
	s.payload = (uint16_t)view->config->udp_payload;
	const lns_node_t *apex = lns_zonedb_find(view->zones, s.q.lname, s.q.name_len,
		lns_dname_hash(s.q.lname, s.q.name_len));
	msg_begin(&s);
	if (!apex || !(apex->flags & LNS_NODE_APEX)) {
		msg_end(&s, 0, apex ? 9 /* NOTAUTH */ : LNS_RCODE_REFUSED);
		return;
	}
	const lns_zone_t *z = apex->zone;
	if (!allowed(z, peer)) {
		msg_end(&s, 0, LNS_RCODE_REFUSED);
		return;
	}
	put(&s, apex->name, z->soa, 0);
	for (unsigned n = 0; n < z->n_nodes; n++) {
		const lns_node_t *node = z->nodes[n];
		for (unsigned r = 0; r < node->n_rrsets; r++) {
			const lns_rrset_t *rs = &node->rrsets[r];
			if (rs == z->soa)
				continue;
			for (unsigned i = 0; i < rs->count; i++)
				put(&s, node->name, rs, i);
		}
	}
	put(&s, apex->name, z->soa, 0);
	msg_end(&s, LNS_F_AA, 0);
}
