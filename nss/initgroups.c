/* SPDX-License-Identifier: MIT */
/* initgroups: an account's supplementary groups are the base group and the
 * groups of its granted roles (from the account record, so one fetch). Its
 * user-private group is its primary group, which the caller passes in. */
#include <errno.h>
#include <limits.h>
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

enum nss_status _nss_svcacct_initgroups_dyn(const char *user, gid_t group,
					    long int *start, long int *size,
					    gid_t **groupsp, long int limit,
					    int *errnop)
{
	struct sv_blob blob = {0};
	struct sv_account a = {0};
	struct svnss s;
	int r;

	if (!svnss_cname_ok(user))
		return svnss_status(-ENOENT, errnop);
	r = svnss_begin(&s);
	if (r < 0)
		return svnss_unavail(r, errnop);
	r = svnss_reader(&s);
	if (r < 0)
		return svnss_unavail(r, errnop);
	r = svnss_get_account(s.rd, s.conf, user, strlen(user), &blob, &a);
	if (r == 0)
		r = add_gid(s.conf->base_gid, group, start, size, groupsp,
			    limit);
	for (uint32_t i = 0; r == 0 && i < a.roles.count; i++) {
		uint32_t g = sv_u32list_get(&a.roles, i);
		/* a forged list cannot hand out root's or anyone's group */
		if (g == s.conf->base_gid || !sv_role_gid_acceptable(s.conf, g))
			continue;
		r = add_gid(g, group, start, size, groupsp, limit);
	}
	sv_blob_free(&blob);
	svnss_end(&s);
	return svnss_status(r, errnop);
}
