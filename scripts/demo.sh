#!/bin/bash
# The guided demo behind quickstart.sh: BUILD_DIR is a configured build tree.
set -eu
B=$1
T=$(mktemp -d /tmp/svcacct-demo.XXXXXX)
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
cat >"$T/svcacct.conf" <<CONF
db_dir = $T/db
state_dir = $T/state
home_base = $T/home
CONF
S() { printf '$ svcacct'; printf ' %q' "$@"; echo; "$B/tools/svcacct" --conf "$T/svcacct.conf" "$@"; echo; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. A role: what its holders may do (PAM services, sources, commands)"
S role create deployers --description "deploy bots" --services sshd,sudo --from 127.0.0.0/8,local --command "/usr/bin/systemctl restart app"

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

echo "The store lived in $T and is removed now. See README.md for installing"
echo "svcacct for real (nsswitch.conf, PAM) and docs/ for how it works."
