/* SPDX-License-Identifier: MIT */
/* Unit tests for the reader (common/store/store.h) over a store the real
 * writer builds in a temporary directory: a reader keeps its generation
 * until it reopens, typed lookups check the record against its key, and
 * unsafe or missing files and bad arguments are refused with their error.
 * Runs as root (the writer refuses anyone else). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "names.h"
#include "storefix.h"

static void test_no_store(void **state)
{
	struct fix *f = *state;
	struct sv_reader *r = (struct sv_reader *)1;
	struct sv_revocations *rv = NULL;
	uint64_t gen = 0;
	char buf[8];

	/* no db_dir at all */
	assert_int_equal(sv_reader_open(&f->cfg, SV_DBMASK_ALL, &r), -ENOENT);
	assert_null(r);
	assert_int_equal(sv_store_current_generation(&f->cfg, &gen), -ENOENT);
	assert_int_equal(sv_revocations_open_public(&f->cfg, &rv), -ENOENT);
	assert_null(rv);
	assert_int_equal(fix_get(f, "ak", buf, sizeof(buf)), -ENOENT);
}

/* A reader opened now sees generation gen, and in it "ak" = want (3
 * bytes). */
static void expect_new_reader(struct fix *f, uint64_t gen, const char *want)
{
	struct sv_reader *r = NULL;
	struct sv_blob v = {0};
	assert_int_equal(sv_reader_open(&f->cfg, SV_DBMASK_ALL, &r), 0);
	assert_int_equal(sv_reader_generation(r), gen);
	assert_int_equal(sv_reader_fetch(r, SV_DB_ACCOUNTS, "ak", 2, &v), 0);
	assert_memory_equal(v.p, want, 3);
	sv_blob_free(&v);
	sv_reader_close(r);
}

static void test_reader_keeps_generation(void **state)
{
	struct fix *f = *state;
	struct sv_reader *old = NULL;
	struct sv_txn *t = NULL;
	struct sv_blob v = {0};
	uint64_t gen = 0;
	fix_need_root();

	assert_int_equal(fix_put(f, "ak", "one"), 1);
	assert_int_equal(sv_reader_open(&f->cfg, SV_DBMASK_ALL, &old), 0);
	assert_int_equal(sv_reader_generation(old), 1);
	assert_ptr_equal(sv_reader_config(old), &f->cfg);

	t = fix_begin(f);
	assert_int_equal(sv_txn_store(t, SV_DB_ACCOUNTS, "ak", 2, "two", 3), 0);
	/* a writer at work: readers still get the published generation */
	expect_new_reader(f, 1, "one");
	assert_int_equal(sv_txn_commit(t, &gen, f->err, sizeof(f->err)), 0);
	assert_int_equal(gen, 2);
	assert_int_equal(sv_store_current_generation(&f->cfg, &gen), 0);
	assert_int_equal(gen, 2);

	/* the open reader keeps what it opened */
	assert_int_equal(sv_reader_generation(old), 1);
	assert_int_equal(sv_reader_fetch(old, SV_DB_ACCOUNTS, "ak", 2, &v), 0);
	assert_int_equal(v.n, 3);
	assert_memory_equal(v.p, "one", 3);
	sv_blob_free(&v);
	assert_true(sv_reader_fds_intact(old));
	sv_reader_close(old);
	/* a new one sees the new generation */
	expect_new_reader(f, 2, "two");
	sv_reader_close(NULL);
}

