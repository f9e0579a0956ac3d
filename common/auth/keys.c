/* SPDX-License-Identifier: MIT */
/* Public keys for JWT client assertions (keys.h).
 *
 * Key blob, version 1 (docs/FORMAT-keyblob.md). Big endian, no padding,
 * nothing may follow the last field:
 *
 *   off  size  field
 *   0    2     magic "SK" (0x53 0x4b)
 *   2    1     version, 1
 *   3    1     alg: enum sv_alg (1 ES256, 2 ES384, 3 ES512, 4 RS256,
 *              5 RS384, 6 RS512, 7 PS256, 8 PS384, 9 PS512)
 *   4    1     key type: 1 EC, 2 RSA
 *   EC:
 *   5    1     curve: 1 P-256, 2 P-384, 3 P-521
 *   6    L     public point, SEC 1 uncompressed: 0x04 || X || Y, X and Y
 *              each exactly the field size (32, 48, 66): L = 65, 97, 133
 *   RSA:
 *   5    2     nlen, 256..1024
 *   7    nlen  modulus n, no leading zero byte, 2048..8192 bits, odd
 *   7+nlen 1   elen, 1..4
 *   8+nlen elen public exponent e, no leading zero byte, odd, >= 3
 *
 * The alg is bound to the key: ES256/P-256, ES384/P-384, ES512/P-521,
 * RS* and PS* any RSA key of the allowed size. A blob is hostile input
 * (a store file can be damaged or edited): the loader checks every length
 * and field, and OpenSSL checks that the point is on the curve. An
 * importer stores nothing that the loader would refuse, because import
 * ends with a load of the blob it built.
 *
 * Errors are -EINVAL with a reason in err for imports; -EBADMSG for a bad
 * blob; -ENOMEM. OpenSSL's error queue is left as the caller had it. */
#include "keys.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "b64.h"
#include "util.h"

#define BLOB_MAGIC0  'S'
#define BLOB_MAGIC1  'K'
#define BLOB_VERSION 1
#define BLOB_KTY_EC  1
#define BLOB_KTY_RSA 2
#define BLOB_EC_HDR  6 /* magic, version, alg, kty, curve */
#define BLOB_RSA_HDR 7 /* magic, version, alg, kty, nlen */

#define RSA_NLEN_MAX (SV_RSA_MAX_BITS / 8)
/* e < 2^32: common keys use 65537 (some 3); a huge e only makes
 * verification slow */
#define RSA_ELEN_MAX 4
#define EC_FLEN_MAX  66
#define EC_PT_MAX    (1 + 2 * EC_FLEN_MAX)

/* A JWKS with more keys than this is not a key set for one account. */
#define JWKS_MAX 100

struct curve {
	uint8_t id; /* in the blob */
	int nid;
	const char *jwk;   /* JWK "crv" */
	const char *group; /* OpenSSL group name */
	size_t flen;	   /* bytes per coordinate */
	unsigned bits;
	enum sv_alg alg;
};

static const struct curve curves[] = {
    {1, NID_X9_62_prime256v1, "P-256", "prime256v1", 32, 256, SV_ALG_ES256},
    {2, NID_secp384r1, "P-384", "secp384r1", 48, 384, SV_ALG_ES384},
    {3, NID_secp521r1, "P-521", "secp521r1", 66, 521, SV_ALG_ES512},
};

static const char *const alg_names[SV_ALG_COUNT] = {
    [SV_ALG_ES256] = "ES256", [SV_ALG_ES384] = "ES384",
    [SV_ALG_ES512] = "ES512", [SV_ALG_RS256] = "RS256",
    [SV_ALG_RS384] = "RS384", [SV_ALG_RS512] = "RS512",
    [SV_ALG_PS256] = "PS256", [SV_ALG_PS384] = "PS384",
    [SV_ALG_PS512] = "PS512",
};

/* Decoded public parameters: views into a blob or into an importer's
 * buffers. */
struct raw {
	int kty;
	const struct curve *crv;
	const uint8_t *pt;
	size_t ptlen;
	const uint8_t *n, *e;
	size_t nlen, elen;
};

static void seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* A caller's string made safe to quote in a message (it may end up on a
 * terminal or in a log line). */
static const char *quote(const char *s, char *buf, size_t cap)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < cap; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

const char *sv_alg_name(enum sv_alg a)
{
	if ((int)a <= SV_ALG_NONE || a >= SV_ALG_COUNT)
		return NULL;
	return alg_names[a];
}

enum sv_alg sv_alg_from_name(const char *name)
{
	if (!name)
		return SV_ALG_NONE;
	for (int a = SV_ALG_NONE + 1; a < SV_ALG_COUNT; a++) {
		if (strcmp(name, alg_names[a]) == 0)
			return (enum sv_alg)a;
	}
	return SV_ALG_NONE;
}

static bool alg_is_ec(enum sv_alg a)
{
	return a == SV_ALG_ES256 || a == SV_ALG_ES384 || a == SV_ALG_ES512;
}

static bool alg_is_rsa(enum sv_alg a)
{
	return a >= SV_ALG_RS256 && a <= SV_ALG_PS512;
}

static const struct curve *curve_by_id(unsigned id)
{
	for (size_t i = 0; i < SV_ARRAY_SIZE(curves); i++) {
		if (curves[i].id == id)
			return &curves[i];
	}
	return NULL;
}

static const struct curve *curve_by_jwk(const char *crv)
{
	for (size_t i = 0; i < SV_ARRAY_SIZE(curves); i++) {
		if (strcmp(curves[i].jwk, crv) == 0)
			return &curves[i];
	}
	return NULL;
}

static const struct curve *curve_by_alg(enum sv_alg a)
{
	for (size_t i = 0; i < SV_ARRAY_SIZE(curves); i++) {
		if (curves[i].alg == a)
			return &curves[i];
	}
	return NULL;
}

/* An OpenSSL group name: its short name, or an alias OBJ knows. */
static const struct curve *curve_by_group(const char *g)
{
	int nid = OBJ_txt2nid(g);

	for (size_t i = 0; i < SV_ARRAY_SIZE(curves); i++) {
		if (strcmp(curves[i].group, g) == 0 ||
		    strcmp(curves[i].jwk, g) == 0 ||
		    (nid != NID_undef && nid == curves[i].nid))
			return &curves[i];
	}
	return NULL;
}

