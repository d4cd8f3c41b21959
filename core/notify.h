/*
 * core/notify: the service manager's readiness protocol (sd_notify), in a
 * few lines of our own: one datagram of "KEY=value" lines to the unix
 * socket named by $NOTIFY_SOCKET (a path, or an abstract name written with
 * a leading '@'). Without $NOTIFY_SOCKET every call does nothing.
 *
 * levelnsd sends READY=1 once every listener is up, RELOADING=1 with
 * MONOTONIC_USEC= when a reload starts and READY=1 with its outcome in
 * STATUS= when it ends, and STOPPING=1 on SIGTERM.
 *
 * Thread: lns_notify_init at start-up, before privileges are dropped (the
 * socket is connected then and kept); lns_notify_send from the control
 * thread.
 */
#ifndef LNS_CORE_NOTIFY_H
#define LNS_CORE_NOTIFY_H

/* Connects to $NOTIFY_SOCKET when set. Returns 0 (also when unset), or a
 * negative errno (the caller logs it and goes on: nothing is notified). */
int lns_notify_init(void);

/* Sends the lines in fmt (separated by '\n'); -ENOTCONN without a socket,
 * else 0 or a negative errno. */
int lns_notify_send(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "RELOADING=1\nMONOTONIC_USEC=<CLOCK_MONOTONIC now>", as systemd 253+
 * wants for Type=notify-reload (older ones ignore what they don't know). */
int lns_notify_reloading(void);

void lns_notify_close(void);

#endif
