/* SPDX-License-Identifier: MIT */
/* The admin tool's plumbing: messages, parsing, audit, NSS checks. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "cli.h"
#include "lastused.h"
#include "names.h"
#include "ops.h"
#include "readfile.h"
#include "secret.h"
#include "util.h"

extern char **environ;

int cli_fail(struct cli *cli, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", cli->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

int cli_need_root(struct cli *cli)
{
	if (geteuid() == 0)
		return 0;
	cli_fail(cli, "this change needs root (run it with sudo)");
	return -EPERM;
}

int cli_parse_u32(const char *s, uint32_t *out)
{
	char *end;
	if (!s || !*s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int cli_parse_date(const char *s, int64_t *out)
{
	struct tm tm = {0};
	if (!strcmp(s, "never")) {
		*out = 0;
		return 0;
	}
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -EINVAL;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -EINVAL;
	tm.tm_year = atoi(s) - 1900;
	tm.tm_mon = atoi(s + 5) - 1;
	tm.tm_mday = atoi(s + 8);
	if (tm.tm_year < 70 || tm.tm_year > 1100 || tm.tm_mon < 0 ||
	    tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31)
		return -EINVAL;
	int mday = tm.tm_mday, mon = tm.tm_mon;
	time_t t = timegm(&tm);
	if (t == (time_t)-1 || tm.tm_mday != mday || tm.tm_mon != mon)
		return -EINVAL; /* 2025-02-30 normalises to March */
	*out = t;
	return 0;
}

int cli_parse_duration(const char *s, bool zero_ok, int64_t *secs)
{
	size_t n = strlen(s);
	uint64_t v = 0, mult;

	if (zero_ok && !strcmp(s, "0")) {
		*secs = 0;
		return 0;
	}
	if (n < 2 || n > 10 || !strchr("smhdw", s[n - 1]))
		return -EINVAL;
	for (size_t i = 0; i + 1 < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	switch (s[n - 1]) {
	case 's': mult = 1; break;
	case 'm': mult = 60; break;
	case 'h': mult = 3600; break;
	case 'd': mult = 86400; break;
	default: mult = 7 * 86400; break;
	}
	if (v > (uint64_t)100 * 366 * 86400 / mult || (v == 0 && !zero_ok))
		return -EINVAL;
	*secs = (int64_t)(v * mult);
	return 0;
}

int cli_parse_expiry(const char *s, int64_t *out)
{
	size_t n = strlen(s);
	int64_t secs;
	if (n >= 2 && n <= 10 && strchr("smhdw", s[n - 1])) {
		if (cli_parse_duration(s, false, &secs) < 0)
			return -EINVAL;
		*out = (int64_t)time(NULL) + secs;
		return 0;
	}
	return cli_parse_date(s, out);
}

int cli_parse_time(const char *s, int64_t *out)
{
	char date[11];
	unsigned hh, mm, ss;
	char z;
	if (strlen(s) != 20 || s[10] != 'T')
		return cli_parse_date(s, out);
	memcpy(date, s, 10);
	date[10] = '\0';
	if (cli_parse_date(date, out) < 0 ||
	    sscanf(s + 11, "%2u:%2u:%2u%c", &hh, &mm, &ss, &z) != 4 ||
	    z != 'Z' || hh > 23 || mm > 59 || ss > 59 || s[13] != ':' ||
	    s[16] != ':')
		return -EINVAL;
	*out += (int64_t)hh * 3600 + mm * 60 + ss;
	return 0;
}

/* t in UTC, as a date or a time, "never" for 0, the number itself when it
 * does not format. */
static const char *format_utc(int64_t t, bool date, char *buf, size_t n)
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (t == 0)
		return "never";
	if (!gmtime_r(&tt, &tm) ||
	    !strftime(buf, n, date ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, n, "%lld", (long long)t);
	return buf;
}

const char *cli_time(int64_t t, char *buf, size_t n)
{
	return format_utc(t, false, buf, n);
}

const char *cli_date(int64_t t, char *buf, size_t n)
{
	return format_utc(t, true, buf, n);
}

/* Who asked for the change: the sudo user, else the login uid's name,
 * else the real uid. For the audit trail only, never for a decision. */
static void who(char *out, size_t n)
{
	/* the environment is the caller's: take SUDO_USER only if it looks
	 * like a user name, so it cannot forge or break the log line */
	const char *su = getenv("SUDO_USER");
	if (su && *su && strlen(su) < 64 &&
	    strspn(su, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		       "0123456789._-") == strlen(su)) {
		snprintf(out, n, "%s", su);
		return;
	}
	uid_t uid = getuid();
	FILE *f = fopen("/proc/self/loginuid", "re");
	if (f) {
		unsigned long v;
		if (fscanf(f, "%lu", &v) == 1 && v != 4294967295UL)
			uid = (uid_t)v;
		fclose(f);
	}
	struct passwd *pw = getpwuid(uid);
	if (pw)
		snprintf(out, n, "%s", pw->pw_name);
	else
		snprintf(out, n, "uid%u", (unsigned)uid);
}

void cli_audit(const char *event, const char *fmt, ...)
{
	char what[1024], by[80];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	who(by, sizeof(by));
	openlog("svcacct", LOG_PID, LOG_AUTHPRIV);
	syslog(LOG_AUTHPRIV | LOG_NOTICE,
	       "svcacct: event=%s result=ok %s by=%s", event, what, by);
	closelog();
}

void cli_nscd_invalidate(void)
{
	static const char *const paths[] = {"/run/nscd/socket",
					    "/var/run/nscd/socket"};
	bool running = false;
	for (size_t i = 0; i < SV_ARRAY_SIZE(paths); i++)
		if (access(paths[i], F_OK) == 0)
			running = true;
	if (!running || access("/usr/sbin/nscd", X_OK) != 0)
		return;
	const char *dbs[] = {"passwd", "group"};
	for (size_t i = 0; i < SV_ARRAY_SIZE(dbs); i++) {
		char *args[] = {"nscd", "-i", (char *)dbs[i], NULL};
		pid_t pid;
		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY,
						 0);
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY,
						 0);
		if (posix_spawn(&pid, "/usr/sbin/nscd", &fa, NULL, args,
				environ) == 0)
			waitpid(pid, NULL, 0);
		posix_spawn_file_actions_destroy(&fa);
	}
}

