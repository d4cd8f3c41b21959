/* Unit tests of election/'s I/O helpers: the authenticated wire format with
 * its replay window, and the durable state. */
#include "config.h"

#include "election/store.h"
#include "election/wire.h"
#include "tests/unit/helper.h"
#include "tests/unit/suites.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const uint8_t key[] = "0123456789abcdef0123456789abcdef-cluster";

static void test_roundtrip(void)
{
	lns_wire_t a, b;
	uint8_t buf[LNS_WIRE_MAX];
	lns_wire_msg_t m;
	lns_wire_init(&a, key, 32, 0, 3, 7);
	lns_wire_init(&b, key, 32, 1, 3, 1);
	size_t n = lns_wire_encode(&a, 4, 1, 42, "hello", 5, buf);
	T_CHECK(n == LNS_WIRE_HEADER + 5 + LNS_WIRE_MAC, "encoded length %zu", n);
	T_CHECK(lns_wire_decode(&b, buf, n, &m) == LNS_WIRE_OK, "decodes");
	T_CHECK(m.type == 4 && m.sender == 0 && m.flags == 1 && m.term == 42 && m.boot == 7 && m.counter == 1 &&
			m.payload_len == 5 && memcmp(m.payload, "hello", 5) == 0,
		"every field comes through");
	T_CHECK(lns_wire_decode(&b, buf, n, &m) == LNS_WIRE_REPLAY, "the same message again is a replay");
	T_CHECK(b.dropped[LNS_WIRE_REPLAY] == 1, "and counted");
	uint8_t big[LNS_WIRE_PAYLOAD_MAX + 1] = { 0 };
	T_CHECK(lns_wire_encode(&a, 1, 0, 1, big, sizeof(big), buf) == 0, "a payload too large is refused");
	T_CHECK(lns_wire_encode(&a, 1, 0, 1, big, LNS_WIRE_PAYLOAD_MAX, buf) == LNS_WIRE_MAX, "the largest fits");
}

static void test_tampering(void)
{
	lns_wire_t a, b;
	uint8_t buf[LNS_WIRE_MAX], copy[LNS_WIRE_MAX];
	lns_wire_msg_t m;
	lns_wire_init(&a, key, 32, 2, 3, 1);
	lns_wire_init(&b, key, 32, 0, 3, 1);
	size_t n = lns_wire_encode(&a, 3, 0, 9, "verdicts", 8, buf);
	for (size_t i = 0; i < n; i++) {
		memcpy(copy, buf, n);
		copy[i] ^= 0x20;
		enum lns_wire_drop d = lns_wire_decode(&b, copy, n, &m);
		T_CHECK(d == LNS_WIRE_MALFORMED || d == LNS_WIRE_BAD_MAC, "byte %zu flipped: dropped (%s)", i,
			lns_wire_drop_name(d));
	}
	for (size_t cut = 0; cut < n; cut += 7)
		T_CHECK(lns_wire_decode(&b, buf, cut, &m) == LNS_WIRE_MALFORMED, "truncated to %zu: malformed", cut);
	lns_wire_t wrong;
	lns_wire_init(&wrong, (const uint8_t *)"another key of thirty-two bytes!", 32, 2, 3, 1);
	n = lns_wire_encode(&wrong, 3, 0, 9, "x", 1, buf);
	T_CHECK(lns_wire_decode(&b, buf, n, &m) == LNS_WIRE_BAD_MAC, "another key: bad MAC");
	n = lns_wire_encode(&a, 3, 0, 9, "x", 1, buf);
	T_CHECK(lns_wire_decode(&b, buf, n, &m) == LNS_WIRE_OK, "the genuine one still passes");
}

static void test_senders_and_boots(void)
{
	lns_wire_t me, peer, stranger;
	uint8_t buf[LNS_WIRE_MAX];
	lns_wire_msg_t m;
	lns_wire_init(&me, key, 32, 1, 3, 1);
	lns_wire_init(&stranger, key, 32, 5, 8, 1);
	size_t n = lns_wire_encode(&stranger, 1, 0, 1, NULL, 0, buf);
	T_CHECK(lns_wire_decode(&me, buf, n, &m) == LNS_WIRE_UNKNOWN_SENDER, "a node index beyond the cluster");
	lns_wire_t self_copy;
	lns_wire_init(&self_copy, key, 32, 1, 3, 1);
	n = lns_wire_encode(&self_copy, 1, 0, 1, NULL, 0, buf);
	T_CHECK(lns_wire_decode(&me, buf, n, &m) == LNS_WIRE_UNKNOWN_SENDER, "our own index from outside");
	lns_wire_init(&peer, key, 32, 0, 3, 5);
	uint8_t old[LNS_WIRE_MAX];
	size_t old_n = lns_wire_encode(&peer, 1, 0, 1, NULL, 0, old);
	n = lns_wire_encode(&peer, 1, 0, 1, NULL, 0, buf);
	T_CHECK(lns_wire_decode(&me, buf, n, &m) == LNS_WIRE_OK, "counter 2 of boot 5");
	T_CHECK(lns_wire_decode(&me, old, old_n, &m) == LNS_WIRE_REPLAY, "counter 1 afterwards: reordered or replayed");
	lns_wire_init(&peer, key, 32, 0, 3, 6); /* restarted */
	n = lns_wire_encode(&peer, 1, 0, 1, NULL, 0, buf);
	T_CHECK(lns_wire_decode(&me, buf, n, &m) == LNS_WIRE_OK && m.counter == 1, "a new boot starts a new window");
	T_CHECK(lns_wire_decode(&me, old, old_n, &m) == LNS_WIRE_REPLAY, "the previous boot's messages are replays");
}

static void test_store(void)
{
	char *dir = lns_test_mkdtemp();
	char sub[4096];
	lns_err_t err;
	lns_store_state_t st = { 99, 99, 99 };
	snprintf(sub, sizeof(sub), "%s/state", dir);
	T_CHECK(lns_store_load(sub, &st, &err) == 0 && st.term == 0 && st.vote == -1 && st.boot == 0,
		"a node that never ran: zeros, no vote, and the directory is made");
	lns_store_state_t w = { 7, 2, 3 };
	T_CHECK(lns_store_save(sub, &w, &err) == 0, "saved");
	T_CHECK(lns_store_load(sub, &st, &err) == 0 && st.term == 7 && st.vote == 2 && st.boot == 3, "read back");
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s/cluster.state.tmp", sub);
	T_CHECK(access(tmp, F_OK) != 0, "no temporary file is left");
	free(lns_test_write(sub, "cluster.state", "levelns-cluster-state 1\nterm 7\nvote 2\n"));
	T_CHECK(lns_store_load(sub, &st, &err) != 0 && strstr(err.msg, "incomplete"), "an incomplete file is refused");
	free(lns_test_write(sub, "cluster.state", "levelns-cluster-state 1\nterm x\nvote 2\nboot 1\n"));
	T_CHECK(lns_store_load(sub, &st, &err) != 0 && strstr(err.msg, "cluster.state:2"), "a damaged line is named");
	lns_test_rmtree(dir);
	free(dir);
}

void lns_test_election_io_suite(void)
{
	CU_pSuite s = CU_add_suite("election wire and store", NULL, NULL);
	CU_add_test(s, "encode and decode", test_roundtrip);
	CU_add_test(s, "tampered and truncated messages", test_tampering);
	CU_add_test(s, "senders, boots and replays", test_senders_and_boots);
	CU_add_test(s, "durable state", test_store);
}
