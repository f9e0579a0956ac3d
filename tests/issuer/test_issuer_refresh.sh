#!/bin/bash
# SPDX-License-Identifier: MIT
# svcacct issuer refresh against a real HTTPS server (Debian's nginx) on
# 127.0.0.1 in private mount and network namespaces, with a test CA:
# Keycloak-shaped JWKS fetched, key rotation at the IdP, the IdP down
# (refresh fails clearly, logins with the cached keys go on), and every bad
# answer (wrong CA, wrong host name, http, redirect to http, oversized,
# garbage, 404, no signing key) refused with the last good set kept.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/issuer/lib.sh"
issuer_https_test "$@"

S role create deployers --services sshd --from 127.0.0.0/8,local >/dev/null
S account create deploy --role deployers >/dev/null
pam_service sshd
kc_key kcenc
kc_key kc1
kc_key kc2
K1=kid-2026-a
K2=kid-2026-b
kc_jwks "$T/www/certs" "kc1:$K1"
chmod 644 "$T/www/certs"

cached() { cat "$T/state/issuers/kc.jwks" 2>/dev/null; }
login() { # DESC WANT REASON KEY KID
	check "$1" "$2" "$3" -s sshd -u deploy -n \
		-p "$(K --key "$T/$4.key" --kid "$5" --realm-role deployer)"
}

# refused at add time (same fetch code as refresh): nothing changes
g0=$(readlink "$T/db/current")
expect_rc "add: certificate of an unknown CA (system CAs) refused" 1 "fetching the JWKS: .*(certificate|SSL)" \
	S issuer add kc --issuer "$KC_ISS" --jwks-url "$KC_CERTS" --audience "$KC_AUD"
expect_rc "add: --ca-file of another CA refused" 1 "fetching the JWKS: .*(certificate|SSL)" \
	S issuer add kc --issuer "$KC_ISS" --jwks-url "$KC_CERTS" --ca-file "$T/otherca.crt" --audience "$KC_AUD"
expect_rc "add: host name not in the certificate refused" 1 "fetching the JWKS: .*(wrong.test|certificate|name)" \
	S issuer add kc --issuer "$KC_ISS" --jwks-url "https://wrong.test:8443/realms/fleet/protocol/openid-connect/certs" \
	--ca-file "$T/ca.crt" --audience "$KC_AUD"
expect_rc "add: http:// URL refused" 1 "only fetched over https://" \
	S issuer add kc --issuer "$KC_ISS" --jwks-url http://kc.test:8080/certs --audience "$KC_AUD"
expect_rc "add: redirect to http:// refused" 1 "fetching the JWKS: .*(Protocol|protocol|redirect)" \
	S issuer add kc --issuer "$KC_ISS" --jwks-url "$KC_BASE/redirect-http" --ca-file "$T/ca.crt" --audience "$KC_AUD"
expect_rc "add: HTTP 404 refused" 1 "HTTP status 404" \
	S issuer add kc --issuer "$KC_ISS" --jwks-url "$KC_BASE/missing" --ca-file "$T/ca.crt" --audience "$KC_AUD"
expect_rc "add: garbage refused" 1 "not a usable JWKS: invalid JSON" \
	S issuer add kc --issuer "$KC_ISS" --jwks-url "$KC_BASE/garbage" --ca-file "$T/ca.crt" --audience "$KC_AUD"
expect_rc "add: oversized response refused" 1 "larger than 1048576 bytes" \
	S issuer add kc --issuer "$KC_ISS" --jwks-url "$KC_BASE/big" --ca-file "$T/ca.crt" --audience "$KC_AUD"
expect_eq "refused adds changed nothing" "$g0" "$(readlink "$T/db/current")"
expect_eq "refused adds cached nothing" "" "$(ls "$T/state/issuers" 2>/dev/null)"

ok_cmd "add: redirect to https:// followed" \
	S issuer add kcr --issuer https://kc.test:8443/realms/redirected --jwks-url "$KC_BASE/redirect-https" \
	--ca-file "$T/ca.crt" --audience "$KC_AUD"
