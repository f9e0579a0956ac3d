/* SPDX-License-Identifier: MIT */
/* Client secrets and the HMAC host key (secret.h). The secret's layout is
 * fixed by position, not by splitting on '_': the base64url part may itself
 * contain '_'.
 *
 *   0     5                21  22                      65  66      74
 *   svcs_ <id: 16 lowercase hex> _ <secret: 43 base64url> _ <check: 8 hex>
 */
#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "b64.h"
#include "readfile.h"
#include "statefile.h"
#include "util.h"

#define PREFIX_LEN   (sizeof(SV_SECRET_PREFIX) - 1)
#define RAND_LEN     32		/* bytes of randomness in a secret */
#define RAND_B64_LEN 43		/* their unpadded base64url length */
#define CHECK_LEN    8		/* hex digits of the checksum */
#define OFF_ID	     PREFIX_LEN /* 5 */
#define OFF_SEP1     (OFF_ID + SV_CRED_ID_LEN) /* 21 */
#define OFF_RAND     (OFF_SEP1 + 1)	       /* 22 */
#define OFF_SEP2     (OFF_RAND + RAND_B64_LEN) /* 65: the checksummed part */
#define OFF_CHECK    (OFF_SEP2 + 1)	       /* 66 */

_Static_assert(OFF_CHECK + CHECK_LEN == SV_SECRET_LEN, "secret layout");

#define HOSTKEY_NAME "hostkey"

static const char hexdigits[] = "0123456789abcdef";

static void to_hex(const uint8_t *in, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hexdigits[in[i] >> 4];
		out[2 * i + 1] = hexdigits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static bool is_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}

int sv_cred_id_generate(char id[SV_CRED_ID_LEN + 1])
{
	uint8_t r[SV_CRED_ID_LEN / 2];

	if (RAND_bytes(r, sizeof(r)) != 1) {
		id[0] = '\0';
		return -EIO;
	}
	to_hex(r, sizeof(r), id);
	return 0;
}

bool sv_cred_id_valid(const char *s)
{
	return s && strnlen(s, SV_CRED_ID_LEN + 1) == SV_CRED_ID_LEN &&
	       is_lower_hex(s, SV_CRED_ID_LEN);
}

/* The check digits over the first OFF_SEP2 bytes. */
static int checksum(const char *s, char out[CHECK_LEN + 1])
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	if (EVP_Digest(s, OFF_SEP2, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen < CHECK_LEN / 2)
		return -EIO;
	to_hex(md, CHECK_LEN / 2, out);
	return 0;
}

int sv_secret_generate(char out[SV_SECRET_LEN + 1], char id[SV_CRED_ID_LEN + 1])
{
	uint8_t r[RAND_LEN];
	char b64[RAND_B64_LEN + 1];
	char check[CHECK_LEN + 1];
	int ret = -EIO;

	out[0] = '\0';
	if (sv_cred_id_generate(id) < 0)
		goto out;
	if (RAND_bytes(r, sizeof(r)) != 1)
		goto out;
	if (sv_b64url_encode(r, sizeof(r), b64, sizeof(b64)) < 0)
		goto out;
	memcpy(out, SV_SECRET_PREFIX, PREFIX_LEN);
	memcpy(out + OFF_ID, id, SV_CRED_ID_LEN);
	out[OFF_SEP1] = '_';
	memcpy(out + OFF_RAND, b64, RAND_B64_LEN);
	out[OFF_SEP2] = '_';
	if (checksum(out, check) < 0)
		goto out;
	memcpy(out + OFF_CHECK, check, CHECK_LEN);
	out[SV_SECRET_LEN] = '\0';
	ret = 0;
out:
	if (ret < 0) {
		sv_wipe(out, SV_SECRET_LEN + 1);
		id[0] = '\0';
	}
	sv_wipe(r, sizeof(r));
	sv_wipe(b64, sizeof(b64));
	return ret;
}

int sv_secret_parse(const char *s, size_t len, char id[SV_CRED_ID_LEN + 1])
{
	uint8_t raw[RAND_LEN + 2];
	char check[CHECK_LEN + 1];
	size_t rawlen;
	int ret = -EINVAL;

	id[0] = '\0';
	if (!s || len != SV_SECRET_LEN ||
	    memcmp(s, SV_SECRET_PREFIX, PREFIX_LEN) != 0 ||
	    !is_lower_hex(s + OFF_ID, SV_CRED_ID_LEN) || s[OFF_SEP1] != '_' ||
	    s[OFF_SEP2] != '_' || !is_lower_hex(s + OFF_CHECK, CHECK_LEN))
		goto out;
	/* only the canonical encoding of 256 bits, as generated */
	if (sv_b64url_decode(s + OFF_RAND, RAND_B64_LEN, raw, sizeof(raw),
			     &rawlen) < 0 ||
	    rawlen != RAND_LEN)
		goto out;
	if (checksum(s, check) < 0) {
		ret = -EIO;
		goto out;
	}
	/* the checksum is no secret (it is part of what is presented), so a
	 * plain comparison is fine */
	if (memcmp(check, s + OFF_CHECK, CHECK_LEN) != 0) {
		ret = -EBADMSG;
		goto out;
	}
	memcpy(id, s + OFF_ID, SV_CRED_ID_LEN);
	id[SV_CRED_ID_LEN] = '\0';
	ret = 0;
out:
	sv_wipe(raw, sizeof(raw));
	return ret;
}

bool sv_secret_looks_like(const char *s, size_t len)
{
	return s && len >= PREFIX_LEN &&
	       memcmp(s, SV_SECRET_PREFIX, PREFIX_LEN) == 0;
}

