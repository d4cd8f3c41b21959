/*
 * web/ctl_http: levelnsctl's one request at a time, with libcurl's easy
 * interface. The answer body is capped at LNS_CTL_BODY_MAX and parsed as
 * JSON; redirects are not followed (the token would go with them), and
 * only http and https are spoken. Loopback is never sent through a proxy
 * the environment names.
 */
#include "config.h"

#include "web/ctl.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int lns_ctl_http_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void lns_ctl_http_cleanup(void)
{
	curl_global_cleanup();
}

typedef struct body {
	char *p;
	size_t len, cap;
	bool too_big;
} body_t;

static size_t on_data(char *data, size_t size, size_t nmemb, void *arg)
{
	body_t *b = arg;
	size_t n = size * nmemb;
	if (n > LNS_CTL_BODY_MAX - b->len) {
		b->too_big = true;
		return 0; /* ends the transfer with CURLE_WRITE_ERROR */
	}
	if (b->len + n + 1 > b->cap) {
		b->cap = b->len + n + 1 > 2 * b->cap ? b->len + n + 1 : 2 * b->cap;
		b->p = lns_ctl_xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return n;
}

char *lns_ctl_escape(const char *s)
{
	CURL *h = curl_easy_init();
	char *e = h ? curl_easy_escape(h, s, 0) : NULL;
	if (h)
		curl_easy_cleanup(h);
	if (!e) {
		fputs("levelnsctl: out of memory\n", stderr);
		exit(LNS_CTL_REFUSED);
	}
	char *out = lns_ctl_xstrdup(e);
	curl_free(e);
	return out;
}

/* The environment's no_proxy with loopback added (CURLOPT_NOPROXY replaces
 * it rather than adding to it). */
static char *no_proxy(void)
{
	static const char loop[] = "localhost,127.0.0.1,::1";
	const char *env = getenv("no_proxy");
	if (!env || !*env)
		env = getenv("NO_PROXY");
	if (env && strcmp(env, "*") == 0)
		return lns_ctl_xstrdup("*");
	size_t n = sizeof(loop) + (env ? strlen(env) + 1 : 0);
	char *s = lns_ctl_xrealloc(NULL, n);
	snprintf(s, n, "%s%s%s", loop, env && *env ? "," : "", env && *env ? env : "");
	return s;
}

/* Why the daemon could not be reached, in a few words. */
static void unreachable(const lns_ctl_conn_t *c, CURL *h, CURLcode rc, const char *errbuf)
{
	char base[512], why[CURL_ERROR_SIZE + 64];
	long os_errno = 0;
	curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(why, sizeof(why), "no answer within %ld.%03ld s", c->timeout_ms / 1000, c->timeout_ms % 1000);
	else if (os_errno > 0 && (rc == CURLE_COULDNT_CONNECT || rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR))
		snprintf(why, sizeof(why), "%s", strerror((int)os_errno));
	else
		snprintf(why, sizeof(why), "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
	size_t n = strlen(why);
	while (n && (why[n - 1] == '\n' || why[n - 1] == '.'))
		why[--n] = '\0';
	char clean[sizeof(why)];
	fprintf(stderr, "levelnsctl: cannot reach %s: %s\n", lns_ctl_clean(c->base, base, sizeof(base)),
		lns_ctl_clean(why, clean, sizeof(clean)));
}

int lns_ctl_http(const lns_ctl_conn_t *c, const char *method, const char *path, const char *body,
	lns_ctl_reply_t *out)
{
	memset(out, 0, sizeof(*out));
	CURL *h = curl_easy_init();
	if (!h) {
		fputs("levelnsctl: cannot start libcurl\n", stderr);
		return LNS_CTL_REFUSED;
	}
	size_t ulen = strlen(c->base) + strlen(path) + 1;
	char *url = lns_ctl_xrealloc(NULL, ulen);
	snprintf(url, ulen, "%s%s", c->base, path);
	char *np = no_proxy();
	char errbuf[CURL_ERROR_SIZE] = "";
	body_t b = { 0 };
	struct curl_slist *hdrs = curl_slist_append(NULL, "Accept: application/json");
	char *auth = NULL;
	if (c->token) {
		size_t n = strlen(c->token) + sizeof("Authorization: Bearer ");
		auth = lns_ctl_xrealloc(NULL, n);
		snprintf(auth, n, "Authorization: Bearer %s", c->token);
		hdrs = curl_slist_append(hdrs, auth);
	}
	if (body)
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");

	curl_easy_setopt(h, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_NOPROXY, np);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)LNS_CTL_BODY_MAX);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "levelnsctl/" PACKAGE_VERSION);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)(body ? strlen(body) : 0));
	}

	CURLcode rc = curl_easy_perform(h);
	int ret = LNS_CTL_OK;
	char base[512];
	if (rc == CURLE_FILESIZE_EXCEEDED || (rc == CURLE_WRITE_ERROR && b.too_big)) {
		fprintf(stderr, "levelnsctl: the answer from %s is larger than %u MiB\n",
			lns_ctl_clean(c->base, base, sizeof(base)), LNS_CTL_BODY_MAX >> 20);
		ret = LNS_CTL_REFUSED;
	} else if (rc == CURLE_WEIRD_SERVER_REPLY || rc == CURLE_UNSUPPORTED_PROTOCOL) {
		/* Something answered, but not in HTTP: not levelnsd. (The URL's
		 * scheme was checked before; an answer without a status line is
		 * HTTP/0.9, which libcurl refuses as an unsupported protocol.) */
		fprintf(stderr, "levelnsctl: %s did not answer in HTTP: %s\n", lns_ctl_clean(c->base, base, sizeof(base)),
			errbuf[0] ? errbuf : curl_easy_strerror(rc));
		ret = LNS_CTL_REFUSED;
	} else if (rc == CURLE_URL_MALFORMAT) {
		fprintf(stderr, "levelnsctl: bad server URL %s: %s\n", lns_ctl_clean(c->base, base, sizeof(base)),
			curl_easy_strerror(rc));
		ret = LNS_CTL_USAGE;
	} else if (rc != CURLE_OK) {
		unreachable(c, h, rc, errbuf);
		ret = LNS_CTL_UNREACHABLE;
	} else {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
		out->body = b.p ? b.p : lns_ctl_xstrdup("");
		out->len = b.len;
		b.p = NULL;
		json_error_t jerr;
		out->doc = json_loadb(out->body, out->len, 0, &jerr);
		if (!out->doc)
			snprintf(out->jerr, sizeof(out->jerr), "line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
	}

	curl_easy_cleanup(h);
	curl_slist_free_all(hdrs);
	if (auth) {
		explicit_bzero(auth, strlen(auth));
		free(auth);
	}
	free(b.p);
	free(np);
	free(url);
	return ret;
}

void lns_ctl_reply_free(lns_ctl_reply_t *r)
{
	json_decref(r->doc);
	free(r->body);
	memset(r, 0, sizeof(*r));
}
