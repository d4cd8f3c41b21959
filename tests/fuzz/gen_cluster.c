/*
 * gen_cluster DIR: writes the seed corpus of fuzz_cluster (format:
 * cluster_msg.h) into DIR. Datagrams are made by election/wire.c's own
 * encoder under the fuzz key, as ns2 and ns3 send them; heartbeats and
 * reports carry the verdict hash of the fuzz configuration, so that the
 * node applies them. Exchanges are lists of SIGNED records: an election
 * won, heartbeats followed, drains asked, replays and restarts.
 */
#include "config.h"

#include "election/verdict.h"
#include "election/wire.h"
#include "tests/fuzz/cluster_msg.h"
#include "tests/fuzz/fuzz.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PING = 1, PONG, PROPOSE, VOTE, HEARTBEAT, ACK };

static const char *dir;
static uint64_t hash;

static void save(const char *name, const fuzz_buf_t *b)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *fp = fopen(path, "wb");
	if (!fp || fwrite(b->b, 1, b->n, fp) != b->n || fclose(fp) != 0) {
		fprintf(stderr, "gen_cluster: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* The payload of a machine message of type (with verdicts for heartbeats). */
static void payload(fuzz_buf_t *p, unsigned type, unsigned ok, int master, uint64_t seq)
{
	p->n = 0;
	fuzz_put_fixed(p, ok, master, 5000, type == HEARTBEAT ? 300 : 0, seq);
	if (type == HEARTBEAT) {
		fuzz_put64(p, hash);
		fuzz_put16(p, 0xffef); /* verdict: member 4 down */
		fuzz_put16(p, 0x0004); /* drains: member 2 */
	}
}

/* A SIGNED record. */
static void sig(fuzz_buf_t *b, unsigned flags, unsigned type, unsigned sender, uint64_t term, const fuzz_buf_t *p)
{
	fuzz_put8(b, FUZZ_OP_SIGNED | flags);
	fuzz_put8(b, type);
	fuzz_put8(b, sender);
	fuzz_put8(b, 0);
	fuzz_put64(b, term);
	fuzz_put16(b, (unsigned)p->n);
	fuzz_putn(b, p->b, p->n);
}

static void msg(fuzz_buf_t *b, unsigned type, unsigned sender, uint64_t term, unsigned ok, int master, uint64_t seq)
{
	fuzz_buf_t p;
	payload(&p, type, ok, master, seq);
	sig(b, 0, type, sender, term, &p);
}

/* A RAW record holding one datagram from election/wire.c's encoder. */
static void raw(const char *name, unsigned type, unsigned sender, uint64_t term, const fuzz_buf_t *p, int damage)
{
	static const uint8_t key[] = FUZZ_CLUSTER_KEY;
	lns_wire_t w;
	uint8_t d[LNS_WIRE_MAX];
	lns_wire_init(&w, key, sizeof(key) - 1, sender, 3, 1);
	size_t n = lns_wire_encode(&w, (uint8_t)type, 0, term, p->b, p->n, d);
	if (!n) {
		fprintf(stderr, "gen_cluster: %s does not encode\n", name);
		exit(1);
	}
	if (damage >= 0)
		d[damage] ^= 0x20;
	fuzz_buf_t b = { .n = 0 };
	fuzz_put8(&b, FUZZ_OP_RAW);
	fuzz_put16(&b, (unsigned)n);
	fuzz_putn(&b, d, n);
	save(name, &b);
}

static void raws(void)
{
	static const struct {
		const char *name;
		unsigned type, ok;
		int master;
		uint64_t term, seq;
	} rows[] = {
		{ "raw-ping", PING, 0, 0, 0, 0x1234 },
		{ "raw-pong", PONG, 1, 1, 1, 0x1234 },
		{ "raw-propose", PROPOSE, 0, 1, 2, 0 },
		{ "raw-vote", VOTE, 1, 0, 1, 0 },
		{ "raw-heartbeat", HEARTBEAT, 0, 1, 1, 1 },
		{ "raw-ack", ACK, 1, 0, 1, 1 },
	};
	fuzz_buf_t p;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		payload(&p, rows[i].type, rows[i].ok, rows[i].master, rows[i].seq);
		raw(rows[i].name, rows[i].type, 1, rows[i].term, &p, -1);
	}
	p.n = 0;
	fuzz_put64(&p, hash);
	fuzz_put16(&p, 0x0fff);
	raw("raw-report", FUZZ_MSG_REPORT, 2, 1, &p, -1);
	p.n = 0;
	fuzz_put16(&p, 0);
	fuzz_put16(&p, 3);
	fuzz_put8(&p, 1);
	fuzz_put64(&p, 1764355201123ULL);
	raw("raw-drain", FUZZ_MSG_DRAIN, 2, 1, &p, -1);
	payload(&p, HEARTBEAT, 0, 1, 7);
	raw("raw-bad-mac", HEARTBEAT, 1, 1, &p, 40);
	raw("raw-bad-magic", HEARTBEAT, 1, 1, &p, 0);
	raw("raw-unknown-sender", HEARTBEAT, 9, 1, &p, -1);
}

static void exchanges(void)
{
	fuzz_buf_t b = { .n = 0 }, p;

	/* ns2 is master: ns1 follows its heartbeats and their verdicts. */
	for (unsigned s = 1; s <= 3; s++)
		msg(&b, HEARTBEAT, 1, 1, 0, 1, s);
	save("x-follow-heartbeats", &b);

	/* ns2 and ns3 vote for ns1, which becomes master; acks renew its lease;
	 * reports come in; ns2 asks for drains (one of no such member). */
	b.n = 0;
	msg(&b, VOTE, 1, 1, 1, 0, 0);
	msg(&b, VOTE, 2, 1, 1, 0, 0);
	msg(&b, ACK, 1, 1, 1, 0, 1);
	msg(&b, ACK, 2, 1, 1, 0, 1);
	p.n = 0;
	fuzz_put64(&p, hash);
	fuzz_put16(&p, 0x0ff0);
	sig(&b, 0, FUZZ_MSG_REPORT, 1, 1, &p);
	sig(&b, 0, FUZZ_MSG_REPORT, 2, 1, &p);
	p.n = 0;
	fuzz_put16(&p, 1);
	fuzz_put16(&p, 6);
	fuzz_put8(&p, 1);
	fuzz_put64(&p, 0);
	sig(&b, 0, FUZZ_MSG_DRAIN, 1, 1, &p);
	p.n = 0;
	fuzz_put16(&p, 9);
	fuzz_put16(&p, 60000);
	fuzz_put8(&p, 0);
	fuzz_put64(&p, 1764355201123ULL);
	sig(&b, 0, FUZZ_MSG_DRAIN, 2, 1, &p);
	fuzz_put8(&b, FUZZ_OP_CLIENT);
	msg(&b, ACK, 1, 2, 0, 0, 2); /* a follower at a higher term */
	save("x-elected-master", &b);

	/* A client asks; ns2 and ns3 answer the pings, ns3 proposes. */
	b.n = 0;
	fuzz_put8(&b, FUZZ_OP_CLIENT);
	msg(&b, PONG, 1, 0, 0, -1, 1);
	msg(&b, PONG, 2, 0, 0, -1, 1);
	msg(&b, PROPOSE, 2, 1, 0, 2, 0);
	msg(&b, PING, 1, 0, 0, 0, 77);
	save("x-client-election", &b);

	/* Replays: the same datagram again, and a counter stepped back. */
	b.n = 0;
	msg(&b, HEARTBEAT, 1, 1, 0, 1, 1);
	fuzz_put8(&b, FUZZ_OP_REPLAY);
	payload(&p, HEARTBEAT, 0, 1, 2);
	sig(&b, FUZZ_OP_STEP_BACK, HEARTBEAT, 1, 1, &p);
	save("x-replays", &b);

	/* ns2 restarts (a new boot) and comes back in a higher term; then a
	 * heartbeat of an older term and an older sequence. */
	b.n = 0;
	msg(&b, HEARTBEAT, 1, 1, 0, 1, 5);
	payload(&p, HEARTBEAT, 0, 1, 1);
	sig(&b, FUZZ_OP_RESTART, HEARTBEAT, 1, 3, &p);
	msg(&b, HEARTBEAT, 2, 2, 0, 2, 9);
	msg(&b, HEARTBEAT, 1, 3, 0, 1, 0);
	save("x-restart-terms", &b);

	/* An election run by the clock: ns1's election timeout passes (WAIT),
	 * it pings; ns2 and ns3 answer the first nonce of term 0 (1); the ping
	 * phase ends (WAIT), ns1 proposes itself for term 1; their votes make
	 * it master; acks give it a lease; reports and a drain come in; then
	 * the lease runs out (WAIT). */
	b.n = 0;
	fuzz_put8(&b, FUZZ_OP_WAIT);
	msg(&b, PONG, 1, 0, 0, -1, 1);
	msg(&b, PONG, 2, 0, 0, -1, 1);
	fuzz_put8(&b, FUZZ_OP_WAIT);
	msg(&b, VOTE, 1, 1, 1, 0, 0);
	msg(&b, VOTE, 2, 1, 1, 0, 0);
	msg(&b, ACK, 1, 1, 1, 0, 1);
	msg(&b, ACK, 2, 1, 1, 0, 1);
	p.n = 0;
	fuzz_put64(&p, hash);
	fuzz_put16(&p, 0x00ff);
	sig(&b, 0, FUZZ_MSG_REPORT, 1, 1, &p);
	sig(&b, 0, FUZZ_MSG_REPORT, 2, 1, &p);
	p.n = 0;
	fuzz_put16(&p, 1);
	fuzz_put16(&p, 2);
	fuzz_put8(&p, 1);
	fuzz_put64(&p, 0);
	sig(&b, 0, FUZZ_MSG_DRAIN, 2, 1, &p);
	fuzz_put8(&b, FUZZ_OP_CLIENT);
	fuzz_put8(&b, FUZZ_OP_WAIT);
	fuzz_put8(&b, FUZZ_OP_WAIT);
	save("x-timed-election", &b);

	/* A follower whose master falls silent: heartbeats, then waits. */
	b.n = 0;
	msg(&b, HEARTBEAT, 2, 4, 0, 2, 1);
	fuzz_put8(&b, FUZZ_OP_WAIT);
	msg(&b, HEARTBEAT, 2, 4, 0, 2, 2);
	fuzz_put8(&b, FUZZ_OP_WAIT);
	fuzz_put8(&b, FUZZ_OP_WAIT);
	msg(&b, PONG, 1, 4, 0, 2, (uint64_t)4 << 24 | 1);
	save("x-master-silent", &b);

	/* Senders that are not peers: ns1 itself, and node 9 of 3. */
	b.n = 0;
	msg(&b, HEARTBEAT, 0, 1, 0, 0, 1);
	msg(&b, VOTE, 9, 1, 1, 0, 0);
	save("x-bad-senders", &b);

	/* Payloads shorter than their type needs, and a verdict of another
	 * configuration. */
	b.n = 0;
	p.n = 0;
	fuzz_put8(&p, 1);
	sig(&b, 0, HEARTBEAT, 1, 1, &p);
	sig(&b, 0, FUZZ_MSG_REPORT, 1, 1, &p);
	sig(&b, 0, FUZZ_MSG_DRAIN, 1, 1, &p);
	payload(&p, HEARTBEAT, 0, 1, 1);
	p.b[FUZZ_MSG_FIXED] ^= 0xff;
	sig(&b, 0, HEARTBEAT, 1, 1, &p);
	save("x-short-and-foreign", &b);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_cluster DIR\n");
		return 2;
	}
	dir = argv[1];
	fuzz_log_init();
	const uint16_t port[3] = { 7353, 7354, 7355 };
	char *conf = fuzz_cluster_setup(port);
	lns_config_t *cfg;
	lns_err_t err;
	if (lns_config_load(conf, &cfg, &err) != 0) {
		fprintf(stderr, "gen_cluster: %s\n", err.msg);
		return 1;
	}
	hash = lns_verdict_config_hash(cfg);
	raws();
	exchanges();
	lns_config_free(cfg);
	free(conf);
	return 0;
}
