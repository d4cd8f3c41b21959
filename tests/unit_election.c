/*
 * Unit tests of election/: the election state machine transition by
 * transition (fake clock, messages handed in by hand or through a small
 * instant network), then a simulation of 3- and 5-node clusters over a
 * faulty network with crashes and drifting clocks (tests/election/sim),
 * and the wire and store suite.
 *
 * ELECTION_SCHEDULES=N changes the number of simulated schedules per size;
 * ELECTION_SEED=S [ELECTION_NODES=5] replays one schedule with a trace.
 */
#include "config.h"

#include "election/fsm.h"
#include "tests/election/sim.h"
#include "tests/unit/helper.h"
#include "tests/unit/suites.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- helpers ---- */

/* n nodes, priorities descending with the index: node 0 ranks first. */
static lns_election_conf_t conf_n(unsigned n, unsigned self)
{
	lns_election_conf_t c;
	lns_election_conf_init(&c, n, self, 100);
	for (unsigned i = 0; i < n; i++)
		c.priority[i] = 100 - 10 * (int)i;
	return c;
}

static void boot(lns_election_t *e, unsigned n, unsigned self, uint64_t term, int vote, int64_t now,
	lns_election_out_t *out)
{
	lns_election_conf_t c = conf_n(n, self);
	lns_election_init(e, &c, term, vote);
	lns_election_event_t ev = { .type = LNS_EEV_START };
	lns_election_step(e, &ev, now, out);
}

static void deliver(lns_election_t *e, unsigned from, lns_election_msg_t m, int64_t now, lns_election_out_t *out)
{
	lns_election_event_t ev = { .type = LNS_EEV_MSG, .from = from, .msg = m };
	lns_election_step(e, &ev, now, out);
}

static void event(lns_election_t *e, unsigned type, int64_t now, lns_election_out_t *out)
{
	lns_election_event_t ev = { .type = type };
	lns_election_step(e, &ev, now, out);
}

/* The first message of that type sent to `to` (LNS_ELECTION_ALL: broadcast). */
static const lns_election_msg_t *sent(const lns_election_out_t *out, unsigned type, int to)
{
	for (unsigned k = 0; k < out->n_send; k++)
		if (out->send[k].msg.type == type && out->send[k].to == to)
			return &out->send[k].msg;
	return NULL;
}

static lns_election_msg_t propose(uint64_t term, int master)
{
	return (lns_election_msg_t){ .type = LNS_EMSG_PROPOSE, .term = term, .master = (int16_t)master };
}

static lns_election_msg_t heartbeat(uint64_t term, uint64_t seq)
{
	return (lns_election_msg_t){ .type = LNS_EMSG_HEARTBEAT, .term = term, .seq = seq, .lease_ms = 250 };
}

/* An instant network of up to 5 machines, stepped millisecond by millisecond. */
typedef struct net {
	unsigned n;
	lns_election_t e[5];
	bool up[5], cut[5][5];
	int64_t deadline[5], now;
	uint64_t p_term[5];
	int p_vote[5];
	unsigned hold_down_ms;
	struct {
		unsigned from, to;
		lns_election_msg_t m;
	} q[512];
	unsigned qn;
	unsigned client_ok, client_fail;
	char reason[96];
	int client_master;
} net_t;

static void net_step(net_t *t, unsigned i, const lns_election_event_t *ev)
{
	lns_election_out_t out;
	lns_election_step(&t->e[i], ev, t->now, &out);
	if (out.persist) {
		t->p_term[i] = out.term;
		t->p_vote[i] = out.voted_for;
	}
	for (unsigned k = 0; k < out.n_send; k++)
		for (unsigned j = 0; j < t->n; j++) {
			if (j == i || (out.send[k].to != LNS_ELECTION_ALL && out.send[k].to != (int)j) || t->cut[i][j])
				continue;
			if (t->qn == 512)
				abort();
			t->q[t->qn].from = i;
			t->q[t->qn].to = j;
			t->q[t->qn].m = out.send[k].msg;
			t->qn++;
		}
	t->deadline[i] = out.deadline;
	if (out.client_reply) {
		out.client_ok ? t->client_ok++ : t->client_fail++;
		t->client_master = out.client_master;
		snprintf(t->reason, sizeof(t->reason), "%s", out.reason);
	}
}

static void net_start(net_t *t, unsigned i)
{
	lns_election_conf_t c = conf_n(t->n, i);
	if (t->hold_down_ms)
		c.hold_down_ms = t->hold_down_ms;
	lns_election_init(&t->e[i], &c, t->p_term[i], t->p_vote[i]);
	t->up[i] = true;
	lns_election_event_t ev = { .type = LNS_EEV_START };
	net_step(t, i, &ev);
}

