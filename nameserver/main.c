/*
 * levelnsd: the daemon. Loads the configuration and zones, publishes the
 * first view, starts the listeners, then runs the control loop (libev) that
 * handles reloads (SIGHUP) and a graceful stop (SIGTERM, SIGINT). This is
 * the only file that wires modules together.
 */
#include "config.h"

#include "core/config.h"
#include "core/dname.h"
#include "core/events.h"
#include "core/log.h"
#include "core/mailbox.h"
#include "core/stats.h"
#include "core/notify.h"
#include "core/privs.h"
#include "core/version.h"
#include "core/view.h"
#include "nameserver/daemon.h"
#include "nameserver/nameserver.h"
#include "election/election.h"
#include "election/verdict.h"
#include "probe/probe.h"
#include "probe/probe_drivers.h"
#include "web/web.h"

#include <errno.h>
#include <ev.h>
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <time.h>
#include <string.h>
#include <unistd.h>


static lns_options_t opt = { .config = SYSCONFDIR "/levelns/levelns.conf", .port = -1, .ready_fd = -1 };
static lns_privs_t privs; /* who levelnsd runs as once its sockets are open */
static lns_ns_t *ns;
static lns_web_t *web;
static lns_mailbox_t *mailbox; /* web threads' requests to the control thread */

/* What the admin API shows beside the views: the daemon's counters (read
 * by the web thread through stats_hook) and its recent events (written
 * here, on the control thread). */
static lns_events_t *events;
static pthread_mutex_t ns_lock = PTHREAD_MUTEX_INITIALIZER; /* ns against stats_hook at stop */
static struct {
	int64_t started_at;
	_Atomic uint64_t generation, reloads, reloads_failed;
} counters;

/* The control loop's state: the prober, and the coalescing of publications. */
static struct control {
	struct ev_loop *loop;
	lns_prober_t *prober;
	lns_cluster_t *cluster;
	bool answers_dirty;              /* a member changed state: publish before waiting */
	ev_prepare prepare;
	bool have_verdict;               /* the master's verdict, when clustered */
	unsigned verdict_members;
	uint8_t verdict[LNS_VERDICT_MAX_BYTES];
	ev_timer refresh;
	bool dirty;
	bool warming;                    /* started: pools wait for every member's first state */
	ev_timer warm;                   /* ends the warm-up in any case */
} ctl;

/* How long pools may wait after start for every member's first probe
 * result or the master's verdict (a blackholed member's first probe times
 * out after its timeout, and the first probes are spread). */
#define WARM_UP_S 2.0

#define REFRESH_S 0.25

static int64_t mono_ms(void)
{
	return (int64_t)(ev_now(ctl.loop) * 1000.0);
}

/* In a cluster, members are up or down as the master's verdict says; a
 * node whose view is stale (cut off from the master) also never answers a
 * member that its own probes see down. */
static const lns_health_t *verdict_health(const lns_config_t *cfg, unsigned pool, unsigned first, bool stale,
	lns_health_t *copy)
{
	const lns_pool_conf_t *pc = &cfg->pools[pool];
	const lns_health_t *h = lns_prober_health(ctl.prober, pool);
	if (!ctl.have_verdict || !cfg->cluster.enabled || first + pc->n_members > ctl.verdict_members)
		return h;
	memcpy(copy, h, pc->n_members * sizeof(*h));
	for (unsigned m = 0; m < pc->n_members; m++) {
		bool up = lns_verdict_bit(ctl.verdict, first + m);
		bool own_down = h[m].state == LNS_HEALTH_DOWN;
		copy[m].state = up && !(stale && own_down) ? LNS_HEALTH_UP : LNS_HEALTH_DOWN;
	}
	return copy;
}

/* A member of pc has no state yet: neither probed nor judged by a master. */
static bool unprobed(const lns_pool_conf_t *pc, const lns_health_t *h)
{
	if (pc->probe.type == LNS_PROBE_NONE)
		return false;
	for (unsigned m = 0; m < pc->n_members; m++)
		if (h[m].state == LNS_HEALTH_UNKNOWN)
			return true;
	return false;
}

/* Pool states of base's generation from the prober's current health, and
 * (for answers, not for the status views that show what this node's probes
 * see) the master's verdict. */
