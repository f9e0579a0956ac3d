/* SPDX-License-Identifier: MIT */
/* The writer's record model: owned, mutable forms of accounts and roles,
 * and typed operations that change them inside a transaction. Each
 * operation writes every key its record owns (docs/FORMAT.md, section 2)
 * and keeps the consistency rules there, so that no caller builds a store
 * key. Every function returns 0 or -errno; on failure the transaction may
 * hold part of the change and must be aborted. */
#ifndef SVCACCT_MODEL_H
#define SVCACCT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "store.h"
#include "txn.h"

/* A growable array of owned strings. */
struct strv {
	char **v;
	size_t n, cap;
};
void strv_free(struct strv *s);
/* Append a copy of x. -ENOMEM. */
int strv_add(struct strv *s, const char *x);
bool strv_has(const struct strv *s, const char *x);
/* Remove the first x; whether there was one. */
bool strv_del(struct strv *s, const char *x);
/* Append a copy of each string of a record's list. -ENOMEM. */
int strv_add_list(struct strv *s, const struct sv_list *l);

/* An account record, owned. roles: the GIDs of its granted roles. */
struct acct {
	char *name;
	uint32_t uid;
	uint32_t flags;
	int64_t created, updated, expires;
	char *description, *owner, *home, *shell;
	uint32_t *roles;
	size_t nroles;
	uint32_t methods; /* SV_ACCT_METHOD_* allowed; 0 = all */
};
/* A role record, owned. */
struct role {
	char *name;
	uint32_t gid;
	int64_t created, updated;
	char *description;
	struct strv services, sources, commands, members;
};
void acct_free(struct acct *a);
void role_free(struct role *r);
/* Copy a decoded record (views) into an owned one. -ENOMEM. */
int acct_from_rec(struct acct *a, const struct sv_account *rec);
int role_from_rec(struct role *r, const struct sv_role *rec);

/* ------------------------------------------------------------- accounts */

/* Load the account of that name as the transaction sees it. -ENOENT if
 * absent, -EBADMSG/-EPROTO for a record that does not decode. */
int sv_model_account_load(struct sv_txn *t, const char *name, struct acct *a);
/* Add a new account: its record ('a' + name) and its UID index ('u' +
 * UID). With members, a->name is added to the member list of each role in
 * a->roles (updated = a->created), which must all exist (-ENOENT); without,
 * the caller writes those member lists itself (a bulk import writes each
 * role once). -EEXIST if the name or the UID is already taken. */
int sv_model_account_create(struct sv_txn *t, const struct acct *a,
			    bool members);
/* Rewrite an existing account's record and UID index. The name and UID
 * never change; its roles change through sv_model_grant and
 * sv_model_set_roles only. -ENOENT if
 * there is no account of that name. */
int sv_model_account_update(struct sv_txn *t, const struct acct *a);
/* Delete an account: its record and UID index, its name from the member
 * lists of its roles (a role without a record is skipped), every
 * credential its lists name in credentials.db and pubkeys.db (deleted and
 * revoked for good, as sv_model_cred_remove; their count in *ncreds if
 * non-NULL), and retire its UID. Any error leaves the rest undone: the
 * caller aborts, so an account never goes with its credentials left
 * unrevoked. */
int sv_model_account_delete(struct sv_txn *t, const struct acct *a, int64_t now,
			    size_t *ncreds);
/* Whether a UID (gid false) or GID is taken by a record in the
 * transaction's generation. */
bool sv_model_id_taken(struct sv_txn *t, bool gid, uint32_t id);

/* ---------------------------------------------------------------- roles */

/* Load the role of that name / GID. Same returns as
 * sv_model_account_load. */
int sv_model_role_load(struct sv_txn *t, const char *name, struct role *x);
int sv_model_role_load_gid(struct sv_txn *t, uint32_t gid, struct role *x);
/* The same from a reader (svcacct role list and show). */
int sv_model_reader_role_load(struct sv_reader *rd, const char *name,
			      struct role *x);
