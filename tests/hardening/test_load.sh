#!/bin/bash
# SPDX-License-Identifier: MIT
# Load: concurrent ES256 assertion logins through real Linux-PAM
# (tests/bench/pam/pambench: pam_start_confdir + pam_authenticate +
# pam_end per login, fresh jti each), in one account and across accounts;
# the same jti offered by many processes at once, round after round; the
# replay cache bounded over time (expired entries pruned) and its size;
# NSS lookups from many threads while `svcacct` commits changes in a loop
# and prunes old generations.
#
# Sizes are for CI (well under 3 minutes on 2 cores); LOAD_SCALE=N
# multiplies the logins and LOAD_SECONDS sets the NSS run for the larger
# run recorded in docs/SECURITY.md.
. "$top_srcdir/tests/pam/lib.sh"
BENCH=$top_builddir/tests/bench/pam/pambench
FIX=$top_builddir/tests/hardening/.libs/libfixclock.so
SCALE=${LOAD_SCALE:-1}
P=4                       # processes
L=$((1000 * SCALE))       # logins per process
setup_store
echo "auth required $MOD conf=$T/c.conf" >"$T/pam.d/load"
for i in 1 2 3 4; do
	S account create "lb$i" --role deployers >/dev/null
	S key add "lb$i" --pem "$T/k256.pub" --kid k256 --alg ES256 >/dev/null
done
mint_to() { # FILE ACCOUNT COUNT [mint options]
	local f=$1 a=$2 n=$3
	shift 3
	M --key "$T/k256.key" --alg ES256 --kid k256 --account "$a" --count "$n" "$@" >"$f"
}
figure() { echo "$*" >>"$T/figures"; }

# ---------------------------------------------------------------- logins
# run_logins NAME ACCOUNT-FOR-PROCESS-1..P: P processes at once, each its
# own tokens; every login must succeed
run_logins() {
	local name=$1 i pids=() fails=0 t0 t1 okn=0
	shift
	for i in $(seq $P); do mint_to "$T/tok.$i" "${@:$i:1}" $L & done
	wait
	t0=$(date +%s%N)
	for i in $(seq $P); do
		"$BENCH" count "$T/pam.d" load "${@:$i:1}" "$T/tok.$i" >"$T/out.$i" 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
	t1=$(date +%s%N)
	for i in $(seq $P); do
		okn=$((okn + $(sed -n 's/.* ok=\([0-9]*\) .*/\1/p' "$T/out.$i")))
	done
	local ms=$(((t1 - t0) / 1000000))
	expect_eq "$name: $P processes x $L logins, all succeeded" "$((P * L))" "$okn"
	expect_eq "$name: no process failed" 0 "$fails"
	[ "$okn" = $((P * L)) ] || tap_diag "$(cat "$T"/out.*)"
	figure "$name: $((P * L)) ES256 logins by $P processes in ${ms} ms ($((P * L * 1000 / (ms + 1))) logins/s)"
	# the same tokens again, from one process: every one is a replay
	cat "$T"/tok.* >"$T/again"
	"$BENCH" count "$T/pam.d" load "$1" "$T/tok.1" >"$T/again.out" 2>&1
	expect_match "$name: every token offered again is refused" "ok=0 fail=$L " "$(cat "$T/again.out")"
}
run_logins "one account" bot bot bot bot
run_logins "four accounts" lb1 lb2 lb3 lb4
ns_wait_log "$LOG" "reason=replay" || true
errs=$(grep 'svcacct: event=auth' "$LOG" | grep -v 'reason=\(ok\|replay\) ' | grep -c .)
expect_eq "no login logged any reason but ok and replay" 0 "$errs"
[ "$errs" = 0 ] || tap_diag "$(grep 'svcacct: event=auth' "$LOG" | grep -v 'reason=\(ok\|replay\) ' | head -5)"
for a in bot lb1; do
	figure "replay cache of $a after the runs: $(stat -c %s "$T/state/replay/$a") bytes"
done

# ---------------------------------------------------------------- races
# the same jti offered by R processes at once, in each of ROUNDS rounds:
# exactly one success a round
R=24 ROUNDS=$((10 * SCALE)) wrong=0
mint_to "$T/race.tok" bot "$ROUNDS"
mapfile -t RACE <"$T/race.tok"
for k in $(seq 0 $((ROUNDS - 1))); do
	rm -f "$T"/race.out.*
	for i in $(seq $R); do
		echo "${RACE[$k]}" >"$T/race.in.$i"
	done
	for i in $(seq $R); do
		"$BENCH" count "$T/pam.d" load bot "$T/race.in.$i" >"$T/race.out.$i" 2>&1 &
	done
	wait
	n=$(cat "$T"/race.out.* | grep -c ' ok=1 ')
	f=$(cat "$T"/race.out.* | grep -c ' ok=0 fail=1 ')
	if [ "$n" != 1 ] || [ "$f" != $((R - 1)) ]; then
		wrong=$((wrong + 1))
		tap_diag "round $k: $n successes, $f refusals"
	fi
