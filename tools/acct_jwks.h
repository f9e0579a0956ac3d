/* SPDX-License-Identifier: MIT */
/* svcacct(8): an account's JWKS URL credential (SV_CRED_JWKS, one per
 * account): its checks, its operation and its cache (state_dir/jwks/ID.jwks,
 * common/auth/acctjwks.h), fetched as the trusted issuers' sets are
 * (issuer_fetch). acct_jwks.c prints nothing and reads no argv; the verbs
 * are in cmd_jwks.c. */
#ifndef SVCACCT_ACCT_JWKS_H
#define SVCACCT_ACCT_JWKS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "config.h"
#include "store.h"

struct cli;
struct cli_args;
struct cred_scope;
struct sv_txn;

/* The longest URL stored (as a trusted issuer's --jwks-url). */
#define ACCT_JWKS_URL_MAX 255

/* A JWKS URL to store: https:// only, at most ACCT_JWKS_URL_MAX printable
 * ASCII characters without space, a host, no user information (user@)
 * and no fragment. 0 or -EINVAL with the reason in err. */
int acct_jwks_url_check(const char *url, char *err, size_t errlen);
/* A CA file to store: an absolute path of a readable regular file. 0 or
 * -EINVAL with the reason in err. */
int acct_jwks_ca_check(const char *path, char *err, size_t errlen);

/* Fetch url (issuer_fetch: https only, verification on, size and time
 * limits) and keep its usable signing keys in canonical form
 * (issuer_jwks_canon: a set without one is refused). 0 or -errno with the
 * reason in err. */
int acct_jwks_fetch(const char *url, const char *ca_file, json_t **keys,
		    size_t *skipped, char *err, size_t errlen);
/* Replace the cached set of credential id (of account, from url) by keys,
 * atomically (jwks_cache_write). 0 or -errno with the reason in err. */
int acct_jwks_cache_write(const struct sv_config *c, const char *account,
			  const char *id, const char *url, json_t *keys,
			  char *err, size_t errlen);
/* Remove the cached set of credential id, if there is one. */
void acct_jwks_cache_remove(const struct sv_config *c, const char *id);
/* Remove the cached sets of revoked credentials (an account deleted by
 * apply --prune, a removal whose cache could not be deleted): only a
 * revoked ID, so that the set of a credential being added meanwhile is
 * never touched. How many went, or a negative errno. */
int acct_jwks_cache_sweep(const struct sv_config *c);
/* The cache as `key list` shows it: {"status": "ok", "kids": [...],
 * "fetched": TIME} or {"status": "none" | "unsafe" | "stale" |
 * "unreadable"}. */
json_t *acct_jwks_cache_info(const struct sv_config *c, const char *account,
			     const char *id, const char *url);

/* The account's JWKS URL credential, copied out of the store. */
struct jwks_cred {
	char id[SV_CRED_ID_LEN + 1]; /* "" when the account has none */
	char url[ACCT_JWKS_URL_MAX + 1];
	char ca_file[4096];
	char label[129];
	int64_t created, expires;
};
/* The account's JWKS URL credential in t into *out (out->id "" without
 * one). 0 or the store's negative errno. */
int acct_jwks_find(struct sv_txn *t, const char *account,
		   struct jwks_cred *out);
/* Add a JWKS URL credential to the account in t (checked as above; an
 * account that has one already is refused with -EEXIST), with the scope
 * scope (NULL: none, every granted role); the new id in id. 0 or negative
 * errno with the message in cli->err. */
int op_jwks_add(struct cli *cli, struct sv_txn *t, const char *account,
		const char *url, const char *ca_file, const char *label,
		int64_t expires, const struct cred_scope *scope,
		char id[SV_CRED_ID_LEN + 1]);

/* ------------------------------------------------------------ port_jwks.c */
/* The "jwks" section of export and manifests: one object per account
 * that has a JWKS URL, {"account", "jwks_url", "ca_file", "label",
 * "expires"} and its scope when it has one ("roles" by name, "from"), sorted
 * by account; revoked ones left out. NULL with *e on a
 * read error (a reader of accounts.db and credentials.db, root). */
json_t *port_export_jwks(struct sv_reader *rd, int *e);
/* One object of that section, type-checked and checked as key add
 * --jwks-url checks its options (views into o: keep o alive). 0 or
 * -EINVAL with the message in cli->err, prefixed with what. */
struct port_jwks {
	const char *account, *url, *ca_file, *label;
	int64_t expires;
	json_t *roles, *from; /* the scope: arrays of strings, or NULL */
};
int port_jwks_parse(struct cli *cli, json_t *o, const char *what,
		    struct port_jwks *j);
/* Import the section: each entry added in t (op_jwks_add); the caller
 * fetches the sets once t is committed (jwks_fetch_new). 0 or negative
 * errno with the message in cli->err. */
int port_import_jwks(struct cli *cli, struct sv_txn *t, json_t *arr);

/* ------------------------------------------------------------ cmd_jwks.c */
/* After a commit that added JWKS URL credentials (import, apply): fetch
 * and cache the set of each of these accounts. A failure is a warning on
 * stderr (the credential stays; key refresh fetches it later); nothing on
 * stdout. */
void jwks_fetch_new(struct cli *cli, const char *const *accounts, size_t n);
/* key add --jwks-url (key_add hands it over): the set fetched first, then
 * the credential stored, then the set cached. */
int key_add_jwks_url(struct cli *cli, const struct cli_args *args);
/* One row of `key list` for a JWKS URL credential (its --json object),
 * with the LAST USED cell and the last cells (cli_scope_cell: its scope
 * when the table has a SCOPE column, and its label) as the other rows. */
void jwks_list_print(json_t *it, const char *last_used, const char *last);

#endif
