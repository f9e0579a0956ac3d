/* SPDX-License-Identifier: MIT */
/* The lookup index, write side: a commit merges the base generation's
 * sorted entries with the transaction's changes (a pass over memory, not
 * over GDBM: at 100,000 accounts a walk of the GDBM file costs more than
 * the rest of the commit), and builds from GDBM only when the base has no
 * usable index or an administrator asks for a rebuild. */
#include "indexw.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store-internal.h"
#include "util.h"

struct chg {
	uint8_t *k; /* key, then value, in one allocation */
	uint32_t kl, vl;
	bool del;
	size_t seq;
};

struct svw_ixlog {
	struct chg *v;
	size_t n, cap;
};

/* A record to write: views into the base index, the log or fetched
 * GDBM values. */
struct rec {
	const uint8_t *k, *v;
	uint32_t kl, vl;
};

struct recs {
	struct rec *v;
	size_t n, cap;
	void **owned; /* GDBM datums freed with the set */
	size_t nowned;
};

int svw_ixlog_put(struct svw_ixlog **logp, const void *key, size_t klen,
		  const void *val, size_t vlen)
{
	struct svw_ixlog *l = *logp;
	size_t sz;

	if (klen > UINT32_MAX || vlen > UINT32_MAX)
		return -EINVAL;
	if (!l) {
		l = calloc(1, sizeof(*l));
		if (!l)
			return -ENOMEM;
		*logp = l;
	}
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		void *p = reallocarray(l->v, nc, sizeof(*l->v));
		if (!p)
			return -ENOMEM;
		l->v = p;
		l->cap = nc;
	}
	if (sv_add_overflow(klen, val ? vlen : 0, &sz))
		return -EINVAL;
	struct chg *c = &l->v[l->n];
	c->k = malloc(sz ? sz : 1);
	if (!c->k)
		return -ENOMEM;
	memcpy(c->k, key, klen);
	if (val)
		memcpy(c->k + klen, val, vlen);
	c->kl = (uint32_t)klen;
	c->vl = val ? (uint32_t)vlen : 0;
	c->del = !val;
	c->seq = l->n;
	l->n++;
	return 0;
}

void svw_ixlog_free(struct svw_ixlog *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].k);
	free(l->v);
	free(l);
}

static int chg_cmp(const void *a, const void *b)
{
	const struct chg *x = a, *y = b;
	int c = sv_index_keycmp(x->k, x->kl, y->k, y->kl);
	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int rec_cmp(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	return sv_index_keycmp(x->k, x->kl, y->k, y->kl);
}

static int recs_add(struct recs *s, const uint8_t *k, uint32_t kl,
		    const uint8_t *v, uint32_t vl)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 256;
		void *p = reallocarray(s->v, nc, sizeof(*s->v));
		if (!p)
			return -ENOMEM;
		s->v = p;
		s->cap = nc;
	}
	s->v[s->n++] = (struct rec){.k = k, .kl = kl, .v = v, .vl = vl};
	return 0;
}

static void recs_free(struct recs *s)
{
	for (size_t i = 0; i < s->nowned; i++)
		free(s->owned[i]);
	free(s->owned);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* base's entries with the log applied, in order. */
static int merge(const struct sv_index *base, struct svw_ixlog *log,
		 struct recs *out)
{
	size_t nl = 0;
	uint32_t i = 0, nb = base->h.nentries, checked = UINT32_MAX;
	const uint8_t *pk = NULL;
	uint32_t pkl = 0;
	int r = 0;

	if (log && log->n) {
		/* last change of each key wins */
		qsort(log->v, log->n, sizeof(*log->v), chg_cmp);
		for (size_t j = 0; j < log->n; j++) {
			if (nl &&
			    sv_index_keycmp(log->v[nl - 1].k, log->v[nl - 1].kl,
					    log->v[j].k, log->v[j].kl) == 0) {
				struct chg t = log->v[nl - 1];
				log->v[nl - 1] = log->v[j];
				log->v[j] = t;
			} else {
				struct chg t = log->v[nl];
				log->v[nl] = log->v[j];
				log->v[j] = t;
				nl++;
			}
		}
	}
	size_t j = 0;
	while (r == 0 && (i < nb || j < nl)) {
		const uint8_t *k = NULL, *v = NULL;
		uint32_t kl = 0, vl = 0;
		int c = 1;
		if (i < nb) {
			r = sv_index_entry(base, i, &k, &kl, &v, &vl);
			if (r < 0)
				break;
			/* the base's order is what the merge relies on: each
			 * entry above the one consumed before it */
			if (i != checked && pk &&
			    sv_index_keycmp(pk, pkl, k, kl) >= 0) {
				r = -EBADMSG;
				break;
			}
			checked = i;
			pk = k;
			pkl = kl;
			c = j < nl ? sv_index_keycmp(k, kl, log->v[j].k,
						     log->v[j].kl)
				   : -1;
		}
		if (c < 0) {
			r = recs_add(out, k, kl, v, vl);
			i++;
			continue;
		}
		const struct chg *ch = &log->v[j++];
		if (c == 0)
			i++;
		if (!ch->del)
			r = recs_add(out, ch->k, ch->kl, ch->k + ch->kl,
				     ch->vl);
	}
	return r;
}

/* Every record of db, in order. */
static int from_gdbm(GDBM_FILE db, struct recs *out)
{
	size_t cap = 0;
	int r = 0;
	datum k = gdbm_firstkey(db);

	while (k.dptr) {
		datum v = gdbm_fetch(db, k);
		if (!v.dptr || k.dsize < 0 || v.dsize < 0) {
			r = v.dptr ? -EBADMSG : sv_gdbm_errno(db);
			free(v.dptr);
			free(k.dptr);
			return r;
		}
		if (out->nowned + 2 > cap) {
			size_t nc = cap ? cap * 2 : 512;
			void *p = reallocarray(out->owned, nc, sizeof(void *));
			if (!p) {
				free(v.dptr);
				free(k.dptr);
				return -ENOMEM;
			}
			out->owned = p;
			cap = nc;
		}
		out->owned[out->nowned++] = k.dptr;
		out->owned[out->nowned++] = v.dptr;
		r = recs_add(out, (uint8_t *)k.dptr, (uint32_t)k.dsize,
			     (uint8_t *)v.dptr, (uint32_t)v.dsize);
		if (r < 0)
			return r;
		k = gdbm_nextkey(db, k);
	}
	if (gdbm_last_errno(db) != GDBM_ITEM_NOT_FOUND &&
	    gdbm_last_errno(db) != GDBM_NO_ERROR)
		return sv_gdbm_errno(db);
	/* an empty file has no array to sort (qsort takes no NULL) */
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), rec_cmp);
	for (size_t i = 1; i < out->n; i++)
		if (rec_cmp(&out->v[i - 1], &out->v[i]) == 0)
			return -EBADMSG;
	return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

