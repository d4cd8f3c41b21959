/*
 * probe/drv_http: http, https and load probes through libcurl's multi
 * interface, driven by the env's libev loop: curl's socket callback keeps
 * one ev_io per socket, its timer callback one ev_timer, and both feed
 * curl_multi_socket_action. One easy handle per probe, never reused, so
 * every probe makes a fresh connection to exactly its member.
 *
 * A probe keeps at most LNS_PROBE_BODY_MAX bytes of body and aborts the
 * transfer beyond, so an endless body costs little and ends at once.
 */
#include "config.h"

#define LNS_PROBE_DRIVERS_INTERNAL
#include "probe/probe_drivers.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct http_sock {
	ev_io io;
	struct lns_probe_http_env *h;
	struct http_sock *prev, *next;
} http_sock_t;

struct lns_probe_http_env {
	struct ev_loop *loop;
	CURLM *multi;
	ev_timer timer;
	http_sock_t *socks;
};

typedef struct http_state {
	lns_probe_op_t *op;
	CURL *easy;
	struct curl_slist *headers;
	struct curl_slist *connect_to;
	char *url;
	bool load;
	long lo, hi;
	char *want_body;
	char *body;
	size_t len, cap;
	bool over;
	char errbuf[CURL_ERROR_SIZE];
} http_state_t;

/* ---- the multi handle on the loop ---- */

static void collect(struct lns_probe_http_env *h);

static void sock_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct lns_probe_http_env *h = ((http_sock_t *)w->data)->h;
	int action = (revents & EV_READ ? CURL_CSELECT_IN : 0) | (revents & EV_WRITE ? CURL_CSELECT_OUT : 0);
	int running;
	/* w may be freed inside (CURL_POLL_REMOVE): only h is used after. */
	curl_multi_socket_action(h->multi, w->fd, action, &running);
	collect(h);
}

static void multi_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct lns_probe_http_env *h = w->data;
	int running;
	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	collect(h);
}

static void sock_free(struct lns_probe_http_env *h, http_sock_t *s)
{
	ev_io_stop(h->loop, &s->io);
	if (s->prev)
		s->prev->next = s->next;
	else
		h->socks = s->next;
	if (s->next)
		s->next->prev = s->prev;
	free(s);
}

static int curl_sock_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct lns_probe_http_env *h = userp;
	http_sock_t *s = socketp;
	if (what == CURL_POLL_REMOVE) {
		if (s)
			sock_free(h, s);
		return 0;
	}
	int events = (what & CURL_POLL_IN ? EV_READ : 0) | (what & CURL_POLL_OUT ? EV_WRITE : 0);
	if (!s) {
		s = lns_xcalloc(1, sizeof(*s));
		s->h = h;
		s->next = h->socks;
		if (h->socks)
			h->socks->prev = s;
		h->socks = s;
		ev_io_init(&s->io, sock_io_cb, fd, events);
		s->io.data = s;
		curl_multi_assign(h->multi, fd, s);
	} else {
		ev_io_stop(h->loop, &s->io);
		ev_io_set(&s->io, fd, events);
	}
	ev_io_start(h->loop, &s->io);
	return 0;
}

/* curl asks to be called after timeout_ms (-1: never). Calling
 * curl_multi_socket_action from here is not allowed: the timer does it. */
static int curl_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct lns_probe_http_env *h = userp;
	ev_timer_stop(h->loop, &h->timer);
	if (timeout_ms >= 0) {
		ev_timer_set(&h->timer, timeout_ms / 1000.0, 0.);
		ev_timer_start(h->loop, &h->timer);
	}
	return 0;
}

int lns_probe_http_env_init(lns_probe_env_t *env, lns_err_t *err)
{
	struct lns_probe_http_env *h = lns_xcalloc(1, sizeof(*h));
	h->loop = env->loop;
	h->multi = curl_multi_init();
	if (!h->multi) {
		lns_err_set(err, NULL, 0, "probe: curl_multi_init failed");
		free(h);
		return -ENOMEM;
	}
	ev_timer_init(&h->timer, multi_timer_cb, 0., 0.);
	h->timer.data = h;
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, curl_sock_cb);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, curl_timer_cb);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	env->http = h;
	return 0;
}

void lns_probe_http_env_deinit(lns_probe_env_t *env)
{
	struct lns_probe_http_env *h = env->http;
	if (!h)
		return;
	curl_multi_cleanup(h->multi);
	ev_timer_stop(h->loop, &h->timer);
	while (h->socks)
		sock_free(h, h->socks);
	free(h);
	env->http = NULL;
}

/* ---- one transfer ---- */

