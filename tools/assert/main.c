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

int main(int argc, char **argv)
{
	int r;

	/* the key and the cache: nobody else may read what we create */
	umask(077);
	if (argc >= 2 && (r = assert_run(argc - 1, argv + 1)) >= 0)
		return r;
	if (argc == 2 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		assert_usage(stdout);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf(PROG " %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (argc == 2)
		return askpass(argv[1]);
	assert_usage(stderr);
	return 2;
}
