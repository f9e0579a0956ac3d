/* SPDX-License-Identifier: MIT */
/* svcacct apply / export --manifest: declarative state. A manifest (JSON,
 * or a compact JWS whose payload is that JSON) describes roles, accounts,
 * grants, assertion keys and ssh keys, never secrets. apply brings the
 * store to it in one transaction, so one generation or none, and prints
 * the difference.
 *
 * How: every section's handler changes the open transaction and records
 * each change as it makes it. The difference printed is therefore exactly
 * what the transaction holds; --dry-run runs the very same code and
 * aborts instead of committing, so it can neither miss nor invent a change.
 * A manifest with nothing to change aborts too: no new generation.
 *
 * Sections are a table of handlers (check, apply, prune, export): adding a
 * section is adding one row (trusted issuers were added so). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "acct_jwks.h"
#include "assertion.h"
#include "cli.h"
#include "issuer_model.h"
#include "keys.h"
#include "names.h"
#include "ops.h"
#include "port.h"
#include "secret.h"
#include "util.h"

#define MANIFEST_FORMAT	 "svcacct-manifest"
#define MANIFEST_VERSION 1
#define MANIFEST_TYP	 "svcacct-manifest"
#define MANIFEST_MAX	 (16u * 1024 * 1024)
#define VERIFY_KEY_MAX	 (64u * 1024)
#define SERIAL_FILE	 "manifest-serial"
/* JSON integers are exact up to 2^53 in every language that writes them */
#define SERIAL_MAX ((json_int_t)1 << 53)

struct change {
	char op;	  /* '+' created, '~' changed, '-' deleted */
	const char *kind; /* role, account, key, sshkey */
	char *name;
	char *field;	    /* '~' only */
	json_t *old, *new_; /* '~' only */
	char *detail;	    /* '+' and '-': what identifies it */
};

struct mctx {
	struct cli *cli;
	struct sv_txn *t;
	bool prune;
	/* --prune and the section is in the manifest: what it does not list
	 * goes, so nothing may refer to it */
	bool prune_roles, prune_accounts;
	struct change *ch;
	size_t nch, cap;
	struct strv roles, accounts; /* declared names */
	struct strv keys, sshkeys;   /* declared "account\nkid|material" */
	struct strv created;	     /* accounts created (homes) */
	struct strv home_access;     /* accounts whose home_writable changed */
	struct strv issuers;	     /* declared issuer names */
	struct strv issuers_gone;    /* pruned: their cached keys go after */
	struct strv jwks;	     /* accounts with a declared JWKS URL */
	struct strv jwks_new;	     /* ... whose set is fetched after */
	struct strv jwks_gone;	     /* credential ids whose cache goes */
};

/* ------------------------------------------------------------ changes */

static int record(struct mctx *m, char op, const char *kind, const char *name,
		  const char *field, json_t *old, json_t *new_,
		  const char *detail)
{
	if (m->nch == m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 16;
		struct change *n = reallocarray(m->ch, nc, sizeof(*n));
		if (!n) {
			json_decref(old);
			json_decref(new_);
			return -ENOMEM;
		}
		m->ch = n;
		m->cap = nc;
	}
	struct change *c = &m->ch[m->nch];
	*c = (struct change){.op = op,
			     .kind = kind,
			     .name = strdup(name),
			     .field = field ? strdup(field) : NULL,
			     .old = old,
			     .new_ = new_,
			     .detail = detail ? strdup(detail) : NULL};
	if (!c->name || (field && !c->field) || (detail && !c->detail)) {
		free(c->name);
		free(c->field);
		free(c->detail);
		json_decref(old);
		json_decref(new_);
		return -ENOMEM;
	}
	m->nch++;
	return 0;
}

static void mctx_free(struct mctx *m)
{
	for (size_t i = 0; i < m->nch; i++) {
		free(m->ch[i].name);
		free(m->ch[i].field);
		free(m->ch[i].detail);
		json_decref(m->ch[i].old);
		json_decref(m->ch[i].new_);
	}
	free(m->ch);
	strv_free(&m->roles);
	strv_free(&m->accounts);
	strv_free(&m->keys);
	strv_free(&m->sshkeys);
	strv_free(&m->created);
	strv_free(&m->home_access);
	strv_free(&m->issuers);
	strv_free(&m->issuers_gone);
	strv_free(&m->jwks);
	strv_free(&m->jwks_new);
	strv_free(&m->jwks_gone);
}

/* A value for people: strings quoted as JSON (descriptions may hold
 * anything printable), lists joined ("-" when empty), yes/no. */
static void render(FILE *f, const char *field, json_t *v)
{
	if (json_is_array(v)) {
		size_t i;
		json_t *x;
		/* commands may contain commas */
		const char *sep =
		    field && !strcmp(field, "commands") ? " | " : ",";
		if (!json_array_size(v))
			fputs("-", f);
		json_array_foreach (v, i, x)
			fprintf(f, "%s%s", i ? sep : "", json_string_value(x));
	} else if (json_is_boolean(v)) {
		fputs(json_is_true(v) ? "yes" : "no", f);
	} else if (json_is_integer(v)) {
		fprintf(f, "%lld", (long long)json_integer_value(v));
	} else if (field && strcmp(field, "description") &&
		   strcmp(field, "owner") && strcmp(field, "label") &&
		   json_string_length(v)) {
		/* names, dates, states, thumbprints: nothing to quote */
		fputs(json_string_value(v), f);
	} else {
		char *s = json_dumps(v, JSON_ENCODE_ANY);
		fputs(s ? s : "?", f);
		free(s);
	}
}

static void print_text(const struct change *c)
{
	printf("%c %s %s", c->op, c->kind, c->name);
	if (c->op == '~') {
		printf(": %s ", c->field);
		render(stdout, c->field, c->old);
		fputs(" -> ", stdout);
		render(stdout, c->field, c->new_);
	} else if (c->detail) {
		printf(" (%s)", c->detail);
	}
	putchar('\n');
}

static json_t *change_json(const struct change *c)
{
	char op[2] = {c->op, '\0'};
	json_t *j = json_pack("{s:s, s:s, s:s}", "op", op, "kind", c->kind,
			      "name", c->name);
	if (!j)
		return NULL;
	if (c->op == '~') {
		json_object_set_new(j, "field", json_string(c->field));
		json_object_set(j, "old", c->old);
		json_object_set(j, "new", c->new_);
	} else if (c->detail) {
		json_object_set_new(j, "detail", json_string(c->detail));
	}
	return j;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A list as a sorted JSON array (sets compare and print the same way
 * whatever order the manifest or the store has them in). */
static json_t *strv_sorted_json(const struct strv *s)
{
	json_t *a = json_array();
	const char **v = calloc(s->n + 1, sizeof(*v));
	if (!a || !v) {
		free(v);
		json_decref(a);
		return NULL;
	}
	for (size_t i = 0; i < s->n; i++)
		v[i] = s->v[i];
	qsort(v, s->n, sizeof(*v), cmp_str);
	for (size_t i = 0; i < s->n; i++)
		json_array_append_new(a, json_string(v[i]));
	free(v);
	return a;
}

static bool strv_same_set(const struct strv *a, const struct strv *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!strv_has(b, a->v[i]))
			return false;
	return true;
}

/* Record a '~' of a string field and replace it; 0 if equal. */
static int change_str(struct mctx *m, const char *kind, const char *name,
		      const char *field, char **cur, const char *want,
		      bool *changed)
{
	if (!strcmp(*cur, want))
		return 0;
	char *n = strdup(want);
	if (!n)
		return -ENOMEM;
	int e = record(m, '~', kind, name, field, json_string(*cur),
		       json_string(want), NULL);
	if (e < 0) {
		free(n);
		return e;
	}
	free(*cur);
	*cur = n;
	*changed = true;
	return 0;
}

/* "what (name): message" */
static int fail_at(struct mctx *m, const char *what, const char *name, int e)
{
	char tmp[sizeof(m->cli->err)];
	snprintf(tmp, sizeof(tmp), "%s", m->cli->err);
	snprintf(m->cli->err, sizeof(m->cli->err), "%s (%.40s): %.900s", what,
		 name, *tmp ? tmp : strerror(-e));
	return e < 0 ? e : -EINVAL;
}

static int store_err(struct mctx *m, int e)
{
	if (!*m->cli->err)
		snprintf(m->cli->err, sizeof(m->cli->err), "store: %s",
			 strerror(-e));
	return e;
}

/* An account named by a key or ssh key: declared in the manifest, or
 * (without --prune, which would delete it) already in the store. */
static int account_usable(struct mctx *m, const char *what, const char *account)
{
	struct acct a;
	if (strv_has(&m->accounts, account))
		return 0;
	if (m->prune_accounts) {
		snprintf(m->cli->err, sizeof(m->cli->err),
			 "%s: account '%s' is not in the manifest (with "
			 "--prune it would be deleted)",
			 what, account);
		return -EINVAL;
	}
	if (sv_model_account_load(m->t, account, &a) < 0) {
		snprintf(m->cli->err, sizeof(m->cli->err),
			 "%s: no account '%s' in the manifest or the store",
			 what, account);
		return -ENOENT;
	}
	acct_free(&a);
	return 0;
}

/* One element of a section's list, "what" naming it in messages: 0 or
 * negative errno with the message in cli->err. */
typedef int elem_fn(struct mctx *m, json_t *o, const char *what);

/* ------------------------------------------------------------ roles */

