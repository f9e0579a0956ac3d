#!/bin/bash
# SPDX-License-Identifier: MIT
# Issuer login cost (not a timed test): a Keycloak-shaped access token
# (RS256, 2048, ~1.3 KB, a JWKS of two signing keys and an enc key cached)
# against a self-minted RS256 assertion of the same key size, side by side
# in one run, through pam_start_confdir + pam_authenticate + pam_end, and
# pam_permit as the floor.
#
#   sudo top_builddir=BUILD top_srcdir=SRC tests/bench/issuer/run.sh [N]
set -eu -o pipefail
N=${1:-1000}
: "${top_builddir:?}" "${top_srcdir:?}"
if [ "${SVCACCT_IN_NS:-}" != 1 ]; then
	SVCACCT_IN_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
T=$(mktemp -d)
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
BENCH=$top_builddir/tests/bench/pam/pambench
# shellcheck source=../lib.sh
. "$top_srcdir/tests/bench/lib.sh"
. "$top_srcdir/tests/issuer/lib.sh"
S role create ops --force --services bench >/dev/null
S account create bench --role ops >/dev/null
kc_key kcenc
kc_key kc1
kc_key kc2
kc_jwks "$T/jwks.json" "kc1:k1" "kc2:k2"
S issuer add kc --issuer "$KC_ISS" --jwks "$T/jwks.json" --audience "$KC_AUD" \
	--roles-claim realm_access.roles >/dev/null
S issuer map kc --client deploy-client --account bench >/dev/null
S issuer role-map kc deployer ops >/dev/null
openssl pkey -in "$T/kc2.key" -pubout -out "$T/kc2.pub" 2>/dev/null
S key add bench --pem "$T/kc2.pub" --kid rs --alg RS256 >/dev/null

/usr/bin/python3 - "$T" "$N" "$KC_ISS" "$KC_AUD" <<'PY'
import json, sys, time, uuid
from jwcrypto import jwk
from jwcrypto.jws import JWSCore
t, n, iss, aud = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def s(v): return v.decode() if isinstance(v, bytes) else v
key = jwk.JWK.from_pem(open(f"{t}/kc2.key", "rb").read())
now = int(time.time())
def sign(h, c):
    r = JWSCore("RS256", key, json.dumps(h), json.dumps(c).encode(), algs=["RS256"]).sign()
    return s(r["protected"]) + "." + s(r["payload"]) + "." + s(r["signature"])
with open(f"{t}/kc.tok", "w") as kc, open(f"{t}/as.tok", "w") as a:
    for i in range(n):
        c = {"exp": now + 290, "iat": now, "jti": str(uuid.uuid4()), "iss": iss,
             "aud": [aud, "account"], "sub": str(uuid.uuid4()), "typ": "Bearer",
             "azp": "deploy-client", "acr": "1",
             "realm_access": {"roles": ["default-roles-fleet", "offline_access", "uma_authorization", "deployer"]},
             "resource_access": {"account": {"roles": ["manage-account", "manage-account-links", "view-profile"]}},
             "scope": "profile email", "clientHost": "192.0.2.10", "email_verified": False,
             "preferred_username": "service-account-deploy-client", "clientAddress": "192.0.2.10",
             "client_id": "deploy-client"}
        kc.write(sign({"alg": "RS256", "typ": "JWT", "kid": "k2"}, c) + "\n")
        a.write(sign({"alg": "RS256", "kid": "rs"}, {"iss": "bench", "sub": "bench",
                "aud": "svcacct:bench", "iat": now, "exp": now + 290,
                "jti": str(uuid.uuid4())}) + "\n")
PY
mkdir -p "$T/pam.d"
echo "auth required $MOD conf=$T/c.conf" >"$T/pam.d/svcacct"
echo "auth required pam_permit.so" >"$T/pam.d/permit"
us() { sed -n 's/.*per_op_us=\([0-9.]*\).*/\1/p'; }
run() { "$BENCH" "$@" | us; }
head -50 "$T/as.tok" >"$T/warm.tok"
"$BENCH" pam "$T/pam.d" permit bench "$T/warm.tok" >/dev/null
permit=$(run pam "$T/pam.d" permit bench "$T/kc.tok")
kc=$(run pam "$T/pam.d" svcacct bench "$T/kc.tok")
as=$(run pam "$T/pam.d" svcacct bench "$T/as.tok")
awk -v p="$permit" -v k="$kc" -v a="$as" -v n="$N" -v len="$(head -1 "$T/kc.tok" | tr -d '\n' | wc -c)" 'BEGIN {
	printf "| credential | logins | pam_svcacct login (µs) | pam_permit login (µs) | module own cost (µs) |\n"
	printf "|---|---|---|---|---|\n"
	printf "| Keycloak-shaped issuer token, RS256 2048, %d bytes | %d | %.1f | %.1f | %.1f |\n", len, n, k, p, k - p
	printf "| self-minted RS256 assertion (2048) | %d | %.1f | %.1f | %.1f |\n", n, a, p, a - p
	printf "issuer / assertion own cost: %.2f×\n", (k - p) / (a - p)
}'
