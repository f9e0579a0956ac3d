#!/bin/bash
# The whole test-suite, from a fresh clone: installs the dependencies,
# builds twice (plain with -Werror, and with ASan+UBSan), runs `make check`
# in both and ends with one line "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)
# the distribution's programs first (Makefile.am says why): the package,
# docs and fuzz steps run outside make check
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

bash scripts/deps.sh || { echo "0 passed, 1 failed"; exit 1; }
[ -x configure ] || autoreconf -fi >/dev/null 2>&1 || { echo "autoreconf failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0 failed=0 skipped=0
# build NAME CONFIGURE-ARGS... ; then `make check` with $CHECK_ARGS
suite() {
	local name=$1; shift
	local dir="$top/build/$name"
	mkdir -p "$dir"
	echo "=== $name: configure $*"
	if ! (cd "$dir" && "$top/configure" --prefix=/usr --sysconfdir=/etc \
		--localstatedir=/var --enable-test-hooks "$@" >configure.out 2>&1); then
		tail -20 "$dir/configure.out"; failed=$((failed + 1)); return
	fi
	if ! make -C "$dir" -j"$jobs" >"$dir/build.out" 2>&1; then
		tail -40 "$dir/build.out"; failed=$((failed + 1)); return
	fi
	echo "=== $name: make check ${CHECK_ARGS:-}"
	# shellcheck disable=SC2086
	make -C "$dir" -j"$jobs" check ${CHECK_ARGS:-} >"$dir/check.out" 2>&1
	grep -E '^(PASS|FAIL|ERROR|SKIP|XPASS|XFAIL):|^# (TOTAL|PASS|SKIP|FAIL|ERROR|XPASS|XFAIL):' "$dir/check.out" | grep -v '^PASS' || true
	local p f e s xp
	p=$(sed -n 's/^# PASS: *//p' "$dir/check.out" | tail -1)
	f=$(sed -n 's/^# FAIL: *//p' "$dir/check.out" | tail -1)
	e=$(sed -n 's/^# ERROR: *//p' "$dir/check.out" | tail -1)
	xp=$(sed -n 's/^# XPASS: *//p' "$dir/check.out" | tail -1)
	s=$(sed -n 's/^# SKIP: *//p' "$dir/check.out" | tail -1)
	if [ -z "$p" ]; then
		echo "$name: make check did not run"; tail -40 "$dir/check.out"
		failed=$((failed + 1)); return
	fi
	passed=$((passed + p)); failed=$((failed + f + e + ${xp:-0})); skipped=$((skipped + ${s:-0}))
	# show the logs of what failed
	for log in $(grep -lE '^(not ok|FAIL|ERROR)' $(find "$dir/tests" -name '*.log' 2>/dev/null) 2>/dev/null); do
		echo "--- $log"; grep -E '^(not ok|#)' "$log" | head -60
	done
}

# step NAME CMD...: a suite outside `make check` (package builds, fuzzing)
# that prints TAP; its ok / not ok / # SKIP lines are counted like the rest,
# and a non-zero exit without a "not ok" counts as one failure.
step() {
	local name=$1; shift
	local log="$top/build/$name.tap"
	echo "=== $name: $*"
	mkdir -p "$top/build"
	"$@" >"$log" 2>&1
	local rc=$? p f s
	s=$(grep -cE '^ok [0-9]+.*# *SKIP' "$log")
	p=$(($(grep -cE '^ok [0-9]+' "$log") - s))
	f=$(grep -cE '^not ok [0-9]+' "$log")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	echo "$name: $p passed, $f failed, $s skipped"
	if [ "$f" != 0 ]; then grep -E '^(not ok|#)' "$log" | head -60; tail -5 "$log"; fi
}

suite default --enable-werror
CHECK_ARGS='TESTS=$(SANITIZER_TESTS)' suite sanitizers --enable-werror --enable-sanitizers
# Further steps (each its own TAP script) go here.
step packages bash tests/pkg/test_packages.sh
# the docs' procedures, as written, on a booted Debian (uses the packages
# step's .debs from build/pkg/, or builds them)
step docs bash tests/docs/test_docs.sh
# two targets at a time on the two cores: the same 60 s of each, half the wall time
step fuzz env FUZZ_JOBS=$jobs bash tests/fuzz/run.sh 60

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
