#!/bin/bash
# SPDX-License-Identifier: MIT
# Revoked stays revoked and identity is the UID, end to end with Debian's
# real sshd, sudo, su and runuser:
#   - an ssh key removed (or its account deleted) never logs in again:
#     not after a rollback, not with `current` pointed by hand at a
#     generation that still holds it, not when sshd finds it some other
#     way (an AuthorizedKeysFile): the account phase refuses it; and an
#     import or apply of the key again is refused unless forced;
#   - the key of a public-key login is named to the session phase by
#     sshd's SSH_AUTH_INFO_0 (empty in the account phase, with or without
#     ExposeAuthInfo), which audits it;
#   - a files user with a service account's name gets nothing of the
#     account: not its keys from authorized-keys, not a login with its
#     key, secret or assertion, not through su, sudo or runuser.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/e2e/lib.sh"
e2e_need_sshd
need sudo '[ -u /usr/bin/sudo ]'
e2e_start "$@"

PORT=2241  # the documented configuration
PORT2=2242 # keys also from a file: the account phase is the last check
PORT3=2243 # without ExposeAuthInfo: SSH_AUTH_INFO_0 is set all the same
e2e_sshd_prepare "$PORT"
e2e_pam_sudo "$E2E_PAM"
for s in su runuser; do
	{
		echo "auth     sufficient pam_rootok.so"
		e2e_pam_lines "$E2E_PAM"
		echo "session  required pam_unix.so"
	} >"$T/etc/pam.d/$s"
done
e2e_sshd_akf_config "$PORT2"
e2e_sshd_config "$PORT3" | sed -e "s|^PidFile .*|PidFile $T/sshd3.pid|" \
	-e '/^ExposeAuthInfo/d' >"$T/sshd_config3"

S role create keyed --services sshd,sudo,su,runuser --from 127.0.0.0/8,local \
	--command "/usr/bin/id -un" >/dev/null
S account create pk --role keyed >/dev/null
S account create twin --role keyed >/dev/null
# twin's name belongs to a files user too (a hand edit, or an LDAP user
# created later); files come first
echo "twin:x:1500:1500:a person:$T/home/twin:/bin/sh" >>"$T/etc/passwd"
echo "twin:x:1500:" >>"$T/etc/group"
# a sudo rule by name: what the files user could run had sudo taken the
# account's secret for its own
echo "twin ALL=(root) /usr/bin/id" >>"$T/etc/sudoers"
mkdir -p "$T/home/twin" && chown 1500:1500 "$T/home/twin"
C=$T/client
mkdir -m 700 "$C" "$C/run"
ssh-keygen -q -t ed25519 -N '' -f "$C/k1"
ssh-keygen -q -t ed25519 -N '' -f "$C/k2"
K1=$(S --json sshkey add pk --pubkey "$C/k1.pub" | sed -n 's/.*"id": *"\([0-9a-f]*\)".*/\1/p')
S sshkey add twin --pubkey "$C/k2.pub" >/dev/null
S secret add twin >"$C/twin.secret"
"$BIN/svcacct-assert" keygen --out "$C/es.key" >"$C/es.pub"
S key add twin --pem "$C/es.pub" >/dev/null
# sshd's second way in: a root-owned file per user
cut -d' ' -f1,2 "$C/k1.pub" >"/mnt/akf/pk"
cut -d' ' -f1,2 "$C/k2.pub" >"/mnt/akf/twin"
chmod 644 "/mnt/akf/"*

e2e_sshd_run "$T/sshd_config" "$T/sshd.pid" && e2e_sshd_run "$T/sshd_config2" "$T/sshd2.pid" &&
	e2e_sshd_run "$T/sshd_config3" "$T/sshd3.pid" ||
	{ tap_notok "sshd started"; cat "$T"/sshd_config*.log; done_testing; exit 1; }
SSHD_PID=$(cat "$T/sshd.pid")
tap_ok "three sshd started"
trap 'kill $(cat "$T/sshd2.pid" "$T/sshd3.pid" 2>/dev/null) 2>/dev/null; e2e_cleanup' EXIT

