/*
 * cares_resolve: resolves a name the way client applications do, through
 * c-ares 1.18 (ares_query + ares_parse_a_reply/ares_parse_aaaa_reply, or
 * ares_gethostbyname with -m host), driven by ares_getsock/poll and
 * ares_process_fd. It prints one line per lookup: the addresses sorted and
 * space-separated, or "error: <ares_strerror>".
 *
 *   cares_resolve [-s ADDR[@PORT]]... [-t A|AAAA] [-n COUNT] [-i INTERVAL_MS]
 *                 [-m query|host] [--timeout-ms MS] [--tries N] [--tcp] [--edns]
 *                 [--until ADDR | --until-not ADDR] [--max-ms MS] NAME
 *
 * Without --until/--until-not it does COUNT lookups (default 1), one every
 * INTERVAL_MS (start to start, default 10), and exits 0 when all succeeded.
 * With --until ADDR it stops at the first successful answer that contains
 * ADDR (--until-not: that does not contain ADDR; an error answer satisfies
 * neither), prints "elapsed_ms=N" (from the start of the first lookup to that
 * answer) and exits 0; it prints only answers that differ from the previous
 * one, and exits 1 with "timeout after N ms" when --max-ms (default 10000)
 * runs out, or "gave up after COUNT lookups (N ms)" when -n COUNT does
 * (default unlimited). Usage errors exit 2.
 */
#define _GNU_SOURCE
#include <ares.h>
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_ADDRS 64
#define MAX_SERVERS 8

struct result {
	bool done;
	int family;
	int status;
	int n;
	unsigned char addr[MAX_ADDRS][16];
};

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static bool parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static void query_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct result *r = arg;
	r->done = true;
	r->status = status;
	r->n = 0;
	if (status != ARES_SUCCESS)
		return;
	int n = MAX_ADDRS;
	if (r->family == AF_INET) {
		struct ares_addrttl a[MAX_ADDRS];
		r->status = ares_parse_a_reply(abuf, alen, NULL, a, &n);
		for (int i = 0; r->status == ARES_SUCCESS && i < n; i++)
			memcpy(r->addr[r->n++], &a[i].ipaddr, 4);
	} else {
		struct ares_addr6ttl a[MAX_ADDRS];
		r->status = ares_parse_aaaa_reply(abuf, alen, NULL, a, &n);
		for (int i = 0; r->status == ARES_SUCCESS && i < n; i++)
			memcpy(r->addr[r->n++], &a[i].ip6addr, 16);
	}
	if (r->status == ARES_SUCCESS && r->n == 0)
		r->status = ARES_ENODATA;
}

static void host_cb(void *arg, int status, int timeouts, struct hostent *h)
{
	struct result *r = arg;
	r->done = true;
	r->status = status;
	r->n = 0;
	if (status != ARES_SUCCESS || !h)
		return;
	size_t len = r->family == AF_INET ? 4 : 16;
	for (char **p = h->h_addr_list; *p && r->n < MAX_ADDRS; p++)
		if (h->h_addrtype == r->family && (size_t)h->h_length == len)
			memcpy(r->addr[r->n++], *p, len);
	if (r->n == 0)
		r->status = ARES_ENODATA;
}

/*
 * Runs the channel until r is done; false if the deadline (a now_ms() value,
 * 0 for none) passed first.
 */
static bool run(ares_channel ch, struct result *r, long deadline)
{
	while (!r->done) {
		ares_socket_t socks[ARES_GETSOCK_MAXNUM];
		struct pollfd pfd[ARES_GETSOCK_MAXNUM];
		int bits = ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM), n = 0;
		for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
			/* ARES_GETSOCK_WRITABLE shifts a signed 1 into the sign bit for the last socket */
			unsigned ub = (unsigned)bits;
			short ev = (short)((ub & 1u << i ? POLLIN : 0) | (ub & 1u << (i + ARES_GETSOCK_MAXNUM) ? POLLOUT : 0));
			if (ev)
				pfd[n++] = (struct pollfd) { socks[i], ev, 0 };
		}
		struct timeval tv, *tvp = ares_timeout(ch, NULL, &tv);
		if (!tvp && n == 0)
			return true; /* nothing pending: the callback can no longer come */
		long ms = tvp ? tv.tv_sec * 1000L + (tv.tv_usec + 999) / 1000 : 1000;
		if (deadline) {
			long left = deadline - now_ms();
			if (left <= 0)
				return false;
			if (ms > left)
				ms = left;
		}
		int rc = poll(pfd, (nfds_t)n, (int)ms);
		if (rc == -1 && errno != EINTR) {
			perror("cares_resolve: poll");
			exit(2);
		}
		if (rc <= 0) {
			ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD); /* timeouts */
			continue;
		}
		for (int i = 0; i < n; i++)
			if (pfd[i].revents)
				ares_process_fd(ch, pfd[i].revents & (POLLIN | POLLERR | POLLHUP) ? pfd[i].fd : ARES_SOCKET_BAD,
					pfd[i].revents & POLLOUT ? pfd[i].fd : ARES_SOCKET_BAD);
	}
	return true;
}

