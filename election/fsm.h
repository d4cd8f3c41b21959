/*
 * election/fsm: the election state machine of one node, a pure function of
 * (state, event, now). No sockets, no clock reads, no allocation: the I/O
 * layer feeds it events with the node's CLOCK_MONOTONIC time in ms and
 * carries out the actions it returns, in order.
 *
 * PROTOCOL
 * Nodes 0..n-1 are the configured cluster.nodes; rank orders them by
 * descending priority (ties: configuration order). majority = n/2 + 1.
 *
 * Persistent: term (never goes backwards) and voted_for (the master this node
 * accepted in that term, or none). When out.persist is set the I/O layer
 * writes both to state_dir (write, fsync, rename, fsync dir) BEFORE sending
 * any message of that step; a node that cannot persist must send nothing.
 *
 * Roles: FOLLOWER; CANDIDATE (this node designates: phase PING, then
 * PROPOSED); MASTER (elected for the term; acts only while its lease holds).
 *
 * Messages (the authenticated sender index travels beside them):
 *   PING    nonce                       reachability probe of a designation
 *   PONG    nonce, term, master, ok,    answer: sender's term, its vote in
 *           up_ms                       it (master), whether that term may
 *                                       have had a master (ok: one is known,
 *                                       or the sender restarted in it), uptime
 *   PROPOSE term, master                "designate master for term"
 *   VOTE    term, master, ok            accept (to master) or refuse (to the
 *                                       designator, with the voter's term
 *                                       and its vote in it as master)
 *   HEARTBEAT term, seq, lease_ms       from the master every heartbeat_ms;
 *                                       carries the master cache (payload)
 *   ACK     term, seq, ok, up_ms        a follower applied that heartbeat;
 *                                       ok=0: the follower is at a higher term
 *
 * Election. A follower that hears no heartbeat for election_timeout +
 * rank*stagger (or a client that finds no live master, unless this node
 * voted less than vote_timeout ago: then it waits for that election's
 * master) becomes CANDIDATE:
 * it PINGs all and collects PONGs for ping_timeout. Without PONGs from a
 * majority (itself included) it fails. Otherwise it designates the best
 * node that answered, by (settled, rank): settled = up at least hold_down
 * at the decision (uptime in its PONG plus the time since), so a node just
 * back (perhaps flapping) comes after the nodes that stayed up. Let T be the highest term among its own and the PONGs: if the votes
 * seen in T all name m and no answer says T may have had a master (a
 * concurrent designation of the same master, not yet won) it joins T, else
 * it adopts T + 1. A node never becomes master in the term it restarted in
 * (it may have been master there, and its followers are past the sequence
 * it would restart), so followers never see a sequence go backwards.
 * It votes, and broadcasts PROPOSE(T, m) and its own VOTE again every
 * heartbeat_ms until vote_timeout or until a heartbeat of term >= T arrives. It may decide
 * before the timeout when the best answer is settled and outranks every
 * silent node. Refusals from nodes that voted for another master in T (two
 * designators saw different answers) that leave too few of the nodes that
 * answered the pings for a majority end the attempt at once; it retries
 * after (rank+1)*stagger, the better ranked first.
 *
 * Voting on PROPOSE(T, m) from d: refuse if T < term; refuse if MASTER;
 * refuse while the guard holds (a heartbeat was applied, or the node
 * started, less than guard_ms ago) unless d is the master whose heartbeats
 * set it (a master hands over only after stepping down); refusals under the
 * guard do not adopt T. Otherwise adopt T (voted_for = none), and grant if
 * voted_for is none or m: voted_for = m, persist, VOTE(T, m, ok) to m. One
 * vote per term, kept across restarts. m becomes MASTER when it holds
 * granted VOTEs for T from a majority (its own if it voted for itself; if
 * it voted for another, the others' votes still exclude any rival). A VOTE
 * for m reaching m before the PROPOSE counts as the proposal.
 *
 * Master and lease. A new master broadcasts HEARTBEAT(T, seq) at once and
 * then every heartbeat_ms; seq continues from its cache, and followers apply
 * a heartbeat only if (term, seq) is greater than their cache's, so the
 * cache never goes backwards. Applying sets the guard, persists term (and
 * voted_for = master) when the term is new, and sends ACK. Acks of seq q
 * from a majority (the master counts itself) give lease_expires = sent(q) +
 * lease_ms, sent(q) being the master's clock when it produced heartbeat q.
 * lns_election_is_master() is role MASTER and now < lease_expires. A master
 * whose lease is gone (or that got no majority within lease_ms of its
 * election) steps down to FOLLOWER.
 *
 * Higher terms. A heartbeat of a higher term makes anyone a follower of its
 * sender. A refusal or a negative ACK with a higher term makes a candidate
 * fail and a master without a valid lease step down (both adopt the term).
 * A master with a valid lease that sees a negative ACK (a follower drifted to
 * a higher term, e.g. after an asymmetric partition) re-elects at once: it
 * steps down and designates itself (or its hold-down successor) for the next
 * term; its followers accept because the proposer is their master.
 *
 * Hold-down. The master tracks, per node, since when it has acked without a
 * gap longer than lease_ms (and how long the node says it has been up). A
 * node ranked above the master that has been healthy so for hold_down_ms
 * gets the mastership: the master steps down and designates it for the next
 * term. Handovers only go upward in rank, so they cannot ping-pong.
 *
 * Single node (n == 1): at START it takes term+1 and is master at once with
 * an unbounded lease.
 *
 * TIMING (defaults for heartbeat h = 100 ms)
 *   lease_ms 3h = 300, guard_ms = lease + lease/16 + 2 = 320, election_timeout
 *   4h = 400, stagger h/4 = 25 per rank, ping_timeout h = 100, vote_timeout
 *   3h = 300, hold_down 10 s.
 * Safety of leases (no two valid masters at once, across terms). Clocks may
 * run at rates within 1 +- rho of real time. Let master x's lease come from
 * heartbeat q sent at real S; it ends at real <= S + lease/(1-rho). Each node
 * n of q's acking majority applied q at R >= S, and votes for no one but x
 * until R + (guard-2)/(1+rho) (2 ms for the ms rounding of both clocks); a
 * restart resets the guard, and voting in a term makes acking an older term
 * impossible. Any later master needs a vote from one such n, so it is
 * elected after x's lease ended when (guard-2)/(1+rho) >= lease/(1-rho),
 * i.e. (1+rho)/(1-rho) <= 318/300: rho up to 2.9% (CLOCK_MONOTONIC is off
 * by ppm; the simulation draws rates up to 2.9% off). The exception, a
 * proposal from x itself, comes after x stepped down.
 * Per term, at most one master: one persisted vote per node per term and
 * majorities intersect.
 * Failover. The master dies at D; followers applied its last heartbeat at
 * L <= D and start at L + 400 + 25*rank, past every guard (320); the ping
 * phase waits ping_timeout for the dead node, then PROPOSE, VOTE and the
 * first HEARTBEAT are three one-way delays: new master known to all live
 * nodes by D + ~525 ms + 25*(rank-1) + 3 delays; its lease one delay later.
 * Within 1 s for up to 16 nodes on a LAN; a lost message costs one
 * heartbeat_ms more. Simulated (tests/unit_election, 3 and 5 nodes, clocks
 * up to 2.9% off, 0.1-2 ms delays): 460 ms on average, at most 546 ms.
 *
 * Thread: one lns_election_t belongs to one thread (the control thread);
 * the functions are reentrant and keep no global state.
 */
