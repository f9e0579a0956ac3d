/* SPDX-License-Identifier: MIT */
/* svcacct-assert(1): the client side of svcacct. Generates key pairs, mints
 * signed JWT client assertions (RFC 7523) and, as ssh's SSH_ASKPASS helper,
 * answers pam_svcacct's prompts with the parts of one fresh credential.
 *
 * It runs as the bot, never as root, and trusts nothing it did not write:
 * private keys and token files must be the caller's own and not readable by
 * group or others; the askpass cache lives in a private directory that is
 * checked before use. The audience always comes from the client's own
 * configuration: a server's prompt only selects which part to send. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "b64.h"
#include "keys.h"
#include "names.h"
#include "util.h"

#define PROG		 "svcacct-assert"
#define LIFETIME_DEFAULT 60
#define LIFETIME_MAX	 300
#define KEYFILE_MAX	 (64 * 1024)
#define TOKEN_MAX	 (64 * 1024)
/* Each part carries at most this many bytes of credential, plus the
 * continuation mark: ssh sends at most 1023 bytes in one answer. */
#define PART_SIZE 1000
#define CONT_MARK '\\'
#define CACHE_TTL 60
#define SUDO_MAX  511
#define SSH_MAX	  1023

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;
	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* ------------------------------------------------------------ files */

/* Read a file that holds a secret (private key, token): regular, ours,
 * not readable or writable by group or others, not a symlink. The buffer
 * is NUL-terminated; wipe it after use. */
