/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "names.h"
#include "readfile.h"
#include "util.h"

#ifndef SVCACCT_CONF_PATH
#define SVCACCT_CONF_PATH "/etc/svcacct/svcacct.conf"
#endif
#ifndef SVCACCT_DB_DIR
#define SVCACCT_DB_DIR "/var/lib/svcacct/db"
#endif
#ifndef SVCACCT_STATE_DIR
#define SVCACCT_STATE_DIR "/var/lib/svcacct/state"
#endif
#ifndef SVCACCT_SBINDIR
#define SVCACCT_SBINDIR "/usr/sbin"
#endif

/* A config file larger than this is not a config file. */
#define SV_CONF_MAX_SIZE (256 * 1024)

const char *sv_config_default_path(void)
{
	return SVCACCT_CONF_PATH;
}

#define UI_SERVICES                                                            \
	"login", "gdm", "gdm-password", "gdm-autologin", "gdm-fingerprint",    \
	    "gdm-smartcard", "lightdm", "lightdm-autologin", "sddm",           \
	    "sddm-autologin", "xdm", "kdm", "lxdm", "slim", "xscreensaver",    \
	    "kde", "mate-screensaver", "cinnamon-screensaver", "polkit-1",     \
	    "systemd-user", "gnome-screensaver"

/* A constant, copied: the PAM module loads the configuration at every login,
 * and formatting two dozen strings each time showed in its profile. */
static const struct sv_config defaults = {
    .db_dir = SVCACCT_DB_DIR,
    .state_dir = SVCACCT_STATE_DIR,
    .home_base = "/var/lib/svcacct/home",
    /* default_shell stays "" until sv_config_fill_shell: the PAM module
     * never needs it */
    .keys_group = "_svcacct-keys",
    .uid_min = 70000,
    .uid_max = 79999,
    .gid_min = 80001,
    .gid_max = 89999,
    .base_gid = 80000,
    .keep_generations = 10,
    .lock_timeout = 10,
    .enumerate = true,
    .group_members_max = SV_CONF_GROUP_MEMBERS_DEFAULT,
    .max_assertion_lifetime = 300,
    .clock_skew = 60,
    .fail_delay_ms = 2000,
    .max_credential_length = 16384,
    .max_parts = 32,
    .replay_quota = 10000,
    .n_audiences = 0,
    .n_ui_services = sizeof((const char *[]){UI_SERVICES}) / sizeof(char *),
    .ui_services = {UI_SERVICES},
    .n_ssh_services = 1,
    .ssh_services = {"sshd"},
};

void sv_config_defaults(struct sv_config *c)
{
	*c = defaults;
}

