/* SPDX-License-Identifier: MIT */
#include "names.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

/* Names that would confuse people or programs if a service account took
 * them, whether or not they exist on this host. */
static const char *const reserved[] = {
    SV_BASE_ROLE,      "root",	  "daemon", "bin",     "sys",	"sync",
    "nobody",	       "nogroup", "wheel",  "sudo",    "admin", "adm",
    "shadow",	       "staff",	  "users",  "disk",    "kmem",	"tty",
    "systemd-journal", "sshd",	  "all",    "default", "none",	"local",
};

int sv_name_check(const char *name, char *err, size_t errlen)
{
	size_t n = strlen(name);
	bool digits = true;

	if (n == 0 || n > SV_NAME_MAX) {
		snprintf(err, errlen, "name '%.40s' must be 1 to %d characters",
			 name, SV_NAME_MAX);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];
		bool ok = (ch >= 'a' && ch <= 'z') || ch == '_' ||
			  (i > 0 && ((ch >= '0' && ch <= '9') || ch == '-'));
		if (!ok) {
			snprintf(
			    err, errlen,
			    "name '%.40s' is invalid: use lower-case "
			    "letters, digits, '_' and '-', starting with a "
			    "letter or '_'",
			    name);
			return -EINVAL;
		}
		if (!(ch >= '0' && ch <= '9'))
			digits = false;
	}
	if (digits) {
		snprintf(err, errlen, "name '%s' is all digits", name);
		return -EINVAL;
	}
	for (size_t i = 0; i < SV_ARRAY_SIZE(reserved); i++)
		if (!strcmp(reserved[i], name)) {
			snprintf(err, errlen, "name '%s' is reserved", name);
			return -EINVAL;
		}
	return 0;
}

int sv_field_check(const char *what, const char *s, size_t max, char *err,
		   size_t errlen)
{
	size_t n = strlen(s);
	if (n > max) {
		snprintf(err, errlen, "%s is longer than %zu bytes", what, max);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch == 0x7f) {
			snprintf(err, errlen,
				 "%s contains a control character (newline, "
				 "tab, ...)",
				 what);
			return -EINVAL;
		}
		if (ch == ':') {
			snprintf(err, errlen, "%s may not contain ':'", what);
			return -EINVAL;
		}
	}
	return 0;
}

int sv_path_check(const char *what, const char *s, char *err, size_t errlen)
{
	int r = sv_field_check(what, s, 255, err, errlen);
	if (r < 0)
		return r;
	if (s[0] != '/') {
		snprintf(err, errlen, "%s '%s' is not an absolute path", what,
			 s);
		return -EINVAL;
	}
	size_t n = strlen(s);
	if (strstr(s, "//") || strstr(s, "/./") || strstr(s, "/../") ||
	    (n >= 2 && !strcmp(s + n - 2, "/.")) ||
	    (n >= 3 && !strcmp(s + n - 3, "/..")) || strchr(s, ' ') ||
	    (n > 1 && s[n - 1] == '/')) {
		snprintf(err, errlen, "%s '%s' is not a normalised path", what,
			 s);
		return -EINVAL;
	}
	return 0;
}

static bool never_served(uint32_t id)
{
	return id < 1000 || id == 65534 || id == 65535 || id == UINT32_MAX;
}

bool sv_uid_acceptable(const struct sv_config *c, uint32_t uid)
{
	return !never_served(uid) && uid >= c->uid_min && uid <= c->uid_max;
}

bool sv_role_gid_acceptable(const struct sv_config *c, uint32_t gid)
{
	if (never_served(gid))
		return false;
	return gid == c->base_gid || (gid >= c->gid_min && gid <= c->gid_max);
}
