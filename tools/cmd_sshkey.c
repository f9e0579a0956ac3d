/* SPDX-License-Identifier: MIT */
/* svcacct sshkey ... / authorized-keys NAME: OpenSSH public keys, the third
 * kind of credential, kept in pubkeys.db (0640, group keys_group) and served
 * to sshd's AuthorizedKeysCommand.
 *
 * A key line is parsed by sshkey.c, not by ssh-keygen: "TYPE BASE64 [COMMENT]",
 * the base64 strict and canonical, the wire blob walked field by field (the
 * type inside must equal the type outside, nothing may follow the last
 * field), RSA's modulus size read from the blob. Stored material is
 * "TYPE BASE64" only; the comment becomes the default label.
 *
 * authorized-keys runs as an unprivileged user of keys_group: it opens
 * accounts.db and pubkeys.db only, never credentials.db or the state dir. A
 * removed key is deleted from pubkeys.db (and recorded as revoked in the
 * state dir for the CLI's own bookkeeping), so serving keys needs nothing
 * else. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cli.h"
#include "cred_list.h"
#include "ops.h"
#include "names.h"
#include "sshkey.h"
#include "stop.h"

#define PUBKEY_FILE_MAX (64 * 1024)

/* ------------------------------------------------------------ store */

/* ------------------------------------------------------------ verbs */

int sshkey_add(struct cli *cli, const struct cli_args *args)
{
	struct sshkey k = {0};
	struct sv_txn *t = NULL;
	char *buf = NULL, id[SV_CRED_ID_LEN + 1];
	char err[256] = "";
	size_t len = 0;
	int64_t exp;
	int r = cli_cred_args(cli, args, args->npos == 1 && args->pubkey, &exp);

	if (r)
		return r;
	if (cli_read_file(cli, args->pubkey, PUBKEY_FILE_MAX, &buf, &len) < 0)
		return EXIT_FAIL;
	/* one key line; a trailing newline is fine, a second line is not */
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	if (memchr(buf, '\0', len) || strchr(buf, '\n')) {
		r = cli_fail(cli, "%s: expected exactly one key line",
			     args->pubkey);
		goto out;
	}
	/* parse once before taking the lock, for the message and the log */
	if (sshkey_parse_line(buf, &k, err, sizeof(err)) < 0) {
		r = cli_fail(cli, "%s: %s", args->pubkey, err);
		goto out;
	}
	t = cli_begin_account(cli, args->pos[0], NULL);
	if (!t) {
		r = EXIT_FAIL;
		goto out;
	}
	cli->err[0] = '\0';
	struct cred_scope scope = {0};
	if (op_cred_scope_csv(cli, t, args->pos[0], args->roles, args->from,
			      false, &scope) < 0) {
		r = cli_fail(cli, "%s", cli->err);
		goto out;
	}
	int e = op_sshkey_add(cli, t, args->pos[0], buf, args->label, exp,
			      &scope, id);
	cred_scope_free(&scope);
	if (e < 0) {
		r = cli_fail(cli, "%s: %s%s", args->pubkey, cli->err,
			     strstr(cli->err, "comment")
				 ? " (give --label instead)"
				 : "");
		goto out;
	}
	r = cli_commit(cli, t);
	t = NULL;
	if (r == EXIT_OK) {
		cli_audit("sshkey-add",
			  "account=%s credential=%s type=%s bits=%u "
			  "fingerprint=%s",
			  args->pos[0], id, k.type, k.bits, k.fpr);
		cli_report(cli,
			   json_pack("{s:s, s:s, s:s, s:i, s:s}", "account",
				     args->pos[0], "id", id, "type", k.type,
				     "bits", (int)k.bits, "fingerprint", k.fpr),
			   "added ssh key %s to %s (%s, %s)", id, args->pos[0],
			   k.type, k.fpr);
	}
out:
	sv_txn_abort(t);
	sshkey_free(&k);
	free(buf);
	return r;
}

/* The revocation list a reader of ssh keys honours: the state dir's for
 * root, else the copy published for the keys group. */
