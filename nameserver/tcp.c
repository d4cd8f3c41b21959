/*
 * nameserver/tcp: DNS over TCP (RFC 7766) on one thread with its own libev
 * loop: length-prefixed messages, several queries per connection, pipelined
 * answers in order, an idle timeout, and a connection limit (accepting
 * pauses at the limit). A connection that does not read its answers stops
 * being read (backpressure). AXFR/IXFR are streamed from axfr.c.
 *
 * Limits against slow and greedy clients: connections per source address
 * (over it, a new one is reset at once), a read timeout (a message begun
 * must be complete within it, however slowly its bytes trickle in:
 * slowloris), answers per connection (then the connection is closed
 * gracefully: its answers flushed, our side shut, the rest discarded).
 * Input buffers grow with the message being read, so an idle or slow
 * connection holds a few hundred bytes, not 64 KiB.
 */
#include "config.h"

#include "core/log.h"
#include "nameserver/nameserver_int.h"
#include "nameserver/rrl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <unistd.h>

#define MSG_MAX 65535
#define LISTEN_MAX (LNS_MAX_LISTEN * 2)
#define IN_MIN 512          /* input buffer of a connection between messages */
#define DRAIN_S 2.0         /* after the last answer, how long the peer has to close */

typedef struct conn {
	struct lns_tcp *tcp;
	int fd;
	ev_io io;
	ev_timer idle;
	ev_timer rd;             /* read deadline of the message begun; drain deadline */
	struct sockaddr_storage peer;
	uint8_t *in;
	size_t in_len, in_cap;
	uint8_t *out;
	size_t out_len, out_off, out_cap;
	unsigned answered;       /* messages taken (tcp_max_queries) */
	bool last;               /* the cap is reached: flush, then drain */
	struct conn *prev, *next;
	struct conn *src_prev, *src_next; /* the chain of its source's bucket */
	uint32_t src;
} conn_t;

struct lns_tcp {
	struct ev_loop *loop;
	pthread_t thread;
	ev_io listen[LISTEN_MAX];
	unsigned n_listen;
	ev_async stop;
	unsigned n_conns, max_conns;
	double idle_timeout;
	bool accepting;
	conn_t *conns;
	lns_ns_counters_t counts;  /* cache lines of their own */
	unsigned max_per_source, max_queries;
	double read_timeout;
	conn_t **by_source;        /* connections chained by a hash of their source address */
	uint32_t source_mask;
	uint8_t key[16];
	/* written by the TCP thread only */
	_Atomic uint64_t n_full, n_per_source, n_idle, n_read, n_capped;
};

static lns_ratelimit_t rl_accept, rl_full, rl_source, rl_read, rl_capped;

int lns_tcp_socket(const lns_addr_t *addr, lns_err_t *err)
{
	char text[80];
	int on = 1, fd = socket(addr->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		goto fail;
	if (addr->ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) == -1)
		goto fail;
	if (bind(fd, (const struct sockaddr *)&addr->ss, addr->len) == -1 || listen(fd, 128) == -1)
		goto fail;
	return fd;
fail:;
	int e = errno;
	lns_err_set(err, NULL, 0, "tcp %s: %s", lns_addr_render(addr, text, sizeof(text)), strerror(e));
	if (fd != -1)
		close(fd);
	return -e;
}

static void set_accepting(struct lns_tcp *t, bool on)
{
	if (t->accepting == on)
		return;
	t->accepting = on;
	for (unsigned i = 0; i < t->n_listen; i++) {
		if (on)
			ev_io_start(t->loop, &t->listen[i]);
		else
			ev_io_stop(t->loop, &t->listen[i]);
	}
}

/* ---- connections per source address ---- */

