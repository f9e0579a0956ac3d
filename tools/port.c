/* SPDX-License-Identifier: MIT */
/* The JSON forms of svcacct export / import, shared with the manifest of apply:
 * export builders, type-checked parsers into the options of the op_* functions,
 * and the import of a whole document. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acct_jwks.h"
#include "cli.h"
#include "issuer_model.h"
#include "keys.h"
#include "names.h"
#include "port.h"

static json_t *list_json(const struct sv_list *l)
{
	json_t *a = json_array();
	size_t off = 0;
	uint32_t idx = 0;
	struct sv_str it;
	while (sv_list_next(l, &off, &idx, &it))
		json_array_append_new(a, json_stringn(it.p, it.n));
	return a;
}

json_t *port_methods_json(uint32_t mask)
{
	const char *mn[4];
	size_t n = acct_methods_names(mask, mn);
	json_t *j = json_array();
	for (size_t i = 0; j && i < n; i++)
		json_array_append_new(j, json_string(mn[i]));
	return j;
}

/* The public keys of an account, as export writes them: only those bound
 * to it and not revoked (a generation may still hold a revoked one). */
static int export_cred(const struct sv_cred *c, bool revoked, void *ctx)
{
	json_t *out = ctx;
	char kid[SV_KID_MAX + 1], b1[32];
	size_t before = json_array_size(out);
	if (revoked || c->kid.n > SV_KID_MAX)
		return 0;
	if (c->type == SV_CRED_KEY) {
		snprintf(kid, sizeof(kid), "%.*s", (int)c->kid.n, c->kid.p);
		json_t *jwk = sv_key_blob_to_jwk((const uint8_t *)c->material.p,
						 c->material.n, kid);
		if (jwk)
			json_array_append_new(
			    out, json_pack("{s:s%, s:s, s:s%, s:s, s:o}",
					   "account", c->account.p,
					   c->account.n, "kid", kid, "label",
					   c->label.p, c->label.n, "expires",
					   cli_time(c->expires, b1, sizeof(b1)),
					   "jwk", jwk));
	} else if (c->type == SV_CRED_SSHKEY) {
		/* OpenSSH keys as the lines `sshkey add` takes */
		json_array_append_new(
		    out,
		    json_pack("{s:s%, s:s%, s:s%, s:s}", "account",
			      c->account.p, c->account.n, "key", c->material.p,
			      c->material.n, "label", c->label.p, c->label.n,
			      "expires", cli_time(c->expires, b1, sizeof(b1))));
	}
	/* the scope of what was appended, role GIDs until the walk ends
	 * (cli_scope_names) */
	if (json_array_size(out) > before)
		cli_scope_json(c, json_array_get(out, before), false);
	return 0;
}

/* The base role's settings, appended to roles when it has any (a store
 * without them exports what it always did): without a GID, which is
 * base_gid on each host. 0 or -errno. */
static int export_base_role(struct sv_reader *rd, json_t *roles)
{
	struct sv_blob v = {0};
	struct sv_role r;
	int e = sv_get_base_role(rd, &v, &r);
	if (e == -ENOENT)
		return 0;
	if (e < 0)
		return e;
	if (r.description.n || r.services.count || r.sources.count ||
	    r.commands.count)
		json_array_append_new(
		    roles, json_pack("{s:s, s:s%, s:o, s:o, s:o}", "name",
				     SV_BASE_ROLE, "description",
				     r.description.p, r.description.n,
				     "services", list_json(&r.services), "from",
				     list_json(&r.sources), "commands",
				     list_json(&r.commands)));
	sv_blob_free(&v);
	return 0;
}

/* One array per section, in a stable order (so that two exports can be
 * diffed). NULL with *e set on a read error. */
