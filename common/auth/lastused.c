/* SPDX-License-Identifier: MIT */
/* "Last used" records (lastused.h). */
#include "lastused.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "names.h"
#include "secret.h"
#include "util.h"

#define LASTUSED_EVERY 60 /* seconds between two updates of one record */
#define REC	       32

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static int64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return (int64_t)v;
}

/* STATE_DIR/lastused, created 0700 if missing; root's, not writable by
 * others. */
static int open_dir(const struct sv_config *c, int sfd, bool create)
{
	_cleanup_close_ int own = -1;
	struct stat st;
	int fd;

	if (sfd < 0) {
		own = open(c->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (own < 0)
			return -errno;
		sfd = own;
	}
	fd = openat(sfd, "lastused",
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		if (mkdirat(sfd, "lastused", 0700) < 0 && errno != EEXIST)
			return -errno;
		fd = openat(sfd, "lastused",
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

static int open_file(const struct sv_config *c, int sfd, const char *account,
		     bool write, int *out, uint8_t *buf, size_t *len)
{
	_cleanup_close_ int dfd = -1;
	struct stat st;
	ssize_t n;
	int fd;

	if (!account || sv_name_check(account, NULL, 0) < 0)
		return -EINVAL;
	dfd = open_dir(c, sfd, write);
	if (dfd < 0)
		return dfd;
	fd = openat(dfd, account,
		    (write ? O_RDWR | O_CREAT : O_RDONLY) | O_NOFOLLOW |
			O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
		    0600);
	if (fd < 0)
		return -errno;
	/* one name only: a hard link planted here must not be written to */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (S_IRWXG | S_IRWXO)) || st.st_nlink != 1) {
		close(fd);
		return -EPERM;
	}
	n = pread(fd, buf, SV_LASTUSED_MAX * REC, 0);
	if (n < 0) {
		close(fd);
		return -errno;
	}
	*len = (size_t)n - (size_t)n % REC;
	*out = fd;
	return 0;
}

void sv_lastused_touch(const struct sv_config *c, const char *account,
		       const char *cred_id, int64_t now)
{
	sv_lastused_touch_at(c, -1, account, cred_id, now);
}

/* Where the record of cred_id goes (its own, a new one, or the oldest when
 * full); false if it was written less than a minute ago. */
static bool plan(const uint8_t *buf, size_t len, const char *cred_id,
		 int64_t now, size_t *where)
{
	size_t at = len, oldest = 0; /* append unless found */
	int64_t oldest_t = INT64_MAX;

	for (size_t off = 0; off < len; off += REC) {
		int64_t t = get64(buf + off + SV_CRED_ID_LEN);
		if (memcmp(buf + off, cred_id, SV_CRED_ID_LEN) == 0) {
			if (now >= t && now - t < LASTUSED_EVERY)
				return false;
			at = off;
			break;
		}
		if (t < oldest_t) {
			oldest_t = t;
			oldest = off;
		}
	}
	if (at == len && len >= SV_LASTUSED_MAX * REC)
		at = oldest;
	*where = at;
	return true;
}

void sv_lastused_touch_at(const struct sv_config *c, int sfd,
			  const char *account, const char *cred_id, int64_t now)
{
	_cleanup_close_ int fd = -1;
	uint8_t buf[SV_LASTUSED_MAX * REC], rec[REC] = {0};
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	size_t len = 0, at;
	ssize_t n;

	if (!sv_cred_id_valid(cred_id) || geteuid() != 0 ||
	    open_file(c, sfd, account, true, &fd, buf, &len) < 0)
		return;
	/* most logins find a fresh record and write nothing: they read
	 * without the lock, and only a writer takes it (never waiting: a
	 * concurrent login records it) and reads again under it */
	if (!plan(buf, len, cred_id, now, &at) ||
	    fcntl(fd, F_OFD_SETLK, &fl) < 0)
		return;
	n = pread(fd, buf, SV_LASTUSED_MAX * REC, 0);
	if (n < 0)
		return;
	len = (size_t)n - (size_t)n % REC;
	if (!plan(buf, len, cred_id, now, &at))
		return;
	memcpy(rec, cred_id, SV_CRED_ID_LEN);
	put64(rec + SV_CRED_ID_LEN, (uint64_t)now);
	(void)!pwrite(fd, rec, REC, (off_t)at);
}

int sv_lastused_get(const struct sv_config *c, const char *account,
		    const char *cred_id, int64_t *when)
{
	_cleanup_close_ int fd = -1;
	uint8_t buf[SV_LASTUSED_MAX * REC];
	size_t len = 0;
	int r;

	if (!sv_cred_id_valid(cred_id))
		return -EINVAL;
	r = open_file(c, -1, account, false, &fd, buf, &len);
	if (r < 0)
		return r;
	for (size_t off = 0; off < len; off += REC)
		if (memcmp(buf + off, cred_id, SV_CRED_ID_LEN) == 0) {
			*when = get64(buf + off + SV_CRED_ID_LEN);
			return 0;
		}
	return -ENOENT;
}
