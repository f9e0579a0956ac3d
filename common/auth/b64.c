/* SPDX-License-Identifier: MIT */
/* Base64 and base64url (RFC 4648), strict. The character mapping has no
 * data-dependent branches or table lookups: the same code encodes and
 * decodes client secrets, whose characters must not leak through timing. */
#include "b64.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "util.h"

/* 0xff when the relation holds, 0 otherwise; arguments are 0..255. */
static unsigned eq8(unsigned x, unsigned y)
{
	return (((0u - (x ^ y)) >> 8) & 0xff) ^ 0xff;
}
static unsigned gt8(unsigned x, unsigned y)
{
	return ((y - x) >> 8) & 0xff;
}
static unsigned ge8(unsigned x, unsigned y)
{
	return gt8(y, x) ^ 0xff;
}
static unsigned lt8(unsigned x, unsigned y)
{
	return gt8(y, x);
}
static unsigned le8(unsigned x, unsigned y)
{
	return ge8(y, x);
}

static char enc_char(unsigned x, bool url)
{
	unsigned c62 = url ? '-' : '+', c63 = url ? '_' : '/';
	return (char)((lt8(x, 26) & (x + 'A')) |
		      (ge8(x, 26) & lt8(x, 52) & (x + ('a' - 26))) |
		      (ge8(x, 52) & lt8(x, 62) & (x - (52u - '0'))) |
		      (eq8(x, 62) & c62) | (eq8(x, 63) & c63));
}

/* The 6-bit value of c, or 0xff if c is not in the alphabet. */
static unsigned dec_char(unsigned char uc, bool url)
{
	unsigned c = uc, c62 = url ? '-' : '+', c63 = url ? '_' : '/';
	unsigned x = (ge8(c, 'A') & le8(c, 'Z') & (c - 'A')) |
		     (ge8(c, 'a') & le8(c, 'z') & (c - ('a' - 26))) |
		     (ge8(c, '0') & le8(c, '9') & (c + (52u - '0'))) |
		     (eq8(c, c62) & 62) | (eq8(c, c63) & 63);
	/* x == 0 is either 'A' or an invalid character */
	return x | (eq8(x, 0) & (eq8(c, 'A') ^ 0xff));
}

size_t sv_b64url_enclen(size_t n)
{
	/* 4 characters per 3 bytes, 2 or 3 for a partial group */
	size_t full = n / 3, rem = n % 3, r;
	if (sv_mul_overflow(full, 4, &r) ||
	    sv_add_overflow(r, rem ? rem + 1 : 0, &r))
		return SIZE_MAX;
	return r;
}

size_t sv_b64_declen_max(size_t n)
{
	/* cannot overflow: (n / 4) * 3 + 2 < n for large n */
	return n / 4 * 3 + (n % 4 ? 2 : 0);
}

int sv_b64url_encode(const void *in, size_t n, char *out, size_t cap)
{
	const uint8_t *p = in;
	size_t need = sv_b64url_enclen(n), o = 0, i;

	if (need == SIZE_MAX || cap == 0 || need > cap - 1) {
		if (cap)
			out[0] = '\0';
		return -ENOSPC;
	}
	for (i = 0; i + 3 <= n; i += 3) {
		unsigned v =
		    (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		out[o++] = enc_char(v >> 18, true);
		out[o++] = enc_char((v >> 12) & 63, true);
		out[o++] = enc_char((v >> 6) & 63, true);
		out[o++] = enc_char(v & 63, true);
	}
	if (n - i == 1) {
		unsigned v = (unsigned)p[i] << 16;
		out[o++] = enc_char(v >> 18, true);
		out[o++] = enc_char((v >> 12) & 63, true);
	} else if (n - i == 2) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
		out[o++] = enc_char(v >> 18, true);
		out[o++] = enc_char((v >> 12) & 63, true);
		out[o++] = enc_char((v >> 6) & 63, true);
	}
	out[o] = '\0';
	return 0;
}

char *sv_b64url_encode_alloc(const void *in, size_t n)
{
	size_t need = sv_b64url_enclen(n), cap;
	char *s;

	if (need == SIZE_MAX || sv_add_overflow(need, 1, &cap))
		return NULL;
	s = malloc(cap);
	if (!s)
		return NULL;
	if (sv_b64url_encode(in, n, s, cap) < 0) {
		free(s);
		return NULL;
	}
	return s;
}

/* Whether n characters of unpadded input can be decoded into cap bytes:
 * 0, -EINVAL (a length no encoding has) or -ENOSPC. */
static int decode_len_ok(size_t n, size_t cap)
{
	size_t rem = n % 4, need = n / 4 * 3;

	if (rem == 1)
		return -EINVAL;
	if (rem)
		need += rem - 1;
	return need > cap ? -ENOSPC : 0;
}

/* The bytes of k (2..4) characters already mapped to a..d (0..63, 0x80 set
 * for one outside the alphabet; 0 past k) into out: k - 1 of them, the
 * count returned. *bad is set for a character outside the alphabet, and
 * for a short group whose bits below its last whole byte are not zero (two
 * encodings would decode to the same bytes). */