static void test_generations(void **state)
{
	struct fix *f = *state;
	uint64_t *gens = NULL;
	size_t n = 0;
	fix_need_root();

	f->cfg.keep_generations = 2;
	for (int i = 0; i < 4; i++)
		fix_put(f, "ak", "v");
	assert_int_equal(sv_store_generations(&f->cfg, &gens, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(gens[0], 3);
	assert_int_equal(gens[1], 4);
	free(gens);
}

/* The login path's shared reader: one per process and generation, kept
 * while in use after a commit replaced it, never inherited by a child. */
static void test_shared_reader(void **state)
{
	struct fix *f = *state;
	struct sv_reader *a = NULL, *b = NULL, *c = NULL;
	struct sv_blob v = {0};
	fix_need_root();

	assert_int_equal(fix_put(f, "ak", "one"), 1);
	assert_int_equal(sv_reader_acquire(&f->cfg, SV_DBMASK_ALL, &a), 0);
	assert_int_equal(
	    sv_reader_acquire(&f->cfg, SV_DBMASK(SV_DB_ACCOUNTS), &b), 0);
	assert_ptr_equal(a, b);
	assert_true(sv_reader_mapped(a));
	assert_null(sv_reader_config(a));
	sv_reader_close(b);
	/* a commit: the next login gets the new generation at once (the
	 * generation word), the one in progress keeps the old */
	assert_int_equal(fix_put(f, "ak", "two"), 2);
	assert_int_equal(sv_reader_acquire(&f->cfg, SV_DBMASK_ALL, &c), 0);
	assert_ptr_not_equal(a, c);
	assert_int_equal(sv_reader_generation(c), 2);
	assert_int_equal(sv_reader_fetch(a, SV_DB_ACCOUNTS, "ak", 2, &v), 0);
	assert_memory_equal(v.p, "one", 3);
	sv_blob_free(&v);
	sv_reader_close(a);
	assert_int_equal(sv_reader_fetch(c, SV_DB_ACCOUNTS, "ak", 2, &v), 0);
	assert_memory_equal(v.p, "two", 3);
	sv_blob_free(&v);
	/* a child opens its own: the credentials' table is not inherited */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sv_reader *d = NULL;
		struct sv_blob w = {0};
		char line[512];
		int inherited = 0;
		FILE *m = fopen("/proc/self/maps", "r");
		while (m && fgets(line, sizeof(line), m))
			inherited += strstr(line, "credentials.idx") != NULL;
		if (m)
			fclose(m);
		int ok = m && !inherited &&
			 sv_reader_acquire(&f->cfg, SV_DBMASK_ALL, &d) == 0 &&
			 d != c &&
			 sv_reader_fetch(d, SV_DB_CREDENTIALS, "nokey", 5,
					 &w) == -ENOENT;
		_exit(ok ? 0 : 1);
	}
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	sv_reader_close(c);
}

static void test_bad_arguments(void **state)
{
	struct fix *f = *state;
	struct sv_reader *r = NULL;
	struct sv_blob v = {0};
	fix_need_root();

	fix_put(f, "ak", "v");
	assert_int_equal(sv_reader_open(&f->cfg, SV_DBMASK(SV_DB_ACCOUNTS), &r),
			 0);
	assert_int_equal(sv_reader_fetch(r, SV_DB_COUNT, "ak", 2, &v), -EINVAL);
	assert_int_equal(sv_reader_fetch(r, (enum sv_db) - 1, "ak", 2, &v),
			 -EINVAL);
	assert_int_equal(
	    sv_reader_fetch(r, SV_DB_ACCOUNTS, "ak", fix_huge_len, &v),
	    -EINVAL);
	/* a file the reader did not open */
	assert_int_equal(sv_reader_fetch(r, SV_DB_CREDENTIALS, "ak", 2, &v),
			 -EBADF);
	assert_int_equal(sv_reader_next_key(r, SV_DB_PUBKEYS, 'c', &v), -EBADF);
	assert_int_equal(sv_reader_next_key(r, SV_DB_COUNT, 'c', &v), -EBADF);
	assert_null(v.p);
	assert_null(sv_db_filename(SV_DB_COUNT));
	assert_string_equal(sv_db_filename(SV_DB_PUBKEYS), "pubkeys.db");
	sv_reader_close(r);
}

static void test_unsafe_files_refused(void **state)
{
	struct fix *f = *state;
	struct sv_reader *r = NULL;
	char path[512];
	fix_need_root();

	fix_put(f, "ak", "v");
	/* credentials.db readable by others */
	snprintf(path, sizeof(path), "%s/current/credentials.db",
		 f->cfg.db_dir);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(sv_reader_open(&f->cfg, SV_DBMASK_ALL, &r), -EPERM);
	assert_null(r);
	/* a reader that does not open it is not concerned */
	assert_int_equal(sv_reader_open(&f->cfg, SV_DBMASK(SV_DB_ACCOUNTS), &r),
			 0);
	sv_reader_close(r);
	assert_int_equal(chmod(path, 0600), 0);
	/* a db_dir others may write */
	assert_int_equal(chmod(f->cfg.db_dir, 0777), 0);
	assert_int_equal(sv_reader_open(&f->cfg, SV_DBMASK_ALL, &r), -EPERM);
	assert_int_equal(chmod(f->cfg.db_dir, 0755), 0);
	/* an index that is not one */
	snprintf(path, sizeof(path), "%s/current/accounts.idx", f->cfg.db_dir);
	char good[600];
	snprintf(good, sizeof(good), "%s.good", path);
	assert_int_equal(rename(path, good), 0);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("not an index, but longer than an index header is: 64 bytes.....",
	      fp);
	fclose(fp);
	assert_int_equal(sv_reader_open(&f->cfg, SV_DBMASK_ALL, &r), -EBADMSG);
	assert_null(r);
	/* without an index, the GDBM file is read: a file that is not GDBM */
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/current/accounts.db", f->cfg.db_dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("not a gdbm file", fp);
	fclose(fp);
	assert_int_equal(sv_reader_open(&f->cfg, SV_DBMASK_ALL, &r), -EBADMSG);
	assert_null(r);
	/* a valid index is read in its place: its GDBM file is not */
	snprintf(path, sizeof(path), "%s/current/accounts.idx", f->cfg.db_dir);
	assert_int_equal(rename(good, path), 0);
	assert_int_equal(sv_reader_open(&f->cfg, SV_DBMASK_ALL, &r), 0);
	struct sv_blob v = {0};
	assert_int_equal(sv_reader_fetch(r, SV_DB_ACCOUNTS, "ak", 2, &v), 0);
	assert_true(v.borrowed);
	assert_int_equal(v.n, 1);
	sv_blob_free(&v);
	assert_null(v.p);
	sv_reader_close(r);
}

/* An account record named name with uid, stored under key kname. */
static void put_account(struct fix *f, const char *kname, const char *name,
			uint32_t uid)
{
	struct sv_account a = {.uid = uid,
			       .name = SV_STR(name),
			       .home = SV_STR("/nonexistent"),
			       .shell = SV_STR("/usr/sbin/nologin")};
	struct sv_buf b = {0};
	struct sv_txn *t = NULL;
	char k[64], uk[8];
	int kl = snprintf(k, sizeof(k), "%c%s", SV_KEY_ACCOUNT, kname);
	assert_int_equal(sv_encode_account(&b, &a), 0);
	t = fix_begin(f);
	assert_int_equal(
	    sv_txn_store(t, SV_DB_ACCOUNTS, k, (size_t)kl, b.p, b.len), 0);
	assert_int_equal(sv_key_u32(uk, sizeof(uk), SV_KEY_UID, uid), 5);
	assert_int_equal(
	    sv_txn_store(t, SV_DB_ACCOUNTS, uk, 5, kname, strlen(kname)), 0);
	assert_int_equal(sv_txn_commit(t, NULL, f->err, sizeof(f->err)), 0);
	sv_buf_free(&b);
}

static void test_typed_lookups(void **state)
{
	struct fix *f = *state;
	struct sv_reader *r = NULL;
	struct sv_blob b = {0};
	struct sv_account a;
	fix_need_root();

	put_account(f, "svc", "svc", 70001);
	/* a record whose name is not its key's: tampered with */
	put_account(f, "evil", "svc2", 70002);
	assert_int_equal(sv_reader_open(&f->cfg, SV_DBMASK_ALL, &r), 0);
	assert_int_equal(sv_get_account(r, "svc", &b, &a), 0);
	assert_int_equal(a.uid, 70001);
	assert_true(sv_str_eq(a.name, "svc"));
	sv_blob_free(&b);
	assert_int_equal(sv_get_account_by_uid(r, 70001, &b, &a), 0);
	assert_true(sv_str_eq(a.name, "svc"));
	sv_blob_free(&b);
	assert_int_equal(sv_get_account(r, "evil", &b, &a), -EBADMSG);
	assert_null(b.p);
	assert_int_equal(sv_get_account(r, "nobody", &b, &a), -ENOENT);
	assert_int_equal(sv_get_account_by_uid(r, 70009, &b, &a), -ENOENT);
	sv_reader_close(r);
}

/* A role record with gid, name and members stored as the base role's. */
static void put_base(struct fix *f, uint32_t gid, const char *name,
		     const char *member)
{
	struct sv_str m = SV_STR(member ? member : "");
	struct sv_str svc = SV_STR("cron");
	struct sv_role x = {
	    .gid = gid,
	    .name = SV_STR(name),
	    .services = {.count = 1, .items = &svc},
	    .members = {.count = member ? 1 : 0, .items = &m},
	};
	struct sv_buf b = {0};
	char k[64];
	int kl = snprintf(k, sizeof(k), "%c%s", SV_KEY_BASE, SV_BASE_ROLE);
	assert_int_equal(sv_encode_role(&b, &x), 0);
	struct sv_txn *t = fix_begin(f);
	assert_int_equal(
	    sv_txn_store(t, SV_DB_ACCOUNTS, k, (size_t)kl, b.p, b.len), 0);
	assert_int_equal(sv_txn_commit(t, NULL, f->err, sizeof(f->err)), 0);
	sv_buf_free(&b);
}

/* The base role's record: absent is -ENOENT (no settings); valid only
 * with gid 0, its own name and no members. */
static void test_base_role(void **state)
{
	struct fix *f = *state;
	struct sv_reader *r = NULL;
	struct sv_blob b = {0};
	struct sv_role x;
	fix_need_root();

	put_account(f, "svc", "svc", 70001);
	assert_int_equal(sv_reader_open(&f->cfg, SV_DBMASK_ALL, &r), 0);
	assert_int_equal(sv_get_base_role(r, &b, &x), -ENOENT);
	sv_reader_close(r);

	put_base(f, 0, SV_BASE_ROLE, NULL);
	assert_int_equal(sv_reader_open(&f->cfg, SV_DBMASK_ALL, &r), 0);
	assert_int_equal(sv_get_base_role(r, &b, &x), 0);
	assert_true(sv_list_contains(&x.services, SV_STR("cron")));
	sv_blob_free(&b);
	sv_reader_close(r);

	static const struct {
		uint32_t gid;
		const char *name, *member;
	} bad[] = {
	    {80000, SV_BASE_ROLE, NULL}, /* a GID: base_gid is the config's */
	    {0, "ops", NULL},		 /* another role's name */
	    {0, SV_BASE_ROLE, "svc"},	 /* members are implicit */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put_base(f, bad[i].gid, bad[i].name, bad[i].member);
		assert_int_equal(sv_reader_open(&f->cfg, SV_DBMASK_ALL, &r), 0);
		assert_int_equal(sv_get_base_role(r, &b, &x), -EBADMSG);
		assert_null(b.p);
		sv_reader_close(r);
	}
	/* not a role record at all */
	fix_put(f, "bsvcacct", "SVR\x01junk");
	assert_int_equal(sv_reader_open(&f->cfg, SV_DBMASK_ALL, &r), 0);
	int e = sv_get_base_role(r, &b, &x);
	assert_true(e == -EBADMSG || e == -EPROTO);
	assert_null(b.p);
	sv_reader_close(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_no_store, fix_setup,
					    fix_teardown),
	    cmocka_unit_test_setup_teardown(test_reader_keeps_generation,
					    fix_setup, fix_teardown),
	    cmocka_unit_test_setup_teardown(test_generations, fix_setup,
					    fix_teardown),
	    cmocka_unit_test_setup_teardown(test_bad_arguments, fix_setup,
					    fix_teardown),
	    cmocka_unit_test_setup_teardown(test_shared_reader, fix_setup,
					    fix_teardown),
	    cmocka_unit_test_setup_teardown(test_unsafe_files_refused,
					    fix_setup, fix_teardown),
	    cmocka_unit_test_setup_teardown(test_typed_lookups, fix_setup,
					    fix_teardown),
	    cmocka_unit_test_setup_teardown(test_base_role, fix_setup,
					    fix_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
