/*
 * nameserver/rrl: the rate-limit table (see rrl.h for the scheme). One
 * entry is one 64-bit word:
 *
 *   63      48 47          46                                 0
 *   [ tag 16 ][ limited 1 ][ TAT: 47 bits of 1/16 us ticks      ]
 *
 * TAT is the account as a time: the balance is (now + 1 s - TAT) * rate, so
 * "balance <= rate" is TAT >= now, a debit is TAT += 1/rate, and the debt
 * floor is TAT <= now + 1 s + window. Ticks of 1/16 us make 1/rate exact
 * to 0.1% at 16,000 a second, 0.6% at 100,000. TAT is kept modulo 2^47 ticks (101
 * days) and read relative to now: a TAT up to an hour and a bit ahead is
 * ahead, anything else is past (full credit), so time never runs out.
 * "limited" remembers the last verdict, so that an onset is seen once.
 */
#include "config.h"

#include "core/dname.h"

#include "nameserver/rrl.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/util.h"

#define TICKS_PER_S 16000000ull
#define TAT_BITS 47
#define TAT_MASK ((1ull << TAT_BITS) - 1)
#define LIMITED_BIT (1ull << TAT_BITS)
#define TAG_SHIFT 48
#define MAX_AHEAD ((1 + LNS_RRL_MAX_WINDOW) * TICKS_PER_S)
#define GROUP 4
#define CAS_TRIES 32

struct lns_rrl {
	_Atomic uint64_t *slot;
	uint64_t mask;
	uint64_t origin_ns;
	uint8_t key[16];
};

/* ---- SipHash-2-4 (Aumasson and Bernstein), for short inputs ---- */

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                       \
	do {                                                           \
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                    \
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                    \
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
	} while (0)

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

uint64_t lns_siphash(const uint8_t key[16], const void *data, size_t len)
{
	const uint8_t *in = data;
	uint64_t k0 = le64(key), k1 = le64(key + 8);
	uint64_t v0 = 0x736f6d6570736575ull ^ k0, v1 = 0x646f72616e646f6dull ^ k1;
	uint64_t v2 = 0x6c7967656e657261ull ^ k0, v3 = 0x7465646279746573ull ^ k1;
	size_t full = len & ~(size_t)7;
	for (size_t i = 0; i < full; i += 8) {
		uint64_t m = le64(in + i);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	uint64_t b = (uint64_t)len << 56;
	for (size_t i = 0; i < (len & 7); i++)
		b |= (uint64_t)in[full + i] << (8 * i);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* ---- the table ---- */

lns_rrl_t *lns_rrl_new(unsigned entries, const uint8_t *key, uint64_t now_ns)
{
	lns_rrl_t *r = lns_xcalloc(1, sizeof(*r));
	uint64_t n = 1024;
	while (n < entries && n < (1u << 30))
		n <<= 1;
	r->slot = aligned_alloc(64, n * sizeof(*r->slot));
	if (!r->slot)
		abort();
	for (uint64_t i = 0; i < n; i++)
		atomic_init(&r->slot[i], 0);
	r->mask = n - 1;
	r->origin_ns = now_ns;
	if (key) {
		memcpy(r->key, key, sizeof(r->key));
	} else {
		size_t got = 0;
		while (got < sizeof(r->key)) {
			ssize_t n_read = getrandom(r->key + got, sizeof(r->key) - got, 0);
			if (n_read > 0)
				got += (size_t)n_read;
		}
	}
	return r;
}

void lns_rrl_free(lns_rrl_t *rrl)
{
	if (!rrl)
		return;
	free(rrl->slot);
	free(rrl);
}

unsigned lns_rrl_entries(const lns_rrl_t *rrl)
{
	return (unsigned)(rrl->mask + 1);
}

bool lns_rrl_is_allowed(const lns_rrl_conf_t *conf, const struct sockaddr *src)
{
	for (unsigned i = 0; i < conf->n_allow; i++)
		if (lns_prefix_has(&conf->allow[i], src))
			return true;
	return false;
}

/* The source's prefix as bytes: family, then the address with the bits past
 * the prefix cleared. An IPv4-mapped IPv6 address counts as IPv4. Returns
 * the length, 0 for a family that is neither. */
static size_t prefix_bytes(const lns_rrl_conf_t *conf, const struct sockaddr *src, uint8_t out[17], unsigned *bits)
{
	const uint8_t *a;
	size_t alen;
	if (src->sa_family == AF_INET) {
		a = (const uint8_t *)&((const struct sockaddr_in *)src)->sin_addr;
		alen = 4;
	} else if (src->sa_family == AF_INET6) {
		a = (const uint8_t *)&((const struct sockaddr_in6 *)src)->sin6_addr;
		alen = 16;
		if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)a)) {
			a += 12;
			alen = 4;
		}
	} else {
		return 0;
	}
	*bits = alen == 4 ? conf->ipv4_prefix : conf->ipv6_prefix;
	if (*bits > alen * 8)
		*bits = (unsigned)alen * 8;
	out[0] = alen == 4 ? 4 : 6;
	memset(out + 1, 0, alen);
	unsigned full = *bits / 8, rest = *bits % 8;
	memcpy(out + 1, a, full);
	if (rest)
		out[1 + full] = (uint8_t)(a[full] & (0xff << (8 - rest)));
	return 1 + alen;
}

