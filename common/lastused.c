/* SPDX-License-Identifier: MIT */
/* "Last used" records (lastused.h). */
#include "lastused.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "secret.h"
#include "util.h"

#define LASTUSED_DIR "lastused"
#define LASTUSED_EVERY 60 /* seconds between two updates of one record */

static int open_dir(const struct sv_config *c, bool create)
{
	_cleanup_close_ int sfd = open(c->state_dir, O_RDONLY | O_DIRECTORY |
						       O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	int fd;

	if (sfd < 0)
		return -errno;
	fd = openat(sfd, LASTUSED_DIR,
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT && create) {
		if (mkdirat(sfd, LASTUSED_DIR, 0700) < 0 && errno != EEXIST)
			return -errno;
		fd = openat(sfd, LASTUSED_DIR,
			    O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0)
		return -errno;
	/* someone else's directory is not ours to write into */
	if (fstat(fd, &st) < 0 || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

void sv_lastused_touch(const struct sv_config *c, const char *cred_id,
		       int64_t now)
{
	_cleanup_close_ int dfd = -1;
	struct stat st;
	int fd;

	if (!sv_cred_id_valid(cred_id) || geteuid() != 0)
		return;
	dfd = open_dir(c, true);
	if (dfd < 0)
		return;
	if (fstatat(dfd, cred_id, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (!S_ISREG(st.st_mode))
			return;
		if (now - (int64_t)st.st_mtim.tv_sec < LASTUSED_EVERY &&
		    now >= (int64_t)st.st_mtim.tv_sec)
			return;
		/* mtime only; the record's content is never read */
		struct timespec ts[2] = {{.tv_nsec = UTIME_OMIT},
					 {.tv_sec = (time_t)now}};
		(void)utimensat(dfd, cred_id, ts, AT_SYMLINK_NOFOLLOW);
		return;
	}
	fd = openat(dfd, cred_id,
		    O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
			    O_NONBLOCK,
		    0600);
	if (fd >= 0) {
		struct timespec ts[2] = {{.tv_nsec = UTIME_OMIT},
					 {.tv_sec = (time_t)now}};
		(void)futimens(fd, ts);
		close(fd);
	}
}

int sv_lastused_get(const struct sv_config *c, const char *cred_id,
		    int64_t *when)
{
	_cleanup_close_ int dfd = -1;
	struct stat st;

	if (!sv_cred_id_valid(cred_id))
		return -EINVAL;
	dfd = open_dir(c, false);
	if (dfd < 0)
		return dfd;
	if (fstatat(dfd, cred_id, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EPERM;
	*when = (int64_t)st.st_mtim.tv_sec;
	return 0;
}
