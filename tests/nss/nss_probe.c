/* SPDX-License-Identifier: MIT */
/* nss_probe: drive nss_svcacct for the tests, either directly (dlopen the
 * built module and call its _nss_svcacct_* entry points, to see the exact
 * NSS status and errno) or through glibc (getpwnam_r & co., as every
 * program does).
 *
 *   nss_probe MODE CMD ARGS...      MODE: "direct:PATH/libnss_svcacct.so.2"
 *                                   or "glibc"
 *   get DB KEY [BUFLEN]     DB: pwnam pwuid grnam grgid spnam
 *                           prints "STATUS ERRNO ENTRY"
 *   sweep DB KEY            every buffer size from 0 to the one needed
 *                           (and at every misalignment): TRYAGAIN/ERANGE
 *                           then the same entry, nothing written past the
 *                           buffer
 *   enum DB [sweep]         DB: pw gr sp; with sweep, every entry is read
 *                           by growing the buffer one byte at a time
 *   initgroups USER GID [LIMIT] [SIZE]
 *   igthreads N ITER USER:GID...   N threads, each ITER rounds of
 *                           initgroups of every USER with GID: every
 *                           answer the same as the first
 *   igrecurse USER GID      initgroups (direct); inside the system lookup
 *                           it makes (this program interposes getpwnam_r),
 *                           initgroups USER again from the same thread:
 *                           the inner call must be refused at once
 *                           (UNAVAIL EDEADLK), not loop or answer
 *   errno CASE...           each CASE ("get DB KEY [BUFLEN]", "walk DB",
 *                           "initgroups USER GID", any of them after
 *                           "afterclose ": every fd from 3 on closed
 *                           first) called with errno set
 *                           to a sentinel, twice: with an errnop of its
 *                           own (holding another sentinel), and with
 *                           errnop = &errno as glibc calls; prints
 *                           "CASE: STATUS errno=E errnop=P; shared:
 *                           STATUS errno=E" (direct mode only)
 *   threads N ITER KEY...   N threads, each ITER lookups of every KEY
 *                           (pwnam, grnam and pwuid of the result)
 *   fork ITER KEY           lookups in parent, children and a thread
 *   forkexit ITER KEY       the same, the children ending with exit()
 *                           (which runs the module's destructor) rather
 *                           than _exit()
 *   exitbusy KEY            exit() while another thread is inside a
 *                           lookup (held in this program's gdbm_fetch)
 *   closefds ITER KEY       close every fd between lookups, reuse them
 *   rss N PREFIX COUNT      N getpwnam of PREFIX%07ld (random < COUNT); prints
 *                           VmRSS before, after 1 and after N lookups
 *   script                  read "get ..." / "sleep S" lines from stdin
 *   load                    dlopen only (what a module does at load time)
 *   recurse NAME OTHER      look NAME up; inside the module's first GDBM
 *                           fetch (this program interposes gdbm_fetch),
 *                           look OTHER up: the re-entered module must
 *                           refuse at once (UNAVAIL EDEADLK), not deadlock
 *   noenv KEY...            lookups and walks while counting getenv calls
 *                           (this program's getenv interposes the
 *                           module's: it is linked with -export-dynamic)
 *   oneof N SECONDS FILE    N threads for SECONDS, each looking up in turn
 *                           every "DB KEY" of FILE, whose lines are
 *                           "DB KEY<TAB>ANSWER": each answer must be one of
 *                           the key's lines (ANSWER as "get" prints it), as
 *                           when a writer switches a record between two
 *                           states; prints "oneof ok|FAILED lookups=L
 *                           bad=B" and the first wrong answers
 * Exit 0 when every check passed, 1 otherwise.
 * Under tests/hardening's failmalloc shim (LD_PRELOAD), only the
 * allocations made inside the module's entry points are counted (direct
 * mode; failmalloc_arm). */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <nss.h>
#include <pthread.h>
#include <pwd.h>
#include <shadow.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef enum nss_status (*byname_fn)(const char *, void *, char *, size_t,
				     int *);
typedef enum nss_status (*byid_fn)(unsigned, void *, char *, size_t, int *);
typedef enum nss_status (*set_fn)(int);
typedef enum nss_status (*end_fn)(void);
typedef enum nss_status (*ent_fn)(void *, char *, size_t, int *);
typedef enum nss_status (*initgr_fn)(const char *, gid_t, long *, long *,
				     gid_t **, long, int *);

static bool direct;
/* failmalloc_arm of the preloaded shim, if any */
static void (*arm)(const char *);

/* getenv/secure_getenv for the whole process: the module and libgdbm
 * bind to these, so reads of the environment can be counted. */
extern char **environ;
static volatile int watch_env, env_reads;

static char *env_lookup(const char *name)
{
	size_t n = strlen(name);
	if (watch_env)
		env_reads++;
	for (char **e = environ; e && *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}
char *getenv(const char *name)
{
	return env_lookup(name);
}
char *secure_getenv(const char *name)
{
	return env_lookup(name);
}
static struct {
	byname_fn pwnam, grnam, spnam;
	byid_fn pwuid, grgid;
	set_fn setpw, setgr, setsp;
	end_fn endpw, endgr, endsp;
	ent_fn pwent, grent, spent;
	initgr_fn initgroups;
} M;

static void *sym(void *h, const char *name)
{
	void *p = dlsym(h, name);
	if (!p) {
		fprintf(stderr, "nss_probe: %s: %s\n", name, dlerror());
		exit(2);
	}
	return p;
}

static void load(const char *path)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "nss_probe: %s\n", dlerror());
		exit(2);
	}
	M.pwnam = (byname_fn)sym(h, "_nss_svcacct_getpwnam_r");
	M.grnam = (byname_fn)sym(h, "_nss_svcacct_getgrnam_r");
	M.spnam = (byname_fn)sym(h, "_nss_svcacct_getspnam_r");
	M.pwuid = (byid_fn)sym(h, "_nss_svcacct_getpwuid_r");
	M.grgid = (byid_fn)sym(h, "_nss_svcacct_getgrgid_r");
	M.setpw = (set_fn)sym(h, "_nss_svcacct_setpwent");
	M.setgr = (set_fn)sym(h, "_nss_svcacct_setgrent");
	M.setsp = (set_fn)sym(h, "_nss_svcacct_setspent");
	M.endpw = (end_fn)sym(h, "_nss_svcacct_endpwent");
	M.endgr = (end_fn)sym(h, "_nss_svcacct_endgrent");
	M.endsp = (end_fn)sym(h, "_nss_svcacct_endspent");
	M.pwent = (ent_fn)sym(h, "_nss_svcacct_getpwent_r");
	M.grent = (ent_fn)sym(h, "_nss_svcacct_getgrent_r");
	M.spent = (ent_fn)sym(h, "_nss_svcacct_getspent_r");
	M.initgroups = (initgr_fn)sym(h, "_nss_svcacct_initgroups_dyn");
}

