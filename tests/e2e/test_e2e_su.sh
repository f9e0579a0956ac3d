#!/bin/bash
# SPDX-License-Identifier: MIT
# End to end with Debian's real su (setuid; it reads the answer only from
# a terminal, so a pseudo-terminal drives it): the longest single answer
# that arrives intact at pam_svcacct, and a longer credential in parts.
# su runs as an ordinary user (from root, su skips authentication).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/e2e/lib.sh"
e2e_enter "$@"
need su '[ -u /usr/bin/su ]'
need python3-jwcrypto '/usr/bin/python3 -c "import jwcrypto" 2>/dev/null'
e2e_setup || { tap_notok "namespace setup"; done_testing; exit 1; }
# a private devpts instance for the pseudo-terminals
# (the private /dev of ns_private_syslog has none)
mkdir -p /dev/pts && rm -f /dev/ptmx && ln -s pts/ptmx /dev/ptmx &&
	mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts /dev/pts ||
	{ tap_notok "private devpts"; done_testing; exit 1; }

cat >"$T/etc/pam.d/su" <<-EOF
#%PAM-1.0
auth     [success=done user_unknown=ignore authinfo_unavail=ignore default=die] $E2E_PAM conf=$CONF
@include common-auth
account  [success=ok ignore=ignore default=bad] $E2E_PAM conf=$CONF
@include common-account
session  [success=ok ignore=ignore default=bad] $E2E_PAM conf=$CONF
@include common-session
EOF

S role create suers --services su --from local --command "/usr/bin/id -un" >/dev/null
S account create bot --role suers >/dev/null
C=$T/client
mkdir -m 700 "$C"
"$BIN/svcacct-assert" keygen --out "$C/es256.key" >"$C/es256.pub"
S key add bot --pem "$C/es256.pub" >/dev/null

mint() { /usr/bin/python3 "$top_srcdir/tests/e2e/mintlen.py" "$C/es256.key" \
	bot svcacct:e2e "$1"; }

# The driver: su on a pseudo-terminal; each line of the file named by
# argv[1] answers one prompt, written once the prompt is shown and echo is
# off (misc_conv flushes pending input when it turns echo off).
cat >"$C/su-pty.py" <<-'EOF'
import os, pty, re, select, sys, termios, time
lines = open(sys.argv[1]).read().split("\n")
if lines and lines[-1] == "":
    lines.pop()
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
out = b""
def pump(t):
    global out
    r, _, _ = select.select([fd], [], [], t)
    if not r:
        return True
    try:
        d = os.read(fd, 65536)
    except OSError:
        return False
    if not d:
        return False
    out += d
    return True
alive = True
seen = 0
for i, ans in enumerate(lines):
    want = rb"svcacct credential for [^\n]*: " if i == 0 else \
        rb"svcacct credential \(part %d\): " % (i + 1)
    deadline = time.time() + 10
    m = None
    while alive and time.time() < deadline:
        m = re.compile(want).search(out, seen)
        if m:
            break
        alive = pump(0.05)
    if not m:
        break
    seen = m.end()
    while time.time() < deadline and \
            termios.tcgetattr(fd)[3] & termios.ECHO:
        pump(0.005)
    os.write(fd, ans.encode() + b"\n")
deadline = time.time() + 15
while alive and time.time() < deadline:
    alive = pump(0.2)
os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
EOF

# su bot -c '/usr/bin/id -un' as e2euser; prints "bot" on success (su
# keeps the bot's svcacct-shell, which runs the role's allowed command)
su_as() {
	/usr/bin/python3 "$C/su-pty.py" "$1" \
		setpriv --reuid=e2euser --regid=e2euser --clear-groups --reset-env \
		su -s /bin/sh bot -c '/usr/bin/id -un'
}
got() { grep -qx bot "$1" && echo bot; }
probe() {
	mint "$1" >"$C/t$1"
	su_as "$C/t$1" >"$C/o$1" 2>&1
	echo "$(tr -d '\n' <"$C/t$1" | wc -c):$(got "$C/o$1")"
}

expect_eq "su: a 300-byte assertion in one answer" "300:bot" "$(probe 300)"
ok_cmd "audit: auth allow for su" log_has "event=auth result=allow account=bot .*service=su .*method=assertion"
expect_eq "su: 1023 accepted" "1023:bot" "$(probe 1023)"
expect_eq "su: 4095 accepted (the tty's canonical line: 4095 + newline)" "4095:bot" "$(probe 4095)"
expect_eq "su: 4096 refused (cut to 4095 by the tty)" "4096:" "$(probe 4096)"
ok_cmd "audit: the 4096-byte one arrived cut (bad_signature)" log_has "event=auth result=deny account=bot .*service=su .*reason=bad_signature"
expect_eq "su: 8191 refused" "8191:" "$(probe 8191)"
ok_cmd "audit: the 8191-byte one arrived cut (malformed)" log_has "event=auth result=deny .*service=su .*reason=malformed"

# 8191 bytes in parts of 1000 (each but the last ending in \)
{ mint 8191 | tr -d '\n' | fold -w 1000; echo; } | sed '$!s/$/\\/' >"$C/parts"
expect_eq "credential split into 9 parts" "9" "$(wc -l <"$C/parts")"
su_as "$C/parts" >"$C/oparts" 2>&1
expect_eq "su: an 8191-byte assertion in 9 parts of 1000" "bot" "$(got "$C/oparts")"
sleep 0.3
expect_eq "audit: a fourth auth allow for su (the parts)" "4" \
	"$(grep -c "event=auth result=allow account=bot .*service=su .*method=assertion" "$LOG")"
expect_match "su: the module asked for part 9" 'part 9\): ' "$(cat "$C/oparts")"
done_testing
