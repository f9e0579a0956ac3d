/* SPDX-License-Identifier: MIT */
/* The state directory: what must survive a rollback. ids.db holds the
 * high-water marks of handed-out UIDs/GIDs and the retired ones; revoked.db
 * the revoked credential ids. Both are rewritten copy-on-write (temp file,
 * fsync, rename) under the store's writer lock, once per transaction. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gdbmio.h"
#include "names.h"
#include "readfile.h"
#include "store-internal.h"
#include "txn-internal.h"
#include "util.h"

#define STATE_TMP_SUFFIX ".new"

static int state_writable(struct sv_txn *t, enum sv_statefile f)
{
	char tmp[64];
	if (t->st[f])
		return 0;
	snprintf(tmp, sizeof(tmp), "%s" STATE_TMP_SUFFIX, sv_statenames[f]);
	return sv_gdbm_copy_open(t->statefd, sv_statenames[f], t->statefd, tmp,
				 0600, 0, &t->st[f], &t->stfd[f]);
}

static int state_fetch(struct sv_txn *t, enum sv_statefile f, const char *key,
		       size_t klen, struct sv_blob *val)
{
	int r = state_writable(t, f);
	if (r < 0)
		return r;
	return svi_fetch(t->st[f], key, klen, val);
}

static int state_store(struct sv_txn *t, enum sv_statefile f, const char *key,
		       size_t klen, const void *v, size_t vlen)
{
	int r = state_writable(t, f);
	if (r == 0)
		r = svw_gdbm_store(t->st[f], key, klen, v, vlen);
	if (r == 0 && ++t->stputs[f] % SVW_ROOM_EVERY == 0)
		r = svw_gdbm_make_room(t->st[f], t->stfd[f]);
	return r;
}

#define PUBLIC_TMP ".revoked.db.tmp"

/* The copy of revoked.db that readers without the state dir consult
 * (SV_PUBLIC_REVOKED in db_dir: root, group keys_group, 0640): written
 * whole under a temporary name, fsynced, renamed over. It is published
 * before the state file it copies, so it never lists less than the state
 * dir once the state is committed; a crash in between leaves it listing
 * more, the safe direction. */
static int publish_public_revoked(struct sv_txn *t, int srcfd)
{
	struct stat st;
	off_t in = 0, out = 0;
	int dst, r = 0;

	if (fstat(srcfd, &st) < 0)
		return -errno;
	if (unlinkat(t->dirfd, PUBLIC_TMP, 0) < 0 && errno != ENOENT)
		return -errno;
	dst =
	    openat(t->dirfd, PUBLIC_TMP,
		   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (dst < 0)
		return -errno;
	if (fchown(dst, 0, svi_keys_gid(t->cfg)) < 0 || fchmod(dst, 0640) < 0) {
		r = -errno;
		goto out;
	}
	while (in < st.st_size) {
		ssize_t n = copy_file_range(srcfd, &in, dst, &out,
					    (size_t)(st.st_size - in), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EXDEV || errno == EINVAL ||
			      errno == ENOSYS || errno == EOPNOTSUPP)) {
			/* the state dir and db_dir on different file
			 * systems: copy by hand */
			char buf[8192];
			n = pread(srcfd, buf,
				  (size_t)(st.st_size - in) < sizeof(buf)
				      ? (size_t)(st.st_size - in)
				      : sizeof(buf),
				  in);
			if (n > 0 && pwrite(dst, buf, (size_t)n, out) != n)
				n = -1;
			if (n > 0) {
				in += n;
				out += n;
			}
		}
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			goto out;
		}
	}
	if (fsync(dst) < 0 ||
	    renameat(t->dirfd, PUBLIC_TMP, t->dirfd, SV_PUBLIC_REVOKED) < 0) {
		r = -errno;
		goto out;
	}
out:
	close(dst);
	if (r < 0)
		unlinkat(t->dirfd, PUBLIC_TMP, 0);
	return r;
}

/* A store written before the public copy existed, or one whose copy was
 * lost: publish it from the committed state file. */
