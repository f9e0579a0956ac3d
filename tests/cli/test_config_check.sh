#!/bin/bash
# SPDX-License-Identifier: MIT
# A configuration that would hide accounts or roles: svcacct config check
# judges a file before it is installed (parse errors with file and line,
# owner and mode, every account and role its ranges would hide, naming the
# key to fix), svcacct check reports what the installed one hides, and the
# CLI refuses to change the store under it. What the modules do meanwhile
# is observed through real glibc NSS (getent, id, runuser) with the built
# module, and through Linux-PAM (tests/pam/pam_harness) with a private
# syslog: what svcacct.conf(5) and nss_svcacct(8) say they do.
#
# Runs in a private mount namespace (tests/nss/lib.sh): the configuration
# at the compiled-in path, nsswitch.conf and the module are overlaid there
# only.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/nss/lib.sh"
nss_enter_ns "$@"
nss_setup || { tap_notok "namespace setup"; done_testing; exit 1; }
. "$top_srcdir/tests/lib/ns.sh"
need "tools/svcacct (built)" '[ -x "$SVCACCT_CLI" ]'
HARNESS=$top_builddir/tests/pam/pam_harness
MOD=$top_builddir/pam/.libs/pam_svcacct.so
need "tests/pam/pam_harness and pam_svcacct (built)" '[ -x "$HARNESS" ] && [ -e "$MOD" ]'
need python3 'command -v python3 >/dev/null'
need runuser 'command -v runuser >/dev/null'
export LC_ALL=C
LOG=$T/syslog
ns_private_syslog "$LOG" || { tap_notok "private syslog"; done_testing; exit 1; }
# the IDs used here must be free on this host's /etc
for id in 70001 70002 80000 80001 80002; do
	if getent passwd "$id" >/dev/null || getent group "$id" >/dev/null; then
		tap_skip "all tests" "ID $id is taken on this host"
		done_testing
		exit 0
	fi
done

# the CLI as an administrator runs it: the configuration at the compiled-in
# path, the one the modules read
cli() { "$SVCACCT_CLI" "$@"; }
gen() { readlink "$T/db/current"; }
# newconf [LINES...]: $T/new.conf, the four lines of nss_write_conf first
# (so that the first extra line is line 5)
newconf() {
	{
		echo "db_dir = $T/db"
		echo "state_dir = $T/state"
		echo "home_base = /home/svc"
		echo "default_shell = /usr/sbin/nologin"
		for l in "$@"; do echo "$l"; done
	} >"$T/new.conf"
	chmod 644 "$T/new.conf"
}
# install LINES...: the same as the installed configuration
install_conf() { nss_write_conf "$@"; }
# j EXPR FILE-ARGS...: a Python expression over config check's JSON (j)
j() {
	local expr=$1
	shift
	cli --json config check "$@" | python3 -c "import json,sys; j=json.load(sys.stdin); print($expr)"
}
# the PAM stack: pam_svcacct alone, at the compiled-in configuration path
mkdir -p "$T/pam.d"
printf 'auth required %s\naccount required %s\n' "$MOD" "$MOD" >"$T/pam.d/svc"
auth() { "$HARNESS" -c "$T/pam.d" -s svc -u "$1" -n 2>&1; }
loglines() { wc -l <"$LOG"; }
# newlog N: the log lines after the first N
newlog() { tail -n +"$(($1 + 1))" "$LOG"; }

# ------------------------------------------------------------------ fresh
run cli check
expect_eq "a fresh install with no store: check exits 0" "0" "$RC"
expect_match "... and says so" "^ok: no store yet" "$OUT"
run cli config check
expect_match "config check with no store: exit 0, nothing to compare" \
	"^0 ok: $CONF: no store to compare, 0 problem\(s\)$" "$RC $OUT"
newconf "uid_min = 71000" "uid_max = 71999"
run cli config check "$T/new.conf"
expect_eq "any valid file is fine while there is no store" "0" "$RC"

