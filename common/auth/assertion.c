/* SPDX-License-Identifier: MIT */
/* JWT client assertions (assertion.h). */
#include "assertion.h"

#include <errno.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include "b64.h"
#include "util.h"

int sv_jws_split(const char *tok, size_t len, size_t maxlen, struct sv_jws *j,
		 const char **reason)
{
	size_t dots[2], nd = 0;

	memset(j, 0, sizeof(*j));
	if (len > maxlen) {
		*reason = "too_long";
		return -EINVAL;
	}
	*reason = "malformed";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)tok[i];
		if (c == '.') {
			if (nd == 2)
				return -EINVAL;
			dots[nd++] = i;
		} else if (!sv_b64url_is_char(c)) {
			return -EINVAL;
		}
	}
	if (nd != 2 || dots[0] == 0 || dots[1] == dots[0] + 1 ||
	    dots[1] + 1 == len)
		return -EINVAL;
	j->tok = tok;
	j->hlen = dots[0];
	j->plen = dots[1] - dots[0] - 1;
	j->sig = tok + dots[1] + 1;
	j->slen = len - dots[1] - 1;
	return 0;
}

/* Decode a base64url segment into a fresh buffer (NUL-terminated for
 * convenience; the length is what counts). */
static int decode_seg(const char *p, size_t n, uint8_t **out, size_t *outlen)
{
	size_t cap = sv_b64_declen_max(n) + 1;
	uint8_t *buf = malloc(cap);
	int r;

	if (!buf)
		return -ENOMEM;
	r = sv_b64url_decode_public(p, n, buf, cap - 1, outlen);
	if (r < 0) {
		free(buf);
		return -EINVAL;
	}
	buf[*outlen] = '\0';
	*out = buf;
	return 0;
}

json_t *sv_jws_load_segment(const char *p, size_t n)
{
	uint8_t *buf = NULL;
	size_t len;
	json_error_t e;
	json_t *v, *again;

	if (decode_seg(p, n, &buf, &len) < 0)
		return NULL;
	/* the last of duplicate keys must never silently win */
	v = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &e);
	if (v && !json_is_object(v)) {
		json_decref(v);
		v = NULL;
	}
	/* jansson (2.14) ignores a failed allocation while it collects a
	 * string's or a number's text and goes on without those bytes: a
	 * signed jti came out one character short, a "new" jti, and a
	 * replayed assertion logged in (found by
	 * tests/hardening/test_failmalloc_pam.sh). A second parse must give
	 * the same values: one failed allocation cannot hit both alike. */
	if (v) {
		again = json_loadb((const char *)buf, len,
				   JSON_REJECT_DUPLICATES, &e);
		if (!again || !json_equal(v, again)) {
			json_decref(v);
			v = NULL;
		}
		json_decref(again);
	}
	free(buf);
	return v;
}

/* typ values of an OAuth access token (RFC 9068 "at+jwt", its media type
 * form, and Keycloak's "Bearer"), accepted only for issuer tokens */
static bool access_token_typ(const char *t)
{
	return !strcmp(t, "JWT") || !strcmp(t, "at+jwt") ||
	       !strcmp(t, "application/at+jwt") || !strcmp(t, "Bearer");
}

static int parse_header(struct sv_jws *j, unsigned flags, const char *typ,
			const char **reason);

int sv_jws_parse_header(struct sv_jws *j, unsigned flags, const char **reason)
{
	return parse_header(j, flags, "JWT", reason);
}

int sv_jws_parse_header_typ(struct sv_jws *j, const char *typ,
			    const char **reason)
{
	return parse_header(j, 0, typ, reason);
}

