/* SPDX-License-Identifier: MIT */
/* The command line engine: parses argv against the rows of cli_table.c,
 * prints the usage texts and the did-you-mean hints, and writes the shell
 * completion scripts, all from those rows. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "util.h"

/* ------------------------------------------------------------ lookups */

static const struct cli_noun *find_noun(const char *name)
{
	for (size_t i = 0; i < cli_nnouns; i++)
		if (!strcmp(cli_nouns[i].name, name))
			return &cli_nouns[i];
	return NULL;
}

static bool single(const struct cli_noun *n)
{
	return n->nverbs == 1 && !n->verbs[0].name;
}

/* ------------------------------------------------------------ did you mean */

/* Optimal string alignment distance (Damerau-Levenshtein with adjacent
 * transpositions), capped: names here are short. SIZE_MAX past 63. */
static size_t osa_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[64][64];
	if (la >= 64 || lb >= 64)
		return SIZE_MAX;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t m = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < m)
				m = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < m)
				m = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < m)
				m = d[i - 2][j - 2] + 1;
			d[i][j] = m;
		}
	return d[la][lb];
}

const char *cli_suggest(const char *s, const void *base, size_t n,
			size_t stride)
{
	const char *best = NULL, *prefix = NULL;
	size_t bestd = SIZE_MAX, nprefix = 0, len = strlen(s);
	/* one edit in a three-letter word is a third of it: a guess, not a
	 * typo */
	size_t limit = len <= 3 ? 1 : 2;
	for (size_t i = 0; i < n; i++) {
		const char *c =
		    *(const char *const *)((const char *)base + i * stride);
		if (!c)
			continue;
		size_t dist = osa_distance(s, c);
		if (dist < bestd) {
			bestd = dist;
			best = c;
		}
		if (len >= 2 && !strncmp(s, c, len)) {
			prefix = c;
			nprefix++;
		}
	}
	if (best && bestd <= limit && bestd < len)
		return best;
	return nprefix == 1 ? prefix : NULL;
}

/* ------------------------------------------------------------ usage */

struct wrap {
	FILE *f;
	size_t col, indent;
};

static void wrap_word(struct wrap *w, const char *word)
{
	size_t n = strlen(word);
	if (w->col + 1 + n > 79 && w->col > w->indent) {
		fprintf(w->f, "\n%*s", (int)w->indent, "");
		w->col = w->indent;
	} else {
		fputc(' ', w->f);
		w->col++;
	}
	fputs(word, w->f);
	w->col += n;
}

/* Whether the synopsis of the positionals already shows --name (an option
 * a verb needs is written into it, e.g. "NAME --pubkey FILE"). */
static bool args_show(const char *args, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = strstr(args, "--"); p; p = strstr(p + 2, "--"))
		if (!strncmp(p + 2, name, n) &&
		    (p[2 + n] == '\0' || strchr(" )]|", p[2 + n])))
			return true;
	return false;
}

/* Words of a synopsis, split at spaces outside brackets, so that a group
 * like "(--pem FILE | --jwk FILE)" wraps as one piece. */
static void wrap_args(struct wrap *w, const char *args)
{
	char buf[256];
	size_t k = 0;
	int depth = 0;
	for (const char *p = args;; p++) {
		if (*p == '(' || *p == '[')
			depth++;
		else if (*p == ')' || *p == ']')
			depth--;
		if (*p == '\0' || (*p == ' ' && depth == 0)) {
			buf[k] = '\0';
			if (k)
				wrap_word(w, buf);
			k = 0;
			if (!*p)
				break;
			continue;
		}
		if (k + 1 < sizeof(buf))
			buf[k++] = *p;
	}
}

