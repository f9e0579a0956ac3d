#!/bin/bash
# SPDX-License-Identifier: MIT
# svcacct secret rotate and key rotate, and the LAST USED column and
# --unused of secret, key and sshkey list.
#
# A rotation is one change: a new credential that copies the old record
# (label, lifetime counted from the rotation), printed as its add verb
# prints it, and the old one set to expire at min(its expiry, now +
# grace). The CLI's clock is pinned with the fixclock shim (LD_PRELOAD,
# FIXCLOCK_NOW=T), so every time is checked to the second without waiting.
# Every refusal is checked for its exit status, a clear message and a
# store left as it was (generations, export, state files). The logins
# that set LAST USED go through Linux-PAM in tests/pam/test_pam_rotate.sh.
# Runs as root (TAP).
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/cli.sh"
. "$top_srcdir/tests/lib/san.sh"

cli_need_svcacct setpriv openssl python3
FIX=$top_builddir/tests/hardening/.libs/libfixclock.so
need "the fixclock shim (built by make check)" '[ -e "$FIX" ]'
cli_cleanup_on_exit

sv() { "$SV" --conf "$CONF" "$@"; }
svn() { setpriv --reuid=65534 --regid=65534 --clear-groups "$SV" --conf "$CONF" "$@"; }
# at NOW ARGS...: svcacct with its wall clock at NOW (in the sanitizer
# build the runtimes come first)
SANRT=$(san_runtime "$SV")
at() {
	local now=$1
	shift
	FIXCLOCK_NOW=$now LD_PRELOAD="${SANRT:+$SANRT }$FIX" "$SV" --conf "$CONF" "$@"
}
gen() { readlink "$T/db/current" | sed 's/^gen-0*//'; }
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
jf() {
	printf '%s' "$1" | python3 -c '
import json, sys
j = json.load(sys.stdin)
r = eval(sys.argv[1])
print(r if isinstance(r, str) else json.dumps(r, sort_keys=True))' "$2" 2>&1
}
# field JSON ID KEY: member KEY of the credential ID in a list's JSON
field() { jf "$1" "[c.get(\"$3\", \"(absent)\") for c in j if c[\"id\"] == \"$2\"][0]"; }
ids() { jf "$1" 'sorted(c["id"] for c in j)'; }
# Everything a refused change could touch.
snap() {
	sv generations 2>&1
	sv export 2>&1
	find "$T/state" -type f -exec md5sum {} + 2>&1 | sort
}
refused() {
	local d="$1" want="$2" re="$3"
	shift 3
	cli_refused_run "$want" "$re" "$@"
	printf '%s' "$OUT$ERR" | grep -Eq 'svcs_[0-9a-f]{16}_' && WHY="${WHY}a secret in the output; "
	cli_verdict "$d" "$@"
}

cli_store_setup rotate
cli_keydir rotate
(
	cd "$KD" || exit 1
	echo "not a key" >junk.pub
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out b256.key
	openssl pkey -in b256.key -pubout -out b256.pub
) >/dev/null 2>&1
expect_eq "test keys" "yes" "$([ -s "$KD/P-256.pub" ] && [ -s "$KD/b256.pub" ] && echo yes)"
sv role create ops --services sshd --from local >/dev/null
sv account create bot --no-home --role ops >/dev/null
sv account create other --no-home >/dev/null
# a fixed time ahead of the real one: no record made at the real time is
# newer than T0
T0=$(($(date +%s) + 1000))
SECRET_RE='^svcs_[0-9a-f]{16}_[A-Za-z0-9_-]{43}_[0-9a-f]{8}$'

# ------------------------------------------------------------------ secret rotate
S1=$(at $T0 secret add bot --label ci --expires 30d)
ID1=${S1:5:16}
SN=$(at $T0 secret add bot --label forever)
IDN=${SN:5:16}
SS=$(at $T0 secret add bot --label short --expires 1h)
IDS=${SS:5:16}
OS=$(at $T0 secret add other)
OID=${OS:5:16}

