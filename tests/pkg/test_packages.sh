#!/bin/bash
# SPDX-License-Identifier: MIT
# The Debian and RPM packages, built from the `make dist` tarball of the
# tree this script is in, in a temporary directory, by the build blocks of
# docs/packaging.md run as written (tests/docs/README.md); nothing is
# written into the source tree but the .debs in build/pkg/, for the docs
# test (tests/docs/test_docs.sh):
#   - the RPM block (configure, make dist, rpmbuild -ta --nodeps) in a copy
#     of the tree; the Debian block (dpkg-buildpackage with nocheck, lintian
#     without errors or warnings, clean) in the unpacked tarball: its
#     apt-get line satisfies debian/control, the clean leaves the tarball's
#     files as they were; the packages' files, modes, conffiles and
#     dependencies;
#   - dpkg -i into a disposable root (an overlay of / with a tmpfs upper
#     layer, chrooted into, in a private mount namespace): nsswitch.conf,
#     pam-auth-update's common-* stacks, the store dirs and the keys user,
#     `svcacct account create` + getent, a login through PAM with a secret,
#     people's logins unchanged; apt-get remove and dpkg -P give back
#     nsswitch.conf and /etc/pam.d/common-* byte for byte, remove keeps the
#     store and the user, purge removes them;
#   - nsswitch.conf edge cases (no passwd line, svcacct already listed,
#     tabs and trailing blanks, the admin's edits while installed, upgrade,
#     reinstall, a symlinked file) and a locally edited common-auth;
#   - rpmbuild --nodeps: rpm -qlp / -qlvp (files, modes), --scripts, config
#     flags, and the RPM scriptlets run by rpm itself in a disposable root.
# Prints TAP. Needs root and mount namespaces.
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/tap.sh
. "$src/tests/lib/tap.sh"
# shellcheck source=../docs/lib.sh
. "$src/tests/docs/lib.sh"

if [ "${SVCACCT_PKG_IN_NS:-}" != 1 ]; then
	need_root
	need_userns
	need "dpkg-buildpackage, debhelper, rpmbuild, lintian, pamtester" \
		'command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null && command -v rpmbuild >/dev/null && command -v lintian >/dev/null && command -v pamtester >/dev/null'
	# everything below runs in a private mount namespace: the overlays
	# and tmpfs mounts vanish with it, whatever happens
	SVCACCT_PKG_IN_NS=1 exec unshare --mount --fork bash "$0" "$@"
fi

