/* SPDX-License-Identifier: MIT */
/* Trusted issuers: owned records, JSON shape, changes in a transaction
 * (issuer_model.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "issuer.h"
#include "issuer_model.h"
#include "names.h"
#include "util.h"

#define ISSUER_ROLES_CLAIMS_MAX 16
#define ISSUER_MAPS_MAX		4096
#define ISSUER_LIFETIME_MIN	60
#define ISSUER_LIFETIME_MAX	86400
#define ISSUER_JWKS_URL_MAX	1024

void issuer_free(struct issuer *x)
{
	free(x->name);
	free(x->issuer);
	free(x->audience);
	free(x->jwks_url);
	free(x->ca_file);
	strv_free(&x->roles_claims);
	strv_free(&x->client_remote);
	strv_free(&x->client_local);
	strv_free(&x->role_remote);
	strv_free(&x->role_local);
	memset(x, 0, sizeof(*x));
}

void strv_del_at(struct strv *s, size_t i)
{
	free(s->v[i]);
	memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(char *));
	s->n--;
}

static int issuer_from_rec(struct issuer *x, const struct sv_issuer *rec)
{
	memset(x, 0, sizeof(*x));
	x->client_claim = rec->client_claim;
	x->max_lifetime = rec->max_lifetime;
	x->created = rec->created;
	x->updated = rec->updated;
	x->name = sv_str_dup(rec->name);
	x->issuer = sv_str_dup(rec->issuer);
	x->audience = sv_str_dup(rec->audience);
	x->jwks_url = sv_str_dup(rec->jwks_url);
	x->ca_file = sv_str_dup(rec->ca_file);
	if (!x->name || !x->issuer || !x->audience || !x->jwks_url ||
	    !x->ca_file ||
	    strv_add_list(&x->roles_claims, &rec->roles_claims) ||
	    strv_add_list(&x->client_remote, &rec->client_remote) ||
	    strv_add_list(&x->client_local, &rec->client_local) ||
	    strv_add_list(&x->role_remote, &rec->role_remote) ||
	    strv_add_list(&x->role_local, &rec->role_local)) {
		issuer_free(x);
		return -ENOMEM;
	}
	return 0;
}

/* An issuer's record from the transaction t, or from the reader rd (t
 * NULL), checked to carry the name it is filed under. */
static int load_issuer(struct sv_txn *t, struct sv_reader *rd, const char *name,
		       struct issuer *x)
{
	struct sv_blob b = {0};
	struct sv_issuer rec;
	int r = t ? sv_model_issuer_fetch(t, name, &b)
		  : sv_model_reader_issuer_fetch(rd, name, &b);
	if (r < 0)
		return r;
	r = sv_decode_issuer(b.p, b.n, &rec);
	if (r == 0 && !sv_str_eq(rec.name, name))
		r = -EBADMSG;
	if (r == 0)
		r = issuer_from_rec(x, &rec);
	sv_blob_free(&b);
	return r;
}

int txn_load_issuer(struct sv_txn *t, const char *name, struct issuer *x)
{
	return load_issuer(t, NULL, name, x);
}

int reader_load_issuer(struct sv_reader *rd, const char *name, struct issuer *x)
{
	return load_issuer(NULL, rd, name, x);
}

static struct sv_list strv_list(const struct strv *s, struct sv_str *items)
{
	for (size_t i = 0; i < s->n; i++)
		items[i] = SV_STR(s->v[i]);
	return (struct sv_list){.count = (uint32_t)s->n, .items = items};
}

