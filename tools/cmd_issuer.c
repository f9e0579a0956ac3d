/* SPDX-License-Identifier: MIT */
/* svcacct issuer ...: trusted OIDC issuers (common/auth/issuer.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "issuer.h"
#include "issuer_model.h"
#include "jwks_report.h"
#include "util.h"

/* The check every verb makes of the options, then the verb's usage unless
 * usage_ok (its positionals and required options fit): 0, or an exit
 * code. */
static int parse(struct cli *cli, const struct cli_args *args, bool usage_ok)
{
	if (args->roles_claim.n > 16) {
		fprintf(stderr, "svcacct: at most 16 --roles-claim\n");
		return cli_usage_verb(cli, args);
	}
	return usage_ok ? 0 : cli_usage_verb(cli, args);
}

/* Keys for a new or refreshed set: from a file or the issuer's URL,
 * validated and made canonical. *source says where they came from. */
static int get_keys(struct cli *cli, const char *file, const char *url,
		    const char *ca, json_t **keys, size_t *skipped,
		    char *source, size_t srclen)
{
	char *body = NULL;
	char err[512];
	size_t len = 0;
	int r;

	if (file) {
		r = cli_read_file(cli, file, SV_ISSUER_JWKS_MAX, &body, &len);
		if (r < 0)
			goto out; /* reported */
		snprintf(source, srclen, "file");
	} else {
		r = issuer_fetch(url, ca, &body, &len, err, sizeof(err));
		if (r < 0) {
			snprintf(cli->err, sizeof(cli->err),
				 "fetching the JWKS: %s", err);
			goto out;
		}
		snprintf(source, srclen, "%s", url);
	}
	r = issuer_jwks_canon(body, len, keys, skipped, err, sizeof(err));
	if (r < 0)
		snprintf(cli->err, sizeof(cli->err),
			 "%s: not a usable JWKS: %s", file ? file : url, err);
out:
	free(body);
	return r;
}

int issuer_add(struct cli *cli, const struct cli_args *args)
{
	struct issuer x = {0};
	json_t *keys = NULL;
	size_t skipped = 0;
	char source[1100], kids[600];
	int r =
	    parse(cli, args, args->npos == 1 && args->issuer && args->audience);
	if (r)
		return r;
	if (!!args->jwks == !!args->jwks_url)
		return cli_fail(cli, "give exactly one of --jwks FILE and "
				     "--jwks-url URL");
	if (args->ca_file && !args->jwks_url)
		return cli_fail(cli, "--ca-file goes with --jwks-url");
	if (cli_need_root(cli) < 0)
		return EXIT_FAIL;
	x.name = strdup(args->pos[0]);
	x.issuer = strdup(args->issuer);
	x.audience = strdup(args->audience);
	x.jwks_url = strdup(args->jwks_url ? args->jwks_url : "");
	x.ca_file = strdup(args->ca_file ? args->ca_file : "");
	x.client_claim = args->client_claim
			     ? sv_client_claim_from_name(args->client_claim)
			     : SV_CLIENT_AZP;
	x.max_lifetime = SV_ISSUER_DEFAULT_LIFETIME;
	if (!x.name || !x.issuer || !x.audience || !x.jwks_url || !x.ca_file) {
		issuer_free(&x);
		return cli_fail(cli, "out of memory");
	}
	if (args->max_lifetime &&
	    cli_parse_u32(args->max_lifetime, &x.max_lifetime) < 0) {
		issuer_free(&x);
		return cli_fail(cli,
				"--max-lifetime '%s' is not a number of "
				"seconds",
				args->max_lifetime);
	}
	for (size_t i = 0; i < args->roles_claim.n; i++)
		if (strv_add(&x.roles_claims, args->roles_claim.v[i]) < 0) {
			issuer_free(&x);
			return cli_fail(cli, "out of memory");
		}
	if (args->ca_file && access(args->ca_file, R_OK) != 0) {
		issuer_free(&x);
		return cli_fail(cli, "--ca-file %s: %s", args->ca_file,
				strerror(errno));
	}
	/* every field first, then the keys (maybe over the network), and
	 * only then the store's lock: a slow IdP must not block writers */
	x.created = x.updated = (int64_t)time(NULL);
	if (issuer_validate(cli, NULL, &x) < 0 ||
	    get_keys(cli, args->jwks, args->jwks_url, args->ca_file, &keys,
		     &skipped, source, sizeof(source)) < 0) {
		r = *cli->err ? cli_fail(cli, "%s", cli->err) : EXIT_FAIL;
		issuer_free(&x);
		return r;
	}
	struct sv_txn *t = cli_begin(cli);
	if (!t) {
		json_decref(keys);
		issuer_free(&x);
		return EXIT_FAIL;
	}
	struct issuer old;
	if (txn_load_issuer(t, x.name, &old) == 0) {
		issuer_free(&old);
		snprintf(cli->err, sizeof(cli->err),
			 "issuer '%s' already exists", x.name);
		r = -EEXIST;
	} else {
		r = issuer_validate(cli, t, &x);
	}
	if (r < 0) {
		sv_txn_abort(t);
		json_decref(keys);
		issuer_free(&x);
		return cli_fail(cli, "%s", cli->err);
	}
	r = txn_save_issuer(t, &x, NULL);
	if (r < 0) {
		sv_txn_abort(t);
		json_decref(keys);
		issuer_free(&x);
		return cli_fail(cli, "store: %s", strerror(-r));
	}
	r = cli_commit(cli, t);
	if (r == EXIT_OK) {
		char err[512];
		jwks_kids_text(keys, kids, sizeof(kids));
		cli_audit("issuer-add",
			  "issuer=%s iss=%s audience=%s client_claim=%s "
			  "kids=%s",
			  x.name, x.issuer, x.audience,
			  sv_client_claim_name(x.client_claim), kids);
		if (issuer_cache_write(&cli->cfg, x.name, x.issuer, source,
				       keys, err, sizeof(err)) < 0) {
			r = cli_fail(cli,
				     "issuer '%s' added, but its keys were not "
				     "cached: %s; run svcacct issuer refresh "
				     "%s",
				     x.name, err, x.name);
		} else {
			cli_report(cli,
				   json_pack("{s:s, s:o, s:i}", "added", x.name,
					     "kids", jwks_kids_json(keys),
					     "skipped", (json_int_t)skipped),
				   "added issuer %s (%s), keys %s%s", x.name,
				   x.issuer, kids,
				   skipped ? " (other keys skipped)" : "");
		}
	}
	json_decref(keys);
	issuer_free(&x);
	return r;
}

