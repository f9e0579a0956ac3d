#!/bin/bash
# SPDX-License-Identifier: MIT
# Faults the store and PAM tests do not already cover (see the list in
# docs/SECURITY.md), each asserting that logins fail closed with a reason
# in the log, that nothing is lost, and that nothing outside the store is
# written through a planted link:
#  - credentials.db, pubkeys.db and accounts.db corrupted, truncated,
#    emptied, or replaced with an unsafe owner or mode;
#  - the state dir: host key and revocation list unsafe or missing;
#  - the replay cache: file truncated, emptied, with an unsafe mode or
#    owner, replaced by a symlink, a FIFO or a directory, given a second
#    name (hard link), unsafe dir; a hard link planted as its rebuild temp
#    file;
#  - the writer: symlinks planted as the next temp dir, the temp symlink,
#    the next generation, a hard link planted as a state temp file, the db
#    dir itself a symlink;
#  - the module's config: missing, writable by others, not root's, in a
#    writable directory;
#  - RLIMIT_NOFILE at its floor, and very long names, fields, credentials
#    and part counts;
#  - the CLI's account list with each of its allocations failed in turn
#    (the failmalloc shim, counting from the start of the process).
. "$top_srcdir/tests/pam/lib.sh"
setup_store
BENCH=$top_builddir/tests/bench/pam/pambench
K=(--key "$T/k256.key" --alg ES256 --kid k256)

# closed DESC REASON-ERE HARNESS-ARGS...: auth ran, did not succeed, and
# logged a reason matching REASON-ERE
closed() {
	local d=$1 re=$2 before out got=""
	shift 2
	before=$(wc -l <"$LOG")
	out=$(H "$@" 2>&1)
	local rc=$?
	for _ in $(seq 60); do
		got=$(tail -n +"$((before + 1))" "$LOG" | grep -oE "reason=[a-z_]+" | tail -1)
		[ -n "$got" ] && break
		sleep 0.05
	done
	if [ "$rc" -lt 128 ] && grep -q '^auth=PAM_' <<<"$out" && ! grep -qx 'auth=PAM_SUCCESS' <<<"$out" &&
		grep -qE "^reason=($re)\$" <<<"$got"; then
		tap_ok "$d: $(grep '^auth=' <<<"$out") $got"
	else
		tap_notok "$d"
		tap_diag "rc=$rc want a refusal with reason /$re/" "$out" "log: $got"
	fi
}
OKAUTH=auth=PAM_SUCCESS
E=auth=PAM_AUTH_ERR

# a private copy of the store for each damage: conf, pam service, paths
# fresh NAME: $T/NAME.conf over a copy of db and state; service NAME
fresh() {
	local n=$1
	rm -rf "$T/$n"
	mkdir -p "$T/$n"
	cp -a "$T/db" "$T/$n/db"
	cp -a "$T/state" "$T/$n/state"
	sed -e "s|^db_dir.*|db_dir = $T/$n/db|" -e "s|^state_dir.*|state_dir = $T/$n/state|" \
		"$T/c.conf" >"$T/$n.conf"
	printf 'auth required %s conf=%s\n' "$MOD" "$T/$n.conf" >"$T/pam.d/$n"
	G=$T/$n/db/$(readlink "$T/$n/db/current")
	chmod u+w "$G"
}