static int parse_header(struct sv_jws *j, unsigned flags, const char *typ,
			const char **reason)
{
	static const char *const forbidden[] = {"crit", "jku", "x5u", "jwk",
						"x5c",	"cty", "zip", "b64"};
	json_t *v;

	if (j->hlen > SV_JWS_HEADER_MAX) {
		*reason = "bad_header";
		return -EINVAL;
	}
	j->header = sv_jws_load_segment(j->tok, j->hlen);
	if (!j->header) {
		*reason = "bad_header";
		return -EINVAL;
	}
	for (size_t i = 0; i < SV_ARRAY_SIZE(forbidden); i++)
		if (json_object_get(j->header, forbidden[i])) {
			*reason = "forbidden_header";
			return -EINVAL;
		}
	v = json_object_get(j->header, "alg");
	if (!json_is_string(v)) {
		*reason = "bad_header";
		return -EINVAL;
	}
	/* exact, case-sensitive; "none", HS* and anything unknown map to
	 * SV_ALG_NONE. A NUL inside the string cannot sneak through:
	 * jansson refuses \u0000 without JSON_ALLOW_NUL. */
	j->alg = sv_alg_from_name(json_string_value(v));
	if (j->alg == SV_ALG_NONE) {
		*reason = "alg_refused";
		return -EINVAL;
	}
	v = json_object_get(j->header, "typ");
	if (v && !(json_is_string(v) &&
		   ((flags & SV_JWS_ACCESS_TOKEN)
			? access_token_typ(json_string_value(v))
			: strcmp(json_string_value(v), typ) == 0))) {
		*reason = "bad_typ";
		return -EINVAL;
	}
	v = json_object_get(j->header, "kid");
	if (v) {
		size_t n = json_is_string(v) ? json_string_length(v) : 0;
		if (n == 0 || n > SV_KID_MAX) {
			*reason = "bad_kid";
			return -EINVAL;
		}
		memcpy(j->kid, json_string_value(v), n);
		j->kid[n] = '\0';
		j->has_kid = true;
	}
	return 0;
}

static const EVP_MD *alg_md(enum sv_alg a)
{
	switch (a) {
	case SV_ALG_ES256:
	case SV_ALG_RS256:
	case SV_ALG_PS256: return EVP_sha256();
	case SV_ALG_ES384:
	case SV_ALG_RS384:
	case SV_ALG_PS384: return EVP_sha384();
	case SV_ALG_ES512:
	case SV_ALG_RS512:
	case SV_ALG_PS512: return EVP_sha512();
	default: return NULL;
	}
}

/* JOSE ECDSA signatures are r || s, each exactly as long as the field
 * (RFC 7518 3.4); OpenSSL wants DER. Any other length is refused. */
static int ecdsa_raw_to_der(const uint8_t *raw, size_t n, size_t flen,
			    uint8_t **der, size_t *derlen)
{
	ECDSA_SIG *s = NULL;
	BIGNUM *r = NULL, *ss = NULL;
	int len, ret = -EACCES;

	if (n != 2 * flen)
		return -EACCES;
	s = ECDSA_SIG_new();
	r = BN_bin2bn(raw, (int)flen, NULL);
	ss = BN_bin2bn(raw + flen, (int)flen, NULL);
	if (!s || !r || !ss) {
		ret = -ENOMEM;
		goto out;
	}
	if (ECDSA_SIG_set0(s, r, ss) != 1) {
		ret = -ENOMEM;
		goto out;
	}
	r = ss = NULL;
	*der = NULL;
	len = i2d_ECDSA_SIG(s, der);
	if (len <= 0) {
		ret = -ENOMEM;
		goto out;
	}
	*derlen = (size_t)len;
	ret = 0;
out:
	BN_free(r);
	BN_free(ss);
	ECDSA_SIG_free(s);
	return ret;
}

static size_t ec_field_len(enum sv_alg a)
{
	return a == SV_ALG_ES256 ? 32 : a == SV_ALG_ES384 ? 48 : 66;
}

