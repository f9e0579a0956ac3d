# SPDX-License-Identifier: MIT
# Shared setup of the client, shell and end-to-end tests (sourced after
# tests/lib/tap.sh). Runs the caller again in private mount and network
# namespaces (design.md, last section) and lays out, in a scratch tree $T:
#   - an /etc overlay: nsswitch.conf "passwd: files svcacct", passwd/group
#     with the keys user, svcacct/svcacct.conf, pam.d/*, sudoers;
#   - the built libnss_svcacct.so.2 over the multiarch library directory
#     (setuid sudo ignores LD_LIBRARY_PATH);
#   - a tmpfs /run (with /run/sshd, /run/sudo) and a private /dev/log
#     listener writing to $LOG;
#   - /mnt: a root-owned tmpfs holding copies of the tools, since sshd's
#     AuthorizedKeysCommand must live in a path no one else can write
#     (the build tree is under /tmp);
#   - loopback up (127.0.0.1, and 127.0.0.2 as a second source).
# Nothing outside $T and the namespaces is touched.

. "$top_srcdir/tests/lib/ns.sh"

E2E_CLI="$top_builddir/tools/svcacct"
E2E_ASSERT="$top_builddir/tools/svcacct-assert"
E2E_SHELL="$top_builddir/tools/svcacct-shell"
E2E_NSS="$top_builddir/nss/.libs/libnss_svcacct.so.2"
E2E_PAM="$top_builddir/pam/.libs/pam_svcacct.so"
KEYS_USER=_svcacct-keys
KEYS_UID=989

e2e_enter() {
	need_root
	need_userns
	need "network namespaces" 'unshare --net true 2>/dev/null'
	for f in "$E2E_CLI" "$E2E_ASSERT" "$E2E_SHELL" "$E2E_NSS" "$E2E_PAM"; do
		if [ ! -e "$f" ]; then
			tap_notok "build first: $f missing (make check builds it)"
			done_testing
			exit 1
		fi
	done
	if [ -z "${SVE2E_IN_NS:-}" ]; then
		SVE2E_IN_NS=1 exec unshare --mount --net --propagation private \
			--fork bash "$0" "$@"
	fi
}

# e2e_need_sshd: Debian's sshd and an ssh client, or skip the test.
e2e_need_sshd() { need sshd '[ -x /usr/sbin/sshd ] && command -v ssh >/dev/null'; }

# e2e_start ARGS...: e2e_enter with the script's ARGS, then e2e_setup; a
# failed setup fails the test.
e2e_start() {
	e2e_enter "$@"
	e2e_setup || { tap_notok "namespace setup"; done_testing; exit 1; }
}

# Installed-like copies in /mnt (root's, 0755 all the way up).
BIN=/mnt/bin