/* A small open-addressing set of strings and numbers. */
struct set {
	char **names;
	uint32_t *ids;
	size_t cap, n; /* cap: power of two */
};
struct nss_snapshot {
	struct set users, groups;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static int set_grow(struct set *st)
{
	size_t nc = st->cap ? st->cap * 2 : 1024;
	struct set ns = {calloc(nc, sizeof(char *)),
			 calloc(nc, sizeof(uint32_t)), nc, 0};
	if (!ns.names || !ns.ids) {
		free(ns.names);
		free(ns.ids);
		return -ENOMEM;
	}
	/* ids are stored +1 so 0 means empty; names in their own table */
	for (size_t i = 0; i < st->cap; i++) {
		if (st->names[i]) {
			size_t j = hash_str(st->names[i]) & (nc - 1);
			while (ns.names[j])
				j = (j + 1) & (nc - 1);
			ns.names[j] = st->names[i];
		}
		if (st->ids[i]) {
			size_t j = (st->ids[i] * 2654435761u) & (nc - 1);
			while (ns.ids[j])
				j = (j + 1) & (nc - 1);
			ns.ids[j] = st->ids[i];
		}
	}
	free(st->names);
	free(st->ids);
	ns.n = st->n;
	*st = ns;
	return 0;
}

static int set_add(struct set *st, const char *name, uint32_t id)
{
	if ((st->n + 1) * 2 > st->cap && set_grow(st) < 0)
		return -ENOMEM;
	size_t j = hash_str(name) & (st->cap - 1);
	while (st->names[j] && strcmp(st->names[j], name))
		j = (j + 1) & (st->cap - 1);
	if (!st->names[j] && !(st->names[j] = strdup(name)))
		return -ENOMEM;
	uint32_t v = id + 1;
	j = (v * 2654435761u) & (st->cap - 1);
	while (st->ids[j] && st->ids[j] != v)
		j = (j + 1) & (st->cap - 1);
	st->ids[j] = v;
	st->n++;
	return 0;
}

static bool set_has_name(const struct set *st, const char *name)
{
	if (!st->cap)
		return false;
	size_t j = hash_str(name) & (st->cap - 1);
	while (st->names[j]) {
		if (!strcmp(st->names[j], name))
			return true;
		j = (j + 1) & (st->cap - 1);
	}
	return false;
}

static bool set_has_id(const struct set *st, uint32_t id)
{
	if (!st->cap)
		return false;
	uint32_t v = id + 1;
	size_t j = (v * 2654435761u) & (st->cap - 1);
	while (st->ids[j]) {
		if (st->ids[j] == v)
			return true;
		j = (j + 1) & (st->cap - 1);
	}
	return false;
}

static void set_free(struct set *st)
{
	for (size_t i = 0; i < st->cap; i++)
		free(st->names[i]);
	free(st->names);
	free(st->ids);
	memset(st, 0, sizeof(*st));
}

void cli_snapshot_free(struct cli *cli)
{
	if (!cli->snap)
		return;
	set_free(&cli->snap->users);
	set_free(&cli->snap->groups);
	free(cli->snap);
	cli->snap = NULL;
}

int cli_snapshot_take(struct cli *cli)
{
	struct nss_snapshot *s = calloc(1, sizeof(*s));
	struct passwd *pw;
	struct group *gr;
	int e = 0;
	if (!s)
		return -ENOMEM;
	cli->snap = s;
	setpwent();
	while (e == 0 && (pw = getpwent()))
		e = set_add(&s->users, pw->pw_name, pw->pw_uid);
	endpwent();
	setgrent();
	while (e == 0 && (gr = getgrent()))
		e = set_add(&s->groups, gr->gr_name, gr->gr_gid);
	endgrent();
	if (e < 0)
		cli_snapshot_free(cli);
	return e;
}

bool cli_user_exists(struct cli *cli, const char *name)
{
	if (cli->snap)
		return set_has_name(&cli->snap->users, name);
	return getpwnam(name) != NULL;
}
bool cli_group_exists(struct cli *cli, const char *name)
{
	if (cli->snap)
		return set_has_name(&cli->snap->groups, name);
	return getgrnam(name) != NULL;
}
bool cli_uid_exists(struct cli *cli, uint32_t uid)
{
	if (cli->snap)
		return set_has_id(&cli->snap->users, uid);
	return getpwuid((uid_t)uid) != NULL;
}
bool cli_gid_exists(struct cli *cli, uint32_t gid)
{
	if (cli->snap)
		return set_has_id(&cli->snap->groups, gid);
	return getgrgid((gid_t)gid) != NULL;
}

void cli_report(struct cli *cli, json_t *j, const char *fmt, ...)
{
	if (cli->json) {
		cli_json_out(j);
		return;
	}
	json_decref(j);
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

static const char *sort_k1, *sort_k2;
static int cmp_members(const void *x, const void *y)
{
	json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	const char *k[2] = {sort_k1, sort_k2};
	for (int i = 0; i < 2 && k[i]; i++) {
		const char *s = json_string_value(json_object_get(a, k[i]));
		const char *t = json_string_value(json_object_get(b, k[i]));
		int c = strcmp(s ? s : "", t ? t : "");
		if (c)
			return c;
	}
	return 0;
}

void cli_json_sort(json_t *arr, const char *key, const char *key2)
{
	size_t n = json_array_size(arr);
	json_t **v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return; /* unsorted is still correct */
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(arr, i));
	sort_k1 = key;
	sort_k2 = key2;
	qsort(v, n, sizeof(*v), cmp_members);
	json_array_clear(arr);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, v[i]);
	free(v);
}

