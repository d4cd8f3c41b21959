/* core/zonedb: building, checking and looking up compiled zones. */
#include "config.h"

#include "core/zonedb.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* ---- open-addressing hash table of nodes, keyed by lowercase wire name ---- */

static void table_init(lns_table_t *t, uint32_t size)
{
	t->slots = lns_xcalloc(size, sizeof(*t->slots));
	t->mask = size - 1;
	t->used = 0;
}

static lns_node_t *table_find(const lns_table_t *t, const uint8_t *name, size_t len, uint32_t hash)
{
	for (uint32_t i = hash & t->mask;; i = (i + 1) & t->mask) {
		lns_node_t *n = t->slots[i];
		if (!n)
			return NULL;
		if (n->hash == hash && n->name_len == len && memcmp(n->name, name, len) == 0)
			return n;
	}
}

static void table_put(lns_table_t *t, lns_node_t *node)
{
	if ((t->used + 1) * 2 > t->mask + 1) {
		lns_table_t bigger;
		table_init(&bigger, (t->mask + 1) * 2);
		for (uint32_t i = 0; i <= t->mask; i++)
			if (t->slots[i])
				table_put(&bigger, t->slots[i]);
		free(t->slots);
		*t = bigger;
	}
	uint32_t i = node->hash & t->mask;
	while (t->slots[i])
		i = (i + 1) & t->mask;
	t->slots[i] = node;
	t->used++;
}

/* ---- building ---- */

typedef struct zone_build {
	lns_zone_t zone;
	lns_table_t own; /* this zone's nodes, including those a deeper zone hides */
} zone_build_t;

lns_zonedb_t *lns_zonedb_new(void)
{
	lns_zonedb_t *db = lns_xcalloc(1, sizeof(*db));
	table_init(&db->nodes, 64);
	table_init(&db->apexes, 16);
	return db;
}

static void rrset_deinit(lns_rrset_t *rs)
{
	free(rs->wire);
	free(rs->rr_off);
	free(rs->add);
}

void lns_zonedb_free(lns_zonedb_t *db)
{
	if (!db)
		return;
	for (unsigned z = 0; z < db->n_zones; z++) {
		zone_build_t *zb = (zone_build_t *)db->zones[z];
		for (unsigned i = 0; i < zb->zone.n_nodes; i++) {
			lns_node_t *n = zb->zone.nodes[i];
			for (unsigned r = 0; r < n->n_rrsets; r++)
				rrset_deinit(&n->rrsets[r]);
			free(n->rrsets);
			free(n->name);
			free(n);
		}
		free(zb->zone.nodes);
		free(zb->zone.file);
		free(zb->own.slots);
		free(zb);
	}
	free(db->zones);
	free(db->nodes.slots);
	free(db->apexes.slots);
	free(db);
}

static lns_node_t *node_new(lns_zone_t *zone, const uint8_t *lname, size_t len)
{
	lns_node_t *n = lns_xcalloc(1, sizeof(*n));
	n->name = lns_xmalloc(len);
	memcpy(n->name, lname, len);
	n->name_len = (uint8_t)len;
	n->labels = (uint8_t)lns_dname_labels(lname);
	n->hash = lns_dname_hash(lname, len);
	n->zone = zone;
	n->pool = -1;
	if (zone->n_nodes == zone->cap_nodes) {
		zone->cap_nodes = zone->cap_nodes ? zone->cap_nodes * 2 : 16;
		zone->nodes = lns_xrealloc(zone->nodes, zone->cap_nodes * sizeof(*zone->nodes));
	}
	zone->nodes[zone->n_nodes++] = n;
	return n;
}

