/*
 * nameserver/udp: UDP worker threads. Each owns one SO_REUSEPORT socket and
 * answers batches of queries with recvmmsg/sendmmsg; buffers are allocated
 * once per worker. A socket bound to a wildcard address answers from the
 * address the query came to (IP_PKTINFO / IPV6_RECVPKTINFO). Answers go
 * through response rate limiting (rrl.c) when the configuration asks for
 * it: the verdict comes before the answer is built, so a dropped one costs
 * no answering.
 */
#include "config.h"

#include "core/log.h"
#include "nameserver/nameserver_int.h"
#include "nameserver/rrl.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BATCH 32
#define BUF 4096
#define CMSG_ROOM 64

struct lns_udp_worker {
	int fd;
	_Atomic bool stop;
	bool pktinfo;
	pthread_t thread;
	lns_ns_counters_t counts;  /* cache lines of their own */
	lns_rrl_t *rrl;            /* shared by the workers; not owned */
	lns_rrl_local_t rrl_local;
	struct mmsghdr in[BATCH], out[BATCH];
	struct iovec in_iov[BATCH], out_iov[BATCH];
	struct sockaddr_storage peer[BATCH];
	uint8_t in_cmsg[BATCH][CMSG_ROOM], out_cmsg[BATCH][CMSG_ROOM];
	uint8_t in_buf[BATCH][BUF], out_buf[BATCH][BUF];
};

static lns_ratelimit_t rl_recv, rl_send, rl_rrl;

static bool is_wildcard(const lns_addr_t *a)
{
	if (a->ss.ss_family == AF_INET)
		return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr == htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
}

int lns_udp_socket(const lns_addr_t *addr, bool *pktinfo, lns_err_t *err)
{
	char text[80];
	int on = 1, fd = socket(addr->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) == -1)
		goto fail;
	if (addr->ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) == -1)
		goto fail;
	*pktinfo = is_wildcard(addr);
	if (*pktinfo) {
		int r = addr->ss.ss_family == AF_INET ? setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on))
						       : setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
		if (r == -1)
			goto fail;
	}
	int size = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)); /* best effort */
	if (bind(fd, (const struct sockaddr *)&addr->ss, addr->len) == -1)
		goto fail;
	return fd;
fail:;
	int e = errno;
	lns_err_set(err, NULL, 0, "udp %s: %s", lns_addr_render(addr, text, sizeof(text)), strerror(e));
	if (fd != -1)
		close(fd);
	return -e;
}

/* The reply leaves from the address the query was sent to. */
static size_t reply_cmsg(const struct msghdr *in, uint8_t *out, size_t room)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(in); c; c = CMSG_NXTHDR((struct msghdr *)in, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			pi.ipi_spec_dst = pi.ipi_addr;
			pi.ipi_ifindex = 0;
			struct cmsghdr *o = (struct cmsghdr *)out;
			o->cmsg_level = IPPROTO_IP;
			o->cmsg_type = IP_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(o), &pi, sizeof(pi));
			return CMSG_SPACE(sizeof(pi)) <= room ? CMSG_SPACE(sizeof(pi)) : 0;
		}
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct cmsghdr *o = (struct cmsghdr *)out;
			o->cmsg_level = IPPROTO_IPV6;
			o->cmsg_type = IPV6_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
			memcpy(CMSG_DATA(o), CMSG_DATA(c), sizeof(struct in6_pktinfo));
			return CMSG_SPACE(sizeof(struct in6_pktinfo)) <= room ? CMSG_SPACE(sizeof(struct in6_pktinfo)) : 0;
		}
	}
	return 0;
}

/* Resets the first n receive headers (the kernel changed their lengths). */
static void prepare(lns_udp_worker_t *w, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		w->in_iov[i].iov_base = w->in_buf[i];
		w->in_iov[i].iov_len = BUF;
		struct msghdr *h = &w->in[i].msg_hdr;
		memset(h, 0, sizeof(*h));
		h->msg_name = &w->peer[i];
		h->msg_namelen = sizeof(w->peer[i]);
		h->msg_iov = &w->in_iov[i];
		h->msg_iovlen = 1;
		if (w->pktinfo) {
			h->msg_control = w->in_cmsg[i];
			h->msg_controllen = CMSG_ROOM;
		}
	}
}

static void send_all(lns_udp_worker_t *w, unsigned n)
{
	unsigned done = 0;
	while (done < n) {
		int r = sendmmsg(w->fd, w->out + done, n - done, 0);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			lns_log_limited(&rl_send, 5, LNS_LOG_WARNING, "udp: send: %s", strerror(errno));
			done++; /* skip the one that failed */
			continue;
		}
		done += (unsigned)r;
	}
}

/* The RRL verdict on a query; responses (QR=1) and runts are left to
 * lns_answer, which drops them without debiting anyone. */
static enum lns_rrl_verdict rrl_verdict(lns_udp_worker_t *w, const lns_rrl_conf_t *rc, unsigned i, uint64_t now)
{
	bool onset;
	if (w->in[i].msg_len < LNS_HDR || (w->in_buf[i][2] & 0x80))
		return LNS_RRL_PASS;
	const struct sockaddr *src = (const struct sockaddr *)&w->peer[i];
	enum lns_rrl_verdict v = lns_rrl_check(w->rrl, rc, &w->rrl_local, src, now, &onset);
	if (onset) {
		char prefix[64];
		lns_log_limited(&rl_rrl, 5, LNS_LOG_NOTICE, "rrl: %s over %u answers/s: limiting it (slip %u, window %u s)",
			lns_rrl_prefix_render(rc, src, prefix, sizeof(prefix)), rc->rate, rc->slip, rc->window);
	}
	return v;
}

