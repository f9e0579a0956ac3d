/* SPDX-License-Identifier: MIT */
/* svcacct(8): the JSON forms of export and import (port.c), shared with the
 * manifest of apply. The parsers fill the options of the operations
 * (ops.h); the import adds a whole document through them. Nothing here
 * reads argv or prints: messages go to cli->err. */
#ifndef SVCACCT_PORT_H
#define SVCACCT_PORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "keys.h"
#include "ops.h"
#include "store.h"

struct cli;

/* The top level of an export document. */
#define EXPORT_FORMAT  "svcacct-export"
#define EXPORT_VERSION 1

/* An optional string member; false if present but not a string (or with
 * a NUL inside). */
bool port_opt_str(json_t *o, const char *k, const char **out);
/* An optional array of strings (without NUL, at most 1024) member, *out
 * NULL when absent or null; false if it is anything else. */
bool port_opt_str_array(json_t *o, const char *k, json_t **out);
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
	char methods[64]; /* "methods" joined with commas, for o.methods */
	bool disabled;
};
int port_account_parse(struct cli *cli, json_t *o, const char *what,
		       bool strict, struct port_account *a);
/* The login methods of mask (SV_ACCT_METHOD_*, 0: every one) as a JSON
 * list of their names, as export writes them. */
json_t *port_methods_json(uint32_t mask);
void port_account_free(struct port_account *a);
struct port_key {
	const char *account, *kid, *label;
	int64_t expires;
	struct sv_key key;    /* imported from the JWK: sv_key_free it */
	json_t *roles, *from; /* the scope: arrays of strings, or NULL */
};
int port_key_parse(struct cli *cli, json_t *o, const char *what,
		   struct port_key *k);
struct port_sshkey {
	const char *account, *line, *label;
	int64_t expires;
	json_t *roles, *from; /* the scope: arrays of strings, or NULL */
};
int port_sshkey_parse(struct cli *cli, json_t *o, const char *what,
		      struct port_sshkey *k);
/* The scope of a key or ssh key object (its "roles" by name, its "from")
 * for a credential of account in t (op_cred_scope: the roles exist and
 * are granted). 0 or negative errno with the message in cli->err,
 * prefixed with what. */
int port_cred_scope(struct cli *cli, struct sv_txn *t, const char *what,
		    const char *account, json_t *roles, json_t *from,
		    struct cred_scope *out);
/* The sections of an export, sorted; NULL with *e on a read error.
 * Keys and ssh keys need a reader with credentials/pubkeys (root). */
json_t *port_export_roles(struct sv_reader *rd, int *e);
json_t *port_export_accounts(struct sv_reader *rd, int *e);
json_t *port_export_keys(struct sv_reader *rd, int *e);
json_t *port_export_sshkeys(struct sv_reader *rd, int *e);
/* Accounts, and in the same walk, with keys / sshkeys non-NULL, their
 * assertion keys / ssh keys appended to those arrays (export reads the
 * store once). NULL with *e on a read error. */
json_t *port_export_accounts_keys(struct sv_reader *rd, json_t *keys,
				  json_t *sshkeys, int *e);
/* svcacct import, in two steps that the fuzzer (tests/fuzz/fuzz_import.c)
 * calls as the command does: check the document's top level (format,
 * version, member types, no unknown member), then validate and add
 * everything in t (roles, accounts, role member lists, keys, ssh keys),
 * stopping at the first bad entry. 0 or negative errno with the message
 * in cli->err; the caller commits or aborts t. */
int cli_import_check(struct cli *cli, json_t *doc);
int cli_import_apply(struct cli *cli, struct sv_txn *t, json_t *doc);

#endif
