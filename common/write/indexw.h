/* SPDX-License-Identifier: MIT */
/* What a commit publishes for readers besides the GDBM files: the lookup
 * index (common/store/index.h; indexw.c), built inside the generation
 * being published from the base generation's index and the transaction's
 * changes, or from every record of the GDBM file; and the generation word
 * (common/store/genword.h; genwordw.c). Not a public header: txn.c is
 * their only user (txn.h offers the checks to the tools). */
#ifndef SVCACCT_INDEXW_H
#define SVCACCT_INDEXW_H

#include <gdbm.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "index.h"

/* One file's changes in a transaction, in the order they were made. */
struct svw_ixlog;

/* Record that key now holds val (val NULL: that key was deleted).
 * 0 or -ENOMEM (the log is then unusable: svw_ixlog_failed). */
int svw_ixlog_put(struct svw_ixlog **log, const void *key, size_t klen,
		  const void *val, size_t vlen);
void svw_ixlog_free(struct svw_ixlog *log);

/* Write the index `name` under dirfd for generation gen, owned by root
 * and group gid, mode mode, and fsync it. Its records are base's with
 * log applied when base is given, else every record of db. The file must
 * not exist yet. 0 or -errno (-EBADMSG: base is damaged; the caller then
 * builds from db). */
int svw_index_write(int dirfd, const char *name, mode_t mode, gid_t gid,
		    uint64_t gen, const struct sv_index *base,
		    const struct svw_ixlog *log, GDBM_FILE db);

/* Whether the index under ixdirfd holds exactly the records of db
 * (every key and value, the counts, the data checksum).
 * 0; -ENOENT no index; -EBADMSG it differs or is damaged (*why says how);
 * other -errno. */
int svw_index_verify(int ixdirfd, const char *name, bool private_file,
		     GDBM_FILE db, char *why, size_t whylen);

/* Store gen in dirfd's generation word, creating it (root, 0644,
 * SV_GENWORD_SIZE bytes) when there is none. Never replaces or shrinks
 * it. 0, -EPERM (an unsafe word: left alone), or -errno. */
int svw_genword_store(int dirfd, uint64_t gen);

#endif
