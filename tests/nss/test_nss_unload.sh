#!/bin/bash
# SPDX-License-Identifier: MIT
# The module frees its store handle when it is unloaded: memcheck with its
# default settings (glibc's __libc_freeres runs at exit and unloads NSS
# modules; no suppression, no --run-libc-freeres=no) finds nothing
# definitely or indirectly lost in programs that resolve service accounts
# through glibc (getent, id) or call the module directly. Also: children
# that end with exit() (the destructor runs in them) leave the parent's
# handle working, and a process that exits while another thread is inside
# a lookup exits cleanly (the destructor does not touch a handle in use).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/nss/lib.sh"
nss_enter_ns "$@"
nss_setup || { tap_notok "namespace setup"; done_testing; exit 1; }
nss_populate
if san_active; then
	tap_skip "memcheck" "valgrind cannot run the ASan+UBSan build"
	done_testing
	exit 0
fi
need valgrind 'command -v valgrind >/dev/null'

# memcheck NAME WANT-OUTPUT-ERE CMD...: the command answers as it should
# (so the module was loaded and used) and memcheck's summary says 0 bytes
# definitely and 0 indirectly lost, with 0 errors
memcheck() {
	local name=$1 want=$2 out def ind errs rc
	shift 2
	out=$(valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--error-exitcode=99 --log-file="$T/vg.log" "$@" 2>/dev/null)
	rc=$?
	def=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$T/vg.log" | tr -d , | tail -1)
	ind=$(sed -n 's/.*indirectly lost: \([0-9,]*\) bytes.*/\1/p' "$T/vg.log" | tr -d , | tail -1)
	errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$T/vg.log" | tail -1)
	expect_match "$name: answers" "$want" "$out"
	expect_eq "$name: memcheck: 0 definitely, 0 indirectly lost, 0 errors" \
		"rc=0 definitely=0 indirectly=0 errors=0" \
		"rc=$rc definitely=${def:-0} indirectly=${ind:-0} errors=${errs:-?}"
	[ "$rc:${def:-0}:${ind:-0}" = 0:0:0 ] ||
		tap_diag "$(grep -v '^==[0-9]*== *$' "$T/vg.log" | head -40)"
}

memcheck "getent passwd bot" "^bot:x:70001:" getent passwd bot
memcheck "getent passwd 70002" "^ci:x:70002:" getent passwd 70002
memcheck "getent group deploy" "^deploy:x:80001:bot,ci$" getent group deploy
memcheck "getent group svcacct" "^svcacct:x:80000:" getent group svcacct
memcheck "getent shadow ci" "^ci:\*:" getent shadow ci
memcheck "id bot" "groups=70001\(bot\),80000\(svcacct\),80001\(deploy\)" id bot
memcheck "getent initgroups ci" "^ci +80000 80001 80002" getent initgroups ci
memcheck "getent passwd (a walk)" "ci:x:70002:" getent passwd
memcheck "getent group (a walk)" "readers:x:80002:ci" getent group
memcheck "a miss through glibc" "^NOTFOUND 0$" "$PROBE_BIN" glibc get pwnam nosuch
memcheck "nss_probe direct: a lookup" "^SUCCESS 0 bot:x:70001" \
	"$PROBE_BIN" "$DIRECT" get pwnam bot
memcheck "nss_probe direct: initgroups" "^SUCCESS 0 70002 80000 80001 80002" \
	"$PROBE_BIN" "$DIRECT" initgroups ci 70002 0 1

# children ending with exit(): each runs the destructor on its own copy
run "$PROBE_BIN" "$DIRECT" forkexit 50 bot ci nosuch deploy svcacct
expect_match "50 children ending with exit() while the parent and a thread look up" \
	"^fork ok" "$OUT"
memcheck "the same under memcheck" "^fork ok" "$PROBE_BIN" "$DIRECT" forkexit 3 bot ci deploy

# exit() with a thread held inside a lookup (holding the module's lock):
# the probe holds it in GDBM's fetch, which only a generation without
# indexes calls (a lookup in a mapped index calls nothing it could hold)
for f in "$T"/db/current/*.idx; do mv "$f" "$f.away"; done
run timeout 30 "$PROBE_BIN" "$DIRECT" exitbusy bot
expect_eq "exit with a thread inside the module: clean exit, no hang" \
	"0:exiting with a thread inside the module" "$RC:$OUT"
# (leaks are not looked at here: the handle in use cannot be freed)
run timeout 120 valgrind -q --leak-check=no --error-exitcode=99 --log-file="$T/vg.log" \
	"$PROBE_BIN" "$DIRECT" exitbusy bot
expect_eq "... under memcheck: no invalid access (the handle in use is left alone)" \
	"0:0" "$RC:$(grep -cE '== (Invalid|Conditional|Use of uninit)' "$T/vg.log")"
for f in "$T"/db/current/*.idx.away; do mv "$f" "${f%.away}"; done

done_testing
