/* SPDX-License-Identifier: MIT */
/* Reading the state directory: revocations and handed-out IDs. The reader
 * side (PAM, the tools' listings) needs these; writing them is state.c. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store-internal.h"
#include "util.h"

const char *const sv_statenames[SV_STATE_COUNT] = {"ids.db", "revoked.db"};

int sv_state_open_dir(const struct sv_config *c)
{
	int fd = open(c->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int svi_state_has_at(int sfd, enum sv_statefile f, const char *key, size_t klen,
		     bool missing_ok, bool *has)
{
	GDBM_FILE db = NULL;
	int r = sv_open_gdbm_ro(sfd, sv_statenames[f], true, false, &db, NULL,
				NULL);
	*has = false;
	if (r == -ENOENT && missing_ok)
		return 0; /* nothing ever recorded */
	if (r < 0)
		return r;
	r = svi_exists(db, key, klen, has);
	gdbm_close(db);
	return r;
}

static int state_has(const struct sv_config *c, enum sv_statefile f,
		     const char *key, size_t klen, bool missing_ok, bool *has)
{
	int sfd = sv_state_open_dir(c);
	int r;
	*has = false;
	if (sfd < 0)
		return sfd;
	r = svi_state_has_at(sfd, f, key, klen, missing_ok, has);
	close(sfd);
	return r;
}

/* ------------------------------------------------ the revocation filter
 *
 * A login asks revoked.db about one credential; through GDBM that is ten
 * system calls (open, two fstats, four reads and seeks, close) for a file
 * that changes only when a credential is revoked. So each process keeps a
 * filter of the file: one bit pair per key it holds (a Bloom filter), set
 * while every key was read once. A login then costs one fstatat: when the
 * name still leads to the very file the filter was made of, an id whose
 * bits are not both set is not in it; any other answer takes the exact
 * GDBM lookup. The filter never says "not revoked" of a listed id.
 *
 * Why "the very file" is known from its stat: the writer never changes a
 * published revoked.db, it writes a copy and renames it over (state.c), so
 * another content is another inode; and the filter maps the first page of
 * the file it was made of, so that inode stays allocated and its number
 * cannot come back as a new file's while the filter is in use. Size, mtime
 * and ctime are compared too, against a copy made over it in place by
 * hand; a file changed less than RV_SETTLE seconds ago gets no filter, so
 * that a later change in the same clock tick cannot leave its times alike.
 * Process-wide state: the mutex is only ever tried (a login that finds it
 * held, by another thread or by a fork that copied it held, asks GDBM);
 * a child of fork inherits the map with the filter, both still true. */
#define RV_BITS	  (1u << 16)	/* 8 KiB */
#define RV_KEYS	  (RV_BITS / 8) /* more keys: the filter says "maybe" */
#define RV_SETTLE 2		/* seconds */

/* What the process knows of the file rvf.st describes. The filter is made
 * at the second lookup of one file: a process that logs in once (sshd's)
 * pays only the fstatat, not the walk of every key. */
enum rv_state {
	RV_NONE,     /* nothing yet */
	RV_SEEN,     /* one lookup found this file */
	RV_FILTER,   /* the filter of this file is in bits */
	RV_NOFILTER, /* this file cannot have one (too many keys, an error) */
};

static struct {
	enum rv_state state;
	struct stat st;
	void *pin; /* RV_FILTER: a map of the first page of the file */
	size_t pinlen;
	uint64_t bits[RV_BITS / 64];
} rvf;
static pthread_mutex_t rvf_lock = PTHREAD_MUTEX_INITIALIZER;

static void rv_hash(const void *key, size_t klen, uint32_t *a, uint32_t *b)
{
	/* FNV-1a: a chosen id can only make its own check take GDBM */
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < klen; i++)
		h = (h ^ ((const uint8_t *)key)[i]) * 0x100000001b3ULL;
	*a = (uint32_t)h & (RV_BITS - 1);
	*b = (uint32_t)(h >> 32) & (RV_BITS - 1);
}

static bool rv_maybe(const void *key, size_t klen)
{
	uint32_t a, b;
	rv_hash(key, klen, &a, &b);
	return (rvf.bits[a / 64] >> (a % 64) & 1) &&
	       (rvf.bits[b / 64] >> (b % 64) & 1);
}

