/* SPDX-License-Identifier: MIT */
/* The store's writer: one copy-on-write transaction at a time under the
 * writer lock (db_dir/.lock), commit, rollback, and the state dir's files
 * rewritten in the same transaction. Root only. Linked from libsvwrite.la
 * by the tools and the tests, never by a module that merely reads (the
 * reader's API is store.h, which this header includes). */
#ifndef SVCACCT_TXN_H
#define SVCACCT_TXN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "config.h"
#include "store.h"

struct sv_txn;

/* ------------------------------------------------------------- transaction */

/* Take the writer lock (waiting up to lock_timeout seconds) and start
 * building the next generation. Creates the db and state directories and
 * an empty first generation if there is none. -EWOULDBLOCK with "store is
 * locked by pid N" in err when the lock stays taken; -EPERM not root or
 * unsafe paths; -EBADMSG `current` missing while generations exist, or
 * older than a generation above base + 1; -errno otherwise (the listing of
 * the generations or the removal of a dead writer's leftovers failed
 * among them), with a message in err. A refusal removes no generation. */
int sv_txn_begin(const struct sv_config *c, struct sv_txn **out, char *err,
		 size_t errlen);

/* Fetch a raw value as the transaction sees it (its own writes included).
 * 0; -ENOENT absent; -EINVAL db not an enum sv_db or a key longer than
 * GDBM takes; -EIO, -ENOMEM. */
int sv_txn_fetch(struct sv_txn *t, enum sv_db db, const void *key, size_t klen,
		 struct sv_blob *val);
/* Iterate the keys starting with prefix, as sv_reader_next_key does.
 * -EINVAL db not an enum sv_db. */
int sv_txn_next_key(struct sv_txn *t, enum sv_db db, char prefix,
		    struct sv_blob *key);
/* Store (replacing) a raw value. Nothing is published before commit.
 * 0; -EINVAL db not an enum sv_db, key or value longer than GDBM takes
 * (INT32_MAX), refused before anything is written; -errno on I/O. */
int sv_txn_store(struct sv_txn *t, enum sv_db db, const void *key, size_t klen,
		 const void *val, size_t vlen);
/* Delete a raw value. 0; -ENOENT if absent; -EINVAL as sv_txn_store. */
int sv_txn_delete(struct sv_txn *t, enum sv_db db, const void *key,
		  size_t klen);
/* Add id to (add) or drop it from the list of credential ids of account
 * in db (credentials.db or pubkeys.db); a list left empty is deleted.
 * Adding an id already listed changes nothing. -EINVAL an empty id or an
 * account name too long for a key; -EBADMSG/-EPROTO the stored list does
 * not decode. */
int sv_txn_idlist_update(struct sv_txn *t, enum sv_db db, const char *account,
			 const char *id, bool add);
/* Typed reads inside a transaction (same contract as the reader's
 * sv_get_account, sv_get_role, sv_get_role_by_gid). */
int sv_txn_get_account(struct sv_txn *t, const char *name, struct sv_blob *blob,
		       struct sv_account *a);
int sv_txn_get_role(struct sv_txn *t, const char *name, struct sv_blob *blob,
		    struct sv_role *role);
int sv_txn_get_role_by_gid(struct sv_txn *t, uint32_t gid, struct sv_blob *blob,
			   struct sv_role *role);

/* The configuration the transaction runs under. */
const struct sv_config *sv_txn_config(const struct sv_txn *t);
/* Generation the transaction is based on (0 if none yet). */
uint64_t sv_txn_base_generation(const struct sv_txn *t);

/* Make the commit build every lookup index from its GDBM file rather than
 * from the base generation's index (svcacct check --repair-index): the
 * rebuilt indexes are published as a new generation, which every reader
 * holding the old one switches to. */
void sv_txn_rebuild_index(struct sv_txn *t);

/* Publish: sync, fsync, rename into place, swap `current`, prune
 * generations beyond keep_generations, release the lock. The transaction is
 * freed whatever the result. On failure nothing is published and the old
 * generation stays current. */
int sv_txn_commit(struct sv_txn *t, uint64_t *new_gen, char *err,
		  size_t errlen);
