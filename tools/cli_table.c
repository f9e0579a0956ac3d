/* SPDX-License-Identifier: MIT */
/* svcacct(8)'s command line: every noun, verb and option, once. The parser,
 * the usage texts, the did-you-mean hints and the shell completion scripts
 * are made from these rows (tools/options.c); svcacct(8) and docs/CLI.md
 * describe the same rows (tests/cli/test_options.sh compares them). */
#include <stddef.h>

#include "cli.h"
#include "options.h"
#include "util.h"

#define F(f) offsetof(struct cli_args, f)
#define FLAG(n, f, h)                                                          \
	{                                                                      \
		.name = n, .help = h, .kind = CLI_FLAG, .off = F(f)            \
	}
#define VAL(n, m, f, h, c)                                                     \
	{                                                                      \
		.name = n, .metavar = m, .help = h, .kind = CLI_VALUE,         \
		.off = F(f), .complete = c                                     \
	}
#define LIST(n, m, f, h, c)                                                    \
	{                                                                      \
		.name = n, .metavar = m, .help = h, .kind = CLI_LIST,          \
		.off = F(f), .complete = c                                     \
	}

_Static_assert(OPT__COUNT <= 0x80, "option ids fit beside CLI_HIDDEN");

const struct cli_opt cli_options[OPT__COUNT] = {
    [OPT_UID] = VAL("uid", "N", uid, "the UID (default: the next free one)",
		    CLI_C_NONE),
    [OPT_GID] = VAL("gid", "N", gid, "the GID (default: the next free one)",
		    CLI_C_NONE),
    [OPT_DESCRIPTION] =
	VAL("description", "T", description, "free text", CLI_C_NONE),
    [OPT_OWNER] =
	VAL("owner", "T", owner, "who answers for the account", CLI_C_NONE),
    [OPT_HOME] = VAL("home", "D", home, "home directory", CLI_C_FILE),
    [OPT_SHELL] = VAL("shell", "P", shell, "login shell", CLI_C_FILE),
    [OPT_EXPIRES_DATE] =
	VAL("expires", "YYYY-MM-DD|never", expires,
	    "the account stops working on that day", CLI_C_NONE),
    [OPT_EXPIRES] = VAL("expires", "DURATION|DATE", expires,
			"the credential stops working then (90d, 12h, "
			"YYYY-MM-DD or never)",
			CLI_C_NONE),
    [OPT_ROLE] =
	LIST("role", "R", role, "a role (repeat for more)", CLI_C_ROLE),
    [OPT_HOME_WRITABLE] = FLAG("home-writable", home_writable,
			       "the account may write its home directory"),
    [OPT_HOME_PRIVATE] = FLAG("home-private", home_private,
			      "the home directory belongs to root again"),
    [OPT_NO_HOME] = FLAG("no-home", no_home, "create no home directory"),
    [OPT_METHODS] = VAL("methods", "M,...|all", methods,
			"the login methods allowed: secret, assertion, "
			"issuer, sshkey (replaces the list; all: every one)",
			CLI_C_NONE),
    [OPT_STOP] = FLAG("stop", stop, "also stop the account's processes"),
    [OPT_FORCE] = FLAG("force", force,
		       "do it although it is unusual (a reserved name, a role "
		       "with members, a service without PAM configuration)"),
    [OPT_JSON] = FLAG("json", json, "output as JSON"),
    [OPT_SERVICES] =
	VAL("services", "S,...", services,
	    "the PAM services the role may log in to (replaces the list)",
	    CLI_C_NONE),
    [OPT_FROM] =
	VAL("from", "CIDR,...|local", from,
	    "where logins may come from (replaces the list)", CLI_C_NONE),
    [OPT_COMMAND] = LIST("command", "CMD", command,
			 "a command the role may run with sudo (repeat; "
			 "replaces the list)",
			 CLI_C_NONE),
    [OPT_CLEAR_COMMANDS] =
	FLAG("clear-commands", clear_commands, "empty the command list"),
    [OPT_ADD_SERVICE] = LIST("add-service", "S", add_service,
			     "add a PAM service (repeatable)", CLI_C_NONE),
    [OPT_REMOVE_SERVICE] =
	LIST("remove-service", "S", remove_service,
	     "remove a PAM service (repeatable)", CLI_C_NONE),
    [OPT_ADD_FROM] = LIST("add-from", "CIDR|local", add_from,
			  "add a source (repeatable)", CLI_C_NONE),
    [OPT_REMOVE_FROM] = LIST("remove-from", "CIDR|local", remove_from,
			     "remove a source (repeatable)", CLI_C_NONE),
    [OPT_ADD_COMMAND] = LIST("add-command", "CMD", add_command,
			     "add a sudo command (repeatable)", CLI_C_NONE),
    [OPT_REMOVE_COMMAND] =
	LIST("remove-command", "CMD", remove_command,
	     "remove a sudo command (repeatable)", CLI_C_NONE),
    [OPT_LABEL] = VAL("label", "T", label, "a note shown by list", CLI_C_NONE),
    [OPT_PEM] = VAL("pem", "FILE", pem, "a public key in PEM", CLI_C_FILE),
    [OPT_JWK] = VAL("jwk", "FILE", jwk, "a public key as a JWK", CLI_C_FILE),
    [OPT_JWKS] =
	VAL("jwks", "FILE", jwks, "public keys as a JWK set", CLI_C_FILE),
    [OPT_KID] = VAL("kid", "K", kid, "the key id", CLI_C_NONE),
    [OPT_ALG] = VAL("alg", "A", alg, "the key's algorithm", CLI_C_NONE),
    [OPT_ALLOW_REVOKED_KEY] =
	FLAG("allow-revoked-key", allow_revoked,
	     "register key material that was revoked before"),
    [OPT_ALLOW_REVOKED_KEYS] =
	FLAG("allow-revoked-keys", allow_revoked,
	     "register key material that was revoked before"),
    [OPT_PUBKEY] = VAL("pubkey", "FILE", pubkey, "one OpenSSH public key line",
		       CLI_C_FILE),
    [OPT_SERVICE] =
	VAL("service", "S", service, "the PAM service to check", CLI_C_NONE),
    [OPT_RHOST] =
	VAL("rhost", "ADDR", rhost, "the client address to check", CLI_C_NONE),
    [OPT_AUDIENCE] =
	VAL("audience", "A", audience, "the expected audience", CLI_C_NONE),
    [OPT_ISSUER] =
	VAL("issuer", "URL", issuer, "the issuer (iss) URL", CLI_C_NONE),
    [OPT_JWKS_URL] =
	VAL("jwks-url", "URL", jwks_url,
	    "fetch the keys from this HTTPS URL (a JWKS)", CLI_C_NONE),
    [OPT_CA_FILE] = VAL("ca-file", "F", ca_file,
			"CA certificates for --jwks-url", CLI_C_FILE),
    [OPT_CLIENT_CLAIM] =
	VAL("client-claim", "azp|client_id|sub|clientId", client_claim,
	    "the claim naming the client", CLI_C_NONE),
    [OPT_ROLES_CLAIM] =
	LIST("roles-claim", "PATH", roles_claim,
	     "where the token carries roles (repeatable)", CLI_C_NONE),
    [OPT_MAX_LIFETIME] = VAL("max-lifetime", "SECONDS", max_lifetime,
			     "refuse tokens valid for longer", CLI_C_NONE),
    [OPT_CLIENT] = VAL("client", "REMOTE_ID", client, "the issuer's client id",
		       CLI_C_NONE),
    [OPT_ACCOUNT] =
	VAL("account", "LOCAL", account, "the local account", CLI_C_ACCOUNT),
    [OPT_DRY_RUN] = FLAG("dry-run", dry_run, "show the changes, apply nothing"),
    [OPT_PRUNE] =
	FLAG("prune", prune, "delete what the manifest does not name"),
    [OPT_VERIFY_KEY] =
	VAL("verify-key", "KEY", verify_key,
	    "the manifest must be signed with this key", CLI_C_FILE),
    [OPT_DETAILED_EXITCODE] =
	FLAG("detailed-exitcode", detailed_exitcode,
	     "exit 0 if nothing changed, 2 if something did, 1 on error"),
    [OPT_MANIFEST] = FLAG("manifest", manifest, "write a manifest for apply"),
    [OPT_GRACE] = VAL("grace", "DURATION", grace,
		      "how long the old credential keeps working (default "
		      "24h; 0: it stops now)",
		      CLI_C_NONE),
    [OPT_UNUSED] = VAL("unused", "DURATION", unused,
		       "only credentials not used for that long (never used: "
		       "since created)",
		       CLI_C_NONE),
    [OPT_ROLES] = VAL("roles", "R,...", roles,
		      "the credential holds at most these roles (granted ones)",
		      CLI_C_ROLE),
    [OPT_CRED_FROM] =
	VAL("from", "CIDR,...|local", from,
	    "the credential logs in only from these sources", CLI_C_NONE),
    [OPT_STOP_SESSIONS] =
	FLAG("stop", stop, "also end the sessions opened with it"),
    [OPT_REPAIR_INDEX] =
	FLAG("repair-index", repair_index,
	     "first rebuild the lookup indexes from the GDBM files, "
	     "published as a new generation"),
};

