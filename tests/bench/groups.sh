#!/bin/bash
# SPDX-License-Identifier: MIT
# Benchmark (not a test): what the base group costs the programs that
# resolve it, with svcacct.conf's group_members_max at its default (1000:
# above that, no member list) and at "unlimited" (every account listed),
# in one run over the same stores. For each size: `id ACCOUNT` (which
# names every group with getgrgid) and `getent group svcacct`, as wall
# time per run (median of ROUNDS runs) and as system calls (strace -c -f,
# one run), the ratio unlimited/limited, and id's cost against its cost
# at the smallest size.
#
# usage: tests/bench/groups.sh [SIZE...]   (default: 100 1000 10000 100000)
# env:   top_builddir (default: the current directory), ROUNDS (15)
# Needs root (a private mount namespace, tests/nss/lib.sh) and strace.
set -u
top_builddir=${top_builddir:-$(pwd)}
top_builddir=$(cd "$top_builddir" && pwd)
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
export top_builddir top_srcdir
SIZES=${*:-100 1000 10000 100000}
ROUNDS=${ROUNDS:-15}
command -v strace >/dev/null || { echo "needs strace" >&2; exit 1; }
. "$top_srcdir/tests/lib/tap.sh" >/dev/null
. "$top_srcdir/tests/nss/lib.sh"
nss_enter_ns "$@"
# ranges wide enough for a million accounts
RANGES=("uid_min = 1000000" "uid_max = 2999999" "gid_min = 3000001"
	"gid_max = 3999999" "base_gid = 3000000")
nss_setup "${RANGES[@]}" >/dev/null || { echo "namespace setup failed" >&2; exit 1; }

# med_ms CMD...: median wall time of ROUNDS runs, in milliseconds
med_ms() {
	local i t0 t1
	for i in $(seq "$ROUNDS"); do
		t0=$(date +%s%N)
		"$@" >/dev/null
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000))
	done | sort -n | awk '{a[NR] = $1} END {printf "%.2f", a[int((NR + 1) / 2)] / 1000}'
}
# calls CMD...: system calls of one run (every process), from strace -c
calls() {
	strace -f -c -o "$T/strace.out" "$@" >/dev/null 2>&1
	awk '$NF == "total" {print $(NF - 2) + 0}' "$T/strace.out"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", (b > 0 ? a / b : 0)}'; }

printf '| accounts | call | limit 1000 ms | unlimited ms | unlimited/limit | limit 1000 syscalls | unlimited syscalls |\n'
printf '|---:|---|---:|---:|---:|---:|---:|\n'
id_small=""
for n in $SIZES; do
	rm -rf "$T/db" "$T/state"
	nss_write_conf "${RANGES[@]}"
	"$MKSTORE" "$CONF" -n "$n" -r 1 >/dev/null
	for call in "id sa0000000" "getent group svcacct"; do
		nss_write_conf "${RANGES[@]}"
		# $call: word splitting wanted
		# shellcheck disable=SC2086
		lim_ms=$(med_ms $call)
		# shellcheck disable=SC2086
		lim_sc=$(calls $call)
		nss_write_conf "${RANGES[@]}" "group_members_max = unlimited"
		# shellcheck disable=SC2086
		unl_ms=$(med_ms $call)
		# shellcheck disable=SC2086
		unl_sc=$(calls $call)
		printf '| %s | `%s` | %s | %s | %s× | %s | %s |\n' "$n" "$call" \
			"$lim_ms" "$unl_ms" "$(ratio "$unl_ms" "$lim_ms")" "$lim_sc" "$unl_sc"
		if [ "$call" = "id sa0000000" ]; then
			[ -n "$id_small" ] || id_small=$lim_ms
			id_line="${id_line:-}id at $n accounts: $(ratio "$lim_ms" "$id_small")× its cost at the smallest size (limit 1000)\n"
		fi
	done
done
printf '\n%b' "${id_line:-}"