const char *lns_rrl_prefix_render(const lns_rrl_conf_t *conf, const struct sockaddr *src, char *buf, size_t size)
{
	uint8_t p[17];
	unsigned bits;
	char host[INET6_ADDRSTRLEN];
	size_t n = prefix_bytes(conf, src, p, &bits);
	if (n == 0 || !inet_ntop(p[0] == 4 ? AF_INET : AF_INET6, p + 1, host, sizeof(host)))
		snprintf(buf, size, "?");
	else
		snprintf(buf, size, "%s/%u", host, bits);
	return buf;
}

/* How far TAT lies ahead of now, in ticks; 0 when it is past. */
static uint64_t ahead(uint64_t word, uint64_t now)
{
	uint64_t d = ((word & TAT_MASK) - now) & TAT_MASK;
	return d <= MAX_AHEAD ? d : 0;
}

/* The entry of the group g that holds tag, else a free one, else the one
 * whose account is fullest (TAT least ahead): the cheapest to forget. */
static unsigned pick(_Atomic uint64_t *g, uint64_t tag, uint64_t now, uint64_t *word, bool *found)
{
	unsigned best = 0;
	uint64_t best_ahead = UINT64_MAX;
	for (unsigned i = 0; i < GROUP; i++) {
		uint64_t w = atomic_load_explicit(&g[i], memory_order_relaxed);
		if (w >> TAG_SHIFT == tag) {
			*word = w;
			*found = true;
			return i;
		}
		uint64_t a = w == 0 ? 0 : ahead(w, now) + 1;
		if (a < best_ahead) {
			best_ahead = a;
			best = i;
			*word = w;
		}
	}
	*found = false;
	return best;
}

