/* SPDX-License-Identifier: MIT */
/* The "jwks" section of export, import and apply manifests: each account's
 * JWKS URL credential (acct_jwks.h). Its cached set is state: never
 * exported; each host fetches it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acct_jwks.h"
#include "cli.h"
#include "model.h"
#include "names.h"
#include "port.h"

static int export_one(const struct sv_cred *c, bool revoked, void *ctx)
{
	json_t *out = ctx;
	char b1[32];
	if (revoked || c->type != SV_CRED_JWKS)
		return 0;
	json_array_append_new(
	    out, json_pack("{s:s%, s:s%, s:s%, s:s%, s:s}", "account",
			   c->account.p, c->account.n, "jwks_url", c->url.p,
			   c->url.n, "ca_file", c->ca_file.p, c->ca_file.n,
			   "label", c->label.p, c->label.n, "expires",
			   cli_time(c->expires, b1, sizeof(b1))));
	/* its scope, role GIDs until the walk ends (cli_scope_names) */
	cli_scope_json(c, json_array_get(out, json_array_size(out) - 1), false);
	return 0;
}

json_t *port_export_jwks(struct sv_reader *rd, int *e)
{
	json_t *out = json_array();
	struct sv_revocations *rv = NULL;
	struct sv_blob key = {0};
	struct sv_str nm;
	int sfd = sv_state_open_dir(sv_reader_config(rd));

	*e = sfd < 0 ? sfd : sv_revocations_open_state(sfd, &rv);
	if (sfd >= 0)
		close(sfd);
	if (*e < 0)
		goto fail;
	while ((*e = sv_model_reader_next(rd, SV_DB_ACCOUNTS, SV_REC_ACCOUNT,
					  &key, &nm)) == 0) {
		struct sv_blob v = {0};
		struct sv_account a;
		if (sv_reader_fetch(rd, SV_DB_ACCOUNTS, key.p, key.n, &v) < 0 ||
		    sv_decode_account(v.p, v.n, &a) < 0) {
			sv_blob_free(&v);
			*e = -EBADMSG;
			break;
		}
		*e = sv_each_cred(rd, SV_DB_CREDENTIALS, &a, rv, export_one,
				  out);
		sv_blob_free(&v);
		if (*e < 0)
			break;
	}
	sv_blob_free(&key);
	sv_revocations_close(rv);
	if (*e != -ENOENT)
		goto fail;
	*e = 0;
	cli_json_sort(out, "account", NULL);
	cli_scope_names(rd, out);
	return out;
fail:
	json_decref(out);
	return NULL;
}

int port_jwks_parse(struct cli *cli, json_t *o, const char *what,
		    struct port_jwks *j)
{
	static const char *const allowed[] = {"account", "jwks_url", "ca_file",
					      "label",	 "expires",  "roles",
					      "from",	 NULL};
	const char *expires = NULL;
	char err[600];
	memset(j, 0, sizeof(*j));
	if (json_is_object(o) && port_only_keys(cli, o, what, allowed) < 0)
		return -EINVAL;
	if (!json_is_object(o) || !port_opt_str(o, "account", &j->account) ||
	    !j->account || !port_opt_str(o, "jwks_url", &j->url) || !j->url ||
	    !port_opt_str(o, "ca_file", &j->ca_file) ||
	    !port_opt_str(o, "label", &j->label) ||
	    !port_opt_str(o, "expires", &expires) ||
	    !port_opt_str_array(o, "roles", &j->roles) ||
	    !port_opt_str_array(o, "from", &j->from)) {
		snprintf(cli->err, sizeof(cli->err),
			 "%s: wrong or missing members (account and jwks_url "
			 "are strings, roles and from arrays of strings)",
			 what);
		return -EINVAL;
	}
	if (expires && cli_parse_time(expires, &j->expires) < 0) {
		snprintf(cli->err, sizeof(cli->err), "%s: bad expires", what);
		return -EINVAL;
	}
	if (j->label && sv_field_check("label", j->label, 128, cli->err,
				       sizeof(cli->err)) < 0)
		return -EINVAL;
	if (j->ca_file && !*j->ca_file)
		j->ca_file = NULL;
	if (acct_jwks_url_check(j->url, err, sizeof(err)) < 0 ||
	    (j->ca_file &&
	     acct_jwks_ca_check(j->ca_file, err, sizeof(err)) < 0)) {
		snprintf(cli->err, sizeof(cli->err), "%s: %s", what, err);
		return -EINVAL;
	}
	return 0;
}

int port_import_jwks(struct cli *cli, struct sv_txn *t, json_t *arr)
{
	char id[SV_CRED_ID_LEN + 1], tmp[sizeof(cli->err)];
	struct port_jwks j;
	size_t i;
	json_t *o;
	json_array_foreach (arr, i, o) {
		char what[64];
		struct acct a;
		snprintf(what, sizeof(what), "jwks[%zu]", i);
		cli->err[0] = '\0';
		int e = port_jwks_parse(cli, o, what, &j);
		if (e < 0)
			return e;
		if (sv_model_account_load(t, j.account, &a) < 0) {
			snprintf(cli->err, sizeof(cli->err),
				 "%s: no account '%s'", what, j.account);
			return -ENOENT;
		}
		acct_free(&a);
		struct cred_scope scope = {0};
		e = port_cred_scope(cli, t, what, j.account, j.roles, j.from,
				    &scope);
		if (e < 0)
			return e;
		e = op_jwks_add(cli, t, j.account, j.url, j.ca_file, j.label,
				j.expires, &scope, id);
		cred_scope_free(&scope);
		if (e < 0) {
			snprintf(tmp, sizeof(tmp), "%s", cli->err);
			snprintf(cli->err, sizeof(cli->err), "%s: %.900s", what,
				 tmp);
			return e;
		}
	}
	return 0;
}
