/* SPDX-License-Identifier: MIT */
/* Unit tests of the login-path core that the PAM tests cannot pin down
 * exactly: source matching, scope narrowing, the JWS lexical check, the
 * claim time boundaries, the replay cache file (replay.h) and the login's
 * one function that spends a token's single use (login.h), and the PAM
 * phases' decisions that need no store (phase.h). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "assertion.h"
#include "config.h"
#include "login.h"
#include "phase.h"
#include "policy.h"
#include "replay.h"

static void test_source_match(void **state)
{
	(void)state;
	assert_true(sv_source_match("10.0.0.0/8", "10.1.2.3"));
	assert_false(sv_source_match("10.0.0.0/8", "11.0.0.1"));
	assert_true(sv_source_match("192.0.2.7/32", "192.0.2.7"));
	assert_false(sv_source_match("192.0.2.7/32", "192.0.2.8"));
	assert_true(sv_source_match("0.0.0.0/0", "203.0.113.1"));
	assert_true(sv_source_match("192.0.2.128/25", "192.0.2.200"));
	assert_false(sv_source_match("192.0.2.128/25", "192.0.2.100"));
	assert_true(sv_source_match("2001:db8::/32", "2001:db8:1::5"));
	assert_false(sv_source_match("2001:db8::/32", "2001:db9::5"));
	assert_true(sv_source_match("::/0", "::1"));
	/* IPv4-mapped IPv6 is IPv4 */
	assert_true(sv_source_match("10.0.0.0/8", "::ffff:10.0.0.1"));
	assert_false(sv_source_match("::/0", "10.0.0.1"));
	assert_false(sv_source_match("0.0.0.0/0", "::1"));
	/* local: no rhost only */
	assert_true(sv_source_match("local", NULL));
	assert_true(sv_source_match("local", ""));
	assert_false(sv_source_match("local", "127.0.0.1"));
	assert_false(sv_source_match("local", "localhost"));
	assert_false(sv_source_match("local", "example.org"));
	/* host names never match a network, malformed sources nothing */
	assert_false(sv_source_match("0.0.0.0/0", "localhost"));
	assert_false(sv_source_match("10.0.0.0", "10.0.0.1"));
	assert_false(sv_source_match("10.0.0.0/33", "10.0.0.1"));
	assert_false(sv_source_match("10.0.0.0/-1", "10.0.0.1"));
	assert_false(sv_source_match("10.0.0.0/8x", "10.0.0.1"));
	assert_false(sv_source_match("10.0.0.0/", "10.0.0.1"));
	assert_false(sv_source_match("10.0.0.0/8", "10.0.0.1 "));
	assert_false(sv_source_match("10.0.0.0/8", "010.0.0.1"));
}

static void granted2(struct sv_roleset *g)
{
	memset(g, 0, sizeof(*g));
	g->n = 2;
	g->r[0].gid = 80001;
	strcpy(g->r[0].name, "deploy");
	g->r[1].gid = 80002;
	strcpy(g->r[1].name, "read");
}

static void test_scope(void **state)
{
	struct sv_roleset g, e;
	const char *reason = NULL;
	char csv[64];
	(void)state;
	granted2(&g);
	assert_int_equal(sv_policy_scope(&g, "read", 4, &e, &reason), 0);
	assert_int_equal(sv_roleset_csv(&e, csv, sizeof(csv)), 0);
	assert_string_equal(csv, "read");
	assert_int_equal(
	    sv_policy_scope(&g, "  read deploy read ", 19, &e, &reason), 0);
	assert_int_equal(e.n, 2);
	assert_int_equal(sv_policy_scope(&g, "svcacct", 7, &e, &reason), 0);
	assert_int_equal(e.n, 0);
	assert_int_equal(sv_policy_scope(&g, "read admin", 10, &e, &reason),
			 -EACCES);
	assert_string_equal(reason, "scope_not_granted");
	assert_int_equal(e.n, 0);
	assert_int_equal(sv_policy_scope(&g, "Read", 4, &e, &reason), -EACCES);
	assert_int_equal(sv_policy_scope(&g, "  ", 2, &e, &reason), -EINVAL);
	assert_string_equal(reason, "bad_scope");
	assert_int_equal(sv_policy_scope(&g, "", 0, &e, &reason), -EINVAL);
	/* comma is not a separator: "read,deploy" is one unknown name */
	assert_int_equal(sv_policy_scope(&g, "read,deploy", 11, &e, &reason),
			 -EACCES);
}

