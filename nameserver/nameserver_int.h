/*
 * nameserver internals shared by its files: query parsing, the packet
 * writer, answer building, AXFR, and the socket loops. Nothing outside
 * nameserver/ includes this header.
 */
#ifndef LNS_NAMESERVER_INT_H
#define LNS_NAMESERVER_INT_H

#include "core/config.h"
#include "core/view.h"
#include "core/zonedb.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define LNS_HDR 12
#define LNS_RCODE_NOERROR 0
#define LNS_RCODE_FORMERR 1
#define LNS_RCODE_SERVFAIL 2
#define LNS_RCODE_NXDOMAIN 3
#define LNS_RCODE_NOTIMP 4
#define LNS_RCODE_REFUSED 5
#define LNS_RCODE_YXDOMAIN 6
#define LNS_RCODE_BADVERS 16

#define LNS_F_QR 0x8000
#define LNS_F_AA 0x0400
#define LNS_F_TC 0x0200
#define LNS_F_RD 0x0100
#define LNS_F_CD 0x0010

#define LNS_EDNS_NSID 3
#define LNS_EDNS_ECS 8
#define LNS_EDNS_EDE 15
#define LNS_EDE_PROHIBITED 18
#define LNS_EDE_NOT_AUTHORITATIVE 20
#define LNS_EDE_NOT_SUPPORTED 21

/* ---- query parsing (query.c) ---- */

enum lns_parse_result { LNS_PARSE_OK, LNS_PARSE_DROP, LNS_PARSE_FORMERR, LNS_PARSE_NOTIMP };

typedef struct lns_query {
	uint16_t id;
	uint16_t flags;
	uint16_t qtype, qclass;
	uint8_t opcode;
	uint8_t name_len;            /* wire length of the question name */
	uint8_t labels;              /* labels in the name, not counting the root */
	uint8_t lname[LNS_DNAME_MAX]; /* the question name in lowercase */
	uint8_t label_off[LNS_LABELS_MAX]; /* where each label starts in lname */
	size_t qend;                 /* offset just past the question */
	bool edns;
	bool edns_do;
	bool edns_nsid;
	uint8_t edns_version;
	uint16_t edns_payload;
	bool ecs;                    /* EDNS Client Subnet (RFC 7871) */
	uint16_t ecs_family;         /* 1: IPv4, 2: IPv6 */
	uint8_t ecs_source;          /* source prefix length */
	uint8_t ecs_addr[16];
} lns_query_t;

enum lns_parse_result lns_query_parse(const uint8_t *pkt, size_t len, lns_query_t *q);

/* ---- packet writer with name compression (pkt.c) ---- */

#define LNS_DICT_MAX 48

typedef struct lns_pkt {
	uint8_t *buf;
	size_t len;
	size_t cap;                   /* room for sections, OPT space excluded */
	uint16_t count[3];            /* answer, authority, additional */
	unsigned n_dict;
	struct {
		const uint8_t *name;  /* uncompressed wire name, any case */
		uint16_t off;         /* where it stands in buf */
		uint8_t len;
	} dict[LNS_DICT_MAX];
} lns_pkt_t;

enum { LNS_SEC_AN, LNS_SEC_NS, LNS_SEC_AR };

/* A writer position, to undo what did not fit. */
typedef struct lns_pkt_mark {
	size_t len;
	unsigned n_dict;
	uint16_t count[3];
} lns_pkt_mark_t;

void lns_pkt_init(lns_pkt_t *p, uint8_t *buf, size_t cap, const lns_query_t *q, size_t qname_off);
lns_pkt_mark_t lns_pkt_mark(const lns_pkt_t *p);
void lns_pkt_undo(lns_pkt_t *p, lns_pkt_mark_t m);
/* Writes a name, compressed when allowed; returns the offset where it is
 * found in the packet, or -1 when it does not fit. */
int lns_pkt_put_name(lns_pkt_t *p, const uint8_t *name, bool compress);
/* Writes every record of rs with owner name; ttl_cap lowers larger TTLs
 * (UINT32_MAX for none). Returns 0, or -1 when it does not fit (the caller
 * undoes to a mark). */
int lns_pkt_put_rrset(lns_pkt_t *p, int section, const uint8_t *owner, const lns_rrset_t *rs, uint32_t ttl_cap);
/* One record of rs only (for minimal ANY and CNAME). */
int lns_pkt_put_rr(lns_pkt_t *p, int section, const uint8_t *owner, const lns_rrset_t *rs, unsigned i,
	uint32_t ttl_cap);

/* What an answer's OPT record (RFC 6891) carries. */
typedef struct lns_opt {
	uint16_t payload;
	uint16_t rcode;          /* its upper bits go into OPT */
	bool do_bit;
	const char *nsid;        /* NSID option, or NULL */
	int ede;                 /* Extended DNS Error, or -1 */
	const lns_query_t *ecs;  /* echo its client subnet option, or NULL */
	uint8_t ecs_scope;
} lns_opt_t;

#define LNS_OPT_MAX (11 + 4 + 64 + 6 + 4 + 4 + 16)

