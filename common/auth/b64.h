/* SPDX-License-Identifier: MIT */
/* Base64 (RFC 4648): base64url without padding (JWS, JWK, secrets) and
 * standard padded base64 (PEM bodies). Strict decoders: a string is
 * accepted only in its one canonical encoding, so that two different
 * strings never stand for the same bytes (no padding where none belongs,
 * no whitespace, no character outside the alphabet, no length that no
 * encoding has, no set bits after the last full byte). Auth side: libc. */
#ifndef SVCACCT_B64_H
#define SVCACCT_B64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Characters of the unpadded base64url encoding of n bytes, without the
 * NUL; SIZE_MAX if that does not fit in a size_t. */
size_t sv_b64url_enclen(size_t n);

/* Most bytes that n characters of base64 (either alphabet) can decode to;
 * a buffer of that size is always large enough. */
size_t sv_b64_declen_max(size_t n);

/* Encode n bytes of in as unpadded base64url into out, NUL-terminated.
 * cap is the size of out and must be at least sv_b64url_enclen(n) + 1.
 * 0, or -ENOSPC (out too small; out is then "" if cap > 0). */
int sv_b64url_encode(const void *in, size_t n, char *out, size_t cap);

/* The same into a fresh malloc'd string; NULL on overflow or ENOMEM. */
char *sv_b64url_encode_alloc(const void *in, size_t n);

/* Decode n characters of unpadded base64url into out (cap bytes); the
 * decoded length goes to *outlen. n == 0 decodes to nothing. 0; -EINVAL
 * not canonical unpadded base64url ('=', '+', '/', whitespace or any other
 * character outside [A-Za-z0-9_-], n % 4 == 1, non-zero trailing bits);
 * -ENOSPC out too small. out may hold partial output after an error. */
int sv_b64url_decode(const char *in, size_t n, uint8_t *out, size_t cap,
		     size_t *outlen);

/* The same decoding with a lookup table, whose memory accesses depend on
 * the input: for public data only (JWS segments of a token that is checked
 * by its signature, JWK parameters), never for secrets. Same returns. */
int sv_b64url_decode_public(const char *in, size_t n, uint8_t *out, size_t cap,
			    size_t *outlen);

/* Whether c belongs to the base64url alphabet (public data, table). */
bool sv_b64url_is_char(unsigned char c);

/* Decode n characters of standard base64 with padding: n % 4 == 0, '=' only
 * as the last one or two characters, [A-Za-z0-9+/] otherwise, no
 * whitespace (a PEM reader joins the lines first), non-zero trailing bits
 * refused. Same returns as sv_b64url_decode. */
int sv_b64_decode(const char *in, size_t n, uint8_t *out, size_t cap,
		  size_t *outlen);

#endif
