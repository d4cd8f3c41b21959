/*
 * tests/fuzz/cluster_msg: the cluster target's input format, shared by the
 * target (fuzz_cluster.c) and the corpus generator (gen_cluster.c).
 *
 * An input is a list of records, each an op byte and its operands, played
 * in order against one fresh node (ns1 of three, no state on disk):
 *
 *   op & 3 == 0  SIGNED  type u8, sender u8, flags u8, term u64, len u16,
 *                        payload[len]: sent as node sender % 16 sends it
 *                        (lns_wire_encode: its boot, its next counter, a
 *                        valid HMAC). (op >> 2) & 3 == 1: the sender
 *                        restarts first (boot + 1, counter from 0); == 2:
 *                        its counter steps back by 2 first (a replay).
 *   op & 3 == 1  RAW     len u16, bytes[len]: one datagram as it is.
 *   op & 3 == 2  REPLAY  the last datagram again.
 *   op & 3 == 3  (op >> 2) & 1 == 0: CLIENT, a client asks for the master
 *                (POST /election); == 1: WAIT, the node's loop runs until
 *                its next timer (heartbeat_ms is 10: at most ~40 ms), so
 *                that elections, leases and hold-downs move on; only the
 *                first FUZZ_WAITS_MAX waits of an input are honoured.
 *
 * Numbers are big-endian. A record cut short ends the input.
 */
#ifndef LNS_TESTS_FUZZ_CLUSTER_MSG_H
#define LNS_TESTS_FUZZ_CLUSTER_MSG_H

#include <stddef.h>
#include <stdint.h>

enum { FUZZ_OP_SIGNED, FUZZ_OP_RAW, FUZZ_OP_REPLAY, FUZZ_OP_CLIENT };
#define FUZZ_OP_WAIT (FUZZ_OP_CLIENT | 1 << 2)
#define FUZZ_WAITS_MAX 4
#define FUZZ_OP_RESTART (1 << 2)
#define FUZZ_OP_STEP_BACK (2 << 2)

/* The cluster key (cluster.key's content less its newline). */
#define FUZZ_CLUSTER_KEY "fuzz-cluster-key-0123456789abcdefghijklmnopqrstuvwxyz"

/* Message types of election/cluster.c: the machine's (fsm.h) and two more. */
#define FUZZ_MSG_REPORT 100
#define FUZZ_MSG_DRAIN 101
#define FUZZ_MSG_FIXED 19 /* ok u8, master u16, up_ms u32, lease_ms u32, seq u64 */

/* Writes the configuration of the three nodes (ns1 on 127.0.0.1@port[0],
 * ns2 and ns3 on port[1] and port[2]), its key file and state directory
 * into the scratch directory (fuzz.h); returns the configuration's path
 * (caller frees). Heartbeats every 10 ms (the fastest allowed); the pools
 * hold 12 members: verdicts are 2 bytes. */
char *fuzz_cluster_setup(const uint16_t port[3]);

/* A growing input, for the generator. */
typedef struct fuzz_buf {
	uint8_t b[8192];
	size_t n;
} fuzz_buf_t;

void fuzz_put8(fuzz_buf_t *b, unsigned v);
void fuzz_put16(fuzz_buf_t *b, unsigned v);
void fuzz_put32(fuzz_buf_t *b, uint32_t v);
void fuzz_put64(fuzz_buf_t *b, uint64_t v);
void fuzz_putn(fuzz_buf_t *b, const void *p, size_t n);

/* The fixed part of an election message's payload. */
void fuzz_put_fixed(fuzz_buf_t *b, unsigned ok, int master, uint32_t up_ms, uint32_t lease_ms, uint64_t seq);

#endif
