/* core/config: libconfig file -> lns_config_t, with defaults and checks. */
#include "config.h"

#include "core/config.h"
#include "core/config_int.h"
#include "core/log.h"

#include <errno.h>
#include <libconfig.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

/* The keys each group accepts; anything else is refused with its line. */
static const char *const server_keys[] = { "node", "listen", "workers", "udp_payload", "nsid",
	"tcp_idle_timeout_ms", "tcp_max_connections", "log_level", "probe_budget", "resolvers", "user", "group",
	"allow_root", "tcp_max_per_source", "tcp_read_timeout_ms", "tcp_max_queries", NULL };
static const char *const zone_keys[] = { "name", "file", "allow_transfer", NULL };
static const char *const top_keys[] = { "server", "zones", "pools", "http", "cluster", "rrl", NULL };

int lns_cfg_fail(loader_t *ld, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lns_err_setv(ld->err, ld->path, s ? config_setting_source_line(s) : 0, fmt, ap);
	va_end(ap);
	return LNS_ECONFIG;
}

int lns_cfg_check_keys(loader_t *ld, const config_setting_t *group, const char *const *keys, const char *where)
{
	for (int i = 0; i < config_setting_length(group); i++) {
		const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
		const char *name = config_setting_name(s);
		bool known = false;
		for (const char *const *k = keys; *k; k++)
			known |= name && strcmp(name, *k) == 0;
		if (!known)
			return lns_cfg_fail(ld, s, "unknown key '%s' in %s", name ? name : "?", where);
	}
	return 0;
}

char *lns_cfg_path(loader_t *ld, const char *file)
{
	if (file[0] == '/' || !ld->dir)
		return lns_xstrdup(file);
	size_t n = strlen(ld->dir) + strlen(file) + 2;
	char *p = lns_xmalloc(n);
	snprintf(p, n, "%s/%s", ld->dir, file);
	return p;
}

int lns_cfg_get_uint(loader_t *ld, const config_setting_t *group, const char *key, long min, long max, unsigned *out)
{
	const config_setting_t *s = config_setting_get_member(group, key);
	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT && config_setting_type(s) != CONFIG_TYPE_INT64)
		return lns_cfg_fail(ld, s, "%s must be a whole number", key);
	long long v = config_setting_get_int64(s);
	if (v < min || v > max) {
		return lns_cfg_fail(ld, s, "%s is out of range (%ld to %ld)", key, min, max);
	}
	*out = (unsigned)v;
	return 0;
}

int lns_cfg_get_string(loader_t *ld, const config_setting_t *group, const char *key, const char **out)
{
	const config_setting_t *s = config_setting_get_member(group, key);
	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return lns_cfg_fail(ld, s, "%s must be a string", key);
	*out = config_setting_get_string(s);
	return 0;
}

static int load_listen(loader_t *ld, lns_config_t *cfg, const config_setting_t *s)
{
	if (!config_setting_is_aggregate(s) && config_setting_type(s) != CONFIG_TYPE_STRING)
		return lns_cfg_fail(ld, s, "listen must be a list of addresses like \"127.0.0.1@5353\"");
	unsigned n = config_setting_type(s) == CONFIG_TYPE_STRING ? 1 : (unsigned)config_setting_length(s);
	if (n == 0 || n > LNS_MAX_LISTEN)
		return lns_cfg_fail(ld, s, "listen needs 1 to 16 addresses");
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_type(s) == CONFIG_TYPE_STRING ? s : config_setting_get_elem(s, i);
		const char *text = config_setting_get_string(e);
		lns_err_t aerr;
		if (!text)
			return lns_cfg_fail(ld, e, "listen entries must be strings");
		if (lns_addr_parse(text, LNS_DEFAULT_PORT, &cfg->listen[i], &aerr) != 0)
			return lns_cfg_fail(ld, e, "listen: %s", aerr.msg);
	}
	cfg->n_listen = n;
	return 0;
}

