#!/bin/bash
# valgrind memcheck over representative harness runs: every path through
# the module (secrets, each assertion alg, parts, each refusal family,
# account, setcred, session, chauthtok, people) must be free of memory
# errors and definite leaks.
. "$top_srcdir/tests/pam/lib.sh"
need valgrind 'command -v valgrind >/dev/null'
setup_store
VG=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
	--show-leak-kinds=definite --track-fds=no)
K=(--key "$T/k256.key" --alg ES256 --kid k256)
vg() { # DESC WANT harness-args...
	local d=$1 want=$2; shift 2
	local out rc
	out=$("${VG[@]}" "$HARNESS" -c "$T/pam.d" "$@" 2>&1); rc=$?
	if [ "$rc" = 0 ] && printf '%s\n' "$out" | grep -qxF -- "$want"; then
		tap_ok "valgrind: $d"
	else
		tap_notok "valgrind: $d"; tap_diag "rc=$rc want $want" "$out"
	fi
}
vg "secret, full session" close=PAM_SUCCESS -s sshd -u bot -r 127.0.0.1 -p "$SECRET"
vg "ES256, scoped, setcred" close=PAM_SUCCESS -s sshd -u bot -r 127.0.0.1 -G 80000,80001,80002 \
	-p "$(M "${K[@]}" --scope deployers)"
vg "ES384" auth=PAM_SUCCESS -s sshd -u bot -n -p "$(M --key "$T/k384.key" --alg ES384 --kid k384)"
vg "RS256 in parts" auth=PAM_SUCCESS -s sshd -u bot -n -k 100 -p "$(M --key "$T/krsa.key" --alg RS256 --kid krsa)"
TOK=$(M "${K[@]}")
vg "first use" auth=PAM_SUCCESS -s sshd -u bot -n -p "$TOK"
vg "replayed" auth=PAM_AUTH_ERR -s sshd -u bot -n -p "$TOK"
vg "wrong secret" auth=PAM_AUTH_ERR -s sshd -u bot -p "${SECRET:0:73}x"
vg "revoked-style unknown id" auth=PAM_AUTH_ERR -s sshd -u bot -p "svcs_0123456789abcdef_${SECRET:22:43}_00000000"
vg "bad signature" auth=PAM_AUTH_ERR -s sshd -u bot -p "$(M --key "$T/other256.key" --kid k256)"
vg "alg none" auth=PAM_AUTH_ERR -s sshd -u bot -p "$(M --none --none-sig AAAA)"
vg "duplicate claims" auth=PAM_AUTH_ERR -s sshd -u bot \
	-p "$(M "${K[@]}" --raw-claims '{"iss":"bot","iss":"bot","sub":"bot","aud":"'"$AUD"'","exp":@EXP@,"iat":@NOW@,"jti":"@JTI@"}')"
vg "wrong claim type" auth=PAM_AUTH_ERR -s sshd -u bot -p "$(M "${K[@]}" --claim 'exp="1"')"
vg "forbidden header" auth=PAM_AUTH_ERR -s sshd -u bot -p "$(M "${K[@]}" --header 'jwk={}')"
vg "expired" auth=PAM_AUTH_ERR -s sshd -u bot -p "$(M "${K[@]}" --exp -100 --iat -150)"
vg "scope not granted" auth=PAM_AUTH_ERR -s sshd -u bot -p "$(M "${K[@]}" --scope admin)"
vg "oversized" auth=PAM_AUTH_ERR -s sshd -u bot -f <(M "${K[@]}" --pad-to 100000)
vg "too many parts" auth=PAM_AUTH_ERR -s sshd -u bot $(for i in $(seq 40); do printf -- '-p a\\ '; done)
vg "account refused (source)" acct=PAM_PERM_DENIED -s sshd -u bot -A -r 192.0.2.1
vg "UI service" acct=PAM_PERM_DENIED -s login -u bot -A
vg "person: auth" auth=PAM_USER_UNKNOWN -s sshd -u alice -p x
vg "chauthtok refused" chauthtok=PAM_PERM_DENIED -s sshd -u bot -x
sed "s|^db_dir.*|db_dir = $T/nodb|" "$T/c.conf" >"$T/m.conf"
printf 'auth required %s conf=%s\n' "$MOD" "$T/m.conf" >"$T/pam.d/missing"
vg "store missing" auth=PAM_AUTHINFO_UNAVAIL -s missing -u bot -n -p x
done_testing