static size_t write_cb(char *data, size_t size, size_t n, void *userp)
{
	http_state_t *st = userp;
	size_t len = size * n;
	if (len > LNS_PROBE_BODY_MAX - st->len) {
		st->over = true;
		return 0; /* not len: curl aborts with CURLE_WRITE_ERROR */
	}
	if (st->len + len > st->cap) {
		size_t cap = st->cap ? st->cap : 1024;
		while (cap < st->len + len)
			cap *= 2;
		if (cap > LNS_PROBE_BODY_MAX)
			cap = LNS_PROBE_BODY_MAX;
		st->body = lns_xrealloc(st->body, cap);
		st->cap = cap;
	}
	memcpy(st->body + st->len, data, len);
	st->len += len;
	return len;
}

void lns_probe_http_reason(int curl_code, long os_errno, const char *errbuf, unsigned timeout_ms, bool body_over,
	char *reason, size_t size)
{
	bool reset = os_errno == ECONNRESET || os_errno == EPIPE || (errbuf && strstr(errbuf, "reset by peer"));
	switch (curl_code) {
	case CURLE_OPERATION_TIMEDOUT: snprintf(reason, size, "timeout %u ms", timeout_ms); return;
	case CURLE_COULDNT_CONNECT:
		if (os_errno == ECONNREFUSED)
			snprintf(reason, size, "connection refused");
		else if (os_errno == 0)
			snprintf(reason, size, "connect failed");
		else
			snprintf(reason, size, "connect: %s", strerror((int)os_errno));
		return;
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
		if (body_over || curl_code == CURLE_FILESIZE_EXCEEDED) {
			snprintf(reason, size, "body over %d KiB", LNS_PROBE_BODY_MAX / 1024);
			return;
		}
		break;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		snprintf(reason, size, "%s", reset ? "connection reset"
			: curl_code == CURLE_RECV_ERROR ? "receive failed" : "send failed");
		return;
	case CURLE_GOT_NOTHING: snprintf(reason, size, "empty reply"); return;
	case CURLE_PARTIAL_FILE: snprintf(reason, size, "body cut short"); return;
	case CURLE_UNSUPPORTED_PROTOCOL: /* HTTP/0.9: no status line */
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_BAD_CONTENT_ENCODING: snprintf(reason, size, "bad response"); return;
	case CURLE_SSL_CONNECT_ERROR:
		snprintf(reason, size, "%s", reset ? "connection reset" : "tls handshake failed");
		return;
	case CURLE_PEER_FAILED_VERIFICATION: snprintf(reason, size, "tls certificate not trusted"); return;
	case CURLE_URL_MALFORMAT: snprintf(reason, size, "bad url"); return;
	default: break;
	}
	snprintf(reason, size, "%s", curl_easy_strerror((CURLcode)curl_code));
}

static void judge(http_state_t *st, CURLcode code)
{
	lns_probe_op_t *op = st->op;
	char reason[LNS_REASON_MAX];
	if (code != CURLE_OK) {
		long os_errno = 0;
		curl_easy_getinfo(st->easy, CURLINFO_OS_ERRNO, &os_errno);
		lns_probe_http_reason(code, os_errno, st->errbuf, op->timeout_ms, st->over, reason, sizeof(reason));
		lns_probe_op_finish(op, false, "%s", reason);
		return;
	}
	long status = 0;
	curl_easy_getinfo(st->easy, CURLINFO_RESPONSE_CODE, &status);
	if (status < st->lo || status > st->hi) {
		lns_probe_op_finish(op, false, "status %ld", status);
		return;
	}
	if (st->load) {
		int load;
		if (lns_probe_parse_load(st->body, st->len, &load) != 0) {
			lns_probe_op_finish(op, false, "bad load value");
			return;
		}
		op->result.load = load;
	} else if (st->want_body && !memmem(st->body ? st->body : "", st->len, st->want_body, strlen(st->want_body))) {
		lns_probe_op_finish(op, false, "body lacks '%.64s'", st->want_body);
		return;
	}
	lns_probe_op_finish(op, true, "ok");
}

static void collect(struct lns_probe_http_env *h)
{
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(h->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		CURLcode code = msg->data.result;
		lns_probe_op_t *op = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&op);
		if (op && op->drv_state) /* msg is gone once the handle is removed */
			judge(op->drv_state, code);
	}
}

/* A name that can stand as the host of a URL as it is. */
static bool is_plain_host(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' ||
			    *s == '.' || *s == '_'))
			return false;
	return true;
}

static char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *str_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = lns_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* The URL, and for https with a host name the CONNECT_TO entry that sends
 * the connection to the member while TLS (SNI, the certificate check)
 * sees the name. */
