/*
 * web internals: what server.c (the libmicrohttpd glue), route.c and
 * render.c share, and what tests/unit_web.c drives without sockets.
 * Nothing outside web/ and its unit test includes this.
 *
 * Routing and rendering are pure: no sockets, no clock reads (the caller
 * passes the wall-clock time to stamp), no globals. The JSON built from a
 * view copies everything it needs, so the caller may leave the RCU read
 * section before dumping it.
 *
 * Thread: any; a view passed in must stay valid for the call (read side
 * held, or a view the caller owns).
 */
#ifndef LNS_WEB_WEB_INT_H
#define LNS_WEB_WEB_INT_H

#include "core/events.h"
#include "core/stats.h"
#include "core/view.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds of the endpoint. */
#define LNS_WEB_MAX_CONNECTIONS 64   /* past it: 503 "too many connections" */
#define LNS_WEB_SPARE_CONNECTIONS 8  /* let in past the limit to be told so; then refused */
#define LNS_WEB_TIMEOUT_S 10         /* a connection idle this long is closed */
#define LNS_WEB_MEMORY_LIMIT (32 * 1024) /* per connection: request line, headers */

enum lns_web_endpoint {
	LNS_WEB_EP_NONE,   /* no handler: answer the route's error */
	LNS_WEB_EP_HEALTH, /* GET /api/v1/health */
	LNS_WEB_EP_POOLS,  /* GET /api/v1/pools */
	LNS_WEB_EP_MASTER, /* GET /api/v1/master */
	LNS_WEB_EP_NODES,  /* GET /api/v1/nodes */
	LNS_WEB_EP_ELECTION, /* POST /api/v1/election */
	LNS_WEB_EP_DRAIN,  /* POST /api/v1/members/{pool}/{member}/drain */
	LNS_WEB_EP_UNDRAIN, /* POST /api/v1/members/{pool}/{member}/undrain */
	LNS_WEB_EP_STATS,  /* GET /api/v1/stats */
	LNS_WEB_EP_EVENTS, /* GET /api/v1/events[?since=SEQ] */
	LNS_WEB_EP_METRICS, /* GET /metrics */
	LNS_WEB_EP_RELOAD, /* POST /api/v1/reload */
};

/* Whether ep changes state (needs the token always) or only reads (needs
 * it with http.read_auth). */
bool lns_web_endpoint_is_write(enum lns_web_endpoint ep);

#define LNS_WEB_BODY_MAX 4096

/* Splits /api/v1/members/{pool}/{member}/{action} into its parts (each up to
 * size-1 bytes, percent-decoding not applied); false when path is not one. */
bool lns_web_member_path(const char *path, char *pool, char *member, size_t size, const char **action);

/* Checks "Authorization: Bearer <token>" (header may be NULL) against the
 * configured token in constant time. Returns 0 when allowed, 403 when no
 * token is configured (writes are off), 401 when it does not match. */
int lns_web_authorize(const char *token, const char *header);

/* Parses an optional drain body {"until": "<RFC 3339>"} (len 0: none);
 * until must lie after now. Returns 0 with *until (0: none) or 400 with
 * the reason in err. */
int lns_web_drain_body(const char *body, size_t len, int64_t now_ms, int64_t *until, char *err, size_t size);

/* RFC 3339 ("2026-11-28T19:40:01.123Z", offsets like +01:00 allowed) to
 * ms since the epoch; false when malformed. */
bool lns_web_time_parse(const char *text, int64_t *ms);

typedef struct lns_web_route {
	enum lns_web_endpoint endpoint; /* NONE unless status is 200 */
	int status;                     /* 200, 400, 404 or 405 */
	const char *allow;              /* the Allow header of a 405, else NULL */
	const char *error;              /* static text of the error, NULL on 200 */
} lns_web_route_t;

/* Maps a request to its handler or its error: 404 for an unknown path
 * (whatever the method), 405 with allow set for a method the path does not
 * take, 400 when has_body and the method takes no body. path is the
 * decoded path without the query string, as libmicrohttpd passes it. */
void lns_web_route(const char *method, const char *path, bool has_body, lns_web_route_t *out);

/* The documents, built from v and stamped with now_ms (wall clock, ms since
 * the epoch). New references; NULL only if jansson runs out of memory. */
json_t *lns_web_health_json(const lns_view_t *v, int64_t now_ms);
json_t *lns_web_pools_json(const lns_view_t *v, int64_t now_ms);
json_t *lns_web_master_json(const lns_view_t *v, int64_t now_ms);
json_t *lns_web_nodes_json(const lns_view_t *v, int64_t now_ms);
json_t *lns_web_endpoint_json(enum lns_web_endpoint ep, const lns_view_t *v, int64_t now_ms);
/* A counter as a JSON integer (capped at the largest json_int_t), and a
 * wall-clock time in ms as RFC 3339 text (null for 0 or out of range). */
json_t *lns_web_count(uint64_t n);
json_t *lns_web_time(int64_t ms);

/* {"error": msg} */
json_t *lns_web_error_json(const char *msg);

/* GET /api/v1/stats (web/stats.c): the counters in s with what v knows
 * (answers per pool from its generation's counters, the cluster's state
 * from a status view). s may be NULL (counters of zero). */
json_t *lns_web_stats_json(const lns_view_t *v, const lns_stats_t *s, int64_t now_ms);

/* GET /api/v1/events (web/stats.c): the n events in ev (oldest first), and
 * next, the seq to ask for with since= next time. */
json_t *lns_web_events_json(const lns_event_t *ev, size_t n, uint64_t next, uint64_t oldest, int64_t now_ms);

/* The since= of /api/v1/events: absent (NULL) is 0; a decimal number up to
 * 2^64-1, else false. */
bool lns_web_since_parse(const char *text, uint64_t *since);

/* GET /metrics (web/metrics.c): the Prometheus text exposition (format
 * 0.0.4) of s and v, in a new malloc'd string (caller frees) of *len bytes.
 * s may be NULL (counters of zero). */
char *lns_web_metrics_render(const lns_view_t *v, const lns_stats_t *s, int64_t now_ms, size_t *len);
#define LNS_WEB_METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* RCODEs that /stats and /metrics always list (the others when not 0). */
#define LNS_WEB_RCODES_ALWAYS 6

/* Clean UTF-8 of the first max bytes of s, as lns_web_string: a new
 * malloc'd string (caller frees); "" for NULL. */
char *lns_web_clean(const char *s, size_t max);

/* doc as compact JSON text ending in a newline, in a new malloc'd string
 * (caller frees); its length without the terminating NUL in *len when len
 * is not NULL. NULL when doc is NULL or cannot be dumped. */
char *lns_web_dump(const json_t *doc, size_t *len);

/* lns_web_*_json dumped: what the endpoints answer. Caller frees. */
char *lns_web_render_health(const lns_view_t *v, int64_t now_ms);
char *lns_web_render_pools(const lns_view_t *v, int64_t now_ms);

/* RFC 3339 UTC with milliseconds ("2026-11-28T19:40:01.123Z") of ms since
 * the epoch into buf (at least LNS_WEB_TIME_MAX bytes). Returns false, with
 * buf empty, outside years 1970-9999. */
#define LNS_WEB_TIME_MAX 32
bool lns_web_time_render(int64_t ms, char *buf, size_t size);

/* A JSON string of the first max bytes of s (up to its NUL), with every
 * byte that is not part of valid UTF-8 replaced by U+FFFD; JSON null when s
 * is NULL. */
json_t *lns_web_string(const char *s, size_t max);

#endif
