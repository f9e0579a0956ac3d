#!/bin/bash
# revoke --stop: the session phase records, per session, the credential and
# a handle on the process that opened it (PID and start time); `svcacct
# secret|key|sshkey revoke ... --stop` ends the sessions opened with that
# credential and no other. Real Linux-PAM through the harness: each session
# stays open while a real long-running process runs in it (-D).
. "$top_srcdir/tests/pam/lib.sh"
setup_store
SD=$T/state/sessions/bot

sid() { # LABEL: the id of bot's secret with that label
	S --json secret list bot | /usr/bin/python3 -c '
import json, sys
for c in json.load(sys.stdin):
    if c.get("label") == sys.argv[1]:
        print(c["id"])' "$1"
}
start_of() { # PID: field 22 of /proc/PID/stat
	sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f20
}
alive() { # PID: a running process (not a zombie)
	[ -e "/proc/$1/stat" ] && ! sed 's/.*) //' "/proc/$1/stat" | grep -q '^Z'
}
gone() { # PID: wait until it is no running process (bounded)
	for _ in $(seq 100); do alive "$1" || return 0; sleep 0.05; done
	return 1
}
# Everything a session started is killed when the test ends, whatever it
# found: a check that failed must not leave the test waiting on a sleep.
LEFT=""
trap 'kill -KILL $LEFT 2>/dev/null; rm -rf "$T"' EXIT
# reap PID...: collect harnesses that should be gone; one that is not is
# ended with SIGUSR1 (exit status 138, which no check takes for a stop)
reap() {
	local p
	for p; do gone "$p" || kill -USR1 "$p" 2>/dev/null; done
	wait "$@" 2>/dev/null
}
# session NAME CREDENTIAL [harness args...]: a session held open by
# "sleep" until it is ended; $T/NAME.pid is the sleep, NAME_H the harness
session() {
	local name=$1 cred=$2; shift 2
	rm -f "$T/$name.pid"
	"$HARNESS" -c "$T/pam.d" -s sshd -u bot -r 127.0.0.1 ${cred:+-p "$cred"} "$@" \
		-D "echo \$\$ >$T/$name.pid; exec sleep 1000" >"$T/$name.out" 2>&1 &
	eval "${name}_H=$!"
	for _ in $(seq 200); do [ -s "$T/$name.pid" ] && break; sleep 0.05; done
	LEFT="$LEFT $! $(cat "$T/$name.pid" 2>/dev/null)"
}

SA=$(S secret add bot --label A)
SB=$(S secret add bot --label B)
S secret add bot --label C >/dev/null
S secret add bot --label D >/dev/null
A=$(sid A)
B=$(sid B)
C=$(sid C)
D=$(sid D)

# the record, while the session is open, and gone once it is closed
check "a session with secret A opens" session=PAM_SUCCESS "" \
	-s sshd -u bot -r 127.0.0.1 -p "$SA" -D "cat $SD/*-$A >$T/rec; ls -l $SD >$T/recls"
expect_match "the record names the credential" "^credential=$A\$" "$(cat "$T/rec")"
expect_match "... the process that opened the session" "^pid=[0-9]+\$" "$(cat "$T/rec")"
expect_match "... its start time" "^start=[0-9]+\$" "$(cat "$T/rec")"
expect_match "the record is root's, 0600" "^-rw------- 1 root root " "$(grep -- "-$A\$" "$T/recls")"
expect_eq "close_session removed it" "" "$(ls -A "$SD")"

# two sessions of bot, one with A and one with B
session a "$SA"
session b "$SB"
APID=$(cat "$T/a.pid")
BPID=$(cat "$T/b.pid")
ok_cmd "the process of the session with A runs" alive "$APID"
ok_cmd "the process of the session with B runs" alive "$BPID"
expect_eq "two records" 2 "$(ls "$SD" | wc -l)"
expect_eq "A's record: the harness's PID and start time" \
	"pid=$a_H start=$(start_of "$a_H")" \
	"$(grep -h -e ^pid= -e ^start= "$SD"/*-"$A" | paste -sd' ')"

