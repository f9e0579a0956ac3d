/* SPDX-License-Identifier: MIT */
/* svcacct(8): the operations layer (ops_account.c, ops_role.c,
 * ops_cred.c). Each operation takes typed options and a transaction, checks
 * them and makes the change through the write model (model.h). None reads
 * argv: a refusal is a negative errno with its message in cli->err, which
 * the caller hands to cli_fail, the one error sink; they print nothing.
 * The caller commits or aborts the transaction. */
#ifndef SVCACCT_OPS_H
#define SVCACCT_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "model.h"
#include "store.h"

struct cli;
struct sv_key;

/* ------------------------------------------------------------ ops_account.c */
/* The options of one account, as account create, import and apply give
 * them (roles by name). */
struct acct_opts {
	const char *name, *description, *owner, *home, *shell, *expires;
	const char *uid; /* NULL: allocate */
	const char *const *roles;
	size_t nroles;
	/* the login methods allowed, as acct_methods_parse reads them; NULL:
	 * every method */
	const char *methods;
	bool home_writable, no_home;
	bool defer_members; /* caller updates role member lists itself */
	bool force; /* take a reserved group name (cli_group_name_allowed) */
};
/* Validate and add one account in t; the record in *out. 0 or negative
 * errno with the message in cli->err. */
int op_account_create(struct cli *cli, struct sv_txn *t,
		      const struct acct_opts *o, struct acct *out);
/* The field checks of an account (description, owner, home, shell,
 * methods): 0 or -EINVAL with the message in cli->err. */
int acct_check_fields(struct cli *cli, const struct acct_opts *o);
/* The login methods an account allows, from their names separated by
 * commas (secret, assertion, issuer, sshkey) or "all": the
 * SV_ACCT_METHOD_* bits in *mask, 0 for every method (every one named
 * counts as "all", so one policy has one record). 0, or -EINVAL with the
 * message in cli->err for an unknown name, an empty entry or list, or
 * "all" beside another name. */
int acct_methods_parse(struct cli *cli, const char *csv, uint32_t *mask);
/* The names of the methods of mask (0: all four) into names, in the
 * order above; their count. */
size_t acct_methods_names(uint32_t mask, const char *names[4]);
/* Role names to their GIDs in *out (malloc'd), refusing unknown roles and
 * the base role: 0 or negative errno with the message in cli->err. */
int acct_role_gids(struct cli *cli, struct sv_txn *t, const char *const *names,
		   size_t n, uint32_t **out);
/* The home directory of a committed account, when the tool manages it (a
 * direct child of home_base): created root's 0755, or the account's 0700
 * with home_writable; acct_set_home_access follows a change of that flag
 * on an existing home. 0, or a negative errno with the message in cli->err,
 * which the caller gives as a warning (the account is committed). */
int acct_make_home(struct cli *cli, const struct acct *a);
int acct_set_home_access(struct cli *cli, const struct acct *a);
/* Delete an account in t (sv_model_account_delete: its credentials
 * revoked, their count in *ncreds) and the trusted issuers' client maps to
 * it. */
int op_account_delete(struct sv_txn *t, const struct acct *a, size_t *ncreds);
/* Replace the roles of account *a with the roles of those names
 * (sv_model_set_roles: the role records change in t, *a in memory, for the
 * caller to write once with sv_model_account_update). */
int op_account_set_roles(struct cli *cli, struct sv_txn *t, struct acct *a,
			 const char *const *names, size_t n, int64_t now);
/* Grant (grant true) or revoke the roles of those names to account *a in
 * t, one by one (sv_model_grant, which writes the account); how many
 * changed in *changed. Both: 0 or negative errno with the message in
 * cli->err (an unknown role as acct_role_gids, a store error as
 * "store: ..."). */
int op_account_grant(struct cli *cli, struct sv_txn *t, struct acct *a,
		     const char *const *names, size_t n, bool grant,
		     int64_t now, size_t *changed);

/* ------------------------------------------------------------ ops_role.c */
/* The options of one role, as role create, import and apply give them. */
struct role_opts {
	const char *name, *description, *gid, *services, *sources;
	const char *const *commands;
	size_t ncommands;
	bool clear_commands;
	bool force; /* take a reserved group name (cli_group_name_allowed) */
};
/* Validate and add one role in t; the record in *out. 0 or negative errno
 * with the message in cli->err. */
