/* SPDX-License-Identifier: MIT */
/* Unit tests for trusted issuers: the issuer record (kind 'I') round trip
 * and every refusal of its decoder (truncation at each byte included),
 * roles claim paths with escapes, issuer names, and the import of an
 * IdP's JWKS (encryption keys skipped, no usable key / weak key /
 * duplicate kid refused). Runs under ASan+UBSan too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec.h"
#include "issuer.h"
#include "keys.h"
#include "util.h"

static const struct sv_str roles_claims[] = {{"realm_access.roles", 18}};
static const struct sv_str crem[] = {{"deploy-client", 13}, {"ci", 2}};
static const struct sv_str cloc[] = {{"deploy", 6}, {"ci-bot", 6}};
static const struct sv_str rrem[] = {{"deployer", 8}};
static const struct sv_str rloc[] = {{"deployers", 9}};

static struct sv_issuer sample(void)
{
	struct sv_issuer x = {
	    .client_claim = SV_CLIENT_AZP,
	    .max_lifetime = 3600,
	    .created = 1795325548,
	    .updated = 1795325549,
	    .name = SV_STR("kc"),
	    .issuer = SV_STR("https://kc.test/realms/fleet"),
	    .audience = SV_STR("svcacct:web1"),
	    .jwks_url = SV_STR(""),
	    .ca_file = SV_STR(""),
	    .roles_claims = {.count = 1, .items = roles_claims},
	    .client_remote = {.count = 2, .items = crem},
	    .client_local = {.count = 2, .items = cloc},
	    .role_remote = {.count = 1, .items = rrem},
	    .role_local = {.count = 1, .items = rloc},
	};
	return x;
}

static void test_roundtrip(void **state)
{
	(void)state;
	struct sv_issuer x = sample(), y;
	struct sv_buf b = {0}, b2 = {0};
	assert_int_equal(sv_encode_issuer(&b, &x), 0);
	assert_int_equal(sv_decode_issuer(b.p, b.len, &y), 0);
	assert_true(sv_str_eq(y.name, "kc"));
	assert_true(sv_str_eq(y.issuer, "https://kc.test/realms/fleet"));
	assert_int_equal(y.client_claim, SV_CLIENT_AZP);
	assert_int_equal(y.max_lifetime, 3600);
	assert_int_equal(y.client_remote.count, 2);
	assert_true(sv_list_contains(&y.client_local, SV_STR("ci-bot")));
	/* re-encoding the decoded views gives the same bytes */
	assert_int_equal(sv_encode_issuer(&b2, &y), 0);
	assert_int_equal(b.len, b2.len);
	assert_memory_equal(b.p, b2.p, b.len);
	assert_int_equal(b.p[2], 'I');
	assert_int_equal(b.p[3], 1);
	/* every truncation and one trailing byte are refused */
	for (size_t n = 0; n < b.len; n++)
		assert_int_not_equal(sv_decode_issuer(b.p, n, &y), 0);
	uint8_t *longer = malloc(b.len + 1);
	assert_non_null(longer);
	memcpy(longer, b.p, b.len);
	longer[b.len] = 0;
	assert_int_equal(sv_decode_issuer(longer, b.len + 1, &y), -EBADMSG);
	free(longer);
	/* another version or kind: EPROTO; bad magic: EBADMSG */
	b.p[3] = 2;
	assert_int_equal(sv_decode_issuer(b.p, b.len, &y), -EPROTO);
	b.p[3] = 1;
	b.p[2] = 'A';
	assert_int_equal(sv_decode_issuer(b.p, b.len, &y), -EPROTO);
	b.p[2] = 'I';
	b.p[0] = 'X';
	assert_int_equal(sv_decode_issuer(b.p, b.len, &y), -EBADMSG);
	sv_buf_free(&b);
	sv_buf_free(&b2);
}

static void test_refusals(void **state)
{
	(void)state;
	struct sv_buf b = {0};
	struct sv_issuer x = sample(), y;
	x.flags = 1;
	assert_int_equal(sv_encode_issuer(&b, &x), -EINVAL);
	x = sample();
	x.client_claim = 5;
	assert_int_equal(sv_encode_issuer(&b, &x), -EINVAL);
	x = sample();
	x.client_local.count = 1; /* unpaired */
	assert_int_equal(sv_encode_issuer(&b, &x), -EINVAL);
	x = sample();
	x.audience = SV_STR("");
	assert_int_equal(sv_encode_issuer(&b, &x), -EINVAL);
	/* a forged record with flags set is refused by the decoder */
	x = sample();
	assert_int_equal(sv_encode_issuer(&b, &x), 0);
	b.p[4] = 1; /* flags, little endian */
	assert_int_equal(sv_decode_issuer(b.p, b.len, &y), -EBADMSG);
	b.p[4] = 0;
	b.p[8] = 9; /* client claim */
	assert_int_equal(sv_decode_issuer(b.p, b.len, &y), -EBADMSG);
	sv_buf_free(&b);
}

