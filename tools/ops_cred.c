/* SPDX-License-Identifier: MIT */
/* svcacct's credential operations (assertion keys, ssh keys): typed options in,
 * the change made in a transaction, refusals in cli->err; no argv, no output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "keys.h"
#include "names.h"
#include "ops.h"
#include "secret.h"
#include "sshkey.h"

struct kid_find {
	const char *kid;
	bool taken;
};

static int find_kid(const struct sv_cred *c, void *ctx)
{
	struct kid_find *f = ctx;
	f->taken = c->type == SV_CRED_KEY && sv_str_eq(c->kid, f->kid);
	return f->taken;
}

bool cli_kid_taken(struct sv_txn *t, const char *account, const char *kid)
{
	struct kid_find f = {.kid = kid};
	(void)sv_model_each_cred(t, SV_DB_CREDENTIALS, account, find_kid, &f);
	return f.taken;
}

int cred_refuse_revoked(struct cli *cli, struct sv_txn *t,
			const struct sv_cred *c)
{
	char fpr[SV_CRED_FPR_MAX];
	bool revoked = true;
	int e = sv_cred_fingerprint(c, fpr);

	if (e == -ENOENT)
		return 0;
	if (e == 0)
		e = sv_txn_key_revoked(t, fpr, &revoked);
	if (e < 0) {
		snprintf(cli->err, sizeof(cli->err),
			 "cannot tell whether the key was revoked: %s",
			 strerror(-e));
		return e;
	}
	if (revoked && !cli->allow_revoked_keys) {
		snprintf(cli->err, sizeof(cli->err),
			 "key %s was revoked; registering revoked key "
			 "material again needs %s",
			 fpr,
			 cli->revoked_flag ? cli->revoked_flag
					   : "--allow-revoked-key");
		return -EACCES;
	}
	return 0;
}

int op_sshkey_parse(const char *line, char **material, char fpr[64],
		    char comment[129], char *err, size_t errlen)
{
	struct sshkey k = {0};
	int e = sshkey_parse_line(line, &k, err, errlen);
	*material = NULL;
	if (e == 0 && asprintf(material, "%s %s", k.type, k.b64) < 0) {
		*material = NULL;
		snprintf(err, errlen, "out of memory");
		e = -ENOMEM;
	}
	if (e == 0) {
		snprintf(fpr, 64, "%s", k.fpr);
		snprintf(comment, 129, "%s", k.comment);
	}
	sshkey_free(&k);
	return e < 0 ? e : 0;
}

int sshkey_find_key(const struct sv_cred *c, void *ctx)
{
	struct sshkey_find *f = ctx;
	if (c->type != SV_CRED_SSHKEY)
		return 0;
	if ((f->material && sv_str_eq(c->material, f->material)) ||
	    (f->id && (sv_str_eq(c->id, f->id) || sv_str_eq(c->kid, f->id)))) {
		snprintf(f->found, sizeof(f->found), "%.*s", (int)c->id.n,
			 c->id.p);
		return 1;
	}
	return 0;
}

/* A new credential of the account's, created now; the caller sets what
 * its type adds (kid, material, alg). */
static struct sv_cred cred_new(uint8_t type, const char *id,
			       const char *account, const char *label,
			       int64_t expires)
{
	return (struct sv_cred){
	    .type = type,
	    .created = (int64_t)time(NULL),
	    .expires = expires,
	    .id = SV_STR(id),
	    .account = SV_STR(account),
	    .label = SV_STR(label),
	};
}

int op_sshkey_add(struct cli *cli, struct sv_txn *t, const char *account,
		  const char *line, const char *label, int64_t expires,
		  char id[SV_CRED_ID_LEN + 1])
{
	struct sshkey k = {0};
	char *material = NULL;
	int e;

	if (sshkey_parse_line(line, &k, cli->err, sizeof(cli->err)) < 0) {
		e = -EINVAL;
		goto out;
	}
	if (!label && *k.comment &&
	    sv_field_check("comment", k.comment, 128, cli->err,
			   sizeof(cli->err)) < 0) {
		e = -EINVAL;
		goto out;
	}
	if (asprintf(&material, "%s %s", k.type, k.b64) < 0) {
		material = NULL;
		e = -ENOMEM;
		goto out;
	}
	struct sshkey_find f = {.material = material};
	e = sv_model_each_cred(t, SV_DB_PUBKEYS, account, sshkey_find_key, &f);
	if (e > 0)
		e = 0;
	if (e == 0 && *f.found) {
		snprintf(cli->err, sizeof(cli->err),
			 "account '%s' already has this key (%s)", account,
			 f.found);
		e = -EEXIST;
		goto out;
	}
	if (e == 0)
		e = sv_cred_id_generate(id);
	if (e == 0) {
		struct sv_cred c = cred_new(SV_CRED_SSHKEY, id, account,
					    label ? label : k.comment, expires);
		c.kid = SV_STR(k.fpr);
		c.material = SV_STR(material);
		e = cred_refuse_revoked(cli, t, &c);
		if (e == 0)
			e = sv_model_cred_add(t, SV_DB_PUBKEYS, &c);
	}
	if (e < 0 && !*cli->err)
		snprintf(cli->err, sizeof(cli->err), "store: %s", strerror(-e));
out:
	free(material);
	sshkey_free(&k);
	return e;
}