static int read_private_file(const char *path, size_t max, char **out,
			     size_t *outlen)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
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
	for (;;) {
		ssize_t n = read(fd, buf + len, max - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = fail("%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == max) {
			r = fail("%s: too large", path);
			goto out;
		}
	}
	buf[len] = '\0';
	*out = SV_TAKE_PTR(buf);
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

static void free_secret(char *p, size_t n)
{
	if (p) {
		OPENSSL_cleanse(p, n);
		free(p);
	}
}

static EVP_PKEY *load_private_key(const char *path)
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

struct alg_info {
	const char *name;
	const char *md;
	int ec_bytes; /* size of r and of s; 0 for RSA */
};

static const struct alg_info *alg_of_key(EVP_PKEY *pk, const char *want)
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

struct mint {
	const char *key, *account, *aud, *kid, *scope; /* scope: "r1 r2" */
	unsigned lifetime;
};

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
static char *sign_compact(EVP_PKEY *pk, const struct alg_info *alg, json_t *hdr,
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
static char *mint_token(const struct mint *m)
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

static int scope_from_csv(const char *csv, char *out, size_t cap)
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

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static int check_mint(struct mint *m)
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

static int cmd_token(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"key", required_argument, NULL, 'k'},
	    {"account", required_argument, NULL, 'a'},
	    {"aud", required_argument, NULL, 'A'},
	    {"kid", required_argument, NULL, 'i'},
	    {"scope", required_argument, NULL, 's'},
	    {"lifetime", required_argument, NULL, 'l'},
	    {"split", required_argument, NULL, 'S'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const char usage[] =
	    "usage: " PROG " token --key KEY --account NAME --aud AUD "
	    "[--kid K] [--scope R,R] [--lifetime S] [--split N]\n";
	struct mint m = {.lifetime = LIFETIME_DEFAULT};
	char scope[1024];
	unsigned long split = 0;
	char *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': m.key = optarg; break;
		case 'a': m.account = optarg; break;
		case 'A': m.aud = optarg; break;
		case 'i': m.kid = optarg; break;
		case 's':
			if (scope_from_csv(optarg, scope, sizeof(scope)))
				return 1;
			m.scope = scope;
			break;
		case 'l':
			errno = 0;
			m.lifetime = (unsigned)strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg ||
			    strtoul(optarg, NULL, 10) > LIFETIME_MAX)
				return fail("--lifetime must be 1..%d",
					    LIFETIME_MAX);
			break;
		case 'S':
			split = strtoul(optarg, &end, 10);
			if (*end || split < 16 || split > 4000)
				return fail("--split must be 16..4000");
			break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc || !m.key || !m.account || !m.aud) {
		fputs(usage, stderr);
		return 2;
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

/* ------------------------------------------------------------ manifests */

#define MANIFEST_MAX (16u * 1024 * 1024)

/* Read a manifest (a file or "-"): any owner, it holds no secret. */
static int read_manifest(const char *path, char **out, size_t *len)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
				   : dup(0);
	size_t cap = MANIFEST_MAX + 1, n = 0;
	char *buf;
	if (fd < 0)
		return fail("%s: %s", path, strerror(errno));
	buf = malloc(cap + 1);
	if (!buf) {
		close(fd);
		return fail("out of memory");
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			close(fd);
			return fail("%s: %s", path, strerror(e));
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > MANIFEST_MAX) {
			free(buf);
			close(fd);
			return fail("%s: larger than %u bytes", path,
				    MANIFEST_MAX);
		}
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* sign-manifest: a compact JWS (typ "svcacct-manifest") whose payload is
 * the manifest's bytes as they are, for `svcacct apply --verify-key`. The
 * manifest is checked first (JSON object, no duplicate keys, the format
 * and a serial), so that a host never has to refuse what was just signed
 * for a reason visible here. */
static int cmd_sign_manifest(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"key", required_argument, NULL, 'k'},
	    {"kid", required_argument, NULL, 'i'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const char usage[] =
	    "usage: " PROG " sign-manifest --key KEY [--kid K] FILE|-\n";
	const char *key = NULL, *kid = NULL;
	char *buf = NULL, *tok = NULL;
	size_t len = 0;
	EVP_PKEY *pk = NULL;
	json_t *doc = NULL, *hdr = NULL;
	json_error_t jerr;
	int c, r = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': key = optarg; break;
		case 'i': kid = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc - 1 || !key) {
		fputs(usage, stderr);
		return 2;
	}
	const char *path = argv[optind];
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

/* ------------------------------------------------------------ keygen */

/* What keygen made, undone in reverse on any failure: nothing empty,
 * partial or half of a pair is left behind. */
#define KEYGEN_MAX_DIRS 64
struct made {
	char *dirs[KEYGEN_MAX_DIRS]; /* directories created, outermost first */
	size_t ndirs;
	char *tmp[2];	      /* temporary files not yet renamed */
	const char *final[2]; /* files published */
};

static void made_undo(struct made *m)
{
	for (size_t i = 0; i < 2; i++) {
		if (m->tmp[i])
			unlink(m->tmp[i]);
		if (m->final[i])
			unlink(m->final[i]);
	}
	while (m->ndirs > 0)
		rmdir(m->dirs[--m->ndirs]);
}

static void made_free(struct made *m)
{
	for (size_t i = 0; i < 2; i++)
		free(m->tmp[i]);
	for (size_t i = 0; i < m->ndirs; i++)
		free(m->dirs[i]);
	memset(m, 0, sizeof(*m));
}

/* The directory part of path ("." for a bare name), malloc'd. */
static char *dir_of(const char *path)
{
	const char *sl = strrchr(path, '/');
	if (!sl)
		return strdup(".");
	if (sl == path)
		return strdup("/");
	return strndup(path, (size_t)(sl - path));
}

/* Create the missing directories of dir, each mode 0700 (a key's
 * directory is nobody else's business; main's umask 077 takes nothing
 * from it), recording them in m. */
static int make_dirs(const char *dir, struct made *m)
{
	char buf[PATH_MAX];
	size_t n = strlen(dir);

	if (n >= sizeof(buf))
		return fail("%s: path too long", dir);
	memcpy(buf, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		char c = buf[i];
		buf[i] = '\0';
		if (mkdir(buf, 0700) == 0) {
			if (m->ndirs == KEYGEN_MAX_DIRS) {
				rmdir(buf);
				return fail("%s: too many directories to "
					    "create",
					    dir);
			}
			m->dirs[m->ndirs] = strdup(buf);
			if (!m->dirs[m->ndirs]) {
				rmdir(buf);
				return fail("out of memory");
			}
			m->ndirs++;
		} else if (errno != EEXIST) {
			return fail("%s: %s", buf, strerror(errno));
		}
		buf[i] = c;
	}
	return 0;
}

/* Write data to a new temporary file beside final (same directory, so
 * that the rename cannot cross file systems), fsync'd, of the given mode.
 * The temporary name is recorded in *tmp before anything is written. */
static int write_temp(const char *final, const char *data, size_t len,
		      mode_t mode, char **tmp)
{
	_cleanup_free_ char *dir = dir_of(final);
	const char *base = strrchr(final, '/');
	int fd, e;

	base = base ? base + 1 : final;
	if (!dir || asprintf(tmp, "%s/.%s.XXXXXX", dir, base) < 0) {
		*tmp = NULL;
		return fail("out of memory");
	}
	fd = mkostemp(*tmp, O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		free(*tmp);
		*tmp = NULL;
		return fail("%s: %s", final, strerror(e));
	}
	if (fchmod(fd, mode) < 0)
		goto fail;
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			goto fail;
		}
		off += (size_t)n;
	}
	if (fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	return fail("%s: %s", final, strerror(e));
}

/* Give tmp its final name, never replacing a file that exists (it may be
 * the only copy of a registered key). */
static int publish(const char *tmp, const char *final)
{
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno == EINVAL || errno == ENOSYS) {
		/* a file system without RENAME_NOREPLACE: link refuses an
		 * existing name too */
		if (link(tmp, final) == 0) {
			unlink(tmp);
			return 0;
		}
	}
	return fail("%s: %s", final,
		    errno == EEXIST ? "exists; not overwriting it"
				    : strerror(errno));
}

