#!/bin/bash
# SPDX-License-Identifier: MIT
# nss_svcacct under stress: 8 threads (also under helgrind), forks in the
# middle of lookups, a program that closes every fd between lookups,
# valgrind memcheck over every entry point and every failure, and the
# resident memory a million lookups add to a process.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/nss/lib.sh"
nss_enter_ns "$@"
nss_setup || { tap_notok "namespace setup"; done_testing; exit 1; }
nss_populate

KEYS="bot ci off nosuch deploy svcacct readers root"

run "$PROBE" "$DIRECT" threads 8 3000 $KEYS
expect_match "8 threads x 3000 rounds, every answer right" "^threads ok" "$OUT"
run "$PROBE" glibc threads 8 1000 $KEYS
expect_match "8 threads through glibc" "^threads ok" "$OUT"
run "$PROBE" "$DIRECT" fork 300 $KEYS
expect_match "300 forks in the middle of lookups (parent, children, a thread)" \
	"^fork ok" "$OUT"
run "$PROBE" "$DIRECT" closefds 300 $KEYS
expect_match "every fd closed (and reused) between lookups" "^closefds ok" "$OUT"
run "$PROBE" glibc closefds 100 $KEYS
expect_match "every fd closed between lookups, through glibc" "^closefds ok" "$OUT"

# A store changing under the threads: each answer is one generation's
# (the base group is left out: its members change with every commit).
(
	for i in $(seq 20); do
		echo "account churn$i uid=$((70100 + i))" | nss_store
	done
) &
churn=$!
run "$PROBE" "$DIRECT" threads 8 400 bot ci off nosuch deploy readers root
wait $churn
expect_match "threads while 20 generations are published" "^threads ok" "$OUT"

if san_active; then
	tap_skip "helgrind and memcheck" "valgrind cannot run the ASan+UBSan build"
elif command -v valgrind >/dev/null 2>&1; then
	# memcheck's defaults otherwise: glibc's __libc_freeres unloads the
	# module at exit, and its destructor frees the handle
	VG="valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect"
	# (helgrind does not model fork: the fork test runs without it)
	run valgrind -q --error-exitcode=99 --tool=helgrind "$PROBE" "$DIRECT" threads 8 20 $KEYS
	expect_eq "helgrind: no race, no lock-order problem (8 threads)" "0" "$RC"
	[ "$RC" = 0 ] || tap_diag "$ERR"
	run valgrind -q --error-exitcode=99 --tool=helgrind "$PROBE" glibc threads 8 10 $KEYS
	expect_eq "helgrind: 8 threads through glibc" "0" "$RC"
	[ "$RC" = 0 ] || tap_diag "$ERR"
	bad=0
	vg() {
		local out
		out=$($VG "$@" 2>&1 >/dev/null)
		if [ $? = 99 ]; then
			bad=$((bad + 1))
			tap_diag "memcheck: $*" "$out"
		fi
	}
	for q in "pwnam bot" "pwuid 70002" "grnam svcacct" "grgid 80001" "grnam off" \
		"spnam off"; do
		vg "$PROBE" "$DIRECT" sweep $q
		vg "$PROBE" glibc sweep $q
	done
	for db in pw gr sp; do
		vg "$PROBE" "$DIRECT" enum $db sweep
		vg "$PROBE" glibc enum $db
	done
	vg "$PROBE" "$DIRECT" initgroups ci 70002 0 1
	vg "$PROBE" "$DIRECT" fork 3 $KEYS
	vg "$PROBE" "$DIRECT" closefds 5 $KEYS
	vg id ci
	vg getent group svcacct
	expect_eq "memcheck: every lookup, sweep and walk clean" "0" "$bad"
	# failures too: missing store, corrupt store
	mv "$T/db" "$T/db.away"
	bad=0
	vg "$PROBE" "$DIRECT" get pwnam bot
	vg "$PROBE" "$DIRECT" enum gr
	vg "$PROBE" "$DIRECT" initgroups bot 70001
	mv "$T/db.away" "$T/db"
	acc=$T/db/$(readlink "$T/db/current")/accounts.db
	cp -p "$acc" "$T/acc.good"
	size=$(stat -c %s "$acc")
	dd if=/dev/urandom of="$acc" bs=4096 seek=1 count=$((size / 4096 - 1)) conv=notrunc 2>/dev/null
	vg "$PROBE" "$DIRECT" get pwnam bot
	vg "$PROBE" "$DIRECT" get grnam svcacct
	vg "$PROBE" "$DIRECT" enum pw
	head -c 100000 /dev/urandom >"$acc"
	vg "$PROBE" "$DIRECT" get pwuid 70001
	cp -p "$T/acc.good" "$acc"
	expect_eq "memcheck: missing and corrupt stores clean" "0" "$bad"
