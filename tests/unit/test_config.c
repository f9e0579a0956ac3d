/* SPDX-License-Identifier: MIT */
/* Unit tests for common/store/config.c: svcacct.conf(5) parsing, validation and
 * the ownership/mode rules for the file and the directories it names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "names.h"
#include "readfile.h"
#include "tmpdir.h"
#include "util.h"

#define NAME "test.conf"

static int parse(struct sv_config *c, const char *text, char *err)
{
	sv_config_defaults(c);
	err[0] = '\0';
	return sv_config_parse(c, text, strlen(text), NAME, err,
			       SV_CONF_ERRLEN);
}

/* r and err are a parse's refusal: -EINVAL and "test.conf:LINE: ..."
 * naming what (NULL: any message). at is the line of the test's call. */
static void check_refusal(int r, const char *err, unsigned line,
			  const char *what, int at)
{
	char prefix[64];
	if (r != -EINVAL)
		fail_msg("line %d: parse gave %d (%s), want -EINVAL", at, r,
			 err);
	snprintf(prefix, sizeof(prefix), NAME ":%u: ", line);
	if (strncmp(err, prefix, strlen(prefix)) != 0)
		fail_msg("line %d: message '%s' does not start with '%s'", at,
			 err, prefix);
	if (what && !strstr(err, what))
		fail_msg("line %d: message '%s' lacks '%s'", at, err, what);
}

/* text must be refused with -EINVAL and "test.conf:LINE: ..." naming what. */
#define expect_error(text, line, what)                                         \
	expect_error_len(text, strlen(text), line, what, __LINE__)

static void expect_error_len(const char *text, size_t len, unsigned line,
			     const char *what, int at)
{
	struct sv_config c;
	char err[SV_CONF_ERRLEN] = "";
	sv_config_defaults(&c);
	int r = sv_config_parse(&c, text, len, NAME, err, sizeof(err));
	check_refusal(r, err, line, what, at);
}

#define expect_ok(text) expect_ok_at(text, __LINE__)
static void expect_ok_at(const char *text, int at)
{
	struct sv_config c;
	char err[SV_CONF_ERRLEN];
	int r = parse(&c, text, err);
	if (r != 0)
		fail_msg("line %d: '%s' refused (%d): %s", at, text, r, err);
}

/* A numeric key with its compiled-in default and the value test_every_key
 * sets. */
struct num_key {
	const char *key;
	size_t off;
	unsigned dflt, every;
};
/* the key as its name and its place in struct sv_config */
#define NUM(k) #k, offsetof(struct sv_config, k)
/* the uint32_t ID range keys */
static const struct num_key id_keys[] = {
    {NUM(uid_min), 70000, 100000},  {NUM(uid_max), 79999, 100999},
    {NUM(gid_min), 80001, 200001},  {NUM(gid_max), 89999, 200999},
    {NUM(base_gid), 80000, 200000},
};
/* the unsigned limits */
static const struct num_key limit_keys[] = {
    {NUM(keep_generations), 10, 3},
    {NUM(lock_timeout), 10, 0},
    {NUM(max_assertion_lifetime), 300, 600},
    {NUM(clock_skew), 60, 5},
    {NUM(fail_delay_ms), 2000, 0},
    {NUM(max_credential_length), 16384, 4096},
    {NUM(max_parts), 32, 4},
    {NUM(replay_quota), 10000, 77},
    {NUM(max_secret_lifetime), 0, 7776000},
    {NUM(max_key_lifetime), 0, 600},
    {NUM(group_members_max), 1000, 50},
};
#undef NUM
_Static_assert(sizeof(unsigned) == sizeof(uint32_t), "32-bit unsigned");

static unsigned num_value(const struct sv_config *c, const struct num_key *k)
{
	unsigned v;
	memcpy(&v, (const char *)c + k->off, sizeof(v));
	return v;
}

/* Every key of keys[n] in *c has its value in *ref; without ref, its
 * default, or with every the value test_every_key sets. A mismatch names
 * the key. */
static void expect_keys(const struct num_key *keys, size_t n,
			const struct sv_config *c, const struct sv_config *ref,
			bool every)
{
	for (size_t i = 0; i < n; i++) {
		unsigned want = every ? keys[i].every : keys[i].dflt;
		if (ref)
			want = num_value(ref, &keys[i]);
		if (num_value(c, &keys[i]) != want)
			print_message("# %s\n", keys[i].key);
		assert_int_equal(num_value(c, &keys[i]), want);
	}
}

/* expect_keys for every numeric key */
static void expect_numbers(const struct sv_config *c,
			   const struct sv_config *ref, bool every)
{
	expect_keys(id_keys, SV_ARRAY_SIZE(id_keys), c, ref, every);
	expect_keys(limit_keys, SV_ARRAY_SIZE(limit_keys), c, ref, every);
}

/* ------------------------------------------------------------ defaults */

static void test_defaults(void **state)
{
	struct sv_config c;
	char err[SV_CONF_ERRLEN];
	(void)state;
	sv_config_defaults(&c);
	assert_string_equal(c.db_dir, SVCACCT_DB_DIR);
	assert_string_equal(c.state_dir, SVCACCT_STATE_DIR);
	assert_string_equal(c.home_base, "/var/lib/svcacct/home");
	assert_string_equal(c.default_shell, "");
	sv_config_fill_shell(&c);
	assert_true(c.default_shell[0] == '/');
	assert_string_equal(c.keys_group, "_svcacct-keys");
	expect_numbers(&c, NULL, false);
	assert_true(c.enumerate);
	assert_int_equal(c.n_audiences, 0);
	assert_true(c.n_ui_services > 0 && c.n_ui_services <= SV_CONF_MAX_LIST);
	bool login = false;
	for (size_t i = 0; i < c.n_ui_services; i++)
		if (!strcmp(c.ui_services[i], "login"))
			login = true;
	assert_true(login);
	assert_int_equal(c.n_ssh_services, 1);
	assert_string_equal(c.ssh_services[0], "sshd");
	assert_string_equal(sv_config_default_path(), SVCACCT_CONF_PATH);

	/* the defaults are valid, and an empty file changes nothing */
	struct sv_config d;
	assert_int_equal(parse(&d, "", err), 0);
	sv_config_fill_shell(&d);
	assert_memory_equal(&c, &d, sizeof(c));
	/* a shell the file sets is kept */
	assert_int_equal(parse(&d, "default_shell = /bin/false\n", err), 0);
	sv_config_fill_shell(&d);
	assert_string_equal(d.default_shell, "/bin/false");
}

static void test_comments_blank_lines(void **state)
{
	struct sv_config c, d;
	char err[SV_CONF_ERRLEN];
	(void)state;
	const char *text = "# a comment\n"
			   "\n"
			   "   \n"
			   "\t\n"
			   "   # indented comment\n"
			   "#uid_min = 1\n"
			   "# unknown_key = 1 in a comment is fine\n"
			   "\r\n";
	assert_int_equal(parse(&c, text, err), 0);
	sv_config_defaults(&d);
	assert_memory_equal(&c, &d, sizeof(c));
	/* a comment line starts with '#'; '#' elsewhere is part of a value,
	 * so a trailing comment after a number is an error, not ignored */
	expect_error("uid_min = 70000 # start\n", 1, "not a number");
}