static const char *status_name(int st)
{
	switch (st) {
	case NSS_STATUS_SUCCESS: return "SUCCESS";
	case NSS_STATUS_NOTFOUND: return "NOTFOUND";
	case NSS_STATUS_UNAVAIL: return "UNAVAIL";
	case NSS_STATUS_TRYAGAIN: return "TRYAGAIN";
	case NSS_STATUS_RETURN: return "RETURN";
	}
	return "?";
}

static const char *errno_name(int e)
{
	switch (e) {
	case 0: return "0";
	case ENOENT: return "ENOENT";
	case ERANGE: return "ERANGE";
	case EIO: return "EIO";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case ENOMEM: return "ENOMEM";
	case EINVAL: return "EINVAL";
	case EDEADLK: return "EDEADLK";
	case EMFILE: return "EMFILE";
	case EAGAIN: return "EAGAIN";
	case EPROTO: return "EPROTO";
	case EFBIG: return "EFBIG";
	case ELOOP: return "ELOOP";
	}
	static char buf[16];
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

union ent {
	struct passwd pw;
	struct group gr;
	struct spwd sp;
};

enum db { PWNAM, PWUID, GRNAM, GRGID, SPNAM, PWENT, GRENT, SPENT };

static int parse_db(const char *s)
{
	static const char *const names[] = {"pwnam", "pwuid", "grnam", "grgid",
					    "spnam", "pw",    "gr",    "sp"};
	for (int i = 0; i < 8; i++)
		if (!strcmp(s, names[i]))
			return i;
	fprintf(stderr, "nss_probe: unknown database %s\n", s);
	exit(2);
}

static bool is_group(int db)
{
	return db == GRNAM || db == GRGID || db == GRENT;
}
static bool is_shadow(int db)
{
	return db == SPNAM || db == SPENT;
}

/* One lookup; the status is an NSS status in both modes (glibc's return
 * value is mapped: 0 with an entry SUCCESS, 0 without NOTFOUND, ERANGE
 * TRYAGAIN, anything else UNAVAIL). */
static int lookup(int db, const char *key, union ent *e, char *buf, size_t len,
		  int *err)
{
	unsigned id = key ? (unsigned)strtoul(key, NULL, 10) : 0;
	*err = 0;
	if (direct) {
		int st = NSS_STATUS_UNAVAIL;
		if (arm)
			arm("nss");
		switch (db) {
		case PWNAM: st = M.pwnam(key, e, buf, len, err); break;
		case PWUID: st = M.pwuid(id, e, buf, len, err); break;
		case GRNAM: st = M.grnam(key, e, buf, len, err); break;
		case GRGID: st = M.grgid(id, e, buf, len, err); break;
		case SPNAM: st = M.spnam(key, e, buf, len, err); break;
		case PWENT: st = M.pwent(e, buf, len, err); break;
		case GRENT: st = M.grent(e, buf, len, err); break;
		case SPENT: st = M.spent(e, buf, len, err); break;
		}
		if (arm)
			arm(NULL);
		return st;
	}
	void *res = NULL;
	int r = 0;
	switch (db) {
	case PWNAM:
		r = getpwnam_r(key, &e->pw, buf, len, (struct passwd **)&res);
		break;
	case PWUID:
		r = getpwuid_r(id, &e->pw, buf, len, (struct passwd **)&res);
		break;
	case GRNAM:
		r = getgrnam_r(key, &e->gr, buf, len, (struct group **)&res);
		break;
	case GRGID:
		r = getgrgid_r(id, &e->gr, buf, len, (struct group **)&res);
		break;
	case SPNAM:
		r = getspnam_r(key, &e->sp, buf, len, (struct spwd **)&res);
		break;
	case PWENT:
		r = getpwent_r(&e->pw, buf, len, (struct passwd **)&res);
		break;
	case GRENT:
		r = getgrent_r(&e->gr, buf, len, (struct group **)&res);
		break;
	case SPENT:
		r = getspent_r(&e->sp, buf, len, (struct spwd **)&res);
		break;
	}
	*err = r;
	if (r == 0)
		return res ? NSS_STATUS_SUCCESS : NSS_STATUS_NOTFOUND;
	if (r == ENOENT && db >= PWENT)
		return NSS_STATUS_NOTFOUND; /* end of an enumeration */
	return r == ERANGE ? NSS_STATUS_TRYAGAIN : NSS_STATUS_UNAVAIL;
}

static void fmt_num(char *o, size_t n, long v)
{
	if (v == -1)
		*o = '\0';
	else
		snprintf(o, n, "%ld", v);
}

/* The entry as getent prints it. */
static void format(int db, const union ent *e, char *out, size_t n)
{
	if (is_group(db)) {
		size_t off =
		    (size_t)snprintf(out, n, "%s:%s:%u:", e->gr.gr_name,
				     e->gr.gr_passwd, (unsigned)e->gr.gr_gid);
		for (char **m = e->gr.gr_mem; *m && off < n; m++)
			off +=
			    (size_t)snprintf(out + off, n - off, "%s%s",
					     m == e->gr.gr_mem ? "" : ",", *m);
	} else if (is_shadow(db)) {
		char f[6][24];
		fmt_num(f[0], 24, e->sp.sp_lstchg);
		fmt_num(f[1], 24, e->sp.sp_min);
		fmt_num(f[2], 24, e->sp.sp_max);
		fmt_num(f[3], 24, e->sp.sp_warn);
		fmt_num(f[4], 24, e->sp.sp_inact);
		fmt_num(f[5], 24, e->sp.sp_expire);
		snprintf(out, n, "%s:%s:%s:%s:%s:%s:%s:%s:%s", e->sp.sp_namp,
			 e->sp.sp_pwdp, f[0], f[1], f[2], f[3], f[4], f[5],
			 e->sp.sp_flag == ~0ul ? "" : "?");
	} else {
		snprintf(out, n, "%s:%s:%u:%u:%s:%s:%s", e->pw.pw_name,
			 e->pw.pw_passwd, (unsigned)e->pw.pw_uid,
			 (unsigned)e->pw.pw_gid, e->pw.pw_gecos, e->pw.pw_dir,
			 e->pw.pw_shell);
	}
}

#define OUTMAX (64u << 20)
static char *outbuf;

static int cmd_get(int db, const char *key, size_t len)
{
	union ent e;
	int err;
	char *buf = malloc(len ? len : 1);
	int st = lookup(db, key, &e, buf, len, &err);
	if (st == NSS_STATUS_SUCCESS) {
		format(db, &e, outbuf, OUTMAX);
		printf("%s %s %s\n", status_name(st), errno_name(err), outbuf);
	} else {
		printf("%s %s\n", status_name(st), errno_name(err));
	}
	free(buf);
	fflush(stdout);
	return 0;
}

/* Find the entry with a buffer that grows until it fits. */
static int big_lookup(int db, const char *key, char *expect, size_t *need)
{
	union ent e;
	int err, st;
	for (size_t len = 1024;; len *= 2) {
		char *buf = malloc(len);
		st = lookup(db, key, &e, buf, len, &err);
		if (st == NSS_STATUS_SUCCESS)
			format(db, &e, expect, OUTMAX);
		free(buf);
		if (st != NSS_STATUS_TRYAGAIN || err != ERANGE ||
		    len >= (256u << 20))
			break;
	}
	(void)need;
	return st;
}

#define GUARD 64

/* One call with exactly len usable bytes at offset mis in a buffer with a
 * guard zone after it; fails if anything past len was written. */
static int guarded(int db, const char *key, size_t len, size_t mis,
		   union ent *e, int *err, bool *overrun)
{
	char *raw = malloc(len + mis + GUARD);
	memset(raw, 0xA5, len + mis + GUARD);
	int st = lookup(db, key, e, raw + mis, len, err);
	*overrun = false;
	for (size_t i = 0; i < GUARD; i++)
		if ((unsigned char)raw[mis + len + i] != 0xA5)
			*overrun = true;
	if (st == NSS_STATUS_SUCCESS)
		format(db, e, outbuf, OUTMAX);
	free(raw);
	return st;
}

static int cmd_sweep(int db, const char *key)
{
	static char expect[1 << 20];
	size_t need = 0;
	int bad = 0;
	if (big_lookup(db, key, expect, &need) != NSS_STATUS_SUCCESS) {
		printf("sweep %s: no entry\n", key);
		return 1;
	}
	for (size_t mis = 0; mis < 8; mis++) {
		size_t len;
		for (len = 0;; len++) {
			union ent e;
			int err;
			bool over;
			int st = guarded(db, key, len, mis, &e, &err, &over);
			if (over) {
				printf("sweep %s: wrote past %zu bytes\n", key,
				       len);
				bad++;
			}
			if (st == NSS_STATUS_SUCCESS) {
				if (strcmp(outbuf, expect)) {
					printf("sweep %s: at %zu got %s\n", key,
					       len, outbuf);
					bad++;
				}
				break;
			}
			if (st != NSS_STATUS_TRYAGAIN || err != ERANGE) {
				printf("sweep %s: at %zu: %s %s\n", key, len,
				       status_name(st), errno_name(err));
				bad++;
				break;
			}
			if (len > (1u << 20)) {
				printf("sweep %s: never fits\n", key);
				return 1;
			}
		}
		if (mis == 0)
			need = len;
		else if (len > need + 7 || len + 7 < need) {
			printf("sweep %s: misaligned by %zu needs %zu, not "
			       "about %zu\n",
			       key, mis, len, need);
			bad++;
		}
	}
	printf("sweep %s %s need=%zu\n", key, bad ? "FAILED" : "ok", need);
	return bad ? 1 : 0;
}

static void set_end(int db, bool set)
{
	if (direct) {
		if (arm)
			arm("nss");
		if (db == PWENT)
			set ? M.setpw(0) : M.endpw();
		else if (db == GRENT)
			set ? M.setgr(0) : M.endgr();
		else
			set ? M.setsp(0) : M.endsp();
		if (arm)
			arm(NULL);
		return;
	}
	if (db == PWENT)
		set ? setpwent() : endpwent();
	else if (db == GRENT)
		set ? setgrent() : endgrent();
	else
		set ? setspent() : endspent();
}

static int cmd_enum(int db, bool sweep)
{
	union ent e;
	int err, st, bad = 0;
	size_t count = 0;
	char *buf = malloc(OUTMAX);
	set_end(db, true);
	for (;;) {
		if (sweep) {
			size_t len = 0;
			for (;; len++) {
				bool over;
				st = guarded(db, NULL, len, 0, &e, &err, &over);
				if (over)
					bad++;
				if (st != NSS_STATUS_TRYAGAIN ||
				    err != ERANGE || len > OUTMAX)
					break;
			}
		} else {
			st = lookup(db, NULL, &e, buf, OUTMAX, &err);
			if (st == NSS_STATUS_SUCCESS)
				format(db, &e, outbuf, OUTMAX);
		}
		if (st != NSS_STATUS_SUCCESS)
			break;
		printf("%s\n", outbuf);
		count++;
	}
	set_end(db, false);
	/* the end of a walk is a NOTFOUND: *errnop stays as it was (0) */
	if (st != NSS_STATUS_NOTFOUND || (direct && err != 0)) {
		printf("enum ended with %s %s\n", status_name(st),
		       errno_name(err));
		bad++;
	}
	fprintf(stderr, "enum: %zu entries\n", count);
	free(buf);
	return bad ? 1 : 0;
}

static int cmd_initgroups(const char *user, gid_t gid, long limit, long size)
{
	long start = 1;
	gid_t *groups = malloc(sizeof(gid_t) * (size_t)(size > 0 ? size : 1));
	int err = 0, st;
	groups[0] = gid;
	if (direct) {
		/* initgroups_dyn asks glibc who the user is. A real caller
		 * reaches it through glibc's group database, which has read
		 * nsswitch.conf and loaded the modules by then: so does this
		 * (a name no source has and the module refuses unread). */
		struct group gr, *gres;
		char gbuf[1024];
		getgrnam_r("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &gr,
			   gbuf, sizeof(gbuf), &gres);
		if (arm)
			arm("nss");
		st = M.initgroups(user, gid, &start, &size, &groups, limit,
				  &err);
		if (arm)
			arm(NULL);
	} else {
		int n = (int)(limit > 0 ? limit : 65536);
		gid_t *g = realloc(groups, sizeof(gid_t) * (size_t)n);
		groups = g;
		st = getgrouplist(user, gid, groups, &n) < 0
			 ? NSS_STATUS_TRYAGAIN
			 : NSS_STATUS_SUCCESS;
		start = n;
	}
	printf("%s %s", status_name(st), errno_name(err));
	for (long i = 0; i < start; i++)
		printf(" %u", (unsigned)groups[i]);
	if (direct)
		printf(" size=%ld", size);
	printf("\n");
	free(groups);
	return 0;
}

/* ------------------------------------------------------ errno */

#define SENTINEL_ERRNO	4242
#define SENTINEL_ERRNOP 4343

/* One direct call of a case's entry point with the given errnop; setent
 * and endent of a walk take none. A walk is setXXent, getXXent_r until it
 * is not SUCCESS, endXXent; *bad counts the calls after which errno was
 * not the sentinel though it had to be (any call with an errnop of its
 * own; SUCCESS, NOTFOUND, setent and endent with errnop = &errno). */
static int errno_call(char **w, int n, int *errnop, bool shared, int *bad)
{
	static char buf[65536];
	union ent e;
	int st = NSS_STATUS_UNAVAIL;

	*bad = 0;
	if (n >= 2 && !strcmp(w[0], "afterclose")) {
		/* what daemon()/closefrom() do: the module's fds are gone */
		for (int fd = 3; fd < 64; fd++)
			close(fd);
		return errno_call(w + 1, n - 1, errnop, shared, bad);
	}
	if (n >= 3 && !strcmp(w[0], "get")) {
		int db = parse_db(w[1]);
		size_t len = n > 3 ? strtoul(w[3], NULL, 10) : sizeof(buf);
		unsigned id = (unsigned)strtoul(w[2], NULL, 10);
		errno = SENTINEL_ERRNO;
		switch (db) {
		case PWNAM: st = M.pwnam(w[2], &e, buf, len, errnop); break;
		case PWUID: st = M.pwuid(id, &e, buf, len, errnop); break;
		case GRNAM: st = M.grnam(w[2], &e, buf, len, errnop); break;
		case GRGID: st = M.grgid(id, &e, buf, len, errnop); break;
		case SPNAM: st = M.spnam(w[2], &e, buf, len, errnop); break;
		}
		return st;
	}
	if (n >= 3 && !strcmp(w[0], "initgroups")) {
		long start = 1, size = 1;
		gid_t *groups = malloc(sizeof(gid_t));
		groups[0] = (gid_t)strtoul(w[2], NULL, 10);
		errno = SENTINEL_ERRNO;
		st = M.initgroups(w[1], groups[0], &start, &size, &groups, 0,
				  errnop);
		free(groups);
		return st;
	}
	if (n >= 2 && !strcmp(w[0], "walk")) {
		int db = parse_db(w[1]);
		set_fn set = db == PWENT   ? M.setpw
			     : db == GRENT ? M.setgr
					   : M.setsp;
		end_fn end = db == PWENT   ? M.endpw
			     : db == GRENT ? M.endgr
					   : M.endsp;
		ent_fn ent = db == PWENT   ? M.pwent
			     : db == GRENT ? M.grent
					   : M.spent;
		errno = SENTINEL_ERRNO;
		set(0);
		*bad += errno != SENTINEL_ERRNO;
		do {
			errno = SENTINEL_ERRNO;
			st = ent(&e, buf, sizeof(buf), errnop);
			if (!shared || st == NSS_STATUS_SUCCESS ||
			    st == NSS_STATUS_NOTFOUND)
				*bad += errno != SENTINEL_ERRNO;
		} while (st == NSS_STATUS_SUCCESS);
		int last = errno;
		errno = SENTINEL_ERRNO;
		end();
		*bad += errno != SENTINEL_ERRNO;
		errno = last;
		return st;
	}
	fprintf(stderr, "nss_probe: bad errno case\n");
	exit(2);
}

static int cmd_errno(char **cases, int ncases)
{
	for (int i = 0; i < ncases; i++) {
		char copy[256], *w[6] = {0}, *save = NULL;
		int n = 0, own = SENTINEL_ERRNOP, bad1, bad2, e1, e2, st1, st2;
		char ebuf[3][24];

		snprintf(copy, sizeof(copy), "%s", cases[i]);
		for (char *t = strtok_r(copy, " ", &save); t && n < 6;
		     t = strtok_r(NULL, " ", &save))
			w[n++] = t;
		st1 = errno_call(w, n, &own, false, &bad1);
		e1 = errno;
		st2 = errno_call(w, n, &errno, true, &bad2);
		e2 = errno;
		snprintf(ebuf[0], sizeof(ebuf[0]), "%s", errno_name(e1));
		snprintf(ebuf[1], sizeof(ebuf[1]), "%s", errno_name(own));
		snprintf(ebuf[2], sizeof(ebuf[2]), "%s", errno_name(e2));
		printf("%s: %s errno=%s errnop=%s; shared: %s errno=%s",
		       cases[i], status_name(st1), ebuf[0], ebuf[1],
		       status_name(st2), ebuf[2]);
		if (bad1 || bad2)
			printf(" (errno changed by %d calls of the walk)",
			       bad1 + bad2);
		printf("\n");
	}
	return 0;
}

/* ------------------------------------------------------ initgroups */

/* getpwnam_r for the whole process (the module binds to it: this program
 * is linked with -export-dynamic). When armed, the first call re-enters
 * the module's initgroups_dyn from this thread, as a module of an earlier
 * source of nsswitch.conf could. */
static const char *igrecurse_user;
static char igrecurse_seen[128];

int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len,
	       struct passwd **res)
{
	static int (*real)(const char *, struct passwd *, char *, size_t,
			   struct passwd **);
	if (!real) {
		real =
		    (int (*)(const char *, struct passwd *, char *, size_t,
			     struct passwd **))dlsym(RTLD_NEXT, "getpwnam_r");
		if (!real)
			abort();
	}
	if (igrecurse_user) {
		const char *user = igrecurse_user;
		long start = 1, size = 1;
		gid_t *groups = malloc(sizeof(gid_t));
		int err = 0, st;

		igrecurse_user = NULL;
		groups[0] = 0;
		st = M.initgroups(user, 0, &start, &size, &groups, 0, &err);
		snprintf(igrecurse_seen, sizeof(igrecurse_seen), "%s %s %ld",
			 status_name(st), errno_name(err), start - 1);
		free(groups);
	}
	return real(name, pw, buf, len, res);
}

