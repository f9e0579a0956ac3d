/* SPDX-License-Identifier: MIT */
/* The writer's record model (model.h): owned records and the typed
 * operations that write every key a record owns. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "model.h"
#include "names.h"
#include "util.h"

void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int strv_add(struct strv *s, const char *x)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 8;
		char **nv = reallocarray(s->v, nc, sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		s->v = nv;
		s->cap = nc;
	}
	s->v[s->n] = strdup(x);
	if (!s->v[s->n])
		return -ENOMEM;
	s->n++;
	return 0;
}

bool strv_has(const struct strv *s, const char *x)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], x))
			return true;
	return false;
}

bool strv_del(struct strv *s, const char *x)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], x)) {
			free(s->v[i]);
			memmove(&s->v[i], &s->v[i + 1],
				(s->n - i - 1) * sizeof(char *));
			s->n--;
			return true;
		}
	return false;
}

void acct_free(struct acct *a)
{
	free(a->name);
	free(a->description);
	free(a->owner);
	free(a->home);
	free(a->shell);
	free(a->roles);
	memset(a, 0, sizeof(*a));
}

void role_free(struct role *r)
{
	free(r->name);
	free(r->description);
	strv_free(&r->services);
	strv_free(&r->sources);
	strv_free(&r->commands);
	strv_free(&r->members);
	memset(r, 0, sizeof(*r));
}

int acct_from_rec(struct acct *a, const struct sv_account *rec)
{
	memset(a, 0, sizeof(*a));
	a->uid = rec->uid;
	a->flags = rec->flags;
	a->created = rec->created;
	a->updated = rec->updated;
	a->expires = rec->expires;
	a->methods = rec->methods;
	a->name = sv_str_dup(rec->name);
	a->description = sv_str_dup(rec->description);
	a->owner = sv_str_dup(rec->owner);
	a->home = sv_str_dup(rec->home);
	a->shell = sv_str_dup(rec->shell);
	a->nroles = rec->roles.count;
	a->roles = calloc(a->nroles ? a->nroles : 1, sizeof(uint32_t));
	if (!a->name || !a->description || !a->owner || !a->home || !a->shell ||
	    !a->roles) {
		acct_free(a);
		return -ENOMEM;
	}
	for (size_t i = 0; i < a->nroles; i++)
		a->roles[i] = sv_u32list_get(&rec->roles, (uint32_t)i);
	return 0;
}

int strv_add_list(struct strv *s, const struct sv_list *l)
{
	size_t off = 0;
	uint32_t idx = 0;
	struct sv_str it;
	while (sv_list_next(l, &off, &idx, &it)) {
		char *x = sv_str_dup(it);
		if (!x)
			return -ENOMEM;
		int r = strv_add(s, x);
		free(x);
		if (r < 0)
			return r;
	}
	return 0;
}

int role_from_rec(struct role *r, const struct sv_role *rec)
{
	memset(r, 0, sizeof(*r));
	r->gid = rec->gid;
	r->created = rec->created;
	r->updated = rec->updated;
	r->name = sv_str_dup(rec->name);
	r->description = sv_str_dup(rec->description);
	if (!r->name || !r->description ||
	    strv_add_list(&r->services, &rec->services) < 0 ||
	    strv_add_list(&r->sources, &rec->sources) < 0 ||
	    strv_add_list(&r->commands, &rec->commands) < 0 ||
	    strv_add_list(&r->members, &rec->members) < 0) {
		role_free(r);
		return -ENOMEM;
	}
	return 0;
}

/* ------------------------------------------------------------- keys */

/* The keys a record owns (docs/FORMAT.md, section 2): built here only. */
static size_t name_key(char *k, size_t cap, char prefix, const char *name)
{
	return sv_key_str(k, cap, prefix, name, strlen(name));
}

static size_t id_key(char *k, size_t cap, bool gid, uint32_t id)
{
	return sv_key_u32(k, cap, gid ? SV_KEY_GID : SV_KEY_UID, id);
}

static bool key_exists(struct sv_txn *t, enum sv_db db, const char *k,
		       size_t kl)
{
	struct sv_blob v = {0};
	bool found = sv_txn_fetch(t, db, k, kl, &v) == 0;
	sv_blob_free(&v);
	return found;
}

