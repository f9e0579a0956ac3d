/* SPDX-License-Identifier: MIT */
/* svcacct(8): administer service accounts, roles and credentials. */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

/* The options before the noun: --conf FILE (-c), --json (-j), --help
 * (-h), --version (-V). *i is the index of the noun after; -1 when the
 * command is done (help, version), else 0 or an exit code. */
static int global_options(struct cli *cli, int argc, char **argv, int *i,
			  bool *explicit_conf)
{
	static const char *const names[] = {"conf", "json", "help", "version"};
	for (*i = 1; *i < argc && argv[*i][0] == '-'; (*i)++) {
		const char *a = argv[*i];
		if (!strcmp(a, "--")) {
			(*i)++;
			break;
		}
		if (!strcmp(a, "--conf") || !strcmp(a, "-c")) {
			if (*i + 1 >= argc) {
				fprintf(stderr,
					"svcacct: unknown or incomplete "
					"option '%s': it needs an "
					"argument (FILE)\n",
					a);
				cli_print_usage(stderr, NULL, NULL);
				return EXIT_USAGE;
			}
			cli->conf_path = argv[++*i];
			*explicit_conf = true;
		} else if (!strncmp(a, "--conf=", 7)) {
			cli->conf_path = a + 7;
			*explicit_conf = true;
		} else if (!strcmp(a, "--json") || !strcmp(a, "-j")) {
			cli->json = true;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			cli_print_usage(stdout, NULL, NULL);
			return -1;
		} else if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
			printf("svcacct %s\n", PACKAGE_VERSION);
			return -1;
		} else {
			const char *s = !strncmp(a, "--", 2)
					    ? cli_suggest(a + 2, names,
							  SV_ARRAY_SIZE(names),
							  sizeof(names[0]))
					    : NULL;
			fprintf(stderr,
				"svcacct: unknown or incomplete option '%s'",
				a);
			if (s)
				fprintf(stderr, "; did you mean '--%s'?", s);
			fputc('\n', stderr);
			cli_print_usage(stderr, NULL, NULL);
			return EXIT_USAGE;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct cli cli = {.prog = "svcacct"};
	bool explicit_conf = false;
	int first, r;

	setlocale(LC_ALL, "C");
	/* new files are never group/world writable, whatever the caller's
	 * umask says */
	umask(022);
	r = global_options(&cli, argc, argv, &first, &explicit_conf);
	if (r)
		return r < 0 ? EXIT_OK : r;
	if (first >= argc) {
		cli_print_usage(stderr, NULL, NULL);
		return EXIT_USAGE;
	}
	const char *noun = argv[first];
	/* the completion script does not depend on the configuration */
	if (!strcmp(noun, "completion"))
		return cli_run(&cli, argc - first, argv + first);
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
	r = sv_config_load(&cli.cfg, cli.conf_path, true, err, sizeof(err));
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

	r = cli_run(&cli, argc - first, argv + first);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "svcacct: writing output: %s\n",
			strerror(errno));
		return EXIT_FAIL;
	}
	return r;
}
