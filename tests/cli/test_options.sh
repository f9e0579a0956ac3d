#!/bin/bash
# SPDX-License-Identifier: MIT
# svcacct(8)'s command line from its one table (tools/cli_table.c): usage
# per noun and verb, did-you-mean, options refused per verb, the list
# editing options of role set, the PAM service check, apply's detailed exit
# codes, and the bash/zsh completion scripts written from the same table.
# Every option of the table must be documented in svcacct(8) and
# docs/CLI.md. Runs as root against private stores (TAP).
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/cli.sh"

cli_need_svcacct
need python3 'command -v python3 >/dev/null'
# the PAM directory the check reads is the test's own (a hook that only a
# build with --enable-test-hooks has)
need "a build with --enable-test-hooks" \
	'grep -q "^DEFS = .*-DSVCACCT_TEST_HOOKS=1" "$top_builddir/Makefile"'

cli_cleanup_on_exit

new_env() {
	cli_store_setup opts
	mkdir -p "$T/pam.d"
	for s in sshd sudo login; do echo "auth required pam_deny.so" >"$T/pam.d/$s"; done
	export SVCACCT_TEST_PAM_DIR=$T/pam.d
}
sv() { "$SV" --conf "$CONF" "$@"; }
snap() {
	sv generations 2>&1
	sv export 2>&1
	for f in "$T"/state/*; do [ -f "$f" ] && md5sum "$f"; done
}
# refused DESC RC REGEX CMD...: exit status RC, REGEX on stderr, store
# unchanged.
refused() { cli_refused "$@"; }
role_field() { sv --json role show "$1" | python3 -c 'import json,sys; print(",".join(json.load(sys.stdin)[sys.argv[1]]))' "$2"; }

new_env
sv account create alpha --no-home >/dev/null
sv account create beta --no-home >/dev/null
sv role create web --services sshd --from local >/dev/null

# ------------------------------------------------------------------ usage
run "$SV" --help
FULL=$(printf '%s' "$OUT" | wc -l)
expect_eq "svcacct --help: exit 0" 0 "$RC"
run "$SV" role --help
expect_eq "role --help: exit 0" 0 "$RC"
ROLE_USAGE=$OUT
expect_match "role --help: starts with role's usage" "^usage: svcacct role create" "$OUT"
expect_nomatch "role --help: no other noun" "svcacct (account|secret|key|issuer|apply) " "$OUT"
[ "$(printf '%s' "$OUT" | wc -l)" -lt "$FULL" ] && tap_ok "role --help: shorter than the full usage" ||
	tap_notok "role --help: shorter than the full usage"
run "$SV" role
expect_eq "role without a verb: exit 2, the role usage on stderr" "2 $ROLE_USAGE" "$RC $ERR"
run "$SV" role set --help
expect_eq "role set --help: exit 0" 0 "$RC"
expect_match "role set --help: its synopsis" "^usage: svcacct role set ROLE" "$OUT"
expect_match "role set --help: the help of an option" "--add-service S +add a PAM service" "$OUT"
expect_nomatch "role set --help: only role set" "svcacct role (create|list|show|delete)" "$OUT"

# ------------------------------------------------------------------ did you mean
refused "mistyped noun: did you mean" 2 "unknown command 'rol'; did you mean 'role'\?" sv rol list
expect_match "mistyped noun: then the usage of that noun" "^usage: svcacct role create" "$(printf '%s\n' "$ERR" | sed -n 2p)"
expect_nomatch "mistyped noun: not the whole usage" "svcacct (account|secret|issuer) " "$ERR"
refused "transposed noun: did you mean" 2 "did you mean 'account'\?" sv acocunt list
refused "mistyped verb: did you mean" 2 "unknown verb 'account crate'; did you mean 'create'\?" sv account crate gamma
expect_nomatch "mistyped verb: only that noun's usage" "svcacct (role|secret|issuer) " "$ERR"
refused "verb prefix: did you mean" 2 "did you mean 'role-map'\?" sv issuer role-m x
refused "mistyped option: did you mean" 2 "unknown or incomplete option '--descriptoin'; did you mean '--description'\?" \
	sv account create gamma --descriptoin x
expect_match "mistyped option: that verb's usage" "usage: svcacct account create NAME" "$ERR"
refused "nothing close: no guess" 2 "unknown command 'zzzzzzzz'$" sv zzzzzzzz
expect_nomatch "nothing close: no did you mean" "did you mean" "$ERR"
refused "option of another verb: refused, naming the verb" 2 \
	"unknown or incomplete option '--stop': 'svcacct account create' does not take it" \
	sv account create gamma --stop
refused "role create --add-service (a role set option): refused" 2 \
	"'svcacct role create' does not take it" sv role create other --add-service sshd
refused "a value option given twice" 2 "option '--description' given twice" \
	sv account set alpha --description a --description b
refused "an option without its argument" 2 "'--owner': it needs an argument" \
	sv account set alpha --owner
refused "a flag with a value" 2 "'--json': it takes no argument" sv account list --json=yes

# ------------------------------------------------------------------ role set list editing
ok_cmd "role set --add-service, twice" sv role set web --add-service sudo --add-service login
expect_eq "services after adding" "sshd,sudo,login" "$(role_field web services)"
ok_cmd "role set --remove-service" sv role set web --remove-service sudo
expect_eq "services after removing" "sshd,login" "$(role_field web services)"
ok_cmd "role set --add-service of one it has: no change, no error" sv role set web --add-service sshd
expect_eq "no duplicate service" "sshd,login" "$(role_field web services)"
refused "--remove-service of one it lacks: refused" 1 "role 'web' has no service 'sudo' to remove" \
	sv role set web --remove-service sudo
refused "one absent removal spoils the whole command" 1 "has no service 'cron'" \
	sv role set web --remove-service login --remove-service cron --add-from 10.0.0.0/8
refused "--add-service with a bad name" 1 "bad service 'a/b'" sv role set web --add-service a/b
ok_cmd "role set --add-from, twice" sv role set web --add-from 192.0.2.0/24 --add-from 2001:db8::/32
expect_eq "sources after adding" "local,192.0.2.0/24,2001:db8::/32" "$(role_field web from)"
ok_cmd "role set --remove-from" sv role set web --remove-from local
expect_eq "sources after removing" "192.0.2.0/24,2001:db8::/32" "$(role_field web from)"
refused "--remove-from of one it lacks: refused" 1 "role 'web' has no source '10.0.0.0/8' to remove" \
	sv role set web --remove-from 10.0.0.0/8
refused "--add-from that is not a CIDR" 1 "bad source 'nowhere'" sv role set web --add-from nowhere
ok_cmd "role set --add-command, twice" sv role set web --add-command /usr/bin/id --add-command "/usr/bin/systemctl restart web"
expect_eq "commands after adding" "/usr/bin/id,/usr/bin/systemctl restart web" "$(role_field web commands)"
ok_cmd "role set --remove-command" sv role set web --remove-command /usr/bin/id
expect_eq "commands after removing" "/usr/bin/systemctl restart web" "$(role_field web commands)"
refused "--remove-command of one it lacks: refused" 1 "role 'web' has no command '/usr/bin/id' to remove" \
	sv role set web --remove-command /usr/bin/id
refused "--add-command without an absolute path" 1 "must start with an absolute path" \
	sv role set web --add-command id
refused "--services with --add-service: refused" 2 "--services replaces the list" \
	sv role set web --services sshd --add-service sudo
refused "--from with --remove-from: refused" 2 "--from replaces the list" \
	sv role set web --from local --remove-from local
refused "--clear-commands with --add-command: refused" 2 "replace the list" \
	sv role set web --clear-commands --add-command /usr/bin/id
refused "--remove-service on a missing role" 1 "no role 'nosuch'" sv role set nosuch --remove-service sshd

# ------------------------------------------------------------------ PAM services
refused "role create --services without pam.d file: refused" 1 \
	"1 service\(s\) without PAM configuration; check the name, or use --force" \
	sv role create jobs --services sshd,crond
expect_match "  with a warning naming the service" "^svcacct: warning: service 'crond' has no PAM configuration" "$ERR"
expect_nomatch "  and none for the service that has one" "'sshd' has no PAM" "$ERR"
run sv role create jobs --force --services sshd,crond
expect_eq "role create --services with --force: done, warned" "0 yes crond" \
	"$RC $(printf '%s' "$ERR" | grep -q "service 'crond' has no PAM" && echo yes) $(role_field jobs services | cut -d, -f2)"
refused "role set --services without pam.d file: refused" 1 "2 service\(s\) without PAM" sv role set web --services sshd,foo,bar
expect_eq "  a warning for each" "2" "$(printf '%s\n' "$ERR" | grep -cE "service '(foo|bar)' has no PAM")"
refused "role set --add-service without pam.d file: refused" 1 "service 'foo' has no PAM" \
	sv role set web --add-service foo
ok_cmd "role set --add-service with --force" sv role set web --add-service foo --force
expect_eq "the forced service is in the list" "sshd,login,foo" "$(role_field web services)"
echo "auth required pam_deny.so" >"$T/pam.d/crond"
run sv role set jobs --services crond
expect_eq "a service with a pam.d file: no warning" "0 " "$RC $ERR"

# ------------------------------------------------------------------ apply --detailed-exitcode
M=$T/manifest.json
cat >"$M" <<'EOF'
{"format": "svcacct-manifest", "version": 1,
 "roles": [{"name": "deployers", "gid": 80030, "services": ["sshd"]}],
 "accounts": [{"name": "deploy-bot", "uid": 70030, "roles": ["deployers"]}]}
EOF
run sv apply "$M" --dry-run --detailed-exitcode
expect_eq "apply --dry-run --detailed-exitcode with changes: 2" 2 "$RC"
run sv apply "$M" --detailed-exitcode
expect_eq "apply --detailed-exitcode that changes: 2" 2 "$RC"
expect_match "  and it applied" "applied [0-9]+ change" "$OUT"
run sv apply "$M" --detailed-exitcode
expect_eq "apply --detailed-exitcode, nothing to change: 0" 0 "$RC"
echo '{"format": "svcacct-manifest", "version": 1, "bogus": 1}' >"$T/bad.json"
refused "apply --detailed-exitcode of a bad manifest: 1" 1 "nothing applied" \
	sv apply "$T/bad.json" --detailed-exitcode
run sv apply "$M"
expect_eq "apply without the flag, no change: 0" 0 "$RC"

# ------------------------------------------------------------------ completion
run "$SV" completion bash
expect_eq "completion bash: exit 0" 0 "$RC"
printf '%s\n' "$OUT" >"$T/svcacct.bash"
ok_cmd "completion bash: bash -n" bash -n "$T/svcacct.bash"
refused "completion for another shell: refused" 2 "no completion for 'fish'" sv completion fish
# comp WORD...: COMPREPLY for the last word, completed by the script
comp() {
	SVCACCT_CONF=$CONF bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _svcacct; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
		comp "$T/svcacct.bash" "$SV" "$@"
}
expect_eq "bash: a noun" "role rollback " "$(comp ro)"
expect_eq "bash: a verb" "set show " "$(comp role s)"
expect_eq "bash: the verb's options" "--remove-command --remove-from --remove-service " "$(comp role set web --rem)"
expect_eq "bash: no option of another verb" "--stop " "$(comp account disable alpha --st)"
expect_eq "bash: an account name" "alpha " "$(comp account show al)"
expect_eq "bash: account names after --conf" "alpha beta deploy-bot " "$(comp --conf "$CONF" secret add "")"
expect_eq "bash: a role name" "web " "$(comp role set w)"
expect_eq "bash: a role after --role" "deployers jobs web " "$(comp account create x --role "")"
expect_eq "bash: grant NAME ROLE...: roles after the name" "deployers jobs web " "$(comp grant alpha web "")"
expect_eq "bash: global options" "--conf " "$(comp --co)"
run setpriv --reuid=65534 --regid=65534 --clear-groups "$SV" --conf "$T/nonexistent.conf" __complete accounts
expect_eq "__complete: silent when it cannot read" "1 " "$RC $OUT$ERR"
if command -v zsh >/dev/null; then
	"$SV" completion zsh >"$T/_svcacct"
	ok_cmd "completion zsh: zsh -n" zsh -n "$T/_svcacct"
	expect_match "completion zsh: a compdef file" "^#compdef svcacct" "$(head -1 "$T/_svcacct")"
	# zcomp WORD...: what the script hands compadd (which filters by the
	# prefix itself) for the last word; compadd and _files are stand-ins
	zcomp() {
		SVCACCT_CONF=$CONF zsh -c 'compadd() { [[ $1 == -- ]] && shift; print -r -- "$@"; }
			_files() { print FILES; }
			source "$1" >/dev/null 2>&1; shift
			words=("$@"); CURRENT=$#; _svcacct' zcomp "$T/_svcacct" "$SV" "$@"
	}
	expect_match "zsh: nouns" "(^| )role( |$)" "$(zcomp ro)"
	expect_match "zsh: verbs of the noun" "^create list show delete set$" "$(zcomp role s)"
	expect_match "zsh: the verb's options" "--add-service --remove-service" "$(zcomp role set web --rem)"
	expect_eq "zsh: account names" "alpha beta deploy-bot" "$(zcomp account show a | tr " " "\n" | sort | xargs)"
	expect_eq "zsh: a file for apply" "FILES" "$(zcomp apply "")"
else
	for t in "zsh -n" "a compdef file" nouns "verbs of the noun" "the verb's options" "account names" "a file for apply"; do
		tap_skip "completion zsh: $t" "no zsh"
	done
fi

# ------------------------------------------------------------------ the table and the docs
# every option of the table, from the full usage and each verb's help
OPTS=$(printf '%s' "$("$SV" --help)" | grep -oE -- '--[a-z][a-z-]+' | sort -u)
[ "$(printf '%s\n' "$OPTS" | wc -l)" -gt 40 ] && tap_ok "the usage lists the table's options" ||
	tap_notok "the usage lists the table's options"
for doc in man/svcacct.8 docs/CLI.md; do
	missing=
	for o in $OPTS; do
		case $doc in
		*.8) pat=$(printf '%s' "$o" | sed 's/-/\\-/g') ;;
		*) pat=$o ;;
		esac
		grep -qF -- "$pat" "$top_srcdir/$doc" || missing="$missing $o"
	done
	expect_eq "$doc documents every option of the table" "" "$missing"
done
# svcacct(8)'s SYNOPSIS has a block for each verb of the usage, with each
# of that verb's options
synopsis_gaps() {
	python3 -c '
import re, sys
usage = sys.stdin.read()
man = open(sys.argv[1]).read()
syn = man[man.index('"'"'.SH SYNOPSIS'"'"'):man.index('"'"'.SH DESCRIPTION'"'"')]
blocks = {}
for m in re.finditer(r'"'"'^\.SY "?([^"\n]+)"?\n(.*?)^\.YS'"'"', syn, re.S | re.M):
    blocks.setdefault(m.group(1).strip().replace('"'"'\\-'"'"', '"'"'-'"'"'), []).append(m.group(2).replace('"'"'\\-'"'"', '"'"'-'"'"'))
entries, cur = {}, None
for line in usage.splitlines():
    m = re.match(r'"'"'  svcacct (\S+)(?: ([a-z][a-z-]*))?'"'"', line)
    if m:
        words = line.split()
        key = '"'"'svcacct '"'"' + m.group(1)
        if m.group(2) and not m.group(2).isupper():
            key += '"'"' '"'"' + m.group(2)
        cur = key
        entries[cur] = line
    elif cur and line.startswith('"'"' '"'"' * 5) and line.strip():
        entries[cur] += line
    else:
        cur = None
bad = []
for key, text in entries.items():
    opts = set(re.findall(r'"'"'--[a-z][a-z-]+'"'"', text))
    have = '"'"' '"'"'.join(blocks.get(key, []))
    if not have:
        bad.append('"'"'%s: no .SY block'"'"' % key); continue
    for o in sorted(opts):
        if not re.search(re.escape(o) + r'"'"'(?![a-z-])'"'"', have):
            bad.append('"'"'%s: %s'"'"' % (key, o))
print('"'"'\n'"'"'.join(bad))
' "$top_srcdir/man/svcacct.8"
}
expect_eq "svcacct(8) SYNOPSIS: every verb with its options" "" "$("$SV" --help | synopsis_gaps)"
# one table: no usage text left in the command files, no option loop
expect_eq "no getopt_long left in the svcacct sources" "" \
	"$(cd "$top_srcdir/tools" && grep -l getopt_long svcacct.c cli_util.c cmd_*.c)"
expect_eq "no usage string left in the command files" "" \
	"$(cd "$top_srcdir/tools" && grep -lE '"(usage: )?(account|role|secret|key|sshkey|issuer|apply|verify|import|export) [a-z-]+ (NAME|ROLE|FILE)' cmd_*.c svcacct.c cli_util.c)"

done_testing
