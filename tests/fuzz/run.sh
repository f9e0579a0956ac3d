#!/bin/bash
# SPDX-License-Identifier: MIT
# Build the libFuzzer targets (clang, ASan+UBSan+LeakSanitizer) straight
# from the sources, out of tree, and run each for SECONDS (default 60) on a
# scratch copy of its committed seed corpus. Prints TAP: one line per
# target with its executions, exec/s, coverage and time; "not ok" on any
# finding (crash, sanitizer report, leak, timeout, out of memory), with the
# artefact's path and its base64 so that a CI log alone reproduces it.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]
#
# Environment:
#   FUZZ_WORK_DIR  where to build and run (default: a fresh mktemp -d,
#                  removed at the end unless something was found or
#                  FUZZ_KEEP=1)
#   FUZZ_JOBS      targets run at once (default 1)
#   FUZZ_ARGS      extra libFuzzer options for every target
#   CC             the compiler (default clang-14, else clang)
#
# The committed corpus (tests/fuzz/corpus/TARGET) is never written to:
# new inputs stay in the work dir. To reproduce a finding:
#   WORK/bin/fuzz_TARGET ARTEFACT
set -u
# One brace group: bash parses it whole before running any of it, so that
# editing this file during a long run cannot change what the run does.
{
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
all_targets="codec config secret assertion parts jwk sshkey import index"
targets=${*:-$all_targets}
jobs=${FUZZ_JOBS:-1}

case $secs in '' | *[!0-9]*)
	echo "usage: $0 [SECONDS] [TARGET...]  (targets: $all_targets)" >&2
	exit 2 ;;
esac
for t in $targets; do
	case " $all_targets " in *" $t "*) ;; *)
		echo "$0: unknown target '$t' (targets: $all_targets)" >&2
		exit 2 ;;
	esac
done

if [ -z "${CC:-}" ]; then
	if command -v clang-14 >/dev/null; then CC=clang-14; else CC=clang; fi
fi
work=${FUZZ_WORK_DIR:-}
own_work=0
if [ -z "$work" ]; then
	work=$(mktemp -d /tmp/svcacct-fuzz.XXXXXX) || exit 1
	own_work=1
fi
mkdir -p "$work/bin" "$work/obj" "$work/run" || exit 1

n=0
for t in $targets; do n=$((n + 1)); done
echo "1..$n"
echo "# work dir: $work; $secs s per target, $jobs at a time; $CC"

# ------------------------------------------------------------------ build
# Every production source goes into one archive built with fuzzer
# instrumentation; each target pulls from it only what it calls. The
# programs' main() files stay out.
cflags="-std=gnu11 -g -O1 -fno-omit-frame-pointer
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
	-Wall -Wextra -Wno-unused-parameter -Werror
	-I$top/common/store -I$top/common/write -I$top/common/auth -I$top/pam -I$top/tools -I$here
	-DSVCACCT_CONF_PATH=\"/etc/svcacct/svcacct.conf\"
	-DSVCACCT_DB_DIR=\"/var/lib/svcacct\"
	-DSVCACCT_STATE_DIR=\"/var/lib/svcacct-state\"
	-DSVCACCT_SBINDIR=\"/usr/sbin\" -DSVCACCT_LIBEXECDIR=\"/usr/libexec\"
	-DSVCACCT_SYSCONFDIR=\"/etc\"
	-D_GNU_SOURCE=1 -DPACKAGE_VERSION=\"fuzz\""
