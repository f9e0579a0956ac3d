/* SPDX-License-Identifier: MIT */
/* nssbench: time lookups through glibc, whatever nsswitch.conf says.
 *
 *   nssbench COUNT UID_BASE SECONDS MAX_ITER
 *
 * Users are sa0000000.. (mkstore -n COUNT), UID UID_BASE + i. For each of
 * getpwnam, getpwuid, getgrnam (the user-private group) and getgrouplist
 * (initgroups), random existing users are looked up for SECONDS or
 * MAX_ITER lookups, whichever comes first, after SECONDS/2 of untimed
 * warm-up with the same kind of lookups; a wrong answer is fatal. Prints "op
 * us_per_op iterations" lines. */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xorshift: cheap, and the same sequence for every backend */
static unsigned long long rng = 88172645463325252ull;
static unsigned long next_index(unsigned long count)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned long)(rng % count);
}

enum op { GETPWNAM, GETPWUID, GETGRNAM, INITGROUPS, NOPS };
static const char *const opname[NOPS] = {"getpwnam", "getpwuid", "getgrnam",
					 "initgroups"};

static int one(enum op op, unsigned long i, unsigned long uid_base)
{
	char name[32];
	snprintf(name, sizeof(name), "sa%07lu", i);
	uid_t uid = (uid_t)(uid_base + i);
	switch (op) {
	case GETPWNAM: {
		struct passwd *pw = getpwnam(name);
		return pw && pw->pw_uid == uid;
	}
	case GETPWUID: {
		struct passwd *pw = getpwuid(uid);
		return pw && !strcmp(pw->pw_name, name);
	}
	case GETGRNAM: {
		struct group *gr = getgrnam(name);
		return gr && gr->gr_gid == uid;
	}
	case INITGROUPS: {
		gid_t groups[64];
		int n = 64;
		return getgrouplist(name, uid, groups, &n) >= 2;
	}
	default: return 0;
	}
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr,
			"usage: nssbench COUNT UID_BASE SECONDS MAX_ITER\n");
		return 2;
	}
	unsigned long count = strtoul(argv[1], NULL, 10);
	unsigned long uid_base = strtoul(argv[2], NULL, 10);
	double secs = atof(argv[3]);
	unsigned long max = strtoul(argv[4], NULL, 10);

	for (int op = 0; op < NOPS; op++) {
		unsigned long n = 0;
		if (!one((enum op)op, 0, uid_base)) {
			fprintf(stderr, "nssbench: %s of sa0000000 failed\n",
				opname[op]);
			return 1;
		}
		/* warm up (page cache, GDBM's bucket cache, glibc's NSS
		 * setup) for half the time, untimed */
		double t0 = now(), t = t0;
		while ((t = now()) - t0 < secs / 2)
			one((enum op)op, next_index(count), uid_base);
		t0 = t = now();
		/* the clock is read through the vDSO: cheap next to a
		 * lookup, and slow backends stop after one over-long call */
		while (n < max && (t = now()) - t0 < secs) {
			unsigned long i = next_index(count);
			if (!one((enum op)op, i, uid_base)) {
				fprintf(stderr, "nssbench: %s of #%lu failed\n",
					opname[op], i);
				return 1;
			}
			n++;
		}
		t = now();
		printf("%s %.3f %lu\n", opname[op], (t - t0) * 1e6 / (double)n,
		       n);
		fflush(stdout);
	}
	return 0;
}