T1=$((T0 + 100))
G0=$(gen)
run at $T1 secret rotate bot "$ID1"
expect_eq "secret rotate: exit 0, nothing on stderr" "0:" "$RC:$ERR"
expect_match "secret rotate: the new secret alone on stdout, as secret add prints it" "$SECRET_RE" "$OUT"
S2=$OUT
ID2=${S2:5:16}
expect_eq "secret rotate: one change (one generation)" "$((G0 + 1))" "$(gen)"
expect_eq "secret rotate: a new id" "new" "$([ "$ID2" != "$ID1" ] && [ ${#ID2} = 16 ] && echo new)"
J=$(sv --json secret list bot)
expect_eq "new secret: the old one's label" "ci" "$(field "$J" "$ID2" label)"
expect_eq "new secret: created at the rotation" "$(iso $T1)" "$(field "$J" "$ID2" created)"
expect_eq "new secret: the old one's lifetime (30d), counted from the rotation" \
	"$(iso $((T1 + 30 * 86400)))" "$(field "$J" "$ID2" expires)"
expect_eq "old secret: expires when the default grace (24h) ends" "$(iso $((T1 + 86400)))" "$(field "$J" "$ID1" expires)"
expect_eq "old secret: keeps its label and creation" "ci $(iso $T0)" \
	"$(field "$J" "$ID1" label) $(field "$J" "$ID1" created)"
