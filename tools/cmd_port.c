/* SPDX-License-Identifier: MIT */
/* svcacct export / import: the store as JSON, never with secrets. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "keys.h"
#include "names.h"
#include "secret.h"
#include "util.h"

#define EXPORT_FORMAT  "svcacct-export"
#define EXPORT_VERSION 1
#define IMPORT_MAX     (512u * 1024 * 1024)

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

static int export_keys(struct sv_reader *rd, const char *account, json_t *out)
{
	struct sv_blob lb = {0};
	struct sv_list ids;
	int e = sv_get_cred_ids(rd, SV_DB_CREDENTIALS, account, &lb, &ids);
	if (e == -ENOENT)
		return 0;
	if (e < 0)
		return e;
	size_t off = 0;
	uint32_t idx = 0;
	struct sv_str it;
	while (sv_list_next(&ids, &off, &idx, &it)) {
		char id[64], kid[SV_KID_MAX + 1], b1[32];
		struct sv_blob cb = {0};
		struct sv_cred c;
		snprintf(id, sizeof(id), "%.*s", (int)it.n, it.p);
		if (sv_get_cred(rd, SV_DB_CREDENTIALS, id, &cb, &c) < 0)
			continue;
		if (c.type == SV_CRED_KEY) {
			snprintf(kid, sizeof(kid), "%.*s", (int)c.kid.n,
				 c.kid.p);
			json_t *jwk = sv_key_blob_to_jwk(
			    (const uint8_t *)c.material.p, c.material.n, kid);
			if (jwk)
				json_array_append_new(
				    out,
				    json_pack(
					"{s:s, s:s, s:s%, s:s, s:o}", "account",
					account, "kid", kid, "label", c.label.p,
					c.label.n, "expires",
					cli_time(c.expires, b1, sizeof(b1)),
					"jwk", jwk));
		}
		sv_blob_free(&cb);
	}
	sv_blob_free(&lb);
	return 0;
}

/* OpenSSH keys of an account, as the lines `sshkey add` takes. */
static void export_sshkeys(struct sv_reader *rd, const char *account,
			   json_t *out)
{
	struct sv_blob lb = {0};
	struct sv_list ids;
	if (sv_get_cred_ids(rd, SV_DB_PUBKEYS, account, &lb, &ids) < 0)
		return;
	size_t off = 0;
	uint32_t idx = 0;
	struct sv_str it;
	while (sv_list_next(&ids, &off, &idx, &it)) {
		char id[64], b1[32];
		struct sv_blob cb = {0};
		struct sv_cred c;
		snprintf(id, sizeof(id), "%.*s", (int)it.n, it.p);
		if (sv_get_cred(rd, SV_DB_PUBKEYS, id, &cb, &c) < 0)
			continue;
		if (c.type == SV_CRED_SSHKEY && sv_str_eq(c.account, account))
			json_array_append_new(
			    out, json_pack(
				     "{s:s, s:s%, s:s%, s:s}", "account",
				     account, "key", c.material.p, c.material.n,
				     "label", c.label.p, c.label.n, "expires",
				     cli_time(c.expires, b1, sizeof(b1))));
		sv_blob_free(&cb);
	}
	sv_blob_free(&lb);
}

