/* SPDX-License-Identifier: MIT */
/* The GDBM store: published generations, lock-free readers, one writer.
 *
 * Layout (docs/FORMAT.md):  DB_DIR/current -> gen-NNNNNNNNNN
 *                           DB_DIR/gen-NNNNNNNNNN/{accounts,credentials,pubkeys}.db
 *                           DB_DIR/.lock, DB_DIR/.tmp-NNNNNNNNNN (being built)
 * A published generation is never written again. A writer builds the next
 * one in a temporary directory (hard-linking the files it does not change),
 * fsyncs it, renames it into place and swaps the `current` symlink.
 * The reader's API: libc + GDBM only. The writer's is txn.h. */
#ifndef SVCACCT_STORE_H
#define SVCACCT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "codec.h"
#include "config.h"

enum sv_db {
	SV_DB_ACCOUNTS =
	    0, /* accounts.db 0644: accounts and roles, no secrets */
	SV_DB_CREDENTIALS, /* credentials.db 0600: secret hashes, assertion keys
			    */
	SV_DB_PUBKEYS,	   /* pubkeys.db 0640 (keys_group): OpenSSH keys */
	SV_DB_COUNT
};
#define SV_DBMASK(db) (1u << (db))
#define SV_DBMASK_ALL ((1u << SV_DB_COUNT) - 1)
/* Reader flag: map the files (faster, but their pages count in the RSS). */
#define SV_READER_MMAP (1u << 16)

/* Key prefixes (one byte) inside the databases. */
#define SV_KEY_ACCOUNT	'a' /* accounts.db: 'a' name -> account */
#define SV_KEY_UID	'u' /* accounts.db: 'u' uid(BE32) -> name */
#define SV_KEY_ROLE	'r' /* accounts.db: 'r' name -> role */
#define SV_KEY_GID	'g' /* accounts.db: 'g' gid(BE32) -> name */
#define SV_KEY_CRED	'c' /* credentials/pubkeys: 'c' id -> cred */
#define SV_KEY_CREDLIST 'l' /* credentials/pubkeys: 'l' account -> id list */
#define SV_KEY_ISSUER	'i' /* accounts.db: 'i' name -> issuer */
#define SV_KEY_ISS	'j' /* accounts.db: 'j' iss URL -> issuer name */
#define SV_KEY_BASE	'b' /* accounts.db: 'b' "svcacct" -> base role */

/* Longest key the typed lookups build: a prefix and a name or id (names
 * are at most 32 bytes, ids 16; anything longer cannot exist). */
#define SV_KEY_MAX 260

const char *sv_db_filename(enum sv_db db);
/* The lookup index beside it (accounts.idx ...; index.h). */
const char *sv_index_filename(enum sv_db db);

/* A value fetched from GDBM (malloc'd); free with sv_blob_free. */
struct sv_blob {
	void *p;
	size_t n;
	/* a view into a mapped index, owned by the reader: sv_blob_free
	 * forgets it, and it lives as long as the reader */
	bool borrowed;
};
void sv_blob_free(struct sv_blob *b);

/* Build a store key: prefix byte + bytes. Returns its length, or 0 if it
 * does not fit in cap. */
size_t sv_key_str(char *out, size_t cap, char prefix, const char *s, size_t n);
size_t sv_key_u32(char *out, size_t cap, char prefix, uint32_t v);

/* ------------------------------------------------------------- readers */

struct sv_reader;

/* Open the published generation read-only. dbmask selects the files to open
 * (credentials.db and pubkeys.db need their readers' rights). A file with
 * an index beside it (index.h) is read through the mapped index only; a
 * generation without one (written before indexes existed) through GDBM;
 * an index that is unsafe or does not parse fails the open. Every
 * directory and file is opened with O_NOFOLLOW|O_CLOEXEC relative to its
 * parent's fd and must be owned by root and not group/world writable;
 * credentials.db must not be readable by group or others.
 * 0; -ENOENT no store; -EPERM unsafe owner/mode; -EACCES; -EIO/-EBADMSG
 * unreadable or corrupt GDBM file; -ENOMEM. */
