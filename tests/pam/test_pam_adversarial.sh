#!/bin/bash
# pam_svcacct against hostile credentials: every case asserts both the PAM
# return code (through real Linux-PAM) and the reason in the authpriv log.
# Tokens come from jwcrypto (tests/pam/mint.py), hand-written JSON where
# jwcrypto would not produce the case.
. "$top_srcdir/tests/pam/lib.sh"
setup_store
E=auth=PAM_AUTH_ERR
K256=(--key "$T/k256.key" --alg ES256 --kid k256)

# module_alone SERVICE CONF: a stack SERVICE of the module alone (auth
# required) with the configuration CONF.
module_alone() { echo "auth required $MOD conf=$2" >"$T/pam.d/$1"; }
# falls_through SERVICE CONF: a stack SERVICE where the module (with CONF)
# decides for service accounts and everybody else falls through to
# pam_permit.
falls_through() {
	printf '%s\n' "auth [success=done user_unknown=ignore authinfo_unavail=ignore default=die] $MOD conf=$2" \
		"auth required pam_permit.so" >"$T/pam.d/$1"
}

# a secret with a valid checksum over the given first 65 characters
with_check() { printf '%s_%s' "${1:0:65}" "$(printf '%s' "${1:0:65}" | sha256sum | cut -c1-8)"; }

# ---- client secrets
c=${SECRET:22:1}; [ "$c" = A ] && r=B || r=A
WRONG=$(with_check "${SECRET:0:22}$r${SECRET:23:42}")
check "secret: wrong secret (valid checksum)" $E wrong_secret -s sshd -u bot -p "$WRONG"
last=${SECRET:73:1}; [ "$last" = 0 ] && r=1 || r=0
check "secret: bad checksum" $E bad_checksum -s sshd -u bot -p "${SECRET:0:73}$r"
check "secret: truncated" $E malformed -s sshd -u bot -p "${SECRET:0:60}"
check "secret: unknown credential id" $E unknown_credential -s sshd -u bot \
	-p "$(with_check "svcs_0123456789abcdef_${SECRET:22:43}")"
REV=$(S secret add bot)
S secret revoke bot "${REV:5:16}" >/dev/null
check "secret: revoked" $E revoked -s sshd -u bot -p "$REV"
EXP=$(S secret add bot --expires 1s)
sleep 2
check "secret: expired credential" $E credential_expired -s sshd -u bot -p "$EXP"
check "secret: another account's secret" $E wrong_account -s sshd -u bot -p "$SECRET2"
check "empty credential" $E empty -s sshd -u bot -p ""
check "neither secret nor JWS" $E malformed -s sshd -u bot -p "hunter2"

# ---- algorithms and keys
check "alg none, empty signature" $E malformed -s sshd -u bot -p "$(M --none --kid k256)"
check "alg none with a signature" $E alg_refused -s sshd -u bot -p "$(M --none --none-sig AAAA --kid k256)"
check "HS256 keyed with the public key PEM (alg confusion)" $E alg_refused -s sshd -u bot \
	-p "$(M --hmac-secret-file "$T/k256.pub" --kid k256)"
check "alg in lower case" $E alg_refused -s sshd -u bot \
	-p "$(M --key "$T/k256.key" --kid k256 --raw-header '{"alg":"es256","kid":"k256"}')"
check "alg/kid mismatch (ES256 header, ES384 key)" $E alg_mismatch -s sshd -u bot \
	-p "$(M --key "$T/k256.key" --alg ES256 --kid k384)"
check "wrong curve for the alg (ES384 header, P-256 key)" $E alg_mismatch -s sshd -u bot \
	-p "$(M --key "$T/k256.key" --alg ES384 --kid k256 2>/dev/null || M --raw-header '{"alg":"ES384","kid":"k256"}' --key "$T/k256.key" --alg ES256)"
