# SPDX-License-Identifier: MIT
# Helpers for the NSS tests (sourced after tests/lib/tap.sh).
#
# A test calls nss_enter_ns first: it re-runs the script in a private mount
# namespace. nss_setup then builds a scratch tree $T with a store, a config
# and an nsswitch.conf, and lays it over /etc (and the built module over the
# multiarch library directory, so that setuid programs load it too). The
# host's /etc and /lib are never written; everything goes with the
# namespace.

. "$top_srcdir/tests/lib/san.sh"
. "$top_srcdir/tests/lib/vg.sh"
. "$top_srcdir/tests/lib/ns.sh"
SVNSS_MODULE="$top_builddir/nss/.libs/libnss_svcacct.so.2"
MKSTORE="$top_builddir/tests/bench/mkstore"
PROBE="$top_builddir/tests/nss/nss_probe"
SVCACCT_CLI="$top_builddir/tools/svcacct"
DIRECT="direct:$SVNSS_MODULE"

# Re-run the calling script in its own mount namespace (once).
nss_enter_ns() {
	need_root
	need_userns
	if [ ! -e "$SVNSS_MODULE" ] || [ ! -x "$PROBE" ] || [ ! -x "$MKSTORE" ]; then
		tap_notok "build the module and tests/nss helpers first (make check)"
		done_testing
		exit 1
	fi
	if [ -z "${SVNSS_IN_NS:-}" ]; then
		SVNSS_IN_NS=1 exec unshare --mount --fork bash "$0" "$@"
	fi
}

# nss_write_conf [extra "key = value" lines...]
nss_write_conf() {
	{
		echo "db_dir = $T/db"
		echo "state_dir = $T/state"
		echo "home_base = /home/svc"
		echo "default_shell = /usr/sbin/nologin"
		for l in "$@"; do echo "$l"; done
	} >"$T/etc/svcacct/svcacct.conf.new"
	chmod 644 "$T/etc/svcacct/svcacct.conf.new"
	# in place (same inode): the overlay shows the lower file itself
	cat "$T/etc/svcacct/svcacct.conf.new" >"$T/etc/svcacct/svcacct.conf"
	rm -f "$T/etc/svcacct/svcacct.conf.new"
}

# nss_setup [extra config lines...]
# With NSS_FILES_PASSWD and/or NSS_FILES_GROUP set (lines), the overlay
# carries copies of the host's /etc/passwd and /etc/group with those lines
# added: users and groups of the "files" source, which precedes svcacct.
nss_setup() {
	local ml
	T=$(mktemp -d /tmp/svnss-test.XXXXXX)
	chmod 755 "$T"
	trap 'cd /; rm -rf "$T"' EXIT
	mkdir -p "$T/etc/svcacct" "$T/lib"
	chmod 755 "$T/etc" "$T/etc/svcacct"
	: >"$T/etc/svcacct/svcacct.conf"
	nss_write_conf "$@"
	if [ -n "${NSS_FILES_PASSWD:-}" ]; then
		{ cat /etc/passwd; echo "$NSS_FILES_PASSWD"; } >"$T/etc/passwd"
		chmod 644 "$T/etc/passwd"
	fi
	if [ -n "${NSS_FILES_GROUP:-}" ]; then
		{ cat /etc/group; echo "$NSS_FILES_GROUP"; } >"$T/etc/group"
		chmod 644 "$T/etc/group"
	fi
	cat >"$T/etc/nsswitch.conf" <<-EOF
	passwd: files svcacct
	group: files svcacct
	shadow: files svcacct
	EOF
	cp "$SVNSS_MODULE" "$T/lib/"
	mount -t overlay overlay -o "lowerdir=$T/etc:/etc" /etc || return 1
	# home_base is /home/svc: the CLI tests create homes, which must not
	# land on the host
	mount -t tmpfs -o mode=755 tmpfs /home || return 1
	# the config directory itself, so that renaming or replacing files in
	# it shows at once (an overlay's lower layer must not change)
	mkdir -p "$(dirname "$CONF")"
	mount --bind "$T/etc/svcacct" "$(dirname "$CONF")" || return 1
	ml=$(ns_multiarch_dir)
	mount -t overlay overlay -o "lowerdir=$T/lib:$ml" "$ml" || return 1
	# nscd would answer from its cache instead of the module
	[ -S /var/run/nscd/socket ] && mount -t tmpfs tmpfs /var/run/nscd
	# sanitizer build: system programs that load the module
	san_wrap "$SVNSS_MODULE" getent id ls stat chown chgrp runuser su setpriv find
	# memcheck mode (tests/hardening/test_memcheck.sh): the probe and the
	# glibc programs that resolve run under valgrind
	PROBE_BIN=$PROBE
	PROBE=$(vg_wrap_file "$PROBE" "$T/vgprobe")
	vg_wrap_cmd getent id
	return 0
}

# mkstore with a spec on stdin (one transaction, one new generation)
nss_store() {
	"$MKSTORE" "$CONF" -f - "$@" >/dev/null
}

# The standard population used by several tests.
nss_populate() {
	nss_store <<-'EOF'
	role deploy gid=80001 desc=Deployers members=bot,ci
	role readers gid=80002 members=ci
	role empty gid=80003
	account bot uid=70001 desc=Build%20bot home=/srv/bot shell=/bin/sh roles=80001 updated=1700000000
	account ci uid=70002 desc=CI roles=80001,80002 expires=1800000000 updated=1700000000
	account off uid=70003 disabled=1 updated=1700000000
	EOF
}

# A long-running resolver: nss_proc_start MODE, then nss_ask "get pwnam x"
nss_proc_start() {
	rm -f "$T/proc.in"
	mkfifo "$T/proc.in"
	"$PROBE" "$1" script <"$T/proc.in" >"$T/proc.out" 2>&1 &
	PROC_PID=$!
	exec 7>"$T/proc.in"
}
nss_ask() {
	local before after
	before=$(wc -l <"$T/proc.out")
	echo "$*" >&7
	for _ in $(seq 200); do
		after=$(wc -l <"$T/proc.out")
		[ "$after" -gt "$before" ] && break
		sleep 0.02
	done
	tail -1 "$T/proc.out"
}
nss_proc_stop() {
	echo quit >&7
	exec 7>&-
	wait "$PROC_PID" 2>/dev/null
}

# nss_store_groups_of_sizes: four accounts (bot ci cd qa), so the base group
# has 4 members, and roles big (4 members, GID 80001), exact (3, 80002)
# and small (2, 80003): groups either side of a group_members_max of 3
nss_store_groups_of_sizes() {
	nss_store <<-'EOF'
	role big gid=80001 members=bot,ci,cd,qa
	role exact gid=80002 members=bot,ci,cd
	role small gid=80003 members=bot,ci
	account bot uid=70001 roles=80001,80002,80003 updated=1700000000
	account ci uid=70002 roles=80001,80002,80003 updated=1700000000
	account cd uid=70003 roles=80001,80002 updated=1700000000
	account qa uid=70004 roles=80001 updated=1700000000
	EOF
}