int sv_reader_open(const struct sv_config *c, unsigned dbmask,
		   struct sv_reader **out);
void sv_reader_close(struct sv_reader *r);

/* A reader of the published generation shared by the logins of this
 * process (the PAM module's): the first call opens it as sv_reader_open
 * does, later ones hand out the same mapped reader while it is current,
 * and sv_reader_close only drops a reference. Whether it is current costs
 * no system call while the generation word names its generation (genword.h)
 * and `current` was read this second; else `current` is read, and a new
 * reader replaces it (the old one is closed when its last user closes
 * it). Only a reader whose every file is a mapped index is kept; the
 * mapping of credentials.idx is not inherited by a child process
 * (MADV_DONTFORK: a session child that drops privileges must not carry
 * the credentials' table). Thread-safe. sv_reader_config() of a shared
 * reader is NULL (its users keep their own configuration).
 * Same returns as sv_reader_open. */
int sv_reader_acquire(const struct sv_config *c, unsigned dbmask,
		      struct sv_reader **out);

/* The configuration the reader was opened with (the caller keeps it alive
 * as long as the reader). */
const struct sv_config *sv_reader_config(const struct sv_reader *r);

/* Whether every file the reader opened is answered from a mapped index:
 * it then holds no file descriptor, and its lookups make no system call. */
bool sv_reader_mapped(const struct sv_reader *r);

/* The number of accounts and roles in db's index (false: db is read
 * through GDBM, which keeps no count). */
bool sv_reader_counts(const struct sv_reader *r, enum sv_db db,
		      uint32_t *accounts, uint32_t *roles);

/* Generation number this reader holds. */
uint64_t sv_reader_generation(const struct sv_reader *r);

/* The generation `current` names now (readlink, no open). 0 or -errno. */
int sv_store_current_generation(const struct sv_config *c, uint64_t *gen);

/* The generation a name of len bytes at s (no NUL needed) stands for:
 * "gen-" and exactly ten digits, not all zero, as the store writes it (no
 * sign, no spaces). 0 with *gen, or -EBADMSG. */
int sv_store_parse_gen(const char *s, size_t len, uint64_t *gen);

/* Whether the reader's fds are still the files it opened (programs close
 * or reuse fds behind a library's back): fstat dev/ino comparison. */
bool sv_reader_fds_intact(const struct sv_reader *r);

/* Fetch a raw value: from the index, a view the reader owns (borrowed),
 * else a copy. 0, -ENOENT, -EIO, -ENOMEM, -EBADMSG (a damaged index). */
int sv_reader_fetch(struct sv_reader *r, enum sv_db db, const void *key,
		    size_t klen, struct sv_blob *val);

/* Iterate the keys of a database that start with prefix. *key must start
 * as {NULL,0}; each call replaces it with the next key (the previous one is
 * freed). 0 with the next key, -ENOENT at the end, other -errno on error. */
int sv_reader_next_key(struct sv_reader *r, enum sv_db db, char prefix,
		       struct sv_blob *key);

/* Typed lookups. The record's views point into *blob: keep it until done,
 * then sv_blob_free. 0, -ENOENT, -EBADMSG/-EPROTO (bad record), -EIO. */
int sv_get_account(struct sv_reader *r, const char *name, struct sv_blob *blob,
		   struct sv_account *a);
int sv_get_account_by_uid(struct sv_reader *r, uint32_t uid,
			  struct sv_blob *blob, struct sv_account *a);
int sv_get_role(struct sv_reader *r, const char *name, struct sv_blob *blob,
		struct sv_role *role);
int sv_get_role_by_gid(struct sv_reader *r, uint32_t gid, struct sv_blob *blob,
		       struct sv_role *role);
int sv_get_cred(struct sv_reader *r, enum sv_db db, const char *id,
		struct sv_blob *blob, struct sv_cred *cred);
/* The base role's record ('b' + "svcacct", docs/FORMAT.md): the services,
 * sources and commands an administrator gave the role every account holds.
 * Its GID is base_gid of svcacct.conf, never the record's: a valid record
 * has gid 0, the name "svcacct" and no members (they are implicit); any
 * other is -EBADMSG. -ENOENT when there is none, which means no services,
 * sources or commands. Same returns as the lookups above otherwise. */
