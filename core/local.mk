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
core_libcore_a_SOURCES += core/config_rrl.c core/config_rrl.h
core_libcore_a_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCONFIG_CFLAGS) $(URCU_CFLAGS)
CORE_LIBS = core/libcore.a $(LIBCONFIG_LIBS) $(URCU_LIBS) -lm

# Privileges, sd_notify and -V. version.c names every library levelnsd
# links; only levelnsd calls it, so other programs linking libcore.a need none.
core_libcore_a_SOURCES += core/config_privs.c core/privs.c core/privs.h core/notify.c core/notify.h \
	core/version.c core/version.h
nodist_core_libcore_a_SOURCES = core/build_versions.h
core_libcore_a_CPPFLAGS += $(LDNS_CFLAGS) $(CARES_CFLAGS) $(MHD_CFLAGS) $(JANSSON_CFLAGS) $(CURL_CFLAGS) $(CRYPTO_CFLAGS)
BUILT_SOURCES += core/build_versions.h
CLEANFILES += core/build_versions.h
core/build_versions.h: Makefile
	$(AM_V_GEN)$(MKDIR_P) core && \
	echo "#define LNS_BUILD_URCU_VERSION \"`$(PKG_CONFIG) --modversion liburcu-memb 2>/dev/null || echo unknown`\"" >$@
core/libcore_a-version.$(OBJEXT): core/build_versions.h