static const struct curve *pkey_curve(const EVP_PKEY *pk)
{
	char g[80];
	size_t glen = 0;

	if (EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, g,
					   sizeof(g), &glen) != 1)
		return NULL;
	return curve_by_group(g);
}

static unsigned rsa_bits(const uint8_t *n, size_t nlen)
{
	unsigned top = n[0], b = 0;

	while (top) {
		b++;
		top >>= 1;
	}
	/* nlen <= RSA_NLEN_MAX, checked by the callers */
	return (unsigned)(nlen - 1) * 8 + b;
}

/* Checks every field of decoded parameters; the one place that decides
 * what a storable key is. 0 or -EINVAL. */
static int raw_check(const struct raw *r, char *err, size_t errlen)
{
	if (r->kty == BLOB_KTY_EC) {
		if (!r->crv) {
			seterr(err, errlen, "unsupported curve");
			return -EINVAL;
		}
		if (r->ptlen != 1 + 2 * r->crv->flen || r->pt[0] != 0x04) {
			seterr(err, errlen, "malformed %s point", r->crv->jwk);
			return -EINVAL;
		}
		return 0;
	}
	if (r->kty != BLOB_KTY_RSA) {
		seterr(err, errlen, "unsupported key type");
		return -EINVAL;
	}
	if (r->nlen == 0 || r->n[0] == 0) {
		seterr(err, errlen, "malformed RSA modulus");
		return -EINVAL;
	}
	if (r->nlen > RSA_NLEN_MAX ||
	    rsa_bits(r->n, r->nlen) > SV_RSA_MAX_BITS) {
		seterr(err, errlen, "RSA key larger than %d bits refused",
		       SV_RSA_MAX_BITS);
		return -EINVAL;
	}
	if (rsa_bits(r->n, r->nlen) < SV_RSA_MIN_BITS) {
		seterr(err, errlen,
		       "RSA key of %u bits refused (at least %d bits)",
		       rsa_bits(r->n, r->nlen), SV_RSA_MIN_BITS);
		return -EINVAL;
	}
	if (!(r->n[r->nlen - 1] & 1)) {
		seterr(err, errlen, "malformed RSA modulus (even)");
		return -EINVAL;
	}
	if (r->elen == 0 || r->e[0] == 0 || r->elen > RSA_ELEN_MAX ||
	    !(r->e[r->elen - 1] & 1) || (r->elen == 1 && r->e[0] < 3)) {
		seterr(err, errlen,
		       "unsupported RSA public exponent (odd, 3 to 2^32-1)");
		return -EINVAL;
	}
	return 0;
}

static bool raw_fits(const struct raw *r, enum sv_alg a)
{
	if (alg_is_ec(a))
		return r->kty == BLOB_KTY_EC && r->crv && r->crv->alg == a;
	if (alg_is_rsa(a))
		return r->kty == BLOB_KTY_RSA;
	return false;
}

static unsigned raw_bits(const struct raw *r)
{
	return r->kty == BLOB_KTY_EC ? r->crv->bits : rsa_bits(r->n, r->nlen);
}

/* 0 or -EBADMSG. */
static int blob_parse(const uint8_t *b, size_t len, struct raw *r,
		      enum sv_alg *alg)
{
	size_t off, left;

	memset(r, 0, sizeof(*r));
	*alg = SV_ALG_NONE;
	if (!b || len < BLOB_EC_HDR || b[0] != BLOB_MAGIC0 ||
	    b[1] != BLOB_MAGIC1 || b[2] != BLOB_VERSION)
		return -EBADMSG;
	if (b[3] <= SV_ALG_NONE || b[3] >= SV_ALG_COUNT)
		return -EBADMSG;
	r->kty = b[4];
	if (r->kty == BLOB_KTY_EC) {
		r->crv = curve_by_id(b[5]);
		if (!r->crv)
			return -EBADMSG;
		r->pt = b + BLOB_EC_HDR;
		r->ptlen = len - BLOB_EC_HDR;
	} else if (r->kty == BLOB_KTY_RSA) {
		if (len < BLOB_RSA_HDR)
			return -EBADMSG;
		r->nlen = (size_t)b[5] << 8 | b[6];
		off = BLOB_RSA_HDR;
		left = len - off;
		if (r->nlen == 0 || r->nlen >= left)
			return -EBADMSG;
		r->n = b + off;
		off += r->nlen;
		r->elen = b[off++];
		if (r->elen != len - off)
			return -EBADMSG;
		r->e = b + off;
	} else {
		return -EBADMSG;
	}
	if (raw_check(r, NULL, 0) < 0 || !raw_fits(r, (enum sv_alg)b[3]))
		return -EBADMSG;
	*alg = (enum sv_alg)b[3];
	return 0;
}

/* A fresh blob for checked parameters; NULL on ENOMEM. */
static uint8_t *blob_build(const struct raw *r, enum sv_alg alg, size_t *len)
{
	uint8_t *b;
	size_t n, off;

	if (r->kty == BLOB_KTY_EC) {
		if (sv_add_overflow(BLOB_EC_HDR, r->ptlen, &n))
			return NULL;
	} else {
		if (sv_add_overflow(BLOB_RSA_HDR, r->nlen, &n) ||
		    sv_add_overflow(n, 1, &n) ||
		    sv_add_overflow(n, r->elen, &n))
			return NULL;
	}
	b = malloc(n);
	if (!b)
		return NULL;
	b[0] = BLOB_MAGIC0;
	b[1] = BLOB_MAGIC1;
	b[2] = BLOB_VERSION;
	b[3] = (uint8_t)alg;
	b[4] = (uint8_t)r->kty;
	if (r->kty == BLOB_KTY_EC) {
		b[5] = r->crv->id;
		memcpy(b + BLOB_EC_HDR, r->pt, r->ptlen);
	} else {
		b[5] = (uint8_t)(r->nlen >> 8);
		b[6] = (uint8_t)r->nlen;
		memcpy(b + BLOB_RSA_HDR, r->n, r->nlen);
		off = BLOB_RSA_HDR + r->nlen;
		b[off++] = (uint8_t)r->elen;
		memcpy(b + off, r->e, r->elen);
	}
	*len = n;
	return b;
}

