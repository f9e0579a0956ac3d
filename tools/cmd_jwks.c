/* SPDX-License-Identifier: MIT */
/* svcacct key add --jwks-url, key refresh, and the JWKS URL row of key
 * list: an account's keys from a JWKS URL (acct_jwks.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acct_jwks.h"
#include "acctjwks.h"
#include "cli.h"
#include "jwks_report.h"
#include "model.h"
#include "names.h"
#include "ops.h"

int key_add_jwks_url(struct cli *cli, const struct cli_args *args)
{
	char id[SV_CRED_ID_LEN + 1], kids[600], err[1024];
	const char *account = args->npos ? args->pos[0] : NULL;
	json_t *keys = NULL;
	size_t skipped = 0;
	int64_t exp;
	int r = cli_cred_args(cli, args, args->npos == 1, &exp);
	if (r)
		return r;
	if (!args->jwks_url)
		return cli_fail(cli, "--ca-file goes with --jwks-url");
	if (args->pem || args->jwk || args->jwks || args->kid || args->alg ||
	    args->allow_revoked)
		return cli_fail(cli, "--jwks-url goes without --pem, --jwk, "
				     "--jwks, --kid, --alg and "
				     "--allow-revoked-key (the set names its "
				     "keys)");
	if (cli_need_root(cli) < 0)
		return EXIT_FAIL;
	if (acct_jwks_url_check(args->jwks_url, err, sizeof(err)) < 0 ||
	    (args->ca_file &&
	     acct_jwks_ca_check(args->ca_file, err, sizeof(err)) < 0))
		return cli_fail(cli, "%s", err);
	/* the set first (maybe slow), and only then the store's lock */
	r = acct_jwks_fetch(args->jwks_url, args->ca_file, &keys, &skipped, err,
			    sizeof(err));
	if (r < 0)
		return cli_fail(cli, "%s (nothing changed)", err);
	struct sv_txn *t = cli_begin_account(cli, account, NULL);
	if (!t) {
		json_decref(keys);
		return EXIT_FAIL;
	}
	struct cred_scope scope = {0};
	cli->err[0] = '\0';
	r = op_cred_scope_csv(cli, t, account, args->roles, args->from, false,
			      &scope);
	if (r == 0)
		r = op_jwks_add(cli, t, account, args->jwks_url, args->ca_file,
				args->label, exp, &scope, id);
	cred_scope_free(&scope);
	if (r < 0) {
		sv_txn_abort(t);
		json_decref(keys);
		return cli_fail(cli, "%s", cli->err);
	}
	r = cli_commit(cli, t);
	if (r == EXIT_OK) {
		jwks_kids_text(keys, kids, sizeof(kids));
		cli_audit("key-add",
			  "account=%s credential=%s jwks_url=%s kids=%s",
			  account, id, args->jwks_url, kids);
		if (acct_jwks_cache_write(&cli->cfg, account, id,
					  args->jwks_url, keys, err,
					  sizeof(err)) < 0)
			r = cli_fail(
			    cli,
			    "JWKS URL %s added to %s, but its keys were "
			    "not cached: %s; run svcacct key refresh %s",
			    id, account, err, account);
		else
			cli_report(cli,
				   json_pack("{s:s, s:s, s:s, s:o, s:i}",
					     "account", account, "id", id,
					     "jwks_url", args->jwks_url, "kids",
					     jwks_kids_json(keys), "skipped",
					     (json_int_t)skipped),
				   "added JWKS URL %s to %s (%s), keys %s%s",
				   id, account, args->jwks_url, kids,
				   skipped ? " (other keys skipped)" : "");
	}
	json_decref(keys);
	return r;
}

/* One JWKS URL credential to refresh, copied out of the reader. */
struct jwks_src {
	char account[SV_NAME_MAX + 1];
	char id[SV_CRED_ID_LEN + 1];
	char *url, *ca_file;
};

struct jwks_srcs {
	struct jwks_src *v;
	size_t n;
};

