/*
 * relay: a lossy, slow, partitionable network between the cluster nodes of the
 * integration tests. All cluster traffic passes through it; a test changes how
 * each link behaves at run time over a control port.
 *
 * Node k really listens on A_k, and its peers address it as R_k, which the
 * relay binds. A datagram arriving on R_i from A_k travels the link k->i: it is
 * sent on to A_i out of the socket bound to R_k, so that node i sees it coming
 * from R_k, the address by which i knows k, and its reply takes the link i->k.
 *
 * One process, one libev loop, every socket non-blocking. Each link can drop,
 * duplicate, delay (with jitter), reorder and be cut; datagrams held for delay
 * or reordering sit in one heap ordered by (due time, arrival), capped in
 * number and bytes, so no input makes memory grow without limit.
 * tests/relay.md describes the options and the control protocol.
 *
 *   relay --node REAL@PORT=RELAY@PORT... [--control PORT] [--ready-fd N]
 *         [--seed N] [--max-held N]
 *   relay ctl PORT COMMAND...      send one command, print the answer
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_NODES 16
#define MAX_HELD_DEFAULT 10000 /* datagrams held for delay or reordering at once */
#define MAX_HELD_BYTES (32u << 20)
#define MAX_CONNS 16 /* control connections */
#define MAX_MS 3600000L
#define REORDER_MAX_DEFAULT 1000 /* ms a reordered datagram waits for the next one */
#define IN_MAX 2048 /* one control line */
#define ANS_MAX 65536 /* one control answer */
#define OUT_MAX (2 * ANS_MAX)
#define RECV_BATCH 64

/* Per-link counters; in + dup = fwd + drop + cut + overflow + error + held. */
enum counter { N_IN, N_FWD, N_DROP, N_CUT, N_DUP, N_DELAYED, N_REORDERED, N_OVERFLOW, N_ERROR, NCOUNT };
static const char *const counter_name[NCOUNT] = { "in", "fwd", "drop", "cut", "dup", "delayed", "reordered",
	"overflow", "error" };

struct held;

struct link {
	int from, to; /* node indexes, 0-based */
	bool cut;
	double drop, dup, reorder; /* percentages */
	long delay_ms, jitter_ms, reorder_max_ms;
	unsigned long n[NCOUNT];
	unsigned held; /* datagrams of this link in the heap or in hold */
	struct held *hold; /* the datagram reordering holds back, if any */
	ev_timer hold_timer;
};

struct held {
	double due; /* CLOCK_MONOTONIC seconds */
	uint64_t seq; /* arrival order, to keep equal due times in order */
	struct link *link;
	size_t len;
	uint8_t data[];
};

struct node {
	struct sockaddr_in real, relay;
	char real_s[32], relay_s[32];
	int fd; /* bound to relay */
	ev_io io;
};

struct conn {
	struct conn *prev, *next;
	int fd;
	ev_io rio, wio;
	bool eof, quit_after;
	size_t inlen, outlen, outoff;
	char in[IN_MAX];
	char out[OUT_MAX];
};

/* A bounded string builder: output past cap is cut, never overflows. */
struct sbuf {
	char *p;
	size_t cap, len;
};

static struct {
	struct ev_loop *loop;
	struct node node[MAX_NODES];
	int nnode;
	struct link link[MAX_NODES][MAX_NODES]; /* [from][to] */
	struct held **heap;
	size_t nheap, max_held, held_bytes;
	unsigned nheld; /* heap plus reorder holds */
	uint64_t seq, rng, seed;
	unsigned long unknown;
	double unknown_logged;
	ev_timer delay_timer;
	int ctl_fd, ctl_port;
	ev_io ctl_io;
	struct conn *conns;
	int nconns;
	ev_signal sigterm, sigint;
} g;

static uint8_t pkt[65536];

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("relay: ", stderr);
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

static bool parse_pct(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0 || v > 100)
		return false;
	*out = v;
	return true;
}

/* "127.0.0.11@7353": a loopback IPv4 address and a port other than 0. */
static bool parse_endpoint(const char *s, struct sockaddr_in *sin)
{
	char ip[INET_ADDRSTRLEN];
	const char *at = strrchr(s, '@');
	long port;
	if (!at || (size_t)(at - s) >= sizeof(ip) || !parse_long(at + 1, 1, 65535, &port))
		return false;
	memcpy(ip, s, (size_t)(at - s));
	ip[at - s] = '\0';
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, ip, &sin->sin_addr) == 1 && (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
}

