/*
 * tests/unit/dnsmsg: DNS messages for the nameserver unit tests: queries
 * built with ldns, and responses read twice, by ldns (sections as text) and
 * by a small raw reader (header counts and the OPT record exactly as sent,
 * which ldns folds into packet fields).
 *
 * Thread: single-threaded tests. ldns objects stay inside this helper and
 * the test file; everything returned is freed with the matching _free.
 */
#ifndef LNS_TESTS_UNIT_DNSMSG_H
#define LNS_TESTS_UNIT_DNSMSG_H

#include <ldns/ldns.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a test query carries. */
enum {
	LNS_TQ_RD = 1 << 0,
	LNS_TQ_CD = 1 << 1,
	LNS_TQ_EDNS = 1 << 2,  /* an OPT record (payload: .payload or 1232) */
	LNS_TQ_DO = 1 << 3,    /* implies EDNS */
	LNS_TQ_NSID = 1 << 4,  /* an empty NSID option; implies EDNS */
	LNS_TQ_V1 = 1 << 5,    /* EDNS version 1; implies EDNS */
	LNS_TQ_UNKNOWN = 1 << 6, /* options the server does not know (cookie, 65001); implies EDNS */
	LNS_TQ_TCP = 1 << 7,   /* not in the message: the transport */
};
#define LNS_TQ_ANY_EDNS (LNS_TQ_EDNS | LNS_TQ_DO | LNS_TQ_NSID | LNS_TQ_V1 | LNS_TQ_UNKNOWN)

typedef struct lns_test_query {
	const char *qname;
	uint16_t qtype;
	uint16_t qclass;   /* 0: IN */
	unsigned opts;     /* LNS_TQ_* */
	uint16_t payload;  /* EDNS payload; 0: 1232 */
	uint16_t id;       /* 0: 0x4c4e */
} lns_test_query_t;

/* Writes the query in wire form into out; returns its length (0 on error). */
size_t lns_test_query_wire(const lns_test_query_t *q, uint8_t *out, size_t cap);

/* A response as read back. */
typedef struct lns_test_resp {
	uint8_t *wire;
	size_t len;
	ldns_pkt *pkt;     /* NULL when ldns cannot parse it */
	uint16_t id, flags, qd, an, ns, ar; /* the header as sent (ar counts OPT) */
	int rcode;         /* header RCODE with OPT's upper bits */
	bool opt;          /* an OPT record is in the additional section */
	unsigned n_opt;    /* how many */
	uint16_t opt_payload;
	uint8_t opt_ext_rcode, opt_version;
	bool opt_do;
	const uint8_t *opt_data; /* OPT RDATA inside wire */
	uint16_t opt_len;
	bool well_formed;  /* the raw reader walked every record */
} lns_test_resp_t;

/* Reads len bytes of wire (copied). Returns a new response; never NULL. */
lns_test_resp_t *lns_test_resp_read(const uint8_t *wire, size_t len);
void lns_test_resp_free(lns_test_resp_t *r);

/* Finds an EDNS option in the response's OPT; returns true with its data. */
bool lns_test_resp_option(const lns_test_resp_t *r, uint16_t code, const uint8_t **data, uint16_t *len);

/* One record as "owner ttl CLASS TYPE rdata" with single spaces; caller frees. */
char *lns_test_rr_text(const ldns_rr *rr);
/* The size a record takes with no name compression at all. */
size_t lns_test_rr_wire_size(const ldns_rr *rr);

#endif
