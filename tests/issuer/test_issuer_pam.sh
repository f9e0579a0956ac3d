#!/bin/bash
# SPDX-License-Identifier: MIT
# Trusted issuers through real Linux-PAM (pam_start_confdir harness):
# access tokens shaped exactly like Keycloak's service-account tokens,
# minted by jwcrypto, accepted; every refusal of the issue with its PAM code
# and logged reason; roles narrowed by the IdP's mapped roles; token in
# parts; rotation by a new cached set; every token single-use, with or
# without a jti.
. "$top_srcdir/tests/pam/lib.sh"
. "$top_srcdir/tests/issuer/lib.sh"

S role create deployers --services sshd,sudo --from 127.0.0.0/8,local >/dev/null
S role create readers --services sshd --from 127.0.0.0/8,local >/dev/null
S role create ops --services sshd --from 127.0.0.0/8,local >/dev/null
S account create deploy --role deployers --role readers >/dev/null
S account create other --role deployers >/dev/null
pam_service sshd
pam_service sudo

kc_key kcenc
kc_key kc1
kc_key kc2
kc_ec_key kcec P-256
kc_key evil
KID1=pX3Gm5lY8tRkW0bq1vJc2nZ7hQe4sUaYdFiK9oLwT6M
KID2=Zr8uQ1nB3vXc5mT7kL9pW2sY4hG6jD0fA8eR1tU3iO5
kc_jwks "$T/jwks1.json" "kc1:$KID1" "kcec:ec-kid"
ok_cmd "issuer add (Keycloak-shaped JWKS file: enc key skipped)" \
	S issuer add kc --issuer "$KC_ISS" --jwks "$T/jwks1.json" --audience "$KC_AUD" \
	--client-claim azp --roles-claim realm_access.roles \
	--roles-claim 'resource_access.deploy-client.roles'
S issuer map kc --client deploy-client --account deploy >/dev/null
S issuer map kc --client other-client --account other >/dev/null
S issuer role-map kc deployer deployers >/dev/null
S issuer role-map kc reader readers >/dev/null
S issuer role-map kc admin ops >/dev/null

TOK=$(K --key "$T/kc1.key" --kid "$KID1" --realm-role deployer --client-role reader)
expect_match "a Keycloak-shaped token is longer than 1 KiB" '^1[0-9]{3}$' "${#TOK}"
check "Keycloak token accepted" auth=PAM_SUCCESS "ok" -s sshd -u deploy -r 127.0.0.1 -p "$TOK"
expect_match "account and session succeed" $'acct=PAM_SUCCESS' "$LAST_OUT"
expect_match "env method issuer" "env SVCACCT_METHOD=issuer" "$LAST_OUT"
expect_match "env roles: mapped n granted" "env SVCACCT_ROLES=deployers,readers" "$LAST_OUT"
line=$(grep 'event=auth result=allow' "$LOG" | tail -1)
expect_match "allow line names method and issuer" \
	"event=auth result=allow account=deploy .* reason=ok method=issuer roles=deployers,readers jti=[0-9a-f-]{36} issuer=kc\$" "$line"
if grep -qF -- "${TOK##*.}" "$LOG"; then tap_notok "no token in the log"; else tap_ok "no token in the log"; fi

check "only realm role deployer: roles narrowed to deployers" auth=PAM_SUCCESS "ok" -s sshd -u deploy -r 127.0.0.1 \
	-p "$(K --key "$T/kc1.key" --kid "$KID1" --realm-role deployer)"
expect_match "narrowed env roles" "env SVCACCT_ROLES=deployers$" "$LAST_OUT"
check "mapped role the account lacks (admin->ops) does not widen" auth=PAM_SUCCESS "ok" -s sshd -u deploy -r 127.0.0.1 \
	-p "$(K --key "$T/kc1.key" --kid "$KID1" --realm-role deployer --realm-role admin)"
expect_match "ops not effective" "env SVCACCT_ROLES=deployers$" "$LAST_OUT"
check "scope 'profile email' is the IdP's vocabulary, not intersected" auth=PAM_SUCCESS "ok" -s sshd -u deploy -n \
	-p "$(K --key "$T/kc1.key" --kid "$KID1" --realm-role deployer --scope "profile email")"
check "EC key of the set (ES256) accepted" auth=PAM_SUCCESS "ok" -s sshd -u deploy -n \
	-p "$(K --key "$T/kcec.key" --alg ES256 --kid ec-kid --realm-role deployer)"
check "header typ at+jwt accepted" auth=PAM_SUCCESS "ok" -s sshd -u deploy -n \
	-p "$(K --key "$T/kc1.key" --kid "$KID1" --typ at+jwt --realm-role deployer)"
