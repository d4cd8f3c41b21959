/*
 * core/log: the one logger. Messages go to stderr in the foreground, to
 * syslog as a daemon. Messages start with their module: "zone: ...".
 *
 * Thread: every function may be called from any thread. lns_log_init and
 * lns_log_set_level are meant for start-up and reload (control thread).
 */
#ifndef LNS_CORE_LOG_H
#define LNS_CORE_LOG_H

#include <stdatomic.h>
#include <stdbool.h>

enum lns_log_level { LNS_LOG_ERR = 3, LNS_LOG_WARNING = 4, LNS_LOG_NOTICE = 5, LNS_LOG_INFO = 6, LNS_LOG_DEBUG = 7 };

void lns_log_init(bool to_stderr, const char *ident);
void lns_log_set_level(int level);
/* Parses "error", "warning", "notice", "info", "debug"; -1 when unknown. */
int lns_log_level_parse(const char *name);
void lns_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A rate limit for one kind of message: at most `burst` a second; the next
 * message after a quiet second says how many were suppressed. */
typedef struct lns_ratelimit {
	_Atomic long second;
	_Atomic unsigned count;
	_Atomic unsigned suppressed;
} lns_ratelimit_t;

void lns_log_limited(lns_ratelimit_t *rl, unsigned burst, int level, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define lns_err(...) lns_log(LNS_LOG_ERR, __VA_ARGS__)
#define lns_warn(...) lns_log(LNS_LOG_WARNING, __VA_ARGS__)
#define lns_notice(...) lns_log(LNS_LOG_NOTICE, __VA_ARGS__)
#define lns_info(...) lns_log(LNS_LOG_INFO, __VA_ARGS__)
#define lns_debug(...) lns_log(LNS_LOG_DEBUG, __VA_ARGS__)

#endif
