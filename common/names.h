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
