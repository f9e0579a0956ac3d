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
/* Add a client secret's credential to the account in t: id and the
 * secret's hash (sv_secret_hash) made by the caller. 0 or the store's
 * negative errno. */
int op_secret_add(struct sv_txn *t, const char *account, const char *id,
		  const uint8_t *hash, size_t hashlen, const char *label,
		  int64_t expires);
/* Whether the account already has an assertion key with this kid. */
bool cli_kid_taken(struct sv_txn *t, const char *account, const char *kid);
/* Add an imported assertion key to the account in t (kid unique per
 * account, revoked material refused); the new credential id in id. 0 or
 * negative errno with the message in cli->err. */
int op_key_add(struct cli *cli, struct sv_txn *t, const char *account,
	       const struct sv_key *key, const char *label, int64_t expires,
	       char id[SV_CRED_ID_LEN + 1]);
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
		  char id[SV_CRED_ID_LEN + 1]);
/* A walk of an account's ssh keys (sv_model_each_cred on SV_DB_PUBKEYS
 * with sshkey_find_key): by stored material (duplicates), or by id or
 * fingerprint (remove); the id of the key found in found. */
struct sshkey_find {
	const char *material, *id;
	char found[SV_CRED_ID_LEN + 1];
};
int sshkey_find_key(const struct sv_cred *c, void *ctx);

#endif