lns_zone_t *lns_zonedb_add_zone(lns_zonedb_t *db, const uint8_t *apex, const char *file)
{
	uint8_t lname[LNS_DNAME_MAX];
	size_t len = lns_dname_len(apex, LNS_DNAME_MAX);
	memcpy(lname, apex, len);
	lns_dname_tolower(lname, len);
	uint32_t hash = lns_dname_hash(lname, len);
	if (table_find(&db->apexes, lname, len, hash))
		return NULL;
	zone_build_t *zb = lns_xcalloc(1, sizeof(*zb));
	table_init(&zb->own, 64);
	zb->zone.file = lns_xstrdup(file ? file : "");
	zb->zone.apex = node_new(&zb->zone, lname, len);
	zb->zone.apex->flags = LNS_NODE_APEX;
	table_put(&zb->own, zb->zone.apex);
	table_put(&db->apexes, zb->zone.apex);
	db->zones = lns_xrealloc(db->zones, (db->n_zones + 1) * sizeof(*db->zones));
	db->zones[db->n_zones++] = &zb->zone;
	return &zb->zone;
}

/* The node for lname (lowercase, within the zone), created with its
 * ancestors up to the apex when missing: empty non-terminals exist. */
static lns_node_t *get_node(zone_build_t *zb, const uint8_t *lname, size_t len)
{
	uint32_t hash = lns_dname_hash(lname, len);
	lns_node_t *n = table_find(&zb->own, lname, len, hash);
	if (n)
		return n;
	const uint8_t *up = lname + 1 + lname[0];
	lns_node_t *parent = get_node(zb, up, len - 1 - lname[0]);
	n = node_new(&zb->zone, lname, len);
	n->parent = parent;
	table_put(&zb->own, n);
	return n;
}

static lns_rrset_t *get_rrset(lns_node_t *n, uint16_t type)
{
	unsigned i = 0;
	while (i < n->n_rrsets && n->rrsets[i].type < type)
		i++;
	if (i < n->n_rrsets && n->rrsets[i].type == type)
		return &n->rrsets[i];
	if (n->n_rrsets == n->cap_rrsets) {
		n->cap_rrsets = n->cap_rrsets ? n->cap_rrsets * 2 : 2;
		n->rrsets = lns_xrealloc(n->rrsets, n->cap_rrsets * sizeof(*n->rrsets));
	}
	memmove(&n->rrsets[i + 1], &n->rrsets[i], (n->n_rrsets - i) * sizeof(*n->rrsets));
	n->n_rrsets++;
	lns_rrset_t *rs = &n->rrsets[i];
	memset(rs, 0, sizeof(*rs));
	rs->type = type;
	rs->ttl_min = UINT32_MAX;
	rs->compress = type == LNS_T_NS || type == LNS_T_CNAME || type == LNS_T_SOA || type == LNS_T_PTR ||
		type == LNS_T_MX;
	return rs;
}

static bool rr_exists(const lns_rrset_t *rs, const uint8_t *rdata, uint16_t rdlen)
{
	for (unsigned i = 0; i < rs->count; i++) {
		const uint8_t *rr = rs->wire + rs->rr_off[i];
		if (((rr[10] << 8) | rr[11]) == rdlen && memcmp(rr + 12, rdata, rdlen) == 0)
			return true;
	}
	return false;
}

/* True when the RDATA of a type whose names the server reads (to compress,
 * chase, substitute or find additional records) holds them whole, in
 * place: RFC 3597's generic form (\# 0) lets any bytes through. */
static bool rdata_names_ok(uint16_t type, const uint8_t *rd, size_t len)
{
	size_t n, m;
	switch (type) {
	case LNS_T_NS:
	case LNS_T_CNAME:
	case LNS_T_PTR:
	case LNS_T_DNAME: return (n = lns_dname_len(rd, len)) != 0 && n == len;
	case LNS_T_MX: return len > 2 && (n = lns_dname_len(rd + 2, len - 2)) != 0 && 2 + n == len;
	case LNS_T_SRV: return len > 6 && (n = lns_dname_len(rd + 6, len - 6)) != 0 && 6 + n == len;
	case LNS_T_SOA:
		return (n = lns_dname_len(rd, len)) != 0 && (m = lns_dname_len(rd + n, len - n)) != 0 &&
			n + m + 20 == len;
	default: return true;
	}
}

