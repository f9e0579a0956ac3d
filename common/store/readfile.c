/* SPDX-License-Identifier: MIT */
/* The bounded reader (readfile.h). */
#include "readfile.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

ssize_t sv_read_all(int fd, void *buf, size_t cap)
{
	size_t n = 0;

	while (n < cap) {
		ssize_t k = read(fd, (char *)buf + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			break;
		n += (size_t)k;
	}
	return (ssize_t)n;
}

int sv_read_fd(int fd, size_t max, char **out, size_t *len)
{
	/* room for one byte past max: reading it means there are more */
	size_t limit = max + 1, cap, n = 0;
	char *buf = NULL, *nb;
	ssize_t k;
	int r;

	*out = NULL;
	*len = 0;
	if (max >= SIZE_MAX - 1 || max > SSIZE_MAX)
		return -EINVAL;
	cap = limit < 4096 ? limit : 4096;
	buf = malloc(cap + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		k = sv_read_all(fd, buf + n, cap - n);
		if (k < 0) {
			r = (int)k;
			goto out;
		}
		n += (size_t)k;
		if (n < cap)
			break; /* the end */
		if (cap == limit) {
			r = -EFBIG;
			goto out;
		}
		cap = cap > limit / 2 ? limit : cap * 2;
		nb = realloc(buf, cap + 1);
		if (!nb) {
			r = -ENOMEM;
			goto out;
		}
		buf = nb;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
	r = 0;
out:
	free(buf);
	return r;
}
