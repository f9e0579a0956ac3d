/* SPDX-License-Identifier: MIT */
/* svcacct account ... / grant / revoke */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "acct_jwks.h"
#include "cli.h"
#include "ops.h"
#include "names.h"
#include "util.h"

/* The fields of account create and set from the command line. */
static void opts_from_args(const struct cli_args *args, struct acct_opts *o)
{
	memset(o, 0, sizeof(*o));
	if (args->npos)
		o->name = args->pos[0];
	o->uid = args->uid;
	o->description = args->description;
	o->owner = args->owner;
	o->home = args->home;
	o->shell = args->shell;
	o->expires = args->expires;
	o->roles = args->role.v;
	o->nroles = args->role.n;
	o->methods = args->methods;
	o->home_writable = args->home_writable;
	o->no_home = args->no_home;
	o->force = args->force;
}

static int create_account(struct cli *cli, struct sv_txn *t, const void *opts,
			  void *out)
{
	return op_account_create(cli, t, opts, out);
}

int account_create(struct cli *cli, const struct cli_args *args)
{
	struct acct a = {0};
	struct acct_opts o;
	opts_from_args(args, &o);
	int r = cli_create(cli, args, create_account, &o, &a);
	if (r == EXIT_OK) {
		if (!o.no_home && acct_make_home(cli, &a) < 0)
			fprintf(stderr, "svcacct: warning: %s\n", cli->err);
		cli_report_created(cli, "account", a.name, a.uid);
	}
	acct_free(&a);
	return r;
}

/* ------------------------------------------------------------ reading */

static json_t *acct_json(struct sv_reader *rd, const struct sv_account *a,
			 const struct sv_config *c)
{
	char b1[32], b2[32], b3[32];
	const char *mn[4];
	size_t nm = acct_methods_names(a->methods, mn);
	json_t *methods = json_array();
	for (size_t i = 0; i < nm; i++)
		json_array_append_new(methods, json_string(mn[i]));
	json_t *roles = json_array();
	json_array_append_new(roles, json_string(SV_BASE_ROLE));
	for (uint32_t i = 0; i < a->roles.count; i++) {
		struct sv_blob b = {0};
		struct sv_role r;
		uint32_t g = sv_u32list_get(&a->roles, i);
		if (sv_get_role_by_gid(rd, g, &b, &r) == 0) {
			json_array_append_new(roles,
					      json_stringn(r.name.p, r.name.n));
			sv_blob_free(&b);
		} else {
			char tmp[32];
			snprintf(tmp, sizeof(tmp), "#%u", g);
			json_array_append_new(roles, json_string(tmp));
		}
	}
	return json_pack(
	    "{s:s%, s:i, s:i, s:s%, s:s%, s:s%, s:s%, s:s, s:s, s:s, s:s, "
	    "s:o, s:b, s:o}",
	    "name", a->name.p, a->name.n, "uid", (json_int_t)a->uid, "gid",
	    (json_int_t)a->uid, "description", a->description.p,
	    a->description.n, "owner", a->owner.p, a->owner.n, "home",
	    a->home.p, a->home.n, "shell",
	    a->shell.n ? a->shell.p : c->default_shell,
	    a->shell.n ? a->shell.n : strlen(c->default_shell), "state",
	    (a->flags & SV_ACCT_DISABLED) ? "disabled" : "enabled", "expires",
	    cli_date(a->expires, b1, sizeof(b1)), "created",
	    cli_time(a->created, b2, sizeof(b2)), "updated",
	    cli_time(a->updated, b3, sizeof(b3)), "roles", roles,
	    "home_writable", (a->flags & SV_ACCT_HOME_WRITABLE) != 0, "methods",
	    methods);
}

static int cmp_json_name(const void *x, const void *y)
{
	json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	return strcmp(json_string_value(json_object_get(a, "name")),
		      json_string_value(json_object_get(b, "name")));
}