static int role_check(struct mctx *m, json_t *o, const char *what)
{
	struct port_role pr;
	struct strv tmp = {0};
	int e = port_role_parse(m->cli, o, what, true, &pr);
	if (e < 0)
		return e;
	/* the same rules as role create, before taking the lock */
	m->cli->err[0] = '\0';
	/* the base role is declared by its name, which no other role may
	 * take: its settings, never its existence */
	bool base = !strcmp(pr.o.name, SV_BASE_ROLE);
	if ((!base &&
	     sv_name_check(pr.o.name, m->cli->err, sizeof(m->cli->err)) < 0) ||
	    (pr.o.description &&
	     sv_field_check("description", pr.o.description, 255, m->cli->err,
			    sizeof(m->cli->err)) < 0) ||
	    role_set_services(m->cli, &tmp, pr.services) < 0 ||
	    role_set_sources(m->cli, &tmp, pr.sources) < 0 ||
	    role_set_commands(m->cli, &tmp, pr.o.commands, pr.o.ncommands) < 0)
		e = -EINVAL;
	else if (strv_has(&m->roles, pr.o.name)) {
		snprintf(m->cli->err, sizeof(m->cli->err),
			 "role '%s' appears twice", pr.o.name);
		e = -EINVAL;
	} else {
		e = strv_add(&m->roles, pr.o.name);
	}
	strv_free(&tmp);
	if (e < 0)
		e = fail_at(m, what, pr.o.name, e);
	port_role_free(&pr);
	return e;
}

static int role_update(struct mctx *m, const struct port_role *pr,
		       struct role *x, const char *what)
{
	struct cli *cli = m->cli;
	struct strv sv = {0}, so = {0}, cm = {0};
	bool changed = false;
	int e = 0;
	uint32_t gid;
	if (pr->o.gid &&
	    (cli_parse_u32(pr->o.gid, &gid) < 0 || gid != x->gid)) {
		snprintf(cli->err, sizeof(cli->err),
			 "gid %s in the manifest, but the role has gid %u: the "
			 "GID of a role never changes (drop \"gid\" or write "
			 "%u)",
			 pr->o.gid, x->gid, x->gid);
		return fail_at(m, what, x->name, -EINVAL);
	}
	if (role_set_services(cli, &sv, pr->services) < 0 ||
	    role_set_sources(cli, &so, pr->sources) < 0 ||
	    role_set_commands(cli, &cm, pr->o.commands, pr->o.ncommands) < 0) {
		e = fail_at(m, what, x->name, -EINVAL);
		goto out;
	}
	e = change_str(m, "role", x->name, "description", &x->description,
		       pr->o.description ? pr->o.description : "", &changed);
	struct {
		const char *field;
		struct strv *cur, *want;
	} l[] = {{"services", &x->services, &sv},
		 {"from", &x->sources, &so},
		 {"commands", &x->commands, &cm}};
	for (size_t i = 0; e == 0 && i < SV_ARRAY_SIZE(l); i++) {
		if (strv_same_set(l[i].cur, l[i].want))
			continue;
		e = record(m, '~', "role", x->name, l[i].field,
			   strv_sorted_json(l[i].cur),
			   strv_sorted_json(l[i].want), NULL);
		strv_free(l[i].cur);
		*l[i].cur = *l[i].want;
		memset(l[i].want, 0, sizeof(*l[i].want));
		changed = true;
	}
	if (e == 0 && changed) {
		x->updated = (int64_t)time(NULL);
		if (strcmp(x->name, SV_BASE_ROLE))
			e = sv_model_role_update(m->t, x);
		else {
			if (!x->created)
				x->created = x->updated;
			e = sv_model_base_role_save(m->t, x);
		}
	}
	if (e < 0)
		e = store_err(m, e);
out:
	strv_free(&sv);
	strv_free(&so);
	strv_free(&cm);
	return e;
}

static int role_apply(struct mctx *m, json_t *o, const char *what)
{
	char detail[32];
	struct port_role pr;
	struct role x = {0};
	int e = port_role_parse(m->cli, o, what, true, &pr);
	if (e < 0)
		return e;
	e = strcmp(pr.o.name, SV_BASE_ROLE)
		? sv_model_role_load(m->t, pr.o.name, &x)
		: sv_model_base_role_load(m->t, &x);
	if (e == -ENOENT) {
		m->cli->err[0] = '\0';
		e = op_role_create(m->cli, m->t, &pr.o, &x);
		if (e < 0) {
			e = fail_at(m, what, pr.o.name, e);
		} else {
			snprintf(detail, sizeof(detail), "gid %u", x.gid);
			e = record(m, '+', "role", x.name, NULL, NULL, NULL,
				   detail);
		}
	} else if (e == 0) {
		e = role_update(m, &pr, &x, what);
	} else {
		e = store_err(m, e);
	}
	role_free(&x);
	port_role_free(&pr);
	return e;
}

/* Delete a record --prune found undeclared, saying in detail (cap bytes)
 * what identified it: 0, 1 to leave it, or -errno. */
typedef int drop_fn(struct sv_txn *t, const char *name, char *detail,
		    size_t cap);

/* Every record of a kind of accounts.db that the manifest does not declare
 * goes, each one recorded as a '-' of kind. */
static int records_prune(struct mctx *m, enum sv_rec_kind rec,
			 const struct strv *declared, const char *kind,
			 drop_fn *drop)
{
	struct strv names = {0};
	int e = sv_model_names(m->t, NULL, rec, &names);
	for (size_t i = 0; e == 0 && i < names.n; i++) {
		char detail[96];
		if (strv_has(declared, names.v[i]))
			continue;
		e = drop(m->t, names.v[i], detail, sizeof(detail));
		if (e == 0)
			e = record(m, '-', kind, names.v[i], NULL, NULL, NULL,
				   detail);
		else if (e > 0)
			e = 0;
	}
	strv_free(&names);
	return e < 0 ? store_err(m, e) : 0;
}

static int role_drop(struct sv_txn *t, const char *name, char *detail,
		     size_t cap)
{
	struct role x;
	/* the base role is never deleted (its record is not walked) */
	if (!strcmp(name, SV_BASE_ROLE))
		return 1;
	int e = sv_model_role_load(t, name, &x);
	if (e < 0)
		return e;
	e = op_role_delete(t, &x);
	snprintf(detail, cap, "gid %u", x.gid);
	role_free(&x);
	return e;
}

static int roles_prune(struct mctx *m, json_t *arr)
{
	(void)arr;
	int e = records_prune(m, SV_REC_ROLE, &m->roles, "role", role_drop);
	if (e < 0 || strv_has(&m->roles, SV_BASE_ROLE))
		return e;
	/* the base role stays, but what the manifest does not give it goes:
	 * an undeclared base role allows nothing */
	struct role x;
	struct port_role none = {.o = {.name = SV_BASE_ROLE},
				 .services = (char *)"",
				 .sources = (char *)""};
	e = sv_model_base_role_load(m->t, &x);
	if (e < 0)
		return store_err(m, e);
	e = role_update(m, &none, &x, "roles");
	role_free(&x);
	return e;
}

/* ------------------------------------------------------------ accounts */

static int account_check(struct mctx *m, json_t *o, const char *what)
{
	struct port_account pa;
	int64_t exp;
	uint32_t uid;
	int e = port_account_parse(m->cli, o, what, true, &pa);
	if (e < 0)
		return e;
	m->cli->err[0] = '\0';
	if (sv_name_check(pa.o.name, m->cli->err, sizeof(m->cli->err)) < 0 ||
	    acct_check_fields(m->cli, &pa.o) < 0) {
		e = -EINVAL;
	} else if (pa.o.expires && cli_parse_date(pa.o.expires, &exp) < 0) {
		snprintf(m->cli->err, sizeof(m->cli->err),
			 "bad expires '%s' (YYYY-MM-DD or never)",
			 pa.o.expires);
		e = -EINVAL;
	} else if (pa.o.uid && cli_parse_u32(pa.o.uid, &uid) < 0) {
		snprintf(m->cli->err, sizeof(m->cli->err),
			 "uid %.32s is not a UID", pa.o.uid);
		e = -EINVAL;
	} else if (strv_has(&m->accounts, pa.o.name)) {
		snprintf(m->cli->err, sizeof(m->cli->err),
			 "account '%s' appears twice", pa.o.name);
		e = -EINVAL;
	} else if (strv_has(&m->roles, pa.o.name)) {
		snprintf(m->cli->err, sizeof(m->cli->err),
			 "'%s' is declared as a role too (its group "
			 "would clash)",
			 pa.o.name);
		e = -EINVAL;
	} else {
		e = strv_add(&m->accounts, pa.o.name);
	}
	if (e < 0)
		e = fail_at(m, what, pa.o.name, e);
	port_account_free(&pa);
	return e;
}

/* Role names of a GID list, for the difference. */
static json_t *role_names(struct sv_txn *t, const uint32_t *g, size_t n)
{
	struct strv s = {0};
	for (size_t i = 0; i < n; i++) {
		struct role x;
		char tmp[16];
		if (sv_model_role_load_gid(t, g[i], &x) == 0) {
			strv_add(&s, x.name);
			role_free(&x);
		} else {
			snprintf(tmp, sizeof(tmp), "#%u", g[i]);
			strv_add(&s, tmp);
		}
	}
	json_t *j = strv_sorted_json(&s);
	strv_free(&s);
	return j;
}