# negative: an id the account does not have is refused, nothing signalled
fail_cmd "revoke --stop of an unknown id is refused" S secret revoke bot 0123456789abcdef --stop
expect_match "... with a clear message" "has no secret '0123456789abcdef'" "$(S secret revoke bot 0123456789abcdef --stop 2>&1)"
ok_cmd "... A's process still runs" alive "$APID"
ok_cmd "... B's process still runs" alive "$BPID"
expect_eq "... both records kept" 2 "$(ls "$SD" | wc -l)"

expect_rc "secret revoke A --stop succeeds" 0 "" S secret revoke bot "$A" --stop
out=$OUT$ERR
expect_match "it says what it ended" "ended 1 session\(s\) opened with $A" "$out"
ok_cmd "A's process is ended" gone "$APID"
reap "$a_H"
expect_match "the harness that opened A's session was signalled" "^(143|137)\$" "$?"
ok_cmd "B's process still runs" alive "$BPID"
expect_eq "A's record removed" "" "$(ls "$SD" | grep -- "-$A\$")"
expect_eq "B's record kept" 1 "$(ls "$SD" | grep -c -- "-$B\$")"
check "A no longer logs in" auth=PAM_AUTH_ERR revoked -s sshd -u bot -r 127.0.0.1 -p "$SA"
ns_wait_log "$LOG" 'event=secret-revoke .*stop=yes' || true
expect_match "the audit line says stop=yes" "event=secret-revoke .*credential=$A stop=yes" "$(grep 'event=secret-revoke' "$LOG" | tail -1)"

# a stale record: a PID that now belongs to an unrelated process (a wrong
# start time) is never signalled, and the record is cleaned
sleep 1000 &
U=$!
LEFT="$LEFT $U"
printf 'svcacct-session 1\ncredential=%s\npid=%s\nstart=%s\ncgroup=\n' \
	"$C" "$U" "$(($(start_of "$U") + 1))" >"$SD/$U-1-$C"
chmod 600 "$SD/$U-1-$C"
expect_rc "revoke C --stop with only a stale record succeeds" 0 "" S secret revoke bot "$C" --stop
out=$OUT$ERR
expect_match "... nothing to stop" "no running session opened with $C is recorded: nothing to stop" "$out"
expect_match "... the stale record is reported removed" "removed 1 record\(s\) of sessions already gone" "$out"
ok_cmd "... the unrelated process with the reused PID was not signalled" alive "$U"
expect_eq "... its record is gone" "" "$(ls "$SD" | grep -- "-$C\$")"
kill "$U"; wait "$U" 2>/dev/null

# a record of a process that is gone
printf 'svcacct-session 1\ncredential=%s\npid=%s\nstart=%s\ncgroup=\n' \
	"$D" "$U" "$(start_of $$)" >"$SD/$U-2-$D"
chmod 600 "$SD/$U-2-$D"
expect_rc "revoke D --stop (its process gone) succeeds" 0 "" S --json secret revoke bot "$D" --stop
out=$OUT$ERR
expect_eq "--json: stopped counts" '{"processes": 0, "sessions": 0, "shared": 0, "stale_records": 1}' \
	"$(/usr/bin/python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["stopped"], sort_keys=True))' <<<"$out")"
expect_eq "... its record is gone" "" "$(ls "$SD" | grep -- "-$D\$")"
ok_cmd "B's process still runs after all that" alive "$BPID"

# --stop with no record at all
S secret add bot --label E >/dev/null
expect_rc "revoke --stop without any record succeeds" 0 "" S secret revoke bot "$(sid E)" --stop
out=$OUT$ERR
expect_match "... and says there was nothing to stop" "nothing to stop" "$out"

# B's session ends too, and with it everything it started: a child that
# made a session of its own (setsid), and one that left that session's
# leader by a double fork but stayed in the session
rm -f "$T/b2.pid" "$T/b2c.pid" "$T/b2d.pid"
"$HARNESS" -c "$T/pam.d" -s sshd -u bot -r 127.0.0.1 -p "$SB" \
	-D "setsid sh -c 'echo \$\$ >$T/b2c.pid; (sleep 1002 & echo \$! >$T/b2d.pid); exec sleep 1001' & echo \$\$ >$T/b2.pid; exec sleep 1000" \
	>"$T/b2.out" 2>&1 &