static int cmd_igrecurse(const char *user, gid_t gid)
{
	long start = 1, size = 1;
	gid_t *groups = malloc(sizeof(gid_t));
	int err = 0, st;

	groups[0] = gid;
	igrecurse_user = user;
	st = M.initgroups(user, gid, &start, &size, &groups, 0, &err);
	igrecurse_user = NULL;
	printf("outer %s %s %ld groups, inner %s\n", status_name(st),
	       errno_name(err), start - 1,
	       igrecurse_seen[0] ? igrecurse_seen : "not called");
	free(groups);
	return 0;
}

/* One initgroups, as "STATUS GID..." (direct) or "GID..." (glibc). */
static void ig_line(const char *user, gid_t gid, char *out, size_t n)
{
	long start = 1, size = 4;
	gid_t *groups = malloc(sizeof(gid_t) * 64);
	int err = 0, st = NSS_STATUS_SUCCESS, ng = 64;
	size_t off = 0;

	groups[0] = gid;
	if (direct) {
		st = M.initgroups(user, gid, &start, &size, &groups, 0, &err);
	} else {
		if (getgrouplist(user, gid, groups, &ng) < 0)
			st = NSS_STATUS_TRYAGAIN;
		start = ng;
	}
	off +=
	    (size_t)snprintf(out, n, "%s %s", status_name(st), errno_name(err));
	for (long i = 0; i < start && off < n; i++)
		off += (size_t)snprintf(out + off, n - off, " %u",
					(unsigned)groups[i]);
	free(groups);
}