/* The directory that will hold the private key: writable by nobody else,
 * unless sticky (/tmp), or another user could swap the key under the
 * name. */
static int key_dir_private(const char *out)
{
	_cleanup_free_ char *dir = dir_of(out);
	struct stat st;

	if (!dir)
		return fail("out of memory");
	if (stat(dir, &st) < 0)
		return fail("%s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return fail("%s: not a directory", dir);
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))
		return fail("%s: writable by group or others (mode %04o): "
			    "another user could replace the key; use a "
			    "directory of your own",
			    dir, (unsigned)(st.st_mode & 07777));
	return 0;
}

static int exists_already(const char *path)
{
	struct stat st;
	if (lstat(path, &st) == 0)
		return fail("%s: exists; not overwriting it", path);
	return 0;
}

static int cmd_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"alg", required_argument, NULL, 'a'},
	    {"out", required_argument, NULL, 'o'},
	    {"pub", required_argument, NULL, 'p'},
	    {"bits", required_argument, NULL, 'b'},
	    {"jwk", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const char usage[] =
	    "usage: " PROG " keygen [--alg ES256|ES384|RS256] [--bits N] "
	    "--out KEY [--pub FILE] [--jwk]\n";
	const char *alg = "ES256", *out = NULL, *pubout = NULL;
	unsigned long bits = 2048;
	bool jwk = false;
	EVP_PKEY *pk = NULL;
	BIO *priv = NULL, *pub = NULL;
	char *pdata = NULL, *udata = NULL, *jtext = NULL;
	const char *ptext;
	size_t ptextlen;
	long plen = 0, ulen = 0;
	struct made m;
	int c, r = 1;

	memset(&m, 0, sizeof(m));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'a': alg = optarg; break;
		case 'o': out = optarg; break;
		case 'p': pubout = optarg; break;
		case 'b': bits = strtoul(optarg, NULL, 10); break;
		case 'j': jwk = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc || !out || !*out || (pubout && !*pubout)) {
		fputs(usage, stderr);
		return 2;
	}
	if (pubout && !strcmp(pubout, out))
		return fail("--pub and --out name the same file");
	if (strcmp(alg, "ES256") && strcmp(alg, "ES384") &&
	    strcmp(alg, "RS256"))
		return fail("--alg must be ES256, ES384 or RS256");
	if (!strcmp(alg, "RS256") &&
	    (bits < SV_RSA_MIN_BITS || bits > SV_RSA_MAX_BITS))
		return fail("--bits must be %d..%d", SV_RSA_MIN_BITS,
			    SV_RSA_MAX_BITS);
	/* the cheap refusals before any work */
	if (exists_already(out) || (pubout && exists_already(pubout)))
		return 1;
	{
		_cleanup_free_ char *kd = dir_of(out);
		_cleanup_free_ char *ud = pubout ? dir_of(pubout) : NULL;
		if (!kd || (pubout && !ud)) {
			fail("out of memory");
			goto out;
		}
		if (make_dirs(kd, &m) || key_dir_private(out) ||
		    (ud && make_dirs(ud, &m)))
			goto out;
	}
	if (!strcmp(alg, "ES256"))
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	else if (!strcmp(alg, "ES384"))
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	else
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	if (!pk) {
		fail("key generation failed");
		goto out;
	}
	priv = BIO_new(BIO_s_mem());
	pub = BIO_new(BIO_s_mem());
	if (!priv || !pub ||
	    !PEM_write_bio_PrivateKey(priv, pk, NULL, NULL, 0, NULL, NULL) ||
	    !PEM_write_bio_PUBKEY(pub, pk)) {
		fail("cannot encode the key");
		goto out;
	}
	plen = BIO_get_mem_data(priv, &pdata);
	ulen = BIO_get_mem_data(pub, &udata);
	if (plen <= 0 || ulen <= 0) {
		fail("cannot encode the key");
		goto out;
	}
	ptext = udata;
	ptextlen = (size_t)ulen;
	if (jwk) {
		struct sv_key k = {0};
		char err[256] = "";
		if (sv_key_import_pem(udata, (size_t)ulen, alg, NULL, &k, err,
				      sizeof(err)) < 0) {
			fail("public key: %s", err);
			goto out;
		}
		json_t *j = sv_key_blob_to_jwk(k.blob, k.bloblen, k.kid);
		sv_key_free(&k);
		jtext = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
		json_decref(j);
		char *nl = jtext ? realloc(jtext, strlen(jtext) + 2) : NULL;
		if (!nl) {
			fail("public key: cannot build the JWK");
			goto out;
		}
		jtext = nl;
		strcat(jtext, "\n");
		ptext = jtext;
		ptextlen = strlen(jtext);
	}
	/* Both files complete under temporary names first, then renamed
	 * without replacing anything: a failure at any point (a full disk,
	 * a quota, a name taken meanwhile) leaves neither. The private key
	 * is 0600 from its creation on. */
	if (write_temp(out, pdata, (size_t)plen, 0600, &m.tmp[0]) ||
	    (pubout && write_temp(pubout, ptext, ptextlen, 0644, &m.tmp[1])))
		goto out;
	if (publish(m.tmp[0], out))
		goto out;
	free(m.tmp[0]);
	m.tmp[0] = NULL;
	m.final[0] = out;
	if (pubout) {
		if (publish(m.tmp[1], pubout))
			goto out;
		free(m.tmp[1]);
		m.tmp[1] = NULL;
		m.final[1] = pubout;
	} else {
		fwrite(ptext, 1, ptextlen, stdout);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fail("writing output: %s", strerror(errno));
			goto out;
		}
	}
	r = 0;
