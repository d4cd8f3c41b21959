/*
 * core/mailbox: how other threads have the control thread do something.
 * A caller on any thread (web handlers) posts a function with lns_mailbox_call
 * and blocks until the control thread has run it; the control thread watches
 * lns_mailbox_fd (readable when work waits) and runs lns_mailbox_run. The
 * control thread stays the only writer of shared state.
 */
#ifndef LNS_CORE_MAILBOX_H
#define LNS_CORE_MAILBOX_H

typedef struct lns_mailbox lns_mailbox_t;

lns_mailbox_t *lns_mailbox_new(void);
/* Frees the mailbox; no call may be waiting. NULL is a no-op. */
void lns_mailbox_free(lns_mailbox_t *mb);
int lns_mailbox_fd(const lns_mailbox_t *mb);

/* Runs fn(arg) on the control thread and returns its result. Not for the
 * control thread itself. */
int lns_mailbox_call(lns_mailbox_t *mb, int (*fn)(void *arg), void *arg);
/* Control thread: runs every waiting call. */
void lns_mailbox_run(lns_mailbox_t *mb);
/* Control thread, at shutdown: waiting and later calls return -ESHUTDOWN
 * without running. */
void lns_mailbox_close(lns_mailbox_t *mb);

#endif