struct igjob {
	char **pairs;
	int npairs;
	long iter;
	char (*expect)[512];
	int fails;
};

static void *igworker(void *arg)
{
	struct igjob *j = arg;
	char line[512];
	for (long i = 0; i < j->iter; i++) {
		for (int k = 0; k < j->npairs; k++) {
			char user[128];
			const char *colon = strchr(j->pairs[k], ':');
			snprintf(user, sizeof(user), "%.*s",
				 (int)(colon ? colon - j->pairs[k] : 0),
				 j->pairs[k]);
			ig_line(
			    user,
			    (gid_t)strtoul(colon ? colon + 1 : "0", NULL, 10),
			    line, sizeof(line));
			if (strcmp(line, j->expect[k]) &&
			    __atomic_fetch_add(&j->fails, 1, __ATOMIC_RELAXED) <
				3)
				fprintf(stderr, "%s: got %s want %s\n",
					j->pairs[k], line, j->expect[k]);
		}
	}
	return NULL;
}

static int cmd_igthreads(int n, long iter, char **pairs, int npairs)
{
	char(*expect)[512] = calloc((size_t)npairs, sizeof(*expect));
	struct igjob jobs[64];
	pthread_t t[64];
	int fails = 0;

	if (n > 64)
		n = 64;
	for (int k = 0; k < npairs; k++) {
		char user[128];
		const char *colon = strchr(pairs[k], ':');
		snprintf(user, sizeof(user), "%.*s",
			 (int)(colon ? colon - pairs[k] : 0), pairs[k]);
		ig_line(user, (gid_t)strtoul(colon ? colon + 1 : "0", NULL, 10),
			expect[k], sizeof(expect[k]));
		printf("%s: %s\n", pairs[k], expect[k]);
	}
	for (int i = 0; i < n; i++) {
		jobs[i] = (struct igjob){pairs, npairs, iter, expect, 0};
		pthread_create(&t[i], NULL, igworker, &jobs[i]);
	}
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		fails += jobs[i].fails;
	}
	printf("igthreads %s: %d threads x %ld rounds x %d users, %d wrong\n",
	       fails ? "FAILED" : "ok", n, iter, npairs, fails);
	free(expect);
	return fails ? 1 : 0;
}

