noinst_LIBRARIES += nameserver/libnameserver.a
nameserver_libnameserver_a_SOURCES = \
	nameserver/nameserver.h nameserver/nameserver_int.h \
	nameserver/answer.c nameserver/axfr.c nameserver/ns.c nameserver/pkt.c \
	nameserver/query.c nameserver/tcp.c nameserver/udp.c nameserver/zload.c
nameserver_libnameserver_a_SOURCES += nameserver/rrl.c nameserver/rrl.h
nameserver_libnameserver_a_CPPFLAGS = $(AM_CPPFLAGS) $(LDNS_CFLAGS) $(URCU_CFLAGS)
NAMESERVER_LIBS = nameserver/libnameserver.a $(LDNS_LIBS) $(EV_LIBS)

sbin_PROGRAMS += levelnsd
levelnsd_SOURCES = nameserver/main.c nameserver/daemon.h nameserver/drains.c nameserver/eventscan.c nameserver/options.c
levelnsd_LDADD = $(NAMESERVER_LIBS) $(ELECTION_LIBS) $(PROBE_LIBS) $(WEB_LIBS) $(CORE_LIBS)