json_t *port_export_roles(struct sv_reader *rd, int *e)
{
	json_t *roles = json_array();
	struct sv_blob key = {0};
	struct sv_str nm;
	while ((*e = sv_model_reader_next(rd, SV_DB_ACCOUNTS, SV_REC_ROLE, &key,
					  &nm)) == 0) {
		struct sv_blob v = {0};
		struct sv_role r;
		if (sv_reader_fetch(rd, SV_DB_ACCOUNTS, key.p, key.n, &v) < 0 ||
		    sv_decode_role(v.p, v.n, &r) < 0) {
			sv_blob_free(&v);
			*e = -EBADMSG;
			break;
		}
		json_array_append_new(
		    roles,
		    json_pack("{s:s%, s:i, s:s%, s:o, s:o, s:o}", "name",
			      r.name.p, r.name.n, "gid", (json_int_t)r.gid,
			      "description", r.description.p, r.description.n,
			      "services", list_json(&r.services), "from",
			      list_json(&r.sources), "commands",
			      list_json(&r.commands)));
		sv_blob_free(&v);
	}
	sv_blob_free(&key);
	if (*e == -ENOENT)
		*e = export_base_role(rd, roles);
	if (*e != 0) {
		json_decref(roles);
		return NULL;
	}
	cli_json_sort(roles, "name", NULL);
	return roles;
}

/* Accounts; with keys/sshkeys non-NULL (root), their credentials too. */
json_t *port_export_accounts_keys(struct sv_reader *rd, json_t *keys,
				  json_t *sshkeys, int *e)
{
	json_t *accounts = json_array();
	struct sv_blob key = {0};
	struct sv_str nm;
	struct sv_revocations *rv = NULL;
	if (keys || sshkeys) {
		int sfd = sv_state_open_dir(sv_reader_config(rd));
		*e = sfd < 0 ? sfd : sv_revocations_open_state(sfd, &rv);
		if (sfd >= 0)
			close(sfd);
		if (*e < 0) {
			json_decref(accounts);
			return NULL;
		}
	}
	while ((*e = sv_model_reader_next(rd, SV_DB_ACCOUNTS, SV_REC_ACCOUNT,
					  &key, &nm)) == 0) {
		struct sv_blob v = {0};
		struct sv_account a;
		char b1[32];
		if (sv_reader_fetch(rd, SV_DB_ACCOUNTS, key.p, key.n, &v) < 0 ||
		    sv_decode_account(v.p, v.n, &a) < 0) {
			sv_blob_free(&v);
			*e = -EBADMSG;
			break;
		}
		json_t *rl = json_array();
		for (uint32_t i = 0; i < a.roles.count; i++) {
			struct sv_blob rb = {0};
			struct sv_role r;
			if (sv_get_role_by_gid(rd, sv_u32list_get(&a.roles, i),
					       &rb, &r) == 0) {
				json_array_append_new(
				    rl, json_stringn(r.name.p, r.name.n));
				sv_blob_free(&rb);
			}
		}
		json_array_append_new(
		    accounts,
		    json_pack(
			"{s:s%, s:i, s:s%, s:s%, s:s%, s:s%, s:s, "
			"s:s, s:o, s:b}",
			"name", a.name.p, a.name.n, "uid", (json_int_t)a.uid,
			"description", a.description.p, a.description.n,
			"owner", a.owner.p, a.owner.n, "home", a.home.p,
			a.home.n, "shell", a.shell.p, a.shell.n, "state",
			(a.flags & SV_ACCT_DISABLED) ? "disabled" : "enabled",
			"expires", cli_date(a.expires, b1, sizeof(b1)), "roles",
			rl, "home_writable",
			(a.flags & SV_ACCT_HOME_WRITABLE) != 0));
		/* only a restriction: the export of a store that uses no
		 * newer field stays one that an earlier release reads */
		if (a.methods)
			json_object_set_new(
			    json_array_get(accounts,
					   json_array_size(accounts) - 1),
			    "methods", port_methods_json(a.methods));
		if (keys)
			*e = sv_each_cred(rd, SV_DB_CREDENTIALS, &a, rv,
					  export_cred, keys);
		if (*e == 0 && sshkeys)
			*e = sv_each_cred(rd, SV_DB_PUBKEYS, &a, rv,
					  export_cred, sshkeys);
		sv_blob_free(&v);
		if (*e < 0)
			break;
	}
	sv_blob_free(&key);
	sv_revocations_close(rv);
	if (*e != -ENOENT) {
		json_decref(accounts);
		return NULL;
	}
	*e = 0;
	cli_json_sort(accounts, "name", NULL);
	if (keys)
		cli_json_sort(keys, "account", "kid");
	if (sshkeys)
		cli_json_sort(sshkeys, "account", "key");
	if (keys)
		cli_scope_names(rd, keys);
	if (sshkeys)
		cli_scope_names(rd, sshkeys);
	return accounts;
}

