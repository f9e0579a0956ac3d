/* SPDX-License-Identifier: MIT */
/* svcacct's credential operations (assertion keys, ssh keys): typed options in,
 * the change made in a transaction, refusals in cli->err; no argv, no output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "keys.h"
#include "names.h"
#include "ops.h"
#include "policy.h"
#include "secret.h"
#include "sshkey.h"

struct kid_find {
	const char *kid;
	bool taken;
};

static int find_kid(const struct sv_cred *c, void *ctx)
{
	struct kid_find *f = ctx;
	f->taken = c->type == SV_CRED_KEY && sv_str_eq(c->kid, f->kid);
	return f->taken;
}

bool cli_kid_taken(struct sv_txn *t, const char *account, const char *kid)
{
	struct kid_find f = {.kid = kid};
	(void)sv_model_each_cred(t, SV_DB_CREDENTIALS, account, find_kid, &f);
	return f.taken;
}

int cred_refuse_revoked(struct cli *cli, struct sv_txn *t,
			const struct sv_cred *c)
{
	char fpr[SV_CRED_FPR_MAX];
	bool revoked = true;
	int e = sv_cred_fingerprint(c, fpr);

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

int op_sshkey_parse(const char *line, char **material, char fpr[64],
		    char comment[129], char *err, size_t errlen)
{
	struct sshkey k = {0};
	int e = sshkey_parse_line(line, &k, err, errlen);
	*material = NULL;
	if (e == 0 && asprintf(material, "%s %s", k.type, k.b64) < 0) {
		*material = NULL;
		snprintf(err, errlen, "out of memory");
		e = -ENOMEM;
	}
	if (e == 0) {
		snprintf(fpr, 64, "%s", k.fpr);
		snprintf(comment, 129, "%s", k.comment);
	}
	sshkey_free(&k);
	return e < 0 ? e : 0;
}

int sshkey_find_key(const struct sv_cred *c, void *ctx)
{
	struct sshkey_find *f = ctx;
	if (c->type != SV_CRED_SSHKEY)
		return 0;
	if ((f->material && sv_str_eq(c->material, f->material)) ||
	    (f->id && (sv_str_eq(c->id, f->id) || sv_str_eq(c->kid, f->id)))) {
		snprintf(f->found, sizeof(f->found), "%.*s", (int)c->id.n,
			 c->id.p);
		return 1;
	}
	return 0;
}

void cred_scope_free(struct cred_scope *s)
{
	free(s->gids);
	free(s->from_items);
	strv_free(&s->from);
	memset(s, 0, sizeof(*s));
}

static bool acct_holds(const struct acct *a, uint32_t gid)
{
	for (size_t i = 0; i < a->nroles; i++)
		if (a->roles[i] == gid)
			return true;
	return false;
}

/* The GID of role name for a credential of account a, appended to s once. */
static int scope_add_role(struct cli *cli, struct sv_txn *t,
			  const struct acct *a, const char *name, bool any_role,
			  struct cred_scope *s)
{
	uint32_t gid;
	struct role r;
	int e;

	if (!strcmp(name, SV_BASE_ROLE)) {
		gid = cli->cfg.base_gid;
	} else {
		if (!*name || sv_name_check(name, NULL, 0) < 0) {
			snprintf(cli->err, sizeof(cli->err),
				 "bad role name '%s' in the scope", name);
			return -EINVAL;
		}
		e = sv_model_role_load(t, name, &r);
		if (e < 0) {
			snprintf(cli->err, sizeof(cli->err),
				 e == -ENOENT ? "unknown role '%s'"
					      : "role '%s': unreadable record",
				 name);
			return e;
		}
		gid = r.gid;
		role_free(&r);
		/* a credential never holds what its account does not */
		if (!any_role && !acct_holds(a, gid)) {
			snprintf(cli->err, sizeof(cli->err),
				 "role '%s' is not granted to account '%s' "
				 "(grant it first: svcacct grant %s %s)",
				 name, a->name, a->name, name);
			return -EPERM;
		}
	}
	for (size_t i = 0; i < s->ngids; i++)
		if (s->gids[i] == gid)
			return 0;
	s->gids[s->ngids++] = gid;
	return 0;
}

