#!/bin/bash
# SPDX-License-Identifier: MIT
# End to end with Debian's real sudo (setuid, so the built NSS module is
# laid over the library directory): NOPASSWD rules on role groups, and
# PAM-authenticated rules with an assertion on stdin (sudo -S), in one
# answer and in parts. The sudoers and PAM files are docs/howto-sudo.md's.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/e2e/lib.sh"
e2e_enter "$@"
need sudo '[ -u /usr/bin/sudo ]'
e2e_setup || { tap_notok "namespace setup"; done_testing; exit 1; }

e2e_pam_sudo "$E2E_PAM"
ok_cmd "visudo -c accepts the sudoers file" visudo -c -f /etc/sudoers

S role create deployers --services sudo --from local >/dev/null
S role create sshonly --services sshd --from 127.0.0.0/8 >/dev/null
S role create readers --services sudo --from local >/dev/null
S account create bot --role deployers --role readers >/dev/null
S account create bot2 --role readers >/dev/null
S account create bot3 --role sshonly >/dev/null
S account create off --role deployers >/dev/null
C=$T/client
mkdir -m 700 "$C"
"$BIN/svcacct-assert" keygen --out "$C/es256.key" >"$C/es256.pub"
"$BIN/svcacct-assert" keygen --alg RS256 --out "$C/rs256.key" >"$C/rs256.pub"
S key add bot --pem "$C/es256.pub" >/dev/null
S key add bot --pem "$C/rs256.pub" >/dev/null
S account disable off >/dev/null
chown -R bot "$C"

as_bot() { setpriv --reuid=bot --regid=bot --init-groups --reset-env "$@"; }
tok() { as_bot "$BIN/svcacct-assert" token --key "$C/$1.key" --account bot --aud svcacct:e2e "${@:2}"; }

# NOPASSWD on a role group (the group comes from NSS)
run as_bot sudo -n /usr/bin/id -u
expect_eq "NOPASSWD rule on %deployers: the bot runs it" "0:0" "$RC:$OUT"
ok_cmd "audit: account phase allowed sudo" log_has "event=account result=allow account=bot .*service=sudo"
run setpriv --reuid=bot2 --regid=bot2 --init-groups --reset-env sudo -n /usr/bin/id -u
expect_eq "a bot without the role cannot" "1" "$RC"
run setpriv --reuid=bot3 --regid=bot3 --init-groups --reset-env sudo -n /usr/bin/id -u
expect_eq "role does not allow sudo: account phase refuses" "1" "$RC"
ok_cmd "audit: service_not_allowed for sudo" log_has "event=account result=deny account=bot3 .*service=sudo .*reason=service_not_allowed"
run setpriv --reuid=off --regid=off --init-groups --reset-env sudo -n /usr/bin/id -u
expect_eq "disabled account cannot" "1" "$RC"
# a login whose scope left deployers out has lost the group (setcred):
# the rule no longer matches
base=$(getent group svcacct | cut -d: -f3)
readers=$(getent group readers | cut -d: -f3)
run setpriv --reuid=bot --regid=bot --groups="$base,$readers" --reset-env sudo -n /usr/bin/id -u
expect_eq "scoped login without the role's group cannot use the rule" "1" "$RC"

# PAM-authenticated rule: the assertion on stdin
t=$(tok es256)
run as_bot sh -c "printf '%s\n' '$t' | sudo -S -p '' /usr/bin/whoami"
expect_eq "sudo -S with an ES256 assertion" "0:root" "$RC:$OUT"
ok_cmd "audit: auth allow for sudo" log_has "event=auth result=allow account=bot .*service=sudo .*method=assertion"
run as_bot sh -c "printf '%s\n' '$t' | sudo -S -p '' /usr/bin/whoami"
expect_eq "sudo -S: the same assertion again is refused" "1" "$RC"
ok_cmd "audit: replay for sudo" log_has "event=auth result=deny account=bot .*service=sudo .*reason=replay"
t=$(tok rs256 2>/dev/null)
expect_eq "RS256 assertion is over sudo's 511 bytes" "yes" "$([ ${#t} -gt 511 ] && echo yes)"
run as_bot sh -c "printf '%s\n' '$t' | sudo -S -p '' /usr/bin/whoami"
expect_eq "sudo -S: over 511 bytes in one line fails" "1" "$RC"
run as_bot sh -c "'$BIN/svcacct-assert' token --key '$C/rs256.key' --account bot --aud svcacct:e2e --split 500 | sudo -S -p '' /usr/bin/whoami"
expect_eq "sudo -S: a long credential in parts" "0:root" "$RC:$OUT"
run as_bot sh -c "'$BIN/svcacct-assert' token --key '$C/es256.key' --account bot --aud svcacct:e2e --scope readers | sudo -S -p '' /usr/bin/whoami"
expect_eq "sudo -S: scope readers is enough for sudo (readers allows it)" "0:root" "$RC:$OUT"
run as_bot sh -c "'$BIN/svcacct-assert' token --key '$C/es256.key' --account bot2 --aud svcacct:e2e | sudo -S -p '' /usr/bin/whoami"
expect_eq "sudo -S: an assertion for another account is refused" "1" "$RC"

# Credential length through sudo -S: the longest single answer that
# reaches the module (a malformed one of N bytes is logged as such when it
# arrives whole; longer ones never reach it)
malformed() { sleep 0.3; grep -c "service=sudo .*reason=malformed" "$LOG"; }
m0=$(malformed)
x=$(head -c 511 /dev/zero | tr '\0' a)
run as_bot sh -c "printf '%s\n' $x | sudo -S -p '' /usr/bin/whoami"
expect_eq "sudo -S: a 511-byte answer reaches the module" "$((m0 + 1))" "$(malformed)"
run as_bot sh -c "printf '%s\n' ${x}a | sudo -S -p '' /usr/bin/whoami"
expect_match "sudo -S: a 512-byte answer does not (sudo refuses it)" "Conversation error" "$ERR"
expect_eq "sudo -S: nothing of it reached the module" "$((m0 + 1))" "$(malformed)"
done_testing
