/* core/mailbox: calls posted to the control thread, run there in order. */
#include "config.h"

#include "core/mailbox.h"
#include "core/util.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

typedef struct job {
	int (*fn)(void *arg);
	void *arg;
	int result;
	bool done;
	struct job *next;
} job_t;

struct lns_mailbox {
	pthread_mutex_t lock;
	pthread_cond_t done;
	job_t *head, **tail;
	int fd;
	bool closed;
};

lns_mailbox_t *lns_mailbox_new(void)
{
	lns_mailbox_t *mb = lns_xcalloc(1, sizeof(*mb));
	pthread_mutex_init(&mb->lock, NULL);
	pthread_cond_init(&mb->done, NULL);
	mb->tail = &mb->head;
	mb->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (mb->fd == -1) {
		lns_mailbox_free(mb);
		return NULL;
	}
	return mb;
}

void lns_mailbox_free(lns_mailbox_t *mb)
{
	if (!mb)
		return;
	if (mb->fd != -1)
		close(mb->fd);
	pthread_cond_destroy(&mb->done);
	pthread_mutex_destroy(&mb->lock);
	free(mb);
}

int lns_mailbox_fd(const lns_mailbox_t *mb)
{
	return mb->fd;
}

int lns_mailbox_call(lns_mailbox_t *mb, int (*fn)(void *arg), void *arg)
{
	job_t job = { .fn = fn, .arg = arg };
	uint64_t one = 1;
	pthread_mutex_lock(&mb->lock);
	if (mb->closed) {
		pthread_mutex_unlock(&mb->lock);
		return -ESHUTDOWN;
	}
	*mb->tail = &job;
	mb->tail = &job.next;
	pthread_mutex_unlock(&mb->lock);
	while (write(mb->fd, &one, sizeof(one)) == -1 && errno == EINTR)
		;
	pthread_mutex_lock(&mb->lock);
	while (!job.done)
		pthread_cond_wait(&mb->done, &mb->lock);
	pthread_mutex_unlock(&mb->lock);
	return job.result;
}

void lns_mailbox_run(lns_mailbox_t *mb)
{
	uint64_t n;
	while (read(mb->fd, &n, sizeof(n)) == -1 && errno == EINTR)
		;
	for (;;) {
		pthread_mutex_lock(&mb->lock);
		job_t *job = mb->head;
		if (job) {
			mb->head = job->next;
			if (!mb->head)
				mb->tail = &mb->head;
		}
		pthread_mutex_unlock(&mb->lock);
		if (!job)
			return;
		int result = job->fn(job->arg);
		pthread_mutex_lock(&mb->lock);
		job->result = result;
		job->done = true;
		pthread_cond_broadcast(&mb->done);
		pthread_mutex_unlock(&mb->lock);
	}
}

void lns_mailbox_close(lns_mailbox_t *mb)
{
	pthread_mutex_lock(&mb->lock);
	mb->closed = true;
	for (job_t *job = mb->head; job; job = job->next) {
		job->result = -ESHUTDOWN;
		job->done = true;
	}
	mb->head = NULL;
	mb->tail = &mb->head;
	pthread_cond_broadcast(&mb->done);
	pthread_mutex_unlock(&mb->lock);
}
