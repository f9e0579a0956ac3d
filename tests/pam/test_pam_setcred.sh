#!/bin/bash
# setcred makes scope narrowing real: after a scoped login, the process's
# supplementary groups lack the roles the assertion did not ask for. The
# harness installs the account's groups first (as sshd's initgroups does)
# and prints getgroups() after pam_setcred(PAM_ESTABLISH_CRED).
. "$top_srcdir/tests/pam/lib.sh"
setup_store
bot_groups
K=(--key "$T/k256.key" --alg ES256 --kid k256)

check "scoped login (deployers): setcred succeeds" setcred=PAM_SUCCESS "ok dropped_groups=1" \
	-s sshd -u bot -r 127.0.0.1 -G "$ALL" -p "$(M "${K[@]}" --scope deployers)"
expect_match "groups lack readers, keep the rest" "^groups=4242,$BASE,$DEP\$" "$(grep '^groups=' <<<"$LAST_OUT")"
check "scope = the base role only: no role allows any service" acct=PAM_PERM_DENIED service_not_allowed \
	-s su -u bot -G "$ALL" -p "$(M "${K[@]}" --scope svcacct)"
check "unscoped login keeps every granted role" setcred=PAM_SUCCESS "ok dropped_groups=0" \
	-s sshd -u bot -r 127.0.0.1 -G "$ALL" -p "$(M "${K[@]}")"
expect_match "all groups kept" "^groups=$ALL\$" "$(grep '^groups=' <<<"$LAST_OUT")"
check "secret login keeps every granted role" setcred=PAM_SUCCESS "ok dropped_groups=0" \
	-s sshd -u bot -r 127.0.0.1 -G "$ALL" -p "$SECRET"
expect_match "all groups kept (secret)" "^groups=$ALL\$" "$(grep '^groups=' <<<"$LAST_OUT")"
check "setcred never adds: groups without the role stay without it" setcred=PAM_SUCCESS "" \
	-s sshd -u bot -r 127.0.0.1 -G "4242,$BASE" -p "$SECRET"
expect_match "nothing added" "^groups=4242,$BASE\$" "$(grep '^groups=' <<<"$LAST_OUT")"
check "another module authenticated (no env): all granted roles kept" setcred=PAM_SUCCESS "" \
	-s sudo -u bot -r 127.0.0.1 -A -G "$ALL"
expect_match "all groups kept (-A)" "^groups=$ALL\$" "$(grep '^groups=' <<<"$LAST_OUT")"
expect_match "account phase records method=other for the session" "env SVCACCT_METHOD=other" "$LAST_OUT"
check "env narrowing (forged or not) only removes" setcred=PAM_SUCCESS "" \
	-s cron -u bot -r 10.0.0.1 -A -G "$ALL" -E SVCACCT_ACCOUNT=bot -E SVCACCT_ROLES=readers,ghost
expect_match "deployers dropped, nothing gained" "^groups=4242,$BASE,$RD\$" "$(grep '^groups=' <<<"$LAST_OUT")"
expect_match "session env roles = effective" "env SVCACCT_ROLES=readers\$" "$LAST_OUT"
ns_wait_log "$LOG" 'event=session-open.*roles=readers ' || true
expect_match "session audit record shows the effective roles" \
	"event=session-open result=ok account=bot credential=- method=other service=cron rhost=10.0.0.1 tty=- roles=readers jti=-" \
	"$(grep 'event=session-open' "$LOG" | tail -1)"
# When a connection ends sshd closes the session and deletes the
# credentials; an account disabled during the session is no refusal there
# (deleting grants nothing) and nothing is logged for it.
before=$(wc -l <"$LOG")
check "delete credentials after a disable during the session: success" delcred=PAM_SUCCESS "" \
	-s sshd -u bot -r 127.0.0.1 -p "$SECRET" -D "$top_builddir/tools/svcacct --conf $T/c.conf account disable bot >/dev/null"
expect_match "the session had opened" "^session=PAM_SUCCESS" "$LAST_OUT"
ns_wait_log "$LOG" 'event=account-disable' || true
expect_eq "no refusal logged for the deletion" "" \
	"$(tail -n +"$((before + 1))" "$LOG" | grep 'event=setcred result=deny')"
S account enable bot >/dev/null
# People: sshd's keyboard-interactive logins run auth in another process,
# so pam_setcred has no auth result to replay (-A) and the auth line's own
# action for the module's code applies. With the documented flags, a
# person's setcred must go on to pam_unix (here pam_permit).
cat >"$T/pam.d/people" <<PAM
auth    [success=done user_unknown=ignore authinfo_unavail=ignore default=die] $MOD conf=$T/c.conf
auth    required pam_permit.so
account [success=ok ignore=ignore default=bad] $MOD conf=$T/c.conf
account required pam_permit.so
PAM
check "a person's setcred without a cached auth chain goes on" setcred=PAM_SUCCESS "" \
	-s people -u root -A
check "a person's auth still falls through to the next module" auth=PAM_SUCCESS "" \
	-s people -u root -p whatever
done_testing
