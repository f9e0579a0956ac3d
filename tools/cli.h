/* SPDX-License-Identifier: MIT */
/* svcacct(8): the command layer. struct cli (the state of one run), the
 * helpers of cli_util.c, and the verbs of the table in cli_table.c. The
 * operations the verbs call are in ops.h, the JSON forms of export, import
 * and apply in port.h; neither includes this file's verbs. */
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
/* Parse a duration "90d", "12h", "30m", "3600s" or "2w" (zero_ok: "0"
 * too) into seconds. */
int cli_parse_duration(const char *s, bool zero_ok, int64_t *secs);
int cli_parse_u32(const char *s, uint32_t *out);
/* Parse "YYYY-MM-DDTHH:MM:SSZ" (as cli_time prints it), a date, or
 * "never" (0). */
int cli_parse_time(const char *s, int64_t *out);
/* Format a time as "YYYY-MM-DDTHH:MM:SSZ", "never" for 0. */
const char *cli_time(int64_t t, char *buf, size_t n);
const char *cli_date(int64_t t, char *buf, size_t n);
/* A duration of svcacct.conf for people, in the largest unit that divides
 * it: 90d, 36h, 5m, 61s. */
const char *cli_duration_text(unsigned secs, char *buf, size_t n);
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
/* The reader of accounts.db for a list verb. With no store yet there is
 * nothing to list, which is not an error: NULL with *rc EXIT_OK, the empty
 * list printed ("[]" with --json, else the text header). NULL with *rc
 * EXIT_FAIL when the store cannot be read (reported). */
struct sv_reader *cli_list_reader(struct cli *cli, const char *header, int *rc);
/* The report of a committed account create or role create (what "account"
 * or "role", id its UID or GID): the audit line, the warning for a
 * reserved name taken with --force, nscd told, and the result. */
void cli_report_created(struct cli *cli, const char *what, const char *name,
			uint32_t id);
/* Begin / commit a change with error reporting. */
struct sv_txn *cli_begin(struct cli *cli);
int cli_commit(struct cli *cli, struct sv_txn *t);
/* A create verb (account create, role create): the verb's usage unless
 * it has one positional, then create (the op_*_create of opts into out,
 * with any check of the result: 0, or negative errno with the message in
 * cli->err) in a new transaction, committed when it succeeds. An exit
 * code, failures reported; out is the caller's to free either way. */
typedef int (*cli_create_fn)(struct cli *cli, struct sv_txn *t,
			     const void *opts, void *out);
int cli_create(struct cli *cli, const struct cli_args *args,
	       cli_create_fn create, const void *opts, void *out);
/* Begin a change on an existing record: load (the record of that name in
 * t into *out) must succeed, or t is aborted and "no WHAT 'NAME'"
 * (-ENOENT) or "WHAT 'NAME': BAD" reported; NULL then. */
typedef int (*cli_load_fn)(struct sv_txn *t, const char *name, void *out);
struct sv_txn *cli_begin_load(struct cli *cli, const char *what,
			      const char *name, const char *bad,
			      cli_load_fn load, void *out);
/* Begin a change on an existing account, loading it into *a (NULL: only
 * check it exists); reports "no account" itself. */
struct acct;
struct sv_txn *cli_begin_account(struct cli *cli, const char *name,
				 struct acct *a);
/* The credentials of account name for a list verb: those of db
 * (SV_DB_CREDENTIALS or SV_DB_PUBKEYS) walked by each, the array *out its
 * ctx, with the revocation list open_rv opens honoured (open_rv leaves its
 * message in cli->err); what names them in a read error. An exit code,
 * failures reported; *out the caller's on EXIT_OK. */
typedef int (*cli_revocations_fn)(struct cli *cli, struct sv_revocations **rv);
int cli_list_creds(struct cli *cli, const char *name, enum sv_db db,
		   const char *what, cli_revocations_fn open_rv,
		   sv_cred_fn each, json_t **out);
