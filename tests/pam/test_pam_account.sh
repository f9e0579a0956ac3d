#!/bin/bash
# The account phase when another module authenticated (sshd public keys,
# sudo NOPASSWD): pam_svcacct still enforces state and policy, and hands
# the session what it decided. Plus expiry of a credential between phases.
. "$top_srcdir/tests/pam/lib.sh"
setup_store

check "no auth by us: enabled account, allowed service and source" acct=PAM_SUCCESS ok -s sudo -u bot -A -r 127.0.0.1
expect_match "env account set for the session" "env SVCACCT_ACCOUNT=bot" "$LAST_OUT"
expect_match "env roles = all granted" "env SVCACCT_ROLES=deployers,readers" "$LAST_OUT"
expect_match "... method other" "env SVCACCT_METHOD=other" "$LAST_OUT"

# sshd with a public key: sshd authenticated, and only SSH_AUTH_INFO_0
# (ExposeAuthInfo) says with which key. It must be one of the account's,
# neither revoked nor expired, or the login is refused.
ssh-keygen -q -t ed25519 -N '' -C bot-key -f "$T/sk1" >/dev/null
ssh-keygen -q -t ed25519 -N '' -C bot-key2 -f "$T/sk2" >/dev/null
ssh-keygen -q -t ed25519 -N '' -C stranger -f "$T/sk3" >/dev/null
SK1_ID=$(S --json sshkey add bot --pubkey "$T/sk1.pub" | sed -n 's/.*"id": *"\([0-9a-f]*\)".*/\1/p')
S sshkey add bot --pubkey "$T/sk2.pub" >/dev/null
info() { echo "SSH_AUTH_INFO_0=publickey $(cut -d' ' -f1,2 "$1")"; }
check "sshd public key of the account: allowed" acct=PAM_SUCCESS ok -s sshd -u bot -A -r 127.0.0.1 -E "$(info "$T/sk1.pub")"
expect_match "... method sshkey" "env SVCACCT_METHOD=sshkey" "$LAST_OUT"
expect_match "... the key's credential id" "env SVCACCT_CREDENTIAL=$SK1_ID" "$LAST_OUT"
expect_match "... in the account line too" "event=account result=allow account=bot credential=$SK1_ID .*method=sshkey" "$(grep "event=account" "$LOG" | tail -1)"
check "sshd public key not in the store: refused" acct=PAM_PERM_DENIED unknown_key -s sshd -u bot -A -r 127.0.0.1 -E "$(info "$T/sk3.pub")"
check "sshd public key of another account: refused" acct=PAM_PERM_DENIED unknown_key -s sshd -u bot2 -A -r 127.0.0.1 -E "$(info "$T/sk1.pub")"
check "sshd login we did not authenticate, without SSH_AUTH_INFO_0: refused" acct=PAM_PERM_DENIED no_auth_info -s sshd -u bot -A -r 127.0.0.1
check "sshd: SSH_AUTH_INFO_0 without a public key: refused" acct=PAM_PERM_DENIED not_public_key -s sshd -u bot -A -r 127.0.0.1 -E "SSH_AUTH_INFO_0=keyboard-interactive"
check "sshd: the key on a later line (two methods)" acct=PAM_SUCCESS ok -s sshd -u bot -A -r 127.0.0.1 -E "SSH_AUTH_INFO_0=password
$(info "$T/sk2.pub" | cut -d= -f2-)"
check "sshd: a key followed by more text on its line is not the key" acct=PAM_PERM_DENIED unknown_key -s sshd -u bot -A -r 127.0.0.1 -E "$(info "$T/sk1.pub")x"
S sshkey remove bot "$SK1_ID" >/dev/null
check "sshd: removed key refused" acct=PAM_PERM_DENIED unknown_key -s sshd -u bot -A -r 127.0.0.1 -E "$(info "$T/sk1.pub")"
S rollback >/dev/null
check "sshd: removed key refused after a rollback too" acct=PAM_PERM_DENIED unknown_key -s sshd -u bot -A -r 127.0.0.1 -E "$(info "$T/sk1.pub")"
check "sshd: the other key still works after the rollback" acct=PAM_SUCCESS ok -s sshd -u bot -A -r 127.0.0.1 -E "$(info "$T/sk2.pub")"
check "no auth by us: sudo allowed locally" acct=PAM_SUCCESS ok -s sudo -u bot -A
pam_service sudo-i
check "no auth by us: sudo-i (Debian's sudo -i) not listed by any role" acct=PAM_PERM_DENIED service_not_allowed -s sudo-i -u bot -A
S role set deployers --services sshd,sudo,sudo-i,login,su >/dev/null
check "... allowed once the role lists sudo-i" acct=PAM_SUCCESS ok -s sudo-i -u bot -A
check "no auth by us: remote source outside CIDR" acct=PAM_PERM_DENIED source_not_allowed -s sudo -u bot -A -r 203.0.113.9
check "no auth by us: IPv6 loopback allowed" acct=PAM_SUCCESS ok -s sudo -u bot -A -r ::1
S account disable bot2 >/dev/null
check "no auth by us: disabled account refused" acct=PAM_PERM_DENIED account_disabled -s sudo -u bot2 -A -r 127.0.0.1
S account enable bot2 >/dev/null
check "re-enabled account allowed" acct=PAM_SUCCESS ok -s sudo -u bot2 -A -r 127.0.0.1
S revoke bot deployers >/dev/null
check "a role revoked between logins no longer counts" acct=PAM_PERM_DENIED source_not_allowed -s sshd -u bot -A -r 127.0.0.1 -E "$(info "$T/sk2.pub")"
check "the env from an earlier auth cannot bring it back" acct=PAM_PERM_DENIED source_not_allowed -s sshd -u bot -A -r 127.0.0.1 \
	-E SVCACCT_ACCOUNT=bot -E SVCACCT_ROLES=deployers,readers -E "$(info "$T/sk2.pub")"
check "UI service refused whatever the roles" acct=PAM_PERM_DENIED ui_service -s login -u bot2 -A
cat >>"$T/c.conf" <<CONF
ui_services = custom-dm
CONF
pam_service custom-dm
pam_service login
check "configured UI services replace the defaults (custom-dm refused)" acct=PAM_PERM_DENIED ui_service -s custom-dm -u bot2 -A
cat >>"$T/c.conf" <<CONF
ssh_services = sshd mysshd
CONF
pam_service mysshd
check "a configured ssh service needs the key too (ssh_services)" acct=PAM_PERM_DENIED no_auth_info -s mysshd -u bot2 -A -r 127.0.0.1
check "... and sudo still does not" acct=PAM_SUCCESS ok -s sudo -u bot2 -A -r 127.0.0.1
done_testing
