/* tests/fuzz/fuzz: the targets' shared set-up (see fuzz.h). */
#define _GNU_SOURCE
#include "config.h"

#include "tests/fuzz/fuzz.h"

#include "core/log.h"
#include "nameserver/nameserver.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *tmp_dir;

void fuzz_log_init(void)
{
	lns_log_init(true, "fuzz");
	lns_log_set_level(fuzz_verbose() ? LNS_LOG_DEBUG : 0);
}

bool fuzz_verbose(void)
{
	const char *keep = getenv("LNS_FUZZ_LOG");
	return keep && *keep == '1';
}

const char *fuzz_srcdir(void)
{
	const char *s = getenv("LNS_FUZZ_SRCDIR");
	return s && *s ? s : LNS_FUZZ_SRCDIR;
}

char *fuzz_src_path(const char *rel)
{
	char *p;
	if (asprintf(&p, "%s/%s", fuzz_srcdir(), rel) == -1)
		abort();
	if (access(p, R_OK) != 0) {
		fprintf(stderr, "fuzz: %s: %s (set LNS_FUZZ_SRCDIR to the source tree)\n", p, strerror(errno));
		abort();
	}
	return p;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void tmp_cleanup(void)
{
	if (tmp_dir)
		nftw(tmp_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fuzz_tmpdir(void)
{
	if (tmp_dir)
		return tmp_dir;
	const char *bases[] = { "/dev/shm", getenv("TMPDIR"), "/tmp" };
	for (unsigned i = 0; i < sizeof(bases) / sizeof(bases[0]) && !tmp_dir; i++) {
		if (!bases[i] || !*bases[i] || access(bases[i], W_OK) != 0)
			continue;
		char *p;
		if (asprintf(&p, "%s/levelns-fuzz.XXXXXX", bases[i]) == -1)
			abort();
		if (mkdtemp(p))
			tmp_dir = p;
		else
			free(p);
	}
	if (!tmp_dir) {
		perror("fuzz: mkdtemp");
		abort();
	}
	atexit(tmp_cleanup);
	return tmp_dir;
}

char *fuzz_tmp_path(const char *name)
{
	char *p;
	if (asprintf(&p, "%s/%s", fuzz_tmpdir(), name) == -1)
		abort();
	return p;
}

char *fuzz_write(const char *name, const void *data, size_t len)
{
	char *path = fuzz_tmp_path(name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1) {
		perror(path);
		abort();
	}
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, (const char *)data + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			perror(path);
			abort();
		}
		off += (size_t)n;
	}
	close(fd);
	return path;
}

char *fuzz_write_text(const char *name, const char *text)
{
	return fuzz_write(name, text, strlen(text));
}

lns_view_t *fuzz_view_load(const char *conf_path)
{
	lns_config_t *cfg = NULL;
	lns_zonedb_t *db = NULL;
	lns_err_t err;
	if (lns_config_load(conf_path, &cfg, &err) != 0 || lns_ns_zones_load(cfg, &db, &err) != 0) {
		fprintf(stderr, "fuzz: set-up data does not load: %s\n", err.msg);
		abort();
	}
	return lns_view_new(cfg, db);
}

static const char dns_conf[] =
	"server: { node = \"fuzz-ns1\"; udp_payload = 1232; };\n"
	"zones = (\n"
	"  { name = \"example.test\"; file = \"%s/tests/unit/answer.zone\"; allow_transfer = [ \"127.0.0.1\", \"::1\" ]; },\n"
	"  { name = \"other.test\"; file = \"%s/tests/unit/other.zone\"; allow_transfer = [ \"127.0.0.0/8\" ]; },\n"
	"  { name = \"served.example.test\"; file = \"%s/tests/unit/served.zone\"; }\n"
	");\n"
	"pools = (\n"
	"  { name = \"www.example.test\"; policy = \"failover\"; ttl = 5; answers = 2; probe = { type = \"none\"; };\n"
	"    members = ( { name = \"a\"; address = \"192.0.2.10\"; priority = 100; },\n"
	"                { name = \"b\"; address = \"2001:db8::11\"; priority = 50; weight = 2; },\n"
	"                { name = \"c\"; address = \"192.0.2.12@8080\"; } ); },\n"
	"  { name = \"w.other.test\"; policy = \"weighted\"; answers = 3; all_down = \"servfail\"; slow_start_ms = 1000;\n"
	"    probe = { type = \"none\"; };\n"
	"    members = ( { name = \"a\"; address = \"192.0.2.20\"; weight = 3; }, { name = \"b\"; address = \"192.0.2.21\"; weight = 0; },\n"
	"                { name = \"c\"; address = \"2001:db8::22\"; } ); },\n"
	"  { name = \"rr.example.test\"; policy = \"round-robin\"; answers = 64; all_down = \"nodata\"; probe = { type = \"none\"; };\n"
	"    members = ( { name = \"a\"; address = \"192.0.2.30\"; }, { name = \"b\"; address = \"192.0.2.31\"; },\n"
	"                { name = \"c\"; address = \"2001:db8::32\"; }, { name = \"d\"; address = \"2001:db8::33\"; } ); },\n"
	"  { name = \"near.example.test\"; policy = \"affinity\"; answers = 2; all_down = [ \"192.0.2.250\", \"2001:db8::250\" ];\n"
	"    probe = { type = \"none\"; };\n"
	"    members = ( { name = \"a\"; address = \"192.0.2.40\"; }, { name = \"b\"; address = \"192.0.2.41\"; },\n"
	"                { name = \"c\"; address = \"2001:db8::42\"; }, { name = \"d\"; address = \"2001:db8::43\"; } ); },\n"
	"  { name = \"load.served.example.test\"; policy = \"healthiest\"; probe = { type = \"load\"; };\n"
	"    members = ( { name = \"a\"; address = \"192.0.2.50\"; }, { name = \"b\"; address = \"2001:db8::51\"; } ); },\n"
	"  { name = \"named.example.test\"; policy = \"failover\"; answers = 2; probe = { type = \"none\"; };\n"
	"    members = ( { name = \"a\"; address = \"web1.example.net\"; }, { name = \"b\"; address = \"web2.example.net@81\"; } ); }\n"
	");\n";

/* Pool states for view k (see fuzz.h). */
static lns_pool_state_t **dns_states(const lns_config_t *cfg, int k)
{
	lns_pool_state_t **st = calloc(cfg->n_pools, sizeof(*st));
	if (!st)
		abort();
	for (unsigned p = 0; p < cfg->n_pools; p++) {
		const lns_pool_conf_t *pc = &cfg->pools[p];
		lns_health_t *h = calloc(pc->n_members, sizeof(*h));
		if (!h)
			abort();
		for (unsigned m = 0; m < pc->n_members; m++) {
			bool down = k == 2 || (m % 2 == 0);
			h[m].state = down ? LNS_HEALTH_DOWN : LNS_HEALTH_UP;
			h[m].probed = true;
			h[m].load = (int)(m * 37 % 101);
			h[m].up_since_mono = 1000;
			h[m].has_v4 = h[m].has_v6 = true;
			memcpy(h[m].v4, (const uint8_t[]){ 198, 51, 100, (uint8_t)m }, 4);
			memcpy(h[m].v6, (const uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8, [15] = (uint8_t)m }, 16);
		}
		st[p] = lns_pool_state_build(pc, h, NULL, 1500);
		free(h);
	}
	return st;
}

void fuzz_dns_views(lns_view_t *views[FUZZ_DNS_VIEWS])
{
	const char *src = fuzz_srcdir();
	char *text;
	if (asprintf(&text, dns_conf, src, src, src) == -1)
		abort();
	char *conf = fuzz_write_text("dns.conf", text);
	views[0] = fuzz_view_load(conf);
	for (int k = 1; k < FUZZ_DNS_VIEWS; k++)
		views[k] = lns_view_derive(views[0], dns_states(views[0]->config, k));
	free(conf);
	free(text);
}

char *fuzz_strndup(const uint8_t *data, size_t len)
{
	char *s = malloc(len + 1);
	if (!s)
		abort();
	memcpy(s, data, len);
	s[len] = '\0';
	return s;
}
