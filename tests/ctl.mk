# tests: levelnsctl against a running levelnsd (commands, output, exit
# codes), and its pure parts (tables, printers, times) under CUnit.
INTEGRATION_TESTS += tests/t_ctl.sh

check_PROGRAMS += tests/unit_ctl
TESTS += tests/unit_ctl
tests_unit_ctl_SOURCES = tests/unit_ctl.c $(LNS_CTL_SOURCES) $(UNIT_HELPER)
tests_unit_ctl_CPPFLAGS = $(UNIT_CPPFLAGS) $(JANSSON_CFLAGS)
tests_unit_ctl_LDADD = $(CUNIT_LIBS) $(JANSSON_LIBS)
