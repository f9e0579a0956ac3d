/* SPDX-License-Identifier: MIT */
/* svcacct's account operations: typed options in, the change made in a
 * transaction, refusals in cli->err; no argv, no output. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "issuer_model.h"
#include "names.h"
#include "ops.h"
#include "util.h"

#define FIELD_MAX 255

enum { ROLES_SET, ROLES_GRANT, ROLES_REVOKE };

int acct_role_gids(struct cli *cli, struct sv_txn *t, const char *const *names,
		   size_t n, uint32_t **out)
{
	uint32_t *g = calloc(n ? n : 1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct role r;
		if (!strcmp(names[i], SV_BASE_ROLE)) {
			snprintf(
			    cli->err, sizeof(cli->err),
			    "'%s' is the base role: every account holds it",
			    SV_BASE_ROLE);
			free(g);
			return -EINVAL;
		}
		int e = sv_model_role_load(t, names[i], &r);
		if (e < 0) {
			snprintf(cli->err, sizeof(cli->err),
				 e == -ENOENT ? "unknown role '%s'"
					      : "role '%s': unreadable record",
				 names[i]);
			free(g);
			return e == -ENOENT ? -ENOENT : e;
		}
		g[i] = r.gid;
		role_free(&r);
	}
	*out = g;
	return 0;
}

int acct_check_fields(struct cli *cli, const struct acct_opts *o)
{
	char *e = cli->err;
	size_t el = sizeof(cli->err);
	if (o->description &&
	    sv_field_check("description", o->description, FIELD_MAX, e, el))
		return -EINVAL;
	if (o->owner && sv_field_check("owner", o->owner, FIELD_MAX, e, el))
		return -EINVAL;
	if (o->home && sv_path_check("home", o->home, e, el))
		return -EINVAL;
	if (o->shell && sv_path_check("shell", o->shell, e, el))
		return -EINVAL;
	uint32_t methods;
	if (o->methods && acct_methods_parse(cli, o->methods, &methods) < 0)
		return -EINVAL;
	return 0;
}

static const struct {
	uint32_t bit;
	const char *name;
} method_names[] = {
    {SV_ACCT_METHOD_SECRET, "secret"},
    {SV_ACCT_METHOD_ASSERTION, "assertion"},
    {SV_ACCT_METHOD_ISSUER, "issuer"},
    {SV_ACCT_METHOD_SSHKEY, "sshkey"},
};
#define METHODS_VALID "secret, assertion, issuer, sshkey, or all"

int acct_methods_parse(struct cli *cli, const char *csv, uint32_t *mask)
{
	const char *p = csv;
	uint32_t m = 0;
	bool all = false;
	size_t n = 0;

	if (!*csv) {
		snprintf(cli->err, sizeof(cli->err),
			 "methods: the list is empty: name at least one "
			 "method (" METHODS_VALID ")");
		return -EINVAL;
	}
	for (;;) {
		size_t len = strcspn(p, ","), i;
		if (len == 0) {
			snprintf(cli->err, sizeof(cli->err),
				 "methods: empty entry in '%.64s' (the "
				 "methods: " METHODS_VALID ")",
				 csv);
			return -EINVAL;
		}
		if (len == 3 && !strncmp(p, "all", 3)) {
			all = true;
		} else {
			for (i = 0; i < SV_ARRAY_SIZE(method_names); i++)
				if (strlen(method_names[i].name) == len &&
				    !strncmp(p, method_names[i].name, len))
					break;
			if (i == SV_ARRAY_SIZE(method_names)) {
				snprintf(cli->err, sizeof(cli->err),
					 "methods: unknown method '%.*s' (the "
					 "methods: " METHODS_VALID ")",
					 (int)(len < 64 ? len : 64), p);
				return -EINVAL;
			}
			m |= method_names[i].bit;
		}
		n++;
		if (!p[len])
			break;
		p += len + 1;
	}
	if (all && n > 1) {
		snprintf(cli->err, sizeof(cli->err),
			 "methods: 'all' stands alone, not beside other "
			 "methods");
		return -EINVAL;
	}
	*mask = m == SV_ACCT_METHODS_KNOWN ? 0 : m;
	return 0;
}

size_t acct_methods_names(uint32_t mask, const char *names[4])
{
	size_t n = 0;
	_Static_assert(SV_ARRAY_SIZE(method_names) == 4, "four methods");
	for (size_t i = 0; i < SV_ARRAY_SIZE(method_names); i++)
		if (!mask || (mask & method_names[i].bit))
			names[n++] = method_names[i].name;
	return n;
}

int op_account_create(struct cli *cli, struct sv_txn *t,
		      const struct acct_opts *o, struct acct *out)
{
	const struct sv_config *c = &cli->cfg;
	struct acct a = {0};
	char home[300];
	uint32_t methods = 0;
	int e;

	if (sv_name_check(o->name, cli->err, sizeof(cli->err)) < 0)
		return -EINVAL;
	if (acct_check_fields(cli, o) < 0)
		return -EINVAL;
	if (o->methods && acct_methods_parse(cli, o->methods, &methods) < 0)
		return -EINVAL;
	if ((e = op_name_free(cli, t, "account", o->name)) < 0)
		return e;
	if ((e = cli_group_name_allowed(cli, "account", o->name, o->force)) < 0)
		return e;
	a.expires = 0;
	if (o->expires && cli_parse_date(o->expires, &a.expires) < 0) {
		snprintf(cli->err, sizeof(cli->err),
			 "bad --expires '%s' (YYYY-MM-DD or never)",
			 o->expires);
		return -EINVAL;
	}
	if (o->uid) {
		bool retired = false;
		if (cli_parse_u32(o->uid, &a.uid) < 0) {
			snprintf(cli->err, sizeof(cli->err),
				 "UID '%.32s' is not a number", o->uid);
			return -EINVAL;
		}
		if (!sv_uid_acceptable(c, a.uid)) {
			snprintf(cli->err, sizeof(cli->err),
				 "UID %s is outside the configured range "
				 "%u-%u",
				 o->uid, c->uid_min, c->uid_max);
			return -ERANGE;
		}
		if (sv_model_id_taken(t, false, a.uid)) {
			snprintf(cli->err, sizeof(cli->err),
				 "UID %u is already taken", a.uid);
			return -EEXIST;
		}
		if (sv_txn_id_retired(t, false, a.uid, &retired) < 0 ||
		    retired) {
			snprintf(
			    cli->err, sizeof(cli->err),
			    "UID %u was handed out before (to a deleted or "
			    "rolled-back account) and is never reused",
			    a.uid);
			return -EEXIST;
		}
		if (cli_uid_exists(cli, a.uid) || cli_gid_exists(cli, a.uid)) {
			snprintf(cli->err, sizeof(cli->err),
				 "UID/GID %u already exists on this host",
				 a.uid);
			return -EEXIST;
		}
		e = sv_state_note_id(t, false, a.uid);
		if (e < 0)
			goto io;
	} else if ((e = op_next_free_id(cli, t, false, &a.uid)) < 0) {
		if (e == -ENOSPC)
			return e;
		goto io;
	}
	e = acct_role_gids(cli, t, o->roles, o->nroles, &a.roles);
	if (e < 0)
		return e;
	a.nroles = 0;
	for (size_t i = 0; i < o->nroles; i++) {
		bool dup = false;
		for (size_t j = 0; j < a.nroles; j++)
			dup |= a.roles[j] == a.roles[i];
		if (!dup)
			a.roles[a.nroles++] = a.roles[i];
	}
	snprintf(home, sizeof(home), "%s/%s", c->home_base, o->name);
	a.name = strdup(o->name);
	a.description = strdup(o->description ? o->description : "");
	a.owner = strdup(o->owner ? o->owner : "");
	a.home = strdup(o->home ? o->home : home);
	a.shell = strdup(o->shell ? o->shell : "");
	a.created = a.updated = (int64_t)time(NULL);
	a.flags = o->home_writable ? SV_ACCT_HOME_WRITABLE : 0;
	a.methods = methods;
	if (!a.name || !a.description || !a.owner || !a.home || !a.shell) {
		e = -ENOMEM;
		goto io;
	}
	e = sv_model_account_create(t, &a, !o->defer_members);
	if (e < 0)
		goto io;
	*out = a;
	return 0;
io:
	snprintf(cli->err, sizeof(cli->err), "store: %s", strerror(-e));
	acct_free(&a);
	return e;
}

/* The tool manages a home only when it is a direct child of home_base
 * (a root-owned directory): anything else is the admin's own. */
