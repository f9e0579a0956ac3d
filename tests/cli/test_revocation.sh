#!/bin/bash
# SPDX-License-Identifier: MIT
# Revoked stays revoked. For each kind of credential (client secret,
# assertion key, OpenSSH key), removed on its own or with its account:
#   - a rollback to a generation that still held it publishes a generation
#     without it (and no reader uses it);
#   - import and apply refuse its key material again, unless told to with
#     --allow-revoked-keys (secrets are never exported, so never imported);
#   - every reader honours the revocation list even when the current
#     generation does hold it (a store rolled back by an older svcacct, or
#     restored by hand): authorized-keys as the keys user, the lists, the
#     export, svcacct verify.
# Runs as root (TAP); authorized-keys runs as nobody:nogroup (keys_group).
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/cli.sh"

cli_need_svcacct setpriv ssh-keygen
need jwcrypto '/usr/bin/python3 -c "import jwcrypto" 2>/dev/null'
cli_enter_nss_ns "$@"

ROOT=$(mktemp -d /tmp/svcacct-revoke.XXXXXX)
chmod 755 "$ROOT"
trap 'rm -rf "$ROOT"' EXIT
AUD=svcacct:revoke-test
NOGROUP=$(getent group nogroup | cut -d: -f3)
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$ROOT/es.key" 2>/dev/null
openssl pkey -in "$ROOT/es.key" -pubout -out "$ROOT/es.pub" 2>/dev/null
ssh-keygen -q -t ed25519 -N '' -C bot@ci -f "$ROOT/ssh" >/dev/null

