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

SVNSS_EXPORT enum nss_status _nss_svcacct_getpwnam_r(const char *name,
						     struct passwd *pw,
						     char *buf, size_t buflen,
						     int *errnop);
SVNSS_EXPORT enum nss_status _nss_svcacct_getpwuid_r(uid_t uid,
						     struct passwd *pw,
						     char *buf, size_t buflen,
						     int *errnop);
SVNSS_EXPORT enum nss_status _nss_svcacct_setpwent(int stayopen);
SVNSS_EXPORT enum nss_status _nss_svcacct_getpwent_r(struct passwd *pw,
						     char *buf, size_t buflen,
						     int *errnop);
SVNSS_EXPORT enum nss_status _nss_svcacct_endpwent(void);

SVNSS_EXPORT enum nss_status _nss_svcacct_getgrnam_r(const char *name,
						     struct group *gr,
						     char *buf, size_t buflen,
						     int *errnop);
SVNSS_EXPORT enum nss_status _nss_svcacct_getgrgid_r(gid_t gid,
						     struct group *gr,
						     char *buf, size_t buflen,
						     int *errnop);
SVNSS_EXPORT enum nss_status _nss_svcacct_setgrent(int stayopen);
SVNSS_EXPORT enum nss_status _nss_svcacct_getgrent_r(struct group *gr,
						     char *buf, size_t buflen,
						     int *errnop);
SVNSS_EXPORT enum nss_status _nss_svcacct_endgrent(void);

SVNSS_EXPORT enum nss_status _nss_svcacct_getspnam_r(const char *name,
						     struct spwd *sp, char *buf,
						     size_t buflen,
						     int *errnop);
SVNSS_EXPORT enum nss_status _nss_svcacct_setspent(int stayopen);
SVNSS_EXPORT enum nss_status
_nss_svcacct_getspent_r(struct spwd *sp, char *buf, size_t buflen, int *errnop);
SVNSS_EXPORT enum nss_status _nss_svcacct_endspent(void);

SVNSS_EXPORT enum nss_status
_nss_svcacct_initgroups_dyn(const char *user, gid_t group, long int *start,
			    long int *size, gid_t **groupsp, long int limit,
			    int *errnop);

#endif
