/* SPDX-License-Identifier: MIT */
/* Record codec. Layout of every value (docs/FORMAT.md):
 *   'S' 'V' kind version   then the kind's fields, little endian:
 *   u32/i64 numbers, strings as u16 length + bytes (no NUL), string lists
 *   as u32 count + strings, number lists as u32 count + u32s.
 * Nothing may follow the last field. */
#include "codec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Upper bound for any list: far above any real store, far below what would
 * let a forged count make a reader loop for long. Counts are also checked
 * against the bytes left, which is the real bound. */
#define SV_LIST_MAX (1u << 24)

void sv_buf_free(struct sv_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static void buf_put(struct sv_buf *b, const void *p, size_t n)
{
	size_t need;
	if (b->error)
		return;
	if (sv_add_overflow(b->len, n, &need)) {
		b->error = -EINVAL;
		return;
	}
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : 128;
		while (cap < need) {
			if (sv_mul_overflow(cap, 2, &cap)) {
				b->error = -ENOMEM;
				return;
			}
		}
		uint8_t *np = realloc(b->p, cap);
		if (!np) {
			b->error = -ENOMEM;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len = need;
}

static void put_u8(struct sv_buf *b, uint8_t v)
{
	buf_put(b, &v, 1);
}
static void put_u16(struct sv_buf *b, uint16_t v)
{
	uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	buf_put(b, x, 2);
}
static void put_u32(struct sv_buf *b, uint32_t v)
{
	uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			(uint8_t)(v >> 24)};
	buf_put(b, x, 4);
}
static void put_i64(struct sv_buf *b, int64_t s)
{
	uint64_t v = (uint64_t)s;
	put_u32(b, (uint32_t)v);
	put_u32(b, (uint32_t)(v >> 32));
}
static void put_str(struct sv_buf *b, struct sv_str s)
{
	if (s.n > SV_STR_MAX || (s.n && memchr(s.p, '\0', s.n))) {
		b->error = -EINVAL;
		return;
	}
	put_u16(b, (uint16_t)s.n);
	buf_put(b, s.p, s.n);
}
static void put_blob(struct sv_buf *b, struct sv_str s)
{
	/* binary: NUL allowed, u32 length */
	if (s.n > UINT32_MAX) {
		b->error = -EINVAL;
		return;
	}
	put_u32(b, (uint32_t)s.n);
	buf_put(b, s.p, s.n);
}
/* A list's count; false (and b->error) above SV_LIST_MAX. */
static bool put_count(struct sv_buf *b, uint32_t count)
{
	if (count > SV_LIST_MAX) {
		b->error = -EINVAL;
		return false;
	}
	put_u32(b, count);
	return true;
}
static void put_list(struct sv_buf *b, const struct sv_list *l)
{
	if (!put_count(b, l->count))
		return;
	if (l->items) {
		for (uint32_t i = 0; i < l->count; i++)
			put_str(b, l->items[i]);
	} else if (l->count) {
		buf_put(b, l->raw, l->rawlen);
	}
}
static void put_u32list(struct sv_buf *b, const struct sv_u32list *l)
{
	if (!put_count(b, l->count))
		return;
	for (uint32_t i = 0; i < l->count; i++)
		put_u32(b, sv_u32list_get(l, i));
}
static void put_header_v(struct sv_buf *b, enum sv_kind k, uint8_t version)
{
	b->len = 0;
	b->error = 0;
	uint8_t h[4] = {SV_MAGIC0, SV_MAGIC1, (uint8_t)k, version};
	buf_put(b, h, 4);
}
static int finish(struct sv_buf *b)
{
	return b->error;
}

/* ---------------------------------------------------------------- records */

/* How a field is coded (docs/FORMAT.md). */
enum coding {
	C_U8,
	C_U32,
	C_I64,
	C_STR,
	C_BLOB,
	C_LIST,
	C_U32LIST,
};

/* One field of a record, in the order of the format. A row is
 * FIELD(T, member, since) or BLOB(T, member, since): the coding follows from
 * the member's C type (a blob is the one choice the type leaves open), so
 * that no row can read or write a member as another type. */
struct field {
	size_t off;
	enum coding coding;
	uint8_t since; /* the record version that added the field */
};
/* clang-format cannot lay out _Generic's "type: value" pairs. */
/* clang-format off */
#define CODING_OF(m)                                                           \
	_Generic((m), uint8_t: C_U8, uint32_t: C_U32, int64_t: C_I64,          \
		 struct sv_str: C_STR, struct sv_list: C_LIST,                 \
		 struct sv_u32list: C_U32LIST)
#define FIELD(T, m, since) {offsetof(T, m), CODING_OF(((T *)0)->m), since}
#define BLOB(T, m, since)                                                      \
	{offsetof(T, m), _Generic(((T *)0)->m, struct sv_str: C_BLOB), since}
/* clang-format on */

/* A kind of record: its header, its fields, and what makes one valid. One
 * layout serves the encoder and the decoder, and the encoder refuses what
 * the decoder would refuse, so that nothing is ever written that a reader
 * cannot read back. */
struct layout {
	enum sv_kind kind;
	uint8_t min_version; /* the lowest one written */
	uint8_t version;     /* the highest one written and read */
	size_t size;
	const struct field *fields;
	size_t nfields;
	bool (*valid)(const void *rec, uint8_t version); /* NULL: any */
};
/* The layout of records of type T (a struct) with the table fields. */
#define LAYOUT(kind, min_version, version, T, fields, valid)                   \
	{                                                                      \
		kind, min_version, version, sizeof(T), fields,                 \
		    SV_ARRAY_SIZE(fields), valid                               \
	}

/* The tables list one field a line, as docs/FORMAT.md does. */
/* clang-format off */
static const struct field account_fields[] = {
	FIELD(struct sv_account, uid, 1),
	FIELD(struct sv_account, flags, 1),
	FIELD(struct sv_account, created, 1),
	FIELD(struct sv_account, updated, 1),
	FIELD(struct sv_account, expires, 1),
	FIELD(struct sv_account, name, 1),
	FIELD(struct sv_account, description, 1),
	FIELD(struct sv_account, owner, 1),
	FIELD(struct sv_account, home, 1),
	FIELD(struct sv_account, shell, 1),
	FIELD(struct sv_account, roles, 1),
	FIELD(struct sv_account, methods, 2),
};
/* clang-format on */
static bool account_ok(const void *rec, uint8_t version)
{
	const struct sv_account *a = rec;
	(void)version;
	return !((a->flags & ~SV_ACCT_FLAGS_KNOWN) ||
		 (a->methods & ~SV_ACCT_METHODS_KNOWN) || !a->name.n);
}
static const struct layout account_layout =
    LAYOUT(SV_KIND_ACCOUNT, SV_CODEC_VERSION, SV_ACCOUNT_VERSION,
	   struct sv_account, account_fields, account_ok);

/* clang-format off */
static const struct field role_fields[] = {
	FIELD(struct sv_role, gid, 1),
	FIELD(struct sv_role, flags, 1),
	FIELD(struct sv_role, created, 1),
	FIELD(struct sv_role, updated, 1),
	FIELD(struct sv_role, name, 1),
	FIELD(struct sv_role, description, 1),
	FIELD(struct sv_role, services, 1),
	FIELD(struct sv_role, sources, 1),
	FIELD(struct sv_role, commands, 1),
	FIELD(struct sv_role, members, 1),
};
/* clang-format on */
static bool role_ok(const void *rec, uint8_t version)
{
	const struct sv_role *r = rec;
	(void)version;
	return r->flags == 0 && r->name.n;
}
static const struct layout role_layout =
    LAYOUT(SV_KIND_ROLE, SV_CODEC_VERSION, SV_CODEC_VERSION, struct sv_role,
	   role_fields, role_ok);

/* clang-format off */
/* The UID came with version 2; a version 1 record has none. The scope and
 * the JWKS URL came with version 3. */
static const struct field cred_fields[] = {
	FIELD(struct sv_cred, type, 1),
	FIELD(struct sv_cred, alg, 1),
	FIELD(struct sv_cred, created, 1),
	FIELD(struct sv_cred, expires, 1),
	FIELD(struct sv_cred, uid, 2),
	FIELD(struct sv_cred, id, 1),
	FIELD(struct sv_cred, account, 1),
	FIELD(struct sv_cred, label, 1),
	FIELD(struct sv_cred, kid, 1),
	BLOB(struct sv_cred, material, 1),
	FIELD(struct sv_cred, roles, 3),
	FIELD(struct sv_cred, sources, 3),
	FIELD(struct sv_cred, url, 3),
	FIELD(struct sv_cred, ca_file, 3),
};
/* clang-format on */
static bool cred_ok(const void *rec, uint8_t version)
{
	const struct sv_cred *c = rec;
	/* a JWKS credential needs version 3 (its URL), and only it has one */
	bool jwks = c->type == SV_CRED_JWKS;
	return !(c->type < SV_CRED_SECRET || c->type > SV_CRED_JWKS ||
		 !c->id.n || !c->account.n || (version >= 2 && !c->uid) ||
		 jwks != (c->url.n != 0) || (!jwks && c->ca_file.n));
}
static const struct layout cred_layout =
    LAYOUT(SV_KIND_CRED, SV_CRED_VERSION_MIN, SV_CRED_VERSION, struct sv_cred,
	   cred_fields, cred_ok);

/* clang-format off */
/* An id list is a record of one field: the list itself. */
static const struct field idlist_fields[] = {
	{0, C_LIST, 1},
};
/* clang-format on */
static const struct layout idlist_layout =
    LAYOUT(SV_KIND_IDLIST, SV_CODEC_VERSION, SV_CODEC_VERSION, struct sv_list,
	   idlist_fields, NULL);

/* clang-format off */
static const struct field issuer_fields[] = {
	FIELD(struct sv_issuer, flags, 1),
	FIELD(struct sv_issuer, client_claim, 1),
	FIELD(struct sv_issuer, max_lifetime, 1),
	FIELD(struct sv_issuer, created, 1),
	FIELD(struct sv_issuer, updated, 1),
	FIELD(struct sv_issuer, name, 1),
	FIELD(struct sv_issuer, issuer, 1),
	FIELD(struct sv_issuer, audience, 1),
	FIELD(struct sv_issuer, jwks_url, 1),
	FIELD(struct sv_issuer, ca_file, 1),
	FIELD(struct sv_issuer, roles_claims, 1),
	FIELD(struct sv_issuer, client_remote, 1),
	FIELD(struct sv_issuer, client_local, 1),
	FIELD(struct sv_issuer, role_remote, 1),
	FIELD(struct sv_issuer, role_local, 1),
};
/* clang-format on */
static bool issuer_ok(const void *rec, uint8_t version)
{
	const struct sv_issuer *x = rec;
	(void)version;
	return x->flags == 0 && x->client_claim >= SV_CLIENT_AZP &&
	       x->client_claim <= SV_CLIENT_CLIENTID && x->name.n &&
	       x->issuer.n && x->audience.n &&
	       x->client_remote.count == x->client_local.count &&
	       x->role_remote.count == x->role_local.count;
}
static const struct layout issuer_layout =
    LAYOUT(SV_KIND_ISSUER, SV_CODEC_VERSION, SV_CODEC_VERSION, struct sv_issuer,
	   issuer_fields, issuer_ok);

/* -------------------------------------------------------------- encoding */

static void put_field(struct sv_buf *b, const uint8_t *rec,
		      const struct field *f)
{
	const void *m = rec + f->off;
	switch (f->coding) {
	case C_U8: put_u8(b, *(const uint8_t *)m); break;
	case C_U32: put_u32(b, *(const uint32_t *)m); break;
	case C_I64: put_i64(b, *(const int64_t *)m); break;
	case C_STR: put_str(b, *(const struct sv_str *)m); break;
	case C_BLOB: put_blob(b, *(const struct sv_str *)m); break;
	case C_LIST: put_list(b, m); break;
	case C_U32LIST: put_u32list(b, m); break;
	}
}

/* Whether a member holds anything but its zero value (which a version
 * without the field stands for). */
static bool field_set(const uint8_t *rec, const struct field *f)
{
	const void *m = rec + f->off;
	switch (f->coding) {
	case C_U8: return *(const uint8_t *)m != 0;
	case C_U32: return *(const uint32_t *)m != 0;
	case C_I64: return *(const int64_t *)m != 0;
	case C_STR:
	case C_BLOB: return ((const struct sv_str *)m)->n != 0;
	case C_LIST: return ((const struct sv_list *)m)->count != 0;
	case C_U32LIST: return ((const struct sv_u32list *)m)->count != 0;
	}
	return true;
}

/* The lowest version of l that holds every value of rec: a record that
 * uses nothing newer stays readable by readers of earlier releases (a
 * long-running process keeps the NSS module it loaded). */
static uint8_t version_needed(const struct layout *l, const uint8_t *rec)
{
	uint8_t v = l->min_version;
	for (size_t i = 0; i < l->nfields; i++)
		if (l->fields[i].since > v && field_set(rec, &l->fields[i]))
			v = l->fields[i].since;
	return v;
}

static int encode_record(struct sv_buf *b, const struct layout *l,
			 const void *rec)
{
	uint8_t v = version_needed(l, rec);
	put_header_v(b, l->kind, v);
	if (l->valid && !l->valid(rec, v))
		b->error = -EINVAL;
	for (size_t i = 0; i < l->nfields; i++)
		if (l->fields[i].since <= v)
			put_field(b, rec, &l->fields[i]);
	return finish(b);
}

int sv_encode_account(struct sv_buf *b, const struct sv_account *a)
{
	return encode_record(b, &account_layout, a);
}

int sv_encode_role(struct sv_buf *b, const struct sv_role *r)
{
	return encode_record(b, &role_layout, r);
}

int sv_encode_cred(struct sv_buf *b, const struct sv_cred *c)
{
	return encode_record(b, &cred_layout, c);
}

int sv_encode_idlist(struct sv_buf *b, const struct sv_list *ids)
{
	return encode_record(b, &idlist_layout, ids);
}

int sv_encode_issuer(struct sv_buf *b, const struct sv_issuer *x)
{
	return encode_record(b, &issuer_layout, x);
}

/* ------------------------------------------------------------- decoding */

struct rd {
	const uint8_t *p;
	size_t left;
	bool bad;
};

static const uint8_t *take(struct rd *r, size_t n)
{
	if (r->bad || n > r->left) {
		r->bad = true;
		return NULL;
	}
	const uint8_t *p = r->p;
	r->p += n;
	r->left -= n;
	return p;
}
static uint8_t get_u8(struct rd *r)
{
	const uint8_t *p = take(r, 1);
	return p ? p[0] : 0;
}
static uint16_t get_u16(struct rd *r)
{
	const uint8_t *p = take(r, 2);
	return p ? (uint16_t)(p[0] | (p[1] << 8)) : 0;
}
static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}
static uint32_t get_u32(struct rd *r)
{
	const uint8_t *p = take(r, 4);
	return p ? le32(p) : 0;
}
static int64_t get_i64(struct rd *r)
{
	uint64_t lo = get_u32(r), hi = get_u32(r);
	return (int64_t)(lo | (hi << 32));
}
static struct sv_str get_str(struct rd *r)
{
	uint16_t n = get_u16(r);
	const uint8_t *p = take(r, n);
	if (!p || (n && memchr(p, '\0', n))) {
		r->bad = true;
		return (struct sv_str){"", 0};
	}
	return (struct sv_str){(const char *)p, n};
}
static struct sv_str get_blob(struct rd *r)
{
	uint32_t n = get_u32(r);
	const uint8_t *p = take(r, n);
	if (!p)
		return (struct sv_str){"", 0};
	return (struct sv_str){(const char *)p, n};
}
/* A list's count, each item at least item_min bytes: refused (r->bad)
 * above SV_LIST_MAX or above what the bytes left can hold, so that a
 * forged count can make no reader loop for long. */
