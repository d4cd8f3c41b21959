/*
 * fuzz_cluster: one input is a list of datagrams (and client requests) that
 * reach one cluster node, in the format of cluster_msg.h. For each input a
 * fresh node ns1 (of ns1, ns2, ns3; no state on disk) is started with
 * lns_cluster_start on 127.0.0.1, and every datagram is sent to its UDP
 * socket and read by its own loop: decoding and authentication
 * (election/wire.c: HMAC, unknown senders, replays), the payloads
 * (election/cluster.c: the election messages, heartbeats with verdicts and
 * drains, reports, drain requests) and the election machine they drive
 * (election/fsm.c). SIGNED records carry a valid HMAC, so the fuzzer gets
 * past authentication; RAW ones test it; WAITs let the node's timers run
 * (elections, leases), on the real clock.
 *
 * What the node sends to ns2 and ns3 is read back from their sockets and
 * must authenticate there, in order (lns_wire_decode as they would run it).
 * What it hands to the daemon's callbacks must lie within the
 * configuration (drains of existing members, verdicts of 12 members).
 *
 * Corpus: tests/fuzz/corpus/cluster/, written by tests/fuzz/gen_cluster
 * with election/wire.c's encoder: every message type, and exchanges (an
 * election won, heartbeats with verdicts, drains, replays).
 */
#include "config.h"

#include "core/log.h"
#include "election/election.h"
#include "election/wire.h"
#include "tests/fuzz/cluster_msg.h"
#include "tests/fuzz/fuzz.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_DGRAM 4096

static struct ev_loop *loop;
static lns_config_t *cfg;
static char *state_file;
static int tx = -1, peer_fd[2] = { -1, -1 };
static struct sockaddr_in node_addr;
static const uint8_t key[] = FUZZ_CLUSTER_KEY;
static lns_wire_t senders[LNS_WIRE_NODES]; /* how each node id would send */
static lns_wire_t receivers[2];            /* ns2 and ns3 reading what ns1 sends */
static unsigned members;

static void fail(const char *what)
{
	fprintf(stderr, "fuzz: cluster: %s\n", what);
	abort();
}

static int udp_socket(uint16_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
		getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		perror("fuzz: cluster: udp socket");
		abort();
	}
	if (port)
		*port = ntohs(sin.sin_port);
	return fd;
}

/* Picks a free port for ns1 (free once the probing socket closes: another
 * process may take it later, then this runs again) and loads the
 * configuration; ns2's and ns3's sockets stay bound here, to read what ns1
 * sends them. */
static void setup_node(void)
{
	uint16_t port[3];
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	close(udp_socket(&port[0]));
	for (int i = 0; i < 2; i++)
		if (getsockname(peer_fd[i], (struct sockaddr *)&sin, &len) == 0)
			port[i + 1] = ntohs(sin.sin_port);
	char *conf = fuzz_cluster_setup(port);
	lns_err_t err;
	lns_config_free(cfg);
	if (lns_config_load(conf, &cfg, &err) != 0) {
		fprintf(stderr, "fuzz: cluster: %s\n", err.msg);
		abort();
	}
	free(conf);
	node_addr.sin_family = AF_INET;
	node_addr.sin_port = htons(port[0]);
	node_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_log_init();
	peer_fd[0] = udp_socket(NULL);
	peer_fd[1] = udp_socket(NULL);
	tx = udp_socket(NULL);
	setup_node();
	state_file = fuzz_tmp_path("state/cluster.state");
	loop = ev_default_loop(0);
	for (unsigned p = 0; p < cfg->n_pools; p++)
		members += cfg->pools[p].n_members;
	return 0;
}

/* ---- the daemon's side of the callbacks ---- */

static int client_token;

static void cb_changed(void *arg)
{
}

static void cb_client_done(void *arg, void *req, bool ok, const char *master, uint64_t term, const char *reason)
{
	if (req != &client_token)
		fail("client_done: a request that was never made");
	(void)strlen(master);
	if (!ok)
		(void)strlen(reason);
}

static void cb_local_report(void *arg, uint8_t *bits)
{
	memset(bits, 0xa5, (members + 7) / 8);
}

static void cb_apply_verdict(void *arg, const uint8_t *bits, const uint8_t *drains, unsigned n)
{
	if (n != members)
		fail("apply_verdict: a verdict about another number of members");
	volatile uint8_t sum = 0;
	for (unsigned i = 0; i < (n + 7) / 8; i++)
		sum ^= bits[i] ^ drains[i];
	(void)sum;
}

