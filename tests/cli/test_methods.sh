#!/bin/bash
# SPDX-License-Identifier: MIT
# Credential policy of the admin CLI: an account's allowed login methods
# (account create/set --methods, show, list, export/import, apply and
# manifests) and svcacct.conf's max_secret_lifetime and max_key_lifetime
# (secret/key/sshkey add refuse a credential that would outlive them,
# svcacct check reports those that do, config check knows the keys). Every
# refusal is checked three ways: its exit code, a message that says what is
# wrong, and a store left exactly as it was (generations, export, state).
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/cli.sh"

cli_need_svcacct openssl python3 ssh-keygen
cli_cleanup_on_exit

sv() { "$SV" --conf "$CONF" "$@"; }
snap() {
	sv generations 2>&1
	sv export 2>&1
	# a refused import into a fresh store leaves only the lock file
	ls -A "$T/db" 2>/dev/null | grep -vx '.lock'
	find "$T/state" -maxdepth 1 -type f -exec md5sum {} + 2>/dev/null
}
# methods NAME: the account's methods as show --json lists them, sorted
methods() {
	sv --json account show "$1" |
		python3 -c 'import json,sys; print(",".join(sorted(json.load(sys.stdin)["methods"])))'
}
ALL=assertion,issuer,secret,sshkey

cli_store_setup methods
cli_keydir methods
ssh-keygen -q -t ed25519 -N '' -C m -f "$T/sk" >/dev/null

# ------------------------------------------------------------ --methods
ok_cmd "create --methods secret,assertion" sv account create bot --methods secret,assertion --no-home
expect_eq "show --json: the methods" "assertion,secret" "$(methods bot)"
expect_match "show: a methods line" "^methods +secret,assertion$" "$(sv account show bot)"
expect_eq "list --json: the methods" '["secret", "assertion"]' \
	"$(sv --json account list | python3 -c 'import json,sys; print(json.dumps([a for a in json.load(sys.stdin) if a["name"] == "bot"][0]["methods"]))')"
ok_cmd "create without --methods" sv account create plain --no-home
expect_eq "... every method" "$ALL" "$(methods plain)"

cli_refused "create --methods with an unknown method: refused, names the valid ones" 1 \
	"unknown method 'password' .*secret, assertion, issuer, sshkey, or all" \
	sv account create bot3 --methods secret,password --no-home
cli_refused "create --methods '': refused (empty list)" 1 "methods: the list is empty" \
	sv account create bot3 --methods '' --no-home
cli_refused "set --methods with an unknown method: refused" 1 "unknown method 'ssh'" \
	sv account set bot --methods ssh
cli_refused "set --methods '': refused" 1 "the list is empty" sv account set bot --methods ''
cli_refused "set --methods 'secret,': refused (empty entry)" 1 "empty entry" \
	sv account set bot --methods secret,
cli_refused "set --methods all,secret: refused" 1 "'all' stands alone" \
	sv account set bot --methods all,secret
cli_refused "set --methods SECRET (names are lower case): refused" 1 "unknown method 'SECRET'" \
	sv account set bot --methods SECRET
expect_eq "refusals left the methods alone" "assertion,secret" "$(methods bot)"

ok_cmd "set --methods sshkey" sv account set bot --methods sshkey
expect_eq "... replaces the list" "sshkey" "$(methods bot)"
ok_cmd "set --methods all" sv account set bot --methods all
expect_eq "... every method again" "$ALL" "$(methods bot)"
ok_cmd "set --methods naming all four" sv account set bot --methods sshkey,issuer,assertion,secret
expect_eq "... the same as all" "$ALL" "$(methods bot)"
# one policy, one record: naming all four stores what "all" stores
ok_cmd "set --methods issuer,issuer (a repeat is harmless)" sv account set bot --methods issuer,issuer
expect_eq "... issuer" "issuer" "$(methods bot)"
ok_cmd "set --description leaves the methods alone" sv account set bot --description x
expect_eq "... still issuer" "issuer" "$(methods bot)"

# ------------------------------------------------------------ export / import
sv account set bot --methods secret,sshkey >/dev/null
EXP=$(sv export)
expect_eq "export: methods of a restricted account" '["secret", "sshkey"]' \
	"$(printf '%s' "$EXP" | python3 -c 'import json,sys; print(json.dumps([a for a in json.load(sys.stdin)["accounts"] if a["name"] == "bot"][0]["methods"]))')"
