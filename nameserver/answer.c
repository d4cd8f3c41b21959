/*
 * nameserver/answer: builds the response to one query from the compiled
 * zones: exact matches, CNAME chasing within the zone, wildcards (RFC 4592),
 * DNAME (RFC 6672), referrals, negative answers with the SOA (RFC 2308),
 * minimal ANY (RFC 8482), EDNS (RFC 6891) with NSID (RFC 5001).
 * No allocation, no locks: everything lives on the stack or in the view.
 */
#include "config.h"

#include "nameserver/nameserver_int.h"

#include <arpa/inet.h>
#include <stdatomic.h>
#include <string.h>

#define CHAIN_MAX 8

#define LNS_EDE_NOT_READY 14 /* RFC 8914 */

typedef struct ctx {
	const lns_view_t *view;
	const lns_query_t *q;
	const lns_client_t *client;
	lns_pkt_t pkt;
	uint16_t flags;  /* response flags beyond QR/opcode/RD/CD */
	uint16_t rcode;  /* may exceed 15: extended through OPT */
	int ede;         /* Extended DNS Error (RFC 8914) for OPT, or -1 */
	uint8_t ecs_scope; /* RFC 7871 scope: the prefix the answer depended on */
	uint8_t synth[2][LNS_DNAME_MAX]; /* names made by DNAME substitution; */
	unsigned n_synth;                /* alternated, as one may come from the other */
} ctx_t;

/* What a name resolves to within the served zones. */
typedef struct match {
	const lns_node_t *node;  /* exact node, wildcard node, or closest encloser */
	const lns_node_t *redir; /* cut or DNAME that takes over, if any */
	bool exact, wildcard;
} match_t;

static void lookup(const lns_zonedb_t *db, const uint8_t *name, size_t len, unsigned labels, uint16_t qtype,
	match_t *m)
{
	memset(m, 0, sizeof(*m));
	const lns_node_t *n = lns_zonedb_find(db, name, len, lns_dname_hash(name, len));
	if (n) {
		m->node = n;
		m->exact = true;
		m->redir = n->above;
		/* A cut answers for itself, except DS, which is the parent's. */
		if (!m->redir && (n->flags & LNS_NODE_CUT) && qtype != LNS_T_DS)
			m->redir = n;
		return;
	}
	const uint8_t *s = name;
	for (unsigned l = labels; l > 0 && !n; l--) {
		len -= 1u + s[0];
		s += 1u + s[0];
		n = lns_zonedb_find(db, s, len, lns_dname_hash(s, len));
	}
	if (!n)
		return;
	m->node = n;
	m->redir = n->above;
	if (!m->redir && (n->flags & (LNS_NODE_CUT | LNS_NODE_DNAME)))
		m->redir = n;
	if (!m->redir && n->wild) {
		m->node = n->wild;
		m->wildcard = true;
	}
}

static uint32_t neg_ttl(const lns_zone_t *z)
{
	const uint8_t *rr = z->soa->wire;
	uint32_t ttl, min;
	memcpy(&ttl, rr + 6, 4);
	memcpy(&min, rr + z->soa->len - 4, 4);
	ttl = ntohl(ttl);
	min = ntohl(min);
	return ttl < min ? ttl : min;
}

/* Sections that must be whole, or the answer is truncated. */
static bool put_required(ctx_t *c, int section, const uint8_t *owner, const lns_rrset_t *rs, uint32_t ttl_cap)
{
	lns_pkt_mark_t m = lns_pkt_mark(&c->pkt);
	if (lns_pkt_put_rrset(&c->pkt, section, owner, rs, ttl_cap) == 0)
		return true;
	lns_pkt_undo(&c->pkt, m);
	c->flags |= LNS_F_TC;
	return false;
}

static void put_soa(ctx_t *c, const lns_zone_t *z)
{
	put_required(c, LNS_SEC_NS, z->apex->name, z->soa, neg_ttl(z));
}

/* Addresses of NS, MX and SRV targets; what does not fit is left out,
 * except in-domain glue of a referral (RFC 9471), which truncates. */