static void endpoint_str(const struct sockaddr_in *sin, char *buf, size_t cap)
{
	char ip[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
	snprintf(buf, cap, "%s@%u", ip, ntohs(sin->sin_port));
}

static bool same_endpoint(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
	return a->sin_addr.s_addr == b->sin_addr.s_addr && a->sin_port == b->sin_port;
}

static double now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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

/* Uniform in [0, 1). */
static double rnd_unit(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static bool roll(double pct)
{
	return pct > 0 && rnd_unit() * 100.0 < pct;
}

static void bput(struct sbuf *b, const char *fmt, ...)
{
	if (b->len + 1 >= b->cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->p + b->len, b->cap - 1 - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n < b->cap - 1 - b->len ? (size_t)n : b->cap - 2 - b->len;
}

/* Ends the answer with its newline, which always fits. */
static void bend(struct sbuf *b)
{
	b->p[b->len++] = '\n';
	b->p[b->len] = '\0';
}

/* ---- held datagrams: a heap ordered by (due, seq) behind one timer ---- */

static bool held_before(const struct held *a, const struct held *b)
{
	return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void heap_push(struct held *h)
{
	size_t i = g.nheap++;
	while (i > 0 && held_before(h, g.heap[(i - 1) / 2])) {
		g.heap[i] = g.heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	g.heap[i] = h;
}

static struct held *heap_pop(void)
{
	struct held *top = g.heap[0], *last = g.heap[--g.nheap];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= g.nheap)
			break;
		if (c + 1 < g.nheap && held_before(g.heap[c + 1], g.heap[c]))
			c++;
		if (!held_before(g.heap[c], last))
			break;
		g.heap[i] = g.heap[c];
		i = c;
	}
	if (g.nheap > 0)
		g.heap[i] = last;
	return top;
}

static void delay_arm(void)
{
	ev_timer_stop(g.loop, &g.delay_timer);
	if (g.nheap == 0)
		return;
	double in = g.heap[0]->due - now_mono();
	ev_timer_set(&g.delay_timer, in > 0 ? in : 0, 0);
	ev_timer_start(g.loop, &g.delay_timer);
}

/* A copy of data to hold for link l, or NULL (counted) when the cap is reached. */
static struct held *held_new(struct link *l, const uint8_t *data, size_t len)
{
	if (g.nheld >= g.max_held || g.held_bytes + len > MAX_HELD_BYTES) {
		l->n[N_OVERFLOW]++;
		return NULL;
	}
	struct held *h = malloc(sizeof(*h) + len);
	if (!h)
		die("out of memory");
	h->link = l;
	h->len = len;
	h->seq = g.seq++;
	memcpy(h->data, data, len);
	g.nheld++;
	g.held_bytes += len;
	l->held++;
	return h;
}

static void held_free(struct held *h)
{
	g.nheld--;
	g.held_bytes -= h->len;
	h->link->held--;
	free(h);
}

/* ---- the path of a datagram ---- */

/* The last step: out of the relay socket of the sender, to the receiver. */
static void deliver(struct link *l, const uint8_t *data, size_t len)
{
	if (l->cut) { /* cut while it was held: lost in flight */
		l->n[N_CUT]++;
		return;
	}
	const struct sockaddr_in *to = &g.node[l->to].real;
	for (;;) {
		if (sendto(g.node[l->from].fd, data, len, 0, (const struct sockaddr *)to, sizeof(*to)) != -1) {
			l->n[N_FWD]++;
			return;
		}
		if (errno != EINTR)
			break;
	}
	l->n[N_ERROR]++;
}

/* Duplication and delay, for a datagram that has passed loss and reordering. */
static void propagate(struct link *l, const uint8_t *data, size_t len)
{
	int copies = 1;
	if (roll(l->dup)) {
		l->n[N_DUP]++;
		copies = 2;
	}
	for (int c = 0; c < copies; c++) {
		double ms = (double)l->delay_ms + (double)l->jitter_ms * rnd_unit();
		if (ms <= 0) {
			deliver(l, data, len);
			continue;
		}
		struct held *h = held_new(l, data, len);
		if (!h)
			continue;
		l->n[N_DELAYED]++;
		h->due = now_mono() + ms / 1000.0;
		heap_push(h);
		if (g.heap[0] == h)
			delay_arm();
	}
}

static void hold_release(struct link *l)
{
	struct held *h = l->hold;
	ev_timer_stop(g.loop, &l->hold_timer);
	l->hold = NULL;
	propagate(l, h->data, h->len);
	held_free(h);
}

static void hold_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	hold_release(w->data);
}

static void delay_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	double now = now_mono() + 1e-4; /* libev may wake a hair early */
	while (g.nheap > 0 && g.heap[0]->due <= now) {
		struct held *h = heap_pop();
		deliver(h->link, h->data, h->len);
		held_free(h);
	}
	delay_arm();
}

static void arrive(struct link *l, const uint8_t *data, size_t len)
{
	l->n[N_IN]++;
	if (l->cut) {
		l->n[N_CUT]++;
		return;
	}
	if (roll(l->drop)) {
		l->n[N_DROP]++;
		return;
	}
	if (l->hold) { /* this one overtakes the one held back */
		propagate(l, data, len);
		hold_release(l);
		return;
	}
	if (roll(l->reorder)) {
		struct held *h = held_new(l, data, len);
		if (!h)
			return;
		l->n[N_REORDERED]++;
		l->hold = h;
		ev_timer_set(&l->hold_timer, (double)l->reorder_max_ms / 1000.0, 0);
		ev_timer_start(g.loop, &l->hold_timer);
		return;
	}
	propagate(l, data, len);
}

/* Releases everything held, in order, now. */
static void flush_all(void)
{
	for (int k = 0; k < g.nnode; k++)
		for (int i = 0; i < g.nnode; i++)
			if (g.link[k][i].hold)
				hold_release(&g.link[k][i]);
	while (g.nheap > 0) {
		struct held *h = heap_pop();
		deliver(h->link, h->data, h->len);
		held_free(h);
	}
	delay_arm();
}

static void unknown_source(const struct node *n, const struct sockaddr_storage *ss)
{
	g.unknown++;
	double now = ev_now(g.loop);
	if (now - g.unknown_logged < 1.0)
		return;
	g.unknown_logged = now;
	char from[48] = "a non-IPv4 address";
	if (ss->ss_family == AF_INET)
		endpoint_str((const struct sockaddr_in *)ss, from, sizeof(from));
	fprintf(stderr, "relay: %s: dropped a datagram from %s, not a node (%lu so far)\n", n->relay_s, from, g.unknown);
}

static void node_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct node *n = w->data;
	int to = (int)(n - g.node);
	for (int b = 0; b < RECV_BATCH; b++) {
		struct sockaddr_storage ss;
		socklen_t sslen = sizeof(ss);
		ssize_t len = recvfrom(n->fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&ss, &sslen);
		if (len == -1) {
			if (errno == EINTR || errno == ECONNREFUSED)
				continue;
			return;
		}
		int from = -1;
		for (int k = 0; k < g.nnode && ss.ss_family == AF_INET; k++)
			if (same_endpoint(&g.node[k].real, (struct sockaddr_in *)&ss))
				from = k;
		if (from < 0)
			unknown_source(n, &ss);
		else
			arrive(&g.link[from][to], pkt, (size_t)len);
	}
}

