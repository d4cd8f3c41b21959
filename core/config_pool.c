/*
 * core/config_pool: the "pools" list of the configuration. Every error names
 * the pool and the field, with the line. The probe timing defaults are tuned
 * for failover within a second and no false downs (see lns_pool_detect_*).
 */
#include "config.h"

#include "core/config_int.h"
#include "core/dname.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const pool_keys[] = { "name", "policy", "ttl", "answers", "all_down", "slow_start_ms", "hysteresis",
	"initial_state", "probe", "members", NULL };
static const char *const probe_keys[] = { "type", "port", "path", "host", "expect", "body", "tls_verify", "qname",
	"qtype", "rcode", "answer", "timeout_ms", "min_interval_ms", "max_interval_ms", "recheck_ms", "rise", "fall",
	"busy_qps", NULL };
static const char *const member_keys[] = { "name", "address", "probe", "priority", "weight", NULL };

static const char *const policies[] = { "failover", "weighted", "round-robin", "healthiest", "affinity" };
static const char *const probe_types[] = { "none", "icmp", "tcp", "http", "https", "dns", "load" };

const char *lns_policy_name(enum lns_policy p)
{
	return (unsigned)p < sizeof(policies) / sizeof(*policies) ? policies[p] : "?";
}

const char *lns_probe_type_name(enum lns_probe_type t)
{
	return (unsigned)t < sizeof(probe_types) / sizeof(*probe_types) ? probe_types[t] : "?";
}

static int pick(const char *text, const char *const *names, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (strcasecmp(text, names[i]) == 0)
			return (int)i;
	return -1;
}

static void probe_defaults(lns_probe_conf_t *p)
{
	p->type = LNS_PROBE_TCP;
	p->expect_lo = 200;
	p->expect_hi = 399;
	p->dns_qtype = 1;
	p->dns_rcode = 0;
	p->timeout_ms = 400;
	p->min_interval_ms = 250;
	p->max_interval_ms = 750;
	p->recheck_ms = 25;
	p->rise = 3;
	p->fall = 6;
	p->busy_qps = 5;
}

static char *opt_string(loader_t *ld, const config_setting_t *g, const char *key, int *rc)
{
	const char *v = NULL;
	if ((*rc = lns_cfg_get_string(ld, g, key, &v)) != 0 || !v || !*v)
		return NULL;
	return lns_xstrdup(v);
}

static int load_expect(loader_t *ld, const char *pool, lns_probe_conf_t *p, const config_setting_t *g)
{
	const config_setting_t *e = config_setting_get_member(g, "expect");
	if (!e)
		return 0;
	long lo, hi;
	if (config_setting_type(e) == CONFIG_TYPE_INT) {
		lo = hi = config_setting_get_int(e);
	} else {
		const char *t = config_setting_get_string(e);
		char a[8], b[8];
		if (!t || sscanf(t, "%7[0-9]-%7[0-9]", a, b) != 2 || lns_parse_long(a, 100, 599, &lo) != 0 ||
		    lns_parse_long(b, 100, 599, &hi) != 0)
			return lns_cfg_fail(ld, e, "pool '%s': probe.expect must be a status or a range like \"200-399\"", pool);
	}
	if (lo < 100 || hi > 599 || lo > hi)
		return lns_cfg_fail(ld, e, "pool '%s': probe.expect must lie within 100-599, low to high", pool);
	p->expect_lo = (uint16_t)lo;
	p->expect_hi = (uint16_t)hi;
	return 0;
}

