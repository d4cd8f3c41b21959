/*
 * web/ctl_print: the API's documents as levelnsctl shows them to people:
 * aligned tables, states written plainly, times as ages. Pure: they write
 * to the FILE given and read the clock only through p->now_ms. Whatever
 * the daemon sends, a missing or mistyped field shows as "-".
 */
#include "config.h"

#include "web/ctl.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define CELL 512

/* ---- reading the documents ---- */

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static bool num(json_t *o, const char *key, double *v)
{
	json_t *j = json_object_get(o, key);
	if (!json_is_number(j))
		return false;
	*v = json_number_value(j);
	return true;
}

static bool integer(json_t *o, const char *key, json_int_t *v)
{
	json_t *j = json_object_get(o, key);
	if (!json_is_integer(j))
		return false;
	*v = json_integer_value(j);
	return true;
}

static bool flag(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* An integer field as text, or "-". */
static const char *int_text(json_t *o, const char *key, char *buf, size_t size)
{
	json_int_t v;
	if (!integer(o, key, &v))
		return "-";
	snprintf(buf, size, "%" JSON_INTEGER_FORMAT, v);
	return buf;
}

/* "5.2 s ago" for a time field, or "-". */
static const char *ago(const lns_ctl_print_t *p, json_t *o, const char *key, char *buf, size_t size)
{
	int64_t ms;
	if (!lns_ctl_time_parse(str(o, key), &ms))
		return "-";
	char age[32];
	lns_ctl_age(p->now_ms > ms ? p->now_ms - ms : 0, age, sizeof(age));
	snprintf(buf, size, "%s ago", age);
	return buf;
}

/* The strings of an array joined with ", " into buf; "" if none. */
static const char *join(json_t *arr, char *buf, size_t size)
{
	size_t o = 0;
	size_t i;
	json_t *v;
	buf[0] = '\0';
	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);
		if (!s)
			continue;
		int n = snprintf(buf + o, size - o, "%s%s", o ? ", " : "", s);
		if (n < 0 || (size_t)n >= size - o) {
			if (size > 4)
				memcpy(buf + size - 4, "...", 4);
			break;
		}
		o += (size_t)n;
	}
	return buf;
}

static json_t *array(json_t *doc, const char *key)
{
	json_t *a = json_object_get(doc, key);
	return json_is_array(a) ? a : NULL;
}

