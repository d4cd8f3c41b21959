# tests/fuzz: libFuzzer targets for every parser of outside input, built
# and run by make check when configured with --enable-fuzzing (CC=clang).
# The test tests/fuzz/NAME.fuzz (a file of libFuzzer options) runs
# tests/fuzz/fuzz_NAME over tests/fuzz/corpus/NAME, then on fresh inputs
# for $LNS_FUZZ_SECONDS (tests/fuzz/run.sh); bench/fuzz runs them longer.
FUZZ_TESTS = tests/fuzz/dns_udp.fuzz tests/fuzz/dns_tcp.fuzz tests/fuzz/zone.fuzz tests/fuzz/config.fuzz \
	tests/fuzz/cluster.fuzz tests/fuzz/web.fuzz tests/fuzz/probe.fuzz tests/fuzz/probe_http.fuzz
FUZZ_TARGETS = tests/fuzz/fuzz_dns_udp tests/fuzz/fuzz_dns_tcp tests/fuzz/fuzz_zone tests/fuzz/fuzz_config \
	tests/fuzz/fuzz_cluster tests/fuzz/fuzz_web tests/fuzz/fuzz_probe tests/fuzz/fuzz_probe_http

TEST_EXTENSIONS = .fuzz
FUZZ_LOG_COMPILER = $(SHELL) $(top_srcdir)/tests/fuzz/run.sh
dist_noinst_SCRIPTS += bench/fuzz
EXTRA_DIST += tests/fuzz/run.sh $(FUZZ_TESTS) tests/fuzz/corpus tests/fuzz/README.md \
	tests/fuzz/zone.dict tests/fuzz/config.dict tests/fuzz/web.dict tests/fuzz/http.dict tests/fuzz/lsan.supp tests/fuzz/capture.sh

if LNS_FUZZING
check_LIBRARIES = tests/fuzz/libfuzzhelp.a
check_PROGRAMS += $(FUZZ_TARGETS)
TESTS += $(FUZZ_TESTS)
endif

FUZZ_CPPFLAGS = $(AM_CPPFLAGS) -DLNS_FUZZ_SRCDIR='"$(abs_top_srcdir)"' $(LDNS_CFLAGS) $(URCU_CFLAGS) \
	$(LIBCONFIG_CFLAGS) $(CRYPTO_CFLAGS) $(JANSSON_CFLAGS) $(MHD_CFLAGS) $(CURL_CFLAGS) $(CARES_CFLAGS)
FUZZ_LINK = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
FUZZ_LIBS = tests/fuzz/libfuzzhelp.a $(NAMESERVER_LIBS)

tests_fuzz_libfuzzhelp_a_SOURCES = tests/fuzz/fuzz.c tests/fuzz/fuzz.h tests/fuzz/dns_check.c tests/fuzz/dns_check.h
tests_fuzz_libfuzzhelp_a_CPPFLAGS = $(FUZZ_CPPFLAGS)

tests_fuzz_fuzz_dns_udp_SOURCES = tests/fuzz/fuzz_dns_udp.c
tests_fuzz_fuzz_dns_udp_CPPFLAGS = $(FUZZ_CPPFLAGS)
tests_fuzz_fuzz_dns_udp_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_dns_udp_LDADD = $(FUZZ_LIBS) $(CORE_LIBS) $(LDNS_LIBS)

tests_fuzz_fuzz_dns_tcp_SOURCES = tests/fuzz/fuzz_dns_tcp.c
tests_fuzz_fuzz_dns_tcp_CPPFLAGS = $(FUZZ_CPPFLAGS)
tests_fuzz_fuzz_dns_tcp_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_dns_tcp_LDADD = $(FUZZ_LIBS) $(CORE_LIBS) $(LDNS_LIBS)

tests_fuzz_fuzz_zone_SOURCES = tests/fuzz/fuzz_zone.c
tests_fuzz_fuzz_zone_CPPFLAGS = $(FUZZ_CPPFLAGS)
tests_fuzz_fuzz_zone_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_zone_LDADD = $(FUZZ_LIBS) $(CORE_LIBS) $(LDNS_LIBS)

tests_fuzz_fuzz_config_SOURCES = tests/fuzz/fuzz_config.c
tests_fuzz_fuzz_config_CPPFLAGS = $(FUZZ_CPPFLAGS)
tests_fuzz_fuzz_config_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_config_LDADD = $(FUZZ_LIBS) $(WEB_LIBS) $(ELECTION_LIBS) $(CORE_LIBS) $(LDNS_LIBS)

tests_fuzz_fuzz_cluster_SOURCES = tests/fuzz/fuzz_cluster.c tests/fuzz/cluster_msg.c tests/fuzz/cluster_msg.h
tests_fuzz_fuzz_cluster_CPPFLAGS = $(FUZZ_CPPFLAGS)
tests_fuzz_fuzz_cluster_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_cluster_LDADD = $(FUZZ_LIBS) $(ELECTION_LIBS) $(CORE_LIBS) $(LDNS_LIBS)

tests_fuzz_fuzz_web_SOURCES = tests/fuzz/fuzz_web.c
tests_fuzz_fuzz_web_CPPFLAGS = $(FUZZ_CPPFLAGS)
tests_fuzz_fuzz_web_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_web_LDADD = $(FUZZ_LIBS) $(WEB_LIBS) $(CORE_LIBS) $(LDNS_LIBS)

tests_fuzz_fuzz_probe_SOURCES = tests/fuzz/fuzz_probe.c
tests_fuzz_fuzz_probe_CPPFLAGS = $(FUZZ_CPPFLAGS)
tests_fuzz_fuzz_probe_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_probe_LDADD = $(FUZZ_LIBS) $(PROBE_LIBS) $(CORE_LIBS) $(LDNS_LIBS)

tests_fuzz_fuzz_probe_http_SOURCES = tests/fuzz/fuzz_probe_http.c
tests_fuzz_fuzz_probe_http_CPPFLAGS = $(FUZZ_CPPFLAGS)
tests_fuzz_fuzz_probe_http_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_probe_http_LDADD = $(FUZZ_LIBS) $(PROBE_LIBS) $(CORE_LIBS) $(LDNS_LIBS)

# Writes the cluster corpus with election/wire.c's encoder (by hand:
# make tests/fuzz/gen_cluster && tests/fuzz/gen_cluster tests/fuzz/corpus/cluster).
EXTRA_PROGRAMS = tests/fuzz/gen_cluster
tests_fuzz_gen_cluster_SOURCES = tests/fuzz/gen_cluster.c tests/fuzz/cluster_msg.c tests/fuzz/cluster_msg.h \
	tests/fuzz/fuzz.c tests/fuzz/fuzz.h
tests_fuzz_gen_cluster_CPPFLAGS = $(FUZZ_CPPFLAGS)
tests_fuzz_gen_cluster_LDADD = $(ELECTION_LIBS) $(NAMESERVER_LIBS) $(CORE_LIBS) $(LDNS_LIBS)
CLEANFILES += $(EXTRA_PROGRAMS)
