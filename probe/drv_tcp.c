/*
 * probe/drv_tcp: a tcp probe succeeds when a connection to the address is
 * established within the timeout. Non-blocking connect, writability and
 * SO_ERROR tell the outcome; the connection is closed at once.
 */
#include "config.h"

#define LNS_PROBE_DRIVERS_INTERNAL
#include "probe/probe_drivers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct tcp_state {
	lns_probe_op_t *op;
	ev_io io;
} tcp_state_t;

static void finish_errno(lns_probe_op_t *op, int e)
{
	if (e == 0)
		lns_probe_op_finish(op, true, "ok");
	else if (e == ECONNREFUSED)
		lns_probe_op_finish(op, false, "connection refused");
	else
		lns_probe_op_finish(op, false, "connect: %s", strerror(e));
}

static void tcp_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	tcp_state_t *st = w->data;
	int e = 0;
	socklen_t len = sizeof(e);
	if (getsockopt(w->fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
		e = errno;
	finish_errno(st->op, e);
}

static void tcp_start(lns_probe_op_t *op, const lns_probe_target_t *t)
{
	int fd = socket(t->addr.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		lns_probe_op_finish(op, false, "socket: %s", strerror(errno));
		return;
	}
	tcp_state_t *st = lns_xcalloc(1, sizeof(*st));
	st->op = op;
	ev_io_init(&st->io, tcp_io_cb, fd, EV_WRITE);
	st->io.data = st;
	op->drv_state = st;
	/* A non-blocking connect interrupted by a signal goes on in the
	 * background, like EINPROGRESS. */
	socklen_t len = t->addr.ss.ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	if (connect(fd, (const struct sockaddr *)&t->addr.ss, len) == 0)
		finish_errno(op, 0);
	else if (errno == EINPROGRESS || errno == EINTR)
		ev_io_start(op->env->loop, &st->io);
	else
		finish_errno(op, errno);
}

static void tcp_stop(lns_probe_op_t *op)
{
	tcp_state_t *st = op->drv_state;
	ev_io_stop(op->env->loop, &st->io);
	/* Close with a reset: no FIN exchange, no TIME-WAIT left behind for
	 * every probe (10,000 members probed each second would keep ~600,000). */
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	setsockopt(st->io.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(st->io.fd);
	free(st);
	op->drv_state = NULL;
}

const lns_probe_driver_t lns_probe_tcp_driver = { "tcp", tcp_start, tcp_stop, NULL };
