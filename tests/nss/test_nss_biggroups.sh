#!/bin/bash
# SPDX-License-Identifier: MIT
# Groups above svcacct.conf's group_members_max through the real glibc:
# getgrnam, getgrgid and getgrent give them with no member list (the base
# group and a role's group alike), smaller groups keep theirs, and
# membership still comes through initgroups (getent initgroups, id, id -G,
# and runuser, which logs in through PAM and initgroups). The limit
# follows the configuration; a bad value makes the file invalid, so every
# lookup is UNAVAIL as with any other.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/nss/lib.sh"
nss_enter_ns "$@"
nss_setup "group_members_max = 3" || { tap_notok "namespace setup"; done_testing; exit 1; }

nss_store_groups_of_sizes

get() { "$PROBE" "$DIRECT" get "$@" 2>&1; }
members() { getent group "$1" | cut -d: -f4 | tr , '\n' | sort | paste -sd,; }

# ---------------------------------------------------------------- above the limit
expect_eq "base group above the limit: no members (getgrnam)" "svcacct:x:80000:" \
	"$(getent group svcacct)"
expect_eq "base group above the limit: no members (getgrgid)" "svcacct:x:80000:" \
	"$(getent group 80000)"
expect_eq "role group above the limit: no members (getgrnam)" "big:x:80001:" \
	"$(getent group big)"
expect_eq "role group above the limit: no members (getgrgid)" "big:x:80001:" \
	"$(getent group 80001)"
expect_eq "role group at the limit: every member" "bot,cd,ci" "$(members exact)"
expect_eq "role group below the limit: every member" "bot,ci" "$(members 80003)"
expect_eq "user-private group unchanged" "qa:x:70004:" "$(getent group qa)"
expect_eq "module directly: base group SUCCESS, empty list" \
	"SUCCESS 0 svcacct:x:80000:" "$(get grgid 80000)"
expect_eq "module directly: big role SUCCESS, empty list" \
	"SUCCESS 0 big:x:80001:" "$(get grnam big)"
expect_eq "enumeration: the big groups without members, the others with" \
	"big: bot: cd: ci: exact:bot,ci,cd qa: small:bot,ci svcacct:" \
	"$(getent group | awk -F: '$3 >= 70000 && $3 < 90000 {print $1 ":" $4}' | sort | xargs)"
# every buffer size: ERANGE until the (small) entry fits, then exactly it
for q in "grnam svcacct" "grgid 80000" "grnam big" "grgid 80001" "grnam exact"; do
	run "$PROBE" glibc sweep $q
	expect_match "glibc buffer sweep: $q" "^sweep .* ok need=" "$OUT"
done
full=$("$PROBE" glibc enum gr 2>/dev/null | sort)
swept=$("$PROBE" glibc enum gr sweep 2>/dev/null | sort)
expect_eq "group enumeration with growing buffers skips nothing" "$full" "$swept"

# ---------------------------------------------------------------- membership
expect_eq "getent initgroups bot: base, big, exact and small" \
	"bot 80000 80001 80002 80003" "$(getent initgroups bot | tr -s ' ')"
expect_eq "getent initgroups qa: base and big" "qa 80000 80001" \
	"$(getent initgroups qa | tr -s ' ')"
expect_eq "id bot" \
	"uid=70001(bot) gid=70001(bot) groups=70001(bot),80000(svcacct),80001(big),80002(exact),80003(small)" \
	"$(id bot)"
expect_eq "id -G bot" "70001 80000 80001 80002 80003" "$(id -G bot)"
expect_eq "id -Gn qa" "qa svcacct big" "$(id -Gn qa)"
expect_eq "runuser -u qa -- id -G (a login's groups)" "70004 80000 80001" \
	"$(runuser -u qa -- id -G 2>&1)"
expect_eq "runuser -u bot -- id -Gn" "bot svcacct big exact small" \
	"$(runuser -u bot -- id -Gn 2>&1)"
f=$T/file
touch "$f"
ok_cmd "chgrp to a group above the limit" chgrp big "$f"
expect_eq "ls -l names a group above the limit" "big" "$(ls -l "$f" | awk '{print $4}')"

