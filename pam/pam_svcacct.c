/* SPDX-License-Identifier: MIT */
/* pam_svcacct: PAM entry points. The decisions live in common/ (login.c,
 * policy.c, replay.c); this file gathers PAM items, maps outcomes to PAM
 * codes, carries state from auth to account/session through the PAM
 * environment (sshd runs auth in another process) and logs every decision
 * in the fixed key=value form. Never a secret or token in a log line. */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <security/pam_modutil.h>

#include "codec.h"
#include "config.h"
#include "lastused.h"
#include "login.h"
#include "names.h"
#include "pam_svcacct.h"
#include "policy.h"
#include "store.h"
#include "util.h"

#define ENV_ACCOUNT	 "SVCACCT_ACCOUNT"
#define ENV_CRED	 "SVCACCT_CREDENTIAL"
#define ENV_METHOD	 "SVCACCT_METHOD"
#define ENV_ROLES	 "SVCACCT_ROLES"
#define ENV_JTI		 "SVCACCT_JTI"
#define WARN_EXPIRY_DAYS 7

struct svp_ctx {
	pam_handle_t *pamh;
	struct svp_args args;
	struct sv_config cfg;
	bool cfg_ok;
	const char *user, *service, *rhost, *tty;
	char s_user[40], s_service[72], s_rhost[72], s_tty[72];
};

static const char *item(pam_handle_t *pamh, int type)
{
	const void *v = NULL;
	if (pam_get_item(pamh, type, &v) != PAM_SUCCESS)
		return NULL;
	return v;
}

/* Arguments, items, configuration. The user comes from pam_get_user
 * (which may prompt); everything else is read, never trusted. */
static int ctx_init(struct svp_ctx *x, pam_handle_t *pamh, int argc,
		    const char **argv)
{
	char err[SV_CONF_ERRLEN];
	const char *path;
	int r;

	memset(x, 0, sizeof(*x));
	x->pamh = pamh;
	svp_args_parse(pamh, argc, argv, &x->args);
	if (pam_get_user(pamh, &x->user, NULL) != PAM_SUCCESS || !x->user)
		x->user = NULL;
	x->service = item(pamh, PAM_SERVICE);
	x->rhost = item(pamh, PAM_RHOST);
	x->tty = item(pamh, PAM_TTY);
	svp_sanitize(x->user, x->s_user, sizeof(x->s_user));
	svp_sanitize(x->service, x->s_service, sizeof(x->s_service));
	svp_sanitize(x->rhost, x->s_rhost, sizeof(x->s_rhost));
	svp_sanitize(x->tty, x->s_tty, sizeof(x->s_tty));
	path = x->args.conf ? x->args.conf : sv_config_default_path();
	r = sv_config_load(&x->cfg, path, true, err, sizeof(err));
	if (r == -ENOENT && !x->args.conf)
		r = 0; /* no file: the compiled-in defaults */
	if (r < 0) {
		char clean[160];
		svp_sanitize(err, clean, sizeof(clean));
		pam_syslog(
		    pamh, LOG_AUTHPRIV | LOG_ERR,
		    "svcacct: event=config result=error reason=config_error "
		    "detail=%s",
		    clean);
		sv_config_defaults(&x->cfg);
		return r;
	}
	x->cfg_ok = true;
	return 0;
}

/* One decision, one line. */
static void log_decision(struct svp_ctx *x, int prio, const char *event,
			 const char *result, const char *cred,
			 const char *reason, const char *extra)
{
	char c[40];
	svp_sanitize(cred, c, sizeof(c));
	if (x->args.quiet && prio >= LOG_INFO && strcmp(result, "deny") != 0)
		return;
	/* people pass through every login: their lines are debug-level
	 * unless the admin asks to see them */
	if (prio == LOG_DEBUG && x->args.debug)
		prio = LOG_INFO;
	pam_syslog(x->pamh, LOG_AUTHPRIV | prio,
		   "svcacct: event=%s result=%s account=%s credential=%s "
		   "service=%s rhost=%s reason=%s%s%s",
		   event, result, x->s_user, c, x->s_service, x->s_rhost,
		   reason ? reason : "-", extra ? " " : "", extra ? extra : "");
}

/* Identity is the UID. What the system's NSS says PAM_USER is, asked
 * once per PAM handle and per name (sudo changes PAM_USER between its
 * phases) and kept with pam_set_data; sshd runs auth in another process,
 * which asks again. A definite answer (a UID, or no such user) is kept;
 * a failed lookup is not, and fails the phase. */
