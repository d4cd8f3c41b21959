/*
 * web/ctl: levelnsctl's main: the options, the admin token, one command
 * over the HTTP API, and the exit code (LNS_CTL_*: 0 done, 1 the daemon
 * refused or answered nonsense, 2 usage, 3 the daemon could not be
 * reached). Errors go to stderr as "levelnsctl: ..."; the token is never
 * printed.
 */
#include "config.h"

#include "web/ctl.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_URL "http://127.0.0.1:8053"
/* The token levelnsd's packaged configuration points at: the configured
 * sysconfdir's first (/etc in the Debian package), else /etc's. */
#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define DEFAULT_TOKEN_FILE SYSCONFDIR "/levelns/token"
static const char *const default_token_files[] = { DEFAULT_TOKEN_FILE, "/etc/levelns/token" };
#define TOKEN_MAX 4096

typedef struct ctx {
	lns_ctl_conn_t conn;
	lns_ctl_print_t print;
	bool json;
	bool follow;
	const char *until;
	const char *since;
} ctx_t;

static void usage(FILE *out)
{
	fputs("usage: levelnsctl [-s URL] [--token-file FILE] [--json] [--timeout SECONDS] COMMAND\n"
	      "\n"
	      "commands:\n"
	      "  status                        master and term, nodes, pools and their answers, members down\n"
	      "  health                        every member of every pool: state, RTT, probe interval, reason\n"
	      "  pools                         every pool: policy, TTL, what it answers now\n"
	      "  master                        the master cache of the node asked\n"
	      "  nodes                         the cluster's nodes: role, term, heartbeat age\n"
	      "  stats                         query, probe and cluster counters\n"
	      "  events [--since SEQ] [-f]     recent state changes (-f: keep following)\n"
	      "  drain POOL MEMBER [--until T] take a member out of the answers (T: RFC 3339 time or 30m, 2h, 1d)\n"
	      "  undrain POOL MEMBER           put it back\n"
	      "  elect                         ask for the master, electing one if there is none\n"
	      "  reload                        reload the configuration and zones\n"
	      "\n"
	      "options:\n"
	      "  -s, --server URL      the admin API (default $LEVELNS_URL, else " DEFAULT_URL ")\n"
	      "  --token-file FILE     the admin token is its first line (default $LEVELNS_TOKEN_FILE,\n",
		out);
	fprintf(out, "                        else %s%s when readable)\n", DEFAULT_TOKEN_FILE,
		strcmp(DEFAULT_TOKEN_FILE, "/etc/levelns/token") != 0 ? " or /etc/levelns/token" : "");
	fputs("  -j, --json            print the daemon's JSON instead of tables\n"
	      "  --timeout SECONDS     give up after this long (default 10)\n"
	      "  -h, --help            this help;  -V, --version  the version\n"
	      "\n"
	      "exit status: 0 done, 1 the daemon refused, 2 usage error, 3 the daemon cannot be reached\n",
		out);
}

static int bad_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("levelnsctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'levelnsctl --help'.\n", stderr);
	return LNS_CTL_USAGE;
}

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the server's URL and the token ---- */

/* "host:port" gets "http://"; trailing slashes and "/api/v1" go. Returns
 * NULL (message printed) for another scheme. Caller frees. */
static char *base_url(const char *arg)
{
	char *s;
	if (!strstr(arg, "://")) {
		size_t n = strlen(arg) + sizeof("http://");
		s = lns_ctl_xrealloc(NULL, n);
		snprintf(s, n, "http://%s", arg);
	} else {
		s = lns_ctl_xstrdup(arg);
	}
	if (strncasecmp(s, "http://", 7) != 0 && strncasecmp(s, "https://", 8) != 0) {
		char clean[256];
		bad_usage("the server URL must be http:// or https://, not %s", lns_ctl_clean(arg, clean, sizeof(clean)));
		free(s);
		return NULL;
	}
	size_t n = strlen(s);
	for (;;) {
		if (n && s[n - 1] == '/')
			s[--n] = '\0';
		else if (n > 7 && strcmp(s + n - 7, "/api/v1") == 0)
			s[n -= 7] = '\0';
		else
			break;
	}
	return s;
}

