/*
 * core/stats: the daemon's counters as the web API shows them (/api/v1/stats
 * and /metrics): queries by protocol, RCODE and QTYPE (from nameserver/),
 * probes sent and failed (from probe/), reloads and uptime (from the
 * daemon). Plain data: each module keeps its own live counters and the
 * daemon copies them into one lns_stats_t when the web thread asks.
 *
 * The QTYPE set is fixed and small so that counting is an array index on
 * the query path (lns_stats_qtype_index is inline for the workers); every
 * other type counts as "other".
 *
 * Thread: any; the functions are pure.
 */
#ifndef LNS_CORE_STATS_H
#define LNS_CORE_STATS_H

#include <stdint.h>

/* RCODEs as the answer's header carries them (4 bits). */
#define LNS_STATS_RCODES 16

enum lns_stats_qtype {
	LNS_QT_A,
	LNS_QT_NS,
	LNS_QT_CNAME,
	LNS_QT_SOA,
	LNS_QT_PTR,
	LNS_QT_MX,
	LNS_QT_TXT,
	LNS_QT_AAAA,
	LNS_QT_SRV,
	LNS_QT_NAPTR,
	LNS_QT_DS,
	LNS_QT_DNSKEY,
	LNS_QT_SVCB,
	LNS_QT_HTTPS,
	LNS_QT_CAA,
	LNS_QT_IXFR,
	LNS_QT_AXFR,
	LNS_QT_ANY,
	LNS_QT_OTHER,
	LNS_STATS_QTYPES
};

/* The counter slot of a QTYPE: a table look-up on the query path. */
static inline unsigned lns_stats_qtype_index(uint16_t qtype)
{
	/* slot + 1; 0 (not listed) is "other" */
	static const uint8_t slot[256] = {
		[1] = LNS_QT_A + 1, [2] = LNS_QT_NS + 1, [5] = LNS_QT_CNAME + 1, [6] = LNS_QT_SOA + 1,
		[12] = LNS_QT_PTR + 1, [15] = LNS_QT_MX + 1, [16] = LNS_QT_TXT + 1, [28] = LNS_QT_AAAA + 1,
		[33] = LNS_QT_SRV + 1, [35] = LNS_QT_NAPTR + 1, [43] = LNS_QT_DS + 1, [48] = LNS_QT_DNSKEY + 1,
		[64] = LNS_QT_SVCB + 1, [65] = LNS_QT_HTTPS + 1, [251] = LNS_QT_IXFR + 1, [252] = LNS_QT_AXFR + 1,
		[255] = LNS_QT_ANY + 1,
	};
	if (qtype < 256)
		return slot[qtype] ? slot[qtype] - 1u : LNS_QT_OTHER;
	return qtype == 257 ? LNS_QT_CAA : LNS_QT_OTHER;
}

/* "A", "AAAA", ..., "other"; NULL past the last slot. */
const char *lns_stats_qtype_name(unsigned slot);
/* "NOERROR", "FORMERR", ..., "RCODE12" for unassigned ones; NULL past 15. */
const char *lns_stats_rcode_name(unsigned rcode);

/* Queries since start, summed over the DNS workers. Every query received
 * counts in udp or tcp; one that got no answer (not a query, or no view
 * yet) also counts in dropped; every answer sent counts once in rcode and
 * once in qtype (a query whose question cannot be read counts as other). */
typedef struct lns_query_counts {
	uint64_t udp, tcp, dropped;
	uint64_t rcode[LNS_STATS_RCODES];
	uint64_t qtype[LNS_STATS_QTYPES];
	/* Limits. UDP answers limited by RRL: dropped or sent truncated
	 * (slipped), neither counted in dropped above (slipped ones count as
	 * answers); prefixes in debt forgotten because their table group was
	 * full. TCP: times accepting paused at tcp_max_connections; connections
	 * refused over tcp_max_per_source; connections closed idle, on the read
	 * timeout, or after tcp_max_queries answers. */
	uint64_t rrl_limited, rrl_dropped, rrl_slipped, rrl_evicted;
	uint64_t tcp_full, tcp_refused_per_source, tcp_idle_closed, tcp_read_timeouts, tcp_query_cap;
} lns_query_counts_t;

typedef struct lns_stats {
	int64_t started_at;     /* wall clock ms when the daemon started */
	uint64_t generation;    /* of the configuration: 1 at start, +1 per reload that took */
	uint64_t reloads;       /* reloads that took (SIGHUP or POST /api/v1/reload) */
	uint64_t reloads_failed; /* reloads refused, the previous configuration kept */
	lns_query_counts_t queries;
	uint64_t probes_sent, probes_failed;
} lns_stats_t;

#endif
