/* SPDX-License-Identifier: MIT */
/* The entry points glibc looks up in libnss_svcacct.so.2 (nss/exports.map
 * exports these and nothing else). */
#ifndef SVCACCT_NSS_SVCACCT_H
#define SVCACCT_NSS_SVCACCT_H

#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <shadow.h>
#include <sys/types.h>

#define SVNSS_EXPORT __attribute__((visibility("default")))

/* Per database db (pw, gr, sp) with entries of type T: lookup by name and
 * the enumeration, set<db>ent, get<db>ent_r and end<db>ent. */
#define SVNSS_BYNAME(db, T)                                                    \
	SVNSS_EXPORT enum nss_status _nss_svcacct_get##db##nam_r(              \
	    const char *name, T *result, char *buf, size_t buflen,             \
	    int *errnop)
/* The lookup by id (byid: pwuid, grgid, an IdT) of the databases with one. */
#define SVNSS_BYID(byid, IdT, T)                                               \
	SVNSS_EXPORT enum nss_status _nss_svcacct_get##byid##_r(               \
	    IdT id, T *result, char *buf, size_t buflen, int *errnop)
#define SVNSS_ENUM(db, T)                                                      \
	SVNSS_EXPORT enum nss_status _nss_svcacct_set##db##ent(int stayopen);  \
	SVNSS_EXPORT enum nss_status _nss_svcacct_get##db##ent_r(              \
	    T *result, char *buf, size_t buflen, int *errnop);                 \
	SVNSS_EXPORT enum nss_status _nss_svcacct_end##db##ent(void)

SVNSS_BYNAME(pw, struct passwd);
SVNSS_BYID(pwuid, uid_t, struct passwd);
SVNSS_ENUM(pw, struct passwd);

SVNSS_BYNAME(gr, struct group);
SVNSS_BYID(grgid, gid_t, struct group);
SVNSS_ENUM(gr, struct group);

SVNSS_BYNAME(sp, struct spwd);
SVNSS_ENUM(sp, struct spwd);

SVNSS_EXPORT enum nss_status
_nss_svcacct_initgroups_dyn(const char *user, gid_t group, long int *start,
			    long int *size, gid_t **groupsp, long int limit,
			    int *errnop);

#endif
