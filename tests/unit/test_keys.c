/* SPDX-License-Identifier: MIT */
/* Unit tests: public key import (PEM, JWK, JWKS), alg binding, the key
 * blob and its loader (keys.h). Fixtures: tests/unit/data/README.md. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "b64.h"
#include "keys.h"

/* RFC 7638 section 3.1: an RSA JWK and its thumbprint (also the RSA key
 * of RFC 7517 appendix A.1). */
#define RFC_N                                                                  \
	"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1R" \
	"K7"                                                                   \
	"aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-"              \
	"5JsGY4Hc5n9yBX"                                                       \
	"Arwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_"                                 \
	"FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c"                                   \
	"7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-"                      \
	"bFTWhAI4vMQFh6WeZu0fM4l"                                              \
	"Fd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
#define RFC_THUMB "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
#define RFC_RSA_JWK                                                            \
	"{\"kty\":\"RSA\",\"n\":\"" RFC_N                                      \
	"\",\"e\":\"AQAB\",\"alg\":\"RS256\","                                 \
	"\"kid\":\"2011-04-29\"}"
/* the same key with the required members only (no alg, no kid) */
#define RFC_RSA_JWK_BARE "{\"kty\":\"RSA\",\"n\":\"" RFC_N "\",\"e\":\"AQAB\"}"
#define RFC_RSA_JWK_NOKID                                                      \
	"{\"kty\":\"RSA\",\"n\":\"" RFC_N "\",\"e\":\"AQAB\",\"alg\":"         \
	"\"RS256\"}"
/* RFC 7517 appendix A.1 / A.2: an EC P-256 key and its private part. */
#define RFC_EC_X "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4"
#define RFC_EC_Y "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"
#define RFC_EC_D "870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE"
#define RFC_EC_JWK(extra)                                                      \
	"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" RFC_EC_X                  \
	"\",\"y\":\"" RFC_EC_Y "\"" extra "}"

#define ERRLEN 256

/* ----------------------------------------------------------- helpers */

static char *read_path(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) < 0) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = (size_t)n;
	}
	return buf;
}

/* A fixture from tests/unit/data: under $top_srcdir when make check runs
 * the test, else beside this source file (its path as the compiler saw it,
 * relative to the build directory), else relative to the cwd. */
static char *fixture(const char *name, size_t *len)
{
	const char *top = getenv("top_srcdir");
	char path[4096], dir[1024];
	char *p, *slash;

	if (top) {
		snprintf(path, sizeof(path), "%s/tests/unit/data/%s", top,
			 name);
		if ((p = read_path(path, len)))
			return p;
	}
	snprintf(dir, sizeof(dir), "%s", __FILE__);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		snprintf(path, sizeof(path), "%s/data/%s", dir, name);
		if ((p = read_path(path, len)))
			return p;
	}
	snprintf(path, sizeof(path), "tests/unit/data/%s", name);
	p = read_path(path, len);
	if (!p)
		fail_msg("fixture %s not found (set top_srcdir)", name);
	return p;
}

static EVP_PKEY *fixture_pkey(const char *name, bool priv)
{
	size_t len;
	char *pem = fixture(name, &len);
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *pk;

	assert_non_null(b);
	pk = priv ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL)
		  : PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
	assert_non_null(pk);
	BIO_free(b);
	free(pem);
	return pk;
}

static char *bio_string(BIO *b)
{
	char *data, *s;
	long n = BIO_get_mem_data(b, &data);

	assert_true(n > 0);
	s = malloc((size_t)n + 1);
	assert_non_null(s);
	memcpy(s, data, (size_t)n);
	s[n] = '\0';
	return s;
}

static char *pub_pem(EVP_PKEY *pk)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *s;

	assert_non_null(b);
	assert_int_equal(PEM_write_bio_PUBKEY(b, pk), 1);
	s = bio_string(b);
	BIO_free(b);
	return s;
}

static char *priv_pem(EVP_PKEY *pk, bool traditional)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *s;

	assert_non_null(b);
	if (traditional)
		assert_int_equal(PEM_write_bio_PrivateKey_traditional(
				     b, pk, NULL, NULL, 0, NULL, NULL),
				 1);
	else
		assert_int_equal(
		    PEM_write_bio_PrivateKey(b, pk, NULL, NULL, 0, NULL, NULL),
		    1);
	s = bio_string(b);
	BIO_free(b);
	return s;
}

static EVP_PKEY *gen_ec(const char *curve)
{
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);

	assert_non_null(pk);
	return pk;
}

static int import_pem(const char *pem, const char *alg, const char *kid,
		      struct sv_key *k, char *err)
{
	err[0] = '\0';
	return sv_key_import_pem(pem, strlen(pem), alg, kid, k, err, ERRLEN);
}

static int import_jwk(const char *json, const char *alg, const char *kid,
		      struct sv_key *k, char *err)
{
	err[0] = '\0';
	return sv_key_import_jwk(json, strlen(json), alg, kid, k, err, ERRLEN);
}

/* A refusal: -EINVAL, a reason, nothing handed out. */
static void assert_refused_pem(const char *pem, size_t len, const char *alg)
{
	struct sv_key k;
	char err[ERRLEN] = "";

	memset(&k, 0x5a, sizeof(k));
	assert_int_equal(
	    sv_key_import_pem(pem, len, alg, NULL, &k, err, sizeof(err)),
	    -EINVAL);
	assert_true(strlen(err) > 0);
	assert_null(k.blob);
	assert_int_equal(k.bloblen, 0);
}

static void assert_refused_jwk(const char *json, const char *alg)
{
	struct sv_key k;
	char err[ERRLEN] = "";

	memset(&k, 0x5a, sizeof(k));
	assert_int_equal(import_jwk(json, alg, NULL, &k, err), -EINVAL);
	assert_true(strlen(err) > 0);
	assert_null(k.blob);
}

static void assert_refused_jwks(const char *json)
{
	struct sv_key *keys = (struct sv_key *)1;
	size_t n = 99;
	char err[ERRLEN] = "";

	assert_int_equal(
	    sv_key_import_jwks(json, strlen(json), &keys, &n, err, sizeof(err)),
	    -EINVAL);
	assert_true(strlen(err) > 0);
	assert_null(keys);
	assert_int_equal(n, 0);
}

/* PSS padding with a salt as long as the digest (RFC 7518 3.5) on the
 * signing or verifying context pctx. */
static void set_pss(EVP_PKEY_CTX *pctx)
{
	assert_true(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) >
		    0);
	assert_true(
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0);
}

/* Sign with priv (the alg's hash and padding), verify with the key loaded
 * from the blob; a changed message must not verify. */
