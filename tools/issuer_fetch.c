/* SPDX-License-Identifier: MIT */
/* Fetching and caching an issuer's JWKS (issuer_model.h). The only code of
 * svcacct that talks to the network, and it is in the admin tool alone:
 * the PAM and NSS modules never link libcurl (a test checks). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "issuer.h"
#include "issuer_model.h"
#include "keys.h"
#include "statefile.h"
#include "util.h"

#define FETCH_CONNECT_TIMEOUT 10L
#define FETCH_TOTAL_TIMEOUT   30L
#define FETCH_MAX_REDIRS      3L

struct body {
	char *p;
	size_t n;
	bool too_big;
};

static size_t on_data(char *data, size_t size, size_t nmemb, void *arg)
{
	struct body *b = arg;
	size_t n, need;

	if (sv_mul_overflow(size, nmemb, &n) || sv_add_overflow(b->n, n, &need))
		return 0;
	/* the size limit holds whatever Content-Length said (or did not) */
	if (need > SV_ISSUER_JWKS_MAX) {
		b->too_big = true;
		return 0;
	}
	char *np = realloc(b->p, need + 1);
	if (!np)
		return 0;
	b->p = np;
	memcpy(b->p + b->n, data, n);
	b->n = need;
	b->p[b->n] = '\0';
	return n;
}

int issuer_fetch(const char *url, const char *ca_file, char **out, size_t *len,
		 char *err, size_t errlen)
{
	char cerr[CURL_ERROR_SIZE] = "";
	struct body b = {0};
	long code = 0;
	CURLcode rc;
	CURL *h = NULL;
	int ret = -EIO;

	*out = NULL;
	*len = 0;
	if (!url || strncmp(url, "https://", 8) != 0) {
		snprintf(err, errlen, "%s: only https:// URLs are fetched",
			 url ? url : "(none)");
		return -EINVAL;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errlen, "libcurl could not be initialised");
		return -EIO;
	}
	h = curl_easy_init();
	if (!h) {
		snprintf(err, errlen, "libcurl could not be initialised");
		goto out;
	}
	/* every option is checked: an option that silently did not apply
	 * (an old libcurl) would weaken the fetch */
	if (curl_easy_setopt(h, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https") != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https") !=
		CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_MAXREDIRS, FETCH_MAX_REDIRS) !=
		CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    (ca_file && *ca_file &&
	     (curl_easy_setopt(h, CURLOPT_CAINFO, ca_file) != CURLE_OK ||
	      curl_easy_setopt(h, CURLOPT_CAPATH, NULL) != CURLE_OK)) ||
	    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT,
			     FETCH_CONNECT_TIMEOUT) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_TIMEOUT, FETCH_TOTAL_TIMEOUT) !=
		CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
			     (curl_off_t)SV_ISSUER_JWKS_MAX) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_USERAGENT,
			     "svcacct/" PACKAGE_VERSION) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr) != CURLE_OK) {
		snprintf(err, errlen,
			 "libcurl refused an option (https-only, "
			 "verification, limits): too old?");
		goto out;
	}
	rc = curl_easy_perform(h);
	if (b.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(err, errlen, "%s: response larger than %u bytes", url,
			 SV_ISSUER_JWKS_MAX);
		ret = -EFBIG;
		goto out;
	}
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s: %s", url,
			 *cerr ? cerr : curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200) {
		snprintf(err, errlen, "%s: HTTP status %ld (want 200)", url,
			 code);
		goto out;
	}
	if (b.n == 0) {
		snprintf(err, errlen, "%s: empty response", url);
		goto out;
	}
	*out = SV_TAKE_PTR(b.p);
	*len = b.n;
	ret = 0;
out:
	free(b.p);
	curl_easy_cleanup(h);
	curl_global_cleanup();
	return ret;
}

