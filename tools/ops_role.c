/* SPDX-License-Identifier: MIT */
/* svcacct's role operations: typed options in, the change made in a
 * transaction, refusals in cli->err; no argv, no output. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "issuer_model.h"
#include "names.h"
#include "ops.h"

bool role_service_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("_.-", s[i])))
			return false;
	return true;
}

/* "bad WHAT 'ITEM'", and for a source what is wrong with it: -EINVAL. */
int role_bad_item(struct cli *cli, const char *what, const char *item,
		  bool (*valid)(const char *))
{
	char why[160];
	const char *p = valid == cli_source_valid
			    ? cli_source_problem(item, why, sizeof(why))
			    : NULL;
	snprintf(cli->err, sizeof(cli->err), "bad %s '%s'%s%s", what, item,
		 p ? ": " : "", p ? p : "");
	return -EINVAL;
}

/* Replace a list from "a,b,c" ("" empties it), validating each entry. */
static int set_list(struct cli *cli, struct strv *dst, const char *csv,
		    bool (*valid)(const char *), const char *what)
{
	char **v = cli_split(csv);
	int e = 0;
	if (!v)
		return -ENOMEM;
	strv_free(dst);
	for (size_t i = 0; v[i] && e == 0; i++) {
		if (!valid(v[i])) {
			e = role_bad_item(cli, what, v[i], valid);
		} else if (!strv_has(dst, v[i])) {
			e = strv_add(dst, v[i]);
		}
	}
	free(v);
	return e;
}

/* One sudo command of a role: an absolute path, no control characters. */
int role_command_check(struct cli *cli, const char *cmd)
{
	/* ':' is fine here (host:path, image:tag): commands never reach a
	 * passwd line */
	for (const char *q = cmd; *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f) {
			snprintf(cli->err, sizeof(cli->err),
				 "command contains a control character");
			return -EINVAL;
		}
	if (strlen(cmd) > 1024) {
		snprintf(cli->err, sizeof(cli->err),
			 "command is longer than 1024 bytes");
		return -EINVAL;
	}
	if (cmd[0] != '/') {
		snprintf(cli->err, sizeof(cli->err),
			 "command '%s' must start with an absolute path", cmd);
		return -EINVAL;
	}
	return 0;
}

static int set_commands(struct cli *cli, struct strv *dst,
			const char *const *cmds, size_t n)
{
	int e;
	strv_free(dst);
	for (size_t i = 0; i < n; i++) {
		if ((e = role_command_check(cli, cmds[i])) < 0)
			return e;
		if (!strv_has(dst, cmds[i]) && strv_add(dst, cmds[i]) < 0)
			return -ENOMEM;
	}
	return 0;
}

int role_set_services(struct cli *cli, struct strv *dst, const char *csv)
{
	return set_list(cli, dst, csv, role_service_valid, "service");
}

int role_set_sources(struct cli *cli, struct strv *dst, const char *csv)
{
	return set_list(cli, dst, csv, cli_source_valid, "source");
}

int role_set_commands(struct cli *cli, struct strv *dst,
		      const char *const *cmds, size_t n)
{
	return set_commands(cli, dst, cmds, n);
}

int cli_group_name_allowed(struct cli *cli, const char *what, const char *name,
			   bool force)
{
	const char *own = strcmp(what, "account")
			      ? ""
			      : " (an account's own group has its name)";
	const char *who =
	    strcmp(what, "account") ? "role's members" : "account";
	enum sv_group_reserved kind = sv_group_name_reserved(&cli->cfg, name);
	if (kind == SV_GROUP_FREE)
		return 0;
	/* force takes a reserved name, never keys_group */
	if (force && (kind == SV_GROUP_CONFIG || kind == SV_GROUP_BUILTIN))
		return 1;
	switch (kind) {
	case SV_GROUP_FREE: break;
	case SV_GROUP_KEYS_GROUP:
		snprintf(cli->err, sizeof(cli->err),
			 "%s name '%s' is keys_group in %s%s: the group that "
			 "may read pubkeys.db; choose another name",
			 what, name, cli->conf_path, own);
		break;
	case SV_GROUP_CONFIG:
		snprintf(cli->err, sizeof(cli->err),
			 "%s name '%s' is reserved by reserved_group_names in "
			 "%s%s; choose another name, or use --force if the %s "
			 "must have it",
			 what, name, cli->conf_path, own, what);
		break;
	case SV_GROUP_BUILTIN:
		snprintf(cli->err, sizeof(cli->err),
			 "%s name '%s' is reserved%s: it is a group that the "
			 "system or a package creates, and once svcacct serves "
			 "it that creation fails, or the package reuses this "
			 "GID and gives the %s the group's power; choose "
			 "another name, or use --force if the %s must have it "
			 "(or exempt the name in %s with reserved_group_names "
			 "= !%s)",
			 what, name, own, who, what, cli->conf_path, name);
		break;
	}
	return -EPERM;
}

