#!/bin/bash
# SPDX-License-Identifier: MIT
# An account's allowed login methods (account create/set --methods) through
# real Linux-PAM: a client secret, a client assertion, a trusted issuer's
# token and sshd's public key (account and session phases, as OpenSSH 9.2
# exposes it) are each refused with reason=method_not_allowed when the
# account does not allow that method, and accepted when it does. A login
# that another module authenticated (method "other": sudo -u, runuser) is
# not a credential method and is never restricted. svcacct verify and
# authorized-keys give the same answer.
. "$top_srcdir/tests/pam/lib.sh"
. "$top_srcdir/tests/issuer/lib.sh"

S role create deployers --services sshd,sudo --from 127.0.0.0/8,local >/dev/null
S account create bot --role deployers >/dev/null
S account create bot2 --role deployers --methods secret >/dev/null
pam_service sshd
pam_service sudo
SECRET=$(S secret add bot)
SECRET2=$(S secret add bot2)
keygen k256 P-256
S key add bot --pem "$T/k256.pub" --kid k256 --alg ES256 >/dev/null
ssh-keygen -q -t ed25519 -N '' -C bot-key -f "$T/sk1" >/dev/null
S sshkey add bot --pubkey "$T/sk1.pub" >/dev/null
info() { echo "SSH_AUTH_INFO_0=publickey $(cut -d' ' -f1,2 "$1")"; }

KC_AUD=$AUD
kc_key kcenc
kc_key kc1
kc_jwks "$T/jwks.json" kc1:kid1
S issuer add kc --issuer "$KC_ISS" --jwks "$T/jwks.json" --audience "$AUD" \
	--client-claim azp >/dev/null
S issuer map kc --client deploy-client --account bot >/dev/null
IT() { K --key "$T/kc1.key" --kid kid1 --jti "m-$RANDOM-$RANDOM"; }
A() { M --key "$T/k256.key" --kid k256 --jti "m-$RANDOM-$RANDOM"; }

# every method by default, as before the setting existed
expect_eq "default: show --json lists every method" "assertion,issuer,secret,sshkey" \
	"$(S --json account show bot | python3 -c 'import json,sys; print(",".join(sorted(json.load(sys.stdin)["methods"])))')"
check "default: secret accepted" auth=PAM_SUCCESS ok -s sshd -u bot -n -r 127.0.0.1 -p "$SECRET"
check "default: assertion accepted" auth=PAM_SUCCESS ok -s sshd -u bot -n -r 127.0.0.1 -p "$(A)"
check "default: issuer token accepted" auth=PAM_SUCCESS ok -s sshd -u bot -n -r 127.0.0.1 -p "$(IT)"
check "default: ssh key accepted" acct=PAM_SUCCESS ok -s sshd -u bot -A -r 127.0.0.1 -E "$(info "$T/sk1.pub")"

# assertions only
ok_cmd "account set --methods assertion" S account set bot --methods assertion
check "assertion only: secret refused" auth=PAM_AUTH_ERR method_not_allowed -s sshd -u bot -n -r 127.0.0.1 -p "$SECRET"
expect_match "... logged with its method and credential" \
	"event=auth result=deny account=bot credential=${SECRET:5:16} service=sshd rhost=127.0.0.1 reason=method_not_allowed method=secret" \
	"$(grep 'event=auth result=deny' "$LOG" | tail -1)"
check "assertion only: another account's secret keeps its own reason" auth=PAM_AUTH_ERR wrong_account \
	-s sshd -u bot -n -p "$SECRET2"
check "assertion only: assertion accepted" auth=PAM_SUCCESS ok -s sshd -u bot -n -r 127.0.0.1 -p "$(A)"
check "assertion only: issuer token refused" auth=PAM_AUTH_ERR method_not_allowed -s sshd -u bot -n -r 127.0.0.1 -p "$(IT)"
expect_match "... logged as method issuer" "reason=method_not_allowed method=issuer" \
	"$(grep 'event=auth result=deny' "$LOG" | tail -1)"
