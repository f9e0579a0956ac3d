#!/bin/bash
# SPDX-License-Identifier: MIT
# nss_svcacct's exact NSS status and errno for every kind of answer: found,
# not found, buffer too small (at every size), store missing, unreadable,
# corrupt, unsafe owner or mode, tampered records. The module is called
# directly (dlopen) so that the status itself is visible, not glibc's
# summary of it.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/nss/lib.sh"
nss_enter_ns "$@"
nss_setup || { tap_notok "namespace setup"; done_testing; exit 1; }
nss_populate

get() { "$PROBE" "$DIRECT" get "$@" 2>&1; }
BOT="bot:x:70001:70001:Build bot:/srv/bot:/bin/sh"

# ---------------------------------------------------------------- found / not found
expect_eq "pwnam found" "SUCCESS 0 $BOT" "$(get pwnam bot)"
expect_eq "pwuid found" "SUCCESS 0 $BOT" "$(get pwuid 70001)"
# NOTFOUND is not an error: *errnop (glibc passes &errno) is left as the
# probe set it, 0, as nss_files and nss-systemd do (test_nss_errno.sh)
expect_eq "pwnam unknown: NOTFOUND, *errnop untouched" "NOTFOUND 0" "$(get pwnam nosuch)"
expect_eq "pwnam of a name no account can have" "NOTFOUND 0" "$(get pwnam root)"
expect_eq "pwnam of an over-long name" "NOTFOUND 0" \
	"$(get pwnam aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa)"
expect_eq "pwuid 0" "NOTFOUND 0" "$(get pwuid 0)"
expect_eq "pwuid 65534" "NOTFOUND 0" "$(get pwuid 65534)"
expect_eq "pwuid unknown in range" "NOTFOUND 0" "$(get pwuid 70050)"
expect_eq "grgid 0" "NOTFOUND 0" "$(get grgid 0)"
expect_eq "grgid unknown role" "NOTFOUND 0" "$(get grgid 80050)"
expect_eq "grnam unknown" "NOTFOUND 0" "$(get grnam nosuch)"
expect_eq "spnam unknown" "NOTFOUND 0" "$(get spnam nosuch)"
expect_eq "buffer too small: TRYAGAIN ERANGE" "TRYAGAIN ERANGE" "$(get pwnam bot 10)"
expect_eq "empty buffer: TRYAGAIN ERANGE" "TRYAGAIN ERANGE" "$(get grnam svcacct 0)"

# ---------------------------------------------------------------- every buffer size
for q in "pwnam bot" "pwnam ci" "pwuid 70003" "grnam bot" "grgid 70002" \
	"grnam deploy" "grgid 80002" "grnam empty" "grnam svcacct" "grgid 80000" \
	"spnam bot" "spnam off"; do
	run "$PROBE" "$DIRECT" sweep $q
	expect_match "every buffer size, every alignment: $q" "^sweep .* ok need=" "$OUT"
done
for db in pw gr sp; do
	full=$("$PROBE" "$DIRECT" enum $db 2>/dev/null)
	run "$PROBE" "$DIRECT" enum $db sweep
	expect_eq "walk $db one byte at a time: same entries, same order, NOTFOUND at the end" \
		"0:$full" "$RC:$OUT"
done

# ---------------------------------------------------------------- initgroups
ig() { "$PROBE" "$DIRECT" initgroups "$@" 2>&1; }
expect_eq "initgroups grows the array" "SUCCESS 0 70001 80000 80001 size=4" \
	"$(ig bot 70001 0 1)"
expect_eq "initgroups keeps a large enough array" "SUCCESS 0 70002 80000 80001 80002 size=10" \
	"$(ig ci 70002 0 10)"
expect_eq "initgroups honours limit" "SUCCESS 0 70002 80000 size=2" "$(ig ci 70002 2 1)"
expect_eq "initgroups at limit already" "SUCCESS 0 70002 size=1" "$(ig ci 70002 1 1)"
expect_eq "initgroups skips the primary group" "SUCCESS 0 80001 80000 80002 size=4" \
	"$(ig ci 80001 0 1)"
expect_eq "initgroups of an unknown user" "NOTFOUND 0 70001 size=1" \
	"$(ig nosuch 70001 0 1)"