static lns_pool_state_t **build_pools_as(const lns_view_t *base, const lns_view_t *prev, bool verdicts)
{
	const lns_config_t *cfg = base->config;
	lns_pool_state_t **pools = lns_xcalloc(cfg->n_pools ? cfg->n_pools : 1, sizeof(*pools));
	lns_cluster_status_t *cs = NULL;
	bool stale = false;
	if (ctl.cluster && cfg->cluster.enabled && verdicts) {
		cs = lns_xcalloc(1, sizeof(*cs));
		lns_cluster_status(ctl.cluster, cs);
		stale = cs->stale || !cs->master[0];
		free(cs);
	}
	unsigned first = 0;
	for (unsigned i = 0; i < cfg->n_pools; i++) {
		const lns_pool_state_t *old = prev && prev->gen == base->gen ? prev->pools[i] : NULL;
		lns_health_t *copy = lns_xcalloc(cfg->pools[i].n_members, sizeof(*copy));
		const lns_health_t *h = verdicts ? verdict_health(cfg, i, first, stale, copy) : lns_prober_health(ctl.prober, i);
		pools[i] = lns_pool_state_build(&cfg->pools[i], h, old, mono_ms());
		pools[i]->warming = verdicts && ctl.warming && unprobed(&cfg->pools[i], h);
		free(copy);
		first += cfg->pools[i].n_members;
	}
	return pools;
}

static lns_pool_state_t **build_pools(const lns_view_t *base, const lns_view_t *prev)
{
	return build_pools_as(base, prev, true);
}

static void free_pools(lns_pool_state_t **pools, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		lns_pool_state_free(pools[i]);
	free(pools);
}

/* A status view of cur: every pool's health, and the cluster's state. */
static lns_view_t *status_view(const lns_view_t *cur)
{
	lns_view_t *v = lns_view_derive(cur, build_pools_as(cur, cur, false));
	if (ctl.cluster) {
		v->cluster = lns_xcalloc(1, sizeof(*v->cluster));
		lns_cluster_status(ctl.cluster, v->cluster);
	}
	return v;
}

/* Publishes a new answer view when some pool would answer differently, and
 * a new status view in any case. */
static void publish(bool status)
{
	const lns_view_t *cur = lns_view_current_writer();
	if (!cur)
		return;
	unsigned n = cur->config->n_pools;
	lns_pool_state_t **pools = build_pools(cur, cur);
	bool warm = false;
	for (unsigned i = 0; i < n; i++)
		warm |= pools[i]->warming;
	if (ctl.warming && !warm) {
		if (n)
			lns_info("levelnsd: every pool member has a state: answering pools");
		ctl.warming = false;
		ev_timer_stop(ctl.loop, &ctl.warm);
	}
	bool differs = false;
	for (unsigned i = 0; i < n && !differs; i++)
		differs = !lns_pool_state_same_answer(pools[i], cur->pools[i]);
	if (differs)
		lns_view_publish(lns_view_derive(cur, pools)); /* frees cur */
	else
		free_pools(pools, n);
	cur = lns_view_current_writer();
	if (status || differs) {
		lns_view_t *sv = status_view(cur);
		lns_daemon_events_scan(events, ctl.prober, sv);
		lns_view_publish_status(sv);
	}
}

/* Publication is coalesced: every change seen in one pass of the loop
 * makes one new view, published before the loop waits again. */
static void prober_cb(void *arg, bool state_changed)
{
	if (state_changed)
		ctl.answers_dirty = true;
	else
		ctl.dirty = true;
}

static void warm_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)w, (void)revents;
	if (!ctl.warming)
		return;
	lns_notice("levelnsd: answering pools after %.1f s although some member has no state yet "
		   "(initial_state applies to it)", WARM_UP_S);
	ctl.warming = false;
	ctl.answers_dirty = true;
}

static void prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	if (!ctl.answers_dirty)
		return;
	ctl.answers_dirty = false;
	publish(true);
}

/* Health details, drains that expire and slow-start ramps are published at
 * most every REFRESH_S. */
