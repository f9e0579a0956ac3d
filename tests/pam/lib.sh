# SPDX-License-Identifier: MIT
# Shared setup of the PAM tests (sourced). Runs the caller again inside a
# private mount namespace with its own /dev/log listener, builds a store
# with the real CLI, keys with openssl, and PAM service files for
# pam_start_confdir. Nothing outside $T is touched.
. "$top_srcdir/tests/lib/tap.sh"
need_root
need_userns
need python3-jwcrypto '/usr/bin/python3 -c "import jwcrypto" 2>/dev/null'

if [ "${SVCACCT_IN_NS:-}" != 1 ]; then
	SVCACCT_IN_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
. "$top_srcdir/tests/lib/ns.sh"
. "$top_srcdir/tests/lib/san.sh"

T=$(mktemp -d)
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
LOG=$T/syslog
ns_private_syslog "$LOG" || { tap_notok "private syslog"; done_testing; exit 0; }

MOD=$top_builddir/pam/.libs/pam_svcacct.so
HARNESS=$top_builddir/tests/pam/pam_harness
# sanitizer build: system programs that load the module
san_wrap "$MOD" pamtester
AUD="svcacct:$(hostname)"

cat >"$T/c.conf" <<CONF
db_dir = $T/db
state_dir = $T/state
home_base = $T/home
fail_delay_ms = 0
CONF

# Identity is the UID: the store's accounts resolve through the system's
# NSS, as on a host (tests/lib/nssns.sh).
. "$top_srcdir/tests/lib/nssns.sh"
pam_nss_store() { nssns_store "$@"; }
pam_nss_passwd() { nssns_passwd "$@"; }
nssns_setup "$T/nss" "$T/c.conf" ||
	{ tap_notok "NSS for the store (overlay of /etc)"; done_testing; exit 0; }

S() { "$top_builddir/tools/svcacct" --conf "$T/c.conf" "$@"; }
M() { /usr/bin/python3 "$top_srcdir/tests/pam/mint.py" --aud "$AUD" "$@"; }
# PAM_VALGRIND=1 runs every harness call under memcheck; an error or a
# definite leak makes the call print "valgrind=error", which fails check(),
# and with PAM_VALGRIND_DIR the report goes to a file there (one a
# process: tests/hardening/test_memcheck.sh reads them all).
H() {
	if [ "${PAM_VALGRIND:-}" = 1 ]; then
		valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite --show-leak-kinds=definite \
			${PAM_VALGRIND_DIR:+--log-file=$PAM_VALGRIND_DIR/vg.%p} \
			"$HARNESS" -c "$T/pam.d" "$@" || [ $? != 99 ] || echo valgrind=error
	else
		"$HARNESS" -c "$T/pam.d" "$@"
	fi
}

# service FILE [module args...]: the usual svcacct stack
pam_service() {
	local name=$1; shift
	mkdir -p "$T/pam.d"
	cat >"$T/pam.d/$name" <<PAM
auth     [success=done default=die] $MOD conf=$T/c.conf $*
account  [success=ok ignore=ignore default=bad] $MOD conf=$T/c.conf $*
account  required pam_permit.so
session  [success=ok ignore=ignore default=bad] $MOD conf=$T/c.conf $*
session  required pam_permit.so
password [success=ok ignore=ignore default=die] $MOD conf=$T/c.conf $*
password required pam_permit.so
PAM
}

keygen() { # NAME ec-curve|rsa-bits
	case $2 in
	P-*) openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:$2" \
		-out "$T/$1.key" 2>/dev/null ;;
	*) openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$2" \
		-out "$T/$1.key" 2>/dev/null ;;
	esac
	openssl pkey -in "$T/$1.key" -pubout -out "$T/$1.pub" 2>/dev/null
}

