/* SPDX-License-Identifier: MIT */
/* Unit tests for common/write/model.c: the typed operations write every key
 * a record owns, grant/revoke and the replacement of an account's roles
 * keep its roles and the roles' members in step, an account's deletion takes
 * and revokes its credentials, the credential walk visits only what is bound to
 * the account, a rotation copies a credential's record and shortens the
 * old one's life, and a transaction's ID reads see its own changes. Each test
 * runs on a fresh store in a private temporary directory (as root, like the
 * rest of the suite). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "model.h"
#include "store.h"

struct fx {
	char root[64];
	struct sv_config cfg;
	struct sv_txn *t;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];
	if (!f)
		return -1;
	snprintf(f->root, sizeof(f->root), "/tmp/svcacct-model.XXXXXX");
	if (!mkdtemp(f->root))
		return -1;
	sv_config_defaults(&f->cfg);
	snprintf(f->cfg.db_dir, sizeof(f->cfg.db_dir), "%s/db", f->root);
	snprintf(f->cfg.state_dir, sizeof(f->cfg.state_dir), "%s/state",
		 f->root);
	if (sv_txn_begin(&f->cfg, &f->t, err, sizeof(err)) < 0) {
		fprintf(stderr, "begin: %s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];
	sv_txn_abort(f->t);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void mk_acct(struct sv_txn *t, const char *name, uint32_t uid)
{
	struct acct a = {
	    .name = (char *)name,
	    .uid = uid,
	    .created = 100,
	    .updated = 100,
	    .description = (char *)"",
	    .owner = (char *)"",
	    .home = (char *)"",
	    .shell = (char *)"",
	};
	assert_int_equal(sv_model_account_create(t, &a, true), 0);
}

static void mk_role(struct sv_txn *t, const char *name, uint32_t gid)
{
	struct role x = {
	    .name = (char *)name, .gid = gid, .description = (char *)""};
	assert_int_equal(sv_model_role_create(t, &x), 0);
}

static void mk_secret(struct sv_txn *t, const char *account, const char *id)
{
	struct sv_cred c = {
	    .type = SV_CRED_SECRET,
	    .created = 100,
	    .id = SV_STR(id),
	    .account = SV_STR(account),
	    .label = SV_STR(""),
	    .kid = SV_STR(""),
	    .material = SV_STR("0123456789abcdef0123456789abcdef"),
	};
	assert_int_equal(sv_model_cred_add(t, SV_DB_CREDENTIALS, &c), 0);
}

/* Grant the account those roles, one by one, each a change. */
static void grant_all(struct sv_txn *t, const char *acct, const uint32_t *gids,
		      size_t n, int64_t now)
{
	struct acct a;
	bool changed;
	assert_int_equal(sv_model_account_load(t, acct, &a), 0);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(
		    sv_model_grant(t, &a, gids[i], true, now, &changed), 0);
		assert_true(changed);
	}
	acct_free(&a);
}

/* What the store says about rule 3 for one account and one role. */
static void expect_member(struct sv_txn *t, const char *acct, const char *role,
			  bool member)
{
	struct acct a;
	struct role x;
	bool has = false;
	assert_int_equal(sv_model_account_load(t, acct, &a), 0);
	assert_int_equal(sv_model_role_load(t, role, &x), 0);
	for (size_t i = 0; i < a.nroles; i++)
		has |= a.roles[i] == x.gid;
	assert_int_equal(has, member);
	assert_int_equal(strv_has(&x.members, acct), member);
	acct_free(&a);
	role_free(&x);
}