/* ---- control commands ---- */

/* One node number (1-based) or "*"; sets [*lo, *hi) to 0-based indexes. */
static bool parse_node_sel(const char *s, int *lo, int *hi)
{
	long v;
	if (strcmp(s, "*") == 0) {
		*lo = 0;
		*hi = g.nnode;
		return true;
	}
	if (!parse_long(s, 1, g.nnode, &v))
		return false;
	*lo = (int)v - 1;
	*hi = (int)v;
	return true;
}

/* A set of links, written K:I with K and I a node number or "*". */
struct sel {
	int flo, fhi, tlo, thi;
};

static bool parse_link(const char *s, struct sel *sel)
{
	char from[16];
	const char *colon = strchr(s, ':');
	if (!colon || (size_t)(colon - s) >= sizeof(from))
		return false;
	memcpy(from, s, (size_t)(colon - s));
	from[colon - s] = '\0';
	return parse_node_sel(from, &sel->flo, &sel->fhi) && parse_node_sel(colon + 1, &sel->tlo, &sel->thi);
}

static void sel_all(struct sel *sel)
{
	*sel = (struct sel){ 0, g.nnode, 0, g.nnode };
}

#define FOR_SEL(l, sel) \
	for (int k_ = (sel)->flo; k_ < (sel)->fhi; k_++) \
		for (int i_ = (sel)->tlo; i_ < (sel)->thi && ((l) = &g.link[k_][i_]); i_++)

static void link_reset(struct link *l)
{
	l->cut = false;
	l->drop = l->dup = l->reorder = 0;
	l->delay_ms = l->jitter_ms = 0;
	l->reorder_max_ms = REORDER_MAX_DEFAULT;
}

