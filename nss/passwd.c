/* SPDX-License-Identifier: MIT */
/* passwd: every valid account as a user whose primary group is its own
 * user-private group (GID = UID). */
#include <errno.h>
#include <string.h>

#include "handle.h"
#include "nss_svcacct.h"

/* Lay out the entry in buf; *pw is written only when all of it fits. */
static int fill_passwd(const struct sv_config *c, const struct sv_account *a,
		       void *ent, char *buf, size_t buflen)
{
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

/* entry_errno: errno as the entry point found it (svnss_guard_note). */
static enum nss_status lookup_pwnam(const char *name, struct passwd *pw,
				    char *buf, size_t buflen, int entry_errno,
				    int *errnop)
{
	struct sv_blob blob = {0};
	struct sv_account a;
	struct svnss s;
	int r;

	/* not a name an account can have (root, ...): no I/O at all */
	if (!svnss_cname_ok(name))
		return svnss_status(-ENOENT, errnop);
	r = svnss_begin(&s);
	if (r < 0)
		return svnss_unavail(r, errnop);
	/* initgroups_dyn may be asking who the name is */
	svnss_guard_note(&s, entry_errno);
	r = svnss_reader(&s);
	if (r < 0)
		return svnss_unavail(r, errnop);
	r = svnss_get_account(s.rd, s.conf, name, strlen(name), &blob, &a);
	if (r == 0)
		r = fill_passwd(s.conf, &a, pw, buf, buflen);
	sv_blob_free(&blob);
	svnss_end(&s);
	return svnss_status(r, errnop);
}

static enum nss_status lookup_pwuid(uid_t uid, struct passwd *pw, char *buf,
				    size_t buflen, int *errnop)
{
	struct sv_blob blob = {0};
	struct sv_account a;
	struct svnss s;
	int r;

	r = svnss_begin(&s);
	if (r < 0)
		return svnss_unavail(r, errnop);
	/* outside the account range (root, regular users): no I/O */
	if (!sv_uid_acceptable(s.conf, uid)) {
		svnss_end(&s);
		return svnss_status(-ENOENT, errnop);
	}
	r = svnss_reader(&s);
	if (r < 0)
		return svnss_unavail(r, errnop);
	r = svnss_get_account_by_uid(s.rd, s.conf, uid, &blob, &a);
	if (r == 0)
		r = fill_passwd(s.conf, &a, pw, buf, buflen);
	sv_blob_free(&blob);
	svnss_end(&s);
	return svnss_status(r, errnop);
}

enum nss_status _nss_svcacct_setpwent(int stayopen)
{
	(void)stayopen;
	return svnss_setent(SVNSS_PASSWD);
}

enum nss_status _nss_svcacct_endpwent(void)
{
	return svnss_endent(SVNSS_PASSWD);
}

/* The entry points: errno as they found it (svnss_return). */
enum nss_status _nss_svcacct_getpwnam_r(const char *name, struct passwd *pw,
					char *buf, size_t buflen, int *errnop)
{
	int saved_errno = errno, err = 0;
	enum nss_status st =
	    lookup_pwnam(name, pw, buf, buflen, saved_errno, &err);
	return svnss_return(st, saved_errno, err, errnop);
}

enum nss_status _nss_svcacct_getpwuid_r(uid_t uid, struct passwd *pw, char *buf,
					size_t buflen, int *errnop)
{
	int saved_errno = errno, err = 0;
	enum nss_status st = lookup_pwuid(uid, pw, buf, buflen, &err);
	return svnss_return(st, saved_errno, err, errnop);
}

enum nss_status _nss_svcacct_getpwent_r(struct passwd *pw, char *buf,
					size_t buflen, int *errnop)
{
	int saved_errno = errno, err = 0;
	enum nss_status st = svnss_getent_accounts(SVNSS_PASSWD, fill_passwd,
						   pw, buf, buflen, &err);
	return svnss_return(st, saved_errno, err, errnop);
}