/* Add a new role: its record ('r' + name) and GID index ('g' + GID).
 * -EEXIST if the name or the GID is already taken. Its member list is
 * written as given (sv_model_account_create without members). */
int sv_model_role_create(struct sv_txn *t, const struct role *x);
/* Rewrite an existing role's record and GID index. -ENOENT if there is no
 * role of that name. */
int sv_model_role_update(struct sv_txn *t, const struct role *x);
/* Delete a role: its GID out of the role list of each member (an account
 * that cannot be loaded is skipped; the others get updated = now), its
 * record and GID index, and retire its GID. */
int sv_model_role_delete(struct sv_txn *t, const struct role *x, int64_t now);

/* The base role "svcacct" (docs/FORMAT.md, section 2): held by every
 * account, never created or deleted; its services, sources and commands
 * are in one record of its own. Load it as the transaction (or reader)
 * sees it: gid = base_gid of the configuration, no members (they are
 * implicit), and, without a record, empty lists and description with
 * created = updated = 0. -EBADMSG/-EPROTO for a record that is not a
 * valid base role record. */
int sv_model_base_role_load(struct sv_txn *t, struct role *x);
int sv_model_reader_base_role_load(struct sv_reader *rd, struct role *x);
/* Write the base role's record from x's description, lists and times
 * (its name, GID and members are not stored). */
int sv_model_base_role_save(struct sv_txn *t, const struct role *x);

/* Grant (grant true) or revoke the role of GID gid to account *a, keeping
 * the account's roles and the role's members in step (docs/FORMAT.md,
 * rule 3): a granted GID is appended to a->roles, a revoked one removed
 * in place; the role's member list gains or loses a->name (its updated =
 * now when it changes); a->updated = now and the account record is
 * rewritten. Nothing happens, and *changed is false, when the account
 * already holds (grant) or lacks (revoke) the role. -ENOENT when the role
 * has no record, with nothing changed. */
int sv_model_grant(struct sv_txn *t, struct acct *a, uint32_t gid, bool grant,
		   int64_t now, bool *changed);
/* Replace the roles of account *a with those of gids (in their order, a
 * GID given twice once), keeping the roles' member lists as revoking every
 * held role and then granting the new ones with sv_model_grant would: a
 * role it loses drops a->name, one it keeps has a->name moved to the end
 * of its members, one it gains has it added; each role that changes is
 * rewritten once with updated = now. a->roles and a->updated = now change
 * in memory only: the caller writes the account record, once, with
 * sv_model_account_update. -ENOENT when a role has no record (the caller
 * aborts; *a is then unchanged). */
int sv_model_set_roles(struct sv_txn *t, struct acct *a, const uint32_t *gids,
		       size_t n, int64_t now);

/* ---------------------------------------------------------- credentials */

/* Store a credential record in db (credentials.db or pubkeys.db) and add
 * its id to its account's list. The record is bound here, and only here,
 * to the UID of the account of that name in this very transaction, so no
 * caller can bind it to anything else: -ENOENT without such an account,
 * -EINVAL for an account name that cannot be one. */
int sv_model_cred_add(struct sv_txn *t, enum sv_db db, const struct sv_cred *c);
/* Delete a credential record, drop it from its account's list and revoke
 * it for good: its id (a rollback cannot bring it back) and, for a public
 * key, its fingerprint (import and apply refuse the material again). A
 * listed id without a record is dropped and revoked too; a record that
 * does not decode goes, only its material cannot be named. */
int sv_model_cred_remove(struct sv_txn *t, enum sv_db db, const char *account,
			 const char *id);
/* Rotate the account's credential old_id in db: in t, a successor that is
 * a copy of its record, every field, with only id and material (and, for
 * a public key, kid and alg) taken from fresh, created = now and expires
 * the old one's lifetime counted from now (0 stays never); the old one's
 * expiry becomes min(its expiry, grace_end). The new expiry in *new_exp,
 * the old one's in *old_exp. -ENOENT when the account has no credential
 * old_id of fresh->type (sv_model_each_cred's rule: its own, bound to
 * it), -EEXIST when fresh->id is taken; nothing is written then. The
 * caller checks revocation and the fresh material. */
