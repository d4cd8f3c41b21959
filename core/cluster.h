/*
 * core/cluster: the cluster's state as the web API shows it: the master
 * cache and every node. Plain data, filled by election/ on the control
 * thread and published in the status view.
 */
#ifndef LNS_CORE_CLUSTER_H
#define LNS_CORE_CLUSTER_H

#include "core/config.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct lns_cluster_node_status {
	char name[64];
	char address[64];
	unsigned priority;
	const char *role;     /* "master", "follower", "candidate", "unknown" */
	uint64_t term;        /* as far as this node knows */
	int64_t heard_ms_ago; /* -1: never */
	bool reachable;
	bool self;
	bool config_match;    /* its configuration hash matches ours (as last heard) */
	bool suspect;         /* the master sets its reports aside (suspect vantage point) */
} lns_cluster_node_status_t;

typedef struct lns_cluster_status {
	bool clustered;
	char master[64];      /* "" when none is known */
	uint64_t term;
	int64_t since;        /* wall clock ms */
	int64_t lease_expires; /* wall clock ms */
	uint64_t seq;
	bool stale;
	bool is_master;       /* this node, with a valid lease */
	const char *role;
	unsigned n_nodes;
	lns_cluster_node_status_t nodes[LNS_MAX_NODES];
	struct {
		const char *reason; /* static text */
		uint64_t count;
	} dropped[8];         /* messages dropped, by reason */
	unsigned n_dropped;
	uint64_t elections, heartbeats_sent, heartbeats_received;
	uint64_t heartbeats_missed; /* follower: heartbeat intervals that passed without the master's */
} lns_cluster_status_t;

#endif