static void sign_verify(EVP_PKEY *priv, const struct sv_key *k)
{
	static const char msg[] = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJib3QifQ";
	const char *md;
	bool pss = false;
	EVP_PKEY *pub = NULL;
	EVP_MD_CTX *sctx, *vctx;
	EVP_PKEY_CTX *pctx = NULL;
	enum sv_alg alg;
	unsigned char sig[1200];
	size_t siglen = sizeof(sig);
	char bad[sizeof(msg)];

	switch (k->alg) {
	case SV_ALG_ES256:
	case SV_ALG_RS256: md = "SHA256"; break;
	case SV_ALG_ES384:
	case SV_ALG_RS384: md = "SHA384"; break;
	case SV_ALG_ES512:
	case SV_ALG_RS512: md = "SHA512"; break;
	case SV_ALG_PS256:
		md = "SHA256";
		pss = true;
		break;
	case SV_ALG_PS384:
		md = "SHA384";
		pss = true;
		break;
	case SV_ALG_PS512:
		md = "SHA512";
		pss = true;
		break;
	default: fail(); return;
	}
	assert_int_equal(sv_key_load(k->blob, k->bloblen, &pub, &alg), 0);
	assert_int_equal(alg, k->alg);
	assert_true(sv_key_fits_alg(pub, alg));
	/* the loaded key is the signer's public key */
	assert_int_equal(EVP_PKEY_eq(pub, priv), 1);

	sctx = EVP_MD_CTX_new();
	vctx = EVP_MD_CTX_new();
	assert_non_null(sctx);
	assert_non_null(vctx);
	assert_int_equal(
	    EVP_DigestSignInit_ex(sctx, &pctx, md, NULL, NULL, priv, NULL), 1);
	if (pss)
		set_pss(pctx);
	assert_int_equal(EVP_DigestSign(sctx, sig, &siglen,
					(const unsigned char *)msg,
					sizeof(msg) - 1),
			 1);
	assert_int_equal(
	    EVP_DigestVerifyInit_ex(vctx, &pctx, md, NULL, NULL, pub, NULL), 1);
	if (pss)
		set_pss(pctx);
	assert_int_equal(EVP_DigestVerify(vctx, sig, siglen,
					  (const unsigned char *)msg,
					  sizeof(msg) - 1),
			 1);
	memcpy(bad, msg, sizeof(msg));
	bad[3] ^= 1;
	assert_int_equal(
	    EVP_DigestVerifyInit_ex(vctx, &pctx, md, NULL, NULL, pub, NULL), 1);
	if (pss)
		assert_true(EVP_PKEY_CTX_set_rsa_padding(
				pctx, RSA_PKCS1_PSS_PADDING) > 0);
	assert_int_not_equal(EVP_DigestVerify(vctx, sig, siglen,
					      (const unsigned char *)bad,
					      sizeof(bad) - 1),
			     1);
	ERR_clear_error();
	EVP_MD_CTX_free(sctx);
	EVP_MD_CTX_free(vctx);
	EVP_PKEY_free(pub);
}

static bool same_blob(const struct sv_key *a, const struct sv_key *b)
{
	return a->bloblen == b->bloblen &&
	       memcmp(a->blob, b->blob, a->bloblen) == 0;
}

/* b, imported from another form of a's key, is that key: the same blob.
 * b is freed. */
static void expect_same_key(const struct sv_key *a, struct sv_key *b)
{
	assert_true(same_blob(a, b));
	sv_key_free(b);
}

/* A public JWK built straight from a key's parameters (not through the
 * code under test's exporter). */
static char *ec_jwk_of(EVP_PKEY *pk, const char *crv, size_t flen,
		       const char *extra)
{
	BIGNUM *x = NULL, *y = NULL;
	uint8_t xb[66], yb[66];
	char xs[100], ys[100], *out;
	size_t cap = 512;

	assert_int_equal(
	    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_X, &x), 1);
	assert_int_equal(
	    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_Y, &y), 1);
	assert_int_equal(BN_bn2binpad(x, xb, (int)flen), (int)flen);
	assert_int_equal(BN_bn2binpad(y, yb, (int)flen), (int)flen);
	assert_int_equal(sv_b64url_encode(xb, flen, xs, sizeof(xs)), 0);
	assert_int_equal(sv_b64url_encode(yb, flen, ys, sizeof(ys)), 0);
	out = malloc(cap);
	assert_non_null(out);
	snprintf(out, cap,
		 "{\"kty\":\"EC\",\"crv\":\"%s\",\"x\":\"%s\",\"y\":\"%s\"%s}",
		 crv, xs, ys, extra);
	BN_free(x);
	BN_free(y);
	return out;
}

/* An RSA JWK with the given modulus bytes and exponent string. */
static char *rsa_jwk_raw(const uint8_t *n, size_t nlen, const char *e)
{
	char *ns = sv_b64url_encode_alloc(n, nlen), *out;
	size_t cap;

	assert_non_null(ns);
	cap = strlen(ns) + 100;
	out = malloc(cap);
	assert_non_null(out);
	snprintf(out, cap, "{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"%s\"}", ns,
		 e);
	free(ns);
	return out;
}

/* import_jwk of rsa_jwk_raw(n, nlen, e) */
static int import_rsa_jwk(const uint8_t *n, size_t nlen, const char *e,
			  const char *alg, struct sv_key *k, char *err)
{
	char *jwk = rsa_jwk_raw(n, nlen, e);
	int r = import_jwk(jwk, alg, NULL, k, err);
	free(jwk);
	return r;
}

/* ------------------------------------------------------------- tests */

static void test_alg_names(void **state)
{
	static const char *const names[] = {"ES256", "ES384", "ES512",
					    "RS256", "RS384", "RS512",
					    "PS256", "PS384", "PS512"};

	(void)state;
	for (int a = SV_ALG_NONE + 1; a < SV_ALG_COUNT; a++) {
		assert_string_equal(sv_alg_name((enum sv_alg)a), names[a - 1]);
		assert_int_equal(sv_alg_from_name(names[a - 1]), a);
	}
	assert_null(sv_alg_name(SV_ALG_NONE));
	assert_null(sv_alg_name(SV_ALG_COUNT));
	assert_null(sv_alg_name((enum sv_alg) - 1));
	assert_int_equal(sv_alg_from_name("none"), SV_ALG_NONE);
	assert_int_equal(sv_alg_from_name("HS256"), SV_ALG_NONE);
	assert_int_equal(sv_alg_from_name("es256"), SV_ALG_NONE);
	assert_int_equal(sv_alg_from_name("ES256 "), SV_ALG_NONE);
	assert_int_equal(sv_alg_from_name("EdDSA"), SV_ALG_NONE);
	assert_int_equal(sv_alg_from_name(""), SV_ALG_NONE);
	assert_int_equal(sv_alg_from_name(NULL), SV_ALG_NONE);
}

static void test_pem_ec_curves(void **state)
{
	static const struct {
		const char *curve;
		enum sv_alg alg;
		unsigned bits;
		size_t bloblen;
	} v[] = {{"P-256", SV_ALG_ES256, 256, 71},
		 {"P-384", SV_ALG_ES384, 384, 103},
		 {"P-521", SV_ALG_ES512, 521, 139}};
	char err[ERRLEN], tp[44];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		EVP_PKEY *pk = gen_ec(v[i].curve);
		char *pem = pub_pem(pk);
		struct sv_key k;

		assert_int_equal(import_pem(pem, NULL, NULL, &k, err), 0);
		assert_int_equal(k.alg, v[i].alg);
		assert_int_equal(k.bits, v[i].bits);
		assert_int_equal(k.bloblen, v[i].bloblen);
		/* no kid given: the thumbprint */
		assert_int_equal(sv_key_thumbprint(k.blob, k.bloblen, tp), 0);
		assert_string_equal(k.kid, tp);
		assert_int_equal(strlen(tp), 43);
		sign_verify(pk, &k);
		sv_key_free(&k);

		/* the alg named explicitly */
		assert_int_equal(
		    import_pem(pem, sv_alg_name(v[i].alg), "k1", &k, err), 0);
		assert_int_equal(k.alg, v[i].alg);
		assert_string_equal(k.kid, "k1");
		sv_key_free(&k);
		free(pem);
		EVP_PKEY_free(pk);
	}
}

static void test_pem_rsa_sizes(void **state)
{
	static const struct {
		const char *pub, *priv;
		unsigned bits;
	} v[] = {{"rsa2048.pub.pem", "rsa2048.key.pem", 2048},
		 {"rsa3072.pub.pem", "rsa3072.key.pem", 3072},
		 {"rsa4096.pub.pem", "rsa4096.key.pem", 4096}};
	static const char *const algs[] = {"RS256", "RS384", "RS512",
					   "PS256", "PS384", "PS512"};
	char err[ERRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t len;
		char *pem = fixture(v[i].pub, &len);
		EVP_PKEY *priv = fixture_pkey(v[i].priv, true);
		struct sv_key k;

		assert_int_equal(import_pem(pem, NULL, NULL, &k, err), 0);
		assert_int_equal(k.alg, SV_ALG_RS256);
		assert_int_equal(k.bits, v[i].bits);
		/* 7 header bytes, n, e's length and 3 bytes of 65537 */
		assert_int_equal(k.bloblen, 7 + v[i].bits / 8 + 1 + 3);
		sign_verify(priv, &k);
		sv_key_free(&k);
		for (size_t a = 0; a < sizeof(algs) / sizeof(algs[0]); a++) {
			assert_int_equal(
			    import_pem(pem, algs[a], NULL, &k, err), 0);
			assert_string_equal(sv_alg_name(k.alg), algs[a]);
			if (i == 0)
				sign_verify(priv, &k);
			sv_key_free(&k);
		}
		EVP_PKEY_free(priv);
		free(pem);
	}
}

