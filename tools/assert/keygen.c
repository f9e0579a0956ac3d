/* SPDX-License-Identifier: MIT */
/* svcacct-assert keygen: a key pair, the private key 0600 in a directory
 * nobody else can write, the public key as PEM or JWK. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/pem.h>

#include "assert.h"
#include "keys.h"

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
	/* innermost first; the names stay recorded for made_free */
	for (size_t i = m->ndirs; i > 0; i--)
		rmdir(m->dirs[i - 1]);
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
	char *dir = dir_of(final);
	const char *base = strrchr(final, '/');
	int fd, e;

	base = base ? base + 1 : final;
	if (!dir || asprintf(tmp, "%s/.%s.XXXXXX", dir, base) < 0) {
		free(dir);
		*tmp = NULL;
		return fail("out of memory");
	}
	free(dir);
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
	char *dir = dir_of(out);
	struct stat st;
	int r;

	if (!dir)
		return fail("out of memory");
	if (stat(dir, &st) < 0)
		r = fail("%s: %s", dir, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		r = fail("%s: not a directory", dir);
	else if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))
		r = fail("%s: writable by group or others (mode %04o): "
			 "another user could replace the key; use a "
			 "directory of your own",
			 dir, (unsigned)(st.st_mode & 07777));
	else
		r = 0;
	free(dir);
	return r;
}

static int exists_already(const char *path)
{
	struct stat st;
	if (lstat(path, &st) == 0)
		return fail("%s: exists; not overwriting it", path);
	return 0;
}

int cmd_keygen(const struct assert_args *a)
{
	const char *alg = a->alg ? a->alg : "ES256", *out = a->out;
	const char *pubout = a->pub;
	unsigned long bits = a->bits ? strtoul(a->bits, NULL, 10) : 2048;
	bool jwk = a->jwk;
	EVP_PKEY *pk = NULL;
	BIO *priv = NULL, *pub = NULL;
	char *pdata = NULL, *udata = NULL, *jtext = NULL;
	char *kd = NULL, *ud = NULL;
	const char *ptext;
	size_t ptextlen;
	long plen = 0, ulen = 0;
	struct made m;
	int r = 1;

	memset(&m, 0, sizeof(m));
	if (!*out)
		return usage_error("--out: an empty name");
	if (pubout && !*pubout)
		return usage_error("--pub: an empty name");
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
	kd = dir_of(out);
	ud = pubout ? dir_of(pubout) : NULL;
	if (!kd || (pubout && !ud)) {
		fail("out of memory");
		goto out;
	}
	if (make_dirs(kd, &m) || key_dir_private(out) ||
	    (ud && make_dirs(ud, &m)))
		goto out;
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
	free(kd);
	free(ud);
	if (pdata && plen > 0)
		OPENSSL_cleanse(pdata, (size_t)plen);
	free(jtext);
	BIO_free(priv);
	BIO_free(pub);
	EVP_PKEY_free(pk);
	return r;
}
