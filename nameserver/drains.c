/* nameserver/drains: the drains kept across restarts, in
 * cluster.state_dir/drains (see nameserver/daemon.h). */
#include "config.h"

#include "nameserver/daemon.h"

#include "core/dname.h"
#include "core/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static uint64_t drains_saved = 1; /* a signature of what the file holds */

static uint64_t drains_signature(const lns_config_t *cfg, const lns_prober_t *prober)
{
	uint64_t sig = 0xcbf29ce484222325ull;
	for (unsigned p = 0; p < cfg->n_pools; p++) {
		const lns_health_t *h = lns_prober_health(prober, p);
		for (unsigned m = 0; m < cfg->pools[p].n_members; m++)
			sig = (sig ^ (h[m].drained ? (uint64_t)h[m].drained_until * 31 + p * 4099 + m + 1 : 0)) * 0x100000001b3ull;
	}
	return sig;
}

void lns_daemon_drains_save(const lns_config_t *cfg, const lns_prober_t *prober)
{
	if (!cfg->cluster.enabled || drains_signature(cfg, prober) == drains_saved)
		return;
	char path[4096], tmp[4200];
	snprintf(path, sizeof(path), "%s/drains", cfg->cluster.state_dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *fp = fopen(tmp, "w");
	if (!fp) {
		lns_warn("cluster: cannot save drains to %s: %s", tmp, strerror(errno));
		return;
	}
	for (unsigned p = 0; p < cfg->n_pools; p++) {
		const lns_health_t *h = lns_prober_health(prober, p);
		for (unsigned m = 0; m < cfg->pools[p].n_members; m++)
			if (h[m].drained)
				fprintf(fp, "%s\t%s\t%lld\n", cfg->pools[p].name, cfg->pools[p].members[m].name,
					(long long)h[m].drained_until);
	}
	bool ok = fflush(fp) == 0 && fsync(fileno(fp)) == 0;
	ok = fclose(fp) == 0 && ok && rename(tmp, path) == 0;
	if (!ok)
		lns_warn("cluster: cannot save drains to %s: %s", path, strerror(errno));
	else
		drains_saved = drains_signature(cfg, prober);
}

void lns_daemon_drains_load(const lns_config_t *cfg, lns_prober_t *prober)
{
	char path[4096], line[512];
	if (!cfg->cluster.enabled)
		return;
	snprintf(path, sizeof(path), "%s/drains", cfg->cluster.state_dir);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return;
	while (fgets(line, sizeof(line), fp)) {
		char pool[256], member[64];
		long long until;
		if (sscanf(line, "%255[^\t]\t%63[^\t]\t%lld", pool, member, &until) != 3)
			continue;
		uint8_t wire[256];
		if (!lns_dname_parse(pool, wire, sizeof(wire)))
			continue;
		for (unsigned p = 0; p < cfg->n_pools; p++)
			for (unsigned m = 0; lns_dname_equal(cfg->pools[p].wire, wire) && m < cfg->pools[p].n_members; m++)
				if (strcmp(cfg->pools[p].members[m].name, member) == 0)
					lns_prober_drain(prober, p, m, true, until);
	}
	fclose(fp);
	drains_saved = drains_signature(cfg, prober);
}
