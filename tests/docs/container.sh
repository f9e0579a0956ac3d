# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# A Debian host for the docs test: an overlay of / (tmpfs upper layer) with
# the distribution's own configuration put back, booted by systemd under
# systemd-nspawn (its own mount, PID, UTS, IPC and network namespaces), so
# that ssh.service, systemctl, PAMName= and timers are the real ones.
# Sourced by tests/docs/test_docs.sh inside `unshare --mount`; needs $W (a
# tmpfs) and $src. tests/docs/README.md says why each step is safe.
#
#   ct_make NAME   lay out $W/NAME/root (sets R); nothing runs in it yet
#   ct_boot        boot it (sets CT_PID, the container's PID 1 seen from
#                  here; its console goes to $CT_CONSOLE); waits until
#                  systemd has reached docs.target
#   ct_sh CMD...   run as root in the container (clean environment)
#   ct_stop        power it off and remove its cgroups
#
# PID 1 of these machines is not systemd and the cgroups are a v1/v2
# hybrid; nspawn works there with --keep-unit --register=no (no bus, no
# machined) from a cgroup of our own in each hierarchy, removed afterwards
# (a unified cgroup2 host would do the same with its one hierarchy; not
# tried here).

CT_UNITS_MASKED="systemd-tmpfiles-setup.service systemd-tmpfiles-setup-dev.service
systemd-tmpfiles-clean.timer systemd-tmpfiles-clean.service systemd-sysctl.service
systemd-remount-fs.service systemd-modules-load.service systemd-binfmt.service
proc-sys-fs-binfmt_misc.automount proc-sys-fs-binfmt_misc.mount systemd-sysusers.service
systemd-update-done.service systemd-hwdb-update.service ldconfig.service
systemd-machine-id-commit.service systemd-firstboot.service systemd-random-seed.service
systemd-timesyncd.service systemd-journal-catalog-update.service systemd-update-utmp.service
kmod-static-nodes.service systemd-udevd.service systemd-udev-trigger.service
systemd-udevd-control.socket systemd-udevd-kernel.socket systemd-pstore.service
systemd-repart.service systemd-pcrphase.service systemd-pcrphase-sysinit.service
systemd-logind.service packagekit.service getty.target console-getty.service
systemd-initctl.socket systemd-journald-audit.socket systemd-ask-password-console.path
dev-hugepages.mount dev-mqueue.mount sys-fs-fuse-connections.mount sys-kernel-config.mount
sys-kernel-debug.mount sys-kernel-tracing.mount cryptsetup.target integritysetup.target
veritysetup.target e2scrub_reap.service remote-fs.target"

# the packages whose configuration the docs edit or rely on
CT_PKGS="openssh-server openssh-client sudo libpam-runtime libpam-modules login util-linux passwd"

# ct_conffiles: put each package's own /etc file back where the host's
# differs from what dpkg recorded (a development machine's edits); the
# package comes from apt's cache or `apt-get download` (its exact version).
ct_conffiles() {
	local pkg path want ver deb
	dpkg-query -W -f='${Package} ${Version}\n${Conffiles}\n' $CT_PKGS |
		awk '/^[^ ]/ {p = $1; v = $2; next} $1 ~ /^\/etc\// && $3 != "obsolete" {print p, v, $1, $2}' |
		while read -r pkg ver path want; do
			[ "$(md5sum <"$path" 2>/dev/null | cut -d' ' -f1)" = "$want" ] && continue
			deb=$(ls /var/cache/apt/archives/"${pkg}_${ver//:/%3a}"_*.deb 2>/dev/null | head -1)
			if [ -z "$deb" ]; then
				mkdir -p "$W/debs"
				(cd "$W/debs" && apt-get download -q "$pkg=$ver" >/dev/null 2>&1)
				deb=$(ls "$W/debs/${pkg}_"*.deb 2>/dev/null | head -1)
			fi
			[ -n "$deb" ] || { echo "cannot get $pkg $ver for its $path" >&2; return 1; }
			mkdir -p "$(dirname "$R$path")"
			dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ".$path" >"$R$path" || return 1
			echo "put back $path from $pkg $ver" >&2
		done
}

