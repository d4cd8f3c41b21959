/*
 * nameserver/tcp: DNS over TCP (RFC 7766) on one thread with its own libev
 * loop: length-prefixed messages, several queries per connection, pipelined
 * answers in order, an idle timeout, and a connection limit (accepting
 * pauses at the limit). A connection that does not read its answers stops
 * being read (backpressure). AXFR/IXFR are streamed from axfr.c.
 */
#include "config.h"

#include "core/log.h"
#include "nameserver/nameserver_int.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define MSG_MAX 65535
#define LISTEN_MAX (LNS_MAX_LISTEN * 2)

typedef struct conn {
	struct lns_tcp *tcp;
	int fd;
	ev_io io;
	ev_timer idle;
	struct sockaddr_storage peer;
	uint8_t *in;
	size_t in_len;
	uint8_t *out;
	size_t out_len, out_off, out_cap;
	struct conn *prev, *next;
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
};

static lns_ratelimit_t rl_accept;

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

static void conn_close(conn_t *c)
{
	struct lns_tcp *t = c->tcp;
	ev_io_stop(t->loop, &c->io);
	ev_timer_stop(t->loop, &c->idle);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		t->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
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

/* Answers every complete message in the input buffer. */
static void process(conn_t *c)
{
	size_t off = 0;
	const lns_view_t *view = lns_view_read_begin();
	while (view && c->in_len - off >= 2) {
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
	}
	lns_view_read_end();
	memmove(c->in, c->in + off, c->in_len - off);
	c->in_len -= off;
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
	}
	c->out_off = c->out_len = 0;
	if (c->out_cap > 4 * (2 + MSG_MAX)) { /* give back what a transfer took */
		free(c->out);
		c->out = NULL;
		c->out_cap = 0;
	}
	return true;
}

static void conn_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	conn_t *c = w->data;
	if (revents & EV_READ) {
		ssize_t n = recv(c->fd, c->in + c->in_len, 2 + MSG_MAX - c->in_len, 0);
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
			conn_close(c);
			return;
		}
		if (n > 0) {
			c->in_len += (size_t)n;
			ev_timer_again(loop, &c->idle);
			process(c);
		}
	}
	if (!flush(c)) {
		conn_close(c);
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
	conn_close(w->data);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct lns_tcp *t = w->data;
	while (t->n_conns < t->max_conns) {
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		int fd = accept4(w->fd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
				lns_log_limited(&rl_accept, 5, LNS_LOG_WARNING, "tcp: accept: %s", strerror(errno));
			return;
		}
		int on = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
		conn_t *c = lns_xcalloc(1, sizeof(*c));
		c->tcp = t;
		c->fd = fd;
		c->peer = peer;
		c->in = lns_xmalloc(2 + MSG_MAX);
		c->next = t->conns;
		if (t->conns)
			t->conns->prev = c;
		t->conns = c;
		t->n_conns++;
		ev_io_init(&c->io, conn_cb, fd, EV_READ);
		c->io.data = c;
		ev_init(&c->idle, idle_cb);
		c->idle.repeat = t->idle_timeout;
		c->idle.data = c;
		ev_io_start(loop, &c->io);
		ev_timer_again(loop, &c->idle);
	}
	set_accepting(t, false);
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
	free(t);
}

void lns_tcp_counts(const lns_tcp_t *t, lns_query_counts_t *out)
{
	lns_ns_counters_add(&t->counts, out, &out->tcp, &out->dropped);
}