static uint32_t get_count(struct rd *r, size_t item_min)
{
	uint32_t n = get_u32(r);
	if (r->bad || n > SV_LIST_MAX || n > r->left / item_min) {
		r->bad = true;
		return 0;
	}
	return n;
}
static struct sv_list get_list(struct rd *r)
{
	struct sv_list l = {0};
	/* every string costs at least its 2-byte length */
	uint32_t n = get_count(r, 2);
	const uint8_t *start = r->p;
	for (uint32_t i = 0; i < n && !r->bad; i++)
		(void)get_str(r);
	if (r->bad)
		return l;
	l.count = n;
	l.raw = start;
	l.rawlen = (size_t)(r->p - start);
	return l;
}
static struct sv_u32list get_u32list(struct rd *r)
{
	struct sv_u32list l = {0};
	uint32_t n = get_count(r, 4);
	l.raw = take(r, (size_t)n * 4);
	l.count = l.raw ? n : 0;
	return l;
}
/* The header of kind k at a version from 1 to max (in *version). */
static int get_header_v(struct rd *r, enum sv_kind k, uint8_t max,
			uint8_t *version)
{
	const uint8_t *h = take(r, 4);
	if (!h || h[0] != SV_MAGIC0 || h[1] != SV_MAGIC1)
		return -EBADMSG;
	if (h[2] != (uint8_t)k)
		return -EPROTO;
	if (h[3] < 1 || h[3] > max)
		return -EPROTO;
	*version = h[3];
	return 0;
}
static int done(struct rd *r)
{
	return (r->bad || r->left) ? -EBADMSG : 0;
}