json_t *port_export_accounts(struct sv_reader *rd, int *e)
{
	return port_export_accounts_keys(rd, NULL, NULL, e);
}

/* The keys (ssh false) or the ssh keys of every account: the accounts'
 * walk, keeping only that list. */
static json_t *export_creds(struct sv_reader *rd, bool ssh, int *e)
{
	json_t *list = json_array();
	json_t *a = port_export_accounts_keys(rd, ssh ? NULL : list,
					      ssh ? list : NULL, e);
	json_decref(a);
	if (!a) {
		json_decref(list);
		return NULL;
	}
	return list;
}

json_t *port_export_keys(struct sv_reader *rd, int *e)
{
	return export_creds(rd, false, e);
}

json_t *port_export_sshkeys(struct sv_reader *rd, int *e)
{
	return export_creds(rd, true, e);
}

bool port_opt_str(json_t *o, const char *k, const char **out)
{
	json_t *v = json_object_get(o, k);
	*out = NULL;
	if (!v || json_is_null(v))
		return true;
	if (!json_is_string(v))
		return false;
	*out = json_string_value(v);
	/* an embedded NUL would be cut silently by C strings */
	return strlen(*out) == json_string_length(v);
}

static int strings_csv(json_t *arr, char **out)
{
	size_t i, len = 1;
	json_t *v;
	*out = NULL;
	if (!arr || json_is_null(arr)) {
		*out = strdup("");
		return *out ? 0 : -ENOMEM;
	}
	if (!json_is_array(arr))
		return -EINVAL;
	json_array_foreach (arr, i, v) {
		if (!json_is_string(v) || strchr(json_string_value(v), ',') ||
		    strlen(json_string_value(v)) != json_string_length(v))
			return -EINVAL;
		len += json_string_length(v) + 1;
	}
	char *s = calloc(1, len);
	if (!s)
		return -ENOMEM;
	json_array_foreach (arr, i, v) {
		if (i)
			strcat(s, ",");
		strcat(s, json_string_value(v));
	}
	*out = s;
	return 0;
}

int port_only_keys(struct cli *cli, json_t *o, const char *what,
		   const char *const *allowed)
{
	const char *k;
	json_t *v;
	json_object_foreach (o, k, v) {
		bool ok = false;
		for (size_t i = 0; allowed[i]; i++)
			ok |= !strcmp(allowed[i], k);
		if (!ok) {
			snprintf(cli->err, sizeof(cli->err),
				 "%s: unknown member '%s'", what, k);
			return -EINVAL;
		}
	}
	return 0;
}

/* The members each object may have: a manifest (strict) carries exactly
 * what export writes; an import also takes what `account show --json` and
 * `role show --json` print. */
static const char *const role_members[] = {
    "name",    "gid",	  "description",  "services", "from", "commands",
    "created", "updated", "member_count", "members",  NULL};
static const char *const account_members[] = {
    "name",    "uid",	"description", "owner",	  "home",
    "shell",   "state", "expires",     "roles",	  "home_writable",
    "methods", "gid",	"created",     "updated", NULL};
#define STRICT_ROLE_MEMBERS    6
#define STRICT_ACCOUNT_MEMBERS 11

/* An object whose members are all in the allowed list (cut to its first n
 * names when strict); message in cli->err. */
static int members_ok(struct cli *cli, json_t *o, const char *what,
		      const char *const *all, size_t n, bool strict)
{
	const char *cut[16];
	if (!json_is_object(o)) {
		snprintf(cli->err, sizeof(cli->err), "%s: not an object", what);
		return -EINVAL;
	}
	size_t i = 0;
	for (; all[i] && (!strict || i < n) && i < 15; i++)
		cut[i] = all[i];
	cut[i] = NULL;
	return port_only_keys(cli, o, what, cut);
}