int cli_json_out(json_t *j)
{
	if (!j)
		return EXIT_FAIL;
	int r = json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	fputc('\n', stdout);
	json_decref(j);
	return r == 0 ? EXIT_OK : EXIT_FAIL;
}

struct sv_reader *cli_reader(struct cli *cli, unsigned dbmask)
{
	struct sv_reader *r = NULL;
	int e = sv_reader_open(&cli->cfg, dbmask, &r);
	if (e == 0)
		return r;
	if (e == -ENOENT)
		cli_fail(cli,
			 "no store in %s yet (create an account or a role "
			 "first)",
			 cli->cfg.db_dir);
	else if (e == -EPERM)
		cli_fail(cli,
			 "store %s: unsafe owner or mode (see svcacct "
			 "check)",
			 cli->cfg.db_dir);
	else if (e == -EACCES)
		cli_fail(cli, "store %s: permission denied%s", cli->cfg.db_dir,
			 geteuid() ? " (credentials need root)" : "");
	else
		cli_fail(cli, "store %s: %s", cli->cfg.db_dir,
			 e == -EBADMSG ? "corrupt database" : strerror(-e));
	return NULL;
}

struct sv_txn *cli_begin(struct cli *cli)
{
	struct sv_txn *t = NULL;
	char err[512] = "";
	if (cli_need_root(cli) < 0)
		return NULL;
	if (sv_txn_begin(&cli->cfg, &t, err, sizeof(err)) < 0) {
		cli_fail(cli, "%s", err);
		return NULL;
	}
	/* under the lock: the store it judges is the one the change is
	 * made on */
	if (cli_config_guard(cli, t) < 0) {
		sv_txn_abort(t);
		return NULL;
	}
	return t;
}