static void refresh_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	const lns_view_t *cur = lns_view_current_writer();
	/* The configuration outlives the views that a drain may publish. */
	const lns_config_t *cfg = cur ? cur->config : NULL;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t now_wall = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	bool ramping = false;
	for (unsigned i = 0; cfg && i < cfg->n_pools; i++) {
		const lns_pool_conf_t *pc = &cfg->pools[i];
		const lns_health_t *h = lns_prober_health(ctl.prober, i);
		for (unsigned m = 0; m < pc->n_members; m++) {
			if (h[m].drained && h[m].drained_until && h[m].drained_until <= now_wall)
				lns_prober_drain(ctl.prober, i, m, false, 0);
			ramping |= pc->slow_start_ms && h[m].up_since_mono &&
				mono_ms() - h[m].up_since_mono < (int64_t)pc->slow_start_ms + 1000;
		}
	}
	if (cfg)
		lns_daemon_drains_save(cfg, ctl.prober);
	/* A cluster's status (heartbeat ages, counters) moves all the time. */
	if (ctl.dirty || ramping || (cfg && cfg->cluster.enabled))
		publish(true);
	ctl.dirty = false;
}

/* ---- writes from the admin API, run on the control thread ---- */

typedef struct drain_job {
	const char *pool, *member;
	bool drain;
	int64_t until;
	char *msg;
	size_t size;
} drain_job_t;

static int drain_on_control(void *arg)
{
	drain_job_t *j = arg;
	const lns_config_t *cfg = lns_view_current_writer()->config;
	uint8_t wire[256];
	if (!lns_dname_parse(j->pool, wire, sizeof(wire))) {
		snprintf(j->msg, j->size, "'%s' is not a pool name", j->pool);
		return -ENOENT;
	}
	for (unsigned p = 0; p < cfg->n_pools; p++) {
		if (!lns_dname_equal(cfg->pools[p].wire, wire))
			continue;
		for (unsigned m = 0; m < cfg->pools[p].n_members; m++) {
			if (strcmp(cfg->pools[p].members[m].name, j->member) != 0)
				continue;
			if (ctl.cluster && lns_cluster_is_clustered(ctl.cluster) && !lns_cluster_is_master(ctl.cluster)) {
				/* The master decides; its heartbeats bring the drain back here. */
				int rc = lns_cluster_forward_drain(ctl.cluster, p, m, j->drain, j->until);
				if (rc != 0)
					snprintf(j->msg, j->size, "no master to decide the drain now; try again");
				return rc == -ENOENT ? -EIO : rc;
			}
			return lns_prober_drain(ctl.prober, p, m, j->drain, j->until);
		}
		snprintf(j->msg, j->size, "pool %s has no member '%s'", cfg->pools[p].name, j->member);
		return -ENOENT;
	}
	snprintf(j->msg, j->size, "no pool '%s'", j->pool);
	return -ENOENT;
}

static int drain_hook(void *arg, const char *pool, const char *member, bool drain, int64_t until, char *msg,
	size_t size)
{
	drain_job_t job = { pool, member, drain, until, msg, size };
	int rc = lns_mailbox_call(mailbox, drain_on_control, &job);
	if (rc == -ESHUTDOWN)
		snprintf(msg, size, "levelnsd is stopping");
	return rc;
}

/* An election request from the API: the web thread waits on it. */
typedef struct election_req {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done, ok;
	char master[64];
	uint64_t term;
	char reason[128];
} election_req_t;

static void cluster_changed(void *arg)
{
	ctl.answers_dirty = true;
}

static void local_report(void *arg, uint8_t *bits)
{
	const lns_config_t *cfg = lns_view_current_writer()->config;
	const lns_health_t *health[cfg->n_pools ? cfg->n_pools : 1];
	for (unsigned i = 0; i < cfg->n_pools; i++)
		health[i] = lns_prober_health(ctl.prober, i);
	lns_verdict_local(cfg, health, bits);
}

/* Drains are the master's decisions: its heartbeats carry them, and every
 * node applies them to its own table (so that a new master has them). */
static void local_drains(void *arg, uint8_t *bits)
{
	const lns_config_t *cfg = lns_view_current_writer()->config;
	unsigned i = 0;
	memset(bits, 0, (lns_verdict_members(cfg) + 7) / 8);
	for (unsigned p = 0; p < cfg->n_pools; p++) {
		const lns_health_t *h = lns_prober_health(ctl.prober, p);
		for (unsigned m = 0; m < cfg->pools[p].n_members; m++, i++)
			if (h[m].drained)
				bits[i / 8] |= (uint8_t)(1u << (i % 8));
	}
}

