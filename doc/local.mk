# doc: the man pages, the systemd unit and the example configuration, all
# installed by `make install`. The pages and the unit are made from their
# .in files with the installation's directories filled in.
man_MANS = doc/levelnsd.8 doc/levelnsctl.8 doc/levelns.conf.5 doc/levelns.7
DOC_IN = doc/levelnsd.8.in doc/levelnsctl.8.in doc/levelns.conf.5.in doc/levelns.7.in doc/levelnsd.service.in
EXTRA_DIST += $(DOC_IN) doc/install-check.md
CLEANFILES += $(man_MANS) doc/levelnsd.service

# $(sysconfdir)/levelns: the example configuration and the zone it serves.
levelnsconfdir = $(sysconfdir)/levelns
dist_levelnsconf_DATA = doc/levelns.conf.example doc/example.test.zone

if HAVE_SYSTEMD_UNITDIR
systemdsystemunit_DATA = doc/levelnsd.service
endif
# distcheck installs under a temporary prefix, the unit included
# ($$dc_install_base is the shell's, in distcheck's recipe).
AM_DISTCHECK_CONFIGURE_FLAGS = --with-systemdsystemunitdir=$$dc_install_base/$(systemdsystemunitdir)

doc_subst = sed -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@bindir[@]|$(bindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' -e 's|@localstatedir[@]|$(localstatedir)|g' \
	-e 's|@VERSION[@]|$(VERSION)|g'
doc_gen = $(AM_V_GEN)$(MKDIR_P) doc && $(doc_subst) $(srcdir)/$@.in >$@.tmp && mv -f $@.tmp $@

doc/levelnsd.8: doc/levelnsd.8.in Makefile
	$(doc_gen)
doc/levelnsctl.8: doc/levelnsctl.8.in Makefile
	$(doc_gen)
doc/levelns.conf.5: doc/levelns.conf.5.in Makefile
	$(doc_gen)
doc/levelns.7: doc/levelns.7.in Makefile
	$(doc_gen)
doc/levelnsd.service: doc/levelnsd.service.in Makefile
	$(doc_gen)

# The pages are clean under mandoc -T lint, every configuration key is in
# levelns.conf(5), the unit passes systemd-analyze verify, and the example
# configuration passes levelnsd --check-config.
TESTS += tests/t_man.sh
dist_noinst_SCRIPTS += tests/t_man.sh
