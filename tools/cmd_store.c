/* SPDX-License-Identifier: MIT */
/* svcacct check / rollback / generations: the store as a whole. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <ctype.h>
#include <inttypes.h>
#include <nss.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acct_jwks.h"
#include "cli.h"
#include "genword.h"
#include "issuer_model.h"
#include "names.h"
#include "util.h"

struct report {
	json_t *problems;
	unsigned accounts, roles, credentials;
	/* whether the users, groups and group memberships of the NSS sources
	 * other than svcacct can be looked up (see others_only) */
	bool others_pw, others_gr, others_members;
	/* service account name -> {GID as text: group name}: the groups of
	 * other sources that list it as a member */
	json_t *memberships;
};

static void problem(struct report *rep, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void problem(struct report *rep, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(rep->problems, json_string(buf));
}

static void check_mode(struct report *rep, const char *path, mode_t want,
		       gid_t want_gid, bool dir)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		problem(rep, "%s: %s", path, strerror(errno));
		return;
	}
	if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
		problem(rep, "%s: not a %s", path,
			dir ? "directory" : "regular file");
	if (st.st_uid != 0)
		problem(rep, "%s: owned by uid %u, want root", path,
			(unsigned)st.st_uid);
	if ((st.st_mode & 07777) != want)
		problem(rep, "%s: mode %04o, want %04o", path,
			(unsigned)(st.st_mode & 07777), (unsigned)want);
	if (want_gid != (gid_t)-1 && st.st_gid != want_gid)
		problem(rep, "%s: group %u, want %u", path, (unsigned)st.st_gid,
			(unsigned)want_gid);
}

static void check_files(struct cli *cli, struct report *rep, uint64_t gen)
{
	char path[512], err[512];
	struct group *gr = getgrnam(cli->cfg.keys_group);
	if (sv_path_is_safe(cli->cfg.db_dir, err, sizeof(err)) < 0)
		problem(rep, "db_dir: %s", err);
	if (sv_path_is_safe(cli->cfg.state_dir, err, sizeof(err)) < 0)
		problem(rep, "state_dir: %s", err);
	check_mode(rep, cli->cfg.state_dir, 0700, (gid_t)-1, true);
	snprintf(path, sizeof(path), "%s/gen-%010" PRIu64, cli->cfg.db_dir,
		 gen);
	check_mode(rep, path, 0755, (gid_t)-1, true);
	static const mode_t modes[SV_DB_COUNT] = {0644, 0600, 0640};
	for (int i = 0; i < SV_DB_COUNT; i++) {
		snprintf(path, sizeof(path), "%s/gen-%010" PRIu64 "/%s",
			 cli->cfg.db_dir, gen, sv_db_filename((enum sv_db)i));
		check_mode(rep, path, modes[i],
			   i == SV_DB_PUBKEYS	 ? (gr ? gr->gr_gid : 0)
			   : i == SV_DB_ACCOUNTS ? (gid_t)-1
						 : 0,
			   false);
	}
	/* the revocation list for sshd's AuthorizedKeysCommand: without
	 * it, no ssh key is served */
	snprintf(path, sizeof(path), "%s/%s", cli->cfg.db_dir,
		 SV_PUBLIC_REVOKED);
	if (access(path, F_OK) < 0)
		problem(rep,
			"%s: missing: authorized-keys serves no ssh key "
			"without it (the next change publishes it)",
			path);
	else
		check_mode(rep, path, 0640, gr ? gr->gr_gid : 0, false);
	static const char *const state_files[] = {"hostkey", "ids.db",
						  "revoked.db"};
	for (size_t i = 0; i < SV_ARRAY_SIZE(state_files); i++) {
		snprintf(path, sizeof(path), "%s/%s", cli->cfg.state_dir,
			 state_files[i]);
		if (access(path, F_OK) == 0)
			check_mode(rep, path, 0600, (gid_t)-1, false);
	}
}

/* The lookup indexes of generation gen against its GDBM files, and the
 * generation word against `current` (docs/FORMAT.md section 13). */