int op_cred_scope(struct cli *cli, struct sv_txn *t, const char *account,
		  const char *const *roles, size_t nroles,
		  const char *const *from, size_t nfrom, bool any_role,
		  struct cred_scope *out)
{
	struct acct a = {0};
	int e = 0;

	memset(out, 0, sizeof(*out));
	out->has_roles = roles != NULL;
	out->has_from = from != NULL;
	if (nroles > SV_ROLES_MAX) {
		snprintf(cli->err, sizeof(cli->err),
			 "a scope of more than %d roles", SV_ROLES_MAX);
		return -E2BIG;
	}
	if (roles && nroles) {
		e = sv_model_account_load(t, account, &a);
		if (e < 0) {
			snprintf(cli->err, sizeof(cli->err), "no account '%s'",
				 account);
			goto out;
		}
		out->gids = calloc(nroles, sizeof(*out->gids));
		if (!out->gids) {
			e = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; e == 0 && i < nroles; i++)
			e = scope_add_role(cli, t, &a, roles[i], any_role, out);
		if (e < 0)
			goto out;
	}
	for (size_t i = 0; from && i < nfrom; i++) {
		if (!cli_source_valid(from[i])) {
			e = role_bad_item(cli, "source", from[i],
					  cli_source_valid);
			goto out;
		}
		if (!strv_has(&out->from, from[i]) &&
		    (e = strv_add(&out->from, from[i])) < 0)
			goto out;
	}
	out->from_items =
	    calloc(out->from.n ? out->from.n : 1, sizeof(*out->from_items));
	if (!out->from_items) {
		e = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < out->from.n; i++)
		out->from_items[i] = SV_STR(out->from.v[i]);
out:
	acct_free(&a);
	if (e < 0)
		cred_scope_free(out);
	return e;
}

int op_cred_scope_csv(struct cli *cli, struct sv_txn *t, const char *account,
		      const char *roles, const char *from, bool any_role,
		      struct cred_scope *out)
{
	char **rv = NULL, **fv = NULL;
	size_t nr = 0, nf = 0;
	int e = -ENOMEM;

	/* "" for --roles is "every granted role": no names */
	if (roles && *roles && !(rv = cli_split(roles)))
		goto out;
	if (from && *from && !(fv = cli_split(from)))
		goto out;
	while (rv && rv[nr])
		nr++;
	while (fv && fv[nf])
		nf++;
	static const char *const none[] = {NULL};
	e = op_cred_scope(cli, t, account,
			  roles ? (rv ? (const char *const *)rv : none) : NULL,
			  rv ? nr : 0,
			  from ? (fv ? (const char *const *)fv : none) : NULL,
			  nf, any_role, out);
out:
	free(rv);
	free(fv);
	if (e == -ENOMEM && !*cli->err)
		snprintf(cli->err, sizeof(cli->err), "out of memory");
	return e;
}

void cred_scope_to_rec(const struct cred_scope *s, struct sv_cred *c)
{
	if (!s)
		return;
	c->roles =
	    (struct sv_u32list){.count = (uint32_t)s->ngids, .items = s->gids};
	c->sources = (struct sv_list){.count = (uint32_t)s->from.n,
				      .items = s->from_items};
}

/* Whether the source inner lies inside outer: both "local", or outer's
 * network holds inner's and its prefix is no longer. */
static bool source_inside(const char *inner, struct sv_str outer)
{
	char o[64], addr[64];
	const char *slash = strchr(inner, '/');
	const char *oslash;
	unsigned long ib, ob;

	if (outer.n >= sizeof(o))
		return false;
	memcpy(o, outer.p, outer.n);
	o[outer.n] = '\0';
	if (!strcmp(inner, "local") || !strcmp(o, "local"))
		return !strcmp(inner, o);
	oslash = strchr(o, '/');
	if (!slash || !oslash || (size_t)(slash - inner) >= sizeof(addr))
		return false;
	ib = strtoul(slash + 1, NULL, 10);
	ob = strtoul(oslash + 1, NULL, 10);
	memcpy(addr, inner, (size_t)(slash - inner));
	addr[slash - inner] = '\0';
	return ob <= ib && sv_source_match(o, addr);
}

