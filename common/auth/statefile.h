/* SPDX-License-Identifier: MIT */
/* What the login side's own files under STATE_DIR share (the replay cache,
 * replay.c, and the "last used" records, lastused.c): their directory, the
 * rules a file in it must meet, and their little-endian integers. Auth side
 * (libc). */
#ifndef SVCACCT_STATEFILE_H
#define SVCACCT_STATEFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "config.h"

/* STATE_DIR/name, through sfd (an open state dir) or, if sfd < 0, through
 * c->state_dir; created 0700 when create is set and it is missing. It must
 * be a directory (no symlink), root's, not writable by group or others. An
 * fd (O_CLOEXEC), or -errno (-EPERM for one that fails those rules). */
int sv_state_subdir_open(const struct sv_config *c, int sfd, const char *name,
			 bool create);

/* STATE_DIR/dir/name through sfd, an open state dir, in two system calls
 * instead of four: dir is judged by an fstatat (a directory, no symlink,
 * root's, not writable by group or others, as sv_state_subdir_open
 * requires), then the file is opened by its path below sfd with flags
 * (O_NOFOLLOW | O_CLOEXEC | O_NOCTTY added) and mode. Between the two only
 * who may change entries in STATE_DIR, root (sv_config_load checks it),
 * could put another directory there. An fd, or -errno: -ENOENT when dir or
 * the file is missing (sv_state_subdir_open creates dir), -EPERM when dir
 * fails the rules. */
int sv_state_open_in(int sfd, const char *dir, const char *name, int flags,
		     mode_t mode);

/* 0 if st is a regular file of root's that nobody else may read or write,
 * with no other name (a hard link planted elsewhere would share it);
 * -EPERM otherwise. */
int sv_state_file_private(const struct stat *st);

/* A new file name in dfd, for the caller to fill and rename into place: it
 * must not exist (O_EXCL: nothing left there is written through, a planted
 * link included), mode 0600 before the umask. An fd (O_RDWR, O_CLOEXEC), or
 * -errno. */
int sv_state_file_create(int dfd, const char *name);

static inline void sv_le64_put(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t sv_le64_get(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

#endif
