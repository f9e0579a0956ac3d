/* SPDX-License-Identifier: MIT */
/* svcacct-assert's command line as one table: its options, each with the
 * field of struct assert_args it fills, and its subcommands, each with its
 * options, positionals, summary and function. The parser and every usage
 * text are read from the rows, so that they cannot disagree. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "assert.h"
#include "keys.h"

#define STR_(x) #x
#define STR(x)	STR_(x)

/* Option ids: indexes into options[]; 0 ends a subcommand's list. A
 * subcommand lists REQ(id) for an option it cannot run without. */
enum opt_id {
	O_END = 0,
	O_ALG,
	O_BITS,
	O_OUT,
	O_PUB,
	O_JWK,
	O_KEY,
	O_ACCOUNT,
	O_AUD,
	O_KID,
	O_SCOPE,
	O_LIFETIME,
	O_SPLIT,
	O__COUNT
};
#define REQ(id)	  ((id) | 0x80)
#define OPT_ID(x) ((x)&0x7f)
#define IS_REQ(x) (((x)&0x80) != 0)

/* One option: --name [METAVAR] (no metavar: a flag, a bool field), its
 * help line and the field of struct assert_args it fills. */
struct opt {
	const char *name;
	const char *metavar;
	const char *help;
	size_t off;
};

#define F(field) offsetof(struct assert_args, field)
static const struct opt options[O__COUNT] = {
    [O_ALG] = {"alg", "ES256|ES384|RS256", "the key's algorithm (ES256)",
	       F(alg)},
    [O_BITS] = {"bits", "N",
		"RS256: the RSA key's size in bits, " STR(
		    SV_RSA_MIN_BITS) ".." STR(SV_RSA_MAX_BITS) " (2048)",
		F(bits)},
    [O_OUT] = {"out", "KEY",
	       "the private key's file (mode 0600, never overwritten)", F(out)},
    [O_PUB] = {"pub", "FILE",
	       "the public key's file (mode 0644), else standard output",
	       F(pub)},
    [O_JWK] = {"jwk", NULL,
	       "the public key as a JWK, its kid the RFC 7638 thumbprint",
	       F(jwk)},
    [O_KEY] = {"key", "KEY", "the private key (PEM, yours, mode 0600)", F(key)},
    [O_ACCOUNT] = {"account", "NAME",
		   "the service account (the assertion's iss and sub)",
		   F(account)},
    [O_AUD] = {"aud", "AUD", "the audience the server expects", F(aud)},
    [O_KID] = {"kid", "K", "the key id to put in the header", F(kid)},
    [O_SCOPE] = {"scope", "R,R", "the roles asked for, separated by commas",
		 F(scope)},
    [O_LIFETIME] = {"lifetime", "S",
		    "seconds until it expires, 1.." STR(LIFETIME_MAX) " (" STR(
			LIFETIME_DEFAULT) ")",
		    F(lifetime)},
    [O_SPLIT] = {"split", "N",
		 "lines of at most N bytes (16..4000), each but the last "
		 "ending in \\ (for sudo -S)",
		 F(split)},
};
#undef F

/* One subcommand: its name, the synopsis of its positionals (after the
 * options), how many it takes, a line of help, its options (ids,
 * 0-terminated) and the function that runs it. */
struct subcmd {
	const char *name;
	const char *args;
	int npos;
	const char *summary;
	const unsigned char *opts;
	int (*fn)(const struct assert_args *a);
};

static const struct subcmd subcmds[] = {
    {"keygen", "", 0,
     "Generate a key pair: the private key to a file, the public key as "
     "PEM or JWK",
     (const unsigned char[]){O_ALG, O_BITS, REQ(O_OUT), O_PUB, O_JWK, 0},
     cmd_keygen},
    {"token", "", 0,
     "Mint a signed client assertion (RFC 7523) on standard output",
     (const unsigned char[]){REQ(O_KEY), REQ(O_ACCOUNT), REQ(O_AUD), O_KID,
			     O_SCOPE, O_LIFETIME, O_SPLIT, 0},
     cmd_token},
    {"sign-manifest", "FILE|-", 1,
     "Sign a manifest for `svcacct apply --verify-key` (a compact JWS on "
     "standard output)",
     (const unsigned char[]){REQ(O_KEY), O_KID, 0}, cmd_sign_manifest},
};
#define NSUBCMDS (sizeof(subcmds) / sizeof(subcmds[0]))

/* ------------------------------------------------------------ usage */

/* Words appended to a line of at most 79 columns; a word that does not fit
 * starts a new line at the indent. */
struct line {
	FILE *f;
	size_t used, indent;
};

static void put_word(struct line *l, const char *word)
{
	size_t n = strlen(word);
	bool wrap = l->used + 1 + n > 79 && l->used > l->indent;

	if (wrap)
		fprintf(l->f, "\n%*s%s", (int)l->indent, "", word);
	else
		fprintf(l->f, " %s", word);
	l->used = (wrap ? l->indent : l->used + 1) + n;
}

static void synopsis(FILE *f, const char *lead, const struct subcmd *c)
{
	char word[96];
	struct line l = {f, 0, 0};

	fprintf(f, "%s" PROG " %s", lead, c->name);
	l.used = strlen(lead) + strlen(PROG) + 1 + strlen(c->name);
	l.indent = l.used + 1;
	for (const unsigned char *o = c->opts; *o; o++) {
		const struct opt *op = &options[OPT_ID(*o)];
		snprintf(word, sizeof(word), "%s--%s%s%s%s",
			 IS_REQ(*o) ? "" : "[", op->name,
			 op->metavar ? " " : "", op->metavar ? op->metavar : "",
			 IS_REQ(*o) ? "" : "]");
		put_word(&l, word);
	}
	if (*c->args)
		put_word(&l, c->args);
	fputc('\n', f);
}