out:
	if (r != 0)
		made_undo(&m);
	made_free(&m);
	if (pdata && plen > 0)
		OPENSSL_cleanse(pdata, (size_t)plen);
	free(jtext);
	BIO_free(priv);
	BIO_free(pub);
	EVP_PKEY_free(pk);
	return r;
}

/* ------------------------------------------------------------ askpass */

struct client_conf {
	char key[PATH_MAX], account[64], audience[256], kid[SV_KID_MAX + 1];
	char scope[1024], token_file[PATH_MAX];
	unsigned lifetime;
};

static void set_field(char *dst, size_t cap, const char *v)
{
	snprintf(dst, cap, "%s", v);
}

/* ~/.config/svcacct/assert.conf: "key = value" lines, '#' comments. It
 * names a private key, so it must be the caller's and not writable by
 * others (anyone who can edit it can redirect the audience). */
static int read_conf_file(struct client_conf *cc)
{
	char path[PATH_MAX], line[1200];
	const char *base = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	struct passwd *pw;
	struct stat st;
	FILE *f;
	int fd, lineno = 0, r = 0;

	if (!home || !*home) {
		pw = getpwuid(geteuid());
		home = pw ? pw->pw_dir : NULL;
	}
	if (base && *base)
		snprintf(path, sizeof(path), "%s/svcacct/assert.conf", base);
	else if (home)
		snprintf(path, sizeof(path), "%s/.config/svcacct/assert.conf",
			 home);
	else
		return 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT ? 0
				       : fail("%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 022)) {
		close(fd);
		return fail("%s: must be a regular file of yours, not writable "
			    "by group or others",
			    path);
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return fail("%s: %s", path, strerror(errno));
	}
	while (fgets(line, sizeof(line), f)) {
		char *k = line, *v, *e;
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		while (isspace((unsigned char)*k))
			k++;
		if (!*k || *k == '#')
			continue;
		v = strchr(k, '=');
		if (!v) {
			r = fail("%s:%d: expected key = value", path, lineno);
			break;
		}
		*v++ = '\0';
		for (e = v - 2; e >= k && isspace((unsigned char)*e); e--)
			*e = '\0';
		while (isspace((unsigned char)*v))
			v++;
		for (e = v + strlen(v) - 1;
		     e >= v && isspace((unsigned char)*e); e--)
			*e = '\0';
		if (!strcmp(k, "key"))
			set_field(cc->key, sizeof(cc->key), v);
		else if (!strcmp(k, "account"))
			set_field(cc->account, sizeof(cc->account), v);
		else if (!strcmp(k, "audience"))
			set_field(cc->audience, sizeof(cc->audience), v);
		else if (!strcmp(k, "kid"))
			set_field(cc->kid, sizeof(cc->kid), v);
		else if (!strcmp(k, "scope"))
			set_field(cc->scope, sizeof(cc->scope), v);
		else if (!strcmp(k, "token_file"))
			set_field(cc->token_file, sizeof(cc->token_file), v);
		else if (!strcmp(k, "lifetime"))
			cc->lifetime = (unsigned)strtoul(v, NULL, 10);
		else {
			r = fail("%s:%d: unknown key '%s'", path, lineno, k);
			break;
		}
	}
	fclose(f);
	return r;
}

