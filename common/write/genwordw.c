/* SPDX-License-Identifier: MIT */
/* The generation word, write side (common/store/genword.h). */
#include "genword.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "indexw.h"
#include "store-internal.h"

int svw_genword_store(int dirfd, uint64_t gen)
{
	struct stat st;
	void *p = MAP_FAILED;
	int fd, r = 0;

	/* the readers' rules: a word they would refuse is not ours to
	 * repair by replacing it (they may have it mapped) */
	fd = svi_open_file(dirfd, SV_GENWORD, O_RDWR | O_CREAT, 0644, false,
			   &st);
	if (fd < 0)
		return fd;
	if ((st.st_mode & 07777) != 0644 && fchmod(fd, 0644) < 0) {
		r = -errno;
		goto out;
	}
	/* created (or left short): grow it once; it never shrinks */
	if (st.st_size < SV_GENWORD_SIZE &&
	    ftruncate(fd, SV_GENWORD_SIZE) < 0) {
		r = -errno;
		goto out;
	}
	p = mmap(NULL, SV_GENWORD_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 0);
	if (p == MAP_FAILED) {
		r = -errno;
		goto out;
	}
	/* one aligned store: a reader sees the old or the new number */
	__atomic_store_n((uint64_t *)p, gen, __ATOMIC_RELEASE);
out:
	if (p != MAP_FAILED)
		munmap(p, SV_GENWORD_SIZE);
	close(fd);
	return r;
}