void port_role_free(struct port_role *r)
{
	free(r->services);
	free(r->sources);
	free(r->cmds);
	memset(r, 0, sizeof(*r));
}

int port_role_parse(struct cli *cli, json_t *o, const char *what, bool strict,
		    struct port_role *r)
{
	memset(r, 0, sizeof(*r));
	if (members_ok(cli, o, what, role_members, STRICT_ROLE_MEMBERS,
		       strict) < 0)
		return -EINVAL;
	json_t *jg = json_object_get(o, "gid");
	if (!port_opt_str(o, "name", &r->o.name) || !r->o.name ||
	    !port_opt_str(o, "description", &r->o.description) ||
	    (jg && !json_is_integer(jg)) ||
	    strings_csv(json_object_get(o, "services"), &r->services) < 0 ||
	    strings_csv(json_object_get(o, "from"), &r->sources) < 0) {
		snprintf(cli->err, sizeof(cli->err),
			 "%s: wrong or missing member types", what);
		goto fail;
	}
	json_t *jc = json_object_get(o, "commands");
	if (jc && !json_is_array(jc)) {
		snprintf(cli->err, sizeof(cli->err),
			 "%s: commands is not a list", what);
		goto fail;
	}
	size_t nc = jc ? json_array_size(jc) : 0;
	r->cmds = calloc(nc + 1, sizeof(*r->cmds));
	if (!r->cmds) {
		snprintf(cli->err, sizeof(cli->err), "out of memory");
		goto fail;
	}
	for (size_t j = 0; j < nc; j++) {
		json_t *c = json_array_get(jc, j);
		if (!json_is_string(c)) {
			snprintf(cli->err, sizeof(cli->err),
				 "%s: commands[%zu] is not a string", what, j);
			goto fail;
		}
		r->cmds[j] = json_string_value(c);
	}
	if (jg) {
		snprintf(r->gid, sizeof(r->gid), "%lld",
			 (long long)json_integer_value(jg));
		r->o.gid = r->gid;
	}
	r->o.services = *r->services ? r->services : NULL;
	r->o.sources = *r->sources ? r->sources : NULL;
	r->o.commands = r->cmds;
	r->o.ncommands = nc;
	return 0;
fail:
	port_role_free(r);
	return -EINVAL;
}

void port_account_free(struct port_account *a)
{
	free(a->roles);
	memset(a, 0, sizeof(*a));
}

/* An account's "methods" (absent: every method) as the comma-separated
 * text acct_methods_parse reads, in a->methods for a->o.methods; its
 * names are checked there. */
static int port_methods_csv(struct cli *cli, json_t *jm, const char *what,
			    struct port_account *a)
{
	size_t i, len = 0;
	json_t *x;

	if (!jm)
		return 0;
	if (!json_is_array(jm)) {
		snprintf(cli->err, sizeof(cli->err),
			 "%s: methods is not a list", what);
		return -EINVAL;
	}
	json_array_foreach (jm, i, x) {
		const char *v = json_string_value(x);
		size_t n = v ? strlen(v) : 0;
		if (!v || strlen(v) != json_string_length(x)) {
			snprintf(cli->err, sizeof(cli->err),
				 "%s: methods[%zu] is not a string", what, i);
			return -EINVAL;
		}
		if (strchr(v, ',')) {
			snprintf(cli->err, sizeof(cli->err),
				 "%s: methods[%zu]: one method per entry", what,
				 i);
			return -EINVAL;
		}
		if (len + n + 2 > sizeof(a->methods)) {
			snprintf(cli->err, sizeof(cli->err),
				 "%s: methods: more entries than there are "
				 "methods",
				 what);
			return -EINVAL;
		}
		if (i)
			a->methods[len++] = ',';
		memcpy(a->methods + len, v, n);
		len += n;
	}
	a->methods[len] = '\0';
	a->o.methods = a->methods;
	return 0;
}

