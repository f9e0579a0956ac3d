#!/bin/bash
# SPDX-License-Identifier: MIT
# Daemons under a service account (docs/howto-daemons.md): runuser and
# setpriv --init-groups give the account's UID, primary group and role
# groups through the built NSS module; a small daemon's files and process
# show the account's name.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/e2e/lib.sh"
e2e_enter "$@"
e2e_setup || { tap_notok "namespace setup"; done_testing; exit 1; }

S role create deployers --services sshd --from local >/dev/null
S role create readers >/dev/null
S account create svc --role deployers --role readers >/dev/null
S account create other >/dev/null
uid=$(id -u svc)
want="uid=$uid(svc) gid=$uid(svc) groups=$uid(svc),$(getent group svcacct | cut -d: -f3)(svcacct),$(getent group deployers | cut -d: -f3)(deployers),$(getent group readers | cut -d: -f3)(readers)"

expect_eq "runuser -u svc -- id: UID, group, role groups" "$want" "$(runuser -u svc -- id)"
expect_eq "setpriv --init-groups: the same" "$want" \
	"$(setpriv --reuid=svc --regid=svc --init-groups id)"
expect_eq "id svc (no process) agrees" "$want" "$(id svc)"

D=$T/var-svc
mkdir -m 750 "$D"
chown svc:svc "$D"
# a small daemon: detached, writes a file every 50 ms until told to stop
setpriv --reuid=svc --regid=svc --init-groups --reset-env \
	sh -c "while [ ! -e '$D/stop' ]; do date +%s >'$D/heartbeat'; sleep 0.05; done" \
	</dev/null >/dev/null 2>&1 &
DPID=$!
for _ in $(seq 40); do [ -s "$D/heartbeat" ] && break; sleep 0.05; done
expect_eq "daemon's file is owned by the account (stat)" "svc:svc" "$(stat -c %U:%G "$D/heartbeat")"
expect_eq "daemon's process runs as the account (ps)" "svc" "$(ps -o user= -p "$DPID" | tr -d ' ')"
fail_cmd "another account cannot write there" \
	setpriv --reuid=other --regid=other --init-groups sh -c "echo x >'$D/x'"
touch "$D/stop"
wait "$DPID"
# what a disable does not stop (docs/howto-daemons.md): runuser and
# setpriv switch users without the account phase of PAM
S account disable svc >/dev/null
expect_eq "runuser still switches to a disabled account (documented)" "svc" "$(runuser -u svc -- id -un)"
# systemd's User= and PAMName= are checked under a booted systemd in the
# docs step (tests/docs/test_docs.sh runs howto-daemons.md's units and its
# `systemd-run -p User=svc id` in a container): this host's PID 1 need not
# be systemd.
done_testing
