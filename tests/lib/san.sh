# SPDX-License-Identifier: MIT
# The sanitizer build and programs that cannot link the sanitizers (sourced).
#
# In an --enable-sanitizers build the modules link libasan and libubsan.
# Our own drivers (pam_harness, nss_probe, the CLI) are built with them
# too and load such a module as is. A system program (getent, id, su,
# pamtester...) that loads the module through glibc or libpam must have
# the runtimes preloaded, or ASan refuses to start ("ASan runtime does not
# come first"). san_wrap defines, for each program named, a shell function
# of the same name that runs it so. Leak checking is off for those
# programs: their own allocations are not ours, and the module's leaks are
# checked where it runs inside our instrumented drivers (and by valgrind).

# san_runtime FILE: the sanitizer runtimes FILE links, in load order
# (empty when it links none).
san_runtime() {
	ldd "$1" 2>/dev/null | awk '/lib(asan|ubsan)\.so/ {print $3}' | sort | xargs
}

# san_wrap MODULE PROGRAM...: see above; a no-op when MODULE is not
# instrumented.
san_wrap() {
	local mod=$1 p
	shift
	SAN_PRELOAD=$(san_runtime "$mod")
	[ -n "$SAN_PRELOAD" ] || return 0
	for p in "$@"; do
		eval "$p() { LD_PRELOAD=\"\$SAN_PRELOAD\${LD_PRELOAD:+ \$LD_PRELOAD}\" \
ASAN_OPTIONS=\"\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}detect_leaks=0\" command $p \"\$@\"; }"
	done
}

# san_active: true in a sanitizer build under make check (valgrind cannot
# run instrumented programs; RSS figures mean nothing under ASan).
san_active() { [ "${SVCACCT_SANITIZERS:-}" = 1 ]; }
