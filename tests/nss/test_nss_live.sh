#!/bin/bash
# SPDX-License-Identifier: MIT
# A long-running process sees every change without a restart: it resolves,
# the store changes (new generations, old ones pruned under it, the config
# edited), it resolves again. Changes are made through the bulk writer and,
# when it is built, through the svcacct CLI.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/nss/lib.sh"
nss_enter_ns "$@"
nss_setup "keep_generations = 2" || { tap_notok "namespace setup"; done_testing; exit 1; }
nss_populate

# the resolver's open copies of accounts.db that no longer exist
stale_fds() {
	local n=0 l
	for f in /proc/"$PROC_PID"/fd/*; do
		l=$(readlink "$f" 2>/dev/null) || continue
		case $l in *accounts.db*deleted*) n=$((n + 1)) ;; esac
	done
	echo $n
}
open_dbs() {
	local n=0 l
	for f in /proc/"$PROC_PID"/fd/*; do
		l=$(readlink "$f" 2>/dev/null) || continue
		case $l in *accounts.db*) n=$((n + 1)) ;; esac
	done
	echo $n
}
# the resolver's mappings of an accounts.idx: "GEN" per mapping, or
# "GEN(deleted)" for one whose generation was pruned
mapped_idx() {
	awk '$6 ~ /accounts\.idx/ { g = $6; sub(/.*gen-0*/, "", g); sub(/\/.*/, "", g);
		print g ($7 == "(deleted)" ? "(deleted)" : "") }' /proc/"$PROC_PID"/maps | xargs
}

nss_proc_start glibc
expect_eq "resolves bot" "SUCCESS 0 bot:x:70001:70001:Build bot:/srv/bot:/bin/sh" \
	"$(nss_ask get pwnam bot)"
expect_eq "no newbot yet" "NOTFOUND 0" "$(nss_ask get pwnam newbot)"

echo "account newbot uid=70010 desc=New roles=80001" | nss_store
expect_eq "new account visible without restart" \
	"SUCCESS 0 newbot:x:70010:70010:New:/home/svc/newbot:/usr/sbin/nologin" \
	"$(nss_ask get pwnam newbot)"
expect_eq "new account by UID" "SUCCESS 0 newbot" "$(nss_ask get pwuid 70010 | cut -d: -f1)"
expect_eq "new account in the base group" "yes" \
	"$(nss_ask get grnam svcacct | grep -q newbot && echo yes)"

printf 'delete bot\nrole deploy gid=80001 members=ci,newbot\n' | nss_store
expect_eq "deleted account gone" "NOTFOUND 0" "$(nss_ask get pwnam bot)"
expect_eq "deleted account's UID gone" "NOTFOUND 0" "$(nss_ask get pwuid 70001)"
expect_eq "role membership change visible" "SUCCESS 0 deploy:x:80001:ci,newbot" \
	"$(nss_ask get grnam deploy)"

echo "account newbot uid=70010 desc=New disabled=1 roles=80001" | nss_store
expect_eq "disable visible in shadow" "SUCCESS 0 newbot:*:19675:::::1:" \
	"$(nss_ask get spnam newbot)"

# keep_generations = 2: after these commits every generation the process
# ever opened is pruned
for i in 1 2 3 4; do echo "account gen$i uid=$((70020 + i))" | nss_store; done
expect_eq "after old generations were pruned: new data" "SUCCESS 0 gen4" \
	"$(nss_ask get pwnam gen4 | cut -d: -f1)"
expect_eq "pruned: only two generations left" "2" \
	"$(ls -d "$T"/db/gen-* | wc -l)"
expect_eq "the resolver holds no deleted file" "0" "$(stale_fds)"
expect_eq "the resolver holds no accounts.db open (it maps the index)" "0" "$(open_dbs)"
expect_eq "... and maps the current generation's index only" \
	"$(readlink "$T/db/current" | sed 's/gen-0*//')" "$(mapped_idx)"

# the configuration is re-read when it changes (the module looks at most
# once a second)
nss_write_conf "keep_generations = 2" "uid_min = 70022"
sleep 1.1
expect_eq "config change visible: UID below the new range refused" "NOTFOUND 0" \
	"$(nss_ask get pwnam gen1)"
expect_eq "config change visible: in range still found" "SUCCESS 0 gen2" \
	"$(nss_ask get pwnam gen2 | cut -d: -f1)"
nss_write_conf "keep_generations = 2"
sleep 1.1
expect_eq "config restored" "SUCCESS 0 gen1" "$(nss_ask get pwnam gen1 | cut -d: -f1)"

# the store going away and coming back (by hand, not through a writer:
# seen at the next look at `current`, which a reader makes at least once a
# second whatever the generation word says)
mv "$T/db" "$T/db.away"
sleep 1.1
expect_match "store removed: lookups fail, no crash" "^(NOTFOUND|UNAVAIL)" \
	"$(nss_ask get pwnam gen1)"