static bool has_gid(const uint32_t *g, size_t n, uint32_t x)
{
	for (size_t i = 0; i < n; i++)
		if (g[i] == x)
			return true;
	return false;
}

static int account_roles(struct mctx *m, struct acct *a,
			 const struct port_account *pa, const char *what,
			 bool *changed)
{
	uint32_t *g = NULL;
	size_t n = 0;
	bool one;
	int64_t now = (int64_t)time(NULL);
	for (size_t i = 0; i < pa->o.nroles; i++)
		if (m->prune_roles && !strv_has(&m->roles, pa->o.roles[i])) {
			snprintf(m->cli->err, sizeof(m->cli->err),
				 "role '%s' is not in the manifest (with "
				 "--prune it would be deleted)",
				 pa->o.roles[i]);
			return fail_at(m, what, a->name, -EINVAL);
		}
	m->cli->err[0] = '\0';
	int e = acct_role_gids(m->cli, m->t, pa->o.roles, pa->o.nroles, &g);
	if (e < 0)
		return fail_at(m, what, a->name, e);
	for (size_t i = 0; i < pa->o.nroles; i++)
		if (!has_gid(g, n, g[i]))
			g[n++] = g[i];
	bool same = n == a->nroles;
	for (size_t i = 0; same && i < n; i++)
		same = has_gid(a->roles, a->nroles, g[i]);
	if (same) {
		free(g);
		return 0;
	}
	e = record(m, '~', "account", a->name, "roles",
		   role_names(m->t, a->roles, a->nroles),
		   role_names(m->t, g, n), NULL);
	/* the roles it loses, then those it gains; the account keeps the
	 * manifest's order */
	for (size_t i = a->nroles; e == 0 && i-- > 0;)
		if (!has_gid(g, n, a->roles[i]))
			e = sv_model_grant(m->t, a, a->roles[i], false, now,
					   &one);
	for (size_t i = 0; e == 0 && i < n; i++)
		e = sv_model_grant(m->t, a, g[i], true, now, &one);
	free(a->roles);
	a->roles = g;
	a->nroles = n;
	*changed = true;
	return e < 0 ? store_err(m, e) : 0;
}

static int change_flag(struct mctx *m, struct acct *a, uint32_t flag, bool want,
		       const char *field, json_t *old, json_t *new_,
		       bool *changed)
{
	if (!!(a->flags & flag) == want) {
		json_decref(old);
		json_decref(new_);
		return 0;
	}
	a->flags = want ? (a->flags | flag) : (a->flags & ~flag);
	*changed = true;
	return record(m, '~', "account", a->name, field, old, new_, NULL);
}

/* The allowed login methods as the manifest says (none said: every
 * method); checked by account_check. */
static int change_methods(struct mctx *m, struct acct *a,
			  const struct port_account *pa, bool *changed)
{
	uint32_t want = 0;
	if (pa->o.methods &&
	    acct_methods_parse(m->cli, pa->o.methods, &want) < 0)
		return -EINVAL;
	if (want == a->methods)
		return 0;
	int e = record(m, '~', "account", a->name, "methods",
		       port_methods_json(a->methods), port_methods_json(want),
		       NULL);
	a->methods = want;
	*changed = true;
	return e;
}

static int account_update(struct mctx *m, const struct port_account *pa,
			  struct acct *a, const char *what)
{
	const struct sv_config *c = &m->cli->cfg;
	bool changed = false, was_w = a->flags & SV_ACCT_HOME_WRITABLE;
	char home[300], b1[32], b2[32];
	int64_t exp = 0;
	uint32_t uid;
	int e = 0;
	if (pa->o.uid &&
	    (cli_parse_u32(pa->o.uid, &uid) < 0 || uid != a->uid)) {
		snprintf(m->cli->err, sizeof(m->cli->err),
			 "uid %s in the manifest, but the account has uid %u: "
			 "the UID of an account never changes (files it owns "
			 "would change hands); drop \"uid\" or write %u",
			 pa->o.uid, a->uid, a->uid);
		return fail_at(m, what, a->name, -EINVAL);
	}
	if (pa->o.expires)
		cli_parse_date(pa->o.expires, &exp); /* checked before */
	snprintf(home, sizeof(home), "%s/%s", c->home_base, a->name);
	if ((e = change_str(
		 m, "account", a->name, "description", &a->description,
		 pa->o.description ? pa->o.description : "", &changed)) < 0 ||
	    (e = change_str(m, "account", a->name, "owner", &a->owner,
			    pa->o.owner ? pa->o.owner : "", &changed)) < 0 ||
	    (e = change_str(m, "account", a->name, "home", &a->home,
			    pa->o.home ? pa->o.home : home, &changed)) < 0 ||
	    (e = change_str(m, "account", a->name, "shell", &a->shell,
			    pa->o.shell ? pa->o.shell : "", &changed)) < 0)
		return store_err(m, e);
	if (exp != a->expires) {
		e = record(m, '~', "account", a->name, "expires",
			   json_string(cli_date(a->expires, b1, sizeof(b1))),
			   json_string(cli_date(exp, b2, sizeof(b2))), NULL);
		a->expires = exp;
		changed = true;
	}
	if (e == 0)
		e = change_flag(
		    m, a, SV_ACCT_DISABLED, pa->disabled, "state",
		    json_string((a->flags & SV_ACCT_DISABLED) ? "disabled"
							      : "enabled"),
		    json_string(pa->disabled ? "disabled" : "enabled"),
		    &changed);
	if (e == 0)
		e = change_flag(m, a, SV_ACCT_HOME_WRITABLE,
				pa->o.home_writable, "home_writable",
				json_boolean(was_w),
				json_boolean(pa->o.home_writable), &changed);
	if (e == 0)
		e = change_methods(m, a, pa, &changed);
	if (e < 0)
		return store_err(m, e);
	if ((e = account_roles(m, a, pa, what, &changed)) < 0)
		return e;
	if (was_w != pa->o.home_writable &&
	    strv_add(&m->home_access, a->name) < 0)
		return store_err(m, -ENOMEM);
	if (changed) {
		a->updated = (int64_t)time(NULL);
		if ((e = sv_model_account_update(m->t, a)) < 0)
			return store_err(m, e);
	}
	return 0;
}

static int account_apply(struct mctx *m, json_t *o, const char *what)
{
	char detail[32];
	struct port_account pa;
	struct acct a = {0};
	int e = port_account_parse(m->cli, o, what, true, &pa);
	if (e < 0)
		return e;
	e = sv_model_account_load(m->t, pa.o.name, &a);
	if (e == -ENOENT) {
		for (size_t j = 0; j < pa.o.nroles; j++)
			if (m->prune_roles &&
			    !strv_has(&m->roles, pa.o.roles[j])) {
				snprintf(m->cli->err, sizeof(m->cli->err),
					 "role '%s' is not in the "
					 "manifest (with --prune it "
					 "would be deleted)",
					 pa.o.roles[j]);
				e = -EINVAL;
			}
		/* homes are made after the commit, not in a dry run */
		pa.o.no_home = true;
		if (e == -ENOENT) {
			m->cli->err[0] = '\0';
			e = op_account_create(m->cli, m->t, &pa.o, &a);
		}
		if (e == 0 && pa.disabled) {
			a.flags |= SV_ACCT_DISABLED;
			e = sv_model_account_update(m->t, &a);
		}
		if (e < 0) {
			e = fail_at(m, what, pa.o.name, e);
		} else {
			snprintf(detail, sizeof(detail), "uid %u", a.uid);
			e = record(m, '+', "account", a.name, NULL, NULL, NULL,
				   detail);
			if (e == 0)
				e = strv_add(&m->created, a.name);
		}
	} else if (e == 0) {
		e = account_update(m, &pa, &a, what);
	} else {
		e = store_err(m, e);
	}
	acct_free(&a);
	port_account_free(&pa);
	return e;
}

static int account_drop(struct sv_txn *t, const char *name, char *detail,
			size_t cap)
{
	struct acct a;
	size_t n = 0;
	int e = sv_model_account_load(t, name, &a);
	if (e < 0)
		return e;
	/* its secrets too: they are never in a manifest */
	e = op_account_delete(t, &a, &n);
	snprintf(detail, cap, "uid %u; %zu credential(s) revoked", a.uid, n);
	acct_free(&a);
	return e;
}

static int accounts_prune(struct mctx *m, json_t *arr)
{
	(void)arr;
	return records_prune(m, SV_REC_ACCOUNT, &m->accounts, "account",
			     account_drop);
}

/* ------------------------------------------------------------ keys */

static char *pair(const char *a, const char *b)
{
	char *s = NULL;
	return asprintf(&s, "%s\n%s", a, b) < 0 ? NULL : s;
}

static int key_check(struct mctx *m, json_t *o, const char *what)
{
	struct port_key k;
	m->cli->err[0] = '\0';
	int e = port_key_parse(m->cli, o, what, &k);
	if (e == 0) {
		char *p = pair(k.account, k.key.kid);
		if (!p)
			e = -ENOMEM;
		else if (strv_has(&m->keys, p)) {
			snprintf(m->cli->err, sizeof(m->cli->err),
				 "%s: account '%s' has kid '%s' twice", what,
				 k.account, k.key.kid);
			e = -EINVAL;
		} else {
			e = strv_add(&m->keys, p);
		}
		free(p);
	}
	sv_key_free(&k.key);
	return e;
}

