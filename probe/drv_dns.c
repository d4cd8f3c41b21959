/*
 * probe/drv_dns: a dns probe asks the member one question through c-ares
 * and judges the answer's rcode and, optionally, its answer section.
 *
 * Each probe owns a c-ares channel whose only server is the member, so a
 * slow member holds up nobody else. The channel is driven by the loop
 * through the c-ares 1.18 API: the socket-state callback keeps an ev_io per
 * socket, ares_timeout arms an ev_timer, ares_process_fd does the work.
 * ARES_FLAG_NOCHECKRESP makes SERVFAIL and REFUSED answers come back as
 * answers instead of being retried; the query goes out with ares_send so
 * the raw answer, whatever its rcode, reaches lns_probe_dns_judge.
 *
 * The c-ares callback only records the outcome: a channel must not be
 * destroyed from inside its own callbacks, so the op is finished (and the
 * channel destroyed) once ares_process_fd or ares_send has returned.
 */
#include "config.h"

#define LNS_PROBE_DRIVERS_INTERNAL
#include "probe/probe_drivers.h"

#include <ares.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct dns_sock {
	ev_io io;
	struct dns_state *st;
	struct dns_sock *next;
} dns_sock_t;

typedef struct dns_state {
	lns_probe_op_t *op;
	ares_channel ch;
	ev_timer timer;
	dns_sock_t *socks;
	unsigned want_rcode;
	char *want_answer;
	bool closing;  /* ares_destroy runs: its callbacks mean nothing */
	bool answered; /* ok and reason hold the outcome */
	bool ok;
	char reason[LNS_REASON_MAX];
} dns_state_t;

static void after_ares(dns_state_t *st);

static void dns_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	dns_state_t *st = ((dns_sock_t *)w->data)->st;
	ares_socket_t fd = w->fd; /* w may be freed inside ares_process_fd */
	ares_process_fd(st->ch, revents & EV_READ ? fd : ARES_SOCKET_BAD, revents & EV_WRITE ? fd : ARES_SOCKET_BAD);
	after_ares(st);
}

static void dns_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	dns_state_t *st = w->data;
	ares_process_fd(st->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	after_ares(st);
}

static void sock_state_cb(void *data, ares_socket_t fd, int readable, int writable)
{
	dns_state_t *st = data;
	struct ev_loop *loop = st->op->env->loop;
	dns_sock_t **pp = &st->socks;
	while (*pp && (*pp)->io.fd != fd)
		pp = &(*pp)->next;
	dns_sock_t *s = *pp;
	if (!readable && !writable) {
		if (s) {
			ev_io_stop(loop, &s->io);
			*pp = s->next;
			free(s);
		}
		return;
	}
	int events = (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0);
	if (!s) {
		s = lns_xcalloc(1, sizeof(*s));
		s->st = st;
		s->next = st->socks;
		st->socks = s;
		ev_io_init(&s->io, dns_io_cb, fd, events);
		s->io.data = s;
	} else {
		ev_io_stop(loop, &s->io);
		ev_io_set(&s->io, fd, events);
	}
	ev_io_start(loop, &s->io);
}

static void answer_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	dns_state_t *st = arg;
	if (st->closing || st->answered)
		return;
	st->answered = true;
	switch (status) {
	case ARES_SUCCESS:
		st->ok = lns_probe_dns_judge(abuf, alen > 0 ? (size_t)alen : 0, st->want_rcode, st->want_answer,
			st->reason, sizeof(st->reason));
		break;
	case ARES_ETIMEOUT: snprintf(st->reason, sizeof(st->reason), "timeout %u ms", st->op->timeout_ms); break;
	case ARES_ECONNREFUSED: snprintf(st->reason, sizeof(st->reason), "connection refused"); break;
	case ARES_EBADRESP: snprintf(st->reason, sizeof(st->reason), "bad response"); break;
	default: snprintf(st->reason, sizeof(st->reason), "dns: %s", ares_strerror(status)); break;
	}
}

/* Finishes the op once c-ares has answered (this frees st), else re-arms
 * the timer c-ares wants. */
