/*
 * election/cluster: the I/O around the election machine: one UDP socket on
 * this node's cluster address, authenticated messages, the durable state,
 * the machine's timer, and the master cache for the API.
 */
#include "config.h"

#include "core/log.h"
#include "election/election.h"
#include "election/fsm.h"
#include "election/store.h"
#include "election/verdict.h"
#include "election/wire.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MSG_FIXED 19 /* ok, master, up_ms, lease_ms, seq */
#define MSG_REPORT 100 /* outside the machine: a node's view of its members */
#define MSG_DRAIN 101  /* outside the machine: a drain for the master to decide */
#define PENDING_MAX 32

enum { DROP_MALFORMED, DROP_BAD_MAC, DROP_UNKNOWN, DROP_REPLAY, DROP_STALE, DROP_SHORT, DROP_REASONS };

struct lns_cluster {
	struct ev_loop *loop;
	lns_cluster_cbs_t cbs;
	bool clustered;
	lns_election_t fsm;
	lns_wire_t wire;
	uint8_t key[256];
	size_t key_len;
	char *state_dir;
	uint64_t boot;
	unsigned n, self;
	lns_addr_t addr[LNS_MAX_NODES];
	char name[LNS_MAX_NODES][64];
	unsigned priority[LNS_MAX_NODES];
	int64_t heard_at[LNS_MAX_NODES];
	uint64_t node_term[LNS_MAX_NODES];
	int fd;
	ev_io io;
	ev_timer timer;
	void *pending[PENDING_MAX];
	unsigned n_pending;
	uint64_t dropped[DROP_REASONS];
	uint64_t elections, hb_sent, hb_received, hb_missed;
	int64_t hb_at;          /* follower: when the master's last heartbeat came, or was counted missed */
	unsigned last_role;
	/* multi-vantage health */
	unsigned members;
	uint64_t config_hash;
	uint64_t peer_hash[LNS_MAX_NODES];
	uint8_t report[LNS_MAX_NODES][LNS_VERDICT_MAX_BYTES];
	int64_t report_at[LNS_MAX_NODES];
	bool suspect[LNS_MAX_NODES];
	uint8_t verdict[LNS_VERDICT_MAX_BYTES];
	uint8_t drains[LNS_VERDICT_MAX_BYTES];
	ev_timer report_timer;
};

static lns_ratelimit_t rl_drop, rl_send;

static int64_t now_ms(const lns_cluster_t *c)
{
	return (int64_t)(ev_now(c->loop) * 1000.0);
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)(v >> 32)); put32(p + 4, (uint32_t)v); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }
static uint64_t get64(const uint8_t *p) { return (uint64_t)get32(p) << 32 | get32(p + 4); }

static size_t verdict_bytes(const lns_cluster_t *c)
{
	size_t n = (c->members + 7) / 8;
	return n > LNS_VERDICT_MAX_BYTES ? LNS_VERDICT_MAX_BYTES : n;
}

/* The master's verdict from the live nodes' reports (its own included). */
static void compute_verdict(lns_cluster_t *c)
{
	const uint8_t *reports[LNS_MAX_NODES];
	unsigned idx[LNS_MAX_NODES], n = 0;
	int64_t now = now_ms(c);
	bool suspect[LNS_MAX_NODES];
	c->cbs.local_report(c->cbs.arg, c->report[c->self]);
	c->report_at[c->self] = now;
	for (unsigned i = 0; i < c->n; i++) {
		c->suspect[i] = false;
		if (c->report_at[i] >= 0 && now - c->report_at[i] < 3 * (int64_t)c->fsm.conf.heartbeat_ms + 100 &&
		    (i == c->self || c->peer_hash[i] == c->config_hash)) {
			idx[n] = i;
			reports[n++] = c->report[i];
		}
	}
	lns_verdict_quorum(c->members, reports, n, c->verdict, suspect);
	for (unsigned k = 0; k < n; k++)
		c->suspect[idx[k]] = suspect[k];
	c->cbs.local_drains(c->cbs.arg, c->drains);
	c->cbs.apply_verdict(c->cbs.arg, c->verdict, c->drains, c->members);
}

