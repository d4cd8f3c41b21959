# web/: the admin HTTP endpoint (libmicrohttpd) and its JSON API (jansson).
noinst_LIBRARIES += web/libweb.a
web_libweb_a_SOURCES = \
	web/web.h web/web_int.h \
	web/server.c \
	web/route.c \
	web/render.c \
	web/stats.c \
	web/metrics.c \
	web/write.c
web_libweb_a_CPPFLAGS = $(AM_CPPFLAGS) $(MHD_CFLAGS) $(JANSSON_CFLAGS) $(URCU_CFLAGS) $(CRYPTO_CFLAGS)
WEB_LIBS = web/libweb.a $(MHD_LIBS) $(JANSSON_LIBS) $(CRYPTO_LIBS)