cli role create deploy --gid 80001 >/dev/null
cli role create readers --gid 80002 >/dev/null
cli account create bot --uid 70001 --role deploy --no-home >/dev/null
cli account create ci --uid 70002 --role readers --no-home >/dev/null
expect_match "the store resolves through glibc" "^uid=70001\(bot\) .*80001\(deploy\)" "$(id bot)"
run cli config check
expect_match "the installed configuration: exit 0, 0 hidden" \
	"^0 ok: $CONF: generation [0-9]+, 2 accounts, 2 roles, 0 hidden, 0 problem\(s\)$" "$RC $OUT"

# ------------------------------------------------------------------ uid_max into the GID range
newconf "uid_max = 99999"
run cli config check "$T/new.conf"
expect_eq "uid_max = 99999 (over the GID range): exit 1" "1" "$RC"
expect_match "... the file, the line and the rule" \
	"^problem: $T/new.conf:5: UID range 70000\.\.99999 overlaps GID range 80001\.\.89999; while such a file is installed, nss_svcacct answers UNAVAIL to every lookup" "$OUT"
for x in "account 'bot' \(UID 70001\)" "account 'ci' \(UID 70002\)" \
	"role 'deploy' \(GID 80001\)" "role 'readers' \(GID 80002\)"; do
	expect_match "... names $x as hidden" "^problem: $x would be hidden: the configuration does not load$" "$OUT"
done
expect_match "... summary" "^FAILED: $T/new.conf: generation [0-9]+, 2 accounts, 2 roles, 4 hidden, 5 problem\(s\)$" "$OUT"
expect_eq "--json: does not load, the hidden accounts and roles, ok false" \
	"False ['bot', 'ci'] ['deploy', 'readers'] False" \
	"$(j 'j["loads"], [a["name"] for a in j["hidden_accounts"]], [r["name"] for r in j["hidden_roles"]], j["ok"]' "$T/new.conf")"
g0=$(gen)
install_conf "uid_max = 99999"
n0=$(loglines)
run getent passwd bot
expect_eq "installed: getent passwd bot prints nothing (exit 2)" "2:" "$RC:$OUT"
run getent passwd 70002
expect_eq "... nor by UID" "2:" "$RC:$OUT"
run getent group deploy
expect_eq "... getent group deploy prints nothing" "2:" "$RC:$OUT"
run id bot
expect_match "... id bot: no such user" "^1 .*bot.*no such user" "$RC $ERR"
run runuser -u bot -- true
expect_match "... runuser -u bot: no such user" "^1 .*bot" "$RC $ERR"
run "$PROBE" "$DIRECT" get pwnam bot
expect_eq "... the module's answer: UNAVAIL EINVAL" "UNAVAIL EINVAL" "$OUT"
expect_eq "... and nss_svcacct logged nothing" "" "$(newlog "$n0")"
run auth bot
expect_match "pam_svcacct's auth: AUTHINFO_UNAVAIL" "^auth=PAM_AUTHINFO_UNAVAIL$" "$OUT"
ns_wait_log "$LOG" "event=auth result=deny account=bot .*reason=config_error"
expect_match "... logged (authpriv.err): the configuration error with its file and line" \
	"^<83>.*svcacct: event=config result=error reason=config_error detail=$CONF:5:.UID.range.70000\.\.99999.overlaps" \
	"$(newlog "$n0")"
expect_match "... and the refusal" "svcacct: event=auth result=deny account=bot .*reason=config_error" "$(newlog "$n0")"
n1=$(loglines)
run auth alice
expect_match "... the same answer for a user who is not a service account" "^auth=PAM_AUTHINFO_UNAVAIL$" "$OUT"
run cli check
expect_eq "svcacct check: exit 1" "1" "$RC"
expect_match "... the file, the line and what it does" \
	"^problem: configuration $CONF does not load: $CONF:5: UID range 70000\.\.99999 overlaps GID range 80001\.\.89999; while such a file is installed, nss_svcacct answers UNAVAIL" "$OUT"
expect_match "... summary" "^FAILED: configuration $CONF does not load, 1 problem\(s\)$" "$OUT"
expect_eq "check --json: ok false, one problem" "False 1" \
	"$(cli --json check | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["ok"], len(j["problems"]))')"
