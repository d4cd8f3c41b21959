/* core/privs: from root to server.user, keeping no capability. */
#define _GNU_SOURCE /* setresuid, getresuid, initgroups */
#include "config.h"

#include "core/privs.h"
#include "core/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NSS_BUF 65536

static int no_user(lns_err_t *err, const char *user, int e)
{
	if (e)
		lns_err_set(err, NULL, 0, "cannot look up server.user '%s': %s", user, strerror(e));
	else
		lns_err_set(err, NULL, 0,
			"server.user '%s' does not exist: create it (adduser --system --group --no-create-home %s), "
			"set server.user to an existing user, or set server.allow_root = true (or --allow-root) to run as root",
			user, user);
	return LNS_ECONFIG;
}

static int lookup_group(const char *group, lns_privs_t *p, char *buf, lns_err_t *err)
{
	struct group gr, *res = NULL;
	int e = getgrnam_r(group, &gr, buf, NSS_BUF, &res);
	if (!res) {
		lns_err_set(err, NULL, 0, "server.group '%s' %s", group, e ? strerror(e) : "does not exist");
		return LNS_ECONFIG;
	}
	p->gid = gr.gr_gid;
	snprintf(p->group, sizeof(p->group), "%s", gr.gr_name);
	return 0;
}

int lns_privs_plan(const char *user, const char *group, bool allow_root, lns_privs_t *p, lns_err_t *err)
{
	memset(p, 0, sizeof(*p));
	if (geteuid() != 0)
		return 0;
	if (allow_root) {
		p->as_root = true;
		return 0;
	}
	if (!user)
		user = LNS_DEFAULT_USER;
	char *buf = lns_xmalloc(NSS_BUF);
	struct passwd pw, *res = NULL;
	int e = getpwnam_r(user, &pw, buf, NSS_BUF, &res), rc = 0;
	if (!res) {
		rc = no_user(err, user, e);
		goto out;
	}
	if (pw.pw_uid == 0) {
		lns_err_set(err, NULL, 0,
			"server.user '%s' is root: levelnsd does not keep running as root unless server.allow_root = true "
			"(or --allow-root)", user);
		rc = LNS_ECONFIG;
		goto out;
	}
	p->uid = pw.pw_uid;
	p->gid = pw.pw_gid;
	snprintf(p->user, sizeof(p->user), "%s", pw.pw_name);
	if (group) {
		if ((rc = lookup_group(group, p, buf, err)) != 0)
			goto out;
	} else {
		struct group gr, *gres = NULL;
		if (getgrgid_r(p->gid, &gr, buf, NSS_BUF, &gres) == 0 && gres)
			snprintf(p->group, sizeof(p->group), "%s", gr.gr_name);
		else
			snprintf(p->group, sizeof(p->group), "%u", (unsigned)p->gid);
	}
	if (p->gid == 0) {
		lns_err_set(err, NULL, 0, "server.group is root (gid 0): name another group, or set server.allow_root = true");
		rc = LNS_ECONFIG;
		goto out;
	}
	p->drop = true;
out:
	free(buf);
	return rc;
}

/* ---- the state directory ---- */

static bool writable_by(const struct stat *st, const lns_privs_t *p)
{
	return (st->st_uid == p->uid && (st->st_mode & 0300) == 0300) ||
		(st->st_gid == p->gid && (st->st_mode & 0030) == 0030);
}

/* Visits the entries of dir (not . and ..); fn returns false to stop. */
static int each_entry(const char *dir, bool (*fn)(int dfd, const char *name, const struct stat *st, void *arg),
	void *arg)
{
	DIR *d = opendir(dir);
	if (!d)
		return -errno;
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(d))) {
		struct stat st;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			rc = -errno;
			break;
		}
		if (!fn(dirfd(d), de->d_name, &st, arg)) {
			rc = 1;
			break;
		}
	}
	closedir(d);
	return rc;
}

static bool is_file(int dfd, const char *name, const struct stat *st, void *arg)
{
	return S_ISREG(st->st_mode);
}

static bool give_file(int dfd, const char *name, const struct stat *st, void *arg)
{
	const lns_privs_t *p = arg;
	return !(S_ISREG(st->st_mode) && st->st_uid == 0 &&
		fchownat(dfd, name, p->uid, p->gid, AT_SYMLINK_NOFOLLOW) == -1);
}

static int dir_fail(const lns_privs_t *p, const char *dir, const char *what, int e, lns_err_t *err)
{
	lns_err_set(err, dir, 0, "cannot %s the state directory for user %s: %s; create it with "
		"install -d -o %s -g %s -m 0750 %s", what, p->user, strerror(e), p->user, p->group, dir);
	return -e;
}

