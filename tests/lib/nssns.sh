# SPDX-License-Identifier: MIT
# Inside a private mount namespace (sourced there): the system's NSS
# serves a test store, as on a host where the CLI and the modules share
# one. nsswitch.conf says "files svcacct", the built module is laid over
# the multiarch library directory (setuid programs ignore
# LD_LIBRARY_PATH), and its configuration (the compiled-in path) names the
# store. Identity is the UID: pam_svcacct, nss_svcacct's initgroups and
# svcacct verify ask the system's NSS who a user is, so a test store must
# resolve. Nothing outside the scratch directory and the namespace is
# touched.

NSSNS_MODULE=$top_builddir/nss/.libs/libnss_svcacct.so.2
NSSNS_CONF=${SVCACCT_CONF_PATH:-/etc/svcacct/svcacct.conf}

# nssns_setup SCRATCH CONF: lay the overlay, serving CONF's store (its
# db_dir, state_dir and home_base).
nssns_setup() {
	local d=$1 ma
	NSSNS_DIR=$d
	mkdir -p "$d/etc/svcacct" "$d/conf" "$d/lib"
	chmod 755 "$d" "$d/etc" "$d/etc/svcacct" "$d/conf" "$d/lib"
	# in the overlay's own layer when the path is under /etc, so that a
	# test laying another overlay over /etc still sees it
	NSSNS_CONFDIR="$d/conf"
	[ "$NSSNS_CONF" != /etc/svcacct/svcacct.conf ] || NSSNS_CONFDIR="$d/etc/svcacct"
	: >"$NSSNS_CONFDIR/svcacct.conf"
	chmod 644 "$NSSNS_CONFDIR/svcacct.conf"
	nssns_store "$2"
	printf 'passwd: files svcacct\ngroup: files svcacct\nshadow: files svcacct\n' \
		>"$d/etc/nsswitch.conf"
	printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n' >"$d/plain.nsswitch"
	chmod 644 "$d/plain.nsswitch"
	cp /etc/passwd /etc/group "$d/etc/"
	chmod 644 "$d/etc/nsswitch.conf" "$d/etc/passwd" "$d/etc/group"
	cp "$NSSNS_MODULE" "$d/lib/" || return 1
	mount -t overlay overlay -o "lowerdir=$d/etc:/etc" /etc || return 1
	if [ "$NSSNS_CONFDIR" = "$d/conf" ]; then
		mkdir -p "$(dirname "$NSSNS_CONF")"
		mount --bind "$d/conf" "$(dirname "$NSSNS_CONF")" || return 1
	fi
	ma=$(gcc -print-multiarch 2>/dev/null)
	ma=/usr/lib/${ma:-x86_64-linux-gnu}
	mount -t overlay overlay -o "lowerdir=$d/lib:$ma" "$ma" || return 1
	[ ! -S /var/run/nscd/socket ] || mount -t tmpfs tmpfs /var/run/nscd
	# in the sanitizer build the module is instrumented: the system
	# programs the tests run load it through glibc and need the runtimes
	# preloaded (a no-op otherwise; tests/lib/san.sh)
	declare -F san_wrap >/dev/null || . "$top_srcdir/tests/lib/san.sh"
	san_wrap "$NSSNS_MODULE" setpriv runuser su getent id
}

# nssns_store CONF: serve the store of another svcacct.conf (the file is
# the overlay's lower layer, written in place: seen at once).
nssns_store() {
	grep -E '^(db_dir|state_dir|home_base) ' "$1" >"$NSSNS_DIR/conf.new"
	cat "$NSSNS_DIR/conf.new" >"$NSSNS_CONFDIR/svcacct.conf"
}

# nssns_passwd LINE: a passwd entry of the files source, before svcacct.
nssns_passwd() { printf '%s\n' "$1" >>"$NSSNS_DIR/etc/passwd"; }

# nssns_bypass CMD...: run a program that is not ours (a test web server)
# without the svcacct source, in a nested mount namespace that keeps the
# network: in the sanitizer build the module is instrumented, and an
# uninstrumented daemon that loads it (nginx's initgroups) dies or hangs.
nssns_bypass() {
	unshare --mount --propagation private sh -c \
		'mount --bind "$0" /etc/nsswitch.conf && exec "$@"' \
		"$NSSNS_DIR/plain.nsswitch" "$@"
}