static void usage_line(FILE *f, const char *lead, const struct cli_noun *n,
		       const struct cli_verb_def *v)
{
	struct wrap w = {f, 0, 0};
	char word[128], head[256];
	const char *redirect = strpbrk(v->args, "<>");
	char args[256];

	snprintf(head, sizeof(head), "%ssvcacct %s%s%s", lead, n->name,
		 v->name ? " " : "", v->name ? v->name : "");
	fputs(head, f);
	w.col = strlen(head);
	w.indent = strlen(head) + 1;
	if (w.indent > 32)
		w.indent = strlen(lead) + 8 + strlen(n->name) + 1;
	/* "NAME < CREDENTIAL": the redirection goes after the options */
	snprintf(
	    args, sizeof(args), "%.*s",
	    (int)(redirect ? (size_t)(redirect - v->args) : strlen(v->args)),
	    v->args);
	wrap_args(&w, args);
	for (const unsigned char *o = v->opts; *o; o++) {
		const struct cli_opt *op = &cli_options[CLI_OPT_ID(*o)];
		if (*o != CLI_OPT_ID(*o) || args_show(v->args, op->name))
			continue;
		if (op->metavar)
			snprintf(word, sizeof(word), "[--%s %s]%s", op->name,
				 op->metavar,
				 op->kind == CLI_LIST ? "..." : "");
		else
			snprintf(word, sizeof(word), "[--%s]", op->name);
		wrap_word(&w, word);
	}
	if (redirect)
		wrap_word(&w, redirect);
	fputc('\n', f);
}

/* An option's help, after its name, wrapped in a column of its own. */
static void help_line(FILE *f, const struct cli_opt *op)
{
	char lhs[64], word[128];
	struct wrap w = {f, 0, 29};
	snprintf(lhs, sizeof(lhs), "  --%s%s%s", op->name,
		 op->metavar ? " " : "", op->metavar ? op->metavar : "");
	fprintf(f, "%-28s", lhs);
	w.col = strlen(lhs) > 28 ? strlen(lhs) : 28;
	if (w.col > 28) {
		fprintf(f, "\n%28s", "");
		w.col = 28;
	}
	for (const char *p = op->help; *p;) {
		size_t n = strcspn(p, " ");
		snprintf(word, sizeof(word), "%.*s", (int)n, p);
		wrap_word(&w, word);
		p += n;
		p += strspn(p, " ");
	}
	fputc('\n', f);
}

void cli_print_usage(FILE *f, const struct cli_noun *noun,
		     const struct cli_verb_def *verb)
{
	if (verb) {
		usage_line(f, "usage: ", noun, verb);
		if (f == stderr)
			return;
		fprintf(f, "%s.\n", verb->summary);
		for (const unsigned char *o = verb->opts; *o; o++)
			if (*o == CLI_OPT_ID(*o))
				help_line(f, &cli_options[*o]);
		return;
	}
	if (noun) {
		for (size_t i = 0; i < noun->nverbs; i++)
			usage_line(f, i ? "       " : "usage: ", noun,
				   &noun->verbs[i]);
		if (!single(noun))
			fprintf(f, "Each verb takes --help.\n");
		return;
	}
	fprintf(f, "usage: svcacct [--conf FILE] [--json] NOUN [VERB] [ARGS]\n"
		   "\n");
	for (size_t i = 0; i < cli_nnouns; i++) {
		if (cli_nouns[i].hidden)
			continue;
		for (size_t j = 0; j < cli_nouns[i].nverbs; j++)
			usage_line(f, "  ", &cli_nouns[i],
				   &cli_nouns[i].verbs[j]);
	}
	fprintf(f, "\nsvcacct NOUN --help and svcacct NOUN VERB --help show "
		   "one part.\nExit status: 0 done, 1 failed, 2 usage.\n");
}

int cli_usage_verb(struct cli *cli, const struct cli_args *a)
{
	(void)cli;
	cli_print_usage(stderr, a->noun, a->verb);
	return EXIT_USAGE;
}

/* ------------------------------------------------------------ parsing */

static bool is_help(const char *s)
{
	return !strcmp(s, "--help") || !strcmp(s, "-h");
}

/* The row of --name among all options, for a better message when another
 * verb has it. */
static const struct cli_opt *any_opt(const char *name, size_t len)
{
	for (unsigned i = 1; i < OPT__COUNT; i++)
		if (strlen(cli_options[i].name) == len &&
		    !strncmp(cli_options[i].name, name, len))
			return &cli_options[i];
	return NULL;
}

