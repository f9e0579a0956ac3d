/* SPDX-License-Identifier: MIT */
/* svcacct-assert token: client assertions (RFC 7523), and what minting and
 * sign-manifest share: private key files, the alg of a key, compact JWS
 * signing with OpenSSL (ECDSA in JOSE's r || s form). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "assert.h"
#include "b64.h"
#include "keys.h"
#include "names.h"
#include "readfile.h"

#define KEYFILE_MAX (64 * 1024)
#define SUDO_MAX    511
#define SSH_MAX	    1023

/* ------------------------------------------------------------ files */

/* Read a file that holds a secret (private key, token): regular, ours,
 * not readable or writable by group or others, not a symlink. The buffer
 * is NUL-terminated; wipe it after use. */
int read_private_file(const char *path, size_t max, char **out, size_t *outlen)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, r;

	*out = NULL;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return fail("%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = fail("%s: not a regular file", path);
		goto out;
	}
	if (st.st_uid != geteuid()) {
		r = fail("%s: not owned by you (uid %u)", path,
			 (unsigned)geteuid());
		goto out;
	}
	if (st.st_mode & 077) {
		r = fail("%s: readable or writable by group or others (mode "
			 "%04o); chmod 600 it",
			 path, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if ((size_t)st.st_size > max) {
		r = fail("%s: too large", path);
		goto out;
	}
	buf = malloc(max + 1);
	if (!buf) {
		r = fail("out of memory");
		goto out;
	}
	n = sv_read_all(fd, buf, max);
	if (n < 0) {
		r = fail("%s: %s", path, strerror((int)-n));
		goto out;
	}
	len = (size_t)n;
	if (len == max) {
		r = fail("%s: too large", path);
		goto out;
	}
	buf[len] = '\0';
	*out = buf;
	buf = NULL;
	*outlen = len;
	r = 0;
out:
	if (buf) {
		OPENSSL_cleanse(buf, max + 1);
		free(buf);
	}
	close(fd);
	return r;
}

void free_secret(char *p, size_t n)
{
	if (p) {
		OPENSSL_cleanse(p, n);
		free(p);
	}
}

EVP_PKEY *load_private_key(const char *path)
{
	char *pem = NULL;
	size_t len = 0;
	EVP_PKEY *pk = NULL;
	BIO *bio;

	if (read_private_file(path, KEYFILE_MAX, &pem, &len))
		return NULL;
	bio = BIO_new_mem_buf(pem, (int)len);
	if (bio)
		pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	free_secret(pem, len);
	if (!pk)
		fail("%s: not a PEM private key (unencrypted PKCS#8 or "
		     "traditional EC/RSA)",
		     path);
	return pk;
}

/* ------------------------------------------------------------ algs */

const struct alg_info *alg_of_key(EVP_PKEY *pk, const char *want)
{
	static const struct alg_info es256 = {"ES256", "SHA256", 32},
				     es384 = {"ES384", "SHA384", 48},
				     es512 = {"ES512", "SHA512", 66},
				     rs256 = {"RS256", "SHA256", 0};
	const struct alg_info *a = NULL;

	if (EVP_PKEY_is_a(pk, "EC")) {
		char curve[64] = "";
		size_t n = 0;
		EVP_PKEY_get_utf8_string_param(pk, "group", curve,
					       sizeof(curve), &n);
		if (!strcmp(curve, "prime256v1") || !strcmp(curve, "P-256"))
			a = &es256;
		else if (!strcmp(curve, "secp384r1") || !strcmp(curve, "P-384"))
			a = &es384;
		else if (!strcmp(curve, "secp521r1") || !strcmp(curve, "P-521"))
			a = &es512;
	} else if (EVP_PKEY_is_a(pk, "RSA") &&
		   EVP_PKEY_get_bits(pk) >= SV_RSA_MIN_BITS) {
		a = &rs256;
	}
	if (a && want && strcmp(a->name, want))
		return NULL;
	return a;
}

/* ------------------------------------------------------------ minting */

/* JOSE wants ECDSA signatures as r || s, each left-padded to the curve's
 * size (RFC 7518 3.4), not the DER that OpenSSL produces. */
static int der_to_raw(const unsigned char *der, size_t derlen, int nbytes,
		      unsigned char *out)
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
	const BIGNUM *r, *s;
	int ok;

	if (!sig)
		return -1;
	ECDSA_SIG_get0(sig, &r, &s);
	ok = BN_bn2binpad(r, out, nbytes) == nbytes &&
	     BN_bn2binpad(s, out + nbytes, nbytes) == nbytes;
	ECDSA_SIG_free(sig);
	return ok ? 0 : -1;
}

