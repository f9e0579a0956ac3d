# SPDX-License-Identifier: MIT
# Clients and the login shell: svcacct-assert, svcacct-shell, the
# CLI's sshkey/authorized-keys nouns, and the end-to-end tests with the real
# sshd and sudo (included by the top-level Makefile.am; paths are relative
# to the top of the tree).

# svcacct, the administration tool: its sources, all of them.
sbin_PROGRAMS = tools/svcacct
tools_svcacct_SOURCES = \
	tools/svcacct.c tools/cli.h tools/options.c tools/options.h \
	tools/cli_table.c tools/cli_util.c \
	tools/cmd_account.c tools/cmd_role.c tools/cmd_cred.c \
	tools/cmd_store.c tools/cmd_port.c tools/cmd_verify.c \
	tools/cmd_config.c tools/cmd_apply.c \
	tools/ops.h tools/ops_account.c tools/ops_role.c tools/ops_cred.c \
	tools/port.h tools/port.c \
	tools/cmd_sshkey.c tools/sshkey.c tools/sshkey.h \
	tools/stop.c tools/stop.h \
	tools/cmd_issuer.c tools/issuer_model.c tools/issuer_model.h \
	tools/issuer_fetch.c \
	tools/acct_jwks.c tools/acct_jwks.h tools/cmd_jwks.c tools/port_jwks.c \
	tools/jwks_report.c tools/jwks_report.h tools/cred_list.c tools/cred_list.h
tools_svcacct_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(JANSSON_CFLAGS) $(CURL_CFLAGS)
tools_svcacct_LDADD = common/write/libsvwrite.la common/auth/libsvauth.la \
	common/store/libsvstore.la \
	$(CRYPTO_LIBS) $(JANSSON_LIBS) $(GDBM_LIBS) $(CURL_LIBS)

# svcacct-assert: run by bots, not by root: bin, not sbin. One file per
# job (tools/assert/assert.h); its configuration file is parsed by
# common/store/config.c.
bin_PROGRAMS = tools/svcacct-assert
tools_svcacct_assert_SOURCES = tools/assert/assert.h tools/assert/main.c \
	tools/assert/keygen.c tools/assert/mint.c tools/assert/manifest.c \
	tools/assert/askpass.c tools/assert/config.c tools/assert/opts.c
tools_svcacct_assert_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(JANSSON_CFLAGS)
tools_svcacct_assert_LDADD = common/auth/libsvauth.la common/store/libsvstore.la \
	$(CRYPTO_LIBS) $(JANSSON_LIBS) $(GDBM_LIBS)

# svcacct-shell: a login shell, like nologin: sbin. Store side only (it
# reads role records from accounts.db, no crypto).
sbin_PROGRAMS += tools/svcacct-shell
tools_svcacct_shell_SOURCES = tools/svcacct-shell.c
tools_svcacct_shell_LDADD = common/store/libsvstore.la $(GDBM_LIBS)

dist_man_MANS += man/svcacct-assert.1 man/svcacct-shell.8

# ---------------------------------------------------------------- tests
# svcacct verify and svcacct-assert load no NSS module into other
# programs: they run in the ASan+UBSan build too (the others would load an
# instrumented module into setpriv, sshd and sudo).
tools_sanitizer_tests = \
	tests/cli/test_verify.sh \
	tests/tools/test_assert.sh
tools_tests = \
	$(tools_sanitizer_tests) \
	tests/tools/test_shell.sh \
	tests/tools/test_sshkey.sh
e2e_tests = \
	tests/e2e/test_e2e_sshd.sh \
	tests/e2e/test_e2e_sudo.sh \
	tests/e2e/test_e2e_su.sh \
	tests/e2e/test_e2e_daemons.sh \
	tests/e2e/test_e2e_trust.sh \
	tests/e2e/test_e2e_scope.sh \
	tests/e2e/test_e2e_methods.sh \
	tests/e2e/test_e2e_stop.sh
TESTS += $(tools_tests) $(e2e_tests)
SANITIZER_TESTS += $(tools_sanitizer_tests)
EXTRA_DIST += $(tools_tests) $(e2e_tests) tests/e2e/lib.sh tests/e2e/mintlen.py \
	tests/bench/ssh/run.sh

# ---------------------------------------------------------------- apply
# Declarative state: svcacct apply / export --manifest.
# test_apply_nss.sh loads the built NSS module into getent and id: not in
# the ASan+UBSan build (an instrumented module in uninstrumented programs)
TESTS += tests/cli/test_apply.sh tests/cli/test_apply_nss.sh \
	tests/cli/test_revocation.sh tests/cli/test_scope.sh
SANITIZER_TESTS += tests/cli/test_revocation.sh tests/cli/test_scope.sh
SANITIZER_TESTS += tests/cli/test_apply.sh
# secret rotate, key rotate, LAST USED and --unused (the CLI's clock pinned
# with the fixclock shim of tests/hardening/local.mk)
TESTS += tests/cli/test_rotate.sh
SANITIZER_TESTS += tests/cli/test_rotate.sh
EXTRA_DIST += tests/cli/test_rotate.sh
EXTRA_DIST += tests/cli/test_apply.sh tests/cli/test_apply_nss.sh \
	tests/cli/test_revocation.sh tests/cli/test_scope.sh \
	docs/howto-fleet.md \
	docs/examples/svcacct-manifest.service \
	docs/examples/svcacct-manifest.timer \
	docs/examples/apply-manifest.yml
