/*
 * probe/probe_drivers: the probe drivers. Each runs one asynchronous probe
 * of one member (icmp, tcp, http, https, dns, load) on a libev loop and
 * reports one result. When to probe, and what a result means for the
 * member's state, is the scheduler's business (probe/sched.c, probe/health.c).
 *
 * Drivers share per-loop state in an env: the libcurl multi handle for
 * http/https/load, the ICMP sockets (opened on first use, or preopened).
 * A dns probe owns its c-ares channel. Nothing blocks the loop and no probe waits for
 * another: every connect, send and receive is non-blocking and driven by
 * the loop's watchers.
 *
 * What each type does, and its reasons besides "ok" and "timeout N ms":
 *  - tcp: connects and closes. "connection refused", "connect: <errno text>".
 *  - http, https: GET scheme://addr:port/path, no proxy, no redirect
 *    followed, a fresh connection each time; the Host header is conf->host
 *    when set (https with a host name also uses it for SNI and the
 *    certificate check). Success: the status in [expect_lo, expect_hi]
 *    (200-399 when expect_hi is 0) and the body holding conf->body.
 *    "status 503", "body lacks 'x'", "body over 64 KiB", "bad response",
 *    "connection reset", "empty reply", "tls handshake failed",
 *    "tls certificate not trusted", ...
 *  - load: GET over http; success: a 2xx status and a body that is a
 *    number 0-100 (result.load). "status N", "bad load value".
 *  - dns: asks conf->dns_qname (else t->default_qname), type dns_qtype
 *    (else A), class IN, with RD set. Success: the rcode is dns_rcode and
 *    the answer holds dns_answer when set (see lns_probe_dns_judge).
 *    "rcode SERVFAIL", "answer lacks X", "bad response", "connection refused".
 *  - icmp: one echo request. "no echo reply" when none came in time,
 *    "icmp socket: <errno text>" when no ICMP socket can be opened.
 * A timeout_ms of 0 counts as 1 ms.
 *
 * Thread: everything, callbacks included, runs on the thread that runs the
 * env's loop (the control thread).
 * Ownership: the caller owns the env; the env owns its ops. The caller may
 * cancel an op until its done callback is called, and must not touch it
 * from then on (it is freed before done runs). lns_probe_start copies what
 * it needs from the target and its conf: they need to live only through
 * the call.
 */
#ifndef LNS_PROBE_PROBE_DRIVERS_H
#define LNS_PROBE_PROBE_DRIVERS_H

#include "core/health.h"
#include "core/pool.h"
#include "core/util.h"

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most of an HTTP body a probe keeps; a longer body fails the probe. */
#define LNS_PROBE_BODY_MAX (64 * 1024)

typedef struct lns_probe_result {
	bool ok;
	/* "ok", "connection refused", "timeout 400 ms", "status 503",
	 * "body lacks 'ok'", "bad load value", "rcode SERVFAIL", "no echo reply",
	 * "body over 64 KiB", "connection reset", "bad response", ... */
	char reason[LNS_REASON_MAX];
	double rtt_ms; /* from lns_probe_start to the result */
	int load;      /* load probe: 0-100 on success; -1 otherwise */
} lns_probe_result_t;

/* r is valid only during the call. */
typedef void (*lns_probe_done_cb)(void *arg, const lns_probe_result_t *r);

typedef struct lns_probe_env lns_probe_env_t;
typedef struct lns_probe_op lns_probe_op_t;

/* Driver state for loop. Returns NULL with err filled when libcurl or
 * c-ares cannot be set up. ICMP sockets (unless preopened, below) are
 * opened on the first icmp probe, so missing privileges fail icmp probes,
 * not this call. */
lns_probe_env_t *lns_probe_env_new(struct ev_loop *loop, lns_err_t *err);
/* Opens the IPv4 and IPv6 ICMP sockets now (each a ping socket, else a raw
 * one) and keeps them open for the life of the process: the first env to
 * probe a family uses its socket instead of opening one. Started as root,
 * levelnsd calls it before giving up root, so that icmp probes need no
 * capability after. A family that cannot be opened now is opened on first
 * use as before. desc (may be NULL) gets e.g. "IPv4 raw, IPv6 ping" or an
 * errno text for a family. Returns how many are open (0 to 2). Calling it
 * again opens only the missing ones. Main thread, before any probe. */
int lns_probe_icmp_preopen(char *desc, size_t size);
/* Cancels every outstanding probe (no callback is called), closes the
 * sockets and frees env. NULL is a no-op. Allowed from inside a done
 * callback: an op is detached from its env before its callback runs. */
void lns_probe_env_free(lns_probe_env_t *env);

typedef struct lns_probe_target {
	const lns_probe_conf_t *conf;
	lns_addr_t addr;           /* address and port to probe (the caller has chosen the port) */
	const char *default_qname; /* dns probes: the name asked when conf->dns_qname is NULL (the pool's name) */
} lns_probe_target_t;

/* Starts one probe of t->addr as t->conf says. done(arg, result) is called
 * exactly once, later, from the loop -- never from inside this call -- unless
 * the op is cancelled first. conf->timeout_ms bounds the whole probe.
 * Never returns NULL: a target that cannot be probed (no conf, an address
 * family other than IPv4/IPv6, an ICMP socket that cannot be opened, type
 * LNS_PROBE_NONE) gets a failed result through done like any other. */
lns_probe_op_t *lns_probe_start(lns_probe_env_t *env, const lns_probe_target_t *t, lns_probe_done_cb done,
	void *arg);