int txn_save_issuer(struct sv_txn *t, const struct issuer *x,
		    const char *old_iss)
{
	const struct strv *lists[] = {&x->roles_claims, &x->client_remote,
				      &x->client_local, &x->role_remote,
				      &x->role_local};
	struct sv_str *items[SV_ARRAY_SIZE(lists)] = {0};
	struct sv_buf b = {0};
	int r = -ENOMEM;

	for (size_t i = 0; i < SV_ARRAY_SIZE(lists); i++)
		if (!(items[i] =
			  calloc(lists[i]->n + 1, sizeof(struct sv_str))))
			goto out;
	struct sv_issuer rec = {
	    .client_claim = x->client_claim,
	    .max_lifetime = x->max_lifetime,
	    .created = x->created,
	    .updated = x->updated,
	    .name = SV_STR(x->name),
	    .issuer = SV_STR(x->issuer),
	    .audience = SV_STR(x->audience),
	    .jwks_url = SV_STR(x->jwks_url),
	    .ca_file = SV_STR(x->ca_file),
	    .roles_claims = strv_list(lists[0], items[0]),
	    .client_remote = strv_list(lists[1], items[1]),
	    .client_local = strv_list(lists[2], items[2]),
	    .role_remote = strv_list(lists[3], items[3]),
	    .role_local = strv_list(lists[4], items[4]),
	};
	r = sv_encode_issuer(&b, &rec);
	if (r == 0)
		r = sv_model_issuer_put(t, x->name, x->issuer, &b, old_iss);
out:
	for (size_t i = 0; i < SV_ARRAY_SIZE(lists); i++)
		free(items[i]);
	sv_buf_free(&b);
	return r;
}

int txn_delete_issuer(struct sv_txn *t, const char *name)
{
	struct issuer x;
	int r = txn_load_issuer(t, name, &x);
	if (r < 0)
		return r;
	r = sv_model_issuer_delete(t, name, x.issuer);
	issuer_free(&x);
	return r;
}

static int names_from(struct sv_txn *t, struct sv_reader *rd, struct strv *out)
{
	memset(out, 0, sizeof(*out));
	int e = sv_model_names(t, rd, SV_REC_ISSUER, out);
	if (e < 0)
		strv_free(out);
	return e;
}

int txn_issuer_names(struct sv_txn *t, struct strv *out)
{
	return names_from(t, NULL, out);
}

int reader_issuer_names(struct sv_reader *rd, struct strv *out)
{
	return names_from(NULL, rd, out);
}

/* ------------------------------------------------------------- checks */

static int bad(struct cli *cli, int e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bad(struct cli *cli, int e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cli->err, sizeof(cli->err), fmt, ap);
	va_end(ap);
	return e;
}