static void send_to(lns_cluster_t *c, unsigned to, const lns_election_msg_t *m)
{
	uint8_t payload[MSG_FIXED + 8 + 2 * LNS_VERDICT_MAX_BYTES], buf[LNS_WIRE_MAX];
	size_t len = MSG_FIXED;
	payload[0] = m->ok;
	put16(payload + 1, (uint16_t)m->master);
	put32(payload + 3, m->up_ms);
	put32(payload + 7, m->lease_ms);
	put64(payload + 11, m->seq);
	if (m->type == LNS_EMSG_HEARTBEAT) {
		/* The master cache travels in the fixed part; the verdicts follow. */
		put64(payload + len, c->config_hash);
		memcpy(payload + len + 8, c->verdict, verdict_bytes(c));
		memcpy(payload + len + 8 + verdict_bytes(c), c->drains, verdict_bytes(c));
		len += 8 + 2 * verdict_bytes(c);
	}
	size_t n = lns_wire_encode(&c->wire, m->type, 0, m->term, payload, len, buf);
	if (n && sendto(c->fd, buf, n, 0, (const struct sockaddr *)&c->addr[to].ss, c->addr[to].len) == -1)
		lns_log_limited(&rl_send, 5, LNS_LOG_WARNING, "cluster: send to %s: %s", c->name[to], strerror(errno));
	if (m->type == LNS_EMSG_HEARTBEAT)
		c->hb_sent++;
}

static void arm(lns_cluster_t *c, int64_t deadline)
{
	ev_timer_stop(c->loop, &c->timer);
	if (deadline == LNS_ELECTION_NEVER)
		return;
	int64_t wait = deadline - now_ms(c);
	ev_timer_set(&c->timer, wait > 0 ? wait / 1000.0 : 0.0, 0.0);
	ev_timer_start(c->loop, &c->timer);
}

static void log_role(lns_cluster_t *c)
{
	lns_master_cache_t mc;
	lns_election_cache(&c->fsm, now_ms(c), &mc);
	if (c->fsm.role == LNS_ROLE_CANDIDATE && c->last_role != LNS_ROLE_CANDIDATE)
		c->elections++;
	if (c->fsm.role != c->last_role || c->fsm.role == LNS_ROLE_MASTER)
		lns_notice("cluster: %s is %s in term %llu; master %s", c->name[c->self], lns_election_role_name(c->fsm.role),
			(unsigned long long)mc.term, mc.master >= 0 ? c->name[mc.master] : "unknown");
	c->last_role = c->fsm.role;
}

static void step_payload(lns_cluster_t *c, const lns_election_event_t *ev, const uint8_t *extra, size_t extra_len);

static void step(lns_cluster_t *c, const lns_election_event_t *ev)
{
	step_payload(c, ev, NULL, 0);
}

