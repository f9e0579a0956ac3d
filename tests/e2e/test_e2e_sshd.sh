#!/bin/bash
# SPDX-License-Identifier: MIT
# End to end with Debian's real OpenSSH sshd, on 127.0.0.1 in private
# namespaces: PAM stack with pam_svcacct (built), NSS with the built
# module, the hardening block of docs/howto-sshd.md, svcacct-shell as the
# accounts' shell, and svcacct-assert as the client's SSH_ASKPASS.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/e2e/lib.sh"
e2e_need_sshd
e2e_start "$@"

PORT=2222
MOD=$E2E_PAM
e2e_pam_sshd "$MOD"
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey"
e2e_sshd_config "$PORT" >"$T/sshd_config"
ok_cmd "sshd -t accepts the configuration" /usr/sbin/sshd -t -f "$T/sshd_config"

# --- accounts, roles, credentials
S role create deployers --services sshd,sudo --from 127.0.0.1/32 \
	--command "/usr/bin/id -un" --command "/bin/echo deployed" \
	--command "/bin/sleep 3" --command /usr/bin/env >/dev/null
S role create sudoonly --services sudo --from 127.0.0.0/8 --command "/usr/bin/id -un" >/dev/null
S role create keyed --services sshd --from 127.0.0.0/8 --command "/usr/bin/id -un" >/dev/null
S role create readers --services sshd --from 127.0.0.1/32 --command "/usr/bin/id -Gn" >/dev/null
S account create bot --role deployers --role readers >/dev/null
S account create nossh --role sudoonly >/dev/null
S account create pk --role keyed >/dev/null
S account create off --role deployers >/dev/null
C=$T/client
mkdir -m 700 "$C" "$C/run"
"$BIN/svcacct-assert" keygen --out "$C/es256.key" >"$C/es256.pub"
"$BIN/svcacct-assert" keygen --alg RS256 --out "$C/rs256.key" >"$C/rs256.pub"
for a in bot nossh off; do S key add $a --pem "$C/es256.pub" >/dev/null; done
S key add bot --pem "$C/rs256.pub" >/dev/null
S secret add bot >"$C/secret"
chmod 600 "$C/secret"
ssh-keygen -q -t ed25519 -N '' -f "$C/pk_ed25519"
S sshkey add pk --pubkey "$C/pk_ed25519.pub" >/dev/null
S sshkey add off --pubkey "$C/pk_ed25519.pub" >/dev/null
S account disable off >/dev/null

e2e_sshd_start || { tap_notok "sshd started"; cat "$T/sshd.log"; done_testing; exit 1; }
tap_ok "sshd started"

SSHOPTS="-F /dev/null -p $PORT -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=5 -o NumberOfPasswordPrompts=1"
# ssh_kbd USER [ssh args...]: keyboard-interactive through svcacct-assert
# as SSH_ASKPASS (KEY, AUD, TOKFILE, PARTSZ, METHOD change what it sends)
ssh_kbd() {
	local u=$1; shift
	# shellcheck disable=SC2086
	env -i PATH=/usr/bin:/bin HOME="$C" XDG_RUNTIME_DIR="$C/run" \
		${SSH_AUTH_SOCK:+SSH_AUTH_SOCK=$SSH_AUTH_SOCK} \
		SSH_ASKPASS="$BIN/svcacct-assert" SSH_ASKPASS_REQUIRE=force \
		SVCACCT_KEY="${KEY:-$C/es256.key}" SVCACCT_ACCOUNT="$u" \
		SVCACCT_AUDIENCE="${AUD:-svcacct:e2e}" \
		${TOKFILE:+SVCACCT_TOKEN_FILE=$TOKFILE} \
		${PARTSZ:+SVCACCT_PART_SIZE=$PARTSZ} ${SCOPE:+SVCACCT_SCOPE=$SCOPE} \
		ssh $SSHOPTS -o PreferredAuthentications=${METHOD:-keyboard-interactive} \
		"$u@127.0.0.1" "$@" </dev/null
}
ssh_key() {
	local u=$1; shift
	# shellcheck disable=SC2086
	env -i PATH=/usr/bin:/bin HOME="$C" ssh $SSHOPTS -o BatchMode=yes \
		-o PreferredAuthentications=publickey -o IdentitiesOnly=yes \
		-i "$C/pk_ed25519" "$u@127.0.0.1" "$@" </dev/null
}

