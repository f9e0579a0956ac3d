#!/bin/bash
# SPDX-License-Identifier: MIT
# Reserved group names: a role (or an account, whose own group has its name)
# may not take the name of a group that the system or a package creates
# (docker, lxd, libvirt, kvm, www-data, ...) without --force; the
# reserved_group_names key of svcacct.conf adds names and exempts built-in
# ones. role create, account create, import and apply all refuse, with a
# message naming the reason and the way out, and change nothing.
#
# Runs in a private mount namespace (tests/nss/lib.sh) with a writable layer
# over /etc, so that the groups tried here can be taken out of /etc/group
# whatever the host has (a name that exists on the host is refused for that
# reason first), and with the built NSS module ("files svcacct").
. "$top_srcdir/tests/lib/cli.sh"
. "$top_srcdir/tests/lib/ns.sh"
. "$top_srcdir/tests/nss/lib.sh"
nss_enter_ns "$@"
nss_setup || { tap_notok "namespace setup"; done_testing; exit 1; }
need "tools/svcacct (built)" '[ -x "$SVCACCT_CLI" ]'
need python3 'command -v python3 >/dev/null'

# a writable /etc on top of the test's overlay (gone with the namespace)
cli_writable_etc || { done_testing; exit 1; }
NAMES="docker lxd libvirt kvm www-data plugdev video systemd-network _ssh deploy-admins"
for f in group passwd; do
	grep -vE "^($(echo "$NAMES" | tr ' ' '|')):" "/etc/$f" >"$T/$f.new"
	cat "$T/$f.new" >"/etc/$f"
done
ns_private_syslog "$T/syslog" || { tap_notok "syslog listener"; done_testing; exit 1; }