static int cmp16(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

/* The answer line without its newline: sorted addresses, or "error: ...". */
static void render(struct result *r, char *out, size_t cap)
{
	if (r->status != ARES_SUCCESS) {
		snprintf(out, cap, "error: %s", ares_strerror(r->status));
		return;
	}
	qsort(r->addr, (size_t)r->n, sizeof(r->addr[0]), cmp16);
	size_t off = 0;
	out[0] = '\0';
	for (int i = 0; i < r->n && off < cap; i++) {
		char buf[INET6_ADDRSTRLEN];
		inet_ntop(r->family, r->addr[i], buf, sizeof(buf));
		off += (size_t)snprintf(out + off, cap - off, "%s%s", i ? " " : "", buf);
	}
}

static bool contains(const struct result *r, const unsigned char *want)
{
	size_t len = r->family == AF_INET ? 4 : 16;
	for (int i = 0; r->status == ARES_SUCCESS && i < r->n; i++)
		if (memcmp(r->addr[i], want, len) == 0)
			return true;
	return false;
}

/* "127.0.0.1@5353", "::1@5353" or a bare address (port 53). */
static void parse_server(const char *arg, struct ares_addr_port_node *node)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *at = strrchr(arg, '@');
	long port = 53;
	size_t len = at ? (size_t)(at - arg) : strlen(arg);
	if (len >= sizeof(host) || (at && !parse_long(at + 1, 1, 65535, &port))) {
		fprintf(stderr, "cares_resolve: bad server '%s' (ADDR[@PORT])\n", arg);
		exit(2);
	}
	memcpy(host, arg, len);
	host[len] = '\0';
	memset(node, 0, sizeof(*node));
	if (inet_pton(AF_INET, host, &node->addr.addr4) == 1)
		node->family = AF_INET;
	else if (inet_pton(AF_INET6, host, &node->addr.addr6) == 1)
		node->family = AF_INET6;
	else {
		fprintf(stderr, "cares_resolve: bad server address '%s'\n", host);
		exit(2);
	}
	node->udp_port = node->tcp_port = (int)port;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: cares_resolve [-s ADDR[@PORT]]... [-t A|AAAA] [-n COUNT] [-i INTERVAL_MS]\n"
		   "                     [-m query|host] [--timeout-ms MS] [--tries N] [--tcp] [--edns]\n"
		   "                     [--until ADDR | --until-not ADDR] [--max-ms MS] NAME\n");
}

struct opts {
	struct ares_addr_port_node servers[MAX_SERVERS];
	int nservers, family, flags;
	bool use_host, have_count, have_max;
	long count, interval, max_ms, timeout_ms, tries;
	const char *until;
	bool until_present; /* --until: stop when present; --until-not: when absent */
	unsigned char want[16];
	const char *name;
};

