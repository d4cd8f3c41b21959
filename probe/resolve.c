/* probe/resolve: c-ares ares_getaddrinfo on libev. */
#include "config.h"

#include "probe/resolve.h"

#include <ares.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FDS 16
#define LNS_MAX_RESOLVER_CSV 512

struct lns_resolve_op {
	lns_resolve_cb cb; /* NULL once cancelled */
	void *arg;
};

struct lns_resolver {
	struct ev_loop *loop;
	ares_channel channel;
	ev_io io[MAX_FDS];
	bool used[MAX_FDS];
	ev_timer timer;
	bool destroying;
};

static void rearm(lns_resolver_t *r)
{
	struct timeval tv, *t = ares_timeout(r->channel, NULL, &tv);
	ev_timer_stop(r->loop, &r->timer);
	if (t) {
		ev_timer_set(&r->timer, t->tv_sec + t->tv_usec / 1e6, 0.0);
		ev_timer_start(r->loop, &r->timer);
	}
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	lns_resolver_t *r = w->data;
	ares_process_fd(r->channel, revents & EV_READ ? w->fd : ARES_SOCKET_BAD,
		revents & EV_WRITE ? w->fd : ARES_SOCKET_BAD);
	rearm(r);
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	lns_resolver_t *r = w->data;
	ares_process_fd(r->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	rearm(r);
}

static void sock_state_cb(void *data, ares_socket_t fd, int readable, int writable)
{
	lns_resolver_t *r = data;
	int slot = -1, free_slot = -1;
	for (int i = 0; i < MAX_FDS; i++) {
		if (r->used[i] && r->io[i].fd == fd)
			slot = i;
		else if (!r->used[i] && free_slot < 0)
			free_slot = i;
	}
	if (slot >= 0) {
		ev_io_stop(r->loop, &r->io[slot]);
		r->used[slot] = false;
	}
	if (!readable && !writable)
		return;
	if (slot < 0)
		slot = free_slot;
	if (slot < 0)
		return; /* more sockets than we watch: c-ares times them out */
	ev_io_init(&r->io[slot], io_cb, fd, (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0));
	r->io[slot].data = r;
	ev_io_start(r->loop, &r->io[slot]);
	r->used[slot] = true;
}

lns_resolver_t *lns_resolver_new(struct ev_loop *loop, const lns_addr_t *servers, unsigned n, lns_err_t *err)
{
	static bool lib_ready;
	if (!lib_ready && ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) {
		lns_err_set(err, NULL, 0, "resolver: c-ares cannot initialise");
		return NULL;
	}
	lib_ready = true;
	lns_resolver_t *r = lns_xcalloc(1, sizeof(*r));
	r->loop = loop;
	struct ares_options opts = { .sock_state_cb = sock_state_cb, .sock_state_cb_data = r, .timeout = 1000,
		.tries = 2 };
	int rc = ares_init_options(&r->channel, &opts, ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
	if (rc != ARES_SUCCESS) {
		lns_err_set(err, NULL, 0, "resolver: %s", ares_strerror(rc));
		free(r);
		return NULL;
	}
	if (n) {
		char csv[LNS_MAX_RESOLVER_CSV] = "", one[80];
		for (unsigned i = 0; i < n; i++) {
			char host[INET6_ADDRSTRLEN];
			const lns_addr_t *a = &servers[i];
			const void *p = a->ss.ss_family == AF_INET ? (const void *)&((const struct sockaddr_in *)&a->ss)->sin_addr
								   : (const void *)&((const struct sockaddr_in6 *)&a->ss)->sin6_addr;
			inet_ntop(a->ss.ss_family, p, host, sizeof(host));
			snprintf(one, sizeof(one), a->ss.ss_family == AF_INET ? "%s%s:%u" : "%s[%s]:%u", i ? "," : "", host,
				lns_addr_port(a));
			strncat(csv, one, sizeof(csv) - strlen(csv) - 1);
		}
		if ((rc = ares_set_servers_ports_csv(r->channel, csv)) != ARES_SUCCESS) {
			lns_err_set(err, NULL, 0, "resolver: servers %s: %s", csv, ares_strerror(rc));
			ares_destroy(r->channel);
			free(r);
			return NULL;
		}
	}
	ev_init(&r->timer, timer_cb);
	r->timer.data = r;
	return r;
}

void lns_resolver_free(lns_resolver_t *r)
{
	if (!r)
		return;
	r->destroying = true;
	ares_destroy(r->channel); /* calls back every query with ARES_EDESTRUCTION */
	for (int i = 0; i < MAX_FDS; i++)
		if (r->used[i])
			ev_io_stop(r->loop, &r->io[i]);
	ev_timer_stop(r->loop, &r->timer);
	free(r);
}

static void addrinfo_cb(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	lns_resolve_op_t *op = arg;
	lns_resolved_t out = { .ttl = UINT32_MAX };
	if (status == ARES_SUCCESS && res) {
		for (struct ares_addrinfo_node *n = res->nodes; n; n = n->ai_next) {
			if (n->ai_family == AF_INET && !out.has_v4) {
				memcpy(out.v4, &((struct sockaddr_in *)n->ai_addr)->sin_addr, 4);
				out.has_v4 = true;
			} else if (n->ai_family == AF_INET6 && !out.has_v6) {
				memcpy(out.v6, &((struct sockaddr_in6 *)n->ai_addr)->sin6_addr, 16);
				out.has_v6 = true;
			}
			if (n->ai_ttl >= 0 && (unsigned)n->ai_ttl < out.ttl)
				out.ttl = (unsigned)n->ai_ttl;
		}
		out.ok = out.has_v4 || out.has_v6;
	}
	if (out.ttl == UINT32_MAX)
		out.ttl = 0;
	if (!out.ok)
		snprintf(out.error, sizeof(out.error), "%s", status == ARES_SUCCESS ? "no address" : ares_strerror(status));
	if (res)
		ares_freeaddrinfo(res);
	if (op->cb && status != ARES_EDESTRUCTION)
		op->cb(op->arg, &out);
	free(op);
}

lns_resolve_op_t *lns_resolve(lns_resolver_t *r, const char *host, lns_resolve_cb cb, void *arg)
{
	lns_resolve_op_t *op = lns_xcalloc(1, sizeof(*op));
	op->cb = cb;
	op->arg = arg;
	struct ares_addrinfo_hints hints = { .ai_family = AF_UNSPEC };
	ares_getaddrinfo(r->channel, host, NULL, &hints, addrinfo_cb, op);
	rearm(r);
	return op;
}

void lns_resolve_cancel(lns_resolve_op_t *op)
{
	if (op)
		op->cb = NULL; /* freed by c-ares' callback */
}
