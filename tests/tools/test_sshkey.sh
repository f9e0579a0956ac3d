#!/bin/bash
# SPDX-License-Identifier: MIT
# svcacct sshkey add/list/remove and authorized-keys, with keys from the
# real ssh-keygen; authorized-keys run as the unprivileged keys user.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/e2e/lib.sh"
e2e_enter "$@"
need ssh-keygen 'command -v ssh-keygen >/dev/null'
e2e_setup || { tap_notok "namespace setup"; done_testing; exit 1; }

K=$T/keys
mkdir -p "$K"
for spec in ed25519: ecdsa:256 ecdsa:384 ecdsa:521 rsa:2048 rsa:1024; do
	t=${spec%%:*} b=${spec#*:}
	ssh-keygen -q -t "$t" ${b:+-b "$b"} -N '' -C "bot@$t$b" -f "$K/$t$b" 2>/dev/null
done
S role create ops --services sshd --from 127.0.0.0/8 --command "/usr/bin/id -un" >/dev/null
S role create two --command "/bin/true" --command "/bin/false" >/dev/null
S account create bot --role ops >/dev/null
S account create multi --role ops --role two >/dev/null
S account create off >/dev/null
S account create pat >/dev/null

for k in ed25519 ecdsa256 ecdsa384 ecdsa521 rsa2048; do
	expect_rc "add $k" 0 "added ssh key" S sshkey add bot --pubkey "$K/$k.pub"
done
expect_rc "RSA 1024 refused" 1 "1024 bits" S sshkey add bot --pubkey "$K/rsa1024.pub"
expect_rc "same key twice refused" 1 "already has this key" S sshkey add bot --pubkey "$K/ed25519.pub"
printf 'ssh-rsa %s x\n' "$(cut -d' ' -f2 "$K/ed25519.pub")" >"$T/mismatch.pub"
expect_rc "type outside != type inside refused" 1 "type inside" S sshkey add bot --pubkey "$T/mismatch.pub"
printf 'no-pty %s\n' "$(cat "$K/ed25519.pub")" >"$T/opts.pub"
expect_rc "options before the type refused" 1 "no options" S sshkey add bot --pubkey "$T/opts.pub"
printf '%s\n%s\n' "$(cat "$K/ecdsa256.pub")" "$(cat "$K/ed25519.pub")" >"$T/two.pub"
expect_rc "two lines refused" 1 "exactly one" S sshkey add bot --pubkey "$T/two.pub"
printf 'ssh-ed25519 AAAA!!!! x\n' >"$T/bad64.pub"
expect_rc "bad base64 refused" 1 "base64" S sshkey add bot --pubkey "$T/bad64.pub"
printf '%s\033[2J\n' "$(cut -d' ' -f1,2 "$K/ed25519.pub") evil" >"$T/ctl.pub"
expect_rc "control character in comment refused" 1 "control" S sshkey add pat --pubkey "$T/ctl.pub"
b=$(cut -d' ' -f2 "$K/ed25519.pub")
printf 'ssh-ed25519 %s\n' "$(echo "$b" | base64 -d | head -c 40 | base64 -w0)" >"$T/short.pub"
expect_rc "truncated blob refused" 1 "malformed" S sshkey add pat --pubkey "$T/short.pub"
python3 -c 'import base64,sys; print("ssh-ed25519", base64.b64encode(base64.b64decode(sys.argv[1]) + b"\0\0\0\0").decode())' "$b" >"$T/trail.pub"
expect_rc "trailing bytes in blob refused" 1 "malformed" S sshkey add pat --pubkey "$T/trail.pub"
expect_rc "no account" 1 "no account" S sshkey add nobody --pubkey "$K/ed25519.pub"

run S sshkey list bot
expect_eq "list: five keys" 5 "$(printf '%s\n' "$OUT" | tail -n +2 | wc -l)"
fp=$(ssh-keygen -lf "$K/ed25519.pub" | cut -d' ' -f2)
expect_match "list: fingerprint as ssh-keygen -l shows it" "$(printf '%s' "$fp" | sed 's/+/\\+/g')" "$OUT"
expect_match "list: comment as default label" "bot@ed25519" "$OUT"
run S --json sshkey list bot
expect_eq "list --json" "5" "$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
expect_eq "pubkeys.db: 0640 root:$KEYS_USER" "640 root $KEYS_USER" \
	"$(stat -L -c '%a %U %G' "$T/db/current/pubkeys.db")"

ak() { setpriv --reuid=$KEYS_USER --regid=$KEYS_USER --clear-groups "$BIN/svcacct" authorized-keys "$@"; }
run ak bot
expect_eq "authorized-keys: exit 0" 0 "$RC"
expect_eq "authorized-keys: five lines" 5 "$(printf '%s\n' "$OUT" | grep -c .)"
expect_match "authorized-keys: restrict, forced single command, id" \
	"^restrict,command=\"/usr/bin/id -un\" ssh-ed25519 $(printf '%s' "$b" | sed 's/+/\\+/g') svcacct:[0-9a-f]{16}$" "$(printf '%s\n' "$OUT" | grep ed25519)"
expect_nomatch "authorized-keys: no comment from the file" "bot@" "$OUT"
tmpak=$T/ak
printf '%s\n' "$OUT" >"$tmpak"
ok_cmd "authorized-keys: lines parse as authorized_keys (ssh-keygen -lf)" ssh-keygen -lf "$tmpak"
expect_eq "authorized-keys: as the keys user, no credentials.db needed" "" "$ERR"
expect_rc "keys user cannot read credentials" 1 "" \
	setpriv --reuid=$KEYS_USER --regid=$KEYS_USER --clear-groups "$BIN/svcacct" key list bot
S sshkey add multi --pubkey "$K/ecdsa384.pub" >/dev/null
expect_match "two commands: no command= (svcacct-shell decides)" "^restrict ecdsa-sha2-nistp384 " "$(ak multi)"
S sshkey add off --pubkey "$K/ecdsa521.pub" >/dev/null
expect_match "enabled account: key served" "nistp521" "$(ak off)"
S account disable off >/dev/null
run ak off
expect_eq "disabled account: nothing, exit 0" "0:" "$RC:$OUT"
S account set off --expires 2001-01-01 >/dev/null 2>&1 || S account set off --expires 2001-01-01
S account enable off >/dev/null
run ak off
expect_eq "expired account: nothing, exit 0" "0:" "$RC:$OUT"
run ak root
expect_eq "not a service account: nothing, exit 0" "0:" "$RC:$OUT"
run ak 'Bad Name'
expect_eq "invalid name: nothing, exit 0" "0:" "$RC:$OUT"
run ak nosuch
expect_eq "unknown user: nothing, exit 0" "0:" "$RC:$OUT"
S sshkey add pat --pubkey "$K/rsa2048.pub" --expires 1h >/dev/null
expect_match "key with expiry served" "ssh-rsa" "$(ak pat)"
id=$(S --json sshkey list bot | python3 -c 'import json,sys; print([k["id"] for k in json.load(sys.stdin) if k["type"]=="ssh-ed25519"][0])')
expect_rc "remove by id" 0 "removed ssh key $id" S sshkey remove bot "$id"
expect_nomatch "removed key no longer served" "ssh-ed25519" "$(ak bot)"
fp=$(ssh-keygen -lf "$K/ecdsa256.pub" | cut -d' ' -f2)
expect_rc "remove by fingerprint" 0 "removed ssh key" S sshkey remove bot "$fp"
expect_eq "three keys left" 3 "$(ak bot | grep -c .)"
expect_rc "remove unknown" 1 "no ssh key" S sshkey remove bot 0123456789abcdef
ok_cmd "audit: sshkey-add logged" log_has "event=sshkey-add result=ok account=bot credential=[0-9a-f]{16} type=ssh-ed25519"
ok_cmd "audit: sshkey-remove logged" log_has "event=sshkey-remove result=ok account=bot credential=$id"
expect_rc "sshkey add needs root" 1 "root" setpriv --reuid=$KEYS_USER --regid=$KEYS_USER --clear-groups \
	"$BIN/svcacct" sshkey add bot --pubkey "$K/ed25519.pub"
done_testing
