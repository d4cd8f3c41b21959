/* core/policy: eligible members, their order and weights; per-query picks. */
#include "config.h"

#include "core/policy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

static bool eligible(const lns_pool_conf_t *conf, const lns_health_t *h)
{
	if (h->drained)
		return false;
	return h->state == LNS_HEALTH_UP || (h->state == LNS_HEALTH_UNKNOWN && conf->initial_up);
}

static uint32_t effective_weight(const lns_pool_conf_t *conf, const lns_member_conf_t *m, const lns_health_t *h,
	int64_t now)
{
	uint64_t w = m->weight;
	if (conf->slow_start_ms && h->up_since_mono > 0 && now - h->up_since_mono < (int64_t)conf->slow_start_ms) {
		int64_t elapsed = now - h->up_since_mono;
		w = w * (uint64_t)(elapsed < 0 ? 0 : elapsed) / conf->slow_start_ms;
		if (w == 0 && m->weight)
			w = 1;
	}
	return (uint32_t)w;
}

typedef struct sort_ctx {
	const lns_pool_conf_t *conf;
	const lns_health_t *health;
} sort_ctx_t;

static sort_ctx_t sort_by; /* qsort has no context argument; the control thread alone sorts */

static int by_priority(const void *a, const void *b)
{
	const lns_member_conf_t *x = &sort_by.conf->members[*(const uint16_t *)a];
	const lns_member_conf_t *y = &sort_by.conf->members[*(const uint16_t *)b];
	if (x->priority != y->priority)
		return x->priority > y->priority ? -1 : 1;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return *(const uint16_t *)a - *(const uint16_t *)b;
}

static int by_load(const void *a, const void *b)
{
	int x = sort_by.health[*(const uint16_t *)a].load, y = sort_by.health[*(const uint16_t *)b].load;
	if (x != y)
		return x > y ? -1 : 1;
	return *(const uint16_t *)a - *(const uint16_t *)b;
}

/* healthiest: the leader keeps its place unless a challenger is better by
 * more than the hysteresis margin, so near-equal members don't swap. */
static void order_healthiest(lns_pool_state_t *st, const lns_pool_state_t *prev)
{
	const lns_pool_conf_t *conf = st->conf;
	sort_by.conf = conf;
	sort_by.health = st->health;
	qsort(st->order, st->n_eligible, sizeof(*st->order), by_load);
	if (st->n_eligible == 0)
		return;
	uint16_t best = st->order[0], leader = best;
	if (prev && prev->n_eligible && !prev->fallback) {
		uint16_t old = prev->leader;
		for (unsigned i = 0; i < st->n_eligible; i++)
			if (st->order[i] == old && st->health[best].load <= st->health[old].load + (int)conf->hysteresis) {
				leader = old;
				memmove(&st->order[1], &st->order[0], i * sizeof(*st->order));
				st->order[0] = old;
				break;
			}
	}
	st->leader = leader;
}

lns_pool_state_t *lns_pool_state_build(const lns_pool_conf_t *conf, const lns_health_t *health,
	const lns_pool_state_t *prev, int64_t now_ms)
{
	lns_pool_state_t *st = lns_xcalloc(1, sizeof(*st));
	unsigned n = conf->n_members;
	st->conf = conf;
	st->health = lns_xcalloc(n, sizeof(*st->health));
	memcpy(st->health, health, n * sizeof(*health));
	st->order = lns_xcalloc(n, sizeof(*st->order));
	st->weight = lns_xcalloc(n, sizeof(*st->weight));
	for (unsigned i = 0; i < n; i++)
		if (eligible(conf, &health[i]))
			st->order[st->n_eligible++] = (uint16_t)i;
	if (st->n_eligible == 0) {
		st->fallback = true;
		if (conf->all_down == LNS_ALL_DOWN_SERVE_ALL)
			for (unsigned i = 0; i < n; i++)
				if (!health[i].drained)
					st->order[st->n_eligible++] = (uint16_t)i;
	}
	if (conf->policy == LNS_POLICY_FAILOVER) {
		sort_by.conf = conf;
		qsort(st->order, st->n_eligible, sizeof(*st->order), by_priority);
	} else if (conf->policy == LNS_POLICY_HEALTHIEST) {
		order_healthiest(st, prev);
	}
	for (unsigned i = 0; i < st->n_eligible; i++) {
		uint16_t m = st->order[i];
		st->weight[i] = st->fallback ? conf->members[m].weight : effective_weight(conf, &conf->members[m], &health[m], now_ms);
		st->total_weight += st->weight[i];
	}
	return st;
}

void lns_pool_state_free(lns_pool_state_t *st)
{
	if (!st)
		return;
	free(st->health);
	free(st->order);
	free(st->weight);
	free(st);
}

