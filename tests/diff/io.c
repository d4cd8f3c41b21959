/*
 * dnscmp's network side: one query to one server over UDP (connected socket,
 * so only the server can answer) or TCP (length-prefixed), with a deadline
 * and one retry.  Plain sockets rather than ldns_udp_send, so that a silent
 * server and a failure of this host can be told apart.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include "tests/diff/dnscmp.h"

/* "ADDR@PORT", IPv4 or IPv6 literal. */
int dnscmp_parse_server(struct server *sv, const char *spec)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *at = strrchr(spec, '@');
	long port = 53;
	size_t hl = at ? (size_t)(at - spec) : strlen(spec);

	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, spec, hl);
	host[hl] = '\0';
	if (at && dnscmp_parse_int(at + 1, 1, 65535, &port) != 0)
		return -1;
	memset(&sv->ss, 0, sizeof(sv->ss));
	struct sockaddr_in *s4 = (struct sockaddr_in *)&sv->ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&sv->ss;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		sv->len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		sv->len = sizeof(*s6);
	} else {
		return -1;
	}
	sv->spec = spec;
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on fd until the deadline: 1 ready, 0 timeout, -1 error. */
static int wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		struct pollfd p = { .fd = fd, .events = events };
		if (left <= 0)
			return 0;
		int n = poll(&p, 1, (int)left);
		if (n == -1 && errno == EINTR)
			continue;
		return n > 0 ? 1 : n;
	}
}

static int io_fail(int fd, int kind, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s", what);
	if (fd != -1)
		close(fd);
	return kind;
}

static int udp_try(const struct server *sv, const uint8_t *wire, size_t wlen,
		   uint8_t *buf, size_t *rlen, char *err, size_t errlen)
{
	long long deadline = now_ms() + dnscmp_opt.timeout_ms;
	int fd = socket(sv->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ssize_t n;

	if (fd == -1)
		return io_fail(fd, IO_LOCAL, err, errlen, strerror(errno));
	/* Connected, so only the server's own address can answer. */
	if (connect(fd, (const struct sockaddr *)&sv->ss, sv->len) == -1)
		return io_fail(fd, IO_LOCAL, err, errlen, strerror(errno));
	if (send(fd, wire, wlen, 0) != (ssize_t)wlen)
		return io_fail(fd, IO_LOCAL, err, errlen, strerror(errno));
	for (;;) {
		int w = wait_fd(fd, POLLIN, deadline);
		if (w == 0)
			return io_fail(fd, IO_SILENT, err, errlen, "no reply over UDP (timeout)");
		if (w < 0)
			return io_fail(fd, IO_LOCAL, err, errlen, strerror(errno));
		n = recv(fd, buf, 65535, 0);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n == -1 && errno == ECONNREFUSED)
			return io_fail(fd, IO_SILENT, err, errlen,
				       "no reply over UDP (port unreachable)");
		if (n == -1)
			return io_fail(fd, IO_LOCAL, err, errlen, strerror(errno));
		break;
	}
	close(fd);
	*rlen = (size_t)n;
	return IO_OK;
}

/* Reads exactly len bytes before the deadline: IO_OK or IO_SILENT. */
static int read_full(int fd, uint8_t *p, size_t len, long long deadline)
{
	while (len) {
		if (wait_fd(fd, POLLIN, deadline) != 1)
			return IO_SILENT;
		ssize_t n = read(fd, p, len);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return IO_SILENT;
		p += n;
		len -= (size_t)n;
	}
	return IO_OK;
}

static int tcp_try(const struct server *sv, const uint8_t *wire, size_t wlen,
		   uint8_t *buf, size_t *rlen, char *err, size_t errlen)
{
	long long deadline = now_ms() + dnscmp_opt.timeout_ms;
	int fd = socket(sv->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	uint8_t lenbuf[2];
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (fd == -1)
		return io_fail(fd, IO_LOCAL, err, errlen, strerror(errno));
	if (connect(fd, (const struct sockaddr *)&sv->ss, sv->len) == -1 &&
	    errno != EINPROGRESS)
		return io_fail(fd, IO_SILENT, err, errlen, "TCP connect failed");
	if (wait_fd(fd, POLLOUT, deadline) != 1 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == -1 || soerr)
		return io_fail(fd, IO_SILENT, err, errlen, "TCP connect failed");
	/* One write of length and message: the server sees them together. */
	uint8_t *out = dnscmp_xmalloc(wlen + 2);
	out[0] = (uint8_t)(wlen >> 8);
	out[1] = (uint8_t)(wlen & 0xff);
	memcpy(out + 2, wire, wlen);
	size_t done = 0;
	while (done < wlen + 2) {
		if (wait_fd(fd, POLLOUT, deadline) != 1) {
			free(out);
			return io_fail(fd, IO_SILENT, err, errlen, "TCP send timed out");
		}
		ssize_t n = write(fd, out + done, wlen + 2 - done);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n == -1) {
			free(out);
			return io_fail(fd, IO_SILENT, err, errlen, "TCP send failed");
		}
		done += (size_t)n;
	}
	free(out);
	if (read_full(fd, lenbuf, 2, deadline) != IO_OK)
		return io_fail(fd, IO_SILENT, err, errlen,
			       "no reply over TCP (timeout or connection closed)");
	*rlen = (size_t)(lenbuf[0] << 8 | lenbuf[1]);
	if (read_full(fd, buf, *rlen, deadline) != IO_OK)
		return io_fail(fd, IO_SILENT, err, errlen, "TCP reply cut short");
	close(fd);
	return IO_OK;
}

/* One retry: a lost UDP datagram is rare on loopback but no server fault. */
int dnscmp_exchange(const struct server *sv, bool tcp, const uint8_t *wire, size_t wlen,
		    uint8_t *buf, size_t *rlen, char *err, size_t errlen)
{
	int r = IO_SILENT;
	for (int attempt = 0; attempt < 2 && r == IO_SILENT; attempt++) {
		if (tcp)
			r = tcp_try(sv, wire, wlen, buf, rlen, err, errlen);
		else
			r = udp_try(sv, wire, wlen, buf, rlen, err, errlen);
	}
	return r;
}
