noinst_LIBRARIES += probe/libprobe.a
probe_libprobe_a_SOURCES = \
	probe/probe.h probe/health.c probe/sched.c probe/resolve.c probe/resolve.h \
	probe/probe_drivers.h probe/drv_env.c probe/drv_tcp.c probe/drv_http.c probe/drv_dns.c probe/drv_icmp.c
probe_libprobe_a_CPPFLAGS = $(AM_CPPFLAGS) $(CURL_CFLAGS) $(CARES_CFLAGS) $(URCU_CFLAGS)
PROBE_LIBS = probe/libprobe.a $(CURL_LIBS) $(CARES_LIBS) $(EV_LIBS)
