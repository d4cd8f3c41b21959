/*
 * dnscmp: differential DNS tester.  Sends the same queries to two
 * authoritative servers and compares the replies: rcode (with the extended
 * rcode from OPT), header flags, question, the answer, authority and
 * additional sections as multisets of RRs, and the OPT record.
 *
 *   dnscmp [options] ADDR_A@PORT ADDR_B@PORT QUERYFILE
 *
 * Each line of QUERYFILE is "NAME TYPE [+option...]", '#' starts a comment,
 * and a line ending in "# expect-diff: REASON" documents a deliberate
 * difference: reported as a known difference, it does not fail.  With
 * "# expect-diff(answer,edns): REASON" a difference in any other section
 * still fails.  See usage() for the query options.  Exit status: 0 when
 * every query matched or differed only as documented, 1 otherwise, 2 on a
 * usage error.
 *
 * Sections are compared as sets because RR order inside a section carries no
 * meaning (NSD may rotate, levelnsd emits in its own order).  Names compare
 * case-insensitively, owners and those in RDATA: a server may answer with the
 * zone's spelling or the query's, and compression spreads the query's case
 * into RDATA.  The question must echo the query exactly, since resolvers
 * using 0x20 case randomisation rely on that.  TTLs are compared.  NSID
 * contents are not: each server reports its own node name.
 *
 * Single-threaded; the parts live in tests/diff/ (query.c, io.c, render.c).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/diff/dnscmp.h"

struct dnscmp_opts dnscmp_opt = { .timeout_ms = 2000 };

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dnscmp [options] ADDR_A@PORT ADDR_B@PORT QUERYFILE\n"
		"options:\n"
		"  --label-a NAME, --label-b NAME   names used in the report\n"
		"  --timeout MS                     per-try timeout (default 2000), one retry\n"
		"  --ignore-auth-ns-on-positive     drop the zone's NS RRset from the authority\n"
		"                                   section of positive authoritative answers, and\n"
		"                                   the A/AAAA in additional that only it needed\n"
		"  --ignore-udp-size                don't compare the OPT payload size\n"
		"  --ignore-ede                     don't compare Extended DNS Error options\n"
		"  -v                               also list queries that match, and\n"
		"                                   print both replies of a failed query\n"
		"  --dump                           print both replies of every query\n"
		"query file lines: NAME TYPE [+option...] [# comment | # expect-diff: REASON]\n"
		"  \"# expect-diff(SECTION,...): REASON\" limits the known difference to those\n"
		"  sections (header question answer authority additional edns)\n"
		"  +edns / +noedns   send OPT (default: on, bufsize 1232, version 0)\n"
		"  +edns=N           EDNS version N    +bufsize=N   advertised UDP size\n"
		"  +do  +nsid        DO bit, NSID request\n"
		"  +subnet=A/N       EDNS client subnet option\n"
		"  +ednsopt=C[:HEX]  raw EDNS option C with HEX data\n"
		"  +tcp  +norec  +cd  +ad  +class=CLASS\n");
}

static void ask(const struct server *sv, const struct query *q, const uint8_t *wire,
		size_t wlen, uint16_t id, struct reply *r)
{
	static uint8_t raw[65536];
	char err[256];
	size_t rlen = 0;
	ldns_pkt *pkt = NULL;
	ldns_status st;
	int io;

	memset(r, 0, sizeof(*r));
	io = dnscmp_exchange(sv, q->tcp, wire, wlen, raw, &rlen, err, sizeof(err));
	if (io != IO_OK) {
		r->silent = io == IO_SILENT;
		r->local_error = io == IO_LOCAL;
		dnscmp_sl_addf(&r->sect[S_HEADER], "%s%s", r->local_error ? "local error: " : "", err);
		return;
	}
	st = ldns_wire2pkt(&pkt, raw, rlen);
	if (st != LDNS_STATUS_OK) {
		dnscmp_sl_addf(&r->sect[S_HEADER], "malformed reply: %s", ldns_get_errorstr_by_id(st));
		return;
	}
	if (ldns_pkt_id(pkt) != id)
		dnscmp_sl_addf(&r->sect[S_HEADER], "reply id %u, query id %u", ldns_pkt_id(pkt), id);
	if (dnscmp_opt.ignore_auth_ns)
		r->stripped_ns = dnscmp_strip_auth_ns(pkt);
	dnscmp_render(r, pkt);
	ldns_pkt_free(pkt);
}

/*
 * Multiset difference of two lists (sorted here).  Returns true when equal;
 * when print is set, lists what only A had, then what only B had.
 */