static bool rv_same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_size == b->st_size && a->st_mode == b->st_mode &&
	       a->st_uid == b->st_uid && a->st_nlink == b->st_nlink &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	       a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Forget what is known, and know st (the lock held). */
static void rv_reset(const struct stat *st, enum rv_state state)
{
	if (rvf.pin)
		munmap(rvf.pin, rvf.pinlen);
	rvf.pin = NULL;
	rvf.st = *st;
	rvf.state = state;
}

/* Make the filter of the file that st describes (the lock held): every
 * key read once through GDBM, on the fd whose fstat must match st.
 * RV_FILTER, or RV_NOFILTER on any error or when there are too many keys
 * for it to help; RV_SEEN again while the file is too new. */
static void rv_build(int sfd, const struct stat *st)
{
	struct timespec now;
	struct stat fst;
	GDBM_FILE db = NULL;
	size_t n = 0;
	int fd = -1;

	clock_gettime(CLOCK_REALTIME, &now);
	if (now.tv_sec - st->st_ctim.tv_sec < RV_SETTLE ||
	    now.tv_sec - st->st_mtim.tv_sec < RV_SETTLE)
		return;
	rv_reset(st, RV_NOFILTER);
	if (sv_open_gdbm_ro(sfd, sv_statenames[SV_STATE_REVOKED], true, false,
			    &db, &fd, &fst) < 0)
		return;
	if (!rv_same(&fst, st) || fst.st_size <= 0)
		goto out;
	memset(rvf.bits, 0, sizeof(rvf.bits));
	datum k = gdbm_firstkey(db);
	while (k.dptr) {
		uint32_t a, b;
		rv_hash(k.dptr, (size_t)k.dsize, &a, &b);
		rvf.bits[a / 64] |= 1ULL << (a % 64);
		rvf.bits[b / 64] |= 1ULL << (b % 64);
		datum next = gdbm_nextkey(db, k);
		free(k.dptr);
		k = next;
		if (++n > RV_KEYS) {
			free(k.dptr);
			goto out;
		}
	}
	if (gdbm_last_errno(db) != GDBM_ITEM_NOT_FOUND)
		goto out; /* the walk stopped on an error, not at the end */
	rvf.pinlen = (size_t)fst.st_size < 4096 ? (size_t)fst.st_size : 4096;
	rvf.pin = mmap(NULL, rvf.pinlen, PROT_READ, MAP_PRIVATE, fd, 0);
	if (rvf.pin == MAP_FAILED) {
		rvf.pin = NULL;
		goto out;
	}
	rvf.state = RV_FILTER;
out:
	gdbm_close(db);
}

/* 1: answered without GDBM: *ret 0 and *revoked false (the filter clears
 * the key), or *ret -errno (the file is missing or unsafe); 0: ask GDBM. */
static int rv_filter(int sfd, const char *key, size_t klen, bool *revoked,
		     int *ret)
{
	struct stat st;
	int r = 0;

	if (pthread_mutex_trylock(&rvf_lock) != 0)
		return 0;
	if (fstatat(sfd, sv_statenames[SV_STATE_REVOKED], &st,
		    AT_SYMLINK_NOFOLLOW) < 0) {
		*ret = -errno;
		r = 1;
		goto out;
	}
	if (svi_check_stat(&st, false, true) < 0) {
		*ret = -EPERM;
		r = 1;
		goto out;
	}
	if (rvf.state == RV_NONE || !rv_same(&st, &rvf.st))
		rv_reset(&st, RV_SEEN);
	else if (rvf.state == RV_SEEN)
		rv_build(sfd, &st);
	if (rvf.state == RV_FILTER && !rv_maybe(key, klen)) {
		*revoked = false;
		*ret = 0;
		r = 1;
	}
out:
	pthread_mutex_unlock(&rvf_lock);
	return r;
}

int sv_state_is_revoked_at(int sfd, const char *id, bool *revoked)
{
	/* unlike the ID list, revoked.db always exists once there is a
	 * store: its absence (a restore without the state dir) fails closed */
	int r;
	*revoked = true;
	if (!rv_filter(sfd, id, strlen(id), revoked, &r))
		r = svi_state_has_at(sfd, SV_STATE_REVOKED, id, strlen(id),
				     false, revoked);
	if (r < 0)
		*revoked = true; /* fail closed */
	return r;
}

