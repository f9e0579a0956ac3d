/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the record decoder (common/store/codec.c), which every NSS
 * lookup runs on bytes read from the store.
 *
 * Each input is decoded as each of the four kinds. Oracle: a record that
 * decodes must re-encode to exactly the same bytes (the format is
 * canonical: one encoding per record), and every list must iterate to its
 * count with views inside the input. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "fuzz.h"

static const uint8_t *g_in;
static size_t g_len;

static void check_view(struct sv_str s)
{
	if (s.n == 0)
		return;
	CHECK((const uint8_t *)s.p >= g_in &&
	      (const uint8_t *)s.p + s.n <= g_in + g_len);
	CHECK(memchr(s.p, '\0', s.n) == NULL);
}

/* The items of a decoded list, for re-encoding (malloc'd, count long). */
static struct sv_str *list_items(const struct sv_list *l)
{
	struct sv_str *items = calloc(l->count + 1, sizeof(*items));
	size_t off = 0;
	uint32_t idx = 0, n = 0;
	struct sv_str it;

	CHECK(items);
	while (sv_list_next(l, &off, &idx, &it)) {
		CHECK(n < l->count);
		check_view(it);
		CHECK(sv_list_contains(l, it));
		items[n++] = it;
	}
	CHECK(n == l->count);
	return items;
}

static uint32_t *u32_items(const struct sv_u32list *l)
{
	uint32_t *v = calloc(l->count + 1, sizeof(*v));
	CHECK(v);
	for (uint32_t i = 0; i < l->count; i++)
		v[i] = sv_u32list_get(l, i);
	return v;
}

static void same(const struct sv_buf *b, const uint8_t *data, size_t size)
{
	CHECK(b->error == 0);
	CHECK(b->len == size);
	CHECK(memcmp(b->p, data, size) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sv_buf b = {0};
	struct sv_account a;
	struct sv_role r;
	struct sv_cred c;
	struct sv_list ids;

	g_in = data;
	g_len = size;
	if (sv_decode_account(data, size, &a) == 0) {
		check_view(a.name);
		check_view(a.description);
		check_view(a.owner);
		check_view(a.home);
		check_view(a.shell);
		uint32_t *roles = u32_items(&a.roles);
		a.roles.items = roles;
		CHECK(sv_encode_account(&b, &a) == 0);
		same(&b, data, size);
		free(roles);
	}
	if (sv_decode_role(data, size, &r) == 0) {
		check_view(r.name);
		check_view(r.description);
		struct sv_str *s1 = list_items(&r.services),
			      *s2 = list_items(&r.sources),
			      *s3 = list_items(&r.commands),
			      *s4 = list_items(&r.members);
		r.services.items = s1;
		r.sources.items = s2;
		r.commands.items = s3;
		r.members.items = s4;
		CHECK(sv_encode_role(&b, &r) == 0);
		same(&b, data, size);
		free(s1);
		free(s2);
		free(s3);
		free(s4);
	}
	if (sv_decode_cred(data, size, &c) == 0) {
		check_view(c.id);
		check_view(c.account);
		check_view(c.label);
		check_view(c.kid);
		check_view(c.url);
		check_view(c.ca_file);
		/* material is a blob: it may hold any byte */
		CHECK(c.material.n == 0 ||
		      ((const uint8_t *)c.material.p >= data &&
		       (const uint8_t *)c.material.p + c.material.n <=
			   data + size));
		if (c.version >= SV_CRED_VERSION_MIN) {
			CHECK(c.uid != 0);
			CHECK(sv_encode_cred(&b, &c) == 0);
			same(&b, data, size);
		} else {
			/* version 1 (no UID) is read, never written: its
			 * re-encoding is version 2 and needs an owner */
			CHECK(c.version == 1 && c.uid == 0);
			CHECK(sv_encode_cred(&b, &c) == -EINVAL);
			c.uid = 70000;
			CHECK(sv_encode_cred(&b, &c) == 0);
			struct sv_cred c2;
			CHECK(sv_decode_cred(b.p, b.len, &c2) == 0);
			CHECK(c2.version == SV_CRED_VERSION_MIN &&
			      c2.uid == 70000);
		}
	}
	if (sv_decode_idlist(data, size, &ids) == 0) {
		struct sv_str *it = list_items(&ids);
		ids.items = it;
		CHECK(sv_encode_idlist(&b, &ids) == 0);
		same(&b, data, size);
		free(it);
	}
	sv_buf_free(&b);
	return 0;
}
