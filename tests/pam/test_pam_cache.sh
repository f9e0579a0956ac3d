#!/bin/bash
# What pam_svcacct keeps from one login to the next in one process (a
# long-lived PAM application): the parsed configuration, the filter of
# revoked.db, what it knows of the replay and last-used files. Each case
# runs two logins in one harness process with a change made in between
# (pam_harness -B) and asserts that the second login sees the change.
. "$top_srcdir/tests/pam/lib.sh"
setup_store
E=auth=PAM_AUTH_ERR
U=auth=PAM_AUTHINFO_UNAVAIL
K256=(--key "$T/k256.key" --alg ES256 --kid k256)

cp "$T/c.conf" "$T/cc.conf"
echo "auth required $MOD conf=$T/cc.conf" >"$T/pam.d/cache"

# runs DESC WANT REASON HARNESS-ARGS...: logins in one process, one more
# for each -B CMD among the arguments (CMD run before it); the harness's
# auth lines must read WANT (e.g. "auth=PAM_SUCCESS again
# auth=PAM_AUTH_ERR") and, if REASON is not empty, the last login must log
# reason=REASON.
runs() {
	local d=$1 want=$2 reason=$3 before out got="" n
	shift 3
	n=$(($(printf '%s\n' "$want" | grep -o again | wc -l) + 1))
	before=$(wc -l <"$LOG")
	out=$(H "$@" 2>&1)
	if [ -n "$reason" ]; then
		for _ in $(seq 60); do
			got=$(tail -n +"$((before + 1))" "$LOG" | grep -E "event=auth " | sed -n "${n}p" | grep -E -- "reason=$reason( |\$)")
			[ -n "$got" ] && break
			sleep 0.05
		done
	fi
	if [ "$(printf '%s\n' "$out" | grep -E '^(auth=|again$)' | tr '\n' ' ')" = "$want " ] &&
		{ [ -z "$reason" ] || [ -n "$got" ]; } &&
		! printf '%s\n' "$out" | grep -qx 'valgrind=error'; then
		tap_ok "$d"
	else
		tap_notok "$d"
		tap_diag "want: $want reason=$reason" "harness: $out" \
			"log: $(tail -n +"$((before + 1))" "$LOG")"
	fi
}
tok() { M "${K256[@]}"; }
S2="auth=PAM_SUCCESS again auth=PAM_SUCCESS"

# ---- the configuration: parsed once, looked at again at most a second
# later (each change below is followed by a wait of over a second)
runs "config changed in place between logins: re-read" \
	"auth=PAM_SUCCESS again $E" bad_aud \
	-B "echo 'audiences = svcacct:elsewhere' >>'$T/cc.conf'; sleep 1.2" \
	-s cache -u bot -n -p "$(tok)" -p "$(tok)"
runs "config replaced (rename) between logins: re-read" \
	"$E again auth=PAM_SUCCESS" ok \
	-B "cp '$T/c.conf' '$T/cc.new' && mv '$T/cc.new' '$T/cc.conf'; sleep 1.2" \
	-s cache -u bot -n -p "$(tok)" -p "$(tok)"
runs "config made writable by others between logins: refused" \
	"$S2 again $U" config_error \
	-B true -B "chmod 0666 '$T/cc.conf'; sleep 1.2" \
	-s cache -u bot -n -p "$(tok)" -p "$(tok)" -p "$(tok)"
chmod 0644 "$T/cc.conf"
echo 'bogus_key = 1' >>"$T/cc.conf"
runs "config broken: refused; fixed before the next login: accepted" \
	"$U again auth=PAM_SUCCESS" ok \
	-B "cp '$T/c.conf' '$T/cc.conf'; sleep 1.2" \
	-s cache -u bot -n -p "$(tok)" -p "$(tok)"
runs "config removed between logins: refused" \
	"auth=PAM_SUCCESS again $U" config_error \
	-B "rm '$T/cc.conf'; sleep 1.2" \
	-s cache -u bot -n -p "$(tok)" -p "$(tok)"
cp "$T/c.conf" "$T/cc.conf"

