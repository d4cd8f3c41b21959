/*
 * web: the admin HTTP endpoint (libmicrohttpd). It serves JSON under
 * /api/v1 rendered from the published views: GET /api/v1/health (every
 * pool with its members' health, from the status view), /api/v1/pools
 * (what each pool answers, from the answer view), /master, /nodes, /stats
 * (counters) and /events (recent changes); Prometheus metrics at GET
 * /metrics; the dashboard's files at every other path. Writes, with
 * "Authorization: Bearer <token>" matching http.token_file of the current
 * configuration: POST /api/v1/members/{pool}/{member}/drain and
 * .../undrain (optional body {"until": "<RFC 3339>"}), /api/v1/election
 * and /api/v1/reload. With http.read_auth the reads need the token too
 * (the dashboard's files do not).
 *
 * Threads: lns_web_start and lns_web_stop run on the thread that owns the
 * handle (the daemon's main/control thread). Requests are served on
 * libmicrohttpd's single internal polling thread, which registers itself
 * as a view reader on its first request and unregisters when it exits; the
 * handlers only read the view, and change state only through the hooks,
 * which the daemon runs on its control thread.
 */
#ifndef LNS_WEB_WEB_H
#define LNS_WEB_WEB_H

#include "core/events.h"
#include "core/stats.h"
#include "core/util.h"

#include <stdint.h>

#include <stdbool.h>
#include <stddef.h>

typedef struct lns_web lns_web_t;

/* What a reload did (POST /api/v1/reload). */
typedef struct lns_web_reload {
	uint64_t generation;   /* of the configuration now served */
	unsigned zones, pools;
	char msg[640];         /* why it was refused */
} lns_web_reload_t;

/* What the writes do; called on the request thread, and expected to hand
 * the work to the control thread and wait for it. Any hook may be NULL:
 * its endpoint then answers 503 (stats: counters of zero). */
typedef struct lns_web_hooks {
	/* Drains (drain true) or undrains a member; until is a wall-clock time
	 * in ms, 0 for none. Returns 0, or -ENOENT with the reason in msg. */
	int (*drain)(void *arg, const char *pool, const char *member, bool drain, int64_t until, char *msg,
		size_t size);
	/* A client asks for the master: blocks until it is known or an election
	 * ends. Returns true with the master's name and term, or false with the
	 * reason (no majority). */
	bool (*election)(void *arg, char *master, size_t master_size, uint64_t *term, char *reason, size_t reason_size);
	/* Reloads the configuration and zones as SIGHUP does. Returns 0 with
	 * out filled, -EINVAL when the files are refused (the previous
	 * configuration keeps serving) or another negative errno, with the
	 * reason in out->msg. */
	int (*reload)(void *arg, lns_web_reload_t *out);
	/* Fills the daemon's counters (any thread, quick: no waiting on the
	 * control thread). */
	void (*stats)(void *arg, lns_stats_t *out);
	void *arg;
	/* The daemon's recent events (GET /api/v1/events); NULL: none. It must
	 * outlive the endpoint. */
	lns_events_t *events;
} lns_web_hooks_t;

/* Starts the admin endpoint on addr (port 0 picks a free port, see
 * lns_web_port) with libmicrohttpd's own thread. hooks may be NULL (writes
 * then answer 503); it is copied. Returns 0 and a new handle in *out
 * (caller stops it with lns_web_stop), or a negative errno with the reason
 * in err ("http: cannot listen on ADDR: ..."). */
int lns_web_start(const lns_addr_t *addr, const lns_web_hooks_t *hooks, lns_web_t **out, lns_err_t *err);

/* Stops serving, waits for the request thread to end and frees web.
 * NULL is a no-op. */
void lns_web_stop(lns_web_t *web);

/* The port the endpoint listens on (the one chosen when asked for 0). */
uint16_t lns_web_port(const lns_web_t *web);

#endif
