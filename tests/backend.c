/*
 * backend: a member server for the integration tests and benchmarks, which a
 * test switches between behaviours at run time (up, refuse, blackhole, slow,
 * flaky, garbage, endless, status N, ...) to exercise levelnsd's probes.
 *
 * One process, one libev loop, every socket non-blocking. It serves a plain
 * TCP port, HTTP/1.1 (/health, /load) and DNS over UDP on each -a address,
 * and takes one-line commands on a control port on 127.0.0.1 (or a FIFO).
 * tests/backend.md describes the options, the modes and the control protocol.
 *
 *   backend [-a ADDR]... [--tcp PORT] [--http PORT] [--dns PORT]
 *           [--control PORT] [--control-fifo PATH] [--load N] [--mode MODE]
 *           [--answer ADDR]... [--ready-fd N] [--seed N]
 *   backend ctl PORT COMMAND...      send one command, print the answer
 *
 * Memory is bounded per connection (fixed buffers, no queues), and delayed
 * DNS answers are capped in number, so no input makes it grow without limit.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_ADDRS 4
#define MAX_ANSWERS 8
#define MAX_PENDING 4096 /* delayed DNS answers held at once */
#define IN_MAX 2048 /* HTTP request head or control line */
#define OUT_MAX 1024 /* one HTTP response head+body or control answers */
#define DNS_OUT 512
#define ACCEPT_BATCH 64
#define HEAD_TIMEOUT 10.0 /* s to send a complete HTTP request head */
#define LINGER_TIMEOUT 2.0 /* s to wait for the peer's FIN after our answer */
#define TCP_OPEN_TIME 1.0 /* s a plain TCP connection stays open in mode up */

enum kind { K_TCP, K_HTTP, K_DNS, NKIND };
static const char *const kind_name[NKIND] = { "tcp", "http", "dns" };

enum mode { M_UP, M_REFUSE, M_BLACKHOLE, M_BLACKHOLE_HTTP, M_SLOW, M_FLAKY, M_GARBAGE, M_ENDLESS, M_STATUS, M_RCODE };
static const struct {
	const char *name;
	bool has_arg;
	long min, max;
	unsigned kinds; /* services it may be set on alone (bit per kind) */
} modes[] = {
	[M_UP] = { "up", false, 0, 0, 7 },
	[M_REFUSE] = { "refuse", false, 0, 0, 7 },
	[M_BLACKHOLE] = { "blackhole", false, 0, 0, 7 },
	[M_BLACKHOLE_HTTP] = { "blackhole-http", false, 0, 0, 7 },
	[M_SLOW] = { "slow", true, 0, 3600000, 7 },
	[M_FLAKY] = { "flaky", true, 0, 100, 7 },
	[M_GARBAGE] = { "garbage", false, 0, 0, 7 },
	[M_ENDLESS] = { "endless", false, 0, 0, 1 << K_TCP | 1 << K_HTTP },
	[M_STATUS] = { "status", true, 100, 999, 1 << K_HTTP },
	[M_RCODE] = { "rcode", true, 0, 15, 1 << K_DNS },
};
#define NMODES (sizeof(modes) / sizeof(modes[0]))

struct mode_set {
	enum mode mode;
	long arg;
};

/* What a service does with one request (a connection for plain TCP). */
enum action { A_ANSWER, A_DELAY, A_CLOSE, A_HOLD, A_JUNK, A_STREAM };

struct addr {
	int family;
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
};

struct svc;
struct listener {
	ev_io io;
	int fd;
	int index; /* into g.addr */
	struct svc *svc; /* NULL: the control listener */
};

struct svc {
	enum kind kind;
	int port;
	struct mode_set m;
	bool refused; /* sockets unlistened (TCP) or connected to themselves (UDP) */
	struct listener ls[MAX_ADDRS];
	unsigned long served, failed, flaky_fails;
};

enum cstate { C_READ, C_WAIT, C_OPEN, C_HOLD, C_SEND, C_STREAM, C_LINGER };
enum route { R_NONE, R_HEALTH, R_LOAD, R_NOTFOUND, R_METHOD, R_BAD, R_TOOBIG };

struct conn {
	struct conn *prev, *next;
	int fd;
	struct svc *svc; /* NULL: a control connection */
	enum cstate state;
	enum route route;
	bool head_only, stream_after, quit_after, reading;
	ev_io rio, wio;
	ev_timer timer;
	size_t inlen, outlen, outoff;
	char in[IN_MAX];
	char out[OUT_MAX];
};

struct pend {
	struct pend *prev, *next;
	ev_timer timer;
	struct svc *svc;
	int index;
	struct sockaddr_storage peer;
	socklen_t peer_len;
	size_t len;
	uint8_t pkt[DNS_OUT];
};

static struct {
	struct ev_loop *loop;
	struct addr addr[MAX_ADDRS];
	int naddr;
	struct svc svc[NKIND];
	long load;
	struct addr answer[MAX_ANSWERS];
	int nanswer;
	uint64_t rng;
	struct conn *conns;
	unsigned long nconns; /* service connections, not control */
	struct pend *pends;
	unsigned npend;
	struct listener ctl;
	int ctl_port;
	ev_timer resume;
	const char *fifo_path;
	bool fifo_made;
	int fifo_fd;
	ev_io fifo_io;
	char fifo_buf[IN_MAX];
	size_t fifo_len;
	ev_signal sigterm, sigint;
} g;

static char stream_chunk[16384];
static const char junk[] = "\x16\x03\x01\x00\xff garbage, not HTTP \x00\x01\x02\xfe\xfd\r\n\r\n";

static void conn_free(struct conn *c);
static bool conn_flush(struct conn *c);
static void svc_watch(struct svc *s);

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("backend: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void *xcalloc(size_t size)
{
	void *p = calloc(1, size);
	if (!p)
		die("out of memory");
	return p;
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

static bool parse_addr(const char *s, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->u.v4) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, s, &a->u.v6) == 1)
		a->family = AF_INET6;
	return a->family != 0;
}