static void test_narrow_csv(void **state)
{
	struct sv_roleset g, e;
	(void)state;
	granted2(&g);
	sv_policy_narrow_csv(&g, NULL, &e);
	assert_int_equal(e.n, 2);
	sv_policy_narrow_csv(&g, "", &e);
	assert_int_equal(e.n, 0);
	sv_policy_narrow_csv(&g, "read,admin,root,read", &e);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.r[0].gid, 80002);
	sv_policy_narrow_csv(&g, "deploy,read", &e);
	assert_int_equal(e.n, 2);
	sv_policy_narrow_csv(&g, "deployx,rea", &e);
	assert_int_equal(e.n, 0);
}

static void test_jws_split(void **state)
{
	static const struct {
		const char *tok;
		int ok;
	} cases[] = {
	    {"a.b.c", 1},  {"aA0-_.b.c", 1}, {"a..c", 0},    {".b.c", 0},
	    {"a.b.", 0},   {"a.b", 0},	     {"a.b.c.d", 0}, {"a.b.c=", 0},
	    {"a.b.c ", 0}, {"a.b+.c", 0},    {"a.b/.c", 0},  {"a.b.c\n", 0},
	    {"", 0},	   {"...", 0},
	};
	struct sv_jws j;
	const char *reason;
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = sv_jws_split(cases[i].tok, strlen(cases[i].tok), 100,
				     &j, &reason);
		if (cases[i].ok)
			assert_int_equal(r, 0);
		else
			assert_int_equal(r, -EINVAL);
	}
	assert_int_equal(sv_jws_split("a.b.c", 5, 4, &j, &reason), -EINVAL);
	assert_string_equal(reason, "too_long");
	/* an embedded NUL is not base64url */
	assert_int_equal(sv_jws_split("a.b\0.c", 6, 100, &j, &reason), -EINVAL);
	assert_int_equal(sv_jws_split("ab.cd.ef", 8, 100, &j, &reason), 0);
	assert_int_equal(j.hlen, 2);
	assert_int_equal(j.plen, 2);
	assert_int_equal(j.slen, 2);
	assert_memory_equal(j.sig, "ef", 2);
}

static void test_claim_times(void **state)
{
	const char *const aud[] = {"svcacct:h"};
	struct sv_claim_rules ru = {.account = "bot",
				    .audiences = aud,
				    .n_audiences = 1,
				    .now = 1000000,
				    .max_lifetime = 300,
				    .skew = 60};
	struct sv_claims c = {.iss = "bot",
			      .iss_len = 3,
			      .sub = "bot",
			      .sub_len = 3,
			      .aud = "svcacct:h",
			      .aud_len = 9,
			      .jti = "x",
			      .jti_len = 1};
	const char *reason = NULL;
	(void)state;
	c.iat = 1000000;
	c.exp = c.iat + 300;
	assert_int_equal(sv_claims_check(&c, &ru, &reason), 0);
	c.exp = c.iat + 301;
	assert_int_equal(sv_claims_check(&c, &ru, &reason), -EACCES);
	assert_string_equal(reason, "lifetime_too_long");
	c.exp = c.iat - 1; /* exp before iat */
	assert_int_equal(sv_claims_check(&c, &ru, &reason), -EACCES);
	c.iat = 1000000 - 200;
	c.exp = 1000000 - 60; /* expired exactly at the skew: still ok */
	assert_int_equal(sv_claims_check(&c, &ru, &reason), 0);
	c.exp = 1000000 - 61;
	assert_int_equal(sv_claims_check(&c, &ru, &reason), -EACCES);
	assert_string_equal(reason, "expired");
	c.iat = 1000000 + 60;
	c.exp = c.iat + 100;
	assert_int_equal(sv_claims_check(&c, &ru, &reason), 0);
	c.iat = 1000000 + 61;
	assert_int_equal(sv_claims_check(&c, &ru, &reason), -EACCES);
	assert_string_equal(reason, "iat_future");
	c.iat = 1000000;
	c.exp = c.iat + 100;
	c.has_nbf = true;
	c.nbf = 1000000 + 60;
	assert_int_equal(sv_claims_check(&c, &ru, &reason), 0);
	c.nbf = 1000000 + 61;
	assert_int_equal(sv_claims_check(&c, &ru, &reason), -EACCES);
	assert_string_equal(reason, "not_yet_valid");
	c.has_nbf = false;
	c.aud = "svcacct:h2";
	c.aud_len = 10;
	assert_int_equal(sv_claims_check(&c, &ru, &reason), -EACCES);
	assert_string_equal(reason, "bad_aud");
	c.aud = "svcacct:h";
	c.aud_len = 9;
	c.iss_len = 2; /* "bo": a prefix is not the account */
	assert_int_equal(sv_claims_check(&c, &ru, &reason), -EACCES);
	assert_string_equal(reason, "bad_iss");
}