static int load_probe(loader_t *ld, lns_pool_conf_t *pool, const config_setting_t *g)
{
	lns_probe_conf_t *p = &pool->probe;
	const char *type = NULL, *qtype = NULL, *rcode = NULL;
	unsigned port = 0, rise = p->rise, fall = p->fall;
	int rc;
	char where[300];
	snprintf(where, sizeof(where), "pool '%s' probe", pool->name);
	if (!config_setting_is_group(g))
		return lns_cfg_fail(ld, g, "pool '%s': probe must be a group: probe = { type = \"tcp\"; ... };", pool->name);
	if ((rc = lns_cfg_check_keys(ld, g, probe_keys, where)) != 0 || (rc = lns_cfg_get_string(ld, g, "type", &type)) != 0)
		return rc;
	if (type) {
		int t = pick(type, probe_types, sizeof(probe_types) / sizeof(*probe_types));
		if (t < 0)
			return lns_cfg_fail(ld, config_setting_get_member(g, "type"),
				"pool '%s': probe.type '%s' is not one of none, icmp, tcp, http, https, dns, load", pool->name, type);
		p->type = (enum lns_probe_type)t;
	}
	if ((rc = lns_cfg_get_uint(ld, g, "port", 1, 65535, &port)) != 0 ||
	    (rc = lns_cfg_get_uint(ld, g, "timeout_ms", 10, 60000, &p->timeout_ms)) != 0 ||
	    (rc = lns_cfg_get_uint(ld, g, "min_interval_ms", 10, 3600000, &p->min_interval_ms)) != 0 ||
	    (rc = lns_cfg_get_uint(ld, g, "max_interval_ms", 10, 3600000, &p->max_interval_ms)) != 0 ||
	    (rc = lns_cfg_get_uint(ld, g, "recheck_ms", 1, 60000, &p->recheck_ms)) != 0 ||
	    (rc = lns_cfg_get_uint(ld, g, "rise", 1, 100, &rise)) != 0 ||
	    (rc = lns_cfg_get_uint(ld, g, "fall", 1, 100, &fall)) != 0 ||
	    (rc = lns_cfg_get_uint(ld, g, "busy_qps", 0, 10000000, &p->busy_qps)) != 0 ||
	    (rc = lns_cfg_get_bool(ld, g, "tls_verify", &p->tls_verify)) != 0 || (rc = load_expect(ld, pool->name, p, g)) != 0)
		return rc;
	p->port = (uint16_t)port;
	p->rise = rise;
	p->fall = fall;
	if (p->min_interval_ms > p->max_interval_ms)
		return lns_cfg_fail(ld, g, "pool '%s': probe.min_interval_ms exceeds max_interval_ms", pool->name);
	p->path = opt_string(ld, g, "path", &rc);
	if (rc == 0)
		p->host = opt_string(ld, g, "host", &rc);
	if (rc == 0)
		p->body = opt_string(ld, g, "body", &rc);
	if (rc == 0)
		p->dns_qname = opt_string(ld, g, "qname", &rc);
	if (rc == 0)
		p->dns_answer = opt_string(ld, g, "answer", &rc);
	if (rc == 0)
		rc = lns_cfg_get_string(ld, g, "qtype", &qtype);
	if (rc == 0)
		rc = lns_cfg_get_string(ld, g, "rcode", &rcode);
	if (rc != 0)
		return rc;
	if (!p->path)
		p->path = lns_xstrdup(p->type == LNS_PROBE_LOAD ? "/load" : "/");
	if (p->path[0] != '/')
		return lns_cfg_fail(ld, config_setting_get_member(g, "path"), "pool '%s': probe.path must start with '/'", pool->name);
	if (qtype) {
		static const char *const qtypes[] = { "A", "AAAA", "TXT", "SOA", "NS" };
		static const uint16_t codes[] = { 1, 28, 16, 6, 2 };
		int q = pick(qtype, qtypes, 5);
		if (q < 0)
			return lns_cfg_fail(ld, config_setting_get_member(g, "qtype"),
				"pool '%s': probe.qtype '%s' is not one of A, AAAA, TXT, SOA, NS", pool->name, qtype);
		p->dns_qtype = codes[q];
	}
	if (rcode) {
		static const char *const rcodes[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED" };
		int r = pick(rcode, rcodes, 6);
		if (r < 0)
			return lns_cfg_fail(ld, config_setting_get_member(g, "rcode"),
				"pool '%s': probe.rcode '%s' is not one of NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED",
				pool->name, rcode);
		p->dns_rcode = (uint16_t)r;
	}
	return 0;
}

static int load_member(loader_t *ld, lns_pool_conf_t *pool, unsigned i, const config_setting_t *g)
{
	lns_member_conf_t *m = &pool->members[i];
	const char *name = NULL, *addr = NULL, *probe = NULL;
	char where[300];
	int rc;
	lns_err_t aerr;
	m->line = config_setting_source_line(g);
	m->weight = 1;
	snprintf(where, sizeof(where), "pool '%s' member %u", pool->name, i + 1);
	if (!config_setting_is_group(g))
		return lns_cfg_fail(ld, g, "pool '%s': each member must be a group: { name = ...; address = ...; }", pool->name);
	if ((rc = lns_cfg_check_keys(ld, g, member_keys, where)) != 0 || (rc = lns_cfg_get_string(ld, g, "name", &name)) != 0 ||
	    (rc = lns_cfg_get_string(ld, g, "address", &addr)) != 0 || (rc = lns_cfg_get_string(ld, g, "probe", &probe)) != 0 ||
	    (rc = lns_cfg_get_uint(ld, g, "priority", 0, 1000000, &m->priority)) != 0 ||
	    (rc = lns_cfg_get_uint(ld, g, "weight", 0, 1000000, &m->weight)) != 0)
		return rc;
	if (!name || !*name || strlen(name) > 63)
		return lns_cfg_fail(ld, g, "pool '%s': member %u needs a name of 1 to 63 characters", pool->name, i + 1);
	m->name = lns_xstrdup(name);
	for (unsigned j = 0; j < i; j++)
		if (strcmp(pool->members[j].name, name) == 0)
			return lns_cfg_fail(ld, g, "pool '%s': member name '%s' is used twice", pool->name, name);
	if (!addr)
		return lns_cfg_fail(ld, g, "pool '%s': member '%s' needs an address", pool->name, name);
	if (lns_addr_parse(addr, 0, &m->address, &aerr) != 0) {
		/* Not an address: a host name (resolved by the prober), maybe @port. */
		char host[256];
		const char *at = strrchr(addr, '@');
		size_t hl = at ? (size_t)(at - addr) : strlen(addr);
		uint8_t wire[256];
		long port = 0;
		if (hl >= sizeof(host) || (at && lns_parse_long(at + 1, 1, 65535, &port) != 0))
			return lns_cfg_fail(ld, config_setting_get_member(g, "address"), "pool '%s': member '%s': address: %s",
				pool->name, name, aerr.msg);
		memcpy(host, addr, hl);
		host[hl] = '\0';
		if (!lns_dname_parse(host, wire, sizeof(wire)) || !strpbrk(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))
			return lns_cfg_fail(ld, config_setting_get_member(g, "address"),
				"pool '%s': member '%s': address '%s' is neither an IP address nor a host name", pool->name, name, addr);
		m->host = lns_xstrdup(host);
		memset(&m->address, 0, sizeof(m->address));
		m->probe.ss.ss_family = AF_INET; /* placeholder until resolved; carries the port */
		m->probe.len = sizeof(struct sockaddr_in);
		lns_addr_set_port(&m->probe, (uint16_t)port);
		if (probe)
			return lns_cfg_fail(ld, config_setting_get_member(g, "probe"),
				"pool '%s': member '%s': probe needs an IP address when the address is a host name", pool->name, name);
		return 0;
	}
	m->probe = m->address;
	if (probe && lns_addr_parse(probe, 0, &m->probe, &aerr) != 0)
		return lns_cfg_fail(ld, config_setting_get_member(g, "probe"), "pool '%s': member '%s': probe: %s", pool->name,
			name, aerr.msg);
	if (!probe && strchr(addr, '@'))
		lns_addr_set_port(&m->address, 0);
	return 0;
}

static uint16_t default_port(enum lns_probe_type t)
{
	switch (t) {
	case LNS_PROBE_HTTP:
	case LNS_PROBE_LOAD: return 80;
	case LNS_PROBE_HTTPS: return 443;
	case LNS_PROBE_DNS: return 53;
	default: return 0;
	}
}

static int load_all_down(loader_t *ld, lns_pool_conf_t *pool, const config_setting_t *s)
{
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		static const char *const modes[] = { "serve-all", "servfail", "nodata" };
		int m = pick(config_setting_get_string(s), modes, 3);
		if (m < 0)
			return lns_cfg_fail(ld, s, "pool '%s': all_down must be \"serve-all\", \"servfail\", \"nodata\" or a list of addresses",
				pool->name);
		pool->all_down = (enum lns_all_down)m;
		return 0;
	}
	if (!config_setting_is_aggregate(s) || config_setting_length(s) == 0)
		return lns_cfg_fail(ld, s, "pool '%s': all_down must be \"serve-all\", \"servfail\", \"nodata\" or a list of addresses",
			pool->name);
	pool->all_down = LNS_ALL_DOWN_FALLBACK;
	pool->n_fallback = (unsigned)config_setting_length(s);
	pool->fallback = lns_xcalloc(pool->n_fallback, sizeof(*pool->fallback));
	for (unsigned i = 0; i < pool->n_fallback; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		const char *t = config_setting_get_string(e);
		lns_err_t aerr;
		if (!t || lns_addr_parse(t, 0, &pool->fallback[i], &aerr) != 0)
			return lns_cfg_fail(ld, e, "pool '%s': all_down: %s", pool->name, t ? aerr.msg : "entries must be addresses");
	}
	return 0;
}