static void net_init(net_t *t, unsigned n, unsigned hold_down_ms)
{
	memset(t, 0, sizeof(*t));
	t->n = n;
	t->hold_down_ms = hold_down_ms;
	for (unsigned i = 0; i < n; i++)
		t->p_vote[i] = LNS_ELECTION_NONE;
}

static void net_client(net_t *t, unsigned i)
{
	lns_election_event_t ev = { .type = LNS_EEV_CLIENT };
	net_step(t, i, &ev);
}

static int valid_masters(const net_t *t, int *which)
{
	int count = 0;
	for (unsigned i = 0; i < t->n; i++)
		if (t->up[i] && lns_election_is_master(&t->e[i], t->now)) {
			count++;
			*which = (int)i;
		}
	return count;
}

/* Runs until `until`; returns the most valid masters seen at once. */
static int net_run(net_t *t, int64_t until)
{
	int most = 0, m;
	for (; t->now <= until; t->now++) {
		for (unsigned k = 0; k < t->qn; k++) { /* messages sent now arrive now */
			if (!t->up[t->q[k].to])
				continue;
			lns_election_event_t ev = { .type = LNS_EEV_MSG, .from = t->q[k].from, .msg = t->q[k].m };
			net_step(t, t->q[k].to, &ev);
		}
		t->qn = 0;
		for (unsigned i = 0; i < t->n; i++)
			if (t->up[i] && t->deadline[i] <= t->now) {
				lns_election_event_t ev = { .type = LNS_EEV_TIMER };
				net_step(t, i, &ev);
			}
		int v = valid_masters(t, &m);
		if (v > most)
			most = v;
	}
	t->now = until;
	return most;
}

/* The master every live node acknowledges, or -1. */
static int net_master(const net_t *t)
{
	int m = -1;
	if (valid_masters(t, &m) != 1)
		return -1;
	for (unsigned i = 0; i < t->n; i++) {
		lns_master_cache_t c;
		lns_election_cache(&t->e[i], t->now, &c);
		if (t->up[i] && (c.master != m || c.stale))
			return -1;
	}
	return m;
}

/* ---- configuration ---- */

static const struct conf_row {
	const char *name;
	unsigned n, self, heartbeat, lease, election;
	const char *error; /* NULL: valid */
} conf_rows[] = {
	{ "defaults", 3, 0, 100, 0, 0, NULL },
	{ "single node", 1, 0, 100, 0, 0, NULL },
	{ "sixteen nodes", 16, 15, 100, 0, 0, NULL },
	{ "no nodes", 0, 0, 100, 0, 0, "0 nodes" },
	{ "seventeen nodes", 17, 0, 100, 0, 0, "17 nodes" },
	{ "self outside", 3, 3, 100, 0, 0, "not among" },
	{ "lease below two heartbeats", 3, 0, 100, 150, 0, "lease_ms 150" },
	{ "election within the guard", 3, 0, 100, 0, 320, "must exceed the vote guard 320" },
	{ "tiny heartbeat", 3, 0, 2, 0, 0, "must exceed the vote guard" },
};

static void run_conf_row(const void *table, size_t i)
{
	const struct conf_row *r = &((const struct conf_row *)table)[i];
	lns_election_conf_t c;
	lns_election_conf_init(&c, r->n, r->self, r->heartbeat);
	if (r->lease)
		c.lease_ms = r->lease;
	if (r->election)
		c.election_timeout_ms = r->election;
	lns_err_t err = { "" };
	int rc = lns_election_conf_check(&c, &err);
	if (!r->error) {
		T_CHECK(rc == 0, "%s: valid (%s)", r->name, err.msg);
		return;
	}
	T_CHECK(rc == LNS_ECONFIG, "%s: refused (%d)", r->name, rc);
	T_CONTAINS(r->name, err.msg, r->error);
}

static void test_defaults(void)
{
	lns_election_conf_t c;
	lns_election_conf_init(&c, 3, 0, 0);
	T_CHECK(c.heartbeat_ms == 100 && c.lease_ms == 300 && c.election_timeout_ms == 400 && c.stagger_ms == 25 &&
			c.ping_timeout_ms == 100 && c.vote_timeout_ms == 300 && c.hold_down_ms == 10000,
		"defaults for 100 ms heartbeats");
	T_CHECK(lns_election_guard_ms(&c) == 320, "guard = lease + 1/16 + 2 ms (%u)", lns_election_guard_ms(&c));
	/* the guard covers the lease for clock rates 2.9% off, with 2 ms of rounding */
	double rho = 0.029;
	T_CHECK((lns_election_guard_ms(&c) - 2) / (1 + rho) >= c.lease_ms / (1 - rho), "the guard covers a 2.9%% drift");
}

/* ---- single transitions ---- */