static int open_revocations(struct cli *cli, struct sv_revocations **rv)
{
	int sfd = sv_state_open_dir(&cli->cfg);
	int e = -EACCES;
	if (sfd >= 0) {
		e = sv_revocations_open_state(sfd, rv);
		close(sfd);
	}
	if (e < 0)
		e = sv_revocations_open_public(&cli->cfg, rv);
	if (e < 0)
		snprintf(cli->err, sizeof(cli->err),
			 "reading the revocation list: %s (a key's status "
			 "cannot be told)",
			 strerror(-e));
	return e;
}

static int list_key(const struct sv_cred *c, bool revoked, void *ctx)
{
	char b1[32], b2[32];
	const char *sp = memchr(c->material.p, ' ', c->material.n);
	int tl = sp ? (int)(sp - c->material.p) : (int)c->material.n;
	bool expired = c->expires && c->expires <= (int64_t)time(NULL);
	if (c->type != SV_CRED_SSHKEY)
		return 0;
	json_array_append_new(
	    ctx,
	    json_pack("{s:s%, s:s%, s:s%, s:s%, s:s, s:s, s:s}", "id", c->id.p,
		      c->id.n, "type", c->material.p, (size_t)tl, "fingerprint",
		      c->kid.p, c->kid.n, "label", c->label.p, c->label.n,
		      "created", cli_time(c->created, b1, sizeof(b1)),
		      "expires", cli_time(c->expires, b2, sizeof(b2)), "status",
		      revoked	? "revoked"
		      : expired ? "expired"
				: "active"));
	cli_scope_json(c, json_array_get(ctx, json_array_size(ctx) - 1), true);
	return 0;
}

int sshkey_list(struct cli *cli, const struct cli_args *args)
{
	json_t *arr, *it;
	size_t i;
	int64_t exp;
	int r = cli_cred_args(cli, args, args->npos == 1, &exp);

	if (r)
		return r;
	r = cli_list_creds(cli, args->pos[0], SV_DB_PUBKEYS, "keys",
			   open_revocations, list_key, &arr);
	if (r)
		return r;
	cli_json_sort(arr, "created", "id");
	bool scoped;
	r = cred_list_annotate(cli, args->pos[0], arr, args->unused, &scoped);
	if (r) {
		json_decref(arr);
		return r;
	}
	if (cli->json)
		return cli_json_out(arr);
	char last[1024];
	cli_scope_cell(NULL, "LABEL", scoped, last, sizeof(last));
	printf("%-16s %-20s %-51s %-8s %-20s %-20s %s\n", "ID", "TYPE",
	       "FINGERPRINT", "STATUS", "EXPIRES", "LAST USED", last);
	json_array_foreach (arr, i, it) {
		char lu[32];
		cli_last_used_text(it, lu, sizeof(lu));
#define S(k) json_string_value(json_object_get(it, k))
		cli_scope_cell(it, S("label"), scoped, last, sizeof(last));
		printf("%-16s %-20s %-51s %-8s %-20s %-20s %s\n", S("id"),
		       S("type"), S("fingerprint"), S("status"), S("expires"),
		       lu, last);
#undef S
	}
	json_decref(arr);
	return EXIT_OK;
}

int sshkey_remove(struct cli *cli, const struct cli_args *args)
{
	struct sv_txn *t;
	int64_t exp;
	int r = cli_cred_args(cli, args, args->npos == 2, &exp), e;

	if (r)
		return r;
	t = cli_begin_account(cli, args->pos[0], NULL);
	if (!t)
		return EXIT_FAIL;
	struct sshkey_find f = {.id = args->pos[1]};
	e = sv_model_each_cred(t, SV_DB_PUBKEYS, args->pos[0], sshkey_find_key,
			       &f);
	if (e > 0)
		e = 0;
	if (e == 0 && !*f.found) {
		sv_txn_abort(t);
		return cli_fail(cli, "account '%s' has no ssh key '%s'",
				args->pos[0], args->pos[1]);
	}
	if (e == 0)
		e = sv_model_cred_remove(t, SV_DB_PUBKEYS, args->pos[0],
					 f.found);
	if (e < 0) {
		sv_txn_abort(t);
		return cli_fail(cli, "store: %s", strerror(-e));
	}
	r = cli_commit(cli, t);
	if (r == EXIT_OK) {
		json_t *j = json_pack("{s:s, s:s}", "account", args->pos[0],
				      "removed", f.found);
		char line[512] = "";
		cli_audit("sshkey-remove", "account=%s credential=%s%s",
			  args->pos[0], f.found, args->stop ? " stop=yes" : "");
		if (args->stop)
			r = cli_revoke_stop(cli, args->pos[0], f.found, j, line,
					    sizeof(line));
		cli_report(cli, j, "removed ssh key %s of %s%s", f.found,
			   args->pos[0], line);
	}
	return r;
}