static void step_payload(lns_cluster_t *c, const lns_election_event_t *ev, const uint8_t *extra, size_t extra_len)
{
	lns_election_out_t out;
	lns_election_step(&c->fsm, ev, now_ms(c), &out);
	if (out.apply_payload && extra_len >= 8) {
		/* A heartbeat in order: its verdicts, if about our configuration. */
		uint64_t hash = get64(extra);
		c->peer_hash[ev->from] = hash;
		if (hash == c->config_hash && extra_len - 8 >= 2 * verdict_bytes(c)) {
			memcpy(c->verdict, extra + 8, verdict_bytes(c));
			memcpy(c->drains, extra + 8 + verdict_bytes(c), verdict_bytes(c));
			c->cbs.apply_verdict(c->cbs.arg, c->verdict, c->drains, c->members);
		} else if (hash != c->config_hash) {
			lns_log_limited(&rl_drop, 1, LNS_LOG_WARNING,
				"cluster: %s runs a different configuration (pools and members); its verdicts are not applied",
				c->name[ev->from]);
		}
	}
	if (out.persist && c->clustered) {
		lns_store_state_t st = { out.term, out.voted_for, c->boot };
		lns_err_t err;
		if (lns_store_save(c->state_dir, &st, &err) != 0) {
			/* Sending after a vote that did not reach the disk could vote twice. */
			lns_err("cluster: %s; sending nothing", err.msg);
			out.n_send = 0;
		}
	}
	for (unsigned i = 0; i < out.n_send && c->clustered; i++)
		if (out.send[i].msg.type == LNS_EMSG_HEARTBEAT) {
			compute_verdict(c);
			break;
		}
	for (unsigned i = 0; i < out.n_send && c->clustered; i++) {
		const lns_election_send_t *s = &out.send[i];
		for (unsigned to = 0; to < c->n; to++)
			if (to != c->self && (s->to == LNS_ELECTION_ALL || (unsigned)s->to == to))
				send_to(c, to, &s->msg);
	}
	arm(c, out.deadline);
	if (out.dropped)
		c->dropped[DROP_STALE]++;
	if (out.role_changed)
		log_role(c);
	if (out.client_reply) {
		for (unsigned i = 0; i < c->n_pending; i++)
			c->cbs.client_done(c->cbs.arg, c->pending[i], out.client_ok,
				out.client_ok && out.client_master >= 0 ? c->name[out.client_master] : "", out.client_term,
				out.reason);
		c->n_pending = 0;
	}
	if ((out.role_changed || out.cache_changed) && c->cbs.changed)
		c->cbs.changed(c->cbs.arg);
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	lns_election_event_t ev = { .type = LNS_EEV_TIMER };
	step(w->data, &ev);
}

static void read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	lns_cluster_t *c = w->data;
	for (int budget = 0; budget < 64; budget++) {
		uint8_t buf[LNS_WIRE_MAX + 1];
		ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == -1)
			return;
		lns_wire_msg_t m;
		enum lns_wire_drop d = lns_wire_decode(&c->wire, buf, (size_t)n, &m);
		if (d != LNS_WIRE_OK) {
			c->dropped[d - 1]++;
			lns_log_limited(&rl_drop, 3, LNS_LOG_WARNING, "cluster: dropped a message: %s", lns_wire_drop_name(d));
			continue;
		}
		if (m.type == MSG_REPORT) {
			/* A node's view, for the master's verdict. */
			if (m.payload_len != 8 + verdict_bytes(c)) {
				c->dropped[DROP_SHORT]++;
				continue;
			}
			c->peer_hash[m.sender] = get64(m.payload);
			memcpy(c->report[m.sender], m.payload + 8, verdict_bytes(c));
			c->report_at[m.sender] = now_ms(c);
			c->heard_at[m.sender] = now_ms(c);
			continue;
		}
		if (m.type == MSG_DRAIN) {
			/* Only the master decides drains; [pool u16][member u16][drain u8][until u64]. */
			if (m.payload_len != 13) {
				c->dropped[DROP_SHORT]++;
				continue;
			}
			if (lns_cluster_is_master(c))
				c->cbs.drain(c->cbs.arg, get16(m.payload), get16(m.payload + 2), m.payload[4] != 0,
					(int64_t)get64(m.payload + 5));
			continue;
		}
		if (m.payload_len < MSG_FIXED) {
			c->dropped[DROP_SHORT]++;
			continue;
		}
		lns_election_event_t ev = { .type = LNS_EEV_MSG, .from = m.sender };
		ev.msg.type = m.type;
		ev.msg.term = m.term;
		ev.msg.ok = m.payload[0];
		ev.msg.master = (int16_t)get16(m.payload + 1);
		ev.msg.up_ms = get32(m.payload + 3);
		ev.msg.lease_ms = get32(m.payload + 7);
		ev.msg.seq = get64(m.payload + 11);
		c->heard_at[m.sender] = now_ms(c);
		if (m.term > c->node_term[m.sender])
			c->node_term[m.sender] = m.term;
		if (m.type == LNS_EMSG_HEARTBEAT) {
			c->hb_received++;
			c->hb_at = now_ms(c);
		}
		step_payload(c, &ev, m.payload + MSG_FIXED, m.payload_len - MSG_FIXED);
	}
}