#define OPTS(...) ((const unsigned char[]){__VA_ARGS__, OPT_END})
#define NOOPTS	  ((const unsigned char[]){OPT_END})
#define V(name, args, summary, opts, comp, fn, arg)                            \
	{                                                                      \
		name, args, summary, opts, comp, fn, arg, 0, 0, NULL           \
	}
/* a verb that a flag hands to another function */
#define V_ALT(name, args, summary, opts, comp, fn, arg, opt, alt)              \
	{                                                                      \
		name, args, summary, opts, comp, fn, arg, 0, opt, alt          \
	}
#define NOUN(n, s, v)                                                          \
	{                                                                      \
		n, s, v, SV_ARRAY_SIZE(v), false                               \
	}

static const struct cli_verb_def account_verbs[] = {
    V("create", "NAME", "create a service account",
      OPTS(OPT_UID, OPT_DESCRIPTION, OPT_OWNER, OPT_HOME, OPT_SHELL,
	   OPT_EXPIRES_DATE, OPT_ROLE, OPT_HOME_WRITABLE, OPT_NO_HOME,
	   OPT_METHODS, OPT_FORCE, OPT_JSON),
      "-", account_create, 0),
    V("list", "", "list the accounts", OPTS(OPT_JSON), "", account_list, 0),
    V("show", "NAME", "show one account", OPTS(OPT_JSON), "a", account_show, 0),
    V("delete", "NAME", "delete an account and revoke its credentials", NOOPTS,
      "a", account_delete, 0),
    V("enable", "NAME", "allow logins again", NOOPTS, "a", account_state, 1),
    V("disable", "NAME", "refuse logins", OPTS(OPT_STOP), "a", account_state,
      0),
    V("set", "NAME", "change an account",
      OPTS(OPT_DESCRIPTION, OPT_OWNER, OPT_HOME, OPT_SHELL, OPT_EXPIRES_DATE,
	   OPT_ROLE, OPT_HOME_WRITABLE, OPT_HOME_PRIVATE, OPT_METHODS,
	   CLI_HIDDEN(OPT_UID)),
      "a", account_set, 0),
};