#define IDENTITY_DATA "pam_svcacct_identity"
struct svp_identity {
	char user[SV_NAME_MAX + 1];
	int status; /* 0: uid valid; -ENOENT: no such user */
	uint32_t uid;
	bool busy; /* the lookup is running: a re-entry fails closed */
};

static void identity_free(pam_handle_t *pamh, void *data, int err)
{
	(void)pamh;
	(void)err;
	free(data);
}

/* 0 with *uid, -ENOENT, or -errno (not kept). */
static int identity_lookup(struct svp_ctx *x, uint32_t *uid)
{
	const void *d = NULL;
	struct svp_identity *id = NULL;
	int r;

	if (!x->user || strlen(x->user) > SV_NAME_MAX)
		return -ENOENT;
	if (pam_get_data(x->pamh, IDENTITY_DATA, &d) == PAM_SUCCESS && d) {
		id = (struct svp_identity *)d;
		/* an NSS source that ends up in this module again (a
		 * module authenticating through PAM): no answer */
		if (id->busy)
			return -EDEADLK;
		if (strcmp(id->user, x->user) == 0) {
			*uid = id->uid;
			return id->status;
		}
	} else {
		id = calloc(1, sizeof(*id));
		if (!id)
			return -ENOMEM;
		if (pam_set_data(x->pamh, IDENTITY_DATA, id, identity_free) !=
		    PAM_SUCCESS) {
			free(id);
			return -ENOMEM;
		}
	}
	id->busy = true;
	id->user[0] = '\0';
	r = sv_identity_resolve(x->user, uid);
	id->busy = false;
	if (r == 0 || r == -ENOENT) {
		memcpy(id->user, x->user, strlen(x->user) + 1);
		id->status = r;
		id->uid = r == 0 ? *uid : 0;
	}
	return r;
}

/* Whether PAM_USER, as the system resolves it, is the account of UID uid:
 * NULL if so, else the reason to refuse. */
static const char *identity_mismatch(struct svp_ctx *x, uint32_t uid)
{
	uint32_t got = 0;
	int r = identity_lookup(x, &got);
	if (r == 0)
		return got == uid ? NULL : "identity_mismatch";
	return r == -ENOENT ? "identity_mismatch" : "identity_unavailable";
}

/* Whether the user is a service account by UID alone, for deciding how to
 * fail when the store cannot be read: people must never be locked out by
 * a broken svcacct store, service accounts must never get in through one. */
static bool uid_in_range(struct svp_ctx *x)
{
	uint32_t uid = 0;
	if (identity_lookup(x, &uid) < 0)
		return false;
	return uid >= x->cfg.uid_min && uid <= x->cfg.uid_max;
}

/* When the config or the store cannot be read, is this user one of ours?
 * Yes if our own auth logged it in during this transaction (the PAM
 * environment it set names the user), whatever NSS can answer now, and
 * otherwise if NSS resolves it to a UID of the range. Found by
 * tests/hardening/test_failmalloc_pam.sh: an allocation failure while
 * loading the config in the account phase, with the user not resolvable
 * at that moment, turned into PAM_IGNORE and the stack's pam_permit let
 * the service account through unchecked (and setcred kept every role). */
static bool known_service_account(struct svp_ctx *x)
{
	const char *a = pam_getenv(x->pamh, ENV_ACCOUNT);
	if (x->user && a && strcmp(a, x->user) == 0)
		return true;
	return uid_in_range(x);
}

static bool user_plausible(const char *user)
{
	return user && *user && strlen(user) <= SV_NAME_MAX;
}

static int open_store(struct svp_ctx *x, unsigned mask, struct sv_reader **rd,
		      const char **reason)
{
	/* No SV_READER_MMAP: a login reads a handful of buckets, and mapping
	 * then unmapping credentials.db (a TLB shootdown on every CPU) cost
	 * more than the preads it saves: ES256 own cost 1.88x -> 1.38x of
	 * the raw verify (docs/BENCHMARKS.md). */
	int r = sv_reader_open(&x->cfg, mask, rd);
	if (r == 0)
		return 0;
	*reason = r == -ENOENT			    ? "store_missing"
		  : (r == -EBADMSG || r == -EPROTO) ? "store_corrupt"
		  : r == -EPERM			    ? "store_unsafe"
						    : "store_unreadable";
	return r;
}

/* 0 or -1: a variable that cannot be set must fail the phase, or an
 * absent SVCACCT_ROLES would read as "no narrowing". */
