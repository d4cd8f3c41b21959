/*
 * probe/sched: the prober. One timer per member launches probes through the
 * drivers (probe_drivers.h); results go through the health machine
 * (health.c); the owner hears of changes through its callback.
 */
#include "config.h"

#include "core/log.h"
#include "probe/probe.h"
#include "probe/probe_drivers.h"
#include "probe/resolve.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#define OUTSTANDING_MAX 16

struct member_rt;

typedef struct op_ctx {
	struct member_rt *m;
	lns_probe_op_t *op;
	unsigned slot;
} op_ctx_t;

typedef struct member_rt {
	struct lns_prober *p;
	const lns_pool_conf_t *pool;
	const lns_member_conf_t *conf;
	unsigned pool_idx;
	lns_health_t *health;      /* into the pool's health array */
	ev_timer timer;
	lns_probe_target_t target;
	op_ctx_t *ops[OUTSTANDING_MAX];
	unsigned outstanding;
	unsigned interval_ms;
	ev_timer res_timer;        /* a host name: when to resolve it again */
	lns_resolve_op_t *res_op;
	bool resolving;
} member_rt_t;

typedef struct pool_rt {
	const lns_pool_conf_t *conf;
	lns_health_t *health;      /* n_members */
	member_rt_t *members;      /* n_members */
	uint64_t last_hits;
	bool busy;
} pool_rt_t;

struct lns_prober {
	struct ev_loop *loop;
	lns_probe_env_t *env;
	lns_prober_cb cb;
	void *cb_arg;
	const lns_config_t *cfg;
	const lns_pool_hits_t *hits;
	pool_rt_t *pools;
	unsigned n_pools;
	lns_budget_t budget;
	lns_resolver_t *resolver;
	ev_timer rate_timer;
	uint64_t rng;
	/* Written here only (relaxed load and store); read by any thread. */
	_Atomic uint64_t sent, failed;
};

static void bump(_Atomic uint64_t *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1, memory_order_relaxed);
}

static int64_t mono_ms(struct ev_loop *loop)
{
	return (int64_t)(ev_now(loop) * 1000.0);
}

static double rnd01(lns_prober_t *p)
{
	p->rng ^= p->rng << 13;
	p->rng ^= p->rng >> 7;
	p->rng ^= p->rng << 17;
	return (double)(p->rng >> 11) / 9007199254740992.0;
}

static unsigned max_outstanding(const member_rt_t *m)
{
	unsigned n = m->pool->probe.fall > m->pool->probe.rise ? m->pool->probe.fall : m->pool->probe.rise;
	return n > OUTSTANDING_MAX ? OUTSTANDING_MAX : n;
}

static void arm(member_rt_t *m, double after_ms)
{
	ev_timer_stop(m->p->loop, &m->timer);
	ev_timer_set(&m->timer, after_ms / 1000.0, 0.0);
	ev_timer_start(m->p->loop, &m->timer);
}

/* The next probe: soon while in doubt, else after the (jittered) interval. */
static void schedule(member_rt_t *m)
{
	const lns_probe_conf_t *pc = &m->pool->probe;
	if (lns_health_in_doubt(m->health, m->pool->initial_up)) {
		m->interval_ms = pc->min_interval_ms;
		m->health->interval_ms = pc->recheck_ms;
		arm(m, pc->recheck_ms);
		return;
	}
	m->health->interval_ms = m->interval_ms;
	arm(m, m->interval_ms * (0.9 + 0.2 * rnd01(m->p)));
}

static void done_cb(void *arg, const lns_probe_result_t *r)
{
	op_ctx_t *ctx = arg;
	member_rt_t *m = ctx->m;
	lns_prober_t *p = m->p;
	bool was_in_doubt = lns_health_in_doubt(m->health, m->pool->initial_up);
	m->ops[ctx->slot] = NULL;
	m->outstanding--;
	free(ctx);
	if (!r->ok)
		bump(&p->failed);

	uint8_t before = m->health->state;
	bool changed = lns_health_apply(m->health, &m->pool->probe, m->pool->initial_up, r->ok, r->reason, r->rtt_ms,
		r->load, mono_ms(p->loop), lns_wall_ms());
	if (changed) {
		lns_log(before == LNS_HEALTH_UNKNOWN ? LNS_LOG_INFO : LNS_LOG_NOTICE, "probe: %s/%s %s %s -> %s (%s)",
			m->pool->name, m->conf->name, lns_probe_type_name(m->pool->probe.type), lns_health_state_name(before),
			lns_health_state_name(m->health->state), m->health->reason);
	}
	bool in_doubt = lns_health_in_doubt(m->health, m->pool->initial_up);
	if (in_doubt && !was_in_doubt)
		schedule(m); /* recheck now rather than after the whole interval */
	else if (!in_doubt && was_in_doubt)
		schedule(m);
	else if (!in_doubt && r->ok)
		m->interval_ms = lns_probe_next_interval(&m->pool->probe, m->interval_ms, p->pools[m->pool_idx].busy);
	p->cb(p->cb_arg, changed);
}

