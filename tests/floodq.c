/*
 * floodq: a test client for the limits: bursts and floods of UDP queries,
 * and TCP clients that are slow or greedy. It prints one summary line per
 * command, made for shell tests to read.
 *
 *   floodq [-b SOURCE] COMMAND ADDR PORT ...      -b: send from this local address
 *   floodq burst ADDR PORT NAME N        N queries for NAME/A as fast as the socket takes
 *                                        them, then 1 s for the answers:
 *                                        "sent=N full=F truncated=T lost=L"
 *   floodq flood ADDR PORT NAME SECONDS  queries as fast as possible for SECONDS from one
 *                                        socket, answers read on the way:
 *                                        "sent=S answered=A seconds=X qps=Q"
 *   floodq slow ADDR PORT N SECONDS      N connections that each send one byte of a
 *                                        length prefix, then nothing; waits until the
 *                                        server closes them or SECONDS pass:
 *                                        "opened=N closed=C first=X last=Y" (seconds)
 *   floodq conns ADDR PORT N SECONDS     N idle connections; after 1 s, how many the
 *                                        server reset or closed: "open=O closed=C",
 *                                        then holds the open ones for SECONDS
 *   floodq pipe ADDR PORT NAME N         one connection, N queries pipelined; answers
 *                                        read until the server closes or 5 s pass:
 *                                        "answers=A closed=yes|no"
 *   floodq gap ADDR PORT NAME N MS       one connection, N queries one after another,
 *                                        each MS ms after the previous answer:
 *                                        "answers=A closed=yes|no"
 *   floodq trickle ADDR PORT NAME MS     one query sent a byte at a time, one every MS ms:
 *                                        "answered after X s" or "closed after X s at byte K of L"
 *   floodq watch ADDR PORT NAME IP SECONDS  asks for NAME/A over TCP every 5 ms until the
 *                                        first address answered is IP: "seen=NS" (wall
 *                                        clock, ns), or "timeout" and exit 1
 * Exit status 0, or 2 on a usage or socket error.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_storage server, source;
static socklen_t server_len, source_len;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "floodq: %s: %s\n", what, strerror(errno));
	/* At once: a half-done command's buffers are not leaks to report. */
	fflush(stdout);
	_exit(2);
}

static long number(const char *text, long min, long max)
{
	char *end;
	errno = 0;
	long v = strtol(text, &end, 10);
	if (errno || *end || end == text || v < min || v > max) {
		fprintf(stderr, "floodq: '%s' is not a number from %ld to %ld\n", text, min, max);
		exit(2);
	}
	return v;
}

static socklen_t parse_addr(const char *host, long port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		return sizeof(*a4);
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		return sizeof(*a6);
	}
	fprintf(stderr, "floodq: bad address %s\n", host);
	exit(2);
}

static int new_socket(int type)
{
	int fd = socket(server.ss_family, type | SOCK_CLOEXEC, 0);
	if (fd == -1)
		die("socket");
	if (source_len && bind(fd, (struct sockaddr *)&source, source_len) == -1)
		die("bind");
	return fd;
}

/* A query for name/A with id; returns its length. */
static size_t query(uint8_t *out, size_t cap, const char *name, uint16_t id)
{
	size_t n = 12;
	memset(out, 0, 12);
	out[0] = (uint8_t)(id >> 8);
	out[1] = (uint8_t)id;
	out[5] = 1;
	for (const char *p = name; *p;) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		if (l == 0 || l > 63 || n + l + 6 > cap) {
			fprintf(stderr, "floodq: bad name %s\n", name);
			exit(2);
		}
		out[n++] = (uint8_t)l;
		memcpy(out + n, p, l);
		n += l;
		p += l + (dot ? 1 : 0);
	}
	out[n++] = 0;
	out[n++] = 0;
	out[n++] = 1; /* A */
	out[n++] = 0;
	out[n++] = 1; /* IN */
	return n;
}

static int cmd_burst(const char *name, long count)
{
	uint8_t q[300], r[4096];
	static uint8_t seen[65536];
	int fd = new_socket(SOCK_DGRAM);
	int size = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (connect(fd, (struct sockaddr *)&server, server_len) == -1)
		die("connect");
	long full = 0, tc = 0;
	for (long i = 0; i < count; i++) {
		size_t n = query(q, sizeof(q), name, (uint16_t)i);
		while (send(fd, q, n, 0) == -1) {
			if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR && errno != ECONNREFUSED)
				die("send");
			usleep(100);
		}
	}
	double end = now_s() + 1.0;
	for (;;) {
		int ms = (int)((end - now_s()) * 1000);
		struct pollfd p = { fd, POLLIN, 0 };
		if (ms <= 0 || poll(&p, 1, ms) <= 0)
			break;
		ssize_t got = recv(fd, r, sizeof(r), 0);
		if (got < 12)
			continue;
		unsigned id = (unsigned)(r[0] << 8 | r[1]);
		if (id >= (unsigned)count || seen[id])
			continue;
		seen[id] = 1;
		if (r[2] & 0x02)
			tc++;
		else
			full++;
	}
	printf("sent=%ld full=%ld truncated=%ld lost=%ld\n", count, full, tc, count - full - tc);
	return 0;
}