static void after_ares(dns_state_t *st)
{
	if (st->answered) {
		lns_probe_op_finish(st->op, st->ok, "%s", st->reason);
		return;
	}
	struct ev_loop *loop = st->op->env->loop;
	struct timeval tv;
	ev_timer_stop(loop, &st->timer);
	if (ares_timeout(st->ch, NULL, &tv)) {
		ev_timer_set(&st->timer, (double)tv.tv_sec + tv.tv_usec / 1e6, 0.);
		ev_timer_start(loop, &st->timer);
	}
}

static int set_server(ares_channel ch, const lns_addr_t *addr)
{
	struct ares_addr_port_node node;
	memset(&node, 0, sizeof(node));
	node.family = addr->ss.ss_family;
	if (node.family == AF_INET)
		memcpy(&node.addr.addr4, &((const struct sockaddr_in *)&addr->ss)->sin_addr, 4);
	else
		memcpy(&node.addr.addr6, &((const struct sockaddr_in6 *)&addr->ss)->sin6_addr, 16);
	node.udp_port = node.tcp_port = lns_addr_port(addr);
	return ares_set_servers_ports(ch, &node);
}

static void dns_start(lns_probe_op_t *op, const lns_probe_target_t *t)
{
	const lns_probe_conf_t *c = t->conf;
	const char *qname = c->dns_qname && *c->dns_qname ? c->dns_qname : t->default_qname;
	if (!qname || !*qname) {
		lns_probe_op_finish(op, false, "no query name");
		return;
	}
	dns_state_t *st = lns_xcalloc(1, sizeof(*st));
	st->op = op;
	st->want_rcode = c->dns_rcode;
	st->want_answer = c->dns_answer && *c->dns_answer ? lns_xstrdup(c->dns_answer) : NULL;
	ev_timer_init(&st->timer, dns_timer_cb, 0., 0.);
	st->timer.data = st;
	op->drv_state = st;

	/* Servers, domains and sort list are given (as none) so that c-ares
	 * has no reason to read /etc/resolv.conf for every probe. */
	struct ares_options o;
	memset(&o, 0, sizeof(o));
	o.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
	o.timeout = (int)op->timeout_ms;
	o.tries = 1;
	o.ndots = 1;
	o.lookups = (char *)"b";
	o.sock_state_cb = sock_state_cb;
	o.sock_state_cb_data = st;
	int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_NDOTS | ARES_OPT_LOOKUPS |
		ARES_OPT_SOCK_STATE_CB | ARES_OPT_SERVERS | ARES_OPT_DOMAINS | ARES_OPT_SORTLIST;
	int rc = ares_init_options(&st->ch, &o, mask);
	if (rc != ARES_SUCCESS) {
		st->ch = NULL;
		lns_probe_op_finish(op, false, "dns: %s", ares_strerror(rc));
		return;
	}
	rc = set_server(st->ch, &t->addr);
	if (rc != ARES_SUCCESS) {
		lns_probe_op_finish(op, false, "dns: %s", ares_strerror(rc));
		return;
	}
	unsigned char *q = NULL;
	int qlen = 0;
	unsigned qtype = c->dns_qtype ? c->dns_qtype : 1 /* A */;
	rc = ares_create_query(qname, 1 /* IN */, (int)qtype, 0, 1, &q, &qlen, 0);
	if (rc != ARES_SUCCESS) {
		lns_probe_op_finish(op, false, "bad query name");
		return;
	}
	ares_send(st->ch, q, qlen, answer_cb, st);
	ares_free_string(q);
	after_ares(st);
}

static void dns_stop(lns_probe_op_t *op)
{
	dns_state_t *st = op->drv_state;
	struct ev_loop *loop = op->env->loop;
	op->drv_state = NULL;
	st->closing = true;
	if (st->ch)
		ares_destroy(st->ch); /* closes its sockets through sock_state_cb */
	while (st->socks) {
		dns_sock_t *s = st->socks;
		st->socks = s->next;
		ev_io_stop(loop, &s->io);
		free(s);
	}
	ev_timer_stop(loop, &st->timer);
	free(st->want_answer);
	free(st);
}

const lns_probe_driver_t lns_probe_dns_driver = { "dns", dns_start, dns_stop, NULL };

/* ---- judging an answer ---- */

const char *lns_probe_rcode_name(unsigned rcode)
{
	static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
		"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI", "RCODE12", "RCODE13",
		"RCODE14", "RCODE15" };
	return rcode < sizeof(names) / sizeof(names[0]) ? names[rcode] : "RCODE?";
}