bool sv_model_id_taken(struct sv_txn *t, bool gid, uint32_t id)
{
	char k[8];
	return key_exists(t, SV_DB_ACCOUNTS, k, id_key(k, sizeof(k), gid, id));
}

/* A record under its name key and the index of its number naming it. */
static int store_pair(struct sv_txn *t, char prefix, const char *name, bool gid,
		      uint32_t id, const struct sv_buf *rec)
{
	char k[SV_KEY_MAX], nk[8];
	size_t kl = name_key(k, sizeof(k), prefix, name);
	if (!kl)
		return -EINVAL;
	int r = sv_txn_store(t, SV_DB_ACCOUNTS, k, kl, rec->p, rec->len);
	if (r == 0)
		r = sv_txn_store(t, SV_DB_ACCOUNTS, nk,
				 id_key(nk, sizeof(nk), gid, id), name,
				 strlen(name));
	return r;
}

static int delete_pair(struct sv_txn *t, char prefix, const char *name,
		       bool gid, uint32_t id)
{
	char k[SV_KEY_MAX], nk[8];
	int r = sv_txn_delete(t, SV_DB_ACCOUNTS, k,
			      name_key(k, sizeof(k), prefix, name));
	if (r == 0)
		r = sv_txn_delete(t, SV_DB_ACCOUNTS, nk,
				  id_key(nk, sizeof(nk), gid, id));
	return r;
}

/* ------------------------------------------------------------- accounts */

int sv_model_account_load(struct sv_txn *t, const char *name, struct acct *a)
{
	struct sv_blob b = {0};
	struct sv_account rec;
	int r = sv_txn_get_account(t, name, &b, &rec);
	if (r == 0)
		r = acct_from_rec(a, &rec);
	sv_blob_free(&b);
	return r;
}

/* Whether a record of that name and number may be written: one that
 * creates must find both free (-EEXIST), one that updates must find its
 * name (-ENOENT); -EINVAL for a name no key can hold. */
static int record_writable(struct sv_txn *t, char prefix, const char *name,
			   bool gid, uint32_t id, bool create)
{
	char k[SV_KEY_MAX];
	size_t kl = name_key(k, sizeof(k), prefix, name);
	if (!kl)
		return -EINVAL;
	bool exists = key_exists(t, SV_DB_ACCOUNTS, k, kl);
	if (create)
		return exists || sv_model_id_taken(t, gid, id) ? -EEXIST : 0;
	return exists ? 0 : -ENOENT;
}

static int save_acct(struct sv_txn *t, const struct acct *a)
{
	struct sv_buf b = {0};
	struct sv_account rec = {
	    .uid = a->uid,
	    .flags = a->flags,
	    .created = a->created,
	    .updated = a->updated,
	    .expires = a->expires,
	    .name = SV_STR(a->name),
	    .description = SV_STR(a->description),
	    .owner = SV_STR(a->owner),
	    .home = SV_STR(a->home),
	    .shell = SV_STR(a->shell),
	    .roles = {.count = (uint32_t)a->nroles, .items = a->roles},
	    .methods = a->methods,
	};
	int r = sv_encode_account(&b, &rec);
	if (r == 0)
		r = store_pair(t, SV_KEY_ACCOUNT, a->name, false, a->uid, &b);
	sv_buf_free(&b);
	return r;
}

/* Drop name from the member list of role gid (drop), then add it at the
 * end unless it is there (add); the role is rewritten, once, only when
 * the list changes. Both at once move a member to the end, as a revoke
 * followed by a grant does. */
static int role_members_edit(struct sv_txn *t, uint32_t gid, const char *name,
			     bool drop, bool add, int64_t now)
{
	struct role r;
	bool changed = false;
	int e = sv_model_role_load_gid(t, gid, &r);
	if (e < 0)
		return e;
	if (drop)
		changed = strv_del(&r.members, name);
	if (add && !strv_has(&r.members, name)) {
		e = strv_add(&r.members, name);
		changed = true;
	}
	if (changed) {
		r.updated = now;
		if (e == 0)
			e = sv_model_role_update(t, &r);
	}
	role_free(&r);
	return e;
}

