/* SPDX-License-Identifier: MIT */
/* Names and numbers: what a valid account/role name and field is, and which
 * UIDs/GIDs a record may carry. Store side: libc only. */
#ifndef SVCACCT_NAMES_H
#define SVCACCT_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define SV_BASE_ROLE "svcacct"
#define SV_NAME_MAX  32

/* ^[a-z_][a-z0-9_-]{0,31}$, not all digits, not reserved. 0 or -EINVAL
 * with the reason in err. */
int sv_name_check(const char *name, char *err, size_t errlen);

/* Why a name may not become a group that svcacct serves (a role, or the
 * private group an account has under its own name). */
enum sv_group_reserved {
	SV_GROUP_FREE = 0,
	SV_GROUP_BUILTIN,    /* on the built-in list, not exempted */
	SV_GROUP_CONFIG,     /* added by reserved_group_names */
	SV_GROUP_KEYS_GROUP, /* the configured keys_group */
};

/* Whether name is taken by the system or a package that may create it
 * later: the built-in list (Debian's base-passwd groups, the base groups of
 * systemd and other distributions, and groups that packages add and that
 * grant power, such as docker, lxd, libvirt or kvm) minus the names that
 * c->reserved_group_names exempts with '!', plus the names it adds, plus
 * c->keys_group. The names sv_name_check refuses outright are not repeated
 * here. */
enum sv_group_reserved sv_group_name_reserved(const struct sv_config *c,
					      const char *name);

/* Whether name is on the built-in list (what a '!' entry may exempt). */
bool sv_group_name_builtin(const char *name);

/* Whether name has the form of an account or role name
 * (^[a-z_][a-z0-9_-]{0,31}$, not all digits), reserved or not. */
bool sv_name_form_ok(const char *name);

/* A free-text field (description, owner, label): at most max bytes, no
 * ':' (it would split a passwd line), no control characters, valid
 * printable bytes. 0 or -EINVAL with the reason. */
int sv_field_check(const char *what, const char *s, size_t max, char *err,
		   size_t errlen);

/* An absolute, normalised path for home or shell: no "..", no "//", no
 * ':' or control characters. */
int sv_path_check(const char *what, const char *s, char *err, size_t errlen);

/* Whether a UID may ever be served: in [uid_min, uid_max], >= 1000, and
 * not 65534/65535. */
bool sv_uid_acceptable(const struct sv_config *c, uint32_t uid);
/* Whether a role GID may be served: in [gid_min, gid_max] or the base
 * GID, >= 1000, not 65534/65535. */
bool sv_role_gid_acceptable(const struct sv_config *c, uint32_t gid);

#endif