static void put_additional(ctx_t *c, const lns_rrset_t *rs, const lns_node_t *cut)
{
	for (unsigned i = 0; i < rs->n_add; i++) {
		const lns_node_t *t = rs->add[i];
		for (int k = 0; k < 2; k++) {
			const lns_rrset_t *a = lns_node_rrset(t, k ? LNS_T_AAAA : LNS_T_A);
			if (!a)
				continue;
			lns_pkt_mark_t m = lns_pkt_mark(&c->pkt);
			if (lns_pkt_put_rrset(&c->pkt, LNS_SEC_AR, t->name, a, UINT32_MAX) != 0) {
				lns_pkt_undo(&c->pkt, m);
				if (cut && lns_dname_is_sub(t->name, cut->name))
					c->flags |= LNS_F_TC;
				return;
			}
		}
	}
}

static void referral(ctx_t *c, const lns_node_t *cut)
{
	const lns_rrset_t *ns = lns_node_rrset(cut, LNS_T_NS);
	c->flags &= (uint16_t)~LNS_F_AA;
	if (put_required(c, LNS_SEC_NS, cut->name, ns, UINT32_MAX))
		put_additional(c, ns, cut);
}

/* Substitutes the DNAME's owner suffix of name with its target (RFC 6672
 * 2.2); returns the new name, or NULL when it would be too long. */
static const uint8_t *dname_substitute(ctx_t *c, const uint8_t *name, size_t len, const lns_node_t *dn)
{
	const lns_rrset_t *rs = lns_node_rrset(dn, LNS_T_DNAME);
	const uint8_t *target = rs->wire + 12;
	size_t tlen = lns_dname_len(target, (size_t)((rs->wire[10] << 8) | rs->wire[11]));
	size_t prefix = len - dn->name_len;
	if (prefix + tlen > LNS_DNAME_MAX)
		return NULL;
	uint8_t *out = c->synth[c->n_synth++ & 1];
	memcpy(out, name, prefix);
	memcpy(out + prefix, target, tlen);
	return out;
}

/* Per worker: a round-robin sequence and a random state for weighted picks. */
static __thread uint64_t pick_seq;
static __thread uint64_t pick_rng;

static uint64_t next_random(void)
{
	if (pick_rng == 0)
		pick_rng = (uint64_t)(uintptr_t)&pick_rng ^ 0x9e3779b97f4a7c15ull;
	pick_rng ^= pick_rng << 13;
	pick_rng ^= pick_rng >> 7;
	pick_rng ^= pick_rng << 17;
	return pick_rng;
}

/* The subnet a client is known by: EDNS Client Subnet when the query has
 * one (up to /24 or /56), else its address's /24 or /56. */
static void client_subnet(ctx_t *c, lns_client_subnet_t *cs)
{
	const lns_query_t *q = c->q;
	if (q->ecs) {
		int family = q->ecs_family == 1 ? AF_INET : AF_INET6;
		unsigned max = family == AF_INET ? 24 : 56;
		lns_client_subnet_set(cs, family, q->ecs_addr, q->ecs_source < max ? q->ecs_source : max);
		return;
	}
	const struct sockaddr *sa = c->client->addr;
	if (sa && sa->sa_family == AF_INET)
		lns_client_subnet_set(cs, AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, 24);
	else if (sa && sa->sa_family == AF_INET6)
		lns_client_subnet_set(cs, AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, 56);
	else
		memset(cs, 0, sizeof(*cs));
}

/* A generic name: the members the pool's policy chooses now. */
static void answer_pool(ctx_t *c, const uint8_t *owner, const lns_node_t *n)
{
	const lns_pool_state_t *st = c->view->pools[n->pool];
	const lns_pool_conf_t *pc = st->conf;
	uint16_t qtype = c->q->qtype;
	atomic_fetch_add_explicit(&c->view->gen->hits[n->pool].n, 1, memory_order_relaxed);
	if (qtype != LNS_T_A && qtype != LNS_T_AAAA && qtype != LNS_T_ANY) {
		put_soa(c, n->zone);
		return;
	}
	if (st->warming) {
		/* Started moments ago: rather no answer than a dead member. */
		c->rcode = LNS_RCODE_SERVFAIL;
		c->flags &= (uint16_t)~LNS_F_AA;
		c->ede = LNS_EDE_NOT_READY;
		return;
	}
	int family = qtype == LNS_T_AAAA ? AF_INET6 : AF_INET;
	if (st->fallback && pc->all_down != LNS_ALL_DOWN_SERVE_ALL) {
		if (pc->all_down == LNS_ALL_DOWN_SERVFAIL) {
			c->rcode = LNS_RCODE_SERVFAIL;
			c->flags &= (uint16_t)~LNS_F_AA;
			return;
		}
		unsigned put = 0;
		for (unsigned i = 0; pc->all_down == LNS_ALL_DOWN_FALLBACK && i < pc->n_fallback && put < pc->answers; i++) {
			if (pc->fallback[i].ss.ss_family != family)
				continue;
			if (lns_pkt_put_addr(&c->pkt, LNS_SEC_AN, owner, &pc->fallback[i], pc->ttl) != 0) {
				c->flags |= LNS_F_TC;
				return;
			}
			put++;
		}
		if (!put)
			put_soa(c, n->zone);
		return;
	}
	lns_client_subnet_t cs;
	uint16_t pick[64];
	if (pc->policy == LNS_POLICY_AFFINITY) {
		client_subnet(c, &cs);
		c->ecs_scope = cs.prefix;
	}
	unsigned k = lns_policy_pick(st, family, &cs, pick_seq++, pc->policy == LNS_POLICY_WEIGHTED ? next_random() : 0,
		pick, 64);
	if (k == 0) {
		put_soa(c, n->zone);
		return;
	}
	for (unsigned i = 0; i < k; i++) {
		lns_addr_t addr;
		lns_pool_member_addr(st, pick[i], family, &addr);
		if (lns_pkt_put_addr(&c->pkt, LNS_SEC_AN, owner, &addr, pc->ttl) != 0) {
			c->flags |= LNS_F_TC;
			return;
		}
	}
}