/* Add name to (add) or drop it from the member list of role gid. */
static int role_member(struct sv_txn *t, uint32_t gid, const char *name,
		       bool add, int64_t now)
{
	return role_members_edit(t, gid, name, !add, add, now);
}

int sv_model_account_create(struct sv_txn *t, const struct acct *a,
			    bool members)
{
	int e =
	    record_writable(t, SV_KEY_ACCOUNT, a->name, false, a->uid, true);
	if (e == 0)
		e = save_acct(t, a);
	for (size_t i = 0; e == 0 && members && i < a->nroles; i++)
		e = role_member(t, a->roles[i], a->name, true, a->created);
	return e;
}

int sv_model_account_update(struct sv_txn *t, const struct acct *a)
{
	int e =
	    record_writable(t, SV_KEY_ACCOUNT, a->name, false, a->uid, false);
	return e ? e : save_acct(t, a);
}

/* The ids an account's list in db names, copied (each removal rewrites
 * the list). No list: none. */
static int list_ids(struct sv_txn *t, enum sv_db db, const char *account,
		    struct strv *ids)
{
	char k[SV_KEY_MAX];
	size_t kl = name_key(k, sizeof(k), SV_KEY_CREDLIST, account);
	struct sv_blob lb = {0};
	struct sv_list list;
	size_t off = 0;
	uint32_t idx = 0;
	struct sv_str it;
	int e = kl ? sv_txn_fetch(t, db, k, kl, &lb) : -EINVAL;

	if (e == -ENOENT)
		return 0;
	if (e == 0)
		e = sv_decode_idlist(lb.p, lb.n, &list);
	while (e == 0 && sv_list_next(&list, &off, &idx, &it)) {
		char *id = sv_str_dup(it);
		e = id ? strv_add(ids, id) : -ENOMEM;
		free(id);
	}
	sv_blob_free(&lb);
	return e;
}

int sv_model_account_delete(struct sv_txn *t, const struct acct *a, int64_t now,
			    size_t *ncreds)
{
	size_t n = 0;
	int e = delete_pair(t, SV_KEY_ACCOUNT, a->name, false, a->uid);
	for (size_t i = 0; e == 0 && i < a->nroles; i++) {
		e = role_member(t, a->roles[i], a->name, false, now);
		if (e == -ENOENT)
			e = 0;
	}
	/* every id its lists name goes and is revoked, bound or not: an
	 * account must never disappear with a credential left unrevoked */
	for (int db = SV_DB_CREDENTIALS; e == 0 && db <= SV_DB_PUBKEYS; db++) {
		struct strv ids = {0};
		e = list_ids(t, (enum sv_db)db, a->name, &ids);
		for (size_t i = 0; e == 0 && i < ids.n; i++) {
			e = sv_model_cred_remove(t, (enum sv_db)db, a->name,
						 ids.v[i]);
			if (e == 0)
				n++;
		}
		strv_free(&ids);
	}
	if (e == 0)
		e = sv_state_retire_id(t, false, a->uid);
	if (ncreds)
		*ncreds = n;
	return e;
}

/* Where gid stands in v (n entries), or n. */
static size_t gid_at(const uint32_t *v, size_t n, uint32_t gid)
{
	size_t i = 0;
	while (i < n && v[i] != gid)
		i++;
	return i;
}

static bool has_gid(const uint32_t *v, size_t n, uint32_t gid)
{
	return gid_at(v, n, gid) < n;
}

int sv_model_grant(struct sv_txn *t, struct acct *a, uint32_t gid, bool grant,
		   int64_t now, bool *changed)
{
	size_t at = gid_at(a->roles, a->nroles, gid);
	int e;

	*changed = false;
	if (grant == (at < a->nroles))
		return 0;
	if (grant) {
		uint32_t *nr =
		    reallocarray(a->roles, a->nroles + 1, sizeof(uint32_t));
		if (!nr)
			return -ENOMEM;
		a->roles = nr;
	}
	e = role_member(t, gid, a->name, grant, now);
	if (e < 0)
		return e;
	if (grant) {
		a->roles[a->nroles++] = gid;
	} else {
		memmove(&a->roles[at], &a->roles[at + 1],
			(a->nroles - at - 1) * sizeof(uint32_t));
		a->nroles--;
	}
	a->updated = now;
	*changed = true;
	return sv_model_account_update(t, a);
}

