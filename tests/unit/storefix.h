/* SPDX-License-Identifier: MIT */
/* A store of the unit tests' own: a configuration whose db_dir and
 * state_dir lie in a fresh directory under /tmp, removed afterwards, and
 * small helpers to write and read raw values through the real writer and
 * reader. Included by test_store.c and test_txn.c (after cmocka.h). */
#ifndef SVCACCT_TEST_STOREFIX_H
#define SVCACCT_TEST_STOREFIX_H

#include <dirent.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "tmpdir.h"
#include "store.h"
#include "txn.h"
#include "util.h"

struct fix {
	char dir[TEST_TMPDIR_LEN]; /* first: see test_tmpdir_fixture_new */
	struct sv_config cfg;
	char err[512];
};

static int fix_setup(void **state)
{
	struct fix *f = test_tmpdir_fixture_new(sizeof(*f), "store");
	if (!f)
		return -1;
	sv_config_defaults(&f->cfg);
	snprintf(f->cfg.db_dir, sizeof(f->cfg.db_dir), "%s/db", f->dir);
	snprintf(f->cfg.state_dir, sizeof(f->cfg.state_dir), "%s/state",
		 f->dir);
	/* a held lock is reported at once, not after seconds */
	f->cfg.lock_timeout = 0;
	*state = f;
	return 0;
}

static int fix_teardown(void **state)
{
	/* test_tmpdir_fixture_* take the fixture as its dir */
	_Static_assert(offsetof(struct fix, dir) == 0, "dir comes first");
	return test_tmpdir_fixture_free(*state);
}

/* A key or value length that GDBM's int-sized datum cannot hold: the
 * reader and the writer must refuse it before anything is read. */
SV_UNUSED static const size_t fix_huge_len = (size_t)INT32_MAX + 1;

SV_UNUSED static void fix_need_root(void)
{
	if (geteuid() != 0) {
		print_message("# needs root (the writer refuses others)\n");
		skip();
	}
}

/* A transaction begun on f's store (the test fails if it cannot be). */
SV_UNUSED static struct sv_txn *fix_begin(struct fix *f)
{
	struct sv_txn *t = NULL;
	assert_int_equal(sv_txn_begin(&f->cfg, &t, f->err, sizeof(f->err)), 0);
	return t;
}

/* Store key -> val (strings) in accounts.db in one committed transaction;
 * the new generation's number. */
SV_UNUSED static uint64_t fix_put(struct fix *f, const char *key,
				  const char *val)
{
	struct sv_txn *t = fix_begin(f);
	uint64_t gen = 0;
	assert_int_equal(
	    sv_txn_store(t, SV_DB_ACCOUNTS, key, strlen(key), val, strlen(val)),
	    0);
	assert_int_equal(sv_txn_commit(t, &gen, f->err, sizeof(f->err)), 0);
	return gen;
}

/* The value of key in accounts.db as a fresh reader sees it, as a string
 * in buf; or the reader's error. */
SV_UNUSED static int fix_get(struct fix *f, const char *key, char *buf,
			     size_t cap)
{
	struct sv_reader *r = NULL;
	struct sv_blob v = {0};
	int e = sv_reader_open(&f->cfg, SV_DBMASK_ALL, &r);
	if (e < 0)
		return e;
	e = sv_reader_fetch(r, SV_DB_ACCOUNTS, key, strlen(key), &v);
	if (e == 0)
		snprintf(buf, cap, "%.*s", (int)v.n, (const char *)v.p);
	sv_blob_free(&v);
	sv_reader_close(r);
	return e;
}

/* How many entries of db_dir start with prefix. */
SV_UNUSED static int fix_count(struct fix *f, const char *prefix)
{
	DIR *d = opendir(f->cfg.db_dir);
	struct dirent *de;
	int n = 0;
	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

#endif