int lns_zone_add_rr(lns_zone_t *zone, const uint8_t *owner, uint16_t type, uint32_t ttl, const uint8_t *rdata,
	uint16_t rdlen, lns_err_t *err)
{
	zone_build_t *zb = (zone_build_t *)zone;
	uint8_t lname[LNS_DNAME_MAX];
	size_t len = lns_dname_len(owner, LNS_DNAME_MAX);
	char a[LNS_DNAME_MAX * 4], b[LNS_DNAME_MAX * 4];

	if (len == 0) {
		lns_err_set(err, NULL, 0, "bad owner name");
		return LNS_EZONE;
	}
	memcpy(lname, owner, len);
	lns_dname_tolower(lname, len);
	if (!lns_dname_is_sub(lname, zone->apex->name)) {
		lns_err_set(err, NULL, 0, "%s is outside the zone %s", lns_dname_render(owner, a, sizeof(a)),
			lns_dname_render(zone->apex->name, b, sizeof(b)));
		return LNS_EZONE;
	}
	if (type == 0) {
		lns_err_set(err, NULL, 0, "type 0 is reserved (a misspelt type name?)");
		return LNS_EZONE;
	}
	if (rdlen > LNS_RDATA_MAX) {
		lns_err_set(err, NULL, 0, "record data of %u bytes cannot fit a DNS message (%u at most)", rdlen,
			LNS_RDATA_MAX);
		return LNS_EZONE;
	}
	if (type == LNS_T_OPT || type == LNS_T_AXFR || type == LNS_T_IXFR || type == LNS_T_ANY ||
	    type == LNS_T_MAILA || type == LNS_T_MAILB) {
		lns_err_set(err, NULL, 0, "type %u cannot appear in a zone", type);
		return LNS_EZONE;
	}
	bool apex = len == lns_dname_len(zone->apex->name, LNS_DNAME_MAX) && memcmp(lname, zone->apex->name, len) == 0;
	/* The apex SOA is checked when the zone is finished, with its own message. */
	if (!(type == LNS_T_SOA && apex) && !rdata_names_ok(type, rdata, rdlen)) {
		lns_err_set(err, NULL, 0, "record data of type %u is malformed (a name in it is cut short or missing)",
			type);
		return LNS_EZONE;
	}
	lns_node_t *n = get_node(zb, lname, len);
	lns_rrset_t *rs = get_rrset(n, type);
	if (rr_exists(rs, rdata, rdlen))
		return 0; /* RFC 2181 5: duplicate records are one record */
	if (rs->len + 12u + rdlen > UINT16_MAX * 4u || rs->count == UINT16_MAX) {
		lns_err_set(err, NULL, 0, "RRset too large");
		return LNS_ELIMIT;
	}
	rs->wire = lns_xrealloc(rs->wire, rs->len + 12u + rdlen);
	rs->rr_off = lns_xrealloc(rs->rr_off, (rs->count + 1u) * sizeof(*rs->rr_off));
	rs->rr_off[rs->count++] = rs->len;
	uint8_t *p = rs->wire + rs->len;
	p[0] = 0xc0;
	p[1] = 0x0c;
	p[2] = (uint8_t)(type >> 8);
	p[3] = (uint8_t)type;
	p[4] = 0;
	p[5] = LNS_C_IN;
	uint32_t nttl = htonl(ttl);
	memcpy(p + 6, &nttl, 4);
	p[10] = (uint8_t)(rdlen >> 8);
	p[11] = (uint8_t)rdlen;
	memcpy(p + 12, rdata, rdlen);
	rs->len += 12u + rdlen;
	if (ttl < rs->ttl_min)
		rs->ttl_min = ttl;
	return 0;
}

const lns_rrset_t *lns_node_rrset(const lns_node_t *node, uint16_t type)
{
	for (unsigned i = 0; i < node->n_rrsets; i++)
		if (node->rrsets[i].type == type)
			return &node->rrsets[i];
	return NULL;
}