int sv_model_set_roles(struct sv_txn *t, struct acct *a, const uint32_t *gids,
		       size_t n, int64_t now)
{
	uint32_t *nr = calloc(n ? n : 1, sizeof(*nr));
	size_t k = 0;
	int e = 0;
	if (!nr)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (!has_gid(nr, k, gids[i]))
			nr[k++] = gids[i];
	/* each role once: a held one loses the member (and regains it, at
	 * the end of its list, when kept), then the new ones gain it */
	for (size_t i = 0; e == 0 && i < a->nroles; i++)
		if (!has_gid(a->roles, i, a->roles[i]))
			e = role_members_edit(t, a->roles[i], a->name, true,
					      has_gid(nr, k, a->roles[i]), now);
	for (size_t i = 0; e == 0 && i < k; i++)
		if (!has_gid(a->roles, a->nroles, nr[i]))
			e = role_member(t, nr[i], a->name, true, now);
	if (e < 0) {
		free(nr);
		return e;
	}
	free(a->roles);
	a->roles = nr;
	a->nroles = k;
	a->updated = now;
	return 0;
}

/* ---------------------------------------------------------------- roles */

/* The owned role of a record fetched into b (fetched: the fetch's result),
 * b freed either way. */
static int role_loaded(int fetched, struct sv_blob *b,
		       const struct sv_role *rec, struct role *x)
{
	int r = fetched < 0 ? fetched : role_from_rec(x, rec);
	sv_blob_free(b);
	return r;
}

int sv_model_role_load(struct sv_txn *t, const char *name, struct role *x)
{
	struct sv_blob b = {0};
	struct sv_role rec;
	return role_loaded(sv_txn_get_role(t, name, &b, &rec), &b, &rec, x);
}

int sv_model_role_load_gid(struct sv_txn *t, uint32_t gid, struct role *x)
{
	struct sv_blob b = {0};
	struct sv_role rec;
	return role_loaded(sv_txn_get_role_by_gid(t, gid, &b, &rec), &b, &rec,
			   x);
}

int sv_model_reader_role_load(struct sv_reader *rd, const char *name,
			      struct role *x)
{
	struct sv_blob b = {0};
	struct sv_role rec;
	return role_loaded(sv_get_role(rd, name, &b, &rec), &b, &rec, x);
}

static struct sv_list strv_list(const struct strv *s, struct sv_str *items)
{
	for (size_t i = 0; i < s->n; i++)
		items[i] = SV_STR(s->v[i]);
	return (struct sv_list){.count = (uint32_t)s->n, .items = items};
}

/* A role's record, encoded into *b (to sv_buf_free either way). */
static int encode_role(const struct role *x, struct sv_buf *b)
{
	struct sv_str *i1 = calloc(x->services.n + 1, sizeof(*i1));
	struct sv_str *i2 = calloc(x->sources.n + 1, sizeof(*i2));
	struct sv_str *i3 = calloc(x->commands.n + 1, sizeof(*i3));
	struct sv_str *i4 = calloc(x->members.n + 1, sizeof(*i4));
	int r = -ENOMEM;
	if (!i1 || !i2 || !i3 || !i4)
		goto out;
	struct sv_role rec = {
	    .gid = x->gid,
	    .created = x->created,
	    .updated = x->updated,
	    .name = SV_STR(x->name),
	    .description = SV_STR(x->description),
	    .services = strv_list(&x->services, i1),
	    .sources = strv_list(&x->sources, i2),
	    .commands = strv_list(&x->commands, i3),
	    .members = strv_list(&x->members, i4),
	};
	r = sv_encode_role(b, &rec);
out:
	free(i1);
	free(i2);
	free(i3);
	free(i4);
	return r;
}

