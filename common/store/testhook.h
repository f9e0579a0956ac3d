/* SPDX-License-Identifier: MIT */
/* Fault-injection points for the test-suite. They compile to nothing unless
 * configure ran with --enable-test-hooks, which release builds never do. */
#ifndef SVCACCT_TESTHOOK_H
#define SVCACCT_TESTHOOK_H

#ifdef SVCACCT_TEST_HOOKS
#include <stdlib.h>
#include <unistd.h>
/* SVCACCT_TEST_CRASH_AT=N: die at the Nth crash point, as a power cut would
 * (no cleanup, no atexit). */
static inline void sv_test_crashpoint(int step)
{
	const char *s = getenv("SVCACCT_TEST_CRASH_AT");
	if (s && atoi(s) == step)
		_exit(99);
}
#else
static inline void sv_test_crashpoint(int step)
{
	(void)step;
}
#endif

#endif