static void check_indexes(struct cli *cli, struct report *rep, uint64_t gen)
{
	char why[256];
	const uint64_t *word = NULL;

	for (int i = 0; i < SV_DB_COUNT; i++) {
		int r = sv_store_verify_index(&cli->cfg, gen, (enum sv_db)i,
					      why, sizeof(why));
		if (r == -ENOENT)
			problem(rep,
				"generation %" PRIu64 ": %s: missing (readers "
				"use the GDBM file, more slowly; svcacct check "
				"--repair-index builds it)",
				gen, sv_index_filename((enum sv_db)i));
		else if (r < 0)
			problem(rep,
				"generation %" PRIu64 ": %s: %s (readers "
				"refuse a damaged index; svcacct check "
				"--repair-index rebuilds it)",
				gen, sv_index_filename((enum sv_db)i), why);
	}
	int r = sv_genword_map(&cli->cfg, &word);
	if (r < 0)
		problem(rep,
			"%s/%s: %s (readers look at current on every lookup "
			"until a change writes it)",
			cli->cfg.db_dir, SV_GENWORD,
			r == -ENOENT	? "missing"
			: r == -EPERM	? "unsafe owner, mode or type"
			: r == -EBADMSG ? "too short"
					: strerror(-r));
	else if (sv_genword_load(word) != gen)
		problem(
		    rep,
		    "%s/%s names generation %" PRIu64 ", current is %" PRIu64
		    " (readers look at current on every lookup until a "
		    "change writes it; svcacct check --repair-index does)",
		    cli->cfg.db_dir, SV_GENWORD, sv_genword_load(word), gen);
	sv_genword_unmap(word);
}

/* A user or group name from another source, for a message: printable
 * ASCII only (a terminal escape in /etc/group or LDAP must not reach the
 * admin's terminal, and JSON wants valid UTF-8), at most 64 bytes. */
