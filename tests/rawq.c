/*
 * rawq: a test client that sends what real clients would not: raw packets
 * given in hex, pipelined TCP messages, idle connections; and a counted
 * query loop. It prints a one-line summary of each response so that shell
 * tests can assert on it (with "ede=N" at the end when the answer carries an
 * Extended DNS Error).
 *
 *   rawq [-b SOURCE] COMMAND ADDR PORT ...   -b: send from this local address
 *   rawq udp ADDR PORT HEX             one packet, print the response or "timeout"
 *   rawq tcp ADDR PORT HEX [HEX ...]   messages pipelined on one connection
 *   rawq seq ADDR PORT HEX [HEX ...]   one connection, each message sent after the
 *                                      previous answer
 *   rawq wait ADDR PORT SECONDS HEX    one message over TCP, report how long the answer
 *                                      took, or that none came within SECONDS
 *   rawq idle ADDR PORT SECONDS        connect, send nothing, report when closed
 *   rawq loop ADDR PORT NAME TYPE N    N queries over UDP, each retried twice after
 *                                      1 s; count good, bad and lost answers (gives up
 *                                      early when 3 in a row are lost)
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

static struct sockaddr_storage addr, source;
static socklen_t addr_len, source_len;

static socklen_t parse_addr(const char *host, const char *port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)atoi(port));
		return sizeof(*a4);
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)atoi(port));
		return sizeof(*a6);
	}
	fprintf(stderr, "rawq: bad address %s\n", host);
	exit(2);
}

/* A socket towards the server, bound to the -b source address if one was given. */
static int new_socket(int type)
{
	int fd = socket(addr.ss_family, type, 0);
	if (fd == -1 || (source_len && bind(fd, (struct sockaddr *)&source, source_len) == -1)) {
		perror("rawq: socket");
		exit(2);
	}
	return fd;
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

/* EDNS option 15 (RFC 8914): the first two bytes are the info code. */
static void print_ede(const uint8_t *r, size_t len)
{
	ldns_pkt *p = NULL;
	if (ldns_wire2pkt(&p, r, len) != LDNS_STATUS_OK)
		return;
	const ldns_rdf *opts = ldns_pkt_edns_data(p);
	const uint8_t *o = opts ? ldns_rdf_data(opts) : NULL;
	size_t n = opts ? ldns_rdf_size(opts) : 0;
	for (size_t i = 0; i + 4 <= n;) {
		unsigned code = (unsigned)((o[i] << 8) | o[i + 1]), olen = (unsigned)((o[i + 2] << 8) | o[i + 3]);
		if (code == 15 && olen >= 2 && i + 6 <= n)
			printf(" ede=%u", (unsigned)((o[i + 4] << 8) | o[i + 5]));
		i += 4 + olen;
	}
	ldns_pkt_free(p);
}

static void summary(const uint8_t *r, size_t len)
{
	if (len < 12) {
		printf("short len=%zu\n", len);
		return;
	}
	static const char *const rcodes[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
		"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE" };
	unsigned rc = r[3] & 0xf;
	printf("id=%u rcode=%s flags=%s%s%s%s%s qd=%u an=%u ns=%u ar=%u len=%zu", (r[0] << 8) | r[1],
		rc < 11 ? rcodes[rc] : "OTHER", r[2] & 0x80 ? "qr" : "", r[2] & 0x04 ? ",aa" : "", r[2] & 0x02 ? ",tc" : "",
		r[2] & 0x01 ? ",rd" : "", r[3] & 0x10 ? ",cd" : "", (r[4] << 8) | r[5], (r[6] << 8) | r[7],
		(r[8] << 8) | r[9], (r[10] << 8) | r[11], len);
	print_ede(r, len);
	printf("\n");
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
	int fd = new_socket(SOCK_DGRAM);
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
	int fd = new_socket(SOCK_STREAM);
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

/* Reads one length-prefixed message and prints its summary; false at EOF or timeout. */
static bool read_answer(int fd)
{
	static uint8_t r[65536];
	uint8_t l[2];
	if (!read_full(fd, l, 2))
		return false;
	size_t n = (size_t)((l[0] << 8) | l[1]);
	if (!read_full(fd, r, n))
		return false;
	summary(r, n);
	return true;
}

static size_t frame(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = unhex(hex, out + 2, cap - 2);
	out[0] = (uint8_t)(n >> 8);
	out[1] = (uint8_t)n;
	return 2 + n;
}

static bool send_all(int fd, const uint8_t *buf, size_t len)
{
	if (send(fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len) {
		perror("rawq: send");
		return false;
	}
	return true;
}

/* Pipelined: every message in one send, then the answers. */
static int cmd_tcp(int argc, char **argv)
{
	static uint8_t all[1 << 20];
	size_t len = 0;
	for (int i = 0; i < argc; i++)
		len += frame(argv[i], all + len, sizeof(all) - len);
	int fd = tcp_connect();
	if (!send_all(fd, all, len))
		return 2;
	int answered = 0;
	while (answered < argc && read_answer(fd))
		answered++;
	printf("answers=%d\n", answered);
	close(fd);
	return answered == argc ? 0 : 1;
}

/* One at a time: the next message goes only after the previous answer. */
static int cmd_seq(int argc, char **argv)
{
	static uint8_t msg[65536 + 2];
	int fd = tcp_connect();
	int answered = 0;
	for (int i = 0; i < argc; i++) {
		if (!send_all(fd, msg, frame(argv[i], msg, sizeof(msg))) || !read_answer(fd))
			break;
		answered++;
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

/* The connection may wait in the kernel's backlog while the server is at its
 * connection limit: the answer then comes only once a slot frees. */
static int cmd_wait(double limit, const char *hex)
{
	static uint8_t msg[65536 + 2], r[65536 + 2];
	int fd = tcp_connect();
	double start = now();
	if (!send_all(fd, msg, frame(hex, msg, sizeof(msg))))
		return 2;
	size_t got = 0, need = 2;
	while (got < need) {
		double left = limit - (now() - start);
		if (left <= 0 || wait_read(fd, (int)(left * 1000) + 1) <= 0) {
			printf("no answer after %.1f s\n", limit);
			return 1;
		}
		ssize_t n = recv(fd, r + got, need - got, 0);
		if (n <= 0) {
			printf("closed after %.1f s\n", now() - start);
			return 1;
		}
		got += (size_t)n;
		if (got == 2 && need == 2)
			need = 2 + (size_t)((r[0] << 8) | r[1]);
	}
	printf("answered after %.1f s: ", now() - start);
	summary(r + 2, need - 2);
	close(fd);
	return 0;
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

/* Waits until DEADLINE for the answer to query ID: 1 if it is a good answer,
 * 2 if not, 0 if none came. A late answer to an earlier, retried query is
 * skipped rather than taken for this one. */
static int loop_answer(int fd, uint16_t id, double deadline)
{
	uint8_t r[65536];
	for (;;) {
		double left = deadline - now();
		if (left <= 0 || wait_read(fd, (int)(left * 1000) + 1) <= 0)
			return 0;
		ssize_t got = recv(fd, r, sizeof(r), 0);
		if (got >= 2 && ((r[0] << 8) | r[1]) != id)
			continue;
		ldns_pkt *p = NULL;
		bool good = got > 0 && ldns_wire2pkt(&p, r, (size_t)got) == LDNS_STATUS_OK &&
			ldns_pkt_get_rcode(p) == LDNS_RCODE_NOERROR && ldns_pkt_ancount(p) > 0;
		ldns_pkt_free(p);
		return good ? 1 : 2;
	}
}

static int cmd_loop(const char *name, const char *type, long count)
{
	ldns_rdf *qname = ldns_dname_new_frm_str(name);
	ldns_rr_type qtype = ldns_get_rr_type_by_name(type);
	long ok = 0, bad = 0, lost = 0, lost_in_a_row = 0;
	int fd = new_socket(SOCK_DGRAM);
	for (long i = 0; i < count && lost_in_a_row < 3; i++) {
		ldns_pkt *q = ldns_pkt_query_new(ldns_rdf_clone(qname), qtype, LDNS_RR_CLASS_IN, 0);
		ldns_pkt_set_id(q, (uint16_t)i);
		uint8_t *wire;
		size_t wlen;
		ldns_pkt2wire(&wire, q, &wlen);
		ldns_pkt_free(q);
		int verdict = 0; /* 0 lost, 1 good, 2 bad */
		for (int tries = 0; tries < 3 && !verdict; tries++) {
			sendto(fd, wire, wlen, 0, (struct sockaddr *)&addr, addr_len);
			verdict = loop_answer(fd, (uint16_t)i, now() + 1.0);
		}
		free(wire);
		ok += verdict == 1;
		bad += verdict == 2;
		lost += verdict == 0;
		lost_in_a_row = verdict == 0 ? lost_in_a_row + 1 : 0;
	}
	ldns_rdf_deep_free(qname);
	printf("ok=%ld bad=%ld lost=%ld\n", ok, bad, lost);
	return bad || lost ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "-b") == 0) {
		source_len = parse_addr(argv[2], "0", &source);
		argc -= 2;
		argv += 2;
	}
	if (argc < 5) {
		fprintf(stderr, "usage: rawq [-b SOURCE] udp|tcp|seq|wait|idle|loop|hold ADDR PORT ...\n");
		return 2;
	}
	addr_len = parse_addr(argv[2], argv[3], &addr);
	if (strcmp(argv[1], "udp") == 0)
		return cmd_udp(argv[4]);
	if (strcmp(argv[1], "tcp") == 0)
		return cmd_tcp(argc - 4, argv + 4);
	if (strcmp(argv[1], "seq") == 0)
		return cmd_seq(argc - 4, argv + 4);
	if (strcmp(argv[1], "wait") == 0 && argc == 6)
		return cmd_wait(atof(argv[4]), argv[5]);
	if (strcmp(argv[1], "idle") == 0)
		return cmd_idle(atof(argv[4]));
	if (strcmp(argv[1], "hold") == 0 && argc == 6)
		return cmd_hold(atoi(argv[4]), atof(argv[5]));
	if (strcmp(argv[1], "loop") == 0 && argc == 7)
		return cmd_loop(argv[4], argv[5], atol(argv[6]));
	fprintf(stderr, "rawq: unknown command %s\n", argv[1]);
	return 2;
}