static void apply_drains(const uint8_t *drains, unsigned members)
{
	const lns_config_t *cfg = lns_view_current_writer()->config;
	unsigned i = 0;
	for (unsigned p = 0; p < cfg->n_pools; p++) {
		const lns_health_t *h = lns_prober_health(ctl.prober, p);
		for (unsigned m = 0; m < cfg->pools[p].n_members && i < members; m++, i++)
			if (lns_verdict_bit(drains, i) != h[m].drained)
				lns_prober_drain(ctl.prober, p, m, lns_verdict_bit(drains, i), 0);
	}
}

static void apply_verdict(void *arg, const uint8_t *bits, const uint8_t *drains, unsigned members)
{
	size_t n = (members + 7) / 8;
	apply_drains(drains, members);
	if (ctl.have_verdict && members == ctl.verdict_members && memcmp(bits, ctl.verdict, n) == 0)
		return;
	memcpy(ctl.verdict, bits, n);
	ctl.verdict_members = members;
	ctl.have_verdict = true;
	ctl.answers_dirty = true;
}

static void master_drain(void *arg, unsigned pool, unsigned member, bool drain, int64_t until)
{
	const lns_config_t *cfg = lns_view_current_writer()->config;
	if (pool < cfg->n_pools && member < cfg->pools[pool].n_members)
		lns_prober_drain(ctl.prober, pool, member, drain, until);
}

static void client_done(void *arg, void *req_, bool ok, const char *master, uint64_t term, const char *reason)
{
	election_req_t *req = req_;
	pthread_mutex_lock(&req->lock);
	req->ok = ok;
	snprintf(req->master, sizeof(req->master), "%s", master ? master : "");
	req->term = term;
	snprintf(req->reason, sizeof(req->reason), "%s", reason ? reason : "");
	req->done = true;
	pthread_cond_signal(&req->cond);
	pthread_mutex_unlock(&req->lock);
}

static int election_on_control(void *arg)
{
	if (!ctl.cluster) {
		client_done(NULL, arg, false, "", 0, "no cluster");
		return 0;
	}
	lns_cluster_client_election(ctl.cluster, arg);
	return 0;
}

static bool election_hook(void *arg, char *master, size_t master_size, uint64_t *term, char *reason, size_t size)
{
	election_req_t req = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };
	if (lns_mailbox_call(mailbox, election_on_control, &req) != 0) {
		snprintf(reason, size, "levelnsd is stopping");
		return false;
	}
	/* The machine answers every request by its client deadline, or at stop. */
	pthread_mutex_lock(&req.lock);
	while (!req.done)
		pthread_cond_wait(&req.cond, &req.lock);
	pthread_mutex_unlock(&req.lock);
	snprintf(master, master_size, "%s", req.master);
	*term = req.term;
	snprintf(reason, size, "%s", req.reason);
	pthread_cond_destroy(&req.cond);
	pthread_mutex_destroy(&req.lock);
	return req.ok;
}

static void mailbox_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	lns_mailbox_run(mailbox);
}

/* A pool's answer counter goes on across reloads (the API counts since
 * start): the new generation's starts where the old one of the same name
 * stands. */
static void carry_hits(lns_view_t *v)
{
	const lns_view_t *cur = lns_view_current_writer();
	if (!cur)
		return;
	const lns_config_t *a = v->config, *b = cur->config;
	for (unsigned i = 0; i < a->n_pools; i++) {
		unsigned j = i < b->n_pools && lns_dname_equal(a->pools[i].wire, b->pools[i].wire) ? i : b->n_pools;
		for (unsigned k = 0; j == b->n_pools && k < b->n_pools; k++)
			if (lns_dname_equal(a->pools[i].wire, b->pools[k].wire))
				j = k;
		if (j < b->n_pools)
			atomic_store_explicit(&v->gen->hits[i].n,
				atomic_load_explicit(&cur->gen->hits[j].n, memory_order_relaxed), memory_order_relaxed);
	}
}

/* A new generation: the prober follows its pools, then answers come from
 * the health it has (kept for members that did not change). */
