/* SPDX-License-Identifier: MIT */
/* The directories and the file rules of the login side's state files
 * (statefile.h). */
#include "statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "names.h"

/* The rule of sv_state_subdir_open for STATE_DIR's subdirectories. */
static bool subdir_ok(const struct stat *st)
{
	return S_ISDIR(st->st_mode) && st->st_uid == 0 &&
	       !(st->st_mode & (S_IWGRP | S_IWOTH));
}

int sv_state_subdir_open(const struct sv_config *c, int sfd, const char *name,
			 bool create)
{
	const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	struct stat st;
	int own = -1, fd = -1, r;

	if (sfd < 0) {
		own = open(c->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (own < 0)
			return -errno;
		sfd = own;
	}
	fd = openat(sfd, name, flags);
	if (fd < 0 && errno == ENOENT && create) {
		if (mkdirat(sfd, name, 0700) < 0 && errno != EEXIST) {
			r = -errno;
			goto out;
		}
		fd = openat(sfd, name, flags);
	}
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	if (fstat(fd, &st) < 0 || !subdir_ok(&st)) {
		r = -EPERM;
		goto out;
	}
	r = fd;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	if (own >= 0)
		close(own);
	return r;
}

int sv_state_open_in(int sfd, const char *dir, const char *name, int flags,
		     mode_t mode)
{
	char path[64 + SV_NAME_MAX + 2];
	struct stat st;
	int n, fd;

	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path) || strchr(name, '/'))
		return -EINVAL;
	if (fstatat(sfd, dir, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!subdir_ok(&st))
		return -EPERM;
	fd = openat(sfd, path, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, mode);
	return fd < 0 ? -errno : fd;
}

int sv_state_file_private(const struct stat *st)
{
	if (!S_ISREG(st->st_mode) || st->st_uid != 0 ||
	    (st->st_mode & (S_IRWXG | S_IRWXO)) || st->st_nlink != 1)
		return -EPERM;
	return 0;
}

int sv_state_file_create(int dfd, const char *name)
{
	int fd = openat(dfd, name,
			O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC |
			    O_NOCTTY,
			0600);
	return fd < 0 ? -errno : fd;
}