static bool path_ok(const char *s)
{
	if (!s || s[0] != '/' || strlen(s) > 255)
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* Client maps (client id -> account; roles false) or role maps (remote
 * role -> role): remote names as tokens carry them, a client mapped once, a
 * role pair given once, and (with t) local names that exist. */
static int maps_check(struct cli *cli, struct sv_txn *t,
		      const struct strv *remote, const struct strv *local,
		      bool roles)
{
	for (size_t i = 0; i < remote->n; i++) {
		const char *rem = remote->v[i], *loc = local->v[i];
		if (!sv_issuer_token_valid(rem, SV_ISSUER_FIELD_MAX))
			return bad(cli, -EINVAL,
				   "bad %s '%s' (1-%d printable "
				   "characters without spaces)",
				   roles ? "remote role" : "client id", rem,
				   SV_ISSUER_FIELD_MAX);
		for (size_t k = 0; k < i; k++) {
			if (strcmp(remote->v[k], rem))
				continue;
			if (!roles)
				return bad(cli, -EEXIST,
					   "client '%s' is mapped twice (a "
					   "client maps to one account)",
					   rem);
			if (!strcmp(local->v[k], loc))
				return bad(cli, -EEXIST,
					   "role map %s -> %s given twice", rem,
					   loc);
		}
		if (!t)
			continue;
		struct acct a;
		struct role ro;
		int r = roles ? sv_model_role_load(t, loc, &ro)
			      : sv_model_account_load(t, loc, &a);
		if (r < 0 && roles)
			return bad(cli, -ENOENT,
				   "remote role '%s': no local role '%s'", rem,
				   loc);
		if (r < 0)
			return bad(cli, -ENOENT, "client '%s': no account '%s'",
				   rem, loc);
		if (roles)
			role_free(&ro);
		else
			acct_free(&a);
	}
	return 0;
}

int issuer_validate(struct cli *cli, struct sv_txn *t, const struct issuer *x)
{
	char err[256];
	struct strv names;
	int r;

	if (!sv_issuer_name_valid(x->name))
		return bad(cli, -EINVAL,
			   "bad issuer name '%s' (1-64 of a-z 0-9 _ . -, "
			   "starting with a letter or digit)",
			   x->name ? x->name : "");
	if (!sv_issuer_token_valid(x->issuer, SV_ISSUER_URL_MAX) ||
	    !strchr(x->issuer, ':'))
		return bad(cli, -EINVAL,
			   "bad --issuer '%s': the exact \"iss\" of the "
			   "IdP's tokens, a URL (with ':') of at most %d "
			   "printable characters without spaces",
			   x->issuer ? x->issuer : "", SV_ISSUER_URL_MAX);
	if (!sv_issuer_token_valid(x->audience, SV_ISSUER_FIELD_MAX))
		return bad(cli, -EINVAL,
			   "bad --audience '%s' (1-%d printable characters "
			   "without spaces)",
			   x->audience ? x->audience : "", SV_ISSUER_FIELD_MAX);
	if (x->jwks_url && *x->jwks_url) {
		if (strncmp(x->jwks_url, "https://", 8) != 0)
			return bad(cli, -EINVAL,
				   "--jwks-url '%s' refused: keys are only "
				   "fetched over https://",
				   x->jwks_url);
		if (!sv_issuer_token_valid(x->jwks_url, ISSUER_JWKS_URL_MAX) ||
		    strlen(x->jwks_url) <= 8)
			return bad(cli, -EINVAL, "bad --jwks-url '%s'",
				   x->jwks_url);
	}
	if (x->ca_file && *x->ca_file) {
		if (!path_ok(x->ca_file))
			return bad(cli, -EINVAL,
				   "--ca-file must be an absolute path of at "
				   "most 255 characters");
		if (!x->jwks_url || !*x->jwks_url)
			return bad(cli, -EINVAL,
				   "--ca-file goes with --jwks-url");
	}
	if (!sv_client_claim_name(x->client_claim))
		return bad(cli, -EINVAL,
			   "--client-claim must be azp, client_id, sub or "
			   "clientId");
	if (x->max_lifetime < ISSUER_LIFETIME_MIN ||
	    x->max_lifetime > ISSUER_LIFETIME_MAX)
		return bad(cli, -EINVAL,
			   "--max-lifetime must be %d to %d seconds",
			   ISSUER_LIFETIME_MIN, ISSUER_LIFETIME_MAX);
	if (x->roles_claims.n > ISSUER_ROLES_CLAIMS_MAX)
		return bad(cli, -EINVAL, "at most %d --roles-claim paths",
			   ISSUER_ROLES_CLAIMS_MAX);
	for (size_t i = 0; i < x->roles_claims.n; i++) {
		if (sv_issuer_path_check(x->roles_claims.v[i], err,
					 sizeof(err)) < 0)
			return bad(cli, -EINVAL, "%s", err);
		for (size_t k = 0; k < i; k++)
			if (!strcmp(x->roles_claims.v[k], x->roles_claims.v[i]))
				return bad(cli, -EINVAL,
					   "roles claim '%s' given twice",
					   x->roles_claims.v[i]);
	}
	/* without a roles claim the tokens' roles are never read: a role
	 * map would be accepted and silently do nothing */
	if (x->role_remote.n && !x->roles_claims.n)
		return bad(cli, -EINVAL,
			   "issuer '%s' has no roles claim, so remote role "
			   "'%s' can never be seen: role maps need the issuer "
			   "added with --roles-claim PATH (e.g. "
			   "realm_access.roles), or \"roles_claims\" in a "
			   "manifest",
			   x->name, x->role_remote.v[0]);
	if (x->client_remote.n != x->client_local.n ||
	    x->role_remote.n != x->role_local.n)
		return bad(cli, -EINVAL, "internal: unpaired maps");
	if (x->client_remote.n > ISSUER_MAPS_MAX ||
	    x->role_remote.n > ISSUER_MAPS_MAX)
		return bad(cli, -EINVAL, "at most %d client or role maps",
			   ISSUER_MAPS_MAX);
	if ((r = maps_check(cli, t, &x->client_remote, &x->client_local,
			    false)) < 0 ||
	    (r = maps_check(cli, t, &x->role_remote, &x->role_local, true)) < 0)
		return r;
	if (!t)
		return 0; /* the fields alone (before taking the lock) */
	/* one "iss", one issuer: a token must find exactly one set of rules */
	r = txn_issuer_names(t, &names);
	if (r < 0)
		return bad(cli, r, "store: %s", strerror(-r));
	for (size_t i = 0; i < names.n; i++) {
		struct issuer o;
		if (!strcmp(names.v[i], x->name) ||
		    txn_load_issuer(t, names.v[i], &o) < 0)
			continue;
		bool same = !strcmp(o.issuer, x->issuer);
		issuer_free(&o);
		if (same) {
			r = bad(cli, -EEXIST,
				"issuer '%s' already has --issuer %s",
				names.v[i], x->issuer);
			strv_free(&names);
			return r;
		}
	}
	strv_free(&names);
	return 0;
}

/* ------------------------------------------------------------- JSON */

static json_t *strv_json(const struct strv *s)
{
	json_t *a = json_array();
	for (size_t i = 0; i < s->n; i++)
		json_array_append_new(a, json_string(s->v[i]));
	return a;
}

static json_t *cache_json(const struct sv_config *c, const struct issuer *x)
{
	json_t *doc = NULL, *kids, *k;
	size_t i;
	int r = sv_issuer_jwks_load(c, x->name, x->issuer, &doc);
	if (r < 0)
		return json_pack("{s:s}", "status",
				 r == -ENOENT	? "none"
				 : r == -ESTALE ? "other-issuer"
				 : r == -EACCES ? "not-readable"
						: "unusable");
	kids = json_array();
	json_array_foreach (json_object_get(doc, "keys"), i, k)
		json_array_append(kids, json_object_get(k, "kid"));
	json_t *o = json_pack("{s:s, s:o, s:O, s:O}", "status", "ok", "kids",
			      kids, "source", json_object_get(doc, "source"),
			      "fetched", json_object_get(doc, "fetched"));
	json_decref(doc);
	return o;
}

json_t *issuer_to_json(const struct issuer *x, const struct sv_config *state)
{
	char b1[32], b2[32];
	json_t *clients = json_array(), *roles = json_array();
	for (size_t i = 0; i < x->client_remote.n; i++)
		json_array_append_new(clients, json_pack("{s:s, s:s}", "client",
							 x->client_remote.v[i],
							 "account",
							 x->client_local.v[i]));
	for (size_t i = 0; i < x->role_remote.n; i++)
		json_array_append_new(roles,
				      json_pack("{s:s, s:s}", "remote",
						x->role_remote.v[i], "role",
						x->role_local.v[i]));
	cli_json_sort(clients, "client", NULL);
	cli_json_sort(roles, "remote", "role");
	json_t *o = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:i, s:o, s:o, s:s, s:s}",
	    "name", x->name, "issuer", x->issuer, "audience", x->audience,
	    "jwks_url", x->jwks_url ? x->jwks_url : "", "ca_file",
	    x->ca_file ? x->ca_file : "", "client_claim",
	    sv_client_claim_name(x->client_claim), "roles_claims",
	    strv_json(&x->roles_claims), "max_lifetime",
	    (json_int_t)x->max_lifetime, "clients", clients, "role_maps", roles,
	    "created", cli_time(x->created, b1, sizeof(b1)), "updated",
	    cli_time(x->updated, b2, sizeof(b2)));
	if (o && state)
		json_object_set_new(o, "jwks_cache", cache_json(state, x));
	return o;
}

