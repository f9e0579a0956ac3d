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
static void put_list(struct sv_buf *b, const struct sv_list *l)
{
	if (l->count > SV_LIST_MAX) {
		b->error = -EINVAL;
		return;
	}
	put_u32(b, l->count);
	if (l->items) {
		for (uint32_t i = 0; i < l->count; i++)
			put_str(b, l->items[i]);
	} else if (l->count) {
		buf_put(b, l->raw, l->rawlen);
	}
}
static void put_u32list(struct sv_buf *b, const struct sv_u32list *l)
{
	if (l->count > SV_LIST_MAX) {
		b->error = -EINVAL;
		return;
	}
	put_u32(b, l->count);
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
static void put_header(struct sv_buf *b, enum sv_kind k)
{
	put_header_v(b, k, SV_CODEC_VERSION);
}
static int finish(struct sv_buf *b)
{
	return b->error;
}

/* The encoders refuse what the decoders would refuse, so that nothing is
 * ever written that a reader cannot read back. */
int sv_encode_account(struct sv_buf *b, const struct sv_account *a)
{
	put_header(b, SV_KIND_ACCOUNT);
	if ((a->flags & ~SV_ACCT_FLAGS_KNOWN) || !a->name.n)
		b->error = -EINVAL;
	put_u32(b, a->uid);
	put_u32(b, a->flags);
	put_i64(b, a->created);
	put_i64(b, a->updated);
	put_i64(b, a->expires);
	put_str(b, a->name);
	put_str(b, a->description);
	put_str(b, a->owner);
	put_str(b, a->home);
	put_str(b, a->shell);
	put_u32list(b, &a->roles);
	return finish(b);
}

int sv_encode_role(struct sv_buf *b, const struct sv_role *r)
{
	put_header(b, SV_KIND_ROLE);
	if (r->flags || !r->name.n)
		b->error = -EINVAL;
	put_u32(b, r->gid);
	put_u32(b, r->flags);
	put_i64(b, r->created);
	put_i64(b, r->updated);
	put_str(b, r->name);
	put_str(b, r->description);
	put_list(b, &r->services);
	put_list(b, &r->sources);
	put_list(b, &r->commands);
	put_list(b, &r->members);
	return finish(b);
}

int sv_encode_cred(struct sv_buf *b, const struct sv_cred *c)
{
	put_header_v(b, SV_KIND_CRED, SV_CRED_VERSION);
	if (c->type < SV_CRED_SECRET || c->type > SV_CRED_SSHKEY || !c->id.n ||
	    !c->account.n || c->uid == 0)
		b->error = -EINVAL;
	put_u8(b, c->type);
	put_u8(b, c->alg);
	put_i64(b, c->created);
	put_i64(b, c->expires);
	put_u32(b, c->uid);
	put_str(b, c->id);
	put_str(b, c->account);
	put_str(b, c->label);
	put_str(b, c->kid);
	put_blob(b, c->material);
	return finish(b);
}

int sv_encode_idlist(struct sv_buf *b, const struct sv_list *ids)
{
	put_header(b, SV_KIND_IDLIST);
	put_list(b, ids);
	return finish(b);
}

static bool issuer_ok(const struct sv_issuer *x)
{
	return x->flags == 0 && x->client_claim >= SV_CLIENT_AZP &&
	       x->client_claim <= SV_CLIENT_CLIENTID && x->name.n &&
	       x->issuer.n && x->audience.n &&
	       x->client_remote.count == x->client_local.count &&
	       x->role_remote.count == x->role_local.count;
}

int sv_encode_issuer(struct sv_buf *b, const struct sv_issuer *x)
{
	put_header(b, SV_KIND_ISSUER);
	if (!issuer_ok(x))
		b->error = -EINVAL;
	put_u32(b, x->flags);
	put_u8(b, x->client_claim);
	put_u32(b, x->max_lifetime);
	put_i64(b, x->created);
	put_i64(b, x->updated);
	put_str(b, x->name);
	put_str(b, x->issuer);
	put_str(b, x->audience);
	put_str(b, x->jwks_url);
	put_str(b, x->ca_file);
	put_list(b, &x->roles_claims);
	put_list(b, &x->client_remote);
	put_list(b, &x->client_local);
	put_list(b, &x->role_remote);
	put_list(b, &x->role_local);
	return finish(b);
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
static struct sv_list get_list(struct rd *r)
{
	struct sv_list l = {0};
	uint32_t n = get_u32(r);
	/* every string costs at least its 2-byte length */
	if (r->bad || n > SV_LIST_MAX || n > r->left / 2) {
		r->bad = true;
		return l;
	}
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
	uint32_t n = get_u32(r);
	if (r->bad || n > SV_LIST_MAX || n > r->left / 4) {
		r->bad = true;
		return l;
	}
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
static int get_header(struct rd *r, enum sv_kind k)
{
	uint8_t v;
	return get_header_v(r, k, SV_CODEC_VERSION, &v);
}
static int done(struct rd *r)
{
	return (r->bad || r->left) ? -EBADMSG : 0;
}

int sv_decode_account(const void *buf, size_t len, struct sv_account *out)
{
	struct rd r = {buf, len, false};
	struct sv_account a = {0};
	int e = get_header(&r, SV_KIND_ACCOUNT);
	if (e == 0) {
		a.uid = get_u32(&r);
		a.flags = get_u32(&r);
		a.created = get_i64(&r);
		a.updated = get_i64(&r);
		a.expires = get_i64(&r);
		a.name = get_str(&r);
		a.description = get_str(&r);
		a.owner = get_str(&r);
		a.home = get_str(&r);
		a.shell = get_str(&r);
		a.roles = get_u32list(&r);
		e = done(&r);
		if (e == 0 && (a.flags & ~SV_ACCT_FLAGS_KNOWN || !a.name.n))
			e = -EBADMSG;
	}
	if (e < 0)
		memset(&a, 0, sizeof(a));
	*out = a;
	return e;
}

int sv_decode_role(const void *buf, size_t len, struct sv_role *out)
{
	struct rd r = {buf, len, false};
	struct sv_role x = {0};
	int e = get_header(&r, SV_KIND_ROLE);
	if (e == 0) {
		x.gid = get_u32(&r);
		x.flags = get_u32(&r);
		x.created = get_i64(&r);
		x.updated = get_i64(&r);
		x.name = get_str(&r);
		x.description = get_str(&r);
		x.services = get_list(&r);
		x.sources = get_list(&r);
		x.commands = get_list(&r);
		x.members = get_list(&r);
		e = done(&r);
		if (e == 0 && (x.flags != 0 || !x.name.n))
			e = -EBADMSG;
	}
	if (e < 0)
		memset(&x, 0, sizeof(x));
	*out = x;
	return e;
}

int sv_decode_cred(const void *buf, size_t len, struct sv_cred *out)
{
	struct rd r = {buf, len, false};
	struct sv_cred c = {0};
	int e = get_header_v(&r, SV_KIND_CRED, SV_CRED_VERSION, &c.version);
	if (e == 0) {
		c.type = get_u8(&r);
		c.alg = get_u8(&r);
		c.created = get_i64(&r);
		c.expires = get_i64(&r);
		if (c.version >= 2)
			c.uid = get_u32(&r);
		c.id = get_str(&r);
		c.account = get_str(&r);
		c.label = get_str(&r);
		c.kid = get_str(&r);
		c.material = get_blob(&r);
		e = done(&r);
		if (e == 0 &&
		    (c.type < SV_CRED_SECRET || c.type > SV_CRED_SSHKEY ||
		     !c.id.n || !c.account.n || (c.version >= 2 && !c.uid)))
			e = -EBADMSG;
	}
	if (e < 0)
		memset(&c, 0, sizeof(c));
	*out = c;
	return e;
}

int sv_decode_idlist(const void *buf, size_t len, struct sv_list *out)
{
	struct rd r = {buf, len, false};
	struct sv_list l = {0};
	int e = get_header(&r, SV_KIND_IDLIST);
	if (e == 0) {
		l = get_list(&r);
		e = done(&r);
	}
	if (e < 0)
		memset(&l, 0, sizeof(l));
	*out = l;
	return e;
}

int sv_decode_issuer(const void *buf, size_t len, struct sv_issuer *out)
{
	struct rd r = {buf, len, false};
	struct sv_issuer x = {0};
	int e = get_header(&r, SV_KIND_ISSUER);
	if (e == 0) {
		x.flags = get_u32(&r);
		x.client_claim = get_u8(&r);
		x.max_lifetime = get_u32(&r);
		x.created = get_i64(&r);
		x.updated = get_i64(&r);
		x.name = get_str(&r);
		x.issuer = get_str(&r);
		x.audience = get_str(&r);
		x.jwks_url = get_str(&r);
		x.ca_file = get_str(&r);
		x.roles_claims = get_list(&r);
		x.client_remote = get_list(&r);
		x.client_local = get_list(&r);
		x.role_remote = get_list(&r);
		x.role_local = get_list(&r);
		e = done(&r);
		if (e == 0 && !issuer_ok(&x))
			e = -EBADMSG;
	}
	if (e < 0)
		memset(&x, 0, sizeof(x));
	*out = x;
	return e;
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
