#!/bin/bash
# A scoped ssh key end to end with Debian's real sshd: sshd names the key
# of a public-key login only from the session phase on (SSH_AUTH_INFO_0),
# so that phase applies the key's scope. A key scoped to one role gets a
# session with that role's group only (setcred runs again after the
# session opened), svcacct-shell runs only that role's commands, a key
# whose roles do not allow sshd or whose sources leave the client out
# gets no session, and the audit record names the scope.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/e2e/lib.sh"

PORT=2251
e2e_start_sshd "$PORT" "$@"

S role create web --services sshd --from 127.0.0.0/8 \
	--command "/usr/bin/id -Gn" --command "/bin/echo web" >/dev/null
S role create db --services sshd --from 127.0.0.0/8 \
	--command "/usr/bin/id -Gn" --command "/bin/echo db" >/dev/null
S role create batch --force --services cron --from local >/dev/null
S role create one --services sshd --from 127.0.0.0/8 --command "/bin/echo one" >/dev/null
S account create ks --role web --role db --role batch --role one --shell "$BIN/svcacct-shell" >/dev/null
C=$T/client
mkdir -m 700 "$C"
for k in kweb kall kfar kbatch kone; do ssh-keygen -q -t ed25519 -N '' -f "$C/$k"; done
idof() { sed -n 's/.*"id": *"\([0-9a-f]*\)".*/\1/p'; }
KWEB=$(S --json sshkey add ks --pubkey "$C/kweb.pub" --roles web | idof)
S sshkey add ks --pubkey "$C/kall.pub" >/dev/null
S sshkey add ks --pubkey "$C/kfar.pub" --from 10.0.0.0/8 >/dev/null
S sshkey add ks --pubkey "$C/kbatch.pub" --roles batch >/dev/null
KONE=$(S --json sshkey add ks --pubkey "$C/kone.pub" --roles one | idof)
e2e_sshd_start || { tap_notok "sshd started"; cat "$T/sshd.log"; done_testing; exit 1; }
tap_ok "sshd started"

SSHOPTS="-F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=5"
key_run() { # KEY COMMAND
	# shellcheck disable=SC2086
	env -i PATH=/usr/bin:/bin HOME="$C" ssh $SSHOPTS -p "$PORT" -o BatchMode=yes \
		-o PreferredAuthentications=publickey -o IdentitiesOnly=yes \
		-i "$C/$1" "ks@127.0.0.1" "$2" </dev/null 2>/dev/null
}
words() { tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//'; }

expect_eq "unscoped key: the session holds every role's group" "batch db ks one svcacct web" \
	"$(key_run kall "/usr/bin/id -Gn" | words)"
expect_eq "key scoped to web: the session holds web's group only" "ks svcacct web" \
	"$(key_run kweb "/usr/bin/id -Gn" | words)"
ok_cmd "audit: the session names the key and its scope" \
	log_has "event=session-open result=ok account=ks credential=$KWEB method=sshkey .*roles=web jti=- scope=web\$"
expect_eq "svcacct-shell: web's command runs" "web" "$(key_run kweb "/bin/echo web")"
expect_eq "svcacct-shell: db's command, outside the scope, does not" "" "$(key_run kweb "/bin/echo db")"
ok_cmd "... refused by the shell" log_has "event=shell result=deny account=ks command=/bin/echo\?db reason=not_allowed"
expect_eq "svcacct-shell: the unscoped key runs db's command" "db" "$(key_run kall "/bin/echo db")"
expect_eq "key scoped to a role without sshd: no session" "" "$(key_run kbatch "/usr/bin/id -Gn")"
ok_cmd "... refused by the session phase" \
	log_has "event=session-open result=deny account=ks .*reason=service_not_allowed method=sshkey"
expect_eq "key --from 10.0.0.0/8, client 127.0.0.1: no session" "" "$(key_run kfar "/usr/bin/id -Gn")"
ok_cmd "... refused: source_not_allowed" \
	log_has "event=session-open result=deny account=ks .*reason=source_not_allowed method=sshkey"
# authorized-keys forces the one command of a key's scope
AK=$(setpriv --reuid="$KEYS_USER" --regid="$KEYS_USER" --clear-groups "$BIN/svcacct" authorized-keys ks "$(id -u ks)")
expect_match "authorized-keys: the key scoped to one gets its one command" \
	"^restrict,command=\"/bin/echo one\" ssh-ed25519 [^ ]+ svcacct:$KONE\$" "$AK"
expect_match "authorized-keys: the key scoped to web gets none (two commands)" \
	"^restrict ssh-ed25519 [^ ]+ svcacct:$KWEB\$" "$AK"
expect_eq "the key scoped to one runs its command whatever is asked" "one" "$(key_run kone "/usr/bin/id -Gn")"
S sshkey set ks "$(S --json sshkey list ks | /usr/bin/python3 -c 'import json,sys; print([k["id"] for k in json.load(sys.stdin) if not k["roles"] and not k["from"]][0])')" \
	--roles db >/dev/null
expect_eq "sshkey set --roles db: the next session holds db's group only" "db ks svcacct" \
	"$(key_run kall "/usr/bin/id -Gn" | words)"
done_testing
