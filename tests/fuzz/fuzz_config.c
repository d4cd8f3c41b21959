/*
 * fuzz_config: one input is the text of a levelns.conf, loaded by
 * lns_config_load (libconfig, then every key checked: addresses, prefixes,
 * pools and probes, the cluster, http). The scratch directory holds the
 * files a configuration names: z.zone (example.test), cluster.key,
 * admin.token, state/. A configuration that loads is taken further, as
 * the daemon does at start: its zones compiled with its pools, then each
 * pool's name asked for A and AAAA (with and without a client subnet),
 * the API's documents rendered (health, pools, stats, and /metrics, whose
 * every line must keep the Prometheus text format whatever the names), the
 * verdict hash computed as the cluster does. A refusal must say why.
 *
 * Corpus: tests/fuzz/corpus/config/, the configurations of zones/ and
 * tests/, and one per section.
 */
#include "config.h"

#include "core/dname.h"
#include "election/verdict.h"
#include "nameserver/nameserver.h"
#include "nameserver/nameserver_int.h"
#include "tests/fuzz/dns_check.h"
#include "tests/fuzz/fuzz.h"
#include "web/web_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define POOLS_ASKED 8

static char *conf_path;
static struct sockaddr_in peer;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_log_init();
	free(fuzz_write_text("z.zone", "$ORIGIN example.test.\n$TTL 300\n@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
				       "@ NS ns1\nns1 A 192.0.2.53\nstatic A 192.0.2.80\n"));
	free(fuzz_write_text("cluster.key", "fuzz-cluster-key-0123456789abcdefghijklmnopqrstuvwxyz\n"));
	free(fuzz_write_text("admin.token", "fuzz-admin-token-0123456789\n"));
	char *state = fuzz_tmp_path("state");
	mkdir(state, 0700);
	free(state);
	conf_path = fuzz_tmp_path("fuzz.conf");
	peer.sin_family = AF_INET;
	peer.sin_port = htons(53003);
	inet_pton(AF_INET, "127.0.0.1", &peer.sin_addr);
	return 0;
}

/* A query for the wire name with EDNS and, when ecs, a client subnet. */
static size_t query(uint8_t *q, const uint8_t *wire, uint16_t type, bool ecs)
{
	static const uint8_t hdr[12] = { 0x5a, 0x5a, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1 };
	static const uint8_t opt[] = { 0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 11, 0, 8, 0, 7, 0, 1, 24, 0, 198, 51, 100 };
	size_t n = 12, len = lns_dname_len(wire, LNS_DNAME_MAX);
	memcpy(q, hdr, 12);
	memcpy(q + n, wire, len);
	n += len;
	q[n++] = (uint8_t)(type >> 8);
	q[n++] = (uint8_t)type;
	q[n++] = 0;
	q[n++] = 1;
	size_t olen = ecs ? sizeof(opt) : 11;
	memcpy(q + n, opt, olen);
	if (!ecs)
		q[n + 10] = 0;
	return n + olen;
}

static void bad_metrics(const char *why, const char *line)
{
	fprintf(stderr, "fuzz: config: /metrics: %s: %.200s\n", why, line);
	abort();
}

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || (!first && c >= '0' && c <= '9');
}

/* Each line of the Prometheus text format 0.0.4: a comment, or a sample:
 * name, optional {label="value",...} with \\, \" and \n the only escapes,
 * a space and a value. What a configuration names (pools, members, the
 * node) must not break it. */
static void check_metrics(const char *text, size_t len)
{
	if (strlen(text) != len || !len || text[len - 1] != '\n')
		bad_metrics("not lines of text", text);
	for (const char *l = text; *l; l = strchr(l, '\n') + 1) {
		const char *p = l;
		if (*p == '#') {
			if (strncmp(p, "# HELP ", 7) != 0 && strncmp(p, "# TYPE ", 7) != 0)
				bad_metrics("a comment other than HELP and TYPE", l);
			continue;
		}
		if (!name_char(*p, true))
			bad_metrics("a sample without a name", l);
		while (name_char(*p, false))
			p++;
		if (*p == '{') {
			for (p++; *p != '}';) {
				if (!name_char(*p, true) || *p == ':')
					bad_metrics("a bad label name", l);
				while (name_char(*p, false) && *p != ':')
					p++;
				if (p[0] != '=' || p[1] != '"')
					bad_metrics("a label without =\"", l);
				for (p += 2; *p != '"'; p++) {
					if (*p == '\n' || !*p)
						bad_metrics("a label value runs past its line", l);
					if (*p == '\\' && (p[1] == '\\' || p[1] == '"' || p[1] == 'n'))
						p++;
					else if (*p == '\\')
						bad_metrics("a bad escape in a label value", l);
				}
				p++;
				if (*p == ',')
					p++;
				else if (*p != '}')
					bad_metrics("labels not separated by commas", l);
			}
			p++;
		}
		if (*p != ' ' || p[1] == '\n' || !p[1])
			bad_metrics("a sample without a value", l);
	}
}

static void serve(const lns_view_t *v)
{
	uint8_t q[LNS_DNAME_MAX + 64];
	uint8_t *out = malloc(4096);
	for (unsigned p = 0; p < v->config->n_pools && p < POOLS_ASKED; p++)
		for (int k = 0; k < 4; k++) {
			size_t qlen = query(q, v->config->pools[p].wire, k & 1 ? 28 : 1, k & 2);
			lns_client_t c = { (const struct sockaddr *)&peer, false };
			size_t n = lns_answer(v, q, qlen, out, 4096, &c);
			fuzz_dns_check(q, qlen, out, n, 4096, v->config->pools[p].name);
		}
	free(out);
	free(lns_web_render_health(v, 1764355201123));
	free(lns_web_render_pools(v, 1764355201123));
	lns_stats_t st;
	memset(&st, 0, sizeof(st));
	st.started_at = 1764355200000;
	st.generation = 1;
	size_t mlen = 0;
	char *metrics = lns_web_metrics_render(v, &st, 1764355201123, &mlen);
	if (metrics)
		check_metrics(metrics, mlen);
	free(metrics);
	json_t *stats = lns_web_stats_json(v, &st, 1764355201123);
	free(lns_web_dump(stats, NULL));
	json_decref(stats);
	(void)lns_verdict_config_hash(v->config);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	free(fuzz_write("fuzz.conf", data, size));
	lns_config_t *cfg = NULL;
	lns_zonedb_t *db = NULL;
	lns_err_t err;
	err.msg[0] = '\0';
	if (lns_config_load(conf_path, &cfg, &err) != 0) {
		if (fuzz_verbose())
			fprintf(stderr, "fuzz: refused: %s\n", err.msg);
		if (!err.msg[0]) {
			fprintf(stderr, "fuzz: a configuration was refused without a reason\n");
			abort();
		}
		return 0;
	}
	if (lns_ns_zones_load(cfg, &db, &err) != 0) {
		if (fuzz_verbose())
			fprintf(stderr, "fuzz: refused: %s\n", err.msg);
		lns_config_free(cfg);
		return 0;
	}
	lns_view_t *v = lns_view_new(cfg, db);
	if (fuzz_verbose())
		fprintf(stderr, "fuzz: loaded; serving\n");
	serve(v);
	lns_view_free(v);
	return 0;
}
