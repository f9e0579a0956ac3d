# SPDX-License-Identifier: MIT
# A throwaway svcacct store, for the quick start's demo (scripts/demo.sh),
# the store benchmark and the tests that need nothing more. Sourced by
# bash; it uses nothing else under tests/lib, so that it serves outside
# the test harness too.

# scratch_store TEMPLATE CONF [CONF-LINE...]: a new directory T (mktemp -d
# TEMPLATE, mode 755 so that processes of other users can reach the store
# inside it), removed at exit, holding the configuration T/CONF: db_dir,
# state_dir and home_base inside T, then the CONF-LINEs.
scratch_store() {
	local template=$1 conf=$2
	shift 2
	T=$(mktemp -d "$template")
	chmod 755 "$T"
	trap 'rm -rf "$T"' EXIT
	printf '%s\n' "db_dir = $T/db" "state_dir = $T/state" \
		"home_base = $T/home" "$@" >"$T/$conf"
}
