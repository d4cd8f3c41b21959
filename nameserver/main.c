/*
 * levelnsd: the daemon. Loads the configuration and zones, publishes the
 * first view, starts the listeners, then runs the control loop (libev) that
 * handles reloads (SIGHUP) and a graceful stop (SIGTERM, SIGINT). This is
 * the only file that wires modules together.
 */
#include "config.h"

#include "core/config.h"
#include "core/log.h"
#include "core/view.h"
#include "nameserver/nameserver.h"

#include <errno.h>
#include <ev.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct options {
	const char *config;
	bool foreground;
	bool check;
	const char *listen[LNS_MAX_LISTEN];
	unsigned n_listen;
	long port;
	int ready_fd;
} options_t;

static options_t opt = { .config = SYSCONFDIR "/levelns/levelns.conf", .port = -1, .ready_fd = -1 };
static lns_ns_t *ns;

static void usage(FILE *to)
{
	fprintf(to,
		"usage: levelnsd [-c FILE] [-f] [-a ADDR[@PORT]]... [-p PORT] [--check-config] [--ready-fd N]\n"
		"  -c FILE           configuration file (default %s)\n"
		"  -f                stay in the foreground and log to stderr\n"
		"  -a ADDR[@PORT]    listen on this address instead of the configured ones (repeatable)\n"
		"  -p PORT           listen on this port instead of the configured one\n"
		"  --check-config    check the configuration and zones, print a summary, and exit\n"
		"  --ready-fd N      write \"ready\\n\" to file descriptor N once every listener is up\n"
		"  -V                print the version and exit\n",
		opt.config);
}

/* The command line's -a and -p replace what the file says. */
static int apply_overrides(lns_config_t *cfg, lns_err_t *err)
{
	if (opt.n_listen) {
		for (unsigned i = 0; i < opt.n_listen; i++) {
			uint16_t port = opt.port >= 0 ? (uint16_t)opt.port : LNS_DEFAULT_PORT;
			if (lns_addr_parse(opt.listen[i], port, &cfg->listen[i], err) != 0)
				return LNS_EPARSE;
		}
		cfg->n_listen = opt.n_listen;
	} else if (opt.port >= 0) {
		for (unsigned i = 0; i < cfg->n_listen; i++)
			lns_addr_set_port(&cfg->listen[i], (uint16_t)opt.port);
	}
	return 0;
}

static lns_view_t *load(lns_err_t *err)
{
	lns_config_t *cfg;
	lns_zonedb_t *db;
	if (lns_config_load(opt.config, &cfg, err) != 0)
		return NULL;
	if (apply_overrides(cfg, err) != 0 || lns_ns_zones_load(cfg, &db, err) != 0) {
		lns_config_free(cfg);
		return NULL;
	}
	return lns_view_new(cfg, db);
}

static bool same_listeners(const lns_config_t *a, const lns_config_t *b)
{
	if (a->n_listen != b->n_listen || a->workers != b->workers)
		return false;
	for (unsigned i = 0; i < a->n_listen; i++)
		if (a->listen[i].len != b->listen[i].len || memcmp(&a->listen[i].ss, &b->listen[i].ss, a->listen[i].len) != 0)
			return false;
	return true;
}

static void reload_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	lns_err_t err;
	lns_notice("reload: reading %s", opt.config);
	lns_view_t *v = load(&err);
	if (!v) {
		lns_err("reload: refused, keeping the running configuration: %s", err.msg);
		return;
	}
	const lns_view_t *cur = lns_view_current_writer();
	if (cur && !same_listeners(cur->config, v->config))
		lns_warn("reload: listen addresses and workers change only on restart; keeping the current sockets");
	lns_log_set_level(v->config->log_level);
	unsigned zones = v->zones->n_zones;
	size_t records = v->zones->n_records;
	lns_view_publish(v);
	lns_notice("reload: done, serving %u zones (%zu records)", zones, records);
}

static void stop_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	lns_notice("levelnsd: stopping on signal %d", w->signum);
	ev_break(loop, EVBREAK_ALL);
}