static void create_refuses_taken_name_and_id(void **state)
{
	struct fx *f = *state;
	struct acct a = {.name = "bot",
			 .uid = 70001,
			 .description = (char *)"",
			 .owner = (char *)"",
			 .home = (char *)"",
			 .shell = ""};
	struct role x = {.name = "ops", .gid = 71001, .description = ""};
	mk_acct(f->t, "bot", 70000);
	mk_role(f->t, "ops", 71000);
	/* same name, other UID; other name, same UID */
	assert_int_equal(sv_model_account_create(f->t, &a, true), -EEXIST);
	a.name = (char *)"bot2";
	a.uid = 70000;
	assert_int_equal(sv_model_account_create(f->t, &a, true), -EEXIST);
	assert_int_equal(sv_model_role_create(f->t, &x), -EEXIST);
	x.name = (char *)"ops2";
	x.gid = 71000;
	assert_int_equal(sv_model_role_create(f->t, &x), -EEXIST);
	assert_true(sv_model_id_taken(f->t, false, 70000));
	assert_true(sv_model_id_taken(f->t, true, 71000));
	assert_false(sv_model_id_taken(f->t, false, 70002));
	/* an update needs the record */
	a.name = (char *)"ghost";
	a.uid = 70009;
	assert_int_equal(sv_model_account_update(f->t, &a), -ENOENT);
	assert_false(sv_model_id_taken(f->t, false, 70009));
	x.name = (char *)"ghost";
	assert_int_equal(sv_model_role_update(f->t, &x), -ENOENT);
}

static void grant_keeps_both_sides(void **state)
{
	struct fx *f = *state;
	struct acct a;
	bool changed;
	mk_acct(f->t, "bot", 70000);
	mk_role(f->t, "ops", 71000);
	mk_role(f->t, "web", 71001);
	assert_int_equal(sv_model_account_load(f->t, "bot", &a), 0);
	assert_int_equal(sv_model_grant(f->t, &a, 71000, true, 200, &changed),
			 0);
	assert_true(changed);
	assert_int_equal(sv_model_grant(f->t, &a, 71001, true, 200, &changed),
			 0);
	/* granted twice: nothing changes */
	assert_int_equal(sv_model_grant(f->t, &a, 71000, true, 300, &changed),
			 0);
	assert_false(changed);
	assert_int_equal(a.nroles, 2);
	acct_free(&a);
	expect_member(f->t, "bot", "ops", true);
	expect_member(f->t, "bot", "web", true);
	assert_int_equal(sv_model_account_load(f->t, "bot", &a), 0);
	assert_int_equal(a.updated, 200);
	assert_int_equal(sv_model_grant(f->t, &a, 71000, false, 400, &changed),
			 0);
	assert_true(changed);
	/* a role without a record: refused, nothing changed */
	assert_int_equal(sv_model_grant(f->t, &a, 71999, true, 500, &changed),
			 -ENOENT);
	assert_false(changed);
	assert_int_equal(a.nroles, 1);
	assert_int_equal(a.roles[0], 71001);
	acct_free(&a);
	expect_member(f->t, "bot", "ops", false);
	expect_member(f->t, "bot", "web", true);
}

/* Replacing an account's roles leaves every record as revoking each held
 * role and granting the new ones would, but writes the account's record
 * only when the caller updates it. */
static void set_roles_as_revoke_then_grant(void **state)
{
	struct fx *f = *state;
	struct acct a, stored;
	struct role x;
	const uint32_t held[] = {71000, 71001}, want[] = {71001, 71002, 71001},
		       unknown[] = {71999};
	mk_acct(f->t, "bot", 70000);
	mk_acct(f->t, "amy", 70001);
	mk_role(f->t, "ops", 71000);
	mk_role(f->t, "web", 71001);
	mk_role(f->t, "db", 71002);
	grant_all(f->t, "bot", held, 2, 200);
	grant_all(f->t, "amy", held + 1, 1, 200);
	assert_int_equal(sv_model_account_load(f->t, "bot", &a), 0);
	assert_int_equal(sv_model_set_roles(f->t, &a, want, 3, 300), 0);
	assert_int_equal(a.nroles, 2);
	assert_int_equal(a.roles[0], 71001);
	assert_int_equal(a.roles[1], 71002);
	assert_int_equal(a.updated, 300);
	/* the account's record is the caller's to write */
	assert_int_equal(sv_model_account_load(f->t, "bot", &stored), 0);
	assert_int_equal(stored.nroles, 2);
	assert_int_equal(stored.roles[0], 71000);
	assert_int_equal(stored.updated, 200);
	acct_free(&stored);
	assert_int_equal(sv_model_account_update(f->t, &a), 0);
	acct_free(&a);
	expect_member(f->t, "bot", "ops", false);
	expect_member(f->t, "bot", "web", true);
	expect_member(f->t, "bot", "db", true);
	expect_member(f->t, "amy", "web", true);
	/* a kept role has the member moved to the end, as a revoke and a
	 * grant leave it; every role that changed was updated */
	assert_int_equal(sv_model_role_load(f->t, "web", &x), 0);
	assert_int_equal(x.members.n, 2);
	assert_string_equal(x.members.v[0], "amy");
	assert_string_equal(x.members.v[1], "bot");
	assert_int_equal(x.updated, 300);
	role_free(&x);
	assert_int_equal(sv_model_role_load(f->t, "ops", &x), 0);
	assert_int_equal(x.updated, 300);
	role_free(&x);
	/* a role without a record: refused (the caller aborts), the account
	 * in memory unchanged */
	assert_int_equal(sv_model_account_load(f->t, "bot", &a), 0);
	assert_int_equal(sv_model_set_roles(f->t, &a, unknown, 1, 400),
			 -ENOENT);
	assert_int_equal(a.nroles, 2);
	assert_int_equal(a.updated, 300);
	acct_free(&a);
}

