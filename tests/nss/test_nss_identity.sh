#!/bin/bash
# SPDX-License-Identifier: MIT
# Identity is the UID: initgroups gives an account's groups (the base group
# and its roles' groups) only to the user the system's NSS resolves the
# name to, when that user has the account's UID. A user of the "files"
# source with an account's name (bot, uid 1500; zero, uid 0) gets none of
# them, whatever group the caller passes (getent initgroups passes -1,
# start-stop-daemon --chuid NAME:GROUP its group, id the user's own);
# the genuine accounts keep theirs. Through glibc (id, getent, getgrouplist,
# start-stop-daemon) and directly (the module's own status).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/nss/lib.sh"
nss_enter_ns "$@"
NSS_FILES_PASSWD="bot:x:1500:1500:files bot:/nonexistent:/bin/sh
zero:x:0:0:another root:/root:/bin/sh
same:x:70005:70005:files entry with the account's UID:/nonexistent:/bin/sh"
NSS_FILES_GROUP="bot:x:1500:"
nss_setup || { tap_notok "namespace setup"; done_testing; exit 1; }
nss_populate
nss_store <<-'EOF2'
account zero uid=70004 roles=80001,80002 updated=1700000000
account same uid=70005 roles=80002 updated=1700000000
EOF2

# ---------------------------------------------------------------- id, getent
expect_eq "id bot: the files user, no svcacct or role group" \
	"uid=1500(bot) gid=1500(bot) groups=1500(bot)" "$(id bot)"
expect_eq "getent initgroups bot: no group" "bot" "$(getent initgroups bot | xargs)"
expect_eq "id zero (a files user with UID 0): no svcacct or role group" \
	"uid=0(root) gid=0(root) groups=0(root)" "$(id zero)"
expect_eq "getent initgroups zero: no group" "zero" "$(getent initgroups zero | xargs)"
expect_eq "id ci (the genuine account): its groups" \
	"uid=70002(ci) gid=70002(ci) groups=70002(ci),80000(svcacct),80001(deploy),80002(readers)" \
	"$(id ci)"
expect_eq "getent initgroups ci: its groups" "ci 80000 80001 80002" \
	"$(getent initgroups ci | xargs)"
expect_eq "a files entry with the account's own UID: its groups (the UID decides, not the source)" \
	"uid=70005(same) gid=70005(same) groups=70005(same),80000(svcacct),80002(readers)" "$(id same)"

# ---------------------------------------------------------------- start-stop-daemon
# (a private copy of id: start-stop-daemon --start does nothing when a
# process of that executable already runs anywhere on the host)
if command -v start-stop-daemon >/dev/null 2>&1; then
	san_wrap "$SVNSS_MODULE" start-stop-daemon
	mkdir -m 755 "$T/bin"
	cp /usr/bin/id "$T/bin/id-ssd"
	chmod 755 "$T/bin/id-ssd"
	ssd() { start-stop-daemon --start --chuid "$1" --exec "$T/bin/id-ssd" 2>&1; }
	expect_eq "start-stop-daemon --chuid bot:deploy: the files user, the group asked for, nothing of ours" \
		"uid=1500(bot) gid=80001(deploy) groups=80001(deploy)" "$(ssd bot:deploy)"
	expect_eq "start-stop-daemon --chuid bot:svcacct: the group asked for only" \
		"uid=1500(bot) gid=80000(svcacct) groups=80000(svcacct)" "$(ssd bot:svcacct)"
	expect_eq "start-stop-daemon --chuid bot: no group of ours" \
		"uid=1500(bot) gid=1500(bot) groups=1500(bot)" "$(ssd bot)"
	expect_eq "start-stop-daemon --chuid ci:deploy: the account's groups" \
		"uid=70002(ci) gid=80001(deploy) groups=80001(deploy),80000(svcacct),80002(readers)" \
		"$(ssd ci:deploy)"
	expect_eq "start-stop-daemon --chuid ci: the account's groups" \
		"uid=70002(ci) gid=70002(ci) groups=70002(ci),80000(svcacct),80001(deploy),80002(readers)" \
		"$(ssd ci)"
else
	for _ in 1 2 3 4 5; do tap_skip "start-stop-daemon" "not installed (dpkg)"; done
fi

# ---------------------------------------------------------------- the group argument
# getgrouplist through glibc with every kind of group: the passed group
# comes first, then ours for the account only; the argument changes
# nothing (4294967295 is the -1 of getent initgroups)
for g in 1500 70001 70002 80000 80001 80002 0 65534 4294967295; do
	expect_eq "getgrouplist(bot, $g): the group passed only" "SUCCESS 0 $g" \
		"$("$PROBE" glibc initgroups bot $g)"
	want="SUCCESS 0 $g"
	for x in 80000 80001 80002; do [ "$x" = "$g" ] || want="$want $x"; done
	expect_eq "getgrouplist(ci, $g): the account's groups" "$want" \
		"$("$PROBE" glibc initgroups ci $g)"
done
# the module itself: NOTFOUND for the files user, with the account's own
# user-private group or the base group as argument too
for g in 1500 70001 80000 0; do
	expect_eq "initgroups_dyn(bot, $g): NOTFOUND, nothing added" \
		"NOTFOUND 0 $g size=1" "$("$PROBE" "$DIRECT" initgroups bot $g)"
