/* SPDX-License-Identifier: MIT */
/* svcacct secret ... / key ...: credentials of an account. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "acct_jwks.h"
#include "cli.h"
#include "ops.h"
#include "keys.h"
#include "names.h"
#include "secret.h"
#include "util.h"

#define KEYFILE_MAX (1024 * 1024)

static const char *cred_status(const struct sv_cred *c, bool revoked)
{
	if (revoked)
		return "revoked";
	if (c->expires && c->expires <= (int64_t)time(NULL))
		return "expired";
	return "active";
}

/* ------------------------------------------------------------ secrets */

int secret_add(struct cli *cli, const struct cli_args *args)
{
	int64_t exp;
	int r = cli_cred_args(cli, args, args->npos == 1, &exp);
	if (r)
		return r;
	uint8_t hostkey[SV_HOSTKEY_LEN], hash[SV_HASH_LEN];
	char secret[SV_SECRET_LEN + 1], id[SV_CRED_ID_LEN + 1];
	struct sv_txn *t = cli_begin_account(cli, args->pos[0], NULL);
	if (!t)
		return EXIT_FAIL;
	int e = sv_hostkey_load(&cli->cfg, hostkey, true);
	if (e < 0) {
		sv_txn_abort(t);
		return cli_fail(cli, "host key in %s: %s", cli->cfg.state_dir,
				e == -EPERM ? "unsafe owner or mode"
					    : strerror(-e));
	}
	e = sv_secret_generate(secret, id);
	if (e == 0)
		e = sv_secret_hash(hostkey, secret, SV_SECRET_LEN, hash);
	sv_wipe(hostkey, sizeof(hostkey));
	if (e == 0)
		e = op_secret_add(t, args->pos[0], id, hash, sizeof(hash),
				  args->label, exp);
	if (e < 0) {
		sv_wipe(secret, sizeof(secret));
		sv_txn_abort(t);
		return cli_fail(cli, "store: %s", strerror(-e));
	}
	r = cli_commit(cli, t);
	if (r == EXIT_OK) {
		cli_audit("secret-add", "account=%s credential=%s",
			  args->pos[0], id);
		/* the only time the plaintext exists outside the client */
		if (cli->json)
			printf("{\"account\": \"%s\", \"id\": \"%s\", "
			       "\"secret\": \"%s\"}\n",
			       args->pos[0], id, secret);
		else
			printf("%s\n", secret);
		if (isatty(1) && !cli->json)
			fprintf(stderr,
				"svcacct: secret %s for %s: shown once, "
				"store it now\n",
				id, args->pos[0]);
	}
	sv_wipe(secret, sizeof(secret));
	return r;
}

static int list_one(const struct sv_cred *c, bool revoked, void *ctx)
{
	json_t *arr = ctx;
	char b1[32], b2[32], id[SV_CRED_ID_LEN + 1];
	snprintf(id, sizeof(id), "%.*s", (int)c->id.n, c->id.p);
	json_t *j =
	    json_pack("{s:s, s:s, s:s%, s:s, s:s, s:s}", "id", id, "type",
		      c->type == SV_CRED_SECRET ? "secret"
		      : c->type == SV_CRED_KEY	? "key"
		      : c->type == SV_CRED_JWKS ? "jwks"
						: "sshkey",
		      "label", c->label.p, c->label.n, "created",
		      cli_time(c->created, b1, sizeof(b1)), "expires",
		      cli_time(c->expires, b2, sizeof(b2)), "status",
		      cred_status(c, revoked));
	if (c->type == SV_CRED_KEY) {
		json_object_set_new(j, "kid", json_stringn(c->kid.p, c->kid.n));
		const char *an = sv_alg_name((enum sv_alg)c->alg);
		json_object_set_new(j, "alg", json_string(an ? an : "?"));
	}
	if (c->type == SV_CRED_JWKS) {
		json_object_set_new(j, "jwks_url",
				    json_stringn(c->url.p, c->url.n));
		json_object_set_new(j, "ca_file",
				    json_stringn(c->ca_file.p, c->ca_file.n));
	}
	json_array_append_new(arr, j);
	return 0;
}

/* Every reader honours the revocation list, whatever generation it
 * reads: the state dir's. */
static int open_state_revocations(struct cli *cli, struct sv_revocations **rv)
{
	int sfd = sv_state_open_dir(&cli->cfg);
	int e = sfd < 0 ? sfd : sv_revocations_open_state(sfd, rv);
	if (sfd >= 0)
		close(sfd);
	if (e < 0)
		snprintf(cli->err, sizeof(cli->err),
			 "%s: the revocation list: %s", cli->cfg.state_dir,
			 strerror(-e));
	return e;
}

