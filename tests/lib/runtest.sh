#!/bin/sh
# SPDX-License-Identifier: MIT
# Every test's LOG_COMPILER: runs it under a time limit, so a test that
# hangs (a server that never answers, a child that never exits) fails
# with a clear line instead of stalling the whole suite, and ends its log
# with its wall-clock duration, where the slow tests can be found
# (grep -r '^# duration' build/*/tests).
#   runtest.sh PROGRAM [ARGS...]
limit=${SVCACCT_TEST_TIMEOUT:-2400}
start=$(date +%s)
timeout --kill-after=10 "$limit" "$@"
rc=$?
# the CPU time of the test and the processes it waited for (fields 16
# and 17 of /proc/$$/stat, in clock ticks): what the suite costs on a
# machine without other load
cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%d", ($16 + $17) / hz}' /proc/$$/stat 2>/dev/null)
echo "# duration $(($(date +%s) - start))s, cpu ${cpu:-?}s"
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	echo "Bail out! timed out after ${limit}s (SVCACCT_TEST_TIMEOUT)"
fi
exit $rc