# ---------------------------------------------------------------- tampered records
# What a tampered or buggy writer could leave: each is refused (NOTFOUND),
# skipped by the walks, and never turned into an entry.
nss_store <<-'EOF'
account zero uid=0
account nob uid=65534
account far uid=90000
account lowuid uid=999
account colon uid=70010 desc=a%3Ab
account newline uid=70011 desc=a%0Ab
account relhome uid=70012 home=srv/x
account colonsh uid=70013 shell=/bin/sh%3A
account Bad%20Name uid=70014
account liar uid=70020 uidkey=70021
account manyroles uid=70030 roles=0,1000,80000,65534,80001,90000
raw a garbage 5356410199
raw a truncated 53564101
raw u #70040 626f74
role rzero gid=0 members=bot
role rbase gid=80000 members=bot
role rfar gid=90000
role rroot gid=80010 members=bot,root
role rcolon gid=80011 members=a%3Ab
EOF
for n in zero nob far lowuid colon newline relhome colonsh garbage truncated; do
	expect_eq "tampered account '$n' refused" "NOTFOUND 0" "$(get pwnam $n)"
done
expect_eq "tampered account in shadow refused" "NOTFOUND 0" "$(get spnam colon)"
expect_eq "UID 0 never served" "NOTFOUND 0" "$(get pwuid 0)"
expect_eq "UID outside the range never served" "NOTFOUND 0" "$(get pwuid 90000)"
expect_eq "UID index pointing at a record with another UID" "NOTFOUND 0" "$(get pwuid 70021)"
expect_eq "UID index pointing at another account" "NOTFOUND 0" "$(get pwuid 70040)"
expect_eq "group of a refused account refused" "NOTFOUND 0" "$(get grgid 70010)"
for n in rzero rbase rfar rroot rcolon; do
	expect_eq "tampered role '$n' refused" "NOTFOUND 0" "$(get grnam $n)"
done
expect_eq "the base group is still the base group" "SUCCESS 0 svcacct:x:80000" \
	"$(get grgid 80000 | cut -d: -f1-3)"
expect_eq "initgroups drops GIDs a role may not have" \
	"SUCCESS 0 70030 80000 80001 size=4" "$(ig manyroles 70030 0 1)"
expect_eq "passwd walk shows only valid accounts" "bot ci liar manyroles off" \
	"$("$PROBE" "$DIRECT" enum pw 2>/dev/null | cut -d: -f1 | sort | xargs)"
expect_eq "group walk shows only valid groups" \
	"bot ci deploy empty liar manyroles off readers svcacct" \
	"$("$PROBE" "$DIRECT" enum gr 2>/dev/null | cut -d: -f1 | sort | xargs)"
expect_nomatch "the base group lists no invalid name" "Bad Name|:.*,,|Bad" \
	"$(get grnam svcacct)"

# ---------------------------------------------------------------- no work at load time
if command -v strace >/dev/null 2>&1; then
	# (LeakSanitizer cannot run under ptrace: off for this one run)
	run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -e trace=%file,%desc -o "$T/strace" "${PROBE_BIN:-$PROBE}" "$DIRECT" load
	expect_eq "strace runs" "0" "$RC"
	expect_nomatch "dlopen reads neither the config nor the store" \
		"svcacct\\.conf|$T/db" "$(cat "$T/strace" 2>/dev/null)"
else
	tap_skip "dlopen reads nothing" "no strace"
	tap_skip "dlopen reads nothing" "no strace"