static void test_paths(void **state)
{
	(void)state;
	char err[256];
	assert_int_equal(
	    sv_issuer_path_check("realm_access.roles", err, sizeof(err)), 0);
	assert_int_equal(sv_issuer_path_check("scope", err, sizeof(err)), 0);
	assert_int_equal(sv_issuer_path_check("resource_access.a\\.b.roles",
					      err, sizeof(err)),
			 0);
	assert_int_equal(sv_issuer_path_check("a\\\\b", err, sizeof(err)), 0);
	const char *bad[] = {"",     ".",    "a.",
			     ".a",   "a..b", "a\\",
			     "a\\x", "a b",  "a.b.c.d.e.f.g.h.i"};
	for (size_t i = 0; i < SV_ARRAY_SIZE(bad); i++)
		assert_int_equal(sv_issuer_path_check(bad[i], err, sizeof(err)),
				 -EINVAL);

	json_t *o =
	    json_loads("{\"resource_access\":{\"a.b\":{\"roles\":[\"x\"]},"
		       "\"a\":{\"b\":{\"roles\":[\"wrong\"]}}},"
		       "\"b\\\\c\":1, \"scope\":\"p e\"}",
		       0, NULL);
	assert_non_null(o);
	const char *p = "resource_access.a\\.b.roles";
	json_t *v = sv_issuer_path_get(o, p, strlen(p));
	assert_true(json_is_array(v));
	assert_string_equal(json_string_value(json_array_get(v, 0)), "x");
	p = "resource_access.a.b.roles";
	v = sv_issuer_path_get(o, p, strlen(p));
	assert_string_equal(json_string_value(json_array_get(v, 0)), "wrong");
	p = "b\\\\c";
	assert_int_equal(
	    json_integer_value(sv_issuer_path_get(o, p, strlen(p))), 1);
	p = "scope.x"; /* through a string: absent */
	assert_null(sv_issuer_path_get(o, p, strlen(p)));
	p = "nope.roles";
	assert_null(sv_issuer_path_get(o, p, strlen(p)));
	json_decref(o);
}

static void test_names(void **state)
{
	(void)state;
	assert_true(sv_issuer_name_valid("kc"));
	assert_true(sv_issuer_name_valid("0kc.prod-1_a"));
	assert_false(sv_issuer_name_valid(""));
	assert_false(sv_issuer_name_valid(".kc"));
	assert_false(sv_issuer_name_valid("-kc"));
	assert_false(sv_issuer_name_valid("Kc"));
	assert_false(sv_issuer_name_valid("a/b"));
	assert_false(sv_issuer_name_valid("a12345678901234567890123456789012345"
					  "678901234567890123456789012345"));
	assert_true(sv_issuer_token_valid("https://x", 255));
	assert_false(sv_issuer_token_valid("a b", 255));
	assert_false(sv_issuer_token_valid("a\x7f", 255));
	assert_int_equal(sv_client_claim_from_name("azp"), SV_CLIENT_AZP);
	assert_int_equal(sv_client_claim_from_name("email"), 0);
}

/* P-256 public key (RFC 7515 A.3) and an RSA key small enough to refuse */
#define EC_JWK                                                                 \
	"{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"ec1\",\"use\":\"sig\","   \
	"\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","               \
	"\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}"
#define ENC_JWK                                                                \
	"{\"kty\":\"RSA\",\"use\":\"enc\",\"alg\":\"RSA-OAEP\",\"kid\":\"e\"," \
	"\"n\":\"AQAB\",\"e\":\"AQAB\"}"
#define WEAK_RSA                                                               \
	"{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"w\","    \
	"\"n\":\"AQAB\",\"e\":\"AQAB\"}"

static int imp(const char *s, size_t *n, size_t *skipped, char *err)
{
	struct sv_key *k = NULL;
	int r =
	    sv_key_import_jwks_usable(s, strlen(s), &k, n, skipped, err, 256);
	sv_keys_free(k, *n);
	return r;
}

static void test_jwks_usable(void **state)
{
	(void)state;
	char err[256];
	size_t n = 0, skipped = 0;
	assert_int_equal(
	    imp("{\"keys\":[" ENC_JWK "," EC_JWK
		",{\"kty\":\"oct\",\"k\":\"AAAA\"}"
		",{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"AA\"}]}",
		&n, &skipped, err),
	    0);
	assert_int_equal(n, 1);
	assert_int_equal(skipped, 3);
	assert_int_equal(imp("{\"keys\":[" ENC_JWK "]}", &n, &skipped, err),
			 -EINVAL);
	assert_non_null(strstr(err, "no usable signing key"));
	assert_int_equal(
	    imp("{\"keys\":[" WEAK_RSA "," EC_JWK "]}", &n, &skipped, err),
	    -EINVAL);
	assert_non_null(strstr(err, "keys[0]"));
	assert_int_equal(
	    imp("{\"keys\":[" EC_JWK "," EC_JWK "]}", &n, &skipped, err),
	    -EINVAL);
	assert_non_null(strstr(err, "duplicate kid"));
	assert_int_equal(imp("{\"keys\":[]}", &n, &skipped, err), -EINVAL);
	assert_int_equal(imp("{\"keys\":[1]}", &n, &skipped, err), -EINVAL);
	assert_int_equal(imp("[]", &n, &skipped, err), -EINVAL);
	assert_int_equal(
	    imp("{\"keys\":[" EC_JWK "],\"keys\":[]}", &n, &skipped, err),
	    -EINVAL); /* duplicate member */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip),	cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_paths),	cmocka_unit_test(test_names),
	    cmocka_unit_test(test_jwks_usable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