check "RS256 header on an EC key" $E alg_mismatch -s sshd -u bot \
	-p "$(M --key "$T/krsa.key" --alg RS256 --kid k256)"
check "ES512 token, no such key for the account" $E alg_mismatch -s sshd -u bot \
	-p "$(M --key "$T/k521.key" --alg ES512)"
keygen small 1024
fail_cmd "an RSA key below 2048 bits cannot be registered" S key add bot --pem "$T/small.pub" --alg RS256
check "unknown kid" $E unknown_kid -s sshd -u bot -p "$(M --key "$T/k256.key" --kid nokey)"
check "signed by another key (bad signature)" $E bad_signature -s sshd -u bot \
	-p "$(M --key "$T/other256.key" --kid k256)"
check "tampered payload" $E bad_signature -s sshd -u bot -p "$(M "${K256[@]}" --tamper)"
check "signature segment with extra characters" $E bad_signature -s sshd -u bot \
	-p "$(M "${K256[@]}" --sig-suffix AA)"
check "trailing bytes after the signature" $E malformed -s sshd -u bot \
	-p "$(M "${K256[@]}" --sig-suffix '.AA')"
check "padding '=' in the signature" $E malformed -s sshd -u bot -p "$(M "${K256[@]}" --sig-suffix '=')"
TOK=$(M "${K256[@]}")
check "truncated signature" $E bad_signature -s sshd -u bot -p "${TOK:0:$((${#TOK} - 8))}"
check "truncated to two segments" $E malformed -s sshd -u bot -p "${TOK%.*}"
check "non-base64url characters" $E malformed -s sshd -u bot -p "${TOK/./+.}"
check "over max_credential_length (16385 bytes)" $E too_long -s sshd -u bot \
	-f <(M "${K256[@]}" --pad-to 16385)
check "oversized: 16 MiB token" $E too_long -s sshd -u bot \
	-f <(M "${K256[@]}" --pad-to $((16 * 1024 * 1024)))
check "too many parts" $E too_many_parts -s sshd -u bot $(for i in $(seq 40); do printf -- '-p a\\ '; done)

# ---- JSON
check "duplicate keys in the header" $E bad_header -s sshd -u bot \
	-p "$(M --key "$T/k256.key" --raw-header '{"alg":"ES256","kid":"k256","kid":"k384"}')"
check "header not an object" $E bad_header -s sshd -u bot \
	-p "$(M --none --none-sig AAAA --raw-header '["ES256"]')"
check "duplicate keys in the claims" $E bad_claims -s sshd -u bot \
	-p "$(M "${K256[@]}" --raw-claims '{"iss":"bot","sub":"bot","sub":"root","aud":"'"$AUD"'","exp":@EXP@,"iat":@NOW@,"jti":"@JTI@"}')"
check "exp as a string" $E bad_claim_type -s sshd -u bot -p "$(M "${K256[@]}" --claim 'exp="9999999999"')"
check "iat as a fraction" $E bad_claim_type -s sshd -u bot -p "$(M "${K256[@]}" --claim "iat=$(date +%s).5")"
check "iss as a number" $E bad_claim_type -s sshd -u bot -p "$(M "${K256[@]}" --claim 'iss=7')"
check "jti as an object" $E bad_claim_type -s sshd -u bot -p "$(M "${K256[@]}" --claim 'jti={}')"
check "exp absurdly large" $E bad_claim_type -s sshd -u bot -p "$(M "${K256[@]}" --claim 'exp=99999999999999')"
for h in crit jku x5u jwk x5c; do
	check "forbidden header $h" $E forbidden_header -s sshd -u bot \
		-p "$(M "${K256[@]}" --header "$h=\"x\"")"
done
check "typ other than JWT" $E bad_typ -s sshd -u bot -p "$(M "${K256[@]}" --typ at+jwt)"