/* ------------------------------------------------------------ authorized-keys
 */

struct ak {
	const char *forced; /* command="..." value, or NULL */
	int64_t now;
	unsigned printed;
	/* for a scoped key's own command */
	struct sv_reader *rd;
	const struct sv_config *cfg;
	const struct sv_account *acct;
};

static int single_command(struct sv_reader *rd, const struct sv_config *c,
			  const struct sv_account *acct,
			  const struct sv_u32list *scope, char **out);

/* A stored "TYPE BASE64" that is exactly that (the file is read as
 * hostile: a damaged record must not inject options into sshd's input). */
static bool material_ok(struct sv_str m)
{
	size_t sp = 0, spaces = 0;
	if (m.n < 3 || m.n > 8192)
		return false;
	for (size_t i = 0; i < m.n; i++) {
		char ch = m.p[i];
		if (ch == ' ') {
			spaces++;
			sp = i;
		} else if (!((ch >= 'a' && ch <= 'z') ||
			     (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9') || ch == '+' ||
			     ch == '/' || ch == '=' || ch == '-')) {
			return false;
		}
	}
	return spaces == 1 && sp > 0 && sp + 1 < m.n;
}

static bool id_ok(struct sv_str s)
{
	if (s.n != SV_CRED_ID_LEN)
		return false;
	for (size_t i = 0; i < s.n; i++)
		if (!((s.p[i] >= '0' && s.p[i] <= '9') ||
		      (s.p[i] >= 'a' && s.p[i] <= 'f')))
			return false;
	return true;
}

static int ak_key(const struct sv_cred *c, bool revoked, void *ctx)
{
	struct ak *a = ctx;
	if (c->type != SV_CRED_SSHKEY || revoked)
		return 0;
	if (c->expires && c->expires <= a->now)
		return 0;
	if (!material_ok(c->material) || !id_ok(c->id))
		return 0;
	/* a scoped key: the one command of the roles it may hold */
	char *own = NULL;
	const char *forced = a->forced;
	if (c->roles.count) {
		int e = single_command(a->rd, a->cfg, a->acct, &c->roles, &own);
		if (e < 0)
			return e;
		forced = own;
	}
	if (forced)
		printf("restrict,command=\"%s\" %.*s svcacct:%.*s\n", forced,
		       (int)c->material.n, c->material.p, (int)c->id.n,
		       c->id.p);
	else
		printf("restrict %.*s svcacct:%.*s\n", (int)c->material.n,
		       c->material.p, (int)c->id.n, c->id.p);
	free(own);
	a->printed++;
	return 0;
}

/* Whether gid is in a scope (NULL: every role). */
static bool in_scope(const struct sv_u32list *scope, uint32_t gid)
{
	for (uint32_t i = 0; scope && i < scope->count; i++)
		if (sv_u32list_get(scope, i) == gid)
			return true;
	return !scope;
}

/* The single command the account's roles (those in scope, unless NULL)
 * allow, if exactly one and it can be forced as is (no "*" pattern,
 * nothing sshd would dequote). */
static int single_command(struct sv_reader *rd, const struct sv_config *c,
			  const struct sv_account *acct,
			  const struct sv_u32list *scope, char **out)
{
	struct strv all = {0};
	int e = 0;

	*out = NULL;
	for (uint32_t i = 0; e == 0 && i < acct->roles.count; i++) {
		struct sv_blob b = {0};
		struct sv_role role;
		uint32_t gid = sv_u32list_get(&acct->roles, i);
		size_t off = 0;
		uint32_t idx = 0;
		struct sv_str it;
		if (!sv_role_gid_acceptable(c, gid) || !in_scope(scope, gid) ||
		    sv_get_role_by_gid(rd, gid, &b, &role) < 0)
			continue;
		while (e == 0 &&
		       sv_list_next(&role.commands, &off, &idx, &it)) {
			char *s = sv_str_dup(it);
			if (!s)
				e = -ENOMEM;
			else if (!strv_has(&all, s))
				e = strv_add(&all, s);
			free(s);
		}
		sv_blob_free(&b);
	}
	if (e == 0 && all.n == 1 && !strpbrk(all.v[0], "\"\\*") &&
	    all.v[0][0] == '/') {
		*out = strdup(all.v[0]);
		if (!*out)
			e = -ENOMEM;
	}
	strv_free(&all);
	return e;
}

/* Identity is the UID: the keys of account a go only to the user sshd is
 * about to log in, and that user is the account only if its UID is the
 * account's. sshd hands the UID over with %U; without it, the system's NSS
 * is asked as sshd asked it (an earlier source may hold a user of the same
 * name). */
static bool ak_same_identity(const char *name, const char *uidarg, uint32_t uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	uint32_t u;

	if (uidarg)
		return cli_parse_u32(uidarg, &u) == 0 && u == uid;
	if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return false;
	return res->pw_uid == uid;
}

int cmd_authorized_keys(struct cli *cli, const struct cli_args *args)
{
	struct sv_reader *rd = NULL;
	struct sv_blob ab = {0};
	struct sv_account a;
	struct ak st = {.now = (int64_t)time(NULL)};
	struct sv_revocations *rv = NULL;
	char err[128], *forced = NULL;
	int e, r = EXIT_OK;

	if (args->npos != 1 && args->npos != 2)
		return cli_usage_verb(cli, args);
	const char *name = args->pos[0];
	/* sshd asks for every user that offers a key: for anybody who is not
	 * a service account the answer is empty, and that is success */
	if (sv_name_check(name, err, sizeof(err)) < 0)
		return EXIT_OK;
	e = sv_reader_open(&cli->cfg,
			   SV_DBMASK(SV_DB_ACCOUNTS) | SV_DBMASK(SV_DB_PUBKEYS),
			   &rd);
	if (e == -ENOENT)
		return EXIT_OK;
	if (e < 0) {
		sv_reader_close(rd);
		rd = cli_reader(cli, SV_DBMASK(SV_DB_ACCOUNTS) |
					 SV_DBMASK(SV_DB_PUBKEYS));
		sv_reader_close(rd);
		return EXIT_FAIL;
	}
	e = sv_get_account(rd, name, &ab, &a);
	if (e == -ENOENT)
		goto out;
	if (e < 0) {
		r = cli_fail(cli, "account '%s': unreadable record", name);
		goto out;
	}
	if ((a.flags & SV_ACCT_DISABLED) ||
	    (a.expires && a.expires <= st.now) ||
	    !sv_uid_acceptable(&cli->cfg, a.uid))
		goto out;
	/* an account that allows no login by ssh key: sshd is offered no
	 * key, so it never even tries one (the session phase refuses a key
	 * that sshd found elsewhere) */
	if (a.methods && !(a.methods & SV_ACCT_METHOD_SSHKEY))
		goto out;
	if (!ak_same_identity(name, args->npos == 2 ? args->pos[1] : NULL,
			      a.uid)) {
		/* sshd logs the command's stderr: say why nothing is served */
		fprintf(stderr,
			"svcacct: authorized-keys: the user '%s' that sshd "
			"resolved is not the service account (UID %u): "
			"serving no key\n",
			name, a.uid);
		goto out;
	}
	e = single_command(rd, &cli->cfg, &a, NULL, &forced);
	if (e < 0) {
		r = cli_fail(cli, "reading roles: %s", strerror(-e));
		goto out;
	}
	st.forced = forced;
	st.rd = rd;
	st.cfg = &cli->cfg;
	st.acct = &a;
	/* revoked stays revoked in whatever generation is current (a
	 * rollback may have published one that still holds a removed key):
	 * without the list, no key is served */
	e = sv_revocations_open_public(&cli->cfg, &rv);
	if (e < 0) {
		r = cli_fail(cli,
			     "%s/%s: %s: serving no key without the "
			     "revocation list",
			     cli->cfg.db_dir, SV_PUBLIC_REVOKED, strerror(-e));
		goto out;
	}
	e = sv_each_cred(rd, SV_DB_PUBKEYS, &a, rv, ak_key, &st);
	if (e < 0) {
		r = cli_fail(cli, "reading keys: %s", strerror(-e));
		goto out;
	}
out:
	sv_revocations_close(rv);
	free(forced);
	sv_blob_free(&ab);
	sv_reader_close(rd);
	return r;
}