static bool link_is_perfect(const struct link *l)
{
	return !l->cut && l->drop == 0 && l->dup == 0 && l->reorder == 0 && l->delay_ms == 0 && l->jitter_ms == 0;
}

static void render_link(struct sbuf *b, const struct link *l)
{
	const char *sep = "";
	bput(b, " %d:%d=", l->from + 1, l->to + 1);
	if (link_is_perfect(l))
		bput(b, "perfect");
	if (l->cut) {
		bput(b, "cut");
		sep = ",";
	}
	if (l->drop > 0) {
		bput(b, "%sdrop:%g", sep, l->drop);
		sep = ",";
	}
	if (l->dup > 0) {
		bput(b, "%sdup:%g", sep, l->dup);
		sep = ",";
	}
	if (l->delay_ms > 0 || l->jitter_ms > 0) {
		bput(b, "%sdelay:%ld+%ld", sep, l->delay_ms, l->jitter_ms);
		sep = ",";
	}
	if (l->reorder > 0)
		bput(b, "%sreorder:%g/%ld", sep, l->reorder, l->reorder_max_ms);
}

/* show [nodes | K:I] */
static void cmd_show(char **tok, int n, struct sbuf *b)
{
	struct sel sel;
	if (n == 2 && strcmp(tok[1], "nodes") == 0) {
		bput(b, "nodes=%d", g.nnode);
		for (int k = 0; k < g.nnode; k++)
			bput(b, " %d=%s/%s", k + 1, g.node[k].real_s, g.node[k].relay_s);
		return;
	}
	if (n > 2 || (n == 2 && !parse_link(tok[1], &sel))) {
		bput(b, "error: usage: show [nodes | K:I]");
		return;
	}
	struct link *l;
	bool all = n == 1, any = false;
	if (all) {
		sel_all(&sel);
		bput(b, "nodes=%d held=%u seed=%llu", g.nnode, g.nheld, (unsigned long long)g.seed);
	}
	FOR_SEL(l, &sel)
		if (!all || !link_is_perfect(l)) {
			render_link(b, l);
			any = true;
		}
	if (all && !any)
		bput(b, " perfect");
	if (!all && b->len > 0 && b->p[0] == ' ') /* no leading blank */
		memmove(b->p, b->p + 1, b->len--);
}

static void render_counts(struct sbuf *b, const unsigned long *n, unsigned held)
{
	for (int c = 0; c < NCOUNT; c++)
		bput(b, "%s%s=%lu", c ? " " : "", counter_name[c], n[c]);
	bput(b, " held=%u", held);
}

/* stats [K:I | links] */
static void cmd_stats(char **tok, int n, struct sbuf *b)
{
	struct sel sel;
	struct link *l;
	if (n == 2 && strcmp(tok[1], "links") == 0) {
		const char *sep = "";
		sel_all(&sel);
		FOR_SEL(l, &sel)
			if (l->n[N_IN] > 0 || l->held > 0) {
				bput(b, "%slink=%d:%d ", sep, l->from + 1, l->to + 1);
				render_counts(b, l->n, l->held);
				sep = "; ";
			}
		if (!*sep)
			bput(b, "none");
		return;
	}
	if (n > 2 || (n == 2 && !parse_link(tok[1], &sel))) {
		bput(b, "error: usage: stats [K:I | links]");
		return;
	}
	if (n == 1)
		sel_all(&sel);
	unsigned long sum[NCOUNT] = { 0 };
	unsigned held = 0;
	FOR_SEL(l, &sel) {
		for (int c = 0; c < NCOUNT; c++)
			sum[c] += l->n[c];
		held += l->held;
	}
	if (n == 2)
		bput(b, "link=%s ", tok[1]);
	render_counts(b, sum, held);
	if (n == 1)
		bput(b, " unknown=%lu", g.unknown);
}