/* ------------------------------------------------------ concurrency */

struct job {
	char **keys;
	int nkeys;
	long iter;
	char (*expect)[3][1024];
	int fails;
};

static int one_round(char **keys, int nkeys, char (*expect)[3][1024],
		     bool record)
{
	static const int dbs[3] = {PWNAM, GRNAM, SPNAM};
	char buf[4096], line[1024];
	int fails = 0;
	for (int k = 0; k < nkeys; k++) {
		for (int d = 0; d < 3; d++) {
			union ent e;
			int err;
			int st =
			    lookup(dbs[d], keys[k], &e, buf, sizeof(buf), &err);
			if (st == NSS_STATUS_SUCCESS)
				format(dbs[d], &e, line, sizeof(line));
			else
				snprintf(line, sizeof(line), "%s %s",
					 status_name(st), errno_name(err));
			if (record)
				snprintf(expect[k][d], 1024, "%s", line);
			else if (strcmp(expect[k][d], line)) {
				if (fails++ < 3)
					fprintf(stderr, "got %s want %s\n",
						line, expect[k][d]);
			}
		}
	}
	return fails;
}

static void *worker(void *arg)
{
	struct job *j = arg;
	for (long i = 0; i < j->iter; i++)
		j->fails += one_round(j->keys, j->nkeys, j->expect, false);
	return NULL;
}

