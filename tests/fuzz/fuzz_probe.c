/*
 * fuzz_probe: one input is what a probed member sent back, given to every
 * pure parser of probe/probe_drivers.h: as a load probe's body
 * (lns_probe_parse_load), as a DNS answer judged for each kind of expected
 * answer (lns_probe_dns_judge: none, an address of each family, a text, a
 * name; the rcode wanted taken from the answer's own header, so that
 * matches are reached), as an ICMP packet from each kind of socket (raw
 * IPv4 with its IP header, ping socket, ICMPv6: lns_probe_icmp_parse_reply
 * and lns_probe_icmp_is_reply). Its first bytes also pick a curl outcome
 * whose text lns_probe_http_reason writes (code, errno, error text).
 * The contracts of the header are checked; a violation aborts.
 *
 * Corpus: tests/fuzz/corpus/probe/, load bodies, DNS answers recorded
 * from levelnsd and from the unit tests' responder, ICMP echo replies.
 */
#include "config.h"

#define LNS_PROBE_DRIVERS_INTERNAL
#include "probe/probe_drivers.h"
#include "tests/fuzz/fuzz.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static void fail(const char *what)
{
	fprintf(stderr, "fuzz: probe: %s\n", what);
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_log_init();
	return 0;
}

static void check_reason(const char *reason, size_t size)
{
	if (strnlen(reason, size) == size || !reason[0])
		fail("a reason is empty or not terminated");
}

static void load(const uint8_t *data, size_t size)
{
	int v = -7;
	int rc = lns_probe_parse_load((const char *)data, size, &v);
	if (rc == 0 && (v < 0 || v > 100))
		fail("parse_load: a load outside 0-100");
	if (rc != 0 && rc != -EINVAL)
		fail("parse_load: an error other than -EINVAL");
}

static void dns(const uint8_t *data, size_t size)
{
	static const char *const wants[] = { NULL, "192.0.2.1", "2001:db8::1", "ok", "www.example.test",
		"www.example.test." };
	unsigned rcode = size >= 4 ? data[3] & 0x0f : 0;
	for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
		char reason[LNS_REASON_MAX];
		memset(reason, 'x', sizeof(reason));
		bool ok = lns_probe_dns_judge(data, size, rcode, wants[i], reason, sizeof(reason));
		check_reason(reason, sizeof(reason));
		if (ok != (strcmp(reason, "ok") == 0))
			fail("dns_judge: the verdict and the reason disagree");
		char tiny[6];
		(void)lns_probe_dns_judge(data, size, rcode ^ 2, wants[i], tiny, sizeof(tiny));
		check_reason(tiny, sizeof(tiny));
	}
	(void)strlen(lns_probe_rcode_name(size >= 2 ? (unsigned)(data[0] << 8 | data[1]) : 0));
}

static void icmp(const uint8_t *data, size_t size)
{
	static const struct {
		int family;
		bool ip_header;
	} kinds[] = { { AF_INET, true }, { AF_INET, false }, { AF_INET6, false } };
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		uint16_t id = 0, seq = 0;
		int rc = lns_probe_icmp_parse_reply(kinds[i].family, kinds[i].ip_header, data, size, &id, &seq);
		if (rc != 0 && rc != -ENOMSG && rc != -EBADMSG)
			fail("icmp_parse_reply: an error other than -ENOMSG, -EBADMSG");
		bool is = lns_probe_icmp_is_reply(kinds[i].family, kinds[i].ip_header, data, size, id, seq);
		if (is != (rc == 0))
			fail("icmp_is_reply disagrees with icmp_parse_reply");
	}
}

static void http_reason(const uint8_t *data, size_t size)
{
	if (size < 3)
		return;
	char *errbuf = fuzz_strndup(data + 3, size - 3);
	char reason[LNS_REASON_MAX];
	lns_probe_http_reason(data[0], (long)(int8_t)data[1], errbuf, 400, data[2] & 1, reason, sizeof(reason));
	check_reason(reason, sizeof(reason));
	free(errbuf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	load(data, size);
	dns(data, size);
	icmp(data, size);
	http_reason(data, size);
	return 0;
}