static int load_server(loader_t *ld, lns_config_t *cfg, const config_setting_t *g)
{
	const char *node = NULL, *level = NULL;
	int rc;
	if (!config_setting_is_group(g))
		return lns_cfg_fail(ld, g, "server must be a group: server: { ... };");
	if ((rc = lns_cfg_check_keys(ld, g, server_keys, "server")) != 0)
		return rc;
	if ((rc = lns_cfg_get_string(ld, g, "node", &node)) != 0)
		return rc;
	if (node) {
		if (!*node || strlen(node) > 63)
			return lns_cfg_fail(ld, config_setting_get_member(g, "node"), "node must be 1 to 63 characters");
		free(cfg->node);
		cfg->node = lns_xstrdup(node);
	}
	const config_setting_t *listen = config_setting_get_member(g, "listen");
	if (listen && (rc = load_listen(ld, cfg, listen)) != 0)
		return rc;
	if ((rc = lns_cfg_get_uint(ld, g, "workers", 0, 256, &cfg->workers)) != 0 ||
	    (rc = lns_cfg_get_uint(ld, g, "udp_payload", 512, 4096, &cfg->udp_payload)) != 0 ||
	    (rc = lns_cfg_get_uint(ld, g, "tcp_idle_timeout_ms", 100, 3600000, &cfg->tcp_idle_timeout_ms)) != 0 ||
	    (rc = lns_cfg_get_uint(ld, g, "tcp_max_connections", 1, 100000, &cfg->tcp_max_connections)) != 0 ||
	    (rc = lns_cfg_get_uint(ld, g, "probe_budget", 1, 1000000, &cfg->probe_budget)) != 0)
		return rc;
	if ((rc = lns_cfg_get_bool(ld, g, "nsid", &cfg->nsid)) != 0)
		return rc;
	const config_setting_t *res = config_setting_get_member(g, "resolvers");
	if (res) {
		if (!config_setting_is_aggregate(res) || config_setting_length(res) > 4)
			return lns_cfg_fail(ld, res, "resolvers must be a list of up to 4 addresses like \"127.0.0.1@53\"");
		cfg->n_resolvers = (unsigned)config_setting_length(res);
		for (unsigned i = 0; i < cfg->n_resolvers; i++) {
			const config_setting_t *e = config_setting_get_elem(res, i);
			const char *text = config_setting_get_string(e);
			lns_err_t aerr;
			if (!text || lns_addr_parse(text, 53, &cfg->resolvers[i], &aerr) != 0)
				return lns_cfg_fail(ld, e, "resolvers: %s", text ? aerr.msg : "entries must be strings");
		}
	}
	if ((rc = lns_cfg_get_string(ld, g, "log_level", &level)) != 0)
		return rc;
	if (level && (cfg->log_level = lns_log_level_parse(level)) < 0)
		return lns_cfg_fail(ld, config_setting_get_member(g, "log_level"),
			"log_level '%s' is not one of error, warning, notice, info, debug", level);
	if ((rc = lns_cfg_load_tcp_limits(ld, cfg, g)) != 0)
		return rc;
	return lns_cfg_load_privs(ld, cfg, g);
}

static int load_zone(loader_t *ld, lns_zone_conf_t *z, const config_setting_t *g)
{
	const char *name = NULL, *file = NULL;
	int rc;
	z->line = config_setting_source_line(g);
	if (!config_setting_is_group(g))
		return lns_cfg_fail(ld, g, "each zone must be a group: { name = \"...\"; file = \"...\"; }");
	if ((rc = lns_cfg_check_keys(ld, g, zone_keys, "zone")) != 0 || (rc = lns_cfg_get_string(ld, g, "name", &name)) != 0 ||
	    (rc = lns_cfg_get_string(ld, g, "file", &file)) != 0)
		return rc;
	if (!name || !*name)
		return lns_cfg_fail(ld, g, "zone needs a name");
	if (!file || !*file)
		return lns_cfg_fail(ld, g, "zone '%s' needs a file", name);
	z->name = lns_xstrdup(name);
	z->file = lns_cfg_path(ld, file);
	const config_setting_t *acl = config_setting_get_member(g, "allow_transfer");
	if (!acl)
		return 0;
	if (!config_setting_is_aggregate(acl))
		return lns_cfg_fail(ld, acl, "zone '%s': allow_transfer must be a list of addresses or prefixes", name);
	z->n_allow_transfer = (unsigned)config_setting_length(acl);
	z->allow_transfer = lns_xcalloc(z->n_allow_transfer, sizeof(*z->allow_transfer));
	for (unsigned i = 0; i < z->n_allow_transfer; i++) {
		const config_setting_t *e = config_setting_get_elem(acl, i);
		const char *text = config_setting_get_string(e);
		lns_err_t perr;
		if (!text || lns_prefix_parse(text, &z->allow_transfer[i], &perr) != 0)
			return lns_cfg_fail(ld, e, "zone '%s': allow_transfer: %s", name, text ? perr.msg : "entries must be strings");
	}
	return 0;
}

