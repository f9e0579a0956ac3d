/* SPDX-License-Identifier: MIT */
/* The jti replay cache (replay.h). One short critical section per
 * assertion login: lock, open, fetch, store, close, unlock. The lock is an
 * OFD lock on a separate file so that it is never tied to GDBM's own
 * handling of the database file, and it is polled with a deadline so that a
 * stopped process holding it makes logins fail (closed), not hang. */
#include "replay.h"

#include <errno.h>
#include <fcntl.h>
#include <gdbm.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "names.h"
#include "util.h"

#define REPLAY_DB "replay.db"
#define REPLAY_LOCK "replay.lock"
#define LOCK_DEADLINE_NS (2000LL * 1000 * 1000)
#define PRUNE_EVERY 60 /* seconds */
#define META_PREFIX '\x01'
#define KEY_MAX (1 + 1 + SV_NAME_MAX + 1 + SV_JTI_MAX)

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Root's, a regular file, nobody else may read or write it. */
static int check_private(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (S_IRWXG | S_IRWXO)))
		return -EPERM;
	return 0;
}

static int take_lock(int dfd, int *out)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	int64_t deadline = mono_ns() + LOCK_DEADLINE_NS;
	long wait_ns = 50 * 1000;
	int fd, r;

	fd = openat(dfd, REPLAY_LOCK,
		    O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return -errno;
	r = check_private(fd);
	if (r < 0)
		goto fail;
	for (;;) {
		if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
			break;
		if (errno != EAGAIN && errno != EACCES && errno != EINTR) {
			r = -errno;
			goto fail;
		}
		if (mono_ns() >= deadline) {
			r = -ETIMEDOUT;
			goto fail;
		}
		struct timespec ts = {0, wait_ns};
		nanosleep(&ts, NULL);
		if (wait_ns < 4 * 1000 * 1000)
			wait_ns *= 2;
	}
	*out = fd;
	return 0;
fail:
	close(fd);
	return r;
}

static int gdbm_err(GDBM_FILE db)
{
	gdbm_error e = gdbm_last_errno(db);
	if (e == GDBM_MALLOC_ERROR)
		return -ENOMEM;
	return e == GDBM_NO_ERROR ? -EIO : -EBADMSG;
}

static int get_u64(GDBM_FILE db, const char *k, size_t kl, uint64_t *v,
		   size_t width)
{
	datum key = {(char *)k, (int)kl};
	datum d = gdbm_fetch(db, key);
	uint8_t buf[8] = {0};

	*v = 0;
	if (!d.dptr)
		return gdbm_last_errno(db) == GDBM_ITEM_NOT_FOUND ? -ENOENT
								  : gdbm_err(db);
	if ((size_t)d.dsize != width) {
		free(d.dptr);
		return -EBADMSG;
	}
	memcpy(buf, d.dptr, width);
	free(d.dptr);
	*v = get_le64(buf);
	return 0;
}

static int put_u64(GDBM_FILE db, const char *k, size_t kl, uint64_t v,
		   size_t width)
{
	uint8_t buf[8];
	put_le64(buf, v);
	datum key = {(char *)k, (int)kl}, d = {(char *)buf, (int)width};
	return gdbm_store(db, key, d, GDBM_REPLACE) == 0 ? 0 : gdbm_err(db);
}

struct keyvec {
	datum *v;
	size_t n, cap;
};

static int keyvec_push(struct keyvec *kv, datum k)
{
	if (kv->n == kv->cap) {
		size_t cap = kv->cap ? kv->cap * 2 : 256, bytes;
		if (sv_mul_overflow(cap, sizeof(datum), &bytes))
			return -ENOMEM;
		datum *nv = realloc(kv->v, bytes);
		if (!nv)
			return -ENOMEM;
		kv->v = nv;
		kv->cap = cap;
	}
	kv->v[kv->n++] = k;
	return 0;
}

static void keyvec_free(struct keyvec *kv)
{
	for (size_t i = 0; i < kv->n; i++)
		free(kv->v[i].dptr);
	free(kv->v);
	kv->v = NULL;
	kv->n = kv->cap = 0;
}

static int cmp_datum(const void *a, const void *b)
{
	const datum *x = a, *y = b;
	/* by account: the bytes before the NUL */
	size_t xn = strnlen(x->dptr, (size_t)x->dsize);
	size_t yn = strnlen(y->dptr, (size_t)y->dsize);
	int r = memcmp(x->dptr, y->dptr, xn < yn ? xn : yn);
	return r ? r : (xn > yn) - (xn < yn);
}

/* Delete expired entries and rewrite every account's count. GDBM must
 * not be changed while iterating: collect first, then delete. */
