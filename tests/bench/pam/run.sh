#!/bin/bash
# SPDX-License-Identifier: MIT
# The PAM login benchmark (not a timed test): the module's own cost per
# login, side by side in one run with raw OpenSSL and pam_unix.
#
#   sudo top_builddir=BUILD top_srcdir=SRC tests/bench/pam/run.sh [N] [ROUNDS]
#
# Each login is pam_start_confdir + pam_authenticate + pam_end with a fresh
# credential (N assertions with fresh jtis, N distinct secrets), through
# pam_svcacct and through pam_permit: the difference is the module's own
# cost. "raw" is what no implementation can avoid: sv_key_load (the key
# from its stored raw parameters) + signature verification of the same
# tokens. pam_unix verifies a yescrypt password from an /etc/shadow that
# exists only in this mount namespace. fail_delay_ms = 0 throughout.
# The loops run interleaved in ROUNDS rounds (pam_permit, then each alg
# through the module and raw, with fresh tokens every round) and the table
# gives the median of the rounds, so that a burst of load from elsewhere on
# the machine hits both sides of a ratio alike.
set -eu -o pipefail
N=${1:-2000}
R=${2:-5}
NS=${NS_SECRETS:-300}
NU=${NU_UNIX:-20}
for v in "N=$N" "R=$R" "NS_SECRETS=$NS" "NU_UNIX=$NU"; do
	case ${v#*=} in
	'' | 0* | *[!0-9]*)
		echo "run.sh: ${v%%=*} must be a whole number from 1 up, not '${v#*=}'" >&2
		exit 2
		;;
	esac
done
: "${top_builddir:?}" "${top_srcdir:?}"
if [ "${SVCACCT_IN_NS:-}" != 1 ]; then
	SVCACCT_IN_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
T=$(mktemp -d ${BENCH_TMP:+-p $BENCH_TMP})
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
BENCH=$top_builddir/tests/bench/pam/pambench
# both stacks keep their modules loaded between logins, as pam_svcacct
# (-z nodelete) does by itself (pambench.c, pin_modules). pam_deny too:
# libpam parses the `other` file at every pam_start and loads its module
# whatever the service, and its munmap at pam_end costs a TLB shootdown
# on every CPU the process ran on; the module's log line wakes the log
# reader, which spreads the svcacct loop over both CPUs, so an unpinned
# pam_deny made that loop pay an inter-processor interrupt per login that
# the pam_permit loop, which logs nothing, did not
SECDIR=/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)/security
export PAMBENCH_PIN=$SECDIR/pam_permit.so:$SECDIR/pam_unix.so:$SECDIR/pam_deny.so
# Hosts run a syslog daemon on /dev/log, and the module logs every decision:
# give this namespace a reader too (pambench sink, which counts the allowed
# logins). Without one, glibc creates and tries to connect a new socket for
# every message, a cost no real host pays.
# shellcheck source=../../lib/ns.sh
. "$top_srcdir/tests/lib/ns.sh"
ns_private_dev
"$BENCH" sink /dev/log "$T/logcount" &
SINK=$!
trap 'kill $SINK 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 100); do [ -S /dev/log ] && break; sleep 0.02; done
# shellcheck source=../lib.sh
. "$top_srcdir/tests/bench/lib.sh"
S role create ops --force --services bench >/dev/null
# one account per round (round 0 is the warm-up), so that every round
# starts with the same replay cache: a bot's cache holds what it used
# within the lifetime of its assertions
# (round R+1: the system call count below, when strace is there)
for i in $(seq 0 $((R + 1))); do S account create "bench$i" --role ops >/dev/null; done
# secrets on their own account: an assertion login reads the account's
# credential list to find the kid, and accounts hold a handful
S account create benchs --role ops >/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/es.key" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/rs.key" 2>/dev/null
openssl pkey -in "$T/es.key" -pubout -out "$T/es.pub" 2>/dev/null
openssl pkey -in "$T/rs.key" -pubout -out "$T/rs.pub" 2>/dev/null
for i in $(seq 0 $((R + 1))); do
	S key add "bench$i" --pem "$T/es.pub" --kid es --alg ES256 >/dev/null
	S key add "bench$i" --pem "$T/rs.pub" --kid rs --alg RS256 >/dev/null
done
for i in $(seq "$NS"); do S secret add benchs; done >"$T/secrets.txt"

