/*
 * tests/fuzz/dns_check: the oracle of the DNS targets. Whatever the query,
 * a response levelnsd sends must be a DNS message that ldns reads back,
 * with the query's ID, QR set, no larger than the room it was given, and
 * its question (when it has one) the query's, byte for byte (case kept).
 * A violation aborts (libFuzzer records the input as a crash).
 *
 * Thread: single-threaded targets.
 */
#ifndef LNS_TESTS_FUZZ_DNS_CHECK_H
#define LNS_TESTS_FUZZ_DNS_CHECK_H

#include <stddef.h>
#include <stdint.h>

/* Checks resp (len bytes, 0: nothing sent) answering query (qlen bytes)
 * built with room cap; what says which path made it. */
void fuzz_dns_check(const uint8_t *query, size_t qlen, const uint8_t *resp, size_t len, size_t cap, const char *what);

/* Checks a UDP response's size against what the query allows: 512 bytes
 * without EDNS, else the smaller of its payload and payload_max (at least
 * 512). Queries ldns cannot read are left to fuzz_dns_check. */
void fuzz_dns_check_udp(const uint8_t *query, size_t qlen, const uint8_t *resp, size_t len, size_t payload_max,
	const char *what);

#endif