static void role_delete_leaves_no_grant(void **state)
{
	struct fx *f = *state;
	struct acct a;
	struct role x;
	const uint32_t ops = 71000;
	bool retired = false;
	mk_acct(f->t, "bot", 70000);
	mk_role(f->t, "ops", ops);
	grant_all(f->t, "bot", &ops, 1, 200);
	assert_int_equal(sv_model_role_load(f->t, "ops", &x), 0);
	assert_int_equal(sv_model_role_delete(f->t, &x, 300), 0);
	role_free(&x);
	assert_int_equal(sv_model_role_load(f->t, "ops", &x), -ENOENT);
	assert_int_equal(sv_model_role_load_gid(f->t, 71000, &x), -ENOENT);
	assert_int_equal(sv_model_account_load(f->t, "bot", &a), 0);
	assert_int_equal(a.nroles, 0);
	acct_free(&a);
	assert_int_equal(sv_txn_id_retired(f->t, true, 71000, &retired), 0);
	assert_true(retired);
}

struct seen {
	struct strv ids;
	struct sv_txn *t;
	bool remove;
};

static int note(const struct sv_cred *c, void *ctx)
{
	struct seen *s = ctx;
	char id[64], acct[64];
	snprintf(id, sizeof(id), "%.*s", (int)c->id.n, c->id.p);
	snprintf(acct, sizeof(acct), "%.*s", (int)c->account.n, c->account.p);
	assert_int_equal(strv_add(&s->ids, id), 0);
	/* the list is the walk's own copy: removing is allowed */
	if (s->remove)
		assert_int_equal(
		    sv_model_cred_remove(s->t, SV_DB_CREDENTIALS, acct, id), 0);
	return 0;
}

static void each_cred_visits_the_accounts_own(void **state)
{
	struct fx *f = *state;
	struct seen s = {.t = f->t};
	mk_acct(f->t, "bot", 70000);
	mk_acct(f->t, "other", 70001);
	mk_secret(f->t, "bot", "aaaaaaaaaaaaaaaa");
	mk_secret(f->t, "bot", "bbbbbbbbbbbbbbbb");
	mk_secret(f->t, "other", "cccccccccccccccc");
	/* a listed id without a record is skipped */
	assert_int_equal(sv_txn_idlist_update(f->t, SV_DB_CREDENTIALS, "bot",
					      "dddddddddddddddd", true),
			 0);
	assert_int_equal(
	    sv_model_each_cred(f->t, SV_DB_CREDENTIALS, "bot", note, &s), 0);
	assert_int_equal(s.ids.n, 2);
	assert_string_equal(s.ids.v[0], "aaaaaaaaaaaaaaaa");
	assert_string_equal(s.ids.v[1], "bbbbbbbbbbbbbbbb");
	strv_free(&s.ids);
	/* removing each as it is visited */
	s.remove = true;
	assert_int_equal(
	    sv_model_each_cred(f->t, SV_DB_CREDENTIALS, "bot", note, &s), 0);
	assert_int_equal(s.ids.n, 2);
	strv_free(&s.ids);
	s.remove = false;
	assert_int_equal(
	    sv_model_each_cred(f->t, SV_DB_CREDENTIALS, "bot", note, &s), 0);
	assert_int_equal(s.ids.n, 0);
	/* no such account: nothing visited */
	assert_int_equal(
	    sv_model_each_cred(f->t, SV_DB_CREDENTIALS, "nobody", note, &s), 0);
	assert_int_equal(s.ids.n, 0);
	/* a credential for an account that does not exist is refused */
	struct sv_cred c = {.type = SV_CRED_SECRET,
			    .id = SV_STR("eeeeeeeeeeeeeeee"),
			    .account = SV_STR("nobody"),
			    .label = SV_STR(""),
			    .kid = SV_STR(""),
			    .material = SV_STR("x")};
	assert_int_equal(sv_model_cred_add(f->t, SV_DB_CREDENTIALS, &c),
			 -ENOENT);
}

