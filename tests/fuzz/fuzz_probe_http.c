/*
 * fuzz_probe_http: one input is what a member's HTTP server answers to a
 * probe. Its first byte picks the probe: bit 0 a load probe (else http),
 * bit 1 an http probe that wants "ok" in the body, bit 2 an expected status
 * range of 200-204 (else the default); the rest is sent back as is, on a
 * server this target runs on 127.0.0.1 on the probe's own libev loop, once
 * the request has come in; then the server stops sending. The real driver
 * (probe/drv_http.c through libcurl's multi interface) reads it and judges
 * it: status, body, load value, body cap, curl's errors. The result must
 * keep the contract of probe_drivers.h.
 *
 * Corpus: tests/fuzz/corpus/probe_http/, answers of HTTP servers (status
 * lines, headers, chunked and sized bodies, load values, garbage).
 */
#include "config.h"

#define LNS_PROBE_DRIVERS_INTERNAL
#include "probe/probe_drivers.h"
#include "tests/fuzz/fuzz.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct ev_loop *loop;
static lns_probe_env_t *env;
static int lfd = -1, cfd = -1;
static ev_io accept_io;
static lns_addr_t server;
static const uint8_t *reply;
static size_t reply_len;
static bool done;
static lns_probe_result_t result;

static void fail(const char *what)
{
	fprintf(stderr, "fuzz: probe_http: %s\n", what);
	abort();
}

/* Reads the request (curl writes it at once) so that closing does not
 * reset the connection, then answers. */
static void accept_cb(struct ev_loop *l, ev_io *w, int revents)
{
	char req[4096];
	size_t got = 0;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd == -1)
		return;
	if (cfd != -1)
		close(cfd);
	cfd = fd;
	while (got < sizeof(req) - 1) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 1000) != 1)
			break;
		ssize_t n = recv(fd, req + got, sizeof(req) - 1 - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	for (size_t off = 0; off < reply_len;) {
		ssize_t n = send(fd, reply + off, reply_len - off, MSG_NOSIGNAL);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	shutdown(fd, SHUT_WR);
}

static void done_cb(void *arg, const lns_probe_result_t *r)
{
	result = *r;
	done = true;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_log_init();
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd == -1 || bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 || listen(lfd, 16) == -1 ||
		getsockname(lfd, (struct sockaddr *)&sin, &len) == -1)
		fail("cannot listen on 127.0.0.1");
	memcpy(&server.ss, &sin, sizeof(sin));
	server.len = sizeof(sin);
	loop = ev_default_loop(0);
	lns_err_t err;
	if (!(env = lns_probe_env_new(loop, &err)))
		fail(err.msg);
	ev_io_init(&accept_io, accept_cb, lfd, EV_READ);
	ev_io_start(loop, &accept_io);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	lns_probe_conf_t conf;
	memset(&conf, 0, sizeof(conf));
	conf.type = data[0] & 1 ? LNS_PROBE_LOAD : LNS_PROBE_HTTP;
	conf.path = data[0] & 1 ? "/load" : "/health";
	conf.body = data[0] & 2 ? "ok" : NULL;
	if (data[0] & 4) {
		conf.expect_lo = 200;
		conf.expect_hi = 204;
	}
	conf.timeout_ms = 2000;
	lns_probe_target_t t = { &conf, server, NULL };
	reply = data + 1;
	reply_len = size - 1;
	done = false;
	memset(&result, 0xa5, sizeof(result));
	lns_probe_start(env, &t, done_cb, NULL);
	while (!done)
		ev_run(loop, EVRUN_ONCE);
	if (cfd != -1) {
		close(cfd);
		cfd = -1;
	}
	if (strnlen(result.reason, sizeof(result.reason)) == sizeof(result.reason) || !result.reason[0])
		fail("a reason is empty or not terminated");
	if (result.ok != (strcmp(result.reason, "ok") == 0))
		fail("ok and the reason disagree");
	if (conf.type == LNS_PROBE_LOAD && result.ok && (result.load < 0 || result.load > 100))
		fail("a load probe succeeded with a load outside 0-100");
	if (!result.ok && result.load != -1)
		fail("a failed probe has a load");
	if (fuzz_verbose())
		fprintf(stderr, "fuzz: probe_http: %s, load %d\n", result.reason, result.load);
	return 0;
}
