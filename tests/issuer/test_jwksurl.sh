#!/bin/bash
# SPDX-License-Identifier: MIT
# An account's keys from a JWKS URL (key add --jwks-url, key refresh)
# against a real HTTPS server (Debian's nginx) on 127.0.0.1 in private
# mount and network namespaces, with a test CA, and client assertions
# through real Linux-PAM (pam_start_confdir harness): every bad URL and
# answer refused at add time with nothing changed; the kid selects the
# cached key; rotation and removal at the URL take effect at the next
# refresh; the server down, an oversized or keyless answer and a wrong
# certificate keep the last good set; a revoked key fingerprint never logs
# in although the URL serves it; removing the credential removes its cache;
# export, import and apply carry the URL, not the cache. A JWKS URL
# credential takes a scope (--roles, --from) as a registered key does: it
# narrows logins, key set only narrows it, and export, import and apply
# keep it (apply never widens it).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/issuer/lib.sh"
issuer_https_test "$@"

S role create deployers --services sshd --from 127.0.0.0/8,local >/dev/null
S account create deploy --role deployers >/dev/null
S account create other --role deployers >/dev/null
pam_service sshd
kc_key kcenc
kc_key kc1
kc_key kc2
kc_key kc3
kc_key evil
K1=acct-kid-a
K2=acct-kid-b
K3=acct-kid-c
URL=$KC_CERTS
kc_jwks "$T/www/certs" "kc1:$K1"
chmod 644 "$T/www/certs"

gen() { readlink "$T/db/current"; }
cachefiles() { ls -A "$T/state/jwks" 2>/dev/null; }
# login DESC WANT REASON KEY KID [ACCOUNT]: a client assertion of ACCOUNT
# (deploy) signed with $T/KEY.key under KID ("" for none), over sshd
login() {
	local kidarg=(--kid "$5")
	[ -n "$5" ] || kidarg=()
	check "$1" "$2" "$3" -s sshd -u "${6:-deploy}" -n \
		-p "$(M --account "${6:-deploy}" --alg RS256 --key "$T/$4.key" "${kidarg[@]}")"
}

# ------------------------------------------------------------ refused adds
g0=$(gen)
long="https://kc.test:8443/$(head -c 300 /dev/zero | tr '\0' a)"
refused_add() { # DESC REGEX ARGS...
	local d=$1 re=$2
	shift 2
	expect_rc "add refused: $d" 1 "$re" S key add deploy "$@"
}
refused_add "http:// URL" "only https:// URLs are fetched" --jwks-url http://kc.test:8080/certs
refused_add "HTTP:// in capitals" "only https:// URLs are fetched" --jwks-url HTTP://kc.test:8080/certs
refused_add "user information in the URL" "user information \(user@host\) is refused" \
	--jwks-url "https://me:pw@kc.test:8443/realms/fleet/protocol/openid-connect/certs" --ca-file "$T/ca.crt"
refused_add "a fragment" "a fragment \(#...\) is not part of what is fetched" --jwks-url "$URL#keys" --ca-file "$T/ca.crt"
refused_add "a URL over 255 characters" "at most 255 are stored" --jwks-url "$long" --ca-file "$T/ca.crt"
refused_add "a space in the URL" "a space, control or non-ASCII character" --jwks-url "https://kc.test:8443/a b"
refused_add "no host" "no host name" --jwks-url "https:///certs"
refused_add "--ca-file that does not exist" "--ca-file $T/nonesuch.crt: No such file" \
	--jwks-url "$URL" --ca-file "$T/nonesuch.crt"
refused_add "--ca-file a directory" "--ca-file $T: not a regular file" --jwks-url "$URL" --ca-file "$T"
refused_add "--ca-file a relative path" "give an absolute path" --jwks-url "$URL" --ca-file ca.crt
refused_add "--ca-file without --jwks-url" "--ca-file goes with --jwks-url" --ca-file "$T/ca.crt"
refused_add "--jwks-url with --pem" "--jwks-url goes without --pem" --jwks-url "$URL" --pem "$T/kc1.crt"
refused_add "certificate of an unknown CA (system CAs)" "fetching the JWKS: .*(certificate|SSL).*nothing changed" \
	--jwks-url "$URL"