enum lns_rrl_verdict lns_rrl_check(lns_rrl_t *rrl, const lns_rrl_conf_t *conf, lns_rrl_local_t *local,
	const struct sockaddr *src, uint64_t now_ns, bool *onset)
{
	uint8_t p[17];
	unsigned bits;
	*onset = false;
	if (conf->rate == 0 || lns_rrl_is_allowed(conf, src))
		return LNS_RRL_PASS;
	size_t plen = prefix_bytes(conf, src, p, &bits);
	if (plen == 0)
		return LNS_RRL_PASS;
	uint64_t h = lns_siphash(rrl->key, p, plen);
	uint64_t tag = h >> TAG_SHIFT;
	if (tag == 0)
		tag = 1; /* 0 marks a free entry */
	_Atomic uint64_t *g = &rrl->slot[h & rrl->mask & ~(uint64_t)(GROUP - 1)];
	uint64_t now = (now_ns > rrl->origin_ns ? ((now_ns - rrl->origin_ns) << 4) / 1000 : 0) & TAT_MASK;
	uint64_t step = conf->rate < TICKS_PER_S ? TICKS_PER_S / conf->rate : 1;
	unsigned window = conf->window < LNS_RRL_MAX_WINDOW ? conf->window : LNS_RRL_MAX_WINDOW;
	uint64_t floor = TICKS_PER_S + (uint64_t)window * TICKS_PER_S;

	for (unsigned attempt = 0; attempt < CAS_TRIES; attempt++) {
		uint64_t old = 0;
		bool found;
		unsigned i = pick(g, tag, now, &old, &found);
		uint64_t t = (found ? ahead(old, now) : 0) + step; /* TAT after the debit, relative to now */
		bool limited = t > TICKS_PER_S;
		uint64_t word = tag << TAG_SHIFT | (limited ? LIMITED_BIT : 0) | ((now + (t < floor ? t : floor)) & TAT_MASK);
		if (!atomic_compare_exchange_weak_explicit(&g[i], &old, word, memory_order_relaxed, memory_order_relaxed))
			continue; /* another worker moved it: look again */
		if (!found && old != 0 && ahead(old, now) > TICKS_PER_S)
			atomic_fetch_add_explicit(&local->evicted, 1, memory_order_relaxed);
		if (!limited)
			return LNS_RRL_PASS;
		*onset = !(found && (old & LIMITED_BIT));
		atomic_fetch_add_explicit(&local->limited, 1, memory_order_relaxed);
		bool slip = conf->slip == 1 || (conf->slip > 1 && ++local->slip_n % conf->slip == 0);
		atomic_fetch_add_explicit(slip ? &local->slipped : &local->dropped, 1, memory_order_relaxed);
		return slip ? LNS_RRL_SLIP : LNS_RRL_DROP;
	}
	/* Contended beyond reason: many workers answering this one prefix at
	 * once, which is a flood; count it as limited rather than spin. */
	atomic_fetch_add_explicit(&local->limited, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&local->dropped, 1, memory_order_relaxed);
	return LNS_RRL_DROP;
}

/* ---- the slipped answer ---- */

size_t lns_rrl_slip(uint8_t *pkt, size_t len)
{
	if (len < 12 || !(pkt[2] & 0x80))
		return 0;
	unsigned qd = (unsigned)(pkt[4] << 8 | pkt[5]);
	unsigned rrs = (unsigned)(pkt[6] << 8 | pkt[7]) + (unsigned)(pkt[8] << 8 | pkt[9]) +
		(unsigned)(pkt[10] << 8 | pkt[11]);
	unsigned ar_first = rrs - (unsigned)(pkt[10] << 8 | pkt[11]);
	size_t off = 12;
	for (unsigned i = 0; i < qd; i++) {
		off = lns_dname_skip(pkt, len, off);
		if (off == 0 || off + 4 > len)
			return 0;
		off += 4;
	}
	size_t qend = off, opt = 0, opt_len = 0;
	for (unsigned i = 0; i < rrs; i++) {
		size_t start = off;
		off = lns_dname_skip(pkt, len, off);
		if (off == 0 || off + 10 > len)
			return 0;
		size_t end = off + 10 + (size_t)(pkt[off + 8] << 8 | pkt[off + 9]);
		if (end > len)
			return 0;
		if (i >= ar_first && pkt[off] == 0 && pkt[off + 1] == 41 && off == start + 1) {
			opt = start;
			opt_len = end - start;
		}
		off = end;
	}
	if (opt_len)
		memmove(pkt + qend, pkt + opt, opt_len);
	pkt[2] |= 0x02; /* TC */
	memset(pkt + 6, 0, 6);
	pkt[11] = opt_len ? 1 : 0;
	return qend + opt_len;
}
