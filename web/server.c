/*
 * web/server: the libmicrohttpd glue. One internal polling thread (epoll on
 * Linux) serves every connection; each request is routed and answered
 * from the current view. No endpoint takes a body yet: a request that
 * announces one is refused before any of it is read, and its connection
 * closed, so nothing but headers (LNS_WEB_MEMORY_LIMIT) is ever buffered.
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

#include "core/log.h"

#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct lns_web {
	struct MHD_Daemon *daemon;
	uint16_t port;
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

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Builds the document of ep from the current view: /health from the status
 * view (every health detail), /pools from the answer view (exactly what DNS
 * workers answer from). The tree copies what it needs, so the read side is
 * left before it is dumped. */
static json_t *endpoint_doc(enum lns_web_endpoint ep, int *status)
{
	bool once = reader_enter();
	const lns_view_t *v = ep == LNS_WEB_EP_HEALTH ? lns_view_status_read_begin() : lns_view_read_begin();
	json_t *doc = v ? lns_web_endpoint_json(ep, v, wall_ms()) : NULL;
	lns_view_read_end();
	if (once)
		lns_view_reader_unregister();
	if (!v) {
		*status = MHD_HTTP_SERVICE_UNAVAILABLE;
		return lns_web_error_json("no view published yet");
	}
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
	if (close)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	enum MHD_Result r = MHD_queue_response(conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
	const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	static int headers_seen;
	(void)cls, (void)version, (void)upload_data;
	bool body = has_body(conn);
	if (!*con_cls && !body) {
		/* Answer on the next call: a response queued on this first one
		 * makes libmicrohttpd 0.9.75 close the connection (it cannot know
		 * whether a body follows), and keep-alive would be lost. */
		*con_cls = &headers_seen;
		return MHD_YES;
	}
	if (*upload_data_size) {
		/* Not reached: a request with a body is answered on its first
		 * call, before any of the body is read. Drop it if it comes. */
		*upload_data_size = 0;
		return MHD_YES;
	}

	lns_web_route_t route;
	lns_web_route(method, url, body, &route);
	int status = route.status;
	json_t *doc = route.endpoint != LNS_WEB_EP_NONE ? endpoint_doc(route.endpoint, &status)
							: lns_web_error_json(route.error);
	/* The unread body would be taken for the next request: close. */
	return reply(conn, status, route.allow, body, doc);
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

int lns_web_start(const lns_addr_t *addr, lns_web_t **out, lns_err_t *err)
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
	pthread_mutex_init(&web->lock, NULL);
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	if (family == AF_INET6)
		flags |= MHD_USE_IPv6;
	errno = 0;
	web->daemon = MHD_start_daemon(flags, lns_addr_port(addr), NULL, NULL, on_request, web,
		MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&addr->ss,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)LNS_WEB_MAX_CONNECTIONS,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)LNS_WEB_TIMEOUT_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)LNS_WEB_MEMORY_LIMIT,
		MHD_OPTION_EXTERNAL_LOGGER, on_log, web,
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
