/* SPDX-License-Identifier: MIT */
/* The decisions of pam_svcacct's phases, without PAM. The module gathers
 * what PAM knows (items, the PAM environment an earlier phase left, the
 * identity the system resolves the user to) into struct sv_phase_in, asks
 * here, and publishes the answer itself: PAM environment, log line, PAM
 * code. Nothing here logs or touches PAM. Auth side (login.h). */
#ifndef SVCACCT_PHASE_H
#define SVCACCT_PHASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "login.h"
#include "policy.h"
#include "store.h"

enum sv_verdict {
	SV_VERDICT_ALLOW = 0,
	SV_VERDICT_NOT_OURS,   /* people: not a service account */
	SV_VERDICT_UNREADABLE, /* config or store unreadable, and the user
				  is a service account */
	SV_VERDICT_UNAVAIL,    /* the store or the identity cannot tell */
	SV_VERDICT_DENY,       /* refused */
};

struct sv_decision {
	enum sv_verdict verdict;
	const char *reason; /* fixed reason code, never NULL */
	bool sshkey;	    /* the refusal is about sshd's public key */
};

/* What PAM knows, read by the module. Strings are borrowed. */
struct sv_phase_in {
	const struct sv_config *cfg;
	bool cfg_ok; /* the configuration file loaded */
	const char *user, *service, *rhost;
	int64_t now;
	/* The UID the system's NSS resolves user to: 0 with *uid, -ENOENT,
	 * or another -errno (the module's lookup, kept per PAM handle). */
	int (*identity)(void *ctx, uint32_t *uid);
	void *identity_ctx;
	/* The PAM environment as an earlier phase of this transaction left
	 * it (NULL: unset), and sshd's SSH_AUTH_INFO_0. */
	const char *env_account, *env_roles, *env_cred, *env_method, *env_jti;
	const char *ssh_auth_info;
};

/* How this login came about, for account, session and setcred: copied,
 * since the PAM environment it came from changes once published. */
struct sv_phase_login {
	char cred[SV_CRED_ID_LEN + 1];
	char method[16];
	char jti[SV_JTI_MAX + 1];
	bool has_cred, has_method, has_jti;
	bool ours; /* our auth or account phase recorded this very user */
};

/* A name the module looks at at all: 1..SV_NAME_MAX bytes. */
bool sv_phase_user_plausible(const char *user);

/* Whether service is one of the configured sshd services. */
bool sv_phase_is_ssh_service(const struct sv_config *c, const char *service);

/* Open the store's dbs of mask; 0, or -errno with *reason store_missing,
 * store_corrupt, store_unsafe or store_unreadable. */
int sv_phase_open_store(const struct sv_config *c, unsigned mask,
			struct sv_reader **rd, const char **reason);

/* Whether the user, as the system resolves it, is the account of UID
 * uid: ALLOW; DENY identity_mismatch; UNAVAIL identity_unavailable. */
struct sv_decision sv_phase_identity(const struct sv_phase_in *in,
				     uint32_t uid);

/* Auth before prompting, l set up and its store open: the account's
 * state (sv_login_account), its identity, not a UI service. l->reason
 * is the decision's reason. ALLOW: go on and read the credential. */
struct sv_decision sv_phase_auth_precheck(const struct sv_phase_in *in,
					  struct sv_login *l);

/* The verdict of a sv_login_verify (or sv_login_account) outcome. */
struct sv_decision sv_phase_from_login(enum sv_login_status st,
				       const struct sv_login *l);

/* The account for account, setcred, session and chauthtok: open
 * accounts.db into *rd (the caller closes it), look the account up into
 * l, check its identity. NOT_OURS for people (reason not_service_account,
 * or the store's when it cannot be read and the user is not known as a
 * service account); UNREADABLE when the config or store cannot be read
 * for a service account; UNAVAIL when the store or identity cannot tell;
 * DENY for a disabled or expired account (unless !need_enabled: a
 * disabled account is still one and its identity is checked) or another
 * identity. */
struct sv_decision sv_phase_account(const struct sv_phase_in *in,
				    struct sv_reader **rd, struct sv_login *l,
				    bool need_enabled);

/* The effective roles of this login (l->effective): the granted ones,
 * narrowed by what auth recorded if it was ours for this very user (only
 * ever removes roles), and how the login came about. */
void sv_phase_login_from_env(const struct sv_phase_in *in, struct sv_login *l,
			     struct sv_phase_login *e);

/* The account phase after sv_phase_account allowed: a public-key login
 * over sshd names one of the account's live keys (key_id, also on a
 * refusal about that key), no UI service, the roles' policy. e is filled
 * as sv_phase_login_from_env, and names the key. ALLOW, DENY, or UNAVAIL
 * (store_error). */
struct sv_decision sv_phase_acct_mgmt(const struct sv_phase_in *in,
				      struct sv_reader *rd, struct sv_login *l,
				      struct sv_phase_login *e,
				      char key_id[SV_CRED_ID_LEN + 1]);

/* Session opening after sv_phase_account allowed: without an account
 * phase of ours in the transaction the policy applies here; over sshd a
 * public-key login names one of the account's live keys (key_id;
 * decision.sshkey on a refusal about it). ALLOW or DENY. */
struct sv_decision sv_phase_session_open(const struct sv_phase_in *in,
					 struct sv_reader *rd,
					 struct sv_login *l,
					 struct sv_phase_login *e,
					 char key_id[SV_CRED_ID_LEN + 1]);

/* Setcred: keep in groups[0..n) every group but those of granted roles
 * that this login does not hold (only ever removes). Returns the number
 * kept, compacted at the front; *dropped the number removed. */
int sv_phase_keep_groups(const struct sv_login *l, gid_t *groups, int n,
			 int *dropped);

#endif
