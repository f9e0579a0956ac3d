/* SPDX-License-Identifier: MIT */
/* fixclock: an LD_PRELOAD shim that pins the wall clock of a process, for
 * the clock-edge tests (test_clock.sh): with FIXCLOCK_NOW=T, time(),
 * gettimeofday() and clock_gettime(CLOCK_REALTIME*) answer T seconds (and
 * no fraction); the monotonic clocks are left alone, so lock timeouts
 * and sleeps still work. Without FIXCLOCK_NOW it changes nothing. */
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static long long fixed = -1;

__attribute__((constructor)) static void fc_init(void)
{
	const char *s = getenv("FIXCLOCK_NOW");
	if (s && *s)
		fixed = strtoll(s, NULL, 10);
}

time_t time(time_t *t)
{
	time_t v = fixed >= 0 ? (time_t)fixed : (time_t)syscall(SYS_time, NULL);
	if (t)
		*t = v;
	return v;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	if (fixed >= 0 &&
	    (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE)) {
		ts->tv_sec = (time_t)fixed;
		ts->tv_nsec = 0;
		return 0;
	}
	return (int)syscall(SYS_clock_gettime, id, ts);
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	struct timespec ts;
	(void)tz;
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return -1;
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}