static void env_field(char *dst, size_t cap, const char *name)
{
	const char *v = getenv(name);
	if (v && *v)
		set_field(dst, cap, v);
}

/* The environment overrides the file, key by key. */
static int load_client_conf(struct client_conf *cc)
{
	const char *lt;
	memset(cc, 0, sizeof(*cc));
	cc->lifetime = LIFETIME_DEFAULT;
	if (read_conf_file(cc))
		return 1;
	env_field(cc->key, sizeof(cc->key), "SVCACCT_KEY");
	env_field(cc->account, sizeof(cc->account), "SVCACCT_ACCOUNT");
	env_field(cc->audience, sizeof(cc->audience), "SVCACCT_AUDIENCE");
	env_field(cc->kid, sizeof(cc->kid), "SVCACCT_KID");
	env_field(cc->scope, sizeof(cc->scope), "SVCACCT_SCOPE");
	env_field(cc->token_file, sizeof(cc->token_file), "SVCACCT_TOKEN_FILE");
	lt = getenv("SVCACCT_LIFETIME");
	if (lt && *lt)
		cc->lifetime = (unsigned)strtoul(lt, NULL, 10);
	return 0;
}

/* A fresh credential: the token file's content (an IdP token or a client
 * secret, trimmed), or an assertion minted now. */