# every method: no member, so that an earlier release still reads the export
expect_eq "export: no methods member for an account that allows every method" "absent" \
	"$(printf '%s' "$EXP" | python3 -c 'import json,sys; print([a for a in json.load(sys.stdin)["accounts"] if a["name"] == "plain"][0].get("methods", "absent"))')"
printf '%s' "$EXP" >"$T/export.json"
SRC_T=$T SRC_CONF=$CONF
cli_store_setup methods-import
ok_cmd "import into a fresh store" sv import "$SRC_T/export.json"
expect_eq "import: the restricted methods kept" "secret,sshkey" "$(methods bot)"
expect_eq "import: every method kept" "$ALL" "$(methods plain)"
python3 - "$SRC_T/export.json" "$SRC_T/bad.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
for a in j["accounts"]:
    if a["name"] == "bot":
        a["methods"] = ["secret", "telnet"]
json.dump(j, open(sys.argv[2], "w"))
PY
cli_store_setup methods-import2
cli_refused "import with an unknown method: refused" 1 "accounts\\[[0-9]\\].*unknown method 'telnet'" \
	sv import "$SRC_T/bad.json"
T=$SRC_T CONF=$SRC_CONF

# ------------------------------------------------------------ apply
sv export --manifest >"$T/m.json"
expect_eq "manifest: the methods" '["secret", "sshkey"]' \
	"$(python3 -c 'import json,sys; print(json.dumps([a for a in json.load(open(sys.argv[1]))["accounts"] if a["name"] == "bot"][0]["methods"]))' "$T/m.json")"
run sv apply "$T/m.json"
expect_eq "apply of the store's own manifest changes nothing" "0|" "$RC|$(printf '%s' "$OUT" | grep '^~')"
mf() { # OUT PYTHON: the manifest changed by PYTHON (bot in a)
	python3 - "$T/m.json" "$T/$1" "$2" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
a = [x for x in j["accounts"] if x["name"] == "bot"][0]
exec(sys.argv[3])
json.dump(j, open(sys.argv[2], "w"))
PY
}
mf m2.json 'a["methods"] = ["assertion"]'
run sv apply "$T/m2.json"
expect_eq "apply: a new methods list" 0 "$RC"
expect_match "... reported as a change" "~ account bot: methods secret,sshkey -> assertion" "$OUT"
expect_eq "... and made" "assertion" "$(methods bot)"
mf m3.json 'del a["methods"]'
run sv apply "$T/m3.json"
expect_match "apply: no methods in the manifest means every method" "~ account bot: methods assertion -> secret,assertion,issuer,sshkey" "$OUT"
expect_eq "... made" "$ALL" "$(methods bot)"
sv account set bot --methods secret >/dev/null
mf m4.json 'a["methods"] = ["secret", "kerberos"]'
cli_refused "apply: an unknown method is refused" 1 "unknown method 'kerberos'" sv apply "$T/m4.json"
mf m5.json 'a["methods"] = []'
cli_refused "apply: an empty methods list is refused" 1 "the list is empty" sv apply "$T/m5.json"
mf m6.json 'a["methods"] = "secret"'
cli_refused "apply: methods that is not a list is refused" 1 "methods is not a list" sv apply "$T/m6.json"
mf m7.json 'a["methods"] = ["secret,sshkey"]'
cli_refused "apply: two methods in one entry are refused" 1 "one method per entry" sv apply "$T/m7.json"
mf m8.json 'j["accounts"].append({"name": "newbot", "methods": ["issuer"]})'
run sv apply "$T/m8.json"
expect_eq "apply: a new account with methods" "0|issuer" "$RC|$(methods newbot)"