bool lns_pool_state_same_answer(const lns_pool_state_t *a, const lns_pool_state_t *b)
{
	if (!a || !b || a->conf != b->conf || a->n_eligible != b->n_eligible || a->fallback != b->fallback ||
	    a->warming != b->warming)
		return false;
	return memcmp(a->order, b->order, a->n_eligible * sizeof(*a->order)) == 0 &&
		memcmp(a->weight, b->weight, a->n_eligible * sizeof(*a->weight)) == 0;
}

void lns_client_subnet_set(lns_client_subnet_t *cs, int family, const void *addr, unsigned prefix)
{
	unsigned max = family == AF_INET ? 32 : 128;
	memset(cs, 0, sizeof(*cs));
	cs->family = family;
	cs->prefix = (uint8_t)(prefix > max ? max : prefix);
	memcpy(cs->addr, addr, max / 8);
	unsigned full = cs->prefix / 8, rest = cs->prefix % 8;
	if (full < max / 8) {
		cs->addr[full] &= (uint8_t)(0xff << (8 - rest));
		memset(cs->addr + full + 1, 0, max / 8 - full - 1);
	}
}

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

static uint64_t hash_bytes(uint64_t h, const void *data, size_t n)
{
	const uint8_t *p = data;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* Rendezvous (highest random weight) score of a member for a subnet:
 * weighted so that a member's share follows its weight. */
static double hrw_score(const lns_member_conf_t *m, uint32_t weight, const lns_client_subnet_t *cs)
{
	uint64_t h = hash_bytes(0xcbf29ce484222325ull, m->name, strlen(m->name));
	h = hash_bytes(h, &cs->family, sizeof(cs->family));
	h = hash_bytes(h, &cs->prefix, 1);
	h = mix(hash_bytes(h, cs->addr, sizeof(cs->addr)));
	double u = ((double)(h >> 11) + 0.5) / 9007199254740992.0; /* (0, 1) */
	return (weight ? weight : 1) / -log(u);
}

bool lns_pool_member_addr(const lns_pool_state_t *st, unsigned m, int family, lns_addr_t *out)
{
	const lns_member_conf_t *mc = &st->conf->members[m];
	const lns_health_t *h = &st->health[m];
	if (!mc->host) {
		if (mc->address.ss.ss_family != family)
			return false;
		if (out)
			*out = mc->address;
		return true;
	}
	if ((family == AF_INET && !h->has_v4) || (family == AF_INET6 && !h->has_v6))
		return false;
	if (out) {
		memset(out, 0, sizeof(*out));
		if (family == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&out->ss;
			sin->sin_family = AF_INET;
			memcpy(&sin->sin_addr, h->v4, 4);
			out->len = sizeof(*sin);
		} else {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->ss;
			sin6->sin6_family = AF_INET6;
			memcpy(&sin6->sin6_addr, h->v6, 16);
			out->len = sizeof(*sin6);
		}
	}
	return true;
}

unsigned lns_policy_pick(const lns_pool_state_t *st, int family, const lns_client_subnet_t *client, uint64_t seq,
	uint64_t rnd, uint16_t *out, unsigned max)
{
	const lns_pool_conf_t *conf = st->conf;
	unsigned want = max < conf->answers ? max : conf->answers;
	uint16_t cand[LNS_POOL_MAX_MEMBERS];
	uint32_t w[LNS_POOL_MAX_MEMBERS];
	unsigned k = 0;
	uint64_t total = 0;
	for (unsigned i = 0; i < st->n_eligible; i++) {
		if (!lns_pool_member_addr(st, st->order[i], family, NULL))
			continue;
		cand[k] = st->order[i];
		w[k] = st->weight[i];
		total += w[k];
		k++;
	}
	if (k == 0 || want == 0)
		return 0;
	if (want > k)
		want = k;
	unsigned start = 0;
	switch (conf->policy) {
	case LNS_POLICY_FAILOVER:
	case LNS_POLICY_HEALTHIEST:
		break;
	case LNS_POLICY_ROUND_ROBIN:
		start = (unsigned)(seq % k);
		break;
	case LNS_POLICY_WEIGHTED:
		if (total) {
			uint64_t r = rnd % total;
			while (start < k - 1 && r >= w[start])
				r -= w[start++];
		} else {
			start = (unsigned)(rnd % k);
		}
		break;
	case LNS_POLICY_AFFINITY: {
		/* The top `want` scores, by selection: pools are small. */
		double score[LNS_POOL_MAX_MEMBERS];
		for (unsigned i = 0; i < k; i++)
			score[i] = hrw_score(&conf->members[cand[i]], w[i], client);
		for (unsigned n = 0; n < want; n++) {
			unsigned best = n;
			for (unsigned i = n + 1; i < k; i++)
				if (score[i] > score[best])
					best = i;
			double ts = score[n];
			uint16_t tc = cand[n];
			score[n] = score[best];
			cand[n] = cand[best];
			score[best] = ts;
			cand[best] = tc;
			out[n] = cand[n];
		}
		return want;
	}
	}
	for (unsigned n = 0; n < want; n++)
		out[n] = cand[(start + n) % k];
	return want;
}