static int jstr(json_t *o, const char *k, bool required, char **out, char *err,
		size_t errlen)
{
	json_t *v = json_object_get(o, k);
	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required) {
			snprintf(err, errlen, "issuer: \"%s\" is missing", k);
			return -EINVAL;
		}
		*out = strdup("");
		return *out ? 0 : -ENOMEM;
	}
	if (!json_is_string(v)) {
		snprintf(err, errlen, "issuer: \"%s\" must be a string", k);
		return -EINVAL;
	}
	*out = strdup(json_string_value(v));
	return *out ? 0 : -ENOMEM;
}

static int jpairs(json_t *o, const char *k, const char *k1, const char *k2,
		  struct strv *a, struct strv *b, char *err, size_t errlen)
{
	json_t *arr = json_object_get(o, k), *e;
	size_t i;
	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr)) {
		snprintf(err, errlen, "issuer: \"%s\" must be an array", k);
		return -EINVAL;
	}
	json_array_foreach (arr, i, e) {
		const char *key;
		json_t *v;
		if (!json_is_object(e)) {
			snprintf(err, errlen,
				 "issuer: %s[%zu] is not an object", k, i);
			return -EINVAL;
		}
		json_object_foreach (e, key, v)
			if (strcmp(key, k1) && strcmp(key, k2)) {
				snprintf(err, errlen,
					 "issuer: %s[%zu]: unknown member "
					 "\"%s\"",
					 k, i, key);
				return -EINVAL;
			}
		const char *s1 = json_string_value(json_object_get(e, k1));
		const char *s2 = json_string_value(json_object_get(e, k2));
		if (!s1 || !s2) {
			snprintf(err, errlen,
				 "issuer: %s[%zu] needs strings \"%s\" and "
				 "\"%s\"",
				 k, i, k1, k2);
			return -EINVAL;
		}
		if (strv_add(a, s1) < 0 || strv_add(b, s2) < 0)
			return -ENOMEM;
	}
	return 0;
}

