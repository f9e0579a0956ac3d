#!/bin/bash
# The guided demo behind quickstart.sh: BUILD_DIR is a configured build tree.
set -eu
B=$1
. "$(dirname "$0")/../tests/lib/scratch.sh"
scratch_store /tmp/svcacct-demo.XXXXXX svcacct.conf \
	"audiences = svcacct:demo" "fail_delay_ms = 0"
S() { printf '$ svcacct'; printf ' %q' "$@"; echo; "$B/tools/svcacct" --conf "$T/svcacct.conf" "$@"; echo; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. A role: what its holders may do (PAM services, sources, commands)"
S role create deployers --description "deploy bots" --services sshd,sudo --from 127.0.0.0/8,local --command "/usr/bin/systemctl restart app"
S role create auditors --description "read-only bots" --services sshd

step "2. A service account with that role (UID from the service range)"
S account create deploy-bot --description "CI deploy bot" --owner "platform-team" --role deployers
S account show deploy-bot

step "3. A client secret: shown once, stored only as a keyed hash"
SECRET=$("$B/tools/svcacct" --conf "$T/svcacct.conf" secret add deploy-bot --label ci --expires 90d)
echo "\$ svcacct secret add deploy-bot --label ci --expires 90d"
echo "$SECRET"
echo "(format: svcs_<credential id>_<256 random bits>_<checksum>)"
S secret list deploy-bot

step "4. A public key for signed JWT client assertions (ES256)"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/bot.key" 2>/dev/null
openssl pkey -in "$T/bot.key" -pubout -out "$T/bot.pub"
echo "\$ openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out bot.key; openssl pkey -in bot.key -pubout -out bot.pub"
S key add deploy-bot --pem "$T/bot.pub" --label laptop
S key list deploy-bot

step "5. Everything at a glance, and a consistency check"
S account list
S role list
S check

step "6. Revocation survives a rollback"
ID=$(echo "$SECRET" | cut -c6-21)
S secret revoke deploy-bot "$ID"
S rollback
S secret list deploy-bot
S generations

step "7. The accounts are Unix users: glibc resolves them through nss_svcacct"
echo "(in a private mount namespace: nsswitch.conf says 'passwd: files svcacct',"
echo " the built module is laid over the library directory; the host is untouched)"
mkdir -p "$T/etc/svcacct" "$T/lib" "$T/etc/pam.d"
chmod 755 "$T/etc" "$T/etc/svcacct"
cp "$T/svcacct.conf" "$T/etc/svcacct/svcacct.conf"
printf 'passwd: files svcacct\ngroup: files svcacct\nshadow: files svcacct\n' >"$T/etc/nsswitch.conf"
cp "$B/nss/.libs/libnss_svcacct.so.2" "$T/lib/"
MOD=$B/pam/.libs/pam_svcacct.so
cat >"$T/etc/pam.d/sshd" <<PAM
auth     [success=done user_unknown=ignore authinfo_unavail=ignore default=die] $MOD
auth     requisite pam_deny.so
account  [success=ok ignore=ignore default=bad] $MOD
account  required pam_permit.so
session  optional $MOD
PAM
# a fresh ES256 assertion for the registered key (svcacct-assert when it is
# built, else the test-suite's jwcrypto minter)
mint() {
	if [ -x "$B/tools/svcacct-assert" ]; then
		"$B/tools/svcacct-assert" token --key "$T/bot.key" --account deploy-bot --aud svcacct:demo 2>/dev/null
	else
		/usr/bin/python3 "$(dirname "$0")/../tests/pam/mint.py" --key "$T/bot.key" --account deploy-bot --aud svcacct:demo
	fi
}
ML=/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
cp "$T/etc/pam.d/sshd" "$T/etc/pam.d/sudo"
S account create audit-bot --role auditors >/dev/null
SECRET=$("$B/tools/svcacct" --conf "$T/svcacct.conf" secret add deploy-bot --label demo)
TOKEN=$(mint)
export T ML SECRET TOKEN
unshare --mount bash -eu -c '
mount -t overlay overlay -o "lowerdir=$T/etc:/etc" /etc
mount -t overlay overlay -o "lowerdir=$T/lib:$ML" "$ML"
x() { printf "\$ %s\n" "$*"; "$@"; echo; }
x getent passwd deploy-bot
x id deploy-bot
x getent group deployers svcacct
x getent shadow deploy-bot

printf "\n\033[1m== 8. Logging in through Linux-PAM (pamtester, service sshd)\033[0m\n"
echo "with a new client secret (the first one was revoked in step 6):"
echo "$SECRET" | pamtester -v sshd deploy-bot authenticate acct_mgmt 2>&1 | sed "s/^/  /"
echo "with a fresh signed assertion ($(printf %s "$TOKEN" | wc -c) bytes):"
echo "$TOKEN" | pamtester -v sshd deploy-bot authenticate acct_mgmt 2>&1 | sed "s/^/  /"
echo "the same assertion again (replayed):"
echo "$TOKEN" | pamtester -v sshd deploy-bot authenticate 2>&1 | sed "s/^/  /" || true
echo "a wrong secret:"
echo "svcs_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA_00000000" | pamtester -v sshd deploy-bot authenticate 2>&1 | sed "s/^/  /" || true
echo "account phase for audit-bot on service sudo (its only role allows sshd):"
pamtester -v sudo audit-bot acct_mgmt 2>&1 | sed "s/^/  /" || true
echo "root is not a service account: the module answers user_unknown and the stack goes on (here to pam_deny; pam_unix on a real host):"
echo x | pamtester -v sshd root authenticate 2>&1 | sed "s/^/  /" || true
' || true

echo "The store lived in $T and is removed now. See README.md for installing"
echo "svcacct for real (nsswitch.conf, PAM) and docs/ for how it works."
