/*
 * probe/resolve: member host names resolved through c-ares on the control
 * loop (socket-state callback, ares_process_fd, ares_timeout: the 1.18 API),
 * with the TTL of the answer so that names are re-resolved when it runs out.
 *
 * Thread: the control thread only.
 */
#ifndef LNS_PROBE_RESOLVE_H
#define LNS_PROBE_RESOLVE_H

#include "core/util.h"

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct lns_resolver lns_resolver_t;

typedef struct lns_resolved {
	bool ok;
	char error[96];
	bool has_v4, has_v6;
	uint8_t v4[4], v6[16];
	unsigned ttl;          /* seconds, the smallest of the answer's */
} lns_resolved_t;

typedef void (*lns_resolve_cb)(void *arg, const lns_resolved_t *r);
typedef struct lns_resolve_op lns_resolve_op_t;

/* servers: n addresses to ask (n 0: the system's resolv.conf and hosts). */
lns_resolver_t *lns_resolver_new(struct ev_loop *loop, const lns_addr_t *servers, unsigned n, lns_err_t *err);
/* Cancels what is outstanding (no callback) and frees r. NULL is a no-op. */
void lns_resolver_free(lns_resolver_t *r);
/* Resolves host (A and AAAA); cb is called once, later, unless cancelled. */
lns_resolve_op_t *lns_resolve(lns_resolver_t *r, const char *host, lns_resolve_cb cb, void *arg);
void lns_resolve_cancel(lns_resolve_op_t *op);

#endif