static char *b64_json(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);
	char *e;
	if (!s)
		return NULL;
	e = sv_b64url_encode_alloc(s, strlen(s));
	free(s);
	return e;
}

/* A compact JWS over header and payload (bytes, base64url-encoded here),
 * signed with pk under alg. Shared by assertions and manifests. Returns a
 * malloc'd string or NULL (the reason printed). */
char *sign_compact(EVP_PKEY *pk, const struct alg_info *alg, json_t *hdr,
		   const char *payload, size_t plen)
{
	EVP_MD_CTX *ctx = NULL;
	char *h64 = NULL, *c64 = NULL, *s64 = NULL, *tok = NULL;
	unsigned char *sig = NULL, raw[132];
	size_t siglen = 0, tlen;

	h64 = b64_json(hdr);
	c64 = sv_b64url_encode_alloc(payload, plen);
	if (!h64 || !c64)
		goto nomem;
	size_t hl = strlen(h64), cll = strlen(c64);
	/* room for the signing input now; grown for the signature below */
	tok = malloc(hl + cll + 2);
	if (!tok)
		goto nomem;
	memcpy(tok, h64, hl);
	tok[hl] = '.';
	memcpy(tok + hl + 1, c64, cll);
	tlen = hl + 1 + cll;
	ctx = EVP_MD_CTX_new();
	if (!ctx ||
	    EVP_DigestSignInit_ex(ctx, NULL, alg->md, NULL, NULL, pk, NULL) !=
		1 ||
	    EVP_DigestSign(ctx, NULL, &siglen, (unsigned char *)tok, tlen) !=
		1 ||
	    !(sig = malloc(siglen)) ||
	    EVP_DigestSign(ctx, sig, &siglen, (unsigned char *)tok, tlen) !=
		1) {
		fail("signing failed");
		free(tok);
		tok = NULL;
		goto out;
	}
	if (alg->ec_bytes) {
		if (der_to_raw(sig, siglen, alg->ec_bytes, raw) < 0) {
			fail("signing failed (signature form)");
			free(tok);
			tok = NULL;
			goto out;
		}
		s64 = sv_b64url_encode_alloc(raw, 2 * (size_t)alg->ec_bytes);
	} else {
		s64 = sv_b64url_encode_alloc(sig, siglen);
	}
	if (!s64)
		goto nomem;
	size_t sl = strlen(s64);
	char *grown = realloc(tok, tlen + 1 + sl + 1);
	if (!grown)
		goto nomem;
	tok = grown;
	tok[tlen] = '.';
	memcpy(tok + tlen + 1, s64, sl + 1);
	goto out;
nomem:
	fail("out of memory");
	free(tok);
	tok = NULL;
out:
	free(sig);
	free(h64);
	if (c64) {
		OPENSSL_cleanse(c64, strlen(c64));
		free(c64);
	}
	free(s64);
	EVP_MD_CTX_free(ctx);
	return tok;
}

/* A fresh compact JWS. Returns a malloc'd string (wipe it) or NULL. */
char *mint_token(const struct mint *m)
{
	EVP_PKEY *pk = NULL;
	json_t *hdr = NULL, *cl = NULL;
	char *tok = NULL, *payload = NULL;
	unsigned char jti[16];
	char jti64[32];
	const struct alg_info *alg;
	time_t now = time(NULL);

	pk = load_private_key(m->key);
	if (!pk)
		goto out;
	alg = alg_of_key(pk, NULL);
	if (!alg) {
		fail("%s: unsupported key (EC P-256/P-384/P-521 or RSA >= "
		     "2048 bits)",
		     m->key);
		goto out;
	}
	if (RAND_bytes(jti, sizeof(jti)) != 1 ||
	    sv_b64url_encode(jti, sizeof(jti), jti64, sizeof(jti64)) < 0) {
		fail("no randomness");
		goto out;
	}
	/* short member names in a fixed order: the result must fit one
	 * answer of as many clients as possible */
	hdr = json_pack("{s:s}", "alg", alg->name);
	if (hdr && m->kid)
		json_object_set_new(hdr, "kid", json_string(m->kid));
	if (hdr)
		json_object_set_new(hdr, "typ", json_string("JWT"));
	cl = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "iss", m->account,
		       "sub", m->account, "aud", m->aud, "iat", (json_int_t)now,
		       "exp", (json_int_t)(now + (time_t)m->lifetime), "jti",
		       jti64);
	if (cl && m->scope)
		json_object_set_new(cl, "scope", json_string(m->scope));
	if (!hdr || !cl) {
		fail("cannot build the assertion (bad UTF-8 in an argument?)");
		goto out;
	}
	payload = json_dumps(cl, JSON_COMPACT);
	if (!payload) {
		fail("out of memory");
		goto out;
	}
	tok = sign_compact(pk, alg, hdr, payload, strlen(payload));
