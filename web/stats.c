/*
 * web/stats: the documents of GET /api/v1/stats (the daemon's counters,
 * the rate limiting and TCP limits among them, with what the view knows:
 * answers per pool, the cluster) and GET
 * /api/v1/events (the recent events). Pure: the caller passes the counters,
 * the events and the time.
 */
#include "config.h"

#include "web/web_int.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Sets key (cleaned to UTF-8, as every name from the configuration) in o. */
static void set_clean(json_t *o, const char *key, size_t max, json_t *value)
{
	char *k = lns_web_clean(key, max);
	json_object_set_new(o, k, value);
	free(k);
}

static json_t *queries_json(const lns_query_counts_t *q)
{
	json_t *o = json_object(), *rcodes = json_object(), *types = json_object();
	uint64_t answered = 0;
	for (unsigned r = 0; r < LNS_STATS_RCODES; r++) {
		answered += q->rcode[r];
		if (r < LNS_WEB_RCODES_ALWAYS || q->rcode[r])
			json_object_set_new(rcodes, lns_stats_rcode_name(r), lns_web_count(q->rcode[r]));
	}
	for (unsigned t = 0; t < LNS_STATS_QTYPES; t++)
		json_object_set_new(types, lns_stats_qtype_name(t), lns_web_count(q->qtype[t]));
	json_object_set_new(o, "total", lns_web_count(q->udp + q->tcp));
	json_object_set_new(o, "answered", lns_web_count(answered));
	json_object_set_new(o, "by_rcode", rcodes);
	json_object_set_new(o, "by_type", types);
	json_object_set_new(o, "udp", lns_web_count(q->udp));
	json_object_set_new(o, "tcp", lns_web_count(q->tcp));
	json_object_set_new(o, "dropped", lns_web_count(q->dropped));
	return o;
}

/* Response rate limiting and the TCP limits: the counters /metrics shows
 * as levelns_rrl_limited_total{action}, levelns_rrl_evicted_total and
 * levelns_tcp_limit_total{limit}, under the same names. */
static json_t *limits_json(const lns_query_counts_t *q)
{
	json_t *rrl = json_object(), *tcp = json_object();
	json_object_set_new(rrl, "dropped", lns_web_count(q->rrl_dropped));
	json_object_set_new(rrl, "slipped", lns_web_count(q->rrl_slipped));
	json_object_set_new(rrl, "evicted", lns_web_count(q->rrl_evicted));
	json_object_set_new(tcp, "full", lns_web_count(q->tcp_full));
	json_object_set_new(tcp, "per_source", lns_web_count(q->tcp_refused_per_source));
	json_object_set_new(tcp, "idle", lns_web_count(q->tcp_idle_closed));
	json_object_set_new(tcp, "read_timeout", lns_web_count(q->tcp_read_timeouts));
	json_object_set_new(tcp, "max_queries", lns_web_count(q->tcp_query_cap));
	return json_pack("{s:o, s:o}", "rrl", rrl, "tcp", tcp);
}

static json_t *pools_json(const lns_view_t *v)
{
	json_t *o = json_object();
	unsigned n = v && v->config ? v->config->n_pools : 0;
	for (unsigned i = 0; i < n; i++) {
		uint64_t hits = v->gen && v->gen->hits ? atomic_load_explicit(&v->gen->hits[i].n, memory_order_relaxed) : 0;
		set_clean(o, v->config->pools[i].name, SIZE_MAX, json_pack("{s:o}", "answers", lns_web_count(hits)));
	}
	return o;
}

static json_t *cluster_json(const lns_cluster_status_t *c)
{
	json_t *o = json_object(), *dropped = json_object();
	for (unsigned r = 0; c && r < c->n_dropped && r < sizeof(c->dropped) / sizeof(c->dropped[0]); r++)
		if (c->dropped[r].reason)
			json_object_set_new(dropped, c->dropped[r].reason, lns_web_count(c->dropped[r].count));
	json_object_set_new(o, "clustered", json_boolean(c && c->clustered));
	json_object_set_new(o, "elections", lns_web_count(c ? c->elections : 0));
	json_object_set_new(o, "term", lns_web_count(c ? c->term : 0));
	json_object_set_new(o, "master", c && c->master[0] ? lns_web_string(c->master, sizeof(c->master)) : json_null());
	json_object_set_new(o, "heartbeats_sent", lns_web_count(c ? c->heartbeats_sent : 0));
	json_object_set_new(o, "heartbeats_received", lns_web_count(c ? c->heartbeats_received : 0));
	json_object_set_new(o, "heartbeats_missed", lns_web_count(c ? c->heartbeats_missed : 0));
	json_object_set_new(o, "dropped", dropped);
	return o;
}

