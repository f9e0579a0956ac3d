#!/bin/bash
# SPDX-License-Identifier: MIT
# errno across nss_svcacct's entry points: a SUCCESS or a NOTFOUND leaves
# errno as the caller had it (glibc passes &errno itself as errnop, and
# nss_files and nss-systemd leave it alone on both), an error reaches the
# caller through *errnop. Every entry point is called directly (dlopen)
# with errno set to a sentinel (E4242), once with an errnop of its own
# (holding E4343) and once with errnop = &errno, in a fresh process (the
# first call loads the config and opens the store) and all in one process.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/nss/lib.sh"
nss_enter_ns "$@"
nss_setup || { tap_notok "namespace setup"; done_testing; exit 1; }
nss_populate

KEEP="errno=E4242 errnop=E4343"
hits=("get pwnam bot" "get pwuid 70001" "get grnam deploy" "get grnam svcacct"
	"get grnam bot" "get grgid 80001" "get grgid 80000" "get grgid 70002"
	"get spnam bot" "initgroups ci 70002")
misses=("get pwnam nosuch" "get pwnam root" "get pwuid 70099" "get pwuid 0"
	"get grnam nosuch" "get grgid 80099" "get spnam nosuch"
	"initgroups nosuch 70001" "initgroups root 0")
walks=("walk pw" "walk gr" "walk sp")

# check_keep CASE STATUS OUTPUT-LINE [NOTE]
check_keep() {
	expect_eq "$1: $2, errno untouched (own errnop and errnop = &errno)${4:+ $4}" \
		"$1: $2 $KEEP; shared: $2 errno=E4242" "$3"
}

for c in "${hits[@]}"; do
	check_keep "$c" SUCCESS "$("$PROBE" "$DIRECT" errno "$c")" "(first call)"
done
for c in "${misses[@]}" "${walks[@]}"; do
	check_keep "$c" NOTFOUND "$("$PROBE" "$DIRECT" errno "$c")" "(first call)"
done

# all of them in one process: the warm handle
out=$("$PROBE" "$DIRECT" errno "${hits[@]}" "${misses[@]}" "${walks[@]}")
for c in "${hits[@]}"; do
	check_keep "$c" SUCCESS "$(echo "$out" | grep -F "$c: ")"
done
for c in "${misses[@]}" "${walks[@]}"; do
	check_keep "$c" NOTFOUND "$(echo "$out" | grep -F "$c: ")"
done

# after the program closed every fd (closefrom, daemon): the handle is
# found gone and reopened, all within a call that then succeeds
out=$("$PROBE" "$DIRECT" errno "get pwnam ci" "afterclose get pwnam bot" \
	"afterclose get grnam svcacct" "afterclose get pwuid 70002" \
	"afterclose initgroups ci 70002" "afterclose get pwnam nosuch")
for c in "get pwnam bot" "get grnam svcacct" "get pwuid 70002" "initgroups ci 70002"; do
	check_keep "afterclose $c" SUCCESS "$(echo "$out" | grep -F "afterclose $c: ")" \
		"(the handle reopened)"
done
check_keep "afterclose get pwnam nosuch" NOTFOUND \
	"$(echo "$out" | grep -F "afterclose get pwnam nosuch: ")" "(the handle reopened)"

# errors: errno restored, the error in *errnop (and so in errno when
# errnop is &errno)
expect_eq "buffer too small: errno restored, ERANGE in *errnop" \
	"get pwnam bot 10: TRYAGAIN errno=E4242 errnop=ERANGE; shared: TRYAGAIN errno=ERANGE" \
	"$("$PROBE" "$DIRECT" errno "get pwnam bot 10")"
mv "$T/db" "$T/db.away"
expect_eq "store missing: errno restored, ENOENT in *errnop" \
	"get pwnam bot: UNAVAIL errno=E4242 errnop=ENOENT; shared: UNAVAIL errno=ENOENT" \
	"$("$PROBE" "$DIRECT" errno "get pwnam bot")"
expect_eq "store missing, walk: the same" \
	"walk gr: UNAVAIL errno=E4242 errnop=ENOENT; shared: UNAVAIL errno=ENOENT" \
	"$("$PROBE" "$DIRECT" errno "walk gr")"
mv "$T/db.away" "$T/db"

done_testing
