/* SPDX-License-Identifier: MIT */
/* initgroups: an account's supplementary groups are the base group and the
 * groups of its granted roles (from the account record, so one fetch). Its
 * user-private group is its primary group, which the caller passes in.
 *
 * Identity is the UID. glibc's initgroups carries a name and a group, and
 * neither says who the user is: callers pass -1 (getent initgroups), the
 * group of a command line (start-stop-daemon --chuid NAME:GROUP), a unit's
 * Group=. When an earlier source of nsswitch.conf (files, LDAP, SSSD) has
 * a user of the account's name, that user is who the name means to every
 * program, and the account's groups are not ours to give to him. So they
 * are added only when the system's NSS (getpwnam_r through glibc, in
 * nsswitch.conf's order) resolves the name to the account's UID. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "handle.h"
#include "nss_svcacct.h"
#include "names.h"

/* Append g unless it is the primary group or already there, growing the
 * array as glibc expects: double it, never beyond limit (> 0), and stop
 * quietly once limit is reached. */
static int add_gid(gid_t g, gid_t primary, long int *start, long int *size,
		   gid_t **groupsp, long int limit)
{
	if (g == primary)
		return 0;
	for (long int i = 0; i < *start; i++)
		if ((*groupsp)[i] == g)
			return 0;
	if (*start >= *size) {
		long int nsize;
		gid_t *ng;

		if (limit > 0 && *size >= limit)
			return 0;
		if (*size < 1)
			nsize = 8;
		else if (__builtin_mul_overflow(*size, 2, &nsize))
			nsize = LONG_MAX;
		if (limit > 0 && nsize > limit)
			nsize = limit;
		if (nsize <= *start)
			return -ENOMEM;
		ng = reallocarray(*groupsp, (size_t)nsize, sizeof(gid_t));
		if (!ng)
			return -ENOMEM;
		*groupsp = ng;
		*size = nsize;
	}
	(*groupsp)[(*start)++] = g;
	return 0;
}

/* The largest passwd entry the identity lookup reads. */
#define PW_BUF_MAX (1u << 20)

/* Link the calling thread's guard (ent): a re-entry from inside this
 * thread's own system lookup (a module of an earlier source calling
 * initgroups) is -EDEADLK, UNAVAIL. */
static int enter_guard(struct svnss *s, const struct sv_account *a, void *ent,
		       char *buf, size_t buflen)
{
	(void)a;
	(void)buf;
	(void)buflen;
	return svnss_guard_enter(s, ent);
}

/* Step 1, under the lock: whether the name is an account at all (other
 * users cost no system lookup), and if so the calling thread's guard is
 * linked. SUCCESS, or the status to return. */
static enum nss_status enter_if_account(const char *user,
					struct svnss_guard *guard, int *errnop)
{
	struct svnss_query q = {
	    .name = user, .fill = enter_guard, .ent = guard};

	return svnss_lookup(&q, NULL, svnss_find_account, errnop);
}

/* Step 2, without the lock (glibc may well ask this module): the UID the
 * system's NSS gives the name. 0 with *uid; -ENOENT when no source knows
 * the name; -errno when the lookup failed.
 *
 * When the answer is this module's own, every source before it said no,
 * and whether that was "no such user" or "cannot tell" is in the errno it
 * left: a source that does not have the name leaves errno alone (nss_files,
 * nss-systemd; this module too) or sets ENOENT (the glibc manual's value
 * for NOTFOUND); one that failed (/etc/passwd could not be opened: EMFILE,
 * ENOMEM; LDAP unreachable) sets its error and glibc goes on to the next
 * source. Then the name may well be an earlier source's user, whom the
 * caller resolved a moment ago, and this module's answer confirms
 * nothing: -EAGAIN. */