int cred_scope_narrows(struct cli *cli, const struct sv_cred *c,
		       const struct cred_scope *s)
{
	const char *why = NULL;

	if (s->has_roles) {
		if (c->roles.count && !s->ngids)
			why = "it would hold every granted role";
		for (size_t i = 0; !why && c->roles.count && i < s->ngids;
		     i++) {
			bool in = false;
			for (uint32_t j = 0; j < c->roles.count; j++)
				in = in ||
				     sv_u32list_get(&c->roles, j) == s->gids[i];
			if (!in)
				why = "a role outside its scope";
		}
	}
	if (!why && s->has_from && c->sources.count) {
		if (!s->from.n)
			why = "it would log in from anywhere its roles allow";
		for (size_t i = 0; !why && i < s->from.n; i++) {
			size_t off = 0;
			uint32_t idx = 0;
			struct sv_str src;
			bool in = false;
			while (!in &&
			       sv_list_next(&c->sources, &off, &idx, &src))
				in = source_inside(s->from.v[i], src);
			if (!in)
				why = "a source outside its sources";
		}
	}
	if (!why)
		return 0;
	snprintf(cli->err, sizeof(cli->err),
		 "widening a credential's scope is not allowed (%s): add a "
		 "new credential",
		 why);
	return -EPERM;
}

/* A new credential of the account's, created now; the caller sets what
 * its type adds (kid, material, alg). */
static struct sv_cred cred_new(uint8_t type, const char *id,
			       const char *account, const char *label,
			       int64_t expires)
{
	return (struct sv_cred){
	    .type = type,
	    .created = (int64_t)time(NULL),
	    .expires = expires,
	    .id = SV_STR(id),
	    .account = SV_STR(account),
	    .label = SV_STR(label),
	};
}

int op_sshkey_add(struct cli *cli, struct sv_txn *t, const char *account,
		  const char *line, const char *label, int64_t expires,
		  const struct cred_scope *scope, char id[SV_CRED_ID_LEN + 1])
{
	struct sshkey k = {0};
	char *material = NULL;
	int e;

	if (sshkey_parse_line(line, &k, cli->err, sizeof(cli->err)) < 0) {
		e = -EINVAL;
		goto out;
	}
	if (!label && *k.comment &&
	    sv_field_check("comment", k.comment, 128, cli->err,
			   sizeof(cli->err)) < 0) {
		e = -EINVAL;
		goto out;
	}
	if (asprintf(&material, "%s %s", k.type, k.b64) < 0) {
		material = NULL;
		e = -ENOMEM;
		goto out;
	}
	struct sshkey_find f = {.material = material};
	e = sv_model_each_cred(t, SV_DB_PUBKEYS, account, sshkey_find_key, &f);
	if (e > 0)
		e = 0;
	if (e == 0 && *f.found) {
		snprintf(cli->err, sizeof(cli->err),
			 "account '%s' already has this key (%s)", account,
			 f.found);
		e = -EEXIST;
		goto out;
	}
	if (e == 0)
		e = sv_cred_id_generate(id);
	if (e == 0) {
		struct sv_cred c = cred_new(SV_CRED_SSHKEY, id, account,
					    label ? label : k.comment, expires);
		c.kid = SV_STR(k.fpr);
		c.material = SV_STR(material);
		cred_scope_to_rec(scope, &c);
		e = cred_refuse_revoked(cli, t, &c);
		if (e == 0)
			e = sv_model_cred_add(t, SV_DB_PUBKEYS, &c);
	}
	if (e < 0 && !*cli->err)
		snprintf(cli->err, sizeof(cli->err), "store: %s", strerror(-e));
out:
	free(material);
	sshkey_free(&k);
	return e;
}

int op_secret_add(struct sv_txn *t, const char *account, const char *id,
		  const uint8_t *hash, size_t hashlen, const char *label,
		  int64_t expires, const struct cred_scope *scope)
{
	struct sv_cred c =
	    cred_new(SV_CRED_SECRET, id, account, label ? label : "", expires);
	c.kid = SV_STR("");
	c.material = (struct sv_str){(const char *)hash, hashlen};
	cred_scope_to_rec(scope, &c);
	return sv_model_cred_add(t, SV_DB_CREDENTIALS, &c);
}