key_login() { e2e_key_login "$@"; } # PORT USER KEY
# kbd_login PORT USER [TOKENFILE]: the secret in TOKENFILE, or without it
# an assertion signed with the key es.key
kbd_login() { e2e_kbd_login "$1" "$2" SVCACCT_KEY="$C/es.key" ${3:+"SVCACCT_TOKEN_FILE=$3"}; }
gen() { readlink "$T/db/current" | sed 's/^gen-0*//'; }
# revoked_unless_forced VERB FILE REFUSED FORCED AGAIN: S VERB FILE, which
# carries pk's revoked key k1, exits 1 (check REFUSED) and k1 still does
# not log in; with --allow-revoked-keys it exits 0 (FORCED) and k1 logs
# in again (AGAIN).
revoked_unless_forced() {
	local verb="$1" file="$2"
	run S "$verb" "$file"
	expect_eq "$3" "1" "$RC"
	expect_eq "... the key does not log in" "" "$(key_login $PORT pk "$C/k1")"
	run S "$verb" --allow-revoked-keys "$file"
	expect_eq "$4" "0" "$RC"
	expect_eq "$5" "pk" "$(key_login $PORT pk "$C/k1")"
}

# ------------------------------------------------------------ revocation
expect_eq "ssh key login (AuthorizedKeysCommand)" "pk" "$(key_login $PORT pk "$C/k1")"
expect_eq "ssh key login (AuthorizedKeysFile too)" "pk" "$(key_login $PORT2 pk "$C/k1")"
ok_cmd "audit: the account phase knows it is a key (sshd names it later)" \
	log_has "event=account result=allow account=pk credential=- .*method=sshkey"
ok_cmd "audit: the session names the key" log_has "event=session-open result=ok account=pk credential=$K1 method=sshkey"
G0=$(gen)
S export >"$T/e0.json"
S sshkey remove pk "$K1" >/dev/null
expect_eq "removed key: refused" "" "$(key_login $PORT pk "$C/k1")"
S rollback "$G0" >/dev/null
expect_eq "rollback to the generation that held it: still refused" "" "$(key_login $PORT pk "$C/k1")"
expect_eq "... not served by authorized-keys" "" \
	"$(setpriv --reuid=$KEYS_USER --regid=$KEYS_USER --clear-groups "$BIN/svcacct" authorized-keys pk "$(id -u pk)")"
expect_eq "... refused when sshd finds it in a file: the account phase" "" "$(key_login $PORT2 pk "$C/k1")"
ok_cmd "audit: unknown_key (the generation holds no such key)" log_has "event=session-open result=deny account=pk .*reason=unknown_key"
# `current` pointed by hand at the generation that holds the key, the
# newer ones moved away (a restore from a backup)
ln -sfn "gen-$(printf %010d "$G0")" "$T/db/current"
mkdir -p "$T/moved"
for g in "$T"/db/gen-*; do
	[ "$(basename "$g" | sed 's/^gen-0*//')" -gt "$G0" ] && mv "$g" "$T/moved/"
done
expect_eq "a generation that still holds the revoked key: refused" "" "$(key_login $PORT pk "$C/k1")"
expect_eq "... through the file as well: the account phase" "" "$(key_login $PORT2 pk "$C/k1")"
ok_cmd "audit: revoked" log_has "event=session-open result=deny account=pk credential=$K1 .*reason=revoked"
# the next change leaves the revoked key out of the generation it publishes
S role create nudge >/dev/null
expect_nomatch "the next change publishes a generation without it" "$K1" "$(S sshkey list pk)"
# import and apply of the revoked key, refused unless forced
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); json.dump({'format': d['format'], 'version': 1, 'sshkeys': [k for k in d['sshkeys'] if k['account'] == 'pk']}, open(sys.argv[2], 'w'))" \
	"$T/e0.json" "$T/imp.json"
revoked_unless_forced import "$T/imp.json" "import of the revoked key: refused" \
	"import --allow-revoked-keys: taken" "... and it logs in again, under a new id"
# apply of a manifest that still declares a key removed since
S export --manifest >"$T/m.json"
S sshkey remove pk "$(S --json sshkey list pk | python3 -c 'import json,sys; print([k["id"] for k in json.load(sys.stdin) if k["status"] == "active"][0])')" >/dev/null
expect_eq "removed again: refused" "" "$(key_login $PORT pk "$C/k1")"
revoked_unless_forced apply "$T/m.json" "apply of a manifest with the revoked key: refused" \
	"apply --allow-revoked-keys: applied" "... and the key logs in again"
