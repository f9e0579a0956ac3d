#!/bin/bash
# SPDX-License-Identifier: MIT
# An account's allowed login methods end to end with Debian's real sshd and
# sudo: an account that allows only its secret (--methods secret) gets no
# key from svcacct authorized-keys, so sshd never accepts its ssh key, and
# the key is refused by the session phase (reason=method_not_allowed) when
# sshd finds it some other way (an AuthorizedKeysFile); its secret logs in
# by keyboard-interactive. With --methods sshkey, the other way round. sudo
# -u from root (another module authenticated: method "other") is never
# restricted.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/e2e/lib.sh"
e2e_need_sshd
need sudo '[ -u /usr/bin/sudo ]'
e2e_start "$@"

PORT=2251  # the documented configuration
PORT2=2252 # keys also from a file: sshd tries the key, pam_svcacct decides
e2e_sshd_prepare "$PORT"
e2e_pam_sudo "$E2E_PAM"
e2e_sshd_akf_config "$PORT2"

S role create keyed --services sshd,sudo --from 127.0.0.0/8,local \
	--command "/usr/bin/id -un" >/dev/null
S account create pk --role keyed --methods secret >/dev/null
C=$T/client
mkdir -m 700 "$C" "$C/run"
ssh-keygen -q -t ed25519 -N '' -f "$C/k1"
K1=$(S --json sshkey add pk --pubkey "$C/k1.pub" | sed -n 's/.*"id": *"\([0-9a-f]*\)".*/\1/p')
S secret add pk >"$C/pk.secret"
chmod 600 "$C/pk.secret"
cut -d' ' -f1,2 "$C/k1.pub" >"/mnt/akf/pk"
chmod 644 "/mnt/akf/"*

e2e_sshd_run "$T/sshd_config" "$T/sshd.pid" && e2e_sshd_run "$T/sshd_config2" "$T/sshd2.pid" ||
	{ tap_notok "sshd started"; cat "$T"/sshd_config*.log; done_testing; exit 1; }
SSHD_PID=$(cat "$T/sshd.pid")
tap_ok "two sshd started"
trap 'kill $(cat "$T/sshd2.pid" 2>/dev/null) 2>/dev/null; e2e_cleanup' EXIT

key_login() { e2e_key_login "$@"; } # PORT USER KEY
kbd_login() { e2e_kbd_login "$1" "$2" SVCACCT_TOKEN_FILE="$3"; } # PORT USER TOKENFILE
served() {
	setpriv --reuid="$KEYS_USER" --regid="$KEYS_USER" --clear-groups \
		"$BIN/svcacct" authorized-keys pk "$(id -u pk)"
}

# ------------------------------------------------------------ --methods secret
expect_eq "secret only: authorized-keys serves no key" "" "$(served)"
expect_eq "secret only: the ssh key does not log in (AuthorizedKeysCommand)" "" "$(key_login $PORT pk "$C/k1")"
expect_nomatch "... sshd never accepted it" "Accepted publickey for pk" "$(cat "$T/sshd_config.log")"
expect_eq "secret only: the key found in sshd's file does not log in either" "" "$(key_login $PORT2 pk "$C/k1")"
ok_cmd "audit: method_not_allowed, with the key's id" \
	log_has "event=(account|session-open) result=deny account=pk credential=$K1 .*reason=method_not_allowed"
expect_eq "secret only: the secret logs in (keyboard-interactive)" "pk" "$(kbd_login $PORT pk "$C/pk.secret")"
ok_cmd "audit: the secret's login" log_has "event=auth result=allow account=pk .*method=secret"
expect_eq "secret only: sudo -u pk from root (method other) is not restricted" "pk" \
	"$(sudo -u pk /usr/bin/id -un 2>/dev/null)"

# ------------------------------------------------------------ --methods sshkey
S account set pk --methods sshkey >/dev/null
expect_match "sshkey only: authorized-keys serves the key" "$(cut -d' ' -f2 "$C/k1.pub" | sed 's/[+/]/./g')" "$(served)"
expect_eq "sshkey only: the ssh key logs in" "pk" "$(key_login $PORT pk "$C/k1")"
ok_cmd "audit: the session names the key" log_has "event=session-open result=ok account=pk credential=$K1 method=sshkey"
expect_eq "sshkey only: the secret does not log in" "" "$(kbd_login $PORT pk "$C/pk.secret")"
ok_cmd "audit: the secret refused for its method" \
	log_has "event=auth result=deny account=pk .*reason=method_not_allowed method=secret"

# ------------------------------------------------------------ all again
S account set pk --methods all >/dev/null
expect_eq "all: the ssh key logs in" "pk" "$(key_login $PORT pk "$C/k1")"
expect_eq "all: the secret logs in" "pk" "$(kbd_login $PORT pk "$C/pk.secret")"
done_testing