int issuer_list(struct cli *cli, const struct cli_args *args)
{
	struct strv names;
	uint64_t gen;
	int r = parse(cli, args, args->npos == 0);
	if (r)
		return r;
	json_t *arr = json_array();
	if (!cli->json)
		printf("%-20s %-8s %-7s %-7s %s\n", "NAME", "CLAIM", "CLIENTS",
		       "ROLES", "ISSUER");
	if (sv_store_current_generation(&cli->cfg, &gen) == -ENOENT)
		return cli->json ? cli_json_out(arr) : (json_decref(arr), 0);
	struct sv_reader *rd = cli_reader(cli, SV_DBMASK(SV_DB_ACCOUNTS));
	if (!rd) {
		json_decref(arr);
		return EXIT_FAIL;
	}
	r = reader_issuer_names(rd, &names);
	if (r < 0) {
		sv_reader_close(rd);
		json_decref(arr);
		return cli_fail(cli, "reading the store: %s", strerror(-r));
	}
	for (size_t i = 0; i < names.n; i++) {
		struct issuer x;
		if (reader_load_issuer(rd, names.v[i], &x) < 0) {
			fprintf(stderr,
				"svcacct: warning: issuer '%s' does not decode "
				"(run svcacct check)\n",
				names.v[i]);
			continue;
		}
		if (cli->json)
			json_array_append_new(arr, issuer_to_json(&x, NULL));
		else
			printf("%-20s %-8s %7zu %7zu %s\n", x.name,
			       sv_client_claim_name(x.client_claim),
			       x.client_remote.n, x.role_remote.n, x.issuer);
		issuer_free(&x);
	}
	strv_free(&names);
	sv_reader_close(rd);
	if (cli->json)
		return cli_json_out(arr);
	json_decref(arr);
	return EXIT_OK;
}