int issuer_from_json(json_t *o, struct issuer *x, json_t **jwks, char *err,
		     size_t errlen)
{
	static const char *const known[] = {
	    "name",	  "issuer",	  "audience",	  "jwks_url",
	    "ca_file",	  "client_claim", "roles_claims", "max_lifetime",
	    "clients",	  "role_maps",	  "created",	  "updated",
	    "jwks_cache", "jwks"};
	const char *key;
	json_t *v;
	char *cc = NULL;
	int r;

	memset(x, 0, sizeof(*x));
	if (jwks)
		*jwks = NULL;
	if (!json_is_object(o)) {
		snprintf(err, errlen, "issuer: not a JSON object");
		return -EINVAL;
	}
	json_object_foreach (o, key, v) {
		bool ok = false;
		for (size_t i = 0; i < SV_ARRAY_SIZE(known); i++)
			if (!strcmp(key, known[i]))
				ok = true;
		if (!ok) {
			snprintf(err, errlen, "issuer: unknown member \"%s\"",
				 key);
			return -EINVAL;
		}
	}
	if ((r = jstr(o, "name", true, &x->name, err, errlen)) ||
	    (r = jstr(o, "issuer", true, &x->issuer, err, errlen)) ||
	    (r = jstr(o, "audience", true, &x->audience, err, errlen)) ||
	    (r = jstr(o, "jwks_url", false, &x->jwks_url, err, errlen)) ||
	    (r = jstr(o, "ca_file", false, &x->ca_file, err, errlen)) ||
	    (r = jstr(o, "client_claim", false, &cc, err, errlen)))
		goto fail;
	x->client_claim = *cc ? sv_client_claim_from_name(cc) : SV_CLIENT_AZP;
	free(cc);
	if (!x->client_claim) {
		snprintf(err, errlen,
			 "issuer: \"client_claim\" must be azp, client_id, "
			 "sub or clientId");
		r = -EINVAL;
		goto fail;
	}
	v = json_object_get(o, "max_lifetime");
	if (v && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > UINT32_MAX) {
			snprintf(err, errlen,
				 "issuer: \"max_lifetime\" must be a number of "
				 "seconds");
			r = -EINVAL;
			goto fail;
		}
		x->max_lifetime = (uint32_t)json_integer_value(v);
	} else {
		x->max_lifetime = SV_ISSUER_DEFAULT_LIFETIME;
	}
	v = json_object_get(o, "roles_claims");
	if (v && !json_is_null(v)) {
		size_t i;
		json_t *e;
		if (!json_is_array(v)) {
			snprintf(err, errlen,
				 "issuer: \"roles_claims\" must be an array");
			r = -EINVAL;
			goto fail;
		}
		json_array_foreach (v, i, e) {
			if (!json_is_string(e)) {
				snprintf(err, errlen,
					 "issuer: roles_claims[%zu] must be a "
					 "string",
					 i);
				r = -EINVAL;
				goto fail;
			}
			if ((r = strv_add(&x->roles_claims,
					  json_string_value(e))) < 0)
				goto fail;
		}
	}
	if ((r = jpairs(o, "clients", "client", "account", &x->client_remote,
			&x->client_local, err, errlen)) ||
	    (r = jpairs(o, "role_maps", "remote", "role", &x->role_remote,
			&x->role_local, err, errlen)))
		goto fail;
	v = json_object_get(o, "jwks");
	if (v && !json_is_null(v)) {
		if (!json_is_object(v)) {
			snprintf(err, errlen,
				 "issuer: \"jwks\" must be a JWKS object");
			r = -EINVAL;
			goto fail;
		}
		if (jwks)
			*jwks = json_incref(v);
	}
	return 0;
