/*
 * core/dname: domain names in uncompressed wire form (length-prefixed labels
 * ending with the root label). Pure functions; any thread.
 */
#ifndef LNS_CORE_DNAME_H
#define LNS_CORE_DNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LNS_DNAME_MAX 255
#define LNS_LABELS_MAX 128

extern const uint8_t lns_lower[256];

/* Hash of a lowercase wire name of len bytes. */
static inline uint32_t lns_dname_hash(const uint8_t *name, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ len;
	for (size_t i = 0; i < len; i++)
		h = (h ^ name[i]) * 0x100000001b3ull;
	h ^= h >> 32;
	return (uint32_t)h;
}

/* Length of a well-formed wire name, or 0 if it is not well formed within max. */
size_t lns_dname_len(const uint8_t *name, size_t max);
/* The offset just past a name at off in a message of len bytes, the name
 * possibly ending in a compression pointer (not followed); 0 when it runs
 * past the end or has a bad label type. */
size_t lns_dname_skip(const uint8_t *msg, size_t len, size_t off);
/* Number of labels, not counting the root. */
unsigned lns_dname_labels(const uint8_t *name);
void lns_dname_tolower(uint8_t *name, size_t len);
/* Case-insensitive equality of two wire names. */
bool lns_dname_equal(const uint8_t *a, const uint8_t *b);
/* True if name equals parent or lies below it (wire names, any case). */
bool lns_dname_is_sub(const uint8_t *name, const uint8_t *parent);
/* Parses a presentation-form name ("www.example.test", trailing dot
 * optional, no escapes) into lowercase wire form; returns its length or 0
 * when it is not a valid name. */
size_t lns_dname_parse(const char *text, uint8_t *wire, size_t size);
/* Presentation form ("www.example.test.") into buf. */
const char *lns_dname_render(const uint8_t *name, char *buf, size_t size);

#endif