static int cmd_flood(const char *name, long seconds)
{
	enum { B = 64 };
	uint8_t q[B][300], r[B][512];
	struct mmsghdr out[B], in[B];
	struct iovec oiov[B], iiov[B];
	int fd = new_socket(SOCK_DGRAM | SOCK_NONBLOCK);
	if (connect(fd, (struct sockaddr *)&server, server_len) == -1)
		die("connect");
	memset(out, 0, sizeof(out));
	memset(in, 0, sizeof(in));
	for (unsigned i = 0; i < B; i++) {
		oiov[i].iov_base = q[i];
		oiov[i].iov_len = query(q[i], sizeof(q[i]), name, (uint16_t)i);
		out[i].msg_hdr.msg_iov = &oiov[i];
		out[i].msg_hdr.msg_iovlen = 1;
		iiov[i].iov_base = r[i];
		iiov[i].iov_len = sizeof(r[i]);
		in[i].msg_hdr.msg_iov = &iiov[i];
		in[i].msg_hdr.msg_iovlen = 1;
	}
	uint64_t sent = 0, answered = 0;
	double start = now_s(), end = start + (double)seconds, t = start;
	while (t < end) {
		int n = sendmmsg(fd, out, B, 0);
		if (n > 0)
			sent += (uint64_t)n;
		else if (n == -1 && errno != EAGAIN && errno != ENOBUFS && errno != EINTR && errno != ECONNREFUSED)
			die("sendmmsg");
		for (;;) {
			int got = recvmmsg(fd, in, B, MSG_DONTWAIT, NULL);
			if (got <= 0)
				break;
			answered += (uint64_t)got;
		}
		if (n == -1 && errno == EAGAIN) {
			struct pollfd p = { fd, POLLOUT, 0 };
			poll(&p, 1, 1);
		}
		t = now_s();
	}
	printf("sent=%llu answered=%llu seconds=%.2f qps=%.0f\n", (unsigned long long)sent,
		(unsigned long long)answered, t - start, answered / (t - start));
	return 0;
}

