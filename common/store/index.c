/* SPDX-License-Identifier: MIT */
/* The generation's lookup index, read side: header checks, the hash
 * table, the sorted entries. See index.h for the layout. */
#include "index.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store-internal.h"

static uint32_t le32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return le32toh(v);
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return le64toh(v);
}

static uint64_t fmix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

uint32_t sv_index_hash(uint32_t seed, const void *key, size_t klen)
{
	const uint8_t *p = key;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;

	for (size_t i = 0; i < klen; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return (uint32_t)fmix64(h ^ klen);
}

uint64_t sv_index_sum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0x243f6a8885a308d3ULL, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, b + i, 8);
		h = (h ^ le64toh(w)) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	w = 0;
	for (size_t k = 0; i < n; i++, k++)
		w |= (uint64_t)b[i] << (8 * k);
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return fmix64(h ^ n);
}

int sv_index_keycmp(const void *a, size_t an, const void *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);
	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}

int sv_index_parse(const void *p, size_t n, struct sv_index *ix)
{
	const uint8_t *b = p;
	struct sv_index_header h;
	uint64_t tables;

	memset(ix, 0, sizeof(*ix));
	if (n < SV_INDEX_HEADER || memcmp(b, SV_INDEX_MAGIC, 8) != 0)
		return -EBADMSG;
	h.version = le32(b + 8);
	h.header_size = le32(b + 12);
	h.generation = le64(b + 16);
	h.file_size = le64(b + 24);
	h.nentries = le32(b + 32);
	h.nslots = le32(b + 36);
	h.seed = le32(b + 40);
	h.naccounts = le32(b + 44);
	h.nroles = le32(b + 48);
	h.data_sum = le64(b + 52);
	h.header_sum = le32(b + 60);
	if (h.version != SV_INDEX_VERSION)
		return -EPROTO;
	if (h.header_size != SV_INDEX_HEADER ||
	    h.header_sum != (uint32_t)sv_index_sum(b, 60) || h.file_size != n)
		return -EBADMSG;
	if (h.nentries > SV_INDEX_MAX_ENTRIES || h.nslots < 2 ||
	    h.nslots > 2 * SV_INDEX_MAX_ENTRIES ||
	    (h.nslots & (h.nslots - 1)) != 0 || h.nslots <= h.nentries ||
	    h.naccounts > h.nentries || h.nroles > h.nentries)
		return -EBADMSG;
	/* both bounded above: no overflow in 64 bits */
	tables = SV_INDEX_HEADER + (uint64_t)h.nslots * SV_INDEX_SLOT +
		 (uint64_t)h.nentries * SV_INDEX_ENTRY;
	if (tables > n)
		return -EBADMSG;
	ix->base = b;
	ix->size = n;
	ix->h = h;
	return 0;
}

static uint64_t data_offset(const struct sv_index *ix)
{
	return SV_INDEX_HEADER + (uint64_t)ix->h.nslots * SV_INDEX_SLOT +
	       (uint64_t)ix->h.nentries * SV_INDEX_ENTRY;
}

int sv_index_entry(const struct sv_index *ix, uint32_t i, const uint8_t **key,
		   uint32_t *klen, const uint8_t **val, uint32_t *vlen)
{
	if (i >= ix->h.nentries)
		return -EBADMSG;
	const uint8_t *e = ix->base + SV_INDEX_HEADER +
			   (size_t)ix->h.nslots * SV_INDEX_SLOT +
			   (size_t)i * SV_INDEX_ENTRY;
	uint64_t off = le64(e);
	uint32_t kl = le32(e + 8), vl = le32(e + 12);
	/* off <= size < 2^63 and the lengths < 2^32: no overflow */
	if (off < data_offset(ix) || off > ix->size ||
	    off + kl + (uint64_t)vl > ix->size)
		return -EBADMSG;
	*key = ix->base + off;
	*klen = kl;
	*val = ix->base + off + kl;
	*vlen = vl;
	return 0;
}

int sv_index_get(const struct sv_index *ix, const void *key, size_t klen,
		 const uint8_t **val, uint32_t *vlen)
{
	uint32_t hash = sv_index_hash(ix->h.seed, key, klen);
	uint32_t mask = ix->h.nslots - 1;
	const uint8_t *slots = ix->base + SV_INDEX_HEADER;

	/* every slot at most once: a damaged table with no empty slot
	 * ends here rather than looping */
	for (uint32_t n = 0, i = hash & mask; n < ix->h.nslots;
	     n++, i = (i + 1) & mask) {
		const uint8_t *s = slots + (size_t)i * SV_INDEX_SLOT;
		uint32_t ref = le32(s + 4);
		const uint8_t *k, *v;
		uint32_t kl, vl;
		int r;

		if (ref == 0)
			return -ENOENT;
		if (le32(s) != hash)
			continue;
		r = sv_index_entry(ix, ref - 1, &k, &kl, &v, &vl);
		if (r < 0)
			return r;
		if (kl == klen && memcmp(k, key, klen) == 0) {
			*val = v;
			*vlen = vl;
			return 0;
		}
	}
	return -ENOENT;
}

int sv_index_seek(const struct sv_index *ix, const void *key, size_t klen,
		  bool after, uint32_t *pos)
{
	uint32_t lo = 0, hi = ix->h.nentries;

	/* a damaged order gives a wrong position, never an unbounded walk:
	 * the callers check that what they step to is greater */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const uint8_t *k, *v;
		uint32_t kl, vl;
		int r = sv_index_entry(ix, mid, &k, &kl, &v, &vl);
		if (r < 0)
			return r;
		int c = sv_index_keycmp(k, kl, key, klen);
		if (c < 0 || (after && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	*pos = lo;
	return 0;
}

int sv_index_map(int dirfd, const char *name, bool private_file,
		 struct sv_index *ix)
{
	struct stat st;
	void *p = MAP_FAILED;
	int fd, r;

	memset(ix, 0, sizeof(*ix));
	fd = svi_open_file(dirfd, name, O_RDONLY, 0, private_file, &st);
	if (fd < 0)
		return fd;
	if ((uint64_t)st.st_size > SV_INDEX_MAX_SIZE) {
		r = -EFBIG;
		goto out;
	}
	if (st.st_size < SV_INDEX_HEADER) {
		r = -EBADMSG;
		goto out;
	}
	/* no MAP_POPULATE: a process touches the pages of what it looks up */
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		r = -errno;
		goto out;
	}
	r = sv_index_parse(p, (size_t)st.st_size, ix);
	if (r < 0)
		goto out;
	ix->mapped = true;
	p = MAP_FAILED;
out:
	if (p != MAP_FAILED)
		munmap(p, (size_t)st.st_size);
	close(fd);
	return r;
}

void sv_index_unmap(struct sv_index *ix)
{
	if (ix->mapped && ix->base)
		munmap((void *)ix->base, ix->size);
	memset(ix, 0, sizeof(*ix));
}
