/* nameserver/options: levelnsd's command line, and what --check-config
 * prints (see nameserver/daemon.h). */
#include "config.h"

#include "nameserver/daemon.h"

#include "core/util.h"
#include "core/version.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(const lns_options_t *o, FILE *to)
{
	fprintf(to,
		"usage: levelnsd [-c FILE] [-f] [-a ADDR[@PORT]]... [-p PORT] [--check-config] [--ready-fd N] [--allow-root]\n"
		"  -c FILE           configuration file (default %s)\n"
		"  -f                stay in the foreground and log to stderr\n"
		"  -a ADDR[@PORT]    listen on this address instead of the configured ones (repeatable)\n"
		"  -p PORT           listen on this port instead of the configured one\n"
		"  --check-config    check the configuration and zones, print a summary, and exit\n"
		"  --ready-fd N      write \"ready\\n\" to file descriptor N once every listener is up\n"
		"  --http ADDR[@PORT]|none  serve the admin API there instead of http.listen, or not at all\n"
		"  --allow-root      started as root, stay root instead of running as server.user\n"
		"  -V                print the version and the libraries, and exit\n",
		o->config);
}

/* The command line's -a and -p replace what the file says. */
int lns_daemon_apply_overrides(const lns_options_t *o, lns_config_t *cfg, lns_err_t *err)
{
	if (o->n_listen) {
		for (unsigned i = 0; i < o->n_listen; i++) {
			uint16_t port = o->port >= 0 ? (uint16_t)o->port : LNS_DEFAULT_PORT;
			if (lns_addr_parse(o->listen[i], port, &cfg->listen[i], err) != 0)
				return LNS_EPARSE;
		}
		cfg->n_listen = o->n_listen;
	} else if (o->port >= 0) {
		for (unsigned i = 0; i < cfg->n_listen; i++)
			lns_addr_set_port(&cfg->listen[i], (uint16_t)o->port);
	}
	if (o->http && strcmp(o->http, "none") == 0)
		cfg->http_enabled = false;
	else if (o->http && lns_addr_parse(o->http, 8053, &cfg->http_listen, err) != 0)
		return LNS_EPARSE;
	else if (o->http)
		cfg->http_enabled = true;
	return 0;
}

void lns_daemon_parse_args(lns_options_t *o, int argc, char **argv)
{
	static const struct option longs[] = {
		{ "check-config", no_argument, NULL, 'C' },
		{ "ready-fd", required_argument, NULL, 'R' },
		{ "http", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "allow-root", no_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	long v;
	while ((c = getopt_long(argc, argv, "c:fa:p:hV", longs, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'f': o->foreground = true; break;
		case 'a':
			if (o->n_listen == LNS_MAX_LISTEN) {
				fprintf(stderr, "levelnsd: at most %d -a options\n", LNS_MAX_LISTEN);
				exit(2);
			}
			o->listen[o->n_listen++] = optarg;
			break;
		case 'p':
			if (lns_parse_long(optarg, 0, 65535, &o->port) != 0) {
				fprintf(stderr, "levelnsd: -p needs a port number (0-65535), not '%s'\n", optarg);
				exit(2);
			}
			break;
		case 'C': o->check = true; break;
		case 'H': o->http = optarg; break;
		case 'R':
			if (lns_parse_long(optarg, 0, 65535, &v) != 0) {
				fprintf(stderr, "levelnsd: --ready-fd needs a file descriptor number\n");
				exit(2);
			}
			o->ready_fd = (int)v;
			break;
		case 'A': o->allow_root = true; break;
		case 'V': lns_version_print(stdout, "levelnsd", PACKAGE_VERSION); exit(0);
		case 'h': usage(o, stdout); exit(0);
		default: usage(o, stderr); exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "levelnsd: unexpected argument '%s'\n", argv[optind]);
		usage(o, stderr);
		exit(2);
	}
}

/* --check-config: the summary, and per pool the worst-case detection
 * times with the defaults it uses. */
void lns_daemon_print_check(const lns_options_t *o, const lns_view_t *v)
{
	const lns_config_t *cfg = v->config;
	printf("levelnsd: %s: ok, %u zones, %zu records, %u pools\n", o->config, v->zones->n_zones, v->zones->n_records,
		cfg->n_pools);
	for (unsigned i = 0; i < cfg->n_pools; i++) {
		const lns_pool_conf_t *p = &cfg->pools[i];
		unsigned r = lns_pool_detect_refused_ms(p), b = lns_pool_detect_blackhole_ms(p);
		printf("pool %s: %s, %u members, %s probe", p->name, lns_policy_name(p->policy), p->n_members,
			lns_probe_type_name(p->probe.type));
		if (p->probe.type == LNS_PROBE_NONE) {
			printf(" (members always count as up)\n");
			continue;
		}
		printf("; worst case to stop answering a dead member: refusing %u ms, blackholed %u ms (server side);"
		       " a client sees up to %.1f s and %.1f s with the TTL of %u s\n",
			r, b, (r + p->ttl * 1000.0) / 1000.0, (b + p->ttl * 1000.0) / 1000.0, p->ttl);
	}
}