static size_t source_bytes(const struct sockaddr_storage *ss, uint8_t out[17])
{
	out[0] = (uint8_t)ss->ss_family;
	if (ss->ss_family == AF_INET6) {
		memcpy(out + 1, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
		return 17;
	}
	memcpy(out + 1, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	return 5;
}

static uint32_t source_bucket(const struct lns_tcp *t, const struct sockaddr_storage *ss)
{
	uint8_t b[17];
	return (uint32_t)(lns_siphash(t->key, b, source_bytes(ss, b)) & t->source_mask);
}

/* Open connections from the address of ss (its bucket is b). */
static unsigned source_count(const struct lns_tcp *t, uint32_t b, const struct sockaddr_storage *ss)
{
	uint8_t want[17], have[17];
	size_t n = source_bytes(ss, want);
	unsigned count = 0;
	for (const conn_t *c = t->by_source[b]; c; c = c->src_next)
		count += source_bytes(&c->peer, have) == n && memcmp(want, have, n) == 0;
	return count;
}

static const char *peer_text(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	const void *a = ss->ss_family == AF_INET6 ? (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr
						  : (const void *)&((const struct sockaddr_in *)ss)->sin_addr;
	if (!inet_ntop(ss->ss_family, a, buf, (socklen_t)size))
		snprintf(buf, size, "?");
	return buf;
}

static void conn_close(conn_t *c)
{
	struct lns_tcp *t = c->tcp;
	ev_io_stop(t->loop, &c->io);
	ev_timer_stop(t->loop, &c->idle);
	ev_timer_stop(t->loop, &c->rd);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		t->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (c->src_prev)
		c->src_prev->src_next = c->src_next;
	else
		t->by_source[c->src] = c->src_next;
	if (c->src_next)
		c->src_next->src_prev = c->src_prev;
	free(c->in);
	free(c->out);
	free(c);
	t->n_conns--;
	set_accepting(t, true);
}

static void out_reserve(conn_t *c, size_t more)
{
	if (c->out_len + more <= c->out_cap)
		return;
	c->out_cap = (c->out_len + more) * 2;
	c->out = lns_xrealloc(c->out, c->out_cap);
}

/* Answers every complete message in the input buffer, up to the cap of
 * answers per connection; returns how many it took. */
static unsigned process(conn_t *c)
{
	size_t off = 0;
	unsigned taken = 0;
	bool was_last = c->last;
	const lns_view_t *view = lns_view_read_begin();
	while (view && !c->last && c->in_len - off >= 2) {
		size_t mlen = (size_t)((c->in[off] << 8) | c->in[off + 1]);
		if (c->in_len - off - 2 < mlen)
			break;
		const uint8_t *msg = c->in + off + 2;
		lns_ns_bump(&c->tcp->counts.queries, 1);
		if (lns_axfr_is_xfr(msg, mlen)) {
			size_t at = c->out_len;
			lns_axfr_stream(view, msg, mlen, (const struct sockaddr *)&c->peer, &c->out, &c->out_len, &c->out_cap);
			/* A transfer counts once, by its first message. */
			if (c->out_len > at + 2)
				lns_ns_count_answer(&c->tcp->counts, c->out + at + 2, c->out_len - at - 2);
		} else {
			out_reserve(c, 2 + MSG_MAX);
			lns_client_t client = { (const struct sockaddr *)&c->peer, true };
			size_t n = lns_answer(view, msg, mlen, c->out + c->out_len + 2, MSG_MAX, &client);
			if (n) {
				lns_ns_count_answer(&c->tcp->counts, c->out + c->out_len + 2, n);
				c->out[c->out_len] = (uint8_t)(n >> 8);
				c->out[c->out_len + 1] = (uint8_t)n;
				c->out_len += 2 + n;
			} else {
				lns_ns_bump(&c->tcp->counts.dropped, 1);
			}
		}
		off += 2 + mlen;
		taken++;
		if (c->tcp->max_queries && ++c->answered >= c->tcp->max_queries)
			c->last = true;
	}
	lns_view_read_end();
	if (c->last && !was_last) {
		off = c->in_len; /* what follows the last answer is not read */
		char text[64];
		lns_ns_bump(&c->tcp->n_capped, 1);
		lns_log_limited(&rl_capped, 2, LNS_LOG_INFO, "tcp: %s: %u answers on one connection (server.tcp_max_queries): closing it",
			peer_text(&c->peer, text, sizeof(text)), c->answered);
	}
	memmove(c->in, c->in + off, c->in_len - off);
	c->in_len -= off;
	return taken;
}

/* Room for the message being read (its length is known from 2 bytes on);
 * the buffer shrinks back once a large message is done. */
static void in_reserve(conn_t *c)
{
	size_t need = IN_MIN;
	if (c->in_len >= 2)
		need = 2 + (size_t)((c->in[0] << 8) | c->in[1]);
	if (need < IN_MIN)
		need = IN_MIN;
	if (need <= c->in_len && c->in_len < 2 * (2 + MSG_MAX)) /* complete, not taken (no view yet) */
		need = c->in_len + IN_MIN;
	if (c->in_len == 0 && c->in_cap > 8 * IN_MIN) {
		free(c->in);
		c->in = NULL;
		c->in_cap = 0;
	}
	if (c->in_cap < need) {
		c->in = lns_xrealloc(c->in, need);
		c->in_cap = need;
	}
}

/* Sends what is queued; true while the connection lives. */
static bool flush(conn_t *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return true;
			return false;
		}
		c->out_off += (size_t)n;
		ev_timer_again(c->tcp->loop, &c->idle); /* a slow reader that reads is not idle */
	}
	c->out_off = c->out_len = 0;
	if (c->out_cap > 4 * (2 + MSG_MAX)) { /* give back what a transfer took */
		free(c->out);
		c->out = NULL;
		c->out_cap = 0;
	}
	return true;
}

/* After the last answer: our side is shut, and what the peer still sends
 * is read and thrown away until it closes or DRAIN_S runs out (closing
 * with unread input would send a reset, which can destroy the answers in
 * flight). */
static void drain_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	conn_t *c = w->data;
	uint8_t junk[512];
	ssize_t n = recv(c->fd, junk, sizeof(junk), 0);
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
		conn_close(c);
}

