#!/bin/bash
# SPDX-License-Identifier: MIT
# Scoped credentials in the admin CLI: --roles and --from on secret, key
# and sshkey add (roles that exist and are granted, sources as role set
# --from takes them), secret|key|sshkey set (narrowing only), the scope in
# list and --json, and its round trip through export, import and apply
# (role names in JSON, GIDs in the store). Every refusal exits 1 with a
# clear message and leaves the store as it was.
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/cli.sh"

cli_need_svcacct openssl ssh-keygen python3
cli_cleanup_on_exit
sv() { "$SV" --conf "$CONF" "$@"; }
snap() {
	sv generations 2>&1
	sv export 2>&1 | grep -v '"generation"'
	for f in "$T"/state/*; do [ -f "$f" ] && md5sum "$f"; done
}
refused() { # DESC REGEX CMD...
	local d="$1" re="$2"; shift 2
	cli_refused "$d" 1 "$re" "$@"
}
jq_() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
idof() { jq_ 'd["id"] if isinstance(d, dict) else d[0]["id"]'; }

cli_store_setup scope
cli_keydir scope
ssh-keygen -q -t ed25519 -N '' -C 'one' -f "$KD/ssh1"
ssh-keygen -q -t ed25519 -N '' -C 'two' -f "$KD/ssh2"
sv role create web --force --services sshd --from 127.0.0.0/8 >/dev/null
sv role create db --force --services sshd,cron --from 10.0.0.0/8 >/dev/null
sv role create other --force --services sshd >/dev/null
sv account create bot --role web --role db >/dev/null
sv account create bot2 --role web >/dev/null

# ------------------------------------------------------------ add
SID=$(sv --json secret add bot --roles web,db --from 127.0.0.0/8,local | idof)
expect_match "secret add --roles --from: an id" '^[0-9a-f]{16}$' "$SID"
J=$(sv --json secret list bot)
expect_eq "secret list --json: roles by name" "['web', 'db']" "$(jq_ '[c["roles"] for c in d if c["id"] == "'"$SID"'"][0]' <<<"$J")"
expect_eq "secret list --json: from" "['127.0.0.0/8', 'local']" "$(jq_ '[c["from"] for c in d if c["id"] == "'"$SID"'"][0]' <<<"$J")"
UID_=$(sv --json secret add bot | idof)
expect_eq "an unscoped secret: empty arrays" "[] []" "$(jq_ '" ".join(str(c[k]) for c in d if c["id"] == "'"$UID_"'" for k in ("roles", "from"))' <<<"$(sv --json secret list bot)")"
L=$(sv secret list bot)
expect_match "secret list: a SCOPE column" "^ID +STATUS +CREATED +EXPIRES +LAST USED +SCOPE +LABEL" "$L"
expect_match "secret list: the scope of the scoped one" "^$SID +active .* web,db from 127.0.0.0/8,local" "$L"
expect_match "secret list: * for the unscoped one" "^$UID_ +active .* \\* " "$L"
KID=$(sv --json key add bot --pem "$KD/P-256.pub" --kid k1 --alg ES256 --roles db | idof)
expect_eq "key add --roles: shown in key list --json" "['db']" "$(sv --json key list bot | jq_ 'd[0]["roles"]')"
SSH=$(sv --json sshkey add bot --pubkey "$KD/ssh1.pub" --roles web --from 127.0.0.1/32 | idof)
expect_eq "sshkey add --roles --from: shown in sshkey list --json" "['web'] ['127.0.0.1/32']" \
	"$(sv --json sshkey list bot | jq_ 'str(d[0]["roles"]) + " " + str(d[0]["from"])')"
expect_match "sshkey list: the scope" "^$SSH .* web from 127.0.0.1/32 +one" "$(sv sshkey list bot)"
BASEONLY=$(sv --json secret add bot --roles svcacct | idof)
expect_eq "the base role may be a scope (every account holds it)" "['svcacct']" \
	"$(sv --json secret list bot | jq_ '[c["roles"] for c in d if c["id"] == "'"$BASEONLY"'"][0]')"

# ------------------------------------------------------------ refusals
refused "secret add: unknown role" "unknown role 'ghost'" sv secret add bot --roles web,ghost
refused "secret add: role not granted" "role 'other' is not granted to account 'bot' \(grant it first" \
	sv secret add bot --roles other
refused "secret add: bad role name" "bad role name 'Web!' in the scope" sv secret add bot --roles 'Web!'
refused "secret add: bad CIDR" "bad source '10.0.0.5/8': host bits set" sv secret add bot --from 10.0.0.5/8
refused "secret add: not a CIDR" "bad source 'example.com'" sv secret add bot --from example.com
refused "key add: role not granted" "role 'other' is not granted" \
	sv key add bot --pem "$KD/P-384.pub" --kid k2 --alg ES384 --roles other
refused "sshkey add: bad CIDR" "bad source '300.0.0.0/8'" sv sshkey add bot --pubkey "$KD/ssh2.pub" --from 300.0.0.0/8
refused "sshkey add: unknown role" "unknown role 'ghost'" sv sshkey add bot --pubkey "$KD/ssh2.pub" --roles ghost

# ------------------------------------------------------------ set
W="widening a credential's scope is not allowed .*: add a new credential"
refused "secret set: a role outside the scope" "$W" sv secret set bot "$SID" --roles web,db,other
refused "secret set: a role not granted, on an unscoped secret" "role 'other' is not granted" \
	sv secret set bot "$UID_" --roles other
refused "secret set: a granted role outside the scope" "$W" sv secret set bot "$BASEONLY" --roles web
refused "secret set: every granted role (--roles '')" "$W" sv secret set bot "$SID" --roles ''
refused "secret set: a source outside the list" "$W" sv secret set bot "$SID" --from 127.0.0.0/8,10.0.0.0/8
refused "secret set: a wider network" "$W" sv secret set bot "$SID" --from 126.0.0.0/7
refused "secret set: no sources (--from '')" "$W" sv secret set bot "$SID" --from ''
refused "key set: a role outside the scope" "$W" sv key set bot k1 --roles web
refused "sshkey set: a source outside the list" "$W" sv sshkey set bot "$SSH" --from 127.0.0.2/32
refused "secret set: no such secret" "account 'bot' has no secret 'ffffffffffffffff'" \
	sv secret set bot ffffffffffffffff --roles web
refused "secret set: bad CIDR" "bad source '1.2.3.4'" sv secret set bot "$SID" --from 1.2.3.4
expect_rc "secret set without --roles or --from: usage" 2 "usage:" sv secret set bot "$SID"
ok_cmd "secret set: narrowing the roles" sv secret set bot "$SID" --roles db
ok_cmd "secret set: narrowing the sources to a network inside one" sv secret set bot "$SID" --from 127.1.0.0/16
expect_match "... both in the list" "^$SID .* db from 127.1.0.0/16" "$(sv secret list bot)"
ok_cmd "secret set: an unscoped secret may take a scope" sv secret set bot "$UID_" --roles web
ok_cmd "key set by kid" sv key set bot k1 --from 10.1.0.0/16
expect_eq "... the key keeps its roles" "['db'] ['10.1.0.0/16']" \
	"$(sv --json key list bot | jq_ 'str(d[0]["roles"]) + " " + str(d[0]["from"])')"

# ------------------------------------------------------------ export, import, apply
sv export >"$T/e.json"
expect_eq "export: the key's scope by role name" "['db'] ['10.1.0.0/16']" \
	"$(jq_ 'str(d["keys"][0]["roles"]) + " " + str(d["keys"][0]["from"])' <"$T/e.json")"
expect_eq "export: the ssh key's scope" "['web'] ['127.0.0.1/32']" \
	"$(jq_ 'str(d["sshkeys"][0]["roles"]) + " " + str(d["sshkeys"][0]["from"])' <"$T/e.json")"
sv export --manifest >"$T/m.json"
A=$T
cli_store_setup scope-import
run sv import "$A/e.json"
expect_eq "import of the export: exit 0" 0 "$RC"
expect_eq "import: the same keys and ssh keys, scopes included" \
	"$(jq_ 'json.dumps([d["keys"], d["sshkeys"]], sort_keys=True)' <"$A/e.json")" \
	"$(sv export | jq_ 'json.dumps([d["keys"], d["sshkeys"]], sort_keys=True)')"
cli_store_setup scope-apply
run sv apply "$A/m.json"
expect_eq "apply of the manifest: exit 0" 0 "$RC"
expect_eq "apply: the same keys and ssh keys, scopes included" \
	"$(jq_ 'json.dumps([d["keys"], d["sshkeys"]], sort_keys=True)' <"$A/e.json")" \
	"$(sv export | jq_ 'json.dumps([d["keys"], d["sshkeys"]], sort_keys=True)')"
run sv apply --detailed-exitcode "$A/m.json"
expect_eq "apply again: nothing to change" 0 "$RC"
# narrowing through the manifest
python3 -c "import json,sys; m=json.load(open(sys.argv[1])); m['sshkeys'][0]['from']=['127.0.0.1/32']; m['sshkeys'][0]['roles']=[]; json.dump(m, open(sys.argv[2],'w'))" "$A/m.json" "$A/wide.json"
refused "apply: a manifest widening an ssh key's scope" "$W" sv apply "$A/wide.json"
python3 -c "import json,sys; m=json.load(open(sys.argv[1])); del m['keys'][0]['roles']; json.dump(m, open(sys.argv[2],'w'))" "$A/m.json" "$A/unscoped.json"
refused "apply: a manifest leaving a key's roles out (every granted role)" "$W" sv apply "$A/unscoped.json"
python3 -c "import json,sys; m=json.load(open(sys.argv[1])); m['keys'][0]['from']=['10.1.2.0/24']; json.dump(m, open(sys.argv[2],'w'))" "$A/m.json" "$A/narrow.json"
run sv apply --json "$A/narrow.json"
expect_eq "apply: a manifest narrowing a key's sources: exit 0" 0 "$RC"
expect_match "... reported as a change" '"from"' "$OUT"
expect_eq "... the key narrowed in place" "['db'] ['10.1.2.0/24']" \
	"$(sv --json key list bot | jq_ 'str(d[0]["roles"]) + " " + str(d[0]["from"])')"
# an import that names an unknown role, or one the account lacks
python3 -c "import json,sys; m=json.load(open(sys.argv[1])); m['sshkeys'][0]['roles']=['ghost']; json.dump(m, open(sys.argv[2],'w'))" "$A/e.json" "$A/ghost.json"
python3 -c "import json,sys; m=json.load(open(sys.argv[1])); m['sshkeys'][0]['roles']=['other']; json.dump(m, open(sys.argv[2],'w'))" "$A/e.json" "$A/other.json"
python3 -c "import json,sys; m=json.load(open(sys.argv[1])); m['keys'][0]['from']=['10.0.0.1/8']; json.dump(m, open(sys.argv[2],'w'))" "$A/e.json" "$A/badcidr.json"
python3 -c "import json,sys; m=json.load(open(sys.argv[1])); m['keys'][0]['roles']='db'; json.dump(m, open(sys.argv[2],'w'))" "$A/e.json" "$A/notlist.json"
cli_store_setup scope-bad
refused "import: a scope naming an unknown role" "sshkeys\[0\]: unknown role 'ghost'" sv import "$A/ghost.json"
refused "import: a scope naming a role not granted" "sshkeys\[0\]: role 'other' is not granted" sv import "$A/other.json"
refused "import: a bad CIDR in a scope" "keys\[0\]: bad source '10.0.0.1/8'" sv import "$A/badcidr.json"
refused "import: roles that are not a list" "keys\[0\]: wrong or missing members" sv import "$A/notlist.json"
done_testing