check "header typ absent accepted" auth=PAM_SUCCESS "ok" -s sshd -u deploy -n \
	-p "$(K --key "$T/kc1.key" --kid "$KID1" --typ "" --realm-role deployer)"
check "aud as a single string accepted" auth=PAM_SUCCESS "ok" -s sshd -u deploy -n \
	-p "$(/usr/bin/python3 "$top_srcdir/tests/issuer/kcmint.py" token --iss "$KC_ISS" --aud "$KC_AUD" \
		--client deploy-client --key "$T/kc1.key" --kid "$KID1" --realm-role deployer)"
check "no kid: the key chosen by alg" auth=PAM_SUCCESS "ok" -s sshd -u deploy -n \
	-p "$(K --key "$T/kc1.key" --realm-role deployer)"
check "token in 511-byte parts (sudo)" auth=PAM_SUCCESS "ok" -s sudo -u deploy \
	-f <(K --key "$T/kc1.key" --kid "$KID1" --realm-role deployer) -k 510
check "token without jti accepted (jti where present)" auth=PAM_SUCCESS "ok" -s sshd -u deploy -n \
	-p "$(K --key "$T/kc1.key" --kid "$KID1" --realm-role deployer --no jti)"

# self-minted assertions are untouched by the issuer routing
keygen a256 P-256
S key add deploy --pem "$T/a256.pub" --kid a256 --alg ES256 >/dev/null
check "unscoped assertion beside issuers: accepted" auth=PAM_SUCCESS "ok" -s sshd -u deploy -r 127.0.0.1 \
	-p "$(M --account deploy --key "$T/a256.key" --kid a256)"
expect_match "unscoped assertion keeps every granted role" "env SVCACCT_ROLES=deployers,readers" "$LAST_OUT"
expect_match "unscoped assertion: method assertion" "env SVCACCT_METHOD=assertion" "$LAST_OUT"

# refusals: PAM code and reason
# refused_token DESC REASON K-ARG...: a token minted by K with the K-ARGs is
# refused over sshd (PAM_AUTH_ERR) with REASON logged.
refused_token() {
	local d="$1" reason="$2"
	shift 2
	check "$d" auth=PAM_AUTH_ERR "$reason" -s sshd -u deploy -n -p "$(K "$@")"
}
# the K-ARGs of a token kc1 signs under its kid, as rows spell them
kc1="--key|$T/kc1.key|--kid|$KID1"
refused_token "wrong iss refused" unknown_issuer \
	--key "$T/kc1.key" --kid "$KID1" --realm-role deployer --iss https://kc.test:8443/realms/other
check "wrong aud refused" auth=PAM_AUTH_ERR "bad_aud" -s sshd -u deploy -n \
	-p "$(/usr/bin/python3 "$top_srcdir/tests/issuer/kcmint.py" token --iss "$KC_ISS" --aud account \
		--aud svcacct:elsewhere --client deploy-client --key "$T/kc1.key" --kid "$KID1" --realm-role deployer)"