/* Answers qtype at owner from m, following CNAMEs within the zone. */
static void answer_from(ctx_t *c, const uint8_t *owner, match_t *m)
{
	const lns_zone_t *zone = m->node->zone;
	uint16_t qtype = c->q->qtype;
	const lns_node_t *seen[CHAIN_MAX];

	for (unsigned chain = 0;; chain++) {
		const lns_node_t *n = m->node;
		seen[chain] = n;
		if (n->pool >= 0 && !m->redir) {
			answer_pool(c, owner, n);
			return;
		}
		if (m->redir) {
			if (m->redir->flags & LNS_NODE_CUT) {
				if (chain == 0)
					referral(c, m->redir);
				return;
			}
			/* DNAME: the record, a CNAME made from it, and the chase. */
			const lns_rrset_t *dn = lns_node_rrset(m->redir, LNS_T_DNAME);
			if (!put_required(c, LNS_SEC_AN, m->redir->name, dn, UINT32_MAX))
				return;
			size_t olen = lns_dname_len(owner, LNS_DNAME_MAX);
			const uint8_t *synth = dname_substitute(c, owner, olen, m->redir);
			if (!synth) {
				c->rcode = LNS_RCODE_YXDOMAIN;
				return;
			}
			lns_pkt_mark_t mk = lns_pkt_mark(&c->pkt);
			uint8_t *hdr;
			size_t start;
			if (lns_pkt_put_name(&c->pkt, owner, true) < 0 || c->pkt.len + 10 > c->pkt.cap)
				goto dname_tc;
			hdr = c->pkt.buf + c->pkt.len;
			memcpy(hdr, dn->wire + 2, 8); /* type/class/ttl of the DNAME */
			hdr[1] = LNS_T_CNAME;
			c->pkt.len += 10;
			start = c->pkt.len;
			if (lns_pkt_put_name(&c->pkt, synth, true) < 0)
				goto dname_tc;
			hdr[8] = (uint8_t)((c->pkt.len - start) >> 8);
			hdr[9] = (uint8_t)(c->pkt.len - start);
			c->pkt.count[LNS_SEC_AN]++;
			owner = synth;
			goto chase;
		dname_tc:
			lns_pkt_undo(&c->pkt, mk);
			c->flags |= LNS_F_TC;
			return;
		}

		const lns_rrset_t *rs = NULL;
		if (qtype == LNS_T_ANY) {
			if (n->n_rrsets == 0)
				goto nodata;
			if (c->client->tcp) {
				for (unsigned i = 0; i < n->n_rrsets; i++)
					if (!put_required(c, LNS_SEC_AN, owner, &n->rrsets[i], UINT32_MAX))
						return;
				return;
			}
			/* RFC 8482: one RRset is enough over UDP. */
			put_required(c, LNS_SEC_AN, owner, &n->rrsets[0], UINT32_MAX);
			return;
		}
		if ((rs = lns_node_rrset(n, qtype)) != NULL) {
			if (put_required(c, LNS_SEC_AN, owner, rs, UINT32_MAX))
				put_additional(c, rs, NULL);
			return;
		}
		if (!(n->flags & LNS_NODE_CNAME))
			goto nodata;
		rs = lns_node_rrset(n, LNS_T_CNAME);
		if (!put_required(c, LNS_SEC_AN, owner, rs, UINT32_MAX))
			return;
		owner = rs->wire + 12;
	chase:
		if (chain + 1 >= CHAIN_MAX)
			return;
		{
			uint8_t lname[LNS_DNAME_MAX];
			size_t len = lns_dname_len(owner, LNS_DNAME_MAX);
			memcpy(lname, owner, len);
			lns_dname_tolower(lname, len);
			lookup(c->view->zones, lname, len, lns_dname_labels(lname), qtype, m);
		}
		if (!m->node || m->node->zone != zone)
			return; /* out of zone: the resolver follows it */
		for (unsigned i = 0; i <= chain && i < CHAIN_MAX; i++)
			if (m->node == seen[i] && !m->redir)
				return; /* a loop: what we have is the answer */
		if (m->redir && (m->redir->flags & LNS_NODE_CUT))
			return;
		if (!m->exact && !m->wildcard && !m->redir) {
			c->rcode = LNS_RCODE_NXDOMAIN;
			put_soa(c, zone);
			return;
		}
	}
nodata:
	put_soa(c, zone);
}

