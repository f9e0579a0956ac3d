#!/bin/bash
# Rotation and last use through real Linux-PAM (the harness): a login
# records the credential's last use, which secret, key and sshkey list
# show (an OpenSSH key's from the account or the session phase of sshd's
# login, which auth never sees); a rotated secret or key logs in at once,
# the old one until its grace ends and not from then on (--grace 0: not at
# all); export and import keep the rotated keys' state. The module's and
# the CLI's clocks are pinned with the fixclock shim (FIXCLOCK_NOW), so
# each boundary is checked to the second without waiting.
. "$top_srcdir/tests/pam/lib.sh"
pam_fixclock
setup_store
OK=auth=PAM_SUCCESS
E=auth=PAM_AUTH_ERR
# SAT NOW ARGS...: svcacct with its clock at NOW
SAT() { local now=$1; shift; FIXCLOCK_NOW=$now LD_PRELOAD="${SANRT:+$SANRT }$FIX" S "$@"; }
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
# last_used LIST-VERB ID: that credential's last_used in the list's JSON
last_used() {
	S --json "$1" list bot | /usr/bin/python3 -c '
import json, sys
print(json.dumps([c.get("last_used", "absent") for c in json.load(sys.stdin) if c["id"] == sys.argv[1]]))' "$2"
}
ids() { /usr/bin/python3 -c 'import json,sys; print(" ".join(sorted(c["id"] for c in json.load(sys.stdin))))'; }
# key_at NOW KID DESC WANT REASON: check a login over sshd with an
# assertion of bot's ES256 key KID minted at NOW, the module's clock at NOW
key_at() {
	at "$1" "$3" "$4" "$5" -s sshd -u bot -r 127.0.0.1 \
		-p "$(M --key "$T/$2.key" --alg ES256 --kid "$2" --now "$1")"
}
T0=$(($(date +%s) + 1000))

# ---- last use of a secret
S1=$(SAT $T0 secret add bot --label ci --expires 30d)
ID1=${S1:5:16}
expect_eq "a new secret: last_used null" "[null]" "$(last_used secret "$ID1")"
expect_match "... LAST USED never" "^$ID1 .* never +ci$" "$(S secret list bot)"
at $((T0 + 10)) "secret login" $OK ok -s sshd -u bot -r 127.0.0.1 -p "$S1"
expect_eq "after the login: last_used is its time" "[$((T0 + 10))]" "$(last_used secret "$ID1")"
expect_match "... LAST USED shows it" "^$ID1 .* $(iso $((T0 + 10))) +ci$" "$(S secret list bot)"
at $((T0 + 20)) "a refused login (wrong secret)" $E "" -s sshd -u bot -r 127.0.0.1 -p "${S1:0:70}0000"
expect_eq "a refused login is no use" "[$((T0 + 10))]" "$(last_used secret "$ID1")"
# --unused: the secret of setup_store was never used and is older than T0;
# ID1 was used at T0 + 10
expect_eq "--unused 1h an hour after its use: the used one listed too" \
	"$(S --json secret list bot | ids)" "$(SAT $((T0 + 10 + 3600)) --json secret list bot --unused 1h | ids)"
expect_eq "--unused 1h a second earlier: only the never used, older one" \
	"${SECRET:5:16}" "$(SAT $((T0 + 10 + 3599)) --json secret list bot --unused 1h | ids)"

# ---- last use of an assertion key
key_at $((T0 + 30)) k256 "assertion login" $OK ok
K256=$(S --json key list bot | /usr/bin/python3 -c 'import json,sys; print([c["id"] for c in json.load(sys.stdin) if c["kid"] == "k256"][0])')
expect_eq "assertion: the key's last_used" "[$((T0 + 30))]" "$(last_used key "$K256")"
expect_match "... key list LAST USED" "^$K256 +k256 .* $(iso $((T0 + 30))) +$" "$(S key list bot)"

# ---- last use of an OpenSSH key: sshd authenticates it, pam_svcacct
# sees it in the account phase (SSH_AUTH_INFO_0 names the key) or only in
# the session phase (sshd names it late)
ssh-keygen -q -t ed25519 -N '' -C bot-key -f "$T/sk1" >/dev/null
ssh-keygen -q -t ed25519 -N '' -C bot-key2 -f "$T/sk2" >/dev/null
SK1=$(S --json sshkey add bot --pubkey "$T/sk1.pub" | sed -n 's/.*"id": *"\([0-9a-f]*\)".*/\1/p')
SK2=$(S --json sshkey add bot --pubkey "$T/sk2.pub" | sed -n 's/.*"id": *"\([0-9a-f]*\)".*/\1/p')
info() { echo "SSH_AUTH_INFO_0=publickey $(cut -d' ' -f1,2 "$1")"; }
expect_eq "an ssh key never used: last_used null" "[null]" "$(last_used sshkey "$SK1")"
at $((T0 + 40)) "ssh key login: the account phase names the key" acct=PAM_SUCCESS ok -s sshd -u bot -A -r 127.0.0.1 -E "$(info "$T/sk1.pub")"
expect_eq "ssh key login (account phase): last_used recorded" "[$((T0 + 40))]" "$(last_used sshkey "$SK1")"
expect_match "... sshkey list LAST USED" "^$SK1 .* $(iso $((T0 + 40))) +bot-key$" "$(S sshkey list bot)"
at $((T0 + 50)) "ssh key login: the key named in the session phase only" session=PAM_SUCCESS ok -s sshd -u bot -A -r 127.0.0.1 \
	-E "SSH_AUTH_INFO_0=" -S "$(info "$T/sk2.pub")"
