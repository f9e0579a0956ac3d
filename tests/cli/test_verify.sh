#!/bin/bash
# SPDX-License-Identifier: MIT
# svcacct verify: the module's decision without a login. A good secret and a
# good assertion are accepted and say how; every bad one is refused with the
# module's reason; a check never spends a jti (the same assertion then logs
# in through Linux-PAM), and a used one is reported as a replay, for a
# trusted issuer's token too (with or without a jti). Runs as root (TAP).
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/cli.sh"

cli_need_svcacct setpriv
need jwcrypto '/usr/bin/python3 -c "import jwcrypto" 2>/dev/null'
HARNESS="$top_builddir/tests/pam/pam_harness"
MOD="$top_builddir/pam/.libs/pam_svcacct.so"
need "pam harness and module (built)" '[ -x "$HARNESS" ] && [ -e "$MOD" ]'
cli_enter_nss_ns "$@"

T=$(mktemp -d /tmp/svcacct-verify.XXXXXX)
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
AUD=svcacct:verify-test
cat >"$T/c.conf" <<EOF
db_dir = $T/db
state_dir = $T/state
home_base = $T/home
fail_delay_ms = 0
audiences = $AUD
EOF
chmod 644 "$T/c.conf"
nssns_setup "$T/nss" "$T/c.conf" || { tap_notok "NSS overlay"; done_testing; exit 1; }
sv() { "$SV" --conf "$T/c.conf" "$@"; }
M() { /usr/bin/python3 "$top_srcdir/tests/pam/mint.py" --aud "$AUD" "$@"; }
state() { (cd "$T" && find db state -printf '%p %s %T@\n' | sort | sha256sum); }

sv role create ops --services sshd --from 127.0.0.0/8 >/dev/null
sv role create deploy --services sshd --from 192.0.2.0/24 >/dev/null
sv account create bot --role ops --role deploy >/dev/null
sv account create other --role ops >/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/es.key" 2>/dev/null
openssl pkey -in "$T/es.key" -pubout -out "$T/es.pub" 2>/dev/null
sv key add bot --pem "$T/es.pub" --kid k1 --alg ES256 >/dev/null
SECRET=$(sv secret add bot)
OTHER=$(sv secret add other)

# vfy [ARGS...] < cred: runs verify, sets OUT, ERR, RC
vfy() { run sv verify "$@"; }

vfy bot <<<"$SECRET"
expect_eq "a good secret is accepted" 0 "$RC"
expect_match "it says method, credential and roles" \
	"^accepted: account=bot method=secret credential=[0-9a-f]{16} roles=(svcacct,ops,deploy|[a-z,]+)$" "$OUT"

# the last hex digit of the checksum changed
case "${SECRET:73}" in 0) c=1 ;; *) c=0 ;; esac
vfy bot <<<"${SECRET:0:73}$c"
expect_eq "a secret with a bad checksum is refused" 1 "$RC"
expect_match "reason bad_checksum" "reason=bad_checksum" "$OUT"

vfy bot <<<"$OTHER"
expect_eq "another account's secret is refused" 1 "$RC"
expect_match "reason wrong_account" "reason=wrong_account" "$OUT"

vfy nosuch <<<"$SECRET"
expect_eq "a user that is not a service account is refused" 1 "$RC"
expect_match "reason not_service_account" "reason=not_service_account" "$OUT"

TOK=$(M --key "$T/es.key" --kid k1 --account bot)
before=$(state)
vfy bot <<<"$TOK"
expect_eq "a good assertion is accepted" 0 "$RC"
expect_match "with its jti" "^accepted: account=bot method=assertion .* jti=" "$OUT"
vfy bot <<<"$TOK"
expect_eq "checking twice spends nothing" 0 "$RC"

# the same assertion still logs in once through the real module
mkdir -p "$T/pam.d"
echo "auth required $MOD conf=$T/c.conf" >"$T/pam.d/svc"
echo "account required $MOD conf=$T/c.conf" >>"$T/pam.d/svc"
run "$HARNESS" -c "$T/pam.d" -s svc -u bot -p "$TOK" -n
expect_match "the checked assertion then logs in through Linux-PAM" "auth=PAM_SUCCESS" "$OUT"
vfy bot <<<"$TOK"
expect_eq "once used, verify reports a replay" 1 "$RC"
expect_match "reason replay" "reason=replay" "$OUT"

# a trusted issuer's token: verify reports a spent one as a replay, with or
# without a jti, and a check spends nothing
. "$top_srcdir/tests/issuer/lib.sh"
KC_AUD=$AUD
kc_key kcenc
kc_key kc1
kc_jwks "$T/jwks.json" kc1:kid1
sv issuer add kc --issuer "$KC_ISS" --jwks "$T/jwks.json" --audience "$AUD" \
	--client-claim azp >/dev/null
