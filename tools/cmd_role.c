/* SPDX-License-Identifier: MIT */
/* svcacct role ... */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "issuer_model.h"
#include "names.h"
#include "util.h"

static bool service_valid(const char *s)
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
static int bad_item(struct cli *cli, const char *what, const char *item,
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
			e = bad_item(cli, what, v[i], valid);
		} else if (!strv_has(dst, v[i])) {
			e = strv_add(dst, v[i]);
		}
	}
	free(v);
	return e;
}

/* One sudo command of a role: an absolute path, no control characters. */
static int command_check(struct cli *cli, const char *cmd)
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
		if ((e = command_check(cli, cmds[i])) < 0)
			return e;
		if (!strv_has(dst, cmds[i]) && strv_add(dst, cmds[i]) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Where Linux-PAM reads a service's configuration. The test-suite points
 * it at a directory of its own (builds with --enable-test-hooks only). */
static bool pam_service_known(const char *service)
{
	static const char *const dirs[] = {SVCACCT_SYSCONFDIR "/pam.d",
					   "/usr/lib/pam.d"};
	char path[PATH_MAX];
	struct stat st;
#ifdef SVCACCT_TEST_HOOKS
	const char *dir = secure_getenv("SVCACCT_TEST_PAM_DIR");
	if (dir && *dir) {
		snprintf(path, sizeof(path), "%s/%s", dir, service);
		return stat(path, &st) == 0 && S_ISREG(st.st_mode);
	}
#endif
	for (size_t i = 0; i < SV_ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], service);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			return true;
	}
	return false;
}

/* A role for a PAM service that has no configuration never logs in there
 * (PAM falls back to "other", which denies): most likely a typo. Warns
 * for each such service; -EINVAL unless force. */
static int pam_services_check(struct cli *cli, const char *const *v, size_t n,
			      bool force)
{
	size_t missing = 0;
	for (size_t i = 0; i < n; i++) {
		if (pam_service_known(v[i]))
			continue;
		fprintf(stderr,
			"svcacct: warning: service '%s' has no PAM "
			"configuration (%s/pam.d/%s)\n",
			v[i], SVCACCT_SYSCONFDIR, v[i]);
		missing++;
	}
	if (missing && !force) {
		snprintf(cli->err, sizeof(cli->err),
			 "%zu service(s) without PAM configuration; check the "
			 "name%s, or use --force if it is installed later",
			 missing, missing > 1 ? "s" : "");
		return -EINVAL;
	}
	return 0;
}

int role_set_services(struct cli *cli, struct strv *dst, const char *csv)
{
	return set_list(cli, dst, csv, service_valid, "service");
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
	switch (sv_group_name_reserved(&cli->cfg, name)) {
	case SV_GROUP_FREE: return 0;
	case SV_GROUP_KEYS_GROUP:
		snprintf(cli->err, sizeof(cli->err),
			 "%s name '%s' is keys_group in %s%s: the group that "
			 "may read pubkeys.db; choose another name",
			 what, name, cli->conf_path, own);
		return -EPERM;
	case SV_GROUP_CONFIG:
		if (force)
			return 1;
		snprintf(cli->err, sizeof(cli->err),
			 "%s name '%s' is reserved by reserved_group_names in "
			 "%s%s; choose another name, or use --force if the %s "
			 "must have it",
			 what, name, cli->conf_path, own, what);
		return -EPERM;
	case SV_GROUP_BUILTIN:
		if (force)
			return 1;
		snprintf(cli->err, sizeof(cli->err),
			 "%s name '%s' is reserved%s: it is a group that the "
			 "system or a package creates, and once svcacct serves "
			 "it that creation fails, or the package reuses this "
			 "GID and gives the %s the group's power; choose "
			 "another name, or use --force if the %s must have it "
			 "(or exempt the name in %s with reserved_group_names "
			 "= !%s)",
			 what, name, own, who, what, cli->conf_path, name);
		return -EPERM;
	}
	return -EPERM;
}

