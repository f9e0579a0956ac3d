/* SPDX-License-Identifier: MIT */
/* One bounded reader for the files the tools and the configuration loaders
 * take whole (manifests, keys, JWKS, configuration files). */
#ifndef SVCACCT_READFILE_H
#define SVCACCT_READFILE_H

#include <stddef.h>
#include <sys/types.h>

/* Read the open fd into buf until its end or until cap bytes are in: the
 * count, or the -errno of a failed read (EINTR retried). A fixed buffer,
 * nothing copied: fit for secrets. */
ssize_t sv_read_all(int fd, void *buf, size_t cap);

/* Read the open fd to its end into a malloc'd, NUL-terminated buffer: 0
 * with *out and *len (the NUL not counted). At most max bytes: -EFBIG when
 * there are more; -ENOMEM; the -errno of a failed read. *out is NULL after
 * a failure. The buffer grows as the bytes come (a large max costs a small
 * file nothing), which leaves copies in freed memory: not for secrets. */
int sv_read_fd(int fd, size_t max, char **out, size_t *len);

#endif