int sv_jws_verify(const struct sv_jws *j, EVP_PKEY *pk, enum sv_alg alg)
{
	uint8_t *raw = NULL, *der = NULL;
	const uint8_t *sig;
	size_t rawlen = 0, siglen, derlen = 0;
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	const EVP_MD *md = alg_md(alg);
	int ret = -EACCES;

	if (!md || !pk || !sv_key_fits_alg(pk, alg))
		return -EACCES;
	if (decode_seg(j->sig, j->slen, &raw, &rawlen) < 0)
		return -EACCES;
	ERR_set_mark();
	if (alg == SV_ALG_ES256 || alg == SV_ALG_ES384 || alg == SV_ALG_ES512) {
		ret = ecdsa_raw_to_der(raw, rawlen, ec_field_len(alg), &der,
				       &derlen);
		if (ret < 0)
			goto out;
		sig = der;
		siglen = derlen;
	} else {
		/* RSA signatures are exactly the modulus length */
		if (EVP_PKEY_get_size(pk) <= 0 ||
		    rawlen != (size_t)EVP_PKEY_get_size(pk)) {
			ret = -EACCES;
			goto out;
		}
		sig = raw;
		siglen = rawlen;
	}
	ctx = EVP_MD_CTX_new();
	if (!ctx) {
		ret = -ENOMEM;
		goto out;
	}
	if (EVP_DigestVerifyInit(ctx, &pctx, md, NULL, pk) != 1) {
		ret = -EIO;
		goto out;
	}
	if (alg == SV_ALG_PS256 || alg == SV_ALG_PS384 || alg == SV_ALG_PS512) {
		/* RFC 7518 3.5: MGF1 with the same hash, salt = hash length */
		if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) !=
			1 ||
		    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1 ||
		    EVP_PKEY_CTX_set_rsa_pss_saltlen(
			pctx, RSA_PSS_SALTLEN_DIGEST) != 1) {
			ret = -EIO;
			goto out;
		}
	} else if (alg != SV_ALG_ES256 && alg != SV_ALG_ES384 &&
		   alg != SV_ALG_ES512) {
		if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) !=
		    1) {
			ret = -EIO;
			goto out;
		}
	}
	/* the signing input is the first two segments as sent */
	ret = EVP_DigestVerify(ctx, sig, siglen, (const uint8_t *)j->tok,
			       j->hlen + 1 + j->plen) == 1
		  ? 0
		  : -EACCES;
out:
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	free(raw);
	ERR_pop_to_mark();
	return ret;
}

const char *sv_jws_verify_blob(const struct sv_jws *j, const uint8_t *blob,
			       size_t len)
{
	EVP_PKEY *pk = NULL;
	enum sv_alg balg;
	const char *why = NULL;
	int r;

	if (sv_key_load(blob, len, &pk, &balg) < 0 || balg != j->alg) {
		why = "bad_key";
		goto out;
	}
	if (!sv_key_fits_alg(pk, j->alg)) {
		why = "key_unfit";
		goto out;
	}
	r = sv_jws_verify(j, pk, j->alg);
	if (r == -ENOMEM || r == -EIO)
		why = "verify_error";
	else if (r < 0)
		why = "bad_signature";
out:
	EVP_PKEY_free(pk);
	return why;
}

/* The member k of o: 0 with *v, NULL when it is absent and not required;
 * -EINVAL with the reason when a required one is missing. */
static int claim_get(json_t *o, const char *k, bool required,
		     const char **reason, json_t **v)
{
	*v = json_object_get(o, k);
	if (!*v && required) {
		*reason = "missing_claim";
		return -EINVAL;
	}
	return 0;
}

int sv_claim_string(json_t *o, const char *k, const char **p, size_t *n,
		    bool required, const char **reason)
{
	json_t *v;
	int r = claim_get(o, k, required, reason, &v);
	if (r < 0 || !v) {
		*p = NULL;
		*n = 0;
		return r;
	}
	if (!json_is_string(v)) {
		*reason = "bad_claim_type";
		return -EINVAL;
	}
	*p = json_string_value(v);
	*n = json_string_length(v);
	return 0;
}

/* NumericDate as an integer within a sane range (RFC 7519 allows
 * fractions; a client that sends them is refused rather than rounded). */
int sv_claim_time(json_t *o, const char *k, int64_t *t, bool *has,
		  bool required, const char **reason)
{
	json_t *v;
	int r = claim_get(o, k, required, reason, &v);
	*has = v != NULL;
	if (r < 0 || !v)
		return r;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > (json_int_t)1 << 40) {
		*reason = "bad_claim_type";
		return -EINVAL;
	}
	*t = (int64_t)json_integer_value(v);
	return 0;
}