int sv_state_is_revoked(const struct sv_config *c, const char *id,
			bool *revoked)
{
	int sfd = sv_state_open_dir(c);
	int r;
	if (sfd < 0) {
		*revoked = true;
		return sfd;
	}
	r = sv_state_is_revoked_at(sfd, id, revoked);
	close(sfd);
	return r;
}

size_t svi_id_key(char *k, bool gid, uint32_t id)
{
	return sv_key_u32(k, 8, gid ? 'g' : 'u', id);
}

/* Every ID ever handed out is recorded too, not just the high-water mark:
 * once the range is used up, sv_state_next_id looks below the mark, and
 * must not find an ID whose account a rollback made disappear. */
size_t svi_handed_key(char *k, bool gid, uint32_t id)
{
	return sv_key_u32(k, 8, gid ? 'H' : 'h', id);
}

int sv_state_id_retired(const struct sv_config *c, bool gid, uint32_t id,
			bool *retired)
{
	char k[8];
	int r = state_has(c, SV_STATE_IDS, k, svi_id_key(k, gid, id), true,
			  retired);
	if (r == 0 && !*retired)
		r = state_has(c, SV_STATE_IDS, k, svi_handed_key(k, gid, id),
			      true, retired);
	return r;
}

/* ------------------------------------------------------------- revocations */

struct sv_revocations {
	GDBM_FILE db;
};

static int revocations_open(int dirfd, bool private_file,
			    struct sv_revocations **out)
{
	struct sv_revocations *rv;
	int r;

	*out = NULL;
	rv = calloc(1, sizeof(*rv));
	if (!rv)
		return -ENOMEM;
	r = sv_open_gdbm_ro(dirfd, sv_statenames[SV_STATE_REVOKED],
			    private_file, false, &rv->db, NULL, NULL);
	if (r < 0) {
		free(rv);
		return r;
	}
	*out = rv;
	return 0;
}

int sv_revocations_open_state(int sfd, struct sv_revocations **out)
{
	return revocations_open(sfd, true, out);
}

int sv_revocations_open_public(const struct sv_config *c,
			       struct sv_revocations **out)
{
	int dfd = -1;
	int r = svi_open_dbdir(c, &dfd);
	if (r < 0) {
		*out = NULL;
		return r;
	}
	/* the list keeps its file open, not the directory */
	r = revocations_open(dfd, false, out);
	close(dfd);
	return r;
}

static int revocations_lookup(struct sv_revocations *rv, const char *key,
			      size_t klen, bool *revoked)
{
	*revoked = true;
	if (!rv || !rv->db || klen > INT32_MAX)
		return -EINVAL;
	bool has = false;
	int r = svi_exists(rv->db, key, klen, &has);
	if (r == 0)
		*revoked = has;
	return r;
}

int sv_revocations_has(struct sv_revocations *rv, const char *id, bool *revoked)
{
	return revocations_lookup(rv, id, strlen(id), revoked);
}

int sv_revocations_has_key(struct sv_revocations *rv, const char *fpr,
			   bool *revoked)
{
	char k[SV_REVOKED_KEY_MAX];
	size_t n = svi_revoked_key(k, sizeof(k), fpr);
	if (!n) {
		*revoked = true;
		return -EINVAL;
	}
	return revocations_lookup(rv, k, n, revoked);
}

void sv_revocations_close(struct sv_revocations *rv)
{
	if (!rv)
		return;
	if (rv->db)
		gdbm_close(rv->db);
	free(rv);
}

/* A revoked key's entry: "k:" + fingerprint. Credential ids are 16 hex
 * digits, so the two kinds of key never meet. */
size_t svi_revoked_key(char *k, size_t cap, const char *fpr)
{
	size_t n = strlen(fpr);
	if (n == 0 || n > SV_FPR_MAX || n + 2 > cap)
		return 0;
	memcpy(k, "k:", 2);
	memcpy(k + 2, fpr, n);
	return n + 2;
}
