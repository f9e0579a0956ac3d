/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the credential-parts reassembly of pam_svcacct
 * (pam/parts.c), which joins conversation answers ending in '\'.
 *
 * Input: two bytes of limits (max_parts 1..16, max length 0..1023 or the
 * default 16384), then the answers, separated by NUL bytes (answers are C
 * strings: a NUL cannot occur inside one). Oracle: an independent model of
 * the rule (drop one trailing '\', stop at the first answer without it,
 * refuse a total over max or a continuation on the last allowed part)
 * must give the same verdict, reason and bytes. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parts.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct svp_parts p;
	const char *reason = NULL, *want_reason = NULL;
	char *out = NULL, *model = NULL, *copy = NULL;
	size_t outlen = 0, mlen = 0, off;
	unsigned max_parts, nparts = 0;
	size_t max;
	bool more = true;
	int r = 0;

	if (size < 2)
		return 0;
	max_parts = 1 + data[0] % 16;
	max = data[1] == 0xff ? 16384 : (size_t)data[1] * 4;
	/* the answers, NUL-terminated (one more NUL at the end) */
	copy = malloc(size - 2 + 1);
	model = malloc(size + 1);
	CHECK(copy && model);
	memcpy(copy, data + 2, size - 2);
	copy[size - 2] = '\0';

	CHECK(svp_parts_init(&p, max, max_parts) == 0);
	off = 0;
	while (more && off <= size - 2) {
		const char *ans = copy + off;
		size_t n = strlen(ans);
		bool m = n > 0 && ans[n - 1] == '\\';
		size_t keep = m ? n - 1 : n;

		/* the model */
		nparts++;
		if (!want_reason && keep > max - mlen)
			want_reason = "too_long";
		if (!want_reason) {
			memcpy(model + mlen, ans, keep);
			mlen += keep;
			if (m && nparts >= max_parts)
				want_reason = "too_many_parts";
		}
		/* the code */
		r = svp_parts_add(&p, ans, &more, &reason);
		CHECK(more == m);
		CHECK(p.len <= max);
		if (r < 0)
			break;
		off += n + 1;
	}
	if (r < 0) {
		CHECK(want_reason && !strcmp(reason, want_reason));
	} else if (more) {
		/* the input ran out while more was wanted: the conversation
		 * would ask again; nothing to hand over yet */
		CHECK(!want_reason);
	} else {
		CHECK(!want_reason);
		r = svp_parts_finish(&p, &out, &outlen, &reason);
		if (mlen == 0) {
			CHECK(r < 0 && !strcmp(reason, "empty") && !out);
		} else {
			CHECK(r == 0 && out && outlen == mlen);
			CHECK(!memcmp(out, model, mlen) && out[outlen] == '\0');
			CHECK(outlen <= max && !memchr(out, '\\', 0));
		}
	}
	if (out) {
		memset(out, 0, outlen);
		free(out);
	}
	svp_parts_free(&p);
	free(copy);
	free(model);
	return 0;
}
