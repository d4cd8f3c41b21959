/*
 * web/server: the libmicrohttpd glue. One internal polling thread (epoll on
 * Linux) serves every connection; each request is routed and answered
 * from the current view, the daemon's counters (hooks.stats) and its events
 * (hooks.events). Only the writes take a body, at most LNS_WEB_BODY_MAX
 * bytes (413 beyond); any other request that announces one is refused
 * before any of it is read, and its connection closed. Writes need the
 * token; reads need it with http.read_auth; the dashboard's files never.
 * Past LNS_WEB_MAX_CONNECTIONS open connections a request is answered 503
 * (and LNS_WEB_SPARE_CONNECTIONS later, libmicrohttpd refuses them).
 *
 * View readers: liburcu (memb) keeps registered threads in a list that
 * points into their thread-local storage, so a thread must unregister before
 * it exits or the next grace period reads freed memory. libmicrohttpd has no
 * thread start/exit hooks, so the serving thread registers lazily on its
 * first request and a pthread key destructor, which runs on that thread as
 * it exits (MHD_stop_daemon joins it), unregisters it.
 */
#include "config.h"

#include "web/web.h"
#include "web/web_int.h"
#include "web/assets.h"

#include "core/log.h"

#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lns_web {
	struct MHD_Daemon *daemon;
	lns_web_hooks_t hooks;
	bool has_hooks;
	uint16_t port;
	_Atomic unsigned connections; /* open now; past LNS_WEB_MAX_CONNECTIONS answered 503 */
	pthread_mutex_t lock;   /* guards msg and running */
	bool running;           /* started: log, instead of keeping for the error */
	char msg[256];          /* libmicrohttpd's last complaint while starting */
};

/* ---- view reader registration of the serving thread ---- */

static pthread_once_t reader_once = PTHREAD_ONCE_INIT;
static pthread_key_t reader_key;
static bool reader_key_ok;
static __thread bool reader_registered;

static void reader_exit(void *unused)
{
	(void)unused;
	lns_view_reader_unregister();
	reader_registered = false;
}

static void reader_key_create(void)
{
	reader_key_ok = pthread_key_create(&reader_key, reader_exit) == 0;
}

/* Registers the calling thread once; returns true when the caller must
 * unregister it itself after reading (no key to do it at thread exit). */
static bool reader_enter(void)
{
	if (reader_registered)
		return false;
	pthread_once(&reader_once, reader_key_create);
	lns_view_reader_register();
	if (reader_key_ok && pthread_setspecific(reader_key, &reader_registered) == 0) {
		reader_registered = true;
		return false;
	}
	return true;
}

/* ---- requests ---- */

/* Builds the document of ep from the current view: /health from the status
 * view (every health detail), /pools from the answer view (exactly what DNS
 * workers answer from), /stats from the status view (its generation's
 * counters and the cluster) and the daemon's counters. The tree copies
 * what it needs, so the read side is left before it is dumped. */
static json_t *endpoint_doc(lns_web_t *web, enum lns_web_endpoint ep, int *status)
{
	lns_stats_t st;
	bool has_stats = ep == LNS_WEB_EP_STATS && web->has_hooks && web->hooks.stats;
	if (has_stats)
		web->hooks.stats(web->hooks.arg, &st);
	bool once = reader_enter();
	const lns_view_t *v = ep == LNS_WEB_EP_POOLS ? lns_view_read_begin() : lns_view_status_read_begin();
	json_t *doc = NULL;
	if (v && ep == LNS_WEB_EP_STATS)
		doc = lns_web_stats_json(v, has_stats ? &st : NULL, lns_wall_ms());
	else if (v)
		doc = lns_web_endpoint_json(ep, v, lns_wall_ms());
	lns_view_read_end();
	if (once)
		lns_view_reader_unregister();
	if (!v) {
		*status = MHD_HTTP_SERVICE_UNAVAILABLE;
		return lns_web_error_json("no view published yet");
	}
	return doc;
}

/* GET /api/v1/events[?since=SEQ] */
static json_t *events_doc(lns_web_t *web, struct MHD_Connection *conn, int *status)
{
	uint64_t since, next, oldest;
	if (!lns_web_since_parse(MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "since"), &since)) {
		*status = MHD_HTTP_BAD_REQUEST;
		return lns_web_error_json("since must be an event sequence number (0 or more), as \"next\" gave it");
	}
	lns_event_t *ev = lns_xmalloc(LNS_EVENTS_KEPT * sizeof(*ev));
	size_t n = lns_events_read(web->has_hooks ? web->hooks.events : NULL, since, ev, LNS_EVENTS_KEPT, &next, &oldest);
	json_t *doc = lns_web_events_json(ev, n, next, oldest, lns_wall_ms());
	free(ev);
	return doc;
}

