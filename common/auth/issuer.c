/* SPDX-License-Identifier: MIT */
/* Trusted issuers on the login path (issuer.h). */
#include "issuer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "acctjwks.h"
#include "assertion.h"
#include "keys.h"
#include "policy.h"
#include "readfile.h"
#include "replay.h"
#include "statefile.h"
#include "util.h"

/* Keys tried for a token without "kid", and members of an "aud" array
 * looked at: bounded work per login. */
#define ISS_KEYS_TRIED_MAX 8
#define ISS_AUD_MAX	   64
#define ISS_ROLES_MAX	   256 /* remote roles read from a token */
#define ISS_PATH_SEGS	   8
/* jti prefix in the replay cache: "issuer:" NAME ":" */
#define ISS_JTI_PREFIX_MAX (7 + SV_ISSUER_NAME_MAX + 1)

bool sv_issuer_name_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > SV_ISSUER_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || !strchr("_.-", c)))
			return false;
	}
	return true;
}

bool sv_issuer_token_valid(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

static const struct sv_enum_name client_claims[] = {
    {SV_CLIENT_AZP, "azp"},
    {SV_CLIENT_CLIENT_ID, "client_id"},
    {SV_CLIENT_SUB, "sub"},
    {SV_CLIENT_CLIENTID, "clientId"},
};

uint8_t sv_client_claim_from_name(const char *s)
{
	return (uint8_t)sv_enum_from_name(client_claims,
					  SV_ARRAY_SIZE(client_claims), s, 0);
}

const char *sv_client_claim_name(uint8_t c)
{
	return sv_enum_to_name(client_claims, SV_ARRAY_SIZE(client_claims), c,
			       NULL);
}

/* Next segment of a path into seg (unescaped). Returns the number of
 * path bytes consumed, 0 at the end, -1 if malformed. */
static ssize_t path_seg(const char *p, size_t len, char *seg, size_t cap,
			size_t *seglen)
{
	size_t i = 0, n = 0;

	if (len == 0)
		return 0;
	while (i < len && p[i] != '.') {
		char c = p[i];
		if (c == '\\') {
			if (i + 1 >= len ||
			    (p[i + 1] != '.' && p[i + 1] != '\\'))
				return -1;
			c = p[++i];
		}
		if ((unsigned char)c <= 0x20 || (unsigned char)c >= 0x7f ||
		    n + 1 >= cap)
			return -1;
		seg[n++] = c;
		i++;
	}
	if (n == 0)
		return -1;
	seg[n] = '\0';
	*seglen = n;
	if (i < len) { /* the dot */
		i++;
		if (i == len)
			return -1; /* trailing dot: an empty last segment */
	}
	return (ssize_t)i;
}

int sv_issuer_path_check(const char *path, char *err, size_t errlen)
{
	char seg[SV_ISSUER_PATH_MAX + 1];
	size_t len = path ? strlen(path) : 0, off = 0, segs = 0, sl;

	if (len == 0 || len > SV_ISSUER_PATH_MAX) {
		snprintf(err, errlen, "a roles claim path has 1 to %d bytes",
			 SV_ISSUER_PATH_MAX);
		return -EINVAL;
	}
	while (off < len) {
		ssize_t r =
		    path_seg(path + off, len - off, seg, sizeof(seg), &sl);
		if (r <= 0) {
			snprintf(err, errlen,
				 "roles claim path '%s': empty member name, "
				 "bad escape (only \\. and \\\\) or a space "
				 "or control character",
				 path);
			return -EINVAL;
		}
		off += (size_t)r;
		if (++segs > ISS_PATH_SEGS) {
			snprintf(err, errlen,
				 "roles claim path '%s' is deeper than %d",
				 path, ISS_PATH_SEGS);
			return -EINVAL;
		}
	}
	return 0;
}

json_t *sv_issuer_path_get(json_t *obj, const char *path, size_t len)
{
	char seg[SV_ISSUER_PATH_MAX + 1];
	size_t off = 0, sl;
	json_t *v = obj;

	while (off < len) {
		ssize_t r =
		    path_seg(path + off, len - off, seg, sizeof(seg), &sl);
		if (r <= 0 || !json_is_object(v))
			return NULL;
		v = json_object_get(v, seg);
		if (!v)
			return NULL;
		off += (size_t)r;
	}
	return v == obj ? NULL : v;
}

/* ------------------------------------------------------------- records */

static int decode_issuer(int r, struct sv_blob *blob, struct sv_issuer *x)
{
	if (r < 0)
		return r;
	r = sv_decode_issuer(blob->p, blob->n, x);
	if (r < 0)
		sv_blob_free(blob);
	return r;
}

int sv_get_issuer(struct sv_reader *r, const char *name, struct sv_blob *blob,
		  struct sv_issuer *x)
{
	char k[SV_KEY_MAX];
	size_t kl = sv_key_str(k, sizeof(k), SV_KEY_ISSUER, name, strlen(name));
	int e;

	*blob = (struct sv_blob){0};
	if (!kl)
		return -ENOENT;
	e = decode_issuer(sv_reader_fetch(r, SV_DB_ACCOUNTS, k, kl, blob), blob,
			  x);
	if (e == 0 && !sv_str_eq(x->name, name)) {
		sv_blob_free(blob);
		e = -EBADMSG;
	}
	return e;
}

int sv_get_issuer_by_iss(struct sv_reader *r, const char *iss, size_t isslen,
			 struct sv_blob *blob, struct sv_issuer *x)
{
	char k[SV_KEY_MAX], name[SV_ISSUER_NAME_MAX + 1];
	struct sv_blob nb = {0};
	size_t kl = sv_key_str(k, sizeof(k), SV_KEY_ISS, iss, isslen);
	int e;

	*blob = (struct sv_blob){0};
	if (!kl)
		return -ENOENT;
	e = sv_reader_fetch(r, SV_DB_ACCOUNTS, k, kl, &nb);
	if (e < 0)
		return e;
	if (nb.n == 0 || nb.n > SV_ISSUER_NAME_MAX ||
	    memchr(nb.p, '\0', nb.n)) {
		sv_blob_free(&nb);
		return -EBADMSG;
	}
	memcpy(name, nb.p, nb.n);
	name[nb.n] = '\0';
	sv_blob_free(&nb);
	e = sv_get_issuer(r, name, blob, x);
	/* the index and the record must agree, or the store is corrupt */
	if (e == 0 &&
	    (x->issuer.n != isslen || memcmp(x->issuer.p, iss, isslen) != 0)) {
		sv_blob_free(blob);
		e = -EBADMSG;
	}
	return e;
}

/* ------------------------------------------------------------- JWKS cache */

int sv_issuer_jwks_load(const struct sv_config *c, const char *name,
			const char *iss, json_t **out)
{
	char fn[SV_ISSUER_NAME_MAX + 8];
	json_t *j = NULL;
	int ret;

	*out = NULL;
	if (!sv_issuer_name_valid(name))
		return -EINVAL;
	snprintf(fn, sizeof(fn), "%s.jwks", name);
	ret = sv_jwks_cache_read(c, -1, "issuers", fn, &j);
	if (ret < 0)
		return ret;
	if (!json_is_string(json_object_get(j, "issuer")) ||
	    strcmp(json_string_value(json_object_get(j, "issuer")), iss) != 0) {
		json_decref(j);
		return -ESTALE;
	}
	*out = j;
	return 0;
}

/* ------------------------------------------------------------- login */

/* A view equal to a C string of exactly n bytes. */
static bool view_is(struct sv_str s, const char *p, size_t n)
{
	return s.n == n && (n == 0 || memcmp(s.p, p, n) == 0);
}

/* Why one key object of the set does not verify the token: NULL when it
 * does. */
static const char *check_key(const struct sv_jws *j, json_t *jwk,
			     const char *unfit,
			     bool (*revoked)(void *ctx, const struct sv_key *k),
			     void *ctx)
{
	struct sv_key k = {0};
	char err[128];
	const char *why;

	if (sv_key_import_jwk_obj(jwk, NULL, NULL, &k, err, sizeof(err)) < 0) {
		why = unfit;
		goto out;
	}
	/* the key's one alg, matched exactly: the header never chooses
	 * how the token is verified */
	if (k.alg != j->alg) {
		why = "alg_mismatch";
		goto out;
	}
	if (revoked && revoked(ctx, &k)) {
		why = "revoked";
		goto out;
	}
	why = sv_jws_verify_blob(j, k.blob, k.bloblen);
out:
	sv_key_free(&k);
	return why;
}

bool sv_jwks_verify(json_t *keys, const struct sv_jws *j, size_t tried_max,
		    const char *unfit,
		    bool (*revoked)(void *ctx, const struct sv_key *k),
		    void *ctx, const char **reason, char *kid_out,
		    size_t kidcap)
{
	size_t i, tried = 0;
	bool any_alg = false;
	json_t *o;

	*reason = j->has_kid ? "unknown_kid" : "alg_mismatch";
	json_array_foreach (keys, i, o) {
		const char *kid = json_string_value(json_object_get(o, "kid"));
		const char *alg = json_string_value(json_object_get(o, "alg"));
		const char *why;
		if (j->has_kid) {
			if (!kid || strcmp(kid, j->kid) != 0)
				continue;
		} else {
			if (!alg || sv_alg_from_name(alg) != j->alg)
				continue;
			any_alg = true;
			if (tried++ >= tried_max)
				break;
		}
		why = check_key(j, o, unfit, revoked, ctx);
		if (!why) {
			*reason = "ok";
			if (kid && kid_out)
				snprintf(kid_out, kidcap, "%s", kid);
			return true;
		}
		*reason = why;
		/* kids are unique in a cached set: one key, one answer */
		if (j->has_kid)
			break;
	}
	if (!j->has_kid && !any_alg)
		*reason = "alg_mismatch";
	return false;
}

/* The signature, with a key of the issuer's cached set. */
static enum sv_issuer_status check_signature(const struct sv_issuer_query *q,
					     struct sv_issuer_facts *f,
					     const struct sv_jws *j,
					     const char *iss)
{
	json_t *doc = NULL;
	bool ok;

	if (sv_issuer_jwks_load(q->cfg, f->issuer, iss, &doc) < 0) {
		/* no keys, no login; and the admin must hear of it */
		f->reason = "jwks_unavailable";
		return SV_ISSUER_UNAVAIL;
	}
	ok = sv_jwks_verify(json_object_get(doc, "keys"), j, ISS_KEYS_TRIED_MAX,
			    "bad_key", NULL, NULL, &f->reason, f->kid,
			    sizeof(f->kid));
	json_decref(doc);
	return ok ? SV_ISSUER_OK : SV_ISSUER_DENY;
}

/* aud: a string or an array of strings (RFC 7519 4.1.3) holding the
 * configured audience. */
static int check_aud(json_t *claims, struct sv_str want, const char **reason)
{
	json_t *v = json_object_get(claims, "aud"), *e;
	size_t i;

	if (!v) {
		*reason = "missing_claim";
		return -EINVAL;
	}
	if (json_is_string(v))
		return view_is(want, json_string_value(v),
			       json_string_length(v))
			   ? 0
			   : (*reason = "bad_aud", -EACCES);
	if (!json_is_array(v) || json_array_size(v) == 0 ||
	    json_array_size(v) > ISS_AUD_MAX) {
		*reason = "bad_claim_type";
		return -EINVAL;
	}
	bool found = false;
	json_array_foreach (v, i, e) {
		if (!json_is_string(e)) {
			*reason = "bad_claim_type";
			return -EINVAL;
		}
		if (view_is(want, json_string_value(e), json_string_length(e)))
			found = true;
	}
	if (!found) {
		*reason = "bad_aud";
		return -EACCES;
	}
	return 0;
}

/* The token's times; f->exp and f->iat (0 without) on success. */
static int check_times(json_t *o, const struct sv_issuer *x, int64_t now,
		       unsigned skew_u, struct sv_issuer_facts *f)
{
	int64_t exp = 0, iat = 0, nbf = 0, skew = skew_u;
	bool has_exp, has_iat, has_nbf;
	const char **reason = &f->reason;
	int r;

	if ((r = sv_claim_time(o, "exp", &exp, &has_exp, true, reason)) ||
	    (r = sv_claim_time(o, "iat", &iat, &has_iat, false, reason)) ||
	    (r = sv_claim_time(o, "nbf", &nbf, &has_nbf, false, reason)))
		return r;
	/* all values are in [0, 2^40]: no overflow below */
	if (exp + skew < now) {
		*reason = "expired";
		return -EACCES;
	}
	if (has_nbf && nbf > now + skew) {
		*reason = "not_yet_valid";
		return -EACCES;
	}
	if (has_iat && iat > now + skew) {
		*reason = "iat_future";
		return -EACCES;
	}
	/* an IdP's token lives minutes; a long-lived one is a leak waiting
	 * to happen, whatever the IdP was told */
	int64_t from = has_iat ? iat : now;
	if (exp < from || exp - from > (int64_t)x->max_lifetime) {
		*reason = "lifetime_too_long";
		return -EACCES;
	}
	f->exp = exp;
	f->iat = has_iat ? iat : 0;
	return 0;
}

/* The client claim must be mapped to exactly the account logging in;
 * f->account names it on success. */
static int check_client(const struct sv_issuer_query *q,
			struct sv_issuer_facts *f, json_t *o,
			const struct sv_issuer *x)
{
	const char *cl = sv_client_claim_name(x->client_claim), *p;
	struct sv_str rem, loc;
	size_t n, off1 = 0, off2 = 0;
	uint32_t i1 = 0, i2 = 0;
	bool mapped_elsewhere = false;
	int r;

	if ((r = sv_claim_string(o, cl, &p, &n, false, &f->reason)) < 0)
		return r;
	if (!p || n == 0) {
		f->reason = "missing_client";
		return -EINVAL;
	}
	while (sv_list_next(&x->client_remote, &off1, &i1, &rem) &&
	       sv_list_next(&x->client_local, &off2, &i2, &loc)) {
		if (!view_is(rem, p, n))
			continue;
		if (sv_str_eq(loc, q->user)) {
			snprintf(f->account, sizeof(f->account), "%.*s",
				 (int)loc.n, loc.p);
			return 0;
		}
		mapped_elsewhere = true;
	}
	f->reason =
	    mapped_elsewhere ? "client_other_account" : "unmapped_client";
	return -EACCES;
}

/* Remote roles named in the token, one at a time, through a callback. */
struct role_acc {
	const struct sv_issuer *x;
	const struct sv_roleset *granted;
	struct sv_roleset *eff;
	size_t seen;
};

static void add_granted(struct role_acc *a, struct sv_str local)
{
	for (size_t i = 0; i < a->granted->n; i++) {
		if (!sv_str_eq(local, a->granted->r[i].name))
			continue;
		for (size_t k = 0; k < a->eff->n; k++)
			if (a->eff->r[k].gid == a->granted->r[i].gid)
				return;
		a->eff->r[a->eff->n++] = a->granted->r[i];
		return;
	}
}

static void map_remote(struct role_acc *a, const char *p, size_t n)
{
	struct sv_str rem, loc;
	size_t off1 = 0, off2 = 0;
	uint32_t i1 = 0, i2 = 0;

	while (sv_list_next(&a->x->role_remote, &off1, &i1, &rem) &&
	       sv_list_next(&a->x->role_local, &off2, &i2, &loc))
		if (view_is(rem, p, n))
			add_granted(a, loc);
}

/* One roles claim: an array of strings, or a string of space-separated
 * names (OAuth "scope"). Absent: nothing. */
static int roles_from(struct role_acc *a, json_t *v, const char **reason)
{
	size_t i;
	json_t *e;

	if (!v)
		return 0;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t len = json_string_length(v), k = 0, start, n;
		while (sv_next_word(s, len, &k, &start, &n)) {
			if (++a->seen > ISS_ROLES_MAX)
				goto toomany;
			map_remote(a, s + start, n);
		}
		return 0;
	}
	if (!json_is_array(v)) {
		*reason = "bad_roles_claim";
		return -EINVAL;
	}
	json_array_foreach (v, i, e) {
		if (!json_is_string(e)) {
			*reason = "bad_roles_claim";
			return -EINVAL;
		}
		if (++a->seen > ISS_ROLES_MAX)
			goto toomany;
		map_remote(a, json_string_value(e), json_string_length(e));
	}
	return 0;
toomany:
	*reason = "bad_roles_claim";
	return -EINVAL;
}