static const struct cli_verb_def role_verbs[] = {
    V("create", "ROLE", "create a role",
      OPTS(OPT_GID, OPT_DESCRIPTION, OPT_SERVICES, OPT_FROM, OPT_COMMAND,
	   OPT_FORCE, OPT_JSON),
      "-", role_create, 0),
    V("list", "", "list the roles", OPTS(OPT_JSON), "", role_list, 0),
    V("show", "ROLE", "show one role", OPTS(OPT_JSON), "r", role_show, 0),
    V("delete", "ROLE", "delete a role", OPTS(OPT_FORCE), "r", role_delete, 0),
    V("set", "ROLE", "change a role",
      OPTS(OPT_DESCRIPTION, OPT_SERVICES, OPT_FROM, OPT_COMMAND,
	   OPT_CLEAR_COMMANDS, OPT_ADD_SERVICE, OPT_REMOVE_SERVICE,
	   OPT_ADD_FROM, OPT_REMOVE_FROM, OPT_ADD_COMMAND, OPT_REMOVE_COMMAND,
	   OPT_FORCE, CLI_HIDDEN(OPT_GID)),
      "r", role_set, 0),
};

static const struct cli_verb_def grant_verbs[] = {
    V(NULL, "NAME ROLE...", "give an account roles", NOOPTS, "ar+",
      grant_revoke, 1),
};
static const struct cli_verb_def revoke_verbs[] = {
    V(NULL, "NAME ROLE...", "take roles from an account", NOOPTS, "ar+",
      grant_revoke, 0),
};

static const struct cli_verb_def secret_verbs[] = {
    V("add", "NAME", "make a new secret (shown once)",
      OPTS(OPT_LABEL, OPT_EXPIRES, OPT_ROLES, OPT_CRED_FROM, OPT_JSON), "a",
      secret_add, 0),
    V("list", "NAME", "list an account's secrets", OPTS(OPT_UNUSED, OPT_JSON),
      "a", cred_list, 0),
    V("revoke", "NAME ID", "revoke a secret", OPTS(OPT_STOP_SESSIONS), "a",
      cred_remove, 0),
    V("rotate", "NAME ID",
      "replace a secret by a new one (shown once) and retire the old one",
      OPTS(OPT_GRACE, OPT_JSON), "a", secret_rotate, 0),
    V("set", "NAME ID", "narrow a secret's scope",
      OPTS(OPT_ROLES, OPT_CRED_FROM, OPT_JSON), "a", cred_set, 0),
};