/* The first line of file into *token (caller frees with explicit_bzero).
 * Returns 0, or -1 with the reason printed. */
static int read_token(const char *file, char **token)
{
	char clean[256];
	FILE *f = fopen(file, "r");
	if (!f) {
		fprintf(stderr, "levelnsctl: cannot read the token file %s: %s\n",
			lns_ctl_clean(file, clean, sizeof(clean)), strerror(errno));
		return -1;
	}
	char *buf = lns_ctl_xrealloc(NULL, TOKEN_MAX + 2);
	size_t n = fread(buf, 1, TOKEN_MAX + 1, f);
	bool err = ferror(f);
	fclose(f);
	buf[n] = '\0';
	const char *eol = memchr(buf, '\n', n);
	size_t len = eol ? (size_t)(eol - buf) : n;
	if (len && buf[len - 1] == '\r')
		len--;
	const char *why = NULL;
	if (err)
		why = "read error";
	else if (len > TOKEN_MAX)
		why = "its first line is longer than 4096 bytes";
	else if (len == 0)
		why = "its first line is empty";
	for (size_t i = 0; !why && i < len; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f) /* a NUL too */
			why = "its first line holds control characters";
	if (why) {
		fprintf(stderr, "levelnsctl: bad token file %s: %s\n", lns_ctl_clean(file, clean, sizeof(clean)), why);
		explicit_bzero(buf, TOKEN_MAX + 2);
		free(buf);
		return -1;
	}
	explicit_bzero(buf + len, TOKEN_MAX + 2 - len); /* ends the token */
	*token = buf;
	return 0;
}

/* --token-file, else $LEVELNS_TOKEN_FILE, else the default file when it
 * can be read; none of them is no token. Returns 0 or LNS_CTL_USAGE. */
static int find_token(const char *opt, char **token)
{
	const char *file = opt ? opt : getenv("LEVELNS_TOKEN_FILE");
	*token = NULL;
	if (file && *file)
		return read_token(file, token) ? LNS_CTL_USAGE : 0;
	for (size_t i = 0; i < sizeof(default_token_files) / sizeof(default_token_files[0]); i++)
		if (access(default_token_files[i], R_OK) == 0) {
			if (read_token(default_token_files[i], token) != 0)
				*token = NULL; /* said why; go on without */
			break;
		}
	return 0;
}

/* ---- requests ---- */

/* Sends the request; on a 2xx answer holding a JSON object, returns
 * LNS_CTL_OK with the reply in *r (caller frees). Otherwise prints why and
 * returns the exit code. */
static int call(const ctx_t *c, const char *method, const char *path, const char *body, lns_ctl_reply_t *r)
{
	int rc = lns_ctl_http(&c->conn, method, path, body, r);
	if (rc != LNS_CTL_OK)
		return rc;
	char clean[1024], where[512];
	if (r->status >= 200 && r->status < 300) {
		if (json_is_object(r->doc))
			return LNS_CTL_OK;
		fprintf(stderr, "levelnsctl: %s %s%s answered HTTP %ld with %s: %s\n", method,
			lns_ctl_clean(c->conn.base, where, sizeof(where)), path, r->status,
			r->doc ? "JSON that is not an object" : "malformed JSON", r->doc ? "" : r->jerr);
		lns_ctl_reply_free(r);
		return LNS_CTL_REFUSED;
	}
	const char *err = json_string_value(json_object_get(r->doc, "error"));
	if (err && r->status == 404 && strcmp(err, "not found") == 0) {
		/* no such endpoint: an older levelnsd? */
		fprintf(stderr, "levelnsctl: %s %s: not found (HTTP 404): this levelnsd does not have that endpoint\n",
			method, lns_ctl_clean(path, clean, sizeof(clean)));
	} else if (err) {
		fprintf(stderr, "levelnsctl: %s (HTTP %ld)\n", lns_ctl_clean(err, clean, sizeof(clean)), r->status);
	} else {
		/* Not levelnsd's error document: show the start of whatever it is. */
		char head[201];
		snprintf(head, sizeof(head), "%.*s", (int)strcspn(r->body, "\r\n"), r->body);
		fprintf(stderr, "levelnsctl: %s %s%s: HTTP %ld%s%s\n", method,
			lns_ctl_clean(c->conn.base, where, sizeof(where)), path, r->status, head[0] ? ": " : "",
			lns_ctl_clean(head, clean, sizeof(clean)));
	}
	if (r->status == 401 && !c->conn.token)
		fputs("levelnsctl: no token was sent: give --token-file FILE or set LEVELNS_TOKEN_FILE\n", stderr);
	lns_ctl_reply_free(r);
	return LNS_CTL_REFUSED;
}

