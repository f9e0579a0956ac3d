/* SPDX-License-Identifier: MIT */
/* The writer's GDBM file I/O, shared by txn.c (a generation's files) and
 * state.c (the state dir's files) so that neither calls into the other to
 * write a file. Writer only (libsvwrite.la): the reader's side, opening
 * read-only and fetching, is store-internal.h's. Not a public header. */
#ifndef SVCACCT_GDBMIO_H
#define SVCACCT_GDBMIO_H

#include <gdbm.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config.h"

/* Copy srcname under srcdirfd (srcdirfd -1 or the file absent: a new empty
 * file) into a new file dstname under dstdirfd, owned by root and group gid
 * with mode, and open it writable: the GDBM handle in *out, the file's fd
 * (for fsync) in *fd_out. A dstname left over is replaced. 0; -EBADMSG the
 * copy is not a GDBM file; -errno otherwise, with dstname removed. */
int sv_gdbm_copy_open(int srcdirfd, const char *srcname, int dstdirfd,
		      const char *dstname, mode_t mode, gid_t gid,
		      GDBM_FILE *out, int *fd_out);

/* Every store appends its record at the end of the file, and GDBM writes
 * the changed bucket and header back after each one: through its own
 * I/O that is three system calls per store, through its mapping a remap of
 * the whole file per append. So a writer's file gets room: blocks are
 * allocated to twice what it uses and the file is mapped whole, and stores
 * are copies into the mapping (where the blocks cannot be had, GDBM's own
 * I/O goes on). svw_gdbm_make_room gives room when less than a
 * quarter (or SVW_ROOM_MIN) is left: sv_gdbm_copy_open calls it, writers
 * again every SVW_ROOM_EVERY stores to a file. svw_gdbm_trim cuts what
 * GDBM did not use, by its header's end, after gdbm_close and before the
 * fsync: a published file is never longer than GDBM made it. A file whose
 * header is not the format GDBM creates here is left to GDBM's own I/O.
 * 0 or -errno. */
#define SVW_ROOM_MIN   (1 << 20)
#define SVW_ROOM_EVERY 1024
int svw_gdbm_make_room(GDBM_FILE db, int fd);
int svw_gdbm_trim(int fd);

/* Store (replacing) or delete one entry of a file opened writable.
 * 0; -ENOENT (delete) if absent; -EINVAL a key or value longer than GDBM
 * takes; -errno from the GDBM error otherwise. */
int svw_gdbm_store(GDBM_FILE db, const void *key, size_t klen, const void *val,
		   size_t vlen);
int svw_gdbm_delete(GDBM_FILE db, const void *key, size_t klen);

/* The group pubkeys.db and the public revocation list belong to
 * (keys_group; root's group 0 when it cannot be resolved). */
gid_t svi_keys_gid(const struct sv_config *c);

#endif
