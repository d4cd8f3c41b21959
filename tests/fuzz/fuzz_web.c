/*
 * fuzz_web: one input is one HTTP request to the admin API, as
 * libmicrohttpd hands it to web/server.c, in four lines and a body:
 *
 *   METHOD\n PATH\n AUTHORIZATION\n SINCE\n BODY
 *
 * PATH is decoded and without its query string; AUTHORIZATION is the
 * header's value (empty line: no header); SINCE the value of the ?since=
 * argument (empty line: none); BODY the rest, bytes as sent. It goes
 * through what server.c does with them: lns_web_route, lns_web_member_path
 * (with roomy and tight buffers), lns_web_authorize (a token configured or
 * not), lns_web_drain_body (the body without a terminating NUL, as
 * uploaded), lns_web_since_parse, and lns_web_time_parse on the body, whose
 * result must render back to the same time (lns_web_time_render). Paths are
 * echoed in JSON through lns_web_string and lns_web_clean. The contracts
 * of web_int.h are checked; a violation aborts.
 *
 * Corpus: tests/fuzz/corpus/web/, the API's requests (every endpoint,
 * drains with and without bodies, bad methods, tokens, times).
 */
#include "config.h"

#include "tests/fuzz/fuzz.h"
#include "web/web_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TOKEN "fuzz-admin-token-0123456789"
#define NOW_MS 1764355201123LL /* 2025-11-28T18:40:01.123Z */

static void fail(const char *what)
{
	fprintf(stderr, "fuzz: web: %s\n", what);
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_log_init();
	return 0;
}

/* The next line of data at *off, NUL-terminated (caller frees). */
static char *line(const uint8_t *data, size_t size, size_t *off)
{
	size_t start = *off, end = start;
	while (end < size && data[end] != '\n')
		end++;
	*off = end < size ? end + 1 : end;
	return fuzz_strndup(data + start, end - start);
}

static void check_route(const char *method, const char *path, bool has_body)
{
	lns_web_route_t r;
	memset(&r, 0xa5, sizeof(r));
	lns_web_route(method, path, has_body, &r);
	if (r.status == 200 ? r.endpoint == LNS_WEB_EP_NONE || r.error : r.endpoint != LNS_WEB_EP_NONE || !r.error)
		fail("route: status, endpoint and error disagree");
	if (r.status != 200 && r.status != 400 && r.status != 404 && r.status != 405)
		fail("route: a status outside 200, 400, 404, 405");
	if ((r.status == 405) != (r.allow != NULL))
		fail("route: Allow is set exactly for 405");
	if (r.error)
		(void)strlen(r.error);
	if (r.allow)
		(void)strlen(r.allow);
}

static void check_member_path(const char *path, size_t size)
{
	char *pool = malloc(size), *member = malloc(size);
	const char *action = NULL;
	if (lns_web_member_path(path, pool, member, size, &action)) {
		if (strlen(pool) >= size || strlen(member) >= size || !action || !strstr(path, action))
			fail("member_path: parts overrun their buffers or action lies outside the path");
	}
	free(pool);
	free(member);
}

static void check_authorize(const char *auth)
{
	int with = lns_web_authorize(TOKEN, auth), without = lns_web_authorize(NULL, auth);
	if (with != 0 && with != 401)
		fail("authorize: with a token, neither 0 nor 401");
	if (without != 403)
		fail("authorize: without a token configured, not 403");
	if (with == 0 && (!auth || strncasecmp(auth, "Bearer ", 7) != 0 || strcmp(auth + 7, TOKEN) != 0))
		fail("authorize: allowed a header that is not the token");
}

static void check_time(const char *text)
{
	int64_t ms;
	char buf[LNS_WEB_TIME_MAX];
	if (!lns_web_time_parse(text, &ms))
		return;
	if (!lns_web_time_render(ms, buf, sizeof(buf)))
		return; /* outside 1970-9999: nothing to compare */
	int64_t back;
	if (!lns_web_time_parse(buf, &back) || back != ms) {
		fprintf(stderr, "fuzz: web: \"%s\" parses to %lld, renders as \"%s\", which parses to %lld\n", text,
			(long long)ms, buf, (long long)back);
		abort();
	}
}

static void check_body(const uint8_t *body, size_t len)
{
	/* As uploaded: a heap block without a NUL, so ASan sees a read past it. */
	char *copy = malloc(len ? len : 1);
	memcpy(copy, body, len);
	int64_t until = -1;
	char err[128] = "";
	int rc = lns_web_drain_body(len ? copy : NULL, len, NOW_MS, &until, err, sizeof(err));
	if (rc == 0 && (until != 0 && until <= NOW_MS))
		fail("drain_body: accepted an until that is not after now");
	if (rc != 0 && (rc != 400 || !err[0]))
		fail("drain_body: a refusal that is not 400 with a reason");
	if (len == 0 && (rc != 0 || until != 0))
		fail("drain_body: an empty body is not 'no until'");
	free(copy);
	char *text = fuzz_strndup(body, len);
	check_time(text);
	free(text);
}

static void check_strings(const char *s)
{
	json_t *doc = lns_web_error_json("x");
	json_t *j = lns_web_string(s, 256);
	if (!doc || !j || json_object_set_new(doc, "path", j) != 0)
		fail("string: not a JSON string");
	char *dumped = lns_web_dump(doc, NULL);
	if (!dumped)
		fail("string: not dumped as JSON");
	free(dumped);
	json_decref(doc);
	free(lns_web_clean(s, 256));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;
	char *method = line(data, size, &off);
	char *path = line(data, size, &off);
	char *auth = line(data, size, &off);
	char *since = line(data, size, &off);
	const uint8_t *body = data + off;
	size_t body_len = size - off;

	check_route(method, path, body_len > 0);
	check_member_path(path, 256);
	check_member_path(path, 8);
	check_authorize(auth[0] ? auth : NULL);
	check_body(body, body_len);
	uint64_t seq;
	if (since[0])
		(void)lns_web_since_parse(since, &seq);
	check_strings(path);

	free(method);
	free(path);
	free(auth);
	free(since);
	return 0;
}