openssl rsa -in "$T/kc1.key" -pubout 2>/dev/null >"$T/kc1.pubpem"
each_row refused_token <<EOF
unmapped client refused|unmapped_client|--client|stranger|$kc1|--realm-role|deployer
client mapped to another account refused|client_other_account|--client|other-client|$kc1|--realm-role|deployer
no mapped role refused|no_mapped_role|$kc1
expired refused|expired|$kc1|--realm-role|deployer|--iat|-900|--exp|-600
unknown kid refused|unknown_kid|--key|$T/kc1.key|--kid|nosuchkid|--realm-role|deployer
alg mismatch (PS256 on the RS256 key) refused|alg_mismatch|$kc1|--alg|PS256|--realm-role|deployer
alg mismatch (RS256 header, EC kid) refused|alg_mismatch|--key|$T/kc1.key|--kid|ec-kid|--realm-role|deployer
alg none (empty signature) refused|malformed|--none|--kid|$KID1|--realm-role|deployer
alg none (with a signature segment) refused|alg_refused|--none|--none-sig|AAAA|--kid|$KID1|--realm-role|deployer
HS256 keyed with the public key (alg confusion) refused|alg_refused|--hmac-secret-file|$T/kc1.pubpem|--kid|$KID1|--realm-role|deployer
signed by a key not in the set refused|bad_signature|--key|$T/evil.key|--kid|$KID1|--realm-role|deployer
jku header refused|forbidden_header|$kc1|--realm-role|deployer|--header|jku="https://evil/jwks"
crit header refused|forbidden_header|$kc1|--realm-role|deployer|--header|crit=["exp"]
header typ other than JWT/at+jwt/Bearer refused|bad_typ|$kc1|--realm-role|deployer|--typ|JOSE
Keycloak ID token (typ ID) refused|bad_token_type|$kc1|--realm-role|deployer|--typ-claim|ID
no exp refused|missing_claim|$kc1|--realm-role|deployer|--no|exp
nbf in the future refused|not_yet_valid|$kc1|--realm-role|deployer|--claim|nbf=$(($(date +%s) + 600))
iat in the future refused|iat_future|$kc1|--realm-role|deployer|--iat|600|--exp|900
lifetime over max_lifetime refused|lifetime_too_long|$kc1|--realm-role|deployer|--exp|7200
exp as a string refused|bad_claim_type|$kc1|--realm-role|deployer|--claim|exp="9999999999"
realm_access.roles not an array refused|bad_roles_claim|$kc1|--claim|realm_access={"roles":{"deployer":1}}
no azp refused|missing_client|$kc1|--realm-role|deployer|--no|azp
EOF
dup=$(K --key "$T/kc1.key" --kid "$KID1" --realm-role deployer)
J=$(K --key "$T/kc1.key" --kid "$KID1" --realm-role deployer --jti jti-once)
check "token with jti accepted once" auth=PAM_SUCCESS "ok" -s sshd -u deploy -n -p "$J"
check "replayed jti refused" auth=PAM_AUTH_ERR "replay" -s sshd -u deploy -n -p "$J"
line=$(grep 'reason=replay' "$LOG" | tail -1)
expect_match "deny line names method and issuer" "event=auth result=deny account=deploy .*reason=replay method=issuer issuer=kc" "$line"
check "the account's own assertion with that jti: another namespace, accepted" auth=PAM_SUCCESS "ok" -s sshd -u deploy -n \
	-p "$(M --account deploy --key "$T/a256.key" --kid a256 --jti jti-once)"
# every accepted token is single-use, with or without a jti: without one,
# the digest of its signing input (header.payload) goes into the cache
NJ=$(K --key "$T/kc1.key" --kid "$KID1" --realm-role deployer --no jti --claim 'nonce="nj-1"')
check "token without jti accepted once" auth=PAM_SUCCESS "ok" -s sshd -u deploy -n -p "$NJ"
check "token without jti offered again: replay" auth=PAM_AUTH_ERR "replay" -s sshd -u deploy -n -p "$NJ"
line=$(grep 'reason=replay' "$LOG" | tail -1)
expect_match "no-jti replay logged with method and issuer" \
	"event=auth result=deny account=deploy .*reason=replay method=issuer issuer=kc" "$line"
check "another token without jti (other bytes): accepted" auth=PAM_SUCCESS "ok" -s sshd -u deploy -n \
	-p "$(K --key "$T/kc1.key" --kid "$KID1" --realm-role deployer --no jti --claim 'nonce="nj-2"')"
check "and a third: accepted" auth=PAM_SUCCESS "ok" -s sshd -u deploy -n \
	-p "$(K --key "$T/kc1.key" --kid "$KID1" --realm-role deployer --no jti --claim 'nonce="nj-3"')"
# ECDSA: (r, n - s) is a second valid signature of the same bytes, formed
# without the key; the replay key must not depend on the signature
E1=$(K --key "$T/kcec.key" --alg ES256 --kid ec-kid --realm-role deployer --no jti --claim 'nonce="ec-1"')
E1T=$(/usr/bin/python3 "$top_srcdir/tests/issuer/kcmint.py" twin "$E1")
if [ "${E1%.*}" = "${E1T%.*}" ] && [ "${E1##*.}" != "${E1T##*.}" ]; then
	tap_ok "twin: same header.payload, another signature"
else tap_notok "twin: same header.payload, another signature"; fi
check "the twin signature verifies (fresh token: accepted)" auth=PAM_SUCCESS "ok" -s sshd -u deploy -n -p "$E1T"
check "the original after its twin: replay" auth=PAM_AUTH_ERR "replay" -s sshd -u deploy -n -p "$E1"
E2=$(K --key "$T/kcec.key" --alg ES256 --kid ec-kid --realm-role deployer --no jti --claim 'nonce="ec-2"')
check "ES256 token without jti accepted" auth=PAM_SUCCESS "ok" -s sshd -u deploy -n -p "$E2"
check "its twin (r, n - s) refused as replay" auth=PAM_AUTH_ERR "replay" -s sshd -u deploy -n \
	-p "$(/usr/bin/python3 "$top_srcdir/tests/issuer/kcmint.py" twin "$E2")"
check "token for another PAM user (other) with deploy's client refused" auth=PAM_AUTH_ERR "client_other_account" -s sshd -u other -n -p "$dup"

