/*
 * web/ctl_fmt: levelnsctl's small text helpers: what it shows of the
 * daemon's strings (cleaned of anything that could drive a terminal), its
 * times and ages, and the durations it accepts for drain --until.
 */
#include "config.h"

#include "web/ctl.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void *lns_ctl_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fputs("levelnsctl: out of memory\n", stderr);
		exit(LNS_CTL_REFUSED);
	}
	return q;
}

char *lns_ctl_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(lns_ctl_xrealloc(NULL, n), s, n);
}

/* Length of the well-formed UTF-8 sequence at s (n bytes left), 0 if
 * none; *cp its code point. */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, *cp = c & 0x1f, min = 0x80;
	else if ((c & 0xf0) == 0xe0)
		len = 3, *cp = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, *cp = c & 0x07, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return len;
}

/* C0, DEL and C1 controls. */
static bool is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
}

char *lns_ctl_clean(const char *s, char *buf, size_t size)
{
	const unsigned char *u = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)u), o = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp = 0;
		size_t len = utf8_seq(u + i, n - i, &cp);
		/* a control character becomes one '?', a bad byte too */
		bool keep = len && !is_control(cp);
		size_t out = keep ? len : 1;
		if (o + out >= size)
			break;
		if (keep)
			memcpy(buf + o, u + i, len);
		else
			buf[o] = '?';
		o += out;
		i += len ? len : 1;
	}
	buf[o] = '\0';
	return buf;
}

size_t lns_ctl_width(const char *s)
{
	size_t w = 0;
	for (const unsigned char *u = (const unsigned char *)s; *u; u++)
		w += (*u & 0xc0) != 0x80;
	return w;
}

/* n decimal digits at *p, advanced past them. */
static bool digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool lit(const char **p, const char *set)
{
	if (!**p || !strchr(set, **p))
		return false;
	(*p)++;
	return true;
}

bool lns_ctl_time_parse(const char *s, int64_t *ms)
{
	int y, mo, d, h, mi, se, frac = 0, oh = 0, om = 0, sign = 0;
	const char *p = s;
	if (!s || !digits(&p, 4, &y) || !lit(&p, "-") || !digits(&p, 2, &mo) || !lit(&p, "-") || !digits(&p, 2, &d) ||
	    !lit(&p, "Tt ") || !digits(&p, 2, &h) || !lit(&p, ":") || !digits(&p, 2, &mi) || !lit(&p, ":") ||
	    !digits(&p, 2, &se))
		return false;
	if (*p == '.') {
		p++;
		int scale = 100, n = 0;
		for (; *p >= '0' && *p <= '9'; p++, n++) {
			frac += (*p - '0') * scale;
			scale /= 10;
		}
		if (!n)
			return false;
	}
	if (lit(&p, "Zz")) {
		sign = 0;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (!digits(&p, 2, &oh) || !lit(&p, ":") || !digits(&p, 2, &om) || oh > 23 || om > 59)
			return false;
	} else {
		return false;
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return false;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = se };
	time_t t = timegm(&tm);
	if (t == (time_t)-1 && !(y == 1969 && mo == 12 && d == 31))
		return false;
	*ms = ((int64_t)t - sign * (int64_t)(oh * 3600 + om * 60)) * 1000 + frac;
	return true;
}

void lns_ctl_time_render(int64_t ms, char *buf, size_t size)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (ms < 0 || !gmtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, size, "-");
}

void lns_ctl_age(int64_t ms, char *buf, size_t size)
{
	if (ms < 0)
		snprintf(buf, size, "-");
	else if (ms < 1000)
		snprintf(buf, size, "%" PRId64 " ms", ms);
	else if (ms < 60 * 1000)
		snprintf(buf, size, "%" PRId64 ".%" PRId64 " s", ms / 1000, ms % 1000 / 100);
	else if (ms < 3600 * 1000)
		snprintf(buf, size, "%" PRId64 " min", ms / 60000);
	else if (ms < 48 * 3600 * 1000)
		snprintf(buf, size, "%" PRId64 " h", ms / 3600000);
	else
		snprintf(buf, size, "%" PRId64 " d", ms / 86400000);
}

bool lns_ctl_duration_parse(const char *s, int64_t *ms)
{
	static const struct { char unit; int64_t ms; } units[] = {
		{ 's', 1000 }, { 'm', 60000 }, { 'h', 3600000 }, { 'd', 86400000 },
	};
	int64_t n = 0;
	const char *p = s;
	if (!s || *p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (*p - '0');
		if (n > 100000000) /* more than three years in seconds: a typo */
			return false;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (p[0] == units[i].unit && !p[1] && n > 0 && n * units[i].ms <= INT64_C(10) * 366 * 86400000) {
			*ms = n * units[i].ms;
			return true;
		}
	return false;
}