static bool has_body(struct MHD_Connection *conn)
{
	const char *te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	return te || (cl && strcmp(cl, "0") != 0);
}

static enum MHD_Result reply(struct MHD_Connection *conn, int status, const char *allow, bool close, json_t *doc)
{
	size_t len = 0;
	char *body = lns_web_dump(doc, &len);
	json_decref(doc);
	if (!body) {
		static const char oom[] = "{\"error\":\"out of memory\"}\n";
		body = lns_xstrdup(oom);
		len = sizeof(oom) - 1;
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"levelns\"");
	if (close)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	enum MHD_Result r = MHD_queue_response(conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return r;
}

/* GET /metrics: the status view (health, cluster) and the counters. */
static enum MHD_Result reply_metrics(lns_web_t *web, struct MHD_Connection *conn)
{
	lns_stats_t st;
	bool has_stats = web->has_hooks && web->hooks.stats;
	if (has_stats)
		web->hooks.stats(web->hooks.arg, &st);
	size_t len = 0;
	bool once = reader_enter();
	const lns_view_t *v = lns_view_status_read_begin();
	char *text = v ? lns_web_metrics_render(v, has_stats ? &st : NULL, lns_wall_ms(), &len) : NULL;
	lns_view_read_end();
	if (once)
		lns_view_reader_unregister();
	if (!text)
		return reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, NULL, false, lns_web_error_json("no view published yet"));
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, LNS_WEB_METRICS_TYPE);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	enum MHD_Result r = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return r;
}

/* The dashboard's files: every path outside /api/ and /metrics. */
static bool is_asset_path(const char *url)
{
	return url && strncmp(url, "/api/", 5) != 0 && strcmp(url, "/api") != 0 && strcmp(url, "/metrics") != 0;
}

static enum MHD_Result reply_asset(struct MHD_Connection *conn, const char *url)
{
	const lns_web_asset_t *a = lns_web_asset_find(url);
	if (!a)
		return reply(conn, MHD_HTTP_NOT_FOUND, NULL, false, lns_web_error_json("not found"));
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(a->len, (void *)a->data, MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, a->type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	MHD_add_response_header(resp, "Content-Security-Policy",
		"default-src 'self'; img-src 'self' data:; style-src 'self'");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	enum MHD_Result r = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return r;
}

/* The connection state of a request that takes no body, once seen. */
static int headers_seen;

/* A write in progress: its route and body. */
typedef struct write_req {
	lns_web_route_t route;
	size_t len;
	bool too_big;
	char body[LNS_WEB_BODY_MAX];
} write_req_t;

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls, (void)conn, (void)toe;
	if (*con_cls && *con_cls != &headers_seen)
		free(*con_cls);
	*con_cls = NULL;
}

/* The configured token, from the current configuration (it may change on
 * reload): copied out of the read section; *read_auth (when not NULL)
 * tells whether reads need it too. */
static bool current_token(char *out, size_t size, bool *read_auth)
{
	bool once = reader_enter();
	const lns_view_t *v = lns_view_read_begin();
	bool has = v && v->config->http_token;
	if (has)
		snprintf(out, size, "%s", v->config->http_token);
	if (read_auth)
		*read_auth = v && v->config->http_read_auth;
	lns_view_read_end();
	if (once)
		lns_view_reader_unregister();
	return has;
}

/* With http.read_auth, a read needs the token: NULL when allowed, else the
 * error (status in *status). */
static json_t *check_read(struct MHD_Connection *conn, int *status)
{
	char token[1024];
	bool read_auth = false;
	bool has = current_token(token, sizeof(token), &read_auth);
	int denied = 0;
	if (read_auth) {
		const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
		denied = lns_web_authorize(has ? token : NULL, auth);
	}
	explicit_bzero(token, sizeof(token));
	if (!denied)
		return NULL;
	*status = MHD_HTTP_UNAUTHORIZED;
	return lns_web_error_json("reads need \"Authorization: Bearer <token>\" with the token of http.token_file "
				  "(http.read_auth is on)");
}

/* POST /api/v1/reload: 200 with what is served now, 409 when the files
 * are refused (the previous configuration keeps serving). */
static json_t *do_reload(lns_web_t *web, int *status)
{
	if (!web->has_hooks || !web->hooks.reload) {
		*status = MHD_HTTP_SERVICE_UNAVAILABLE;
		return lns_web_error_json("reloads are not available");
	}
	lns_web_reload_t r;
	memset(&r, 0, sizeof(r));
	int rc = web->hooks.reload(web->hooks.arg, &r);
	if (rc == 0) {
		*status = MHD_HTTP_OK;
		return json_pack("{s:b, s:I, s:I, s:I}", "reloaded", 1, "generation", (json_int_t)r.generation, "zones",
			(json_int_t)r.zones, "pools", (json_int_t)r.pools);
	}
	*status = rc == -EINVAL ? MHD_HTTP_CONFLICT : MHD_HTTP_SERVICE_UNAVAILABLE;
	return lns_web_error_json(r.msg[0] ? r.msg : "reload failed");
}