struct sv_txn *cli_begin_load(struct cli *cli, const char *what,
			      const char *name, const char *bad,
			      cli_load_fn load, void *out)
{
	struct sv_txn *t = cli_begin(cli);
	if (!t)
		return NULL;
	int e = load(t, name, out);
	if (e < 0) {
		sv_txn_abort(t);
		if (e == -ENOENT)
			cli_fail(cli, "no %s '%s'", what, name);
		else
			cli_fail(cli, "%s '%s': %s", what, name, bad);
		return NULL;
	}
	return t;
}

static int load_account(struct sv_txn *t, const char *name, void *out)
{
	return sv_model_account_load(t, name, out);
}

struct sv_txn *cli_begin_account(struct cli *cli, const char *name,
				 struct acct *a)
{
	struct acct tmp;
	struct sv_txn *t =
	    cli_begin_load(cli, "account", name, "unreadable record",
			   load_account, a ? a : &tmp);
	if (t && !a)
		acct_free(&tmp);
	return t;
}

int cli_commit(struct cli *cli, struct sv_txn *t)
{
	char err[512] = "";
	uint64_t gen;
	cli_config_guard_done(cli, t);
	if (sv_txn_commit(t, &gen, err, sizeof(err)) < 0)
		return cli_fail(cli, "%s; the change was not published", err);
	return EXIT_OK;
}

int cli_create(struct cli *cli, const struct cli_args *args,
	       cli_create_fn create, const void *opts, void *out)
{
	if (args->npos != 1)
		return cli_usage_verb(cli, args);
	struct sv_txn *t = cli_begin(cli);
	if (!t)
		return EXIT_FAIL;
	if (create(cli, t, opts, out) < 0) {
		sv_txn_abort(t);
		return cli_fail(cli, "%s", cli->err);
	}
	return cli_commit(cli, t);
}

