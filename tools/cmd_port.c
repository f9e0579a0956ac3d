/* SPDX-License-Identifier: MIT */
/* svcacct export / import: the store as JSON, never with secrets. The
 * verbs: argv and output; the JSON forms are in port.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acct_jwks.h"
#include "cli.h"
#include "issuer_model.h"
#include "port.h"

#define IMPORT_MAX (512u * 1024 * 1024)

int cmd_export(struct cli *cli, const struct cli_args *args)
{
	if (args->npos)
		return cli_usage_verb(cli, args);
	unsigned mask = SV_DBMASK(SV_DB_ACCOUNTS);
	bool root = geteuid() == 0;
	if (root)
		mask |= SV_DBMASK(SV_DB_CREDENTIALS) | SV_DBMASK(SV_DB_PUBKEYS);
	struct sv_reader *rd = cli_reader(cli, mask);
	if (!rd)
		return EXIT_FAIL;
	int e = 0;
	json_t *keys = json_array(), *sshkeys = json_array(), *accounts = NULL;
	/* accounts only if the roles were read to their end */
	json_t *roles = port_export_roles(rd, &e);
	if (roles)
		accounts = port_export_accounts_keys(rd, root ? keys : NULL,
						     root ? sshkeys : NULL, &e);
	uint64_t gen = sv_reader_generation(rd);
	/* trusted issuers, with their cached keys for root */
	json_t *issuers = roles && accounts
			      ? issuers_export(rd, &cli->cfg, geteuid() == 0)
			      : NULL;
	if (roles && accounts && !issuers)
		e = -EBADMSG;
	/* the accounts' JWKS URLs, for root (their cached sets stay) */
	json_t *jwks = roles && accounts && issuers && root
			   ? port_export_jwks(rd, &e)
			   : NULL;
	if (root && roles && accounts && issuers && !jwks) {
		json_decref(issuers);
		issuers = NULL;
	}
	sv_reader_close(rd);
	if (!roles || !accounts || !issuers) {
		json_decref(issuers);
		json_decref(accounts);
		json_decref(roles);
		json_decref(keys);
		json_decref(sshkeys);
		return cli_fail(cli, "reading the store: %s (nothing exported)",
				strerror(-e));
	}
	json_t *doc = json_pack(
	    "{s:s, s:i, s:I, s:o, s:o, s:o, s:o}", "format", EXPORT_FORMAT,
	    "version", EXPORT_VERSION, "generation", (json_int_t)gen, "roles",
	    roles, "accounts", accounts, "keys", keys, "sshkeys", sshkeys);
	if (doc && issuers)
		json_object_set_new(doc, "issuers", issuers);
	if (doc && jwks)
		json_object_set_new(doc, "jwks", jwks);
	return cli_json_out(doc);
}

/* ------------------------------------------------------------ import */

int cmd_import(struct cli *cli, const struct cli_args *args)
{
	cli->revoked_flag = "--allow-revoked-keys";
	if (args->npos != 1)
		return cli_usage_verb(cli, args);
	const char *file = args->pos[0];
	if (cli_need_root(cli) < 0)
		return EXIT_FAIL;
	char *buf = NULL;
	size_t len = 0;
	if (cli_read_file(cli, file, IMPORT_MAX, &buf, &len) < 0)
		return EXIT_FAIL;
	json_error_t jerr;
	json_t *doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	free(buf);
	if (!doc)
		return cli_fail(cli, "%s:%d:%d: %s (nothing imported)", file,
				jerr.line, jerr.column, jerr.text);
	int r = EXIT_FAIL;
	cli->err[0] = '\0';
	if (cli_import_check(cli, doc) < 0) {
		json_decref(doc);
		return cli_fail(cli, "%s: %s (nothing imported)", file,
				cli->err);
	}
	json_t *roles = json_object_get(doc, "roles"),
	       *accounts = json_object_get(doc, "accounts"),
	       *keys = json_object_get(doc, "keys"),
	       *sshkeys = json_object_get(doc, "sshkeys"),
	       *issuers = json_object_get(doc, "issuers");
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
		r = cli_fail(cli, "%s: %s (nothing imported)", file,
			     *cli->err ? cli->err : strerror(-e));
	} else {
		r = cli_commit(cli, t);
		/* the issuers' keys are state, written once their records
		 * are committed */
		if (r == EXIT_OK && issuers)
			issuers_import_keys(cli, issuers);
		/* the accounts' JWKS URLs likewise: their sets fetched */
		json_t *jwks = json_object_get(doc, "jwks"), *o;
		size_t i;
		json_array_foreach (jwks, i, o) {
			const char *acct =
			    json_string_value(json_object_get(o, "account"));
			if (r == EXIT_OK && acct)
				jwks_fetch_new(cli, &acct, 1);
		}
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