fail:
	if (r == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	issuer_free(x);
	return r;
}

int issuer_txn_put_json(struct cli *cli, struct sv_txn *t, json_t *o,
			bool replace)
{
	struct issuer x, old;
	bool exists;
	int r;

	r = issuer_from_json(o, &x, NULL, cli->err, sizeof(cli->err));
	if (r < 0)
		return r;
	r = txn_load_issuer(t, x.name, &old);
	exists = r == 0;
	if (r < 0 && r != -ENOENT) {
		r = bad(cli, r, "issuer '%s': unreadable record", x.name);
		goto out;
	}
	if (exists && !replace) {
		r = bad(cli, -EEXIST, "issuer '%s' already exists", x.name);
		goto out;
	}
	if ((r = issuer_validate(cli, t, &x)) < 0)
		goto out;
	x.updated = (int64_t)time(NULL);
	x.created = exists ? old.created : x.updated;
	r = txn_save_issuer(t, &x, exists ? old.issuer : NULL);
	if (r < 0)
		bad(cli, r, "store: %s", strerror(-r));
out:
	if (exists)
		issuer_free(&old);
	issuer_free(&x);
	return r;
}

int issuer_txn_remove(struct cli *cli, struct sv_txn *t, const char *name)
{
	int r = txn_delete_issuer(t, name);
	if (r == -ENOENT)
		return bad(cli, r, "no issuer '%s'", name);
	if (r < 0)
		return bad(cli, r, "issuer '%s': %s", name,
			   r == -EBADMSG || r == -EPROTO ? "unreadable record"
							 : strerror(-r));
	return 0;
}