int port_account_parse(struct cli *cli, json_t *o, const char *what,
		       bool strict, struct port_account *a)
{
	const char *state = NULL;
	memset(a, 0, sizeof(*a));
	if (members_ok(cli, o, what, account_members, STRICT_ACCOUNT_MEMBERS,
		       strict) < 0)
		return -EINVAL;
	json_t *ju = json_object_get(o, "uid"),
	       *jr = json_object_get(o, "roles"),
	       *jh = json_object_get(o, "home_writable");
	if (!port_opt_str(o, "name", &a->o.name) || !a->o.name ||
	    !port_opt_str(o, "description", &a->o.description) ||
	    !port_opt_str(o, "owner", &a->o.owner) ||
	    !port_opt_str(o, "home", &a->o.home) ||
	    !port_opt_str(o, "shell", &a->o.shell) ||
	    !port_opt_str(o, "state", &state) ||
	    !port_opt_str(o, "expires", &a->o.expires) ||
	    (ju && !json_is_integer(ju)) || (jr && !json_is_array(jr)) ||
	    (jh && !json_is_boolean(jh)) ||
	    (state && strcmp(state, "enabled") && strcmp(state, "disabled"))) {
		snprintf(cli->err, sizeof(cli->err),
			 "%s: wrong or missing member types", what);
		return -EINVAL;
	}
	if (a->o.shell && !*a->o.shell)
		a->o.shell = NULL;
	if (port_methods_csv(cli, json_object_get(o, "methods"), what, a) < 0)
		return -EINVAL;
	size_t nr = jr ? json_array_size(jr) : 0;
	a->roles = calloc(nr + 1, sizeof(*a->roles));
	if (!a->roles) {
		snprintf(cli->err, sizeof(cli->err), "out of memory");
		return -ENOMEM;
	}
	size_t k = 0;
	for (size_t j = 0; j < nr; j++) {
		json_t *r = json_array_get(jr, j);
		if (!json_is_string(r)) {
			snprintf(cli->err, sizeof(cli->err),
				 "%s: roles[%zu] is not a string", what, j);
			port_account_free(a);
			return -EINVAL;
		}
		/* the base role is implicit */
		if (strcmp(json_string_value(r), SV_BASE_ROLE))
			a->roles[k++] = json_string_value(r);
	}
	if (ju) {
		snprintf(a->uid, sizeof(a->uid), "%lld",
			 (long long)json_integer_value(ju));
		a->o.uid = a->uid;
	}
	a->o.roles = a->roles;
	a->o.nroles = k;
	a->o.home_writable = jh && json_is_true(jh);
	a->disabled = state && !strcmp(state, "disabled");
	return 0;
}

/* The end of every credential form's checks: its members of the right
 * types (typed, found by the caller; the message unless one is said
 * already), then the members all forms share: an ISO expiry and a label. */
static int cred_meta(struct cli *cli, const char *what, bool typed,
		     const char *expires, const char *label, int64_t *exp)
{
	if (!typed) {
		if (!*cli->err)
			snprintf(cli->err, sizeof(cli->err),
				 "%s: wrong or missing members", what);
		return -EINVAL;
	}
	if (expires && cli_parse_time(expires, exp) < 0) {
		snprintf(cli->err, sizeof(cli->err), "%s: bad expires", what);
		return -EINVAL;
	}
	if (label &&
	    sv_field_check("label", label, 128, cli->err, sizeof(cli->err)) < 0)
		return -EINVAL;
	return 0;
}

/* An optional array of strings (without NUL) member: false if it is
 * anything else. */
static bool opt_str_array(json_t *o, const char *k, json_t **out)
{
	json_t *v = json_object_get(o, k), *it;
	size_t i;
	*out = NULL;
	if (!v || json_is_null(v))
		return true;
	if (!json_is_array(v) || json_array_size(v) > 1024)
		return false;
	json_array_foreach (v, i, it)
		if (!json_is_string(it) ||
		    strlen(json_string_value(it)) != json_string_length(it))
			return false;
	*out = v;
	return true;
}

