/*
 * core/config_rrl: the "rrl" group (response rate limiting) and the TCP
 * limits of the "server" group (tcp_max_per_source, tcp_read_timeout_ms,
 * tcp_max_queries), with their defaults. Every value is range-checked and
 * refused with file:line.
 */
#include "config.h"

#include "core/config_int.h"

#include <stdio.h>
#include <string.h>

static const char *const rrl_keys[] = { "enabled", "rate", "slip", "window", "ipv4_prefix", "ipv6_prefix", "allow",
	"table_size", NULL };

void lns_cfg_limits_defaults(lns_config_t *cfg)
{
	lns_rrl_conf_t *r = &cfg->rrl;
	lns_err_t err;
	r->enabled = true;
	r->rate = 200;
	r->slip = 2;
	r->window = 15;
	r->ipv4_prefix = 24;
	r->ipv6_prefix = 56;
	r->table_size = 65536;
	/* Loopback cannot be spoofed from outside (the kernel drops martian
	 * 127/8 and ::1 sources on other interfaces): local monitors and
	 * tools are never limited. */
	lns_prefix_parse("127.0.0.0/8", &r->allow[0], &err);
	lns_prefix_parse("::1", &r->allow[1], &err);
	r->n_allow = 2;
	cfg->tcp_max_per_source = 16;
	cfg->tcp_read_timeout_ms = 2000;
	cfg->tcp_max_queries = 1000;
}

/* Like lns_cfg_get_uint, with the group's name in the message. */
static int get_uint(loader_t *ld, const config_setting_t *g, const char *group, const char *key, long min, long max,
	unsigned *out)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT && config_setting_type(s) != CONFIG_TYPE_INT64)
		return lns_cfg_fail(ld, s, "%s.%s must be a whole number", group, key);
	long long v = config_setting_get_int64(s);
	if (v < min || v > max)
		return lns_cfg_fail(ld, s, "%s.%s is out of range (%ld to %ld)", group, key, min, max);
	*out = (unsigned)v;
	return 0;
}

int lns_cfg_load_tcp_limits(loader_t *ld, lns_config_t *cfg, const config_setting_t *g)
{
	int rc;
	if ((rc = get_uint(ld, g, "server", "tcp_max_per_source", 0, 100000, &cfg->tcp_max_per_source)) != 0 ||
	    (rc = get_uint(ld, g, "server", "tcp_read_timeout_ms", 100, 3600000, &cfg->tcp_read_timeout_ms)) != 0 ||
	    (rc = get_uint(ld, g, "server", "tcp_max_queries", 0, 1000000, &cfg->tcp_max_queries)) != 0)
		return rc;
	const config_setting_t *s = config_setting_get_member(g, "tcp_max_per_source");
	if (s && cfg->tcp_max_per_source > cfg->tcp_max_connections)
		return lns_cfg_fail(ld, s, "server.tcp_max_per_source (%u) is above server.tcp_max_connections (%u)",
			cfg->tcp_max_per_source, cfg->tcp_max_connections);
	return 0;
}

static int load_allow(loader_t *ld, lns_rrl_conf_t *r, const config_setting_t *list)
{
	if (!config_setting_is_aggregate(list))
		return lns_cfg_fail(ld, list, "rrl.allow must be a list of addresses or prefixes: [ \"192.0.2.0/24\" ]");
	if (config_setting_length(list) > LNS_RRL_MAX_ALLOW)
		return lns_cfg_fail(ld, list, "rrl.allow: at most %d prefixes", LNS_RRL_MAX_ALLOW);
	r->n_allow = (unsigned)config_setting_length(list);
	for (unsigned i = 0; i < r->n_allow; i++) {
		const config_setting_t *e = config_setting_get_elem(list, i);
		const char *text = config_setting_get_string(e);
		lns_err_t perr;
		if (!text)
			return lns_cfg_fail(ld, e, "rrl.allow: entries must be strings like \"192.0.2.0/24\"");
		if (lns_prefix_parse(text, &r->allow[i], &perr) != 0)
			return lns_cfg_fail(ld, e, "rrl.allow: %s", perr.msg);
	}
	return 0;
}

int lns_cfg_load_rrl(loader_t *ld, lns_config_t *cfg, const config_setting_t *g)
{
	lns_rrl_conf_t *r = &cfg->rrl;
	int rc;
	if (!config_setting_is_group(g))
		return lns_cfg_fail(ld, g, "rrl must be a group: rrl = { rate = 200; slip = 2; };");
	r->line = config_setting_source_line(g);
	if ((rc = lns_cfg_check_keys(ld, g, rrl_keys, "rrl")) != 0)
		return rc;
	const config_setting_t *s = config_setting_get_member(g, "enabled");
	if (s && config_setting_type(s) != CONFIG_TYPE_BOOL)
		return lns_cfg_fail(ld, s, "rrl.enabled must be true or false");
	if (s)
		r->enabled = config_setting_get_bool(s);
	if ((rc = get_uint(ld, g, "rrl", "rate", 1, LNS_RRL_MAX_RATE, &r->rate)) != 0 ||
	    (rc = get_uint(ld, g, "rrl", "slip", 0, 100, &r->slip)) != 0 ||
	    (rc = get_uint(ld, g, "rrl", "window", 1, LNS_RRL_MAX_WINDOW, &r->window)) != 0 ||
	    (rc = get_uint(ld, g, "rrl", "ipv4_prefix", 8, 32, &r->ipv4_prefix)) != 0 ||
	    (rc = get_uint(ld, g, "rrl", "ipv6_prefix", 16, 128, &r->ipv6_prefix)) != 0 ||
	    (rc = get_uint(ld, g, "rrl", "table_size", 1024, 16777216, &r->table_size)) != 0)
		return rc;
	s = config_setting_get_member(g, "allow");
	return s ? load_allow(ld, r, s) : 0;
}
