/* SPDX-License-Identifier: MIT */
/* Shared between store.c (generations) and state.c (the state directory):
 * the transaction's innards. Not a public header. */
#ifndef SVCACCT_STORE_INTERNAL_H
#define SVCACCT_STORE_INTERNAL_H

#include <gdbm.h>
#include <sys/stat.h>

#include "store.h"

enum sv_statefile { SV_STATE_IDS = 0, SV_STATE_REVOKED, SV_STATE_COUNT };

#define GEN_PREFIX  "gen-"
#define TMP_PREFIX  ".tmp-"
#define CURRENT	    "current"
#define CURRENT_TMP ".current.tmp"
#define LOCKFILE    ".lock"

extern const char *const sv_dbnames[SV_DB_COUNT];
extern const mode_t sv_dbmodes[SV_DB_COUNT];

/* Helpers shared by the reader (store.c) and the writer (txn.c). */
int svi_check_stat(const struct stat *st, bool dir, bool private_file);
int svi_parse_gen(const char *s, uint64_t *gen);
void svi_gen_name(char *out, size_t n, uint64_t gen);
int svi_open_dbdir(const struct sv_config *c, int *out);
int svi_read_current(int dirfd, uint64_t *gen);
int svi_fetch(GDBM_FILE db, const void *key, size_t klen, struct sv_blob *val);
int svi_next_key(GDBM_FILE db, char prefix, struct sv_blob *key);
typedef int (*fetch_fn)(void *h, enum sv_db db, const void *k, size_t kl,
			struct sv_blob *v);
int svi_get_named(fetch_fn f, void *h, enum sv_db db, char prefix,
		  const char *name, struct sv_blob *blob);
int svi_by_number(fetch_fn f, void *h, char prefix, char nameprefix, uint32_t v,
		  struct sv_blob *blob);
int svi_decode_account(int r, struct sv_blob *blob, struct sv_account *a);
int svi_decode_role(int r, struct sv_blob *blob, struct sv_role *x);

/* State dir (stateread.c): file names, read-only open, ID keys. */
extern const char *const sv_statenames[SV_STATE_COUNT];
int svi_open_state_ro(const struct sv_config *c, enum sv_statefile f,
		      GDBM_FILE *db);
size_t svi_id_key(char *k, bool gid, uint32_t id);
/* revoked.db's key for a revoked key fingerprint; 0 if it cannot be one. */
#define SV_FPR_MAX	   128
#define SV_REVOKED_KEY_MAX (SV_FPR_MAX + 2)
size_t svi_revoked_key(char *k, size_t cap, const char *fpr);
/* The group pubkeys.db and the public revocation list belong to. */
gid_t svi_keys_gid(const struct sv_config *c);
size_t svi_handed_key(char *k, bool gid, uint32_t id);

struct sv_txn {
	const struct sv_config *cfg;
	int dirfd;   /* db_dir */
	int lockfd;  /* db_dir/.lock, F_OFD_SETLK held */
	int statefd; /* state_dir */
	uint64_t base_gen;
	int basefd; /* base generation directory, -1 if none */
	char tmpname[64];
	int tmpfd; /* generation being built */
	GDBM_FILE old[SV_DB_COUNT];
	GDBM_FILE new[SV_DB_COUNT];
	int newfd[SV_DB_COUNT];	      /* dup of new[]'s fd, for fsync */
	GDBM_FILE st[SV_STATE_COUNT]; /* state files being rewritten */
	int stfd[SV_STATE_COUNT];
	/* the base may hold revoked credentials (a rollback, `current`
	 * moved back, a store of an older writer): publish leaves them out */
	bool sweep_revoked;
};

/* Open a GDBM file read-only under dirfd with the ownership/mode rules.
 * private: the file must not be readable by group or others either. */
int sv_open_gdbm_ro(int dirfd, const char *name, bool private_file, bool mmap,
		    GDBM_FILE *out, int *fd_out, struct stat *st_out);

/* Copy src (may be absent) into a new file dst under dirfd with mode
 * and gid, and open it writable. */
int sv_gdbm_copy_open(int srcdirfd, const char *srcname, int dstdirfd,
		      const char *dstname, mode_t mode, gid_t gid,
		      GDBM_FILE *out, int *fd_out);

/* Map the last GDBM error to -errno. */
int sv_gdbm_errno(GDBM_FILE db);

/* The generation from which on every credential revoked.db lists is left
 * out (its "gen" entry): *known false for a store that never recorded
 * one. Read / set inside the transaction. */
int svi_state_revoked_through(struct sv_txn *t, uint64_t *gen, bool *known);
int svi_state_note_revoked_through(struct sv_txn *t, uint64_t gen);

/* Publish the transaction's rewritten state files (rename into place). */
int sv_state_commit(struct sv_txn *t, char *err, size_t errlen);
void sv_state_abort(struct sv_txn *t);
/* Remove state files a crashed writer left half-built. */
void sv_state_cleanup(struct sv_txn *t);
/* Make sure ids.db and revoked.db exist (created in this transaction). */
int sv_state_init(struct sv_txn *t);

#endif
