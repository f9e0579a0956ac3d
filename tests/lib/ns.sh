# SPDX-License-Identifier: MIT
# Helpers for tests that run inside `unshare --mount` (sourced there).

# CONF: the configuration path compiled into the tools and modules, which
# such a test lays its own file over (make check exports it; a distcheck
# build has it under its own prefix rather than /etc)
CONF=${SVCACCT_CONF_PATH:-/etc/svcacct/svcacct.conf}

# Replace /dev with a tmpfs holding the usual character devices (and no
# /dev/log: the caller serves one).
ns_private_dev() {
	local old
	old=$(mktemp -d)
	mount --bind /dev "$old"
	mount -t tmpfs -o mode=755 tmpfs /dev
	for d in null zero urandom random full tty; do
		[ -e "$old/$d" ] || continue
		touch "/dev/$d"
		mount --bind "$old/$d" "/dev/$d"
	done
	ln -s /proc/self/fd /dev/fd
}

# ns_private_dev, and a syslog socket served by tests/lib/syslog.py, which
# appends to $1 and exits when this shell does.
ns_private_syslog() {
	local out=$1
	ns_private_dev
	rm -f "$out" "$out.ready"
	(python3 "$top_srcdir/tests/lib/syslog.py" /dev/log "$out" "$$" </dev/null >/dev/null 2>&1 &)
	for _ in $(seq 100); do [ -e "$out.ready" ] && return 0; sleep 0.05; done
	echo "syslog listener did not start" >&2
	return 1
}

# Wait until the syslog file has a line matching an ERE (up to 2 s).
ns_wait_log() {
	for _ in $(seq 40); do grep -Eq -- "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
	return 1
}

# The directory of the system's shared libraries (where glibc looks for
# NSS modules): the multiarch directory, else libc.so.6's.
ns_multiarch_dir() {
	local ma
	ma=$(gcc -print-multiarch 2>/dev/null)
	if [ -n "$ma" ] && [ -d "/usr/lib/$ma" ]; then
		echo "/usr/lib/$ma"
		return
	fi
	dirname "$(ldconfig -p | sed -n 's/.*libc\.so\.6.*=> //p' | head -1)"
}