json_t *lns_web_stats_json(const lns_view_t *v, const lns_stats_t *s, int64_t now_ms)
{
	static const lns_stats_t zero;
	if (!s)
		s = &zero;
	json_t *doc = json_object();
	int64_t up = s->started_at > 0 && now_ms > s->started_at ? (now_ms - s->started_at) / 1000 : 0;
	json_object_set_new(doc, "time", lns_web_time(now_ms));
	json_object_set_new(doc, "started_at", lns_web_time(s->started_at));
	json_object_set_new(doc, "uptime_s", json_integer(up));
	json_object_set_new(doc, "generation", lns_web_count(s->generation));
	json_object_set_new(doc, "reloads", json_pack("{s:o, s:o}", "ok", lns_web_count(s->reloads), "failed",
		lns_web_count(s->reloads_failed)));
	json_object_set_new(doc, "queries", queries_json(&s->queries));
	json_object_set_new(doc, "limits", limits_json(&s->queries));
	json_object_set_new(doc, "pools", pools_json(v));
	json_object_set_new(doc, "probes", json_pack("{s:o, s:o}", "sent", lns_web_count(s->probes_sent), "failed",
		lns_web_count(s->probes_failed)));
	json_object_set_new(doc, "cluster", cluster_json(v ? v->cluster : NULL));
	return doc;
}

/* ---- GET /api/v1/events ---- */

static const char *state_name(uint8_t state)
{
	const char *name = lns_health_state_name(state);
	return name ? name : "unknown";
}

static json_t *event_json(const lns_event_t *e)
{
	json_t *o = json_object();
	json_object_set_new(o, "seq", lns_web_count(e->seq));
	json_object_set_new(o, "time", lns_web_time(e->at));
	switch (e->kind) {
	case LNS_EVENT_MEMBER:
		json_object_set_new(o, "kind", json_string("member"));
		json_object_set_new(o, "pool", lns_web_string(e->pool, sizeof(e->pool)));
		json_object_set_new(o, "member", lns_web_string(e->member, sizeof(e->member)));
		json_object_set_new(o, "from", json_string(state_name(e->from)));
		json_object_set_new(o, "to", json_string(state_name(e->to)));
		json_object_set_new(o, "reason", lns_web_string(e->text, sizeof(e->text)));
		break;
	case LNS_EVENT_MASTER:
		json_object_set_new(o, "kind", json_string("master"));
		json_object_set_new(o, "master", e->master[0] ? lns_web_string(e->master, sizeof(e->master)) : json_null());
		json_object_set_new(o, "term", lns_web_count(e->term));
		break;
	case LNS_EVENT_RELOAD:
		json_object_set_new(o, "kind", json_string("reload"));
		json_object_set_new(o, "ok", json_boolean(e->ok));
		json_object_set_new(o, "message", lns_web_string(e->text, sizeof(e->text)));
		break;
	case LNS_EVENT_DRAIN:
		json_object_set_new(o, "kind", json_string("drain"));
		json_object_set_new(o, "pool", lns_web_string(e->pool, sizeof(e->pool)));
		json_object_set_new(o, "member", lns_web_string(e->member, sizeof(e->member)));
		json_object_set_new(o, "drained", json_boolean(e->ok));
		json_object_set_new(o, "until", lns_web_time(e->until));
		break;
	default:
		json_object_set_new(o, "kind", json_string("unknown"));
		break;
	}
	return o;
}

json_t *lns_web_events_json(const lns_event_t *ev, size_t n, uint64_t next, uint64_t oldest, int64_t now_ms)
{
	json_t *doc = json_object(), *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, event_json(&ev[i]));
	json_object_set_new(doc, "time", lns_web_time(now_ms));
	json_object_set_new(doc, "next", lns_web_count(next));
	json_object_set_new(doc, "oldest", lns_web_count(oldest));
	json_object_set_new(doc, "events", arr);
	return doc;
}

bool lns_web_since_parse(const char *text, uint64_t *since)
{
	*since = 0;
	if (!text)
		return true;
	if (!*text || strlen(text) > 20)
		return false;
	for (const char *p = text; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	errno = 0;
	unsigned long long v = strtoull(text, NULL, 10);
	if (errno == ERANGE)
		return false;
	*since = v;
	return true;
}