static void test_every_key(void **state)
{
	struct sv_config c;
	char err[SV_CONF_ERRLEN];
	(void)state;
	const char *text =
	    "db_dir = /srv/svc/db\n"
	    "state_dir=/srv/svc/state\n"
	    "  home_base   =   /home/svc  \n"
	    "\tdefault_shell\t=\t/bin/false\t\n"
	    "keys_group = ssh-keys\n"
	    "uid_min = 100000\n"
	    "uid_max = 100999\r\n"
	    "gid_min = 200001\n"
	    "gid_max = 200999\n"
	    "base_gid = 200000\n"
	    "keep_generations = 3\n"
	    "lock_timeout = 0\n"
	    "enumerate = no\n"
	    "group_members_max = 50\n"
	    "max_assertion_lifetime = 600\n"
	    "clock_skew = 5\n"
	    "fail_delay_ms = 0\n"
	    "max_credential_length = 4096\n"
	    "max_parts = 4\n"
	    "replay_quota = 77\n"
	    "max_secret_lifetime = 90d\n"
	    "max_key_lifetime = 10m\n"
	    "audiences = svcacct:fleet, https://h.example/x\tthird\n"
	    "ui_services = login,gdm\n"
	    "ssh_services = sshd sshd-internal\n"
	    "reserved_group_names = corp-admins !docker";
	assert_int_equal(parse(&c, text, err), 0);
	assert_string_equal(c.db_dir, "/srv/svc/db");
	assert_string_equal(c.state_dir, "/srv/svc/state");
	assert_string_equal(c.home_base, "/home/svc");
	assert_string_equal(c.default_shell, "/bin/false");
	assert_string_equal(c.keys_group, "ssh-keys");
	expect_numbers(&c, NULL, true);
	assert_false(c.enumerate);
	assert_int_equal(c.n_audiences, 3);
	assert_string_equal(c.audiences[0], "svcacct:fleet");
	assert_string_equal(c.audiences[1], "https://h.example/x");
	assert_string_equal(c.audiences[2], "third");
	assert_int_equal(c.n_ui_services, 2);
	assert_string_equal(c.ui_services[0], "login");
	assert_string_equal(c.ui_services[1], "gdm");
	assert_int_equal(c.n_ssh_services, 2);
	assert_string_equal(c.ssh_services[1], "sshd-internal");
	assert_int_equal(c.n_reserved_group_names, 2);
	assert_string_equal(c.reserved_group_names[0], "corp-admins");
	assert_string_equal(c.reserved_group_names[1], "!docker");
}

static void test_bools(void **state)
{
	static const struct {
		const char *v;
		bool want;
	} cases[] = {{"yes", true}, {"true", true},   {"1", true},
		     {"no", false}, {"false", false}, {"0", false}};
	struct sv_config c;
	char err[SV_CONF_ERRLEN], text[64];
	(void)state;
	for (size_t i = 0; i < SV_ARRAY_SIZE(cases); i++) {
		snprintf(text, sizeof(text), "enumerate = %s\n", cases[i].v);
		sv_config_defaults(&c);
		c.enumerate = !cases[i].want;
		assert_int_equal(sv_config_parse(&c, text, strlen(text), NAME,
						 err, sizeof(err)),
				 0);
		assert_int_equal(c.enumerate, cases[i].want);
	}
	expect_error("\nenumerate = maybe\n", 2, "yes or no");
	expect_error("enumerate = YES\n", 1, "yes or no");
	expect_error("enumerate = on\n", 1, "yes or no");
	expect_error("enumerate = 2\n", 1, "yes or no");
	expect_error("enumerate = yes please\n", 1, "yes or no");
	expect_error("enumerate =\n", 1, "empty");
}

static void test_duplicate_key_last_wins(void **state)
{
	struct sv_config c;
	char err[SV_CONF_ERRLEN];
	(void)state;
	assert_int_equal(parse(&c, "lock_timeout = 5\nlock_timeout = 7\n", err),
			 0);
	assert_int_equal(c.lock_timeout, 7);
	/* a list is replaced, not appended to */
	assert_int_equal(parse(&c, "audiences = a b c\naudiences = d\n", err),
			 0);
	assert_int_equal(c.n_audiences, 1);
	assert_string_equal(c.audiences[0], "d");
	/* and may be emptied */
	assert_int_equal(parse(&c, "ui_services =\n", err), 0);
	assert_int_equal(c.n_ui_services, 0);
}

/* ------------------------------------------------------------ syntax */

static void test_unknown_key(void **state)
{
	(void)state;
	expect_error("# c\nuid_min = 70000\nfrobnicate = 1\n", 3,
		     "unknown key 'frobnicate'");
	expect_error("UID_MIN = 70000\n", 1, "unknown key");
	expect_error("uid min = 70000\n", 1, "unknown key");
	expect_error("= 5\n", 1, "unknown key");
	/* the error stops the parse: a later bad line is not reached */
	expect_error("bogus = 1\nenumerate = maybe\n", 1, "unknown key");
}

static void test_missing_equals(void **state)
{
	(void)state;
	expect_error("\n\n\nuid_min 70000\n", 4, "key = value");
	expect_error("enumerate\n", 1, "key = value");
	expect_error("uid_min: 70000\n", 1, "key = value");
}

static void test_bad_numbers(void **state)
{
	static const char *const bad[] = {
	    "7000x",
	    "x7000",
	    "-1",
	    "+70000",
	    "0x11170",
	    "70 000",
	    "1e5",
	    "",
	    "70000.0",
	    "99999999999999999999999",
	    "18446744073709551616",
	};
	char text[128];
	(void)state;
	for (size_t i = 0; i < SV_ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text), "enumerate = yes\nuid_min = %s\n",
			 bad[i]);
		expect_error(text, 2, bad[i][0] ? "uid_min" : "empty");
	}
	expect_error("lock_timeout = ten\n", 1, "not a number");
}

/* Durations: seconds or a number with one unit, or unlimited (0), within
 * 60s..36500d; anything else is refused with the key named. */
static void test_durations(void **state)
{
	static const struct {
		const char *v;
		unsigned want;
	} good[] = {
	    {"60", 60},
	    {"60s", 60},
	    {"1m", 60},
	    {"36h", 129600},
	    {"90d", 7776000},
	    {"2w", 1209600},
	    {"unlimited", 0},
	    {"36500d", 3153600000u},
	    {"3153600000", 3153600000u},
	    {"0000000090d", 7776000},
	};
	static const struct {
		const char *v, *why;
	} bad[] = {
	    {"59", "out of range 60s..36500d"},
	    {"0", "out of range"},
	    {"0d", "out of range"},
	    {"36501d", "out of range"},
	    {"3153600001", "out of range"},
	    {"5215w", "out of range"},
	    {"99999999999999999999d", "not a duration"},
	    {"18446744073709551615s", "out of range"},
	    {"90x", "not a duration"},
	    {"90dd", "not a duration"},
	    {"d", "not a duration"},
	    {"-1d", "not a duration"},
	    {"+1d", "not a duration"},
	    {"9 d", "not a duration"},
	    {"1.5d", "not a duration"},
	    {"Unlimited", "not a duration"},
	    {"never", "not a duration"},
	};
	static const char *const keys[] = {"max_secret_lifetime",
					   "max_key_lifetime"};
	struct sv_config c;
	char err[SV_CONF_ERRLEN], text[128];
	(void)state;
	for (size_t k = 0; k < SV_ARRAY_SIZE(keys); k++) {
		for (size_t i = 0; i < SV_ARRAY_SIZE(good); i++) {
			snprintf(text, sizeof(text), "%s = %s\n", keys[k],
				 good[i].v);
			assert_int_equal(parse(&c, text, err), 0);
			assert_int_equal(k ? c.max_key_lifetime
					   : c.max_secret_lifetime,
					 good[i].want);
		}
		for (size_t i = 0; i < SV_ARRAY_SIZE(bad); i++) {
			snprintf(text, sizeof(text), "#\n%s = %s\n", keys[k],
				 bad[i].v);
			expect_error(text, 2, bad[i].why);
			expect_error(text, 2, keys[k]);
		}
	}
	/* the default is unlimited */
	assert_int_equal(parse(&c, "", err), 0);
	assert_int_equal(c.max_secret_lifetime, 0);
	assert_int_equal(c.max_key_lifetime, 0);
}

