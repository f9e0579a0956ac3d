/* SPDX-License-Identifier: MIT */
/* The generation's lookup index, read side: header checks, the hash
 * table, the order table. See index.h for the layout. */
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

/* The n < 8 bytes at p as a little-endian word, zero-padded, without a
 * byte loop: two overlapping loads put the shared bytes in the same
 * place. */
static uint64_t tail(const uint8_t *p, size_t n)
{
	if (n >= 4)
		return le32(p) | (uint64_t)le32(p + n - 4) << (8 * (n - 4));
	if (n == 0)
		return 0;
	return p[0] | (uint64_t)p[n / 2] << (8 * (n / 2)) |
	       (uint64_t)p[n - 1] << (8 * (n - 1));
}

uint32_t sv_index_hash(uint32_t seed, const void *key, size_t klen)
{
	const uint8_t *p = key;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;
	size_t i = 0;

	for (; i + 8 <= klen; i += 8) {
		h = (h ^ le64(p + i)) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 32;
	}
	h = (h ^ tail(p + i, klen - i)) * 0x9e3779b97f4a7c15ULL;
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
	uint64_t data;

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
	/* all bounded above: no overflow in 64 bits */
	data = SV_INDEX_HEADER + (uint64_t)h.nslots * SV_INDEX_SLOT +
	       (((uint64_t)h.nentries * SV_INDEX_ORDER + 7) & ~(uint64_t)7);
	/* and every entry a record of at least its two lengths */
	if (data + (uint64_t)h.nentries * SV_INDEX_RECORD > n)
		return -EBADMSG;
	ix->base = b;
	ix->size = n;
	ix->data = (size_t)data;
	ix->h = h;
	return 0;
}

/* The record at ref * 8: inside the data area, its key and value inside
 * the file. */
static inline int record(const struct sv_index *ix, uint32_t ref,
			 const uint8_t **key, uint32_t *klen,
			 const uint8_t **val, uint32_t *vlen)
{
	uint64_t off = (uint64_t)ref * 8;
	uint32_t kl, vl;

	/* off < 2^35, the lengths < 2^32, size >= off + 8: no overflow */
	if (off < ix->data || off + SV_INDEX_RECORD > ix->size)
		return -EBADMSG;
	kl = le32(ix->base + off);
	vl = le32(ix->base + off + 4);
	if ((uint64_t)kl + vl > ix->size - off - SV_INDEX_RECORD)
		return -EBADMSG;
	*key = ix->base + off + SV_INDEX_RECORD;
	*klen = kl;
	*val = *key + kl;
	*vlen = vl;
	return 0;
}

int sv_index_entry(const struct sv_index *ix, uint32_t i, const uint8_t **key,
		   uint32_t *klen, const uint8_t **val, uint32_t *vlen)
{
	if (i >= ix->h.nentries)
		return -EBADMSG;
	const uint8_t *order =
	    ix->base + SV_INDEX_HEADER + (size_t)ix->h.nslots * SV_INDEX_SLOT;
	return record(ix, le32(order + (size_t)i * SV_INDEX_ORDER), key, klen,
		      val, vlen);
}

/* Ask for the cache lines of the n bytes at p, a few at most, at once:
 * the caller decodes the whole value next, and in a large index each
 * line is a miss that would otherwise wait for the one before it (the
 * decoder's next address depends on the lengths it just read). */
static inline void prefetch_lines(const uint8_t *p, size_t n)
{
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)63, end = (uintptr_t)p + n;

	for (int i = 0; i < 8 && a < end; i++, a += 64)
		__builtin_prefetch((const void *)a);
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
		r = record(ix, ref, &k, &kl, &v, &vl);
		if (r < 0)
			return r;
		prefetch_lines(v, vl);
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
