/* SPDX-License-Identifier: MIT */
/* The decisions of pam_svcacct's phases (phase.h). */
#include "phase.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "names.h"
#include "util.h"

static struct sv_decision decide(enum sv_verdict v, const char *reason)
{
	return (struct sv_decision){.verdict = v, .reason = reason};
}

bool sv_phase_user_plausible(const char *user)
{
	return user && *user && strlen(user) <= SV_NAME_MAX;
}

bool sv_phase_is_ssh_service(const struct sv_config *c, const char *service)
{
	for (size_t i = 0; service && i < c->n_ssh_services; i++)
		if (strcmp(c->ssh_services[i], service) == 0)
			return true;
	return false;
}

int sv_phase_open_store(const struct sv_config *c, unsigned mask,
			struct sv_reader **rd, const char **reason)
{
	/* The process's shared reader: the generation's indexes are mapped
	 * once per process and generation, not per login (mapping and
	 * unmapping per login costs system calls and a TLB shootdown). A
	 * store without indexes is read through GDBM, without
	 * SV_READER_MMAP: a login reads a handful of buckets. */
	int r = sv_reader_acquire(c, mask, rd);
	if (r == 0)
		return 0;
	*reason = r == -ENOENT			    ? "store_missing"
		  : (r == -EBADMSG || r == -EPROTO) ? "store_corrupt"
		  : r == -EPERM			    ? "store_unsafe"
						    : "store_unreadable";
	return r;
}

struct sv_decision sv_phase_identity(const struct sv_phase_in *in, uint32_t uid)
{
	uint32_t got = 0;
	int r = in->identity(in->identity_ctx, &got);
	if (r == 0)
		return got == uid
			   ? decide(SV_VERDICT_ALLOW, "ok")
			   : decide(SV_VERDICT_DENY, "identity_mismatch");
	return r == -ENOENT
		   ? decide(SV_VERDICT_DENY, "identity_mismatch")
		   : decide(SV_VERDICT_UNAVAIL, "identity_unavailable");
}

/* When the config or the store cannot be read, is this user one of ours?
 * Yes if our own auth logged it in during this transaction (the PAM
 * environment it set names the user), whatever NSS can answer now, and
 * otherwise if NSS resolves it to a UID of the range: people must never be
 * locked out by a broken svcacct store, service accounts must never get in
 * through one. Found by tests/hardening/test_failmalloc_pam.sh: an
 * allocation failure while loading the config in the account phase, with
 * the user not resolvable at that moment, turned into PAM_IGNORE and the
 * stack's pam_permit let the service account through unchecked (and
 * setcred kept every role). */
static bool known_service_account(const struct sv_phase_in *in)
{
	uint32_t uid = 0;
	if (in->user && in->env_account &&
	    strcmp(in->env_account, in->user) == 0)
		return true;
	if (in->identity(in->identity_ctx, &uid) < 0)
		return false;
	return uid >= in->cfg->uid_min && uid <= in->cfg->uid_max;
}

struct sv_decision sv_phase_from_login(enum sv_login_status st,
				       const struct sv_login *l)
{
	switch (st) {
	case SV_LOGIN_OK: return decide(SV_VERDICT_ALLOW, l->reason);
	case SV_LOGIN_NO_ACCOUNT: return decide(SV_VERDICT_NOT_OURS, l->reason);
	case SV_LOGIN_UNAVAIL: return decide(SV_VERDICT_UNAVAIL, l->reason);
	default: return decide(SV_VERDICT_DENY, l->reason);
	}
}

struct sv_decision sv_phase_auth_precheck(const struct sv_phase_in *in,
					  struct sv_login *l)
{
	enum sv_login_status st = sv_login_account(l);
	if (st != SV_LOGIN_OK)
		return sv_phase_from_login(st, l);
	/* the name is someone else's on this system: whatever the
	 * credential, it would log that user in */
	struct sv_decision d = sv_phase_identity(in, l->uid);
	if (d.verdict != SV_VERDICT_ALLOW) {
		l->reason = d.reason;
		return d;
	}
	/* screen lockers and some display managers never call the account
	 * phase: refuse here too, without prompting */
	if (sv_is_ui_service(in->cfg, in->service)) {
		l->reason = "ui_service";
		return decide(SV_VERDICT_DENY, l->reason);
	}
	return decide(SV_VERDICT_ALLOW, l->reason);
}

