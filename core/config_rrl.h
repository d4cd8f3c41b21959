/*
 * core/config_rrl: the configuration of response rate limiting (the "rrl"
 * group) and of the TCP limits' defaults. Part of lns_config_t (config.h
 * includes this header); loaded by core/config_rrl.c.
 *
 * Thread: loaded by the control thread; read-only afterwards, like the rest
 * of lns_config_t (DNS workers read it through the view).
 */
#ifndef LNS_CORE_CONFIG_RRL_H
#define LNS_CORE_CONFIG_RRL_H

#include "core/util.h"

#include <stdbool.h>

#define LNS_RRL_MAX_ALLOW 64
#define LNS_RRL_MAX_RATE 1000000
#define LNS_RRL_MAX_WINDOW 3600

typedef struct lns_rrl_conf {
	bool enabled;
	unsigned rate;        /* UDP responses a second per source prefix */
	unsigned slip;        /* 0: drop every limited answer; 1: send each with TC=1; N: every Nth */
	unsigned window;      /* seconds: how deep in debt a prefix can go, so how long a flood is remembered */
	unsigned ipv4_prefix; /* bits of an IPv4 source that make its prefix (24) */
	unsigned ipv6_prefix; /* bits of an IPv6 source (56) */
	unsigned table_size;  /* prefixes tracked at once; fixed at start */
	lns_prefix_t allow[LNS_RRL_MAX_ALLOW]; /* never limited */
	unsigned n_allow;
	int line;             /* where the group is, for messages; 0: defaults */
} lns_rrl_conf_t;

#endif
