/* SPDX-License-Identifier: MIT */
/* nssbench: lookups through glibc, whatever nsswitch.conf says, for
 * tests/bench/nss. Users are sa0000000.. (mkstore -n COUNT) with UID
 * UID_BASE + i and a user-private group of the same number; names are
 * drawn at random (xorshift, the same sequence for every backend).
 *
 *   nssbench time OP COUNT UID_BASE SECONDS MAX_ITER [nocheck]
 *       OP is getpwnam, getpwuid, getgrnam (the user-private group),
 *       initgroups (getgrouplist) or id (what id(1) asks: getpwnam,
 *       getgrouplist, getgrgid of every group). One lookup of sa0000000
 *       (loads the module, reads nsswitch.conf), then random lookups for
 *       SECONDS or MAX_ITER, whichever ends first, with no warm-up in the
 *       process: the first touch of every page the backend maps is in the
 *       time. Prints "OP us_per_op iterations minor_faults_per_op".
 *   nssbench calls COUNT UID_BASE ITER [nocheck]
 *       One lookup of each kind, then ITER random getpwnam, ITER getpwuid
 *       and ITER getgrnam: run under strace -c with ITER and with 0, the
 *       difference is the system calls of 3 x ITER hits.
 *   nssbench rss COUNT UID_BASE ITER [nocheck]
 *       RssAnon and RssFile (KiB, /proc/self/status) before any lookup,
 *       after the first and after ITER more random getpwnam. Prints
 *       "anon_first anon_more file_first file_more" (KiB added).
 *   nssbench warm COUNT UID_BASE
 *       Every user once, in order: getpwnam, getpwuid, getgrnam,
 *       getgrouplist and getgrgid of its groups (fills a cache).
 *
 * A wrong answer is fatal, unless "nocheck" (the floor module answers
 * the same entry for every key). */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned long long rng = 88172645463325252ull;
static unsigned long next_index(unsigned long count)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned long)(rng % count);
}

enum op { GETPWNAM, GETPWUID, GETGRNAM, INITGROUPS, ID, NOPS };
static const char *const opname[NOPS] = {"getpwnam", "getpwuid", "getgrnam",
					 "initgroups", "id"};
static int check = 1;

/* getgrouplist into a growing array; the count, or -1 */
static int grouplist(const char *name, gid_t gid, gid_t **gs, int *cap)
{
	int n = *cap;
	while (getgrouplist(name, gid, *gs, &n) < 0) {
		if (n <= *cap)
			return -1;
		gid_t *ng = realloc(*gs, (size_t)n * sizeof(gid_t));
		if (!ng)
			return -1;
		*gs = ng;
		*cap = n;
	}
	return n;
}

static gid_t *groups;
static int groups_cap;

static int one(enum op op, unsigned long i, unsigned long uid_base)
{
	char name[32];
	snprintf(name, sizeof(name), "sa%07lu", i);
	uid_t uid = (uid_t)(uid_base + i);
	switch (op) {
	case GETPWNAM: {
		struct passwd *pw = getpwnam(name);
		return pw && (!check || pw->pw_uid == uid);
	}
	case GETPWUID: {
		struct passwd *pw = getpwuid(uid);
		return pw && (!check || !strcmp(pw->pw_name, name));
	}
	case GETGRNAM: {
		struct group *gr = getgrnam(name);
		return gr && (!check || gr->gr_gid == uid);
	}
	case INITGROUPS: return grouplist(name, uid, &groups, &groups_cap) >= 2;
	case ID: {
		struct passwd *pw = getpwnam(name);
		if (!pw || (check && pw->pw_uid != uid))
			return 0;
		int n = grouplist(name, pw->pw_gid, &groups, &groups_cap);
		if (n < 1)
			return 0;
		for (int k = 0; k < n; k++)
			if (!getgrgid(groups[k]))
				return 0;
		return 1;
	}
	default: return 0;
	}
}

static long minflt(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt + ru.ru_majflt;
}

/* "RssAnon:" or "RssFile:" of /proc/self/status, KiB */
static long rss(const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = strtol(line + strlen(key), NULL, 10);
	fclose(f);
	return v;
}