static int load_pool(loader_t *ld, lns_pool_conf_t *pool, const config_setting_t *g)
{
	const char *name = NULL, *policy = NULL, *initial = NULL;
	int rc;
	pool->line = config_setting_source_line(g);
	pool->ttl = 5;
	pool->answers = 1;
	pool->hysteresis = 10;
	pool->initial_up = true;
	probe_defaults(&pool->probe);
	if (!config_setting_is_group(g))
		return lns_cfg_fail(ld, g, "each pool must be a group: { name = ...; members = (...); }");
	if ((rc = lns_cfg_get_string(ld, g, "name", &name)) != 0)
		return rc;
	if (!name || !lns_dname_parse(name, pool->wire, sizeof(pool->wire)))
		return lns_cfg_fail(ld, g, "pool needs a valid domain name (name = \"www.example.test\";)");
	pool->name = lns_xstrdup(name);
	char where[300];
	snprintf(where, sizeof(where), "pool '%s'", name);
	if ((rc = lns_cfg_check_keys(ld, g, pool_keys, where)) != 0 || (rc = lns_cfg_get_string(ld, g, "policy", &policy)) != 0 ||
	    (rc = lns_cfg_get_uint(ld, g, "ttl", 0, 86400, &pool->ttl)) != 0 ||
	    (rc = lns_cfg_get_uint(ld, g, "answers", 1, 64, &pool->answers)) != 0 ||
	    (rc = lns_cfg_get_uint(ld, g, "slow_start_ms", 0, 3600000, &pool->slow_start_ms)) != 0 ||
	    (rc = lns_cfg_get_uint(ld, g, "hysteresis", 0, 100, &pool->hysteresis)) != 0 ||
	    (rc = lns_cfg_get_string(ld, g, "initial_state", &initial)) != 0)
		return rc;
	if (policy) {
		int p = pick(policy, policies, sizeof(policies) / sizeof(*policies));
		if (p < 0)
			return lns_cfg_fail(ld, config_setting_get_member(g, "policy"),
				"pool '%s': policy '%s' is not one of failover, weighted, round-robin, healthiest, affinity", name, policy);
		pool->policy = (enum lns_policy)p;
	}
	if (initial) {
		if (strcasecmp(initial, "up") != 0 && strcasecmp(initial, "down") != 0)
			return lns_cfg_fail(ld, config_setting_get_member(g, "initial_state"),
				"pool '%s': initial_state must be \"up\" or \"down\"", name);
		pool->initial_up = strcasecmp(initial, "up") == 0;
	}
	const config_setting_t *s = config_setting_get_member(g, "all_down");
	if (s && (rc = load_all_down(ld, pool, s)) != 0)
		return rc;
	s = config_setting_get_member(g, "probe");
	if (s && (rc = load_probe(ld, pool, s)) != 0)
		return rc;
	if (pool->policy == LNS_POLICY_HEALTHIEST && pool->probe.type != LNS_PROBE_LOAD)
		return lns_cfg_fail(ld, g, "pool '%s': policy healthiest needs probe.type = \"load\"", name);
	s = config_setting_get_member(g, "members");
	if (!s || !config_setting_is_list(s) || config_setting_length(s) == 0)
		return lns_cfg_fail(ld, s ? s : g, "pool '%s': members must be a non-empty list: members = ( { ... } );", name);
	pool->n_members = (unsigned)config_setting_length(s);
	if (pool->n_members > 4096)
		return lns_cfg_fail(ld, s, "pool '%s': at most 4096 members", name);
	pool->members = lns_xcalloc(pool->n_members, sizeof(*pool->members));
	for (unsigned i = 0; i < pool->n_members; i++)
		if ((rc = load_member(ld, pool, i, config_setting_get_elem(s, i))) != 0)
			return rc;
	/* Where each member is probed: its probe address's port, else the probe's. */
	uint16_t port = pool->probe.port ? pool->probe.port : default_port(pool->probe.type);
	for (unsigned i = 0; i < pool->n_members; i++) {
		lns_member_conf_t *m = &pool->members[i];
		if (lns_addr_port(&m->probe) == 0)
			lns_addr_set_port(&m->probe, port);
		if (lns_addr_port(&m->probe) == 0 && pool->probe.type != LNS_PROBE_NONE && pool->probe.type != LNS_PROBE_ICMP)
			return lns_cfg_fail(ld, config_setting_get_elem(s, i),
				"pool '%s': member '%s': no port to probe (set probe.port, or probe = \"addr@port\")", name, m->name);
	}
	return 0;
}