int cred_list(struct cli *cli, const struct cli_args *args)
{
	const int keys = args->verb->arg;
	int64_t exp;
	int r = cli_cred_args(cli, args, args->npos == 1, &exp);
	if (r)
		return r;
	if (geteuid() != 0)
		return cli_fail(cli, "listing credentials needs root");
	json_t *all;
	r = cli_list_creds(cli, args->pos[0], SV_DB_CREDENTIALS, "credentials",
			   open_state_revocations, list_one, &all);
	if (r)
		return r;
	json_t *sel = json_array();
	size_t i;
	json_t *it;
	json_array_foreach (all, i, it) {
		const char *type =
		    json_string_value(json_object_get(it, "type"));
		bool is_key = !strcmp(type, "key") || !strcmp(type, "jwks");
		if (is_key == keys)
			json_array_append(sel, it);
		/* a JWKS URL's keys: its cache, the last good fetch */
		if (is_key == keys && !strcmp(type, "jwks"))
			json_object_set_new(
			    it, "cache",
			    acct_jwks_cache_info(
				&cli->cfg, args->pos[0],
				json_string_value(json_object_get(it, "id")),
				json_string_value(
				    json_object_get(it, "jwks_url"))));
	}
	json_decref(all);
	if (cli->json)
		return cli_json_out(sel);
	if (keys)
		printf("%-16s %-44s %-6s %-8s %-20s %s\n", "ID", "KID", "ALG",
		       "STATUS", "EXPIRES", "LABEL");
	else
		printf("%-16s %-8s %-20s %-20s %s\n", "ID", "STATUS", "CREATED",
		       "EXPIRES", "LABEL");
	json_array_foreach (sel, i, it) {
#define S(k) json_string_value(json_object_get(it, k))
		if (keys && !strcmp(S("type"), "jwks"))
			jwks_list_print(it);
		else if (keys)
			printf("%-16s %-44s %-6s %-8s %-20s %s\n", S("id"),
			       S("kid"), S("alg"), S("status"), S("expires"),
			       S("label"));
		else
			printf("%-16s %-8s %-20s %-20s %s\n", S("id"),
			       S("status"), S("created"), S("expires"),
			       S("label"));
#undef S
	}
	json_decref(sel);
	return EXIT_OK;
}

/* By id, or for a key by kid. */
struct cred_find {
	uint8_t type;
	const char *what;
	char found[SV_CRED_ID_LEN + 1];
	uint8_t found_type;
};
static int find_cred(const struct sv_cred *c, void *ctx)
{
	struct cred_find *f = ctx;
	/* a key's id may also name the account's JWKS URL */
	if (f->type == SV_CRED_KEY && c->type == SV_CRED_JWKS &&
	    sv_str_eq(c->id, f->what)) {
		snprintf(f->found, sizeof(f->found), "%s", f->what);
		f->found_type = c->type;
		return 1;
	}
	if (c->type != f->type || c->id.n != SV_CRED_ID_LEN ||
	    !(sv_str_eq(c->id, f->what) ||
	      (f->type == SV_CRED_KEY && sv_str_eq(c->kid, f->what))))
		return 0;
	snprintf(f->found, sizeof(f->found), "%.*s", (int)c->id.n, c->id.p);
	f->found_type = c->type;
	return 1;
}

/* Remove one credential (by id, or by kid for keys) and revoke it. */
int cred_remove(struct cli *cli, const struct cli_args *args)
{
	const int keys = args->verb->arg;
	int64_t exp;
	int r = cli_cred_args(cli, args, args->npos == 2, &exp);
	if (r)
		return r;
	/* never echo a secret pasted where its id belongs */
	if (sv_secret_looks_like(args->pos[1], strlen(args->pos[1])))
		return cli_fail(cli,
				"give the credential id (the 16 hex digits "
				"after \"svcs_\"), not the secret itself");
	struct sv_txn *t = cli_begin_account(cli, args->pos[0], NULL);
	if (!t)
		return EXIT_FAIL;
	/* find the credential among this account's own */
	struct cred_find f = {.type = keys ? SV_CRED_KEY : SV_CRED_SECRET,
			      .what = args->pos[1]};
	char *found = f.found;
	int e = sv_model_each_cred(t, SV_DB_CREDENTIALS, args->pos[0],
				   find_cred, &f);
	if (e < 0) {
		sv_txn_abort(t);
		return cli_fail(cli, "store: %s", strerror(-e));
	}
	if (!*found) {
		sv_txn_abort(t);
		return cli_fail(cli, "account '%s' has no %s '%s'",
				args->pos[0], keys ? "key" : "secret",
				args->pos[1]);
	}
	e = sv_model_cred_remove(t, SV_DB_CREDENTIALS, args->pos[0], found);
	if (e < 0) {
		sv_txn_abort(t);
		return cli_fail(cli, "store: %s", strerror(-e));
	}
	r = cli_commit(cli, t);
	/* the cache of a JWKS URL goes with it (a rollback brings the
	 * credential back revoked: its keys are never used again) */
	if (r == EXIT_OK && f.found_type == SV_CRED_JWKS)
		acct_jwks_cache_remove(&cli->cfg, found);
	if (r == EXIT_OK) {
		cli_audit(keys ? "key-remove" : "secret-revoke",
			  "account=%s credential=%s", args->pos[0], found);
		cli_report(cli,
			   json_pack("{s:s, s:s}", "account", args->pos[0],
				     keys ? "removed" : "revoked", found),
			   "%s %s of %s",
			   keys ? "removed key" : "revoked secret", found,
			   args->pos[0]);
	}
	return r;
}