int account_list(struct cli *cli, const struct cli_args *args)
{
	char head[128];
	int r;
	if (args->npos)
		return cli_usage_verb(cli, args);
	snprintf(head, sizeof(head), "%-32s %6s %-8s %-10s %s\n", "NAME", "UID",
		 "STATE", "EXPIRES", "ROLES");
	struct sv_reader *rd = cli_list_reader(cli, head, &r);
	if (!rd)
		return r;
	json_t *arr = json_array();
	struct sv_blob key = {0};
	struct sv_str nm;
	int e;
	while ((e = sv_model_reader_next(rd, SV_DB_ACCOUNTS, SV_REC_ACCOUNT,
					 &key, &nm)) == 0) {
		struct sv_blob v = {0};
		struct sv_account a;
		if (sv_reader_fetch(rd, SV_DB_ACCOUNTS, key.p, key.n, &v) < 0 ||
		    sv_decode_account(v.p, v.n, &a) < 0) {
			fprintf(stderr,
				"svcacct: warning: an account record "
				"does not decode (run svcacct check)\n");
			sv_blob_free(&v);
			continue;
		}
		json_array_append_new(arr, acct_json(rd, &a, &cli->cfg));
		sv_blob_free(&v);
	}
	sv_blob_free(&key);
	sv_reader_close(rd);
	if (e != -ENOENT) {
		json_decref(arr);
		return cli_fail(cli, "reading the store: %s", strerror(-e));
	}
	/* stable output: sort by name */
	size_t n = json_array_size(arr);
	json_t **v = calloc(n ? n : 1, sizeof(*v));
	if (!v) {
		json_decref(arr);
		return cli_fail(cli, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(arr, i));
	qsort(v, n, sizeof(*v), cmp_json_name);
	json_array_clear(arr);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, v[i]);
	free(v);
	if (cli->json)
		return cli_json_out(arr);
	fputs(head, stdout);
	size_t i;
	json_t *it;
	json_array_foreach (arr, i, it) {
		char roles[1024] = "";
		size_t j;
		json_t *rj;
		json_array_foreach (json_object_get(it, "roles"), j, rj) {
			if (j)
				strncat(roles, ",",
					sizeof(roles) - strlen(roles) - 1);
			strncat(roles, json_string_value(rj),
				sizeof(roles) - strlen(roles) - 1);
		}
		printf(
		    "%-32s %6lld %-8s %-10s %s\n",
		    json_string_value(json_object_get(it, "name")),
		    (long long)json_integer_value(json_object_get(it, "uid")),
		    json_string_value(json_object_get(it, "state")),
		    json_string_value(json_object_get(it, "expires")), roles);
	}
	json_decref(arr);
	return EXIT_OK;
}

int account_show(struct cli *cli, const struct cli_args *args)
{
	if (args->npos != 1)
		return cli_usage_verb(cli, args);
	struct sv_reader *rd = cli_reader(cli, SV_DBMASK(SV_DB_ACCOUNTS));
	if (!rd)
		return EXIT_FAIL;
	struct sv_blob b = {0};
	struct sv_account a;
	int e = sv_get_account(rd, args->pos[0], &b, &a);
	if (e < 0) {
		sv_reader_close(rd);
		return cli_fail(cli,
				e == -ENOENT ? "no account '%s'"
					     : "account '%s': bad record",
				args->pos[0]);
	}
	json_t *j = acct_json(rd, &a, &cli->cfg);
	sv_blob_free(&b);
	sv_reader_close(rd);
	if (cli->json)
		return cli_json_out(j);
	json_t *v;
	static const char *const order[] = {
	    "name",    "uid",	  "gid",	   "description", "owner",
	    "home",    "shell",	  "state",	   "expires",	  "roles",
	    "created", "updated", "home_writable", "methods"};
	for (size_t i = 0; i < SV_ARRAY_SIZE(order); i++) {
		v = json_object_get(j, order[i]);
		printf("%-14s ", order[i]);
		if (json_is_string(v))
			printf("%s\n", json_string_value(v));
		else if (json_is_integer(v))
			printf("%lld\n", (long long)json_integer_value(v));
		else if (json_is_boolean(v))
			printf("%s\n", json_is_true(v) ? "yes" : "no");
		else if (json_is_array(v)) {
			size_t x;
			json_t *y;
			json_array_foreach (v, x, y)
				printf("%s%s", x ? "," : "",
				       json_string_value(y));
			printf("\n");
		}
	}
	json_decref(j);
	return EXIT_OK;
}

/* ------------------------------------------------------------ changes */

/* The start of a change to the account of the first positional: the
 * verb's usage unless usage_ok, then the account loaded into *a in a new
 * transaction. NULL with the exit code in *rc when either fails
 * (reported). */