static int load_zones(loader_t *ld, lns_config_t *cfg, const config_setting_t *list)
{
	if (!config_setting_is_list(list) && !config_setting_is_array(list))
		return lns_cfg_fail(ld, list, "zones must be a list: zones = ( { name = ...; file = ...; } );");
	cfg->n_zones = (unsigned)config_setting_length(list);
	cfg->zones = lns_xcalloc(cfg->n_zones, sizeof(*cfg->zones));
	for (unsigned i = 0; i < cfg->n_zones; i++) {
		int rc = load_zone(ld, &cfg->zones[i], config_setting_get_elem(list, i));
		if (rc != 0)
			return rc;
		for (unsigned j = 0; j < i; j++)
			if (strcasecmp(cfg->zones[j].name, cfg->zones[i].name) == 0)
				return lns_cfg_fail(ld, config_setting_get_elem(list, i), "zone '%s' is defined twice", cfg->zones[i].name);
	}
	return 0;
}

/* The admin token: the file's first line, at least 16 characters. */
static int load_token(loader_t *ld, lns_config_t *cfg, const config_setting_t *s, const char *file)
{
	cfg->http_token_file = lns_cfg_path(ld, file);
	FILE *fp = fopen(cfg->http_token_file, "r");
	if (!fp)
		return lns_cfg_fail(ld, s, "http.token_file %s: %s", cfg->http_token_file, strerror(errno));
	char line[1024];
	bool got = fgets(line, sizeof(line), fp) != NULL;
	fclose(fp);
	if (got)
		line[strcspn(line, "\r\n")] = '\0';
	if (!got || strlen(line) < 16)
		return lns_cfg_fail(ld, s, "http.token_file %s: the first line must hold a token of at least 16 characters",
			cfg->http_token_file);
	cfg->http_token = lns_xstrdup(line);
	return 0;
}

static int load_http(loader_t *ld, lns_config_t *cfg, const config_setting_t *g)
{
	static const char *const keys[] = { "listen", "enabled", "token_file", "read_auth", NULL };
	const char *listen = NULL, *token_file = NULL;
	int rc;
	if (!config_setting_is_group(g))
		return lns_cfg_fail(ld, g, "http must be a group: http = { listen = \"127.0.0.1@8053\"; };");
	if ((rc = lns_cfg_check_keys(ld, g, keys, "http")) != 0 || (rc = lns_cfg_get_string(ld, g, "listen", &listen)) != 0 ||
	    (rc = lns_cfg_get_string(ld, g, "token_file", &token_file)) != 0 ||
	    (rc = lns_cfg_get_bool(ld, g, "enabled", &cfg->http_enabled)) != 0 ||
	    (rc = lns_cfg_get_bool(ld, g, "read_auth", &cfg->http_read_auth)) != 0)
		return rc;
	lns_err_t aerr;
	if (listen && lns_addr_parse(listen, 8053, &cfg->http_listen, &aerr) != 0)
		return lns_cfg_fail(ld, config_setting_get_member(g, "listen"), "http.listen: %s", aerr.msg);
	if (cfg->http_read_auth && !(token_file && *token_file))
		return lns_cfg_fail(ld, config_setting_get_member(g, "read_auth"),
			"http.read_auth needs http.token_file: reads would need a token that does not exist");
	if (token_file && *token_file)
		return load_token(ld, cfg, config_setting_get_member(g, "token_file"), token_file);
	return 0;
}

