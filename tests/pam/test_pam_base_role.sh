#!/bin/bash
# The base role "svcacct" carries services and sources an administrator
# gives it (role set svcacct): every account holds it, and it is in every
# login's effective set, whatever the scope of the token. Through real
# Linux-PAM (the harness) and real glibc NSS (getent, id): the group
# svcacct and its members stay what they were.
. "$top_srcdir/tests/pam/lib.sh"
setup_store
S account create lone >/dev/null
LONE=$(S secret add lone)
K=(--key "$T/k256.key" --alg ES256 --kid k256)
pam_service backup
# role set checks that PAM knows each service: here, by the harness's files
export SVCACCT_TEST_PAM_DIR=$T/pam.d

# what NSS shows before the base role carries anything
G_BEFORE=$(getent group svcacct)
N_BEFORE=$(getent group | grep -c '^svcacct:')
ID_BEFORE=$(id lone; id bot)
expect_match "getent group svcacct: every account a member" '^svcacct:x:80000:([a-z0-9]+,)*lone(,|$)' "$G_BEFORE"
expect_match "id: lone holds the base group" 'groups=.*80000\(svcacct\)' "$ID_BEFORE"

check "account without roles: refused (no base role settings)" acct=PAM_PERM_DENIED service_not_allowed \
	-s backup -u lone -p "$LONE"
check "scoped token (deployers) to cron: refused (no base role settings)" acct=PAM_PERM_DENIED service_not_allowed \
	-s cron -u bot -p "$(M "${K[@]}" --scope deployers)"
run S verify lone --service backup <<<"$LONE"
expect_match "verify: refused the same way" "service_not_allowed" "$OUT$ERR"

S role set svcacct --services backup,cron --from local,192.0.2.0/24 >/dev/null
check "account without roles: the base role allows backup" acct=PAM_SUCCESS ok \
	-s backup -u lone -p "$LONE"
check "... from a source it lists" acct=PAM_SUCCESS ok \
	-s backup -u lone -p "$LONE" -r 192.0.2.7
check "... not from another source" acct=PAM_PERM_DENIED source_not_allowed \
	-s backup -u lone -p "$LONE" -r 198.51.100.7
check "... nor a service it does not list" acct=PAM_PERM_DENIED service_not_allowed \
	-s sshd -u lone -p "$LONE"
check "... nor a bad secret" auth=PAM_AUTH_ERR "" -s backup -u lone -p "${LONE%?}x"
run S verify lone --service backup <<<"$LONE"
expect_match "verify: accepted through the base role" "^accepted: account=lone" "$OUT"
run S verify lone --service backup --rhost 198.51.100.7 <<<"$LONE"
expect_match "verify: the base role's sources count" "source_not_allowed" "$OUT$ERR"
# the scope cannot remove the base role: a token scoped to deployers
# (which does not list cron) still gets the base role's cron
check "scoped token (deployers): the base role's cron allowed" acct=PAM_SUCCESS ok \
	-s cron -u bot -p "$(M "${K[@]}" --scope deployers)"
expect_match "... the effective roles are the scope's" "env SVCACCT_ROLES=deployers\$" "$LAST_OUT"
check "scoped token (svcacct only): the base role's cron allowed" acct=PAM_SUCCESS ok \
	-s cron -u bot -p "$(M "${K[@]}" --scope svcacct)"
check "scoped token (svcacct only): still nothing the base role lacks" acct=PAM_PERM_DENIED service_not_allowed \
	-s su -u bot -p "$(M "${K[@]}" --scope svcacct)"
check "scoped token naming a role not granted: still refused" auth=PAM_AUTH_ERR scope_not_granted \
	-s cron -u bot -p "$(M "${K[@]}" --scope noservice)"
check "another module authenticated (runuser-like, no env): base role applies" acct=PAM_SUCCESS ok \
	-s backup -u lone -A
S account disable lone >/dev/null
check "a disabled account gets nothing from the base role" acct=PAM_PERM_DENIED account_disabled \
	-s backup -u lone -A
S account enable lone >/dev/null

# NSS: the base role's settings are no group, no member
expect_eq "getent group svcacct unchanged" "$G_BEFORE" "$(getent group svcacct)"
expect_eq "one group svcacct in the enumeration" "$N_BEFORE" "$(getent group | grep -c '^svcacct:')"
expect_eq "id of the accounts unchanged" "$ID_BEFORE" "$(id lone; id bot)"
expect_eq "getent group by base_gid: the same group" "$G_BEFORE" "$(getent group 80000)"

S role set svcacct --remove-service backup >/dev/null
check "service removed from the base role: refused again" acct=PAM_PERM_DENIED service_not_allowed \
	-s backup -u lone -p "$LONE"
check "... the other one still allowed" acct=PAM_SUCCESS ok \
	-s cron -u lone -p "$LONE"
S role set svcacct --services '' --from '' >/dev/null
check "base role emptied: cron refused again" acct=PAM_PERM_DENIED service_not_allowed \
	-s cron -u lone -p "$LONE"
S rollback >/dev/null
check "a rollback brings the base role's previous settings back" acct=PAM_SUCCESS ok \
	-s cron -u lone -p "$LONE"

# a damaged base role record: it allows nothing, the other roles still
# work, and check says so
"$top_builddir/tests/store/store_helper" "$T/c.conf" put-raw acc 'bsvcacct' 'SVR\x01junk' >/dev/null
check "a damaged base role record allows nothing" acct=PAM_PERM_DENIED service_not_allowed \
	-s cron -u lone -p "$LONE"
check "... the granted roles still count" acct=PAM_SUCCESS ok -s sshd -u bot -p "$SECRET" -r 127.0.0.1 \
	-E "SSH_AUTH_INFO_0=password"
run S check
expect_match "check reports the damaged base role record" "problem: base role 'svcacct': bad record" "$OUT$ERR"
expect_rc "role show refuses it" 1 "role 'svcacct': bad record" S role show svcacct
done_testing