static void start_generation(lns_view_t *v)
{
	carry_hits(v);
	lns_prober_apply(ctl.prober, v->config, v->gen->hits);
	lns_view_t *ready = lns_view_derive(v, build_pools(v, NULL));
	lns_view_publish(ready);
	lns_view_t *sv = status_view(ready);
	lns_daemon_events_scan(events, ctl.prober, sv);
	lns_view_publish_status(sv);
	lns_view_free(v);
}

static lns_view_t *load(lns_err_t *err)
{
	lns_config_t *cfg;
	lns_zonedb_t *db;
	if (lns_config_load(opt.config, &cfg, err) != 0)
		return NULL;
	if (lns_daemon_apply_overrides(&opt, cfg, err) != 0 || lns_ns_zones_load(cfg, &db, err) != 0) {
		lns_config_free(cfg);
		return NULL;
	}
	return lns_view_new(cfg, db);
}

static bool same_listeners(const lns_config_t *a, const lns_config_t *b)
{
	if (a->n_listen != b->n_listen || a->workers != b->workers || a->http_enabled != b->http_enabled ||
	    memcmp(&a->http_listen, &b->http_listen, sizeof(a->http_listen)) != 0)
		return false;
	for (unsigned i = 0; i < a->n_listen; i++)
		if (a->listen[i].len != b->listen[i].len || memcmp(&a->listen[i].ss, &b->listen[i].ss, a->listen[i].len) != 0)
			return false;
	return true;
}

/* Loads the configuration and every zone again (SIGHUP, POST
 * /api/v1/reload): the new generation is served, or, when the files are
 * refused, the running one goes on. Returns 0 with what is served in out,
 * or -EINVAL with the reason in out->msg. Control thread. */
static int reload(lns_web_reload_t *out)
{
	lns_err_t err;
	lns_event_t e = { .kind = LNS_EVENT_RELOAD, .at = lns_wall_ms() };
	lns_notify_reloading();
	lns_notice("reload: reading %s", opt.config);
	lns_view_t *v = load(&err);
	if (!v) {
		lns_err("reload: refused, keeping the running configuration: %s", err.msg);
		lns_notify_send("READY=1\nSTATUS=reload refused: %s", err.msg);
		snprintf(out->msg, sizeof(out->msg), "reload refused: %s; still serving the previous configuration", err.msg);
		lns_daemon_copy_text(e.text, sizeof(e.text), out->msg);
		atomic_fetch_add(&counters.reloads_failed, 1);
		lns_events_add(events, &e);
		return -EINVAL;
	}
	const lns_view_t *cur = lns_view_current_writer();
	if (cur && !same_listeners(cur->config, v->config))
		lns_warn("reload: listen addresses, workers and http.listen change only on restart; keeping the current sockets");
	if (cur)
		lns_privs_reload_check(&privs, cur->config, v->config);
	lns_log_set_level(v->config->log_level);
	unsigned zones = v->zones->n_zones, pools = v->config->n_pools;
	size_t records = v->zones->n_records;
	if (ctl.cluster)
		lns_cluster_reconfigure(ctl.cluster, v->config);
	ctl.have_verdict = false;
	start_generation(v);
	out->generation = atomic_fetch_add(&counters.generation, 1) + 1;
	out->zones = zones;
	out->pools = pools;
	atomic_fetch_add(&counters.reloads, 1);
	e.ok = true;
	snprintf(e.text, sizeof(e.text), "generation %llu: %u zones (%zu records) and %u pools",
		(unsigned long long)out->generation, zones, records, pools);
	lns_events_add(events, &e);
	lns_notice("reload: done, serving %u zones (%zu records) and %u pools", zones, records, pools);
	lns_notify_send("READY=1\nSTATUS=reload ok: serving %u zones (%zu records) and %u pools", zones, records, pools);
	return 0;
}

static void reload_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	lns_web_reload_t out;
	reload(&out);
}

static int reload_on_control(void *arg)
{
	return reload(arg);
}

static int reload_hook(void *arg, lns_web_reload_t *out)
{
	int rc = lns_mailbox_call(mailbox, reload_on_control, out);
	if (rc == -ESHUTDOWN)
		snprintf(out->msg, sizeof(out->msg), "levelnsd is stopping");
	return rc;
}

