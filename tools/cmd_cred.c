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
#include "cred_list.h"
#include "ops.h"
#include "keys.h"
#include "names.h"
#include "secret.h"
#include "stop.h"
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

/* A new secret, the only time its plaintext exists outside the client:
 * the secret alone on stdout, or with --json the object (with the
 * credential it replaces, when replaces is set). */
static void secret_print(struct cli *cli, const char *account, const char *id,
			 const char *secret, const char *replaces,
			 int64_t replaced_expires)
{
	char b[32];
	if (cli->json && replaces)
		printf("{\"account\": \"%s\", \"id\": \"%s\", "
		       "\"secret\": \"%s\", \"replaces\": \"%s\", "
		       "\"replaced_expires\": \"%s\"}\n",
		       account, id, secret, replaces,
		       cli_time(replaced_expires, b, sizeof(b)));
	else if (cli->json)
		printf("{\"account\": \"%s\", \"id\": \"%s\", "
		       "\"secret\": \"%s\"}\n",
		       account, id, secret);
	else
		printf("%s\n", secret);
	if (isatty(1) && !cli->json)
		fprintf(stderr,
			"svcacct: secret %s for %s: shown once, store it now\n",
			id, account);
}

/* Host key, a new secret (plaintext in secret, id in id) and its hash. 0,
 * or the exit code of the failure (reported). */
static int secret_make(struct cli *cli, char secret[SV_SECRET_LEN + 1],
		       char id[SV_CRED_ID_LEN + 1], uint8_t hash[SV_HASH_LEN])
{
	uint8_t hostkey[SV_HOSTKEY_LEN];
	int e = sv_hostkey_load(&cli->cfg, hostkey, true);
	if (e < 0)
		return cli_fail(cli, "host key in %s: %s", cli->cfg.state_dir,
				e == -EPERM ? "unsafe owner or mode"
					    : strerror(-e));
	e = sv_secret_generate(secret, id);
	if (e == 0)
		e = sv_secret_hash(hostkey, secret, SV_SECRET_LEN, hash);
	sv_wipe(hostkey, sizeof(hostkey));
	if (e < 0) {
		sv_wipe(secret, SV_SECRET_LEN + 1);
		return cli_fail(cli, "making a secret: %s", strerror(-e));
	}
	return 0;
}

int secret_add(struct cli *cli, const struct cli_args *args)
{
	int64_t exp;
	int r = cli_cred_args(cli, args, args->npos == 1, &exp);
	if (r)
		return r;
	uint8_t hash[SV_HASH_LEN];
	char secret[SV_SECRET_LEN + 1], id[SV_CRED_ID_LEN + 1];
	struct cred_scope scope = {0};
	struct sv_txn *t = cli_begin_account(cli, args->pos[0], NULL);
	if (!t)
		return EXIT_FAIL;
	cli->err[0] = '\0';
	if (op_cred_scope_csv(cli, t, args->pos[0], args->roles, args->from,
			      false, &scope) < 0) {
		sv_txn_abort(t);
		return cli_fail(cli, "%s", cli->err);
	}
	if (secret_make(cli, secret, id, hash)) {
		sv_txn_abort(t);
		cred_scope_free(&scope);
		return EXIT_FAIL;
	}
	int e = op_secret_add(t, args->pos[0], id, hash, sizeof(hash),
			      args->label, exp, &scope);
	cred_scope_free(&scope);
	if (e < 0) {
		sv_wipe(secret, sizeof(secret));
		sv_txn_abort(t);
		return cli_fail(cli, "store: %s", strerror(-e));
	}
	r = cli_commit(cli, t);
	if (r == EXIT_OK) {
		cli_audit("secret-add", "account=%s credential=%s",
			  args->pos[0], id);
		secret_print(cli, args->pos[0], id, secret, NULL, 0);
	}
	sv_wipe(secret, sizeof(secret));
	return r;
}

/* --grace: the end of the old credential's grace period, from now. */
static int grace_end(struct cli *cli, const struct cli_args *args, int64_t now,
		     int64_t *end)
{
	int64_t secs;
	const char *g = args->grace ? args->grace : "24h";
	if (cli_parse_duration(g, true, &secs) < 0)
		return cli_fail(cli,
				"bad --grace '%s' (e.g. 24h, 7d, or 0 "
				"for none)",
				g);
	*end = now + secs;
	return 0;
}