static void test_single_node(void)
{
	lns_election_t e;
	lns_election_out_t out;
	boot(&e, 1, 0, 0, LNS_ELECTION_NONE, 5000, &out);
	T_CHECK(e.role == LNS_ROLE_MASTER && e.term == 1, "alone: master in term 1 at once");
	T_CHECK(out.persist && out.term == 1 && out.voted_for == 0, "term 1 and its vote persisted");
	T_CHECK(out.n_send == 0 && out.deadline == LNS_ELECTION_NEVER, "nothing to send, no timer");
	T_CHECK(lns_election_is_master(&e, 5000) && lns_election_is_master(&e, INT64_MAX - 1), "the lease never ends");
	event(&e, LNS_EEV_CLIENT, 6000, &out);
	T_CHECK(out.client_reply && out.client_ok && out.client_master == 0 && out.client_term == 1,
		"a client is answered with this node");
	boot(&e, 1, 0, 7, 0, 0, &out);
	T_CHECK(e.term == 8 && out.persist, "a restart takes the next term (%" PRIu64 ")", e.term);
}

static void test_start(void)
{
	lns_election_t e;
	lns_election_out_t out;
	boot(&e, 3, 2, 4, 1, 1000, &out);
	T_CHECK(e.role == LNS_ROLE_FOLLOWER && e.term == 4 && e.voted_for == 1 && !out.persist,
		"starts as a follower with the persisted term and vote");
	T_CHECK(out.n_send == 0, "sends nothing at start");
	T_CHECK(out.deadline == 1000 + 400 + 2 * 25, "election timer: timeout + rank 2 * stagger (%" PRId64 ")",
		out.deadline);
	event(&e, LNS_EEV_TIMER, 1449, &out);
	T_CHECK(e.role == LNS_ROLE_FOLLOWER && out.n_send == 0, "an early timer changes nothing");
	event(&e, LNS_EEV_TIMER, 1450, &out);
	const lns_election_msg_t *ping = sent(&out, LNS_EMSG_PING, LNS_ELECTION_ALL);
	T_CHECK(e.role == LNS_ROLE_CANDIDATE && ping, "no heartbeat by then: pings everyone");
	T_CHECK(out.deadline == 1550, "waits ping_timeout for answers (%" PRId64 ")", out.deadline);
	event(&e, LNS_EEV_TIMER, 1550, &out);
	T_CHECK(e.role == LNS_ROLE_FOLLOWER && e.term == 4, "nobody answered: fails, term unchanged");
}

/* The vote rule: a node in a given state gets PROPOSE(term, master) from a node. */
static const struct vote_row {
	const char *name;
	uint64_t term;
	int voted;
	int guard_by; /* -1: no guard; else the master whose heartbeat set it */
	uint64_t p_term;
	int p_master;
	unsigned from;
	bool granted;
	uint64_t term_after;
	int voted_after;
} vote_rows[] = {
	{ "fresh node grants", 0, -1, -1, 1, 0, 2, true, 1, 0 },
	{ "same term, same master: granted again", 3, 0, -1, 3, 0, 2, true, 3, 0 },
	{ "same term, other master: refused", 3, 0, -1, 3, 2, 2, false, 3, 0 },
	{ "lower term: refused", 5, -1, -1, 4, 0, 2, false, 5, -1 },
	{ "higher term after a vote: granted", 3, 0, -1, 4, 2, 2, true, 4, 2 },
	{ "guard: refused, term not adopted", 3, 0, 0, 9, 2, 2, false, 3, 0 },
	{ "guard yields to its own master", 3, 0, 0, 4, 2, 0, true, 4, 2 },
	{ "vote for itself goes nowhere", 3, -1, -1, 3, 1, 2, true, 3, 1 },
};

static void run_vote_row(const void *table, size_t i)
{
	const struct vote_row *r = &((const struct vote_row *)table)[i];
	lns_election_t e;
	lns_election_out_t out;
	boot(&e, 3, 1, r->term, r->voted, 0, &out);
	int64_t now = 330; /* past the start guard (320), before the election timer (425) */
	if (r->guard_by >= 0) {
		e.guard_until = now + 100;
		e.guard_by = r->guard_by;
	}
	deliver(&e, r->from, propose(r->p_term, r->p_master), now, &out);
	T_CHECK(e.term == r->term_after && e.voted_for == r->voted_after, "%s: term %" PRIu64 " vote %d", r->name,
		e.term, e.voted_for);
	bool changed = r->term_after != r->term || r->voted_after != r->voted;
	T_CHECK(out.persist == changed, "%s: persisted only when changed", r->name);
	if (r->granted && r->p_master != 1) {
		const lns_election_msg_t *v = sent(&out, LNS_EMSG_VOTE, r->p_master);
		T_CHECK(v && v->ok && v->term == r->p_term && v->master == r->p_master, "%s: VOTE to the master", r->name);
	} else if (r->granted) {
		T_CHECK(out.n_send == 0 && (e.votes & 2), "%s: counted as its own vote", r->name);
	} else {
		const lns_election_msg_t *v = sent(&out, LNS_EMSG_VOTE, (int)r->from);
		T_CHECK(v && !v->ok && v->term == e.term && v->master == e.voted_for,
			"%s: refusal with this node's term and vote", r->name);
	}
}

