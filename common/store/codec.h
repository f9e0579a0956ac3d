/* SPDX-License-Identifier: MIT */
/* Record codec: the byte format of every value in the store (docs/FORMAT.md).
 *
 * Decoding is zero-copy: the decoded structs hold views (pointer + length)
 * into the caller's buffer, which must outlive them. The decoder trusts no
 * length or count: each is checked against the bytes that remain, strings
 * may not contain NUL, and trailing bytes are an error. Store side: libc. */
#ifndef SVCACCT_CODEC_H
#define SVCACCT_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SV_MAGIC0 'S'
#define SV_MAGIC1 'V'
enum sv_kind {
	SV_KIND_ACCOUNT = 'A',
	SV_KIND_ROLE = 'R',
	SV_KIND_CRED = 'C',
	SV_KIND_IDLIST = 'L',
	SV_KIND_ISSUER = 'I',
};
#define SV_CODEC_VERSION 1
/* Records are written at the lowest version that holds their values, so
 * that a reader of an earlier release still reads every record that uses
 * nothing newer (docs/FORMAT.md). Accounts: version 2 adds the allowed
 * login methods. Credentials: version 2 binds them to the account's UID
 * (every credential written has it), version 3 adds the scope (roles and
 * sources) and the JWKS URL; version 1 credentials are still read
 * (docs/FORMAT.md, section 10). */
#define SV_ACCOUNT_VERSION  2
#define SV_CRED_VERSION	    3
#define SV_CRED_VERSION_MIN 2
/* A credential id: 16 lowercase hex digits (64 random bits). */
#define SV_CRED_ID_LEN 16
#define SV_STR_MAX     65535u

/* A string view; not NUL-terminated. */
struct sv_str {
	const char *p;
	size_t n;
};
static inline struct sv_str sv_str_c(const char *s)
{
	return (struct sv_str){s ? s : "", s ? __builtin_strlen(s) : 0};
}
#define SV_STR(s) sv_str_c(s)

/* A list of strings: either decoded (raw points at `count` encoded strings)
 * or to be encoded (items non-NULL, raw ignored). */
struct sv_list {
	uint32_t count;
	const uint8_t *raw;
	size_t rawlen;
	const struct sv_str *items;
};

/* A list of 32-bit numbers, same two forms. */
struct sv_u32list {
	uint32_t count;
	const uint8_t *raw; /* count * 4 bytes, little endian */
	const uint32_t *items;
};

enum {
	SV_ACCT_DISABLED = 1u << 0,
	SV_ACCT_HOME_WRITABLE = 1u << 1,
};
#define SV_ACCT_FLAGS_KNOWN (SV_ACCT_DISABLED | SV_ACCT_HOME_WRITABLE)

/* The login methods an account allows (sv_account.methods); 0 allows
 * every method. */
enum {
	SV_ACCT_METHOD_SECRET = 1u << 0,
	SV_ACCT_METHOD_ASSERTION = 1u << 1,
	SV_ACCT_METHOD_ISSUER = 1u << 2,
	SV_ACCT_METHOD_SSHKEY = 1u << 3,
};
#define SV_ACCT_METHODS_KNOWN                                                  \
	(SV_ACCT_METHOD_SECRET | SV_ACCT_METHOD_ASSERTION |                    \
	 SV_ACCT_METHOD_ISSUER | SV_ACCT_METHOD_SSHKEY)

struct sv_account {
	uint32_t uid;
	uint32_t flags;
	int64_t created, updated;
	int64_t expires; /* Unix time, 0 = never */
	struct sv_str name, description, owner, home, shell;
	struct sv_u32list
	    roles;	  /* GIDs of granted roles (base role implicit) */
	uint32_t methods; /* SV_ACCT_METHOD_* allowed; 0 = all (version 1) */
};

struct sv_role {
	uint32_t gid;
	uint32_t flags;
	int64_t created, updated;
	struct sv_str name, description;
	struct sv_list services; /* PAM services this role allows */
	struct sv_list sources;	 /* CIDRs or "local" */
	struct sv_list commands; /* commands for svcacct-shell */
	struct sv_list members;	 /* account names holding the role */
};

enum sv_cred_type {
	SV_CRED_SECRET = 1,
	SV_CRED_KEY = 2,    /* public key for JWT client assertions */
	SV_CRED_SSHKEY = 3, /* OpenSSH public key */
	SV_CRED_JWKS = 4,   /* the account's keys come from a JWKS URL */
};

