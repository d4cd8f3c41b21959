# web/: levelnsctl, the command-line client of the admin API (libcurl and
# jansson only; it links none of the daemon's modules).
LNS_CTL_SOURCES = web/ctl.h web/ctl_fmt.c web/ctl_table.c web/ctl_print.c
bin_PROGRAMS += levelnsctl
levelnsctl_SOURCES = web/ctl.c web/ctl_http.c $(LNS_CTL_SOURCES)
levelnsctl_CPPFLAGS = $(AM_CPPFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS)
levelnsctl_LDADD = $(CURL_LIBS) $(JANSSON_LIBS)
