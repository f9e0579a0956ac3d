# SPDX-License-Identifier: MIT
# pam_svcacct: pam_svcacct.so and the login-path core it needs (included by
# the top-level Makefile.am; paths are relative to the top of the tree).

pammod_LTLIBRARIES = pam/pam_svcacct.la
pam_pam_svcacct_la_SOURCES = \
	pam/pam_svcacct.c pam/pam_svcacct.h \
	pam/args.c \
	pam/confcache.c \
	pam/conv.c \
	pam/parts.c pam/parts.h
pam_pam_svcacct_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(JANSSON_CFLAGS)
pam_pam_svcacct_la_LIBADD = common/auth/libsvauth.la common/store/libsvstore.la \
	$(CRYPTO_LIBS) $(JANSSON_LIBS) $(GDBM_LIBS) $(PAM_LIBS)
# -z nodelete: libpam dlcloses modules at pam_end; unloading a module that
# brought in libcrypto (atexit handlers, thread-local keys) is a known
# source of crashes in long-lived PAM applications, and reloading it for
# every pam_start is wasted work.
pam_pam_svcacct_la_LDFLAGS = $(AM_LDFLAGS) \
	-module -avoid-version -shared \
	-Wl,--version-script=$(srcdir)/pam/exports.map \
	-Wl,-z,relro -Wl,-z,now -Wl,-z,nodelete -Wl,--no-undefined
EXTRA_pam_pam_svcacct_la_DEPENDENCIES = pam/exports.map

# A PAM module is the .so alone: no .la beside it.
install-data-hook: install-data-hook-pam
install-data-hook-pam:
	rm -f $(DESTDIR)$(pammoddir)/pam_svcacct.la
uninstall-hook: uninstall-hook-pam
uninstall-hook-pam:
	rm -f $(DESTDIR)$(pammoddir)/pam_svcacct.so
.PHONY: install-data-hook-pam uninstall-hook-pam

EXTRA_DIST += pam/exports.map
dist_man_MANS += man/pam_svcacct.8

# ---------------------------------------------------------------- tests
check_PROGRAMS += tests/pam/pam_harness tests/bench/pam/pambench
cmocka_tests += tests/unit/test_login_core
tests_unit_test_login_core_SOURCES = tests/unit/test_login_core.c
tests_unit_test_login_core_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_login_core_LDADD = $(UNIT_LDADD)
tests_pam_pam_harness_SOURCES = tests/pam/pam_harness.c tests/lib/pamconv.h
tests_pam_pam_harness_LDADD = $(PAM_LIBS) $(CRYPTO_LIBS)
tests_pam_pam_harness_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
tests_bench_pam_pambench_SOURCES = tests/bench/pam/pambench.c tests/lib/pamconv.h
tests_bench_pam_pambench_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(JANSSON_CFLAGS)
tests_bench_pam_pambench_LDADD = common/auth/libsvauth.la common/store/libsvstore.la \
	$(CRYPTO_LIBS) $(JANSSON_LIBS) $(GDBM_LIBS) $(PAM_LIBS)

# The PAM integration tests in the ASan+UBSan build too (the harness is
# instrumented too; tests/hardening/local.mk): all but the valgrind one,
# as valgrind cannot run instrumented programs.
pam_sanitizer_tests = \
	tests/pam/test_pam_login.sh \
	tests/pam/test_pam_adversarial.sh \
	tests/pam/test_pam_account.sh \
	tests/pam/test_pam_setcred.sh \
	tests/pam/test_pam_scope.sh \
	tests/pam/test_pam_identity.sh \
	tests/pam/test_pam_base_role.sh \
	tests/pam/test_pam_rotate.sh \
	tests/pam/test_pam_methods.sh \
	tests/pam/test_pam_stop.sh \
	tests/pam/test_pam_biggroups.sh \
	tests/pam/test_pam_cache.sh
pam_tests = \
	$(pam_sanitizer_tests) \
	tests/pam/test_pam_valgrind.sh
TESTS += $(pam_tests)
SANITIZER_TESTS += $(pam_sanitizer_tests)
EXTRA_DIST += $(pam_tests) tests/pam/lib.sh tests/pam/mint.py \
	tests/bench/pam/run.sh