mv "$T/db.away" "$T/db"
expect_eq "store back" "SUCCESS 0 gen1" "$(nss_ask get pwnam gen1 | cut -d: -f1)"
nss_proc_stop

# ---------------------------------------------------------------- the CLI
if [ -x "$SVCACCT_CLI" ]; then
	cli() { "$SVCACCT_CLI" --conf "$CONF" "$@"; }
	nss_proc_start glibc
	expect_eq "before: no clibot" "NOTFOUND 0" "$(nss_ask get pwnam clibot)"
	ok_cmd "svcacct role create clirole" cli role create clirole --gid 80020
	ok_cmd "svcacct account create clibot" cli account create clibot --uid 70050 \
		--description "CLI bot" --role clirole
	expect_eq "CLI-created account visible" \
		"SUCCESS 0 clibot:x:70050:70050:CLI bot" \
		"$(nss_ask get pwnam clibot | cut -d: -f1-5)"
	expect_eq "CLI-created role with its member" "SUCCESS 0 clirole:x:80020:clibot" \
		"$(nss_ask get grnam clirole)"
	ok_cmd "svcacct account disable clibot" cli account disable clibot
	expect_eq "CLI disable: shadow expiry 1" "1" \
		"$(nss_ask get spnam clibot | cut -d: -f8)"
	ok_cmd "svcacct revoke clibot clirole" cli revoke clibot clirole
	expect_eq "CLI revoke: role group without the member" "SUCCESS 0 clirole:x:80020:" \
		"$(nss_ask get grnam clirole)"
	ok_cmd "svcacct account delete clibot" cli account delete clibot
	expect_eq "CLI delete: gone" "NOTFOUND 0" "$(nss_ask get pwnam clibot)"
	expect_eq "CLI delete: UID gone" "NOTFOUND 0" "$(nss_ask get pwuid 70050)"

	# -- the generation word (db_dir/generation): made once, never
	# replaced, always the generation `current` names after a commit
	w=$T/db/generation
	word() { od -An -tu8 -N8 "$w" | tr -d ' '; }
	curgen() { readlink "$T/db/current" | sed 's/gen-0*//'; }
	expect_eq "the word: root, 0644, a page" "0 644 4096" "$(stat -c '%u %a %s' "$w")"
	ino=$(stat -c %i "$w")
	expect_eq "the word names the current generation" "$(curgen)" "$(word)"
	ok_cmd "a change" cli account create wordbot --uid 70051
	expect_eq "... the word follows it" "$(curgen)" "$(word)"
	expect_eq "... in the same file (never replaced)" "$ino" "$(stat -c %i "$w")"
	# a writer that dies after swapping `current`, before setting the word
	# (crash point 7): the word says 0, the reader looks at `current`
	# itself and sees the change at once
	SVCACCT_TEST_CRASH_AT=7 cli account create crash7 --uid 70052 >/dev/null 2>&1
	expect_eq "writer died after the swap: the word says unknown" "0" "$(word)"
	expect_eq "... the running resolver sees the change at once" "SUCCESS 0 crash7" \
		"$(nss_ask get pwnam crash7 | cut -d: -f1)"
	expect_eq "... and keeps seeing it" "SUCCESS 0 crash7" \
		"$(nss_ask get pwuid 70052 | cut -d: -f1)"
	ok_cmd "the next writer" cli account create after7 --uid 70053
	expect_eq "... sets the word again" "$(curgen)" "$(word)"
	expect_eq "... which the resolver follows" "SUCCESS 0 after7" \
		"$(nss_ask get pwnam after7 | cut -d: -f1)"
	# a writer that dies before the swap, the word already 0 (crash
	# point 9): nothing published, nothing seen
	SVCACCT_TEST_CRASH_AT=9 cli account create crash9 --uid 70054 >/dev/null 2>&1
	expect_eq "writer died before the swap: the word says unknown" "0" "$(word)"
	expect_eq "... the change is not seen" "NOTFOUND 0" "$(nss_ask get pwnam crash9)"
	expect_eq "... the store still is" "SUCCESS 0 after7" \
		"$(nss_ask get pwnam after7 | cut -d: -f1)"
	# a rebuilt index is a new generation: the running resolver switches
	before=$(curgen)
	ok_cmd "svcacct check --repair-index" cli check --repair-index
	expect_eq "... published a new generation" "$((before + 1))" "$(curgen)"
	expect_eq "... the resolver still answers" "SUCCESS 0 after7" \
		"$(nss_ask get pwnam after7 | cut -d: -f1)"
	expect_eq "... from the new generation's index" "$(curgen)" "$(mapped_idx)"
	nss_proc_stop
elif [ "${CI:-}" = true ]; then
	tap_notok "tools/svcacct not built under CI=true"
else
	tap_skip "changes through the svcacct CLI" "tools/svcacct not built"
fi

done_testing