static void test_pem_forms(void **state)
{
	struct sv_key a, b;
	char err[ERRLEN], *pem, *crlf;
	size_t len, j = 0;
	EVP_PKEY *pk;

	(void)state;
	/* PKCS#1 RSA PUBLIC KEY: the same key, the same blob */
	pem = fixture("rsa2048.pub.pem", &len);
	assert_int_equal(import_pem(pem, NULL, NULL, &a, err), 0);
	/* CRLF line ends and surrounding blank lines are fine */
	crlf = malloc(2 * len + 8);
	assert_non_null(crlf);
	crlf[j++] = '\n';
	for (size_t i = 0; i < len; i++) {
		if (pem[i] == '\n')
			crlf[j++] = '\r';
		crlf[j++] = pem[i];
	}
	crlf[j++] = '\n';
	crlf[j] = '\0';
	assert_int_equal(import_pem(crlf, NULL, NULL, &b, err), 0);
	expect_same_key(&a, &b);
	/* no final newline */
	pem[len - 1] = '\0';
	assert_int_equal(import_pem(pem, NULL, NULL, &b, err), 0);
	expect_same_key(&a, &b);
	free(crlf);
	free(pem);
	pem = fixture("rsa2048.pkcs1.pem", &len);
	assert_int_equal(import_pem(pem, NULL, NULL, &b, err), 0);
	assert_true(same_blob(&a, &b));
	assert_string_equal(a.kid, b.kid);
	sv_key_free(&a);
	sv_key_free(&b);
	free(pem);

	/* a compressed point gives the same (uncompressed) blob */
	pk = gen_ec("P-256");
	pem = pub_pem(pk);
	assert_int_equal(import_pem(pem, NULL, NULL, &a, err), 0);
	free(pem);
	assert_int_equal(
	    EVP_PKEY_set_utf8_string_param(
		pk, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "compressed"),
	    1);
	pem = pub_pem(pk);
	assert_true(strlen(pem) < 150);
	assert_int_equal(import_pem(pem, NULL, NULL, &b, err), 0);
	expect_same_key(&a, &b);
	sv_key_free(&a);
	free(pem);
	EVP_PKEY_free(pk);

	/* explicit parameters that are P-256's are P-256 */
	pem = fixture("p256-explicit.pub.pem", &len);
	assert_int_equal(import_pem(pem, NULL, NULL, &a, err), 0);
	assert_int_equal(a.alg, SV_ALG_ES256);
	assert_int_equal(a.bloblen, 71);
	sv_key_free(&a);
	free(pem);
}

static void test_pem_refused_keys(void **state)
{
	static const char *const files[] = {
	    "rsa2048.key.pem",	 "ec-p256.sec1.pem",  "rsa1024.pub.pem",
	    "p192.pub.pem",	 "secp256k1.pub.pem", "ed25519.pub.pem",
	    "rsapss2048.pub.pem"};
	struct sv_key k;
	char err[ERRLEN], *pem;
	size_t len;
	EVP_PKEY *pk;

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		pem = fixture(files[i], &len);
		assert_refused_pem(pem, len, NULL);
		free(pem);
	}
	/* the reasons are the right ones */
	pem = fixture("rsa1024.pub.pem", &len);
	assert_int_equal(import_pem(pem, NULL, NULL, &k, err), -EINVAL);
	assert_non_null(strstr(err, "1024"));
	free(pem);
	pem = fixture("secp256k1.pub.pem", &len);
	assert_int_equal(import_pem(pem, NULL, NULL, &k, err), -EINVAL);
	assert_non_null(strstr(err, "secp256k1"));
	free(pem);
	pem = fixture("ed25519.pub.pem", &len);
	assert_int_equal(import_pem(pem, NULL, NULL, &k, err), -EINVAL);
	assert_non_null(strstr(err, "ED25519"));
	free(pem);

	/* private keys in every PEM form, and a public key with a private
	 * one after it */
	pk = gen_ec("P-256");
	pem = priv_pem(pk, false);
	assert_non_null(strstr(pem, "BEGIN PRIVATE KEY"));
	assert_int_equal(import_pem(pem, NULL, NULL, &k, err), -EINVAL);
	assert_non_null(strstr(err, "private key"));
	free(pem);
	pem = priv_pem(pk, true);
	assert_non_null(strstr(pem, "BEGIN EC PRIVATE KEY"));
	assert_refused_pem(pem, strlen(pem), NULL);
	{
		char *pub = pub_pem(pk), *both;
		size_t n = strlen(pub) + strlen(pem) + 1;
		both = malloc(n);
		assert_non_null(both);
		snprintf(both, n, "%s%s", pub, pem);
		assert_int_equal(import_pem(both, NULL, NULL, &k, err),
				 -EINVAL);
		assert_non_null(strstr(err, "private key"));
		free(both);
		free(pub);
	}
	free(pem);
	EVP_PKEY_free(pk);
}

