# election/'s tests: the state machine transition by transition and in a
# simulated cluster, with the wire and store suite (tests/unit_election);
# the Promela model checked with spin (tests/t_spin.sh, skipped without spin).
check_PROGRAMS += tests/unit_election
TESTS += tests/unit_election tests/t_spin.sh
dist_noinst_SCRIPTS += tests/t_spin.sh

tests_unit_election_SOURCES = tests/unit_election.c tests/election/sim.c tests/election/sim.h \
	tests/unit/election_io_suite.c tests/unit/suites.h $(UNIT_HELPER)
tests_unit_election_CPPFLAGS = $(UNIT_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_election_LDADD = $(ELECTION_LIBS) $(CORE_LIBS) $(CUNIT_LIBS)
