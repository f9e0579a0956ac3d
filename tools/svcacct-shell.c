/* SPDX-License-Identifier: MIT */
/* svcacct-shell(8): the login shell of service accounts. It runs one
 * command, given as `-c STRING` (which is how sshd runs forced and requested
 * commands), if and only if a role the process holds allows it, and runs
 * it directly: no shell ever parses the string.
 *
 * Rules (svcacct-shell(8)):
 * - STRING is split on spaces and tabs; nothing else is interpreted. A
 *   string with any shell metacharacter, quote or control character is
 *   refused, so what is allowed is exactly what is run.
 * - A role command matches when it splits into the same words, or when its
 *   last word is "*" and the string has exactly one more word in that
 *   place: any word free of metacharacters that does not start with '-'.
 *   A free word is an operand, never an option: "/usr/bin/sort *" must not
 *   become "/usr/bin/sort -o/etc/x", nor "/usr/bin/env *" "env -" (a lone
 *   "-" is an option to env and su, so it is refused too).
 * - The roles are those whose group the process holds (getgroups(), which
 *   pam_svcacct's setcred narrowed to the login's scope), and which the
 *   account is granted in the store, and the base role "svcacct", which
 *   every account holds whatever its login's scope. Never an environment
 *   variable.
 * - Every refusal and every run is logged to authpriv. */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "codec.h"
#include "config.h"
#include "names.h"
#include "store.h"
#include "util.h"

#define PROG	   "svcacct-shell"
#define CMD_MAX	   4096
#define ARGS_MAX   128
#define GROUPS_MAX 1024

/* Characters a command may not contain: everything a POSIX shell would
 * treat specially, so that no string means one thing to a reader of the
 * role and another to a program. */
static const char metachars[] = "|&;<>()$`\\\"'*?[]#~=%";