static int save_role(struct sv_txn *t, const struct role *x)
{
	struct sv_buf b = {0};
	int r = encode_role(x, &b);
	if (r == 0)
		r = store_pair(t, SV_KEY_ROLE, x->name, true, x->gid, &b);
	sv_buf_free(&b);
	return r;
}

int sv_model_role_create(struct sv_txn *t, const struct role *x)
{
	int e = record_writable(t, SV_KEY_ROLE, x->name, true, x->gid, true);
	return e ? e : save_role(t, x);
}

int sv_model_role_update(struct sv_txn *t, const struct role *x)
{
	int e = record_writable(t, SV_KEY_ROLE, x->name, true, x->gid, false);
	return e ? e : save_role(t, x);
}

int sv_model_role_delete(struct sv_txn *t, const struct role *x, int64_t now)
{
	int e = 0;
	/* the role goes with its record: only the accounts' side of rule 3
	 * needs writing */
	for (size_t i = 0; e == 0 && i < x->members.n; i++) {
		struct acct a;
		if (sv_model_account_load(t, x->members.v[i], &a) < 0)
			continue;
		size_t k = 0;
		for (size_t j = 0; j < a.nroles; j++)
			if (a.roles[j] != x->gid)
				a.roles[k++] = a.roles[j];
		a.nroles = k;
		a.updated = now;
		e = save_acct(t, &a);
		acct_free(&a);
	}
	if (e == 0)
		e = delete_pair(t, SV_KEY_ROLE, x->name, true, x->gid);
	if (e == 0)
		e = sv_state_retire_id(t, true, x->gid);
	return e;
}

/* The base role: one record under 'b' + its name, no GID index (its GID
 * is base_gid, which the configuration may change), no members (every
 * account holds it). */
static size_t base_key(char *k, size_t cap)
{
	return name_key(k, cap, SV_KEY_BASE, SV_BASE_ROLE);
}

/* The owned base role of a decoded record (rec NULL: none, an empty one),
 * with the GID and name the configuration gives it. */
static int base_loaded(const struct sv_config *c, const struct sv_role *rec,
		       struct role *x)
{
	int r = 0;
	if (rec && !sv_base_role_valid(rec))
		return -EBADMSG;
	if (rec)
		r = role_from_rec(x, rec);
	else
		memset(x, 0, sizeof(*x));
	if (r < 0)
		return r;
	x->gid = c->base_gid;
	if (!x->name)
		x->name = strdup(SV_BASE_ROLE);
	if (!x->description)
		x->description = strdup("");
	if (!x->name || !x->description) {
		role_free(x);
		return -ENOMEM;
	}
	return 0;
}

int sv_model_base_role_load(struct sv_txn *t, struct role *x)
{
	char k[SV_KEY_MAX];
	struct sv_blob b = {0};
	struct sv_role rec;
	int r = sv_txn_fetch(t, SV_DB_ACCOUNTS, k, base_key(k, sizeof(k)), &b);
	if (r == 0)
		r = sv_decode_role(b.p, b.n, &rec);
	if (r == 0 || r == -ENOENT)
		r = base_loaded(sv_txn_config(t), r == 0 ? &rec : NULL, x);
	sv_blob_free(&b);
	return r;
}

int sv_model_reader_base_role_load(struct sv_reader *rd, struct role *x)
{
	struct sv_blob b = {0};
	struct sv_role rec;
	int r = sv_get_base_role(rd, &b, &rec);
	if (r == 0 || r == -ENOENT)
		r = base_loaded(sv_reader_config(rd), r == 0 ? &rec : NULL, x);
	sv_blob_free(&b);
	return r;
}

int sv_model_base_role_save(struct sv_txn *t, const struct role *x)
{
	char k[SV_KEY_MAX];
	struct sv_buf b = {0};
	struct role rec = *x;
	rec.gid = 0;
	rec.name = (char *)SV_BASE_ROLE;
	memset(&rec.members, 0, sizeof(rec.members));
	int r = encode_role(&rec, &b);
	if (r == 0)
		r = sv_txn_store(t, SV_DB_ACCOUNTS, k, base_key(k, sizeof(k)),
				 b.p, b.len);
	sv_buf_free(&b);
	return r;
}

