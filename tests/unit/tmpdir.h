/* SPDX-License-Identifier: MIT */
/* A fresh directory under /tmp for a unit test, and its removal with
 * whatever the test left in it. */
#ifndef SVCACCT_TEST_TMPDIR_H
#define SVCACCT_TEST_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>

/* Makes the directory /tmp/svcacct-test-NAME-XXXXXX (mode 0700) and writes
 * its path into DIR (SIZE bytes). Returns 0, or -1 when the path does not
 * fit or mkdtemp fails. */
static inline int test_tmpdir_make(char *dir, size_t size, const char *name)
{
	int n = snprintf(dir, size, "/tmp/svcacct-test-%s-XXXXXX", name);
	if (n < 0 || (size_t)n >= size)
		return -1;
	return mkdtemp(dir) ? 0 : -1;
}

/* Removes DIR and everything below it. Returns 0, or -1 on failure. */
static inline int test_tmpdir_remove(const char *dir)
{
	char cmd[256];
	int n = snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}

/* A test fixture struct whose first member is char dir[TEST_TMPDIR_LEN]:
 * the setup of test_config.c and storefix.h allocate it zeroed with a fresh
 * directory NAME in dir, and their teardown removes both. */
#define TEST_TMPDIR_LEN 64

/* Returns the zeroed fixture of SIZE bytes with its directory made, or
 * NULL (nothing left behind) on failure. */
static inline void *test_tmpdir_fixture_new(size_t size, const char *name)
{
	char *f = calloc(1, size);
	if (!f)
		return NULL;
	if (test_tmpdir_make(f, TEST_TMPDIR_LEN, name)) {
		free(f);
		return NULL;
	}
	return f;
}

/* Removes the fixture's directory, with whatever the test left in it, and
 * frees the fixture. NULL is no fixture. Returns 0, or -1 (fixture kept)
 * when the directory could not be removed. */
static inline int test_tmpdir_fixture_free(void *f)
{
	if (!f)
		return 0;
	if (test_tmpdir_remove(f))
		return -1;
	free(f);
	return 0;
}

#endif
