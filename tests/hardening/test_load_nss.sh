#!/bin/bash
# SPDX-License-Identifier: MIT
# NSS under load: threads resolving (through the module directly and
# through glibc) while `svcacct` commits changes in a loop (an account's
# description and a role's membership switching between two states) with
# keep_generations = 2, so that every commit prunes a generation readers
# may still hold. Every answer must be the record before or after a
# change -- never an error, a NOTFOUND, a torn entry or a SIGBUS.
# LOAD_SECONDS sets the length (default 15).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/nss/lib.sh"
nss_enter_ns "$@"
nss_setup "keep_generations = 2" || { tap_notok "namespace setup"; done_testing; exit 1; }
[ -x "$SVCACCT_CLI" ] || { tap_notok "tools/svcacct built"; done_testing; exit 0; }
SECS=${LOAD_SECONDS:-15}
cli() { "$SVCACCT_CLI" --conf "$CONF" "$@"; }
cli role create loadrole --gid 80030 >/dev/null
cli account create steady --uid 70061 --description "Steady" --no-home >/dev/null
cli account create lbot --uid 70060 --description "State A" --no-home >/dev/null

Q="pwnam:lbot pwuid:70060 grnam:loadrole grgid:80030 spnam:lbot pwnam:steady grnam:svcacct grgid:70060 pwnam:nosuch"
answers() { # MODE: the current answer of every query, as allowed-list lines
	local q
	for q in $Q; do
		printf '%s %s\t%s\n' "${q%%:*}" "${q#*:}" "$("$PROBE" "$1" get "${q%%:*}" "${q#*:}")"
	done
}
answers "$DIRECT" >"$T/allowed"
answers glibc >"$T/allowed.glibc"
cli account set lbot --description "State B" >/dev/null
cli grant lbot loadrole >/dev/null
answers "$DIRECT" >>"$T/allowed"
answers glibc >>"$T/allowed.glibc"
sort -u "$T/allowed" -o "$T/allowed"
sort -u "$T/allowed.glibc" -o "$T/allowed.glibc"
expect_eq "two states of lbot and loadrole, the rest unchanged" \
	"$(($(echo $Q | wc -w) + 4))" "$(wc -l <"$T/allowed")"
expect_nomatch "no state is an error" $'\t(UNAVAIL|TRYAGAIN)' "$(cat "$T/allowed" "$T/allowed.glibc")"

# the writer: four commits a round, until the readers are done
(
	n=0
	while [ ! -e "$T/stop" ]; do
		cli account set lbot --description "State A" >/dev/null &&
			cli revoke lbot loadrole >/dev/null &&
			cli account set lbot --description "State B" >/dev/null &&
			cli grant lbot loadrole >/dev/null || { echo "writer failed" >&2; exit 1; }
		n=$((n + 4))
		echo $n >"$T/commits"
	done
) 2>"$T/writer.err" &
WP=$!
"$PROBE" "$DIRECT" oneof 8 "$SECS" "$T/allowed" >"$T/direct.out" 2>"$T/direct.err" &
DP=$!
"$PROBE" glibc oneof 4 "$SECS" "$T/allowed.glibc" >"$T/glibc.out" 2>"$T/glibc.err" &
GP=$!
wait $DP
drc=$?
wait $GP
grc=$?
touch "$T/stop"
wait $WP
wrc=$?
commits=$(cat "$T/commits" 2>/dev/null || echo 0)
expect_eq "writer: every commit succeeded" "0" "$wrc"
[ "$wrc" = 0 ] || tap_diag "$(head -5 "$T/writer.err")"
# the count follows the speed of commits, each of which fsyncs (156-184
# here; CI made the store test's commits about five times slower than
# here, most likely its disk); three rounds
# are enough for every reader to see both states swap and six
# generations pruned beneath it
expect_eq "writer: at least three rounds ($commits commits in ${SECS}s)" 1 "$((commits >= 12))"
expect_eq "direct: no crash, no SIGBUS, every answer old or new" "0" "$drc"
expect_match "direct: $(cat "$T/direct.out")" "^oneof ok: threads=8 lookups=[0-9]+ bad=0" "$(cat "$T/direct.out")"
[ "$drc" = 0 ] || tap_diag "$(head -5 "$T/direct.err")"
expect_eq "glibc: no crash, no SIGBUS, every answer old or new" "0" "$grc"
expect_match "glibc: $(cat "$T/glibc.out")" "^oneof ok: threads=4 lookups=[0-9]+ bad=0" "$(cat "$T/glibc.out")"
[ "$grc" = 0 ] || tap_diag "$(head -5 "$T/glibc.err")"
expect_eq "old generations were pruned under the readers (2 kept)" "2" \
	"$(ls -d "$T"/db/gen-* | wc -l)"
tap_diag "figures: NSS under load for ${SECS}s: $commits commits (keep_generations = 2);" \
	"$(cat "$T/direct.out") (direct); $(cat "$T/glibc.out") (glibc)"
done_testing