/* Every heartbeat interval a follower tells the master what its probes see. */
static void report_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	lns_cluster_t *c = w->data;
	lns_master_cache_t mc;
	int64_t now = now_ms(c), hb = (int64_t)c->fsm.conf.heartbeat_ms;
	lns_election_cache(&c->fsm, now, &mc);
	if (mc.master < 0 || (unsigned)mc.master == c->self) {
		c->hb_at = -1;
		return;
	}
	/* Each interval past the first half-interval of slack without a
	 * heartbeat from the master counts once as missed. */
	if (c->hb_at < 0)
		c->hb_at = now;
	while (now - c->hb_at > hb + hb / 2) {
		c->hb_missed++;
		c->hb_at += hb;
	}
	uint8_t payload[8 + LNS_VERDICT_MAX_BYTES], buf[LNS_WIRE_MAX];
	put64(payload, c->config_hash);
	c->cbs.local_report(c->cbs.arg, payload + 8);
	size_t n = lns_wire_encode(&c->wire, MSG_REPORT, 0, mc.term, payload, 8 + verdict_bytes(c), buf);
	const lns_addr_t *a = &c->addr[mc.master];
	if (n && sendto(c->fd, buf, n, 0, (const struct sockaddr *)&a->ss, a->len) == -1)
		lns_log_limited(&rl_send, 5, LNS_LOG_WARNING, "cluster: report to %s: %s", c->name[mc.master], strerror(errno));
}

bool lns_cluster_is_master(const lns_cluster_t *c)
{
	return lns_election_is_master(&c->fsm, now_ms(c));
}

bool lns_cluster_is_clustered(const lns_cluster_t *c)
{
	return c->clustered;
}

int lns_cluster_forward_drain(lns_cluster_t *c, unsigned pool, unsigned member, bool drain, int64_t until)
{
	lns_master_cache_t mc;
	lns_election_cache(&c->fsm, now_ms(c), &mc);
	if (mc.master < 0 || mc.stale)
		return -EAGAIN;
	uint8_t payload[13], buf[LNS_WIRE_MAX];
	put16(payload, (uint16_t)pool);
	put16(payload + 2, (uint16_t)member);
	payload[4] = drain;
	put64(payload + 5, (uint64_t)until);
	size_t n = lns_wire_encode(&c->wire, MSG_DRAIN, 0, mc.term, payload, sizeof(payload), buf);
	const lns_addr_t *a = &c->addr[mc.master];
	/* Lost on the way? The client sees no change in /pools and asks again. */
	if (n && sendto(c->fd, buf, n, 0, (const struct sockaddr *)&a->ss, a->len) == -1)
		return -errno;
	return 0;
}

void lns_cluster_reconfigure(lns_cluster_t *c, const lns_config_t *cfg)
{
	c->members = lns_verdict_members(cfg);
	if (c->members > LNS_VERDICT_MAX_BYTES * 8) {
		lns_warn("cluster: %u members are more than verdicts carry (%d); the rest follow local probes", c->members,
			LNS_VERDICT_MAX_BYTES * 8);
		c->members = LNS_VERDICT_MAX_BYTES * 8;
	}
	c->config_hash = lns_verdict_config_hash(cfg);
	memset(c->report, 0, sizeof(c->report));
	for (unsigned i = 0; i < LNS_MAX_NODES; i++)
		c->report_at[i] = -1;
	/* Until a verdict comes, everyone answers from its own probes. */
	memset(c->verdict, 0xff, sizeof(c->verdict));
	memset(c->drains, 0, sizeof(c->drains));
}

