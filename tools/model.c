/* SPDX-License-Identifier: MIT */
/* Owned, mutable records for the admin tool, and their load/save inside a
 * transaction (both the name key and the number key). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "keys.h"
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

static int list_to_strv(const struct sv_list *l, struct strv *s)
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
	    list_to_strv(&rec->services, &r->services) < 0 ||
	    list_to_strv(&rec->sources, &r->sources) < 0 ||
	    list_to_strv(&rec->commands, &r->commands) < 0 ||
	    list_to_strv(&rec->members, &r->members) < 0) {
		role_free(r);
		return -ENOMEM;
	}
	return 0;
}

int txn_load_acct(struct sv_txn *t, const char *name, struct acct *a)
{
	struct sv_blob b = {0};
	struct sv_account rec;
	int r = sv_txn_get_account(t, name, &b, &rec);
	if (r < 0)
		return r;
	r = acct_from_rec(a, &rec);
	sv_blob_free(&b);
	return r;
}

int txn_load_role(struct sv_txn *t, const char *name, struct role *x)
{
	struct sv_blob b = {0};
	struct sv_role rec;
	int r = sv_txn_get_role(t, name, &b, &rec);
	if (r < 0)
		return r;
	r = role_from_rec(x, &rec);
	sv_blob_free(&b);
	return r;
}

int txn_load_role_gid(struct sv_txn *t, uint32_t gid, struct role *x)
{
	struct sv_blob b = {0};
	struct sv_role rec;
	int r = sv_txn_get_role_by_gid(t, gid, &b, &rec);
	if (r < 0)
		return r;
	r = role_from_rec(x, &rec);
	sv_blob_free(&b);
	return r;
}

static struct sv_list strv_list(const struct strv *s, struct sv_str *items)
{
	for (size_t i = 0; i < s->n; i++)
		items[i] = SV_STR(s->v[i]);
	return (struct sv_list){.count = (uint32_t)s->n, .items = items};
}

int txn_save_acct(struct sv_txn *t, const struct acct *a)
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
	};
	char key[64], nkey[8];
	int r = sv_encode_account(&b, &rec);
	if (r == 0)
		r = sv_txn_store(t, SV_DB_ACCOUNTS, key,
				 sv_key_str(key, sizeof(key), SV_KEY_ACCOUNT,
					    a->name, strlen(a->name)),
				 b.p, b.len);
	if (r == 0)
		r = sv_txn_store(
		    t, SV_DB_ACCOUNTS, nkey,
		    sv_key_u32(nkey, sizeof(nkey), SV_KEY_UID, a->uid), a->name,
		    strlen(a->name));
	sv_buf_free(&b);
	return r;
}

int txn_save_role(struct sv_txn *t, const struct role *x)
{
	struct sv_buf b = {0};
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
	char key[64], nkey[8];
	r = sv_encode_role(&b, &rec);
	if (r == 0)
		r = sv_txn_store(t, SV_DB_ACCOUNTS, key,
				 sv_key_str(key, sizeof(key), SV_KEY_ROLE,
					    x->name, strlen(x->name)),
				 b.p, b.len);
	if (r == 0)
		r = sv_txn_store(
		    t, SV_DB_ACCOUNTS, nkey,
		    sv_key_u32(nkey, sizeof(nkey), SV_KEY_GID, x->gid), x->name,
		    strlen(x->name));
out:
	free(i1);
	free(i2);
	free(i3);
	free(i4);
	sv_buf_free(&b);
	return r;
}

/* Store a credential record and add it to its account's list. The record
 * is bound here, and only here, to the UID of the account of that name in
 * this very transaction, so no caller can bind it to anything else. */
