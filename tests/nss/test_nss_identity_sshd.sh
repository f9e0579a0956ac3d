#!/bin/bash
# SPDX-License-Identifier: MIT
# Identity is the UID, through Debian's real sshd: a user of the "files"
# source with a service account's name logs in with his own key and gets
# his own groups, not the account's svcacct and role groups (sshd calls
# initgroups with the name and the user's primary group). The sshd_config
# is the one of docs/howto-sshd.md: its "Match Group svcacct" block must
# not catch him either. The PAM stack is the system's alone (pam_svcacct
# checks identity on its own side): what is tested is what NSS gives.
# The genuine account's groups through sshd: tests/e2e/test_e2e_sshd.sh.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/e2e/lib.sh"
e2e_need_sshd
e2e_start "$@"

PORT=2224
S role create deployers --services sshd --from 127.0.0.1/32 >/dev/null
S account create bot --role deployers >/dev/null
acct_uid=$(id -u bot)
expect_match "the account resolves before the files user exists" "^[0-9]+$" "$acct_uid"

# the files user "bot" (the CLI refuses a name NSS already knows, so he
# comes after the account, as a later LDAP or files user would): the
# lower layer's files are written in place, which the overlay shows
H=$T/home/filesbot
echo "bot:x:1500:1500:files bot:$H:/bin/sh" >>"$T/etc/passwd"
echo "bot:x:1500:" >>"$T/etc/group"
echo "bot:*:19000:0:99999:7:::" >>"$T/etc/shadow"
expect_eq "the name now means the files user" "1500" "$(id -u bot)"
mkdir -p "$H/.ssh"
C=$T/client
mkdir -m 700 "$C"
ssh-keygen -q -t ed25519 -N '' -f "$C/bot_ed25519"
cp "$C/bot_ed25519.pub" "$H/.ssh/authorized_keys"
chown -R 1500:1500 "$H"
chmod 700 "$H" "$H/.ssh"

cat >"$T/etc/pam.d/sshd" <<-'EOF2'
@include common-auth
@include common-account
@include common-session-noninteractive
@include common-password
EOF2
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey"
e2e_sshd_config "$PORT" >"$T/sshd_config"
ok_cmd "sshd -t accepts the configuration" /usr/sbin/sshd -t -f "$T/sshd_config"
e2e_sshd_start || { tap_notok "sshd started"; cat "$T/sshd.log"; done_testing; exit 1; }
tap_ok "sshd started"

# shellcheck disable=SC2086
run env -i PATH=/usr/bin:/bin HOME="$C" ssh -F /dev/null -p "$PORT" \
	-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
	-o ConnectTimeout=5 -o BatchMode=yes -o PreferredAuthentications=publickey \
	-o IdentitiesOnly=yes -i "$C/bot_ed25519" bot@127.0.0.1 /usr/bin/id </dev/null
expect_eq "the files user logs in with his own key (Match Group svcacct does not catch him)" "0" "$RC"
[ "$RC" = 0 ] || tap_diag "$ERR" "$(tail -20 "$T/sshd.log")"
expect_eq "his session: his UID and his groups, none of the account's" \
	"uid=1500(bot) gid=1500(bot) groups=1500(bot)" "$OUT"
done_testing
