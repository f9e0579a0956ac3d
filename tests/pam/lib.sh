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

# Identity is the UID: the module asks the system's NSS who PAM_USER is,
# so the store's accounts resolve here as on a host: nsswitch.conf with
# "files svcacct", the built NSS module over the multiarch library
# directory, and its configuration (the compiled-in path) naming this
# store. PAM_NSS_PASSWD adds lines to the overlay's /etc/passwd (a user of
# another source with an account's name).
PAM_NSS_MODULE=$top_builddir/nss/.libs/libnss_svcacct.so.2
PAM_NSS_CONF=${SVCACCT_CONF_PATH:-/etc/svcacct/svcacct.conf}
pam_nss_setup() {
	local ma
	mkdir -p "$T/nss/etc/svcacct" "$T/nss/conf" "$T/nss/lib"
	chmod 755 "$T/nss" "$T/nss/etc" "$T/nss/etc/svcacct" "$T/nss/conf" \
		"$T/nss/lib"
	# in the overlay's own layer when the path is under /etc, so that a
	# test laying another overlay over /etc still sees it
	local cdir="$T/nss/conf"
	[ "$PAM_NSS_CONF" != /etc/svcacct/svcacct.conf ] || cdir="$T/nss/etc/svcacct"
	printf 'db_dir = %s\nstate_dir = %s\nhome_base = %s\n' \
		"$T/db" "$T/state" "$T/home" >"$cdir/svcacct.conf"
	chmod 644 "$cdir/svcacct.conf"
	printf 'passwd: files svcacct\ngroup: files svcacct\nshadow: files svcacct\n' \
		>"$T/nss/etc/nsswitch.conf"
	cp /etc/passwd /etc/group "$T/nss/etc/"
	chmod 644 "$T/nss/etc/"*
	cp "$PAM_NSS_MODULE" "$T/nss/lib/" || return 1
	mount -t overlay overlay -o "lowerdir=$T/nss/etc:/etc" /etc || return 1
	if [ "$cdir" = "$T/nss/conf" ]; then
		mkdir -p "$(dirname "$PAM_NSS_CONF")"
		mount --bind "$T/nss/conf" "$(dirname "$PAM_NSS_CONF")" || return 1
	fi
	ma=$(gcc -print-multiarch 2>/dev/null)
	ma=/usr/lib/${ma:-x86_64-linux-gnu}
	mount -t overlay overlay -o "lowerdir=$T/nss/lib:$ma" "$ma" || return 1
	[ ! -S /var/run/nscd/socket ] || mount -t tmpfs tmpfs /var/run/nscd
}
# pam_nss_store CONF: NSS serves the store of another svcacct.conf (its
# db_dir and state_dir), as on a host whose CLI and modules share one.
pam_nss_store() {
	local f="$T/nss/etc/svcacct/svcacct.conf"
	[ -f "$f" ] || f="$T/nss/conf/svcacct.conf"
	grep -E '^(db_dir|state_dir|home_base) ' "$1" >"$T/nss.conf.new"
	cat "$T/nss.conf.new" >"$f"
}
# pam_nss_passwd LINE: a passwd entry of the files source (the overlay's
# /etc/passwd is the lower layer's file: written in place, seen at once).
pam_nss_passwd() { printf '%s\n' "$1" >>"$T/nss/etc/passwd"; }
pam_nss_setup || { tap_notok "NSS for the store (overlay of /etc)"; done_testing; exit 0; }

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
	S role create readers --services sshd,cron --from 10.0.0.0/8,2001:db8::/32 >/dev/null
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
