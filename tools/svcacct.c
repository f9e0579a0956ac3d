/* SPDX-License-Identifier: MIT */
/* svcacct(8): administer service accounts, roles and credentials. */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"conf", required_argument, NULL, 'c'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct cli cli = {.prog = "svcacct"};
	bool explicit_conf = false;
	int c;

	setlocale(LC_ALL, "C");
	/* new files are never group/world writable, whatever the caller's
	 * umask says */
	umask(022);
	while ((c = getopt_long(argc, argv, "+c:jhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cli.conf_path = optarg;
			explicit_conf = true;
			break;
		case 'j': cli.json = true; break;
		case 'h': cli_print_usage(stdout, NULL, NULL); return EXIT_OK;
		case 'V':
			printf("svcacct %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		default: cli_print_usage(stderr, NULL, NULL); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_print_usage(stderr, NULL, NULL);
		return EXIT_USAGE;
	}
	const char *noun = argv[optind];
	/* the completion script does not depend on the configuration */
	if (!strcmp(noun, "completion"))
		return cli_run(&cli, argc - optind, argv + optind);
	if (!cli.conf_path) {
		const char *env = secure_getenv("SVCACCT_CONF");
		if (env && *env) {
			cli.conf_path = env;
			explicit_conf = true;
		} else {
			cli.conf_path = sv_config_default_path();
		}
	}
	char err[SV_CONF_ERRLEN] = "";
	int r = sv_config_load(&cli.cfg, cli.conf_path, true, err, sizeof(err));
	sv_config_fill_shell(&cli.cfg);
	if (r == -ENOENT && !explicit_conf) {
		/* no config file: compiled-in defaults */
	} else if (r < 0 && !strcmp(noun, "__complete")) {
		/* a shell completing a word: no message in the middle of it */
		return EXIT_FAIL;
	} else if (r < 0 && strcmp(noun, "check") && strcmp(noun, "config")) {
		/* check and config check report it themselves */
		fprintf(stderr, "svcacct: configuration: %s\n", err);
		return EXIT_FAIL;
	}

	r = cli_run(&cli, argc - optind, argv + optind);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "svcacct: writing output: %s\n",
			strerror(errno));
		return EXIT_FAIL;
	}
	return r;
}
