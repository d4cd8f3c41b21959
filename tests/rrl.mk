# Limits and floods: response rate limiting (nameserver/rrl), TCP limits,
# and isolation of the control thread under a query flood.
check_PROGRAMS += tests/unit_rrl
TESTS += tests/unit_rrl
tests_unit_rrl_SOURCES = tests/unit_rrl.c $(UNIT_HELPER)
tests_unit_rrl_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_rrl_LDADD = $(NAMESERVER_LIBS) $(CORE_LIBS) $(CUNIT_LIBS)

check_PROGRAMS += tests/floodq
tests_floodq_SOURCES = tests/floodq.c

LIMIT_TESTS = tests/t_rrl.sh tests/t_slow.sh tests/t_flood.sh
TESTS += $(LIMIT_TESTS)
dist_noinst_SCRIPTS += $(LIMIT_TESTS)

# The isolation benchmark (run by hand, never by make check).
dist_noinst_SCRIPTS += bench/flood bench/flood-tap
dist_noinst_SCRIPTS += bench/rrl-cost