int op_key_add(struct cli *cli, struct sv_txn *t, const char *account,
	       const struct sv_key *key, const char *label, int64_t expires,
	       const struct cred_scope *scope, char id[SV_CRED_ID_LEN + 1])
{
	if (cli_kid_taken(t, account, key->kid)) {
		snprintf(cli->err, sizeof(cli->err),
			 "account '%s' already has a key with kid '%s'",
			 account, key->kid);
		return -EEXIST;
	}
	int e = sv_cred_id_generate(id);
	struct sv_cred c =
	    cred_new(SV_CRED_KEY, id, account, label ? label : "", expires);
	c.alg = (uint8_t)key->alg;
	c.kid = SV_STR(key->kid);
	c.material = (struct sv_str){(const char *)key->blob, key->bloblen};
	cred_scope_to_rec(scope, &c);
	if (e == 0)
		e = cred_refuse_revoked(cli, t, &c);
	if (e == 0)
		e = sv_model_cred_add(t, SV_DB_CREDENTIALS, &c);
	if (e < 0 && !*cli->err)
		snprintf(cli->err, sizeof(cli->err), "store: %s", strerror(-e));
	return e;
}

struct rotate_find {
	uint8_t type;
	const char *what;
	char *found;
};

static int rotate_find_one(const struct sv_cred *c, void *ctx)
{
	struct rotate_find *f = ctx;
	if (c->type != f->type || c->id.n != SV_CRED_ID_LEN ||
	    !(sv_str_eq(c->id, f->what) ||
	      (f->type == SV_CRED_KEY && sv_str_eq(c->kid, f->what))))
		return 0;
	snprintf(f->found, SV_CRED_ID_LEN + 1, "%.*s", (int)c->id.n, c->id.p);
	return 1;
}

int op_cred_rotate(struct cli *cli, struct sv_txn *t, const char *account,
		   const char *what, const struct sv_cred *fresh, int64_t now,
		   int64_t grace_end, char old_id[SV_CRED_ID_LEN + 1],
		   int64_t *new_exp, int64_t *old_exp)
{
	const char *kind = fresh->type == SV_CRED_KEY ? "key" : "secret";
	struct rotate_find f = {
	    .type = fresh->type, .what = what, .found = old_id};
	bool revoked = true;
	char kid[SV_KID_MAX + 1];
	int e;

	old_id[0] = '\0';
	e = sv_model_each_cred(t, SV_DB_CREDENTIALS, account, rotate_find_one,
			       &f);
	if (e < 0)
		goto store;
	/* a revoked id has no record left, unless a rollback brought back
	 * a generation that held it: either way it stays revoked */
	if (*old_id || sv_cred_id_valid(what)) {
		e = sv_txn_is_revoked(t, *old_id ? old_id : what, &revoked);
		if (e < 0)
			goto store;
	} else {
		revoked = false;
	}
	if (revoked) {
		snprintf(cli->err, sizeof(cli->err),
			 "%s '%s' of account '%s' was revoked: a revoked "
			 "credential is not rotated (add a new one)",
			 kind, what, account);
		return -EACCES;
	}
	if (!*old_id) {
		snprintf(cli->err, sizeof(cli->err),
			 "account '%s' has no %s '%s'", account, kind, what);
		return -ENOENT;
	}
	if (fresh->type == SV_CRED_KEY) {
		snprintf(kid, sizeof(kid), "%.*s", (int)fresh->kid.n,
			 fresh->kid.p);
		if (cli_kid_taken(t, account, kid)) {
			snprintf(cli->err, sizeof(cli->err),
				 "account '%s' already has a key with kid "
				 "'%s' (give the new key another --kid)",
				 account, kid);
			return -EEXIST;
		}
		e = cred_refuse_revoked(cli, t, fresh);
		if (e < 0)
			return e;
	}
	e = sv_model_cred_rotate(t, SV_DB_CREDENTIALS, account, old_id, fresh,
				 now, grace_end, new_exp, old_exp);
	if (e == -ERANGE) {
		snprintf(cli->err, sizeof(cli->err),
			 "%s '%s' of account '%s': its expiry is not after its "
			 "creation, so it has no lifetime to pass on",
			 kind, old_id, account);
		return e;
	}
	if (e == 0)
		return 0;
store:
	snprintf(cli->err, sizeof(cli->err), "store: %s", strerror(-e));
	return e;
}

