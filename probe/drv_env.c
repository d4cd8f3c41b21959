/*
 * probe/drv_env: the env shared by the drivers and the life of an op:
 * start, deadline, finish, delivery on the loop, cancel.
 *
 * A result is never delivered from where it is found: finish stops the
 * driver at once and re-arms the op's timer to fire on the next loop
 * iteration, which calls done. So done never runs inside lns_probe_start,
 * nor inside libcurl or c-ares, and it may cancel other ops or free the env.
 */
#include "config.h"

#define LNS_PROBE_DRIVERS_INTERNAL
#include "probe/probe_drivers.h"

#include <ares.h>
#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Monotonic seconds, for round-trip times that wall-clock steps cannot bend. */
static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

lns_probe_env_t *lns_probe_env_new(struct ev_loop *loop, lns_err_t *err)
{
	int rc = ares_library_init(ARES_LIB_INIT_ALL);
	if (rc != ARES_SUCCESS) {
		lns_err_set(err, NULL, 0, "probe: c-ares: %s", ares_strerror(rc));
		return NULL;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		lns_err_set(err, NULL, 0, "probe: libcurl cannot initialise");
		ares_library_cleanup();
		return NULL;
	}
	lns_probe_env_t *env = lns_xcalloc(1, sizeof(*env));
	env->loop = loop;
	if (lns_probe_http_env_init(env, err) != 0) {
		free(env);
		curl_global_cleanup();
		ares_library_cleanup();
		return NULL;
	}
	return env;
}

static void unlink_op(lns_probe_op_t *op)
{
	if (op->prev)
		op->prev->next = op->next;
	else
		op->env->ops = op->next;
	if (op->next)
		op->next->prev = op->prev;
	op->prev = op->next = NULL;
}

void lns_probe_cancel(lns_probe_op_t *op)
{
	if (!op)
		return;
	ev_timer_stop(op->env->loop, &op->timer);
	if (op->drv_state)
		op->drv->stop(op);
	unlink_op(op);
	free(op);
}

void lns_probe_env_free(lns_probe_env_t *env)
{
	if (!env)
		return;
	while (env->ops)
		lns_probe_cancel(env->ops);
	lns_probe_http_env_deinit(env);
	lns_probe_icmp_env_deinit(env);
	free(env);
	curl_global_cleanup();
	ares_library_cleanup();
}

void lns_probe_op_finish(lns_probe_op_t *op, bool ok, const char *fmt, ...)
{
	if (op->finished)
		return;
	op->finished = true;
	op->result.ok = ok;
	op->result.rtt_ms = (mono_now() - op->started) * 1000.0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(op->result.reason, sizeof(op->result.reason), fmt, ap);
	va_end(ap);
	if (!ok)
		op->result.load = -1;
	if (op->drv_state)
		op->drv->stop(op);
	ev_timer_stop(op->env->loop, &op->timer);
	ev_timer_set(&op->timer, 0., 0.);
	ev_timer_start(op->env->loop, &op->timer);
}

/* The deadline, or (once finished) the delivery. */
static void op_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	lns_probe_op_t *op = w->data;
	if (!op->finished && !op->deferred) {
		/* When the loop was held up, the answer may be waiting beside the
		 * deadline: let this pass's I/O run before calling it a timeout. */
		op->deferred = true;
		ev_timer_set(&op->timer, 0., 0.);
		ev_timer_start(loop, &op->timer);
		return;
	}
	if (!op->finished) {
		if (op->drv->timeout_reason)
			lns_probe_op_finish(op, false, "%s", op->drv->timeout_reason);
		else
			lns_probe_op_finish(op, false, "timeout %u ms", op->timeout_ms);
		return;
	}
	lns_probe_result_t r = op->result;
	lns_probe_done_cb done = op->done;
	void *arg = op->arg;
	unlink_op(op);
	free(op);
	done(arg, &r);
}

static void fail_start(lns_probe_op_t *op, const lns_probe_target_t *t)
{
	if (!t || !t->conf)
		lns_probe_op_finish(op, false, "no probe configured");
	else if (t->conf->type == LNS_PROBE_NONE)
		lns_probe_op_finish(op, false, "probe type none");
	else if (t->addr.ss.ss_family != AF_INET && t->addr.ss.ss_family != AF_INET6)
		lns_probe_op_finish(op, false, "unsupported address family");
	else
		lns_probe_op_finish(op, false, "unknown probe type %d", (int)t->conf->type);
}

static const lns_probe_driver_t fail_driver = { "none", fail_start, NULL, NULL };

static const lns_probe_driver_t *driver_for(const lns_probe_target_t *t)
{
	if (!t || !t->conf)
		return &fail_driver;
	if (t->addr.ss.ss_family != AF_INET && t->addr.ss.ss_family != AF_INET6)
		return &fail_driver;
	switch (t->conf->type) {
	case LNS_PROBE_ICMP: return &lns_probe_icmp_driver;
	case LNS_PROBE_TCP: return &lns_probe_tcp_driver;
	case LNS_PROBE_HTTP:
	case LNS_PROBE_HTTPS:
	case LNS_PROBE_LOAD: return &lns_probe_http_driver;
	case LNS_PROBE_DNS: return &lns_probe_dns_driver;
	case LNS_PROBE_NONE: break;
	}
	return &fail_driver;
}

lns_probe_op_t *lns_probe_start(lns_probe_env_t *env, const lns_probe_target_t *t, lns_probe_done_cb done,
	void *arg)
{
	lns_probe_op_t *op = lns_xcalloc(1, sizeof(*op));
	op->env = env;
	op->drv = driver_for(t);
	op->done = done;
	op->arg = arg;
	op->started = mono_now();
	op->timeout_ms = t && t->conf && t->conf->timeout_ms ? t->conf->timeout_ms : 1;
	op->result.load = -1;
	op->next = env->ops;
	if (env->ops)
		env->ops->prev = op;
	env->ops = op;
	/* The loop's cached time may lag behind when this iteration has been
	 * busy; the deadline counts from now. */
	ev_now_update(env->loop);
	ev_timer_init(&op->timer, op_timer_cb, op->timeout_ms / 1000.0, 0.);
	op->timer.data = op;
	ev_timer_start(env->loop, &op->timer);
	op->drv->start(op, t);
	return op;
}