static int fail(char *err, size_t errlen, const char *name, unsigned line,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int fail(char *err, size_t errlen, const char *name, unsigned line,
		const char *fmt, ...)
{
	char msg[SV_CONF_ERRLEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (err && errlen && line)
		snprintf(err, errlen, "%s:%u: %s", name, line, msg);
	else if (err && errlen) /* a rule across lines */
		snprintf(err, errlen, "%s: %s", name, msg);
	return -EINVAL;
}

/* V_LIMIT: a number like V_UINT, or "unlimited", stored as 0 (which the
 * key's range must then include: both mean the same) */
enum vtype { V_PATH, V_UINT, V_LIMIT, V_BOOL, V_NAME, V_LIST, V_DURATION };

/* One key of a configuration file: where its value goes in the struct
 * that the table describes (struct sv_config or struct sv_client_config)
 * and how it is checked. */
struct key {
	const char *name;
	enum vtype type;
	size_t off;  /* offset in the struct */
	size_t size; /* strings: buffer size; lists: size of one entry */
	unsigned long min, max; /* numbers: range; lists: max = entries */
	size_t count_off;	/* lists: offset of the entry count */
	/* lists: a rule for each entry besides its size and plain_token;
	 * NULL if it passes, or what is wrong with it */
	const char *(*entry_rule)(const char *entry);
};

static const char *reserved_entry_rule(const char *entry);

#define OFF(s, f) offsetof(struct s, f)
#define SZ(s, f)  sizeof(((struct s *)0)->f)
/* a string, number or yes/no in field f of struct s */
#define FIELD(s, k, t, f, lo, hi)                                              \
	{                                                                      \
		.name = k, .type = t, .off = OFF(s, f), .size = SZ(s, f),      \
		.min = lo, .max = hi                                           \
	}
/* a list in the array f of struct s, its length in n, each entry also
 * passing rule */
#define FIELD_LIST(s, k, f, n, rule)                                           \
	{                                                                      \
		.name = k, .type = V_LIST, .off = OFF(s, f),                   \
		.size = SZ(s, f[0]), .max = SV_ARRAY_SIZE(((struct s *)0)->f), \
		.count_off = OFF(s, n), .entry_rule = rule                     \
	}
#define KEY(k, t, f, lo, hi) FIELD(sv_config, k, t, f, lo, hi)
#define LIST(k, f, n, rule)  FIELD_LIST(sv_config, k, f, n, rule)
static const struct key keys[] = {
    KEY("db_dir", V_PATH, db_dir, 0, 0),
    KEY("state_dir", V_PATH, state_dir, 0, 0),
    KEY("home_base", V_PATH, home_base, 0, 0),
    KEY("default_shell", V_PATH, default_shell, 0, 0),
    KEY("keys_group", V_NAME, keys_group, 0, 0),
    KEY("uid_min", V_UINT, uid_min, 1000, 4294967294UL),
    KEY("uid_max", V_UINT, uid_max, 1000, 4294967294UL),
    KEY("gid_min", V_UINT, gid_min, 1000, 4294967294UL),
    KEY("gid_max", V_UINT, gid_max, 1000, 4294967294UL),
    KEY("base_gid", V_UINT, base_gid, 1000, 4294967294UL),
    KEY("keep_generations", V_UINT, keep_generations, 2, 1000),
    KEY("lock_timeout", V_UINT, lock_timeout, 0, 3600),
    KEY("enumerate", V_BOOL, enumerate, 0, 0),
    KEY("group_members_max", V_LIMIT, group_members_max, 0,
	SV_CONF_GROUP_MEMBERS_MAX),
    KEY("max_assertion_lifetime", V_UINT, max_assertion_lifetime, 1, 86400),
    KEY("max_secret_lifetime", V_DURATION, max_secret_lifetime, 60,
	SV_CONF_DURATION_MAX),
    KEY("max_key_lifetime", V_DURATION, max_key_lifetime, 60,
	SV_CONF_DURATION_MAX),
    KEY("clock_skew", V_UINT, clock_skew, 0, 600),
    KEY("fail_delay_ms", V_UINT, fail_delay_ms, 0, 60000),
    KEY("max_credential_length", V_UINT, max_credential_length, 512, 65536),
    KEY("max_parts", V_UINT, max_parts, 1, 256),
    KEY("replay_quota", V_UINT, replay_quota, 1, 10000000),
    LIST("audiences", audiences, n_audiences, NULL),
    LIST("ui_services", ui_services, n_ui_services, NULL),
    LIST("ssh_services", ssh_services, n_ssh_services, NULL),
    KEY("manifest_verify_key", V_PATH, manifest_verify_key, 0, 0),
    LIST("reserved_group_names", reserved_group_names, n_reserved_group_names,
	 reserved_entry_rule),
};

/* Whether a value is printable ASCII without spaces: paths and names with
 * anything else are almost certainly mistakes, and may be attacks. */
static bool plain_token(const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return false;
	return true;
}

/* A reserved_group_names entry: a name svcacct could give a role or an
 * account, or '!' and a built-in name to exempt. Anything else can never
 * match and is a mistake. */
static const char *reserved_entry_rule(const char *entry)
{
	bool exempt = entry[0] == '!';
	if (!sv_name_form_ok(entry + exempt))
		return "not a name a role or account could have "
		       "(lower-case letters, digits, '_' and '-')";
	if (exempt && !sv_group_name_builtin(entry + 1))
		return "exempts a name that is not on the built-in list";
	return NULL;
}

/* A scope entry of the client configuration: a role name, or the base
 * role's. */
static const char *role_entry_rule(const char *entry)
{
	char why[128];
	if (!strcmp(entry, SV_BASE_ROLE) ||
	    sv_name_check(entry, why, sizeof(why)) == 0)
		return NULL;
	return "not a role name (lower-case letters, digits, '_' and '-', "
	       "not reserved)";
}

#define CKEY(k, t, f, lo, hi) FIELD(sv_client_config, k, t, f, lo, hi)
static const struct key client_keys[] = {
    CKEY("key", V_PATH, key, 0, 0),
    CKEY("account", V_NAME, account, 0, 0),
    CKEY("audience", V_NAME, audience, 0, 0),
    CKEY("kid", V_NAME, kid, 0, 0),
    FIELD_LIST(sv_client_config, "scope", scope, n_scope, role_entry_rule),
    CKEY("token_file", V_PATH, token_file, 0, 0),
    CKEY("lifetime", V_UINT, lifetime, 1, SV_CLIENT_LIFETIME_MAX),
};

static int set_list(void *c, const struct key *k, char *v, const char *name,
		    unsigned line, char *err, size_t errlen)
{
	size_t *count = (size_t *)(void *)((char *)c + k->count_off);
	char *save = NULL;
	size_t n = 0;

	for (char *tok = strtok_r(v, " \t,", &save); tok;
	     tok = strtok_r(NULL, " \t,", &save)) {
		const char *why;
		if (n >= k->max)
			return fail(err, errlen, name, line,
				    "%s: more than %lu entries", k->name,
				    k->max);
		if (strlen(tok) >= k->size || !plain_token(tok))
			return fail(err, errlen, name, line,
				    "%s: bad entry '%.64s'", k->name, tok);
		if (k->entry_rule && (why = k->entry_rule(tok)))
			return fail(err, errlen, name, line,
				    "%s: bad entry '%.64s': %s", k->name, tok,
				    why);
		memcpy((char *)c + k->off + n * k->size, tok, strlen(tok) + 1);
		n++;
	}
	*count = n;
	return 0;
}

/* A duration: seconds, or a number with the unit s, m, h, d or w, within
 * the key's range; or "unlimited", stored as 0. */
static int set_duration(char *dst, const struct key *k, const char *v,
			const char *name, unsigned line, char *err,
			size_t errlen)
{
	static const struct {
		char unit;
		unsigned long long secs;
	} units[] = {
	    {'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800}};
	unsigned long long n, mult = 0;
	char *end = NULL;
	uint32_t u = 0;

	if (!strcmp(v, "unlimited"))
		goto store;
	if (!isdigit((unsigned char)v[0]))
		goto bad;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || (end[0] && end[1]))
		goto bad;
	for (size_t i = 0; i < SV_ARRAY_SIZE(units); i++)
		if (end[0] == units[i].unit || (!end[0] && i == 0))
			mult = units[i].secs;
	if (!mult)
		goto bad;
	if (n > k->max / mult || n * mult < k->min)
		return fail(err, errlen, name, line,
			    "%s: '%.64s' out of range %lus..%lud (or "
			    "unlimited)",
			    k->name, v, k->min, k->max / 86400);
	u = (uint32_t)(n * mult);
store:
	memcpy(dst, &u, sizeof(u));
	return 0;
bad:
	return fail(err, errlen, name, line,
		    "%s: '%.64s' is not a duration (seconds, or a number "
		    "with s, m, h, d or w, or unlimited)",
		    k->name, v);
}

static int set_value(void *c, const struct key *k, char *v, const char *name,
		     unsigned line, char *err, size_t errlen)
{
	char *dst = (char *)c + k->off;

	switch (k->type) {
	case V_PATH:
		if (v[0] != '/' || !plain_token(v) || strstr(v, "/../") ||
		    strstr(v, "//") ||
		    (strlen(v) >= 3 && strcmp(v + strlen(v) - 3, "/..") == 0))
			return fail(err, errlen, name, line,
				    "%s: '%.128s' is not a plain absolute path",
				    k->name, v);
		if (strlen(v) >= k->size)
			return fail(err, errlen, name, line,
				    "%s: path longer than %zu bytes", k->name,
				    k->size - 1);
		memcpy(dst, v, strlen(v) + 1);
		return 0;
	case V_NAME:
		if (!plain_token(v) || strlen(v) >= k->size || !*v)
			return fail(err, errlen, name, line,
				    "%s: bad name '%.64s'", k->name, v);
		memcpy(dst, v, strlen(v) + 1);
		return 0;
	case V_UINT:
	case V_LIMIT: {
		const char *alt = k->type == V_LIMIT ? " (or unlimited)" : "";
		char *end = NULL;
		uint32_t u = 0;
		if (k->type == V_LIMIT && !strcmp(v, "unlimited")) {
			memcpy(dst, &u, sizeof(u));
			return 0;
		}
		if (!isdigit((unsigned char)v[0]))
			return fail(err, errlen, name, line,
				    "%s: '%.64s' is not a number%s", k->name, v,
				    alt);
		errno = 0;
		unsigned long long n = strtoull(v, &end, 10);
		if (errno || *end)
			return fail(err, errlen, name, line,
				    "%s: '%.64s' is not a number%s", k->name, v,
				    alt);
		if (n < k->min || n > k->max)
			return fail(err, errlen, name, line,
				    "%s: %llu out of range %lu..%lu%s", k->name,
				    n, k->min, k->max, alt);
		u = (uint32_t)n;
		memcpy(dst, &u, sizeof(u));
		return 0;
	}
	case V_DURATION:
		return set_duration(dst, k, v, name, line, err, errlen);
	case V_BOOL:
		if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
			*(bool *)dst = true;
		else if (!strcmp(v, "no") || !strcmp(v, "false") ||
			 !strcmp(v, "0"))
			*(bool *)dst = false;
		else
			return fail(err, errlen, name, line,
				    "%s: '%.64s' is not yes or no", k->name, v);
		return 0;
	case V_LIST: return set_list(c, k, v, name, line, err, errlen);
	}
	return -EINVAL;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* The line that last set any of the named keys (NULL-terminated), so that
 * a cross-field error points at the line that made the values clash; the
 * last line of the file if none of them was set in it. */
static unsigned line_of(const unsigned *lines, unsigned last,
			const char *const *names)
{
	unsigned at = 0;
	for (; *names; names++)
		for (size_t i = 0; i < SV_ARRAY_SIZE(keys); i++)
			if (!strcmp(keys[i].name, *names) && lines[i] > at)
				at = lines[i];
	return at ? at : last ? last : 1;
}
#define AT(...) line_of(lines, last, (const char *const[]){__VA_ARGS__, NULL})

/* Cross-field rules that a single line cannot break. */
static int validate(const struct sv_config *c, const char *name,
		    const unsigned *lines, unsigned last, char *err,
		    size_t errlen)
{
	if (c->uid_min > c->uid_max)
		return fail(err, errlen, name, AT("uid_min", "uid_max"),
			    "uid_min > uid_max");
	if (c->gid_min > c->gid_max)
		return fail(err, errlen, name, AT("gid_min", "gid_max"),
			    "gid_min > gid_max");
	if (c->uid_min <= 65535 && c->uid_max >= 65534)
		return fail(err, errlen, name, AT("uid_min", "uid_max"),
			    "UID range %u..%u includes 65534/65535 (nobody)",
			    c->uid_min, c->uid_max);
	if (c->gid_min <= 65535 && c->gid_max >= 65534)
		return fail(err, errlen, name, AT("gid_min", "gid_max"),
			    "GID range %u..%u includes 65534/65535 (nogroup)",
			    c->gid_min, c->gid_max);
	if (c->base_gid == 65534 || c->base_gid == 65535)
		return fail(err, errlen, name, AT("base_gid"),
			    "base_gid may not be %u", c->base_gid);
	/* A UID doubles as the GID of the account's own group, so the two
	 * ranges must not overlap or a role could shadow a user group. */
	if (!(c->uid_max < c->gid_min || c->gid_max < c->uid_min))
		return fail(err, errlen, name,
			    AT("uid_min", "uid_max", "gid_min", "gid_max"),
			    "UID range %u..%u overlaps GID range %u..%u",
			    c->uid_min, c->uid_max, c->gid_min, c->gid_max);
	if ((c->base_gid >= c->uid_min && c->base_gid <= c->uid_max) ||
	    (c->base_gid >= c->gid_min && c->base_gid <= c->gid_max))
		return fail(
		    err, errlen, name,
		    AT("base_gid", "uid_min", "uid_max", "gid_min", "gid_max"),
		    "base_gid %u lies inside the UID or GID range",
		    c->base_gid);
	if (!strcmp(c->db_dir, c->state_dir))
		return fail(err, errlen, name, AT("db_dir", "state_dir"),
			    "db_dir and state_dir must differ");
	/* a name both reserved and exempted: which one was meant? */
	for (size_t i = 0; i < c->n_reserved_group_names; i++)
		for (size_t j = 0; j < c->n_reserved_group_names; j++)
			if (c->reserved_group_names[j][0] == '!' &&
			    !strcmp(c->reserved_group_names[i],
				    c->reserved_group_names[j] + 1))
				return fail(err, errlen, name,
					    AT("reserved_group_names"),
					    "reserved_group_names: both '%s' "
					    "and '%s'",
					    c->reserved_group_names[i],
					    c->reserved_group_names[j]);
	return 0;
}
#undef AT

/* The end of sv_config_*_served's sentence in why (its start already
 * there): whether the change it names, alone, passes validate. */
static void append_fix_refusal(const struct sv_config *c, char *why,
			       size_t whylen)
{
	unsigned lines[SV_ARRAY_SIZE(keys)] = {0};
	char err[SV_CONF_ERRLEN];
	size_t n = strlen(why);

	/* the configuration as the fix leaves it: c itself, already
	 * changed by the caller */
	if (validate(c, "", lines, 0, err, sizeof(err)) < 0 && n < whylen) {
		/* without the ":LINE: " that names no file here */
		const char *msg = strstr(err, ": ");
		snprintf(why + n, whylen - n,
			 " (alone, that change is refused: %s)",
			 msg ? msg + 2 : err);
	}
}

static const char *never_served_why(uint32_t id)
{
	if (id < 1000)
		return "below 1000";
	if (id == 65534 || id == 65535)
		return "65534/65535 (nobody, nogroup)";
	return "4294967295 ((uid_t)-1)";
}

/* Whether id (a "UID" or "GID", what) is one that no configuration serves;
 * the sentence into why if so. */
static bool never_served(const char *what, uint32_t id, char *why,
			 size_t whylen)
{
	if (id >= 1000 && id != 65534 && id != 65535 && id != UINT32_MAX)
		return false;
	if (why && whylen)
		snprintf(why, whylen,
			 "%s %u is %s, which no configuration serves", what, id,
			 never_served_why(id));
	return true;
}

/* id out of the range *lo..*hi, fields of fixed (a copy of the
 * configuration) named lo_key and hi_key: the key that would serve it,
 * set to id in fixed, and the sentence. */
static void out_of_range(struct sv_config *fixed, const char *what, uint32_t id,
			 uint32_t *lo, const char *lo_key, uint32_t *hi,
			 const char *hi_key, const char **key, char *why,
			 size_t whylen)
{
	bool below = id < *lo;
	uint32_t *f = below ? lo : hi, was = *f;

	*key = below ? lo_key : hi_key;
	*f = id;
	if (!why || !whylen)
		return;
	snprintf(why, whylen, "%s %u is %s %s %u: set %s to %u or %s", what, id,
		 below ? "below" : "above", *key, was, *key, id,
		 below ? "lower" : "higher");
	append_fix_refusal(fixed, why, whylen);
}

int sv_config_uid_served(const struct sv_config *c, uint32_t uid,
			 const char **key, char *why, size_t whylen)
{
	*key = NULL;
	if (sv_uid_acceptable(c, uid))
		return 0;
	/* what the fix would make of c (copied only for an ID it hides) */
	struct sv_config fixed = *c;
	if (!never_served("UID", uid, why, whylen))
		out_of_range(&fixed, "UID", uid, &fixed.uid_min, "uid_min",
			     &fixed.uid_max, "uid_max", key, why, whylen);
	return -ERANGE;
}

int sv_config_role_gid_served(const struct sv_config *c, uint32_t gid,
			      const char **key, char *why, size_t whylen)
{
	*key = NULL;
	if (gid != c->base_gid && sv_role_gid_acceptable(c, gid))
		return 0;
	/* what the fix would make of c (copied only for an ID it hides) */
	struct sv_config fixed = *c;
	if (never_served("GID", gid, why, whylen))
		return -ERANGE;
	if (gid == c->base_gid) {
		*key = "base_gid";
		if (why && whylen)
			snprintf(why, whylen,
				 "GID %u is base_gid, the group of the base "
				 "role " SV_BASE_ROLE
				 ", which no role may have: set base_gid to a "
				 "GID outside the UID and GID ranges that no "
				 "role has",
				 gid);
	} else {
		out_of_range(&fixed, "GID", gid, &fixed.gid_min, "gid_min",
			     &fixed.gid_max, "gid_max", key, why, whylen);
	}
	return -ERANGE;
}

/* The lines of buf into obj by table (nkeys entries); lines[i] receives the
 * line that last set table[i], *last the number of lines. */
static int parse_lines(void *obj, const struct key *table, size_t nkeys,
		       unsigned *lines, unsigned *last, const char *buf,
		       size_t len, const char *name, char *err, size_t errlen)
{
	unsigned line = 0;
	size_t pos = 0;
	char tmp[1024];
	int r;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		line++;
		if (ll >= sizeof(tmp))
			return fail(err, errlen, name, line, "line too long");
		memcpy(tmp, buf + pos, ll);
		tmp[ll] = '\0';
		pos += ll + (nl ? 1 : 0);
		if (memchr(tmp, '\0', ll))
			return fail(err, errlen, name, line, "NUL byte");

		char *s = trim(tmp);
		if (!*s || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq)
			return fail(err, errlen, name, line,
				    "expected 'key = value'");
		*eq = '\0';
		char *k = trim(s), *v = trim(eq + 1);
		const struct key *found = NULL;
		for (size_t i = 0; i < nkeys; i++)
			if (!strcmp(table[i].name, k)) {
				found = &table[i];
				lines[i] = line;
			}
		if (!found)
			return fail(err, errlen, name, line,
				    "unknown key '%.64s'", k);
		if (!*v && found->type != V_LIST)
			return fail(err, errlen, name, line, "%s: empty value",
				    found->name);
		r = set_value(obj, found, v, name, line, err, errlen);
		if (r < 0)
			return r;
	}
	*last = line;
	return 0;
}

int sv_config_parse(struct sv_config *c, const char *buf, size_t len,
		    const char *name, char *err, size_t errlen)
{
	unsigned lines[SV_ARRAY_SIZE(keys)] = {0}, last = 0;
	int r = parse_lines(c, keys, SV_ARRAY_SIZE(keys), lines, &last, buf,
			    len, name, err, errlen);
	if (r < 0)
		return r;
	return validate(c, name, lines, last, err, errlen);
}

void sv_client_config_defaults(struct sv_client_config *c)
{
	memset(c, 0, sizeof(*c));
	c->lifetime = SV_CLIENT_LIFETIME_DEFAULT;
}

int sv_client_config_parse(struct sv_client_config *c, const char *buf,
			   size_t len, const char *name, char *err,
			   size_t errlen)
{
	unsigned lines[SV_ARRAY_SIZE(client_keys)] = {0}, last = 0;
	/* no rule across keys: each value is checked on its line, and what
	 * the environment may still override is checked when used */
	return parse_lines(c, client_keys, SV_ARRAY_SIZE(client_keys), lines,
			   &last, buf, len, name, err, errlen);
}

/* Directories already found safe during one sv_config_load: db_dir and
 * state_dir usually share every parent with each other and the config, and
 * the PAM module does this on every login. */
struct safe_memo {
	char dir[8][256];
	unsigned n;
};

static bool memo_has(const struct safe_memo *m, const char *p)
{
	for (unsigned i = 0; m && i < m->n; i++)
		if (!strcmp(m->dir[i], p))
			return true;
	return false;
}

static void memo_add(struct safe_memo *m, const char *p)
{
	if (m && m->n < SV_ARRAY_SIZE(m->dir) && strlen(p) < sizeof(m->dir[0]))
		snprintf(m->dir[m->n++], sizeof(m->dir[0]), "%s", p);
}

static int walk_safe(const char *path, bool *links, struct safe_memo *memo,
		     struct stat *leaf, char *err, size_t errlen)
{
	char buf[PATH_MAX];
	struct stat st;

	if (path[0] != '/' || strlen(path) >= sizeof(buf)) {
		snprintf(err, errlen, "%s: not an absolute path", path);
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%s", path);
	/* Walk from the leaf to "/": every component must be root's and
	 * writable by nobody else, or whoever can write there can swap it. */
	for (;;) {
		/* a directory found safe with all its parents ends the walk */
		if (strcmp(buf, path) != 0 && memo_has(memo, buf))
			break;
		if (lstat(buf, &st) < 0) {
			int e = errno;
			snprintf(err, errlen, "%s: %s", buf, strerror(e));
			return -e;
		}
		if (S_ISLNK(st.st_mode))
			*links = true;
		if (S_ISLNK(st.st_mode) && strcmp(buf, path) == 0) {
			/* a symlinked leaf is judged by its target too */
			if (stat(buf, &st) < 0) {
				int e = errno;
				snprintf(err, errlen, "%s: %s", buf,
					 strerror(e));
				return -e;
			}
		}
		if (leaf && strcmp(buf, path) == 0)
			*leaf = st;
		if (st.st_uid != 0) {
			snprintf(err, errlen, "%s: owned by uid %u, not root",
				 buf, (unsigned)st.st_uid);
			return -EPERM;
		}
		if ((st.st_mode & (S_IWGRP | S_IWOTH)) &&
		    !(S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX)) &&
		    !S_ISLNK(st.st_mode)) {
			snprintf(err, errlen,
				 "%s: writable by group or others (mode %04o)",
				 buf, (unsigned)(st.st_mode & 07777));
			return -EPERM;
		}
		char *slash = strrchr(buf, '/');
		if (!slash || slash == buf) {
			if (strcmp(buf, "/") == 0)
				break;
			buf[1] = '\0';
			continue;
		}
		*slash = '\0';
	}
	/* every proper parent of path is now known safe (symlinked paths
	 * are not memoised: their targets are walked separately) */
	if (memo && !*links) {
		snprintf(buf, sizeof(buf), "%s", path);
		for (char *sl = strrchr(buf, '/'); sl && sl != buf;
		     sl = strrchr(buf, '/')) {
			*sl = '\0';
			if (!memo_has(memo, buf))
				memo_add(memo, buf);
		}
	}
	return 0;
}

/* leaf, if not NULL, receives the stat of what path names (following a
 * symlinked leaf), for callers that compare it with what they opened. */
static int path_is_safe(const char *path, struct safe_memo *memo,
			struct stat *leaf, char *err, size_t errlen)
{
	char real[PATH_MAX];
	/* The path as written (its symlinks live in directories that must be
	 * safe) and the path it resolves to (whose directories must be safe
	 * too, or a root-owned symlink could point into /tmp/evil). */
	bool links = false;
	int r = walk_safe(path, &links, memo, leaf, err, errlen);
	if (r < 0 || !links)
		return r; /* no symlink: the path is where it leads */
	if (!realpath(path, real)) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	return strcmp(real, path)
		   ? walk_safe(real, &links, NULL, NULL, err, errlen)
		   : 0;
}

int sv_path_is_safe(const char *path, char *err, size_t errlen)
{
	return path_is_safe(path, NULL, NULL, err, errlen);
}

/* db_dir and state_dir by the rule of path_is_safe; one not created yet
 * must have a safe parent, and is checked when svcacct creates it. The
 * message names what is wrong, without the file's name. */
static int dirs_safe(const struct sv_config *c, struct safe_memo *memo,
		     char *err, size_t errlen)
{
	const char *dirs[] = {c->db_dir, c->state_dir};
	for (size_t i = 0; i < SV_ARRAY_SIZE(dirs); i++) {
		int r = path_is_safe(dirs[i], memo, NULL, err, errlen);
		if (r == -ENOENT) {
			char parent[256];
			snprintf(parent, sizeof(parent), "%s", dirs[i]);
			char *sl = strrchr(parent, '/');
			if (sl && sl != parent)
				*sl = '\0';
			r = path_is_safe(parent, memo, NULL, err, errlen);
			if (r == -ENOENT)
				r = 0; /* created later, checked then */
		}
		if (r < 0)
			return r;
	}
	return 0;
}

int sv_config_dirs_safe(const struct sv_config *c, char *err, size_t errlen)
{
	return dirs_safe(c, NULL, err, errlen);
}

void sv_config_fill_shell(struct sv_config *c)
{
	if (c->default_shell[0])
		return;
	/* svcacct-shell where it is installed, nologin otherwise */
	if (access(SVCACCT_SBINDIR "/svcacct-shell", X_OK) == 0)
		snprintf(c->default_shell, sizeof(c->default_shell), "%s",
			 SVCACCT_SBINDIR "/svcacct-shell");
	else
		snprintf(c->default_shell, sizeof(c->default_shell),
			 "/usr/sbin/nologin");
}

/* The content of the open file fd, at most SV_CONF_MAX_SIZE bytes,
 * malloc'd into *buf (got bytes, NUL-terminated). */
static int read_conf(int fd, const char *path, char **buf, size_t *got,
		     char *err, size_t errlen)
{
	int r = sv_read_fd(fd, SV_CONF_MAX_SIZE, buf, got);
	if (r == -EFBIG)
		snprintf(err, errlen, "%s: larger than %d bytes", path,
			 SV_CONF_MAX_SIZE);
	else if (r < 0)
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
	return r;
}

/* Open path with flags (and O_RDONLY | O_CLOEXEC | O_NOCTTY) into *fd,
 * its fstat into *st: 0, or -errno with the reason. */
static int open_conf(const char *path, int flags, int *fd, struct stat *st,
		     char *err, size_t errlen)
{
	int r;

	*fd = open(path, flags | O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (*fd >= 0 && fstat(*fd, st) == 0)
		return 0;
	r = -errno;
	snprintf(err, errlen, "%s: %s", path, strerror(-r));
	return r;
}

/* What a loader requires of the file it opened, by the fstat st of its
 * fd: 0, or -errno with the reason. */
typedef int conf_check_fn(const char *path, const struct stat *st, void *ctx,
			  char *err, size_t errlen);

/* The content of the configuration file path, opened with flags, once
 * check has accepted what was opened (see read_conf): 0, or -errno with
 * the reason. The file is closed again either way. */
static int load_conf(const char *path, int flags, conf_check_fn *check,
		     void *ctx, char **buf, size_t *got, char *err,
		     size_t errlen)
{
	struct stat st;
	int fd = -1;
	int r = open_conf(path, flags, &fd, &st, err, errlen);
	if (r == 0)
		r = check(path, &st, ctx, err, errlen);
	if (r == 0)
		r = read_conf(fd, path, buf, got, err, errlen);
	if (fd >= 0)
		close(fd);
	return r;
}

struct main_check {
	bool check_owner;
	struct safe_memo *memo;
};

static int main_conf_check(const char *path, const struct stat *st, void *ctx,
			   char *err, size_t errlen)
{
	const struct main_check *mc = ctx;
	if (!S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return -EINVAL;
	}
	if (mc->check_owner) {
		struct stat now;
		int r = path_is_safe(path, mc->memo, &now, err, errlen);
		if (r < 0)
			return r;
		/* what was checked is what was opened */
		if (now.st_dev != st->st_dev || now.st_ino != st->st_ino) {
			snprintf(err, errlen, "%s: replaced while being read",
				 path);
			return -EAGAIN;
		}
	}
	return 0;
}

int sv_config_load(struct sv_config *c, const char *path, bool check_owner,
		   char *err, size_t errlen)
{
	struct safe_memo memo = {.n = 0};
	struct main_check mc = {check_owner, &memo};
	char *buf = NULL;
	size_t got = 0;
	int r;

	sv_config_defaults(c);
	r = load_conf(path, 0, main_conf_check, &mc, &buf, &got, err, errlen);
	if (r < 0)
		goto out;
	r = sv_config_parse(c, buf, got, path, err, errlen);
	if (r < 0)
		goto out;
	if (check_owner) {
		/* The directories it names hold the store: same rule. */
		char e2[SV_CONF_ERRLEN];
		r = dirs_safe(c, &memo, e2, sizeof(e2));
		if (r < 0)
			snprintf(err, errlen, "%s: %s", path, e2);
	}
out:
	free(buf);
	return r;
}

/* anyone who can edit it can redirect the audience or the key */
static int client_conf_check(const char *path, const struct stat *st, void *ctx,
			     char *err, size_t errlen)
{
	(void)ctx;
	if (!S_ISREG(st->st_mode) || st->st_uid != geteuid() ||
	    (st->st_mode & (S_IWGRP | S_IWOTH))) {
		snprintf(err, errlen,
			 "%s: must be a regular file of yours, not writable "
			 "by group or others",
			 path);
		return -EPERM;
	}
	return 0;
}

int sv_client_config_load(struct sv_client_config *c, const char *path,
			  char *err, size_t errlen)
{
	char *buf = NULL;
	size_t got = 0;
	int r;

	sv_client_config_defaults(c);
	r = load_conf(path, O_NOFOLLOW, client_conf_check, NULL, &buf, &got,
		      err, errlen);
	if (r == 0)
		r = sv_client_config_parse(c, buf, got, path, err, errlen);
	free(buf);
	return r;
}