static int fail(enum op op, unsigned long i)
{
	fprintf(stderr, "nssbench: %s of sa%07lu failed\n", opname[op], i);
	return 1;
}

static int run_time(enum op op, unsigned long count, unsigned long uid_base,
		    double secs, unsigned long max)
{
	unsigned long n = 0;
	if (!one(op, 0, uid_base))
		return fail(op, 0);
	long f0 = minflt();
	double t0 = now(), t;
	/* the clock is read through the vDSO: cheap next to a lookup, and
	 * slow backends stop after one over-long call */
	while (n < max && (t = now()) - t0 < secs) {
		unsigned long i = next_index(count);
		if (!one(op, i, uid_base))
			return fail(op, i);
		n++;
	}
	t = now();
	printf("%s %.3f %lu %.4f\n", opname[op], (t - t0) * 1e6 / (double)n, n,
	       (double)(minflt() - f0) / (double)n);
	return 0;
}

static int run_calls(unsigned long count, unsigned long uid_base,
		     unsigned long iter)
{
	for (int op = GETPWNAM; op <= GETGRNAM; op++)
		if (!one((enum op)op, 0, uid_base))
			return fail((enum op)op, 0);
	for (int op = GETPWNAM; op <= GETGRNAM; op++)
		for (unsigned long k = 0; k < iter; k++) {
			unsigned long i = next_index(count);
			if (!one((enum op)op, i, uid_base))
				return fail((enum op)op, i);
		}
	return 0;
}

static int run_rss(unsigned long count, unsigned long uid_base,
		   unsigned long iter)
{
	long a0 = rss("RssAnon:"), f0 = rss("RssFile:");
	if (!one(GETPWNAM, 0, uid_base))
		return fail(GETPWNAM, 0);
	long a1 = rss("RssAnon:"), f1 = rss("RssFile:");
	for (unsigned long k = 0; k < iter; k++) {
		unsigned long i = next_index(count);
		if (!one(GETPWNAM, i, uid_base))
			return fail(GETPWNAM, i);
	}
	long a2 = rss("RssAnon:"), f2 = rss("RssFile:");
	printf("%ld %ld %ld %ld\n", a1 - a0, a2 - a1, f1 - f0, f2 - f1);
	return 0;
}

static int run_warm(unsigned long count, unsigned long uid_base)
{
	for (unsigned long i = 0; i < count; i++)
		for (int op = GETPWNAM; op < NOPS; op++)
			if (!one((enum op)op, i, uid_base))
				return fail((enum op)op, i);
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: nssbench time OP COUNT UID_BASE SECONDS MAX_ITER "
		"[nocheck]\n"
		"       nssbench calls|rss COUNT UID_BASE ITER [nocheck]\n"
		"       nssbench warm COUNT UID_BASE\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 4)
		return usage();
	const char *mode = argv[1];
	if (!strcmp(argv[argc - 1], "nocheck")) {
		check = 0;
		argc--;
	}
	int r;
	if (!strcmp(mode, "time") && argc == 7) {
		int op;
		for (op = 0; op < NOPS; op++)
			if (!strcmp(argv[2], opname[op]))
				break;
		if (op == NOPS)
			return usage();
		r = run_time((enum op)op, strtoul(argv[3], NULL, 10),
			     strtoul(argv[4], NULL, 10), atof(argv[5]),
			     strtoul(argv[6], NULL, 10));
	} else if (!strcmp(mode, "calls") && argc == 5) {
		r = run_calls(strtoul(argv[2], NULL, 10),
			      strtoul(argv[3], NULL, 10),
			      strtoul(argv[4], NULL, 10));
	} else if (!strcmp(mode, "rss") && argc == 5) {
		r = run_rss(strtoul(argv[2], NULL, 10),
			    strtoul(argv[3], NULL, 10),
			    strtoul(argv[4], NULL, 10));
	} else if (!strcmp(mode, "warm") && argc == 4) {
		r = run_warm(strtoul(argv[2], NULL, 10),
			     strtoul(argv[3], NULL, 10));
	} else {
		return usage();
	}
	free(groups);
	return r;
}