/* Writes a line with its fields cleaned of control characters. */
static void line(const lns_ctl_print_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(const lns_ctl_print_t *p, const char *fmt, ...)
{
	char raw[2048], clean[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	fprintf(p->out, "%s\n", lns_ctl_clean(raw, clean, sizeof(clean)));
}

/* ---- health ---- */

static const char *address(json_t *m, char *buf, size_t size)
{
	const char *addr = str(m, "address"), *host = str(m, "host");
	if (host)
		snprintf(buf, size, "%s (%s)", host, addr ? addr : "unresolved");
	else
		snprintf(buf, size, "%s", addr ? addr : "-");
	return buf;
}

static const char *rtt(json_t *m, char *buf, size_t size)
{
	double v;
	if (!num(m, "rtt_ms", &v))
		return "-";
	snprintf(buf, size, "%.2f ms", v);
	return buf;
}

static const char *interval(json_t *m, char *buf, size_t size)
{
	json_int_t v;
	if (!integer(m, "interval_ms", &v))
		return "-";
	snprintf(buf, size, "%" JSON_INTEGER_FORMAT " ms", v);
	return buf;
}

/* The probe's reason, and when a drain ends. */
static const char *reason(json_t *m, char *buf, size_t size)
{
	const char *r = str(m, "reason"), *until = str(m, "drained_until");
	if (flag(m, "drained") && until)
		snprintf(buf, size, "%s%sdrained until %s", r && *r ? r : "", r && *r ? "; " : "", until);
	else
		snprintf(buf, size, "%s", r && *r ? r : "-");
	return buf;
}

void lns_ctl_print_health(const lns_ctl_print_t *p, json_t *doc)
{
	static const char *const head[] = { "POOL", "MEMBER", "ADDRESS", "STATE", ">RTT", ">INTERVAL", "CHANGED",
		"REASON" };
	lns_ctl_table_t *t = lns_ctl_table_new(8, head);
	size_t i, j;
	json_t *pool, *m;
	json_array_foreach(array(doc, "pools"), i, pool) {
		json_array_foreach(array(pool, "members"), j, m) {
			char a[CELL], r[32], iv[32], ch[48], why[CELL];
			const char *row[] = { str(pool, "name"), str(m, "name"), address(m, a, sizeof(a)), str(m, "state"),
				rtt(m, r, sizeof(r)), interval(m, iv, sizeof(iv)), ago(p, m, "changed_at", ch, sizeof(ch)),
				reason(m, why, sizeof(why)) };
			lns_ctl_table_add(t, row);
		}
	}
	if (lns_ctl_table_rows(t))
		lns_ctl_table_print(t, p->out);
	else
		line(p, "no pools");
	lns_ctl_table_free(t);
}

/* ---- pools ---- */

/* What the pool answers now, and why when every member is down. */
static const char *answer(json_t *pool, char *buf, size_t size)
{
	char list[CELL];
	const char *mode = str(pool, "all_down_mode");
	join(array(pool, "answer"), list, sizeof(list));
	if (flag(pool, "all_down"))
		snprintf(buf, size, "%s (all down: %s)", list[0] ? list : "nothing", mode ? mode : "-");
	else
		snprintf(buf, size, "%s", list[0] ? list : "nothing");
	return buf;
}

/* The full table, or for status (brief) name, policy and answer only,
 * indented, without a header. */
static void pools_table(const lns_ctl_print_t *p, json_t *doc, bool brief)
{
	static const char *const head[] = { "POOL", "POLICY", ">TTL", ">MEMBERS", "ANSWER" };
	unsigned indent = brief ? 2 : 0;
	lns_ctl_table_t *t = lns_ctl_table_new(brief ? 3 : 5, brief ? NULL : head);
	lns_ctl_table_indent(t, indent);
	size_t i;
	json_t *pool;
	json_array_foreach(array(doc, "pools"), i, pool) {
		char ttl[24], n[24], a[CELL];
		const char *row[] = { str(pool, "name"), str(pool, "policy"), int_text(pool, "ttl", ttl, sizeof(ttl)),
			int_text(pool, "members", n, sizeof(n)), answer(pool, a, sizeof(a)) };
		if (brief)
			row[2] = row[4];
		lns_ctl_table_add(t, row);
	}
	if (lns_ctl_table_rows(t))
		lns_ctl_table_print(t, p->out);
	else
		line(p, "%*sno pools", (int)indent, "");
	lns_ctl_table_free(t);
}

void lns_ctl_print_pools(const lns_ctl_print_t *p, json_t *doc)
{
	pools_table(p, doc, false);
}

/* ---- master and nodes ---- */

void lns_ctl_print_master(const lns_ctl_print_t *p, json_t *doc)
{
	char term[24], seq[24], since[48], lease[48];
	const char *master = str(doc, "master"), *node = str(doc, "node"), *role = str(doc, "role");
	lns_ctl_table_t *t = lns_ctl_table_new(2, NULL);
	const char *rows[][2] = {
		{ "master:", master ? master : "none" },
		{ "term:", int_text(doc, "term", term, sizeof(term)) },
		{ "since:", ago(p, doc, "since", since, sizeof(since)) },
		{ "lease expires:", str(doc, "lease_expires") },
		{ "seq:", int_text(doc, "seq", seq, sizeof(seq)) },
		{ "stale:", flag(doc, "stale") ? "yes: this node lost the master's heartbeats" : "no" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		lns_ctl_table_add(t, rows[i]);
	snprintf(lease, sizeof(lease), "%s (%s%s)", node ? node : "-", role ? role : "-",
		json_is_false(json_object_get(doc, "clustered")) ? ", no cluster" : "");
	const char *asked[] = { "this node:", lease };
	lns_ctl_table_add(t, asked);
	lns_ctl_table_print(t, p->out);
	lns_ctl_table_free(t);
}

/* What is worth knowing about a node beside its role. */
static const char *notes(json_t *n, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s%s", flag(n, "self") ? "self, " : "",
		json_is_false(json_object_get(n, "reachable")) ? "unreachable, " : "",
		json_is_false(json_object_get(n, "config_match")) ? "config differs, " : "",
		flag(n, "suspect_vantage") ? "suspect vantage point, " : "");
	size_t len = strlen(buf);
	if (len >= 2)
		buf[len - 2] = '\0';
	return buf;
}

static const char *heartbeat(json_t *n, char *buf, size_t size)
{
	json_int_t ms;
	if (flag(n, "self") || !integer(n, "heartbeat_age_ms", &ms) || ms < 0)
		return "-";
	lns_ctl_age(ms, buf, size);
	return buf;
}

/* "name n, name n" of an object's counters that are not 0 into buf; its
 * length (0: nothing counted). */
static size_t nonzero_list(json_t *obj, char *buf, size_t size)
{
	size_t o = 0;
	const char *k;
	json_t *v;
	buf[0] = '\0';
	json_object_foreach(obj, k, v) {
		if (!json_is_integer(v) || json_integer_value(v) == 0)
			continue;
		int n = snprintf(buf + o, size - o, "%s%s %" JSON_INTEGER_FORMAT, o ? ", " : "", k,
			json_integer_value(v));
		if (n < 0 || (size_t)n >= size - o) {
			buf[o] = '\0';
			break;
		}
		o += (size_t)n;
	}
	return o;
}

static void dropped_line(const lns_ctl_print_t *p, json_t *dropped, const char *label)
{
	char buf[CELL];
	line(p, "%s%s", label, nonzero_list(dropped, buf, sizeof(buf)) ? buf : "none");
}

void lns_ctl_print_nodes(const lns_ctl_print_t *p, json_t *doc)
{
	static const char *const head[] = { "NODE", "ADDRESS", "ROLE", ">PRIORITY", ">TERM", ">HEARTBEAT", "NOTES" };
	lns_ctl_table_t *t = lns_ctl_table_new(7, head);
	size_t i;
	json_t *n;
	json_array_foreach(array(doc, "nodes"), i, n) {
		char prio[24], term[24], hb[32], no[128];
		const char *row[] = { str(n, "name"), str(n, "address"), str(n, "role"),
			int_text(n, "priority", prio, sizeof(prio)), int_text(n, "term", term, sizeof(term)),
			heartbeat(n, hb, sizeof(hb)), notes(n, no, sizeof(no)) };
		lns_ctl_table_add(t, row);
	}
	if (lns_ctl_table_rows(t))
		lns_ctl_table_print(t, p->out);
	else
		line(p, "no cluster: this node is its own master");
	lns_ctl_table_free(t);
	char el[24];
	line(p, "elections: %s", int_text(doc, "elections", el, sizeof(el)));
	dropped_line(p, json_object_get(doc, "dropped"), "dropped messages: ");
}

/* ---- stats ---- */

/* A two-column table of an object's counters that are not 0 (the daemon
 * lists the common RCODEs and types even when nothing was counted). */
static void counters(const lns_ctl_print_t *p, json_t *obj, const char *label, const char *count)
{
	const char *head[] = { label, count };
	lns_ctl_table_t *t = lns_ctl_table_new(2, head);
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) {
		char n[24];
		const char *row[] = { k, "-" };
		if (json_is_integer(v)) {
			if (json_integer_value(v) == 0)
				continue;
			snprintf(n, sizeof(n), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			row[1] = n;
		}
		lns_ctl_table_add(t, row);
	}
	if (lns_ctl_table_rows(t)) {
		fputc('\n', p->out);
		lns_ctl_table_print(t, p->out);
	}
	lns_ctl_table_free(t);
}

void lns_ctl_print_stats(const lns_ctl_print_t *p, json_t *doc)
{
	json_t *q = json_object_get(doc, "queries"), *pr = json_object_get(doc, "probes");
	json_t *cl = json_object_get(doc, "cluster"), *rl = json_object_get(doc, "reloads");
	char a[24], b[24], c[24], d[24], age[32];
	json_int_t up;
	if (integer(doc, "uptime_s", &up))
		lns_ctl_age((int64_t)up * 1000, age, sizeof(age));
	else
		snprintf(age, sizeof(age), "-");
	line(p, "uptime:     %s (generation %s)", age, int_text(doc, "generation", a, sizeof(a)));
	if (json_is_object(rl))
		line(p, "reloads:    %s ok, %s refused", int_text(rl, "ok", a, sizeof(a)), int_text(rl, "failed", b, sizeof(b)));
	line(p, "queries:    %s (udp %s, tcp %s, dropped %s)", int_text(q, "total", a, sizeof(a)),
		int_text(q, "udp", b, sizeof(b)), int_text(q, "tcp", c, sizeof(c)), int_text(q, "dropped", d, sizeof(d)));
	line(p, "probes:     %s sent, %s failed", int_text(pr, "sent", a, sizeof(a)), int_text(pr, "failed", b, sizeof(b)));
	/* the limits only when one was hit: {"rrl": {...}, "tcp": {...}} */
	json_t *lim = json_object_get(doc, "limits");
	char hit[CELL];
	if (nonzero_list(json_object_get(lim, "rrl"), hit, sizeof(hit)))
		line(p, "rate limit: %s", hit);
	if (nonzero_list(json_object_get(lim, "tcp"), hit, sizeof(hit)))
		line(p, "tcp limits: %s", hit);
	if (json_is_false(json_object_get(cl, "clustered"))) {
		line(p, "cluster:    none (this node is its own master)");
	} else if (json_is_object(cl)) {
		const char *m = str(cl, "master");
		line(p, "cluster:    master %s, term %s, elections %s", m ? m : "none", int_text(cl, "term", a, sizeof(a)),
			int_text(cl, "elections", b, sizeof(b)));
		line(p, "heartbeats: %s sent, %s missed", int_text(cl, "heartbeats_sent", a, sizeof(a)),
			int_text(cl, "heartbeats_missed", b, sizeof(b)));
		dropped_line(p, json_object_get(cl, "dropped"), "dropped:    ");
	}
	counters(p, json_object_get(q, "by_rcode"), "RCODE", ">QUERIES");
	counters(p, json_object_get(q, "by_type"), "TYPE", ">QUERIES");
	/* pools: {"name": {"answers": n}}, every pool even at 0 */
	lns_ctl_table_t *t = lns_ctl_table_new(2, (const char *const[]){ "POOL", ">ANSWERS" });
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(doc, "pools"), k, v) {
		const char *row[] = { k, int_text(v, "answers", a, sizeof(a)) };
		lns_ctl_table_add(t, row);
	}
	if (lns_ctl_table_rows(t)) {
		fputc('\n', p->out);
		lns_ctl_table_print(t, p->out);
	}
	lns_ctl_table_free(t);
}

/* ---- events ---- */

static const char *event_text(json_t *e, char *buf, size_t size)
{
	const char *kind = str(e, "kind");
	const char *pool = str(e, "pool"), *member = str(e, "member");
	char term[24];
	if (!kind)
		kind = "";
	if (strcmp(kind, "member") == 0) {
		const char *why = str(e, "reason");
		snprintf(buf, size, "%s/%s %s -> %s%s%s%s", pool ? pool : "-", member ? member : "-",
			str(e, "from") ? str(e, "from") : "-", str(e, "to") ? str(e, "to") : "-", why && *why ? " (" : "",
			why && *why ? why : "", why && *why ? ")" : "");
	} else if (strcmp(kind, "master") == 0) {
		const char *m = str(e, "master");
		snprintf(buf, size, "%s%s, term %s", m ? "master " : "no master", m ? m : "",
			int_text(e, "term", term, sizeof(term)));
	} else if (strcmp(kind, "reload") == 0) {
		const char *msg = str(e, "message");
		snprintf(buf, size, "%s%s%s", flag(e, "ok") ? "ok" : "refused", msg && *msg ? ": " : "",
			msg && *msg ? msg : "");
	} else if (strcmp(kind, "drain") == 0) {
		snprintf(buf, size, "%s/%s %s", pool ? pool : "-", member ? member : "-",
			flag(e, "drained") ? "drained" : "undrained");
	} else {
		/* A kind this levelnsctl does not know: show it all. */
		char *s = json_dumps(e, JSON_COMPACT);
		snprintf(buf, size, "%s", s ? s : "-");
		free(s);
	}
	return buf;
}

void lns_ctl_print_events(const lns_ctl_print_t *p, json_t *doc, bool header)
{
	static const char *const head[] = { ">SEQ", "TIME", "KIND", "EVENT" };
	lns_ctl_table_t *t = lns_ctl_table_new(4, head);
	size_t i;
	json_t *e;
	json_array_foreach(array(doc, "events"), i, e) {
		char seq[24], text[CELL];
		const char *row[] = { int_text(e, "seq", seq, sizeof(seq)), str(e, "time"), str(e, "kind"),
			event_text(e, text, sizeof(text)) };
		lns_ctl_table_add(t, row);
	}
	if (!header) {
		/* --follow: no header, so that the columns of later batches need
		 * not line up with the first ones; one line each. */
		json_array_foreach(array(doc, "events"), i, e) {
			char seq[24], text[CELL];
			const char *tm = str(e, "time"), *kind = str(e, "kind");
			line(p, "%s  %s  %-6s  %s", int_text(e, "seq", seq, sizeof(seq)), tm ? tm : "-", kind ? kind : "-",
				event_text(e, text, sizeof(text)));
		}
	} else if (lns_ctl_table_rows(t)) {
		lns_ctl_table_print(t, p->out);
	} else {
		line(p, "no events");
	}
	lns_ctl_table_free(t);
}

/* ---- answers to writes ---- */

void lns_ctl_print_drain(const lns_ctl_print_t *p, json_t *doc)
{
	const char *pool = str(doc, "pool"), *member = str(doc, "member"), *until = str(doc, "until");
	bool drained = flag(doc, "drained");
	line(p, "%s/%s %s%s%s", pool ? pool : "-", member ? member : "-", drained ? "drained" : "undrained",
		drained && until ? " until " : "", drained && until ? until : "");
}

void lns_ctl_print_election(const lns_ctl_print_t *p, json_t *doc)
{
	char term[24];
	const char *m = str(doc, "master");
	line(p, "master %s, term %s", m ? m : "none", int_text(doc, "term", term, sizeof(term)));
}

void lns_ctl_print_reload(const lns_ctl_print_t *p, json_t *doc)
{
	char g[24], z[24], pl[24];
	line(p, "reloaded: generation %s, %s zones, %s pools", int_text(doc, "generation", g, sizeof(g)),
		int_text(doc, "zones", z, sizeof(z)), int_text(doc, "pools", pl, sizeof(pl)));
}

/* ---- status ---- */

static void status_nodes(const lns_ctl_print_t *p, json_t *nodes)
{
	json_t *arr = array(nodes, "nodes");
	if (json_array_size(arr) < 2)
		return; /* no cluster: the master line says it all */
	line(p, "nodes:");
	lns_ctl_table_t *t = lns_ctl_table_new(3, NULL);
	lns_ctl_table_indent(t, 2);
	size_t i;
	json_t *n;
	json_array_foreach(arr, i, n) {
		char hb[32], what[160], no[128];
		const char *age = heartbeat(n, hb, sizeof(hb));
		notes(n, no, sizeof(no));
		if (strcmp(age, "-") != 0)
			snprintf(what, sizeof(what), "heartbeat %s ago%s%s", age, no[0] ? ", " : "", no);
		else
			snprintf(what, sizeof(what), "%s", no);
		const char *row[] = { str(n, "name"), str(n, "role"), what };
		lns_ctl_table_add(t, row);
	}
	lns_ctl_table_print(t, p->out);
	lns_ctl_table_free(t);
}

/* Members not up (down, unknown, drained), with why and since when. */
static void status_members(const lns_ctl_print_t *p, json_t *health)
{
	lns_ctl_table_t *t = lns_ctl_table_new(4, NULL);
	lns_ctl_table_indent(t, 2);
	unsigned total = 0, down = 0, drained = 0, other = 0;
	size_t i, j;
	json_t *pool, *m;
	json_array_foreach(array(health, "pools"), i, pool) {
		json_array_foreach(array(pool, "members"), j, m) {
			const char *state = str(m, "state");
			total++;
			if (state && strcmp(state, "up") == 0)
				continue;
			if (state && strcmp(state, "down") == 0)
				down++;
			else if (state && strcmp(state, "drained") == 0)
				drained++;
			else
				other++;
			char ch[48], why[CELL], who[CELL];
			snprintf(who, sizeof(who), "%s/%s", str(pool, "name") ? str(pool, "name") : "-",
				str(m, "name") ? str(m, "name") : "-");
			const char *row[] = { who, state, reason(m, why, sizeof(why)),
				ago(p, m, "changed_at", ch, sizeof(ch)) };
			if (strcmp(row[3], "-") == 0)
				row[3] = "";
			lns_ctl_table_add(t, row);
		}
	}
	if (!health)
		line(p, "members: -");
	else if (!lns_ctl_table_rows(t))
		line(p, "members: all members up (%u)", total);
	else {
		char parts[128];
		snprintf(parts, sizeof(parts), "%u down", down);
		if (drained)
			snprintf(parts + strlen(parts), sizeof(parts) - strlen(parts), ", %u drained", drained);
		if (other)
			snprintf(parts + strlen(parts), sizeof(parts) - strlen(parts), ", %u unknown", other);
		line(p, "members: %s of %u", parts, total);
		lns_ctl_table_print(t, p->out);
	}
	lns_ctl_table_free(t);
}

void lns_ctl_print_status(const lns_ctl_print_t *p, json_t *master, json_t *nodes, json_t *pools, json_t *health)
{
	char term[24];
	const char *m = str(master, "master"), *node = str(master, "node"), *role = str(master, "role");
	line(p, "master:  %s, term %s%s", m ? m : "none", int_text(master, "term", term, sizeof(term)),
		flag(master, "stale") ? " (stale: the master's heartbeats are not reaching this node)" : "");
	line(p, "node:    %s (%s%s)", node ? node : "-", role ? role : "-",
		json_is_false(json_object_get(master, "clustered")) ? ", no cluster" : "");
	status_nodes(p, nodes);
	line(p, "pools:");
	pools_table(p, pools, true);
	status_members(p, health);
}