bool port_opt_str_array(json_t *o, const char *k, json_t **out)
{
	return opt_str_array(o, k, out);
}

int port_cred_scope(struct cli *cli, struct sv_txn *t, const char *what,
		    const char *account, json_t *roles, json_t *from,
		    struct cred_scope *out)
{
	size_t nr = json_array_size(roles), nf = json_array_size(from);
	const char **rv = calloc(nr + 1, sizeof(*rv));
	const char **fv = calloc(nf + 1, sizeof(*fv));
	json_t *it;
	size_t i;
	int e = -ENOMEM;

	memset(out, 0, sizeof(*out));
	if (!rv || !fv)
		goto out;
	json_array_foreach (roles, i, it)
		rv[i] = json_string_value(it);
	json_array_foreach (from, i, it)
		fv[i] = json_string_value(it);
	cli->err[0] = '\0';
	e = op_cred_scope(cli, t, account, roles ? rv : NULL, nr,
			  from ? fv : NULL, nf, false, out);
	if (e < 0) {
		char tmp[sizeof(cli->err)];
		snprintf(tmp, sizeof(tmp), "%s", cli->err);
		snprintf(cli->err, sizeof(cli->err), "%s: %.900s", what, tmp);
	}
out:
	free(rv);
	free(fv);
	return e;
}

int port_key_parse(struct cli *cli, json_t *o, const char *what,
		   struct port_key *k)
{
	static const char *const allowed[] = {
	    "account", "kid", "label", "expires", "jwk", "roles", "from", NULL};
	const char *expires = NULL;
	memset(k, 0, sizeof(*k));
	bool typed = json_is_object(o) &&
		     port_only_keys(cli, o, what, allowed) == 0 &&
		     port_opt_str(o, "account", &k->account) && k->account &&
		     port_opt_str(o, "kid", &k->kid) &&
		     port_opt_str(o, "label", &k->label) &&
		     port_opt_str(o, "expires", &expires) &&
		     opt_str_array(o, "roles", &k->roles) &&
		     opt_str_array(o, "from", &k->from) &&
		     json_is_object(json_object_get(o, "jwk"));
	if (cred_meta(cli, what, typed, expires, k->label, &k->expires) < 0)
		return -EINVAL;
	char *jwk = json_dumps(json_object_get(o, "jwk"), JSON_COMPACT);
	char err[256] = "";
	int e = jwk ? sv_key_import_jwk(jwk, strlen(jwk), NULL, k->kid, &k->key,
					err, sizeof(err))
		    : -ENOMEM;
	free(jwk);
	if (e < 0) {
		snprintf(cli->err, sizeof(cli->err), "%s: %s", what, err);
		return e;
	}
	return 0;
}

int port_sshkey_parse(struct cli *cli, json_t *o, const char *what,
		      struct port_sshkey *k)
{
	static const char *const allowed[] = {
	    "account", "key", "label", "expires", "roles", "from", NULL};
	const char *expires = NULL;
	memset(k, 0, sizeof(*k));
	bool typed = json_is_object(o) &&
		     port_only_keys(cli, o, what, allowed) == 0 &&
		     port_opt_str(o, "account", &k->account) && k->account &&
		     port_opt_str(o, "key", &k->line) && k->line &&
		     port_opt_str(o, "label", &k->label) &&
		     port_opt_str(o, "expires", &expires) &&
		     opt_str_array(o, "roles", &k->roles) &&
		     opt_str_array(o, "from", &k->from);
	return cred_meta(cli, what, typed, expires, k->label, &k->expires);
}

/* "what (name): message", for errors from the op_* functions. */
static void prefix_err(struct cli *cli, const char *what, const char *name)
{
	char tmp[sizeof(cli->err)];
	snprintf(tmp, sizeof(tmp), "%s", cli->err);
	snprintf(cli->err, sizeof(cli->err), "%s (%.40s): %.900s", what, name,
		 tmp);
}