struct found {
	uint8_t type;		    /* enum sv_cred_type */
	const char *kid, *material; /* match on either */
	bool hit;
	char id[SV_CRED_ID_LEN + 1];
	char kidv[SV_KID_MAX + 1];
	char label[129];
	int64_t created, expires;
	uint8_t alg;
	uint8_t *mat;
	size_t matlen;
	/* its scope: role GIDs and sources */
	uint32_t *gids;
	size_t ngids;
	struct strv from;
	/* all of them, for prune */
	struct strv ids, names;
};

static int find_cred(const struct sv_cred *c, void *ctx)
{
	struct found *f = ctx;
	if (c->type != f->type)
		return 0;
	if (!f->kid && !f->material) { /* collect */
		char id[64], *nm;
		snprintf(id, sizeof(id), "%.*s", (int)c->id.n, c->id.p);
		nm = f->type == SV_CRED_KEY ? sv_str_dup(c->kid)
					    : sv_str_dup(c->material);
		int e = nm ? strv_add(&f->ids, id) : -ENOMEM;
		if (e == 0)
			e = strv_add(&f->names, nm);
		free(nm);
		return e;
	}
	if ((f->kid && sv_str_eq(c->kid, f->kid)) ||
	    (f->material && sv_str_eq(c->material, f->material))) {
		f->hit = true;
		snprintf(f->id, sizeof(f->id), "%.*s", (int)c->id.n, c->id.p);
		snprintf(f->kidv, sizeof(f->kidv), "%.*s", (int)c->kid.n,
			 c->kid.p);
		snprintf(f->label, sizeof(f->label), "%.*s", (int)c->label.n,
			 c->label.p);
		f->created = c->created;
		f->expires = c->expires;
		f->alg = c->alg;
		f->mat = malloc(c->material.n ? c->material.n : 1);
		if (!f->mat)
			return -ENOMEM;
		memcpy(f->mat, c->material.p, c->material.n);
		f->matlen = c->material.n;
		f->gids = calloc(c->roles.count ? c->roles.count : 1,
				 sizeof(*f->gids));
		if (!f->gids)
			return -ENOMEM;
		for (uint32_t i = 0; i < c->roles.count; i++)
			f->gids[f->ngids++] = sv_u32list_get(&c->roles, i);
		if (strv_add_list(&f->from, &c->sources) < 0)
			return -ENOMEM;
		return 1; /* stop */
	}
	return 0;
}

static void found_free(struct found *f)
{
	free(f->mat);
	free(f->gids);
	strv_free(&f->from);
	strv_free(&f->ids);
	strv_free(&f->names);
}

/* The account's credential in db that f names (f->hit), if it has one. */
static int cred_find(struct mctx *m, enum sv_db db, const char *account,
		     struct found *f)
{
	int e = sv_model_each_cred(m->t, db, account, find_cred, f);
	return e < 0 ? store_err(m, e) : 0;
}

/* The role names of GIDs, as the manifest writes them (a GID without a
 * role record as its number). */
static json_t *scope_roles_json(struct mctx *m, const uint32_t *gids, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		struct role r;
		if (gids[i] == m->cli->cfg.base_gid)
			json_array_append_new(a, json_string(SV_BASE_ROLE));
		else if (sv_model_role_load_gid(m->t, gids[i], &r) == 0) {
			json_array_append_new(a, json_string(r.name));
			role_free(&r);
		} else
			json_array_append_new(a, json_integer(gids[i]));
	}
	return a;
}

static bool same_gids(const uint32_t *a, size_t na, const uint32_t *b,
		      size_t nb)
{
	for (size_t i = 0; i < na; i++) {
		bool in = false;
		for (size_t j = 0; j < nb && !in; j++)
			in = a[i] == b[j];
		if (!in)
			return false;
	}
	return true;
}

static bool same_strv(const struct strv *a, const struct strv *b)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strv_has(b, a->v[i]))
			return false;
	for (size_t i = 0; i < b->n; i++)
		if (!strv_has(a, b->v[i]))
			return false;
	return true;
}

/* The manifest's scope s for the credential f that stays: the same, or
 * narrower (recorded as changes, *changed set); a wider one is refused as
 * set refuses it. */
static int cred_rescope(struct mctx *m, const struct found *f, const char *kind,
			const char *name, const struct cred_scope *s,
			bool *changed)
{
	struct sv_str *items =
	    calloc(f->from.n ? f->from.n : 1, sizeof(*items));
	int e = 0;
	if (!items)
		return -ENOMEM;
	for (size_t i = 0; i < f->from.n; i++)
		items[i] = SV_STR(f->from.v[i]);
	const struct sv_cred old = {
	    .roles = {.count = (uint32_t)f->ngids, .items = f->gids},
	    .sources = {.count = (uint32_t)f->from.n, .items = items},
	};
	bool roles_same = same_gids(f->gids, f->ngids, s->gids, s->ngids) &&
			  same_gids(s->gids, s->ngids, f->gids, f->ngids);
	bool from_same = same_strv(&f->from, &s->from);
	/* a manifest declares the whole scope: a member left out is none
	 * (every granted role, no narrowing), which widens a scoped one */
	struct cred_scope whole = *s;
	whole.has_roles = whole.has_from = true;
	if (roles_same && from_same)
		goto out;
	e = cred_scope_narrows(m->cli, &old, &whole);
	if (e < 0) {
		e = fail_at(m, kind, name, e);
		goto out;
	}
	*changed = true;
	if (!roles_same)
		e = record(m, '~', kind, name, "roles",
			   scope_roles_json(m, f->gids, f->ngids),
			   scope_roles_json(m, s->gids, s->ngids), NULL);
	if (e == 0 && !from_same) {
		json_t *o = json_array(), *n = json_array();
		for (size_t i = 0; i < f->from.n; i++)
			json_array_append_new(o, json_string(f->from.v[i]));
		for (size_t i = 0; i < s->from.n; i++)
			json_array_append_new(n, json_string(s->from.v[i]));
		e = record(m, '~', kind, name, "from", o, n, NULL);
	}
out:
	free(items);
	return e;
}

/* Label, expiry and scope of a credential that stays: rewritten under its
 * id. */
static int cred_relabel(struct mctx *m, enum sv_db db, const char *account,
			const struct found *f, const char *kind,
			const char *name, const char *label, int64_t expires,
			const struct cred_scope *s)
{
	char b1[32], b2[32];
	bool changed = false;
	int e = cred_rescope(m, f, kind, name, s, &changed);
	if (e < 0)
		return e;
	if (strcmp(f->label, label)) {
		e = record(m, '~', kind, name, "label", json_string(f->label),
			   json_string(label), NULL);
		changed = true;
	}
	if (e == 0 && f->expires != expires) {
		e = record(m, '~', kind, name, "expires",
			   json_string(cli_time(f->expires, b1, sizeof(b1))),
			   json_string(cli_time(expires, b2, sizeof(b2))),
			   NULL);
		changed = true;
	}
	if (e < 0 || !changed)
		return e;
	struct sv_cred c = {
	    .type = f->type,
	    .alg = f->alg,
	    .created = f->created,
	    .expires = expires,
	    .id = SV_STR(f->id),
	    .account = SV_STR(account),
	    .label = SV_STR(label),
	    .kid = SV_STR(f->kidv),
	    .material = {(const char *)f->mat, f->matlen},
	};
	cred_scope_to_rec(s, &c);
	return sv_model_cred_add(m->t, db, &c);
}

static int key_apply(struct mctx *m, json_t *o, const char *what)
{
	char name[256], id[SV_CRED_ID_LEN + 1];
	char tp1[44], tp2[44];
	struct port_key k;
	struct found f = {.type = SV_CRED_KEY};
	struct cred_scope scope = {0};
	m->cli->err[0] = '\0';
	int e = port_key_parse(m->cli, o, what, &k);
	if (e == 0)
		e = account_usable(m, what, k.account);
	if (e == 0)
		e = port_cred_scope(m->cli, m->t, what, k.account, k.roles,
				    k.from, &scope);
	if (e < 0)
		goto out;
	snprintf(name, sizeof(name), "%s %s", k.account, k.key.kid);
	f.kid = k.key.kid;
	if ((e = cred_find(m, SV_DB_CREDENTIALS, k.account, &f)) < 0)
		goto out;
	if (!f.hit) {
		e = op_key_add(m->cli, m->t, k.account, &k.key, k.label,
			       k.expires, &scope, id);
		if (e == 0)
			e = record(m, '+', "key", name, NULL, NULL, NULL,
				   sv_alg_name(k.key.alg));
		else
			e = fail_at(m, what, name, e);
	} else if (f.alg != (uint8_t)k.key.alg || f.matlen != k.key.bloblen ||
		   memcmp(f.mat, k.key.blob, f.matlen)) {
		/* another key under the same kid: the old one is
		 * revoked, the new one gets a new id */
		if (sv_key_thumbprint(f.mat, f.matlen, tp1) < 0)
			snprintf(tp1, sizeof(tp1), "?");
		if (sv_key_thumbprint(k.key.blob, k.key.bloblen, tp2) < 0)
			snprintf(tp2, sizeof(tp2), "?");
		e = sv_model_cred_remove(m->t, SV_DB_CREDENTIALS, k.account,
					 f.id);
		if (e == 0)
			e = op_key_add(m->cli, m->t, k.account, &k.key, k.label,
				       k.expires, &scope, id);
		if (e == 0)
			e = record(m, '~', "key", name, "jwk", json_string(tp1),
				   json_string(tp2), NULL);
		if (e < 0)
			e = store_err(m, e);
	} else {
		e = cred_relabel(m, SV_DB_CREDENTIALS, k.account, &f, "key",
				 name, k.label ? k.label : "", k.expires,
				 &scope);
		if (e < 0)
			e = store_err(m, e);
	}
out:
	cred_scope_free(&scope);
	found_free(&f);
	sv_key_free(&k.key);
	return e;
}