static int system_uid(const char *user, struct svnss_guard *guard, uid_t *uid)
{
	struct passwd pw, *res = NULL;
	size_t len = 1024;
	char *buf = NULL;
	int r, cs;

	for (;;) {
		char *nb = realloc(buf, len);
		if (!nb) {
			r = ENOMEM;
			break;
		}
		buf = nb;
		/* The guard lives on this thread's stack: the thread must
		 * not be cancelled before it is unlinked, and the lookup is
		 * full of cancellation points (open, read). */
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cs);
		guard->reached = false;
		errno = 0;
		r = getpwnam_r(user, &pw, buf, len, &res);
		pthread_setcancelstate(cs, NULL);
		if (r != ERANGE)
			break;
		if (len >= PW_BUF_MAX) {
			r = EOVERFLOW;
			break;
		}
		len *= 2;
	}
	if (r == 0 && res)
		*uid = pw.pw_uid;
	free(buf);
	if (r != 0)
		return -r;
	if (!res)
		return -ENOENT;
	if (guard->reached && guard->entry_errno != 0 &&
	    guard->entry_errno != ENOENT)
		return -EAGAIN;
	return 0;
}

/* The caller's group array, and the UID the name resolves to. */
struct gid_array {
	uid_t uid;
	gid_t group;
	long int *start, *size;
	gid_t **groupsp;
	long int limit;
};

/* The account's groups into the array (ent), if its UID is the one the
 * name resolves to. */
static int add_account_groups(struct svnss *s, const struct sv_account *a,
			      void *ent, char *buf, size_t buflen)
{
	struct gid_array *ga = ent;
	int r;

	(void)buf;
	(void)buflen;
	if (a->uid != ga->uid)
		return -ENOENT; /* the name is another user's */
	r = add_gid(s->conf->base_gid, ga->group, ga->start, ga->size,
		    ga->groupsp, ga->limit);
	for (uint32_t i = 0; r == 0 && i < a->roles.count; i++) {
		uint32_t g = sv_u32list_get(&a->roles, i);
		/* a forged list cannot hand out root's or anyone's group */
		if (g == s->conf->base_gid ||
		    !sv_role_gid_acceptable(s->conf, g))
			continue;
		r = add_gid(g, ga->group, ga->start, ga->size, ga->groupsp,
			    ga->limit);
	}
	return r;
}

/* Step 3, under the lock again: the account as it is now (the store may
 * have changed meanwhile), and its groups only if its UID is the one the
 * name resolves to. */
static enum nss_status add_groups(const char *user, uid_t uid, gid_t group,
				  long int *start, long int *size,
				  gid_t **groupsp, long int limit, int *errnop)
{
	struct gid_array ga = {uid, group, start, size, groupsp, limit};
	struct svnss_query q = {
	    .name = user, .fill = add_account_groups, .ent = &ga};

	return svnss_lookup(&q, NULL, svnss_find_account, errnop);
}

static enum nss_status account_groups(const char *user, gid_t group,
				      long int *start, long int *size,
				      gid_t **groupsp, long int limit,
				      int *errnop)
{
	struct svnss_guard guard;
	enum nss_status st;
	uid_t uid = 0;
	int r;

	st = enter_if_account(user, &guard, errnop);
	if (st != NSS_STATUS_SUCCESS)
		return st;
	r = system_uid(user, &guard, &uid);
	svnss_guard_leave(&guard);
	/* no such user, or a failed lookup: nothing added (NOTFOUND, or
	 * TRYAGAIN/UNAVAIL with the lookup's errno, EAGAIN when an earlier
	 * source failed) */
	if (r < 0)
		return svnss_status(r, errnop);
	return add_groups(user, uid, group, start, size, groupsp, limit,
			  errnop);
}

enum nss_status _nss_svcacct_initgroups_dyn(const char *user, gid_t group,
					    long int *start, long int *size,
					    gid_t **groupsp, long int limit,
					    int *errnop)
{
	int saved_errno = errno, err = 0;
	enum nss_status st =
	    account_groups(user, group, start, size, groupsp, limit, &err);
	return svnss_return(st, saved_errno, err, errnop);
}