int issuer_show(struct cli *cli, const struct cli_args *args)
{
	struct issuer x;
	int r = parse(cli, args, args->npos == 1);
	if (r)
		return r;
	struct sv_reader *rd = cli_reader(cli, SV_DBMASK(SV_DB_ACCOUNTS));
	if (!rd)
		return EXIT_FAIL;
	r = reader_load_issuer(rd, args->pos[0], &x);
	sv_reader_close(rd);
	if (r < 0)
		return cli_fail(cli,
				r == -ENOENT ? "no issuer '%s'"
					     : "issuer '%s': unreadable record",
				args->pos[0]);
	/* the cache is root's (state_dir is 0700): others see "none" */
	json_t *j = issuer_to_json(&x, &cli->cfg);
	if (cli->json) {
		issuer_free(&x);
		return cli_json_out(j);
	}
	json_t *c = json_object_get(j, "jwks_cache");
	char b1[32], b2[32];
	printf("name           %s\nissuer         %s\naudience       %s\n"
	       "client claim   %s\nmax lifetime   %us\n",
	       x.name, x.issuer, x.audience,
	       sv_client_claim_name(x.client_claim), x.max_lifetime);
	printf("jwks url       %s\nca file        %s\n",
	       *x.jwks_url ? x.jwks_url : "- (keys from a file)",
	       *x.ca_file ? x.ca_file : "- (system CAs)");
	printf("roles claims   ");
	for (size_t i = 0; i < x.roles_claims.n; i++)
		printf("%s%s", i ? " " : "", x.roles_claims.v[i]);
	printf("%s\n",
	       x.roles_claims.n ? "" : "- (tokens do not narrow roles)");
	for (size_t i = 0; i < x.client_remote.n; i++)
		printf("client         %s -> %s\n", x.client_remote.v[i],
		       x.client_local.v[i]);
	for (size_t i = 0; i < x.role_remote.n; i++)
		printf("role map       %s -> %s\n", x.role_remote.v[i],
		       x.role_local.v[i]);
	const char *st = json_string_value(json_object_get(c, "status"));
	if (st && !strcmp(st, "ok")) {
		char kids[600];
		jwks_kids_join(json_object_get(c, "kids"), kids, sizeof(kids));
		printf("cached keys    %s (from %s, %s)\n", kids,
		       json_string_value(json_object_get(c, "source")),
		       json_string_value(json_object_get(c, "fetched")));
	} else {
		printf("cached keys    %s\n", st ? st : "?");
	}
	printf("created        %s\nupdated        %s\n",
	       cli_time(x.created, b1, sizeof(b1)),
	       cli_time(x.updated, b2, sizeof(b2)));
	json_decref(j);
	issuer_free(&x);
	return EXIT_OK;
}

int issuer_remove(struct cli *cli, const struct cli_args *args)
{
	int r = parse(cli, args, args->npos == 1);
	if (r)
		return r;
	struct sv_txn *t = cli_begin(cli);
	if (!t)
		return EXIT_FAIL;
	if (issuer_txn_remove(cli, t, args->pos[0]) < 0) {
		sv_txn_abort(t);
		return cli_fail(cli, "%s", cli->err);
	}
	r = cli_commit(cli, t);
	if (r == EXIT_OK) {
		/* a rollback brings the issuer back without keys: refresh
		 * (or add --jwks again) restores them */
		issuer_cache_remove(&cli->cfg, args->pos[0]);
		cli_audit("issuer-remove", "issuer=%s", args->pos[0]);
		cli_report(cli, json_pack("{s:s}", "removed", args->pos[0]),
			   "removed issuer %s", args->pos[0]);
	}
	return r;
}

static int load_issuer(struct sv_txn *t, const char *name, void *out)
{
	return txn_load_issuer(t, name, out);
}

/* The start of a change to one issuer (the first positional): the verb's
 * checks (parse), then the issuer loaded into *x in a new transaction.
 * NULL with the exit code in *rc when a check or the load fails (reported
 * here). */
static struct sv_txn *begin_issuer(struct cli *cli, const struct cli_args *args,
				   bool usage_ok, struct issuer *x, int *rc)
{
	const char *name = args->npos ? args->pos[0] : NULL;
	*rc = parse(cli, args, usage_ok);
	if (*rc)
		return NULL;
	*rc = EXIT_FAIL;
	return cli_begin_load(cli, "issuer", name, "unreadable record",
			      load_issuer, x);
}

