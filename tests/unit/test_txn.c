/* SPDX-License-Identifier: MIT */
/* Unit tests for the writer (common/write/txn.h): a transaction's reads
 * and writes, commit and abort, rollback, credential id lists, revocations
 * and the refusal of bad input, over a store in a temporary directory.
 * Runs as root (the writer refuses anyone else). */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <gdbm.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "storefix.h"

#define ID1 "0123456789abcdef"
#define ID2 "fedcba9876543210"

/* What a revocation query (its result r) wrote to *answer; the query must
 * have succeeded. */
static bool answered(int r, const bool *answer)
{
	assert_int_equal(r, 0);
	return *answer;
}

static void test_store_fetch_delete_commit(void **state)
{
	struct fix *f = *state;
	struct sv_txn *t = NULL;
	struct sv_blob v = {0};
	uint64_t gen = 0;
	char buf[64];
	fix_need_root();

	t = fix_begin(f);
	assert_int_equal(sv_txn_base_generation(t), 0);
	assert_ptr_equal(sv_txn_config(t), &f->cfg);
	assert_int_equal(sv_txn_fetch(t, SV_DB_ACCOUNTS, "ak", 2, &v), -ENOENT);
	assert_int_equal(sv_txn_store(t, SV_DB_ACCOUNTS, "ak", 2, "v1", 2), 0);
	assert_int_equal(sv_txn_store(t, SV_DB_ACCOUNTS, "ax", 2, "vx", 2), 0);
	/* the transaction reads its own writes */
	assert_int_equal(sv_txn_fetch(t, SV_DB_ACCOUNTS, "ak", 2, &v), 0);
	assert_int_equal(v.n, 2);
	assert_memory_equal(v.p, "v1", 2);
	sv_blob_free(&v);
	assert_int_equal(sv_txn_delete(t, SV_DB_ACCOUNTS, "ax", 2), 0);
	assert_int_equal(sv_txn_delete(t, SV_DB_ACCOUNTS, "ax", 2), -ENOENT);
	assert_int_equal(sv_txn_fetch(t, SV_DB_ACCOUNTS, "ax", 2, &v), -ENOENT);
	/* nothing is published before the commit */
	assert_int_equal(fix_get(f, "ak", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(sv_txn_commit(t, &gen, f->err, sizeof(f->err)), 0);
	assert_int_equal(gen, 1);
	assert_int_equal(fix_get(f, "ak", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "v1");
	assert_int_equal(fix_get(f, "ax", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(fix_count(f, ".tmp-"), 0);

	/* the next transaction starts from what was committed */
	t = fix_begin(f);
	assert_int_equal(sv_txn_base_generation(t), 1);
	assert_int_equal(sv_txn_fetch(t, SV_DB_ACCOUNTS, "ak", 2, &v), 0);
	sv_blob_free(&v);
	assert_int_equal(sv_txn_store(t, SV_DB_ACCOUNTS, "ak", 2, "v2", 2), 0);
	assert_int_equal(sv_txn_commit(t, &gen, f->err, sizeof(f->err)), 0);
	assert_int_equal(gen, 2);
	assert_int_equal(fix_get(f, "ak", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "v2");
}

static void test_next_key(void **state)
{
	struct fix *f = *state;
	struct sv_txn *t = NULL;
	struct sv_blob k = {0};
	int n = 0, r;
	fix_need_root();

	fix_put(f, "a1", "x");
	t = fix_begin(f);
	assert_int_equal(sv_txn_store(t, SV_DB_ACCOUNTS, "a2", 2, "y", 1), 0);
	assert_int_equal(sv_txn_store(t, SV_DB_ACCOUNTS, "r1", 2, "z", 1), 0);
	while ((r = sv_txn_next_key(t, SV_DB_ACCOUNTS, 'a', &k)) == 0) {
		assert_int_equal(k.n, 2);
		assert_int_equal(((char *)k.p)[0], 'a');
		n++;
	}
	assert_int_equal(r, -ENOENT);
	assert_int_equal(n, 2);
	sv_txn_abort(t);
}

static void test_abort_leaves_nothing(void **state)
{
	struct fix *f = *state;
	struct sv_txn *t = NULL;
	uint64_t cur = 0, *gens = NULL;
	size_t n = 0;
	char buf[64];
	bool revoked = true;
	fix_need_root();

	/* a first transaction aborted: no generation at all */
	t = fix_begin(f);
	assert_int_equal(sv_txn_store(t, SV_DB_ACCOUNTS, "ak", 2, "v", 1), 0);
	sv_txn_abort(t);
	assert_int_equal(sv_store_current_generation(&f->cfg, &cur), -ENOENT);
	assert_int_equal(sv_store_generations(&f->cfg, &gens, &n), 0);
	assert_int_equal(n, 0);
	free(gens);

	fix_put(f, "ak", "old");
	t = fix_begin(f);
	assert_int_equal(sv_txn_store(t, SV_DB_ACCOUNTS, "ak", 2, "new", 3), 0);
	assert_int_equal(sv_txn_store(t, SV_DB_CREDENTIALS, "c1", 2, "s", 1),
			 0);
	assert_int_equal(sv_state_revoke(t, ID1), 0);
	assert_int_equal(fix_count(f, ".tmp-"), 1);
	sv_txn_abort(t);
	assert_int_equal(sv_store_current_generation(&f->cfg, &cur), 0);
	assert_int_equal(cur, 1);
	assert_int_equal(fix_get(f, "ak", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "old");
	assert_int_equal(fix_count(f, ".tmp-"), 0);
	assert_int_equal(fix_count(f, "gen-"), 1);
	assert_false(
	    answered(sv_state_is_revoked(&f->cfg, ID1, &revoked), &revoked));
	/* the lock went with it */
	t = fix_begin(f);
	sv_txn_abort(t);
	sv_txn_abort(NULL);
}

static void test_lock_held(void **state)
{
	struct fix *f = *state;
	struct sv_txn *t = NULL, *t2 = NULL;
	char want[512];
	fix_need_root();

	t = fix_begin(f);
	assert_int_equal(sv_txn_begin(&f->cfg, &t2, f->err, sizeof(f->err)),
			 -EWOULDBLOCK);
	assert_null(t2);
	snprintf(want, sizeof(want),
		 "store %s is locked by pid %ld (waited 0s)", f->cfg.db_dir,
		 (long)getpid());
	assert_string_equal(f->err, want);
	sv_txn_abort(t);
}

static void test_rollback(void **state)
{
	struct fix *f = *state;
	uint64_t gen = 0;
	char buf[64];
	fix_need_root();

	assert_int_equal(
	    sv_store_rollback(&f->cfg, 0, &gen, f->err, sizeof(f->err)),
	    -ENOENT);
	assert_string_equal(f->err, "there is no older generation");
	assert_int_equal(fix_put(f, "ak", "one"), 1);
	assert_int_equal(
	    sv_store_rollback(&f->cfg, 0, &gen, f->err, sizeof(f->err)),
	    -ENOENT);
	assert_int_equal(fix_put(f, "ak", "two"), 2);
	assert_int_equal(fix_put(f, "ab", "added"), 3);

	assert_int_equal(
	    sv_store_rollback(&f->cfg, 3, &gen, f->err, sizeof(f->err)),
	    -EINVAL);
	assert_string_equal(f->err, "generation 3 is not an older generation");
	assert_int_equal(
	    sv_store_rollback(&f->cfg, 99, &gen, f->err, sizeof(f->err)),
	    -EINVAL);
	/* a refused rollback publishes nothing */
	assert_int_equal(fix_count(f, "gen-"), 3);

	/* 0: the one before current */
	assert_int_equal(
	    sv_store_rollback(&f->cfg, 0, &gen, f->err, sizeof(f->err)), 0);
	assert_int_equal(gen, 4);
	assert_int_equal(fix_get(f, "ak", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "two");
	assert_int_equal(fix_get(f, "ab", buf, sizeof(buf)), -ENOENT);
	/* an explicit older one */
	assert_int_equal(
	    sv_store_rollback(&f->cfg, 1, &gen, f->err, sizeof(f->err)), 0);
	assert_int_equal(gen, 5);
	assert_int_equal(fix_get(f, "ak", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "one");

	/* a generation that is gone */
	char path[512];
	snprintf(path, sizeof(path), "rm -rf '%s/gen-0000000002'",
		 f->cfg.db_dir);
	assert_int_equal(system(path), 0);
	assert_int_equal(
	    sv_store_rollback(&f->cfg, 2, &gen, f->err, sizeof(f->err)),
	    -ENOENT);
	assert_string_equal(f->err, "generation 2 is not available");
	assert_int_equal(fix_count(f, "gen-"), 4);
}

/* The ids listed for account in db, comma-separated, in buf. */
static int list_ids(struct sv_txn *t, enum sv_db db, const char *account,
		    char *buf, size_t cap)
{
	char k[64];
	struct sv_blob b = {0};
	struct sv_list l;
	struct sv_str it;
	size_t off = 0;
	uint32_t idx = 0;
	int n = snprintf(k, sizeof(k), "%c%s", SV_KEY_CREDLIST, account);
	int e = sv_txn_fetch(t, db, k, (size_t)n, &b);
	buf[0] = '\0';
	if (e < 0)
		return e;
	assert_int_equal(sv_decode_idlist(b.p, b.n, &l), 0);
	while (sv_list_next(&l, &off, &idx, &it))
		snprintf(buf + strlen(buf), cap - strlen(buf), "%s%.*s",
			 *buf ? "," : "", (int)it.n, it.p);
	sv_blob_free(&b);
	return 0;
}

static void test_idlist_update(void **state)
{
	struct fix *f = *state;
	struct sv_txn *t = NULL;
	char buf[128];
	fix_need_root();

	t = fix_begin(f);
	assert_int_equal(list_ids(t, SV_DB_CREDENTIALS, "svc", buf, 128),
			 -ENOENT);
	assert_int_equal(
	    sv_txn_idlist_update(t, SV_DB_CREDENTIALS, "svc", ID1, true), 0);
	assert_int_equal(
	    sv_txn_idlist_update(t, SV_DB_CREDENTIALS, "svc", ID2, true), 0);
	/* adding a listed id again changes nothing */
	assert_int_equal(
	    sv_txn_idlist_update(t, SV_DB_CREDENTIALS, "svc", ID1, true), 0);
	assert_int_equal(list_ids(t, SV_DB_CREDENTIALS, "svc", buf, 128), 0);
	assert_string_equal(buf, ID1 "," ID2);
	/* each database has its own lists */
	assert_int_equal(list_ids(t, SV_DB_PUBKEYS, "svc", buf, 128), -ENOENT);
	assert_int_equal(
	    sv_txn_idlist_update(t, SV_DB_CREDENTIALS, "svc", ID1, false), 0);
	assert_int_equal(list_ids(t, SV_DB_CREDENTIALS, "svc", buf, 128), 0);
	assert_string_equal(buf, ID2);
	/* dropping an id not listed keeps the list */
	assert_int_equal(
	    sv_txn_idlist_update(t, SV_DB_CREDENTIALS, "svc", ID1, false), 0);
	assert_int_equal(list_ids(t, SV_DB_CREDENTIALS, "svc", buf, 128), 0);
	assert_string_equal(buf, ID2);
	/* the last one out deletes the list */
	assert_int_equal(
	    sv_txn_idlist_update(t, SV_DB_CREDENTIALS, "svc", ID2, false), 0);
	assert_int_equal(list_ids(t, SV_DB_CREDENTIALS, "svc", buf, 128),
			 -ENOENT);
	assert_int_equal(
	    sv_txn_idlist_update(t, SV_DB_CREDENTIALS, "svc", "", true),
	    -EINVAL);
	/* a corrupt list is not rewritten over */
	assert_int_equal(
	    sv_txn_store(t, SV_DB_CREDENTIALS, "lbad", 4, "junk", 4), 0);
	assert_int_equal(
	    sv_txn_idlist_update(t, SV_DB_CREDENTIALS, "bad", ID1, true),
	    -EBADMSG);
	sv_txn_abort(t);
}

static void test_revocation_published(void **state)
{
	struct fix *f = *state;
	struct sv_txn *t = NULL;
	struct sv_revocations *rv = NULL;
	char path[512], fpr[200];
	struct stat st;
	bool revoked = false;
	fix_need_root();

	fix_put(f, "ak", "v");
	t = fix_begin(f);
	assert_int_equal(sv_state_revoke(t, ID1), 0);
	assert_int_equal(sv_state_revoke_key(t, "SHA256:abc"), 0);
	/* the transaction sees its own revocations, nobody else yet */
	assert_true(answered(sv_txn_is_revoked(t, ID1, &revoked), &revoked));
	assert_false(answered(sv_txn_is_revoked(t, ID2, &revoked), &revoked));
	assert_true(
	    answered(sv_txn_key_revoked(t, "SHA256:abc", &revoked), &revoked));
	assert_false(
	    answered(sv_state_is_revoked(&f->cfg, ID1, &revoked), &revoked));
	assert_int_equal(sv_txn_commit(t, NULL, f->err, sizeof(f->err)), 0);

	assert_true(
	    answered(sv_state_is_revoked(&f->cfg, ID1, &revoked), &revoked));
	assert_false(
	    answered(sv_state_is_revoked(&f->cfg, ID2, &revoked), &revoked));
	/* the public copy for the keys group: root, 0640, the same list */
	snprintf(path, sizeof(path), "%s/%s", f->cfg.db_dir, SV_PUBLIC_REVOKED);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(sv_revocations_open_public(&f->cfg, &rv), 0);
	assert_true(answered(sv_revocations_has(rv, ID1, &revoked), &revoked));
	assert_false(answered(sv_revocations_has(rv, ID2, &revoked), &revoked));
	assert_true(answered(sv_revocations_has_key(rv, "SHA256:abc", &revoked),
			     &revoked));
	assert_false(answered(
	    sv_revocations_has_key(rv, "SHA256:abd", &revoked), &revoked));
	sv_revocations_close(rv);

	/* fingerprints that cannot be one: refused, failing closed */
	memset(fpr, 'x', 129);
	fpr[129] = '\0';
	t = fix_begin(f);
	assert_int_equal(sv_state_revoke_key(t, ""), -EINVAL);
	assert_int_equal(sv_state_revoke_key(t, fpr), -EINVAL);
	revoked = false;
	assert_int_equal(sv_txn_key_revoked(t, fpr, &revoked), -EINVAL);
	assert_true(revoked);
	fpr[128] = '\0';
	assert_int_equal(sv_state_revoke_key(t, fpr), 0);
	sv_txn_abort(t);
}

static void test_bad_input_refused(void **state)
{
	struct fix *f = *state;
	struct sv_txn *t = NULL;
	struct sv_blob v = {0};
	char buf[64];
	fix_need_root();

	fix_put(f, "ak", "v");
	t = fix_begin(f);
	assert_int_equal(sv_txn_store(t, SV_DB_COUNT, "ak", 2, "x", 1),
			 -EINVAL);
	assert_int_equal(sv_txn_store(t, (enum sv_db) - 1, "ak", 2, "x", 1),
			 -EINVAL);
	assert_int_equal(sv_txn_fetch(t, SV_DB_COUNT, "ak", 2, &v), -EINVAL);
	assert_int_equal(sv_txn_delete(t, SV_DB_COUNT, "ak", 2), -EINVAL);
	assert_int_equal(sv_txn_next_key(t, SV_DB_COUNT, 'a', &v), -EINVAL);
	/* lengths GDBM cannot take: refused before anything is read */
	assert_int_equal(
	    sv_txn_store(t, SV_DB_ACCOUNTS, "ak", fix_huge_len, "x", 1),
	    -EINVAL);
	assert_int_equal(
	    sv_txn_store(t, SV_DB_ACCOUNTS, "ak", 2, "x", fix_huge_len),
	    -EINVAL);
	assert_int_equal(sv_txn_delete(t, SV_DB_ACCOUNTS, "ak", fix_huge_len),
			 -EINVAL);
	assert_int_equal(
	    sv_txn_fetch(t, SV_DB_ACCOUNTS, "ak", fix_huge_len, &v), -EINVAL);
	/* none of it wrote a file of the new generation */
	snprintf(buf, sizeof(buf), "%s", "accounts.db");
	char path[512];
	struct stat st;
	snprintf(path, sizeof(path), "%s/.tmp-0000000002/%s", f->cfg.db_dir,
		 buf);
	assert_int_equal(lstat(path, &st), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(sv_txn_commit(t, NULL, f->err, sizeof(f->err)), 0);
	assert_int_equal(fix_get(f, "ak", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "v");
}

static void test_bad_dirs_refused(void **state)
{
	struct fix *f = *state;
	struct sv_txn *t = NULL;
	char path[512], want[700];
	bool revoked = false;
	fix_need_root();

	/* db_dir under a file: cannot be created */
	snprintf(path, sizeof(path), "%s/file", f->dir);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fclose(fp);
	struct sv_config c = f->cfg;
	snprintf(c.db_dir, sizeof(c.db_dir), "%s/file/db", f->dir);
	assert_int_equal(sv_txn_begin(&c, &t, f->err, sizeof(f->err)),
			 -ENOTDIR);
	assert_null(t);
	snprintf(want, sizeof(want), "creating %s or %s: %s", c.db_dir,
		 c.state_dir, strerror(ENOTDIR));
	assert_string_equal(f->err, want);

	/* a db_dir others may write: refused, naming it */
	fix_put(f, "ak", "v");
	assert_int_equal(chmod(f->cfg.db_dir, 0777), 0);
	assert_int_equal(sv_txn_begin(&f->cfg, &t, f->err, sizeof(f->err)),
			 -EPERM);
	snprintf(want, sizeof(want), "%s: writable by group or others",
		 f->cfg.db_dir);
	assert_memory_equal(f->err, want, strlen(want));
	assert_int_equal(chmod(f->cfg.db_dir, 0755), 0);

	/* a state dir gone: revocations cannot be read, and fail closed */
	snprintf(path, sizeof(path), "rm -rf '%s'", f->cfg.state_dir);
	assert_int_equal(system(path), 0);
	assert_int_equal(sv_state_is_revoked(&f->cfg, ID1, &revoked), -ENOENT);
	assert_true(revoked);
}

static void test_ids(void **state)
{
	struct fix *f = *state;
	struct sv_txn *t = NULL;
	uint32_t a = 0, b = 0, c = 0;
	bool retired = true;
	fix_need_root();

	t = fix_begin(f);
	assert_int_equal(sv_state_next_id(t, false, &a), 0);
	assert_int_equal(a, f->cfg.uid_min);
	assert_int_equal(sv_state_next_id(t, false, &b), 0);
	assert_int_equal(b, a + 1);
	assert_int_equal(sv_state_note_id(t, false, a + 10), 0);
	assert_int_equal(sv_state_next_id(t, false, &c), 0);
	assert_int_equal(c, a + 11);
	assert_int_equal(sv_state_retire_id(t, true, f->cfg.gid_min), 0);
	assert_int_equal(sv_txn_commit(t, NULL, f->err, sizeof(f->err)), 0);
	assert_int_equal(
	    sv_state_id_retired(&f->cfg, true, f->cfg.gid_min, &retired), 0);
	assert_true(retired);
	assert_int_equal(
	    sv_state_id_retired(&f->cfg, true, f->cfg.gid_min + 1, &retired),
	    0);
	assert_false(retired);
	/* handed out once: never again, even though no account has it */
	assert_int_equal(sv_state_id_retired(&f->cfg, false, a, &retired), 0);
	assert_true(retired);
}

/* A used-up range: the search goes below the high-water mark and skips
 * what was retired, handed out before, or is taken in the generation. */
static void test_ids_range_used_up(void **state)
{
	struct fix *f = *state;
	struct sv_txn *t = NULL;
	char k[8];
	uint32_t id = 0;
	fix_need_root();

	f->cfg.uid_min = 70000;
	f->cfg.uid_max = 70003;
	t = fix_begin(f);
	assert_int_equal(sv_state_note_id(t, false, 70003), 0);
	assert_int_equal(sv_state_retire_id(t, false, 70000), 0);
	assert_int_equal(sv_key_u32(k, sizeof(k), SV_KEY_UID, 70001), 5);
	assert_int_equal(sv_txn_store(t, SV_DB_ACCOUNTS, k, 5, "svc", 3), 0);
	assert_int_equal(sv_state_next_id(t, false, &id), 0);
	assert_int_equal(id, 70002);
	assert_int_equal(sv_state_next_id(t, false, &id), -ENOSPC);
	/* the GIDs are counted apart */
	f->cfg.gid_min = 70000;
	f->cfg.gid_max = 70003;
	assert_int_equal(sv_state_next_id(t, true, &id), 0);
	assert_int_equal(id, 70000);
	sv_txn_abort(t);
}

static void test_small_files(void **state)
{
	struct fix *f = *state;
	char buf[16];
	size_t n = 0;
	fix_need_root();

	struct sv_txn *t = fix_begin(f);
	assert_int_equal(sv_state_read_small(t, "serial", buf, sizeof(buf), &n),
			 -ENOENT);
	assert_int_equal(sv_state_write_small(t, "serial", "42\n", 3), 0);
	assert_int_equal(sv_state_read_small(t, "serial", buf, sizeof(buf), &n),
			 0);
	assert_int_equal(n, 3);
	assert_string_equal(buf, "42\n");
	assert_int_equal(sv_state_read_small(t, "serial", buf, 3, &n), -EFBIG);
	assert_int_equal(sv_state_write_small(t, "../x", "1", 1), -EINVAL);
	assert_int_equal(sv_state_write_small(t, ".x", "1", 1), -EINVAL);
	assert_int_equal(sv_state_write_small(t, "", "1", 1), -EINVAL);
	assert_int_equal(sv_state_read_small(t, "a/b", buf, sizeof(buf), &n),
			 -EINVAL);
	sv_txn_abort(t);
}

/* The end of what a GDBM file uses by its header (next_block, byte 32 of
 * the 64-bit format GDBM creates here), and its magic. */
static uint64_t gdbm_end(const char *path, uint32_t *magic)
{
	unsigned char h[40];
	uint64_t next;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, h, sizeof(h), 0), (ssize_t)sizeof(h));
	close(fd);
	memcpy(magic, h, 4);
	memcpy(&next, h + 32, 8);
	*magic = le32toh(*magic);
	return le64toh(next);
}

static off_t file_size(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

/* The path of name in the transaction's generation being built. */
static void tmp_path(struct fix *f, const char *name, char *out, size_t cap)
{
	DIR *d = opendir(f->cfg.db_dir);
	struct dirent *de;
	out[0] = '\0';
	assert_non_null(d);
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, ".tmp-", 5))
			snprintf(out, cap, "%s/%s/%s", f->cfg.db_dir,
				 de->d_name, name);
	closedir(d);
	assert_true(out[0] != '\0');
}

#define ROOM_KEYS 6000

/* Store ROOM_KEYS entries of 300 bytes, "k00000"... in one transaction. */
static void store_many(struct sv_txn *t)
{
	char k[16], v[300];
	for (int i = 0; i < ROOM_KEYS; i++) {
		snprintf(k, sizeof(k), "k%05d", i);
		memset(v, 'a' + i % 26, sizeof(v));
		assert_int_equal(
		    sv_txn_store(t, SV_DB_ACCOUNTS, k, strlen(k), v, sizeof(v)),
		    0);
	}
}

static void check_many(struct fix *f)
{
	char k[16], buf[512];
	for (int i = 0; i < ROOM_KEYS; i += 7) {
		snprintf(k, sizeof(k), "k%05d", i);
		assert_int_equal(fix_get(f, k, buf, sizeof(buf)), 0);
		assert_int_equal(strlen(buf), 300);
		assert_int_equal(buf[0], 'a' + i % 26);
	}
}

/* A writer's file grows inside room it is given (blocks allocated past
 * GDBM's end, mapped), and the published file ends where GDBM's header
 * says. */
static void test_room_trimmed(void **state)
{
	struct fix *f = *state;
	char path[4200];
	uint32_t magic;
	uint64_t gen = 0;
	fix_need_root();

	fix_put(f, "first", "1");
	struct sv_txn *t = fix_begin(f);
	store_many(t);
	tmp_path(f, "accounts.db", path, sizeof(path));
	/* about 2 MiB of records: the room was given again on the way */
	uint64_t used = gdbm_end(path, &magic);
	assert_int_equal(magic, 0x13579acf);
	assert_true(used > 2 * 1024 * 1024);
	assert_true((uint64_t)file_size(path) > used);
	assert_int_equal(sv_txn_commit(t, &gen, f->err, sizeof(f->err)), 0);
	snprintf(path, sizeof(path), "%s/current/accounts.db", f->cfg.db_dir);
	assert_int_equal((uint64_t)file_size(path), gdbm_end(path, &magic));
	check_many(f);
	/* the next writer starts from the trimmed file */
	fix_put(f, "second", "2");
	assert_int_equal((uint64_t)file_size(path), gdbm_end(path, &magic));
	check_many(f);
}

/* A file in another GDBM format (here the numsync one) is written through
 * GDBM's own I/O: no room, nothing cut, every record there. */
static void test_room_other_format(void **state)
{
	struct fix *f = *state;
	char path[4200];
	uint32_t magic;
	uint64_t gen = 0;
	fix_need_root();

	fix_put(f, "first", "1");
	snprintf(path, sizeof(path), "%s/current/accounts.db", f->cfg.db_dir);
	GDBM_FILE g = gdbm_open(path, 0, GDBM_WRITER | GDBM_NOLOCK, 0, NULL);
	assert_non_null(g);
	assert_int_equal(gdbm_convert(g, GDBM_NUMSYNC), 0);
	gdbm_close(g);
	gdbm_end(path, &magic);
	assert_int_not_equal(magic, 0x13579acf);

	struct sv_txn *t = fix_begin(f);
	store_many(t);
	tmp_path(f, "accounts.db", path, sizeof(path));
	/* no room: the file ends where GDBM's header (which begins the
	 * numsync header too) says */
	off_t during = file_size(path);
	assert_int_equal((uint64_t)during, gdbm_end(path, &magic));
	assert_int_equal(sv_txn_commit(t, &gen, f->err, sizeof(f->err)), 0);
	snprintf(path, sizeof(path), "%s/current/accounts.db", f->cfg.db_dir);
	gdbm_end(path, &magic);
	assert_int_not_equal(magic, 0x13579acf);
	/* what GDBM wrote, no more and no less */
	assert_int_equal(file_size(path), during);
	check_many(f);
	char buf[8];
	assert_int_equal(fix_get(f, "first", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_store_fetch_delete_commit,
					    fix_setup, fix_teardown),
	    cmocka_unit_test_setup_teardown(test_next_key, fix_setup,
					    fix_teardown),
	    cmocka_unit_test_setup_teardown(test_abort_leaves_nothing,
					    fix_setup, fix_teardown),
	    cmocka_unit_test_setup_teardown(test_lock_held, fix_setup,
					    fix_teardown),
	    cmocka_unit_test_setup_teardown(test_rollback, fix_setup,
					    fix_teardown),
	    cmocka_unit_test_setup_teardown(test_idlist_update, fix_setup,
					    fix_teardown),
	    cmocka_unit_test_setup_teardown(test_revocation_published,
					    fix_setup, fix_teardown),
	    cmocka_unit_test_setup_teardown(test_bad_input_refused, fix_setup,
					    fix_teardown),
	    cmocka_unit_test_setup_teardown(test_bad_dirs_refused, fix_setup,
					    fix_teardown),
	    cmocka_unit_test_setup_teardown(test_ids, fix_setup, fix_teardown),
	    cmocka_unit_test_setup_teardown(test_ids_range_used_up, fix_setup,
					    fix_teardown),
	    cmocka_unit_test_setup_teardown(test_room_trimmed, fix_setup,
					    fix_teardown),
	    cmocka_unit_test_setup_teardown(test_room_other_format, fix_setup,
					    fix_teardown),
	    cmocka_unit_test_setup_teardown(test_small_files, fix_setup,
					    fix_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