mount --make-rprivate /
W=$(mktemp -d /tmp/svcacct-pkg.XXXXXX)
cleanup() {
	umount -R "$W" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
mount -t tmpfs -o mode=0700 tmpfs "$W" || { tap_notok "tmpfs on $W"; done_testing; exit 1; }
ver=$(sed -n 's/^AC_INIT(\[svcacct\], \[\([^]]*\)\].*/\1/p' "$src/configure.ac")
arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
debarch=$(dpkg --print-architecture)
export DEBIAN_FRONTEND=noninteractive LC_ALL=C

# ---------------------------------------------------------------- build
# A copy of the tree: the files git knows (tracked and new), or, in an
# unpacked tarball, everything; build/ (the builds and tests' output) never.
mkdir -p "$W/tree" "$W/dist" "$W/deb" "$W/rpm"
docs_tree_copy "$W/tree"
tree_hash=$(docs_tree_hash)
docs_extract "$W/blocks" docs/packaging.md 2>"$W/extract.err" ||
	{ tap_notok "docs/packaging.md: its blocks"; tap_diag "$(cat "$W/extract.err")"; done_testing; exit 1; }
b_rpm=$(docs_block "$W/blocks" docs/packaging.md building | while read -r b; do
	grep -q 'rpmbuild -ta --nodeps' "$W/blocks/$b.sh" && echo "$b"; done)
b_deb=$(docs_block "$W/blocks" docs/packaging.md building | while read -r b; do
	grep -q 'dpkg-buildpackage' "$W/blocks/$b.sh" && echo "$b"; done)
[ -n "$b_rpm" ] && [ -n "$b_deb" ] ||
	{ tap_notok "docs/packaging.md#building has a Debian block and an RPM block (--nodeps)"; done_testing; exit 1; }
# the RPM block makes the tarball and the RPMs (rpmbuild uses ~/rpmbuild)
mkdir -p "$W/home"
HOME=$W/home docs_run_here "$W/blocks/$b_rpm.sh" "$W/tree" "$W/rpm.log"
rc=$?
expect_eq "packaging.md's RPM block, as written (configure, make dist, rpmbuild -ta --nodeps)" 0 "$rc"
[ "$rc" = 0 ] || tap_diag "$(tail -30 "$W/rpm.log")"
tarball="$W/tree/svcacct-$ver.tar.gz"
if [ -f "$tarball" ]; then tap_ok "make dist: svcacct-$ver.tar.gz"; else
	tap_notok "make dist"; done_testing; exit 1; fi
members=$(tar -tzf "$tarball")
missing=""
for f in $(cd "$W/tree" && find debian rpm -type f | sort); do
	printf '%s\n' "$members" | grep -qx "svcacct-$ver/$f" || missing="$missing $f"
done
expect_eq "every file of debian/ and rpm/ is in the tarball" "" "$missing"

tar -xzf "$tarball" -C "$W/deb"
# every file and link with its content, and every directory
lsdir() { (cd "$1" && find . \( -type f -o -type l \) -print0 | LC_ALL=C sort -z | xargs -0 sha256sum; find . -type d | LC_ALL=C sort); }
unpacked=$(lsdir "$W/deb/svcacct-$ver")
HOME=$W/home docs_run_here "$W/blocks/$b_deb.sh" "$W/deb/svcacct-$ver" "$W/deb.log"
rc=$?
expect_eq "packaging.md's Debian block, as written, in the unpacked tarball (nocheck, lintian, clean)" 0 "$rc"
[ "$rc" = 0 ] || tap_diag "$(tail -30 "$W/deb.log")"
expect_nomatch "nocheck: dh_auto_test ran no test" '^(PASS|FAIL|# TOTAL)' "$(cat "$W/deb.log")"
ok_cmd "its apt-get line installs what debian/control needs with the nocheck profile" \
	docs_builddeps_ok "$W/deb/svcacct-$ver/debian/control"
expect_eq "dpkg-buildpackage -T clean leaves the unpacked tarball as it was (files, content, directories)" "" \
	"$(diff <(printf '%s\n' "$unpacked") <(lsdir "$W/deb/svcacct-$ver"))"
DEB_SVC="$W/deb/svcacct_${ver}_$debarch.deb"
DEB_NSS="$W/deb/libnss-svcacct_${ver}_$debarch.deb"
DEB_PAM="$W/deb/libpam-svcacct_${ver}_$debarch.deb"
for d in "$DEB_SVC" "$DEB_NSS" "$DEB_PAM"; do
	[ -f "$d" ] || { tap_notok "built $(basename "$d")"; done_testing; exit 1; }
done
tap_ok "three binary packages: svcacct, libnss-svcacct, libpam-svcacct"
ok_cmd "the source tree has no build products (git status clean of them)" \
	test ! -e "$src/debian/.debhelper" -a ! -e "$src/debian/svcacct" -a ! -e "$src/debian/files"
# for the docs test: the .debs of this tree
pkgdir=$(docs_pkg_dir)
rm -rf "$pkgdir"
mkdir -p "$pkgdir" && cp "$DEB_SVC" "$DEB_NSS" "$DEB_PAM" "$pkgdir/" &&
	echo "$tree_hash" >"$pkgdir/tree.sha256"
ok_cmd "the .debs are left in build/pkg/ for tests/docs/test_docs.sh" test -s "$pkgdir/tree.sha256"

# lintian (the Debian block runs it): errors fail, and so do warnings
lint=$(grep -E '^[EWIXPNO]: ' "$W/deb.log")
expect_match "lintian ran on the .changes" 'lintian' "$(cat "$W/blocks/$b_deb.sh")"
expect_nomatch "lintian: no errors" '^E:' "$lint"
expect_nomatch "lintian: no warnings" '^W:' "$lint"
[ -z "$lint" ] || tap_diag "lintian:" "$lint"

# contents and modes
# listed NAME LISTING ENTRY...: each ENTRY ("mode owner path") is a whole
# line of LISTING, the file list of the package NAME.
listed() {
	local name="$1" listing="$2" f
	shift 2
	for f in "$@"; do
		expect_match "$name: $f" "^$(printf '%s' "$f" | sed 's/[.]/\\./g')\$" "$listing"
	done
}
lsdeb() { dpkg-deb -c "$1" | awk '{print $1, $2, $6}'; }
c_svc=$(lsdeb "$DEB_SVC") c_nss=$(lsdeb "$DEB_NSS") c_pam=$(lsdeb "$DEB_PAM")
listed svcacct.deb "$c_svc" "-rwxr-xr-x root/root ./usr/sbin/svcacct" \
	"-rwxr-xr-x root/root ./usr/sbin/svcacct-shell" \
	"-rwxr-xr-x root/root ./usr/bin/svcacct-assert" \
	"-rw-r--r-- root/root ./etc/svcacct/svcacct.conf" \
	"-rw-r--r-- root/root ./usr/share/man/man8/svcacct.8.gz" \
	"-rw-r--r-- root/root ./usr/share/man/man5/svcacct.conf.5.gz" \
	"-rw-r--r-- root/root ./usr/share/man/man1/svcacct-assert.1.gz" \
	"-rw-r--r-- root/root ./usr/share/man/man8/svcacct-shell.8.gz" \
	"-rw-r--r-- root/root ./lib/systemd/system/svcacct-issuer-refresh.service" \
	"-rw-r--r-- root/root ./lib/systemd/system/svcacct-issuer-refresh.timer" \
	"-rw-r--r-- root/root ./usr/share/bash-completion/completions/svcacct" \
	"-rw-r--r-- root/root ./usr/share/zsh/vendor-completions/_svcacct"
expect_match "libnss-svcacct.deb: the module in the multiarch dir" \
	"^-rw-r--r-- root/root \./usr/lib/$arch/libnss_svcacct\.so\.2\$" "$c_nss"
expect_match "libnss-svcacct.deb: nss_svcacct(8)" "nss_svcacct\.8\.gz" "$c_nss"
expect_match "libpam-svcacct.deb: the module in the multiarch security dir" \
	"^-rw-r--r-- root/root \./usr/lib/$arch/security/pam_svcacct\.so\$" "$c_pam"
expect_match "libpam-svcacct.deb: the pam-auth-update profile" \
	"^-rw-r--r-- root/root \./usr/share/pam-configs/svcacct\$" "$c_pam"
expect_nomatch "no .la, no unversioned .so" '\.la$|libnss_svcacct\.so$' "$c_nss$c_pam"
expect_eq "svcacct.deb: /etc/svcacct/svcacct.conf is a conffile" "/etc/svcacct/svcacct.conf" \
	"$(dpkg-deb --ctrl-tarfile "$DEB_SVC" | tar -xOf - ./conffiles 2>/dev/null)"
expect_match "svcacct Depends: libnss-svcacct (= $ver), adduser" \
	"libnss-svcacct \(= $ver\)" "$(dpkg-deb -f "$DEB_SVC" Depends | grep adduser)"
expect_match "libpam-svcacct Depends: libnss-svcacct (= $ver), libpam-runtime" \
	"libnss-svcacct \(= $ver\)" "$(dpkg-deb -f "$DEB_PAM" Depends | grep 'libpam-runtime (>= 1.0.1-6)')"
mkdir -p "$W/x" && dpkg-deb -x "$DEB_NSS" "$W/x"
expect_nomatch "the packaged NSS module needs no libcrypto, libjwt or jansson" \
	'libcrypto|libjwt|jansson|libpam' "$(readelf -d "$W/x/usr/lib/$arch/libnss_svcacct.so.2")"

# ---------------------------------------------------------------- disposable roots
# mkroot NAME: / as the read-only lower layer of an overlay whose upper
# layer lives in the tmpfs under $W; proc, dev, sys, a fresh /tmp and /run.
mkroot() {
	local b="$W/roots/$1"
	mkdir -p "$b/up" "$b/work" "$b/root"
	mount -t overlay overlay -o "lowerdir=/,upperdir=$b/up,workdir=$b/work" "$b/root" || return 1
	R="$b/root"
	mount -t proc proc "$R/proc"
	mount --rbind /dev "$R/dev"
	mount --rbind /sys "$R/sys"
	mount -t tmpfs tmpfs "$R/tmp"
	mount -t tmpfs tmpfs "$R/run"
	cp "$DEB_SVC" "$DEB_NSS" "$DEB_PAM" "$R/tmp/"
	# man-db's trigger rebuilds every index: seconds per install
	rm -f "$R/var/lib/man-db/auto-update"
}
# inroot CMD...: run in the root, with a clean environment
inroot() {
	chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C \
		DEBIAN_FRONTEND=noninteractive "$@"
}
# feed INPUT CMD...: run CMD in the root with INPUT on stdin (into OUT, ERR, RC)
feed() {
	local input=$1 ef
	shift
	ef=$(mktemp)
	OUT=$(printf '%s\n' "$input" | inroot "$@" 2>"$ef")
	RC=$?
	ERR=$(cat "$ef")
	rm -f "$ef"
}
sums() { (cd "$R/etc" && sha256sum nsswitch.conf pam.d/common-*); }
field() { awk -v db="$1:" '$1 == db' "$R/etc/nsswitch.conf"; }
D_SVC=/tmp/$(basename "$DEB_SVC") D_NSS=/tmp/$(basename "$DEB_NSS") D_PAM=/tmp/$(basename "$DEB_PAM")

# ---------------------------------------------------------------- install, use, remove, purge
mkroot main || { tap_notok "overlay of / (mount -t overlay)"; done_testing; exit 1; }
tap_ok "disposable root: overlay of / in a private mount namespace"
before=$(sums)
cp "$R/etc/nsswitch.conf" "$W/nsswitch.orig"
cat >"$R/etc/pam.d/svctest" <<'EOF'
@include common-auth
@include common-account
@include common-session-noninteractive
EOF
inroot useradd -m -s /bin/sh alice && echo 'alice:Alice-pw-1' | inroot chpasswd
# a person's login before the install, to compare with after
alice_before=$(printf 'Alice-pw-1\n' | inroot pamtester svctest alice authenticate acct_mgmt 2>&1; echo "rc=$?")

run inroot dpkg -i "$D_NSS" "$D_PAM" "$D_SVC"
expect_eq "dpkg -i of the three packages" 0 "$RC"
[ "$RC" = 0 ] || tap_diag "$OUT" "$ERR"
for db in passwd group shadow; do
	expect_match "nsswitch.conf: svcacct right after files on $db" \
		"^$db:[[:space:]]+files svcacct( |\$)" "$(field $db)"
done
expect_eq "nsswitch.conf: only those three lines changed" 3 \
	"$(diff "$W/nsswitch.orig" "$R/etc/nsswitch.conf" | grep -c '^>')"
ok_cmd "the preinst marker is gone" test ! -e "$R/etc/nsswitch.conf.nss.libnss-svcacct-will-install"

# pam-auth-update: what it actually generated
auth=$(grep -Ev '^\s*(#|$)' "$R/etc/pam.d/common-auth")
sv=$(printf '%s\n' "$auth" | grep -n 'pam_svcacct.so' | cut -d: -f1)
ux=$(printf '%s\n' "$auth" | grep -n 'pam_unix.so' | cut -d: -f1)
expect_match "common-auth: pam_svcacct with the profile's flags, success=end made a jump" \
	'^auth\s+\[success=[0-9]+ user_unknown=ignore authinfo_unavail=ignore ignore=ignore default=die\]\s+pam_svcacct\.so' \
	"$(printf '%s\n' "$auth" | sed -n "${sv:-0}p")"
ok_cmd "common-auth: pam_svcacct before pam_unix" test "${sv:-99}" -lt "${ux:-0}"
jump=$(printf '%s\n' "$auth" | sed -n "${sv:-0}p" | sed -E 's/.*success=([0-9]+).*/\1/')
expect_match "common-auth: the success jump lands on pam_permit (past pam_deny)" \
	'pam_permit\.so' "$(printf '%s\n' "$auth" | sed -n "$((${sv:-0} + ${jump:-0} + 1))p")"
acct=$(grep -Ev '^\s*(#|$)' "$R/etc/pam.d/common-account")
expect_match "common-account: pam_svcacct [success=ok ignore=ignore default=bad] after pam_permit" \
	'^account\s+\[success=ok ignore=ignore default=bad\]\s+pam_svcacct\.so' \
	"$(printf '%s\n' "$acct" | sed -n '/pam_permit/,$p' | sed 1d)"
expect_nomatch "common-password: no pam_svcacct entry" 'pam_svcacct' "$(cat "$R/etc/pam.d/common-password")"
for f in common-session common-session-noninteractive; do
	expect_match "$f: pam_svcacct [success=ok ignore=ignore default=bad] (a refused session ends the login)" \
		'^session\s+\[success=ok ignore=ignore default=bad\]\s+pam_svcacct\.so' "$(cat "$R/etc/pam.d/$f")"
done

# store dirs, keys user, config
expect_eq "db dir root:root 0755" "root:root 755" "$(stat -c '%U:%G %a' "$R/var/lib/svcacct/db")"
expect_eq "state dir root:root 0700" "root:root 700" "$(stat -c '%U:%G %a' "$R/var/lib/svcacct/state")"
expect_eq "/var/lib/svcacct root:root 0755" "root:root 755" "$(stat -c '%U:%G %a' "$R/var/lib/svcacct")"
keys=$(inroot getent passwd _svcacct-keys)
expect_match "system user _svcacct-keys (no home, nologin, own group)" \
	'^_svcacct-keys:x:[0-9]{1,3}:[0-9]+:[^:]*:/nonexistent:/usr/sbin/nologin$' "$keys"
kgid=$(inroot getent group _svcacct-keys | cut -d: -f3)
expect_eq "its primary group is _svcacct-keys" "$kgid" "$(printf '%s' "$keys" | cut -d: -f4)"
expect_eq "svcacct.conf root:root 0644" "root:root 644" "$(stat -c '%U:%G %a' "$R/etc/svcacct/svcacct.conf")"
ok_cmd "the JWKS refresh timer is installed but not enabled" \
	test ! -e "$R/etc/systemd/system/timers.target.wants/svcacct-issuer-refresh.timer"
expect_match "its service runs the installed svcacct (issuers, then accounts)" \
	"^ExecStart=/bin/sh -c '/usr/sbin/svcacct issuer refresh; r=\\\$\\\$\\?; /usr/sbin/svcacct key refresh \\|\\| r=1; exit \\\$\\\$r'\$" \
	"$(cat "$R/lib/systemd/system/svcacct-issuer-refresh.service")"

# use it: accounts resolve, logins go through the system's PAM stacks
ok_cmd "svcacct role create" inroot svcacct role create testers --force --services svctest --from local
ok_cmd "svcacct account create" inroot svcacct account create bot --role testers
expect_match "getent passwd bot (through the installed NSS module)" '^bot:x:70000:70000:' \
	"$(inroot getent passwd bot)"
expect_match "id bot: the base role and the role's group" 'svcacct.*testers|testers.*svcacct' "$(inroot id -Gn bot)"
expect_match "getent shadow bot: no password" '^bot:\*:' "$(inroot getent shadow bot)"
inroot ssh-keygen -q -t ed25519 -N '' -C bot@ci -f /tmp/botkey >/dev/null
ok_cmd "svcacct sshkey add" inroot svcacct sshkey add bot --pubkey /tmp/botkey.pub
expect_eq "pubkeys.db: root:_svcacct-keys 0640" "root:_svcacct-keys 640" \
	"$(inroot stat -L -c '%U:%G %a' /var/lib/svcacct/db/current/pubkeys.db 2>&1)"
ok_cmd "svcacct check: the packaged layout passes" inroot svcacct check
expect_match "authorized-keys as the keys user (sshd's AuthorizedKeysCommandUser)" '^restrict.* ssh-ed25519 ' \
	"$(inroot setpriv --reuid=_svcacct-keys --regid=_svcacct-keys --clear-groups sh -c 'exec /usr/sbin/svcacct authorized-keys bot' 2>&1)"
secret=$(inroot svcacct secret add bot)
feed "$secret" pamtester svctest bot authenticate acct_mgmt open_session close_session
expect_eq "PAM login of bot with its secret (common-auth/account/session)" 0 "$RC"
[ "$RC" = 0 ] || tap_diag "$OUT" "$ERR"
feed svcs_not_a_secret pamtester svctest bot authenticate
expect_eq "a wrong credential is refused" 1 "$RC"
feed Alice-pw-1 pamtester svctest bot authenticate
expect_eq "no fall-through to pam_unix for a service account" 1 "$RC"
inroot svcacct account disable bot >/dev/null
feed "$secret" pamtester svctest bot acct_mgmt
expect_eq "a disabled account is refused in the account phase" 1 "$RC"
# the session phase checks the account again; common-session must make its
# refusal final ("optional" would open the session all the same)
run inroot pamtester svctest bot open_session
expect_eq "... and its session is refused (common-session: default=bad)" 1 "$RC"
inroot svcacct account enable bot >/dev/null
alice_after=$(printf 'Alice-pw-1\n' | inroot pamtester svctest alice authenticate acct_mgmt 2>&1; echo "rc=$?")
expect_eq "a person's password login is unchanged (pam_unix)" "$alice_before" "$alice_after"
expect_match "... and succeeds" 'successfully authenticated' "$alice_after"
feed wrong pamtester svctest alice authenticate
expect_eq "a person's wrong password is still refused" 1 "$RC"
# sshd calls pam_setcred without pam_authenticate on the same handle
# (public keys; its PAM conversation runs in another process)
ok_cmd "a person's setcred without authenticate succeeds" inroot pamtester svctest alice setcred
ok_cmd "a person's session opens" inroot pamtester svctest alice open_session close_session

# remove: configuration back byte for byte, store and user kept
run inroot apt-get remove -y libpam-svcacct libnss-svcacct svcacct
expect_eq "apt-get remove" 0 "$RC"
[ "$RC" = 0 ] || tap_diag "$OUT" "$ERR"
expect_eq "after remove: nsswitch.conf and pam.d/common-* byte for byte as before" "$before" "$(sums)"
ok_cmd "after remove: the store is kept" test -L "$R/var/lib/svcacct/db/current" -a -f "$R/var/lib/svcacct/state/hostkey"
ok_cmd "after remove: the keys user is kept" inroot getent passwd _svcacct-keys
ok_cmd "after remove: the conffile is kept" test -f "$R/etc/svcacct/svcacct.conf"
run inroot dpkg -i "$D_NSS" "$D_PAM" "$D_SVC"
expect_match "reinstall after remove: svcacct back on passwd, the accounts too" \
	'^passwd:\s+files svcacct' "$(field passwd)"
expect_match "reinstall after remove: bot resolves again" '^bot:x:70000:' "$(inroot getent passwd bot)"
run inroot dpkg -r libpam-svcacct svcacct libnss-svcacct
run inroot dpkg -P libpam-svcacct svcacct libnss-svcacct
expect_eq "dpkg -P" 0 "$RC"
[ "$RC" = 0 ] || tap_diag "$OUT" "$ERR"
expect_eq "dpkg -P: no deluser warning (\"/usr/bin/crontab not executed\" where cron is absent)" "" \
	"$(printf '%s\n' "$OUT" "$ERR" | grep -iE 'deluser|crontab|not executed')"
expect_eq "after purge: nsswitch.conf and pam.d/common-* byte for byte as before" "$before" "$(sums)"
ok_cmd "after purge: db dir gone" test ! -e "$R/var/lib/svcacct/db"
ok_cmd "after purge: state dir gone" test ! -e "$R/var/lib/svcacct/state"
fail_cmd "after purge: keys user gone" inroot getent passwd _svcacct-keys
fail_cmd "after purge: keys group gone" inroot getent group _svcacct-keys
ok_cmd "after purge: conffile gone" test ! -e "$R/etc/svcacct/svcacct.conf"
expect_eq "after purge: no package left" "" "$(inroot dpkg-query -W -f='${Package} ${Status}\n' 'libnss-svcacct' 'libpam-svcacct' 'svcacct' 2>/dev/null | grep -v not-installed)"

# ---------------------------------------------------------------- nsswitch.conf edge cases
mkroot nss || { tap_notok "second root"; done_testing; exit 1; }
nssi() { run inroot dpkg -i "$D_NSS"; }
nssr() { run inroot dpkg -P libnss-svcacct; }
put() { printf "$1" >"$R/etc/nsswitch.conf"; cp "$R/etc/nsswitch.conf" "$W/n.orig"; }
same() { cmp -s "$W/n.orig" "$R/etc/nsswitch.conf"; }

put 'group:          files systemd\nshadow:         files\nhosts:          files dns\n'
nssi
expect_eq "no passwd line: install succeeds" 0 "$RC"
expect_match "no passwd line: says so" 'no "passwd:" line' "$ERR"
ok_cmd "no passwd line: none added" sh -c "! grep -q '^passwd' '$R/etc/nsswitch.conf'"
expect_match "no passwd line: group still gets it" '^group:\s+files svcacct systemd$' "$(field group)"
nssr
ok_cmd "no passwd line: purge restores byte for byte" same

put 'passwd:         files svcacct systemd\ngroup:          files systemd\nshadow:         files\n'
nssi
expect_eq "svcacct already on passwd: line untouched, not duplicated" \
	'passwd:         files svcacct systemd' "$(grep '^passwd' "$R/etc/nsswitch.conf")"
expect_match "svcacct already on passwd: group gets it" '^group:\s+files svcacct systemd$' "$(field group)"
nssi
expect_eq "installing twice adds nothing more" 3 "$(grep -o svcacct "$R/etc/nsswitch.conf" | wc -l)"
nssr
expect_eq "purge: svcacct out of every line, nothing else changed" \
	"$(printf 'passwd:         files systemd\ngroup:          files systemd\nshadow:         files')" \
	"$(cat "$R/etc/nsswitch.conf")"

put 'passwd:\tfiles\tsystemd # local note\ngroup: files [NOTFOUND=return] systemd\nshadow:\tcompat\n# trailing blanks stay:   \nhosts: files dns  \nnetgroup: nis'
nssi
expect_eq "tabs, comments, an action, compat, no final newline: added in place" \
	"$(printf 'passwd:\tfiles svcacct\tsystemd # local note\ngroup: files [NOTFOUND=return] svcacct systemd\nshadow:\tcompat svcacct\n# trailing blanks stay:   \nhosts: files dns  \nnetgroup: nis')" \
	"$(cat "$R/etc/nsswitch.conf")"
nssr
ok_cmd "... and purge restores it byte for byte" same

put 'passwd:         files systemd\ngroup:          files systemd\nshadow:         files\nhosts:          files dns\n'
nssi
# the admin edits while installed: another service, an action on ours
sed -i -e 's/^hosts:.*/hosts:          files mdns4_minimal dns/' \
	-e 's/^\(group:.*\) svcacct /\1 svcacct [NOTFOUND=return] /' "$R/etc/nsswitch.conf"
echo 'netgroup:       files' >>"$R/etc/nsswitch.conf"
nssr
expect_eq "remove keeps the admin's edits (only svcacct and its action go)" \
	"$(printf 'passwd:         files systemd\ngroup:          files systemd\nshadow:         files\nhosts:          files mdns4_minimal dns\nnetgroup:       files')" \
	"$(cat "$R/etc/nsswitch.conf")"

put 'passwd:         files systemd\ngroup:          files systemd\nshadow:         files\n'
nssi
sed -i 's/^group:.*/group:          files systemd/' "$R/etc/nsswitch.conf"
nssi
expect_eq "upgrade (reinstall while installed) does not put back what the admin took out" \
	'group:          files systemd' "$(grep '^group' "$R/etc/nsswitch.conf")"
nssr
ok_cmd "... and purge restores the original" same

mv "$R/etc/nsswitch.conf" "$R/etc/nsswitch.real"
ln -s nsswitch.real "$R/etc/nsswitch.conf"
nssi
ok_cmd "a symlinked nsswitch.conf stays a symlink (its target is edited)" \
	sh -c "test -L '$R/etc/nsswitch.conf' && grep -q '^passwd:.*files svcacct' '$R/etc/nsswitch.real'"
nssr
ok_cmd "... and purge restores the target" cmp -s "$W/n.orig" "$R/etc/nsswitch.real"
rm -f "$R/etc/nsswitch.conf"
mv "$R/etc/nsswitch.real" "$R/etc/nsswitch.conf"

rm -f "$R/etc/nsswitch.conf"
nssi
expect_eq "no nsswitch.conf at all: install succeeds" 0 "$RC"
ok_cmd "no nsswitch.conf at all: none created" test ! -e "$R/etc/nsswitch.conf"
nssr

# ---------------------------------------------------------------- a hand-edited common-auth
# pam-auth-update keeps an admin's option on a managed line and local lines
# outside its block; purge must then give back the admin's file.
mkroot pam || { tap_notok "third root"; done_testing; exit 1; }
sed -i 's/pam_unix\.so nullok$/pam_unix.so nullok debug/' "$R/etc/pam.d/common-auth"
printf '# local rule\nauth\trequired\tpam_env.so\n' >>"$R/etc/pam.d/common-auth"
before=$(sums)
run inroot dpkg -i "$D_NSS" "$D_PAM"
expect_eq "locally edited common-auth: install succeeds" 0 "$RC"
ca=$(cat "$R/etc/pam.d/common-auth")
expect_match "locally edited common-auth: pam_svcacct added" '^auth\s+\[success=2 .*pam_svcacct\.so' "$ca"
expect_match "locally edited common-auth: the admin's option kept" 'pam_unix\.so nullok .*debug' "$ca"
expect_eq "locally edited common-auth: the admin's lines after the block kept" \
	"$(printf '# local rule\nauth\trequired\tpam_env.so')" "$(printf '%s\n' "$ca" | tail -2)"
run inroot dpkg -P libpam-svcacct libnss-svcacct
expect_eq "locally edited common-auth: purge gives the admin's files back byte for byte" "$before" "$(sums)"

# ---------------------------------------------------------------- RPM
rdir="$W/home/rpmbuild/RPMS/$(uname -m)"
RPM_SVC="$rdir/svcacct-$ver-1.$(uname -m).rpm"
RPM_NSS="$rdir/nss_svcacct-$ver-1.$(uname -m).rpm"
RPM_PAM="$rdir/pam_svcacct-$ver-1.$(uname -m).rpm"
ok_cmd "three RPMs: svcacct, nss_svcacct, pam_svcacct" test -f "$RPM_SVC" -a -f "$RPM_NSS" -a -f "$RPM_PAM"
libdir=$(rpm --eval '%_libdir')
qlv() { rpm -qlvp "$1" 2>/dev/null | awk '{print $1, $3, $4, $NF}'; }
v_svc=$(qlv "$RPM_SVC") v_nss=$(qlv "$RPM_NSS") v_pam=$(qlv "$RPM_PAM")
listed svcacct.rpm "$v_svc" "-rwxr-xr-x root root /usr/sbin/svcacct" \
	"-rwxr-xr-x root root /usr/sbin/svcacct-shell" \
	"-rwxr-xr-x root root /usr/bin/svcacct-assert" \
	"-rw-r--r-- root root /etc/svcacct/svcacct.conf" \
	"drwxr-xr-x root root /var/lib/svcacct" \
	"drwxr-xr-x root root /var/lib/svcacct/db" \
	"drwx------ root root /var/lib/svcacct/state" \
	"-rw-r--r-- root root /usr/lib/systemd/system/svcacct-issuer-refresh.service" \
	"-rw-r--r-- root root /usr/lib/systemd/system/svcacct-issuer-refresh.timer" \
	"-rw-r--r-- root root /usr/share/bash-completion/completions/svcacct" \
	"-rw-r--r-- root root /usr/share/zsh/site-functions/_svcacct"
expect_match "svcacct.rpm: man pages" 'man8/svcacct\.8.*' "$(rpm -qlp "$RPM_SVC" 2>/dev/null | tr '\n' ' ' | grep 'man1/svcacct-assert.1' | grep 'man5/svcacct.conf.5' | grep 'man8/svcacct-shell.8')"
expect_match "nss_svcacct.rpm: $libdir/libnss_svcacct.so.2" "^-rwxr-xr-x root root $libdir/libnss_svcacct\.so\.2\$" "$v_nss"
expect_match "pam_svcacct.rpm: $libdir/security/pam_svcacct.so" "^-rwxr-xr-x root root $libdir/security/pam_svcacct\.so\$" "$v_pam"
expect_nomatch "no .la, no unversioned .so, no pam-configs in the RPMs" '\.la$|libnss_svcacct\.so$|pam-configs' "$v_nss$v_pam$v_svc"
expect_eq "svcacct.conf is %config(noreplace)" "cn /etc/svcacct/svcacct.conf" \
	"$(rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$RPM_SVC" 2>/dev/null | grep 'svcacct.conf$')"