struct scope_set {
	struct cli *cli;
	struct sv_txn *t;
	enum sv_db db;
	uint8_t type;
	const char *what;
	const struct cred_scope *s;
	char *id;
	const struct acct *a;
};

/* The credential set names, rewritten with the narrower scope in place
 * (everything else of its record kept); 1 when found. */
static int set_one(const struct sv_cred *c, void *ctx)
{
	struct scope_set *x = ctx;
	struct sv_cred n = *c;
	int e;

	/* a key's id may also name the account's JWKS URL (by id only: it
	 * has no kid) */
	bool jwks = x->type == SV_CRED_KEY && c->type == SV_CRED_JWKS;
	if ((c->type != x->type && !jwks) || c->id.n != SV_CRED_ID_LEN ||
	    !(sv_str_eq(c->id, x->what) ||
	      (x->type != SV_CRED_SECRET && !jwks &&
	       sv_str_eq(c->kid, x->what))))
		return 0;
	snprintf(x->id, SV_CRED_ID_LEN + 1, "%.*s", (int)c->id.n, c->id.p);
	e = cred_scope_narrows(x->cli, c, x->s);
	if (e < 0)
		return e;
	/* an unscoped credential holds the granted roles: a scope names
	 * some of them (a scoped one's were when it got them) */
	for (size_t i = 0; !c->roles.count && i < x->s->ngids; i++) {
		struct role r;
		uint32_t gid = x->s->gids[i];
		if (gid == x->cli->cfg.base_gid || acct_holds(x->a, gid))
			continue;
		bool named = sv_model_role_load_gid(x->t, gid, &r) == 0;
		snprintf(x->cli->err, sizeof(x->cli->err),
			 "role '%s' is not granted to account '%s' (grant it "
			 "first: svcacct grant %s %s)",
			 named ? r.name : "?", x->a->name, x->a->name,
			 named ? r.name : "ROLE");
		if (named)
			role_free(&r);
		return -EPERM;
	}
	if (x->s->has_roles)
		n.roles = (struct sv_u32list){.count = (uint32_t)x->s->ngids,
					      .items = x->s->gids};
	if (x->s->has_from)
		n.sources = (struct sv_list){.count = (uint32_t)x->s->from.n,
					     .items = x->s->from_items};
	e = sv_model_cred_add(x->t, x->db, &n);
	if (e < 0) {
		snprintf(x->cli->err, sizeof(x->cli->err), "store: %s",
			 strerror(-e));
		return e;
	}
	return 1;
}

int op_cred_set_scope(struct cli *cli, struct sv_txn *t, enum sv_db db,
		      uint8_t type, const char *account, const char *what,
		      const struct cred_scope *s, char id[SV_CRED_ID_LEN + 1])
{
	struct acct a = {0};
	struct scope_set x = {cli, t, db, type, what, s, id, &a};
	int e;

	id[0] = '\0';
	e = sv_model_account_load(t, account, &a);
	if (e < 0) {
		snprintf(cli->err, sizeof(cli->err), "no account '%s'",
			 account);
		return e;
	}
	e = sv_model_each_cred(t, db, account, set_one, &x);
	acct_free(&a);
	if (e == 0) {
		snprintf(cli->err, sizeof(cli->err),
			 "account '%s' has no %s '%s'", account,
			 type == SV_CRED_SECRET ? "secret"
			 : type == SV_CRED_KEY	? "key"
						: "ssh key",
			 what);
		return -ENOENT;
	}
	if (e < 0 && !*cli->err)
		snprintf(cli->err, sizeof(cli->err), "store: %s", strerror(-e));
	return e < 0 ? e : 0;
}
