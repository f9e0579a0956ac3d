/* SPDX-License-Identifier: MIT */
/* Client secrets: generation, format, keyed hash, verification; the HMAC
 * host key. Auth side (OpenSSL).
 *
 * Format (74 bytes):  svcs_<id:16 hex>_<secret:43 base64url>_<check:8 hex>
 * id is the credential id (64 random bits), secret 256 random bits, check
 * the first 4 bytes of SHA-256 over everything before the last '_', so
 * typos and scanners are caught without touching the store. The charset
 * [a-z0-9A-Z_-] matches the JWS one: no secret contains '.', ':' or the
 * credential-parts continuation mark. */
#ifndef SVCACCT_SECRET_H
#define SVCACCT_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "config.h"

#define SV_SECRET_PREFIX "svcs_"
#define SV_SECRET_LEN	 74
#define SV_HASH_LEN	 32
#define SV_HOSTKEY_LEN	 32

/* A fresh random credential id (16 lowercase hex + NUL). 0 or -EIO. */
int sv_cred_id_generate(char id[SV_CRED_ID_LEN + 1]);

/* Whether s is a well-formed credential id. */
bool sv_cred_id_valid(const char *s);

/* A new secret and its id, from the OpenSSL CSPRNG. out holds the
 * plaintext: wipe it (sv_wipe) as soon as it is shown. 0 or -EIO. */
int sv_secret_generate(char out[SV_SECRET_LEN + 1],
		       char id[SV_CRED_ID_LEN + 1]);

/* Check the format and checksum of a presented secret (len bytes, not
 * necessarily NUL-terminated) and extract its id. 0; -EINVAL not a secret
 * (wrong length, prefix or charset); -EBADMSG checksum mismatch. */
int sv_secret_parse(const char *s, size_t len, char id[SV_CRED_ID_LEN + 1]);

/* Whether the bytes look like a secret (prefix test only), to route a
 * credential to the secret or the assertion path. */
bool sv_secret_looks_like(const char *s, size_t len);

/* HMAC-SHA-256 of the secret under the host key. 0 or -EIO. */
int sv_secret_hash(const uint8_t key[SV_HOSTKEY_LEN], const char *s, size_t len,
		   uint8_t out[SV_HASH_LEN]);

/* Constant-time check of a presented secret against a stored hash.
 * 0 match; -EACCES mismatch (also when stored has the wrong length). */
int sv_secret_verify(const uint8_t key[SV_HOSTKEY_LEN], const char *s,
		     size_t len, const uint8_t *stored, size_t storedlen);

/* Load STATE_DIR/hostkey (32 bytes, root-owned, 0600, O_NOFOLLOW). With
 * create, make it from the CSPRNG if missing (atomically: temp + link).
 * 0; -ENOENT missing; -EPERM unsafe owner/mode; -EBADMSG wrong size. */
int sv_hostkey_load(const struct sv_config *c, uint8_t key[SV_HOSTKEY_LEN],
		    bool create);

/* The same without create, through sfd, an open state dir
 * (sv_state_open_dir): what a login uses. */
int sv_hostkey_load_at(int sfd, uint8_t key[SV_HOSTKEY_LEN]);

#endif