static void test_start_guard_and_restart(void)
{
	lns_election_t e;
	lns_election_out_t out;
	/* voted for 0 in term 5, then restarted */
	boot(&e, 3, 1, 5, 0, 100, &out);
	deliver(&e, 2, propose(6, 2), 100 + 319, &out);
	T_CHECK(e.term == 5 && e.voted_for == 0, "within the guard of a start: no vote at all");
	deliver(&e, 2, propose(5, 2), 100 + 320, &out);
	T_CHECK(e.voted_for == 0 && !sent(&out, LNS_EMSG_VOTE, 2)->ok, "the persisted vote holds: no second vote in term 5");
	deliver(&e, 2, propose(6, 2), 100 + 321, &out);
	T_CHECK(e.term == 6 && e.voted_for == 2 && out.persist && sent(&out, LNS_EMSG_VOTE, 2)->ok,
		"a new term gets a vote, persisted");
}

/* A node restarted in a term may have been its master: it must not become
 * master there again (its new heartbeats would be behind the old ones). */
static void test_restart_term(void)
{
	lns_election_t e;
	lns_election_out_t out;
	boot(&e, 3, 0, 4, 0, 0, &out);
	lns_election_msg_t yes = { .type = LNS_EMSG_VOTE, .term = 4, .master = 0, .ok = 1 };
	deliver(&e, 1, yes, 400, &out);
	deliver(&e, 2, yes, 401, &out);
	T_CHECK(e.role != LNS_ROLE_MASTER && e.term == 4, "votes in the restart term make no master");
	event(&e, LNS_EEV_TIMER, 400, &out);
	lns_election_msg_t pong = { .type = LNS_EMSG_PONG, .seq = e.nonce, .term = 4, .master = 0 };
	deliver(&e, 1, pong, 410, &out);
	event(&e, LNS_EEV_TIMER, 500, &out);
	const lns_election_msg_t *p = sent(&out, LNS_EMSG_PROPOSE, LNS_ELECTION_ALL);
	T_CHECK(p && p->term == 5 && p->master == 0, "its designation of itself takes the next term");
	yes.term = 5;
	deliver(&e, 1, yes, 501, &out);
	T_CHECK(e.role == LNS_ROLE_MASTER && e.term == 5, "master in term 5");
	lns_election_msg_t ping = { .type = LNS_EMSG_PING, .seq = 77 };
	boot(&e, 3, 1, 4, 0, 0, &out);
	deliver(&e, 0, ping, 10, &out);
	T_CHECK(sent(&out, LNS_EMSG_PONG, 0) && sent(&out, LNS_EMSG_PONG, 0)->ok,
		"a PONG tells that the restart term may have had a master");
}

static void test_heartbeats(void)
{
	lns_election_t e;
	lns_election_out_t out;
	boot(&e, 3, 1, 4, -1, 0, &out);
	deliver(&e, 0, heartbeat(3, 50), 1000, &out);
	const lns_election_msg_t *a = sent(&out, LNS_EMSG_ACK, 0);
	T_CHECK(out.dropped && a && !a->ok && a->term == 4, "an older term: dropped, answered with our term");
	T_CHECK(!out.apply_payload && e.cache.master == LNS_ELECTION_NONE, "and not applied");

	deliver(&e, 0, heartbeat(5, 10), 1000, &out);
	a = sent(&out, LNS_EMSG_ACK, 0);
	T_CHECK(e.term == 5 && e.voted_for == 0 && out.persist, "a newer term is adopted with its master, persisted");
	T_CHECK(out.apply_payload && out.cache_changed && a && a->ok && a->seq == 10 && a->up_ms == 1000,
		"applied and acked with the uptime");
	lns_master_cache_t c;
	lns_election_cache(&e, 1000, &c);
	T_CHECK(c.master == 0 && c.term == 5 && c.seq == 10 && c.since == 1000 && c.lease_expires == 1250 && !c.stale,
		"the master cache");
	T_CHECK(out.deadline == 1000 + 400 + 25, "the election timer restarts (%" PRId64 ")", out.deadline);

	deliver(&e, 0, heartbeat(5, 9), 1010, &out);
	T_CHECK(out.dropped && !out.apply_payload && out.n_send == 0 && e.cache.seq == 10,
		"an older sequence: dropped, not acked");
	deliver(&e, 0, heartbeat(5, 10), 1020, &out);
	T_CHECK(out.dropped && !out.apply_payload && e.cache.seq == 10, "a duplicate: dropped");
	deliver(&e, 0, heartbeat(5, 12), 1100, &out);
	T_CHECK(out.apply_payload && e.cache.seq == 12 && !out.persist && !out.cache_changed,
		"a gap is fine: applied in order, nothing to persist");
	deliver(&e, 0, heartbeat(5, 11), 1110, &out);
	T_CHECK(out.dropped && e.cache.seq == 12, "the late one is never applied backwards");

	lns_election_cache(&e, 1399, &c);
	T_CHECK(!c.stale, "live until lease_ms after the last heartbeat");
	lns_election_cache(&e, 1400, &c);
	T_CHECK(c.stale && c.master == 0, "stale after it, master kept");
	deliver(&e, 2, propose(6, 2), 1419, &out);
	T_CHECK(e.voted_for == 0 && e.term == 5, "the guard holds for 320 ms after a heartbeat");
	deliver(&e, 2, propose(6, 2), 1420, &out);
	T_CHECK(e.voted_for == 2 && e.term == 6, "and then ends");
}