static bool is_loopback(const struct addr *a)
{
	if (a->family == AF_INET)
		return (ntohl(a->u.v4.s_addr) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&a->u.v6);
}

static const char *addr_str(const struct addr *a, char *buf, size_t cap)
{
	return inet_ntop(a->family, &a->u, buf, (socklen_t)cap);
}

static socklen_t make_sockaddr(const struct addr *a, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		s4->sin_addr = a->u.v4;
		return sizeof(*s4);
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons((uint16_t)port);
	s6->sin6_addr = a->u.v6;
	return sizeof(*s6);
}

/* xorshift64*: reproducible with --seed, good enough for coin flips. */
static uint64_t rnd(void)
{
	uint64_t x = g.rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	g.rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* ---- listening sockets ---- */

/* A socket bound to addr@port (TCP listening); -1 with errno on failure. */
static int bind_one(const struct addr *a, int port, int type)
{
	struct sockaddr_storage ss;
	socklen_t len = make_sockaddr(a, port, &ss);
	int fd = socket(a->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	int one = 1;
	if (type == SOCK_STREAM)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a->family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 || (type == SOCK_STREAM && listen(fd, SOMAXCONN) == -1)) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

/*
 * Binds every address on one port. Port 0 lets the kernel pick one for the
 * first address, which is then bound again explicitly: a socket bound to an
 * explicit port keeps it while unlistened in mode refuse, so switching back
 * to up never races another process for the port.
 */
static void svc_open(struct svc *s, void (*cb)(struct ev_loop *, ev_io *, int))
{
	int type = s->kind == K_DNS ? SOCK_DGRAM : SOCK_STREAM;
	for (int attempt = 0; attempt < 50; attempt++) {
		int port = s->port, i;
		if (port == 0) {
			int fd = bind_one(&g.addr[0], 0, type);
			if (fd == -1)
				break;
			port = bound_port(fd);
			close(fd);
		}
		for (i = 0; i < g.naddr; i++)
			if ((s->ls[i].fd = bind_one(&g.addr[i], port, type)) == -1)
				break;
		if (i == g.naddr) {
			s->port = port;
			for (i = 0; i < g.naddr; i++) {
				s->ls[i].svc = s;
				s->ls[i].index = i;
				ev_io_init(&s->ls[i].io, cb, s->ls[i].fd, EV_READ);
				s->ls[i].io.data = &s->ls[i];
			}
			return;
		}
		int e = errno;
		while (i-- > 0)
			close(s->ls[i].fd);
		errno = e;
		if (s->port != 0 || errno != EADDRINUSE)
			break;
	}
	die("%s: cannot listen on port %d: %s", kind_name[s->kind], s->port, strerror(errno));
}

/*
 * Mode refuse without giving the port up: a TCP socket connected to AF_UNSPEC
 * stops listening (connects get RST) but stays bound; a UDP socket connected
 * to itself drops everyone else's datagrams with ICMP port unreachable.
 */
static int refuse_one(struct svc *s, int i, bool refuse)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = s->ls[i].fd;
	if (!refuse && s->kind != K_DNS)
		return listen(fd, SOMAXCONN);
	if (refuse && s->kind == K_DNS) {
		char buf[512];
		len = make_sockaddr(&g.addr[i], s->port, &ss);
		if (connect(fd, (struct sockaddr *)&ss, len) == -1)
			return -1;
		while (recv(fd, buf, sizeof(buf), 0) != -1 || errno == EINTR)
			; /* what was queued before is not answered later */
		return 0;
	}
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNSPEC;
	len = sizeof(ss);
	return connect(fd, (struct sockaddr *)&ss, len);
}

static int svc_refuse(struct svc *s, bool refuse, char *err, size_t cap)
{
	if (s->refused == refuse)
		return 0;
	for (int i = 0; i < g.naddr; i++) {
		ev_io_stop(g.loop, &s->ls[i].io);
		if (refuse_one(s, i, refuse) == -1) {
			snprintf(err, cap, "%s: %s: %s", kind_name[s->kind], refuse ? "unlisten" : "listen", strerror(errno));
			return -1;
		}
	}
	s->refused = refuse;
	return 0;
}

/* Starts or stops the accept/read watchers as the mode wants. */
static void svc_watch(struct svc *s)
{
	bool on = !s->refused &&
		(s->kind == K_DNS || (s->m.mode != M_BLACKHOLE && !ev_is_active(&g.resume)));
	for (int i = 0; i < g.naddr; i++)
		if (on)
			ev_io_start(g.loop, &s->ls[i].io);
		else
			ev_io_stop(g.loop, &s->ls[i].io);
}

static void svc_close(struct svc *s)
{
	for (int i = 0; i < g.naddr; i++) {
		ev_io_stop(g.loop, &s->ls[i].io);
		close(s->ls[i].fd);
	}
}

/* Out of descriptors: stop accepting everywhere for a moment instead of spinning. */
static void accept_pause(void)
{
	if (ev_is_active(&g.resume))
		return;
	ev_timer_set(&g.resume, 0.1, 0);
	ev_timer_start(g.loop, &g.resume);
	for (int k = 0; k < NKIND; k++)
		if (k != K_DNS)
			svc_watch(&g.svc[k]);
	ev_io_stop(g.loop, &g.ctl.io);
}

static void resume_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	for (int k = 0; k < NKIND; k++)
		svc_watch(&g.svc[k]);
	if (g.ctl_port > 0)
		ev_io_start(loop, &g.ctl.io);
}

/* ---- modes ---- */

static enum action decide(struct svc *s)
{
	switch (s->m.mode) {
	case M_REFUSE:
		return A_CLOSE;
	case M_BLACKHOLE:
	case M_BLACKHOLE_HTTP:
		return A_HOLD;
	case M_SLOW:
		return A_DELAY;
	case M_GARBAGE:
		return A_JUNK;
	case M_ENDLESS:
		return s->kind == K_DNS ? A_ANSWER : A_STREAM;
	case M_FLAKY:
		if ((long)(rnd() % 100) >= s->m.arg)
			return A_ANSWER;
		return s->flaky_fails++ % 2 ? A_HOLD : A_CLOSE;
	default:
		return A_ANSWER;
	}
}

