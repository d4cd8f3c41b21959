# web/: the dashboard's files (web/static/) compiled into web/assets.c, a
# table of byte arrays that lns_web_asset_find looks up (web/assets.h).
WEB_ASSETS = web/static/index.html web/static/style.css web/static/app.js web/static/api.js \
	web/static/util.js web/static/spark.js web/static/events.js web/static/dialogs.js web/static/icon.svg
EXTRA_DIST += $(WEB_ASSETS) web/gen-assets.sh
web_libweb_a_SOURCES += web/assets.h
nodist_web_libweb_a_SOURCES = web/assets.c
BUILT_SOURCES += web/assets.c
CLEANFILES += web/assets.c
web/assets.c: $(WEB_ASSETS) $(srcdir)/web/gen-assets.sh
	$(AM_V_GEN)$(MKDIR_P) web && sh $(srcdir)/web/gen-assets.sh $(srcdir)/web/static $(WEB_ASSETS:web/static/%=%) >$@.tmp && mv $@.tmp $@
