/* SPDX-License-Identifier: MIT */
/* The auth-phase login decision (login.h). */
#include "login.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "acctjwks.h"
#include "assertion.h"
#include "codec.h"
#include "issuer.h"
#include "keys.h"
#include "names.h"
#include "util.h"

/* Keys tried for an assertion without "kid": bounded work per login. */
#define SV_KEYS_TRIED_MAX 8

static const struct sv_enum_name methods[] = {
    {SV_METHOD_SECRET, "secret"}, {SV_METHOD_ASSERTION, "assertion"},
    {SV_METHOD_OTHER, "other"},	  {SV_METHOD_ISSUER, "issuer"},
    {SV_METHOD_SSHKEY, "sshkey"},
};

const char *sv_method_name(enum sv_method m)
{
	return sv_enum_to_name(methods, SV_ARRAY_SIZE(methods), m, "-");
}

enum sv_method sv_method_from_name(const char *s)
{
	return sv_enum_from_name(methods, SV_ARRAY_SIZE(methods), s,
				 SV_METHOD_NONE);
}

bool sv_method_allowed(uint32_t allowed, enum sv_method m)
{
	uint32_t bit;

	switch (m) {
	case SV_METHOD_OTHER: return true;
	case SV_METHOD_SECRET: bit = SV_ACCT_METHOD_SECRET; break;
	case SV_METHOD_ASSERTION: bit = SV_ACCT_METHOD_ASSERTION; break;
	case SV_METHOD_ISSUER: bit = SV_ACCT_METHOD_ISSUER; break;
	case SV_METHOD_SSHKEY: bit = SV_ACCT_METHOD_SSHKEY; break;
	default: return false;
	}
	return allowed == 0 || (allowed & bit) != 0;
}

int sv_identity_resolve(const char *user, uint32_t *uid)
{
	struct passwd pw, *res = NULL;
	size_t cap = 1024;
	char *buf = NULL;
	int r;

	for (;;) {
		char *nb = realloc(buf, cap);
		if (!nb) {
			r = -ENOMEM;
			goto out;
		}
		buf = nb;
		errno = 0;
		r = getpwnam_r(user, &pw, buf, cap, &res);
		if (r != ERANGE)
			break;
		/* a passwd entry of a megabyte is no entry at all */
		if (cap >= 1024 * 1024) {
			r = -EIO;
			goto out;
		}
		cap *= 4;
	}
	if (r == 0 && res) {
		*uid = (uint32_t)res->pw_uid;
		r = 0;
	} else if (r == 0 || r == ENOENT || r == ESRCH) {
		/* glibc reports "no such user" as 0 and no entry */
		r = -ENOENT;
	} else {
		r = r == ENOMEM ? -ENOMEM : -EIO;
	}
out:
	free(buf);
	return r;
}

void sv_login_owner(const struct sv_login *l, struct sv_account *out)
{
	memset(out, 0, sizeof(*out));
	out->name.p = l->user;
	out->name.n = strlen(l->user);
	out->uid = l->uid;
	out->created = l->acct_created;
}

int sv_audiences_build(const struct sv_config *c, const char *extra,
		       struct sv_audiences *out)
{
	out->n = 0;
	if (c->n_audiences == 0) {
		char host[200];
		if (gethostname(host, sizeof(host)) < 0)
			return -errno;
		host[sizeof(host) - 1] = '\0';
		snprintf(out->v[out->n++], sizeof(out->v[0]), "svcacct:%s",
			 host);
	}
	for (size_t i = 0; i < c->n_audiences && i < SV_CONF_MAX_LIST; i++)
		snprintf(out->v[out->n++], sizeof(out->v[0]), "%s",
			 c->audiences[i]);
	if (extra && *extra) {
		if (strlen(extra) >= sizeof(out->v[0]))
			return -EINVAL;
		snprintf(out->v[out->n++], sizeof(out->v[0]), "%s", extra);
	}
	for (size_t i = 0; i < out->n; i++)
		out->ptr[i] = out->v[i];
	return 0;
}

