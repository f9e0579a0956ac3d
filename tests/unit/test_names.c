/* SPDX-License-Identifier: MIT */
/* Unit tests for common/store/names.c: account/role names, free-text fields,
 * paths, and which UIDs/GIDs may ever be served. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "names.h"
#include "util.h"

struct case_ {
	const char *s;
	bool ok;
	const char *why; /* substring of the message when refused */
};

static char *repeat(char *buf, size_t cap, char ch, size_t n)
{
	assert_true(n < cap);
	memset(buf, ch, n);
	buf[n] = '\0';
	return buf;
}

/* ------------------------------------------------------------ names */

static void check_name(const char *name, bool ok, const char *why)
{
	char err[256] = "";
	int r = sv_name_check(name, err, sizeof(err));
	if (ok && r != 0)
		fail_msg("'%s' refused (%d): %s", name, r, err);
	if (!ok) {
		if (r != -EINVAL)
			fail_msg("'%s' gave %d, want -EINVAL", name, r);
		if (!err[0])
			fail_msg("'%s' refused without a message", name);
		if (why && !strstr(err, why))
			fail_msg("'%s': message '%s' lacks '%s'", name, err,
				 why);
	}
}

static void test_name_table(void **state)
{
	static const struct case_ cases[] = {
	    {"a", true, NULL},
	    {"_", true, NULL},
	    {"_a", true, NULL},
	    {"ci-bot", true, NULL},
	    {"ci_bot_2", true, NULL},
	    {"a1", true, NULL},
	    {"a-", true, NULL},
	    {"svcacct2", true, NULL},
	    {"roots", true, NULL},
	    {"x-0-9", true, NULL},
	    {"", false, "1 to 32"},
	    {"1bot", false, "invalid"},
	    {"0", false, NULL},
	    {"123", false, NULL},
	    {"9999999", false, NULL},
	    {"-bot", false, "invalid"},
	    {"-", false, NULL},
	    {"Bot", false, "invalid"},
	    {"boT", false, "invalid"},
	    {"ABC", false, NULL},
	    {"bot.x", false, "invalid"},
	    {"bot x", false, "invalid"},
	    {"bot:x", false, "invalid"},
	    {"bot/x", false, "invalid"},
	    {"bot\n", false, "invalid"},
	    {"bot\t", false, "invalid"},
	    {"b\xc3\xa9", false, "invalid"},
	    {"bot$", false, "invalid"},
	    {"root", false, "reserved"},
	    {"svcacct", false, "reserved"},
	    {"nobody", false, "reserved"},
	    {"nogroup", false, "reserved"},
	    {"daemon", false, "reserved"},
	    {"sshd", false, "reserved"},
	};
	(void)state;
	for (size_t i = 0; i < SV_ARRAY_SIZE(cases); i++)
		check_name(cases[i].s, cases[i].ok, cases[i].why);
}

static void test_name_length(void **state)
{
	char buf[64];
	(void)state;
	check_name(repeat(buf, sizeof(buf), 'a', 31), true, NULL);
	check_name(repeat(buf, sizeof(buf), 'a', 32), true, NULL);
	check_name(repeat(buf, sizeof(buf), 'a', 33), false, "1 to 32");
	check_name(repeat(buf, sizeof(buf), 'z', 60), false, "1 to 32");
	/* 32 with digits and dashes after the first */
	check_name("a0123456789-0123456789_012345678", true, NULL);
	assert_int_equal(strlen("a0123456789-0123456789_012345678"), 32);
}

static void test_name_err_null_ok(void **state)
{
	(void)state;
	/* callers that only want the verdict pass no buffer */
	assert_int_equal(sv_name_check("root", NULL, 0), -EINVAL);
	assert_int_equal(sv_name_check("bot", NULL, 0), 0);
}

/* ------------------------------------------------------------ fields */

static void check_field(const char *s, size_t max, bool ok, const char *why)
{
	char err[256] = "";
	int r = sv_field_check("description", s, max, err, sizeof(err));
	if (ok && r != 0)
		fail_msg("field '%s' refused (%d): %s", s, r, err);
	if (!ok) {
		if (r != -EINVAL)
			fail_msg("field '%s' gave %d, want -EINVAL", s, r);
		if (!strstr(err, "description"))
			fail_msg("message '%s' does not name the field", err);
		if (why && !strstr(err, why))
			fail_msg("field '%s': message '%s' lacks '%s'", s, err,
				 why);
	}
}

