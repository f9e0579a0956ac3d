#!/bin/bash
# SPDX-License-Identifier: MIT
# The PAM login benchmark (not a timed test): the module's own cost per
# login, side by side in one run with raw OpenSSL and pam_unix.
#
#   sudo top_builddir=BUILD top_srcdir=SRC tests/bench/pam/run.sh [N]
#
# Each login is pam_start_confdir + pam_authenticate + pam_end with a fresh
# credential (N assertions with fresh jtis, N distinct secrets), through
# pam_svcacct and through pam_permit: the difference is the module's own
# cost. "raw" is what no implementation can avoid: sv_key_load (the key
# from its stored raw parameters) + signature verification of the same
# tokens. pam_unix verifies a yescrypt password from an /etc/shadow that
# exists only in this mount namespace. fail_delay_ms = 0 throughout.
set -eu
N=${1:-2000}
NS=${NS_SECRETS:-300}
NU=${NU_UNIX:-20}
: "${top_builddir:?}" "${top_srcdir:?}"
if [ "${SVCACCT_IN_NS:-}" != 1 ]; then
	SVCACCT_IN_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
T=$(mktemp -d ${BENCH_TMP:+-p $BENCH_TMP})
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
BENCH=$top_builddir/tests/bench/pam/pambench
MOD=$top_builddir/pam/.libs/pam_svcacct.so
S() { "$top_builddir/tools/svcacct" --conf "$T/c.conf" "$@"; }
cat >"$T/c.conf" <<CONF
db_dir = $T/db
state_dir = $T/state
home_base = $T/home
fail_delay_ms = 0
audiences = svcacct:bench
CONF
S role create ops --services bench >/dev/null
S account create bench --role ops >/dev/null
# secrets on their own account: an assertion login reads the account's
# credential list to find the kid, and accounts hold a handful
S account create benchs --role ops >/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/es.key" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/rs.key" 2>/dev/null
openssl pkey -in "$T/es.key" -pubout -out "$T/es.pub" 2>/dev/null
openssl pkey -in "$T/rs.key" -pubout -out "$T/rs.pub" 2>/dev/null
S key add bench --pem "$T/es.pub" --kid es --alg ES256 >/dev/null
S key add bench --pem "$T/rs.pub" --kid rs --alg RS256 >/dev/null
for i in $(seq "$NS"); do S secret add benchs; done >"$T/secrets.txt"

# N fresh tokens per alg, minted by jwcrypto in one process
/usr/bin/python3 - "$T" "$N" <<'PY'
import json, sys, time, uuid
from jwcrypto import jwk
from jwcrypto.jws import JWSCore
t, n = sys.argv[1], int(sys.argv[2])
def s(v): return v.decode() if isinstance(v, bytes) else v
for alg, kid, f in (("ES256", "es", "es"), ("RS256", "rs", "rs")):
    key = jwk.JWK.from_pem(open(f"{t}/{f}.key", "rb").read())
    now = int(time.time())
    with open(f"{t}/{f}.tok", "w") as out:
        for i in range(n):
            c = {"iss": "bench", "sub": "bench", "aud": "svcacct:bench",
                 "iat": now, "exp": now + 290, "jti": str(uuid.uuid4())}
            r = JWSCore(alg, key, json.dumps({"alg": alg, "kid": kid}),
                        json.dumps(c).encode(), algs=[alg]).sign()
            out.write(s(r["protected"]) + "." + s(r["payload"]) + "." + s(r["signature"]) + "\n")
PY

mkdir -p "$T/pam.d"
echo "auth required $MOD conf=$T/c.conf" >"$T/pam.d/svcacct"
echo "auth required pam_permit.so" >"$T/pam.d/permit"
echo "auth required pam_unix.so" >"$T/pam.d/unix"

# pam_unix: a user with a yescrypt password, in an /etc of this namespace
mkdir -p "$T/etc"
cp /etc/passwd /etc/shadow "$T/etc/"
echo "benchunix:x:4321:4321::/nonexistent:/usr/sbin/nologin" >>"$T/etc/passwd"
HASH=$(/usr/bin/python3 -c 'import crypt,secrets,string; a="./"+string.digits+string.ascii_letters; print(crypt.crypt("correct horse", "$y$j9T$"+"".join(secrets.choice(a) for _ in range(16))))' 2>/dev/null)
echo "benchunix:$HASH:20000:0:99999:7:::" >>"$T/etc/shadow"
chmod 640 "$T/etc/shadow"
mount -t overlay overlay -o "lowerdir=$T/etc:/etc" /etc
for i in $(seq "$NU"); do echo "correct horse"; done >"$T/unix.txt"

us() { sed -n 's/.*per_op_us=\([0-9.]*\).*/\1/p'; }
run() { "$BENCH" "$@" | us; }
# a warm-up pass loads every library once
head -50 "$T/es.tok" >"$T/warm.tok"
"$BENCH" pam "$T/pam.d" permit bench "$T/warm.tok" >/dev/null
"$BENCH" raw "$T/c.conf" bench "$T/warm.tok" >/dev/null

permit_es=$(run pam "$T/pam.d" permit bench "$T/es.tok")
es_pam=$(run pam "$T/pam.d" svcacct bench "$T/es.tok")
es_raw=$(run raw "$T/c.conf" bench "$T/es.tok")
rs_pam=$(run pam "$T/pam.d" svcacct bench "$T/rs.tok")
rs_raw=$(run raw "$T/c.conf" bench "$T/rs.tok")
permit_s=$(run pam "$T/pam.d" permit benchs "$T/secrets.txt")
sec_pam=$(run pam "$T/pam.d" svcacct benchs "$T/secrets.txt")
unix=$(run pam "$T/pam.d" unix benchunix "$T/unix.txt")
permit_u=$(run pam "$T/pam.d" permit benchunix "$T/unix.txt")

awk -v pe="$permit_es" -v ep="$es_pam" -v er="$es_raw" -v rp="$rs_pam" \
    -v rr="$rs_raw" -v ps="$permit_s" -v sp="$sec_pam" -v ux="$unix" \
    -v pu="$permit_u" -v n="$N" -v ns="$NS" -v nu="$NU" 'BEGIN {
	printf "| credential | logins | pam_svcacct login (µs) | pam_permit login (µs) | module own cost (µs) | raw OpenSSL load+verify (µs) | own / raw |\n"
	printf "|---|---|---|---|---|---|---|\n"
	printf "| ES256 assertion | %d | %.1f | %.1f | %.1f | %.1f | %.2f× |\n", n, ep, pe, ep - pe, er, (ep - pe) / er
	printf "| RS256 assertion (2048) | %d | %.1f | %.1f | %.1f | %.1f | %.2f× |\n", n, rp, pe, rp - pe, rr, (rp - pe) / rr
	printf "| client secret | %d | %.1f | %.1f | %.1f | – | – |\n", ns, sp, ps, sp - ps
	printf "| pam_unix, yescrypt password | %d | %.1f | %.1f | %.1f | – | – |\n", nu, ux, pu, ux - pu
}'