static enum sv_login_status deny(struct sv_login *l, const char *reason)
{
	l->reason = reason;
	return SV_LOGIN_DENY;
}

/* A credential that passed every check, and until when it is good. */
static enum sv_login_status accept_cred(struct sv_login *l, int64_t expires)
{
	l->cred_expires = expires;
	l->reason = "ok";
	return SV_LOGIN_OK;
}

enum sv_login_status sv_login_account(struct sv_login *l)
{
	struct sv_blob blob = {0};
	struct sv_account a;
	enum sv_login_status st = SV_LOGIN_OK;
	int r;

	l->granted.n = l->effective.n = 0;
	l->account_done = false;
	l->uid = 0;
	l->acct_created = 0;
	l->acct_methods = 0;
	r = sv_get_account(l->rd, l->user, &blob, &a);
	if (r < 0) {
		l->reason = sv_lookup_reason(r, "not_service_account");
		st = r == -ENOENT ? SV_LOGIN_NO_ACCOUNT : SV_LOGIN_UNAVAIL;
		goto out;
	}
	/* defence in depth: a record that could mint a system UID or that
	 * does not name itself is not an account we serve */
	if (!sv_uid_acceptable(l->cfg, a.uid) || !sv_str_eq(a.name, l->user)) {
		l->reason = "store_corrupt";
		st = SV_LOGIN_UNAVAIL;
		goto out;
	}
	l->uid = a.uid;
	l->acct_created = a.created;
	l->acct_methods = a.methods;
	if (a.flags & SV_ACCT_DISABLED) {
		st = deny(l, "account_disabled");
		goto out;
	}
	if (a.expires && a.expires <= l->now) {
		st = deny(l, "account_expired");
		goto out;
	}
	r = sv_policy_granted(l->rd, l->cfg, &a, &l->granted);
	if (r == -E2BIG) {
		st = deny(l, "too_many_roles");
		goto out;
	}
	if (r < 0) {
		l->reason = "store_error";
		st = SV_LOGIN_UNAVAIL;
		goto out;
	}
	l->effective = l->granted;
	l->account_done = true;
	l->reason = "ok";
out:
	sv_blob_free(&blob);
	return st;
}

int sv_login_state_fd(struct sv_login *l)
{
	if (!l->state_open) {
		int fd = sv_state_open_dir(l->cfg);
		if (fd < 0)
			return fd;
		l->state_fd = fd;
		l->state_open = true;
	}
	return l->state_fd;
}

void sv_login_release(struct sv_login *l)
{
	if (l->state_open)
		close(l->state_fd);
	l->state_open = false;
	l->state_fd = -1;
}

/* Revocations live in the state dir so a rollback cannot revive them. An
 * unreadable list counts as "revoked" (fail closed). */
static bool is_revoked(struct sv_login *l, const char *id)
{
	bool revoked = true;
	int sfd = sv_login_state_fd(l);
	if (sfd < 0 || sv_state_is_revoked_at(sfd, id, &revoked) < 0)
		return true;
	return revoked;
}

/* Why a credential that verified may no longer be used (its refusal
 * reason), or NULL: revoked, or past its expiry (0 = never). */
static const char *cred_withdrawn(struct sv_login *l, const char *id,
				  int64_t expires)
{
	if (is_revoked(l, id))
		return "revoked";
	if (expires && expires <= l->now)
		return "credential_expired";
	return NULL;
}

static void copy_id(char out[SV_CRED_ID_LEN + 1], struct sv_str s)
{
	size_t n = s.n < SV_CRED_ID_LEN ? s.n : SV_CRED_ID_LEN;
	memcpy(out, s.p, n);
	out[n] = '\0';
}

