/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the JWT client assertion path (common/auth/assertion.c and
 * keys.c), in the order and with the checks of the login core
 * (common/auth/login.c verify_assertion): lexical split with the length cap,
 * protected header, key selection by kid (or alg), the registered key's
 * alg matched exactly, the key rebuilt from its stored blob, the
 * signature, then the claims' types and values under a fixed clock.
 *
 * Keys: four fixed private keys (fuzz_keys.h; ES256, ES384, ES512 and one
 * RSA key registered twice, as RS256 and as PS256); their public halves are
 * imported with sv_key_import_pem as `svcacct key add` does. A token
 * minted with one of them (the seeds, by jwcrypto) verifies; a mutated one
 * is refused by the real signature check.
 *
 * The claims parser only ever sees authenticated bytes on the login path,
 * so a fuzzer that merely mutates tokens would never reach it. When the
 * header selects a key but the signature fails, the harness therefore
 * signs the token's own header and payload again with the private key
 * (OpenSSL, independently of the verifier) and runs the whole path on the
 * result. Oracle: such a re-signed token must verify (signer and verifier
 * agree on every alg), and a token that passes everything must satisfy the
 * rules (checked again here, independently). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "assertion.h"
#include "b64.h"
#include "config.h"
#include "fuzz_keys.h"
#include "fuzz.h"

/* the fixed clock: 2026-01-01T00:00:00Z; seeds have iat = NOW - 10 */
#define NOW	((int64_t)1767225600)
#define ACCOUNT "fuzzbot"

struct fkey {
	const char *pem, *alg, *kid;
	EVP_PKEY *priv;
	struct sv_key pub; /* as stored: alg, kid, blob */
};

static struct fkey keys[] = {
    {key_es256_pem, "ES256", "fz-es256", NULL, {0}},
    {key_es384_pem, "ES384", "fz-es384", NULL, {0}},
    {key_es512_pem, "ES512", "fz-es512", NULL, {0}},
    {key_rsa2048_pem, "RS256", "fz-rs256", NULL, {0}},
    {key_rsa2048_pem, "PS256", "fz-ps256", NULL, {0}},
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static struct sv_config cfg;
/* SVCACCT_FUZZ_VERBOSE=1: print each input's outcome (run.sh checks that
 * the valid seeds are accepted and the others refused) */
static bool verbose;
static const char *const outcome_name[] = {"refused_early", "not_verified",
					   "refused_claims", "accepted"};
static const char *const audiences[] = {"svcacct:fuzzhost",
					"https://fuzz.example/token"};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	sv_config_defaults(&cfg);
	verbose = getenv("SVCACCT_FUZZ_VERBOSE") != NULL;
	for (size_t i = 0; i < NKEYS; i++) {
		BIO *b = BIO_new_mem_buf(keys[i].pem, -1);
		CHECK(b);
		keys[i].priv = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
		BIO_free(b);
		CHECK(keys[i].priv);
		/* the public half, imported as `svcacct key add` does */
		b = BIO_new(BIO_s_mem());
		CHECK(b && PEM_write_bio_PUBKEY(b, keys[i].priv) == 1);
		char *pem = NULL;
		long n = BIO_get_mem_data(b, &pem);
		char err[256];
		CHECK(sv_key_import_pem(pem, (size_t)n, keys[i].alg,
					keys[i].kid, &keys[i].pub, err,
					sizeof(err)) == 0);
		BIO_free(b);
	}
	return 0;
}

/* Sign header.payload with k as JOSE wants it (ECDSA: raw r || s). The
 * new token, malloc'd; NULL on failure. */
static char *resign(const struct sv_jws *j, const struct fkey *k,
		    enum sv_alg alg, size_t *outlen)
{
	const EVP_MD *md = alg == SV_ALG_ES384	 ? EVP_sha384()
			   : alg == SV_ALG_ES512 ? EVP_sha512()
						 : EVP_sha256();
	size_t inlen = j->hlen + 1 + j->plen, siglen = 0;
	uint8_t *sig = NULL, raw[132];
	const uint8_t *use;
	size_t uselen;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	char *tok = NULL;

	CHECK(ctx);
	CHECK(EVP_DigestSignInit(ctx, &pctx, md, NULL, k->priv) == 1);
	if (alg == SV_ALG_PS256) {
		CHECK(EVP_PKEY_CTX_set_rsa_padding(pctx,
						   RSA_PKCS1_PSS_PADDING) == 1);
		CHECK(EVP_PKEY_CTX_set_rsa_pss_saltlen(
			  pctx, RSA_PSS_SALTLEN_DIGEST) == 1);
	}
	CHECK(EVP_DigestSign(ctx, NULL, &siglen, (const uint8_t *)j->tok,
			     inlen) == 1);
	sig = malloc(siglen);
	CHECK(sig);
	CHECK(EVP_DigestSign(ctx, sig, &siglen, (const uint8_t *)j->tok,
			     inlen) == 1);
	use = sig;
	uselen = siglen;
	if (alg == SV_ALG_ES256 || alg == SV_ALG_ES384 || alg == SV_ALG_ES512) {
		size_t fl = alg == SV_ALG_ES256	  ? 32
			    : alg == SV_ALG_ES384 ? 48
						  : 66;
		const uint8_t *p = sig;
		ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)siglen);
		CHECK(es);
		CHECK(BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, (int)fl) ==
		      (int)fl);
		CHECK(BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + fl, (int)fl) ==
		      (int)fl);
		ECDSA_SIG_free(es);
		use = raw;
		uselen = 2 * fl;
	}
	size_t sl = sv_b64url_enclen(uselen);
	tok = malloc(inlen + 1 + sl + 1);
	CHECK(tok);
	memcpy(tok, j->tok, inlen);
	tok[inlen] = '.';
	CHECK(sv_b64url_encode(use, uselen, tok + inlen + 1, sl + 1) == 0);
	*outlen = inlen + 1 + sl;
	free(sig);
	EVP_MD_CTX_free(ctx);
	return tok;
}

