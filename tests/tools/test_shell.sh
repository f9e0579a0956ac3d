#!/bin/bash
# SPDX-License-Identifier: MIT
# svcacct-shell(8): splitting, matching, roles from getgroups(), the clean
# environment, and the audit log. Real glibc NSS (the built module over
# the library directory) gives the accounts their role groups.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/e2e/lib.sh"
e2e_enter "$@"
e2e_setup || { tap_notok "namespace setup"; done_testing; exit 1; }

SH=$BIN/svcacct-shell
S role create ops --services sshd --from local \
	--command "/usr/bin/id -un" --command "/bin/echo hello world" \
	--command "/bin/echo restart *" --command "/usr/bin/env" \
	--command "/usr/bin/sort *" --command "/usr/bin/sort -r" >/dev/null
S role create other --command "/usr/bin/whoami" >/dev/null
S account create bot --role ops --role other --shell "$SH" >/dev/null
S account create bot2 --shell "$SH" >/dev/null
S account create bot3 --role ops --shell "$SH" >/dev/null
S account disable bot3 >/dev/null

# as the user, with its groups from NSS (initgroups), as a login gets them
sh_as() { local u=$1; shift; as_user "$u" "$SH" "$@"; }

expect_rc "no -c: refused" 1 "service account" sh_as bot
ok_cmd "no -c: logged" log_has "event=shell result=deny account=bot command=- reason=interactive"
expect_rc "interactive -l refused" 1 "no interactive" sh_as bot -l
expect_eq "allowed command runs" "bot" "$(sh_as bot -c "/usr/bin/id -un")"
ok_cmd "allow logged" log_has "event=shell result=allow account=bot command=/usr/bin/id\?-un reason=ok"
expect_eq "spaces and tabs split" "hello world" "$(sh_as bot -c "  /bin/echo	 hello   world ")"
expect_eq "pattern: one word in place of *" "restart web" "$(sh_as bot -c "/bin/echo restart web")"
expect_rc "pattern: two words refused" 1 "not_allowed" sh_as bot -c "/bin/echo restart web db"
expect_rc "pattern: missing word refused" 1 "not_allowed" sh_as bot -c "/bin/echo restart"
# the free word is an operand, never an option
mkdir -m 1777 "$T/out"
echo b >"$T/out/in"; echo a >>"$T/out/in"; chmod 644 "$T/out/in"
expect_eq "pattern: a plain word in place of * runs" "a b" \
	"$(sh_as bot -c "/usr/bin/sort $T/out/in" </dev/null | tr '\n' ' ' | sed 's/ $//')"
expect_rc "pattern: an option in place of * (-o FILE) refused" 1 \
	'command refused \(option_word\): the word in place of a role command.s "\*" must not start with "-"' \
	sh_as bot -c "/usr/bin/sort -o$T/out/x" </dev/null
expect_eq "the refused option wrote nothing" "absent" "$([ -e "$T/out/x" ] && echo present || echo absent)"
ok_cmd "option_word logged" log_has "result=deny account=bot command=/usr/bin/sort\?-o$T/out/x reason=option_word"
expect_rc "pattern: a long option in place of * refused" 1 "option_word" \
	sh_as bot -c "/usr/bin/sort --debug" </dev/null
expect_rc "pattern: a lone - in place of * refused" 1 "option_word" \
	sh_as bot -c "/usr/bin/sort -" </dev/null
expect_rc "pattern: -- in place of * refused" 1 "option_word" \
	sh_as bot -c "/usr/bin/sort --" </dev/null
expect_rc "pattern: --output=FILE refused (= is a metacharacter)" 1 "metacharacters" \
	sh_as bot -c "/usr/bin/sort --output=$T/out/y" </dev/null
expect_rc "pattern: -n for echo restart * refused" 1 "option_word" sh_as bot -c "/bin/echo restart -n"
expect_eq "an option written in the role command itself runs" "b a" \
	"$(sh_as bot -c "/usr/bin/sort -r" <"$T/out/in" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "a word with a dash inside runs" "restart web-1" "$(sh_as bot -c "/bin/echo restart web-1")"