enum sv_login_status sv_login_cred_scope(struct sv_login *l,
					 const struct sv_u32list *roles,
					 bool source_ok)
{
	l->cred_scoped = roles->count != 0;
	l->cred_scope_base = false;
	l->cred_scope.n = 0;
	/* the credential's sources narrow its roles' sources: a client
	 * outside them gets nothing, whatever the roles allow */
	if (!source_ok)
		return deny(l, "source_not_allowed");
	if (!l->cred_scoped)
		return SV_LOGIN_OK;
	/* resolved against the granted roles, read once per login */
	sv_policy_cred_roles(&l->granted, l->cfg->base_gid, roles,
			     &l->cred_scope, &l->cred_scope_base);
	return SV_LOGIN_OK;
}

enum sv_login_status sv_login_cred_narrow(struct sv_login *l, bool token_base)
{
	if (!l->cred_scoped)
		return SV_LOGIN_OK;
	sv_policy_intersect(&l->effective, &l->cred_scope);
	if (l->effective.n == 0 && !(l->cred_scope_base && token_base))
		return deny(l, "no_role");
	return SV_LOGIN_OK;
}

int sv_login_scope_csv(const struct sv_login *l, char *out, size_t cap)
{
	size_t off;

	if (cap == 0)
		return -ENOSPC;
	out[0] = '\0';
	if (!l->cred_scoped)
		return 0;
	off = (size_t)snprintf(out, cap, "%s",
			       l->cred_scope_base ? SV_BASE_ROLE : "");
	if (off >= cap || (off && l->cred_scope.n && off + 1 >= cap))
		goto nospc;
	if (off && l->cred_scope.n)
		out[off++] = ',';
	if (sv_roleset_csv(&l->cred_scope, out + off, cap - off) < 0)
		goto nospc;
	return 0;
nospc:
	out[0] = '\0';
	return -ENOSPC;
}

/* Why the secret credential cred (id), its secret verified, may not log
 * this account in (its refusal reason), or NULL. */
static const char *secret_use_refusal(struct sv_login *l, const char *id,
				      const struct sv_cred *cred)
{
	struct sv_account owner;
	const char *why = cred_withdrawn(l, id, cred->expires);

	if (why)
		return why;
	if (!sv_str_eq(cred->account, l->user))
		return "wrong_account";
	sv_login_owner(l, &owner);
	if (!sv_cred_bound_to(cred, &owner))
		return "credential_not_bound";
	if (!sv_method_allowed(l->acct_methods, SV_METHOD_SECRET))
		return "method_not_allowed";
	return NULL;
}

static enum sv_login_status verify_secret(struct sv_login *l, const char *s,
					  size_t len)
{
	struct sv_blob blob = {0};
	struct sv_cred cred;
	uint8_t hostkey[SV_HOSTKEY_LEN];
	enum sv_login_status st;
	char id[SV_CRED_ID_LEN + 1];
	const char *why;
	int r;

	l->method = SV_METHOD_SECRET;
	r = sv_secret_parse(s, len, id);
	if (r == -EBADMSG)
		return deny(l, "bad_checksum");
	if (r < 0)
		return deny(l, "malformed");
	memcpy(l->cred_id, id, sizeof(id));
	r = sv_get_cred(l->rd, SV_DB_CREDENTIALS, id, &blob, &cred);
	if (r == -ENOENT) {
		/* revoking deletes the record and remembers the id */
		st = deny(l,
			  is_revoked(l, id) ? "revoked" : "unknown_credential");
		goto out;
	}
	if (r < 0) {
		l->reason = "store_error";
		st = SV_LOGIN_UNAVAIL;
		goto out;
	}
	if (cred.type != SV_CRED_SECRET || !sv_str_eq(cred.id, id)) {
		st = deny(l, "unknown_credential");
		goto out;
	}
	r = sv_login_state_fd(l);
	if (r >= 0)
		r = sv_hostkey_load_at(r, hostkey);
	if (r < 0) {
		l->reason = "hostkey_unavailable";
		st = SV_LOGIN_UNAVAIL;
		goto out;
	}
	r = sv_secret_verify(hostkey, s, len, (const uint8_t *)cred.material.p,
			     cred.material.n);
	OPENSSL_cleanse(hostkey, sizeof(hostkey));
	if (r < 0) {
		st = deny(l, "wrong_secret");
		goto out;
	}
	why = secret_use_refusal(l, id, &cred);
	if (why) {
		st = deny(l, why);
		goto out;
	}
	st = sv_login_cred_scope(
	    l, &cred.roles, sv_policy_cred_source_ok(&cred.sources, l->rhost));
	if (st == SV_LOGIN_OK)
		st = sv_login_cred_narrow(l, true);
	if (st == SV_LOGIN_OK)
		st = accept_cred(l, cred.expires);
out:
	sv_blob_free(&blob);
	return st;
}