/* A record's size in the file: its lengths, key and value, padded to 8
 * (below 2^34: no overflow in 64 bits). */
static uint64_t rec_size(const struct rec *e)
{
	return (SV_INDEX_RECORD + (uint64_t)e->kl + e->vl + 7) & ~(uint64_t)7;
}

/* The file's bytes for the records of s (sorted, unique). */
static int layout(const struct recs *s, uint64_t gen, uint8_t **out,
		  size_t *outlen)
{
	uint32_t nslots = 8, seed, naccounts = 0, nroles = 0;
	uint64_t size, data;
	uint8_t *b;

	if (s->n > SV_INDEX_MAX_ENTRIES)
		return -EFBIG;
	while (nslots < 2 * s->n)
		nslots *= 2;
	data = SV_INDEX_HEADER + (uint64_t)nslots * SV_INDEX_SLOT +
	       (((uint64_t)s->n * SV_INDEX_ORDER + 7) & ~(uint64_t)7);
	size = data;
	/* at most 2^26 records below 2^34 bytes each: no overflow */
	for (size_t i = 0; i < s->n; i++)
		size += rec_size(&s->v[i]);
	/* the limit keeps every offset / 8 within a u32 */
	if (size > SV_INDEX_MAX_SIZE)
		return -EFBIG;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = (uint32_t)(gen * 2654435761u);
	b = calloc(1, (size_t)size);
	if (!b)
		return -ENOMEM;
	uint8_t *slots = b + SV_INDEX_HEADER;
	uint8_t *order = slots + (size_t)nslots * SV_INDEX_SLOT;
	uint64_t off = data;
	/* the records in key order too: a walk reads the file forward */
	for (size_t i = 0; i < s->n; i++) {
		const struct rec *e = &s->v[i];
		uint32_t ref = (uint32_t)(off / 8);
		put32(order + i * SV_INDEX_ORDER, ref);
		put32(b + off, e->kl);
		put32(b + off + 4, e->vl);
		memcpy(b + off + SV_INDEX_RECORD, e->k, e->kl);
		memcpy(b + off + SV_INDEX_RECORD + e->kl, e->v, e->vl);
		off += rec_size(e);
		if (e->kl && e->k[0] == SV_KEY_ACCOUNT)
			naccounts++;
		else if (e->kl && e->k[0] == SV_KEY_ROLE)
			nroles++;
		uint32_t h = sv_index_hash(seed, e->k, e->kl);
		uint32_t at = h & (nslots - 1);
		/* at most half full: an empty slot is always found */
		while (slots[(size_t)at * SV_INDEX_SLOT + 4] |
		       slots[(size_t)at * SV_INDEX_SLOT + 5] |
		       slots[(size_t)at * SV_INDEX_SLOT + 6] |
		       slots[(size_t)at * SV_INDEX_SLOT + 7])
			at = (at + 1) & (nslots - 1);
		put32(slots + (size_t)at * SV_INDEX_SLOT, h);
		put32(slots + (size_t)at * SV_INDEX_SLOT + 4, ref);
	}
	memcpy(b, SV_INDEX_MAGIC, 8);
	put32(b + 8, SV_INDEX_VERSION);
	put32(b + 12, SV_INDEX_HEADER);
	put64(b + 16, gen);
	put64(b + 24, size);
	put32(b + 32, (uint32_t)s->n);
	put32(b + 36, nslots);
	put32(b + 40, seed);
	put32(b + 44, naccounts);
	put32(b + 48, nroles);
	put64(b + 52, sv_index_sum(b + SV_INDEX_HEADER,
				   (size_t)size - SV_INDEX_HEADER));
	put32(b + 60, (uint32_t)sv_index_sum(b, 60));
	*out = b;
	*outlen = (size_t)size;
	return 0;
}

