#!/bin/bash
# SPDX-License-Identifier: MIT
# Benchmark (not a timed test): wall time of `ssh USER@127.0.0.1
# /usr/bin/true` for a service account with a fresh ES256 assertion through
# svcacct-assert as SSH_ASKPASS, side by side in one run with an ordinary
# local user logging in with an ssh public key (what bots use today).
# Same sshd, same PAM stack, interleaved runs. Usage (root, from the build
# tree):  top_builddir=. top_srcdir=SRC bash SRC/tests/bench/ssh/run.sh [N]
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/e2e/lib.sh"
e2e_enter "$@"
e2e_setup || { echo "namespace setup failed" >&2; exit 1; }
N=${1:-50}
PORT=2222
e2e_pam_sshd "$E2E_PAM"
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey"
e2e_sshd_config "$PORT" >"$T/sshd_config"
S role create bench --services sshd --from 127.0.0.1/32 --command /usr/bin/true >/dev/null
S account create bot --role bench >/dev/null
C=$T/client
mkdir -m 700 "$C" "$C/run"
"$BIN/svcacct-assert" keygen --out "$C/es256.key" >"$C/es256.pub"
S key add bot --pem "$C/es256.pub" >/dev/null
# the ordinary user: a home with ~/.ssh/authorized_keys
H=$T/home/e2euser
mkdir -p "$H/.ssh"
ssh-keygen -q -t ed25519 -N '' -f "$C/user_ed25519"
cp "$C/user_ed25519.pub" "$H/.ssh/authorized_keys"
chown -R e2euser:e2euser "$H"
chmod 755 "$H"; chmod 700 "$H/.ssh"; chmod 600 "$H/.ssh/authorized_keys"
e2e_sshd_start || { cat "$T/sshd.log"; exit 1; }
OPTS="-F /dev/null -p $PORT -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"
bot() {
	# shellcheck disable=SC2086
	env -i PATH=/usr/bin:/bin HOME="$C" XDG_RUNTIME_DIR="$C/run" \
		SSH_ASKPASS="$BIN/svcacct-assert" SSH_ASKPASS_REQUIRE=force \
		SVCACCT_KEY="$C/es256.key" SVCACCT_ACCOUNT=bot SVCACCT_AUDIENCE=svcacct:e2e \
		ssh $OPTS -o PreferredAuthentications=keyboard-interactive \
		bot@127.0.0.1 /usr/bin/true </dev/null
}
user() {
	# shellcheck disable=SC2086
	env -i PATH=/usr/bin:/bin HOME="$C" ssh $OPTS -o BatchMode=yes \
		-o PreferredAuthentications=publickey -o IdentitiesOnly=yes \
		-i "$C/user_ed25519" e2euser@127.0.0.1 /usr/bin/true </dev/null
}
bot || { echo "bot login failed" >&2; exit 1; }
user || { echo "user login failed" >&2; tail -n 5 "$T/sshd.log" "$LOG"; exit 1; }
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || echo "FAILED $1" >&2; e=$(date +%s%N); echo $(((e - s) / 1000)); }
: >"$T/bot.us"; : >"$T/user.us"
for _ in $(seq "$N"); do
	ms bot >>"$T/bot.us"
	ms user >>"$T/user.us"
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mb=$(median "$T/bot.us"); mu=$(median "$T/user.us")
echo "runs: $N each, interleaved"
echo "service account, ES256 assertion via svcacct-assert (askpass): median $((mb / 1000)).$(((mb % 1000) / 100)) ms"
echo "local user, ed25519 public key:                               median $((mu / 1000)).$(((mu % 1000) / 100)) ms"
awk -v b="$mb" -v u="$mu" 'BEGIN {printf "ratio: %.2fx\n", b / u}'