/* Ids of the account's assertion keys that the header selects: the one
 * with that kid, or without kid every key (the alg is checked later, so a
 * mismatch gets its own reason). Only keys bound to this account count
 * (sv_each_cred); revocations are checked per key by try_key. */
struct key_pick {
	const struct sv_jws *j;
	char (*ids)[SV_CRED_ID_LEN + 1];
	size_t n;
	bool any_key;
	char *jwks_id; /* the account's JWKS URL credential, "" without */
};

static int pick_key(const struct sv_cred *c, bool revoked, void *ctx)
{
	struct key_pick *k = ctx;
	(void)revoked;
	if (c->type == SV_CRED_JWKS) {
		k->any_key = true;
		copy_id(k->jwks_id, c->id);
		return 0;
	}
	if (c->type != SV_CRED_KEY)
		return 0;
	k->any_key = true;
	bool pick = k->j->has_kid ? sv_str_eq(c->kid, k->j->kid)
				  : c->alg == (uint8_t)k->j->alg;
	if (pick && k->n < SV_KEYS_TRIED_MAX)
		copy_id(k->ids[k->n++], c->id);
	return 0;
}

static int select_keys(struct sv_login *l, const struct sv_jws *j,
		       char ids[][SV_CRED_ID_LEN + 1], size_t *n, bool *any_key,
		       char jwks_id[SV_CRED_ID_LEN + 1])
{
	struct sv_account owner;
	struct key_pick k = {.j = j, .ids = ids, .jwks_id = jwks_id};
	int r;

	sv_login_owner(l, &owner);
	r = sv_each_cred(l->rd, SV_DB_CREDENTIALS, &owner, NULL, pick_key, &k);
	*n = k.n;
	*any_key = k.any_key;
	return r;
}

/* Why the registered key c (id) does not accept the token j (its refusal
 * reason), or NULL. */
static const char *key_refusal(struct sv_login *l, const struct sv_jws *j,
			       const char *id, const struct sv_cred *c)
{
	const char *why;

	/* the registered key's one alg, matched exactly: the token's
	 * header never chooses how it is verified */
	if (c->alg != (uint8_t)j->alg)
		return "alg_mismatch";
	why = cred_withdrawn(l, id, c->expires);
	if (why)
		return why;
	return sv_jws_verify_blob(j, (const uint8_t *)c->material.p,
				  c->material.n);
}

/* Try one key: registered alg, state, fit, signature. */
static enum sv_login_status try_key(struct sv_login *l, const struct sv_jws *j,
				    const char *id)
{
	struct sv_blob blob = {0};
	struct sv_cred c;
	enum sv_login_status st;
	const char *why;
	int r;

	r = sv_get_cred(l->rd, SV_DB_CREDENTIALS, id, &blob, &c);
	if (r < 0) {
		l->reason = "store_error";
		st = SV_LOGIN_UNAVAIL;
		goto out;
	}
	memcpy(l->cred_id, id, SV_CRED_ID_LEN + 1);
	why = key_refusal(l, j, id, &c);
	if (why) {
		st = deny(l, why);
		goto out;
	}
	/* the scope narrows once the token's own scope is known */
	st = sv_login_cred_scope(
	    l, &c.roles, sv_policy_cred_source_ok(&c.sources, l->rhost));
	if (st == SV_LOGIN_OK)
		st = accept_cred(l, c.expires);
out:
	sv_blob_free(&blob);
	return st;
}

