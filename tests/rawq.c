/*
 * rawq: a test client that sends what real clients would not: raw packets
 * given in hex, pipelined TCP messages, idle connections; and a counted
 * query loop. It prints a one-line summary of each response so that shell
 * tests can assert on it.
 *
 *   rawq udp ADDR PORT HEX             one packet, print the response or "timeout"
 *   rawq tcp ADDR PORT HEX [HEX ...]   messages pipelined on one connection
 *   rawq idle ADDR PORT SECONDS        connect, send nothing, report when closed
 *   rawq loop ADDR PORT NAME TYPE N    N queries over UDP, count good answers
 *   rawq hold ADDR PORT N SECONDS      open N idle TCP connections for SECONDS
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_storage addr;
static socklen_t addr_len;

static void set_addr(const char *host, const char *port)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)&addr;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&addr;
	memset(&addr, 0, sizeof(addr));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)atoi(port));
		addr_len = sizeof(*a4);
	} else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)atoi(port));
		addr_len = sizeof(*a6);
	} else {
		fprintf(stderr, "rawq: bad address %s\n", host);
		exit(2);
	}
}

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	for (const char *p = hex; *p && n < cap;) {
		if (*p == ' ' || *p == ':' || *p == '.') {
			p++;
			continue;
		}
		unsigned v;
		if (sscanf(p, "%2x", &v) != 1) {
			fprintf(stderr, "rawq: bad hex near '%s'\n", p);
			exit(2);
		}
		out[n++] = (uint8_t)v;
		p += 2;
	}
	return n;
}

static void summary(const uint8_t *r, size_t len)
{
	if (len < 12) {
		printf("short len=%zu\n", len);
		return;
	}
	static const char *const rcodes[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED" };
	unsigned rc = r[3] & 0xf;
	printf("id=%u rcode=%s flags=%s%s%s%s%s qd=%u an=%u ns=%u ar=%u len=%zu\n", (r[0] << 8) | r[1],
		rc < 6 ? rcodes[rc] : "OTHER", r[2] & 0x80 ? "qr" : "", r[2] & 0x04 ? ",aa" : "", r[2] & 0x02 ? ",tc" : "",
		r[2] & 0x01 ? ",rd" : "", r[3] & 0x10 ? ",cd" : "", (r[4] << 8) | r[5], (r[6] << 8) | r[7],
		(r[8] << 8) | r[9], (r[10] << 8) | r[11], len);
}

static int wait_read(int fd, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	return poll(&p, 1, ms);
}

static int cmd_udp(const char *hex)
{
	uint8_t q[65536], r[65536];
	size_t n = unhex(hex, q, sizeof(q));
	int fd = socket(addr.ss_family, SOCK_DGRAM, 0);
	if (sendto(fd, q, n, 0, (struct sockaddr *)&addr, addr_len) == -1) {
		perror("rawq: sendto");
		return 2;
	}
	if (wait_read(fd, 2000) <= 0) {
		printf("timeout\n");
		return 1;
	}
	ssize_t got = recv(fd, r, sizeof(r), 0);
	summary(r, got > 0 ? (size_t)got : 0);
	close(fd);
	return 0;
}

static int tcp_connect(void)
{
	int fd = socket(addr.ss_family, SOCK_STREAM, 0);
	if (connect(fd, (struct sockaddr *)&addr, addr_len) == -1) {
		perror("rawq: connect");
		exit(2);
	}
	return fd;
}

static bool read_full(int fd, uint8_t *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		if (wait_read(fd, 5000) <= 0)
			return false;
		ssize_t r = recv(fd, buf + got, n - got, 0);
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

static int cmd_tcp(int argc, char **argv)
{
	static uint8_t all[1 << 20], r[65536];
	size_t len = 0;
	for (int i = 0; i < argc; i++) {
		size_t n = unhex(argv[i], all + len + 2, sizeof(all) - len - 2);
		all[len] = (uint8_t)(n >> 8);
		all[len + 1] = (uint8_t)n;
		len += 2 + n;
	}
	int fd = tcp_connect();
	if (send(fd, all, len, MSG_NOSIGNAL) != (ssize_t)len) {
		perror("rawq: send");
		return 2;
	}
	int answered = 0;
	for (;;) {
		uint8_t l[2];
		if (!read_full(fd, l, 2))
			break;
		size_t n = (size_t)((l[0] << 8) | l[1]);
		if (!read_full(fd, r, n))
			break;
		summary(r, n);
		answered++;
		if (answered == argc)
			break;
	}
	printf("answers=%d\n", answered);
	close(fd);
	return answered == argc ? 0 : 1;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmd_idle(double limit)
{
	int fd = tcp_connect();
	double start = now();
	uint8_t b[16];
	while (now() - start < limit) {
		if (wait_read(fd, 100) > 0) {
			ssize_t r = recv(fd, b, sizeof(b), 0);
			if (r <= 0) {
				printf("closed after %.1f s\n", now() - start);
				return 0;
			}
		}
	}
	printf("still open after %.1f s\n", limit);
	return 1;
}

static int cmd_hold(int n, double seconds)
{
	int *fds = calloc((size_t)n, sizeof(int));
	for (int i = 0; i < n; i++)
		fds[i] = tcp_connect();
	printf("holding %d connections\n", n);
	fflush(stdout);
	usleep((useconds_t)(seconds * 1e6));
	for (int i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	return 0;
}

static int cmd_loop(const char *name, const char *type, long count)
{
	ldns_rdf *qname = ldns_dname_new_frm_str(name);
	ldns_rr_type qtype = ldns_get_rr_type_by_name(type);
	long ok = 0, bad = 0, lost = 0;
	int fd = socket(addr.ss_family, SOCK_DGRAM, 0);
	for (long i = 0; i < count; i++) {
		ldns_pkt *q = ldns_pkt_query_new(ldns_rdf_clone(qname), qtype, LDNS_RR_CLASS_IN, 0);
		ldns_pkt_set_id(q, (uint16_t)i);
		uint8_t *wire;
		size_t wlen;
		ldns_pkt2wire(&wire, q, &wlen);
		ldns_pkt_free(q);
		int tries = 0;
		for (;;) {
			sendto(fd, wire, wlen, 0, (struct sockaddr *)&addr, addr_len);
			if (wait_read(fd, 1000) > 0)
				break;
			if (++tries == 3)
				break;
		}
		free(wire);
		if (tries == 3) {
			lost++;
			continue;
		}
		uint8_t r[65536];
		ssize_t got = recv(fd, r, sizeof(r), 0);
		ldns_pkt *p = NULL;
		if (got > 0 && ldns_wire2pkt(&p, r, (size_t)got) == LDNS_STATUS_OK && ldns_pkt_id(p) == (uint16_t)i &&
		    ldns_pkt_get_rcode(p) == LDNS_RCODE_NOERROR && ldns_pkt_ancount(p) > 0)
			ok++;
		else
			bad++;
		ldns_pkt_free(p);
	}
	ldns_rdf_deep_free(qname);
	printf("ok=%ld bad=%ld lost=%ld\n", ok, bad, lost);
	return bad || lost ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: rawq udp|tcp|idle|loop|hold ADDR PORT ...\n");
		return 2;
	}
	set_addr(argv[2], argv[3]);
	if (strcmp(argv[1], "udp") == 0)
		return cmd_udp(argv[4]);
	if (strcmp(argv[1], "tcp") == 0)
		return cmd_tcp(argc - 4, argv + 4);
	if (strcmp(argv[1], "idle") == 0)
		return cmd_idle(atof(argv[4]));
	if (strcmp(argv[1], "hold") == 0 && argc == 6)
		return cmd_hold(atoi(argv[4]), atof(argv[5]));
	if (strcmp(argv[1], "loop") == 0 && argc == 7)
		return cmd_loop(argv[4], argv[5], atol(argv[6]));
	fprintf(stderr, "rawq: unknown command %s\n", argv[1]);
	return 2;
}