# (a) ES256 assertion through svcacct-assert as SSH_ASKPASS
run ssh_kbd bot /usr/bin/id -un
expect_eq "ES256 assertion: allowed command runs, output comes back" "0:bot" "$RC:$OUT"
ok_cmd "audit: auth allow, method=assertion" log_has "event=auth result=allow account=bot .*service=sshd rhost=127.0.0.1 .*method=assertion"
ok_cmd "audit: shell allow" log_has "event=shell result=allow account=bot command=/usr/bin/id.-un"
ok_cmd "audit: session opened" log_has "event=session-open result=ok account=bot"
envout=$(ssh_kbd bot /usr/bin/env 2>/dev/null)
expect_eq "the command's environment: the clean list plus pam_svcacct's (no forced command: no SSH_ORIGINAL_COMMAND)" \
	"HOME LANG LOGNAME PATH SHELL SSH_CLIENT SSH_CONNECTION SVCACCT_ACCOUNT SVCACCT_CREDENTIAL SVCACCT_JTI SVCACCT_METHOD SVCACCT_ROLES USER" \
	"$(printf '%s\n' "$envout" | cut -d= -f1 | sort | tr '\n' ' ' | sed 's/ $//')"
expect_match "SVCACCT_ROLES from the session" "^SVCACCT_ROLES=deployers,readers$" "$envout"
expect_eq "second allowed command" "deployed" "$(ssh_kbd bot /bin/echo deployed 2>/dev/null)"
run ssh_kbd bot /bin/sh -i
expect_eq "disallowed command refused" "1" "$RC"
expect_match "disallowed command: svcacct-shell says why" "refused" "$ERR"
ok_cmd "audit: shell deny" log_has "event=shell result=deny account=bot command=/bin/sh.-i reason=not_allowed"
expect_rc "interactive session refused" 1 "no interactive" ssh_kbd bot
ok_cmd "audit: interactive refused" log_has "event=shell result=deny account=bot command=- reason=interactive"
run ssh_kbd bot -tt /usr/bin/id -un
expect_match "tty refused (PermitTTY no)" "PTY allocation request failed" "$ERR"
run ssh_kbd bot -o ExitOnForwardFailure=yes -R 127.0.0.1:4444:127.0.0.1:$PORT /usr/bin/id -un
expect_match "remote forwarding (-R) refused" "forwarding failed|administratively prohibited" "$ERR"
run ssh_kbd bot -W 127.0.0.1:$PORT
expect_match "local forwarding (-L/-W, direct-tcpip) refused" "administratively prohibited|open failed|forwarding failed" "$ERR"
# agent forwarding: sshd makes no agent socket for the bot; for an
# ordinary user (no Match block) it does (the control)
H=$T/home/e2euser
mkdir -p "$H/.ssh"
ssh-keygen -q -t ed25519 -N '' -f "$C/user_ed25519"
cp "$C/user_ed25519.pub" "$H/.ssh/authorized_keys"
chown -R e2euser:e2euser "$H"
chmod 700 "$H/.ssh"
eval "$(ssh-agent -s)" >/dev/null
ssh-add -q "$C/user_ed25519" 2>/dev/null
agent_sock() { # USER: an sshd agent socket of USER appears within 2 s
	for _ in $(seq 40); do
		[ -n "$(find /tmp -maxdepth 1 -name 'ssh-*' -user "$1" 2>/dev/null)" ] && return 0
		sleep 0.05
	done
	return 1
}
# shellcheck disable=SC2086
env -i PATH=/usr/bin:/bin HOME="$C" SSH_AUTH_SOCK="$SSH_AUTH_SOCK" ssh $SSHOPTS -A \
	-o BatchMode=yes -o IdentitiesOnly=yes -i "$C/user_ed25519" \
	e2euser@127.0.0.1 /bin/sleep 3 </dev/null >/dev/null 2>&1 &