/* ---- elections on an instant network ---- */

static void test_election_and_lease(void)
{
	net_t t;
	net_init(&t, 3, 0);
	for (unsigned i = 0; i < 3; i++)
		net_start(&t, i);
	int most = net_run(&t, 1000);
	T_CHECK(net_master(&t) == 0 && t.e[0].term == 1, "node 0 (first by priority) is master of term 1");
	T_CHECK(most == 1, "never two valid masters");
	T_CHECK(t.p_term[1] == 1 && t.p_vote[1] == 0 && t.p_term[2] == 1 && t.p_vote[2] == 0, "the votes are persisted");
	uint64_t seq = t.e[1].cache.seq;
	net_run(&t, 2000);
	T_CHECK(t.e[1].cache.seq >= seq + 9 && t.e[2].cache.seq == t.e[1].cache.seq, "heartbeats every 100 ms (%" PRIu64
		" -> %" PRIu64 ")", seq, t.e[1].cache.seq);

	/* the master is cut off: its lease ends, then another is elected */
	for (unsigned j = 1; j < 3; j++)
		t.cut[0][j] = t.cut[j][0] = true;
	int64_t lease = t.e[0].lease_expires;
	T_CHECK(lease > 2000 && lease <= 2300, "the lease runs ahead (%" PRId64 ")", lease);
	most = net_run(&t, lease - 1);
	T_CHECK(lns_election_is_master(&t.e[0], lease - 1) && !lns_election_is_master(&t.e[0], lease),
		"master until the lease ends, not after");
	most = net_run(&t, 3000) > most ? 2 : most;
	T_CHECK(t.e[0].role == LNS_ROLE_FOLLOWER, "the cut-off master stepped down");
	T_CHECK(most == 1, "never two valid masters");
	int m = -1;
	T_CHECK(valid_masters(&t, &m) == 1 && m == 1 && t.e[1].term == 2, "node 1 took over in term 2 (%d)", m);
	int64_t others = 0;
	for (int64_t x = 0; x < 3000; x++)
		if (lns_election_is_master(&t.e[1], x) && lns_election_is_master(&t.e[0], x))
			others++;
	T_CHECK(others == 0, "the leases never overlap");

	/* healed: node 0 is behind in term and becomes a follower */
	memset(t.cut, 0, sizeof(t.cut));
	net_run(&t, 3500);
	T_CHECK(net_master(&t) == 1, "healed: node 1 stays master, acknowledged by all");
}

static void test_majority_lease(void)
{
	net_t t;
	net_init(&t, 5, 0);
	for (unsigned i = 0; i < 5; i++)
		net_start(&t, i);
	net_run(&t, 1000);
	T_CHECK(net_master(&t) == 0, "5 nodes: node 0 master");
	/* only one follower still answers: 2 of 5 is no majority */
	for (unsigned j = 2; j < 5; j++)
		t.cut[0][j] = t.cut[j][0] = true;
	net_run(&t, 1400);
	T_CHECK(!lns_election_is_master(&t.e[0], 1400), "acks from 1 of 4 followers renew no lease");
	t.cut[0][2] = t.cut[2][0] = false;
	for (unsigned j = 3; j < 5; j++)
		t.cut[1][j] = t.cut[j][1] = t.cut[2][j] = t.cut[j][2] = true;
	net_run(&t, 2600);
	int m = -1;
	T_CHECK(valid_masters(&t, &m) == 1 && t.e[m].term >= 1, "3 of 5 connected: a master with a valid lease");
	T_CHECK(t.e[3].role != LNS_ROLE_MASTER && t.e[4].role != LNS_ROLE_MASTER, "the minority has none");
}

