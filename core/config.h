/*
 * core/config: the configuration model and its loading from a libconfig
 * file. Every key has a default; unknown keys are errors (they are usually
 * typos). Relative file names are taken relative to the configuration
 * file's directory.
 *
 * Thread: loaded by the control thread; a loaded lns_config_t is immutable
 * and shared read-only through the view.
 */
#ifndef LNS_CORE_CONFIG_H
#define LNS_CORE_CONFIG_H

#include "core/config_rrl.h"
#include "core/pool.h"
#include "core/util.h"

#define LNS_DEFAULT_PORT 53
#define LNS_MAX_LISTEN 16

typedef struct lns_zone_conf {
	char *name;  /* as written, e.g. "example.test" */
	char *file;  /* path, resolved against the config directory */
	lns_prefix_t *allow_transfer;
	unsigned n_allow_transfer;
	int line;    /* where the zone is defined, for messages */
} lns_zone_conf_t;

#define LNS_MAX_NODES 16

typedef struct lns_node_conf {
	char *name;
	lns_addr_t address;   /* where its cluster messages go (ip@port) */
	unsigned priority;
	int line;
} lns_node_conf_t;

typedef struct lns_cluster_conf {
	bool enabled;          /* a cluster section: else a single node, its own master */
	char *key_file;
	uint8_t key[256];      /* the HMAC key: the file's content less a trailing newline */
	size_t key_len;
	char *state_dir;       /* term, vote and boot counter, written atomically */
	unsigned heartbeat_ms;
	unsigned election_timeout_ms;
	unsigned hold_down_ms;
	lns_node_conf_t nodes[LNS_MAX_NODES];
	unsigned n_nodes;
	unsigned self;         /* index of server.node in nodes */
} lns_cluster_conf_t;

typedef struct lns_config {
	char *path;           /* the file it came from */
	char *node;           /* server.node: this node's name, used for NSID */
	lns_addr_t listen[LNS_MAX_LISTEN];
	unsigned n_listen;
	unsigned workers;     /* UDP workers per address; 0 = one per CPU */
	unsigned udp_payload; /* largest UDP answer with EDNS (512-4096) */
	bool nsid;            /* answer NSID requests with the node name */
	unsigned tcp_idle_timeout_ms;
	unsigned tcp_max_connections;
	unsigned tcp_max_per_source;  /* open TCP connections from one address; 0: no cap */
	unsigned tcp_read_timeout_ms; /* a message begun must be complete within this */
	unsigned tcp_max_queries;     /* answers on one connection before it is closed; 0: no cap */
	lns_rrl_conf_t rrl;           /* response rate limiting (UDP) */
	int log_level;
	char *user;           /* server.user: run as this user when started as root; NULL: "levelns" */
	char *group;          /* server.group; NULL: the user's login group */
	bool allow_root;      /* server.allow_root: started as root, stay root */
	lns_zone_conf_t *zones;
	unsigned n_zones;
	lns_pool_conf_t *pools;
	unsigned n_pools;
	unsigned probe_budget;    /* probes per second, all pools together */
	lns_addr_t resolvers[4];  /* for member host names; none: the system's */
	unsigned n_resolvers;
	lns_cluster_conf_t cluster;
	bool http_enabled;
	lns_addr_t http_listen;   /* the admin endpoint (default 127.0.0.1@8053) */
	char *http_token;         /* the first line of http.token_file; NULL: writes refused */
	char *http_token_file;
	bool http_read_auth;      /* reads (API and /metrics, not the dashboard's files) need the token too */
} lns_config_t;

/* Loads and validates path. Returns 0 and a new config in *out (caller frees
 * with lns_config_free), or an error with "file:line: reason" in err. */
int lns_config_load(const char *path, lns_config_t **out, lns_err_t *err);
void lns_config_free(lns_config_t *cfg);

#endif