ok_cmd "agent forwarding works for an ordinary user (control)" agent_sock e2euser
wait
(SSH_AUTH_SOCK=$SSH_AUTH_SOCK ssh_kbd bot -A /bin/sleep 3 >/dev/null 2>&1 &)
fail_cmd "agent forwarding refused for the bot" agent_sock bot
ok_cmd "... while the bot's session ran" log_has "event=shell result=allow account=bot command=/bin/sleep.3"
ssh-agent -k >/dev/null 2>&1

# the sftp subsystem request, as sftp(1) makes it (sftp -b would force
# BatchMode, which disables askpass)
run ssh_kbd bot -s sftp
expect_eq "sftp subsystem refused" "yes" "$([ "$RC" != 0 ] && echo yes)"
ok_cmd "audit: sftp-server refused" log_has "event=shell result=deny account=bot command=/usr/lib/openssh/sftp-server reason=not_allowed"

# a scoped assertion narrows the login: setcred drops the other roles'
# groups, and svcacct-shell honours only the groups the process holds
expect_eq "no scope: every granted role's group" "bot svcacct deployers readers" \
	"$(ssh_kbd bot /usr/bin/id -Gn 2>/dev/null)"
expect_eq "scope readers: deployers' group dropped by setcred" "bot svcacct readers" \
	"$(SCOPE=readers ssh_kbd bot /usr/bin/id -Gn 2>/dev/null)"
SCOPE=readers run ssh_kbd bot /usr/bin/id -un
expect_eq "scope readers: deployers' command refused by svcacct-shell" "1" "$RC"

# (b) RS256 assertion, in one answer and in parts (300-byte parts)
expect_eq "RS256 assertion" "bot" "$(KEY=$C/rs256.key ssh_kbd bot /usr/bin/id -un 2>&1)"
expect_eq "RS256 assertion sent in parts" "bot" "$(KEY=$C/rs256.key PARTSZ=300 ssh_kbd bot /usr/bin/id -un 2>&1)"
expect_eq "askpass cache empty after the last part" "" "$(ls "$C/run/svcacct-assert")"

# (c) client secret, by keyboard-interactive and by password
expect_eq "client secret (keyboard-interactive)" "bot" "$(TOKFILE=$C/secret ssh_kbd bot /usr/bin/id -un 2>&1)"
ok_cmd "audit: method=secret" log_has "event=auth result=allow account=bot .*method=secret"
expect_eq "client secret (password authentication)" "bot" \
	"$(METHOD=password TOKFILE=$C/secret ssh_kbd bot /usr/bin/id -un 2>&1)"

# (d) ssh public key served by svcacct authorized-keys; the account phase
# still applies the roles, and records the key's last use (sshd, not
# pam_svcacct, authenticated it)
key_last_used() { S --json sshkey list pk | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["last_used"])'; }
expect_eq "ssh key: never used before its first login" "None" "$(key_last_used)"
t_before=$(date +%s)
run ssh_key pk
t_after=$(date +%s)
expect_eq "ssh key: forced command runs" "0:pk" "$RC:$OUT"
lu=$(key_last_used)
expect_eq "ssh key: the login recorded its last use (sshkey list's last_used)" "in the login" \
	"$([ "$lu" != None ] && [ "$lu" -ge "$t_before" ] && [ "$lu" -le "$t_after" ] && echo "in the login" || echo "$lu")"
expect_eq "ssh key: another command is replaced by the forced one" "pk" "$(ssh_key pk /bin/sh -i 2>/dev/null)"
ok_cmd "audit: account phase for the key login" log_has "event=account result=allow account=pk .*service=sshd"
ok_cmd "sshd: key found through AuthorizedKeysCommand" grep -q "Accepted publickey for pk" "$T/sshd.log"
run ssh_key bot /usr/bin/id -un
expect_eq "ssh key not registered for bot: refused" "255" "$RC"

