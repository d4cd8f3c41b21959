/*
 * web/metrics: GET /metrics, the Prometheus text exposition format 0.0.4.
 * Every family has its HELP and TYPE lines, counters end in _total, times
 * are in seconds, and label values are UTF-8 with \, " and newline escaped,
 * so that `promtool check metrics` accepts it. Pure: built from the
 * counters and the view the caller passes.
 */
#include "config.h"

#include "web/web_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct buf {
	char *p;
	size_t len, cap;
} buf_t;

static void put(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(buf_t *b, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		b->cap = (b->cap + (size_t)n + 1) * 2;
		b->p = lns_xrealloc(b->p, b->cap);
	}
}

/* A label value: clean UTF-8, with \, " and newline escaped. New string. */
static char *label(const char *s, size_t max)
{
	char *clean = lns_web_clean(s, max);
	char *out = lns_xmalloc(2 * strlen(clean) + 1), *o = out;
	for (const char *p = clean; *p; p++) {
		if (*p == '\\' || *p == '"')
			*o++ = '\\', *o++ = *p;
		else if (*p == '\n')
			*o++ = '\\', *o++ = 'n';
		else
			*o++ = *p;
	}
	*o = '\0';
	free(clean);
	return out;
}

static void family(buf_t *b, const char *name, const char *type, const char *help)
{
	put(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample_u(buf_t *b, const char *name, uint64_t v)
{
	put(b, "%s %llu\n", name, (unsigned long long)v);
}

/* ---- the families ---- */

static void process_metrics(buf_t *b, const lns_view_t *v, const lns_stats_t *s, int64_t now_ms)
{
	family(b, "levelns_build_info", "gauge", "The running levelnsd's version (always 1).");
	put(b, "levelns_build_info{version=\"%s\"} 1\n", PACKAGE_VERSION);
	family(b, "levelns_start_time_seconds", "gauge", "When levelnsd started, in seconds since the epoch.");
	put(b, "levelns_start_time_seconds %.3f\n", s->started_at / 1000.0);
	family(b, "levelns_uptime_seconds", "gauge", "Seconds since levelnsd started.");
	put(b, "levelns_uptime_seconds %.3f\n",
		s->started_at > 0 && now_ms > s->started_at ? (now_ms - s->started_at) / 1000.0 : 0.0);
	family(b, "levelns_config_generation", "gauge",
		"The configuration's generation: 1 at start, one more for every reload that took.");
	sample_u(b, "levelns_config_generation", s->generation);
	family(b, "levelns_reloads_total", "counter", "Reloads (SIGHUP or POST /api/v1/reload) by result.");
	put(b, "levelns_reloads_total{result=\"ok\"} %llu\n", (unsigned long long)s->reloads);
	put(b, "levelns_reloads_total{result=\"failed\"} %llu\n", (unsigned long long)s->reloads_failed);
	family(b, "levelns_views_published_total", "counter",
		"Views published to the DNS workers (a reload or a change of some answer).");
	sample_u(b, "levelns_views_published_total", v ? v->generation : 0);
}

static void query_metrics(buf_t *b, const lns_query_counts_t *q)
{
	family(b, "levelns_queries_total", "counter", "DNS queries received, by transport.");
	put(b, "levelns_queries_total{proto=\"udp\"} %llu\n", (unsigned long long)q->udp);
	put(b, "levelns_queries_total{proto=\"tcp\"} %llu\n", (unsigned long long)q->tcp);
	family(b, "levelns_queries_dropped_total", "counter", "DNS queries left unanswered (not a query, or no view yet).");
	sample_u(b, "levelns_queries_dropped_total", q->dropped);
	family(b, "levelns_responses_total", "counter", "DNS answers sent, by RCODE (the header's 4 bits).");
	for (unsigned r = 0; r < LNS_STATS_RCODES; r++)
		if (r < LNS_WEB_RCODES_ALWAYS || q->rcode[r])
			put(b, "levelns_responses_total{rcode=\"%s\"} %llu\n", lns_stats_rcode_name(r),
				(unsigned long long)q->rcode[r]);
	family(b, "levelns_responses_by_qtype_total", "counter", "DNS answers sent, by the question's type.");
	for (unsigned t = 0; t < LNS_STATS_QTYPES; t++)
		put(b, "levelns_responses_by_qtype_total{qtype=\"%s\"} %llu\n", lns_stats_qtype_name(t),
			(unsigned long long)q->qtype[t]);
}

/* Response rate limiting and the TCP limits (README: "Rate limiting and limits"). */
static void limit_metrics(buf_t *b, const lns_query_counts_t *q)
{
	family(b, "levelns_rrl_limited_total", "counter",
		"UDP answers over their source prefix's rate (rrl), by what was done: dropped, or sent truncated (slipped).");
	put(b, "levelns_rrl_limited_total{action=\"dropped\"} %llu\n", (unsigned long long)q->rrl_dropped);
	put(b, "levelns_rrl_limited_total{action=\"slipped\"} %llu\n", (unsigned long long)q->rrl_slipped);
	family(b, "levelns_rrl_evicted_total", "counter",
		"Source prefixes over their rate forgotten because the rrl table was full (rrl.table_size).");
	sample_u(b, "levelns_rrl_evicted_total", q->rrl_evicted);
	family(b, "levelns_tcp_limit_total", "counter",
		"TCP connections hit by a limit: accepting paused at server.tcp_max_connections (full), refused over "
		"server.tcp_max_per_source (per_source), closed idle (idle), on the read timeout (read_timeout), or after "
		"server.tcp_max_queries answers (max_queries).");
	put(b, "levelns_tcp_limit_total{limit=\"full\"} %llu\n", (unsigned long long)q->tcp_full);
	put(b, "levelns_tcp_limit_total{limit=\"per_source\"} %llu\n", (unsigned long long)q->tcp_refused_per_source);
	put(b, "levelns_tcp_limit_total{limit=\"idle\"} %llu\n", (unsigned long long)q->tcp_idle_closed);
	put(b, "levelns_tcp_limit_total{limit=\"read_timeout\"} %llu\n", (unsigned long long)q->tcp_read_timeouts);
	put(b, "levelns_tcp_limit_total{limit=\"max_queries\"} %llu\n", (unsigned long long)q->tcp_query_cap);
}

/* Pools and members: n_pools names cleaned once. */
static void pool_metrics(buf_t *b, const lns_view_t *v, char **pool_names)
{
	const lns_config_t *cfg = v->config;
	family(b, "levelns_pool_answers_total", "counter",
		"Queries answered for each pool's name (since start; kept across reloads for pools of the same name).");
	for (unsigned i = 0; i < cfg->n_pools; i++)
		put(b, "levelns_pool_answers_total{pool=\"%s\"} %llu\n", pool_names[i],
			(unsigned long long)(v->gen && v->gen->hits
					? atomic_load_explicit(&v->gen->hits[i].n, memory_order_relaxed)
					: 0));
	family(b, "levelns_pool_eligible_members", "gauge", "Members a pool may answer now.");
	for (unsigned i = 0; i < cfg->n_pools; i++)
		if (v->pools && v->pools[i])
			put(b, "levelns_pool_eligible_members{pool=\"%s\"} %u\n", pool_names[i], v->pools[i]->n_eligible);
}

typedef struct member_ref {
	const lns_health_t *h;
	const char *pool;
	char *member;
} member_ref_t;

static void member_metrics(buf_t *b, const member_ref_t *m, size_t n)
{
	static const uint8_t states[] = { LNS_HEALTH_UP, LNS_HEALTH_DOWN, LNS_HEALTH_DRAINED, LNS_HEALTH_UNKNOWN };
	family(b, "levelns_member_up", "gauge", "1 when the member is up (and not drained) as this node's probes see it.");
	for (size_t i = 0; i < n; i++)
		put(b, "levelns_member_up{pool=\"%s\",member=\"%s\"} %d\n", m[i].pool, m[i].member,
			lns_health_shown(m[i].h) == LNS_HEALTH_UP);
	family(b, "levelns_member_state", "gauge", "1 for the member's current state (up, down, drained, unknown), else 0.");
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < sizeof(states); k++)
			put(b, "levelns_member_state{pool=\"%s\",member=\"%s\",state=\"%s\"} %d\n", m[i].pool, m[i].member,
				lns_health_state_name(states[k]), lns_health_shown(m[i].h) == states[k]);
	family(b, "levelns_member_rtt_seconds", "gauge", "Round trip of the member's last successful probe.");
	for (size_t i = 0; i < n; i++)
		if (m[i].h->rtt_ms > 0 && isfinite(m[i].h->rtt_ms))
			put(b, "levelns_member_rtt_seconds{pool=\"%s\",member=\"%s\"} %.9g\n", m[i].pool, m[i].member,
				m[i].h->rtt_ms / 1000.0);
	family(b, "levelns_member_probe_interval_seconds", "gauge", "The member's current probe interval.");
	for (size_t i = 0; i < n; i++)
		put(b, "levelns_member_probe_interval_seconds{pool=\"%s\",member=\"%s\"} %.9g\n", m[i].pool, m[i].member,
			m[i].h->interval_ms / 1000.0);
	family(b, "levelns_member_probes_total", "counter",
		"Probe results of the member (since it was configured as it is now).");
	for (size_t i = 0; i < n; i++)
		put(b, "levelns_member_probes_total{pool=\"%s\",member=\"%s\"} %llu\n", m[i].pool, m[i].member,
			(unsigned long long)m[i].h->probes);
	family(b, "levelns_member_probe_failures_total", "counter",
		"Failed probe results of the member (since it was configured as it is now).");
	for (size_t i = 0; i < n; i++)
		put(b, "levelns_member_probe_failures_total{pool=\"%s\",member=\"%s\"} %llu\n", m[i].pool, m[i].member,
			(unsigned long long)m[i].h->failures);
	family(b, "levelns_member_state_changes_total", "counter", "State changes of the member.");
	for (size_t i = 0; i < n; i++)
		put(b, "levelns_member_state_changes_total{pool=\"%s\",member=\"%s\"} %u\n", m[i].pool, m[i].member,
			m[i].h->n_history);
}

static void members(buf_t *b, const lns_view_t *v)
{
	const lns_config_t *cfg = v->config;
	char **pools = lns_xcalloc(cfg->n_pools ? cfg->n_pools : 1, sizeof(*pools));
	size_t n = 0, k = 0;
	for (unsigned i = 0; i < cfg->n_pools; i++) {
		pools[i] = label(cfg->pools[i].name, SIZE_MAX);
		if (v->pools && v->pools[i] && v->pools[i]->health)
			n += cfg->pools[i].n_members;
	}
	pool_metrics(b, v, pools);
	member_ref_t *m = lns_xcalloc(n ? n : 1, sizeof(*m));
	for (unsigned i = 0; i < cfg->n_pools; i++) {
		if (!v->pools || !v->pools[i] || !v->pools[i]->health)
			continue;
		for (unsigned j = 0; j < cfg->pools[i].n_members; j++, k++) {
			m[k].h = &v->pools[i]->health[j];
			m[k].pool = pools[i];
			m[k].member = label(cfg->pools[i].members[j].name, SIZE_MAX);
		}
	}
	member_metrics(b, m, n);
	for (size_t i = 0; i < n; i++)
		free(m[i].member);
	free(m);
	for (unsigned i = 0; i < cfg->n_pools; i++)
		free(pools[i]);
	free(pools);
}

static void probe_metrics(buf_t *b, const lns_stats_t *s)
{
	family(b, "levelns_probes_total", "counter", "Health probes sent, every pool together.");
	sample_u(b, "levelns_probes_total", s->probes_sent);
	family(b, "levelns_probes_failed_total", "counter", "Health probes that failed (timeouts included).");
	sample_u(b, "levelns_probes_failed_total", s->probes_failed);
}

static void cluster_metrics(buf_t *b, const lns_cluster_status_t *c)
{
	static const lns_cluster_status_t none;
	if (!c)
		c = &none;
	family(b, "levelns_cluster_elections_total", "counter", "Elections this node took part in as a candidate.");
	sample_u(b, "levelns_cluster_elections_total", c->elections);
	family(b, "levelns_cluster_term", "gauge", "The current term as this node knows it.");
	sample_u(b, "levelns_cluster_term", c->term);
	family(b, "levelns_cluster_master", "gauge", "1 for the master this node knows (no series when none is known).");
	if (c->master[0]) {
		char *m = label(c->master, sizeof(c->master));
		put(b, "levelns_cluster_master{node=\"%s\"} 1\n", m);
		free(m);
	}
	family(b, "levelns_cluster_is_master", "gauge", "1 while this node is the master with a valid lease.");
	put(b, "levelns_cluster_is_master %d\n", c->is_master);
	family(b, "levelns_cluster_master_stale", "gauge", "1 while this node's master cache is stale (no heartbeat for a lease).");
	put(b, "levelns_cluster_master_stale %d\n", c->stale);
	family(b, "levelns_cluster_heartbeats_sent_total", "counter", "Heartbeats sent (as master).");
	sample_u(b, "levelns_cluster_heartbeats_sent_total", c->heartbeats_sent);
	family(b, "levelns_cluster_heartbeats_received_total", "counter", "Heartbeats received.");
	sample_u(b, "levelns_cluster_heartbeats_received_total", c->heartbeats_received);
	family(b, "levelns_cluster_heartbeats_missed_total", "counter",
		"Heartbeat intervals a follower passed without a heartbeat from its master.");
	sample_u(b, "levelns_cluster_heartbeats_missed_total", c->heartbeats_missed);
	family(b, "levelns_cluster_dropped_messages_total", "counter", "Cluster messages dropped, by reason.");
	for (unsigned r = 0; r < c->n_dropped && r < sizeof(c->dropped) / sizeof(c->dropped[0]); r++)
		if (c->dropped[r].reason)
			put(b, "levelns_cluster_dropped_messages_total{reason=\"%s\"} %llu\n", c->dropped[r].reason,
				(unsigned long long)c->dropped[r].count);
	family(b, "levelns_cluster_node_reachable", "gauge", "1 when a node was heard from in the last second.");
	for (unsigned i = 0; i < c->n_nodes && i < LNS_MAX_NODES; i++) {
		char *n = label(c->nodes[i].name, sizeof(c->nodes[i].name));
		put(b, "levelns_cluster_node_reachable{node=\"%s\"} %d\n", n, c->nodes[i].reachable);
		free(n);
	}
}

char *lns_web_metrics_render(const lns_view_t *v, const lns_stats_t *s, int64_t now_ms, size_t *len)
{
	static const lns_stats_t zero;
	buf_t b = { lns_xmalloc(16384), 0, 16384 };
	b.p[0] = '\0';
	if (!s)
		s = &zero;
	process_metrics(&b, v, s, now_ms);
	query_metrics(&b, &s->queries);
	limit_metrics(&b, &s->queries);
	if (v && v->config)
		members(&b, v);
	probe_metrics(&b, s);
	cluster_metrics(&b, v ? v->cluster : NULL);
	*len = b.len;
	return b.p;
}