/* Moves *off past the name there; false when it runs past len or is not
 * a name (compression pointers end it, label types 01 and 10 are bad). */
static bool skip_name(const uint8_t *p, size_t len, size_t *off)
{
	size_t o = *off;
	for (;;) {
		if (o >= len)
			return false;
		uint8_t l = p[o];
		if ((l & 0xC0) == 0xC0) {
			if (o + 2 > len)
				return false;
			*off = o + 2;
			return true;
		}
		if (l & 0xC0)
			return false;
		o += 1u + l;
		if (l == 0) {
			*off = o;
			return true;
		}
	}
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* TXT: the character-strings of rdata joined equal want. */
static bool txt_holds(const uint8_t *rd, size_t rdlen, const char *want)
{
	size_t wl = strlen(want), pos = 0, o = 0;
	while (o < rdlen) {
		size_t l = rd[o++];
		if (l > rdlen - o || l > wl - pos || memcmp(rd + o, want + pos, l) != 0)
			return false;
		pos += l;
		o += l;
	}
	return pos == wl;
}

static bool name_holds(const uint8_t *abuf, size_t alen, size_t off, const char *want)
{
	char *name = NULL;
	long enclen;
	if (ares_expand_name(abuf + off, abuf, (int)alen, &name, &enclen) != ARES_SUCCESS)
		return false;
	size_t wl = strlen(want), nl = strlen(name);
	if (wl > 0 && want[wl - 1] == '.')
		wl--;
	if (nl > 0 && name[nl - 1] == '.')
		nl--;
	bool same = wl == nl && strncasecmp(name, want, wl) == 0;
	ares_free_string(name);
	return same;
}

static bool rr_holds(const uint8_t *abuf, size_t alen, unsigned type, size_t off, size_t rdlen, const char *want)
{
	uint8_t a[16];
	const uint8_t *rd = abuf + off;
	switch (type) {
	case 1: return rdlen == 4 && inet_pton(AF_INET, want, a) == 1 && memcmp(rd, a, 4) == 0;
	case 28: return rdlen == 16 && inet_pton(AF_INET6, want, a) == 1 && memcmp(rd, a, 16) == 0;
	case 16: return txt_holds(rd, rdlen, want);
	case 2:  /* NS */
	case 5:  /* CNAME */
	case 12: /* PTR */
	case 39: /* DNAME */ return rdlen > 0 && name_holds(abuf, off + rdlen, off, want);
	case 15: /* MX */ return rdlen > 2 && name_holds(abuf, off + rdlen, off + 2, want);
	default: return false;
	}
}

bool lns_probe_dns_judge(const uint8_t *abuf, size_t alen, unsigned want_rcode, const char *want_answer,
	char *reason, size_t size)
{
	if (!abuf || alen < 12 || !(abuf[2] & 0x80))
		goto bad;
	unsigned rcode = abuf[3] & 0x0F;
	if (rcode != want_rcode) {
		snprintf(reason, size, "rcode %s", lns_probe_rcode_name(rcode));
		return false;
	}
	if (!want_answer) {
		snprintf(reason, size, "ok");
		return true;
	}
	unsigned qd = get16(abuf + 4), an = get16(abuf + 6);
	size_t off = 12;
	for (unsigned i = 0; i < qd; i++) {
		if (!skip_name(abuf, alen, &off) || alen - off < 4)
			goto bad;
		off += 4;
	}
	for (unsigned i = 0; i < an; i++) {
		if (!skip_name(abuf, alen, &off) || alen - off < 10)
			goto bad;
		unsigned type = get16(abuf + off);
		size_t rdlen = get16(abuf + off + 8);
		off += 10;
		if (rdlen > alen - off)
			goto bad;
		/* Names inside rdata may point anywhere before: the whole
		 * message up to the end of this rdata is theirs to use. */
		if (rr_holds(abuf, alen, type, off, rdlen, want_answer)) {
			snprintf(reason, size, "ok");
			return true;
		}
		off += rdlen;
	}
	snprintf(reason, size, "answer lacks %.64s", want_answer);
	return false;
bad:
	snprintf(reason, size, "bad response");
	return false;
}