# in NAME's root before it boots
ct_chroot() {
	chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@"
}

ct_make() {
	local b=$W/$1 f p conffiles
	mkdir -p "$b/up" "$b/work" "$b/root"
	# what a fresh system does not have: root's home starts empty (an
	# opaque directory of the upper layer), an earlier store and
	# configuration are hidden (whiteouts)
	mkdir -p "$b/up/root" "$b/up/etc" "$b/up/var/lib"
	/usr/bin/python3 -c 'import os, sys; os.setxattr(sys.argv[1], "trusted.overlay.opaque", b"y")' "$b/up/root" || return 1
	mknod "$b/up/etc/svcacct" c 0 0 && mknod "$b/up/var/lib/svcacct" c 0 0 || return 1
	mount -t overlay overlay -o "lowerdir=/,upperdir=$b/up,workdir=$b/work" "$b/root" || return 1
	R=$b/root
	CT_NAME=$1
	# --- the distribution's configuration, not this machine's
	ct_conffiles || return 1
	mount -t proc proc "$R/proc" && mount --rbind /dev "$R/dev" || return 1
	# what no package ships there (earlier tests, local rules) goes
	conffiles=$(dpkg-query -W -f='${Conffiles}\n' | awk '{print $1}')
	for f in "$R"/etc/pam.d/* "$R"/etc/sudoers.d/* "$R"/etc/ssh/sshd_config.d/* "$R"/etc/ssh/ssh_config.d/*; do
		[ -e "$f" ] || continue
		case ${f#"$R"} in /etc/pam.d/common-*) continue ;; esac
		printf '%s\n' "$conffiles" | grep -qx -- "${f#"$R"}" || rm -rf "$f"
	done
	# sshd_config is ucf's copy of the package's template
	cp /usr/share/openssh/sshd_config "$R/etc/ssh/sshd_config"
	cp /usr/share/libc-bin/nsswitch.conf "$R/etc/nsswitch.conf"
	# svcacct itself, from an earlier install on this machine
	if ct_chroot dpkg-query -W svcacct libnss-svcacct libpam-svcacct >/dev/null 2>&1; then
		ct_chroot dpkg -P svcacct libpam-svcacct libnss-svcacct >/dev/null 2>&1
	fi
	rm -f "$R/usr/share/pam-configs/svcacct"
	for f in svcacct svcacct-shell; do rm -f "$R/usr/sbin/$f" "$R/usr/local/sbin/$f"; done
	rm -f "$R/usr/bin/svcacct-assert" "$R/usr/local/bin/svcacct-assert"
	rm -f "$R"/usr/lib/*/security/pam_svcacct.so "$R"/usr/lib/*/libnss_svcacct.so.2 \
		"$R"/usr/lib/security/pam_svcacct.so "$R"/usr/lib/libnss_svcacct.so.2
	# the common-* stacks as pam-auth-update writes them for the
	# installed profiles, on a fresh system
	rm -f "$R"/etc/pam.d/common-* "$R"/var/lib/pam/*
	ct_chroot pam-auth-update --package --force >/dev/null || return 1
	# root's home as on a fresh system, and host keys of its own
	cp -a /etc/skel/. "$R/root/"
	chown -R root:root "$R/root"
	chmod 700 "$R/root"
	rm -f "$R"/etc/ssh/ssh_host_*
	ct_chroot ssh-keygen -A >/dev/null || return 1
	umount -R "$R/dev" "$R/proc" || return 1
	# --- test-only settings (tests/docs/README.md lists them)
	echo web1 >"$R/etc/hostname"
	printf '127.0.0.1\tlocalhost\n192.0.2.1\tweb1\n127.0.0.1\tsso.example.com config.example.com\n' >"$R/etc/hosts"
	: >"$R/etc/fstab"
	: >"$R/etc/machine-id"
	# speed only: man-db's trigger rebuilds every index on each install
	rm -f "$R/var/lib/man-db/auto-update"
	# --- systemd: only what the docs need starts
	local s=$R/etc/systemd/system
	rm -rf "$s"/*.wants "$s"/*.requires
	for f in $CT_UNITS_MASKED $(cd "$R/lib/systemd/system" && ls -d *.target.wants/* 2>/dev/null | sed 's,.*/,,'); do
		case $f in systemd-journald.service | systemd-journald.socket | systemd-journald-dev-log.socket | \
			systemd-journal-flush.service | dbus.socket | dbus.service) continue ;; esac
		ln -sfn /dev/null "$s/$f"
	done
	cat >"$s/docs.target" <<-'EOF'
	[Unit]
	Description=svcacct docs test
	DefaultDependencies=no
	Wants=systemd-journald.service dbus.socket ssh.service
	After=systemd-journald.service dbus.socket ssh.service
	EOF
	mkdir -p "$R/docs-test"
}

