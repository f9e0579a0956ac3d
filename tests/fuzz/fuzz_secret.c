/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the client secret parser (common/auth/secret.c), the first
 * thing the login path runs on a presented credential.
 *
 * Oracle: a secret that parses is exactly SV_SECRET_LEN bytes with the
 * prefix and a valid id; its keyed hash under a fixed host key verifies,
 * and the same hash refuses the input with any one byte changed. Stored
 * hashes are hostile too: the input is also offered as a stored hash of
 * any length, which must never match a secret of another hash. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secret.h"
#include "fuzz.h"

static const uint8_t hostkey[SV_HOSTKEY_LEN] = {
    0x5f, 0x1e, 0x02, 0x9c, 0x44, 0x7a, 0xd3, 0x10, 0x8b, 0x66, 0x21,
    0xe0, 0x37, 0x95, 0x4c, 0xab, 0x0d, 0x72, 0xf8, 0x19, 0xc6, 0x3e,
    0x58, 0xb1, 0x90, 0x2f, 0xe4, 0x07, 0x6d, 0xa8, 0x33, 0xce};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char id[SV_CRED_ID_LEN + 1];
	uint8_t h[SV_HASH_LEN];

	/* routing: only the prefix counts */
	bool looks = sv_secret_looks_like(s, size);
	CHECK(looks ==
	      (size >= strlen(SV_SECRET_PREFIX) &&
	       !memcmp(s, SV_SECRET_PREFIX, strlen(SV_SECRET_PREFIX))));
	memset(id, 'x', sizeof(id));
	int r = sv_secret_parse(s, size, id);
	CHECK(r == 0 || r == -EINVAL || r == -EBADMSG);
	if (r == 0) {
		CHECK(size == SV_SECRET_LEN);
		CHECK(looks);
		CHECK(id[SV_CRED_ID_LEN] == '\0');
		CHECK(sv_cred_id_valid(id));
		CHECK(
		    !memcmp(s + strlen(SV_SECRET_PREFIX), id, SV_CRED_ID_LEN));
		CHECK(sv_secret_hash(hostkey, s, size, h) == 0);
		CHECK(sv_secret_verify(hostkey, s, size, h, sizeof(h)) == 0);
		/* wrong-length stored hashes never match */
		CHECK(sv_secret_verify(hostkey, s, size, h, sizeof(h) - 1) ==
		      -EACCES);
		char *m = malloc(size);
		CHECK(m);
		memcpy(m, s, size);
		m[data[size - 1] % size] ^= 0x01;
		CHECK(sv_secret_verify(hostkey, m, size, h, sizeof(h)) ==
		      -EACCES);
		free(m);
	}
	/* the input as a stored hash (a damaged or planted record) */
	static const char good[] =
	    "svcs_0123456789abcdef_"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA_"
	    "00000000";
	CHECK(sv_secret_hash(hostkey, good, strlen(good), h) == 0);
	r = sv_secret_verify(hostkey, good, strlen(good), data, size);
	CHECK(r == 0 || r == -EACCES);
	if (r == 0)
		CHECK(size == SV_HASH_LEN && !memcmp(data, h, SV_HASH_LEN));
	return 0;
}