static json_t *do_write(lns_web_t *web, struct MHD_Connection *conn, const char *url, write_req_t *req, int *status)
{
	char token[1024], msg[256], pool[256], member[256];
	const char *action;
	if (req->too_big) {
		*status = MHD_HTTP_CONTENT_TOO_LARGE;
		return lns_web_error_json("the body is larger than 4096 bytes");
	}
	const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	int denied = lns_web_authorize(current_token(token, sizeof(token), NULL) ? token : NULL, auth);
	explicit_bzero(token, sizeof(token));
	if (denied == 403) {
		*status = MHD_HTTP_FORBIDDEN;
		return lns_web_error_json("writes are disabled: set http.token_file to a file whose first line is the admin "
					  "token, and send it as \"Authorization: Bearer <token>\"");
	}
	if (denied) {
		*status = MHD_HTTP_UNAUTHORIZED;
		return lns_web_error_json(auth ? "the token does not match: send \"Authorization: Bearer <token>\" with the "
						 "first line of http.token_file"
					       : "a valid \"Authorization: Bearer <token>\" header is needed");
	}
	if (req->route.endpoint == LNS_WEB_EP_RELOAD)
		return do_reload(web, status);
	if (req->route.endpoint == LNS_WEB_EP_ELECTION) {
		char master[64];
		uint64_t term = 0;
		if (!web->has_hooks || !web->hooks.election) {
			*status = MHD_HTTP_SERVICE_UNAVAILABLE;
			return lns_web_error_json("elections are not available");
		}
		if (!web->hooks.election(web->hooks.arg, master, sizeof(master), &term, msg, sizeof(msg))) {
			*status = MHD_HTTP_SERVICE_UNAVAILABLE;
			return lns_web_error_json(msg[0] ? msg : "no master could be elected");
		}
		*status = MHD_HTTP_OK;
		return json_pack("{s:s, s:I}", "master", master, "term", (json_int_t)term);
	}
	if (!lns_web_member_path(url, pool, member, sizeof(pool), &action)) {
		*status = MHD_HTTP_NOT_FOUND;
		return lns_web_error_json("not found");
	}
	int64_t until = 0;
	bool drain = req->route.endpoint == LNS_WEB_EP_DRAIN;
	if (drain && (*status = lns_web_drain_body(req->body, req->len, lns_wall_ms(), &until, msg, sizeof(msg))) != 0)
		return lns_web_error_json(msg);
	if (!drain && req->len) {
		*status = MHD_HTTP_BAD_REQUEST;
		return lns_web_error_json("undrain takes no body");
	}
	if (!web->has_hooks) {
		*status = MHD_HTTP_SERVICE_UNAVAILABLE;
		return lns_web_error_json("writes are not available");
	}
	msg[0] = '\0';
	int rc = web->hooks.drain(web->hooks.arg, pool, member, drain, until, msg, sizeof(msg));
	if (rc != 0) {
		*status = rc == -ENOENT ? MHD_HTTP_NOT_FOUND : MHD_HTTP_SERVICE_UNAVAILABLE;
		return lns_web_error_json(msg[0] ? msg : "failed");
	}
	*status = MHD_HTTP_OK;
	json_t *doc = json_pack("{s:s, s:s, s:b}", "pool", pool, "member", member, "drained", drain);
	char when[LNS_WEB_TIME_MAX];
	json_object_set_new(doc, "until", until && lns_web_time_render(until, when, sizeof(when)) ? json_string(when) : json_null());
	return doc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
	const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	lns_web_t *web = cls;
	(void)version;
	bool body = has_body(conn);
	if (!*con_cls) {
		lns_web_route_t route;
		lns_web_route(method, url, body, &route);
		if (atomic_load(&web->connections) > LNS_WEB_MAX_CONNECTIONS) {
			char msg[96];
			snprintf(msg, sizeof(msg), "too many connections (at most %d): try again later", LNS_WEB_MAX_CONNECTIONS);
			return reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, NULL, true, lns_web_error_json(msg));
		}
		if (lns_web_endpoint_is_write(route.endpoint)) {
			write_req_t *req = lns_xcalloc(1, sizeof(*req));
			req->route = route;
			*con_cls = req;
			return MHD_YES;
		}
		if (!body) {
			/* Answer on the next call: a response queued on this first one
			 * makes libmicrohttpd 0.9.75 close the connection (it cannot
			 * know whether a body follows), and keep-alive would be lost. */
			*con_cls = &headers_seen;
			return MHD_YES;
		}
	}
	if (*con_cls && *con_cls != &headers_seen) {
		write_req_t *req = *con_cls;
		if (*upload_data_size) {
			if (req->len + *upload_data_size > sizeof(req->body))
				req->too_big = true;
			else
				memcpy(req->body + req->len, upload_data, *upload_data_size);
			req->len += req->too_big ? 0 : *upload_data_size;
			*upload_data_size = 0;
			return MHD_YES;
		}
		int status;
		json_t *doc = do_write(web, conn, url, req, &status);
		return reply(conn, status, NULL, req->too_big, doc);
	}
	if (*upload_data_size) {
		/* Not reached: a request with a body is answered on its first
		 * call, before any of the body is read. Drop it if it comes. */
		*upload_data_size = 0;
		return MHD_YES;
	}

	if (!body && is_asset_path(url) && (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0))
		return reply_asset(conn, url);

	lns_web_route_t route;
	lns_web_route(method, url, body, &route);
	int status = route.status;
	json_t *doc = route.endpoint == LNS_WEB_EP_NONE ? lns_web_error_json(route.error) : check_read(conn, &status);
	if (!doc && route.endpoint == LNS_WEB_EP_METRICS)
		return reply_metrics(web, conn);
	if (!doc && route.endpoint == LNS_WEB_EP_EVENTS)
		doc = events_doc(web, conn, &status);
	else if (!doc)
		doc = endpoint_doc(web, route.endpoint, &status);
	/* The unread body would be taken for the next request: close. */
	return reply(conn, status, route.allow, body, doc);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
	enum MHD_ConnectionNotificationCode toe)
{
	lns_web_t *web = cls;
	(void)conn, (void)socket_context;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		atomic_fetch_add(&web->connections, 1);
	else if (toe == MHD_CONNECTION_NOTIFY_CLOSED)
		atomic_fetch_sub(&web->connections, 1);
}