refused_add "--ca-file of another CA" "fetching the JWKS: .*(certificate|SSL)" --jwks-url "$URL" --ca-file "$T/otherca.crt"
refused_add "host name not in the certificate" "fetching the JWKS: .*(wrong.test|certificate|name)" \
	--jwks-url "https://wrong.test:8443/realms/fleet/protocol/openid-connect/certs" --ca-file "$T/ca.crt"
refused_add "redirect to http://" "fetching the JWKS: .*(Protocol|protocol|redirect)" \
	--jwks-url "$KC_BASE/redirect-http" --ca-file "$T/ca.crt"
refused_add "oversized response" "larger than 1048576 bytes" --jwks-url "$KC_BASE/big" --ca-file "$T/ca.crt"
refused_add "not JSON" "not a usable JWKS: invalid JSON" --jwks-url "$KC_BASE/garbage" --ca-file "$T/ca.crt"
/usr/bin/python3 "$top_srcdir/tests/issuer/kcmint.py" jwks --enc "$T/kcenc.key:e:$T/kcenc.crt" >"$T/www/certs"
refused_add "a JWKS with no usable key" "not a usable JWKS: no usable signing key" --jwks-url "$URL" --ca-file "$T/ca.crt"
kc_jwks "$T/www/certs" "kc1:$K1"
expect_rc "add for an account that does not exist refused" 1 "no account 'nobody'" \
	S key add nobody --jwks-url "$URL" --ca-file "$T/ca.crt"
expect_eq "refused adds changed nothing" "$g0" "$(gen)"
expect_eq "refused adds cached nothing" "" "$(cachefiles)"
login "without a key: no login" auth=PAM_AUTH_ERR no_key kc1 "$K1"

# ------------------------------------------------------------ add, list, login
run S key add deploy --jwks-url "$URL" --ca-file "$T/ca.crt" --label "team jwks"
expect_eq "add with --jwks-url and --ca-file: exit 0" 0 "$RC"
expect_match "add says id, URL and the kids fetched" \
	"added JWKS URL [0-9a-f]{16} to deploy \\($URL\\), keys $K1 \\(other keys skipped\\)" "$OUT"
ID=$(printf '%s' "$OUT" | grep -oE '[0-9a-f]{16}' | head -1)
expect_eq "its cache: state_dir/jwks/ID.jwks" "$ID.jwks" "$(cachefiles)"
expect_eq "the cache is root's, 0600, in a 0700 directory" "root 600 700" \
	"$(stat -c %U "$T/state/jwks/$ID.jwks") $(stat -c %a "$T/state/jwks/$ID.jwks") $(stat -c %a "$T/state/jwks")"
expect_rc "a second JWKS URL for the account refused" 1 "already has a JWKS URL \\($ID, $URL\\): one per account" \
	S key add deploy --jwks-url "$KC_BASE/redirect-https" --ca-file "$T/ca.crt"
run S key list deploy
expect_match "key list: the JWKS URL credential (expires, last used, label)" "^$ID +\\(JWKS URL\\) +- +active +never +never +team jwks" "$OUT"
expect_match "key list: its URL and CA file" "url +$URL.*ca file +$T/ca.crt" "$(printf '%s' "$OUT" | tr '\n' ' ')"
expect_match "key list: the cached kids and the last good fetch" \
	"cached +$K1 \\(last good fetch [0-9]{4}-[0-9]{2}-[0-9]{2}T" "$OUT"
run S --json key list deploy
expect_eq "key list --json: type, URL, CA file, cached kids" "jwks $URL $T/ca.crt ok $K1" \
	"$(printf '%s' "$OUT" | /usr/bin/python3 -c 'import json,sys; k=json.load(sys.stdin)[0]
print(k["type"], k["jwks_url"], k["ca_file"], k["cache"]["status"], ",".join(k["cache"]["kids"]))')"
expect_match "key list --json: the time of the last good fetch" '"fetched": "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"' "$OUT"
expect_match "secret list leaves the JWKS URL out" "^ID" "$(S secret list deploy)"
expect_nomatch "... (no row of it)" "$ID" "$(S secret list deploy)"