/* The counters of every module, for the API (web thread). */
static void stats_hook(void *arg, lns_stats_t *out)
{
	memset(out, 0, sizeof(*out));
	out->started_at = counters.started_at;
	out->generation = atomic_load(&counters.generation);
	out->reloads = atomic_load(&counters.reloads);
	out->reloads_failed = atomic_load(&counters.reloads_failed);
	pthread_mutex_lock(&ns_lock);
	if (ns)
		lns_ns_stats(ns, &out->queries);
	pthread_mutex_unlock(&ns_lock);
	lns_prober_counts(ctl.prober, &out->probes_sent, &out->probes_failed);
}

static void stop_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	lns_notice("levelnsd: stopping on signal %d", w->signum);
	lns_notify_send("STOPPING=1\nSTATUS=stopping");
	ev_break(loop, EVBREAK_ALL);
}

static void announce(const lns_view_t *v)
{
	char list[LNS_MAX_LISTEN * 64] = "", one[64];
	const lns_config_t *cfg = v->config;
	for (unsigned i = 0; i < cfg->n_listen; i++) {
		strcat(list, i ? ", " : "");
		strcat(list, lns_addr_render(&cfg->listen[i], one, sizeof(one)));
	}
	lns_notice("levelnsd: ready: node %s serving %u zones (%zu records) and %u pools on %s (udp, tcp)", cfg->node,
		v->zones->n_zones, v->zones->n_records, cfg->n_pools, list);
	lns_notify_send("READY=1\nMAINPID=%ld\nSTATUS=serving %u zones and %u pools on %s", (long)getpid(),
		v->zones->n_zones, cfg->n_pools, list);
	if (opt.ready_fd >= 0) {
		if (write(opt.ready_fd, "ready\n", 6) == -1)
			lns_warn("levelnsd: cannot write to --ready-fd %d: %s", opt.ready_fd, strerror(errno));
		close(opt.ready_fd);
	}
}