static void launch(member_rt_t *m)
{
	lns_prober_t *p = m->p;
	unsigned slot = 0;
	while (slot < OUTSTANDING_MAX && m->ops[slot])
		slot++;
	if (slot == OUTSTANDING_MAX || m->outstanding >= max_outstanding(m))
		return;
	op_ctx_t *ctx = lns_xcalloc(1, sizeof(*ctx));
	ctx->m = m;
	ctx->slot = slot;
	m->ops[slot] = ctx;
	m->outstanding++;
	bump(&p->sent);
	ctx->op = lns_probe_start(p->env, &m->target, done_cb, ctx);
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	member_rt_t *m = w->data;
	unsigned wait;
	if (!lns_budget_take(&m->p->budget, mono_ms(loop), &wait)) {
		arm(m, wait + m->p->n_pools % 7);
		return;
	}
	launch(m);
	schedule(m);
}

/* Once a second: each pool's query rate decides whether it is busy. */
static void rate_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	lns_prober_t *p = w->data;
	for (unsigned i = 0; i < p->n_pools; i++) {
		pool_rt_t *pr = &p->pools[i];
		uint64_t now = p->hits ? atomic_load_explicit(&p->hits[i].n, memory_order_relaxed) : 0;
		uint64_t rate = now >= pr->last_hits ? now - pr->last_hits : 0;
		pr->last_hits = now;
		bool busy = pr->conf->probe.busy_qps && rate >= pr->conf->probe.busy_qps;
		if (busy && !pr->busy) {
			/* Busy now: probe at the short interval from the next probe on. */
			for (unsigned m = 0; m < pr->conf->n_members; m++) {
				member_rt_t *mr = &pr->members[m];
				if (mr->interval_ms > pr->conf->probe.min_interval_ms) {
					mr->interval_ms = pr->conf->probe.min_interval_ms;
					if (!lns_health_in_doubt(mr->health, pr->conf->initial_up) &&
					    ev_timer_remaining(loop, &mr->timer) * 1000.0 > mr->interval_ms)
						schedule(mr);
				}
			}
		}
		pr->busy = busy;
	}
}

static void cancel_member(member_rt_t *m)
{
	ev_timer_stop(m->p->loop, &m->timer);
	ev_timer_stop(m->p->loop, &m->res_timer);
	if (m->res_op)
		lns_resolve_cancel(m->res_op);
	m->res_op = NULL;
	m->resolving = false;
	for (unsigned i = 0; i < OUTSTANDING_MAX; i++) {
		if (m->ops[i]) {
			lns_probe_cancel(m->ops[i]->op);
			free(m->ops[i]);
			m->ops[i] = NULL;
		}
	}
	m->outstanding = 0;
}

static void free_pools(lns_prober_t *p)
{
	for (unsigned i = 0; i < p->n_pools; i++) {
		for (unsigned m = 0; m < p->pools[i].conf->n_members; m++)
			cancel_member(&p->pools[i].members[m]);
		free(p->pools[i].members);
		free(p->pools[i].health);
	}
	free(p->pools);
	p->pools = NULL;
	p->n_pools = 0;
}

/* ---- member host names ---- */

static void start_resolve(member_rt_t *m);

static void set_target(member_rt_t *m)
{
	lns_health_t *h = m->health;
	uint16_t port = lns_addr_port(&m->conf->probe);
	lns_addr_t *a = &m->target.addr;
	memset(a, 0, sizeof(*a));
	if (h->has_v4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, h->v4, 4);
		a->len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, h->v6, 16);
		a->len = sizeof(*sin6);
	}
	lns_addr_set_port(a, port);
}