static void handle(lns_udp_worker_t *w, unsigned n)
{
	unsigned m = 0;
	uint64_t dropped = 0;
	const lns_view_t *view = lns_view_read_begin();
	const lns_rrl_conf_t *rc = view && view->config->rrl.enabled && w->rrl ? &view->config->rrl : NULL;
	uint64_t now = 0;
	if (rc) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	}
	for (unsigned i = 0; i < n; i++) {
		struct msghdr *h = &w->in[i].msg_hdr;
		lns_client_t client = { (const struct sockaddr *)h->msg_name, false };
		enum lns_rrl_verdict v = rc ? rrl_verdict(w, rc, i, now) : LNS_RRL_PASS;
		if (v == LNS_RRL_DROP)
			continue;
		size_t len = view ? lns_answer(view, w->in_buf[i], w->in[i].msg_len, w->out_buf[m], BUF, &client) : 0;
		if (len && v == LNS_RRL_SLIP)
			len = lns_rrl_slip(w->out_buf[m], len);
		if (len == 0) {
			dropped++;
			continue;
		}
		lns_ns_count_answer(&w->counts, w->out_buf[m], len);
		struct msghdr *o = &w->out[m].msg_hdr;
		w->out_iov[m].iov_base = w->out_buf[m];
		w->out_iov[m].iov_len = len;
		o->msg_name = h->msg_name;
		o->msg_namelen = h->msg_namelen;
		o->msg_iov = &w->out_iov[m];
		o->msg_iovlen = 1;
		o->msg_flags = 0;
		o->msg_control = NULL;
		o->msg_controllen = 0;
		if (w->pktinfo) {
			size_t cl = reply_cmsg(h, w->out_cmsg[m], CMSG_ROOM);
			if (cl) {
				o->msg_control = w->out_cmsg[m];
				o->msg_controllen = cl;
			}
		}
		m++;
	}
	lns_view_read_end();
	if (m)
		send_all(w, m);
	lns_ns_bump(&w->counts.queries, n);
	if (dropped)
		lns_ns_bump(&w->counts.dropped, dropped);
}

static void *worker_main(void *arg)
{
	lns_udp_worker_t *w = arg;
	unsigned used = BATCH;
	lns_view_reader_register();
	/* Under load the queue is rarely empty, so try without blocking first;
	 * otherwise block until one datagram is there and take whatever else
	 * is queued with it. lns_udp_stop wakes the blocked call. */
	while (!w->stop) {
		prepare(w, used);
		int n = recvmmsg(w->fd, w->in, BATCH, MSG_DONTWAIT, NULL);
		if (n == -1 && errno == EAGAIN)
			n = recvmmsg(w->fd, w->in, BATCH, MSG_WAITFORONE, NULL);
		if (n > 0) {
			handle(w, (unsigned)n);
			used = (unsigned)n;
			continue;
		}
		used = BATCH;
		if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			lns_log_limited(&rl_recv, 5, LNS_LOG_WARNING, "udp: receive: %s", strerror(errno));
			usleep(1000); /* a persistent error must not spin */
		}
	}
	lns_view_reader_unregister();
	return NULL;
}

lns_udp_worker_t *lns_udp_start(int fd, bool pktinfo, lns_rrl_t *rrl, lns_err_t *err)
{
	/* Aligned for the counters' cache lines. */
	lns_udp_worker_t *w = aligned_alloc(64, (sizeof(*w) + 63) / 64 * 64);
	if (!w) {
		lns_err_set(err, NULL, 0, "udp: cannot start a worker: out of memory");
		return NULL;
	}
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->pktinfo = pktinfo;
	w->rrl = rrl;
	int rc = pthread_create(&w->thread, NULL, worker_main, w);
	if (rc != 0) {
		lns_err_set(err, NULL, 0, "udp: cannot start a worker: %s", strerror(rc));
		free(w);
		return NULL;
	}
	return w;
}

void lns_udp_stop(lns_udp_worker_t *w)
{
	w->stop = true;
	/* Wakes the blocked receive; on an unbound-peer UDP socket it reports
	 * ENOTCONN but still shuts the socket down, which is what we need. */
	shutdown(w->fd, SHUT_RDWR);
}

void lns_udp_join(lns_udp_worker_t *w)
{
	pthread_join(w->thread, NULL);
	close(w->fd);
	free(w);
}

void lns_udp_counts(const lns_udp_worker_t *w, lns_query_counts_t *out)
{
	lns_ns_counters_add(&w->counts, out, &out->udp, &out->dropped);
	const lns_rrl_local_t *r = &w->rrl_local;
	out->rrl_limited += atomic_load_explicit(&r->limited, memory_order_relaxed);
	out->rrl_dropped += atomic_load_explicit(&r->dropped, memory_order_relaxed);
	out->rrl_slipped += atomic_load_explicit(&r->slipped, memory_order_relaxed);
	out->rrl_evicted += atomic_load_explicit(&r->evicted, memory_order_relaxed);
}
