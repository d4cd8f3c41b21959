/*
 * fuzz_dns_tcp: one input is what a client sends on one TCP connection:
 * length-prefixed messages (RFC 7766), several and pipelined, the last
 * perhaps cut short. Each complete message is handled as
 * nameserver/tcp.c's process() does: zone transfers streamed by
 * lns_axfr_stream, everything else answered by lns_answer with 64 KiB of
 * room. The views and clients rotate per message (see fuzz.h): transfers
 * are allowed from 127.0.0.1 only. Every message sent back must read back
 * (dns_check.h).
 *
 * Corpus: tests/fuzz/corpus/dns_tcp/, TCP streams captured from dig and
 * kdig (+tcp queries, AXFR, IXFR, and several queries on one connection).
 */
#include "config.h"

#include "nameserver/nameserver_int.h"
#include "tests/fuzz/dns_check.h"
#include "tests/fuzz/fuzz.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSG_MAX 65535

static lns_view_t *views[FUZZ_DNS_VIEWS];
static struct sockaddr_storage clients[FUZZ_DNS_VIEWS];

static void client(int k, int family, const char *ip)
{
	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&clients[k];
		s->sin_family = AF_INET;
		s->sin_port = htons(53001);
		inet_pton(AF_INET, ip, &s->sin_addr);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&clients[k];
		s->sin6_family = AF_INET6;
		s->sin6_port = htons(53001);
		inet_pton(AF_INET6, ip, &s->sin6_addr);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_log_init();
	fuzz_dns_views(views);
	client(0, AF_INET, "127.0.0.1");
	client(1, AF_INET6, "2001:db8:1:2::99");
	client(2, AF_INET, "10.1.2.3");
	return 0;
}

/* Every framed message of a stream out of lns_axfr_stream reads back. */
static void check_stream(const uint8_t *query, size_t qlen, const uint8_t *buf, size_t len)
{
	size_t off = 0;
	if (len == 0) {
		fprintf(stderr, "fuzz: a transfer sent nothing\n");
		abort();
	}
	while (off < len) {
		if (len - off < 2) {
			fprintf(stderr, "fuzz: a transfer's stream ends inside a length\n");
			abort();
		}
		size_t n = (size_t)(buf[off] << 8 | buf[off + 1]);
		if (len - off - 2 < n) {
			fprintf(stderr, "fuzz: a transfer's message runs past its stream\n");
			abort();
		}
		fuzz_dns_check(query, qlen, buf + off + 2, n, MSG_MAX, "tcp, transfer");
		off += 2 + n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *answer = malloc(MSG_MAX);
	uint8_t *xfr = NULL;
	size_t off = 0;
	for (unsigned i = 0; size - off >= 2; i++) {
		size_t mlen = (size_t)(data[off] << 8 | data[off + 1]);
		if (size - off - 2 < mlen)
			break; /* tcp.c waits for the rest: nothing to answer yet */
		/* Each message on its own heap block, so ASan sees a read past it. */
		uint8_t *msg = malloc(mlen ? mlen : 1);
		memcpy(msg, data + off + 2, mlen);
		int k = (int)(i % FUZZ_DNS_VIEWS);
		const struct sockaddr *peer = (const struct sockaddr *)&clients[k];
		if (lns_axfr_is_xfr(msg, mlen)) {
			size_t xlen = 0, xcap = 0;
			lns_axfr_stream(views[k], msg, mlen, peer, &xfr, &xlen, &xcap);
			check_stream(msg, mlen, xfr, xlen);
		} else {
			lns_client_t c = { peer, true };
			size_t n = lns_answer(views[k], msg, mlen, answer, MSG_MAX, &c);
			fuzz_dns_check(msg, mlen, answer, n, MSG_MAX, "tcp");
			if (n && (answer[2] & 0x02)) {
				/* The example zones' largest answers fit 64 KiB many times. */
				fprintf(stderr, "fuzz: a TCP response has TC set\n");
				abort();
			}
		}
		free(msg);
		off += 2 + mlen;
	}
	free(xfr);
	free(answer);
	return 0;
}