check "an assertion signed with the URL's key (kid) logs in (every phase)" auth=PAM_SUCCESS ok \
	-s sshd -u deploy -r 127.0.0.1 -p "$(M --account deploy --alg RS256 --key "$T/kc1.key" --kid "$K1")"
expect_match "... method assertion" "env SVCACCT_METHOD=assertion" "$LAST_OUT"
expect_match "... the account phase succeeds" "^acct=PAM_SUCCESS$" "$LAST_OUT"
expect_match "... the session opens" "^session=PAM_SUCCESS$" "$LAST_OUT"
expect_match "... the allow line names the JWKS URL credential" \
	"event=auth result=allow account=deploy .*credential=$ID" "$(grep 'event=auth result=allow' "$LOG" | tail -1)"
login "without kid: the key chosen by alg" auth=PAM_SUCCESS ok kc1 ""
run S verify deploy <<<"$(M --account deploy --alg RS256 --key "$T/kc1.key" --kid "$K1")"
expect_match "svcacct verify decides the same way" "^accepted: account=deploy method=assertion credential=$ID " "$OUT"
login "a kid the set does not have: refused" auth=PAM_AUTH_ERR unknown_kid kc1 nosuchkid
login "signed by another key under the set's kid: refused" auth=PAM_AUTH_ERR bad_signature evil "$K1"
check "the kid under another alg (PS256): refused" auth=PAM_AUTH_ERR alg_mismatch -s sshd -u deploy -n \
	-p "$(M --account deploy --alg PS256 --key "$T/kc1.key" --kid "$K1")"
login "another account's assertion with the set's key: no key there" auth=PAM_AUTH_ERR no_key kc1 "$K1" other
check "no network on the login path: the server down, logins go on" auth=PAM_SUCCESS ok -s sshd -u deploy -n \
	-p "$(https_stop; M --account deploy --alg RS256 --key "$T/kc1.key" --kid "$K1")"
https_start || tap_notok "nginx started again"

# ------------------------------------------------------------ rotation
kc_jwks "$T/www/certs" "kc1:$K1" "kc2:$K2"
run S key refresh deploy
expect_eq "refresh (both keys published): exit 0" 0 "$RC"
expect_match "refresh reports the kids" "account deploy: JWKS $ID: cached keys $K1,$K2" "$OUT"
login "overlap: the new kid works" auth=PAM_SUCCESS ok kc2 "$K2"
login "overlap: the old kid still works" auth=PAM_SUCCESS ok kc1 "$K1"
kc_jwks "$T/www/certs" "kc2:$K2"
ok_cmd "refresh of every account (old key removed at the URL)" S key refresh
login "after rotation: the new kid works" auth=PAM_SUCCESS ok kc2 "$K2"
login "after rotation: the removed kid is refused" auth=PAM_AUTH_ERR unknown_kid kc1 "$K1"
ns_wait_log "$LOG" "event=key-refresh result=ok account=deploy credential=$ID kids=$K2 " || true
expect_match "audit: refresh ok" "event=key-refresh result=ok account=deploy credential=$ID kids=$K2 skipped=1" \
	"$(grep 'event=key-refresh result=ok' "$LOG" | tail -1)"

# ------------------------------------------------------------ bad answers
good=$(cat "$T/state/jwks/$ID.jwks")
bad_refresh() { # DESC REGEX
	expect_rc "$1: exit 1 with a clear message" 1 "$2" S key refresh deploy
	expect_eq "$1: last good set kept" "$good" "$(cat "$T/state/jwks/$ID.jwks")"
	login "$1: logins with the cached key go on" auth=PAM_SUCCESS ok kc2 "$K2"
}
jwks_bad_answers URL "account deploy: JWKS refresh failed, the cached keys are kept: " "no usable key"
kc_jwks "$T/www/certs" "kc2:$K2"
https_swap_cert elsewhere.test || tap_notok "certificate swapped"
bad_refresh "certificate for another host name" "(certificate|SSL|name)"
https_swap_cert kc.test || tap_notok "certificate restored"
cp "$T/otherca.crt" "$T/ca.crt.other"
cp "$T/ca.crt" "$T/ca.crt.good"
cp "$T/ca.crt.other" "$T/ca.crt"
bad_refresh "certificate no longer from the configured CA" "(certificate|SSL)"
cp "$T/ca.crt.good" "$T/ca.crt"
https_stop
bad_refresh "server down" "refresh failed, the cached keys are kept: .*(Connection refused|connect|Couldn't)"
ns_wait_log "$LOG" "event=key-refresh result=error account=deploy credential=$ID " || true
expect_match "audit: refresh error logged" "event=key-refresh result=error account=deploy credential=$ID detail=.*connect" \
	"$(grep 'event=key-refresh result=error' "$LOG" | tail -1)"