static char *fresh_credential(const struct client_conf *cc)
{
	if (*cc->token_file) {
		char *buf = NULL;
		size_t len = 0;
		if (read_private_file(cc->token_file, TOKEN_MAX, &buf, &len))
			return NULL;
		while (len && isspace((unsigned char)buf[len - 1]))
			buf[--len] = '\0';
		if (!len || !printable(buf) || strchr(buf, CONT_MARK)) {
			fail("%s: not a credential", cc->token_file);
			free_secret(buf, len);
			return NULL;
		}
		return buf;
	}
	char scope[1024];
	struct mint m = {
	    .key = *cc->key ? cc->key : NULL,
	    .account = *cc->account ? cc->account : NULL,
	    .aud = *cc->audience ? cc->audience : NULL,
	    .kid = *cc->kid ? cc->kid : NULL,
	    .lifetime = cc->lifetime,
	};
	if (*cc->scope) {
		if (scope_from_csv(cc->scope, scope, sizeof(scope)))
			return NULL;
		m.scope = scope;
	}
	if (check_mint(&m)) {
		fail("set SVCACCT_KEY, SVCACCT_ACCOUNT and SVCACCT_AUDIENCE "
		     "(or ~/.config/svcacct/assert.conf)");
		return NULL;
	}
	return mint_token(&m);
}

/* The private directory that keeps a credential between ssh's askpass
 * runs: created 0700, and if it exists it must be a real directory (no
 * symlink), ours, and not accessible to anybody else. Returns an fd. */
static int cache_dir(void)
{
	char path[PATH_MAX];
	const char *rt = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	int fd;

	if (rt && *rt && rt[0] == '/')
		snprintf(path, sizeof(path), "%s/svcacct-assert", rt);
	else
		snprintf(path, sizeof(path), "/tmp/svcacct-assert-%u",
			 (unsigned)geteuid());
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return fail("%s: %s", path, strerror(errno)), -1;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fail("%s: %s", path, strerror(errno)), -1;
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() ||
	    (st.st_mode & 077)) {
		close(fd);
		return fail("%s: not a private directory of yours (owner and "
			    "mode 0700 expected)",
			    path),
		       -1;
	}
	return fd;
}

/* Remove entries older than the TTL (ssh that died between prompts). */
static void cache_expire(int dfd)
{
	int d2 = dup(dfd);
	DIR *d = d2 >= 0 ? fdopendir(d2) : NULL;
	struct dirent *e;
	struct stat st;
	time_t now = time(NULL);

	if (!d) {
		if (d2 >= 0)
			close(d2);
		return;
	}
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "ppid-", 5))
			continue;
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (now - st.st_mtime > CACHE_TTL || now < st.st_mtime))
			unlinkat(dfd, e->d_name, 0);
	}
	closedir(d);
}

static int cache_store(int dfd, const char *name, const char *cred, size_t n)
{
	char tmp[64];
	int fd, r = 0;
	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail("askpass cache: %s", strerror(errno));
	for (size_t off = 0; off < n;) {
		ssize_t w = write(fd, cred + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			r = fail("askpass cache: %s", strerror(errno));
			break;
		}
		off += (size_t)w;
	}
	if (close(fd) < 0 && !r)
		r = fail("askpass cache: %s", strerror(errno));
	if (!r && renameat(dfd, tmp, dfd, name) < 0)
		r = fail("askpass cache: %s", strerror(errno));
	if (r)
		unlinkat(dfd, tmp, 0);
	return r;
}

static char *cache_load(int dfd, const char *name, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	ssize_t n;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		fail("no credential kept for this ssh (first part not asked, "
		     "or older than %d s)",
		     CACHE_TTL);
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 077) || st.st_size <= 0 ||
	    st.st_size > TOKEN_MAX || time(NULL) - st.st_mtime > CACHE_TTL) {
		fail("askpass cache: stale or unsafe entry");
		unlinkat(dfd, name, 0);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		goto out;
	n = read(fd, buf, (size_t)st.st_size);
	if (n != st.st_size) {
		free_secret(buf, (size_t)st.st_size + 1);
		buf = NULL;
		fail("askpass cache: short read");
		goto out;
	}
	buf[n] = '\0';
	*len = (size_t)n;
out:
	close(fd);
	return buf;
}

/* Bytes per part: PART_SIZE, or less with SVCACCT_PART_SIZE (a client
 * with a smaller limit than ssh's; every askpass run of one ssh sees the
 * same environment, so all parts agree). */
static size_t part_size = PART_SIZE;

static size_t nparts(size_t n)
{
	return (n + part_size - 1) / part_size;
}

