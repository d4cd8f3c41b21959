# Test helpers for the integration tests and benchmarks:
# tests/backend, a member server that tests switch between behaviours at run
# time (protocol in tests/backend.md), and tests/cares_resolve, which resolves
# a name through c-ares the way client applications do.
check_PROGRAMS += tests/backend tests/cares_resolve

tests_backend_SOURCES = tests/backend.c
tests_backend_LDADD = $(EV_LIBS)

tests_cares_resolve_SOURCES = tests/cares_resolve.c
tests_cares_resolve_CPPFLAGS = $(AM_CPPFLAGS) $(CARES_CFLAGS)
tests_cares_resolve_LDADD = $(CARES_LIBS)

EXTRA_DIST += tests/backend.md