elif [ "${CI:-}" = true ]; then
	tap_notok "valgrind missing under CI=true"
else
	tap_skip "helgrind and memcheck" "no valgrind"
fi

# ---------------------------------------------------------------- memory
# 100,000 accounts, a million random getpwnam through glibc: the process's
# anonymous memory may grow by at most 1 MiB over its size before its
# first lookup (which includes loading the module and libgdbm), and by at
# most 256 KiB after that first lookup. The pages of the mapped index are
# file pages (the page cache every process shares): reported, not bounded.
rm -rf "$T/db" "$T/state"
nss_write_conf "uid_min = 100000" "uid_max = 1999999"
"$MKSTORE" "$CONF" -n 100000 -r 100 >/dev/null

# ---------------------------------------------------------------- system calls
# A hit makes no system call of the module's own: the module called
# directly (no glibc NSS around it), 20,000 lookups make as many calls as
# one, but for the look at svcacct.conf and `current` the module makes
# once a second (two calls each time the second changes).
if command -v strace >/dev/null 2>&1; then
	calls() {
		env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
			strace -f -c -o "$T/sc.$1" "${PROBE_BIN:-$PROBE}" "$DIRECT" rss "$1" sa 100000 >/dev/null 2>&1
		awk '$NF == "total" { print $4 }' "$T/sc.$1"
	}
	one=$(calls 1)
	t0=$(date +%s)
	many=$(calls 20001)
	secs=$(($(date +%s) - t0 + 1))
	extra=$((many - one))
	tap_diag "system calls: 1 lookup $one, 20001 lookups $many, over ${secs} s"
	if [ -n "$one" ] && [ "$extra" -le $((4 * secs + 4)) ]; then
		tap_ok "20,000 more lookups: $extra more system calls (the once-a-second look, ${secs} s)"
	else
		tap_notok "20,000 more lookups: $extra more system calls (want at most $((4 * secs + 4)))"
	fi
else
	tap_skip "system calls of a hit" "no strace"
fi

if san_active; then
	tap_skip "resident memory" "ASan's quarantine and shadow memory"
	done_testing
	exit 0
fi
run "$PROBE" glibc rss 1000000 sa 100000
tap_diag "$OUT"
growth=$(echo "$OUT" | sed -n 's/.*growth_total=\([0-9-]*\).*/\1/p')
later=$(echo "$OUT" | sed -n 's/.*growth_after_first=\([0-9-]*\).*/\1/p')
fails=$(echo "$OUT" | sed -n 's/.*failures=\([0-9]*\).*/\1/p')
expect_eq "a million lookups: all found" "0" "$fails"
if [ -n "$growth" ] && [ "$growth" -le 1024 ]; then
	tap_ok "a million lookups add ${growth} KiB of anonymous memory (<= 1024)"
else
	tap_notok "a million lookups add ${growth:-?} KiB of anonymous memory (<= 1024)"
fi
if [ -n "$later" ] && [ "$later" -le 256 ]; then
	tap_ok "... ${later} KiB after the first lookup (<= 256)"
else
	tap_notok "... ${later:-?} KiB after the first lookup (<= 256)"
fi

done_testing
	exit 0
fi
rm -rf "$T/db" "$T/state"
nss_write_conf "uid_min = 100000" "uid_max = 1999999"
"$MKSTORE" "$CONF" -n 100000 -r 100 >/dev/null
run "$PROBE" glibc rss 1000000 sa 100000
tap_diag "$OUT"
growth=$(echo "$OUT" | sed -n 's/.*growth_total=\([0-9-]*\).*/\1/p')
fails=$(echo "$OUT" | sed -n 's/.*failures=\([0-9]*\).*/\1/p')
expect_eq "a million lookups: all found" "0" "$fails"
if [ -n "$growth" ] && [ "$growth" -le 1024 ]; then
	tap_ok "a million lookups add ${growth} KiB of RSS (<= 1024)"
else
	tap_notok "a million lookups add ${growth:-?} KiB of RSS (<= 1024)"
fi

done_testing