/* The body as the daemon sent it, for --json. */
static void print_raw(const lns_ctl_reply_t *r)
{
	fwrite(r->body, 1, r->len, stdout);
	if (!r->len || r->body[r->len - 1] != '\n')
		fputc('\n', stdout);
}

typedef void (*printer_t)(const lns_ctl_print_t *, json_t *);

static int get(const ctx_t *c, const char *path, printer_t print)
{
	lns_ctl_reply_t r;
	int rc = call(c, "GET", path, NULL, &r);
	if (rc)
		return rc;
	if (c->json)
		print_raw(&r);
	else
		print(&c->print, r.doc);
	lns_ctl_reply_free(&r);
	return LNS_CTL_OK;
}

static int post(const ctx_t *c, const char *path, const char *body, printer_t print)
{
	lns_ctl_reply_t r;
	int rc = call(c, "POST", path, body, &r);
	if (rc)
		return rc;
	if (c->json)
		print_raw(&r);
	else
		print(&c->print, r.doc);
	lns_ctl_reply_free(&r);
	return LNS_CTL_OK;
}

/* ---- commands ---- */

static int cmd_status(const ctx_t *c, char **args)
{
	static const char *const what[] = { "master", "nodes", "pools", "health" };
	json_t *docs[4] = { NULL };
	int rc = LNS_CTL_OK;
	(void)args;
	for (int i = 0; i < 4 && rc == LNS_CTL_OK; i++) {
		char path[32];
		lns_ctl_reply_t r;
		snprintf(path, sizeof(path), "/api/v1/%s", what[i]);
		rc = call(c, "GET", path, NULL, &r);
		if (rc == LNS_CTL_OK) {
			docs[i] = json_incref(r.doc);
			lns_ctl_reply_free(&r);
		}
	}
	if (rc == LNS_CTL_OK && c->json) {
		json_t *all = json_object();
		for (int i = 0; i < 4; i++)
			json_object_set(all, what[i], docs[i]);
		json_dumpf(all, stdout, JSON_COMPACT | JSON_REAL_PRECISION(9));
		fputc('\n', stdout);
		json_decref(all);
	} else if (rc == LNS_CTL_OK) {
		lns_ctl_print_status(&c->print, docs[0], docs[1], docs[2], docs[3]);
	}
	for (int i = 0; i < 4; i++)
		json_decref(docs[i]);
	return rc;
}