struct sv_decision sv_phase_account(const struct sv_phase_in *in,
				    struct sv_reader **rd, struct sv_login *l,
				    bool need_enabled)
{
	const char *reason = "internal";

	if (!sv_phase_user_plausible(in->user))
		return decide(SV_VERDICT_NOT_OURS, "not_service_account");
	if (!in->cfg_ok ||
	    sv_phase_open_store(in->cfg, SV_DBMASK(SV_DB_ACCOUNTS), rd,
				&reason) < 0) {
		if (!in->cfg_ok)
			reason = "config_error";
		return decide(known_service_account(in) ? SV_VERDICT_UNREADABLE
							: SV_VERDICT_NOT_OURS,
			      reason);
	}
	l->cfg = in->cfg;
	l->rd = *rd;
	l->user = in->user;
	l->now = in->now;
	switch (sv_login_account(l)) {
	case SV_LOGIN_OK: break;
	case SV_LOGIN_NO_ACCOUNT: return decide(SV_VERDICT_NOT_OURS, l->reason);
	case SV_LOGIN_DENY:
		/* a disabled account is still one (chauthtok): its identity
		 * is checked all the same */
		if (!need_enabled && l->uid)
			break;
		return decide(SV_VERDICT_DENY, l->reason);
	default: return decide(SV_VERDICT_UNAVAIL, l->reason);
	}
	return sv_phase_identity(in, l->uid);
}

static bool env_copy(const char *v, char *out, size_t cap)
{
	if (!v || strlen(v) >= cap)
		return false;
	memcpy(out, v, strlen(v) + 1);
	return true;
}

void sv_phase_login_from_env(const struct sv_phase_in *in, struct sv_login *l,
			     struct sv_phase_login *e)
{
	bool ours = in->env_account && in->user &&
		    strcmp(in->env_account, in->user) == 0;

	memset(e, 0, sizeof(*e));
	e->ours = ours;
	/* ours without roles cannot happen (auth sets both or neither): if
	 * it does, the narrowest reading */
	sv_policy_narrow_csv(&l->granted,
			     ours ? (in->env_roles ? in->env_roles : "") : NULL,
			     &l->effective);
	if (ours) {
		e->has_cred = env_copy(in->env_cred, e->cred, sizeof(e->cred));
		e->has_method =
		    env_copy(in->env_method, e->method, sizeof(e->method));
		e->has_jti = env_copy(in->env_jti, e->jti, sizeof(e->jti));
	}
	if (!e->has_method)
		snprintf(e->method, sizeof(e->method), "%s",
			 sv_method_name(SV_METHOD_OTHER));
}

/* ------------------------------------------------------ sshd's keys */

/* The scope of the key that logs in, copied out of its record: its role
 * GIDs (none: unscoped) and whether its sources let the client in. */
struct key_scope {
	uint32_t gids[SV_ROLES_MAX];
	uint32_t n;
	bool too_many, source_ok;
};

struct ssh_match {
	const char *key; /* "TYPE BASE64" of SSH_AUTH_INFO_0 */
	size_t keylen;
	int64_t now;
	const char *rhost;
	char id[SV_CRED_ID_LEN + 1];
	const char *reason;
	struct key_scope *scope;
};

static int match_ssh_key(const struct sv_cred *c, bool revoked, void *ctx)
{
	struct ssh_match *m = ctx;
	if (c->type != SV_CRED_SSHKEY || c->material.n != m->keylen ||
	    memcmp(c->material.p, m->key, m->keylen) != 0 ||
	    c->id.n != SV_CRED_ID_LEN)
		return 0;
	memcpy(m->id, c->id.p, SV_CRED_ID_LEN);
	m->id[SV_CRED_ID_LEN] = '\0';
	m->reason = revoked				 ? "revoked"
		    : c->expires && c->expires <= m->now ? "credential_expired"
							 : NULL;
	m->scope->too_many = c->roles.count > SV_ROLES_MAX;
	m->scope->n = m->scope->too_many ? 0 : c->roles.count;
	for (uint32_t i = 0; i < m->scope->n; i++)
		m->scope->gids[i] = sv_u32list_get(&c->roles, i);
	m->scope->source_ok = sv_policy_cred_source_ok(&c->sources, m->rhost);
	return 1;
}

