# SPDX-License-Identifier: MIT
# What the PAM login benchmarks share (sourced by tests/bench/*/run.sh once
# T, their temporary directory, exists): the built module, a store in T
# whose logins cost no fail delay, and S, the CLI on that store.
MOD=$top_builddir/pam/.libs/pam_svcacct.so
S() { "$top_builddir/tools/svcacct" --conf "$T/c.conf" "$@"; }
cat >"$T/c.conf" <<CONF
db_dir = $T/db
state_dir = $T/state
home_base = $T/home
fail_delay_ms = 0
audiences = svcacct:bench
CONF
# Identity is the UID: the module asks the system's NSS who the user is,
# so the system's NSS of this mount namespace serves the bench store
# (tests/lib/nssns.sh), as on a host.
# shellcheck source=../lib/nssns.sh
. "$top_srcdir/tests/lib/nssns.sh"
nssns_setup "$T/nss" "$T/c.conf" || {
	echo "bench: cannot lay the test NSS source over this namespace's /etc" >&2
	exit 1
}
