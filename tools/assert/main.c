/* SPDX-License-Identifier: MIT */
/* svcacct-assert(1): the client side of svcacct. Generates key pairs, mints
 * signed JWT client assertions (RFC 7523) and, as ssh's SSH_ASKPASS helper,
 * answers pam_svcacct's prompts with the parts of one fresh credential.
 * This file dispatches to the jobs (assert.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "assert.h"

int fail(const char *fmt, ...)
{
	va_list ap;
	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static const char usage_text[] =
    "usage: " PROG " keygen [--alg ES256|ES384|RS256] --out KEY [--pub FILE]\n"
    "                      [--jwk]\n"
    "       " PROG " token --key KEY --account NAME --aud AUD [--kid K]\n"
    "                      [--scope R,R] [--lifetime S] [--split N]\n"
    "       " PROG " sign-manifest --key KEY [--kid K] FILE|-\n"
    "       " PROG " PROMPT   (as SSH_ASKPASS; see svcacct-assert(1))\n";

int main(int argc, char **argv)
{
	/* the key and the cache: nobody else may read what we create */
	umask(077);
	if (argc >= 2 && !strcmp(argv[1], "keygen"))
		return cmd_keygen(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "token"))
		return cmd_token(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "sign-manifest"))
		return cmd_sign_manifest(argc - 1, argv + 1);
	if (argc == 2 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf(PROG " %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (argc == 2)
		return askpass(argv[1]);
	fputs(usage_text, stderr);
	return 2;
}