# The cgroup hierarchies nspawn uses: name=systemd and cgroup2 of the
# hybrid layout these machines have, or the one cgroup2 of a unified host.
ct_cg_roots() {
	local h
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		echo /sys/fs/cgroup
		return
	fi
	for h in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
		[ -d "$h" ] && echo "$h"
	done
}

ct_cg_ok() {
	local r h
	r=$(ct_cg_roots)
	[ -n "$r" ] || return 1
	for h in $r; do [ -w "$h" ] || return 1; done
}

ct_boot() {
	local nspawn h i
	nspawn=$(command -v systemd-nspawn) || return 1
	CT_CG=svcacct-docs-$BASHPID
	# nspawn writes under /run/systemd/nspawn: a /run of our own (this
	# mount namespace's)
	if [ -z "${CT_RUN:-}" ]; then
		mount -t tmpfs -o mode=755 tmpfs /run || return 1
		CT_RUN=1
	fi
	(
		for h in $(ct_cg_roots); do
			mkdir -p "$h/$CT_CG" && echo "$BASHPID" >"$h/$CT_CG/cgroup.procs" || exit 1
		done
		exec "$nspawn" -q -D "$R" --register=no --keep-unit --private-network \
			-M "svcacct-docs-$CT_NAME" --hostname=web1 --boot -- systemd.unit=docs.target
	) </dev/null >"$CT_CONSOLE" 2>&1 &
	CT_NSPAWN=$!
	CT_PID=
	# a deadline, not a count: a boot next to the other route's compile
	# took longer than 300 rounds of this loop
	local until=$((SECONDS + 300))
	while [ "$SECONDS" -lt "$until" ]; do
		# the container's systemd moves itself from payload/ to
		# payload/init.scope early in its boot: look at the whole subtree
		for h in $(find "$(ct_cg_roots | head -1)/$CT_CG/payload" -name cgroup.procs -exec cat {} + 2>/dev/null); do
			if awk '/^NSpid:/ {exit !($NF == 1)}' "/proc/$h/status" 2>/dev/null; then CT_PID=$h; break; fi
		done
		[ -n "$CT_PID" ] && ct_sh systemctl is-active -q docs.target 2>/dev/null && break
		kill -0 "$CT_NSPAWN" 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$CT_PID" ] && ct_sh systemctl is-active -q docs.target
}

ct_sh() {
	nsenter -t "$CT_PID" -a -r env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root USER=root LOGNAME=root SHELL=/bin/bash LANG=C.UTF-8 TERM=dumb \
		bash -c 'cd /root && exec "$@"' ct "$@"
}

ct_stop() {
	local i d p
	# the container's state is thrown away: its PID 1 is killed, which
	# ends every process of its PID namespace at once (an orderly
	# shutdown waits for units and can take minutes)
	[ -n "${CT_PID:-}" ] && kill -KILL "$CT_PID" 2>/dev/null
	if [ -n "${CT_NSPAWN:-}" ]; then
		for i in $(seq 100); do kill -0 "$CT_NSPAWN" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$CT_NSPAWN" 2>/dev/null
		wait "$CT_NSPAWN" 2>/dev/null
	fi
	CT_NSPAWN="" CT_PID=""
	for d in $(ct_cg_roots); do
		d=$d/${CT_CG:-none}
		[ -d "$d" ] || continue
		# anything of the container still there is ours to end
		for p in $(find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		for _ in $(seq 50); do find "$d" -depth -type d -exec rmdir {} + 2>/dev/null; [ -d "$d" ] || break; sleep 0.1; done
	done
}