run cli account create newbot --no-home
expect_match "account create refused, naming the file and line" \
	"^1 svcacct: configuration: $CONF:5: UID range" "$RC $ERR"
expect_eq "... nothing changed" "$g0" "$(gen)"
install_conf
expect_match "configuration restored: bot resolves again" "^bot:x:70001:" "$(getent passwd bot)"

# ------------------------------------------------------------------ uid range past accounts
newconf "uid_min = 70002"
run cli config check "$T/new.conf"
expect_match "uid_min past bot: exit 1, bot named with the key and the fix" \
	"^1 problem: account 'bot' \(UID 70001\) would be hidden: UID 70001 is below uid_min 70002: set uid_min to 70001 or lower$" \
	"$RC $(printf '%s\n' "$OUT" | head -1)"
expect_nomatch "... ci is not hidden" "'ci'" "$OUT"
expect_match "... summary" "^FAILED: $T/new.conf: generation [0-9]+, 2 accounts, 2 roles, 1 hidden, 1 problem\(s\)$" "$OUT"
expect_eq "--json: the key to fix" "True [('bot', 70001, 'uid_min')] False" \
	"$(j 'j["loads"], [(a["name"], a["uid"], a["key"]) for a in j["hidden_accounts"]], j["ok"]' "$T/new.conf")"
newconf "uid_min = 71000" "uid_max = 79999"
run cli config check "$T/new.conf"
expect_match "the range moved past both accounts: both named" \
	"account 'bot' \(UID 70001\) would be hidden: UID 70001 is below uid_min 71000.*account 'ci' \(UID 70002\) would be hidden: UID 70002 is below uid_min 71000" \
	"$(echo $OUT)"
newconf "uid_min = 66000" "uid_max = 70001"
run cli config check "$T/new.conf"
expect_match "uid_max below ci: ci named, with uid_max" \
	"^problem: account 'ci' \(UID 70002\) would be hidden: UID 70002 is above uid_max 70001: set uid_max to 70002 or higher$" "$OUT"

install_conf "uid_min = 70002"
n0=$(loglines)
run getent passwd bot
expect_eq "installed: getent passwd bot prints nothing (exit 2)" "2:" "$RC:$OUT"
run id bot
expect_match "... id bot: no such user" "^1 .*no such user" "$RC $ERR"
expect_eq "... the module's answer: NOTFOUND" "NOTFOUND 0" "$("$PROBE" "$DIRECT" get pwnam bot)"
expect_match "... ci still resolves" "^ci:x:70002:" "$(getent passwd ci)"
expect_eq "... nss_svcacct logged nothing" "" "$(newlog "$n0")"
run auth bot
expect_match "pam_svcacct's auth for bot: AUTHINFO_UNAVAIL" "^auth=PAM_AUTHINFO_UNAVAIL$" "$OUT"
ns_wait_log "$LOG" "event=auth result=deny account=bot .*reason=store_corrupt"
expect_match "... logged with reason=store_corrupt" \
	"svcacct: event=auth result=deny account=bot .*reason=store_corrupt" "$(newlog "$n0")"
run cli check
expect_match "svcacct check: exit 1, bot named with the key" \
	"^1 problem: account 'bot' \(UID 70001\): hidden by the configuration $CONF: nss_svcacct and pam_svcacct do not serve it \(getent passwd bot prints nothing\): UID 70001 is below uid_min 70002: set uid_min to 70001 or lower$" \
	"$RC $(printf '%s\n' "$OUT" | head -1)"
expect_match "... 1 problem" ", 1 problem\(s\)$" "$OUT"
run cli config check
expect_match "config check of the installed file: the same" \
	"^1 problem: account 'bot' \(UID 70001\) would be hidden: UID 70001 is below uid_min 70002" \
	"$RC $(printf '%s\n' "$OUT" | head -1)"