int cli_list_creds(struct cli *cli, const char *name, enum sv_db db,
		   const char *what, cli_revocations_fn open_rv,
		   sv_cred_fn each, json_t **out)
{
	struct sv_reader *rd =
	    cli_reader(cli, SV_DBMASK(SV_DB_ACCOUNTS) | SV_DBMASK(db));
	if (!rd)
		return EXIT_FAIL;
	struct sv_blob ab = {0};
	struct sv_account a;
	if (sv_get_account(rd, name, &ab, &a) < 0) {
		sv_reader_close(rd);
		return cli_fail(cli, "no account '%s'", name);
	}
	struct sv_revocations *rv = NULL;
	int e = open_rv(cli, &rv);
	if (e < 0) {
		sv_blob_free(&ab);
		sv_reader_close(rd);
		return cli_fail(cli, "%s", cli->err);
	}
	json_t *arr = json_array();
	e = sv_each_cred(rd, db, &a, rv, each, arr);
	sv_revocations_close(rv);
	sv_blob_free(&ab);
	sv_reader_close(rd);
	if (e < 0) {
		json_decref(arr);
		return cli_fail(cli, "reading %s: %s", what, strerror(-e));
	}
	*out = arr;
	return EXIT_OK;
}

int cli_creds_last_used(struct cli *cli, const char *account, json_t *arr,
			const char *unused)
{
	int64_t span = 0, now = (int64_t)time(NULL), created, when;
	size_t i = 0;

	if (unused && cli_parse_duration(unused, false, &span) < 0)
		return cli_fail(cli, "bad --unused '%s' (e.g. 90d, 12h, 2w)",
				unused);
	while (i < json_array_size(arr)) {
		json_t *it = json_array_get(arr, i);
		const char *id = json_string_value(json_object_get(it, "id"));
		const char *cr =
		    json_string_value(json_object_get(it, "created"));
		/* a record whose id is no credential id was never used */
		int e = id && sv_cred_id_valid(id)
			    ? sv_lastused_get(&cli->cfg, account, id, &when)
			    : -ENOENT;
		if (e == -ENOENT) {
			when = 0;
		} else if (e < 0) {
			if (unused)
				return cli_fail(
				    cli,
				    "%s/lastused/%s: %s (the last use "
				    "cannot be told)",
				    cli->cfg.state_dir, account, strerror(-e));
			fprintf(stderr,
				"%s: warning: %s/lastused/%s: %s (last use "
				"unknown)\n",
				cli->prog, cli->cfg.state_dir, account,
				strerror(-e));
			return EXIT_OK;
		}
		json_object_set_new(it, "last_used",
				    when ? json_integer(when) : json_null());
		/* never used: unused since it was created */
		if (!cr || cli_parse_time(cr, &created) < 0)
			created = 0;
		if (unused && (when ? when : created) > now - span) {
			json_array_remove(arr, i);
			continue;
		}
		i++;
	}
	return EXIT_OK;
}

const char *cli_last_used_text(json_t *it, char *buf, size_t n)
{
	json_t *lu = json_object_get(it, "last_used");
	if (json_is_integer(lu) && json_integer_value(lu) > 0)
		return cli_time(json_integer_value(lu), buf, n);
	snprintf(buf, n, "%s", lu ? "never" : "?");
	return buf;
}

void cli_scope_json(const struct sv_cred *c, json_t *obj, bool always)
{
	size_t off = 0;
	uint32_t idx = 0;
	struct sv_str it;

	if (always || c->roles.count) {
		json_t *r = json_array();
		for (uint32_t i = 0; i < c->roles.count; i++)
			json_array_append_new(
			    r, json_integer(sv_u32list_get(&c->roles, i)));
		json_object_set_new(obj, "roles", r);
	}
	if (always || c->sources.count) {
		json_t *f = json_array();
		while (sv_list_next(&c->sources, &off, &idx, &it))
			json_array_append_new(f, json_stringn(it.p, it.n));
		json_object_set_new(obj, "from", f);
	}
}

