/*
 * core/pool: the configuration model of pools (generic names answered from
 * the health of their members) and their probes. Loaded by core/config.c
 * from the "pools" list; immutable once loaded, shared read-only through
 * the view like the rest of lns_config_t.
 */
#ifndef LNS_CORE_POOL_H
#define LNS_CORE_POOL_H

#include "core/util.h"

#include <stdbool.h>
#include <stdint.h>

enum lns_policy {
	LNS_POLICY_FAILOVER,    /* highest priority healthy member(s); ties by weight */
	LNS_POLICY_WEIGHTED,    /* healthy members in proportion to their weights */
	LNS_POLICY_ROUND_ROBIN, /* healthy members in turn */
	LNS_POLICY_HEALTHIEST,  /* best health degree from the load probe, with hysteresis */
	LNS_POLICY_AFFINITY,    /* rendezvous hash of the client's subnet */
};

enum lns_all_down {
	LNS_ALL_DOWN_SERVE_ALL, /* answer every member that is not drained */
	LNS_ALL_DOWN_SERVFAIL,
	LNS_ALL_DOWN_NODATA,
	LNS_ALL_DOWN_FALLBACK,  /* answer the pool's fallback addresses */
};

enum lns_probe_type {
	LNS_PROBE_NONE,  /* members count as up */
	LNS_PROBE_ICMP,  /* echo request/reply */
	LNS_PROBE_TCP,   /* connect within the timeout */
	LNS_PROBE_HTTP,  /* GET path: status in range, optional body substring */
	LNS_PROBE_HTTPS,
	LNS_PROBE_DNS,   /* a query through c-ares: expected rcode, optional answer */
	LNS_PROBE_LOAD,  /* HTTP GET returning the health degree 0-100 */
};

typedef struct lns_probe_conf {
	enum lns_probe_type type;
	uint16_t port;          /* 0: the member's probe port, else the type's default */
	char *path;             /* http/https/load */
	char *host;             /* Host header; NULL: the target address */
	uint16_t expect_lo, expect_hi; /* HTTP status range */
	char *body;             /* substring the HTTP body must hold, or NULL */
	bool tls_verify;        /* https: verify the peer's certificate and name */
	char *dns_qname;        /* dns: the name asked (default: the pool's name) */
	uint16_t dns_qtype;     /* dns: default A */
	uint16_t dns_rcode;     /* dns: expected rcode, default NOERROR */
	char *dns_answer;       /* dns: an address or text the answer must hold, or NULL */
	unsigned timeout_ms;
	unsigned min_interval_ms; /* while the pool is busy */
	unsigned max_interval_ms; /* while the member is stable and the pool idle */
	unsigned recheck_ms;      /* between probes while the state is in doubt */
	unsigned rise, fall;      /* consecutive results that change the state */
	unsigned busy_qps;        /* pool query rate at which min_interval applies */
} lns_probe_conf_t;

typedef struct lns_member_conf {
	char *name;
	char *host;              /* a host name to resolve (c-ares), or NULL */
	lns_addr_t address;      /* answered (the port is not used); unset with host */
	lns_addr_t probe;        /* probed: address and port (port 0: the probe's) */
	unsigned priority;       /* failover: higher first */
	unsigned weight;         /* weighted, failover ties, affinity */
	int line;
} lns_member_conf_t;

typedef struct lns_pool_conf {
	char *name;              /* "www.example.test" */
	uint8_t wire[256];       /* the name in lowercase wire form */
	enum lns_policy policy;
	unsigned ttl;
	unsigned answers;        /* up to this many members in one answer */
	enum lns_all_down all_down;
	lns_addr_t *fallback;    /* all_down = FALLBACK */
	unsigned n_fallback;
	unsigned slow_start_ms;  /* a recovered member's weight ramps up over this */
	unsigned hysteresis;     /* healthiest: a challenger must be this much better */
	bool initial_up;         /* before its first probe a member counts as up */
	lns_probe_conf_t probe;
	lns_member_conf_t *members;
	unsigned n_members;
	int line;
} lns_pool_conf_t;

const char *lns_policy_name(enum lns_policy p);
const char *lns_probe_type_name(enum lns_probe_type t);

/* Worst-case time from a member failing to it no longer being answered,
 * server side: refused (an immediate failure) and blackholed (every probe
 * times out). Used by --check-config and the README. */
unsigned lns_pool_detect_refused_ms(const lns_pool_conf_t *p);
unsigned lns_pool_detect_blackhole_ms(const lns_pool_conf_t *p);

#endif
