/*
 * election/model.pml: the election protocol of election/fsm.c for 3 nodes,
 * checked with spin by tests/t_spin.sh: at most one master per term.
 *
 * The network is a soup: a message once sent stays available, and any node
 * may receive any message addressed to it at any time, again and again, or
 * never. That is loss, duplication, reordering and any delay at once.
 * Nodes crash and restart at any moment with their persisted term and vote
 * (role and the votes collected are lost).
 *
 * States and messages mirror the C machine: term and voted_for
 * (persistent), role (FOLLOWER, CANDIDATE, MASTER) and the votes collected;
 * PROPOSE(term, master), VOTE granted (to the master) or refused (to the
 * designator, with the voter's term), HEARTBEAT(term) from a master to all,
 * and the negative ACK (a follower's higher term). consider(), on VOTE,
 * on HEARTBEAT and higher_term() follow fsm.c. A refused VOTE and a
 * negative ACK only make their receiver adopt a higher term with no vote:
 * the model lets any node do that at any time, for any term, which covers
 * them. What the model leaves out only removes behaviours, so the property
 * holds for the C machine too:
 *  - PING/PONG and the choice of the designated node: any node may
 *    designate any node for a later term (a master stepping down first, as
 *    in a handover or re-election), or join its own term for the node it
 *    voted for (or any node, if it has not voted), which covers every
 *    outcome of the ping phase and of fsm.c's rule for joining a term;
 *  - time: timers, leases and the vote guard only make nodes refuse or
 *    wait, which an undelivered message already covers;
 *  - positive ACKs: they change leases only;
 *  - the rule that a node never becomes master in the term it restarted
 *    in: the model allows it (the assertion accepts the same node twice).
 * The heartbeat sequence, leases and the hold-down are the simulation's to
 * check (tests/unit_election).
 * Bounds: 3 nodes, terms up to MAXTERM. With 2 (the default) the search is
 * exhaustive: 2.3 million states, about 30 s. With 3 it is far larger (no
 * violation in the first 35 million states, nor in 50 million of a
 * -DBITSTATE search, 20 minutes each).
 *
 * -DNO_PERSISTED_VOTE: a restart forgets the vote (and keeps the term);
 * spin must then find two masters in one term.
 */
#define N 3
#define MAJ 2
#define NONE 255
#define IMPLICIT 254
#ifndef MAXTERM
#define MAXTERM 2
#endif
#define NT (MAXTERM + 1)

#define FOLLOWER 0
#define CANDIDATE 1
#define MASTER 2

/* persistent */
byte term[N];
byte voted[N];
/* volatile */
byte role[N];
byte votes[N]; /* a bit per node: granted votes for this node in term */

/* the soup: a bit per message ever sent, by term */
#define PAIR(a, b) (1 << ((a) * N + (b)))
short proposes[NT]; /* PAIR(designator, master) */
short grants[NT];   /* PAIR(voter, master): granted, sent to the master */
#define BEAT(m, t) (1 << ((m) * NT + (t)))
int beats;          /* BEAT(master, term): heartbeats, to all */

/* ghost: the master of each term */
byte master_of[NT];

/* scratch of the atomic steps, kept out of the state vector */
hidden byte mfrom, mterm, mmaster, k;

#define count(v) (((v) & 1) + (((v) >> 1) & 1) + (((v) >> 2) & 1))

inline pick(p_v, p_lo, p_hi)
{
	p_v = p_lo;
	do
	:: p_v < p_hi -> p_v++
	:: true -> break
	od
}

/* The votes a master collected are never read again (a master leaves its
 * term or crashes before it can count votes again): clearing them only
 * merges states. */
inline become_master(b_i)
{
	role[b_i] = MASTER;
	votes[b_i] = 0;
	assert(master_of[term[b_i]] == NONE || master_of[term[b_i]] == b_i);
	master_of[term[b_i]] = b_i
}

inline check_won(w_i)
{
	if
	:: role[w_i] != MASTER && count(votes[w_i]) >= MAJ -> become_master(w_i)
	:: else -> skip
	fi
}

inline set_term(st_i, st_t)
{
	if
	:: st_t != term[st_i] -> votes[st_i] = 0
	:: else -> skip
	fi;
	term[st_i] = st_t;
	voted[st_i] = NONE
}

/* A refusal (VOTE not granted) carries the voter's term; its only effect,
 * a higher term for the designator, is the raise step below. */
inline refuse(r_i, r_to)
{
	skip
}

