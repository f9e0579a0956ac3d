#!/bin/sh
# SPDX-License-Identifier: MIT
# The sanitizer build's LOG_COMPILER for shell tests: runs the test with
# ASan/UBSan reports going to files of a private directory, then turns any
# report into a failure ("Bail out!"), even one from a process whose exit
# status the test did not look at (a setup step, a background job).
#   sanrun.sh TEST.sh [ARGS...]
dir=$(mktemp -d /tmp/svcacct-san.XXXXXX) || exit 99
# processes that dropped privileges (setpriv, runuser) report here too
chmod 1777 "$dir"
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$dir/asan"
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$dir/ubsan"
export ASAN_OPTIONS UBSAN_OPTIONS
if [ -x "$1" ]; then "$@"; else bash "$@"; fi
rc=$?
reports=$(find "$dir" -type f -size +0 | sort)
if [ -n "$reports" ]; then
	for f in $reports; do
		echo "# sanitizer report $f:"
		sed -n '1,60s/^/# /p' "$f"
	done
	echo "Bail out! sanitizer report(s) from $(echo "$reports" | wc -l) process(es)"
	rc=1
fi
rm -rf "$dir"
exit $rc