/* Log values keep only a safe set, like pam_svcacct's. */
static void clean(char *dst, size_t cap, const char *s)
{
	size_t i = 0;
	if (!s || !*s)
		s = "-";
	for (; *s && i + 1 < cap; s++)
		dst[i++] =
		    (strchr("._:@/,-", *s) || (*s >= 'a' && *s <= 'z') ||
		     (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9'))
			? *s
			: '?';
	dst[i] = '\0';
}

static void audit(bool allow, const char *account, const char *cmd,
		  const char *reason)
{
	char a[64], c[256], r[64];
	clean(a, sizeof(a), account);
	clean(c, sizeof(c), cmd);
	clean(r, sizeof(r), reason);
	openlog(PROG, LOG_PID, LOG_AUTHPRIV);
	syslog(LOG_AUTHPRIV | (allow ? LOG_INFO : LOG_NOTICE),
	       "svcacct: event=shell result=%s account=%s command=%s "
	       "reason=%s",
	       allow ? "allow" : "deny", a, c, r);
	closelog();
}

/* Split on spaces and tabs into words (pointers into s, which is
 * modified). -1 if there are too many words. */
static int split(char *s, char **w, int max)
{
	int n = 0;
	for (char *save = NULL, *t = strtok_r(s, " \t", &save); t;
	     t = strtok_r(NULL, " \t", &save)) {
		if (n >= max)
			return -1;
		w[n++] = t;
	}
	return n;
}

/* Whether a command string is free of what the rules refuse. */
static bool clean_command(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f ||
		    strchr(metachars, *p))
			return false;
	return true;
}

enum match {
	MATCH_NONE = 0,
	MATCH_OK,
	MATCH_OPTION, /* matched but for a free word that starts with '-' */
};

/* Does one role command allow argv? Role commands were validated by the
 * CLI, but are read as untrusted data: one with metacharacters (other than
 * the final "*") matches nothing. */
static enum match command_matches(struct sv_str rc, char **argv, int argc)
{
	char buf[CMD_MAX + 1], *w[ARGS_MAX];
	int n;
	bool star;

	if (rc.n == 0 || rc.n > CMD_MAX)
		return MATCH_NONE;
	memcpy(buf, rc.p, rc.n);
	buf[rc.n] = '\0';
	n = split(buf, w, ARGS_MAX);
	if (n <= 0)
		return MATCH_NONE;
	star = !strcmp(w[n - 1], "*");
	for (int i = 0; i < n - star; i++)
		if (!clean_command(w[i]))
			return MATCH_NONE;
	if (w[0][0] != '/' || n != argc)
		return MATCH_NONE;
	for (int i = 0; i < n - star; i++)
		if (strcmp(w[i], argv[i]))
			return MATCH_NONE;
	/* n >= 2 here: "*" alone is not absolute */
	if (star && argv[n - 1][0] == '-')
		return MATCH_OPTION;
	return MATCH_OK;
}

static bool account_has_gid(const struct sv_account *a, uint32_t gid)
{
	for (uint32_t i = 0; i < a->roles.count; i++)
		if (sv_u32list_get(&a->roles, i) == gid)
			return true;
	return false;
}

/* Whether one of a role's commands allows argv (*option as allowed()). */
static bool role_allows(const struct sv_role *role, char **argv, int argc,
			bool *option)
{
	size_t off = 0;
	uint32_t idx = 0;
	struct sv_str it;
	while (sv_list_next(&role->commands, &off, &idx, &it)) {
		enum match m = command_matches(it, argv, argc);
		if (m == MATCH_OK)
			return true;
		if (m == MATCH_OPTION)
			*option = true;
	}
	return false;
}

/* 0 allowed; -EACCES no role allows it (*option: a role's "*" would have
 * matched but for a free word that starts with '-'); other -errno: store
 * trouble. */
static int allowed(struct sv_reader *rd, const struct sv_config *c,
		   const struct sv_account *a, char **argv, int argc,
		   bool *option)
{
	gid_t groups[GROUPS_MAX];
	int ng = getgroups(GROUPS_MAX, groups);
	struct sv_blob bb = {0};
	struct sv_role base;
	*option = false;
	if (ng < 0)
		return -errno;
	/* the base role's commands: every account holds it, whatever the
	 * login's scope (a damaged record allows nothing) */
	int be = sv_get_base_role(rd, &bb, &base);
	if (be == 0) {
		bool ok = role_allows(&base, argv, argc, option);
		sv_blob_free(&bb);
		if (ok)
			return 0;
	} else if (be != -ENOENT && be != -EBADMSG && be != -EPROTO) {
		return be;
	}
	for (int i = 0; i < ng; i++) {
		struct sv_blob b = {0};
		struct sv_role role;
		bool ok = false;
		if (!sv_role_gid_acceptable(c, groups[i]) ||
		    !account_has_gid(a, groups[i]))
			continue;
		int e = sv_get_role_by_gid(rd, groups[i], &b, &role);
		if (e == -ENOENT)
			continue;
		if (e < 0)
			return e;
		size_t off = 0;
		uint32_t idx = 0;
		struct sv_str it;
		while (!ok && sv_list_next(&role.commands, &off, &idx, &it)) {
			enum match m = command_matches(it, argv, argc);
			ok = m == MATCH_OK;
			if (m == MATCH_OPTION)
				*option = true;
		}
		sv_blob_free(&b);
		if (ok)
			return 0;
	}
	return -EACCES;
}

/* Only these survive into the command, plus the SVCACCT_* variables that
 * pam_svcacct put in the session. Everything else the client or sshd may
 * have set (LD_*, BASH_ENV, PYTHON*, ...) is dropped. */
static const char *const kept[] = {
    "SSH_ORIGINAL_COMMAND", "SSH_CONNECTION", "SSH_CLIENT",
    "SVCACCT_ACCOUNT",	    "SVCACCT_ROLES",  "SVCACCT_CREDENTIAL",
    "SVCACCT_METHOD",	    "SVCACCT_JTI",
};

static char **clean_env(const struct passwd *pw)
{
	static char *env[SV_ARRAY_SIZE(kept) + 8];
	static char home[PATH_MAX + 8], user[64], logname[64],
	    shell[PATH_MAX + 8];
	size_t n = 0;

	env[n++] = "PATH=/usr/bin:/bin";
	env[n++] = "LANG=C.UTF-8";
	snprintf(home, sizeof(home), "HOME=%s", pw->pw_dir);
	snprintf(user, sizeof(user), "USER=%s", pw->pw_name);
	snprintf(logname, sizeof(logname), "LOGNAME=%s", pw->pw_name);
	snprintf(shell, sizeof(shell), "SHELL=%s", pw->pw_shell);
	env[n++] = home;
	env[n++] = user;
	env[n++] = logname;
	env[n++] = shell;
	for (size_t i = 0; i < SV_ARRAY_SIZE(kept); i++) {
		const char *v = getenv(kept[i]);
		if (!v)
			continue;
		size_t len = strlen(kept[i]) + strlen(v) + 2;
		char *e = malloc(len);
		if (!e)
			continue;
		snprintf(e, len, "%s=%s", kept[i], v);
		env[n++] = e;
	}
	env[n] = NULL;
	return env;
}

int main(int argc, char **argv)
{
	struct sv_config cfg;
	struct sv_reader *rd = NULL;
	struct sv_blob ab = {0};
	struct sv_account acct;
	struct passwd *pw;
	char err[SV_CONF_ERRLEN] = "", name[SV_NAME_MAX + 1] = "";
	char buf[CMD_MAX + 1], *w[ARGS_MAX + 1];
	const char *cmd = NULL, *reason = NULL;
	bool option = false;
	int n, e, r = 1;

	pw = getpwuid(getuid());
	if (pw)
		snprintf(name, sizeof(name), "%s", pw->pw_name);
	if (argc != 3 || strcmp(argv[1], "-c")) {
		fprintf(stderr,
			PROG ": %s is a service account: no "
			     "interactive logins, only allowed commands\n",
			*name ? name : "this");
		audit(false, name, NULL, "interactive");
		return 1;
	}
	cmd = argv[2];
	if (!pw) {
		reason = "unknown_user";
		goto deny;
	}
	if (strlen(cmd) > CMD_MAX) {
		reason = "too_long";
		goto deny;
	}
	if (!clean_command(cmd)) {
		reason = "metacharacters";
		goto deny;
	}
	memcpy(buf, cmd, strlen(cmd) + 1);
	n = split(buf, w, ARGS_MAX);
	if (n < 0) {
		reason = "too_many_words";
		goto deny;
	}
	if (n == 0) {
		reason = "empty";
		goto deny;
	}
	w[n] = NULL;
	if (w[0][0] != '/') {
		reason = "not_absolute";
		goto deny;
	}
	e = sv_config_load(&cfg, sv_config_default_path(), true, err,
			   sizeof(err));
	if (e < 0 && e != -ENOENT) {
		reason = "config_error";
		goto deny;
	}
	if (sv_reader_open(&cfg, SV_DBMASK(SV_DB_ACCOUNTS), &rd) < 0) {
		reason = "store_error";
		goto deny;
	}
	e = sv_get_account_by_uid(rd, getuid(), &ab, &acct);
	if (e < 0 || !sv_str_eq(acct.name, name) ||
	    !sv_uid_acceptable(&cfg, acct.uid)) {
		reason = e == -ENOENT || e == 0 ? "not_service_account"
						: "store_error";
		goto deny;
	}
	if (acct.flags & SV_ACCT_DISABLED) {
		reason = "account_disabled";
		goto deny;
	}
	if (acct.expires && acct.expires <= (int64_t)time(NULL)) {
		reason = "account_expired";
		goto deny;
	}
	e = allowed(rd, &cfg, &acct, w, n, &option);
	if (e < 0) {
		reason = e != -EACCES ? "store_error"
			 : option     ? "option_word"
				      : "not_allowed";
		goto deny;
	}
	sv_blob_free(&ab);
	sv_reader_close(rd);
	rd = NULL;
	audit(true, name, cmd, "ok");
	execve(w[0], w, clean_env(pw));
	e = errno;
	fprintf(stderr, PROG ": %s: %s\n", w[0], strerror(e));
	audit(false, name, cmd, "exec_failed");
	return e == ENOENT ? 127 : 126;
deny:
	if (!strcmp(reason, "option_word"))
		fprintf(stderr,
			PROG ": command refused (%s): the word in place of a "
			     "role command's \"*\" must not start with \"-\"\n",
			reason);
	else
		fprintf(stderr, PROG ": command refused (%s)\n", reason);
	audit(false, name, cmd, reason);
	sv_blob_free(&ab);
	sv_reader_close(rd);
	return r;
}