int op_role_create(struct cli *cli, struct sv_txn *t, const struct role_opts *o,
		   struct role *out);
/* Give the base role "svcacct" the description and lists of o (import:
 * what an export carries), replacing its own, in t. A GID in o must be
 * base_gid. 0 or negative errno with the message in cli->err. */
int op_base_role_set(struct cli *cli, struct sv_txn *t,
		     const struct role_opts *o);
/* Delete a role in t (sv_model_role_delete) and the trusted issuers' role
 * maps to it. */
int op_role_delete(struct sv_txn *t, const struct role *x);
/* Replace a role's lists from "a,b,c" (services, sources) or an array
 * (commands), validating each entry: 0 or -EINVAL with the message in
 * cli->err. */
int role_set_services(struct cli *cli, struct strv *dst, const char *csv);
int role_set_sources(struct cli *cli, struct strv *dst, const char *csv);
int role_set_commands(struct cli *cli, struct strv *dst,
		      const char *const *cmds, size_t n);
/* The checks of one list entry, for role set's --add-X: a PAM service
 * name; a sudo command (absolute path, no control characters: 0 or -EINVAL
 * with the message in cli->err); and the message for an entry that valid
 * refuses (-EINVAL, "bad WHAT 'ITEM'" in cli->err). */
bool role_service_valid(const char *s);
int role_command_check(struct cli *cli, const char *cmd);
int role_bad_item(struct cli *cli, const char *what, const char *item,
		  bool (*valid)(const char *));
/* Whether name may become a group that svcacct serves: a role (what
 * "role"), or the private group of an account (what "account"), which has
 * the account's name. 0 if the name is free; 1 if it is reserved (a group
 * the system or a package creates, see sv_group_name_reserved) but force
 * allows it: cli_report_created warns after the commit;
 * -EPERM with the reason and the way out in cli->err otherwise (keys_group
 * is refused even with force). */
int cli_group_name_allowed(struct cli *cli, const char *what, const char *name,
			   bool force);
/* The next number the state's allocator hands out (gid: a GID, else a
 * UID) that no other source of the host uses (a UID neither as a UID nor
 * as a GID, for the account's own group) and that is not the base role's
 * GID: 0, -ENOSPC with the message in cli->err when the range is used up,
 * or the state's error. */
int op_next_free_id(struct cli *cli, struct sv_txn *t, bool gid, uint32_t *id);
/* Whether a new account or role (what "account" or "role") may take name:
 * no account, role, user or group of the host has it (an account's own
 * group has its name, so the two kinds clash). 0, or -EEXIST with the
 * clash in cli->err. */
int op_name_free(struct cli *cli, struct sv_txn *t, const char *what,
		 const char *name);

/* ------------------------------------------------------------ ops_cred.c */
/* Refuse a new credential whose key material was revoked, unless
 * cli->allow_revoked_keys: -EACCES with the message in cli->err. */
int cred_refuse_revoked(struct cli *cli, struct sv_txn *t,
			const struct sv_cred *c);
/* A credential's scope as add, set, import and apply give it: roles by
 * name (GIDs here; the base role is allowed), sources validated as role
 * set --from validates them. has_roles / has_from: the option was given
 * (an empty list: every granted role / no narrowing). */
struct cred_scope {
	bool has_roles, has_from;
	uint32_t *gids;
	size_t ngids;
	struct strv from;
	struct sv_str *from_items; /* views of from, for the record */
};
void cred_scope_free(struct cred_scope *s);
/* Fill *out from role names and sources for a credential of account in
 * t (roles NULL / from NULL: not given). Each role must exist and, unless
 * any_role, be granted to the account now (or be the base role); each
 * source must be a CIDR or "local". 0 or negative errno with the message
 * in cli->err. */
int op_cred_scope(struct cli *cli, struct sv_txn *t, const char *account,
		  const char *const *roles, size_t nroles,
		  const char *const *from, size_t nfrom, bool any_role,
		  struct cred_scope *out);
/* The same from the command line's "R,R" and "CIDR,..." (NULL: not
 * given; "": none). */
