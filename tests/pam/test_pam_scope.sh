#!/bin/bash
# Scoped credentials through real Linux-PAM: a secret or assertion key
# added with --roles holds at most those roles (granted ∩ credential scope
# ∩ token scope), and no role left refuses the login (no_role); with
# --from it logs in only from those sources, which narrow the roles'
# sources and never widen them; setcred drops the groups of the roles the
# scope leaves out; the audit line names the scope; svcacct verify
# reports the same roles.
. "$top_srcdir/tests/pam/lib.sh"
setup_store
bot_groups
groups_of() { grep '^groups=' <<<"$LAST_OUT"; }
auth_line() { grep 'event=auth result=' "$LOG" | tail -1; }

# ------------------------------------------------------------ secrets
SD=$(S secret add bot --roles deployers)
check "secret scoped to deployers: login over sshd" setcred=PAM_SUCCESS "ok dropped_groups=1" \
	-s sshd -u bot -r 127.0.0.1 -G "$ALL" -p "$SD"
expect_match "... holds deployers only" "env SVCACCT_ROLES=deployers\$" "$LAST_OUT"
expect_match "... setcred dropped readers' group" "^groups=4242,$BASE,$DEP\$" "$(groups_of)"
expect_match "... the audit line names the scope" \
	"event=auth result=allow account=bot credential=${SD:5:16} .*roles=deployers jti=- scope=deployers\$" "$(auth_line)"
check "secret scoped to deployers: cron (only readers allows it) refused" acct=PAM_PERM_DENIED service_not_allowed \
	-s cron -u bot -r 10.0.0.1 -G "$ALL" -p "$SD"
check "unscoped secret: cron from 10.0.0.1 allowed (the control)" acct=PAM_SUCCESS "" \
	-s cron -u bot -r 10.0.0.1 -p "$SECRET"
expect_nomatch "unscoped secret: no scope= in the audit line" "scope=" "$(auth_line)"

# the scope holds whatever the account is granted later
S role create later --force --services cron --from 10.0.0.0/8 >/dev/null
S grant bot later >/dev/null
check "a role granted after the credential was made stays out of it" acct=PAM_PERM_DENIED service_not_allowed \
	-s cron -u bot -r 10.0.0.1 -p "$SD"
expect_match "... which holds deployers only" "env SVCACCT_ROLES=deployers\$" "$LAST_OUT"
check "... while an unscoped secret gets it" acct=PAM_SUCCESS "" -s cron -u bot -r 10.0.0.1 -p "$SECRET"
expect_match "... with every granted role" "env SVCACCT_ROLES=deployers,readers,later\$" "$LAST_OUT"
S revoke bot later >/dev/null

# the scope's roles revoked from the account: nothing left
S role create extra --services sshd --from 127.0.0.0/8 >/dev/null
S grant bot2 extra >/dev/null
SX=$(S secret add bot2 --roles extra)
check "scoped secret: login while the role is granted" acct=PAM_SUCCESS "" -s sshd -u bot2 -r 127.0.0.1 -p "$SX"
expect_match "... holds extra only" "env SVCACCT_ROLES=extra\$" "$LAST_OUT"
S revoke bot2 extra >/dev/null
check "scoped secret whose roles are no longer granted: no_role" auth=PAM_AUTH_ERR no_role \
	-s sshd -u bot2 -r 127.0.0.1 -p "$SX"
check "... the account's other secret still logs in" auth=PAM_SUCCESS ok -s sshd -u bot2 -r 127.0.0.1 -p "$SECRET2"

# sources
SF=$(S secret add bot --from 10.0.0.0/8)
check "secret --from 10.0.0.0/8: from 127.0.0.1 refused at auth" auth=PAM_AUTH_ERR source_not_allowed \
	-s sshd -u bot -r 127.0.0.1 -p "$SF"
check "secret --from 10.0.0.0/8: local (no rhost) refused" auth=PAM_AUTH_ERR source_not_allowed \
	-s su -u bot -p "$SF"
check "secret --from 10.0.0.0/8: cron from 10.0.0.1 allowed" acct=PAM_SUCCESS "" \
	-s cron -u bot -r 10.0.0.1 -p "$SF"
expect_nomatch "sources alone are no role scope (no scope= logged)" "scope=" "$(auth_line)"
SW=$(S secret add bot --from 192.0.2.0/24)
check "a credential's sources never widen the roles': 192.0.2.1 still refused" acct=PAM_PERM_DENIED source_not_allowed \
	-s sshd -u bot -r 192.0.2.1 -p "$SW"