sv issuer map kc --client deploy-client --account bot >/dev/null
login() { run "$HARNESS" -c "$T/pam.d" -s svc -u bot -p "$1" -n; }
for form in "with jti" "without jti"; do
	case $form in
	"with jti") IT=$(K --key "$T/kc1.key" --kid kid1 --jti "verify-$RANDOM-$$") ;;
	*) IT=$(K --key "$T/kc1.key" --kid kid1 --no jti) ;;
	esac
	vfy bot <<<"$IT"
	expect_eq "issuer token $form: verify accepts it" 0 "$RC"
	expect_match "issuer token $form: method issuer" "^accepted: account=bot method=issuer " "$OUT"
	vfy bot <<<"$IT"
	expect_eq "issuer token $form: checking twice spends nothing" 0 "$RC"
	login "$IT"
	expect_match "issuer token $form: the checked token then logs in" "auth=PAM_SUCCESS" "$OUT"
	vfy bot <<<"$IT"
	expect_eq "issuer token $form: once used, verify refuses it" 1 "$RC"
	expect_match "issuer token $form: reason replay" "method=issuer .*reason=replay" "$OUT"
	login "$IT"
	expect_match "issuer token $form: and the module too" "auth=PAM_AUTH_ERR" "$OUT"
done

run sv --json verify bot <<<"$SECRET"
expect_match "--json says accepted" '"accepted": true' "$OUT"
run sv --json verify bot <<<"garbage"
expect_match "--json says refused with the reason" '"reason": "malformed"' "$OUT"

# policy: with --service (and --rhost) the account phase runs too
vfy bot --service sshd --rhost 127.0.0.1 <<<"$SECRET"
expect_eq "allowed service and source" 0 "$RC"
vfy bot --service sudo <<<"$SECRET"
expect_eq "a service no role allows is refused" 1 "$RC"
expect_match "reason service_not_allowed" "reason=service_not_allowed" "$OUT"
vfy other --service sshd --rhost 192.0.2.1 <<<"$OTHER"
expect_eq "a source outside the role's CIDRs is refused" 1 "$RC"
expect_match "reason source_not_allowed" "reason=source_not_allowed" "$OUT"
vfy bot --service login <<<"$SECRET"
expect_eq "a UI service is refused" 1 "$RC"
expect_match "reason ui_service" "reason=ui_service" "$OUT"
SCOPED=$(M --key "$T/es.key" --kid k1 --account bot --scope deploy)
vfy bot --service sshd --rhost 192.0.2.1 <<<"$SCOPED"
expect_eq "a scope narrows the roles verify evaluates" 0 "$RC"
expect_match "to the scoped role" "roles=deploy" "$OUT"
SCOPED=$(M --key "$T/es.key" --kid k1 --account bot --scope ops)
vfy bot --service sshd --rhost 192.0.2.1 <<<"$SCOPED"
expect_eq "scoped to a role that does not allow the source: refused" 1 "$RC"
expect_match "reason source_not_allowed" "reason=source_not_allowed" "$OUT"

ID=$(sv --json secret list bot | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
sv secret revoke bot "$ID" >/dev/null
vfy bot <<<"$SECRET"
expect_eq "a revoked secret is refused" 1 "$RC"
expect_match "reason revoked" "reason=revoked" "$OUT"

# refusals of the command itself, each changing nothing
before=$(state)
expect_rc "no account name: usage" 2 "usage: .*verify NAME" sv verify </dev/null
expect_rc "a bad account name" 1 "svcacct: " sv verify '../x' </dev/null
head -c 20000 /dev/zero | tr '\0' a >"$T/long"
expect_rc "a credential longer than max_credential_length" 1 \
	"longer than max_credential_length" sv verify bot <"$T/long"
expect_rc "not root: a clear refusal" 1 "only root may read" \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$SV" --conf "$T/c.conf" verify bot <<<"$SECRET"
expect_eq "the refused commands changed nothing" "$before" "$(state)"

# identity is the UID, as the module decides it
sv account create twin --role ops >/dev/null
TWIN=$(sv secret add twin)
vfy twin <<<"$TWIN"
expect_eq "the account's secret is accepted while the name is the account's" 0 "$RC"
nssns_passwd "twin:x:1500:1500:a person:/nonexistent:/bin/sh"
vfy twin <<<"$TWIN"
expect_eq "a files user with the account's name: refused" 1 "$RC"
expect_match "reason identity_mismatch" "reason=identity_mismatch" "$OUT"
done_testing
