# SPDX-License-Identifier: MIT
# What the tests of the admin CLI share: the built svcacct, private stores
# in temporary directories, and the check that a refused command changed
# nothing. Sourced (bash) after top_builddir and top_srcdir are set; it
# sources tests/lib/tap.sh itself.
. "$top_srcdir/tests/lib/tap.sh"

export LC_ALL=C
SV="$top_builddir/tools/svcacct"

# cli_need_svcacct [COMMAND...]: root, a built tools/svcacct and each
# COMMAND on PATH, or skip the whole test.
cli_need_svcacct() {
	local c
	need_root
	need "tools/svcacct (built)" '[ -x "$SV" ]'
	for c in "$@"; do
		need "$c" 'command -v "$c" >/dev/null'
	done
}

# cli_cleanup_on_exit: at exit, kill each PID in BGPIDS and remove each
# directory in CLEAN (cli_store_setup adds its stores there).
CLEAN=()
BGPIDS=()
cli_cleanup() {
	local p d
	for p in "${BGPIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for d in "${CLEAN[@]}"; do rm -rf "$d"; done
}
cli_cleanup_on_exit() { trap cli_cleanup EXIT; }

# cli_store_setup NAME [CONF-LINE...]: a fresh private store in a new
# directory /tmp/svcacct-NAME.XXXXXX; sets T (that directory) and CONF (its
# svcacct.conf: db_dir, state_dir, home_base inside T, a lock timeout of a
# second, then the CONF-LINEs).
cli_store_setup() {
	local name="$1"
	shift
	T=$(mktemp -d "/tmp/svcacct-$name.XXXXXX")
	chmod 755 "$T"
	CLEAN+=("$T")
	CONF=$T/svcacct.conf
	{
		echo "db_dir = $T/db"
		echo "state_dir = $T/state"
		echo "home_base = $T/home"
		echo "lock_timeout = 1"
		[ $# -gt 0 ] && printf '%s\n' "$@"
	} >"$CONF"
	chmod 644 "$CONF"
}

# cli_keypair NAME GENPKEY-ARG...: in the current directory, NAME.key made
# by openssl genpkey with the GENPKEY-ARGs, and its public half NAME.pub.
cli_keypair() {
	local name="$1"
	shift
	openssl genpkey "$@" -out "$name.key"
	openssl pkey -in "$name.key" -pubout -out "$name.pub"
}

# cli_keydir NAME: a new directory KD, /tmp/svcacct-NAME-keys.XXXXXX
# (removed at exit with CLEAN), holding an EC key pair on each of the
# curves P-256, P-384 and P-521 (named after the curve: P-256.key ...).
cli_keydir() {
	KD=$(mktemp -d "/tmp/svcacct-$1-keys.XXXXXX")
	CLEAN+=("$KD")
	chmod 755 "$KD"
	(
		cd "$KD" || exit 1
		for c in P-256 P-384 P-521; do
			cli_keypair "$c" -algorithm EC -pkeyopt ec_paramgen_curve:$c
		done
	) >/dev/null 2>&1
}

# cli_refused_run RC REGEX CMD...: runs CMD between two calls of the test's
# own snap function (everything a change could touch); sets OUT, ERR, RC
# (tap.sh's run), BEFORE and AFTER (the two snaps) and WHY, empty when CMD
# exited RC, printed REGEX on stderr and left the store as it was. The
# caller may add its own reasons to WHY, then calls cli_verdict.
cli_refused_run() {
	local want="$1" re="$2"
	shift 2
	WHY=""
	BEFORE=$(snap)
	run "$@"
	AFTER=$(snap)
	[ "$RC" = "$want" ] || WHY="exit $RC, want $want; "
	printf '%s' "$ERR" | grep -Eq -- "$re" || WHY="${WHY}stderr lacks /$re/; "
	[ "$BEFORE" = "$AFTER" ] || WHY="${WHY}store changed; "
}

# cli_verdict DESC CMD...: ok when WHY is empty; otherwise not ok, with the
# command, the reasons, its output and how the store changed.
cli_verdict() {
	local d="$1"
	shift
	if [ -z "$WHY" ]; then
		tap_ok "$d"
	else
		tap_notok "$d"
		tap_diag "command: $*" "$WHY" "stdout: $OUT" "stderr: $ERR"
		[ "$BEFORE" = "$AFTER" ] ||
			diff <(echo "$BEFORE") <(echo "$AFTER") | head -20 | sed 's/^/# /'
	fi
}

# cli_refused DESC RC REGEX CMD...: CMD exits RC with REGEX on stderr and
# leaves the store as it was.
cli_refused() {
	local d="$1" want="$2" re="$3"
	shift 3
	cli_refused_run "$want" "$re" "$@"
	cli_verdict "$d" "$@"
}

# cli_writable_etc: in the private mount namespace of tests/nss/lib.sh
# (after nss_setup), a writable overlay on /etc, gone with the namespace,
# and the config directory bound again beneath it. Returns non-zero on
# failure, after a not-ok line.
cli_writable_etc() {
	mkdir -p "$T/up" "$T/work"
	mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/up,workdir=$T/work" /etc ||
		{ tap_notok "writable /etc overlay"; return 1; }
	# the new overlay does not show the bind mount that nss_setup made
	mount --bind "$T/etc/svcacct" "$(dirname "$CONF")" ||
		{ tap_notok "config directory"; return 1; }
}

# cli_enter_nss_ns ARGS...: re-runs the calling script with ARGS (once) in a
# private mount namespace and sources tests/lib/nssns.sh there, so that the
# store's accounts resolve through the system's NSS (svcacct verify, like
# the module, asks the system who the user is).
cli_enter_nss_ns() {
	need_userns
	if [ "${SVCACCT_CLI_NS:-}" != 1 ]; then
		SVCACCT_CLI_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
	fi
	. "$top_srcdir/tests/lib/nssns.sh"
}