static int cmd_slow(long n, long seconds)
{
	int *fds = calloc((size_t)n, sizeof(int));
	double *closed = calloc((size_t)n, sizeof(double));
	if (!fds || !closed)
		die("calloc");
	double start = now_s();
	for (long i = 0; i < n; i++) {
		fds[i] = new_socket(SOCK_STREAM);
		if (connect(fds[i], (struct sockaddr *)&server, server_len) == -1)
			die("connect");
		uint8_t one = 0; /* the high byte of a length prefix */
		if (send(fds[i], &one, 1, MSG_NOSIGNAL) != 1)
			die("send");
		closed[i] = -1;
	}
	long open = n;
	struct pollfd *p = calloc((size_t)n, sizeof(*p));
	while (open > 0 && now_s() - start < (double)seconds) {
		for (long i = 0; i < n; i++) {
			p[i].fd = closed[i] < 0 ? fds[i] : -1;
			p[i].events = POLLIN;
		}
		if (poll(p, (nfds_t)n, 100) <= 0)
			continue;
		for (long i = 0; i < n; i++) {
			if (closed[i] >= 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			uint8_t b[64];
			ssize_t got = recv(fds[i], b, sizeof(b), MSG_DONTWAIT);
			if (got == 0 || (got == -1 && errno != EAGAIN)) {
				closed[i] = now_s() - start;
				open--;
			}
		}
	}
	double first = -1, last = -1;
	for (long i = 0; i < n; i++) {
		if (closed[i] < 0)
			continue;
		if (first < 0 || closed[i] < first)
			first = closed[i];
		if (closed[i] > last)
			last = closed[i];
	}
	printf("opened=%ld closed=%ld first=%.2f last=%.2f\n", n, n - open, first, last);
	for (long i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	free(closed);
	free(p);
	return 0;
}

static int cmd_conns(long n, long seconds)
{
	int *fds = calloc((size_t)n, sizeof(int));
	if (!fds)
		die("calloc");
	for (long i = 0; i < n; i++) {
		fds[i] = new_socket(SOCK_STREAM);
		if (connect(fds[i], (struct sockaddr *)&server, server_len) == -1)
			die("connect");
	}
	sleep(1);
	long open = 0, closed = 0;
	for (long i = 0; i < n; i++) {
		uint8_t b[16];
		ssize_t got = recv(fds[i], b, sizeof(b), MSG_DONTWAIT);
		if (got == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			open++;
		} else {
			closed++;
			close(fds[i]);
			fds[i] = -1;
		}
	}
	printf("open=%ld closed=%ld\n", open, closed);
	fflush(stdout);
	sleep((unsigned)seconds);
	for (long i = 0; i < n; i++)
		if (fds[i] != -1)
			close(fds[i]);
	free(fds);
	return 0;
}

static int cmd_pipe(const char *name, long n)
{
	uint8_t *buf = malloc((size_t)n * 302), r[65536];
	size_t len = 0;
	if (!buf)
		die("malloc");
	for (long i = 0; i < n; i++) {
		size_t m = query(buf + len + 2, 300, name, (uint16_t)i);
		buf[len] = (uint8_t)(m >> 8);
		buf[len + 1] = (uint8_t)m;
		len += 2 + m;
	}
	int fd = new_socket(SOCK_STREAM);
	if (connect(fd, (struct sockaddr *)&server, server_len) == -1)
		die("connect");
	if (send(fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len)
		die("send");
	size_t have = 0;
	long answers = 0;
	bool eof = false;
	double end = now_s() + 5;
	while (!eof && now_s() < end) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 100) <= 0)
			continue;
		ssize_t got = recv(fd, r + have, sizeof(r) - have, 0);
		if (got <= 0) {
			eof = true;
			break;
		}
		have += (size_t)got;
		while (have >= 2 && have >= 2 + (size_t)(r[0] << 8 | r[1])) {
			size_t m = 2 + (size_t)(r[0] << 8 | r[1]);
			answers++;
			memmove(r, r + m, have - m);
			have -= m;
		}
	}
	printf("answers=%ld closed=%s\n", answers, eof ? "yes" : "no");
	close(fd);
	free(buf);
	return 0;
}

/* Reads one length-prefixed answer within 5 s; false at EOF or timeout. */
static bool read_one(int fd, bool *eof)
{
	uint8_t r[65536];
	size_t have = 0, need = 2;
	double end = now_s() + 5;
	while (have < need && now_s() < end) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 100) <= 0)
			continue;
		ssize_t got = recv(fd, r + have, need - have, 0);
		if (got <= 0) {
			*eof = true;
			return false;
		}
		have += (size_t)got;
		if (have == 2)
			need = 2 + (size_t)(r[0] << 8 | r[1]);
	}
	return have == need && need > 2;
}

static int cmd_gap(const char *name, long n, long ms)
{
	uint8_t q[302];
	int fd = new_socket(SOCK_STREAM);
	if (connect(fd, (struct sockaddr *)&server, server_len) == -1)
		die("connect");
	long answers = 0;
	bool eof = false;
	for (long i = 0; i < n && !eof; i++) {
		if (i)
			usleep((useconds_t)ms * 1000);
		size_t m = query(q + 2, 300, name, (uint16_t)i);
		q[0] = (uint8_t)(m >> 8);
		q[1] = (uint8_t)m;
		if (send(fd, q, m + 2, MSG_NOSIGNAL) != (ssize_t)(m + 2))
			break;
		if (!read_one(fd, &eof))
			break;
		answers++;
	}
	printf("answers=%ld closed=%s\n", answers, eof ? "yes" : "no");
	return 0;
}

static int cmd_trickle(const char *name, long ms)
{
	uint8_t q[302];
	int fd = new_socket(SOCK_STREAM);
	if (connect(fd, (struct sockaddr *)&server, server_len) == -1)
		die("connect");
	size_t m = query(q + 2, 300, name, 7);
	q[0] = (uint8_t)(m >> 8);
	q[1] = (uint8_t)m;
	double start = now_s();
	for (size_t i = 0; i < m + 2; i++) {
		if (i)
			usleep((useconds_t)ms * 1000);
		struct pollfd p = { fd, POLLIN, 0 };
		if (send(fd, q + i, 1, MSG_NOSIGNAL) != 1 || (poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR)))) {
			printf("closed after %.2f s at byte %zu of %zu\n", now_s() - start, i, m + 2);
			return 0;
		}
		uint8_t b[16];
		if (poll(&p, 1, 0) == 1 && recv(fd, b, sizeof(b), MSG_PEEK | MSG_DONTWAIT) == 0) {
			printf("closed after %.2f s at byte %zu of %zu\n", now_s() - start, i + 1, m + 2);
			return 0;
		}
	}
	bool eof = false;
	if (read_one(fd, &eof))
		printf("answered after %.2f s\n", now_s() - start);
	else
		printf("closed after %.2f s at byte %zu of %zu\n", now_s() - start, m + 2, m + 2);
	return 0;
}