static int cmd_threads(int n, long iter, char **keys, int nkeys)
{
	char(*expect)[3][1024] = calloc((size_t)nkeys, sizeof(*expect));
	pthread_t t[64];
	struct job jobs[64];
	int fails = 0;
	if (n > 64)
		n = 64;
	one_round(keys, nkeys, expect, true);
	for (int i = 0; i < n; i++) {
		jobs[i] = (struct job){keys, nkeys, iter, expect, 0};
		pthread_create(&t[i], NULL, worker, &jobs[i]);
	}
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		fails += jobs[i].fails;
	}
	printf("threads %s: %d threads x %ld rounds x %d keys, %d wrong\n",
	       fails ? "FAILED" : "ok", n, iter, nkeys, fails);
	free(expect);
	return fails ? 1 : 0;
}

static int stop_thread;

static void *busy(void *arg)
{
	struct job *j = arg;
	while (!__atomic_load_n(&stop_thread, __ATOMIC_ACQUIRE))
		j->fails += one_round(j->keys, j->nkeys, j->expect, false);
	return NULL;
}

static bool fork_exit;

static int cmd_fork(long iter, char **keys, int nkeys)
{
	char(*expect)[3][1024] = calloc((size_t)nkeys, sizeof(*expect));
	struct job j = {keys, nkeys, 0, expect, 0};
	pthread_t t;
	int fails = 0;
	one_round(keys, nkeys, expect, true);
	/* a thread keeps looking up while the main thread forks, so forks
	 * happen in the middle of lookups */
	pthread_create(&t, NULL, busy, &j);
	for (long i = 0; i < iter; i++) {
		fails += one_round(keys, nkeys, expect, false);
		pid_t pid = fork();
		if (pid == 0) {
			int f = 0;
			for (int k = 0; k < 20; k++)
				f += one_round(keys, nkeys, expect, false);
			if (fork_exit)
				exit(f ? 1 : 0);
			_exit(f ? 1 : 0);
		}
		int status = 0;
		fails += one_round(keys, nkeys, expect, false);
		waitpid(pid, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			fails++;
	}
	__atomic_store_n(&stop_thread, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	fails += j.fails;
	printf("fork %s: %ld forks, %d wrong\n", fails ? "FAILED" : "ok", iter,
	       fails);
	free(expect);
	return fails ? 1 : 0;
}

static int cmd_closefds(long iter, char **keys, int nkeys)
{
	char(*expect)[3][1024] = calloc((size_t)nkeys, sizeof(*expect));
	int fails = 0;
	one_round(keys, nkeys, expect, true);
	for (long i = 0; i < iter; i++) {
		fails += one_round(keys, nkeys, expect, false);
		/* what daemon()/closefrom() do behind the library's back */
		for (int fd = 3; fd < 64; fd++)
			close(fd);
		if (i % 2) {
			/* and take the numbers again for files of ours */
			int fds[8];
			for (int k = 0; k < 8; k++)
				fds[k] = dup(1);
			fails += one_round(keys, nkeys, expect, false);
			/* ours must still be ours: the module closed none */
			for (int k = 0; k < 8; k++) {
				if (fcntl(fds[k], F_GETFD) < 0) {
					fprintf(stderr, "fd %d was closed\n",
						fds[k]);
					fails++;
				}
				close(fds[k]);
			}
		}
	}
	fails += one_round(keys, nkeys, expect, false);
	printf("closefds %s: %ld rounds, %d wrong\n", fails ? "FAILED" : "ok",
	       iter, fails);
	free(expect);
	return fails ? 1 : 0;
}

/* Resident KiB of one kind (/proc/self/status: "RssAnon:", "RssFile:"):
 * anonymous memory is the process's own; file pages of a mapped index are
 * the page cache, shared by every process that maps it. */
static long rss_kib(const char *kind)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	size_t kl = strlen(kind);
	long v = -1;
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, kind, kl))
			v = strtol(line + kl, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

static int cmd_rss(long n, const char *prefix, long count)
{
	char name[64], buf[4096];
	union ent e;
	int err;
	unsigned seed = 12345;
	long fails = 0;
	long before = rss_kib("RssAnon:"), fbefore = rss_kib("RssFile:");
	snprintf(name, sizeof(name), "%s%07ld", prefix, 0L);
	lookup(PWNAM, name, &e, buf, sizeof(buf), &err);
	long first = rss_kib("RssAnon:");
	for (long i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s%07ld", prefix,
			 (long)(rand_r(&seed) % count));
		if (lookup(PWNAM, name, &e, buf, sizeof(buf), &err) !=
		    NSS_STATUS_SUCCESS)
			fails++;
	}
	long after = rss_kib("RssAnon:"), fafter = rss_kib("RssFile:");
	printf("anon_kib before=%ld after_first=%ld after_%ld=%ld "
	       "growth_after_first=%ld growth_total=%ld file_growth=%ld "
	       "failures=%ld\n",
	       before, first, n, after, after - first, after - before,
	       fafter - fbefore, fails);
	return fails ? 1 : 0;
}