# ---------------------------------------------------------------- the limit follows the configuration
nss_write_conf "group_members_max = 4"
expect_eq "limit 4: the base group lists its 4 members" "bot,cd,ci,qa" "$(members svcacct)"
expect_eq "limit 4: big lists its 4 members" "bot,cd,ci,qa" "$(members big)"
nss_write_conf "group_members_max = 2"
expect_eq "limit 2: exact (3) lists none" "exact:x:80002:" "$(getent group exact)"
expect_eq "limit 2: small (2) lists both" "bot,ci" "$(members small)"
expect_eq "limit 2: id -G bot unchanged" "70001 80000 80001 80002 80003" "$(id -G bot)"
nss_write_conf "group_members_max = 1"
expect_eq "limit 1: small (2) lists none" "small:x:80003:" "$(getent group small)"
nss_write_conf "group_members_max = unlimited"
expect_eq "unlimited: the base group lists everyone" "bot,cd,ci,qa" "$(members 80000)"
expect_eq "unlimited: big lists everyone" "bot,cd,ci,qa" "$(members 80001)"
nss_write_conf "group_members_max = 0"
expect_eq "0 (unlimited): the base group lists everyone" "bot,cd,ci,qa" "$(members svcacct)"
expect_eq "0 (unlimited): big lists everyone" "bot,cd,ci,qa" "$(members big)"

# ---------------------------------------------------------------- svcacct config check
# newconf LINE: a file to check, the four lines of nss_write_conf first
# (so that LINE is line 5)
newconf() {
	{
		echo "db_dir = $T/db"
		echo "state_dir = $T/state"
		echo "home_base = /home/svc"
		echo "default_shell = /usr/sbin/nologin"
		echo "$1"
	} >"$T/new.conf"
	chmod 644 "$T/new.conf"
}
newconf "group_members_max = 3"
run "$SVCACCT_CLI" config check "$T/new.conf"
expect_eq "config check: a valid limit is fine (exit 0)" 0 "$RC"
expect_match "config check notes the base group above the limit" \
	"^note: group svcacct \(GID 80000\) has 4 members, more than group_members_max 3: getent group lists no members of it; .*pam_wheel do not match it" "$OUT"
expect_match "config check notes a role group above the limit" \
	"^note: group 'big' \(GID 80001\) has 4 members, more than group_members_max 3" "$OUT"
expect_eq "config check: no note for the groups within it" "2" \
	"$(printf '%s\n' "$OUT" | grep -c 'more than group_members_max')"
newconf "group_members_max = unlimited"
run "$SVCACCT_CLI" config check "$T/new.conf"
expect_eq "config check: unlimited, exit 0 and no such note" "0 0" \
	"$RC $(printf '%s\n' "$OUT" | grep -c 'group_members_max')"
for v in lots -1 1000x 4294967295 Unlimited; do
	newconf "group_members_max = $v"
	run "$SVCACCT_CLI" config check "$T/new.conf"
	case $v in
	4294967295) want="group_members_max: 4294967295 out of range 0\.\.4294967294 \(or unlimited\)" ;;
	*) want="group_members_max: '$v' is not a number \(or unlimited\)" ;;
	esac
	expect_match "config check refuses group_members_max = $v, naming the line" \
		"^1 problem: $T/new\.conf:5: $want" "$RC $OUT"
done
newconf "group_members_max ="
run "$SVCACCT_CLI" config check "$T/new.conf"
expect_match "config check refuses an empty group_members_max" \
	"^1 problem: $T/new\.conf:5: group_members_max: empty value" "$RC $OUT"

# ---------------------------------------------------------------- a bad value: the file is invalid
for v in lots -1 3x 4294967295 Unlimited "1 000"; do
	nss_write_conf "group_members_max = $v"
	expect_eq "group_members_max = $v: lookups UNAVAIL EINVAL" "UNAVAIL EINVAL" \
		"$(get grnam svcacct)"
	run getent group svcacct
	expect_eq "group_members_max = $v: getent group svcacct finds nothing" "2:" "$RC:$OUT"
done

# ---------------------------------------------------------------- the default, 1000
# a new store of bench accounts, every one holding role0000: 1000, then
# 1001 members in both the base group and the role's
nss_write_conf
rm -rf "$T/db" "$T/state"
"$MKSTORE" "$CONF" -n 1000 -r 1 >/dev/null
expect_eq "default: a base group of 1000 accounts lists them all" 1000 \
	"$(getent group svcacct | cut -d: -f4 | tr , '\n' | grep -c .)"
expect_eq "default: a role of 1000 holders lists them all" 1000 \
	"$(getent group role0000 | cut -d: -f4 | tr , '\n' | grep -c .)"
"$MKSTORE" "$CONF" -n 1001 -r 1 >/dev/null
expect_eq "default: a base group of 1001 accounts lists none" "svcacct:x:80000:" \
	"$(getent group svcacct)"
expect_eq "default: a role of 1001 holders lists none" "role0000:x:80001:" \
	"$(getent group role0000)"
expect_eq "default: id -G of a holder still has both" "70000 80000 80001" \
	"$(id -G sa0000000)"
expect_eq "default: id -G of the 1001st holder too" "71000 80000 80001" \
	"$(id -G sa0001000)"

done_testing
