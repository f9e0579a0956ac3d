/* SPDX-License-Identifier: MIT */
/* pam_svcacct module options. */
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include "pam_svcacct.h"

void svp_args_parse(pam_handle_t *pamh, int argc, const char **argv,
		    struct svp_args *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 0; i < argc; i++) {
		const char *s = argv[i];
		if (!s)
			continue;
		if (!strcmp(s, "debug"))
			a->debug = true;
		else if (!strcmp(s, "use_first_pass"))
			a->use_first_pass = true;
		else if (!strcmp(s, "try_first_pass"))
			a->try_first_pass = true;
		else if (!strcmp(s, "no_warn"))
			a->no_warn = true;
		else if (!strcmp(s, "quiet"))
			a->quiet = true;
		else if (!strncmp(s, "conf=", 5) && s[5])
			a->conf = s + 5;
		else if (!strncmp(s, "audience=", 9) && s[9])
			a->audience = s + 9;
		else {
			/* not fatal: a typo must not lock everybody out,
			 * but the admin must see it */
			char clean[128];
			svp_sanitize(s, clean, sizeof(clean));
			pam_syslog(pamh, LOG_AUTHPRIV | LOG_WARNING,
				   "svcacct: event=config result=warn "
				   "reason=unknown_option option=%s",
				   clean);
		}
	}
}

void svp_sanitize(const char *s, char *out, size_t cap)
{
	size_t i = 0;

	if (cap == 0)
		return;
	if (!s || !*s) {
		if (cap > 1) {
			out[0] = '-';
			out[1] = '\0';
		} else {
			out[0] = '\0';
		}
		return;
	}
	for (; s[i] && i + 1 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '_' ||
			  c == ':' || c == '@' || c == '/' || c == '-' ||
			  c == ',';
		out[i] = ok ? (char)c : '?';
	}
	out[i] = '\0';
}
