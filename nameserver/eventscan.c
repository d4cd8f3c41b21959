/* nameserver/eventscan: what changed since the last status view, as
 * events for the API (see nameserver/daemon.h). */
#include "config.h"

#include "nameserver/daemon.h"

#include "core/log.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static struct {
	const lns_config_t *cfg; /* the generation the arrays follow */
	unsigned *n_history;     /* per member, pools in order */
	bool *drained;
	bool master_known;
	char master[64];
	uint64_t term;
} seen;

void lns_daemon_copy_text(char *dst, size_t size, const char *src)
{
	size_t n = src ? strnlen(src, size - 1) : 0;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

static void member_event(lns_events_t *events, const lns_config_t *cfg, unsigned p, unsigned m, const lns_health_t *h,
	unsigned k)
{
	lns_event_t e = { .kind = LNS_EVENT_MEMBER };
	lns_daemon_copy_text(e.pool, sizeof(e.pool), cfg->pools[p].name);
	lns_daemon_copy_text(e.member, sizeof(e.member), cfg->pools[p].members[m].name);
	if (k == UINT_MAX) { /* a drain */
		e.kind = LNS_EVENT_DRAIN;
		e.at = lns_wall_ms();
		e.ok = h->drained;
		e.until = h->drained ? h->drained_until : 0;
	} else {
		const lns_health_change_t *c = &h->history[k % LNS_HEALTH_HISTORY];
		e.at = c->at;
		e.from = c->from;
		e.to = c->to;
		lns_daemon_copy_text(e.text, sizeof(e.text), c->reason);
	}
	lns_events_add(events, &e);
}

void lns_daemon_events_scan(lns_events_t *events, const lns_prober_t *prober, const lns_view_t *sv)
{
	const lns_config_t *cfg = sv->config;
	bool fresh = seen.cfg != cfg;
	unsigned total = 0, k = 0;
	for (unsigned p = 0; p < cfg->n_pools; p++)
		total += cfg->pools[p].n_members;
	if (fresh) {
		free(seen.n_history);
		free(seen.drained);
		seen.n_history = lns_xcalloc(total ? total : 1, sizeof(*seen.n_history));
		seen.drained = lns_xcalloc(total ? total : 1, sizeof(*seen.drained));
		seen.cfg = cfg;
	}
	for (unsigned p = 0; p < cfg->n_pools; p++) {
		const lns_health_t *h = lns_prober_health(prober, p);
		for (unsigned m = 0; h && m < cfg->pools[p].n_members; m++, k++) {
			unsigned n = h[m].n_history, from = seen.n_history[k];
			if (!fresh && n > from) {
				if (n - from > LNS_HEALTH_HISTORY)
					from = n - LNS_HEALTH_HISTORY;
				for (unsigned i = from; i < n; i++)
					member_event(events, cfg, p, m, &h[m], i);
			}
			if (!fresh && h[m].drained != seen.drained[k])
				member_event(events, cfg, p, m, &h[m], UINT_MAX);
			seen.n_history[k] = n;
			seen.drained[k] = h[m].drained;
		}
	}
	/* A new master, or a new term of a master; terms that pass without
	 * one (failed elections) are no news. */
	const lns_cluster_status_t *c = sv->cluster;
	if (c && (!seen.master_known || strcmp(seen.master, c->master) != 0 || (c->master[0] && seen.term != c->term))) {
		lns_event_t e = { .kind = LNS_EVENT_MASTER, .at = lns_wall_ms(), .term = c->term };
		lns_daemon_copy_text(e.master, sizeof(e.master), c->master);
		lns_events_add(events, &e);
		/* Every node logs it, followers too (the election logs this node's role). */
		if (cfg->cluster.enabled && c->master[0])
			lns_notice("cluster: master is %s in term %llu", c->master, (unsigned long long)c->term);
		else if (cfg->cluster.enabled && seen.master_known)
			lns_notice("cluster: no master (term %llu)", (unsigned long long)c->term);
		seen.master_known = true;
		lns_daemon_copy_text(seen.master, sizeof(seen.master), c->master);
		seen.term = c->term;
	}
}


void lns_daemon_events_scan_end(void)
{
	free(seen.n_history);
	free(seen.drained);
	memset(&seen, 0, sizeof(seen));
}