# N fresh tokens per alg, minted by jwcrypto in one process
/usr/bin/python3 - "$T" "$N" "$R" <<'PY'
import json, sys, time, uuid
from jwcrypto import jwk
from jwcrypto.jws import JWSCore
t, n, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def s(v): return v.decode() if isinstance(v, bytes) else v
for alg, kid, f in (("ES256", "es", "es"), ("RS256", "rs", "rs")):
    key = jwk.JWK.from_pem(open(f"{t}/{f}.key", "rb").read())
    now = int(time.time())
    for rnd in range(rounds + 2):
      with open(f"{t}/{f}.{rnd}.tok", "w") as out:
        for i in range(n):
            c = {"iss": f"bench{rnd}", "sub": f"bench{rnd}", "aud": "svcacct:bench",
                 "iat": now, "exp": now + 290, "jti": str(uuid.uuid4())}
            r = JWSCore(alg, key, json.dumps({"alg": alg, "kid": kid}),
                        json.dumps(c).encode(), algs=[alg]).sign()
            out.write(s(r["protected"]) + "." + s(r["payload"]) + "." + s(r["signature"]) + "\n")
PY

mkdir -p "$T/pam.d"
echo "auth required $MOD conf=$T/c.conf" >"$T/pam.d/svcacct"
echo "auth required pam_permit.so" >"$T/pam.d/permit"
echo "auth required pam_unix.so" >"$T/pam.d/unix"
# what every host has (libpam reads it, and logs its absence, at every start)
printf '%s required pam_deny.so\n' auth account session password >"$T/pam.d/other"

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
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# a warm-up round (round 0) loads every library once
"$BENCH" pam "$T/pam.d" permit bench0 "$T/es.0.tok" >/dev/null
"$BENCH" pam "$T/pam.d" svcacct bench0 "$T/es.0.tok" >/dev/null
"$BENCH" pam "$T/pam.d" svcacct bench0 "$T/rs.0.tok" >/dev/null
"$BENCH" raw "$T/c.conf" bench0 "$T/es.0.tok" >/dev/null

pe='' ep='' er='' rp='' rr='' ps='' sp='' ratio_es='' ratio_rs=''
for i in $(seq "$R"); do
	a=$(run pam "$T/pam.d" permit bench$i "$T/es.$i.tok")
	b=$(run pam "$T/pam.d" svcacct bench$i "$T/es.$i.tok")
	c=$(run raw "$T/c.conf" bench$i "$T/es.$i.tok")
	d=$(run pam "$T/pam.d" svcacct bench$i "$T/rs.$i.tok")
	e=$(run raw "$T/c.conf" bench$i "$T/rs.$i.tok")
	f=$(run pam "$T/pam.d" permit benchs "$T/secrets.txt")
	g=$(run pam "$T/pam.d" svcacct benchs "$T/secrets.txt")
	pe="$pe $a" ep="$ep $b" er="$er $c" rp="$rp $d" rr="$rr $e" ps="$ps $f" sp="$sp $g"
	ratio_es="$ratio_es $(echo "($b - $a) / $c" | bc -l)"
	ratio_rs="$ratio_rs $(echo "($d - $a) / $e" | bc -l)"
