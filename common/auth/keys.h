/* SPDX-License-Identifier: MIT */
/* Public keys for JWT client assertions: import (PEM, JWK, JWKS), binding to
 * exactly one alg, and a stored form that loads fast. Auth side (OpenSSL,
 * jansson).
 *
 * Stored form ("key blob", docs/FORMAT.md): raw public parameters, so that
 * a login builds the key with EVP_PKEY_fromdata (~13 us) instead of
 * decoding PEM (~275 us). */
#ifndef SVCACCT_KEYS_H
#define SVCACCT_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

enum sv_alg {
	SV_ALG_NONE = 0,
	SV_ALG_ES256,
	SV_ALG_ES384,
	SV_ALG_ES512,
	SV_ALG_RS256,
	SV_ALG_RS384,
	SV_ALG_RS512,
	SV_ALG_PS256,
	SV_ALG_PS384,
	SV_ALG_PS512,
	SV_ALG_COUNT
};

#define SV_KID_MAX	128
#define SV_RSA_MIN_BITS 2048
#define SV_RSA_MAX_BITS 8192

/* "ES256" etc.; NULL for SV_ALG_NONE or out of range. */
const char *sv_alg_name(enum sv_alg a);
/* Exact, case-sensitive match; SV_ALG_NONE for anything else ("none",
 * "HS256", "es256"). */
enum sv_alg sv_alg_from_name(const char *name);

/* One imported public key. */
struct sv_key {
	enum sv_alg alg;
	char kid[SV_KID_MAX + 1]; /* given, from the JWK, or the RFC 7638
				     thumbprint */
	uint8_t *blob;		  /* stored form, malloc'd */
	size_t bloblen;
	unsigned bits; /* RSA modulus bits or EC field bits */
};
void sv_key_free(struct sv_key *k);	       /* frees blob, not k */
void sv_keys_free(struct sv_key *k, size_t n); /* frees blobs and array */

/* Import a PEM public key (SubjectPublicKeyInfo or PKCS#1 RSA). alg may be
 * NULL (RSA: RS256; EC: the alg of its curve) or a name that must fit the
 * key. kid may be NULL (thumbprint). Refuses private keys, RSA < 2048 or
 * > 8192 bits, curves other than P-256/P-384/P-521, other key types, and
 * trailing garbage. 0 or -EINVAL with the reason in err. */
int sv_key_import_pem(const char *pem, size_t len, const char *alg,
		      const char *kid, struct sv_key *out, char *err,
		      size_t errlen);

/* Import one JWK (a JSON object). kty EC or RSA; the JWK's "alg" and the
 * alg argument, when both present, must agree; "use" if present must be
 * "sig"; private members (d, p, q, dp, dq, qi, oth) are refused; duplicate
 * JSON keys refused. kid: argument, else the JWK's "kid", else thumbprint. */
int sv_key_import_jwk(const char *json, size_t len, const char *alg,
		      const char *kid, struct sv_key *out, char *err,
		      size_t errlen);

/* Import every key of a JWKS ({"keys":[...]}). All or nothing: any entry
 * that is not an acceptable public signing key refuses the whole set, and
 * so do duplicate kids. *out is a malloc'd array of *n keys. */
int sv_key_import_jwks(const char *json, size_t len, struct sv_key **out,
		       size_t *n, char *err, size_t errlen);

/* Import one JWK given as a jansson object (as sv_key_import_jwk). */
int sv_key_import_jwk_obj(json_t *o, const char *alg, const char *kid,
			  struct sv_key *out, char *err, size_t errlen);

/* Import the signing keys of an identity provider's JWKS: keys for another
 * purpose ("use" other than "sig", kty other than EC/RSA, an alg that is
 * not an asymmetric signature alg we know) are skipped and counted in
 * *skipped; a signing key that does not import (weak RSA, bad encoding)
 * or a duplicate kid refuses the whole set, and so does a set with no
 * usable key left. A key without "alg" gets its curve's alg (EC) or RS256
 * (RSA). *out is a malloc'd array of *n keys. */
int sv_key_import_jwks_usable(const char *json, size_t len, struct sv_key **out,
			      size_t *n, size_t *skipped, char *err,
			      size_t errlen);

/* Build an EVP_PKEY from a stored blob (EVP_PKEY_fromdata) and report its
 * alg. Re-checks the blob as hostile input. 0, -EBADMSG, -ENOMEM. */
int sv_key_load(const uint8_t *blob, size_t len, EVP_PKEY **out,
		enum sv_alg *alg);

/* Whether a key fits an alg: ES256/P-256, ES384/P-384, ES512/P-521,
 * RSxxx and PSxxx: RSA of 2048..8192 bits. */
bool sv_key_fits_alg(EVP_PKEY *pk, enum sv_alg alg);

/* A stored blob as a public JWK object (kty, crv/x/y or n/e, alg, kid,
 * use=sig), for export and `key list --json`. NULL on error. */
json_t *sv_key_blob_to_jwk(const uint8_t *blob, size_t len, const char *kid);

/* A stored blob as PEM (SubjectPublicKeyInfo), malloc'd NUL-terminated. */
char *sv_key_blob_to_pem(const uint8_t *blob, size_t len);

/* RFC 7638 JWK thumbprint (SHA-256, base64url, 43 chars + NUL). */
int sv_key_thumbprint(const uint8_t *blob, size_t len, char out[44]);

#endif