static void test_hold_down(void)
{
	net_t t;
	net_init(&t, 3, 2000);
	net_start(&t, 1);
	net_start(&t, 2);
	net_run(&t, 1000);
	T_CHECK(net_master(&t) == 1, "node 0 absent: node 1 is master");
	net_start(&t, 0);
	net_run(&t, 2900);
	T_CHECK(net_master(&t) == 1, "node 0 is back but within its hold-down: no takeover");
	int64_t handover = -1;
	for (int64_t x = 2901; x < 4000 && handover < 0; x += 10) {
		net_run(&t, x);
		if (net_master(&t) == 0)
			handover = x;
	}
	T_CHECK(handover >= 3000 && handover < 3500, "node 0 takes over after 2 s of hold-down (%" PRId64 ")", handover);
	T_CHECK(t.e[0].term == t.e[1].term && t.e[0].term >= 2, "in a new term");

	/* a flapping node 0 (up 1 s, down 1 s) never makes the master flap */
	net_init(&t, 3, 2000);
	for (unsigned i = 0; i < 3; i++)
		net_start(&t, i);
	net_run(&t, 1000);
	t.up[0] = false;
	net_run(&t, 2000);
	T_CHECK(net_master(&t) == 1, "node 0 crashed: node 1 took over");
	unsigned changes = 0;
	int last = 1;
	for (int round = 0; round < 6; round++) {
		net_start(&t, 0);
		net_run(&t, t.now + 1000);
		t.up[0] = false;
		net_run(&t, t.now + 1000);
		int m = -1;
		valid_masters(&t, &m);
		if (m != last)
			changes++;
		last = m;
	}
	T_CHECK(changes == 0 && last == 1, "6 flaps of node 0: the master stayed node 1 (%u changes)", changes);
}

static void test_client(void)
{
	net_t t;
	net_init(&t, 3, 0);
	for (unsigned i = 0; i < 3; i++)
		net_start(&t, i);
	net_run(&t, 1000);
	net_client(&t, 2);
	T_CHECK(t.client_ok == 1 && t.client_master == 0 && t.qn == 0, "a live master: answered at once, no election");

	/* alone: no majority can be reached */
	net_init(&t, 3, 0);
	net_start(&t, 2);
	net_run(&t, 100);
	net_client(&t, 2);
	net_run(&t, 250);
	T_CHECK(t.client_fail == 1 && t.client_ok == 0, "one node of three: the client gets a failure");
	T_CONTAINS("no majority", t.reason, "no majority reachable: 1 of 3");

	/* a client starts the election (before any timer would) and gets its result */
	net_init(&t, 3, 0);
	for (unsigned i = 0; i < 3; i++)
		net_start(&t, i);
	t.now = 330; /* past the start guards */
	net_client(&t, 1);
	net_run(&t, 440);
	T_CHECK(t.client_ok == 1 && t.client_master == 0, "the election the client started named node 0 (%s)", t.reason);
}

static void test_higher_term_reelects(void)
{
	net_t t;
	net_init(&t, 3, 0);
	for (unsigned i = 0; i < 3; i++)
		net_start(&t, i);
	net_run(&t, 1000);
	T_CHECK(net_master(&t) == 0 && t.e[0].term == 1, "node 0 master of term 1");
	/* node 2 drifted to term 7 (a failed designation while it heard no one) */
	lns_election_msg_t nack = { .type = LNS_EMSG_ACK, .term = 7, .seq = 1, .ok = 0 };
	lns_election_out_t out;
	lns_election_step(&t.e[0], &(lns_election_event_t){ .type = LNS_EEV_MSG, .from = 2, .msg = nack }, t.now, &out);
	const lns_election_msg_t *p = sent(&out, LNS_EMSG_PROPOSE, LNS_ELECTION_ALL);
	T_CHECK(t.e[0].role == LNS_ROLE_CANDIDATE && !lns_election_is_master(&t.e[0], t.now),
		"the master steps down at once");
	T_CHECK(p && p->term == 8 && p->master == 0 && out.persist && out.term == 8, "and designates itself for term 8");
	lns_election_step(&t.e[1], &(lns_election_event_t){ .type = LNS_EEV_MSG, .from = 0, .msg = *p }, t.now, &out);
	T_CHECK(t.e[1].voted_for == 0 && t.e[1].term == 8, "its follower votes despite the guard: it is its master");
	lns_election_step(&t.e[0],
		&(lns_election_event_t){ .type = LNS_EEV_MSG, .from = 1, .msg = *sent(&out, LNS_EMSG_VOTE, 0) }, t.now, &out);
	T_CHECK(t.e[0].role == LNS_ROLE_MASTER && t.e[0].term == 8, "master again, in term 8");
}

