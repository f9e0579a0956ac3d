# SPDX-License-Identifier: MIT
# Hardening: sanitizers over the integration tests, valgrind
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
SH_LOG_COMPILER = $(TEST_RUNNER) $(SHELL) $(top_srcdir)/tests/hardening/sanrun.sh
else
SH_LOG_COMPILER = $(TEST_RUNNER) $(SHELL)
endif

EXTRA_DIST += docs/SECURITY.md tests/lib/san.sh tests/lib/vg.sh tests/hardening/sanrun.sh \
	tests/hardening/lsan.supp

# The NSS and PAM integration tests in the ASan+UBSan build (each
# fragment's nss_sanitizer_tests, pam_sanitizer_tests): our drivers
# (pam_harness, nss_probe) are instrumented and load the instrumented
# modules directly; the system programs the tests also run (getent, id,
# su, runuser, pamtester) get the runtimes preloaded (tests/lib/san.sh).
# Valgrind cannot run instrumented programs: test_pam_valgrind.sh stays
# out, and the memcheck parts of test_nss_robust.sh skip themselves.
# test_nss_module.sh checks the shape of the release binary (NEEDED, no
# constructors), which instrumentation changes by design: it stays out.
# The e2e tests (real sshd and sudo, setuid and privilege-separated) stay
# out of the sanitizer build: see docs/SECURITY.md.

# ---------------------------------------------------------------- shims
# LD_PRELOAD shims for the tests (never installed): failmalloc fails the
# Nth allocation a driver arms; fixclock gives the process a fixed
# wall-clock time.
check_LTLIBRARIES += tests/hardening/libfailmalloc.la \
	tests/hardening/libfixclock.la
SHIM_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
tests_hardening_libfailmalloc_la_SOURCES = tests/hardening/failmalloc.c
tests_hardening_libfailmalloc_la_LDFLAGS = $(SHIM_LDFLAGS)
tests_hardening_libfixclock_la_SOURCES = tests/hardening/fixclock.c
tests_hardening_libfixclock_la_LDFLAGS = $(SHIM_LDFLAGS)

# ---------------------------------------------------------------- tests
hardening_tests = \
	tests/hardening/test_faults.sh \
	tests/hardening/test_clock.sh \
	tests/hardening/test_failmalloc_pam.sh \
	tests/hardening/test_failmalloc_nss.sh \
	tests/hardening/test_load.sh \
	tests/hardening/test_load_nss.sh \
	tests/hardening/test_memcheck.sh
TESTS += $(hardening_tests)
# the clock and load tests in the ASan+UBSan build too (the allocation
# failure tests skip themselves there: ASan owns malloc)
SANITIZER_TESTS += tests/hardening/test_faults.sh \
	tests/hardening/test_clock.sh \
	tests/hardening/test_load_nss.sh
EXTRA_DIST += $(hardening_tests) tests/hardening/failmalloc.c \
	tests/hardening/fixclock.c