void cli_group_name_warn(struct cli *cli, const char *what, const char *name,
			 uint32_t gid)
{
	fprintf(stderr,
		"%s: warning: %s '%s' took a reserved group name (--force): "
		"`addgroup --system %s` will now fail, and a package that "
		"runs `getent group %s || groupadd %s` will reuse GID %u and "
		"give its power to this group's members\n",
		cli->prog, what, name, name, name, name, gid);
}

int op_role_create(struct cli *cli, struct sv_txn *t, const struct role_opts *o,
		   struct role *out)
{
	const struct sv_config *c = &cli->cfg;
	struct role x = {0};
	struct acct a;
	int e;

	if (sv_name_check(o->name, cli->err, sizeof(cli->err)) < 0)
		return -EINVAL;
	if (o->description && sv_field_check("description", o->description, 255,
					     cli->err, sizeof(cli->err)) < 0)
		return -EINVAL;
	if (sv_model_role_load(t, o->name, &x) == 0) {
		role_free(&x);
		snprintf(cli->err, sizeof(cli->err), "role '%s' already exists",
			 o->name);
		return -EEXIST;
	}
	if (sv_model_account_load(t, o->name, &a) == 0) {
		acct_free(&a);
		snprintf(cli->err, sizeof(cli->err),
			 "'%s' is already an account (its group would clash)",
			 o->name);
		return -EEXIST;
	}
	if (cli_group_exists(cli, o->name) || cli_user_exists(cli, o->name)) {
		snprintf(cli->err, sizeof(cli->err),
			 "'%s' already exists as a group or user on this host",
			 o->name);
		return -EEXIST;
	}
	if ((e = cli_group_name_allowed(cli, "role", o->name, o->force)) < 0)
		return e;
	memset(&x, 0, sizeof(x));
	if (o->services && (e = set_list(cli, &x.services, o->services,
					 service_valid, "service")) < 0)
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
	} else {
		for (;;) {
			e = sv_state_next_id(t, true, &x.gid);
			if (e == -ENOSPC) {
				snprintf(cli->err, sizeof(cli->err),
					 "no free GID left in %u-%u",
					 c->gid_min, c->gid_max);
				goto fail;
			}
			if (e < 0)
				goto io;
			if (x.gid != c->base_gid && !cli_gid_exists(cli, x.gid))
				break;
		}
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

/* The fields of role create and set from the command line. */
static void opts_from_args(const struct cli_args *args, struct role_opts *o)
{
	memset(o, 0, sizeof(*o));
	if (args->npos)
		o->name = args->pos[0];
	o->gid = args->gid;
	o->description = args->description;
	o->services = args->services;
	o->sources = args->from;
	o->commands = args->command.v;
	o->ncommands = args->command.n;
	o->clear_commands = args->clear_commands;
	o->force = args->force;
}

int role_create(struct cli *cli, const struct cli_args *args)
{
	struct role x;
	struct role_opts o;
	int r;
	if (args->npos != 1)
		return cli_usage_verb(cli, args);
	opts_from_args(args, &o);
	struct sv_txn *t = cli_begin(cli);
	if (!t)
		return EXIT_FAIL;
	if (op_role_create(cli, t, &o, &x) < 0) {
		sv_txn_abort(t);
		return cli_fail(cli, "%s", cli->err);
	}
	if (pam_services_check(cli, (const char *const *)x.services.v,
			       x.services.n, args->force) < 0) {
		sv_txn_abort(t);
		role_free(&x);
		return cli_fail(cli, "%s", cli->err);
	}
	r = cli_commit(cli, t);
	if (r == EXIT_OK) {
		bool forced =
		    cli_group_name_allowed(cli, "role", x.name, true) == 1;
		cli_audit("role-create", "role=%s gid=%u%s", x.name, x.gid,
			  forced ? " forced=reserved-name" : "");
		if (forced)
			cli_group_name_warn(cli, "role", x.name, x.gid);
		cli_nscd_invalidate();
		if (cli->json)
			cli_json_out(json_pack("{s:s, s:i}", "name", x.name,
					       "gid", (json_int_t)x.gid));
		else
			printf("created role %s (gid %u)\n", x.name, x.gid);
	}
	role_free(&x);
	return r;
}

static json_t *strv_json(const struct strv *s)
{
	json_t *a = json_array();
	for (size_t i = 0; i < s->n; i++)
		json_array_append_new(a, json_string(s->v[i]));
	return a;
}

static json_t *role_json(const struct role *x, bool members)
{
	char b1[32], b2[32];
	json_t *j = json_pack(
	    "{s:s, s:i, s:s, s:o, s:o, s:o, s:s, s:s, s:i}", "name", x->name,
	    "gid", (json_int_t)x->gid, "description", x->description,
	    "services", strv_json(&x->services), "from", strv_json(&x->sources),
	    "commands", strv_json(&x->commands), "created",
	    cli_time(x->created, b1, sizeof(b1)), "updated",
	    cli_time(x->updated, b2, sizeof(b2)), "member_count",
	    (json_int_t)x->members.n);
	if (j && members)
		json_object_set_new(j, "members", strv_json(&x->members));
	return j;
}

static int load_rec(struct sv_reader *rd, const char *name, struct role *x)
{
	struct sv_blob b = {0};
	struct sv_role rec;
	int e = sv_get_role(rd, name, &b, &rec);
	if (e < 0)
		return e;
	e = role_from_rec(x, &rec);
	sv_blob_free(&b);
	return e;
}

int role_list(struct cli *cli, const struct cli_args *args)
{
	if (args->npos)
		return cli_usage_verb(cli, args);
	uint64_t gen;
	if (sv_store_current_generation(&cli->cfg, &gen) == -ENOENT) {
		if (cli->json)
			return cli_json_out(json_array());
		printf("%-32s %6s %7s %-20s %s\n", "NAME", "GID", "MEMBERS",
		       "SERVICES", "FROM");
		return EXIT_OK;
	}
	struct sv_reader *rd = cli_reader(cli, SV_DBMASK(SV_DB_ACCOUNTS));
	if (!rd)
		return EXIT_FAIL;
	struct strv names = {0};
	int e = sv_model_names(NULL, rd, SV_REC_ROLE, &names);
	if (e < 0) {
		sv_reader_close(rd);
		strv_free(&names);
		return cli_fail(cli, "reading the store: %s", strerror(-e));
	}
	json_t *arr = json_array();
	if (!cli->json)
		printf("%-32s %6s %7s %-20s %s\n", "NAME", "GID", "MEMBERS",
		       "SERVICES", "FROM");
	for (size_t i = 0; i < names.n; i++) {
		struct role x;
		if (load_rec(rd, names.v[i], &x) < 0) {
			fprintf(stderr,
				"svcacct: warning: role '%s' does not "
				"decode (run svcacct check)\n",
				names.v[i]);
			continue;
		}
		if (cli->json) {
			json_array_append_new(arr, role_json(&x, false));
		} else {
			char sv[256] = "", fr[256] = "";
			for (size_t j = 0; j < x.services.n; j++)
				snprintf(sv + strlen(sv),
					 sizeof(sv) - strlen(sv), "%s%s",
					 j ? "," : "", x.services.v[j]);
			for (size_t j = 0; j < x.sources.n; j++)
				snprintf(fr + strlen(fr),
					 sizeof(fr) - strlen(fr), "%s%s",
					 j ? "," : "", x.sources.v[j]);
			printf("%-32s %6u %7zu %-20s %s\n", x.name, x.gid,
			       x.members.n, *sv ? sv : "-", *fr ? fr : "-");
		}
		role_free(&x);
	}
	sv_reader_close(rd);
	strv_free(&names);
	if (cli->json)
		return cli_json_out(arr);
	json_decref(arr);
	return EXIT_OK;
}

int role_show(struct cli *cli, const struct cli_args *args)
{
	int r;
	if (args->npos != 1)
		return cli_usage_verb(cli, args);
	struct sv_reader *rd = cli_reader(cli, SV_DBMASK(SV_DB_ACCOUNTS));
	if (!rd)
		return EXIT_FAIL;
	struct role x;
	int e = load_rec(rd, args->pos[0], &x);
	sv_reader_close(rd);
	if (e < 0)
		return cli_fail(cli,
				e == -ENOENT ? "no role '%s'"
					     : "role '%s': bad record",
				args->pos[0]);
	if (cli->json) {
		r = cli_json_out(role_json(&x, true));
	} else {
		char b1[32], b2[32];
		printf("name           %s\ngid            %u\ndescription    "
		       "%s\n",
		       x.name, x.gid, x.description);
		struct {
			const char *k;
			struct strv *v;
		} l[] = {{"services", &x.services},
			 {"from", &x.sources},
			 {"commands", &x.commands},
			 {"members", &x.members}};
		for (size_t i = 0; i < SV_ARRAY_SIZE(l); i++) {
			printf("%-14s ", l[i].k);
			for (size_t j = 0; j < l[i].v->n; j++)
				printf("%s%s", j ? (i == 2 ? " | " : ",") : "",
				       l[i].v->v[j]);
			printf("%s\n", l[i].v->n ? "" : "-");
		}
		printf("created        %s\nupdated        %s\n",
		       cli_time(x.created, b1, sizeof(b1)),
		       cli_time(x.updated, b2, sizeof(b2)));
		r = EXIT_OK;
	}
	role_free(&x);
	return r;
}

int op_role_delete(struct sv_txn *t, const struct role *x)
{
	int e = sv_model_role_delete(t, x, (int64_t)time(NULL));
	/* trusted issuers' role maps to it go too */
	if (e == 0)
		e = txn_issuers_forget(t, NULL, x->name);
	return e;
}

int role_delete(struct cli *cli, const struct cli_args *args)
{
	int r;
	if (args->npos != 1)
		return cli_usage_verb(cli, args);
	struct sv_txn *t = cli_begin(cli);
	if (!t)
		return EXIT_FAIL;
	struct role x;
	int e = sv_model_role_load(t, args->pos[0], &x);
	if (e < 0) {
		sv_txn_abort(t);
		return cli_fail(cli,
				e == -ENOENT ? "no role '%s'"
					     : "role '%s': bad record",
				args->pos[0]);
	}
	if (x.members.n && !args->force) {
		sv_txn_abort(t);
		r = cli_fail(
		    cli,
		    "role '%s' is granted to %zu account(s); revoke it "
		    "first or use --force",
		    x.name, x.members.n);
		role_free(&x);
		return r;
	}
	e = op_role_delete(t, &x);
	if (e < 0) {
		sv_txn_abort(t);
		role_free(&x);
		return cli_fail(cli, "store: %s", strerror(-e));
	}
	r = cli_commit(cli, t);
	if (r == EXIT_OK) {
		cli_audit("role-delete", "role=%s gid=%u members=%zu", x.name,
			  x.gid, x.members.n);
		cli_nscd_invalidate();
		cli_report(cli,
			   json_pack("{s:s, s:i}", "deleted", x.name, "gid",
				     (json_int_t)x.gid),
			   "deleted role %s (gid %u is retired)", x.name,
			   x.gid);
	}
	role_free(&x);
	return r;
}

/* --add-X and --remove-X of role set on one list: removals first, each
 * must be there; additions validated as the replacing option does. */
static int edit_list(struct cli *cli, struct strv *dst, const char *role,
		     const char *what, const struct cli_list *add,
		     const struct cli_list *del, bool (*valid)(const char *))
{
	int e;
	for (size_t i = 0; i < del->n; i++)
		if (!strv_del(dst, del->v[i])) {
			snprintf(cli->err, sizeof(cli->err),
				 "role '%s' has no %s '%s' to remove", role,
				 what, del->v[i]);
			return -EINVAL;
		}
	for (size_t i = 0; i < add->n; i++) {
		if (valid && !valid(add->v[i])) {
			return bad_item(cli, what, add->v[i], valid);
		}
		if (!valid && (e = command_check(cli, add->v[i])) < 0)
			return e;
		if (!strv_has(dst, add->v[i]) && strv_add(dst, add->v[i]) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Replacing a list and editing it in the same command: which one meant? */
static const char *mixed_lists(const struct cli_args *args)
{
	if (args->services && (args->add_service.n || args->remove_service.n))
		return "--services replaces the list: give it, or "
		       "--add-service/--remove-service";
	if (args->from && (args->add_from.n || args->remove_from.n))
		return "--from replaces the list: give it, or "
		       "--add-from/--remove-from";
	if ((args->command.n || args->clear_commands) &&
	    (args->add_command.n || args->remove_command.n))
		return "--command and --clear-commands replace the list: give "
		       "them, or --add-command/--remove-command";
	return NULL;
}

int role_set(struct cli *cli, const struct cli_args *args)
{
	struct role_opts o;
	const char *mixed = mixed_lists(args);
	int r;
	if (args->npos != 1)
		return cli_usage_verb(cli, args);
	if (mixed) {
		fprintf(stderr, "svcacct: %s\n", mixed);
		return cli_usage_verb(cli, args);
	}
	opts_from_args(args, &o);
	if (o.gid)
		return cli_fail(cli, "the GID of a role cannot change");
	if (o.description && sv_field_check("description", o.description, 255,
					    cli->err, sizeof(cli->err)) < 0)
		return cli_fail(cli, "%s", cli->err);
	struct sv_txn *t = cli_begin(cli);
	if (!t)
		return EXIT_FAIL;
	struct role x;
	int e = sv_model_role_load(t, args->pos[0], &x);
	if (e < 0) {
		sv_txn_abort(t);
		return cli_fail(cli,
				e == -ENOENT ? "no role '%s'"
					     : "role '%s': bad record",
				args->pos[0]);
	}
	if (o.description) {
		free(x.description);
		x.description = strdup(o.description);
		if (!x.description)
			e = -ENOMEM;
	}
	if (e == 0 && o.services) {
		e = set_list(cli, &x.services, o.services, service_valid,
			     "service");
		if (e == 0)
			e = pam_services_check(
			    cli, (const char *const *)x.services.v,
			    x.services.n, args->force);
	}
	if (e == 0)
		e = edit_list(cli, &x.services, x.name, "service",
			      &args->add_service, &args->remove_service,
			      service_valid);
	if (e == 0)
		e = pam_services_check(cli, args->add_service.v,
				       args->add_service.n, args->force);
	if (e == 0 && o.sources)
		e = set_list(cli, &x.sources, o.sources, cli_source_valid,
			     "source");
	if (e == 0)
		e = edit_list(cli, &x.sources, x.name, "source",
			      &args->add_from, &args->remove_from,
			      cli_source_valid);
	if (e == 0 && (o.ncommands || o.clear_commands))
		e = set_commands(cli, &x.commands, o.commands, o.ncommands);
	if (e == 0)
		e = edit_list(cli, &x.commands, x.name, "command",
			      &args->add_command, &args->remove_command, NULL);
	x.updated = (int64_t)time(NULL);
	if (e == 0)
		e = sv_model_role_update(t, &x);
	if (e < 0) {
		sv_txn_abort(t);
		role_free(&x);
		return cli_fail(cli, "%s",
				e == -EINVAL ? cli->err : strerror(-e));
	}
	r = cli_commit(cli, t);
	if (r == EXIT_OK) {
		cli_audit("role-set", "role=%s", x.name);
		cli_report(cli, json_pack("{s:s}", "updated", x.name),
			   "updated role %s", x.name);
	}
	role_free(&x);
	return r;
}
