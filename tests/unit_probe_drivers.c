/*
 * Unit tests for probe/probe_drivers: every driver runs against real
 * servers that this test runs itself, on 127.0.0.1 and ::1, on the same
 * libev loop as the probes (a TCP listener, a refusing port, an HTTP server
 * that answers each path its own way, a UDP DNS responder that answers each
 * name its own way). ICMP probes the loopback addresses when an ICMP socket
 * can be opened. The pure parts (load values, ICMP packets, DNS answers,
 * curl error texts) are table-driven.
 */
#include "config.h"

#define LNS_PROBE_DRIVERS_INTERNAL
#include "probe/probe_drivers.h"
#include "tests/unit/helper.h"

#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static struct ev_loop *loop;
static lns_probe_env_t *env;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ======================================================================
 * DNS messages, for the responder and the judge's table
 * ====================================================================== */

typedef struct msg {
	uint8_t b[1024];
	size_t n;
} msg_t;

static void put8(msg_t *m, unsigned v)
{
	m->b[m->n++] = (uint8_t)v;
}

static void put16(msg_t *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v);
}

static void putn(msg_t *m, const void *p, size_t n)
{
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void putname(msg_t *m, const char *name)
{
	size_t wire = lns_test_dname(name, m->b + m->n, sizeof(m->b) - m->n);
	m->n += wire;
}

static void header(msg_t *m, unsigned id, unsigned flags, unsigned qd, unsigned an)
{
	m->n = 0;
	put16(m, id);
	put16(m, flags);
	put16(m, qd);
	put16(m, an);
	put16(m, 0);
	put16(m, 0);
}

/* An RR whose owner is a compression pointer to ptr. */
static void rr(msg_t *m, unsigned ptr, unsigned type, const void *rdata, size_t rdlen)
{
	put16(m, 0xC000 | ptr);
	put16(m, type);
	put16(m, 1);
	put16(m, 0);
	put16(m, 60);
	put16(m, (unsigned)rdlen);
	putn(m, rdata, rdlen);
}

static void rr_a(msg_t *m, unsigned ptr, const char *text)
{
	uint8_t a[4];
	inet_pton(AF_INET, text, a);
	rr(m, ptr, 1, a, 4);
}

static void rr_name(msg_t *m, unsigned ptr, unsigned type, const char *name)
{
	uint8_t w[256];
	size_t n = lns_test_dname(name, w, sizeof(w));
	rr(m, ptr, type, w, n);
}

/* ======================================================================
 * servers on the test's loop
 * ====================================================================== */

enum { S_HTTP4, S_HTTP6, S_TCP4, S_TCP6, S_DNS4, S_DNS6, S_N };
static int srv_fd[S_N];
static ev_io srv_io[S_N];
static uint16_t port[S_N];
static uint16_t refused_port, refused6_port, dns_closed_port;
/* A listener whose accept queue is full: the kernel drops further SYNs,
 * so a connect to it hangs, as to a blackholed member. */
static int full_fd, fillers[3];
static uint16_t full_port;

static int bound(int family, int type, uint16_t *out_port)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	socklen_t len;
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		len = sizeof(*s6);
	}
	int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&ss, len) == -1 ||
		getsockname(fd, (struct sockaddr *)&ss, &len) == -1) {
		perror("unit_probe_drivers: socket/bind");
		abort();
	}
	*out_port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					    : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

static void mkaddr(int family, uint16_t p, lns_addr_t *a)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&a->ss;
		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		s4->sin_port = htons(p);
		a->len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		s6->sin6_port = htons(p);
		a->len = sizeof(*s6);
	}
}

/* ---- HTTP: each path answers its own way ---- */

typedef struct conn {
	ev_io io;
	ev_timer drip;
	char req[4096];
	size_t n;
	bool answered; /* the request is in: what comes next is read and dropped */
	char *out;
	size_t out_len, out_off;
	enum { C_READ, C_WRITE } state;
	enum { AFTER_CLOSE, AFTER_DRIP, AFTER_MORE } after;
	struct conn *prev, *next;
} conn_t;

static conn_t *conns;
static unsigned n_accepted;

static void conn_close(conn_t *c)
{
	ev_io_stop(loop, &c->io);
	ev_timer_stop(loop, &c->drip);
	close(c->io.fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c->out);
	free(c);
}

