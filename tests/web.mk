# CUnit unit test of web/: routing and rendering without sockets, and the
# endpoint itself on 127.0.0.1 fetched with libcurl.
check_PROGRAMS += tests/unit_web
TESTS += tests/unit_web
tests_unit_web_SOURCES = tests/unit_web.c $(UNIT_HELPER)
tests_unit_web_CPPFLAGS = $(UNIT_CPPFLAGS) $(JANSSON_CFLAGS) $(URCU_CFLAGS) $(CURL_CFLAGS) $(LIBCONFIG_CFLAGS)
tests_unit_web_LDADD = $(WEB_LIBS) $(CORE_LIBS) $(CUNIT_LIBS) $(CURL_LIBS)