static bool home_managed(const struct cli *cli, const struct acct *a)
{
	size_t bl = strlen(cli->cfg.home_base);
	return !strncmp(a->home, cli->cfg.home_base, bl) &&
	       a->home[bl] == '/' && !strchr(a->home + bl + 1, '/');
}

/* Home directory: root's unless the admin lets the account write it, so a
 * compromised bot cannot plant dotfiles for the next login. */
int acct_make_home(struct cli *cli, const struct acct *a)
{
	struct stat st;
	int e = 0;
	if (!home_managed(cli, a) || lstat(a->home, &st) == 0)
		return 0;
	if (mkdir(cli->cfg.home_base, 0755) < 0 && errno != EEXIST)
		return 0;
	if (mkdir(a->home, (a->flags & SV_ACCT_HOME_WRITABLE) ? 0700 : 0755) <
	    0) {
		e = -errno;
		snprintf(cli->err, sizeof(cli->err), "cannot create %s: %s",
			 a->home, strerror(-e));
	} else if ((a->flags & SV_ACCT_HOME_WRITABLE) &&
		   chown(a->home, a->uid, a->uid) < 0) {
		e = -errno;
		snprintf(cli->err, sizeof(cli->err), "chown %s: %s", a->home,
			 strerror(-e));
	}
	return e;
}