static struct sv_txn *begin_account(struct cli *cli,
				    const struct cli_args *args, bool usage_ok,
				    struct acct *a, int *rc)
{
	if (!usage_ok) {
		*rc = cli_usage_verb(cli, args);
		return NULL;
	}
	*rc = EXIT_FAIL;
	return cli_begin_account(cli, args->pos[0], a);
}

/* The end of a change to an account in t: abort it when e failed (the
 * store's error, an exit code), commit it otherwise; the caller reports
 * on EXIT_OK. */
static int store_and_commit(struct cli *cli, struct sv_txn *t, int e)
{
	if (e < 0) {
		sv_txn_abort(t);
		return cli_fail(cli, "store: %s", strerror(-e));
	}
	return cli_commit(cli, t);
}

static void kill_processes(uid_t uid)
{
	/* Twice: a process may fork while we scan. */
	for (int pass = 0; pass < 2; pass++) {
		DIR *d = opendir("/proc");
		struct dirent *de;
		if (!d)
			return;
		while ((de = readdir(d))) {
			char path[300], line[256];
			if (de->d_name[0] < '1' || de->d_name[0] > '9')
				continue;
			/* real, effective, saved or fs UID: /proc/PID's owner
			 * is root for non-dumpable processes */
			snprintf(path, sizeof(path), "/proc/%s/status",
				 de->d_name);
			FILE *f = fopen(path, "re");
			bool match = false;
			while (f && fgets(line, sizeof(line), f)) {
				unsigned long u[4];
				if (sscanf(line, "Uid: %lu %lu %lu %lu", &u[0],
					   &u[1], &u[2], &u[3]) == 4) {
					for (int i = 0; i < 4; i++)
						match |=
						    u[i] == (unsigned long)uid;
					break;
				}
			}
			if (f)
				fclose(f);
			if (match)
				kill((pid_t)atoi(de->d_name),
				     pass ? SIGKILL : SIGTERM);
		}
		closedir(d);
		if (!pass)
			usleep(200 * 1000);
	}
}

int account_state(struct cli *cli, const struct cli_args *args)
{
	const int enable = args->verb->arg;
	int r;
	struct acct a;
	struct sv_txn *t = begin_account(cli, args, args->npos == 1, &a, &r);
	if (!t)
		return r;
	if (enable)
		a.flags &= ~SV_ACCT_DISABLED;
	else
		a.flags |= SV_ACCT_DISABLED;
	a.updated = (int64_t)time(NULL);
	r = store_and_commit(cli, t, sv_model_account_update(t, &a));
	if (r == EXIT_OK) {
		cli_audit(enable ? "account-enable" : "account-disable",
			  "account=%s uid=%u%s", a.name, a.uid,
			  args->stop ? " stop=yes" : "");
		cli_nscd_invalidate();
		if (args->stop)
			kill_processes(a.uid);
		cli_report(cli,
			   json_pack("{s:s, s:s, s:b}", "name", a.name, "state",
				     enable ? "enabled" : "disabled", "stopped",
				     args->stop),
			   "%s account %s%s", enable ? "enabled" : "disabled",
			   a.name,
			   args->stop ? " and stopped its processes" : "");
		if (!enable && !args->stop && !cli->json)
			printf("note: processes already running as %s keep "
			       "running (use --stop)\n",
			       a.name);
	}
	acct_free(&a);
	return r;
}

int account_delete(struct cli *cli, const struct cli_args *args)
{
	int r;
	struct acct a;
	struct jwks_cred jw;
	struct sv_txn *t = begin_account(cli, args, args->npos == 1, &a, &r);
	if (!t)
		return r;
	/* a JWKS URL's cached set goes with its revoked credential */
	if (acct_jwks_find(t, a.name, &jw) < 0)
		jw.id[0] = '\0';
	r = store_and_commit(cli, t, op_account_delete(t, &a, NULL));
	if (r == EXIT_OK && *jw.id)
		acct_jwks_cache_remove(&cli->cfg, jw.id);
	if (r == EXIT_OK) {
		cli_audit("account-delete", "account=%s uid=%u", a.name, a.uid);
		cli_nscd_invalidate();
		cli_report(cli,
			   json_pack("{s:s, s:i, s:s}", "deleted", a.name,
				     "uid", (json_int_t)a.uid, "home", a.home),
			   "deleted account %s (uid %u is retired; %s was left "
			   "in place)",
			   a.name, a.uid, a.home);
	}
	acct_free(&a);
	return r;
}