json_t *issuer_txn_dump(struct sv_txn *t, const char *name)
{
	struct issuer x;
	if (txn_load_issuer(t, name, &x) < 0)
		return NULL;
	json_t *o = issuer_to_json(&x, NULL);
	issuer_free(&x);
	return o;
}

/* ------------------------------------------------- account, role, port */

int txn_issuers_forget(struct sv_txn *t, const char *account, const char *role)
{
	struct strv names;
	int r = txn_issuer_names(t, &names);
	if (r < 0)
		return r;
	for (size_t i = 0; r == 0 && i < names.n; i++) {
		struct issuer x;
		bool changed = false;
		if (txn_load_issuer(t, names.v[i], &x) < 0)
			continue; /* svcacct check reports it */
		for (size_t k = x.client_remote.n; account && k-- > 0;)
			if (!strcmp(x.client_local.v[k], account)) {
				strv_del_at(&x.client_remote, k);
				strv_del_at(&x.client_local, k);
				changed = true;
			}
		for (size_t k = x.role_remote.n; role && k-- > 0;)
			if (!strcmp(x.role_local.v[k], role)) {
				strv_del_at(&x.role_remote, k);
				strv_del_at(&x.role_local, k);
				changed = true;
			}
		if (changed) {
			x.updated = (int64_t)time(NULL);
			r = txn_save_issuer(t, &x, x.issuer);
		}
		issuer_free(&x);
	}
	strv_free(&names);
	return r;
}

json_t *issuers_export(struct sv_reader *rd, const struct sv_config *c,
		       bool with_keys)
{
	struct strv names;
	json_t *arr = json_array();
	if (!arr || reader_issuer_names(rd, &names) < 0) {
		json_decref(arr);
		return NULL;
	}
	for (size_t i = 0; i < names.n; i++) {
		struct issuer x;
		json_t *doc = NULL;
		if (reader_load_issuer(rd, names.v[i], &x) < 0) {
			json_decref(arr);
			arr = NULL;
			break;
		}
		json_t *o = issuer_to_json(&x, NULL);
		json_object_del(o, "created");
		json_object_del(o, "updated");
		if (with_keys &&
		    sv_issuer_jwks_load(c, x.name, x.issuer, &doc) == 0)
			json_object_set_new(
			    o, "jwks",
			    json_pack("{s:O}", "keys",
				      json_object_get(doc, "keys")));
		json_decref(doc);
		json_array_append_new(arr, o);
		issuer_free(&x);
	}
	strv_free(&names);
	return arr;
}

int issuers_import(struct cli *cli, struct sv_txn *t, json_t *arr)
{
	size_t i;
	json_t *o;
	char err[sizeof(cli->err)];
	json_array_foreach (arr, i, o) {
		json_t *jwks = NULL;
		struct issuer x;
		int r =
		    issuer_from_json(o, &x, &jwks, cli->err, sizeof(cli->err));
		if (r == 0) {
			issuer_free(&x);
			/* a carried set must be usable before anything is
			 * committed */
			if (jwks) {
				char *text = json_dumps(jwks, JSON_COMPACT);
				json_t *keys = NULL;
				size_t skipped;
				r = text ? issuer_jwks_canon(text, strlen(text),
							     &keys, &skipped,
							     err, sizeof(err))
					 : -ENOMEM;
				if (r < 0)
					snprintf(cli->err, sizeof(cli->err),
						 "jwks: %.900s", err);
				free(text);
				json_decref(keys);
			}
			json_decref(jwks);
		}
		if (r == 0)
			r = issuer_txn_put_json(cli, t, o, false);
		if (r < 0) {
			snprintf(err, sizeof(err), "issuers[%zu]: %.900s", i,
				 cli->err);
			snprintf(cli->err, sizeof(cli->err), "%s", err);
			return r;
		}
	}
	return 0;
}

