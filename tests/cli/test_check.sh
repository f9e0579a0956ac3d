#!/bin/bash
# SPDX-License-Identifier: MIT
# svcacct check against the other NSS sources, through real glibc NSS with
# the built module ("files svcacct" and other orders in nsswitch.conf): a
# service account that /etc/group lists as a member (gpasswd -a, usermod
# -aG), a group or user of /etc with a role's or an account's name or ID,
# the base role's name and GID. Each is reported with the object and the
# fix, and makes check exit 1; a clean store reports nothing and exits 0.
#
# Runs in a private mount namespace (tests/nss/lib.sh) with a writable
# layer over /etc: /etc/group, /etc/passwd and nsswitch.conf are changed
# there only, by the shadow tools where they can (gpasswd) and by hand
# where they refuse because svcacct already answers for the name.
. "$top_srcdir/tests/lib/cli.sh"
. "$top_srcdir/tests/nss/lib.sh"
nss_enter_ns "$@"
nss_setup || { tap_notok "namespace setup"; done_testing; exit 1; }
need "tools/svcacct (built)" '[ -x "$SVCACCT_CLI" ]'
need gpasswd 'command -v gpasswd >/dev/null'
need setpriv 'command -v setpriv >/dev/null'
need python3 'command -v python3 >/dev/null'

cli_writable_etc || { done_testing; exit 1; }
cp /etc/group "$T/group.orig"
cp /etc/passwd "$T/passwd.orig"
# the IDs used here must be free on this host's /etc
for id in 70001 70002 80000 80001 80002; do
	if grep -Eq "^[^:]*:[^:]*:$id:" "$T/group.orig" "$T/passwd.orig"; then
		tap_skip "all tests" "ID $id is taken in the host's /etc"
		done_testing
		exit 0
	fi
done
# a group with no members to put the account in (the host's sudo group may
# not exist)
echo "svtest-admins:x:4711:" >>/etc/group
restore() {
	cat "$T/group.orig" >/etc/group
	echo "svtest-admins:x:4711:" >>/etc/group
	cat "$T/passwd.orig" >/etc/passwd
}
nss() { printf 'passwd: %s\ngroup: %s\nshadow: files svcacct\n' "$1" "$2" >/etc/nsswitch.conf; }

cli() { "$SVCACCT_CLI" --conf "$CONF" "$@"; }
# checked DESC RC REGEX...: check exits RC and its output matches every REGEX
checked() {
	local d="$1" want="$2" why=""
	shift 2
	run cli check
	[ "$RC" = "$want" ] || why="exit $RC, want $want; "
	for re in "$@"; do
		printf '%s' "$OUT" | grep -Eq -- "$re" || why="${why}output lacks /$re/; "
	done
	if [ -z "$why" ]; then
		tap_ok "$d"
	else
		tap_notok "$d"
		tap_diag "$why" "stdout: $OUT" "stderr: $ERR"
	fi
}
# conflict FILE LINE DESC REGEX...: with LINE added to FILE (/etc/group or
# /etc/passwd), check exits 1 and its output matches every REGEX; then /etc
# is restored
conflict() {
	local file="$1" line="$2"
	shift 2
	echo "$line" >>"$file"
	checked "$1" 1 "${@:2}"
	restore
}
# problems: how many check counts
problems() { cli check 2>&1 | sed -n 's/.*, \([0-9]*\) problem(s)$/\1/p'; }

cli role create deploy --gid 80001 >/dev/null
cli role create readers --gid 80002 >/dev/null
cli account create bot --uid 70001 --role deploy --no-home >/dev/null
cli account create ci --uid 70002 --no-home >/dev/null
expect_eq "the store resolves through glibc" "deploy:x:80001:bot" "$(getent group deploy)"

# ------------------------------------------------------------------ clean
checked "clean store, files svcacct: exit 0, 0 problems" 0 "^ok: .*, 0 problem\(s\)$"
expect_eq "clean store: --json ok, no problems" "True []" \
	"$(cli --json check | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["ok"], j["problems"])')"
nss "svcacct files" "svcacct files"
checked "clean store, svcacct before files: 0 problems" 0 ", 0 problem\(s\)$"
nss "files" "files"
checked "clean store, svcacct not in nsswitch.conf: 0 problems" 0 ", 0 problem\(s\)$"
nss "files svcacct" "files svcacct"