static void test_pem_refused_text(void **state)
{
	struct sv_key k;
	char err[ERRLEN], *pem, *buf;
	size_t len, n;

	(void)state;
	pem = fixture("rsa2048.pub.pem", &len);
	buf = malloc(len + 64);
	assert_non_null(buf);

	/* every truncation: only the final newline may go */
	for (size_t l = 0; l + 1 < len; l++)
		assert_refused_pem(pem, l, NULL);

	/* trailing garbage */
	n = (size_t)snprintf(buf, len + 64, "%sx", pem);
	assert_int_equal(
	    sv_key_import_pem(buf, n, NULL, NULL, &k, err, sizeof(err)),
	    -EINVAL);
	assert_non_null(strstr(err, "trailing"));
	n = (size_t)snprintf(buf, len + 64, "%s\n\n# comment\n", pem);
	assert_refused_pem(buf, n, NULL);
	/* a NUL after the block is trailing data too */
	memcpy(buf, pem, len);
	buf[len] = '\0';
	assert_refused_pem(buf, len + 1, NULL);
	free(buf);

	/* two public keys */
	buf = malloc(2 * len + 1);
	assert_non_null(buf);
	memcpy(buf, pem, len);
	memcpy(buf + len, pem, len);
	assert_refused_pem(buf, 2 * len, NULL);

	/* text before the block */
	n = (size_t)snprintf(buf, 2 * len + 1, "key:\n%s", pem);
	assert_refused_pem(buf, n, NULL);

	/* a changed body character, a space, a bad END label */
	memcpy(buf, pem, len + 1);
	buf[40] = '*';
	assert_refused_pem(buf, len, NULL);
	memcpy(buf, pem, len + 1);
	buf[40] = ' ';
	assert_refused_pem(buf, len, NULL);
	memcpy(buf, pem, len + 1);
	memcpy(strstr(buf, "END PUBLIC") + 4, "PUBLIK", 6);
	assert_refused_pem(buf, len, NULL);
	/* a base64 character removed (wrong length) */
	memcpy(buf, pem, 40);
	memcpy(buf + 40, pem + 41, len - 41);
	assert_refused_pem(buf, len - 1, NULL);
	free(buf);
	free(pem);

	/* headers, other labels, nothing at all */
	static const char *const bad[] = {
	    "",
	    "garbage",
	    "\n\n\n",
	    "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n",
	    ("-----BEGIN PUBLIC KEY-----\nProc-Type: 4,ENCRYPTED\n\nMFkw\n"
	     "-----END PUBLIC KEY-----\n"),
	    "-----BEGIN CERTIFICATE-----\nMFkw\n-----END CERTIFICATE-----\n",
	    "-----BEGIN PUBLIC KEY-----\nMFkw\n",
	    "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n",
	    "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
	    "-----BEGIN PUBLIC KEY-----MFkw-----END PUBLIC KEY-----\n",
	    "-----BEGIN PUBLIC KEY-----\n\nMFkw\n-----END PUBLIC KEY-----\n",
	    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx1 bot@host\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_refused_pem(bad[i], strlen(bad[i]), NULL);
	assert_int_equal(
	    sv_key_import_pem(NULL, 0, NULL, NULL, &k, err, sizeof(err)),
	    -EINVAL);
}

/* DER that is well-formed but followed by bytes, inside the PEM. */
static void test_pem_der_trailing(void **state)
{
	EVP_PKEY *pk = gen_ec("P-256");
	unsigned char *der = NULL;
	int dl = i2d_PUBKEY(pk, &der);
	unsigned char *ext;
	BIO *b64, *mem;
	char *body, *pem;
	size_t n;
	struct sv_key k;
	char err[ERRLEN];

	(void)state;
	assert_true(dl > 0);
	ext = malloc((size_t)dl + 1);
	assert_non_null(ext);
	memcpy(ext, der, (size_t)dl);
	ext[dl] = 0;
	b64 = BIO_new(BIO_f_base64());
	mem = BIO_new(BIO_s_mem());
	BIO_push(b64, mem);
	assert_int_equal(BIO_write(b64, ext, dl + 1), dl + 1);
	assert_int_equal(BIO_flush(b64), 1);
	body = bio_string(mem);
	n = strlen(body) + 64;
	pem = malloc(n);
	assert_non_null(pem);
	snprintf(pem, n,
		 "-----BEGIN PUBLIC KEY-----\n%s-----END PUBLIC KEY-----\n",
		 body);
	assert_int_equal(import_pem(pem, NULL, NULL, &k, err), -EINVAL);
	assert_non_null(strstr(err, "trailing"));
	free(pem);
	free(body);
	BIO_free_all(b64);
	free(ext);
	OPENSSL_free(der);
	EVP_PKEY_free(pk);
}

static void test_pem_alg_fit(void **state)
{
	EVP_PKEY *p256 = gen_ec("P-256"), *p384 = gen_ec("P-384");
	char *e256 = pub_pem(p256), *e384 = pub_pem(p384), *rsa, *big;
	char err[ERRLEN];
	struct sv_key k;
	size_t len;

	(void)state;
	rsa = fixture("rsa2048.pub.pem", &len);
	assert_refused_pem(e256, strlen(e256), "ES384");
	assert_refused_pem(e256, strlen(e256), "ES512");
	assert_refused_pem(e256, strlen(e256), "RS256");
	assert_refused_pem(e256, strlen(e256), "PS256");
	assert_refused_pem(e384, strlen(e384), "ES256");
	assert_refused_pem(rsa, len, "ES256");
	/* names that are not an accepted alg */
	static const char *const bad[] = {"none",  "HS256", "HS512",
					  "es256", "Es256", "",
					  "EdDSA", "RS1",   "ES256\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_refused_pem(e256, strlen(e256), bad[i]);
		assert_refused_pem(rsa, len, bad[i]);
	}
	assert_int_equal(import_pem(e256, "ES384", NULL, &k, err), -EINVAL);
	assert_non_null(strstr(err, "P-384"));
	assert_int_equal(import_pem(e384, "ES384", NULL, &k, err), 0);
	sv_key_free(&k);
	/* RSA of 4096 bits fits every RS and PS alg */
	big = fixture("rsa4096.pub.pem", &len);
	assert_int_equal(import_pem(big, "PS512", NULL, &k, err), 0);
	sv_key_free(&k);
	free(big);
	free(rsa);
	free(e256);
	free(e384);
	EVP_PKEY_free(p256);
	EVP_PKEY_free(p384);
}

static void test_kid(void **state)
{
	EVP_PKEY *pk = gen_ec("P-256");
	char *pem = pub_pem(pk), long_kid[SV_KID_MAX + 2];
	char err[ERRLEN];
	struct sv_key k;

	(void)state;
	assert_int_equal(import_pem(pem, NULL, "ci-deploy-2025", &k, err), 0);
	assert_string_equal(k.kid, "ci-deploy-2025");
	sv_key_free(&k);
	memset(long_kid, 'k', sizeof(long_kid));
	long_kid[SV_KID_MAX] = '\0';
	assert_int_equal(import_pem(pem, NULL, long_kid, &k, err), 0);
	assert_string_equal(k.kid, long_kid);
	sv_key_free(&k);
	long_kid[SV_KID_MAX] = 'k';
	long_kid[SV_KID_MAX + 1] = '\0';
	assert_int_equal(import_pem(pem, NULL, long_kid, &k, err), -EINVAL);
	assert_int_equal(import_pem(pem, NULL, "", &k, err), -EINVAL);
	assert_int_equal(import_pem(pem, NULL, "a b", &k, err), -EINVAL);
	assert_int_equal(import_pem(pem, NULL, "a\nb", &k, err), -EINVAL);
	assert_int_equal(import_pem(pem, NULL, "caf\xc3\xa9", &k, err),
			 -EINVAL);
	free(pem);
	EVP_PKEY_free(pk);
}

static void test_jwk_accept(void **state)
{
	static const struct {
		const char *curve;
		size_t flen;
		enum sv_alg alg;
	} v[] = {{"P-256", 32, SV_ALG_ES256},
		 {"P-384", 48, SV_ALG_ES384},
		 {"P-521", 66, SV_ALG_ES512}};
	char err[ERRLEN];
	struct sv_key a, b;
	size_t len;

	(void)state;
	/* the same keys as PEM and as JWK give the same blob */
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		EVP_PKEY *pk = gen_ec(v[i].curve);
		char *pem = pub_pem(pk);
		char *jwk = ec_jwk_of(pk, v[i].curve, v[i].flen, "");
		assert_int_equal(import_pem(pem, NULL, NULL, &a, err), 0);
		assert_int_equal(import_jwk(jwk, NULL, NULL, &b, err), 0);
		assert_true(same_blob(&a, &b));
		assert_int_equal(b.alg, v[i].alg);
		assert_string_equal(a.kid, b.kid);
		sign_verify(pk, &b);
		sv_key_free(&a);
		sv_key_free(&b);
		free(jwk);
		free(pem);
		EVP_PKEY_free(pk);
	}
	/* the RFC's keys, with the members an IdP adds */
	assert_int_equal(import_jwk(RFC_RSA_JWK, NULL, NULL, &a, err), 0);
	assert_int_equal(a.alg, SV_ALG_RS256);
	assert_int_equal(a.bits, 2048);
	assert_string_equal(a.kid, "2011-04-29");
	sv_key_free(&a);
	assert_int_equal(
	    import_jwk(RFC_EC_JWK(",\"use\":\"sig\",\"kid\":\"1\","
				  "\"key_ops\":[\"verify\"],\"ext\":true,"
				  "\"x5t\":\"abc\""),
		       NULL, NULL, &a, err),
	    0);
	assert_int_equal(a.alg, SV_ALG_ES256);
	assert_string_equal(a.kid, "1");
	sv_key_free(&a);
	/* an RSA JWK with the one leading zero some libraries emit */
	{
		char *pem = fixture("rsa2048.pub.pem", &len);
		EVP_PKEY *pk = fixture_pkey("rsa2048.pub.pem", false);
		BIGNUM *n = NULL;
		uint8_t nb[257];
		assert_int_equal(
		    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &n), 1);
		assert_int_equal(BN_bn2binpad(n, nb, 257), 257);
		assert_int_equal(nb[0], 0);
		assert_int_equal(import_rsa_jwk(nb, 257, "AQAB", NULL, &a, err),
				 0);
		assert_int_equal(
		    import_rsa_jwk(nb + 1, 256, "AQAB", NULL, &b, err), 0);
		expect_same_key(&a, &b);
		assert_int_equal(import_pem(pem, NULL, NULL, &b, err), 0);
		expect_same_key(&a, &b);
		sv_key_free(&a);
		BN_free(n);
		EVP_PKEY_free(pk);
		free(pem);
	}
}