ok_cmd "add with --jwks-url and --ca-file fetches the set" \
	S issuer add kc --issuer "$KC_ISS" --jwks-url "$KC_CERTS" --ca-file "$T/ca.crt" --audience "$KC_AUD" \
	--roles-claim realm_access.roles
S issuer map kc --client deploy-client --account deploy >/dev/null
S issuer role-map kc deployer deployers >/dev/null
run S issuer show kc
expect_match "show: cached from the URL" "cached keys    $K1 \\(from $KC_CERTS" "$OUT"
login "token signed with the fetched key accepted" auth=PAM_SUCCESS ok kc1 "$K1"

# rotation with overlap, then removal of the old key
kc_jwks "$T/www/certs" "kc1:$K1" "kc2:$K2"
run S issuer refresh kc
expect_eq "refresh (both keys published): exit 0" 0 "$RC"
expect_match "refresh reports the kids" "issuer kc: cached keys $K1,$K2" "$OUT"
login "overlap: the new kid works" auth=PAM_SUCCESS ok kc2 "$K2"
login "overlap: the old kid still works" auth=PAM_SUCCESS ok kc1 "$K1"
kc_jwks "$T/www/certs" "kc2:$K2"
ok_cmd "refresh (old key removed at the IdP)" S issuer refresh kc
login "after rotation: the new kid works" auth=PAM_SUCCESS ok kc2 "$K2"
login "after rotation: the removed kid fails" auth=PAM_AUTH_ERR unknown_kid kc1 "$K1"
ns_wait_log "$LOG" "event=issuer-refresh result=ok issuer=kc kids=$K2" || true
expect_match "audit: refresh ok" "event=issuer-refresh result=ok issuer=kc kids=$K2 skipped=1" \
	"$(grep 'event=issuer-refresh result=ok issuer=kc ' "$LOG" | tail -1)"

good=$(cached)
# bad answers: refused, last good set kept, logins go on
bad_refresh() { # DESC REGEX
	expect_rc "$1: exit 1 with a clear message" 1 "$2" S issuer refresh kc
	expect_eq "$1: last good set kept" "$good" "$(cached)"
	login "$1: logins with the cached key go on" auth=PAM_SUCCESS ok kc2 "$K2"
}
jwks_bad_answers IdP "issuer kc: refresh failed, the cached keys are kept: " "no signing key"
echo '{"keys":[]}' >"$T/www/certs"
bad_refresh "IdP publishes an empty set" "1 to 100 keys"
kc_jwks "$T/www/certs" "kc2:$K2"
cp "$T/ca.crt" "$T/ca.crt.good"
cp "$T/otherca.crt" "$T/ca.crt"
bad_refresh "IdP certificate no longer from the configured CA" "(certificate|SSL)"
cp "$T/ca.crt.good" "$T/ca.crt"
https_swap_cert elsewhere.test || tap_notok "certificate swapped"
bad_refresh "IdP certificate for another host name" "(certificate|SSL|name)"
https_swap_cert kc.test || tap_notok "certificate restored"
https_stop
bad_refresh "IdP down" "refresh failed, the cached keys are kept: .*(Connection refused|connect|Couldn't)"
run S issuer refresh
expect_eq "refresh of all issuers with the IdP down: exit 1" 1 "$RC"
expect_match "...names each failed issuer" "issuer kc: refresh failed" "$ERR"
ns_wait_log "$LOG" 'event=issuer-refresh result=error issuer=kc ' || true
expect_match "audit: refresh error logged" "event=issuer-refresh result=error issuer=kc detail=.*connect" \
	"$(grep 'event=issuer-refresh result=error issuer=kc ' "$LOG" | tail -1)"
https_start
ok_cmd "IdP back: refresh of all issuers succeeds" S issuer refresh
run S --json issuer refresh kc
expect_match "refresh --json" '"result": "ok"' "$OUT"
done_testing