static int cmd_events(const ctx_t *c, char **args)
{
	char path[64];
	json_int_t since = -1;
	bool first = true;
	(void)args;
	if (c->since) {
		char *end;
		errno = 0;
		long long v = strtoll(c->since, &end, 10);
		if (errno || *end || end == c->since || v < 0)
			return bad_usage("--since wants a sequence number (0 or more), not %s", c->since);
		since = v;
	}
	for (;;) {
		if (since >= 0)
			snprintf(path, sizeof(path), "/api/v1/events?since=%" JSON_INTEGER_FORMAT, since);
		else
			snprintf(path, sizeof(path), "/api/v1/events");
		lns_ctl_reply_t r;
		int rc = call(c, "GET", path, NULL, &r);
		if (rc)
			return rc;
		bool any = json_array_size(json_object_get(r.doc, "events")) > 0;
		if (c->json && (first || any))
			print_raw(&r);
		else if (!c->json && (first || any))
			lns_ctl_print_events(&c->print, r.doc, !c->follow);
		json_t *next = json_object_get(r.doc, "next");
		bool has_next = json_is_integer(next);
		if (has_next)
			since = json_integer_value(next);
		lns_ctl_reply_free(&r);
		if (!c->follow)
			return LNS_CTL_OK;
		if (!has_next) {
			fputs("levelnsctl: the events carry no \"next\": cannot follow\n", stderr);
			return LNS_CTL_REFUSED;
		}
		fflush(stdout);
		first = false;
		nanosleep(&(struct timespec){ .tv_sec = 1 }, NULL);
	}
}

/* /api/v1/members/POOL/MEMBER/ACTION with both names escaped. */
static char *member_path(const char *pool, const char *member, const char *action)
{
	char *p = lns_ctl_escape(pool), *m = lns_ctl_escape(member);
	size_t n = strlen(p) + strlen(m) + strlen(action) + sizeof("/api/v1/members///");
	char *path = lns_ctl_xrealloc(NULL, n);
	snprintf(path, n, "/api/v1/members/%s/%s/%s", p, m, action);
	free(p);
	free(m);
	return path;
}

static int cmd_drain(const ctx_t *c, char **args)
{
	char *body = NULL;
	if (c->until) {
		int64_t ms, d;
		char when[64];
		const char *until = c->until;
		if (lns_ctl_duration_parse(until, &d)) {
			lns_ctl_time_render(wall_ms() + d, when, sizeof(when));
			until = when;
		} else if (!lns_ctl_time_parse(until, &ms)) {
			char clean[128];
			return bad_usage("--until wants an RFC 3339 time (2026-11-28T20:00:00Z) or a duration "
					 "(30s, 10m, 2h, 1d), not %s", lns_ctl_clean(until, clean, sizeof(clean)));
		}
		json_t *doc = json_pack("{s:s}", "until", until);
		body = json_dumps(doc, JSON_COMPACT);
		json_decref(doc);
	}
	char *path = member_path(args[0], args[1], "drain");
	int rc = post(c, path, body, lns_ctl_print_drain);
	free(path);
	free(body);
	return rc;
}

static int cmd_undrain(const ctx_t *c, char **args)
{
	char *path = member_path(args[0], args[1], "undrain");
	int rc = post(c, path, NULL, lns_ctl_print_drain);
	free(path);
	return rc;
}

static int cmd_elect(const ctx_t *c, char **args)
{
	(void)args;
	return post(c, "/api/v1/election", NULL, lns_ctl_print_election);
}

static int cmd_reload(const ctx_t *c, char **args)
{
	(void)args;
	return post(c, "/api/v1/reload", NULL, lns_ctl_print_reload);
}

static const struct command {
	const char *name;
	int nargs;
	int (*run)(const ctx_t *, char **); /* NULL: GET path, shown by print */
	const char *args; /* for the usage message */
	const char *path;
	printer_t print;
} commands[] = {
	{ "status", 0, cmd_status, "", NULL, NULL },
	{ "health", 0, NULL, "", "/api/v1/health", lns_ctl_print_health },
	{ "pools", 0, NULL, "", "/api/v1/pools", lns_ctl_print_pools },
	{ "master", 0, NULL, "", "/api/v1/master", lns_ctl_print_master },
	{ "nodes", 0, NULL, "", "/api/v1/nodes", lns_ctl_print_nodes },
	{ "stats", 0, NULL, "", "/api/v1/stats", lns_ctl_print_stats },
	{ "events", 0, cmd_events, " [--since SEQ] [-f]", NULL, NULL },
	{ "drain", 2, cmd_drain, " POOL MEMBER [--until T]", NULL, NULL },
	{ "undrain", 2, cmd_undrain, " POOL MEMBER", NULL, NULL },
	{ "elect", 0, cmd_elect, "", NULL, NULL },
	{ "reload", 0, cmd_reload, "", NULL, NULL },
};