cli() { "$SVCACCT_CLI" --conf "$CONF" "$@"; }
# the store's content and history: what a refused command must not change
snap() {
	cli generations 2>&1
	cli export 2>&1
	ls -A "$T/db" 2>&1
	for f in "$T"/state/*; do [ -f "$f" ] && md5sum "$f"; done
}
# refused DESC REGEX CMD...: exit 1, REGEX on stderr, store unchanged.
refused() {
	local d="$1"
	shift
	cli_refused "$d" 1 "$@"
}
# conf [LINE...]: the test config plus these lines; a store to start from
conf() {
	nss_write_conf "$@"
	rm -rf "$T/db" "$T/state"
	cli role create base-role >/dev/null || tap_notok "store for the next checks"
}

# ------------------------------------------------------------------ role create
conf
for n in docker lxd libvirt kvm www-data plugdev video systemd-network _ssh; do
	refused "role create $n: refused, reason and way out named" \
		"role name '$n' is reserved: it is a group that the system or a package creates.*use --force.*reserved_group_names = !$n" \
		cli role create "$n"
done
refused "role create with --gid: refused all the same" "role name 'docker' is reserved" \
	cli role create docker --gid 80050
expect_eq "no group docker after the refusals" "2" "$(getent group docker >/dev/null; echo $?)"

run cli role create docker --force
expect_eq "role create docker --force: exit 0" "0 created role docker (gid 80002)" "$RC $OUT"
expect_match "--force: a warning on stderr names the risk" \
	"warning: role 'docker' took a reserved group name \(--force\): .addgroup --system docker. will now fail, and a package .* will reuse GID 80002" "$ERR"
expect_eq "--force: the role resolves as group docker" "docker:x:80002:" "$(getent group docker)"
ns_wait_log "$T/syslog" "event=role-create result=ok role=docker gid=80002 forced=reserved-name"
expect_match "--force: the audit log says the name was forced" \
	"event=role-create result=ok role=docker gid=80002 forced=reserved-name" "$(cat "$T/syslog")"
run cli role create lxd --force --json
expect_eq "--force --json: the JSON result on stdout" "0 lxd" \
	"$RC $(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["name"])')"
expect_eq "check is clean with forced roles" "0" "$(cli check >/dev/null 2>&1; echo $?)"
run cli role create plain-role
expect_eq "a free name: no warning" "0 " "$RC $ERR"
expect_nomatch "a free name: no forced= in the audit log" "role=plain-role .*forced" "$(cat "$T/syslog")"

# names sv_name_check refuses outright stay refused with --force
refused "role create sudo --force: still refused (reserved outright)" "name 'sudo' is reserved" \
	cli role create sudo --force
# svcacct's own keys group: never, not even with --force
refused "role create _svcacct-keys --force: keys_group refused" \
	"role name '_svcacct-keys' is keys_group in .*svcacct\.conf: the group that may read pubkeys\.db; choose another name" \
	cli role create _svcacct-keys --force
conf "keys_group = ssh-readers"
refused "a configured keys_group is refused too" "role name 'ssh-readers' is keys_group" \
	cli role create ssh-readers --force

# ------------------------------------------------------------------ the config key
conf "reserved_group_names = deploy-admins, build-admins"
refused "reserved_group_names adds names" \
	"role name 'deploy-admins' is reserved by reserved_group_names in .*svcacct\.conf; choose another name, or use --force" \
	cli role create deploy-admins
refused "reserved_group_names extends the built-in list (docker still refused)" \
	"role name 'docker' is reserved: it is a group" cli role create docker
expect_rc "reserved_group_names name with --force: created" 0 "" cli role create build-admins --force
conf "reserved_group_names = !docker !www-data"
expect_rc "'!docker' exempts a built-in name: created without --force" 0 "" cli role create docker
run cli role create www-data
expect_eq "exempted name: no warning" "0 " "$RC $ERR"
refused "exempting one name leaves the others reserved" "role name 'lxd' is reserved" cli role create lxd
# conf_bad DESC REGEX LINE: svcacct refuses to run with this config
conf_bad() {
	local d="$1" re="$2"; shift 2
	nss_write_conf "$@"
	run cli role list
	if [ "$RC" = 1 ] && printf '%s' "$ERR" | grep -Eq -- "$re"; then
		tap_ok "$d"
	else
		tap_notok "$d"
		tap_diag "config: $*" "rc=$RC" "stderr: $ERR"
	fi
}
conf_bad "bad config: upper case entry refused, line and key named" \
	"svcacct\.conf:5: reserved_group_names: bad entry 'Docker': not a name a role or account could have" \
	"reserved_group_names = Docker"
conf_bad "bad config: '!' on a name not built in refused" \
	"svcacct\.conf:5: reserved_group_names: bad entry '!mygroup': exempts a name that is not on the built-in list" \
	"reserved_group_names = !mygroup"
conf_bad "bad config: a name both reserved and exempted refused" \
	"svcacct\.conf:5: reserved_group_names: both 'docker' and '!docker'" \
	"reserved_group_names = docker !docker"
conf_bad "bad config: an entry too long refused" "svcacct\.conf:5: reserved_group_names: bad entry" \
	"reserved_group_names = $(printf 'a%.0s' $(seq 34))"
conf_bad "bad config: all digits refused" "reserved_group_names: bad entry '1234'" \
	"reserved_group_names = 1234"

# ------------------------------------------------------------------ import, apply
# An export with a role docker (from a host that exempts the name) goes into
# a store that does not: import refuses it, as apply does a manifest.
nss_write_conf "reserved_group_names = !docker"
rm -rf "$T/db" "$T/state"
cli role create docker >/dev/null
cli export >"$T/exp.json"
conf
refused "import of a role docker: refused" "role name 'docker' is reserved" cli import "$T/exp.json"
cat >"$T/m.json" <<'JSON'
{"format": "svcacct-manifest", "version": 1,
 "roles": [{"name": "base-role"}, {"name": "libvirt", "gid": 80060}], "accounts": []}
JSON
refused "apply of a manifest with a role libvirt: refused" "role name 'libvirt' is reserved.*reserved_group_names = !libvirt" \
	cli apply "$T/m.json"
expect_eq "after the refused apply: no group libvirt" "2" "$(getent group libvirt >/dev/null; echo $?)"
nss_write_conf "reserved_group_names = !libvirt"
expect_rc "apply with the name exempted: applied" 0 "" cli apply "$T/m.json"

# ------------------------------------------------------------------ accounts
# An account's own group has the account's name: the same names are
# refused for accounts, through op_account_create (account create, import,
# apply).
conf
refused "account create docker: refused, its own group named" \
	"account name 'docker' is reserved \(an account's own group has its name\): .*use --force" \
	cli account create docker --no-home
run cli account create kvm --no-home --force
expect_match "account create kvm --force: exit 0" "^0 created account kvm \(uid [0-9]+\)$" "$RC $OUT"
expect_match "account --force: warning" "warning: account 'kvm' took a reserved group name" "$ERR"
cat >"$T/ma.json" <<'JSON'
{"format": "svcacct-manifest", "version": 1, "roles": [{"name": "base-role"}],
 "accounts": [{"name": "kvm"}, {"name": "www-data"}]}
JSON
refused "apply of an account www-data: refused" "account name 'www-data' is reserved" \
	cli apply "$T/ma.json"
done_testing
