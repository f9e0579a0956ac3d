# SPDX-License-Identifier: MIT
# Shared by the trusted-issuer tests (sourced after tests/pam/lib.sh, or
# after tests/e2e/lib.sh with T set): Keycloak-like signing keys, JWKS
# documents and access tokens made by tests/issuer/kcmint.py (jwcrypto).
KC_ISS=https://kc.test:8443/realms/fleet
KC_AUD=svcacct:fleet-test

# kc_key NAME [BITS]: an RSA key ($T/NAME.key) and a self-signed
# certificate for its x5c ($T/NAME.crt), as Keycloak generates.
kc_key() {
	openssl req -x509 -newkey "rsa:${2:-2048}" -nodes -keyout "$T/$1.key" \
		-out "$T/$1.crt" -days 30 -subj "/CN=fleet" 2>/dev/null
}
kc_ec_key() { # NAME CURVE
	openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:$2" \
		-out "$T/$1.key" 2>/dev/null
}
# kc_jwks OUT KEYNAME:KID... : a JWKS with an RSA-OAEP enc key first.
kc_jwks() {
	local out=$1; shift
	local specs=() s
	for s in "$@"; do
		if [ -e "$T/${s%%:*}.crt" ]; then specs+=("$T/${s%%:*}.key:${s#*:}:$T/${s%%:*}.crt")
		else specs+=("$T/${s%%:*}.key:${s#*:}"); fi
	done
	/usr/bin/python3 "$top_srcdir/tests/issuer/kcmint.py" jwks \
		--enc "$T/kcenc.key:enc-kid:$T/kcenc.crt" "${specs[@]}" >"$out"
}
# K [kcmint token options]: a token of client deploy-client by default.
K() {
	/usr/bin/python3 "$top_srcdir/tests/issuer/kcmint.py" token \
		--iss "$KC_ISS" --aud "$KC_AUD" --aud account --client deploy-client "$@"
}