static void answer_chaos(ctx_t *c)
{
	static const uint8_t id_server[] = "\2id\6server", hostname_bind[] = "\10hostname\4bind",
			     version_bind[] = "\7version\4bind", version_server[] = "\7version\6server";
	const lns_query_t *q = c->q;
	const char *text = NULL;
	if (lns_dname_equal(q->lname, id_server) || lns_dname_equal(q->lname, hostname_bind))
		text = c->view->config->node;
	else if (lns_dname_equal(q->lname, version_bind) || lns_dname_equal(q->lname, version_server))
		text = PACKAGE_NAME " " PACKAGE_VERSION;
	if (!text) {
		c->rcode = LNS_RCODE_REFUSED;
		c->ede = LNS_EDE_NOT_SUPPORTED;
		return;
	}
	c->flags |= LNS_F_AA;
	if (q->qtype != LNS_T_TXT && q->qtype != LNS_T_ANY)
		return;
	size_t tl = strlen(text);
	if (c->pkt.len + 2 + 10 + 1 + tl > c->pkt.cap)
		return;
	uint8_t *w = c->pkt.buf + c->pkt.len;
	const uint8_t rr[] = { 0xc0, 0x0c, 0, LNS_T_TXT, 0, LNS_C_CH, 0, 0, 0, 0, (uint8_t)((tl + 1) >> 8),
		(uint8_t)(tl + 1), (uint8_t)tl };
	memcpy(w, rr, sizeof(rr));
	memcpy(w + sizeof(rr), text, tl);
	c->pkt.len += sizeof(rr) + tl;
	c->pkt.count[LNS_SEC_AN]++;
}

static void answer_in(ctx_t *c)
{
	const lns_query_t *q = c->q;
	match_t m;
	if (q->qtype == LNS_T_OPT || q->qtype == 249 /* TKEY */ || q->qtype == 250 /* TSIG */) {
		c->rcode = LNS_RCODE_FORMERR; /* pseudo-types, never asked for */
		return;
	}
	if (q->qtype == LNS_T_AXFR || q->qtype == LNS_T_IXFR) {
		/* Transfers come over TCP (axfr.c). RFC 1995 4: over UDP, an IXFR
		 * gets the current SOA, which tells the client whether it is current. */
		c->rcode = LNS_RCODE_NOTIMP;
		lookup(c->view->zones, q->lname, q->name_len, q->labels, q->qtype, &m);
		if (m.exact && (m.node->flags & LNS_NODE_APEX) && q->qtype == LNS_T_IXFR) {
			c->rcode = LNS_RCODE_NOERROR;
			c->flags |= LNS_F_AA;
			put_required(c, LNS_SEC_AN, m.node->name, m.node->zone->soa, UINT32_MAX);
		}
		return;
	}
	lookup(c->view->zones, q->lname, q->name_len, q->labels, q->qtype, &m);
	if (!m.node) {
		c->rcode = LNS_RCODE_REFUSED;
		c->ede = LNS_EDE_NOT_AUTHORITATIVE;
		return;
	}
	c->flags |= LNS_F_AA;
	if (!m.exact && !m.wildcard && !m.redir) {
		c->rcode = LNS_RCODE_NXDOMAIN;
		put_soa(c, m.node->zone);
		return;
	}
	answer_from(c, q->lname, &m);
}