static void account_delete_takes_everything(void **state)
{
	struct fx *f = *state;
	struct acct a;
	struct role x;
	struct seen s = {.t = f->t};
	bool changed, revoked = false, retired = false;
	size_t n = 0;
	mk_acct(f->t, "bot", 70000);
	mk_role(f->t, "ops", 71000);
	mk_secret(f->t, "bot", "aaaaaaaaaaaaaaaa");
	/* listed but gone: still revoked with the rest */
	assert_int_equal(sv_txn_idlist_update(f->t, SV_DB_CREDENTIALS, "bot",
					      "dddddddddddddddd", true),
			 0);
	assert_int_equal(sv_model_account_load(f->t, "bot", &a), 0);
	assert_int_equal(sv_model_grant(f->t, &a, 71000, true, 200, &changed),
			 0);
	assert_int_equal(sv_model_account_delete(f->t, &a, 300, &n), 0);
	acct_free(&a);
	assert_int_equal(n, 2);
	assert_int_equal(sv_model_account_load(f->t, "bot", &a), -ENOENT);
	assert_false(sv_model_id_taken(f->t, false, 70000));
	assert_int_equal(sv_model_role_load(f->t, "ops", &x), 0);
	assert_false(strv_has(&x.members, "bot"));
	assert_int_equal(x.updated, 300);
	role_free(&x);
	assert_int_equal(sv_txn_is_revoked(f->t, "aaaaaaaaaaaaaaaa", &revoked),
			 0);
	assert_true(revoked);
	revoked = false;
	assert_int_equal(sv_txn_is_revoked(f->t, "dddddddddddddddd", &revoked),
			 0);
	assert_true(revoked);
	assert_int_equal(sv_txn_id_retired(f->t, false, 70000, &retired), 0);
	assert_true(retired);
	/* an account of the same name later sees none of it */
	mk_acct(f->t, "bot", 70005);
	assert_int_equal(
	    sv_model_each_cred(f->t, SV_DB_CREDENTIALS, "bot", note, &s), 0);
	assert_int_equal(s.ids.n, 0);
}

/* The transaction's own ID changes count before the commit; the committed
 * state dir does not have them yet. */
static void id_reads_go_through_the_transaction(void **state)
{
	struct fx *f = *state;
	bool retired = true;
	assert_int_equal(sv_txn_id_retired(f->t, false, 70500, &retired), 0);
	assert_false(retired);
	assert_int_equal(sv_state_retire_id(f->t, false, 70500), 0);
	assert_int_equal(sv_state_note_id(f->t, true, 71500), 0);
	assert_int_equal(sv_txn_id_retired(f->t, false, 70500, &retired), 0);
	assert_true(retired);
	retired = false;
	assert_int_equal(sv_txn_id_retired(f->t, true, 71500, &retired), 0);
	assert_true(retired);
	/* UIDs and GIDs are kept apart */
	assert_int_equal(sv_txn_id_retired(f->t, true, 70500, &retired), 0);
	assert_false(retired);
	assert_int_equal(sv_state_id_retired(&f->cfg, false, 70500, &retired),
			 0);
	assert_false(retired);
}

static void walks_by_kind(void **state)
{
	struct fx *f = *state;
	struct strv names = {0};
	mk_acct(f->t, "zeta", 70000);
	mk_acct(f->t, "alpha", 70001);
	mk_role(f->t, "ops", 71000);
	assert_int_equal(sv_model_names(f->t, NULL, SV_REC_ACCOUNT, &names), 0);
	assert_int_equal(names.n, 2);
	assert_string_equal(names.v[0], "alpha");
	assert_string_equal(names.v[1], "zeta");
	strv_free(&names);
	assert_int_equal(sv_model_names(f->t, NULL, SV_REC_ROLE, &names), 0);
	assert_int_equal(names.n, 1);
	assert_string_equal(names.v[0], "ops");
	strv_free(&names);
	assert_int_equal(sv_model_names(f->t, NULL, SV_REC_ISSUER, &names), 0);
	assert_int_equal(names.n, 0);
}

