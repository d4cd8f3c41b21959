/*
 * probe/drv_icmp: an icmp probe sends one echo request and succeeds when
 * the matching echo reply (same identifier, sequence number and source
 * address) comes back within the timeout.
 *
 * The env shares one socket per address family, opened on first use: an
 * unprivileged ping socket (SOCK_DGRAM, IPPROTO_ICMP[V6]; the kernel allows
 * it when our group is in net.ipv4.ping_group_range, and then picks the
 * identifier and filters replies by it) when the kernel allows it, else a
 * raw socket (needs CAP_NET_RAW; it sees every ICMP message of the host, so
 * a filter and the parser keep only our echo replies). Its ev_io runs only
 * while some echo is pending, so an idle env keeps no watcher active.
 *
 * Started as root, levelnsd opens both sockets before giving up root
 * (lns_probe_icmp_preopen) and keeps them for the life of the process:
 * the first env to probe a family uses that socket instead of opening its
 * own, so no capability is needed after the drop. Thread: the control
 * thread (preopen: the main thread, before probing starts).
 */
#include "config.h"

#define LNS_PROBE_DRIVERS_INTERNAL
#include "probe/probe_drivers.h"

#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef ICMP_FILTER
#define ICMP_FILTER 1 /* linux/icmp.h: SOL_RAW option, a mask of types to drop */
#endif

typedef struct icmp_sock {
	int fd; /* -1 until opened */
	bool raw;
	bool kept; /* one of the preopened sockets: not closed with the env */
	uint16_t id;
	uint16_t next_seq;
	unsigned pending; /* echoes waiting for a reply: the ev_io runs while > 0 */
	ev_io io;
} icmp_sock_t;

typedef struct icmp_state {
	lns_probe_op_t *op;
	struct icmp_state *prev, *next;
	icmp_sock_t *sock;
	uint16_t seq;
	lns_addr_t addr;
} icmp_state_t;

struct lns_probe_icmp_env {
	lns_probe_env_t *env;
	icmp_sock_t v4, v6;
	icmp_state_t *pending;
};

/* ---- packets (pure) ---- */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint16_t checksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	for (; len > 1; p += 2, len -= 2)
		sum += get16(p);
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)~sum;
}

size_t lns_probe_icmp_build_request(int family, uint16_t id, uint16_t seq, uint8_t *buf, size_t size)
{
	static const char payload[32] = "levelns echo probe payload 0123";
	size_t len = 8 + sizeof(payload);
	if (size < len)
		return 0;
	memset(buf, 0, len);
	buf[0] = family == AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
	buf[4] = (uint8_t)(id >> 8);
	buf[5] = (uint8_t)id;
	buf[6] = (uint8_t)(seq >> 8);
	buf[7] = (uint8_t)seq;
	memcpy(buf + 8, payload, sizeof(payload));
	if (family == AF_INET) {
		uint16_t c = checksum(buf, len);
		buf[2] = (uint8_t)(c >> 8);
		buf[3] = (uint8_t)c;
	}
	return len;
}

int lns_probe_icmp_parse_reply(int family, bool ip_header, const void *pkt, size_t len, uint16_t *id,
	uint16_t *seq)
{
	const uint8_t *p = pkt;
	if (!p)
		return -EBADMSG;
	if (family == AF_INET && ip_header) {
		if (len < 20 || p[0] >> 4 != 4)
			return -EBADMSG;
		size_t ihl = (size_t)(p[0] & 0x0F) * 4, total = get16(p + 2);
		if (ihl < 20 || total < ihl || total > len || p[9] != IPPROTO_ICMP)
			return -EBADMSG;
		p += ihl;
		len = total - ihl;
	}
	if (len < 8)
		return -EBADMSG;
	if (family == AF_INET && checksum(p, len) != 0)
		return -EBADMSG;
	unsigned reply = family == AF_INET6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY;
	if (p[0] != reply || p[1] != 0)
		return -ENOMSG;
	*id = get16(p + 4);
	*seq = get16(p + 6);
	return 0;
}