int issuer_jwks_canon(const char *body, size_t len, json_t **keys,
		      size_t *skipped, char *err, size_t errlen)
{
	struct sv_key *k = NULL;
	size_t n = 0;
	json_t *arr;
	int r;

	*keys = NULL;
	r = sv_key_import_jwks_usable(body, len, &k, &n, skipped, err, errlen);
	if (r < 0)
		return r;
	arr = json_array();
	for (size_t i = 0; arr && i < n; i++) {
		json_t *j =
		    sv_key_blob_to_jwk(k[i].blob, k[i].bloblen, k[i].kid);
		if (!j || json_array_append_new(arr, j) < 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	sv_keys_free(k, n);
	if (!arr) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	*keys = arr;
	return 0;
}

/* state_dir/DIR, created 0700 if missing, root's and not writable by
 * others: its fd, or a negative errno with the message in err. */
static int open_cache_dir(const struct sv_config *c, const char *dir, char *err,
			  size_t errlen)
{
	int dd = sv_state_subdir_open(c, -1, dir, true);
	if (dd == -EPERM)
		snprintf(err, errlen,
			 "%s/%s: must be root's and not group or world "
			 "writable",
			 c->state_dir, dir);
	else if (dd < 0)
		snprintf(err, errlen, "%s/%s: %s", c->state_dir, dir,
			 strerror(-dd));
	return dd;
}

int jwks_cache_write(const struct sv_config *c, const char *dir,
		     const char *name, json_t *doc, char *err, size_t errlen)
{
	char fn[80], tmp[120];
	char *text = NULL;
	size_t n, off = 0;
	int dd = -1, fd = -1, ret;

	if (strlen(name) > 64) {
		snprintf(err, errlen, "bad cache file name");
		return -EINVAL;
	}
	dd = open_cache_dir(c, dir, err, errlen);
	if (dd < 0)
		return dd;
	text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (!text) {
		ret = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	n = strlen(text);
	snprintf(fn, sizeof(fn), "%s.jwks", name);
	snprintf(tmp, sizeof(tmp), ".%s.jwks.%ld.tmp", name, (long)getpid());
	(void)unlinkat(dd, tmp, 0);
	fd = openat(dd, tmp,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s/%s/%s: %s", c->state_dir, dir, tmp,
			 strerror(-ret));
		goto out;
	}
	errno = 0;
	while (off < n) {
		ssize_t w = write(fd, text + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		off += (size_t)w;
	}
	if (write(fd, "\n", 1) != 1 || fsync(fd) < 0)
		goto fail;
	if (renameat(dd, tmp, dd, fn) < 0)
		goto fail;
	/* the directory entry too, or a power cut could bring back the old
	 * set (or none) */
	if (fsync(dd) < 0) {
		ret = -EIO;
		snprintf(err, errlen, "%s/%s: fsync: %s", c->state_dir, dir,
			 strerror(errno));
		goto out;
	}
	ret = 0;
	goto out;
fail:
	ret = errno ? -errno : -EIO;
	snprintf(err, errlen, "writing %s/%s/%s: %s", c->state_dir, dir, fn,
		 strerror(-ret));
	(void)unlinkat(dd, tmp, 0);
out:
	if (fd >= 0)
		close(fd);
	if (dd >= 0)
		close(dd);
	free(text);
	return ret;
}

void jwks_cache_remove(const struct sv_config *c, const char *dir,
		       const char *name)
{
	char err[256], fn[80];
	int dd;

	if (strlen(name) > 64)
		return;
	dd = open_cache_dir(c, dir, err, sizeof(err));
	if (dd < 0)
		return;
	snprintf(fn, sizeof(fn), "%s.jwks", name);
	if (unlinkat(dd, fn, 0) == 0)
		(void)fsync(dd);
	close(dd);
}

int issuer_cache_write(const struct sv_config *c, const char *name,
		       const char *iss, const char *source, json_t *keys,
		       char *err, size_t errlen)
{
	char now[32];
	struct tm tm;
	time_t t = time(NULL);
	int ret;

	if (!sv_issuer_name_valid(name)) {
		snprintf(err, errlen, "bad issuer name");
		return -EINVAL;
	}
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_t *doc = json_pack("{s:s, s:i, s:s, s:s, s:s, s:O}", "format",
				"svcacct-jwks", "version", 1, "issuer", iss,
				"source", source, "fetched", now, "keys", keys);
	if (!doc) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = jwks_cache_write(c, "issuers", name, doc, err, errlen);
	json_decref(doc);
	return ret;
}

void issuer_cache_remove(const struct sv_config *c, const char *name)
{
	if (sv_issuer_name_valid(name))
		jwks_cache_remove(c, "issuers", name);
}