/* Validate and save x in t, commit, audit; consumes t and x. */
static int finish_change(struct cli *cli, struct sv_txn *t, struct issuer *x,
			 const char *event, const char *what, json_t *j)
{
	int r;
	x->updated = (int64_t)time(NULL);
	if (issuer_validate(cli, t, x) < 0) {
		sv_txn_abort(t);
		json_decref(j);
		issuer_free(x);
		return cli_fail(cli, "%s", cli->err);
	}
	r = txn_save_issuer(t, x, x->issuer);
	if (r < 0) {
		sv_txn_abort(t);
		json_decref(j);
		issuer_free(x);
		return cli_fail(cli, "store: %s", strerror(-r));
	}
	r = cli_commit(cli, t);
	if (r == EXIT_OK) {
		cli_audit(event, "issuer=%s %s", x->name, what);
		cli_report(cli, j, "issuer %s: %s", x->name, what);
	} else {
		json_decref(j);
	}
	issuer_free(x);
	return r;
}

static ssize_t find_pair(const struct strv *a, const struct strv *b,
			 const char *x, const char *y)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->v[i], x) && (!y || !strcmp(b->v[i], y)))
			return (ssize_t)i;
	return -1;
}

int issuer_map(struct cli *cli, const struct cli_args *args)
{
	const int arg = args->verb->arg;
	struct issuer x;
	char what[700];
	int r;
	struct sv_txn *t = begin_issuer(
	    cli, args,
	    args->npos == 1 && args->client && (arg || args->account), &x, &r);
	if (!t)
		return r;
	ssize_t i = find_pair(&x.client_remote, NULL, args->client, NULL);
	if (arg) {
		if (i < 0) {
			sv_txn_abort(t);
			issuer_free(&x);
			return cli_fail(cli, "client '%s' is not mapped",
					args->client);
		}
		snprintf(what, sizeof(what), "client=%s account=%s unmapped",
			 args->client, x.client_local.v[i]);
		strv_del_at(&x.client_remote, (size_t)i);
		strv_del_at(&x.client_local, (size_t)i);
		return finish_change(cli, t, &x, "issuer-unmap", what,
				     json_pack("{s:s, s:s}", "issuer",
					       args->pos[0], "unmapped",
					       args->client));
	}
	if (i >= 0) {
		r = cli_fail(cli,
			     "client '%s' is already mapped to account '%s' "
			     "(unmap it first)",
			     args->client, x.client_local.v[i]);
		sv_txn_abort(t);
		issuer_free(&x);
		return r;
	}
	if (strv_add(&x.client_remote, args->client) < 0 ||
	    strv_add(&x.client_local, args->account) < 0) {
		sv_txn_abort(t);
		issuer_free(&x);
		return cli_fail(cli, "out of memory");
	}
	snprintf(what, sizeof(what), "client=%s account=%s mapped",
		 args->client, args->account);
	return finish_change(cli, t, &x, "issuer-map", what,
			     json_pack("{s:s, s:s, s:s}", "issuer",
				       args->pos[0], "client", args->client,
				       "account", args->account));
}

int issuer_role_map(struct cli *cli, const struct cli_args *args)
{
	const int arg = args->verb->arg;
	struct issuer x;
	char what[600];
	int r;
	struct sv_txn *t = begin_issuer(cli, args, args->npos == 3, &x, &r);
	if (!t)
		return r;
	ssize_t i = find_pair(&x.role_remote, &x.role_local, args->pos[1],
			      args->pos[2]);
	if (arg ? i < 0 : i >= 0) {
		sv_txn_abort(t);
		issuer_free(&x);
		return cli_fail(cli,
				arg ? "remote role '%s' is not mapped to '%s'"
				    : "remote role '%s' is already mapped to "
				      "'%s'",
				args->pos[1], args->pos[2]);
	}
	if (arg) {
		strv_del_at(&x.role_remote, (size_t)i);
		strv_del_at(&x.role_local, (size_t)i);
	} else if (strv_add(&x.role_remote, args->pos[1]) < 0 ||
		   strv_add(&x.role_local, args->pos[2]) < 0) {
		sv_txn_abort(t);
		issuer_free(&x);
		return cli_fail(cli, "out of memory");
	}
	snprintf(what, sizeof(what), "remote_role=%s role=%s %s", args->pos[1],
		 args->pos[2], arg ? "unmapped" : "mapped");
	return finish_change(
	    cli, t, &x, arg ? "issuer-role-unmap" : "issuer-role-map", what,
	    json_pack("{s:s, s:s, s:s, s:b}", "issuer", args->pos[0], "remote",
		      args->pos[1], "role", args->pos[2], "mapped", !arg));
}