static int bad_option(const struct cli_args *a, const char *arg,
		      const char *why)
{
	const char *names[OPT__COUNT] = {0};
	size_t n = 0;
	char word[128];
	const char *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);

	fprintf(stderr, "svcacct: unknown or incomplete option '%.*s'",
		(int)len, arg);
	if (why) {
		fprintf(stderr, ": %s\n", why);
	} else {
		const char *s = NULL;
		bool is_long = len > 2 && !strncmp(arg, "--", 2);
		for (const unsigned char *o = a->verb->opts; *o; o++)
			if (*o == CLI_OPT_ID(*o))
				names[n++] = cli_options[*o].name;
		snprintf(word, sizeof(word), "%.*s", (int)len - 2, arg + 2);
		if (is_long)
			s = cli_suggest(word, names, n, sizeof(names[0]));
		/* another verb's option: say which verb does not take it */
		if (is_long && any_opt(arg + 2, len - 2))
			fprintf(stderr, ": 'svcacct %s%s%s' does not take it",
				a->noun->name, a->verb->name ? " " : "",
				a->verb->name ? a->verb->name : "");
		if (s)
			fprintf(stderr, "; did you mean '--%s'?", s);
		fputc('\n', stderr);
	}
	cli_print_usage(stderr, a->noun, a->verb);
	return EXIT_USAGE;
}

/* One pass over the verb's arguments. counts[id] and *npos are counted in
 * the first pass (fill false); the second fills the lists and the
 * positionals into the array they were given. 0, or an exit code. */
static int scan(struct cli_args *a, int argc, char **argv, bool fill,
		size_t counts[OPT__COUNT], size_t *npos, bool *help)
{
	bool opts_done = false;
	const char **pos = (const char **)a->pos;
	size_t used[OPT__COUNT] = {0};

	*npos = 0;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		if (a->verb->flags & CLI_RAW_ARGS) {
			if (argc == 1 && is_help(arg)) {
				*help = true;
				return 0;
			}
			opts_done = true;
		}
		if (opts_done || arg[0] != '-' || arg[1] == '\0') {
			if (fill)
				pos[*npos] = arg;
			(*npos)++;
			continue;
		}
		if (!strcmp(arg, "--")) {
			opts_done = true;
			continue;
		}
		if (is_help(arg)) {
			*help = true;
			return 0;
		}
		if (arg[1] != '-')
			return bad_option(a, arg, NULL);
		const char *name = arg + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		const struct cli_opt *op = NULL;
		unsigned id = 0;
		for (const unsigned char *o = a->verb->opts; *o; o++) {
			const struct cli_opt *c = &cli_options[CLI_OPT_ID(*o)];
			if (strlen(c->name) == len &&
			    !strncmp(c->name, name, len)) {
				op = c;
				id = CLI_OPT_ID(*o);
				break;
			}
		}
		if (!op)
			return bad_option(a, arg, NULL);
		char *field = (char *)a + op->off;
		if (op->kind == CLI_FLAG) {
			if (eq)
				return bad_option(a, arg,
						  "it takes no argument");
			*(bool *)field = true;
			continue;
		}
		const char *val;
		if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			char why[128];
			snprintf(why, sizeof(why), "it needs an argument (%s)",
				 op->metavar);
			return bad_option(a, arg, why);
		}
		if (op->kind == CLI_VALUE) {
			if (!fill && *(const char **)field) {
				fprintf(stderr,
					"svcacct: option '--%s' given twice\n",
					op->name);
				cli_print_usage(stderr, a->noun, a->verb);
				return EXIT_USAGE;
			}
			*(const char **)field = val;
			continue;
		}
		struct cli_list *l = (struct cli_list *)field;
		if (fill)
			((const char **)l->v)[used[id]++] = val;
		else
			counts[id]++;
	}
	return 0;
}

/* The function that runs the parsed verb: its own, or the one its
 * hand-over flag names when that flag was given. */
static cli_verb_fn verb_fn(const struct cli_args *a)
{
	const struct cli_verb_def *v = a->verb;
	if (v->alt_fn && cli_options[v->alt_opt].kind == CLI_FLAG &&
	    *(const bool *)((const char *)a + cli_options[v->alt_opt].off))
		return v->alt_fn;
	return v->fn;
}

