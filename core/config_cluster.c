/*
 * core/config_cluster: the "cluster" group: the HMAC key, the state
 * directory, the timers, and the nodes (this one found by server.node).
 */
#include "config.h"

#include "core/config_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const cluster_keys[] = { "key_file", "state_dir", "heartbeat_ms", "election_timeout_ms",
	"hold_down_ms", "nodes", NULL };
static const char *const node_keys[] = { "name", "address", "priority", NULL };

static int load_key(loader_t *ld, lns_cluster_conf_t *c, const config_setting_t *s, const char *file)
{
	c->key_file = lns_cfg_path(ld, file);
	FILE *fp = fopen(c->key_file, "rb");
	if (!fp)
		return lns_cfg_fail(ld, s, "cluster.key_file %s: %s", c->key_file, strerror(errno));
	c->key_len = fread(c->key, 1, sizeof(c->key), fp);
	bool more = fgetc(fp) != EOF;
	fclose(fp);
	if (c->key_len && c->key[c->key_len - 1] == '\n')
		c->key_len--;
	if (more || c->key_len < 32)
		return lns_cfg_fail(ld, s, "cluster.key_file %s: the key must be 32 to 255 bytes (less a trailing newline), not %zu",
			c->key_file, c->key_len);
	return 0;
}

static int load_node(loader_t *ld, lns_cluster_conf_t *c, unsigned i, const config_setting_t *g)
{
	lns_node_conf_t *n = &c->nodes[i];
	const char *name = NULL, *addr = NULL;
	lns_err_t aerr;
	int rc;
	n->line = config_setting_source_line(g);
	if (!config_setting_is_group(g))
		return lns_cfg_fail(ld, g, "cluster.nodes: each node must be a group: { name = ...; address = \"ip@port\"; }");
	if ((rc = lns_cfg_check_keys(ld, g, node_keys, "a cluster node")) != 0 ||
	    (rc = lns_cfg_get_string(ld, g, "name", &name)) != 0 || (rc = lns_cfg_get_string(ld, g, "address", &addr)) != 0 ||
	    (rc = lns_cfg_get_uint(ld, g, "priority", 0, 1000000, &n->priority)) != 0)
		return rc;
	if (!name || !*name || strlen(name) > 63)
		return lns_cfg_fail(ld, g, "cluster.nodes: node %u needs a name of 1 to 63 characters", i + 1);
	n->name = lns_xstrdup(name);
	for (unsigned j = 0; j < i; j++)
		if (strcmp(c->nodes[j].name, name) == 0)
			return lns_cfg_fail(ld, g, "cluster.nodes: node '%s' is listed twice", name);
	if (!addr || lns_addr_parse(addr, 7353, &n->address, &aerr) != 0)
		return lns_cfg_fail(ld, g, "cluster.nodes: node '%s': address: %s", name, addr ? aerr.msg : "missing");
	return 0;
}

int lns_cfg_load_cluster(loader_t *ld, lns_config_t *cfg, const config_setting_t *g)
{
	lns_cluster_conf_t *c = &cfg->cluster;
	const char *key = NULL, *dir = NULL;
	int rc;
	if (!config_setting_is_group(g))
		return lns_cfg_fail(ld, g, "cluster must be a group: cluster = { key_file = ...; nodes = (...); };");
	if ((rc = lns_cfg_check_keys(ld, g, cluster_keys, "cluster")) != 0 ||
	    (rc = lns_cfg_get_string(ld, g, "key_file", &key)) != 0 || (rc = lns_cfg_get_string(ld, g, "state_dir", &dir)) != 0 ||
	    (rc = lns_cfg_get_uint(ld, g, "heartbeat_ms", 10, 10000, &c->heartbeat_ms)) != 0 ||
	    (rc = lns_cfg_get_uint(ld, g, "election_timeout_ms", 20, 60000, &c->election_timeout_ms)) != 0 ||
	    (rc = lns_cfg_get_uint(ld, g, "hold_down_ms", 0, 3600000, &c->hold_down_ms)) != 0)
		return rc;
	c->enabled = true;
	if (!key)
		return lns_cfg_fail(ld, g, "cluster needs key_file: a file of at least 32 random bytes shared by every node");
	if ((rc = load_key(ld, c, config_setting_get_member(g, "key_file"), key)) != 0)
		return rc;
	c->state_dir = dir ? lns_cfg_path(ld, dir) : lns_xstrdup(LOCALSTATEDIR "/lib/levelns");
	/* Followers must be free to vote when their election timer fires: past
	 * the vote guard, the lease (3 heartbeats) + 1/16 + 2 ms (election/fsm.h). */
	unsigned guard = 3 * c->heartbeat_ms + 3 * c->heartbeat_ms / 16 + 2;
	if (!c->election_timeout_ms)
		c->election_timeout_ms = 4 * c->heartbeat_ms;
	else if (c->election_timeout_ms <= guard)
		return lns_cfg_fail(ld, config_setting_get_member(g, "election_timeout_ms"),
			"cluster.election_timeout_ms %u must exceed %u ms: the lease of 3 heartbeats (heartbeat_ms %u) "
			"plus 1/16 and 2 ms", c->election_timeout_ms, guard, c->heartbeat_ms);
	const config_setting_t *nodes = config_setting_get_member(g, "nodes");
	if (!nodes || !config_setting_is_list(nodes) || config_setting_length(nodes) == 0)
		return lns_cfg_fail(ld, nodes ? nodes : g, "cluster.nodes must be a non-empty list: nodes = ( { ... } );");
	if (config_setting_length(nodes) > LNS_MAX_NODES)
		return lns_cfg_fail(ld, nodes, "cluster.nodes: at most %d nodes", LNS_MAX_NODES);
	c->n_nodes = (unsigned)config_setting_length(nodes);
	for (unsigned i = 0; i < c->n_nodes; i++)
		if ((rc = load_node(ld, c, i, config_setting_get_elem(nodes, i))) != 0)
			return rc;
	for (c->self = 0; c->self < c->n_nodes; c->self++)
		if (strcmp(c->nodes[c->self].name, cfg->node) == 0)
			return 0;
	return lns_cfg_fail(ld, nodes, "cluster.nodes has no node named '%s' (server.node): a node must know itself",
		cfg->node);
}

void lns_cfg_free_cluster(lns_config_t *cfg)
{
	lns_cluster_conf_t *c = &cfg->cluster;
	for (unsigned i = 0; i < c->n_nodes; i++)
		free(c->nodes[i].name);
	free(c->key_file);
	free(c->state_dir);
	memset(c->key, 0, sizeof(c->key));
}
