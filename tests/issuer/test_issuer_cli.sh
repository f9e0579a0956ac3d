#!/bin/bash
# SPDX-License-Identifier: MIT
# svcacct issuer: every verb, --json, --help, audit lines, and every refusal
# with a clear message and the store unchanged (same generation, same
# records, same cached keys).
. "$top_srcdir/tests/pam/lib.sh"
. "$top_srcdir/tests/issuer/lib.sh"

S role create deployers >/dev/null
S account create deploy --role deployers >/dev/null
kc_key kcenc
kc_key kc1
kc_key weak 1024
kc_jwks "$T/good.json" "kc1:k1"

gen() { readlink "$T/db/current"; }
snapshot() { printf '%s\n' "$(gen)"; S --json issuer list 2>&1; cat "$T"/state/issuers/*.jwks 2>/dev/null; }
# refused DESC RC REGEX CMD...: the command fails with RC and a message
# matching REGEX, and nothing changed
refused() {
	local d=$1 rc=$2 re=$3 before after; shift 3
	before=$(snapshot)
	expect_rc "$d" "$rc" "$re" "$@"
	after=$(snapshot)
	expect_eq "$d: store unchanged" "$before" "$after"
}

ok_cmd "issuer add from a JWKS file" S issuer add kc --issuer "$KC_ISS" --jwks "$T/good.json" \
	--audience "$KC_AUD" --roles-claim realm_access.roles --roles-claim 'resource_access.my\.client.roles'
ns_wait_log "$LOG" 'event=issuer-add' || true
expect_match "audit: issuer-add" "svcacct: event=issuer-add result=ok issuer=kc iss=$KC_ISS audience=$KC_AUD client_claim=azp kids=k1 by=" \
	"$(grep 'event=issuer-add' "$LOG" | tail -1)"
expect_eq "cached set is root's 0600" "0:600" "$(stat -c %u:%a "$T/state/issuers/kc.jwks")"
expect_eq "cached set holds the signing key only (enc skipped)" "k1" \
	"$(/usr/bin/python3 -c 'import json,sys; print(",".join(k["kid"] for k in json.load(open(sys.argv[1]))["keys"]))' "$T/state/issuers/kc.jwks")"
ok_cmd "map" S issuer map kc --client deploy-client --account deploy
ok_cmd "role-map" S issuer role-map kc deployer deployers
ns_wait_log "$LOG" 'event=issuer-role-map' || true
expect_match "audit: issuer-map" "event=issuer-map result=ok issuer=kc client=deploy-client account=deploy mapped" "$(grep 'event=issuer-map' "$LOG" | tail -1)"
expect_match "audit: issuer-role-map" "event=issuer-role-map result=ok issuer=kc remote_role=deployer role=deployers mapped" "$(grep 'event=issuer-role-map' "$LOG" | tail -1)"
run S issuer list
expect_match "list" "^NAME .*ISSUER.*kc +azp +1 +1 $KC_ISS" "$(printf '%s' "$OUT" | tr '\n' ' ')"
run S issuer show kc
expect_match "show: text" "client         deploy-client -> deploy" "$OUT"
expect_match "show: cached keys" "cached keys    k1 \\(from file" "$OUT"
run S --json issuer show kc
want='{"audience": "svcacct:fleet-test", "ca_file": "", "client_claim": "azp", "clients": [{"account": "deploy", "client": "deploy-client"}], "issuer": "https://kc.test:8443/realms/fleet", "jwks_url": "", "max_lifetime": 3600, "name": "kc", "role_maps": [{"remote": "deployer", "role": "deployers"}], "roles_claims": ["realm_access.roles", "resource_access.my\\.client.roles"]}'
expect_eq "show --json: the documented shape" "$want" \
	"$(printf '%s' "$OUT" | /usr/bin/python3 -c 'import json,sys; o=json.load(sys.stdin); [o.pop(k) for k in ("created","updated","jwks_cache")]; print(json.dumps(o, sort_keys=True))')"
expect_match "show --json: jwks_cache" '"kids": \[' "$OUT"
run S issuer show kc --json
expect_eq "--json after the verb too" 0 "$RC"
for v in add list show remove map unmap role-map role-unmap refresh; do
	run S issuer $v --help
	expect_match "issuer $v --help" "^usage: svcacct issuer $v" "$OUT"
done

# refusals
refused "add: missing --audience is a usage error" 2 "usage: svcacct issuer add" \
	S issuer add x --issuer https://x.test --jwks "$T/good.json"
refused "add: --jwks and --jwks-url together" 1 "exactly one of --jwks FILE and --jwks-url" \
	S issuer add x --issuer https://x.test --jwks "$T/good.json" --jwks-url https://x.test/certs --audience a
refused "add: neither --jwks nor --jwks-url" 1 "exactly one of" S issuer add x --issuer https://x.test --audience a
refused "add: existing name" 1 "issuer 'kc' already exists" \
	S issuer add kc --issuer https://x.test --jwks "$T/good.json" --audience a
refused "add: bad name" 1 "bad issuer name 'Bad/Name'" \
	S issuer add Bad/Name --issuer https://x.test --jwks "$T/good.json" --audience a
refused "add: iss that could be an account name" 1 "bad --issuer 'keycloak'" \
	S issuer add x --issuer keycloak --jwks "$T/good.json" --audience a
refused "add: iss with a space" 1 "bad --issuer" \
	S issuer add x --issuer "https://x.test/a b" --jwks "$T/good.json" --audience a
refused "add: the iss of another issuer" 1 "issuer 'kc' already has --issuer $KC_ISS" \
	S issuer add x --issuer "$KC_ISS" --jwks "$T/good.json" --audience a
refused "add: http:// JWKS URL" 1 "only fetched over https://" \
	S issuer add x --issuer https://x.test --jwks-url http://x.test/certs --audience a
refused "add: --ca-file without --jwks-url" 1 "--ca-file goes with --jwks-url" \
	S issuer add x --issuer https://x.test --jwks "$T/good.json" --ca-file /etc/hostname --audience a
refused "add: unreadable --ca-file" 1 "--ca-file /nonexistent: No such file" \
	S issuer add x --issuer https://x.test --jwks-url https://x.test/certs --ca-file /nonexistent --audience a
refused "add: bad --client-claim" 1 "--client-claim must be azp, client_id, sub or clientId" \
	S issuer add x --issuer https://x.test --jwks "$T/good.json" --audience a --client-claim email
for path in 'a..b' 'a.' '.a' 'a\x' 'a b'; do
	refused "add: bad roles claim path '$path'" 1 "roles claim path" \
		S issuer add x --issuer https://x.test --jwks "$T/good.json" --audience a --roles-claim "$path"
done
refused "add: --max-lifetime too short" 1 "--max-lifetime must be 60 to 86400" \
	S issuer add x --issuer https://x.test --jwks "$T/good.json" --audience a --max-lifetime 10
refused "add: empty audience" 1 "bad --audience" \
	S issuer add x --issuer https://x.test --jwks "$T/good.json" --audience ""
echo '{"keys": [' >"$T/garbage.json"
refused "add: garbage JWKS" 1 "not a usable JWKS: invalid JSON" \
	S issuer add x --issuer https://x.test --jwks "$T/garbage.json" --audience a
/usr/bin/python3 "$top_srcdir/tests/issuer/kcmint.py" jwks --enc "$T/kcenc.key:e:$T/kcenc.crt" >"$T/enconly.json"
refused "add: JWKS with no signing key" 1 "no usable signing key" \
	S issuer add x --issuer https://x.test --jwks "$T/enconly.json" --audience a
kc_jwks "$T/weak.json" "weak:w1"
refused "add: JWKS with a 1024-bit signing key" 1 "not a usable JWKS: keys\\[1\\]: .*(2048|bits)" \
	S issuer add x --issuer https://x.test --jwks "$T/weak.json" --audience a
kc_jwks "$T/dup.json" "kc1:same" "kcenc:same"
refused "add: JWKS with a duplicate kid" 1 "duplicate kid" \
	S issuer add x --issuer https://x.test --jwks "$T/dup.json" --audience a
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["keys"][1]["d"]="AQAB"; print(json.dumps(d))' "$T/good.json" >"$T/private.json"
refused "add: JWKS with a private key" 1 "private key member" \
	S issuer add x --issuer https://x.test --jwks "$T/private.json" --audience a
refused "add: JWKS file missing" 1 "/nonexistent.json: No such file" \
	S issuer add x --issuer https://x.test --jwks /nonexistent.json --audience a
refused "map: unknown issuer" 1 "no issuer 'nope'" S issuer map nope --client c --account deploy
refused "map: unknown account" 1 "client 'c2': no account 'ghost'" S issuer map kc --client c2 --account ghost
refused "map: client already mapped" 1 "client 'deploy-client' is already mapped to account 'deploy'" \
	S issuer map kc --client deploy-client --account deploy
refused "map: client id with a space" 1 "bad client id" S issuer map kc --client "a b" --account deploy
refused "map: missing --account is a usage error" 2 "usage: svcacct issuer map" S issuer map kc --client c3
refused "unmap: client not mapped" 1 "client 'c9' is not mapped" S issuer unmap kc --client c9
refused "role-map: unknown local role" 1 "no local role 'ghost'" S issuer role-map kc deployer ghost
refused "role-map: duplicate" 1 "already mapped to 'deployers'" S issuer role-map kc deployer deployers
ok_cmd "add an issuer without a roles claim" S issuer add noroles --issuer https://noroles.test \
	--jwks "$T/good.json" --audience a
refused "role-map without a roles claim: refused, says which option" 1 \
	"issuer 'noroles' has no roles claim, so remote role 'deployer' can never be seen: .*--roles-claim PATH" \
	S issuer role-map noroles deployer deployers
ok_cmd "remove it" S issuer remove noroles
refused "role-unmap: not mapped" 1 "not mapped to 'deployers'" S issuer role-unmap kc reader deployers
refused "remove: unknown issuer" 1 "no issuer 'nope'" S issuer remove nope
refused "refresh: unknown issuer" 1 "no issuer 'nope'" S issuer refresh nope
refused "refresh: file-based issuer without --jwks" 1 "has no --jwks-url .* --jwks FILE" S issuer refresh kc
refused "refresh --jwks garbage keeps the cached set" 1 "refresh failed, the cached keys are kept: .*invalid JSON" \
	S issuer refresh kc --jwks "$T/garbage.json"
# the cache's directory must be root's and writable by root alone, or a
# member of its group could swap the keys that logins trust
chmod 0770 "$T/state/issuers"
refused "refresh with a group-writable cache directory keeps the cached set" 1 \
	"$T/state/issuers: must be root's and not group or world writable" \
	S issuer refresh kc --jwks "$T/good.json"
chmod 0700 "$T/state/issuers"
ns_wait_log "$LOG" 'event=issuer-refresh result=error' || true
expect_match "audit: refresh error" "event=issuer-refresh result=error issuer=kc detail=" "$(grep 'event=issuer-refresh result=error' "$LOG" | tail -1)"
refused "unknown verb" 2 "unknown verb 'issuer frob'" S issuer frob
refused "not root" 1 "needs root" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$top_builddir/tools/svcacct" --conf "$T/c.conf" issuer map kc --client c5 --account deploy

run setpriv --reuid=65534 --regid=65534 --clear-groups "$top_builddir/tools/svcacct" --conf "$T/c.conf" --json issuer show kc
expect_match "any user can show an issuer (accounts.db is 0644), not its cached keys" '"status": "not-readable"' "$OUT"
run setpriv --reuid=65534 --regid=65534 --clear-groups "$top_builddir/tools/svcacct" --conf "$T/c.conf" issuer list
expect_match "any user can list issuers" "^NAME .*kc +azp" "$(printf '%s' "$OUT" | tr '\n' ' ')"

# positive changes and their undo
ok_cmd "unmap" S issuer unmap kc --client deploy-client
ok_cmd "role-unmap" S issuer role-unmap kc deployer deployers
run S --json issuer show kc
expect_match "maps gone" '"clients": \[\]' "$OUT"
ok_cmd "rollback restores the maps (issuers are configuration)" S rollback
run S --json issuer show kc
expect_match "role map back after rollback" '"remote": "deployer"' "$OUT"
ok_cmd "svcacct check accepts a store with issuers" S check

# export carries the issuers (and, for root, their cached keys); import
# brings them back, keys included
S issuer map kc --client deploy-client --account deploy >/dev/null
S export >"$T/export.json"
expect_match "export: issuers with their maps" '"client": "deploy-client"' "$(cat "$T/export.json")"
expect_match "export: the cached keys as jwks" '"jwks": \{' "$(tr -d '\n' <"$T/export.json" | sed 's/  */ /g')"
cat >"$T/c2.conf" <<CONF
db_dir = $T/db2
state_dir = $T/state2
home_base = $T/home2
CONF
S2() { "$top_builddir/tools/svcacct" --conf "$T/c2.conf" "$@"; }
# the host of the second store: its NSS serves that store
pam_nss_store "$T/c2.conf"
ok_cmd "import into an empty store" S2 import "$T/export.json"
expect_eq "import: the issuer round-trips" \
	"$(S --json issuer show kc | /usr/bin/python3 -c 'import json,sys; o=json.load(sys.stdin); [o.pop(k) for k in ("created","updated")]; o["jwks_cache"].pop("fetched"); o["jwks_cache"].pop("source"); print(json.dumps(o, sort_keys=True))')" \
	"$(S2 --json issuer show kc | /usr/bin/python3 -c 'import json,sys; o=json.load(sys.stdin); [o.pop(k) for k in ("created","updated")]; o["jwks_cache"].pop("fetched"); o["jwks_cache"].pop("source"); print(json.dumps(o, sort_keys=True))')"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["issuers"][0]["clients"][0]["account"]="ghost"; print(json.dumps(d))' "$T/export.json" >"$T/bad-export.json"
cat >"$T/c3.conf" <<CONF
db_dir = $T/db3
state_dir = $T/state3
home_base = $T/home3
CONF
pam_nss_store "$T/c3.conf"
expect_rc "import: an issuer mapping a missing account refuses the whole file" 1 \
	"issuers\[0\]: client 'deploy-client': no account 'ghost' \(nothing imported\)" \
	"$top_builddir/tools/svcacct" --conf "$T/c3.conf" import "$T/bad-export.json"
expect_eq "import refused: no store made" "" "$(readlink "$T/db3/current" 2>/dev/null)"

pam_nss_store "$T/c2.conf"
# deleting an account or a role drops the maps to it, so that a later
# account or role of the same name inherits nothing
S2 role create tmprole >/dev/null
S2 account create tmpbot --role tmprole >/dev/null
S2 issuer map kc --client tmp-client --account tmpbot >/dev/null
S2 issuer role-map kc tmpremote tmprole >/dev/null
ok_cmd "account delete" S2 account delete tmpbot
expect_nomatch "account delete dropped its client map" 'tmp-client' "$(S2 --json issuer show kc)"
ok_cmd "role delete" S2 role delete tmprole
expect_nomatch "role delete dropped the role map" 'tmpremote' "$(S2 --json issuer show kc)"
ok_cmd "svcacct check still clean" S2 check
ok_cmd "remove" S issuer remove kc
expect_eq "remove deletes the cached set" "no" "$([ -e "$T/state/issuers/kc.jwks" ] && echo yes || echo no)"
run S issuer show kc
expect_match "removed issuer is gone" "no issuer 'kc'" "$ERR"
ns_wait_log "$LOG" 'event=issuer-remove' || true
expect_match "audit: issuer-remove" "event=issuer-remove result=ok issuer=kc" "$(grep 'event=issuer-remove' "$LOG" | tail -1)"
done_testing