/* EVP_PKEY_fromdata for checked parameters. 0, -EBADMSG (OpenSSL refused
 * them, e.g. a point not on the curve), -ENOMEM. */
static int raw_to_pkey(const struct raw *r, EVP_PKEY **out)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL, *cctx = NULL;
	EVP_PKEY *pk = NULL;
	BIGNUM *n = NULL, *e = NULL;
	bool ec = r->kty == BLOB_KTY_EC;
	int ret = -ENOMEM;

	*out = NULL;
	bld = OSSL_PARAM_BLD_new();
	if (!bld)
		goto out;
	if (ec) {
		if (!OSSL_PARAM_BLD_push_utf8_string(
			bld, OSSL_PKEY_PARAM_GROUP_NAME, r->crv->group, 0) ||
		    !OSSL_PARAM_BLD_push_octet_string(
			bld, OSSL_PKEY_PARAM_PUB_KEY, r->pt, r->ptlen))
			goto out;
	} else {
		/* lengths are bounded by raw_check, far below INT_MAX */
		n = BN_bin2bn(r->n, (int)r->nlen, NULL);
		e = BN_bin2bn(r->e, (int)r->elen, NULL);
		if (!n || !e ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
			goto out;
	}
	params = OSSL_PARAM_BLD_to_param(bld);
	if (!params)
		goto out;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, ec ? "EC" : "RSA", NULL);
	if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1)
		goto out;
	if (EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		ret = -EBADMSG;
		goto out;
	}
	if (ec) {
		/* on the curve, not the point at infinity, coordinates below
		 * p. OpenSSL's import refuses an off-curve point today, but
		 * that is not a documented contract and this is the property
		 * that makes a blob's point a public key: check it (about a
		 * fifth of the load time) */
		cctx = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
		if (!cctx)
			goto out;
		if (EVP_PKEY_public_check_quick(cctx) != 1) {
			ret = -EBADMSG;
			goto out;
		}
	}
	*out = SV_TAKE_PTR(pk);
	ret = 0;
out:
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(cctx);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return ret;
}

int sv_key_load(const uint8_t *blob, size_t len, EVP_PKEY **out,
		enum sv_alg *alg)
{
	struct raw r;
	enum sv_alg a;
	EVP_PKEY *pk = NULL;
	int ret;

	*out = NULL;
	if (alg)
		*alg = SV_ALG_NONE;
	ERR_set_mark();
	ret = blob_parse(blob, len, &r, &a);
	if (ret < 0)
		goto out;
	ret = raw_to_pkey(&r, &pk);
	if (ret < 0)
		goto out;
	if (!sv_key_fits_alg(pk, a)) {
		ret = -EBADMSG;
		goto out;
	}
	*out = SV_TAKE_PTR(pk);
	if (alg)
		*alg = a;
	ret = 0;
out:
	EVP_PKEY_free(pk);
	ERR_pop_to_mark();
	return ret;
}

bool sv_key_fits_alg(EVP_PKEY *pk, enum sv_alg alg)
{
	const struct curve *c;

	if (!pk)
		return false;
	if (alg_is_ec(alg)) {
		if (!EVP_PKEY_is_a(pk, "EC"))
			return false;
		c = pkey_curve(pk);
		return c && c->alg == alg;
	}
	if (alg_is_rsa(alg)) {
		/* RSA-PSS keys (restricted to PSS by their own parameters) are
		 * another type and refused at import; plain RSA only */
		int bits = EVP_PKEY_get_bits(pk);
		return EVP_PKEY_is_a(pk, "RSA") && bits >= SV_RSA_MIN_BITS &&
		       bits <= SV_RSA_MAX_BITS;
	}
	return false;
}

/* --------------------------------------------------------- thumbprint */

/* base64url of the parameters, for JWK and thumbprint output. */
struct b64params {
	char a[1400]; /* x, or n: 8192 bits are 1366 characters */
	char b[90];   /* y (88 characters for P-521), or e */
};

static int raw_b64(const struct raw *r, struct b64params *p)
{
	if (r->kty == BLOB_KTY_EC) {
		size_t f = r->crv->flen;
		if (sv_b64url_encode(r->pt + 1, f, p->a, sizeof(p->a)) < 0 ||
		    sv_b64url_encode(r->pt + 1 + f, f, p->b, sizeof(p->b)) < 0)
			return -EBADMSG;
		return 0;
	}
	if (sv_b64url_encode(r->n, r->nlen, p->a, sizeof(p->a)) < 0 ||
	    sv_b64url_encode(r->e, r->elen, p->b, sizeof(p->b)) < 0)
		return -EBADMSG;
	return 0;
}