# ---------------------------------------------------------------- databases
# each file the login reads: the index, and (in a generation without
# indexes, as one written by an older release) the GDBM file
for kind in idx db; do
for db in credentials accounts; do
	for how in random half empty header; do
		fresh "$db-$how"
		[ "$kind" = db ] && rm -f "$G"/*.idx
		f=$G/$db.$kind
		mode=$(stat -c %a "$f")
		size=$(stat -c %s "$f")
		case $how in
		random) rm -f "$f"; head -c "$size" /dev/urandom >"$f" ;;
		half) truncate -s $((size / 2)) "$f" ;;
		empty) : >"$f" ;;
		header) dd if=/dev/urandom of="$f" bs=1 count=64 conv=notrunc status=none ;;
		esac
		chmod "$mode" "$f"
		closed "$db.$kind $how: secret" 'store_corrupt|store_missing|store_error' \
			-s "$db-$how" -u bot -n -p "$SECRET"
		closed "$db.$kind $how: assertion" 'store_corrupt|store_missing|store_error' \
			-s "$db-$how" -u bot -n -p "$(M "${K[@]}")"
	done
done
done
fresh credmode
chmod 0644 "$G/credentials.db"
closed "credentials.db readable by others" 'store_[a-z]+' -s credmode -u bot -n -p "$SECRET"
fresh credowner
chown +65534 "$G/credentials.db"
closed "credentials.db not root's" 'store_[a-z]+' -s credowner -u bot -n -p "$SECRET"
fresh credlink
mv "$G/credentials.db" "$T/credlink/elsewhere.db"
ln -s "$T/credlink/elsewhere.db" "$G/credentials.db"
closed "credentials.db a symlink" 'store_[a-z]+' -s credlink -u bot -n -p "$SECRET"
fresh pubkeys
head -c 4096 /dev/urandom >"$T/pubkeys/x" && cat "$T/pubkeys/x" >"$G/pubkeys.idx"
run "$top_builddir/tools/svcacct" --conf "$T/pubkeys.conf" authorized-keys bot
expect_match "pubkeys.idx corrupt: authorized-keys fails, clearly" "^1 .*pubkeys" "$RC $ERR"
expect_eq "pubkeys.idx corrupt: authorized-keys prints no key" "" "$OUT"
check "pubkeys.idx corrupt: logins by secret unaffected" $OKAUTH ok -s pubkeys -u bot -n -p "$SECRET"
fresh pubkeysg
rm -f "$G"/*.idx
head -c 4096 /dev/urandom >"$T/pubkeysg/x" && cat "$T/pubkeysg/x" >"$G/pubkeys.db"
run "$top_builddir/tools/svcacct" --conf "$T/pubkeysg.conf" authorized-keys bot
expect_match "pubkeys.db corrupt (no index): authorized-keys fails, clearly" "^1 .*pubkeys" "$RC $ERR"
expect_eq "... prints no key" "" "$OUT"
check "... logins by secret unaffected" $OKAUTH ok -s pubkeysg -u bot -n -p "$SECRET"

# ---------------------------------------------------------------- state dir
fresh hostkey
chmod 0644 "$T/hostkey/state/hostkey"
closed "host key readable by others: secrets refused" '[a-z_]+' -s hostkey -u bot -n -p "$SECRET"
fresh nohostkey
rm "$T/nohostkey/state/hostkey"
closed "host key missing: secrets refused" '[a-z_]+' -s nohostkey -u bot -n -p "$SECRET"
fresh norevoked
rm "$T/norevoked/state/revoked.db"
closed "revoked.db missing: secrets refused (a rollback must not revive)" '[a-z_]+' \
	-s norevoked -u bot -n -p "$SECRET"
closed "revoked.db missing: assertions refused" '[a-z_]+' -s norevoked -u bot -n -p "$(M "${K[@]}")"

# ---------------------------------------------------------------- replay cache
R=$T/state/replay
H -s sshd -u bot -n -p "$(M "${K[@]}")" >/dev/null
cp -p "$R/bot" "$T/replay.good"
restore_replay() { rm -f "$R/bot"; cp -p "$T/replay.good" "$R/bot"; }
truncate -s $(($(stat -c %s "$R/bot") / 2)) "$R/bot"
closed "replay file truncated to half" replay_cache_error -s sshd -u bot -n -p "$(M "${K[@]}")"
: >"$R/bot"
closed "replay file emptied (not taken for a new one: its jtis would be lost)" \
	replay_cache_error -s sshd -u bot -n -p "$(M "${K[@]}")"
truncate -s 10 "$R/bot"
closed "replay file shorter than its header" replay_cache_error -s sshd -u bot -n -p "$(M "${K[@]}")"
restore_replay
mv "$R/bot" "$T/replay.moved"
ln -s "$T/replay.moved" "$R/bot"
closed "replay file replaced by a symlink" replay_cache_error -s sshd -u bot -n -p "$(M "${K[@]}")"
rm "$R/bot"
restore_replay
ln "$R/bot" "$T/replay.hardlink"
closed "replay file with a second name (hard link)" replay_cache_error -s sshd -u bot -n -p "$(M "${K[@]}")"
rm "$T/replay.hardlink"
# the file is judged once its lock is held: whatever else sits there is
# still refused, without waiting for a lock it cannot take
chmod 0644 "$R/bot"
closed "replay file readable by others" replay_cache_error -s sshd -u bot -n -p "$(M "${K[@]}")"
chmod 0600 "$R/bot"
chown nobody "$R/bot"
closed "replay file owned by another user" replay_cache_error -s sshd -u bot -n -p "$(M "${K[@]}")"
restore_replay
rm "$R/bot" && mkfifo -m 0600 "$R/bot"
closed "replay file replaced by a FIFO" replay_cache_error -s sshd -u bot -n -p "$(M "${K[@]}")"
rm "$R/bot" && mkdir -m 0700 "$R/bot"
closed "replay file replaced by a directory" replay_cache_error -s sshd -u bot -n -p "$(M "${K[@]}")"
rmdir "$R/bot"
restore_replay
chmod 0777 "$R"
closed "replay dir writable by others" replay_cache_error -s sshd -u bot -n -p "$(M "${K[@]}")"
chmod 0700 "$R"
mv "$R" "$T/replay.dir"
ln -s "$T/replay.dir" "$R"
closed "replay dir replaced by a symlink" replay_cache_error -s sshd -u bot -n -p "$(M "${K[@]}")"
rm "$R"
mv "$T/replay.dir" "$R"
check "replay cache restored: accepted" $OKAUTH ok -s sshd -u bot -n -p "$(M "${K[@]}")"
# a new account's first login creates its file whole, never empty
S account create fresh1 --role deployers >/dev/null
S key add fresh1 --pem "$T/k256.pub" --kid k256 --alg ES256 >/dev/null
check "a new account's replay file is created" $OKAUTH ok -s sshd -u fresh1 -n \
	-p "$(M "${K[@]}" --account fresh1)"
expect_eq "... whole (header and the smallest table), one name" "3136 1" \
	"$(stat -c '%s %h' "$R/fresh1")"
expect_eq "... and no temp file left beside it" "" "$(cd "$R" && ls | grep -v '^[a-z0-9_-]*$')"
# a hard link planted as the rebuild's temp file is never written through:
# 40 logins make the 64-slot table rebuild (at half full)
echo "victim" >"$T/victim"
ln "$T/victim" "$R/fresh1.new"
M "${K[@]}" --account fresh1 --count 40 >"$T/many"
"$BENCH" count "$T/pam.d" sshd fresh1 "$T/many" >"$T/many.out" 2>&1
expect_match "rebuild with a planted temp link: all logins ok" "ok=40 fail=0" "$(cat "$T/many.out")"
expect_eq "... the planted link's target untouched" "victim" "$(cat "$T/victim")"
expect_eq "... the table grew (rebuilt)" "6208" "$(stat -c %s "$R/fresh1")"
expect_eq "... and every jti is still known" "ok=0 fail=40" \
	"$("$BENCH" count "$T/pam.d" sshd fresh1 "$T/many" | grep -o 'ok=[0-9]* fail=[0-9]*')"

# ---------------------------------------------------------------- writer
# svcacct against a store with links planted where it writes: it either
# commits (removing the link, not following it) or refuses clearly;
# nothing outside the store changes and the store stays whole
fresh writer
WC=$T/writer.conf
W() { "$top_builddir/tools/svcacct" --conf "$WC" "$@"; }
mkdir -p "$T/outside"
echo keep >"$T/outside/file"
snap() { (cd "$T/outside" && find . -printf '%p %s %n\n' | sort; cat file); }
OUTSIDE=$(snap)
gen=$(readlink "$T/writer/db/current")
next=$(printf '%010d' $((10#${gen#gen-} + 1)))
writer_case() { # DESC (after planting): a commit, then the checks
	local d=$1 before
	before=$(W account list 2>&1)
	run W account create "w$((++wn))" --no-home
	if [ "$RC" = 0 ]; then
		expect_match "$d: committed" "w$wn" "$(W account list 2>&1)"
	else
		expect_match "$d: refused with a message" "." "$ERR"
		expect_eq "$d: ... the store unchanged" "$before" "$(W account list 2>&1)"
	fi
	expect_eq "$d: nothing outside the store changed" "$OUTSIDE" "$(snap)"
	expect_rc "$d: svcacct check passes afterwards" 0 '' W check
	gen=$(readlink "$T/writer/db/current")
	next=$(printf '%010d' $((10#${gen#gen-} + 1)))
}
wn=0
ln -s "$T/outside" "$T/writer/db/.tmp-$next"
writer_case "symlink planted as the next temp dir"
rm -f "$T/writer/db/.tmp-$next"
ln -s "$T/outside" "$T/writer/db/.current.tmp"
writer_case "symlink planted as the temp current link"
rm -f "$T/writer/db/.current.tmp"
ln -s "$T/outside" "$T/writer/db/gen-$next"
writer_case "symlink planted as the next generation"
rm -f "$T/writer/db/gen-$next"
ln "$T/outside/file" "$T/writer/state/ids.db.new"
writer_case "hard link planted as a state temp file"
rm -f "$T/writer/state/ids.db.new"
# the db dir reached through a symlink: the path is resolved and every
# component of the target checked (root's, not group/world-writable), as
# for the config: a root-owned link to a safe directory works, a link to
# an unsafe place is refused by the writer and by logins alike
mv "$T/writer/db" "$T/writer/db.real"
ln -s "$T/writer/db.real" "$T/writer/db"
expect_rc "db dir a symlink to a safe directory: svcacct works" 0 '' W account create wlink --no-home
check "db dir a symlink to a safe directory: logins work" $OKAUTH ok -s writer -u bot -n -p "$SECRET"
mkdir -m 0777 "$T/open"
mv "$T/writer/db.real" "$T/open/db"
ln -sfn "$T/open/db" "$T/writer/db"
expect_rc "db dir a symlink into a world-writable directory: svcacct refuses" 1 'writable' \
	W account create wlink2 --no-home
closed "db dir a symlink into a world-writable directory: logins refused" 'store_[a-z]+|config_error' \
	-s writer -u bot -n -p "$SECRET"
chmod 0755 "$T/open"
chown +65534 "$T/open/db"
expect_rc "db dir a symlink to a directory not root's: svcacct refuses" 1 '' \
	W account create wlink3 --no-home
closed "db dir a symlink to a directory not root's: logins refused" 'store_[a-z]+|config_error' \
	-s writer -u bot -n -p "$SECRET"
chown +0 "$T/open/db"
rm "$T/writer/db"
mv "$T/open/db" "$T/writer/db"
expect_eq "db dir restored: nothing outside changed" "$OUTSIDE" "$(snap)"

# ---------------------------------------------------------------- config
cp "$T/c.conf" "$T/cfg.conf"
printf 'auth required %s conf=%s\n' "$MOD" "$T/cfg.conf" >"$T/pam.d/cfg"
chmod 0666 "$T/cfg.conf"
closed "config writable by others" config_error -s cfg -u bot -n -p "$SECRET"
chmod 0644 "$T/cfg.conf"
chown +65534 "$T/cfg.conf"
closed "config not root's" config_error -s cfg -u bot -n -p "$SECRET"
chown +0 "$T/cfg.conf"
mkdir -p "$T/wdir"
cp "$T/c.conf" "$T/wdir/c.conf"
chmod 0777 "$T/wdir"
printf 'auth required %s conf=%s\n' "$MOD" "$T/wdir/c.conf" >"$T/pam.d/wdir"
closed "config in a directory writable by others" config_error -s wdir -u bot -n -p "$SECRET"
ln -s "$T/c.conf" "$T/link.conf"
printf 'auth required %s conf=%s\n' "$MOD" "$T/link.conf" >"$T/pam.d/lconf"
check "config reached through a root-owned symlink: accepted" $OKAUTH ok -s lconf -u bot -n -p "$SECRET"
printf 'auth required %s conf=%s\n' "$MOD" "$T/nowhere/c.conf" >"$T/pam.d/nocfg"
closed "config missing" config_error -s nocfg -u bot -n -p "$SECRET"
check "config missing: AUTHINFO_UNAVAIL for anyone (stacks fall through to pam_unix)" \
	auth=PAM_AUTHINFO_UNAVAIL config_error -s nocfg -u alice -n -p x

# ---------------------------------------------------------------- limits
# RLIMIT_NOFILE at its floor: find the smallest limit at which a login
# still succeeds; below it every login fails closed, with a reason.
# (Not in the sanitizer build: ASan needs descriptors of its own, for its
# report and its symbolizer, and hangs without them.)
lim_login() { # LIMIT CRED
	bash -c 'ulimit -n "$1"; shift; exec "$@"' _ "$1" "$HARNESS" -c "$T/pam.d" -s sshd -u bot -n -p "$2" 2>&1
}
floor=""
san_active && floor=skip
for n in $(seq 3 40); do
	[ "$floor" = skip ] && break
	if lim_login "$n" "$SECRET" | grep -qx "$OKAUTH"; then floor=$n; break; fi
done
if [ "$floor" = skip ]; then
	tap_skip "RLIMIT_NOFILE floor" "ASan needs descriptors of its own"
	floor=3
else
	expect_match "RLIMIT_NOFILE: logins work from a small limit (floor $floor)" '^[0-9]+$' "$floor"
fi
bad=0
for n in $(seq 3 $((floor - 1))); do
	for cred in "$SECRET" "$(M "${K[@]}")"; do
		before=$(wc -l <"$LOG")
		out=$(lim_login "$n" "$cred")
		rc=$?
		if [ $rc -ge 128 ] || grep -qx "$OKAUTH" <<<"$out"; then
			bad=$((bad + 1))
			tap_diag "RLIMIT_NOFILE $n: rc=$rc $out"
		fi
	done
done
expect_eq "RLIMIT_NOFILE below the floor ($((floor - 3)) limits x 2 credentials): fail closed, no crash" 0 "$bad"
sleep 0.3
san_active || expect_match "... with a reason in the log" 'reason=(store_[a-z]+|config_error|replay_cache_error|hostkey[a-z_]*|[a-z_]+)' \
	"$(grep 'svcacct: event=auth' "$LOG" | tail -3)"
tap_diag "figures: RLIMIT_NOFILE floor for a login: $floor"

# ---------------------------------------------------------------- CLI allocations
# svcacct account list (table and --json) with its Nth allocation failed,
# for every N: never a crash, and (table) a failure always says why
SHIM=$top_builddir/tests/hardening/.libs/libfailmalloc.so
if san_active; then
	tap_skip "account list under failed allocations" "ASan owns malloc in this build"
elif [ ! -e "$SHIM" ]; then
	tap_notok "failmalloc shim built ($SHIM)"
else
	for form in table json; do
		args=(account list)
		[ $form = json ] && args=(--json account list)
		bad=0 n=1 more=1
		while [ "$more" = 1 ] && [ "$n" -le 5000 ]; do
			: >"$T/fm.rep"
			FAILMALLOC_N=$n FAILMALLOC_PHASE=cli FAILMALLOC_REPORT="$T/fm.rep" LD_PRELOAD="$SHIM" \
				"$top_builddir/tools/svcacct" --conf "$T/c.conf" "${args[@]}" >/dev/null 2>"$T/fm.err"
			rc=$?
			grep -q '^inject' "$T/fm.rep" || more=0
			if [ "$rc" -ge 128 ] || { [ $form = table ] && [ "$rc" != 0 ] &&
				! grep -q '^svcacct: ' "$T/fm.err"; }; then
				bad=$((bad + 1))
				tap_diag "account list ($form) N=$n: rc=$rc $(head -c 300 "$T/fm.err")"
			fi
			n=$((n + 1))
		done
		what="no crash"
		[ $form = table ] && what="no crash, every failure says why"
		expect_eq "account list ($form), each of its $((n - 2)) allocations failed in turn: $what" \
			0 "$bad"
	done
fi

# very long names, fields, credentials and part counts
LONG=$(head -c 100000 /dev/zero | tr '\0' a)
out=$(H -s sshd -u "$LONG" -n -p "$SECRET" 2>&1)
expect_match "a 100,000-byte user name: refused, no crash" '^auth=PAM_(USER_UNKNOWN|AUTH_ERR)$' \
	"$(grep '^auth=' <<<"$out")"
out=$(H -s sshd -u "bot$(printf 'x%.0s' $(seq 30))" -n -p "$SECRET" 2>&1)
expect_match "a 33-character user name: not a service account" '^auth=PAM_USER_UNKNOWN$' \
	"$(grep '^auth=' <<<"$out")"
out=$(H -s sshd -u bot -r "${LONG:0:5000}" -p "$SECRET" 2>&1)
expect_match "a 5,000-byte rhost: refused by the account phase (not numeric)" '^acct=PAM_PERM_DENIED$' \
	"$(grep '^acct=' <<<"$out")"
# (libpam itself refuses this one: its audit record fails, PAM_SYSTEM_ERR)
out=$(H -s sshd -u bot -r "$LONG" -p "$SECRET" 2>&1)
expect_match "a 100,000-byte rhost: refused, no crash" \
	'^(auth=PAM_SYSTEM_ERR|acct=PAM_PERM_DENIED)$' "$(grep -E '^(auth|acct)=' <<<"$out" | grep -v SUCCESS)"
expect_nomatch "... never through the account phase" '^acct=PAM_SUCCESS' "$out"
closed "a credential of exactly max_credential_length (16384): checked whole, not cut" \
	'bad_signature|malformed' -s sshd -u bot -n -f <(M "${K[@]}" --pad-to 16384)
P=()
for i in $(seq 31); do P+=(-p 'a\'); done
check "31 parts and a last one (max_parts = 32): read whole" $E malformed -s sshd -u bot -n "${P[@]}" -p a
P+=(-p 'a\')
check "32 parts and a last one: too many" $E too_many_parts -s sshd -u bot -n "${P[@]}" -p a
closed "a 16 MiB answer split in 4 KiB parts: refused early" 'too_long|too_many_parts' \
	-s sshd -u bot -n -k 4096 -f <(head -c $((16 * 1024 * 1024)) /dev/zero | tr '\0' A)
S account create "$(printf 'l%.0s' $(seq 32))" >/dev/null 2>&1
expect_rc "the CLI refuses a 33-character account name" 1 '' S account create "$(printf 'l%.0s' $(seq 33))"
expect_rc "the CLI refuses a 100,000-byte description" 1 '' S account set bot --description "$LONG"
done_testing