static void test_field_table(void **state)
{
	(void)state;
	check_field("", 64, true, NULL);
	check_field("CI bot for repo x (team@example.org)", 64, true, NULL);
	check_field("caf\xc3\xa9 \xe2\x82\xac", 64, true, NULL);
	check_field("tilde~ and # and ; and ,", 64, true, NULL);
	check_field("a:b", 64, false, "':'");
	check_field(":", 64, false, "':'");
	check_field("line\nbreak", 64, false, "control");
	check_field("trailing\n", 64, false, "control");
	check_field("cr\r", 64, false, "control");
	check_field("tab\there", 64, false, "control");
	check_field("del\x7f", 64, false, "control");
	check_field("\x01", 64, false, "control");
	check_field("esc\x1b[31m", 64, false, "control");
}

static void test_field_length(void **state)
{
	char buf[300];
	(void)state;
	check_field(repeat(buf, sizeof(buf), 'x', 255), 255, true, NULL);
	check_field(repeat(buf, sizeof(buf), 'x', 256), 255, false, "255");
	check_field(repeat(buf, sizeof(buf), 'x', 1), 0, false, "longer");
	check_field("", 0, true, NULL);
}

/* ------------------------------------------------------------ paths */

static void check_path(const char *s, bool ok)
{
	char err[512] = "";
	int r = sv_path_check("home", s, err, sizeof(err));
	if (ok && r != 0)
		fail_msg("path '%s' refused (%d): %s", s, r, err);
	if (!ok) {
		if (r != -EINVAL)
			fail_msg("path '%s' gave %d, want -EINVAL", s, r);
		if (!strstr(err, "home"))
			fail_msg("message '%s' does not name the field", err);
	}
}

static void test_path_table(void **state)
{
	static const struct case_ cases[] = {
	    {"/", true, NULL},
	    {"/var/lib/svcacct/home/bot", true, NULL},
	    {"/usr/sbin/nologin", true, NULL},
	    {"/a.b/..c/c..", true, NULL},
	    {"/.hidden", true, NULL},
	    {"", false, NULL},
	    {"relative", false, NULL},
	    {"relative/dir", false, NULL},
	    {"./x", false, NULL},
	    {"../x", false, NULL},
	    {".", false, NULL},
	    {"..", false, NULL},
	    {"/..", false, NULL},
	    {"/.", false, NULL},
	    {"/a/..", false, NULL},
	    {"/a/../b", false, NULL},
	    {"/a/./b", false, NULL},
	    {"/a/.", false, NULL},
	    {"//", false, NULL},
	    {"//a", false, NULL},
	    {"/a//b", false, NULL},
	    {"/a/", false, NULL},
	    {"/a/b/", false, NULL},
	    {"/a b", false, NULL},
	    {"/a:b", false, NULL},
	    {"/a\nb", false, NULL},
	    {"/a\tb", false, NULL},
	};
	(void)state;
	for (size_t i = 0; i < SV_ARRAY_SIZE(cases); i++)
		check_path(cases[i].s, cases[i].ok);
}

static void test_path_length(void **state)
{
	char buf[300];
	(void)state;
	repeat(buf, sizeof(buf), 'p', 255);
	buf[0] = '/';
	check_path(buf, true);
	repeat(buf, sizeof(buf), 'p', 256);
	buf[0] = '/';
	check_path(buf, false);
}

/* ------------------------------------------------------------ numbers */

static void test_uid_boundaries(void **state)
{
	struct sv_config c;
	(void)state;
	sv_config_defaults(&c);
	assert_int_equal(c.uid_min, 70000);
	assert_int_equal(c.uid_max, 79999);
	assert_false(sv_uid_acceptable(&c, c.uid_min - 1));
	assert_true(sv_uid_acceptable(&c, c.uid_min));
	assert_true(sv_uid_acceptable(&c, c.uid_min + 1));
	assert_true(sv_uid_acceptable(&c, c.uid_max));
	assert_false(sv_uid_acceptable(&c, c.uid_max + 1));
	assert_false(sv_uid_acceptable(&c, 0));
	assert_false(sv_uid_acceptable(&c, 999));
	assert_false(sv_uid_acceptable(&c, 1000));
	assert_false(sv_uid_acceptable(&c, 65534));
	assert_false(sv_uid_acceptable(&c, 65535));
	assert_false(sv_uid_acceptable(&c, UINT32_MAX));
	/* the base GID and role GIDs are not account UIDs */
	assert_false(sv_uid_acceptable(&c, c.base_gid));
	assert_false(sv_uid_acceptable(&c, c.gid_min));
}