static int import_role(struct cli *cli, struct sv_txn *t, json_t *o, size_t i)
{
	char what[64];
	struct port_role pr;
	struct role x = {0};
	snprintf(what, sizeof(what), "roles[%zu]", i);
	int e = port_role_parse(cli, o, what, false, &pr);
	if (e < 0)
		return e;
	/* the base role exists on every host: its settings are replaced */
	if (!strcmp(pr.o.name, SV_BASE_ROLE))
		e = op_base_role_set(cli, t, &pr.o);
	else
		e = op_role_create(cli, t, &pr.o, &x);
	if (e < 0)
		prefix_err(cli, what, pr.o.name);
	role_free(&x);
	port_role_free(&pr);
	return e;
}

static int import_account(struct cli *cli, struct sv_txn *t, json_t *o,
			  size_t i, struct strv *memb_roles,
			  struct strv *memb_accts)
{
	char what[64];
	struct port_account pa;
	struct acct a = {0};
	snprintf(what, sizeof(what), "accounts[%zu]", i);
	int e = port_account_parse(cli, o, what, false, &pa);
	if (e < 0)
		return e;
	pa.o.no_home = true;
	pa.o.defer_members = true;
	e = op_account_create(cli, t, &pa.o, &a);
	if (e < 0) {
		prefix_err(cli, what, pa.o.name);
		goto out;
	}
	if (pa.disabled) {
		a.flags |= SV_ACCT_DISABLED;
		e = sv_model_account_update(t, &a);
	}
	for (size_t j = 0; e == 0 && j < pa.o.nroles; j++) {
		e = strv_add(memb_roles, pa.o.roles[j]);
		if (e == 0)
			e = strv_add(memb_accts, pa.o.name);
	}
out:
	acct_free(&a);
	port_account_free(&pa);
	return e;
}

static int import_key(struct cli *cli, struct sv_txn *t, json_t *o, size_t i)
{
	char what[64], id[SV_CRED_ID_LEN + 1];
	struct port_key k;
	struct acct a;
	const char *account = NULL;
	snprintf(what, sizeof(what), "keys[%zu]", i);
	memset(&k, 0, sizeof(k));
	/* the account first: its absence says more than the key's flaws */
	if (json_is_object(o) && port_opt_str(o, "account", &account) &&
	    account) {
		if (sv_model_account_load(t, account, &a) < 0) {
			snprintf(cli->err, sizeof(cli->err),
				 "%s: no account '%s'", what, account);
			return -ENOENT;
		}
		acct_free(&a);
	}
	struct cred_scope scope = {0};
	int e = port_key_parse(cli, o, what, &k);
	if (e < 0)
		goto out;
	e = port_cred_scope(cli, t, what, k.account, k.roles, k.from, &scope);
	if (e < 0)
		goto out;
	e = op_key_add(cli, t, k.account, &k.key, k.label, k.expires, &scope,
		       id);
	if (e < 0) {
		char tmp[sizeof(cli->err)];
		snprintf(tmp, sizeof(tmp), "%s", cli->err);
		snprintf(cli->err, sizeof(cli->err), "%s: %.900s", what, tmp);
	}
out:
	cred_scope_free(&scope);
	sv_key_free(&k.key);
	return e;
}

static int import_sshkey(struct cli *cli, struct sv_txn *t, json_t *o, size_t i)
{
	char what[64], id[SV_CRED_ID_LEN + 1], tmp[sizeof(cli->err)];
	struct port_sshkey k;
	struct acct a;
	snprintf(what, sizeof(what), "sshkeys[%zu]", i);
	int e = port_sshkey_parse(cli, o, what, &k);
	if (e < 0)
		return e;
	if (sv_model_account_load(t, k.account, &a) < 0) {
		snprintf(cli->err, sizeof(cli->err), "%s: no account '%s'",
			 what, k.account);
		return -ENOENT;
	}
	acct_free(&a);
	struct cred_scope scope = {0};
	e = port_cred_scope(cli, t, what, k.account, k.roles, k.from, &scope);
	if (e < 0)
		return e;
	e = op_sshkey_add(cli, t, k.account, k.line, k.label ? k.label : "",
			  k.expires, &scope, id);
	cred_scope_free(&scope);
	if (e < 0) {
		snprintf(tmp, sizeof(tmp), "%s", cli->err);
		snprintf(cli->err, sizeof(cli->err), "%s: %.900s", what, tmp);
	}
	return e;
}