/* Stops op and frees it; its callback is not called. NULL is a no-op. Only
 * for an op whose callback has not run yet. */
void lns_probe_cancel(lns_probe_op_t *op);

/* ------------------------------------------------------------------------
 * Pure helpers, public so that unit tests can drive them with tables.
 * ------------------------------------------------------------------------ */

/* Parses a load body: a number 0-100, integer or decimal ("73", "42.5"),
 * surrounding whitespace allowed. Returns 0 with *load rounded (half up),
 * or -EINVAL. */
int lns_probe_parse_load(const char *body, size_t len, int *load);

/* Parses one packet read from an ICMP socket. family: AF_INET or AF_INET6.
 * ip_header: the packet starts with an IPv4 header (raw IPv4 sockets; ping
 * sockets and IPv6 sockets deliver the ICMP message alone). Returns 0 for an
 * echo reply, with its identifier and sequence number; -ENOMSG for any
 * other ICMP message; -EBADMSG for a truncated or malformed packet (an
 * IPv4 ICMP checksum that does not add up included). */
int lns_probe_icmp_parse_reply(int family, bool ip_header, const void *pkt, size_t len, uint16_t *id,
	uint16_t *seq);
/* True when pkt is the echo reply to the request (id, seq). */
bool lns_probe_icmp_is_reply(int family, bool ip_header, const void *pkt, size_t len, uint16_t id, uint16_t seq);
/* Writes an echo request (id, seq) with a small payload into buf and
 * returns its length (40), or 0 when size is smaller. IPv4 gets its
 * checksum; for ICMPv6 the kernel computes it. */
size_t lns_probe_icmp_build_request(int family, uint16_t id, uint16_t seq, uint8_t *buf, size_t size);

/* Judges a DNS answer (abuf, alen): true when its rcode is want_rcode and,
 * when want_answer is not NULL, a record of its answer section holds it (an
 * A or AAAA record that address; a TXT record that text, its strings joined;
 * a CNAME, NS, PTR, DNAME or MX record that name, compared without case and
 * final dot). Fills reason: "ok", "rcode SERVFAIL", "answer lacks X",
 * "bad response". */
bool lns_probe_dns_judge(const uint8_t *abuf, size_t alen, unsigned want_rcode, const char *want_answer,
	char *reason, size_t size);
/* "NOERROR", "SERVFAIL", ... or "RCODE<n>" for codes without a name. */
const char *lns_probe_rcode_name(unsigned rcode);

/* ------------------------------------------------------------------------
 * Internals shared by probe/drv_*.c (and looked at by the unit test): the
 * env, the op and the driver table. Define LNS_PROBE_DRIVERS_INTERNAL
 * before including this header to see them; nothing else should.
 * ------------------------------------------------------------------------ */
#ifdef LNS_PROBE_DRIVERS_INTERNAL

struct lns_probe_http_env;
struct lns_probe_icmp_env;

struct lns_probe_env {
	struct ev_loop *loop;
	lns_probe_op_t *ops;             /* outstanding, delivered or not: a list */
	struct lns_probe_http_env *http; /* curl multi, its timer and sockets */
	struct lns_probe_icmp_env *icmp; /* ICMP sockets and pending echoes */
};

typedef struct lns_probe_driver {
	const char *name;
	/* Starts the probe; may finish it at once with lns_probe_op_finish. */
	void (*start)(lns_probe_op_t *op, const lns_probe_target_t *t);
	/* Releases op->drv (watchers, sockets, handles) and sets it to NULL.
	 * Called once, from finish or cancel; never calls back. */
	void (*stop)(lns_probe_op_t *op);
	/* Reason when the deadline passes; NULL: "timeout N ms". */
	const char *timeout_reason;
} lns_probe_driver_t;

struct lns_probe_op {
	lns_probe_env_t *env;
	lns_probe_op_t *prev, *next;
	const lns_probe_driver_t *drv;
	void *drv_state;          /* the driver's, until its stop */
	lns_probe_done_cb done;
	void *arg;
	ev_timer timer;           /* the deadline, then the delivery of the result */
	double started;           /* CLOCK_MONOTONIC seconds at the start */
	unsigned timeout_ms;      /* conf->timeout_ms, at least 1 */
	bool deferred;  /* the deadline passed once: I/O pending in that pass goes first */
	bool finished;            /* result holds the outcome; delivery is pending */
	lns_probe_result_t result;
};

/* Records op's outcome (the first one counts), stops its driver and
 * schedules the delivery of the result on the loop. */
void lns_probe_op_finish(lns_probe_op_t *op, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

extern const lns_probe_driver_t lns_probe_tcp_driver;
extern const lns_probe_driver_t lns_probe_http_driver; /* http, https, load */
extern const lns_probe_driver_t lns_probe_dns_driver;
extern const lns_probe_driver_t lns_probe_icmp_driver;

/* Per-env state of the drivers that share it. */
int lns_probe_http_env_init(lns_probe_env_t *env, lns_err_t *err);
void lns_probe_http_env_deinit(lns_probe_env_t *env);
void lns_probe_icmp_env_deinit(lns_probe_env_t *env);

/* The short reason for a failed transfer: curl_code a CURLcode, os_errno
 * CURLINFO_OS_ERRNO, errbuf curl's error text (may be empty). */
void lns_probe_http_reason(int curl_code, long os_errno, const char *errbuf, unsigned timeout_ms, bool body_over,
	char *reason, size_t size);

#endif /* LNS_PROBE_DRIVERS_INTERNAL */

#endif