/* "slow 200", "slow:200" or "slow=200" (the last two for --mode). */
static int parse_mode(const char *name, const char *arg, struct mode_set *m, char *err, size_t cap)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", name);
	char *sep = strpbrk(buf, ":=");
	if (sep) {
		*sep = '\0';
		if (arg) {
			snprintf(err, cap, "too many arguments");
			return -1;
		}
		arg = sep + 1;
	}
	for (size_t i = 0; i < NMODES; i++) {
		if (strcmp(buf, modes[i].name) != 0)
			continue;
		m->mode = (enum mode)i;
		m->arg = 0;
		if (modes[i].has_arg != (arg != NULL)) {
			snprintf(err, cap, modes[i].has_arg ? "mode %s needs a number" : "mode %s takes no argument", buf);
			return -1;
		}
		if (arg && !parse_long(arg, modes[i].min, modes[i].max, &m->arg)) {
			snprintf(err, cap, "%s: '%s' is not a number in %ld..%ld", buf, arg, modes[i].min, modes[i].max);
			return -1;
		}
		return 0;
	}
	snprintf(err, cap, "unknown mode '%s'", buf);
	return -1;
}

static int svc_set_mode(struct svc *s, struct mode_set m, char *err, size_t cap)
{
	if (svc_refuse(s, m.mode == M_REFUSE, err, cap) != 0) {
		svc_watch(s);
		return -1;
	}
	s->m = m;
	svc_watch(s);
	return 0;
}

static const char *mode_str(const struct mode_set *m, char *buf, size_t cap)
{
	if (modes[m->mode].has_arg)
		snprintf(buf, cap, "%s:%ld", modes[m->mode].name, m->arg);
	else
		snprintf(buf, cap, "%s", modes[m->mode].name);
	return buf;
}

/* ---- connections ---- */

static void conn_read_cb(struct ev_loop *loop, ev_io *w, int revents);
static void conn_write_cb(struct ev_loop *loop, ev_io *w, int revents);
static void conn_timer_cb(struct ev_loop *loop, ev_timer *w, int revents);

static struct conn *conn_new(int fd, struct svc *s)
{
	struct conn *c = xcalloc(sizeof(*c));
	c->fd = fd;
	c->svc = s;
	ev_io_init(&c->rio, conn_read_cb, fd, EV_READ);
	ev_io_init(&c->wio, conn_write_cb, fd, EV_WRITE);
	ev_init(&c->timer, conn_timer_cb);
	c->rio.data = c->wio.data = c->timer.data = c;
	c->next = g.conns;
	if (g.conns)
		g.conns->prev = c;
	g.conns = c;
	g.nconns += s != NULL;
	c->reading = true;
	ev_io_start(g.loop, &c->rio);
	return c;
}

static void conn_free(struct conn *c)
{
	ev_io_stop(g.loop, &c->rio);
	ev_io_stop(g.loop, &c->wio);
	ev_timer_stop(g.loop, &c->timer);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		g.conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	g.nconns -= c->svc != NULL;
	free(c);
}

static void conn_timer(struct conn *c, double seconds)
{
	ev_timer_stop(g.loop, &c->timer);
	ev_timer_set(&c->timer, seconds, 0);
	ev_timer_start(g.loop, &c->timer);
}

static void conn_put(struct conn *c, const void *data, size_t len)
{
	if (len > sizeof(c->out) - c->outlen)
		len = sizeof(c->out) - c->outlen;
	memcpy(c->out + c->outlen, data, len);
	c->outlen += len;
}

/*
 * After our answer: half-close, then wait briefly for the peer's FIN so that
 * unread input does not turn into a RST. False when c is freed.
 */
static bool conn_linger(struct conn *c)
{
	if (!c->reading) {
		conn_free(c);
		return false;
	}
	shutdown(c->fd, SHUT_WR);
	c->state = C_LINGER;
	conn_timer(c, LINGER_TIMEOUT);
	return true;
}

static void stream_more(struct conn *c)
{
	ssize_t n = send(c->fd, stream_chunk, sizeof(stream_chunk), MSG_NOSIGNAL);
	if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		conn_free(c);
}

static bool after_flush(struct conn *c)
{
	ev_io_stop(g.loop, &c->wio);
	c->outlen = c->outoff = 0;
	if (!c->svc) {
		if (c->quit_after)
			ev_break(g.loop, EVBREAK_ALL);
		return true;
	}
	if (c->stream_after) {
		c->state = C_STREAM;
		ev_io_start(g.loop, &c->wio);
		return true;
	}
	return conn_linger(c);
}

/* Sends what is buffered; false when the connection is gone. */
static bool conn_flush(struct conn *c)
{
	while (c->outoff < c->outlen) {
		ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				ev_io_start(g.loop, &c->wio);
				return true;
			}
			conn_free(c);
			return false;
		}
		c->outoff += (size_t)n;
	}
	return after_flush(c);
}

static void conn_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct conn *c = w->data;
	if (c->state == C_STREAM)
		stream_more(c);
	else
		conn_flush(c);
}

/* ---- plain TCP ---- */

static void tcp_act(struct conn *c, enum action a)
{
	struct svc *s = c->svc;
	switch (a) {
	case A_CLOSE:
		s->failed++;
		conn_free(c);
		return;
	case A_HOLD:
		s->failed++;
		c->state = C_HOLD;
		return;
	case A_JUNK:
		s->failed++;
		c->state = C_SEND;
		conn_put(c, junk, sizeof(junk) - 1);
		conn_flush(c);
		return;
	case A_STREAM:
		s->failed++;
		c->stream_after = true;
		conn_flush(c);
		return;
	case A_DELAY:
		c->state = C_WAIT;
		conn_timer(c, (double)s->m.arg / 1000.0);
		return;
	case A_ANSWER:
		s->served++;
		c->state = C_OPEN;
		conn_timer(c, TCP_OPEN_TIME);
		return;
	}
}

/* ---- HTTP ---- */