/* ---- main ---- */

enum { OPT_TOKEN_FILE = 256, OPT_TIMEOUT, OPT_UNTIL, OPT_SINCE };

static const struct option long_opts[] = {
	{ "server", required_argument, NULL, 's' },
	{ "token-file", required_argument, NULL, OPT_TOKEN_FILE },
	{ "json", no_argument, NULL, 'j' },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "follow", no_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int parse_timeout(const char *s, long *ms)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0.1 && v <= 3600))
		return bad_usage("--timeout wants seconds between 0.1 and 3600, not %s", s);
	*ms = (long)(v * 1000 + 0.5);
	return 0;
}

/* Options may come before or after the command (getopt permutes). */
static int run(int argc, char **argv)
{
	ctx_t c = { .conn.timeout_ms = 10000, .print.out = stdout };
	const char *server = NULL, *token_file = NULL;
	char clean[128];
	int opt;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":s:jfhV", long_opts, NULL)) != -1) {
		switch (opt) {
		case 's': server = optarg; break;
		case OPT_TOKEN_FILE: token_file = optarg; break;
		case 'j': c.json = true; break;
		case 'f': c.follow = true; break;
		case OPT_TIMEOUT:
			if (parse_timeout(optarg, &c.conn.timeout_ms))
				return LNS_CTL_USAGE;
			break;
		case OPT_UNTIL: c.until = optarg; break;
		case OPT_SINCE: c.since = optarg; break;
		case 'h': usage(stdout); return LNS_CTL_OK;
		case 'V': printf("levelnsctl %s\n", PACKAGE_VERSION); return LNS_CTL_OK;
		case ':':
			return bad_usage("%s needs an argument", lns_ctl_clean(argv[optind - 1], clean, sizeof(clean)));
		default:
			return bad_usage("unknown option %s", lns_ctl_clean(argv[optind - 1], clean, sizeof(clean)));
		}
	}
	if (optind >= argc)
		return bad_usage("no command given");
	const struct command *cmd = NULL;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			cmd = &commands[i];
	if (!cmd)
		return bad_usage("unknown command %s", lns_ctl_clean(argv[optind], clean, sizeof(clean)));
	if (argc - optind - 1 != cmd->nargs) {
		char want[96];
		snprintf(want, sizeof(want), "usage: levelnsctl %s%s", cmd->name, cmd->args);
		return bad_usage("%s", want);
	}
	if (c.until && cmd->run != cmd_drain)
		return bad_usage("--until goes with drain, not %s", cmd->name);
	if ((c.since || c.follow) && cmd->run != cmd_events)
		return bad_usage("--since and --follow go with events, not %s", cmd->name);

	if (!server)
		server = getenv("LEVELNS_URL");
	char *base = base_url(server && *server ? server : DEFAULT_URL);
	if (!base)
		return LNS_CTL_USAGE;
	char *token = NULL;
	int rc = find_token(token_file, &token);
	if (rc == LNS_CTL_OK) {
		c.conn.base = base;
		c.conn.token = token;
		c.print.now_ms = wall_ms();
		if (lns_ctl_http_init() != 0) {
			fputs("levelnsctl: cannot start libcurl\n", stderr);
			rc = LNS_CTL_REFUSED;
		} else {
			rc = cmd->run ? cmd->run(&c, argv + optind + 1) : get(&c, cmd->path, cmd->print);
			lns_ctl_http_cleanup();
		}
	}
	if (token) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
	free(base);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = run(argc, argv);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "levelnsctl: cannot write the output: %s\n", strerror(errno));
		return rc ? rc : LNS_CTL_REFUSED;
	}
	return rc;
}