/* ------------------------------------------------------------ replay */

static int replay_setup(void **state)
{
	struct sv_config *c = calloc(1, sizeof(*c));
	char tmpl[] = "/tmp/svreplay.XXXXXX";
	if (!c || !mkdtemp(tmpl))
		return -1;
	sv_config_defaults(c);
	snprintf(c->state_dir, sizeof(c->state_dir), "%s", tmpl);
	*state = c;
	return 0;
}

static int replay_teardown(void **state)
{
	struct sv_config *c = *state;
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", c->state_dir);
	if (system(cmd) != 0)
		return -1;
	free(c);
	return 0;
}

static void test_replay_basic(void **state)
{
	struct sv_config *c = *state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(sv_replay_check_insert(c, "bot", "j1", 2, 2000, 1000),
			 0);
	assert_int_equal(sv_replay_check_insert(c, "bot", "j1", 2, 2000, 1000),
			 -EEXIST);
	/* another account's jti space is its own */
	assert_int_equal(sv_replay_check_insert(c, "bot2", "j1", 2, 2000, 1000),
			 0);
	/* an expired entry of the same jti is reused, once */
	assert_int_equal(sv_replay_check_insert(c, "bot", "j1", 2, 3000, 2001),
			 0);
	assert_int_equal(sv_replay_check_insert(c, "bot", "j1", 2, 3000, 2002),
			 -EEXIST);
	assert_int_equal(sv_replay_check_insert(c, "../x", "j", 1, 2000, 1000),
			 -EINVAL);
	assert_int_equal(sv_replay_check_insert(c, "bot", "", 0, 2000, 1000),
			 -EINVAL);
}

static void test_replay_grow_and_quota(void **state)
{
	struct sv_config *c = *state;
	char jti[32], path[400];
	struct stat st;
	if (geteuid() != 0)
		skip();
	c->replay_quota = 1000;
	for (int i = 0; i < 1000; i++) {
		snprintf(jti, sizeof(jti), "g%d", i);
		assert_int_equal(sv_replay_check_insert(
				     c, "bot", jti, strlen(jti), 5000, 1000),
				 0);
	}
	/* every one of them is still known after the rebuilds */
	for (int i = 0; i < 1000; i++) {
		snprintf(jti, sizeof(jti), "g%d", i);
		assert_int_equal(sv_replay_check_insert(
				     c, "bot", jti, strlen(jti), 5000, 1001),
				 -EEXIST);
	}
	assert_int_equal(
	    sv_replay_check_insert(c, "bot", "more", 4, 5000, 1002), -EDQUOT);
	/* bounded: room for the quota at half load, no more */
	snprintf(path, sizeof(path), "%s/replay/bot", c->state_dir);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size <= 64 + 2048 * 48);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* once they expire, the account can log in again and the file
	 * shrinks back */
	assert_int_equal(
	    sv_replay_check_insert(c, "bot", "more", 4, 9000, 5001), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 64 + 64 * 48);
}