#ifndef LNS_ELECTION_FSM_H
#define LNS_ELECTION_FSM_H

#include "core/util.h"

#include <stdbool.h>
#include <stdint.h>

#define LNS_ELECTION_MAX_NODES 16
#define LNS_ELECTION_NONE (-1) /* no node: no vote, no master */
#define LNS_ELECTION_ALL (-1)  /* send to every node but this one */
#define LNS_ELECTION_NEVER INT64_MAX

typedef struct lns_election_conf {
	unsigned n;    /* nodes, 1 .. LNS_ELECTION_MAX_NODES */
	unsigned self; /* this node's index */
	int priority[LNS_ELECTION_MAX_NODES];
	unsigned heartbeat_ms;
	unsigned lease_ms;
	unsigned election_timeout_ms;
	unsigned stagger_ms; /* added to election_timeout per rank */
	unsigned ping_timeout_ms;
	unsigned vote_timeout_ms;
	unsigned hold_down_ms;
} lns_election_conf_t;

/* Defaults for n nodes, all of priority 0, derived from heartbeat_ms (0:
 * 100 ms) as the TIMING section says. */
void lns_election_conf_init(lns_election_conf_t *conf, unsigned n, unsigned self, unsigned heartbeat_ms);
/* Checks the counts and that the timers keep the protocol safe and live:
 * 2*heartbeat <= lease, guard < election_timeout, ... Returns 0 or
 * LNS_ECONFIG with the reason in err. */