static int cmd_script(void)
{
	char line[4096];
	while (fgets(line, sizeof(line), stdin)) {
		char *w[4] = {0};
		int n = 0;
		char *save = NULL;
		for (char *t = strtok_r(line, " \t\n", &save); t && n < 4;
		     t = strtok_r(NULL, " \t\n", &save))
			w[n++] = t;
		if (n >= 3 && !strcmp(w[0], "get"))
			cmd_get(parse_db(w[1]), w[2],
				n > 3 ? strtoul(w[3], NULL, 10) : 65536);
		else if (n >= 2 && !strcmp(w[0], "sleep"))
			usleep((useconds_t)(atof(w[1]) * 1e6));
		else if (n >= 1 && !strcmp(w[0], "quit"))
			break;
		else
			printf("?\n");
		fflush(stdout);
	}
	return 0;
}

/* gdbm_fetch, interposed: GDBM's own types without its header (the probe
 * does not link GDBM; the module's libgdbm is found with RTLD_NEXT). */
typedef struct {
	char *dptr;
	int dsize;
} gdatum;
gdatum gdbm_fetch(void *db, gdatum key);
static const char *recurse_other;
static char recurse_seen[128];

static int hold_in_fetch, held_in_fetch;

gdatum gdbm_fetch(void *db, gdatum key)
{
	if (__atomic_load_n(&hold_in_fetch, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&held_in_fetch, 1, __ATOMIC_RELEASE);
		for (;;)
			pause();
	}
	static gdatum (*real)(void *, gdatum);
	if (!real) {
		/* the module loaded libgdbm, maybe RTLD_LOCAL: not in the
		 * global scope RTLD_NEXT searches (and this probe's own
		 * allocations are not the module's: not counted) */
		if (arm)
			arm(NULL);
		void *h = dlopen("libgdbm.so.6", RTLD_NOW | RTLD_NOLOAD);
		if (arm)
			arm("nss");
		real = h ? (gdatum(*)(void *, gdatum))dlsym(h, "gdbm_fetch")
			 : NULL;
		if (!real)
			abort();
	}
	if (recurse_other) {
		const char *other = recurse_other;
		union ent e;
		char buf[1024];
		int err;
		recurse_other = NULL;
		int st = lookup(PWNAM, other, &e, buf, sizeof(buf), &err);
		snprintf(recurse_seen, sizeof(recurse_seen), "%s %s",
			 status_name(st), errno_name(err));
	}
	return real(db, key);
}

static int cmd_recurse(const char *name, const char *other)
{
	union ent e;
	char buf[1024];
	int err;
	recurse_other = other;
	int st = lookup(PWNAM, name, &e, buf, sizeof(buf), &err);
	printf("outer %s %s, inner %s\n", status_name(st), errno_name(err),
	       recurse_seen[0] ? recurse_seen : "not called");
	return 0;
}

static void *busy_lookup(void *arg)
{
	union ent e;
	char buf[1024];
	int err;
	lookup(PWNAM, arg, &e, buf, sizeof(buf), &err);
	return NULL;
}

static int cmd_exitbusy(const char *key)
{
	pthread_t t;
	union ent e;
	char buf[1024];
	int err;
	/* open the handle first, so that there is something to free */
	lookup(PWNAM, key, &e, buf, sizeof(buf), &err);
	__atomic_store_n(&hold_in_fetch, 1, __ATOMIC_RELEASE);
	pthread_create(&t, NULL, busy_lookup, (void *)key);
	/* a lookup that never calls gdbm_fetch (a mapped index) is never
	 * held: say so rather than wait for ever */
	for (int i = 0; !__atomic_load_n(&held_in_fetch, __ATOMIC_ACQUIRE);
	     i++) {
		if (i == 10000) {
			printf("the lookup never reached gdbm_fetch\n");
			return 1;
		}
		usleep(1000);
	}
	printf("exiting with a thread inside the module\n");
	fflush(stdout);
	exit(0);
}

/* ------------------------------------------------------ oneof */

#define ONEOF_MAX 64

static struct oneof {
	int db;
	char key[128];
	char *allowed[8];
	int n;
} oneof_q[ONEOF_MAX];
static int oneof_nq;
static long oneof_deadline_ns;

static long mono_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

struct oneof_job {
	long lookups, bad;
};

static void *oneof_worker(void *arg)
{
	struct oneof_job *j = arg;
	char buf[4096], line[2048], ent[1024];
	while (mono_now_ns() < oneof_deadline_ns) {
		for (int q = 0; q < oneof_nq; q++) {
			union ent e;
			int err, ok = 0;
			int st = lookup(oneof_q[q].db, oneof_q[q].key, &e, buf,
					sizeof(buf), &err);
			if (st == NSS_STATUS_SUCCESS) {
				format(oneof_q[q].db, &e, ent, sizeof(ent));
				snprintf(line, sizeof(line), "%s %s %s",
					 status_name(st), errno_name(err), ent);
			} else {
				snprintf(line, sizeof(line), "%s %s",
					 status_name(st), errno_name(err));
			}
			for (int a = 0; a < oneof_q[q].n; a++)
				if (!strcmp(line, oneof_q[q].allowed[a]))
					ok = 1;
			j->lookups++;
			if (!ok && __atomic_fetch_add(&j->bad, 1,
						      __ATOMIC_RELAXED) < 3)
				fprintf(stderr, "oneof: %s: got %s\n",
					oneof_q[q].key, line);
		}
	}
	return NULL;
}