/* One credential record as read back, its strings copied. */
struct got {
	const char *want;
	bool found;
	uint8_t version, type, alg;
	int64_t created, expires;
	uint32_t uid, nroles, role0;
	char account[32], label[32], kid[32], material[32];
};

static int get_one(const struct sv_cred *c, void *ctx)
{
	struct got *g = ctx;
	if (!sv_str_eq(c->id, g->want))
		return 0;
	g->found = true;
	g->version = c->version;
	g->nroles = c->roles.count;
	g->role0 = c->roles.count ? sv_u32list_get(&c->roles, 0) : 0;
	g->type = c->type;
	g->alg = c->alg;
	g->created = c->created;
	g->expires = c->expires;
	g->uid = c->uid;
	snprintf(g->account, sizeof(g->account), "%.*s", (int)c->account.n,
		 c->account.p);
	snprintf(g->label, sizeof(g->label), "%.*s", (int)c->label.n,
		 c->label.p);
	snprintf(g->kid, sizeof(g->kid), "%.*s", (int)c->kid.n, c->kid.p);
	snprintf(g->material, sizeof(g->material), "%.*s", (int)c->material.n,
		 c->material.p);
	return 1;
}

static struct got get_cred(struct sv_txn *t, const char *account,
			   const char *id)
{
	struct got g = {.want = id};
	assert_true(sv_model_each_cred(t, SV_DB_CREDENTIALS, account, get_one,
				       &g) >= 0);
	return g;
}