int cli_import_check(struct cli *cli, json_t *doc)
{
	static const char *const top_allowed[] = {
	    "format", "version", "generation", "roles", "accounts",
	    "keys",   "sshkeys", "issuers",    "jwks",	NULL};
	json_t *fmt = json_object_get(doc, "format"),
	       *ver = json_object_get(doc, "version"),
	       *roles = json_object_get(doc, "roles"),
	       *accounts = json_object_get(doc, "accounts"),
	       *keys = json_object_get(doc, "keys"),
	       *sshkeys = json_object_get(doc, "sshkeys"),
	       *issuers = json_object_get(doc, "issuers"),
	       *jwks = json_object_get(doc, "jwks");
	if (!json_is_object(doc) || !json_is_string(fmt) ||
	    strcmp(json_string_value(fmt), EXPORT_FORMAT) ||
	    !json_is_integer(ver) ||
	    json_integer_value(ver) != EXPORT_VERSION ||
	    (roles && !json_is_array(roles)) ||
	    (accounts && !json_is_array(accounts)) ||
	    (keys && !json_is_array(keys)) ||
	    (sshkeys && !json_is_array(sshkeys)) ||
	    (issuers && !json_is_array(issuers)) ||
	    (jwks && !json_is_array(jwks))) {
		snprintf(cli->err, sizeof(cli->err),
			 "not an svcacct export: format \"%s\" version %d "
			 "expected",
			 EXPORT_FORMAT, EXPORT_VERSION);
		return -EINVAL;
	}
	return port_only_keys(cli, doc, "export", top_allowed);
}

int cli_import_apply(struct cli *cli, struct sv_txn *t, json_t *doc)
{
	json_t *roles = json_object_get(doc, "roles"),
	       *accounts = json_object_get(doc, "accounts"),
	       *keys = json_object_get(doc, "keys"),
	       *sshkeys = json_object_get(doc, "sshkeys"),
	       *issuers = json_object_get(doc, "issuers"),
	       *jwks = json_object_get(doc, "jwks");
	struct strv mr = {0}, ma = {0};
	size_t i;
	json_t *o;
	int e = 0;
	json_array_foreach (roles, i, o) {
		if ((e = import_role(cli, t, o, i)) < 0)
			break;
	}
	if (e == 0)
		json_array_foreach (accounts, i, o) {
			if ((e = import_account(cli, t, o, i, &mr, &ma)) < 0)
				break;
		}
	/* role member lists, written once per role rather than once per
	 * account: a 100k-account import stays linear */
	if (e == 0 && mr.n) {
		struct strv done = {0};
		for (size_t j = 0; e == 0 && j < mr.n; j++) {
			if (strv_has(&done, mr.v[j]))
				continue;
			struct role x;
			e = sv_model_role_load(t, mr.v[j], &x);
			for (size_t m = j; e == 0 && m < mr.n; m++)
				if (!strcmp(mr.v[m], mr.v[j]))
					e = strv_add(&x.members, ma.v[m]);
			if (e == 0)
				e = sv_model_role_update(t, &x);
			role_free(&x);
			if (e == 0)
				e = strv_add(&done, mr.v[j]);
		}
		strv_free(&done);
		if (e < 0 && !*cli->err)
			snprintf(cli->err, sizeof(cli->err), "store: %s",
				 strerror(-e));
	}
	if (e == 0)
		json_array_foreach (keys, i, o) {
			if ((e = import_key(cli, t, o, i)) < 0)
				break;
		}
	if (e == 0)
		json_array_foreach (sshkeys, i, o) {
			if ((e = import_sshkey(cli, t, o, i)) < 0)
				break;
		}
	if (e == 0 && jwks)
		e = port_import_jwks(cli, t, jwks);
	if (e == 0 && issuers)
		e = issuers_import(cli, t, issuers);
	strv_free(&mr);
	strv_free(&ma);
	return e;
}