int lns_cfg_get_bool(loader_t *ld, const config_setting_t *group, const char *key, bool *out)
{
	const config_setting_t *s = config_setting_get_member(group, key);
	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return lns_cfg_fail(ld, s, "%s must be true or false", key);
	*out = config_setting_get_bool(s);
	return 0;
}

static void set_defaults(lns_config_t *cfg)
{
	lns_err_t err;
	cfg->node = lns_xstrdup("levelns");
	lns_addr_parse("127.0.0.1", LNS_DEFAULT_PORT, &cfg->listen[0], &err);
	cfg->n_listen = 1;
	cfg->udp_payload = 1232;
	cfg->nsid = true;
	cfg->tcp_idle_timeout_ms = 10000;
	cfg->tcp_max_connections = 256;
	lns_cfg_limits_defaults(cfg);
	cfg->log_level = LNS_LOG_INFO;
	cfg->probe_budget = 20000;
	cfg->cluster.heartbeat_ms = 100;
	cfg->cluster.election_timeout_ms = 0; /* 4 x heartbeat_ms */
	cfg->cluster.hold_down_ms = 10000;
	cfg->http_enabled = true;
	lns_addr_parse("127.0.0.1", 8053, &cfg->http_listen, &err);
}

int lns_config_load(const char *path, lns_config_t **out, lns_err_t *err)
{
	config_t lc;
	lns_config_t *cfg = lns_xcalloc(1, sizeof(*cfg));
	char *copy = lns_xstrdup(path);
	loader_t ld = { .path = path, .dir = lns_xstrdup(dirname(copy)), .err = err };
	int rc = 0;

	free(copy);
	cfg->path = lns_xstrdup(path);
	set_defaults(cfg);
	config_init(&lc);
	if (config_read_file(&lc, path) != CONFIG_TRUE) {
		if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
			lns_err_set(err, path, 0, "cannot read the file");
		else
			lns_err_set(err, config_error_file(&lc) ? config_error_file(&lc) : path, config_error_line(&lc),
				"%s", config_error_text(&lc));
		rc = LNS_EPARSE;
		goto out;
	}
	const config_setting_t *root = config_root_setting(&lc);
	if ((rc = lns_cfg_check_keys(&ld, root, top_keys, "the top level")) != 0)
		goto out;
	const config_setting_t *s = config_setting_get_member(root, "server");
	if (s && (rc = load_server(&ld, cfg, s)) != 0)
		goto out;
	s = config_setting_get_member(root, "zones");
	if (s && (rc = load_zones(&ld, cfg, s)) != 0)
		goto out;
	s = config_setting_get_member(root, "http");
	if (s && (rc = load_http(&ld, cfg, s)) != 0)
		goto out;
	s = config_setting_get_member(root, "pools");
	if (s && (rc = lns_cfg_load_pools(&ld, cfg, s)) != 0)
		goto out;
	s = config_setting_get_member(root, "cluster");
	if (s && (rc = lns_cfg_load_cluster(&ld, cfg, s)) != 0)
		goto out;
	s = config_setting_get_member(root, "rrl");
	if (s && (rc = lns_cfg_load_rrl(&ld, cfg, s)) != 0)
		goto out;
out:
	config_destroy(&lc);
	free(ld.dir);
	if (rc != 0) {
		lns_config_free(cfg);
		cfg = NULL;
	}
	*out = cfg;
	return rc;
}

void lns_config_free(lns_config_t *cfg)
{
	if (!cfg)
		return;
	for (unsigned i = 0; i < cfg->n_zones; i++) {
		free(cfg->zones[i].name);
		free(cfg->zones[i].file);
		free(cfg->zones[i].allow_transfer);
	}
	free(cfg->zones);
	lns_cfg_free_pools(cfg);
	lns_cfg_free_cluster(cfg);
	lns_cfg_free_privs(cfg);
	free(cfg->node);
	free(cfg->path);
	free(cfg->http_token);
	free(cfg->http_token_file);
	free(cfg);
}
