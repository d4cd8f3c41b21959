/*
 * web/ctl: levelnsctl, the command-line client of the admin HTTP API. It
 * is a separate program: it links none of the daemon's modules, only
 * libcurl (ctl_http.c) and jansson.
 *
 *   ctl.c        main: options, the token, the commands, exit codes
 *   ctl_http.c   one HTTP request with libcurl, its answer parsed as JSON
 *   ctl_table.c  aligned text tables (pure: no I/O but the FILE given)
 *   ctl_fmt.c    small text helpers: times, ages, durations, sanitizing
 *   ctl_print.c  the daemon's documents as tables and summaries (pure)
 *
 * Single-threaded. Strings returned by the lns_ctl_ functions belong to
 * the caller unless said otherwise. The printers take the daemon's JSON
 * as it comes: a missing or mistyped field is shown as "-", never a crash.
 */
#ifndef LNS_WEB_CTL_H
#define LNS_WEB_CTL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes. */
enum {
	LNS_CTL_OK = 0,
	LNS_CTL_REFUSED = 1,     /* the daemon said no, or answered nonsense */
	LNS_CTL_USAGE = 2,
	LNS_CTL_UNREACHABLE = 3, /* no answer at all */
};

/* Largest answer body accepted from the daemon. */
#define LNS_CTL_BODY_MAX (4u << 20)

/* ---- ctl_http.c ---- */

typedef struct lns_ctl_conn {
	const char *base;  /* "http://127.0.0.1:8053", no trailing slash */
	const char *token; /* NULL: no Authorization header */
	long timeout_ms;
} lns_ctl_conn_t;

typedef struct lns_ctl_reply {
	long status;     /* HTTP status */
	char *body;      /* NUL-terminated, len bytes (may hold NULs) */
	size_t len;
	json_t *doc;     /* the body parsed; NULL when it is not JSON */
	char jerr[256];  /* why doc is NULL */
} lns_ctl_reply_t;

/* Once per process, before any request / at exit. */
int lns_ctl_http_init(void);
void lns_ctl_http_cleanup(void);

/* Sends method ("GET" or "POST") to base + path (path starts with "/",
 * already escaped), with body (NULL: none) as application/json. Returns
 * LNS_CTL_OK with *out filled (caller frees with lns_ctl_reply_free),
 * whatever the HTTP status; or LNS_CTL_UNREACHABLE / LNS_CTL_REFUSED with
 * the reason printed on stderr. */
int lns_ctl_http(const lns_ctl_conn_t *c, const char *method, const char *path, const char *body,
	lns_ctl_reply_t *out);
void lns_ctl_reply_free(lns_ctl_reply_t *r);

/* s percent-encoded for one path segment; caller frees. */
char *lns_ctl_escape(const char *s);

/* ---- ctl_table.c ---- */

typedef struct lns_ctl_table lns_ctl_table_t;

/* A table of ncols columns with these headers; a header starting with '>'
 * is right-aligned (the '>' is not shown). Headers are copied; NULL
 * headers: no header line, every column left-aligned. */
lns_ctl_table_t *lns_ctl_table_new(unsigned ncols, const char *const *headers);
void lns_ctl_table_free(lns_ctl_table_t *t);
/* Adds a row of ncols cells (NULL shows "-"); cells are copied with
 * control characters replaced. */
void lns_ctl_table_add(lns_ctl_table_t *t, const char *const *cells);
unsigned lns_ctl_table_rows(const lns_ctl_table_t *t);
/* Every line printed starts with n blanks. */
void lns_ctl_table_indent(lns_ctl_table_t *t, unsigned n);
/* Prints the header and the rows, columns two spaces apart, each as wide
 * as its widest cell (in characters, UTF-8 aware), no trailing blanks. */
void lns_ctl_table_print(const lns_ctl_table_t *t, FILE *out);

/* ---- ctl_fmt.c ---- */

/* Allocation that exits with a message when memory runs out. */
void *lns_ctl_xrealloc(void *p, size_t n);
char *lns_ctl_xstrdup(const char *s);

/* Copies s into buf (size > 0) with control characters and invalid UTF-8
 * replaced by '?', so that nothing the daemon sends can drive the
 * terminal. Returns buf. */
char *lns_ctl_clean(const char *s, char *buf, size_t size);
/* Display width of s in characters (UTF-8 continuation bytes not counted). */
size_t lns_ctl_width(const char *s);
/* "2026-11-28T20:00:00.123Z" (or with an offset) to ms since the epoch;
 * false when it is not RFC 3339. */
bool lns_ctl_time_parse(const char *s, int64_t *ms);
/* ms since the epoch as RFC 3339 UTC without fractions ("...:00Z"). */
void lns_ctl_time_render(int64_t ms, char *buf, size_t size);
/* A short duration: "850 ms", "12 s", "5 min", "3 h", "2 d". */
void lns_ctl_age(int64_t ms, char *buf, size_t size);
/* "30s", "10m", "2h", "1d" (a positive integer and a unit) to ms; false
 * when it is not one. */
bool lns_ctl_duration_parse(const char *s, int64_t *ms);

/* ---- ctl_print.c ---- */

typedef struct lns_ctl_print {
	FILE *out;
	int64_t now_ms; /* the wall clock, for "5 s ago" */
} lns_ctl_print_t;

/* Each prints one document of the API (the daemon's JSON) for people.
 * They never fail: what is missing shows as "-". */
void lns_ctl_print_health(const lns_ctl_print_t *p, json_t *doc);
void lns_ctl_print_pools(const lns_ctl_print_t *p, json_t *doc);
void lns_ctl_print_master(const lns_ctl_print_t *p, json_t *doc);
void lns_ctl_print_nodes(const lns_ctl_print_t *p, json_t *doc);
void lns_ctl_print_stats(const lns_ctl_print_t *p, json_t *doc);
/* Only the events (no header when header is false: --follow). */
void lns_ctl_print_events(const lns_ctl_print_t *p, json_t *doc, bool header);
void lns_ctl_print_drain(const lns_ctl_print_t *p, json_t *doc);
void lns_ctl_print_election(const lns_ctl_print_t *p, json_t *doc);
void lns_ctl_print_reload(const lns_ctl_print_t *p, json_t *doc);
/* The summary of `levelnsctl status`: master, nodes, pools and their
 * answers, members down, from the four documents (any may be NULL). */
void lns_ctl_print_status(const lns_ctl_print_t *p, json_t *master, json_t *nodes, json_t *pools, json_t *health);

#endif
