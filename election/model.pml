/*
 * election/model.pml: the election protocol of election/fsm.c for 3 nodes,
 * checked with spin (tests/t_spin.sh): at most one master per term, with
 * messages lost, duplicated (a node may send again), reordered across
 * senders, and nodes that crash and restart with their persisted term and
 * vote at any moment.
 *
 * It mirrors the C machine's states (term, voted_for, role, votes) and the
 * messages that decide terms and votes: PROPOSE, VOTE (granted or a
 * refusal carrying the voter's term), HEARTBEAT (which makes its receiver
 * adopt the term and the master) and ACK (only the negative one, carrying
 * a higher term, changes state). What it leaves out only removes
 * behaviours, so the property holds for the C machine too:
 *  - PING/PONG and the choice of the designated node: here any node may
 *    designate any node for any term from its own up to MAXTERM, which
 *    covers every outcome of the ping phase, the term joining, handovers
 *    and re-elections;
 *  - time: timers, leases and the vote guard only make nodes refuse or
 *    wait, which a lost message already covers.
 *
 * -DNO_PERSISTED_VOTE: a restart forgets the vote (but keeps the term);
 * spin must then find two masters in one term.
 */
#define N 3
#define MAJ 2
#define NONE 255
#define IMPLICIT 254
#ifndef MAXTERM
#define MAXTERM 2
#endif
#ifndef CHAN
#define CHAN 2
#endif
/* budgets of one run: designations (by any node, for any node), crashes
 * and heartbeat rounds */
#ifndef MAXDESIG
#define MAXDESIG 4
#endif
#ifndef MAXCRASH
#define MAXCRASH 2
#endif
#ifndef MAXBEAT
#define MAXBEAT 2
#endif

#define FOLLOWER 0
#define CANDIDATE 1
#define MASTER 2

mtype = { PROPOSE, VOTE, HEARTBEAT, ACK };

/* one queue per receiver: type, sender, term, master, ok */
chan net[N] = [CHAN] of { mtype, byte, byte, byte, bit };

/* persistent */
byte term[N];
byte voted[N];
/* volatile */
byte role[N];
byte votes[N]; /* bit per node: granted votes for this node in term */
/* ghost: the master of each term */
byte master_of[MAXTERM + 1];
byte desigs, crashes, beats;
/* scratch of the atomic steps, kept out of the state vector */
hidden byte mfrom, mterm, mmaster, mok, k;

#define count(v) (((v) & 1) + (((v) >> 1) & 1) + (((v) >> 2) & 1))

/* A send may be lost; a full queue loses it too. */
inline send(s_to, s_type, s_from, s_t, s_m, s_ok)
{
	if
	:: nfull(net[s_to]) -> net[s_to]!s_type(s_from, s_t, s_m, s_ok)
	:: true -> skip
	fi
}

inline become_master(b_i)
{
	role[b_i] = MASTER;
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

inline refuse(r_i, r_to)
{
	if
	:: r_to != r_i && r_to != IMPLICIT -> send(r_to, VOTE, r_i, term[r_i], 0, 0)
	:: else -> skip
	fi
}

/* consider() of fsm.c: a proposal of master m for term t from node `from` */
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
			:: else -> send(c_m, VOTE, c_i, c_t, c_m, 1)
			fi
		:: else -> refuse(c_i, c_from)
		fi
	fi
}

/* higher_term() of fsm.c; a master with a valid lease re-elects instead,
 * which is a step down followed by a designation (covered below) */
inline higher_term(h_i, h_t)
{
	set_term(h_i, h_t);
	role[h_i] = FOLLOWER
}

proctype node(byte i)
{
	/* a node may wait for ever once the budgets are spent */
end:
	do
	:: atomic { net[i]?PROPOSE(mfrom, mterm, mmaster, mok) -> consider(i, mterm, mmaster, mfrom) }
	:: atomic {
		net[i]?VOTE(mfrom, mterm, mmaster, mok) ->
		if
		:: !mok && mterm > term[i] -> higher_term(i, mterm)
		:: mok && mterm >= term[i] ->
			/* votes are sent to their master only: mmaster == i */
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
		net[i]?HEARTBEAT(mfrom, mterm, mmaster, mok) ->
		if
		:: mterm < term[i] -> send(mfrom, ACK, i, term[i], 0, 0)
		:: mterm == term[i] && role[i] == MASTER -> skip
		:: mterm > term[i] -> set_term(i, mterm); voted[i] = mfrom; role[i] = FOLLOWER
		:: mterm == term[i] && role[i] != MASTER -> role[i] = FOLLOWER
		fi
	}
	:: atomic {
		net[i]?ACK(mfrom, mterm, mmaster, mok) ->
		if
		:: mterm > term[i] -> higher_term(i, mterm)
		:: else -> skip
		fi
	}
	:: atomic {
		/* the master's heartbeat to every other node */
		role[i] == MASTER && beats < MAXBEAT ->
		beats++;
		k = 0;
		do
		:: k < N && k != i -> send(k, HEARTBEAT, i, term[i], 0, 0); k++
		:: k < N && k == i -> k++
		:: k == N -> break
		od
	}
	:: atomic {
		/* designate any node for this term (joining a designation) or a
		 * later one (a master steps down first) */
		desigs < MAXDESIG && (term[i] < MAXTERM || (term[i] > 0 && role[i] != MASTER)) ->
		desigs++;
		mterm = term[i];
		if
		:: mterm == 0 || role[i] == MASTER -> mterm++
		:: else -> skip
		fi;
		do
		:: mterm < MAXTERM -> mterm++
		:: true -> break
		od;
		if
		:: mmaster = 0
		:: mmaster = 1
		:: mmaster = 2
		fi;
		role[i] = CANDIDATE;
		if
		:: mterm > term[i] -> set_term(i, mterm)
		:: else -> skip
		fi;
		k = 0;
		do
		:: k < N && k != i -> send(k, PROPOSE, i, mterm, mmaster, 0); k++
		:: k < N && k == i -> k++
		:: k == N -> break
		od;
		consider(i, mterm, mmaster, i)
	}
	:: atomic {
		/* crash and restart: the persisted term and vote survive */
		crashes < MAXCRASH && (role[i] != FOLLOWER || votes[i] != 0
#ifdef NO_PERSISTED_VOTE
		|| voted[i] != NONE
#endif
		) ->
		crashes++;
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
		:: k <= MAXTERM -> master_of[k] = NONE; k++
		:: k > MAXTERM -> break
		od;
		run node(0);
		run node(1);
		run node(2)
	}
}