bool lns_probe_icmp_is_reply(int family, bool ip_header, const void *pkt, size_t len, uint16_t id, uint16_t seq)
{
	uint16_t rid, rseq;
	return lns_probe_icmp_parse_reply(family, ip_header, pkt, len, &rid, &rseq) == 0 && rid == id && rseq == seq;
}

/* ---- sockets ---- */

static bool same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr == ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
}

static void deliver(struct lns_probe_icmp_env *ie, icmp_sock_t *s, int family, const uint8_t *pkt, size_t len,
	const struct sockaddr_storage *from)
{
	uint16_t id, seq;
	if (lns_probe_icmp_parse_reply(family, family == AF_INET && s->raw, pkt, len, &id, &seq) != 0 || id != s->id)
		return;
	for (icmp_state_t *st = ie->pending; st; st = st->next)
		if (st->sock == s && st->seq == seq && same_host(&st->addr.ss, from)) {
			lns_probe_op_finish(st->op, true, "ok"); /* unlinks st */
			return;
		}
}

static void icmp_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct lns_probe_icmp_env *ie = w->data;
	icmp_sock_t *s = w == &ie->v4.io ? &ie->v4 : &ie->v6;
	int family = s == &ie->v4 ? AF_INET : AF_INET6;
	uint8_t buf[2048];
	/* A bounded batch: a flood of other hosts' ICMP cannot hold the loop. */
	for (int n = 0; n < 64; n++) {
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof(from);
		ssize_t r = recvfrom(s->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			return; /* EAGAIN, or an error queued for the socket: nothing to read */
		}
		deliver(ie, s, family, buf, (size_t)r, &from);
	}
}

/* A socket of family: a ping socket, else a raw one. Returns the fd or a
 * negative errno; raw and id say which and the echo identifier. */