/* Effective roles (f->effective): the remote roles mapped to local ones,
 * intersected with the granted ones. Without a configured roles claim the
 * token does not narrow: every granted role. */
static int check_roles(const struct sv_issuer_query *q,
		       struct sv_issuer_facts *f, json_t *o,
		       const struct sv_issuer *x)
{
	struct role_acc a = {x, q->granted, &f->effective, 0};
	struct sv_str path;
	size_t off = 0;
	uint32_t idx = 0;
	int r;

	if (x->roles_claims.count == 0) {
		f->effective = *q->granted;
		return 0;
	}
	f->effective.n = 0;
	while (sv_list_next(&x->roles_claims, &off, &idx, &path))
		if ((r = roles_from(&a, sv_issuer_path_get(o, path.p, path.n),
				    &f->reason)) < 0)
			return r;
	if (f->effective.n == 0) {
		f->reason = "no_mapped_role";
		return -EACCES;
	}
	return 0;
}

/* The token's "iss" as a view into the (unauthenticated) payload, only to
 * find whose keys verify it. false: not an issuer token. */
static bool peek_iss(struct sv_jws *j, const char **iss, size_t *n)
{
	const char *reason;
	json_t *v;

	if (sv_jws_decode_claims(j, &reason) < 0)
		return false;
	v = json_object_get(j->claims, "iss");
	if (!json_is_string(v))
		return false;
	*iss = json_string_value(v);
	*n = json_string_length(v);
	/* an account name never holds ':', an issuer URL always does */
	return memchr(*iss, ':', *n) != NULL;
}

