/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the lookup index reader (common/store/index.c), which
 * every NSS lookup and login runs on a mapped file.
 *
 * Each input is parsed as it is (the header checks), then again with its
 * header's magic, version, size and checksum made to agree with the
 * input, so that the slots, the order table and the records behind a
 * valid header are explored too. Oracle: every view the reader hands out
 * lies inside the input, in its data area; a key found by a walk of the
 * order table is found by the hash table or the table is reported
 * damaged; seek positions stay in range; nothing loops. */
#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "index.h"

static const uint8_t *g_in;
static size_t g_len;

static void inside(const uint8_t *p, size_t n)
{
	CHECK(p >= g_in && n <= g_len && p + n <= g_in + g_len);
}

/* a record's key or value: after the tables and the record's lengths */
static void in_data(const struct sv_index *ix, const uint8_t *p, size_t n)
{
	inside(p, n);
	CHECK(ix->base == g_in && p >= g_in + ix->data + SV_INDEX_RECORD);
}

static void explore(const struct sv_index *ix)
{
	static const char *const probes[] = {"abot", "rdeploy", "bsvcacct",
					     "u\0\0\x11\x71", ""};
	const uint8_t *k, *v, *hv;
	uint32_t kl, vl, hvl, pos;

	for (uint32_t i = 0; i < ix->h.nentries && i < 4096; i++) {
		if (sv_index_entry(ix, i, &k, &kl, &v, &vl) < 0)
			continue;
		in_data(ix, k, kl);
		in_data(ix, v, vl);
		int r = sv_index_get(ix, k, kl, &hv, &hvl);
		CHECK(r == 0 || r == -ENOENT || r == -EBADMSG);
		if (r == 0)
			in_data(ix, hv, hvl);
		if (sv_index_seek(ix, k, kl, true, &pos) == 0)
			CHECK(pos <= ix->h.nentries);
	}
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		size_t n = i == 3 ? 5 : strlen(probes[i]);
		int r = sv_index_get(ix, probes[i], n, &hv, &hvl);
		CHECK(r == 0 || r == -ENOENT || r == -EBADMSG);
		if (r == 0)
			in_data(ix, hv, hvl);
		if (sv_index_seek(ix, probes[i], n, false, &pos) == 0)
			CHECK(pos <= ix->h.nentries);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sv_index ix;

	g_in = data;
	g_len = size;
	if (sv_index_parse(data, size, &ix) == 0)
		explore(&ix);

	if (size < SV_INDEX_HEADER)
		return 0;
	uint8_t *copy = malloc(size);
	CHECK(copy);
	memcpy(copy, data, size);
	memcpy(copy, SV_INDEX_MAGIC, 8);
	uint32_t ver = htole32(SV_INDEX_VERSION);
	memcpy(copy + 8, &ver, 4);
	uint64_t fs = htole64(size);
	memcpy(copy + 24, &fs, 8);
	uint32_t hs = htole32((uint32_t)sv_index_sum(copy, 60));
	memcpy(copy + 60, &hs, 4);
	g_in = copy;
	if (sv_index_parse(copy, size, &ix) == 0)
		explore(&ix);
	free(copy);
	return 0;
}