static const char *reason(int status)
{
	static const struct {
		int code;
		const char *text;
	} r[] = { { 200, "OK" }, { 204, "No Content" }, { 301, "Moved Permanently" }, { 302, "Found" },
		{ 304, "Not Modified" }, { 400, "Bad Request" }, { 403, "Forbidden" }, { 404, "Not Found" },
		{ 405, "Method Not Allowed" }, { 429, "Too Many Requests" }, { 431, "Request Header Fields Too Large" },
		{ 500, "Internal Server Error" }, { 502, "Bad Gateway" }, { 503, "Service Unavailable" },
		{ 504, "Gateway Timeout" } };
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		if (r[i].code == status)
			return r[i].text;
	return "Status";
}

static void http_respond(struct conn *c)
{
	static const int codes[] = { [R_HEALTH] = 200, [R_LOAD] = 200, [R_NOTFOUND] = 404, [R_METHOD] = 405,
		[R_BAD] = 400, [R_TOOBIG] = 431 };
	static const char *const bodies[] = { [R_HEALTH] = "ok\n", [R_NOTFOUND] = "not found\n",
		[R_METHOD] = "method not allowed\n", [R_BAD] = "bad request\n", [R_TOOBIG] = "request head too large\n" };
	bool bad = c->route == R_BAD || c->route == R_TOOBIG;
	struct svc *s = c->svc;
	char load[32];
	int status = codes[c->route];
	const char *body = bodies[c->route];
	if (c->route == R_LOAD) {
		snprintf(load, sizeof(load), "%ld\n", g.load);
		body = load;
	}
	if (s->m.mode == M_STATUS && !bad)
		status = (int)s->m.arg;
	if (status < 200 || status == 204 || status == 304)
		body = "";
	if (bad)
		s->failed++;
	else
		s->served++;
	int n = snprintf(c->out, sizeof(c->out),
		"HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s", status,
		reason(status), strlen(body), c->head_only ? "" : body);
	c->outlen = n < 0 ? 0 : (size_t)n < sizeof(c->out) ? (size_t)n : sizeof(c->out) - 1;
	c->outoff = 0;
	c->state = C_SEND;
	conn_flush(c);
}

/* Parses the request line of the complete head in c->in into c->route. */
static void http_route(struct conn *c)
{
	char *line = c->in, *eol = memchr(c->in, '\n', c->inlen);
	*eol = '\0';
	char *sp1 = strchr(line, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp1 || !sp2 || sp1 == line || sp2 == sp1 + 1 || strncmp(sp2 + 1, "HTTP/1.", 7) != 0) {
		c->route = R_BAD;
		return;
	}
	*sp1 = *sp2 = '\0';
	char *path = sp1 + 1;
	path[strcspn(path, "?#")] = '\0';
	c->head_only = strcmp(line, "HEAD") == 0;
	if (strcmp(line, "GET") != 0 && !c->head_only)
		c->route = R_METHOD;
	else if (strcmp(path, "/health") == 0)
		c->route = R_HEALTH;
	else if (strcmp(path, "/load") == 0)
		c->route = R_LOAD;
	else
		c->route = R_NOTFOUND;
}

static void http_request(struct conn *c, enum route bad)
{
	static const char stream_head[] =
		"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n";
	struct svc *s = c->svc;
	if (bad != R_NONE)
		c->route = bad;
	else
		http_route(c);
	ev_timer_stop(g.loop, &c->timer);
	enum action a = bad != R_NONE ? A_ANSWER : decide(s);
	switch (a) {
	case A_ANSWER:
		http_respond(c);
		return;
	case A_DELAY:
		c->state = C_WAIT;
		conn_timer(c, (double)s->m.arg / 1000.0);
		return;
	case A_STREAM:
		c->stream_after = true;
		conn_put(c, stream_head, sizeof(stream_head) - 1);
		break;
	case A_JUNK:
		conn_put(c, junk, sizeof(junk) - 1);
		break;
	case A_HOLD:
		s->failed++;
		c->state = C_HOLD;
		return;
	case A_CLOSE:
		s->failed++;
		conn_free(c);
		return;
	}
	s->failed++;
	c->state = C_SEND;
	conn_flush(c);
}

/* Reads the request head; false when the connection is gone or answered. */
static bool http_read(struct conn *c)
{
	ssize_t n = read(c->fd, c->in + c->inlen, sizeof(c->in) - 1 - c->inlen);
	if (n == -1 && errno == EINTR)
		return true;
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return false;
	if (n <= 0) {
		conn_free(c);
		return false;
	}
	size_t from = c->inlen > 3 ? c->inlen - 3 : 0;
	bool nul = memchr(c->in + c->inlen, '\0', (size_t)n) != NULL;
	c->inlen += (size_t)n;
	c->in[c->inlen] = '\0';
	if (!nul && !strstr(c->in + from, "\r\n\r\n") && !strstr(c->in + from, "\n\n") &&
		c->inlen < sizeof(c->in) - 1)
		return true;
	http_request(c, nul ? R_BAD : c->inlen == sizeof(c->in) - 1 ? R_TOOBIG : R_NONE);
	return false;
}

/* ---- control commands ---- */

static void render_stats(char *ans, size_t cap)
{
	const struct svc *s = g.svc;
	snprintf(ans, cap,
		"tcp_served=%lu tcp_failed=%lu http_served=%lu http_failed=%lu dns_served=%lu dns_failed=%lu "
		"conns=%lu pending=%u\n",
		s[0].served, s[0].failed, s[1].served, s[1].failed, s[2].served, s[2].failed, g.nconns, g.npend);
}

static void render_show(char *ans, size_t cap)
{
	char m[3][32], a[MAX_ANSWERS * 48] = "default";
	size_t off = 0;
	for (int i = 0; i < g.nanswer; i++) {
		char buf[INET6_ADDRSTRLEN];
		off += (size_t)snprintf(a + off, sizeof(a) - off, "%s%s", i ? "," : "", addr_str(&g.answer[i], buf, sizeof(buf)));
	}
	snprintf(ans, cap, "tcp=%s http=%s dns=%s load=%ld answer=%s ports=%d,%d,%d\n",
		mode_str(&g.svc[0].m, m[0], sizeof(m[0])), mode_str(&g.svc[1].m, m[1], sizeof(m[1])),
		mode_str(&g.svc[2].m, m[2], sizeof(m[2])), g.load, a, g.svc[0].port, g.svc[1].port, g.svc[2].port);
}

