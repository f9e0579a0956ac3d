/* SPDX-License-Identifier: MIT */
/* svcacct.conf(5) and svcacct-assert(1)'s client configuration: parsing
 * and validation, one table-driven parser for both. Store side: libc only. */
#ifndef SVCACCT_CONFIG_H
#define SVCACCT_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SV_CONF_MAX_LIST 32
#define SV_CONF_ERRLEN	 512
/* The longest duration a key takes (max_secret_lifetime...): 36500 days,
 * in seconds, within 32 bits. */
#define SV_CONF_DURATION_MAX 3153600000UL
/* reserved_group_names: entries, and the size of one ('!' + a name of at
 * most 32 bytes + NUL) */
#define SV_CONF_MAX_RESERVED 128
#define SV_CONF_RESERVED_LEN 34
/* group_members_max: the default, and the largest number it takes (0 is
 * "unlimited") */
#define SV_CONF_GROUP_MEMBERS_DEFAULT 1000
#define SV_CONF_GROUP_MEMBERS_MAX     4294967294UL

struct sv_config {
	char db_dir[256];
	char state_dir[256];
	char home_base[256];
	char default_shell[256];
	char keys_group[33]; /* group that may read pubkeys.db */
	uint32_t uid_min, uid_max;
	uint32_t gid_min, gid_max;
	uint32_t base_gid; /* GID of the base role group "svcacct" */
	unsigned keep_generations;
	unsigned lock_timeout; /* seconds a writer waits for the lock */
	bool enumerate; /* NSS enumeration (getpwent/getgrent/getspent) */
	/* a group (the base group, a role's) with more members than this is
	 * served by getgrnam/getgrgid/getgrent with no member list, its
	 * membership only through initgroups; 0 = every group lists its
	 * members (sv_group_members_listed) */
	unsigned group_members_max;
	/* login-path settings, used by pam_svcacct and svcacct verify */
	unsigned max_assertion_lifetime; /* seconds */
	unsigned clock_skew;		 /* seconds */
	unsigned fail_delay_ms;
	unsigned max_credential_length; /* bytes, after reassembly of parts */
	unsigned max_parts;
	unsigned replay_quota; /* live jti entries per account */
	size_t n_audiences;
	char audiences[SV_CONF_MAX_LIST]
		      [256]; /* empty: "svcacct:" + hostname */
	size_t n_ui_services;
	char ui_services[SV_CONF_MAX_LIST][64];
	/* PAM services of sshd: there a login that pam_svcacct did not
	 * authenticate was a public-key login, and the account phase needs
	 * the key (SSH_AUTH_INFO_0) */
	size_t n_ssh_services;
	char ssh_services[SV_CONF_MAX_LIST][64];
	/* svcacct apply: public key that every manifest must be signed
	 * with (empty: signatures only with --verify-key) */
	char manifest_verify_key[256];
	/* group names that roles and accounts may not take without --force,
	 * besides the built-in list; "!name" exempts a built-in one
	 * (sv_group_name_reserved in names.h) */
	size_t n_reserved_group_names;
	char reserved_group_names[SV_CONF_MAX_RESERVED][SV_CONF_RESERVED_LEN];
	/* the longest a secret, or a key (assertion or ssh key), may be
	 * added for, in seconds; 0 = unlimited (svcacct's add verbs and
	 * check enforce them, logins do not) */
	unsigned max_secret_lifetime, max_key_lifetime;
};

/* Whether a group of count members lists them under c: count at most
 * group_members_max, or that key 0 (unlimited). */
static inline bool sv_group_members_listed(const struct sv_config *c,
					   size_t count)
{
	return c->group_members_max == 0 || count <= c->group_members_max;
}

/* Fill *c with the compiled-in defaults. Never fails. default_shell is
 * left empty: see sv_config_fill_shell. */
void sv_config_defaults(struct sv_config *c);

/* If the file set no default_shell, the compiled-in one: svcacct-shell
 * where it is installed (executable), /usr/sbin/nologin otherwise. Apart
 * from sv_config_defaults because it costs a system call that the PAM
 * module, which loads the file at every login, does not need. */
void sv_config_fill_shell(struct sv_config *c);