check "assertion only: ssh key refused in the account phase" acct=PAM_PERM_DENIED method_not_allowed \
	-s sshd -u bot -A -r 127.0.0.1 -E "$(info "$T/sk1.pub")"
check "assertion only: ssh key named only in the session: no session" session=PAM_PERM_DENIED method_not_allowed \
	-s sshd -u bot -A -r 127.0.0.1 -E "SSH_AUTH_INFO_0=" -S "$(info "$T/sk1.pub")"
check "assertion only: sudo -u bot by root (method other) is not restricted" acct=PAM_SUCCESS ok \
	-s sudo -u bot -A
expect_match "... method other" "env SVCACCT_METHOD=other" "$LAST_OUT"
expect_eq "assertion only: authorized-keys serves no key" "" "$(S authorized-keys bot)"
run S verify bot <<<"$SECRET"
expect_eq "assertion only: verify refuses the secret" 1 "$RC"
expect_match "... with reason method_not_allowed" "^refused: account=bot method=secret .*reason=method_not_allowed" "$OUT"

# a token refused for its method is not spent: it logs in once allowed
TOK=$(IT)
check "issuer token refused for its method" auth=PAM_AUTH_ERR method_not_allowed -s sshd -u bot -n -p "$TOK"
ok_cmd "account set --methods assertion,issuer" S account set bot --methods assertion,issuer
check "... the same token logs in once the method is allowed" auth=PAM_SUCCESS ok -s sshd -u bot -n -r 127.0.0.1 -p "$TOK"
check "assertion,issuer: secret still refused" auth=PAM_AUTH_ERR method_not_allowed -s sshd -u bot -n -p "$SECRET"

# secrets only (bot2 was created so), and ssh keys only
check "secret only (create --methods): secret accepted" auth=PAM_SUCCESS ok -s sshd -u bot2 -n -r 127.0.0.1 -p "$SECRET2"
S account set bot --methods secret >/dev/null
check "secret only: assertion refused" auth=PAM_AUTH_ERR method_not_allowed -s sshd -u bot -n -p "$(A)"
expect_match "... logged as method assertion" "reason=method_not_allowed method=assertion" \
	"$(grep 'event=auth result=deny' "$LOG" | tail -1)"
run S verify bot <<<"$(A)"
expect_match "secret only: verify refuses the assertion" "^refused: account=bot method=assertion .*reason=method_not_allowed" "$OUT"
check "secret only: secret accepted" auth=PAM_SUCCESS ok -s sshd -u bot -n -r 127.0.0.1 -p "$SECRET"
S account set bot --methods sshkey >/dev/null
check "sshkey only: ssh key accepted" acct=PAM_SUCCESS ok -s sshd -u bot -A -r 127.0.0.1 -E "$(info "$T/sk1.pub")"
if S authorized-keys bot | grep -qF -- "$(cut -d' ' -f2 "$T/sk1.pub")"; then
	tap_ok "sshkey only: authorized-keys serves the key"
else
	tap_notok "sshkey only: authorized-keys serves the key"
fi
check "sshkey only: secret refused" auth=PAM_AUTH_ERR method_not_allowed -s sshd -u bot -n -p "$SECRET"

# back to every method
ok_cmd "account set --methods all" S account set bot --methods all
expect_eq "all: show --json lists every method again" "assertion,issuer,secret,sshkey" \
	"$(S --json account show bot | python3 -c 'import json,sys; print(",".join(sorted(json.load(sys.stdin)["methods"])))')"
check "all: secret accepted" auth=PAM_SUCCESS ok -s sshd -u bot -n -r 127.0.0.1 -p "$SECRET"
check "all: issuer token accepted" auth=PAM_SUCCESS ok -s sshd -u bot -n -r 127.0.0.1 -p "$(IT)"
done_testing
