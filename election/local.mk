# election/: the cluster: election state machine, wire format, durable state, I/O.
noinst_LIBRARIES += election/libelection.a
election_libelection_a_SOURCES = \
	election/election.h election/cluster.c \
	election/fsm.h election/fsm.c \
	election/store.h election/store.c \
	election/verdict.h election/verdict.c \
	election/wire.h election/wire.c
election_libelection_a_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS) $(LIBCONFIG_CFLAGS)
ELECTION_LIBS = election/libelection.a $(CRYPTO_LIBS) $(EV_LIBS)
EXTRA_DIST += election/model.pml
