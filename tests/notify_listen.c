/*
 * tests/notify_listen: the service manager's side of sd_notify, for
 * t_notify.sh. Binds a unix datagram socket at PATH (or the abstract name
 * after a leading '@'), prints "notify_listen: ready" on stderr, then
 * prints every datagram on stdout as one line, its lines joined by '|',
 * until SECONDS pass (default 120) or SIGTERM.
 *
 *   notify_listen PATH|@NAME [SECONDS]
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: notify_listen PATH|@NAME [SECONDS]\n");
		return 2;
	}
	const char *name = argv[1];
	long seconds = argc == 3 ? strtol(argv[2], NULL, 10) : 120;
	struct sockaddr_un sun;
	size_t len = strlen(name);
	if (len == 0 || len >= sizeof(sun.sun_path) || seconds <= 0) {
		fprintf(stderr, "notify_listen: bad name or time\n");
		return 2;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, name, len);
	if (name[0] == '@')
		sun.sun_path[0] = '\0';
	else
		unlink(name);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sun, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) == -1) {
		fprintf(stderr, "notify_listen: %s: %s\n", name, strerror(errno));
		return 1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fprintf(stderr, "notify_listen: ready\n");
	time_t end = time(NULL) + seconds;
	while (!stop && time(NULL) < end) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		char buf[4096];
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			continue;
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == '\n')
				buf[i] = '|';
		buf[n] = '\0';
		printf("%s\n", buf);
		fflush(stdout);
	}
	close(fd);
	if (name[0] != '@')
		unlink(name);
	return 0;
}
