/*
 * web/render: the JSON documents of the API, built from a view. Every
 * string from the configuration or from probes goes through
 * lns_web_string, so odd bytes never make an invalid document.
 */
#include "config.h"

#include "web/web_int.h"

#include <arpa/inet.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* 9999-12-31T23:59:59.999Z: RFC 3339 has four-digit years. */
#define TIME_MAX_MS INT64_C(253402300799999)

bool lns_web_time_render(int64_t ms, char *buf, size_t size)
{
	if (size)
		buf[0] = '\0';
	if (ms < 0 || ms > TIME_MAX_MS || size < LNS_WEB_TIME_MAX)
		return false;
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	if (!gmtime_r(&secs, &tm))
		return false;
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
	return true;
}

/* A wall-clock time, or null for 0 (never) and times that cannot be shown. */
json_t *lns_web_time(int64_t ms)
{
	char buf[LNS_WEB_TIME_MAX];
	if (ms <= 0 || !lns_web_time_render(ms, buf, sizeof(buf)))
		return json_null();
	return json_string(buf);
}

/* Length of the well-formed UTF-8 sequence at s (n bytes left), 0 if none:
 * no overlong forms, no surrogates, nothing past U+10FFFF. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp, min;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2, cp = c & 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3, cp = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, cp = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

char *lns_web_clean(const char *s, size_t max)
{
	size_t n = s ? strnlen(s, max) : 0;
	const unsigned char *u = (const unsigned char *)s;
	char *out = lns_xmalloc(3 * n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		size_t len = utf8_seq(u + i, n - i);
		if (len) {
			memcpy(out + o, u + i, len);
			o += len, i += len;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3, i++;
		}
	}
	out[o] = '\0';
	return out;
}

json_t *lns_web_string(const char *s, size_t max)
{
	if (!s)
		return json_null();
	size_t n = strnlen(s, max);
	json_t *j = json_stringn(s, n); /* NULL when not UTF-8 */
	if (j)
		return j;
	char *out = lns_web_clean(s, max);
	j = json_string(out);
	free(out);
	return j;
}

/* The IP address alone, as DNS answers it (no port). */
static json_t *addr_json(const lns_addr_t *a)
{
	char buf[INET6_ADDRSTRLEN];
	const void *p;
	if (a->ss.ss_family == AF_INET)
		p = &((const struct sockaddr_in *)&a->ss)->sin_addr;
	else if (a->ss.ss_family == AF_INET6)
		p = &((const struct sockaddr_in6 *)&a->ss)->sin6_addr;
	else
		return json_null();
	if (!inet_ntop(a->ss.ss_family, p, buf, sizeof(buf)))
		return json_null();
	return json_string(buf);
}

static json_t *state_json(unsigned state)
{
	const char *name = lns_health_state_name((uint8_t)state);
	return json_string(name ? name : "unknown");
}

json_t *lns_web_count(uint64_t n)
{
	return json_integer(n > (uint64_t)LLONG_MAX ? LLONG_MAX : (json_int_t)n);
}

static json_t *name_json(const char *name)
{
	return lns_web_string(name, SIZE_MAX);
}

static const char *all_down_name(enum lns_all_down m)
{
	switch (m) {
	case LNS_ALL_DOWN_SERVE_ALL: return "serve-all";
	case LNS_ALL_DOWN_SERVFAIL: return "servfail";
	case LNS_ALL_DOWN_NODATA: return "nodata";
	case LNS_ALL_DOWN_FALLBACK: return "fallback";
	}
	return "unknown";
}

/* ---- GET /api/v1/health ---- */

/* Oldest first; history is a ring whose newest entry is at
 * (n_history - 1) % LNS_HEALTH_HISTORY. */