static bool diff_section(int s, struct strlist *a, struct strlist *b,
			 const char *la, const char *lb, bool print)
{
	size_t i = 0, j = 0, na = 0, nb = 0;
	char **onlya, **onlyb;
	int w = (int)(strlen(la) > strlen(lb) ? strlen(la) : strlen(lb));

	if (a->n)
		qsort(a->v, a->n, sizeof(*a->v), cmp_str);
	if (b->n)
		qsort(b->v, b->n, sizeof(*b->v), cmp_str);
	onlya = dnscmp_xmalloc((a->n + 1) * sizeof(*onlya));
	onlyb = dnscmp_xmalloc((b->n + 1) * sizeof(*onlyb));
	while (i < a->n || j < b->n) {
		int c = i == a->n ? 1 : j == b->n ? -1 : strcmp(a->v[i], b->v[j]);
		if (c == 0)
			i++, j++;
		else if (c < 0)
			onlya[na++] = a->v[i++];
		else
			onlyb[nb++] = b->v[j++];
	}
	if (print && (na || nb)) {
		printf("    %s:\n", dnscmp_sect_name[s]);
		for (i = 0; i < na; i++)
			printf("      only %-*s  %s\n", w + 1, la, onlya[i]);
		for (j = 0; j < nb; j++)
			printf("      only %-*s  %s\n", w + 1, lb, onlyb[j]);
	}
	free(onlya);
	free(onlyb);
	return na == 0 && nb == 0;
}

static void print_reply(const char *label, const struct reply *r)
{
	printf("    %s:\n", label);
	for (int s = 0; s < NSECT; s++)
		for (size_t i = 0; i < r->sect[s].n; i++)
			printf("      %-10s %s\n", dnscmp_sect_name[s], r->sect[s].v[i]);
}

struct tally {
	unsigned passed, failed, known, stale, stripped[2];
};

/*
 * Silence from both is no agreement: most likely nothing listens.  Silence
 * from one is shown as such rather than as a diff of every line, unless a
 * documented difference may cover it.  Returns the reason, or NULL.
 */
static const char *broken(const struct server sv[2], const struct reply r[2],
			  const struct query *q, char *buf, size_t len)
{
	if (r[0].local_error || r[1].local_error)
		return "local error";
	if (r[0].silent && r[1].silent)
		return "neither server replied";
	if ((r[0].silent || r[1].silent) && !q->expect[0]) {
		snprintf(buf, len, "no reply from %s", sv[r[0].silent ? 0 : 1].label);
		return buf;
	}
	return NULL;
}

/* Sends q to both servers, compares, reports, counts. */
static void run_query(const struct server sv[2], const struct query *q, const char *shown,
		      unsigned lineno, struct tally *t)
{
	struct reply r[2];
	unsigned differ = 0; /* a bit per section that differs */
	uint16_t id = ldns_get_random();
	size_t wlen;
	uint8_t *wire = dnscmp_build_query(q, id, &wlen);
	char buf[256];
	const char *why;

	if (!wire) {
		printf("FAIL  %s   (line %u): cannot build the query\n", shown, lineno);
		t->failed++;
		return;
	}
	for (int k = 0; k < 2; k++) {
		ask(&sv[k], q, wire, wlen, id, &r[k]);
		t->stripped[k] += r[k].stripped_ns;
	}
	free(wire);
	for (int s = 0; s < NSECT; s++)
		if (!diff_section(s, &r[0].sect[s], &r[1].sect[s], sv[0].label, sv[1].label, false))
			differ |= 1u << s;
	/* Known only if every difference lies in the documented sections. */
	bool covered = q->expect[0] && (differ & ~q->expect_mask) == 0;

	if ((why = broken(sv, r, q, buf, sizeof(buf))) != NULL) {
		printf("FAIL  %s   (line %u): %s\n", shown, lineno, why);
		print_reply(sv[0].label, &r[0]);
		print_reply(sv[1].label, &r[1]);
		t->failed++;
	} else if (differ == 0) {
		if (dnscmp_opt.dump) {
			printf("----  %s\n", shown);
			print_reply(sv[0].label, &r[0]);
			print_reply(sv[1].label, &r[1]);
		}
		if (q->expect[0]) {
			printf("ok    %s   (line %u; the documented difference did not occur: %s)\n",
			       shown, lineno, q->expect);
			t->stale++;
		} else if (dnscmp_opt.verbose) {
			printf("ok    %s\n", shown);
		}
		t->passed++;
	} else {
		if (covered) {
			printf("KNOWN %s   (line %u)\n    why: %s\n", shown, lineno, q->expect);
			t->known++;
		} else {
			printf("FAIL  %s   (line %u)\n", shown, lineno);
			if (q->expect[0])
				printf("    differs beyond the documented difference (%s)\n", q->expect);
			t->failed++;
		}
		for (int s = 0; s < NSECT; s++)
			diff_section(s, &r[0].sect[s], &r[1].sect[s], sv[0].label, sv[1].label, true);
		if (dnscmp_opt.dump || (dnscmp_opt.verbose && !covered)) {
			print_reply(sv[0].label, &r[0]);
			print_reply(sv[1].label, &r[1]);
		}
	}
	dnscmp_reply_clear(&r[0]);
	dnscmp_reply_clear(&r[1]);
}