void issuers_import_keys(struct cli *cli, json_t *arr)
{
	size_t i;
	json_t *o;
	json_array_foreach (arr, i, o) {
		json_t *jwks = NULL, *keys = NULL;
		struct issuer x;
		char err[512], *text = NULL;
		size_t skipped;
		if (issuer_from_json(o, &x, &jwks, err, sizeof(err)) < 0)
			continue;
		if (jwks && (text = json_dumps(jwks, JSON_COMPACT)) &&
		    issuer_jwks_canon(text, strlen(text), &keys, &skipped, err,
				      sizeof(err)) == 0 &&
		    issuer_cache_write(&cli->cfg, x.name, x.issuer, "import",
				       keys, err, sizeof(err)) < 0)
			fprintf(stderr,
				"svcacct: issuer %s: keys not cached: %s; run "
				"svcacct issuer refresh %s\n",
				x.name, err, x.name);
		free(text);
		json_decref(keys);
		json_decref(jwks);
		issuer_free(&x);
	}
}

json_t *issuers_problems(struct sv_reader *rd)
{
	json_t *out = json_array();
	struct strv names;
	struct sv_blob key = {0};
	struct sv_str iss;
	char buf[700];
	int e;

	if (reader_issuer_names(rd, &names) < 0) {
		json_array_append_new(out,
				      json_string("issuers: iteration failed"));
		return out;
	}
	for (size_t i = 0; i < names.n; i++) {
		struct issuer x;
		struct sv_blob b = {0};
		struct sv_issuer rec;
		if (reader_load_issuer(rd, names.v[i], &x) < 0) {
			snprintf(buf, sizeof(buf),
				 "issuer '%s': record does not decode or "
				 "names another issuer",
				 names.v[i]);
			json_array_append_new(out, json_string(buf));
			continue;
		}
		if (sv_get_issuer_by_iss(rd, x.issuer, strlen(x.issuer), &b,
					 &rec) < 0 ||
		    !sv_str_eq(rec.name, x.name)) {
			snprintf(buf, sizeof(buf),
				 "issuer '%s': its iss index entry is missing "
				 "or names another issuer",
				 x.name);
			json_array_append_new(out, json_string(buf));
		}
		sv_blob_free(&b);
		for (size_t k = 0; k < x.client_remote.n; k++) {
			struct sv_account a;
			if (sv_get_account(rd, x.client_local.v[k], &b, &a) ==
			    0) {
				sv_blob_free(&b);
				continue;
			}
			snprintf(buf, sizeof(buf),
				 "issuer '%s': client '%s' maps to a missing "
				 "account '%s'",
				 x.name, x.client_remote.v[k],
				 x.client_local.v[k]);
			json_array_append_new(out, json_string(buf));
		}
		for (size_t k = 0; k < x.role_remote.n; k++) {
			struct sv_role ro;
			if (sv_get_role(rd, x.role_local.v[k], &b, &ro) == 0) {
				sv_blob_free(&b);
				continue;
			}
			snprintf(buf, sizeof(buf),
				 "issuer '%s': remote role '%s' maps to a "
				 "missing role '%s'",
				 x.name, x.role_remote.v[k], x.role_local.v[k]);
			json_array_append_new(out, json_string(buf));
		}
		issuer_free(&x);
	}
	strv_free(&names);
	/* every index entry must lead to an issuer that names it back */
	while ((e = sv_model_reader_next(rd, SV_DB_ACCOUNTS, SV_REC_ISS, &key,
					 &iss)) == 0) {
		struct sv_blob b = {0};
		struct sv_issuer rec;
		if (sv_get_issuer_by_iss(rd, iss.p, iss.n, &b, &rec) < 0) {
			snprintf(buf, sizeof(buf),
				 "iss index '%.*s' names no issuer that has it",
				 (int)(iss.n > 300 ? 300 : iss.n), iss.p);
			json_array_append_new(out, json_string(buf));
		}
		sv_blob_free(&b);
	}
	sv_blob_free(&key);
	return out;
}