int lns_zonedb_add_pool(lns_zonedb_t *db, const uint8_t *name, int32_t idx, lns_err_t *err)
{
	uint8_t lname[LNS_DNAME_MAX];
	char a[LNS_DNAME_MAX * 4];
	size_t len = lns_dname_len(name, LNS_DNAME_MAX);
	memcpy(lname, name, len);
	lns_dname_tolower(lname, len);
	/* The deepest served zone that holds the name. */
	const uint8_t *s = lname;
	size_t slen = len;
	lns_node_t *apex = NULL;
	while (!apex) {
		apex = table_find(&db->apexes, s, slen, lns_dname_hash(s, slen));
		if (apex || *s == 0)
			break;
		slen -= 1u + *s;
		s += 1u + *s;
	}
	if (!apex) {
		lns_err_set(err, NULL, 0, "%s is in no served zone", lns_dname_render(lname, a, sizeof(a)));
		return LNS_ECONFIG;
	}
	zone_build_t *zb = (zone_build_t *)apex->zone;
	lns_node_t *n = get_node(zb, lname, len);
	if (n->n_rrsets > 0) {
		lns_err_set(err, NULL, 0, "%s also has static records in %s (type %u first)",
			lns_dname_render(lname, a, sizeof(a)), zb->zone.file, n->rrsets[0].type);
		return LNS_ECONFIG;
	}
	if (n->pool >= 0) {
		lns_err_set(err, NULL, 0, "%s is already a pool", lns_dname_render(lname, a, sizeof(a)));
		return LNS_ECONFIG;
	}
	n->pool = idx;
	return 0;
}

/* ---- finishing: checks and links ---- */

/* Offset of the name inside RDATA that gets additional-section processing. */
static int target_offset(uint16_t type)
{
	switch (type) {
	case LNS_T_NS: return 0;
	case LNS_T_MX: return 2;
	case LNS_T_SRV: return 6;
	default: return -1;
	}
}

static void link_additional(zone_build_t *zb, lns_rrset_t *rs)
{
	int off = target_offset(rs->type);
	if (off < 0)
		return;
	for (unsigned i = 0; i < rs->count; i++) {
		const uint8_t *rr = rs->wire + rs->rr_off[i];
		uint16_t rdlen = (uint16_t)((rr[10] << 8) | rr[11]);
		if (rdlen <= (unsigned)off)
			continue;
		uint8_t lname[LNS_DNAME_MAX];
		size_t len = lns_dname_len(rr + 12 + off, rdlen - (unsigned)off);
		if (len == 0)
			continue;
		memcpy(lname, rr + 12 + off, len);
		lns_dname_tolower(lname, len);
		lns_node_t *t = table_find(&zb->own, lname, len, lns_dname_hash(lname, len));
		if (!t || (!lns_node_rrset(t, LNS_T_A) && !lns_node_rrset(t, LNS_T_AAAA)))
			continue;
		bool dup = false;
		for (unsigned j = 0; j < rs->n_add; j++)
			dup |= rs->add[j] == t;
		if (dup)
			continue;
		rs->add = lns_xrealloc(rs->add, (rs->n_add + 1u) * sizeof(*rs->add));
		rs->add[rs->n_add++] = t;
	}
}

static int check_node(zone_build_t *zb, lns_node_t *n, lns_err_t *err)
{
	char a[LNS_DNAME_MAX * 4];
	const lns_rrset_t *cname = lns_node_rrset(n, LNS_T_CNAME);
	const lns_rrset_t *dname = lns_node_rrset(n, LNS_T_DNAME);
	if (cname) {
		unsigned others = 0;
		for (unsigned i = 0; i < n->n_rrsets; i++) {
			uint16_t t = n->rrsets[i].type;
			others += t != LNS_T_CNAME && t != LNS_T_RRSIG && t != LNS_T_NSEC;
		}
		if (others || cname->count > 1) {
			lns_err_set(err, zb->zone.file, 0, "%s has a CNAME and other data (RFC 1034 3.6.2)",
				lns_dname_render(n->name, a, sizeof(a)));
			return LNS_EZONE;
		}
		n->flags |= LNS_NODE_CNAME;
	}
	if (dname) {
		if (dname->count > 1) {
			lns_err_set(err, zb->zone.file, 0, "%s has more than one DNAME (RFC 6672 2.4)",
				lns_dname_render(n->name, a, sizeof(a)));
			return LNS_EZONE;
		}
		n->flags |= LNS_NODE_DNAME;
	}
	if (!(n->flags & LNS_NODE_APEX) && lns_node_rrset(n, LNS_T_NS))
		n->flags |= LNS_NODE_CUT;
	if (n->parent) {
		lns_node_t *p = n->parent;
		n->above = p->above ? p->above : (p->flags & (LNS_NODE_CUT | LNS_NODE_DNAME)) ? p : NULL;
		if (n->name[0] == 1 && n->name[1] == '*')
			p->wild = n;
	}
	for (unsigned i = 0; i < n->n_rrsets; i++)
		link_additional(zb, &n->rrsets[i]);
	if (n->pool >= 0 && (n->above || n->n_rrsets)) {
		lns_err_set(err, zb->zone.file, 0, "pool %s lies %s", lns_dname_render(n->name, a, sizeof(a)),
			n->n_rrsets ? "beside static records" : "below a delegation or DNAME, where it cannot be answered");
		return LNS_ECONFIG;
	}
	return 0;
}

