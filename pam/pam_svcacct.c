/* SPDX-License-Identifier: MIT */
/* pam_svcacct: PAM entry points. Each one reads what PAM knows, asks
 * common/ for the decision (phase.c, login.c, policy.c), and publishes it:
 * maps it to a PAM code, carries state from auth to account/session
 * through the PAM environment (sshd runs auth in another process) and
 * logs every decision in the fixed key=value form. Never a secret or
 * token in a log line. */
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
#include "phase.h"
#include "policy.h"
#include "sessions.h"
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
	r = svp_config_load(&x->cfg, path, err, sizeof(err));
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

/* The identity lookup as common/auth/phase.c asks for it. */
static int identity_cb(void *ctx, uint32_t *uid)
{
	return identity_lookup(ctx, uid);
}

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

/* What PAM knows for the decisions in common/auth/phase.c: read now, before
 * anything is published (pam_putenv frees what pam_getenv returned). */
static void phase_in(struct svp_ctx *x, struct sv_phase_in *in)
{
	*in = (struct sv_phase_in){
	    .cfg = &x->cfg,
	    .cfg_ok = x->cfg_ok,
	    .user = x->user,
	    .service = x->service,
	    .rhost = x->rhost,
	    .now = now_s(),
	    .identity = identity_cb,
	    .identity_ctx = x,
	    .env_account = pam_getenv(x->pamh, ENV_ACCOUNT),
	    .env_roles = pam_getenv(x->pamh, ENV_ROLES),
	    .env_cred = pam_getenv(x->pamh, ENV_CRED),
	    .env_method = pam_getenv(x->pamh, ENV_METHOD),
	    .env_jti = pam_getenv(x->pamh, ENV_JTI),
	    .ssh_auth_info = pam_getenv(x->pamh, "SSH_AUTH_INFO_0"),
	};
}

/* 0 or -1: a variable that cannot be set must fail the phase, or an
 * absent SVCACCT_ROLES would read as "no narrowing". */
