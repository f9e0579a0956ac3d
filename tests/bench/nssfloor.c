/* SPDX-License-Identifier: MIT */
/* libnss_benchfloor.so.2: the NSS benchmark's floor. Every lookup answers
 * the same fixed entry, copied into the caller's buffer, with no system
 * call and no state: what is left of a getpwnam through it is glibc's own
 * cost (nsswitch.conf, the dispatch, the copy), the least any module can
 * cost. tests/bench/nss measures the other backends against it; it is
 * never installed. */
#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#define FLOOR_NAME "benchfloor"
#define FLOOR_ID   4242

/* Copy s into the caller's buffer at *off; NULL when it does not fit. */
static char *put(const char *s, char *buf, size_t len, size_t *off)
{
	size_t n = strlen(s) + 1;
	if (n > len - *off)
		return NULL;
	char *p = memcpy(buf + *off, s, n);
	*off += n;
	return p;
}

static enum nss_status fill_pw(struct passwd *pw, char *buf, size_t len,
			       int *errnop)
{
	size_t off = 0;
	pw->pw_name = put(FLOOR_NAME, buf, len, &off);
	pw->pw_passwd = put("x", buf, len, &off);
	pw->pw_gecos = put("bench floor", buf, len, &off);
	pw->pw_dir = put("/nonexistent", buf, len, &off);
	pw->pw_shell = put("/usr/sbin/nologin", buf, len, &off);
	if (!pw->pw_name || !pw->pw_passwd || !pw->pw_gecos || !pw->pw_dir ||
	    !pw->pw_shell) {
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	pw->pw_uid = FLOOR_ID;
	pw->pw_gid = FLOOR_ID;
	return NSS_STATUS_SUCCESS;
}

static enum nss_status fill_gr(struct group *gr, char *buf, size_t len,
			       int *errnop)
{
	size_t off = 0;
	gr->gr_name = put(FLOOR_NAME, buf, len, &off);
	gr->gr_passwd = put("x", buf, len, &off);
	/* an empty member list, aligned for its pointer */
	size_t a = (off + sizeof(char *) - 1) & ~(sizeof(char *) - 1);
	if (!gr->gr_name || !gr->gr_passwd || a + sizeof(char *) > len) {
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	gr->gr_mem = (char **)(void *)(buf + a);
	gr->gr_mem[0] = NULL;
	gr->gr_gid = FLOOR_ID;
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_benchfloor_getpwnam_r(const char *name, struct passwd *pw,
					   char *buf, size_t len, int *errnop);
enum nss_status _nss_benchfloor_getpwnam_r(const char *name, struct passwd *pw,
					   char *buf, size_t len, int *errnop)
{
	(void)name;
	return fill_pw(pw, buf, len, errnop);
}

enum nss_status _nss_benchfloor_getpwuid_r(uid_t uid, struct passwd *pw,
					   char *buf, size_t len, int *errnop);
enum nss_status _nss_benchfloor_getpwuid_r(uid_t uid, struct passwd *pw,
					   char *buf, size_t len, int *errnop)
{
	(void)uid;
	return fill_pw(pw, buf, len, errnop);
}

enum nss_status _nss_benchfloor_getgrnam_r(const char *name, struct group *gr,
					   char *buf, size_t len, int *errnop);
enum nss_status _nss_benchfloor_getgrnam_r(const char *name, struct group *gr,
					   char *buf, size_t len, int *errnop)
{
	(void)name;
	return fill_gr(gr, buf, len, errnop);
}

enum nss_status _nss_benchfloor_getgrgid_r(gid_t gid, struct group *gr,
					   char *buf, size_t len, int *errnop);
enum nss_status _nss_benchfloor_getgrgid_r(gid_t gid, struct group *gr,
					   char *buf, size_t len, int *errnop)
{
	(void)gid;
	return fill_gr(gr, buf, len, errnop);
}

/* one supplementary group, the fixed one, grown into glibc's array as
 * initgroups_dyn's contract asks */
enum nss_status _nss_benchfloor_initgroups_dyn(const char *user, gid_t group,
					       long int *start, long int *size,
					       gid_t **groupsp, long int limit,
					       int *errnop);
enum nss_status _nss_benchfloor_initgroups_dyn(const char *user, gid_t group,
					       long int *start, long int *size,
					       gid_t **groupsp, long int limit,
					       int *errnop)
{
	(void)user;
	if (group == FLOOR_ID)
		return NSS_STATUS_SUCCESS;
	if (limit > 0 && *start >= limit)
		return NSS_STATUS_SUCCESS;
	if (*start >= *size) {
		long int nsize = *size ? 2 * *size : 1;
		if (limit > 0 && nsize > limit)
			nsize = limit;
		gid_t *ng = realloc(*groupsp, (size_t)nsize * sizeof(gid_t));
		if (!ng) {
			*errnop = ENOMEM;
			return NSS_STATUS_TRYAGAIN;
		}
		*groupsp = ng;
		*size = nsize;
	}
	(*groupsp)[(*start)++] = FLOOR_ID;
	return NSS_STATUS_SUCCESS;
}