static void test_jwk_alg_and_kid(void **state)
{
	char err[ERRLEN], tp[44];
	struct sv_key k;

	(void)state;
	/* argument and JWK agree; argument alone; JWK alone */
	assert_int_equal(import_jwk(RFC_RSA_JWK, "RS256", NULL, &k, err), 0);
	sv_key_free(&k);
	assert_int_equal(import_jwk(RFC_EC_JWK(""), "ES256", NULL, &k, err), 0);
	sv_key_free(&k);
	assert_int_equal(import_jwk(RFC_RSA_JWK_BARE, "PS384", NULL, &k, err),
			 0);
	assert_int_equal(k.alg, SV_ALG_PS384);
	sv_key_free(&k);
	/* they disagree, even where the argument would fit the key */
	assert_int_equal(import_jwk(RFC_RSA_JWK, "PS256", NULL, &k, err),
			 -EINVAL);
	assert_non_null(strstr(err, "disagree"));
	assert_refused_jwk(RFC_EC_JWK(",\"alg\":\"ES256\""), "ES384");
	/* an alg that does not fit, from either side */
	assert_refused_jwk(RFC_EC_JWK(""), "ES384");
	assert_refused_jwk(RFC_EC_JWK(""), "RS256");
	assert_refused_jwk(RFC_EC_JWK(",\"alg\":\"ES512\""), NULL);
	assert_refused_jwk(RFC_EC_JWK(",\"alg\":\"RS256\""), NULL);
	assert_refused_jwk(RFC_RSA_JWK_NOKID, "ES256");
	/* refused names, in the JWK or as the argument */
	assert_refused_jwk(RFC_EC_JWK(",\"alg\":\"none\""), NULL);
	assert_refused_jwk(RFC_EC_JWK(",\"alg\":\"HS256\""), NULL);
	assert_refused_jwk(RFC_EC_JWK(",\"alg\":\"es256\""), NULL);
	assert_refused_jwk(RFC_EC_JWK(",\"alg\":\"es256\""), "es256");
	assert_refused_jwk(RFC_EC_JWK(",\"alg\":7"), NULL);
	assert_refused_jwk(RFC_EC_JWK(""), "none");
	assert_refused_jwk(RFC_EC_JWK(""), "HS256");
	assert_refused_jwk(RFC_EC_JWK(""), "es256");

	/* kid: argument, else the JWK's, else the thumbprint */
	assert_int_equal(import_jwk(RFC_RSA_JWK, NULL, "mine", &k, err), 0);
	assert_string_equal(k.kid, "mine");
	sv_key_free(&k);
	assert_int_equal(import_jwk(RFC_RSA_JWK, NULL, NULL, &k, err), 0);
	assert_string_equal(k.kid, "2011-04-29");
	sv_key_free(&k);
	assert_int_equal(import_jwk(RFC_RSA_JWK_NOKID, NULL, NULL, &k, err), 0);
	assert_string_equal(k.kid, RFC_THUMB);
	assert_int_equal(sv_key_thumbprint(k.blob, k.bloblen, tp), 0);
	assert_string_equal(tp, RFC_THUMB);
	sv_key_free(&k);
	assert_refused_jwk(RFC_EC_JWK(",\"kid\":\"\""), NULL);
	assert_refused_jwk(RFC_EC_JWK(",\"kid\":\"a b\""), NULL);
	assert_refused_jwk(RFC_EC_JWK(",\"kid\":17"), NULL);
}

