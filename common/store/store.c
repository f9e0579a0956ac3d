/* SPDX-License-Identifier: MIT */
/* Generations of GDBM files: lock-free readers, one copy-on-write writer.
 * See store.h for the layout and docs/ARCHITECTURE.md for why. */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "genword.h"
#include "index.h"
#include "names.h"
#include "store-internal.h"
#include "testhook.h"
#include "util.h"

const char *const sv_dbnames[SV_DB_COUNT] = {"accounts.db", "credentials.db",
					     "pubkeys.db"};

const char *const sv_idxnames[SV_DB_COUNT] = {"accounts.idx", "credentials.idx",
					      "pubkeys.idx"};

const char *sv_db_filename(enum sv_db db)
{
	return (unsigned)db < SV_DB_COUNT ? sv_dbnames[db] : NULL;
}

const char *sv_index_filename(enum sv_db db)
{
	return (unsigned)db < SV_DB_COUNT ? sv_idxnames[db] : NULL;
}

void sv_blob_free(struct sv_blob *b)
{
	if (!b)
		return;
	if (!b->borrowed)
		free(b->p);
	b->p = NULL;
	b->n = 0;
	b->borrowed = false;
}

size_t sv_key_str(char *out, size_t cap, char prefix, const char *s, size_t n)
{
	if (cap < 1 || n > cap - 1)
		return 0;
	out[0] = prefix;
	memcpy(out + 1, s, n);
	return n + 1;
}

size_t sv_key_u32(char *out, size_t cap, char prefix, uint32_t v)
{
	if (cap < 5)
		return 0;
	out[0] = prefix;
	out[1] = (char)(v >> 24);
	out[2] = (char)(v >> 16);
	out[3] = (char)(v >> 8);
	out[4] = (char)v;
	return 5;
}

int sv_gdbm_errno(GDBM_FILE db)
{
	gdbm_error e = db ? gdbm_last_errno(db) : gdbm_errno;
	switch (e) {
	case GDBM_NO_ERROR: return -EIO;
	case GDBM_MALLOC_ERROR: return -ENOMEM;
	case GDBM_ITEM_NOT_FOUND: return -ENOENT;
	case GDBM_FILE_OPEN_ERROR:
	case GDBM_FILE_READ_ERROR:
	case GDBM_FILE_WRITE_ERROR:
	case GDBM_FILE_SEEK_ERROR:
	case GDBM_FILE_SYNC_ERROR:
	case GDBM_FILE_STAT_ERROR:
	case GDBM_FILE_CLOSE_ERROR:
	case GDBM_FILE_TRUNCATE_ERROR: {
		int sys = db ? gdbm_last_syserr(db) : errno;
		return sys > 0 ? -sys : -EIO;
	}
	default: return -EBADMSG;
	}
}

/* Owner root, not writable by group/others; files regular, dirs dirs. */
int svi_check_stat(const struct stat *st, bool dir, bool private_file)
{
	if (dir ? !S_ISDIR(st->st_mode) : !S_ISREG(st->st_mode))
		return -EPERM;
	if (st->st_uid != 0)
		return -EPERM;
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return -EPERM;
	if (private_file && (st->st_mode & (S_IRWXG | S_IRWXO)))
		return -EPERM;
	return 0;
}

int sv_store_parse_gen(const char *s, size_t len, uint64_t *gen)
{
	uint64_t v = 0;
	if (len != 14 || memcmp(s, GEN_PREFIX, 4) != 0)
		return -EBADMSG;
	for (int i = 4; i < 14; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EBADMSG;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v == 0)
		return -EBADMSG;
	*gen = v;
	return 0;
}

void svi_gen_name(char *out, size_t n, uint64_t gen)
{
	snprintf(out, n, GEN_PREFIX "%010" PRIu64, gen);
}

int svi_open_dbdir(const struct sv_config *c, int *out)
{
	struct stat st;
	int fd = open(c->db_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || svi_check_stat(&st, true, false) < 0) {
		close(fd);
		return -EPERM;
	}
	*out = fd;
	return 0;
}

int svi_read_current(int dirfd, uint64_t *gen)
{
	char buf[32];
	ssize_t n = readlinkat(dirfd, CURRENT, buf, sizeof(buf));
	if (n < 0)
		/* a file or directory named current is damage, not absence */
		return errno == EINVAL ? -EBADMSG : -errno;
	return sv_store_parse_gen(buf, (size_t)n, gen);
}

