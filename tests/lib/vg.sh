# SPDX-License-Identifier: MIT
# valgrind memcheck over the programs of a test (sourced). With
# SVCACCT_VALGRIND_DIR set (tests/hardening/test_memcheck.sh sets it),
# vg_wrap_cmd defines a shell function for each program named that runs
# it under memcheck, and vg_wrap_file writes a wrapper script that does the
# same for a program called by path. Every process writes its report to a
# file of its own in that directory (--log-file=DIR/vg.PID); with -q a
# report is empty unless memcheck found an error or a definite or
# indirect leak, so the driver only has to look at the files. glibc's
# __libc_freeres runs, as by default: it unloads the NSS module, whose
# destructor frees its handle, so that nothing of the module's is lost.

vg_cmdline() {
	echo "valgrind -q --leak-check=full --show-leak-kinds=definite,indirect" \
		"--errors-for-leak-kinds=definite,indirect" \
		"--num-callers=30 --log-file=$SVCACCT_VALGRIND_DIR/vg.%p"
}

# vg_wrap_cmd PROGRAM...: a no-op without SVCACCT_VALGRIND_DIR
vg_wrap_cmd() {
	local p
	[ -n "${SVCACCT_VALGRIND_DIR:-}" ] || return 0
	for p in "$@"; do
		eval "$p() { $(vg_cmdline) $(command -v "$p") \"\$@\"; }"
	done
}

# vg_wrap_file PROGRAM WRAPPER: prints the path to call (WRAPPER, or
# PROGRAM itself without SVCACCT_VALGRIND_DIR)
vg_wrap_file() {
	if [ -z "${SVCACCT_VALGRIND_DIR:-}" ]; then
		echo "$1"
		return
	fi
	printf '#!/bin/sh\nexec %s %s "$@"\n' "$(vg_cmdline)" "$1" >"$2"
	chmod 755 "$2"
	echo "$2"
}