# ---- revocations: a revocation made between two logins of one process
# is honoured by the next, also where the store still holds the credential
# (`current` moved back by hand to a generation from before the
# revocation: only revoked.db says no). The process makes its filter of
# revoked.db at its second login (the wait lets the file settle first),
# the change comes before the third.
gen_of() { readlink "$T/db/current"; }
newest() { ln -sfn "$(basename "$(ls -d "$T"/db/gen-* | sort | tail -1)")" "$T/db/current"; }
SV="'$top_builddir/tools/svcacct' --conf '$T/c.conf'"
REV=$(S secret add bot)
G=$(gen_of)
sleep 2.1
runs "secret revoked between logins (store rolled back by hand): refused" \
	"$S2 again $E" revoked \
	-B true -B "$SV secret revoke bot '${REV:5:16}' >/dev/null && ln -sfn '$G' '$T/db/current'" \
	-s cache -u bot -n -p "$REV" -p "$REV" -p "$REV"
newest
KID=$(S key list bot | awk '$2 == "k384" { print $1 }')
G=$(gen_of)
sleep 2.1
K384=(--key "$T/k384.key" --alg ES384 --kid k384)
runs "key removed between logins (store rolled back by hand): refused" \
	"$S2 again $E" revoked \
	-B true -B "$SV key remove bot '$KID' >/dev/null && ln -sfn '$G' '$T/db/current'" \
	-s cache -u bot -n -p "$(M "${K384[@]}")" -p "$(M "${K384[@]}")" -p "$(M "${K384[@]}")"
newest

# an unsafe or missing revoked.db refuses the next login of a process
# that made its filter
RDB=$T/state/revoked.db
cp -p "$RDB" "$T/revoked.bak"
unsafe() { # DESC CMD
	sleep 2.1 # each restore below changed the file's ctime
	runs "revoked.db $1 between logins: refused" "$S2 again $E" revoked \
		-B true -B "$2" -s cache -u bot -n -p "$(tok)" -p "$(tok)" -p "$(tok)"
}
unsafe "readable by others" "chmod 0644 '$RDB'"
chmod 0600 "$RDB"
# a numeric owner ("+N"): chown looks nothing up (the NSS module of the
# sanitizer build cannot load into a system program unwrapped)
unsafe "owned by another user" "chown +4242 '$RDB'"
chown +0 "$RDB"
unsafe "replaced by a symlink" "mv '$RDB' '$T/state/r.db' && ln -s r.db '$RDB'"
rm -f "$RDB" "$T/state/r.db"
cp -p "$T/revoked.bak" "$RDB"
unsafe "removed" "rm '$RDB'"
cp -p "$T/revoked.bak" "$RDB"
sleep 2.1
runs "revoked.db unchanged: every login accepted" "$S2 again auth=PAM_SUCCESS" ok \
	-B true -B true -s cache -u bot -n -p "$(tok)" -p "$(tok)" -p "$(tok)"

# ---- the replay cache: one process, one token twice
T1=$(tok)
runs "the same assertion twice in one process: replay refused" \
	"auth=PAM_SUCCESS again $E" replay \
	-B true -s cache -u bot -n -p "$T1" -p "$T1"

# tables past the size read in one call (up to 128 slots) are probed by
# chunks: 140 live jtis of bot2 grow its table to 512 slots; then every
# one of them is a replay, found through the chunks
/usr/bin/python3 - "$T/other256.key" "$AUD" 140 >"$T/many.tok" <<'PY'
import json, sys, time, uuid
from jwcrypto import jwk
from jwcrypto.jws import JWSCore
key = jwk.JWK.from_pem(open(sys.argv[1], "rb").read())
now = int(time.time())
def s(v): return v.decode() if isinstance(v, bytes) else v
for _ in range(int(sys.argv[3])):
    c = {"iss": "bot2", "sub": "bot2", "aud": sys.argv[2], "iat": now,
         "exp": now + 120, "jti": str(uuid.uuid4())}
    r = JWSCore("ES256", key, json.dumps({"alg": "ES256", "kid": "k256"}),
                json.dumps(c).encode(), algs=["ES256"]).sign()
    print(s(r["protected"]) + "." + s(r["payload"]) + "." + s(r["signature"]))
PY
BENCH=$top_builddir/tests/bench/pam/pambench
expect_match "140 fresh assertions in one process: all accepted" "ok=140 fail=0" \
	"$("$BENCH" count "$T/pam.d" cache bot2 "$T/many.tok")"
expect_eq "... bot2's table grew to 512 slots" $((64 + 512 * 48)) "$(stat -c %s "$T/state/replay/bot2")"
expect_match "the same 140 again: every one a replay" "ok=0 fail=140" \
	"$("$BENCH" count "$T/pam.d" cache bot2 "$T/many.tok")"

done_testing
