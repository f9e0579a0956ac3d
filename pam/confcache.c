/* SPDX-License-Identifier: MIT */
/* The configuration, parsed once per process (pam_svcacct.h).
 *
 * This is the module's one piece of process-wide state, and it may be:
 * what it holds is a copy of what sv_config_load returned for a file that
 * has not changed since (same device, inode, size, mode, owner, mtime and
 * ctime), which a fresh parse would return again. Every PAM handle gets
 * its own copy of the parsed struct, so nothing a login does reaches
 * another's. Only successful loads are kept: a file that fails to load
 * is loaded again at the next login, so a fix (of the file or of the
 * directories it names) is seen at once. The lock is only ever tried:
 * when another thread holds it, or a fork left it held in the child,
 * the login parses the file itself, as if there were no cache.
 *
 * The file is stat'ed at most once a second (CLOCK_MONOTONIC_COARSE, read
 * without a system call), as nss_svcacct does: an edit of svcacct.conf is
 * seen by the next login at most a second later. The owner and mode walk
 * of the file, db_dir, state_dir and their parents (sv_config_load) is
 * redone whenever the file changed and otherwise at least every
 * SVP_CONF_RELOAD_EVERY seconds, so that a directory made writable for
 * others is refused within that time even in a process that lives for
 * months. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "pam_svcacct.h"

#define SVP_CONF_RELOAD_EVERY 30 /* seconds */

static struct {
	bool known;	 /* the fields below describe the last good load */
	bool present;	 /* the file existed (r 0), or not (-ENOENT) */
	time_t checked;	 /* CLOCK_MONOTONIC_COARSE second of the last stat */
	time_t loaded;	 /* ... and of the last full load */
	struct stat st;	 /* the file's stat before that load */
	char path[4096]; /* the file it was loaded from */
	struct sv_config cfg;
} cache;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_size == b->st_size && a->st_mode == b->st_mode &&
	       a->st_uid == b->st_uid && a->st_gid == b->st_gid &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	       a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Whether the cache answers for path at second now (the lock held). */
static bool cache_fresh(const char *path, time_t now)
{
	struct stat st;
	bool present = true;

	if (!cache.known || strcmp(cache.path, path) != 0)
		return false;
	if (now == cache.checked)
		return true;
	if (now - cache.loaded >= SVP_CONF_RELOAD_EVERY || now < cache.loaded)
		return false;
	if (stat(path, &st) < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			return false;
		present = false;
	}
	if (present != cache.present || (present && !same_file(&st, &cache.st)))
		return false;
	cache.checked = now;
	return true;
}

int svp_config_load(struct sv_config *c, const char *path, char *err,
		    size_t errlen)
{
	struct timespec now;
	struct stat st;
	bool present = true;
	int r;

	if (strlen(path) >= sizeof(cache.path) ||
	    pthread_mutex_trylock(&cache_lock) != 0)
		return sv_config_load(c, path, true, err, errlen);
	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	if (cache_fresh(path, now.tv_sec)) {
		*c = cache.cfg;
		r = cache.present ? 0 : -ENOENT;
		goto out;
	}
	cache.known = false;
	/* the stat before the load: a file changed in between differs from
	 * it at the next check, and is loaded again */
	if (stat(path, &st) < 0)
		present = false;
	r = sv_config_load(c, path, true, err, errlen);
	if ((r == 0 && present) || (r == -ENOENT && !present)) {
		cache.known = true;
		cache.present = present;
		cache.checked = cache.loaded = now.tv_sec;
		cache.st = st;
		memcpy(cache.path, path, strlen(path) + 1);
		cache.cfg = *c;
	}
out:
	pthread_mutex_unlock(&cache_lock);
	return r;
}