static int env_set(pam_handle_t *pamh, const char *name, const char *value)
{
	_cleanup_free_ char *buf = NULL;
	if (asprintf(&buf, "%s=%s", name, value ? value : "") < 0) {
		buf = NULL;
		return -1;
	}
	return pam_putenv(pamh, buf) == PAM_SUCCESS ? 0 : -1;
}

static void env_clear(pam_handle_t *pamh)
{
	/* NAME without '=' removes it (libpam complains about absent ones) */
	static const char *const names[] = {ENV_ACCOUNT, ENV_CRED, ENV_METHOD,
					    ENV_ROLES, ENV_JTI};
	for (size_t i = 0; i < SV_ARRAY_SIZE(names); i++)
		if (pam_getenv(pamh, names[i]))
			(void)pam_putenv(pamh, names[i]);
}

/* What auth recorded, copied: pam_putenv frees the strings pam_getenv
 * returned. */
struct svp_env {
	char cred[SV_CRED_ID_LEN + 1];
	char method[16];
	char jti[SV_JTI_MAX + 1];
	bool has_cred, has_method, has_jti;
};

static bool env_copy(pam_handle_t *pamh, const char *name, char *out,
		     size_t cap)
{
	const char *v = pam_getenv(pamh, name);
	if (!v || strlen(v) >= cap)
		return false;
	memcpy(out, v, strlen(v) + 1);
	return true;
}

/* The effective roles of this login for account/setcred/session: the
 * granted ones, narrowed by what auth recorded if auth was ours for this
 * very user. The variable can only remove roles (intersection). */
static void effective_from_env(struct svp_ctx *x, struct sv_login *l,
			       struct svp_env *e)
{
	const char *acct = pam_getenv(x->pamh, ENV_ACCOUNT);
	bool ours = acct && x->user && strcmp(acct, x->user) == 0;

	memset(e, 0, sizeof(*e));
	const char *roles = pam_getenv(x->pamh, ENV_ROLES);
	/* ours without roles cannot happen (auth sets both or neither): if
	 * it does, the narrowest reading */
	sv_policy_narrow_csv(&l->granted, ours ? (roles ? roles : "") : NULL,
			     &l->effective);
	if (ours) {
		e->has_cred =
		    env_copy(x->pamh, ENV_CRED, e->cred, sizeof(e->cred));
		e->has_method =
		    env_copy(x->pamh, ENV_METHOD, e->method, sizeof(e->method));
		e->has_jti = env_copy(x->pamh, ENV_JTI, e->jti, sizeof(e->jti));
	}
	if (!e->has_method)
		snprintf(e->method, sizeof(e->method), "%s",
			 sv_method_name(SV_METHOD_OTHER));
}

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