int op_cred_scope_csv(struct cli *cli, struct sv_txn *t, const char *account,
		      const char *roles, const char *from, bool any_role,
		      struct cred_scope *out);
/* Put the scope into a record about to be written (views into s). */
void cred_scope_to_rec(const struct cred_scope *s, struct sv_cred *c);
/* Whether the scope s (what set gives) only narrows the record c's:
 * every role in c's (when c has roles), every source inside one of c's
 * (when c has sources). 0, or -EPERM with the message in cli->err. */
int cred_scope_narrows(struct cli *cli, const struct sv_cred *c,
		       const struct cred_scope *s);
/* Add a client secret's credential to the account in t: id and the
 * secret's hash (sv_secret_hash) made by the caller; scope NULL for none.
 * 0 or the store's negative errno. */
int op_secret_add(struct sv_txn *t, const char *account, const char *id,
		  const uint8_t *hash, size_t hashlen, const char *label,
		  int64_t expires, const struct cred_scope *scope);
/* Rotate the account's secret (fresh->type SV_CRED_SECRET) or assertion
 * key (SV_CRED_KEY) named by what (its id; a key also by its kid) in t:
 * the successor fresh (id and material, a key's kid and alg) copies the
 * rest of the old record, and the old one expires at grace_end at the
 * latest (sv_model_cred_rotate). Refused: an unknown or revoked
 * credential, another account's, a kid the account already has, revoked
 * key material (cred_refuse_revoked). The old id in old_id, the expiries
 * in *new_exp and *old_exp. 0 or negative errno with the message in
 * cli->err. */
int op_cred_rotate(struct cli *cli, struct sv_txn *t, const char *account,
		   const char *what, const struct sv_cred *fresh, int64_t now,
		   int64_t grace_end, char old_id[SV_CRED_ID_LEN + 1],
		   int64_t *new_exp, int64_t *old_exp);
/* Whether the account already has an assertion key with this kid. */
bool cli_kid_taken(struct sv_txn *t, const char *account, const char *kid);
/* Add an imported assertion key to the account in t (kid unique per
 * account, revoked material refused); the new credential id in id. 0 or
 * negative errno with the message in cli->err. */
int op_key_add(struct cli *cli, struct sv_txn *t, const char *account,
	       const struct sv_key *key, const char *label, int64_t expires,
	       const struct cred_scope *scope, char id[SV_CRED_ID_LEN + 1]);
/* Parse one OpenSSH public key line: the stored form "type base64" in
 * *material (malloc'd), its SHA256 fingerprint and its comment; 0 or
 * negative errno with the message in err. */
int op_sshkey_parse(const char *line, char **material, char fpr[64],
		    char comment[129], char *err, size_t errlen);
/* Validate one OpenSSH public key line and add it to the account in t
 * (refusing a duplicate and revoked material). The new credential id in
 * id; 0 or negative errno with the message in cli->err. */
int op_sshkey_add(struct cli *cli, struct sv_txn *t, const char *account,
		  const char *line, const char *label, int64_t expires,
		  const struct cred_scope *scope, char id[SV_CRED_ID_LEN + 1]);
/* Narrow the scope of the account's credential in db of that type named
 * what (its id; a key's kid; an ssh key's fingerprint; for SV_CRED_KEY
 * also the id of the account's JWKS URL credential) to s (roles that
 * exist, op_cred_scope with any_role): refused (-EPERM) when it would
 * widen it (cred_scope_narrows), or give an unscoped one a role the
 * account is not granted; -ENOENT when the account has no such
 * credential; message in cli->err. Its id in id. */
int op_cred_set_scope(struct cli *cli, struct sv_txn *t, enum sv_db db,
		      uint8_t type, const char *account, const char *what,
		      const struct cred_scope *s, char id[SV_CRED_ID_LEN + 1]);
/* A walk of an account's ssh keys (sv_model_each_cred on SV_DB_PUBKEYS
 * with sshkey_find_key): by stored material (duplicates), or by id or
 * fingerprint (remove); the id of the key found in found. */
struct sshkey_find {
	const char *material, *id;
	char found[SV_CRED_ID_LEN + 1];
};
int sshkey_find_key(const struct sv_cred *c, void *ctx);

#endif