static void parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = { { "until", 1, NULL, 'U' }, { "until-not", 1, NULL, 'N' },
		{ "max-ms", 1, NULL, 'M' }, { "timeout-ms", 1, NULL, 'T' }, { "tries", 1, NULL, 'R' },
		{ "tcp", 0, NULL, 'C' }, { "edns", 0, NULL, 'E' }, { "help", 0, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	int opt;
	*o = (struct opts) { .family = AF_INET, .count = 1, .interval = 10, .max_ms = 10000, .timeout_ms = 1000,
		.tries = 2, .flags = ARES_FLAG_NOSEARCH };
	while ((opt = getopt_long(argc, argv, "s:t:n:i:m:h", lopts, NULL)) != -1) {
		bool ok = true;
		switch (opt) {
		case 's':
			if (o->nservers == MAX_SERVERS)
				ok = false;
			else
				parse_server(optarg, &o->servers[o->nservers++]);
			break;
		case 't':
			ok = strcasecmp(optarg, "A") == 0 || strcasecmp(optarg, "AAAA") == 0;
			o->family = strcasecmp(optarg, "AAAA") == 0 ? AF_INET6 : AF_INET;
			break;
		case 'n':
			ok = parse_long(optarg, 0, 100000000L, &o->count);
			o->have_count = true;
			break;
		case 'i':
			ok = parse_long(optarg, 0, 3600000L, &o->interval);
			break;
		case 'm':
			ok = strcmp(optarg, "query") == 0 || strcmp(optarg, "host") == 0;
			o->use_host = strcmp(optarg, "host") == 0;
			break;
		case 'U':
		case 'N':
			ok = !o->until;
			o->until = optarg;
			o->until_present = opt == 'U';
			break;
		case 'M':
			ok = parse_long(optarg, 1, 86400000L, &o->max_ms);
			o->have_max = true;
			break;
		case 'T':
			ok = parse_long(optarg, 1, 600000L, &o->timeout_ms);
			break;
		case 'R':
			ok = parse_long(optarg, 1, 100, &o->tries);
			break;
		case 'C':
			o->flags |= ARES_FLAG_USEVC;
			break;
		case 'E':
			o->flags |= ARES_FLAG_EDNS;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			ok = false;
		}
		if (!ok) {
			if (opt != '?')
				fprintf(stderr, "cares_resolve: bad value for -%c: '%s'\n", opt < 'a' ? '-' : opt,
					optarg ? optarg : "");
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		exit(2);
	}
	o->name = argv[optind];
	if (o->until && inet_pton(o->family, o->until, o->want) != 1) {
		fprintf(stderr, "cares_resolve: '%s' is not an %s address\n", o->until, o->family == AF_INET ? "IPv4" : "IPv6");
		exit(2);
	}
	if (o->until && !o->have_count)
		o->count = 0; /* unlimited: --max-ms ends it */
	if (!o->until && o->count == 0 && !o->have_max) {
		fprintf(stderr, "cares_resolve: -n 0 (unlimited) needs --max-ms or --until\n");
		exit(2);
	}
	if (!o->until && !o->have_max)
		o->max_ms = 0;
}

static ares_channel channel_new(struct opts *o)
{
	ares_channel ch;
	struct ares_options ao;
	char lookups[] = "b"; /* DNS only: no /etc/hosts, so tests see the server's answer */
	memset(&ao, 0, sizeof(ao));
	ao.flags = o->flags;
	ao.timeout = (int)o->timeout_ms;
	ao.tries = (int)o->tries;
	ao.lookups = lookups;
	ao.ednspsz = 1232;
	int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_LOOKUPS | ARES_OPT_EDNSPSZ;
	int rc = ares_init_options(&ch, &ao, mask);
	if (rc != ARES_SUCCESS) {
		fprintf(stderr, "cares_resolve: ares_init_options: %s\n", ares_strerror(rc));
		exit(2);
	}
	if (o->nservers) {
		for (int i = 0; i + 1 < o->nservers; i++)
			o->servers[i].next = &o->servers[i + 1];
		rc = ares_set_servers_ports(ch, o->servers);
		if (rc != ARES_SUCCESS) {
			fprintf(stderr, "cares_resolve: ares_set_servers_ports: %s\n", ares_strerror(rc));
			exit(2);
		}
	}
	return ch;
}

/* One lookup; false if the deadline passed before its answer. */
static bool lookup(ares_channel ch, const struct opts *o, struct result *r, long deadline)
{
	memset(r, 0, sizeof(*r));
	r->family = o->family;
	if (o->use_host)
		ares_gethostbyname(ch, o->name, o->family, host_cb, r);
	else
		ares_query(ch, o->name, 1 /* IN */, o->family == AF_INET ? 1 : 28, query_cb, r);
	if (run(ch, r, deadline)) {
		if (!r->done) {
			r->done = true;
			r->status = ARES_ETIMEOUT;
		}
		return true;
	}
	ares_cancel(ch); /* calls back with ARES_ECANCELLED while r is still alive */
	return false;
}

static int resolve_loop(ares_channel ch, const struct opts *o)
{
	static char line[MAX_ADDRS * (INET6_ADDRSTRLEN + 1) + 64], prev[sizeof(line)];
	struct result r;
	long start = now_ms(), deadline = o->max_ms ? start + o->max_ms : 0;
	bool all_ok = true, timed_out = false;
	prev[0] = '\0';
	for (long i = 0; o->count == 0 || i < o->count; i++) {
		long wait = start + i * o->interval - now_ms();
		if (deadline && now_ms() + (wait > 0 ? wait : 0) >= deadline) {
			long left = deadline - now_ms();
			if (left > 0)
				poll(NULL, 0, (int)left);
			timed_out = true;
			break;
		}
		if (wait > 0)
			poll(NULL, 0, (int)wait);
		if (!lookup(ch, o, &r, deadline)) {
			timed_out = true;
			break;
		}
		render(&r, line, sizeof(line));
		all_ok = all_ok && r.status == ARES_SUCCESS;
		if (!o->until) {
			printf("%s\n", line);
			fflush(stdout);
			continue;
		}
		if (i == 0 || strcmp(line, prev) != 0)
			printf("%s\n", line);
		fflush(stdout);
		strcpy(prev, line);
		if (r.status == ARES_SUCCESS && contains(&r, o->want) == o->until_present) {
			printf("elapsed_ms=%ld\n", now_ms() - start);
			return 0;
		}
	}
	if (timed_out) {
		printf("timeout after %ld ms\n", now_ms() - start);
		return 1;
	}
	if (o->until) {
		printf("gave up after %ld lookups (%ld ms)\n", o->count, now_ms() - start);
		return 1;
	}
	return all_ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct opts o;
	parse_args(argc, argv, &o);
	int rc = ares_library_init(ARES_LIB_INIT_ALL);
	if (rc != ARES_SUCCESS) {
		fprintf(stderr, "cares_resolve: ares_library_init: %s\n", ares_strerror(rc));
		return 2;
	}
	ares_channel ch = channel_new(&o);
	int status = resolve_loop(ch, &o);
	ares_destroy(ch);
	ares_library_cleanup();
	return status;
}