static int write_file(int dirfd, const char *name, mode_t mode, gid_t gid,
		      const uint8_t *b, size_t n)
{
	int fd =
	    openat(dirfd, name,
		   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	int r = 0;

	if (fd < 0)
		return -errno;
	/* owner and mode before the first byte: the umask must not decide
	 * who reads credentials.idx */
	if (fchown(fd, 0, gid) < 0 || fchmod(fd, mode) < 0) {
		r = -errno;
		goto out;
	}
	for (size_t done = 0; done < n;) {
		ssize_t w = write(fd, b + done, n - done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		done += (size_t)w;
	}
	if (fsync(fd) < 0)
		r = -errno;
out:
	close(fd);
	if (r < 0)
		(void)unlinkat(dirfd, name, 0);
	return r;
}

int svw_index_write(int dirfd, const char *name, mode_t mode, gid_t gid,
		    uint64_t gen, const struct sv_index *base,
		    const struct svw_ixlog *log, GDBM_FILE db)
{
	struct recs s = {0};
	uint8_t *b = NULL;
	size_t n = 0;
	int r;

	if (base)
		/* merge sorts the log in place, which changes no change */
		r = merge(base, (struct svw_ixlog *)log, &s);
	else
		r = db ? from_gdbm(db, &s) : 0;
	if (r == 0)
		r = layout(&s, gen, &b, &n);
	if (r == 0)
		r = write_file(dirfd, name, mode, gid, b, n);
	free(b);
	recs_free(&s);
	return r;
}

int svw_index_verify(int ixdirfd, const char *name, bool private_file,
		     GDBM_FILE db, char *why, size_t whylen)
{
	struct sv_index ix;
	struct recs s = {0};
	uint32_t na = 0, nr = 0, used = 0;
	int r;

	why[0] = '\0';
	r = sv_index_map(ixdirfd, name, private_file, &ix);
	if (r < 0) {
		snprintf(why, whylen, "%s",
			 r == -EBADMSG	? "not an index or a damaged header"
			 : r == -EPROTO ? "an index of another version"
			 : r == -EPERM	? "unsafe owner or mode"
					: strerror(-r));
		return r == -EPROTO ? -EBADMSG : r;
	}
	if (sv_index_sum(ix.base + SV_INDEX_HEADER,
			 ix.size - SV_INDEX_HEADER) != ix.h.data_sum) {
		snprintf(why, whylen, "its checksum does not match");
		r = -EBADMSG;
		goto out;
	}
	r = from_gdbm(db, &s);
	if (r < 0) {
		snprintf(why, whylen, "reading its GDBM file: %s",
			 strerror(-r));
		goto out;
	}
	if (s.n != ix.h.nentries) {
		snprintf(why, whylen, "%u records, the GDBM file has %zu",
			 ix.h.nentries, s.n);
		r = -EBADMSG;
		goto out;
	}
	for (size_t i = 0; i < s.n; i++) {
		const uint8_t *k, *v, *hv;
		uint32_t kl, vl, hvl;
		r = sv_index_entry(&ix, (uint32_t)i, &k, &kl, &v, &vl);
		if (r == 0 && (kl != s.v[i].kl || vl != s.v[i].vl ||
			       memcmp(k, s.v[i].k, kl) != 0 ||
			       memcmp(v, s.v[i].v, vl) != 0))
			r = -EBADMSG;
		/* and found through the hash table, as readers look */
		if (r == 0 && (sv_index_get(&ix, k, kl, &hv, &hvl) != 0 ||
			       hv != v || hvl != vl))
			r = -EBADMSG;
		if (r < 0) {
			snprintf(why, whylen,
				 "record %zu differs from the GDBM file", i);
			goto out;
		}
		if (kl && k[0] == SV_KEY_ACCOUNT)
			na++;
		else if (kl && k[0] == SV_KEY_ROLE)
			nr++;
	}
	/* no slot beyond those of the records (a lookup of another key
	 * must not meet one) */
	for (uint32_t i = 0; i < ix.h.nslots; i++) {
		uint32_t ref;
		memcpy(&ref,
		       ix.base + SV_INDEX_HEADER + (size_t)i * SV_INDEX_SLOT +
			   4,
		       4);
		if (ref)
			used++;
	}
	if (used != ix.h.nentries) {
		snprintf(why, whylen, "%u slots in use for %u records", used,
			 ix.h.nentries);
		r = -EBADMSG;
		goto out;
	}
	if (na != ix.h.naccounts || nr != ix.h.nroles) {
		snprintf(why, whylen,
			 "its counts of accounts and roles are "
			 "wrong");
		r = -EBADMSG;
	}
out:
	recs_free(&s);
	sv_index_unmap(&ix);
	return r;
}