/* Keys (or ssh keys) of declared accounts that the manifest dropped. */
static int creds_prune(struct mctx *m, enum sv_db db, enum sv_cred_type type,
		       const struct strv *declared, const char *kind)
{
	int e = 0;
	for (size_t a = 0; e == 0 && a < m->accounts.n; a++) {
		const char *acct = m->accounts.v[a];
		struct found f = {.type = type};
		e = sv_model_each_cred(m->t, db, acct, find_cred, &f);
		for (size_t i = 0; e == 0 && i < f.ids.n; i++) {
			char *p = pair(acct, f.names.v[i]), name[256],
			     detail[128] = "";
			if (!p) {
				e = -ENOMEM;
				break;
			}
			bool keep = strv_has(declared, p);
			free(p);
			if (keep)
				continue;
			e = sv_model_cred_remove(m->t, db, acct, f.ids.v[i]);
			if (type == SV_CRED_KEY) {
				snprintf(name, sizeof(name), "%s %s", acct,
					 f.names.v[i]);
			} else {
				snprintf(name, sizeof(name), "%s %s", acct,
					 f.ids.v[i]);
				/* "type base64": the type says enough */
				snprintf(detail, sizeof(detail), "%.*s",
					 (int)strcspn(f.names.v[i], " "),
					 f.names.v[i]);
			}
			if (e == 0)
				e = record(m, '-', kind, name, NULL, NULL, NULL,
					   *detail ? detail : NULL);
		}
		found_free(&f);
	}
	return e < 0 ? store_err(m, e) : 0;
}

static int keys_prune(struct mctx *m, json_t *arr)
{
	(void)arr;
	return creds_prune(m, SV_DB_CREDENTIALS, SV_CRED_KEY, &m->keys, "key");
}

/* ------------------------------------------------------------ ssh keys */

static int sshkey_check(struct mctx *m, json_t *o, const char *what)
{
	char fpr[64], comment[129], err[256] = "";
	char *material = NULL;
	struct port_sshkey k;
	m->cli->err[0] = '\0';
	int e = port_sshkey_parse(m->cli, o, what, &k);
	if (e < 0)
		return e;
	e = op_sshkey_parse(k.line, &material, fpr, comment, err, sizeof(err));
	if (e < 0) {
		snprintf(m->cli->err, sizeof(m->cli->err), "%s: %s", what, err);
		return e;
	}
	char *p = pair(k.account, material);
	free(material);
	if (!p)
		return -ENOMEM;
	if (strv_has(&m->sshkeys, p)) {
		snprintf(m->cli->err, sizeof(m->cli->err),
			 "%s: account '%s' has key %s twice", what, k.account,
			 fpr);
		e = -EINVAL;
	} else {
		e = strv_add(&m->sshkeys, p);
	}
	free(p);
	return e;
}

static int sshkey_apply(struct mctx *m, json_t *o, const char *what)
{
	char name[256], fpr[64], comment[129], err[256];
	char id[SV_CRED_ID_LEN + 1], *material = NULL;
	struct port_sshkey k;
	struct found f = {.type = SV_CRED_SSHKEY};
	struct cred_scope scope = {0};
	m->cli->err[0] = '\0';
	int e = port_sshkey_parse(m->cli, o, what, &k);
	if (e == 0)
		e = account_usable(m, what, k.account);
	if (e == 0)
		e = port_cred_scope(m->cli, m->t, what, k.account, k.roles,
				    k.from, &scope);
	if (e == 0 && op_sshkey_parse(k.line, &material, fpr, comment, err,
				      sizeof(err)) < 0) {
		snprintf(m->cli->err, sizeof(m->cli->err), "%s: %s", what, err);
		e = -EINVAL;
	}
	if (e < 0)
		goto out;
	f.material = material;
	if ((e = cred_find(m, SV_DB_PUBKEYS, k.account, &f)) < 0)
		goto out;
	if (!f.hit) {
		e = op_sshkey_add(m->cli, m->t, k.account, k.line, k.label,
				  k.expires, &scope, id);
		snprintf(name, sizeof(name), "%s %s", k.account, fpr);
		/* not the new id: it is random, and a dry run must
		 * print what the real run prints */
		char type[32];
		snprintf(type, sizeof(type), "%.*s",
			 (int)strcspn(material, " "), material);
		if (e == 0)
			e = record(m, '+', "sshkey", name, NULL, NULL, NULL,
				   type);
		else
			e = fail_at(m, what, name, e);
	} else {
		snprintf(name, sizeof(name), "%s %s", k.account, f.id);
		/* no label: the key's comment, as sshkey add does */
		e = cred_relabel(m, SV_DB_PUBKEYS, k.account, &f, "sshkey",
				 name, k.label ? k.label : comment, k.expires,
				 &scope);
		if (e < 0)
			e = store_err(m, e);
	}
out:
	cred_scope_free(&scope);
	found_free(&f);
	free(material);
	return e;
}

static int sshkeys_prune(struct mctx *m, json_t *arr)
{
	(void)arr;
	return creds_prune(m, SV_DB_PUBKEYS, SV_CRED_SSHKEY, &m->sshkeys,
			   "sshkey");
}

/* ------------------------------------------------------------ issuers */

/* Trusted issuers, in the JSON shape of `svcacct --json issuer show`
 * (tools/issuer_model.h), without created/updated/jwks_cache; an optional
 * "jwks" (public keys) is cached after the commit, as import does.
 * Otherwise the keys come with `svcacct issuer refresh`. */
static int issuer_check(struct mctx *m, json_t *o, const char *what)
{
	struct issuer x;
	json_t *jwks = NULL;
	char err[512];
	int e;
	if (!json_is_object(o)) {
		snprintf(m->cli->err, sizeof(m->cli->err), "%s: not an object",
			 what);
		return -EINVAL;
	}
	e = issuer_from_json(o, &x, &jwks, err, sizeof(err));
	json_decref(jwks);
	if (e < 0) {
		snprintf(m->cli->err, sizeof(m->cli->err), "%s: %s", what, err);
		return e;
	}
	e = issuer_validate(m->cli, NULL, &x);
	if (e == 0 && strv_has(&m->issuers, x.name)) {
		snprintf(m->cli->err, sizeof(m->cli->err),
			 "issuer '%.64s' is listed twice", x.name);
		e = -EINVAL;
	} else if (e < 0) {
		char tmp[sizeof(m->cli->err) - 40];
		snprintf(tmp, sizeof(tmp), "%.*s", (int)sizeof(tmp) - 1,
			 m->cli->err);
		snprintf(m->cli->err, sizeof(m->cli->err), "%s: %s", what, tmp);
	}
	if (e == 0 && strv_add(&m->issuers, x.name) < 0)
		e = -ENOMEM;
	issuer_free(&x);
	return e;
}

/* Client and role maps are lists of objects: "client=account" and
 * "remote=role" strings read better in a difference. */
static json_t *issuer_field(const char *k, json_t *v)
{
	if (strcmp(k, "clients") && strcmp(k, "role_maps"))
		return json_incref(v);
	json_t *out = json_array();
	size_t i;
	json_t *o;
	json_array_foreach (v, i, o) {
		char *p = NULL;
		bool cl = !strcmp(k, "clients");
		if (asprintf(&p, "%s=%s",
			     json_string_value(
				 json_object_get(o, cl ? "client" : "remote")),
			     json_string_value(json_object_get(
				 o, cl ? "account" : "role"))) < 0)
			continue;
		json_array_append_new(out, json_string(p));
		free(p);
	}
	return out;
}

static json_t *issuer_comparable(json_t *o)
{
	if (o) {
		json_object_del(o, "created");
		json_object_del(o, "updated");
		json_object_del(o, "jwks_cache");
	}
	return o;
}

static int issuer_apply(struct mctx *m, json_t *o, const char *what)
{
	struct issuer x;
	json_t *jwks = NULL, *want, *cur;
	char err[512];
	(void)what; /* checked before: no message to give */
	int e = issuer_from_json(o, &x, &jwks, err, sizeof(err));
	json_decref(jwks);
	if (e < 0)
		return e;
	want = issuer_comparable(issuer_to_json(&x, NULL));
	cur = issuer_comparable(issuer_txn_dump(m->t, x.name));
	if (!want) {
		e = -ENOMEM;
	} else if (!cur) {
		e = issuer_txn_put_json(m->cli, m->t, o, false);
		if (e == 0)
			e = record(m, '+', "issuer", x.name, NULL, NULL, NULL,
				   x.issuer);
	} else if (!json_equal(cur, want)) {
		const char *k;
		json_t *v;
		e = issuer_txn_put_json(m->cli, m->t, o, true);
		json_object_foreach (want, k, v) {
			json_t *old = json_object_get(cur, k);
			if (e == 0 && (!old || !json_equal(old, v)))
				e = record(m, '~', "issuer", x.name, k,
					   old ? issuer_field(k, old)
					       : json_string(""),
					   issuer_field(k, v), NULL);
		}
	}
	json_decref(want);
	json_decref(cur);
	issuer_free(&x);
	return e;
}

