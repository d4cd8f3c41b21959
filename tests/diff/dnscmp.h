/*
 * tests/diff: the parts of dnscmp, the differential DNS tester (see
 * tests/dnscmp.c).  A single-threaded test tool: query.c reads query lines
 * and builds the wire query, io.c exchanges it with a server over UDP or TCP,
 * render.c turns a reply into comparable lines per section.  ldns objects
 * stay inside these files; dnscmp.c only compares lines.
 */
#ifndef DNSCMP_H
#define DNSCMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/socket.h>

#include <ldns/ldns.h>

#define OPT_NSID 3
#define OPT_ECS 8
#define OPT_EDE 15
#define MAX_OPTS 4096
#define NSECT 6

enum { S_HEADER, S_QUESTION, S_ANSWER, S_AUTHORITY, S_ADDITIONAL, S_EDNS };
extern const char *const dnscmp_sect_name[NSECT];

/* Set once by main from the command line, read everywhere. */
struct dnscmp_opts {
	bool ignore_auth_ns;
	bool ignore_udp_size;
	bool ignore_ede;
	bool verbose;
	bool dump;
	int timeout_ms;
};
extern struct dnscmp_opts dnscmp_opt;

struct server {
	const char *spec;
	const char *label;
	struct sockaddr_storage ss;
	socklen_t len;
};

struct query {
	ldns_rdf *qname; /* owned; free with ldns_rdf_deep_free */
	ldns_rr_type qtype;
	ldns_rr_class qclass;
	bool edns, dnssec_ok, tcp, rd, cd, ad, nsid;
	int bufsize, version;
	uint8_t opts[MAX_OPTS]; /* raw EDNS options, already in wire form */
	size_t opts_len;
	char expect[512];     /* reason of a documented difference, "" if none */
	unsigned expect_mask; /* sections it may concern: bit per S_* */
};

/* A reply rendered as lines per section, so comparing is a multiset diff. */
struct strlist {
	char **v; /* owned strings */
	size_t n, cap;
};

struct reply {
	struct strlist sect[NSECT];
	bool stripped_ns; /* --ignore-auth-ns-on-positive removed something */
	bool silent;      /* the server gave no reply */
	bool local_error; /* this host failed to ask: the query fails */
};

/* A test tool: running out of memory ends it. */
static inline void *dnscmp_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fprintf(stderr, "dnscmp: out of memory\n");
		exit(2);
	}
	return p;
}

static inline char *dnscmp_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(dnscmp_xmalloc(n), s, n);
}

/* query.c */
/* strtol within [lo, hi], whole string: 0, or -1. */
int dnscmp_parse_int(const char *s, long lo, long hi, long *out);
/* One query-file line into q (line is modified): 1 query, 0 blank or
 * comment, -1 with a message in err. */
int dnscmp_parse_line(char *line, struct query *q, char *err, size_t errlen);
/* The wire query with this id; caller frees.  NULL on failure. */
uint8_t *dnscmp_build_query(const struct query *q, uint16_t id, size_t *len);

/* io.c */
enum { IO_OK, IO_SILENT, IO_LOCAL };
/* "ADDR@PORT" (IPv4 or IPv6 literal): 0, or -1. */
int dnscmp_parse_server(struct server *sv, const char *spec);
/* Sends wire, waits dnscmp_opt.timeout_ms, retries once.  IO_OK with the
 * reply in buf (at least 65535 bytes); IO_SILENT when the server gave no
 * reply; IO_LOCAL on an error of this host.  err tells why. */
int dnscmp_exchange(const struct server *sv, bool tcp, const uint8_t *wire, size_t wlen,
		    uint8_t *buf, size_t *rlen, char *err, size_t errlen);

/* render.c */
void dnscmp_sl_addf(struct strlist *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* --ignore-auth-ns-on-positive on a parsed reply: true if it removed RRs. */
bool dnscmp_strip_auth_ns(ldns_pkt *pkt);
/* Appends the reply's lines to r's sections. */
void dnscmp_render(struct reply *r, ldns_pkt *pkt);
void dnscmp_reply_clear(struct reply *r);

#endif
