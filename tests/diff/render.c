/*
 * dnscmp's view of a reply: each section as text lines, one per RR, in the
 * form the comparison wants (names canonical, NSID contents and EDE text
 * left out), plus the --ignore-auth-ns-on-positive filter.
 */
#include <stdarg.h>
#include <string.h>

#include "tests/diff/dnscmp.h"

const char *const dnscmp_sect_name[NSECT] = {
	"header", "question", "answer", "authority", "additional", "edns",
};

static void sl_add(struct strlist *l, char *s /* takes ownership */)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		char **v = dnscmp_xmalloc(cap * sizeof(*v));
		if (l->n)
			memcpy(v, l->v, l->n * sizeof(*v));
		free(l->v);
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = s;
}

void dnscmp_sl_addf(struct strlist *l, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sl_add(l, dnscmp_xstrdup(buf));
}

static void sl_clear(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void dnscmp_reply_clear(struct reply *r)
{
	for (int i = 0; i < NSECT; i++)
		sl_clear(&r->sect[i]);
	r->stripped_ns = r->silent = r->local_error = false;
}

static char *rr_text(const ldns_rr *rr)
{
	ldns_rr *c = ldns_rr_clone(rr);
	char *s;
	if (!c)
		return dnscmp_xstrdup("(unprintable RR)");
	/*
	 * Names compare case-insensitively (RFC 4343), the owner and those in
	 * RDATA (RFC 4034 6.2 types): their case follows the question through
	 * name compression, an artefact of each server's encoder.  Other RDATA,
	 * such as TXT strings, compares exactly.
	 */
	ldns_rr2canonical(c);
	s = ldns_rr2str(c);
	ldns_rr_free(c);
	if (!s)
		return dnscmp_xstrdup("(unprintable RR)");
	s[strcspn(s, "\n")] = '\0';
	return s;
}

static bool name_in(const ldns_rdf *name, ldns_rdf **set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ldns_dname_compare(name, set[i]) == 0)
			return true;
	return false;
}

/* The name an RR asks the server to add addresses for, or NULL. */
static const ldns_rdf *additional_target(const ldns_rr *rr)
{
	switch (ldns_rr_get_type(rr)) {
	case LDNS_RR_TYPE_NS:
		return ldns_rr_rdf(rr, 0);
	case LDNS_RR_TYPE_MX:
		return ldns_rr_rdf(rr, 1);
	case LDNS_RR_TYPE_SRV:
		return ldns_rr_rdf(rr, 3);
	default:
		return NULL;
	}
}

/*
 * --ignore-auth-ns-on-positive: NSD (minimal-responses: no) puts the zone's
 * NS RRset in the authority section of every positive answer and their
 * addresses in additional; levelnsd answers minimally.  Remove the NS RRset
 * from authority and each A/AAAA in additional whose owner only an NS target
 * needed; addresses that an answer NS, MX or SRV still needs stay.
 */
bool dnscmp_strip_auth_ns(ldns_pkt *pkt)
{
	ldns_rr_list *auth = ldns_pkt_authority(pkt), *add = ldns_pkt_additional(pkt);
	ldns_rr_list *keep_auth, *keep_add;
	ldns_rdf *dropped[64], *needed[64];
	size_t nd = 0, nn = 0;

	if (ldns_pkt_get_rcode(pkt) != LDNS_RCODE_NOERROR || !ldns_pkt_aa(pkt) ||
	    ldns_pkt_ancount(pkt) == 0 || !auth)
		return false;
	keep_auth = ldns_rr_list_new();
	for (size_t i = 0; i < ldns_rr_list_rr_count(auth); i++) {
		ldns_rr *rr = ldns_rr_list_rr(auth, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_NS) {
			if (nd < 64)
				dropped[nd++] = ldns_rr_rdf(rr, 0);
		} else {
			ldns_rr_list_push_rr(keep_auth, rr);
		}
	}
	if (nd == 0) {
		ldns_rr_list_free(keep_auth);
		return false;
	}
	for (size_t i = 0; i < ldns_rr_list_rr_count(ldns_pkt_answer(pkt)); i++) {
		const ldns_rdf *t = additional_target(ldns_rr_list_rr(ldns_pkt_answer(pkt), i));
		if (t && nn < 64)
			needed[nn++] = (ldns_rdf *)t;
	}
	keep_add = ldns_rr_list_new();
	for (size_t i = 0; add && i < ldns_rr_list_rr_count(add); i++) {
		ldns_rr *rr = ldns_rr_list_rr(add, i);
		ldns_rr_type t = ldns_rr_get_type(rr);
		if ((t == LDNS_RR_TYPE_A || t == LDNS_RR_TYPE_AAAA) &&
		    name_in(ldns_rr_owner(rr), dropped, nd) &&
		    !name_in(ldns_rr_owner(rr), needed, nn))
			ldns_rr_free(rr);
		else
			ldns_rr_list_push_rr(keep_add, rr);
	}
	/* The NS RRs are freed only now: dropped[] points into them. */
	for (size_t i = 0; i < ldns_rr_list_rr_count(auth); i++) {
		ldns_rr *rr = ldns_rr_list_rr(auth, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_NS)
			ldns_rr_free(rr);
	}
	ldns_rr_list_free(auth);
	if (add)
		ldns_rr_list_free(add);
	ldns_pkt_set_authority(pkt, keep_auth);
	ldns_pkt_set_additional(pkt, keep_add);
	return true;
}