static const char *shown(const char *s, char buf[72])
{
	size_t i = 0;
	for (; s[i] && i < 64; i++)
		buf[i] = (s[i] > 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (s[i])
		buf[i++] = '+';
	buf[i] = '\0';
	return buf;
}

/* The service line of database db in nsswitch.conf as glibc reads it (the
 * last line naming db wins; its name ends at a blank or ':'), into line:
 * 1, or 0 if no line names it (glibc then uses its default, which never
 * names svcacct), or -E2BIG if the line does not fit. */
static int nsswitch_line(FILE *f, const char *db, char *line, size_t n)
{
	char *buf = NULL;
	size_t cap = 0;
	int found = 0;
	rewind(f);
	while (getline(&buf, &cap, f) > 0) {
		char *p = buf, *name;
		while (isspace((unsigned char)*p))
			p++;
		name = p;
		while (*p && !isspace((unsigned char)*p) && *p != ':')
			p++;
		if (!*p || p == name)
			continue;
		size_t len = (size_t)(p - name);
		while (*p && (isspace((unsigned char)*p) || *p == ':'))
			p++;
		if (len != strlen(db) || memcmp(name, db, len))
			continue;
		found = strlen(p) < n ? 1 : -E2BIG;
		if (found > 0)
			snprintf(line, n, "%s", p);
	}
	free(buf);
	return found;
}

/* A service line without the svcacct source and the "[STATUS=ACTION]"
 * that follows it (sources and actions split as glibc's parser does);
 * *had says whether svcacct was there, *kept how many sources remain. */
static void drop_svcacct(const char *in, char *out, size_t n, bool *had,
			 unsigned *kept)
{
	size_t o = 0;
	*had = false;
	*kept = 0;
	out[0] = '\0';
	for (const char *p = in;;) {
		while (isspace((unsigned char)*p))
			p++;
		const char *name = p;
		while (*p && !isspace((unsigned char)*p) && *p != '[')
			p++;
		if (p == name)
			break;
		size_t len = (size_t)(p - name);
		while (isspace((unsigned char)*p))
			p++;
		const char *act = p, *act_end = p;
		if (*p == '[') {
			const char *close = strchr(p, ']');
			act_end = p = close ? close + 1 : p + strlen(p);
		}
		if (len == strlen("svcacct") && !memcmp(name, "svcacct", len)) {
			*had = true;
			continue;
		}
		int w = snprintf(out + o, n - o, "%s%.*s%.*s", o ? " " : "",
				 (int)len, name, (int)(act_end - act), act);
		if (w < 0 || (size_t)w >= n - o) {
			out[o] = '\0';
			break;
		}
		o += (size_t)w;
		(*kept)++;
	}
}

/* Make this process's user and group lookups skip svcacct, so that what
 * getpwnam, getgrgid, getgrent or getgrouplist return comes from the other
 * NSS sources only (files, sss, ldap, systemd...), whatever their order.
 * Telling svcacct's own answers apart afterwards cannot work: a group in
 * /etc/group with a role's name and GID looks exactly like the role, and a
 * source that only answers lookups (sssd, LDAP without enumeration) never
 * shows up in getgrent. __nss_configure_lookup (glibc's nss.h) replaces
 * the sources of one database for this process, and with it glibc bypasses
 * nscd for that database; check changes nothing, so nothing else in the
 * process needs svcacct's answers. Sets rep->others_*: false where no
 * other source is configured (then there is nothing to look at), or where
 * the configuration could not be set (then a problem says what was not
 * checked). */
static void others_only(struct report *rep)
{
	static const struct {
		const char *db;
		size_t flag;
	} dbs[] = {
	    {"passwd", offsetof(struct report, others_pw)},
	    {"group", offsetof(struct report, others_gr)},
	    {"initgroups", offsetof(struct report, others_members)},
	};
	/* the line without svcacct can be longer by the blanks put between
	 * a source and an action glued to it ("files[...]") */
	char line[4096], rest[2 * 4096];
	FILE *f = fopen("/etc/nsswitch.conf", "re");
	rep->others_pw = rep->others_gr = rep->others_members = true;
	for (size_t i = 0; i < SV_ARRAY_SIZE(dbs); i++) {
		bool *on = (bool *)((char *)rep + dbs[i].flag), had;
		unsigned kept;
		int r = f ? nsswitch_line(f, dbs[i].db, line, sizeof(line)) : 0;
		if (r < 0) {
			*on = false;
			problem(rep,
				"nsswitch.conf: the %s line is longer than %zu "
				"bytes: clashes with other sources not checked",
				dbs[i].db, sizeof(line) - 1);
			continue;
		}
		if (r == 0) {
			/* no initgroups line: glibc takes the group sources */
			if (!strcmp(dbs[i].db, "initgroups"))
				*on = rep->others_gr;
			continue;
		}
		drop_svcacct(line, rest, sizeof(rest), &had, &kept);
		if (!had)
			continue;
		/* an empty service line would leave glibc with no source
		 * at all: there is simply nothing else to look at */
		if (kept == 0) {
			*on = false;
			continue;
		}
		if (__nss_configure_lookup(dbs[i].db, rest) != 0) {
			*on = false;
			problem(rep,
				"nsswitch.conf: cannot look up %s without "
				"svcacct ('%s' refused by glibc): clashes "
				"with other sources not checked",
				dbs[i].db, rest);
		}
	}
	if (f)
		fclose(f);
}

/* The groups of other sources that list the account as a member, by
 * initgroups (sources that only answer lookups included); its own GID,
 * which getgrouplist always returns first, is not one of them. */
static void note_memberships(struct report *rep, const char *name, uint32_t uid)
{
	int n = 64;
	gid_t *g = NULL;
	for (int tries = 0; tries < 8; tries++) {
		gid_t *ng = realloc(g, (size_t)n * sizeof(*g));
		if (!ng)
			break;
		g = ng;
		int want = n;
		if (getgrouplist(name, (gid_t)uid, g, &want) >= 0) {
			n = want;
			for (int i = 0; i < n; i++) {
				char k[16];
				if (g[i] == (gid_t)uid)
					continue;
				struct group *gr = getgrgid(g[i]);
				char gn[72];
				snprintf(k, sizeof(k), "%u", (unsigned)g[i]);
				json_t *m =
				    json_object_get(rep->memberships, name);
				if (!m) {
					m = json_object();
					json_object_set_new(rep->memberships,
							    name, m);
				}
				json_object_set_new(
				    m, k,
				    json_string(gr ? shown(gr->gr_name, gn)
						   : "?"));
			}
			free(g);
			return;
		}
		if (want <= n || want > 65536)
			break;
		n = want;
	}
	free(g);
	problem(rep,
		"account '%s': its groups in other NSS sources could not be "
		"read",
		name);
}

/* The groups of other sources that enumerate, for the members that are
 * service accounts (already found by note_memberships unless a source
 * enumerates but has no initgroups). */
static void scan_group_members(struct report *rep, struct sv_reader *rd)
{
	struct group *gr;
	setgrent();
	while ((gr = getgrent())) {
		for (char **m = gr->gr_mem; m && *m; m++) {
			struct sv_blob b = {0};
			struct sv_account a;
			char k[16];
			if (sv_get_account(rd, *m, &b, &a) < 0)
				continue;
			sv_blob_free(&b);
			json_t *o = json_object_get(rep->memberships, *m);
			if (!o) {
				o = json_object();
				json_object_set_new(rep->memberships, *m, o);
			}
			char gn[72];
			snprintf(k, sizeof(k), "%u", (unsigned)gr->gr_gid);
			json_object_set_new(
			    o, k, json_string(shown(gr->gr_name, gn)));
		}
	}
	endgrent();
}

static void report_memberships(struct report *rep)
{
	const char *acct, *gid;
	json_t *groups, *g;
	json_object_foreach (rep->memberships, acct, groups)
		json_object_foreach (groups, gid, g)
			problem(rep,
				"account '%s' is a member of group '%s' (GID "
				"%s) of another NSS source: svcacct neither "
				"manages nor shows it, yet every login of the "
				"account gets it; remove it (for /etc/group: "
				"gpasswd -d %s %s)",
				acct, json_string_value(g), gid, acct,
				json_string_value(g));
}

/* The words that tell the admin what a clash of a user or a group does
 * and how to end it. */
struct clash_words {
	bool group;
	const char *entry, *idn, *file; /* "user", "UID", "/etc/passwd" */
	const char *same_effect; /* an entry of that name and ID elsewhere */
	const char *id_effect;	 /* an entry of that ID and another name */
	const char *renumber;	 /* the command that gives it another ID */
};

static const struct clash_words user_words = {
    false,
    "user",
    "UID",
    "/etc/passwd",
    "its home, shell and password apply instead of svcacct's where it is "
    "asked first",
    "which owns the same files and processes",
    "usermod -u NEWUID",
};
/* for a role, an account's own group, the base role */
static const struct clash_words group_words = {
    true,
    "group",
    "GID",
    "/etc/group",
    "its members get the group's access without svcacct knowing",
    "whose members get the same access",
    "groupmod -g NEWGID",
};

/* A user or group that svcacct serves (what names it in messages) against
 * the users or groups of the other sources (others_only: every answer is
 * theirs): one of that name, one of that ID. */
static void clash(struct report *rep, const struct clash_words *w,
		  const char *what, const char *name, uint32_t id)
{
	char on[72], remove[96] = "vipw";
	const char *id_name = NULL;
	uint32_t name_id = 0;
	bool named;
	if (!(w->group ? rep->others_gr : rep->others_pw))
		return;
	if (w->group) {
		struct group *gr = getgrnam(name);
		if ((named = gr))
			name_id = gr->gr_gid;
		if ((gr = getgrgid(id)))
			id_name = gr->gr_name;
		snprintf(remove, sizeof(remove), "groupdel %s", name);
	} else {
		struct passwd *pw = getpwnam(name);
		if ((named = pw))
			name_id = pw->pw_uid;
		if ((pw = getpwuid(id)))
			id_name = pw->pw_name;
	}
	if (named && name_id == id)
		problem(rep,
			"%s: another NSS source also has %s '%s' with the "
			"same %s %u, and %s; remove that %s (for %s: %s)",
			what, w->entry, name, w->idn, id, w->same_effect,
			w->entry, w->file, remove);
	else if (named)
		problem(rep,
			"%s: another NSS source also has a %s '%s' (%s %u), "
			"so the name means two %ss; remove or rename that %s "
			"(for %s: %s)",
			what, w->entry, name, w->idn, name_id, w->entry,
			w->entry, w->file, remove);
	if (id_name && strcmp(id_name, name))
		problem(rep,
			"%s: %s %u is also %s '%s' of another NSS source, %s; "
			"give that %s another %s (for %s: %s %s)",
			what, w->idn, id, w->entry, shown(id_name, on),
			w->id_effect, w->entry, w->idn, w->file, w->renumber,
			shown(id_name, on));
}

/* What the checks of one record of the store need. */
struct check {
	struct cli *cli;
	struct report *rep;
	struct sv_reader *rd;
	enum sv_db db;
	struct sv_revocations *rv; /* credentials: NULL if unreadable */
};

/* The checks of one record that decodes (rec: a struct sv_account,
 * sv_role or sv_cred), name (or id) from its key. */
typedef void check_fn(const struct check *k, const char *name, const void *rec);

/* Each record of a kind in k->db, counted in *count; one that does not
 * fetch or decode is a problem, the others go to fn. */
static void check_each(const struct check *k, enum sv_rec_kind kind,
		       unsigned *count, check_fn *fn)
{
	struct sv_blob key = {0};
	struct sv_str nm;
	union {
		struct sv_account a;
		struct sv_role r;
		struct sv_cred c;
	} rec;
	int e;
	while ((e = sv_model_reader_next(k->rd, k->db, kind, &key, &nm)) == 0) {
		struct sv_blob v = {0};
		char name[80];
		snprintf(name, sizeof(name), "%.*s", (int)nm.n, nm.p);
		(*count)++;
		if (sv_reader_fetch(k->rd, k->db, key.p, key.n, &v) < 0 ||
		    (kind == SV_REC_ACCOUNT
			 ? sv_decode_account(v.p, v.n, &rec.a)
		     : kind == SV_REC_ROLE
			 ? sv_decode_role(v.p, v.n, &rec.r)
			 : sv_decode_cred(v.p, v.n, &rec.c)) < 0) {
			if (kind == SV_REC_CRED)
				problem(k->rep,
					"credential %s: record does not decode",
					name);
			else
				problem(
				    k->rep, "%s '%s': record does not decode",
				    kind == SV_REC_ROLE ? "role" : "account",
				    name);
		} else {
			fn(k, name, &rec);
		}
		sv_blob_free(&v);
	}
	sv_blob_free(&key);
	/* a database the reader did not open (not root): no credentials */
	if (e != -ENOENT && !(e == -EBADF && kind == SV_REC_CRED))
		problem(k->rep, "%s: iteration failed: %s",
			sv_db_filename(k->db), strerror(-e));
}

/* An account's UID or a role's GID as the readers take it: served under
 * the configuration, and its index entry pointing back to the name. */
static void check_id(const struct check *k, bool role, const char *name,
		     uint32_t id)
{
	const char *ck = NULL, *idn = role ? "GID" : "UID";
	char why[256];
	struct sv_blob ib = {0};
	if ((role ? sv_config_role_gid_served(&k->cli->cfg, id, &ck, why,
					      sizeof(why))
		  : sv_config_uid_served(&k->cli->cfg, id, &ck, why,
					 sizeof(why))) < 0)
		problem(k->rep,
			"%s '%s' (%s %u): hidden by the configuration %s: "
			"nss_svcacct and pam_svcacct do not serve it (getent "
			"%s %s prints nothing%s): %s",
			role ? "role" : "account", name, idn, id,
			k->cli->conf_path, role ? "group" : "passwd", name,
			role ? ", its members lose the group" : "", why);
	if (sv_model_reader_id_index(k->rd, role, id, &ib) < 0 ||
	    ib.n != strlen(name) || memcmp(ib.p, name, ib.n))
		problem(k->rep,
			"%s '%s': %s %u index does not point back to it "
			"(duplicate %s?)",
			role ? "role" : "account", name, idn, id, idn);
	sv_blob_free(&ib);
}

static void check_account(const struct check *k, const char *name,
			  const void *rec)
{
	const struct sv_account *a = rec;
	struct report *rep = k->rep;
	char err[256];
	if (!sv_str_eq(a->name, name))
		problem(rep, "account '%s': record names '%.*s'", name,
			(int)a->name.n, a->name.p);
	if (sv_name_check(name, err, sizeof(err)) < 0)
		problem(rep, "account '%s': %s", name, err);
	check_id(k, false, name, a->uid);
	/* with svcacct left out (others_only), every answer is
	 * another source's */
	char what[96];
	snprintf(what, sizeof(what), "account '%s'", name);
	clash(rep, &user_words, what, name, a->uid);
	snprintf(what, sizeof(what), "account '%s' (its own group)", name);
	clash(rep, &group_words, what, name, a->uid);
	if (rep->others_members)
		note_memberships(rep, name, a->uid);
	for (uint32_t i = 0; i < a->roles.count; i++) {
		struct sv_blob rb = {0};
		struct sv_role r;
		uint32_t g = sv_u32list_get(&a->roles, i);
		if (sv_get_role_by_gid(k->rd, g, &rb, &r) < 0) {
			problem(rep,
				"account '%s': granted role GID "
				"%u does not exist",
				name, g);
			continue;
		}
		if (!sv_list_contains(&r.members, SV_STR(name)))
			problem(rep,
				"role '%.*s': member list lacks "
				"'%s'",
				(int)r.name.n, r.name.p, name);
		sv_blob_free(&rb);
	}
}

static void check_role(const struct check *k, const char *name, const void *rec)
{
	const struct sv_role *r = rec;
	char what[96];
	check_id(k, true, name, r->gid);
	snprintf(what, sizeof(what), "role '%s'", name);
	clash(k->rep, &group_words, what, name, r->gid);
	size_t off = 0;
	uint32_t idx = 0;
	struct sv_str m;
	while (sv_list_next(&r->members, &off, &idx, &m)) {
		char mn[80];
		struct sv_blob ab = {0};
		struct sv_account a;
		bool ok = false;
		snprintf(mn, sizeof(mn), "%.*s", (int)m.n, m.p);
		if (sv_get_account(k->rd, mn, &ab, &a) == 0) {
			for (uint32_t i = 0; i < a.roles.count; i++)
				ok |= sv_u32list_get(&a.roles, i) == r->gid;
			sv_blob_free(&ab);
		}
		if (!ok)
			problem(k->rep,
				"role '%s': member '%s' is not an "
				"account holding it",
				name, mn);
	}
}

static const char *cred_kind(const struct sv_cred *c)
{
	return c->type == SV_CRED_SECRET   ? "secret"
	       : c->type == SV_CRED_SSHKEY ? "ssh key"
					   : "key";
}

static const char *lifetime_key(const struct sv_cred *c)
{
	return c->type == SV_CRED_SECRET ? "max_secret_lifetime"
					 : "max_key_lifetime";
}

/* A credential that outlives svcacct.conf's maximum for its kind
 * (max_secret_lifetime for secrets, max_key_lifetime for keys and ssh
 * keys): it never expires, or expires later than created + maximum. */
static void check_lifetime(const struct check *k, const char *id,
			   const char *acct, const struct sv_cred *c)
{
	unsigned max = c->type == SV_CRED_SECRET
			   ? k->cli->cfg.max_secret_lifetime
			   : k->cli->cfg.max_key_lifetime;
	char b1[32], b2[32], mt[32];

	if (!max || (c->expires && c->expires - c->created <= (int64_t)max))
		return;
	cli_duration_text(max, mt, sizeof(mt));
	if (!c->expires)
		problem(k->rep,
			"credential %s of '%s' (%s): never expires, but %s is "
			"%s: replace it with one that expires",
			id, acct, cred_kind(c), lifetime_key(c), mt);
	else
		problem(k->rep,
			"credential %s of '%s' (%s): expires %s, more than "
			"%s %s after its creation (%s): replace it with one "
			"that expires sooner",
			id, acct, cred_kind(c),
			cli_time(c->expires, b1, sizeof(b1)), lifetime_key(c),
			mt, cli_time(c->created, b2, sizeof(b2)));
}

static void check_cred(const struct check *k, const char *id, const void *rec)
{
	const struct sv_cred *c = rec;
	struct report *rep = k->rep;
	struct sv_blob ab = {0};
	struct sv_account a;
	char acct[80];
	snprintf(acct, sizeof(acct), "%.*s", (int)c->account.n, c->account.p);
	if (sv_get_account(k->rd, acct, &ab, &a) < 0)
		problem(rep, "credential %s: account '%s' does not exist", id,
			acct);
	else if (!sv_cred_bound_to(c, &a))
		problem(rep,
			"credential %s: issued to an earlier account "
			"named '%s' (%s), not to this one: no login "
			"takes it; remove it (svcacct %s)",
			id, acct,
			c->version >= 2 ? "another UID"
					: "older than the account",
			k->db == SV_DB_PUBKEYS ? "sshkey remove"
			: c->type == SV_CRED_KEY || c->type == SV_CRED_JWKS
			    ? "key remove"
			    : "secret revoke");
	sv_blob_free(&ab);
	bool revoked = true;
	if (k->rv && sv_revocations_has(k->rv, id, &revoked) == 0 && revoked)
		problem(rep,
			"credential %s of '%s': revoked, yet in the "
			"current generation (readers refuse it; the "
			"next change leaves it out)",
			id, acct);
	if (k->rv && !revoked && c->type == SV_CRED_JWKS) {
		/* logins read only the cached set: without one they fail */
		char *url = sv_str_dup(c->url);
		json_t *ci = url ? acct_jwks_cache_info(sv_reader_config(k->rd),
							acct, id, url)
				 : NULL;
		const char *st =
		    json_string_value(json_object_get(ci, "status"));
		if (!st || strcmp(st, "ok"))
			problem(rep,
				"credential %s of '%s': its JWKS URL has no "
				"usable cached set (%s): its logins fail until "
				"svcacct key refresh %s succeeds",
				id, acct, st ? st : "out of memory", acct);
		json_decref(ci);
		free(url);
	}
	struct sv_blob lb = {0};
	struct sv_list ids;
	if (sv_get_cred_ids(k->rd, k->db, acct, &lb, &ids) < 0 ||
	    !sv_list_contains(&ids, SV_STR(id)))
		problem(rep,
			"credential %s: missing from the list of "
			"'%s'",
			id, acct);
	sv_blob_free(&lb);
	check_lifetime(k, id, acct, c);
}

static void check_accounts(struct cli *cli, struct report *rep,
			   struct sv_reader *rd)
{
	struct check k = {
	    .cli = cli, .rep = rep, .rd = rd, .db = SV_DB_ACCOUNTS};
	check_each(&k, SV_REC_ACCOUNT, &rep->accounts, check_account);
}

static void check_roles(struct cli *cli, struct report *rep,
			struct sv_reader *rd)
{
	struct check k = {
	    .cli = cli, .rep = rep, .rd = rd, .db = SV_DB_ACCOUNTS};
	check_each(&k, SV_REC_ROLE, &rep->roles, check_role);
	clash(rep, &group_words, "base role '" SV_BASE_ROLE "' (base_gid)",
	      SV_BASE_ROLE, cli->cfg.base_gid);
	/* logins take a damaged base role record for one that allows
	 * nothing: only check says so */
	struct sv_blob b = {0};
	struct sv_role r;
	int e = sv_get_base_role(rd, &b, &r);
	if (e == 0)
		sv_blob_free(&b);
	else if (e != -ENOENT)
		problem(rep,
			"base role '" SV_BASE_ROLE "': %s (logins take it "
			"for one that allows nothing)",
			e == -EBADMSG || e == -EPROTO ? "bad record"
						      : strerror(-e));
}

static void check_creds(struct cli *cli, struct report *rep,
			struct sv_reader *rd, enum sv_db db,
			struct sv_revocations *rv)
{
	struct check k = {.cli = cli, .rep = rep, .rd = rd, .db = db, .rv = rv};
	check_each(&k, SV_REC_CRED, &rep->credentials, check_cred);
}

/* Whether db_dir holds any generation (a store whose `current` was lost
 * is not a fresh one). */
static bool store_dir_has_generations(const struct sv_config *c)
{
	uint64_t *gens = NULL;
	size_t n = 0;
	int r = sv_store_generations(c, &gens, &n);
	free(gens);
	return r == 0 ? n > 0 : r != -ENOENT;
}

int cmd_check(struct cli *cli, const struct cli_args *args)
{
	if (args->npos)
		return cli_usage_verb(cli, args);
	struct report rep = {.problems = json_array(),
			     .memberships = json_object()};
	others_only(&rep);
	uint64_t gen = 0;
	int e;
	if (args->repair_index) {
		char err[512] = "";
		if (cli_need_root(cli) < 0)
			goto out;
		e = sv_store_repair_index(&cli->cfg, &gen, err, sizeof(err));
		if (e == -ENOENT && !store_dir_has_generations(&cli->cfg)) {
			/* nothing to index: the check says "no store yet" */
		} else if (e < 0) {
			cli_fail(cli, "%s", err);
			goto out;
		} else {
			cli_audit("check",
				  "repair_index=yes new_generation=%" PRIu64,
				  gen);
			cli_nscd_invalidate();
			if (!cli->json)
				printf("rebuilt the lookup indexes: generation "
				       "%" PRIu64 "\n",
				       gen);
		}
	}
	e = sv_store_current_generation(&cli->cfg, &gen);
	bool none = e == -ENOENT && !store_dir_has_generations(&cli->cfg);
	if (none) {
		/* a fresh install: nothing to check yet, and nothing wrong
		 * (monitoring must not trip before the first account) */
	} else if (e < 0) {
		problem(&rep, "%s/current: %s", cli->cfg.db_dir,
			e == -ENOENT ? "missing, but generations exist"
				     : strerror(-e));
	} else {
		if (geteuid() == 0) {
			check_files(cli, &rep, gen);
			check_indexes(cli, &rep, gen);
		}
		unsigned mask = SV_DBMASK(SV_DB_ACCOUNTS);
		if (geteuid() == 0)
			mask = SV_DBMASK_ALL;
		struct sv_reader *rd = NULL;
		e = sv_reader_open(&cli->cfg, mask, &rd);
		if (e < 0) {
			problem(&rep, "opening generation %" PRIu64 ": %s", gen,
				e == -EPERM	? "unsafe owner or mode"
				: e == -EBADMSG ? "corrupt database"
						: strerror(-e));
		} else {
			check_accounts(cli, &rep, rd);
			check_roles(cli, &rep, rd);
			if (rep.others_gr)
				scan_group_members(&rep, rd);
			report_memberships(&rep);
			/* trusted issuers: records, index, maps */
			json_t *ip = issuers_problems(rd);
			json_array_extend(rep.problems, ip);
			json_decref(ip);
			if (geteuid() == 0) {
				struct sv_revocations *rv = NULL;
				int sfd = sv_state_open_dir(&cli->cfg);
				int r =
				    sfd < 0
					? sfd
					: sv_revocations_open_state(sfd, &rv);
				if (sfd >= 0)
					close(sfd);
				if (r < 0)
					problem(&rep,
						"%s/revoked.db: %s (every "
						"login refuses every "
						"credential without it)",
						cli->cfg.state_dir,
						strerror(-r));
				check_creds(cli, &rep, rd, SV_DB_CREDENTIALS,
					    rv);
				check_creds(cli, &rep, rd, SV_DB_PUBKEYS, rv);
				sv_revocations_close(rv);
			}
			sv_reader_close(rd);
		}
	}
	size_t n = json_array_size(rep.problems);
	if (cli->json) {
		json_t *j = json_pack("{s:I, s:i, s:i, s:i, s:o, s:b}",
				      "generation", (json_int_t)gen, "accounts",
				      rep.accounts, "roles", rep.roles,
				      "credentials", rep.credentials,
				      "problems", rep.problems, "ok", n == 0);
		cli_json_out(j);
	} else {
		size_t i;
		json_t *p;
		json_array_foreach (rep.problems, i, p)
			printf("problem: %s\n", json_string_value(p));
		if (none)
			printf("%s: no store yet (%s), 0 accounts, 0 roles, "
			       "%zu problem(s)\n",
			       n ? "FAILED" : "ok", cli->cfg.db_dir, n);
		else
			printf("%s: generation %" PRIu64
			       ", %u accounts, %u roles, %u "
			       "credentials%s, %zu problem(s)\n",
			       n ? "FAILED" : "ok", gen, rep.accounts,
			       rep.roles, rep.credentials,
			       geteuid() ? " (not checked: needs root)" : "",
			       n);
		json_decref(rep.problems);
	}
	json_decref(rep.memberships);
	return n ? EXIT_FAIL : EXIT_OK;
out:
	json_decref(rep.problems);
	json_decref(rep.memberships);
	return EXIT_FAIL;
}

int cmd_rollback(struct cli *cli, const struct cli_args *args)
{
	uint64_t gen = 0, newgen = 0;
	char err[512] = "";
	if (args->npos > 1)
		return cli_usage_verb(cli, args);
	if (args->npos == 1) {
		char *end;
		errno = 0;
		gen = strtoull(args->pos[0], &end, 10);
		if (errno || *end || gen == 0 || args->pos[0][0] == '-')
			return cli_usage_verb(cli, args);
	}
	if (cli_need_root(cli) < 0)
		return EXIT_FAIL;
	if (sv_store_rollback(&cli->cfg, gen, &newgen, err, sizeof(err)) < 0)
		return cli_fail(cli, "%s", err);
	/* the generation published may hold records made under other
	 * ranges: the next change checks the configuration against it */
	{
		char path[sizeof(cli->cfg.state_dir) + 32];
		snprintf(path, sizeof(path), "%s/ranges-verified",
			 cli->cfg.state_dir);
		(void)unlink(path);
	}
	cli_audit("rollback", "generation=%s new_generation=%" PRIu64,
		  args->npos == 1 ? args->pos[0] : "previous", newgen);
	cli_nscd_invalidate();
	cli_report(cli, json_pack("{s:I}", "generation", (json_int_t)newgen),
		   "published the content of %s%s as generation %" PRIu64
		   " (revoked credentials left out)",
		   args->npos == 1 ? "generation " : "the previous generation",
		   args->npos == 1 ? args->pos[0] : "", newgen);
	return EXIT_OK;
}

int cmd_generations(struct cli *cli, const struct cli_args *args)
{
	uint64_t *gens = NULL, cur = 0;
	size_t n = 0;
	if (args->npos)
		return cli_usage_verb(cli, args);
	int e = sv_store_generations(&cli->cfg, &gens, &n);
	if (e == 0)
		e = sv_store_current_generation(&cli->cfg, &cur);
	if (e < 0) {
		free(gens);
		return cli_fail(cli, "%s: %s", cli->cfg.db_dir,
				e == -ENOENT ? "no store yet" : strerror(-e));
	}
	/* the array only for --json */
	json_t *arr = cli->json ? json_array() : NULL;
	for (size_t i = 0; i < n; i++) {
		if (cli->json)
			json_array_append_new(
			    arr, json_pack("{s:I, s:b}", "generation",
					   (json_int_t)gens[i], "current",
					   gens[i] == cur));
		else
			printf("%" PRIu64 "%s\n", gens[i],
			       gens[i] == cur ? " (current)" : "");
	}
	free(gens);
	return cli->json ? cli_json_out(arr) : EXIT_OK;
}

/* svcacct __complete accounts|roles: one name a line, for the completion
 * scripts. Reads accounts.db as the NSS module does (no lock); prints
 * nothing at all when it cannot. */
int cmd_complete_names(struct cli *cli, const struct cli_args *args)
{
	struct sv_reader *rd = NULL;
	struct sv_blob key = {0};
	struct sv_str nm;
	enum sv_rec_kind kind;
	int e;

	(void)cli;
	if (args->npos != 1)
		return EXIT_USAGE;
	if (!strcmp(args->pos[0], "accounts"))
		kind = SV_REC_ACCOUNT;
	else if (!strcmp(args->pos[0], "roles"))
		kind = SV_REC_ROLE;
	else
		return EXIT_USAGE;
	if (sv_reader_open(&cli->cfg, SV_DBMASK(SV_DB_ACCOUNTS), &rd) < 0)
		return EXIT_FAIL;
	while ((e = sv_model_reader_next(rd, SV_DB_ACCOUNTS, kind, &key,
					 &nm)) == 0) {
		char name[SV_NAME_MAX + 1];
		/* a name the store would never hold is not offered to a
		 * shell */
		if (nm.n < 1 || nm.n > SV_NAME_MAX)
			continue;
		memcpy(name, nm.p, nm.n);
		name[nm.n] = '\0';
		if (sv_name_form_ok(name))
			printf("%s\n", name);
	}
	sv_blob_free(&key);
	sv_reader_close(rd);
	return e == -ENOENT ? EXIT_OK : EXIT_FAIL;
}
