/* SPDX-License-Identifier: MIT */
/* svcacct config check [FILE]: a configuration judged before it is
 * installed, against the store the modules would then serve; the guard that
 * keeps the tool from changing a store whose accounts or roles the
 * configuration hides; and the entry of `svcacct check`. main() lets both
 * nouns run when the configuration does not load: they load it again
 * themselves and report a file that does not load as a problem, with what
 * it does to the modules, like any other. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "names.h"
#include "util.h"

/* What the modules do while a configuration file that does not load is
 * installed (nss/handle.c refresh_config, pam/pam_svcacct.c ctx_init), as
 * tests/cli/test_config_check.sh observes it. */
#define UNLOADED_EFFECT                                                        \
	"while such a file is installed, nss_svcacct answers UNAVAIL to "      \
	"every lookup, so no service account or role resolves (getent "        \
	"passwd NAME prints nothing, id NAME says no such user, no program "   \
	"can switch to it), and pam_svcacct's auth answers AUTHINFO_UNAVAIL "  \
	"to every user, logging event=config result=error "                    \
	"reason=config_error to authpriv"

/* The most hidden records named on the terminal (JSON has them all). */
#define GUARD_SHOWN 10

/* Printable ASCII only: messages quote values and paths from the file (a
 * terminal escape must not reach the admin's terminal) and JSON wants
 * UTF-8 (a string it refuses would drop a problem from the report). */
static void printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
}

struct hidden {
	json_t *accounts; /* [{name, uid, key, reason}] */
	json_t *roles;	  /* [{name, gid, key, reason}] */
	/* roles served with more holders than the rules' group_members_max,
	 * whose groups list no members: [{name, gid, members}] */
	json_t *unlisted;
	/* how many of each have a key of the configuration to fix (the
	 * others carry an ID that no configuration serves) */
	size_t accounts_fixable, roles_fixable;
	unsigned n_accounts, n_roles; /* records in the generation */
	uint64_t gen;
};

static void hidden_init(struct hidden *h)
{
	memset(h, 0, sizeof(*h));
	h->accounts = json_array();
	h->roles = json_array();
	h->unlisted = json_array();
}

static void hidden_free(struct hidden *h)
{
	json_decref(h->accounts);
	json_decref(h->roles);
	json_decref(h->unlisted);
	h->accounts = h->roles = h->unlisted = NULL;
}

/* A record's name from its key, for messages: printable ASCII only (JSON
 * wants UTF-8 and a terminal no escapes), at most SV_NAME_MAX + 8 bytes. */