/* ---------------------------------------------------------- credentials */

int sv_model_cred_add(struct sv_txn *t, enum sv_db db, const struct sv_cred *c)
{
	struct sv_buf b = {0};
	struct sv_blob ab = {0};
	struct sv_account a;
	struct sv_cred bound = *c;
	char k[SV_KEY_MAX], owner[SV_NAME_MAX + 1], id[SV_KEY_MAX];
	size_t kl;
	int e;

	if (c->account.n > SV_NAME_MAX || c->id.n >= sizeof(id))
		return -EINVAL;
	snprintf(owner, sizeof(owner), "%.*s", (int)c->account.n, c->account.p);
	e = sv_txn_get_account(t, owner, &ab, &a);
	if (e == 0)
		bound.uid = a.uid;
	sv_blob_free(&ab);
	if (e < 0)
		return e;
	kl = sv_key_str(k, sizeof(k), SV_KEY_CRED, c->id.p, c->id.n);
	if (!kl)
		return -EINVAL;
	e = sv_encode_cred(&b, &bound);
	if (e == 0)
		e = sv_txn_store(t, db, k, kl, b.p, b.len);
	sv_buf_free(&b);
	if (e == 0) {
		snprintf(id, sizeof(id), "%.*s", (int)c->id.n, c->id.p);
		e = sv_txn_idlist_update(t, db, owner, id, true);
	}
	return e;
}

int sv_cred_fingerprint(const struct sv_cred *c, char out[SV_CRED_FPR_MAX])
{
	out[0] = '\0';
	if (c->type == SV_CRED_SSHKEY) {
		/* the key's OpenSSH fingerprint, kept as its kid */
		if (c->kid.n == 0 || c->kid.n >= SV_CRED_FPR_MAX ||
		    memchr(c->kid.p, '\0', c->kid.n))
			return -EBADMSG;
		memcpy(out, c->kid.p, c->kid.n);
		out[c->kid.n] = '\0';
		return 0;
	}
	if (c->type == SV_CRED_KEY) {
		char tp[44];
		int e = sv_key_thumbprint((const uint8_t *)c->material.p,
					  c->material.n, tp);
		if (e < 0)
			return e;
		snprintf(out, SV_CRED_FPR_MAX, "jwk:%s", tp);
		return 0;
	}
	return -ENOENT; /* a secret has no public material */
}

int sv_model_cred_remove(struct sv_txn *t, enum sv_db db, const char *account,
			 const char *id)
{
	char k[SV_KEY_MAX], fpr[SV_CRED_FPR_MAX] = "";
	size_t kl = name_key(k, sizeof(k), SV_KEY_CRED, id);
	struct sv_blob b = {0};
	struct sv_cred c;
	int e = kl ? sv_txn_fetch(t, db, k, kl, &b) : -EINVAL;

	if (e == 0) {
		/* a record that does not decode still goes, and its id is
		 * revoked; only its material cannot be named */
		if (sv_decode_cred(b.p, b.n, &c) == 0 &&
		    sv_cred_fingerprint(&c, fpr) < 0)
			fpr[0] = '\0';
		e = sv_txn_delete(t, db, k, kl);
	} else if (e == -ENOENT) {
		e = 0; /* listed but gone: the list entry and the id remain */
	}
	if (e == 0)
		e = sv_txn_idlist_update(t, db, account, id, false);
	if (e == 0)
		e = sv_state_revoke(t, id);
	if (e == 0 && fpr[0])
		e = sv_state_revoke_key(t, fpr);
	sv_blob_free(&b);
	return e;
}

struct rotation {
	struct sv_txn *t;
	enum sv_db db;
	const char *old_id;
	const struct sv_cred *fresh;
	int64_t now, grace_end, new_exp, old_exp;
};

/* Both records are written from the decoded old one while its buffer is
 * still the walk's, so every field it carries passes to the successor,
 * whatever version added it. */