static int open_socket(lns_cluster_t *c, lns_err_t *err)
{
	char where[80];
	const lns_addr_t *a = &c->addr[c->self];
	c->fd = socket(a->ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1 || bind(c->fd, (const struct sockaddr *)&a->ss, a->len) == -1) {
		int e = errno;
		lns_err_set(err, NULL, 0, "cluster: cannot listen on %s: %s", lns_addr_render(a, where, sizeof(where)),
			strerror(e));
		return -e;
	}
	ev_io_init(&c->io, read_cb, c->fd, EV_READ);
	c->io.data = c;
	ev_io_start(c->loop, &c->io);
	return 0;
}

int lns_cluster_start(struct ev_loop *loop, const lns_config_t *cfg, const lns_cluster_cbs_t *cbs, lns_cluster_t **out,
	lns_err_t *err)
{
	lns_cluster_t *c = lns_xcalloc(1, sizeof(*c));
	const lns_cluster_conf_t *cc = &cfg->cluster;
	lns_election_conf_t conf;
	lns_store_state_t st = { 0, LNS_ELECTION_NONE, 0 };
	int rc = 0;
	c->loop = loop;
	c->cbs = *cbs;
	c->fd = -1;
	c->clustered = cc->enabled;
	c->n = c->clustered ? cc->n_nodes : 1;
	c->self = c->clustered ? cc->self : 0;
	for (unsigned i = 0; i < c->n; i++) {
		snprintf(c->name[i], sizeof(c->name[i]), "%s", c->clustered ? cc->nodes[i].name : cfg->node);
		if (c->clustered) {
			c->addr[i] = cc->nodes[i].address;
			c->priority[i] = cc->nodes[i].priority;
		}
		c->heard_at[i] = -1;
	}
	c->hb_at = -1;
	lns_election_conf_init(&conf, c->n, c->self, c->clustered ? cc->heartbeat_ms : 100);
	for (unsigned i = 0; i < c->n; i++)
		conf.priority[i] = (int)c->priority[i];
	if (c->clustered) {
		conf.hold_down_ms = cc->hold_down_ms;
		if (cc->election_timeout_ms)
			conf.election_timeout_ms = cc->election_timeout_ms;
		memcpy(c->key, cc->key, cc->key_len);
		c->key_len = cc->key_len;
		c->state_dir = lns_xstrdup(cc->state_dir);
		if ((rc = lns_election_conf_check(&conf, err)) != 0 || (rc = lns_store_load(c->state_dir, &st, err)) != 0)
			goto fail;
		/* A new boot number before anything is sent: the peers' replay windows. */
		c->boot = st.boot + 1;
		lns_store_state_t next = st;
		next.boot = c->boot;
		if ((rc = lns_store_save(c->state_dir, &next, err)) != 0 || (rc = open_socket(c, err)) != 0)
			goto fail;
		lns_wire_init(&c->wire, c->key, c->key_len, c->self, c->n, c->boot);
	}
	lns_election_init(&c->fsm, &conf, st.term, st.vote);
	lns_cluster_reconfigure(c, cfg);
	ev_init(&c->timer, timer_cb);
	c->timer.data = c;
	if (c->clustered) {
		ev_timer_init(&c->report_timer, report_cb, conf.heartbeat_ms / 1000.0, conf.heartbeat_ms / 1000.0);
		c->report_timer.data = c;
		ev_timer_start(loop, &c->report_timer);
	}
	c->last_role = LNS_ROLE_FOLLOWER;
	lns_election_event_t ev = { .type = LNS_EEV_START };
	step(c, &ev);
	if (c->clustered)
		lns_notice("cluster: %s started (boot %llu, term %llu) among %u nodes", c->name[c->self],
			(unsigned long long)c->boot, (unsigned long long)st.term, c->n);
	*out = c;
	return 0;
fail:
	if (c->fd != -1)
		close(c->fd);
	free(c->state_dir);
	free(c);
	*out = NULL;
	return rc;
}

