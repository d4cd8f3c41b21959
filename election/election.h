/*
 * election: the cluster of levelns nodes. Runs the election state machine
 * (fsm.h) over authenticated UDP (wire.h), keeps term and vote durable
 * (store.h), and keeps the master cache that the API shows.
 *
 * No cluster section: a single node, its own master (term 1), and none of
 * the networking.
 *
 * Thread: the control thread (libev loop) for everything. lns_cluster_status
 * copies the state out, for the control thread to publish.
 */
#ifndef LNS_ELECTION_H
#define LNS_ELECTION_H

#include "core/cluster.h"
#include "core/config.h"

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct lns_cluster lns_cluster_t;

typedef struct lns_cluster_cbs {
	/* Role, master or a node's liveness changed: republish the status. */
	void (*changed)(void *arg);
	/* A client's election request is answered: ok with the master, or the
	 * reason there is none (no majority). */
	void (*client_done)(void *arg, void *req, bool ok, const char *master, uint64_t term, const char *reason);
	/* This node's view of its members (lns_verdict_local), for the master. */
	void (*local_report)(void *arg, uint8_t *bits);
	/* The master's verdict to answer from (on every node, the master too):
	 * bit i set when member i (pools and members in configuration order) is
	 * up by the quorum. */
	void (*apply_verdict)(void *arg, const uint8_t *bits, const uint8_t *drains, unsigned members);
	/* The members drained here (bit i set), which the master replicates. */
	void (*local_drains)(void *arg, uint8_t *bits);
	/* The master is asked (by a node that got the API request) to drain. */
	void (*drain)(void *arg, unsigned pool, unsigned member, bool drain, int64_t until);
	void *arg;
} lns_cluster_cbs_t;

/* A drain posted to a follower goes to the master, whose heartbeats then
 * carry it to every node. Returns 0, or -EAGAIN when no master is known. */
int lns_cluster_forward_drain(lns_cluster_t *c, unsigned pool, unsigned member, bool drain, int64_t until);
/* True when this node is the master with a valid lease (or alone). */
bool lns_cluster_is_master(const lns_cluster_t *c);
bool lns_cluster_is_clustered(const lns_cluster_t *c);

/* A reload: the members the reports and verdicts are about may change. */
void lns_cluster_reconfigure(lns_cluster_t *c, const lns_config_t *cfg);

/* Starts the node. Returns 0 and *out, or a negative errno / LNS_E* with
 * the reason in err (the state directory or socket cannot be had). */
int lns_cluster_start(struct ev_loop *loop, const lns_config_t *cfg, const lns_cluster_cbs_t *cbs, lns_cluster_t **out,
	lns_err_t *err);
void lns_cluster_stop(lns_cluster_t *c);

/* A client asks for the master: answered (through cbs->client_done with req)
 * at once when a live master is known, else after an election. */
void lns_cluster_client_election(lns_cluster_t *c, void *req);

void lns_cluster_status(const lns_cluster_t *c, lns_cluster_status_t *out);
const char *lns_cluster_drop_name(unsigned reason);

#endif
