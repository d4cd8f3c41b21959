# CUnit tests of the probe drivers against servers the test runs itself on
# 127.0.0.1 and ::1 (TCP, HTTP, a load endpoint, a UDP DNS responder, and
# openssl s_server when the tool is there).
check_PROGRAMS += tests/unit_probe_drivers
TESTS += tests/unit_probe_drivers
tests_unit_probe_drivers_SOURCES = tests/unit_probe_drivers.c $(UNIT_HELPER)
tests_unit_probe_drivers_CPPFLAGS = $(UNIT_CPPFLAGS) $(CURL_CFLAGS) $(CARES_CFLAGS)
tests_unit_probe_drivers_LDADD = $(PROBE_LIBS) $(CORE_LIBS) $(CUNIT_LIBS)