static void test_number_ranges(void **state)
{
	static const struct {
		const char *key;
		unsigned long min, max;
	} keys[] = {
	    {"keep_generations", 2, 1000},
	    {"lock_timeout", 0, 3600},
	    {"max_assertion_lifetime", 1, 86400},
	    {"clock_skew", 0, 600},
	    {"fail_delay_ms", 0, 60000},
	    {"max_credential_length", 512, 65536},
	    {"max_parts", 1, 256},
	    {"replay_quota", 1, 10000000},
	    {"group_members_max", 0, 4294967294UL},
	};
	char text[128];
	struct sv_config c;
	char err[SV_CONF_ERRLEN];
	(void)state;
	for (size_t i = 0; i < SV_ARRAY_SIZE(keys); i++) {
		/* both bounds are accepted ... */
		snprintf(text, sizeof(text), "%s = %lu\n", keys[i].key,
			 keys[i].min);
		expect_ok(text);
		snprintf(text, sizeof(text), "%s = %lu\n", keys[i].key,
			 keys[i].max);
		expect_ok(text);
		/* ... and stored */
		assert_int_equal(parse(&c, text, err), 0);
		/* one beyond either is not */
		if (keys[i].min > 0) {
			snprintf(text, sizeof(text), "#\n%s = %lu\n",
				 keys[i].key, keys[i].min - 1);
			expect_error(text, 2, "out of range");
		}
		snprintf(text, sizeof(text), "#\n#\n%s = %lu\n", keys[i].key,
			 keys[i].max + 1);
		expect_error(text, 3, "out of range");
		snprintf(text, sizeof(text), "%s = 4294967296\n", keys[i].key);
		expect_error(text, 1, keys[i].key);
	}
	assert_int_equal(parse(&c, "keep_generations = 1000\n", err), 0);
	assert_int_equal(c.keep_generations, 1000);

	/* IDs: below 1000 or 2^32-1 and up never */
	expect_error("uid_min = 999\n", 1, "out of range");
	expect_error("gid_min = 0\n", 1, "out of range");
	expect_error("base_gid = 1\n", 1, "out of range");
	expect_error("uid_max = 4294967295\n", 1, "out of range");
	expect_error("gid_max = 4294967295\n", 1, "out of range");
	expect_error("uid_max = 4294967296\n", 1, "uid_max");
	/* the largest accepted value survives the 32-bit store intact */
	assert_int_equal(
	    parse(&c, "uid_min = 4294967000\nuid_max = 4294967294\n", err), 0);
	assert_int_equal(c.uid_max, 4294967294u);
	assert_int_equal(c.uid_min, 4294967000u);
}

/* group_members_max: a number, 0..4294967294, or unlimited, which is the
 * same as 0; anything else is refused with the key named. */
static void test_group_members_max(void **state)
{
	static const struct {
		const char *v;
		unsigned want;
	} good[] = {
	    {"0", 0},	    {"unlimited", 0},  {"1", 1},
	    {"1000", 1000}, {"0001000", 1000}, {"4294967294", 4294967294u},
	};
	static const struct {
		const char *v, *why;
	} bad[] = {
	    {"-1", "'-1' is not a number (or unlimited)"},
	    {"+5", "is not a number (or unlimited)"},
	    {"lots", "'lots' is not a number (or unlimited)"},
	    {"Unlimited", "is not a number"},
	    {"unlimited5", "is not a number"},
	    {"1e3", "is not a number"},
	    {"0x10", "is not a number"},
	    {"1000x", "is not a number"},
	    {"12 13", "is not a number"},
	    {"1.5", "is not a number"},
	    {"4294967295", "4294967295 out of range 0..4294967294 (or "
			   "unlimited)"},
	    {"18446744073709551616", "is not a number"},
	};
	struct sv_config c;
	char err[SV_CONF_ERRLEN], text[128];
	(void)state;
	for (size_t i = 0; i < SV_ARRAY_SIZE(good); i++) {
		snprintf(text, sizeof(text), "group_members_max = %s\n",
			 good[i].v);
		assert_int_equal(parse(&c, text, err), 0);
		assert_int_equal(c.group_members_max, good[i].want);
	}
	for (size_t i = 0; i < SV_ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text), "#\ngroup_members_max = %s\n",
			 bad[i].v);
		expect_error(text, 2, bad[i].why);
		expect_error(text, 2, "group_members_max");
	}
	expect_error("group_members_max =\n", 1, "group_members_max: empty");
	/* the default lists groups of up to 1000 members */
	assert_int_equal(parse(&c, "", err), 0);
	assert_int_equal(c.group_members_max, SV_CONF_GROUP_MEMBERS_DEFAULT);
	assert_int_equal(SV_CONF_GROUP_MEMBERS_DEFAULT, 1000);
	assert_true(sv_group_members_listed(&c, 1000));
	assert_false(sv_group_members_listed(&c, 1001));
	assert_true(sv_group_members_listed(&c, 0));
	c.group_members_max = 0;
	assert_true(sv_group_members_listed(&c, SIZE_MAX));
	c.group_members_max = 1;
	assert_true(sv_group_members_listed(&c, 1));
	assert_false(sv_group_members_listed(&c, 2));
}

static void test_paths(void **state)
{
	static const char *const bad[] = {
	    "var/lib/svcacct",
	    "./db",
	    "../db",
	    "..",
	    ".",
	    "/a/../b",
	    "/a/..",
	    "/..",
	    "//db",
	    "/var//db",
	    "~/db",
	    "/a b",
	    "/caf\xc3\xa9",
	    "/a\x01",
	    "/db\x7f",
	};
	char text[400];
	(void)state;
	for (size_t i = 0; i < SV_ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text), "\ndb_dir = %s\n", bad[i]);
		expect_error(text, 2, "db_dir");
		snprintf(text, sizeof(text), "home_base = %s\n", bad[i]);
		expect_error(text, 1, "home_base");
		snprintf(text, sizeof(text), "state_dir = %s\n", bad[i]);
		expect_error(text, 1, "state_dir");
		snprintf(text, sizeof(text), "default_shell = %s\n", bad[i]);
		expect_error(text, 1, "default_shell");
	}
	expect_ok("db_dir = /\nstate_dir = /s\n");
	expect_ok("db_dir = /a..b/..c/d..\n");
	expect_ok("home_base = /.home\n");

	/* length: 255 bytes fit the 256-byte field, 256 do not */
	char path[300];
	memset(path, 'p', sizeof(path));
	path[0] = '/';
	path[255] = '\0';
	snprintf(text, sizeof(text), "home_base = %s\n", path);
	expect_ok(text);
	path[255] = 'p';
	path[256] = '\0';
	snprintf(text, sizeof(text), "home_base = %s\n", path);
	expect_error(text, 1, "longer than 255");
}

static void test_keys_group(void **state)
{
	struct sv_config c;
	char err[SV_CONF_ERRLEN], text[128];
	(void)state;
	memset(text, 0, sizeof(text));
	strcpy(text, "keys_group = ");
	memset(text + strlen(text), 'k', 32);
	assert_int_equal(parse(&c, text, err), 0);
	assert_int_equal(strlen(c.keys_group), 32);
	strcat(text, "k");
	expect_error(text, 1, "keys_group");
	expect_error("keys_group = a b\n", 1, "keys_group");
	expect_error("keys_group = \n", 1, "empty");
}

static void test_lists(void **state)
{
	struct sv_config c;
	char err[SV_CONF_ERRLEN], text[4096];
	(void)state;
	/* 32 entries fit, 33 do not */
	strcpy(text, "ui_services =");
	for (int i = 0; i < SV_CONF_MAX_LIST; i++)
		sprintf(text + strlen(text), " s%d", i);
	assert_int_equal(parse(&c, text, err), 0);
	assert_int_equal(c.n_ui_services, SV_CONF_MAX_LIST);
	assert_string_equal(c.ui_services[31], "s31");
	strcat(text, " s32\n");
	expect_error(text, 1, "more than 32");

	/* entry length: 63 bytes fit a ui_services entry, 64 do not */
	strcpy(text, "\nui_services = ");
	memset(text + strlen(text), 'u', 63);
	text[15 + 63] = '\0';
	assert_int_equal(parse(&c, text, err), 0);
	assert_int_equal(strlen(c.ui_services[0]), 63);
	strcat(text, "u");
	expect_error(text, 2, "bad entry");

	/* 255 bytes fit an audience, 256 do not */
	strcpy(text, "audiences = ");
	memset(text + 12, 'a', 255);
	text[12 + 255] = '\0';
	assert_int_equal(parse(&c, text, err), 0);
	assert_int_equal(c.n_audiences, 1);
	assert_int_equal(strlen(c.audiences[0]), 255);
	strcat(text, "a");
	expect_error(text, 1, "bad entry");
	expect_error("audiences = ok caf\xc3\xa9\n", 1, "bad entry");
	/* separators only: an empty list */
	assert_int_equal(parse(&c, "audiences = , ,\t,\n", err), 0);
	assert_int_equal(c.n_audiences, 0);
}