static json_t *history_json(const lns_health_t *h)
{
	json_t *arr = json_array();
	unsigned n = h->n_history < LNS_HEALTH_HISTORY ? h->n_history : LNS_HEALTH_HISTORY;
	unsigned first = h->n_history - n;
	for (unsigned k = 0; k < n; k++) {
		const lns_health_change_t *c = &h->history[(first + k) % LNS_HEALTH_HISTORY];
		json_t *o = json_object();
		json_object_set_new(o, "at", lns_web_time(c->at));
		json_object_set_new(o, "from", state_json(c->from));
		json_object_set_new(o, "to", state_json(c->to));
		json_object_set_new(o, "reason", lns_web_string(c->reason, sizeof(c->reason)));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *member_health_json(const lns_pool_state_t *st, unsigned j)
{
	const lns_member_conf_t *m = &st->conf->members[j];
	const lns_health_t *h = &st->health[j];
	json_t *o = json_object();
	lns_addr_t a;
	json_object_set_new(o, "name", name_json(m->name));
	if (lns_pool_member_addr(st, j, AF_INET, &a) || lns_pool_member_addr(st, j, AF_INET6, &a))
		json_object_set_new(o, "address", addr_json(&a));
	else
		json_object_set_new(o, "address", json_null());
	if (m->host)
		json_object_set_new(o, "host", name_json(m->host));
	json_object_set_new(o, "state", state_json(lns_health_shown(h)));
	json_object_set_new(o, "reason", lns_web_string(h->reason, sizeof(h->reason)));
	/* 0 until a probe has succeeded: no round trip measured yet */
	json_object_set_new(o, "rtt_ms", h->rtt_ms > 0 && isfinite(h->rtt_ms) ? json_real(h->rtt_ms) : json_null());
	json_object_set_new(o, "interval_ms", json_integer(h->interval_ms));
	json_object_set_new(o, "changed_at", lns_web_time(h->changed_at));
	json_object_set_new(o, "probes", lns_web_count(h->probes));
	json_object_set_new(o, "failures", lns_web_count(h->failures));
	json_object_set_new(o, "ok_streak", json_integer(h->ok_streak));
	json_object_set_new(o, "fail_streak", json_integer(h->fail_streak));
	json_object_set_new(o, "drained", json_boolean(h->drained));
	json_object_set_new(o, "drained_until", h->drained ? lns_web_time(h->drained_until) : json_null());
	json_object_set_new(o, "load", h->load >= 0 ? json_integer(h->load) : json_null());
	json_object_set_new(o, "history", history_json(h));
	return o;
}

static json_t *pool_health_json(const lns_pool_state_t *st)
{
	const lns_pool_conf_t *c = st->conf;
	json_t *o = json_object();
	json_object_set_new(o, "name", name_json(c->name));
	json_object_set_new(o, "policy", name_json(lns_policy_name(c->policy)));
	json_object_set_new(o, "probe", name_json(lns_probe_type_name(c->probe.type)));
	json_t *members = json_array();
	for (unsigned j = 0; j < c->n_members; j++)
		json_array_append_new(members, member_health_json(st, j));
	json_object_set_new(o, "members", members);
	return o;
}

/* ---- GET /api/v1/pools ---- */

static void take(json_t *arr, const lns_addr_t *a, int family, unsigned *left)
{
	if (*left && a->ss.ss_family == family) {
		json_array_append_new(arr, addr_json(a));
		(*left)--;
	}
}

/* What a query of family's type gets (all of it for failover and
 * healthiest; for the spreading policies the addresses in front): up to
 * `answers` members in the state's order. When no member is eligible that
 * order already holds what all_down = serve-all serves; the fallback mode
 * serves the pool's fallback addresses instead, servfail and nodata
 * nothing. */
static void answer_family(json_t *arr, const lns_pool_state_t *st, int family)
{
	const lns_pool_conf_t *c = st->conf;
	unsigned left = c->answers;
	if (st->fallback && c->all_down == LNS_ALL_DOWN_FALLBACK) {
		for (unsigned j = 0; j < c->n_fallback; j++)
			take(arr, &c->fallback[j], family, &left);
		return;
	}
	lns_addr_t a;
	for (unsigned k = 0; k < st->n_eligible; k++)
		if (st->order[k] < c->n_members && lns_pool_member_addr(st, st->order[k], family, &a))
			take(arr, &a, family, &left);
}

static json_t *pool_json(const lns_pool_state_t *st)
{
	const lns_pool_conf_t *c = st->conf;
	json_t *o = json_object();
	json_object_set_new(o, "name", name_json(c->name));
	json_object_set_new(o, "policy", name_json(lns_policy_name(c->policy)));
	json_object_set_new(o, "ttl", json_integer(c->ttl));
	json_object_set_new(o, "answers", json_integer(c->answers));
	json_object_set_new(o, "all_down", json_boolean(st->fallback));
	json_object_set_new(o, "all_down_mode", json_string(all_down_name(c->all_down)));
	json_t *answer = json_array();
	answer_family(answer, st, AF_INET);
	answer_family(answer, st, AF_INET6);
	json_object_set_new(o, "answer", answer);
	json_t *eligible = json_array();
	lns_addr_t a;
	for (unsigned k = 0; k < st->n_eligible; k++)
		for (int f = 0; f < 2 && st->order[k] < c->n_members; f++)
			if (lns_pool_member_addr(st, st->order[k], f ? AF_INET6 : AF_INET, &a))
				json_array_append_new(eligible, addr_json(&a));
	json_object_set_new(o, "eligible", eligible);
	if (c->all_down == LNS_ALL_DOWN_FALLBACK) {
		json_t *fb = json_array();
		for (unsigned j = 0; j < c->n_fallback; j++)
			json_array_append_new(fb, addr_json(&c->fallback[j]));
		json_object_set_new(o, "fallback", fb);
	}
	json_object_set_new(o, "members", json_integer(c->n_members));
	return o;
}

/* ---- documents ---- */

static json_t *document(const lns_view_t *v, int64_t now_ms, json_t *(*pool)(const lns_pool_state_t *))
{
	json_t *doc = json_object();
	json_t *pools = json_array();
	unsigned n = v->config && v->pools ? v->config->n_pools : 0;
	for (unsigned i = 0; i < n; i++)
		if (v->pools[i] && v->pools[i]->conf)
			json_array_append_new(pools, pool(v->pools[i]));
	json_object_set_new(doc, "pools", pools);
	json_object_set_new(doc, "generation", lns_web_count(v->generation));
	json_object_set_new(doc, "generated_at", lns_web_time(now_ms));
	return doc;
}

json_t *lns_web_health_json(const lns_view_t *v, int64_t now_ms)
{
	return document(v, now_ms, pool_health_json);
}

json_t *lns_web_pools_json(const lns_view_t *v, int64_t now_ms)
{
	return document(v, now_ms, pool_json);
}

/* ---- the cluster: GET /api/v1/master and /api/v1/nodes ---- */

json_t *lns_web_master_json(const lns_view_t *v, int64_t now_ms)
{
	const lns_cluster_status_t *c = v->cluster;
	json_t *o = json_object();
	if (!c)
		return o;
	json_object_set_new(o, "master", c->master[0] ? lns_web_string(c->master, sizeof(c->master)) : json_null());
	json_object_set_new(o, "term", lns_web_count(c->term));
	json_object_set_new(o, "since", lns_web_time(c->since));
	json_object_set_new(o, "lease_expires", c->lease_expires ? lns_web_time(c->lease_expires) : json_null());
	json_object_set_new(o, "seq", lns_web_count(c->seq));
	json_object_set_new(o, "stale", json_boolean(c->stale));
	json_object_set_new(o, "node", name_json(v->config->node));
	json_object_set_new(o, "role", name_json(c->role));
	json_object_set_new(o, "is_master", json_boolean(c->is_master));
	json_object_set_new(o, "clustered", json_boolean(c->clustered));
	json_object_set_new(o, "generated_at", lns_web_time(now_ms));
	return o;
}

json_t *lns_web_nodes_json(const lns_view_t *v, int64_t now_ms)
{
	const lns_cluster_status_t *c = v->cluster;
	json_t *doc = json_object(), *nodes = json_array(), *dropped = json_object();
	for (unsigned i = 0; c && i < c->n_nodes; i++) {
		const lns_cluster_node_status_t *n = &c->nodes[i];
		json_t *o = json_object();
		json_object_set_new(o, "name", lns_web_string(n->name, sizeof(n->name)));
		json_object_set_new(o, "address", n->address[0] ? lns_web_string(n->address, sizeof(n->address)) : json_null());
		json_object_set_new(o, "priority", json_integer(n->priority));
		json_object_set_new(o, "role", name_json(n->role));
		json_object_set_new(o, "term", lns_web_count(n->term));
		json_object_set_new(o, "heartbeat_age_ms", n->heard_ms_ago >= 0 ? json_integer(n->heard_ms_ago) : json_null());
		json_object_set_new(o, "reachable", json_boolean(n->reachable));
		json_object_set_new(o, "self", json_boolean(n->self));
		json_object_set_new(o, "config_match", json_boolean(n->config_match));
		json_object_set_new(o, "suspect_vantage", json_boolean(n->suspect));
		json_array_append_new(nodes, o);
	}
	for (unsigned r = 0; c && r < c->n_dropped; r++)
		json_object_set_new(dropped, c->dropped[r].reason, lns_web_count(c->dropped[r].count));
	json_object_set_new(doc, "nodes", nodes);
	json_object_set_new(doc, "dropped", dropped);
	json_object_set_new(doc, "elections", lns_web_count(c ? c->elections : 0));
	json_object_set_new(doc, "generated_at", lns_web_time(now_ms));
	return doc;
}

json_t *lns_web_endpoint_json(enum lns_web_endpoint ep, const lns_view_t *v, int64_t now_ms)
{
	switch (ep) {
	case LNS_WEB_EP_MASTER: return lns_web_master_json(v, now_ms);
	case LNS_WEB_EP_NODES: return lns_web_nodes_json(v, now_ms);
	case LNS_WEB_EP_HEALTH: return lns_web_health_json(v, now_ms);
	case LNS_WEB_EP_POOLS: return lns_web_pools_json(v, now_ms);
	case LNS_WEB_EP_NONE:
	case LNS_WEB_EP_ELECTION:
	case LNS_WEB_EP_DRAIN:
	case LNS_WEB_EP_UNDRAIN:
	case LNS_WEB_EP_RELOAD: break; /* writes: server.c */
	case LNS_WEB_EP_STATS:
	case LNS_WEB_EP_EVENTS:
	case LNS_WEB_EP_METRICS: break; /* need more than a view: server.c */
	}
	return NULL;
}

json_t *lns_web_error_json(const char *msg)
{
	json_t *doc = json_object();
	json_object_set_new(doc, "error", lns_web_string(msg, SIZE_MAX));
	return doc;
}

/* Nine significant digits show round trips to the microsecond without
 * binary noise (0.21, not 0.20999999999999999). */
#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(9))

char *lns_web_dump(const json_t *doc, size_t *len)
{
	if (!doc)
		return NULL;
	size_t n = json_dumpb(doc, NULL, 0, DUMP_FLAGS);
	if (n == 0)
		return NULL;
	char *s = lns_xmalloc(n + 2);
	if (json_dumpb(doc, s, n, DUMP_FLAGS) != n) {
		free(s);
		return NULL;
	}
	s[n] = '\n';
	s[n + 1] = '\0';
	if (len)
		*len = n + 1;
	return s;
}

static char *render(json_t *doc)
{
	char *s = lns_web_dump(doc, NULL);
	json_decref(doc);
	return s;
}

char *lns_web_render_health(const lns_view_t *v, int64_t now_ms)
{
	return render(lns_web_health_json(v, now_ms));
}

char *lns_web_render_pools(const lns_view_t *v, int64_t now_ms)
{
	return render(lns_web_pools_json(v, now_ms));
}