/* j: the split token, owned by the caller (its claims may already be
 * decoded: the issuer routing read "iss" from them). */
static enum sv_login_status verify_assertion(struct sv_login *l,
					     struct sv_jws *j)
{
	struct sv_claims cl;
	char ids[SV_KEYS_TRIED_MAX][SV_CRED_ID_LEN + 1];
	char jwks_id[SV_CRED_ID_LEN + 1] = "";
	size_t n = 0;
	bool any_key;
	enum sv_login_status st = SV_LOGIN_DENY;
	int r;

	l->method = SV_METHOD_ASSERTION;
	if (sv_jws_parse_header(j, 0, &l->reason) < 0)
		goto out;
	r = select_keys(l, j, ids, &n, &any_key, jwks_id);
	if (r < 0) {
		l->reason = "store_error";
		st = SV_LOGIN_UNAVAIL;
		goto out;
	}
	if (n == 0 && *jwks_id) {
		/* no registered key fits: the account's cached JWKS */
		st = sv_login_jwks(l, j, jwks_id);
	} else if (n == 0) {
		l->reason = !any_key	 ? "no_key"
			    : j->has_kid ? "unknown_kid"
					 : "alg_mismatch";
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		st = try_key(l, j, ids[i]);
		if (st != SV_LOGIN_DENY)
			break;
	}
	if (st != SV_LOGIN_OK)
		goto out;
	st = SV_LOGIN_DENY;
	/* the claims' values are used only once the signature holds (their
	 * JSON was parsed before it, to route issuer tokens) */
	if (sv_jws_parse_claims(j, &cl, &l->reason) < 0)
		goto out;
	struct sv_claim_rules rules = {
	    .account = l->user,
	    .audiences = l->aud->ptr,
	    .n_audiences = l->aud->n,
	    .now = l->now,
	    .max_lifetime = l->cfg->max_assertion_lifetime,
	    .skew = l->cfg->clock_skew,
	};
	if (sv_claims_check(&cl, &rules, &l->reason) < 0)
		goto out;
	if (cl.has_scope && sv_policy_scope(&l->granted, cl.scope, cl.scope_len,
					    &l->effective, &l->reason) < 0)
		goto out;
	if (!sv_method_allowed(l->acct_methods, SV_METHOD_ASSERTION)) {
		l->reason = "method_not_allowed";
		goto out;
	}
	if (sv_login_cred_narrow(
		l, !cl.has_scope || sv_scope_names_base(
					cl.scope, cl.scope_len)) != SV_LOGIN_OK)
		goto out;
	memcpy(l->jti, cl.jti, cl.jti_len);
	l->jti[cl.jti_len] = '\0';
	/* last: an entry in the cache means a used assertion */
	st = sv_login_record_use(l, cl.jti, cl.jti_len, cl.exp);
	if (st != SV_LOGIN_OK)
		goto out;
	l->reason = "ok";
	st = SV_LOGIN_OK;
out:
	if (st != SV_LOGIN_OK)
		l->effective.n = 0;
	return st;
}

enum sv_login_status sv_login_record_use(struct sv_login *l, const char *key,
					 size_t keylen, int64_t exp)
{
	int sfd = sv_login_state_fd(l), r;

	if (sfd < 0)
		r = sfd;
	else if (l->consume_jti)
		r = sv_replay_check_insert_at(l->cfg, sfd, l->user, key, keylen,
					      exp + (int64_t)l->cfg->clock_skew,
					      l->now);
	else
		r = sv_replay_seen_at(l->cfg, sfd, l->user, key, keylen,
				      l->now);
	if (r == -EEXIST)
		return deny(l, "replay");
	if (r == -EDQUOT)
		return deny(l, "replay_quota");
	if (r < 0)
		return deny(l, "replay_cache_error");
	return SV_LOGIN_OK;
}

/* A token that may come from a trusted issuer: its facts, verified by
 * issuer.c, become this login's, and its replay key is spent last.
 * *handled false: not an issuer token, nothing decided or changed. */
