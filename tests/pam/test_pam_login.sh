#!/bin/bash
# pam_svcacct through real Linux-PAM: successful logins with a client
# secret, ES256/ES384/RS256 assertions minted by jwcrypto, credentials in
# parts, the PAM environment handed from auth to session, pamtester, and
# the audit records of the session.
. "$top_srcdir/tests/pam/lib.sh"
setup_store

check "secret: auth succeeds" auth=PAM_SUCCESS "ok" -s sshd -u bot -p "$SECRET" -r 127.0.0.1
expect_match "secret: account, setcred and session succeed" \
	$'acct=PAM_SUCCESS\nsetcred=PAM_SUCCESS\nsession=PAM_SUCCESS\nclose=PAM_SUCCESS' "$LAST_OUT"
expect_match "secret: env names account, credential, method, roles" \
	"env SVCACCT_ACCOUNT=bot" "$LAST_OUT"
expect_match "secret: env credential id" "env SVCACCT_CREDENTIAL=${SECRET:5:16}" "$LAST_OUT"
expect_match "secret: env method" "env SVCACCT_METHOD=secret" "$LAST_OUT"
expect_match "secret: env roles = granted" "env SVCACCT_ROLES=deployers,readers" "$LAST_OUT"
expect_match "prompt names the audience" "prompt svcacct credential for $AUD: " "$LAST_OUT"
line=$(grep 'event=auth result=allow' "$LOG" | tail -1)
expect_match "allow line in key=value form" \
	"svcacct: event=auth result=allow account=bot credential=${SECRET:5:16} service=sshd rhost=127.0.0.1 reason=ok method=secret roles=deployers,readers jti=-\$" "$line"
expect_match "authpriv facility" '^<8[0-9]>' "$line"
ns_wait_log "$LOG" 'event=session-open' || true
expect_match "session-open audit record" \
	"event=session-open result=ok account=bot credential=${SECRET:5:16} method=secret service=sshd rhost=127.0.0.1 tty=- roles=deployers,readers jti=-" \
	"$(grep 'event=session-open' "$LOG" | tail -1)"
ns_wait_log "$LOG" 'event=session-close' || true
expect_match "session-close audit record" "event=session-close result=ok account=bot" \
	"$(grep 'event=session-close' "$LOG" | tail -1)"
if grep -qF -- "${SECRET:22:43}" "$LOG"; then tap_notok "no secret in the log"; else tap_ok "no secret in the log"; fi
expect_eq "last used recorded" yes "$(grep -q "${SECRET:5:16}" "$T/state/lastused/bot" && echo yes)"

TOK=$(M --key "$T/k256.key" --alg ES256 --kid k256 --jti es256-ok)
check "ES256 assertion (jwcrypto) accepted" auth=PAM_SUCCESS "ok" -s sshd -u bot -p "$TOK" -r 127.0.0.1
expect_match "assertion: env method and jti" $'env SVCACCT_METHOD=assertion' "$LAST_OUT"
expect_match "assertion: env jti" 'env SVCACCT_JTI=es256-ok' "$LAST_OUT"
if grep -qF -- "${TOK##*.}" "$LOG"; then tap_notok "no token in the log"; else tap_ok "no token in the log"; fi
check "ES384 assertion accepted" auth=PAM_SUCCESS "ok" -s sshd -u bot -r ::1 \
	-p "$(M --key "$T/k384.key" --alg ES384 --kid k384)"
check "RS256 (2048) assertion accepted" auth=PAM_SUCCESS "ok" -s sshd -u bot -r 127.0.0.1 \
	-p "$(M --key "$T/krsa.key" --alg RS256 --kid krsa)"
S key add bot --pem "$T/k521.pub" --kid k521 --alg ES512 >/dev/null
check "ES512 (P-521) assertion accepted" auth=PAM_SUCCESS "ok" -s sshd -u bot -n \
	-p "$(M --key "$T/k521.key" --alg ES512 --kid k521)"
keygen kpss 3072
S key add bot --pem "$T/kpss.pub" --kid kpss --alg PS256 >/dev/null
check "PS256 (RSA 3072) assertion accepted" auth=PAM_SUCCESS "ok" -s sshd -u bot -n \
	-p "$(M --key "$T/kpss.key" --alg PS256 --kid kpss)"
check "RS256 signature on a key registered for PS256 refused" auth=PAM_AUTH_ERR "alg_mismatch" -s sshd -u bot -n \
	-p "$(M --key "$T/kpss.key" --alg RS256 --kid kpss)"
check "assertion without kid: key chosen by alg among the account's" auth=PAM_SUCCESS "ok" \
	-s sshd -u bot -p "$(M --key "$T/k256.key" --alg ES256)"
check "typ JWT accepted" auth=PAM_SUCCESS "ok" -s sshd -u bot \
	-p "$(M --key "$T/k256.key" --alg ES256 --kid k256 --typ JWT)"
check "nbf in the past honoured" auth=PAM_SUCCESS "ok" -s sshd -u bot \
	-p "$(M --key "$T/k256.key" --kid k256 --nbf -10)"
check "within clock skew: exp 30 s ago" auth=PAM_SUCCESS "ok" -s sshd -u bot \
	-p "$(M --key "$T/k256.key" --kid k256 --exp -30 --iat -200)"