static void get_field(struct rd *r, uint8_t *rec, const struct field *f)
{
	void *m = rec + f->off;
	switch (f->coding) {
	case C_U8: *(uint8_t *)m = get_u8(r); break;
	case C_U32: *(uint32_t *)m = get_u32(r); break;
	case C_I64: *(int64_t *)m = get_i64(r); break;
	case C_STR: *(struct sv_str *)m = get_str(r); break;
	case C_BLOB: *(struct sv_str *)m = get_blob(r); break;
	case C_LIST: *(struct sv_list *)m = get_list(r); break;
	case C_U32LIST: *(struct sv_u32list *)m = get_u32list(r); break;
	}
}

/* Decode a record of layout l from buf into rec, and (if version is not
 * NULL) its version into *version. On any error rec is zeroed. */
static int decode_record(const void *buf, size_t len, const struct layout *l,
			 void *rec, uint8_t *version)
{
	struct rd r = {buf, len, false};
	uint8_t v = 0;
	memset(rec, 0, l->size);
	int e = get_header_v(&r, l->kind, l->version, &v);
	if (e == 0) {
		for (size_t i = 0; i < l->nfields; i++)
			if (l->fields[i].since <= v)
				get_field(&r, rec, &l->fields[i]);
		e = done(&r);
		if (e == 0 && l->valid && !l->valid(rec, v))
			e = -EBADMSG;
		/* one encoding per record: a version higher than its values
		 * need is never written */
		if (e == 0 && v > version_needed(l, rec))
			e = -EBADMSG;
	}
	if (e < 0)
		memset(rec, 0, l->size);
	else if (version)
		*version = v;
	return e;
}

