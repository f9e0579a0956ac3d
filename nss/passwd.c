/* SPDX-License-Identifier: MIT */
/* passwd: every valid account as a user whose primary group is its own
 * user-private group (GID = UID). */
#include <errno.h>
#include <string.h>

#include "handle.h"
#include "nss_svcacct.h"

/* Lay out the entry in buf; *pw is written only when all of it fits. */
static int fill_passwd(struct svnss *s, const struct sv_account *a, void *ent,
		       char *buf, size_t buflen)
{
	const struct sv_config *c = s->conf;
	struct passwd *pw = ent, out;
	char hometmp[sizeof(c->home_base) + SV_NAME_MAX + 2];
	struct sv_str home = svnss_home(c, a, hometmp, sizeof(hometmp));
	struct sv_str shell = svnss_shell(c, a);
	struct svnss_pack pk;
	size_t more = 0;
	int r;

	if (!svnss_need_str(&more, a->description.n) ||
	    !svnss_need_str(&more, home.n) || !svnss_need_str(&more, shell.n))
		return -ERANGE;
	r = svnss_pack_account(&pk, buf, buflen, more, a, "x", &out.pw_name,
			       &out.pw_passwd);
	if (r < 0)
		return r;
	out.pw_uid = a->uid;
	out.pw_gid = a->uid;
	out.pw_gecos = svnss_put(&pk, a->description.p, a->description.n);
	out.pw_dir = svnss_put(&pk, home.p, home.n);
	out.pw_shell = svnss_put(&pk, shell.p, shell.n);
	*pw = out;
	return 0;
}

/* initgroups_dyn may be asking who the name is (svnss_guard_note). */
static int note_guard(struct svnss *s, const struct svnss_query *q)
{
	(void)q;
	svnss_guard_note(s, s->entry_errno);
	return 0;
}

static const struct svnss_lookups passwd_lookups = {
    .fill = fill_passwd,
    .by_name = {note_guard, svnss_find_account},
    .by_id = {svnss_pre_uid, svnss_find_account},
};

/* getpwnam_r, getpwuid_r */
SVNSS_DEFINE_BYNAME(pw, struct passwd, passwd_lookups)
SVNSS_DEFINE_BYID(pwuid, uid_t, struct passwd, passwd_lookups)

/* setpwent, getpwent_r, endpwent */
SVNSS_DEFINE_ENUM(pw, SVNSS_PASSWD, struct passwd, svnss_next_account,
		  fill_passwd)
