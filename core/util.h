/*
 * core/util: allocation that aborts on out-of-memory, the error space shared
 * by every module, an error holder for parsers ("file:line: message"), and
 * listen-address parsing ("ip@port").
 *
 * Thread: all functions are thread-safe; an lns_err_t belongs to its caller.
 */
#ifndef LNS_CORE_UTIL_H
#define LNS_CORE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>

/* Project error codes, below -1000 so they never meet a negative errno. */
enum {
	LNS_EPARSE = -1001,  /* bad syntax or value in a file */
	LNS_EZONE = -1002,   /* a zone is inconsistent */
	LNS_ECONFIG = -1003, /* a configuration is inconsistent */
	LNS_ELIMIT = -1004,  /* a size or count limit was reached */
};

/* Text for 0, a negative errno or an LNS_E* code. */
const char *lns_strerror(int err);

/* What went wrong, with where: "file:line: message". */
typedef struct lns_err {
	char msg[512];
} lns_err_t;

void lns_err_set(lns_err_t *err, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#include <stdarg.h>
void lns_err_setv(lns_err_t *err, const char *file, int line, const char *fmt, va_list ap);

/* The wall clock (CLOCK_REALTIME) in ms since the epoch. */
int64_t lns_wall_ms(void);

void *lns_xmalloc(size_t n);
void *lns_xcalloc(size_t n, size_t size);
void *lns_xrealloc(void *p, size_t n);
char *lns_xstrdup(const char *s);

/* A socket address parsed from "ip", "ip@port" or "[ip6]@port". */
typedef struct lns_addr {
	struct sockaddr_storage ss;
	socklen_t len;
} lns_addr_t;

/* Parses text into addr; a missing port becomes default_port.
 * Returns 0, or LNS_EPARSE with the reason in err (no file/line). */
int lns_addr_parse(const char *text, uint16_t default_port, lns_addr_t *addr, lns_err_t *err);
/* Renders "ip@port" into buf (at least 64 bytes). */
const char *lns_addr_render(const lns_addr_t *addr, char *buf, size_t size);
uint16_t lns_addr_port(const lns_addr_t *addr);
void lns_addr_set_port(lns_addr_t *addr, uint16_t port);

/* An address prefix for access lists ("192.0.2.0/24", "::1"). */
typedef struct lns_prefix {
	int family;
	uint8_t bytes[16];
	uint8_t bits;
} lns_prefix_t;

int lns_prefix_parse(const char *text, lns_prefix_t *prefix, lns_err_t *err);
bool lns_prefix_has(const lns_prefix_t *prefix, const struct sockaddr *sa);

/* Parses a whole decimal number in [min, max]; returns 0 or -EINVAL/-ERANGE. */
int lns_parse_long(const char *text, long min, long max, long *out);

#endif