int lns_election_conf_check(const lns_election_conf_t *conf, lns_err_t *err);
/* The vote-refusal window after a heartbeat or a start. */
unsigned lns_election_guard_ms(const lns_election_conf_t *conf);

enum lns_election_msg_type {
	LNS_EMSG_PING = 1,
	LNS_EMSG_PONG,
	LNS_EMSG_PROPOSE,
	LNS_EMSG_VOTE,
	LNS_EMSG_HEARTBEAT,
	LNS_EMSG_ACK,
};

/* One message; fields a type does not use are 0. */
typedef struct lns_election_msg {
	uint8_t type;   /* enum lns_election_msg_type */
	uint8_t ok;     /* VOTE: granted; ACK: applied */
	int16_t master; /* PROPOSE, VOTE: the designated master */
	uint32_t up_ms; /* PONG, ACK: the sender's uptime, capped */
	uint32_t lease_ms; /* HEARTBEAT: the master's lease left (0: none yet) */
	uint64_t term;  /* all but PING */
	uint64_t seq;   /* HEARTBEAT, ACK: sequence; PING, PONG: nonce */
} lns_election_msg_t;

const char *lns_election_msg_name(unsigned type);

enum lns_election_event_type {
	LNS_EEV_START = 1, /* the node (re)starts; first event after init */
	LNS_EEV_TIMER,     /* out.deadline was reached (early or late is fine) */
	LNS_EEV_MSG,       /* an authenticated message from node `from` */
	LNS_EEV_CLIENT,    /* a client asks for the master (or an election) */
};

typedef struct lns_election_event {
	unsigned type;
	unsigned from;
	lns_election_msg_t msg;
} lns_election_event_t;

enum lns_election_role {
	LNS_ROLE_FOLLOWER = 0,
	LNS_ROLE_CANDIDATE,
	LNS_ROLE_MASTER,
};
const char *lns_election_role_name(unsigned role);

#define LNS_ELECTION_MAX_SENDS 8

typedef struct lns_election_send {
	int to; /* node index or LNS_ELECTION_ALL */
	lns_election_msg_t msg;
} lns_election_send_t;

/* What one step asks of the I/O layer, in this order: persist, send, arm
 * the timer, report. */