static void resolved_cb(void *arg, const lns_resolved_t *r)
{
	member_rt_t *m = arg;
	lns_health_t *h = m->health;
	m->res_op = NULL;
	m->resolving = false;
	double again = 2.0;
	bool changed = false;
	if (r->ok) {
		changed = h->has_v4 != r->has_v4 || h->has_v6 != r->has_v6 || (r->has_v4 && memcmp(h->v4, r->v4, 4) != 0) ||
			(r->has_v6 && memcmp(h->v6, r->v6, 16) != 0);
		bool first = !h->has_v4 && !h->has_v6;
		h->has_v4 = r->has_v4;
		h->has_v6 = r->has_v6;
		memcpy(h->v4, r->v4, 4);
		memcpy(h->v6, r->v6, 16);
		h->resolved_at = lns_wall_ms();
		set_target(m);
		if (changed)
			lns_notice("probe: %s/%s %s resolved%s", m->pool->name, m->conf->name, m->conf->host,
				first ? "" : " to new addresses");
		/* Re-resolve when the answer's TTL runs out (1 s to 1 h). */
		again = r->ttl < 1 ? 1 : r->ttl > 3600 ? 3600 : r->ttl;
		if (first && m->pool->probe.type != LNS_PROBE_NONE && !ev_is_active(&m->timer))
			arm(m, rnd01(m->p) * m->pool->probe.min_interval_ms);
	} else {
		lns_log(LNS_LOG_WARNING, "probe: %s/%s cannot resolve %s: %s", m->pool->name, m->conf->name, m->conf->host,
			r->error);
		if (!h->has_v4 && !h->has_v6)
			snprintf(h->reason, sizeof(h->reason), "cannot resolve %.35s: %.35s", m->conf->host, r->error);
	}
	ev_timer_stop(m->p->loop, &m->res_timer);
	ev_timer_set(&m->res_timer, again, 0.0);
	ev_timer_start(m->p->loop, &m->res_timer);
	m->p->cb(m->p->cb_arg, changed);
}

static void res_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	start_resolve(w->data);
}

static void start_resolve(member_rt_t *m)
{
	if (m->resolving)
		return;
	m->resolving = true;
	lns_resolve_op_t *op = lns_resolve(m->p->resolver, m->conf->host, resolved_cb, m);
	if (m->resolving) /* the answer may have come at once */
		m->res_op = op;
}

lns_prober_t *lns_prober_new(struct ev_loop *loop, lns_prober_cb cb, void *arg, lns_err_t *err)
{
	lns_prober_t *p = lns_xcalloc(1, sizeof(*p));
	p->loop = loop;
	p->cb = cb;
	p->cb_arg = arg;
	p->rng = (uint64_t)lns_wall_ms() * 0x9e3779b97f4a7c15ull | 1;
	p->env = lns_probe_env_new(loop, err);
	if (!p->env) {
		free(p);
		return NULL;
	}
	ev_timer_init(&p->rate_timer, rate_cb, 1.0, 1.0);
	p->rate_timer.data = p;
	ev_timer_start(loop, &p->rate_timer);
	return p;
}

void lns_prober_free(lns_prober_t *p)
{
	if (!p)
		return;
	free_pools(p);
	lns_resolver_free(p->resolver);
	ev_timer_stop(p->loop, &p->rate_timer);
	lns_probe_env_free(p->env);
	free(p);
}