static int rotate_one(const struct sv_cred *c, void *ctx)
{
	struct rotation *r = ctx;
	struct sv_cred next = *c, old = *c;
	int e;

	if (c->type != r->fresh->type || !sv_str_eq(c->id, r->old_id))
		return 0;
	next.id = r->fresh->id;
	next.material = r->fresh->material;
	if (c->type != SV_CRED_SECRET) {
		next.kid = r->fresh->kid;
		next.alg = r->fresh->alg;
	}
	next.created = r->now;
	next.expires = 0;
	if (c->expires) {
		/* a record whose expiry is not after its creation has no
		 * lifetime to pass on */
		if (c->expires <= c->created ||
		    __builtin_add_overflow(r->now, c->expires - c->created,
					   &next.expires))
			return -ERANGE;
	}
	old.expires =
	    c->expires && c->expires < r->grace_end ? c->expires : r->grace_end;
	e = sv_model_cred_add(r->t, r->db, &next);
	if (e == 0)
		e = sv_model_cred_add(r->t, r->db, &old);
	if (e == 0) {
		r->new_exp = next.expires;
		r->old_exp = old.expires;
	}
	return e < 0 ? e : 1;
}

int sv_model_each_cred(struct sv_txn *t, enum sv_db db, const char *account,
		       sv_model_cred_fn fn, void *ctx)
{
	struct sv_blob ab = {0};
	struct sv_account a;
	struct strv ids = {0};
	int e = sv_txn_get_account(t, account, &ab, &a);
	if (e == -ENOENT)
		return 0; /* no account: nothing of it to visit */
	if (e == 0)
		e = list_ids(t, db, account, &ids);
	for (size_t i = 0; e == 0 && i < ids.n; i++) {
		char ck[SV_KEY_MAX];
		struct sv_blob cb = {0};
		struct sv_cred c;
		size_t kl = name_key(ck, sizeof(ck), SV_KEY_CRED, ids.v[i]);
		e = kl ? sv_txn_fetch(t, db, ck, kl, &cb) : -ENOENT;
		if (e == -ENOENT) { /* listed but gone: nothing to visit */
			e = 0;
			continue;
		}
		if (e == 0)
			e = sv_decode_cred(cb.p, cb.n, &c);
		/* the same rule as every reader's: only what is bound to this
		 * account (name and UID) is its credential */
		if (e == 0 && sv_cred_bound_to(&c, &a))
			e = fn(&c, ctx);
		sv_blob_free(&cb);
	}
	strv_free(&ids);
	sv_blob_free(&ab);
	return e;
}

int sv_model_cred_rotate(struct sv_txn *t, enum sv_db db, const char *account,
			 const char *old_id, const struct sv_cred *fresh,
			 int64_t now, int64_t grace_end, int64_t *new_exp,
			 int64_t *old_exp)
{
	struct rotation r = {.t = t,
			     .db = db,
			     .old_id = old_id,
			     .fresh = fresh,
			     .now = now,
			     .grace_end = grace_end};
	char k[SV_KEY_MAX];
	struct sv_blob b = {0};
	size_t kl =
	    sv_key_str(k, sizeof(k), SV_KEY_CRED, fresh->id.p, fresh->id.n);
	int e = kl ? sv_txn_fetch(t, db, k, kl, &b) : -EINVAL;

	sv_blob_free(&b);
	if (e == 0)
		return -EEXIST;
	if (e != -ENOENT)
		return e;
	e = sv_model_each_cred(t, db, account, rotate_one, &r);
	if (e == 0)
		return -ENOENT;
	if (e < 0)
		return e;
	*new_exp = r.new_exp;
	*old_exp = r.old_exp;
	return 0;
}

/* --------------------------------------------------------------- walks */

static const char kind_prefix[] = {
    [SV_REC_ACCOUNT] = SV_KEY_ACCOUNT, [SV_REC_ROLE] = SV_KEY_ROLE,
    [SV_REC_ISSUER] = SV_KEY_ISSUER,   [SV_REC_ISS] = SV_KEY_ISS,
    [SV_REC_CRED] = SV_KEY_CRED,
};

static int next_done(int e, const struct sv_blob *key, struct sv_str *name)
{
	if (e == 0)
		*name = (struct sv_str){(const char *)key->p + 1, key->n - 1};
	return e;
}