static void test_reserved_group_names(void **state)
{
	struct sv_config c;
	char err[SV_CONF_ERRLEN], text[8192];
	(void)state;
	/* defaults: the built-in list and keys_group */
	sv_config_defaults(&c);
	assert_int_equal(c.n_reserved_group_names, 0);
	assert_int_equal(sv_group_name_reserved(&c, "docker"),
			 SV_GROUP_BUILTIN);
	assert_int_equal(sv_group_name_reserved(&c, "www-data"),
			 SV_GROUP_BUILTIN);
	assert_int_equal(sv_group_name_reserved(&c, "libvirt-qemu"),
			 SV_GROUP_BUILTIN);
	assert_int_equal(sv_group_name_reserved(&c, "_svcacct-keys"),
			 SV_GROUP_KEYS_GROUP);
	assert_int_equal(sv_group_name_reserved(&c, "deployers"),
			 SV_GROUP_FREE);
	assert_int_equal(sv_group_name_reserved(&c, "dockers"), SV_GROUP_FREE);
	assert_int_equal(sv_group_name_reserved(&c, "docke"), SV_GROUP_FREE);
	assert_true(sv_group_name_builtin("kvm"));
	assert_false(sv_group_name_builtin("corp-admins"));

	/* the key adds names and exempts built-in ones with '!' */
	assert_int_equal(parse(&c,
			       "reserved_group_names = corp-admins,!docker\t"
			       "!lxd\nkeys_group = ssh-readers\n",
			       err),
			 0);
	assert_int_equal(c.n_reserved_group_names, 3);
	assert_int_equal(sv_group_name_reserved(&c, "corp-admins"),
			 SV_GROUP_CONFIG);
	assert_int_equal(sv_group_name_reserved(&c, "docker"), SV_GROUP_FREE);
	assert_int_equal(sv_group_name_reserved(&c, "lxd"), SV_GROUP_FREE);
	assert_int_equal(sv_group_name_reserved(&c, "kvm"), SV_GROUP_BUILTIN);
	assert_int_equal(sv_group_name_reserved(&c, "ssh-readers"),
			 SV_GROUP_KEYS_GROUP);
	assert_int_equal(sv_group_name_reserved(&c, "_svcacct-keys"),
			 SV_GROUP_FREE);
	/* adding a built-in name is harmless; an empty value is no entry */
	assert_int_equal(parse(&c, "reserved_group_names = docker\n", err), 0);
	assert_int_equal(sv_group_name_reserved(&c, "docker"), SV_GROUP_CONFIG);
	assert_int_equal(parse(&c, "reserved_group_names =\n", err), 0);
	assert_int_equal(c.n_reserved_group_names, 0);
	/* the last line wins, as for every key */
	assert_int_equal(parse(&c,
			       "reserved_group_names = a1\n"
			       "reserved_group_names = b2\n",
			       err),
			 0);
	assert_int_equal(c.n_reserved_group_names, 1);
	assert_string_equal(c.reserved_group_names[0], "b2");

	/* entries that no role or account name can match */
	expect_error("reserved_group_names = Docker\n", 1,
		     "bad entry 'Docker': not a name");
	expect_error("reserved_group_names = ok 9lives\n", 1,
		     "bad entry '9lives'");
	expect_error("reserved_group_names = 1234\n", 1, "bad entry '1234'");
	expect_error("reserved_group_names = a.b\n", 1, "bad entry 'a.b'");
	expect_error("reserved_group_names = -x\n", 1, "bad entry '-x'");
	expect_error("reserved_group_names = !\n", 1, "bad entry '!'");
	expect_error("reserved_group_names = !!docker\n", 1,
		     "bad entry '!!docker'");
	expect_error("reserved_group_names = caf\xc3\xa9\n", 1, "bad entry");
	/* 32 bytes are a name, 33 are not, 34 do not fit */
	strcpy(text, "reserved_group_names = ");
	memset(text + strlen(text), 'n', 32);
	text[23 + 32] = '\0';
	assert_int_equal(parse(&c, text, err), 0);
	assert_int_equal(strlen(c.reserved_group_names[0]), 32);
	strcat(text, "n");
	expect_error(text, 1, "not a name");
	strcat(text, "n");
	expect_error(text, 1, "bad entry");
	/* '!' only on a built-in name, and not beside the same name */
	expect_error("reserved_group_names = !corp-admins\n", 1,
		     "exempts a name that is not on the built-in list");
	expect_error("\nreserved_group_names = docker, !docker\nuid_min = "
		     "70000\n",
		     2, "both 'docker' and '!docker'");
	/* SV_CONF_MAX_RESERVED entries fit, one more does not */
	strcpy(text, "reserved_group_names =");
	for (int i = 0; i < SV_CONF_MAX_RESERVED; i++)
		sprintf(text + strlen(text), " g%d", i);
	assert_int_equal(parse(&c, text, err), 0);
	assert_int_equal(c.n_reserved_group_names, SV_CONF_MAX_RESERVED);
	assert_int_equal(sv_group_name_reserved(&c, "g127"), SV_GROUP_CONFIG);
	strcat(text, " g128\n");
	expect_error(text, 1, "more than 128 entries");
}

/* ------------------------------------------------------------ cross-field */

static void test_overlapping_ranges(void **state)
{
	(void)state;
	/* UID range reaching into the (default) GID range: reported at the
	 * line that made the two clash */
	expect_error("# x\nuid_min = 80000\nuid_max = 80500\nenumerate = no\n",
		     3, "overlaps");
	expect_error("gid_min = 75000\n", 1, "overlaps");
	expect_error("gid_min = 66000\ngid_max = 70000\n", 2, "overlaps");
	/* GID range strictly inside the UID range */
	expect_error("\n\ngid_min = 71000\ngid_max = 72000\n", 4, "overlaps");
	/* touching ranges are fine */
	expect_ok("uid_min = 70000\nuid_max = 80000\ngid_min = 80001\n"
		  "base_gid = 90000\n");
	/* base_gid inside either range */
	expect_error("\nbase_gid = 70500\n", 2, "base_gid");
	expect_error("base_gid = 85000\n", 1, "base_gid");
	/* min above max */
	expect_error("uid_max = 1000\n", 1, "uid_min > uid_max");
	expect_error("#\ngid_min = 89999\ngid_max = 80001\n", 3,
		     "gid_min > gid_max");
	/* db and state in one place */
	expect_error("state_dir = /x\n\ndb_dir = /x\n", 3, "differ");
}

static void test_ranges_with_nobody(void **state)
{
	(void)state;
	expect_error("uid_min = 65000\nuid_max = 66000\n", 2, "65534");
	expect_error("uid_min = 65535\nuid_max = 65535\n", 2, "65534");
	expect_error("uid_min = 65534\nuid_max = 65534\n", 2, "65534");
	expect_error("uid_min = 1000\nuid_max = 69999\n", 2, "65534");
	expect_error("gid_min = 60000\ngid_max = 65534\n", 2, "65534");
	expect_error("gid_max = 99999\ngid_min = 65535\n", 2, "65534");
	expect_error("\nbase_gid = 65534\n", 2, "base_gid");
	expect_error("base_gid = 65535\n", 1, "base_gid");
	/* just below and just above are fine */
	expect_ok("uid_min = 60000\nuid_max = 65533\n");
	expect_ok("uid_min = 65536\nuid_max = 69999\n");
	expect_ok("gid_min = 65536\ngid_max = 69999\n");
}

/* ------------------------------------------------------------ raw input */

static void test_line_too_long(void **state)
{
	char text[4096];
	(void)state;
	/* 1023 bytes of line content are accepted ... */
	strcpy(text, "enumerate = yes\n#");
	memset(text + strlen(text), 'c', 1022);
	text[16 + 1023] = '\0';
	strcat(text, "\nlock_timeout = 3\n");
	expect_ok(text);
	/* ... 1024 are not, on any line */
	strcpy(text, "enumerate = yes\n\n#");
	memset(text + strlen(text), 'c', 1023);
	text[17 + 1024] = '\0';
	strcat(text, "\nlock_timeout = 3\n");
	expect_error(text, 3, "too long");
	/* last line without a newline too */
	strcpy(text, "#\naudiences = ");
	memset(text + strlen(text), 'a', 2000);
	text[14 + 2000] = '\0';
	expect_error(text, 2, "too long");
}

