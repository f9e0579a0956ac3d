# SPDX-License-Identifier: MIT
# Trusted issuers: the `svcacct issuer` noun, the JWKS refresh
# (libcurl, in the svcacct tool only), its systemd units, and the tests
# (included by the top-level Makefile.am; paths relative to the top).

# The refresh timer: `svcacct issuer refresh` every hour (conf/*.timer).
# The service names the installed svcacct, so it is generated.
EXTRA_DIST += conf/svcacct-issuer-refresh.service.in conf/svcacct-issuer-refresh.timer
conf/svcacct-issuer-refresh.service: $(srcdir)/conf/svcacct-issuer-refresh.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) conf && \
	sed -e 's|@sbindir[@]|$(sbindir)|g' \
	    -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	    -e 's|@statedir[@]|$(svc_statedir)|g' $< >$@.tmp && mv $@.tmp $@
CLEANFILES += conf/svcacct-issuer-refresh.service
if HAVE_SYSTEMD_UNITDIR
systemdsystemunit_DATA = conf/svcacct-issuer-refresh.service \
	conf/svcacct-issuer-refresh.timer
endif

# ---------------------------------------------------------------- tests
# the CLI, PAM and refresh ones in the ASan+UBSan build too
issuer_sanitizer_tests = \
	tests/issuer/test_issuer_cli.sh \
	tests/issuer/test_issuer_pam.sh \
	tests/issuer/test_issuer_refresh.sh \
	tests/issuer/test_jwksurl.sh
issuer_tests = \
	$(issuer_sanitizer_tests) \
	tests/issuer/test_issuer_linkage.sh \
	tests/e2e/test_e2e_issuer.sh
TESTS += $(issuer_tests)
SANITIZER_TESTS += $(issuer_sanitizer_tests)
EXTRA_DIST += $(issuer_tests) tests/issuer/lib.sh tests/issuer/kcmint.py docs/howto-fleet.md \
	tests/bench/issuer/run.sh \
	tests/issuer/https.sh

# distcheck installs under its own prefix: the unit directory too
AM_DISTCHECK_CONFIGURE_FLAGS += \
	--with-systemdsystemunitdir='$${dc_install_base}/lib/systemd/system'

cmocka_tests += tests/unit/test_issuer
tests_unit_test_issuer_SOURCES = tests/unit/test_issuer.c
tests_unit_test_issuer_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_issuer_LDADD = $(UNIT_LDADD)