void cli_scope_names(struct sv_reader *rd, json_t *arr)
{
	const struct sv_config *cfg = sv_reader_config(rd);
	size_t i, j;
	json_t *o, *g;

	json_array_foreach (arr, i, o) {
		json_t *roles = json_object_get(o, "roles");
		json_array_foreach (roles, j, g) {
			json_int_t gid = json_integer_value(g);
			struct sv_blob b = {0};
			struct sv_role r;
			if (!json_is_integer(g))
				continue;
			if (cfg && gid == (json_int_t)cfg->base_gid)
				json_array_set_new(roles, j,
						   json_string(SV_BASE_ROLE));
			else if (sv_get_role_by_gid(rd, (uint32_t)gid, &b,
						    &r) == 0)
				json_array_set_new(
				    roles, j, json_stringn(r.name.p, r.name.n));
			sv_blob_free(&b);
		}
	}
}

/* "a,b" of a JSON array of strings or numbers ("*" when empty). */
static void csv_of(json_t *arr, char *out, size_t cap)
{
	size_t i, off = 0;
	json_t *v;

	snprintf(out, cap, "*");
	if (!json_array_size(arr))
		return;
	out[0] = '\0';
	json_array_foreach (arr, i, v) {
		char num[24];
		const char *s = json_string_value(v);
		if (!s) {
			snprintf(num, sizeof(num), "%lld",
				 (long long)json_integer_value(v));
			s = num;
		}
		int w = snprintf(out + off, cap - off, "%s%s", i ? "," : "", s);
		if (w < 0 || (size_t)w >= cap - off)
			return;
		off += (size_t)w;
	}
}

void cli_scope_cell(json_t *obj, const char *label, bool scoped, char *out,
		    size_t cap)
{
	char roles[400], from[400], cell[820];

	if (!scoped) {
		snprintf(out, cap, "%s", label ? label : "");
		return;
	}
	if (!obj) {
		snprintf(cell, sizeof(cell), "SCOPE");
	} else {
		json_t *f = json_object_get(obj, "from");
		csv_of(json_object_get(obj, "roles"), roles, sizeof(roles));
		csv_of(f, from, sizeof(from));
		snprintf(cell, sizeof(cell), "%s%s%s", roles,
			 json_array_size(f) ? " from " : "",
			 json_array_size(f) ? from : "");
	}
	snprintf(out, cap, "%-30s %s", cell, label ? label : "");
}

char **cli_split(const char *s)
{
	size_t n = 1, len = strlen(s);
	for (const char *p = s; *p; p++)
		n += *p == ',';
	size_t sz;
	if (sv_mul_overflow(n + 1, sizeof(char *), &sz) ||
	    sv_add_overflow(sz, len + 1, &sz))
		return NULL;
	char **v = malloc(sz);
	if (!v)
		return NULL;
	char *buf = (char *)(v + n + 1);
	memcpy(buf, s, len + 1);
	size_t i = 0;
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		v[i++] = tok;
	v[i] = NULL;
	return v;
}

int cli_read_file(struct cli *cli, const char *path, size_t max, char **out,
		  size_t *len)
{
	struct stat st;
	int fd, r;

	*out = NULL;
	*len = 0;
	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
			       : dup(0);
	if (fd < 0 || fstat(fd, &st) < 0) {
		r = -errno;
		cli_fail(cli, "%s: %s", path, strerror(-r));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		cli_fail(cli, "%s: is a directory", path);
		r = -EISDIR;
		goto out;
	}
	r = sv_read_fd(fd, max, out, len);
	if (r == -EFBIG)
		cli_fail(cli, "%s: larger than %zu bytes", path, max);
	else if (r < 0 && r != -ENOMEM)
		cli_fail(cli, "%s: %s", path, strerror(-r));
out:
	if (fd >= 0)
		close(fd);
	return r;
}