struct sv_cred {
	uint8_t version; /* of the record read: 1 to 3 (encoders write 2 or
			    3, the lowest that holds the values) */
	uint8_t type;	 /* enum sv_cred_type */
	uint8_t alg;	 /* enum sv_alg (keys.h), 0 for secrets */
	int64_t created;
	int64_t expires; /* 0 = never */
	uint32_t uid;	 /* the owning account's UID; 0 in a version 1 record */
	struct sv_str id, account, label, kid;
	struct sv_str material; /* secret: HMAC-SHA-256; key: keys.h blob;
				   sshkey: "type base64" line; jwks: empty */
	/* version 3: the credential's scope. A login with it holds at most
	 * these roles (GIDs; none listed = every granted role) and comes
	 * from one of these sources (none listed = the roles decide). */
	struct sv_u32list roles;
	struct sv_list sources;
	struct sv_str url, ca_file; /* jwks: https URL, CA bundle or "" */
};

/* Whether credential c belongs to account a: the names agree and so does
 * the identity. A version 2 record carries the UID it was issued to (UIDs
 * are never reused); a version 1 record carries only the name, so it
 * belongs to the account of that name only if it is not older than the
 * account (a credential of an earlier, deleted account of the same name
 * never passes to a later one). */
bool sv_cred_bound_to(const struct sv_cred *c, const struct sv_account *a);

/* A trusted issuer (an OIDC IdP whose access tokens log service accounts
 * in; common/auth/issuer.h). Configuration: it lives in accounts.db and
 * changes by generation; the fetched JWKS is state (state_dir/issuers/). */
enum sv_client_claim {
	SV_CLIENT_AZP = 1,
	SV_CLIENT_CLIENT_ID = 2,
	SV_CLIENT_SUB = 3,
	SV_CLIENT_CLIENTID = 4, /* "clientId": Keycloak before version 24 */
};
struct sv_issuer {
	uint32_t flags;	       /* must be 0 (none defined yet) */
	uint8_t client_claim;  /* enum sv_client_claim */
	uint32_t max_lifetime; /* seconds, exp - iat (or now) at most */
	int64_t created, updated;
	struct sv_str name, issuer, audience, jwks_url, ca_file;
	struct sv_list roles_claims;		    /* dotted paths */
	struct sv_list client_remote, client_local; /* parallel lists */
	struct sv_list role_remote, role_local;	    /* parallel lists */
};

/* Growable output buffer for encoders. */
struct sv_buf {
	uint8_t *p;
	size_t len, cap;
	int error; /* sticky: first failure, -EINVAL or -ENOMEM */
};
void sv_buf_free(struct sv_buf *b);

/* Encoders append one record to b (which is reset first). 0, -EINVAL if a
 * field is too long or has a NUL byte, -ENOMEM. */
int sv_encode_account(struct sv_buf *b, const struct sv_account *a);
int sv_encode_role(struct sv_buf *b, const struct sv_role *r);
int sv_encode_cred(struct sv_buf *b, const struct sv_cred *c);
int sv_encode_idlist(struct sv_buf *b, const struct sv_list *ids);
int sv_encode_issuer(struct sv_buf *b, const struct sv_issuer *x);

/* Decoders: 0, or -EBADMSG (malformed), -EPROTO (unknown version/kind).
 * On error *out is zeroed. */
int sv_decode_account(const void *buf, size_t len, struct sv_account *out);
int sv_decode_role(const void *buf, size_t len, struct sv_role *out);
int sv_decode_cred(const void *buf, size_t len, struct sv_cred *out);
int sv_decode_idlist(const void *buf, size_t len, struct sv_list *out);
/* Also -EBADMSG for an empty name, issuer or audience, flags != 0, an
 * unknown client claim, or parallel lists of different lengths. */
int sv_decode_issuer(const void *buf, size_t len, struct sv_issuer *out);

/* Iterate a list: *off starts at 0; returns true and the next item, false at
 * the end. Only valid on lists that came out of a decoder or have items. */
bool sv_list_next(const struct sv_list *l, size_t *off, uint32_t *idx,
		  struct sv_str *out);
/* The i-th number of a u32 list (i < count). */
uint32_t sv_u32list_get(const struct sv_u32list *l, uint32_t i);
/* Whether the list holds the string s. */
bool sv_list_contains(const struct sv_list *l, struct sv_str s);

/* Compare a view with a C string. */
bool sv_str_eq(struct sv_str s, const char *c);
/* Copy a view into a fresh NUL-terminated string; NULL on ENOMEM. */
char *sv_str_dup(struct sv_str s);

#endif
