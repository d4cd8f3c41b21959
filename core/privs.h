/*
 * core/privs: running without root. Started as root, levelnsd binds its
 * sockets first, then gives up root for server.user and server.group:
 * supplementary groups, gid, uid, then a check that none of it can be
 * taken back. It keeps no capability: what needs one (the ICMP sockets
 * of the probes, raw where ping sockets are not allowed) is opened before.
 *
 * Started as another user, there is nothing to drop and levelnsd runs as
 * it is. Started as root with allow_root, it stays root (with a warning).
 *
 * Thread: start-up only, on the main thread, which becomes the control
 * thread. lns_privs_drop changes every thread's uid and gids (glibc
 * applies set*id to the whole process, and the kernel clears each
 * thread's capabilities as its uids leave root).
 */
#ifndef LNS_CORE_PRIVS_H
#define LNS_CORE_PRIVS_H

#include "core/config.h"
#include "core/util.h"

#include <stdbool.h>
#include <sys/types.h>

#define LNS_DEFAULT_USER "levelns"

typedef struct lns_privs {
	bool drop;            /* started as root and going to run as user */
	bool as_root;         /* started as root and staying root (allow_root) */
	uid_t uid;
	gid_t gid;
	char user[64];
	char group[64];
} lns_privs_t;

/* What start-up will become: user (NULL: LNS_DEFAULT_USER) and group
 * (NULL: the user's login group) looked up when started as root. Returns
 * 0, or LNS_ECONFIG with the reason and the way out in err (no such user
 * or group, server.user is root without allow_root). */
int lns_privs_plan(const char *user, const char *group, bool allow_root, lns_privs_t *p, lns_err_t *err);

/* Makes dir usable by the planned user before anything is written in it:
 * creates it (0700, the user's) when missing; hands a root-owned
 * directory that holds only files to the user, and root-owned files in it
 * (from an earlier run as root); refuses a directory the user cannot
 * write, saying how to fix it. Nothing happens unless p->drop. */
int lns_privs_prepare_dir(const lns_privs_t *p, const char *dir, lns_err_t *err);

/* While on, this thread reads and creates files as the planned user
 * (setfsuid, setfsgid) and keeps its other privileges, such as binding
 * port 53: start-up writes the state files the user will rewrite, and
 * learns early what the user cannot read. Returns 0 or -EPERM. */
int lns_privs_fs_as_user(const lns_privs_t *p, bool on);

/* Drops to p->uid and p->gid with the user's supplementary groups,
 * keeping no capability; sets no_new_privs; then checks that neither root
 * nor any capability can be regained. Returns 0 (and does nothing
 * unless p->drop), or a negative errno with the step that failed in err:
 * the process must then exit. */
int lns_privs_drop(const lns_privs_t *p, lns_err_t *err);

/* Start-up's last step, once every socket is open (the ICMP sockets
 * included): logs a warning when staying root; else drops, logs who it
 * runs as, and warns of the files of cfg that the user cannot read (a
 * reload would fail). */
int lns_privs_start(lns_privs_t *p, const lns_config_t *cfg, lns_err_t *err);

/* Warnings for a reload to cfg: user, group and allow_root change only on
 * restart. */
void lns_privs_reload_check(const lns_privs_t *p, const lns_config_t *old, const lns_config_t *cfg);

#endif