static int collect(const struct sv_cred *c, bool revoked, void *ctx)
{
	struct jwks_srcs *s = ctx;
	if (c->type != SV_CRED_JWKS || revoked || c->id.n != SV_CRED_ID_LEN ||
	    c->account.n > SV_NAME_MAX)
		return 0;
	struct jwks_src *nv = reallocarray(s->v, s->n + 1, sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	s->v = nv;
	struct jwks_src *x = &s->v[s->n];
	snprintf(x->account, sizeof(x->account), "%.*s", (int)c->account.n,
		 c->account.p);
	snprintf(x->id, sizeof(x->id), "%.*s", (int)c->id.n, c->id.p);
	x->url = sv_str_dup(c->url);
	x->ca_file = sv_str_dup(c->ca_file);
	if (!x->url || !x->ca_file) {
		free(x->url);
		free(x->ca_file);
		return -ENOMEM;
	}
	s->n++;
	return 0;
}

static void srcs_free(struct jwks_srcs *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].url);
		free(s->v[i].ca_file);
	}
	free(s->v);
}

/* Every JWKS URL credential of account (NULL: of every account) that is
 * not revoked, into *s. 0 or negative errno with the message in cli->err. */
static int collect_all(struct cli *cli, struct sv_reader *rd,
		       const char *account, struct jwks_srcs *s)
{
	struct sv_revocations *rv = NULL;
	struct sv_blob key = {0};
	struct sv_str nm;
	int sfd = sv_state_open_dir(&cli->cfg);
	int e = sfd < 0 ? sfd : sv_revocations_open_state(sfd, &rv);
	if (sfd >= 0)
		close(sfd);
	if (e < 0) {
		snprintf(cli->err, sizeof(cli->err),
			 "%s: the revocation list: %s", cli->cfg.state_dir,
			 strerror(-e));
		return e;
	}
	if (account) {
		struct sv_blob ab = {0};
		struct sv_account a;
		e = sv_get_account(rd, account, &ab, &a);
		if (e == 0)
			e = sv_each_cred(rd, SV_DB_CREDENTIALS, &a, rv, collect,
					 s);
		else
			snprintf(cli->err, sizeof(cli->err),
				 e == -ENOENT ? "no account '%s'"
					      : "account '%s': unreadable",
				 account);
		sv_blob_free(&ab);
		goto out;
	}
	while ((e = sv_model_reader_next(rd, SV_DB_ACCOUNTS, SV_REC_ACCOUNT,
					 &key, &nm)) == 0) {
		struct sv_blob v = {0};
		struct sv_account a;
		/* an account that does not decode is svcacct check's */
		if (sv_reader_fetch(rd, SV_DB_ACCOUNTS, key.p, key.n, &v) ==
			0 &&
		    sv_decode_account(v.p, v.n, &a) == 0)
			e = sv_each_cred(rd, SV_DB_CREDENTIALS, &a, rv, collect,
					 s);
		sv_blob_free(&v);
		if (e < 0)
			break;
	}
	sv_blob_free(&key);
	if (e == -ENOENT)
		e = 0;
out:
	sv_revocations_close(rv);
	if (e < 0 && !*cli->err)
		snprintf(cli->err, sizeof(cli->err), "reading the store: %s",
			 strerror(-e));
	return e;
}

/* Refresh one cached set; the old one stays unless the new one was
 * fetched, validated and written whole. */
static int refresh_one(struct cli *cli, const struct jwks_src *x,
		       json_t *report, bool quiet)
{
	char err[1024], kids[600];
	json_t *keys = NULL;
	size_t skipped = 0;
	int r = acct_jwks_fetch(x->url, x->ca_file, &keys, &skipped, err,
				sizeof(err));
	if (r == 0)
		r = acct_jwks_cache_write(&cli->cfg, x->account, x->id, x->url,
					  keys, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr,
			"svcacct: account %s: JWKS refresh failed, the cached "
			"keys are kept: %s\n",
			x->account, err);
		jwks_audit_error("key-refresh", "account", x->account, x->id,
				 err);
		json_array_append_new(report, json_pack("{s:s, s:s, s:s, s:s}",
							"account", x->account,
							"id", x->id, "result",
							"error", "error", err));
		json_decref(keys);
		return -1;
	}
	jwks_kids_text(keys, kids, sizeof(kids));
	cli_audit("key-refresh", "account=%s credential=%s kids=%s skipped=%zu",
		  x->account, x->id, kids, skipped);
	if (!cli->json && !quiet)
		printf("account %s: JWKS %s: cached keys %s%s\n", x->account,
		       x->id, kids, skipped ? " (other keys skipped)" : "");
	json_array_append_new(report,
			      json_pack("{s:s, s:s, s:s, s:o, s:i}", "account",
					x->account, "id", x->id, "result", "ok",
					"kids", jwks_kids_json(keys), "skipped",
					(json_int_t)skipped));
	json_decref(keys);
	return 0;
}