void lns_cluster_stop(lns_cluster_t *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < c->n_pending; i++)
		c->cbs.client_done(c->cbs.arg, c->pending[i], false, "", 0, "levelnsd is stopping");
	ev_timer_stop(c->loop, &c->timer);
	if (c->clustered)
		ev_timer_stop(c->loop, &c->report_timer);
	if (c->fd != -1) {
		ev_io_stop(c->loop, &c->io);
		close(c->fd);
	}
	memset(c->key, 0, sizeof(c->key));
	free(c->state_dir);
	free(c);
}

void lns_cluster_client_election(lns_cluster_t *c, void *req)
{
	if (c->n_pending == PENDING_MAX) {
		c->cbs.client_done(c->cbs.arg, req, false, "", 0, "too many election requests waiting");
		return;
	}
	c->pending[c->n_pending++] = req;
	lns_election_event_t ev = { .type = LNS_EEV_CLIENT };
	step(c, &ev);
}

const char *lns_cluster_drop_name(unsigned reason)
{
	static const char *const names[] = { "malformed", "bad_mac", "unknown_sender", "replay", "stale", "short" };
	return reason < DROP_REASONS ? names[reason] : "?";
}

void lns_cluster_status(const lns_cluster_t *c, lns_cluster_status_t *out)
{
	lns_master_cache_t mc;
	int64_t now = now_ms(c), wall = lns_wall_ms();
	memset(out, 0, sizeof(*out));
	lns_election_cache(&c->fsm, now, &mc);
	out->clustered = c->clustered;
	if (mc.master >= 0)
		snprintf(out->master, sizeof(out->master), "%s", c->name[mc.master]);
	out->term = mc.term;
	/* The machine marks "never" and "none" with the extremes of int64_t. */
	bool lease = mc.lease_expires != LNS_ELECTION_NEVER && mc.lease_expires > now - 86400000;
	out->since = mc.since > 0 ? wall - (now - mc.since) : 0;
	out->lease_expires = lease ? wall + (mc.lease_expires - now) : 0;
	out->seq = mc.seq;
	out->stale = mc.stale;
	out->is_master = lns_election_is_master(&c->fsm, now);
	out->role = lns_election_role_name(c->fsm.role);
	out->n_nodes = c->n;
	for (unsigned i = 0; i < c->n; i++) {
		lns_cluster_node_status_t *n = &out->nodes[i];
		snprintf(n->name, sizeof(n->name), "%s", c->name[i]);
		if (c->clustered)
			lns_addr_render(&c->addr[i], n->address, sizeof(n->address));
		n->priority = c->priority[i];
		n->self = i == c->self;
		n->heard_ms_ago = n->self ? 0 : c->heard_at[i] < 0 ? -1 : now - c->heard_at[i];
		n->reachable = n->self || (c->heard_at[i] >= 0 && now - c->heard_at[i] < 1000);
		n->term = n->self ? mc.term : c->node_term[i];
		n->role = n->self ? out->role : (int)i == mc.master ? "master" : n->reachable ? "follower" : "unknown";
		n->config_match = n->self || c->peer_hash[i] == 0 || c->peer_hash[i] == c->config_hash;
		n->suspect = c->suspect[i];
	}
	for (unsigned r = 0; r < DROP_REASONS; r++) {
		out->dropped[r].reason = lns_cluster_drop_name(r);
		out->dropped[r].count = c->dropped[r];
	}
	out->n_dropped = DROP_REASONS;
	out->elections = c->elections;
	out->heartbeats_sent = c->hb_sent;
	out->heartbeats_received = c->hb_received;
	out->heartbeats_missed = c->hb_missed;
}