/* Parse the file at path into *c (defaults first, then the file's keys).
 * If check_owner, the file and the db/state directories it names (and every
 * parent of them) must be owned by root and not group/world writable (sticky
 * directories excepted), as must the file. A missing file is -ENOENT with
 * defaults left in *c. Any unknown key, malformed line, bad value or number
 * out of range fails with -EINVAL and a "FILE:LINE: what" message in err. */
int sv_config_load(struct sv_config *c, const char *path, bool check_owner,
		   char *err, size_t errlen);

/* Parse a buffer (for tests and fuzzing); name is used in messages. */
int sv_config_parse(struct sv_config *c, const char *buf, size_t len,
		    const char *name, char *err, size_t errlen);

/* Check that path (a directory or file) and each parent directory is owned
 * by root and not writable by group or others, except sticky directories.
 * 0, or -EPERM with a message naming the offending component. */
int sv_path_is_safe(const char *path, char *err, size_t errlen);

/* Whether the readers (nss_svcacct, pam_svcacct, svcacct-shell) serve an
 * account of UID uid under c: the rule of sv_uid_acceptable (names.h), so
 * that a tool can say why an account is hidden before the modules hide it.
 * 0 if they serve it. Otherwise -ERANGE, with *key the key of c to change
 * ("uid_min" or "uid_max"; NULL for a UID that no configuration serves)
 * and in why a sentence naming the UID, the rule and the fix (e.g. "UID
 * 70001 is below uid_min 70002: set uid_min to 70001 or lower"); when
 * that change alone would make the file invalid, the sentence says why. */
int sv_config_uid_served(const struct sv_config *c, uint32_t uid,
			 const char **key, char *why, size_t whylen);

/* The same for a role of GID gid: served when sv_role_gid_acceptable and
 * not base_gid (a role never takes the base role's group). *key is
 * "gid_min", "gid_max", "base_gid" or NULL. */
int sv_config_role_gid_served(const struct sv_config *c, uint32_t gid,
			      const char **key, char *why, size_t whylen);

/* The owner and mode rule of sv_config_load for the directories that c
 * names (db_dir, state_dir and every parent; one that does not exist yet
 * must have a safe parent): 0, or -EPERM (or another -errno) with the
 * offending component in err. */
int sv_config_dirs_safe(const struct sv_config *c, char *err, size_t errlen);

/* The path the tools use when given none: SVCACCT_CONF_PATH. */
const char *sv_config_default_path(void);

/* ------------------------------------------------------------ client */

/* svcacct-assert(1)'s configuration (~/.config/svcacct/assert.conf): the
 * same "key = value" lines, '#' comments, as svcacct.conf. An empty string
 * is a key the file did not set. */
#define SV_CLIENT_LIFETIME_DEFAULT 60
#define SV_CLIENT_LIFETIME_MAX	   300
struct sv_client_config {
	char key[PATH_MAX]; /* the private key: an absolute path */
	char account[33];   /* SV_NAME_MAX + 1 */
	char audience[256]; /* the server's audience */
	char kid[129];	    /* SV_KID_MAX + 1 (keys.h) */
	size_t n_scope;	    /* roles to narrow the login to */
	char scope[SV_CONF_MAX_LIST][33];
	char token_file[PATH_MAX]; /* a credential to send instead */
	unsigned lifetime;	   /* seconds */
};

/* Fill *c with the defaults: every string empty, no scope, lifetime
 * SV_CLIENT_LIFETIME_DEFAULT. Never fails. */
void sv_client_config_defaults(struct sv_client_config *c);

/* Parse a buffer into *c (the keys it sets replace what *c holds); name
 * is used in messages. Unknown keys, malformed lines and bad values fail
 * with -EINVAL and "NAME:LINE: what" in err, as in sv_config_parse. */
int sv_client_config_parse(struct sv_client_config *c, const char *buf,
			   size_t len, const char *name, char *err,
			   size_t errlen);

/* Load the file at path into *c (defaults first). It names a private key
 * and the audience to sign for, so it must be a regular file (no symlink)
 * owned by the effective UID and not writable by group or others; -EPERM
 * otherwise. A missing file is -ENOENT with the defaults in *c; any other
 * failure is a negative errno with "PATH: what" (or "PATH:LINE: what") in
 * err. */
int sv_client_config_load(struct sv_client_config *c, const char *path,
			  char *err, size_t errlen);

#endif