# refusals
"$BIN/svcacct-assert" token --key "$C/es256.key" --account bot --aud svcacct:e2e >"$C/replay"
chmod 600 "$C/replay"
expect_eq "an assertion works once" "bot" "$(TOKFILE=$C/replay ssh_kbd bot /usr/bin/id -un 2>&1)"
TOKFILE=$C/replay run ssh_kbd bot /usr/bin/id -un
expect_eq "replayed assertion refused" "255" "$RC"
ok_cmd "audit: replay" log_has "event=auth result=deny account=bot .*reason=replay"
AUD=svcacct:elsewhere run ssh_kbd bot /usr/bin/id -un
expect_eq "assertion for another audience refused" "255" "$RC"
ok_cmd "audit: bad_aud" log_has "event=auth result=deny account=bot .*reason=bad_aud"
sid=$(cut -d_ -f2 "$C/secret")
S secret revoke bot "$sid" >/dev/null
TOKFILE=$C/secret run ssh_kbd bot /usr/bin/id -un
expect_eq "revoked secret refused" "255" "$RC"
ok_cmd "audit: revoked secret" log_has "event=auth result=deny account=bot credential=$sid .*reason=(revoked|unknown_credential)"
run ssh_kbd off /usr/bin/id -un
expect_eq "disabled account refused (assertion)" "255" "$RC"
ok_cmd "audit: disabled" log_has "event=auth result=deny account=off .*reason=account_disabled"
run ssh_key off /usr/bin/id -un
expect_eq "disabled account refused (ssh key)" "255" "$RC"
run ssh_kbd nossh /usr/bin/id -un
expect_eq "role without sshd refused" "255" "$RC"
ok_cmd "audit: service_not_allowed" log_has "event=account result=deny account=nossh .*reason=service_not_allowed"
run ssh_kbd bot -b 127.0.0.2 /usr/bin/id -un
expect_eq "connection from outside the role's CIDR refused" "255" "$RC"
ok_cmd "audit: source_not_allowed" log_has "event=account result=deny account=bot .*rhost=127.0.0.2 .*reason=source_not_allowed"

# Credential length through ssh: the longest single answer that arrives
# intact (a raw askpass that prints a valid assertion padded to N bytes),
# and parts for longer ones (svcacct-assert, from a token file)
if /usr/bin/python3 -c "import jwcrypto" 2>/dev/null; then
	mint() { /usr/bin/python3 "$top_srcdir/tests/e2e/mintlen.py" "$C/es256.key" \
		bot svcacct:e2e "$1"; }
	printf '#!/bin/sh\ncat "$RAWFILE"\n' >"$C/raw-askpass"
	chmod 755 "$C/raw-askpass"
	ssh_raw() {
		# shellcheck disable=SC2086
		env -i PATH=/usr/bin:/bin HOME="$C" RAWFILE="$1" \
			SSH_ASKPASS="$C/raw-askpass" SSH_ASKPASS_REQUIRE=force \
			ssh $SSHOPTS -o PreferredAuthentications=${METHOD:-keyboard-interactive} \
			bot@127.0.0.1 /usr/bin/id -un </dev/null 2>/dev/null
	}
	for m in keyboard-interactive password; do
		mint 1023 >"$C/t1023"; mint 1024 >"$C/t1024"
		expect_eq "$m: a 1023-byte assertion arrives whole" "1023:bot" \
			"$(tr -d '\n' <"$C/t1023" | wc -c):$(METHOD=$m ssh_raw "$C/t1023")"
		expect_eq "$m: a 1024-byte one does not" "1024:" \
			"$(tr -d '\n' <"$C/t1024" | wc -c):$(METHOD=$m ssh_raw "$C/t1024")"
	done
	mint 2500 >"$C/t2500"
	chmod 600 "$C/t2500"
	expect_eq "a 2500-byte assertion in three parts" "bot" \
		"$(TOKFILE=$C/t2500 ssh_kbd bot /usr/bin/id -un 2>/dev/null)"
else
	tap_skip "credential length through ssh" "needs python3-jwcrypto"
fi
done_testing