/* drop|dup|delay|reorder [K:I] VALUE... */
static void cmd_set(char **tok, int n, struct sbuf *b)
{
	static const char *const usage[] = { "drop [K:I] PCT", "dup [K:I] PCT", "delay [K:I] MS [JITTER_MS]",
		"reorder [K:I] PCT [MAX_MS]" };
	int what = strcmp(tok[0], "drop") == 0 ? 0 : strcmp(tok[0], "dup") == 0 ? 1 : strcmp(tok[0], "delay") == 0 ? 2 : 3;
	int a = 1, max_args = what >= 2 ? 2 : 1;
	struct sel sel;
	double pct = 0;
	long v1 = 0, v2 = 0;
	sel_all(&sel);
	if (n > 1 && strchr(tok[1], ':')) {
		if (!parse_link(tok[1], &sel)) {
			bput(b, "error: '%s' is not a link K:I (node numbers 1-%d or *)", tok[1], g.nnode);
			return;
		}
		a = 2;
	}
	bool ok = n - a >= 1 && n - a <= max_args;
	if (ok && what != 2)
		ok = parse_pct(tok[a], &pct);
	if (ok && what == 2)
		ok = parse_long(tok[a], 0, MAX_MS, &v1);
	if (ok && n - a == 2)
		ok = parse_long(tok[a + 1], what == 3 ? 1 : 0, MAX_MS, &v2);
	if (!ok) {
		bput(b, "error: usage: %s (PCT 0-100, MS 0-%ld)", usage[what], MAX_MS);
		return;
	}
	struct link *l;
	FOR_SEL(l, &sel) {
		if (what == 0)
			l->drop = pct;
		else if (what == 1)
			l->dup = pct;
		else if (what == 2) {
			l->delay_ms = v1;
			l->jitter_ms = v2;
		} else {
			l->reorder = pct;
			l->reorder_max_ms = n - a == 2 ? v2 : REORDER_MAX_DEFAULT;
		}
	}
	bput(b, "ok");
}

/* cut|join K I, or K:I */
static void cmd_cut(char **tok, int n, struct sbuf *b)
{
	struct sel sel;
	bool ok = n == 2 ? parse_link(tok[1], &sel)
			 : n == 3 && parse_node_sel(tok[1], &sel.flo, &sel.fhi) && parse_node_sel(tok[2], &sel.tlo, &sel.thi);
	if (!ok) {
		bput(b, "error: usage: %s K I (node numbers 1-%d or *)", tok[0], g.nnode);
		return;
	}
	struct link *l;
	FOR_SEL(l, &sel)
		l->cut = tok[0][0] == 'c';
	bput(b, "ok");
}

static void cut_both(int a, int c)
{
	g.link[a][c].cut = g.link[c][a].cut = true;
}

/* partition G1 G2...: groups of comma-separated nodes, split by blanks or '|'. */
static void cmd_partition(char **tok, int n, struct sbuf *b)
{
	int group[MAX_NODES], ngroup = 0;
	for (int k = 0; k < g.nnode; k++)
		group[k] = -1;
	for (int t = 1; t < n; t++) {
		char *save = NULL;
		for (char *grp = strtok_r(tok[t], "|", &save); grp; grp = strtok_r(NULL, "|", &save)) {
			char *save2 = NULL;
			for (char *m = strtok_r(grp, ",", &save2); m; m = strtok_r(NULL, ",", &save2)) {
				long v;
				if (!parse_long(m, 1, g.nnode, &v)) {
					bput(b, "error: partition: '%s' is not a node number (1-%d)", m, g.nnode);
					return;
				}
				if (group[v - 1] >= 0) {
					bput(b, "error: partition: node %ld is in two groups", v);
					return;
				}
				group[v - 1] = ngroup;
			}
			ngroup++;
		}
	}
	if (ngroup < 2) {
		bput(b, "error: usage: partition GROUP GROUP... (a group is 1,2; groups split by blanks or |)");
		return;
	}
	for (int k = 0; k < g.nnode; k++)
		for (int i = 0; i < g.nnode; i++) {
			g.link[k][i].cut = group[k] >= 0 && group[i] >= 0 && group[k] != group[i];
		}
	bput(b, "ok");
}

static void cmd_isolate(char **tok, int n, struct sbuf *b)
{
	long v;
	if (n != 2 || !parse_long(tok[1], 1, g.nnode, &v)) {
		bput(b, "error: usage: isolate K (1-%d)", g.nnode);
		return;
	}
	for (int i = 0; i < g.nnode; i++)
		if (i != v - 1)
			cut_both((int)v - 1, i);
	bput(b, "ok");
}

static void zero_counters(void)
{
	for (int k = 0; k < g.nnode; k++)
		for (int i = 0; i < g.nnode; i++)
			memset(g.link[k][i].n, 0, sizeof(g.link[k][i].n));
	g.unknown = 0;
}