# ------------------------------------------------------------------ memberships
ok_cmd "gpasswd -a bot svtest-admins (a service account into a files group)" \
	gpasswd -a bot svtest-admins
expect_match "id bot: the files group is among its groups" "4711\(svtest-admins\)" "$(id bot)"
expect_nomatch "account show does not list it" "svtest-admins" "$(cli account show bot)"
checked "check reports the membership, the group and the fix (exit 1)" 1 \
	"^problem: account 'bot' is a member of group 'svtest-admins' \(GID 4711\) of another NSS source: .*remove it \(for /etc/group: gpasswd -d bot svtest-admins\)$" \
	"^FAILED: .*, 1 problem\(s\)$"
run cli --json check
expect_match "--json: the problem, ok false" \
	'"account .bot. is a member of group .svtest-admins. \(GID 4711\)' "$OUT"
expect_match "--json: ok is false" '"ok": false' "$OUT"
run setpriv --reuid=65534 --regid=65534 --clear-groups "$SVCACCT_CLI" --conf "$CONF" check
expect_match "check as nobody reports it too (exit 1)" \
	"^1 .*account 'bot' is a member of group 'svtest-admins'" "$RC $OUT"
nss "svcacct files" "svcacct files"
checked "svcacct before files: still reported" 1 "account 'bot' is a member of group 'svtest-admins'"
nss "files svcacct" "files svcacct"
ok_cmd "the fix check gives: gpasswd -d bot svtest-admins" gpasswd -d bot svtest-admins
checked "after the fix: 0 problems" 0 ", 0 problem\(s\)$"

# a second account in two groups: one problem each
sed -i 's/^svtest-admins:x:4711:$/svtest-admins:x:4711:ci,bot,alice/' /etc/group
echo "svtest-ops:x:4712:ci" >>/etc/group
checked "each membership of each account reported" 1 \
	"account 'bot' is a member of group 'svtest-admins'" \
	"account 'ci' is a member of group 'svtest-admins'" \
	"account 'ci' is a member of group 'svtest-ops' \(GID 4712\)" ", 3 problem\(s\)$"
restore

# a group name with a terminal escape: shown, not sent to the terminal
printf 'ev\033[31mil:x:4713:bot\n' >>/etc/group
run cli check
expect_match "a hostile group name is shown with '?'" "member of group 'ev\?\[31mil'" "$OUT"
expect_eq "no escape byte reaches the output" "0" "$(printf '%s' "$OUT$ERR" | grep -c $'\033')"
restore

# ------------------------------------------------------------------ groups
conflict /etc/group "deploy:x:4720:" "a files group named like a role, other GID" \
	"^problem: role 'deploy': another NSS source also has a group 'deploy' \(GID 4720\), so the name means two groups; remove or rename that group \(for /etc/group: groupdel deploy\)$"
echo "deploy:x:80001:" >>/etc/group
checked "a files group with a role's name and GID (looks like the role itself)" 1 \
	"^problem: role 'deploy': another NSS source also has group 'deploy' with the same GID 80001, .*groupdel deploy\)$" \
	", 1 problem\(s\)$"
nss "svcacct files" "svcacct files"
checked "the same with svcacct first" 1 "role 'deploy': another NSS source also has group 'deploy' with the same GID 80001"
nss "files svcacct" "files svcacct"
restore
each_row conflict <<'EOF'
/etc/group|gidclash:x:80002:|a files group with a role's GID|^problem: role 'readers': GID 80002 is also group 'gidclash' of another NSS source, whose members get the same access; give that group another GID \(for /etc/group: groupmod -g NEWGID gidclash\)$
/etc/group|bot:x:4721:|a files group named like an account (its own group)|^problem: account 'bot' \(its own group\): another NSS source also has a group 'bot' \(GID 4721\)
/etc/group|uidgrp:x:70002:|a files group with an account's UID as GID|^problem: account 'ci' \(its own group\): GID 70002 is also group 'uidgrp' of another NSS source
/etc/group|svcacct:x:4722:|a files group named like the base role|^problem: base role 'svcacct' \(base_gid\): another NSS source also has a group 'svcacct' \(GID 4722\)
/etc/group|basegrp:x:80000:|a files group with base_gid|^problem: base role 'svcacct' \(base_gid\): GID 80000 is also group 'basegrp' of another NSS source
EOF