static int raw_thumbprint(const struct raw *r, char out[44])
{
	struct b64params p;
	char json[1600];
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	int n;

	out[0] = '\0';
	if (raw_b64(r, &p) < 0)
		return -EBADMSG;
	/* RFC 7638 3.2: the required members only, in lexicographic order,
	 * no whitespace */
	if (r->kty == BLOB_KTY_EC)
		n = snprintf(json, sizeof(json),
			     "{\"crv\":\"%s\",\"kty\":\"EC\",\"x\":\"%s\","
			     "\"y\":\"%s\"}",
			     r->crv->jwk, p.a, p.b);
	else
		n = snprintf(json, sizeof(json),
			     "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}", p.b,
			     p.a);
	if (n < 0 || (size_t)n >= sizeof(json))
		return -EBADMSG;
	if (EVP_Digest(json, (size_t)n, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32)
		return -EIO;
	if (sv_b64url_encode(md, mdlen, out, 44) < 0)
		return -EIO;
	return 0;
}

/* 0; -EBADMSG bad blob; -EIO. */
int sv_key_thumbprint(const uint8_t *blob, size_t len, char out[44])
{
	struct raw r;
	enum sv_alg a;

	out[0] = '\0';
	if (blob_parse(blob, len, &r, &a) < 0)
		return -EBADMSG;
	return raw_thumbprint(&r, out);
}

/* ------------------------------------------------------------- import */

static int kid_check(const char *kid, char *err, size_t errlen)
{
	size_t n = strnlen(kid, SV_KID_MAX + 1);

	if (n == 0 || n > SV_KID_MAX) {
		seterr(err, errlen, "kid must be 1 to %d characters",
		       SV_KID_MAX);
		return -EINVAL;
	}
	/* kids appear in key=value log lines and in CLI arguments */
	for (size_t i = 0; i < n; i++) {
		if (kid[i] < 0x21 || kid[i] > 0x7e) {
			seterr(err, errlen,
			       "kid may hold only printable "
			       "ASCII without spaces");
			return -EINVAL;
		}
	}
	return 0;
}

static const char *raw_desc(const struct raw *r, char *buf, size_t cap)
{
	if (r->kty == BLOB_KTY_EC)
		snprintf(buf, cap, "an EC %s key", r->crv->jwk);
	else
		snprintf(buf, cap, "an RSA key");
	return buf;
}

/* The alg to bind: the one named (which must fit), else the key's own. */
static int alg_resolve(const struct raw *r, const char *name, enum sv_alg *alg,
		       char *err, size_t errlen)
{
	char q[40], d[40];
	enum sv_alg a;

	if (!name) {
		*alg = r->kty == BLOB_KTY_EC ? r->crv->alg : SV_ALG_RS256;
		return 0;
	}
	a = sv_alg_from_name(name);
	if (a == SV_ALG_NONE) {
		seterr(err, errlen,
		       "alg \"%s\" refused (ES256, ES384, ES512, RS256, RS384, "
		       "RS512, PS256, PS384 or PS512)",
		       quote(name, q, sizeof(q)));
		return -EINVAL;
	}
	if (!raw_fits(r, a)) {
		const struct curve *c = curve_by_alg(a);
		if (c)
			seterr(err, errlen,
			       "alg %s needs an EC %s key, this is %s", name,
			       c->jwk, raw_desc(r, d, sizeof(d)));
		else
			seterr(err, errlen,
			       "alg %s needs an RSA key, this is %s", name,
			       raw_desc(r, d, sizeof(d)));
		return -EINVAL;
	}
	*alg = a;
	return 0;
}

/* Bind, build, prove that the blob loads, name it. */
static int key_make(const struct raw *r, const char *algname, const char *kid,
		    struct sv_key *out, char *err, size_t errlen)
{
	enum sv_alg alg, la;
	uint8_t *blob = NULL;
	size_t len = 0;
	EVP_PKEY *pk = NULL;
	int ret;

	ret = raw_check(r, err, errlen);
	if (ret < 0)
		goto out;
	ret = alg_resolve(r, algname, &alg, err, errlen);
	if (ret < 0)
		goto out;
	if (kid) {
		ret = kid_check(kid, err, errlen);
		if (ret < 0)
			goto out;
	}
	blob = blob_build(r, alg, &len);
	if (!blob) {
		ret = -ENOMEM;
		seterr(err, errlen, "out of memory");
		goto out;
	}
	ret = sv_key_load(blob, len, &pk, &la);
	if (ret == -ENOMEM) {
		seterr(err, errlen, "out of memory");
		goto out;
	}
	if (ret < 0) {
		ret = -EINVAL;
		seterr(err, errlen, "not a valid public key%s",
		       r->kty == BLOB_KTY_EC ? " (point not on the curve)"
					     : "");
		goto out;
	}
	if (kid) {
		snprintf(out->kid, sizeof(out->kid), "%s", kid);
	} else if (raw_thumbprint(r, out->kid) < 0) {
		ret = -EINVAL;
		seterr(err, errlen, "cannot compute the key's thumbprint");
		goto out;
	}
	out->alg = alg;
	out->bits = raw_bits(r);
	out->bloblen = len;
	out->blob = SV_TAKE_PTR(blob);
	ret = 0;
out:
	EVP_PKEY_free(pk);
	free(blob);
	return ret;
}

void sv_key_free(struct sv_key *k)
{
	if (!k)
		return;
	free(k->blob);
	memset(k, 0, sizeof(*k));
}

void sv_keys_free(struct sv_key *k, size_t n)
{
	if (!k)
		return;
	for (size_t i = 0; i < n; i++)
		sv_key_free(&k[i]);
	free(k);
}

/* Storage behind a struct raw built by an importer. */
struct rawbuf {
	struct raw r;
	uint8_t pt[EC_PT_MAX];
	uint8_t n[RSA_NLEN_MAX + 8]; /* room for leading zeros to strip */
	uint8_t e[64];		     /* larger than allowed: a clear message */
};

/* ---------------------------------------------------------------- PEM */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool contains(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle);

	for (size_t i = 0; m <= n && i <= n - m; i++) {
		if (memcmp(s + i, needle, m) == 0)
			return true;
	}
	return false;
}

/* Consume "\n" or "\r\n" at *i. */
static bool eol(const char *s, size_t n, size_t *i)
{
	if (*i == n)
		return false;
	if (s[*i] == '\n') {
		(*i)++;
		return true;
	}
	if (s[*i] == '\r' && *i + 1 < n && s[*i + 1] == '\n') {
		*i += 2;
		return true;
	}
	return false;
}

static bool starts(const char *s, size_t n, size_t i, const char *p)
{
	size_t m = strlen(p);
	return i <= n && n - i >= m && memcmp(s + i, p, m) == 0;
}

/* Unwrap exactly one PEM block (whitespace around it allowed, nothing
 * else): its label and the decoded DER. Strict, so that what is stored is
 * exactly what the admin meant to register. */