static void test_uid_hard_limits(void **state)
{
	/* A tampered or hand-built config must still not make root, system
	 * IDs or nobody servable. */
	struct sv_config c;
	(void)state;
	sv_config_defaults(&c);
	c.uid_min = 0;
	c.uid_max = UINT32_MAX;
	assert_false(sv_uid_acceptable(&c, 0));
	assert_false(sv_uid_acceptable(&c, 1));
	assert_false(sv_uid_acceptable(&c, 999));
	assert_true(sv_uid_acceptable(&c, 1000));
	assert_true(sv_uid_acceptable(&c, 65533));
	assert_false(sv_uid_acceptable(&c, 65534));
	assert_false(sv_uid_acceptable(&c, 65535));
	assert_true(sv_uid_acceptable(&c, 65536));
	assert_false(sv_uid_acceptable(&c, UINT32_MAX));
	c.uid_min = 900;
	c.uid_max = 1100;
	assert_false(sv_uid_acceptable(&c, 999));
	assert_true(sv_uid_acceptable(&c, 1000));
	assert_true(sv_uid_acceptable(&c, 1100));
	assert_false(sv_uid_acceptable(&c, 1101));
}

static void test_gid_boundaries(void **state)
{
	struct sv_config c;
	(void)state;
	sv_config_defaults(&c);
	assert_int_equal(c.base_gid, 80000);
	assert_int_equal(c.gid_min, 80001);
	assert_int_equal(c.gid_max, 89999);
	assert_true(sv_role_gid_acceptable(&c, c.base_gid));
	assert_true(sv_role_gid_acceptable(&c, c.gid_min));
	assert_true(sv_role_gid_acceptable(&c, c.gid_max));
	assert_false(sv_role_gid_acceptable(&c, c.gid_max + 1));
	assert_false(sv_role_gid_acceptable(&c, c.base_gid - 1));
	assert_false(sv_role_gid_acceptable(&c, 0));
	assert_false(sv_role_gid_acceptable(&c, 999));
	assert_false(sv_role_gid_acceptable(&c, 65534));
	assert_false(sv_role_gid_acceptable(&c, 65535));
	assert_false(sv_role_gid_acceptable(&c, UINT32_MAX));
	/* an account UID is not a role GID */
	assert_false(sv_role_gid_acceptable(&c, c.uid_min));

	/* base GID apart from the range: gid_min-1 is then outside */
	c.base_gid = 90000;
	assert_false(sv_role_gid_acceptable(&c, c.gid_min - 1));
	assert_true(sv_role_gid_acceptable(&c, 90000));
	assert_false(sv_role_gid_acceptable(&c, 90001));

	/* a base GID that is never servable stays refused */
	c.base_gid = 65534;
	assert_false(sv_role_gid_acceptable(&c, 65534));
	c.base_gid = 0;
	assert_false(sv_role_gid_acceptable(&c, 0));
	c.base_gid = 999;
	assert_false(sv_role_gid_acceptable(&c, 999));

	/* wide range: hard limits still apply */
	c.base_gid = 80000;
	c.gid_min = 0;
	c.gid_max = UINT32_MAX;
	assert_false(sv_role_gid_acceptable(&c, 999));
	assert_true(sv_role_gid_acceptable(&c, 1000));
	assert_false(sv_role_gid_acceptable(&c, 65534));
	assert_false(sv_role_gid_acceptable(&c, 65535));
	assert_true(sv_role_gid_acceptable(&c, 65536));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_name_table),
	    cmocka_unit_test(test_name_length),
	    cmocka_unit_test(test_name_err_null_ok),
	    cmocka_unit_test(test_field_table),
	    cmocka_unit_test(test_field_length),
	    cmocka_unit_test(test_path_table),
	    cmocka_unit_test(test_path_length),
	    cmocka_unit_test(test_uid_boundaries),
	    cmocka_unit_test(test_uid_hard_limits),
	    cmocka_unit_test(test_gid_boundaries),
	};
	return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}