static int issuers_prune(struct mctx *m, json_t *arr)
{
	struct strv names = {0};
	int e;
	(void)arr;
	e = txn_issuer_names(m->t, &names);
	for (size_t i = 0; e == 0 && i < names.n; i++) {
		if (strv_has(&m->issuers, names.v[i]))
			continue;
		e = issuer_txn_remove(m->cli, m->t, names.v[i]);
		if (e == 0)
			e = record(m, '-', "issuer", names.v[i], NULL, NULL,
				   NULL, NULL);
		if (e == 0 && strv_add(&m->issuers_gone, names.v[i]) < 0)
			e = -ENOMEM;
	}
	strv_free(&names);
	return e;
}

static json_t *issuers_export_m(struct sv_reader *rd, int *e)
{
	/* without cached keys: each host fetches them (issuer refresh) */
	json_t *a = issuers_export(rd, NULL, false);
	*e = a ? 0 : -EBADMSG;
	return a;
}

/* ------------------------------------------------------------ JWKS URLs */

/* An account's JWKS URL (one per account, acct_jwks.h): its set is state,
 * fetched after the commit; a new URL or CA file is a new credential. */
static int jwks_check(struct mctx *m, json_t *o, const char *what)
{
	struct port_jwks j;
	m->cli->err[0] = '\0';
	int e = port_jwks_parse(m->cli, o, what, &j);
	if (e < 0)
		return e;
	if (strv_has(&m->jwks, j.account)) {
		snprintf(m->cli->err, sizeof(m->cli->err),
			 "%s: account '%s' has a second JWKS URL (one per "
			 "account)",
			 what, j.account);
		return -EINVAL;
	}
	return strv_add(&m->jwks, j.account);
}

static int jwks_apply(struct mctx *m, json_t *o, const char *what)
{
	struct port_jwks j;
	struct jwks_cred cur;
	/* a JWKS URL credential has no kid: "" finds the account's one */
	struct found f = {.type = SV_CRED_JWKS, .kid = ""};
	struct cred_scope scope = {0};
	char id[SV_CRED_ID_LEN + 1];
	const char *label, *ca;
	m->cli->err[0] = '\0';
	int e = port_jwks_parse(m->cli, o, what, &j);
	if (e == 0)
		e = account_usable(m, what, j.account);
	if (e == 0)
		e = port_cred_scope(m->cli, m->t, what, j.account, j.roles,
				    j.from, &scope);
	if (e < 0)
		goto out;
	label = j.label ? j.label : "";
	ca = j.ca_file ? j.ca_file : "";
	if ((e = acct_jwks_find(m->t, j.account, &cur)) < 0 ||
	    (*cur.id &&
	     (e = cred_find(m, SV_DB_CREDENTIALS, j.account, &f)) < 0)) {
		e = store_err(m, e);
		goto out;
	}
	if (*cur.id && !strcmp(cur.url, j.url) && !strcmp(cur.ca_file, ca)) {
		/* the same source: scope (narrowed only), label and expiry
		 * rewritten in place */
		char b1[32], b2[32];
		bool changed = false;
		e = cred_rescope(m, &f, "jwks", j.account, &scope, &changed);
		if (e < 0)
			goto out;
		if (strcmp(cur.label, label)) {
			e = record(m, '~', "jwks", j.account, "label",
				   json_string(cur.label), json_string(label),
				   NULL);
			changed = true;
		}
		if (e == 0 && cur.expires != j.expires) {
			e = record(
			    m, '~', "jwks", j.account, "expires",
			    json_string(cli_time(cur.expires, b1, sizeof(b1))),
			    json_string(cli_time(j.expires, b2, sizeof(b2))),
			    NULL);
			changed = true;
		}
		if (e == 0 && changed) {
			struct sv_cred c = {
			    .type = SV_CRED_JWKS,
			    .created = cur.created,
			    .expires = j.expires,
			    .id = SV_STR(cur.id),
			    .account = SV_STR(j.account),
			    .label = SV_STR(label),
			    .kid = SV_STR(""),
			    .material = SV_STR(""),
			    .url = SV_STR(cur.url),
			    .ca_file = SV_STR(cur.ca_file),
			};
			cred_scope_to_rec(&scope, &c);
			e = sv_model_cred_add(m->t, SV_DB_CREDENTIALS, &c);
		}
		e = e < 0 ? store_err(m, e) : 0;
		goto out;
	}
	if (*cur.id) {
		/* another source: the old credential is revoked, its
		 * cache goes */
		e = sv_model_cred_remove(m->t, SV_DB_CREDENTIALS, j.account,
					 cur.id);
		if (e == 0)
			e = strv_add(&m->jwks_gone, cur.id);
		if (e == 0 && strcmp(cur.url, j.url))
			e = record(m, '~', "jwks", j.account, "jwks_url",
				   json_string(cur.url), json_string(j.url),
				   NULL);
		if (e == 0 && strcmp(cur.ca_file, ca))
			e = record(m, '~', "jwks", j.account, "ca_file",
				   json_string(cur.ca_file), json_string(ca),
				   NULL);
		if (e < 0) {
			e = store_err(m, e);
			goto out;
		}
	}
	e = op_jwks_add(m->cli, m->t, j.account, j.url, j.ca_file, j.label,
			j.expires, &scope, id);
	if (e < 0) {
		e = fail_at(m, what, j.account, e);
		goto out;
	}
	if (!*cur.id)
		e = record(m, '+', "jwks", j.account, NULL, NULL, NULL, j.url);
	if (e == 0)
		e = strv_add(&m->jwks_new, j.account);
	e = e < 0 ? store_err(m, e) : 0;
out:
	cred_scope_free(&scope);
	found_free(&f);
	return e;
}

/* The JWKS URLs of declared accounts that the manifest dropped. */
static int jwks_prune(struct mctx *m, json_t *arr)
{
	struct jwks_cred cur;
	int e = 0;
	(void)arr;
	for (size_t a = 0; e == 0 && a < m->accounts.n; a++) {
		const char *acct = m->accounts.v[a];
		if (strv_has(&m->jwks, acct))
			continue;
		e = acct_jwks_find(m->t, acct, &cur);
		if (e < 0 || !*cur.id)
			continue;
		e = sv_model_cred_remove(m->t, SV_DB_CREDENTIALS, acct, cur.id);
		if (e == 0)
			e = strv_add(&m->jwks_gone, cur.id);
		if (e == 0)
			e = record(m, '-', "jwks", acct, NULL, NULL, NULL,
				   cur.url);
	}
	return e < 0 ? store_err(m, e) : 0;
}

/* ------------------------------------------------------------ sections */

/* In dependency order: apply runs top to bottom (roles exist before the
 * accounts that hold them, accounts before their keys), prune bottom to
 * top (keys of a kept account, then accounts, then the roles they no
 * longer hold). */
static const struct section {
	const char *key;
	elem_fn *check; /* each element, before the lock */
	elem_fn *apply; /* each element: create, update */
	int (*prune)(struct mctx *m, json_t *arr); /* --prune only */
	json_t *(*export)(struct sv_reader *rd, int *e);
} sections[] = {
    {"roles", role_check, role_apply, roles_prune, port_export_roles},
    {"accounts", account_check, account_apply, accounts_prune,
     port_export_accounts},
    {"keys", key_check, key_apply, keys_prune, port_export_keys},
    {"sshkeys", sshkey_check, sshkey_apply, sshkeys_prune, port_export_sshkeys},
    {"jwks", jwks_check, jwks_apply, jwks_prune, port_export_jwks},
    {"issuers", issuer_check, issuer_apply, issuers_prune, issuers_export_m},
};

/* A section's handler on each element of its list, named "key[i]" in
 * messages; the first error stops. */
static int each_elem(struct mctx *m, json_t *arr, const char *key, elem_fn *fn)
{
	size_t i;
	json_t *o;
	json_array_foreach (arr, i, o) {
		char what[64];
		snprintf(what, sizeof(what), "%s[%zu]", key, i);
		int e = fn(m, o, what);
		if (e < 0)
			return e;
	}
	return 0;
}

/* ------------------------------------------------------------ checks */

/* Secrets never travel in manifests: a member that names one, or a string
 * that looks like a client secret, refuses the whole file. */