check "scope narrows the roles" auth=PAM_SUCCESS "ok" -s sshd -u bot -r 127.0.0.1 \
	-p "$(M --key "$T/k256.key" --kid k256 --scope deployers)"
expect_match "scoped: env roles = the scope" "env SVCACCT_ROLES=deployers" "$LAST_OUT"
expect_nomatch "scoped: readers not in roles" "SVCACCT_ROLES=.*readers" "$LAST_OUT"

# parts: the continuation mark '\' joins answers
RTOK=$(M --key "$T/krsa.key" --alg RS256 --kid krsa --claim 'pad="'"$(head -c 1500 /dev/zero | tr '\0' x)"'"')
check "RS256 credential of ${#RTOK} bytes in 511-byte parts (sudo)" auth=PAM_SUCCESS "ok" \
	-s sudo -u bot -f <(printf '%s' "$RTOK") -k 510
expect_match "part prompts are numbered" "prompt svcacct credential \\(part 2\\): " "$LAST_OUT"
check "secret in two parts" auth=PAM_SUCCESS "ok" -s sshd -u bot -p "${SECRET:0:30}\\" -p "${SECRET:30}"
check "ES256 in 1023-byte parts (ssh), one part" auth=PAM_SUCCESS "ok" -s sshd -u bot \
	-f <(M --key "$T/k256.key" --kid k256) -k 1022

# audience option and configured audiences
cat >"$T/pam.d/extra" <<PAM
auth required $MOD conf=$T/c.conf audience=fleet:web
PAM
check "audience= option accepts an extra audience" auth=PAM_SUCCESS "ok" -s extra -u bot -n \
	-p "$(/usr/bin/python3 "$top_srcdir/tests/pam/mint.py" --aud fleet:web --key "$T/k256.key" --kid k256)"
check "the host audience is still accepted with audience=" auth=PAM_SUCCESS "ok" -s extra -u bot -n \
	-p "$(M --key "$T/k256.key" --kid k256)"

# use_first_pass: the token comes from an earlier module (pam_exec cannot
# set it; a stack where the app set PAM_AUTHTOK is not available to the
# harness, so use try_first_pass falling back to the conversation)
cat >"$T/pam.d/tfp" <<PAM
auth required $MOD conf=$T/c.conf try_first_pass
PAM
check "try_first_pass without PAM_AUTHTOK falls back to the prompt" auth=PAM_SUCCESS "ok" \
	-s tfp -u bot -n -p "$SECRET"
cat >"$T/pam.d/ufp" <<PAM
auth required $MOD conf=$T/c.conf use_first_pass
PAM
check "use_first_pass without PAM_AUTHTOK fails" auth=PAM_AUTH_ERR "no_credential" \
	-s ufp -u bot -n -p "$SECRET"
# a real earlier module sets PAM_AUTHTOK: pam_unix prompts even for a user
# it does not know
cat >"$T/pam.d/ufp2" <<PAM
auth optional pam_unix.so
auth required $MOD conf=$T/c.conf use_first_pass
PAM
check "use_first_pass takes PAM_AUTHTOK from an earlier module" auth=PAM_SUCCESS "ok" \
	-s ufp2 -u bot -n -p "$SECRET"
expect_nomatch "... and does not prompt itself" "prompt svcacct" "$LAST_OUT"
sed 's/use_first_pass/try_first_pass/' "$T/pam.d/ufp2" >"$T/pam.d/tfp2"
check "try_first_pass takes PAM_AUTHTOK from an earlier module" auth=PAM_SUCCESS "ok" \
	-s tfp2 -u bot -n -p "$(M --key "$T/k256.key" --kid k256)"
check "use_first_pass: a bad PAM_AUTHTOK is refused, no second prompt" auth=PAM_AUTH_ERR "malformed" \
	-s ufp2 -u bot -n -p "${SECRET:0:73}x" -p "$SECRET"
cat >"$T/pam.d/unk" <<PAM
auth required $MOD conf=$T/c.conf bogus_option
PAM
check "unknown option logged, not fatal" auth=PAM_SUCCESS "unknown_option" -s unk -u bot -n -p "$SECRET"

# pamtester reads the credential from stdin (4095 bytes at most)
if command -v pamtester >/dev/null; then
	# pamtester has no confdir: run it against /etc/pam.d overlaid
	mkdir -p "$T/etc/pam.d"
	cp "$T/pam.d/sshd" "$T/etc/pam.d/sshd"
	mount -t overlay overlay -o "lowerdir=$T/etc:/etc" /etc
	out=$(printf '%s\n' "$SECRET" | pamtester -I rhost=127.0.0.1 sshd bot authenticate acct_mgmt open_session close_session 2>&1)
	expect_match "pamtester: secret login succeeds" "successfully opened a session" "$out"
	out=$(M --key "$T/k256.key" --kid k256 | pamtester sshd bot authenticate 2>&1)
	expect_match "pamtester: ES256 assertion succeeds" "successfully authenticated" "$out"
	out=$(printf 'svcs_nope\n' | pamtester sshd bot authenticate 2>&1)
	expect_match "pamtester: bad credential refused" "Authentication failure" "$out"
	umount /etc
else
	tap_skip "pamtester" "not installed"
fi
done_testing
