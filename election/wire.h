/*
 * election/wire: cluster messages on the wire. Every message is
 *
 *   0  "LNSC"           magic
 *   4  u8 version (1)   5 u8 type   6 u8 sender   7 u8 flags
 *   8  u64 boot         which start of the sender (persisted, grows)
 *   16 u64 counter      per boot, grows with every message sent
 *   24 u64 term
 *   32 u16 payload length, then the payload
 *   .. 32 bytes of HMAC-SHA256 under the cluster key over all before it
 *
 * all numbers in network order. A receiver drops, and counts by reason,
 * what is malformed, fails the HMAC, comes from an unknown or its own node,
 * or is a replay (a boot older than the last seen from that sender, or a
 * counter not above the last in the same boot). What is stale in term or
 * sequence is the election machine's to judge.
 *
 * Thread: the control thread; lns_wire_t is the caller's.
 */
#ifndef LNS_ELECTION_WIRE_H
#define LNS_ELECTION_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LNS_WIRE_HEADER 34
#define LNS_WIRE_MAC 32
#define LNS_WIRE_MAX 1400
#define LNS_WIRE_PAYLOAD_MAX (LNS_WIRE_MAX - LNS_WIRE_HEADER - LNS_WIRE_MAC)
#define LNS_WIRE_NODES 16

enum lns_wire_drop {
	LNS_WIRE_OK,
	LNS_WIRE_MALFORMED,
	LNS_WIRE_BAD_MAC,
	LNS_WIRE_UNKNOWN_SENDER,
	LNS_WIRE_REPLAY,
	LNS_WIRE_DROP_REASONS,
};

typedef struct lns_wire_msg {
	uint8_t type;
	uint8_t sender;
	uint8_t flags;
	uint64_t boot, counter, term;
	const uint8_t *payload; /* points into the decoded buffer */
	uint16_t payload_len;
} lns_wire_msg_t;

/* One node's view of the wire: its key, identity and replay window. */
typedef struct lns_wire {
	const uint8_t *key;
	size_t key_len;
	uint8_t self;
	uint8_t n_nodes;
	uint64_t boot;           /* ours */
	uint64_t counter;        /* ours, last sent */
	uint64_t peer_boot[LNS_WIRE_NODES], peer_counter[LNS_WIRE_NODES];
	uint64_t dropped[LNS_WIRE_DROP_REASONS];
} lns_wire_t;

void lns_wire_init(lns_wire_t *w, const uint8_t *key, size_t key_len, unsigned self, unsigned n_nodes, uint64_t boot);

/* Encodes a message from us into out (LNS_WIRE_MAX bytes); returns its
 * length, or 0 when the payload is too large. */
size_t lns_wire_encode(lns_wire_t *w, uint8_t type, uint8_t flags, uint64_t term, const void *payload, size_t len,
	uint8_t *out);

/* Checks and decodes buf; on LNS_WIRE_OK msg is filled (payload points into
 * buf) and the sender's replay window advanced; otherwise the reason is
 * counted in w->dropped. */
enum lns_wire_drop lns_wire_decode(lns_wire_t *w, const uint8_t *buf, size_t len, lns_wire_msg_t *msg);

const char *lns_wire_drop_name(enum lns_wire_drop reason);

#endif