# The common store: roles, two accounts, a secret and keys of bot.
setup_store() {
	S role create deployers --services sshd,sudo,login,su --from 127.0.0.0/8,::1/128,local >/dev/null
	S role create readers --force --services sshd,cron --from 10.0.0.0/8,2001:db8::/32 >/dev/null
	S role create noservice >/dev/null
	S account create bot --role deployers --role readers >/dev/null
	S account create bot2 --role deployers >/dev/null
	SECRET=$(S secret add bot)
	SECRET2=$(S secret add bot2)
	keygen k256 P-256
	keygen k384 P-384
	keygen k521 P-521
	keygen krsa 2048
	keygen other256 P-256
	S key add bot --pem "$T/k256.pub" --kid k256 --alg ES256 >/dev/null
	S key add bot --pem "$T/k384.pub" --kid k384 --alg ES384 >/dev/null
	S key add bot --pem "$T/krsa.pub" --kid krsa --alg RS256 >/dev/null
	S key add bot2 --pem "$T/other256.pub" --kid k256 --alg ES256 >/dev/null
	pam_service sshd
	pam_service sudo
	pam_service login
	pam_service cron
	pam_service su
}

# pam_fixclock: the harness from here on runs with the fixclock shim FIX
# (LD_PRELOAD; FIXCLOCK_NOW=T makes time() answer T), so that a test
# checks each boundary to the second without waiting; in the sanitizer
# build the shim is instrumented too, and the ASan runtime SANRT must come
# first. The test's own programs (grep, sed, the CLI) run without it.
# Without the shim built, the test fails at once.
pam_fixclock() {
	FIX=$top_builddir/tests/hardening/.libs/libfixclock.so
	[ -e "$FIX" ] || { tap_notok "fixclock shim built ($FIX)"; done_testing; exit 0; }
	SANRT=$(san_runtime "$MOD")
	printf '#!/bin/sh\nLD_PRELOAD="%s" exec "%s" "$@"\n' "${SANRT:+$SANRT }$FIX" "$HARNESS" >"$T/fixharness"
	chmod 755 "$T/fixharness"
	HARNESS=$T/fixharness
}

# at NOW DESC WANT REASON ARGS...: check with the module's clock at NOW
# (after pam_fixclock).
at() { local now=$1; shift; FIXCLOCK_NOW=$now check "$@"; }

# role_gid NAME: the GID of the role NAME.
role_gid() { S --json role show "$1" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["gid"])'; }

# bot_groups: after setup_store, BASE (the base role's GID), DEP and RD
# (deployers' and readers') and ALL, bot's groups as the harness's -G
# installs them (as sshd's initgroups does; the kernel keeps them sorted).
bot_groups() {
	BASE=80000
	DEP=$(role_gid deployers)
	RD=$(role_gid readers)
	ALL="4242,$BASE,$DEP,$RD"
}

# check DESC WANT REASON HARNESS-ARGS...: the harness output must contain
# the line WANT (e.g. auth=PAM_AUTH_ERR) and, if REASON is not empty, a new
# log line must carry reason=REASON.
check() {
	local d=$1 want=$2 reason=$3; shift 3
	local before out got=""
	before=$(wc -l <"$LOG")
	out=$(H "$@" 2>&1)
	if [ -n "$reason" ]; then
		for _ in $(seq 60); do
			got=$(tail -n +"$((before + 1))" "$LOG" | grep -E -- "reason=$reason( |\$)" | tail -1)
			[ -n "$got" ] && break
			sleep 0.05
		done
	fi
	if printf '%s\n' "$out" | grep -qxF -- "$want" && { [ -z "$reason" ] || [ -n "$got" ]; } &&
		! printf '%s\n' "$out" | grep -qx 'valgrind=error'; then
		tap_ok "$d"
	else
		tap_notok "$d"
		tap_diag "want: $want reason=$reason" "harness: $out" \
			"log: $(tail -n +"$((before + 1))" "$LOG")"
	fi
	LAST_OUT=$out
}
