# SPDX-License-Identifier: MIT
# nss_svcacct: libnss_svcacct.so.2 (included by the top-level Makefile.am;
# paths are relative to the top of the tree).

# glibc loads "libnss_NAME.so.2": the file and its SONAME must carry that
# name, with no unversioned .so and no .la beside it. The directory name
# contains "exec" so that automake installs it in install-exec, where the
# hook below removes what libtool adds.
nssexecdir = $(nssdir)
nssexec_LTLIBRARIES = nss/libnss_svcacct.la
nss_libnss_svcacct_la_SOURCES = \
	nss/nss_svcacct.h \
	nss/handle.c nss/handle.h \
	nss/passwd.c \
	nss/group.c \
	nss/shadow.c \
	nss/initgroups.c
# libc and libgdbm only: the store side of common/, never the auth side.
nss_libnss_svcacct_la_LIBADD = common/store/libsvstore.la $(GDBM_LIBS)
nss_libnss_svcacct_la_LDFLAGS = $(AM_LDFLAGS) \
	-module -avoid-version -shrext .so.2 -shared \
	-Wl,--version-script=$(srcdir)/nss/exports.map \
	-Wl,-z,relro -Wl,-z,now -Wl,--no-undefined
EXTRA_nss_libnss_svcacct_la_DEPENDENCIES = nss/exports.map

install-exec-hook: install-exec-hook-nss
install-exec-hook-nss:
	rm -f $(DESTDIR)$(nssexecdir)/libnss_svcacct.la \
		$(DESTDIR)$(nssexecdir)/libnss_svcacct.so
uninstall-hook: uninstall-hook-nss
uninstall-hook-nss:
	rm -f $(DESTDIR)$(nssexecdir)/libnss_svcacct.so.2
.PHONY: install-exec-hook-nss uninstall-hook-nss

EXTRA_DIST += nss/exports.map

# ---------------------------------------------------------------- tests
# mkstore: bulk store writer shared by the NSS tests and tests/bench/nss;
# nssbench: the benchmark's lookups; nss_probe: the tests' driver.
check_PROGRAMS += tests/bench/mkstore tests/bench/nssbench tests/nss/nss_probe
tests_bench_nssbench_SOURCES = tests/bench/nssbench.c
tests_bench_mkstore_SOURCES = tests/bench/mkstore.c
tests_bench_mkstore_LDADD = common/write/libsvwrite.la common/store/libsvstore.la $(GDBM_LIBS)
# the benchmark's floor: an NSS module answering a constant entry
check_LTLIBRARIES = tests/bench/libnss_benchfloor.la
tests_bench_libnss_benchfloor_la_SOURCES = tests/bench/nssfloor.c
tests_bench_libnss_benchfloor_la_LDFLAGS = -module -avoid-version \
	-shrext .so.2 -shared -rpath /nowhere
tests_nss_nss_probe_SOURCES = tests/nss/nss_probe.c
tests_nss_nss_probe_LDADD = -lpthread
# its getenv must interpose the module's (the "reads no environment" test)
tests_nss_nss_probe_LDFLAGS = $(AM_LDFLAGS) -export-dynamic

# The NSS benchmark, by hand and as root, never in make check
# (docs/BENCHMARKS.md): `make bench-nss BENCH_SIZES="1000 100000"`.
BENCH_SIZES =
bench-nss: nss/libnss_svcacct.la tests/bench/libnss_benchfloor.la \
		tests/bench/mkstore$(EXEEXT) tests/bench/nssbench$(EXEEXT)
	@top_builddir=$(abs_top_builddir) $(SHELL) $(srcdir)/tests/bench/nss $(BENCH_SIZES)
.PHONY: bench-nss

# Every NSS test runs as root in its own mount namespace (tests/nss/lib.sh).
# Those in the ASan+UBSan build too (tests/hardening/local.mk): not the
# check of the release binary's shape (NEEDED, no constructors), which
# instrumentation changes by design, nor the sshd one, which loads the
# module into sshd (like tests/e2e).
nss_sanitizer_tests = \
	tests/nss/test_nss_status.sh \
	tests/nss/test_nss_glibc.sh \
	tests/nss/test_nss_live.sh \
	tests/nss/test_nss_robust.sh \
	tests/nss/test_nss_errno.sh \
	tests/nss/test_nss_identity.sh \
	tests/nss/test_nss_biggroups.sh
nss_tests = \
	tests/nss/test_nss_module.sh \
	$(nss_sanitizer_tests) \
	tests/nss/test_nss_identity_sshd.sh \
	tests/nss/test_nss_unload.sh
TESTS += $(nss_tests)
SANITIZER_TESTS += $(nss_sanitizer_tests)
EXTRA_DIST += $(nss_tests) tests/nss/lib.sh tests/bench/nss tests/bench/groups.sh
dist_man_MANS += man/nss_svcacct.8
