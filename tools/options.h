/* SPDX-License-Identifier: MIT */
/* svcacct(8)'s command line as one table (tools/cli_table.c): nouns, their
 * verbs, each verb's positional arguments and options. The parser, every
 * usage text, the did-you-mean hints and the bash/zsh completion scripts
 * are all read from it (tools/options.c), so that they cannot disagree. */
#ifndef SVCACCT_OPTIONS_H
#define SVCACCT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct cli;

/* A repeated option's values, in command-line order. */
struct cli_list {
	const char *const *v;
	size_t n;
};

/* What the parser found: one field per option (the table says which), the
 * positional arguments, and the verb row that was run. Views into argv;
 * cli_args_free releases the one array the lists and positionals share. */
struct cli_args {
	const struct cli_noun *noun;
	const struct cli_verb_def *verb;
	const char *const *pos;
	int npos;
	/* options with a value */
	const char *uid, *gid, *description, *owner, *home, *shell, *expires;
	const char *label, *pem, *jwk, *jwks, *kid, *alg, *pubkey;
	const char *services, *from, *service, *rhost, *audience;
	const char *issuer, *jwks_url, *ca_file, *client_claim, *max_lifetime;
	const char *client, *account, *verify_key;
	const char *grace, *unused;
	const char *roles; /* a credential's scope; "from" is shared */
	const char *methods;
	/* options that may be repeated */
	struct cli_list role, command, roles_claim;
	struct cli_list add_service, remove_service, add_from, remove_from;
	struct cli_list add_command, remove_command;
	/* flags */
	bool json, force, home_writable, home_private, no_home, stop;
	bool clear_commands, allow_revoked, dry_run, prune, manifest;
	bool detailed_exitcode, repair_index;
	const char **store_; /* owned: lists and positionals */
};

enum cli_opt_kind {
	CLI_FLAG,  /* no argument: a bool field */
	CLI_VALUE, /* one argument, given once: a const char * field */
	CLI_LIST,  /* one argument, repeatable: a struct cli_list field */
};

/* What a shell completes after an option or at a positional argument. */
enum cli_complete {
	CLI_C_NONE = 0,
	CLI_C_FILE,
	CLI_C_ACCOUNT,
	CLI_C_ROLE,
};

/* One option: --name [METAVAR], its help line, and the field of struct
 * cli_args it fills (off). */
struct cli_opt {
	const char *name;
	const char *metavar; /* NULL for a flag */
	const char *help;
	enum cli_opt_kind kind;
	size_t off;
	enum cli_complete complete;
};

/* Option ids: indexes into cli_options[]; 0 ends a verb's list. A verb
 * lists CLI_HIDDEN(id) for an option it accepts only to refuse it with a
 * better message than "unknown" (account set --uid): not in its usage, not
 * completed. */
#define CLI_HIDDEN(id) ((id) | 0x80)
#define CLI_OPT_ID(x)  ((x)&0x7f)
enum cli_opt_id {
	OPT_END = 0,
	OPT_UID,
	OPT_GID,
	OPT_DESCRIPTION,
	OPT_OWNER,
	OPT_HOME,
	OPT_SHELL,
	OPT_EXPIRES_DATE,
	OPT_EXPIRES,
	OPT_ROLE,
	OPT_HOME_WRITABLE,
	OPT_HOME_PRIVATE,
	OPT_NO_HOME,
	OPT_METHODS,
	OPT_STOP,
	OPT_FORCE,
	OPT_JSON,
	OPT_SERVICES,
	OPT_FROM,
	OPT_COMMAND,
	OPT_CLEAR_COMMANDS,
	OPT_ADD_SERVICE,
	OPT_REMOVE_SERVICE,
	OPT_ADD_FROM,
	OPT_REMOVE_FROM,
	OPT_ADD_COMMAND,
	OPT_REMOVE_COMMAND,
	OPT_LABEL,
	OPT_PEM,
	OPT_JWK,
	OPT_JWKS,
	OPT_KID,
	OPT_ALG,
	OPT_ALLOW_REVOKED_KEY,
	OPT_ALLOW_REVOKED_KEYS,
	OPT_PUBKEY,
	OPT_SERVICE,
	OPT_RHOST,
	OPT_AUDIENCE,
	OPT_ISSUER,
	OPT_JWKS_URL,
	OPT_CA_FILE,
	OPT_CLIENT_CLAIM,
	OPT_ROLES_CLAIM,
	OPT_MAX_LIFETIME,
	OPT_CLIENT,
	OPT_ACCOUNT,
	OPT_DRY_RUN,
	OPT_PRUNE,
	OPT_VERIFY_KEY,
	OPT_DETAILED_EXITCODE,
	OPT_MANIFEST,
	OPT_GRACE,
	OPT_UNUSED,
	OPT_ROLES,
	OPT_CRED_FROM,
	OPT_STOP_SESSIONS,
	OPT_REPAIR_INDEX,
	OPT__COUNT
};

typedef int (*cli_verb_fn)(struct cli *cli, const struct cli_args *a);

/* Verb row flags. */
enum {
	/* sshd runs it with what a client typed as the user name: every
	 * argument is positional, only a lone --help is an option */
	CLI_RAW_ARGS = 1,
};

/* One verb: name (NULL for a noun that is a command by itself), the
 * synopsis of its positional arguments, one line of help, its options
 * (ids, 0-terminated), what its positionals complete to (one letter each:
 * a account, r role, f file, - nothing; a trailing '+' repeats the last),
 * the function that runs it and a value passed through (enable/disable). */
struct cli_verb_def {
	const char *name;
	const char *args;
	const char *summary;
	const unsigned char *opts;
	const char *complete;
	cli_verb_fn fn;
	int arg;
	unsigned flags;
	/* a flag that hands the verb to another function (export --manifest
	 * runs apply's manifest writer): the verbs' files never call each
	 * other, only the table knows both */
	unsigned char alt_opt;
	cli_verb_fn alt_fn;
};

struct cli_noun {
	const char *name;
	const char *summary;
	const struct cli_verb_def *verbs;
	size_t nverbs;
	bool hidden; /* not in usage (completion, __complete) */
};

/* The table (tools/cli_table.c). */
extern const struct cli_opt cli_options[OPT__COUNT];
extern const struct cli_noun cli_nouns[];
extern const size_t cli_nnouns;

/* Run svcacct with argv[0] the noun: find the noun and verb, parse the
 * verb's options, run it. An exit code (EXIT_USAGE with the message and
 * the noun's or verb's usage on stderr when the command line is wrong). */
int cli_run(struct cli *cli, int argc, char **argv);

/* Usage: of everything (noun NULL), of one noun (verb NULL), of one verb;
 * "usage: svcacct ..." lines to f. A verb's summary and the help of its
 * options only on stdout (--help): an error shows the synopsis alone. */
void cli_print_usage(FILE *f, const struct cli_noun *noun,
		     const struct cli_verb_def *verb);
/* Usage error of the verb being run: its usage on stderr; EXIT_USAGE. */
int cli_usage_verb(struct cli *cli, const struct cli_args *a);

/* The closest of n candidates (strings at stride bytes from base) to s:
 * Damerau-Levenshtein distance at most 2 (1 for words of up to 3
 * letters), or s a prefix of exactly one; NULL if none. */
const char *cli_suggest(const char *s, const void *base, size_t n,
			size_t stride);

/* The completion script for shell ("bash" or "zsh") on stdout; EXIT_USAGE
 * for another shell. */
int cli_completion(const char *shell);

void cli_args_free(struct cli_args *a);

#endif
