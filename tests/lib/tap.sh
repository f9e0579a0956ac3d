# SPDX-License-Identifier: MIT
# Minimal TAP producer for the shell tests (sourced). Each check prints one
# "ok"/"not ok" line; the automake TAP driver counts them.
#
#   ok_cmd "desc" cmd...            command must succeed
#   fail_cmd "desc" cmd...          command must fail
#   expect_eq "desc" expected actual
#   expect_match "desc" regex text
#   need_root / need_userns         skip (or, under CI=true, fail) if absent
#   each_row FUNC <<EOF             FUNC once per '|'-separated table row
#   done_testing                    print the plan
TAP_N=0
TAP_FAILED=0

tap_ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
tap_notok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $*"
}
tap_skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # SKIP ${2:-}"; }
tap_diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

ok_cmd() {
	local d="$1"; shift
	local out
	if out=$("$@" 2>&1); then tap_ok "$d"; else
		tap_notok "$d"; tap_diag "command: $*" "$out"; fi
}
fail_cmd() {
	local d="$1"; shift
	local out
	if out=$("$@" 2>&1); then
		tap_notok "$d (unexpectedly succeeded)"; tap_diag "command: $*" "$out"
	else tap_ok "$d"; fi
}
expect_eq() {
	if [ "$2" = "$3" ]; then tap_ok "$1"; else
		tap_notok "$1"; tap_diag "expected: $2" "actual:   $3"; fi
}
expect_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then tap_ok "$1"; else
		tap_notok "$1"; tap_diag "expected to match: $2" "actual: $3"; fi
}
expect_nomatch() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then
		tap_notok "$1"; tap_diag "expected not to match: $2" "actual: $3"
	else tap_ok "$1"; fi
}
# Run a command, capturing stdout, stderr and status into OUT, ERR, RC.
run() {
	local ef; ef=$(mktemp)
	OUT=$("$@" 2>"$ef"); RC=$?
	ERR=$(<"$ef"); rm -f "$ef"
	return 0
}
# expect_rc desc expected-rc stderr-regex cmd...
expect_rc() {
	local d="$1" want="$2" re="$3"; shift 3
	run "$@"
	if [ "$RC" = "$want" ] && { [ -z "$re" ] || printf '%s' "$ERR$OUT" | grep -Eq -- "$re"; }; then
		tap_ok "$d"
	else
		tap_notok "$d"
		tap_diag "command: $*" "want rc=$want and /$re/, got rc=$RC" "stdout: $OUT" "stderr: $ERR"
	fi
}

# A test that needs something the machine lacks is skipped, except in CI,
# which runs as root with namespaces and must run everything.
need() {
	local what="$1" cond="$2"
	if eval "$cond"; then return 0; fi
	if [ "${CI:-}" = true ]; then
		tap_notok "requirement '$what' missing under CI=true"
	else
		tap_skip "all tests in $0" "needs $what"
	fi
	done_testing
	exit 0
}
need_root() { need root '[ "$(id -u)" = 0 ]'; }
need_userns() { need "mount namespaces" 'unshare --mount true 2>/dev/null'; }

# each_row FUNC: runs FUNC once for each non-empty line of stdin (a table of
# cases, usually a here-document), with the line's '|'-separated fields as
# its arguments (a trailing empty field is dropped). The whole table is
# read first, so the commands FUNC runs find stdin at its end rather than
# eating the rows that follow.
each_row() {
	local fn="$1" row
	local -a rows fields
	mapfile -t rows
	for row in "${rows[@]}"; do
		[ -n "$row" ] || continue
		IFS='|' read -r -a fields <<<"$row"
		"$fn" "${fields[@]}"
	done
}

done_testing() { echo "1..$TAP_N"; }
