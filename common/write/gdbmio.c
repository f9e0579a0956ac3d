/* SPDX-License-Identifier: MIT */
/* The writer's GDBM file I/O (gdbmio.h): new files copied from the
 * published ones, stores and deletes. */
#include "gdbmio.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store-internal.h"

gid_t svi_keys_gid(const struct sv_config *c)
{
	struct group gr, *res = NULL;
	char buf[4096];
	if (getgrnam_r(c->keys_group, &gr, buf, sizeof(buf), &res) == 0 && res)
		return res->gr_gid;
	return 0;
}

int sv_gdbm_copy_open(int srcdirfd, const char *srcname, int dstdirfd,
		      const char *dstname, mode_t mode, gid_t gid,
		      GDBM_FILE *out, int *fd_out)
{
	int src = -1, dst = -1, gfd, r = 0;
	bool fresh = true;
	GDBM_FILE db;

	if (srcdirfd >= 0) {
		src = openat(srcdirfd, srcname,
			     O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (src < 0 && errno != ENOENT) {
			r = -errno;
			goto out;
		}
		fresh = src < 0;
	}
	unlinkat(dstdirfd, dstname, 0);
	dst = openat(dstdirfd, dstname,
		     O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (dst < 0) {
		r = -errno;
		goto out;
	}
	if (fchown(dst, 0, gid) < 0 || fchmod(dst, mode) < 0) {
		r = -errno;
		goto out;
	}
	if (!fresh) {
		struct stat st;
		if (fstat(src, &st) < 0) {
			r = -errno;
			goto out;
		}
		off_t left = st.st_size;
		while (left > 0) {
			ssize_t n = copy_file_range(src, NULL, dst, NULL,
						    (size_t)left, 0);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				r = n < 0 ? -errno : -EIO;
				goto out;
			}
			left -= n;
		}
	}
	/* the copy left the shared offset at the end; GDBM expects 0 */
	if (lseek(dst, 0, SEEK_SET) < 0) {
		r = -errno;
		goto out;
	}
	gfd = fcntl(dst, F_DUPFD_CLOEXEC, 0);
	if (gfd < 0) {
		r = -errno;
		goto out;
	}
	/* GDBM_CLOERROR: a failed open closes gfd. GDBM_NOMMAP: GDBM
	 * writes the changed bucket back after every store, and through a
	 * mapping each write-back page-faults; pwrite was a third faster for
	 * a 100,000-account import (docs/BENCHMARKS.md) */
	db = gdbm_fd_open(gfd, dstname, 0,
			  (fresh ? GDBM_NEWDB : GDBM_WRITER) | GDBM_NOLOCK |
			      GDBM_CLOEXEC | GDBM_CLOERROR | GDBM_NOMMAP,
			  NULL);
	if (!db) {
		r = sv_gdbm_errno(NULL);
		if (r == -EIO)
			r = -EBADMSG;
		goto out;
	}
	*out = db;
	*fd_out = dst;
	dst = -1;
out:
	if (src >= 0)
		close(src);
	if (dst >= 0) {
		close(dst);
		unlinkat(dstdirfd, dstname, 0);
	}
	return r;
}

int svw_gdbm_store(GDBM_FILE db, const void *key, size_t klen, const void *val,
		   size_t vlen)
{
	if (klen > INT32_MAX || vlen > INT32_MAX)
		return -EINVAL;
	datum k = {(char *)key, (int)klen}, v = {(char *)val, (int)vlen};
	if (gdbm_store(db, k, v, GDBM_REPLACE) != 0)
		return sv_gdbm_errno(db);
	return 0;
}

int svw_gdbm_delete(GDBM_FILE db, const void *key, size_t klen)
{
	if (klen > INT32_MAX)
		return -EINVAL;
	datum k = {(char *)key, (int)klen};
	if (gdbm_delete(db, k) != 0)
		return sv_gdbm_errno(db);
	return 0;
}
