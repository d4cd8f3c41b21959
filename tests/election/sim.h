/*
 * tests/election/sim: a discrete-event simulation of a cluster of election
 * state machines (election/fsm.h) over a simulated network and simulated
 * clocks, for the unit tests.
 *
 * A schedule has a chaotic phase (message loss, duplication, reordering by
 * random delays and occasional long delays, partitions that change over
 * time, symmetric or one-way, crashes and restarts with the persisted term
 * and vote, client requests, node clocks that run at different rates and
 * restart from other origins) and then a calm phase (no loss, short delays,
 * every node up): once a master is acknowledged by every node the master is
 * killed, and the time until a new master is acknowledged by every live node
 * is measured.
 *
 * After every step of every node the simulation checks, at that instant:
 * no two nodes are master in the same term (ever), no two nodes hold a valid
 * lease at once, no term goes backwards (restarts included), no node votes
 * for two masters in a term, no change of term or vote is left unpersisted,
 * no master cache goes back in (term, seq) within a run of a node, and a
 * client answer names a master of that term.
 *
 * Thread: single-threaded; a run owns all it allocates.
 */
#ifndef LNS_TESTS_ELECTION_SIM_H
#define LNS_TESTS_ELECTION_SIM_H

#include "election/fsm.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct sim_conf {
	uint64_t seed;
	unsigned n;
	int priority[LNS_ELECTION_MAX_NODES];
	unsigned heartbeat_ms, hold_down_ms;
	double drift;       /* clock rates within 1 +- drift */
	double loss, dup;   /* per message, chaotic phase */
	double reorder;     /* chance of an extra delay up to 40 ms */
	double long_delay;  /* chance of an extra delay up to 900 ms */
	double crash_per_s; /* per node */
	double master_crash_per_s;
	double crash_after_vote; /* chance to crash right after persisting a vote */
	unsigned max_down_ms;
	double partition_per_s;
	double client_per_s;
	int64_t chaos_ms; /* length of the chaotic phase */
	int64_t calm_ms;  /* calm time before the master is killed */
	bool wipe_vote;   /* restarts forget the vote (the broken variant) */
	bool no_guard;    /* votes right after a heartbeat or a start (broken) */
	bool trace;       /* print every step on stdout */
} sim_conf_t;

enum sim_violation {
	SIM_TWO_MASTERS_IN_TERM = 1,
	SIM_TWO_VALID_MASTERS = 2,
	SIM_TERM_BACKWARDS = 4,
	SIM_DOUBLE_VOTE = 8,
	SIM_UNPERSISTED = 16,
	SIM_BAD_CLIENT_ANSWER = 32,
	SIM_NO_MASTER = 64, /* liveness: no master within the bound in calm */
	SIM_CACHE_BACKWARDS = 128, /* a master cache went back in (term, seq) */
};

typedef struct sim_result {
	unsigned violations; /* enum sim_violation bits */
	char first[256];     /* the first violation, with its time */
	char masters[256];   /* the first violation of two masters (in a term or at once) */
	int64_t converge_ms; /* calm start to a master acknowledged by all */
	int64_t failover_ms; /* master killed to a new one acknowledged by all */
	uint64_t events, messages, max_term, client_ok, client_fail, handovers;
} sim_result_t;

/* A random schedule of n nodes from seed, with default timers. */
void sim_conf_random(sim_conf_t *c, uint64_t seed, unsigned n);

/* Runs one schedule; fills r. */
void sim_run(const sim_conf_t *c, sim_result_t *r);

#endif