static int pem_unwrap(const char *s, size_t n, char label[64], uint8_t **der,
		      size_t *derlen, char *err, size_t errlen)
{
	char *body = NULL;
	uint8_t *d = NULL;
	size_t i = 0, ls, ll, bl = 0, cap;
	int ret = -EINVAL;

	*der = NULL;
	*derlen = 0;
	while (i < n && is_space(s[i]))
		i++;
	if (!starts(s, n, i, "-----BEGIN ")) {
		seterr(err, errlen, "not a PEM public key (no BEGIN line)");
		goto out;
	}
	i += 11;
	ls = i;
	while (i < n && ((s[i] >= 'A' && s[i] <= 'Z') ||
			 (s[i] >= '0' && s[i] <= '9') || s[i] == ' '))
		i++;
	ll = i - ls;
	if (ll == 0 || ll >= 64 || !starts(s, n, i, "-----")) {
		seterr(err, errlen, "malformed PEM BEGIN line");
		goto out;
	}
	memcpy(label, s + ls, ll);
	label[ll] = '\0';
	i += 5;
	if (!eol(s, n, &i)) {
		seterr(err, errlen, "malformed PEM BEGIN line");
		goto out;
	}
	body = malloc(n - i + 1);
	if (!body) {
		ret = -ENOMEM;
		seterr(err, errlen, "out of memory");
		goto out;
	}
	for (;;) {
		size_t line = i;
		if (i == n) {
			seterr(err, errlen, "truncated PEM (no END line)");
			goto out;
		}
		if (starts(s, n, i, "-----END "))
			break;
		while (i < n && s[i] != '\n' && s[i] != '\r') {
			char c = s[i];
			if (c == ':') {
				seterr(err, errlen,
				       "PEM headers (an encrypted or legacy "
				       "block) are not supported");
				goto out;
			}
			if (!((c >= 'A' && c <= 'Z') ||
			      (c >= 'a' && c <= 'z') ||
			      (c >= '0' && c <= '9') || c == '+' || c == '/' ||
			      c == '=')) {
				seterr(err, errlen,
				       "invalid character in the PEM body");
				goto out;
			}
			body[bl++] = c;
			i++;
		}
		if (i == line || !eol(s, n, &i)) {
			seterr(err, errlen, "%s",
			       i == n ? "truncated PEM (no END line)"
				      : "malformed PEM body");
			goto out;
		}
	}
	i += 9;
	if (!starts(s, n, i, label) || !starts(s, n, i + ll, "-----")) {
		seterr(err, errlen, "PEM END line does not match BEGIN");
		goto out;
	}
	i += ll + 5;
	while (i < n && is_space(s[i]))
		i++;
	if (i != n) {
		seterr(err, errlen, "trailing data after the PEM block");
		goto out;
	}
	if (bl == 0) {
		seterr(err, errlen, "empty PEM block");
		goto out;
	}
	cap = sv_b64_declen_max(bl);
	d = malloc(cap);
	if (!d) {
		ret = -ENOMEM;
		seterr(err, errlen, "out of memory");
		goto out;
	}
	if (sv_b64_decode(body, bl, d, cap, derlen) < 0) {
		seterr(err, errlen, "invalid base64 in the PEM body");
		goto out;
	}
	*der = SV_TAKE_PTR(d);
	ret = 0;
out:
	free(body);
	free(d);
	return ret;
}

/* Parameters of a decoded key, refusing types and curves we do not use. */
static int pkey_to_raw(EVP_PKEY *pk, struct rawbuf *rb, char *err,
		       size_t errlen)
{
	struct raw *r = &rb->r;
	BIGNUM *x = NULL, *y = NULL;
	int ret = -EINVAL, bits;

	memset(r, 0, sizeof(*r));
	if (EVP_PKEY_is_a(pk, "EC")) {
		char g[80];
		size_t glen = 0;
		if (EVP_PKEY_get_utf8_string_param(pk,
						   OSSL_PKEY_PARAM_GROUP_NAME,
						   g, sizeof(g), &glen) != 1) {
			seterr(err, errlen,
			       "EC key without a named curve refused "
			       "(P-256, P-384 or P-521)");
			goto out;
		}
		r->kty = BLOB_KTY_EC;
		r->crv = curve_by_group(g);
		if (!r->crv) {
			char q[40];
			seterr(err, errlen,
			       "EC curve %s refused (P-256, P-384 or P-521)",
			       quote(g, q, sizeof(q)));
			goto out;
		}
		/* x and y rather than the encoded point: the SPKI may hold a
		 * compressed one */
		if (!EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_X, &x) ||
		    !EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_Y, &y)) {
			seterr(err, errlen, "cannot read the EC point");
			goto out;
		}
		rb->pt[0] = 0x04;
		if (BN_bn2binpad(x, rb->pt + 1, (int)r->crv->flen) < 0 ||
		    BN_bn2binpad(y, rb->pt + 1 + r->crv->flen,
				 (int)r->crv->flen) < 0) {
			seterr(err, errlen, "malformed EC point");
			goto out;
		}
		r->pt = rb->pt;
		r->ptlen = 1 + 2 * r->crv->flen;
		ret = 0;
		goto out;
	}
	if (!EVP_PKEY_is_a(pk, "RSA")) {
		const char *t = EVP_PKEY_get0_type_name(pk);
		seterr(err, errlen,
		       "key type %s refused (EC P-256, P-384, P-521 or RSA)",
		       t ? t : "unknown");
		goto out;
	}
	r->kty = BLOB_KTY_RSA;
	if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &x) != 1 ||
	    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &y) != 1) {
		seterr(err, errlen, "cannot read the RSA key");
		goto out;
	}
	bits = BN_num_bits(x);
	if (bits > SV_RSA_MAX_BITS) {
		seterr(err, errlen, "RSA key larger than %d bits refused",
		       SV_RSA_MAX_BITS);
		goto out;
	}
	if (BN_num_bytes(y) > RSA_ELEN_MAX) {
		seterr(err, errlen,
		       "unsupported RSA public exponent (odd, 3 to 2^32-1)");
		goto out;
	}
	r->nlen = (size_t)BN_bn2bin(x, rb->n);
	r->elen = (size_t)BN_bn2bin(y, rb->e);
	r->n = rb->n;
	r->e = rb->e;
	/* sizes and the rest are checked by raw_check, with messages */
	ret = 0;
out:
	BN_free(x);
	BN_free(y);
	return ret;
}