static bool str_is(const char *p, size_t n, const char *s)
{
	return p && strlen(s) == n && !memcmp(p, s, n);
}

enum outcome { REFUSED_EARLY, NOT_VERIFIED, REFUSED_CLAIMS, ACCEPTED };

/* The login path on one token; *picked the key whose signature failed. */
static enum outcome run(const char *tok, size_t len, const struct fkey **bad)
{
	struct sv_jws j;
	struct sv_claims cl;
	const char *reason = NULL;
	enum outcome o = REFUSED_EARLY;
	bool verified = false;

	*bad = NULL;
	if (sv_jws_split(tok, len, cfg.max_credential_length, &j, &reason) <
	    0) {
		CHECK(reason);
		return REFUSED_EARLY;
	}
	if (sv_jws_parse_header(&j, 0, &reason) < 0)
		goto out;
	CHECK(j.alg > SV_ALG_NONE && j.alg < SV_ALG_COUNT);
	for (size_t i = 0; i < NKEYS && !verified; i++) {
		struct fkey *k = &keys[i];
		bool pick = j.has_kid ? !strcmp(k->pub.kid, j.kid)
				      : k->pub.alg == j.alg;
		if (!pick || k->pub.alg != j.alg)
			continue;
		EVP_PKEY *pk = NULL;
		enum sv_alg balg;
		CHECK(sv_key_load(k->pub.blob, k->pub.bloblen, &pk, &balg) ==
		      0);
		CHECK(balg == j.alg && sv_key_fits_alg(pk, j.alg));
		int r = sv_jws_verify(&j, pk, j.alg);
		EVP_PKEY_free(pk);
		CHECK(r == 0 || r == -EACCES);
		if (r == 0)
			verified = true;
		else if (!*bad)
			*bad = k;
	}
	if (!verified) {
		o = NOT_VERIFIED;
		goto out;
	}
	o = REFUSED_CLAIMS;
	if (sv_jws_parse_claims(&j, &cl, &reason) < 0)
		goto out;
	CHECK(cl.jti_len > 0 && cl.jti_len <= SV_JTI_MAX);
	struct sv_claim_rules rules = {
	    .account = ACCOUNT,
	    .audiences = audiences,
	    .n_audiences = 2,
	    .now = NOW,
	    .max_lifetime = cfg.max_assertion_lifetime,
	    .skew = cfg.clock_skew,
	};
	if (sv_claims_check(&cl, &rules, &reason) < 0) {
		CHECK(reason);
		goto out;
	}
	/* accepted: the rules hold, checked again independently */
	CHECK(str_is(cl.iss, cl.iss_len, ACCOUNT));
	CHECK(str_is(cl.sub, cl.sub_len, ACCOUNT));
	CHECK(str_is(cl.aud, cl.aud_len, audiences[0]) ||
	      str_is(cl.aud, cl.aud_len, audiences[1]));
	CHECK(cl.exp >= NOW - (int64_t)cfg.clock_skew);
	CHECK(cl.iat <= NOW + (int64_t)cfg.clock_skew);
	CHECK(!cl.has_nbf || cl.nbf <= NOW + (int64_t)cfg.clock_skew);
	CHECK(cl.exp >= cl.iat &&
	      cl.exp - cl.iat <= (int64_t)cfg.max_assertion_lifetime);
	o = ACCEPTED;
out:
	sv_jws_free(&j);
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fkey *bad = NULL;
	enum outcome o = run((const char *)data, size, &bad);

	if (verbose)
		fprintf(stderr, "outcome: %s\n", outcome_name[o]);
	if (o == NOT_VERIFIED && bad) {
		struct sv_jws j;
		const char *reason;
		size_t len = 0;
		/* the token's own header and payload, signed properly */
		CHECK(sv_jws_split((const char *)data, size,
				   cfg.max_credential_length, &j,
				   &reason) == 0);
		char *tok = resign(&j, bad, bad->pub.alg, &len);
		sv_jws_free(&j);
		if (len <= cfg.max_credential_length) {
			const struct fkey *bad2 = NULL;
			o = run(tok, len, &bad2);
			if (verbose)
				fprintf(stderr, "resigned: %s\n",
					outcome_name[o]);
			CHECK(o == REFUSED_CLAIMS || o == ACCEPTED);
		}
		free(tok);
	}
	ERR_clear_error();
	return 0;
}