static void cmd_mode(char **tok, int n, char *ans, size_t cap)
{
	int first = 1, target = -1;
	char err[160];
	for (int k = 0; k < NKIND && n > 1; k++)
		if (strcmp(tok[1], kind_name[k]) == 0)
			target = k;
	if (n > 1 && (target >= 0 || strcmp(tok[1], "all") == 0))
		first = 2;
	if (n - first == 2 && strcmp(tok[first], "load") == 0) {
		if (!parse_long(tok[first + 1], -1000000000L, 1000000000L, &g.load))
			snprintf(ans, cap, "error: load: '%s' is not a number\n", tok[first + 1]);
		else
			snprintf(ans, cap, "ok\n");
		return;
	}
	struct mode_set m;
	if (n - first < 1 || n - first > 2) {
		snprintf(ans, cap, "error: usage: mode [tcp|http|dns|all] MODE [ARG]\n");
		return;
	}
	if (parse_mode(tok[first], n - first == 2 ? tok[first + 1] : NULL, &m, err, sizeof(err)) != 0) {
		snprintf(ans, cap, "error: %s\n", err);
		return;
	}
	if (target >= 0 && !(modes[m.mode].kinds & 1u << target)) {
		snprintf(ans, cap, "error: mode %s does not apply to %s\n", modes[m.mode].name, kind_name[target]);
		return;
	}
	snprintf(ans, cap, "ok\n");
	for (int k = 0; k < NKIND; k++)
		if ((target < 0 || target == k) && svc_set_mode(&g.svc[k], m, err, sizeof(err)) != 0)
			snprintf(ans, cap, "error: %s\n", err);
}

static void cmd_answer(char **tok, int n, char *ans, size_t cap)
{
	struct addr a[MAX_ANSWERS];
	if (n == 2 && strcmp(tok[1], "default") == 0) {
		g.nanswer = 0;
		snprintf(ans, cap, "ok\n");
		return;
	}
	if (n < 2 || n - 1 > MAX_ANSWERS) {
		snprintf(ans, cap, "error: usage: answer default | answer ADDR... (at most %d)\n", MAX_ANSWERS);
		return;
	}
	for (int i = 1; i < n; i++)
		if (!parse_addr(tok[i], &a[i - 1])) {
			snprintf(ans, cap, "error: answer: '%s' is not an IP address\n", tok[i]);
			return;
		}
	memcpy(g.answer, a, sizeof(a[0]) * (size_t)(n - 1));
	g.nanswer = n - 1;
	snprintf(ans, cap, "ok\n");
}

/* Runs one command line; writes a one-line answer into ans ("" for a blank line). True: quit. */
static bool command(char *line, char *ans, size_t cap)
{
	char *tok[16], *save = NULL;
	int n = 0;
	for (char *t = strtok_r(line, " \t\r", &save); t && n < 16; t = strtok_r(NULL, " \t\r", &save))
		tok[n++] = t;
	ans[0] = '\0';
	if (n == 0)
		return false;
	if (strcmp(tok[0], "mode") == 0)
		cmd_mode(tok, n, ans, cap);
	else if (strcmp(tok[0], "load") == 0 && n == 2) {
		tok[0] = "mode";
		tok[2] = tok[1];
		tok[1] = "load";
		cmd_mode(tok, 3, ans, cap);
	} else if (strcmp(tok[0], "answer") == 0)
		cmd_answer(tok, n, ans, cap);
	else if (strcmp(tok[0], "stats") == 0 && n == 1)
		render_stats(ans, cap);
	else if (strcmp(tok[0], "show") == 0 && n == 1)
		render_show(ans, cap);
	else if (strcmp(tok[0], "reset") == 0 && n == 1) {
		for (int k = 0; k < NKIND; k++)
			g.svc[k].served = g.svc[k].failed = 0;
		snprintf(ans, cap, "ok\n");
	} else if ((strcmp(tok[0], "ping") == 0 || strcmp(tok[0], "quit") == 0) && n == 1) {
		snprintf(ans, cap, "ok\n");
		return tok[0][0] == 'q';
	} else if (strcmp(tok[0], "help") == 0)
		snprintf(ans, cap, "ok commands: mode [tcp|http|dns|all] up|refuse|blackhole|blackhole-http|slow MS|"
				   "flaky PCT|garbage|endless|status N|rcode N; load N; answer default|ADDR...; "
				   "stats; show; reset; ping; quit\n");
	else
		snprintf(ans, cap, "error: unknown command '%s' (try help)\n", tok[0]);
	return false;
}

/*
 * Runs every complete line in buf; answers go to c, or to stderr when c is
 * NULL (the FIFO). Returns false when c was closed.
 */