https_start || tap_notok "nginx started again"
run S --json key refresh
expect_match "server back: refresh --json" '"result": "ok"' "$OUT"

# ------------------------------------------------------------ the cache
chmod 666 "$T/state/jwks/$ID.jwks"
login "group/world-writable cache refused" auth=PAM_AUTHINFO_UNAVAIL jwks_unavailable kc2 "$K2"
expect_rc "svcacct check reports the unusable cached set" 1 \
	"credential $ID of 'deploy': its JWKS URL has no usable cached set \(unsafe\): its logins fail until svcacct key refresh deploy succeeds" \
	S check
chmod 600 "$T/state/jwks/$ID.jwks"
cp "$T/state/jwks/$ID.jwks" "$T/cache.good"
sed -i "s|\"account\": \"deploy\"|\"account\": \"other\"|" "$T/state/jwks/$ID.jwks"
login "a cache that names another account is never used" auth=PAM_AUTHINFO_UNAVAIL jwks_unavailable kc2 "$K2"
/usr/bin/python3 - "$T/cache.good" "$T/state/jwks/$ID.jwks" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["keys"] = []
json.dump(d, open(sys.argv[2], "w"))
PY
login "a cached set with no key logs in nothing" auth=PAM_AUTH_ERR unknown_kid kc2 "$K2"
cp "$T/cache.good" "$T/state/jwks/$ID.jwks"
login "the cache restored: logins again" auth=PAM_SUCCESS ok kc2 "$K2"

# ------------------------------------------------------------ revocation
# kc3's public key registered as a key of its own and removed: its
# fingerprint is revoked, wherever the key comes from afterwards
openssl rsa -in "$T/kc3.key" -pubout 2>/dev/null >"$T/kc3.pub"
S key add other --pem "$T/kc3.pub" --kid kc3static --alg RS256 >/dev/null
ok_cmd "a registered key removed (its fingerprint revoked)" S key remove other kc3static
kc_jwks "$T/www/certs" "kc2:$K2" "kc3:$K3"
ok_cmd "the URL serves that key too: refresh" S key refresh deploy
login "revoked key fingerprint served by the URL: refused" auth=PAM_AUTH_ERR revoked kc3 "$K3"
login "... the other key of the set still logs in" auth=PAM_SUCCESS ok kc2 "$K2"

# ------------------------------------------------------------ export, import, apply
run S export
expect_eq "export carries the JWKS URL (not the cache)" "deploy $URL $T/ca.crt team jwks" \
	"$(printf '%s' "$OUT" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); j=d["jwks"]
print(*[(x["account"], x["jwks_url"], x["ca_file"], x["label"]) for x in j][0])')"
expect_nomatch "... and no key of the set" "$K2" "$OUT"
printf '%s' "$OUT" >"$T/export.json"
run S export --manifest
printf '%s' "$OUT" >"$T/manifest.json"
expect_match "the manifest carries it too" "\"jwks_url\": \"$URL\"" "$OUT"

# ------------------------------------------------------------ removal
cp -p "$T/state/jwks/$ID.jwks" "$T/orphan.jwks"
ok_cmd "key remove ACCOUNT ID removes the JWKS URL" S key remove deploy "$ID"
expect_eq "... and its cache" "" "$(cachefiles)"
login "after removal: the set's keys log in nothing" auth=PAM_AUTH_ERR no_key kc2 "$K2"
expect_rc "refresh of an account without a JWKS URL refused" 1 "account 'deploy' has no JWKS URL" \
	S key refresh deploy