s_nss=$(rpm -qp --scripts "$RPM_NSS" 2>/dev/null) s_svc=$(rpm -qp --scripts "$RPM_SVC" 2>/dev/null)
expect_match "nss_svcacct %post adds svcacct after files on first install" \
	'postinstall scriptlet.*' "$(printf '%s' "$s_nss" | tr '\n' ' ' | grep -E 'postinstall scriptlet.*"\$1" -eq 1.*authselect current.*1 svcacct')"
expect_match "nss_svcacct %postun removes it on the last erase" \
	'postuninstall' "$(printf '%s' "$s_nss" | tr '\n' ' ' | grep -E 'postuninstall scriptlet.*"\$1" -eq 0.*\(svcacct\)')"
expect_match "svcacct %pre creates the _svcacct-keys system user" \
	'useradd -r -g _svcacct-keys' "$s_svc"
expect_match "pam_svcacct requires nss_svcacct of the same version" "^nss_svcacct.* = $ver-1\$" \
	"$(rpm -qp --requires "$RPM_PAM" 2>/dev/null)"
# the scriptlets, run by rpm itself in a disposable root
mkroot rpm || { tap_notok "fourth root"; done_testing; exit 1; }
cp "$RPM_SVC" "$RPM_NSS" "$R/tmp/"
nbefore=$(sha256sum <"$R/etc/nsswitch.conf")
run inroot rpm -i --nodeps --dbpath /tmp/rpmdb "/tmp/$(basename "$RPM_NSS")" "/tmp/$(basename "$RPM_SVC")"
expect_eq "rpm -i (scriptlets run)" 0 "$RC"
[ "$RC" = 0 ] || tap_diag "$OUT" "$ERR"
for db in passwd group shadow; do
	expect_match "rpm %post: svcacct after files on $db" "^$db:[[:space:]]+files svcacct( |\$)" "$(field $db)"
done
ok_cmd "rpm %pre: the keys user exists" inroot getent passwd _svcacct-keys
run inroot rpm -e --nodeps --dbpath /tmp/rpmdb nss_svcacct svcacct
expect_eq "rpm -e: nsswitch.conf byte for byte as before" "$nbefore" "$(sha256sum <"$R/etc/nsswitch.conf")"

done_testing
[ "$TAP_FAILED" = 0 ]