g0=$(gen)
run cli account create newbot --no-home
expect_eq "account create under it: exit 1" "1" "$RC"
expect_match "... a clear message: what hides what, and the fix" \
	"^svcacct: refusing to change the store: the configuration $CONF hides 1 account\(s\) and 0 role\(s\) of it from nss_svcacct and pam_svcacct" "$ERR"
expect_match "... naming the account and the key" \
	"account 'bot' \(UID 70001\): UID 70001 is below uid_min 70002: set uid_min to 70001 or lower" "$ERR"
expect_match "... nothing was changed" "nothing was changed$" "$ERR"
expect_eq "... no new generation" "$g0" "$(gen)"
run getent passwd newbot
expect_eq "... no account newbot" "2" "$RC"
expect_nomatch "... not in the store either" "newbot" "$(cli account list)"
run cli role create newrole
expect_match "role create refused the same way" "^1 svcacct: refusing to change the store" "$RC $ERR"
run cli grant ci deploy
expect_match "grant refused the same way" "^1 svcacct: refusing to change the store" "$RC $ERR"
run cli account delete bot
expect_match "even deleting the hidden account: refused" "^1 svcacct: refusing to change the store" "$RC $ERR"
expect_eq "... no new generation" "$g0" "$(gen)"
install_conf
expect_match "configuration restored: bot resolves again" "^bot:x:70001:" "$(getent passwd bot)"
ok_cmd "... and changes work again" cli account create newbot --no-home

# ------------------------------------------------------------------ base_gid
newconf "base_gid = 80001"
run cli config check "$T/new.conf"
expect_match "base_gid onto a role's GID (inside the GID range): refused with the line" \
	"^1 problem: $T/new.conf:5: base_gid 80001 lies inside the UID or GID range; " \
	"$RC $(printf '%s\n' "$OUT" | head -1)"
expect_match "... every account and role named as hidden" \
	"account 'bot' \(UID 70001\) would be hidden.*role 'deploy' \(GID 80001\) would be hidden" "$(echo $OUT)"
newconf "gid_min = 80002" "base_gid = 80001"
run cli config check "$T/new.conf"
expect_match "base_gid onto a role moved out of the GID range: the role named, with base_gid" \
	"^problem: role 'deploy' \(GID 80001\) would be hidden: GID 80001 is base_gid, the group of the base role svcacct, which no role may have" "$OUT"
expect_match "... and the change of base_gid noted" "^note: base_gid changes from 80000 to 80001" "$OUT"
expect_eq "... exit 1, --json key base_gid" "1 [('deploy', 80001, 'base_gid')]" \
	"$RC $(j '[(r["name"], r["gid"], r["key"]) for r in j["hidden_roles"]]' "$T/new.conf")"
install_conf "gid_min = 80002" "base_gid = 80001"
run getent group deploy
expect_eq "installed: getent group deploy prints nothing" "2:" "$RC:$OUT"
expect_match "... GID 80001 is the base group" "^svcacct:x:80001:" "$(getent group 80001)"
expect_nomatch "... bot no longer gets the role's group" "deploy" "$(id bot)"
run cli check
expect_match "svcacct check names the role and base_gid" \
	"problem: role 'deploy' \(GID 80001\): hidden by the configuration $CONF: .*GID 80001 is base_gid" "$OUT"
run cli grant ci deploy
expect_match "grant refused, naming the role" "^1 .*role 'deploy' \(GID 80001\): GID 80001 is base_gid" "$RC $(echo $ERR)"
install_conf

# ------------------------------------------------------------------ good, bad, unsafe files
newconf "keep_generations = 20" "uid_max = 79000"
run cli config check "$T/new.conf"
expect_match "a good new file: exit 0, nothing hidden" \
	"^0 ok: $T/new.conf: generation [0-9]+, 3 accounts, 2 roles, 0 hidden, 0 problem\(s\)$" "$RC $OUT"
expect_eq "--json: ok, loads, nothing hidden" "True True [] []" \
	"$(j 'j["ok"], j["loads"], j["hidden_accounts"], j["hidden_roles"]' "$T/new.conf")"