# ---- claims
check "missing iss" $E missing_claim -s sshd -u bot -p "$(M "${K256[@]}" --no iss)"
check "wrong iss" $E bad_iss -s sshd -u bot -p "$(M "${K256[@]}" --iss bot2)"
check "missing sub" $E missing_claim -s sshd -u bot -p "$(M "${K256[@]}" --no sub)"
check "wrong sub" $E bad_sub -s sshd -u bot -p "$(M "${K256[@]}" --sub root)"
check "missing aud" $E missing_claim -s sshd -u bot -p "$(M "${K256[@]}" --no aud)"
check "wrong aud (another host)" $E bad_aud -s sshd -u bot -p "$(M "${K256[@]}" --aud svcacct:otherhost)"
check "aud as an array" $E bad_claim_type -s sshd -u bot -p "$(M "${K256[@]}" --aud-list)"
check "missing exp" $E missing_claim -s sshd -u bot -p "$(M "${K256[@]}" --no exp)"
check "missing iat" $E missing_claim -s sshd -u bot -p "$(M "${K256[@]}" --no iat)"
check "expired" $E expired -s sshd -u bot -p "$(M "${K256[@]}" --exp -100 --iat -200)"
check "not yet valid (nbf)" $E not_yet_valid -s sshd -u bot -p "$(M "${K256[@]}" --nbf 300)"
check "lifetime too long" $E lifetime_too_long -s sshd -u bot -p "$(M "${K256[@]}" --exp 400)"
check "iat in the future" $E iat_future -s sshd -u bot -p "$(M "${K256[@]}" --iat 200 --exp 250)"
check "missing jti" $E missing_claim -s sshd -u bot -p "$(M "${K256[@]}" --no jti)"
check "empty jti" $E bad_jti -s sshd -u bot -p "$(M "${K256[@]}" --jti '')"
check "scope asks for an ungranted role" $E scope_not_granted -s sshd -u bot \
	-p "$(M "${K256[@]}" --scope 'deployers admin')"
S account create bot3 >/dev/null
check "assertion for an account without keys" $E no_key -s sshd -u bot3 \
	-p "$(M "${K256[@]}" --account bot3)"

# ---- replay
TOK=$(M "${K256[@]}" --jti replay-1)
check "first use of a jti" auth=PAM_SUCCESS ok -s sshd -u bot -n -p "$TOK"
check "replayed jti" $E replay -s sshd -u bot -n -p "$TOK"
TOK=$(M "${K256[@]}" --jti race-1)
for i in $(seq 16); do H -s sshd -u bot -n -p "$TOK" >"$T/race.$i" 2>&1 & done
wait
expect_eq "jti offered by 16 processes at once: exactly one success" 1 \
	"$(cat "$T"/race.* | grep -c '^auth=PAM_SUCCESS$')"
expect_eq "... and 15 refused" 15 "$(cat "$T"/race.* | grep -c '^auth=PAM_AUTH_ERR$')"
ns_wait_log "$LOG" reason=replay || true
expect_eq "... each logged as replay" 16 "$(grep -c 'reason=replay ' "$LOG")"

# a full quota for one account leaves another untouched
sed 's/^fail_delay_ms.*/fail_delay_ms = 0\nreplay_quota = 3/' "$T/c.conf" >"$T/q.conf"
module_alone quota "$T/q.conf"
O=(--key "$T/other256.key" --alg ES256 --kid k256 --account bot2)
for i in 1 2 3; do H -s quota -u bot2 -n -p "$(M "${O[@]}")" >/dev/null; done
check "replay quota full for bot2" $E replay_quota -s quota -u bot2 -n -p "$(M "${O[@]}")"
check "bot unaffected by bot2's full quota" auth=PAM_SUCCESS ok -s quota -u bot -n -p "$(M "${K256[@]}")"

expect_eq "bot2's replay file stays at its smallest table" 3136 "$(stat -c %s "$T/state/replay/bot2")"