out:
	OPENSSL_cleanse(jti64, sizeof(jti64));
	if (payload) {
		OPENSSL_cleanse(payload, strlen(payload));
		free(payload);
	}
	json_decref(hdr);
	json_decref(cl);
	EVP_PKEY_free(pk);
	return tok;
}

int scope_from_csv(const char *csv, char *out, size_t cap)
{
	char err[128];
	size_t n = strlen(csv);
	if (n == 0 || n >= cap)
		return fail("bad --scope '%s'", csv);
	memcpy(out, csv, n + 1);
	for (char *p = out; *p; p++)
		if (*p == ',' || *p == ' ')
			*p = ' ';
	char tmp[1024];
	snprintf(tmp, sizeof(tmp), "%s", out);
	for (char *save = NULL, *t = strtok_r(tmp, " ", &save); t;
	     t = strtok_r(NULL, " ", &save))
		if (sv_name_check(t, err, sizeof(err)) < 0 &&
		    strcmp(t, SV_BASE_ROLE))
			return fail("bad role '%s' in --scope: %s", t, err);
	if (strstr(out, "  ") || out[0] == ' ' || out[n - 1] == ' ')
		return fail("bad --scope '%s'", csv);
	return 0;
}

int check_mint(struct mint *m)
{
	char err[128];
	if (!m->key || !m->account || !m->aud)
		return fail("need a key, an account and an audience");
	if (sv_name_check(m->account, err, sizeof(err)) < 0)
		return fail("bad account '%s': %s", m->account, err);
	if (!*m->aud || strlen(m->aud) > 255 || !printable(m->aud))
		return fail("bad audience");
	if (m->kid &&
	    (!*m->kid || strlen(m->kid) > SV_KID_MAX || !printable(m->kid)))
		return fail("bad kid");
	if (m->lifetime < 1 || m->lifetime > LIFETIME_MAX)
		return fail("lifetime must be 1..%d seconds", LIFETIME_MAX);
	return 0;
}

static void warn_length(size_t n)
{
	if (n > SSH_MAX)
		fprintf(stderr,
			PROG ": the credential is %zu bytes: longer than ssh "
			     "sends in one answer (%d); the askpass mode sends "
			     "it in parts\n",
			n, SSH_MAX);
	else if (n > SUDO_MAX)
		fprintf(stderr,
			PROG ": the credential is %zu bytes: longer than sudo "
			     "accepts in one answer (%d); use --split 500\n",
			n, SUDO_MAX);
}

/* ------------------------------------------------------------ token */

int cmd_token(const struct assert_args *a)
{
	struct mint m = {.key = a->key,
			 .account = a->account,
			 .aud = a->aud,
			 .kid = a->kid,
			 .lifetime = LIFETIME_DEFAULT};
	char scope[1024];
	unsigned long split = 0;
	char *end;

	if (a->scope) {
		if (scope_from_csv(a->scope, scope, sizeof(scope)))
			return 1;
		m.scope = scope;
	}
	if (a->lifetime) {
		errno = 0;
		m.lifetime = (unsigned)strtoul(a->lifetime, &end, 10);
		if (errno || *end || !*a->lifetime ||
		    strtoul(a->lifetime, NULL, 10) > LIFETIME_MAX)
			return fail("--lifetime must be 1..%d", LIFETIME_MAX);
	}
	if (a->split) {
		split = strtoul(a->split, &end, 10);
		if (*end || split < 16 || split > 4000)
			return fail("--split must be 16..4000");
	}
	if (check_mint(&m))
		return 1;
	char *tok = mint_token(&m);
	if (!tok)
		return 1;
	size_t n = strlen(tok);
	if (split) {
		/* one line per answer; every line but the last ends in the
		 * continuation mark (for sudo -S, which reads a line per
		 * prompt) */
		for (size_t off = 0; off < n; off += split) {
			size_t k = n - off < split ? n - off : split;
			fwrite(tok + off, 1, k, stdout);
			if (off + k < n)
				putchar(CONT_MARK);
			putchar('\n');
		}
	} else {
		warn_length(n);
		printf("%s\n", tok);
	}
	OPENSSL_cleanse(tok, n);
	free(tok);
	if (fflush(stdout) != 0)
		return fail("writing output: %s", strerror(errno));
	return 0;
}
