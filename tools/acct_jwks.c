/* SPDX-License-Identifier: MIT */
/* An account's JWKS URL credential: checks, operation and cache
 * (acct_jwks.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "acct_jwks.h"
#include "acctjwks.h"
#include "cli.h"
#include "issuer.h"
#include "issuer_model.h"
#include "model.h"
#include "ops.h"
#include "secret.h"
#include "statefile.h"

int acct_jwks_url_check(const char *url, char *err, size_t errlen)
{
	const char *host, *end;
	size_t n = strlen(url);

	if (strncmp(url, "https://", 8) != 0) {
		snprintf(err, errlen,
			 "--jwks-url %.300s: only https:// URLs are fetched "
			 "(the account's keys must come with a verified "
			 "certificate)",
			 url);
		return -EINVAL;
	}
	if (n > ACCT_JWKS_URL_MAX) {
		snprintf(err, errlen,
			 "--jwks-url: %zu characters, at most %d are stored", n,
			 ACCT_JWKS_URL_MAX);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)url[i] <= 0x20 ||
		    (unsigned char)url[i] >= 0x7f) {
			snprintf(err, errlen,
				 "--jwks-url: a space, control or non-ASCII "
				 "character at offset %zu",
				 i);
			return -EINVAL;
		}
	if (strchr(url, '#')) {
		snprintf(err, errlen,
			 "--jwks-url %s: a fragment (#...) is not part of what "
			 "is fetched",
			 url);
		return -EINVAL;
	}
	host = url + 8;
	end = host + strcspn(host, "/?");
	if (memchr(host, '@', (size_t)(end - host))) {
		snprintf(err, errlen,
			 "--jwks-url: user information (user@host) is "
			 "refused: a password does not belong in a stored URL");
		return -EINVAL;
	}
	if (end == host || *host == ':') {
		snprintf(err, errlen, "--jwks-url %s: no host name", url);
		return -EINVAL;
	}
	return 0;
}

int acct_jwks_ca_check(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	/* the refresh service runs elsewhere than this shell's directory */
	if (path[0] != '/') {
		snprintf(err, errlen, "--ca-file %.300s: give an absolute path",
			 path);
		return -EINVAL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "--ca-file %.300s: %s", path,
			 strerror(errno));
		return -EINVAL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(err, errlen, "--ca-file %.300s: not a regular file",
			 path);
		return -EINVAL;
	}
	close(fd);
	return 0;
}

int acct_jwks_fetch(const char *url, const char *ca_file, json_t **keys,
		    size_t *skipped, char *err, size_t errlen)
{
	char *body = NULL, why[512];
	size_t len = 0;
	int r;

	*keys = NULL;
	*skipped = 0;
	r = issuer_fetch(url, ca_file, &body, &len, why, sizeof(why));
	if (r < 0) {
		snprintf(err, errlen, "fetching the JWKS: %s", why);
		return r;
	}
	r = issuer_jwks_canon(body, len, keys, skipped, why, sizeof(why));
	if (r < 0)
		snprintf(err, errlen, "%s: not a usable JWKS: %s", url, why);
	free(body);
	return r;
}

/* The cache file of a credential: its id, 16 lowercase hex digits. */
static bool id_ok(const char *id)
{
	return strlen(id) == SV_CRED_ID_LEN &&
	       strspn(id, "0123456789abcdef") == SV_CRED_ID_LEN;
}

int acct_jwks_cache_write(const struct sv_config *c, const char *account,
			  const char *id, const char *url, json_t *keys,
			  char *err, size_t errlen)
{
	char now[32];
	struct tm tm;
	time_t t = time(NULL);
	int ret;

	if (!id_ok(id)) {
		snprintf(err, errlen, "bad credential id");
		return -EINVAL;
	}
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_t *doc = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:O}", "format",
				"svcacct-jwks", "version", 1, "account",
				account, "credential", id, "source", url,
				"fetched", now, "keys", keys);
	if (!doc) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = jwks_cache_write(c, SV_ACCT_JWKS_DIR, id, doc, err, errlen);
	json_decref(doc);
	return ret;
}

void acct_jwks_cache_remove(const struct sv_config *c, const char *id)
{
	if (id_ok(id))
		jwks_cache_remove(c, SV_ACCT_JWKS_DIR, id);
}