expect_eq "ssh key login (session phase): last_used recorded" "[$((T0 + 50))]" "$(last_used sshkey "$SK2")"
ssh-keygen -q -t ed25519 -N '' -C stranger -f "$T/sk3" >/dev/null
at $((T0 + 60)) "ssh key login: a key that is not the account's" acct=PAM_PERM_DENIED unknown_key -s sshd -u bot -A -r 127.0.0.1 \
	-E "$(info "$T/sk3.pub")"
expect_eq "... records nothing" "[$((T0 + 40))] [$((T0 + 50))]" "$(last_used sshkey "$SK1") $(last_used sshkey "$SK2")"
expect_eq "sshkey list --unused 1h, an hour after the first use: that key" \
	"$SK1" "$(SAT $((T0 + 40 + 3600)) --json sshkey list bot --unused 1h | ids)"

# ---- secret rotation with a grace period
T1=$((T0 + 1000))
S2=$(SAT $T1 secret rotate bot "$ID1" --grace 1h)
ID2=${S2:5:16}
expect_match "secret rotate prints the new secret" '^svcs_[0-9a-f]{16}_' "$S2"
at $((T1 + 10)) "rotated: the new secret logs in" $OK ok -s sshd -u bot -r 127.0.0.1 -p "$S2"
expect_match "... as its own credential" "env SVCACCT_CREDENTIAL=$ID2" "$LAST_OUT"
at $((T1 + 3599)) "rotated: the old secret still logs in, the grace's last second" $OK ok -s sshd -u bot -r 127.0.0.1 -p "$S1"
at $((T1 + 3600)) "rotated: the old secret refused when the grace ends" $E credential_expired -s sshd -u bot -r 127.0.0.1 -p "$S1"
at $((T1 + 3600)) "rotated: the new secret still logs in then" $OK ok -s sshd -u bot -r 127.0.0.1 -p "$S2"
expect_eq "the new secret's last use" "[$((T1 + 3600))]" "$(last_used secret "$ID2")"
expect_eq "the old secret's last use: the last second of its grace" "[$((T1 + 3599))]" "$(last_used secret "$ID1")"

# ---- --grace 0: the old secret stops at once
T2=$((T0 + 2000))
S3=$(SAT $T2 secret rotate bot "$ID2" --grace 0)
at $T2 "--grace 0: the old secret refused at once" $E credential_expired -s sshd -u bot -r 127.0.0.1 -p "$S2"
at $T2 "--grace 0: the new one logs in" $OK ok -s sshd -u bot -r 127.0.0.1 -p "$S3"
# refusals change nothing: the old secret still works until its grace ends
S=$(SAT $T2 secret rotate bot ffffffffffffffff 2>&1)
expect_match "rotate of an unknown id: refused" "has no secret 'ffffffffffffffff'" "$S"
S=$(SAT $T2 secret rotate bot "$ID1" --grace 1x 2>&1)
expect_match "rotate with a bad --grace: refused" "bad --grace '1x'" "$S"
S=$(SAT $T2 secret rotate bot2 "$ID1" 2>&1)
expect_match "rotate of another account's secret: refused" "account 'bot2' has no secret '$ID1'" "$S"
at $((T2 + 10)) "bot2 cannot log in with bot's secret" $E "" -s sshd -u bot2 -r 127.0.0.1 -p "$S3"

# ---- key rotation
keygen knew P-256
T3=$((T0 + 3000))
SAT $T3 key rotate bot k256 --pem "$T/knew.pub" --kid knew --grace 1h >/dev/null
key_at $((T3 + 10)) knew "rotated key: the new key's assertions accepted" $OK ok
key_at $((T3 + 3599)) k256 "rotated key: the old key's accepted until its grace ends" $OK ok
key_at $((T3 + 3600)) k256 "rotated key: the old key's refused from then on" $E credential_expired
KNEW=$(S --json key list bot | /usr/bin/python3 -c 'import json,sys; print([c["id"] for c in json.load(sys.stdin) if c["kid"] == "knew"][0])')
expect_eq "the new key's last use" "[$((T3 + 10))]" "$(last_used key "$KNEW")"

# ---- export and import keep the rotated state: in a second store, the
# old key still works until its grace ends and the new one works
S export >"$T/export.json"
sed -i "s|$T/db|$T/db2|; s|$T/state|$T/state2|" "$T/c.conf"
pam_nss_store "$T/c.conf"
S import "$T/export.json" >/dev/null
expect_eq "imported: knew and k256 with their expiries" \
	"k256 $(iso $((T3 + 3600))) knew never" \
	"$(S --json key list bot | /usr/bin/python3 -c '
import json, sys
print(" ".join("%s %s" % (c["kid"], c["expires"]) for c in sorted(json.load(sys.stdin), key=lambda c: c["kid"]) if c["kid"] in ("k256", "knew")))')"
key_at $((T3 + 3599)) k256 "imported: the old key works until its grace ends" $OK ok
key_at $((T3 + 3600)) k256 "imported: ... and not from then on" $E credential_expired
key_at $((T3 + 3600)) knew "imported: the new key works" $OK ok
done_testing
