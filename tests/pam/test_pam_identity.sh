#!/bin/bash
# Identity is the UID: pam_svcacct logs a user in only if the system's NSS
# resolves PAM_USER to the account's UID. A user of an earlier source with
# an account's name (a files entry, an LDAP user created later, a hand
# edit) must not be logged in by the account's secret, assertion or key,
# in any phase; the account itself still is.
. "$top_srcdir/tests/pam/lib.sh"
setup_store

# twin: a service account whose name a files user (UID 1500) also has;
# zero: one whose name a files user of UID 0 has. Files come first.
S account create twin --role deployers >/dev/null
S account create zero --role deployers >/dev/null
TWIN_SECRET=$(S secret add twin)
ZERO_SECRET=$(S secret add zero)
S key add twin --pem "$T/k256.pub" --kid k256 --alg ES256 >/dev/null
pam_nss_passwd "twin:x:1500:1500:a person:/nonexistent:/bin/bash"
pam_nss_passwd "zero:x:0:0:another root:/root:/bin/bash"

expect_eq "the files user comes first in NSS" "1500" "$(getent passwd twin | cut -d: -f3)"
expect_match "the genuine account resolves to its UID" '^7[0-9]{4}$' "$(getent passwd bot | cut -d: -f3)"

# the stacks of the documented setup (sudo's, with its flags)
cat >"$T/pam.d/sudo" <<PAM
auth     [success=done user_unknown=ignore authinfo_unavail=ignore default=die] $MOD conf=$T/c.conf
auth     required pam_permit.so
account  [success=ok ignore=ignore default=bad] $MOD conf=$T/c.conf
account  required pam_permit.so
session  [success=ok ignore=ignore default=bad] $MOD conf=$T/c.conf
session  required pam_permit.so
PAM

# -- auth
check "genuine account: secret accepted" auth=PAM_SUCCESS ok -s sshd -u bot -p "$SECRET" -r 127.0.0.1
check "same-named files user: the account's secret refused" auth=PAM_AUTH_ERR identity_mismatch -s sshd -u twin -p "$TWIN_SECRET" -r 127.0.0.1
expect_nomatch "... before any prompt" "msg" "$LAST_OUT"
check "same-named files user: the account's assertion refused" auth=PAM_AUTH_ERR identity_mismatch -s sshd -u twin -r 127.0.0.1 \
	-p "$(M --key "$T/k256.key" --kid k256 --account twin)"
check "same-named UID 0 user: the account's secret refused" auth=PAM_AUTH_ERR identity_mismatch -s sshd -u zero -p "$ZERO_SECRET" -r 127.0.0.1
expect_match "the refusal is logged with the account and the reason" \
	"event=auth result=deny account=zero .*reason=identity_mismatch" "$(grep 'account=zero' "$LOG" | tail -1)"

# -- account (another module authenticated: sudo NOPASSWD, sshd keys)
check "genuine account: account phase allowed" acct=PAM_SUCCESS ok -s sudo -u bot -A
check "same-named files user: account phase refused" acct=PAM_PERM_DENIED identity_mismatch -s sudo -u twin -A
check "same-named UID 0 user: account phase refused" acct=PAM_PERM_DENIED identity_mismatch -s sudo -u zero -A
check "the PAM environment of an earlier auth does not change it" acct=PAM_PERM_DENIED identity_mismatch -s sudo -u twin -A \
	-E SVCACCT_ACCOUNT=twin -E SVCACCT_METHOD=secret -E SVCACCT_CREDENTIAL=0000000000000000 -E SVCACCT_ROLES=deployers

# -- sudo: auth and account for the invoking user, then PAM_USER is the
# target for setcred and session. An administrator's `sudo -u ACCOUNT`
# reaches setcred and session for the account with no authentication by
# this module: they check the identity too.
check "sudo -u bot (by a person): setcred and session for the genuine account" session=PAM_SUCCESS "" -s sudo -u root -A -U bot
check "sudo -u twin (by a person): setcred refused for the same-named user" setcred=PAM_CRED_ERR identity_mismatch -s sudo -u root -A -U twin
check "... and session too" session=PAM_SESSION_ERR identity_mismatch -s sudo -u root -A -U twin
check "sudo by the genuine account to root: auth and account for bot" acct=PAM_SUCCESS ok -s sudo -u bot -p "$SECRET" -U root
expect_match "... setcred and session for root are none of ours" "session=PAM_SUCCESS" "$LAST_OUT"
check "sudo by the same-named user: refused at auth" auth=PAM_AUTH_ERR identity_mismatch -s sudo -u twin -p "$TWIN_SECRET" -U root

# -- password change: the same-named user is not the service account
check "chauthtok of the same-named user: refused as not the account" chauthtok=PAM_AUTHTOK_ERR identity_mismatch -s sshd -u twin -x

# -- a name that resolves nowhere: an account of the store that NSS does
# not serve (nsswitch.conf without svcacct)
# (in place: the overlay shows the lower layer's file itself)
sed 's/ svcacct$//' "$T/nss/etc/nsswitch.conf" >"$T/nsswitch.new"
cat "$T/nsswitch.new" >"$T/nss/etc/nsswitch.conf"
check "an account the system does not resolve: refused" auth=PAM_AUTH_ERR identity_mismatch -s sshd -u bot -p "$SECRET" -r 127.0.0.1
done_testing