static void test_split_vote(void)
{
	/* node 1 designated itself for term 3; node 2 voted for node 0 in term 3 */
	lns_election_t e;
	lns_election_out_t out;
	boot(&e, 3, 1, 2, LNS_ELECTION_NONE, 0, &out);
	event(&e, LNS_EEV_CLIENT, 1000, &out);
	lns_election_msg_t pong = { .type = LNS_EMSG_PONG, .seq = e.nonce, .term = 2, .master = -1 };
	deliver(&e, 2, pong, 1001, &out);
	event(&e, LNS_EEV_TIMER, 1100, &out);
	T_CHECK(e.role == LNS_ROLE_CANDIDATE && e.designated == 1 && e.term == 3, "node 1 proposes itself in term 3");
	lns_election_msg_t no = { .type = LNS_EMSG_VOTE, .term = 3, .master = 0, .ok = 0 };
	deliver(&e, 2, no, 1102, &out);
	T_CHECK(e.role == LNS_ROLE_FOLLOWER && out.client_reply && !out.client_ok, "a split is seen at once");
	T_CONTAINS("split", out.reason, "split vote in term 3");
	T_CHECK(out.deadline == 1102 + 2 * 25, "and a retry soon, by rank (%" PRId64 ")", out.deadline);
}

static void test_pong_joins_term(void)
{
	lns_election_t e;
	lns_election_out_t out;
	boot(&e, 3, 2, 4, LNS_ELECTION_NONE, 0, &out);
	event(&e, LNS_EEV_TIMER, 500, &out);
	T_CHECK(e.role == LNS_ROLE_CANDIDATE, "node 2 designates");
	lns_election_msg_t pong = { .type = LNS_EMSG_PONG, .seq = e.nonce, .term = 5, .master = 0, .up_ms = 50000 };
	deliver(&e, 0, pong, 501, &out);
	const lns_election_msg_t *p = sent(&out, LNS_EMSG_PROPOSE, LNS_ELECTION_ALL);
	T_CHECK(p && p->term == 5 && p->master == 0, "node 0 is settled and first: joins its designation in term 5");
	boot(&e, 3, 2, 4, LNS_ELECTION_NONE, 0, &out);
	event(&e, LNS_EEV_TIMER, 500, &out);
	pong.seq = e.nonce;
	pong.ok = 1; /* node 0 already knows a master of term 5 */
	deliver(&e, 0, pong, 501, &out);
	p = sent(&out, LNS_EMSG_PROPOSE, LNS_ELECTION_ALL);
	T_CHECK(p && p->term == 6 && p->master == 0, "a term that had a master is never joined: term 6");
}

/* ---- simulation ---- */

static unsigned schedules(void)
{
	const char *s = getenv("ELECTION_SCHEDULES");
	long v;
	return s && lns_parse_long(s, 1, 10000000, &v) == 0 ? (unsigned)v : 20000;
}

static void simulate(unsigned n, uint64_t first)
{
	unsigned count = schedules(), failed = 0;
	int64_t worst_failover = -1, worst_converge = -1;
	uint64_t events = 0, messages = 0, handovers = 0, max_term = 0, ok = 0, fail = 0, failovers = 0;
	double sum_failover = 0;
	clock_t t0 = clock();
	for (unsigned k = 0; k < count; k++) {
		sim_conf_t c;
		sim_result_t r;
		sim_conf_random(&c, first + k, n);
		sim_run(&c, &r);
		if (r.violations) {
			if (failed++ < 10)
				printf("\n    FAILED seed %" PRIu64 " (n=%u): %s\n    replay: ELECTION_SEED=%" PRIu64
				       " ELECTION_NODES=%u tests/unit_election\n",
					c.seed, n, r.first, c.seed, n);
			continue;
		}
		events += r.events;
		messages += r.messages;
		handovers += r.handovers;
		ok += r.client_ok;
		fail += r.client_fail;
		if (r.max_term > max_term)
			max_term = r.max_term;
		if (r.converge_ms > worst_converge)
			worst_converge = r.converge_ms;
		if (r.failover_ms >= 0) {
			failovers++;
			sum_failover += (double)r.failover_ms;
			if (r.failover_ms > worst_failover)
				worst_failover = r.failover_ms;
		}
	}
	printf("\n    %u nodes, %u schedules (seeds %" PRIu64 "..%" PRIu64 "), %.1f s: %" PRIu64 " steps, %" PRIu64
	       " messages, %" PRIu64 " handovers, highest term %" PRIu64 ", clients %" PRIu64 " answered / %" PRIu64
	       " refused;\n    calm: a master acknowledged by all within %" PRId64 " ms; master killed -> new master"
	       " acknowledged by all: mean %.0f ms, max %" PRId64 " ms\n",
		n, count, first, first + count - 1, (double)(clock() - t0) / CLOCKS_PER_SEC, events, messages, handovers,
		max_term, ok, fail, worst_converge, failovers ? sum_failover / (double)failovers : 0.0, worst_failover);
	T_CHECK(failed == 0, "%u of %u schedules broke a property (seeds printed above)", failed, count);
	T_CHECK(failovers == count - failed, "every schedule measured a failover (%" PRIu64 ")", failovers);
	T_CHECK(worst_failover <= 1000, "failover within 1 s with the defaults (%" PRId64 " ms)", worst_failover);
}