typedef struct lns_election_out {
	bool persist; /* write (term, voted_for) durably before any send */
	uint64_t term;
	int voted_for;
	unsigned n_send;
	lns_election_send_t send[LNS_ELECTION_MAX_SENDS];
	int64_t deadline; /* step with LNS_EEV_TIMER at this time (NEVER: none) */
	bool role_changed;  /* role or is_master changed: log it, republish */
	bool cache_changed; /* the master cache changed */
	bool apply_payload; /* the HEARTBEAT of this step is new and in order:
	                       apply the master cache and verdicts it carries */
	const char *dropped; /* the message was stale or bad: why (count it) */
	bool client_reply; /* answer the pending client requests: */
	bool client_ok;    /* master and term hold the answer, else 503 reason */
	int client_master;
	uint64_t client_term;
	char reason[96];
} lns_election_out_t;

/* The master cache as this node sees it. Times are this node's monotonic
 * ms; the I/O layer turns them into wall-clock time for the API. */
typedef struct lns_master_cache {
	int master; /* LNS_ELECTION_NONE: none known */
	uint64_t term;
	int64_t since;         /* when this node learned of this master's term */
	int64_t lease_expires; /* master: its lease; follower: the master's
	                          lease as the last heartbeat told */
	uint64_t seq;          /* last heartbeat applied (master: sent) */
	bool stale;            /* master: lease gone; follower: no heartbeat
	                          for lease_ms */
} lns_master_cache_t;

/* The state of one node. Plain data: copy it, compare it; do not touch the
 * fields outside election/ and the unit tests. */
typedef struct lns_election {
	lns_election_conf_t conf;
	unsigned guard_ms;
	unsigned majority;
	uint8_t rank[LNS_ELECTION_MAX_NODES]; /* 0 = highest priority */
	/* persistent */
	uint64_t term;
	int voted_for;
	/* volatile */
	int64_t voted_at;     /* when the vote was given (or given again) */
	unsigned role;
	int64_t started_at;
	uint64_t start_term;  /* the term at start: never master in it */
	int64_t guard_until;  /* no votes before, except for guard_by */
	int guard_by;         /* the master whose heartbeat set the guard */
	int64_t election_at;  /* follower: start an election then */
	lns_master_cache_t cache;
	int64_t heard_at;     /* follower: last heartbeat applied */
	/* candidate */
	unsigned phase; /* 0: PING, 1: PROPOSED */
	uint64_t nonce;
	uint32_t ponged; /* bit mask of the nodes that answered */
	int64_t up_since[LNS_ELECTION_MAX_NODES]; /* their start, by their PONG */
	uint64_t pong_term; /* the highest term answered, and the vote in it */
	int pong_vote;      /* (-2: votes for two nodes) */
	bool pong_mastered; /* a master of pong_term is known */
	int designated;
	uint32_t refused; /* nodes that voted for another master in the term */
	int64_t phase_deadline, resend_at;
	/* master (votes also while waiting for them) */
	uint32_t votes;
	int64_t became_at, lease_expires, next_heartbeat;
	uint64_t seq;
	uint64_t acked[LNS_ELECTION_MAX_NODES];
	int64_t sent_at[32]; /* by seq % 32 */
	int64_t last_ack[LNS_ELECTION_MAX_NODES], healthy_since[LNS_ELECTION_MAX_NODES];
	/* client requests */
	bool client_pending;
	int64_t client_deadline;
	uint64_t n_dropped;
} lns_election_t;

/* Sets up a node from conf (checked) and the persisted state (term 0 and
 * LNS_ELECTION_NONE when there is none). Step LNS_EEV_START next. */
void lns_election_init(lns_election_t *e, const lns_election_conf_t *conf, uint64_t term, int voted_for);

/* Feeds one event at now (this node's monotonic ms, never decreasing
 * between steps of one incarnation) and fills out. */
void lns_election_step(lns_election_t *e, const lns_election_event_t *ev, int64_t now, lns_election_out_t *out);

/* True while this node is master with a valid lease at now. */
bool lns_election_is_master(const lns_election_t *e, int64_t now);

/* The master cache at now. */
void lns_election_cache(const lns_election_t *e, int64_t now, lns_master_cache_t *cache);

#endif