static void begin_drain(conn_t *c)
{
	struct ev_loop *loop = c->tcp->loop;
	shutdown(c->fd, SHUT_WR);
	ev_io_stop(loop, &c->io);
	ev_set_cb(&c->io, drain_cb);
	ev_io_set(&c->io, c->fd, EV_READ);
	ev_io_start(loop, &c->io);
	ev_timer_stop(loop, &c->idle);
	ev_timer_stop(loop, &c->rd);
	ev_timer_set(&c->rd, DRAIN_S, 0.0);
	ev_timer_start(loop, &c->rd);
}

static void conn_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	conn_t *c = w->data;
	if (revents & EV_READ) {
		in_reserve(c);
		ssize_t n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
			conn_close(c);
			return;
		}
		if (n > 0) {
			c->in_len += (size_t)n;
			ev_timer_again(loop, &c->idle);
			unsigned taken = process(c);
			/* The read deadline runs from a message's first byte to its last. */
			if (c->in_len == 0) {
				ev_timer_stop(loop, &c->rd);
			} else if (taken || !ev_is_active(&c->rd)) {
				ev_timer_stop(loop, &c->rd);
				ev_timer_set(&c->rd, c->tcp->read_timeout, 0.0);
				ev_timer_start(loop, &c->rd);
			}
		}
	}
	if (!flush(c)) {
		conn_close(c);
		return;
	}
	if (c->last && c->out_len == 0) {
		begin_drain(c);
		return;
	}
	/* Read only while nothing waits to be sent. */
	int want = c->out_off < c->out_len ? EV_WRITE : EV_READ;
	if ((c->io.events & (EV_READ | EV_WRITE)) != want) {
		ev_io_stop(loop, &c->io);
		ev_io_set(&c->io, c->fd, want);
		ev_io_start(loop, &c->io);
	}
}

static void idle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	conn_t *c = w->data;
	lns_ns_bump(&c->tcp->n_idle, 1);
	conn_close(c);
}

/* A message begun and not finished in time (slowloris), or the end of a
 * drain. While its answers wait to be sent we are the slow side: wait. */
static void rd_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	conn_t *c = w->data;
	if (!c->last) {
		if (c->out_off < c->out_len) {
			ev_timer_set(w, c->tcp->read_timeout, 0.0);
			ev_timer_start(loop, w);
			return;
		}
		char text[64];
		lns_ns_bump(&c->tcp->n_read, 1);
		lns_log_limited(&rl_read, 2, LNS_LOG_NOTICE,
			"tcp: %s: a message not complete within %.0f ms (server.tcp_read_timeout_ms): closed",
			peer_text(&c->peer, text, sizeof(text)), c->tcp->read_timeout * 1000);
	}
	conn_close(c);
}

/* Refuses a connection at once with a reset: nothing is read, and no
 * TIME-WAIT is left on our side by a source that keeps trying. */
