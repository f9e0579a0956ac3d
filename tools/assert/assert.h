/* SPDX-License-Identifier: MIT */
/* svcacct-assert(1): what its parts share. main.c dispatches through the
 * table of opts.c (every subcommand's options, usage and function) to one
 * file per job: keygen.c (key pairs), mint.c (keys, signing, client
 * assertions), manifest.c (signed manifests), askpass.c (ssh's SSH_ASKPASS
 * helper) and config.c (the client configuration, parsed by
 * common/store/config.c).
 *
 * It runs as the bot, never as root, and trusts nothing it did not write:
 * private keys and token files must be the caller's own and not readable by
 * group or others; the askpass cache lives in a private directory that is
 * checked before use. The audience always comes from the client's own
 * configuration: a server's prompt only selects which part to send. */
#ifndef SVCACCT_TOOLS_ASSERT_H
#define SVCACCT_TOOLS_ASSERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "config.h"

#define PROG		 "svcacct-assert"
#define LIFETIME_DEFAULT SV_CLIENT_LIFETIME_DEFAULT
#define LIFETIME_MAX	 SV_CLIENT_LIFETIME_MAX
#define TOKEN_MAX	 (64 * 1024)
/* the mark that ends every part of a credential but the last */
#define CONT_MARK '\\'

/* ------------------------------------------------------------ opts.c */

/* What a subcommand's command line gave (opts.c's table says which option
 * fills which field): views into argv, NULL for an option not given. */
struct assert_args {
	const char *alg, *bits, *out, *pub, *key, *account, *aud, *kid;
	const char *scope, *lifetime, *split;
	bool jwk;
	const char *pos[1]; /* the positionals; the table allows at most 1 */
	int npos;
};

/* Run the subcommand argv[0] with the rest of argv: its exit status (2
 * after a usage error, 0 after --help), or -1 if argv[0] names none. */
int assert_run(int argc, char **argv);

/* The synopsis of every subcommand and of the askpass mode, to f. */
void assert_usage(FILE *f);

/* A usage error of the subcommand being run: "svcacct-assert SUB:
 * MESSAGE" and its synopsis on stderr; returns 2. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ------------------------------------------------------------ main.c */

/* Print "svcacct-assert: MESSAGE" on stderr; returns 1 (the exit status
 * of a failure). */
int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Whether s holds no control character. */
bool printable(const char *s);

/* ------------------------------------------------------------ mint.c */

/* Read a file that holds a secret (private key, token) into a malloc'd,
 * NUL-terminated buffer: regular, the caller's, not readable or writable by
 * group or others, not a symlink, at most max bytes. 0, or 1 with the
 * reason printed. Free with free_secret. */
int read_private_file(const char *path, size_t max, char **out, size_t *outlen);

/* Wipe and free n bytes at p (NULL is fine). */
void free_secret(char *p, size_t n);

/* The private key in the PEM file at path (read_private_file's rules), or
 * NULL with the reason printed. */
EVP_PKEY *load_private_key(const char *path);

struct alg_info {
	const char *name; /* JOSE alg */
	const char *md;	  /* its digest */
	int ec_bytes;	  /* size of r and of s; 0 for RSA */
};

/* The alg that pk signs with (ES256/ES384/ES512 by curve, RS256 for RSA of
 * at least SV_RSA_MIN_BITS), or NULL for another key, or one whose alg is
 * not want (if want is not NULL). */
const struct alg_info *alg_of_key(EVP_PKEY *pk, const char *want);

/* A compact JWS over hdr and the plen bytes of payload, signed with pk
 * under alg (ECDSA in JOSE's r || s form). Returns a malloc'd string, or
 * NULL with the reason printed. */
char *sign_compact(EVP_PKEY *pk, const struct alg_info *alg, json_t *hdr,
		   const char *payload, size_t plen);

/* What a client assertion is minted from. */
struct mint {
	const char *key, *account, *aud, *kid, *scope; /* scope: "r1 r2" */
	unsigned lifetime;
};

/* Check m's values (names, lengths, lifetime): 0, or 1 with the reason
 * printed. */
int check_mint(struct mint *m);

/* A fresh client assertion (RFC 7523) for m, checked by check_mint.
 * Returns a malloc'd string (wipe it) or NULL with the reason printed. */
char *mint_token(const struct mint *m);

/* Roles separated by commas or spaces, each a role name, into out
 * separated by single spaces (the scope claim). 0, or 1 with the reason
 * printed. */
int scope_from_csv(const char *csv, char *out, size_t cap);

/* svcacct-assert token */
int cmd_token(const struct assert_args *a);

/* ------------------------------------------------------------ manifest.c */

/* svcacct-assert sign-manifest */
int cmd_sign_manifest(const struct assert_args *a);

/* ------------------------------------------------------------ keygen.c */

/* svcacct-assert keygen */
int cmd_keygen(const struct assert_args *a);

/* ------------------------------------------------------------ config.c */

/* The client's settings: the configuration file's, then the environment's
 * (SVCACCT_KEY and the others), key by key. */
struct client_conf {
	struct sv_client_config c;
	char scope[1024]; /* as given: roles separated by commas or spaces */
};

/* Fill *cc from ~/.config/svcacct/assert.conf (or under $XDG_CONFIG_HOME)
 * if it exists, then from the environment. 0, or 1 with the reason
 * printed. */
int load_client_conf(struct client_conf *cc);

/* ------------------------------------------------------------ askpass.c */

/* Answer one of ssh's prompts as its SSH_ASKPASS helper: the exit
 * status. */
int askpass(const char *prompt);

#endif