/* Print part `part` (1-based) of cred, with the mark if more follow. */
static void print_part(const char *cred, size_t n, unsigned part)
{
	size_t off = (size_t)(part - 1) * part_size;
	size_t k = n - off < part_size ? n - off : part_size;
	fwrite(cred + off, 1, k, stdout);
	if (off + k < n)
		putchar(CONT_MARK);
	putchar('\n');
}

/* ssh runs the helper once per prompt, as a new process, with the prompt
 * as its only argument (keyboard-interactive prompts prefixed with
 * "(user@host) "). The first prompt mints; the next ones read the rest of
 * the same credential from the cache, keyed by the pid of the ssh that
 * runs us. */
static int askpass(const char *prompt)
{
	const char *p = getenv("SSH_ASKPASS_PROMPT");
	struct client_conf cc;
	char name[32];
	char *cred = NULL;
	size_t n = 0;
	unsigned part = 0;
	int dfd = -1, r = 1;
	const char *q;

	const char *ps = getenv("SVCACCT_PART_SIZE");
	if (ps && *ps) {
		unsigned long v = strtoul(ps, NULL, 10);
		if (v < 16 || v > PART_SIZE)
			return fail("SVCACCT_PART_SIZE must be 16..%d",
				    PART_SIZE);
		part_size = v;
	}
	if (p && *p)
		/* "confirm" (host keys, agent use) or "none": a question we
		 * must not answer on the user's behalf */
		return fail("refusing to answer a %s prompt", p);
	if ((q = strstr(prompt, "svcacct credential (part "))) {
		unsigned long v = strtoul(q + 25, NULL, 10);
		if (v < 2 || v > 64)
			return fail("bad part prompt");
		part = (unsigned)v;
	} else if (strstr(prompt, "svcacct credential for ") ||
		   (strlen(prompt) >= 10 &&
		    !strcmp(prompt + strlen(prompt) - 10, "password: "))) {
		/* the server's hint of an audience is ignored: we sign for
		 * our own configured one */
		part = 1;
	} else {
		return fail("not a svcacct prompt; not answering: %.80s",
			    prompt);
	}
	snprintf(name, sizeof(name), "ppid-%ld", (long)getppid());
	dfd = cache_dir();
	if (dfd < 0)
		return 1;
	cache_expire(dfd);
	if (part == 1) {
		if (load_client_conf(&cc))
			goto out;
		cred = fresh_credential(&cc);
		OPENSSL_cleanse(&cc, sizeof(cc));
		if (!cred)
			goto out;
		n = strlen(cred);
		unlinkat(dfd, name, 0);
		if (nparts(n) > 1 && cache_store(dfd, name, cred, n))
			goto out;
	} else {
		cred = cache_load(dfd, name, &n);
		if (!cred)
			goto out;
		if (part > nparts(n)) {
			fail("part %u asked, the credential has %zu", part,
			     nparts(n));
			unlinkat(dfd, name, 0);
			goto out;
		}
	}
	print_part(cred, n, part);
	if (part == nparts(n) && part > 1)
		unlinkat(dfd, name, 0);
	r = fflush(stdout) != 0;
out:
	if (cred)
		free_secret(cred, n);
	if (dfd >= 0)
		close(dfd);
	return r;
}

static const char usage_text[] =
    "usage: " PROG " keygen [--alg ES256|ES384|RS256] --out KEY [--pub FILE]\n"
    "                      [--jwk]\n"
    "       " PROG " token --key KEY --account NAME --aud AUD [--kid K]\n"
    "                      [--scope R,R] [--lifetime S] [--split N]\n"
    "       " PROG " sign-manifest --key KEY [--kid K] FILE|-\n"
    "       " PROG " PROMPT   (as SSH_ASKPASS; see svcacct-assert(1))\n";

int main(int argc, char **argv)
{
	/* the key and the cache: nobody else may read what we create */
	umask(077);
	if (argc >= 2 && !strcmp(argv[1], "keygen"))
		return cmd_keygen(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "token"))
		return cmd_token(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "sign-manifest"))
		return cmd_sign_manifest(argc - 1, argv + 1);
	if (argc == 2 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf(PROG " %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (argc == 2)
		return askpass(argv[1]);
	fputs(usage_text, stderr);
	return 2;
}
