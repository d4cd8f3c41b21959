/* tests/election/sim: a simulated cluster of election state machines. */
#include "tests/election/sim.h"

#include "core/util.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- random numbers (xoshiro256**, seeded by splitmix64) ---- */

typedef struct rng {
	uint64_t s[4];
} rng_t;

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(rng_t *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng_t *r)
{
	uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

static double rng_unit(rng_t *r) /* [0, 1) */
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static bool chance(rng_t *r, double p)
{
	return p > 0 && rng_unit(r) < p;
}

static int64_t between(rng_t *r, int64_t lo, int64_t hi) /* [lo, hi] */
{
	return lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* An exponential wait with the given rate per second, in us. */
static int64_t wait_us(rng_t *r, double per_s)
{
	return (int64_t)(-log(1.0 - rng_unit(r)) / per_s * 1e6) + 1;
}

void sim_conf_random(sim_conf_t *c, uint64_t seed, unsigned n)
{
	rng_t r;
	rng_seed(&r, seed ^ 0x5eedULL);
	memset(c, 0, sizeof(*c));
	c->seed = seed;
	c->n = n;
	for (unsigned i = 0; i < n; i++)
		c->priority[i] = chance(&r, 0.2) ? 50 : (int)between(&r, 0, 100);
	c->heartbeat_ms = 100;
	/* short hold-downs now and then, so that handovers happen */
	c->hold_down_ms = chance(&r, 0.5) ? (unsigned)between(&r, 500, 3000) : 10000;
	c->drift = rng_unit(&r) * 0.029;
	c->loss = rng_unit(&r) * 0.3;
	c->dup = rng_unit(&r) * 0.2;
	c->reorder = rng_unit(&r) * 0.3;
	c->long_delay = rng_unit(&r) * 0.03;
	c->crash_per_s = rng_unit(&r) * 0.3;
	c->master_crash_per_s = rng_unit(&r) * 0.5;
	c->crash_after_vote = chance(&r, 0.3) ? rng_unit(&r) * 0.3 : 0;
	c->max_down_ms = (unsigned)between(&r, 5, 2500);
	c->partition_per_s = rng_unit(&r) * 1.5;
	c->client_per_s = rng_unit(&r) * 3;
	c->chaos_ms = between(&r, 1500, 4000);
	c->calm_ms = 1500;
}

/* ---- the simulated cluster ---- */

enum { EV_DELIVER, EV_TIMER, EV_CRASH, EV_RESTART, EV_PARTITION, EV_CLIENT, EV_MASTER_CRASH, EV_CALM, EV_KILL, EV_END };

typedef struct sev {
	int64_t t; /* real time, us */
	uint64_t order;
	uint8_t kind, node, from;
	uint32_t gen;
	lns_election_msg_t msg;
} sev_t;

typedef struct snode {
	lns_election_t e;
	bool up;
	double rate, offset; /* local ms = offset + rate * real ms */
	int64_t last_now;
	uint64_t p_term; /* persisted */
	int p_vote;
	uint32_t timer_gen;
	int64_t timer_at; /* local deadline armed */
	uint64_t max_term, vote_term;
	int vote;
	uint64_t cache_term, cache_seq; /* since the last start */
} snode_t;

typedef struct sim {
	const sim_conf_t *c;
	sim_result_t *r;
	rng_t rng;
	snode_t node[LNS_ELECTION_MAX_NODES];
	lns_election_conf_t ec;
	bool blocked[LNS_ELECTION_MAX_NODES][LNS_ELECTION_MAX_NODES];
	bool calm, killed, kill_pending;
	int victim; /* the killed master, never restarted */
	int64_t now, calm_at, kill_at;
	sev_t *heap;
	size_t n_heap, cap_heap;
	uint64_t order;
	int *term_master; /* by term: the node that was master then, -1 none */
	size_t n_terms;
} sim_t;

static bool before(const sev_t *a, const sev_t *b)
{
	return a->t != b->t ? a->t < b->t : a->order < b->order;
}

static void push(sim_t *s, sev_t ev)
{
	if (s->n_heap == s->cap_heap) {
		s->cap_heap = s->cap_heap ? 2 * s->cap_heap : 1024;
		s->heap = lns_xrealloc(s->heap, s->cap_heap * sizeof(sev_t));
	}
	ev.order = s->order++;
	size_t i = s->n_heap++;
	while (i > 0 && before(&ev, &s->heap[(i - 1) / 2])) {
		s->heap[i] = s->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	s->heap[i] = ev;
}

static sev_t pop(sim_t *s)
{
	sev_t top = s->heap[0], last = s->heap[--s->n_heap];
	size_t i = 0;
	for (;;) {
		size_t k = 2 * i + 1;
		if (k >= s->n_heap)
			break;
		if (k + 1 < s->n_heap && before(&s->heap[k + 1], &s->heap[k]))
			k++;
		if (!before(&s->heap[k], &last))
			break;
		s->heap[i] = s->heap[k];
		i = k;
	}
	if (s->n_heap)
		s->heap[i] = last;
	return top;
}

static void at(sim_t *s, int64_t t, unsigned kind, unsigned node)
{
	sev_t ev = { .t = t, .kind = (uint8_t)kind, .node = (uint8_t)node };
	push(s, ev);
}

static void violation(sim_t *s, unsigned kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void violation(sim_t *s, unsigned kind, const char *fmt, ...)
{
	bool two = kind & (SIM_TWO_MASTERS_IN_TERM | SIM_TWO_VALID_MASTERS);
	char *dst = !s->r->violations ? s->r->first
		: two && !(s->r->violations & (SIM_TWO_MASTERS_IN_TERM | SIM_TWO_VALID_MASTERS)) ? s->r->masters
		: NULL;
	if (dst) {
		int off = snprintf(dst, sizeof(s->r->first), "t=%.3f ms: ", (double)s->now / 1000);
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(dst + off, sizeof(s->r->first) - (size_t)off, fmt, ap);
		va_end(ap);
		if (two && dst == s->r->first)
			memcpy(s->r->masters, s->r->first, sizeof(s->r->masters));
	}
	s->r->violations |= kind;
}

static int64_t local(const snode_t *n, int64_t t_us)
{
	return (int64_t)floor(n->offset + n->rate * ((double)t_us / 1000.0));
}

/* The earliest real time at which node i's clock reads d, plus loop latency. */
static int64_t real_of(sim_t *s, unsigned i, int64_t d)
{
	const snode_t *n = &s->node[i];
	int64_t t = (int64_t)ceil(((double)d - n->offset) / n->rate * 1000.0);
	if (t < s->now)
		t = s->now;
	while (local(n, t) < d)
		t++;
	return t + between(&s->rng, 0, 300);
}

static void new_clock(sim_t *s, unsigned i)
{
	snode_t *n = &s->node[i];
	n->rate = 1.0 + (2 * rng_unit(&s->rng) - 1) * s->c->drift;
	/* CLOCK_MONOTONIC starts anywhere after a reboot */
	double origin = (double)between(&s->rng, 1000, 100000000);
	n->offset = origin - n->rate * ((double)s->now / 1000.0);
	n->last_now = INT64_MIN;
}

static void send_one(sim_t *s, unsigned from, unsigned to, const lns_election_msg_t *msg)
{
	s->r->messages++;
	if (s->blocked[from][to])
		return;
	bool chaos = !s->calm;
	if (chaos && chance(&s->rng, s->c->loss))
		return;
	int copies = chaos && chance(&s->rng, s->c->dup) ? 2 : 1;
	for (int k = 0; k < copies; k++) {
		int64_t d = between(&s->rng, 100, 2000);
		if (chaos && chance(&s->rng, s->c->reorder))
			d += between(&s->rng, 0, 40000);
		if (chaos && chance(&s->rng, s->c->long_delay))
			d += between(&s->rng, 0, 900000);
		sev_t ev = { .t = s->now + d, .kind = EV_DELIVER, .node = (uint8_t)to, .from = (uint8_t)from, .msg = *msg };
		push(s, ev);
	}
}

static int *term_slot(sim_t *s, uint64_t term)
{
	if (term >= 1000000)
		return NULL;
	if (term >= s->n_terms) {
		size_t n = s->n_terms ? s->n_terms : 64;
		while (n <= term)
			n *= 2;
		s->term_master = lns_xrealloc(s->term_master, n * sizeof(int));
		for (size_t k = s->n_terms; k < n; k++)
			s->term_master[k] = -1;
		s->n_terms = n;
	}
	return &s->term_master[term];
}

/* The properties, checked after every step. */
static void check(sim_t *s, unsigned i)
{
	snode_t *n = &s->node[i];
	lns_election_t *e = &n->e;
	if (e->term < n->max_term)
		violation(s, SIM_TERM_BACKWARDS, "node %u: term %" PRIu64 " after %" PRIu64, i, e->term, n->max_term);
	if (e->term > n->max_term)
		n->max_term = e->term;
	if (e->term > s->r->max_term)
		s->r->max_term = e->term;
	if (e->term != n->p_term || e->voted_for != n->p_vote)
		violation(s, SIM_UNPERSISTED, "node %u: term %" PRIu64 " vote %d not persisted", i, e->term, e->voted_for);
	if (e->voted_for != LNS_ELECTION_NONE) {
		if (e->term == n->vote_term && e->voted_for != n->vote)
			violation(s, SIM_DOUBLE_VOTE, "node %u voted for %d and %d in term %" PRIu64, i, n->vote,
				e->voted_for, e->term);
		n->vote_term = e->term;
		n->vote = e->voted_for;
	}
	if (e->cache.term < n->cache_term || (e->cache.term == n->cache_term && e->cache.seq < n->cache_seq))
		violation(s, SIM_CACHE_BACKWARDS, "node %u: cache (%" PRIu64 ", %" PRIu64 ") after (%" PRIu64 ", %" PRIu64
			")", i, e->cache.term, e->cache.seq, n->cache_term, n->cache_seq);
	n->cache_term = e->cache.term;
	n->cache_seq = e->cache.seq;
	if (e->role == LNS_ROLE_MASTER) {
		int *slot = term_slot(s, e->term);
		if (!slot)
			violation(s, SIM_TERM_BACKWARDS, "term %" PRIu64 " out of bounds", e->term);
		else if (*slot == -1)
			*slot = (int)i;
		else if (*slot != (int)i)
			violation(s, SIM_TWO_MASTERS_IN_TERM, "nodes %d and %u both master in term %" PRIu64, *slot, i,
				e->term);
	}
	int valid = -1;
	for (unsigned j = 0; j < s->c->n; j++) {
		if (!s->node[j].up || !lns_election_is_master(&s->node[j].e, local(&s->node[j], s->now)))
			continue;
		if (valid >= 0)
			violation(s, SIM_TWO_VALID_MASTERS, "nodes %d (term %" PRIu64 ") and %u (term %" PRIu64
				") both hold a valid lease", valid, s->node[valid].e.term, j, s->node[j].e.term);
		valid = (int)j;
	}
}

/* A master acknowledged by every live node, or -1. */
static int stable_master(sim_t *s)
{
	int m = -1;
	for (unsigned j = 0; j < s->c->n; j++)
		if (s->node[j].up && lns_election_is_master(&s->node[j].e, local(&s->node[j], s->now)))
			m = (int)j;
	if (m < 0)
		return -1;
	for (unsigned j = 0; j < s->c->n; j++) {
		if (!s->node[j].up)
			continue;
		lns_master_cache_t c;
		lns_election_cache(&s->node[j].e, local(&s->node[j], s->now), &c);
		if (c.master != m || c.term != s->node[m].e.term || c.stale)
			return -1;
	}
	return m;
}

static void crash(sim_t *s, unsigned i)
{
	s->node[i].up = false;
	s->node[i].timer_gen++;
}

static void trace(sim_t *s, unsigned i, const lns_election_event_t *ev, const lns_election_out_t *out)
{
	static const char *const evs[] = { "?", "START", "TIMER", "MSG", "CLIENT" };
	const lns_election_t *e = &s->node[i].e;
	printf("%10.3f node %u %-6s", (double)s->now / 1000, i, evs[ev->type < 5 ? ev->type : 0]);
	if (ev->type == LNS_EEV_MSG)
		printf(" %s from %u term %" PRIu64 " seq %" PRIu64 " master %d ok %u", lns_election_msg_name(ev->msg.type),
			ev->from, ev->msg.term, ev->msg.seq, ev->msg.master, ev->msg.ok);
	printf(" -> %s term %" PRIu64 " vote %d%s%s", lns_election_role_name(e->role), e->term, e->voted_for,
		lns_election_is_master(e, s->node[i].last_now) ? " VALID" : "", out->persist ? " persist" : "");
	if (out->dropped)
		printf(" dropped: %s", out->dropped);
	for (unsigned k = 0; k < out->n_send; k++)
		printf(" | %s to %d term %" PRIu64 " m %d ok %u", lns_election_msg_name(out->send[k].msg.type),
			out->send[k].to, out->send[k].msg.term, out->send[k].msg.master, out->send[k].msg.ok);
	if (out->client_reply)
		printf(" | client %s %d: %s", out->client_ok ? "ok" : "FAIL", out->client_master, out->reason);
	printf("\n");
}

static void step(sim_t *s, unsigned i, const lns_election_event_t *ev)
{
	snode_t *n = &s->node[i];
	int64_t now = local(n, s->now);
	if (now < n->last_now)
		now = n->last_now;
	n->last_now = now;
	unsigned role0 = n->e.role;
	lns_election_out_t out;
	lns_election_step(&n->e, ev, now, &out);
	s->r->events++;
	if (s->c->trace)
		trace(s, i, ev, &out);
	bool voted = false;
	if (out.persist) {
		voted = out.voted_for != LNS_ELECTION_NONE && out.voted_for != n->p_vote;
		n->p_term = out.term;
		n->p_vote = out.voted_for;
	}
	if (role0 == LNS_ROLE_MASTER && n->e.role == LNS_ROLE_CANDIDATE)
		s->r->handovers++;
	for (unsigned k = 0; k < out.n_send; k++) {
		if (out.send[k].to != LNS_ELECTION_ALL) {
			send_one(s, i, (unsigned)out.send[k].to, &out.send[k].msg);
			continue;
		}
		for (unsigned j = 0; j < s->c->n; j++)
			if (j != i)
				send_one(s, i, j, &out.send[k].msg);
	}
	if (out.deadline != n->timer_at) {
		n->timer_at = out.deadline;
		n->timer_gen++;
		if (out.deadline != LNS_ELECTION_NEVER) {
			sev_t t = { .t = real_of(s, i, out.deadline), .kind = EV_TIMER, .node = (uint8_t)i, .gen = n->timer_gen };
			push(s, t);
		}
	}
	if (out.client_reply) {
		if (out.client_ok) {
			s->r->client_ok++;
			int *slot = term_slot(s, out.client_term);
			if (out.client_master < 0 || !slot || *slot != out.client_master)
				violation(s, SIM_BAD_CLIENT_ANSWER, "node %u answered master %d term %" PRIu64 ", not a master then", i,
					out.client_master, out.client_term);
		} else {
			s->r->client_fail++;
		}
	}
	check(s, i);
	if (voted && !s->calm && chance(&s->rng, s->c->crash_after_vote)) {
		if (s->c->trace)
			printf("%10.3f node %u CRASH (after voting)\n", (double)s->now / 1000, i);
		crash(s, i);
		at(s, s->now + between(&s->rng, 1000, (int64_t)s->c->max_down_ms * 1000), EV_RESTART, i);
	}
}

static void start(sim_t *s, unsigned i)
{
	snode_t *n = &s->node[i];
	lns_election_conf_t ec = s->ec;
	ec.self = i;
	lns_election_init(&n->e, &ec, n->p_term, s->c->wipe_vote ? LNS_ELECTION_NONE : n->p_vote);
	if (s->c->no_guard)
		n->e.guard_ms = 0;
	if (s->c->wipe_vote)
		n->p_vote = LNS_ELECTION_NONE;
	n->up = true;
	n->cache_term = n->cache_seq = 0;
	n->timer_at = LNS_ELECTION_NEVER;
	n->timer_gen++;
	new_clock(s, i);
	lns_election_event_t ev = { .type = LNS_EEV_START };
	step(s, i, &ev);
}

static void repartition(sim_t *s)
{
	unsigned n = s->c->n;
	memset(s->blocked, 0, sizeof(s->blocked));
	switch (between(&s->rng, 0, 4)) {
	case 0: /* healed */
		break;
	case 1: { /* one node cut off */
		unsigned x = (unsigned)between(&s->rng, 0, n - 1);
		for (unsigned j = 0; j < n; j++)
			s->blocked[x][j] = s->blocked[j][x] = j != x;
		break;
	}
	case 2: { /* two sides */
		uint32_t side = (uint32_t)rng_next(&s->rng);
		for (unsigned a = 0; a < n; a++)
			for (unsigned b = 0; b < n; b++)
				s->blocked[a][b] = ((side >> a) & 1) != ((side >> b) & 1);
		break;
	}
	default: /* some links down one way */
		for (unsigned a = 0; a < n; a++)
			for (unsigned b = 0; b < n; b++)
				s->blocked[a][b] = a != b && chance(&s->rng, 0.3);
	}
}

static int current_master(sim_t *s)
{
	for (unsigned j = 0; j < s->c->n; j++)
		if (s->node[j].up && s->node[j].e.role == LNS_ROLE_MASTER)
			return (int)j;
	return -1;
}

static void handle(sim_t *s, const sev_t *ev)
{
	const sim_conf_t *c = s->c;
	unsigned i = ev->node;
	switch (ev->kind) {
	case EV_DELIVER:
		if (s->node[i].up) {
			lns_election_event_t e = { .type = LNS_EEV_MSG, .from = ev->from, .msg = ev->msg };
			step(s, i, &e);
		}
		break;
	case EV_TIMER:
		if (s->node[i].up && ev->gen == s->node[i].timer_gen) {
			s->node[i].timer_at = LNS_ELECTION_NEVER;
			lns_election_event_t e = { .type = LNS_EEV_TIMER };
			step(s, i, &e);
		}
		break;
	case EV_CRASH:
		if (s->calm)
			break;
		if (s->node[i].up) {
			if (c->trace)
				printf("%10.3f node %u CRASH\n", (double)s->now / 1000, i);
			crash(s, i);
			at(s, s->now + between(&s->rng, 1000, (int64_t)c->max_down_ms * 1000), EV_RESTART, i);
		}
		at(s, s->now + wait_us(&s->rng, c->crash_per_s), EV_CRASH, i);
		break;
	case EV_MASTER_CRASH: {
		if (s->calm)
			break;
		int m = current_master(s);
		if (m >= 0) {
			if (c->trace)
				printf("%10.3f node %d CRASH (master)\n", (double)s->now / 1000, m);
			crash(s, (unsigned)m);
			at(s, s->now + between(&s->rng, 1000, (int64_t)c->max_down_ms * 1000), EV_RESTART, (unsigned)m);
		}
		at(s, s->now + wait_us(&s->rng, c->master_crash_per_s), EV_MASTER_CRASH, 0);
		break;
	}
	case EV_RESTART:
		if (!s->node[i].up && !(s->killed && (int)i == s->victim))
			start(s, i);
		break;
	case EV_PARTITION:
		if (s->calm)
			break;
		repartition(s);
		if (c->trace) {
			printf("%10.3f partition:", (double)s->now / 1000);
			for (unsigned a = 0; a < c->n; a++)
				for (unsigned b = 0; b < c->n; b++)
					if (s->blocked[a][b])
						printf(" %u-/->%u", a, b);
			printf("\n");
		}
		at(s, s->now + wait_us(&s->rng, c->partition_per_s), EV_PARTITION, 0);
		break;
	case EV_CLIENT:
		if (s->node[i].up) {
			lns_election_event_t e = { .type = LNS_EEV_CLIENT };
			step(s, i, &e);
		}
		at(s, s->now + wait_us(&s->rng, c->client_per_s), EV_CLIENT, (unsigned)between(&s->rng, 0, c->n - 1));
		break;
	case EV_CALM:
		if (c->trace)
			printf("%10.3f CALM\n", (double)s->now / 1000);
		s->calm = true;
		s->calm_at = s->now;
		memset(s->blocked, 0, sizeof(s->blocked));
		for (unsigned j = 0; j < c->n; j++)
			if (!s->node[j].up)
				start(s, j);
		at(s, s->now + c->calm_ms * 1000, EV_KILL, 0);
		break;
	case EV_KILL:
		s->kill_pending = true;
		break;
	}
}

void sim_run(const sim_conf_t *c, sim_result_t *r)
{
	sim_t s;
	memset(&s, 0, sizeof(s));
	memset(r, 0, sizeof(*r));
	r->converge_ms = r->failover_ms = -1;
	s.c = c;
	s.r = r;
	rng_seed(&s.rng, c->seed);
	lns_election_conf_init(&s.ec, c->n, 0, c->heartbeat_ms);
	s.ec.hold_down_ms = c->hold_down_ms;
	memcpy(s.ec.priority, c->priority, sizeof(s.ec.priority));
	for (unsigned i = 0; i < c->n; i++) {
		s.node[i].p_vote = LNS_ELECTION_NONE;
		s.node[i].vote = LNS_ELECTION_NONE;
		/* nodes come up within the first 300 ms */
		at(&s, between(&s.rng, 0, 300000), EV_RESTART, i);
		if (c->crash_per_s > 0)
			at(&s, wait_us(&s.rng, c->crash_per_s), EV_CRASH, i);
	}
	if (c->master_crash_per_s > 0)
		at(&s, wait_us(&s.rng, c->master_crash_per_s), EV_MASTER_CRASH, 0);
	if (c->partition_per_s > 0)
		at(&s, wait_us(&s.rng, c->partition_per_s), EV_PARTITION, 0);
	if (c->client_per_s > 0)
		at(&s, wait_us(&s.rng, c->client_per_s), EV_CLIENT, 0);
	at(&s, c->chaos_ms * 1000, EV_CALM, 0);

	const int64_t bound_us = 3000000; /* liveness bound of each calm wait */
	int64_t killed_at = 0;
	s.victim = -1;
	while (s.n_heap) {
		sev_t ev = pop(&s);
		s.now = ev.t;
		handle(&s, &ev);
		if (!s.calm)
			continue;
		int m = stable_master(&s);
		if (m >= 0 && r->converge_ms < 0)
			r->converge_ms = (s.now - s.calm_at) / 1000;
		if (!s.killed && s.kill_pending && m >= 0) {
			s.victim = m;
			killed_at = s.now;
			s.killed = true;
			if (c->trace)
				printf("%10.3f node %d KILLED\n", (double)s.now / 1000, m);
			crash(&s, (unsigned)m);
			continue;
		}
		if (s.killed && m >= 0 && m != s.victim) {
			r->failover_ms = (s.now - killed_at + 999) / 1000;
			break;
		}
		if (!s.killed && s.now - s.calm_at > c->calm_ms * 1000 + bound_us) {
			violation(&s, SIM_NO_MASTER, "no master acknowledged by all within %" PRId64 " ms of calm",
				(s.now - s.calm_at) / 1000);
			break;
		}
		if (s.killed && s.now - killed_at > bound_us) {
			violation(&s, SIM_NO_MASTER, "no new master within %" PRId64 " ms of killing node %d",
				(s.now - killed_at) / 1000, s.victim);
			break;
		}
	}
	free(s.heap);
	free(s.term_master);
}
