/* SPDX-License-Identifier: MIT */
/* shadow: what pam_unix and friends read. No password ever ('*'), so that
 * only pam_svcacct can authenticate an account; the expiry carries the
 * account's state so that every stack consulting shadow agrees with it. */
#include <errno.h>
#include <string.h>

#include "handle.h"
#include "nss_svcacct.h"

#define DAY 86400

/* Days since the epoch, never below 1: 0 means "change the password now"
 * as a last-change date and "no expiry" to some readers as an expiry. */
static long day_of(int64_t t)
{
	if (t < DAY)
		return 1;
	return (long)(t / DAY);
}

static int fill_spwd(struct svnss *s, const struct sv_account *a, void *ent,
		     char *buf, size_t buflen)
{
	struct spwd *sp = ent, out;
	struct svnss_pack pk;
	int r;

	(void)s;
	r = svnss_pack_account(&pk, buf, buflen, 0, a, "*", &out.sp_namp,
			       &out.sp_pwdp);
	if (r < 0)
		return r;
	out.sp_lstchg = day_of(a->updated);
	/* no password aging: the fields are empty */
	out.sp_min = -1;
	out.sp_max = -1;
	out.sp_warn = -1;
	out.sp_inact = -1;
	/* Disabled: expired since 1970-01-02. The expiry day is the day of
	 * the expiry time, rounded down: shadow readers refuse from the
	 * start of that day, never later than the account's own expiry. */
	if (a->flags & SV_ACCT_DISABLED)
		out.sp_expire = 1;
	else if (a->expires)
		out.sp_expire = day_of(a->expires);
	else
		out.sp_expire = -1;
	out.sp_flag = ~0ul;
	*sp = out;
	return 0;
}

/* by name only: shadow has no lookup by id */
static const struct svnss_lookups shadow_lookups = {
    .fill = fill_spwd,
    .by_name = {NULL, svnss_find_account},
};

/* getspnam_r */
SVNSS_DEFINE_BYNAME(sp, struct spwd, shadow_lookups)

/* setspent, getspent_r, endspent */
SVNSS_DEFINE_ENUM(sp, SVNSS_SHADOW, struct spwd, svnss_next_account, fill_spwd)
