#!/bin/bash
# SPDX-License-Identifier: MIT
# Assertion and credential checks with the clock at the edges, one second
# either side of each boundary. The module's clock is pinned with the
# fixclock shim (LD_PRELOAD, FIXCLOCK_NOW=T: time() answers T), and the
# tokens are minted with the same T (mint.py --now), so no boundary
# depends on how long a step takes. Defaults: clock_skew 60 s,
# max_assertion_lifetime 300 s. The rules (common/auth/assertion.c):
#   expired        exp + skew < now
#   not_yet_valid  nbf > now + skew
#   iat_future     iat > now + skew
#   lifetime       exp - iat > max_assertion_lifetime, or exp < iat
#   replay entry   kept until exp + skew, the last second the token passes
#   secret expiry  refused from its expiry second on (expires <= now)
. "$top_srcdir/tests/pam/lib.sh"
pam_fixclock
setup_store
E=auth=PAM_AUTH_ERR
OK=auth=PAM_SUCCESS
T0=$(($(date +%s) + 1000))
K=(--key "$T/k256.key" --alg ES256 --kid k256 --now "$T0")

expect_eq "the shim pins the clock" "$T0" \
	"$(FIXCLOCK_NOW=$T0 ASAN_OPTIONS=detect_leaks=0 LD_PRELOAD="${SANRT:+$SANRT }$FIX" date +%s)"

# edges SERVICE: reads rows "DESC|RESULT|REASON|CLAIMS" (each_row) on
# stdin; for each, an assertion minted with the mint.py options CLAIMS
# (seconds from T0), checked at T0 through SERVICE.
edges() {
	local edge_service="$1"
	each_row edge
}
# edge DESC RESULT REASON CLAIMS: one row of edges (its edge_service).
edge() {
	# shellcheck disable=SC2086 # CLAIMS is a list of options
	at $T0 "$1" "$2" "$3" -s "$edge_service" -u bot -n -p "$(M "${K[@]}" $4)"
}

# ---- exp
edges sshd <<EOF
exp = now: accepted|$OK|ok|--exp 0 --iat -10
exp = now - skew: accepted (last second)|$OK|ok|--exp -60 --iat -70
exp = now - skew - 1: expired|$E|expired|--exp -61 --iat -70
EOF
# ---- nbf
edges sshd <<EOF
nbf = now + skew: accepted|$OK|ok|--nbf 60
nbf = now + skew + 1: not yet valid|$E|not_yet_valid|--nbf 61
nbf = exp = now + skew (valid for no time): accepted|$OK|ok|--nbf 60 --exp 60
EOF
# ---- iat
edges sshd <<EOF
iat = now + skew: accepted|$OK|ok|--iat 60 --exp 120
iat = now + skew + 1: in the future|$E|iat_future|--iat 61 --exp 120
EOF
# ---- lifetime
edges sshd <<EOF
exp - iat = max_assertion_lifetime: accepted|$OK|ok|--iat -10 --exp 290
exp - iat = max_assertion_lifetime + 1: refused|$E|lifetime_too_long|--iat -10 --exp 291
exp = iat: accepted|$OK|ok|--iat 0 --exp 0
exp < iat: refused|$E|lifetime_too_long|--iat 0 --exp -1
EOF
# ---- the replay entry outlives the token: no second in which a used
# token passes the claims and its jti is already forgotten
TOK=$(M "${K[@]}" --exp 0 --iat -10)
at $T0 "replay edge: first use at exp" $OK ok -s sshd -u bot -n -p "$TOK"
at $((T0 + 60)) "replay edge: at exp + skew the jti is still known" $E replay -s sshd -u bot -n -p "$TOK"
at $((T0 + 61)) "replay edge: at exp + skew + 1 the token itself is expired" $E expired \
	-s sshd -u bot -n -p "$TOK"

# ---- clock_skew = 0: the edges move to the claims themselves
sed 's/^fail_delay_ms.*/fail_delay_ms = 0\nclock_skew = 0/' "$T/c.conf" >"$T/z.conf"
echo "auth required $MOD conf=$T/z.conf" >"$T/pam.d/noskew"
edges noskew <<EOF
skew 0: exp = now accepted|$OK|ok|--exp 0 --iat -10
skew 0: exp = now - 1 expired|$E|expired|--exp -1 --iat -10
skew 0: nbf = now accepted|$OK|ok|--nbf 0
skew 0: nbf = now + 1 not yet valid|$E|not_yet_valid|--nbf 1
skew 0: iat = now + 1 in the future|$E|iat_future|--iat 1 --exp 10
EOF
# ---- a client secret's expiry second
XS=$(S secret add bot --expires 1h)
XID=${XS:5:16}
XEXP=$(S --json secret list bot | /usr/bin/python3 -c '
import calendar, json, sys, time
for c in json.load(sys.stdin):
    if c["id"] == sys.argv[1]:
        print(calendar.timegm(time.strptime(c["expires"], "%Y-%m-%dT%H:%M:%SZ")))' "$XID")
at $((XEXP - 1)) "secret: the second before its expiry: accepted" $OK ok -s sshd -u bot -n -p "$XS"
at "$XEXP" "secret: at its expiry: refused" $E credential_expired -s sshd -u bot -n -p "$XS"

# ---- a key's expiry second (assertions)
keygen kx P-256
S key add bot --pem "$T/kx.pub" --kid kx --alg ES256 --expires 1h >/dev/null
KEXP=$(S --json key list bot | /usr/bin/python3 -c '
import calendar, json, sys, time
for c in json.load(sys.stdin):
    if c.get("kid") == "kx":
        print(calendar.timegm(time.strptime(c["expires"], "%Y-%m-%dT%H:%M:%SZ")))')
KX=(--key "$T/kx.key" --alg ES256 --kid kx)
at $((KEXP - 1)) "key: the second before its expiry: accepted" $OK ok -s sshd -u bot -n \
	-p "$(M "${KX[@]}" --now $((KEXP - 1)))"
at "$KEXP" "key: at its expiry: refused" $E credential_expired -s sshd -u bot -n \
	-p "$(M "${KX[@]}" --now "$KEXP")"
done_testing
