/* SPDX-License-Identifier: MIT */
/* The writer's GDBM file I/O (gdbmio.h): new files copied from the
 * published ones, stores and deletes. */
#include "gdbmio.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <string.h>
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
	/* GDBM_CLOERROR: a failed open closes gfd. GDBM_NOMMAP: the file is
	 * mapped by svw_gdbm_make_room below, once it has room to grow in */
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
	r = svw_gdbm_make_room(db, dst);
	if (r < 0) {
		gdbm_close(db);
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

/* GDBM 1.x's header on a host with a 64-bit off_t (the format GDBM
 * creates unless asked for another): magic, block size, then at byte 32
 * next_block, the end of what the file uses. Only this format gets room:
 * a file in any other is written through GDBM's own I/O, as before. */
#define GDBM_MAGIC64_LE	   0x13579acfu
#define GDBM_HDR_BLOCKSIZE 4
#define GDBM_HDR_NEXTBLOCK 32
#define GDBM_HDR_LEN	   40

/* The end of what the GDBM file fd uses by its header, checked against
 * the file's size: 0 and *used, -ENOTSUP a header of another format, or
 * -errno. */
static int gdbm_used(int fd, off_t size, off_t *used)
{
	unsigned char h[GDBM_HDR_LEN];
	uint32_t magic, bs;
	uint64_t next;

	_Static_assert(sizeof(off_t) == 8,
		       "the header read is GDBM's 64-bit one");
	ssize_t n = pread(fd, h, sizeof(h), 0);
	if (n < 0)
		return -errno;
	if (n != (ssize_t)sizeof(h))
		return -ENOTSUP;
	memcpy(&magic, h, 4);
	memcpy(&bs, h + GDBM_HDR_BLOCKSIZE, 4);
	memcpy(&next, h + GDBM_HDR_NEXTBLOCK, 8);
	magic = le32toh(magic);
	bs = le32toh(bs);
	next = le64toh(next);
	if (magic != GDBM_MAGIC64_LE || bs < 512 || next < bs ||
	    next > (uint64_t)size)
		return -ENOTSUP;
	*used = (off_t)next;
	return 0;
}

int svw_gdbm_make_room(GDBM_FILE db, int fd)
{
	struct stat st;
	off_t used, want;
	int on = 0, r;

	if (fstat(fd, &st) < 0)
		return -errno;
	r = gdbm_used(fd, st.st_size, &used);
	if (r == -ENOTSUP)
		return 0;
	if (r < 0)
		return r;
	if (gdbm_setopt(db, GDBM_GETMMAP, &on, sizeof(on)) != 0)
		return sv_gdbm_errno(db);
	/* room for at least a quarter more, or 1 MiB */
	if (on && st.st_size - used >= used / 4 &&
	    st.st_size - used >= SVW_ROOM_MIN)
		return 0;
	/* twice what is used: a file growing from nothing to a million
	 * accounts is remapped about a dozen times */
	if (used > (INT64_MAX - SVW_ROOM_MIN) / 2)
		return 0;
	want = 2 * used + SVW_ROOM_MIN;
	/* blocks, not a hole: a store into a mapped hole on a full disk is
	 * a SIGBUS, a failed fallocate leaves GDBM's own I/O, which reports
	 * ENOSPC (whatever it extended, svw_gdbm_trim cuts) */
	if (fallocate(fd, 0, used, want - used) < 0) {
		if (errno == ENOSPC || errno == EDQUOT || errno == EOPNOTSUPP)
			return 0;
		return -errno;
	}
	/* GDBM maps a file whole only when it starts mapping: switch the
	 * mapping off (which syncs it) and on again over the longer file */
	int off = 0, one = 1;
	if ((on && gdbm_setopt(db, GDBM_SETMMAP, &off, sizeof(off)) != 0) ||
	    gdbm_setopt(db, GDBM_SETMMAP, &one, sizeof(one)) != 0)
		return sv_gdbm_errno(db);
	return 0;
}

int svw_gdbm_trim(int fd)
{
	struct stat st;
	off_t used;

	if (fstat(fd, &st) < 0)
		return -errno;
	int r = gdbm_used(fd, st.st_size, &used);
	if (r == -ENOTSUP)
		return 0;
	if (r < 0)
		return r;
	if (used < st.st_size && ftruncate(fd, used) < 0)
		return -errno;
	return 0;
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
