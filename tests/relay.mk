# tests/relay: a UDP relay between cluster nodes that drops, duplicates,
# delays, reorders and partitions at run time (protocol in tests/relay.md),
# for the cluster integration tests.
check_PROGRAMS += tests/relay

tests_relay_SOURCES = tests/relay.c
tests_relay_LDADD = $(EV_LIBS)

EXTRA_DIST += tests/relay.md