/* Drop the transaction and release the lock: nothing of it is published,
 * the state dir keeps its files as they were. NULL is fine. */
void sv_txn_abort(struct sv_txn *t);

/* Publish the current generation's content again as a new generation with
 * every lookup index built from its GDBM file (a damaged or missing index
 * is replaced; readers holding the old generation switch to the new one).
 * Same returns as a commit. */
int sv_store_repair_index(const struct sv_config *c, uint64_t *new_gen,
			  char *err, size_t errlen);

/* Whether generation gen's index of db holds exactly the records of its
 * GDBM file (every key and value, the counts, the data checksum), read as
 * root. 0; -ENOENT no index; -EBADMSG it differs or is damaged, and why
 * says how; other -errno (why says what failed). */
int sv_store_verify_index(const struct sv_config *c, uint64_t gen,
			  enum sv_db db, char *why, size_t whylen);

/* Publish a copy of an older generation as a new one (0 = the one before
 * current). Runs under the writer lock. -ENOENT if it no longer exists (or
 * there is no older one), -EINVAL gen is not older than current. What was
 * revoked since that generation is left out of the one published. */
int sv_store_rollback(const struct sv_config *c, uint64_t gen,
		      uint64_t *new_gen, char *err, size_t errlen);

/* ------------------------------------------------------------- state dir */
/* Written only under the writer lock (pass the transaction), published
 * with the transaction's commit. */

/* Record that a credential id is revoked, forever (survives rollback). */
int sv_state_revoke(struct sv_txn *t, const char *id);
/* Record that key material is revoked, by its fingerprint (an OpenSSH
 * "SHA256:..." fingerprint or a JWK thumbprint, at most 128 bytes, no
 * NUL), so that importing or applying it again can be refused. -EINVAL
 * an empty or longer fingerprint. */
int sv_state_revoke_key(struct sv_txn *t, const char *fpr);
/* Whether an id is revoked, as the transaction's state stands (its own
 * revocations included). Fails closed: on error *revoked is true. */
int sv_txn_is_revoked(struct sv_txn *t, const char *id, bool *revoked);
/* The same for a fingerprint (sv_state_revoke_key); -EINVAL one that
 * cannot be one. */
int sv_txn_key_revoked(struct sv_txn *t, const char *fpr, bool *revoked);

/* Reserve the next free UID (or GID) for a new account (role): above every
 * ID ever handed out, within the configured range, not retired.
 * -ENOSPC when the range is exhausted. */
int sv_state_next_id(struct sv_txn *t, bool gid, uint32_t *id);
/* Record an explicitly chosen ID as handed out (for the high-water mark). */
int sv_state_note_id(struct sv_txn *t, bool gid, uint32_t id);
/* Retire an ID of a deleted account or role so it is never reused. */
int sv_state_retire_id(struct sv_txn *t, bool gid, uint32_t id);
/* Whether an ID was retired or handed out before, as the transaction's
 * state stands (its own changes included). 0, or -errno with *retired =
 * true (fail closed). */
int sv_txn_id_retired(struct sv_txn *t, bool gid, uint32_t id, bool *retired);

/* A small file of the state dir (name: a plain file name), e.g. the serial
 * of the last applied manifest. Read: the file must be a regular file owned
 * by root and not group/world writable (-EPERM otherwise); NUL-terminated
 * in buf; -ENOENT if absent, -EFBIG if it does not fit cap - 1 bytes;
 * -EINVAL a name with a '/', a leading '.', 64 bytes or more. */
int sv_state_read_small(struct sv_txn *t, const char *name, char *buf,
			size_t cap, size_t *len);
/* Write: replaced atomically (temp file 0600, fsync, rename, fsync of the
 * directory), at once, not at commit: callers write it before they
 * commit, so a crash can leave the new file with the old generation, never
 * the reverse. Same names as sv_state_read_small. */
int sv_state_write_small(struct sv_txn *t, const char *name, const void *data,
			 size_t len);

/* Test-only crash points in a commit (compiled with --enable-test-hooks):
 * SVCACCT_TEST_CRASH_AT=N makes the Nth step _exit(99). */
#define SV_COMMIT_STEPS 8

#endif