fi
# hide_idx / show_idx: the current generation's indexes moved away and
# back, so that readers use its GDBM files (as in a generation written
# before indexes existed)
hide_idx() { for f in "$T"/db/current/*.idx; do mv "$f" "$f.away"; done; }
show_idx() { for f in "$T"/db/current/*.idx.away; do mv "$f" "${f%.away}"; done; }
# something under GDBM calling back into NSS (the probe interposes
# gdbm_fetch): the inner call is refused at once, the outer one completes.
# (A lookup in the index calls nothing that could call back.)
hide_idx
expect_eq "re-entry from the same thread is refused, not a deadlock" \
	"outer SUCCESS 0, inner UNAVAIL EDEADLK" \
	"$(timeout 20 "$PROBE" "$DIRECT" recurse bot ci 2>&1)"
expect_eq "re-entry through glibc" "outer SUCCESS 0, inner UNAVAIL EDEADLK" \
	"$(timeout 20 "$PROBE" glibc recurse bot ci 2>&1)"
show_idx
expect_eq "the module reads no environment variable" "env_reads=0" \
	"$("$PROBE" "$DIRECT" noenv bot ci nosuch svcacct 2>&1 | tail -1)"

# ---------------------------------------------------------------- store unavailable
gen=$(readlink "$T/db/current")
acc=$T/db/$gen/accounts.db
cp -p "$acc" "$T/accounts.good"
restore() { cp -p "$T/accounts.good" "$acc"; chmod 644 "$acc"; chown 0:0 "$acc"; }

chmod 666 "$acc"
expect_eq "accounts.db writable by others: UNAVAIL EPERM" "UNAVAIL EPERM" "$(get pwnam bot)"
restore
chown 65534 "$acc"
expect_eq "accounts.db not owned by root: UNAVAIL EPERM" "UNAVAIL EPERM" "$(get pwnam bot)"
restore
chmod 777 "$T/db/$gen"
expect_eq "generation directory writable: UNAVAIL EPERM" "UNAVAIL EPERM" "$(get pwuid 70001)"
chmod 755 "$T/db/$gen"
chmod 777 "$T/db"
expect_eq "store directory writable: UNAVAIL EPERM" "UNAVAIL EPERM" "$(get grnam deploy)"
chmod 755 "$T/db"
expect_eq "restored: found again" "SUCCESS 0 $BOT" "$(get pwnam bot)"

hide_idx
head -c 300000 /dev/urandom >"$acc"
expect_eq "random bytes: UNAVAIL EIO" "UNAVAIL EIO" "$(get pwnam bot)"
run "$PROBE" "$DIRECT" enum gr
expect_match "random bytes: walk ends UNAVAIL, no crash" "^1 enum ended with UNAVAIL EIO" "$RC $OUT"
: >"$acc"
expect_eq "empty file: UNAVAIL EIO" "UNAVAIL EIO" "$(get pwnam bot)"
restore
truncate -s 4096 "$acc"
st=$(get pwnam bot)
expect_match "truncated file: UNAVAIL or not found, no crash" "^(UNAVAIL EIO|NOTFOUND 0)$" "$st"
# a valid header followed by garbage: every call answers, none crashes
restore
size=$(stat -c %s "$acc")
dd if=/dev/urandom of="$acc" bs=4096 seek=1 count=$((size / 4096 - 1)) conv=notrunc 2>/dev/null
crashed=0
for q in "pwnam bot" "pwuid 70002" "grnam svcacct" "grgid 80001" "spnam ci" "pwnam nosuch"; do
	"$PROBE" "$DIRECT" get $q >/dev/null 2>&1
	[ $? -ge 128 ] && crashed=$((crashed + 1))
done
for db in pw gr sp; do
	"$PROBE" "$DIRECT" enum $db >/dev/null 2>&1
	[ $? -ge 128 ] && crashed=$((crashed + 1))
done
expect_eq "corrupt buckets: no crash" "0" "$crashed"
restore
show_idx

# a damaged index: UNAVAIL, never a crash (the GDBM file is intact: the
# reader does not guess its way around the index)
idx=$T/db/$gen/accounts.idx
cp -p "$idx" "$T/idx.good"
irestore() { cp -p "$T/idx.good" "$idx"; }
head -c "$(stat -c %s "$idx")" /dev/urandom >"$idx"
expect_eq "random bytes as the index: UNAVAIL EIO" "UNAVAIL EIO" "$(get pwnam bot)"
run "$PROBE" "$DIRECT" enum gr
expect_match "... walk ends UNAVAIL, no crash" "^1 enum ended with UNAVAIL EIO" "$RC $OUT"
: >"$idx"
expect_eq "empty index: UNAVAIL EIO" "UNAVAIL EIO" "$(get pwnam bot)"
irestore
truncate -s 4096 "$idx"
expect_eq "truncated index: UNAVAIL EIO" "UNAVAIL EIO" "$(get pwuid 70001)"
irestore
# an index of another version is not damage: an older or newer writer's
# derived data, and the generation is read through its GDBM files
good_gr=$(get grnam deploy)
printf '\377' | dd of="$idx" bs=1 seek=8 conv=notrunc status=none
expect_eq "index of another version: answered through GDBM" "$good_gr" "$(get grnam deploy)"
irestore
python3 "$top_srcdir/tests/lib/idxdamage.py" "$idx" version-1
expect_eq "index of version 1 (a valid header): answered through GDBM" "SUCCESS 0 $BOT" "$(get pwnam bot)"
expect_eq "... by UID too" "SUCCESS 0 $BOT" "$(get pwuid 70001)"
irestore
# tables behind a valid header, damaged one way at a time: refused
for how in slots-past-end slots-in-tables slots-mid-record lengths-past-end lengths-max; do
	python3 "$top_srcdir/tests/lib/idxdamage.py" "$idx" $how
	expect_eq "index $how: getpwnam UNAVAIL EIO" "UNAVAIL EIO" "$(get pwnam bot)"
	expect_eq "index $how: getpwuid UNAVAIL EIO" "UNAVAIL EIO" "$(get pwuid 70001)"
	irestore
done
python3 "$top_srcdir/tests/lib/idxdamage.py" "$idx" order-past-end
run "$PROBE" "$DIRECT" enum pw
expect_match "index order table past the end: a walk ends UNAVAIL" "^1 enum ended with UNAVAIL EIO" "$RC $OUT"
expect_eq "... a lookup (slot and record only) answers" "SUCCESS 0 $BOT" "$(get pwnam bot)"
irestore
truncate -s 3G "$idx"
expect_eq "oversized index: UNAVAIL" "UNAVAIL EFBIG" "$(get pwnam bot)"
irestore
chmod 666 "$idx"
expect_eq "index writable by others: UNAVAIL EPERM" "UNAVAIL EPERM" "$(get pwnam bot)"
irestore
# a valid header over damaged tables: every call answers, none crashes
# (the good copy's size, in 64-byte blocks: never a dd byte by byte over
# whatever an earlier step left)
size=$(stat -c %s "$T/idx.good" 2>/dev/null || echo 64)
dd if=/dev/urandom of="$idx" bs=64 seek=1 count=$((size / 64 - 1)) conv=notrunc 2>/dev/null
crashed=0 unavail=0
for q in "pwnam bot" "pwuid 70002" "grnam svcacct" "grgid 80001" "spnam ci" "pwnam nosuch"; do
	out=$("$PROBE" "$DIRECT" get $q 2>/dev/null)
	[ $? -ge 128 ] && crashed=$((crashed + 1))
	case $out in SUCCESS*) ;; *) unavail=$((unavail + 1)) ;; esac
done
for db in pw gr sp; do
	"$PROBE" "$DIRECT" enum $db >/dev/null 2>&1
	[ $? -ge 128 ] && crashed=$((crashed + 1))
done
expect_eq "damaged index tables: no crash" "0" "$crashed"
expect_match "... and lookups fail rather than answer ($unavail of 6)" '^[1-6]$' "$unavail"
irestore
expect_eq "index restored: found again" "SUCCESS 0 $BOT" "$(get pwnam bot)"

mv "$T/db" "$T/db.away"
expect_eq "store missing: UNAVAIL ENOENT" "UNAVAIL ENOENT" "$(get pwnam bot)"
expect_eq "store missing, GID lookup: UNAVAIL ENOENT" "UNAVAIL ENOENT" "$(get grgid 80000)"
expect_eq "store missing, a name no account can have: NOTFOUND" "NOTFOUND 0" \
	"$(get pwnam root)"
run "$PROBE" "$DIRECT" enum pw
expect_match "store missing: walk UNAVAIL" "^enum ended with UNAVAIL ENOENT" "$OUT"
expect_eq "store missing, initgroups: UNAVAIL" "UNAVAIL ENOENT 70001 size=1" \
	"$(ig bot 70001 0 1)"
mkdir -m 755 "$T/db"
expect_eq "store directory without a generation: UNAVAIL ENOENT" "UNAVAIL ENOENT" \
	"$(get pwnam bot)"
rmdir "$T/db"
mv "$T/db.away" "$T/db"

# ---------------------------------------------------------------- configuration
chmod 666 "$T/etc/svcacct/svcacct.conf"
expect_eq "config writable by others: UNAVAIL EPERM" "UNAVAIL EPERM" "$(get pwnam bot)"
chmod 644 "$T/etc/svcacct/svcacct.conf"
chown 65534 "$T/etc/svcacct/svcacct.conf"
expect_eq "config not owned by root: UNAVAIL EPERM" "UNAVAIL EPERM" "$(get pwnam bot)"
chown 0 "$T/etc/svcacct/svcacct.conf"
nss_write_conf "no_such_key = 1"
expect_eq "malformed config: UNAVAIL EINVAL" "UNAVAIL EINVAL" "$(get pwnam bot)"
nss_write_conf "uid_min = 70002" "uid_max = 79999"
expect_eq "UID range from the config applies" "NOTFOUND 0" "$(get pwnam bot)"
expect_eq "UID range: in range still found" "SUCCESS 0" "$(get pwnam ci | cut -d' ' -f1-2)"
nss_write_conf
expect_eq "config back: found" "SUCCESS 0 $BOT" "$(get pwnam bot)"
mv "$T/etc/svcacct/svcacct.conf" "$T/etc/svcacct/away"
if [ -d /var/lib/svcacct/db ]; then
	tap_skip "missing config means defaults" "the host has /var/lib/svcacct/db"
else
	expect_eq "missing config: defaults (no store at the default path)" \
		"UNAVAIL ENOENT" "$(get pwnam bot)"
fi
mv "$T/etc/svcacct/away" "$T/etc/svcacct/svcacct.conf"

done_testing