int sv_decode_account(const void *buf, size_t len, struct sv_account *out)
{
	return decode_record(buf, len, &account_layout, out, NULL);
}

int sv_decode_role(const void *buf, size_t len, struct sv_role *out)
{
	return decode_record(buf, len, &role_layout, out, NULL);
}

int sv_decode_cred(const void *buf, size_t len, struct sv_cred *out)
{
	return decode_record(buf, len, &cred_layout, out, &out->version);
}

int sv_decode_idlist(const void *buf, size_t len, struct sv_list *out)
{
	return decode_record(buf, len, &idlist_layout, out, NULL);
}

int sv_decode_issuer(const void *buf, size_t len, struct sv_issuer *out)
{
	return decode_record(buf, len, &issuer_layout, out, NULL);
}

bool sv_list_next(const struct sv_list *l, size_t *off, uint32_t *idx,
		  struct sv_str *out)
{
	if (*idx >= l->count)
		return false;
	if (l->items) {
		*out = l->items[*idx];
		(*idx)++;
		return true;
	}
	/* raw was validated by the decoder; re-check anyway, cheaply */
	if (*off + 2 > l->rawlen)
		return false;
	size_t n = (size_t)l->raw[*off] | ((size_t)l->raw[*off + 1] << 8);
	if (*off + 2 + n > l->rawlen)
		return false;
	out->p = (const char *)l->raw + *off + 2;
	out->n = n;
	*off += 2 + n;
	(*idx)++;
	return true;
}