/* The first A record's address in an answer, as text; false if none. */
static bool first_a(const uint8_t *r, size_t n, char *out, size_t size)
{
	if (n < 12 || (r[6] << 8 | r[7]) == 0)
		return false;
	size_t off = 12;
	while (off < n && r[off] != 0)
		off += 1u + r[off];
	off += 5;
	for (unsigned an = (unsigned)(r[6] << 8 | r[7]); an > 0 && off < n; an--) {
		while (off < n && r[off] != 0 && (r[off] & 0xc0) != 0xc0)
			off += 1u + r[off];
		off += off < n && (r[off] & 0xc0) == 0xc0 ? 2 : 1;
		if (off + 10 > n)
			return false;
		unsigned type = (unsigned)(r[off] << 8 | r[off + 1]), rdlen = (unsigned)(r[off + 8] << 8 | r[off + 9]);
		off += 10;
		if (off + rdlen > n)
			return false;
		if (type == 1 && rdlen == 4)
			return inet_ntop(AF_INET, r + off, out, (socklen_t)size) != NULL;
		off += rdlen;
	}
	return false;
}

static int cmd_watch(const char *name, const char *want, long seconds)
{
	uint8_t q[302], r[65536];
	int fd = -1;
	double end = now_s() + (double)seconds;
	for (uint16_t id = 1; now_s() < end; id++) {
		if (fd == -1) {
			fd = new_socket(SOCK_STREAM);
			if (connect(fd, (struct sockaddr *)&server, server_len) == -1)
				die("connect");
		}
		size_t m = query(q + 2, 300, name, id);
		q[0] = (uint8_t)(m >> 8);
		q[1] = (uint8_t)m;
		size_t have = 0, need = 2;
		bool ok = send(fd, q, m + 2, MSG_NOSIGNAL) == (ssize_t)(m + 2);
		while (ok && have < need) {
			struct pollfd p = { fd, POLLIN, 0 };
			ssize_t got = poll(&p, 1, 2000) == 1 ? recv(fd, r + have, need - have, 0) : -1;
			if (got <= 0) {
				ok = false;
				break;
			}
			have += (size_t)got;
			if (have == 2)
				need = 2 + (size_t)(r[0] << 8 | r[1]);
		}
		char text[64];
		if (ok && need > 2 && first_a(r + 2, need - 2, text, sizeof(text)) && strcmp(text, want) == 0) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			printf("seen=%lld%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
			return 0;
		}
		if (!ok) {
			close(fd);
			fd = -1;
		}
		usleep(5000);
	}
	printf("timeout\n");
	return 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: floodq [-b SOURCE] burst|flood|slow|conns|pipe|gap|trickle|watch ADDR PORT ...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "-b") == 0) {
		source_len = parse_addr(argv[2], 0, &source);
		argv += 2;
		argc -= 2;
	}
	if (argc < 4)
		usage();
	const char *cmd = argv[1];
	server_len = parse_addr(argv[2], number(argv[3], 1, 65535), &server);
	if (source_len && source.ss_family != server.ss_family)
		usage();
	if (strcmp(cmd, "burst") == 0 && argc == 6)
		return cmd_burst(argv[4], number(argv[5], 1, 65536));
	if (strcmp(cmd, "flood") == 0 && argc == 6)
		return cmd_flood(argv[4], number(argv[5], 1, 3600));
	if (strcmp(cmd, "slow") == 0 && argc == 6)
		return cmd_slow(number(argv[4], 1, 10000), number(argv[5], 1, 3600));
	if (strcmp(cmd, "conns") == 0 && argc == 6)
		return cmd_conns(number(argv[4], 1, 10000), number(argv[5], 0, 3600));
	if (strcmp(cmd, "pipe") == 0 && argc == 6)
		return cmd_pipe(argv[4], number(argv[5], 1, 20000));
	if (strcmp(cmd, "gap") == 0 && argc == 7)
		return cmd_gap(argv[4], number(argv[5], 1, 20000), number(argv[6], 0, 600000));
	if (strcmp(cmd, "trickle") == 0 && argc == 6)
		return cmd_trickle(argv[4], number(argv[5], 0, 600000));
	if (strcmp(cmd, "watch") == 0 && argc == 7)
		return cmd_watch(argv[4], argv[5], number(argv[6], 1, 3600));
	usage();
	return 2;
}
