/* core/util: allocation, errors, addresses. */
#include "config.h"

#include "core/util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *lns_strerror(int err)
{
	switch (err) {
	case 0: return "success";
	case LNS_EPARSE: return "parse error";
	case LNS_EZONE: return "zone error";
	case LNS_ECONFIG: return "configuration error";
	case LNS_ELIMIT: return "limit reached";
	default: return err < 0 && err > -1000 ? strerror(-err) : "unknown error";
	}
}

void lns_err_setv(lns_err_t *err, const char *file, int line, const char *fmt, va_list ap)
{
	if (!err)
		return;
	int off = 0;
	if (file && line > 0)
		off = snprintf(err->msg, sizeof(err->msg), "%.300s:%d: ", file, line);
	else if (file)
		off = snprintf(err->msg, sizeof(err->msg), "%.300s: ", file);
	vsnprintf(err->msg + off, sizeof(err->msg) - (size_t)off, fmt, ap);
}

void lns_err_set(lns_err_t *err, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lns_err_setv(err, file, line, fmt, ap);
	va_end(ap);
}

static void oom(void)
{
	fputs("levelns: out of memory\n", stderr);
	abort();
}

void *lns_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *lns_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *lns_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *lns_xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		oom();
	return d;
}

int lns_parse_long(const char *text, long min, long max, long *out)
{
	/* Digits only (and a minus sign where negatives are allowed): strtol
	 * alone would also take blanks and a plus sign. */
	if (!text || !(isdigit((unsigned char)text[0]) || (text[0] == '-' && min < 0)))
		return -EINVAL;
	char *end;
	errno = 0;
	long v = strtol(text, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int lns_addr_parse(const char *text, uint16_t default_port, lns_addr_t *addr, lns_err_t *err)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *at = strrchr(text, '@');
	size_t hlen = at ? (size_t)(at - text) : strlen(text);
	long port = default_port;

	if (hlen == 0 || hlen >= sizeof(host)) {
		lns_err_set(err, NULL, 0, "bad address '%s'", text);
		return LNS_EPARSE;
	}
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	if (host[0] == '[' && host[hlen - 1] == ']') {
		memmove(host, host + 1, hlen - 2);
		host[hlen - 2] = '\0';
	}
	if (at && lns_parse_long(at + 1, 0, 65535, &port) != 0) {
		lns_err_set(err, NULL, 0, "bad port in '%s' (0-65535)", text);
		return LNS_EPARSE;
	}
	memset(addr, 0, sizeof(*addr));
	struct sockaddr_in *sin = (struct sockaddr_in *)&addr->ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&addr->ss;
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		addr->len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		addr->len = sizeof(*sin6);
	} else {
		lns_err_set(err, NULL, 0, "bad address '%s' (expected an IPv4 or IPv6 address, optionally @port)", text);
		return LNS_EPARSE;
	}
	return 0;
}

uint16_t lns_addr_port(const lns_addr_t *addr)
{
	if (addr->ss.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&addr->ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)&addr->ss)->sin6_port);
}

void lns_addr_set_port(lns_addr_t *addr, uint16_t port)
{
	if (addr->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&addr->ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)&addr->ss)->sin6_port = htons(port);
}

const char *lns_addr_render(const lns_addr_t *addr, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN];
	const void *src = addr->ss.ss_family == AF_INET
		? (const void *)&((const struct sockaddr_in *)&addr->ss)->sin_addr
		: (const void *)&((const struct sockaddr_in6 *)&addr->ss)->sin6_addr;
	if (!inet_ntop(addr->ss.ss_family, src, host, sizeof(host)))
		snprintf(host, sizeof(host), "?");
	snprintf(buf, size, "%s@%u", host, lns_addr_port(addr));
	return buf;
}

int lns_prefix_parse(const char *text, lns_prefix_t *prefix, lns_err_t *err)
{
	char host[INET6_ADDRSTRLEN];
	const char *slash = strchr(text, '/');
	size_t hlen = slash ? (size_t)(slash - text) : strlen(text);
	memset(prefix, 0, sizeof(*prefix));
	if (hlen == 0 || hlen >= sizeof(host))
		goto bad;
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	int max;
	if (inet_pton(AF_INET, host, prefix->bytes) == 1) {
		prefix->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, host, prefix->bytes) == 1) {
		prefix->family = AF_INET6;
		max = 128;
	} else {
		goto bad;
	}
	long bits = max;
	if (slash && lns_parse_long(slash + 1, 0, max, &bits) != 0)
		goto bad;
	prefix->bits = (uint8_t)bits;
	return 0;
bad:
	lns_err_set(err, NULL, 0, "bad address or prefix '%s'", text);
	return LNS_EPARSE;
}

bool lns_prefix_has(const lns_prefix_t *prefix, const struct sockaddr *sa)
{
	const uint8_t *a;
	if (sa->sa_family != prefix->family)
		return false;
	if (sa->sa_family == AF_INET)
		a = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
	else
		a = (const uint8_t *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
	unsigned full = prefix->bits / 8, rest = prefix->bits % 8;
	if (memcmp(a, prefix->bytes, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (a[full] & mask) == (prefix->bytes[full] & mask);
}

int64_t lns_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
