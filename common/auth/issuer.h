/* SPDX-License-Identifier: MIT */
/* Trusted issuers: access tokens of an OIDC identity provider (Keycloak's
 * service accounts, client_credentials grant) as credentials of service
 * accounts. Auth side (OpenSSL, jansson); no network I/O ever: the keys
 * come from the JWKS that `svcacct issuer refresh` cached in the state
 * directory.
 *
 * Where things live (docs/FORMAT.md):
 *   accounts.db  'i' NAME -> issuer record (kind 'I': issuer URL, audience,
 *                client claim, roles claims, client and role maps)
 *                'j' ISS  -> NAME (the token's "iss" finds its issuer)
 *   state_dir/issuers/NAME.jwks  the last good JWKS, canonical JSON
 *
 * A token is an issuer token when its "iss" contains ':' (an account name
 * never does, so a self-minted assertion can never be mistaken for one) or
 * names a configured issuer. The checks, in order, each with its reason:
 *   lexical form, header (typ JWT/at+jwt/Bearer, no crit/jku/x5u/jwk/x5c,
 *   alg asymmetric)                            as assertion.h
 *   iss names a configured issuer              unknown_issuer
 *   the issuer's cached JWKS                   jwks_unavailable
 *   key by kid (or by alg without kid)         unknown_kid / alg_mismatch
 *   key fits alg, signature                    key_unfit / bad_signature
 *   claim types; typ claim "Bearer" if any     bad_claim_type, bad_token_type
 *   aud (string or array) has the audience     bad_aud
 *   exp (required), nbf, iat, lifetime, skew   expired, not_yet_valid, ...
 *   client claim maps to the PAM user          missing_client, unmapped_client,
 *                                              client_other_account
 *   roles: mapped remote roles n granted       no_mapped_role, bad_roles_claim
 *   single-use: the jti, or without one the    bad_jti; the login
 *   SHA-256 of header.payload, as the replay   records it (login.h):
 *   key                                        replay, replay_quota,
 *                                              replay_cache_error */
#ifndef SVCACCT_ISSUER_H
#define SVCACCT_ISSUER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "codec.h"
#include "config.h"
#include "keys.h"
#include "policy.h"
#include "replay.h"
#include "store.h"
struct sv_jws;

#define SV_ISSUER_NAME_MAX	   64
#define SV_ISSUER_URL_MAX	   255
#define SV_ISSUER_FIELD_MAX	   255 /* audience, client ids, remote roles */
#define SV_ISSUER_PATH_MAX	   255 /* a roles claim path */
#define SV_ISSUER_JWKS_MAX	   (1u << 20) /* bytes of a JWKS, fetched or cached */
#define SV_ISSUER_DEFAULT_LIFETIME 3600

/* Issuer names: [a-z0-9][a-z0-9_.-]{0,63} (a file name in the state dir). */
bool sv_issuer_name_valid(const char *s);
/* An "iss", audience, client id or remote role: 1..max printable ASCII
 * characters, no space. */
bool sv_issuer_token_valid(const char *s, size_t max);

/* "azp", "client_id", "sub", "clientId"; 0 for anything else. */
uint8_t sv_client_claim_from_name(const char *s);
/* The claim's name of a SV_CLIENT_* value; NULL for anything else. */
const char *sv_client_claim_name(uint8_t c);

/* A roles claim path: dot-separated member names, "\." a literal dot and
 * "\\" a backslash, 1..8 non-empty segments (realm_access.roles,
 * resource_access.my\.client.roles, scope). 0 or -EINVAL with a message. */
int sv_issuer_path_check(const char *path, char *err, size_t errlen);
/* The value at a path in a JSON object (borrowed), NULL if absent. */
json_t *sv_issuer_path_get(json_t *obj, const char *path, size_t len);

/* Look an issuer up by name or by iss in a reader. The record's views point
 * into *blob. 0, -ENOENT, -EBADMSG/-EPROTO, -EIO. */
int sv_get_issuer(struct sv_reader *r, const char *name, struct sv_blob *blob,
		  struct sv_issuer *x);