static int prune(GDBM_FILE db, int64_t now)
{
	struct keyvec dead = {0}, live = {0}, meta = {0};
	int r = 0;

	datum k = gdbm_firstkey(db);
	while (k.dptr) {
		datum next;
		if (k.dsize > 0 && k.dptr[0] == META_PREFIX) {
			r = keyvec_push(&meta, k);
		} else {
			datum d = gdbm_fetch(db, k);
			bool expired = !d.dptr || d.dsize != 8 ||
				       (int64_t)get_le64((uint8_t *)d.dptr) < now;
			free(d.dptr);
			r = keyvec_push(expired ? &dead : &live, k);
		}
		if (r < 0) {
			free(k.dptr);
			goto out;
		}
		next = gdbm_nextkey(db, k);
		k = next;
	}
	if (gdbm_last_errno(db) != GDBM_ITEM_NOT_FOUND &&
	    gdbm_last_errno(db) != GDBM_NO_ERROR) {
		r = gdbm_err(db);
		goto out;
	}
	for (size_t i = 0; i < dead.n; i++)
		if (gdbm_delete(db, dead.v[i]) != 0 &&
		    gdbm_last_errno(db) != GDBM_ITEM_NOT_FOUND) {
			r = gdbm_err(db);
			goto out;
		}
	for (size_t i = 0; i < meta.n; i++)
		if (meta.v[i].dsize > 1 && meta.v[i].dptr[1] == 'c')
			gdbm_delete(db, meta.v[i]);
	if (live.n)
		qsort(live.v, live.n, sizeof(datum), cmp_datum);
	for (size_t i = 0; i < live.n;) {
		size_t j = i + 1;
		while (j < live.n && cmp_datum(&live.v[i], &live.v[j]) == 0)
			j++;
		size_t an = strnlen(live.v[i].dptr, (size_t)live.v[i].dsize);
		char ck[2 + SV_NAME_MAX + 1];
		if (an <= SV_NAME_MAX) {
			ck[0] = META_PREFIX;
			ck[1] = 'c';
			memcpy(ck + 2, live.v[i].dptr, an);
			r = put_u64(db, ck, 2 + an, j - i, 4);
			if (r < 0)
				goto out;
		}
		i = j;
	}
	r = put_u64(db, "\x01p", 2, (uint64_t)now, 8);
	if (r < 0)
		goto out;
	/* a file that shed more than it keeps is rebuilt, so it stays in
	 * proportion to what is live */
	if (dead.n > 1024 && dead.n > live.n)
		(void)gdbm_reorganize(db);
out:
	keyvec_free(&dead);
	keyvec_free(&live);
	keyvec_free(&meta);
	return r;
}

int sv_replay_check_insert(const struct sv_config *c, const char *account,
			   const char *jti, size_t jtilen, int64_t expiry,
			   int64_t now)
{
	_cleanup_close_ int dfd = -1, lockfd = -1, dbfd = -1;
	GDBM_FILE db = NULL;
	char key[KEY_MAX], ck[2 + SV_NAME_MAX];
	size_t an = account ? strlen(account) : 0, kl, ckl;
	uint64_t count = 0, last = 0, old;
	int r;

	if (an == 0 || an > SV_NAME_MAX || !jti || jtilen == 0 ||
	    jtilen > SV_JTI_MAX || memchr(jti, '\0', jtilen) ||
	    account[0] == META_PREFIX)
		return -EINVAL;
	kl = an + 1 + jtilen;
	memcpy(key, account, an);
	key[an] = '\0';
	memcpy(key + an + 1, jti, jtilen);
	ck[0] = META_PREFIX;
	ck[1] = 'c';
	memcpy(ck + 2, account, an);
	ckl = 2 + an;

	dfd = open(c->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	r = take_lock(dfd, &lockfd);
	if (r < 0)
		return r;
	dbfd = openat(dfd, REPLAY_DB,
		      O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
		      0600);
	if (dbfd < 0)
		return -errno;
	r = check_private(dbfd);
	if (r < 0)
		return r;
	db = gdbm_fd_open(dbfd, REPLAY_DB, 0,
			  GDBM_WRCREAT | GDBM_NOLOCK | GDBM_CLOEXEC, NULL);
	if (!db)
		return -EBADMSG; /* corrupt: fail closed until an admin looks */
	dbfd = -1;               /* gdbm owns it now */

	r = get_u64(db, key, kl, &old, 8);
	if (r == 0 && (int64_t)old >= now) {
		r = -EEXIST;
		goto out;
	}
	bool had_entry = r == 0; /* expired: it may be reused */
	if (r < 0 && r != -ENOENT)
		goto out;
	r = get_u64(db, "\x01p", 2, &last, 8);
	if (r < 0 && r != -ENOENT)
		goto out;
	r = get_u64(db, ck, ckl, &count, 4);
	if (r < 0 && r != -ENOENT)
		goto out;
	if (now - (int64_t)last >= PRUNE_EVERY || (int64_t)last > now ||
	    (!had_entry && count >= c->replay_quota)) {
		r = prune(db, now);
		if (r < 0)
			goto out;
		r = get_u64(db, ck, ckl, &count, 4);
		if (r < 0 && r != -ENOENT)
			goto out;
		had_entry = get_u64(db, key, kl, &old, 8) == 0;
	}
	if (!had_entry && count >= c->replay_quota) {
		r = -EDQUOT;
		goto out;
	}
	r = put_u64(db, key, kl, (uint64_t)expiry, 8);
	if (r == 0 && !had_entry)
		r = put_u64(db, ck, ckl, count + 1, 4);
	if (r < 0)
		goto out;
	/* written back before the lock is released: the next process sees
	 * it (page cache; a power cut may lose it, see the man page) */
	if (gdbm_close(db) != 0) {
		db = NULL;
		r = -EIO;
		goto out;
	}
	db = NULL;
	r = 0;
out:
	if (db)
		gdbm_close(db);
	return r;
}