b2_H=$!
for _ in $(seq 200); do [ -s "$T/b2.pid" ] && [ -s "$T/b2c.pid" ] && [ -s "$T/b2d.pid" ] && break; sleep 0.05; done
LEFT="$LEFT $b2_H $(cat "$T/b2.pid" "$T/b2c.pid" "$T/b2d.pid" 2>/dev/null)"
B2PID=$(cat "$T/b2.pid")
B2C=$(cat "$T/b2c.pid")
B2D=$(cat "$T/b2d.pid")
ok_cmd "the setsid child runs in a session of its own" \
	test "$(sed 's/.*) //' "/proc/$B2C/stat" | cut -d' ' -f4)" = "$B2C"
ok_cmd "the double-forked one is no child of it" \
	test "$(sed 's/.*) //' "/proc/$B2D/stat" | cut -d' ' -f2)" != "$B2C"
S secret revoke bot "$B" --stop >"$T/out" 2>&1
expect_match "revoke B --stop ends both of B's sessions" "ended 2 session\(s\) opened with $B" "$(cat "$T/out")"
ok_cmd "B's first process ended" gone "$BPID"
ok_cmd "B's second process ended" gone "$B2PID"
ok_cmd "... its setsid child too" gone "$B2C"
ok_cmd "... and the double-forked process in that session" gone "$B2D"
reap "$b_H" "$b2_H"
expect_eq "no record left" "" "$(ls -A "$SD")"