static const char *rcode_name(unsigned rc, char *buf, size_t len)
{
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
		"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
	};
	if (rc < sizeof(names) / sizeof(names[0]))
		return names[rc];
	if (rc == 16)
		return "BADVERS";
	if (rc == 23)
		return "BADCOOKIE";
	snprintf(buf, len, "RCODE%u", rc);
	return buf;
}

static void render_opts(struct strlist *l, const ldns_rdf *data)
{
	const uint8_t *p = data ? ldns_rdf_data(data) : NULL;
	size_t n = data ? ldns_rdf_size(data) : 0;

	while (n >= 4) {
		unsigned code = (unsigned)(p[0] << 8 | p[1]);
		size_t olen = (size_t)(p[2] << 8 | p[3]);
		if (olen > n - 4) {
			dnscmp_sl_addf(l, "malformed EDNS option %u", code);
			return;
		}
		if (code == OPT_NSID) {
			dnscmp_sl_addf(l, "option NSID %s(contents not compared)",
				olen ? "" : "empty ");
		} else if (code == OPT_EDE && dnscmp_opt.ignore_ede) {
			/* not compared */
		} else if (code == OPT_EDE && olen >= 2) {
			/* The info-code is the contract; EXTRA-TEXT is prose. */
			dnscmp_sl_addf(l, "option EDE info-code %u", (unsigned)(p[4] << 8 | p[5]));
		} else {
			char hex[2 * 256 + 4];
			size_t k = 0;
			for (size_t i = 0; i < olen && k + 4 < sizeof(hex); i++)
				k += (size_t)snprintf(hex + k, sizeof(hex) - k, "%02x", p[4 + i]);
			if (olen * 2 >= sizeof(hex) - 4)
				snprintf(hex + k, sizeof(hex) - k, "...");
			dnscmp_sl_addf(l, "option %s%u %s", code == OPT_ECS ? "ECS/" : "", code,
				olen ? hex : "(empty)");
		}
		p += 4 + olen;
		n -= 4 + olen;
	}
	if (n)
		dnscmp_sl_addf(l, "malformed EDNS option data (%zu trailing bytes)", n);
}

static void render_list(struct strlist *l, const ldns_rr_list *rrs)
{
	for (size_t i = 0; rrs && i < ldns_rr_list_rr_count(rrs); i++)
		sl_add(l, rr_text(ldns_rr_list_rr(rrs, i)));
}

/* Renders a parsed reply into comparable lines. */
void dnscmp_render(struct reply *r, ldns_pkt *pkt)
{
	char buf[32], flags[64] = "";
	unsigned rc = (unsigned)ldns_pkt_get_rcode(pkt) |
		      (unsigned)ldns_pkt_edns_extended_rcode(pkt) << 4;
	ldns_rr_list *qs = ldns_pkt_question(pkt);

	ldns_lookup_table *op = ldns_lookup_by_id(ldns_opcodes, (int)ldns_pkt_get_opcode(pkt));
	if (op)
		dnscmp_sl_addf(&r->sect[S_HEADER], "opcode %s", op->name);
	else
		dnscmp_sl_addf(&r->sect[S_HEADER], "opcode %d", (int)ldns_pkt_get_opcode(pkt));
	dnscmp_sl_addf(&r->sect[S_HEADER], "rcode %s", rcode_name(rc, buf, sizeof(buf)));
	snprintf(flags, sizeof(flags), "flags:%s%s%s%s%s%s%s",
		 ldns_pkt_qr(pkt) ? " qr" : "", ldns_pkt_aa(pkt) ? " aa" : "",
		 ldns_pkt_tc(pkt) ? " tc" : "", ldns_pkt_rd(pkt) ? " rd" : "",
		 ldns_pkt_ra(pkt) ? " ra" : "", ldns_pkt_ad(pkt) ? " ad" : "",
		 ldns_pkt_cd(pkt) ? " cd" : "");
	dnscmp_sl_addf(&r->sect[S_HEADER], "%s", flags);

	for (size_t i = 0; qs && i < ldns_rr_list_rr_count(qs); i++) {
		const ldns_rr *q = ldns_rr_list_rr(qs, i);
		char *name = ldns_rdf2str(ldns_rr_owner(q));
		char *cls = ldns_rr_class2str(ldns_rr_get_class(q));
		char *type = ldns_rr_type2str(ldns_rr_get_type(q));
		/* Exact case: the question must echo the query. */
		dnscmp_sl_addf(&r->sect[S_QUESTION], "%s %s %s", name ? name : "?",
			cls ? cls : "?", type ? type : "?");
		free(name);
		free(cls);
		free(type);
	}

	render_list(&r->sect[S_ANSWER], ldns_pkt_answer(pkt));
	render_list(&r->sect[S_AUTHORITY], ldns_pkt_authority(pkt));
	render_list(&r->sect[S_ADDITIONAL], ldns_pkt_additional(pkt));

	if (!ldns_pkt_edns(pkt)) {
		dnscmp_sl_addf(&r->sect[S_EDNS], "no OPT record");
		return;
	}
	dnscmp_sl_addf(&r->sect[S_EDNS], "OPT version %u", ldns_pkt_edns_version(pkt));
	if (!dnscmp_opt.ignore_udp_size)
		dnscmp_sl_addf(&r->sect[S_EDNS], "OPT udp payload size %u",
			ldns_pkt_edns_udp_size(pkt));
	dnscmp_sl_addf(&r->sect[S_EDNS], "OPT DO bit %d", ldns_pkt_edns_do(pkt) ? 1 : 0);
	render_opts(&r->sect[S_EDNS], ldns_pkt_edns_data(pkt));
}