static void cred_rotate_copies_the_record(void **state)
{
	struct fx *f = *state;
	int64_t ne = -1, oe = -1;
	mk_acct(f->t, "bot", 70000);
	mk_acct(f->t, "other", 70001);
	struct sv_cred k = {
	    .type = SV_CRED_KEY,
	    .alg = 1,
	    .created = 100,
	    .expires = 1100,
	    .id = SV_STR("aaaaaaaaaaaaaaaa"),
	    .account = SV_STR("bot"),
	    .label = SV_STR("runner"),
	    .kid = SV_STR("k1"),
	    .material = SV_STR("old material"),
	};
	/* a scope (version 3 fields) passes to the successor too */
	static const uint32_t scope[] = {60010};
	k.roles = (struct sv_u32list){.count = 1, .items = scope};
	assert_int_equal(sv_model_cred_add(f->t, SV_DB_CREDENTIALS, &k), 0);
	struct sv_cred fresh = {
	    .type = SV_CRED_KEY,
	    .alg = 2,
	    .id = SV_STR("bbbbbbbbbbbbbbbb"),
	    .kid = SV_STR("k2"),
	    .material = SV_STR("new material"),
	};
	assert_int_equal(sv_model_cred_rotate(f->t, SV_DB_CREDENTIALS, "bot",
					      "aaaaaaaaaaaaaaaa", &fresh, 500,
					      800, &ne, &oe),
			 0);
	/* the lifetime (1000 s) counted from now; the old one ends with the
	 * grace */
	assert_int_equal(ne, 1500);
	assert_int_equal(oe, 800);
	struct got n = get_cred(f->t, "bot", "bbbbbbbbbbbbbbbb");
	assert_true(n.found);
	assert_int_equal(n.version, SV_CRED_VERSION);
	assert_int_equal(n.type, SV_CRED_KEY);
	assert_int_equal(n.alg, 2);
	assert_int_equal(n.created, 500);
	assert_int_equal(n.expires, 1500);
	assert_int_equal(n.uid, 70000);
	assert_int_equal(n.nroles, 1);
	assert_int_equal(n.role0, 60010);
	assert_string_equal(n.account, "bot");
	assert_string_equal(n.label, "runner");
	assert_string_equal(n.kid, "k2");
	assert_string_equal(n.material, "new material");
	struct got o = get_cred(f->t, "bot", "aaaaaaaaaaaaaaaa");
	assert_true(o.found);
	assert_int_equal(o.created, 100);
	assert_int_equal(o.expires, 800);
	assert_int_equal(o.alg, 1);
	assert_string_equal(o.label, "runner");
	assert_string_equal(o.kid, "k1");
	assert_string_equal(o.material, "old material");

	/* an expiry before the grace's end is kept */
	fresh.id = SV_STR("cccccccccccccccc");
	fresh.kid = SV_STR("k3");
	assert_int_equal(sv_model_cred_rotate(f->t, SV_DB_CREDENTIALS, "bot",
					      "bbbbbbbbbbbbbbbb", &fresh, 600,
					      9000, &ne, &oe),
			 0);
	assert_int_equal(oe, 1500);
	assert_int_equal(ne, 1600);
	assert_int_equal(get_cred(f->t, "bot", "bbbbbbbbbbbbbbbb").expires,
			 1500);

	/* a secret that never expires: neither does its successor */
	mk_secret(f->t, "bot", "dddddddddddddddd");
	struct sv_cred fs = {.type = SV_CRED_SECRET,
			     .id = SV_STR("eeeeeeeeeeeeeeee"),
			     .material = SV_STR("hash")};
	assert_int_equal(sv_model_cred_rotate(f->t, SV_DB_CREDENTIALS, "bot",
					      "dddddddddddddddd", &fs, 700, 700,
					      &ne, &oe),
			 0);
	assert_int_equal(ne, 0);
	assert_int_equal(oe, 700);
	n = get_cred(f->t, "bot", "eeeeeeeeeeeeeeee");
	assert_string_equal(n.kid, "");
	assert_string_equal(n.material, "hash");

	/* refused, nothing written: another account's credential, one of
	 * another type, an unknown one, a successor id already taken, a
	 * record with no lifetime to pass on */
	mk_secret(f->t, "other", "ffffffffffffffff");
	fs.id = SV_STR("1111111111111111");
	assert_int_equal(sv_model_cred_rotate(f->t, SV_DB_CREDENTIALS, "bot",
					      "ffffffffffffffff", &fs, 700, 700,
					      &ne, &oe),
			 -ENOENT);
	assert_int_equal(sv_model_cred_rotate(f->t, SV_DB_CREDENTIALS, "bot",
					      "cccccccccccccccc", &fs, 700, 700,
					      &ne, &oe),
			 -ENOENT);
	assert_int_equal(sv_model_cred_rotate(f->t, SV_DB_CREDENTIALS, "bot",
					      "9999999999999999", &fs, 700, 700,
					      &ne, &oe),
			 -ENOENT);
	fs.id = SV_STR("ffffffffffffffff");
	assert_int_equal(sv_model_cred_rotate(f->t, SV_DB_CREDENTIALS, "bot",
					      "eeeeeeeeeeeeeeee", &fs, 700, 700,
					      &ne, &oe),
			 -EEXIST);
	struct sv_cred bad = k;
	bad.id = SV_STR("2222222222222222");
	bad.kid = SV_STR("kb");
	bad.expires = bad.created;
	assert_int_equal(sv_model_cred_add(f->t, SV_DB_CREDENTIALS, &bad), 0);
	fresh.id = SV_STR("3333333333333333");
	fresh.kid = SV_STR("k4");
	assert_int_equal(sv_model_cred_rotate(f->t, SV_DB_CREDENTIALS, "bot",
					      "2222222222222222", &fresh, 700,
					      700, &ne, &oe),
			 -ERANGE);
	assert_false(get_cred(f->t, "bot", "1111111111111111").found);
	assert_false(get_cred(f->t, "bot", "3333333333333333").found);
	assert_int_equal(get_cred(f->t, "other", "ffffffffffffffff").expires,
			 0);
	assert_int_equal(get_cred(f->t, "bot", "2222222222222222").expires,
			 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(create_refuses_taken_name_and_id,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(grant_keeps_both_sides, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(set_roles_as_revoke_then_grant,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(role_delete_leaves_no_grant, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(each_cred_visits_the_accounts_own,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(account_delete_takes_everything,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(id_reads_go_through_the_transaction,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(walks_by_kind, setup, teardown),
	    cmocka_unit_test_setup_teardown(cred_rotate_copies_the_record,
					    setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
