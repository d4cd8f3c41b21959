noinst_LIBRARIES += core/libcore.a
core_libcore_a_SOURCES = \
	core/cluster.h \
	core/config.c core/config.h core/config_int.h core/config_pool.c core/config_cluster.c \
	core/health.c core/health.h \
	core/policy.c core/policy.h core/pool.h \
	core/dname.c core/dname.h \
	core/events.c core/events.h \
	core/log.c core/log.h \
	core/mailbox.c core/mailbox.h \
	core/stats.c core/stats.h \
	core/util.c core/util.h \
	core/view.c core/view.h \
	core/zonedb.c core/zonedb.h
core_libcore_a_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCONFIG_CFLAGS) $(URCU_CFLAGS)
CORE_LIBS = core/libcore.a $(LIBCONFIG_LIBS) $(URCU_LIBS) -lm
