#!/bin/bash
# SPDX-License-Identifier: MIT
# The GDBM store under stress, through tests/store/store_helper (the
# library's public API only, no CLI): concurrent writers, readers during
# writes, a reader holding a pruned generation, a crash at every step of a
# commit, a full disk, rollback and the state that must survive it,
# ownership/mode checks, the writer's refusals that keep every generation
# (current lost or moved back, a leftover it cannot remove, a failed
# allocation or descriptor limit while it lists them), and the modes of
# published files under any umask.
# Needs root (the store insists on root-owned files) and, for the full-disk
# part, mount namespaces.

: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/lib/tap.sh"

need_root

H="$top_builddir/tests/store/store_helper"
if [ ! -x "$H" ]; then
	tap_notok "store_helper is built ($H)"
	done_testing
	exit 0
fi

ROOT=$(mktemp -d /tmp/svcacct-store-test.XXXXXX)
cleanup() {
	# only our own background jobs that are still running
	local p
	for p in $(jobs -p); do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$ROOT"
}
trap cleanup EXIT

# new_store NAME [config lines...]: a private store; sets S (its dir) and
# C (its config). Everything in it is root's and not group/world-writable.
new_store() {
	S="$ROOT/$1"
	shift
	mkdir -m 0755 "$S"
	C="$S/svcacct.conf"
	{
		echo "db_dir = $S/db"
		echo "state_dir = $S/state"
		[ $# -gt 0 ] && printf '%s\n' "$@"
	} >"$C"
	chmod 0644 "$C"
}
h() { "$H" "$C" "$@"; }

# wait_for FILE [SECONDS]: until FILE exists (0) or time runs out (1).
wait_for() {
	local i n=$((${2:-10} * 20))
	for ((i = 0; i < n; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

now_ms() { date +%s%3N; }

# readers_on_new_store NAME SECONDS: a new store NAME keeping 2 generations,
# with one account, and two reader-loop processes on it for SECONDS (reader
# r writes $S/rR.out and $S/rR.err); their PIDs in READERS.
readers_on_new_store() {
	local r
	new_store "$1" "keep_generations = 2"
	run h put-account seed 70000
	READERS=()
	for r in 1 2; do
		"$H" "$C" reader-loop "$2" >"$S/r$r.out" 2>"$S/r$r.err" &
		READERS+=($!)
	done
}

# leftovers DBDIR: names a dead writer may leave, one a line.
leftovers() {
	(cd "$1" && ls -A | grep -E '^(\.tmp-|\.current\.tmp$)')
}

# generation directories newer than `current`
orphans() {
	local cur g
	cur=$(readlink "$1/current")
	cur=$((10#${cur#gen-}))
	for g in "$1"/gen-*; do
		[ -e "$g" ] || continue
		g=${g##*/gen-}
		[ $((10#$g)) -gt "$cur" ] && echo "gen-$g"
	done
}

# ======================================================================
# basics: the helper and an empty store
# ======================================================================
new_store basic
expect_rc "no store yet: readers get ENOENT" 1 'ENOENT' h open acc
expect_rc "first commit publishes generation 1" 0 '' h put-account a 70001
expect_eq "first commit's number" "1" "$OUT"
expect_rc "record readable" 0 '' h get a
expect_eq "record content" "a 70001 5" "$OUT"
expect_rc "record readable by UID" 0 '' h get-uid 70001
expect_eq "UID index" "a 70001 5" "$OUT"
expect_rc "absent record: ENOENT" 1 'ENOENT' h get nosuch
expect_rc "absent UID: ENOENT" 1 'ENOENT' h get-uid 70009
expect_eq "first generation has every file" \
	"accounts.db accounts.idx credentials.db credentials.idx pubkeys.db pubkeys.idx" \
	"$(cd "$S/db/current" && echo *)"

# the generation word: made by the first commit, root's, 0644, a page
expect_eq "the generation word: root, 0644, 4096 bytes" "0 644 4096" \
	"$(stat -c '%u %a %s' "$S/db/generation")"
# an unsafe word (others may write it: they could pin readers to a
# generation): every commit is refused, naming it, and nothing changes
chmod 0666 "$S/db/generation"
expect_rc "a word others may write: the commit is refused" 1 'generation: unsafe owner, mode or type' \
	h put-account unsafeword 70009
expect_rc "... nothing published" 1 'ENOENT' h get unsafeword
run h generation
expect_eq "... the generation stays" "1" "$OUT"
chmod 0644 "$S/db/generation"
chown 65534 "$S/db/generation"
expect_rc "a word not root's: refused too" 1 'generation: unsafe owner, mode or type' \
	h put-account unsafeword 70009
rm "$S/db/generation"
ln -s /dev/null "$S/db/generation"
expect_rc "a symlink as the word: refused (not followed)" 1 'generation' \
	h put-account unsafeword 70009
rm "$S/db/generation"
expect_rc "the word removed: the next commit makes it again" 0 '' h put-account unsafeword 70009
expect_eq "... root's, 0644, a page, naming the new generation" "0 644 4096 2" \
	"$(stat -c '%u %a %s' "$S/db/generation") $(od -An -tu8 -N8 "$S/db/generation" | tr -d ' ')"
chmod 0600 "$S/db/generation"
expect_rc "a word of mode 0600 (safe, unreadable by readers): the commit puts 0644 back" 0 '' \
	h put-account modeword 70010
expect_eq "... 0644 again, same file" "644" "$(stat -c '%a' "$S/db/generation")"

# ======================================================================
# concurrent writers
# ======================================================================
new_store conc "keep_generations = 5"
run h put-account init 70000
W=4 N=25
pids=()
for w in $(seq 1 $W); do
	"$H" "$C" writer "cw$w" $N $((71000 + w * 100)) \
		>"$S/w$w.out" 2>"$S/w$w.err" &
	pids+=($!)
done
fails=0
for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
expect_eq "concurrent writers: none failed" "0" "$fails"
[ "$fails" = 0 ] || tap_diag "$(cat "$S"/w*.err)"
run h count
expect_eq "concurrent writers: no change lost" "$((W * N + 1))" "$OUT"
want=$( (echo init; for w in $(seq 1 $W); do for i in $(seq 0 $((N - 1))); do
	echo "cw$w-$i"; done; done) | sort)
run h dump
expect_eq "concurrent writers: exactly the records written" "$want" \
	"$(printf '%s\n' "$OUT" | cut -d' ' -f1 | sort)"
run h generation
expect_eq "generation = commits + initial" "$((W * N + 1))" "$OUT"
run h generations
expect_eq "older generations pruned to keep_generations" \
	"$(seq -s' ' $((W * N - 3)) $((W * N + 1)))" "$OUT"
expect_eq "no writer leftovers" "" "$(leftovers "$S/db")"

# lock timeout: a holder keeps the lock longer than lock_timeout = 1
new_store lock "lock_timeout = 1"
run h put-account l0 70000
# The holder keeps the lock until $S/go appears, so that what the writer
# does is seen while the lock is held, however slow the machine is.
"$H" "$C" hold-txn 600 "$S/ready" "$S/go" >/dev/null 2>"$S/hold.err" &
HP=$!
if wait_for "$S/ready" 10; then
	t0=$(now_ms)
	expect_rc "writer gives up while the lock is held" 1 \
		"locked by pid $HP\\b" h put-account l1 70001
	el=$(($(now_ms) - t0))
	ok_cmd "... while the holder still holds it" kill -0 "$HP"
	ok_cmd "... after waiting at least lock_timeout (${el} ms)" test "$el" -ge 1000
	expect_match "... with EWOULDBLOCK" 'EWOULDBLOCK' "$ERR"
	expect_eq "... pid in the message is the holder's" "$HP" "$(cat "$S/ready")"
	expect_rc "readers do not wait for the writer" 0 '' h get l0
else
	tap_notok "hold-txn took the lock"
	tap_diag "$(cat "$S/hold.err")"
fi
touch "$S/go"
wait $HP
expect_eq "holder exited cleanly" "0" "$?"
expect_eq "aborted transaction left nothing" "" "$(leftovers "$S/db")"
expect_rc "writer succeeds once the lock is free" 0 '' h put-account l1 70001
expect_eq "... and publishes generation 2" "2" "$OUT"
# a writer that waits less than lock_timeout gets the lock
C2="$S/wait.conf"
sed 's/^lock_timeout = 1$/lock_timeout = 8/' "$C" >"$C2"
chmod 0644 "$C2"
rm -f "$S/ready" "$S/go"
"$H" "$C" hold-txn 600 "$S/ready" "$S/go" >/dev/null 2>&1 &
HP=$!
wait_for "$S/ready" 10
"$H" "$C2" put-account l2 70002 >"$S/l2.out" 2>"$S/l2.err" &
WP=$!
# the writer polls for the lock in nanosleep: seen there while the holder
# holds the lock, it is waiting rather than refused or through
waiting=no
for ((i = 0; i < 200; i++)); do
	kill -0 "$WP" 2>/dev/null || break
	case $(cat "/proc/$WP/wchan" 2>/dev/null) in
	*nanosleep*) waiting=yes && break ;;
	esac
	sleep 0.05
done
expect_eq "writer waits for a holder within lock_timeout" "yes" "$waiting"
ok_cmd "... while the holder holds the lock" kill -0 "$HP"
touch "$S/go"
wait "$WP"
expect_eq "... and goes through once it is released" "0" "$?"
wait $HP

# ======================================================================
# readers during writes: every generation whole, never an error
# ======================================================================
readers_on_new_store rw 4
wpids=()
# two writers of 20-record batches, and one that commits small batches
# almost back to back so that generations are pruned while readers open
# them (keep_generations = 2)
for w in 1 2; do
	"$H" "$C" batch-writer "bw$w" 20 4 $((71000 + w * 100)) 20 \
		>"$S/bw$w.out" 2>"$S/bw$w.err" &
	wpids+=($!)
done
"$H" "$C" batch-writer churn 2 4 73000 2 >"$S/bw3.out" 2>"$S/bw3.err" &
wpids+=($!)
for w in 1 2 3; do
	wait "${wpids[$((w - 1))]}"
	expect_eq "batch writer $w succeeded" "0" "$?"
	expect_match "batch writer $w committed repeatedly ($(cat "$S/bw$w.out"))" \
		'^([5-9]|[1-9][0-9]+)$' "$(cat "$S/bw$w.out")"
done
for r in 1 2; do
	wait "${READERS[$((r - 1))]}"
	rc=$?
	expect_eq "reader $r: no torn generation, no error" "0" "$rc"
	[ "$rc" = 0 ] || tap_diag "$(head -20 "$S/r$r.err")"
	expect_match "reader $r saw all batches many times ($(cut -d' ' -f1 "$S/r$r.out"))" \
		'^loops=([2-9][0-9]|[1-9][0-9]{2,}) bad=0 errors=0 tags=3 ' \
		"$(cat "$S/r$r.out")"
done
run h generation
expect_eq "generation = commits + initial (batch writers)" \
	"$((1 + $(cat "$S/bw1.out") + $(cat "$S/bw2.out") + $(cat "$S/bw3.out")))" "$OUT"

# readers opening while generations are pruned as fast as writers can:
# a generation may vanish between reading `current` and opening its files
# (racy by nature: a regression shows up in some runs, not all)
readers_on_new_store prune 3
pids=("${READERS[@]}")
for w in 1 2; do
	"$H" "$C" batch-writer "churn$w" 1 3 $((73000 + w * 100)) 0 \
		>/dev/null 2>"$S/w$w.err" &
	pids+=($!)
done
fails=0
for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
expect_eq "pruning under readers: no reader error, no writer error" "0" "$fails"
[ "$fails" = 0 ] || tap_diag "$(head -5 "$S"/r*.err "$S"/w*.err)"
run h generations
# The count follows the speed of commits, each of which fsyncs (about 100
# on the CI machine, most likely its disk, as the rest of its run took as
# long as here; 440-490 here); what matters is that the keep window of 2 was pruned
# many times over while the readers opened generations: ten times it.
gens=${OUT%% *}
expect_match "pruning under readers: many generations came and went ($gens)" \
	'^([2-9][0-9]|[1-9][0-9]{2,})$' "$gens"

# ======================================================================
# a reader holding an old generation while writers commit and prune
# ======================================================================
new_store hold "keep_generations = 2"
"$H" "$C" writer hr 5 70100 >/dev/null
"$H" "$C" hold-reader "$S/ready1" "$S/go" 30 >"$S/h1.out" 2>"$S/h1.err" &
HR1=$!
"$H" "$C" hold-reader "$S/ready2" "$S/go" 30 mmap >"$S/h2.out" 2>"$S/h2.err" &
HR2=$!
wait_for "$S/ready1" 10
wait_for "$S/ready2" 10
expect_eq "reader holds generation 5 with 5 records" "5 5" "$(cat "$S/ready1")"
expect_eq "mmap reader holds generation 5 with 5 records" "5 5" "$(cat "$S/ready2")"
"$H" "$C" writer hs 6 70200 >/dev/null
"$H" "$C" del-account hr-0 >/dev/null
run h generation
expect_eq "writers went on to generation 12" "12" "$OUT"
expect_eq "the held generation was pruned" "no" \
	"$([ -e "$S/db/gen-0000000005" ] && echo yes || echo no)"
touch "$S/go"
for r in 1 2; do
	if [ $r = 1 ]; then wait $HR1; else wait $HR2; fi
	rc=$?
	what="reader"
	[ $r = 2 ] && what="mmap reader"
	expect_eq "$what kept reading its generation correctly" "0" "$rc"
	expect_match "... over many passes" \
		'^gen=5 records=5 passes=([3-9]|[1-9][0-9]+) bad=0 timeout=0$' \
		"$(cat "$S/h$r.out")"
	expect_eq "... without a complaint" "" "$(head -5 "$S/h$r.err")"
done
run h count
expect_eq "a new reader sees the new generation" "10" "$OUT"

# ======================================================================
# a crash at each step of a commit
# ======================================================================
# Steps (txn.c): 1 temp dir made, 2 files and their indexes written,
# 3 temp dir synced, 4 state committed, 5 renamed to gen-N, 6 .current.tmp
# made, 9 the generation word marked unknown (0), 7 `current` swapped,
# 8 the word names the new generation, synced. Old content up to 9, new
# from 7.
# word DBDIR: the number the generation word holds
word() { od -An -tu8 -N8 "$1/generation" | tr -d ' '; }
for n in 1 2 3 4 5 6 9 7 8; do
	new_store "crash$n"
	run h put-account base 70000
	SVCACCT_TEST_CRASH_AT=$n run h put-account crash 70001 0 "cred-$n"
	expect_eq "crash at step $n: the writer died there" "99" "$RC"
	db="$S/db"
	case $n in
	[1-4]) expect_match "step $n: temp dir left behind" '^\.tmp-0000000002$' \
		"$(leftovers "$db")" ;;
	5) expect_eq "step $n: orphan generation left behind" "gen-0000000002" \
		"$(orphans "$db")" ;;
	6 | 9) expect_match "step $n: temp symlink left behind" '\.current\.tmp' \
		"$(leftovers "$db")" ;;
	*) expect_eq "step $n: nothing left behind" "" "$(leftovers "$db")" ;;
	esac
	case $n in
	[1-6]) expect_eq "step $n: the word still names the old generation" "1" "$(word "$db")" ;;
	9 | 7) expect_eq "step $n: the word says unknown" "0" "$(word "$db")" ;;
	8) expect_eq "step $n: the word names the new generation" "2" "$(word "$db")" ;;
	esac
	if [ $n -le 6 ] || [ $n = 9 ]; then old=1; else old=2; fi
	expect_rc "step $n: the store opens" 0 '' h verify all
	run h generation
	expect_eq "step $n: current generation" "$old" "$OUT"
	if [ $old = 1 ]; then
		expect_rc "step $n: old content (change absent)" 1 'ENOENT' h get crash
	else
		expect_rc "step $n: new content (change present)" 0 '' h get crash
	fi
	expect_rc "step $n: old content intact" 0 '' h get base
	run h is-revoked "cred-$n"
	if [ $n -le 3 ]; then want=not-revoked; else want=revoked; fi
	expect_eq "step $n: state dir holds the revocation from step 4 on" \
		"$want" "$OUT"
	expect_rc "step $n: the next writer succeeds" 0 '' h put-account next 70002
	expect_eq "step $n: ... publishing the next number" "$((old + 1))" "$OUT"
	expect_eq "step $n: ... which the word names" "$((old + 1))" "$(word "$db")"
	expect_eq "step $n: ... and cleaning up" "" \
		"$(leftovers "$db")$(orphans "$db")"
	run h dump
	if [ $old = 1 ]; then want="base next"; else want="base crash next"; fi
	expect_eq "step $n: content after the next commit" "$want" \
		"$(printf '%s\n' "$OUT" | cut -d' ' -f1 | xargs)"
	expect_rc "step $n: every record decodes" 0 '' h verify all
	# a state file being rewritten when the writer died
	# (revoked.db.new) is removed by the next writer
	left=$(cd "$S/state" && ls -A | grep '\.new$' | xargs)
	expect_eq "step $n: no state temp file left behind" "" "$left"
done

# the very first commit of a store, crashed at each step
for n in 1 2 3 4 5 6 9 7 8; do
	new_store "firstcrash$n"
	SVCACCT_TEST_CRASH_AT=$n run h put-account first 70001
	expect_eq "first commit, crash at step $n: died there" "99" "$RC"
	if [ $n -le 6 ] || [ $n = 9 ]; then
		expect_rc "first commit, step $n: still no store" 1 'ENOENT' h get first
	else
		expect_rc "first commit, step $n: the store exists" 0 '' h get first
	fi
	run h put-account next 70002
	expect_eq "first commit, step $n: the next writer publishes" \
		"$([ $n -le 6 ] || [ $n = 9 ] && echo 1 || echo 2)" "$OUT"
	expect_eq "first commit, step $n: ... and cleans up" "" \
		"$(leftovers "$S/db")$(orphans "$S/db")"
done

# ======================================================================
# full disk
# ======================================================================
# start_ns DIR MOUNTOPTS: a mount namespace with a tmpfs on DIR, kept alive
# by a sleeping process (NSP); ns runs a command in it, and NSR is its
# view of the file system from outside.
start_ns() {
	mkdir -m 0755 "$1"
	rm -f "$S/nsready"
	unshare --mount --propagation private sh -c \
		'mount -t tmpfs -o "$2" tmpfs "$1" &&
		 echo ready >"$3" && exec sleep 300' sh "$1" "$2" "$S/nsready" &
	NSP=$!
	NSR="/proc/$NSP/root"
	wait_for "$S/nsready" 10
}
stop_ns() {
	kill "$NSP" 2>/dev/null
	wait "$NSP" 2>/dev/null
}
ns() { nsenter -t "$NSP" -m -- "$@"; }

# try_commit ARGS...: a put-account in the namespace. On failure, check
# that it was clean: status 1, a message, content and generation as
# before, nothing left behind. Counts in ok_n, fail_n, unclean_n; the
# messages in msgs.
try_commit() {
	local before gen
	before=$(ns "$H" "$C" dump 2>&1)
	gen=$(ns "$H" "$C" generation 2>&1)
	run ns "$H" "$C" put-account "$@"
	if [ "$RC" = 0 ]; then
		ok_n=$((ok_n + 1))
		return 0
	fi
	fail_n=$((fail_n + 1))
	msgs="$msgs$ERR"$'\n'
	local why=""
	[ "$RC" = 1 ] && [ -n "$ERR" ] || why="$why rc=$RC"
	[ "$(ns "$H" "$C" dump 2>&1)" = "$before" ] || why="$why content-changed"
	[ "$(ns "$H" "$C" generation 2>&1)" = "$gen" ] || why="$why generation-moved"
	[ -z "$(leftovers "$NSR$S/mnt/db")$(orphans "$NSR$S/mnt/db")" ] ||
		why="$why left:$(leftovers "$NSR$S/mnt/db")$(orphans "$NSR$S/mnt/db")"
	if [ -n "$why" ]; then
		unclean_n=$((unclean_n + 1))
		tap_diag "unclean failure of put-account $*:$why" "$ERR"
	fi
	return 1
}

if unshare --mount true 2>/dev/null; then
	# -- out of blocks: big records until a commit fails, then smaller
	# ones until even those fail
	new_store full "keep_generations = 2" "db_dir = $ROOT/full/mnt/db"
	# (a generation's changed file is written twice: the GDBM file and
	# its index; the ballast freed must hold both)
	if start_ns "$S/mnt" size=600k,mode=0755; then
		ns dd if=/dev/zero of="$S/mnt/ballast" bs=1k count=160 status=none
		i=0 ok_n=0 fail_n=0 unclean_n=0 msgs=""
		for size in 20000 5000 1000 100 1; do
			for _ in $(seq 1 40); do
				i=$((i + 1))
				try_commit "f$i" $((70000 + i)) $size || break
			done
		done
		expect_match "full disk: some commits succeeded ($ok_n)" '^[1-9]' "$ok_n"
		expect_eq "full disk: commits of every size failed in the end" "5" "$fail_n"
		expect_eq "full disk: every failure was clean" "0" "$unclean_n"
		expect_match "full disk: the message says why" \
			'No space left|ENOSPC' "$msgs"
		expect_rc "full disk: the store still verifies" 0 '' ns "$H" "$C" verify all
		run ns "$H" "$C" count
		expect_eq "full disk: all successful commits present" "$ok_n" "$OUT"
		ns rm -f "$S/mnt/ballast"
		expect_rc "full disk: after freeing space a commit works" 0 '' \
			ns "$H" "$C" put-account after 70999 2000
		run ns "$H" "$C" count
		expect_eq "full disk: ... and adds its record" "$((ok_n + 1))" "$OUT"
		expect_eq "full disk: no leftovers" "" \
			"$(leftovers "$NSR$S/mnt/db")$(orphans "$NSR$S/mnt/db")"
	else
		tap_notok "full disk: tmpfs mounted in a mount namespace"
	fi
	stop_ns

	# -- out of inodes (tmpfs counts hard links too): free them one at a
	# time, so that each attempt fails one step further into the commit,
	# up to the symlink swap after the new generation was renamed into
	# place, until one succeeds
	new_store inodes "keep_generations = 2" "db_dir = $ROOT/inodes/mnt/db"
	if start_ns "$S/mnt" size=2m,nr_inodes=64,mode=0755; then
		ns "$H" "$C" put-account a 70001 >/dev/null
		ns "$H" "$C" put-account b 70002 >/dev/null
		ns mkdir "$S/mnt/ballast"
		n=0
		while ns touch "$S/mnt/ballast/$n" 2>/dev/null; do n=$((n + 1)); done
		ok_n=0 fail_n=0 unclean_n=0 msgs=""
		for k in $(seq 0 12); do
			[ "$k" = 0 ] || ns rm "$S/mnt/ballast/$k"
			try_commit "c$k" $((70010 + k)) && break
		done
		expect_eq "no inodes: a commit succeeded in the end" "1" "$ok_n"
		expect_match "no inodes: after failing at several steps ($fail_n)" \
			'^([4-9]|1[0-9])$' "$fail_n"
		expect_eq "no inodes: every failure was clean" "0" "$unclean_n"
		expect_match "no inodes: failures while publishing too" \
			'commit: committing to .*: No space left' "$msgs"
		expect_match "no inodes: failures while starting too" \
			'begin: .*No space left' "$msgs"
		run ns "$H" "$C" dump
		expect_eq "no inodes: content" "a b c$k" \
			"$(printf '%s\n' "$OUT" | cut -d' ' -f1 | xargs)"
		expect_rc "no inodes: the store verifies" 0 '' ns "$H" "$C" verify all
	else
		tap_notok "no inodes: tmpfs mounted in a mount namespace"
	fi
	stop_ns
else
	tap_skip "full disk" "needs mount namespaces"
fi

# ======================================================================
# rollback
# ======================================================================
new_store rb "keep_generations = 4"
run h put-account r1 70001
run h dump
D1=$OUT
run h put-account r2 70002
run h dump
D2=$OUT
run h put-account r3 70003
run h dump
D3=$OUT
expect_rc "rollback to the previous generation" 0 '' h rollback
expect_eq "... publishes a new generation number" "4" "$OUT"
run h dump
expect_eq "... with the previous content" "$D2" "$OUT"
expect_rc "rollback to an explicit older generation" 0 '' h rollback 1
expect_eq "... publishes generation 5" "5" "$OUT"
run h dump
expect_eq "... with generation 1's content" "$D1" "$OUT"
expect_rc "rollback forward to generation 3 (older than current)" 0 '' h rollback 3
run h dump
expect_eq "... with generation 3's content" "$D3" "$OUT"
run h generation
expect_eq "current generation after three rollbacks" "6" "$OUT"
expect_rc "rollback to the current generation is refused" 1 'not an older generation' h rollback 6
expect_rc "rollback to a future generation is refused" 1 'not an older generation' h rollback 99
run h put-account r4 70004
run h put-account r5 70005
run h generations
expect_eq "generations 1-4 pruned" "5 6 7 8" "$OUT"
run h dump
Dnow=$OUT
expect_rc "rollback to a pruned generation fails clearly" 1 \
	'generation 1 is not available' h rollback 1
expect_rc "rollback to a pruned generation: ENOENT" 1 'ENOENT' h rollback 4
run h dump
expect_eq "failed rollbacks changed nothing" "$Dnow" "$OUT"
run h generation
expect_eq "failed rollbacks published nothing" "8" "$OUT"
expect_eq "failed rollbacks left nothing" "" "$(leftovers "$S/db")"
new_store rb1
run h put-account only 70001
expect_rc "rollback with a single generation is refused" 1 'no older|not an older' h rollback

# revocations and retired IDs survive rollback
new_store rbstate
run h create u1
expect_eq "first UID from the range" "70000" "$OUT"
run h generation
G_u1=$OUT
run h revoke cred-x
run h is-revoked cred-x
expect_eq "revoked" "revoked" "$OUT"
run h is-revoked cred-y
expect_eq "others are not" "not-revoked" "$OUT"
expect_rc "rollback to before the revocation" 0 '' h rollback "$G_u1"
run h is-revoked cred-x
expect_eq "a revocation survives rollback" "revoked" "$OUT"
run h del-account u1
run h is-retired 70000
expect_eq "deleted account's UID is retired" "retired" "$OUT"
expect_rc "rollback to before the deletion" 0 '' h rollback "$G_u1"
expect_rc "... brings the account back" 0 '' h get u1
run h is-retired 70000
expect_eq "a retired UID stays retired after rollback" "retired" "$OUT"
run h create u2
expect_eq "next_id hands out neither the retired nor a used UID" "70001" "$OUT"
run h create u3
expect_eq "next_id keeps counting up" "70002" "$OUT"
expect_rc "rollback to before u2 and u3" 0 '' h rollback "$G_u1"
run h create u4
expect_eq "next_id does not reuse UIDs lost by a rollback" "70003" "$OUT"

# a small range, used up, then rolled back: the UIDs handed out before
# must not come back (they may be in use by files, processes, backups)
new_store ids "uid_min = 70000" "uid_max = 70002"
run h create i1
run h create i2
run h create i3
expect_eq "third UID of a three-UID range" "70002" "$OUT"
expect_rc "range exhausted: ENOSPC" 1 'ENOSPC' h create i4
expect_rc "rollback to the first generation" 0 '' h rollback 1
expect_rc "after rollback, no previously handed-out UID is reused" 1 'ENOSPC' h create i5
run h dump
expect_eq "... and nothing was added" "i1" "$(printf '%s\n' "$OUT" | cut -d' ' -f1 | xargs)"
# UIDs skipped by an explicitly chosen one are still handed out
new_store ids2 "uid_min = 70000" "uid_max = 70002"
run h note-id 70002
expect_rc "UID below an explicitly chosen one" 0 '' h create j1
expect_eq "... is the lowest never handed out" "70000" "$OUT"
run h create j2
expect_eq "... then the next" "70001" "$OUT"
expect_rc "the explicitly chosen UID is not handed out again" 1 'ENOSPC' h create j3

# ======================================================================
# ownership and modes that readers refuse
# ======================================================================
new_store perm
run h put-account p1 70001
run h touch-all p2
G="$S/db/$(readlink "$S/db/current")"
expect_rc "baseline: all files open" 0 '' h open all
reader_refuses() { # desc errno-regex mask
	expect_rc "$1" 1 "$2" h open "$3"
}
chmod 0775 "$G"
reader_refuses "group-writable generation dir: EPERM" EPERM acc
chmod 0757 "$G"
reader_refuses "world-writable generation dir: EPERM" EPERM acc
chmod 0755 "$G"
chown 65534 "$G"
reader_refuses "generation dir owned by nobody: EPERM" EPERM acc
chown 0 "$G"
chmod 0664 "$G/accounts.db"
reader_refuses "group-writable accounts.db: EPERM" EPERM acc
chmod 0646 "$G/accounts.db"
reader_refuses "world-writable accounts.db: EPERM" EPERM acc
chmod 0644 "$G/accounts.db"
chown 65534:65534 "$G/accounts.db"
reader_refuses "accounts.db owned by nobody: EPERM" EPERM acc
chown 0:0 "$G/accounts.db"
chmod 0640 "$G/credentials.db"
reader_refuses "credentials.db with mode 0640: EPERM" EPERM all
expect_rc "... not opened when not asked for" 0 '' h open acc,pub
chmod 0604 "$G/credentials.db"
reader_refuses "credentials.db readable by others: EPERM" EPERM cred
chmod 0600 "$G/credentials.db"
chmod 0660 "$G/pubkeys.db"
reader_refuses "group-writable pubkeys.db: EPERM" EPERM pub
chmod 0640 "$G/pubkeys.db"
chown 65534 "$G/pubkeys.db"
reader_refuses "pubkeys.db owned by nobody: EPERM" EPERM pub
chown 0 "$G/pubkeys.db"
mv "$G/accounts.db" "$G/accounts.real"
ln -s accounts.real "$G/accounts.db"
reader_refuses "symlink planted as accounts.db: ELOOP" ELOOP acc
rm "$G/accounts.db"
ln -s "$G/accounts.real" "$G/accounts.db"
reader_refuses "absolute symlink planted as accounts.db: ELOOP" ELOOP acc
rm "$G/accounts.db"
ln "$G/accounts.real" "$G/accounts.db"
rm "$G/accounts.real"
mkdir "$G/x" && mv "$G/credentials.db" "$G/x/" && ln -s x/credentials.db "$G/credentials.db"
reader_refuses "symlink planted as credentials.db: ELOOP" ELOOP cred
rm "$G/credentials.db" && mv "$G/x/credentials.db" "$G/" && rmdir "$G/x"
chmod 0775 "$S/db"
reader_refuses "group-writable db_dir: EPERM" EPERM acc
chmod 0755 "$S/db"
gname=${G##*/}
mv "$G" "$G.real"
ln -s "$gname.real" "$G"
reader_refuses "generation dir replaced by a symlink" 'ELOOP|ENOTDIR|EPERM' acc
rm "$G"
mv "$G.real" "$G"
expect_rc "everything restored: all files open" 0 '' h open all

cur=$(readlink "$S/db/current")
for bad in gen-abc ../x gen-0000000000 gen-00000000001 gen-000000001 \
	"gen-000000000 1" /etc "$S/db/$cur" "$cur/"; do
	ln -sfn "$bad" "$S/db/current"
	expect_rc "current -> '$bad' is refused" 1 'EBADMSG' h open acc
done
expect_rc "a writer refuses a garbage current too" 1 'current' h put-account p3 70003
expect_eq "... and removes no generation" "$gname" "$(cd "$S/db" && ls -d gen-* | tail -1)"
ln -sfn gen-0000000099 "$S/db/current"
expect_rc "current -> a missing generation: ENOENT" 1 'ENOENT' h open acc
rm "$S/db/current"
echo "$cur" >"$S/db/current"
expect_rc "current as a regular file is refused" 1 '' h open acc
rm "$S/db/current"
mkdir "$S/db/current"
expect_rc "current as a directory is refused" 1 '' h open acc
rmdir "$S/db/current"
ln -sfn "$cur" "$S/db/current"
expect_rc "current restored: opens" 0 '' h open acc

# A damaged GDBM file, in a generation read through GDBM (as one written
# before indexes existed: readers use an index whenever there is one)
for f in accounts credentials pubkeys; do mv "$G/$f.idx" "$S/$f.idx.good"; done
expect_rc "a generation without indexes opens (through GDBM)" 0 '' h open all
cp -p "$G/accounts.db" "$S/accounts.good"
head -c 16384 /dev/urandom >"$G/accounts.db"
expect_rc "random bytes as accounts.db: an error" 1 'EBADMSG|EIO' h dump
expect_rc "... a writer refuses it too" 1 'corrupt|EBADMSG' h put-account p4 70004
size=$(stat -c %s "$S/accounts.good")
cp "$S/accounts.good" "$G/accounts.db"
truncate -s $((size / 2)) "$G/accounts.db"
expect_rc "accounts.db truncated to half: an error" 1 'EBADMSG|EIO' h dump
head -c 100 "$S/accounts.good" >"$G/accounts.db"
expect_rc "accounts.db truncated to 100 bytes: an error" 1 'EBADMSG|EIO' h dump
: >"$G/accounts.db"
expect_rc "empty accounts.db: an error" 1 '' h dump
cp -p "$S/accounts.good" "$G/accounts.db"
cp -p "$G/credentials.db" "$S/cred.good"
dd if=/dev/urandom of="$G/credentials.db" bs=1 count=64 seek=0 conv=notrunc status=none
expect_rc "credentials.db with a garbled header: an error" 1 '' h verify all
cp -p "$S/cred.good" "$G/credentials.db"
expect_rc "restored: every record decodes" 0 '' h verify all
for f in accounts credentials pubkeys; do mv "$S/$f.idx.good" "$G/$f.idx"; done
expect_rc "indexes back: every record decodes" 0 '' h verify all

# A damaged index: readers refuse the generation (never a crash, never a
# guess); the writer builds the next generation's index from GDBM.
cp -p "$G/accounts.idx" "$S/accounts.idx.good"
isize=$(stat -c %s "$S/accounts.idx.good")
# put_idx NAME: restore the good index, then let the caller damage it
put_idx() { cp -p "$S/accounts.idx.good" "$G/accounts.idx"; }
put_idx; head -c "$isize" /dev/urandom >"$G/accounts.idx"
expect_rc "random bytes as accounts.idx: EBADMSG" 1 'EBADMSG' h dump
put_idx; truncate -s $((isize / 2)) "$G/accounts.idx"
expect_rc "accounts.idx truncated to half: EBADMSG" 1 'EBADMSG' h dump
put_idx; truncate -s 40 "$G/accounts.idx"
expect_rc "accounts.idx shorter than its header: EBADMSG" 1 'EBADMSG' h dump
put_idx; : >"$G/accounts.idx"
expect_rc "empty accounts.idx: EBADMSG" 1 'EBADMSG' h dump
put_idx; truncate -s $((isize + 4096)) "$G/accounts.idx"
expect_rc "accounts.idx with bytes appended: EBADMSG" 1 'EBADMSG' h dump
# an index of another version (an older or a newer writer's) is derived
# data this build cannot read: the generation is read through GDBM, the
# file of record, as if it had no index
put_idx; run h dump
good_dump=$OUT
expect_match "the good index: dump lists the records" '^p1 70001 ' "$good_dump"
put_idx; printf '\003' | dd of="$G/accounts.idx" bs=1 seek=8 conv=notrunc status=none
run h dump
expect_eq "accounts.idx of another version: read through GDBM, same records" "$good_dump" "$OUT"
put_idx; python3 "$top_srcdir/tests/lib/idxdamage.py" "$G/accounts.idx" version-1
run h dump
expect_eq "accounts.idx of version 1 (a valid header): read through GDBM" "$good_dump" "$OUT"
expect_rc "... lookups by name too" 0 '' h get p1
put_idx; printf 'X' | dd of="$G/accounts.idx" bs=1 seek=40 conv=notrunc status=none
expect_rc "accounts.idx with a changed header: EBADMSG" 1 'EBADMSG' h dump
put_idx; truncate -s 3G "$G/accounts.idx"
expect_rc "an oversized (sparse) accounts.idx: EFBIG" 1 'EFBIG' h dump
# damaged tables behind a valid header: every read is bounds-checked
for how in slots-past-end slots-in-tables slots-mid-record; do
	put_idx; python3 "$top_srcdir/tests/lib/idxdamage.py" "$G/accounts.idx" $how
	expect_rc "accounts.idx, $how: a lookup by name: EBADMSG" 1 'EBADMSG' h get p1
done
for how in lengths-past-end lengths-max; do
	put_idx; python3 "$top_srcdir/tests/lib/idxdamage.py" "$G/accounts.idx" $how
	expect_rc "accounts.idx, $how: EBADMSG" 1 'EBADMSG' h dump
	expect_rc "... lookups by name too" 1 'EBADMSG' h get p1
done
put_idx; python3 "$top_srcdir/tests/lib/idxdamage.py" "$G/accounts.idx" order-past-end
expect_rc "accounts.idx whose order table points outside it: EBADMSG" 1 'EBADMSG' h dump
# a lookup reads its slot and its record, never the order table
expect_rc "... a lookup by name still answers" 0 '' h get p1
put_idx; chmod 0666 "$G/accounts.idx"
expect_rc "world-writable accounts.idx: EPERM" 1 'EPERM' h open acc
put_idx; chown nobody "$G/accounts.idx"
expect_rc "accounts.idx owned by nobody: EPERM" 1 'EPERM' h open acc
put_idx; cp -p "$G/credentials.idx" "$S/cred.idx.good"; chmod 0640 "$G/credentials.idx"
expect_rc "credentials.idx readable by the group: EPERM" 1 'EPERM' h open cred
cp -p "$S/cred.idx.good" "$G/credentials.idx"
put_idx; rm "$G/accounts.idx"; ln -s "$S/accounts.idx.good" "$G/accounts.idx"
expect_rc "symlink planted as accounts.idx: ELOOP" 1 'ELOOP' h open acc
rm "$G/accounts.idx"; mkfifo -m 0644 "$G/accounts.idx"
expect_rc "a FIFO as accounts.idx: refused, not hung" 1 'EPERM' timeout 10 "$H" "$C" open acc
rm "$G/accounts.idx"; head -c "$isize" /dev/urandom >"$G/accounts.idx"
expect_rc "a writer after a damaged index: publishes" 0 '' h put-account p4 70004
expect_rc "... with an index built from GDBM: every record decodes" 0 '' h verify all
expect_rc "... the new record is found" 0 '' h get p4

# `current` removed while generations exist: a writer refuses, keeps them
new_store nocur
run h put-account n1 70001
run h put-account n2 70002
rm "$S/db/current"
expect_rc "a writer refuses when current is missing but generations exist" \
	1 'current is missing but generations exist' h put-account n3 70003
if [ -e "$S/db/gen-0000000002" ]; then
	tap_ok "a writer keeps the generations when current is missing"
else
	tap_notok "a writer keeps the generations when current is missing"
fi

# gens DBDIR: the generation directories, in order, on one line
gens() { (cd "$1" && ls -d gen-* 2>/dev/null | xargs); }

# `current` names a generation that is gone, the one above it exists: the
# writer refuses and the one above is kept (the base is opened before any
# leftover is removed)
new_store dangling
for i in 1 2 3; do h put-account "d$i" $((70000 + i)) >/dev/null; done
rm -r "$S/db/gen-0000000002"
ln -sfn gen-0000000002 "$S/db/current"
expect_rc "current -> a missing generation: the writer refuses" 1 'gen-0000000002' \
	h put-account d4 70004
expect_eq "... and keeps the generation above it" "gen-0000000001 gen-0000000003" "$(gens "$S/db")"

# `current` moved back by hand while newer generations exist: refused,
# nothing removed (only base + 1 can be a dead writer's leftover)
new_store rewound
for i in 1 2 3 4; do h put-account "r$i" $((70000 + i)) >/dev/null; done
ln -sfn gen-0000000002 "$S/db/current"
expect_rc "current moved back two generations: the writer refuses" 1 \
	'gen-0000000004 is newer than .*current' h put-account r5 70005
expect_eq "... and removes no generation" \
	"gen-0000000001 gen-0000000002 gen-0000000003 gen-0000000004" "$(gens "$S/db")"
ln -sfn gen-0000000004 "$S/db/current"
expect_rc "current pointed at the newest again: the writer works" 0 '' h put-account r5 70005

# a leftover the next writer cannot remove (a symlink where the next
# generation goes): refused before anything is written, nothing outside
# the store touched
new_store stuck
h put-account s1 70001 >/dev/null
mkdir -m 0755 "$S/outside"
echo keep >"$S/outside/file"
ln -s "$S/outside" "$S/db/gen-0000000002"
statesum() { (cd "$S/state" && ls -A && cat ./*) | sha256sum; }
before=$(statesum)
# (create: the next free UID, noted in the state dir's ids.db)
expect_rc "a leftover that cannot be removed: the writer refuses" 1 \
	'earlier writer left .*gen-0000000002' h create s2
expect_eq "... before it wrote the state dir (UID not handed out)" "$before" "$(statesum)"
expect_eq "... nothing outside the store changed" "file keep" \
	"$(cd "$S/outside" && echo * "$(cat file)")"
rm "$S/db/gen-0000000002"
expect_rc "... removed by hand: the writer works" 0 '' h create s2

# The generations are listed before anything is removed; a listing that
# fails is refused, never taken for "no generations" (which would make
# every gen-N a leftover to delete). Two ways to make it fail: an
# allocation (the failmalloc shim fails the Nth allocation inside
# sv_txn_begin, for every N) and the file descriptor limit.
new_store fmlost
for i in 1 2 3; do h put-account "f$i" $((70000 + i)) >/dev/null; done
rm "$S/db/current"
cp -a "$S/db" "$S/db.pristine"
new_store fmok
for i in 1 2 3; do h put-account "g$i" $((70000 + i)) >/dev/null; done
cp -a "$S/db" "$S/db.pristine"
cp -a "$S/state" "$S/state.pristine"
LOST="$ROOT/fmlost" OKS="$ROOT/fmok"
want_lost="gen-0000000001 gen-0000000002 gen-0000000003"
SHIM=$top_builddir/tests/hardening/.libs/libfailmalloc.so
if [ "${SVCACCT_SANITIZERS:-}" = 1 ]; then
	tap_skip "allocation failures in sv_txn_begin" "ASan owns malloc in this build"
elif [ ! -e "$SHIM" ]; then
	tap_notok "failmalloc shim built ($SHIM)"
else
	# N = 1, 2, ... until neither run reaches an Nth allocation
	bad="" injected=0 listing=0 n=1 more=1
	while [ "$more" = 1 ] && [ "$n" -le 2000 ]; do
		more=0
		# current missing, three generations: every run refused,
		# every generation kept
		rm -rf "$LOST/db" && cp -a "$LOST/db.pristine" "$LOST/db"
		: >"$ROOT/fm.rep"
		FAILMALLOC_N=$n FAILMALLOC_REPORT="$ROOT/fm.rep" LD_PRELOAD="$SHIM" \
			"$H" "$LOST/svcacct.conf" put-account x 70009 >/dev/null 2>"$ROOT/fm.err"
		rc=$?
		case $(<"$ROOT/fm.rep") in *inject*) injected=$((injected + 1)) more=1 ;; esac
		grep -q 'listing the generations' "$ROOT/fm.err" && listing=$((listing + 1))
		[ "$rc" = 1 ] || bad="$bad lost:N=$n:rc=$rc"
		[ "$(gens "$LOST/db")" = "$want_lost" ] || bad="$bad lost:N=$n:$(gens "$LOST/db" | tr ' ' ,)"
		# a healthy store: the run commits, or is refused and the
		# store is as it was
		rm -rf "$OKS/db" "$OKS/state"
		cp -a "$OKS/db.pristine" "$OKS/db" && cp -a "$OKS/state.pristine" "$OKS/state"
		: >"$ROOT/fm.rep"
		FAILMALLOC_N=$n FAILMALLOC_REPORT="$ROOT/fm.rep" LD_PRELOAD="$SHIM" \
			"$H" "$OKS/svcacct.conf" put-account x 70009 >/dev/null 2>"$ROOT/fm.err"
		rc=$?
		case $(<"$ROOT/fm.rep") in *inject*) injected=$((injected + 1)) more=1 ;; esac
		C=$OKS/svcacct.conf
		if [ "$rc" = 0 ]; then
			[ "$(h dump | cut -d' ' -f1 | xargs)" = "g1 g2 g3 x" ] || bad="$bad ok:N=$n:committed-wrong"
		else
			[ "$rc" = 1 ] && [ -s "$ROOT/fm.err" ] || bad="$bad ok:N=$n:rc=$rc"
			[ "$(gens "$OKS/db")" = "$want_lost" ] &&
				[ "$(readlink "$OKS/db/current")" = gen-0000000003 ] &&
				[ "$(h dump | cut -d' ' -f1 | xargs)" = "g1 g2 g3" ] ||
				bad="$bad ok:N=$n:changed"
		fi
		n=$((n + 1))
	done
	expect_eq "failed allocations in sv_txn_begin ($injected runs): no generation deleted, nothing changed" "" "$bad"
	if [ "$injected" -gt 10 ] && [ "$more" = 0 ]; then
		tap_ok "every allocation of sv_txn_begin was failed once ($injected runs)"
	else
		tap_notok "every allocation of sv_txn_begin was failed once ($injected runs, stopped at N=$n)"
	fi
	expect_match "... the listing of the generations among them, refused" '^[1-9]' "$listing"
fi
bad="" refused=0 listing=0
for lim in $(seq 4 32); do
	rm -rf "$LOST/db" && cp -a "$LOST/db.pristine" "$LOST/db"
	(ulimit -n "$lim" && exec "$H" "$LOST/svcacct.conf" put-account x 70009) >/dev/null 2>"$ROOT/fd.err"
	rc=$?
	[ "$rc" != 0 ] && refused=$((refused + 1))
	grep -q 'listing the generations' "$ROOT/fd.err" && listing=$((listing + 1))
	[ "$(gens "$LOST/db")" = "$want_lost" ] || bad="$bad lost:nofile=$lim:$(gens "$LOST/db" | tr ' ' ,)"
	rm -rf "$OKS/db" "$OKS/state"
	cp -a "$OKS/db.pristine" "$OKS/db" && cp -a "$OKS/state.pristine" "$OKS/state"
	(ulimit -n "$lim" && exec "$H" "$OKS/svcacct.conf" put-account x 70009) >/dev/null 2>&1
	rc=$?
	C=$OKS/svcacct.conf
	if [ "$rc" = 0 ]; then
		[ "$(h dump | cut -d' ' -f1 | xargs)" = "g1 g2 g3 x" ] || bad="$bad ok:nofile=$lim:committed-wrong"
	else
		[ "$(gens "$OKS/db")" = "$want_lost" ] &&
			[ "$(readlink "$OKS/db/current")" = gen-0000000003 ] &&
			[ "$(h dump | cut -d' ' -f1 | xargs)" = "g1 g2 g3" ] ||
			bad="$bad ok:nofile=$lim:rc=$rc:changed"
	fi
done
expect_eq "RLIMIT_NOFILE 4 to 32: no generation deleted, nothing changed" "" "$bad"
expect_eq "... a store without current refused at every limit" 29 "$refused"
expect_match "... the listing of the generations failing at one, refused" '^[1-9]' "$listing"

# ======================================================================
# modes of published files, whatever the writer's umask
# ======================================================================
check_modes() { # label dbdir statedir
	local g f m bad=""
	for g in "$2"/gen-*; do
		[ "$(stat -c %a "$g")" = 755 ] || bad="$bad ${g##*/}=$(stat -c %a "$g")"
		for f in accounts.db:644 credentials.db:600 pubkeys.db:640; do
			m=$(stat -c %a "$g/${f%:*}")
			[ "$m" = "${f#*:}" ] || bad="$bad ${g##*/}/${f%:*}=$m"
			[ "$(stat -c %u "$g/${f%:*}")" = 0 ] || bad="$bad ${f%:*}:notroot"
		done
	done
	expect_eq "$1: generation dirs 0755, files 0644/0600/0640" "" "$bad"
	expect_eq "$1: nothing group/world-writable in the store" "" \
		"$(find "$2" "$3" ! -type l -perm /022)"
	expect_eq "$1: state files private" "" \
		"$(find "$3" -type f -perm /077)"
}
# readers that are not root (NSS in any process) need to get through
chmod 0755 "$ROOT"
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
for um in 077 000 027; do
	new_store "umask$um" "keep_generations = 6" \
		"db_dir = $ROOT/umask$um/a/b/db" "state_dir = $ROOT/umask$um/s/state"
	(
		umask $um
		h touch-all m1 && h touch-all m2 && h put-account m3 70003 &&
			h rollback 1 && h revoke c && h create m4
	) >/dev/null 2>"$S/err"
	expect_eq "umask $um: writes succeeded" "" "$(cat "$S/err")"
	run h generations
	expect_eq "umask $um: six generations" "1 2 3 4 5 6" "$OUT"
	check_modes "umask $um" "$S/a/b/db" "$S/s/state"
	expect_eq "umask $um: directories the writer created: db 0755, state 0700" \
		"755 755 755 755 700" \
		"$(stat -c %a "$S/a" "$S/a/b" "$S/a/b/db" "$S/s" "$S/s/state" | xargs)"
	expect_rc "umask $um: readers open every file" 0 '' h verify all
	if command -v setpriv >/dev/null; then
		expect_rc "umask $um: an unprivileged reader reads accounts.db" 0 '' \
			nobody "$H" "$C" get m1
		expect_rc "umask $um: ... but not credentials.db" 1 'EACCES' \
			nobody "$H" "$C" open cred
	else
		tap_skip "umask $um: unprivileged readers" "needs setpriv"
	fi
done

done_testing