/* ---- libmicrohttpd's messages ---- */

static lns_ratelimit_t mhd_log_rl;

static void on_log(void *cls, const char *fmt, va_list ap)
{
	lns_web_t *web = cls;
	char msg[sizeof(web->msg)];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '.' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	pthread_mutex_lock(&web->lock);
	bool running = web->running;
	if (!running)
		memcpy(web->msg, msg, sizeof(msg));
	pthread_mutex_unlock(&web->lock);
	if (running)
		lns_log_limited(&mhd_log_rl, 5, LNS_LOG_WARNING, "http: %s", msg);
}

/* ---- start and stop ---- */

int lns_web_start(const lns_addr_t *addr, const lns_web_hooks_t *hooks, lns_web_t **out, lns_err_t *err)
{
	char where[64];
	*out = NULL;
	lns_addr_render(addr, where, sizeof(where));
	int family = addr->ss.ss_family;
	if (family != AF_INET && family != AF_INET6) {
		lns_err_set(err, NULL, 0, "http: cannot listen on %s: not an IP address", where);
		return -EAFNOSUPPORT;
	}

	lns_web_t *web = lns_xcalloc(1, sizeof(*web));
	if (hooks) {
		web->hooks = *hooks;
		web->has_hooks = true;
	}
	pthread_mutex_init(&web->lock, NULL);
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	if (family == AF_INET6)
		flags |= MHD_USE_IPv6;
	errno = 0;
	web->daemon = MHD_start_daemon(flags, lns_addr_port(addr), NULL, NULL, on_request, web,
		MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&addr->ss,
		/* Past LNS_WEB_MAX_CONNECTIONS a few more are let in to hear why. */
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)(LNS_WEB_MAX_CONNECTIONS + LNS_WEB_SPARE_CONNECTIONS),
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, web,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)LNS_WEB_TIMEOUT_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)LNS_WEB_MEMORY_LIMIT,
		MHD_OPTION_EXTERNAL_LOGGER, on_log, web,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_END);
	if (!web->daemon) {
		int rc = errno > 0 ? -errno : -EIO;
		lns_err_set(err, NULL, 0, "http: cannot listen on %s: %s", where,
			web->msg[0] ? web->msg : lns_strerror(rc));
		pthread_mutex_destroy(&web->lock);
		free(web);
		return rc;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(web->daemon, MHD_DAEMON_INFO_BIND_PORT);
	web->port = info ? info->port : lns_addr_port(addr);
	lns_addr_t bound = *addr;
	lns_addr_set_port(&bound, web->port);
	lns_info("http: admin API on %s", lns_addr_render(&bound, where, sizeof(where)));
	pthread_mutex_lock(&web->lock);
	web->running = true;
	pthread_mutex_unlock(&web->lock);
	*out = web;
	return 0;
}

void lns_web_stop(lns_web_t *web)
{
	if (!web)
		return;
	MHD_stop_daemon(web->daemon);
	pthread_mutex_destroy(&web->lock);
	free(web);
}

uint16_t lns_web_port(const lns_web_t *web)
{
	return web->port;
}