static int env_set(pam_handle_t *pamh, const char *name, const char *value)
{
	char *buf;
	int ret;
	if (asprintf(&buf, "%s=%s", name, value ? value : "") < 0)
		return -1;
	/* pam_putenv keeps a copy of its own */
	ret = pam_putenv(pamh, buf) == PAM_SUCCESS ? 0 : -1;
	free(buf);
	return ret;
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

/* How a phase answers what sv_phase_account decided. */
struct phase_codes {
	const char *event;
	int unreadable, unavail, deny, expired; /* PAM codes */
	int unavail_prio;			/* log priority of unavail */
	bool log_ignore; /* people get a debug line (account phase) */
};

/* Look the account up for account/setcred/session/chauthtok. PAM_SUCCESS
 * with l filled; PAM_IGNORE for people; otherwise the error (logged). */
static int account_for(struct svp_ctx *x, const struct sv_phase_in *in,
		       const struct phase_codes *pc, struct sv_reader **rd,
		       struct sv_login *l, bool need_enabled)
{
	struct sv_decision d = sv_phase_account(in, rd, l, need_enabled);
	int ret, prio = LOG_NOTICE;

	switch (d.verdict) {
	case SV_VERDICT_ALLOW: return PAM_SUCCESS;
	case SV_VERDICT_NOT_OURS:
		if (pc->log_ignore)
			log_decision(x, LOG_DEBUG, pc->event, "ignore", NULL,
				     d.reason, NULL);
		return PAM_IGNORE;
	case SV_VERDICT_UNREADABLE:
		ret = pc->unreadable;
		prio = LOG_ERR;
		break;
	case SV_VERDICT_UNAVAIL:
		ret = pc->unavail;
		prio = pc->unavail_prio;
		break;
	default:
		ret = strcmp(d.reason, "account_expired") ? pc->deny
							  : pc->expired;
		break;
	}
	log_decision(x, prio, pc->event, "deny", NULL, d.reason, NULL);
	return ret;
}

/* Codes of a phase that answers every refusal alike. */
#define PHASE_CODES_ALL(ev, code)                                              \
	{                                                                      \
		.event = (ev), .unreadable = (code), .unavail = (code),        \
		.deny = (code), .expired = (code), .unavail_prio = LOG_NOTICE, \
	}

/* What account, setcred, session and chauthtok work with: the context,
 * the phase's input, the reader and the login begin_phase opened. */
struct svp_phase {
	struct svp_ctx x;
	struct sv_phase_in in;
	struct sv_reader *rd;
	struct sv_login *l;
};

/* How account, setcred, session and chauthtok start: the context, a login
 * (p->l, to free), the phase's input and the account (account_for, with pc
 * and need_enabled). PAM_BUF_ERR with p->l NULL when there is no memory. */
static int begin_phase(struct svp_phase *p, pam_handle_t *pamh, int argc,
		       const char **argv, const struct phase_codes *pc,
		       bool need_enabled)
{
	p->rd = NULL;
	ctx_init(&p->x, pamh, argc, argv);
	p->l = calloc(1, sizeof(*p->l));
	if (!p->l)
		return PAM_BUF_ERR;
	phase_in(&p->x, &p->in);
	return account_for(&p->x, &p->in, pc, &p->rd, p->l, need_enabled);
}

/* What begin_phase made, released; returns ret. */
static int end_phase(struct svp_phase *p, int ret)
{
	free(p->l);
	sv_reader_close(p->rd);
	return ret;
}

/* ---------------------------------------------------------------- auth */

static int auth_code(enum sv_verdict v)
{
	switch (v) {
	case SV_VERDICT_ALLOW: return PAM_SUCCESS;
	case SV_VERDICT_NOT_OURS: return PAM_USER_UNKNOWN;
	case SV_VERDICT_UNREADABLE:
	case SV_VERDICT_UNAVAIL: return PAM_AUTHINFO_UNAVAIL;
	default: return PAM_AUTH_ERR;
	}
}

/* Auth's outcome, published: the PAM environment for the later phases,
 * the last-used record, the log line, the expiry warning. Returns ret, or
 * PAM_BUF_ERR when the environment cannot be set. */
static int auth_publish(struct svp_ctx *x, struct sv_login *l, int ret,
			const char *reason)
{
	pam_handle_t *pamh = x->pamh;

	if (ret == PAM_SUCCESS) {
		char roles[SV_ROLES_MAX * (SV_NAME_MAX + 1) + 1], extra[1900],
		    jti[SV_JTI_MAX + 1];
		if (sv_roleset_csv(&l->effective, roles, sizeof(roles)) < 0 ||
		    env_set(pamh, ENV_ROLES, roles) < 0 ||
		    env_set(pamh, ENV_ACCOUNT, x->user) < 0 ||
		    env_set(pamh, ENV_CRED, l->cred_id) < 0 ||
		    env_set(pamh, ENV_METHOD, sv_method_name(l->method)) < 0 ||
		    (l->jti[0] && env_set(pamh, ENV_JTI, l->jti) < 0)) {
			env_clear(pamh);
			log_decision(x, LOG_ERR, "auth", "deny", l->cred_id,
				     "no_memory", NULL);
			return PAM_BUF_ERR;
		}
		int sfd = sv_login_state_fd(l);
		if (sfd >= 0)
			sv_lastused_touch_at(&x->cfg, sfd, x->user, l->cred_id,
					     l->now);
		char s_roles[600], s_scope[600];
		svp_sanitize(roles, s_roles, sizeof(s_roles));
		svp_sanitize(l->jti, jti, sizeof(jti));
		/* a scoped credential names its scope: what it could ever
		 * hold, beside what this login holds */
		if (sv_login_scope_csv(l, roles, sizeof(roles)) < 0)
			snprintf(roles, sizeof(roles), "?");
		svp_sanitize(roles, s_scope, sizeof(s_scope));
		snprintf(extra, sizeof(extra),
			 "method=%s roles=%s jti=%s%s%s%s%s",
			 sv_method_name(l->method), s_roles, jti,
			 l->issuer[0] ? " issuer=" : "", l->issuer,
			 l->cred_scoped ? " scope=" : "",
			 l->cred_scoped ? s_scope : "");
		log_decision(x, LOG_INFO, "auth", "allow", l->cred_id, "ok",
			     extra);
		if (!x->args.no_warn && l->cred_expires &&
		    l->cred_expires - l->now < WARN_EXPIRY_DAYS * 86400) {
			char msg[160];
			snprintf(
			    msg, sizeof(msg),
			    "svcacct: this credential expires in %lld hour(s)",
			    (long long)((l->cred_expires - l->now) / 3600));
			svp_message(pamh, PAM_TEXT_INFO, msg);
		}
	} else if (ret == PAM_USER_UNKNOWN) {
		log_decision(x, LOG_DEBUG, "auth", "ignore", NULL, reason,
			     NULL);
	} else {
		char extra[160];
		snprintf(extra, sizeof(extra), "method=%s%s%s",
			 sv_method_name(l ? l->method : SV_METHOD_NONE),
			 l && l->issuer[0] ? " issuer=" : "",
			 l ? l->issuer : "");
		log_decision(
		    x, ret == PAM_AUTHINFO_UNAVAIL ? LOG_ERR : LOG_NOTICE,
		    "auth", "deny", l && l->cred_id[0] ? l->cred_id : NULL,
		    reason, extra);
	}
	return ret;
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc,
				   const char **argv)
{
	struct svp_ctx x;
	struct sv_phase_in in;
	struct sv_reader *rd = NULL;
	struct sv_audiences *aud = NULL;
	struct sv_login *l = NULL;
	struct sv_decision d;
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
	if (!sv_phase_user_plausible(x.user)) {
		log_decision(&x, LOG_DEBUG, "auth", "ignore", NULL,
			     "not_service_account", NULL);
		return PAM_USER_UNKNOWN;
	}
	if (cr < 0) {
		log_decision(&x, LOG_ERR, "auth", "deny", NULL, "config_error",
			     NULL);
		return PAM_AUTHINFO_UNAVAIL;
	}
	if (sv_phase_open_store(&x.cfg,
				SV_DBMASK(SV_DB_ACCOUNTS) |
				    SV_DBMASK(SV_DB_CREDENTIALS),
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
	phase_in(&x, &in);
	*l = (struct sv_login){.cfg = &x.cfg,
			       .rd = rd,
			       .user = x.user,
			       .now = in.now,
			       .aud = aud,
			       .consume_jti = true,
			       .rhost = x.rhost};
	/* the account first: people are not prompted at all */
	d = sv_phase_auth_precheck(&in, l);
	if (d.verdict == SV_VERDICT_ALLOW) {
		ret = svp_get_credential(pamh, &x.args, &x.cfg, aud->v[0],
					 &cred, &credlen, &reason);
		if (ret != PAM_SUCCESS)
			goto out;
		l->now = now_s(); /* the conversation may have taken a while */
		d = sv_phase_from_login(sv_login_verify(l, cred, credlen), l);
	}
	reason = d.reason;
	ret = auth_code(d.verdict);
out:
	svp_cred_free(cred, credlen);
	ret = auth_publish(&x, l, ret, reason);
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

/* The account phase's outcome, published: session and setcred (maybe in
 * another process) see what this phase decided. PAM_SUCCESS or
 * PAM_BUF_ERR. */
static int acct_publish(struct svp_ctx *x, const struct sv_login *l,
			const struct sv_phase_login *e, const char *key_id)
{
	pam_handle_t *pamh = x->pamh;
	char roles[SV_ROLES_MAX * (SV_NAME_MAX + 1) + 1];
	char s_roles[600], s_m[32], s_scope[600], extra[1300];
	int er = sv_roleset_csv(&l->effective, roles, sizeof(roles));

	if (er == 0 && (!pam_getenv(pamh, ENV_ACCOUNT) ||
			strcmp(pam_getenv(pamh, ENV_ACCOUNT), x->user) != 0)) {
		env_clear(pamh);
		er = env_set(pamh, ENV_METHOD, e->method);
		if (er == 0 && e->has_cred)
			er = env_set(pamh, ENV_CRED, e->cred);
		if (er == 0)
			er = env_set(pamh, ENV_ACCOUNT, x->user);
	}
	if (er == 0)
		er = env_set(pamh, ENV_ROLES, roles);
	if (er < 0) {
		env_clear(pamh);
		log_decision(x, LOG_NOTICE, "account", "deny",
			     key_id[0] ? key_id : NULL, "no_memory", NULL);
		return PAM_BUF_ERR;
	}
	svp_sanitize(roles, s_roles, sizeof(s_roles));
	svp_sanitize(e->method, s_m, sizeof(s_m));
	if (sv_login_scope_csv(l, roles, sizeof(roles)) < 0)
		snprintf(roles, sizeof(roles), "?");
	svp_sanitize(roles, s_scope, sizeof(s_scope));
	snprintf(extra, sizeof(extra), "method=%s roles=%s%s%s", s_m, s_roles,
		 l->cred_scoped ? " scope=" : "",
		 l->cred_scoped ? s_scope : "");
	log_decision(x, LOG_INFO, "account", "allow",
		     e->has_cred ? e->cred : NULL, "ok", extra);
	return PAM_SUCCESS;
}

/* sshd authenticates a public-key login itself, so auth never records
 * that key's use: the account or session phase that names the key does
 * (at most once a minute per key, sv_lastused_touch). */
static void sshkey_used(const struct svp_phase *p, const char *key_id)
{
	if (key_id[0])
		sv_lastused_touch(&p->x.cfg, p->x.user, key_id, p->in.now);
}

static const struct phase_codes acct_codes = {
    .event = "account",
    .unreadable = PAM_AUTHINFO_UNAVAIL,
    .unavail = PAM_AUTHINFO_UNAVAIL,
    .deny = PAM_PERM_DENIED,
    .expired = PAM_ACCT_EXPIRED,
    .unavail_prio = LOG_ERR,
    .log_ignore = true,
};

PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc,
				const char **argv)
{
	struct svp_phase p;
	struct sv_phase_login e;
	struct sv_decision d;
	char key_id[SV_CRED_ID_LEN + 1] = "";
	int ret;

	(void)flags;
	ret = begin_phase(&p, pamh, argc, argv, &acct_codes, true);
	if (!p.l) {
		log_decision(&p.x, LOG_NOTICE, "account", "deny", NULL,
			     "no_memory", NULL);
		return ret;
	}
	if (ret != PAM_SUCCESS)
		goto out;
	d = sv_phase_acct_mgmt(&p.in, p.rd, p.l, &e, key_id);
	if (d.verdict == SV_VERDICT_ALLOW) {
		ret = acct_publish(&p.x, p.l, &e, key_id);
		if (ret == PAM_SUCCESS)
			sshkey_used(&p, key_id);
		goto out;
	}
	ret = d.verdict == SV_VERDICT_UNAVAIL ? PAM_AUTHINFO_UNAVAIL
					      : PAM_PERM_DENIED;
	log_decision(&p.x, ret == PAM_AUTHINFO_UNAVAIL ? LOG_ERR : LOG_NOTICE,
		     "account", "deny", key_id[0] ? key_id : NULL, d.reason,
		     NULL);
out:
	return end_phase(&p, ret);
}

/* ------------------------------------------------------------- setcred */

PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc,
			      const char **argv)
{
	static const struct phase_codes codes =
	    PHASE_CODES_ALL("setcred", PAM_CRED_ERR);
	struct svp_phase p;
	struct sv_phase_login e;
	gid_t *groups = NULL;
	int ret, n, kept, dropped = 0;
	bool establish = flags & (PAM_ESTABLISH_CRED | PAM_REINITIALIZE_CRED);

	/* deleting grants nothing: when a session ends (sshd calls this
	 * after closing it) an account disabled or expired meanwhile is no
	 * refusal to log, only the identity still has to match */
	ret = begin_phase(&p, pamh, argc, argv, &codes, establish);
	if (!p.l)
		return ret;
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
	if (ret != PAM_SUCCESS || !establish)
		goto out; /* nothing to delete or refresh */
	sv_phase_login_from_env(&p.in, p.l, &e);
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
	kept = sv_phase_keep_groups(p.l, groups, n, &dropped);
	if (dropped && setgroups((size_t)kept, groups) < 0) {
		log_decision(&p.x, LOG_ERR, "setcred", "deny",
			     e.has_cred ? e.cred : NULL, "setgroups_failed",
			     NULL);
		ret = PAM_CRED_ERR;
		goto out;
	}
	char extra[64];
	snprintf(extra, sizeof(extra), "dropped_groups=%d", dropped);
	log_decision(&p.x, LOG_INFO, "setcred", "ok",
		     e.has_cred ? e.cred : NULL, "ok", extra);
	ret = PAM_SUCCESS;
out:
	free(groups);
	return end_phase(&p, ret);
}

/* ------------------------------------------------------------- session */

/* scope: the scope of the credential, when the phase knows a scoped one
 * (NULL otherwise). */
static void session_record(struct svp_ctx *x, const char *event,
			   const char *cred, const char *method,
			   const char *roles, const char *jti,
			   const char *scope)
{
	char c[40], m[32], r[600], j[SV_JTI_MAX + 1], sc[600];
	svp_sanitize(cred, c, sizeof(c));
	svp_sanitize(method, m, sizeof(m));
	svp_sanitize(roles, r, sizeof(r));
	svp_sanitize(jti, j, sizeof(j));
	svp_sanitize(scope, sc, sizeof(sc));
	/* the audit record: always written, "quiet" or not */
	pam_syslog(x->pamh, LOG_AUTHPRIV | LOG_INFO,
		   "svcacct: event=%s result=ok account=%s credential=%s "
		   "method=%s service=%s rhost=%s tty=%s roles=%s jti=%s%s%s",
		   event, x->s_user, c, m, x->s_service, x->s_rhost, x->s_tty,
		   r, j, scope ? " scope=" : "", scope ? sc : "");
}

/* The session's record for `svcacct ... revoke --stop` (sessions.h): this
 * process, its start time, and the logind scope pam_systemd made for this
 * very session if it ran before us. The record is a means of clean-up, not
 * of access control: a record that cannot be written (state dir full,
 * read-only or unsafe) is logged and the session opens all the same. */
static void session_track(struct svp_ctx *x, const struct sv_login *l,
			  const struct sv_phase_login *e)
{
	struct sv_session_rec rec = {.pid = getpid()};
	struct sv_proc_stat st;
	const char *reason = NULL;
	int r;

	if (!e->has_cred || !sv_session_cred_ok(e->cred))
		return; /* no credential: nothing a revocation could name */
	memcpy(rec.cred, e->cred, strlen(e->cred) + 1);
	r = sv_proc_stat_read(rec.pid, &st);
	if (r == 0) {
		rec.start = st.start;
		(void)sv_session_self_cgroup(
		    l->uid, pam_getenv(x->pamh, "XDG_SESSION_ID"), rec.cgroup,
		    sizeof(rec.cgroup));
		r = sv_session_write(&x->cfg, x->user, &rec);
	} else {
		reason = "no_proc";
	}
	if (r < 0) {
		if (!reason)
			reason = r == -ENOSPC  ? "session_records_full"
				 : r == -EPERM ? "state_unsafe"
					       : "state_unwritable";
		log_decision(x, LOG_ERR, "session-record", "error", e->cred,
			     reason, NULL);
	}
}

/* The record session_track wrote, removed: same process, same credential. */
static void session_untrack(struct svp_ctx *x, const char *cred)
{
	struct sv_session_rec rec = {.pid = getpid()};
	struct sv_proc_stat st;
	char name[SV_SESSION_NAME_MAX];

	if (!sv_session_cred_ok(cred) || sv_proc_stat_read(rec.pid, &st) < 0)
		return;
	memcpy(rec.cred, cred, strlen(cred) + 1);
	rec.start = st.start;
	if (sv_session_name(&rec, name, sizeof(name)) == 0)
		(void)sv_session_remove(&x->cfg, x->user, name);
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc,
				   const char **argv)
{
	/* Refusals are PAM_PERM_DENIED, not PAM_SESSION_ERR: sudo takes
	 * PAM_SESSION_ERR as a module that could not set up its part of the
	 * session and goes on. */
	static const struct phase_codes codes =
	    PHASE_CODES_ALL("session-open", PAM_PERM_DENIED);
	struct svp_phase p;
	struct sv_phase_login e;
	struct sv_decision d;
	char roles[SV_ROLES_MAX * (SV_NAME_MAX + 1) + 1];
	char scope[SV_ROLES_MAX * (SV_NAME_MAX + 1) + sizeof(SV_BASE_ROLE) + 1];
	char key_id[SV_CRED_ID_LEN + 1];
	int ret;

	(void)flags;
	ret = begin_phase(&p, pamh, argc, argv, &codes, true);
	if (!p.l)
		return ret;
	if (ret != PAM_SUCCESS)
		goto out;
	d = sv_phase_session_open(&p.in, p.rd, p.l, &e, key_id);
	if (d.verdict != SV_VERDICT_ALLOW) {
		log_decision(&p.x, LOG_NOTICE, "session-open", "deny",
			     key_id[0] ? key_id : NULL, d.reason,
			     d.sshkey ? "method=sshkey" : NULL);
		ret = PAM_PERM_DENIED;
		goto out;
	}
	if (sv_roleset_csv(&p.l->effective, roles, sizeof(roles)) < 0 ||
	    env_set(pamh, ENV_ROLES, roles) < 0 ||
	    env_set(pamh, ENV_ACCOUNT, p.x.user) < 0 ||
	    (e.has_cred && env_set(pamh, ENV_CRED, e.cred) < 0)) {
		ret = PAM_SESSION_ERR;
		goto out;
	}
	session_record(&p.x, "session-open", e.has_cred ? e.cred : NULL,
		       e.method, roles, e.has_jti ? e.jti : NULL,
		       p.l->cred_scoped && sv_login_scope_csv(
					       p.l, scope, sizeof(scope)) == 0
			   ? scope
			   : NULL);
	sshkey_used(&p, key_id);
	session_track(&p.x, p.l, &e);
	ret = PAM_SUCCESS;
out:
	return end_phase(&p, ret);
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
		       pam_getenv(pamh, ENV_ROLES), pam_getenv(pamh, ENV_JTI),
		       NULL);
	session_untrack(&x, pam_getenv(pamh, ENV_CRED));
	return PAM_SUCCESS;
}

/* ------------------------------------------------------------ password */

PAM_EXTERN int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc,
				const char **argv)
{
	static const struct phase_codes codes =
	    PHASE_CODES_ALL("chauthtok", PAM_AUTHTOK_ERR);
	struct svp_phase p;
	int ret;

	/* a disabled service account is still one: refused all the same */
	ret = begin_phase(&p, pamh, argc, argv, &codes, false);
	if (!p.l)
		return ret;
	if (ret != PAM_SUCCESS)
		goto out;
	if (flags & PAM_PRELIM_CHECK || !(flags & PAM_UPDATE_AUTHTOK)) {
		char msg[200];
		snprintf(msg, sizeof(msg),
			 "%s is a service account: it has no password; its "
			 "credentials are managed with svcacct(8) (svcacct "
			 "secret add, svcacct key add)",
			 p.x.s_user);
		svp_message(pamh, PAM_ERROR_MSG, msg);
	}
	log_decision(&p.x, LOG_NOTICE, "chauthtok", "deny", NULL,
		     "service_account_password", NULL);
	ret = PAM_PERM_DENIED;
out:
	return end_phase(&p, ret);
}