int lns_cfg_load_pools(loader_t *ld, lns_config_t *cfg, const config_setting_t *list)
{
	if (!config_setting_is_list(list))
		return lns_cfg_fail(ld, list, "pools must be a list: pools = ( { name = ...; members = (...); } );");
	cfg->n_pools = (unsigned)config_setting_length(list);
	cfg->pools = lns_xcalloc(cfg->n_pools, sizeof(*cfg->pools));
	for (unsigned i = 0; i < cfg->n_pools; i++) {
		int rc = load_pool(ld, &cfg->pools[i], config_setting_get_elem(list, i));
		if (rc != 0)
			return rc;
		for (unsigned j = 0; j < i; j++)
			if (lns_dname_equal(cfg->pools[j].wire, cfg->pools[i].wire))
				return lns_cfg_fail(ld, config_setting_get_elem(list, i), "pool '%s' is defined twice", cfg->pools[i].name);
	}
	return 0;
}

void lns_cfg_free_pools(lns_config_t *cfg)
{
	for (unsigned i = 0; i < cfg->n_pools; i++) {
		lns_pool_conf_t *p = &cfg->pools[i];
		for (unsigned m = 0; m < p->n_members; m++) {
			free(p->members[m].name);
			free(p->members[m].host);
		}
		free(p->members);
		free(p->fallback);
		free(p->name);
		free(p->probe.path);
		free(p->probe.host);
		free(p->probe.body);
		free(p->probe.dns_qname);
		free(p->probe.dns_answer);
	}
	free(cfg->pools);
}

/* With the probe module's schedule: a stable member is probed every
 * interval (at most max_interval, +10% jitter; less while its pool is busy);
 * after a failure it is rechecked every recheck_ms, probes overlapping,
 * until fall consecutive failures mark it down. */
unsigned lns_pool_detect_refused_ms(const lns_pool_conf_t *p)
{
	const lns_probe_conf_t *c = &p->probe;
	if (c->type == LNS_PROBE_NONE)
		return 0;
	return c->max_interval_ms + c->max_interval_ms / 10 + (c->fall - 1) * c->recheck_ms + 10;
}

unsigned lns_pool_detect_blackhole_ms(const lns_pool_conf_t *p)
{
	const lns_probe_conf_t *c = &p->probe;
	if (c->type == LNS_PROBE_NONE)
		return 0;
	unsigned first = c->max_interval_ms + c->max_interval_ms / 10 + c->timeout_ms;
	return c->fall > 1 ? first + (c->fall - 1) * c->recheck_ms + c->timeout_ms : first;
}