static void cb_local_drains(void *arg, uint8_t *bits)
{
	memset(bits, 0x11, (members + 7) / 8);
}

static void cb_drain(void *arg, unsigned pool, unsigned member, bool drain, int64_t until)
{
	/* The daemon checks these against its configuration (nameserver/main.c). */
}

static const lns_cluster_cbs_t cbs = { cb_changed, cb_client_done, cb_local_report, cb_apply_verdict,
	cb_local_drains, cb_drain, NULL };

/* ---- datagrams ---- */

/* What ns1 sent to ns2 and ns3 must authenticate there. */
static void read_peers(void)
{
	uint8_t buf[MAX_DGRAM];
	for (int i = 0; i < 2; i++)
		for (;;) {
			ssize_t n = recv(peer_fd[i], buf, sizeof(buf), 0);
			if (n == -1)
				break;
			lns_wire_msg_t m;
			enum lns_wire_drop d = lns_wire_decode(&receivers[i], buf, (size_t)n, &m);
			if (d != LNS_WIRE_OK) {
				fprintf(stderr, "fuzz: cluster: ns%d drops what ns1 sent: %s\n", i + 2, lns_wire_drop_name(d));
				abort();
			}
		}
}

static void deliver(const uint8_t *buf, size_t len)
{
	if (sendto(tx, buf, len, 0, (const struct sockaddr *)&node_addr, sizeof(node_addr)) == -1 && errno != EAGAIN)
		fail("cannot send to the node");
	/* Loopback queues the datagram on ns1's socket within sendto. */
	ev_run(loop, EVRUN_NOWAIT);
	read_peers();
}

static uint64_t get(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void play(lns_cluster_t *c, const uint8_t *data, size_t size)
{
	static uint8_t last[MAX_DGRAM];
	size_t last_len = 0, off = 0;
	unsigned waits = 0;
	uint8_t dgram[LNS_WIRE_MAX];
	while (off < size) {
		uint8_t op = data[off++];
		switch (op & 3) {
		case FUZZ_OP_SIGNED: {
			if (size - off < 13)
				return;
			const uint8_t *h = data + off;
			size_t plen = (size_t)get(h + 11, 2);
			if (size - off - 13 < plen)
				return;
			lns_wire_t *w = &senders[h[1] % LNS_WIRE_NODES];
			if (((op >> 2) & 3) == 1) {
				w->boot++;
				w->counter = 0;
			} else if (((op >> 2) & 3) == 2) {
				w->counter = w->counter > 2 ? w->counter - 2 : 0;
			}
			size_t n = lns_wire_encode(w, h[0], h[2], get(h + 3, 8), h + 13, plen, dgram);
			off += 13 + plen;
			if (n) {
				memcpy(last, dgram, n);
				last_len = n;
				deliver(dgram, n);
			}
			break;
		}
		case FUZZ_OP_RAW: {
			if (size - off < 2)
				return;
			size_t n = (size_t)get(data + off, 2);
			if (size - off - 2 < n)
				return;
			n = n < MAX_DGRAM ? n : MAX_DGRAM;
			memcpy(last, data + off + 2, n);
			last_len = n;
			off += 2 + (size_t)get(data + off, 2);
			deliver(last, last_len);
			break;
		}
		case FUZZ_OP_REPLAY:
			if (last_len)
				deliver(last, last_len);
			break;
		case FUZZ_OP_CLIENT:
			if (op & 4) {
				if (waits++ < FUZZ_WAITS_MAX)
					ev_run(loop, EVRUN_ONCE);
			} else {
				lns_cluster_client_election(c, &client_token);
				ev_run(loop, EVRUN_NOWAIT);
			}
			read_peers();
			break;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unlink(state_file);
	for (unsigned i = 0; i < LNS_WIRE_NODES; i++)
		lns_wire_init(&senders[i], key, sizeof(key) - 1, i, LNS_WIRE_NODES, 1);
	for (unsigned i = 0; i < 2; i++)
		lns_wire_init(&receivers[i], key, sizeof(key) - 1, i + 1, 3, 1);
	lns_cluster_t *c = NULL;
	lns_err_t err;
	if (lns_cluster_start(loop, cfg, &cbs, &c, &err) != 0) {
		setup_node(); /* its port was taken meanwhile */
		unlink(state_file);
		if (lns_cluster_start(loop, cfg, &cbs, &c, &err) != 0) {
			fprintf(stderr, "fuzz: cluster: the node does not start: %s\n", err.msg);
			abort();
		}
	}
	read_peers();
	play(c, data, size);
	lns_cluster_stop(c);
	read_peers();
	return 0;
}