int sv_model_cred_rotate(struct sv_txn *t, enum sv_db db, const char *account,
			 const char *old_id, const struct sv_cred *fresh,
			 int64_t now, int64_t grace_end, int64_t *new_exp,
			 int64_t *old_exp);
/* The one walk over an account's credentials in db inside a transaction:
 * fn gets each credential its list names whose record exists, decodes and
 * is bound to the account (sv_cred_bound_to, the readers' rule), in list
 * order. The list is copied first, so fn may add or remove credentials.
 * No account or no list: 0 without a call. A non-zero return from fn
 * stops the walk and is returned; so is the error of a record that does
 * not decode (-EBADMSG, -EPROTO) or cannot be read. */
typedef int (*sv_model_cred_fn)(const struct sv_cred *c, void *ctx);
int sv_model_each_cred(struct sv_txn *t, enum sv_db db, const char *account,
		       sv_model_cred_fn fn, void *ctx);

/* The revocation fingerprint of a public key credential: an OpenSSH key's
 * "SHA256:..." fingerprint (its kid), an assertion key's "jwk:" + RFC 7638
 * thumbprint. -ENOENT for a secret, -EBADMSG for a damaged record. */
#define SV_CRED_FPR_MAX 160
int sv_cred_fingerprint(const struct sv_cred *c, char out[SV_CRED_FPR_MAX]);

/* --------------------------------------------------------------- walks */

/* The kinds of record a walk visits (each a key prefix of docs/FORMAT.md,
 * section 2). */
enum sv_rec_kind {
	SV_REC_ACCOUNT, /* accounts.db: account records, by name */
	SV_REC_ROLE,	/* accounts.db: role records, by name */
	SV_REC_ISSUER,	/* accounts.db: trusted issuer records, by name */
	SV_REC_ISS,	/* accounts.db: the issuers' index, by iss */
	SV_REC_CRED,	/* credentials.db, pubkeys.db: records, by id */
};
/* The next record of a kind in db (hash order), as sv_reader_next_key:
 * *key starts as {NULL, 0} and holds the record's key (for
 * sv_reader_fetch / sv_txn_fetch), *name a view into it of the name, id
 * or iss the key carries. 0, -ENOENT at the end, other -errno. */
int sv_model_reader_next(struct sv_reader *rd, enum sv_db db,
			 enum sv_rec_kind kind, struct sv_blob *key,
			 struct sv_str *name);
int sv_model_txn_next(struct sv_txn *t, enum sv_db db, enum sv_rec_kind kind,
		      struct sv_blob *key, struct sv_str *name);
/* The names of every record of a kind of accounts.db in the transaction
 * (rd NULL) or in a reader (t NULL), appended to *out, sorted. */
int sv_model_names(struct sv_txn *t, struct sv_reader *rd,
		   enum sv_rec_kind kind, struct strv *out);
/* The UID (gid false) or GID index entry: the raw name it points to, for
 * svcacct check. Same returns as sv_reader_fetch. */
int sv_model_reader_id_index(struct sv_reader *rd, bool gid, uint32_t id,
			     struct sv_blob *name);

/* ------------------------------------------------------------- issuers */

/* Trusted issuer records (docs/FORMAT.md, kind I): encoded by the caller,
 * keyed here. Fetch the raw record of the issuer of that name (-ENOENT if
 * absent or a name no key can hold). */
int sv_model_issuer_fetch(struct sv_txn *t, const char *name,
			  struct sv_blob *rec);
int sv_model_reader_issuer_fetch(struct sv_reader *rd, const char *name,
				 struct sv_blob *rec);
/* Store the record of issuer name with the iss index entry naming it;
 * when old_iss (non-NULL) differs from iss, its index entry goes. */
int sv_model_issuer_put(struct sv_txn *t, const char *name, const char *iss,
			const struct sv_buf *rec, const char *old_iss);
/* Remove the issuer's iss index entry (if there) and its record (-ENOENT
 * if absent). */
int sv_model_issuer_delete(struct sv_txn *t, const char *name, const char *iss);

#endif