# ------------------------------------------------------------ lifetimes
# credentials made before a maximum existed, then the maximum set
SOLD=$(sv --json secret add plain | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
SOK=$(sv --json secret add plain --expires 30d | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
sv key add plain --pem "$KD/P-256.pub" --kid old --alg ES256 --expires 400d >/dev/null
sv sshkey add plain --pubkey "$T/sk.pub" --expires 20d >/dev/null
run sv check
expect_eq "check without a maximum: no finding" 0 "$RC"
printf 'max_secret_lifetime = 90d\nmax_key_lifetime = 2592000\n' >>"$CONF"

cli_refused "secret add without --expires under max_secret_lifetime: refused, says the maximum" 1 \
	"secret add: .* sets max_secret_lifetime 90d: give --expires, at most 90d" sv secret add plain
cli_refused "secret add --expires never: refused" 1 "max_secret_lifetime 90d" sv secret add plain --expires never
cli_refused "secret add --expires 91d: refused, says the maximum" 1 \
	"--expires '91d' is beyond max_secret_lifetime 90d .*at most 90d, until " sv secret add plain --expires 91d
cli_refused "secret add --expires a date beyond: refused" 1 "beyond max_secret_lifetime" \
	sv secret add plain --expires 2099-01-01
cli_refused "key add without --expires under max_key_lifetime: refused" 1 \
	"key add: .* sets max_key_lifetime 30d: give --expires" \
	sv key add plain --pem "$KD/P-384.pub" --kid new --alg ES384
cli_refused "key add --expires 31d: refused" 1 "--expires '31d' is beyond max_key_lifetime 30d" \
	sv key add plain --pem "$KD/P-384.pub" --kid new --alg ES384 --expires 31d
ssh-keygen -q -t ed25519 -N '' -C m2 -f "$T/sk2" >/dev/null
cli_refused "sshkey add without --expires: refused (ssh keys are keys)" 1 \
	"sshkey add: .* sets max_key_lifetime 30d" sv sshkey add plain --pubkey "$T/sk2.pub"
cli_refused "sshkey add --expires 5w: refused" 1 "beyond max_key_lifetime 30d" \
	sv sshkey add plain --pubkey "$T/sk2.pub" --expires 5w
ok_cmd "secret add --expires 90d (the maximum) accepted" sv secret add plain --expires 90d
ok_cmd "key add --expires 30d accepted" sv key add plain --pem "$KD/P-384.pub" --kid new --alg ES384 --expires 30d
ok_cmd "sshkey add --expires 29d accepted" sv sshkey add plain --pubkey "$T/sk2.pub" --expires 29d

run sv check
expect_eq "check: credentials beyond the maximum make it fail" 1 "$RC"
expect_match "check: the secret that never expires" \
	"problem: credential $SOLD of 'plain' \\(secret\\): never expires, but max_secret_lifetime is 90d" "$OUT"
expect_match "check: the key that expires too late" \
	"problem: credential [0-9a-f]{16} of 'plain' \\(key\\): expires [0-9T:-]+Z, more than max_key_lifetime 30d after its creation" "$OUT"
expect_eq "check: exactly those two (not the ones within)" 2 "$(printf '%s\n' "$OUT" | grep -c 'lifetime')"
expect_nomatch "check: the secret of 30 days is within" "$SOK" "$OUT"
run sv --json check
expect_match "check --json: in problems" '"credential [0-9a-f]{16} of .plain. \(secret\): never expires' "$OUT"

# a rotation's successor inherits the old lifetime: the same maximum holds
cli_refused "secret rotate of one that never expires: refused, the maximum named" 1 \
	"secret rotate: the new secret would inherit the old one's lifetime \(never expires\), beyond max_secret_lifetime 90d .*--expires \(at most 90d\)" \
	sv secret rotate plain "$SOLD"
cli_refused "key rotate of a 400-day key: refused" 1 \
	"key rotate: the new key would inherit the old one's lifetime \(about 400d\), beyond max_key_lifetime 30d" \
	sv key rotate plain old --pem "$KD/P-521.pub" --kid newer --alg ES512
run sv --json secret rotate plain "$SOK"
expect_eq "secret rotate of a 30-day secret: within the maximum" 0 "$RC"

# ------------------------------------------------------------ config check
cp "$CONF" "$T/c2.conf"
run sv config check "$T/c2.conf"
expect_match "config check: the new keys load" "^ok: " "$OUT"
for bad in "max_secret_lifetime = 90x|is not a duration" "max_secret_lifetime = -1|is not a duration" \
	"max_key_lifetime = 30|out of range 60s..36500d" "max_key_lifetime = 36501d|out of range" \
	"max_key_lifetime = 99999999999999999999|is not a duration" "max_secret_lifetime = 9 d|is not a duration"; do
	printf '%s\n' "${bad%%|*}" >"$T/c3.conf"
	cat "$CONF" "$T/c3.conf" >"$T/c4.conf"
	run sv config check "$T/c4.conf"
	expect_match "config check refuses '${bad%%|*}' with its line" \
		"problem: .*/c4.conf:[0-9]+: ${bad%% =*}: .*${bad#*|}" "$OUT"
done
printf 'max_secret_lifetime = unlimited\nmax_key_lifetime = unlimited\n' >>"$T/c2.conf"
run sv config check "$T/c2.conf"
expect_match "config check: unlimited accepted" "^ok: " "$OUT"
run "$SV" --conf "$T/c2.conf" secret add plain
expect_eq "unlimited: secret add without --expires works again" 0 "$RC"

done_testing