/* ---------------------------------------------------------------- auth */

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc,
				   const char **argv)
{
	struct svp_ctx x;
	struct sv_reader *rd = NULL;
	struct sv_audiences *aud = NULL;
	struct sv_login *l = NULL;
	char *cred = NULL;
	size_t credlen = 0;
	const char *reason = "internal";
	int ret = PAM_AUTH_ERR;

	(void)flags;
	int cr = ctx_init(&x, pamh, argc, argv);
	/* every failure costs the same delay; libpam applies the largest
	 * one requested in the stack */
	(void)pam_fail_delay(pamh, x.cfg.fail_delay_ms * 1000u);
	env_clear(pamh);
	if (!user_plausible(x.user)) {
		log_decision(&x, LOG_DEBUG, "auth", "ignore", NULL,
			     "not_service_account", NULL);
		return PAM_USER_UNKNOWN;
	}
	if (cr < 0) {
		log_decision(&x, LOG_ERR, "auth", "deny", NULL, "config_error",
			     NULL);
		return PAM_AUTHINFO_UNAVAIL;
	}
	if (open_store(&x,
		       SV_DBMASK(SV_DB_ACCOUNTS) | SV_DBMASK(SV_DB_CREDENTIALS),
		       &rd, &reason) < 0) {
		log_decision(&x, LOG_ERR, "auth", "deny", NULL, reason, NULL);
		return PAM_AUTHINFO_UNAVAIL;
	}
	aud = calloc(1, sizeof(*aud));
	l = calloc(1, sizeof(*l));
	if (!aud || !l) {
		reason = "no_memory";
		ret = PAM_BUF_ERR;
		goto out;
	}
	if (sv_audiences_build(&x.cfg, x.args.audience, aud) < 0) {
		reason = "bad_audience";
		ret = PAM_AUTHINFO_UNAVAIL;
		goto out;
	}
	l->cfg = &x.cfg;
	l->rd = rd;
	l->user = x.user;
	l->now = now_s();
	l->aud = aud;
	l->consume_jti = true;
	/* the account first: people are not prompted at all */
	enum sv_login_status st = sv_login_account(l);
	const char *idr = NULL;
	if (st == SV_LOGIN_OK && (idr = identity_mismatch(&x, l->uid))) {
		/* the name is someone else's on this system: whatever the
		 * credential, it would log that user in */
		l->reason = idr;
		st = strcmp(idr, "identity_mismatch") ? SV_LOGIN_UNAVAIL
						      : SV_LOGIN_DENY;
	} else if (st == SV_LOGIN_OK && sv_is_ui_service(&x.cfg, x.service)) {
		/* screen lockers and some display managers never call the
		 * account phase: refuse here too, without prompting */
		l->reason = "ui_service";
		st = SV_LOGIN_DENY;
	} else if (st == SV_LOGIN_OK) {
		ret = svp_get_credential(pamh, &x.args, &x.cfg, aud->v[0],
					 &cred, &credlen, &reason);
		if (ret != PAM_SUCCESS)
			goto out;
		l->now = now_s(); /* the conversation may have taken a while */
		st = sv_login_verify(l, cred, credlen);
	}
	reason = l->reason;
	switch (st) {
	case SV_LOGIN_OK: ret = PAM_SUCCESS; break;
	case SV_LOGIN_NO_ACCOUNT: ret = PAM_USER_UNKNOWN; break;
	case SV_LOGIN_UNAVAIL: ret = PAM_AUTHINFO_UNAVAIL; break;
	default: ret = PAM_AUTH_ERR; break;
	}
out:
	svp_cred_free(cred, credlen);
	if (ret == PAM_SUCCESS) {
		char roles[SV_ROLES_MAX * (SV_NAME_MAX + 1) + 1], extra[1200],
		    jti[SV_JTI_MAX + 1];
		if (sv_roleset_csv(&l->effective, roles, sizeof(roles)) < 0 ||
		    env_set(pamh, ENV_ROLES, roles) < 0 ||
		    env_set(pamh, ENV_ACCOUNT, x.user) < 0 ||
		    env_set(pamh, ENV_CRED, l->cred_id) < 0 ||
		    env_set(pamh, ENV_METHOD, sv_method_name(l->method)) < 0 ||
		    (l->jti[0] && env_set(pamh, ENV_JTI, l->jti) < 0)) {
			env_clear(pamh);
			log_decision(&x, LOG_ERR, "auth", "deny", l->cred_id,
				     "no_memory", NULL);
			ret = PAM_BUF_ERR;
			goto done;
		}
		int sfd = sv_login_state_fd(l);
		if (sfd >= 0)
			sv_lastused_touch_at(&x.cfg, sfd, x.user, l->cred_id,
					     l->now);
		char s_roles[600];
		svp_sanitize(roles, s_roles, sizeof(s_roles));
		svp_sanitize(l->jti, jti, sizeof(jti));
		snprintf(extra, sizeof(extra), "method=%s roles=%s jti=%s%s%s",
			 sv_method_name(l->method), s_roles, jti,
			 l->issuer[0] ? " issuer=" : "", l->issuer);
		log_decision(&x, LOG_INFO, "auth", "allow", l->cred_id, "ok",
			     extra);
		if (!x.args.no_warn && l->cred_expires &&
		    l->cred_expires - l->now < WARN_EXPIRY_DAYS * 86400) {
			char msg[160];
			snprintf(
			    msg, sizeof(msg),
			    "svcacct: this credential expires in %lld hour(s)",
			    (long long)((l->cred_expires - l->now) / 3600));
			svp_message(pamh, PAM_TEXT_INFO, msg);
		}
	} else if (ret == PAM_USER_UNKNOWN) {
		log_decision(&x, LOG_DEBUG, "auth", "ignore", NULL, reason,
			     NULL);
	} else {
		char extra[160];
		snprintf(extra, sizeof(extra), "method=%s%s%s",
			 sv_method_name(l ? l->method : SV_METHOD_NONE),
			 l && l->issuer[0] ? " issuer=" : "",
			 l ? l->issuer : "");
		log_decision(
		    &x, ret == PAM_AUTHINFO_UNAVAIL ? LOG_ERR : LOG_NOTICE,
		    "auth", "deny", l && l->cred_id[0] ? l->cred_id : NULL,
		    reason, extra);
	}
done:
	if (l) {
		sv_login_release(l);
		explicit_bzero(l, sizeof(*l));
	}
	free(l);
	free(aud);
	sv_reader_close(rd);
	return ret;
}