e2e_setup() {
	T=$(mktemp -d /tmp/sve2e.XXXXXX)
	chmod 755 "$T"
	trap 'e2e_cleanup' EXIT
	LOG=$T/syslog
	mkdir -p "$T/etc/svcacct" "$T/etc/pam.d" "$T/lib" "$T/home"
	chmod 755 "$T/etc" "$T/etc/svcacct" "$T/etc/pam.d" "$T/home"
	cat >"$T/etc/svcacct/svcacct.conf" <<-EOF
	db_dir = $T/db
	state_dir = $T/state
	home_base = $T/home
	default_shell = $BIN/svcacct-shell
	fail_delay_ms = 0
	audiences = svcacct:e2e
	EOF
	chmod 644 "$T/etc/svcacct/svcacct.conf"
	cat >"$T/etc/nsswitch.conf" <<-EOF
	passwd: files svcacct
	group: files svcacct
	shadow: files svcacct
	hosts: files
	EOF
	# the AuthorizedKeysCommandUser and its group (pubkeys.db's group)
	cp /etc/passwd /etc/group "$T/etc/"
	grep -q "^$KEYS_USER:" "$T/etc/group" ||
		echo "$KEYS_USER:x:$KEYS_UID:" >>"$T/etc/group"
	grep -q "^$KEYS_USER:" "$T/etc/passwd" ||
		echo "$KEYS_USER:x:$KEYS_UID:$KEYS_UID:svcacct keys:/nonexistent:/usr/sbin/nologin" >>"$T/etc/passwd"
	grep -q "^e2euser:" "$T/etc/passwd" ||
		echo "e2euser:x:1999:1999:e2e person:$T/home/e2euser:/bin/sh" >>"$T/etc/passwd"
	grep -q "^e2euser:" "$T/etc/group" || echo "e2euser:x:1999:" >>"$T/etc/group"
	chmod 644 "$T/etc/passwd" "$T/etc/group"
	# a shadow of our own (the host's stays out of the scratch tree):
	# pam_unix's account phase wants an entry for the local test user
	printf 'root:*:19000:0:99999:7:::\ne2euser:*:19000:0:99999:7:::\n' >"$T/etc/shadow"
	chown root:shadow "$T/etc/shadow" 2>/dev/null
	chmod 640 "$T/etc/shadow"
	cp "$E2E_NSS" "$T/lib/"
	# the host's service files (common-*), so that stacks can @include
	# them; tests then replace the ones they exercise
	cp -a /etc/pam.d/. "$T/etc/pam.d/"
	e2e_sudoers >"$T/etc/sudoers"
	chmod 440 "$T/etc/sudoers"
	mount -t overlay overlay -o "lowerdir=$T/etc:/etc" /etc || return 1
	# the config directory itself: files written later show at once
	mount --bind "$T/etc/pam.d" /etc/pam.d || return 1
	mkdir -p "$(dirname "$CONF")"
	mount --bind "$T/etc/svcacct" "$(dirname "$CONF")" || return 1
	local ml
	ml=$(ns_multiarch_dir)
	mount -t overlay overlay -o "lowerdir=$T/lib:$ml" "$ml" || return 1
	[ -S /var/run/nscd/socket ] && mount -t tmpfs tmpfs /var/run/nscd
	mount -t tmpfs -o mode=755 tmpfs /run || return 1
	mkdir -p /run/sshd /run/sudo
	chmod 755 /run/sshd
	chmod 711 /run/sudo
	mount -t tmpfs -o mode=755 tmpfs /mnt || return 1
	mkdir -p "$BIN"
	chmod 755 "$BIN"
	cp "$E2E_CLI" "$E2E_ASSERT" "$E2E_SHELL" "$BIN/"
	chmod 755 "$BIN"/*
	ip link set lo up || return 1
	ip addr add 127.0.0.2/8 dev lo 2>/dev/null
	ns_private_syslog "$LOG" || return 1
	return 0
}

e2e_cleanup() {
	[ -n "${SSHD_PID:-}" ] && kill "$SSHD_PID" 2>/dev/null
	# the private syslog listener (ns_private_syslog detaches it): the one
	# writing to this test's own log file
	local p
	for p in $(pgrep -f -- "syslog.py /dev/log $LOG\$" 2>/dev/null); do
		kill "$p" 2>/dev/null
	done
	cd /
	rm -rf "$T"
}

S() { "$BIN/svcacct" "$@"; }

# Run a command as a user (with its groups from NSS, as a login would).
as_user() {
	local u=$1; shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups \
		--reset-env "$@"
}

# Wait up to 2 s for a log line matching an ERE.
log_has() { ns_wait_log "$LOG" "$1"; }

# e2e_pam_lines MOD: the lines of the module MOD that every PAM stack of
# these tests has, auth, account and session, the first two followed by
# their common-* include; each stack adds its own before and after them.
e2e_pam_lines() {
	cat <<-EOF
	auth     [success=done user_unknown=ignore authinfo_unavail=ignore default=die] $1
	@include common-auth
	account  [success=ok ignore=ignore default=bad] $1
	@include common-account
	session  [success=ok ignore=ignore default=bad] $1
	EOF
}

# An sshd PAM stack with the built module (by absolute path) in it, over a
# copy of the host's service files so that @include common-* works. The
# documented setup puts the module into the common stacks instead
# (README.md, tested by tests/docs); the lines and flags are the same.
e2e_pam_sshd() {
	local mod=$1
	{
		echo "# svcacct first: service accounts end here (success or failure),"
		echo "# everybody else falls through to the usual stack."
		e2e_pam_lines "$mod"
		echo "@include common-session-noninteractive"
		echo "password [success=ok ignore=ignore default=die] $mod"
		echo "@include common-password"
	} >"$T/etc/pam.d/sshd"
}

# An sshd_config with the test's port and paths and the Match block of
# docs/howto-sshd.md's drop-in (tests/docs runs the drop-in itself).
e2e_sshd_config() {
	cat <<-EOF
	ListenAddress 127.0.0.1
	Port $1
	HostKey $T/hostkey
	PidFile $T/sshd.pid
	LogLevel VERBOSE
	UsePAM yes
	KbdInteractiveAuthentication yes
	PasswordAuthentication yes
	PubkeyAuthentication yes
	ExposeAuthInfo yes
	PermitRootLogin no
	# external sftp-server: it runs through the user's shell, which
	# refuses it (internal-sftp would bypass svcacct-shell)
	Subsystem sftp /usr/lib/openssh/sftp-server

	Match Group svcacct
	    AuthorizedKeysFile none
	    AuthorizedKeysCommand $BIN/svcacct authorized-keys %u %U
	    AuthorizedKeysCommandUser $KEYS_USER
	    DisableForwarding yes
	    PermitTTY no
	    PermitTunnel no
	    PermitUserRC no
	EOF
}

e2e_sshd_start() {
	/usr/sbin/sshd -f "$T/sshd_config" -E "$T/sshd.log" || return 1
	for _ in $(seq 100); do [ -s "$T/sshd.pid" ] && break; sleep 0.05; done
	SSHD_PID=$(cat "$T/sshd.pid" 2>/dev/null)
	[ -n "$SSHD_PID" ]
}

# e2e_sshd_prepare PORT: what every sshd of these tests needs: the sshd
# PAM stack with the built module, a host key and $T/sshd_config on PORT.
e2e_sshd_prepare() {
	e2e_pam_sshd "$E2E_PAM"
	ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey"
	e2e_sshd_config "$1" >"$T/sshd_config"
}

# e2e_start_sshd PORT ARGS...: the start of a test of one sshd on PORT:
# skipped without sshd, e2e_start with the script's ARGS, then
# e2e_sshd_prepare PORT.
e2e_start_sshd() {
	local port=$1
	shift
	e2e_need_sshd
	e2e_start "$@"
	e2e_sshd_prepare "$port"
}

# e2e_sshd_akf_config PORT: $T/sshd_config2 (PidFile $T/sshd2.pid), an
# sshd that also finds keys in a root-owned file per user, /mnt/akf/%u,
# for everybody (service accounts included), where sshd's StrictModes
# accepts it (not under the sticky /tmp): sshd tries such a key, and
# pam_svcacct's account and session phases are the last check.
e2e_sshd_akf_config() {
	mkdir -m 755 /mnt/akf
	e2e_sshd_config "$1" | sed -e "s|^PidFile .*|PidFile $T/sshd2.pid|" \
		-e "/AuthorizedKeysFile none/d" \
		-e "s|^PubkeyAuthentication yes|&\nAuthorizedKeysFile /mnt/akf/%u|" >"$T/sshd_config2"
}

# e2e_sshd_run CONFIG PIDFILE: one more sshd, logging to CONFIG.log;
# 0 once it wrote PIDFILE (bounded wait).
e2e_sshd_run() {
	/usr/sbin/sshd -f "$1" -E "$1.log" || return 1
	for _ in $(seq 100); do [ -s "$2" ] && return 0; sleep 0.05; done
	return 1
}

# ssh options of a client that trusts any host key and asks once.
E2E_SSHOPTS="-F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=5 -o NumberOfPasswordPrompts=1"

# e2e_key_login PORT USER KEY: USER's `id -un` through a public-key login
# with KEY alone, from the client home $C; nothing when refused.
e2e_key_login() {
	# shellcheck disable=SC2086
	env -i PATH=/usr/bin:/bin HOME="$C" ssh $E2E_SSHOPTS -p "$1" -o BatchMode=yes \
		-o PreferredAuthentications=publickey -o IdentitiesOnly=yes \
		-i "$3" "$2@127.0.0.1" /usr/bin/id -un </dev/null 2>/dev/null
}

# e2e_kbd_login PORT USER [VAR=VALUE...]: USER's `id -un` through a
# keyboard-interactive login that svcacct-assert answers (as SSH_ASKPASS,
# from the client home $C), with the extra environment given (the token
# file, the key); nothing when refused.
e2e_kbd_login() {
	local port=$1 user=$2
	shift 2
	# shellcheck disable=SC2086
	env -i PATH=/usr/bin:/bin HOME="$C" XDG_RUNTIME_DIR="$C/run" \
		SSH_ASKPASS="$BIN/svcacct-assert" SSH_ASKPASS_REQUIRE=force \
		SVCACCT_ACCOUNT="$user" SVCACCT_AUDIENCE=svcacct:e2e "$@" \
		ssh $E2E_SSHOPTS -p "$port" -o PreferredAuthentications=keyboard-interactive \
		"$user@127.0.0.1" /usr/bin/id -un </dev/null 2>/dev/null
}

# A sudo PAM stack with the built module (see e2e_pam_sshd).
e2e_pam_sudo() {
	local mod=$1
	{
		echo "#%PAM-1.0"
		e2e_pam_lines "$mod"
		echo "session  required pam_limits.so"
		echo "@include common-session-noninteractive"
	} >"$T/etc/pam.d/sudo"
}

# A sudoers for the sudo tests, in the spirit of docs/howto-sudo.md.
e2e_sudoers() {
	cat <<-'EOF'
	Defaults	env_reset
	Defaults	secure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	Defaults	use_pty
	# every sudo of a service account authenticates afresh: an
	# assertion is single-use, a cached timestamp would outlive it
	Defaults:%svcacct	timestamp_timeout=0
	root	ALL=(ALL:ALL) ALL
	# role groups come from NSS (svcacct role create deployers ...)
	%deployers	ALL=(root) NOPASSWD: /usr/bin/id
	%deployers	ALL=(root) /usr/bin/whoami
	%readers	ALL=(root) /usr/bin/whoami
	%sshonly	ALL=(root) NOPASSWD: /usr/bin/id
	EOF
}
