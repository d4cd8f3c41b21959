/*
 * core/health: the health record of one member, as the probe module keeps it
 * and as the view publishes a copy of it to readers (DNS workers read the
 * answers computed from it; the web API renders it).
 *
 * Thread: probe/ (control thread) is the only writer of the live records;
 * readers see immutable copies inside a published view.
 */
#ifndef LNS_CORE_HEALTH_H
#define LNS_CORE_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

enum lns_health_state { LNS_HEALTH_UNKNOWN, LNS_HEALTH_UP, LNS_HEALTH_DOWN, LNS_HEALTH_DRAINED };

#define LNS_HEALTH_HISTORY 8
#define LNS_REASON_MAX 96

typedef struct lns_health_change {
	int64_t at;             /* wall clock, ms since the epoch */
	uint8_t from, to;       /* lns_health_state */
	char reason[LNS_REASON_MAX];
} lns_health_change_t;

typedef struct lns_health {
	uint8_t state;           /* lns_health_state, drains excluded (see drained) */
	bool probed;             /* a result has come in */
	bool last_ok;
	char reason[LNS_REASON_MAX]; /* last result: "ok", "connection refused", "timeout 400 ms", "status 503" */
	double rtt_ms;           /* of the last successful probe */
	unsigned interval_ms;    /* the current probe interval */
	unsigned ok_streak, fail_streak;
	int load;                /* health degree 0-100 from a load probe, -1 if none */
	int64_t changed_at;      /* wall clock ms of the last state change (0: never) */
	int64_t up_since_mono;   /* monotonic ms when it last came up, for slow start */
	bool drained;
	int64_t drained_until;   /* wall clock ms; 0: until undrained */
	uint64_t probes, failures;
	/* A member given by host name: its addresses as last resolved. */
	bool has_v4, has_v6;
	uint8_t v4[4], v6[16];
	int64_t resolved_at;     /* wall clock ms, 0: never */
	lns_health_change_t history[LNS_HEALTH_HISTORY]; /* ring, newest at (n_history-1) % N */
	unsigned n_history;
} lns_health_t;

const char *lns_health_state_name(uint8_t state);
/* The state to show: drained wins over the probed state. */
static inline uint8_t lns_health_shown(const lns_health_t *h)
{
	return h->drained ? LNS_HEALTH_DRAINED : h->state;
}

#endif