static enum sv_login_status verify_issuer_token(struct sv_login *l,
						struct sv_jws *j, bool *handled)
{
	const struct sv_issuer_query q = {
	    .cfg = l->cfg,
	    .rd = l->rd,
	    .user = l->user,
	    .now = l->now,
	    .granted = &l->granted,
	};
	struct sv_issuer_facts f;
	enum sv_login_status st;

	_Static_assert(sizeof(l->issuer) == sizeof(f.issuer),
		       "an issuer's name fits the login");
	_Static_assert(sizeof(l->jti) == sizeof(f.jti),
		       "an issuer token's jti fits the login");
	switch (sv_issuer_verify(&q, j, &f)) {
	case SV_ISSUER_NOT_ISSUER: *handled = false; return SV_LOGIN_DENY;
	case SV_ISSUER_OK: st = SV_LOGIN_OK; break;
	case SV_ISSUER_UNAVAIL: st = SV_LOGIN_UNAVAIL; break;
	default: st = SV_LOGIN_DENY; break;
	}
	*handled = true;
	l->method = SV_METHOD_ISSUER;
	l->reason = f.reason;
	memcpy(l->issuer, f.issuer, sizeof(l->issuer));
	memcpy(l->jti, f.jti, sizeof(l->jti));
	if (st == SV_LOGIN_OK &&
	    !sv_method_allowed(l->acct_methods, SV_METHOD_ISSUER))
		st = deny(l, "method_not_allowed");
	if (st == SV_LOGIN_OK) {
		l->effective = f.effective;
		st = sv_login_record_use(l, f.replay_key, f.replay_key_len,
					 f.exp);
	}
	if (st == SV_LOGIN_OK)
		l->reason = "ok";
	else
		l->effective.n = 0;
	return st;
}

enum sv_login_status sv_login_verify(struct sv_login *l, const char *cred,
				     size_t len)
{
	enum sv_login_status st;

	l->method = SV_METHOD_NONE;
	l->cred_id[0] = '\0';
	l->jti[0] = '\0';
	l->issuer[0] = '\0';
	l->cred_expires = 0;
	l->cred_scoped = l->cred_scope_base = false;
	l->cred_scope.n = 0;
	if (!l->account_done) {
		st = sv_login_account(l);
		if (st != SV_LOGIN_OK)
			return st;
	}
	l->effective = l->granted;
	/* OpenSSL 3.0 initialises itself on first use and, when an allocation
	 * fails half-way through, goes on with a NULL lock and crashes in the
	 * next EVP call (found by tests/hardening/test_failmalloc_pam.sh).
	 * Initialise it here, as its first use would (config included), and
	 * refuse when its default context did not come up. */
	if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1 ||
	    !OSSL_LIB_CTX_get0_global_default()) {
		l->reason = "crypto_init_failed";
		l->effective.n = 0;
		return SV_LOGIN_UNAVAIL;
	}
	if (!cred || len == 0)
		return deny(l, "empty");
	if (len > l->cfg->max_credential_length)
		return deny(l, "too_long");
	if (sv_secret_looks_like(cred, len))
		st = verify_secret(l, cred, len);
	else if (memchr(cred, '.', len)) {
		/* an IdP's access token names its issuer; anything else is
		 * a client assertion. One split and one decode of the claims
		 * serve both. */
		struct sv_jws j;
		bool handled = false;
		l->method = SV_METHOD_ASSERTION;
		st = SV_LOGIN_DENY;
		if (sv_jws_split(cred, len, l->cfg->max_credential_length, &j,
				 &l->reason) == 0) {
			st = verify_issuer_token(l, &j, &handled);
			if (!handled) {
				l->effective = l->granted;
				st = verify_assertion(l, &j);
			}
			sv_jws_free(&j);
		}
	} else
		st = deny(l, "malformed");
	if (st != SV_LOGIN_OK)
		l->effective.n = 0;
	return st;
}
