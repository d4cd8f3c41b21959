/*
 * dnscmp's query lines: "NAME TYPE [+option...] [# comment]" into a struct
 * query, and the query into wire form.  ldns writes header and question; the
 * OPT record is appended by hand so that odd variants (bufsize 0, version 1,
 * raw options) go out exactly as asked.
 */
#include <errno.h>
#include <string.h>

#include <arpa/inet.h>

#include "tests/diff/dnscmp.h"

int dnscmp_parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int add_opt(struct query *q, unsigned code, const uint8_t *data, size_t len)
{
	if (q->opts_len + 4 + len > sizeof(q->opts))
		return -1;
	uint8_t *p = q->opts + q->opts_len;
	p[0] = code >> 8;
	p[1] = code & 0xff;
	p[2] = len >> 8;
	p[3] = len & 0xff;
	if (len)
		memcpy(p + 4, data, len);
	q->opts_len += 4 + len;
	return 0;
}

/* "+subnet=192.0.2.0/24": RFC 7871 option, address truncated to the prefix. */
static int add_subnet(struct query *q, const char *arg)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(arg, '/');
	size_t al = slash ? (size_t)(slash - arg) : strlen(arg);
	uint8_t raw[16], buf[4 + 16];
	uint16_t family;
	long prefix, maxp;

	if (al == 0 || al >= sizeof(addr))
		return -1;
	memcpy(addr, arg, al);
	addr[al] = '\0';
	if (inet_pton(AF_INET, addr, raw) == 1) {
		family = 1;
		maxp = 32;
	} else if (inet_pton(AF_INET6, addr, raw) == 1) {
		family = 2;
		maxp = 128;
	} else {
		return -1;
	}
	prefix = maxp;
	if (slash && dnscmp_parse_int(slash + 1, 0, maxp, &prefix) != 0)
		return -1;
	size_t nbytes = ((size_t)prefix + 7) / 8;
	buf[0] = family >> 8;
	buf[1] = family & 0xff;
	buf[2] = (uint8_t)prefix;
	buf[3] = 0; /* scope prefix: always 0 in queries */
	memcpy(buf + 4, raw, nbytes);
	if (prefix % 8)
		buf[4 + nbytes - 1] &= (uint8_t)(0xff << (8 - prefix % 8));
	return add_opt(q, OPT_ECS, buf, 4 + nbytes);
}

/* "+ednsopt=65001:c0ffee" */
static int add_raw_opt(struct query *q, const char *arg)
{
	char codebuf[8];
	const char *colon = strchr(arg, ':');
	size_t cl = colon ? (size_t)(colon - arg) : strlen(arg);
	uint8_t data[512];
	size_t n = 0;
	long code;

	if (cl == 0 || cl >= sizeof(codebuf))
		return -1;
	memcpy(codebuf, arg, cl);
	codebuf[cl] = '\0';
	if (dnscmp_parse_int(codebuf, 0, 65535, &code) != 0)
		return -1;
	if (colon) {
		const char *h = colon + 1;
		if (strlen(h) % 2 || strlen(h) / 2 > sizeof(data))
			return -1;
		for (; *h; h += 2) {
			int hi = hexval(h[0]), lo = hexval(h[1]);
			if (hi < 0 || lo < 0)
				return -1;
			data[n++] = (uint8_t)(hi << 4 | lo);
		}
	}
	return add_opt(q, (unsigned)code, data, n);
}

static int parse_option(struct query *q, const char *o)
{
	long v;
	if (strcmp(o, "+edns") == 0)
		q->edns = true;
	else if (strcmp(o, "+noedns") == 0)
		q->edns = false;
	else if (strncmp(o, "+edns=", 6) == 0 && dnscmp_parse_int(o + 6, 0, 255, &v) == 0)
		q->edns = true, q->version = (int)v;
	else if (strncmp(o, "+bufsize=", 9) == 0 && dnscmp_parse_int(o + 9, 0, 65535, &v) == 0)
		q->edns = true, q->bufsize = (int)v;
	else if (strcmp(o, "+do") == 0)
		q->edns = true, q->dnssec_ok = true;
	else if (strcmp(o, "+nsid") == 0)
		q->edns = true, q->nsid = true;
	else if (strncmp(o, "+subnet=", 8) == 0)
		return (q->edns = true, add_subnet(q, o + 8));
	else if (strncmp(o, "+ednsopt=", 9) == 0)
		return (q->edns = true, add_raw_opt(q, o + 9));
	else if (strcmp(o, "+tcp") == 0)
		q->tcp = true;
	else if (strcmp(o, "+udp") == 0)
		q->tcp = false;
	else if (strcmp(o, "+norec") == 0)
		q->rd = false;
	else if (strcmp(o, "+rec") == 0)
		q->rd = true;
	else if (strcmp(o, "+cd") == 0)
		q->cd = true;
	else if (strcmp(o, "+ad") == 0)
		q->ad = true;
	else if (strncmp(o, "+class=", 7) == 0) {
		q->qclass = ldns_get_rr_class_by_name(o + 7);
		if (q->qclass == 0)
			return -1;
	} else
		return -1;
	return 0;
}