static bool run_lines(char *buf, size_t *len, size_t cap, struct conn *c)
{
	char *nl;
	while ((nl = memchr(buf, '\n', *len))) {
		char ans[512];
		*nl = '\0';
		size_t used = (size_t)(nl - buf) + 1;
		bool quit = command(buf, ans, sizeof(ans));
		if (c) {
			if (strlen(ans) > sizeof(c->out) - c->outlen) {
				conn_free(c);
				return false;
			}
			conn_put(c, ans, strlen(ans));
			c->quit_after |= quit;
		} else {
			if (ans[0])
				fprintf(stderr, "backend: control: %s", ans);
			if (quit)
				ev_break(g.loop, EVBREAK_ALL);
		}
		memmove(buf, buf + used, *len - used);
		*len -= used;
	}
	if (*len == cap) {
		if (c) {
			static const char toolong[] = "error: line too long\n";
			send(c->fd, toolong, sizeof(toolong) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			conn_free(c);
			return false;
		}
		fprintf(stderr, "backend: control: error: line too long\n");
		*len = 0;
	}
	return c ? conn_flush(c) : true;
}

/* ---- reading, for every kind of connection ---- */

/* Discards input; false when the peer closed or failed (c is freed). */
static bool discard(struct conn *c)
{
	char buf[4096];
	for (int i = 0; i < 16; i++) {
		ssize_t n = read(c->fd, buf, sizeof(buf));
		if (n > 0)
			continue;
		if (n == -1 && (errno == EINTR))
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (n == 0 && c->state == C_WAIT) {
			/* A half-closed client may still wait for the delayed answer. */
			ev_io_stop(g.loop, &c->rio);
			c->reading = false;
			return true;
		}
		conn_free(c);
		return false;
	}
	return true;
}

static void conn_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct conn *c = w->data;
	if (!c->svc) {
		ssize_t n = read(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
		if (n == 0 || (n == -1 && errno != EINTR && errno != EAGAIN)) {
			conn_free(c);
			return;
		}
		if (n > 0) {
			c->inlen += (size_t)n;
			run_lines(c->in, &c->inlen, sizeof(c->in), c);
		}
		return;
	}
	if (c->svc->kind == K_HTTP && c->state == C_READ) {
		for (int i = 0; i < 4 && http_read(c); i++)
			;
		return;
	}
	discard(c);
}

static void conn_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct conn *c = w->data;
	switch (c->state) {
	case C_READ: /* no complete request head in time; in blackhole modes the hold is the answer */
		if (c->svc->m.mode == M_BLACKHOLE || c->svc->m.mode == M_BLACKHOLE_HTTP)
			conn_timer(c, HEAD_TIMEOUT);
		else
			conn_free(c);
		return;
	case C_WAIT:
		if (c->svc->kind == K_HTTP) {
			http_respond(c);
			return;
		}
		c->svc->served++;
		c->state = C_OPEN;
		conn_timer(c, TCP_OPEN_TIME);
		return;
	case C_OPEN:
		conn_linger(c);
		return;
	default:
		conn_free(c);
		return;
	}
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct listener *l = w->data;
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
				continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
				accept_pause();
			return;
		}
		struct conn *c = conn_new(fd, l->svc);
		if (!l->svc)
			continue;
		if (l->svc->kind == K_TCP)
			tcp_act(c, decide(l->svc));
		else
			conn_timer(c, HEAD_TIMEOUT);
	}
}

/* ---- DNS ---- */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* End of the single question of q, or 0 if it is malformed. */
static size_t question_end(const uint8_t *q, size_t n)
{
	size_t off = 12, name = 0;
	for (;;) {
		if (off >= n)
			return 0;
		unsigned len = q[off];
		if (len == 0)
			break;
		if (len > 63 || (name += len + 1) > 254)
			return 0;
		off += 1 + len;
	}
	off++;
	return off + 4 <= n ? off + 4 : 0;
}

/* Appends the answer RRs for qtype; returns the number added. */
static unsigned dns_answers(uint8_t *out, size_t *off, size_t cap, unsigned qtype, int index)
{
	const struct addr *list = g.nanswer ? g.answer : &g.addr[index];
	int n = g.nanswer ? g.nanswer : 1;
	unsigned count = 0;
	for (int i = 0; i < n; i++) {
		int type = list[i].family == AF_INET ? 1 : 28;
		size_t rdlen = type == 1 ? 4 : 16;
		if ((qtype != (unsigned)type && qtype != 255) || *off + 12 + rdlen > cap)
			continue;
		uint8_t *p = out + *off;
		put16(p, 0xc00c);
		put16(p + 2, (unsigned)type);
		put16(p + 4, 1);
		put16(p + 6, 0);
		put16(p + 8, 5); /* TTL */
		put16(p + 10, (unsigned)rdlen);
		memcpy(p + 12, &list[i].u, rdlen);
		*off += 12 + rdlen;
		count++;
	}
	return count;
}

/*
 * Builds the response to query q into out (DNS_OUT bytes). Returns its length,
 * 0 to stay silent; *good tells whether it is a proper answer.
 */
static size_t dns_build(const uint8_t *q, size_t n, struct svc *s, enum action a, int index, uint8_t *out, bool *good)
{
	*good = false;
	if (n < 12 || (q[2] & 0x80))
		return 0;
	unsigned opcode = (q[2] >> 3) & 0xf, rcode = 0, an = 0;
	size_t qend = opcode == 0 && get16(q + 4) == 1 ? question_end(q, n) : 0;
	memset(out, 0, 12);
	memcpy(out, q, 2);
	out[2] = (uint8_t)(0x80 | (q[2] & 0x78) | 0x04 | (q[2] & 0x01));
	if (!qend) {
		out[3] = opcode != 0 ? 4 : 1; /* NOTIMP, FORMERR */
		return 12;
	}
	size_t off = qend;
	memcpy(out + 12, q + 12, qend - 12);
	put16(out + 4, 1);
	bool edns = get16(q + 6) == 0 && get16(q + 8) == 0 && get16(q + 10) == 1 && qend + 11 <= n && q[qend] == 0 &&
		get16(q + qend + 1) == 41;
	if (a == A_JUNK) {
		put16(out + 6, 2);
		memcpy(out + off, "\xc0\x0c\x00\x01\x00", 5); /* an answer cut short, and a second one missing */
		return off + 5;
	}
	if (a == A_CLOSE)
		rcode = 2; /* SERVFAIL: the DNS counterpart of a closed connection */
	else if (s->m.mode == M_RCODE)
		rcode = (unsigned)s->m.arg;
	else if (get16(q + qend - 2) == 1 || get16(q + qend - 2) == 255)
		an = dns_answers(out, &off, DNS_OUT - 11, get16(q + qend - 4), index);
	*good = a != A_CLOSE;
	out[3] = (uint8_t)rcode;
	put16(out + 6, an);
	if (edns) {
		memcpy(out + off, "\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00", 11); /* OPT, 1232 bytes */
		put16(out + 10, 1);
		off += 11;
	}
	return off;
}

