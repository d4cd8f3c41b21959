/* election/wire: encoding, HMAC-SHA256 authentication and replay checks. */
#include "config.h"

#include "election/wire.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static bool mac(const lns_wire_t *w, const uint8_t *data, size_t len, uint8_t out[LNS_WIRE_MAC])
{
	unsigned n = 0;
	return HMAC(EVP_sha256(), w->key, (int)w->key_len, data, len, out, &n) && n == LNS_WIRE_MAC;
}

void lns_wire_init(lns_wire_t *w, const uint8_t *key, size_t key_len, unsigned self, unsigned n_nodes, uint64_t boot)
{
	memset(w, 0, sizeof(*w));
	w->key = key;
	w->key_len = key_len;
	w->self = (uint8_t)self;
	w->n_nodes = (uint8_t)(n_nodes > LNS_WIRE_NODES ? LNS_WIRE_NODES : n_nodes);
	w->boot = boot;
}

size_t lns_wire_encode(lns_wire_t *w, uint8_t type, uint8_t flags, uint64_t term, const void *payload, size_t len,
	uint8_t *out)
{
	if (len > LNS_WIRE_PAYLOAD_MAX)
		return 0;
	memcpy(out, "LNSC", 4);
	out[4] = 1;
	out[5] = type;
	out[6] = w->self;
	out[7] = flags;
	put64(out + 8, w->boot);
	put64(out + 16, ++w->counter);
	put64(out + 24, term);
	out[32] = (uint8_t)(len >> 8);
	out[33] = (uint8_t)len;
	if (len)
		memcpy(out + LNS_WIRE_HEADER, payload, len);
	if (!mac(w, out, LNS_WIRE_HEADER + len, out + LNS_WIRE_HEADER + len))
		return 0;
	return LNS_WIRE_HEADER + len + LNS_WIRE_MAC;
}

static enum lns_wire_drop drop(lns_wire_t *w, enum lns_wire_drop why)
{
	w->dropped[why]++;
	return why;
}

enum lns_wire_drop lns_wire_decode(lns_wire_t *w, const uint8_t *buf, size_t len, lns_wire_msg_t *msg)
{
	uint8_t want[LNS_WIRE_MAC];
	if (len < LNS_WIRE_HEADER + LNS_WIRE_MAC || len > LNS_WIRE_MAX || memcmp(buf, "LNSC", 4) != 0 || buf[4] != 1)
		return drop(w, LNS_WIRE_MALFORMED);
	size_t plen = (size_t)(buf[32] << 8 | buf[33]);
	if (LNS_WIRE_HEADER + plen + LNS_WIRE_MAC != len)
		return drop(w, LNS_WIRE_MALFORMED);
	/* Authenticate before believing anything in the message. */
	if (!mac(w, buf, LNS_WIRE_HEADER + plen, want) || CRYPTO_memcmp(want, buf + LNS_WIRE_HEADER + plen, LNS_WIRE_MAC) != 0)
		return drop(w, LNS_WIRE_BAD_MAC);
	uint8_t sender = buf[6];
	if (sender >= w->n_nodes || sender == w->self)
		return drop(w, LNS_WIRE_UNKNOWN_SENDER);
	uint64_t boot = get64(buf + 8), counter = get64(buf + 16);
	if (boot < w->peer_boot[sender] || (boot == w->peer_boot[sender] && counter <= w->peer_counter[sender]))
		return drop(w, LNS_WIRE_REPLAY);
	w->peer_boot[sender] = boot;
	w->peer_counter[sender] = counter;
	msg->type = buf[5];
	msg->sender = sender;
	msg->flags = buf[7];
	msg->boot = boot;
	msg->counter = counter;
	msg->term = get64(buf + 24);
	msg->payload = buf + LNS_WIRE_HEADER;
	msg->payload_len = (uint16_t)plen;
	return LNS_WIRE_OK;
}

const char *lns_wire_drop_name(enum lns_wire_drop reason)
{
	static const char *const names[] = { "ok", "malformed", "bad_mac", "unknown_sender", "replay" };
	return (unsigned)reason < LNS_WIRE_DROP_REASONS ? names[reason] : "?";
}