static bool find_secret(json_t *v, char *path, size_t cap)
{
	static const char *const names[] = {
	    "secret",	   "secrets",	  "client_secret",
	    "password",	   "passwd",	  "hash",
	    "secret_hash", "private_key", "privatekey",
	    "private_jwk", NULL};
	size_t len = strlen(path);
	if (json_is_string(v))
		return sv_secret_looks_like(json_string_value(v),
					    json_string_length(v));
	if (json_is_object(v)) {
		const char *k;
		json_t *x;
		json_object_foreach (v, k, x) {
			snprintf(path + len, cap - len, "%s%s", len ? "." : "",
				 k);
			for (size_t i = 0; names[i]; i++)
				if (!strcasecmp(k, names[i]))
					return true;
			if (find_secret(x, path, cap))
				return true;
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach (v, i, x) {
			snprintf(path + len, cap - len, "[%zu]", i);
			if (find_secret(x, path, cap))
				return true;
		}
	}
	path[len] = '\0';
	return false;
}

/* The document's frame: format, version, serial, known sections only. */
static int check_top(struct mctx *m, json_t *doc, bool signed_,
		     json_int_t *serial)
{
	struct cli *cli = m->cli;
	const char *allowed[SV_ARRAY_SIZE(sections) + 4] = {"format", "version",
							    "serial"};
	for (size_t i = 0; i < SV_ARRAY_SIZE(sections); i++)
		allowed[3 + i] = sections[i].key;
	if (!json_is_object(doc)) {
		snprintf(cli->err, sizeof(cli->err), "not a JSON object");
		return -EINVAL;
	}
	json_t *f = json_object_get(doc, "format"),
	       *v = json_object_get(doc, "version"),
	       *s = json_object_get(doc, "serial");
	if (!json_is_string(f) ||
	    strcmp(json_string_value(f), MANIFEST_FORMAT) ||
	    !json_is_integer(v) || json_integer_value(v) != MANIFEST_VERSION) {
		snprintf(cli->err, sizeof(cli->err),
			 "not an svcacct manifest (\"format\": \"%s\", "
			 "\"version\": %d expected)",
			 MANIFEST_FORMAT, MANIFEST_VERSION);
		return -EINVAL;
	}
	/* before the unknown-member check, so that a "secrets" section gets
	 * the message that says why */
	char path[512] = "";
	if (find_secret(doc, path, sizeof(path))) {
		snprintf(cli->err, sizeof(cli->err),
			 "%s: manifests never carry secrets (issue them on "
			 "each host with svcacct secret add)",
			 *path ? path : "manifest");
		return -EINVAL;
	}
	if (port_only_keys(cli, doc, "manifest", allowed) < 0)
		return -EINVAL;
	*serial = 0;
	if (s && (!json_is_integer(s) || json_integer_value(s) < 1 ||
		  json_integer_value(s) > SERIAL_MAX)) {
		snprintf(cli->err, sizeof(cli->err),
			 "serial must be an integer from 1 to 2^53");
		return -EINVAL;
	}
	if (s)
		*serial = json_integer_value(s);
	else if (signed_) {
		snprintf(cli->err, sizeof(cli->err),
			 "a signed manifest must carry a \"serial\"");
		return -EINVAL;
	}
	for (size_t i = 0; i < SV_ARRAY_SIZE(sections); i++) {
		json_t *a = json_object_get(doc, sections[i].key);
		if (a && !json_is_array(a)) {
			snprintf(cli->err, sizeof(cli->err), "%s: not a list",
				 sections[i].key);
			return -EINVAL;
		}
	}
	return 0;
}

/* ------------------------------------------------------------ signature */

static bool manifest_alg(enum sv_alg a)
{
	return a == SV_ALG_ES256 || a == SV_ALG_ES384 || a == SV_ALG_RS256;
}

/* The fleet's public key (PEM or JWK), from a root-owned path. */
static int load_verify_key(struct cli *cli, const char *path, EVP_PKEY **pk,
			   enum sv_alg *alg)
{
	char err[512] = "", *buf = NULL;
	size_t len = 0;
	struct sv_key key = {0};
	int e;
	/* whoever can replace this file decides what every host accepts */
	if (sv_path_is_safe(path, err, sizeof(err)) < 0) {
		snprintf(cli->err, sizeof(cli->err), "verify key %s: %s", path,
			 err);
		return -EPERM;
	}
	if (cli_read_file(cli, path, VERIFY_KEY_MAX, &buf, &len) < 0) {
		snprintf(cli->err, sizeof(cli->err),
			 "verify key %s: unreadable", path);
		return -EIO;
	}
	size_t sp = strspn(buf, " \t\r\n");
	if (buf[sp] == '{')
		e = sv_key_import_jwk(buf, len, NULL, NULL, &key, err,
				      sizeof(err));
	else
		e = sv_key_import_pem(buf, len, NULL, NULL, &key, err,
				      sizeof(err));
	free(buf);
	if (e == 0 && !manifest_alg(key.alg)) {
		snprintf(err, sizeof(err),
			 "a %s key; manifests are signed with ES256, ES384 or "
			 "RS256",
			 sv_alg_name(key.alg));
		e = -EINVAL;
	}
	if (e == 0 && sv_key_load(key.blob, key.bloblen, pk, alg) < 0) {
		snprintf(err, sizeof(err), "cannot load the key");
		e = -EINVAL;
	}
	sv_key_free(&key);
	if (e < 0)
		snprintf(cli->err, sizeof(cli->err), "verify key %s: %s", path,
			 err);
	return e;
}

static const char *reason_text(const char *r)
{
	static const struct {
		const char *r, *text;
	} t[] = {
	    {"too_long", "larger than the limit"},
	    {"malformed", "neither a JSON manifest nor a compact JWS"},
	    {"bad_header", "bad JWS header (not a JSON object, or duplicate "
			   "keys)"},
	    {"alg_refused", "JWS alg refused (ES256, ES384 or RS256 only; "
			    "never none or HS*)"},
	    {"forbidden_header", "JWS header member not allowed (crit, jku, "
				 "x5u, jwk, x5c, cty, zip, b64)"},
	    {"bad_typ", "JWS typ must be absent or \"" MANIFEST_TYP "\""},
	    {"bad_kid", "bad JWS kid"},
	};
	for (size_t i = 0; i < SV_ARRAY_SIZE(t); i++)
		if (!strcmp(t[i].r, r))
			return t[i].text;
	return r;
}

/* A compact JWS: check, verify with the key, and return its payload and
 * the SHA-256 (hex) of the payload segment. */
static int verify_jws(struct cli *cli, const char *tok, size_t len,
		      const char *keypath, json_t **doc, char digest[65])
{
	struct sv_jws j;
	const char *reason = "";
	EVP_PKEY *pk = NULL;
	enum sv_alg kalg = SV_ALG_NONE;
	unsigned char md[32];
	unsigned int mdlen = 0;
	int e = sv_jws_split(tok, len, MANIFEST_MAX, &j, &reason);
	if (e == 0)
		e = sv_jws_parse_header_typ(&j, MANIFEST_TYP, &reason);
	if (e < 0) {
		snprintf(cli->err, sizeof(cli->err), "%s", reason_text(reason));
		goto out;
	}
	if ((e = load_verify_key(cli, keypath, &pk, &kalg)) < 0)
		goto out;
	if (j.alg != kalg) {
		snprintf(cli->err, sizeof(cli->err),
			 "signed with %s, but the verify key is a %s key",
			 sv_alg_name(j.alg), sv_alg_name(kalg));
		e = -EACCES;
		goto out;
	}
	if (sv_jws_verify(&j, pk, kalg) < 0) {
		snprintf(cli->err, sizeof(cli->err),
			 "bad signature: not signed by the key in %s", keypath);
		e = -EACCES;
		goto out;
	}
	*doc = sv_jws_payload_object(&j);
	if (!*doc) {
		snprintf(cli->err, sizeof(cli->err),
			 "the signed payload is not a JSON object (or has "
			 "duplicate keys)");
		e = -EINVAL;
		goto out;
	}
	if (EVP_Digest(tok + j.hlen + 1, j.plen, md, &mdlen, EVP_sha256(),
		       NULL) != 1 ||
	    mdlen != sizeof(md)) {
		json_decref(*doc);
		*doc = NULL;
		snprintf(cli->err, sizeof(cli->err), "digest failed");
		e = -EIO;
		goto out;
	}
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(digest + 2 * i, 3, "%02x", md[i]);
	e = 0;
out:
	EVP_PKEY_free(pk);
	sv_jws_free(&j);
	return e;
}

/* The serial rule, under the writer lock: strictly greater than the last
 * applied one; equal only for the very same payload (a timer re-applying
 * the current manifest converges instead of failing). */
static int check_serial(struct cli *cli, struct sv_txn *t, json_int_t serial,
			const char *digest, bool *same)
{
	char buf[160], old[80] = "";
	size_t len;
	unsigned long long last = 0;
	*same = false;
	int e = sv_state_read_small(t, SERIAL_FILE, buf, sizeof(buf), &len);
	if (e == -ENOENT)
		return 0;
	if (e < 0 || sscanf(buf, "%llu %64s", &last, old) != 2 ||
	    strlen(old) != 64) {
		snprintf(cli->err, sizeof(cli->err),
			 "%s/%s: unreadable or unsafe (%s); remove it only if "
			 "you know which serial was applied last",
			 cli->cfg.state_dir, SERIAL_FILE,
			 e < 0 ? strerror(-e) : "bad content");
		return -EIO;
	}
	if ((unsigned long long)serial > last)
		return 0;
	if ((unsigned long long)serial == last && !strcmp(old, digest)) {
		*same = true;
		return 0;
	}
	snprintf(cli->err, sizeof(cli->err),
		 (unsigned long long)serial == last
		     ? "serial %lld was already applied with other content: "
		       "a new manifest needs a serial above %llu"
		     : "serial %lld is older than the last applied one "
		       "(%llu): a replayed or stale manifest",
		 (long long)serial, last);
	return -EACCES;
}

/* ------------------------------------------------------------ verb */

static void report(struct mctx *m, bool dry_run, uint64_t gen,
		   json_int_t serial)
{
	struct cli *cli = m->cli;
	if (cli->json) {
		json_t *a = json_array();
		for (size_t i = 0; i < m->nch; i++)
			json_array_append_new(a, change_json(&m->ch[i]));
		json_t *j =
		    json_pack("{s:o, s:i, s:b}", "changes", a, "changed",
			      (json_int_t)m->nch, "dry_run", dry_run);
		if (j && gen)
			json_object_set_new(j, "generation",
					    json_integer((json_int_t)gen));
		if (j && serial)
			json_object_set_new(j, "serial", json_integer(serial));
		cli_json_out(j);
		return;
	}
	for (size_t i = 0; i < m->nch; i++)
		print_text(&m->ch[i]);
	if (!m->nch)
		printf("no changes\n");
	else if (dry_run)
		printf("dry run: %zu change(s), nothing applied\n", m->nch);
	else
		printf("applied %zu change(s) (generation %llu)\n", m->nch,
		       (unsigned long long)gen);
}

int cmd_apply(struct cli *cli, const struct cli_args *args)
{
	struct mctx m = {.cli = cli, .prune = args->prune};
	bool dry_run = args->dry_run;
	/* Terraform's convention: 2 when something changed (or would) */
	int changed_rc = args->detailed_exitcode ? EXIT_CHANGED : EXIT_OK;
	const char *keypath = args->verify_key, *file;
	char *buf = NULL, digest[65] = "";
	size_t len = 0;
	json_t *doc = NULL;
	json_int_t serial = 0;
	struct sv_txn *t = NULL;
	int e, r = EXIT_FAIL;

	if (args->npos != 1)
		return cli_usage_verb(cli, args);
	cli->revoked_flag = "--allow-revoked-keys";
	file = args->pos[0];
	if (!keypath && *cli->cfg.manifest_verify_key)
		keypath = cli->cfg.manifest_verify_key;
	if (cli_need_root(cli) < 0)
		return EXIT_FAIL;
	if (cli_read_file(cli, file, MANIFEST_MAX, &buf, &len) < 0)
		return EXIT_FAIL;
	/* ---- the document: JSON, or a JWS around it */
	while (len && strchr(" \t\r\n", buf[len - 1]))
		buf[--len] = '\0';
	size_t sp = strspn(buf, " \t\r\n");
	bool is_json = buf[sp] == '{';
	cli->err[0] = '\0';
	if (memchr(buf, '\0', len)) {
		snprintf(cli->err, sizeof(cli->err), "contains a NUL byte");
	} else if (is_json && keypath) {
		snprintf(cli->err, sizeof(cli->err),
			 "not signed, and a signature is required (%s)",
			 keypath == cli->cfg.manifest_verify_key
			     ? "manifest_verify_key in svcacct.conf"
			     : "--verify-key");
	} else if (!is_json && !keypath) {
		snprintf(cli->err, sizeof(cli->err),
			 "%s; give --verify-key KEY to check its signature",
			 strspn(buf + sp,
				"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
				"klmnopqrstuvwxyz0123456789-_.") == len - sp
			     ? "a signed manifest (JWS)"
			     : "not JSON (a manifest starts with '{')");
	} else if (is_json) {
		json_error_t jerr;
		doc = json_loadb(buf + sp, len - sp, JSON_REJECT_DUPLICATES,
				 &jerr);
		if (!doc)
			snprintf(cli->err, sizeof(cli->err), "%d:%d: %s",
				 jerr.line, jerr.column, jerr.text);
	} else {
		verify_jws(cli, buf + sp, len - sp, keypath, &doc, digest);
	}
	free(buf);
	if (!doc)
		goto fail;
	if (check_top(&m, doc, keypath != NULL, &serial) < 0)
		goto fail;
	for (size_t i = 0; i < SV_ARRAY_SIZE(sections); i++) {
		json_t *a = json_object_get(doc, sections[i].key);
		if (a &&
		    each_elem(&m, a, sections[i].key, sections[i].check) < 0)
			goto fail;
	}
	/* ---- the change, under the writer lock */
	if (cli_snapshot_take(cli) < 0) {
		snprintf(cli->err, sizeof(cli->err), "out of memory");
		goto fail;
	}
	t = cli_begin(cli);
	if (!t)
		goto out_nomsg;
	m.t = t;
	m.prune_roles = m.prune && json_object_get(doc, "roles");
	m.prune_accounts = m.prune && json_object_get(doc, "accounts");
	bool same = false;
	if (keypath && check_serial(cli, t, serial, digest, &same) < 0)
		goto fail;
	cli->err[0] = '\0';
	e = 0;
	for (size_t i = 0; e == 0 && i < SV_ARRAY_SIZE(sections); i++) {
		json_t *a = json_object_get(doc, sections[i].key);
		if (a)
			e = each_elem(&m, a, sections[i].key,
				      sections[i].apply);
	}
	/* a section the manifest does not have is not managed: --prune
	 * leaves it alone ("accounts": [] is how to say "none") */
	for (size_t i = SV_ARRAY_SIZE(sections);
	     e == 0 && m.prune && i-- > 0;) {
		json_t *a = json_object_get(doc, sections[i].key);
		if (a && sections[i].prune)
			e = sections[i].prune(&m, a);
	}
	if (e < 0) {
		if (!*cli->err)
			snprintf(cli->err, sizeof(cli->err), "%s",
				 strerror(-e));
		goto fail;
	}
	uint64_t gen = 0;
	if (keypath && !same && !dry_run) {
		/* Recorded at once, before the commit: a crash in between
		 * leaves the new serial with the old generation, and
		 * re-running the same manifest (equal serial, same digest)
		 * finishes the job. With nothing to change it is recorded
		 * too, so that older manifests stay refused. */
		char line[100];
		int n = snprintf(line, sizeof(line), "%lld %s\n",
				 (long long)serial, digest);
		e = sv_state_write_small(t, SERIAL_FILE, line, (size_t)n);
		if (e < 0) {
			snprintf(cli->err, sizeof(cli->err),
				 "recording the serial: %s", strerror(-e));
			goto fail;
		}
	}
	if (dry_run || m.nch == 0) {
		sv_txn_abort(t);
		t = NULL;
		report(&m, dry_run, 0, serial);
		r = m.nch ? changed_rc : EXIT_OK;
		goto out;
	}
	r = cli_commit(cli, t);
	t = NULL;
	if (r != EXIT_OK)
		goto out;
	sv_store_current_generation(&cli->cfg, &gen);
	cli_audit("apply",
		  "changes=%zu generation=%llu serial=%lld signed=%s prune=%s",
		  m.nch, (unsigned long long)gen, (long long)serial,
		  keypath ? "yes" : "no", m.prune ? "yes" : "no");
	cli_nscd_invalidate();
	for (size_t i = 0; i < m.created.n + m.home_access.n; i++) {
		bool made = i < m.created.n;
		struct acct a;
		struct sv_reader *rd = NULL;
		struct sv_blob b = {0};
		struct sv_account rec;
		const char *name =
		    made ? m.created.v[i] : m.home_access.v[i - m.created.n];
		if (sv_reader_open(&cli->cfg, SV_DBMASK(SV_DB_ACCOUNTS), &rd) <
		    0)
			break;
		if (sv_get_account(rd, name, &b, &rec) == 0 &&
		    acct_from_rec(&a, &rec) == 0) {
			if ((made ? acct_make_home(cli, &a)
				  : acct_set_home_access(cli, &a)) < 0)
				fprintf(stderr, "svcacct: warning: %s\n",
					cli->err);
			acct_free(&a);
		}
		sv_blob_free(&b);
		sv_reader_close(rd);
	}
	/* the keys an issuer carries, and the keys of issuers that went:
	 * state, written after the generation that names them */
	json_t *issuers = json_object_get(doc, "issuers");
	if (issuers)
		issuers_import_keys(cli, issuers);
	for (size_t i = 0; i < m.issuers_gone.n; i++)
		issuer_cache_remove(&cli->cfg, m.issuers_gone.v[i]);
	/* the accounts' JWKS sets likewise */
	for (size_t i = 0; i < m.jwks_gone.n; i++)
		acct_jwks_cache_remove(&cli->cfg, m.jwks_gone.v[i]);
	jwks_fetch_new(cli, (const char *const *)m.jwks_new.v, m.jwks_new.n);
	report(&m, false, gen, serial);
	r = changed_rc;
	goto out;
fail:
	cli_fail(cli, "%s: %s (nothing applied)", file, cli->err);
out_nomsg:
	r = EXIT_FAIL;
out:
	cli_snapshot_free(cli);
	sv_txn_abort(t);
	json_decref(doc);
	mctx_free(&m);
	return r;
}

int cmd_export_manifest(struct cli *cli, const struct cli_args *args)
{
	if (args->npos)
		return cli_usage_verb(cli, args);
	/* keys live in root-only files: a manifest without them would, once
	 * applied with --prune, remove them everywhere */
	if (cli_need_root(cli) < 0)
		return EXIT_FAIL;
	struct sv_reader *rd = cli_reader(
	    cli, SV_DBMASK(SV_DB_ACCOUNTS) | SV_DBMASK(SV_DB_CREDENTIALS) |
		     SV_DBMASK(SV_DB_PUBKEYS));
	if (!rd)
		return EXIT_FAIL;
	json_t *doc = json_pack("{s:s, s:i}", "format", MANIFEST_FORMAT,
				"version", MANIFEST_VERSION);
	int e = 0;
	for (size_t i = 0; doc && i < SV_ARRAY_SIZE(sections); i++) {
		if (!sections[i].export)
			continue;
		json_t *a = sections[i].export(rd, &e);
		if (!a) {
			json_decref(doc);
			doc = NULL;
			break;
		}
		json_object_set_new(doc, sections[i].key, a);
	}
	sv_reader_close(rd);
	if (!doc)
		return cli_fail(cli, "reading the store: %s (nothing exported)",
				strerror(e ? -e : ENOMEM));
	return cli_json_out(doc);
}