static void key_name(struct sv_str nm, char out[48])
{
	size_t n = nm.n, i;
	const unsigned char *p = (const unsigned char *)nm.p;
	for (i = 0; i < n && i < 40; i++)
		out[i] = (p[i] > 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	if (i < n)
		out[i++] = '+';
	out[i] = '\0';
}

static void add_hidden(json_t *arr, const char *name, const char *idkey,
		       uint32_t id, const char *key, const char *why)
{
	json_t *o = json_pack("{s:s, s:I, s:s}", "name", name, idkey,
			      (json_int_t)id, "reason", why);
	if (!o)
		return;
	json_object_set_new(o, "key", key ? json_string(key) : json_null());
	json_array_append_new(arr, o);
}

/* The scan of one kind of record (accounts by UID, roles by GID) into its
 * list, fixable and count, and the served roles whose groups list no
 * members under rules into unlisted: 0 at the end, another -errno on a
 * read error. */
static int scan_kind(struct sv_reader *rd, enum sv_rec_kind kind,
		     const struct sv_config *rules, const char *all_why,
		     json_t *list, size_t *fixable, unsigned *count,
		     json_t *unlisted)
{
	bool acct = kind == SV_REC_ACCOUNT;
	const char *idkey = acct ? "uid" : "gid";
	struct sv_blob key = {0};
	struct sv_str nm;
	char name[48], why[512];
	const char *k = NULL;
	int r;
	while ((r = sv_model_reader_next(rd, SV_DB_ACCOUNTS, kind, &key,
					 &nm)) == 0) {
		struct sv_blob v = {0};
		struct sv_account a;
		struct sv_role ro;
		uint32_t id;
		if (sv_reader_fetch(rd, SV_DB_ACCOUNTS, key.p, key.n, &v) < 0 ||
		    (acct ? sv_decode_account(v.p, v.n, &a)
			  : sv_decode_role(v.p, v.n, &ro)) < 0) {
			sv_blob_free(&v);
			continue;
		}
		id = acct ? a.uid : ro.gid;
		(*count)++;
		key_name(nm, name);
		if (!rules) {
			if (all_why)
				add_hidden(list, name, idkey, id, NULL,
					   all_why);
		} else if ((acct ? sv_config_uid_served(rules, id, &k, why,
							sizeof(why))
				 : sv_config_role_gid_served(
				       rules, id, &k, why, sizeof(why))) < 0) {
			add_hidden(list, name, idkey, id, k, why);
			*fixable += k != NULL;
		} else if (!acct &&
			   !sv_group_members_listed(rules, ro.members.count)) {
			json_array_append_new(
			    unlisted,
			    json_pack("{s:s, s:I, s:I}", "name", name, "gid",
				      (json_int_t)id, "members",
				      (json_int_t)ro.members.count));
		}
		sv_blob_free(&v);
	}
	sv_blob_free(&key);
	return r == -ENOENT ? 0 : r;
}

/* The accounts and roles in the published generation of the store that
 * store_cfg names which the readers refuse under rules (sv_config_*_served,
 * the rule of sv_uid_acceptable and sv_role_gid_acceptable), or, with rules
 * NULL, all of them, for the reason all_why (none: only counted). Records
 * that do not decode are left to `svcacct check`. 0; -ENOENT without a
 * store; another -errno when it cannot be read. */
static int scan_hidden(const struct sv_config *store_cfg,
		       const struct sv_config *rules, const char *all_why,
		       struct hidden *h)
{
	struct sv_reader *rd = NULL;
	int r;

	r = sv_reader_open(store_cfg,
			   SV_DBMASK(SV_DB_ACCOUNTS) | SV_READER_MMAP, &rd);
	if (r < 0)
		return r;
	h->gen = sv_reader_generation(rd);
	r = scan_kind(rd, SV_REC_ACCOUNT, rules, all_why, h->accounts,
		      &h->accounts_fixable, &h->n_accounts, NULL);
	if (r == 0)
		r = scan_kind(rd, SV_REC_ROLE, rules, all_why, h->roles,
			      &h->roles_fixable, &h->n_roles, h->unlisted);
	sv_reader_close(rd);
	/* by name, not in the database's hash order */
	cli_json_sort(h->accounts, "name", NULL);
	cli_json_sort(h->roles, "name", NULL);
	cli_json_sort(h->unlisted, "name", NULL);
	return r;
}

/* One line about each hidden record, accounts then roles, to out: "account
 * 'bot' (UID 70001)" and what (" would be hidden"), then the reason. With
 * fixable_only, only the records a key of the configuration would serve. */
static void hidden_lines(const struct hidden *h, const char *what,
			 bool fixable_only,
			 void (*out)(const char *line, void *ctx), void *ctx)
{
	char line[768];
	size_t i;
	json_t *o;
	for (int acct = 1; acct >= 0; acct--)
		json_array_foreach (acct ? h->accounts : h->roles, i, o) {
			if (fixable_only &&
			    json_is_null(json_object_get(o, "key")))
				continue;
			snprintf(
			    line, sizeof(line),
			    "%s '%s' (%s %" JSON_INTEGER_FORMAT ")%s: %s",
			    acct ? "account" : "role",
			    json_string_value(json_object_get(o, "name")),
			    acct ? "UID" : "GID",
			    json_integer_value(
				json_object_get(o, acct ? "uid" : "gid")),
			    what,
			    json_string_value(json_object_get(o, "reason")));
			out(line, ctx);
		}
}

/* ------------------------------------------------------------ guard */

/* The ranges a store was last found to fit, kept in the state dir: the
 * scan reads every record, and the records a change adds are checked
 * against the same ranges as they are made, so the scan is needed only
 * when the ranges differ from the ones it last passed under. */
#define RANGES_VERIFIED "ranges-verified"

static void ranges_text(const struct sv_config *c, char *out, size_t n)
{
	snprintf(out, n, "uid %u-%u gid %u-%u base %u\n", c->uid_min,
		 c->uid_max, c->gid_min, c->gid_max, c->base_gid);
}

void cli_config_guard_done(struct cli *cli, struct sv_txn *t)
{
	char ranges[128];
	if (!cli->ranges_verified)
		return;
	cli->ranges_verified = false;
	ranges_text(&cli->cfg, ranges, sizeof(ranges));
	/* a cache only: if it cannot be written, the next change scans
	 * again */
	(void)sv_state_write_small(t, RANGES_VERIFIED, ranges, strlen(ranges));
}

/* The first GUARD_SHOWN lines on the terminal; *ctx counts them all. */
static void guard_line(const char *line, void *ctx)
{
	size_t *shown = ctx;
	if ((*shown)++ < GUARD_SHOWN)
		fprintf(stderr, "  %s\n", line);
}

int cli_config_guard(struct cli *cli, struct sv_txn *t)
{
	struct hidden h;
	char ranges[128], seen[128];
	size_t shown = 0, n, len = 0;
	int r;

	ranges_text(&cli->cfg, ranges, sizeof(ranges));
	if (sv_state_read_small(t, RANGES_VERIFIED, seen, sizeof(seen), &len) ==
		0 &&
	    strcmp(seen, ranges) == 0)
		return 0;
	hidden_init(&h);
	r = scan_hidden(&cli->cfg, &cli->cfg, NULL, &h);
	/* no store yet, or one that cannot be read: the change itself
	 * reports that */
	n = r < 0 ? 0 : h.accounts_fixable + h.roles_fixable;
	if (n == 0) {
		hidden_free(&h);
		/* kept when the change commits (a refused change leaves the
		 * state dir as it was) */
		cli->ranges_verified = r == 0;
		return 0;
	}
	cli_fail(cli,
		 "refusing to change the store: the configuration %s hides "
		 "%zu account(s) and %zu role(s) of it from nss_svcacct and "
		 "pam_svcacct (they do not resolve and cannot log in):",
		 cli->conf_path, h.accounts_fixable, h.roles_fixable);
	hidden_lines(&h, "", true, guard_line, &shown);
	if (n > GUARD_SHOWN)
		fprintf(stderr,
			"  ... and %zu more (svcacct check lists them)\n",
			n - GUARD_SHOWN);
	fprintf(stderr,
		"%s: fix the configuration (or put the previous one back), "
		"then try again; nothing was changed\n",
		cli->prog);
	hidden_free(&h);
	return -EPERM;
}

/* ------------------------------------------------------------ loading */

/* The configuration the tool uses, loaded as svcacct(8) does: main leaves
 * conf_path at exactly sv_config_default_path() when neither --conf nor
 * SVCACCT_CONF named a file, and only that file may be missing. */
static int load_cli_config(struct cli *cli, char *err, size_t errlen)
{
	int r = sv_config_load(&cli->cfg, cli->conf_path, true, err, errlen);
	sv_config_fill_shell(&cli->cfg);
	if (r == -ENOENT && cli->conf_path == sv_config_default_path())
		r = 0; /* defaults, left in cfg by sv_config_load */
	return r;
}

/* svcacct check under a configuration that does not load: that is the
 * problem, and every record is hidden by it. */
static int check_unloaded(struct cli *cli, const char *err, int r)
{
	char msg[SV_CONF_ERRLEN + 1024], path[512];
	snprintf(path, sizeof(path), "%s", cli->conf_path);
	printable(path);
	if (r == -ENOENT) /* a file named by --conf or SVCACCT_CONF */
		snprintf(msg, sizeof(msg), "configuration: %s", err);
	else
		snprintf(msg, sizeof(msg),
			 "configuration %s does not load: %s; " UNLOADED_EFFECT
			 "; fix it (svcacct config check FILE tests a new "
			 "file before it is installed)",
			 path, err);
	printable(msg);
	if (cli->json) {
		json_t *j = json_pack("{s:s, s:[s], s:b}", "config", path,
				      "problems", msg, "ok", 0);
		cli_json_out(j);
		return EXIT_FAIL;
	}
	printf("problem: %s\n", msg);
	printf("FAILED: configuration %s does not load, 1 problem(s)\n", path);
	return EXIT_FAIL;
}

int cmd_check_run(struct cli *cli, const struct cli_args *args)
{
	char err[SV_CONF_ERRLEN] = "";
	int r;

	if (args->npos)
		return cli_usage_verb(cli, args);
	r = load_cli_config(cli, err, sizeof(err));
	if (r < 0)
		return check_unloaded(cli, err, r);
	return cmd_check(cli, args);
}

/* ------------------------------------------------------------ config check */

struct creport {
	json_t *problems, *notes;
};

enum cmsg_kind {
	CPROBLEM, /* up to 1535 bytes: they quote paths and the reasons */
	CNOTE,	  /* up to 1023 bytes */
};

/* A problem or a note of the report, made printable. */
static void cmsg(struct creport *rep, enum cmsg_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void cmsg(struct creport *rep, enum cmsg_kind kind, const char *fmt, ...)
{
	char buf[1536];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, kind == CNOTE ? 1024 : sizeof(buf), fmt, ap);
	va_end(ap);
	printable(buf);
	json_array_append_new(kind == CNOTE ? rep->notes : rep->problems,
			      json_string(buf));
}

/* The owner and mode of a file that is not where the modules read it
 * (where it lies now says nothing of where it will be installed): the
 * file itself as sv_config_load judges the installed one, and the store
 * directories it names. 0 or -EPERM with the reason in err. */
static int file_safe(const struct sv_config *nc, const char *file, char *err,
		     size_t errlen)
{
	struct stat st;
	char e2[SV_CONF_ERRLEN];
	if (stat(file, &st) < 0) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", file, strerror(e));
		return -e;
	}
	if (st.st_uid != 0) {
		snprintf(err, errlen, "%s: owned by uid %u, not root", file,
			 (unsigned)st.st_uid);
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen,
			 "%s: writable by group or others (mode %04o)", file,
			 (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	int r = sv_config_dirs_safe(nc, e2, sizeof(e2));
	if (r < 0)
		snprintf(err, errlen, "%s: %.*s", file, (int)(errlen / 2), e2);
	return r;
}

static void problem_line(const char *line, void *ctx)
{
	cmsg(ctx, CPROBLEM, "%s", line);
}

static void report_hidden(struct creport *rep, const struct hidden *h)
{
	hidden_lines(h, " would be hidden", false, problem_line, rep);
}

/* A note for each group that c's group_members_max leaves without a
 * member list (the base group: every account a member), with what that
 * does to programs that read member lists rather than initgroups. */
static void report_unlisted(struct creport *rep, const struct sv_config *c,
			    const struct hidden *h)
{
	static const char effect[] =
	    "getent group lists no members of it; membership is still "
	    "answered through initgroups (id, logins, sudo, sshd's Match "
	    "Group), but pam_succeed_if's ingroup, pam_access's (group) "
	    "rules and pam_wheel do not match it (nss_svcacct(8))";
	size_t i;
	json_t *o;

	if (!sv_group_members_listed(c, h->n_accounts))
		cmsg(rep, CNOTE,
		     "group " SV_BASE_ROLE
		     " (GID %u) has %u members, more than "
		     "group_members_max %u: %s",
		     c->base_gid, h->n_accounts, c->group_members_max, effect);
	json_array_foreach (h->unlisted, i, o)
		cmsg(rep, CNOTE,
		     "group '%s' (GID %" JSON_INTEGER_FORMAT
		     ") has %" JSON_INTEGER_FORMAT
		     " members, more than group_members_max %u: %s",
		     json_string_value(json_object_get(o, "name")),
		     json_integer_value(json_object_get(o, "gid")),
		     json_integer_value(json_object_get(o, "members")),
		     c->group_members_max, effect);
}

int config_check(struct cli *cli, const struct cli_args *args)
{
	char cur_err[SV_CONF_ERRLEN] = "", err[SV_CONF_ERRLEN] = "";
	struct creport rep = {json_array(), json_array()};
	struct sv_config nc;
	struct hidden h;
	const char *file = NULL;
	bool installed, loaded, cur_ok, have_store = false;
	int r;

	if (args->npos > 1)
		return cli_usage_verb(cli, args);
	if (args->npos == 1)
		file = args->pos[0];
	hidden_init(&h);
	cur_ok = load_cli_config(cli, cur_err, sizeof(cur_err)) == 0;
	/* the file the tool itself uses is judged exactly as the modules
	 * judge theirs, directories above it included */
	installed = !file || !strcmp(file, cli->conf_path);
	if (!file)
		file = cli->conf_path;
	if (installed) {
		r = sv_config_load(&nc, file, true, err, sizeof(err));
		if (r == -ENOENT && file == sv_config_default_path()) {
			cmsg(&rep, CNOTE,
			     "%s: missing: the modules use the compiled-in "
			     "defaults",
			     file);
			r = 0;
		}
	} else {
		r = sv_config_load(&nc, file, false, err, sizeof(err));
		if (r == 0)
			r = file_safe(&nc, file, err, sizeof(err));
	}
	loaded = r == 0;
	if (r == -ENOENT) {
		cmsg(&rep, CPROBLEM, "%s", err);
	} else if (!loaded) {
		cmsg(&rep, CPROBLEM, "%s; " UNLOADED_EFFECT, err);
		/* Every record is hidden; which store holds them: the one the
		 * tool uses now, or, when that is this very file, the one it
		 * names if only its owner or mode is wrong. A file that does
		 * not parse names no store for sure. */
		const struct sv_config *sc = NULL;
		char scratch[SV_CONF_ERRLEN];
		if (cur_ok && !installed)
			sc = &cli->cfg;
		else if (sv_config_load(&nc, file, false, scratch,
					sizeof(scratch)) == 0)
			sc = &nc;
		if (sc)
			have_store = scan_hidden(sc, NULL,
						 "the configuration does not "
						 "load",
						 &h) == 0;
		else
			cmsg(&rep, CNOTE,
			     "no configuration that loads names the "
			     "store: its accounts and roles are not "
			     "listed");
	} else {
		r = scan_hidden(&nc, &nc, NULL, &h);
		have_store = r == 0;
		if (have_store)
			report_unlisted(&rep, &nc, &h);
		if (r < 0 && r != -ENOENT)
			cmsg(&rep, CPROBLEM,
			     "the store in %s cannot be read: %s", nc.db_dir,
			     strerror(-r));
		if (cur_ok && strcmp(nc.db_dir, cli->cfg.db_dir) != 0) {
			struct hidden cur;
			hidden_init(&cur);
			bool cur_store =
			    scan_hidden(&cli->cfg, NULL, NULL, &cur) == 0;
			if (!have_store && cur_store)
				cmsg(&rep, CPROBLEM,
				     "db_dir %s holds no store: the %u "
				     "account(s) and %u role(s) of %s, "
				     "the store in use, would no longer "
				     "resolve",
				     nc.db_dir, cur.n_accounts, cur.n_roles,
				     cli->cfg.db_dir);
			else
				cmsg(&rep, CNOTE,
				     "db_dir changes from %s to %s",
				     cli->cfg.db_dir, nc.db_dir);
			hidden_free(&cur);
		}
		if (cur_ok && nc.base_gid != cli->cfg.base_gid)
			cmsg(&rep, CNOTE,
			     "base_gid changes from %u to %u: files of group "
			     "%u no longer show the group " SV_BASE_ROLE,
			     cli->cfg.base_gid, nc.base_gid, cli->cfg.base_gid);
	}
	if (!cur_ok && !installed)
		cmsg(&rep, CNOTE,
		     "the configuration in use does not load (%s): its store "
		     "was not compared",
		     cur_err);
	report_hidden(&rep, &h);

	size_t n = json_array_size(rep.problems);
	char shown[512];
	snprintf(shown, sizeof(shown), "%s", file);
	printable(shown);
	if (cli->json) {
		json_t *j =
		    json_pack("{s:s, s:b, s:O, s:O, s:o, s:o, s:b}", "file",
			      shown, "loads", loaded, "hidden_accounts",
			      h.accounts, "hidden_roles", h.roles, "problems",
			      rep.problems, "notes", rep.notes, "ok", n == 0);
		if (j && have_store) {
			json_object_set_new(j, "generation",
					    json_integer((json_int_t)h.gen));
			json_object_set_new(j, "accounts",
					    json_integer(h.n_accounts));
			json_object_set_new(j, "roles",
					    json_integer(h.n_roles));
		}
		hidden_free(&h);
		if (!j)
			return cli_fail(cli, "cannot encode the report");
		r = cli_json_out(j);
		return r != EXIT_OK ? r : n ? EXIT_FAIL : EXIT_OK;
	}
	size_t i;
	json_t *p;
	json_array_foreach (rep.problems, i, p)
		printf("problem: %s\n", json_string_value(p));
	json_array_foreach (rep.notes, i, p)
		printf("note: %s\n", json_string_value(p));
	if (have_store)
		printf(
		    "%s: %s: generation %" PRIu64 ", %u accounts, %u roles, "
		    "%zu hidden, %zu problem(s)\n",
		    n ? "FAILED" : "ok", shown, h.gen, h.n_accounts, h.n_roles,
		    json_array_size(h.accounts) + json_array_size(h.roles), n);
	else
		printf("%s: %s: no store to compare, %zu problem(s)\n",
		       n ? "FAILED" : "ok", shown, n);
	json_decref(rep.problems);
	json_decref(rep.notes);
	hidden_free(&h);
	return n ? EXIT_FAIL : EXIT_OK;
}