/* The token's key in the account's replay cache, in the issuer's own
 * namespace ("issuer:" NAME ":", apart from other issuers; an assertion of
 * the account meets it only with a jti that begins so, and then the later
 * one is refused, never a token accepted twice):
 *   "issuer:" NAME ":" JTI                  the token's jti
 *   "issuer:" NAME ": sha256:" HEX          no jti: SHA-256 of the signing
 *                                           input, header "." payload as
 *                                           received
 * A jti never holds a space (sv_jti_valid), so the two forms never meet.
 * Not a digest of the signature: an ECDSA signature (r, s) has a twin
 * (r, n - s) that anyone can form without the key, which would make a
 * "new" token of a spent one. The signing input cannot change without
 * breaking the signature. f->replay_key and f->jti (empty without one);
 * 0, or -1 with f->reason. */
static int replay_key(struct sv_issuer_facts *f, const struct sv_jws *j,
		      json_t *o)
{
	char *key = f->replay_key;
	size_t cap = sizeof(f->replay_key);
	unsigned char md[32];
	unsigned mdlen = 0;
	const char *p;
	size_t n;
	int kl;

	if (sv_claim_string(o, "jti", &p, &n, false, &f->reason) < 0)
		return -1;
	if (p) {
		if (!sv_jti_valid(p, n) ||
		    n > SV_JTI_MAX - ISS_JTI_PREFIX_MAX) {
			f->reason = "bad_jti";
			return -1;
		}
		memcpy(f->jti, p, n);
		f->jti[n] = '\0';
		kl = snprintf(key, cap, "issuer:%s:%s", f->issuer, f->jti);
	} else {
		if (EVP_Digest(j->tok, j->hlen + 1 + j->plen, md, &mdlen,
			       EVP_sha256(), NULL) != 1 ||
		    mdlen != sizeof(md)) {
			f->reason = "replay_cache_error";
			return -1;
		}
		kl = snprintf(key, cap, "issuer:%s: sha256:", f->issuer);
		for (size_t i = 0; kl > 0 && i < sizeof(md); i++)
			kl +=
			    snprintf(key + kl, cap - (size_t)kl, "%02x", md[i]);
	}
	if (kl <= 0 || (size_t)kl >= cap || (size_t)kl > SV_JTI_MAX) {
		f->reason = "bad_jti";
		return -1;
	}
	f->replay_key_len = (size_t)kl;
	return 0;
}