int sv_key_import_pem(const char *pem, size_t len, const char *alg,
		      const char *kid, struct sv_key *out, char *err,
		      size_t errlen)
{
	char label[64];
	uint8_t *der = NULL;
	size_t derlen = 0, left;
	const unsigned char *p;
	OSSL_DECODER_CTX *dctx = NULL;
	EVP_PKEY *pk = NULL;
	struct rawbuf rb;
	bool pkcs1;
	int ret = -EINVAL;

	memset(out, 0, sizeof(*out));
	ERR_set_mark();
	if (!pem) {
		seterr(err, errlen, "no key");
		goto out;
	}
	/* a private key must not be registered (or be copied around with
	 * the idea that it is a public one): say so rather than "trailing
	 * data", whatever else the file holds */
	if (contains(pem, len, "PRIVATE KEY")) {
		seterr(err, errlen,
		       "this is a private key: register the public key "
		       "(openssl pkey -pubout)");
		goto out;
	}
	ret = pem_unwrap(pem, len, label, &der, &derlen, err, errlen);
	if (ret < 0)
		goto out;
	ret = -EINVAL;
	if (strcmp(label, "PUBLIC KEY") == 0) {
		pkcs1 = false;
	} else if (strcmp(label, "RSA PUBLIC KEY") == 0) {
		pkcs1 = true;
	} else {
		seterr(err, errlen,
		       "PEM block \"%s\" is not a public key (want PUBLIC KEY "
		       "or RSA PUBLIC KEY)",
		       label);
		goto out;
	}
	dctx = OSSL_DECODER_CTX_new_for_pkey(
	    &pk, "DER", pkcs1 ? "type-specific" : "SubjectPublicKeyInfo",
	    pkcs1 ? "RSA" : NULL, EVP_PKEY_PUBLIC_KEY, NULL, NULL);
	if (!dctx) {
		ret = -ENOMEM;
		seterr(err, errlen, "out of memory");
		goto out;
	}
	p = der;
	left = derlen;
	if (OSSL_DECODER_from_data(dctx, &p, &left) != 1 || !pk) {
		seterr(err, errlen, "not a valid %s",
		       pkcs1 ? "PKCS#1 RSA public key"
			     : "SubjectPublicKeyInfo public key");
		goto out;
	}
	if (left) {
		seterr(err, errlen, "trailing data inside the PEM block");
		goto out;
	}
	ret = pkey_to_raw(pk, &rb, err, errlen);
	if (ret < 0)
		goto out;
	ret = key_make(&rb.r, alg, kid, out, err, errlen);
out:
	if (ret < 0)
		sv_key_free(out);
	OSSL_DECODER_CTX_free(dctx);
	EVP_PKEY_free(pk);
	free(der);
	ERR_pop_to_mark();
	return ret;
}

/* ---------------------------------------------------------------- JWK */

/* A base64url member decoded into buf; leading zero bytes dropped when
 * strip (RFC 7518 forbids them in n and e, but some libraries emit one). */
static int jwk_bytes(json_t *o, const char *name, uint8_t *buf, size_t cap,
		     bool strip, const uint8_t **p, size_t *len, char *err,
		     size_t errlen)
{
	json_t *v = json_object_get(o, name);
	const char *s = json_string_value(v);
	size_t n = 0;
	int r;

	if (!s) {
		seterr(err, errlen, "\"%s\" %s", name,
		       v ? "must be a string" : "is missing");
		return -EINVAL;
	}
	r = sv_b64url_decode(s, json_string_length(v), buf, cap, &n);
	if (r == -ENOSPC) {
		seterr(err, errlen, "\"%s\" is too long", name);
		return -EINVAL;
	}
	if (r < 0) {
		seterr(err, errlen, "\"%s\" is not canonical base64url", name);
		return -EINVAL;
	}
	if (n == 0) {
		seterr(err, errlen, "\"%s\" is empty", name);
		return -EINVAL;
	}
	*p = buf;
	while (strip && n > 1 && (*p)[0] == 0) {
		(*p)++;
		n--;
	}
	*len = n;
	return 0;
}

/* A member that must be a string when present; NULL when absent. */
static int jwk_opt_string(json_t *o, const char *name, const char **out,
			  char *err, size_t errlen)
{
	json_t *v = json_object_get(o, name);

	*out = NULL;
	if (!v)
		return 0;
	*out = json_string_value(v);
	if (!*out) {
		seterr(err, errlen, "\"%s\" must be a string", name);
		return -EINVAL;
	}
	return 0;
}

static int jwk_obj_import(json_t *o, const char *alg, const char *kid,
			  struct sv_key *out, char *err, size_t errlen)
{
	static const char *const priv[] = {"d",	 "p",  "q",   "dp",
					   "dq", "qi", "oth", "k"};
	struct rawbuf rb;
	struct raw *r = &rb.r;
	const char *kty, *use, *jalg, *jkid, *crv;
	json_t *ops;
	char q[40];

