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
	size_t need = 0;

	if (!svnss_need_str(&need, a->name.n) || !svnss_need_str(&need, 1) ||
	    !svnss_need_str(&need, a->description.n) ||
	    !svnss_need_str(&need, home.n) || !svnss_need_str(&need, shell.n) ||
	    need > buflen)
		return -ERANGE;
	pk.p = buf;
	pk.left = buflen;
	out.pw_name = svnss_put(&pk, a->name.p, a->name.n);
	out.pw_passwd = svnss_put(&pk, "x", 1);
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

enum nss_status _nss_svcacct_getpwnam_r(const char *name, struct passwd *pw,
					char *buf, size_t buflen, int *errnop)
{
	struct svnss_query q = {.name = name,
				.fill = fill_passwd,
				.ent = pw,
				.buf = buf,
				.buflen = buflen};

	return svnss_lookup(&q, note_guard, svnss_find_account, errnop);
}

enum nss_status _nss_svcacct_getpwuid_r(uid_t uid, struct passwd *pw, char *buf,
					size_t buflen, int *errnop)
{
	struct svnss_query q = {.id = uid,
				.by_id = true,
				.fill = fill_passwd,
				.ent = pw,
				.buf = buf,
				.buflen = buflen};

	return svnss_lookup(&q, svnss_pre_uid, svnss_find_account, errnop);
}

/* setpwent, getpwent_r, endpwent */
SVNSS_DEFINE_ENUM(pw, SVNSS_PASSWD, struct passwd, svnss_next_account,
		  fill_passwd)
