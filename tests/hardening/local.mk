# SPDX-License-Identifier: MIT
# Hardening (issue 7): sanitizers over the integration tests, valgrind
# memcheck, faults, allocation failures, clock edges, resource limits and
# load (included by the top-level Makefile.am; paths are relative to the
# top of the tree). Figures and commands: docs/SECURITY.md.

# In the ASan+UBSan build any report fails: ASan and UBSan abort the
# process (halt_on_error, abort_on_error; the code is compiled with
# -fno-sanitize-recover=all), LeakSanitizer runs at every exit, and the
# shell tests run through sanrun.sh, which fails a test when any process
# it started wrote a report, whether or not the test looked at that
# process's status.
if SANITIZERS
AM_TESTS_ENVIRONMENT += \
	ASAN_OPTIONS='halt_on_error=1:abort_on_error=1:detect_leaks=1:check_initialization_order=1:strict_init_order=1:detect_invalid_pointer_pairs=0'; \
	export ASAN_OPTIONS; \
	UBSAN_OPTIONS='halt_on_error=1:abort_on_error=1:print_stacktrace=1'; \
	export UBSAN_OPTIONS; \
	LSAN_OPTIONS='suppressions=$(abs_top_srcdir)/tests/hardening/lsan.supp:print_suppressions=0'; \
	export LSAN_OPTIONS; \
	SVCACCT_SANITIZERS=1; export SVCACCT_SANITIZERS;
SH_LOG_COMPILER = $(SHELL) $(top_srcdir)/tests/hardening/sanrun.sh
endif

EXTRA_DIST += tests/lib/san.sh tests/hardening/sanrun.sh \
	tests/hardening/lsan.supp

# The NSS and PAM integration tests in the ASan+UBSan build: our drivers
# (pam_harness, nss_probe) are instrumented and load the instrumented
# modules directly; the system programs the tests also run (getent, id,
# su, runuser, pamtester) get the runtimes preloaded (tests/lib/san.sh).
# Valgrind cannot run instrumented programs: test_pam_valgrind.sh stays
# out, and the memcheck parts of test_nss_robust.sh skip themselves.
# test_nss_module.sh checks the shape of the release binary (NEEDED, no
# constructors), which instrumentation changes by design: it stays out.
# The e2e tests (real sshd and sudo, setuid and privilege-separated) stay
# out of the sanitizer build: see docs/SECURITY.md.
SANITIZER_TESTS += \
	tests/nss/test_nss_status.sh \
	tests/nss/test_nss_glibc.sh \
	tests/nss/test_nss_live.sh \
	tests/nss/test_nss_robust.sh \
	tests/pam/test_pam_login.sh \
	tests/pam/test_pam_adversarial.sh \
	tests/pam/test_pam_account.sh \
	tests/pam/test_pam_setcred.sh
