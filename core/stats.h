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

/* The counter slot of a QTYPE. */
static inline unsigned lns_stats_qtype_index(uint16_t qtype)
{
	switch (qtype) {
	case 1: return LNS_QT_A;
	case 2: return LNS_QT_NS;
	case 5: return LNS_QT_CNAME;
	case 6: return LNS_QT_SOA;
	case 12: return LNS_QT_PTR;
	case 15: return LNS_QT_MX;
	case 16: return LNS_QT_TXT;
	case 28: return LNS_QT_AAAA;
	case 33: return LNS_QT_SRV;
	case 35: return LNS_QT_NAPTR;
	case 43: return LNS_QT_DS;
	case 48: return LNS_QT_DNSKEY;
	case 64: return LNS_QT_SVCB;
	case 65: return LNS_QT_HTTPS;
	case 257: return LNS_QT_CAA;
	case 251: return LNS_QT_IXFR;
	case 252: return LNS_QT_AXFR;
	case 255: return LNS_QT_ANY;
	default: return LNS_QT_OTHER;
	}
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