int op_secret_add(struct sv_txn *t, const char *account, const char *id,
		  const uint8_t *hash, size_t hashlen, const char *label,
		  int64_t expires)
{
	struct sv_cred c =
	    cred_new(SV_CRED_SECRET, id, account, label ? label : "", expires);
	c.kid = SV_STR("");
	c.material = (struct sv_str){(const char *)hash, hashlen};
	return sv_model_cred_add(t, SV_DB_CREDENTIALS, &c);
}

int op_key_add(struct cli *cli, struct sv_txn *t, const char *account,
	       const struct sv_key *key, const char *label, int64_t expires,
	       char id[SV_CRED_ID_LEN + 1])
{
	if (cli_kid_taken(t, account, key->kid)) {
		snprintf(cli->err, sizeof(cli->err),
			 "account '%s' already has a key with kid '%s'",
			 account, key->kid);
		return -EEXIST;
	}
	int e = sv_cred_id_generate(id);
	struct sv_cred c =
	    cred_new(SV_CRED_KEY, id, account, label ? label : "", expires);
	c.alg = (uint8_t)key->alg;
	c.kid = SV_STR(key->kid);
	c.material = (struct sv_str){(const char *)key->blob, key->bloblen};
	if (e == 0)
		e = cred_refuse_revoked(cli, t, &c);
	if (e == 0)
		e = sv_model_cred_add(t, SV_DB_CREDENTIALS, &c);
	if (e < 0 && !*cli->err)
		snprintf(cli->err, sizeof(cli->err), "store: %s", strerror(-e));
	return e;
}

struct rotate_find {
	uint8_t type;
	const char *what;
	char *found;
};

static int rotate_find_one(const struct sv_cred *c, void *ctx)
{
	struct rotate_find *f = ctx;
	if (c->type != f->type || c->id.n != SV_CRED_ID_LEN ||
	    !(sv_str_eq(c->id, f->what) ||
	      (f->type == SV_CRED_KEY && sv_str_eq(c->kid, f->what))))
		return 0;
	snprintf(f->found, SV_CRED_ID_LEN + 1, "%.*s", (int)c->id.n, c->id.p);
	return 1;
}

int op_cred_rotate(struct cli *cli, struct sv_txn *t, const char *account,
		   const char *what, const struct sv_cred *fresh, int64_t now,
		   int64_t grace_end, char old_id[SV_CRED_ID_LEN + 1],
		   int64_t *new_exp, int64_t *old_exp)
{
	const char *kind = fresh->type == SV_CRED_KEY ? "key" : "secret";
	struct rotate_find f = {
	    .type = fresh->type, .what = what, .found = old_id};
	bool revoked = true;
	char kid[SV_KID_MAX + 1];
	int e;

	old_id[0] = '\0';
	e = sv_model_each_cred(t, SV_DB_CREDENTIALS, account, rotate_find_one,
			       &f);
	if (e < 0)
		goto store;
	/* a revoked id has no record left, unless a rollback brought back
	 * a generation that held it: either way it stays revoked */
	if (*old_id || sv_cred_id_valid(what)) {
		e = sv_txn_is_revoked(t, *old_id ? old_id : what, &revoked);
		if (e < 0)
			goto store;
	} else {
		revoked = false;
	}
	if (revoked) {
		snprintf(cli->err, sizeof(cli->err),
			 "%s '%s' of account '%s' was revoked: a revoked "
			 "credential is not rotated (add a new one)",
			 kind, what, account);
		return -EACCES;
	}
	if (!*old_id) {
		snprintf(cli->err, sizeof(cli->err),
			 "account '%s' has no %s '%s'", account, kind, what);
		return -ENOENT;
	}
	if (fresh->type == SV_CRED_KEY) {
		snprintf(kid, sizeof(kid), "%.*s", (int)fresh->kid.n,
			 fresh->kid.p);
		if (cli_kid_taken(t, account, kid)) {
			snprintf(cli->err, sizeof(cli->err),
				 "account '%s' already has a key with kid "
				 "'%s' (give the new key another --kid)",
				 account, kid);
			return -EEXIST;
		}
		e = cred_refuse_revoked(cli, t, fresh);
		if (e < 0)
			return e;
	}
	e = sv_model_cred_rotate(t, SV_DB_CREDENTIALS, account, old_id, fresh,
				 now, grace_end, new_exp, old_exp);
	if (e == -ERANGE) {
		snprintf(cli->err, sizeof(cli->err),
			 "%s '%s' of account '%s': its expiry is not after its "
			 "creation, so it has no lifetime to pass on",
			 kind, old_id, account);
		return e;
	}
	if (e == 0)
		return 0;
store:
	snprintf(cli->err, sizeof(cli->err), "store: %s", strerror(-e));
	return e;
}