/* Follow --home-writable / --home-private on an existing home under
 * home_base: owned by the account 0700, or by root 0755. */
int acct_set_home_access(struct cli *cli, const struct acct *a)
{
	int e = 0, fd;
	if (!home_managed(cli, a))
		return 0;
	/* through an fd opened without following links: the account may
	 * have owned this directory until now */
	fd = open(a->home, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	bool w = a->flags & SV_ACCT_HOME_WRITABLE;
	if (fchown(fd, w ? a->uid : 0, w ? a->uid : 0) < 0 ||
	    fchmod(fd, w ? 0700 : 0755) < 0) {
		e = -errno;
		snprintf(cli->err, sizeof(cli->err), "%s: %s", a->home,
			 strerror(-e));
	}
	close(fd);
	return e;
}

int op_account_delete(struct sv_txn *t, const struct acct *a, size_t *ncreds)
{
	int e = sv_model_account_delete(t, a, (int64_t)time(NULL), ncreds);
	/* trusted issuers' client maps to it go too */
	if (e == 0)
		e = txn_issuers_forget(t, a->name, NULL);
	return e;
}

/* The account's roles from their names, replaced (set) or each granted or
 * revoked: the work of account set --role and of grant/revoke. */
static int account_roles(struct cli *cli, struct sv_txn *t, struct acct *a,
			 const char *const *names, size_t n, int how,
			 int64_t now, size_t *changed)
{
	uint32_t *g = NULL;
	int e = acct_role_gids(cli, t, names, n, &g);
	if (e < 0)
		return e;
	if (how == ROLES_SET) {
		e = sv_model_set_roles(t, a, g, n, now);
	} else {
		for (size_t i = 0; e == 0 && i < n; i++) {
			bool one = false;
			e = sv_model_grant(t, a, g[i], how == ROLES_GRANT, now,
					   &one);
			*changed += one;
		}
	}
	free(g);
	if (e < 0)
		snprintf(cli->err, sizeof(cli->err), "store: %s", strerror(-e));
	return e;
}

int op_account_set_roles(struct cli *cli, struct sv_txn *t, struct acct *a,
			 const char *const *names, size_t n, int64_t now)
{
	size_t changed = 0;
	return account_roles(cli, t, a, names, n, ROLES_SET, now, &changed);
}

int op_account_grant(struct cli *cli, struct sv_txn *t, struct acct *a,
		     const char *const *names, size_t n, bool grant,
		     int64_t now, size_t *changed)
{
	*changed = 0;
	return account_roles(cli, t, a, names, n,
			     grant ? ROLES_GRANT : ROLES_REVOKE, now, changed);
}
