/* tests/fuzz/cluster_msg: the cluster target's set-up and encoding helpers. */
#define _GNU_SOURCE
#include "config.h"

#include "tests/fuzz/cluster_msg.h"
#include "tests/fuzz/fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *fuzz_cluster_setup(const uint16_t port[3])
{
	char *text;
	free(fuzz_write_text("cluster.key", FUZZ_CLUSTER_KEY "\n"));
	if (asprintf(&text,
		    "server: { node = \"ns1\"; };\n"
		    "cluster = { key_file = \"cluster.key\"; state_dir = \"state\"; heartbeat_ms = 10; hold_down_ms = 100;\n"
		    "  nodes = ( { name = \"ns1\"; address = \"127.0.0.1@%u\"; priority = 100; },\n"
		    "            { name = \"ns2\"; address = \"127.0.0.1@%u\"; priority = 50; },\n"
		    "            { name = \"ns3\"; address = \"127.0.0.1@%u\"; priority = 10; } ); };\n"
		    "pools = (\n"
		    "  { name = \"www.example.test\"; probe = { type = \"none\"; };\n"
		    "    members = ( { name = \"a\"; address = \"192.0.2.1\"; }, { name = \"b\"; address = \"192.0.2.2\"; },\n"
		    "                { name = \"c\"; address = \"192.0.2.3\"; }, { name = \"d\"; address = \"192.0.2.4\"; },\n"
		    "                { name = \"e\"; address = \"192.0.2.5\"; } ); },\n"
		    "  { name = \"api.example.test\"; policy = \"weighted\"; probe = { type = \"none\"; };\n"
		    "    members = ( { name = \"a\"; address = \"2001:db8::1\"; }, { name = \"b\"; address = \"2001:db8::2\"; },\n"
		    "                { name = \"c\"; address = \"2001:db8::3\"; }, { name = \"d\"; address = \"2001:db8::4\"; },\n"
		    "                { name = \"e\"; address = \"2001:db8::5\"; }, { name = \"f\"; address = \"2001:db8::6\"; },\n"
		    "                { name = \"g\"; address = \"2001:db8::7\"; } ); }\n"
		    ");\n",
		    port[0], port[1], port[2]) == -1)
		abort();
	char *path = fuzz_write_text("cluster.conf", text);
	free(text);
	return path;
}

void fuzz_put8(fuzz_buf_t *b, unsigned v)
{
	if (b->n < sizeof(b->b))
		b->b[b->n++] = (uint8_t)v;
}

void fuzz_put16(fuzz_buf_t *b, unsigned v)
{
	fuzz_put8(b, v >> 8);
	fuzz_put8(b, v);
}

void fuzz_put32(fuzz_buf_t *b, uint32_t v)
{
	fuzz_put16(b, v >> 16);
	fuzz_put16(b, v & 0xffff);
}

void fuzz_put64(fuzz_buf_t *b, uint64_t v)
{
	fuzz_put32(b, (uint32_t)(v >> 32));
	fuzz_put32(b, (uint32_t)v);
}

void fuzz_putn(fuzz_buf_t *b, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fuzz_put8(b, ((const uint8_t *)p)[i]);
}

void fuzz_put_fixed(fuzz_buf_t *b, unsigned ok, int master, uint32_t up_ms, uint32_t lease_ms, uint64_t seq)
{
	fuzz_put8(b, ok);
	fuzz_put16(b, (unsigned)(uint16_t)master);
	fuzz_put32(b, up_ms);
	fuzz_put32(b, lease_ms);
	fuzz_put64(b, seq);
}