# keys: key revoke (a verb beside key remove) with --stop
KEY=$(S --json key list bot | /usr/bin/python3 -c '
import json, sys
print([c["id"] for c in json.load(sys.stdin) if c.get("kid") == "k384"][0])')
session k "$(M --key "$T/k384.key" --alg ES384 --kid k384)"
KPID=$(cat "$T/k.pid")
session k2 "$(M --key "$T/k256.key" --alg ES256 --kid k256)"
K2PID=$(cat "$T/k2.pid")
ok_cmd "a session with key k384 runs" alive "$KPID"
expect_rc "key revoke k384 --stop succeeds" 0 "" S key revoke bot k384 --stop
out=$OUT$ERR
expect_match "... ends the session opened with it" "ended 1 session\(s\) opened with $KEY" "$out"
ok_cmd "... its process ended" gone "$KPID"
ok_cmd "... the session of key k256 still runs" alive "$K2PID"
out=$(S key remove bot k256 --stop 2>&1)
expect_match "key remove --stop does the same" "ended 1 session\(s\) opened with" "$out"
ok_cmd "... its process ended" gone "$K2PID"
reap "$k_H" "$k2_H"

# ssh keys: the session phase names sshd's key (SSH_AUTH_INFO_0)
ssh-keygen -q -t ed25519 -N '' -C stop-key -f "$T/sk1" >/dev/null
SK=$(S --json sshkey add bot --pubkey "$T/sk1.pub" | sed -n 's/.*"id": *"\([0-9a-f]*\)".*/\1/p')
session s "" -A -E "SSH_AUTH_INFO_0=" -S "SSH_AUTH_INFO_0=publickey $(cut -d' ' -f1,2 "$T/sk1.pub")"
SPID=$(cat "$T/s.pid")
ok_cmd "a session with an ssh key runs" alive "$SPID"
expect_rc "sshkey revoke --stop succeeds" 0 "" S sshkey revoke bot "$SK" --stop
out=$OUT$ERR
expect_match "... ends the session opened with it" "ended 1 session\(s\) opened with $SK" "$out"
ok_cmd "... its process ended" gone "$SPID"
reap "$s_H"

# a process that holds sessions of other accounts or credentials too (a
# server that opens one PAM session per login in itself) is not ended: that
# would end the others' sessions
SH=$(S secret add bot --label H)
session h "$SH"
HPID=$(cat "$T/h.pid")
mkdir -m 700 -p "$T/state/sessions/bot2"
H_REC=$(ls "$SD")
printf 'svcacct-session 1\ncredential=%s\npid=%s\nstart=%s\ncgroup=\n' \
	fedcba9876543210 "$h_H" "$(start_of "$h_H")" >"$T/state/sessions/bot2/$h_H-$(start_of "$h_H")-fedcba9876543210"
chmod 600 "$T/state/sessions/bot2"/*
expect_rc "revoke --stop of a session whose process holds another account's" 0 "" \
	S --json secret revoke bot "$(sid H)" --stop
expect_eq "... reports it left running" '{"processes": 0, "sessions": 0, "shared": 1, "stale_records": 0}' \
	"$(/usr/bin/python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["stopped"], sort_keys=True))' <<<"$OUT")"
ok_cmd "... and signals nothing" alive "$HPID"
expect_eq "... its record is kept" "$H_REC" "$(ls "$SD")"
kill "$h_H"; wait "$h_H" 2>/dev/null; kill "$HPID" 2>/dev/null
rm -f "$SD"/* "$T/state/sessions/bot2"/*

# A logind session scope: systemd-logind makes one per session and
# pam_systemd names it in the PAM environment (XDG_SESSION_ID); here it is
# made by hand in the unified hierarchy, and the harness runs in it. A
# process that left the session's tree (setsid and a double fork) is still
# in the scope: ended with it. Without the scope's name from this very
# transaction the scope is not recorded, and that process is not reached.
CGR=""
for d in /sys/fs/cgroup /sys/fs/cgroup/unified; do
	[ "$(stat -fc %T "$d" 2>/dev/null)" = cgroup2fs ] && [ -w "$d" ] && { CGR=$d; break; }
done
if [ -n "$CGR" ]; then
	BOTUID=$(S --json account show bot | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["uid"])')
	SCOPE_ID=svt$$
	REL=/user.slice/user-$BOTUID.slice/session-$SCOPE_ID.scope
	MADE=""
	OREL=/user.slice/user-0.slice/session-$SCOPE_ID.scope
	for d in /user.slice /user.slice/user-$BOTUID.slice $REL /user.slice/user-0.slice $OREL; do
		[ -d "$CGR$d" ] || { mkdir "$CGR$d" && MADE="$CGR$d $MADE"; }
	done
	trap 'kill -KILL $LEFT 2>/dev/null; for d in $MADE; do rmdir "$d" 2>/dev/null; done; rm -rf "$T"' EXIT
	# scoped NAME SECRET [harness args...]: a session opened from inside
	# the scope; $T/NAME.pid its sleep, $T/NAME.orphan the escaped one
	scoped() {
		local name=$1 cred=$2; shift 2
		rm -f "$T/$name.pid" "$T/$name.orphan"
		(echo "$BASHPID" >"$CGR$REL/cgroup.procs" &&
			exec "$HARNESS" -c "$T/pam.d" -s sshd -u bot -r 127.0.0.1 -p "$cred" "$@" \
				-D "setsid sh -c '(sleep 1003 & echo \$! >$T/$name.orphan)'; echo \$\$ >$T/$name.pid; exec sleep 1000" \
				>"$T/$name.out" 2>&1) &
		eval "${name}_H=$!"
		for _ in $(seq 200); do [ -s "$T/$name.pid" ] && [ -s "$T/$name.orphan" ] && break; sleep 0.05; done
		LEFT="$LEFT $! $(cat "$T/$name.pid" "$T/$name.orphan" 2>/dev/null)"
	}
	SJ=$(S secret add bot --label J)
	scoped j "$SJ" -S XDG_SESSION_ID=other1
	JPID=$(cat "$T/j.pid")
	JORPH=$(cat "$T/j.orphan")
	expect_eq "another session's name: no scope recorded" "cgroup=" "$(grep -h ^cgroup= "$SD"/*-"$(sid J)")"
	ok_cmd "the escaped process runs outside the session's tree" \
		test "$(sed 's/.*) //' "/proc/$JORPH/stat" | cut -d' ' -f2)" != "$JPID"
	S secret revoke bot "$(sid J)" --stop >/dev/null 2>&1
	ok_cmd "without the scope: the session's tree is ended" gone "$JPID"
	ok_cmd "... but not the process that left it with setsid and a double fork" alive "$JORPH"
	kill "$JORPH"
	reap "$j_H"

	SI=$(S secret add bot --label I)
	scoped i "$SI" -S XDG_SESSION_ID=$SCOPE_ID
	IPID=$(cat "$T/i.pid")
	IORPH=$(cat "$T/i.orphan")
	expect_eq "the scope pam_systemd named is recorded" "cgroup=$REL" "$(grep -h ^cgroup= "$SD"/*-"$(sid I)")"
	ok_cmd "the escaped process is in the scope" grep -qx "0::$REL" "/proc/$IORPH/cgroup"
	expect_rc "revoke --stop with a scope" 0 "" S secret revoke bot "$(sid I)" --stop
	expect_match "... ends the session" "ended 1 session\(s\) opened with $(sid I)" "$OUT"
	ok_cmd "... its process" gone "$IPID"
	ok_cmd "... and the one that left its tree, through the scope" gone "$IORPH"
	expect_eq "... the scope is empty" "" "$(cat "$CGR$REL/cgroup.procs")"
	reap "$i_H"
	# a record naming a scope of another UID is not used for it, even
	# when that scope exists
	(echo "$BASHPID" >"$CGR$OREL/cgroup.procs" && exec sleep 1005) &
	OTHER=$!
	LEFT="$LEFT $OTHER"
	SL=$(S secret add bot --label L)
	session l "$SL"
	LPID=$(cat "$T/l.pid")
	LREC=$(ls "$SD"/*-"$(sid L)")
	sed -i "s|^cgroup=.*|cgroup=$OREL|" "$LREC"
	expect_rc "a record naming another UID's scope" 0 "" S secret revoke bot "$(sid L)" --stop
	ok_cmd "... ends the session by its process instead" gone "$LPID"
	ok_cmd "... and nothing in that other scope" alive "$OTHER"
	kill "$OTHER"
	reap "$l_H" "$OTHER"
else
	tap_skip "logind session scopes" "no writable unified cgroup hierarchy"
fi

# a record that cannot be written never fails the login: logged instead
S secret add bot --label F >/dev/null
SF=$(S secret add bot --label G)
chmod g+w "$T/state/sessions"
check "an unsafe sessions directory: the session opens all the same" session=PAM_SUCCESS state_unsafe \
	-s sshd -u bot -r 127.0.0.1 -p "$SF"
expect_match "... and the failure is logged" "event=session-record result=error account=bot credential=$(sid G) .*reason=state_unsafe" \
	"$(grep 'event=session-record' "$LOG" | tail -1)"
chmod g-w "$T/state/sessions"
fail_cmd "revoke --stop refuses to read an unsafe directory" bash -c \
	"chmod g+w '$SD' && '$top_builddir/tools/svcacct' --conf '$T/c.conf' secret revoke bot '$(sid G)' --stop"
chmod g-w "$SD"

# at most 1024 records per account: at the cap the stale ones are pruned
# first; when the live ones fill it, the session is not recorded (logged)
SH=$(S secret add bot --label H)
H_ID=$(sid H)
fake_records() { # COUNT START: records of PID 1 with that start time
	local i
	for i in $(seq "$1"); do
		printf 'svcacct-session 1\ncredential=%s\npid=1\nstart=%s\ncgroup=\n' \
			"$H_ID" "$2" >"$SD/1-$i-$H_ID"
	done
	chmod 600 "$SD"/1-*-"$H_ID"
}
fake_records 1024 "$(($(start_of 1) + 1))"
check "1024 stale records: the session opens" session=PAM_SUCCESS "" -s sshd -u bot -r 127.0.0.1 -p "$SH"
expect_eq "... and the stale records were pruned to make room" 0 "$(ls "$SD" | grep -c "^1-.*-$H_ID\$")"
fake_records 1024 "$(start_of 1)"
check "1024 live records: the session opens all the same" session=PAM_SUCCESS session_records_full \
	-s sshd -u bot -r 127.0.0.1 -p "$SH"
expect_eq "... and no record is added beyond the cap" 1024 "$(ls "$SD" | grep -c -- "-$H_ID\$")"
rm -f "$SD"/1-*-"$H_ID"
done_testing
