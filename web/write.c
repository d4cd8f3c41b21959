/*
 * web/write: the pure parts of the write endpoints: the bearer token check
 * (constant time), the drain body, and RFC 3339 times.
 */
#include "config.h"

#include "web/web_int.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int lns_web_authorize(const char *token, const char *header)
{
	static const char bearer[] = "Bearer ";
	if (!token || !*token)
		return 403;
	if (!header || strncmp(header, bearer, sizeof(bearer) - 1) != 0)
		return 401;
	const char *given = header + sizeof(bearer) - 1;
	size_t n = strlen(token);
	/* Same length first (its leak tells nothing useful), then every byte. */
	if (strlen(given) != n)
		return 401;
	return CRYPTO_memcmp(given, token, n) == 0 ? 0 : 401;
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool lns_web_time_parse(const char *text, int64_t *ms)
{
	int Y, M, D, h, m, s, frac = 0, off = 0;
	if (!text || strlen(text) < 20 || !digits(text, 4, &Y) || text[4] != '-' || !digits(text + 5, 2, &M) ||
	    text[7] != '-' || !digits(text + 8, 2, &D) || (text[10] != 'T' && text[10] != 't') ||
	    !digits(text + 11, 2, &h) || text[13] != ':' || !digits(text + 14, 2, &m) || text[16] != ':' ||
	    !digits(text + 17, 2, &s))
		return false;
	const char *p = text + 19;
	if (*p == '.') {
		int n = 0;
		p++;
		while (*p >= '0' && *p <= '9') {
			if (n < 3)
				frac = frac * 10 + (*p - '0');
			n++;
			p++;
		}
		if (n == 0)
			return false;
		for (; n < 3; n++)
			frac *= 10;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 || om > 59)
			return false;
		off = (oh * 60 + om) * (*p == '+' ? 1 : -1);
		p += 6;
	} else {
		return false;
	}
	if (*p || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || s > 60)
		return false;
	struct tm tm = { .tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D, .tm_hour = h, .tm_min = m, .tm_sec = s };
	time_t t = timegm(&tm);
	if (t == (time_t)-1 || tm.tm_mday != D)
		return false; /* timegm normalised an impossible date */
	*ms = ((int64_t)t - (int64_t)off * 60) * 1000 + frac;
	return true;
}

int lns_web_drain_body(const char *body, size_t len, int64_t now_ms, int64_t *until, char *err, size_t size)
{
	*until = 0;
	if (len == 0)
		return 0;
	json_error_t jerr;
	json_t *doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc || !json_is_object(doc)) {
		snprintf(err, size, "the body must be a JSON object like {\"until\": \"2026-11-28T20:00:00Z\"}%s%s",
			doc ? "" : ": ", doc ? "" : jerr.text);
		json_decref(doc);
		return 400;
	}
	const char *key;
	json_t *value;
	int rc = 0;
	json_object_foreach(doc, key, value) {
		if (strcmp(key, "until") != 0) {
			snprintf(err, size, "unknown field '%.64s' (only \"until\")", key);
			rc = 400;
		} else if (!json_is_null(value) && (!json_is_string(value) || !lns_web_time_parse(json_string_value(value), until))) {
			snprintf(err, size, "until must be an RFC 3339 time like \"2026-11-28T20:00:00Z\"");
			rc = 400;
		} else if (*until && *until <= now_ms) {
			snprintf(err, size, "until lies in the past");
			rc = 400;
		}
		if (rc)
			break;
	}
	json_decref(doc);
	return rc;
}