# a cached set for another issuer under the same name is never used
cp "$T/state/issuers/kc.jwks" "$T/kc.jwks.good"
sed "s|$KC_ISS|https://elsewhere.test/realms/x|" "$T/kc.jwks.good" >"$T/state/issuers/kc.jwks"
check "cached set of another issuer: unavailable" auth=PAM_AUTHINFO_UNAVAIL "jwks_unavailable" -s sshd -u deploy -n \
	-p "$(K --key "$T/kc1.key" --kid "$KID1" --realm-role deployer)"
chmod 666 "$T/state/issuers/kc.jwks"
cp "$T/kc.jwks.good" "$T/state/issuers/kc.jwks"
check "group/world-writable cached set refused" auth=PAM_AUTHINFO_UNAVAIL "jwks_unavailable" -s sshd -u deploy -n \
	-p "$(K --key "$T/kc1.key" --kid "$KID1" --realm-role deployer)"
chmod 600 "$T/state/issuers/kc.jwks"

# rotation through a new set (file): the new kid works, the removed fails
kc_jwks "$T/jwks2.json" "kc2:$KID2"
ok_cmd "issuer refresh kc --jwks (rotation)" S issuer refresh kc --jwks "$T/jwks2.json"
check "after rotation: the new kid works" auth=PAM_SUCCESS "ok" -s sshd -u deploy -n \
	-p "$(K --key "$T/kc2.key" --kid "$KID2" --realm-role deployer)"
check "after rotation: the removed kid fails" auth=PAM_AUTH_ERR "unknown_kid" -s sshd -u deploy -n \
	-p "$(K --key "$T/kc1.key" --kid "$KID1" --realm-role deployer)"

# without a roles claim the token does not narrow
S issuer add plain --issuer https://plain.test/realms/p --jwks "$T/jwks2.json" --audience "$KC_AUD" \
	--client-claim client_id >/dev/null
S issuer map plain --client deploy-client --account deploy >/dev/null
check "issuer without --roles-claim: all granted roles, client_id claim" auth=PAM_SUCCESS "ok" -s sshd -u deploy -n \
	-p "$(K --iss https://plain.test/realms/p --key "$T/kc2.key" --kid "$KID2")"
expect_match "env roles = granted" "env SVCACCT_ROLES=deployers,readers" "$LAST_OUT"
S issuer add legacy --issuer https://legacy.test/realms/p --jwks "$T/jwks2.json" --audience "$KC_AUD" \
	--client-claim clientId >/dev/null
S issuer map legacy --client deploy-client --account deploy >/dev/null
check "Keycloak before 24 (clientId claim), --client-claim clientId" auth=PAM_SUCCESS "ok" -s sshd -u deploy -n \
	-p "$(K --keycloak-before-24 --iss https://legacy.test/realms/p --key "$T/kc2.key" --kid "$KID2")"
check "clientId issuer: a token without clientId refused" auth=PAM_AUTH_ERR "missing_client" -s sshd -u deploy -n \
	-p "$(K --iss https://legacy.test/realms/p --key "$T/kc2.key" --kid "$KID2")"
# roles carried in scope, when configured so
S issuer add scoped --issuer https://scoped.test/r --jwks "$T/jwks2.json" --audience "$KC_AUD" \
	--roles-claim scope >/dev/null
S issuer map scoped --client deploy-client --account deploy >/dev/null
S issuer role-map scoped svc.read readers >/dev/null
check "--roles-claim scope: scope values mapped" auth=PAM_SUCCESS "ok" -s sshd -u deploy -n \
	-p "$(K --iss https://scoped.test/r --key "$T/kc2.key" --kid "$KID2" --scope "profile svc.read email")"
expect_match "scope-carried role effective" "env SVCACCT_ROLES=readers$" "$LAST_OUT"
check "--roles-claim scope: 'profile email' maps nothing" auth=PAM_AUTH_ERR "no_mapped_role" -s sshd -u deploy -n \
	-p "$(K --iss https://scoped.test/r --key "$T/kc2.key" --kid "$KID2")"
# an issuer removed: its tokens are unknown
S issuer remove plain >/dev/null
check "removed issuer: refused" auth=PAM_AUTH_ERR "unknown_issuer" -s sshd -u deploy -n \
	-p "$(K --iss https://plain.test/realms/p --key "$T/kc2.key" --kid "$KID2")"
# rollback brings the issuer back, without a cached set
S rollback >/dev/null
check "rolled-back issuer without keys: unavailable until refreshed" auth=PAM_AUTHINFO_UNAVAIL "jwks_unavailable" -s sshd -u deploy -n \
	-p "$(K --iss https://plain.test/realms/p --key "$T/kc2.key" --kid "$KID2")"
done_testing
