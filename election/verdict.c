/* election/verdict: reports, quorum verdicts and suspect vantage points. */
#include "config.h"

#include "election/verdict.h"

#include <string.h>

unsigned lns_verdict_members(const lns_config_t *cfg)
{
	unsigned n = 0;
	for (unsigned p = 0; p < cfg->n_pools; p++)
		n += cfg->pools[p].n_members;
	return n;
}

static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
	const uint8_t *p = data;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

uint64_t lns_verdict_config_hash(const lns_config_t *cfg)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (unsigned p = 0; p < cfg->n_pools; p++) {
		const lns_pool_conf_t *pc = &cfg->pools[p];
		h = fnv(h, pc->wire, strlen((const char *)pc->wire) + 1);
		h = fnv(h, &pc->policy, sizeof(pc->policy));
		for (unsigned m = 0; m < pc->n_members; m++) {
			const lns_member_conf_t *mc = &pc->members[m];
			h = fnv(h, mc->name, strlen(mc->name) + 1);
			if (mc->host)
				h = fnv(h, mc->host, strlen(mc->host) + 1);
			else
				h = fnv(h, &mc->address.ss, mc->address.len);
			h = fnv(h, &mc->priority, sizeof(mc->priority));
			h = fnv(h, &mc->weight, sizeof(mc->weight));
		}
	}
	return h;
}

void lns_verdict_local(const lns_config_t *cfg, const lns_health_t *const *health, uint8_t *bits)
{
	unsigned i = 0;
	memset(bits, 0, (lns_verdict_members(cfg) + 7) / 8);
	for (unsigned p = 0; p < cfg->n_pools; p++) {
		const lns_pool_conf_t *pc = &cfg->pools[p];
		for (unsigned m = 0; m < pc->n_members; m++, i++) {
			uint8_t s = health[p][m].state;
			if (s == LNS_HEALTH_UP || (s == LNS_HEALTH_UNKNOWN && pc->initial_up))
				bits[i / 8] |= (uint8_t)(1u << (i % 8));
		}
	}
}

static unsigned downs(unsigned members, const uint8_t *bits)
{
	unsigned n = 0;
	for (unsigned i = 0; i < members; i++)
		n += !lns_verdict_bit(bits, i);
	return n;
}

unsigned lns_verdict_quorum(unsigned members, const uint8_t *const *reports, unsigned n, uint8_t *out, bool *suspect)
{
	unsigned counted = 0;
	/* A vantage point is suspect when it sees more than half of all members
	 * down and most of what it sees down, the other reports see up. */
	for (unsigned r = 0; r < n; r++) {
		suspect[r] = false;
		unsigned d = downs(members, reports[r]);
		if (n < 3 || !members || d * 2 <= members)
			continue;
		unsigned disputed = 0;
		for (unsigned i = 0; i < members; i++) {
			if (lns_verdict_bit(reports[r], i))
				continue;
			unsigned others_up = 0;
			for (unsigned o = 0; o < n; o++)
				others_up += o != r && lns_verdict_bit(reports[o], i);
			disputed += others_up * 2 > n - 1;
		}
		suspect[r] = disputed * 2 > d;
	}
	memset(out, 0, (members + 7) / 8);
	for (unsigned r = 0; r < n; r++)
		counted += !suspect[r];
	for (unsigned i = 0; i < members; i++) {
		unsigned down = 0;
		for (unsigned r = 0; r < n; r++)
			down += !suspect[r] && !lns_verdict_bit(reports[r], i);
		if (!(counted && down * 2 > counted))
			out[i / 8] |= (uint8_t)(1u << (i % 8));
	}
	return counted;
}
