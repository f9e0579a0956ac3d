/* SPDX-License-Identifier: MIT */
/* The client configuration of svcacct-assert: ~/.config/svcacct/assert.conf
 * (parsed by sv_client_config_load in common/store/config.c), then the
 * environment, key by key. */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assert.h"
#include "keys.h"
#include "names.h"

_Static_assert(sizeof(((struct sv_client_config *)0)->kid) == SV_KID_MAX + 1,
	       "kid: the size of keys.h");
_Static_assert(sizeof(((struct sv_client_config *)0)->account) ==
		   SV_NAME_MAX + 1,
	       "account: the size of names.h");

/* The file's path: under $XDG_CONFIG_HOME, or ~/.config; 0 with an empty
 * path when there is no home to look in, 1 if the path does not fit. */
static int conf_path(char *path, size_t cap)
{
	const char *base = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	struct passwd *pw;
	int n;

	path[0] = '\0';
	if (!home || !*home) {
		pw = getpwuid(geteuid());
		home = pw ? pw->pw_dir : NULL;
	}
	if (base && *base)
		n = snprintf(path, cap, "%s/svcacct/assert.conf", base);
	else if (home)
		n = snprintf(path, cap, "%s/.config/svcacct/assert.conf", home);
	else
		return 0;
	if (n < 0 || (size_t)n >= cap)
		return fail("the path of assert.conf is too long");
	return 0;
}

/* The environment variable name, if set and not empty, into dst. */
static int env_field(char *dst, size_t cap, const char *name)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return 0;
	if (strlen(v) >= cap)
		return fail("%s: longer than %zu bytes", name, cap - 1);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

int load_client_conf(struct client_conf *cc)
{
	struct sv_client_config *c = &cc->c;
	char path[PATH_MAX], err[SV_CONF_ERRLEN];
	const char *lt;
	size_t n = 0;
	int r;

	memset(cc, 0, sizeof(*cc));
	sv_client_config_defaults(c);
	if (conf_path(path, sizeof(path)))
		return 1;
	if (*path) {
		r = sv_client_config_load(c, path, err, sizeof(err));
		if (r < 0 && r != -ENOENT)
			return fail("%s", err);
	}
	/* the file's scope as one string, as SVCACCT_SCOPE gives it */
	for (size_t i = 0; i < c->n_scope; i++) {
		int k = snprintf(cc->scope + n, sizeof(cc->scope) - n, "%s%s",
				 i ? "," : "", c->scope[i]);
		if (k < 0 || (size_t)k >= sizeof(cc->scope) - n)
			return fail("%s: scope too long", path);
		n += (size_t)k;
	}
	if (env_field(c->key, sizeof(c->key), "SVCACCT_KEY") ||
	    env_field(c->account, sizeof(c->account), "SVCACCT_ACCOUNT") ||
	    env_field(c->audience, sizeof(c->audience), "SVCACCT_AUDIENCE") ||
	    env_field(c->kid, sizeof(c->kid), "SVCACCT_KID") ||
	    env_field(cc->scope, sizeof(cc->scope), "SVCACCT_SCOPE") ||
	    env_field(c->token_file, sizeof(c->token_file),
		      "SVCACCT_TOKEN_FILE"))
		return 1;
	lt = getenv("SVCACCT_LIFETIME");
	if (lt && *lt)
		c->lifetime = (unsigned)strtoul(lt, NULL, 10);
	return 0;
}