static void run_file(const struct server sv[2], const char *path, FILE *f, struct tally *t)
{
	char line[4096], shown[4096], err[256];
	unsigned lineno = 0;

	while (fgets(line, sizeof(line), f)) {
		struct query q;
		lineno++;
		/* The line as the report shows it: without comment or blanks. */
		snprintf(shown, sizeof(shown), "%.*s", (int)strcspn(line, "#\r\n"), line);
		for (size_t n = strlen(shown); n && (shown[n - 1] == ' ' || shown[n - 1] == '\t');)
			shown[--n] = '\0';
		int rc = dnscmp_parse_line(line, &q, err, sizeof(err));
		if (rc < 0) {
			printf("FAIL  %s:%u: %s\n", path, lineno, err);
			t->failed++;
		} else if (rc > 0) {
			run_query(sv, &q, shown, lineno, t);
		}
		ldns_rdf_deep_free(q.qname);
	}
}

int main(int argc, char **argv)
{
	struct server sv[2];
	const char *label[2] = { NULL, NULL }, *pos[3];
	struct tally t = { 0 };
	int npos = 0;

	for (int i = 1; i < argc; i++) {
		long v;
		if (strcmp(argv[i], "--label-a") == 0 && i + 1 < argc)
			label[0] = argv[++i];
		else if (strcmp(argv[i], "--label-b") == 0 && i + 1 < argc)
			label[1] = argv[++i];
		else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc &&
			 dnscmp_parse_int(argv[i + 1], 1, 600000, &v) == 0)
			dnscmp_opt.timeout_ms = (int)v, i++;
		else if (strcmp(argv[i], "--ignore-auth-ns-on-positive") == 0)
			dnscmp_opt.ignore_auth_ns = true;
		else if (strcmp(argv[i], "--ignore-udp-size") == 0)
			dnscmp_opt.ignore_udp_size = true;
		else if (strcmp(argv[i], "--ignore-ede") == 0)
			dnscmp_opt.ignore_ede = true;
		else if (strcmp(argv[i], "-v") == 0)
			dnscmp_opt.verbose = true;
		else if (strcmp(argv[i], "--dump") == 0)
			dnscmp_opt.verbose = dnscmp_opt.dump = true;
		else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return usage(stdout), 0;
		else if ((argv[i][0] == '-' && argv[i][1] != '\0') || npos == 3)
			return usage(stderr), 2;
		else
			pos[npos++] = argv[i];
	}
	if (npos != 3)
		return usage(stderr), 2;
	for (int k = 0; k < 2; k++) {
		if (dnscmp_parse_server(&sv[k], pos[k]) != 0) {
			fprintf(stderr, "dnscmp: bad server '%s' (want ADDR@PORT)\n", pos[k]);
			return 2;
		}
		sv[k].label = label[k] ? label[k] : pos[k];
	}
	FILE *f = fopen(pos[2], "r");
	if (!f) {
		fprintf(stderr, "dnscmp: %s: %s\n", pos[2], strerror(errno));
		return 2;
	}
	run_file(sv, pos[2], f, &t);
	fclose(f);

	if (dnscmp_opt.ignore_auth_ns)
		printf("note: --ignore-auth-ns-on-positive removed the authority NS RRset "
		       "from %u replies of %s and %u of %s\n",
		       t.stripped[0], sv[0].label, t.stripped[1], sv[1].label);
	if (t.stale)
		printf("note: %u expect-diff line(s) matched anyway; the marks may be stale\n",
		       t.stale);
	printf("%u passed, %u failed, %u known differences\n", t.passed, t.failed, t.known);
	return t.failed ? 1 : 0;
}
