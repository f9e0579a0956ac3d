#!/bin/bash
# SPDX-License-Identifier: MIT
# svcacct apply / export --manifest: declarative state.
#
# Every scenario runs against a private store (a temporary directory with
# its own svcacct.conf). A refused manifest is checked three ways: exit 1, a
# clear message on stderr, and a store left exactly as it was (generation
# list, full export, state files, db dir). Signed manifests are made by the
# project's own svcacct-assert sign-manifest and, for interoperability, by
# an independent JOSE library (python3-jwcrypto). Runs as root (TAP).
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/cli.sh"

cli_need_svcacct openssl ssh-keygen
# Debian's python3 has jwcrypto; a python3 earlier on PATH may not
JPY=/usr/bin/python3
need "python3-jwcrypto" '"$JPY" -c "import jwcrypto" 2>/dev/null'

SA="$top_builddir/tools/svcacct-assert"
need "tools/svcacct-assert (built)" '[ -x "$SA" ]'

cli_cleanup_on_exit
new_env() { cli_store_setup apply "$@"; }
sv() { "$SV" --conf "$CONF" "$@"; }
# Everything a change could touch.
snap() {
	sv generations 2>&1
	sv export 2>&1 | grep -v '"generation"'
	ls -A "$T/db" 2>&1
	ls -A "$T/home" 2>&1
	for f in "$T"/state/*; do [ -f "$f" ] && md5sum "$f"; done
}
gens() { sv generations 2>&1; }

# refused DESC REGEX CMD...: exit 1, REGEX on stderr, store unchanged.
refused() {
	local d="$1" re="$2"; shift 2
	cli_refused_run 1 "$re" "$@"
	[ -n "${NO_NA:-}" ] || printf '%s' "$ERR" | grep -q 'nothing applied' ||
		WHY="${WHY}no 'nothing applied'; "
	cli_verdict "$d" "$@"
}
# py EXPR...: run python with json imported, T and M (manifest) helpers.
py() { python3 -c "import json, sys, os
T = os.environ['T']
def load(p): return json.load(open(T + '/' + p))
def save(p, m): json.dump(m, open(T + '/' + p, 'w'), indent=1)
$1"; }
export T

# ------------------------------------------------------------------ keys
cli_keydir apply
(
	cd "$KD" || exit 1
	cli_keypair other -algorithm EC -pkeyopt ec_paramgen_curve:P-256
	cli_keypair rsa -algorithm RSA -pkeyopt rsa_keygen_bits:2048
	ssh-keygen -q -t ed25519 -N '' -C 'ci runner' -f ssh1
	ssh-keygen -q -t ed25519 -N '' -C 'second' -f ssh2
) >/dev/null 2>&1
chmod 600 "$KD"/*.key
# a public JWK (for keys[] and as a verify key)
"$JPY" - "$KD" <<'EOF'
import json, sys
from jwcrypto import jwk
d = sys.argv[1]
for name in ("P-256", "rsa"):
    k = jwk.JWK.from_pem(open(f"{d}/{name}.pub", "rb").read())
    open(f"{d}/{name}.jwk", "w").write(k.export_public())
a = jwk.JWK.generate(kty="EC", crv="P-256")
open(f"{d}/acct-a.jwk", "w").write(a.export_public())
b = jwk.JWK.generate(kty="EC", crv="P-384")
open(f"{d}/acct-b.jwk", "w").write(b.export_public())
EOF
SSH1=$(cat "$KD/ssh1.pub")
SSH2=$(cat "$KD/ssh2.pub")
export KD SSH1 SSH2

# The base manifest: two roles, two accounts, a key and an ssh key.
base_manifest() {
	py "
a = json.load(open(os.environ['KD'] + '/acct-a.jwk'))
m = {'format': 'svcacct-manifest', 'version': 1,
 'roles': [
  {'name': 'deployers', 'gid': 80010, 'description': 'Deploy', 'services': ['sshd'],
   'from': ['192.0.2.0/24', 'local'], 'commands': ['/usr/bin/systemctl restart web']},
  {'name': 'metrics', 'services': ['sshd', 'sudo'], 'from': ['2001:db8::/32']}],
 'accounts': [
  {'name': 'bot1', 'uid': 70010, 'description': 'Bot one', 'owner': 'ops@example.com',
   'roles': ['deployers'], 'expires': '2031-01-01'},
  {'name': 'bot2', 'roles': ['deployers', 'metrics'], 'state': 'disabled',
   'home_writable': True}],
 'keys': [{'account': 'bot1', 'kid': 'k1', 'label': 'ci', 'jwk': a}],
 'sshkeys': [{'account': 'bot2', 'key': os.environ['SSH1']}],
 'issuers': []}
save('$1', m)"
}

# ================================================================== basics
new_env
base_manifest m1.json
run sv apply "$T/m1.json"
expect_eq "apply: exit 0" "0" "$RC"
expect_eq "apply: the difference, one line per object" \
"+ role deployers (gid 80010)
+ role metrics (gid 80011)
+ account bot1 (uid 70010)
+ account bot2 (uid 70011)
+ key bot1 k1 (ES256)
+ sshkey bot2 $(ssh-keygen -lf "$KD/ssh1.pub" | awk '{print $2}') (ssh-ed25519)
applied 6 change(s) (generation 1)" "$OUT"
expect_eq "apply: one generation" "1 (current)" "$(gens)"
expect_match "apply: account created with its fields" \
	'description +Bot one' "$(sv account show bot1)"
expect_match "apply: grants and the base role" 'roles +svcacct,deployers,metrics' "$(sv account show bot2)"
expect_match "apply: disabled state" 'state +disabled' "$(sv account show bot2)"
expect_eq "apply: home created, owned by the account (home_writable)" "70011 700" \
	"$(stat -c '%u %a' "$T/home/bot2" 2>&1)"
expect_eq "apply: home created, root's otherwise" "0 755" "$(stat -c '%u %a' "$T/home/bot1" 2>&1)"
expect_match "apply: role lists" 'from +192.0.2.0/24,local' "$(sv role show deployers)"
expect_match "apply: assertion key registered" 'k1 +ES256' "$(sv key list bot1)"
expect_match "apply: ssh key registered, comment as label" 'ci runner' "$(sv sshkey list bot2)"

before=$(snap)
run sv apply "$T/m1.json"
expect_eq "second run: 'no changes', exit 0" "0 no changes" "$RC $OUT"
expect_eq "second run: no new generation, store identical" "$before" "$(snap)"
run sv --json apply "$T/m1.json"
expect_eq "second run --json: zero changes" '0 [] False' \
	"$(printf '%s' "$OUT" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["changed"], j["changes"], j["dry_run"])')"

# stdin
run sv apply - <"$T/m1.json"
expect_eq "apply -: reads standard input" "0 no changes" "$RC $OUT"

# ================================================================== changes
py "
m = load('m1.json')
m['roles'][0]['services'] = ['sshd', 'sudo']
m['roles'][0]['description'] = 'Deploy \"web\"'
m['accounts'][0]['roles'] = ['deployers', 'metrics']
m['accounts'][0]['expires'] = 'never'
m['accounts'][1]['state'] = 'enabled'
m['keys'][0]['label'] = 'ci-2'
m['sshkeys'].append({'account': 'bot1', 'key': os.environ['SSH2'], 'label': 'two'})
save('m2.json', m)"
before=$(snap)
run sv apply --dry-run "$T/m2.json"
DRY=$OUT
expect_eq "dry run: exit 0" "0" "$RC"
expect_eq "dry run: store byte-identical (export, generations, state)" "$before" "$(snap)"
expect_match "dry run: says nothing was applied" 'dry run: 7 change\(s\), nothing applied' "$DRY"
run sv apply "$T/m2.json"
expect_eq "update: exit 0" "0" "$RC"
expect_eq "update: the same difference as the dry run" \
	"$(printf '%s\n' "$DRY" | grep -v '^dry run')" "$(printf '%s\n' "$OUT" | grep -v '^applied')"
expect_eq "update: stable, readable lines" \
'~ role deployers: description "Deploy" -> "Deploy \"web\""
~ role deployers: services sshd -> sshd,sudo
~ account bot1: expires 2031-01-01 -> never
~ account bot1: roles deployers -> deployers,metrics
~ account bot2: state disabled -> enabled
~ key bot1 k1: label "ci" -> "ci-2"' "$(printf '%s\n' "$OUT" | grep '^~')"
expect_match "update: new ssh key" "^\+ sshkey bot1 SHA256:" "$OUT"
expect_eq "update: one more generation" "2" "$(gens | grep -c .)"
expect_match "update: grant visible" 'roles +svcacct,deployers,metrics' "$(sv account show bot1)"
expect_match "update: member lists follow" 'members +bot1,bot2|members +bot2,bot1' "$(sv role show metrics)"
run sv apply "$T/m2.json"
expect_eq "update: second run, no changes" "0 no changes" "$RC $OUT"

run sv --json apply --dry-run "$T/m1.json"
expect_eq "--json: changes with op, kind, name, field, old, new" \
	'True 6 {"field": "services", "kind": "role", "name": "deployers", "new": ["sshd"], "old": ["sshd", "sudo"], "op": "~"}' \
	"$(printf '%s' "$OUT" | python3 -c 'import json,sys; j=json.load(sys.stdin); c=[x for x in j["changes"] if x.get("field")=="services"][0]; print(j["dry_run"], j["changed"], json.dumps(c, sort_keys=True))')"

# list order does not matter: sets compare as sets
py "
m = load('m2.json')
m['roles'][0]['services'].reverse(); m['accounts'][0]['roles'].reverse()
save('m2r.json', m)"
run sv apply "$T/m2r.json"
expect_eq "reordered lists: no changes" "0 no changes" "$RC $OUT"

# another key under the same kid: replaced (old id revoked, new id)
py "m = load('m2.json'); m['keys'][0]['jwk'] = json.load(open(os.environ['KD'] + '/acct-b.jwk')); save('m2k.json', m)"
OLDID=$(sv --json key list bot1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
run sv apply "$T/m2k.json"
expect_match "key material changed under the same kid: replaced" \
	'^~ key bot1 k1: jwk [A-Za-z0-9_-]{43} -> [A-Za-z0-9_-]{43}$' "$OUT"
expect_eq "replaced key: one k1, the new alg, a new id" "1 ES384 new" \
	"$(sv --json key list bot1 | python3 -c 'import json,sys; k=[x for x in json.load(sys.stdin) if x["kid"]=="k1"]; print(len(k), k[0]["alg"], "new" if k[0]["id"] != sys.argv[1] else "same")' "$OLDID")"
run sv apply "$T/m2k.json"
expect_eq "replaced key: second run, no changes" "0 no changes" "$RC $OUT"

# home_writable follows the manifest on an existing home
py "m = load('m2k.json'); m['accounts'][1]['home_writable'] = False; save('m2h.json', m)"
run sv apply "$T/m2h.json"
expect_eq "home_writable false: the home becomes root's 0755" "~ account bot2: home_writable yes -> no|0 755" \
	"$(printf '%s\n' "$OUT" | head -1)|$(stat -c '%u %a' "$T/home/bot2")"
cp "$T/m2h.json" "$T/m2.json"

# ================================================================== prune
sv secret add bot1 --label keep >/dev/null
sv secret add bot2 --label gone >/dev/null
S2=$(sv --json secret list bot2 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
sv role create manual --force --services cron >/dev/null
sv account create handmade --role manual >/dev/null
py "
m = load('m2.json')
m['accounts'] = [a for a in m['accounts'] if a['name'] != 'bot2']
m['sshkeys'] = [k for k in m['sshkeys'] if k['account'] != 'bot2']
m['keys'] = []
save('m3.json', m)"
run sv apply "$T/m3.json"
expect_eq "without --prune: what the manifest dropped stays" "0 no changes" "$RC $OUT"
expect_match "without --prune: bot2 still there" 'bot2' "$(sv account list)"
before=$(snap)
run sv apply --prune --dry-run "$T/m3.json"
expect_eq "prune dry run: store unchanged" "$before" "$(snap)"
PRUNE_DRY=$OUT
run sv apply --prune "$T/m3.json"
expect_eq "prune: removes exactly what the manifest dropped" \
"- key bot1 k1
- account bot2 (uid 70011; 2 credential(s) revoked)
- account handmade (uid 70012; 0 credential(s) revoked)
- role manual (gid 80012)
applied 4 change(s) (generation $(sv generations | tail -1 | cut -d' ' -f1))" "$OUT"
expect_eq "prune: the dry run printed the same" "$(printf '%s\n' "$PRUNE_DRY" | grep -v '^dry run')" \
	"$(printf '%s\n' "$OUT" | grep -v '^applied')"
expect_eq "prune: accounts left" "bot1" "$(sv --json account list | python3 -c 'import json,sys; print(" ".join(a["name"] for a in json.load(sys.stdin)))')"
expect_eq "prune: roles left" "deployers metrics" "$(sv --json role list | python3 -c 'import json,sys; print(" ".join(a["name"] for a in json.load(sys.stdin)))')"
expect_match "prune: secrets of a kept account are kept" 'keep' "$(sv secret list bot1)"
expect_match "prune: bot1's ssh key (declared) kept" 'two' "$(sv sshkey list bot1)"
expect_match "prune: the base role stays on every account" 'roles +svcacct,' "$(sv account show bot1)"
# a rollback brings the account back, never its revoked secret
sv rollback >/dev/null
expect_match "prune: the rollback brings the deleted account back" \
	'^bot2 ' "$(sv account list 2>&1)"
expect_nomatch "prune: ... without its revoked secret" \
	"$S2" "$(sv secret list bot2 2>&1)"
run sv apply --prune "$T/m3.json"
expect_match "prune: after the rollback, prune deletes it again" '^- account bot2' "$OUT"
run sv apply --prune "$T/m3.json"
expect_eq "prune: second run, no changes" "0 no changes" "$RC $OUT"
# a section the manifest does not have is not managed, even with --prune
py "m = load('m3.json'); del m['accounts']; del m['keys']; del m['sshkeys']; save('rolesonly.json', m)"
run sv apply --prune "$T/rolesonly.json"
expect_eq "prune: absent sections are left alone (no accounts deleted)" "0 no changes" "$RC $OUT"
py "m = load('m3.json'); m['sshkeys'] = []; save('nossh.json', m)"
run sv apply --prune --dry-run "$T/nossh.json"
expect_match "prune: an empty section means none (ssh keys of listed accounts)" '^- sshkey bot1 [0-9a-f]{16} \(ssh-ed25519\)' "$OUT"
run sv account create web-bot --uid 70011
expect_match "prune: a deleted account's UID is never reused" 'never reused' "$ERR"

# ================================================================== round trips
# the table hands export to apply's manifest writer: its arguments are
# still export's (none)
cli_refused "export --manifest with an argument" 2 'usage: svcacct export' \
	sv export --manifest extra
run sv export --manifest
expect_eq "export --manifest: exit 0" "0" "$RC"
printf '%s\n' "$OUT" >"$T/exported.json"
expect_eq "export --manifest: format, sections, no secrets, no generation" \
	'["accounts", "format", "issuers", "jwks", "keys", "roles", "sshkeys", "version"] svcacct-manifest False' \
	"$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(json.dumps(sorted(j)), j["format"], "svcs_" in open(sys.argv[1]).read())' "$T/exported.json")"
before=$(snap)
run sv apply --prune "$T/exported.json"
expect_eq "round trip: export --manifest | apply --prune = no changes" "0 no changes" "$RC $OUT"
expect_eq "round trip: no new generation" "$before" "$(snap)"
run sv apply - < <(sv export --manifest)
expect_eq "round trip through a pipe" "0 no changes" "$RC $OUT"

# apply to an empty store, export: the same manifest modulo ordering
new_env
base_manifest full.json
py "
m = load('full.json')
for a, u in zip(m['accounts'], (70010, 70011)):
    a.setdefault('uid', u)
    for k, v in (('description', ''), ('owner', ''), ('home', T + '/home/' + a['name']), ('shell', ''),
                 ('state', 'enabled'), ('expires', 'never'), ('home_writable', False)):
        a.setdefault(k, v)
for r, g in zip(m['roles'], (80010, 80011)):
    r.setdefault('gid', g)
    for k in ('services', 'from', 'commands'): r.setdefault(k, [])
    r.setdefault('description', '')
m['keys'][0]['expires'] = 'never'
m['keys'][0]['jwk'].update(alg='ES256', kid='k1', use='sig')
m['sshkeys'][0].update(label='ci runner', expires='never', key=' '.join(m['sshkeys'][0]['key'].split()[:2]))
m.setdefault('jwks', [])
save('full.json', m)"
run sv apply "$T/full.json"
expect_eq "empty store: applied" "0" "$RC"
sv export --manifest >"$T/back.json"
expect_eq "empty store: export --manifest gives the same manifest (modulo order)" "same" \
	"$(python3 - "$T/full.json" "$T/back.json" <<'EOF'
import json, sys
def norm(x):
    if isinstance(x, dict): return {k: norm(v) for k, v in x.items()}
    if isinstance(x, list): return sorted((norm(v) for v in x), key=lambda v: json.dumps(v, sort_keys=True))
    return x
a, b = (norm(json.load(open(p))) for p in sys.argv[1:3])
print("same" if a == b else json.dumps(a, sort_keys=True) + "\n" + json.dumps(b, sort_keys=True))
EOF
)"

# ================================================================== refusals
new_env
base_manifest m1.json
sv apply "$T/m1.json" >/dev/null
bad() { # bad NAME PYTHON-EDIT: m is the base manifest
	py "
m = load('m1.json')
$2
save('$1', m)"
}
printf '{"format": "svcacct-manifest", "version": 1, "roles": [' >"$T/notjson.json"
refused "not JSON" 'notjson.json: 1:[0-9]+: .* expected' sv apply "$T/notjson.json"
printf 'hello world\n' >"$T/text.txt"
refused "not JSON, not a JWS" "not JSON" sv apply "$T/text.txt"
printf '{"format": "svcacct-manifest", "version": 1, "version": 1}' >"$T/dup.json"
refused "duplicate keys" 'duplicate object key' sv apply "$T/dup.json"
bad unknown.json "m['accounts'][0]['colour'] = 'blue'"
refused "unknown member" "accounts\[0\]: unknown member 'colour'" sv apply "$T/unknown.json"
bad unknowntop.json "m['groups'] = []"
refused "unknown section" "manifest: unknown member 'groups'" sv apply "$T/unknowntop.json"
bad badname.json "m['accounts'].append({'name': 'Bad Name'})"
refused "bad account name" "accounts\[2\] \(Bad Name\): .*name" sv apply "$T/badname.json"
bad badrole.json "m['roles'].append({'name': '9'})"
refused "bad role name" "roles\[2\] \(9\)" sv apply "$T/badrole.json"
bad badcidr.json "m['roles'][0]['from'] = ['10.0.0.5/8']"
refused "bad CIDR (host bits)" "roles\[0\] \(deployers\): bad source '10.0.0.5/8': host bits set: the network is 10.0.0.0/8" sv apply "$T/badcidr.json"
bad badcidr2.json "m['roles'][0]['from'] = ['192.0.2.0/33']"
refused "bad CIDR (prefix)" "bad source .*'192.0.2.0/33'" sv apply "$T/badcidr2.json"
bad badsvc.json "m['roles'][1]['services'] = ['ss hd']"
refused "bad service name" "bad service 'ss hd'" sv apply "$T/badsvc.json"
bad badcmd.json "m['roles'][0]['commands'] = ['systemctl restart']"
refused "relative command" "absolute path" sv apply "$T/badcmd.json"
bad badrolegrant.json "m['accounts'][0]['roles'] = ['deployers', 'nosuchrole']"
refused "unknown role in a grant" "accounts\[0\] \(bot1\): unknown role 'nosuchrole'" sv apply "$T/badrolegrant.json"
bad secret.json "m['accounts'][0]['secret'] = 'x'"
refused "a secret member" "accounts\[0\]\.secret: manifests never carry secrets" sv apply "$T/secret.json"
bad secret2.json "m['secrets'] = [{'account': 'bot1'}]"
refused "a secrets section" "secrets: manifests never carry secrets" sv apply "$T/secret2.json"
bad secret3.json "m['accounts'][0]['description'] = 'svcs_0123456789abcdef_' + 'A' * 43 + '_0badc0de'"
refused "a string that is a client secret" "description: manifests never carry secrets" sv apply "$T/secret3.json"
bad privjwk.json "from jwcrypto import jwk
m['keys'][0]['jwk'] = json.loads(jwk.JWK.generate(kty='EC', crv='P-256').export_private())" 2>/dev/null ||
	"$JPY" -c "
import json; from jwcrypto import jwk
m = json.load(open('$T/m1.json')); m['keys'][0]['jwk'] = json.loads(jwk.JWK.generate(kty='EC', crv='P-256').export_private())
json.dump(m, open('$T/privjwk.json', 'w'))"
refused "a private JWK" "keys\[0\]: .*private" sv apply "$T/privjwk.json"
bad uidchange.json "m['accounts'][0]['uid'] = 70099"
refused "UID change" "accounts\[0\] \(bot1\): uid 70099 in the manifest, but the account has uid 70010: the UID of an account never changes" sv apply "$T/uidchange.json"
bad gidchange.json "m['roles'][0]['gid'] = 80099"
refused "GID change" "roles\[0\] \(deployers\): gid 80099 in the manifest, but the role has gid 80010" sv apply "$T/gidchange.json"
bad types1.json "m['accounts'][0]['roles'] = 'deployers'"
refused "wrong type: roles not a list" "accounts\[0\]: wrong or missing member types" sv apply "$T/types1.json"
bad types2.json "m['accounts'][0]['uid'] = '70010'"
refused "wrong type: uid a string" "accounts\[0\]: wrong or missing member types" sv apply "$T/types2.json"
bad types3.json "m['roles'] = {'name': 'x'}"
refused "wrong type: section not a list" "roles: not a list" sv apply "$T/types3.json"
bad types4.json "m['accounts'][1]['home_writable'] = 'yes'"
refused "wrong type: boolean as string" "accounts\[1\]: wrong or missing member types" sv apply "$T/types4.json"
bad types5.json "m['accounts'][1]['state'] = 'paused'"
refused "bad state" "accounts\[1\]: wrong or missing member types" sv apply "$T/types5.json"
bad baddate.json "m['accounts'][0]['expires'] = '2031-02-30'"
refused "bad date" "bad expires '2031-02-30'" sv apply "$T/baddate.json"
bad dupacct.json "m['accounts'].append(dict(m['accounts'][0]))"
refused "an account twice" "account 'bot1' appears twice" sv apply "$T/dupacct.json"
bad badfmt.json "m['format'] = 'svcacct-export'"
refused "wrong format" "not an svcacct manifest" sv apply "$T/badfmt.json"
bad badver.json "m['version'] = 2"
refused "wrong version" "not an svcacct manifest" sv apply "$T/badver.json"
bad issuers.json "m['issuers'] = [{'name': 'keycloak'}]"
refused "an issuer without its fields is refused" \
	'issuers\[0\]: issuer: "issuer" is missing' sv apply "$T/issuers.json"
bad issuers3.json "m['issuers'] = [{'name': 'kc', 'issuer': 'https://idp.example/realms/r', 'audience': 'svc', 'jwks_url': 'http://idp.example/certs', 'clients': [{'client': 'c1', 'account': 'bot1'}], 'role_maps': []}]"
refused "an issuer with a plain-http JWKS URL is refused" "issuers\[0\]: .*https" sv apply "$T/issuers3.json"
bad issuers4.json "m['issuers'] = [{'name': 'kc', 'issuer': 'https://idp.example/realms/r', 'audience': 'svc', 'clients': [{'client': 'c1', 'account': 'ghost'}], 'role_maps': []}]"
refused "an issuer mapping a client to an unknown account is refused" "ghost" sv apply "$T/issuers4.json"
bad issuers5.json "m['issuers'] = [{'name': 'kc', 'issuer': 'https://idp.example/realms/r', 'audience': 'svc', 'jwks_url': 'https://idp.example/certs', 'clients': [], 'role_maps': [{'remote': 'deploy', 'role': 'deployers'}]}]"
refused "an issuer with role maps and no roles claim is refused" "issuers\[0\]: .*has no roles claim.*roles_claims" sv apply "$T/issuers5.json"
bad issuers2.json "m['issuers'] = {}"
refused "issuers not a list" "issuers: not a list" sv apply "$T/issuers2.json"
bad keyacct.json "m['keys'].append({'account': 'ghost', 'jwk': m['keys'][0]['jwk'], 'kid': 'g'})"
refused "key of an unknown account" "keys\[1\]: no account 'ghost'" sv apply "$T/keyacct.json"
bad prunegrant.json "m['roles'] = m['roles'][:1]"
refused "--prune: a grant of a role the manifest drops" \
	"role 'metrics' is not in the manifest \(with --prune it would be deleted\)" sv apply --prune "$T/prunegrant.json"
bad lateerr.json "m['roles'][0]['services'] = ['sshd', 'cron']
m['sshkeys'].append({'account': 'bot1', 'key': 'ssh-ed25519 AAAA'})"
refused "an error late in the file changes nothing before it" "sshkeys\[1\]" sv apply "$T/lateerr.json"
# oversized: 16 MiB + 1 of valid-looking JSON
python3 -c "
import sys; sys.stdout.write('{\"format\": \"svcacct-manifest\", \"version\": 1, \"roles\": [], \"x\": \"' + 'a' * (16 * 1024 * 1024) + '\"}')" >"$T/big.json"
NO_NA=1 refused "oversized file" "big.json: larger than 16777216 bytes" sv apply "$T/big.json"
run sv apply
expect_eq "no FILE: usage, exit 2" "2" "$RC"
run sv apply "$T/m1.json" --bogus
expect_eq "unknown option: exit 2" "2" "$RC"
run setpriv --reuid=65534 --regid=65534 --clear-groups "$SV" --conf "$CONF" apply "$T/m1.json"
expect_match "not root: refused" 'root' "$RC $ERR"

# ================================================================== signed
new_env
base_manifest m1.json
py "m = load('m1.json'); m['serial'] = 10; save('s10.json', m)"
SIGN() { "$SA" sign-manifest --key "$KD/$1.key" "$2"; }
SIGN P-256 "$T/s10.json" >"$T/s10.jws"
expect_match "sign-manifest: a compact JWS" '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' "$(cat "$T/s10.jws")"
expect_eq "sign-manifest: header" '{"alg":"ES256","typ":"svcacct-manifest"}' \
	"$(cut -d. -f1 "$T/s10.jws" | python3 -c 'import base64,sys; s=sys.stdin.read().strip(); print(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)).decode())')"
refused "signed manifest without --verify-key" "a signed manifest \(JWS\); give --verify-key" sv apply "$T/s10.jws"
refused "unsigned manifest under --verify-key" "not signed, and a signature is required \(--verify-key\)" \
	sv apply --verify-key "$KD/P-256.pub" "$T/s10.json"
run sv apply --verify-key "$KD/P-256.pub" "$T/s10.jws"
expect_eq "signed: applied" "0" "$RC"
expect_match "signed: serial recorded (serial, sha256 of the payload)" '^10 [0-9a-f]{64}$' "$(cat "$T/state/manifest-serial")"
expect_eq "signed: serial file root's, 0600" "0 600" "$(stat -c '%u %a' "$T/state/manifest-serial")"
before=$(snap)
run sv apply --verify-key "$KD/P-256.pub" "$T/s10.jws"
expect_eq "signed: the same manifest again converges (equal serial, same payload)" "0 no changes" "$RC $OUT"
expect_eq "signed: ... and changes nothing" "$before" "$(snap)"
run sv apply --verify-key "$KD/P-256.jwk" "$T/s10.jws"
expect_eq "signed: verify key as a JWK" "0 no changes" "$RC $OUT"

py "m = load('s10.json'); m['roles'][0]['description'] = 'changed'; save('s10b.json', m)"
SIGN P-256 "$T/s10b.json" >"$T/s10b.jws"
refused "equal serial, other content" "serial 10 was already applied with other content" \
	sv apply --verify-key "$KD/P-256.pub" "$T/s10b.jws"
py "m = load('s10b.json'); m['serial'] = 9; save('s9.json', m)"
SIGN P-256 "$T/s9.json" >"$T/s9.jws"
refused "older serial" "serial 9 is older than the last applied one \(10\)" \
	sv apply --verify-key "$KD/P-256.pub" "$T/s9.jws"
py "m = load('s10b.json'); del m['serial']; save('nos.json', m)"
"$JPY" - "$KD/P-256.key" "$T/nos.json" >"$T/nos.jws" <<'EOF'
import sys
from jwcrypto import jwk, jws
k = jwk.JWK.from_pem(open(sys.argv[1], "rb").read())
s = jws.JWS(open(sys.argv[2], "rb").read())
s.add_signature(k, alg="ES256", protected={"alg": "ES256"})
print(s.serialize(compact=True))
EOF
refused "missing serial" "a signed manifest must carry a \"serial\"" sv apply --verify-key "$KD/P-256.pub" "$T/nos.jws"
run "$SA" sign-manifest --key "$KD/P-256.key" "$T/nos.json"
expect_match "sign-manifest refuses a manifest without serial" 'needs a "serial"' "$RC $ERR"
run "$SA" sign-manifest --key "$KD/P-521.key" "$T/s10.json"
expect_match "sign-manifest refuses a P-521 key" 'ES256 \(P-256\), ES384' "$RC $ERR"

py "m = load('s10b.json'); m['serial'] = 11; save('s11.json', m)"
SIGN P-256 "$T/s11.json" >"$T/s11.jws"
# tampered payload: another manifest's payload under this signature
python3 - "$T/s11.jws" "$T/s9.jws" >"$T/tampered.jws" <<'EOF'
import sys
a = open(sys.argv[1]).read().strip().split(".")
b = open(sys.argv[2]).read().strip().split(".")
print(".".join([a[0], b[1], a[2]]))
EOF
refused "bad signature (payload swapped)" "bad signature: not signed by the key in" sv apply --verify-key "$KD/P-256.pub" "$T/tampered.jws"
python3 - "$T/s11.jws" >"$T/flipped.jws" <<'EOF'
import sys
h, p, s = open(sys.argv[1]).read().strip().split(".")
s = ("A" if s[0] != "A" else "B") + s[1:]
print(".".join([h, p, s]))
EOF
refused "bad signature (bit flipped)" "bad signature" sv apply --verify-key "$KD/P-256.pub" "$T/flipped.jws"
refused "wrong key (same alg)" "bad signature" sv apply --verify-key "$KD/other.pub" "$T/s11.jws"
SIGN P-384 "$T/s11.json" >"$T/s11-384.jws"
refused "alg mismatch (ES384 manifest, ES256 key)" "signed with ES384, but the verify key is a ES256 key" \
	sv apply --verify-key "$KD/P-256.pub" "$T/s11-384.jws"
refused "verify key of a refused alg (P-521)" "a ES512 key; manifests are signed with ES256, ES384 or RS256" \
	sv apply --verify-key "$KD/P-521.pub" "$T/s11.jws"
# alg none, HS256 keyed with the public key, crit: crafted by hand
python3 - "$T/s11.json" "$KD/P-256.pub" "$T" <<'EOF'
import base64, hashlib, hmac, json, sys
def b64(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
payload = b64(open(sys.argv[1], "rb").read())
pub = open(sys.argv[2], "rb").read()
def tok(h, sig): return b64(json.dumps(h).encode()) + "." + payload + "." + sig
d = sys.argv[3]
open(d + "/none.jws", "w").write(tok({"alg": "none"}, b64(b"x")))
open(d + "/none-empty.jws", "w").write(tok({"alg": "none"}, ""))
h = {"alg": "HS256", "typ": "svcacct-manifest"}
si = (b64(json.dumps(h).encode()) + "." + payload).encode()
open(d + "/hs256.jws", "w").write(tok(h, b64(hmac.new(pub, si, hashlib.sha256).digest())))
open(d + "/crit.jws", "w").write(tok({"alg": "ES256", "crit": ["exp"]}, b64(b"x" * 64)))
open(d + "/typ.jws", "w").write(tok({"alg": "ES256", "typ": "JWT"}, b64(b"x" * 64)))
EOF
refused "alg none" "JWS alg refused" sv apply --verify-key "$KD/P-256.pub" "$T/none.jws"
refused "alg none, empty signature" "neither a JSON manifest nor a compact JWS" sv apply --verify-key "$KD/P-256.pub" "$T/none-empty.jws"
refused "HS256 keyed with the public key" "JWS alg refused" sv apply --verify-key "$KD/P-256.pub" "$T/hs256.jws"
refused "crit header" "header member not allowed" sv apply --verify-key "$KD/P-256.pub" "$T/crit.jws"
refused "typ of another kind of token (JWT)" 'typ must be absent or "svcacct-manifest"' sv apply --verify-key "$KD/P-256.pub" "$T/typ.jws"
printf 'a.b.c.d\n' >"$T/4seg.jws"
refused "four segments" "neither a JSON manifest nor a compact JWS" sv apply --verify-key "$KD/P-256.pub" "$T/4seg.jws"
chmod 666 "$KD/P-256.pub"
refused "a verify key others can write" "verify key .*writable" sv apply --verify-key "$KD/P-256.pub" "$T/s11.jws"
chmod 644 "$KD/P-256.pub"
run sv apply --verify-key "$KD/P-256.pub" --dry-run "$T/s11.jws"
expect_match "signed dry run: the difference" '~ role deployers: description "Deploy" -> "changed"' "$OUT"
expect_match "signed dry run: serial not recorded" '^10 ' "$(cat "$T/state/manifest-serial")"
run sv apply --verify-key "$KD/P-256.pub" "$T/s11.jws"
expect_eq "serial 11: applied" "0" "$RC"
expect_match "serial 11: recorded" '^11 ' "$(cat "$T/state/manifest-serial")"

# interoperability: signed by jwcrypto (ES256, RS256), verified here
prev=""
for alg in ES256 RS256; do
	case $alg in ES256) k=P-256 ;; RS256) k=rsa ;; esac
	py "m = load('s11.json'); m['serial'] = $([ $alg = ES256 ] && echo 12 || echo 13); m['roles'][1]['description'] = '$alg'; save('j$alg.json', m)"
	"$JPY" - "$KD/$k.key" "$T/j$alg.json" "$alg" >"$T/j$alg.jws" <<'EOF'
import sys
from jwcrypto import jwk, jws
k = jwk.JWK.from_pem(open(sys.argv[1], "rb").read())
s = jws.JWS(open(sys.argv[2], "rb").read())
s.add_signature(k, alg=sys.argv[3], protected={"alg": sys.argv[3], "typ": "svcacct-manifest"})
print(s.serialize(compact=True))
EOF
	run sv apply --verify-key "$KD/$k.pub" "$T/j$alg.jws"
	expect_eq "jwcrypto $alg manifest: accepted" "0 ~ role metrics: description \"$prev\" -> \"$alg\"" "$RC $(printf '%s\n' "$OUT" | head -1)"
	prev=$alg
done
# and ours verified by jwcrypto
py "m = load('s11.json'); m['serial'] = 14; save('s14.json', m)"
SIGN rsa "$T/s14.json" >"$T/s14.jws"
expect_eq "sign-manifest RS256: verified by jwcrypto, payload intact" "ok" "$("$JPY" - "$KD/rsa.pub" "$T/s14.jws" "$T/s14.json" <<'EOF'
import sys
from jwcrypto import jwk, jws
k = jwk.JWK.from_pem(open(sys.argv[1], "rb").read())
s = jws.JWS()
s.deserialize(open(sys.argv[2]).read().strip())
s.verify(k, alg="RS256")
print("ok" if s.payload == open(sys.argv[3], "rb").read().rstrip(b"\n") else "payload differs")
EOF
)"

# manifest_verify_key in svcacct.conf: signatures mandatory host-wide
new_env "manifest_verify_key = $KD/P-256.pub"
base_manifest m1.json
refused "manifest_verify_key: an unsigned manifest is refused" \
	"not signed, and a signature is required \(manifest_verify_key in svcacct.conf\)" sv apply "$T/m1.json"
py "m = load('m1.json'); m['serial'] = 1; save('c1.json', m)"
SIGN P-256 "$T/c1.json" >"$T/c1.jws"
run sv apply "$T/c1.jws"
expect_eq "manifest_verify_key: a signed one is applied without --verify-key" "0" "$RC"
SIGN other "$T/c1.json" >"$T/c1o.jws"
refused "manifest_verify_key: another key's signature is refused" "bad signature" sv apply "$T/c1o.jws"
run sv apply --dry-run "$T/c1.json"
expect_match "manifest_verify_key: a dry run needs the signature too" "signature is required" "$RC $ERR"

# ================================================================== issuers
# trusted issuers travel in manifests: created, changed field by field,
# unchanged on a second run, exported, pruned (with their cached keys)
new_env
base_manifest m1.json
"$JPY" - "$KD" <<'PYEOF'
import json, sys
from jwcrypto import jwk
k = jwk.JWK.from_pem(open(sys.argv[1] + "/rsa.pub", "rb").read())
d = json.loads(k.export_public()); d.update(kid="kc1", alg="RS256", use="sig")
json.dump({"keys": [d]}, open(sys.argv[1] + "/idp.jwks", "w"))
PYEOF
py "
m = load('m1.json')
m['issuers'] = [{'name': 'kc', 'issuer': 'https://idp.example/realms/fleet',
  'audience': 'svcacct-fleet', 'client_claim': 'azp',
  'roles_claims': ['realm_access.roles'],
  'clients': [{'client': 'ci-runner', 'account': 'bot1'}],
  'role_maps': [{'remote': 'deploy', 'role': 'deployers'}],
  'jwks': json.load(open(os.environ['KD'] + '/idp.jwks'))}]
save('iss.json', m)"
run sv apply "$T/iss.json"
expect_eq "a manifest with an issuer applies" "0" "$RC"
expect_match "the difference names the new issuer" "\+ issuer kc" "$OUT"
expect_match "the issuer is in the store, with its client map" "ci-runner" "$(sv --json issuer show kc 2>&1)"
expect_match "its keys (carried along) are cached" "kc1" "$(sv --json issuer show kc 2>&1)"
g1=$(gens)
run sv apply "$T/iss.json"
expect_match "second run: no changes" "no changes" "$OUT"
expect_eq "second run: no new generation" "$g1" "$(gens)"
py "m = load('iss.json'); m['issuers'][0]['audience'] = 'svcacct-fleet2'; save('iss2.json', m)"
run sv apply --dry-run "$T/iss2.json"
expect_match "a dry run shows the changed field" "~ issuer kc: audience svcacct-fleet -> svcacct-fleet2" "$OUT"
expect_eq "a dry run changes nothing" "$g1" "$(gens)"
run sv apply "$T/iss2.json"
expect_match "the audience changes" "svcacct-fleet2" "$(sv --json issuer show kc 2>&1)"
run sv export --manifest
expect_match "export --manifest carries the issuer" '"issuer": "https://idp.example/realms/fleet"' "$OUT"
printf '%s' "$OUT" >"$T/exported.json"
run sv apply "$T/exported.json"
expect_match "the exported manifest applies with no changes" "no changes" "$OUT"
py "m = load('iss2.json'); m['issuers'] = []; save('iss3.json', m)"
run sv apply "$T/iss3.json"
expect_match "without --prune an issuer left out stays" "no changes" "$OUT"
run sv apply --prune "$T/iss3.json"
expect_match "--prune removes the issuer the manifest dropped" "\- issuer kc" "$OUT"
expect_rc "the issuer is gone" 1 "" sv issuer show kc
expect_eq "and its cached keys" "" "$(ls "$T/state/issuers" 2>/dev/null | grep kc)"

done_testing