int key_refresh(struct cli *cli, const struct cli_args *args)
{
	struct jwks_srcs s = {0};
	const char *account = args->npos ? args->pos[0] : NULL;
	uint64_t gen;
	int r;

	if (args->npos > 1)
		return cli_usage_verb(cli, args);
	if (cli_need_root(cli) < 0)
		return EXIT_FAIL;
	/* no store yet: no account has a URL */
	if (!account && sv_store_current_generation(&cli->cfg, &gen) == -ENOENT)
		return cli->json ? cli_json_out(json_array()) : EXIT_OK;
	struct sv_reader *rd = cli_reader(
	    cli, SV_DBMASK(SV_DB_ACCOUNTS) | SV_DBMASK(SV_DB_CREDENTIALS));
	if (!rd)
		return EXIT_FAIL;
	cli->err[0] = '\0';
	r = collect_all(cli, rd, account, &s);
	/* the network only once the store is closed */
	sv_reader_close(rd);
	if (r < 0) {
		srcs_free(&s);
		return cli_fail(cli, "%s", cli->err);
	}
	if (account && s.n == 0) {
		srcs_free(&s);
		return cli_fail(cli,
				"account '%s' has no JWKS URL (svcacct key add "
				"%s --jwks-url URL)",
				account, account);
	}
	json_t *report = json_array();
	int failed = 0;
	for (size_t i = 0; i < s.n; i++)
		if (refresh_one(cli, &s.v[i], report, false) < 0)
			failed++;
	srcs_free(&s);
	/* the sets of credentials that are gone (revoked) go too */
	if (!account && acct_jwks_cache_sweep(&cli->cfg) < 0)
		fprintf(stderr,
			"svcacct: warning: %s/%s: the sets of removed "
			"credentials could not be swept\n",
			cli->cfg.state_dir, SV_ACCT_JWKS_DIR);
	if (cli->json)
		cli_json_out(report);
	else
		json_decref(report);
	return failed ? EXIT_FAIL : EXIT_OK;
}

void jwks_fetch_new(struct cli *cli, const char *const *accounts, size_t n)
{
	struct jwks_srcs s = {0};
	struct sv_reader *rd;
	char keep[sizeof(cli->err)];

	if (n == 0)
		return;
	rd = cli_reader(cli, SV_DBMASK(SV_DB_ACCOUNTS) |
				 SV_DBMASK(SV_DB_CREDENTIALS));
	if (!rd)
		return;
	snprintf(keep, sizeof(keep), "%s", cli->err);
	for (size_t i = 0; i < n; i++) {
		cli->err[0] = '\0';
		if (collect_all(cli, rd, accounts[i], &s) < 0)
			fprintf(stderr, "svcacct: warning: %s\n", cli->err);
	}
	sv_reader_close(rd);
	json_t *report = json_array();
	for (size_t i = 0; i < s.n; i++)
		if (refresh_one(cli, &s.v[i], report, true) < 0)
			fprintf(stderr,
				"svcacct: warning: account %s: its JWKS URL is "
				"stored, its keys are not cached yet: run "
				"svcacct key refresh %s\n",
				s.v[i].account, s.v[i].account);
	json_decref(report);
	srcs_free(&s);
	snprintf(cli->err, sizeof(cli->err), "%s", keep);
}

void jwks_list_print(json_t *it, const char *last_used, const char *last)
{
#define S(o, k) json_string_value(json_object_get(o, k))
	json_t *c = json_object_get(it, "cache");
	char kids[600];
	printf("%-16s %-44s %-6s %-8s %-20s %-20s %s\n", S(it, "id"),
	       "(JWKS URL)", "-", S(it, "status"), S(it, "expires"), last_used,
	       last);
	printf("  url      %s\n", S(it, "jwks_url"));
	if (*S(it, "ca_file"))
		printf("  ca file  %s\n", S(it, "ca_file"));
	if (S(c, "status") && !strcmp(S(c, "status"), "ok")) {
		jwks_kids_join(json_object_get(c, "kids"), kids, sizeof(kids));
		printf("  cached   %s (last good fetch %s)\n", kids,
		       S(c, "fetched"));
	} else {
		printf("  cached   %s (run svcacct key refresh)\n",
		       S(c, "status") ? S(c, "status") : "?");
	}
#undef S
}