static int ensure_public_revoked(struct sv_txn *t)
{
	int fd;
	int r;

	if (faccessat(t->dirfd, SV_PUBLIC_REVOKED, F_OK, AT_SYMLINK_NOFOLLOW) ==
	    0)
		return 0;
	if (errno != ENOENT)
		return -errno;
	fd = openat(t->statefd, sv_statenames[SV_STATE_REVOKED],
		    O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	r = publish_public_revoked(t, fd);
	close(fd);
	return r;
}

int sv_state_commit(struct sv_txn *t, char *err, size_t errlen)
{
	int r;
	for (int i = 0; i < SV_STATE_COUNT; i++) {
		char tmp[64];
		if (!t->st[i])
			continue;
		snprintf(tmp, sizeof(tmp), "%s" STATE_TMP_SUFFIX,
			 sv_statenames[i]);
		if (gdbm_sync(t->st[i]) != 0) {
			r = sv_gdbm_errno(t->st[i]);
			goto fail;
		}
		gdbm_close(t->st[i]);
		t->st[i] = NULL;
		r = svw_gdbm_trim(t->stfd[i]);
		if (r < 0)
			goto fail;
		if (fsync(t->stfd[i]) < 0) {
			r = -errno;
			goto fail;
		}
		if (i == SV_STATE_REVOKED) {
			r = publish_public_revoked(t, t->stfd[i]);
			if (r < 0)
				goto fail;
		}
		close(t->stfd[i]);
		t->stfd[i] = -1;
		if (renameat(t->statefd, tmp, t->statefd, sv_statenames[i]) <
		    0) {
			r = -errno;
			goto fail;
		}
	}
	if (fsync(t->statefd) < 0) {
		r = -errno;
		goto fail;
	}
	r = ensure_public_revoked(t);
	if (r < 0) {
		snprintf(err, errlen, "writing %s/%s: %s", t->cfg->db_dir,
			 SV_PUBLIC_REVOKED, strerror(-r));
		return r;
	}
	return 0;
fail:
	snprintf(err, errlen, "writing %s: %s", t->cfg->state_dir,
		 strerror(-r));
	return r;
}

void sv_state_cleanup(struct sv_txn *t)
{
	for (int i = 0; i < SV_STATE_COUNT; i++) {
		char tmp[64];
		snprintf(tmp, sizeof(tmp), "%s" STATE_TMP_SUFFIX,
			 sv_statenames[i]);
		unlinkat(t->statefd, tmp, 0);
	}
}

int sv_state_init(struct sv_txn *t)
{
	/* Both files exist from the first generation on, so that a missing
	 * revoked.db is an anomaly a login refuses, not "nothing revoked". */
	for (int i = 0; i < SV_STATE_COUNT; i++) {
		if (faccessat(t->statefd, sv_statenames[i], F_OK, 0) == 0)
			continue;
		int r = state_writable(t, (enum sv_statefile)i);
		if (r < 0)
			return r;
	}
	return 0;
}

void sv_state_abort(struct sv_txn *t)
{
	for (int i = 0; i < SV_STATE_COUNT; i++) {
		char tmp[64];
		if (t->st[i]) {
			gdbm_close(t->st[i]);
			t->st[i] = NULL;
		}
		if (t->stfd[i] >= 0) {
			close(t->stfd[i]);
			t->stfd[i] = -1;
			snprintf(tmp, sizeof(tmp), "%s" STATE_TMP_SUFFIX,
				 sv_statenames[i]);
			unlinkat(t->statefd, tmp, 0);
		}
	}
}

static int revoke_key(struct sv_txn *t, const char *key, size_t klen)
{
	uint64_t now = (uint64_t)time(NULL);
	uint8_t le[8];
	for (int i = 0; i < 8; i++)
		le[i] = (uint8_t)(now >> (8 * i));
	return state_store(t, SV_STATE_REVOKED, key, klen, le, sizeof(le));
}

int sv_state_revoke(struct sv_txn *t, const char *id)
{
	return revoke_key(t, id, strlen(id));
}

int sv_state_revoke_key(struct sv_txn *t, const char *fpr)
{
	char k[SV_REVOKED_KEY_MAX];
	size_t n = svi_revoked_key(k, sizeof(k), fpr);
	return n ? revoke_key(t, k, n) : -EINVAL;
}

/* revoked.db's "gen" entry: every generation numbered at least this one
 * leaves out every credential the file lists (they were deleted in the
 * commit that revoked them, or swept out). A base below it (a rollback,
 * a store whose revocation was committed by a writer that died before
 * its swap, `current` moved back) may still hold revoked credentials. */
#define REVOKED_GEN_KEY "gen"

int svi_state_revoked_through(struct sv_txn *t, uint64_t *gen, bool *known)
{
	GDBM_FILE db = t->st[SV_STATE_REVOKED];
	int r = 0;

	*gen = 0;
	*known = false;
	if (!db) {
		r = sv_open_gdbm_ro(t->statefd, sv_statenames[SV_STATE_REVOKED],
				    true, false, &db, NULL, NULL);
		if (r == -ENOENT)
			return 0;
		if (r < 0)
			return r;
	}
	datum k = {REVOKED_GEN_KEY, (int)strlen(REVOKED_GEN_KEY)};
	datum v = gdbm_fetch(db, k);
	if (v.dptr && v.dsize == 8) {
		const uint8_t *b = (const uint8_t *)v.dptr;
		for (int i = 7; i >= 0; i--)
			*gen = *gen << 8 | b[i];
		*known = true;
	} else if (v.dptr) {
		r = -EBADMSG;
	} else if (gdbm_last_errno(db) != GDBM_ITEM_NOT_FOUND &&
		   gdbm_last_errno(db) != GDBM_NO_ERROR) {
		r = -EIO;
	}
	free(v.dptr);
	if (db != t->st[SV_STATE_REVOKED])
		gdbm_close(db);
	return r;
}

int svi_state_note_revoked_through(struct sv_txn *t, uint64_t gen)
{
	uint8_t le[8];
	for (int i = 0; i < 8; i++)
		le[i] = (uint8_t)(gen >> (8 * i));
	return state_store(t, SV_STATE_REVOKED, REVOKED_GEN_KEY,
			   strlen(REVOKED_GEN_KEY), le, sizeof(le));
}

/* A lookup that does not make the file part of the transaction: the
 * transaction's copy when it has one, else the published file (which must
 * exist). */
static int state_has(struct sv_txn *t, enum sv_statefile f, const char *key,
		     size_t klen, bool *has)
{
	if (t->st[f])
		return svi_exists(t->st[f], key, klen, has);
	return svi_state_has_at(t->statefd, f, key, klen, false, has);
}

int sv_txn_is_revoked(struct sv_txn *t, const char *id, bool *revoked)
{
	int r = state_has(t, SV_STATE_REVOKED, id, strlen(id), revoked);
	if (r < 0)
		*revoked = true;
	return r;
}

int sv_txn_key_revoked(struct sv_txn *t, const char *fpr, bool *revoked)
{
	char k[SV_REVOKED_KEY_MAX];
	size_t n = svi_revoked_key(k, sizeof(k), fpr);
	int r = n ? state_has(t, SV_STATE_REVOKED, k, n, revoked) : -EINVAL;
	if (r < 0)
		*revoked = true;
	return r;
}

int sv_txn_id_retired(struct sv_txn *t, bool gid, uint32_t id, bool *retired)
{
	char k[8];
	int r = state_has(t, SV_STATE_IDS, k, svi_id_key(k, gid, id), retired);
	if (r == 0 && !*retired)
		r = state_has(t, SV_STATE_IDS, k, svi_handed_key(k, gid, id),
			      retired);
	if (r < 0)
		*retired = true;
	return r;
}

static int get_hwm(struct sv_txn *t, bool gid, uint32_t *hwm)
{
	struct sv_blob v = {0};
	const char *k = gid ? "G" : "U";
	int r = state_fetch(t, SV_STATE_IDS, k, 1, &v);
	*hwm = 0;
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (v.n == 4) {
		const uint8_t *b = v.p;
		*hwm = (uint32_t)b[0] | (uint32_t)b[1] << 8 |
		       (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	} else {
		r = -EBADMSG;
	}
	sv_blob_free(&v);
	return r;
}

int sv_state_note_id(struct sv_txn *t, bool gid, uint32_t id)
{
	char k[8];
	uint8_t one = 1;
	uint32_t hwm = 0;
	int r = state_store(t, SV_STATE_IDS, k, svi_handed_key(k, gid, id),
			    &one, 1);
	if (r == 0)
		r = get_hwm(t, gid, &hwm);
	if (r < 0 || id <= hwm)
		return r;
	uint8_t le[4] = {(uint8_t)id, (uint8_t)(id >> 8), (uint8_t)(id >> 16),
			 (uint8_t)(id >> 24)};
	return state_store(t, SV_STATE_IDS, gid ? "G" : "U", 1, le, 4);
}

int sv_state_retire_id(struct sv_txn *t, bool gid, uint32_t id)
{
	char k[8];
	uint8_t one = 1;
	return state_store(t, SV_STATE_IDS, k, svi_id_key(k, gid, id), &one, 1);
}

/* A fetch's result r as "is it there": 0 with *has, or the fetch's error;
 * the value itself is not wanted. */
static int present(int r, struct sv_blob *v, bool *has)
{
	sv_blob_free(v);
	*has = r == 0;
	return r == -ENOENT ? 0 : r;
}

/* Whether an ID may be handed out: not retired, not handed out before,
 * not taken in the generation being built. */
static int id_free(struct sv_txn *t, bool gid, uint32_t id, bool *free_)
{
	struct sv_blob v = {0};
	char k[8];
	bool taken = false;
	int r =
	    present(state_fetch(t, SV_STATE_IDS, k, svi_id_key(k, gid, id), &v),
		    &v, &taken);
	if (r == 0 && !taken)
		r = present(state_fetch(t, SV_STATE_IDS, k,
					svi_handed_key(k, gid, id), &v),
			    &v, &taken);
	if (r == 0 && !taken)
		r = present(
		    svi_fetch(svw_txn_view(t, SV_DB_ACCOUNTS), k,
			      sv_key_u32(k, sizeof(k),
					 gid ? SV_KEY_GID : SV_KEY_UID, id),
			      &v),
		    &v, &taken);
	*free_ = !taken;
	return r;
}

int sv_state_next_id(struct sv_txn *t, bool gid, uint32_t *id)
{
	const struct sv_config *c = t->cfg;
	uint32_t lo = gid ? c->gid_min : c->uid_min;
	uint32_t hi = gid ? c->gid_max : c->uid_max;
	uint32_t hwm;
	int r = get_hwm(t, gid, &hwm);
	if (r < 0)
		return r;
	/* Above everything ever handed out first; if the range is used up,
	 * any ID in it that was never handed out (nor retired). */
	uint32_t start = hwm >= lo ? hwm + 1 : lo;
	for (int pass = 0; pass < 2; pass++) {
		for (uint64_t v = start; v <= hi; v++) {
			bool ok = false;
			uint32_t cand = (uint32_t)v;
			if (cand < 1000 || cand == 65534 || cand == 65535)
				continue;
			r = id_free(t, gid, cand, &ok);
			if (r < 0)
				return r;
			if (ok) {
				*id = cand;
				return sv_state_note_id(t, gid, cand);
			}
		}
		start = lo;
	}
	return -ENOSPC;
}

/* Small state files (the last applied manifest serial): not GDBM, one
 * line, replaced whole. */
static bool small_name_ok(const char *name)
{
	return *name && !strchr(name, '/') && name[0] != '.' &&
	       strlen(name) < 64;
}

int sv_state_read_small(struct sv_txn *t, const char *name, char *buf,
			size_t cap, size_t *len)
{
	struct stat st;
	ssize_t got;
	int fd, r = 0;
	if (!small_name_ok(name) || cap < 2)
		return -EINVAL;
	fd = openat(t->statefd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	/* the same rule as for every other file of the store */
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022)) {
		r = -EPERM;
		goto out;
	}
	got = sv_read_all(fd, buf, cap - 1);
	if (got < 0) {
		r = (int)got;
		goto out;
	}
	/* a full buffer may not be the whole file */
	if ((size_t)got == cap - 1) {
		r = -EFBIG;
		goto out;
	}
	buf[got] = '\0';
	*len = (size_t)got;
out:
	close(fd);
	return r;
}

int sv_state_write_small(struct sv_txn *t, const char *name, const void *data,
			 size_t len)
{
	char tmp[80];
	const char *p = data;
	int r = 0;
	if (!small_name_ok(name))
		return -EINVAL;
	snprintf(tmp, sizeof(tmp), "%s" STATE_TMP_SUFFIX, name);
	if (unlinkat(t->statefd, tmp, 0) < 0 && errno != ENOENT)
		return -errno;
	int fd =
	    openat(t->statefd, tmp,
		   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			r = -errno;
			goto out;
		}
		p += w;
		len -= (size_t)w;
	}
	/* durable before it replaces the old one, and the rename durable
	 * before the caller goes on */
	if (fsync(fd) < 0 || renameat(t->statefd, tmp, t->statefd, name) < 0 ||
	    fsync(t->statefd) < 0)
		r = -errno;
out:
	close(fd);
	if (r < 0)
		unlinkat(t->statefd, tmp, 0);
	return r;
}