# the cache fails closed when it does not check out
chmod 0644 "$T/state/replay/bot"
check "replay cache readable by others: refused" $E replay_cache_error -s sshd -u bot -n -p "$(M "${K256[@]}")"
chmod 0600 "$T/state/replay/bot"
cp "$T/state/replay/bot" "$T/replay.bak"
printf 'garbage' | dd of="$T/state/replay/bot" bs=1 seek=0 conv=notrunc 2>/dev/null
check "corrupt replay cache: refused (fail closed)" $E replay_cache_error -s sshd -u bot -n -p "$(M "${K256[@]}")"
cp "$T/replay.bak" "$T/state/replay/bot"
check "restored replay cache: accepted again" auth=PAM_SUCCESS ok -s sshd -u bot -n -p "$(M "${K256[@]}")"
check "restored replay cache still knows old jtis" $E replay -s sshd -u bot -n -p "$(M "${K256[@]}" --jti replay-1)"

# ---- account state (auth refuses too, before any jti is consumed)
S account create off --role deployers >/dev/null
OFF=$(S secret add off)
S account disable off >/dev/null
check "disabled account: auth" $E account_disabled -s sshd -u off -p "$OFF"
check "disabled account: account phase" acct=PAM_PERM_DENIED account_disabled -s sshd -u off -A
S account create old --role deployers --expires 2021-01-01 >/dev/null 2>&1 ||
	{ S account create old --role deployers >/dev/null; S account set old --expires 2021-01-01 >/dev/null; }
check "expired account: account phase" acct=PAM_ACCT_EXPIRED account_expired -s sshd -u old -A
check "expired account: auth" $E account_expired -s sshd -u old -p "$(S secret add old 2>/dev/null || echo x)"

# ---- the account phase's policy
S account create ns --role noservice >/dev/null
NS=$(S secret add ns)
check "role without services allows nothing" acct=PAM_PERM_DENIED service_not_allowed -s sshd -u ns -p "$NS" -r 127.0.0.1
check "service no role lists" acct=PAM_PERM_DENIED service_not_allowed -s sshd -u bot2 -p "$SECRET2" -r 127.0.0.1 \
	-E SVCACCT_ROLES=
check "rhost outside every CIDR" acct=PAM_PERM_DENIED source_not_allowed -s sshd -u bot -p "$SECRET" -r 192.0.2.7
check "rhost inside a CIDR" acct=PAM_SUCCESS ok -s cron -u bot -p "$SECRET" -r 10.1.2.3
check "IPv6 rhost inside a CIDR" acct=PAM_SUCCESS ok -s cron -u bot -p "$SECRET" -r 2001:db8::5
check "IPv4-mapped IPv6 rhost" acct=PAM_SUCCESS ok -s cron -u bot -p "$SECRET" -r ::ffff:10.9.9.9
check "rhost a host name (never resolved, not local)" acct=PAM_PERM_DENIED source_not_allowed -s sshd -u bot -p "$SECRET" -r localhost
check "no rhost matches local" acct=PAM_SUCCESS ok -s su -u bot -p "$SECRET"
check "UI service refused even if a role lists it" acct=PAM_PERM_DENIED ui_service -s login -u bot -A
check "UI service refused in auth too, without a prompt" $E ui_service -s login -u bot -p "$SECRET"
expect_nomatch "... no prompt was shown" "^prompt" "$LAST_OUT"
check "forged SVCACCT_ROLES can only narrow" acct=PAM_PERM_DENIED source_not_allowed -s sshd -u bot -A \
	-r 127.0.0.1 -E SVCACCT_ACCOUNT=bot -E SVCACCT_ROLES=readers,admin -E SSH_AUTH_INFO_0=
check "SVCACCT_ROLES for another account is ignored" acct=PAM_SUCCESS ok -s sshd -u bot -A \
	-r 127.0.0.1 -E SVCACCT_ACCOUNT=bot2 -E SVCACCT_ROLES= -E SSH_AUTH_INFO_0=