static void test_sim3(void)
{
	simulate(3, 1);
}

static void test_sim5(void)
{
	simulate(5, 1000001);
}

/* Without the persisted vote the same simulation must find two masters in a
 * term: the checks can fail, and the vote is what keeps them from failing. */
static void test_sim_without_vote(void)
{
	unsigned found = 0, runs = 0, limit = 20000;
	char what[256] = "";
	uint64_t seed = 0;
	for (uint64_t s = 1; runs < limit && !found; s++, runs++) {
		sim_conf_t c;
		sim_result_t r;
		sim_conf_random(&c, s, 3);
		c.wipe_vote = true;
		c.crash_after_vote = 0.8;
		c.crash_per_s = 0.3;
		c.max_down_ms = 300;
		c.long_delay = 0.3;
		c.dup = 0.3;
		c.chaos_ms = 15000;
		sim_run(&c, &r);
		if (r.violations & (SIM_TWO_MASTERS_IN_TERM | SIM_TWO_VALID_MASTERS)) {
			found++;
			seed = s;
			snprintf(what, sizeof(what), "%s", r.masters);
		}
	}
	printf("\n    vote wiped at restart: two masters found after %u schedules (seed %" PRIu64 "): %s\n", runs, seed,
		what);
	T_CHECK(found == 1, "wiping the vote lets the simulation find two masters (%u schedules tried)", runs);
}

/* Without the vote guard the simulation must find two valid leases at
 * once: the check of leases can fail too, and the guard keeps it from it. */
static void test_sim_without_guard(void)
{
	unsigned found = 0, runs = 0, limit = 20000;
	char what[256] = "";
	uint64_t seed = 0;
	for (uint64_t s = 1; runs < limit && !found; s++, runs++) {
		sim_conf_t c;
		sim_result_t r;
		sim_conf_random(&c, s, 3);
		c.no_guard = true;
		sim_run(&c, &r);
		if (r.violations & SIM_TWO_VALID_MASTERS) {
			found++;
			seed = s;
			snprintf(what, sizeof(what), "%s", r.masters);
		}
	}
	printf("\n    no vote guard: two valid leases found after %u schedules (seed %" PRIu64 "): %s\n", runs, seed, what);
	T_CHECK(found == 1, "removing the guard lets the simulation find two valid leases (%u schedules tried)", runs);
}

static void replay(uint64_t seed, unsigned n)
{
	sim_conf_t c;
	sim_result_t r;
	sim_conf_random(&c, seed, n);
	c.trace = true;
	sim_run(&c, &r);
	printf("seed %" PRIu64 " n=%u: violations %#x %s; converged in %" PRId64 " ms, failover %" PRId64 " ms\n", seed,
		n, r.violations, r.first, r.converge_ms, r.failover_ms);
}

int main(void)
{
	const char *seed = getenv("ELECTION_SEED");
	if (seed) {
		const char *nodes = getenv("ELECTION_NODES");
		replay(strtoull(seed, NULL, 10), nodes ? (unsigned)strtoul(nodes, NULL, 10) : 3);
		return 0;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	CU_pSuite s = CU_add_suite("election machine", NULL, NULL);
	CU_add_test(s, "default timers", test_defaults);
	LNS_TEST_ADD_ROWS(s, "configuration: ", conf_rows, run_conf_row);
	CU_add_test(s, "single node", test_single_node);
	CU_add_test(s, "start and election timer", test_start);
	LNS_TEST_ADD_ROWS(s, "vote: ", vote_rows, run_vote_row);
	CU_add_test(s, "start guard and persisted vote", test_start_guard_and_restart);
	CU_add_test(s, "never master again in the restart term", test_restart_term);
	CU_add_test(s, "heartbeats in order, stale ones dropped", test_heartbeats);
	CU_add_test(s, "election, lease expiry, takeover", test_election_and_lease);
	CU_add_test(s, "a lease needs a majority", test_majority_lease);
	CU_add_test(s, "hold-down of a returning node", test_hold_down);
	CU_add_test(s, "client-initiated election", test_client);
	CU_add_test(s, "a higher term makes the master re-elect", test_higher_term_reelects);
	CU_add_test(s, "split vote", test_split_vote);
	CU_add_test(s, "joining a designation", test_pong_joins_term);
	s = CU_add_suite("election simulation", NULL, NULL);
	CU_add_test(s, "3 nodes, random schedules", test_sim3);
	CU_add_test(s, "5 nodes, random schedules", test_sim5);
	CU_add_test(s, "without the persisted vote: two masters found", test_sim_without_vote);
	CU_add_test(s, "without the vote guard: two valid leases found", test_sim_without_guard);
	lns_test_election_io_suite();
	return lns_test_run();
}