SB=$(S secret add bot --roles readers --from local,10.0.0.0/8)
check "roles and sources together: readers from 10.0.0.1 over cron" acct=PAM_SUCCESS "" \
	-s cron -u bot -r 10.0.0.1 -p "$SB"
check "roles and sources together: local su refused by the role (readers has no su)" acct=PAM_PERM_DENIED service_not_allowed \
	-s su -u bot -p "$SB"

# narrowing later takes effect on the next login
SN=$(S secret add bot)
S secret set bot "${SN:5:16}" --roles readers >/dev/null
check "secret set --roles readers: the next login holds readers only" setcred=PAM_SUCCESS "ok dropped_groups=1" \
	-s sshd -u bot -r 10.0.0.1 -G "$ALL" -p "$SN"
expect_match "... setcred dropped deployers' group" "^groups=4242,$BASE,$RD\$" "$(groups_of)"

# ------------------------------------------------------------ assertion keys
keygen ks P-256
keygen kf P-256
S key add bot --pem "$T/ks.pub" --kid ks --alg ES256 --roles deployers >/dev/null
S key add bot --pem "$T/kf.pub" --kid kf --alg ES256 --from 10.0.0.0/8 >/dev/null
KS=(--key "$T/ks.key" --alg ES256 --kid ks)
check "key scoped to deployers, token without scope" setcred=PAM_SUCCESS "ok dropped_groups=1" \
	-s sshd -u bot -r 127.0.0.1 -G "$ALL" -p "$(M "${KS[@]}")"
expect_match "... holds deployers only" "env SVCACCT_ROLES=deployers\$" "$LAST_OUT"
expect_match "... groups lack readers" "^groups=4242,$BASE,$DEP\$" "$(groups_of)"
expect_match "... the audit line names the scope" "method=assertion roles=deployers jti=.* scope=deployers\$" "$(auth_line)"
check "token scope 'deployers readers' ∩ key scope = deployers" setcred=PAM_SUCCESS "ok dropped_groups=1" \
	-s sshd -u bot -r 127.0.0.1 -G "$ALL" -p "$(M "${KS[@]}" --scope "deployers readers")"
expect_match "... holds deployers only" "env SVCACCT_ROLES=deployers\$" "$LAST_OUT"
check "token scope readers ∩ key scope deployers is empty: no_role" auth=PAM_AUTH_ERR no_role \
	-s sshd -u bot -r 10.0.0.1 -p "$(M "${KS[@]}" --scope readers)"
check "token scope of the base role only, key scope without it: no_role" auth=PAM_AUTH_ERR no_role \
	-s sshd -u bot -r 127.0.0.1 -p "$(M "${KS[@]}" --scope svcacct)"
check "token scope naming a role not granted: still scope_not_granted" auth=PAM_AUTH_ERR scope_not_granted \
	-s sshd -u bot -r 127.0.0.1 -p "$(M "${KS[@]}" --scope noservice)"
KF=(--key "$T/kf.key" --alg ES256 --kid kf)
check "key --from 10.0.0.0/8: from 127.0.0.1 refused" auth=PAM_AUTH_ERR source_not_allowed \
	-s sshd -u bot -r 127.0.0.1 -p "$(M "${KF[@]}")"
check "key --from 10.0.0.0/8: from 10.0.0.1 allowed" acct=PAM_SUCCESS "" \
	-s sshd -u bot -r 10.0.0.1 -p "$(M "${KF[@]}")"
expect_match "... with every granted role" "env SVCACCT_ROLES=deployers,readers\$" "$LAST_OUT"

# ------------------------------------------------------------ svcacct verify
run S verify bot <<<"$SD"
expect_eq "verify: scoped secret accepted" 0 "$RC"
expect_match "verify reports the roles after the scope" "roles=deployers scope=deployers" "$OUT"
run S verify bot --service cron --rhost 10.0.0.1 <<<"$SD"
expect_match "verify: a service outside the scope refused" "refused: .*reason=service_not_allowed" "$OUT"
run S verify bot --rhost 127.0.0.1 <<<"$SF"
expect_match "verify: a source outside the credential's refused" "refused: .*reason=source_not_allowed" "$OUT"
run S --json verify bot <<<"$SD"
expect_match "verify --json: the scope" '"scope": "deployers"' "$OUT"
done_testing
