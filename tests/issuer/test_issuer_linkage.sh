#!/bin/bash
# SPDX-License-Identifier: MIT
# The network stays off the login path: the PAM and NSS modules do not
# link libcurl or import any network call (readelf, nm, ldd), and an issuer
# login through the PAM harness opens no inet socket (strace). The svcacct
# tool, which refreshes the JWKS, does link libcurl (the control).
. "$top_srcdir/tests/pam/lib.sh"
. "$top_srcdir/tests/issuer/lib.sh"
need strace 'command -v strace >/dev/null'

NSSMOD=$top_builddir/nss/.libs/libnss_svcacct.so.2
NETSYMS=' (socket|connect|bind|sendto|recvfrom|getaddrinfo|gethostbyname[0-9_r]*|curl_[a-z_]+)(@|$)'
for m in "$MOD" "$NSSMOD"; do
	b=$(basename "$m")
	expect_nomatch "$b: no libcurl in NEEDED" 'libcurl' "$(readelf -d "$m" | grep NEEDED)"
	expect_nomatch "$b: no libcurl loaded (ldd)" 'libcurl' "$(ldd "$m")"
	expect_nomatch "$b: imports no network call" "$NETSYMS" "$(nm -D --undefined-only "$m" | awk '{print $2}')"
done
expect_match "svcacct (the tool) links libcurl" 'libcurl' "$(readelf -d "$top_builddir/tools/svcacct" 2>/dev/null | grep NEEDED; readelf -d "$top_builddir/tools/.libs/svcacct" 2>/dev/null | grep NEEDED)"

S role create deployers --services sshd --from local >/dev/null
S account create deploy --role deployers >/dev/null
pam_service sshd
kc_key kcenc
kc_key kc1
kc_jwks "$T/jwks.json" "kc1:k1"
S issuer add kc --issuer "$KC_ISS" --jwks "$T/jwks.json" --audience "$KC_AUD" \
	--roles-claim realm_access.roles >/dev/null
S issuer map kc --client deploy-client --account deploy >/dev/null
S issuer role-map kc deployer deployers >/dev/null
TOK=$(K --key "$T/kc1.key" --kid k1 --realm-role deployer)
out=$(strace -f -qq -e trace=socket,connect -o "$T/strace" "$HARNESS" -c "$T/pam.d" -s sshd -u deploy -p "$TOK" 2>&1)
expect_match "issuer login through the harness succeeds" '^auth=PAM_SUCCESS' "$out"
expect_nomatch "no inet socket during the login" 'AF_INET' "$(cat "$T/strace")"
done_testing
