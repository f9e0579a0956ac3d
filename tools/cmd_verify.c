/* SPDX-License-Identifier: MIT */
/* svcacct verify: would pam_svcacct accept this credential for this
 * account, and if not, why. The very same decision code as the module
 * (common/auth/login.c), with the jti only looked up, never recorded, so that a
 * check does not spend an assertion. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "login.h"
#include "names.h"
#include "policy.h"
#include "readfile.h"

/* One credential from stdin: the whole input, one trailing newline
 * dropped, at most max bytes. Never from argv, where ps would show it. */
static int read_credential(size_t max, char **out, size_t *len)
{
	size_t cap = max + 2, n = 0;
	char *buf = malloc(cap);
	ssize_t k;
	int r = 0;

	if (!buf)
		return -ENOMEM;
	k = sv_read_all(STDIN_FILENO, buf, cap);
	if (k < 0) {
		r = (int)k;
		goto out;
	}
	n = (size_t)k;
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	if (n > max) {
		r = -E2BIG;
		goto out;
	}
	*out = buf;
	*len = n;
	buf = NULL;
out:
	if (buf) {
		OPENSSL_cleanse(buf, cap);
		free(buf);
	}
	return r;
}

int cmd_verify(struct cli *cli, const struct cli_args *args)
{
	const char *service = args->service, *rhost = args->rhost,
		   *audience = args->audience;
	struct sv_reader *rd = NULL;
	struct sv_audiences *aud = NULL;
	struct sv_login *l = NULL;
	char *cred = NULL, err[128],
	     roles[SV_ROLES_MAX * (SV_NAME_MAX + 1) + 1],
	     scope[SV_ROLES_MAX * (SV_NAME_MAX + 1) + sizeof(SV_BASE_ROLE) + 1];
	size_t credlen = 0;
	const char *reason = NULL;
	enum sv_login_status st;
	int e, r = EXIT_FAIL;

	if (args->npos != 1)
		return cli_usage_verb(cli, args);
	const char *name = args->pos[0];
	if (sv_name_check(name, err, sizeof(err)) < 0)
		return cli_fail(cli, "%s", err);
	if (geteuid() != 0)
		return cli_fail(cli, "verify reads credentials.db, which only "
				     "root may read (run it with sudo)");
	e = read_credential(cli->cfg.max_credential_length, &cred, &credlen);
	if (e == -E2BIG)
		return cli_fail(cli,
				"credential longer than max_credential_length "
				"(%u bytes)",
				cli->cfg.max_credential_length);
	if (e < 0)
		return cli_fail(cli, "reading the credential from stdin: %s",
				strerror(-e));
	rd = cli_reader(cli, SV_DBMASK(SV_DB_ACCOUNTS) |
				 SV_DBMASK(SV_DB_CREDENTIALS));
	if (!rd)
		goto out;
	aud = calloc(1, sizeof(*aud));
	l = calloc(1, sizeof(*l));
	if (!aud || !l) {
		r = cli_fail(cli, "out of memory");
		goto out;
	}
	if (sv_audiences_build(&cli->cfg, audience, aud) < 0) {
		r = cli_fail(cli, "--audience: too long");
		goto out;
	}
	l->cfg = &cli->cfg;
	l->rd = rd;
	l->user = name;
	l->now = (int64_t)time(NULL);
	l->aud = aud;
	l->consume_jti = false;
	l->rhost = rhost;
	st = sv_login_account(l);
	if (st == SV_LOGIN_OK) {
		/* identity is the UID, as the module decides it: the name
		 * must resolve, through the system's NSS, to the account */
		uint32_t uid = 0;
		int ir = sv_identity_resolve(name, &uid);
		if (ir < 0 && ir != -ENOENT) {
			l->reason = "identity_unavailable";
			st = SV_LOGIN_UNAVAIL;
		} else if (ir == -ENOENT || uid != l->uid) {
			l->reason = "identity_mismatch";
			st = SV_LOGIN_DENY;
		}
	}
	if (st == SV_LOGIN_OK)
		st = sv_login_verify(l, cred, credlen);
	reason = l->reason;
	/* with a service, the account phase too, as the module runs it */
	if (st == SV_LOGIN_OK && service &&
	    sv_is_ui_service(&cli->cfg, service)) {
		reason = "ui_service";
		st = SV_LOGIN_DENY;
	} else if (st == SV_LOGIN_OK && service &&
		   sv_policy_allows(rd, &cli->cfg, &l->effective, service,
				    rhost, &reason) != 0) {
		st = SV_LOGIN_DENY;
	}
	if (st == SV_LOGIN_OK &&
	    sv_roleset_csv(&l->effective, roles, sizeof(roles)) < 0)
		roles[0] = '\0';
	/* the roles above are after the credential's scope; the scope
	 * itself, when it has one */
	if (sv_login_scope_csv(l, scope, sizeof(scope)) < 0)
		scope[0] = '\0';
	if (cli->json) {
		json_t *j =
		    json_pack("{s:s, s:b, s:s, s:s, s:s}", "account", name,
			      "accepted", st == SV_LOGIN_OK, "reason",
			      st == SV_LOGIN_OK ? "ok" : reason, "method",
			      sv_method_name(l->method), "credential",
			      l->cred_id[0] ? l->cred_id : "");
		if (j && st == SV_LOGIN_OK) {
			json_object_set_new(j, "roles", json_string(roles));
			if (l->cred_scoped)
				json_object_set_new(j, "scope",
						    json_string(scope));
			if (l->jti[0])
				json_object_set_new(j, "jti",
						    json_string(l->jti));
		}
		if (!j) {
			r = cli_fail(cli, "out of memory");
			goto out;
		}
		cli_json_out(j);
	} else if (st == SV_LOGIN_OK) {
		printf("accepted: account=%s method=%s credential=%s "
		       "roles=%s%s%s%s%s\n",
		       name, sv_method_name(l->method), l->cred_id, roles,
		       l->cred_scoped ? " scope=" : "",
		       l->cred_scoped ? scope : "", l->jti[0] ? " jti=" : "",
		       l->jti[0] ? l->jti : "");
	} else {
		printf(
		    "refused: account=%s method=%s credential=%s reason=%s\n",
		    name, sv_method_name(l->method),
		    l->cred_id[0] ? l->cred_id : "-", reason);
	}
	r = st == SV_LOGIN_OK ? EXIT_OK : EXIT_FAIL;
out:
	if (l) {
		sv_login_release(l);
		explicit_bzero(l, sizeof(*l));
	}
	free(l);
	free(aud);
	if (cred) {
		/* the buffer may also hold the line ending */
		OPENSSL_cleanse(cred, credlen + 2);
		free(cred);
	}
	sv_reader_close(rd);
	return r;
}