static void test_nul_byte(void **state)
{
	(void)state;
	static const char t1[] = "enumerate = yes\nuid_min = 70\0"
				 "000\n";
	expect_error_len(t1, sizeof(t1) - 1, 2, "NUL", __LINE__);
	static const char t2[] = "# comment \0 hidden\n";
	expect_error_len(t2, sizeof(t2) - 1, 1, "NUL", __LINE__);
	static const char t3[] = "\n\n\0";
	expect_error_len(t3, sizeof(t3) - 1, 3, "NUL", __LINE__);
}

static void test_crlf_line_numbers(void **state)
{
	(void)state;
	expect_ok("enumerate = no\r\nlock_timeout = 1\r\n");
	expect_error("enumerate = no\r\n\r\nlock_timeout = x\r\n", 3,
		     "not a number");
	/* a lone CR is not a line break */
	expect_error("enumerate = no\rlock_timeout = 1\n", 1, "yes or no");
}

static void test_shipped_conf(void **state)
{
	/* conf/svcacct.conf documents the defaults: as shipped it parses,
	 * and with every "#key = value" line enabled it changes nothing. */
	const char *top = getenv("top_srcdir");
	char path[4096], err[SV_CONF_ERRLEN];
	struct sv_config c, d;
	(void)state;
	if (!top) {
		print_message("# top_srcdir not set, skipped\n");
		skip();
	}
	snprintf(path, sizeof(path), "%s/conf/svcacct.conf", top);
	FILE *f = fopen(path, "r");
	if (!f) {
		print_message("# %s not found, skipped\n", path);
		skip();
	}
	char buf[65536];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	sv_config_defaults(&c);
	assert_int_equal(sv_config_parse(&c, buf, n, path, err, sizeof(err)),
			 0);

	/* enable the commented keys */
	char on[65536];
	size_t o = 0;
	for (char *line = buf; *line;) {
		char *nl = strchr(line, '\n');
		size_t ll = nl ? (size_t)(nl - line) + 1 : strlen(line);
		size_t skip_hash = line[0] == '#' && line[1] >= 'a' &&
				   line[1] <= 'z' && memchr(line, '=', ll);
		memcpy(on + o, line + skip_hash, ll - skip_hash);
		o += ll - skip_hash;
		line += ll;
	}
	on[o] = '\0';
	sv_config_defaults(&c);
	int r = sv_config_parse(&c, on, o, path, err, sizeof(err));
	if (r)
		fail_msg("enabled shipped config refused: %s", err);
	sv_config_defaults(&d);
	expect_numbers(&c, &d, false);
	assert_int_equal(c.enumerate, d.enumerate);
	assert_string_equal(c.home_base, d.home_base);
	assert_string_equal(c.keys_group, d.keys_group);
	assert_int_equal(c.n_audiences, d.n_audiences);
	assert_int_equal(c.n_reserved_group_names, d.n_reserved_group_names);
}

/* ------------------------------------------------------------ files */

struct fixture {
	char dir[TEST_TMPDIR_LEN]; /* first: see test_tmpdir_fixture_new */
	char conf[128];
};

static int setup_dir(void **state)
{
	struct fixture *f = test_tmpdir_fixture_new(sizeof(*f), "config");
	if (!f)
		return -1;
	snprintf(f->conf, sizeof(f->conf), "%s/svcacct.conf", f->dir);
	*state = f;
	return 0;
}