# sets left behind (an account pruned by apply): a refresh of every
# account sweeps those of revoked credentials, and only those
cp -p "$T/orphan.jwks" "$T/state/jwks/$ID.jwks"
cp -p "$T/orphan.jwks" "$T/state/jwks/0123456789abcdef.jwks"
ok_cmd "refresh of every account with none left: exit 0" S key refresh
expect_eq "... and sweeps the set of the removed (revoked) credential only" "0123456789abcdef.jwks" "$(cachefiles)"
rm -f "$T/state/jwks/0123456789abcdef.jwks"
expect_nomatch "key list: the JWKS URL is gone" "JWKS URL" "$(S key list deploy)"

# apply: the manifest brings it back (a new credential, its set fetched)
run S apply "$T/manifest.json"
expect_eq "apply of the manifest: exit 0" 0 "$RC"
expect_match "apply reports the JWKS URL created" "\\+ jwks deploy" "$OUT"
ID2=$(S --json key list deploy | /usr/bin/python3 -c 'import json,sys; print(*[k["id"] for k in json.load(sys.stdin) if k["type"] == "jwks"])')
expect_match "... a new credential" '^[0-9a-f]{16}$' "$ID2"
expect_eq "... its set cached" "$ID2.jwks" "$(cachefiles)"
login "... and logging in" auth=PAM_SUCCESS ok kc2 "$K2"
run S apply "$T/manifest.json"
expect_nomatch "apply again: no change" "jwks deploy" "$OUT"
sed "s|\"label\": \"team jwks\"|\"label\": \"relabelled\"|" "$T/manifest.json" >"$T/manifest2.json"
run S apply "$T/manifest2.json"
expect_match "apply: a new label changes the credential in place" "~ jwks deploy: label \"team jwks\" -> \"relabelled\"" "$OUT"
expect_eq "... same credential" "$ID2" \
	"$(S --json key list deploy | /usr/bin/python3 -c 'import json,sys; print(*[k["id"] for k in json.load(sys.stdin) if k["type"] == "jwks"])')"
/usr/bin/python3 - "$T/manifest.json" "$T/manifest3.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["jwks"][0]["jwks_url"] = "http://kc.test:8080/certs"
json.dump(d, open(sys.argv[2], "w"))
PY
g1=$(gen)
expect_rc "apply: an http:// JWKS URL refused" 1 "only https:// URLs are fetched" S apply "$T/manifest3.json"
expect_eq "... nothing changed" "$g1" "$(gen)"
/usr/bin/python3 - "$T/manifest.json" "$T/manifest4.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["jwks"] = []
json.dump(d, open(sys.argv[2], "w"))
PY
run S apply --prune "$T/manifest4.json"
expect_match "apply --prune without it: removed" "- jwks deploy" "$OUT"
expect_eq "... with its cache" "" "$(cachefiles)"

# import: into an empty store, the URL and its set
mv "$T/db" "$T/db.old"
mv "$T/state" "$T/state.old"
run S import "$T/export.json"
expect_eq "import of the export: exit 0" 0 "$RC"
ID3=$(S --json key list deploy | /usr/bin/python3 -c 'import json,sys; print(*[k["id"] for k in json.load(sys.stdin) if k["type"] == "jwks"])')
expect_match "import: the JWKS URL credential" '^[0-9a-f]{16}$' "$ID3"
expect_eq "import: its set fetched and cached" "$ID3.jwks" "$(cachefiles)"
expect_match "import: key list shows the cached kids" "cached +$K2,$K3" "$(S key list deploy)"
ok_cmd "account delete" S account delete deploy
expect_eq "... removes its JWKS URL's cached set" "" "$(cachefiles)"

# ------------------------------------------------------------ scope
W="widening a credential's scope is not allowed .*: add a new credential"
S role create readers --services sshd --from 127.0.0.0/8,local >/dev/null
S account create scoped --role deployers --role readers >/dev/null
jwks_of() { # ACCOUNT: "ID ROLES FROM" of its JWKS URL credential
	S --json key list "$1" | /usr/bin/python3 -c 'import json,sys
print(*[" ".join([k["id"], ",".join(k["roles"]) or "-", ",".join(k["from"]) or "-"]) for k in json.load(sys.stdin) if k["type"] == "jwks"])'
}
g2=$(gen)
refused_scoped() { # DESC REGEX ARGS...
	local d=$1 re=$2
	shift 2
	expect_rc "scoped add refused: $d" 1 "$re" S key add "$@" --jwks-url "$URL" --ca-file "$T/ca.crt"
}
refused_scoped "an unknown role" "unknown role 'ghost'" scoped --roles deployers,ghost
refused_scoped "a role not granted" "role 'readers' is not granted to account 'other' \\(grant it first" \
	other --roles readers