static void test_jwk_refused(void **state)
{
	static const char *const bad[] = {
	    /* private keys */
	    RFC_EC_JWK(",\"d\":\"" RFC_EC_D "\""),
	    "{\"kty\":\"RSA\",\"n\":\"" RFC_N "\",\"e\":\"AQAB\","
	    "\"p\":\"AQAB\"}",
	    "{\"kty\":\"RSA\",\"n\":\"" RFC_N "\",\"e\":\"AQAB\",\"d\":null}",
	    "{\"kty\":\"oct\",\"k\":\"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQ"
	    "Lr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow\"}",
	    /* duplicate members, anywhere */
	    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" RFC_EC_X
	    "\",\"x\":\"" RFC_EC_X "\",\"y\":\"" RFC_EC_Y "\"}",
	    RFC_EC_JWK(",\"kty\":\"EC\""),
	    RFC_EC_JWK(",\"alg\":\"ES256\",\"alg\":\"ES256\""),
	    RFC_EC_JWK(",\"x5c\":{\"a\":1,\"a\":2}"),
	    /* other key types and curves */
	    "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQH"
	    "Og7hcvPapiMlrwIaaPcHURo\"}",
	    "{\"kty\":\"EC\",\"crv\":\"secp256k1\",\"x\":\"" RFC_EC_X
	    "\",\"y\":\"" RFC_EC_Y "\"}",
	    "{\"kty\":\"EC\",\"crv\":\"P-192\",\"x\":\"" RFC_EC_X
	    "\",\"y\":\"" RFC_EC_Y "\"}",
	    "{\"kty\":\"EC\",\"crv\":\"p-256\",\"x\":\"" RFC_EC_X
	    "\",\"y\":\"" RFC_EC_Y "\"}",
	    "{\"kty\":\"ec\",\"crv\":\"P-256\",\"x\":\"" RFC_EC_X
	    "\",\"y\":\"" RFC_EC_Y "\"}",
	    "{\"crv\":\"P-256\",\"x\":\"" RFC_EC_X "\",\"y\":\"" RFC_EC_Y "\"}",
	    /* malformed parameters */
	    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" RFC_EC_X "\"}",
	    "{\"kty\":\"EC\",\"x\":\"" RFC_EC_X "\",\"y\":\"" RFC_EC_Y "\"}",
	    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" RFC_EC_X
	    "=\",\"y\":\"" RFC_EC_Y "\"}",
	    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" RFC_EC_X
	    "\",\"y\":\"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM+\"}",
	    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AAAA" RFC_EC_X
	    "\",\"y\":\"" RFC_EC_Y "\"}",
	    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" RFC_EC_Y
	    "\",\"y\":\"" RFC_EC_Y "\"}", /* not on the curve */
	    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"________________________"
	    "__________________8\","
	    "\"y\":\"" RFC_EC_Y "\"}", /* x >= p */
	    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" RFC_EC_X
	    "\",\"y\":\"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyN\"}",
	    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":1,\"y\":\"" RFC_EC_Y "\"}",
	    "{\"kty\":\"RSA\",\"n\":\"" RFC_N "\"}",
	    "{\"kty\":\"RSA\",\"n\":\"" RFC_N "\",\"e\":\"AQ\"}",
	    "{\"kty\":\"RSA\",\"n\":\"" RFC_N "\",\"e\":\"Ag\"}",
	    "{\"kty\":\"RSA\",\"n\":\"" RFC_N "\",\"e\":\"AA\"}",
	    "{\"kty\":\"RSA\",\"n\":\"" RFC_N "\",\"e\":\"AQAAAAE\"}",
	    "{\"kty\":\"RSA\",\"n\":\"" RFC_N "\",\"e\":\"AQAB=\"}",
	    "{\"kty\":\"RSA\",\"n\":\"\",\"e\":\"AQAB\"}",
	    /* use and key_ops */
	    RFC_EC_JWK(",\"use\":\"enc\""),
	    RFC_EC_JWK(",\"use\":\"SIG\""),
	    RFC_EC_JWK(",\"use\":1"),
	    RFC_EC_JWK(",\"key_ops\":[\"encrypt\"]"),
	    RFC_EC_JWK(",\"key_ops\":\"verify\""),
	    RFC_EC_JWK(",\"key_ops\":[1]"),
	    /* not a JWK */
	    "",
	    "[]",
	    "\"EC\"",
	    "null",
	    "{",
	    RFC_EC_JWK("") " x",
	    RFC_EC_JWK("") RFC_EC_JWK(""),
	    "{\"keys\":[" RFC_EC_JWK("") "]}",
	};
	char err[ERRLEN];
	struct sv_key k;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&k, 0x5a, sizeof(k));
		err[0] = '\0';
		if (import_jwk(bad[i], NULL, NULL, &k, err) != -EINVAL)
			fail_msg("accepted #%zu: %s", i, bad[i]);
		if (getenv("SV_TEST_VERBOSE"))
			print_message("#%zu: %s\n", i, err);
		assert_true(strlen(err) > 0);
		assert_null(k.blob);
	}
	assert_int_equal(import_jwk(RFC_EC_JWK(",\"d\":\"" RFC_EC_D "\""), NULL,
				    NULL, &k, err),
			 -EINVAL);
	assert_non_null(strstr(err, "private"));
	assert_int_equal(import_jwk("{\"a\":1,\"a\":2}", NULL, NULL, &k, err),
			 -EINVAL);
	assert_non_null(strstr(err, "duplicate"));
	/* an embedded NUL ends nothing: the JSON is invalid */
	assert_int_equal(sv_key_import_jwk(RFC_EC_JWK("") "\0",
					   sizeof(RFC_EC_JWK("")), NULL, NULL,
					   &k, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(
	    sv_key_import_jwk(NULL, 0, NULL, NULL, &k, err, sizeof(err)),
	    -EINVAL);
}

static void test_jwk_rsa_bounds(void **state)
{
	uint8_t n[1026];
	char err[ERRLEN];
	struct sv_key k;

	(void)state;
	/* Moduli of a given size (not products of primes: the importer
	 * cannot tell, and does not need to). */
	memset(n, 0x5b, sizeof(n));
	n[0] = 0xc5;
	n[255] = 0x01;
	assert_int_equal(import_rsa_jwk(n, 256, "AQAB", NULL, &k, err), 0);
	assert_int_equal(k.bits, 2048);
	sv_key_free(&k);
	n[0] = 0x7f; /* 2047 bits */
	assert_int_equal(import_rsa_jwk(n, 256, "AQAB", NULL, &k, err),
			 -EINVAL);
	n[0] = 0x80;
	n[255] = 0x02; /* even */
	assert_int_equal(import_rsa_jwk(n, 256, "AQAB", NULL, &k, err),
			 -EINVAL);
	n[0] = 0xff;
	n[1023] = 0x03; /* 8192 bits */
	assert_int_equal(import_rsa_jwk(n, 1024, "Aw", "PS512", &k, err), 0);
	assert_int_equal(k.bits, 8192);
	assert_int_equal(k.bloblen, 7 + 1024 + 1 + 1);
	sv_key_free(&k);
	n[0] = 0x01;
	n[1024] = 0x03; /* 8193 bits */
	assert_int_equal(import_rsa_jwk(n, 1025, "AQAB", NULL, &k, err),
			 -EINVAL);
	assert_non_null(strstr(err, "8192"));
	/* a 1024-bit key */
	n[0] = 0xd1;
	n[127] = 0x01;
	assert_int_equal(import_rsa_jwk(n, 128, "AQAB", NULL, &k, err),
			 -EINVAL);
	assert_non_null(strstr(err, "1024"));
	/* e = 2^32 - 1 is the largest */
	n[0] = 0xc5;
	n[255] = 0x01;
	assert_int_equal(import_rsa_jwk(n, 256, "_____w", NULL, &k, err), 0);
	sv_key_free(&k);
	assert_int_equal(import_rsa_jwk(n, 256, "AQAAAAE", NULL, &k, err),
			 -EINVAL);
}

static void test_jwks(void **state)
{
	char err[ERRLEN];
	struct sv_key *keys;
	size_t n;
	const char *set = "{\"keys\":[" RFC_EC_JWK(
	    ",\"use\":\"sig\",\"kid\":\"1\"") "," RFC_RSA_JWK "]}";

	(void)state;
	assert_int_equal(
	    sv_key_import_jwks(set, strlen(set), &keys, &n, err, sizeof(err)),
	    0);
	assert_int_equal(n, 2);
	assert_string_equal(keys[0].kid, "1");
	assert_int_equal(keys[0].alg, SV_ALG_ES256);
	assert_string_equal(keys[1].kid, "2011-04-29");
	assert_int_equal(keys[1].alg, SV_ALG_RS256);
	sv_keys_free(keys, n);

	/* several generated keys of every kind, without kids */
	{
		const char *curves[] = {"P-256", "P-384", "P-521", "P-256"};
		const size_t flen[] = {32, 48, 66, 32};
		char *parts[4], *all;
		size_t cap = 64;
		for (int i = 0; i < 4; i++) {
			EVP_PKEY *pk = gen_ec(curves[i]);
			parts[i] = ec_jwk_of(pk, curves[i], flen[i], "");
			cap += strlen(parts[i]) + 1;
			EVP_PKEY_free(pk);
		}
		cap += strlen(RFC_RSA_JWK);
		all = malloc(cap);
		assert_non_null(all);
		snprintf(all, cap, "{\"keys\":[%s,%s,%s,%s,%s]}", parts[0],
			 parts[1], parts[2], RFC_RSA_JWK, parts[3]);
		assert_int_equal(sv_key_import_jwks(all, strlen(all), &keys, &n,
						    err, sizeof(err)),
				 0);
		assert_int_equal(n, 5);
		assert_int_equal(keys[2].alg, SV_ALG_ES512);
		assert_int_equal(strlen(keys[4].kid), 43);
		sv_keys_free(keys, n);
		for (int i = 0; i < 4; i++)
			free(parts[i]);
		free(all);
	}
}

static void test_jwks_refused(void **state)
{
	(void)state;
	/* RFC 7517 A.1 as published: its EC key is for encryption, so the
	 * whole set is refused */
	assert_refused_jwks(
	    "{\"keys\":[" RFC_EC_JWK(",\"use\":\"enc\","
				     "\"kid\":\"1\"") "," RFC_RSA_JWK "]}");
	/* one private, unknown or malformed key among good ones */
	assert_refused_jwks("{\"keys\":[" RFC_RSA_JWK
			    "," RFC_EC_JWK(",\"d\":\"" RFC_EC_D "\"") "]}");
	assert_refused_jwks("{\"keys\":[" RFC_RSA_JWK ","
			    "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qY"
			    "AYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}]}");
	assert_refused_jwks("{\"keys\":[" RFC_RSA_JWK ",17]}");
	assert_refused_jwks("{\"keys\":[" RFC_EC_JWK(
	    ",\"alg\":\"HS256\"") "," RFC_RSA_JWK "]}");
	/* duplicate kids: named, or the same key twice (same thumbprint) */
	assert_refused_jwks("{\"keys\":[" RFC_EC_JWK(
	    ",\"kid\":\"2011-04-29\"") "," RFC_RSA_JWK "]}");
	assert_refused_jwks(
	    "{\"keys\":[" RFC_EC_JWK("") "," RFC_EC_JWK("") "]}");
	/* the shape of the set */
	assert_refused_jwks("{\"keys\":[]}");
	assert_refused_jwks("{\"keys\":{}}");
	assert_refused_jwks("{\"key\":[" RFC_RSA_JWK "]}");
	assert_refused_jwks("[" RFC_RSA_JWK "]");
	assert_refused_jwks(RFC_RSA_JWK);
	assert_refused_jwks("{\"keys\":[" RFC_RSA_JWK "],\"keys\":[]}");
	assert_refused_jwks("{\"keys\":[" RFC_RSA_JWK "]} {}");
	assert_refused_jwks("");

	/* the reason names the entry */
	{
		const char *s = "{\"keys\":[" RFC_RSA_JWK
				"," RFC_EC_JWK(",\"use\":\"enc\"") "]}";
		struct sv_key *keys;
		size_t n;
		char err[ERRLEN];
		assert_int_equal(sv_key_import_jwks(s, strlen(s), &keys, &n,
						    err, sizeof(err)),
				 -EINVAL);
		assert_non_null(strstr(err, "keys[1]"));
	}
	/* too many keys */
	{
		size_t one = strlen(RFC_RSA_JWK) + 1, cap = 101 * one + 16, o;
		char *s = malloc(cap);
		assert_non_null(s);
		o = (size_t)snprintf(s, cap, "{\"keys\":[");
		for (int i = 0; i < 101; i++)
			o += (size_t)snprintf(s + o, cap - o, "%s%s",
					      i ? "," : "", RFC_RSA_JWK);
		snprintf(s + o, cap - o, "]}");
		assert_refused_jwks(s);
		free(s);
	}
}

/* Every kind of key: blob -> JWK -> import gives the same blob, and
 * blob -> PEM -> import too. */
static void test_export_roundtrip(void **state)
{
	const char *curves[] = {"P-256", "P-384", "P-521"};
	const char *rsa[] = {"rsa2048.pub.pem", "rsa3072.pub.pem",
			     "rsa4096.pub.pem"};
	struct sv_key keys[7];
	size_t nk = 0, len;
	char err[ERRLEN];

	(void)state;
	for (int i = 0; i < 3; i++) {
		EVP_PKEY *pk = gen_ec(curves[i]);
		char *pem = pub_pem(pk);
		assert_int_equal(import_pem(pem, NULL, NULL, &keys[nk++], err),
				 0);
		free(pem);
		EVP_PKEY_free(pk);
	}
	for (int i = 0; i < 3; i++) {
		char *pem = fixture(rsa[i], &len);
		assert_int_equal(import_pem(pem, i == 1 ? "PS384" : NULL, NULL,
					    &keys[nk++], err),
				 0);
		free(pem);
	}
	assert_int_equal(import_jwk(RFC_RSA_JWK, NULL, NULL, &keys[nk++], err),
			 0);

	for (size_t i = 0; i < nk; i++) {
		struct sv_key *k = &keys[i], b;
		json_t *j = sv_key_blob_to_jwk(k->blob, k->bloblen, k->kid);
		char *s, *pem, tp[44];

		assert_non_null(j);
		assert_string_equal(
		    json_string_value(json_object_get(j, "use")), "sig");
		assert_string_equal(
		    json_string_value(json_object_get(j, "alg")),
		    sv_alg_name(k->alg));
		assert_string_equal(
		    json_string_value(json_object_get(j, "kid")), k->kid);
		assert_null(json_object_get(j, "d"));
		s = json_dumps(j, JSON_COMPACT);
		assert_non_null(s);
		assert_int_equal(import_jwk(s, NULL, NULL, &b, err), 0);
		assert_true(same_blob(k, &b));
		assert_int_equal(b.alg, k->alg);
		assert_string_equal(b.kid, k->kid);
		sv_key_free(&b);
		free(s);
		json_decref(j);

		/* without a kid, the JWK has none */
		j = sv_key_blob_to_jwk(k->blob, k->bloblen, NULL);
		assert_non_null(j);
		assert_null(json_object_get(j, "kid"));
		s = json_dumps(j, JSON_COMPACT);
		assert_int_equal(import_jwk(s, NULL, NULL, &b, err), 0);
		assert_int_equal(sv_key_thumbprint(k->blob, k->bloblen, tp), 0);
		assert_string_equal(b.kid, tp);
		expect_same_key(k, &b);
		free(s);
		json_decref(j);

		pem = sv_key_blob_to_pem(k->blob, k->bloblen);
		assert_non_null(pem);
		assert_non_null(strstr(pem, "-----BEGIN PUBLIC KEY-----\n"));
		assert_int_equal(
		    import_pem(pem, sv_alg_name(k->alg), NULL, &b, err), 0);
		expect_same_key(k, &b);
		free(pem);
	}
	/* the exporters refuse what the loader refuses */
	assert_null(
	    sv_key_blob_to_jwk(keys[0].blob, keys[0].bloblen - 1, NULL));
	assert_null(sv_key_blob_to_pem(keys[0].blob, keys[0].bloblen - 1));
	{
		char tp[44];
		assert_int_equal(sv_key_thumbprint(keys[0].blob, 3, tp),
				 -EBADMSG);
	}
	/* a kid that is not UTF-8 cannot go into JSON */
	assert_null(sv_key_blob_to_jwk(keys[0].blob, keys[0].bloblen, "\xff"));
	for (size_t i = 0; i < nk; i++)
		sv_key_free(&keys[i]);
}

static void test_thumbprint_rfc7638(void **state)
{
	char err[ERRLEN], tp[44];
	struct sv_key k;

	(void)state;
	/* RFC 7638 3.1: the members that are not required do not count */
	assert_int_equal(import_jwk(RFC_RSA_JWK, NULL, NULL, &k, err), 0);
	assert_int_equal(sv_key_thumbprint(k.blob, k.bloblen, tp), 0);
	assert_string_equal(tp, RFC_THUMB);
	sv_key_free(&k);
	assert_int_equal(import_jwk(RFC_RSA_JWK_BARE, "PS256", NULL, &k, err),
			 0);
	assert_string_equal(k.kid, RFC_THUMB);
	sv_key_free(&k);
}

/* A blob is hostile input: any damage is refused without a crash. */
static void check_corruption(const struct sv_key *k, bool ec)
{
	uint8_t *b = malloc(k->bloblen + 1);
	static const uint8_t masks[] = {0x01, 0x02, 0x10, 0x80, 0xff};
	EVP_PKEY *pk;
	enum sv_alg alg;
	char tp[44];

	assert_non_null(b);
	/* intact */
	assert_int_equal(sv_key_load(k->blob, k->bloblen, &pk, &alg), 0);
	EVP_PKEY_free(pk);
	/* every truncation, and one byte more */
	for (size_t l = 0; l < k->bloblen; l++) {
		memcpy(b, k->blob, l);
		pk = (EVP_PKEY *)1;
		alg = SV_ALG_ES256;
		assert_int_equal(sv_key_load(b, l, &pk, &alg), -EBADMSG);
		assert_null(pk);
		assert_int_equal(alg, SV_ALG_NONE);
		assert_int_equal(sv_key_thumbprint(b, l, tp), -EBADMSG);
		assert_null(sv_key_blob_to_jwk(b, l, NULL));
	}
	memcpy(b, k->blob, k->bloblen);
	b[k->bloblen] = 0;
	assert_int_equal(sv_key_load(b, k->bloblen + 1, &pk, &alg), -EBADMSG);
	/* every byte, flipped several ways */
	for (size_t i = 0; i < k->bloblen; i++) {
		for (size_t m = 0; m < sizeof(masks); m++) {
			int r;
			memcpy(b, k->blob, k->bloblen);
			b[i] ^= masks[m];
			pk = NULL;
			r = sv_key_load(b, k->bloblen, &pk, &alg);
			if (ec || i < 3 || i == 4 || i == 5 || i == 6 ||
			    i == k->bloblen - 4 ||
			    (i == k->bloblen - 5 && masks[m] == 0x01)) {
				/* EC: any change is off the curve or
				 * malformed; RSA: magic, version, type,
				 * lengths, and n's parity */
				if (r != -EBADMSG)
					fail_msg("byte %zu ^ %#x accepted", i,
						 masks[m]);
			} else if (r == 0) {
				/* another RSA modulus or exponent, or another
				 * RSA alg: still a coherent key */
				assert_true(sv_key_fits_alg(pk, alg));
				EVP_PKEY_free(pk);
			} else {
				assert_int_equal(r, -EBADMSG);
			}
		}
	}
	free(b);
}

static void test_blob_corruption(void **state)
{
	const char *curves[] = {"P-256", "P-384", "P-521"};
	struct sv_key k;
	char err[ERRLEN], *pem;
	size_t len;

	(void)state;
	for (int i = 0; i < 3; i++) {
		EVP_PKEY *pk = gen_ec(curves[i]);
		pem = pub_pem(pk);
		assert_int_equal(import_pem(pem, NULL, NULL, &k, err), 0);
		check_corruption(&k, true);
		sv_key_free(&k);
		free(pem);
		EVP_PKEY_free(pk);
	}
	pem = fixture("rsa2048.pub.pem", &len);
	assert_int_equal(import_pem(pem, NULL, NULL, &k, err), 0);
	check_corruption(&k, false);
	sv_key_free(&k);
	free(pem);
}

static void test_blob_forged(void **state)
{
	struct sv_key k;
	char err[ERRLEN];
	uint8_t *b;
	EVP_PKEY *pk = NULL;
	enum sv_alg alg;

	(void)state;
	assert_int_equal(import_jwk(RFC_RSA_JWK, NULL, NULL, &k, err), 0);
	b = malloc(k.bloblen + 8);
	assert_non_null(b);
	/* another version */
	memcpy(b, k.blob, k.bloblen);
	b[2] = 2;
	assert_int_equal(sv_key_load(b, k.bloblen, &pk, &alg), -EBADMSG);
	/* alg out of range, or an EC alg on an RSA key */
	memcpy(b, k.blob, k.bloblen);
	b[3] = SV_ALG_NONE;
	assert_int_equal(sv_key_load(b, k.bloblen, &pk, &alg), -EBADMSG);
	b[3] = SV_ALG_COUNT;
	assert_int_equal(sv_key_load(b, k.bloblen, &pk, &alg), -EBADMSG);
	b[3] = SV_ALG_ES256;
	assert_int_equal(sv_key_load(b, k.bloblen, &pk, &alg), -EBADMSG);
	/* nlen pointing past the end, or swallowing e's length */
	memcpy(b, k.blob, k.bloblen);
	b[5] = 0xff;
	b[6] = 0xff;
	assert_int_equal(sv_key_load(b, k.bloblen, &pk, &alg), -EBADMSG);
	b[5] = (uint8_t)((k.bloblen - 7) >> 8);
	b[6] = (uint8_t)(k.bloblen - 7);
	assert_int_equal(sv_key_load(b, k.bloblen, &pk, &alg), -EBADMSG);
	/* an n with a leading zero byte */
	memcpy(b, k.blob, 7);
	b[6]++;
	b[7] = 0;
	memcpy(b + 8, k.blob + 7, k.bloblen - 7);
	assert_int_equal(sv_key_load(b, k.bloblen + 1, &pk, &alg), -EBADMSG);
	/* NULL */
	assert_int_equal(sv_key_load(NULL, 0, &pk, &alg), -EBADMSG);
	assert_int_equal(sv_key_load(NULL, 71, &pk, &alg), -EBADMSG);
	free(b);
	sv_key_free(&k);

	/* pseudo-random garbage of every small length, some of it with a
	 * valid header */
	{
		uint32_t x = 0x12345678;
		uint8_t g[160];
		for (int it = 0; it < 20000; it++) {
			size_t l = (size_t)(it % (int)sizeof(g));
			for (size_t i = 0; i < l; i++) {
				x ^= x << 13;
				x ^= x >> 17;
				x ^= x << 5;
				g[i] = (uint8_t)x;
			}
			if (it & 1 && l >= 6) {
				g[0] = 'S';
				g[1] = 'K';
				g[2] = 1;
				g[3] = (uint8_t)(1 + it % 9);
				g[4] = (uint8_t)(1 + (it / 2) % 2);
				g[5] = (uint8_t)(1 + (it / 4) % 3);
			}
			pk = NULL;
			if (sv_key_load(g, l, &pk, &alg) == 0)
				fail_msg("garbage accepted (iteration %d)", it);
			assert_null(pk);
		}
	}
}

static void test_fits_alg(void **state)
{
	EVP_PKEY *p256 = gen_ec("P-256"), *p521 = gen_ec("P-521");
	EVP_PKEY *r1024 = fixture_pkey("rsa1024.pub.pem", false);
	EVP_PKEY *r2048 = fixture_pkey("rsa2048.pub.pem", false);
	EVP_PKEY *pss = fixture_pkey("rsapss2048.pub.pem", false);
	EVP_PKEY *k1 = fixture_pkey("secp256k1.pub.pem", false);

	(void)state;
	assert_true(sv_key_fits_alg(p256, SV_ALG_ES256));
	assert_false(sv_key_fits_alg(p256, SV_ALG_ES384));
	assert_false(sv_key_fits_alg(p256, SV_ALG_ES512));
	assert_false(sv_key_fits_alg(p256, SV_ALG_RS256));
	assert_false(sv_key_fits_alg(p256, SV_ALG_NONE));
	assert_true(sv_key_fits_alg(p521, SV_ALG_ES512));
	assert_false(sv_key_fits_alg(k1, SV_ALG_ES256));
	for (int a = SV_ALG_RS256; a <= SV_ALG_PS512; a++) {
		assert_true(sv_key_fits_alg(r2048, (enum sv_alg)a));
		assert_false(sv_key_fits_alg(r1024, (enum sv_alg)a));
		assert_false(sv_key_fits_alg(pss, (enum sv_alg)a));
	}
	assert_false(sv_key_fits_alg(r2048, SV_ALG_ES256));
	assert_false(sv_key_fits_alg(r2048, SV_ALG_COUNT));
	assert_false(sv_key_fits_alg(NULL, SV_ALG_ES256));
	EVP_PKEY_free(p256);
	EVP_PKEY_free(p521);
	EVP_PKEY_free(r1024);
	EVP_PKEY_free(r2048);
	EVP_PKEY_free(pss);
	EVP_PKEY_free(k1);
}

/* The library leaves OpenSSL's error queue as it found it. */
static void test_error_queue(void **state)
{
	struct sv_key k;
	char err[ERRLEN], *pem;
	size_t len;
	EVP_PKEY *pk;

	(void)state;
	ERR_clear_error();
	pem = fixture("ed25519.pub.pem", &len);
	assert_int_equal(import_pem(pem, NULL, NULL, &k, err), -EINVAL);
	free(pem);
	assert_int_equal(import_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n"
				    "-----END PUBLIC KEY-----\n",
				    NULL, NULL, &k, err),
			 -EINVAL);
	assert_int_equal(
	    import_jwk("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" RFC_EC_Y
		       "\",\"y\":\"" RFC_EC_Y "\"}",
		       NULL, NULL, &k, err),
	    -EINVAL);
	assert_int_equal(sv_key_load((const uint8_t *)"SK", 2, &pk, NULL),
			 -EBADMSG);
	assert_int_equal(ERR_peek_error(), 0);
	/* errlen 0 and a NULL err are fine */
	assert_int_equal(sv_key_import_jwk("x", 1, NULL, NULL, &k, NULL, 0),
			 -EINVAL);
	assert_int_equal(sv_key_import_pem("x", 1, NULL, NULL, &k, err, 0),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_alg_names),
	    cmocka_unit_test(test_pem_ec_curves),
	    cmocka_unit_test(test_pem_rsa_sizes),
	    cmocka_unit_test(test_pem_forms),
	    cmocka_unit_test(test_pem_refused_keys),
	    cmocka_unit_test(test_pem_refused_text),
	    cmocka_unit_test(test_pem_der_trailing),
	    cmocka_unit_test(test_pem_alg_fit),
	    cmocka_unit_test(test_kid),
	    cmocka_unit_test(test_jwk_accept),
	    cmocka_unit_test(test_jwk_alg_and_kid),
	    cmocka_unit_test(test_jwk_refused),
	    cmocka_unit_test(test_jwk_rsa_bounds),
	    cmocka_unit_test(test_jwks),
	    cmocka_unit_test(test_jwks_refused),
	    cmocka_unit_test(test_export_roundtrip),
	    cmocka_unit_test(test_thumbprint_rfc7638),
	    cmocka_unit_test(test_blob_corruption),
	    cmocka_unit_test(test_blob_forged),
	    cmocka_unit_test(test_fits_alg),
	    cmocka_unit_test(test_error_queue),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