/* ------------------------------------------------------------ keys */

int key_add(struct cli *cli, const struct cli_args *args)
{
	int64_t exp;
	if (args->jwks_url || args->ca_file)
		return key_add_jwks_url(cli, args);
	int r = cli_cred_args(
	    cli, args,
	    args->npos == 1 && (!!args->pem + !!args->jwk + !!args->jwks) == 1,
	    &exp);
	if (r)
		return r;
	if (args->jwks && (args->kid || args->alg))
		return cli_fail(cli, "--kid and --alg do not apply to --jwks "
				     "(each key carries its own)");
	if (args->kid && (sv_field_check("kid", args->kid, SV_KID_MAX, cli->err,
					 sizeof(cli->err)) < 0 ||
			  !*args->kid))
		return cli_fail(cli, "%s",
				*args->kid ? cli->err : "empty --kid");
	const char *file = args->pem   ? args->pem
			   : args->jwk ? args->jwk
				       : args->jwks;
	char *buf = NULL;
	size_t len = 0;
	if (cli_read_file(cli, file, KEYFILE_MAX, &buf, &len) < 0)
		return EXIT_FAIL;
	struct sv_key one = {0}, *keys = NULL;
	size_t n = 0;
	char err[512] = "";
	int e;
	if (args->jwks) {
		e = sv_key_import_jwks(buf, len, &keys, &n, err, sizeof(err));
	} else {
		e = args->pem
			? sv_key_import_pem(buf, len, args->alg, args->kid,
					    &one, err, sizeof(err))
			: sv_key_import_jwk(buf, len, args->alg, args->kid,
					    &one, err, sizeof(err));
		if (e == 0) {
			keys = &one;
			n = 1;
		}
	}
	free(buf);
	if (e < 0)
		return cli_fail(cli, "%s: %s", file, *err ? err : strerror(-e));
	struct sv_txn *t = cli_begin_account(cli, args->pos[0], NULL);
	if (!t) {
		r = EXIT_FAIL;
		goto out;
	}
	json_t *added = json_array();
	cli->err[0] = '\0';
	for (size_t i = 0; e == 0 && i < n; i++) {
		char id[SV_CRED_ID_LEN + 1];
		e = op_key_add(cli, t, args->pos[0], &keys[i], args->label, exp,
			       id);
		if (e == 0)
			json_array_append_new(
			    added, json_pack("{s:s, s:s, s:s}", "id", id, "kid",
					     keys[i].kid, "alg",
					     sv_alg_name(keys[i].alg)));
	}
	if (e < 0) {
		sv_txn_abort(t);
		json_decref(added);
		r = cli_fail(cli, "%s", *cli->err ? cli->err : strerror(-e));
		goto out;
	}
	r = cli_commit(cli, t);
	if (r == EXIT_OK) {
		size_t i;
		json_t *it;
		json_array_foreach (added, i, it) {
			cli_audit(
			    "key-add",
			    "account=%s credential=%s kid=%s "
			    "alg=%s",
			    args->pos[0],
			    json_string_value(json_object_get(it, "id")),
			    json_string_value(json_object_get(it, "kid")),
			    json_string_value(json_object_get(it, "alg")));
			if (!cli->json)
				printf("added key %s to %s (kid %s, %s)\n",
				       json_string_value(
					   json_object_get(it, "id")),
				       args->pos[0],
				       json_string_value(
					   json_object_get(it, "kid")),
				       json_string_value(
					   json_object_get(it, "alg")));
		}
		if (cli->json)
			cli_json_out(json_incref(added));
	}
	json_decref(added);
out:
	if (keys == &one)
		sv_key_free(&one);
	else
		sv_keys_free(keys, n);
	return r;
}