refused_scoped "a bad role name" "bad role name 'Web!' in the scope" scoped --roles 'Web!'
refused_scoped "a CIDR with host bits" "bad source '127.0.0.1/8': host bits set" scoped --from 127.0.0.1/8
refused_scoped "not a CIDR" "bad source 'example.com'" scoped --from example.com
expect_eq "refused scoped adds changed nothing" "$g2" "$(gen)"
run S key add scoped --jwks-url "$URL" --ca-file "$T/ca.crt" --label scopedset --roles deployers,readers --from 127.0.0.0/8
expect_eq "add --jwks-url --roles --from: exit 0" 0 "$RC"
SID=$(printf '%s' "$OUT" | grep -oE '[0-9a-f]{16}' | head -1)
expect_eq "key list --json: the JWKS URL's scope" "$SID deployers,readers 127.0.0.0/8" "$(jwks_of scoped)"
expect_match "key list: a SCOPE column" "^ID +KID +ALG +STATUS +EXPIRES +LAST USED +SCOPE +LABEL" "$(S key list scoped)"
expect_match "key list: the JWKS URL row shows its scope" \
	"^$SID +\\(JWKS URL\\) +- +active +never +never +deployers,readers from 127.0.0.0/8 +scopedset" "$(S key list scoped)"
SC=(--key "$T/kc2.key" --alg RS256 --kid "$K2" --account scoped)
check "scoped JWKS URL, token without scope: logs in" auth=PAM_SUCCESS ok -s sshd -u scoped -r 127.0.0.1 -p "$(M "${SC[@]}")"
expect_match "... with the credential's roles" "env SVCACCT_ROLES=deployers,readers\$" "$LAST_OUT"
ok_cmd "key set ACCOUNT JWKSID --roles: narrowing" S key set scoped "$SID" --roles deployers
expect_eq "... narrowed in place (same id, sources kept)" "$SID deployers 127.0.0.0/8" "$(jwks_of scoped)"
check "narrowed: token without scope holds only the credential's role" auth=PAM_SUCCESS ok \
	-s sshd -u scoped -r 127.0.0.1 -p "$(M "${SC[@]}")"
expect_match "... SVCACCT_ROLES=deployers" "env SVCACCT_ROLES=deployers\$" "$LAST_OUT"
expect_match "... the audit line names the credential and its scope" \
	"event=auth result=allow account=scoped credential=$SID .*roles=deployers jti=.* scope=deployers\$" \
	"$(grep 'event=auth result=' "$LOG" | tail -1)"
check "token scope 'deployers readers' ∩ credential scope = deployers" auth=PAM_SUCCESS ok \
	-s sshd -u scoped -r 127.0.0.1 -p "$(M "${SC[@]}" --scope "deployers readers")"
expect_match "... SVCACCT_ROLES=deployers" "env SVCACCT_ROLES=deployers\$" "$LAST_OUT"
check "token scope readers, outside the credential's: no_role" auth=PAM_AUTH_ERR no_role \
	-s sshd -u scoped -r 127.0.0.1 -p "$(M "${SC[@]}" --scope readers)"
check "credential --from 127.0.0.0/8, a local login (its role allows local): refused" \
	auth=PAM_AUTH_ERR source_not_allowed -s sshd -u scoped -n -p "$(M "${SC[@]}")"
run S verify scoped --rhost 127.0.0.1 <<<"$(M "${SC[@]}")"
expect_match "svcacct verify reports the credential's scope" \
	"^accepted: account=scoped method=assertion credential=$SID .*roles=deployers scope=deployers" "$OUT"
g3=$(gen)
expect_rc "key set: a role outside the JWKS URL's scope refused" 1 "$W" S key set scoped "$SID" --roles deployers,readers
expect_rc "key set: every granted role (--roles '') refused" 1 "$W" S key set scoped "$SID" --roles ''
expect_rc "key set: a wider network refused" 1 "$W" S key set scoped "$SID" --from 126.0.0.0/7
expect_rc "key set: no sources (--from '') refused" 1 "$W" S key set scoped "$SID" --from ''
expect_eq "refused key sets changed nothing" "$g3 $SID deployers 127.0.0.0/8" "$(gen) $(jwks_of scoped)"