libs="-lcrypto -ljansson -lgdbm -lcurl"
build_log=$work/build.log
: >"$build_log"
build() {
	local srcs=() objs=() s o
	# every source of the library and the tool but the programs' mains:
	# a list by hand falls behind when a file is added
	for s in "$top"/common/*/*.c "$top"/pam/parts.c "$top"/tools/*.c; do
		grep -q '^int main(' "$s" && continue
		srcs+=("$s")
	done
	for s in "${srcs[@]}"; do
		o=$work/obj/$(echo "${s#"$top"/}" | tr / _).o
		# shellcheck disable=SC2086
		$CC $cflags -c "$s" -o "$o" >>"$build_log" 2>&1 || return 1
		objs+=("$o")
	done
	rm -f "$work/obj/libsv.a"
	ar rcs "$work/obj/libsv.a" "${objs[@]}" >>"$build_log" 2>&1 || return 1
	for t in $targets; do
		# shellcheck disable=SC2086
		$CC $cflags -fsanitize=fuzzer "$here/fuzz_$t.c" \
			"$work/obj/libsv.a" $libs -o "$work/bin/fuzz_$t" \
			>>"$build_log" 2>&1 || return 1
	done
}
if ! build; then
	i=0
	for t in $targets; do
		i=$((i + 1))
		echo "not ok $i - fuzz_$t: build failed"
	done
	sed 's/^/# /' "$build_log" | tail -40
	exit 1
fi

# ------------------------------------------------------------------ run
# One target; writes its TAP line (without the number) to run/T/result.
run_one() {
	local t=$1 d=$work/run/$1 rc
	rm -rf "$d"
	mkdir -p "$d/corpus" "$d/artifacts"
	cp "$here/corpus/$t/"* "$d/corpus/" 2>/dev/null
	local dict=()
	[ -f "$here/$t.dict" ] && dict=(-dict="$here/$t.dict")
	# honesty check of the targets that report outcomes: the seeds meant
	# to pass (valid-* tokens, export-* documents) pass the real checks,
	# every other seed is refused
	local ok_seed ok_word
	case $t in
	assertion) ok_seed=valid- ok_word=accepted ;;
	import) ok_seed=export- ok_word=imported ;;
	*) ok_seed= ;;
	esac
	if [ -n "$ok_seed" ]; then
		local f o n bad=""
		for f in "$here/corpus/$t/"*; do
			n=$(basename "$f")
			o=$(SVCACCT_FUZZ_VERBOSE=1 SVCACCT_FUZZ_TMP=$d \
				"$work/bin/fuzz_$t" "$f" 2>&1 |
				sed -n 's/^outcome: \([a-z_]*\).*/\1/p' | head -1)
			case $n in
			"$ok_seed"*) [ "$o" = "$ok_word" ] || bad="$bad $n=${o:-none}" ;;
			*) [ -n "$o" ] && [ "$o" != "$ok_word" ] || bad="$bad $n=${o:-none}" ;;
			esac
		done
		if [ -n "$bad" ]; then
			echo "not ok - fuzz_$t: seeds with the wrong outcome:$bad" >"$d/result"
			return
		fi
	fi
	local start end
	start=$(date +%s)
	# -timeout: one input taking 10 s is a finding; -rss_limit_mb: so is
	# 2 GB (the default malloc limit follows it); leaks are found by
	# LeakSanitizer at the end of each input that grew the heap.
	# shellcheck disable=SC2086
	(cd "$d" && SVCACCT_FUZZ_TMP=$d ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$work/bin/fuzz_$t" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -detect_leaks=1 \
		-artifact_prefix="$d/artifacts/" "${dict[@]}" \
		${FUZZ_ARGS:-} corpus >"$d/log" 2>&1)
	rc=$?
	end=$(date +%s)
	local execs eps cov ft rss corpus_n found
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/log" | tail -1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$d/log" | tail -1)
	rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$d/log" | tail -1)
	cov=$(grep -oE 'cov: [0-9]+' "$d/log" | tail -1 | cut -d' ' -f2)
	ft=$(grep -oE 'ft: [0-9]+' "$d/log" | tail -1 | cut -d' ' -f2)
	corpus_n=$(find "$d/corpus" -type f | wc -l)
	found=$(find "$d/artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' \
		-o -name 'timeout-*' -o -name 'oom-*' \) | head -1)
	local what="execs=${execs:-?} exec/s=${eps:-?} cov=${cov:-?} ft=${ft:-?} corpus=$corpus_n rss=${rss:-?}MB time=$((end - start))s"
	if [ "$rc" = 0 ] && [ -z "$found" ]; then
		echo "ok - fuzz_$t: $what" >"$d/result"
	else
		{
			echo "not ok - fuzz_$t: exit $rc, $what"
			grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|INFO: .*Leak|Direct leak|==[0-9]+== ERROR: libFuzzer)' \
				"$d/log" | head -10 | sed 's/^/# /'
			if [ -n "$found" ]; then
				echo "# artefact: $found"
				echo "# reproduce: $work/bin/fuzz_$t $found"
				echo "# base64:"
				base64 -w 76 "$found" | head -200 | sed 's/^/#   /'
			else
				tail -20 "$d/log" | sed 's/^/# /'
			fi
		} >"$d/result"
	fi
}

running=0
for t in $targets; do
	run_one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

i=0 fail=0
for t in $targets; do
	i=$((i + 1))
	r=$work/run/$t/result
	if [ ! -s "$r" ]; then
		echo "not ok $i - fuzz_$t: no result"
		fail=1
		continue
	fi
	head -1 "$r" | sed "s/^\(not ok\|ok\) -/\1 $i -/"
	tail -n +2 "$r"
	grep -q '^not ok' "$r" && fail=1
done
if [ "$fail" = 0 ] && [ "$own_work" = 1 ] && [ "${FUZZ_KEEP:-0}" != 1 ]; then
	rm -rf "$work"
else
	echo "# kept: $work"
fi
exit "$fail"
}