int sv_model_reader_next(struct sv_reader *rd, enum sv_db db,
			 enum sv_rec_kind kind, struct sv_blob *key,
			 struct sv_str *name)
{
	if ((size_t)kind >= sizeof(kind_prefix))
		return -EINVAL;
	return next_done(sv_reader_next_key(rd, db, kind_prefix[kind], key),
			 key, name);
}

int sv_model_txn_next(struct sv_txn *t, enum sv_db db, enum sv_rec_kind kind,
		      struct sv_blob *key, struct sv_str *name)
{
	if ((size_t)kind >= sizeof(kind_prefix))
		return -EINVAL;
	return next_done(sv_txn_next_key(t, db, kind_prefix[kind], key), key,
			 name);
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

int sv_model_names(struct sv_txn *t, struct sv_reader *rd,
		   enum sv_rec_kind kind, struct strv *out)
{
	struct sv_blob key = {0};
	struct sv_str name;
	int e;
	while ((e = t ? sv_model_txn_next(t, SV_DB_ACCOUNTS, kind, &key, &name)
		      : sv_model_reader_next(rd, SV_DB_ACCOUNTS, kind, &key,
					     &name)) == 0) {
		char *n = sv_str_dup(name);
		if (!n || strv_add(out, n) < 0)
			e = -ENOMEM;
		free(n);
		if (e)
			break;
	}
	sv_blob_free(&key);
	if (e != -ENOENT)
		return e;
	if (out->n)
		qsort(out->v, out->n, sizeof(char *), cmp_str);
	return 0;
}

int sv_model_reader_id_index(struct sv_reader *rd, bool gid, uint32_t id,
			     struct sv_blob *name)
{
	char k[8];
	return sv_reader_fetch(rd, SV_DB_ACCOUNTS, k,
			       id_key(k, sizeof(k), gid, id), name);
}

/* ------------------------------------------------------------- issuers */

int sv_model_issuer_fetch(struct sv_txn *t, const char *name,
			  struct sv_blob *rec)
{
	char k[SV_KEY_MAX];
	size_t kl = name_key(k, sizeof(k), SV_KEY_ISSUER, name);
	return kl ? sv_txn_fetch(t, SV_DB_ACCOUNTS, k, kl, rec) : -ENOENT;
}

int sv_model_reader_issuer_fetch(struct sv_reader *rd, const char *name,
				 struct sv_blob *rec)
{
	char k[SV_KEY_MAX];
	size_t kl = name_key(k, sizeof(k), SV_KEY_ISSUER, name);
	return kl ? sv_reader_fetch(rd, SV_DB_ACCOUNTS, k, kl, rec) : -ENOENT;
}

int sv_model_issuer_put(struct sv_txn *t, const char *name, const char *iss,
			const struct sv_buf *rec, const char *old_iss)
{
	char k[SV_KEY_MAX];
	int r = 0;
	if (old_iss && strcmp(old_iss, iss) != 0) {
		r = sv_txn_delete(t, SV_DB_ACCOUNTS, k,
				  name_key(k, sizeof(k), SV_KEY_ISS, old_iss));
		if (r == -ENOENT)
			r = 0;
	}
	if (r == 0)
		r = sv_txn_store(t, SV_DB_ACCOUNTS, k,
				 name_key(k, sizeof(k), SV_KEY_ISSUER, name),
				 rec->p, rec->len);
	if (r == 0)
		r = sv_txn_store(t, SV_DB_ACCOUNTS, k,
				 name_key(k, sizeof(k), SV_KEY_ISS, iss), name,
				 strlen(name));
	return r;
}

int sv_model_issuer_delete(struct sv_txn *t, const char *name, const char *iss)
{
	char k[SV_KEY_MAX];
	int r = sv_txn_delete(t, SV_DB_ACCOUNTS, k,
			      name_key(k, sizeof(k), SV_KEY_ISS, iss));
	if (r == 0 || r == -ENOENT)
		r = sv_txn_delete(t, SV_DB_ACCOUNTS, k,
				  name_key(k, sizeof(k), SV_KEY_ISSUER, name));
	return r;
}