# export, import, apply keep the scope
run S export
printf '%s' "$OUT" >"$T/sexport.json"
expect_eq "export: the JWKS URL's roles by name and its sources" "scoped ['deployers'] ['127.0.0.0/8']" \
	"$(/usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1]))["jwks"][0]
print(j["account"], j["roles"], j["from"])' "$T/sexport.json")"
S export --manifest >"$T/smanifest.json"
run S apply --detailed-exitcode "$T/smanifest.json"
expect_eq "apply of the exported manifest: nothing to change" 0 "$RC"
mani() { # OUT PYTHON: the manifest with its jwks entry j changed
	/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); j=d["jwks"][0]
exec(sys.argv[3]); json.dump(d, open(sys.argv[2], "w"))' "$T/smanifest.json" "$T/$1" "$2"
}
mani relabel.json 'j["label"] = "relabelled"'
run S apply "$T/relabel.json"
expect_match "apply: a new label rewrites the JWKS URL in place" "~ jwks scoped: label \"scopedset\" -> \"relabelled\"" "$OUT"
expect_eq "... the same credential keeps its scope" "$SID deployers 127.0.0.0/8" "$(jwks_of scoped)"
check "... and logins stay narrowed" auth=PAM_AUTH_ERR no_role \
	-s sshd -u scoped -r 127.0.0.1 -p "$(M "${SC[@]}" --scope readers)"
mani narrow.json 'j["label"] = "relabelled"; j["from"] = ["127.0.0.1/32"]'
run S apply "$T/narrow.json"
expect_eq "apply: a manifest narrowing the JWKS URL's sources: exit 0" 0 "$RC"
expect_match "... reported as a change" "~ jwks scoped: from" "$OUT"
expect_eq "... narrowed in place" "$SID deployers 127.0.0.1/32" "$(jwks_of scoped)"
g4=$(gen)
mani wide.json 'j["label"] = "wide"; j["from"] = ["127.0.0.1/32"]; j["roles"] = ["deployers", "readers"]'
expect_rc "apply: a manifest widening the JWKS URL's roles refused" 1 "jwks \\(scoped\\): $W" S apply "$T/wide.json"
mani unscoped.json 'j["label"] = "wide"; del j["roles"]; del j["from"]'
expect_rc "apply: a manifest leaving the scope out (unscoped) refused" 1 "jwks \\(scoped\\): $W" S apply "$T/unscoped.json"
mani ghost.json 'j["roles"] = ["ghost"]'
expect_rc "apply: a scope naming an unknown role refused" 1 "jwks\\[0\\]: unknown role 'ghost'" S apply "$T/ghost.json"
mani notlist.json 'j["from"] = "127.0.0.1/32"'
expect_rc "apply: from that is not a list refused" 1 "jwks\\[0\\]: wrong or missing members" S apply "$T/notlist.json"
expect_eq "refused applies changed nothing" "$g4 $SID deployers 127.0.0.1/32 relabelled" \
	"$(gen) $(jwks_of scoped) $(S --json key list scoped | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["label"])')"

mv "$T/db" "$T/db.scope"
mv "$T/state" "$T/state.scope"
run S import "$T/sexport.json"
expect_eq "import of the export with a scoped JWKS URL: exit 0" 0 "$RC"
expect_match "import: the JWKS URL keeps its roles and sources" "^[0-9a-f]{16} deployers 127.0.0.0/8\$" "$(jwks_of scoped)"
check "import: its logins narrowed" auth=PAM_AUTH_ERR no_role \
	-s sshd -u scoped -r 127.0.0.1 -p "$(M "${SC[@]}" --scope readers)"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["jwks"][0]["roles"] = ["nosuch"]
json.dump(d, open(sys.argv[2], "w"))' "$T/sexport.json" "$T/sghost.json"
rm -rf "$T/db" "$T/state"
expect_rc "import: a JWKS URL scope naming an unknown role refused" 1 "jwks\\[0\\]: unknown role 'nosuch'" \
	S import "$T/sghost.json"
done_testing