static int teardown_dir(void **state)
{
	/* test_tmpdir_fixture_* take the fixture as its dir */
	_Static_assert(offsetof(struct fixture, dir) == 0, "dir comes first");
	return test_tmpdir_fixture_free(*state);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void need_root(void)
{
	if (geteuid() != 0) {
		print_message("# needs root (chown), skipped\n");
		skip();
	}
}

/* A config whose store lives in the fixture directory. */
static void write_conf(struct fixture *f, const char *extra, mode_t mode)
{
	char text[1024];
	snprintf(text, sizeof(text),
		 "db_dir = %s/db\nstate_dir = %s/state\nlock_timeout = 3\n%s",
		 f->dir, f->dir, extra ? extra : "");
	write_file(f->conf, text, mode);
}

static void expect_load(struct fixture *f, bool check_owner, int want,
			const char *what)
{
	struct sv_config c;
	char err[SV_CONF_ERRLEN] = "";
	int r = sv_config_load(&c, f->conf, check_owner, err, sizeof(err));
	if (r != want)
		fail_msg("load gave %d (%s), want %d", r, err, want);
	if (what && !strstr(err, what))
		fail_msg("message '%s' lacks '%s'", err, what);
}

static void test_load_ok(void **state)
{
	struct fixture *f = *state;
	struct sv_config c;
	char err[SV_CONF_ERRLEN] = "", want[128];
	need_root();
	write_conf(f, "enumerate = no\n", 0644);
	assert_int_equal(sv_config_load(&c, f->conf, true, err, sizeof(err)),
			 0);
	snprintf(want, sizeof(want), "%s/db", f->dir);
	assert_string_equal(c.db_dir, want);
	assert_int_equal(c.lock_timeout, 3);
	assert_false(c.enumerate);
	/* keys not in the file keep their defaults */
	assert_int_equal(c.uid_min, 70000);
	/* existing safe directories are fine too */
	snprintf(want, sizeof(want), "%s/db", f->dir);
	assert_int_equal(mkdir(want, 0755), 0);
	assert_int_equal(sv_config_load(&c, f->conf, true, err, sizeof(err)),
			 0);
}

static void test_load_missing(void **state)
{
	struct fixture *f = *state;
	struct sv_config c;
	char err[SV_CONF_ERRLEN] = "";
	memset(&c, 0x5a, sizeof(c));
	assert_int_equal(sv_config_load(&c, f->conf, true, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, f->conf));
	/* defaults are left in place */
	assert_int_equal(c.uid_min, 70000);
	assert_int_equal(c.keep_generations, 10);
	assert_string_equal(c.db_dir, SVCACCT_DB_DIR);
}

static void test_load_parse_error_names_file(void **state)
{
	struct fixture *f = *state;
	char want[256];
	write_conf(f, "\nbogus = 1\n", 0644);
	/* db_dir, state_dir, lock_timeout, blank: the bogus key is line 5 */
	snprintf(want, sizeof(want), "%s:5: unknown key", f->conf);
	expect_load(f, false, -EINVAL, want);
	write_conf(f, "uid_min = 80000\nuid_max = 80100\n", 0644);
	snprintf(want, sizeof(want), "%s:5: ", f->conf);
	expect_load(f, false, -EINVAL, want);
}

static void test_load_unsafe_file(void **state)
{
	struct fixture *f = *state;
	need_root();
	write_conf(f, NULL, 0664);
	expect_load(f, true, -EPERM, f->conf);
	expect_load(f, true, -EPERM, "writable");
	/* not checking owners (e.g. a test harness) */
	expect_load(f, false, 0, NULL);

	write_conf(f, NULL, 0646);
	expect_load(f, true, -EPERM, f->conf);

	write_conf(f, NULL, 0644);
	expect_load(f, true, 0, NULL);
	assert_int_equal(chown(f->conf, 65534, 0), 0);
	expect_load(f, true, -EPERM, f->conf);
	expect_load(f, true, -EPERM, "owned by uid 65534");
	assert_int_equal(chown(f->conf, 0, 65534), 0);
	/* a foreign group without write permission is harmless */
	expect_load(f, true, 0, NULL);
}

static void test_load_unsafe_parent(void **state)
{
	struct fixture *f = *state;
	need_root();
	write_conf(f, NULL, 0644);
	expect_load(f, true, 0, NULL);
	/* the directory holding the config is world-writable: anyone can
	 * replace the file */
	assert_int_equal(chmod(f->dir, 0777), 0);
	expect_load(f, true, -EPERM, f->dir);
	/* sticky: the usual /tmp arrangement, accepted */
	assert_int_equal(chmod(f->dir, 01777), 0);
	expect_load(f, true, 0, NULL);
	assert_int_equal(chmod(f->dir, 0700), 0);
	assert_int_equal(chown(f->dir, 65534, 0), 0);
	expect_load(f, true, -EPERM, "owned by uid 65534");
	assert_int_equal(chown(f->dir, 0, 0), 0);
	expect_load(f, true, 0, NULL);
}

static void test_load_unsafe_store_dirs(void **state)
{
	struct fixture *f = *state;
	char dir[256], extra[512];
	need_root();

	/* db_dir exists and is group-writable */
	snprintf(dir, sizeof(dir), "%s/db", f->dir);
	assert_int_equal(mkdir(dir, 0775), 0);
	assert_int_equal(chmod(dir, 0775), 0);
	write_conf(f, NULL, 0644);
	expect_load(f, true, -EPERM, dir);
	expect_load(f, true, -EPERM, f->conf);
	assert_int_equal(chmod(dir, 0755), 0);
	expect_load(f, true, 0, NULL);
	assert_int_equal(chown(dir, 65534, 65534), 0);
	expect_load(f, true, -EPERM, dir);
	assert_int_equal(chown(dir, 0, 0), 0);

	/* state_dir does not exist yet, but its parent is world-writable */
	snprintf(dir, sizeof(dir), "%s/open", f->dir);
	assert_int_equal(mkdir(dir, 0777), 0);
	assert_int_equal(chmod(dir, 0777), 0);
	snprintf(extra, sizeof(extra), "state_dir = %s/open/state\n", f->dir);
	write_conf(f, extra, 0644);
	expect_load(f, true, -EPERM, dir);
	/* with the sticky bit it is fine */
	assert_int_equal(chmod(dir, 01777), 0);
	expect_load(f, true, 0, NULL);
	/* neither it nor its parent exist yet: checked when created */
	snprintf(extra, sizeof(extra), "state_dir = %s/no/such/state\n",
		 f->dir);
	write_conf(f, extra, 0644);
	expect_load(f, true, 0, NULL);
}

static void test_load_not_regular(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(mkdir(f->conf, 0755), 0);
	expect_load(f, false, -EINVAL, "not a regular file");
	assert_int_equal(rmdir(f->conf), 0);
}

static void test_load_too_big(void **state)
{
	struct fixture *f = *state;
	FILE *fp = fopen(f->conf, "w");
	assert_non_null(fp);
	for (int i = 0; i < 300 * 1024 / 16; i++)
		fputs("# padding line\n\n", fp);
	assert_int_equal(fclose(fp), 0);
	expect_load(f, false, -EFBIG, f->conf);
}

/* A file of n bytes ('a' + i % 26), open at its start. */
static int file_of(size_t n)
{
	FILE *fp = tmpfile();
	assert_non_null(fp);
	int fd = dup(fileno(fp));
	fclose(fp);
	for (size_t i = 0; i < n; i++) {
		char c = (char)('a' + i % 26);
		assert_int_equal(write(fd, &c, 1), 1);
	}
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static void test_read_fd(void **state)
{
	/* past the first 4096 bytes the buffer grows: max not a power of 2 */
	const size_t max = 10000;
	char *buf = (char *)1, fixed[8];
	size_t len = 1;
	int fd;

	(void)state;
	fd = file_of(0);
	assert_int_equal(sv_read_fd(fd, max, &buf, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);
	close(fd);

	fd = file_of(max);
	assert_int_equal(sv_read_fd(fd, max, &buf, &len), 0);
	assert_int_equal(len, max);
	assert_int_equal(strlen(buf), max);
	assert_int_equal(buf[max - 1], 'a' + (max - 1) % 26);
	free(buf);
	close(fd);

	/* one byte more than max: refused, nothing handed out */
	fd = file_of(max + 1);
	assert_int_equal(sv_read_fd(fd, max, &buf, &len), -EFBIG);
	assert_null(buf);
	assert_int_equal(len, 0);
	close(fd);
	assert_int_equal(sv_read_fd(-1, max, &buf, &len), -EBADF);
	assert_null(buf);

	/* a fixed buffer: filled up to cap, or to the end */
	fd = file_of(5);
	assert_int_equal(sv_read_all(fd, fixed, 3), 3);
	assert_memory_equal(fixed, "abc", 3);
	assert_int_equal(sv_read_all(fd, fixed, sizeof(fixed)), 2);
	assert_memory_equal(fixed, "de", 2);
	assert_int_equal(sv_read_all(fd, fixed, sizeof(fixed)), 0);
	close(fd);
	assert_int_equal(sv_read_all(-1, fixed, sizeof(fixed)), -EBADF);
}

static void test_path_is_safe(void **state)
{
	struct fixture *f = *state;
	char a[256], b[256], err[SV_CONF_ERRLEN], p[600];
	need_root();
	snprintf(a, sizeof(a), "%s/parent", f->dir);
	snprintf(b, sizeof(b), "%s/parent/child", f->dir);
	assert_int_equal(mkdir(a, 0755), 0);
	assert_int_equal(mkdir(b, 0755), 0);
	assert_int_equal(sv_path_is_safe(b, err, sizeof(err)), 0);
	/* trailing slash: the same directory */
	snprintf(p, sizeof(p), "%s/", b);
	assert_int_equal(sv_path_is_safe(p, err, sizeof(err)), 0);

	/* parent world-writable without sticky bit: refused, naming it */
	assert_int_equal(chmod(a, 0777), 0);
	err[0] = '\0';
	assert_int_equal(sv_path_is_safe(b, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, a));
	assert_null(strstr(err, "child"));
	/* group-writable parent likewise */
	assert_int_equal(chmod(a, 0775), 0);
	assert_int_equal(sv_path_is_safe(b, err, sizeof(err)), -EPERM);
	/* sticky parent: fine */
	assert_int_equal(chmod(a, 01777), 0);
	assert_int_equal(sv_path_is_safe(b, err, sizeof(err)), 0);
	/* but a sticky bit on a file does not excuse it */
	assert_int_equal(chmod(a, 0755), 0);
	snprintf(p, sizeof(p), "%s/file", b);
	write_file(p, "x", 01666);
	assert_int_equal(sv_path_is_safe(p, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, p));
	assert_int_equal(unlink(p), 0);

	/* leaf owned by someone else */
	assert_int_equal(chown(b, 65534, 0), 0);
	assert_int_equal(sv_path_is_safe(b, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "65534"));
	assert_int_equal(chown(b, 0, 0), 0);

	/* a symlinked leaf is judged by its target as well */
	snprintf(p, sizeof(p), "%s/p", f->dir);
	assert_int_equal(symlink(b, p), 0);
	assert_int_equal(sv_path_is_safe(p, err, sizeof(err)), 0);
	assert_int_equal(chmod(b, 0777), 0);
	assert_int_equal(sv_path_is_safe(p, err, sizeof(err)), -EPERM);
	assert_int_equal(chmod(b, 0755), 0);

	/* not there, not absolute */
	snprintf(p, sizeof(p), "%s/nope", f->dir);
	assert_int_equal(sv_path_is_safe(p, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, p));
	assert_int_equal(sv_path_is_safe("tmp/x", err, sizeof(err)), -EINVAL);
	assert_int_equal(sv_path_is_safe("/", err, sizeof(err)), 0);
}

/* ------------------------------------------------------------ served IDs */

/* sv_config_uid_served must agree with sv_uid_acceptable, the readers'
 * rule, on every ID: the tools name exactly what the modules hide. */
static void expect_uid_agrees(const struct sv_config *c, uint32_t id)
{
	const char *key = "unset";
	char why[512] = "";
	int r = sv_config_uid_served(c, id, &key, why, sizeof(why));
	if ((r == 0) != sv_uid_acceptable(c, id))
		fail_msg("UID %u: served %d, acceptable %d", id, r,
			 sv_uid_acceptable(c, id));
	if (r == 0 && key)
		fail_msg("UID %u served, yet key %s", id, key);
	if (r != 0 && r != -ERANGE)
		fail_msg("UID %u: %d", id, r);
}

static void expect_gid_agrees(const struct sv_config *c, uint32_t id)
{
	const char *key = "unset";
	char why[512] = "";
	int r = sv_config_role_gid_served(c, id, &key, why, sizeof(why));
	bool want = sv_role_gid_acceptable(c, id) && id != c->base_gid;
	if ((r == 0) != want)
		fail_msg("GID %u: served %d, want %d", id, r, want);
	if (r == 0 && key)
		fail_msg("GID %u served, yet key %s", id, key);
}

static const uint32_t edge_ids[] = {
    0,	   1,	  999,	 1000,	   1001,	65533,	     65534,	 65535,
    65536, 69999, 70000, 70001,	   79999,	80000,	     80001,	 80002,
    89999, 90000, 99999, 1u << 31, 4294967293u, 4294967294u, UINT32_MAX,
};

static void test_served_agrees_with_readers(void **state)
{
	struct sv_config c;
	char err[SV_CONF_ERRLEN];
	static const char *const confs[] = {
	    "",
	    "uid_min = 70002\n",
	    "uid_min = 1000\nuid_max = 65533\ngid_min = 65536\n"
	    "gid_max = 65600\nbase_gid = 65601\n",
	    "gid_min = 80002\nbase_gid = 80001\n",
	    "uid_min = 4294967200\nuid_max = 4294967294\nbase_gid = 1000\n",
	};
	(void)state;
	for (size_t i = 0; i < SV_ARRAY_SIZE(confs); i++) {
		assert_int_equal(parse(&c, confs[i], err), 0);
		for (size_t k = 0; k < SV_ARRAY_SIZE(edge_ids); k++) {
			uint32_t id = edge_ids[k];
			expect_uid_agrees(&c, id);
			expect_gid_agrees(&c, id);
			/* and around every bound of this configuration */
			uint32_t b[] = {c.uid_min, c.uid_max, c.gid_min,
					c.gid_max, c.base_gid};
			for (size_t m = 0; m < SV_ARRAY_SIZE(b); m++)
				for (int d = -1; d <= 1; d++) {
					expect_uid_agrees(&c,
							  b[m] + (uint32_t)d);
					expect_gid_agrees(&c,
							  b[m] + (uint32_t)d);
				}
		}
	}
}

static void test_uid_served_names_key(void **state)
{
	struct sv_config c;
	char err[SV_CONF_ERRLEN], why[512];
	const char *key;
	(void)state;
	assert_int_equal(parse(&c, "uid_min = 70002\nuid_max = 70010\n", err),
			 0);
	assert_int_equal(sv_config_uid_served(&c, 70005, &key, why, 512), 0);
	assert_null(key);
	assert_int_equal(sv_config_uid_served(&c, 70001, &key, why, 512),
			 -ERANGE);
	assert_string_equal(key, "uid_min");
	assert_string_equal(why, "UID 70001 is below uid_min 70002: set "
				 "uid_min to 70001 or lower");
	assert_int_equal(sv_config_uid_served(&c, 70011, &key, why, 512),
			 -ERANGE);
	assert_string_equal(key, "uid_max");
	assert_string_equal(why, "UID 70011 is above uid_max 70010: set "
				 "uid_max to 70011 or higher");
	/* a fix that would overlap the GID range says so */
	assert_int_equal(sv_config_uid_served(&c, 85000, &key, why, 512),
			 -ERANGE);
	assert_string_equal(key, "uid_max");
	assert_non_null(strstr(why, "set uid_max to 85000 or higher (alone, "
				    "that change is refused: UID range "
				    "70002..85000 overlaps GID range "));
	/* IDs that no configuration serves: no key */
	assert_int_equal(sv_config_uid_served(&c, 999, &key, why, 512),
			 -ERANGE);
	assert_null(key);
	assert_string_equal(
	    why, "UID 999 is below 1000, which no configuration serves");
	assert_int_equal(sv_config_uid_served(&c, 65534, &key, why, 512),
			 -ERANGE);
	assert_null(key);
	assert_int_equal(sv_config_uid_served(&c, UINT32_MAX, &key, why, 512),
			 -ERANGE);
	assert_null(key);
	/* a short buffer is cut, never overrun; none at all is fine */
	char tiny[8];
	memset(tiny, 'x', sizeof(tiny));
	assert_int_equal(sv_config_uid_served(&c, 85000, &key, tiny, 5),
			 -ERANGE);
	assert_int_equal(strlen(tiny), 4);
	assert_int_equal(tiny[5], 'x');
	assert_int_equal(sv_config_uid_served(&c, 85000, &key, NULL, 0),
			 -ERANGE);
}

static void test_role_gid_served_names_key(void **state)
{
	struct sv_config c;
	char err[SV_CONF_ERRLEN], why[512];
	const char *key;
	(void)state;
	assert_int_equal(parse(&c, "gid_min = 80002\nbase_gid = 80001\n", err),
			 0);
	assert_int_equal(sv_config_role_gid_served(&c, 80002, &key, why, 512),
			 0);
	assert_null(key);
	/* the base group's GID: acceptable to the readers as a group, never
	 * as a role */
	assert_true(sv_role_gid_acceptable(&c, 80001));
	assert_int_equal(sv_config_role_gid_served(&c, 80001, &key, why, 512),
			 -ERANGE);
	assert_string_equal(key, "base_gid");
	assert_non_null(strstr(why, "GID 80001 is base_gid"));
	assert_int_equal(sv_config_role_gid_served(&c, 80000, &key, why, 512),
			 -ERANGE);
	assert_string_equal(key, "gid_min");
	/* that would take in base_gid: said */
	assert_string_equal(why, "GID 80000 is below gid_min 80002: set "
				 "gid_min to 80000 or lower (alone, that "
				 "change is refused: base_gid 80001 lies "
				 "inside the UID or GID range)");
	assert_int_equal(sv_config_role_gid_served(&c, 90000, &key, why, 512),
			 -ERANGE);
	assert_string_equal(key, "gid_max");
	assert_string_equal(why, "GID 90000 is above gid_max 89999: set "
				 "gid_max to 90000 or higher");
	/* lowering gid_min onto the UID range would be refused: said */
	assert_int_equal(sv_config_role_gid_served(&c, 75000, &key, why, 512),
			 -ERANGE);
	assert_string_equal(key, "gid_min");
	assert_non_null(strstr(why, "(alone, that change is refused: UID "
				    "range 70000..79999 overlaps GID range "
				    "75000..89999)"));
	assert_int_equal(parse(&c, "gid_min = 80010\n", err), 0);
	assert_int_equal(sv_config_role_gid_served(&c, 80005, &key, why, 512),
			 -ERANGE);
	assert_string_equal(key, "gid_min");
	assert_string_equal(why, "GID 80005 is below gid_min 80010: set "
				 "gid_min to 80005 or lower");
	assert_int_equal(sv_config_role_gid_served(&c, 0, &key, why, 512),
			 -ERANGE);
	assert_null(key);
	assert_int_equal(sv_config_role_gid_served(&c, 65535, &key, why, 512),
			 -ERANGE);
	assert_null(key);
}

static void test_dirs_safe(void **state)
{
	struct fixture *f = *state;
	struct sv_config c;
	char err[SV_CONF_ERRLEN] = "", dir[256];
	need_root();
	sv_config_defaults(&c);
	snprintf(c.db_dir, sizeof(c.db_dir), "%s/db", f->dir);
	snprintf(c.state_dir, sizeof(c.state_dir), "%s/state", f->dir);
	/* neither exists: their parent is safe */
	assert_int_equal(sv_config_dirs_safe(&c, err, sizeof(err)), 0);
	snprintf(dir, sizeof(dir), "%s/open", f->dir);
	assert_int_equal(mkdir(dir, 0777), 0);
	assert_int_equal(chmod(dir, 0777), 0);
	snprintf(c.state_dir, sizeof(c.state_dir), "%s/open/state", f->dir);
	assert_int_equal(sv_config_dirs_safe(&c, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, dir));
	assert_non_null(strstr(err, "writable by group or others"));
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(sv_config_dirs_safe(&c, err, sizeof(err)), 0);
	snprintf(c.db_dir, sizeof(c.db_dir), "%s/open", f->dir);
	assert_int_equal(chown(dir, 65534, 0), 0);
	assert_int_equal(sv_config_dirs_safe(&c, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "owned by uid 65534"));
}

/* ------------------------------------------------------------ client */

/* text, as svcacct-assert's client configuration, must be refused with
 * -EINVAL and "test.conf:LINE: ..." naming what, and leave *c as it
 * was before that line. */
static void client_error_at(const char *text, unsigned line, const char *what,
			    int at)
{
	struct sv_client_config c;
	char err[SV_CONF_ERRLEN] = "";
	sv_client_config_defaults(&c);
	int r = sv_client_config_parse(&c, text, strlen(text), NAME, err,
				       sizeof(err));
	check_refusal(r, err, line, what, at);
}
#define client_error(text, line, what)                                         \
	client_error_at(text, line, what, __LINE__)

static void test_client_every_key(void **state)
{
	(void)state;
	struct sv_client_config c;
	char err[SV_CONF_ERRLEN] = "";
	const char *text = "# the bot's client settings\n"
			   "key = /home/bot/.config/svcacct/bot.key\n"
			   "account = bot\n"
			   "audience = svcacct:web1\n"
			   "kid = k-2024\n"
			   "scope = deploy, read svcacct\n"
			   "token_file = /home/bot/.config/svcacct/bot.secret\n"
			   "lifetime = 300\n";

	sv_client_config_defaults(&c);
	assert_int_equal(c.lifetime, SV_CLIENT_LIFETIME_DEFAULT);
	assert_string_equal(c.key, "");
	assert_int_equal(c.n_scope, 0);
	assert_int_equal(sv_client_config_parse(&c, text, strlen(text), NAME,
						err, sizeof(err)),
			 0);
	assert_string_equal(c.key, "/home/bot/.config/svcacct/bot.key");
	assert_string_equal(c.account, "bot");
	assert_string_equal(c.audience, "svcacct:web1");
	assert_string_equal(c.kid, "k-2024");
	assert_int_equal(c.n_scope, 3);
	assert_string_equal(c.scope[0], "deploy");
	assert_string_equal(c.scope[1], "read");
	assert_string_equal(c.scope[2], "svcacct");
	assert_string_equal(c.token_file,
			    "/home/bot/.config/svcacct/bot.secret");
	assert_int_equal(c.lifetime, 300);
}

static void test_client_refusals(void **state)
{
	(void)state;
	/* the keys of svcacct.conf are not the client's, and the reverse */
	client_error("account = bot\naudiance = svcacct:x\n", 2,
		     "unknown key 'audiance'");
	client_error("uid_min = 70000\n", 1, "unknown key 'uid_min'");
	client_error("account bot\n", 1, "key = value");
	/* a key path relative to whatever directory ssh runs in */
	client_error("key = bot.key\n", 1,
		     "key: 'bot.key' is not a plain absolute path");
	client_error("token_file = ~/t\n", 1,
		     "token_file: '~/t' is not a "
		     "plain absolute path");
	client_error("account =\n", 1, "account: empty value");
	client_error("audience = svcacct: web1\n", 1, "audience: bad name");
	client_error("kid = a b\n", 1, "kid: bad name");
	client_error("lifetime = 0\n", 1, "lifetime: 0 out of range 1..300");
	client_error("lifetime = 301\n", 1, "lifetime: 301 out of range");
	client_error("lifetime = 1m\n", 1, "lifetime: '1m' is not a number");
	client_error("scope = deploy,Bad\n", 1,
		     "scope: bad entry 'Bad': not a role name");
	client_error("scope = root\n", 1, "scope: bad entry 'root'");
	char longer[200];
	snprintf(longer, sizeof(longer), "account = %040d\n", 1);
	client_error(longer, 1, "account: bad name");
}

static void test_client_load(void **state)
{
	const char *dir = ((struct fixture *)*state)->dir;
	struct sv_client_config c;
	char path[PATH_MAX], link[PATH_MAX], err[SV_CONF_ERRLEN];

	snprintf(path, sizeof(path), "%s/assert.conf", dir);
	assert_int_equal(sv_client_config_load(&c, path, err, sizeof(err)),
			 -ENOENT);
	assert_int_equal(c.lifetime, SV_CLIENT_LIFETIME_DEFAULT);
	write_file(path, "account = bot\nlifetime = 30\n", 0644);
	assert_int_equal(sv_client_config_load(&c, path, err, sizeof(err)), 0);
	assert_string_equal(c.account, "bot");
	assert_int_equal(c.lifetime, 30);
	/* writable by others: whoever can edit it picks the audience */
	assert_int_equal(chmod(path, 0664), 0);
	assert_int_equal(sv_client_config_load(&c, path, err, sizeof(err)),
			 -EPERM);
	assert_non_null(strstr(err, "not writable by group or others"));
	assert_int_equal(c.lifetime, SV_CLIENT_LIFETIME_DEFAULT);
	assert_int_equal(chmod(path, 0600), 0);
	/* a symlink is not followed */
	snprintf(link, sizeof(link), "%s/link.conf", dir);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(sv_client_config_load(&c, link, err, sizeof(err)),
			 -ELOOP);
	/* a directory is no configuration file */
	assert_int_equal(sv_client_config_load(&c, dir, err, sizeof(err)),
			 -EPERM);
	/* nor a file of another user (the tests run as root) */
	if (geteuid() == 0) {
		assert_int_equal(chown(path, 65534, 65534), 0);
		assert_int_equal(
		    sv_client_config_load(&c, path, err, sizeof(err)), -EPERM);
		assert_non_null(strstr(err, "must be a regular file of yours"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_comments_blank_lines),
	    cmocka_unit_test(test_every_key),
	    cmocka_unit_test(test_bools),
	    cmocka_unit_test(test_duplicate_key_last_wins),
	    cmocka_unit_test(test_unknown_key),
	    cmocka_unit_test(test_missing_equals),
	    cmocka_unit_test(test_bad_numbers),
	    cmocka_unit_test(test_number_ranges),
	    cmocka_unit_test(test_durations),
	    cmocka_unit_test(test_group_members_max),
	    cmocka_unit_test(test_paths),
	    cmocka_unit_test(test_keys_group),
	    cmocka_unit_test(test_lists),
	    cmocka_unit_test(test_reserved_group_names),
	    cmocka_unit_test(test_overlapping_ranges),
	    cmocka_unit_test(test_ranges_with_nobody),
	    cmocka_unit_test(test_line_too_long),
	    cmocka_unit_test(test_nul_byte),
	    cmocka_unit_test(test_crlf_line_numbers),
	    cmocka_unit_test(test_shipped_conf),
	    cmocka_unit_test(test_served_agrees_with_readers),
	    cmocka_unit_test(test_uid_served_names_key),
	    cmocka_unit_test(test_role_gid_served_names_key),
	    cmocka_unit_test_setup_teardown(test_dirs_safe, setup_dir,
					    teardown_dir),
	    cmocka_unit_test_setup_teardown(test_load_ok, setup_dir,
					    teardown_dir),
	    cmocka_unit_test_setup_teardown(test_load_missing, setup_dir,
					    teardown_dir),
	    cmocka_unit_test_setup_teardown(test_load_parse_error_names_file,
					    setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_load_unsafe_file, setup_dir,
					    teardown_dir),
	    cmocka_unit_test_setup_teardown(test_load_unsafe_parent, setup_dir,
					    teardown_dir),
	    cmocka_unit_test_setup_teardown(test_load_unsafe_store_dirs,
					    setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_load_not_regular, setup_dir,
					    teardown_dir),
	    cmocka_unit_test_setup_teardown(test_load_too_big, setup_dir,
					    teardown_dir),
	    cmocka_unit_test_setup_teardown(test_path_is_safe, setup_dir,
					    teardown_dir),
	    cmocka_unit_test(test_read_fd),
	    cmocka_unit_test(test_client_every_key),
	    cmocka_unit_test(test_client_refusals),
	    cmocka_unit_test_setup_teardown(test_client_load, setup_dir,
					    teardown_dir),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