# ------------------------------------------------------------------ users
each_row conflict <<'EOF'
/etc/passwd|bot:x:4730:4730::/nonexistent:/usr/sbin/nologin|a files user named like an account|^problem: account 'bot': another NSS source also has a user 'bot' \(UID 4730\), so the name means two users; remove or rename that user \(for /etc/passwd: vipw\)$
/etc/passwd|bot:x:70001:70001::/nonexistent:/usr/sbin/nologin|a files user with an account's name and UID|^problem: account 'bot': another NSS source also has user 'bot' with the same UID 70001|, 1 problem\(s\)$
/etc/passwd|uidclash:x:70002:100::/nonexistent:/usr/sbin/nologin|a files user with an account's UID|^problem: account 'ci': UID 70002 is also user 'uidclash' of another NSS source.*usermod -u NEWUID uidclash\)$
EOF
checked "all restored: 0 problems" 0 ", 0 problem\(s\)$"

# ------------------------------------------------------------------ sources
# svcacct alone: nothing else answers, nothing to compare with
echo "deploy:x:4720:bot" >>/etc/group
nss "svcacct" "svcacct"
checked "nsswitch.conf with svcacct alone: /etc is not consulted, 0 problems" 0 ", 0 problem\(s\)$"
# svcacct with an action after it, files behind it
nss "svcacct [NOTFOUND=return] files" "svcacct [NOTFOUND=return] files"
checked "svcacct [NOTFOUND=return] files: files still compared" 1 \
	"role 'deploy': another NSS source also has a group 'deploy' \(GID 4720\)"
# an action glued to svcacct, spaces inside the brackets
nss "svcacct[ NOTFOUND = return ]files" "svcacct[ NOTFOUND = return ]files"
checked "svcacct[ NOTFOUND = return ]files: parsed as glibc does" 1 \
	"role 'deploy': another NSS source also has a group 'deploy' \(GID 4720\)"
restore
# an initgroups line of its own: memberships through it
nss "files svcacct" "files svcacct"
echo "initgroups: svcacct files" >>/etc/nsswitch.conf
sed -i 's/^svtest-admins:x:4711:$/svtest-admins:x:4711:bot/' /etc/group
checked "initgroups: svcacct files: the membership still found" 1 \
	"account 'bot' is a member of group 'svtest-admins'" ", 1 problem\(s\)$"
nss "files svcacct" "files svcacct"
restore
checked "back to files svcacct, all restored: 0 problems" 0 ", 0 problem\(s\)$"

# the lookup indexes and the generation word
G=$T/db/$(readlink "$T/db/current")
gen0=$(readlink "$T/db/current")
cp -p "$G/accounts.idx" "$T/idx.good"
# one byte of a record changed: the header holds, the data checksum not
python3 - "$G/accounts.idx" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[-1] ^= 0xff
open(p, "wb").write(b)
PY
checked "a record of accounts.idx changed: check says so" 1 \
	"accounts.idx: its checksum does not match .*--repair-index"
rm "$G/accounts.idx"
checked "accounts.idx missing: check says so" 1 "accounts.idx: missing"
printf '\0\0\0\0\0\0\0\0' | dd of="$T/db/generation" bs=8 count=1 conv=notrunc status=none
checked "the generation word naming another generation: check says so" 1 \
	"generation names generation 0, current is"
expect_rc "check --repair-index as a user: refused, saying it needs root" 1 'needs root' \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$SVCACCT_CLI" --conf "$CONF" check --repair-index
expect_eq "... and nothing published" "$gen0" "$(readlink "$T/db/current")"
run cli check --repair-index
expect_eq "check --repair-index: exit 0" "0" "$RC"
expect_match "... rebuilt as a new generation" "^rebuilt the lookup indexes: generation" "$OUT"
expect_match "... and the check that follows finds nothing" ", 0 problem\(s\)$" "$OUT"
expect_eq "... a new generation" "no" "$([ "$(readlink "$T/db/current")" = "$gen0" ] && echo yes || echo no)"
done_testing