static int cmd_oneof(int n, double seconds, const char *file)
{
	FILE *f = fopen(file, "re");
	char line[2048];
	pthread_t t[64];
	struct oneof_job jobs[64] = {{0}};
	long lookups = 0, bad = 0;

	if (!f) {
		perror(file);
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t'), db[16], key[128];
		int q;
		line[strcspn(line, "\n")] = '\0';
		if (!tab || sscanf(line, "%15s %127s", db, key) != 2)
			continue;
		for (q = 0; q < oneof_nq; q++)
			if (oneof_q[q].db == parse_db(db) &&
			    !strcmp(oneof_q[q].key, key))
				break;
		if (q == oneof_nq) {
			if (oneof_nq == ONEOF_MAX)
				continue;
			oneof_q[q].db = parse_db(db);
			snprintf(oneof_q[q].key, sizeof(oneof_q[q].key), "%s",
				 key);
			oneof_nq++;
		}
		if (oneof_q[q].n < 8)
			oneof_q[q].allowed[oneof_q[q].n++] = strdup(tab + 1);
	}
	fclose(f);
	if (n > 64)
		n = 64;
	oneof_deadline_ns = mono_now_ns() + (long)(seconds * 1e9);
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, oneof_worker, &jobs[i]);
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		lookups += jobs[i].lookups;
		bad += jobs[i].bad;
	}
	printf("oneof %s: threads=%d lookups=%ld bad=%ld\n",
	       bad ? "FAILED" : "ok", n, lookups, bad);
	for (int q = 0; q < oneof_nq; q++)
		for (int a = 0; a < oneof_q[q].n; a++)
			free(oneof_q[q].allowed[a]);
	return bad ? 1 : 0;
}

static int cmd_noenv(char **keys, int nkeys)
{
	char(*expect)[3][1024] = calloc((size_t)nkeys, sizeof(*expect));
	watch_env = 1;
	one_round(keys, nkeys, expect, true);
	for (int db = PWENT; db <= SPENT; db++) {
		union ent e;
		int err;
		char buf[4096];
		set_end(db, true);
		while (lookup(db, NULL, &e, buf, sizeof(buf), &err) ==
		       NSS_STATUS_SUCCESS)
			;
		set_end(db, false);
	}
	watch_env = 0;
	printf("env_reads=%d\n", env_reads);
	free(expect);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: nss_probe MODE CMD ARGS...\n");
		return 2;
	}
	outbuf = malloc(OUTMAX);
	arm = (void (*)(const char *))dlsym(RTLD_DEFAULT, "failmalloc_arm");
	if (!strncmp(argv[1], "direct:", 7)) {
		direct = true;
		load(argv[1] + 7);
	} else if (strcmp(argv[1], "glibc")) {
		fprintf(stderr, "nss_probe: mode direct:PATH or glibc\n");
		return 2;
	}
	const char *cmd = argv[2];
	if (!strcmp(cmd, "get") && argc >= 5)
		return cmd_get(parse_db(argv[3]), argv[4],
			       argc > 5 ? strtoul(argv[5], NULL, 10) : 65536);
	if (!strcmp(cmd, "sweep") && argc == 5)
		return cmd_sweep(parse_db(argv[3]), argv[4]);
	if (!strcmp(cmd, "enum") && argc >= 4)
		return cmd_enum(parse_db(argv[3]),
				argc > 4 && !strcmp(argv[4], "sweep"));
	if (!strcmp(cmd, "initgroups") && argc >= 5)
		return cmd_initgroups(argv[3],
				      (gid_t)strtoul(argv[4], NULL, 10),
				      argc > 5 ? strtol(argv[5], NULL, 10) : 0,
				      argc > 6 ? strtol(argv[6], NULL, 10) : 1);
	if (!strcmp(cmd, "igthreads") && argc >= 6)
		return cmd_igthreads(atoi(argv[3]), atol(argv[4]), argv + 5,
				     argc - 5);
	if (!strcmp(cmd, "igrecurse") && direct && argc == 5)
		return cmd_igrecurse(argv[3],
				     (gid_t)strtoul(argv[4], NULL, 10));
	if (!strcmp(cmd, "errno") && direct && argc >= 4)
		return cmd_errno(argv + 3, argc - 3);
	if (!strcmp(cmd, "threads") && argc >= 6)
		return cmd_threads(atoi(argv[3]), atol(argv[4]), argv + 5,
				   argc - 5);
	if (!strcmp(cmd, "fork") && argc >= 5)
		return cmd_fork(atol(argv[3]), argv + 4, argc - 4);
	if (!strcmp(cmd, "forkexit") && argc >= 5) {
		fork_exit = true;
		return cmd_fork(atol(argv[3]), argv + 4, argc - 4);
	}
	if (!strcmp(cmd, "exitbusy") && argc == 4)
		return cmd_exitbusy(argv[3]);
	if (!strcmp(cmd, "closefds") && argc >= 5)
		return cmd_closefds(atol(argv[3]), argv + 4, argc - 4);
	if (!strcmp(cmd, "rss") && argc == 6)
		return cmd_rss(atol(argv[3]), argv[4], atol(argv[5]));
	if (!strcmp(cmd, "script"))
		return cmd_script();
	if (!strcmp(cmd, "load"))
		return 0;
	if (!strcmp(cmd, "recurse") && argc == 5)
		return cmd_recurse(argv[3], argv[4]);
	if (!strcmp(cmd, "oneof") && argc == 6)
		return cmd_oneof(atoi(argv[3]), atof(argv[4]), argv[5]);
	if (!strcmp(cmd, "noenv"))
		return cmd_noenv(argv + 3, argc - 3);
	fprintf(stderr, "nss_probe: bad command\n");
	return 2;
}