# ---- people, and the store
check "non-service user: auth USER_UNKNOWN" auth=PAM_USER_UNKNOWN not_service_account -s sshd -u alice -p x
check "non-service user: account phase passes to the next module" acct=PAM_SUCCESS not_service_account -s sshd -u alice -A
cat >"$T/pam.d/acctonly" <<PAM
account  [success=ok ignore=ignore default=bad] $MOD conf=$T/c.conf
account  required pam_permit.so
password [success=ok ignore=ignore default=die] $MOD conf=$T/c.conf
password required pam_permit.so
PAM
check "non-service user: account ignored, stack continues" acct=PAM_SUCCESS not_service_account -s acctonly -u alice -A
falls_through people "$T/c.conf"
check "stack: a person falls through to the next module" auth=PAM_SUCCESS not_service_account -s people -u alice -n -p x
check "stack: a refusal for a service account is final" $E wrong_secret -s people -u bot -n -p "$WRONG"
check "chauthtok: service account refused" chauthtok=PAM_PERM_DENIED service_account_password -s acctonly -u bot -x
expect_match "chauthtok: the message names svcacct" "msg .*managed with svcacct" "$LAST_OUT"
check "chauthtok: people unaffected (IGNORE)" chauthtok=PAM_SUCCESS "" -s acctonly -u alice -x

sed "s|^db_dir.*|db_dir = $T/nodb|" "$T/c.conf" >"$T/m.conf"
module_alone missing "$T/m.conf"
check "store missing: AUTHINFO_UNAVAIL" auth=PAM_AUTHINFO_UNAVAIL store_missing -s missing -u bot -n -p "$SECRET"
falls_through people2 "$T/m.conf"
check "store missing: people still fall through" auth=PAM_SUCCESS store_missing -s people2 -u alice -n -p x
cp -a "$T/db" "$T/dbc"
gen=$(readlink "$T/dbc/current")
chmod u+w "$T/dbc/$gen" 2>/dev/null
# the index the login reads: random bytes
rm -f "$T/dbc/$gen/accounts.idx"
head -c 8192 /dev/urandom >"$T/dbc/$gen/accounts.idx"
chmod 0644 "$T/dbc/$gen/accounts.idx"
sed "s|^db_dir.*|db_dir = $T/dbc|" "$T/c.conf" >"$T/x.conf"
module_alone corrupt "$T/x.conf"
check "store corrupted: AUTHINFO_UNAVAIL" auth=PAM_AUTHINFO_UNAVAIL store_corrupt -s corrupt -u bot -n -p "$SECRET"
# a generation read through GDBM (no index), its file random bytes
cp -a "$T/db" "$T/dbg"
rm -f "$T/dbg/$gen"/*.idx "$T/dbg/$gen/accounts.db"
head -c 8192 /dev/urandom >"$T/dbg/$gen/accounts.db"
chmod 0644 "$T/dbg/$gen/accounts.db"
sed "s|^db_dir.*|db_dir = $T/dbg|" "$T/c.conf" >"$T/g.conf"
module_alone corruptg "$T/g.conf"
check "GDBM file corrupted: AUTHINFO_UNAVAIL" auth=PAM_AUTHINFO_UNAVAIL store_corrupt -s corruptg -u bot -n -p "$SECRET"
module_alone noconf "$T/none.conf"
check "configuration missing: AUTHINFO_UNAVAIL" auth=PAM_AUTHINFO_UNAVAIL config_error -s noconf -u bot -n -p "$SECRET"
if grep -qF -- "${SECRET:22:43}" "$LOG"; then tap_notok "no secret in the log"; else tap_ok "no secret in the log"; fi
expect_eq "every log line in key=value form" "" \
	"$(grep 'svcacct: ' "$LOG" | grep -v 'svcacct: event=[a-z-]* result=[a-z]* ' || true)"
done_testing