if command -v setpriv >/dev/null; then
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$SVCACCT_CLI" config check "$T/new.conf"
	expect_match "config check needs no root" "^0 ok: $T/new.conf: generation [0-9]+, 3 accounts" "$RC $OUT"
else
	tap_skip "config check needs no root" "no setpriv"
fi
newconf "enumerate = yes" "uid_min = abc"
run cli config check "$T/new.conf"
expect_match "a parse error: exit 1, FILE:LINE and the reason" \
	"^1 problem: $T/new.conf:6: uid_min: 'abc' is not a number; " "$RC $OUT"
newconf "$(printf 'uid_min = \033[31m1')"
run cli config check "$T/new.conf"
expect_match "a value with a terminal escape: shown with '?'" \
	"^1 problem: $T/new.conf:5: uid_min: '\?\[31m1' is not a number; " "$RC $OUT"
expect_eq "... no escape byte reaches the output, nor the JSON" "0 0" \
	"$(printf '%s' "$OUT$ERR" | grep -c $'\033') $(cli --json config check "$T/new.conf" | python3 -c 'import json,sys; print(sum(chr(27) in p for p in json.load(sys.stdin)["problems"]))')"
newconf "no_such_key = 1"
run cli config check "$T/new.conf"
expect_match "an unknown key: FILE:LINE" "^1 problem: $T/new.conf:5: unknown key 'no_such_key'; " "$RC $OUT"
newconf
chown 65534 "$T/new.conf"
run cli config check "$T/new.conf"
expect_match "a file not owned by root: refused with the reason" \
	"^1 problem: $T/new.conf: owned by uid 65534, not root; while such a file is installed" "$RC $OUT"
chown 0 "$T/new.conf"
chmod 664 "$T/new.conf"
run cli config check "$T/new.conf"
expect_match "a group-writable file: refused with the reason" \
	"^1 problem: $T/new.conf: writable by group or others \(mode 0664\); " "$RC $OUT"
chmod 644 "$T/new.conf"
mkdir -m 777 "$T/open"
newconf
sed -i "s|^db_dir = .*|db_dir = $T/open/db|" "$T/new.conf"
run cli config check "$T/new.conf"
expect_match "a db_dir in a world-writable directory: refused with the reason" \
	"^1 problem: $T/new.conf: $T/open: writable by group or others \(mode 0777\); " "$RC $OUT"
chmod 755 "$T/open"
run cli config check "$T/new.conf"
expect_match "a db_dir that holds no store: the accounts of the one in use would vanish" \
	"^1 problem: db_dir $T/open/db holds no store: the 3 account\(s\) and 2 role\(s\) of $T/db, the store in use, would no longer resolve$" "$RC $OUT"
run cli config check "$T/nonexistent.conf"
expect_match "a missing file: exit 1" "^1 problem: $T/nonexistent.conf: No such file or directory$" "$RC $OUT"
# the installed file itself not root's: judged as the modules judge it
chown 65534 "$T/etc/svcacct/svcacct.conf"
run cli config check
expect_match "the installed file not root's: refused" \
	"^1 problem: $CONF: owned by uid 65534, not root; " "$RC $OUT"
expect_match "... its accounts and roles named (the file parses)" "account 'bot' \(UID 70001\) would be hidden" "$OUT"
expect_eq "... nss_svcacct: UNAVAIL EPERM" "UNAVAIL EPERM" "$("$PROBE" "$DIRECT" get pwnam bot)"
chown 0 "$T/etc/svcacct/svcacct.conf"

# ------------------------------------------------------------------ usage
expect_rc "config without a verb: usage (2)" 2 "usage: svcacct config check" cli config
expect_rc "config with an unknown verb: usage (2)" 2 "unknown verb 'config frob'" cli config frob
expect_rc "config check with two files: usage (2)" 2 "usage: svcacct config check" cli config check a b
expect_rc "config check with an unknown option: usage (2)" 2 "usage: svcacct config check" cli config check --frob
expect_rc "config check --help: exit 0" 0 "" cli config check --help
run cli check
expect_match "all restored: check exits 0" "^0 ok: generation" "$RC $OUT"
done_testing
