/* SPDX-License-Identifier: MIT */
/* svcacct-assert sign-manifest: a signed manifest for `svcacct apply
 * --verify-key`. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assert.h"
#include "keys.h"
#include "readfile.h"

#define MANIFEST_MAX (16u * 1024 * 1024)

/* Read a manifest (a file or "-"): any owner, it holds no secret. */
static int read_manifest(const char *path, char **out, size_t *len)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
				   : dup(0);
	int r;

	if (fd < 0)
		return fail("%s: %s", path, strerror(errno));
	r = sv_read_fd(fd, MANIFEST_MAX, out, len);
	close(fd);
	if (r == -EFBIG)
		return fail("%s: larger than %u bytes", path, MANIFEST_MAX);
	if (r < 0)
		return fail("%s: %s", path, strerror(-r));
	return 0;
}

/* sign-manifest: a compact JWS (typ "svcacct-manifest") whose payload is
 * the manifest's bytes as they are, for `svcacct apply --verify-key`. The
 * manifest is checked first (JSON object, no duplicate keys, the format
 * and a serial), so that a host never has to refuse what was just signed
 * for a reason visible here. */
int cmd_sign_manifest(const struct assert_args *a)
{
	const char *key = a->key, *kid = a->kid, *path = a->pos[0];
	char *buf = NULL, *tok = NULL;
	size_t len = 0;
	EVP_PKEY *pk = NULL;
	json_t *doc = NULL, *hdr = NULL;
	json_error_t jerr;
	int r = 1;

	if (kid && (!*kid || strlen(kid) > SV_KID_MAX || !printable(kid)))
		return fail("--kid: 1 to %d printable characters", SV_KID_MAX);
	if (read_manifest(path, &buf, &len))
		return 1;
	while (len && strchr(" \t\r\n", buf[len - 1]))
		buf[--len] = '\0';
	doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		r = fail("%s:%d:%d: %s", path, jerr.line, jerr.column,
			 jerr.text);
		goto out;
	}
	json_t *f = json_object_get(doc, "format"),
	       *s = json_object_get(doc, "serial");
	if (!json_is_object(doc) || !json_is_string(f) ||
	    strcmp(json_string_value(f), "svcacct-manifest")) {
		r = fail("%s: not an svcacct manifest (\"format\": "
			 "\"svcacct-manifest\" expected)",
			 path);
		goto out;
	}
	if (!json_is_integer(s) || json_integer_value(s) < 1 ||
	    json_integer_value(s) > (json_int_t)1 << 53) {
		r = fail("%s: a signed manifest needs a \"serial\" (an integer "
			 "from 1 to 2^53, above the last one applied)",
			 path);
		goto out;
	}
	pk = load_private_key(key);
	if (!pk)
		goto out;
	const struct alg_info *alg = alg_of_key(pk, NULL);
	/* the algs every host accepts for manifests */
	if (!alg || (strcmp(alg->name, "ES256") && strcmp(alg->name, "ES384") &&
		     strcmp(alg->name, "RS256"))) {
		r = fail("%s: manifests are signed with ES256 (P-256), ES384 "
			 "(P-384) or RS256 (RSA >= 2048 bits)",
			 key);
		goto out;
	}
	hdr = json_pack("{s:s, s:s}", "alg", alg->name, "typ",
			"svcacct-manifest");
	if (hdr && kid)
		json_object_set_new(hdr, "kid", json_string(kid));
	if (!hdr) {
		r = fail("out of memory");
		goto out;
	}
	tok = sign_compact(pk, alg, hdr, buf, len);
	if (!tok)
		goto out;
	printf("%s\n", tok);
	r = fflush(stdout) != 0 ? fail("writing output: %s", strerror(errno))
				: 0;
out:
	free(tok);
	free(buf);
	json_decref(doc);
	json_decref(hdr);
	EVP_PKEY_free(pk);
	return r;
}