/* The same by the issuer's "iss" (isslen bytes, through the 'j' index);
 * an index that disagrees with its record is -EBADMSG. */
int sv_get_issuer_by_iss(struct sv_reader *r, const char *iss, size_t isslen,
			 struct sv_blob *blob, struct sv_issuer *x);

/* The cached JWKS of an issuer: state_dir/issuers/NAME.jwks, opened
 * without following links, owned by root, not writable by group or others,
 * at most SV_ISSUER_JWKS_MAX bytes, format "svcacct-jwks" version 1, its
 * "issuer" equal to iss (so a set cached for another IdP under the same
 * name is never used). *out is the whole document (caller decrefs).
 * 0; -ENOENT none cached; -EPERM unsafe file; -EBADMSG malformed. */
int sv_issuer_jwks_load(const struct sv_config *c, const char *name,
			const char *iss, json_t **out);

/* Verify the token j with the key of a cached set's "keys" that its header
 * selects: the one of its kid, or without kid each key of its alg in turn,
 * at most tried_max. A key must import (else the reason is unfit), have
 * j's alg exactly, not be revoked (revoked may be NULL; it is asked with
 * ctx) and verify the signature. true when one did: *reason "ok", and its
 * kid, when it has one, copied into kid (kidcap bytes; kid may be NULL).
 * false: *reason says why ("unknown_kid" or "alg_mismatch" when no key
 * was tried). Shared by the issuer and the account JWKS URL logins. */
bool sv_jwks_verify(json_t *keys, const struct sv_jws *j, size_t tried_max,
		    const char *unfit,
		    bool (*revoked)(void *ctx, const struct sv_key *k),
		    void *ctx, const char **reason, char *kid, size_t kidcap);

/* What the login asks of an issuer token: whose login it is, when. */
struct sv_issuer_query {
	const struct sv_config *cfg;
	struct sv_reader *rd; /* accounts.db */
	const char *user;     /* the account logging in */
	int64_t now;
	const struct sv_roleset *granted; /* that account's granted roles */
};

/* What a verified issuer token says: the facts the login acts on. Issuer
 * verification changes nothing else (no login state, no replay cache). */
struct sv_issuer_facts {
	const char *reason;		     /* fixed reason code, "ok" */
	char issuer[SV_ISSUER_NAME_MAX + 1]; /* once "iss" named one */
	char account[SV_NAME_MAX + 1];	     /* the client claim maps to */
	char kid[SV_KID_MAX + 1];	     /* of the key that verified it */
	char jti[SV_JTI_MAX + 1];	     /* the token's, "" without */
	/* the token's key in the account's replay cache, in the issuer's
	 * namespace: "issuer:" NAME ":" JTI, or without a jti
	 * "issuer:" NAME ": sha256:" HEX of the signing input */
	char replay_key[SV_JTI_MAX + 1];
	size_t replay_key_len;
	int64_t exp, iat;	     /* iat 0 when absent */
	struct sv_roleset effective; /* mapped remote roles n granted */
};

enum sv_issuer_status {
	SV_ISSUER_NOT_ISSUER = 0, /* not an issuer token: nothing decided */
	SV_ISSUER_OK,		  /* every check passed; f holds the facts */
	SV_ISSUER_DENY,		  /* refused: f->reason */
	SV_ISSUER_UNAVAIL,	  /* store or cached JWKS unusable */
};

/* Verify a token that may come from a trusted issuer, every check of the
 * list above except the replay cache, which is the login's (the token's
 * replay key is in f). NOT_ISSUER when its "iss" names no issuer form (the
 * caller goes on with the client assertion checks). Otherwise f->reason is
 * set, f->issuer once the issuer is known, and on OK every fact. j is the
 * split token, owned by the caller: its claims, decoded here to read
 * "iss", are left in it for the assertion path to use (a second parse of
 * the same bytes would cost a login as much as the routing itself). */
enum sv_issuer_status sv_issuer_verify(const struct sv_issuer_query *q,
				       struct sv_jws *j,
				       struct sv_issuer_facts *f);

#endif