/* Runs one command line, writing its one-line answer (none for a blank line). Returns true on quit. */
static bool command(char *line, struct sbuf *b)
{
	char *tok[64], *save = NULL, copy[IN_MAX];
	int n = 0;
	snprintf(copy, sizeof(copy), "%s", line);
	copy[strcspn(copy, "\r")] = '\0';
	for (char *t = strtok_r(line, " \t\r", &save); t && n < 64; t = strtok_r(NULL, " \t\r", &save))
		tok[n++] = t;
	if (n == 0)
		return false;
	const char *c = tok[0];
	bool changes = true;
	if (!strcmp(c, "drop") || !strcmp(c, "dup") || !strcmp(c, "delay") || !strcmp(c, "reorder"))
		cmd_set(tok, n, b);
	else if (!strcmp(c, "cut") || !strcmp(c, "join"))
		cmd_cut(tok, n, b);
	else if (!strcmp(c, "partition"))
		cmd_partition(tok, n, b);
	else if (!strcmp(c, "isolate"))
		cmd_isolate(tok, n, b);
	else if ((!strcmp(c, "heal") || !strcmp(c, "reset")) && n == 1) {
		for (int k = 0; k < g.nnode; k++)
			for (int i = 0; i < g.nnode; i++)
				if (c[0] == 'h')
					g.link[k][i].cut = false;
				else
					link_reset(&g.link[k][i]);
		if (c[0] == 'r') /* a perfect network holds nothing back */
			flush_all();
		bput(b, "ok");
	} else if (!strcmp(c, "flush") && n == 1) {
		flush_all();
		bput(b, "ok");
	} else if (!strcmp(c, "zero") && n == 1) {
		zero_counters();
		bput(b, "ok");
		changes = false;
	} else if (!strcmp(c, "stats")) {
		cmd_stats(tok, n, b);
		changes = false;
	} else if (!strcmp(c, "show")) {
		cmd_show(tok, n, b);
		changes = false;
	} else if ((!strcmp(c, "ping") || !strcmp(c, "quit")) && n == 1) {
		bput(b, "ok");
		changes = false;
	} else if (!strcmp(c, "help")) {
		bput(b, "ok commands: drop [K:I] PCT; dup [K:I] PCT; delay [K:I] MS [JITTER_MS]; "
			"reorder [K:I] PCT [MAX_MS]; cut K I; join K I; partition 1,2 3; isolate K; heal; reset; "
			"flush; stats [K:I|links]; zero; show [K:I|nodes]; ping; quit");
		changes = false;
	} else
		bput(b, "error: unknown command '%s' (try help)", c);
	if (changes && strncmp(b->p, "error", 5) != 0)
		fprintf(stderr, "relay: %s\n", copy);
	bend(b);
	return !strcmp(c, "quit") && n == 1;
}

/* ---- control connections ---- */

static void conn_read_cb(struct ev_loop *loop, ev_io *w, int revents);
static void conn_write_cb(struct ev_loop *loop, ev_io *w, int revents);

static void conn_free(struct conn *c)
{
	ev_io_stop(g.loop, &c->rio);
	ev_io_stop(g.loop, &c->wio);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		g.conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	g.nconns--;
	free(c);
}

/* Runs the complete lines that fit the output buffer. False: a line is too long (c is freed). */
static bool conn_run(struct conn *c)
{
	char *nl;
	while (!c->quit_after && OUT_MAX - c->outlen >= ANS_MAX && (nl = memchr(c->in, '\n', c->inlen))) {
		*nl = '\0';
		size_t used = (size_t)(nl - c->in) + 1;
		struct sbuf b = { c->out + c->outlen, ANS_MAX, 0 };
		c->quit_after = command(c->in, &b);
		c->outlen += b.len;
		memmove(c->in, c->in + used, c->inlen - used);
		c->inlen -= used;
	}
	if (c->inlen == sizeof(c->in) && !memchr(c->in, '\n', c->inlen)) {
		static const char toolong[] = "error: line too long\n";
		send(c->fd, toolong, sizeof(toolong) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		conn_free(c);
		return false;
	}
	return true;
}

/*
 * Answers what can be answered and sends it. Reading pauses while answers
 * wait for the peer, so a client that never reads cannot make us buffer more.
 */
static void conn_pump(struct conn *c)
{
	for (;;) {
		if (!conn_run(c))
			return;
		while (c->outoff < c->outlen) {
			ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				ev_io_stop(g.loop, &c->rio);
				ev_io_start(g.loop, &c->wio);
				return;
			}
			if (n == -1) {
				conn_free(c);
				return;
			}
			c->outoff += (size_t)n;
		}
		c->outlen = c->outoff = 0;
		ev_io_stop(g.loop, &c->wio);
		if (c->quit_after) {
			ev_break(g.loop, EVBREAK_ALL);
			return;
		}
		if (!memchr(c->in, '\n', c->inlen))
			break;
	}
	if (c->eof) {
		conn_free(c);
		return;
	}
	ev_io_start(g.loop, &c->rio);
}