/* The last use of each credential of account in arr (the objects of a
 * credential list verb: "id", "created" as cli_time prints it): member
 * "last_used" set to its Unix time or null (never used). With unused (the
 * --unused DURATION, or NULL), only the credentials neither used nor
 * created within that long are kept. When the records cannot be read:
 * without --unused, "last_used" is left out (unknown) and a warning
 * given; with it, an exit code for the failure (reported). */
int cli_creds_last_used(struct cli *cli, const char *account, json_t *arr,
			const char *unused);
/* The LAST USED column of such an object: its time as cli_time prints
 * it, "never", or "?" when unknown. */
const char *cli_last_used_text(json_t *it, char *buf, size_t n);
/* A credential's scope in its JSON form (list --json, export, apply):
 * "roles" and "from" arrays set on obj from c (only when c has them,
 * unless always). The roles are GIDs until cli_scope_names turns those of
 * every object of arr into role names through the roles of accounts.db in
 * rd (a GID without a role record stays a number: it grants nothing). */
void cli_scope_json(const struct sv_cred *c, json_t *obj, bool always);
void cli_scope_names(struct sv_reader *rd, json_t *arr);
/* The last cells of a credential table's row for obj (NULL: the header):
 * with scoped, its scope ("ROLE,ROLE from CIDR,...", "*" for every
 * granted role) in a SCOPE column, then label; label alone otherwise. */
void cli_scope_cell(json_t *obj, const char *label, bool scoped, char *out,
		    size_t cap);
/* Split "a,b,c" into a NULL-terminated malloc'd array (one allocation). */
char **cli_split(const char *s);
/* Validate a source entry: an IPv4/IPv6 CIDR or "local". */
bool cli_source_valid(const char *s);
/* Why s is not a valid source entry (static text or why[len]), or NULL
 * when it is one. */
const char *cli_source_problem(const char *s, char *why, size_t len);
/* The verbs of credentials (secret, key, ssh-key): --label and --expires
 * checked (the expiry in *exp, 0 for never), then the verb's usage unless
 * usage_ok (its positionals and required options fit), then for the add
 * verbs svcacct.conf's max_secret_lifetime (secrets) or max_key_lifetime
 * (keys and ssh keys): 0, or the exit code of the refusal, reported. */
int cli_cred_args(struct cli *cli, const struct cli_args *args, bool usage_ok,
		  int64_t *exp);
/* The rotate verbs: the successor inherits its predecessor's lifetime
 * (new_exp, 0 for never), which must fit the same maximum as an add. 0, or
 * the exit code of the refusal, reported. */
int cli_rotated_lifetime(struct cli *cli, const struct cli_args *args,
			 int64_t new_exp, int64_t now);
/* Read a whole file (max bytes), refusing unsafe or huge input. */
int cli_read_file(struct cli *cli, const char *path, size_t max, char **out,
		  size_t *len);

/* ------------------------------------------------------------ cmd_config.c */
/* Refuse a change while the configuration hides accounts or roles of the
 * store from the modules (cmd_config.c): 0, or -EPERM with them listed on
 * stderr. cli_begin calls it. */
int cli_config_guard(struct cli *cli, struct sv_txn *t);
/* Just before t commits: keep the ranges the guard found the store to fit,
 * so that the next change need not scan it again. cli_commit calls it. */
void cli_config_guard_done(struct cli *cli, struct sv_txn *t);

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
VERB(key_refresh); /* cmd_jwks.c */
VERB(cred_remove); /* arg: 1 keys, 0 secrets */
VERB(secret_rotate);
VERB(key_rotate);
VERB(cred_set); /* arg: 0 secrets, 1 keys, 2 ssh keys */
/* After a committed revocation of cred with --stop: end the sessions
 * opened with it (tools/stop.c), add "stopped" to j and the text for people
 * to line. EXIT_OK, or EXIT_FAIL (reported) when its sessions could not all
 * be ended. */
int cli_revoke_stop(struct cli *cli, const char *account, const char *cred,
		    json_t *j, char *line, size_t cap);
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

#endif