/* Refresh one issuer's cached set. The old set stays unless the new one
 * was fetched, validated and written whole. */
static int refresh_one(struct cli *cli, const struct issuer *x,
		       const char *file, json_t *report)
{
	json_t *keys = NULL;
	size_t skipped = 0;
	char source[1100], kids[600], err[512];
	int r;

	cli->err[0] = '\0';
	if (!file && !*x->jwks_url) {
		snprintf(cli->err, sizeof(cli->err),
			 "issuer '%s' has no --jwks-url (its keys came from a "
			 "file: refresh it with --jwks FILE)",
			 x->name);
		r = -EINVAL;
	} else {
		r = get_keys(cli, file, x->jwks_url, x->ca_file, &keys,
			     &skipped, source, sizeof(source));
	}
	if (r == 0) {
		r = issuer_cache_write(&cli->cfg, x->name, x->issuer, source,
				       keys, err, sizeof(err));
		if (r < 0)
			snprintf(cli->err, sizeof(cli->err), "%s", err);
	}
	if (r < 0) {
		const char *why = *cli->err ? cli->err : strerror(-r);
		fprintf(stderr,
			"svcacct: issuer %s: refresh failed, the cached keys "
			"are kept: %s\n",
			x->name, why);
		jwks_audit_error("issuer-refresh", "issuer", x->name, NULL,
				 why);
		json_array_append_new(
		    report, json_pack("{s:s, s:s, s:s}", "name", x->name,
				      "result", "error", "error", why));
		r = -1;
		goto out;
	}
	jwks_kids_text(keys, kids, sizeof(kids));
	cli_audit("issuer-refresh", "issuer=%s kids=%s skipped=%zu", x->name,
		  kids, skipped);
	if (!cli->json)
		printf("issuer %s: cached keys %s%s\n", x->name, kids,
		       skipped ? " (other keys skipped)" : "");
	json_array_append_new(report, json_pack("{s:s, s:s, s:o, s:i}", "name",
						x->name, "result", "ok", "kids",
						jwks_kids_json(keys), "skipped",
						(json_int_t)skipped));
	r = 0;
out:
	/* a set that could not be cached is dropped here too */
	json_decref(keys);
	return r;
}

int issuer_refresh(struct cli *cli, const struct cli_args *args)
{
	struct strv names = {0};
	int r = parse(cli, args,
		      args->npos <= 1 && (!args->jwks || args->npos == 1));
	if (r)
		return r;
	if (cli_need_root(cli) < 0)
		return EXIT_FAIL;
	struct sv_reader *rd = cli_reader(cli, SV_DBMASK(SV_DB_ACCOUNTS));
	if (!rd)
		return EXIT_FAIL;
	if (args->npos == 1)
		r = strv_add(&names, args->pos[0]);
	else
		r = reader_issuer_names(rd, &names);
	if (r < 0) {
		sv_reader_close(rd);
		return cli_fail(cli, "reading the store: %s", strerror(-r));
	}
	json_t *report = json_array();
	int failed = 0;
	for (size_t i = 0; i < names.n; i++) {
		struct issuer x;
		r = reader_load_issuer(rd, names.v[i], &x);
		if (r < 0) {
			cli_fail(cli,
				 r == -ENOENT
				     ? "no issuer '%s'"
				     : "issuer '%s': unreadable record",
				 names.v[i]);
			failed++;
			continue;
		}
		/* without a name, file-based issuers have nothing to fetch */
		if (args->npos == 0 && !*x.jwks_url) {
			issuer_free(&x);
			continue;
		}
		if (refresh_one(cli, &x, args->jwks, report) < 0)
			failed++;
		issuer_free(&x);
	}
	sv_reader_close(rd);
	strv_free(&names);
	if (cli->json)
		cli_json_out(report);
	else
		json_decref(report);
	return failed ? EXIT_FAIL : EXIT_OK;
}