/* consider() of fsm.c: a proposal of master c_m for term c_t from c_from */
inline consider(c_i, c_t, c_m, c_from)
{
	if
	:: c_t < term[c_i] -> refuse(c_i, c_from)
	:: c_t >= term[c_i] && role[c_i] == MASTER -> refuse(c_i, c_from)
	:: c_t >= term[c_i] && role[c_i] != MASTER ->
		if
		:: c_t > term[c_i] -> set_term(c_i, c_t)
		:: else -> skip
		fi;
		if
		:: voted[c_i] == NONE || voted[c_i] == c_m ->
			voted[c_i] = c_m;
			if
			:: role[c_i] == CANDIDATE && c_from != c_i -> role[c_i] = FOLLOWER
			:: else -> skip
			fi;
			if
			:: c_m == c_i -> votes[c_i] = votes[c_i] | (1 << c_i); check_won(c_i)
			:: else -> grants[c_t] = grants[c_t] | PAIR(c_i, c_m)
			fi
		:: else -> refuse(c_i, c_from)
		fi
	fi
}

/* higher_term() of fsm.c; a master with a valid lease re-elects instead:
 * a step down and a designation, which the designation step covers */
inline higher_term(h_i, h_t)
{
	set_term(h_i, h_t);
	role[h_i] = FOLLOWER
}

proctype node(byte i)
{
end:
	do
	:: atomic {
		/* receive a PROPOSE (the term first: most are empty) */
		pick(mterm, 1, MAXTERM);
		if
		:: proposes[mterm] != 0 ->
			pick(mfrom, 0, N - 1); pick(mmaster, 0, N - 1);
			if
			:: mfrom != i && (proposes[mterm] & PAIR(mfrom, mmaster)) -> consider(i, mterm, mmaster, mfrom)
			:: else -> skip
			fi
		:: else -> skip
		fi
	}
	:: atomic {
		/* receive a granted VOTE (votes go to their master) */
		pick(mterm, 1, MAXTERM);
		pick(mfrom, 0, N - 1);
		if
		:: mfrom != i && (grants[mterm] & PAIR(mfrom, i)) && mterm >= term[i] ->
			if
			:: mterm > term[i] || voted[i] == NONE -> consider(i, mterm, i, IMPLICIT)
			:: else -> skip
			fi;
			if
			:: mterm == term[i] && role[i] != MASTER ->
				votes[i] = votes[i] | (1 << mfrom);
				check_won(i)
			:: else -> skip
			fi
		:: else -> skip
		fi
	}
	:: atomic {
		/* receive a refused VOTE or a negative ACK: any higher term */
		term[i] < MAXTERM ->
		pick(mterm, term[i] + 1, MAXTERM);
		higher_term(i, mterm)
	}
	:: atomic {
		/* receive a HEARTBEAT */
		pick(mfrom, 0, N - 1); pick(mterm, 1, MAXTERM);
		if
		:: mfrom != i && (beats & BEAT(mfrom, mterm)) ->
			if
			:: mterm < term[i] -> skip /* a negative ACK: see the raise step */
			:: mterm == term[i] && role[i] == MASTER -> skip
			:: mterm > term[i] -> set_term(i, mterm); voted[i] = mfrom; role[i] = FOLLOWER
			:: mterm == term[i] && role[i] != MASTER -> role[i] = FOLLOWER
			fi
		:: else -> skip
		fi
	}
	:: atomic {
		/* a master sends heartbeats */
		role[i] == MASTER -> beats = beats | BEAT(i, term[i])
	}
	:: atomic {
		/* designate: any node for a later term, or join this term */
		term[i] < MAXTERM || (term[i] > 0 && role[i] != MASTER) ->
		pick(mmaster, 0, N - 1);
		if
		:: term[i] < MAXTERM -> pick(mterm, term[i] + 1, MAXTERM)
		:: term[i] > 0 && role[i] != MASTER && (voted[i] == NONE || voted[i] == mmaster) -> mterm = term[i]
		:: else -> mterm = NONE
		fi;
		if
		:: mterm != NONE ->
			role[i] = CANDIDATE;
			if
			:: mterm > term[i] -> set_term(i, mterm)
			:: else -> skip
			fi;
			proposes[mterm] = proposes[mterm] | PAIR(i, mmaster);
			consider(i, mterm, mmaster, i)
		:: else -> skip
		fi
	}
	:: atomic {
		/* crash and restart: the persisted term and vote survive */
		role[i] = FOLLOWER;
		votes[i] = 0;
#ifdef NO_PERSISTED_VOTE
		voted[i] = NONE;
#endif
		skip
	}
	od
}

init
{
	atomic {
		k = 0;
		do
		:: k < N -> voted[k] = NONE; k++
		:: k == N -> break
		od;
		k = 0;
		do
		:: k < NT -> master_of[k] = NONE; k++
		:: k == NT -> break
		od;
		run node(0);
		run node(1);
		run node(2)
	}
}
