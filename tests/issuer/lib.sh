# SPDX-License-Identifier: MIT
# Shared by the trusted-issuer tests (sourced after tests/pam/lib.sh, or
# after tests/e2e/lib.sh with T set, or before issuer_https_test): Keycloak-
# like signing keys, JWKS documents and access tokens made by
# tests/issuer/kcmint.py (jwcrypto).
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

# issuer_https_test "$@": the start of a test against a real HTTPS server
# (Debian's nginx, tests/issuer/https.sh): runs the script again in private
# mount and network namespaces, sources tests/pam/lib.sh, and starts nginx
# on 127.0.0.1:8443 with the test CA (one TAP check), stopped at exit.
issuer_https_test() {
	need_root
	need_userns
	need "network namespaces" 'unshare --net true 2>/dev/null'
	need nginx '[ -x /usr/sbin/nginx ]'
	if [ "${SVCACCT_IN_NETNS:-}" != 1 ]; then
		SVCACCT_IN_NETNS=1 SVCACCT_IN_NS=1 exec unshare --mount --net --fork \
			--propagation private bash "$0" "$@"
	fi
	ip link set lo up
	. "$top_srcdir/tests/pam/lib.sh"
	. "$top_srcdir/tests/issuer/https.sh"
	trap 'https_stop; rm -rf "$T"' EXIT

	https_setup || { tap_notok "nginx with the test CA started"; cat "$T/nginx/error.log"; done_testing; exit 1; }
	tap_ok "nginx serves HTTPS on 127.0.0.1:8443 with the test CA"
}

# jwks_bad_answers WHO ERR NOKEY: the server's $T/www/certs answers
# garbage, 2 MiB, then a set with no signing key, each checked by the
# test's bad_refresh DESC REGEX (refused, last good set kept); WHO starts
# the descriptions, ERR the message of a refused refresh.
jwks_bad_answers() {
	cp "$T/www/garbage" "$T/www/certs"
	bad_refresh "$1 answers garbage" "$2.*invalid JSON"
	head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$T/www/certs"
	bad_refresh "$1 answers 2 MiB" "larger than 1048576 bytes"
	/usr/bin/python3 "$top_srcdir/tests/issuer/kcmint.py" jwks --enc "$T/kcenc.key:e:$T/kcenc.crt" >"$T/www/certs"
	bad_refresh "$1 publishes $3" "no usable signing key"
}
