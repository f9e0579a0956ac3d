/* SPDX-License-Identifier: MIT */
/* The generation word, read side (genword.h). */
#include "genword.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store-internal.h"

int sv_genword_map(const struct sv_config *c, const uint64_t **word)
{
	struct stat st;
	int dirfd = -1, fd = -1, r;
	void *p;

	r = svi_open_dbdir(c, &dirfd);
	if (r < 0)
		return r;
	fd = svi_open_file(dirfd, SV_GENWORD, O_RDONLY, 0, false, &st);
	if (fd < 0) {
		r = fd;
		goto out;
	}
	/* a shorter file would fault on the first load */
	if (st.st_size < SV_GENWORD_SIZE) {
		r = -EBADMSG;
		goto out;
	}
	p = mmap(NULL, SV_GENWORD_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		r = -errno;
		goto out;
	}
	*word = p;
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	close(dirfd);
	return r;
}

void sv_genword_unmap(const uint64_t *word)
{
	if (word)
		munmap((void *)word, SV_GENWORD_SIZE);
}
