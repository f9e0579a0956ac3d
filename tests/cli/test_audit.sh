#!/bin/bash
# svcacct's audit trail and nscd invalidation, observed from outside: every
# mutation writes one authpriv line in key=value form naming who did it, no
# line ever carries a secret, and a running nscd is told to drop its passwd
# and group caches. Runs inside a private mount namespace (own /dev/log,
# /run and a stand-in nscd), never touching the host's.
. "$top_srcdir/tests/lib/tap.sh"
need_root
need_userns

if [ "${SVCACCT_IN_NS:-}" != 1 ]; then
	SVCACCT_IN_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
. "$top_srcdir/tests/lib/ns.sh"

. "$top_srcdir/tests/lib/scratch.sh"
scratch_store /tmp/svcacct-audit.XXXXXX c.conf
LOG=$T/syslog
ns_private_syslog "$LOG" || { tap_notok "private syslog"; done_testing; exit 0; }

# A stand-in nscd (the real one is not installed) that records its calls,
# visible at /usr/sbin/nscd through an overlay, and a socket file under a
# private /run so that svcacct believes nscd runs.
mkdir -p "$T/sbin"
cat >"$T/sbin/nscd" <<SH
#!/bin/sh
echo "\$*" >>$T/nscd.calls
SH
chmod 755 "$T/sbin/nscd"
mount -t overlay overlay -o "lowerdir=$T/sbin:/usr/sbin" /usr/sbin
mount -t tmpfs tmpfs /run
mkdir -p /run/nscd && touch /run/nscd/socket

S() { "$top_builddir/tools/svcacct" --conf "$T/c.conf" "$@"; }
logline() { ns_wait_log "$LOG" "$1"; grep -E -- "$1" "$LOG" | tail -1; }

S role create deployers >/dev/null
expect_match "role create logged" 'authpriv|<8[0-9]>' "$(logline 'event=role-create')"
expect_match "role create line in key=value form" \
	'svcacct: event=role-create result=ok role=deployers gid=80001 by=root$' \
	"$(logline 'event=role-create')"
S account create bot --role deployers >/dev/null
expect_match "account create logged with uid and by" \
	'svcacct: event=account-create result=ok account=bot uid=70000 by=root$' \
	"$(logline 'event=account-create')"
expect_match "facility is authpriv (priority 85 = authpriv.notice)" '^<85>' \
	"$(logline 'event=account-create')"
SECRET=$(S secret add bot)
ID=${SECRET:5:16}
expect_match "secret add logged with the credential id" \
	"svcacct: event=secret-add result=ok account=bot credential=$ID by=root\$" \
	"$(logline 'event=secret-add')"
if grep -qF -- "${SECRET:22:43}" "$LOG"; then tap_notok "no secret in the log"; else tap_ok "no secret in the log"; fi
SUDO_USER=alice S grant bot deployers >/dev/null
S revoke bot deployers >/dev/null
SUDO_USER=alice S grant bot deployers >/dev/null
expect_match "by= names the sudo user" \
	'event=grant result=ok account=bot roles=deployers by=alice$' "$(logline 'event=grant')"
SUDO_USER=$'mallory\x1b[31m' S revoke bot deployers >/dev/null
expect_match "a SUDO_USER that is not a user name is not logged" \
	'event=revoke result=ok account=bot roles=deployers by=root$' "$(logline 'event=revoke')"
SUDO_USER=alice S grant bot deployers >/dev/null
expect_match "revoke logged" 'event=revoke result=ok account=bot roles=deployers by=root$' \
	"$(logline 'event=revoke')"
S account disable bot >/dev/null
expect_match "disable logged" 'event=account-disable result=ok account=bot uid=70000' "$(logline 'event=account-disable')"
S secret revoke bot "$ID" >/dev/null
expect_match "secret revoke logged" "event=secret-revoke result=ok account=bot credential=$ID" "$(logline 'event=secret-revoke')"
S rollback >/dev/null
expect_match "rollback logged" 'event=rollback result=ok generation=previous new_generation=[0-9]+' "$(logline 'event=rollback')"
S account delete bot >/dev/null
expect_match "delete logged" 'event=account-delete result=ok account=bot uid=70000' "$(logline 'event=account-delete')"
n_before=$(wc -l <"$LOG")
S account create 'Bad Name' >/dev/null 2>&1
S account list >/dev/null
sleep 0.2
expect_eq "refused changes and reads log nothing" "$n_before" "$(wc -l <"$LOG")"

# nscd: told after changes to users and groups, with both caches
calls=$(cat "$T/nscd.calls" 2>/dev/null)
expect_match "nscd asked to drop passwd" '^-i passwd$' "$calls"
expect_match "nscd asked to drop group" '^-i group$' "$calls"
: >"$T/nscd.calls"
S account list >/dev/null
expect_eq "reads do not touch nscd" "" "$(cat "$T/nscd.calls")"
rm -f /run/nscd/socket
S account create bot2 >/dev/null
expect_eq "no nscd socket: nscd not called" "" "$(cat "$T/nscd.calls")"
done_testing
