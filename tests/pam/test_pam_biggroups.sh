#!/bin/bash
# SPDX-License-Identifier: MIT
# What svcacct.conf's group_members_max does to Linux-PAM's group rules,
# through real Linux-PAM (tests/pam/pam_harness, pam_start_confdir) and
# the system's pam_succeed_if (user ingroup), pam_access ((group) rules)
# and pam_wheel (group=), with the built nss_svcacct under "files svcacct"
# in a private mount namespace (tests/nss/lib.sh). Those modules ask
# pam_modutil_user_in_group_*, which reads the group's member list, then
# the user's group list (getgrouplist, which glibc answers through the
# sources' initgroups): a group listed without members, above the limit,
# still matches its members as long as initgroups reaches svcacct, as
# nss_svcacct(8) says. Where it does not (an "initgroups:" line in
# nsswitch.conf without svcacct), only the member list counts: a group
# above the limit stops matching, one within it keeps matching, and with
# the limit at or above its size it matches again. A non-member never
# matches.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/nss/lib.sh"
nss_enter_ns "$@"
HARNESS=$top_builddir/tests/pam/pam_harness
need "tests/pam/pam_harness (built)" '[ -x "$HARNESS" ]'
need setpriv 'command -v setpriv >/dev/null'
for m in pam_succeed_if pam_access pam_wheel pam_permit; do
	need "$m.so" "ls /lib/*/security/$m.so /usr/lib/*/security/$m.so /lib/security/$m.so /usr/lib/security/$m.so 2>/dev/null | grep -q ."
done
nss_setup "group_members_max = 3" || { tap_notok "namespace setup"; done_testing; exit 1; }
# the IDs used here must be free on this host's /etc
for id in 70001 70002 70003 70004 80000 80001 80002 80003; do
	if grep -q "^[^:]*:[^:]*:$id:" /etc/passwd /etc/group; then
		tap_skip "all tests" "ID $id is taken on this host"
		done_testing
		exit 0
	fi
done

nss_store_groups_of_sizes

# one service per module and group
mkdir -p "$T/pam.d"
chmod 755 "$T/pam.d"
for g in svcacct big exact small; do
	printf 'auth required pam_succeed_if.so user ingroup %s\n' "$g" >"$T/pam.d/ingroup-$g"
	printf '+:(%s):ALL\n-:ALL:ALL\n' "$g" >"$T/access-$g.conf"
	printf 'account required pam_access.so accessfile=%s\n' "$T/access-$g.conf" \
		>"$T/pam.d/access-$g"
	# use_uid: the invoking user is the one the harness runs as
	printf 'auth required pam_wheel.so use_uid group=%s\nauth required pam_permit.so\n' \
		"$g" >"$T/pam.d/wheel-$g"
done
chmod 644 "$T"/pam.d/* "$T"/access-*.conf

# ingroup USER GROUP: pam_succeed_if's "user ingroup GROUP" (auth)
ingroup() { "$HARNESS" -c "$T/pam.d" -s "ingroup-$2" -u "$1" -n 2>&1 | grep '^auth='; }
# access USER GROUP: pam_access's "+:(GROUP):ALL" then "-:ALL:ALL" (account)
access() { "$HARNESS" -c "$T/pam.d" -s "access-$2" -u "$1" -A -t tty1 2>&1 | grep '^acct='; }
# wheel UID GROUP: pam_wheel group=GROUP, for a switch to root by the
# account of UID (the harness runs as it)
wheel() {
	setpriv --reuid="$1" --regid="$1" --clear-groups \
		"$HARNESS" -c "$T/pam.d" -s "wheel-$2" -u root -n 2>&1 | grep '^auth='
}

# the member lists the modules see
expect_eq "the base group above the limit lists no members" "svcacct:x:80000:" \
	"$(getent group svcacct)"
expect_eq "big above the limit lists no members" "big:x:80001:" "$(getent group big)"
expect_eq "... while id still has both groups" "70001 80000 80001 80002 80003" "$(id -G bot)"

# matches LIMIT: every module and group, with members and a non-member;
# above: what a member of a group above the limit gets
matches() {
	local lim=$1 above=$2 g
	for g in svcacct big exact small; do
		local want_in=PAM_SUCCESS want_acct=PAM_SUCCESS want_wheel=PAM_SUCCESS
		local what="within the limit"
		if [ "$g" = svcacct ] || [ "$g" = big ]; then
			if [ "$lim" -ne 0 ] && [ "$lim" -lt 4 ]; then
				what="above the limit"
				if [ "$above" = no ]; then
					want_in=PAM_AUTH_ERR want_acct=PAM_PERM_DENIED want_wheel=PAM_PERM_DENIED
				fi
			fi
		fi
		expect_eq "$3: pam_succeed_if ingroup $g ($what) for a member" \
			"auth=$want_in" "$(ingroup bot $g)"
		expect_eq "$3: pam_access ($g) ($what) for a member" \
			"acct=$want_acct" "$(access bot $g)"
		expect_eq "$3: pam_wheel group=$g ($what) for a member" \
			"auth=$want_wheel" "$(wheel 70001 $g)"
	done
	for g in exact small; do
		expect_eq "$3: pam_succeed_if ingroup $g: a non-member does not match" \
			"auth=PAM_AUTH_ERR" "$(ingroup qa $g)"
		expect_eq "$3: pam_access ($g): a non-member does not match" \
			"acct=PAM_PERM_DENIED" "$(access qa $g)"
		expect_eq "$3: pam_wheel group=$g: a non-member does not match" \
			"auth=PAM_PERM_DENIED" "$(wheel 70004 $g)"
	done
}

# ---------------------------------------------------------------- initgroups through svcacct
matches 3 yes "limit 3, initgroups through svcacct"
nss_write_conf "group_members_max = 4"
matches 4 yes "limit 4, initgroups through svcacct"

# ---------------------------------------------------------------- initgroups without svcacct
# glibc then asks only files for a user's groups: the member list decides
{ cat /etc/nsswitch.conf; echo "initgroups: files"; } >"$T/nsswitch.initgroups"
chmod 644 "$T/nsswitch.initgroups"
mount --bind "$T/nsswitch.initgroups" /etc/nsswitch.conf
expect_eq "initgroups: files: id -G bot has none of the service groups" "70001" "$(id -G bot)"
nss_write_conf "group_members_max = 3"
matches 3 no "limit 3, initgroups: files"
nss_write_conf "group_members_max = 4"
matches 4 no "limit 4, initgroups: files"
nss_write_conf "group_members_max = unlimited"
matches 0 no "unlimited, initgroups: files"
umount /etc/nsswitch.conf

done_testing