enum sv_issuer_status sv_issuer_verify(const struct sv_issuer_query *q,
				       struct sv_jws *j,
				       struct sv_issuer_facts *f)
{
	struct sv_blob blob = {0};
	struct sv_issuer x;
	const char *iss = NULL, *p;
	size_t isslen = 0, n;
	enum sv_issuer_status st = SV_ISSUER_DENY;
	char issz[SV_ISSUER_URL_MAX + 1];
	int r;

	memset(f, 0, sizeof(*f));
	if (!peek_iss(j, &iss, &isslen))
		return SV_ISSUER_NOT_ISSUER;
	if (isslen > SV_ISSUER_URL_MAX) {
		f->reason = "unknown_issuer";
		goto out;
	}
	r = sv_get_issuer_by_iss(q->rd, iss, isslen, &blob, &x);
	if (r < 0) {
		f->reason = sv_lookup_reason(r, "unknown_issuer");
		if (r != -ENOENT)
			st = SV_ISSUER_UNAVAIL;
		goto out;
	}
	snprintf(f->issuer, sizeof(f->issuer), "%.*s", (int)x.name.n, x.name.p);
	memcpy(issz, iss, isslen);
	issz[isslen] = '\0';
	if (sv_jws_parse_header(j, SV_JWS_ACCESS_TOKEN, &f->reason) < 0)
		goto out;
	st = check_signature(q, f, j, issz);
	if (st != SV_ISSUER_OK)
		goto out;
	st = SV_ISSUER_DENY;
	/* from here on the claims are authenticated */
	json_t *o = j->claims;
	if ((r = sv_claim_string(o, "typ", &p, &n, false, &f->reason)) < 0)
		goto out;
	/* Keycloak marks access tokens "Bearer"; its ID and refresh tokens
	 * ("ID", "Refresh") carry the same iss and keys and must not log in */
	if (p && !(n == 6 && memcmp(p, "Bearer", 6) == 0)) {
		f->reason = "bad_token_type";
		goto out;
	}
	if ((r = sv_claim_string(o, "sub", &p, &n, false, &f->reason)) < 0 ||
	    (r = sv_claim_string(o, "azp", &p, &n, false, &f->reason)) < 0 ||
	    (r = sv_claim_string(o, "client_id", &p, &n, false, &f->reason)) <
		0 ||
	    (r = sv_claim_string(o, "scope", &p, &n, false, &f->reason)) < 0)
		goto out;
	if (check_aud(o, x.audience, &f->reason) < 0 ||
	    check_times(o, &x, q->now, q->cfg->clock_skew, f) < 0 ||
	    check_client(q, f, o, &x) < 0 || check_roles(q, f, o, &x) < 0)
		goto out;
	if (replay_key(f, j, o) < 0)
		goto out;
	f->reason = "ok";
	st = SV_ISSUER_OK;
out:
	if (st != SV_ISSUER_OK)
		f->effective.n = 0;
	sv_blob_free(&blob);
	return st;
}