int sv_jws_parse_claims(struct sv_jws *j, struct sv_claims *cl,
			const char **reason)
{
	bool has;
	int r;

	memset(cl, 0, sizeof(*cl));
	if ((r = sv_jws_decode_claims(j, reason)) < 0)
		return r;
	json_t *o = j->claims;
	if ((r = sv_claim_string(o, "iss", &cl->iss, &cl->iss_len, true,
				 reason)) ||
	    (r = sv_claim_string(o, "sub", &cl->sub, &cl->sub_len, true,
				 reason)) ||
	    (r = sv_claim_string(o, "aud", &cl->aud, &cl->aud_len, true,
				 reason)) ||
	    (r = sv_claim_string(o, "jti", &cl->jti, &cl->jti_len, true,
				 reason)) ||
	    (r = sv_claim_string(o, "scope", &cl->scope, &cl->scope_len, false,
				 reason)) ||
	    (r = sv_claim_time(o, "exp", &cl->exp, &has, true, reason)) ||
	    (r = sv_claim_time(o, "iat", &cl->iat, &has, true, reason)) ||
	    (r = sv_claim_time(o, "nbf", &cl->nbf, &cl->has_nbf, false,
			       reason)))
		return r;
	cl->has_scope = cl->scope != NULL;
	if (!sv_jti_valid(cl->jti, cl->jti_len)) {
		*reason = "bad_jti";
		return -EINVAL;
	}
	return 0;
}

int sv_jws_decode_claims(struct sv_jws *j, const char **reason)
{
	if (!j->claims && !j->claims_failed)
		j->claims = sv_jws_load_segment(j->tok + j->hlen + 1, j->plen);
	if (!j->claims) {
		j->claims_failed = true;
		*reason = "bad_claims";
		return -EINVAL;
	}
	return 0;
}

bool sv_jti_valid(const char *p, size_t n)
{
	/* printable ASCII, bounded: it becomes a key of the replay cache
	 * and a field of the log */
	if (!p || n == 0 || n > SV_JTI_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f)
			return false;
	return true;
}

json_t *sv_jws_payload_object(const struct sv_jws *j)
{
	return sv_jws_load_segment(j->tok + j->hlen + 1, j->plen);
}

static bool str_is(const char *p, size_t n, const char *want)
{
	return p && strlen(want) == n && memcmp(p, want, n) == 0;
}

int sv_claims_check(const struct sv_claims *cl, const struct sv_claim_rules *ru,
		    const char **reason)
{
	bool aud_ok = false;
	int64_t skew = ru->skew, now = ru->now;

	if (!str_is(cl->iss, cl->iss_len, ru->account)) {
		*reason = "bad_iss";
		return -EACCES;
	}
	if (!str_is(cl->sub, cl->sub_len, ru->account)) {
		*reason = "bad_sub";
		return -EACCES;
	}
	for (size_t i = 0; i < ru->n_audiences; i++)
		if (str_is(cl->aud, cl->aud_len, ru->audiences[i]))
			aud_ok = true;
	if (!aud_ok) {
		*reason = "bad_aud";
		return -EACCES;
	}
	/* all values are in [0, 2^40]: no overflow below */
	if (cl->exp + skew < now) {
		*reason = "expired";
		return -EACCES;
	}
	if (cl->has_nbf && cl->nbf > now + skew) {
		*reason = "not_yet_valid";
		return -EACCES;
	}
	if (cl->iat > now + skew) {
		*reason = "iat_future";
		return -EACCES;
	}
	if (cl->exp < cl->iat ||
	    cl->exp - cl->iat > (int64_t)ru->max_lifetime) {
		*reason = "lifetime_too_long";
		return -EACCES;
	}
	return 0;
}

void sv_jws_free(struct sv_jws *j)
{
	json_decref(j->header);
	json_decref(j->claims);
	j->header = j->claims = NULL;
}