done
permit_es=$(echo "$pe" | median) es_pam=$(echo "$ep" | median) es_raw=$(echo "$er" | median)
rs_pam=$(echo "$rp" | median) rs_raw=$(echo "$rr" | median)
permit_s=$(echo "$ps" | median) sec_pam=$(echo "$sp" | median)
unix=$(run pam "$T/pam.d" unix benchunix "$T/unix.txt")
# the one syslog line a login writes, on its own (the reader asleep, as
# between logins): part of the module's own cost above
logline=$(run log 2000)
permit_u=$(run pam "$T/pam.d" permit benchunix "$T/unix.txt")
# what a system call costs on this machine, and how many the module makes
# per login: strace -c over up to 200 logins of each stack, pam_svcacct
# minus pam_permit, minus the calls of the one identity lookup a login
# makes (getpwnam through the system's NSS, counted by pambench identity as
# the difference of 2n and n lookups, so that its one-time setup drops out)
sysc=$(run syscall 1000000)
# the identity lookup a login makes (getpwnam through this namespace's
# NSS: nss_files over /etc/passwd, then nss_svcacct), part of the
# module's own cost above
ident=$(run identity "bench$R" 2000)
nsys=- nsys_r=- nsys_s=- nident=-
sc_es=0 sc_rs=0 sc_sec=0
if command -v strace >/dev/null; then
	head -200 "$T/es.$((R + 1)).tok" >"$T/sc.tok"
	head -200 "$T/rs.$((R + 1)).tok" >"$T/sc.rtok"
	head -200 "$T/secrets.txt" >"$T/sc.sec"
	sc_es=$(wc -l <"$T/sc.tok") sc_rs=$(wc -l <"$T/sc.rtok") sc_sec=$(wc -l <"$T/sc.sec")
	total() { strace -c -o "$T/sc.out" "$BENCH" "$@" >/dev/null && awk '$NF == "total" { print $4 }' "$T/sc.out"; }
	calls() { total pam "$T/pam.d" "$@"; }
	i1=$(total identity "bench$((R + 1))" 200)
	i2=$(total identity "bench$((R + 1))" 400)
	nident=$(echo "($i2 - $i1) / 200" | bc -l)
	own() { echo "$1 $2 $3 $nident" | awk '{ printf "%.1f", ($1 - $2) / $3 - $4 }'; }
	c_perm=$(calls permit "bench$((R + 1))" "$T/sc.tok")
	c_mod=$(calls svcacct "bench$((R + 1))" "$T/sc.tok")
	nsys=$(own "$c_mod" "$c_perm" "$sc_es")
	c_mod=$(calls svcacct "bench$((R + 1))" "$T/sc.rtok")
	nsys_r=$(own "$c_mod" "$c_perm" "$sc_rs")
	c_perm=$(calls permit benchs "$T/sc.sec")
	c_mod=$(calls svcacct benchs "$T/sc.sec")
	nsys_s=$(own "$c_mod" "$c_perm" "$sc_sec")
	nident=$(printf '%.1f' "$nident")
fi

# every svcacct login was decided and logged: the warm-up's 2 x N
# assertions, per round 2 x N assertions and NS secrets, and the strace
# logins of both kinds
sleep 0.2
kill "$SINK"
wait "$SINK" || true
want=$((2 * N + R * (2 * N + NS) + sc_es + sc_rs + sc_sec))
if [ "$(cat "$T/logcount" 2>/dev/null)" != "$want" ]; then
	echo "expected $want logged logins, the log reader counted $(cat "$T/logcount" 2>/dev/null)" >&2
	exit 1
fi
awk -v pe="$permit_es" -v ep="$es_pam" -v er="$es_raw" -v rp="$rs_pam" \
    -v rr="$rs_raw" -v ps="$permit_s" -v sp="$sec_pam" -v ux="$unix" \
    -v pu="$permit_u" -v n="$N" -v ns="$NS" -v nu="$NU" \
    -v ye="$nsys" -v yr="$nsys_r" -v ys="$nsys_s" 'BEGIN {
	printf "| credential | logins | pam_svcacct login (µs) | pam_permit login (µs) | module own cost (µs) | raw OpenSSL load+verify (µs) | own / raw | own system calls / login |\n"
	printf "|---|---|---|---|---|---|---|---|\n"
	printf "| ES256 assertion | %d | %.1f | %.1f | %.1f | %.1f | %.2f× | %s |\n", n, ep, pe, ep - pe, er, (ep - pe) / er, ye
	printf "| RS256 assertion (2048) | %d | %.1f | %.1f | %.1f | %.1f | %.2f× | %s |\n", n, rp, pe, rp - pe, rr, (rp - pe) / rr, yr
	printf "| client secret | %d | %.1f | %.1f | %.1f | – | – | %s |\n", ns, sp, ps, sp - ps, ys
	printf "| pam_unix, yescrypt password | %d | %.1f | %.1f | %.1f | – | – | – |\n", nu, ux, pu, ux - pu
}'
echo
echo "of the module's own cost, its one syslog line per login (to a reader asleep, as between logins): $logline µs; its identity lookup (getpwnam through the system's NSS): $ident µs"
echo "a system call (getppid) costs $sysc µs here; own system calls per login: strace -c, pam_svcacct minus pam_permit, minus the $nident of the identity lookup (getpwnam through the system's NSS)"
echo "medians of $R interleaved rounds; own/raw per round: ES256$(printf ' %.2f' $ratio_es), RS256$(printf ' %.2f' $ratio_rs)"
