/*
 * nameserver/rrl: response rate limiting for UDP answers (RRL, in the
 * spirit of NSD, Knot and BIND). Pure: no sockets and no clock reads; the
 * caller passes the time.
 *
 * Each source prefix (IPv4 /24 and IPv6 /56 by default) has an account that
 * earns `rate` responses a second and is debited one per response, limited
 * or not (BIND's scheme). A response is limited while the account is
 * negative. The balance can never exceed `rate` (a one-second burst) nor
 * fall below -rate * window, so a source that keeps flooding is limited for
 * as long as it floods, and for up to `window` seconds after it stops. A
 * client over the rate gets only what slips. A limited response is
 * dropped, or every
 * `slip`-th one is sent truncated (TC=1, no records) so that a real client
 * behind a spoofed flood retries over TCP, which is never limited.
 *
 * The account is kept as a GCRA "theoretical arrival time" in one 64-bit
 * word per entry, next to a 12-bit tag of the prefix's hash, and updated
 * with one compare-and-swap: the table is shared lock-free by every UDP
 * worker. One table, not one per worker, because SO_REUSEPORT hashes the
 * whole 4-tuple: a resolver's queries come from random source ports and
 * land on every worker, so per-worker tables would each see a share of a
 * prefix and let workers x rate through. The hash is SipHash-2-4 with a key
 * drawn at start, so nobody outside can aim collisions. Memory is fixed:
 * table_size entries in groups of 4 (a cache line holds two groups); a new
 * prefix takes a free or the stalest entry of its group.
 *
 * Threads: lns_rrl_new/free on the control thread; lns_rrl_check from any
 * number of threads at once, each with its own lns_rrl_local_t.
 */
#ifndef LNS_NAMESERVER_RRL_H
#define LNS_NAMESERVER_RRL_H

#include "core/config_rrl.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

typedef struct lns_rrl lns_rrl_t;

/* A table of at least `entries` accounts (rounded up to a power of two,
 * 1024 at least). key: 16 bytes of hash key, or NULL for a random one.
 * now_ns: the caller's monotonic clock, the origin of its later calls.
 * Allocates; never fails (aborts when out of memory). */
lns_rrl_t *lns_rrl_new(unsigned entries, const uint8_t *key, uint64_t now_ns);
void lns_rrl_free(lns_rrl_t *rrl);
unsigned lns_rrl_entries(const lns_rrl_t *rrl);

/* What one thread owns: its slip cycle and its counters (written by that
 * thread only, read by any: relaxed atomics). */
typedef struct lns_rrl_local {
	unsigned slip_n;
	_Atomic uint64_t limited;  /* limited responses: dropped + slipped */
	_Atomic uint64_t dropped;
	_Atomic uint64_t slipped;  /* sent with TC=1 instead */
	_Atomic uint64_t evicted;  /* prefixes in debt pushed out of a full group */
} lns_rrl_local_t;

enum lns_rrl_verdict {
	LNS_RRL_PASS,  /* answer as usual */
	LNS_RRL_SLIP,  /* answer truncated: lns_rrl_slip */
	LNS_RRL_DROP,  /* no answer */
};

/* The verdict on one response to src at now_ns (monotonic, not before the
 * origin given to lns_rrl_new). Sources in conf->allow always pass. *onset
 * is set true when this prefix has just gone over its rate (for a log
 * line), else false. conf->enabled is not looked at: the caller decides. */
enum lns_rrl_verdict lns_rrl_check(lns_rrl_t *rrl, const lns_rrl_conf_t *conf, lns_rrl_local_t *local,
	const struct sockaddr *src, uint64_t now_ns, bool *onset);

/* True when src is in conf's allow-list. */
bool lns_rrl_is_allowed(const lns_rrl_conf_t *conf, const struct sockaddr *src);

/* Turns the response pkt (len bytes) into its slipped form, in place: the
 * header and question, TC=1, no records but the OPT record if there was
 * one. Returns the new length; 0 when pkt is not a readable response. */
size_t lns_rrl_slip(uint8_t *pkt, size_t len);

/* Renders src's prefix under conf as "192.0.2.0/24" into buf (64 bytes or
 * more). */
const char *lns_rrl_prefix_render(const lns_rrl_conf_t *conf, const struct sockaddr *src, char *buf, size_t size);

/* SipHash-2-4 of data under a 16-byte key (also used by the TCP layer to
 * count connections per source). */
uint64_t lns_siphash(const uint8_t key[16], const void *data, size_t len);

#endif