int op_next_free_id(struct cli *cli, struct sv_txn *t, bool gid, uint32_t *id)
{
	const struct sv_config *c = &cli->cfg;
	for (;;) {
		int e = sv_state_next_id(t, gid, id);
		if (e == -ENOSPC)
			snprintf(cli->err, sizeof(cli->err),
				 "no free %s left in %u-%u",
				 gid ? "GID" : "UID",
				 gid ? c->gid_min : c->uid_min,
				 gid ? c->gid_max : c->uid_max);
		if (e < 0)
			return e;
		/* a GID is a group's; a UID is also its account's own
		 * group's GID; the base role's GID is never handed out */
		if (gid ? *id != c->base_gid && !cli_gid_exists(cli, *id)
			: !cli_uid_exists(cli, *id) &&
			      !cli_gid_exists(cli, *id))
			return 0;
	}
}

int op_name_free(struct cli *cli, struct sv_txn *t, const char *what,
		 const char *name)
{
	bool role = strcmp(what, "account");
	struct acct a;
	struct role x;
	bool is_acct = sv_model_account_load(t, name, &a) == 0;
	if (is_acct)
		acct_free(&a);
	bool is_role = sv_model_role_load(t, name, &x) == 0;
	if (is_role)
		role_free(&x);
	if (role ? is_role : is_acct)
		snprintf(cli->err, sizeof(cli->err), "%s '%s' already exists",
			 what, name);
	else if (role ? is_acct : is_role)
		snprintf(cli->err, sizeof(cli->err),
			 "'%s' is already %s (its group would clash)", name,
			 role ? "an account" : "a role");
	else if (cli_user_exists(cli, name) || cli_group_exists(cli, name))
		snprintf(cli->err, sizeof(cli->err),
			 "'%s' already exists as %s on this host", name,
			 role ? "a group or user" : "a user or group");
	else
		return 0;
	return -EEXIST;
}

int op_role_create(struct cli *cli, struct sv_txn *t, const struct role_opts *o,
		   struct role *out)
{
	const struct sv_config *c = &cli->cfg;
	struct role x = {0};
	int e;