uint32_t sv_u32list_get(const struct sv_u32list *l, uint32_t i)
{
	if (i >= l->count)
		return 0;
	if (l->items)
		return l->items[i];
	return le32(l->raw + (size_t)i * 4);
}

bool sv_list_contains(const struct sv_list *l, struct sv_str s)
{
	size_t off = 0;
	uint32_t idx = 0;
	struct sv_str it;
	while (sv_list_next(l, &off, &idx, &it))
		if (it.n == s.n && (s.n == 0 || memcmp(it.p, s.p, s.n) == 0))
			return true;
	return false;
}

bool sv_str_eq(struct sv_str s, const char *c)
{
	size_t n = strlen(c);
	return s.n == n && (n == 0 || memcmp(s.p, c, n) == 0);
}

char *sv_str_dup(struct sv_str s)
{
	char *p = malloc(s.n + 1);
	if (!p)
		return NULL;
	if (s.n)
		memcpy(p, s.p, s.n);
	p[s.n] = '\0';
	return p;
}

bool sv_cred_bound_to(const struct sv_cred *c, const struct sv_account *a)
{
	if (c->account.n != a->name.n ||
	    (c->account.n && memcmp(c->account.p, a->name.p, c->account.n)))
		return false;
	if (c->version >= 2)
		return c->uid == a->uid;
	return c->created >= a->created;
}