static void pend_free(struct pend *p)
{
	ev_timer_stop(g.loop, &p->timer);
	if (p->prev)
		p->prev->next = p->next;
	else
		g.pends = p->next;
	if (p->next)
		p->next->prev = p->prev;
	g.npend--;
	free(p);
}

static void pend_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct pend *p = w->data;
	struct svc *s = p->svc;
	if (!s->refused && sendto(s->ls[p->index].fd, p->pkt, p->len, 0, (struct sockaddr *)&p->peer, p->peer_len) != -1)
		s->served++;
	else
		s->failed++;
	pend_free(p);
}

static void dns_delay(struct svc *s, int index, const uint8_t *pkt, size_t len, struct sockaddr_storage *peer,
	socklen_t peer_len)
{
	if (g.npend >= MAX_PENDING) {
		s->failed++;
		return;
	}
	struct pend *p = xcalloc(sizeof(*p));
	p->svc = s;
	p->index = index;
	p->peer = *peer;
	p->peer_len = peer_len;
	p->len = len;
	memcpy(p->pkt, pkt, len);
	ev_timer_init(&p->timer, pend_cb, (double)s->m.arg / 1000.0, 0);
	p->timer.data = p;
	ev_timer_start(g.loop, &p->timer);
	p->next = g.pends;
	if (g.pends)
		g.pends->prev = p;
	g.pends = p;
	g.npend++;
}

static void dns_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct listener *l = w->data;
	struct svc *s = l->svc;
	for (int i = 0; i < 64; i++) {
		uint8_t q[4096], out[DNS_OUT];
		struct sockaddr_storage peer;
		socklen_t peer_len = sizeof(peer);
		ssize_t n = recvfrom(l->fd, q, sizeof(q), 0, (struct sockaddr *)&peer, &peer_len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return;
		}
		enum action a = decide(s);
		bool good = false;
		size_t len = a == A_HOLD ? 0 : dns_build(q, (size_t)n, s, a, l->index, out, &good);
		if (len > 0 && good && a == A_DELAY) {
			dns_delay(s, l->index, out, len, &peer, peer_len);
			continue;
		}
		if (len > 0 && sendto(l->fd, out, len, 0, (struct sockaddr *)&peer, peer_len) == -1)
			good = false;
		if (good)
			s->served++;
		else
			s->failed++;
	}
}

/* ---- control channel, signals, start-up ---- */

static void fifo_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	ssize_t n = read(g.fifo_fd, g.fifo_buf + g.fifo_len, sizeof(g.fifo_buf) - g.fifo_len);
	if (n > 0) {
		g.fifo_len += (size_t)n;
		run_lines(g.fifo_buf, &g.fifo_len, sizeof(g.fifo_buf), NULL);
	}
}

static void fifo_open(const char *path)
{
	struct stat st;
	if (stat(path, &st) == -1) {
		if (mkfifo(path, 0600) == -1)
			die("mkfifo %s: %s", path, strerror(errno));
		g.fifo_made = true;
	} else if (!S_ISFIFO(st.st_mode))
		die("%s exists and is not a FIFO", path);
	/* Read-write, so that a writer closing its end never gives us EOF. */
	g.fifo_fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (g.fifo_fd == -1)
		die("open %s: %s", path, strerror(errno));
	g.fifo_path = path;
	ev_io_init(&g.fifo_io, fifo_cb, g.fifo_fd, EV_READ);
	ev_io_start(g.loop, &g.fifo_io);
}

static void ctl_open(int port)
{
	struct addr lo = { .family = AF_INET };
	lo.u.v4.s_addr = htonl(INADDR_LOOPBACK);
	g.ctl.fd = bind_one(&lo, port, SOCK_STREAM);
	if (g.ctl.fd == -1)
		die("control: cannot listen on 127.0.0.1@%d: %s", port, strerror(errno));
	g.ctl_port = bound_port(g.ctl.fd);
	ev_io_init(&g.ctl.io, accept_cb, g.ctl.fd, EV_READ);
	g.ctl.io.data = &g.ctl;
	ev_io_start(g.loop, &g.ctl.io);
}

static void signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