static const struct cli_verb_def key_verbs[] = {
    V("add",
      "NAME (--pem FILE | --jwk FILE | --jwks FILE | --jwks-url URL "
      "[--ca-file F])",
      "register a public key for signed assertions",
      OPTS(OPT_PEM, OPT_JWK, OPT_JWKS, OPT_KID, OPT_ALG, OPT_LABEL, OPT_EXPIRES,
	   OPT_ROLES, OPT_CRED_FROM, OPT_ALLOW_REVOKED_KEY, OPT_JWKS_URL,
	   OPT_CA_FILE, OPT_JSON),
      "a", key_add, 0),
    V("list", "NAME", "list an account's keys", OPTS(OPT_UNUSED, OPT_JSON), "a",
      cred_list, 1),
    V("remove", "NAME KID|ID", "remove (and revoke) a key",
      OPTS(OPT_STOP_SESSIONS), "a", cred_remove, 1),
    V("revoke", "NAME KID|ID", "revoke (and remove) a key",
      OPTS(OPT_STOP_SESSIONS), "a", cred_remove, 1),
    V("rotate", "NAME KID|ID (--pem FILE | --jwk FILE)",
      "replace a key by a new public key and retire the old one",
      OPTS(OPT_PEM, OPT_JWK, OPT_KID, OPT_ALG, OPT_GRACE, OPT_ALLOW_REVOKED_KEY,
	   OPT_JSON),
      "a", key_rotate, 0),
    V("set", "NAME KID|ID", "narrow a key's scope",
      OPTS(OPT_ROLES, OPT_CRED_FROM, OPT_JSON), "a", cred_set, 1),
    V("refresh", "[NAME]", "fetch the accounts' JWKS URLs again",
      OPTS(OPT_JSON), "a", key_refresh, 0),
};

static const struct cli_verb_def sshkey_verbs[] = {
    V("add", "NAME --pubkey FILE", "register an OpenSSH public key",
      OPTS(OPT_PUBKEY, OPT_LABEL, OPT_EXPIRES, OPT_ROLES, OPT_CRED_FROM,
	   OPT_ALLOW_REVOKED_KEY, OPT_JSON),
      "a", sshkey_add, 0),
    V("list", "NAME", "list an account's ssh keys", OPTS(OPT_UNUSED, OPT_JSON),
      "a", sshkey_list, 0),
    V("remove", "NAME ID|FINGERPRINT", "remove (and revoke) an ssh key",
      OPTS(OPT_STOP_SESSIONS, OPT_JSON), "a", sshkey_remove, 0),
    V("revoke", "NAME ID|FINGERPRINT", "revoke (and remove) an ssh key",
      OPTS(OPT_STOP_SESSIONS, OPT_JSON), "a", sshkey_remove, 0),
    V("set", "NAME ID|FINGERPRINT", "narrow an ssh key's scope",
      OPTS(OPT_ROLES, OPT_CRED_FROM, OPT_JSON), "a", cred_set, 2),
};

static const struct cli_verb_def authkeys_verbs[] = {
    {NULL, "NAME [UID]", "sshd's AuthorizedKeysCommand", NOOPTS, "a",
     cmd_authorized_keys, 0, CLI_RAW_ARGS, 0, NULL},
};

static const struct cli_verb_def verify_verbs[] = {
    V(NULL, "NAME < CREDENTIAL",
      "check a credential from stdin as the PAM module would",
      OPTS(OPT_SERVICE, OPT_RHOST, OPT_AUDIENCE), "a", cmd_verify, 0),
};

