/* SPDX-License-Identifier: MIT */
/* libFuzzer target: JWK and JWKS import (common/auth/keys.c), as run by
 * `svcacct key add --jwk/--jwks`, `svcacct import` and the JWKS refresh.
 *
 * The input is offered as one JWK and as a JWKS. Oracle: every accepted
 * key's stored blob loads again (sv_key_load, the login path's loader) to
 * the same alg, fits that alg, and exports to a public JWK that imports
 * back to the very same blob and kid; a JWKS never yields zero keys or two
 * keys with one kid. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "keys.h"
#include "fuzz.h"

static void check_key(const struct sv_key *k)
{
	EVP_PKEY *pk = NULL;
	enum sv_alg alg = SV_ALG_NONE;
	char err[256], tp[44];

	CHECK(k->alg > SV_ALG_NONE && k->alg < SV_ALG_COUNT);
	CHECK(k->kid[0] != '\0' && strlen(k->kid) <= SV_KID_MAX);
	CHECK(sv_key_load(k->blob, k->bloblen, &pk, &alg) == 0);
	CHECK(alg == k->alg);
	CHECK(sv_key_fits_alg(pk, alg));
	EVP_PKEY_free(pk);
	CHECK(sv_key_thumbprint(k->blob, k->bloblen, tp) == 0);

	json_t *jwk = sv_key_blob_to_jwk(k->blob, k->bloblen, k->kid);
	CHECK(jwk);
	char *s = json_dumps(jwk, JSON_COMPACT);
	CHECK(s);
	struct sv_key back = {0};
	CHECK(sv_key_import_jwk(s, strlen(s), NULL, NULL, &back, err,
				sizeof(err)) == 0);
	CHECK(back.alg == k->alg && back.bloblen == k->bloblen &&
	      !memcmp(back.blob, k->blob, k->bloblen) &&
	      !strcmp(back.kid, k->kid));
	sv_key_free(&back);
	free(s);
	json_decref(jwk);

	char *pem = sv_key_blob_to_pem(k->blob, k->bloblen);
	CHECK(pem);
	free(pem);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *json = (const char *)data;
	struct sv_key k = {0}, *ks = NULL;
	size_t n = 0;
	char err[256];

	err[0] = '\0';
	if (sv_key_import_jwk(json, size, NULL, NULL, &k, err, sizeof(err)) ==
	    0) {
		check_key(&k);
		sv_key_free(&k);
	} else {
		CHECK(err[0] != '\0');
	}
	err[0] = '\0';
	if (sv_key_import_jwks(json, size, &ks, &n, err, sizeof(err)) == 0) {
		CHECK(n > 0 && ks);
		for (size_t i = 0; i < n; i++) {
			check_key(&ks[i]);
			for (size_t j = 0; j < i; j++)
				CHECK(strcmp(ks[i].kid, ks[j].kid) != 0);
		}
		sv_keys_free(ks, n);
	} else {
		CHECK(err[0] != '\0');
	}
	/* OpenSSL's error queue is per thread: keep it from growing */
	ERR_clear_error();
	return 0;
}
