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
static int open_dir(const struct sv_config *c, bool create)
{
	char path[sizeof(c->state_dir) + 16];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/lastused", c->state_dir);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return -errno;
		fd =
		    open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
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

static int open_file(const struct sv_config *c, const char *account, bool write,
		     int *out, uint8_t *buf, size_t *len)
{
	_cleanup_close_ int dfd = -1;
	struct stat st;
	ssize_t n;
	int fd;

	if (!account || sv_name_check(account, NULL, 0) < 0)
		return -EINVAL;
	dfd = open_dir(c, write);
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
	if (write) {
		struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
		/* never wait: a concurrent login records it */
		if (fcntl(fd, F_OFD_SETLK, &fl) < 0) {
			close(fd);
			return -EWOULDBLOCK;
		}
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
	_cleanup_close_ int fd = -1;
	uint8_t buf[SV_LASTUSED_MAX * REC], rec[REC] = {0};
	size_t len = 0, at, oldest = 0;
	int64_t oldest_t = INT64_MAX;

	if (!sv_cred_id_valid(cred_id) || geteuid() != 0 ||
	    open_file(c, account, true, &fd, buf, &len) < 0)
		return;
	at = len; /* append unless found */
	for (size_t off = 0; off < len; off += REC) {
		int64_t t = get64(buf + off + SV_CRED_ID_LEN);
		if (memcmp(buf + off, cred_id, SV_CRED_ID_LEN) == 0) {
			if (now >= t && now - t < LASTUSED_EVERY)
				return;
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
	r = open_file(c, account, false, &fd, buf, &len);
	if (r < 0)
		return r;
	for (size_t off = 0; off < len; off += REC)
		if (memcmp(buf + off, cred_id, SV_CRED_ID_LEN) == 0) {
			*when = get64(buf + off + SV_CRED_ID_LEN);
			return 0;
		}
	return -ENOENT;
}
