/* SPDX-License-Identifier: MIT */
/* The reader's internals: shared by store.c (generations) and stateread.c
 * (the state dir, read-only), and used by the writer (common/write/: txn.c,
 * state.c, gdbmio.c) to read what it rewrites. Nothing here writes: the
 * NSS module links all of it. Not a public header. */
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
extern const char *const sv_idxnames[SV_DB_COUNT];

/* Generations, GDBM reads and typed lookups (store.c). */
int svi_check_stat(const struct stat *st, bool dir, bool private_file);
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
/* What a typed lookup decodes its record into (struct sv_account,
 * sv_role, sv_cred, sv_list), and the key it was fetched by. */
enum svi_kind { SVI_ACCOUNT, SVI_ROLE, SVI_CRED, SVI_IDLIST };
struct svi_want {
	const char *name; /* the record's name or credential id, or NULL: */
	uint32_t id;	  /* its UID (account) or GID (role) */
};
/* The typed lookups' last step. r: the fetch's result; when 0, decode
 * *blob as kind into out. With want (the reader's lookups), the record
 * must be the one its key names: a key and a record that disagree mean the
 * file was tampered with (-EBADMSG). On any failure *blob is freed. */
int svi_decode(int r, enum svi_kind kind, const struct svi_want *want,
	       struct sv_blob *blob, void *out);

/* State dir (stateread.c): file names, ID keys. */
extern const char *const sv_statenames[SV_STATE_COUNT];
/* Whether key is in the state file f under the state dir sfd, the file
 * opened read-only for the lookup. missing_ok: a file that does not exist
 * means "nothing recorded" (the ID list of an old store); otherwise it is
 * an error (-ENOENT). */
int svi_state_has_at(int sfd, enum sv_statefile f, const char *key, size_t klen,
		     bool missing_ok, bool *has);
size_t svi_id_key(char *k, bool gid, uint32_t id);
/* revoked.db's key for a revoked key fingerprint; 0 if it cannot be one. */
#define SV_FPR_MAX	   128
#define SV_REVOKED_KEY_MAX (SV_FPR_MAX + 2)
size_t svi_revoked_key(char *k, size_t cap, const char *fpr);
size_t svi_handed_key(char *k, bool gid, uint32_t id);

/* Open name under dirfd (O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK
 * added to flags; mode for O_CREAT) and check what was opened: a regular
 * file owned by root, not writable by group or others (private: no
 * permission for them at all). The fd, with *st; or -errno, -EPERM for an
 * unsafe file (closed). */
int svi_open_file(int dirfd, const char *name, int flags, mode_t mode,
		  bool private_file, struct stat *st);

/* Open a GDBM file read-only under dirfd with the ownership/mode rules.
 * private: the file must not be readable by group or others either. */
int sv_open_gdbm_ro(int dirfd, const char *name, bool private_file, bool mmap,
		    GDBM_FILE *out, int *fd_out, struct stat *st_out);

/* Map the last GDBM error to -errno. */
int sv_gdbm_errno(GDBM_FILE db);

/* Whether key is in db: 0 with *has; -EINVAL a key longer than GDBM
 * takes, -EIO the lookup failed (*has false then). */
int svi_exists(GDBM_FILE db, const void *key, size_t klen, bool *has);

#endif
