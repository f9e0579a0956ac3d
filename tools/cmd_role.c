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
#include "ops.h"
#include "names.h"
#include "util.h"

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

/* A new role, and a warning for each of its services that PAM does not
 * know (refused unless --force). */
static int create_role(struct cli *cli, struct sv_txn *t, const void *opts,
		       void *out)
{
	const struct role_opts *o = opts;
	struct role *x = out;
	int e = op_role_create(cli, t, o, x);
	if (e == 0)
		e = pam_services_check(cli, (const char *const *)x->services.v,
				       x->services.n, o->force);
	return e;
}

int role_create(struct cli *cli, const struct cli_args *args)
{
	struct role x = {0};
	struct role_opts o;
	opts_from_args(args, &o);
	int r = cli_create(cli, args, create_role, &o, &x);
	if (r == EXIT_OK)
		cli_report_created(cli, "role", x.name, x.gid);
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

/* The base role as role show and list print it: its members are every
 * account, which its record does not list. */
static int base_role_load(struct sv_reader *rd, struct role *x, bool *stored)
{
	struct sv_blob b = {0};
	struct sv_role rec;
	int e = sv_get_base_role(rd, &b, &rec);
	sv_blob_free(&b);
	*stored = e == 0;
	if (e < 0 && e != -ENOENT)
		return e;
	e = sv_model_reader_base_role_load(rd, x);
	if (e == 0) {
		e = sv_model_names(NULL, rd, SV_REC_ACCOUNT, &x->members);
		if (e < 0)
			role_free(x);
	}
	return e;
}

/* role list's row of the base role, when it has settings (a store
 * without them lists what it always did, as export does). */
static int list_base_role(struct cli *cli, struct sv_reader *rd, json_t *arr)
{
	struct role x;
	bool stored;
	int e = base_role_load(rd, &x, &stored);
	if (e == 0 && stored && !*x.description && !x.services.n &&
	    !x.sources.n && !x.commands.n)
		stored = false;
	if (e == 0 && !stored)
		role_free(&x);
	if (e < 0 || !stored) {
		if (e == -EBADMSG || e == -EPROTO) {
			fprintf(stderr, "svcacct: warning: the base role's "
					"record does not decode (run svcacct "
					"check)\n");
			e = 0;
		}
		return e;
	}
	if (cli->json) {
		json_array_append_new(arr, role_json(&x, false));
	} else {
		char sv[256] = "", fr[256] = "";
		for (size_t j = 0; j < x.services.n; j++)
			snprintf(sv + strlen(sv), sizeof(sv) - strlen(sv),
				 "%s%s", j ? "," : "", x.services.v[j]);
		for (size_t j = 0; j < x.sources.n; j++)
			snprintf(fr + strlen(fr), sizeof(fr) - strlen(fr),
				 "%s%s", j ? "," : "", x.sources.v[j]);
		printf("%-32s %6u %7zu %-20s %s\n", x.name, x.gid, x.members.n,
		       *sv ? sv : "-", *fr ? fr : "-");
	}
	role_free(&x);
	return 0;
}

int role_list(struct cli *cli, const struct cli_args *args)
{
	char head[128];
	int r;
	if (args->npos)
		return cli_usage_verb(cli, args);
	snprintf(head, sizeof(head), "%-32s %6s %7s %-20s %s\n", "NAME", "GID",
		 "MEMBERS", "SERVICES", "FROM");
	struct sv_reader *rd = cli_list_reader(cli, head, &r);
	if (!rd)
		return r;
	struct strv names = {0};
	int e = sv_model_names(NULL, rd, SV_REC_ROLE, &names);
	if (e < 0) {
		sv_reader_close(rd);
		strv_free(&names);
		return cli_fail(cli, "reading the store: %s", strerror(-e));
	}
	json_t *arr = json_array();
	if (!cli->json)
		fputs(head, stdout);
	for (size_t i = 0; i < names.n; i++) {
		struct role x;
		if (sv_model_reader_role_load(rd, names.v[i], &x) < 0) {
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
	e = list_base_role(cli, rd, arr);
	sv_reader_close(rd);
	strv_free(&names);
	if (e < 0) {
		json_decref(arr);
		return cli_fail(cli, "reading the store: %s", strerror(-e));
	}
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
	bool base = !strcmp(args->pos[0], SV_BASE_ROLE), stored = false;
	int e = base ? base_role_load(rd, &x, &stored)
		     : sv_model_reader_role_load(rd, args->pos[0], &x);
	sv_reader_close(rd);
	if (e < 0)
		return cli_fail(cli,
				e == -ENOENT ? "no role '%s'"
				: base	     ? "role '%s': bad record (run "
					       "svcacct check)"
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
			if (base && l[i].v == &x.members) {
				printf("%-14s every account (%zu)\n", l[i].k,
				       x.members.n);
				continue;
			}
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

static int load_role(struct sv_txn *t, const char *name, void *out)
{
	if (!strcmp(name, SV_BASE_ROLE))
		return sv_model_base_role_load(t, out);
	return sv_model_role_load(t, name, out);
}

/* Begin a change on an existing role, loading it into *x; reports a
 * missing or unreadable one itself. */
static struct sv_txn *begin_role(struct cli *cli, const char *name,
				 struct role *x)
{
	return cli_begin_load(cli, "role", name, "bad record", load_role, x);
}

int role_delete(struct cli *cli, const struct cli_args *args)
{
	int r;
	if (args->npos != 1)
		return cli_usage_verb(cli, args);
	if (!strcmp(args->pos[0], SV_BASE_ROLE))
		return cli_fail(cli,
				"'%s' is the base role: every account holds "
				"it, so it is never deleted (to make it allow "
				"nothing: role set %s --services '' --from '' "
				"--clear-commands)",
				SV_BASE_ROLE, SV_BASE_ROLE);
	struct role x;
	struct sv_txn *t = begin_role(cli, args->pos[0], &x);
	if (!t)
		return EXIT_FAIL;
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
	int e = op_role_delete(t, &x);
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
			return role_bad_item(cli, what, add->v[i], valid);
		}
		if (!valid && (e = role_command_check(cli, add->v[i])) < 0)
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
	bool base = !strcmp(args->pos[0], SV_BASE_ROLE);
	if (o.gid && base)
		return cli_fail(cli,
				"the GID of the base role '%s' is base_gid in "
				"%s; it does not change here",
				SV_BASE_ROLE, cli->conf_path);
	if (o.gid)
		return cli_fail(cli, "the GID of a role cannot change");
	if (o.description && sv_field_check("description", o.description, 255,
					    cli->err, sizeof(cli->err)) < 0)
		return cli_fail(cli, "%s", cli->err);
	struct role x;
	struct sv_txn *t = begin_role(cli, args->pos[0], &x);
	if (!t)
		return EXIT_FAIL;
	int e = 0;
	if (o.description) {
		free(x.description);
		x.description = strdup(o.description);
		if (!x.description)
			e = -ENOMEM;
	}
	if (e == 0 && o.services) {
		e = role_set_services(cli, &x.services, o.services);
		if (e == 0)
			e = pam_services_check(
			    cli, (const char *const *)x.services.v,
			    x.services.n, args->force);
	}
	if (e == 0)
		e = edit_list(cli, &x.services, x.name, "service",
			      &args->add_service, &args->remove_service,
			      role_service_valid);
	if (e == 0)
		e = pam_services_check(cli, args->add_service.v,
				       args->add_service.n, args->force);
	if (e == 0 && o.sources)
		e = role_set_sources(cli, &x.sources, o.sources);
	if (e == 0)
		e = edit_list(cli, &x.sources, x.name, "source",
			      &args->add_from, &args->remove_from,
			      cli_source_valid);
	if (e == 0 && (o.ncommands || o.clear_commands))
		e = role_set_commands(cli, &x.commands, o.commands,
				      o.ncommands);
	if (e == 0)
		e = edit_list(cli, &x.commands, x.name, "command",
			      &args->add_command, &args->remove_command, NULL);
	x.updated = (int64_t)time(NULL);
	if (base && !x.created)
		x.created = x.updated;
	if (e == 0)
		e = base ? sv_model_base_role_save(t, &x)
			 : sv_model_role_update(t, &x);
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