static void conn_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct conn *c = w->data;
	ssize_t n = read(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
	if (n == -1 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n == -1) {
		conn_free(c);
		return;
	}
	if (n == 0) /* answer what came before the peer's FIN, then close */
		c->eof = true;
	c->inlen += (size_t)n;
	conn_pump(c);
}

static void conn_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	conn_pump(w->data);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	for (int b = 0; b < 16; b++) {
		int fd = accept4(g.ctl_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1)
			return;
		if (g.nconns >= MAX_CONNS) {
			static const char busy[] = "error: too many control connections\n";
			send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			close(fd);
			continue;
		}
		struct conn *c = xcalloc(sizeof(*c));
		c->fd = fd;
		ev_io_init(&c->rio, conn_read_cb, fd, EV_READ);
		ev_io_init(&c->wio, conn_write_cb, fd, EV_WRITE);
		c->rio.data = c->wio.data = c;
		c->next = g.conns;
		if (g.conns)
			g.conns->prev = c;
		g.conns = c;
		g.nconns++;
		ev_io_start(g.loop, &c->rio);
	}
}

/* ---- start-up, signals, the ctl client ---- */

static void ctl_open(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	socklen_t len = sizeof(sin);
	int one = 1;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g.ctl_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (g.ctl_fd == -1 || setsockopt(g.ctl_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
		bind(g.ctl_fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 || listen(g.ctl_fd, SOMAXCONN) == -1 ||
		getsockname(g.ctl_fd, (struct sockaddr *)&sin, &len) == -1)
		die("control: cannot listen on 127.0.0.1@%d: %s", port, strerror(errno));
	g.ctl_port = ntohs(sin.sin_port);
	ev_io_init(&g.ctl_io, accept_cb, g.ctl_fd, EV_READ);
	ev_io_start(g.loop, &g.ctl_io);
}

static void nodes_open(void)
{
	for (int k = 0; k < g.nnode; k++) {
		struct node *n = &g.node[k];
		n->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (n->fd == -1 || bind(n->fd, (struct sockaddr *)&n->relay, sizeof(n->relay)) == -1)
			die("node %d: cannot bind %s: %s", k + 1, n->relay_s, strerror(errno));
		/* Bursts in a test should meet the relay's rules, not the kernel's default queue (clamped to rmem_max). */
		int size = 4 << 20;
		setsockopt(n->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
		setsockopt(n->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
		ev_io_init(&n->io, node_cb, n->fd, EV_READ);
		n->io.data = n;
		ev_io_start(g.loop, &n->io);
	}
	for (int k = 0; k < g.nnode; k++)
		for (int i = 0; i < g.nnode; i++) {
			struct link *l = &g.link[k][i];
			l->from = k;
			l->to = i;
			link_reset(l);
			ev_init(&l->hold_timer, hold_cb);
			l->hold_timer.data = l;
		}
}

static void signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

static void cleanup(void)
{
	while (g.conns)
		conn_free(g.conns);
	for (int k = 0; k < g.nnode; k++)
		for (int i = 0; i < g.nnode; i++) {
			struct link *l = &g.link[k][i];
			ev_timer_stop(g.loop, &l->hold_timer);
			if (l->hold)
				held_free(l->hold);
		}
	while (g.nheap > 0)
		held_free(heap_pop());
	free(g.heap);
	ev_timer_stop(g.loop, &g.delay_timer);
	for (int k = 0; k < g.nnode; k++) {
		ev_io_stop(g.loop, &g.node[k].io);
		close(g.node[k].fd);
	}
	ev_io_stop(g.loop, &g.ctl_io);
	close(g.ctl_fd);
	ev_signal_stop(g.loop, &g.sigterm);
	ev_signal_stop(g.loop, &g.sigint);
	ev_loop_destroy(g.loop);
}

/* relay ctl PORT COMMAND...: exit 0 when the answer is not an error. */
static int ctl_client(int argc, char **argv)
{
	long port;
	char line[IN_MAX];
	static char ans[ANS_MAX + 1];
	if (argc < 2 || !parse_long(argv[0], 1, 65535, &port)) {
		fprintf(stderr, "usage: relay ctl PORT COMMAND...\n");
		return 2;
	}
	size_t off = 0;
	for (int i = 1; i < argc && off < sizeof(line); i++)
		off += (size_t)snprintf(line + off, sizeof(line) - off, "%s%s", i > 1 ? " " : "", argv[i]);
	if (off >= sizeof(line) - 1) {
		fprintf(stderr, "relay: ctl: command too long\n");
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
		fprintf(stderr, "relay: ctl: 127.0.0.1@%ld: %s\n", port, strerror(errno));
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
		fprintf(stderr, "relay: ctl: no answer\n");
		return 1;
	}
	fputs(ans, stdout);
	return strncmp(ans, "error", 5) == 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: relay --node REAL@PORT=RELAY@PORT... [--control PORT] [--ready-fd N] [--seed N]\n"
		   "             [--max-held N]\n"
		   "       relay ctl PORT COMMAND...\n"
		   "Node K (1, 2, ... in --node order) listens on REAL; its peers send to RELAY.\n"
		   "Addresses are loopback IPv4 (127.0.0.0/8). --control 0 (the default) lets the kernel choose.\n");
}

static void add_node(const char *arg)
{
	char real[64];
	const char *eq = strchr(arg, '=');
	struct node *n = &g.node[g.nnode];
	if (g.nnode == MAX_NODES)
		die("more than %d nodes", MAX_NODES);
	if (!eq || (size_t)(eq - arg) >= sizeof(real))
		die("--node %s: expected REAL@PORT=RELAY@PORT", arg);
	memcpy(real, arg, (size_t)(eq - arg));
	real[eq - arg] = '\0';
	if (!parse_endpoint(real, &n->real) || !parse_endpoint(eq + 1, &n->relay))
		die("--node %s: expected REAL@PORT=RELAY@PORT, loopback IPv4 addresses and ports 1-65535", arg);
	endpoint_str(&n->real, n->real_s, sizeof(n->real_s));
	endpoint_str(&n->relay, n->relay_s, sizeof(n->relay_s));
	for (int k = 0; k <= g.nnode; k++) {
		const struct node *o = &g.node[k];
		if ((k < g.nnode && (same_endpoint(&o->real, &n->real) || same_endpoint(&o->relay, &n->relay))) ||
			same_endpoint(&o->real, &n->relay) || same_endpoint(&o->relay, &n->real))
			die("--node %s: an address appears twice", arg);
	}
	g.nnode++;
}

static void parse_args(int argc, char **argv, int *ready_fd)
{
	static const struct option opts[] = { { "node", 1, NULL, 'n' }, { "control", 1, NULL, 'c' },
		{ "ready-fd", 1, NULL, 'r' }, { "seed", 1, NULL, 's' }, { "max-held", 1, NULL, 'm' },
		{ "help", 0, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	long v;
	int opt;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			add_node(optarg);
			break;
		case 'c':
			if (!parse_long(optarg, 0, 65535, &v))
				die("bad port '%s'", optarg);
			g.ctl_port = (int)v;
			break;
		case 'r':
			if (!parse_long(optarg, 0, 1 << 20, &v))
				die("bad fd '%s'", optarg);
			*ready_fd = (int)v;
			break;
		case 's': {
			char *end;
			errno = 0;
			g.seed = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end)
				die("bad seed '%s'", optarg);
			break;
		}
		case 'm':
			if (!parse_long(optarg, 1, 1000000, &v))
				die("bad --max-held '%s' (1-1000000)", optarg);
			g.max_held = (size_t)v;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc || g.nnode == 0) {
		usage(stderr);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "ctl") == 0)
		return ctl_client(argc - 2, argv + 2);
	int ready_fd = -1;
	g.max_held = MAX_HELD_DEFAULT;
	g.seed = (uint64_t)time(NULL) << 20 ^ (uint64_t)getpid();
	parse_args(argc, argv, &ready_fd);
	g.rng = g.seed ^ 0x9E3779B97F4A7C15ULL; /* a seed of 0 must not stall xorshift */
	signal(SIGPIPE, SIG_IGN);
	g.heap = xcalloc(g.max_held * sizeof(*g.heap));

	g.loop = ev_default_loop(EVFLAG_AUTO);
	if (!g.loop)
		die("cannot start the event loop");
	ev_init(&g.delay_timer, delay_cb);
	nodes_open();
	ctl_open(g.ctl_port);
	ev_signal_init(&g.sigterm, signal_cb, SIGTERM);
	ev_signal_init(&g.sigint, signal_cb, SIGINT);
	ev_signal_start(g.loop, &g.sigterm);
	ev_signal_start(g.loop, &g.sigint);

	fprintf(stderr, "relay: ready control=%d nodes=%d\n", g.ctl_port, g.nnode);
	if (ready_fd >= 0) {
		if (write(ready_fd, "ready\n", 6) != 6)
			die("--ready-fd %d: %s", ready_fd, strerror(errno));
		close(ready_fd);
	}
	ev_run(g.loop, 0);
	cleanup();
	return 0;
}
