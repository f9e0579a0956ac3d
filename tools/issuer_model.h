/* SPDX-License-Identifier: MIT */
/* Trusted issuers in the admin tool: the owned form of an issuer record,
 * its JSON shape (what `svcacct --json issuer show` prints, docs/CLI.md),
 * and changes inside an open transaction, for `svcacct issuer` and for
 * declarative state (`svcacct apply`), which call the same functions. */
#ifndef SVCACCT_ISSUER_MODEL_H
#define SVCACCT_ISSUER_MODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cli.h"

struct issuer {
	char *name, *issuer, *audience, *jwks_url, *ca_file;
	uint8_t client_claim; /* enum sv_client_claim */
	uint32_t max_lifetime;
	int64_t created, updated;
	struct strv roles_claims;
	struct strv client_remote, client_local; /* parallel */
	struct strv role_remote, role_local;	 /* parallel */
};
void issuer_free(struct issuer *x);
/* Remove the i-th string of a list (i < n). */
void strv_del_at(struct strv *s, size_t i);

/* Load (-ENOENT if absent, -EBADMSG/-EPROTO if corrupt) or save an issuer
 * inside t. Saving writes 'i' NAME and 'j' ISS, and removes the 'j' entry
 * of old_iss when the issuer URL changed (old_iss NULL: a new issuer). */
int txn_load_issuer(struct sv_txn *t, const char *name, struct issuer *x);
int txn_save_issuer(struct sv_txn *t, const struct issuer *x,
		    const char *old_iss);
/* Remove 'i' NAME and its 'j' entry. -ENOENT if absent. */
int txn_delete_issuer(struct sv_txn *t, const char *name);
/* Names of every issuer in t (sorted). */
int txn_issuer_names(struct sv_txn *t, struct strv *out);
/* The same from a reader. */
int reader_load_issuer(struct sv_reader *rd, const char *name,
		       struct issuer *x);
int reader_issuer_names(struct sv_reader *rd, struct strv *out);

/* Check every field and every reference inside t: name, URLs (the JWKS
 * URL https:// only), audience, client claim, roles claim paths, lifetime,
 * the mapped accounts and roles exist, no duplicate mapping, no other
 * issuer with the same "iss". t NULL: the fields alone (before the lock
 * is taken). 0 or -EINVAL/-EEXIST/-ENOENT with the message in
 * cli->err. */
int issuer_validate(struct cli *cli, struct sv_txn *t, const struct issuer *x);

/* The JSON shape of docs/CLI.md. state_dir: also "jwks_cache" (what is
 * cached: kids, source, fetched); NULL leaves it out. */
json_t *issuer_to_json(const struct issuer *x, const struct sv_config *state);
/* Parse that shape (created, updated and jwks_cache are ignored, any other
 * unknown member is refused). Values are not checked against the store
 * here (issuer_validate does). *jwks: the optional "jwks" member (a JWKS
 * document to cache along), a new reference or NULL. 0 or -EINVAL with a
 * message in err. */
int issuer_from_json(json_t *o, struct issuer *x, json_t **jwks, char *err,
		     size_t errlen);

/* For apply: add the issuer described by the JSON object o in t, or
 * replace the one of that name (replace=true; its created time is kept).
 * Validates as above; the cached JWKS is not touched (the caller runs a
 * refresh, or writes o's "jwks" with issuer_cache_write after the
 * commit). 0 or -errno with the message in cli->err. */
int issuer_txn_put_json(struct cli *cli, struct sv_txn *t, json_t *o,
			bool replace);
/* For apply: remove an issuer in t. */
int issuer_txn_remove(struct cli *cli, struct sv_txn *t, const char *name);
/* For apply/export: one issuer of t as JSON (without jwks_cache), NULL if
 * absent or unreadable. */
json_t *issuer_txn_dump(struct sv_txn *t, const char *name);

/* Drop every client map to account (non-NULL) and every role map to role
 * (non-NULL) in every issuer of t: account delete and role delete call it,
 * so that a later account or role of the same name inherits nothing. */
int txn_issuers_forget(struct sv_txn *t, const char *account, const char *role);

/* For svcacct export: every issuer as above, without created, updated and
 * jwks_cache; with_keys (root): each with "jwks", its cached set, if any. */
json_t *issuers_export(struct sv_reader *rd, const struct sv_config *c,
		       bool with_keys);
/* For svcacct import: add the issuers of an export in t (after its roles
 * and accounts); then, after the commit, cache the "jwks" they carry.
 * -errno with the message in cli->err (naming issuers[i]). */
int issuers_import(struct cli *cli, struct sv_txn *t, json_t *arr);
void issuers_import_keys(struct cli *cli, json_t *arr);
/* For svcacct check: one string per problem (a record that does not decode
 * or name itself, an 'j' index that disagrees, a map to an account or role
 * that does not exist). */
json_t *issuers_problems(struct sv_reader *rd);

/* ------------------------------------------------------ issuer_fetch.c */
/* Fetch a JWKS over HTTPS with libcurl: https only (also for redirects,
 * at most 3), certificate and host name verified (ca_file, if not NULL or
 * empty, replaces the system CAs), 10 s to connect, 30 s in all, at most
 * SV_ISSUER_JWKS_MAX bytes, HTTP 200 only. *body malloc'd. 0 or -errno
 * with the reason in err. */
int issuer_fetch(const char *url, const char *ca_file, char **body, size_t *len,
		 char *err, size_t errlen);
/* Validate a JWKS document (sv_key_import_jwks_usable) and return its
 * usable keys in canonical form (kty, crv/x/y or n/e, alg, kid, use) as a
 * JSON array. 0 or -EINVAL with the reason in err. */
int issuer_jwks_canon(const char *body, size_t len, json_t **keys,
		      size_t *skipped, char *err, size_t errlen);
/* Replace state_dir/issuers/NAME.jwks atomically (temporary file, fsync,
 * rename, fsync of the directory), root's, 0600. 0 or -errno. */
int issuer_cache_write(const struct sv_config *c, const char *name,
		       const char *iss, const char *source, json_t *keys,
		       char *err, size_t errlen);
/* Remove the cached set (after the issuer was removed). */
void issuer_cache_remove(const struct sv_config *c, const char *name);
/* The writer under both: replace state_dir/DIR/NAME.jwks (NAME at most
 * 64 characters, a safe file name the caller checked) with doc, in the
 * same way; the directory is made 0700 if missing and must be root's and
 * not writable by others (sv_state_subdir_open). 0 or -errno with the
 * reason in err. */
int jwks_cache_write(const struct sv_config *c, const char *dir,
		     const char *name, json_t *doc, char *err, size_t errlen);
/* Remove state_dir/DIR/NAME.jwks if it is there. */
void jwks_cache_remove(const struct sv_config *c, const char *dir,
		       const char *name);

#endif