/* Whether SSH_AUTH_INFO_0 names a public key yet. sshd (OpenSSH 9.2)
 * fills it with the methods that completed before the current one: when
 * the account phase runs for a login by public key alone, it is there but
 * empty, and it names the key from the session phase on. */
static bool auth_info_has_key(const char *info)
{
	for (const char *p = info; p && *p;
	     p += strcspn(p, "\n"), p += *p == '\n')
		if (strncmp(p, "publickey ", 10) == 0)
			return true;
	return false;
}

/* A public-key login by sshd that this module did not authenticate: with
 * ExposeAuthInfo, SSH_AUTH_INFO_0 names the key ("publickey TYPE BASE64"
 * on a line of its own, one line per method passed). The key must be one
 * of the account's in the store, bound to it, neither revoked nor
 * expired: authorized-keys serves only such keys, but the generation it
 * read may not be the one current now, and sshd may have found the key
 * elsewhere (an AuthorizedKeysFile). NULL with the key's id in id, or the
 * reason to refuse (method_not_allowed for the account's own live key
 * when the account allows no login by ssh key). */
static const char *ssh_key_login(const struct sv_phase_in *in,
				 const struct sv_login *l,
				 char id[SV_CRED_ID_LEN + 1],
				 struct key_scope *scope)
{
	const char *info = in->ssh_auth_info;
	struct sv_reader *rd = NULL;
	struct sv_revocations *rv = NULL;
	struct ssh_match m = {
	    .now = l->now, .rhost = in->rhost, .scope = scope};
	struct sv_account owner;
	const char *p, *reason;
	int sfd = -1, r;

	id[0] = '\0';
	if (!info)
		return "no_auth_info";
	for (p = info; *p; p += strcspn(p, "\n"), p += *p == '\n') {
		if (strncmp(p, "publickey ", 10) == 0) {
			m.key = p + 10;
			m.keylen = strcspn(m.key, "\n");
			break;
		}
	}
	if (!m.key || m.keylen == 0 || m.keylen > 16384)
		return "not_public_key";
	sv_login_owner(l, &owner);
	r = sv_reader_acquire(in->cfg, SV_DBMASK(SV_DB_PUBKEYS), &rd);
	if (r == 0) {
		sfd = sv_state_open_dir(in->cfg);
		r = sfd < 0 ? sfd : sv_revocations_open_state(sfd, &rv);
	}
	if (r == 0)
		r = sv_each_cred(rd, SV_DB_PUBKEYS, &owner, rv, match_ssh_key,
				 &m);
	if (r < 0)
		reason = "store_error";
	else if (r == 0)
		reason = "unknown_key";
	else
		reason = m.reason;
	/* the account's own live key, and the account allows no login by
	 * ssh key: authorized-keys serves none, but sshd may have found it
	 * elsewhere, or read an earlier generation */
	if (!reason && !sv_method_allowed(l->acct_methods, SV_METHOD_SSHKEY))
		reason = "method_not_allowed";
	if (!reason || !strcmp(reason, "revoked") ||
	    !strcmp(reason, "credential_expired") ||
	    !strcmp(reason, "method_not_allowed"))
		memcpy(id, m.id, sizeof(m.id));
	sv_revocations_close(rv);
	if (sfd >= 0)
		close(sfd);
	sv_reader_close(rd);
	return reason;
}

/* The key's scope applied to this login (sv_login_cred_scope, then
 * sv_login_cred_narrow: no token here): l->effective narrowed, and with
 * a scope the roles' policy again, for what is left. NULL, or the reason
 * to refuse. */
static const char *key_scope_refusal(const struct sv_phase_in *in,
				     struct sv_reader *rd, struct sv_login *l,
				     const struct key_scope *ks)
{
	const struct sv_u32list gids = {.count = ks->n, .items = ks->gids};
	const char *reason = NULL;

	if (ks->too_many)
		return "too_many_roles";
	if (sv_login_cred_scope(l, &gids, ks->source_ok) != SV_LOGIN_OK ||
	    sv_login_cred_narrow(l, true) != SV_LOGIN_OK)
		return l->reason;
	if (l->cred_scoped &&
	    sv_policy_allows(rd, in->cfg, &l->effective, in->service, in->rhost,
			     &reason) < 0)
		return reason;
	return NULL;
}