const char *cli_source_problem(const char *s, char *why, size_t len)
{
	char buf[64];
	unsigned char addr[16];
	if (!strcmp(s, "local"))
		return NULL;
	if (strlen(s) >= sizeof(buf))
		return "too long";
	snprintf(buf, sizeof(buf), "%s", s);
	char *slash = strchr(buf, '/');
	if (!slash)
		return "no prefix length (want CIDR like 192.0.2.0/24 or "
		       "'local')";
	*slash = '\0';
	bool v6 = strchr(buf, ':') != NULL;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, addr) != 1)
		return v6 ? "not an IPv6 address" : "not an IPv4 address";
	uint32_t bits;
	if (cli_parse_u32(slash + 1, &bits) < 0 || bits > (v6 ? 128u : 32u) ||
	    strlen(slash + 1) > 3)
		return v6 ? "prefix length must be 0 to 128"
			  : "prefix length must be 0 to 32";
	/* refuse host bits: 10.0.0.5/8 is a typo or a misunderstanding,
	 * and guessing which is not our job; name the network so the
	 * administrator can choose */
	size_t alen = v6 ? 16 : 4;
	bool host = false;
	for (size_t i = 0; i < alen; i++) {
		unsigned keep = bits >= (i + 1) * 8 ? 8
				: bits > i * 8	    ? bits - (unsigned)i * 8
						    : 0;
		unsigned char mask = (unsigned char)(0xff00u >> keep);
		if (addr[i] & (unsigned char)~mask)
			host = true;
		addr[i] &= mask;
	}
	if (!host)
		return NULL;
	char net[INET6_ADDRSTRLEN];
	if (!inet_ntop(v6 ? AF_INET6 : AF_INET, addr, net, sizeof(net)))
		return "host bits set";
	snprintf(why, len,
		 "host bits set: the network is %s/%u, or write "
		 "the host as %s/%u",
		 net, (unsigned)bits, buf, v6 ? 128u : 32u);
	return why;
}

bool cli_source_valid(const char *s)
{
	char why[160];
	return cli_source_problem(s, why, sizeof(why)) == NULL;
}

const char *cli_duration_text(unsigned secs, char *buf, size_t n)
{
	if (secs % 86400 == 0)
		snprintf(buf, n, "%ud", secs / 86400);
	else if (secs % 3600 == 0)
		snprintf(buf, n, "%uh", secs / 3600);
	else if (secs % 60 == 0)
		snprintf(buf, n, "%um", secs / 60);
	else
		snprintf(buf, n, "%us", secs);
	return buf;
}

/* The maximum lifetime for credentials of the verb's noun (0: none), and
 * the name of its setting. */
static unsigned cred_max_lifetime(const struct cli *cli,
				  const struct cli_args *args, const char **key)
{
	bool secret = !strcmp(args->noun->name, "secret");
	*key = secret ? "max_secret_lifetime" : "max_key_lifetime";
	return secret ? cli->cfg.max_secret_lifetime
		      : cli->cfg.max_key_lifetime;
}

/* The add verbs of secrets (max_secret_lifetime) and keys, assertion and
 * ssh keys alike (max_key_lifetime): with a maximum set, a credential
 * must expire, and within it. 0, or the exit code of the refusal,
 * reported. */
static int cred_lifetime_check(struct cli *cli, const struct cli_args *args,
			       int64_t exp)
{
	const char *key;
	unsigned max = cred_max_lifetime(cli, args, &key);
	int64_t now = (int64_t)time(NULL);
	char mt[32], until[32];

	if (!max)
		return 0;
	cli_duration_text(max, mt, sizeof(mt));
	if (!exp)
		return cli_fail(cli,
				"%s add: %s sets %s %s: give --expires, at "
				"most %s",
				args->noun->name, cli->conf_path, key, mt, mt);
	if (exp - now > (int64_t)max)
		return cli_fail(
		    cli,
		    "%s add: --expires '%s' is beyond %s %s (%s): "
		    "at most %s, until %s",
		    args->noun->name, args->expires, key, mt, cli->conf_path,
		    mt, cli_time(now + (int64_t)max, until, sizeof(until)));
	return 0;
}

