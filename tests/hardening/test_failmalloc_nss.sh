#!/bin/bash
# SPDX-License-Identifier: MIT
# Allocation failure at every allocation of a lookup: the failmalloc shim
# (LD_PRELOAD) fails the Nth allocation made inside the module's entry
# points (nss_probe calls them directly, so the status itself is seen),
# for N = 1, 2, ... until a run counts fewer than N allocations. Every
# kind of lookup, on a cold process (config and store opened during the
# call) and on a warm one (a second lookup on the cached handle).
#
# The rule: never a crash, and every answer is either exactly the answer
# without failure or UNAVAIL/TRYAGAIN (not TRYAGAIN/ERANGE with a 64 KiB
# buffer, which would make glibc retry for nothing) -- never NOTFOUND for
# an entry that exists, never a partial entry; a walk is a prefix of the
# full walk and then ends with UNAVAIL/TRYAGAIN.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/nss/lib.sh"
nss_enter_ns "$@"
if san_active; then
	tap_skip "allocation failures" "ASan owns malloc in this build"
	done_testing
	exit 0
fi
SHIM=$top_builddir/tests/hardening/.libs/libfailmalloc.so
[ -e "$SHIM" ] || { tap_notok "failmalloc shim built ($SHIM)"; done_testing; exit 0; }
nss_setup || { tap_notok "namespace setup"; done_testing; exit 1; }
nss_populate
MAXN=${FAILMALLOC_MAX:-5000}
points_all=0

# fm_series NAME PROBE-ARGS... (stdin, if any, is saved and replayed)
fm_series() {
	local name=$1 n=1 total bad=0 crashes=0 injected=0 loader=0 ref out rc
	shift
	cat >"$T/fm.in"
	ref=$("$PROBE" "$DIRECT" "$@" <"$T/fm.in" 2>/dev/null)
	while [ $n -le "$MAXN" ]; do
		rm -f "$T/fm.rep"
		out=$(FAILMALLOC_N=$n FAILMALLOC_REPORT="$T/fm.rep" LD_PRELOAD="$SHIM" \
			"$PROBE" "$DIRECT" "$@" <"$T/fm.in" 2>/dev/null)
		rc=$?
		total=$(sed -n 's/^total=//p' "$T/fm.rep" 2>/dev/null | tail -1)
		# glibc's loader ends the process when it cannot allocate a
		# dlopened library's thread-local block (libgdbm's errno): no
		# answer at all, nothing wrong given, not ours to fix
		if [ "$rc" = 127 ] && grep -q '^site=ld-linux' "$T/fm.rep"; then
			injected=$((injected + 1))
			loader=$((loader + 1))
			n=$((n + 1))
			continue
		fi
		if [ "$rc" -ge 128 ] || [ -z "$total" ]; then
			crashes=$((crashes + 1))
			tap_diag "$name N=$n: crashed (rc=$rc)" "$out"
			n=$((n + 1))
			continue
		fi
		if ! grep -q '^inject ' "$T/fm.rep"; then
			[ "$out" = "$ref" ] || {
				bad=$((bad + 1))
				tap_diag "$name N=$n: no injection, yet" "$out" "want:" "$ref"
			}
			break
		fi
		injected=$((injected + 1))
		# line by line: the reference's line, or a clean refusal; for a
		# walk, the reference's prefix and then its end
		if ! paste -d '\n' <(echo "$ref") <(echo "$out") | awk '
			NR % 2 == 1 { want = $0; next }
			$0 == want { next }
			$0 ~ /^(UNAVAIL|TRYAGAIN) / && $0 !~ /^TRYAGAIN ERANGE/ { next }
			$0 ~ /^enum ended with (UNAVAIL|TRYAGAIN) / && $0 !~ /ERANGE/ { exit 0 }
			$0 == "" { next }
			{ print "unexpected: " $0 " (want " want ")"; exit 1 }' >"$T/fm.why"; then
			bad=$((bad + 1))
			tap_diag "$name N=$n: $(cat "$T/fm.why")" "$(sed -n '/^inject/,/^end/p' "$T/fm.rep" | head -12)"
		fi
		n=$((n + 1))
	done
	points_all=$((points_all + injected))
	echo "$name: points=$injected (glibc's loader ended $loader)" >>"$T/figures"
	expect_eq "$name: each of its $total allocations failed once" "$total" "$injected"
	expect_eq "$name: no crash" 0 "$crashes"
	expect_eq "$name: full answer or UNAVAIL/TRYAGAIN, never a wrong or partial one" 0 "$bad"
}

fm_series "getpwnam bot (cold)" get pwnam bot </dev/null
fm_series "getpwuid 70002 (cold)" get pwuid 70002 </dev/null
fm_series "getgrnam deploy (cold)" get grnam deploy </dev/null
fm_series "getgrgid 80002 (cold)" get grgid 80002 </dev/null
fm_series "getgrnam svcacct, the base group (cold)" get grnam svcacct </dev/null
fm_series "getspnam ci (cold)" get spnam ci </dev/null
fm_series "initgroups ci, growing the array (cold)" initgroups ci 70002 0 1 </dev/null
fm_series "five lookups, the later ones on the warm handle" script \
	< <(printf 'get pwnam nosuch\nget pwnam bot\nget grnam svcacct\nget pwnam ci\nget spnam off\n')
fm_series "passwd walk" enum pw </dev/null
fm_series "group walk" enum gr </dev/null
sed 's/^/# figures: /' "$T/figures"
tap_diag "injection points in all: $points_all"
done_testing