/* "answer,edns" into a bit mask of sections. */
static int parse_sections(const char *s, size_t len, unsigned *mask)
{
	*mask = 0;
	while (len) {
		size_t n = 0;
		while (n < len && s[n] != ',')
			n++;
		int found = -1;
		for (int i = 0; i < NSECT; i++)
			if (strlen(dnscmp_sect_name[i]) == n && strncmp(s, dnscmp_sect_name[i], n) == 0)
				found = i;
		if (found < 0)
			return -1;
		*mask |= 1u << found;
		s += n;
		len -= n;
		if (len) /* skip the comma */
			s++, len--;
	}
	return *mask ? 0 : -1;
}

int dnscmp_parse_line(char *line, struct query *q, char *err, size_t errlen)
{
	char *hash = strchr(line, '#');
	char *tok, *save = NULL;

	memset(q, 0, sizeof(*q));
	q->edns = true;
	q->bufsize = 1232;
	q->rd = true;
	q->qclass = LDNS_RR_CLASS_IN;
	if (hash) {
		const char *c = hash + 1;
		*hash = '\0';
		c += strspn(c, " \t");
		if (strncmp(c, "expect-diff", 11) == 0) {
			c += 11;
			q->expect_mask = (1u << NSECT) - 1;
			if (*c == '(') {
				size_t n = strcspn(c, ")");
				if (c[n] != ')' || parse_sections(c + 1, n - 1, &q->expect_mask) != 0) {
					snprintf(err, errlen, "bad expect-diff section list");
					return -1;
				}
				c += n + 1;
			}
			if (*c != ':') {
				snprintf(err, errlen, "expect-diff needs ': REASON'");
				return -1;
			}
			c += 1 + strspn(c + 1, " \t");
			snprintf(q->expect, sizeof(q->expect), "%.*s",
				 (int)strcspn(c, "\r\n"), c);
			if (!q->expect[0])
				snprintf(q->expect, sizeof(q->expect), "(no reason given)");
		}
	}
	tok = strtok_r(line, " \t\r\n", &save);
	if (!tok)
		return 0;
	q->qname = ldns_dname_new_frm_str(tok);
	if (!q->qname) {
		snprintf(err, errlen, "bad name '%s'", tok);
		return -1;
	}
	tok = strtok_r(NULL, " \t\r\n", &save);
	if (!tok) {
		snprintf(err, errlen, "missing type");
		return -1;
	}
	q->qtype = ldns_get_rr_type_by_name(tok);
	/* Type 0 is refused too: ldns would silently send it as A. */
	if (q->qtype == 0) {
		snprintf(err, errlen, "bad type '%s'", tok);
		return -1;
	}
	while ((tok = strtok_r(NULL, " \t\r\n", &save))) {
		if (parse_option(q, tok) != 0) {
			snprintf(err, errlen, "bad option '%s'", tok);
			return -1;
		}
	}
	if (q->nsid && add_opt(q, OPT_NSID, NULL, 0) != 0) {
		snprintf(err, errlen, "too many EDNS options");
		return -1;
	}
	return 1;
}

uint8_t *dnscmp_build_query(const struct query *q, uint16_t id, size_t *len)
{
	uint16_t flags = (q->rd ? LDNS_RD : 0) | (q->cd ? LDNS_CD : 0) |
			 (q->ad ? LDNS_AD : 0);
	ldns_pkt *pkt = ldns_pkt_query_new(ldns_rdf_clone(q->qname), q->qtype,
					   q->qclass, flags);
	uint8_t *wire = NULL, *out;
	size_t wlen = 0;

	if (!pkt)
		return NULL;
	ldns_pkt_set_id(pkt, id);
	if (ldns_pkt2wire(&wire, pkt, &wlen) != LDNS_STATUS_OK) {
		ldns_pkt_free(pkt);
		return NULL;
	}
	ldns_pkt_free(pkt);
	out = dnscmp_xmalloc(wlen + 11 + q->opts_len);
	memcpy(out, wire, wlen);
	free(wire);
	if (q->edns) {
		uint8_t *p = out + wlen;
		p[0] = 0; /* root owner */
		p[1] = 0;
		p[2] = LDNS_RR_TYPE_OPT;
		p[3] = (uint8_t)(q->bufsize >> 8);
		p[4] = (uint8_t)(q->bufsize & 0xff);
		p[5] = 0; /* extended rcode */
		p[6] = (uint8_t)q->version;
		p[7] = q->dnssec_ok ? 0x80 : 0;
		p[8] = 0;
		p[9] = (uint8_t)(q->opts_len >> 8);
		p[10] = (uint8_t)(q->opts_len & 0xff);
		memcpy(p + 11, q->opts, q->opts_len);
		wlen += 11 + q->opts_len;
		uint16_t arcount = (uint16_t)(out[10] << 8 | out[11]) + 1;
		out[10] = arcount >> 8;
		out[11] = arcount & 0xff;
	}
	*len = wlen;
	return out;
}