static void parse_args(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "check-config", no_argument, NULL, 'C' },
		{ "ready-fd", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	long v;
	while ((c = getopt_long(argc, argv, "c:fa:p:hV", longs, NULL)) != -1) {
		switch (c) {
		case 'c': opt.config = optarg; break;
		case 'f': opt.foreground = true; break;
		case 'a':
			if (opt.n_listen == LNS_MAX_LISTEN) {
				fprintf(stderr, "levelnsd: at most %d -a options\n", LNS_MAX_LISTEN);
				exit(2);
			}
			opt.listen[opt.n_listen++] = optarg;
			break;
		case 'p':
			if (lns_parse_long(optarg, 0, 65535, &opt.port) != 0) {
				fprintf(stderr, "levelnsd: -p needs a port number (0-65535), not '%s'\n", optarg);
				exit(2);
			}
			break;
		case 'C': opt.check = true; break;
		case 'R':
			if (lns_parse_long(optarg, 0, 65535, &v) != 0) {
				fprintf(stderr, "levelnsd: --ready-fd needs a file descriptor number\n");
				exit(2);
			}
			opt.ready_fd = (int)v;
			break;
		case 'V': printf("levelnsd %s\n", PACKAGE_VERSION); exit(0);
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "levelnsd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		exit(2);
	}
}

static void announce(const lns_view_t *v)
{
	char list[LNS_MAX_LISTEN * 64] = "", one[64];
	const lns_config_t *cfg = v->config;
	for (unsigned i = 0; i < cfg->n_listen; i++) {
		strcat(list, i ? ", " : "");
		strcat(list, lns_addr_render(&cfg->listen[i], one, sizeof(one)));
	}
	lns_notice("levelnsd: ready: node %s serving %u zones (%zu records) on %s (udp, tcp)", cfg->node,
		v->zones->n_zones, v->zones->n_records, list);
	if (opt.ready_fd >= 0) {
		if (write(opt.ready_fd, "ready\n", 6) == -1)
			lns_warn("levelnsd: cannot write to --ready-fd %d: %s", opt.ready_fd, strerror(errno));
		close(opt.ready_fd);
	}
}

int main(int argc, char **argv)
{
	lns_err_t err;
	parse_args(argc, argv);
	lns_log_init(opt.foreground || opt.check, "levelnsd");

	lns_view_t *v = load(&err);
	if (!v) {
		fprintf(stderr, "levelnsd: %s\n", err.msg);
		return 1;
	}
	if (opt.check) {
		printf("levelnsd: %s: ok, %u zones, %zu records\n", opt.config, v->zones->n_zones, v->zones->n_records);
		lns_view_free(v);
		return 0;
	}
	lns_log_set_level(v->config->log_level);
	if (!opt.foreground && daemon(0, 0) == -1) {
		fprintf(stderr, "levelnsd: cannot become a daemon: %s\n", strerror(errno));
		return 1;
	}

	/* Workers inherit a mask without these; the control loop takes them. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	lns_view_publish(v);
	if (lns_ns_start(v->config, &ns, &err) != 0) {
		lns_err("levelnsd: cannot listen: %s", err.msg);
		lns_view_publish(NULL);
		return 1;
	}
	struct ev_loop *loop = ev_default_loop(EVFLAG_AUTO);
	ev_signal hup, term, intr;
	ev_signal_init(&hup, reload_cb, SIGHUP);
	ev_signal_init(&term, stop_cb, SIGTERM);
	ev_signal_init(&intr, stop_cb, SIGINT);
	ev_signal_start(loop, &hup);
	ev_signal_start(loop, &term);
	ev_signal_start(loop, &intr);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	announce(v);

	ev_run(loop, 0);

	lns_ns_stats_t st;
	lns_ns_stats(ns, &st);
	lns_ns_stop(ns);
	lns_view_publish(NULL);
	ev_loop_destroy(loop);
	lns_notice("levelnsd: stopped after %" PRIu64 " UDP and %" PRIu64 " TCP queries, dropped %" PRIu64, st.udp_queries,
		st.tcp_queries, st.dropped);
	return 0;
}
