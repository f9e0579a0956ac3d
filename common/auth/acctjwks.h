/* SPDX-License-Identifier: MIT */
/* An account's assertion keys from a JWKS URL: a credential of type
 * SV_CRED_JWKS (its "url" and "ca_file"), whose set `svcacct key refresh`
 * fetches and caches; a login reads only the cache, never the network.
 * Auth side (OpenSSL, jansson).
 *
 * Where things live (docs/FORMAT.md):
 *   credentials.db  'c' ID -> credential record (type 4: url, ca_file)
 *   state_dir/jwks/ID.jwks  the last good set, canonical JSON: format
 *                "svcacct-jwks" version 1, "account", "credential" (ID),
 *                "source" (the URL), "fetched", "keys"
 *
 * The checks of an assertion verified with such a key, with their reasons
 * (the header and the claims are checked as for registered keys):
 *   the credential revoked or expired          revoked, credential_expired
 *   the cached set                             jwks_unavailable
 *   key by kid (or by alg without kid)         unknown_kid, alg_mismatch
 *   the key's RFC 7638 thumbprint revoked      revoked
 *   key fits alg, signature                    key_unfit, bad_signature
 *   the credential's scope (sv_login_cred_scope) source_not_allowed */
#ifndef SVCACCT_ACCTJWKS_H
#define SVCACCT_ACCTJWKS_H

#include <jansson.h>

#include "config.h"
#include "login.h"

struct sv_jws;

/* The state dir's subdirectory of the account JWKS caches. */
#define SV_ACCT_JWKS_DIR "jwks"

/* A cached JWKS file: STATE_DIR/dir/fn (through sfd, an open state dir,
 * or c->state_dir when sfd < 0), opened without following links, a
 * regular file of root's not writable by group or others, at most
 * SV_ISSUER_JWKS_MAX bytes, format "svcacct-jwks" version 1 with a "keys"
 * array. *out is the whole document (caller decrefs). 0; -ENOENT none
 * cached; -EPERM unsafe directory or file; -EBADMSG malformed. */
int sv_jwks_cache_read(const struct sv_config *c, int sfd, const char *dir,
		       const char *fn, json_t **out);

/* The cached set of the JWKS credential id (16 hex digits) of account:
 * as sv_jwks_cache_read, and its "account", "credential" and "source"
 * equal to account, id and url (a file of another credential or URL is
 * -ESTALE, never used). */
int sv_acct_jwks_load(const struct sv_config *c, int sfd, const char *id,
		      const char *account, const char *url, json_t **out);

/* Verify the assertion j (header parsed, claims not yet checked) with the
 * cached set of the account's JWKS credential id, every check of the list
 * above; l->cred_id and l->cred_expires are the credential's, and its scope
 * is recorded for sv_login_cred_narrow (as a registered key's). OK, DENY or
 * UNAVAIL (store or cache unusable) with l->reason. */
enum sv_login_status sv_login_jwks(struct sv_login *l, const struct sv_jws *j,
				   const char *id);

#endif
