/* core/notify: sd_notify datagrams to $NOTIFY_SOCKET. */
#include "config.h"

#include "core/notify.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int fd = -1;
static struct sockaddr_un addr;
static socklen_t addr_len;

int lns_notify_init(void)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	size_t len;
	socklen_t slen;
	if (!name || !*name || fd != -1)
		return 0;
	len = strlen(name);
	if ((name[0] != '/' && name[0] != '@') || len >= sizeof(sun.sun_path))
		return -EINVAL;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, name, len);
	if (name[0] == '@')
		sun.sun_path[0] = '\0'; /* abstract: the name is the bytes after the NUL, not NUL-terminated */
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s == -1)
		return -errno;
	/* Connected now, while the socket file may still need root to reach. */
	slen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	if (connect(s, (struct sockaddr *)&sun, slen) == -1) {
		int e = errno;
		close(s);
		return -e;
	}
	fd = s;
	addr = sun;
	addr_len = slen;
	return 0;
}

int lns_notify_send(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	if (fd == -1)
		return -ENOTCONN;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	bool retried = false;
	for (;;) {
		if (send(fd, msg, (size_t)n, MSG_NOSIGNAL) != -1)
			return 0;
		if (errno == EINTR)
			continue;
		/* The manager made its socket anew (daemon-reexec): once more. */
		if (!retried && (errno == ECONNREFUSED || errno == ENOTCONN) &&
		    connect(fd, (struct sockaddr *)&addr, addr_len) == 0) {
			retried = true;
			continue;
		}
		return -errno;
	}
}

int lns_notify_reloading(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return lns_notify_send("RELOADING=1\nMONOTONIC_USEC=%llu",
		(unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000);
}

void lns_notify_close(void)
{
	if (fd != -1)
		close(fd);
	fd = -1;
}
