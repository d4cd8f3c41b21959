/*
 * core/zonedb: the compiled zone tables that DNS workers answer from.
 *
 * A zonedb is built once per (re)load by the control thread: zones are added,
 * records are added to them in wire form, then lns_zonedb_finish() checks the
 * zones and links the nodes (delegation cuts, DNAMEs, wildcards, additional
 * section targets). After finish the db is immutable and read by any number
 * of threads without locks, for as long as the view that holds it lives.
 *
 * Every RRset is kept as ready-to-copy wire data: per record a two-byte owner
 * placeholder (filled with a compression pointer when answering), type,
 * class, TTL, RDLENGTH and uncompressed RDATA.
 */
#ifndef LNS_CORE_ZONEDB_H
#define LNS_CORE_ZONEDB_H

#include "core/dname.h"
#include "core/util.h"

#include <stdbool.h>
#include <stdint.h>

enum {
	LNS_T_A = 1, LNS_T_NS = 2, LNS_T_CNAME = 5, LNS_T_SOA = 6, LNS_T_PTR = 12, LNS_T_HINFO = 13,
	LNS_T_MX = 15, LNS_T_TXT = 16, LNS_T_AAAA = 28, LNS_T_SRV = 33, LNS_T_DNAME = 39, LNS_T_OPT = 41,
	LNS_T_DS = 43, LNS_T_RRSIG = 46, LNS_T_NSEC = 47, LNS_T_IXFR = 251, LNS_T_AXFR = 252,
	LNS_T_MAILB = 253, LNS_T_MAILA = 254, LNS_T_ANY = 255,
};
enum { LNS_C_IN = 1, LNS_C_CH = 3, LNS_C_ANY = 255 };

/* The largest RDATA a record may have: it must fit one TCP message with its
 * owner name, header and an OPT record. */
#define LNS_RDATA_MAX 65000

/* Node flags. */
enum { LNS_NODE_APEX = 1, LNS_NODE_CUT = 2, LNS_NODE_DNAME = 4, LNS_NODE_CNAME = 8 };

struct lns_zone;
struct lns_node;

typedef struct lns_rrset {
	uint16_t type;
	uint16_t count;     /* records */
	uint32_t len;       /* bytes of wire */
	uint8_t *wire;      /* count x [owner(2) type class ttl rdlen rdata] */
	uint32_t *rr_off;   /* offset of each record in wire */
	uint32_t ttl_min;   /* smallest TTL, for negative answers from the SOA */
	struct lns_node **add; /* nodes whose A/AAAA go to the additional section */
	uint16_t n_add;
	bool compress;      /* RDATA holds names that may be compressed (RFC 3597 s4) */
} lns_rrset_t;

typedef struct lns_node {
	uint8_t *name;            /* lowercase wire form */
	uint8_t name_len;
	uint8_t labels;
	uint8_t flags;            /* LNS_NODE_* */
	uint32_t hash;
	struct lns_zone *zone;
	struct lns_node *parent;  /* NULL at the apex */
	struct lns_node *above;   /* topmost cut or DNAME strictly above, within the zone */
	struct lns_node *wild;    /* the "*" child, if any */
	lns_rrset_t *rrsets;
	uint16_t n_rrsets;
	uint16_t cap_rrsets;
	int32_t pool;             /* index of the pool answered here, or -1 */
} lns_node_t;

typedef struct lns_zone {
	lns_node_t *apex;
	const lns_rrset_t *soa;
	uint32_t serial;
	const lns_prefix_t *allow_transfer; /* borrowed from the config */
	unsigned n_allow_transfer;
	lns_node_t **nodes;       /* every node, parents before children */
	unsigned n_nodes, cap_nodes;
	char *file;               /* for messages */
} lns_zone_t;

typedef struct lns_table {
	lns_node_t **slots;
	uint32_t mask;
	uint32_t used;
} lns_table_t;

typedef struct lns_zonedb {
	lns_zone_t **zones;
	unsigned n_zones;
	lns_table_t nodes;   /* every answerable node by name */
	lns_table_t apexes;  /* zone apexes by name */
	size_t n_records;
} lns_zonedb_t;

lns_zonedb_t *lns_zonedb_new(void);
void lns_zonedb_free(lns_zonedb_t *db);

/* Adds an empty zone for apex (wire form, any case). Returns NULL if the same
 * zone exists already. */
lns_zone_t *lns_zonedb_add_zone(lns_zonedb_t *db, const uint8_t *apex, const char *file);

/* Adds one record. owner must lie within the zone. Returns 0 or LNS_EZONE
 * with the reason in err (no file/line: the caller adds them). */
int lns_zone_add_rr(lns_zone_t *zone, const uint8_t *owner, uint16_t type, uint32_t ttl, const uint8_t *rdata,
	uint16_t rdlen, lns_err_t *err);

/* Makes name (wire form) answer from pool number idx. Returns 0, or
 * LNS_ECONFIG with the reason in err: no served zone holds the name, or it
 * has static records. Call after the zones' records, before finish. */
int lns_zonedb_add_pool(lns_zonedb_t *db, const uint8_t *name, int32_t idx, lns_err_t *err);

/* Checks every zone (SOA and NS at the apex, CNAME beside other data, ...)
 * and links the nodes. Returns 0 or LNS_EZONE with "file: reason" in err. */
int lns_zonedb_finish(lns_zonedb_t *db, lns_err_t *err);

/* Finds the node for a lowercase wire name, or NULL. */
const lns_node_t *lns_zonedb_find(const lns_zonedb_t *db, const uint8_t *name, size_t len, uint32_t hash);
const lns_rrset_t *lns_node_rrset(const lns_node_t *node, uint16_t type);

#endif