done
expect_eq "initgroups_dyn(zero, 0): NOTFOUND, nothing added" "NOTFOUND 0 0 size=1" \
	"$("$PROBE" "$DIRECT" initgroups zero 0)"
expect_eq "initgroups_dyn(ci, 70002): SUCCESS" "SUCCESS 0 70002 80000 80001 80002 size=4" \
	"$("$PROBE" "$DIRECT" initgroups ci 70002 0 1)"
expect_eq "initgroups_dyn(bot) leaves errno alone (NOTFOUND)" \
	"initgroups bot 70001: NOTFOUND errno=E4242 errnop=E4343; shared: NOTFOUND errno=E4242" \
	"$("$PROBE" "$DIRECT" errno "initgroups bot 70001")"

# ---------------------------------------------------------------- no answer, no groups
# passwd without svcacct: the system's NSS does not know ci at all
cp "$T/etc/nsswitch.conf" "$T/nsswitch.good"
printf 'passwd: files\ngroup: files svcacct\nshadow: files\n' >"$T/etc/nsswitch.conf"
expect_eq "name unknown to the system's passwd: getgrouplist gives nothing of ours" \
	"SUCCESS 0 70002" "$("$PROBE" glibc initgroups ci 70002)"
expect_eq "... initgroups_dyn: NOTFOUND" "NOTFOUND 0 70002 size=1" \
	"$("$PROBE" "$DIRECT" initgroups ci 70002)"
cat "$T/nsswitch.good" >"$T/etc/nsswitch.conf"
expect_eq "nsswitch.conf back: the groups again" "ci 80000 80001 80002" \
	"$(getent initgroups ci | xargs)"

# ---------------------------------------------------------------- failures
# Every allocation of initgroups_dyn(bot) failed in turn (the failmalloc
# shim), the system lookup's own included: when /etc/passwd cannot be
# opened, glibc goes on to the next source, this module, which knows bot
# as the account. An earlier source that failed leaves its errno: never a
# group of ours for the files user, whichever allocation fails.
SHIM=$top_builddir/tests/hardening/.libs/libfailmalloc.so
if san_active || [ ! -e "$SHIM" ]; then
	tap_skip "initgroups under allocation failures" "no failmalloc shim (or ASan owns malloc)"
	tap_skip "initgroups under allocation failures" "no failmalloc shim (or ASan owns malloc)"
else
	n=1 leaked=0 points=0 sysfail=0
	while [ $n -le 500 ]; do
		rm -f "$T/fm.rep"
		out=$(FAILMALLOC_N=$n FAILMALLOC_REPORT="$T/fm.rep" LD_PRELOAD="$SHIM" \
			"$PROBE_BIN" "$DIRECT" initgroups bot 1500 0 1 2>/dev/null)
		grep -q '^inject ' "$T/fm.rep" 2>/dev/null || break
		points=$((points + 1))
		case $out in
		*" 80000"* | *" 80001"* | SUCCESS*)
			leaked=$((leaked + 1))
			tap_diag "N=$n: $out" "$(sed -n '/^inject/,/^end/p' "$T/fm.rep" | head -12)" ;;
		"TRYAGAIN EAGAIN 1500 size=1") sysfail=$((sysfail + 1)) ;;
		esac
		n=$((n + 1))
	done
	expect_match "allocation failures in initgroups_dyn(bot): $points points tried" \
		"^[1-9][0-9]*$" "$points"
	expect_eq "... never a group of ours for the files user ($sysfail times an earlier source failed: EAGAIN)" \
		"0" "$leaked"
fi

# ---------------------------------------------------------------- re-entry, threads
run "$PROBE" "$DIRECT" igrecurse ci 70002
expect_eq "initgroups re-entered from its own system lookup: refused at once, the outer call answers" \
	"outer SUCCESS 0 3 groups, inner UNAVAIL EDEADLK 0" "$OUT"
PAIRS="ci:70002 bot:1500 zero:0 same:70005 nosuch:1 ci:80001"
run "$PROBE" "$DIRECT" igthreads 8 200 $PAIRS
expect_match "8 threads of initgroups at once: every answer the first one" "^igthreads ok" "$OUT"
[ "$RC" = 0 ] || tap_diag "$OUT" "$ERR"
run "$PROBE" glibc igthreads 8 100 $PAIRS
expect_match "8 threads of getgrouplist at once" "^igthreads ok" "$OUT"
[ "$RC" = 0 ] || tap_diag "$OUT" "$ERR"
if san_active; then
	tap_skip "helgrind" "valgrind cannot run the ASan+UBSan build"
elif command -v valgrind >/dev/null 2>&1; then
	run valgrind -q --error-exitcode=99 --tool=helgrind "$PROBE_BIN" "$DIRECT" igthreads 4 5 $PAIRS
	expect_eq "helgrind: initgroups from 4 threads, no race" "0" "$RC"
	[ "$RC" = 0 ] || tap_diag "$ERR"
else
	tap_skip "helgrind" "no valgrind"
fi

done_testing