int lns_privs_prepare_dir(const lns_privs_t *p, const char *dir, lns_err_t *err)
{
	struct stat st;
	if (!p->drop)
		return 0;
	if (stat(dir, &st) == -1) {
		if (errno != ENOENT || mkdir(dir, 0700) == -1)
			return dir_fail(p, dir, "create", errno, err);
		if (chown(dir, p->uid, p->gid) == -1) {
			int e = errno;
			(void)rmdir(dir);
			return dir_fail(p, dir, "create", e, err);
		}
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		lns_err_set(err, dir, 0, "the state directory is not a directory");
		return -ENOTDIR;
	}
	if (!writable_by(&st, p)) {
		/* Created by root before (an earlier run as root, systemd's
		 * StateDirectory= without User=): a directory of files only is
		 * handed over; one with subdirectories is not a state directory. */
		if (st.st_uid != 0 || each_entry(dir, is_file, NULL) != 0) {
			lns_err_set(err, dir, 0,
				"the state directory is not writable by user %s (owner uid %u, mode %04o): "
				"chown -R %s:%s %s, or name another cluster.state_dir",
				p->user, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777), p->user, p->group, dir);
			return -EACCES;
		}
		if (chown(dir, p->uid, p->gid) == -1 || chmod(dir, (st.st_mode & 07777) | 0700) == -1)
			return dir_fail(p, dir, "hand over", errno, err);
	}
	/* Files an earlier run wrote as root: the user must read and replace them. */
	int rc = each_entry(dir, give_file, (void *)p);
	if (rc != 0) {
		int e = rc < 0 ? -rc : errno;
		lns_err_set(err, dir, 0, "cannot give the files in the state directory to user %s: %s; chown -R %s:%s %s",
			p->user, strerror(e), p->user, p->group, dir);
		return -e;
	}
	return 0;
}

int lns_privs_fs_as_user(const lns_privs_t *p, bool on)
{
	if (!p->drop)
		return 0;
	/* setfsuid reports no error: the next call returns what is set. */
	setfsgid(on ? p->gid : 0);
	setfsuid(on ? p->uid : 0);
	uid_t want = on ? p->uid : 0;
	return (uid_t)setfsuid(want) == want && (gid_t)setfsgid(on ? p->gid : 0) == (on ? p->gid : 0) ? 0 : -EPERM;
}

/* ---- the drop ---- */

static int fail(lns_err_t *err, const lns_privs_t *p, const char *step)
{
	int e = errno;
	lns_err_set(err, NULL, 0, "cannot drop to user %s, group %s: %s: %s%s", p->user, p->group, step, strerror(e),
		e == EPERM ? " (a capability bounding set must keep CAP_SETUID and CAP_SETGID)" : "");
	return -e;
}

/* Root, or any capability, still within reach. */
static bool regains_root(void)
{
	uid_t r, e, s;
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	uint32_t others = 0;
	if (syscall(SYS_capget, &hdr, data) == -1)
		return true;
	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		others |= data[i].permitted | data[i].effective | data[i].inheritable;
	/* Raw calls: on success only this thread would have changed. */
	return others != 0 || syscall(SYS_setuid, 0) != -1 || syscall(SYS_setgid, 0) != -1 ||
		getresuid(&r, &e, &s) == -1 || r == 0 || e == 0 || s == 0;
}

int lns_privs_drop(const lns_privs_t *p, lns_err_t *err)
{
	if (!p->drop)
		return 0;
	if (initgroups(p->user, p->gid) == -1)
		return fail(err, p, "initgroups");
	if (setresgid(p->gid, p->gid, p->gid) == -1)
		return fail(err, p, "setgid");
	if (setresuid(p->uid, p->uid, p->uid) == -1)
		return fail(err, p, "setuid");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) == -1)
		return fail(err, p, "no_new_privs");
	gid_t rg, eg, sg;
	if (regains_root() || getresgid(&rg, &eg, &sg) == -1 || rg != p->gid || eg != p->gid || sg != p->gid) {
		lns_err_set(err, NULL, 0, "dropped to user %s, but root could be regained", p->user);
		return -EPERM;
	}
	return 0;
}

/* ---- start-up and reloads ---- */

static void check_readable(const lns_privs_t *p, const char *what, const char *path)
{
	if (path && access(path, R_OK) == -1)
		lns_warn("privs: %s %s is not readable by user %s (%s): a reload would be refused", what, path, p->user,
			strerror(errno));
}

int lns_privs_start(lns_privs_t *p, const lns_config_t *cfg, lns_err_t *err)
{
	if (p->as_root)
		lns_warn("levelnsd: running as root (server.allow_root or --allow-root)");
	if (!p->drop)
		return 0;
	int rc = lns_privs_drop(p, err);
	if (rc != 0)
		return rc;
	lns_notice("levelnsd: running as user %s (uid %u), group %s (gid %u)", p->user, (unsigned)p->uid, p->group,
		(unsigned)p->gid);
	/* access() asks with the real ids, which are the user's now. */
	check_readable(p, "the configuration", cfg->path);
	for (unsigned i = 0; i < cfg->n_zones; i++)
		check_readable(p, "zone file", cfg->zones[i].file);
	check_readable(p, "http.token_file", cfg->http_token_file);
	if (cfg->cluster.enabled)
		check_readable(p, "cluster.key_file", cfg->cluster.key_file);
	return 0;
}

static bool same_name(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

void lns_privs_reload_check(const lns_privs_t *p, const lns_config_t *old, const lns_config_t *cfg)
{
	bool same = old->allow_root == cfg->allow_root && same_name(old->user, cfg->user) &&
		same_name(old->group, cfg->group);
	if (!same)
		lns_warn("reload: server.user, server.group and server.allow_root change only on restart");
}
