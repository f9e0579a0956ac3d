/* SPDX-License-Identifier: MIT */
/* The lookup index of a generation: one read-only file beside each GDBM
 * file (accounts.idx beside accounts.db, same owner and mode), holding the
 * same keys and the same record bytes in a table a reader maps and
 * answers from without a system call. GDBM stays the store of record; the
 * index is derived from it at every commit (docs/FORMAT.md section 13).
 *
 * Layout (version 2), little-endian, offsets from the start of the file:
 *   0    header (SV_INDEX_HEADER bytes, struct below)
 *   64   slots:   nslots x {u32 hash, u32 record offset / 8}, 0 = empty;
 *                 open addressing, linear probing, nslots a power of two
 *   ...  order:   nentries x u32 record offset / 8, sorted by key (bytes,
 *                 then length), then zeros to a multiple of 8
 *   ...  data:    the records, each {u32 key length, u32 value length,
 *                 key, value} and zeros to a multiple of 8
 * A lookup reads its slot and its record, nothing else: at a million
 * accounts each is a cache and TLB miss. The order table serves only the
 * walks in key order.
 * The file is treated as hostile: the header is checked when mapped
 * (magic, version, sizes, its checksum), and every record's offset and
 * lengths against the data area and the file's size on every read. The
 * data checksum is checked by svcacct check only: a whole-file pass on
 * every map would cost every process that resolves a user. */
#ifndef SVCACCT_INDEX_H
#define SVCACCT_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SV_INDEX_MAGIC	 "SVCAIDX\n"
#define SV_INDEX_VERSION 2
#define SV_INDEX_HEADER	 64
#define SV_INDEX_SLOT	 8
#define SV_INDEX_ORDER	 4 /* an order-table entry */
#define SV_INDEX_RECORD	 8 /* a record's lengths */
/* Largest index a reader maps: far above a million accounts (about 240
 * MiB), within reach of a u32 record offset / 8, low enough that a planted
 * sparse file cannot take the address space of a 32-bit process. */
#define SV_INDEX_MAX_SIZE    ((uint64_t)1 << 31)
#define SV_INDEX_MAX_ENTRIES (1u << 26)

/* The header as decoded (the file holds it little-endian, packed). */
struct sv_index_header {
	uint32_t version;
	uint32_t header_size;
	uint64_t generation; /* the generation it was built for */
	uint64_t file_size;
	uint32_t nentries;
	uint32_t nslots;
	uint32_t seed;	     /* of the hash */
	uint32_t naccounts;  /* 'a' keys */
	uint32_t nroles;     /* 'r' keys */
	uint64_t data_sum;   /* sv_index_sum of everything after the header */
	uint32_t header_sum; /* sv_index_sum of bytes 0..59, low 32 bits */
};

/* A mapped (or in-memory) index: a view of size bytes at base. */
struct sv_index {
	const uint8_t *base;
	size_t size;
	size_t data; /* where the records start: no record lies before */
	struct sv_index_header h;
	bool mapped; /* sv_index_unmap unmaps base */
};

/* The hash of a key under a seed (the writer's and every reader's): a
 * word at a time, names and IDs being a few words long. */
uint32_t sv_index_hash(uint32_t seed, const void *key, size_t klen);

/* The checksum of n bytes (a multiply-xor hash over 8-byte words). */
uint64_t sv_index_sum(const void *p, size_t n);

/* Check the header of the n bytes at p and make *ix a view of them:
 * magic, version, header size, its checksum, file_size == n, nslots a
 * power of two above nentries, the tables and a record's lengths per
 * entry inside the file.
 * 0, or -EBADMSG (not an index, or damaged), -EPROTO (another version). */
int sv_index_parse(const void *p, size_t n, struct sv_index *ix);

/* Map name under dirfd read-only and parse it. The file must be a regular
 * file owned by root and not writable by group or others; private_file:
 * not readable by them either (credentials.idx). The fd is closed before
 * the return: a mapped index holds no file descriptor.
 * 0; -ENOENT no such file; -EPERM unsafe; -EBADMSG/-EPROTO (above);
 * -EFBIG larger than SV_INDEX_MAX_SIZE; other -errno. */
int sv_index_map(int dirfd, const char *name, bool private_file,
		 struct sv_index *ix);
void sv_index_unmap(struct sv_index *ix);

/* Entry i in key order (through the order table): its key and value,
 * bounds-checked against the data area. 0, or -EBADMSG. */
int sv_index_entry(const struct sv_index *ix, uint32_t i, const uint8_t **key,
		   uint32_t *klen, const uint8_t **val, uint32_t *vlen);

/* The value stored under key: a view into the index (no copy); reads
 * slots and records only. 0, -ENOENT, or -EBADMSG (a damaged table). */
int sv_index_get(const struct sv_index *ix, const void *key, size_t klen,
		 const uint8_t **val, uint32_t *vlen);

/* The first entry whose key is greater than key (after: strictly; else
 * greater or equal), by the order table; nentries when there is none.
 * 0 with *pos, or -EBADMSG. */
int sv_index_seek(const struct sv_index *ix, const void *key, size_t klen,
		  bool after, uint32_t *pos);

/* Keys order: bytes, then length (the order of the entries). */
int sv_index_keycmp(const void *a, size_t an, const void *b, size_t bn);

#endif
