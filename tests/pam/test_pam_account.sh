#!/bin/bash
# The account phase when another module authenticated (sshd public keys,
# sudo NOPASSWD): pam_svcacct still enforces state and policy, and hands
# the session what it decided. Plus expiry of a credential between phases.
. "$top_srcdir/tests/pam/lib.sh"
setup_store

check "no auth by us: enabled account, allowed service and source" acct=PAM_SUCCESS ok -s sshd -u bot -A -r 127.0.0.1
expect_match "env account set for the session" "env SVCACCT_ACCOUNT=bot" "$LAST_OUT"
expect_match "env roles = all granted" "env SVCACCT_ROLES=deployers,readers" "$LAST_OUT"
check "sshd public key (ExposeAuthInfo), key not in the store" acct=PAM_SUCCESS ok -s sshd -u bot -A -r 127.0.0.1 \
	-E "SSH_AUTH_INFO_0=publickey ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEa6kF7Q9kQnh4o0yN8XbTqN3p9mJ6R2Yg5vWcE1sZ1D"
expect_match "... method other, no credential" "env SVCACCT_METHOD=other" "$LAST_OUT"
check "no auth by us: sudo allowed locally" acct=PAM_SUCCESS ok -s sudo -u bot -A
pam_service sudo-i
check "no auth by us: sudo-i (Debian's sudo -i) not listed by any role" acct=PAM_PERM_DENIED service_not_allowed -s sudo-i -u bot -A
S role set deployers --services sshd,sudo,sudo-i,login,su >/dev/null
check "... allowed once the role lists sudo-i" acct=PAM_SUCCESS ok -s sudo-i -u bot -A
check "no auth by us: remote source outside CIDR" acct=PAM_PERM_DENIED source_not_allowed -s sshd -u bot -A -r 203.0.113.9
check "no auth by us: IPv6 loopback allowed" acct=PAM_SUCCESS ok -s sshd -u bot -A -r ::1
S account disable bot2 >/dev/null
check "no auth by us: disabled account refused" acct=PAM_PERM_DENIED account_disabled -s sshd -u bot2 -A -r 127.0.0.1
S account enable bot2 >/dev/null
check "re-enabled account allowed" acct=PAM_SUCCESS ok -s sshd -u bot2 -A -r 127.0.0.1
S revoke bot deployers >/dev/null
check "a role revoked between logins no longer counts" acct=PAM_PERM_DENIED source_not_allowed -s sshd -u bot -A -r 127.0.0.1
check "the env from an earlier auth cannot bring it back" acct=PAM_PERM_DENIED source_not_allowed -s sshd -u bot -A -r 127.0.0.1 \
	-E SVCACCT_ACCOUNT=bot -E SVCACCT_ROLES=deployers,readers
check "UI service refused whatever the roles" acct=PAM_PERM_DENIED ui_service -s login -u bot2 -A
cat >>"$T/c.conf" <<CONF
ui_services = custom-dm
CONF
pam_service custom-dm
pam_service login
check "configured UI services replace the defaults (custom-dm refused)" acct=PAM_PERM_DENIED ui_service -s custom-dm -u bot2 -A
done_testing
