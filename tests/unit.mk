# CUnit unit tests (one binary per module).
# tests/unit/ holds their shared helper and test data; the binaries find the
# data through $top_srcdir (AM_TESTS_ENVIRONMENT), so VPATH builds work.
UNIT_TESTS = tests/unit_core tests/unit_nameserver
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)

UNIT_HELPER = tests/unit/helper.c tests/unit/helper.h
UNIT_CPPFLAGS = $(AM_CPPFLAGS) $(CUNIT_CFLAGS) -DLNS_TEST_SRCDIR='"$(abs_top_srcdir)"'

tests_unit_core_SOURCES = tests/unit_core.c tests/unit/policy_suite.c tests/unit/suites.h $(UNIT_HELPER)
tests_unit_core_CPPFLAGS = $(UNIT_CPPFLAGS) $(LIBCONFIG_CFLAGS) $(URCU_CFLAGS)
tests_unit_core_LDADD = $(CORE_LIBS) $(CUNIT_LIBS)

tests_unit_nameserver_SOURCES = tests/unit_nameserver.c tests/unit/ecs_suite.c tests/unit/dnsmsg.c tests/unit/dnsmsg.h $(UNIT_HELPER)
tests_unit_nameserver_CPPFLAGS = $(UNIT_CPPFLAGS) $(LDNS_CFLAGS) $(URCU_CFLAGS)
tests_unit_nameserver_LDADD = $(NAMESERVER_LIBS) $(CORE_LIBS) $(CUNIT_LIBS) $(LDNS_LIBS)

EXTRA_DIST += tests/unit/answer.zone tests/unit/other.zone tests/unit/served.zone

check_PROGRAMS += tests/unit_probe
TESTS += tests/unit_probe
tests_unit_probe_SOURCES = tests/unit_probe.c $(UNIT_HELPER)
tests_unit_probe_CPPFLAGS = $(UNIT_CPPFLAGS) $(LIBCONFIG_CFLAGS) $(URCU_CFLAGS)
tests_unit_probe_LDADD = $(PROBE_LIBS) $(CORE_LIBS) $(CUNIT_LIBS)