int sv_secret_hash(const uint8_t key[SV_HOSTKEY_LEN], const char *s, size_t len,
		   uint8_t out[SV_HASH_LEN])
{
	static const unsigned char empty[1];
	size_t outlen = 0;

	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, SV_HOSTKEY_LEN,
		       len ? (const unsigned char *)s : empty, len, out,
		       SV_HASH_LEN, &outlen) ||
	    outlen != SV_HASH_LEN) {
		OPENSSL_cleanse(out, SV_HASH_LEN);
		return -EIO;
	}
	return 0;
}

int sv_secret_verify(const uint8_t key[SV_HOSTKEY_LEN], const char *s,
		     size_t len, const uint8_t *stored, size_t storedlen)
{
	uint8_t h[SV_HASH_LEN];
	int ret = -EACCES;

	/* the stored length is not secret: a record of the wrong size is
	 * refused before any work */
	if (!stored || storedlen != SV_HASH_LEN)
		return -EACCES;
	if (sv_secret_hash(key, s, len, h) < 0)
		goto out;
	if (CRYPTO_memcmp(h, stored, SV_HASH_LEN) == 0)
		ret = 0;
out:
	OPENSSL_cleanse(h, sizeof(h));
	return ret;
}

/* ------------------------------------------------------------ host key */

/* Read the key from an open file after checking that nobody but root can
 * have read or changed it. */
static int hostkey_read(int fd, uint8_t key[SV_HOSTKEY_LEN])
{
	struct stat st;
	uint8_t buf[SV_HOSTKEY_LEN + 1];
	ssize_t got;
	int ret;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (S_ISUID | S_ISGID | S_ISVTX | S_IRWXG | S_IRWXO)))
		return -EPERM;
	if (st.st_size != SV_HOSTKEY_LEN)
		return -EBADMSG;
	/* one byte more than needed, to notice a file that grew; a read
	 * that ends short of it has met the end of the file */
	do
		got = pread(fd, buf, sizeof(buf), 0);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		got = -errno;
	if (got < 0) {
		ret = (int)got;
		goto out;
	}
	if (got != SV_HOSTKEY_LEN) {
		ret = -EBADMSG;
		goto out;
	}
	memcpy(key, buf, SV_HOSTKEY_LEN);
	ret = 0;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	return ret;
}

static int hostkey_open(int dfd, uint8_t key[SV_HOSTKEY_LEN])
{
	int fd, ret;

	fd = openat(dfd, HOSTKEY_NAME,
		    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		/* a symlink (ELOOP) is someone else's file */
		return errno == ELOOP ? -EPERM : -errno;
	}
	ret = hostkey_read(fd, key);
	close(fd);
	return ret;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t r = write(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Make a new key under a temporary name and link() it into place, so that
 * no reader ever sees a partial key and a key that exists (possibly made
 * by a concurrent caller a moment ago) is never replaced. 0 when a key is
 * in place afterwards, ours or the other one. */
static int hostkey_create(int dfd)
{
	uint8_t key[SV_HOSTKEY_LEN], rnd[8];
	char tmp[64], hex[2 * sizeof(rnd) + 1];
	bool made = false;
	int fd = -1, ret;

	if (RAND_bytes(key, sizeof(key)) != 1 ||
	    RAND_bytes(rnd, sizeof(rnd)) != 1) {
		ret = -EIO;
		goto out;
	}
	to_hex(rnd, sizeof(rnd), hex);
	snprintf(tmp, sizeof(tmp), "." HOSTKEY_NAME ".%s.tmp", hex);
	fd = sv_state_file_create(dfd, tmp);
	if (fd < 0) {
		ret = fd;
		goto out;
	}
	made = true;
	/* the mode given to openat went through the umask; be exact */
	if (fchmod(fd, 0600) < 0) {
		ret = -errno;
		goto out;
	}
	ret = write_all(fd, key, sizeof(key));
	if (ret < 0)
		goto out;
	if (fsync(fd) < 0) {
		ret = -errno;
		goto out;
	}
	if (linkat(dfd, tmp, dfd, HOSTKEY_NAME, 0) < 0 && errno != EEXIST) {
		ret = -errno;
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (made)
		unlinkat(dfd, tmp, 0);
	/* the link (or the unlink of the temporary name) must survive a
	 * crash before the key is used to hash anything */
	if (ret == 0 && fsync(dfd) < 0)
		ret = -errno;
	OPENSSL_cleanse(key, sizeof(key));
	return ret;
}

int sv_hostkey_load_at(int sfd, uint8_t key[SV_HOSTKEY_LEN])
{
	int ret = hostkey_open(sfd, key);
	if (ret < 0)
		OPENSSL_cleanse(key, SV_HOSTKEY_LEN);
	return ret;
}

int sv_hostkey_load(const struct sv_config *c, uint8_t key[SV_HOSTKEY_LEN],
		    bool create)
{
	int dfd, ret;

	dfd = open(c->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
	if (dfd < 0) {
		ret = -errno;
		goto out;
	}
	ret = hostkey_open(dfd, key);
	if (ret == -ENOENT && create) {
		ret = hostkey_create(dfd);
		/* whoever won a race, read back what is in place, through the
		 * same checks as any other load */
		if (ret == 0)
			ret = hostkey_open(dfd, key);
	}
out:
	if (dfd >= 0)
		close(dfd);
	if (ret < 0)
		OPENSSL_cleanse(key, SV_HOSTKEY_LEN);
	return ret;
}