int sv_store_current_generation(const struct sv_config *c, uint64_t *gen)
{
	int dirfd = -1;
	int r = svi_open_dbdir(c, &dirfd);
	if (r < 0)
		return r;
	r = svi_read_current(dirfd, gen);
	close(dirfd);
	return r;
}

int svi_open_file(int dirfd, const char *name, int flags, mode_t mode,
		  bool private_file, struct stat *st)
{
	/* O_NONBLOCK: a FIFO planted as a store file must not hang the
	 * reader before fstat sees it is not a regular file */
	int fd = openat(dirfd, name,
			flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
			mode);
	int r;

	if (fd < 0)
		return -errno;
	if (fstat(fd, st) < 0)
		r = -errno;
	else
		r = svi_check_stat(st, false, private_file);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int sv_open_gdbm_ro(int dirfd, const char *name, bool private_file, bool mmap,
		    GDBM_FILE *out, int *fd_out, struct stat *st_out)
{
	struct stat st;
	int fd = svi_open_file(dirfd, name, O_RDONLY, 0, private_file, &st);
	if (fd < 0)
		return fd;
	int flags = GDBM_READER | GDBM_NOLOCK | GDBM_CLOEXEC | GDBM_CLOERROR;
	if (!mmap)
		flags |= GDBM_NOMMAP;
	GDBM_FILE db = gdbm_fd_open(fd, name, 0, flags, NULL);
	if (!db)
		return sv_gdbm_errno(NULL);
	if (!mmap) {
		/* a handful of buckets: lookups are random, and a process
		 * that resolves a million names must not grow by megabytes */
		size_t cache = 16;
		gdbm_setopt(db, GDBM_SETCACHESIZE, &cache, sizeof(cache));
	}
	*out = db;
	if (fd_out)
		*fd_out = fd;
	if (st_out)
		*st_out = st;
	return 0;
}

/* ------------------------------------------------------------- readers */

struct sv_reader {
	uint64_t gen;
	const struct sv_config *cfg; /* as given to sv_reader_open */
	GDBM_FILE db[SV_DB_COUNT];
	int fd[SV_DB_COUNT];
	dev_t dev[SV_DB_COUNT];
	ino_t ino[SV_DB_COUNT];
	struct sv_index ix[SV_DB_COUNT]; /* base NULL: read through db[] */
	unsigned refs; /* a shared reader's users (sv_reader_acquire) */
	bool shared;
};

/* The shared reader of the login path (sv_reader_acquire), one per
 * process: the only state of the store library that outlives a call. */
static struct {
	pthread_mutex_t lock;
	struct sv_reader *rd; /* NULL: none */
	unsigned mask;
	pid_t pid;
	char db_dir[sizeof(((struct sv_config *)0)->db_dir)];
	const uint64_t *word;
	time_t checked; /* CLOCK_MONOTONIC_COARSE second `current` was read */
} shared = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void gdbm_close_safely(GDBM_FILE db, int fd, dev_t dev, ino_t ino)
{
	struct stat st;
	if (!db)
		return;
	if (fstat(fd, &st) == 0 && (st.st_dev != dev || st.st_ino != ino)) {
		/* Our fd number now belongs to someone else (the program
		 * closed ours and reused the number). gdbm_close would close
		 * their file: park it on another number while gdbm closes
		 * ours, then put it back with its close-on-exec flag. */
		int fl = fcntl(fd, F_GETFD);
		int saved = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		gdbm_close(db);
		if (saved >= 0) {
			dup3(saved, fd,
			     (fl >= 0 && (fl & FD_CLOEXEC)) ? O_CLOEXEC : 0);
			close(saved);
		}
		return;
	}
	gdbm_close(db);
}

static void reader_free(struct sv_reader *r);

void sv_reader_close(struct sv_reader *r)
{
	if (!r)
		return;
	if (r->shared) {
		bool last;
		pthread_mutex_lock(&shared.lock);
		last = --r->refs == 0 && r != shared.rd;
		pthread_mutex_unlock(&shared.lock);
		if (last)
			reader_free(r);
		return;
	}
	reader_free(r);
}

static void reader_free(struct sv_reader *r)
{
	for (int i = 0; i < SV_DB_COUNT; i++) {
		gdbm_close_safely(r->db[i], r->fd[i], r->dev[i], r->ino[i]);
		sv_index_unmap(&r->ix[i]);
	}
	free(r);
}

/* Open the files of one generation through its directory fd. */
static int reader_open_gen(int genfd, uint64_t gen, unsigned dbmask,
			   struct sv_reader **out)
{
	struct sv_reader *r;
	struct stat st;
	int ret;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->gen = gen;
	for (int i = 0; i < SV_DB_COUNT; i++)
		r->fd[i] = -1;
	if (fstat(genfd, &st) < 0 || svi_check_stat(&st, true, false) < 0) {
		ret = -EPERM;
		goto out;
	}
	for (int i = 0; i < SV_DB_COUNT; i++) {
		if (!(dbmask & SV_DBMASK(i)))
			continue;
		ret = sv_index_map(genfd, sv_idxnames[i],
				   i == SV_DB_CREDENTIALS, &r->ix[i]);
		if (ret == 0) {
			/* the file of record meets the same rules as the index
			 * read in its place: an unsafe generation is refused
			 * whichever of its files a reader uses */
			if (fstatat(genfd, sv_dbnames[i], &st,
				    AT_SYMLINK_NOFOLLOW) < 0) {
				ret = -errno;
				goto out;
			}
			ret = S_ISLNK(st.st_mode)
				  ? -ELOOP
				  : svi_check_stat(&st, false,
						   i == SV_DB_CREDENTIALS);
			if (ret < 0)
				goto out;
			continue;
		}
		/* no index, or one of another version (an older or newer
		 * writer's: derived data this build cannot judge), is read
		 * through the file of record, which meets every check of its
		 * own; a damaged index is refused, never guessed around */
		if (ret != -ENOENT && ret != -EPROTO)
			goto out;
		ret = sv_open_gdbm_ro(
		    genfd, sv_dbnames[i], i == SV_DB_CREDENTIALS,
		    (dbmask & SV_READER_MMAP) != 0, &r->db[i], &r->fd[i], &st);
		if (ret < 0)
			goto out;
		r->dev[i] = st.st_dev;
		r->ino[i] = st.st_ino;
	}
	*out = r;
	r = NULL;
	ret = 0;
out:
	sv_reader_close(r);
	return ret;
}

int sv_reader_open(const struct sv_config *c, unsigned dbmask,
		   struct sv_reader **out)
{
	int dirfd = -1;
	char name[32];
	int ret;

	*out = NULL;
	ret = svi_open_dbdir(c, &dirfd);
	if (ret < 0)
		return ret;
	/* A writer may prune the generation while we open it: between
	 * readlink and opening its directory, or its files one by one once
	 * we hold the directory. Either way `current` has moved on since:
	 * read the link again. */
	for (int attempt = 0;; attempt++) {
		uint64_t gen;
		int genfd;
		ret = svi_read_current(dirfd, &gen);
		if (ret < 0) {
			if (ret == -EINVAL)
				ret = -ENOENT;
			goto out;
		}
		svi_gen_name(name, sizeof(name), gen);
		genfd = openat(dirfd, name,
			       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (genfd < 0) {
			ret = -errno;
		} else {
			/* the reader keeps the files, not their directory */
			ret = reader_open_gen(genfd, gen, dbmask, out);
			close(genfd);
		}
		if (ret == 0)
			(*out)->cfg = c;
		if (ret != -ENOENT || attempt >= 8)
			goto out;
	}
out:
	close(dirfd);
	return ret;
}

/* Whether the shared reader may be handed out as it is: same store and
 * files, the process that opened it, the generation `current` names. */
static bool shared_current(const struct sv_config *c, unsigned dbmask)
{
	struct timespec now;
	uint64_t gen = 0;

	if (!shared.rd || (dbmask & ~shared.mask) ||
	    strcmp(shared.db_dir, c->db_dir) != 0)
		return false;
	/* a child does not have the credentials' mapping (MADV_DONTFORK) */
	if (shared.pid != getpid())
		return false;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	if (shared.word && now.tv_sec == shared.checked &&
	    sv_genword_load(shared.word) == shared.rd->gen)
		return true;
	if (sv_store_current_generation(c, &gen) < 0 || gen != shared.rd->gen)
		return false;
	shared.checked = now.tv_sec;
	return true;
}

int sv_reader_acquire(const struct sv_config *c, unsigned dbmask,
		      struct sv_reader **out)
{
	struct sv_reader *r = NULL, *old = NULL;
	int ret = 0;

	*out = NULL;
	pthread_mutex_lock(&shared.lock);
	if (shared_current(c, dbmask)) {
		shared.rd->refs++;
		*out = shared.rd;
		goto out;
	}
	/* every file the logins of this process read, so that one reader
	 * serves them all */
	unsigned want = dbmask | SV_DBMASK(SV_DB_ACCOUNTS);
	if (shared.rd && strcmp(shared.db_dir, c->db_dir) == 0)
		want |= shared.mask;
	ret = sv_reader_open(c, want, &r);
	if (ret < 0)
		goto out;
	r->cfg = NULL;
	if (!sv_reader_mapped(r)) {
		/* a generation without indexes: a reader of this login's own */
		*out = r;
		r = NULL;
		goto out;
	}
	if (r->ix[SV_DB_CREDENTIALS].base)
		(void)madvise((void *)r->ix[SV_DB_CREDENTIALS].base,
			      r->ix[SV_DB_CREDENTIALS].size, MADV_DONTFORK);
	r->shared = true;
	r->refs = 2; /* the cache's and the caller's */
	if (shared.rd && shared.pid == getpid()) {
		old = shared.rd;
		if (--old->refs != 0)
			old = NULL; /* its last user frees it */
	}
	/* a word naming another generation may be a store's that was
	 * replaced: map the one db_dir has now */
	if (!shared.word || strcmp(shared.db_dir, c->db_dir) != 0 ||
	    (sv_genword_load(shared.word) != 0 &&
	     sv_genword_load(shared.word) != r->gen)) {
		sv_genword_unmap(shared.word);
		shared.word = NULL;
		if (sv_genword_map(c, &shared.word) < 0)
			shared.word = NULL;
	}
	shared.rd = r;
	shared.mask = want;
	shared.pid = getpid();
	snprintf(shared.db_dir, sizeof(shared.db_dir), "%s", c->db_dir);
	{
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
		shared.checked = now.tv_sec;
	}
	*out = r;
	r = NULL;
out:
	pthread_mutex_unlock(&shared.lock);
	if (old)
		reader_free(old);
	sv_reader_close(r);
	return ret;
}

const struct sv_config *sv_reader_config(const struct sv_reader *r)
{
	return r->cfg;
}

uint64_t sv_reader_generation(const struct sv_reader *r)
{
	return r->gen;
}

bool sv_reader_mapped(const struct sv_reader *r)
{
	for (int i = 0; i < SV_DB_COUNT; i++)
		if (r->db[i])
			return false;
	return true;
}

bool sv_reader_counts(const struct sv_reader *r, enum sv_db db,
		      uint32_t *accounts, uint32_t *roles)
{
	if ((unsigned)db >= SV_DB_COUNT || !r->ix[db].base)
		return false;
	*accounts = r->ix[db].h.naccounts;
	*roles = r->ix[db].h.nroles;
	return true;
}

bool sv_reader_fds_intact(const struct sv_reader *r)
{
	struct stat st;
	for (int i = 0; i < SV_DB_COUNT; i++) {
		if (!r->db[i])
			continue;
		if (fstat(r->fd[i], &st) < 0 || st.st_dev != r->dev[i] ||
		    st.st_ino != r->ino[i])
			return false;
	}
	return true;
}

int svi_fetch(GDBM_FILE db, const void *key, size_t klen, struct sv_blob *val)
{
	datum k = {(char *)key, (int)klen};
	val->p = NULL;
	val->n = 0;
	if (!db)
		return -ENOENT;
	if (klen > INT32_MAX)
		return -EINVAL;
	datum d = gdbm_fetch(db, k);
	if (!d.dptr) {
		int e = sv_gdbm_errno(db);
		return e;
	}
	if (d.dsize < 0) {
		free(d.dptr);
		return -EBADMSG;
	}
	val->p = d.dptr;
	val->n = (size_t)d.dsize;
	return 0;
}

int svi_exists(GDBM_FILE db, const void *key, size_t klen, bool *has)
{
	datum k = {(char *)key, (int)klen};
	*has = false;
	if (klen > INT32_MAX)
		return -EINVAL;
	*has = gdbm_exists(db, k) != 0;
	if (!*has && gdbm_last_errno(db) != GDBM_NO_ERROR &&
	    gdbm_last_errno(db) != GDBM_ITEM_NOT_FOUND)
		return -EIO;
	return 0;
}

int sv_reader_fetch(struct sv_reader *r, enum sv_db db, const void *key,
		    size_t klen, struct sv_blob *val)
{
	if ((unsigned)db >= SV_DB_COUNT)
		return -EINVAL;
	val->p = NULL;
	val->n = 0;
	val->borrowed = false;
	/* no record has a longer key (GDBM's own limit) */
	if (klen > INT32_MAX)
		return -EINVAL;
	if (r->ix[db].base) {
		const uint8_t *v;
		uint32_t vl;
		int e = sv_index_get(&r->ix[db], key, klen, &v, &vl);
		if (e < 0)
			return e;
		val->p = (void *)v;
		val->n = vl;
		val->borrowed = true;
		return 0;
	}
	if (!r->db[db])
		return -EBADF;
	return svi_fetch(r->db[db], key, klen, val);
}

int svi_next_key(GDBM_FILE db, char prefix, struct sv_blob *key)
{
	for (;;) {
		datum d;
		if (!key->p) {
			d = gdbm_firstkey(db);
		} else {
			datum prev = {key->p, (int)key->n};
			d = gdbm_nextkey(db, prev);
			sv_blob_free(key);
		}
		if (!d.dptr) {
			/* only GDBM_ITEM_NOT_FOUND is the end: GDBM fails some
			 * allocations (its bucket cache) without an error code
			 * (-EIO here), and taking that for the end handed out
			 * the base group without its members (found by
			 * tests/hardening/test_failmalloc_nss.sh) */
			return sv_gdbm_errno(db);
		}
		key->p = d.dptr;
		key->n = d.dsize > 0 ? (size_t)d.dsize : 0;
		if (key->n >= 1 && ((char *)key->p)[0] == prefix)
			return 0;
	}
}

/* The key after *key (or the first with prefix) in the index's order,
 * as a copy the caller owns: a walk may outlive a lookup's view. */
static int index_next_key(const struct sv_index *ix, char prefix,
			  struct sv_blob *key)
{
	const uint8_t *k, *v;
	uint32_t kl, vl, pos;
	int r;

	if (key->p)
		r = sv_index_seek(ix, key->p, key->n, true, &pos);
	else
		r = sv_index_seek(ix, &prefix, 1, false, &pos);
	if (r < 0)
		goto out;
	if (pos >= ix->h.nentries) {
		r = -ENOENT;
		goto out;
	}
	r = sv_index_entry(ix, pos, &k, &kl, &v, &vl);
	if (r < 0)
		goto out;
	if (kl < 1 || k[0] != (uint8_t)prefix) {
		r = -ENOENT;
		goto out;
	}
	/* the order is the file's: a damaged one must not walk back */
	if (key->p && sv_index_keycmp(k, kl, key->p, key->n) <= 0) {
		r = -EBADMSG;
		goto out;
	}
	void *copy = malloc(kl);
	if (!copy) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(copy, k, kl);
	sv_blob_free(key);
	key->p = copy;
	key->n = kl;
	return 0;
out:
	sv_blob_free(key);
	return r;
}

int sv_reader_next_key(struct sv_reader *r, enum sv_db db, char prefix,
		       struct sv_blob *key)
{
	if ((unsigned)db >= SV_DB_COUNT)
		return -EBADF;
	if (r->ix[db].base)
		return index_next_key(&r->ix[db], prefix, key);
	if (!r->db[db])
		return -EBADF;
	return svi_next_key(r->db[db], prefix, key);
}

/* Typed lookups share one shape: build the key, fetch, decode. */

int svi_get_named(fetch_fn f, void *h, enum sv_db db, char prefix,
		  const char *name, struct sv_blob *blob)
{
	/* names and ids are short: no 64 KiB keys on a thread's stack */
	char key[SV_KEY_MAX];
	size_t kl = sv_key_str(key, sizeof(key), prefix, name, strlen(name));
	if (!kl)
		return -ENOENT;
	return f(h, db, key, kl, blob);
}

int svi_by_number(fetch_fn f, void *h, char prefix, char nameprefix, uint32_t v,
		  struct sv_blob *blob)
{
	char key[8];
	struct sv_blob name = {0};
	size_t kl = sv_key_u32(key, sizeof(key), prefix, v);
	int r = f(h, SV_DB_ACCOUNTS, key, kl, &name);
	if (r < 0)
		return r;
	char nkey[SV_KEY_MAX];
	kl = sv_key_str(nkey, sizeof(nkey), nameprefix, name.p, name.n);
	sv_blob_free(&name);
	if (!kl)
		return -EBADMSG;
	return f(h, SV_DB_ACCOUNTS, nkey, kl, blob);
}

/* Whether the decoded record rec of kind is the one want names. */
static bool record_is(enum svi_kind kind, const void *rec,
		      const struct svi_want *want)
{
	const struct sv_account *a = rec;
	const struct sv_role *x = rec;
	const struct sv_cred *c = rec;

	switch (kind) {
	case SVI_ACCOUNT:
		return want->name ? sv_str_eq(a->name, want->name)
				  : a->uid == want->id;
	case SVI_ROLE:
		return want->name ? sv_str_eq(x->name, want->name)
				  : x->gid == want->id;
	case SVI_CRED: return want->name && sv_str_eq(c->id, want->name);
	default: return false;
	}
}

int svi_decode(int r, enum svi_kind kind, const struct svi_want *want,
	       struct sv_blob *blob, void *out)
{
	if (r == 0) {
		switch (kind) {
		case SVI_ACCOUNT:
			r = sv_decode_account(blob->p, blob->n, out);
			break;
		case SVI_ROLE: r = sv_decode_role(blob->p, blob->n, out); break;
		case SVI_CRED: r = sv_decode_cred(blob->p, blob->n, out); break;
		case SVI_IDLIST:
			r = sv_decode_idlist(blob->p, blob->n, out);
			break;
		default: r = -EINVAL; break;
		}
	}
	if (r == 0 && want && !record_is(kind, out, want))
		r = -EBADMSG;
	if (r < 0)
		sv_blob_free(blob);
	return r;
}

static int rfetch(void *h, enum sv_db db, const void *k, size_t kl,
		  struct sv_blob *v)
{
	return sv_reader_fetch(h, db, k, kl, v);
}

int sv_get_account(struct sv_reader *r, const char *name, struct sv_blob *blob,
		   struct sv_account *a)
{
	int e = svi_get_named(rfetch, r, SV_DB_ACCOUNTS, SV_KEY_ACCOUNT, name,
			      blob);
	return svi_decode(e, SVI_ACCOUNT, &(struct svi_want){.name = name},
			  blob, a);
}

int sv_get_account_by_uid(struct sv_reader *r, uint32_t uid,
			  struct sv_blob *blob, struct sv_account *a)
{
	int e = svi_by_number(rfetch, r, SV_KEY_UID, SV_KEY_ACCOUNT, uid, blob);
	return svi_decode(e, SVI_ACCOUNT, &(struct svi_want){.id = uid}, blob,
			  a);
}

int sv_get_role(struct sv_reader *r, const char *name, struct sv_blob *blob,
		struct sv_role *role)
{
	int e =
	    svi_get_named(rfetch, r, SV_DB_ACCOUNTS, SV_KEY_ROLE, name, blob);
	return svi_decode(e, SVI_ROLE, &(struct svi_want){.name = name}, blob,
			  role);
}

int sv_get_role_by_gid(struct sv_reader *r, uint32_t gid, struct sv_blob *blob,
		       struct sv_role *role)
{
	int e = svi_by_number(rfetch, r, SV_KEY_GID, SV_KEY_ROLE, gid, blob);
	return svi_decode(e, SVI_ROLE, &(struct svi_want){.id = gid}, blob,
			  role);
}

bool sv_base_role_valid(const struct sv_role *role)
{
	return role->gid == 0 && sv_str_eq(role->name, SV_BASE_ROLE) &&
	       role->members.count == 0;
}

int sv_get_base_role(struct sv_reader *r, struct sv_blob *blob,
		     struct sv_role *role)
{
	int e = svi_get_named(rfetch, r, SV_DB_ACCOUNTS, SV_KEY_BASE,
			      SV_BASE_ROLE, blob);
	e = svi_decode(e, SVI_ROLE, NULL, blob, role);
	if (e == 0 && !sv_base_role_valid(role)) {
		sv_blob_free(blob);
		e = -EBADMSG;
	}
	return e;
}

int sv_get_cred(struct sv_reader *r, enum sv_db db, const char *id,
		struct sv_blob *blob, struct sv_cred *cred)
{
	int e = svi_get_named(rfetch, r, db, SV_KEY_CRED, id, blob);
	return svi_decode(e, SVI_CRED, &(struct svi_want){.name = id}, blob,
			  cred);
}

int sv_get_cred_ids(struct sv_reader *r, enum sv_db db, const char *account,
		    struct sv_blob *blob, struct sv_list *ids)
{
	int e = svi_get_named(rfetch, r, db, SV_KEY_CREDLIST, account, blob);
	return svi_decode(e, SVI_IDLIST, NULL, blob, ids);
}

const char *sv_lookup_reason(int r, const char *missing)
{
	if (r == -ENOENT)
		return missing;
	return (r == -EBADMSG || r == -EPROTO) ? "store_corrupt"
					       : "store_error";
}

int sv_each_cred(struct sv_reader *r, enum sv_db db, const struct sv_account *a,
		 struct sv_revocations *rv, sv_cred_fn fn, void *ctx)
{
	struct sv_blob lb = {0};
	struct sv_list ids;
	size_t off = 0;
	uint32_t idx = 0;
	struct sv_str it;
	char name[SV_NAME_MAX + 1];
	int e;

	if (db != SV_DB_CREDENTIALS && db != SV_DB_PUBKEYS)
		return -EINVAL;
	if (a->name.n == 0 || a->name.n > SV_NAME_MAX)
		return -EINVAL;
	memcpy(name, a->name.p, a->name.n);
	name[a->name.n] = '\0';
	e = sv_get_cred_ids(r, db, name, &lb, &ids);
	if (e == -ENOENT)
		return 0;
	while (e == 0 && sv_list_next(&ids, &off, &idx, &it)) {
		char id[SV_CRED_ID_LEN + 1];
		struct sv_blob cb = {0};
		struct sv_cred c;
		bool revoked = false;

		if (it.n != SV_CRED_ID_LEN)
			continue;
		memcpy(id, it.p, it.n);
		id[it.n] = '\0';
		if (sv_get_cred(r, db, id, &cb, &c) < 0)
			continue;
		if (sv_cred_bound_to(&c, a)) {
			if (rv)
				e = sv_revocations_has(rv, id, &revoked);
			if (e == 0)
				e = fn(&c, revoked, ctx);
		}
		sv_blob_free(&cb);
	}
	sv_blob_free(&lb);
	return e;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int sv_store_generations(const struct sv_config *c, uint64_t **out, size_t *n)
{
	int dirfd = -1, r = svi_open_dbdir(c, &dirfd);
	uint64_t *v = NULL;
	size_t cnt = 0, cap = 0;
	DIR *d = NULL;
	struct dirent *de;

	*out = NULL;
	*n = 0;
	if (r < 0)
		return r;
	d = fdopendir(dirfd);
	if (!d) {
		r = -errno;
		goto out;
	}
	dirfd = -1; /* the stream owns it now */
	while ((de = readdir(d))) {
		uint64_t g;
		if (sv_store_parse_gen(de->d_name, strlen(de->d_name), &g) < 0)
			continue;
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 16;
			uint64_t *nv = reallocarray(v, nc, sizeof(*v));
			if (!nv) {
				r = -ENOMEM;
				goto out;
			}
			v = nv;
			cap = nc;
		}
		v[cnt++] = g;
	}
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_u64);
	*out = v;
	*n = cnt;
	v = NULL;
out:
	free(v);
	if (d)
		closedir(d);
	if (dirfd >= 0)
		close(dirfd);
	return r;
}
