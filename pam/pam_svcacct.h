/* SPDX-License-Identifier: MIT */
/* pam_svcacct internals shared by the module's files (not installed). */
#ifndef SVCACCT_PAM_SVCACCT_H
#define SVCACCT_PAM_SVCACCT_H

#include <stdbool.h>
#include <stddef.h>

#include <security/pam_modules.h>

#include "config.h"

struct svp_args {
	bool debug;
	bool use_first_pass;
	bool try_first_pass;
	bool no_warn;
	bool quiet;
	const char *conf;     /* conf=PATH (points into argv) */
	const char *audience; /* audience=AUD (points into argv) */
};

/* Parse the module arguments. Unknown ones are logged and ignored. */
void svp_args_parse(pam_handle_t *pamh, int argc, const char **argv,
		    struct svp_args *a);

/* Read the credential: PAM_AUTHTOK (use_first_pass, try_first_pass) or
 * the conversation, in parts: an answer that ends in '\' means "more
 * follows" (no secret or JWS contains one). At most cfg->max_parts answers
 * and cfg->max_credential_length bytes in all. On success *out is a
 * malloc'd NUL-terminated credential of *outlen bytes: wipe it
 * (svp_cred_free). Returns a PAM code; on failure *reason is set
 * (too_long, too_many_parts, no_credential, conv_error). */
int svp_get_credential(pam_handle_t *pamh, const struct svp_args *a,
		       const struct sv_config *cfg, const char *audience,
		       char **out, size_t *outlen, const char **reason);
void svp_cred_free(char *p, size_t len);

/* sv_config_load(c, path, true, ...) as its result would be now, from
 * a copy kept per process while the file is unchanged (confcache.c says
 * when it is looked at again). 0, -ENOENT (no file: the defaults in *c) or
 * the error of sv_config_load, with its message in err. */
int svp_config_load(struct sv_config *c, const char *path, char *err,
		    size_t errlen);

/* Send a message to the user (PAM_ERROR_MSG or PAM_TEXT_INFO). */
void svp_message(pam_handle_t *pamh, int style, const char *text);

/* Copy s into out keeping only [A-Za-z0-9._:@/,-] (the comma for role lists)
 * (others become '?'), at most cap - 1 bytes; NULL or "" becomes "-". */
void svp_sanitize(const char *s, char *out, size_t cap);

#endif