/* The account's transaction for a verb on one of its credentials named
 * by id (args->pos[1]); NULL once reported. Never echoes a secret pasted
 * where its id belongs. */
static struct sv_txn *begin_cred_verb(struct cli *cli,
				      const struct cli_args *args)
{
	if (sv_secret_looks_like(args->pos[1], strlen(args->pos[1]))) {
		cli_fail(cli, "give the credential id (the 16 hex digits "
			      "after \"svcs_\"), not the secret itself");
		return NULL;
	}
	return cli_begin_account(cli, args->pos[0], NULL);
}

int secret_rotate(struct cli *cli, const struct cli_args *args)
{
	int64_t exp, now = (int64_t)time(NULL), end = 0, new_exp, old_exp;
	uint8_t hash[SV_HASH_LEN];
	char secret[SV_SECRET_LEN + 1], id[SV_CRED_ID_LEN + 1],
	    old[SV_CRED_ID_LEN + 1];
	int r = cli_cred_args(cli, args, args->npos == 2, &exp);
	if (r)
		return r;
	if (grace_end(cli, args, now, &end))
		return EXIT_FAIL;
	struct sv_txn *t = begin_cred_verb(cli, args);
	if (!t)
		return EXIT_FAIL;
	if (secret_make(cli, secret, id, hash)) {
		sv_txn_abort(t);
		return EXIT_FAIL;
	}
	struct sv_cred fresh = {
	    .type = SV_CRED_SECRET,
	    .id = SV_STR(id),
	    .material = {(const char *)hash, sizeof(hash)},
	};
	cli->err[0] = '\0';
	if (op_cred_rotate(cli, t, args->pos[0], args->pos[1], &fresh, now, end,
			   old, &new_exp, &old_exp) < 0) {
		sv_wipe(secret, sizeof(secret));
		sv_txn_abort(t);
		return cli_fail(cli, "%s", cli->err);
	}
	r = cli_rotated_lifetime(cli, args, new_exp, now);
	if (r) {
		sv_wipe(secret, sizeof(secret));
		sv_txn_abort(t);
		return r;
	}
	r = cli_commit(cli, t);
	if (r == EXIT_OK) {
		char b[32];
		cli_audit("secret-rotate",
			  "account=%s credential=%s replaces=%s "
			  "replaced_expires=%lld",
			  args->pos[0], id, old, (long long)old_exp);
		secret_print(cli, args->pos[0], id, secret, old, old_exp);
		if (isatty(2) && !cli->json)
			fprintf(stderr,
				"svcacct: secret %s of %s stops working at "
				"%s\n",
				old, args->pos[0],
				cli_time(old_exp, b, sizeof(b)));
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
	cli_scope_json(c, j, true);
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
	bool scoped;
	r = cred_list_annotate(cli, args->pos[0], sel, args->unused, &scoped);
	if (r) {
		json_decref(sel);
		return r;
	}
	if (cli->json)
		return cli_json_out(sel);
	/* a SCOPE column before LABEL when some credential has one */
	char last[1024];
	cli_scope_cell(NULL, "LABEL", scoped, last, sizeof(last));
	if (keys)
		printf("%-16s %-44s %-6s %-8s %-20s %-20s %s\n", "ID", "KID",
		       "ALG", "STATUS", "EXPIRES", "LAST USED", last);
	else
		printf("%-16s %-8s %-20s %-20s %-20s %s\n", "ID", "STATUS",
		       "CREATED", "EXPIRES", "LAST USED", last);
	json_array_foreach (sel, i, it) {
		char lu[32];
		cli_last_used_text(it, lu, sizeof(lu));
#define S(k) json_string_value(json_object_get(it, k))
		cli_scope_cell(it, S("label"), scoped, last, sizeof(last));
		if (keys && !strcmp(S("type"), "jwks"))
			jwks_list_print(it, lu, last);
		else if (keys)
			printf("%-16s %-44s %-6s %-8s %-20s %-20s %s\n",
			       S("id"), S("kid"), S("alg"), S("status"),
			       S("expires"), lu, last);
		else
			printf("%-16s %-8s %-20s %-20s %-20s %s\n", S("id"),
			       S("status"), S("created"), S("expires"), lu,
			       last);
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
	struct sv_txn *t = begin_cred_verb(cli, args);
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
		json_t *j = json_pack("{s:s, s:s}", "account", args->pos[0],
				      keys ? "removed" : "revoked", found);
		char line[512] = "";
		cli_audit(keys ? "key-remove" : "secret-revoke",
			  "account=%s credential=%s%s", args->pos[0], found,
			  args->stop ? " stop=yes" : "");
		if (args->stop)
			r = cli_revoke_stop(cli, args->pos[0], found, j, line,
					    sizeof(line));
		cli_report(cli, j, "%s %s of %s%s",
			   keys ? "removed key" : "revoked secret", found,
			   args->pos[0], line);
	}
	return r;
}

/* Narrow a credential's scope (never widen it). */
int cred_set(struct cli *cli, const struct cli_args *args)
{
	static const char *const kinds[] = {"secret", "key", "ssh key"};
	static const uint8_t types[] = {SV_CRED_SECRET, SV_CRED_KEY,
					SV_CRED_SSHKEY};
	const int kind = args->verb->arg;
	const enum sv_db db = kind == 2 ? SV_DB_PUBKEYS : SV_DB_CREDENTIALS;
	char id[SV_CRED_ID_LEN + 1];
	struct cred_scope scope = {0};
	int64_t exp;
	int r = cli_cred_args(
	    cli, args, args->npos == 2 && (args->roles || args->from), &exp);
	if (r)
		return r;
	struct sv_txn *t = begin_cred_verb(cli, args);
	if (!t)
		return EXIT_FAIL;
	cli->err[0] = '\0';
	int e = op_cred_scope_csv(cli, t, args->pos[0], args->roles, args->from,
				  true, &scope);
	if (e == 0)
		e = op_cred_set_scope(cli, t, db, types[kind], args->pos[0],
				      args->pos[1], &scope, id);
	cred_scope_free(&scope);
	if (e < 0) {
		sv_txn_abort(t);
		return cli_fail(cli, "%s", cli->err);
	}
	r = cli_commit(cli, t);
	if (r == EXIT_OK) {
		cli_audit("cred-scope",
			  "account=%s credential=%s roles=%s from=%s",
			  args->pos[0], id, args->roles ? args->roles : "-",
			  args->from ? args->from : "-");
		cli_report(cli,
			   json_pack("{s:s, s:s, s:s}", "account", args->pos[0],
				     "id", id, "narrowed", kinds[kind]),
			   "narrowed the scope of %s %s of %s", kinds[kind], id,
			   args->pos[0]);
	}
	return r;
}

int cli_revoke_stop(struct cli *cli, const char *account, const char *cred,
		    json_t *j, char *line, size_t cap)
{
	struct stop_result res;
	struct sv_account a;
	struct sv_blob blob = {0};
	struct sv_reader *rd = cli_reader(cli, SV_DBMASK(SV_DB_ACCOUNTS));
	bool has_uid = rd && sv_get_account(rd, account, &blob, &a) == 0;
	uint32_t uid = has_uid ? a.uid : 0;
	int e;

	sv_blob_free(&blob);
	sv_reader_close(rd);
	e = stop_sessions(&cli->cfg, account, uid, has_uid, cred, &res);
	json_object_set_new(j, "stopped",
			    json_pack("{s:i, s:i, s:i, s:i}", "sessions",
				      (json_int_t)res.sessions, "processes",
				      (json_int_t)res.processes,
				      "stale_records", (json_int_t)res.stale,
				      "shared", (json_int_t)res.shared));
	if (res.sessions)
		snprintf(line, cap,
			 "\nended %u session(s) opened with %s (%u "
			 "process(es) signalled)",
			 res.sessions, cred, res.processes);
	else if (!res.shared)
		snprintf(line, cap,
			 "\nno running session opened with %s is recorded: "
			 "nothing to stop",
			 cred);
	if (res.shared)
		snprintf(line + strlen(line), cap - strlen(line),
			 "\nleft %u session(s) running: the process that "
			 "opened each holds other accounts' or credentials' "
			 "sessions too (account disable --stop ends them)",
			 res.shared);
	if (res.stale)
		snprintf(line + strlen(line), cap - strlen(line),
			 "\nremoved %u record(s) of sessions already gone",
			 res.stale);
	if (e < 0)
		return cli_fail(cli,
				"%s is revoked, but its sessions could not all "
				"be ended: %s",
				cred, strerror(-e));
	return EXIT_OK;
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
	struct cred_scope scope = {0};
	cli->err[0] = '\0';
	e = op_cred_scope_csv(cli, t, args->pos[0], args->roles, args->from,
			      false, &scope);
	for (size_t i = 0; e == 0 && i < n; i++) {
		char id[SV_CRED_ID_LEN + 1];
		e = op_key_add(cli, t, args->pos[0], &keys[i], args->label, exp,
			       &scope, id);
		if (e == 0)
			json_array_append_new(
			    added, json_pack("{s:s, s:s, s:s}", "id", id, "kid",
					     keys[i].kid, "alg",
					     sv_alg_name(keys[i].alg)));
	}
	cred_scope_free(&scope);
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

int key_rotate(struct cli *cli, const struct cli_args *args)
{
	int64_t exp, now = (int64_t)time(NULL), end = 0, new_exp, old_exp;
	char id[SV_CRED_ID_LEN + 1], old[SV_CRED_ID_LEN + 1], err[512] = "";
	struct sv_key key = {0};
	struct sv_txn *t = NULL;
	char *buf = NULL;
	size_t len = 0;
	int e, r = cli_cred_args(
		   cli, args, args->npos == 2 && !!args->pem + !!args->jwk == 1,
		   &exp);
	if (r)
		return r;
	if (grace_end(cli, args, now, &end))
		return EXIT_FAIL;
	if (args->kid && (sv_field_check("kid", args->kid, SV_KID_MAX, cli->err,
					 sizeof(cli->err)) < 0 ||
			  !*args->kid))
		return cli_fail(cli, "%s",
				*args->kid ? cli->err : "empty --kid");
	const char *file = args->pem ? args->pem : args->jwk;
	if (cli_read_file(cli, file, KEYFILE_MAX, &buf, &len) < 0)
		return EXIT_FAIL;
	e = args->pem ? sv_key_import_pem(buf, len, args->alg, args->kid, &key,
					  err, sizeof(err))
		      : sv_key_import_jwk(buf, len, args->alg, args->kid, &key,
					  err, sizeof(err));
	free(buf);
	if (e < 0)
		return cli_fail(cli, "%s: %s", file, *err ? err : strerror(-e));
	t = cli_begin_account(cli, args->pos[0], NULL);
	if (!t) {
		r = EXIT_FAIL;
		goto out;
	}
	e = sv_cred_id_generate(id);
	if (e < 0) {
		r = cli_fail(cli, "making a credential id: %s", strerror(-e));
		goto out;
	}
	struct sv_cred fresh = {
	    .type = SV_CRED_KEY,
	    .alg = (uint8_t)key.alg,
	    .id = SV_STR(id),
	    .kid = SV_STR(key.kid),
	    .material = {(const char *)key.blob, key.bloblen},
	};
	cli->err[0] = '\0';
	if (op_cred_rotate(cli, t, args->pos[0], args->pos[1], &fresh, now, end,
			   old, &new_exp, &old_exp) < 0) {
		r = cli_fail(cli, "%s", cli->err);
		goto out;
	}
	r = cli_rotated_lifetime(cli, args, new_exp, now);
	if (r)
		goto out;
	r = cli_commit(cli, t);
	t = NULL;
	if (r == EXIT_OK) {
		char b1[32], b2[32];
		cli_audit("key-rotate",
			  "account=%s credential=%s kid=%s alg=%s replaces=%s "
			  "replaced_expires=%lld",
			  args->pos[0], id, key.kid, sv_alg_name(key.alg), old,
			  (long long)old_exp);
		cli_report(cli,
			   json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
				     "account", args->pos[0], "id", id, "kid",
				     key.kid, "alg", sv_alg_name(key.alg),
				     "expires",
				     cli_time(new_exp, b1, sizeof(b1)),
				     "replaces", old, "replaced_expires",
				     cli_time(old_exp, b2, sizeof(b2))),
			   "added key %s to %s (kid %s, %s), replacing key %s, "
			   "which stops working at %s",
			   id, args->pos[0], key.kid, sv_alg_name(key.alg), old,
			   cli_time(old_exp, b2, sizeof(b2)));
	}
out:
	sv_txn_abort(t);
	sv_key_free(&key);
	return r;
}