static int check_zone(zone_build_t *zb, lns_err_t *err)
{
	lns_zone_t *z = &zb->zone;
	char a[LNS_DNAME_MAX * 4];
	const lns_rrset_t *soa = lns_node_rrset(z->apex, LNS_T_SOA);
	if (!soa || soa->count != 1) {
		lns_err_set(err, z->file, 0, "zone %s needs exactly one SOA record at its apex",
			lns_dname_render(z->apex->name, a, sizeof(a)));
		return LNS_EZONE;
	}
	if (!lns_node_rrset(z->apex, LNS_T_NS)) {
		lns_err_set(err, z->file, 0, "zone %s has no NS records at its apex",
			lns_dname_render(z->apex->name, a, sizeof(a)));
		return LNS_EZONE;
	}
	z->soa = soa;
	const uint8_t *rd = soa->wire + 12;
	size_t rdlen = (size_t)((soa->wire[10] << 8) | soa->wire[11]);
	size_t m = lns_dname_len(rd, rdlen);
	size_t r = m ? lns_dname_len(rd + m, rdlen - m) : 0;
	if (!m || !r || m + r + 20 != rdlen) {
		lns_err_set(err, z->file, 0, "malformed SOA record");
		return LNS_EZONE;
	}
	uint32_t serial;
	memcpy(&serial, rd + m + r, 4);
	z->serial = ntohl(serial);
	for (unsigned i = 0; i < z->n_nodes; i++) {
		int rc = check_node(zb, z->nodes[i], err);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* True when a zone deeper than the node's own serves the node's name. */
static bool hidden_by_deeper_zone(const lns_zonedb_t *db, const lns_node_t *n)
{
	const uint8_t *s = n->name;
	size_t len = n->name_len;
	for (unsigned l = n->labels; l > n->zone->apex->labels; l--) {
		const lns_node_t *apex = table_find(&db->apexes, s, len, lns_dname_hash(s, len));
		if (apex && apex->zone != n->zone)
			return true;
		len -= 1u + s[0];
		s += 1u + s[0];
	}
	return false;
}

int lns_zonedb_finish(lns_zonedb_t *db, lns_err_t *err)
{
	for (unsigned z = 0; z < db->n_zones; z++) {
		int rc = check_zone((zone_build_t *)db->zones[z], err);
		if (rc != 0)
			return rc;
	}
	for (unsigned z = 0; z < db->n_zones; z++) {
		lns_zone_t *zone = db->zones[z];
		for (unsigned i = 0; i < zone->n_nodes; i++) {
			lns_node_t *n = zone->nodes[i];
			for (unsigned r = 0; r < n->n_rrsets; r++)
				db->n_records += n->rrsets[r].count;
			if (!hidden_by_deeper_zone(db, n))
				table_put(&db->nodes, n);
		}
	}
	return 0;
}

const lns_node_t *lns_zonedb_find(const lns_zonedb_t *db, const uint8_t *name, size_t len, uint32_t hash)
{
	return table_find(&db->nodes, name, len, hash);
}