int cli_rotated_lifetime(struct cli *cli, const struct cli_args *args,
			 int64_t new_exp, int64_t now)
{
	const char *key;
	unsigned max = cred_max_lifetime(cli, args, &key);
	char mt[32], life[32];

	if (!max || (new_exp && new_exp - now <= (int64_t)max))
		return 0;
	cli_duration_text(max, mt, sizeof(mt));
	if (!new_exp) {
		snprintf(life, sizeof(life), "never expires");
	} else {
		/* the old lifetime was counted from two clock readings: shown
		 * in the largest unit it reaches, rounded */
		static const struct {
			int64_t secs;
			char unit;
		} units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
		int64_t left = new_exp - now;
		size_t u = 0;
		while (u + 1 < SV_ARRAY_SIZE(units) && left < units[u].secs)
			u++;
		snprintf(
		    life, sizeof(life), "about %lld%c",
		    (long long)((left + units[u].secs / 2) / units[u].secs),
		    units[u].unit);
	}
	return cli_fail(cli,
			"%s rotate: the new %s would inherit the old one's "
			"lifetime (%s), beyond %s %s (%s): add a new one with "
			"--expires (at most %s) and revoke the old one instead",
			args->noun->name, args->noun->name, life, key, mt,
			cli->conf_path, mt);
}

int cli_cred_args(struct cli *cli, const struct cli_args *args, bool usage_ok,
		  int64_t *exp)
{
	*exp = 0;
	if (args->label && sv_field_check("label", args->label, 128, cli->err,
					  sizeof(cli->err)) < 0)
		return cli_fail(cli, "%s", cli->err);
	if (args->expires && strcmp(args->expires, "never")) {
		if (cli_parse_expiry(args->expires, exp) < 0 || *exp == 0)
			return cli_fail(cli,
					"bad --expires '%s' (e.g. 90d, 12h, "
					"YYYY-MM-DD)",
					args->expires);
		if (*exp <= (int64_t)time(NULL))
			return cli_fail(cli, "--expires '%s' is in the past",
					args->expires);
	}
	if (!usage_ok)
		return cli_usage_verb(cli, args);
	if (args->verb->name && !strcmp(args->verb->name, "add"))
		return cred_lifetime_check(cli, args, *exp);
	return 0;
}

/* The warning for a reserved group name taken with force, once the change
 * committed. */
static void cli_group_name_warn(struct cli *cli, const char *what,
				const char *name, uint32_t gid)
{
	fprintf(stderr,
		"%s: warning: %s '%s' took a reserved group name (--force): "
		"`addgroup --system %s` will now fail, and a package that "
		"runs `getent group %s || groupadd %s` will reuse GID %u and "
		"give its power to this group's members\n",
		cli->prog, what, name, name, name, name, gid);
}

void cli_report_created(struct cli *cli, const char *what, const char *name,
			uint32_t id)
{
	const char *id_name = strcmp(what, "account") ? "gid" : "uid";
	char event[32];
	bool forced = cli_group_name_allowed(cli, what, name, true) == 1;
	snprintf(event, sizeof(event), "%s-create", what);
	cli_audit(event, "%s=%s %s=%u%s", what, name, id_name, id,
		  forced ? " forced=reserved-name" : "");
	if (forced)
		cli_group_name_warn(cli, what, name, id);
	cli_nscd_invalidate();
	if (cli->json)
		cli_json_out(json_pack("{s:s, s:i}", "name", name, id_name,
				       (json_int_t)id));
	else
		printf("created %s %s (%s %u)\n", what, name, id_name, id);
}

struct sv_reader *cli_list_reader(struct cli *cli, const char *header, int *rc)
{
	uint64_t gen;
	*rc = EXIT_OK;
	if (sv_store_current_generation(&cli->cfg, &gen) == -ENOENT) {
		/* no store yet: nothing to list, which is not an error */
		if (cli->json)
			*rc = cli_json_out(json_array());
		else
			fputs(header, stdout);
		return NULL;
	}
	struct sv_reader *rd = cli_reader(cli, SV_DBMASK(SV_DB_ACCOUNTS));
	if (!rd)
		*rc = EXIT_FAIL;
	return rd;
}