static void refuse(struct lns_tcp *t, int fd, const struct sockaddr_storage *peer)
{
	char text[64];
	struct linger lg = { 1, 0 };
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
	lns_ns_bump(&t->n_per_source, 1);
	lns_log_limited(&rl_source, 2, LNS_LOG_NOTICE,
		"tcp: %s has %u connections open (server.tcp_max_per_source): refusing more",
		peer_text(peer, text, sizeof(text)), t->max_per_source);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct lns_tcp *t = w->data;
	/* A bounded number per call, so that a connection flood does not keep
	 * this loop from serving the connections it has. */
	for (unsigned k = 0; k < 64; k++) {
		if (t->n_conns >= t->max_conns) {
			lns_ns_bump(&t->n_full, 1);
			lns_log_limited(&rl_full, 1, LNS_LOG_NOTICE,
				"tcp: %u connections open (server.tcp_max_connections): new ones wait in the listen backlog",
				t->n_conns);
			set_accepting(t, false);
			return;
		}
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		int fd = accept4(w->fd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
				lns_log_limited(&rl_accept, 5, LNS_LOG_WARNING, "tcp: accept: %s", strerror(errno));
			return;
		}
		uint32_t b = source_bucket(t, &peer);
		if (t->max_per_source && source_count(t, b, &peer) >= t->max_per_source) {
			refuse(t, fd, &peer);
			continue;
		}
		int on = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
		conn_t *c = lns_xcalloc(1, sizeof(*c));
		c->tcp = t;
		c->fd = fd;
		c->peer = peer;
		c->next = t->conns;
		if (t->conns)
			t->conns->prev = c;
		t->conns = c;
		c->src = b;
		c->src_next = t->by_source[b];
		if (c->src_next)
			c->src_next->src_prev = c;
		t->by_source[b] = c;
		t->n_conns++;
		ev_io_init(&c->io, conn_cb, fd, EV_READ);
		c->io.data = c;
		ev_init(&c->idle, idle_cb);
		c->idle.repeat = t->idle_timeout;
		c->idle.data = c;
		ev_init(&c->rd, rd_cb);
		c->rd.data = c;
		ev_io_start(loop, &c->io);
		ev_timer_again(loop, &c->idle);
	}
}

static void stop_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

static void *tcp_main(void *arg)
{
	struct lns_tcp *t = arg;
	lns_view_reader_register();
	ev_run(t->loop, 0);
	while (t->conns)
		conn_close(t->conns);
	set_accepting(t, false);
	lns_view_reader_unregister();
	return NULL;
}

lns_tcp_t *lns_tcp_start(const int *fds, unsigned n, const lns_config_t *cfg, lns_err_t *err)
{
	/* Aligned for the counters' cache lines. */
	struct lns_tcp *t = aligned_alloc(64, (sizeof(*t) + 63) / 64 * 64);
	if (!t) {
		lns_err_set(err, NULL, 0, "tcp: cannot start its thread: out of memory");
		return NULL;
	}
	memset(t, 0, sizeof(*t));
	t->loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOSIGMASK);
	t->max_conns = cfg->tcp_max_connections;
	t->idle_timeout = cfg->tcp_idle_timeout_ms / 1000.0;
	t->max_per_source = cfg->tcp_max_per_source;
	t->max_queries = cfg->tcp_max_queries;
	t->read_timeout = cfg->tcp_read_timeout_ms / 1000.0;
	uint32_t buckets = 64;
	while (buckets < t->max_conns && buckets < (1u << 20))
		buckets <<= 1;
	t->by_source = lns_xcalloc(buckets, sizeof(*t->by_source));
	t->source_mask = buckets - 1;
	if (getrandom(t->key, sizeof(t->key), 0) != (ssize_t)sizeof(t->key))
		lns_warn("tcp: no random key for the per-source table: %s", strerror(errno)); /* still correct, guessable */
	t->n_listen = n < LISTEN_MAX ? n : LISTEN_MAX;
	for (unsigned i = 0; i < t->n_listen; i++) {
		ev_io_init(&t->listen[i], accept_cb, fds[i], EV_READ);
		t->listen[i].data = t;
	}
	set_accepting(t, true);
	ev_async_init(&t->stop, stop_cb);
	ev_async_start(t->loop, &t->stop);
	int rc = pthread_create(&t->thread, NULL, tcp_main, t);
	if (rc != 0) {
		lns_err_set(err, NULL, 0, "tcp: cannot start its thread: %s", strerror(rc));
		ev_loop_destroy(t->loop);
		free(t->by_source);
		free(t);
		return NULL;
	}
	return t;
}

void lns_tcp_stop(lns_tcp_t *t)
{
	if (!t)
		return;
	ev_async_send(t->loop, &t->stop);
	pthread_join(t->thread, NULL);
	for (unsigned i = 0; i < t->n_listen; i++)
		close(t->listen[i].fd);
	ev_loop_destroy(t->loop);
	free(t->by_source);
	free(t);
}

void lns_tcp_counts(const lns_tcp_t *t, lns_query_counts_t *out)
{
	lns_ns_counters_add(&t->counts, out, &out->tcp, &out->dropped);
	out->tcp_full += atomic_load_explicit(&t->n_full, memory_order_relaxed);
	out->tcp_refused_per_source += atomic_load_explicit(&t->n_per_source, memory_order_relaxed);
	out->tcp_idle_closed += atomic_load_explicit(&t->n_idle, memory_order_relaxed);
	out->tcp_read_timeouts += atomic_load_explicit(&t->n_read, memory_order_relaxed);
	out->tcp_query_cap += atomic_load_explicit(&t->n_capped, memory_order_relaxed);
}