static int parse_args(struct cli_args *a, int argc, char **argv, bool *help)
{
	size_t counts[OPT__COUNT] = {0}, npos = 0, total;
	int r = scan(a, argc, argv, false, counts, &npos, help);
	if (r || *help)
		return r;
	/* every list entry and positional is one argv element */
	a->store_ = calloc((size_t)argc + 1, sizeof(*a->store_));
	if (!a->store_) {
		fprintf(stderr, "svcacct: out of memory\n");
		return EXIT_FAIL;
	}
	a->pos = a->store_;
	total = npos;
	for (unsigned i = 1; i < OPT__COUNT; i++) {
		if (cli_options[i].kind != CLI_LIST || !counts[i])
			continue;
		struct cli_list *l =
		    (struct cli_list *)((char *)a + cli_options[i].off);
		l->v = a->store_ + total;
		l->n = counts[i];
		total += counts[i];
	}
	/* the values and flags are set again to the same */
	r = scan(a, argc, argv, true, counts, &npos, help);
	a->npos = (int)npos;
	return r;
}

void cli_args_free(struct cli_args *a)
{
	free(a->store_);
	a->store_ = NULL;
}

/* ------------------------------------------------------------ dispatch */

static int unknown(const char *what, const char *name, const char *s)
{
	fprintf(stderr, "svcacct: unknown %s '%s'", what, name);
	if (s)
		fprintf(stderr, "; did you mean '%s'?", s);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

int cli_run(struct cli *cli, int argc, char **argv)
{
	struct cli_args a = {0};
	const char *names[64] = {0};
	size_t n = 0;
	bool help = false;
	int r;

	a.noun = find_noun(argv[0]);
	if (!a.noun) {
		for (size_t i = 0; i < cli_nnouns && n < 64; i++)
			if (!cli_nouns[i].hidden)
				names[n++] = cli_nouns[i].name;
		const char *s =
		    cli_suggest(argv[0], names, n, sizeof(names[0]));
		unknown("command", argv[0], s);
		cli_print_usage(stderr, s ? find_noun(s) : NULL, NULL);
		return EXIT_USAGE;
	}
	if (single(a.noun)) {
		a.verb = &a.noun->verbs[0];
		argc--;
		argv++;
	} else {
		if (argc < 2) {
			cli_print_usage(stderr, a.noun, NULL);
			return EXIT_USAGE;
		}
		if (is_help(argv[1])) {
			cli_print_usage(stdout, a.noun, NULL);
			return EXIT_OK;
		}
		for (size_t i = 0; i < a.noun->nverbs; i++)
			if (!strcmp(a.noun->verbs[i].name, argv[1]))
				a.verb = &a.noun->verbs[i];
		if (!a.verb) {
			char full[256];
			for (size_t i = 0; i < a.noun->nverbs && n < 64; i++)
				names[n++] = a.noun->verbs[i].name;
			snprintf(full, sizeof(full), "%s %s", a.noun->name,
				 argv[1]);
			unknown(
			    "verb", full,
			    cli_suggest(argv[1], names, n, sizeof(names[0])));
			cli_print_usage(stderr, a.noun, NULL);
			return EXIT_USAGE;
		}
		argc -= 2;
		argv += 2;
	}
	r = parse_args(&a, argc, argv, &help);
	if (help) {
		cli_print_usage(stdout, a.noun, a.verb);
		r = EXIT_OK;
	} else if (r == 0) {
		if (a.json)
			cli->json = true;
		if (a.allow_revoked)
			cli->allow_revoked_keys = true;
		r = verb_fn(&a)(cli, &a);
	}
	cli_args_free(&a);
	return r;
}

/* ------------------------------------------------------------ completion */

/* The per-noun data as shell text, the same for both shells. */
static void comp_nouns(void)
{
	printf("\tlocal nouns=\"");
	for (size_t i = 0, k = 0; i < cli_nnouns; i++)
		if (!cli_nouns[i].hidden)
			printf("%s%s", k++ ? " " : "", cli_nouns[i].name);
	printf("\"\n");
}

static void comp_noun_verbs(void)
{
	printf("\tcase $noun in\n");
	for (size_t i = 0; i < cli_nnouns; i++) {
		const struct cli_noun *n = &cli_nouns[i];
		if (single(n) || n->hidden)
			continue;
		printf("\t%s) verbs=\"", n->name);
		for (size_t j = 0; j < n->nverbs; j++)
			printf("%s%s", j ? " " : "", n->verbs[j].name);
		printf("\" ;;\n");
	}
	printf("\tesac\n");
}

static void comp_verbs(void)
{
	printf("\tcase $noun/$verb in\n");
	for (size_t i = 0; i < cli_nnouns; i++) {
		const struct cli_noun *n = &cli_nouns[i];
		if (n->hidden)
			continue;
		for (size_t j = 0; j < n->nverbs; j++) {
			const struct cli_verb_def *v = &n->verbs[j];
			printf("\t'%s/%s')\n\t\topts=\"--help", n->name,
			       v->name ? v->name : "");
			for (const unsigned char *o = v->opts; *o; o++)
				if (*o == CLI_OPT_ID(*o))
					printf(" --%s", cli_options[*o].name);
			printf("\"\n\t\targopts=\"");
			size_t k = 0;
			for (const unsigned char *o = v->opts; *o; o++)
				if (*o == CLI_OPT_ID(*o) &&
				    cli_options[*o].kind != CLI_FLAG)
					printf("%s--%s", k++ ? " " : "",
					       cli_options[*o].name);
			printf("\"\n\t\tpos='%s'\n\t\t;;\n", v->complete);
		}
	}
	printf("\tesac\n");
}

/* The arguments of options by what they name: each name once. */
static void comp_optargs(void)
{
	static const char *const kinds[] = {
	    [CLI_C_FILE] = "_svcacct_files",
	    [CLI_C_ACCOUNT] = "_svcacct_add \"$(_svcacct_names accounts)\"",
	    [CLI_C_ROLE] = "_svcacct_add \"$(_svcacct_names roles)\"",
	};
	printf("\t\tcase $prev in\n");
	for (unsigned k = CLI_C_FILE; k <= CLI_C_ROLE; k++) {
		bool any = false;
		for (unsigned i = 1; i < OPT__COUNT; i++) {
			bool dup = false;
			if (cli_options[i].complete != k)
				continue;
			for (unsigned j = 1; j < i; j++)
				dup |= cli_options[j].complete == k &&
				       !strcmp(cli_options[j].name,
					       cli_options[i].name);
			if (dup)
				continue;
			printf("%s--%s", any ? "|" : "\t\t",
			       cli_options[i].name);
			any = true;
		}
		if (any)
			printf(") %s ;;\n", kinds[k]);
	}
	printf("\t\tesac\n");
}

/* The shell-neutral body: W (the words, from 0), C (the index of the word
 * being completed), cur, prev. */
static void comp_body(void)
{
	comp_nouns();
	printf("\tlocal cur=${W[C]} prev= noun= verb= verbs= opts= argopts= "
	       "pos= k= p= w=\n"
	       "\tlocal i=1 npos=0 _svcacct_conf=\n"
	       "\t[ \"$C\" -gt 0 ] && prev=${W[C-1]}\n"
	       "\twhile [ \"$i\" -lt \"$C\" ]; do\n"
	       "\t\tcase ${W[i]} in\n"
	       "\t\t--conf) _svcacct_conf=${W[i+1]}; i=$((i + 2)); continue "
	       ";;\n"
	       "\t\t--conf=*) _svcacct_conf=${W[i]#--conf=} ;;\n"
	       "\t\t-*) ;;\n"
	       "\t\t*) break ;;\n"
	       "\t\tesac\n"
	       "\t\ti=$((i + 1))\n"
	       "\tdone\n"
	       "\tif [ \"$i\" -ge \"$C\" ]; then\n"
	       "\t\tcase $prev in --conf) _svcacct_files; return 0 ;; esac\n"
	       "\t\tcase $cur in\n"
	       "\t\t-*) _svcacct_add \"--conf --json --help --version\" ;;\n");
	printf("\t\t*) _svcacct_add \"$nouns\" ;;\n"
	       "\t\tesac\n"
	       "\t\treturn 0\n"
	       "\tfi\n"
	       "\tnoun=${W[i]}\n"
	       "\ti=$((i + 1))\n");
	comp_noun_verbs();
	printf("\tif [ -n \"$verbs\" ]; then\n"
	       "\t\tif [ \"$i\" -ge \"$C\" ]; then\n"
	       "\t\t\t_svcacct_add \"$verbs\"\n"
	       "\t\t\treturn 0\n"
	       "\t\tfi\n"
	       "\t\tverb=${W[i]}\n"
	       "\t\ti=$((i + 1))\n"
	       "\tfi\n");
	comp_verbs();
	printf("\tcase \" $argopts \" in\n"
	       "\t*\" $prev \"*)\n");
	comp_optargs();
	printf("\t\treturn 0 ;;\n"
	       "\tesac\n"
	       "\tcase $cur in\n"
	       "\t-*) _svcacct_add \"$opts\"; return 0 ;;\n"
	       "\tesac\n"
	       "\twhile [ \"$i\" -lt \"$C\" ]; do\n"
	       "\t\tw=${W[i]}\n"
	       "\t\tcase \" $argopts \" in *\" $w \"*) i=$((i + 2)); continue "
	       ";; esac\n"
	       "\t\tcase $w in -*) ;; *) npos=$((npos + 1)) ;; esac\n"
	       "\t\ti=$((i + 1))\n"
	       "\tdone\n"
	       "\tp=${pos%%+}\n"
	       "\tif [ \"$p\" != \"$pos\" ] && [ \"$npos\" -ge \"${#p}\" ]; "
	       "then\n"
	       "\t\tk=${p: -1}\n"
	       "\telse\n"
	       "\t\tk=${pos:$npos:1}\n"
	       "\tfi\n"
	       "\tcase $k in\n"
	       "\ta) _svcacct_add \"$(_svcacct_names accounts)\" ;;\n"
	       "\tr) _svcacct_add \"$(_svcacct_names roles)\" ;;\n"
	       "\tf) _svcacct_files ;;\n"
	       "\tesac\n"
	       "\treturn 0\n");
}

int cli_completion(const char *shell)
{
	/* names come from the store: svcacct __complete, which says nothing
	 * and prints nothing where the caller may not read it */
	static const char names_fn[] =
	    "_svcacct_names() {\n"
	    "\tif [ -n \"$_svcacct_conf\" ]; then\n"
	    "\t\t\"$_svcacct_prog\" --conf \"$_svcacct_conf\" __complete "
	    "\"$1\" 2>/dev/null\n"
	    "\telse\n"
	    "\t\t\"$_svcacct_prog\" __complete \"$1\" 2>/dev/null\n"
	    "\tfi\n"
	    "}\n";
	if (!strcmp(shell, "bash")) {
		printf("# bash completion for svcacct(8), written by "
		       "`svcacct completion bash`\n"
		       "# from the table the command line is parsed with.\n");
		printf("%s", names_fn);
		printf("_svcacct_add() {\n"
		       "\tlocal IFS=$' \\t\\n'\n"
		       "\tCOMPREPLY+=($(compgen -W \"$1\" -- \"$cur\"))\n"
		       "}\n"
		       "_svcacct_files() {\n"
		       "\tCOMPREPLY+=($(compgen -f -- \"$cur\"))\n"
		       "}\n"
		       "_svcacct() {\n"
		       "\tlocal -a W=(\"${COMP_WORDS[@]}\")\n"
		       "\tlocal C=$COMP_CWORD _svcacct_prog=${COMP_WORDS[0]}\n"
		       "\tCOMPREPLY=()\n");
		comp_body();
		printf("}\ncomplete -F _svcacct svcacct\n");
		return EXIT_OK;
	}
	if (!strcmp(shell, "zsh")) {
		printf("#compdef svcacct\n"
		       "# zsh completion for svcacct(8), written by "
		       "`svcacct completion zsh`\n"
		       "# from the table the command line is parsed with.\n");
		printf("%s", names_fn);
		printf(
		    "_svcacct_add() {\n"
		    "\tcompadd -- ${=1}\n"
		    "}\n"
		    "_svcacct_files() {\n"
		    "\t_files\n"
		    "}\n"
		    "_svcacct() {\n"
		    "\temulate -L zsh\n"
		    "\tsetopt ksharrays\n"
		    "\tlocal -a W\n"
		    "\tW=(\"${words[@]}\")\n"
		    "\tlocal C=$((CURRENT - 1)) _svcacct_prog=${words[0]}\n");
		comp_body();
		printf("}\n_svcacct \"$@\"\n");
		return EXIT_OK;
	}
	fprintf(stderr, "svcacct: no completion for '%s' (bash or zsh)\n",
		shell);
	return EXIT_USAGE;
}

int cmd_completion(struct cli *cli, const struct cli_args *a)
{
	if (a->npos != 1)
		return cli_usage_verb(cli, a);
	return cli_completion(a->pos[0]);
}