int account_set(struct cli *cli, const struct cli_args *args)
{
	struct acct_opts o;
	int r;
	if (args->npos != 1)
		return cli_usage_verb(cli, args);
	opts_from_args(args, &o);
	if (o.uid)
		return cli_fail(cli, "the UID of an account cannot change "
				     "(files it owns would change hands)");
	if (acct_check_fields(cli, &o) < 0)
		return cli_fail(cli, "%s", cli->err);
	int64_t exp = 0;
	if (o.expires && cli_parse_date(o.expires, &exp) < 0)
		return cli_fail(cli, "bad --expires '%s' (YYYY-MM-DD or never)",
				o.expires);
	struct acct a;
	struct sv_txn *t = cli_begin_account(cli, args->pos[0], &a);
	if (!t)
		return EXIT_FAIL;
	int e = 0;
	int64_t now = (int64_t)time(NULL);
#define REPLACE(field, val)                                                    \
	do {                                                                   \
		if (val) {                                                     \
			free(a.field);                                         \
			a.field = strdup(val);                                 \
			if (!a.field)                                          \
				e = -ENOMEM;                                   \
		}                                                              \
	} while (0)
	REPLACE(description, o.description);
	REPLACE(owner, o.owner);
	REPLACE(home, o.home);
	REPLACE(shell, o.shell);
	if (o.expires)
		a.expires = exp;
	if (o.home_writable)
		a.flags |= SV_ACCT_HOME_WRITABLE;
	if (args->home_private)
		a.flags &= ~SV_ACCT_HOME_WRITABLE;
	/* checked by acct_check_fields above */
	if (o.methods && acct_methods_parse(cli, o.methods, &a.methods) < 0)
		e = -EINVAL;
	/* --role replaces the granted roles; the record is written once,
	 * below, with the other fields */
	if (e == 0 && o.nroles &&
	    op_account_set_roles(cli, t, &a, o.roles, o.nroles, now) < 0) {
		sv_txn_abort(t);
		acct_free(&a);
		return cli_fail(cli, "%s", cli->err);
	}
	a.updated = now;
	if (e == 0)
		e = sv_model_account_update(t, &a);
	r = store_and_commit(cli, t, e);
	if (r == EXIT_OK) {
		cli_audit("account-set", "account=%s", a.name);
		if ((o.home_writable || args->home_private) &&
		    acct_set_home_access(cli, &a) < 0)
			fprintf(stderr, "svcacct: warning: %s\n", cli->err);
		cli_nscd_invalidate();
		cli_report(cli, json_pack("{s:s}", "updated", a.name),
			   "updated account %s", a.name);
	}
	acct_free(&a);
	return r;
}

/* ------------------------------------------------------------ grants */

int grant_revoke(struct cli *cli, const struct cli_args *args)
{
	const int grant = args->verb->arg;
	int r;
	struct acct a;
	struct sv_txn *t = begin_account(cli, args, args->npos >= 2, &a, &r);
	if (!t)
		return r;
	size_t changed = 0;
	if (op_account_grant(cli, t, &a, args->pos + 1, (size_t)args->npos - 1,
			     grant, (int64_t)time(NULL), &changed) < 0) {
		sv_txn_abort(t);
		acct_free(&a);
		return cli_fail(cli, "%s", cli->err);
	}
	if (!changed) {
		sv_txn_abort(t);
		cli_report(
		    cli,
		    json_pack("{s:s, s:i}", "account", a.name, "changed", 0),
		    "nothing to change: %s %s", a.name,
		    grant ? "already has these roles"
			  : "has none of these roles");
		acct_free(&a);
		return EXIT_OK;
	}
	r = cli_commit(cli, t);
	if (r == EXIT_OK) {
		char list[512] = "";
		for (int i = 1; i < args->npos; i++) {
			if (i > 1)
				strncat(list, ",",
					sizeof(list) - strlen(list) - 1);
			strncat(list, args->pos[i],
				sizeof(list) - strlen(list) - 1);
		}
		cli_audit(grant ? "grant" : "revoke", "account=%s roles=%s",
			  a.name, list);
		cli_nscd_invalidate();
		cli_report(cli,
			   json_pack("{s:s, s:s, s:i}", "account", a.name,
				     grant ? "granted" : "revoked", list,
				     "changed", (json_int_t)changed),
			   "%s %s: %s", grant ? "granted" : "revoked", a.name,
			   list);
	}
	acct_free(&a);
	return r;
}
