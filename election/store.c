/* election/store: the durable term, vote and boot counter. */
#include "config.h"

#include "election/store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_NAME "cluster.state"

int lns_store_load(const char *dir, lns_store_state_t *st, lns_err_t *err)
{
	char path[4096], line[256];
	st->term = 0;
	st->vote = -1;
	st->boot = 0;
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		lns_err_set(err, dir, 0, "cannot create the cluster state directory: %s", strerror(errno));
		return -errno;
	}
	snprintf(path, sizeof(path), "%s/" FILE_NAME, dir);
	FILE *fp = fopen(path, "r");
	if (!fp) {
		if (errno == ENOENT)
			return 0;
		lns_err_set(err, path, 0, "cannot read: %s", strerror(errno));
		return -errno;
	}
	unsigned seen = 0;
	int n = 0, rc = 0;
	while (fgets(line, sizeof(line), fp)) {
		n++;
		uint64_t v;
		int vote;
		if (n == 1 && strcmp(line, "levelns-cluster-state 1\n") == 0)
			seen |= 1;
		else if (sscanf(line, "term %" SCNu64, &v) == 1)
			st->term = v, seen |= 2;
		else if (sscanf(line, "vote %d", &vote) == 1 && vote >= -1 && vote < 16)
			st->vote = vote, seen |= 4;
		else if (sscanf(line, "boot %" SCNu64, &v) == 1)
			st->boot = v, seen |= 8;
		else {
			lns_err_set(err, path, n, "damaged cluster state; remove it only if this node is known not to have voted");
			rc = LNS_EPARSE;
			break;
		}
	}
	fclose(fp);
	if (rc == 0 && seen != 15) {
		lns_err_set(err, path, 0, "incomplete cluster state; remove it only if this node is known not to have voted");
		rc = LNS_EPARSE;
	}
	return rc;
}

int lns_store_save(const char *dir, const lns_store_state_t *st, lns_err_t *err)
{
	char path[4096], tmp[4096], text[256];
	snprintf(path, sizeof(path), "%s/" FILE_NAME, dir);
	snprintf(tmp, sizeof(tmp), "%s/" FILE_NAME ".tmp", dir);
	int len = snprintf(text, sizeof(text), "levelns-cluster-state 1\nterm %" PRIu64 "\nvote %d\nboot %" PRIu64 "\n",
		st->term, st->vote, st->boot);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1)
		goto fail;
	for (int off = 0; off < len;) {
		ssize_t w = write(fd, text + off, (size_t)(len - off));
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			goto fail;
		}
		off += (int)w;
	}
	if (fsync(fd) == -1 || close(fd) == -1 || rename(tmp, path) == -1)
		goto fail;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd == -1 || fsync(dfd) == -1) {
		if (dfd != -1)
			close(dfd);
		goto fail;
	}
	close(dfd);
	return 0;
fail:;
	int e = errno;
	lns_err_set(err, path, 0, "cannot save the cluster state: %s", strerror(e));
	return -e;
}
