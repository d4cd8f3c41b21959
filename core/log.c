/* core/log: stderr or syslog, with levels and a rate-limited variant.
 * When stderr is the systemd journal's stream ($JOURNAL_STREAM names its
 * device and inode), each line starts with its syslog priority ("<3>")
 * instead of a time stamp, so the journal keeps the levels (sd-daemon(3)). */
#include "config.h"

#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>

static bool use_stderr = true;
static bool to_journal;
static _Atomic int max_level = LNS_LOG_INFO;

static const char *const names[] = {
	[LNS_LOG_ERR] = "error", [LNS_LOG_WARNING] = "warning", [LNS_LOG_NOTICE] = "notice",
	[LNS_LOG_INFO] = "info", [LNS_LOG_DEBUG] = "debug",
};

void lns_log_init(bool to_stderr, const char *ident)
{
	use_stderr = to_stderr;
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	to_journal = to_stderr && js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 && fstat(2, &st) == 0 &&
		(unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void lns_log_set_level(int level)
{
	max_level = level;
}

int lns_log_level_parse(const char *name)
{
	for (int i = LNS_LOG_ERR; i <= LNS_LOG_DEBUG; i++)
		if (strcasecmp(name, names[i]) == 0)
			return i;
	return -1;
}

static void vlog(int level, const char *fmt, va_list ap)
{
	if (level > max_level)
		return;
	if (!use_stderr) {
		vsyslog(level, fmt, ap);
		return;
	}
	char line[1024];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	int n = to_journal ? snprintf(line, sizeof(line), "<%d>", level) : snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ [%s] ", tm.tm_year + 1900,
		tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, names[level]);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	strcat(line, "\n");
	/* One write per line keeps lines from different threads whole. */
	fputs(line, stderr);
}

void lns_log(int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

void lns_log_limited(lns_ratelimit_t *rl, unsigned burst, int level, const char *fmt, ...)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	long now = ts.tv_sec;
	long prev = atomic_load(&rl->second);
	if (prev != now && atomic_compare_exchange_strong(&rl->second, &prev, now)) {
		unsigned lost = atomic_exchange(&rl->suppressed, 0);
		atomic_store(&rl->count, 0);
		if (lost)
			lns_log(level, "(%u similar messages suppressed)", lost);
	}
	if (atomic_fetch_add(&rl->count, 1) >= burst) {
		atomic_fetch_add(&rl->suppressed, 1);
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}