	memset(out, 0, sizeof(*out));
	memset(r, 0, sizeof(*r));
	if (!json_is_object(o)) {
		seterr(err, errlen, "a JWK must be a JSON object");
		return -EINVAL;
	}
	for (size_t i = 0; i < SV_ARRAY_SIZE(priv); i++) {
		if (json_object_get(o, priv[i])) {
			seterr(err, errlen,
			       "private key member \"%s\" refused: register "
			       "the public JWK",
			       priv[i]);
			return -EINVAL;
		}
	}
	if (jwk_opt_string(o, "kty", &kty, err, errlen) < 0 ||
	    jwk_opt_string(o, "use", &use, err, errlen) < 0 ||
	    jwk_opt_string(o, "alg", &jalg, err, errlen) < 0 ||
	    jwk_opt_string(o, "kid", &jkid, err, errlen) < 0)
		return -EINVAL;
	if (!kty) {
		seterr(err, errlen, "\"kty\" is missing");
		return -EINVAL;
	}
	if (use && strcmp(use, "sig") != 0) {
		seterr(err, errlen, "\"use\" is \"%s\", not \"sig\"",
		       quote(use, q, sizeof(q)));
		return -EINVAL;
	}
	ops = json_object_get(o, "key_ops");
	if (ops) {
		bool verify = false;
		size_t i;
		json_t *v;
		if (!json_is_array(ops)) {
			seterr(err, errlen, "\"key_ops\" must be an array");
			return -EINVAL;
		}
		json_array_foreach (ops, i, v) {
			const char *s = json_string_value(v);
			if (!s) {
				seterr(err, errlen,
				       "\"key_ops\" must hold strings");
				return -EINVAL;
			}
			if (strcmp(s, "verify") == 0)
				verify = true;
		}
		if (!verify) {
			seterr(err, errlen,
			       "\"key_ops\" does not allow \"verify\"");
			return -EINVAL;
		}
	}
	if (alg && jalg && strcmp(alg, jalg) != 0) {
		char q2[40];
		seterr(err, errlen,
		       "alg %s disagrees with the JWK's \"alg\" %s",
		       quote(alg, q, sizeof(q)), quote(jalg, q2, sizeof(q2)));
		return -EINVAL;
	}
	if (strcmp(kty, "EC") == 0) {
		const uint8_t *x, *y;
		size_t xl, yl;
		uint8_t xb[EC_FLEN_MAX + 1], yb[EC_FLEN_MAX + 1];
		if (jwk_opt_string(o, "crv", &crv, err, errlen) < 0)
			return -EINVAL;
		if (!crv) {
			seterr(err, errlen, "\"crv\" is missing");
			return -EINVAL;
		}
		r->kty = BLOB_KTY_EC;
		r->crv = curve_by_jwk(crv);
		if (!r->crv) {
			seterr(err, errlen,
			       "curve %s refused (P-256, P-384 or P-521)",
			       quote(crv, q, sizeof(q)));
			return -EINVAL;
		}
		if (jwk_bytes(o, "x", xb, sizeof(xb), false, &x, &xl, err,
			      errlen) < 0 ||
		    jwk_bytes(o, "y", yb, sizeof(yb), false, &y, &yl, err,
			      errlen) < 0)
			return -EINVAL;
		/* RFC 7518 6.2.1.2: the full coordinate size, always */
		if (xl != r->crv->flen || yl != r->crv->flen) {
			seterr(err, errlen,
			       "\"x\" and \"y\" must be %zu bytes for %s",
			       r->crv->flen, r->crv->jwk);
			return -EINVAL;
		}
		rb.pt[0] = 0x04;
		memcpy(rb.pt + 1, x, xl);
		memcpy(rb.pt + 1 + xl, y, yl);
		r->pt = rb.pt;
		r->ptlen = 1 + xl + yl;
	} else if (strcmp(kty, "RSA") == 0) {
		r->kty = BLOB_KTY_RSA;
		if (jwk_bytes(o, "n", rb.n, sizeof(rb.n), true, &r->n, &r->nlen,
			      err, errlen) < 0)
			return -EINVAL;
		if (jwk_bytes(o, "e", rb.e, sizeof(rb.e), true, &r->e, &r->elen,
			      err, errlen) < 0)
			return -EINVAL;
	} else {
		seterr(err, errlen,
		       "kty %s refused (EC P-256, P-384, P-521 or RSA)",
		       quote(kty, q, sizeof(q)));
		return -EINVAL;
	}
	return key_make(r, alg ? alg : jalg, kid ? kid : jkid, out, err,
			errlen);
}

