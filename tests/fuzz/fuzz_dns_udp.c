/*
 * fuzz_dns_udp: one input is one UDP datagram to levelnsd. It goes through
 * the whole answer path (lns_answer: query parsing, lookup, pools, EDNS,
 * ECS, compression, truncation) as a UDP worker runs it, with the worker's
 * 4096-byte buffer, against three views of the same data (see fuzz.h)
 * from three clients (IPv4 allowed to transfer, IPv6, IPv4 not allowed).
 * Every response must read back (dns_check.h).
 *
 * Corpus: tests/fuzz/corpus/dns_udp/, queries captured from dig, kdig and
 * drill.
 */
#include "config.h"

#include "nameserver/nameserver_int.h"
#include "tests/fuzz/dns_check.h"
#include "tests/fuzz/fuzz.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#define UDP_BUF 4096 /* nameserver/udp.c's buffer */

static lns_view_t *views[FUZZ_DNS_VIEWS];
static uint8_t *out;
static struct sockaddr_in c4_allowed, c4_other;
static struct sockaddr_in6 c6;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_log_init();
	fuzz_dns_views(views);
	out = malloc(UDP_BUF); /* exactly: ASan sees a write past it */
	c4_allowed.sin_family = c4_other.sin_family = AF_INET;
	c4_allowed.sin_port = c4_other.sin_port = htons(53000);
	inet_pton(AF_INET, "127.0.0.1", &c4_allowed.sin_addr);
	inet_pton(AF_INET, "10.1.2.3", &c4_other.sin_addr);
	c6.sin6_family = AF_INET6;
	c6.sin6_port = htons(53000);
	inet_pton(AF_INET6, "2001:db8:1:2::99", &c6.sin6_addr);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct sockaddr *clients[FUZZ_DNS_VIEWS] = { (const struct sockaddr *)&c4_allowed,
		(const struct sockaddr *)&c6, (const struct sockaddr *)&c4_other };
	static const char *const what[FUZZ_DNS_VIEWS] = { "udp, view 0, 127.0.0.1", "udp, view 1, 2001:db8:1:2::99",
		"udp, view 2, 10.1.2.3" };
	for (int k = 0; k < FUZZ_DNS_VIEWS; k++) {
		lns_client_t client = { clients[k], false };
		size_t n = lns_answer(views[k], data, size, out, UDP_BUF, &client);
		fuzz_dns_check(data, size, out, n, UDP_BUF, what[k]);
		fuzz_dns_check_udp(data, size, out, n, views[k]->config->udp_payload, what[k]);
	}
	return 0;
}