expect_rc "extra argument refused" 1 "not_allowed" sh_as bot -c "/usr/bin/id -un -g"
expect_rc "semicolon refused" 1 "metacharacters" sh_as bot -c "/usr/bin/id -un; /bin/sh"
expect_rc "pipe refused" 1 "metacharacters" sh_as bot -c "/usr/bin/id -un | cat"
expect_rc "dollar refused" 1 "metacharacters" sh_as bot -c '/bin/echo restart $HOME'
expect_rc "quote refused" 1 "metacharacters" sh_as bot -c "/bin/echo 'hello world'"
expect_rc "glob refused" 1 "metacharacters" sh_as bot -c "/bin/echo restart *"
expect_rc "newline refused" 1 "metacharacters" sh_as bot -c "/usr/bin/id -un
/bin/sh"
expect_rc "backtick refused" 1 "metacharacters" sh_as bot -c '/bin/echo restart `id`'
ok_cmd "metacharacter refusal logged" log_has "result=deny account=bot command=/usr/bin/id\?-un\?\?/bin/sh reason=metacharacters"
expect_rc "relative command refused" 1 "not_absolute" sh_as bot -c "id -un"
expect_rc "empty command refused" 1 "empty" sh_as bot -c "   "
expect_rc "unlisted command refused" 1 "not_allowed" sh_as bot -c "/bin/sh -i"
ok_cmd "not_allowed logged" log_has "result=deny account=bot command=/bin/sh\?-i reason=not_allowed"
expect_eq "second role's command" "bot" "$(sh_as bot -c /usr/bin/whoami)"
expect_rc "account without the role" 1 "not_allowed" sh_as bot2 -c "/usr/bin/id -un"
expect_rc "disabled account" 1 "account_disabled" sh_as bot3 -c "/usr/bin/id -un"
# a login narrowed to the base group (as setcred does for a scope that
# leaves ops out) runs nothing of ops
base=$(getent group svcacct | cut -d: -f3)
other=$(getent group other | cut -d: -f3)
expect_rc "roles come from getgroups(): ops dropped" 1 "not_allowed" \
	setpriv --reuid=bot --regid=bot --groups="$base,$other" "$SH" -c "/usr/bin/id -un"
expect_eq "roles come from getgroups(): other kept" "bot" \
	"$(setpriv --reuid=bot --regid=bot --groups="$base,$other" "$SH" -c /usr/bin/whoami)"
expect_rc "SVCACCT_ROLES cannot widen" 1 "not_allowed" \
	env SVCACCT_ROLES=ops setpriv --reuid=bot --regid=bot --groups="$base" "$SH" -c "/usr/bin/id -un"
expect_rc "a person is not a service account" 1 "not_service_account" \
	setpriv --reuid=e2euser --regid=e2euser --clear-groups "$SH" -c "/usr/bin/id -un"
envout=$(env -i FOO=1 BASH_ENV=/tmp/x SSH_ORIGINAL_COMMAND=/usr/bin/env \
	SSH_CONNECTION="127.0.0.1 1 127.0.0.1 22" SVCACCT_ROLES=ops SVCACCT_CONF=/tmp/x \
	setpriv --reuid=bot --regid=bot --init-groups "$SH" -c /usr/bin/env | cut -d= -f1 | sort | tr '\n' ' ')
expect_eq "clean environment" "HOME LANG LOGNAME PATH SHELL SSH_CONNECTION SSH_ORIGINAL_COMMAND SVCACCT_ROLES USER " "$envout"
expect_eq "PATH is fixed" "PATH=/usr/bin:/bin" \
	"$(env PATH=/tmp:/bin setpriv --reuid=bot --regid=bot --init-groups "$SH" -c /usr/bin/env | grep ^PATH=)"
S role set ops --command /nonexistent/prog >/dev/null
expect_rc "missing program: 127, logged" 127 "" sh_as bot -c /nonexistent/prog
ok_cmd "exec failure logged" log_has "command=/nonexistent/prog reason=exec_failed"
# the base role's commands: every account holds it, whatever its groups
expect_rc "base role without commands: nothing for an account without roles" 1 "not_allowed" \
	sh_as bot2 -c "/bin/echo base ok"
S role set svcacct --command "/bin/echo base *" >/dev/null
expect_eq "base role command runs for an account without roles" "base ok" "$(sh_as bot2 -c "/bin/echo base ok")"
expect_eq "... and for one whose login kept no role group (the base role is always effective)" "base ok" \
	"$(setpriv --reuid=bot --regid=bot --groups="$other" "$SH" -c "/bin/echo base ok")"
expect_rc "... its \"*\" takes no option either" 1 "option_word" sh_as bot2 -c "/bin/echo base -n"
expect_rc "... a role's command stays the role's" 1 "not_allowed" sh_as bot2 -c "/usr/bin/id -un"
expect_rc "base role commands do not help a disabled account" 1 "account_disabled" sh_as bot3 -c "/bin/echo base ok"
S role set svcacct --clear-commands >/dev/null
expect_rc "base role command removed: refused again" 1 "not_allowed" sh_as bot2 -c "/bin/echo base ok"
expect_nomatch "not in /etc/shells" "svcacct-shell" "$(cat /etc/shells)"
done_testing