static int open_fd(int family, bool *raw, uint16_t *id)
{
	int proto = family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	*raw = false;
	if (fd == -1) {
		fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
		if (fd == -1)
			return -errno;
		*raw = true;
	}
	*id = 0;
	if (*raw) {
		if (getrandom(id, sizeof(*id), GRND_NONBLOCK) != (ssize_t)sizeof(*id))
			*id = (uint16_t)(getpid() ^ fd ^ family);
		if (family == AF_INET) {
			uint32_t drop = ~(1U << ICMP_ECHOREPLY);
			(void)setsockopt(fd, SOL_RAW, ICMP_FILTER, &drop, sizeof(drop));
		} else {
			struct icmp6_filter f;
			ICMP6_FILTER_SETBLOCKALL(&f);
			ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
			(void)setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
		}
	} else {
		/* A ping socket's identifier is its "port": bind to 0 and
		 * the kernel picks a free one. */
		struct sockaddr_storage ss;
		memset(&ss, 0, sizeof(ss));
		ss.ss_family = (sa_family_t)family;
		socklen_t len = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
		if (bind(fd, (struct sockaddr *)&ss, len) == -1 || getsockname(fd, (struct sockaddr *)&ss, &len) == -1) {
			int e = errno;
			close(fd);
			return -e;
		}
		*id = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					      : ((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	return fd;
}

/* The preopened sockets, [0] IPv4 and [1] IPv6: fd -1 when not opened;
 * used while an env has it. */
static struct kept_sock {
	int fd;
	bool raw, used;
	uint16_t id;
} kept[2] = { { .fd = -1 }, { .fd = -1 } };

int lns_probe_icmp_preopen(char *desc, size_t size)
{
	static const int families[2] = { AF_INET, AF_INET6 };
	int n = 0;
	size_t off = 0;
	if (desc && size)
		desc[0] = '\0';
	for (int i = 0; i < 2; i++) {
		struct kept_sock *k = &kept[i];
		int fd = k->fd;
		if (fd == -1 && (fd = open_fd(families[i], &k->raw, &k->id)) >= 0)
			k->fd = fd;
		int w = 0;
		if (desc && off < size)
			w = snprintf(desc + off, size - off, "%s%s %s", i ? ", " : "", i ? "IPv6" : "IPv4",
				fd >= 0 ? (k->raw ? "raw" : "ping") : strerror(-fd));
		if (w > 0)
			off += (size_t)w;
		if (fd >= 0)
			n++;
	}
	return n;
}

static int open_sock(struct lns_probe_icmp_env *ie, icmp_sock_t *s, int family)
{
	struct kept_sock *k = &kept[family == AF_INET ? 0 : 1];
	bool raw;
	uint16_t id;
	int fd;
	if (k->fd != -1 && !k->used) {
		k->used = true;
		fd = k->fd;
		raw = k->raw;
		id = k->id;
		s->kept = true;
	} else if ((fd = open_fd(family, &raw, &id)) < 0) {
		return fd;
	}
	s->fd = fd;
	s->raw = raw;
	s->id = id;
	(void)getrandom(&s->next_seq, sizeof(s->next_seq), GRND_NONBLOCK);
	ev_io_init(&s->io, icmp_io_cb, fd, EV_READ);
	s->io.data = ie;
	return 0;
}

static struct lns_probe_icmp_env *icmp_env(lns_probe_env_t *env)
{
	if (!env->icmp) {
		struct lns_probe_icmp_env *ie = lns_xcalloc(1, sizeof(*ie));
		ie->env = env;
		ie->v4.fd = ie->v6.fd = -1;
		env->icmp = ie;
	}
	return env->icmp;
}

void lns_probe_icmp_env_deinit(lns_probe_env_t *env)
{
	struct lns_probe_icmp_env *ie = env->icmp;
	if (!ie)
		return;
	icmp_sock_t *socks[] = { &ie->v4, &ie->v6 };
	for (int i = 0; i < 2; i++)
		if (socks[i]->fd != -1) {
			ev_io_stop(env->loop, &socks[i]->io);
			if (socks[i]->kept)
				kept[i].used = false; /* kept open for the next env */
			else
				close(socks[i]->fd);
		}
	free(ie);
	env->icmp = NULL;
}

/* ---- one echo ---- */

static void icmp_start(lns_probe_op_t *op, const lns_probe_target_t *t)
{
	struct lns_probe_icmp_env *ie = icmp_env(op->env);
	int family = t->addr.ss.ss_family;
	icmp_sock_t *s = family == AF_INET ? &ie->v4 : &ie->v6;
	int rc;
	if (s->fd == -1 && (rc = open_sock(ie, s, family)) != 0) {
		lns_probe_op_finish(op, false, "icmp socket: %s", strerror(-rc));
		return;
	}
	icmp_state_t *st = lns_xcalloc(1, sizeof(*st));
	st->op = op;
	st->sock = s;
	st->seq = s->next_seq++;
	st->addr = t->addr;
	st->next = ie->pending;
	if (ie->pending)
		ie->pending->prev = st;
	ie->pending = st;
	op->drv_state = st;
	if (s->pending++ == 0)
		ev_io_start(op->env->loop, &s->io);

	uint8_t pkt[64];
	size_t len = lns_probe_icmp_build_request(family, s->id, st->seq, pkt, sizeof(pkt));
	struct sockaddr_storage to = t->addr.ss;
	socklen_t tolen;
	if (family == AF_INET) {
		((struct sockaddr_in *)&to)->sin_port = 0;
		tolen = sizeof(struct sockaddr_in);
	} else {
		((struct sockaddr_in6 *)&to)->sin6_port = 0;
		tolen = sizeof(struct sockaddr_in6);
	}
	ssize_t r;
	do
		r = sendto(s->fd, pkt, len, 0, (struct sockaddr *)&to, tolen);
	while (r == -1 && errno == EINTR);
	if (r == -1)
		lns_probe_op_finish(op, false, "icmp send: %s", strerror(errno));
}

static void icmp_stop(lns_probe_op_t *op)
{
	icmp_state_t *st = op->drv_state;
	struct lns_probe_icmp_env *ie = op->env->icmp;
	op->drv_state = NULL;
	if (st->prev)
		st->prev->next = st->next;
	else
		ie->pending = st->next;
	if (st->next)
		st->next->prev = st->prev;
	if (--st->sock->pending == 0)
		ev_io_stop(op->env->loop, &st->sock->io);
	free(st);
}

const lns_probe_driver_t lns_probe_icmp_driver = { "icmp", icmp_start, icmp_stop, "no echo reply" };