static json_t *json_parse(const char *s, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	json_t *j;

	if (!s) {
		seterr(err, errlen, "no JSON");
		return NULL;
	}
	j = json_loadb(s, len, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		seterr(err, errlen, "invalid JSON (line %d, column %d): %s",
		       je.line, je.column, je.text);
	return j;
}

int sv_key_import_jwk(const char *json, size_t len, const char *alg,
		      const char *kid, struct sv_key *out, char *err,
		      size_t errlen)
{
	json_t *j;
	int ret;

	memset(out, 0, sizeof(*out));
	j = json_parse(json, len, err, errlen);
	if (!j)
		return -EINVAL;
	ret = jwk_obj_import(j, alg, kid, out, err, errlen);
	json_decref(j);
	return ret;
}

/* The "keys" array of a JWKS (1 to JWKS_MAX entries): 0 with the parsed
 * document *j (json_decref it), its array *arr and a zeroed array of as
 * many keys *keys (sv_keys_free it); -EINVAL or -ENOMEM with the reason,
 * nothing to free. */
static int jwks_begin(const char *json, size_t len, json_t **j, json_t **arr,
		      struct sv_key **keys, char *err, size_t errlen)
{
	size_t cnt;
	int ret = -EINVAL;

	*keys = NULL;
	*j = json_parse(json, len, err, errlen);
	if (!*j)
		return -EINVAL;
	*arr = json_object_get(*j, "keys");
	if (!json_is_object(*j) || !json_is_array(*arr)) {
		seterr(err, errlen,
		       "a JWKS must be an object with a \"keys\" array");
		goto out;
	}
	cnt = json_array_size(*arr);
	if (cnt == 0 || cnt > JWKS_MAX) {
		seterr(err, errlen, "a JWKS must hold 1 to %d keys", JWKS_MAX);
		goto out;
	}
	*keys = calloc(cnt, sizeof(**keys));
	if (!*keys) {
		ret = -ENOMEM;
		seterr(err, errlen, "out of memory");
		goto out;
	}
	return 0;
out:
	json_decref(*j);
	*j = NULL;
	return ret;
}

/* The end of an import begun by jwks_begin: on success (ret 0) the caller
 * gets the got keys, else the got keys imported so far are freed. */
static int jwks_end(int ret, json_t *j, struct sv_key *keys, size_t got,
		    struct sv_key **out, size_t *n)
{
	if (ret == 0) {
		*out = keys;
		*n = got;
	} else {
		sv_keys_free(keys, got);
	}
	json_decref(j);
	return ret;
}

/* The first of keys[0..last) with the kid of keys[last], or last if none:
 * kids choose among an account's keys, they must be unique. */
static size_t kid_taken(const struct sv_key *keys, size_t last)
{
	size_t k = 0;
	while (k < last && strcmp(keys[k].kid, keys[last].kid) != 0)
		k++;
	return k;
}

int sv_key_import_jwks(const char *json, size_t len, struct sv_key **out,
		       size_t *n, char *err, size_t errlen)
{
	struct sv_key *keys = NULL;
	json_t *j, *arr;
	size_t cnt = 0, done = 0, k;
	char sub[256];
	int ret;

	*out = NULL;
	*n = 0;
	ret = jwks_begin(json, len, &j, &arr, &keys, err, errlen);
	if (ret < 0)
		return ret;
	cnt = json_array_size(arr);
	for (done = 0; done < cnt; done++) {
		ret = jwk_obj_import(json_array_get(arr, done), NULL, NULL,
				     &keys[done], sub, sizeof(sub));
		if (ret < 0) {
			seterr(err, errlen, "keys[%zu]: %s", done, sub);
			goto out;
		}
		k = kid_taken(keys, done);
		if (k < done) {
			ret = -EINVAL;
			seterr(err, errlen,
			       "keys[%zu]: duplicate kid (as keys[%zu])", done,
			       k);
			done++;
			goto out;
		}
	}
	ret = 0;
out:
	return jwks_end(ret, j, keys, done, out, n);
}

int sv_key_import_jwk_obj(json_t *o, const char *alg, const char *kid,
			  struct sv_key *out, char *err, size_t errlen)
{
	return jwk_obj_import(o, alg, kid, out, err, errlen);
}

/* Whether an IdP's JWK is meant for something else than signatures we can
 * check: an encryption key, a symmetric or OKP key, an alg we do not do.
 * Such keys are skipped, not refused (Keycloak publishes its RSA-OAEP key
 * beside the signing key). */
static bool jwk_other_purpose(json_t *o)
{
	const char *use = json_string_value(json_object_get(o, "use"));
	const char *kty = json_string_value(json_object_get(o, "kty"));
	const char *alg = json_string_value(json_object_get(o, "alg"));

	if (use && strcmp(use, "sig") != 0)
		return true;
	if (!kty || (strcmp(kty, "RSA") != 0 && strcmp(kty, "EC") != 0))
		return true;
	return alg && sv_alg_from_name(alg) == SV_ALG_NONE;
}

int sv_key_import_jwks_usable(const char *json, size_t len, struct sv_key **out,
			      size_t *n, size_t *skipped, char *err,
			      size_t errlen)
{
	struct sv_key *keys = NULL;
	json_t *j, *arr, *o;
	size_t got = 0, idx, k;
	char sub[256];
	int ret;

	*out = NULL;
	*n = 0;
	*skipped = 0;
	ret = jwks_begin(json, len, &j, &arr, &keys, err, errlen);
	if (ret < 0)
		return ret;
	ret = -EINVAL;
	json_array_foreach (arr, idx, o) {
		if (!json_is_object(o)) {
			seterr(err, errlen, "keys[%zu]: not a JSON object",
			       idx);
			goto out;
		}
		if (jwk_other_purpose(o)) {
			(*skipped)++;
			continue;
		}
		/* a signing key we cannot use is an error, not a skip: a
		 * broken IdP answer must not silently shrink the set */
		ret =
		    jwk_obj_import(o, NULL, NULL, &keys[got], sub, sizeof(sub));
		if (ret < 0) {
			seterr(err, errlen, "keys[%zu]: %s", idx, sub);
			goto out;
		}
		got++;
		ret = -EINVAL;
		k = kid_taken(keys, got - 1);
		if (k < got - 1) {
			seterr(err, errlen, "keys[%zu]: duplicate kid \"%s\"",
			       idx, keys[k].kid);
			goto out;
		}
	}
	if (got == 0) {
		seterr(err, errlen,
		       "no usable signing key (EC P-256/384/521 or RSA "
		       "2048-8192 with use \"sig\")");
		goto out;
	}
	ret = 0;
out:
	return jwks_end(ret, j, keys, got, out, n);
}

/* ------------------------------------------------------------- export */

json_t *sv_key_blob_to_jwk(const uint8_t *blob, size_t len, const char *kid)
{
	struct b64params p;
	struct raw r;
	enum sv_alg a;
	json_t *o = NULL, *ret = NULL;

	if (blob_parse(blob, len, &r, &a) < 0 || raw_b64(&r, &p) < 0)
		goto out;
	if (r.kty == BLOB_KTY_EC)
		o = json_pack("{s:s, s:s, s:s, s:s}", "kty", "EC", "crv",
			      r.crv->jwk, "x", p.a, "y", p.b);
	else
		o = json_pack("{s:s, s:s, s:s}", "kty", "RSA", "n", p.a, "e",
			      p.b);
	if (!o)
		goto out;
	if (json_object_set_new(o, "alg", json_string(sv_alg_name(a))) < 0 ||
	    json_object_set_new(o, "use", json_string("sig")) < 0)
		goto out;
	/* json_string refuses invalid UTF-8, and then set_new fails */
	if (kid && json_object_set_new(o, "kid", json_string(kid)) < 0)
		goto out;
	ret = SV_TAKE_PTR(o);
out:
	json_decref(o);
	return ret;
}

char *sv_key_blob_to_pem(const uint8_t *blob, size_t len)
{
	EVP_PKEY *pk = NULL;
	BIO *bio = NULL;
	char *data = NULL, *ret = NULL;
	long dlen;
	size_t cap;

	ERR_set_mark();
	if (sv_key_load(blob, len, &pk, NULL) < 0)
		goto out;
	bio = BIO_new(BIO_s_mem());
	if (!bio || PEM_write_bio_PUBKEY(bio, pk) != 1)
		goto out;
	dlen = BIO_get_mem_data(bio, &data);
	if (dlen <= 0 || sv_add_overflow((size_t)dlen, 1, &cap))
		goto out;
	ret = malloc(cap);
	if (!ret)
		goto out;
	memcpy(ret, data, (size_t)dlen);
	ret[dlen] = '\0';
out:
	BIO_free(bio);
	EVP_PKEY_free(pk);
	ERR_pop_to_mark();
	return ret;
}