expect_eq "old secret: active during the grace" "active" "$(jf "$(at $((T1 + 86399)) --json secret list bot)" "[c[\"status\"] for c in j if c[\"id\"] == \"$ID1\"][0]")"
expect_eq "old secret: expired when the grace ends" "expired" "$(jf "$(at $((T1 + 86400)) --json secret list bot)" "[c[\"status\"] for c in j if c[\"id\"] == \"$ID1\"][0]")"

T2=$((T0 + 200))
run at $T2 --json secret rotate bot "$IDN" --grace 7d
expect_eq "secret rotate --json: exit 0" 0 "$RC"
IDN2=$(jf "$OUT" 'j["id"]')
expect_eq "secret rotate --json: account, id, secret, replaces, replaced_expires" \
	"bot $IDN2 yes $IDN $(iso $((T2 + 7 * 86400)))" \
	"$(jf "$OUT" 'j["account"]') $(jf "$OUT" 'j["id"]') $(jf "$OUT" '"yes" if j["secret"].startswith("svcs_" + j["id"] + "_") else "no"') $(jf "$OUT" 'j["replaces"]') $(jf "$OUT" 'j["replaced_expires"]')"
expect_eq "secret rotate --json: exactly those members" '["account", "id", "replaced_expires", "replaces", "secret"]' "$(jf "$OUT" 'sorted(j)')"
J=$(sv --json secret list bot)
expect_eq "a secret that never expired: its successor never does either" "never forever" \
	"$(field "$J" "$IDN2" expires) $(field "$J" "$IDN2" label)"
expect_eq "... and the old one expires when the grace (7d) ends" "$(iso $((T2 + 7 * 86400)))" "$(field "$J" "$IDN" expires)"

run at $T1 secret rotate bot "$IDS" --grace 7d
IDS2=${OUT:5:16}
J=$(sv --json secret list bot)
expect_eq "an expiry before the grace ends is kept" "$(iso $((T0 + 3600)))" "$(field "$J" "$IDS" expires)"
expect_eq "... and the successor lives 1h from the rotation" "$(iso $((T1 + 3600)))" "$(field "$J" "$IDS2" expires)"

T3=$((T0 + 300))
run at $T3 secret rotate bot "$ID2" --grace 0
ID3=${OUT:5:16}
expect_eq "--grace 0: exit 0" 0 "$RC"
J=$(at $T3 --json secret list bot)
expect_eq "--grace 0: the old secret expires at once" "$(iso $T3) expired" "$(field "$J" "$ID2" expires) $(field "$J" "$ID2" status)"
expect_eq "--grace 0: the new one is active" "active" "$(field "$J" "$ID3" status)"

# the old one that the first rotation set to expire, rotated again: its
# lifetime is now creation T0 to the grace's end
T4=$((T0 + 400))
run at $T4 secret rotate bot "$ID1" --grace 1h
expect_eq "rotating a secret a rotation set to expire: allowed" 0 "$RC"
ID1B=${OUT:5:16}
J=$(sv --json secret list bot)
expect_eq "... its successor gets its (shortened) lifetime" "$(iso $((T4 + T1 + 86400 - T0)))" "$(field "$J" "$ID1B" expires)"
expect_eq "... and it expires when the new grace ends" "$(iso $((T4 + 3600)))" "$(field "$J" "$ID1" expires)"

refused "secret rotate: unknown id" 1 "account 'bot' has no secret 'ffffffffffffffff'" sv secret rotate bot ffffffffffffffff
refused "secret rotate: another account's secret" 1 "account 'bot' has no secret '$OID'" sv secret rotate bot "$OID"
expect_eq "... the other account's secret unchanged" "never" "$(field "$(sv --json secret list other)" "$OID" expires)"
refused "secret rotate: unknown account" 1 "no account 'nosuch'" sv secret rotate nosuch "$ID3"
refused "secret rotate: the secret itself instead of its id" 1 "give the credential id" sv secret rotate bot "$S2"
sv secret revoke bot "$IDS2" >/dev/null
refused "secret rotate: a revoked secret" 1 "secret '$IDS2' of account 'bot' was revoked: a revoked credential is not rotated" \
	sv secret rotate bot "$IDS2"
for g in x 24 -1h 1y 1.5h "" 99999999999d; do
	refused "secret rotate: bad --grace '$g'" 1 "bad --grace '$g'" sv secret rotate bot "$ID3" --grace "$g"
done
refused "secret rotate without ID: usage" 2 "usage: svcacct secret rotate" sv secret rotate bot
refused "secret rotate --label (not its option): usage" 2 "does not take it" sv secret rotate bot "$ID3" --label x
refused "secret rotate as nobody" 1 "needs root" svn secret rotate bot "$ID3"

# ------------------------------------------------------------------ key rotate
at $T0 key add bot --pem "$KD/P-256.pub" --kid k1 --label runner --expires 90d >/dev/null
K1=$(jf "$(sv --json key list bot)" '[c["id"] for c in j if c["kid"] == "k1"][0]')
at $T0 key add other --pem "$KD/b256.pub" --kid ok >/dev/null
OK_ID=$(jf "$(sv --json key list other)" '[c["id"] for c in j][0]')
G0=$(gen)
run at $T1 key rotate bot k1 --pem "$KD/P-384.pub" --kid k2 --grace 2h
expect_eq "key rotate (by kid): exit 0" 0 "$RC"
expect_eq "key rotate: one change" "$((G0 + 1))" "$(gen)"
J=$(sv --json key list bot)
K2=$(jf "$J" '[c["id"] for c in j if c["kid"] == "k2"][0]')
expect_eq "key rotate: says which key replaces which, and when the old one stops" \
	"added key $K2 to bot (kid k2, ES384), replacing key $K1, which stops working at $(iso $((T1 + 7200)))" "$OUT"
expect_eq "new key: kid, alg and the old label" "k2 ES384 runner" \
	"$(field "$J" "$K2" kid) $(field "$J" "$K2" alg) $(field "$J" "$K2" label)"
expect_eq "new key: created now, the old lifetime (90d) from now" "$(iso $T1) $(iso $((T1 + 90 * 86400)))" \
	"$(field "$J" "$K2" created) $(field "$J" "$K2" expires)"
expect_eq "old key: expires when the grace (2h) ends, kid and alg kept" "$(iso $((T1 + 7200))) k1 ES256" \
	"$(field "$J" "$K1" expires) $(field "$J" "$K1" kid) $(field "$J" "$K1" alg)"

run at $T2 --json key rotate bot "$K2" --pem "$KD/P-521.pub"
expect_eq "key rotate (by id) --json: exit 0" 0 "$RC"
K3=$(jf "$OUT" 'j["id"]')
TP=$(jf "$OUT" 'j["kid"]')
expect_eq "key rotate --json: members" '["account", "alg", "expires", "id", "kid", "replaced_expires", "replaces"]' "$(jf "$OUT" 'sorted(j)')"
expect_eq "key rotate --json: without --kid the thumbprint, as key add; the default grace" \
	"ES512 43 $K2 $(iso $((T2 + 86400))) $(iso $((T2 + 90 * 86400)))" \
	"$(jf "$OUT" 'j["alg"]') ${#TP} $(jf "$OUT" 'j["replaces"]') $(jf "$OUT" 'j["replaced_expires"]') $(jf "$OUT" 'j["expires"]')"

refused "key rotate: unknown kid" 1 "account 'bot' has no key 'nosuch'" sv key rotate bot nosuch --pem "$KD/b256.pub"
refused "key rotate: another account's key (by id)" 1 "account 'bot' has no key '$OK_ID'" sv key rotate bot "$OK_ID" --pem "$KD/b256.pub"
refused "key rotate: another account's kid" 1 "account 'bot' has no key 'ok'" sv key rotate bot ok --pem "$KD/b256.pub"
refused "key rotate: a secret's id" 1 "account 'bot' has no key '$ID3'" sv key rotate bot "$ID3" --pem "$KD/b256.pub"
refused "secret rotate: a key's id" 1 "account 'bot' has no secret '$K3'" sv secret rotate bot "$K3"
refused "key rotate: a kid the account has (the old key's own)" 1 "account 'bot' already has a key with kid 'k2'" \
	sv key rotate bot "$K3" --pem "$KD/b256.pub" --kid k2
refused "key rotate: malformed key file" 1 "junk.pub: " sv key rotate bot "$K3" --pem "$KD/junk.pub"
refused "key rotate: a private key" 1 "this is a private key" sv key rotate bot "$K3" --pem "$KD/b256.key"
refused "key rotate: a PEM given as --jwk" 1 "b256.pub: " sv key rotate bot "$K3" --jwk "$KD/b256.pub"
refused "key rotate: missing key file" 1 "$KD/none.pub: No such file" sv key rotate bot "$K3" --pem "$KD/none.pub"
refused "key rotate: --alg that does not fit the key" 1 "alg ES384 needs an EC P-384 key" \
	sv key rotate bot "$K3" --pem "$KD/b256.pub" --alg ES384
refused "key rotate: bad --grace" 1 "bad --grace '3x'" sv key rotate bot "$K3" --pem "$KD/b256.pub" --grace 3x
refused "key rotate: empty --kid" 1 "empty --kid" sv key rotate bot "$K3" --pem "$KD/b256.pub" --kid ""
refused "key rotate without a key file: usage" 2 "usage: svcacct key rotate" sv key rotate bot "$K3"
refused "key rotate with --pem and --jwk: usage" 2 "usage: svcacct key rotate" sv key rotate bot "$K3" --pem "$KD/b256.pub" --jwk "$KD/b256.pub"
refused "key rotate --jwks (not its option): usage" 2 "does not take it" sv key rotate bot "$K3" --jwks "$KD/b256.pub"
refused "key rotate as nobody" 1 "needs root" svn key rotate bot "$K3" --pem "$KD/b256.pub"
# revoked key material: k1's P-256 key, removed
sv key remove bot k1 >/dev/null
refused "key rotate: a revoked key" 1 "key 'k1' of account 'bot' was revoked|account 'bot' has no key 'k1'" \
	sv key rotate bot k1 --pem "$KD/b256.pub"
refused "key rotate: revoked key material as the new key" 1 "was revoked; registering revoked key material again needs --allow-revoked-key" \
	sv key rotate bot "$K3" --pem "$KD/P-256.pub" --kid again
run sv key rotate bot "$K3" --pem "$KD/P-256.pub" --kid again --allow-revoked-key
expect_eq "... taken back with --allow-revoked-key" 0 "$RC"
KA=$(jf "$(sv --json key list bot)" '[c["id"] for c in j if c["kid"] == "again"][0]')
refused "key rotate: a revoked id (by id)" 1 "key '$K1' of account 'bot' was revoked" sv key rotate bot "$K1" --pem "$KD/b256.pub"

# ------------------------------------------------------------------ export, import
# the rotated state (old keys expiring, new ones with the old label) moves
# with the keys
EXP=$T/export.json
sv export >"$EXP"
norm='sorted([c["kid"], c["alg"], c["label"], c["status"], c["expires"]] for c in j)'
K_SRC=$(jf "$(sv --json key list bot)" "$norm")
SRC_CONF=$CONF
cli_store_setup rotate-import
sv import "$EXP" >/dev/null
expect_eq "import keeps the rotated keys: kids, labels, expiries to the second" "$K_SRC" "$(jf "$(sv --json key list bot)" "$norm")"
expect_eq "... the key replaced with grace still expires when its grace ends" "$(iso $((T2 + 86400)))" \
	"$(jf "$(sv --json key list bot)" '[c["expires"] for c in j if c["kid"] == "k2"][0]')"
CONF=$SRC_CONF
T=$(dirname "$CONF")

# ------------------------------------------------------------------ LAST USED, --unused
J=$(sv --json secret list bot)
expect_eq "secret list --json: last_used null for a secret never used" "null" "$(jf "$J" "json.dumps([c[\"last_used\"] for c in j if c[\"id\"] == \"$ID3\"][0])")"
L=$(sv secret list bot)
expect_match "secret list: a LAST USED column" "^ID +STATUS +CREATED +EXPIRES +LAST USED +LABEL$" "$(printf '%s\n' "$L" | head -1)"
expect_match "secret list: never used says never" "^$ID3 +active +$(iso $T3) +$(iso $((T3 + 30 * 86400))) +never +ci$" "$L"
expect_match "key list: a LAST USED column" "^ID +KID +ALG +STATUS +EXPIRES +LAST USED +LABEL$" "$(sv key list bot | head -1)"
expect_match "key list: never" "^$KA +again +ES256 +active +.* never +runner$" "$(sv key list bot)"
ssh-keygen -q -t ed25519 -N '' -C laptop -f "$T/ssh" >/dev/null 2>&1
at $T0 sshkey add bot --pubkey "$T/ssh.pub" >/dev/null
SSH_ID=$(jf "$(sv --json sshkey list bot)" 'j[0]["id"]')
expect_match "sshkey list: a LAST USED column" "^ID +TYPE +FINGERPRINT +STATUS +EXPIRES +LAST USED +LABEL$" "$(sv sshkey list bot | head -1)"
expect_eq "sshkey list --json: last_used null" "null" "$(jf "$(sv --json sshkey list bot)" 'json.dumps(j[0]["last_used"])')"

# --unused D: never used counts from creation; created at T0 (the ssh key)
# or later (the rest)
expect_eq "sshkey list --unused 1h, 1s before an hour since creation: none" "[]" \
	"$(ids "$(at $((T0 + 3599)) --json sshkey list bot --unused 1h)")"
expect_eq "sshkey list --unused 1h, an hour since creation: listed" "[\"$SSH_ID\"]" \
	"$(ids "$(at $((T0 + 3600)) --json sshkey list bot --unused 1h)")"
expect_eq "secret list --unused 1h, an hour after T0: only those created at T0" \
	"$(jf "$(sv --json secret list bot)" "sorted(c[\"id\"] for c in j if c[\"created\"] == \"$(iso $T0)\")")" \
	"$(ids "$(at $((T0 + 3600)) --json secret list bot --unused 1h)")"
expect_eq "secret list --unused 1h, an hour after T4: all" "$(ids "$(sv --json secret list bot)")" \
	"$(ids "$(at $((T4 + 3600)) --json secret list bot --unused 1h)")"
expect_match "secret list --unused (text): the header and the rows kept" "^ID .*LAST USED" "$(at $((T0 + 3600)) secret list bot --unused 1h | head -1)"
expect_nomatch "... not the ones used or created since" "^$ID3 " "$(at $((T0 + 3600)) secret list bot --unused 1h)"
expect_eq "key list --unused 90d, a day after: none" "[]" "$(ids "$(at $((T0 + 86400)) --json key list bot --unused 90d)")"
for u in x 0 0h -1d 1y ""; do
	refused "secret list: bad --unused '$u'" 1 "bad --unused '$u'" sv secret list bot --unused "$u"
done
refused "key list: bad --unused" 1 "bad --unused 'soon'" sv key list bot --unused soon
refused "sshkey list: bad --unused" 1 "bad --unused '7'" sv sshkey list bot --unused 7

# unreadable last-use records: --unused refuses rather than call everything
# unused; the plain list says it cannot tell
mkdir -p "$T/state/lastused"
chmod 700 "$T/state/lastused"
echo x >"$T/state/lastused/bot"
chmod 666 "$T/state/lastused/bot"
refused "secret list --unused with an unsafe last-use file: refused" 1 "lastused/bot: .*the last use cannot be told" \
	sv secret list bot --unused 1h
run sv secret list bot
expect_eq "secret list with an unsafe last-use file: still lists, exit 0" 0 "$RC"
expect_match "... a warning naming the file" "warning: .*lastused/bot" "$ERR"
expect_match "... LAST USED unknown: ?" "^$ID3 .* \\? +ci$" "$OUT"
expect_eq "... and no last_used in JSON" "(absent)" "$(field "$(sv --json secret list bot 2>/dev/null)" "$ID3" last_used)"
rm -f "$T/state/lastused/bot"

done_testing