static size_t put_opt(ctx_t *c, size_t len, size_t cap)
{
	const lns_config_t *cfg = c->view->config;
	lns_opt_t opt = {
		.payload = (uint16_t)cfg->udp_payload,
		.rcode = c->rcode,
		.do_bit = c->q->edns_do,
		.nsid = c->q->edns_nsid && cfg->nsid ? cfg->node : NULL,
		.ede = c->ede,
		.ecs = c->q->ecs ? c->q : NULL,
		.ecs_scope = c->ecs_scope,
	};
	size_t n = lns_opt_render(c->pkt.buf + len, cap - len, &opt);
	if (n)
		c->pkt.count[LNS_SEC_AR]++;
	return len + n;
}

static size_t finish(ctx_t *c, const uint8_t *query, size_t cap)
{
	const lns_query_t *q = c->q;
	uint8_t *h = c->pkt.buf;
	uint16_t flags = (uint16_t)(LNS_F_QR | (q->flags & (0x7800 | LNS_F_RD | LNS_F_CD)) | c->flags | (c->rcode & 0xf));
	size_t len = c->pkt.len;
	memcpy(h, query, 2);
	h[2] = (uint8_t)(flags >> 8);
	h[3] = (uint8_t)flags;
	if (q->edns)
		len = put_opt(c, len, cap);
	uint16_t qd = q->qend > LNS_HDR ? 1 : 0;
	uint16_t counts[4] = { qd, c->pkt.count[0], c->pkt.count[1], c->pkt.count[2] };
	for (int i = 0; i < 4; i++) {
		h[4 + 2 * i] = (uint8_t)(counts[i] >> 8);
		h[5 + 2 * i] = (uint8_t)counts[i];
	}
	return len;
}

size_t lns_answer(const lns_view_t *view, const uint8_t *pkt, size_t len, uint8_t *out, size_t cap,
	const lns_client_t *client)
{
	lns_query_t q;
	ctx_t c;
	enum lns_parse_result r = lns_query_parse(pkt, len, &q);
	if (r == LNS_PARSE_DROP)
		return 0;
	c.view = view;
	c.q = &q;
	c.client = client;
	c.flags = 0;
	c.rcode = LNS_RCODE_NOERROR;
	c.ede = -1;
	c.ecs_scope = 0;
	c.n_synth = 0;
	if (r != LNS_PARSE_OK) {
		/* Header only: what follows it could not be trusted. */
		q.qend = LNS_HDR;
		q.edns = false;
		q.labels = 0;
		lns_pkt_init(&c.pkt, out, cap, &q, LNS_HDR);
		c.rcode = r == LNS_PARSE_NOTIMP ? LNS_RCODE_NOTIMP : LNS_RCODE_FORMERR;
		return finish(&c, pkt, cap);
	}

	/* The size the answer may take: 512 without EDNS, the smaller of both
	 * sides' payload with it, 64 KiB over TCP; OPT space kept aside. */
	size_t limit = client->tcp ? 65535 : 512;
	if (q.edns && !client->tcp) {
		limit = q.edns_payload < view->config->udp_payload ? q.edns_payload : view->config->udp_payload;
		limit = limit < 512 ? 512 : limit;
	}
	if (limit > cap)
		limit = cap;
	size_t opt = 0;
	if (q.edns) /* EDE is only set on refusals, which are small */
		opt = 11 + (q.edns_nsid && view->config->nsid ? 4 + strlen(view->config->node) : 0) +
			(q.ecs ? 8 + (q.ecs_source + 7u) / 8 : 0);
	memcpy(out, pkt, q.qend);
	lns_pkt_init(&c.pkt, out, limit - opt, &q, LNS_HDR);

	if (q.edns && q.edns_version > 0)
		c.rcode = LNS_RCODE_BADVERS; /* RFC 6891 6.1.3 */
	else if (q.qclass == LNS_C_IN)
		answer_in(&c);
	else if (q.qclass == LNS_C_CH)
		answer_chaos(&c);
	else {
		c.rcode = LNS_RCODE_REFUSED;
		c.ede = LNS_EDE_NOT_SUPPORTED;
	}
	if (c.flags & LNS_F_TC) {
		/* Truncated: the client retries over TCP; send only the question. */
		c.pkt.len = q.qend;
		c.pkt.count[0] = c.pkt.count[1] = c.pkt.count[2] = 0;
	}
	return finish(&c, pkt, limit);
}