static void test_replay_fail_closed(void **state)
{
	struct sv_config *c = *state;
	char path[sizeof(c->state_dir) + 16];
	int fd;
	if (geteuid() != 0)
		skip();
	assert_int_equal(sv_replay_check_insert(c, "bot", "a", 1, 2000, 1000),
			 0);
	snprintf(path, sizeof(path), "%s/replay/bot", c->state_dir);
	/* truncated */
	assert_int_equal(truncate(path, 100), 0);
	assert_int_equal(sv_replay_check_insert(c, "bot", "b", 1, 2000, 1000),
			 -EBADMSG);
	/* bad magic */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "nonsense", 8), 8);
	close(fd);
	assert_int_equal(sv_replay_check_insert(c, "bot", "b", 1, 2000, 1000),
			 -EBADMSG);
	/* readable by others */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(sv_replay_check_insert(c, "bot", "b", 1, 2000, 1000),
			 -EPERM);
	/* a symlink is never followed */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	assert_true(sv_replay_check_insert(c, "bot", "b", 1, 2000, 1000) < 0);
	/* no state dir */
	snprintf(c->state_dir, sizeof(c->state_dir), "/nonexistent/state");
	assert_true(sv_replay_check_insert(c, "bot", "b", 1, 2000, 1000) < 0);
	*strrchr(path, '/') = '\0';
	*strrchr(path, '/') = '\0';
	memcpy(c->state_dir, path, strlen(path) + 1); /* for the teardown */
}

/* Processes inserting at once while rebuilds rename new tables over the
 * one the others just opened (short-lived entries with a moving clock
 * force a rebuild every few dozen inserts): every insert succeeds. An open
 * that finds its table already replaced opens the name again; it is not
 * damage (this once failed about one load test in eight). */
