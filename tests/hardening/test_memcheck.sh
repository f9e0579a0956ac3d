#!/bin/bash
# SPDX-License-Identifier: MIT
# valgrind memcheck over the NSS and PAM integration tests: the tests run
# as they are, with every nss_probe, getent and id (NSS: every status,
# every buffer size, initgroups, enumeration, damaged stores) and every
# pam_harness call (PAM: logins, parts, session, every adversarial case)
# under memcheck, each process reporting to a file of its own. Their TAP
# results are passed on, and then: 0 errors and 0 definitely lost blocks
# over all the processes (for NSS, 0 indirectly lost too, with glibc's
# freeres unloading the module at exit: tests/lib/vg.sh). Two suites at a
# time (two cores).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/san.sh"
need_root
need valgrind 'command -v valgrind >/dev/null'
if san_active; then
	tap_skip "memcheck" "valgrind cannot run the ASan+UBSan build"
	done_testing
	exit 0
fi
D=$(mktemp -d /tmp/svcacct-memcheck.XXXXXX)
chmod 755 "$D"
trap 'rm -rf "$D"' EXIT

# suite NAME SCRIPT ENV...: run it in the background, reports in $D/NAME
suite() {
	local name=$1 script=$2
	shift 2
	mkdir -m 1777 "$D/$name"
	env "$@" bash "$top_srcdir/$script" >"$D/$name.tap" 2>"$D/$name.err" &
}
pass_on() { # NAME: its ok / not ok lines as ours
	local name=$1 line
	while IFS= read -r line; do
		case $line in
		"ok "*) tap_ok "$name: ${line#ok * - }" ;;
		"not ok "*) tap_notok "$name: ${line#not ok * - }" ;;
		"#"*) echo "$line" ;;
		esac
	done <"$D/$name.tap"
	grep -q '^1\.\.' "$D/$name.tap" || tap_notok "$name: ran to its end"
}

t0=$(date +%s)
suite pam-login tests/pam/test_pam_login.sh PAM_VALGRIND=1 PAM_VALGRIND_DIR="$D/pam-login"
suite nss-status tests/nss/test_nss_status.sh SVCACCT_VALGRIND_DIR="$D/nss-status"
wait
suite pam-adversarial tests/pam/test_pam_adversarial.sh PAM_VALGRIND=1 \
	PAM_VALGRIND_DIR="$D/pam-adversarial"
suite nss-glibc tests/nss/test_nss_glibc.sh SVCACCT_VALGRIND_DIR="$D/nss-glibc"
wait
t1=$(date +%s)
total_procs=0 total_errs=0 total_leaks=0
for s in pam-login nss-status pam-adversarial nss-glibc; do
	pass_on "$s"
	procs=$(find "$D/$s" -name 'vg.*' | wc -l)
	# with -q a report holds only what memcheck found: error records
	# start with "Invalid", "Conditional", "Syscall param", "Mismatched"
	# ...; leak records with "N bytes in M blocks are definitely lost"
	# (or "indirectly lost")
	errs=$(cat "$D/$s"/vg.* 2>/dev/null | grep -cE '^==[0-9]+== (Invalid|Conditional|Use of uninit|Syscall param|Mismatched|Source and destination|Argument|Jump to|Process terminating)')
	leaks=$(cat "$D/$s"/vg.* 2>/dev/null | grep -cE '(definitely|indirectly) lost in loss record')
	total_procs=$((total_procs + procs)) total_errs=$((total_errs + errs)) total_leaks=$((total_leaks + leaks))
	expect_match "$s: ran under memcheck ($procs processes)" '^[1-9][0-9]*$' "$procs"
	expect_eq "$s: 0 memcheck errors" 0 "$errs"
	expect_eq "$s: 0 definitely (or indirectly) lost blocks" 0 "$leaks"
	if [ "$errs$leaks" != 00 ]; then
		for f in $(find "$D/$s" -name 'vg.*' -size +0 | head -3); do
			tap_diag "$f:" "$(head -40 "$f")"
		done
	fi
	# any other report (memcheck's own warnings) is shown, not counted
	other=$(find "$D/$s" -name 'vg.*' -size +0 | wc -l)
	[ "$other" = 0 ] || tap_diag "$s: $other non-empty reports"
done
tap_diag "figures: memcheck over $total_procs processes in $((t1 - t0)) s:" \
	"$total_errs errors, $total_leaks definitely lost"
done_testing
