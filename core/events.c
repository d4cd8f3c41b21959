/* core/events: the ring of recent events, under a mutex. */
#include "config.h"

#include "core/events.h"
#include "core/util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct lns_events {
	pthread_mutex_t lock;
	uint64_t next;        /* seq of the next event; events next-n .. next-1 are kept */
	lns_event_t ring[LNS_EVENTS_KEPT];
};

lns_events_t *lns_events_new(void)
{
	lns_events_t *ev = lns_xcalloc(1, sizeof(*ev));
	pthread_mutex_init(&ev->lock, NULL);
	ev->next = 1;
	return ev;
}

void lns_events_free(lns_events_t *ev)
{
	if (!ev)
		return;
	pthread_mutex_destroy(&ev->lock);
	free(ev);
}

/* Strings cut to their field, always terminated. */
#define TERMINATE(field) ((field)[sizeof(field) - 1] = '\0')

uint64_t lns_events_add(lns_events_t *ev, const lns_event_t *e)
{
	if (!ev)
		return 0;
	pthread_mutex_lock(&ev->lock);
	uint64_t seq = ev->next++;
	lns_event_t *slot = &ev->ring[seq % LNS_EVENTS_KEPT];
	*slot = *e;
	slot->seq = seq;
	TERMINATE(slot->pool);
	TERMINATE(slot->member);
	TERMINATE(slot->master);
	TERMINATE(slot->text);
	pthread_mutex_unlock(&ev->lock);
	return seq;
}

size_t lns_events_read(lns_events_t *ev, uint64_t since, lns_event_t *out, size_t max, uint64_t *newest,
	uint64_t *oldest)
{
	size_t n = 0;
	*newest = 0;
	if (oldest)
		*oldest = 0;
	if (!ev)
		return 0;
	pthread_mutex_lock(&ev->lock);
	uint64_t last = ev->next - 1;
	uint64_t first = ev->next > LNS_EVENTS_KEPT ? ev->next - LNS_EVENTS_KEPT : 1;
	*newest = last;
	if (oldest && last)
		*oldest = first;
	if (since > last)
		since = 0; /* from before a restart: all that is kept is new */
	uint64_t from = since >= first ? since + 1 : first;
	for (uint64_t s = from; s <= last && n < max && s != 0; s++)
		out[n++] = ev->ring[s % LNS_EVENTS_KEPT];
	pthread_mutex_unlock(&ev->lock);
	return n;
}