int sv_get_base_role(struct sv_reader *r, struct sv_blob *blob,
		     struct sv_role *role);
/* Whether a decoded role record is a valid base role record (above). */
bool sv_base_role_valid(const struct sv_role *role);
int sv_get_cred_ids(struct sv_reader *r, enum sv_db db, const char *account,
		    struct sv_blob *blob, struct sv_list *ids);

/* The reason code of a typed lookup that failed with r (< 0): missing when
 * there is no such record (-ENOENT), store_corrupt when the record does not
 * decode (-EBADMSG, -EPROTO), store_error for any other failure. */
const char *sv_lookup_reason(int r, const char *missing);

/* ------------------------------------------------------------- credentials */

/* An open revocation list (credential ids and revoked key fingerprints).
 * Every reader that uses or shows a credential consults one, whatever the
 * generation it reads: an old generation may still hold a revoked
 * credential. */
struct sv_revocations;

/* The state dir's list (root only), through a state dir fd (the caller
 * keeps sfd). Fails closed: a missing list is -ENOENT, an unsafe one
 * -EPERM, an unreadable one -EIO. */
int sv_revocations_open_state(int sfd, struct sv_revocations **out);
/* The copy the writer publishes in db_dir (SV_PUBLIC_REVOKED, group
 * keys_group, mode 0640) for readers without access to the state dir:
 * sshd's AuthorizedKeysCommand. Same failures. */
#define SV_PUBLIC_REVOKED "revoked.db"
int sv_revocations_open_public(const struct sv_config *c,
			       struct sv_revocations **out);
/* Whether a credential id is revoked. 0, or -errno with *revoked = true
 * (fail closed). */
int sv_revocations_has(struct sv_revocations *rv, const char *id,
		       bool *revoked);
/* Whether key material with this fingerprint (sv_state_revoke_key) was
 * revoked. Same contract. */
int sv_revocations_has_key(struct sv_revocations *rv, const char *fpr,
			   bool *revoked);
void sv_revocations_close(struct sv_revocations *rv);

/* The one walk over an account's credentials in db (credentials.db or
 * pubkeys.db) for every reader: the ids its list names whose record
 * decodes, carries that id and is bound to account a (sv_cred_bound_to).
 * A listed id without a record, or a record that is not the account's,
 * is skipped; a record that does not decode is skipped too (svcacct check
 * reports it). fn gets each credential with its revocation status from rv
 * (rv NULL: reported as not revoked, for callers that check it
 * themselves). A non-zero return from fn stops the walk and is returned.
 * 0, or -errno when the list cannot be read or a revocation cannot be
 * looked up. */
typedef int (*sv_cred_fn)(const struct sv_cred *c, bool revoked, void *ctx);
int sv_each_cred(struct sv_reader *r, enum sv_db db, const struct sv_account *a,
		 struct sv_revocations *rv, sv_cred_fn fn, void *ctx);

/* List the generations present, ascending; *out malloc'd. */
int sv_store_generations(const struct sv_config *c, uint64_t **out, size_t *n);

/* ------------------------------------------------------------- state dir */
/* Files outside the generations: revocations, retired IDs, the HMAC host
 * key. Read here; written only by the writer (txn.h). */

/* Whether id is revoked. Fails closed: an unreadable list is -EIO. */
int sv_state_is_revoked(const struct sv_config *c, const char *id,
			bool *revoked);
/* The state dir, opened read-only (O_DIRECTORY | O_CLOEXEC) so that one
 * login opens it once for revocations, replay cache and last-used: an fd,
 * or -errno. The caller closes it. */
int sv_state_open_dir(const struct sv_config *c);
/* sv_state_is_revoked through such an fd. */
int sv_state_is_revoked_at(int sfd, const char *id, bool *revoked);
/* Whether an ID was retired or handed out before (never to be reused).
 * A store without ids.db has recorded none. */
int sv_state_id_retired(const struct sv_config *c, bool gid, uint32_t id,
			bool *retired);

#endif