int cmd_export(struct cli *cli, int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		printf("usage: svcacct export > FILE\n");
		return EXIT_OK;
	}
	if (argc > 1)
		return cli_usage(cli, "export > FILE");
	unsigned mask = SV_DBMASK(SV_DB_ACCOUNTS);
	if (geteuid() == 0)
		mask |= SV_DBMASK(SV_DB_CREDENTIALS) | SV_DBMASK(SV_DB_PUBKEYS);
	struct sv_reader *rd = cli_reader(cli, mask);
	if (!rd)
		return EXIT_FAIL;
	json_t *roles = json_array(), *accounts = json_array(),
	       *keys = json_array(), *sshkeys = json_array();
	struct sv_blob key = {0};
	int e;
	while ((e = sv_reader_next_key(rd, SV_DB_ACCOUNTS, SV_KEY_ROLE,
				       &key)) == 0) {
		struct sv_blob v = {0};
		struct sv_role r;
		if (sv_reader_fetch(rd, SV_DB_ACCOUNTS, key.p, key.n, &v) < 0 ||
		    sv_decode_role(v.p, v.n, &r) < 0) {
			sv_blob_free(&v);
			e = -EBADMSG;
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
	/* accounts only if the roles were read to their end */
	bool roles_ok = e == -ENOENT;
	while (roles_ok &&
	       (e = sv_reader_next_key(rd, SV_DB_ACCOUNTS, SV_KEY_ACCOUNT,
				       &key)) == 0) {
		struct sv_blob v = {0};
		struct sv_account a;
		char b1[32], name[64];
		if (sv_reader_fetch(rd, SV_DB_ACCOUNTS, key.p, key.n, &v) < 0 ||
		    sv_decode_account(v.p, v.n, &a) < 0) {
			sv_blob_free(&v);
			e = -EBADMSG;
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
		snprintf(name, sizeof(name), "%.*s", (int)a.name.n, a.name.p);
		if (geteuid() == 0) {
			export_keys(rd, name, keys);
			export_sshkeys(rd, name, sshkeys);
		}
		sv_blob_free(&v);
	}
	sv_blob_free(&key);
	uint64_t gen = sv_reader_generation(rd);
	sv_reader_close(rd);
	if (e != -ENOENT) {
		json_decref(roles);
		json_decref(accounts);
		json_decref(keys);
		json_decref(sshkeys);
		return cli_fail(cli, "reading the store: %s (nothing exported)",
				strerror(-e));
	}
	/* stable order, so that two exports can be diffed */
	cli_json_sort(roles, "name", NULL);
	cli_json_sort(accounts, "name", NULL);
	cli_json_sort(keys, "account", "kid");
	cli_json_sort(sshkeys, "account", "key");
	json_t *doc = json_pack(
	    "{s:s, s:i, s:I, s:o, s:o, s:o, s:o}", "format", EXPORT_FORMAT,
	    "version", EXPORT_VERSION, "generation", (json_int_t)gen, "roles",
	    roles, "accounts", accounts, "keys", keys, "sshkeys", sshkeys);
	return cli_json_out(doc);
}

/* ------------------------------------------------------------ import */

/* Fetch an optional string member; false if present but not a string. */
static bool opt_str(json_t *o, const char *k, const char **out)
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

static int only_keys(struct cli *cli, json_t *o, const char *what,
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

static int import_role(struct cli *cli, struct sv_txn *t, json_t *o, size_t i)
{
	static const char *const allowed[] = {
	    "name",	    "gid",	"description", "services",
	    "from",	    "commands", "created",     "updated",
	    "member_count", "members",	NULL};
	char what[64], gid[16] = "";
	struct role_opts ro = {0};
	struct role x = {0};
	char *services = NULL, *sources = NULL;
	const char **cmds = NULL;
	int e = -EINVAL;
	snprintf(what, sizeof(what), "roles[%zu]", i);
	if (!json_is_object(o)) {
		snprintf(cli->err, sizeof(cli->err), "%s: not an object", what);
		return -EINVAL;
	}
	if (only_keys(cli, o, what, allowed) < 0)
		return -EINVAL;
	json_t *jg = json_object_get(o, "gid");
	if (!opt_str(o, "name", &ro.name) || !ro.name ||
	    !opt_str(o, "description", &ro.description) ||
	    (jg && !json_is_integer(jg)) ||
	    strings_csv(json_object_get(o, "services"), &services) < 0 ||
	    strings_csv(json_object_get(o, "from"), &sources) < 0) {
		snprintf(cli->err, sizeof(cli->err),
			 "%s: wrong or missing member types", what);
		goto out;
	}
	json_t *jc = json_object_get(o, "commands");
	if (jc && !json_is_array(jc)) {
		snprintf(cli->err, sizeof(cli->err),
			 "%s: commands is not a "
			 "list",
			 what);
		goto out;
	}
	size_t nc = jc ? json_array_size(jc) : 0;
	cmds = calloc(nc + 1, sizeof(*cmds));
	if (!cmds) {
		e = -ENOMEM;
		goto out;
	}
	for (size_t j = 0; j < nc; j++) {
		json_t *c = json_array_get(jc, j);
		if (!json_is_string(c)) {
			snprintf(cli->err, sizeof(cli->err),
				 "%s: commands[%zu] is not a string", what, j);
			goto out;
		}
		cmds[j] = json_string_value(c);
	}
	if (jg) {
		snprintf(gid, sizeof(gid), "%lld",
			 (long long)json_integer_value(jg));
		ro.gid = gid;
	}
	ro.services = *services ? services : NULL;
	ro.sources = *sources ? sources : NULL;
	ro.commands = cmds;
	ro.ncommands = nc;
	e = op_role_create(cli, t, &ro, &x);
	if (e < 0) {
		char tmp[sizeof(cli->err)];
		snprintf(tmp, sizeof(tmp), "%s", cli->err);
		snprintf(cli->err, sizeof(cli->err), "%s (%.40s): %.900s", what,
			 ro.name, tmp);
	}
	role_free(&x);
out:
	free(services);
	free(sources);
	free(cmds);
	return e;
}

struct pending_member {
	char *role;
	char *account;
};

static int import_account(struct cli *cli, struct sv_txn *t, json_t *o,
			  size_t i, struct strv *memb_roles,
			  struct strv *memb_accts)
{
	static const char *const allowed[] = {
	    "name",  "uid",	"description", "owner", "home",
	    "shell", "state",	"expires",     "roles", "home_writable",
	    "gid",   "created", "updated",     NULL};
	char what[64], uid[16] = "";
	struct acct_opts ao = {0};
	struct acct a = {0};
	const char *state = NULL, **roles = NULL;
	int e = -EINVAL;
	snprintf(what, sizeof(what), "accounts[%zu]", i);
	if (!json_is_object(o)) {
		snprintf(cli->err, sizeof(cli->err), "%s: not an object", what);
		return -EINVAL;
	}
	if (only_keys(cli, o, what, allowed) < 0)
		return -EINVAL;
	json_t *ju = json_object_get(o, "uid"),
	       *jr = json_object_get(o, "roles"),
	       *jh = json_object_get(o, "home_writable");
	if (!opt_str(o, "name", &ao.name) || !ao.name ||
	    !opt_str(o, "description", &ao.description) ||
	    !opt_str(o, "owner", &ao.owner) || !opt_str(o, "home", &ao.home) ||
	    !opt_str(o, "shell", &ao.shell) || !opt_str(o, "state", &state) ||
	    !opt_str(o, "expires", &ao.expires) ||
	    (ju && !json_is_integer(ju)) || (jr && !json_is_array(jr)) ||
	    (jh && !json_is_boolean(jh)) ||
	    (state && strcmp(state, "enabled") && strcmp(state, "disabled"))) {
		snprintf(cli->err, sizeof(cli->err),
			 "%s: wrong or missing member types", what);
		return -EINVAL;
	}
	if (ao.shell && !*ao.shell)
		ao.shell = NULL;
	size_t nr = jr ? json_array_size(jr) : 0;
	roles = calloc(nr + 1, sizeof(*roles));
	if (!roles)
		return -ENOMEM;
	size_t k = 0;
	for (size_t j = 0; j < nr; j++) {
		json_t *r = json_array_get(jr, j);
		if (!json_is_string(r)) {
			snprintf(cli->err, sizeof(cli->err),
				 "%s: roles[%zu] is not a string", what, j);
			goto out;
		}
		/* the base role is implicit */
		if (strcmp(json_string_value(r), SV_BASE_ROLE))
			roles[k++] = json_string_value(r);
	}
	if (ju) {
		snprintf(uid, sizeof(uid), "%lld",
			 (long long)json_integer_value(ju));
		ao.uid = uid;
	}
	ao.roles = roles;
	ao.nroles = k;
	ao.home_writable = jh && json_is_true(jh);
	ao.no_home = true;
	ao.defer_members = true;
	e = op_account_create(cli, t, &ao, &a);
	if (e < 0) {
		char tmp[sizeof(cli->err)];
		snprintf(tmp, sizeof(tmp), "%s", cli->err);
		snprintf(cli->err, sizeof(cli->err), "%s (%.40s): %.900s", what,
			 ao.name, tmp);
		goto out;
	}
	if (state && !strcmp(state, "disabled")) {
		a.flags |= SV_ACCT_DISABLED;
		e = txn_save_acct(t, &a);
	}
	for (size_t j = 0; e == 0 && j < k; j++) {
		e = strv_add(memb_roles, roles[j]);
		if (e == 0)
			e = strv_add(memb_accts, ao.name);
	}
out:
	acct_free(&a);
	free(roles);
	return e;
}

static int import_key(struct cli *cli, struct sv_txn *t, json_t *o, size_t i)
{
	static const char *const allowed[] = {"account", "kid", "label",
					      "expires", "jwk", NULL};
	char what[64];
	const char *account, *kid, *label, *expires;
	snprintf(what, sizeof(what), "keys[%zu]", i);
	if (!json_is_object(o) || only_keys(cli, o, what, allowed) < 0 ||
	    !opt_str(o, "account", &account) || !account ||
	    !opt_str(o, "kid", &kid) || !opt_str(o, "label", &label) ||
	    !opt_str(o, "expires", &expires) ||
	    !json_is_object(json_object_get(o, "jwk"))) {
		if (!*cli->err)
			snprintf(cli->err, sizeof(cli->err),
				 "%s: wrong or missing members", what);
		return -EINVAL;
	}
	struct acct a;
	if (txn_load_acct(t, account, &a) < 0) {
		snprintf(cli->err, sizeof(cli->err), "%s: no account '%s'",
			 what, account);
		return -ENOENT;
	}
	acct_free(&a);
	int64_t exp = 0;
	if (expires && cli_parse_time(expires, &exp) < 0) {
		snprintf(cli->err, sizeof(cli->err), "%s: bad expires", what);
		return -EINVAL;
	}
	if (label &&
	    sv_field_check("label", label, 128, cli->err, sizeof(cli->err)) < 0)
		return -EINVAL;
	char *jwk = json_dumps(json_object_get(o, "jwk"), JSON_COMPACT);
	struct sv_key key = {0};
	char err[256] = "";
	int e = jwk ? sv_key_import_jwk(jwk, strlen(jwk), NULL, kid, &key, err,
					sizeof(err))
		    : -ENOMEM;
	free(jwk);
	if (e < 0) {
		snprintf(cli->err, sizeof(cli->err), "%s: %s", what, err);
		return e;
	}
	if (cli_kid_taken(t, account, key.kid)) {
		snprintf(cli->err, sizeof(cli->err),
			 "%s: account '%s' already has a key with kid '%s'",
			 what, account, key.kid);
		sv_key_free(&key);
		return -EEXIST;
	}
	char id[SV_CRED_ID_LEN + 1];
	e = sv_cred_id_generate(id);
	struct sv_cred c = {
	    .type = SV_CRED_KEY,
	    .alg = (uint8_t)key.alg,
	    .created = (int64_t)time(NULL),
	    .expires = exp,
	    .id = SV_STR(id),
	    .account = SV_STR(account),
	    .label = SV_STR(label ? label : ""),
	    .kid = SV_STR(key.kid),
	    .material = {(const char *)key.blob, key.bloblen},
	};
	if (e == 0)
		e = txn_store_cred(t, SV_DB_CREDENTIALS, &c);
	sv_key_free(&key);
	if (e < 0 && !*cli->err)
		snprintf(cli->err, sizeof(cli->err), "%s: store: %s", what,
			 strerror(-e));
	return e;
}

static int import_sshkey(struct cli *cli, struct sv_txn *t, json_t *o, size_t i)
{
	static const char *const allowed[] = {"account", "key", "label",
					      "expires", NULL};
	char what[64], id[SV_CRED_ID_LEN + 1], tmp[sizeof(cli->err)];
	const char *account, *line, *label, *expires;
	int64_t exp = 0;
	struct acct a;
	snprintf(what, sizeof(what), "sshkeys[%zu]", i);
	if (!json_is_object(o) || only_keys(cli, o, what, allowed) < 0 ||
	    !opt_str(o, "account", &account) || !account ||
	    !opt_str(o, "key", &line) || !line ||
	    !opt_str(o, "label", &label) || !opt_str(o, "expires", &expires)) {
		if (!*cli->err)
			snprintf(cli->err, sizeof(cli->err),
				 "%s: wrong or missing members", what);
		return -EINVAL;
	}
	if (txn_load_acct(t, account, &a) < 0) {
		snprintf(cli->err, sizeof(cli->err), "%s: no account '%s'",
			 what, account);
		return -ENOENT;
	}
	acct_free(&a);
	if (expires && cli_parse_time(expires, &exp) < 0) {
		snprintf(cli->err, sizeof(cli->err), "%s: bad expires", what);
		return -EINVAL;
	}
	if (label &&
	    sv_field_check("label", label, 128, cli->err, sizeof(cli->err)) < 0)
		return -EINVAL;
	int e =
	    op_sshkey_add(cli, t, account, line, label ? label : "", exp, id);
	if (e < 0) {
		snprintf(tmp, sizeof(tmp), "%s", cli->err);
		snprintf(cli->err, sizeof(cli->err), "%s: %.900s", what, tmp);
	}
	return e;
}

int cli_import_check(struct cli *cli, json_t *doc)
{
	static const char *const top_allowed[] = {
	    "format",	"version", "generation", "roles",
	    "accounts", "keys",	   "sshkeys",	 NULL};
	json_t *fmt = json_object_get(doc, "format"),
	       *ver = json_object_get(doc, "version"),
	       *roles = json_object_get(doc, "roles"),
	       *accounts = json_object_get(doc, "accounts"),
	       *keys = json_object_get(doc, "keys"),
	       *sshkeys = json_object_get(doc, "sshkeys");
	if (!json_is_object(doc) || !json_is_string(fmt) ||
	    strcmp(json_string_value(fmt), EXPORT_FORMAT) ||
	    !json_is_integer(ver) ||
	    json_integer_value(ver) != EXPORT_VERSION ||
	    (roles && !json_is_array(roles)) ||
	    (accounts && !json_is_array(accounts)) ||
	    (keys && !json_is_array(keys)) ||
	    (sshkeys && !json_is_array(sshkeys))) {
		snprintf(cli->err, sizeof(cli->err),
			 "not an svcacct export: format \"%s\" version %d "
			 "expected",
			 EXPORT_FORMAT, EXPORT_VERSION);
		return -EINVAL;
	}
	return only_keys(cli, doc, "export", top_allowed);
}

int cli_import_apply(struct cli *cli, struct sv_txn *t, json_t *doc)
{
	json_t *roles = json_object_get(doc, "roles"),
	       *accounts = json_object_get(doc, "accounts"),
	       *keys = json_object_get(doc, "keys"),
	       *sshkeys = json_object_get(doc, "sshkeys");
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
			e = txn_load_role(t, mr.v[j], &x);
			for (size_t m = j; e == 0 && m < mr.n; m++)
				if (!strcmp(mr.v[m], mr.v[j]))
					e = strv_add(&x.members, ma.v[m]);
			if (e == 0)
				e = txn_save_role(t, &x);
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
	strv_free(&mr);
	strv_free(&ma);
	return e;
}

int cmd_import(struct cli *cli, int argc, char **argv)
{
	static const char usage[] = "import FILE   (JSON from svcacct export; "
				    "all or nothing)";
	if (cli_wants_help(argc, argv)) {
		printf("usage: svcacct %s\n", usage);
		return EXIT_OK;
	}
	if (argc != 2)
		return cli_usage(cli, usage);
	if (cli_need_root(cli) < 0)
		return EXIT_FAIL;
	char *buf = NULL;
	size_t len = 0;
	if (cli_read_file(cli, argv[1], IMPORT_MAX, &buf, &len) < 0)
		return EXIT_FAIL;
	json_error_t jerr;
	json_t *doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	free(buf);
	if (!doc)
		return cli_fail(cli, "%s:%d:%d: %s (nothing imported)", argv[1],
				jerr.line, jerr.column, jerr.text);
	int r = EXIT_FAIL;
	cli->err[0] = '\0';
	if (cli_import_check(cli, doc) < 0) {
		json_decref(doc);
		return cli_fail(cli, "%s: %s (nothing imported)", argv[1],
				cli->err);
	}
	json_t *roles = json_object_get(doc, "roles"),
	       *accounts = json_object_get(doc, "accounts"),
	       *keys = json_object_get(doc, "keys"),
	       *sshkeys = json_object_get(doc, "sshkeys");
	/* Clash checks against the other NSS sources by one enumeration
	 * instead of four lookups per account: a 100k import would spend
	 * most of its time in nss_files and nss_systemd otherwise. Sources
	 * that cannot enumerate are covered by `svcacct check`. */
	if (cli_snapshot_take(cli) < 0) {
		json_decref(doc);
		return cli_fail(cli, "out of memory");
	}
	struct sv_txn *t = cli_begin(cli);
	if (!t) {
		json_decref(doc);
		cli_snapshot_free(cli);
		return EXIT_FAIL;
	}
	cli->err[0] = '\0';
	int e = cli_import_apply(cli, t, doc);
	cli_snapshot_free(cli);
	if (e < 0) {
		sv_txn_abort(t);
		r = cli_fail(cli, "%s: %s (nothing imported)", argv[1],
			     *cli->err ? cli->err : strerror(-e));
	} else {
		r = cli_commit(cli, t);
		if (r == EXIT_OK) {
			cli_audit(
			    "import",
			    "roles=%zu accounts=%zu keys=%zu sshkeys=%zu",
			    json_array_size(roles), json_array_size(accounts),
			    json_array_size(keys), json_array_size(sshkeys));
			cli_nscd_invalidate();
			cli_report(
			    cli,
			    json_pack(
				"{s:i, s:i, s:i}", "roles",
				(json_int_t)json_array_size(roles), "accounts",
				(json_int_t)json_array_size(accounts), "keys",
				(json_int_t)json_array_size(keys)),
			    "imported %zu roles, %zu accounts, %zu keys, %zu "
			    "ssh keys",
			    json_array_size(roles), json_array_size(accounts),
			    json_array_size(keys), json_array_size(sshkeys));
		}
	}
	json_decref(doc);
	return r;
}
