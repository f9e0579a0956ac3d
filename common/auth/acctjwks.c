/* SPDX-License-Identifier: MIT */
/* An account's cached JWKS and the assertions its keys verify
 * (acctjwks.h). */
#include "acctjwks.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assertion.h"
#include "codec.h"
#include "issuer.h"
#include "keys.h"
#include "policy.h"
#include "readfile.h"
#include "statefile.h"
#include "store.h"
#include "util.h"

/* Keys of the set tried for an assertion without "kid": bounded work per
 * login, as for registered keys. */
#define JWKS_KEYS_TRIED_MAX 8

int sv_jwks_cache_read(const struct sv_config *c, int sfd, const char *dir,
		       const char *fn, json_t **out)
{
	char *buf = NULL;
	struct stat st;
	json_t *j = NULL;
	size_t n = 0;
	int dd, fd = -1, ret;

	*out = NULL;
	dd = sv_state_subdir_open(c, sfd, dir, false);
	if (dd < 0)
		return dd;
	fd = openat(dd, fn, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		ret = errno == ELOOP ? -EPERM : -errno;
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	ret = -EPERM;
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022))
		goto out;
	ret = -EBADMSG;
	if (st.st_size <= 0 || (uint64_t)st.st_size > SV_ISSUER_JWKS_MAX)
		goto out;
	ret = sv_read_fd(fd, (size_t)st.st_size, &buf, &n);
	if (ret == -EFBIG || (ret == 0 && n != (size_t)st.st_size))
		ret = -EBADMSG; /* changed while being read */
	if (ret < 0)
		goto out;
	j = json_loadb(buf, n, JSON_REJECT_DUPLICATES, NULL);
	ret = -EBADMSG;
	if (!json_is_object(j))
		goto out;
	if (!json_is_string(json_object_get(j, "format")) ||
	    strcmp(json_string_value(json_object_get(j, "format")),
		   "svcacct-jwks") != 0 ||
	    json_integer_value(json_object_get(j, "version")) != 1 ||
	    !json_is_array(json_object_get(j, "keys")))
		goto out;
	*out = j;
	j = NULL;
	ret = 0;
out:
	json_decref(j);
	free(buf);
	if (fd >= 0)
		close(fd);
	close(dd);
	return ret;
}

static bool member_is(json_t *doc, const char *k, const char *want)
{
	const char *v = json_string_value(json_object_get(doc, k));
	return v && strcmp(v, want) == 0;
}

int sv_acct_jwks_load(const struct sv_config *c, int sfd, const char *id,
		      const char *account, const char *url, json_t **out)
{
	char fn[SV_CRED_ID_LEN + 8];
	json_t *doc = NULL;
	int r;

	*out = NULL;
	/* the id names a file: 16 lowercase hex digits, nothing else */
	if (strlen(id) != SV_CRED_ID_LEN ||
	    strspn(id, "0123456789abcdef") != SV_CRED_ID_LEN)
		return -EINVAL;
	snprintf(fn, sizeof(fn), "%s.jwks", id);
	r = sv_jwks_cache_read(c, sfd, SV_ACCT_JWKS_DIR, fn, &doc);
	if (r < 0)
		return r;
	if (!member_is(doc, "credential", id) ||
	    !member_is(doc, "account", account) ||
	    !member_is(doc, "source", url)) {
		json_decref(doc);
		return -ESTALE;
	}
	*out = doc;
	return 0;
}

static enum sv_login_status deny(struct sv_login *l, const char *reason)
{
	l->reason = reason;
	return SV_LOGIN_DENY;
}

static enum sv_login_status unavail(struct sv_login *l, const char *reason)
{
	l->reason = reason;
	return SV_LOGIN_UNAVAIL;
}

/* Whether the key material k was revoked by its fingerprint ("jwk:" and
 * its RFC 7638 thumbprint, as a removed registered key is): readers
 * honour revocations wherever the material comes from. Fails closed. */
static bool key_revoked(void *ctx, const struct sv_key *k)
{
	struct sv_login *l = ctx;
	struct sv_revocations *rv = NULL;
	char tp[44], fpr[48];
	bool revoked = true;
	int sfd = sv_login_state_fd(l);

	if (sfd < 0 || sv_key_thumbprint(k->blob, k->bloblen, tp) < 0)
		return true;
	snprintf(fpr, sizeof(fpr), "jwk:%s", tp);
	if (sv_revocations_open_state(sfd, &rv) < 0)
		return true;
	if (sv_revocations_has_key(rv, fpr, &revoked) < 0)
		revoked = true;
	sv_revocations_close(rv);
	return revoked;
}

enum sv_login_status sv_login_jwks(struct sv_login *l, const struct sv_jws *j,
				   const char *id)
{
	struct sv_blob blob = {0};
	struct sv_account owner;
	struct sv_cred c;
	enum sv_login_status st;
	char *url = NULL;
	json_t *doc = NULL;
	bool revoked = true;
	int sfd, r;

	memcpy(l->cred_id, id, SV_CRED_ID_LEN + 1);
	r = sv_get_cred(l->rd, SV_DB_CREDENTIALS, id, &blob, &c);
	if (r < 0) {
		st = unavail(l, "store_error");
		goto out;
	}
	sv_login_owner(l, &owner);
	if (c.type != SV_CRED_JWKS || !sv_str_eq(c.id, id) ||
	    !sv_cred_bound_to(&c, &owner)) {
		st = deny(l, "unknown_credential");
		goto out;
	}
	sfd = sv_login_state_fd(l);
	if (sfd < 0 || sv_state_is_revoked_at(sfd, id, &revoked) < 0 ||
	    revoked) {
		st = deny(l, "revoked");
		goto out;
	}
	if (c.expires && c.expires <= l->now) {
		st = deny(l, "credential_expired");
		goto out;
	}
	url = sv_str_dup(c.url);
	if (!url) {
		st = unavail(l, "store_error");
		goto out;
	}
	/* no keys, no login; and the admin must hear of it */
	if (sv_acct_jwks_load(l->cfg, sfd, id, l->user, url, &doc) < 0) {
		st = unavail(l, "jwks_unavailable");
		goto out;
	}
	/* the key the header selects (its kid, or without kid each key of
	 * its alg, a bounded number), not revoked by its fingerprint */
	st =
	    sv_jwks_verify(json_object_get(doc, "keys"), j, JWKS_KEYS_TRIED_MAX,
			   "key_unfit", key_revoked, l, &l->reason, NULL, 0)
		? SV_LOGIN_OK
		: SV_LOGIN_DENY;
	/* the credential's scope, as a registered key's: it narrows once
	 * the token's own scope is known */
	if (st == SV_LOGIN_OK)
		st = sv_login_cred_scope(
		    l, &c.roles,
		    sv_policy_cred_source_ok(&c.sources, l->rhost));
	if (st == SV_LOGIN_OK)
		l->cred_expires = c.expires;
out:
	json_decref(doc);
	free(url);
	sv_blob_free(&blob);
	return st;
}