# new_env: a fresh store in $T with account bot (role ops) and $SV as sv.
new_env() {
	T=$(mktemp -d "$ROOT/s.XXXXXX")
	chmod 755 "$T"
	cat >"$T/c.conf" <<-EOF
	db_dir = $T/db
	state_dir = $T/state
	home_base = $T/home
	keys_group = nogroup
	audiences = $AUD
	EOF
	chmod 644 "$T/c.conf"
	if [ -z "${NSSNS_DIR:-}" ]; then
		nssns_setup "$ROOT/nss" "$T/c.conf" || { tap_notok "NSS overlay"; done_testing; exit 1; }
	else
		nssns_store "$T/c.conf"
	fi
	sv role create ops --services sshd --from 127.0.0.0/8 >/dev/null
	sv account create bot --role ops --no-home >/dev/null
}
sv() { "$SV" --conf "$T/c.conf" "$@"; }
gen() { readlink "$T/db/current" | sed 's/^gen-0*//'; }
uid_of() { sv --json account show "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["uid"])'; }
# authorized-keys as sshd runs it: the keys user, the UID sshd resolved
ak() { setpriv --reuid=65534 --regid=65534 --clear-groups "$SV" --conf "$T/c.conf" authorized-keys "$@"; }
mint() { /usr/bin/python3 "$top_srcdir/tests/pam/mint.py" --aud "$AUD" --key "$ROOT/es.key" --kid k1 "$@"; }
# Everything a refused change could touch.
snap() { sv generations; sv export; ls -A "$T/db"; for f in "$T"/state/*; do [ -f "$f" ] && md5sum "$f"; done; }

# add KIND: one credential of bot; sets CRED (what a client holds: the
# secret, or nothing) and ID.
add() {
	case $1 in
	secret)
		CRED=$(sv secret add bot)
		ID=${CRED:5:16} ;;
	key)
		ID=$(sv --json key add bot --pem "$ROOT/es.pub" --kid k1 --alg ES256 |
			python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])') ;;
	sshkey)
		ID=$(sv --json sshkey add bot --pubkey "$ROOT/ssh.pub" |
			python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])') ;;
	esac
}
remove() { # KIND HOW
	case $2 in
	delete) sv account delete bot >/dev/null ;;
	remove) case $1 in
		secret) sv secret revoke bot "$ID" >/dev/null ;;
		key) sv key remove bot k1 >/dev/null ;;
		sshkey) sv sshkey remove bot "$ID" >/dev/null ;;
		esac ;;
	esac
}
# listed KIND: the ids bot's list shows with their status, "id status"
listed() {
	local noun=$1
	sv --json "$noun" list bot 2>/dev/null |
		python3 -c 'import json,sys; [print(c["id"], c["status"]) for c in json.load(sys.stdin)]'
}
# usable KIND: whether a reader would accept the credential now
usable() {
	case $1 in
	secret) sv verify bot <<<"$CRED" >/dev/null 2>&1 ;;
	key) mint --account bot | sv verify bot >/dev/null 2>&1 ;;
	sshkey) [ -n "$(ak bot "$(uid_of bot)" 2>/dev/null)" ] ;;
	esac
}

for kind in secret key sshkey; do
	for how in remove delete; do
		new_env
		add $kind
		ok_cmd "$kind/$how: usable before" usable $kind
		G0=$(gen)
		sv export >"$T/e0.json"
		sv export --manifest >"$T/m0.json"
		remove $kind $how
		# ---- rollback
		run sv rollback "$G0"
		expect_eq "$kind/$how: rollback to the generation that held it" 0 "$RC"
		fail_cmd "$kind/$how: not usable after the rollback" usable $kind
		expect_nomatch "$kind/$how: not in the published generation's list" "$ID" "$(listed $kind)"
		expect_nomatch "$kind/$how: not in the export" "$ID|$(cut -d' ' -f2 "$ROOT/ssh.pub")|\"k1\"" "$(sv export)"
		ok_cmd "$kind/$how: svcacct check passes" sv check
		[ $kind = secret ] && continue # never exported: nothing to import
		# ---- import of the material again (into the store after the
		# removal: the export of before, minus what exists or is
		# retired)
		sv rollback >/dev/null # back to the state after the removal
		python3 - "$T/e0.json" "$T/imp.json" "$how" <<-'PY'
		import json, sys
		d = json.load(open(sys.argv[1]))
		out = {"format": d["format"], "version": 1,
		       "keys": d["keys"], "sshkeys": d.get("sshkeys", [])}
		if sys.argv[3] == "delete":
		    for a in d["accounts"]:
		        a.pop("uid")  # a deleted account's UID is retired
		    out["accounts"] = d["accounts"]
		json.dump(out, open(sys.argv[2], "w"))
		PY
		before=$(snap)
		run sv import "$T/imp.json"
		expect_eq "$kind/$how: import of the revoked material refused" 1 "$RC"
		expect_match "$kind/$how: ... saying it was revoked and which flag" \
			"was revoked; registering revoked key material again needs --allow-revoked-keys" "$ERR"
		expect_eq "$kind/$how: ... and nothing changed" "$before" "$(snap)"
		# ---- apply of the manifest of before
		python3 - "$T/m0.json" "$T/m1.json" "$how" <<-'PY'
		import json, sys
		d = json.load(open(sys.argv[1]))
		if sys.argv[3] == "delete":
		    for a in d["accounts"]:
		        a.pop("uid")
		json.dump(d, open(sys.argv[2], "w"))
		PY
		run sv apply "$T/m1.json"
		expect_eq "$kind/$how: apply of the revoked material refused" 1 "$RC"
		expect_match "$kind/$how: ... saying so" "was revoked; .*--allow-revoked-keys" "$ERR"
		expect_eq "$kind/$how: ... and nothing changed" "$before" "$(snap)"
		run sv apply --dry-run "$T/m1.json"
		expect_eq "$kind/$how: a dry run says the same" 1 "$RC"
		# ---- told to: the material comes back under a new id
		run sv import --allow-revoked-keys "$T/imp.json"
		expect_eq "$kind/$how: import --allow-revoked-keys takes it" 0 "$RC"
		ok_cmd "$kind/$how: ... usable again, as a new credential" usable $kind
		expect_nomatch "$kind/$how: ... never under its revoked id" "$ID" "$(listed $kind)"
	done
done

# ---- the CLI's own add refuses it too, and says which flag
new_env
add key
sv key remove bot k1 >/dev/null
before=$(snap)
run sv key add bot --pem "$ROOT/es.pub" --kid k1 --alg ES256
expect_eq "key add of a revoked key refused" "1" "$RC"
expect_match "... naming the key and --allow-revoked-key" "key jwk:[A-Za-z0-9_-]{43} was revoked; .*--allow-revoked-key" "$ERR"
expect_eq "... nothing changed" "$before" "$(snap)"
expect_rc "key add --allow-revoked-key takes it" 0 "" sv key add bot --pem "$ROOT/es.pub" --kid k1 --alg ES256 --allow-revoked-key
add sshkey
sv sshkey remove bot "$ID" >/dev/null
run sv sshkey add bot --pubkey "$ROOT/ssh.pub"
expect_match "sshkey add of a revoked key refused, naming its fingerprint" "key SHA256:[A-Za-z0-9+/]{43} was revoked" "$ERR"
expect_rc "sshkey add --allow-revoked-key takes it" 0 "" sv sshkey add bot --pubkey "$ROOT/ssh.pub" --allow-revoked-key

# ---- every reader honours the list, whatever the generation: `current`
# pointed by hand at a generation that still holds revoked credentials
new_env
add secret
SECRET=$CRED SID=$ID
add key
KID_ID=$ID
add sshkey
SSH_ID=$ID
UID_BOT=$(uid_of bot)
expect_match "authorized-keys serves the key before" "svcacct:$SSH_ID" "$(ak bot "$UID_BOT")"
G0=$(gen)
sv secret revoke bot "$SID" >/dev/null
sv key remove bot k1 >/dev/null
sv sshkey remove bot "$SSH_ID" >/dev/null
# a restore of that generation by hand: `current` pointed back at it and
# the newer ones moved away (the writer refuses to go on while they are
# there)
ln -sfn "gen-$(printf %010d "$G0")" "$T/db/current"
for g in "$T"/db/gen-*; do
	[ "$(basename "$g" | sed 's/^gen-0*//')" -gt "$G0" ] && mv "$g" "$ROOT/moved-$(basename "$g")-$$"
done
expect_eq "the current generation holds the revoked credentials again" "$G0" "$(gen)"
run ak bot "$UID_BOT"
expect_eq "authorized-keys: exit 0" 0 "$RC"
expect_eq "authorized-keys: the revoked key is not served" "" "$OUT"
expect_match "sshkey list: revoked" "$SSH_ID revoked" "$(listed sshkey)"
expect_match "secret list: revoked" "$SID revoked" "$(listed secret)"
expect_match "key list: revoked" "$KID_ID revoked" "$(listed key)"
run sv verify bot <<<"$SECRET"
expect_match "verify: the secret is refused as revoked" "reason=revoked" "$OUT"
run sh -c "/usr/bin/python3 '$top_srcdir/tests/pam/mint.py' --aud $AUD --key '$ROOT/es.key' --kid k1 --account bot | '$SV' --conf '$T/c.conf' verify bot"
expect_match "verify: the assertion is refused as revoked" "reason=revoked" "$OUT"
expect_nomatch "export leaves the revoked ones out" "$SSH_ID|\"k1\"|$(cut -d' ' -f2 "$ROOT/ssh.pub")" "$(sv export)"
run sv check
expect_eq "check: exit 1" 1 "$RC"
expect_match "check reports each revoked credential still in the generation" \
	"credential $SSH_ID of 'bot': revoked, yet in the current generation" "$OUT"
expect_match "... the secret too" "credential $SID of 'bot': revoked" "$OUT"
sv role create nudge >/dev/null
expect_nomatch "the next change publishes a generation without them" "$SSH_ID|$SID|$KID_ID" "$(listed sshkey; listed secret; listed key)"
expect_rc "check passes again" 0 "^ok:" sv check

# ---- the list authorized-keys reads: published for the keys group
P=$T/db/revoked.db
expect_eq "the public revocation list: root, keys group, 0640" "0:$NOGROUP:640" "$(stat -c %u:%g:%a "$P")"
ok_cmd "the keys user reads it, and not the state dir" setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "test -r '$P' && ! test -r '$T/state/revoked.db'"
mv "$P" "$T/revoked.away"
run ak bot "$UID_BOT"
expect_eq "without the list, authorized-keys fails" 1 "$RC"
expect_match "... saying why" "revoked.db: .*serving no key without the revocation list" "$ERR"
expect_eq "... and serves nothing" "" "$OUT"
run sv check
expect_match "check reports the missing list" "revoked.db: missing: authorized-keys serves no ssh key" "$OUT"
sv role create another >/dev/null
expect_eq "the next change publishes the list again" "0:$NOGROUP:640" "$(stat -c %u:%g:%a "$P" 2>&1)"
chmod 0666 "$P"
run ak bot "$UID_BOT"
expect_eq "a list others may write is refused: exit 1" 1 "$RC"
expect_eq "... nothing served" "" "$OUT"
# the list verbs tell no credential's status without a list they trust
S=$T/state/revoked.db
SM=$(stat -c %a "$S")
chmod 0666 "$S"
run sv secret list bot
expect_eq "secret list with a state revocation list others may write: exit 1" 1 "$RC"
expect_match "... naming the state dir" "^svcacct: $T/state: the revocation list: " "$ERR"
expect_eq "... and lists nothing" "" "$OUT"
run sv sshkey list bot
expect_eq "sshkey list with neither revocation list safe: exit 1" 1 "$RC"
expect_match "... saying why" "^svcacct: reading the revocation list: .*\(a key's status cannot be told\)$" "$ERR"
expect_eq "... and lists nothing" "" "$OUT"
chmod "$SM" "$S"
chmod 0640 "$P"

# ---- identity: the UID sshd resolved must be the account's
new_env
add sshkey
UID_BOT=$(uid_of bot)
expect_match "authorized-keys NAME UID: served for the account's UID" "svcacct:$ID" "$(ak bot "$UID_BOT")"
run ak bot 1500
expect_eq "another UID: exit 0 (sshd asks for every user)" 0 "$RC"
expect_eq "another UID: nothing served" "" "$OUT"
expect_match "... and sshd's log says why" "is not the service account" "$ERR"
expect_eq "a UID that is not a number: nothing served" "" "$(ak bot 70000x 2>/dev/null)"
done_testing