int acct_jwks_cache_sweep(const struct sv_config *c)
{
	struct sv_revocations *rv = NULL;
	struct dirent *d;
	DIR *dir = NULL;
	int sfd = -1, dd = -1, n = 0, e;

	sfd = sv_state_open_dir(c);
	e = sfd < 0 ? sfd : sv_revocations_open_state(sfd, &rv);
	if (e < 0)
		goto out;
	dd = sv_state_subdir_open(c, sfd, SV_ACCT_JWKS_DIR, false);
	if (dd == -ENOENT) {
		e = 0;
		goto out;
	}
	if (dd < 0 || !(dir = fdopendir(dd))) {
		e = dd < 0 ? dd : -errno;
		goto out;
	}
	dd = -1; /* the DIR owns it */
	while ((d = readdir(dir))) {
		char id[SV_CRED_ID_LEN + 1];
		bool revoked = false;
		if (strlen(d->d_name) != SV_CRED_ID_LEN + 5 ||
		    strcmp(d->d_name + SV_CRED_ID_LEN, ".jwks") != 0)
			continue;
		snprintf(id, sizeof(id), "%.*s", SV_CRED_ID_LEN, d->d_name);
		if (!id_ok(id) || sv_revocations_has(rv, id, &revoked) < 0 ||
		    !revoked)
			continue;
		if (unlinkat(dirfd(dir), d->d_name, 0) == 0)
			n++;
	}
	if (n)
		(void)fsync(dirfd(dir));
	e = n;
out:
	if (dir)
		closedir(dir);
	if (dd >= 0)
		close(dd);
	if (sfd >= 0)
		close(sfd);
	sv_revocations_close(rv);
	return e;
}

json_t *acct_jwks_cache_info(const struct sv_config *c, const char *account,
			     const char *id, const char *url)
{
	json_t *doc = NULL, *kids, *k;
	size_t i;
	int r = sv_acct_jwks_load(c, -1, id, account, url, &doc);

	if (r < 0)
		return json_pack("{s:s}", "status",
				 r == -ENOENT	? "none"
				 : r == -EPERM	? "unsafe"
				 : r == -ESTALE ? "stale"
						: "unreadable");
	kids = json_array();
	json_array_foreach (json_object_get(doc, "keys"), i, k)
		json_array_append(kids, json_object_get(k, "kid"));
	json_t *out = json_pack("{s:s, s:o, s:O}", "status", "ok", "kids", kids,
				"fetched", json_object_get(doc, "fetched"));
	json_decref(doc);
	return out;
}

static int find_jwks(const struct sv_cred *c, void *ctx)
{
	struct jwks_cred *f = ctx;
	if (c->type != SV_CRED_JWKS || c->id.n != SV_CRED_ID_LEN)
		return 0;
	snprintf(f->id, sizeof(f->id), "%.*s", (int)c->id.n, c->id.p);
	snprintf(f->url, sizeof(f->url), "%.*s", (int)c->url.n, c->url.p);
	snprintf(f->ca_file, sizeof(f->ca_file), "%.*s", (int)c->ca_file.n,
		 c->ca_file.p);
	snprintf(f->label, sizeof(f->label), "%.*s", (int)c->label.n,
		 c->label.p);
	f->created = c->created;
	f->expires = c->expires;
	return 1;
}

int acct_jwks_find(struct sv_txn *t, const char *account, struct jwks_cred *out)
{
	memset(out, 0, sizeof(*out));
	int e =
	    sv_model_each_cred(t, SV_DB_CREDENTIALS, account, find_jwks, out);
	return e < 0 ? e : 0;
}

int op_jwks_add(struct cli *cli, struct sv_txn *t, const char *account,
		const char *url, const char *ca_file, const char *label,
		int64_t expires, const struct cred_scope *scope,
		char id[SV_CRED_ID_LEN + 1])
{
	struct jwks_cred old;
	int e;

	cli->err[0] = '\0';
	if (acct_jwks_url_check(url, cli->err, sizeof(cli->err)) < 0 ||
	    (ca_file && *ca_file &&
	     acct_jwks_ca_check(ca_file, cli->err, sizeof(cli->err)) < 0))
		return -EINVAL;
	e = acct_jwks_find(t, account, &old);
	if (e == 0 && *old.id) {
		snprintf(cli->err, sizeof(cli->err),
			 "account '%s' already has a JWKS URL (%s, %.255s): "
			 "one per account; remove it first (svcacct key "
			 "remove %s %s)",
			 account, old.id, old.url, account, old.id);
		return -EEXIST;
	}
	if (e == 0)
		e = sv_cred_id_generate(id);
	if (e == 0) {
		struct sv_cred c = {
		    .type = SV_CRED_JWKS,
		    .created = (int64_t)time(NULL),
		    .expires = expires,
		    .id = SV_STR(id),
		    .account = SV_STR(account),
		    .label = SV_STR(label ? label : ""),
		    .kid = SV_STR(""),
		    .material = SV_STR(""),
		    .url = SV_STR(url),
		    .ca_file = SV_STR(ca_file ? ca_file : ""),
		};
		cred_scope_to_rec(scope, &c);
		e = sv_model_cred_add(t, SV_DB_CREDENTIALS, &c);
	}
	if (e < 0 && !*cli->err)
		snprintf(cli->err, sizeof(cli->err), "store: %s", strerror(-e));
	return e;
}
