/* nameserver/ns: opens the listeners and runs the worker threads. */
#include "config.h"

#include "core/log.h"
#include "nameserver/nameserver.h"
#include "nameserver/nameserver_int.h"
#include "nameserver/rrl.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct lns_ns {
	lns_udp_worker_t **udp;
	unsigned n_udp;
	lns_tcp_t *tcp;
	lns_rrl_t *rrl;  /* shared by the UDP workers; kept when RRL is off, so a reload can turn it on */
};

/* One per CPU this process may run on (taskset, cpusets), not per CPU of
 * the machine: more workers than CPUs only take turns. */
static unsigned worker_count(const lns_config_t *cfg)
{
	if (cfg->workers)
		return cfg->workers;
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

int lns_ns_start(const lns_config_t *cfg, lns_ns_t **out, lns_err_t *err)
{
	lns_ns_t *ns = lns_xcalloc(1, sizeof(*ns));
	unsigned workers = worker_count(cfg);
	int tcp_fds[LNS_MAX_LISTEN];
	int rc = 0;

	*out = NULL;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ns->rrl = lns_rrl_new(cfg->rrl.table_size, NULL, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
	ns->udp = lns_xcalloc(cfg->n_listen * workers, sizeof(*ns->udp));
	unsigned n_tcp = 0;
	for (unsigned a = 0; a < cfg->n_listen && rc == 0; a++) {
		int fd = lns_tcp_socket(&cfg->listen[a], err);
		if (fd < 0) {
			rc = fd;
			break;
		}
		tcp_fds[n_tcp++] = fd;
		for (unsigned i = 0; i < workers; i++) {
			bool pktinfo;
			fd = lns_udp_socket(&cfg->listen[a], &pktinfo, err);
			if (fd < 0) {
				rc = fd;
				break;
			}
			lns_udp_worker_t *w = lns_udp_start(fd, pktinfo, ns->rrl, err);
			if (!w) {
				close(fd);
				rc = -EAGAIN;
				break;
			}
			ns->udp[ns->n_udp++] = w;
		}
	}
	if (rc == 0 && !(ns->tcp = lns_tcp_start(tcp_fds, n_tcp, cfg, err)))
		rc = -EAGAIN;
	if (rc != 0) {
		if (!ns->tcp)
			for (unsigned i = 0; i < n_tcp; i++)
				close(tcp_fds[i]);
		lns_ns_stop(ns);
		return rc;
	}
	*out = ns;
	return 0;
}

void lns_ns_stop(lns_ns_t *ns)
{
	if (!ns)
		return;
	for (unsigned i = 0; i < ns->n_udp; i++)
		lns_udp_stop(ns->udp[i]);
	for (unsigned i = 0; i < ns->n_udp; i++)
		lns_udp_join(ns->udp[i]);
	lns_tcp_stop(ns->tcp);
	lns_rrl_free(ns->rrl);
	free(ns->udp);
	free(ns);
}

void lns_ns_counters_add(const lns_ns_counters_t *c, lns_query_counts_t *out, uint64_t *queries, uint64_t *dropped)
{
	for (unsigned i = 0; i < LNS_STATS_RCODES; i++)
		out->rcode[i] += atomic_load_explicit(&c->rcode[i], memory_order_relaxed);
	for (unsigned i = 0; i < LNS_STATS_QTYPES; i++)
		out->qtype[i] += atomic_load_explicit(&c->qtype[i], memory_order_relaxed);
	*queries += atomic_load_explicit(&c->queries, memory_order_relaxed);
	*dropped += atomic_load_explicit(&c->dropped, memory_order_relaxed);
}

void lns_ns_stats(const lns_ns_t *ns, lns_ns_stats_t *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < ns->n_udp; i++)
		lns_udp_counts(ns->udp[i], out);
	if (ns->tcp)
		lns_tcp_counts(ns->tcp, out);
}
