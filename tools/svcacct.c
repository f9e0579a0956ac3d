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

static const char usage_text[] =
    "[--conf FILE] [--json] NOUN VERB [ARGS]\n"
    "\n"
    "  account create NAME [--uid N] [--description T] [--owner T]\n"
    "                      [--home D] [--shell P] [--expires DATE|never]\n"
    "                      [--role R]... [--home-writable] [--no-home]\n"
    "  account list | show NAME | delete NAME | enable NAME\n"
    "  account disable NAME [--stop] | set NAME [options of create]\n"
    "  role create ROLE [--gid N] [--description T] [--services S,S]\n"
    "                   [--from CIDR,...|local] [--command CMD]...\n"
    "  role list | show ROLE | delete ROLE [--force] | set ROLE [options]\n"
    "  grant NAME ROLE...          revoke NAME ROLE...\n"
    "  secret add NAME [--label T] [--expires DURATION|DATE]\n"
    "  secret list NAME | revoke NAME ID\n"
    "  key add NAME (--pem F | --jwk F | --jwks F) [--kid K] [--alg A]\n"
    "              [--label T] [--expires DURATION|DATE]\n"
    "  key list NAME | remove NAME KID\n"
    "  sshkey add NAME --pubkey FILE [--label T] [--expires ..]\n"
    "  sshkey list NAME | remove NAME ID\n"
    "  authorized-keys NAME        (sshd's AuthorizedKeysCommand)\n"
    "  verify NAME [--service S] [--rhost ADDR] [--audience A] < CREDENTIAL\n"
    "  export | import FILE | check | rollback [GENERATION] | generations\n"
    "  config check [FILE]         (a configuration, before installing it)\n"
    "  apply FILE [--dry-run] [--prune] [--verify-key KEY]\n"
    "  export --manifest           (the store as a manifest for apply)\n"
    "  issuer add NAME --issuer URL (--jwks F | --jwks-url URL [--ca-file F])\n"
    "             --audience A [--client-claim azp|client_id|sub|clientId]\n"
    "             [--roles-claim PATH]... [--max-lifetime S]\n"
    "  issuer list | show NAME | remove NAME | refresh [NAME] [--jwks F]\n"
    "  issuer map NAME --client ID --account LOCAL | unmap NAME --client ID\n"
    "  issuer role-map | role-unmap NAME REMOTE_ROLE LOCAL_ROLE\n"
    "\n"
    "Each verb takes --help. Exit status: 0 done, 1 failed, 2 usage.\n";

static const struct {
	const char *noun;
	cmd_fn fn;
} nouns[] = {
    {"account", cmd_account},
    {"role", cmd_role},
    {"grant", cmd_grant},
    {"revoke", cmd_revoke},
    {"secret", cmd_secret},
    {"key", cmd_key},
    {"export", cmd_export},
    {"import", cmd_import},
    {"check", cmd_config},
    {"rollback", cmd_rollback},
    {"generations", cmd_generations},
    {"sshkey", cmd_sshkey},
    {"authorized-keys", cmd_authorized_keys},
    {"verify", cmd_verify},
    {"apply", cmd_apply},
    {"issuer", cmd_issuer},
    {"config", cmd_config},
};

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
		case 'h':
			printf("usage: svcacct %s", usage_text);
			return EXIT_OK;
		case 'V':
			printf("svcacct %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		default:
			fprintf(stderr, "usage: svcacct %s", usage_text);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: svcacct %s", usage_text);
		return EXIT_USAGE;
	}
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
	} else if (r < 0 && strcmp(argv[optind], "check") &&
		   strcmp(argv[optind], "config")) {
		/* check and config check report it themselves */
		fprintf(stderr, "svcacct: configuration: %s\n", err);
		return EXIT_FAIL;
	}

	const char *noun = argv[optind];
	for (size_t i = 0; i < SV_ARRAY_SIZE(nouns); i++) {
		if (!strcmp(nouns[i].noun, noun)) {
			optind++;
			/* verbs parse their own options from argv[0] on */
			r = nouns[i].fn(&cli, argc - optind + 1,
					argv + optind - 1);
			if (fflush(stdout) != 0 || ferror(stdout)) {
				fprintf(stderr, "svcacct: writing output: %s\n",
					strerror(errno));
				return EXIT_FAIL;
			}
			return r;
		}
	}
	fprintf(stderr, "svcacct: unknown command '%s'\nusage: svcacct %s",
		noun, usage_text);
	return EXIT_USAGE;
}