done
expect_eq "same jti from $R processes at once, $ROUNDS rounds: exactly one success each" 0 "$wrong"
figure "jti races: $ROUNDS rounds of $R processes offering one token: $((ROUNDS - wrong)) rounds with exactly one success"

# ---------------------------------------------------------------- bounded
# The replay cache over (pinned) time: batches of B short-lived tokens
# (exp = now + 10), one batch every 100 s, so at most one batch is live
# (entries expire at exp + skew). Expired entries are pruned when the
# table is rebuilt: its size stays at the table one batch needs, where
# without pruning it would hold every token ever used.
if [ -e "$FIX" ]; then
	B=100 NB=$((20 * SCALE)) okb=0 maxsz=0
	S account create rb --role deployers >/dev/null
	S key add rb --pem "$T/k256.pub" --kid k256 --alg ES256 >/dev/null
	t=$(date +%s)
	for b in $(seq $NB); do
		now=$((t + b * 100))
		mint_to "$T/b.tok" rb $B --now "$now" --exp 10
		FIXCLOCK_NOW=$now LD_PRELOAD=$FIX "$BENCH" count "$T/pam.d" load rb "$T/b.tok" >"$T/b.out" 2>&1
		okb=$((okb + $(sed -n 's/.* ok=\([0-9]*\) .*/\1/p' "$T/b.out")))
		sz=$(stat -c %s "$T/state/replay/rb")
		[ "$sz" -gt "$maxsz" ] && maxsz=$sz
	done
	expect_eq "bounded: $((NB * B)) short-lived logins all succeeded" "$((NB * B))" "$okb"
	# 64-byte header + 48-byte slots; B live entries at most half the table
	bound=$((64 + 256 * 48))
	if [ "$maxsz" -le "$bound" ]; then
		tap_ok "bounded: the replay file stayed at most $maxsz bytes (<= $bound) after $((NB * B)) logins"
	else
		tap_notok "bounded: the replay file grew to $maxsz bytes (> $bound)"
	fi
	slots=64
	while [ $((slots / 2)) -lt $((NB * B)) ]; do slots=$((slots * 2)); done
	figure "replay cache bounded: $((NB * B)) logins in $NB batches of $B, 100 s apart (pinned clock): file at most $maxsz bytes; keeping every entry would take $((64 + slots * 48)) bytes"
	# one more batch at the same time as the last: still live, all refused
	FIXCLOCK_NOW=$now LD_PRELOAD=$FIX "$BENCH" count "$T/pam.d" load rb "$T/b.tok" >"$T/b.out" 2>&1
	expect_match "bounded: the live batch is still refused as replays" "ok=0 fail=$B " "$(cat "$T/b.out")"
else
	tap_notok "fixclock shim built ($FIX)"
fi

# the driver's own counts (tests/bench/pam/run.sh passes them): anything
# but a whole number from 1 up is refused before any work is done
for bad in 0 -5 12x "" 99999999999999999999; do
	expect_rc "pambench syscall '$bad' refused" 2 "N must be a count from 1 to [0-9]+, not '$bad'" "$BENCH" syscall "$bad"
	expect_eq "... nothing measured" "" "$OUT"
done
expect_rc "pambench log 'x' refused" 2 "^pambench: log: N must be a count" "$BENCH" log x
expect_rc "pambench syscall 1000 measures" 0 "^syscall n=1000 total_s=" "$BENCH" syscall 1000
# and the benchmark script's, refused before it makes a store or a key
RUNSH=$top_srcdir/tests/bench/pam/run.sh
expect_rc "bench run.sh N 'abc' refused" 2 "^run.sh: N must be a whole number from 1 up, not 'abc'" bash "$RUNSH" abc 3
expect_rc "bench run.sh R '0' refused" 2 "^run.sh: R must be a whole number from 1 up, not '0'" bash "$RUNSH" 100 0
expect_rc "bench run.sh NS_SECRETS '-1' refused" 2 "^run.sh: NS_SECRETS must be" env NS_SECRETS=-1 bash "$RUNSH" 100 3

sed 's/^/# figures: /' "$T/figures"
done_testing