/* The login is sshd's public-key login with that key. */
static void login_by_key(struct sv_phase_login *e,
			 const char key_id[SV_CRED_ID_LEN + 1])
{
	memcpy(e->cred, key_id, SV_CRED_ID_LEN + 1);
	e->has_cred = key_id[0] != '\0';
	snprintf(e->method, sizeof(e->method), "%s",
		 sv_method_name(SV_METHOD_SSHKEY));
	e->has_method = true;
}

/* store_error is the store's failure, anything else a refusal. */
static struct sv_decision refusal(const char *reason)
{
	return decide(strcmp(reason, "store_error") ? SV_VERDICT_DENY
						    : SV_VERDICT_UNAVAIL,
		      reason);
}

struct sv_decision sv_phase_acct_mgmt(const struct sv_phase_in *in,
				      struct sv_reader *rd, struct sv_login *l,
				      struct sv_phase_login *e,
				      char key_id[SV_CRED_ID_LEN + 1])
{
	const char *reason = NULL;

	key_id[0] = '\0';
	sv_phase_login_from_env(in, l, e);
	if ((!e->has_method || !e->has_cred) &&
	    sv_phase_is_ssh_service(in->cfg, in->service)) {
		/* someone else authenticated over ssh: one of the account's
		 * keys, which sshd must name (ExposeAuthInfo). Without the
		 * variable no later phase can tell either: refused. With it
		 * empty (the key is the method being completed), the session
		 * phase checks the key, which sshd names by then. */
		const char *info = in->ssh_auth_info;
		struct key_scope ks = {.source_ok = true};
		reason = !info ? "no_auth_info"
			 : auth_info_has_key(info)
			     ? ssh_key_login(in, l, key_id, &ks)
			     : NULL;
		if (!reason && key_id[0])
			reason = key_scope_refusal(in, rd, l, &ks);
		if (reason)
			return refusal(reason);
		/* the id may still be empty: the session phase names it */
		login_by_key(e, key_id);
	}
	if (sv_is_ui_service(in->cfg, in->service))
		return decide(SV_VERDICT_DENY, "ui_service");
	if (sv_policy_allows(rd, in->cfg, &l->effective, in->service, in->rhost,
			     &reason) < 0)
		return refusal(reason);
	return decide(SV_VERDICT_ALLOW, "ok");
}

struct sv_decision sv_phase_session_open(const struct sv_phase_in *in,
					 struct sv_reader *rd,
					 struct sv_login *l,
					 struct sv_phase_login *e,
					 char key_id[SV_CRED_ID_LEN + 1])
{
	key_id[0] = '\0';
	sv_phase_login_from_env(in, l, e);
	if (!e->ours) {
		/* no account phase of ours in this transaction (runuser,
		 * sudo -u ACCOUNT by another user): the roles' policy
		 * applies here, as it would have there */
		const char *reason = NULL;
		if (sv_is_ui_service(in->cfg, in->service))
			reason = "ui_service";
		else if (sv_policy_allows(rd, in->cfg, &l->effective,
					  in->service, in->rhost, &reason) == 0)
			reason = NULL;
		if (reason)
			return decide(SV_VERDICT_DENY, reason);
	}
	if (sv_phase_is_ssh_service(in->cfg, in->service) &&
	    (!e->ours || sv_method_from_name(e->method) == SV_METHOD_SSHKEY)) {
		/* the key of a public-key login, named by sshd now: no
		 * session without one of the account's live keys */
		struct key_scope ks = {.source_ok = true};
		const char *reason = ssh_key_login(in, l, key_id, &ks);
		/* the key's scope, known from now on: the session holds
		 * no more than it allows, setcred and the shell follow */
		if (!reason)
			reason = key_scope_refusal(in, rd, l, &ks);
		if (reason) {
			struct sv_decision d = decide(SV_VERDICT_DENY, reason);
			d.sshkey = true;
			return d;
		}
		login_by_key(e, key_id);
		e->has_cred = true;
	}
	return decide(SV_VERDICT_ALLOW, "ok");
}

int sv_phase_keep_groups(const struct sv_login *l, gid_t *groups, int n,
			 int *dropped)
{
	int kept = 0;

	*dropped = 0;
	for (int i = 0; i < n; i++) {
		if (sv_roleset_has_gid(&l->granted, groups[i]) &&
		    !sv_roleset_has_gid(&l->effective, groups[i])) {
			(*dropped)++;
			continue;
		}
		groups[kept++] = groups[i];
	}
	return kept;
}
