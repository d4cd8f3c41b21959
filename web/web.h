/*
 * web: the admin HTTP endpoint (libmicrohttpd). It serves JSON under
 * /api/v1 rendered from the published views: GET /api/v1/health (every
 * pool with its members' health, from the status view) and GET
 * /api/v1/pools (what each pool answers, from the answer view).
 *
 * Threads: lns_web_start and lns_web_stop run on the thread that owns the
 * handle (the daemon's main/control thread). Requests are served on
 * libmicrohttpd's single internal polling thread, which registers itself
 * as a view reader on its first request and unregisters when it exits; the
 * handlers only read the view and never change shared state.
 */
#ifndef LNS_WEB_WEB_H
#define LNS_WEB_WEB_H

#include "core/util.h"

#include <stdint.h>

typedef struct lns_web lns_web_t;

/* Starts the admin endpoint on addr (port 0 picks a free port, see
 * lns_web_port) with libmicrohttpd's own thread. Returns 0 and a new
 * handle in *out (caller stops it with lns_web_stop), or a negative errno
 * with the reason in err ("http: cannot listen on ADDR: ..."). */
int lns_web_start(const lns_addr_t *addr, lns_web_t **out, lns_err_t *err);

/* Stops serving, waits for the request thread to end and frees web.
 * NULL is a no-op. */
void lns_web_stop(lns_web_t *web);

/* The port the endpoint listens on (the one chosen when asked for 0). */
uint16_t lns_web_port(const lns_web_t *web);

#endif
