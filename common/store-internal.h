/* SPDX-License-Identifier: MIT */
/* Shared between store.c (generations) and state.c (the state directory):
 * the transaction's innards. Not a public header. */
#ifndef SVCACCT_STORE_INTERNAL_H
#define SVCACCT_STORE_INTERNAL_H

#include <gdbm.h>

#include "store.h"

enum sv_statefile { SV_STATE_IDS = 0, SV_STATE_REVOKED, SV_STATE_COUNT };

struct sv_txn {
	const struct sv_config *cfg;
	int dirfd;   /* db_dir */
	int lockfd;  /* db_dir/.lock, F_OFD_SETLK held */
	int statefd; /* state_dir */
	uint64_t base_gen;
	int basefd;  /* base generation directory, -1 if none */
	char tmpname[64];
	int tmpfd;   /* generation being built */
	GDBM_FILE old[SV_DB_COUNT];
	GDBM_FILE new[SV_DB_COUNT];
	int newfd[SV_DB_COUNT]; /* dup of new[]'s fd, for fsync */
	GDBM_FILE st[SV_STATE_COUNT]; /* state files being rewritten */
	int stfd[SV_STATE_COUNT];
};

/* Open a GDBM file read-only under dirfd with the ownership/mode rules.
 * private: the file must not be readable by group or others either. */
int sv_open_gdbm_ro(int dirfd, const char *name, bool private_file,
		    bool mmap, GDBM_FILE *out, int *fd_out);

/* Copy src (may be absent) into a new file dst under dirfd with mode
 * and gid, and open it writable. */
int sv_gdbm_copy_open(int srcdirfd, const char *srcname, int dstdirfd,
		      const char *dstname, mode_t mode, gid_t gid,
		      GDBM_FILE *out, int *fd_out);

/* Map the last GDBM error to -errno. */
int sv_gdbm_errno(GDBM_FILE db);

/* Publish the transaction's rewritten state files (rename into place). */
int sv_state_commit(struct sv_txn *t, char *err, size_t errlen);
void sv_state_abort(struct sv_txn *t);
/* Remove state files a crashed writer left half-built. */
void sv_state_cleanup(struct sv_txn *t);
/* Make sure ids.db and revoked.db exist (created in this transaction). */
int sv_state_init(struct sv_txn *t);

#endif