static void raise_nofile(void)
{
	struct rlimit r;
	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

static void cleanup(void)
{
	while (g.conns)
		conn_free(g.conns);
	while (g.pends)
		pend_free(g.pends);
	for (int k = 0; k < NKIND; k++)
		svc_close(&g.svc[k]);
	if (g.ctl_port > 0) {
		ev_io_stop(g.loop, &g.ctl.io);
		close(g.ctl.fd);
	}
	if (g.fifo_path) {
		ev_io_stop(g.loop, &g.fifo_io);
		close(g.fifo_fd);
		if (g.fifo_made)
			unlink(g.fifo_path);
	}
	ev_timer_stop(g.loop, &g.resume);
	ev_signal_stop(g.loop, &g.sigterm);
	ev_signal_stop(g.loop, &g.sigint);
	ev_loop_destroy(g.loop);
}

/* backend ctl PORT COMMAND...: exit 0 when the answer is not an error. */
static int ctl_client(int argc, char **argv)
{
	long port;
	char line[IN_MAX], ans[IN_MAX];
	if (argc < 2 || !parse_long(argv[0], 1, 65535, &port)) {
		fprintf(stderr, "usage: backend ctl PORT COMMAND...\n");
		return 2;
	}
	size_t off = 0;
	for (int i = 1; i < argc; i++)
		off += (size_t)snprintf(line + off, sizeof(line) - off - 1, "%s%s", i > 1 ? " " : "", argv[i]);
	if (off >= sizeof(line) - 2) {
		fprintf(stderr, "backend: ctl: command too long\n");
		return 2;
	}
	line[off++] = '\n';
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct timeval tv = { 5, 0 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1 ||
		connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 || send(fd, line, off, MSG_NOSIGNAL) != (ssize_t)off) {
		fprintf(stderr, "backend: ctl: 127.0.0.1@%ld: %s\n", port, strerror(errno));
		if (fd != -1)
			close(fd);
		return 1;
	}
	size_t got = 0;
	while (got < sizeof(ans) - 1 && !memchr(ans, '\n', got)) {
		ssize_t n = recv(fd, ans + got, sizeof(ans) - 1 - got, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	ans[got] = '\0';
	if (!memchr(ans, '\n', got)) {
		fprintf(stderr, "backend: ctl: no answer\n");
		return 1;
	}
	fputs(ans, stdout);
	return strncmp(ans, "error", 5) == 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: backend [-a ADDR]... [--tcp PORT] [--http PORT] [--dns PORT] [--control PORT]\n"
		   "               [--control-fifo PATH] [--load N] [--mode MODE] [--answer ADDR]...\n"
		   "               [--ready-fd N] [--seed N]\n"
		   "       backend ctl PORT COMMAND...\n"
		   "Ports default to 0 (the kernel picks one; see the ready line on stderr).\n"
		   "MODE: up refuse blackhole blackhole-http slow:MS flaky:PCT garbage endless status:N rcode:N\n");
}

static void parse_args(int argc, char **argv, int *ready_fd, struct mode_set *m)
{
	static const struct option opts[] = { { "tcp", 1, NULL, 't' }, { "http", 1, NULL, 'h' },
		{ "dns", 1, NULL, 'd' }, { "control", 1, NULL, 'c' }, { "control-fifo", 1, NULL, 'f' },
		{ "load", 1, NULL, 'l' }, { "mode", 1, NULL, 'm' }, { "answer", 1, NULL, 'A' },
		{ "ready-fd", 1, NULL, 'r' }, { "seed", 1, NULL, 's' }, { "help", 0, NULL, 'H' }, { NULL, 0, NULL, 0 } };
	long v;
	char err[160];
	int opt;
	g.ctl_port = -1;
	while ((opt = getopt_long(argc, argv, "a:", opts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			if (g.naddr == MAX_ADDRS || !parse_addr(optarg, &g.addr[g.naddr]) || !is_loopback(&g.addr[g.naddr]))
				die("-a %s: not a loopback address (127.0.0.0/8, ::1), or more than %d", optarg, MAX_ADDRS);
			g.naddr++;
			break;
		case 't':
		case 'h':
		case 'd':
		case 'c':
			if (!parse_long(optarg, 0, 65535, &v))
				die("bad port '%s'", optarg);
			if (opt == 'c')
				g.ctl_port = (int)v;
			else
				g.svc[opt == 't' ? K_TCP : opt == 'h' ? K_HTTP : K_DNS].port = (int)v;
			break;
		case 'f':
			g.fifo_path = optarg;
			break;
		case 'l':
			if (!parse_long(optarg, -1000000000L, 1000000000L, &g.load))
				die("bad load '%s'", optarg);
			break;
		case 'm':
			if (parse_mode(optarg, NULL, m, err, sizeof(err)) != 0)
				die("--mode %s: %s", optarg, err);
			break;
		case 'A':
			if (g.nanswer == MAX_ANSWERS || !parse_addr(optarg, &g.answer[g.nanswer]))
				die("--answer %s: not an IP address, or more than %d", optarg, MAX_ANSWERS);
			g.nanswer++;
			break;
		case 'r':
			if (!parse_long(optarg, 0, 1 << 20, &v))
				die("bad fd '%s'", optarg);
			*ready_fd = (int)v;
			break;
		case 's':
			errno = 0;
			g.rng = strtoull(optarg, NULL, 10);
			if (errno)
				die("bad seed '%s'", optarg);
			g.rng ^= 0x9E3779B97F4A7C15ULL; /* a seed of 0 must not stall xorshift */
			break;
		case 'H':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(2);
	}
	if (g.naddr == 0) {
		parse_addr("127.0.0.1", &g.addr[0]);
		g.naddr = 1;
	}
	if (g.ctl_port == -1 && !g.fifo_path)
		g.ctl_port = 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "ctl") == 0)
		return ctl_client(argc - 2, argv + 2);
	int ready_fd = -1;
	struct mode_set m = { M_UP, 0 };
	g.rng = (uint64_t)time(NULL) << 20 ^ (uint64_t)getpid() ^ 0x9E3779B97F4A7C15ULL;
	parse_args(argc, argv, &ready_fd, &m);
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	for (size_t i = 0; i < sizeof(stream_chunk); i++)
		stream_chunk[i] = "endless\n"[i % 8];

	g.loop = ev_default_loop(EVFLAG_AUTO);
	if (!g.loop)
		die("cannot start the event loop");
	ev_timer_init(&g.resume, resume_cb, 0.1, 0);
	for (int k = 0; k < NKIND; k++) {
		g.svc[k].kind = (enum kind)k;
		svc_open(&g.svc[k], k == K_DNS ? dns_cb : accept_cb);
	}
	char err[160];
	for (int k = 0; k < NKIND; k++)
		if (svc_set_mode(&g.svc[k], m, err, sizeof(err)) != 0)
			die("%s", err);
	if (g.ctl_port >= 0)
		ctl_open(g.ctl_port);
	else
		ev_init(&g.ctl.io, accept_cb);
	if (g.fifo_path)
		fifo_open(g.fifo_path);
	ev_signal_init(&g.sigterm, signal_cb, SIGTERM);
	ev_signal_init(&g.sigint, signal_cb, SIGINT);
	ev_signal_start(g.loop, &g.sigterm);
	ev_signal_start(g.loop, &g.sigint);

	char ctl[32];
	if (g.ctl_port >= 0)
		snprintf(ctl, sizeof(ctl), "%d", g.ctl_port);
	else
		snprintf(ctl, sizeof(ctl), "fifo");
	fprintf(stderr, "backend: ready tcp=%d http=%d dns=%d control=%s\n", g.svc[K_TCP].port, g.svc[K_HTTP].port,
		g.svc[K_DNS].port, ctl);
	if (ready_fd >= 0) {
		if (write(ready_fd, "ready\n", 6) != 6)
			die("--ready-fd %d: %s", ready_fd, strerror(errno));
		close(ready_fd);
	}
	ev_run(g.loop, 0);
	cleanup();
	return 0;
}
