/* election/fsm: the election state machine (see fsm.h for the protocol). */
#include "election/fsm.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A proposal that no node sent: a VOTE that reached its master first. */
#define IMPLICIT (-2)
#define PHASE_PING 0
#define PHASE_PROPOSED 1

static uint32_t bit(unsigned i)
{
	return (uint32_t)1 << i;
}

static unsigned count(uint32_t mask)
{
	return (unsigned)__builtin_popcount(mask);
}

unsigned lns_election_guard_ms(const lns_election_conf_t *conf)
{
	return conf->lease_ms + conf->lease_ms / 16 + 2;
}

void lns_election_conf_init(lns_election_conf_t *conf, unsigned n, unsigned self, unsigned heartbeat_ms)
{
	unsigned h = heartbeat_ms ? heartbeat_ms : 100;
	memset(conf, 0, sizeof(*conf));
	conf->n = n;
	conf->self = self;
	conf->heartbeat_ms = h;
	conf->lease_ms = 3 * h;
	conf->election_timeout_ms = 4 * h;
	conf->stagger_ms = h / 4;
	conf->ping_timeout_ms = h;
	conf->vote_timeout_ms = 3 * h;
	conf->hold_down_ms = 10000;
}

static int bad(lns_err_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(lns_err_t *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (err)
		lns_err_setv(err, NULL, 0, fmt, ap);
	va_end(ap);
	return LNS_ECONFIG;
}

int lns_election_conf_check(const lns_election_conf_t *c, lns_err_t *err)
{
	if (c->n < 1 || c->n > LNS_ELECTION_MAX_NODES)
		return bad(err, "cluster: %u nodes (1 to %d)", c->n, LNS_ELECTION_MAX_NODES);
	if (c->self >= c->n)
		return bad(err, "cluster: this node is not among the %u nodes", c->n);
	if (c->heartbeat_ms < 1 || c->heartbeat_ms > 60000)
		return bad(err, "cluster: heartbeat_ms %u (1 to 60000)", c->heartbeat_ms);
	/* a lease survives one lost heartbeat; acks within it fit the ring */
	if (c->lease_ms < 2 * c->heartbeat_ms || c->lease_ms > 16 * c->heartbeat_ms)
		return bad(err, "cluster: lease_ms %u must be 2 to 16 times heartbeat_ms %u", c->lease_ms,
			c->heartbeat_ms);
	/* followers must be free to vote when their election timer fires */
	if (c->election_timeout_ms <= lns_election_guard_ms(c))
		return bad(err, "cluster: election_timeout_ms %u must exceed the vote guard %u ms (lease_ms + 1/16 + 2)",
			c->election_timeout_ms, lns_election_guard_ms(c));
	if (c->ping_timeout_ms < 1 || c->vote_timeout_ms < c->heartbeat_ms)
		return bad(err, "cluster: ping_timeout_ms %u must be >= 1 and vote_timeout_ms %u >= heartbeat_ms",
			c->ping_timeout_ms, c->vote_timeout_ms);
	if ((uint64_t)c->election_timeout_ms + (uint64_t)c->stagger_ms * c->n > 600000)
		return bad(err, "cluster: election_timeout_ms + stagger_ms per node is too long");
	return 0;
}

const char *lns_election_msg_name(unsigned type)
{
	static const char *const names[] = { "?", "PING", "PONG", "PROPOSE", "VOTE", "HEARTBEAT", "ACK" };
	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

const char *lns_election_role_name(unsigned role)
{
	static const char *const names[] = { "follower", "candidate", "master" };
	return role < 3 ? names[role] : "?";
}

/* ---- small helpers ---- */

static void emit(lns_election_out_t *out, int to, const lns_election_msg_t *msg)
{
	if (out->n_send == LNS_ELECTION_MAX_SENDS) {
		/* a bug, not an input: every step sends a handful at most */
		fprintf(stderr, "election: more than %d sends in one step\n", LNS_ELECTION_MAX_SENDS);
		abort();
	}
	out->send[out->n_send].to = to;
	out->send[out->n_send].msg = *msg;
	out->n_send++;
}

static uint32_t uptime(const lns_election_t *e, int64_t now)
{
	int64_t up = now - e->started_at;
	return up < 0 ? 0 : up > UINT32_MAX ? UINT32_MAX : (uint32_t)up;
}

static void arm_election(lns_election_t *e, int64_t now)
{
	e->election_at = now + e->conf.election_timeout_ms + (int64_t)e->rank[e->conf.self] * e->conf.stagger_ms;
}

/* The current term may have had a master already: one is known here, or
 * this node restarted in it (and may have been its master). A new master
 * in such a term would restart a sequence its followers are past. */
static bool mastered(const lns_election_t *e)
{
	return (e->cache.master != LNS_ELECTION_NONE && e->cache.term == e->term) ||
		(e->term == e->start_term && e->conf.n > 1);
}

/* Never master twice in a term: not in the term this node restarted in. */
static bool may_win(const lns_election_t *e)
{
	return e->term > e->start_term;
}

/* Every change of term passes here: votes and the vote are per term. */
static void set_term(lns_election_t *e, uint64_t term, int vote)
{
	if (term != e->term)
		e->votes = 0;
	e->term = term;
	e->voted_for = vote;
}

static void client_answer(lns_election_t *e, lns_election_out_t *out, bool ok, int master, uint64_t term,
	const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void client_answer(lns_election_t *e, lns_election_out_t *out, bool ok, int master, uint64_t term,
	const char *fmt, ...)
{
	if (!e->client_pending)
		return;
	e->client_pending = false;
	out->client_reply = true;
	out->client_ok = ok;
	out->client_master = master;
	out->client_term = term;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
}

bool lns_election_is_master(const lns_election_t *e, int64_t now)
{
	return e->role == LNS_ROLE_MASTER && now < e->lease_expires;
}

void lns_election_cache(const lns_election_t *e, int64_t now, lns_master_cache_t *cache)
{
	*cache = e->cache;
	if (e->role == LNS_ROLE_MASTER) {
		cache->lease_expires = e->lease_expires;
		cache->stale = !lns_election_is_master(e, now);
	} else {
		cache->stale = e->cache.master == LNS_ELECTION_NONE || now >= e->heard_at + e->conf.lease_ms;
	}
}

void lns_election_init(lns_election_t *e, const lns_election_conf_t *conf, uint64_t term, int voted_for)
{
	memset(e, 0, sizeof(*e));
	e->conf = *conf;
	e->guard_ms = lns_election_guard_ms(conf);
	e->majority = conf->n / 2 + 1;
	for (unsigned i = 0; i < conf->n; i++) {
		unsigned r = 0;
		for (unsigned j = 0; j < conf->n; j++)
			if (conf->priority[j] > conf->priority[i] || (conf->priority[j] == conf->priority[i] && j < i))
				r++;
		e->rank[i] = (uint8_t)r;
	}
	e->term = term;
	e->voted_for = voted_for >= 0 && (unsigned)voted_for < conf->n ? voted_for : LNS_ELECTION_NONE;
	e->role = LNS_ROLE_FOLLOWER;
	e->guard_by = LNS_ELECTION_NONE;
	e->designated = LNS_ELECTION_NONE;
	e->cache.master = LNS_ELECTION_NONE;
	e->heard_at = INT64_MIN / 2;
	e->voted_at = INT64_MIN / 2;
	e->lease_expires = INT64_MIN;
	e->election_at = LNS_ELECTION_NEVER;
	/* nonces of a new incarnation differ from the last one's */
	e->nonce = term << 24;
}

/* ---- master ---- */

static void send_heartbeat(lns_election_t *e, int64_t now, lns_election_out_t *out)
{
	uint64_t seq = ++e->cache.seq;
	e->sent_at[seq % 32] = now;
	e->acked[e->conf.self] = seq;
	int64_t left = lns_election_is_master(e, now) ? e->lease_expires - now : 0;
	lns_election_msg_t m = { .type = LNS_EMSG_HEARTBEAT, .term = e->term, .seq = seq,
		.lease_ms = left > UINT32_MAX ? UINT32_MAX : (uint32_t)left };
	emit(out, LNS_ELECTION_ALL, &m);
	e->next_heartbeat = now + e->conf.heartbeat_ms;
}

static void become_master(lns_election_t *e, int64_t now, lns_election_out_t *out)
{
	e->role = LNS_ROLE_MASTER;
	e->became_at = now;
	e->lease_expires = INT64_MIN;
	e->cache.master = (int)e->conf.self;
	e->cache.term = e->term;
	e->cache.since = now;
	for (unsigned i = 0; i < e->conf.n; i++) {
		e->acked[i] = 0;
		e->last_ack[i] = INT64_MIN;
		e->healthy_since[i] = INT64_MIN;
	}
	send_heartbeat(e, now, out);
}

static void step_down(lns_election_t *e, int64_t now)
{
	e->role = LNS_ROLE_FOLLOWER;
	e->lease_expires = INT64_MIN;
	e->heard_at = INT64_MIN / 2;
	arm_election(e, now);
}

static void consider(lns_election_t *e, uint64_t term, int m, int from, int64_t now, lns_election_out_t *out);

/* Steps down and designates target for the next term (handover or re-election). */
static void handover(lns_election_t *e, uint64_t above, int target, int64_t now, lns_election_out_t *out)
{
	uint64_t term = (above > e->term ? above : e->term) + 1;
	e->role = LNS_ROLE_CANDIDATE;
	e->lease_expires = INT64_MIN;
	set_term(e, term, LNS_ELECTION_NONE);
	e->phase = PHASE_PROPOSED;
	e->designated = target;
	e->phase_deadline = now + e->conf.vote_timeout_ms;
	e->resend_at = now + e->conf.heartbeat_ms;
	lns_election_msg_t m = { .type = LNS_EMSG_PROPOSE, .term = term, .master = (int16_t)target };
	emit(out, LNS_ELECTION_ALL, &m);
	consider(e, term, target, (int)e->conf.self, now, out);
}

/* The node ranked above this master that has been healthy for hold_down. */
static int successor(const lns_election_t *e, int64_t now)
{
	int best = LNS_ELECTION_NONE;
	for (unsigned j = 0; j < e->conf.n; j++) {
		if (j == e->conf.self || e->rank[j] >= e->rank[e->conf.self] || e->last_ack[j] == INT64_MIN)
			continue;
		if (now - e->last_ack[j] > e->conf.lease_ms || now - e->healthy_since[j] < e->conf.hold_down_ms)
			continue;
		if (best == LNS_ELECTION_NONE || e->rank[j] < e->rank[best])
			best = (int)j;
	}
	return best;
}

static void renew_lease(lns_election_t *e, int64_t now, lns_election_out_t *out)
{
	/* the majority-th highest acked seq: a majority applied it or later */
	uint64_t a[LNS_ELECTION_MAX_NODES];
	unsigned n = e->conf.n;
	memcpy(a, e->acked, n * sizeof(a[0]));
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && a[j - 1] < a[j]; j--) {
			uint64_t t = a[j];
			a[j] = a[j - 1];
			a[j - 1] = t;
		}
	uint64_t q = a[e->majority - 1];
	if (q == 0 || e->cache.seq - q >= 32)
		return;
	bool was = lns_election_is_master(e, now);
	int64_t until = e->sent_at[q % 32] + e->conf.lease_ms;
	if (until > e->lease_expires)
		e->lease_expires = until;
	if (!was && lns_election_is_master(e, now))
		client_answer(e, out, true, (int)e->conf.self, e->term, "master");
}

/* ---- votes ---- */

/* A refusal tells the designator this node's term and its vote in it. */
static void refuse(lns_election_t *e, int to, lns_election_out_t *out)
{
	if (to < 0 || (unsigned)to == e->conf.self)
		return;
	lns_election_msg_t v = { .type = LNS_EMSG_VOTE, .term = e->term, .master = (int16_t)e->voted_for, .ok = 0 };
	emit(out, to, &v);
}

/* A proposal of master m for term from node `from` (self, or IMPLICIT). */
static void consider(lns_election_t *e, uint64_t term, int m, int from, int64_t now, lns_election_out_t *out)
{
	if (m < 0 || (unsigned)m >= e->conf.n) {
		out->dropped = "bad master index";
		return;
	}
	if (term < e->term) {
		out->dropped = "stale term";
		refuse(e, from, out);
		return;
	}
	/* a master with or without lease never votes: it would have to step
	 * down first, and then it is not master */
	if (e->role == LNS_ROLE_MASTER || (now < e->guard_until && from != e->guard_by)) {
		refuse(e, from, out);
		return;
	}
	if (term > e->term)
		set_term(e, term, LNS_ELECTION_NONE);
	if (e->voted_for != LNS_ELECTION_NONE && e->voted_for != m) {
		refuse(e, from, out);
		return;
	}
	e->voted_for = m;
	e->voted_at = now;
	if (e->role == LNS_ROLE_CANDIDATE && from != (int)e->conf.self)
		e->role = LNS_ROLE_FOLLOWER; /* another designation superseded ours */
	arm_election(e, now);
	if ((unsigned)m == e->conf.self) {
		e->votes |= bit(e->conf.self);
		if (count(e->votes) >= e->majority && may_win(e))
			become_master(e, now, out);
	} else {
		lns_election_msg_t v = { .type = LNS_EMSG_VOTE, .term = term, .master = (int16_t)m, .ok = 1 };
		emit(out, m, &v);
	}
}

static void fail(lns_election_t *e, int64_t now, lns_election_out_t *out, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void fail(lns_election_t *e, int64_t now, lns_election_out_t *out, const char *fmt, ...)
{
	e->role = LNS_ROLE_FOLLOWER;
	arm_election(e, now);
	if (e->client_pending) {
		char why[96];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
		client_answer(e, out, false, LNS_ELECTION_NONE, e->term, "%s", why);
	}
}

/* Node j voted for another master in the term we propose in: when too
 * few of the nodes that answered the pings are left to make a majority,
 * designate again soon (the better ranked first) with fresh answers. */
static void split(lns_election_t *e, unsigned j, int64_t now, lns_election_out_t *out)
{
	if (e->role != LNS_ROLE_CANDIDATE || e->phase != PHASE_PROPOSED)
		return;
	e->refused |= bit(j);
	if (e->voted_for != LNS_ELECTION_NONE && e->voted_for != e->designated)
		e->refused |= bit(e->conf.self);
	/* the silent nodes of the ping phase are not counted on */
	if (count(e->ponged & ~e->refused) >= e->majority)
		return;
	fail(e, now, out, "split vote in term %" PRIu64, e->term);
	e->election_at = now + (int64_t)(e->rank[e->conf.self] + 1) * e->conf.stagger_ms;
}

/* A higher term from a refusal or a negative ack. */
static void higher_term(lns_election_t *e, unsigned from, uint64_t term, int64_t now, lns_election_out_t *out)
{
	if (lns_election_is_master(e, now)) {
		int next = successor(e, now);
		handover(e, term, next == LNS_ELECTION_NONE ? (int)e->conf.self : next, now, out);
		return;
	}
	unsigned role = e->role;
	set_term(e, term, LNS_ELECTION_NONE);
	if (role == LNS_ROLE_MASTER) {
		step_down(e, now);
		client_answer(e, out, false, LNS_ELECTION_NONE, term, "node %u is at a higher term", from);
	} else if (role == LNS_ROLE_CANDIDATE) {
		fail(e, now, out, "node %u is at a higher term %" PRIu64, from, term);
	}
}

static void on_vote(lns_election_t *e, unsigned j, const lns_election_msg_t *m, int64_t now, lns_election_out_t *out)
{
	if (!m->ok) {
		if (m->term > e->term)
			higher_term(e, j, m->term, now, out);
		else if (m->term == e->term && m->master != LNS_ELECTION_NONE && m->master != e->designated)
			split(e, j, now, out);
		return;
	}
	if (m->master != (int)e->conf.self) {
		out->dropped = "vote for another node";
		return;
	}
	if (m->term < e->term) {
		out->dropped = "stale term";
		return;
	}
	if (m->term > e->term || e->voted_for == LNS_ELECTION_NONE)
		consider(e, m->term, (int)e->conf.self, IMPLICIT, now, out);
	/* votes of others count even if this node voted for another one in the
	 * term: no one else can gather a majority then */
	if (m->term == e->term && e->role != LNS_ROLE_MASTER) {
		e->votes |= bit(j);
		if (count(e->votes) >= e->majority && may_win(e))
			become_master(e, now, out);
	}
}

/* ---- designation ---- */

/* Up for hold_down at now, by the uptime its PONG gave plus the time
 * since: designators deciding at about the same time agree. */
static bool settled(const lns_election_t *e, unsigned j, int64_t now)
{
	return (e->ponged & bit(j)) && now - e->up_since[j] >= (int64_t)e->conf.hold_down_ms;
}

static bool better(const lns_election_t *e, unsigned a, unsigned b, int64_t now)
{
	bool sa = settled(e, a, now), sb = settled(e, b, now);
	return sa != sb ? sa : e->rank[a] < e->rank[b];
}

static void start_election(lns_election_t *e, int64_t now, lns_election_out_t *out)
{
	e->role = LNS_ROLE_CANDIDATE;
	e->phase = PHASE_PING;
	e->nonce++;
	e->ponged = bit(e->conf.self);
	e->up_since[e->conf.self] = e->started_at;
	e->pong_term = e->term;
	e->pong_vote = e->voted_for;
	e->pong_mastered = mastered(e);
	e->designated = LNS_ELECTION_NONE;
	e->phase_deadline = now + e->conf.ping_timeout_ms;
	lns_election_msg_t m = { .type = LNS_EMSG_PING, .seq = e->nonce };
	emit(out, LNS_ELECTION_ALL, &m);
}

/* Designates when the answers allow it (or must, at the ping deadline). */
static void decide(lns_election_t *e, int64_t now, bool final, lns_election_out_t *out)
{
	unsigned best = e->conf.self, n = e->conf.n;
	for (unsigned j = 0; j < n; j++)
		if ((e->ponged & bit(j)) && better(e, j, best, now))
			best = j;
	unsigned answered = count(e->ponged);
	if (!final) {
		if (answered < e->majority || !settled(e, best, now))
			return;
		for (unsigned j = 0; j < n; j++)
			if (!(e->ponged & bit(j)) && e->rank[j] < e->rank[best])
				return;
	}
	if (answered < e->majority) {
		fail(e, now, out, "no majority reachable: %u of %u nodes answered", answered, n);
		return;
	}
	/* another designator may have named the same master in the highest
	 * term already: join it rather than overtake it */
	uint64_t term = e->pong_term + (e->pong_vote == (int)best && !e->pong_mastered ? 0 : 1);
	if (term > e->term)
		set_term(e, term, LNS_ELECTION_NONE);
	e->phase = PHASE_PROPOSED;
	e->designated = (int)best;
	e->refused = 0;
	e->phase_deadline = now + e->conf.vote_timeout_ms;
	e->resend_at = now + e->conf.heartbeat_ms;
	lns_election_msg_t m = { .type = LNS_EMSG_PROPOSE, .term = term, .master = (int16_t)best };
	emit(out, LNS_ELECTION_ALL, &m);
	consider(e, term, (int)best, (int)e->conf.self, now, out);
}

static void on_pong(lns_election_t *e, unsigned j, const lns_election_msg_t *m, int64_t now, lns_election_out_t *out)
{
	if (e->role != LNS_ROLE_CANDIDATE || e->phase != PHASE_PING || m->seq != e->nonce) {
		out->dropped = "stale pong";
		return;
	}
	e->ponged |= bit(j);
	e->up_since[j] = now - (int64_t)m->up_ms;
	if (m->term > e->pong_term) {
		e->pong_term = m->term;
		e->pong_vote = m->master;
		e->pong_mastered = m->ok;
	} else if (m->term == e->pong_term) {
		/* votes for two masters in that term: it needs a new one */
		if (m->master != e->pong_vote && m->master != LNS_ELECTION_NONE)
			e->pong_vote = e->pong_vote == LNS_ELECTION_NONE ? m->master : IMPLICIT;
		e->pong_mastered |= m->ok;
	}
	decide(e, now, false, out);
}

/* ---- followers ---- */

static void on_heartbeat(lns_election_t *e, unsigned x, const lns_election_msg_t *m, int64_t now,
	lns_election_out_t *out)
{
	if (m->term < e->term) {
		out->dropped = "stale term";
		lns_election_msg_t nack = { .type = LNS_EMSG_ACK, .term = e->term, .seq = m->seq, .ok = 0 };
		emit(out, (int)x, &nack);
		return;
	}
	if (m->term == e->term && e->role == LNS_ROLE_MASTER) {
		out->dropped = "heartbeat of another master in this term";
		return;
	}
	/* a duplicate or a late one changes nothing, not even a candidacy */
	if (m->term == e->cache.term && m->seq <= e->cache.seq) {
		out->dropped = "old heartbeat";
		return;
	}
	if (m->term > e->term) {
		set_term(e, m->term, (int)x);
		if (e->role == LNS_ROLE_MASTER)
			step_down(e, now);
	}
	if (e->role == LNS_ROLE_CANDIDATE)
		e->role = LNS_ROLE_FOLLOWER;
	if (e->cache.master != (int)x || e->cache.term != m->term)
		e->cache.since = now;
	e->cache.master = (int)x;
	e->cache.term = m->term;
	e->cache.seq = m->seq;
	e->cache.lease_expires = now + m->lease_ms;
	e->heard_at = now;
	e->guard_until = now + e->guard_ms;
	e->guard_by = (int)x;
	arm_election(e, now);
	out->apply_payload = true;
	lns_election_msg_t ack = { .type = LNS_EMSG_ACK, .term = m->term, .seq = m->seq, .ok = 1,
		.up_ms = uptime(e, now) };
	emit(out, (int)x, &ack);
	client_answer(e, out, true, (int)x, m->term, "master");
}

static void on_ack(lns_election_t *e, unsigned j, const lns_election_msg_t *m, int64_t now, lns_election_out_t *out)
{
	if (m->term > e->term) {
		higher_term(e, j, m->term, now, out);
		return;
	}
	if (e->role != LNS_ROLE_MASTER || m->term != e->term || !m->ok) {
		if (m->term < e->term)
			out->dropped = "stale term";
		return;
	}
	if (m->seq > e->cache.seq || m->seq == 0) {
		out->dropped = "ack of a heartbeat never sent";
		return;
	}
	if (m->seq > e->acked[j])
		e->acked[j] = m->seq;
	if (e->last_ack[j] == INT64_MIN || now - e->last_ack[j] > e->conf.lease_ms)
		e->healthy_since[j] = now;
	e->last_ack[j] = now;
	if (now - (int64_t)m->up_ms > e->healthy_since[j])
		e->healthy_since[j] = now - (int64_t)m->up_ms;
	renew_lease(e, now, out);
}

/* ---- events ---- */

static void on_start(lns_election_t *e, int64_t now, lns_election_out_t *out)
{
	e->started_at = now;
	e->start_term = e->term;
	e->role = LNS_ROLE_FOLLOWER;
	/* what this node acked before a crash is forgotten: vote for no one
	 * until any lease it may have backed has run out */
	e->guard_until = now + e->guard_ms;
	e->guard_by = LNS_ELECTION_NONE;
	arm_election(e, now);
	if (e->conf.n == 1) {
		set_term(e, e->term + 1, (int)e->conf.self);
		become_master(e, now, out);
		out->n_send = 0; /* nobody to tell */
		e->lease_expires = LNS_ELECTION_NEVER;
		e->next_heartbeat = LNS_ELECTION_NEVER;
	}
}

static void on_client(lns_election_t *e, int64_t now, lns_election_out_t *out)
{
	if (lns_election_is_master(e, now)) {
		out->client_reply = out->client_ok = true;
		out->client_master = (int)e->conf.self;
		out->client_term = e->term;
		snprintf(out->reason, sizeof(out->reason), "master");
		return;
	}
	lns_master_cache_t c;
	lns_election_cache(e, now, &c);
	if (e->role == LNS_ROLE_FOLLOWER && !c.stale) {
		out->client_reply = out->client_ok = true;
		out->client_master = c.master;
		out->client_term = c.term;
		snprintf(out->reason, sizeof(out->reason), "master");
		return;
	}
	if (!e->client_pending)
		e->client_deadline = now + e->conf.ping_timeout_ms + e->conf.vote_timeout_ms + e->conf.lease_ms;
	e->client_pending = true;
	/* a vote just given: that election is under way, wait for its master */
	bool voting = e->voted_for != LNS_ELECTION_NONE && !mastered(e) &&
		now - e->voted_at < (int64_t)e->conf.vote_timeout_ms;
	if (e->role == LNS_ROLE_FOLLOWER && !voting)
		start_election(e, now, out);
}

static void on_msg(lns_election_t *e, const lns_election_event_t *ev, int64_t now, lns_election_out_t *out)
{
	const lns_election_msg_t *m = &ev->msg;
	unsigned j = ev->from;
	switch (m->type) {
	case LNS_EMSG_PING: {
		lns_election_msg_t r = { .type = LNS_EMSG_PONG, .seq = m->seq, .term = e->term,
			.master = (int16_t)e->voted_for, .ok = mastered(e), .up_ms = uptime(e, now) };
		emit(out, (int)j, &r);
		break;
	}
	case LNS_EMSG_PONG:
		on_pong(e, j, m, now, out);
		break;
	case LNS_EMSG_PROPOSE:
		consider(e, m->term, m->master, (int)j, now, out);
		break;
	case LNS_EMSG_VOTE:
		on_vote(e, j, m, now, out);
		break;
	case LNS_EMSG_HEARTBEAT:
		on_heartbeat(e, j, m, now, out);
		break;
	case LNS_EMSG_ACK:
		on_ack(e, j, m, now, out);
		break;
	default:
		out->dropped = "unknown message type";
	}
}

/* What is due at now, whatever the event. */
static void tick(lns_election_t *e, int64_t now, lns_election_out_t *out)
{
	if (e->client_pending && now >= e->client_deadline)
		client_answer(e, out, false, LNS_ELECTION_NONE, e->term, "no master elected within %" PRId64 " ms",
			(int64_t)(e->conf.ping_timeout_ms + e->conf.vote_timeout_ms + e->conf.lease_ms));
	switch (e->role) {
	case LNS_ROLE_FOLLOWER:
		if (e->conf.n > 1 && now >= e->election_at)
			start_election(e, now, out);
		break;
	case LNS_ROLE_CANDIDATE:
		if (now >= e->phase_deadline) {
			if (e->phase == PHASE_PING)
				decide(e, now, true, out);
			else
				fail(e, now, out, "no majority accepted node %d for term %" PRIu64, e->designated, e->term);
		} else if (e->phase == PHASE_PROPOSED && now >= e->resend_at) {
			lns_election_msg_t m = { .type = LNS_EMSG_PROPOSE, .term = e->term, .master = (int16_t)e->designated };
			emit(out, LNS_ELECTION_ALL, &m);
			e->resend_at = now + e->conf.heartbeat_ms;
			/* our own vote again: our guard may have refused it at first,
			 * or the designated node may have missed it */
			consider(e, e->term, e->designated, (int)e->conf.self, now, out);
		}
		break;
	case LNS_ROLE_MASTER:
		if (!lns_election_is_master(e, now) && now >= e->became_at + e->conf.lease_ms) {
			step_down(e, now);
			client_answer(e, out, false, LNS_ELECTION_NONE, e->term, "master lost its majority");
		} else if (now >= e->next_heartbeat) {
			int next = lns_election_is_master(e, now) ? successor(e, now) : LNS_ELECTION_NONE;
			if (next != LNS_ELECTION_NONE)
				handover(e, e->term, next, now, out);
			else
				send_heartbeat(e, now, out);
		}
		break;
	}
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static int64_t next_deadline(const lns_election_t *e)
{
	int64_t d = e->client_pending ? e->client_deadline : LNS_ELECTION_NEVER;
	switch (e->role) {
	case LNS_ROLE_FOLLOWER:
		if (e->conf.n > 1)
			d = min64(d, e->election_at);
		break;
	case LNS_ROLE_CANDIDATE:
		d = min64(d, e->phase_deadline);
		if (e->phase == PHASE_PROPOSED)
			d = min64(d, e->resend_at);
		break;
	case LNS_ROLE_MASTER:
		d = min64(d, e->next_heartbeat);
		if (e->lease_expires != LNS_ELECTION_NEVER) {
			int64_t grace = e->became_at + e->conf.lease_ms;
			d = min64(d, e->lease_expires > grace ? e->lease_expires : grace);
		}
		break;
	}
	return d;
}

void lns_election_step(lns_election_t *e, const lns_election_event_t *ev, int64_t now, lns_election_out_t *out)
{
	memset(out, 0, sizeof(*out));
	out->client_master = LNS_ELECTION_NONE;
	uint64_t term0 = e->term;
	int vote0 = e->voted_for;
	unsigned role0 = e->role;
	bool master0 = lns_election_is_master(e, now);
	lns_master_cache_t c0, c1;
	lns_election_cache(e, now, &c0);

	if (ev->type != LNS_EEV_START)
		tick(e, now, out);
	switch (ev->type) {
	case LNS_EEV_START:
		on_start(e, now, out);
		break;
	case LNS_EEV_TIMER:
		break;
	case LNS_EEV_MSG:
		if (ev->from >= e->conf.n || ev->from == e->conf.self)
			out->dropped = "bad sender";
		else
			on_msg(e, ev, now, out);
		break;
	case LNS_EEV_CLIENT:
		on_client(e, now, out);
		break;
	default:
		out->dropped = "unknown event";
	}
	if (out->dropped)
		e->n_dropped++;

	out->persist = e->term != term0 || e->voted_for != vote0;
	out->term = e->term;
	out->voted_for = e->voted_for;
	out->deadline = next_deadline(e);
	out->role_changed = e->role != role0 || lns_election_is_master(e, now) != master0;
	lns_election_cache(e, now, &c1);
	out->cache_changed = c0.master != c1.master || c0.term != c1.term || c0.stale != c1.stale;
}
