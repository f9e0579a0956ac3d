/* SPDX-License-Identifier: MIT */
/* JWT client assertions (RFC 7523, OIDC private_key_jwt) as compact JWS,
 * verified with OpenSSL directly against a key rebuilt from its stored raw
 * parameters. Auth side (OpenSSL, jansson).
 *
 * Nothing here trusts the token: the caller checks in this order and stops
 * at the first failure, each with a fixed reason code for the log:
 *   sv_jws_split          length cap and lexical form: exactly three
 *                         non-empty base64url segments, nothing else
 *   sv_jws_parse_header   JSON object, no duplicate keys, "alg" a known
 *                         asymmetric alg (never "none" or HS*), no crit /
 *                         jku / x5u / jwk / x5c / cty / zip / b64, typ
 *                         absent or "JWT", kid a bounded string
 *   (caller)              picks the key by kid among the account's own,
 *                         header alg == key alg exactly, key fits the alg
 *   sv_jws_verify         the signature, with the alg of the key
 *   sv_jws_parse_claims   JSON object, no duplicate keys, every claim's
 *                         JSON type
 *   sv_claims_check       iss, sub, aud, exp, iat, nbf, lifetime, skew
 * Why libjwt is not used at all: the checks above are what libjwt 1.10 lacks
 * (duplicate keys, claim types, trailing bytes, curves, empty keys,
 * stack-allocated decoding of huge tokens); with them done here, libjwt's
 * remaining work is the signature, which OpenSSL does faster from the raw
 * key (no PEM round trip). One less parser of hostile input on the login
 * path. */
#ifndef SVCACCT_ASSERTION_H
#define SVCACCT_ASSERTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "keys.h"
#include "replay.h"

#define SV_JWS_HEADER_MAX 4096 /* bytes of base64url header */

struct sv_jws {
	const char *tok; /* the token (borrowed) */
	size_t hlen;	 /* header segment: tok[0, hlen) */
	size_t plen;	 /* payload: tok[hlen + 1, hlen + 1 + plen) */
	const char *sig; /* signature segment */
	size_t slen;
	json_t *header; /* owned */
	json_t *claims; /* owned */
	/* the claims failed to decode once: a failure (an allocation among
	 * them) is final, never retried into a different answer */
	bool claims_failed;
	enum sv_alg alg;
	bool has_kid;
	char kid[SV_KID_MAX + 1];
};

/* Claims after their types were checked; views into jws->claims. */
struct sv_claims {
	const char *iss, *sub, *aud, *jti, *scope;
	size_t iss_len, sub_len, aud_len, jti_len, scope_len;
	int64_t exp, iat, nbf;
	bool has_nbf, has_scope;
};

/* Lexical check and split (no decoding yet). maxlen is the cap
 * (max_credential_length). 0, or -EINVAL with *reason "too_long" or
 * "malformed". */
int sv_jws_split(const char *tok, size_t len, size_t maxlen, struct sv_jws *j,
		 const char **reason);

/* sv_jws_parse_header flags. SV_JWS_ACCESS_TOKEN: an IdP's access token
 * (issuer.h): "typ" may also be "at+jwt", "application/at+jwt" (RFC 9068)
 * or "Bearer". */
#define SV_JWS_ACCESS_TOKEN 0x1u

/* Decode and check the protected header. 0 or -EINVAL with *reason one of
 * bad_header, alg_refused, forbidden_header, bad_typ, bad_kid. */
int sv_jws_parse_header(struct sv_jws *j, unsigned flags, const char **reason);

/* Decode one base64url segment as a JSON object, duplicate keys refused.
 * NULL if it is not base64url, not JSON or not an object. */
json_t *sv_jws_load_segment(const char *p, size_t n);

/* Decode the payload into j->claims (once; later calls keep it, or keep
 * failing: a failed decode is never retried). 0 or
 * -EINVAL with *reason bad_claims. The issuer path reads "iss" before the
 * signature is checked (to know whose keys verify it); everything else is
 * read only after. */
int sv_jws_decode_claims(struct sv_jws *j, const char **reason);

/* One claim of o with its JSON type checked: a string (views into o), or a
 * NumericDate (an integer in [0, 2^40]). Absent: *p NULL / *has false, and
 * -EINVAL "missing_claim" if required; wrong type: -EINVAL
 * "bad_claim_type". */
int sv_claim_string(json_t *o, const char *k, const char **p, size_t *n,
		    bool required, const char **reason);
/* The same for a NumericDate: *t, or *has false when absent. */
int sv_claim_time(json_t *o, const char *k, int64_t *t, bool *has,
		  bool required, const char **reason);

/* A jti we store and log: 1..SV_JTI_MAX printable ASCII, no space. */
bool sv_jti_valid(const char *p, size_t n);

/* sv_jws_parse_header with another accepted "typ" (absent, or exactly typ):
 * the same checks, for JWS that are not client assertions (signed
 * manifests, typ "svcacct-manifest"), so that one kind of token is never
 * taken for the other. */
int sv_jws_parse_header_typ(struct sv_jws *j, const char *typ,
			    const char **reason);

/* The payload decoded as a JSON object, duplicate keys refused (call only
 * after sv_jws_verify succeeded: it is attacker data until then). New
 * reference, or NULL when it is not base64url of a JSON object. */
json_t *sv_jws_payload_object(const struct sv_jws *j);

/* Verify the signature with pk under alg (the registered key's, already
 * compared with the header's). 0; -EACCES bad signature (wrong length or
 * not valid); -ENOMEM/-EIO. */
int sv_jws_verify(const struct sv_jws *j, EVP_PKEY *pk, enum sv_alg alg);

/* Verify the signature with a registered key blob (keys.h) whose alg the
 * caller has already compared with the header's j->alg: NULL when it
 * verifies, else the reason: bad_key (unreadable, or of another alg),
 * key_unfit, verify_error (-ENOMEM/-EIO), bad_signature. */
const char *sv_jws_verify_blob(const struct sv_jws *j, const uint8_t *blob,
			       size_t len);

/* Decode the payload and type-check the claims. 0 or -EINVAL with *reason
 * bad_claims (not JSON, duplicate keys, not an object), bad_claim_type,
 * missing_claim, bad_jti. */
int sv_jws_parse_claims(struct sv_jws *j, struct sv_claims *cl,
			const char **reason);

struct sv_claim_rules {
	const char *account;
	const char *const *audiences;
	size_t n_audiences;
	int64_t now;
	unsigned max_lifetime, skew;
};

/* Check the claims' values. 0 or -EACCES with *reason bad_iss, bad_sub,
 * bad_aud, expired, not_yet_valid, iat_future, lifetime_too_long. */
int sv_claims_check(const struct sv_claims *cl,
		    const struct sv_claim_rules *rules, const char **reason);

/* Release what sv_jws_split and the decoders hold in j. Idempotent. */
void sv_jws_free(struct sv_jws *j);

#endif