static const struct cli_verb_def export_verbs[] = {
    V_ALT(NULL, "> FILE", "the store as JSON", OPTS(OPT_MANIFEST), "",
	  cmd_export, 0, OPT_MANIFEST, cmd_export_manifest),
};
static const struct cli_verb_def import_verbs[] = {
    V(NULL, "FILE", "load an export into the store (all or nothing)",
      OPTS(OPT_ALLOW_REVOKED_KEYS), "f", cmd_import, 0),
};
static const struct cli_verb_def check_verbs[] = {
    V(NULL, "", "check the store and the configuration",
      OPTS(OPT_REPAIR_INDEX, OPT_JSON), "", cmd_check_run, 0),
};
static const struct cli_verb_def rollback_verbs[] = {
    V(NULL, "[GENERATION]", "publish an earlier generation again", NOOPTS, "",
      cmd_rollback, 0),
};
static const struct cli_verb_def generations_verbs[] = {
    V(NULL, "", "list the kept generations", OPTS(OPT_JSON), "",
      cmd_generations, 0),
};
static const struct cli_verb_def apply_verbs[] = {
    V(NULL, "FILE|-", "make the store match a manifest",
      OPTS(OPT_DRY_RUN, OPT_PRUNE, OPT_VERIFY_KEY, OPT_ALLOW_REVOKED_KEYS,
	   OPT_DETAILED_EXITCODE, OPT_JSON),
      "f", cmd_apply, 0),
};
static const struct cli_verb_def config_verbs[] = {
    V("check", "[FILE]", "check a configuration before installing it",
      OPTS(OPT_JSON), "f", config_check, 0),
};

static const struct cli_verb_def issuer_verbs[] = {
    V("add",
      "NAME --issuer URL (--jwks FILE | --jwks-url URL [--ca-file F]) "
      "--audience A",
      "trust an OIDC issuer's tokens",
      OPTS(OPT_ISSUER, OPT_JWKS, OPT_JWKS_URL, OPT_CA_FILE, OPT_AUDIENCE,
	   OPT_CLIENT_CLAIM, OPT_ROLES_CLAIM, OPT_MAX_LIFETIME, OPT_JSON),
      "-", issuer_add, 0),
    V("list", "", "list the issuers", OPTS(OPT_JSON), "", issuer_list, 0),
    V("show", "NAME", "show one issuer", OPTS(OPT_JSON), "", issuer_show, 0),
    V("remove", "NAME", "stop trusting an issuer", OPTS(OPT_JSON), "",
      issuer_remove, 0),
    V("map", "NAME --client REMOTE_ID --account LOCAL",
      "map a client id to a local account",
      OPTS(OPT_CLIENT, OPT_ACCOUNT, OPT_JSON), "", issuer_map, 0),
    V("unmap", "NAME --client REMOTE_ID", "drop a client mapping",
      OPTS(OPT_CLIENT, OPT_JSON), "", issuer_map, 1),
    V("role-map", "NAME REMOTE_ROLE LOCAL_ROLE",
      "map an issuer's role to a local role", OPTS(OPT_JSON), "--r",
      issuer_role_map, 0),
    V("role-unmap", "NAME REMOTE_ROLE LOCAL_ROLE", "drop a role mapping",
      OPTS(OPT_JSON), "--r", issuer_role_map, 1),
    V("refresh", "[NAME]", "fetch or load the issuers' keys again",
      OPTS(OPT_JWKS, OPT_JSON), "", issuer_refresh, 0),
};

static const struct cli_verb_def completion_verbs[] = {
    V(NULL, "bash|zsh", "print the shell completion script", NOOPTS, "",
      cmd_completion, 0),
};
static const struct cli_verb_def complete_verbs[] = {
    V(NULL, "accounts|roles", "names for the shell completion", NOOPTS, "",
      cmd_complete_names, 0),
};

const struct cli_noun cli_nouns[] = {
    NOUN("account", "service accounts", account_verbs),
    NOUN("role", "roles: where and how their members may log in", role_verbs),
    NOUN("grant", "give an account roles", grant_verbs),
    NOUN("revoke", "take roles from an account", revoke_verbs),
    NOUN("secret", "an account's secrets", secret_verbs),
    NOUN("key", "an account's keys for signed assertions", key_verbs),
    NOUN("sshkey", "an account's OpenSSH keys", sshkey_verbs),
    NOUN("authorized-keys", "sshd's AuthorizedKeysCommand", authkeys_verbs),
    NOUN("verify", "check a credential", verify_verbs),
    NOUN("issuer", "OIDC issuers whose tokens are credentials", issuer_verbs),
    NOUN("export", "the store as JSON", export_verbs),
    NOUN("import", "load an export", import_verbs),
    NOUN("apply", "declarative state from a manifest", apply_verbs),
    NOUN("check", "check the store", check_verbs),
    NOUN("rollback", "publish an earlier generation", rollback_verbs),
    NOUN("generations", "the kept generations", generations_verbs),
    NOUN("config", "the configuration file", config_verbs),
    {"completion", "shell completion", completion_verbs,
     SV_ARRAY_SIZE(completion_verbs), true},
    {"__complete", "names for completion", complete_verbs,
     SV_ARRAY_SIZE(complete_verbs), true},
};
const size_t cli_nnouns = SV_ARRAY_SIZE(cli_nouns);