static void build_url(http_state_t *st, const lns_probe_target_t *t)
{
	const lns_probe_conf_t *c = t->conf;
	char ip[INET6_ADDRSTRLEN + 2], host[INET6_ADDRSTRLEN];
	const struct sockaddr_storage *ss = &t->addr.ss;
	const void *src = ss->ss_family == AF_INET ? (const void *)&((const struct sockaddr_in *)ss)->sin_addr
						    : (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr;
	if (!inet_ntop(ss->ss_family, src, host, sizeof(host)))
		snprintf(host, sizeof(host), "invalid");
	snprintf(ip, sizeof(ip), ss->ss_family == AF_INET6 ? "[%s]" : "%s", host);
	unsigned port = lns_addr_port(&t->addr);
	const char *path = c->path && *c->path ? c->path : "/";
	const char *slash = path[0] == '/' ? "" : "/";
	bool https = c->type == LNS_PROBE_HTTPS;
	const char *scheme = https ? "https" : "http";
	bool named = https && c->host && is_plain_host(c->host);
	st->url = str_printf("%s://%s:%u%s%s", scheme, named ? c->host : ip, port, slash, path);
	if (named) {
		char *entry = str_printf("::%s:%u", ip, port);
		st->connect_to = curl_slist_append(NULL, entry);
		free(entry);
	}
	if (c->host && *c->host) {
		char *hdr = str_printf("Host: %s", c->host);
		st->headers = curl_slist_append(NULL, hdr);
		free(hdr);
	}
}

static void http_start(lns_probe_op_t *op, const lns_probe_target_t *t)
{
	const lns_probe_conf_t *c = t->conf;
	http_state_t *st = lns_xcalloc(1, sizeof(*st));
	st->op = op;
	st->load = c->type == LNS_PROBE_LOAD;
	/* An unset range is the configuration's default, 200-399. */
	st->lo = st->load ? 200 : c->expect_hi ? c->expect_lo : 200;
	st->hi = st->load ? 299 : c->expect_hi ? c->expect_hi : 399;
	st->want_body = c->body && !st->load ? lns_xstrdup(c->body) : NULL;
	op->drv_state = st;
	build_url(st, t);

	CURL *e = st->easy = curl_easy_init();
	if (!e) {
		lns_probe_op_finish(op, false, "curl_easy_init failed");
		return;
	}
	curl_easy_setopt(e, CURLOPT_URL, st->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, op);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, st);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, st->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)op->timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)op->timeout_ms);
	curl_easy_setopt(e, CURLOPT_PROXY, "");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)LNS_PROBE_BODY_MAX);
	curl_easy_setopt(e, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION " probe");
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	if (st->headers)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, st->headers);
	if (st->connect_to)
		curl_easy_setopt(e, CURLOPT_CONNECT_TO, st->connect_to);
	if (c->type == LNS_PROBE_HTTPS) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, c->tls_verify ? 1L : 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, c->tls_verify ? 2L : 0L);
	}
	CURLMcode mc = curl_multi_add_handle(op->env->http->multi, e);
	if (mc != CURLM_OK)
		lns_probe_op_finish(op, false, "curl: %s", curl_multi_strerror(mc));
}

static void http_stop(lns_probe_op_t *op)
{
	http_state_t *st = op->drv_state;
	op->drv_state = NULL;
	if (st->easy) {
		/* Harmless when the handle was never added. */
		curl_multi_remove_handle(op->env->http->multi, st->easy);
		curl_easy_cleanup(st->easy);
	}
	curl_slist_free_all(st->headers);
	curl_slist_free_all(st->connect_to);
	free(st->url);
	free(st->want_body);
	free(st->body);
	free(st);
}

const lns_probe_driver_t lns_probe_http_driver = { "http", http_start, http_stop, NULL };

/* ---- load values ---- */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

int lns_probe_parse_load(const char *body, size_t len, int *load)
{
	if (!body)
		return -EINVAL;
	size_t i = 0, end = len;
	while (i < end && is_space(body[i]))
		i++;
	while (end > i && is_space(body[end - 1]))
		end--;
	/* Digits, optionally a point and more digits; no sign, exponent or
	 * hex, and no locale: done by hand. */
	double v = 0, scale = 1;
	unsigned digits = 0;
	bool point = false;
	for (; i < end; i++) {
		char ch = body[i];
		if (ch == '.' && !point) {
			point = true;
		} else if (ch >= '0' && ch <= '9') {
			digits++;
			if (point) {
				scale /= 10;
				v += (ch - '0') * scale;
			} else {
				v = v * 10 + (ch - '0');
			}
			if (v > 100)
				return -EINVAL;
		} else {
			return -EINVAL;
		}
	}
	if (digits == 0)
		return -EINVAL;
	*load = (int)(v + 0.5);
	return 0;
}