static void test_replay_concurrent_rebuilds(void **state)
{
	struct sv_config *c = *state;
	enum { PROCS = 3, N = 4000 };
	pid_t pid[PROCS];
	int failed = 0;
	if (geteuid() != 0)
		skip();
	for (int k = 0; k < PROCS; k++) {
		pid[k] = fork();
		assert_true(pid[k] >= 0);
		if (pid[k] == 0) {
			int bad = 0;
			char jti[32];
			for (int i = 0; i < N; i++) {
				snprintf(jti, sizeof(jti), "c%d-%d", k, i);
				if (sv_replay_check_insert(
					c, "bot", jti, strlen(jti),
					1000 + i + 2, 1000 + i) != 0)
					bad++;
			}
			_exit(bad > 255 ? 255 : bad);
		}
	}
	for (int k = 0; k < PROCS; k++) {
		int st = 0;
		assert_int_equal(waitpid(pid[k], &st, 0), pid[k]);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			print_message("process %d: %d inserts failed\n", k,
				      WIFEXITED(st) ? WEXITSTATUS(st) : -1);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

/* The one function that spends a token, for a client assertion (its jti)
 * and an issuer token (its replay key) alike: a second use is a replay, a
 * check only spends nothing, an entry lives until exp + clock_skew. */
static void test_record_use(void **state)
{
	struct sv_config *c = *state;
	struct sv_login l = {
	    .cfg = c, .user = "bot", .now = 1000, .consume_jti = true};
	static const char *const keys[] = {
	    "j1",		   /* a client assertion's jti */
	    "issuer:kc:j1",	   /* an issuer token's jti */
	    "issuer:kc: sha256:00" /* an issuer token without one */
	};
	if (geteuid() != 0)
		skip();
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *k = keys[i];
		l.now = 1000;
		l.consume_jti = false;
		assert_int_equal(sv_login_record_use(&l, k, strlen(k), 2000),
				 SV_LOGIN_OK);
		l.consume_jti = true;
		assert_int_equal(sv_login_record_use(&l, k, strlen(k), 2000),
				 SV_LOGIN_OK);
		l.reason = NULL;
		assert_int_equal(sv_login_record_use(&l, k, strlen(k), 2000),
				 SV_LOGIN_DENY);
		assert_non_null(l.reason);
		assert_string_equal(l.reason, "replay");
		/* a check only reports the replay too */
		l.consume_jti = false;
		l.reason = NULL;
		assert_int_equal(sv_login_record_use(&l, k, strlen(k), 2000),
				 SV_LOGIN_DENY);
		assert_string_equal(l.reason, "replay");
		/* the entry is the replay cache's own, for the account */
		assert_int_equal(sv_replay_seen(c, "bot", k, strlen(k), 1000),
				 -EEXIST);
		assert_int_equal(sv_replay_seen(c, "bot2", k, strlen(k), 1000),
				 0);
		/* live until exp + clock_skew, then a new use */
		l.consume_jti = true;
		l.now = 2000 + (int64_t)c->clock_skew;
		assert_int_equal(sv_login_record_use(&l, k, strlen(k), 2000),
				 SV_LOGIN_DENY);
		l.now++;
		assert_int_equal(sv_login_record_use(&l, k, strlen(k), 2000),
				 SV_LOGIN_OK);
	}
	/* a check only spent nothing: a key only looked up is still free */
	l.now = 1000;
	l.consume_jti = false;
	assert_int_equal(sv_login_record_use(&l, "j2", 2, 2000), SV_LOGIN_OK);
	l.consume_jti = true;
	assert_int_equal(sv_login_record_use(&l, "j2", 2, 2000), SV_LOGIN_OK);
	/* a cache that cannot be reached refuses (fail closed) */
	sv_login_release(&l);
	struct sv_config bad = *c;
	size_t sl = strlen(bad.state_dir);
	assert_true(sl + sizeof("/absent") <= sizeof(bad.state_dir));
	memcpy(bad.state_dir + sl, "/absent", sizeof("/absent"));
	struct sv_login m = {
	    .cfg = &bad, .user = "bot", .now = 1000, .consume_jti = true};
	assert_int_equal(sv_login_record_use(&m, "j3", 2, 2000), SV_LOGIN_DENY);
	assert_string_equal(m.reason, "replay_cache_error");
	sv_login_release(&m);
	sv_login_release(&l);
}

/* ------------------------------------------------------------ phases */

static int fake_identity(void *ctx, uint32_t *uid)
{
	int r = *(int *)ctx;
	if (r == 0)
		*uid = 1000;
	return r;
}

static void add_role(struct sv_roleset *s, const char *name, uint32_t gid)
{
	s->r[s->n].gid = gid;
	snprintf(s->r[s->n].name, sizeof(s->r[s->n].name), "%s", name);
	s->n++;
}

static void test_phase_decisions(void **state)
{
	struct sv_config cfg;
	struct sv_login l = {0};
	struct sv_phase_login e;
	struct sv_decision d;
	int idr = 0;
	struct sv_phase_in in = {.cfg = &cfg,
				 .user = "bot",
				 .identity = fake_identity,
				 .identity_ctx = &idr};
	gid_t groups[] = {5, 10, 11, 12};
	int dropped = -1;
	(void)state;
	sv_config_defaults(&cfg);

	assert_false(sv_phase_user_plausible(NULL));
	assert_false(sv_phase_user_plausible(""));
	assert_false(
	    sv_phase_user_plausible("a-name-longer-than-the-thirty-two-bytes"));
	assert_true(sv_phase_user_plausible("bot"));

	/* identity is the UID the system resolves the name to */
	d = sv_phase_identity(&in, 1000);
	assert_int_equal(d.verdict, SV_VERDICT_ALLOW);
	d = sv_phase_identity(&in, 1001);
	assert_int_equal(d.verdict, SV_VERDICT_DENY);
	assert_string_equal(d.reason, "identity_mismatch");
	idr = -ENOENT;
	d = sv_phase_identity(&in, 1000);
	assert_int_equal(d.verdict, SV_VERDICT_DENY);
	assert_string_equal(d.reason, "identity_mismatch");
	idr = -EIO;
	d = sv_phase_identity(&in, 1000);
	assert_int_equal(d.verdict, SV_VERDICT_UNAVAIL);
	assert_string_equal(d.reason, "identity_unavailable");

	/* what auth recorded narrows, for this very user only */
	add_role(&l.granted, "deployers", 10);
	add_role(&l.granted, "readers", 11);
	in.env_account = "other";
	in.env_roles = "deployers";
	in.env_cred = "c1";
	sv_phase_login_from_env(&in, &l, &e);
	assert_false(e.ours);
	assert_false(e.has_cred);
	assert_string_equal(e.method, "other");
	assert_int_equal(l.effective.n, 2);
	in.env_account = "bot";
	in.env_roles = "deployers,admins"; /* admins: never granted */
	in.env_method = "assertion";
	sv_phase_login_from_env(&in, &l, &e);
	assert_true(e.ours);
	assert_true(e.has_cred);
	assert_string_equal(e.cred, "c1");
	assert_string_equal(e.method, "assertion");
	assert_int_equal(l.effective.n, 1);
	assert_int_equal(l.effective.r[0].gid, 10);
	/* ours without roles: the narrowest reading */
	in.env_roles = NULL;
	sv_phase_login_from_env(&in, &l, &e);
	assert_int_equal(l.effective.n, 0);

	/* setcred drops the groups of granted roles not held, only those */
	l.effective.n = 0;
	add_role(&l.effective, "deployers", 10);
	int kept = sv_phase_keep_groups(&l, groups, 4, &dropped);
	assert_int_equal(kept, 3);
	assert_int_equal(dropped, 1);
	assert_int_equal(groups[0], 5);
	assert_int_equal(groups[1], 10);
	assert_int_equal(groups[2], 12);
}

/* A credential's scope: the intersection, its sources, no_role, the base
 * role, the audit form. */
static void test_cred_scope(void **state)
{
	struct sv_login *l = calloc(1, sizeof(*l));
	const struct sv_str src[] = {SV_STR("10.0.0.0/8"), SV_STR("local")};
	const struct sv_list sources = {.count = 2, .items = src};
	const struct sv_list none = {0};
	char csv[64];
	(void)state;
	assert_non_null(l);

	assert_true(sv_policy_cred_source_ok(&none, "192.0.2.1"));
	assert_true(sv_policy_cred_source_ok(&sources, "10.1.2.3"));
	assert_true(sv_policy_cred_source_ok(&sources, NULL));
	assert_true(sv_policy_cred_source_ok(&sources, "::ffff:10.0.0.1"));
	assert_false(sv_policy_cred_source_ok(&sources, "192.0.2.1"));
	assert_false(sv_policy_cred_source_ok(&sources, "host.example"));

	assert_true(sv_scope_names_base("read svcacct", 12));
	assert_false(sv_scope_names_base("read svcacctx", 13));

	/* unscoped: nothing narrows */
	granted2(&l->granted);
	l->effective = l->granted;
	assert_int_equal(sv_login_cred_narrow(l, true), SV_LOGIN_OK);
	assert_int_equal(l->effective.n, 2);
	assert_int_equal(sv_login_scope_csv(l, csv, sizeof(csv)), 0);
	assert_string_equal(csv, "");

	/* scoped to read (and a role no longer granted) */
	l->cred_scoped = true;
	add_role(&l->cred_scope, "read", 80002);
	add_role(&l->cred_scope, "gone", 80009);
	assert_int_equal(sv_login_cred_narrow(l, true), SV_LOGIN_OK);
	assert_int_equal(l->effective.n, 1);
	assert_int_equal(l->effective.r[0].gid, 80002);
	assert_int_equal(sv_login_scope_csv(l, csv, sizeof(csv)), 0);
	assert_string_equal(csv, "read,gone");

	/* a token scope that left deploy only: nothing left */
	l->effective.n = 0;
	add_role(&l->effective, "deploy", 80001);
	assert_int_equal(sv_login_cred_narrow(l, true), SV_LOGIN_DENY);
	assert_string_equal(l->reason, "no_role");
	assert_int_equal(l->effective.n, 0);

	/* the base role in the scope: allowed alone, unless the token's
	 * scope leaves it out */
	l->cred_scope_base = true;
	assert_int_equal(sv_login_cred_narrow(l, true), SV_LOGIN_OK);
	assert_int_equal(sv_login_cred_narrow(l, false), SV_LOGIN_DENY);
	assert_int_equal(sv_login_scope_csv(l, csv, sizeof(csv)), 0);
	assert_string_equal(csv, "svcacct,read,gone");
	assert_int_equal(sv_login_scope_csv(l, csv, 8), -ENOSPC);
	assert_string_equal(csv, "");
	free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_source_match),
	    cmocka_unit_test(test_scope),
	    cmocka_unit_test(test_narrow_csv),
	    cmocka_unit_test(test_cred_scope),
	    cmocka_unit_test(test_jws_split),
	    cmocka_unit_test(test_claim_times),
	    cmocka_unit_test(test_phase_decisions),
	    cmocka_unit_test_setup_teardown(test_replay_basic, replay_setup,
					    replay_teardown),
	    cmocka_unit_test_setup_teardown(test_replay_grow_and_quota,
					    replay_setup, replay_teardown),
	    cmocka_unit_test_setup_teardown(test_replay_fail_closed,
					    replay_setup, replay_teardown),
	    cmocka_unit_test_setup_teardown(test_replay_concurrent_rebuilds,
					    replay_setup, replay_teardown),
	    cmocka_unit_test_setup_teardown(test_record_use, replay_setup,
					    replay_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
