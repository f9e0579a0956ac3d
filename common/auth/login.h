/* SPDX-License-Identifier: MIT */
/* The login decision of pam_svcacct's auth phase, without PAM: is this
 * credential (a client secret or a JWT client assertion) good for this
 * service account, now, and which roles does the login hold. Kept apart from
 * the PAM glue so that `svcacct verify`, the benchmark and the tests call
 * the very same code. Auth side. */
#ifndef SVCACCT_LOGIN_H
#define SVCACCT_LOGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "policy.h"
#include "replay.h"
#include "secret.h"
#include "store.h"

enum sv_login_status {
	SV_LOGIN_OK = 0,
	SV_LOGIN_DENY,	     /* bad credential or account state: PAM_AUTH_ERR */
	SV_LOGIN_NO_ACCOUNT, /* not a service account: PAM_USER_UNKNOWN */
	SV_LOGIN_UNAVAIL,    /* store or host key unusable: AUTHINFO_UNAVAIL */
};

enum sv_method {
	SV_METHOD_NONE = 0,
	SV_METHOD_SECRET,
	SV_METHOD_ASSERTION,
	SV_METHOD_OTHER,  /* another module authenticated (sudo NOPASSWD...) */
	SV_METHOD_ISSUER, /* an access token of a trusted issuer (issuer.h) */
	SV_METHOD_SSHKEY, /* sshd's public-key authentication with a key of
			     the store (seen by the account phase) */
};
/* "secret", "assertion", "other", "issuer", "sshkey", "-". */
const char *sv_method_name(enum sv_method m);
/* The method of one of those names; SV_METHOD_NONE for anything else. */
enum sv_method sv_method_from_name(const char *s);
/* Whether an account whose allowed methods are the SV_ACCT_METHOD_* bits
 * of methods (0: every method) may log in by m. SV_METHOD_OTHER (another
 * PAM module authenticated: a person's sudo -u, runuser) presents no
 * credential of the account and is never restricted; SV_METHOD_NONE is
 * never allowed. */
bool sv_method_allowed(uint32_t methods, enum sv_method m);

/* Accepted audiences: the configured ones, or "svcacct:" + gethostname()
 * when none is configured (no DNS), plus one extra (module option). */
struct sv_audiences {
	size_t n;
	char v[SV_CONF_MAX_LIST + 2][256];
	const char *ptr[SV_CONF_MAX_LIST + 2];
};
/* Fill out for config c and the extra audience (NULL or "" for none). 0;
 * -EINVAL extra too long; -errno when the host name cannot be read. */
int sv_audiences_build(const struct sv_config *c, const char *extra,
		       struct sv_audiences *out);

/* One login's state. Only login.c changes it (issuer.c returns facts that
 * login.c applies); callers set the inputs and read the outputs. */
struct sv_login {
	/* in */
	const struct sv_config *cfg;
	struct sv_reader *rd; /* accounts.db and credentials.db */
	const char *user;
	int64_t now;
	const struct sv_audiences *aud;
	bool consume_jti;  /* false: only look the jti up (svcacct verify) */
	const char *rhost; /* the client (PAM_RHOST); NULL or "" = local */
	bool account_done; /* set by sv_login_account on success */
	/* out */
	uint32_t uid;	       /* the account's, set by sv_login_account */
	int64_t acct_created;  /* likewise: binds version 1 credentials */
	uint32_t acct_methods; /* likewise: SV_ACCT_METHOD_* allowed, 0 all */
	enum sv_method method;
	const char *reason; /* fixed reason code, never NULL after a call */
	char cred_id[SV_CRED_ID_LEN + 1];
	char jti[SV_JTI_MAX + 1];
	char issuer[64 + 1];  /* SV_METHOD_ISSUER: the issuer's name */
	int64_t cred_expires; /* 0 = never */
	struct sv_roleset granted, effective;
	/* the scope of the credential that logged in (sv_login_cred_scope):
	 * cred_scoped false = every granted role */
	bool cred_scoped, cred_scope_base;
	struct sv_roleset cred_scope;
	/* private: the state dir, opened once per login on first use
	 * (revocations, replay cache, last-used); zero-initialised = closed */
	bool state_open;
	int state_fd;
};

/* The login's state dir fd (opened on first use, owned by l): fd, or
 * -errno. */
int sv_login_state_fd(struct sv_login *l);

/* Release what the login holds (the state dir fd). Idempotent. */
void sv_login_release(struct sv_login *l);

/* Identity is the UID: what the system's NSS (nsswitch.conf, every source
 * in order) answers for user. 0 with *uid; -ENOENT when no source knows
 * the name; -EIO or -ENOMEM when it cannot tell. Never called with a lock
 * of the NSS module held (the module is not ours to lock here). */
int sv_identity_resolve(const char *user, uint32_t *uid);

/* The account as far as credentials are bound to it (name, UID, creation
 * time), for sv_cred_bound_to; after a successful sv_login_account. */
void sv_login_owner(const struct sv_login *l, struct sv_account *out);

/* Look the account up and check its state. OK, NO_ACCOUNT (reason
 * not_service_account), UNAVAIL (store_error/store_corrupt), DENY
 * (account_disabled, account_expired, too_many_roles). Fills granted and
 * sets effective = granted. The allowed methods are checked later, once
 * the method is known (reason method_not_allowed). */
enum sv_login_status sv_login_account(struct sv_login *l);

/* Single use, the last check of every login by a token, client assertion
 * or issuer token alike: with l->consume_jti, atomically check that key
 * (keylen bytes: an assertion's jti, an issuer token's replay key) was
 * never used by l->user and record it until exp + clock_skew; without
 * (svcacct verify) only look it up, spending nothing. Through the login's
 * state dir fd. OK, or DENY with l->reason replay, replay_quota or
 * replay_cache_error (fail closed). */
enum sv_login_status sv_login_record_use(struct sv_login *l, const char *key,
					 size_t keylen, int64_t exp);

/* The scope of the credential that logs in: its record's role GIDs
 * (none: unscoped) matched against l->granted into l->cred_scope
 * (sv_policy_cred_roles, no store read), and source_ok, whether its
 * source list lets the client in (sv_policy_cred_source_ok). OK, or DENY
 * source_not_allowed. */
enum sv_login_status sv_login_cred_scope(struct sv_login *l,
					 const struct sv_u32list *roles,
					 bool source_ok);

/* Narrow l->effective (granted, narrowed already by a token's scope) by
 * the scope sv_login_cred_scope recorded: granted ∩ credential scope ∩
 * token scope. Nothing changes for an unscoped credential. DENY no_role
 * when a scoped credential leaves no role, unless both the credential
 * and the token (token_base: no token scope, or one naming it) name the
 * base role; OK otherwise. */
enum sv_login_status sv_login_cred_narrow(struct sv_login *l, bool token_base);

/* The recorded credential scope as "svcacct,a,b" for the audit line
 * (empty when unscoped). 0, -ENOSPC if cap is too small. */
int sv_login_scope_csv(const struct sv_login *l, char *out, size_t cap);

/* The whole auth decision for len bytes of credential (not necessarily
 * NUL-terminated): sv_login_account, then the secret, client assertion
 * or issuer token checks (issuer.h), then whether the account allows that
 * method (method_not_allowed: only a credential that passed every other
 * check is refused for its method), the replay cache last. Every outcome
 * sets l->reason ("ok" on success). */
enum sv_login_status sv_login_verify(struct sv_login *l, const char *cred,
				     size_t len);

#endif