static bool same_text(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Whether a member's health still means the same under the new settings. */
static bool same_probe(const lns_probe_conf_t *a, const lns_probe_conf_t *b)
{
	return a->type == b->type && a->port == b->port && a->timeout_ms == b->timeout_ms &&
		a->expect_lo == b->expect_lo && a->expect_hi == b->expect_hi && a->tls_verify == b->tls_verify &&
		a->dns_qtype == b->dns_qtype && a->dns_rcode == b->dns_rcode && same_text(a->path, b->path) &&
		same_text(a->host, b->host) && same_text(a->body, b->body) && same_text(a->dns_qname, b->dns_qname) &&
		same_text(a->dns_answer, b->dns_answer);
}

/* The health of the same member under the previous configuration, if any. */
static const lns_health_t *previous(const lns_prober_t *p, const lns_pool_conf_t *pool, const lns_member_conf_t *mc)
{
	for (unsigned i = 0; i < p->n_pools; i++) {
		const lns_pool_conf_t *old = p->pools[i].conf;
		if (strcmp(old->name, pool->name) != 0 || !same_probe(&old->probe, &pool->probe))
			continue;
		for (unsigned m = 0; m < old->n_members; m++) {
			const lns_member_conf_t *om = &old->members[m];
			if (strcmp(om->name, mc->name) == 0 && om->probe.len == mc->probe.len &&
			    memcmp(&om->probe.ss, &mc->probe.ss, mc->probe.len) == 0)
				return &p->pools[i].health[m];
		}
	}
	return NULL;
}

void lns_prober_apply(lns_prober_t *p, const lns_config_t *cfg, const lns_pool_hits_t *hits)
{
	pool_rt_t *pools = lns_xcalloc(cfg->n_pools ? cfg->n_pools : 1, sizeof(*pools));
	int64_t now = mono_ms(p->loop);
	for (unsigned i = 0; i < cfg->n_pools; i++) {
		const lns_pool_conf_t *pc = &cfg->pools[i];
		pool_rt_t *pr = &pools[i];
		pr->conf = pc;
		pr->health = lns_xcalloc(pc->n_members, sizeof(*pr->health));
		pr->members = lns_xcalloc(pc->n_members, sizeof(*pr->members));
		pr->last_hits = hits ? atomic_load_explicit(&hits[i].n, memory_order_relaxed) : 0;
		for (unsigned m = 0; m < pc->n_members; m++) {
			const lns_health_t *old = previous(p, pc, &pc->members[m]);
			lns_health_t *h = &pr->health[m];
			if (old) {
				*h = *old;
			} else {
				h->load = -1;
				h->state = LNS_HEALTH_UNKNOWN;
			}
		}
	}
	free_pools(p);
	lns_resolver_free(p->resolver);
	lns_err_t rerr;
	p->resolver = lns_resolver_new(p->loop, cfg->resolvers, cfg->n_resolvers, &rerr);
	if (!p->resolver)
		lns_err("probe: member host names cannot be resolved: %s", rerr.msg);
	p->pools = pools;
	p->n_pools = cfg->n_pools;
	p->cfg = cfg;
	p->hits = hits;
	lns_budget_init(&p->budget, cfg->probe_budget, now);
	for (unsigned i = 0; i < cfg->n_pools; i++) {
		pool_rt_t *pr = &pools[i];
		const lns_pool_conf_t *pc = pr->conf;
		for (unsigned m = 0; m < pc->n_members; m++) {
			member_rt_t *mr = &pr->members[m];
			mr->p = p;
			mr->pool = pc;
			mr->conf = &pc->members[m];
			mr->pool_idx = i;
			mr->health = &pr->health[m];
			mr->interval_ms = pc->probe.min_interval_ms;
			mr->target.conf = &pc->probe;
			mr->target.addr = pc->members[m].probe;
			mr->target.default_qname = pc->name;
			ev_init(&mr->timer, timer_cb);
			mr->timer.data = mr;
			ev_init(&mr->res_timer, res_timer_cb);
			mr->res_timer.data = mr;
			if (mr->conf->host) {
				if (p->resolver)
					start_resolve(mr);
				if (mr->health->has_v4 || mr->health->has_v6)
					set_target(mr);
				else if (pc->probe.type != LNS_PROBE_NONE)
					continue; /* probed once resolved */
			}
			if (pc->probe.type == LNS_PROBE_NONE) {
				mr->health->state = LNS_HEALTH_UP;
				snprintf(mr->health->reason, sizeof(mr->health->reason), "not probed");
				continue;
			}
			/* Spread the first probes over the first interval. */
			arm(mr, rnd01(p) * pc->probe.min_interval_ms);
		}
	}
}

const lns_health_t *lns_prober_health(const lns_prober_t *p, unsigned pool)
{
	return pool < p->n_pools ? p->pools[pool].health : NULL;
}

int lns_prober_drain(lns_prober_t *p, unsigned pool, unsigned member, bool drain, int64_t until)
{
	if (pool >= p->n_pools || member >= p->pools[pool].conf->n_members)
		return -ENOENT;
	lns_health_t *h = &p->pools[pool].health[member];
	h->drained = drain;
	h->drained_until = drain ? until : 0;
	lns_notice("probe: %s/%s %s", p->pools[pool].conf->name, p->pools[pool].conf->members[member].name,
		drain ? "drained" : "undrained");
	p->cb(p->cb_arg, true);
	return 0;
}

void lns_prober_counts(const lns_prober_t *p, uint64_t *sent, uint64_t *failed)
{
	*sent = atomic_load_explicit(&p->sent, memory_order_relaxed);
	*failed = atomic_load_explicit(&p->failed, memory_order_relaxed);
}
