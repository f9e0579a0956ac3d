/* SPDX-License-Identifier: MIT */
/* svcacct(8): shared declarations of the admin tool's parts. */
#ifndef SVCACCT_CLI_H
#define SVCACCT_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "codec.h"
#include "config.h"
#include "model.h"
#include "txn.h"
#include "options.h"
#include "store.h"

/* Exit codes (svcacct(8)). apply --detailed-exitcode says "changed" with
 * 2, as Terraform's plan does. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_CHANGED = 2 };

struct nss_snapshot;

struct cli {
	struct sv_config cfg;
	/* bulk operations: users and groups of the other NSS sources, read
	 * once by enumeration instead of four lookups per record */
	struct nss_snapshot *snap;
	const char *conf_path;
	bool json;
	/* re-registering key material that was revoked (by fingerprint) is
	 * refused unless the command was given the flag that says so */
	bool allow_revoked_keys;
	const char *revoked_flag; /* that flag's name, for the message */
	/* the guard scanned the store and found nothing hidden: kept in the
	 * state dir if the change commits (cli_config_guard_done) */
	bool ranges_verified;
	const char *prog;
	char err[1024];
};

/* ------------------------------------------------------------ cli_util.c */
/* Print "svcacct: msg" on stderr; returns EXIT_FAIL (or EXIT_USAGE). */
int cli_fail(struct cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Root is needed for every change; a clear message otherwise. */
int cli_need_root(struct cli *cli);
/* Parse a date "YYYY-MM-DD" (UTC midnight) or "never" (0). */
int cli_parse_date(const char *s, int64_t *out);
/* Parse a duration "90d", "12h", "30m", "3600s" or a date, relative to now:
 * an absolute expiry time. */
int cli_parse_expiry(const char *s, int64_t *out);
int cli_parse_u32(const char *s, uint32_t *out);
/* Parse "YYYY-MM-DDTHH:MM:SSZ" (as cli_time prints it), a date, or
 * "never" (0). */
int cli_parse_time(const char *s, int64_t *out);
/* Format a time as "YYYY-MM-DDTHH:MM:SSZ", "never" for 0. */
const char *cli_time(int64_t t, char *buf, size_t n);
const char *cli_date(int64_t t, char *buf, size_t n);
/* Write one log line to syslog authpriv in key=value form, with by=. */
void cli_audit(const char *event, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Tell a running nscd to drop its passwd and group caches. */
void cli_nscd_invalidate(void);
/* Names and IDs that exist in the NSS sources (per-entry lookups, or the
 * snapshot when one was taken). */
bool cli_user_exists(struct cli *cli, const char *name);
bool cli_group_exists(struct cli *cli, const char *name);
bool cli_uid_exists(struct cli *cli, uint32_t uid);
bool cli_gid_exists(struct cli *cli, uint32_t gid);
/* Take / drop the snapshot (getpwent/getgrent over every source that can
 * enumerate). */
int cli_snapshot_take(struct cli *cli);
void cli_snapshot_free(struct cli *cli);
/* The result of a change: the text for people, or with --json the object
 * j (consumed either way). */
void cli_report(struct cli *cli, json_t *j, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sort an array of objects by a string member, then a second one. */
void cli_json_sort(json_t *arr, const char *key, const char *key2);
/* Print JSON to stdout (and free it). */
int cli_json_out(json_t *j);
/* Open a read-only view of the store (accounts and, for root, credentials
 * and pubkeys). Reports errors itself; returns NULL on failure. */
struct sv_reader *cli_reader(struct cli *cli, unsigned dbmask);
/* Begin / commit a change with error reporting. */
struct sv_txn *cli_begin(struct cli *cli);
int cli_commit(struct cli *cli, struct sv_txn *t);
/* Begin a change on an existing account, loading it into *a (NULL: only
 * check it exists); reports "no account" itself. */
struct acct;
struct sv_txn *cli_begin_account(struct cli *cli, const char *name,
				 struct acct *a);
/* Split "a,b,c" into a NULL-terminated malloc'd array (one allocation). */
char **cli_split(const char *s);
/* Read a whole file (max bytes), refusing unsafe or huge input. */
int cli_read_file(struct cli *cli, const char *path, size_t max, char **out,
		  size_t *len);

/* ------------------------------------------------------------ cmd_cred.c */
/* Refuse a new credential whose key material was revoked, unless
 * cli->allow_revoked_keys: -EACCES with the message in cli->err. */
int cred_refuse_revoked(struct cli *cli, struct sv_txn *t,
			const struct sv_cred *c);

/* ------------------------------------------------------------ commands */
/* The verbs of the table in cli_table.c: a->pos holds the positionals,
 * the fields of a the options; an exit code. */
#define VERB(f) int f(struct cli *cli, const struct cli_args *a)
VERB(account_create);
VERB(account_list);
VERB(account_show);
VERB(account_delete);
VERB(account_state); /* arg: 1 enable, 0 disable */
VERB(account_set);
VERB(grant_revoke); /* arg: 1 grant, 0 revoke */
VERB(role_create);
VERB(role_list);
VERB(role_show);
VERB(role_delete);
VERB(role_set);
VERB(secret_add);
VERB(key_add);
VERB(cred_list);   /* arg: 1 keys, 0 secrets */
VERB(cred_remove); /* arg: 1 keys, 0 secrets */
VERB(sshkey_add);
VERB(sshkey_list);
VERB(sshkey_remove);
VERB(cmd_authorized_keys);
VERB(cmd_verify);
VERB(cmd_export);
VERB(cmd_import);
VERB(cmd_check_run); /* check_unloaded first, then cmd_check */
VERB(cmd_check);
VERB(cmd_rollback);
VERB(cmd_generations);
VERB(cmd_apply);
/* export --manifest (the table hands it the verb when the flag is given) */
VERB(cmd_export_manifest);
VERB(config_check);
VERB(issuer_add);
VERB(issuer_list);
VERB(issuer_show);
VERB(issuer_remove);
VERB(issuer_map);      /* arg: 1 unmap */
VERB(issuer_role_map); /* arg: 1 role-unmap */
VERB(issuer_refresh);
VERB(cmd_completion);
VERB(cmd_complete_names);
#undef VERB
/* Refuse a change while the configuration hides accounts or roles of the
 * store from the modules (cmd_config.c): 0, or -EPERM with them listed on
 * stderr. */
int cli_config_guard(struct cli *cli, struct sv_txn *t);
/* Just before t commits: keep the ranges the guard found the store to fit,
 * so that the next change need not scan it again. */
void cli_config_guard_done(struct cli *cli, struct sv_txn *t);

/* Shared by account create and import: validate and add one account
 * (roles by name) in t. Message in cli->err on failure. */
struct acct_opts {
	const char *name, *description, *owner, *home, *shell, *expires;
	const char *uid; /* NULL: allocate */
	const char *const *roles;
	size_t nroles;
	bool home_writable, no_home;
	bool defer_members; /* caller updates role member lists itself */
	bool force; /* take a reserved group name (cli_group_name_allowed) */
};
int op_account_create(struct cli *cli, struct sv_txn *t,
		      const struct acct_opts *o, struct acct *out);
struct role_opts {
	const char *name, *description, *gid, *services, *sources;
	const char *const *commands;
	size_t ncommands;
	bool clear_commands;
	bool force; /* take a reserved group name (cli_group_name_allowed) */
};
int op_role_create(struct cli *cli, struct sv_txn *t, const struct role_opts *o,
		   struct role *out);
/* Whether name may become a group that svcacct serves: a role (what
 * "role"), or the private group of an account (what "account"), which has
 * the account's name. 0 if the name is free; 1 if it is reserved (a group
 * the system or a package creates, see sv_group_name_reserved) but force
 * allows it: the caller warns with cli_group_name_warn after its commit;
 * -EPERM with the reason and the way out in cli->err otherwise (keys_group
 * is refused even with force). */
int cli_group_name_allowed(struct cli *cli, const char *what, const char *name,
			   bool force);
/* The warning for a reserved name taken with force, on stderr. */
void cli_group_name_warn(struct cli *cli, const char *what, const char *name,
			 uint32_t gid);
/* Validate one OpenSSH public key line and add it to the account in t
 * (refusing a duplicate). The new credential id in id; message in
 * cli->err on failure. */
int op_sshkey_add(struct cli *cli, struct sv_txn *t, const char *account,
		  const char *line, const char *label, int64_t expires,
		  char id[17]);
/* Pieces of `account` shared with apply: field checks (description, owner,
 * home, shell), role names to GIDs (refusing unknown roles and the base
 * role), and the home directory. */
int acct_check_fields(struct cli *cli, const struct acct_opts *o);
int acct_role_gids(struct cli *cli, struct sv_txn *t, const char *const *names,
		   size_t n, uint32_t **out);
void acct_make_home(struct cli *cli, const struct acct *a);
void acct_set_home_access(struct cli *cli, const struct acct *a);
/* Delete an account in t (sv_model_account_delete) and the trusted
 * issuers' client maps to it. */
int op_account_delete(struct sv_txn *t, const struct acct *a, size_t *ncreds);
/* Replace a role's lists, validating each entry as `role set` does. */
int role_set_services(struct cli *cli, struct strv *dst, const char *csv);
int role_set_sources(struct cli *cli, struct strv *dst, const char *csv);
int role_set_commands(struct cli *cli, struct strv *dst,
		      const char *const *cmds, size_t n);
/* Delete a role in t (sv_model_role_delete) and the trusted issuers'
 * role maps to it. */
int op_role_delete(struct sv_txn *t, const struct role *x);
/* Parse one OpenSSH public key line: the stored form "type base64" in
 * *material (malloc'd), its SHA256 fingerprint and its comment. */
int op_sshkey_parse(const char *line, char **material, char fpr[64],
		    char comment[129], char *err, size_t errlen);
/* Add an imported assertion key to the account in t (kid unique per
 * account). */
struct sv_key;
int op_key_add(struct cli *cli, struct sv_txn *t, const char *account,
	       const struct sv_key *key, const char *label, int64_t expires,
	       char id[17]);

/* ------------------------------------------------------------ cmd_port.c */
/* The JSON forms of export/import, shared with the manifest of apply. */
/* An optional string member; false if present but not a string (or with
 * a NUL inside). */
bool port_opt_str(json_t *o, const char *k, const char **out);
/* Refuse members not in allowed (NULL-terminated); message in cli->err. */
int port_only_keys(struct cli *cli, json_t *o, const char *what,
		   const char *const *allowed);
/* One role / account / key / ssh key object, type-checked, into the options
 * of the op_* functions (views into o: keep o alive). strict: only the
 * members export writes (manifests); otherwise also those of `show
 * --json` (import). Message in cli->err, prefixed with what. */
struct port_role {
	struct role_opts o;
	char *services, *sources;
	const char **cmds;
	char gid[24];
};
int port_role_parse(struct cli *cli, json_t *o, const char *what, bool strict,
		    struct port_role *r);
void port_role_free(struct port_role *r);
struct port_account {
	struct acct_opts o;
	const char **roles;
	char uid[24];
	bool disabled;
};
int port_account_parse(struct cli *cli, json_t *o, const char *what,
		       bool strict, struct port_account *a);
void port_account_free(struct port_account *a);
#include "keys.h"
struct port_key {
	const char *account, *kid, *label;
	int64_t expires;
	struct sv_key key; /* imported from the JWK: sv_key_free it */
};
int port_key_parse(struct cli *cli, json_t *o, const char *what,
		   struct port_key *k);
struct port_sshkey {
	const char *account, *line, *label;
	int64_t expires;
};
int port_sshkey_parse(struct cli *cli, json_t *o, const char *what,
		      struct port_sshkey *k);
/* The sections of an export, sorted; NULL with *e on a read error.
 * Keys and ssh keys need a reader with credentials/pubkeys (root). */
json_t *port_export_roles(struct sv_reader *rd, int *e);
json_t *port_export_accounts(struct sv_reader *rd, int *e);
json_t *port_export_keys(struct sv_reader *rd, int *e);
json_t *port_export_sshkeys(struct sv_reader *rd, int *e);

/* ------------------------------------------------------------ cmd_apply.c */
/* Whether the account already has an assertion key with this kid. */
bool cli_kid_taken(struct sv_txn *t, const char *account, const char *kid);
/* svcacct import, in two steps that the fuzzer (tests/fuzz/fuzz_import.c)
 * calls as the command does: check the document's top level (format,
 * version, member types, no unknown member), then validate and add
 * everything in t (roles, accounts, role member lists, keys, ssh keys),
 * stopping at the first bad entry. 0 or negative errno with the message
 * in cli->err; the caller commits or aborts t. */
int cli_import_check(struct cli *cli, json_t *doc);
int cli_import_apply(struct cli *cli, struct sv_txn *t, json_t *doc);
/* Validate a source entry: an IPv4/IPv6 CIDR or "local". */
bool cli_source_valid(const char *s);
/* Why s is not a valid source entry (static text or why[len]), or NULL
 * when it is one. */
const char *cli_source_problem(const char *s, char *why, size_t len);

#endif