	if (!strcmp(o->name, SV_BASE_ROLE)) {
		snprintf(cli->err, sizeof(cli->err),
			 "'%s' is the base role: it always exists (change it "
			 "with role set %s)",
			 SV_BASE_ROLE, SV_BASE_ROLE);
		return -EEXIST;
	}
	if (sv_name_check(o->name, cli->err, sizeof(cli->err)) < 0)
		return -EINVAL;
	if (o->description && sv_field_check("description", o->description, 255,
					     cli->err, sizeof(cli->err)) < 0)
		return -EINVAL;
	if ((e = op_name_free(cli, t, "role", o->name)) < 0)
		return e;
	if ((e = cli_group_name_allowed(cli, "role", o->name, o->force)) < 0)
		return e;
	memset(&x, 0, sizeof(x));
	if (o->services && (e = set_list(cli, &x.services, o->services,
					 role_service_valid, "service")) < 0)
		goto fail;
	if (o->sources && (e = set_list(cli, &x.sources, o->sources,
					cli_source_valid, "source")) < 0)
		goto fail;
	if ((e = set_commands(cli, &x.commands, o->commands, o->ncommands)) < 0)
		goto fail;
	if (o->gid) {
		bool retired = false;
		if (cli_parse_u32(o->gid, &x.gid) < 0) {
			snprintf(cli->err, sizeof(cli->err),
				 "GID '%.32s' is not a number", o->gid);
			e = -EINVAL;
			goto fail;
		}
		if (x.gid == c->base_gid || !sv_role_gid_acceptable(c, x.gid)) {
			snprintf(cli->err, sizeof(cli->err),
				 "GID %s is outside the configured range %u-%u",
				 o->gid, c->gid_min, c->gid_max);
			e = -ERANGE;
			goto fail;
		}
		if (sv_model_id_taken(t, true, x.gid)) {
			snprintf(cli->err, sizeof(cli->err),
				 "GID %u is already taken", x.gid);
			e = -EEXIST;
			goto fail;
		}
		/* unreadable: retired, assume the worst */
		(void)sv_txn_id_retired(t, true, x.gid, &retired);
		if (retired || cli_gid_exists(cli, x.gid)) {
			snprintf(cli->err, sizeof(cli->err),
				 retired
				     ? "GID %u was handed out before (to a "
				       "deleted or rolled-back role) and is "
				       "never reused"
				     : "GID %u already exists on this host",
				 x.gid);
			e = -EEXIST;
			goto fail;
		}
		if ((e = sv_state_note_id(t, true, x.gid)) < 0)
			goto io;
	} else if ((e = op_next_free_id(cli, t, true, &x.gid)) < 0) {
		if (e == -ENOSPC)
			goto fail;
		goto io;
	}
	x.name = strdup(o->name);
	x.description = strdup(o->description ? o->description : "");
	x.created = x.updated = (int64_t)time(NULL);
	if (!x.name || !x.description) {
		e = -ENOMEM;
		goto io;
	}
	if ((e = sv_model_role_create(t, &x)) < 0)
		goto io;
	*out = x;
	return 0;
io:
	snprintf(cli->err, sizeof(cli->err), "store: %s", strerror(-e));
fail:
	role_free(&x);
	return e;
}

int op_base_role_set(struct cli *cli, struct sv_txn *t,
		     const struct role_opts *o)
{
	struct role x;
	uint32_t gid;
	int e;

	if (o->gid &&
	    (cli_parse_u32(o->gid, &gid) < 0 || gid != cli->cfg.base_gid)) {
		snprintf(cli->err, sizeof(cli->err),
			 "the base role '%s' has GID %u (base_gid), not %.32s",
			 SV_BASE_ROLE, cli->cfg.base_gid, o->gid);
		return -EINVAL;
	}
	if (o->description && sv_field_check("description", o->description, 255,
					     cli->err, sizeof(cli->err)) < 0)
		return -EINVAL;
	if ((e = sv_model_base_role_load(t, &x)) < 0) {
		snprintf(cli->err, sizeof(cli->err), "base role: %s",
			 strerror(-e));
		return e;
	}
	free(x.description);
	x.description = strdup(o->description ? o->description : "");
	if (!x.description)
		e = -ENOMEM;
	if (e == 0)
		e = set_list(cli, &x.services, o->services ? o->services : "",
			     role_service_valid, "service");
	if (e == 0)
		e = set_list(cli, &x.sources, o->sources ? o->sources : "",
			     cli_source_valid, "source");
	if (e == 0)
		e = set_commands(cli, &x.commands, o->commands, o->ncommands);
	x.updated = (int64_t)time(NULL);
	if (!x.created)
		x.created = x.updated;
	if (e == 0 && (e = sv_model_base_role_save(t, &x)) < 0)
		snprintf(cli->err, sizeof(cli->err), "store: %s", strerror(-e));
	else if (e == -ENOMEM)
		snprintf(cli->err, sizeof(cli->err), "out of memory");
	role_free(&x);
	return e;
}

int op_role_delete(struct sv_txn *t, const struct role *x)
{
	int e = sv_model_role_delete(t, x, (int64_t)time(NULL));
	/* trusted issuers' role maps to it go too */
	if (e == 0)
		e = txn_issuers_forget(t, NULL, x->name);
	return e;
}