/* Writes the OPT record; returns its size, or 0 when room is too small. */
size_t lns_opt_render(uint8_t *at, size_t room, const lns_opt_t *opt);
/* Writes one A or AAAA record for owner (a name already in the packet or
 * written now). Returns 0 or -1 when it does not fit. */
int lns_pkt_put_addr(lns_pkt_t *p, int section, const uint8_t *owner, const lns_addr_t *addr, uint32_t ttl);

/* ---- answers (answer.c) ---- */

typedef struct lns_client {
	const struct sockaddr *addr;
	bool tcp;
} lns_client_t;

/* Builds the response to the query in pkt into out (cap bytes, at least 512).
 * Returns its length, or 0 when nothing is to be sent (not a query).
 * Allocates nothing; any thread holding a view. */
size_t lns_answer(const lns_view_t *view, const uint8_t *pkt, size_t len, uint8_t *out, size_t cap,
	const lns_client_t *client);

/* ---- zone transfer (axfr.c) ---- */

/* True when the query in pkt is an AXFR or IXFR the TCP layer must stream. */
bool lns_axfr_is_xfr(const uint8_t *pkt, size_t len);
/* Appends the transfer's messages, each with its two-byte TCP length, to a
 * growing buffer (*buf, *len, *cap; realloc'd). Refusals and errors are one
 * ordinary message. */
void lns_axfr_stream(const lns_view_t *view, const uint8_t *pkt, size_t len, const struct sockaddr *peer,
	uint8_t **buf, size_t *blen, size_t *bcap);




/* ---- counters (udp.c, tcp.c) ---- */

#include "core/stats.h"

#include <stdatomic.h>

/* One thread's counters, on cache lines of their own (allocate the holder
 * with 64-byte alignment). Only that thread writes them, so an increment
 * is a relaxed load and store: no locked instruction on the query path;
 * other threads read them relaxed. */
typedef struct lns_ns_counters {
	_Alignas(64) _Atomic uint64_t queries;
	_Atomic uint64_t dropped;
	_Atomic uint64_t rcode[LNS_STATS_RCODES];
	_Atomic uint64_t qtype[LNS_STATS_QTYPES];
	_Alignas(64) char end[1]; /* the next field starts on another line */
} lns_ns_counters_t;

static inline void lns_ns_bump(_Atomic uint64_t *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n, memory_order_relaxed);
}

/* The counter slot of an answer's QTYPE, from its question (other when it
 * has none or it cannot be read). */
static inline unsigned lns_ns_answer_qtype(const uint8_t *ans, size_t len)
{
	if (len < LNS_HDR + 5 || ans[4] != 0 || ans[5] != 1)
		return LNS_QT_OTHER;
	size_t off = LNS_HDR;
	while (off < len && ans[off] != 0) {
		if (ans[off] > 63)
			return LNS_QT_OTHER;
		off += 1u + ans[off];
	}
	if (off + 3 > len)
		return LNS_QT_OTHER;
	return lns_stats_qtype_index((uint16_t)(ans[off + 1] << 8 | ans[off + 2]));
}

/* Counts an answer about to be sent: its header's RCODE and its QTYPE. */
static inline void lns_ns_count_answer(lns_ns_counters_t *c, const uint8_t *ans, size_t len)
{
	if (len < LNS_HDR)
		return;
	lns_ns_bump(&c->rcode[ans[3] & 0xf], 1);
	lns_ns_bump(&c->qtype[lns_ns_answer_qtype(ans, len)], 1);
}

/* Adds c's RCODE and QTYPE counts to out; returns its queries and dropped. */
void lns_ns_counters_add(const lns_ns_counters_t *c, lns_query_counts_t *out, uint64_t *queries, uint64_t *dropped);

/* ---- listeners (udp.c, tcp.c) ---- */

#include <pthread.h>

typedef struct lns_udp_worker lns_udp_worker_t;
int lns_udp_socket(const lns_addr_t *addr, bool *pktinfo, lns_err_t *err);
/* Starts a worker on fd (owned from now on). lns_udp_stop asks it to end,
 * lns_udp_join waits for that, closes fd and frees w. */
struct lns_rrl;
lns_udp_worker_t *lns_udp_start(int fd, bool pktinfo, struct lns_rrl *rrl, lns_err_t *err);
void lns_udp_stop(lns_udp_worker_t *w);
void lns_udp_join(lns_udp_worker_t *w);
/* Adds w's counters to out (udp, dropped, rcode, qtype); any thread. */
void lns_udp_counts(const lns_udp_worker_t *w, lns_query_counts_t *out);

typedef struct lns_tcp lns_tcp_t;
int lns_tcp_socket(const lns_addr_t *addr, lns_err_t *err);
/* Starts the TCP thread serving the n listening sockets in fds (owned). */
lns_tcp_t *lns_tcp_start(const int *fds, unsigned n, const lns_config_t *cfg, lns_err_t *err);
void lns_tcp_stop(lns_tcp_t *t);
/* Adds t's counters to out (tcp, rcode, qtype); any thread. */
void lns_tcp_counts(const lns_tcp_t *t, lns_query_counts_t *out);

#endif