static void conn_reset(conn_t *c)
{
	struct linger lg = { 1, 0 };
	setsockopt(c->io.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	conn_close(c);
}

static void conn_want(conn_t *c, int events)
{
	ev_io_stop(loop, &c->io);
	ev_io_set(&c->io, c->io.fd, events);
	ev_io_start(loop, &c->io);
}

static void conn_send(conn_t *c, int after, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void conn_send(conn_t *c, int after, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	free(c->out);
	c->out = malloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(c->out, (size_t)n + 1, fmt, ap);
	va_end(ap);
	c->out_len = (size_t)n;
	c->out_off = 0;
	c->after = after;
	c->state = C_WRITE;
	conn_want(c, EV_WRITE);
}

static void drip_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	conn_t *c = w->data;
	if (send(c->io.fd, "x", 1, MSG_NOSIGNAL) == -1 && errno != EAGAIN)
		conn_close(c);
}

static void body_of(size_t n, char **out)
{
	*out = malloc(n + 1);
	memset(*out, 'b', n);
	(*out)[n] = '\0';
}

static void respond(conn_t *c)
{
	char path[256] = "", host[256] = "";
	sscanf(c->req, "GET %255s", path);
	const char *h = strcasestr(c->req, "\r\nHost: ");
	if (h)
		sscanf(h + 8, "%255[^\r]", host);
	static const char ok_head[] = "HTTP/1.1 200 OK\r\nConnection: close\r\n";
	if (!strcmp(path, "/ok"))
		conn_send(c, AFTER_CLOSE, "%sContent-Length: 7\r\n\r\nall ok\n", ok_head);
	else if (!strcmp(path, "/503"))
		conn_send(c, AFTER_CLOSE, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\ndown");
	else if (!strcmp(path, "/302"))
		conn_send(c, AFTER_CLOSE, "HTTP/1.1 302 Found\r\nLocation: /503\r\nContent-Length: 0\r\n\r\n");
	else if (!strcmp(path, "/garbage"))
		conn_send(c, AFTER_CLOSE, "this is not http at all\r\n\r\n");
	else if (!strcmp(path, "/hang"))
		return; /* read on, until the client goes */
	else if (!strcmp(path, "/slow"))
		conn_send(c, AFTER_DRIP, "%sContent-Length: 1000\r\n\r\nxxxx", ok_head);
	else if (!strcmp(path, "/endless"))
		conn_send(c, AFTER_MORE, "%s\r\n", ok_head);
	else if (!strcmp(path, "/big"))
		conn_send(c, AFTER_CLOSE, "%sContent-Length: 100000\r\n\r\nxxxx", ok_head);
	else if (!strcmp(path, "/exact64k") || !strcmp(path, "/over64k")) {
		char *body;
		size_t n = LNS_PROBE_BODY_MAX + (path[1] == 'o');
		body_of(n, &body);
		/* No Content-Length: only the write callback can stop it. */
		conn_send(c, AFTER_CLOSE, "%s\r\n%s", ok_head, body);
		free(body);
	} else if (!strcmp(path, "/reset"))
		conn_reset(c);
	else if (!strcmp(path, "/close"))
		conn_close(c);
	else if (!strcmp(path, "/host"))
		conn_send(c, AFTER_CLOSE, "%sContent-Length: %zu\r\n\r\nhost=%s", ok_head, strlen(host) + 5, host);
	else if (!strncmp(path, "/load/", 6)) {
		/* /load/<status>/<body>, %20 for a space, %0A for a newline */
		int status = atoi(path + 6);
		const char *b = strchr(path + 6, '/');
		char body[128];
		size_t n = 0;
		for (b = b ? b + 1 : ""; *b && n < sizeof(body) - 1; b++)
			if (b[0] == '%' && b[1] && b[2]) {
				body[n++] = (char)strtol((char[]){ b[1], b[2], 0 }, NULL, 16);
				b += 2;
			} else {
				body[n++] = *b;
			}
		body[n] = '\0';
		conn_send(c, AFTER_CLOSE, "HTTP/1.1 %d X\r\nContent-Length: %zu\r\n\r\n%s", status, n, body);
	} else
		conn_send(c, AFTER_CLOSE, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
}

static void conn_cb(struct ev_loop *l, ev_io *w, int revents)
{
	conn_t *c = w->data;
	if (c->state == C_READ) {
		char drop[512];
		char *into = c->answered ? drop : c->req + c->n;
		size_t room = c->answered ? sizeof(drop) : sizeof(c->req) - 1 - c->n;
		ssize_t r = recv(w->fd, into, room, 0);
		if (r == 0 || (r == -1 && errno != EAGAIN && errno != EINTR) || (!c->answered && room == 0)) {
			conn_close(c);
			return;
		}
		if (r > 0 && !c->answered) {
			c->n += (size_t)r;
			c->req[c->n] = '\0';
			if (c->n >= 4 && strncmp(c->req, "GET ", 4) != 0) {
				/* a TLS hello, say: what a web server says to it */
				c->answered = true;
				conn_send(c, AFTER_CLOSE, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
			} else if (strstr(c->req, "\r\n\r\n")) {
				c->answered = true;
				respond(c); /* may close c */
			}
		}
		return;
	}
	while (c->out_off < c->out_len) {
		ssize_t r = send(w->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
		if (r == -1) {
			if (errno != EAGAIN && errno != EINTR)
				conn_close(c);
			return;
		}
		c->out_off += (size_t)r;
	}
	if (c->after == AFTER_MORE) {
		memset(c->out, 'e', c->out_len);
		c->out_off = 0;
		if (c->out_len < 16384) {
			c->out = realloc(c->out, 16384);
			memset(c->out, 'e', 16384);
			c->out_len = 16384;
		}
	} else if (c->after == AFTER_DRIP) {
		ev_io_stop(loop, &c->io);
		ev_timer_start(loop, &c->drip);
	} else {
		conn_close(c);
	}
}

static void accept_cb(struct ev_loop *l, ev_io *w, int revents)
{
	int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1)
		return;
	n_accepted++;
	if (w == &srv_io[S_TCP4] || w == &srv_io[S_TCP6]) {
		close(fd);
		return;
	}
	conn_t *c = calloc(1, sizeof(*c));
	ev_io_init(&c->io, conn_cb, fd, EV_READ);
	c->io.data = c;
	ev_timer_init(&c->drip, drip_cb, 0.02, 0.02);
	c->drip.data = c;
	c->next = conns;
	if (conns)
		conns->prev = c;
	conns = c;
	ev_io_start(loop, &c->io);
}

/* ---- DNS: each name answers its own way ---- */

static void dns_cb(struct ev_loop *l, ev_io *w, int revents)
{
	uint8_t q[512];
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof(from);
	ssize_t n = recvfrom(w->fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fromlen);
	if (n < 17)
		return;
	size_t end = 12;
	while (end < (size_t)n && q[end])
		end += 1u + q[end];
	end += 5;
	if (end > (size_t)n)
		return;
	char first[64] = "";
	memcpy(first, q + 13, q[12] < 63 ? q[12] : 63);
	unsigned qtype = (unsigned)(q[end - 4] << 8 | q[end - 3]);

	msg_t m;
	unsigned rcode = 0, an = 0;
	if (!strcmp(first, "silent"))
		return;
	if (!strcmp(first, "fail"))
		rcode = 2;
	else if (!strcmp(first, "nx"))
		rcode = 3;
	else if (!strcmp(first, "refused"))
		rcode = 5;
	else if (!strcmp(first, "cname") || !strcmp(first, "broken"))
		an = 2;
	else
		an = 1;
	header(&m, (unsigned)(q[0] << 8 | q[1]), 0x8400 | (q[2] & 1) << 8 | rcode, 1, an);
	putn(&m, q + 12, end - 12);
	if (!strcmp(first, "broken")) {
		/* two answers announced, none there */
	} else if (!strcmp(first, "cname")) {
		size_t target = m.n + 12; /* where the CNAME's rdata will be */
		rr_name(&m, 12, 5, "target.example");
		rr_a(&m, (unsigned)target, "192.0.2.7");
	} else if (an && qtype == 16) {
		rr(&m, 12, 16, "\x05hello\x06 world", 13);
	} else if (an && qtype == 28) {
		uint8_t a6[16];
		inet_pton(AF_INET6, "2001:db8::1", a6);
		rr(&m, 12, 28, a6, 16);
	} else if (an) {
		rr_a(&m, 12, "192.0.2.1");
	}
	sendto(w->fd, m.b, m.n, 0, (struct sockaddr *)&from, fromlen);
}

static int servers_start(void)
{
	signal(SIGPIPE, SIG_IGN);
	int fams[S_N] = { AF_INET, AF_INET6, AF_INET, AF_INET6, AF_INET, AF_INET6 };
	for (int i = 0; i < S_N; i++) {
		bool udp = i == S_DNS4 || i == S_DNS6;
		srv_fd[i] = bound(fams[i], udp ? SOCK_DGRAM : SOCK_STREAM, &port[i]);
		if (!udp && listen(srv_fd[i], 64) == -1)
			return -1;
		ev_io_init(&srv_io[i], udp ? dns_cb : accept_cb, srv_fd[i], EV_READ);
		ev_io_start(loop, &srv_io[i]);
	}
	full_fd = bound(AF_INET, SOCK_STREAM, &full_port);
	if (listen(full_fd, 0) == -1)
		return -1;
	lns_addr_t full;
	mkaddr(AF_INET, full_port, &full);
	for (size_t i = 0; i < N_ELEMS(fillers); i++) {
		fillers[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (connect(fillers[i], (struct sockaddr *)&full.ss, full.len) == -1 && errno != EINPROGRESS)
			return -1;
	}
	/* Bound, then closed: nothing listens there (connection refused). */
	close(bound(AF_INET, SOCK_STREAM, &refused_port));
	close(bound(AF_INET6, SOCK_STREAM, &refused6_port));
	close(bound(AF_INET, SOCK_DGRAM, &dns_closed_port));
	return 0;
}

static void servers_stop(void)
{
	while (conns)
		conn_close(conns);
	for (size_t i = 0; i < N_ELEMS(fillers); i++)
		close(fillers[i]);
	close(full_fd);
	for (int i = 0; i < S_N; i++) {
		ev_io_stop(loop, &srv_io[i]);
		close(srv_fd[i]);
	}
}

/* ======================================================================
 * running probes
 * ====================================================================== */

typedef struct waiter {
	unsigned calls;
	lns_probe_result_t r;
	double done_at;
	lns_probe_env_t *free_env; /* freed from inside the callback when set */
} waiter_t;

static bool in_start;
static unsigned calls_inside_start;

static void on_done(void *arg, const lns_probe_result_t *r)
{
	waiter_t *w = arg;
	if (in_start)
		calls_inside_start++;
	w->calls++;
	w->r = *r;
	w->done_at = now_ms();
	if (w->free_env) {
		lns_probe_env_free(w->free_env);
		w->free_env = NULL;
	}
}

static lns_probe_op_t *start(lns_probe_env_t *e, const lns_probe_conf_t *c, int family, uint16_t p,
	const char *qname, waiter_t *w)
{
	lns_probe_target_t t = { c, { { 0 }, 0 }, qname };
	mkaddr(family, p, &t.addr);
	in_start = true;
	lns_probe_op_t *op = lns_probe_start(e, &t, on_done, w);
	in_start = false;
	return op;
}

static void guard_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	*(bool *)w->data = true;
}

/* Runs the loop until every waiter has its result, or ms have passed
 * (then it only runs the loop that long). */
static void run_for(waiter_t *ws, size_t n, double ms)
{
	bool expired = false;
	ev_timer guard;
	ev_timer_init(&guard, guard_cb, ms / 1000.0, 0.);
	guard.data = &expired;
	ev_now_update(loop);
	ev_timer_start(loop, &guard);
	for (;;) {
		size_t done = 0;
		for (size_t i = 0; ws && i < n; i++)
			done += ws[i].calls > 0;
		if (expired || (ws && done == n))
			break;
		ev_run(loop, EVRUN_ONCE);
	}
	ev_timer_stop(loop, &guard);
}

static void conf_init(lns_probe_conf_t *c, enum lns_probe_type type, unsigned timeout_ms)
{
	memset(c, 0, sizeof(*c));
	c->type = type;
	c->timeout_ms = timeout_ms;
	c->expect_lo = 200;
	c->expect_hi = 399;
	c->rise = c->fall = 1;
}

/* ======================================================================
 * live probes (table)
 * ====================================================================== */

enum where { W_HTTP4, W_HTTP6, W_TCP4, W_TCP6, W_REFUSED4, W_REFUSED6, W_DNS4, W_DNS6, W_DNS_CLOSED, W_FULL };

static const struct live_row {
	const char *name;
	enum lns_probe_type type;
	enum where where;
	const char *path;   /* http, load; dns: the query name (NULL: the default) */
	unsigned timeout_ms;
	const char *body;   /* http: substring; dns: answer */
	const char *host;
	uint16_t lo, hi;    /* http status range (0: 200-399); dns: lo is the rcode */
	uint16_t qtype;
	bool ok;
	const char *reason;
	int load;
	double min_ms, max_ms; /* bounds of the round-trip time */
} live_rows[] = {
	{ "http 200", LNS_PROBE_HTTP, W_HTTP4, "/ok", 1000, NULL, NULL, 0, 0, 0, true, "ok", -1, 0, 500 },
	{ "http 503", LNS_PROBE_HTTP, W_HTTP4, "/503", 1000, NULL, NULL, 0, 0, 0, false, "status 503", -1, 0, 500 },
	{ "http 503 expected", LNS_PROBE_HTTP, W_HTTP4, "/503", 1000, NULL, NULL, 500, 599, 0, true, "ok", -1, 0, 500 },
	{ "http redirect is not followed", LNS_PROBE_HTTP, W_HTTP4, "/302", 1000, NULL, NULL, 200, 299, 0, false,
		"status 302", -1, 0, 500 },
	{ "http body holds", LNS_PROBE_HTTP, W_HTTP4, "/ok", 1000, "all ok", NULL, 0, 0, 0, true, "ok", -1, 0, 500 },
	{ "http body lacks", LNS_PROBE_HTTP, W_HTTP4, "/ok", 1000, "ready", NULL, 0, 0, 0, false,
		"body lacks 'ready'", -1, 0, 500 },
	{ "http path without slash", LNS_PROBE_HTTP, W_HTTP4, "ok", 1000, NULL, NULL, 0, 0, 0, true, "ok", -1, 0, 500 },
	{ "http host header", LNS_PROBE_HTTP, W_HTTP4, "/host", 1000, "host=www.example.test", "www.example.test",
		0, 0, 0, true, "ok", -1, 0, 500 },
	{ "http ipv6 in brackets", LNS_PROBE_HTTP, W_HTTP6, "/ok", 1000, NULL, NULL, 0, 0, 0, true, "ok", -1, 0, 500 },
	{ "http garbage", LNS_PROBE_HTTP, W_HTTP4, "/garbage", 1000, NULL, NULL, 0, 0, 0, false, "bad response", -1,
		0, 500 },
	{ "http hang", LNS_PROBE_HTTP, W_HTTP4, "/hang", 300, NULL, NULL, 0, 0, 0, false, "timeout 300 ms", -1, 295,
		550 },
	{ "http slow body", LNS_PROBE_HTTP, W_HTTP4, "/slow", 300, NULL, NULL, 0, 0, 0, false, "timeout 300 ms", -1,
		295, 550 },
	{ "http endless body", LNS_PROBE_HTTP, W_HTTP4, "/endless", 3000, NULL, NULL, 0, 0, 0, false,
		"body over 64 KiB", -1, 0, 500 },
	{ "http body of 64 KiB exactly", LNS_PROBE_HTTP, W_HTTP4, "/exact64k", 3000, NULL, NULL, 0, 0, 0, true, "ok",
		-1, 0, 500 },
	{ "http body of 64 KiB and a byte", LNS_PROBE_HTTP, W_HTTP4, "/over64k", 3000, NULL, NULL, 0, 0, 0, false,
		"body over 64 KiB", -1, 0, 500 },
	{ "http content-length over 64 KiB", LNS_PROBE_HTTP, W_HTTP4, "/big", 3000, NULL, NULL, 0, 0, 0, false,
		"body over 64 KiB", -1, 0, 500 },
	{ "http reset", LNS_PROBE_HTTP, W_HTTP4, "/reset", 1000, NULL, NULL, 0, 0, 0, false, "connection reset", -1,
		0, 500 },
	{ "http closed without a reply", LNS_PROBE_HTTP, W_HTTP4, "/close", 1000, NULL, NULL, 0, 0, 0, false,
		"empty reply", -1, 0, 500 },
	{ "http connect hangs", LNS_PROBE_HTTP, W_FULL, "/ok", 300, NULL, NULL, 0, 0, 0, false, "timeout 300 ms",
		-1, 295, 550 },
	{ "http refused", LNS_PROBE_HTTP, W_REFUSED4, "/ok", 1000, NULL, NULL, 0, 0, 0, false, "connection refused",
		-1, 0, 500 },
	{ "https to a plain http server", LNS_PROBE_HTTPS, W_HTTP4, "/ok", 1000, NULL, NULL, 0, 0, 0, false,
		"tls handshake failed", -1, 0, 500 },
	{ "https refused, host name", LNS_PROBE_HTTPS, W_REFUSED6, "/ok", 1000, NULL, "www.example.test", 0, 0, 0,
		false, "connection refused", -1, 0, 500 },

	{ "load 73", LNS_PROBE_LOAD, W_HTTP4, "/load/200/73%0A", 1000, NULL, NULL, 0, 0, 0, true, "ok", 73, 0, 500 },
	{ "load 42.5 with spaces", LNS_PROBE_LOAD, W_HTTP4, "/load/200/%2042.5%20%0A", 1000, NULL, NULL, 0, 0, 0, true,
		"ok", 43, 0, 500 },
	{ "load 0", LNS_PROBE_LOAD, W_HTTP6, "/load/200/0", 1000, NULL, NULL, 0, 0, 0, true, "ok", 0, 0, 500 },
	{ "load abc", LNS_PROBE_LOAD, W_HTTP4, "/load/200/abc", 1000, NULL, NULL, 0, 0, 0, false, "bad load value",
		-1, 0, 500 },
	{ "load 150", LNS_PROBE_LOAD, W_HTTP4, "/load/200/150", 1000, NULL, NULL, 0, 0, 0, false, "bad load value",
		-1, 0, 500 },
	{ "load empty", LNS_PROBE_LOAD, W_HTTP4, "/load/200/", 1000, NULL, NULL, 0, 0, 0, false, "bad load value", -1,
		0, 500 },
	{ "load status 503", LNS_PROBE_LOAD, W_HTTP4, "/load/503/50", 1000, NULL, NULL, 0, 0, 0, false, "status 503",
		-1, 0, 500 },
	{ "load status 302", LNS_PROBE_LOAD, W_HTTP4, "/load/302/50", 1000, NULL, NULL, 0, 0, 0, false, "status 302",
		-1, 0, 500 },
	{ "load hang", LNS_PROBE_LOAD, W_HTTP4, "/hang", 200, NULL, NULL, 0, 0, 0, false, "timeout 200 ms", -1, 195,
		450 },

	{ "tcp connect", LNS_PROBE_TCP, W_TCP4, NULL, 1000, NULL, NULL, 0, 0, 0, true, "ok", -1, 0, 500 },
	{ "tcp connect ipv6", LNS_PROBE_TCP, W_TCP6, NULL, 1000, NULL, NULL, 0, 0, 0, true, "ok", -1, 0, 500 },
	{ "tcp refused", LNS_PROBE_TCP, W_REFUSED4, NULL, 1000, NULL, NULL, 0, 0, 0, false, "connection refused", -1,
		0, 500 },
	{ "tcp connect hangs", LNS_PROBE_TCP, W_FULL, NULL, 300, NULL, NULL, 0, 0, 0, false, "timeout 300 ms", -1,
		295, 550 },
	{ "tcp refused ipv6", LNS_PROBE_TCP, W_REFUSED6, NULL, 1000, NULL, NULL, 0, 0, 0, false,
		"connection refused", -1, 0, 500 },

	{ "dns A", LNS_PROBE_DNS, W_DNS4, "ok.test", 1000, NULL, NULL, 0, 0, 0, true, "ok", -1, 0, 500 },
	{ "dns A with its answer", LNS_PROBE_DNS, W_DNS4, "ok.test", 1000, "192.0.2.1", NULL, 0, 0, 0, true, "ok", -1,
		0, 500 },
	{ "dns A lacks the answer", LNS_PROBE_DNS, W_DNS4, "ok.test", 1000, "192.0.2.99", NULL, 0, 0, 0, false,
		"answer lacks 192.0.2.99", -1, 0, 500 },
	{ "dns default name", LNS_PROBE_DNS, W_DNS4, NULL, 1000, "192.0.2.1", NULL, 0, 0, 0, true, "ok", -1, 0, 500 },
	{ "dns over ipv6", LNS_PROBE_DNS, W_DNS6, "ok.test", 1000, "192.0.2.1", NULL, 0, 0, 0, true, "ok", -1, 0, 500 },
	{ "dns AAAA", LNS_PROBE_DNS, W_DNS4, "ok.test", 1000, "2001:db8::1", NULL, 0, 0, 28, true, "ok", -1, 0, 500 },
	{ "dns TXT", LNS_PROBE_DNS, W_DNS4, "ok.test", 1000, "hello world", NULL, 0, 0, 16, true, "ok", -1, 0, 500 },
	{ "dns CNAME to an A", LNS_PROBE_DNS, W_DNS4, "cname.test", 1000, "192.0.2.7", NULL, 0, 0, 0, true, "ok", -1,
		0, 500 },
	{ "dns CNAME target", LNS_PROBE_DNS, W_DNS4, "cname.test", 1000, "Target.Example.", NULL, 0, 0, 0, true, "ok",
		-1, 0, 500 },
	{ "dns SERVFAIL", LNS_PROBE_DNS, W_DNS4, "fail.test", 1000, NULL, NULL, 0, 0, 0, false, "rcode SERVFAIL", -1,
		0, 500 },
	{ "dns SERVFAIL expected", LNS_PROBE_DNS, W_DNS4, "fail.test", 1000, NULL, NULL, 2, 0, 0, true, "ok", -1, 0,
		500 },
	{ "dns REFUSED", LNS_PROBE_DNS, W_DNS4, "refused.test", 1000, NULL, NULL, 0, 0, 0, false, "rcode REFUSED", -1,
		0, 500 },
	{ "dns NXDOMAIN expected", LNS_PROBE_DNS, W_DNS4, "nx.test", 1000, NULL, NULL, 3, 0, 0, true, "ok", -1, 0,
		500 },
	{ "dns broken answer", LNS_PROBE_DNS, W_DNS4, "broken.test", 1000, "192.0.2.1", NULL, 0, 0, 0, false,
		"bad response", -1, 0, 500 },
	{ "dns no answer", LNS_PROBE_DNS, W_DNS4, "silent.test", 300, NULL, NULL, 0, 0, 0, false, "timeout 300 ms",
		-1, 295, 550 },
	{ "dns closed port", LNS_PROBE_DNS, W_DNS_CLOSED, "ok.test", 1000, NULL, NULL, 0, 0, 0, false,
		"connection refused", -1, 0, 500 },
};

static uint16_t where_port(enum where w, int *family)
{
	*family = AF_INET;
	switch (w) {
	case W_HTTP4: return port[S_HTTP4];
	case W_TCP4: return port[S_TCP4];
	case W_REFUSED4: return refused_port;
	case W_DNS4: return port[S_DNS4];
	case W_DNS_CLOSED: return dns_closed_port;
	case W_FULL: return full_port;
	default: break;
	}
	*family = AF_INET6;
	switch (w) {
	case W_HTTP6: return port[S_HTTP6];
	case W_TCP6: return port[S_TCP6];
	case W_REFUSED6: return refused6_port;
	case W_DNS6: return port[S_DNS6];
	default: return 0;
	}
}

static void live_conf(const struct live_row *row, lns_probe_conf_t *c)
{
	conf_init(c, row->type, row->timeout_ms);
	c->host = (char *)row->host;
	if (row->type == LNS_PROBE_DNS) {
		c->dns_qname = (char *)row->path;
		c->dns_answer = (char *)row->body;
		c->dns_rcode = row->lo;
		c->dns_qtype = row->qtype;
	} else {
		c->path = (char *)row->path;
		c->body = (char *)row->body;
		if (row->hi) {
			c->expect_lo = row->lo;
			c->expect_hi = row->hi;
		}
	}
}

static void run_live_row(const void *table, size_t i)
{
	const struct live_row *row = &((const struct live_row *)table)[i];
	lns_probe_conf_t c;
	live_conf(row, &c);
	int family;
	uint16_t p = where_port(row->where, &family);
	waiter_t w = { 0 };
	double t0 = now_ms();
	calls_inside_start = 0;
	start(env, &c, family, p, "ok.default.test", &w);
	CU_ASSERT_EQUAL(w.calls, 0);
	run_for(&w, 1, row->timeout_ms + 2000.0);
	T_CHECK(w.calls == 1, "%s: %u calls", row->name, w.calls);
	T_CHECK(calls_inside_start == 0, "%s: called from inside lns_probe_start", row->name);
	T_CHECK(w.r.ok == row->ok, "%s: ok is %d (%s)", row->name, w.r.ok, w.r.reason);
	T_CHECK(!strcmp(w.r.reason, row->reason), "%s: reason \"%s\", expected \"%s\"", row->name, w.r.reason,
		row->reason);
	T_CHECK(w.r.load == row->load, "%s: load %d, expected %d", row->name, w.r.load, row->load);
	double wall = w.done_at - t0;
	T_CHECK(w.r.rtt_ms >= row->min_ms && w.r.rtt_ms <= row->max_ms && wall <= row->max_ms + 50,
		"%s: rtt %.1f ms (%.1f ms to the callback), expected %.0f-%.0f", row->name, w.r.rtt_ms, wall,
		row->min_ms, row->max_ms);
}

/* ======================================================================
 * op life: asynchronous delivery, cancel, env_free, concurrency
 * ====================================================================== */

static void test_bad_targets_fail_later(void)
{
	lns_probe_conf_t c;
	conf_init(&c, LNS_PROBE_TCP, 100);
	waiter_t w[4] = { { 0 } };
	lns_probe_target_t t = { &c, { { 0 }, 0 }, NULL };
	t.addr.ss.ss_family = AF_UNIX;
	in_start = true;
	calls_inside_start = 0;
	lns_probe_start(env, &t, on_done, &w[0]);
	t.conf = NULL;
	lns_probe_start(env, &t, on_done, &w[1]);
	lns_probe_conf_t none;
	conf_init(&none, LNS_PROBE_NONE, 100);
	mkaddr(AF_INET, port[S_TCP4], &t.addr);
	t.conf = &none;
	lns_probe_start(env, &t, on_done, &w[2]);
	lns_probe_conf_t dns;
	conf_init(&dns, LNS_PROBE_DNS, 100);
	t.conf = &dns; /* no name to ask */
	lns_probe_start(env, &t, on_done, &w[3]);
	in_start = false;
	CU_ASSERT_EQUAL(w[0].calls + w[1].calls + w[2].calls + w[3].calls, 0);
	run_for(w, 4, 1000);
	CU_ASSERT_EQUAL(calls_inside_start, 0);
	const char *want[] = { "unsupported address family", "no probe configured", "probe type none",
		"no query name" };
	for (int i = 0; i < 4; i++) {
		T_CHECK(w[i].calls == 1 && !w[i].r.ok && !strcmp(w[i].r.reason, want[i]), "%d: %u calls, %s", i,
			w[i].calls, w[i].r.reason);
		T_CHECK(w[i].r.rtt_ms < 50, "%d: rtt %.1f", i, w[i].r.rtt_ms);
	}
}

/* Immediate failures, not connected yet, in flight: cancel stops each. */
static void test_cancel_prevents_callback(void)
{
	lns_probe_conf_t tcp, hang, dns, refused, icmp;
	conf_init(&tcp, LNS_PROBE_TCP, 200);
	conf_init(&refused, LNS_PROBE_HTTP, 200);
	refused.path = "/ok";
	conf_init(&hang, LNS_PROBE_HTTP, 200);
	hang.path = "/hang";
	conf_init(&dns, LNS_PROBE_DNS, 200);
	conf_init(&icmp, LNS_PROBE_ICMP, 200);
	waiter_t w[12] = { { 0 } };
	lns_probe_op_t *ops[12];
	lns_probe_target_t bad = { &tcp, { { 0 }, 0 }, NULL };
	bad.addr.ss.ss_family = AF_UNIX;
	/* Cancelled before the loop ever runs, some already finished. */
	ops[0] = lns_probe_start(env, &bad, on_done, &w[0]);
	ops[1] = start(env, &tcp, AF_INET, refused_port, NULL, &w[1]);
	ops[2] = start(env, &refused, AF_INET, refused_port, NULL, &w[2]);
	ops[3] = start(env, &dns, AF_INET, port[S_DNS4], "ok.test", &w[3]);
	ops[4] = start(env, &icmp, AF_INET, 0, NULL, &w[4]);
	ops[5] = start(env, &hang, AF_INET, port[S_HTTP4], NULL, &w[5]);
	for (int i = 0; i < 6; i++)
		lns_probe_cancel(ops[i]);
	/* Cancelled while in flight. */
	ops[6] = start(env, &hang, AF_INET, port[S_HTTP4], NULL, &w[6]);
	ops[7] = start(env, &hang, AF_INET6, port[S_HTTP6], NULL, &w[7]);
	ops[8] = start(env, &dns, AF_INET, port[S_DNS4], "silent.test", &w[8]);
	ops[9] = start(env, &dns, AF_INET6, port[S_DNS6], "silent.test", &w[9]);
	ops[10] = start(env, &tcp, AF_INET, port[S_TCP4], NULL, &w[10]);
	ops[11] = start(env, &icmp, AF_INET6, 0, NULL, &w[11]);
	run_for(NULL, 0, 60);
	for (int i = 6; i < 12; i++)
		if (w[i].calls == 0) /* the tcp and icmp ones may be done already */
			lns_probe_cancel(ops[i]);
	lns_probe_cancel(NULL);
	run_for(NULL, 0, 400);
	for (int i = 0; i < 10; i++)
		T_CHECK(w[i].calls == 0, "op %d: %u calls after cancel (%s)", i, w[i].calls, w[i].r.reason);
	for (int i = 10; i < 12; i++)
		T_CHECK(w[i].calls <= 1, "op %d: %u calls", i, w[i].calls);
	CU_ASSERT_PTR_NULL(env->ops);
}

/* A hanging member holds up nobody: fast probes finish while slow ones
 * of every kind are still waiting. */
static void test_probes_run_side_by_side(void)
{
	enum { SLOW = 12, FAST = 12 };
	lns_probe_conf_t hang, slow_dns, slow_tcp, ok, ok_dns, tcp;
	conf_init(&slow_tcp, LNS_PROBE_TCP, 1500);
	conf_init(&hang, LNS_PROBE_HTTP, 1500);
	hang.path = "/hang";
	conf_init(&slow_dns, LNS_PROBE_DNS, 1500);
	conf_init(&ok, LNS_PROBE_HTTP, 1500);
	ok.path = "/ok";
	conf_init(&ok_dns, LNS_PROBE_DNS, 1500);
	ok_dns.dns_answer = "192.0.2.1";
	conf_init(&tcp, LNS_PROBE_TCP, 1500);
	waiter_t slow[SLOW] = { { 0 } }, fast[FAST] = { { 0 } };
	lns_probe_op_t *slow_ops[SLOW];
	double t0 = now_ms();
	for (int i = 0; i < SLOW; i++) {
		if (i % 3 == 0)
			slow_ops[i] = start(env, &hang, AF_INET, port[S_HTTP4], NULL, &slow[i]);
		else if (i % 3 == 1)
			slow_ops[i] = start(env, &slow_dns, AF_INET, port[S_DNS4], "silent.test", &slow[i]);
		else
			slow_ops[i] = start(env, &slow_tcp, AF_INET, full_port, NULL, &slow[i]);
	}
	for (int i = 0; i < FAST; i++) {
		const lns_probe_conf_t *c = i % 3 == 0 ? &ok : i % 3 == 1 ? &ok_dns : &tcp;
		uint16_t p = i % 3 == 0 ? port[S_HTTP4] : i % 3 == 1 ? port[S_DNS4] : port[S_TCP4];
		start(env, c, AF_INET, p, "ok.test", &fast[i]);
	}
	run_for(fast, FAST, 1400);
	double took = now_ms() - t0;
	T_CHECK(took < 500, "the fast probes took %.0f ms", took);
	for (int i = 0; i < FAST; i++)
		T_CHECK(fast[i].calls == 1 && fast[i].r.ok, "fast %d: %u calls, %s", i, fast[i].calls, fast[i].r.reason);
	for (int i = 0; i < SLOW; i++) {
		T_CHECK(slow[i].calls == 0, "slow %d finished early: %s", i, slow[i].r.reason);
		if (slow[i].calls == 0)
			lns_probe_cancel(slow_ops[i]);
	}
}

static void start_everything(lns_probe_env_t *e, waiter_t *w, size_t *n)
{
	static lns_probe_conf_t hang, endless, dns, tcp, icmp, slow;
	conf_init(&hang, LNS_PROBE_HTTP, 2000);
	hang.path = "/hang";
	conf_init(&endless, LNS_PROBE_HTTP, 2000);
	endless.path = "/endless";
	conf_init(&slow, LNS_PROBE_LOAD, 2000);
	slow.path = "/slow";
	conf_init(&dns, LNS_PROBE_DNS, 2000);
	conf_init(&tcp, LNS_PROBE_TCP, 2000);
	conf_init(&icmp, LNS_PROBE_ICMP, 2000);
	*n = 0;
	/* The first five take their time, the others may be over soon. */
	start(e, &hang, AF_INET, port[S_HTTP4], NULL, &w[(*n)++]);
	start(e, &hang, AF_INET6, port[S_HTTP6], NULL, &w[(*n)++]);
	start(e, &slow, AF_INET, port[S_HTTP4], NULL, &w[(*n)++]);
	start(e, &dns, AF_INET, port[S_DNS4], "silent.test", &w[(*n)++]);
	start(e, &dns, AF_INET6, port[S_DNS6], "silent.test", &w[(*n)++]);
	start(e, &endless, AF_INET, port[S_HTTP4], NULL, &w[(*n)++]);
	start(e, &tcp, AF_INET, port[S_TCP4], NULL, &w[(*n)++]);
	start(e, &tcp, AF_INET, refused_port, NULL, &w[(*n)++]);
	start(e, &icmp, AF_INET, 0, NULL, &w[(*n)++]);
	start(e, &icmp, AF_INET6, 0, NULL, &w[(*n)++]);
}

/* Outstanding probes of every kind, and results not yet delivered: the
 * env goes with all of them, without a callback (ASan and valgrind check
 * that nothing leaks). */
static void test_env_free_with_outstanding_probes(void)
{
	lns_err_t err;
	lns_probe_env_t *e = lns_probe_env_new(loop, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	waiter_t w[32] = { { 0 } };
	size_t n;
	start_everything(e, w, &n);
	run_for(NULL, 0, 40);
	start_everything(e, w + n, &n); /* and some that the loop has not seen */
	lns_probe_env_free(e);
	lns_probe_env_free(NULL);
	run_for(NULL, 0, 100);
	/* In the first batch, the quick ones (from index 5) may have
	 * finished within those 40 ms. */
	for (size_t i = 0; i < 2 * n; i++)
		T_CHECK(w[i].calls == 0 || (i < n && i >= 5), "op %zu: %u calls after env_free (%s)", i, w[i].calls,
			w[i].r.reason);
}

/* A done callback may free the env, other probes still running. */
static void test_env_free_from_callback(void)
{
	lns_err_t err;
	lns_probe_env_t *e = lns_probe_env_new(loop, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	lns_probe_conf_t tcp;
	conf_init(&tcp, LNS_PROBE_TCP, 1000);
	waiter_t first = { 0 }, w[16] = { { 0 } };
	first.free_env = e;
	size_t n;
	start(e, &tcp, AF_INET, refused_port, NULL, &first);
	start_everything(e, w, &n);
	run_for(&first, 1, 1000);
	CU_ASSERT_EQUAL(first.calls, 1);
	CU_ASSERT_PTR_NULL(first.free_env);
	run_for(NULL, 0, 50);
	/* Only probes that finished in the same loop iteration as the first
	 * could have been delivered before it. */
	for (size_t i = 0; i < n; i++)
		T_CHECK(w[i].calls <= 1, "op %zu: %u calls", i, w[i].calls);
}

/* ======================================================================
 * icmp on loopback
 * ====================================================================== */

static void test_icmp_loopback(void)
{
	lns_probe_conf_t c;
	conf_init(&c, LNS_PROBE_ICMP, 1000);
	waiter_t w[6] = { { 0 } };
	for (int i = 0; i < 6; i++)
		start(env, &c, i % 2 ? AF_INET6 : AF_INET, 0, NULL, &w[i]);
	run_for(w, 6, 3000);
	for (int i = 0; i < 6; i++) {
		const char *fam = i % 2 ? "::1" : "127.0.0.1";
		if (!strncmp(w[i].r.reason, "icmp socket:", 12)) {
			if (i < 2) /* once a family */
				printf("\n    skipped icmp to %s: %s (neither a ping socket nor a raw socket)", fam,
					w[i].r.reason);
			continue;
		}
		T_CHECK(w[i].calls == 1 && w[i].r.ok && !strcmp(w[i].r.reason, "ok") && w[i].r.rtt_ms < 500,
			"%s: %u calls, %s, %.1f ms", fam, w[i].calls, w[i].r.reason, w[i].r.rtt_ms);
	}
}

/* ======================================================================
 * https against openssl s_server (skipped without the openssl tool)
 * ====================================================================== */

static char *tls_dir;
static pid_t tls_pid;
static uint16_t tls_port;

/* Runs argv with its output in out (or /dev/null); returns the child's pid,
 * or waits for it and returns its exit status when wait is set. */
static int spawn(char *const argv[], const char *out, bool wait)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int null = open("/dev/null", O_RDONLY);
		if (fd == -1 || null == -1)
			_exit(126);
		dup2(null, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid == -1 || !wait)
		return pid;
	int st;
	if (waitpid(pid, &st, 0) == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* A self-signed certificate for www.example.test and s_server -www on a
 * free port of 127.0.0.1; false when any of it cannot be had. */
static bool tls_start(void)
{
	tls_dir = lns_test_mkdtemp();
	char *key = lns_test_path(tls_dir, "key.pem"), *cert = lns_test_path(tls_dir, "cert.pem");
	char *log = lns_test_path(tls_dir, "s_server.log");
	char *req[] = { "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
		"-nodes", "-subj", "/CN=www.example.test", "-days", "2", "-keyout", key, "-out", cert, NULL };
	bool ok = spawn(req, NULL, true) == 0;
	if (ok) {
		close(bound(AF_INET, SOCK_STREAM, &tls_port));
		char accept[32];
		snprintf(accept, sizeof(accept), "127.0.0.1:%u", tls_port);
		char *srv[] = { "openssl", "s_server", "-accept", accept, "-cert", cert, "-key", key, "-www", NULL };
		tls_pid = spawn(srv, log, false);
		ok = false;
		/* It says ACCEPT once it listens. */
		for (int i = 0; tls_pid > 0 && i < 500 && !ok; i++) {
			char buf[4096] = "";
			FILE *f = fopen(log, "r");
			if (f) {
				size_t n = fread(buf, 1, sizeof(buf) - 1, f);
				buf[n] = '\0';
				fclose(f);
			}
			ok = strstr(buf, "ACCEPT") != NULL;
			if (!ok && waitpid(tls_pid, NULL, WNOHANG) == tls_pid) {
				tls_pid = 0;
				break;
			}
			if (!ok)
				usleep(10000);
		}
	}
	free(key);
	free(cert);
	free(log);
	return ok;
}

static void tls_stop(void)
{
	if (tls_pid > 0) {
		kill(tls_pid, SIGTERM);
		waitpid(tls_pid, NULL, 0);
		tls_pid = 0;
	}
	if (tls_dir) {
		lns_test_rmtree(tls_dir);
		free(tls_dir);
		tls_dir = NULL;
	}
}

static void test_https(void)
{
	if (!tls_start()) {
		printf("\n    skipped: no openssl s_server to talk TLS to ");
		tls_stop();
		return;
	}
	static const struct {
		const char *host;
		bool verify;
		const char *body;
		bool ok;
		const char *reason;
	} rows[] = {
		{ NULL, false, NULL, true, "ok" },
		{ "www.example.test", false, "s_server", true, "ok" },
		{ "www.example.test", false, "no such text", false, "body lacks 'no such text'" },
		{ NULL, true, NULL, false, "tls certificate not trusted" },
		{ "www.example.test", true, NULL, false, "tls certificate not trusted" },
	};
	for (size_t i = 0; i < N_ELEMS(rows); i++) {
		lns_probe_conf_t c;
		conf_init(&c, LNS_PROBE_HTTPS, 3000);
		c.path = "/";
		c.host = (char *)rows[i].host;
		c.tls_verify = rows[i].verify;
		c.body = (char *)rows[i].body;
		waiter_t w = { 0 };
		start(env, &c, AF_INET, tls_port, NULL, &w);
		run_for(&w, 1, 5000);
		T_CHECK(w.calls == 1 && w.r.ok == rows[i].ok && !strcmp(w.r.reason, rows[i].reason),
			"row %zu: %u calls, ok %d, \"%s\", expected \"%s\"", i, w.calls, w.r.ok, w.r.reason,
			rows[i].reason);
	}
	tls_stop();
}

/* ======================================================================
 * pure parts (tables)
 * ====================================================================== */

static const struct load_row {
	const char *name;
	const char *body;
	size_t len; /* 0: strlen */
	int rc, load;
} load_rows[] = {
	{ "73 and a newline", "73\n", 0, 0, 73 },
	{ "0", "0", 0, 0, 0 },
	{ "100", "100", 0, 0, 100 },
	{ "100.0", "100.0", 0, 0, 100 },
	{ "spaces around 42.5 round up", "  42.5 \r\n", 0, 0, 43 },
	{ "42.49 rounds down", "42.49", 0, 0, 42 },
	{ "0.4", "0.4", 0, 0, 0 },
	{ ".5", ".5", 0, 0, 1 },
	{ "5.", "5.", 0, 0, 5 },
	{ "leading zeros", "007", 0, 0, 7 },
	{ "tabs", "\t12\t", 0, 0, 12 },
	{ "empty", "", 0, -EINVAL, 0 },
	{ "only spaces", "   \n", 0, -EINVAL, 0 },
	{ "letters", "abc", 0, -EINVAL, 0 },
	{ "over 100", "150", 0, -EINVAL, 0 },
	{ "just over 100", "100.01", 0, -EINVAL, 0 },
	{ "negative", "-1", 0, -EINVAL, 0 },
	{ "plus sign", "+5", 0, -EINVAL, 0 },
	{ "exponent", "1e2", 0, -EINVAL, 0 },
	{ "hex", "0x10", 0, -EINVAL, 0 },
	{ "two numbers", "4 2", 0, -EINVAL, 0 },
	{ "two points", "1.2.3", 0, -EINVAL, 0 },
	{ "a point alone", ".", 0, -EINVAL, 0 },
	{ "nan", "nan", 0, -EINVAL, 0 },
	{ "inf", "inf", 0, -EINVAL, 0 },
	{ "a NUL inside", "73\0", 3, -EINVAL, 0 },
	{ "huge", "99999999999999999999999", 0, -EINVAL, 0 },
	{ "number and text", "73 percent", 0, -EINVAL, 0 },
};

static void run_load_row(const void *table, size_t i)
{
	const struct load_row *row = &((const struct load_row *)table)[i];
	int load = -42;
	int rc = lns_probe_parse_load(row->body, row->len ? row->len : strlen(row->body), &load);
	T_CHECK(rc == row->rc, "%s: rc %d, expected %d", row->name, rc, row->rc);
	if (row->rc == 0)
		T_CHECK(load == row->load, "%s: load %d, expected %d", row->name, load, row->load);
	else
		T_CHECK(load == -42, "%s: load written on failure", row->name);
}

static void test_load_null(void)
{
	int load;
	CU_ASSERT_EQUAL(lns_probe_parse_load(NULL, 0, &load), -EINVAL);
}

/* ---- ICMP packets ---- */

static uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xFFFF) + (s >> 16);
	return (uint16_t)~s;
}

enum pkt_edit { E_NONE, E_BADSUM, E_TRUNC, E_IPHDR, E_IPHDR_IHL, E_IPHDR_PROTO, E_IPHDR_LEN, E_IPHDR_V6, E_EMPTY };

#define REPLY4 ICMP_ECHOREPLY
#define REPLY6 ICMP6_ECHO_REPLY

static const struct icmp_row {
	const char *name;
	int family;
	uint16_t id, seq;     /* in the packet */
	uint8_t type, code;
	enum pkt_edit edit;
	size_t trunc;         /* E_TRUNC: the length */
	bool ip_header;       /* how it is parsed */
	int rc;
	bool reply;           /* is the reply to (0x1234, 7) */
} icmp_rows[] = {
	{ "v4 echo reply", AF_INET, 0x1234, 7, REPLY4, 0, E_NONE, 0, false, 0, true },
	{ "v4 echo reply, wrong id", AF_INET, 0x1235, 7, REPLY4, 0, E_NONE, 0, false, 0, false },
	{ "v4 echo reply, wrong seq", AF_INET, 0x1234, 8, REPLY4, 0, E_NONE, 0, false, 0, false },
	{ "v4 echo request", AF_INET, 0x1234, 7, ICMP_ECHO, 0, E_NONE, 0, false, -ENOMSG, false },
	{ "v4 destination unreachable", AF_INET, 0x1234, 7, ICMP_DEST_UNREACH, 1, E_NONE, 0, false, -ENOMSG, false },
	{ "v4 time exceeded", AF_INET, 0x1234, 7, ICMP_TIME_EXCEEDED, 0, E_NONE, 0, false, -ENOMSG, false },
	{ "v4 echo reply with a code", AF_INET, 0x1234, 7, REPLY4, 1, E_NONE, 0, false, -ENOMSG, false },
	{ "v4 bad checksum", AF_INET, 0x1234, 7, REPLY4, 0, E_BADSUM, 0, false, -EBADMSG, false },
	{ "v4 truncated to 7 bytes", AF_INET, 0x1234, 7, REPLY4, 0, E_TRUNC, 7, false, -EBADMSG, false },
	{ "v4 empty", AF_INET, 0x1234, 7, REPLY4, 0, E_EMPTY, 0, false, -EBADMSG, false },
	{ "v4 raw: echo reply after the IP header", AF_INET, 0x1234, 7, REPLY4, 0, E_IPHDR, 0, true, 0, true },
	{ "v4 raw: wrong seq after the IP header", AF_INET, 0x1234, 9, REPLY4, 0, E_IPHDR, 0, true, 0, false },
	{ "v4 raw: echo request after the IP header", AF_INET, 0x1234, 7, ICMP_ECHO, 0, E_IPHDR, 0, true, -ENOMSG,
		false },
	{ "v4 raw: IP header read as ICMP", AF_INET, 0x1234, 7, REPLY4, 0, E_IPHDR, 0, false, -EBADMSG, false },
	{ "v4 raw: header length past the end", AF_INET, 0x1234, 7, REPLY4, 0, E_IPHDR_IHL, 0, true, -EBADMSG, false },
	{ "v4 raw: not ICMP", AF_INET, 0x1234, 7, REPLY4, 0, E_IPHDR_PROTO, 0, true, -EBADMSG, false },
	{ "v4 raw: total length past the end", AF_INET, 0x1234, 7, REPLY4, 0, E_IPHDR_LEN, 0, true, -EBADMSG, false },
	{ "v4 raw: not IPv4", AF_INET, 0x1234, 7, REPLY4, 0, E_IPHDR_V6, 0, true, -EBADMSG, false },
	{ "v4 raw: truncated inside the IP header", AF_INET, 0x1234, 7, REPLY4, 0, E_TRUNC, 15, true, -EBADMSG,
		false },
	{ "v4 raw: truncated inside the ICMP header", AF_INET, 0x1234, 7, REPLY4, 0, E_TRUNC, 26, true, -EBADMSG,
		false },
	{ "v6 echo reply", AF_INET6, 0x1234, 7, REPLY6, 0, E_NONE, 0, false, 0, true },
	{ "v6 echo reply, wrong id", AF_INET6, 0x4321, 7, REPLY6, 0, E_NONE, 0, false, 0, false },
	{ "v6 echo reply, wrong seq", AF_INET6, 0x1234, 6, REPLY6, 0, E_NONE, 0, false, 0, false },
	{ "v6 echo request", AF_INET6, 0x1234, 7, ICMP6_ECHO_REQUEST, 0, E_NONE, 0, false, -ENOMSG, false },
	{ "v6 destination unreachable", AF_INET6, 0x1234, 7, ICMP6_DST_UNREACH, 4, E_NONE, 0, false, -ENOMSG,
		false },
	{ "v6 with the v4 echo reply type", AF_INET6, 0x1234, 7, REPLY4, 0, E_NONE, 0, false, -ENOMSG, false },
	{ "v6 truncated", AF_INET6, 0x1234, 7, REPLY6, 0, E_TRUNC, 6, false, -EBADMSG, false },
};

static size_t icmp_packet(const struct icmp_row *row, uint8_t *buf, size_t size)
{
	uint8_t icmp[64];
	size_t len = lns_probe_icmp_build_request(row->family, row->id, row->seq, icmp, sizeof(icmp));
	icmp[0] = row->type;
	icmp[1] = row->code;
	if (row->family == AF_INET) {
		icmp[2] = icmp[3] = 0;
		uint16_t c = csum(icmp, len);
		icmp[2] = (uint8_t)(c >> 8);
		icmp[3] = (uint8_t)c;
	}
	if (row->edit == E_BADSUM)
		icmp[3] ^= 0x55;
	size_t off = 0;
	if ((row->edit >= E_IPHDR && row->edit <= E_IPHDR_V6) || (row->edit == E_TRUNC && row->ip_header)) {
		memset(buf, 0, 20);
		buf[0] = 0x45;
		buf[2] = (uint8_t)((20 + len) >> 8);
		buf[3] = (uint8_t)(20 + len);
		buf[8] = 64;
		buf[9] = IPPROTO_ICMP;
		if (row->edit == E_IPHDR_IHL)
			buf[0] = 0x4F; /* 60 bytes of header */
		if (row->edit == E_IPHDR_PROTO)
			buf[9] = IPPROTO_UDP;
		if (row->edit == E_IPHDR_LEN)
			buf[3] = (uint8_t)(buf[3] + 1);
		if (row->edit == E_IPHDR_V6)
			buf[0] = 0x65;
		off = 20;
	}
	memcpy(buf + off, icmp, len);
	len += off;
	if (row->edit == E_TRUNC) {
		len = row->trunc;
		if (row->ip_header) { /* the IP header says what is there */
			buf[2] = (uint8_t)(len >> 8);
			buf[3] = (uint8_t)len;
		}
	}
	if (row->edit == E_EMPTY)
		len = 0;
	return len < size ? len : size;
}

static void run_icmp_row(const void *table, size_t i)
{
	const struct icmp_row *row = &((const struct icmp_row *)table)[i];
	uint8_t pkt[128];
	size_t len = icmp_packet(row, pkt, sizeof(pkt));
	uint16_t id = 0, seq = 0;
	int rc = lns_probe_icmp_parse_reply(row->family, row->ip_header, pkt, len, &id, &seq);
	T_CHECK(rc == row->rc, "%s: rc %d, expected %d", row->name, rc, row->rc);
	if (rc == 0)
		T_CHECK(id == row->id && seq == row->seq, "%s: id %#x seq %u", row->name, id, seq);
	bool reply = lns_probe_icmp_is_reply(row->family, row->ip_header, pkt, len, 0x1234, 7);
	T_CHECK(reply == row->reply, "%s: is_reply %d", row->name, reply);
}

static void test_icmp_build_request(void)
{
	uint8_t b[64];
	size_t len = lns_probe_icmp_build_request(AF_INET, 0xBEEF, 0x0102, b, sizeof(b));
	CU_ASSERT(len >= 16 && len <= 64);
	CU_ASSERT_EQUAL(b[0], ICMP_ECHO);
	CU_ASSERT_EQUAL(csum(b, len), 0); /* the checksum adds up */
	CU_ASSERT(b[4] == 0xBE && b[5] == 0xEF && b[6] == 0x01 && b[7] == 0x02);
	len = lns_probe_icmp_build_request(AF_INET6, 1, 2, b, sizeof(b));
	CU_ASSERT(len >= 16);
	CU_ASSERT_EQUAL(b[0], ICMP6_ECHO_REQUEST);
	CU_ASSERT_EQUAL(lns_probe_icmp_build_request(AF_INET, 1, 2, b, 8), 0); /* too small */
	uint16_t id, seq;
	CU_ASSERT_EQUAL(lns_probe_icmp_parse_reply(AF_INET, false, NULL, 0, &id, &seq), -EBADMSG);
}

/* ---- DNS answers ---- */

enum dns_msg { M_A, M_A_TWO, M_AAAA, M_TXT, M_CNAME, M_MX, M_NS, M_SERVFAIL, M_NXDOMAIN, M_QUERY, M_SHORT,
	M_TRUNC_RR, M_RDLEN_PAST, M_BAD_LABEL, M_LOOP, M_NO_QUESTION, M_TRUNC_QUESTION };

static size_t dns_msg(enum dns_msg k, msg_t *m)
{
	if (k == M_NO_QUESTION) {
		header(m, 0x4242, 0x8400, 0, 1);
		put8(m, 0); /* owned by the root */
		put16(m, 1);
		put16(m, 1);
		put16(m, 0);
		put16(m, 60);
		put16(m, 4);
		putn(m, "\xC0\x00\x02\x01", 4);
		return m->n;
	}
	header(m, 0x4242, 0x8400, 1, 1);
	putname(m, "www.example.test");
	put16(m, 1);
	put16(m, 1);
	switch (k) {
	case M_A: rr_a(m, 12, "192.0.2.1"); break;
	case M_A_TWO:
		m->b[7] = 2;
		rr_a(m, 12, "192.0.2.1");
		rr_a(m, 12, "192.0.2.2");
		break;
	case M_AAAA: {
		uint8_t a6[16];
		inet_pton(AF_INET6, "2001:db8::5", a6);
		rr(m, 12, 28, a6, 16);
		break;
	}
	case M_TXT: rr(m, 12, 16, "\x03v=1\x04 two", 9); break;
	case M_CNAME: rr_name(m, 12, 5, "Alias.Example.Net"); break;
	case M_NS: rr_name(m, 12, 2, "ns1.example.test"); break;
	case M_MX: {
		uint8_t rd[64] = { 0, 10 };
		size_t n = lns_test_dname("mail.example.test", rd + 2, sizeof(rd) - 2);
		rr(m, 12, 15, rd, n + 2);
		break;
	}
	case M_SERVFAIL: m->b[3] = 0x82; m->b[7] = 0; break;
	case M_NXDOMAIN: m->b[3] = 0x83; m->b[7] = 0; break;
	case M_QUERY: m->b[2] = 0x04; break;
	case M_SHORT: m->n = 11; break;
	case M_TRUNC_RR: rr_a(m, 12, "192.0.2.1"); m->n -= 5; break;
	case M_RDLEN_PAST: rr_a(m, 12, "192.0.2.1"); m->b[m->n - 5] = 9; break;
	case M_BAD_LABEL: m->b[12] = 0x80; break;
	case M_LOOP: {
		/* a CNAME whose name points at itself */
		size_t at = m->n + 12;
		uint8_t rd[2] = { (uint8_t)(0xC0 | at >> 8), (uint8_t)at };
		rr(m, 12, 5, rd, 2);
		break;
	}
	case M_NO_QUESTION: break;
	case M_TRUNC_QUESTION: m->n = 20; break;
	}
	return m->n;
}

static const struct judge_row {
	const char *name;
	enum dns_msg msg;
	unsigned rcode;
	const char *want;
	bool ok;
	const char *reason;
} judge_rows[] = {
	{ "rcode only", M_A, 0, NULL, true, "ok" },
	{ "A holds", M_A, 0, "192.0.2.1", true, "ok" },
	{ "A lacks", M_A, 0, "192.0.2.9", false, "answer lacks 192.0.2.9" },
	{ "the second A holds", M_A_TWO, 0, "192.0.2.2", true, "ok" },
	{ "A is not text", M_A, 0, "www.example.test", false, "answer lacks www.example.test" },
	{ "AAAA holds", M_AAAA, 0, "2001:db8:0::5", true, "ok" },
	{ "AAAA lacks", M_AAAA, 0, "2001:db8::6", false, "answer lacks 2001:db8::6" },
	{ "TXT joined holds", M_TXT, 0, "v=1 two", true, "ok" },
	{ "TXT part lacks", M_TXT, 0, "v=1", false, "answer lacks v=1" },
	{ "TXT longer lacks", M_TXT, 0, "v=1 two three", false, "answer lacks v=1 two three" },
	{ "CNAME without case and dot", M_CNAME, 0, "alias.example.net.", true, "ok" },
	{ "CNAME other name", M_CNAME, 0, "alias.example", false, "answer lacks alias.example" },
	{ "NS name", M_NS, 0, "ns1.example.test", true, "ok" },
	{ "MX name", M_MX, 0, "mail.example.test", true, "ok" },
	{ "SERVFAIL", M_SERVFAIL, 0, NULL, false, "rcode SERVFAIL" },
	{ "SERVFAIL wanted", M_SERVFAIL, 2, NULL, true, "ok" },
	{ "NXDOMAIN wanted, answer wanted", M_NXDOMAIN, 3, "192.0.2.1", false, "answer lacks 192.0.2.1" },
	{ "NOERROR when NXDOMAIN wanted", M_A, 3, NULL, false, "rcode NOERROR" },
	{ "a query, not a response", M_QUERY, 0, NULL, false, "bad response" },
	{ "shorter than a header", M_SHORT, 0, NULL, false, "bad response" },
	{ "truncated record", M_TRUNC_RR, 0, "192.0.2.1", false, "bad response" },
	{ "rdata past the end", M_RDLEN_PAST, 0, "192.0.2.1", false, "bad response" },
	{ "bad label type", M_BAD_LABEL, 0, "192.0.2.1", false, "bad response" },
	{ "compression loop", M_LOOP, 0, "x.example", false, "answer lacks x.example" },
	{ "no question", M_NO_QUESTION, 0, "192.0.2.1", true, "ok" },
	{ "truncated question", M_TRUNC_QUESTION, 0, "192.0.2.1", false, "bad response" },
};

static void run_judge_row(const void *table, size_t i)
{
	const struct judge_row *row = &((const struct judge_row *)table)[i];
	msg_t m;
	size_t n = dns_msg(row->msg, &m);
	/* An exact-size copy, so ASan sees any read past the end. */
	uint8_t *copy = malloc(n ? n : 1);
	memcpy(copy, m.b, n);
	char reason[LNS_REASON_MAX];
	bool ok = lns_probe_dns_judge(copy, n, row->rcode, row->want, reason, sizeof(reason));
	free(copy);
	T_CHECK(ok == row->ok, "%s: ok %d (%s)", row->name, ok, reason);
	T_CHECK(!strcmp(reason, row->reason), "%s: reason \"%s\", expected \"%s\"", row->name, reason, row->reason);
}

static void test_judge_truncates_reason_and_names_rcodes(void)
{
	char reason[LNS_REASON_MAX], want[300];
	memset(want, 'w', sizeof(want) - 1);
	want[sizeof(want) - 1] = '\0';
	msg_t m;
	size_t n = dns_msg(M_A, &m);
	CU_ASSERT_FALSE(lns_probe_dns_judge(m.b, n, 0, want, reason, sizeof(reason)));
	CU_ASSERT(strlen(reason) < sizeof(reason));
	CU_ASSERT(!strncmp(reason, "answer lacks www", 16));
	CU_ASSERT_FALSE(lns_probe_dns_judge(NULL, 0, 0, NULL, reason, sizeof(reason)));
	CU_ASSERT_STRING_EQUAL(reason, "bad response");
	CU_ASSERT_STRING_EQUAL(lns_probe_rcode_name(0), "NOERROR");
	CU_ASSERT_STRING_EQUAL(lns_probe_rcode_name(5), "REFUSED");
	CU_ASSERT_STRING_EQUAL(lns_probe_rcode_name(15), "RCODE15");
	CU_ASSERT_STRING_EQUAL(lns_probe_rcode_name(16), "RCODE?");
}

/* ---- curl's errors in short ---- */

static const struct reason_row {
	const char *name;
	int code;
	long os_errno;
	const char *errbuf;
	bool over;
	const char *reason; /* a prefix */
} reason_rows[] = {
	{ "timeout", CURLE_OPERATION_TIMEDOUT, 0, "", false, "timeout 400 ms" },
	{ "refused", CURLE_COULDNT_CONNECT, ECONNREFUSED, "", false, "connection refused" },
	{ "connect failed", CURLE_COULDNT_CONNECT, 0, "", false, "connect failed" },
	{ "unreachable", CURLE_COULDNT_CONNECT, EHOSTUNREACH, "", false, "connect: No route to host" },
	{ "body over", CURLE_WRITE_ERROR, 0, "", true, "body over 64 KiB" },
	{ "size over", CURLE_FILESIZE_EXCEEDED, 0, "", false, "body over 64 KiB" },
	{ "other write error", CURLE_WRITE_ERROR, 0, "", false, "Failed writing" },
	{ "reset by errno", CURLE_RECV_ERROR, ECONNRESET, "", false, "connection reset" },
	{ "reset by text", CURLE_RECV_ERROR, 0, "Recv failure: Connection reset by peer", false, "connection reset" },
	{ "receive failed", CURLE_RECV_ERROR, 0, "", false, "receive failed" },
	{ "send failed", CURLE_SEND_ERROR, 0, "", false, "send failed" },
	{ "empty reply", CURLE_GOT_NOTHING, 0, "", false, "empty reply" },
	{ "weird reply", CURLE_WEIRD_SERVER_REPLY, 0, "", false, "bad response" },
	{ "HTTP/0.9", CURLE_UNSUPPORTED_PROTOCOL, 0, "", false, "bad response" },
	{ "cut short", CURLE_PARTIAL_FILE, 0, "", false, "body cut short" },
	{ "tls handshake", CURLE_SSL_CONNECT_ERROR, 0, "", false, "tls handshake failed" },
	{ "tls reset", CURLE_SSL_CONNECT_ERROR, ECONNRESET, "", false, "connection reset" },
	{ "certificate", CURLE_PEER_FAILED_VERIFICATION, 0, "", false, "tls certificate not trusted" },
	{ "anything else", CURLE_OUT_OF_MEMORY, 0, "", false, "Out of memory" },
};

static void run_reason_row(const void *table, size_t i)
{
	const struct reason_row *row = &((const struct reason_row *)table)[i];
	char reason[LNS_REASON_MAX];
	lns_probe_http_reason(row->code, row->os_errno, row->errbuf, 400, row->over, reason, sizeof(reason));
	T_CHECK(!strncmp(reason, row->reason, strlen(row->reason)), "%s: \"%s\", expected \"%s\"", row->name, reason,
		row->reason);
}

/* ====================================================================== */

static int suite_init(void)
{
	lns_err_t err;
	loop = ev_loop_new(EVFLAG_AUTO);
	if (!loop || servers_start() != 0)
		return -1;
	env = lns_probe_env_new(loop, &err);
	if (!env) {
		fprintf(stderr, "unit_probe_drivers: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int suite_cleanup(void)
{
	lns_probe_env_free(env);
	env = NULL;
	run_for(NULL, 0, 20); /* let the servers see their clients go */
	servers_stop();
	ev_loop_destroy(loop);
	loop = NULL;
	return 0;
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	CU_pSuite s = CU_add_suite("live", suite_init, suite_cleanup);
	LNS_TEST_ADD_ROWS(s, "", live_rows, run_live_row);
	CU_add_test(s, "bad targets fail, later", test_bad_targets_fail_later);
	CU_add_test(s, "cancel prevents the callback", test_cancel_prevents_callback);
	CU_add_test(s, "a hanging member holds up nobody", test_probes_run_side_by_side);
	CU_add_test(s, "env_free with outstanding probes", test_env_free_with_outstanding_probes);
	CU_add_test(s, "env_free from inside a callback", test_env_free_from_callback);
	CU_add_test(s, "icmp to 127.0.0.1 and ::1", test_icmp_loopback);
	CU_add_test(s, "https to openssl s_server", test_https);

	s = CU_add_suite("load values", NULL, NULL);
	LNS_TEST_ADD_ROWS(s, "", load_rows, run_load_row);
	CU_add_test(s, "NULL body", test_load_null);

	s = CU_add_suite("icmp packets", NULL, NULL);
	LNS_TEST_ADD_ROWS(s, "", icmp_rows, run_icmp_row);
	CU_add_test(s, "echo request", test_icmp_build_request);

	s = CU_add_suite("dns answers", NULL, NULL);
	LNS_TEST_ADD_ROWS(s, "", judge_rows, run_judge_row);
	CU_add_test(s, "long reasons are cut, rcodes named", test_judge_truncates_reason_and_names_rcodes);

	s = CU_add_suite("curl errors", NULL, NULL);
	LNS_TEST_ADD_ROWS(s, "", reason_rows, run_reason_row);

	if (CU_get_error() != CUE_SUCCESS) {
		fprintf(stderr, "unit_probe_drivers: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	return lns_test_run();
}