/* ------------------------------------------------------------- account */

/* sshd's services: a login there that this module did not authenticate
 * was a public-key login (service accounts have no password), and the
 * account phase must know which key it was. */
static bool is_ssh_service(const struct svp_ctx *x)
{
	for (size_t i = 0; x->service && i < x->cfg.n_ssh_services; i++)
		if (strcmp(x->cfg.ssh_services[i], x->service) == 0)
			return true;
	return false;
}

struct ssh_match {
	const char *key; /* "TYPE BASE64" of SSH_AUTH_INFO_0 */
	size_t keylen;
	int64_t now;
	char id[SV_CRED_ID_LEN + 1];
	const char *reason;
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
 * reason to refuse. */
static const char *ssh_key_login(struct svp_ctx *x, const struct sv_login *l,
				 char id[SV_CRED_ID_LEN + 1])
{
	const char *info = pam_getenv(x->pamh, "SSH_AUTH_INFO_0");
	struct sv_reader *rd = NULL;
	struct sv_revocations *rv = NULL;
	struct ssh_match m = {.now = l->now};
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
	r = sv_reader_open(&x->cfg, SV_DBMASK(SV_DB_PUBKEYS), &rd);
	if (r == 0) {
		sfd = sv_state_open_dir(&x->cfg);
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
	if (!reason || !strcmp(reason, "revoked") ||
	    !strcmp(reason, "credential_expired"))
		memcpy(id, m.id, sizeof(m.id));
	sv_revocations_close(rv);
	if (sfd >= 0)
		close(sfd);
	sv_reader_close(rd);
	return reason;
}

PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc,
				const char **argv)
{
	struct svp_ctx x;
	struct sv_reader *rd = NULL;
	struct sv_login *l = NULL;
	const char *reason = "internal";
	char key_id[SV_CRED_ID_LEN + 1] = "";
	struct svp_env e;
	int ret;

	(void)flags;
	int cr = ctx_init(&x, pamh, argc, argv);
	if (!user_plausible(x.user)) {
		log_decision(&x, LOG_DEBUG, "account", "ignore", NULL,
			     "not_service_account", NULL);
		return PAM_IGNORE;
	}
	if (cr < 0 ||
	    open_store(&x, SV_DBMASK(SV_DB_ACCOUNTS), &rd, &reason) < 0) {
		if (cr < 0)
			reason = "config_error";
		if (known_service_account(&x)) {
			log_decision(&x, LOG_ERR, "account", "deny", NULL,
				     reason, NULL);
			return PAM_AUTHINFO_UNAVAIL;
		}
		log_decision(&x, LOG_DEBUG, "account", "ignore", NULL, reason,
			     NULL);
		return PAM_IGNORE;
	}
	l = calloc(1, sizeof(*l));
	if (!l) {
		ret = PAM_BUF_ERR;
		reason = "no_memory";
		goto deny;
	}
	l->cfg = &x.cfg;
	l->rd = rd;
	l->user = x.user;
	l->now = now_s();
	switch (sv_login_account(l)) {
	case SV_LOGIN_OK: break;
	case SV_LOGIN_NO_ACCOUNT:
		log_decision(&x, LOG_DEBUG, "account", "ignore", NULL,
			     l->reason, NULL);
		ret = PAM_IGNORE;
		goto out;
	case SV_LOGIN_UNAVAIL:
		reason = l->reason;
		ret = PAM_AUTHINFO_UNAVAIL;
		goto deny;
	default:
		reason = l->reason;
		ret = strcmp(reason, "account_expired") == 0 ? PAM_ACCT_EXPIRED
							     : PAM_PERM_DENIED;
		goto deny;
	}
	reason = identity_mismatch(&x, l->uid);
	if (reason) {
		ret = strcmp(reason, "identity_mismatch") ? PAM_AUTHINFO_UNAVAIL
							  : PAM_PERM_DENIED;
		goto deny;
	}
	effective_from_env(&x, l, &e);
	if ((!e.has_method || !e.has_cred) && is_ssh_service(&x)) {
		/* someone else authenticated over ssh: one of the account's
		 * keys, which sshd must name (ExposeAuthInfo). Without the
		 * variable no later phase can tell either: refused. With it
		 * empty (the key is the method being completed), the session
		 * phase checks the key, which sshd names by then. */
		const char *info = pam_getenv(pamh, "SSH_AUTH_INFO_0");
		reason = !info ? "no_auth_info"
			 : auth_info_has_key(info)
			     ? ssh_key_login(&x, l, key_id)
			     : NULL;
		if (reason) {
			ret = strcmp(reason, "store_error")
				  ? PAM_PERM_DENIED
				  : PAM_AUTHINFO_UNAVAIL;
			goto deny;
		}
		memcpy(e.cred, key_id, sizeof(key_id));
		e.has_cred = key_id[0] != '\0';
		snprintf(e.method, sizeof(e.method), "%s",
			 sv_method_name(SV_METHOD_SSHKEY));
		e.has_method = true;
	}
	if (sv_is_ui_service(&x.cfg, x.service)) {
		reason = "ui_service";
		ret = PAM_PERM_DENIED;
		goto deny;
	}
	if (sv_policy_allows(rd, &x.cfg, &l->effective, x.service, x.rhost,
			     &reason) < 0) {
		ret = strcmp(reason, "store_error") == 0 ? PAM_AUTHINFO_UNAVAIL
							 : PAM_PERM_DENIED;
		goto deny;
	}
	{
		char roles[SV_ROLES_MAX * (SV_NAME_MAX + 1) + 1];
		char s_roles[600], s_m[32], extra[700];
		int er = sv_roleset_csv(&l->effective, roles, sizeof(roles));
		/* session and setcred (maybe in another process) see what
		 * this phase decided */
		if (er == 0 &&
		    (!pam_getenv(pamh, ENV_ACCOUNT) ||
		     strcmp(pam_getenv(pamh, ENV_ACCOUNT), x.user) != 0)) {
			env_clear(pamh);
			er = env_set(pamh, ENV_METHOD, e.method);
			if (er == 0 && e.has_cred)
				er = env_set(pamh, ENV_CRED, e.cred);
			if (er == 0)
				er = env_set(pamh, ENV_ACCOUNT, x.user);
		}
		if (er == 0)
			er = env_set(pamh, ENV_ROLES, roles);
		if (er < 0) {
			env_clear(pamh);
			reason = "no_memory";
			ret = PAM_BUF_ERR;
			goto deny;
		}
		svp_sanitize(roles, s_roles, sizeof(s_roles));
		svp_sanitize(e.method, s_m, sizeof(s_m));
		snprintf(extra, sizeof(extra), "method=%s roles=%s", s_m,
			 s_roles);
		log_decision(&x, LOG_INFO, "account", "allow",
			     e.has_cred ? e.cred : NULL, "ok", extra);
	}
	ret = PAM_SUCCESS;
	goto out;
deny:
	log_decision(&x, ret == PAM_AUTHINFO_UNAVAIL ? LOG_ERR : LOG_NOTICE,
		     "account", "deny", key_id[0] ? key_id : NULL, reason,
		     NULL);
out:
	free(l);
	sv_reader_close(rd);
	return ret;
}

/* ------------------------------------------------------------- setcred */

/* Look the account up for setcred/session/chauthtok. PAM_SUCCESS with l
 * filled; PAM_IGNORE for people; otherwise the error (logged). */
static int account_for(struct svp_ctx *x, const char *event,
		       struct sv_reader **rd, struct sv_login *l,
		       bool need_enabled, int unavail_code)
{
	const char *reason = "internal";
	if (!user_plausible(x->user))
		return PAM_IGNORE;
	if (!x->cfg_ok ||
	    open_store(x, SV_DBMASK(SV_DB_ACCOUNTS), rd, &reason) < 0) {
		if (!x->cfg_ok)
			reason = "config_error";
		if (known_service_account(x)) {
			log_decision(x, LOG_ERR, event, "deny", NULL, reason,
				     NULL);
			return unavail_code;
		}
		return PAM_IGNORE;
	}
	l->cfg = &x->cfg;
	l->rd = *rd;
	l->user = x->user;
	l->now = now_s();
	switch (sv_login_account(l)) {
	case SV_LOGIN_OK: break;
	case SV_LOGIN_NO_ACCOUNT: return PAM_IGNORE;
	case SV_LOGIN_DENY:
		/* a disabled account is still one (chauthtok): its identity
		 * is checked all the same */
		if (!need_enabled && l->uid)
			break;
		/* fall through */
	default:
		log_decision(x, LOG_NOTICE, event, "deny", NULL, l->reason,
			     NULL);
		return unavail_code;
	}
	reason = identity_mismatch(x, l->uid);
	if (reason) {
		log_decision(x, LOG_NOTICE, event, "deny", NULL, reason, NULL);
		return unavail_code;
	}
	return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc,
			      const char **argv)
{
	struct svp_ctx x;
	struct sv_reader *rd = NULL;
	struct sv_login *l = NULL;
	struct svp_env e;
	gid_t *groups = NULL;
	int ret, n, kept = 0, dropped = 0;

	ctx_init(&x, pamh, argc, argv);
	l = calloc(1, sizeof(*l));
	if (!l)
		return PAM_BUF_ERR;
	/* deleting grants nothing: when a session ends (sshd calls this
	 * after closing it) an account disabled or expired meanwhile is no
	 * refusal to log, only the identity still has to match */
	ret = account_for(
	    &x, "setcred", &rd, l,
	    (flags & (PAM_ESTABLISH_CRED | PAM_REINITIALIZE_CRED)) != 0,
	    PAM_CRED_ERR);
	if (ret == PAM_IGNORE) {
		/* People: the same answer as auth gives them. sshd runs a
		 * keyboard-interactive conversation in another process, so
		 * its pam_setcred has no result of auth to replay, and the
		 * auth line's own action for this code applies: with the
		 * documented flags user_unknown=ignore lets the stack go on,
		 * where PAM_IGNORE would meet default=die. */
		ret = PAM_USER_UNKNOWN;
		goto out;
	}
	if (ret != PAM_SUCCESS)
		goto out;
	if (!(flags & (PAM_ESTABLISH_CRED | PAM_REINITIALIZE_CRED))) {
		ret = PAM_SUCCESS; /* nothing to delete or refresh */
		goto out;
	}
	effective_from_env(&x, l, &e);
	/* only ever remove: the groups of granted roles that this login
	 * does not hold. sshd calls this before initgroups too, with no
	 * supplementary groups: then there is nothing to remove. */
	n = getgroups(0, NULL);
	if (n < 0) {
		ret = PAM_CRED_ERR;
		goto out;
	}
	groups = calloc((size_t)n + 1, sizeof(gid_t));
	if (!groups) {
		ret = PAM_BUF_ERR;
		goto out;
	}
	n = getgroups(n, groups);
	if (n < 0) {
		ret = PAM_CRED_ERR;
		goto out;
	}
	for (int i = 0; i < n; i++) {
		if (sv_roleset_has_gid(&l->granted, groups[i]) &&
		    !sv_roleset_has_gid(&l->effective, groups[i])) {
			dropped++;
			continue;
		}
		groups[kept++] = groups[i];
	}
	if (dropped && setgroups((size_t)kept, groups) < 0) {
		log_decision(&x, LOG_ERR, "setcred", "deny",
			     e.has_cred ? e.cred : NULL, "setgroups_failed",
			     NULL);
		ret = PAM_CRED_ERR;
		goto out;
	}
	{
		char extra[64];
		snprintf(extra, sizeof(extra), "dropped_groups=%d", dropped);
		log_decision(&x, LOG_INFO, "setcred", "ok",
			     e.has_cred ? e.cred : NULL, "ok", extra);
	}
	ret = PAM_SUCCESS;
out:
	free(groups);
	free(l);
	sv_reader_close(rd);
	return ret;
}

/* ------------------------------------------------------------- session */

static void session_record(struct svp_ctx *x, const char *event,
			   const char *cred, const char *method,
			   const char *roles, const char *jti)
{
	char c[40], m[32], r[600], j[SV_JTI_MAX + 1];
	svp_sanitize(cred, c, sizeof(c));
	svp_sanitize(method, m, sizeof(m));
	svp_sanitize(roles, r, sizeof(r));
	svp_sanitize(jti, j, sizeof(j));
	/* the audit record: always written, "quiet" or not */
	pam_syslog(x->pamh, LOG_AUTHPRIV | LOG_INFO,
		   "svcacct: event=%s result=ok account=%s credential=%s "
		   "method=%s service=%s rhost=%s tty=%s roles=%s jti=%s",
		   event, x->s_user, c, m, x->s_service, x->s_rhost, x->s_tty,
		   r, j);
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc,
				   const char **argv)
{
	struct svp_ctx x;
	struct sv_reader *rd = NULL;
	struct sv_login *l = NULL;
	struct svp_env e;
	char roles[SV_ROLES_MAX * (SV_NAME_MAX + 1) + 1];
	int ret;

	(void)flags;
	ctx_init(&x, pamh, argc, argv);
	l = calloc(1, sizeof(*l));
	if (!l)
		return PAM_BUF_ERR;
	/* Refusals are PAM_PERM_DENIED, not PAM_SESSION_ERR: sudo takes
	 * PAM_SESSION_ERR as a module that could not set up its part of the
	 * session and goes on. */
	ret = account_for(&x, "session-open", &rd, l, true, PAM_PERM_DENIED);
	if (ret != PAM_SUCCESS)
		goto out;
	const char *acct = pam_getenv(pamh, ENV_ACCOUNT);
	bool account_ran = acct && strcmp(acct, x.user) == 0;
	effective_from_env(&x, l, &e);
	if (!account_ran) {
		/* no account phase of ours in this transaction (runuser,
		 * sudo -u ACCOUNT by another user): the roles' policy
		 * applies here, as it would have there */
		const char *reason = NULL;
		if (sv_is_ui_service(&x.cfg, x.service))
			reason = "ui_service";
		else if (sv_policy_allows(rd, &x.cfg, &l->effective, x.service,
					  x.rhost, &reason) == 0)
			reason = NULL;
		if (reason) {
			log_decision(&x, LOG_NOTICE, "session-open", "deny",
				     NULL, reason, NULL);
			ret = PAM_PERM_DENIED;
			goto out;
		}
	}
	if (is_ssh_service(&x) &&
	    (!account_ran ||
	     sv_method_from_name(e.method) == SV_METHOD_SSHKEY)) {
		/* the key of a public-key login, named by sshd now: no
		 * session without one of the account's live keys */
		char key_id[SV_CRED_ID_LEN + 1];
		const char *reason = ssh_key_login(&x, l, key_id);
		if (reason) {
			log_decision(&x, LOG_NOTICE, "session-open", "deny",
				     key_id[0] ? key_id : NULL, reason,
				     "method=sshkey");
			ret = PAM_PERM_DENIED;
			goto out;
		}
		memcpy(e.cred, key_id, sizeof(key_id));
		e.has_cred = true;
		snprintf(e.method, sizeof(e.method), "%s",
			 sv_method_name(SV_METHOD_SSHKEY));
	}
	if (sv_roleset_csv(&l->effective, roles, sizeof(roles)) < 0 ||
	    env_set(pamh, ENV_ROLES, roles) < 0 ||
	    env_set(pamh, ENV_ACCOUNT, x.user) < 0 ||
	    (e.has_cred && env_set(pamh, ENV_CRED, e.cred) < 0)) {
		ret = PAM_SESSION_ERR;
		goto out;
	}
	session_record(&x, "session-open", e.has_cred ? e.cred : NULL, e.method,
		       roles, e.has_jti ? e.jti : NULL);
	ret = PAM_SUCCESS;
out:
	free(l);
	sv_reader_close(rd);
	return ret;
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc,
				    const char **argv)
{
	struct svp_ctx x;
	const char *acct;

	(void)flags;
	ctx_init(&x, pamh, argc, argv);
	acct = pam_getenv(pamh, ENV_ACCOUNT);
	/* only sessions that open_session recorded as ours */
	if (!x.user || !acct || strcmp(acct, x.user) != 0)
		return PAM_IGNORE;
	session_record(&x, "session-close", pam_getenv(pamh, ENV_CRED),
		       pam_getenv(pamh, ENV_METHOD),
		       pam_getenv(pamh, ENV_ROLES), pam_getenv(pamh, ENV_JTI));
	return PAM_SUCCESS;
}

/* ------------------------------------------------------------ password */

PAM_EXTERN int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc,
				const char **argv)
{
	struct svp_ctx x;
	struct sv_reader *rd = NULL;
	struct sv_login *l = NULL;
	int ret;

	ctx_init(&x, pamh, argc, argv);
	l = calloc(1, sizeof(*l));
	if (!l)
		return PAM_BUF_ERR;
	/* a disabled service account is still one: refused all the same */
	ret = account_for(&x, "chauthtok", &rd, l, false, PAM_AUTHTOK_ERR);
	if (ret != PAM_SUCCESS)
		goto out;
	if (flags & PAM_PRELIM_CHECK || !(flags & PAM_UPDATE_AUTHTOK)) {
		char msg[200];
		snprintf(msg, sizeof(msg),
			 "%s is a service account: it has no password; its "
			 "credentials are managed with svcacct(8) (svcacct "
			 "secret add, svcacct key add)",
			 x.s_user);
		svp_message(pamh, PAM_ERROR_MSG, msg);
	}
	log_decision(&x, LOG_NOTICE, "chauthtok", "deny", NULL,
		     "service_account_password", NULL);
	ret = PAM_PERM_DENIED;
out:
	free(l);
	sv_reader_close(rd);
	return ret;
}
