/*
 * core/events: the daemon's recent events for the web API (GET
 * /api/v1/events): members changing state, master changes, reloads and
 * drains. A ring keeps the last LNS_EVENTS_KEPT; each event gets a sequence
 * number (1, 2, ...) so that a client polls for what is newer than what it
 * has seen.
 *
 * Threads: lns_events_add on the control thread (its only writer);
 * lns_events_read on any thread (the web thread). A mutex guards the ring:
 * both sides hold it only to copy a few events. new/free on the thread
 * that owns the ring, with no reader left.
 */
#ifndef LNS_CORE_EVENTS_H
#define LNS_CORE_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LNS_EVENTS_KEPT 256

enum lns_event_kind {
	LNS_EVENT_MEMBER, /* pool, member, from, to, text (the probe's reason) */
	LNS_EVENT_MASTER, /* master ("" when none), term */
	LNS_EVENT_RELOAD, /* ok, text (what was loaded, or why it was refused) */
	LNS_EVENT_DRAIN,  /* pool, member, ok (true: drained, false: undrained), until */
};

typedef struct lns_event {
	uint64_t seq;      /* set by lns_events_add */
	int64_t at;        /* wall clock ms since the epoch */
	enum lns_event_kind kind;
	uint8_t from, to;  /* lns_health_state */
	bool ok;
	uint64_t term;
	int64_t until;     /* a drain's end, wall clock ms; 0: none */
	char pool[256];
	char member[64];
	char master[64];
	char text[256];
} lns_event_t;

typedef struct lns_events lns_events_t;

lns_events_t *lns_events_new(void);
/* NULL is a no-op. */
void lns_events_free(lns_events_t *ev);

/* Appends a copy of e (its seq is assigned; strings are cut to their
 * fields) and returns the seq given. The oldest event is forgotten when
 * LNS_EVENTS_KEPT are kept. ev NULL: nothing, returns 0. */
uint64_t lns_events_add(lns_events_t *ev, const lns_event_t *e);

/* Copies the kept events with seq > since, oldest first, at most max, into
 * out; returns how many. *newest gets the seq of the newest event ever
 * added (0: none), which a client passes as since next time; *oldest (when
 * not NULL) the seq of the oldest one kept (0: none). A since beyond the
 * newest (a client that saw a previous run of the daemon) reads everything
 * kept. ev NULL: none. */
size_t lns_events_read(lns_events_t *ev, uint64_t since, lns_event_t *out, size_t max, uint64_t *newest,
	uint64_t *oldest);

#endif