# account deleted, then rolled back
G1=$(gen)
S account delete pk >/dev/null
S rollback "$G1" >/dev/null
expect_match "deleted account, rolled back: the account is back" "^pk:" "$(getent passwd pk)"
expect_eq "... its key is not" "" "$(key_login $PORT pk "$C/k1")"
expect_eq "... not through the file either" "" "$(key_login $PORT2 pk "$C/k1")"
# a key the store never had, in sshd's file
ssh-keygen -q -t ed25519 -N '' -f "$C/k3"
cut -d' ' -f1,2 "$C/k3.pub" >"/mnt/akf/pk"
expect_eq "a key only in sshd's file: refused by the account phase" "" "$(key_login $PORT2 pk "$C/k3")"

# ------------------------------------------------------------ ExposeAuthInfo
K3=$(S --json sshkey add pk --pubkey "$C/k3.pub" | sed -n 's/.*"id": *"\([0-9a-f]*\)".*/\1/p')
expect_eq "a registered key logs in" "pk" "$(key_login $PORT pk "$C/k3")"
expect_eq "without ExposeAuthInfo too (sshd sets SSH_AUTH_INFO_0 for PAM)" "pk" "$(key_login $PORT3 pk "$C/k3")"
ok_cmd "... and the session names the key" log_has "event=session-open result=ok account=pk credential=$K3 method=sshkey"

# ------------------------------------------------------------ identity
expect_eq "NSS: twin is the files user" "1500" "$(id -u twin)"
expect_nomatch "NSS: the files user has none of the account's groups" "svcacct|keyed" "$(id -Gn twin)"
expect_eq "authorized-keys serves nothing for UID 1500" "" \
	"$(setpriv --reuid=$KEYS_USER --regid=$KEYS_USER --clear-groups "$BIN/svcacct" authorized-keys twin 1500 2>/dev/null)"
expect_eq "the account's ssh key does not log the files user in" "" "$(key_login $PORT twin "$C/k2")"
expect_eq "... not through sshd's file either: the account phase" "" "$(key_login $PORT2 twin "$C/k2")"
ok_cmd "audit: identity_mismatch (account)" log_has "event=account result=deny account=twin .*reason=identity_mismatch"
expect_eq "the account's secret does not log the files user in" "" "$(kbd_login $PORT twin "$C/twin.secret")"
ok_cmd "audit: identity_mismatch (auth)" log_has "event=auth result=deny account=twin .*reason=identity_mismatch"
expect_eq "nor its assertion" "" "$(kbd_login $PORT twin)"
# su and runuser from root: no authentication, the account phase decides
expect_eq "su to the genuine account works" "pk" "$(su -s /bin/sh pk -c '/usr/bin/id -un' </dev/null 2>/dev/null)"
run su -s /bin/sh twin -c /usr/bin/id
expect_eq "su to the files user with an account's name: refused" "1" "$RC"
expect_eq "runuser to the genuine account works" "pk" "$(runuser -u pk -- /usr/bin/id -un 2>/dev/null)"
run runuser -u twin -- /usr/bin/id
expect_eq "runuser to the same-named files user: refused" "1" "$RC"
ok_cmd "audit: identity_mismatch (runuser: no account phase, the session refuses)" log_has "event=session-open result=deny account=twin .*service=runuser .*reason=identity_mismatch"
# sudo: root to the account (setcred and session for it), and the files
# user authenticating with the account's secret
expect_eq "sudo -u pk (root): setcred and session for the account" "pk" "$(sudo -u pk /usr/bin/id -un 2>/dev/null)"
run sudo -u twin /usr/bin/id -un
expect_eq "sudo -u twin (root): refused at setcred/session" "1" "$RC"
ok_cmd "audit: identity_mismatch (sudo session)" log_has "account=twin .*service=sudo .*reason=identity_mismatch"
run setpriv --reuid=twin --regid=twin --clear-groups --reset-env sudo -S -p '' /usr/bin/id <"$C/twin.secret"
expect_eq "sudo by the files user with the account's secret: refused" "1" "$RC"
done_testing