static size_t put_group(unsigned a, unsigned b, unsigned c, unsigned d,
			size_t k, uint8_t *out, unsigned *bad)
{
	unsigned v = (a & 63) << 18 | (b & 63) << 12 | (c & 63) << 6 | (d & 63);

	*bad |= (a | b | c | d) & 0x80;
	out[0] = (uint8_t)(v >> 16);
	if (k >= 3)
		out[1] = (uint8_t)(v >> 8);
	if (k == 4)
		out[2] = (uint8_t)v;
	if ((k == 2 && (v & 0xffff)) || (k == 3 && (v & 0xff)))
		*bad = 1;
	return k - 1;
}

/* Decode unpadded input in either alphabet. */
static int decode(const char *in, size_t n, bool url, uint8_t *out, size_t cap,
		  size_t *outlen)
{
	size_t rem = n % 4, o = 0, i;
	unsigned bad = 0;
	int r;

	*outlen = 0;
	r = decode_len_ok(n, cap);
	if (r < 0)
		return r;
	for (i = 0; i + 4 <= n; i += 4)
		o += put_group(dec_char((unsigned char)in[i], url),
			       dec_char((unsigned char)in[i + 1], url),
			       dec_char((unsigned char)in[i + 2], url),
			       dec_char((unsigned char)in[i + 3], url), 4,
			       out + o, &bad);
	if (rem)
		o += put_group(
		    dec_char((unsigned char)in[i], url),
		    dec_char((unsigned char)in[i + 1], url),
		    rem == 3 ? dec_char((unsigned char)in[i + 2], url) : 0, 0,
		    rem, out + o, &bad);
	if (bad)
		return -EINVAL;
	*outlen = o;
	return 0;
}

int sv_b64url_decode(const char *in, size_t n, uint8_t *out, size_t cap,
		     size_t *outlen)
{
	return decode(in, n, true, out, cap, outlen);
}

/* Public data only: a plain table, four times faster than the branch-free
 * mapping above, and the same strictness (same bits, same refusals). */
static const uint8_t url_table[256] = {
#define R2(c, v) [c] = (v) + 1
    R2('-', 62),      R2('_', 63),
#define RANGE10(c, v)                                                          \
	R2((c), (v)), R2((c) + 1, (v) + 1), R2((c) + 2, (v) + 2),              \
	    R2((c) + 3, (v) + 3), R2((c) + 4, (v) + 4), R2((c) + 5, (v) + 5),  \
	    R2((c) + 6, (v) + 6), R2((c) + 7, (v) + 7), R2((c) + 8, (v) + 8),  \
	    R2((c) + 9, (v) + 9)
    RANGE10('0', 52), RANGE10('A', 0),	RANGE10('K', 10), R2('U', 20),
    R2('V', 21),      R2('W', 22),	R2('X', 23),	  R2('Y', 24),
    R2('Z', 25),      RANGE10('a', 26), RANGE10('k', 36), R2('u', 46),
    R2('v', 47),      R2('w', 48),	R2('x', 49),	  R2('y', 50),
    R2('z', 51),
#undef RANGE10
#undef R2
};

bool sv_b64url_is_char(unsigned char c)
{
	return url_table[c] != 0;
}

int sv_b64url_decode_public(const char *in, size_t n, uint8_t *out, size_t cap,
			    size_t *outlen)
{
	size_t rem = n % 4, o = 0, i;
	unsigned bad = 0;
	const unsigned char *u = (const unsigned char *)in;
	int r;

	*outlen = 0;
	r = decode_len_ok(n, cap);
	if (r < 0)
		return r;
	/* table values are 1..64, 0 marks a character outside the alphabet;
	 * (x - 1) & 0x80 is set for 0 only */
	for (i = 0; i + 4 <= n; i += 4)
		o += put_group(url_table[u[i]] - 1u, url_table[u[i + 1]] - 1u,
			       url_table[u[i + 2]] - 1u,
			       url_table[u[i + 3]] - 1u, 4, out + o, &bad);
	if (rem)
		o += put_group(url_table[u[i]] - 1u, url_table[u[i + 1]] - 1u,
			       rem == 3 ? url_table[u[i + 2]] - 1u : 0, 0, rem,
			       out + o, &bad);
	if (bad)
		return -EINVAL;
	*outlen = o;
	return 0;
}

int sv_b64_decode(const char *in, size_t n, uint8_t *out, size_t cap,
		  size_t *outlen)
{
	size_t pad = 0;

	*outlen = 0;
	if (n % 4)
		return -EINVAL;
	if (n >= 1 && in[n - 1] == '=')
		pad++;
	if (n >= 2 && in[n - 2] == '=')
		pad++;
	/* any other '=' is outside the alphabet and refused by decode() */
	return decode(in, n - pad, false, out, cap, outlen);
}