int main(int argc, char **argv)
{
	lns_err_t err;
	lns_daemon_parse_args(&opt, argc, argv);
	lns_log_init(opt.foreground || opt.check, "levelnsd");

	lns_view_t *v = load(&err);
	if (!v) {
		fprintf(stderr, "levelnsd: %s\n", err.msg);
		return 1;
	}
	if (opt.check) {
		lns_daemon_print_check(&opt, v);
		lns_view_free(v);
		return 0;
	}
	lns_log_set_level(v->config->log_level);
	/* Who to run as, known before anything starts; the state directory
	 * made the user's before anything is written in it. */
	if (lns_privs_plan(v->config->user, v->config->group, opt.allow_root || v->config->allow_root, &privs, &err) != 0 ||
	    (v->config->cluster.enabled && lns_privs_prepare_dir(&privs, v->config->cluster.state_dir, &err) != 0)) {
		fprintf(stderr, "levelnsd: %s\n", err.msg);
		lns_view_free(v);
		return 1;
	}
	if (!opt.foreground && daemon(0, 0) == -1) {
		fprintf(stderr, "levelnsd: cannot become a daemon: %s\n", strerror(errno));
		return 1;
	}
	int nrc = lns_notify_init();
	if (nrc != 0)
		lns_warn("levelnsd: NOTIFY_SOCKET %s: %s; not notifying the service manager", getenv("NOTIFY_SOCKET"),
			strerror(-nrc));

	/* Workers inherit a mask without these; the control loop takes them. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct ev_loop *loop = ev_default_loop(EVFLAG_AUTO);
	ctl.loop = loop;
	if (!(ctl.prober = lns_prober_new(loop, prober_cb, NULL, &err))) {
		fprintf(stderr, "levelnsd: cannot start probing: %s\n", err.msg);
		return 1;
	}
	const lns_config_t *first = v->config; /* lives on in the published view */
	counters.started_at = lns_wall_ms();
	counters.generation = 1;
	events = lns_events_new();
	ctl.warming = true;
	ev_timer_init(&ctl.warm, warm_cb, WARM_UP_S, 0.);
	ev_timer_start(loop, &ctl.warm);
	start_generation(v);
	lns_daemon_drains_load(first, ctl.prober);
	if (lns_ns_start(first, &ns, &err) != 0) {
		lns_err("levelnsd: cannot listen: %s", err.msg);
		lns_prober_free(ctl.prober);
		lns_view_publish_status(NULL);
		lns_view_publish(NULL);
		return 1;
	}
	mailbox = lns_mailbox_new();
	ev_io mailbox_io;
	ev_io_init(&mailbox_io, mailbox_cb, lns_mailbox_fd(mailbox), EV_READ);
	ev_io_start(loop, &mailbox_io);
	lns_cluster_cbs_t cbs = { .changed = cluster_changed, .client_done = client_done, .local_report = local_report,
		.apply_verdict = apply_verdict, .local_drains = local_drains, .drain = master_drain };
	lns_privs_fs_as_user(&privs, true); /* the state files are written as the user who rewrites them */
	int crc = lns_cluster_start(loop, first, &cbs, &ctl.cluster, &err);
	lns_privs_fs_as_user(&privs, false);
	if (crc != 0) {
		lns_err("levelnsd: %s", err.msg);
		lns_ns_stop(ns);
		lns_prober_free(ctl.prober);
		lns_view_publish_status(NULL);
		lns_view_publish(NULL);
		return 1;
	}
	publish(true);
	lns_web_hooks_t hooks = { .drain = drain_hook, .election = election_hook, .reload = reload_hook,
		.stats = stats_hook, .events = events };
	if (first->http_enabled && lns_web_start(&first->http_listen, &hooks, &web, &err) != 0) {
		lns_err("levelnsd: %s", err.msg);
		lns_ns_stop(ns);
		lns_prober_free(ctl.prober);
		lns_view_publish_status(NULL);
		lns_view_publish(NULL);
		return 1;
	}
	/* The ICMP sockets, raw where ping sockets are not allowed, opened as
	 * root whether or not a pool has icmp probes yet (a reload may add
	 * some): the probes use them, and no capability is kept after the drop. */
	if (privs.drop) {
		char icmp[160];
		lns_probe_icmp_preopen(icmp, sizeof(icmp));
		lns_notice("levelnsd: ICMP sockets opened before the drop: %s", icmp);
	}
	/* Every socket is open: give up root. */
	if (lns_privs_start(&privs, first, &err) != 0) {
		lns_err("levelnsd: %s", err.msg);
		lns_web_stop(web);
		lns_cluster_stop(ctl.cluster);
		lns_ns_stop(ns);
		lns_prober_free(ctl.prober);
		lns_view_publish_status(NULL);
		lns_view_publish(NULL);
		return 1;
	}
	ev_prepare_init(&ctl.prepare, prepare_cb);
	ev_prepare_start(loop, &ctl.prepare);
	ev_timer_init(&ctl.refresh, refresh_cb, REFRESH_S, REFRESH_S);
	ev_timer_start(loop, &ctl.refresh);
	ev_signal hup, term, intr;
	ev_signal_init(&hup, reload_cb, SIGHUP);
	ev_signal_init(&term, stop_cb, SIGTERM);
	ev_signal_init(&intr, stop_cb, SIGINT);
	ev_signal_start(loop, &hup);
	ev_signal_start(loop, &term);
	ev_signal_start(loop, &intr);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	announce(lns_view_current_writer());

	ev_run(loop, 0);

	lns_ns_stats_t st;
	lns_ns_stats(ns, &st);
	pthread_mutex_lock(&ns_lock); /* stats_hook stops reading it */
	lns_ns_t *stopping = ns;
	ns = NULL;
	pthread_mutex_unlock(&ns_lock);
	lns_ns_stop(stopping);
	lns_cluster_stop(ctl.cluster); /* answers waiting election requests */
	ctl.cluster = NULL;
	lns_mailbox_close(mailbox);
	lns_web_stop(web);
	ev_io_stop(loop, &mailbox_io);
	lns_mailbox_free(mailbox);
	ev_timer_stop(loop, &ctl.refresh);
	ev_timer_stop(loop, &ctl.warm);
	ev_prepare_stop(loop, &ctl.prepare);
	lns_prober_free(ctl.prober);
	lns_view_publish_status(NULL);
	lns_view_publish(NULL);
	ev_loop_destroy(loop);
	lns_notify_close();
	lns_events_free(events);
	lns_daemon_events_scan_end();
	lns_notice("levelnsd: stopped after %" PRIu64 " UDP and %" PRIu64 " TCP queries, dropped %" PRIu64, st.udp,
		st.tcp, st.dropped);
	return 0;
}