void assert_usage(FILE *f)
{
	for (size_t i = 0; i < NSUBCMDS; i++)
		synopsis(f, i ? "       " : "usage: ", &subcmds[i]);
	fprintf(f, "       " PROG " PROMPT   (as SSH_ASKPASS; see " PROG
		   "(1))\n" PROG " SUBCOMMAND --help shows one part.\n");
}

/* A subcommand's --help: its synopsis, its summary, its options, each
 * option's help in a column of its own. */
static void subcmd_help(const struct subcmd *c)
{
	synopsis(stdout, "usage: ", c);
	printf("%s.\n", c->summary);
	for (const unsigned char *o = c->opts; *o; o++) {
		const struct opt *op = &options[OPT_ID(*o)];
		struct line l = {stdout, 0, 28};
		char lhs[64], words[256];
		snprintf(lhs, sizeof(lhs), "  --%s%s%s", op->name,
			 op->metavar ? " " : "",
			 op->metavar ? op->metavar : "");
		printf("%-27s", lhs);
		l.used = strlen(lhs) > 27 ? strlen(lhs) : 27;
		if (l.used > 27) {
			printf("\n%27s", "");
			l.used = 27;
		}
		snprintf(words, sizeof(words), "%s", op->help);
		for (char *save = NULL, *w = strtok_r(words, " ", &save); w;
		     w = strtok_r(NULL, " ", &save))
			put_word(&l, w);
		putchar('\n');
	}
}

/* ------------------------------------------------------------ parsing */

static const struct subcmd *current;

int usage_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, PROG " %s: ", current->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	synopsis(stderr, "usage: ", current);
	return 2;
}

/* The subcommands other than c that take --name (len bytes of it), for
 * "unknown option" to say where it belongs; empty if none. */
static void owners(const struct subcmd *c, const char *name, size_t len,
		   char *buf, size_t cap)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < NSUBCMDS; i++) {
		if (&subcmds[i] == c)
			continue;
		for (const unsigned char *o = subcmds[i].opts; *o; o++) {
			const char *on = options[OPT_ID(*o)].name;
			if (strlen(on) != len || strncmp(on, name, len))
				continue;
			int k = snprintf(buf + n, cap - n, "%s%s",
					 n ? ", " : "", subcmds[i].name);
			if (k > 0 && (size_t)k < cap - n)
				n += (size_t)k;
		}
	}
}

static const struct opt *find_opt(const struct subcmd *c, const char *name,
				  size_t len)
{
	for (const unsigned char *o = c->opts; *o; o++) {
		const struct opt *op = &options[OPT_ID(*o)];
		if (strlen(op->name) == len && !strncmp(op->name, name, len))
			return op;
	}
	return NULL;
}

static int unknown_option(const char *arg)
{
	char where[128];
	size_t len = strcspn(arg, "=");

	if (len > 2 && !strncmp(arg, "--", 2))
		owners(current, arg + 2, len - 2, where, sizeof(where));
	else
		where[0] = '\0';
	if (*where)
		return usage_error("unknown option '%.*s' (an option of %s)",
				   (int)len, arg, where);
	return usage_error("unknown option '%.*s'", (int)len, arg);
}

/* Fill *a from the arguments of subcommand c: 0, 2 after a usage error
 * (said on stderr), or -1 for --help. */
static int parse(const struct subcmd *c, int argc, char **argv,
		 struct assert_args *a)
{
	bool opts_done = false;

	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		if (opts_done || arg[0] != '-' || arg[1] == '\0') {
			if (a->npos >= c->npos ||
			    (size_t)a->npos >=
				sizeof(a->pos) / sizeof(a->pos[0]))
				return usage_error("unexpected argument '%s'",
						   arg);
			a->pos[a->npos++] = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			opts_done = true;
			continue;
		}
		if (!strcmp(arg, "--help") || !strcmp(arg, "-h"))
			return -1;
		size_t len = strcspn(arg, "=");
		const struct opt *op =
		    arg[1] == '-' ? find_opt(c, arg + 2, len - 2) : NULL;
		if (!op)
			return unknown_option(arg);
		char *field = (char *)a + op->off;
		if (!op->metavar) {
			if (arg[len])
				return usage_error(
				    "option '--%s' takes no argument",
				    op->name);
			*(bool *)field = true;
			continue;
		}
		if (*(const char **)field)
			return usage_error("option '--%s' given twice",
					   op->name);
		if (arg[len])
			*(const char **)field = arg + len + 1;
		else if (i + 1 < argc)
			*(const char **)field = argv[++i];
		else
			return usage_error("option '--%s' needs an argument "
					   "(%s)",
					   op->name, op->metavar);
	}
	for (const unsigned char *o = c->opts; *o; o++) {
		const struct opt *op = &options[OPT_ID(*o)];
		if (IS_REQ(*o) && !*(const char **)((char *)a + op->off))
			return usage_error("needs --%s %s", op->name,
					   op->metavar);
	}
	if (a->npos < c->npos)
		return usage_error("needs %s", c->args);
	return 0;
}

int assert_run(int argc, char **argv)
{
	struct assert_args a = {0};
	int r;

	current = NULL;
	for (size_t i = 0; i < NSUBCMDS; i++)
		if (!strcmp(argv[0], subcmds[i].name))
			current = &subcmds[i];
	if (!current)
		return -1;
	r = parse(current, argc - 1, argv + 1, &a);
	if (r < 0) {
		subcmd_help(current);
		return fflush(stdout) != 0;
	}
	return r ? r : current->fn(&a);
}
