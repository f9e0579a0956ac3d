#!/bin/bash
# SPDX-License-Identifier: MIT
# revoke --stop with Debian's real sshd on 127.0.0.1 in private namespaces:
# two connections of one account, one opened with a secret and one with an
# ssh key, each running a long command through svcacct-shell; revoking the
# secret with --stop ends its connection and its command, and only those.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/e2e/lib.sh"

PORT=2223
e2e_start_sshd "$PORT" "$@"

S role create runners --services sshd --from 127.0.0.1/32 \
	--command "/bin/sleep 601" --command "/bin/sleep 602" \
	--command "/usr/bin/id -un" >/dev/null
S account create bot --role runners >/dev/null
C=$T/client
mkdir -m 700 "$C" "$C/run"
S secret add bot >"$C/secret"
chmod 600 "$C/secret"
A=$(cut -d_ -f2 "$C/secret")
ssh-keygen -q -t ed25519 -N '' -f "$C/pk_ed25519"
K=$(S --json sshkey add bot --pubkey "$C/pk_ed25519.pub" | sed -n 's/.*"id": *"\([0-9a-f]*\)".*/\1/p')
SD=$T/state/sessions/bot

e2e_sshd_start || { tap_notok "sshd started"; cat "$T/sshd.log"; done_testing; exit 1; }
tap_ok "sshd started"

SSHOPTS="-F /dev/null -p $PORT -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=5 -o NumberOfPasswordPrompts=1"
ssh_secret() {
	# shellcheck disable=SC2086
	env -i PATH=/usr/bin:/bin HOME="$C" XDG_RUNTIME_DIR="$C/run" \
		SSH_ASKPASS="$BIN/svcacct-assert" SSH_ASKPASS_REQUIRE=force \
		SVCACCT_ACCOUNT=bot SVCACCT_AUDIENCE=svcacct:e2e SVCACCT_TOKEN_FILE="$C/secret" \
		ssh $SSHOPTS -o PreferredAuthentications=keyboard-interactive \
		bot@127.0.0.1 "$@" </dev/null
}
ssh_key() {
	# shellcheck disable=SC2086
	env -i PATH=/usr/bin:/bin HOME="$C" ssh $SSHOPTS -o BatchMode=yes \
		-o PreferredAuthentications=publickey -o IdentitiesOnly=yes \
		-i "$C/pk_ed25519" bot@127.0.0.1 "$@" </dev/null
}
# the PID of bot's process running CMD, once it runs (bounded wait)
pid_of() {
	for _ in $(seq 200); do
		p=$(pgrep -u bot -f "^$1\$" | head -1)
		[ -n "$p" ] && { echo "$p"; return 0; }
		sleep 0.05
	done
	return 1
}
alive() { [ -e "/proc/$1/stat" ] && ! sed 's/.*) //' "/proc/$1/stat" | grep -q '^Z'; }
gone() { for _ in $(seq 100); do alive "$1" || return 0; sleep 0.05; done; return 1; }

expect_eq "a connection with the secret" bot "$(ssh_secret /usr/bin/id -un 2>&1)"
for _ in $(seq 100); do [ -z "$(ls -A "$SD" 2>/dev/null)" ] && break; sleep 0.05; done
expect_eq "... its record went with its session (sshd closed it)" "" "$(ls -A "$SD")"

ssh_secret /bin/sleep 601 >"$T/a.out" 2>&1 &
SSH_A=$!
ssh_key /bin/sleep 602 >"$T/k.out" 2>&1 &
SSH_K=$!
# the clients are killed when the test ends, whatever it found (sshd and
# the commands with it, by e2e_cleanup)
trap 'kill -KILL $SSH_A $SSH_K ${PA:-} ${PK:-} 2>/dev/null; e2e_cleanup' EXIT
# an ssh client that should be gone: one that is not is ended with SIGUSR1
# (status 138, which the check that follows does not take for a stop)
reap() { gone "$1" || kill -USR1 "$1" 2>/dev/null; wait "$1"; }
PA=$(pid_of "/bin/sleep 601")
PK=$(pid_of "/bin/sleep 602")
ok_cmd "the command of the connection with the secret runs" alive "$PA"
ok_cmd "the command of the connection with the ssh key runs" alive "$PK"
for _ in $(seq 100); do [ "$(ls "$SD" 2>/dev/null | wc -l)" = 2 ] && break; sleep 0.05; done
expect_eq "sshd's session phase recorded both sessions" "$(printf '%s\n' "$A" "$K" | sort | paste -sd' ')" \
	"$(sed -n 's/^credential=//p' "$SD"/* | sort | paste -sd' ')"
expect_eq "... the secret's by sshd's per-connection process" "1" \
	"$(grep -l "credential=$A" "$SD"/* | xargs sed -n 's/^pid=//p' | xargs -I{} cat /proc/{}/cmdline | tr '\0' ' ' | grep -c '^sshd: bot')"

run S secret revoke bot "$A" --stop
expect_eq "secret revoke --stop: exit 0" 0 "$RC"
expect_match "... ended the secret's session" "ended 1 session\(s\) opened with $A" "$OUT"
ok_cmd "the secret's command ended" gone "$PA"
reap "$SSH_A"
rc=$?
expect_eq "its ssh connection ended (not a success)" yes "$([ $rc != 0 ] && [ $rc != 138 ] && echo yes)"
ok_cmd "the ssh key's command still runs" alive "$PK"
expect_eq "only the ssh key's record is left" "$K" "$(sed -n 's/^credential=//p' "$SD"/*)"
ok_cmd "sshd still serves" kill -0 "$SSHD_PID"
expect_rc "the revoked secret no longer logs in" 255 "" ssh_secret /bin/sleep 601

run S sshkey revoke bot "$K" --stop
expect_match "sshkey revoke --stop ends the key's session" "ended 1 session\(s\) opened with $K" "$OUT"
ok_cmd "the key's command ended" gone "$PK"
reap "$SSH_K" 2>/dev/null
expect_eq "no record left" "" "$(ls -A "$SD")"
done_testing
