/* core/dname: wire-form domain name helpers. */
#include "config.h"

#include "core/dname.h"

#include <stdio.h>
#include <string.h>

#define L(c) ((uint8_t)((c) >= 'A' && (c) <= 'Z' ? (c) + 32 : (c))) /* cast: clang checks the dead branch */
#define R4(i) L(i), L(i + 1), L(i + 2), L(i + 3)
#define R16(i) R4(i), R4(i + 4), R4(i + 8), R4(i + 12)
#define R64(i) R16(i), R16(i + 16), R16(i + 32), R16(i + 48)
const uint8_t lns_lower[256] = { R64(0), R64(64), R64(128), R64(192) };

size_t lns_dname_len(const uint8_t *name, size_t max)
{
	size_t off = 0;
	while (off < max) {
		uint8_t l = name[off];
		if (l == 0)
			return off + 1 <= LNS_DNAME_MAX ? off + 1 : 0;
		if (l > 63)
			return 0;
		off += 1u + l;
	}
	return 0;
}

unsigned lns_dname_labels(const uint8_t *name)
{
	unsigned n = 0;
	while (*name) {
		name += 1u + *name;
		n++;
	}
	return n;
}

void lns_dname_tolower(uint8_t *name, size_t len)
{
	for (size_t i = 0; i < len; i++)
		name[i] = lns_lower[name[i]];
}

bool lns_dname_equal(const uint8_t *a, const uint8_t *b)
{
	for (;;) {
		if (*a != *b)
			return false;
		uint8_t l = *a;
		if (l == 0)
			return true;
		for (unsigned i = 1; i <= l; i++)
			if (lns_lower[a[i]] != lns_lower[b[i]])
				return false;
		a += 1u + l;
		b += 1u + l;
	}
}

bool lns_dname_is_sub(const uint8_t *name, const uint8_t *parent)
{
	unsigned nl = lns_dname_labels(name), pl = lns_dname_labels(parent);
	if (nl < pl)
		return false;
	for (unsigned i = 0; i < nl - pl; i++)
		name += 1u + *name;
	return lns_dname_equal(name, parent);
}

const char *lns_dname_render(const uint8_t *name, char *buf, size_t size)
{
	size_t o = 0;
	if (size < 2)
		return "";
	if (*name == 0) {
		snprintf(buf, size, ".");
		return buf;
	}
	while (*name && o + 5 < size) {
		for (unsigned i = 1; i <= *name && o + 5 < size; i++) {
			uint8_t c = name[i];
			if (c == '.' || c == '\\') {
				buf[o++] = '\\';
				buf[o++] = (char)c;
			} else if (c <= ' ' || c >= 127) {
				o += (size_t)snprintf(buf + o, size - o, "\\%03u", c);
			} else {
				buf[o++] = (char)c;
			}
		}
		buf[o++] = '.';
		name += 1u + *name;
	}
	buf[o] = '\0';
	return buf;
}

size_t lns_dname_parse(const char *text, uint8_t *wire, size_t size)
{
	size_t n = 0;
	if (size < 1)
		return 0;
	if (strcmp(text, ".") == 0) {
		wire[0] = 0;
		return 1;
	}
	while (*text) {
		const char *dot = strchr(text, '.');
		size_t l = dot ? (size_t)(dot - text) : strlen(text);
		if (l == 0 || l > 63 || n + 1 + l + 1 > size || n + 1 + l + 1 > LNS_DNAME_MAX)
			return 0;
		wire[n++] = (uint8_t)l;
		for (size_t i = 0; i < l; i++) {
			unsigned char c = (unsigned char)text[i];
			if (c <= ' ' || c == '\\' || c >= 127)
				return 0;
			wire[n++] = lns_lower[c];
		}
		text += l;
		if (*text == '.')
			text++;
	}
	wire[n++] = 0;
	return n;
}

size_t lns_dname_skip(const uint8_t *msg, size_t len, size_t off)
{
	while (off < len) {
		uint8_t l = msg[off];
		if (l == 0)
			return off + 1;
		if ((l & 0xc0) == 0xc0)
			return off + 2 <= len ? off + 2 : 0;
		if (l > 63)
			return 0;
		off += 1u + l;
	}
	return 0;
}