int txn_store_cred(struct sv_txn *t, enum sv_db db, const struct sv_cred *c)
{
	struct sv_buf b = {0};
	struct sv_blob ab = {0};
	struct sv_account a;
	struct sv_cred bound = *c;
	char k[64], owner[SV_NAME_MAX + 1];
	int e;

	if (c->account.n > SV_NAME_MAX)
		return -EINVAL;
	snprintf(owner, sizeof(owner), "%.*s", (int)c->account.n, c->account.p);
	e = sv_txn_get_account(t, owner, &ab, &a);
	if (e == 0)
		bound.uid = a.uid;
	sv_blob_free(&ab);
	if (e < 0)
		return e;
	c = &bound;
	e = sv_encode_cred(&b, c);
	if (e == 0)
		e = sv_txn_store(
		    t, db, k,
		    sv_key_str(k, sizeof(k), SV_KEY_CRED, c->id.p, c->id.n),
		    b.p, b.len);
	sv_buf_free(&b);
	if (e == 0) {
		char acct[64];
		snprintf(acct, sizeof(acct), "%.*s", (int)c->account.n,
			 c->account.p);
		char id[64];
		snprintf(id, sizeof(id), "%.*s", (int)c->id.n, c->id.p);
		e = sv_txn_idlist_update(t, db, acct, id, true);
	}
	return e;
}

int cred_fingerprint(const struct sv_cred *c, char out[CRED_FPR_MAX])
{
	out[0] = '\0';
	if (c->type == SV_CRED_SSHKEY) {
		/* the key's OpenSSH fingerprint, kept as its kid */
		if (c->kid.n == 0 || c->kid.n >= CRED_FPR_MAX ||
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
		snprintf(out, CRED_FPR_MAX, "jwk:%s", tp);
		return 0;
	}
	return -ENOENT; /* a secret has no public material */
}

int cred_refuse_revoked(struct cli *cli, struct sv_txn *t,
			const struct sv_cred *c)
{
	char fpr[CRED_FPR_MAX];
	bool revoked = true;
	int e = cred_fingerprint(c, fpr);

	if (e == -ENOENT)
		return 0;
	if (e == 0)
		e = sv_txn_key_revoked(t, fpr, &revoked);
	if (e < 0) {
		snprintf(cli->err, sizeof(cli->err),
			 "cannot tell whether the key was revoked: %s",
			 strerror(-e));
		return e;
	}
	if (revoked && !cli->allow_revoked_keys) {
		snprintf(cli->err, sizeof(cli->err),
			 "key %s was revoked; registering revoked key "
			 "material again needs %s",
			 fpr,
			 cli->revoked_flag ? cli->revoked_flag
					   : "--allow-revoked-key");
		return -EACCES;
	}
	return 0;
}

/* Delete a credential record, drop it from its account's list and revoke
 * it for good: its id (a rollback cannot bring it back) and, for a public
 * key, its fingerprint (import and apply refuse the material again). */
int txn_remove_cred(struct sv_txn *t, enum sv_db db, const char *account,
		    const char *id)
{
	char k[64], fpr[CRED_FPR_MAX] = "";
	size_t kl = sv_key_str(k, sizeof(k), SV_KEY_CRED, id, strlen(id));
	struct sv_blob b = {0};
	struct sv_cred c;
	int e = sv_txn_fetch(t, db, k, kl, &b);

	if (e == 0) {
		/* a record that does not decode still goes, and its id is
		 * revoked; only its material cannot be named */
		if (sv_decode_cred(b.p, b.n, &c) == 0 &&
		    cred_fingerprint(&c, fpr) < 0)
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

int txn_each_cred(struct sv_txn *t, enum sv_db db, const char *account,
		  int (*fn)(const struct sv_cred *c, void *ctx), void *ctx)
{
	char k[64];
	struct sv_blob ab = {0}, lb = {0};
	struct sv_account a;
	struct sv_list ids;
	size_t off = 0;
	uint32_t idx = 0;
	struct sv_str it;
	int e = sv_txn_get_account(t, account, &ab, &a);
	if (e == -ENOENT)
		return 0; /* no account: nothing of it to visit */
	if (e == 0)
		e = sv_txn_fetch(t, db, k,
				 sv_key_str(k, sizeof(k), SV_KEY_CREDLIST,
					    account, strlen(account)),
				 &lb);
	if (e == -ENOENT) {
		sv_blob_free(&ab);
		return 0;
	}
	if (e == 0)
		e = sv_decode_idlist(lb.p, lb.n, &ids);
	while (e == 0 && sv_list_next(&ids, &off, &idx, &it)) {
		struct sv_blob cb = {0};
		struct sv_cred c;
		char ck[64];
		e = sv_txn_fetch(
		    t, db, ck,
		    sv_key_str(ck, sizeof(ck), SV_KEY_CRED, it.p, it.n), &cb);
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
	sv_blob_free(&lb);
	sv_blob_free(&ab);
	return e;
}
