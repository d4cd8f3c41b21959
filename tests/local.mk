check_PROGRAMS += tests/rawq
tests_rawq_SOURCES = tests/rawq.c
tests_rawq_CPPFLAGS = $(AM_CPPFLAGS) $(LDNS_CFLAGS)
tests_rawq_LDADD = $(LDNS_LIBS)

INTEGRATION_TESTS = tests/t_query.sh tests/t_malformed.sh
TESTS += $(INTEGRATION_TESTS)
dist_noinst_SCRIPTS += $(INTEGRATION_TESTS)
EXTRA_DIST += tests/lib.sh
AM_TESTS_ENVIRONMENT = export top_srcdir='$(abs_top_srcdir)' LNS_VALGRIND='$(LNS_VALGRIND)';

# The integration tests once more with levelnsd under valgrind memcheck (no
# error, no leak): slow, so not part of every `make check`.
VALGRIND_TESTS = tests/t_query.sh tests/t_malformed.sh tests/t_tcp.sh tests/t_reload.sh tests/t_config.sh \
	tests/t_pool.sh tests/t_api.sh tests/t_ctl.sh
check-valgrind:
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(VALGRIND_TESTS)' LNS_VALGRIND=1
.PHONY: check-valgrind

check_PROGRAMS += tests/dnscmp
tests_dnscmp_SOURCES = tests/dnscmp.c tests/diff/dnscmp.h tests/diff/query.c tests/diff/io.c tests/diff/render.c
tests_dnscmp_CPPFLAGS = $(AM_CPPFLAGS) $(LDNS_CFLAGS)
tests_dnscmp_LDADD = $(LDNS_LIBS)
TESTS += tests/diff_nsd.sh
dist_noinst_SCRIPTS += tests/diff_nsd.sh
EXTRA_DIST += tests/diff_queries.txt
