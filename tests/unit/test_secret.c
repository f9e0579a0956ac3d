/* SPDX-License-Identifier: MIT */
/* Unit tests: client secrets, their keyed hash, the host key (secret.h),
 * and the base64url codec they use (b64.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "b64.h"
#include "config.h"
#include "secret.h"

/* A secret with 256 zero bits: its checksum computed independently. */
#define KAT_SECRET                                                             \
	"svcs_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA_"   \
	"bcb73a5c"
/* HMAC-SHA-256 of KAT_SECRET with its last 8 characters replaced by '0',
 * under the key 00 01 .. 1f (Python's hmac module). */
#define KAT_HMAC_INPUT                                                         \
	"svcs_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA_"   \
	"00000000"
static const uint8_t kat_hmac[SV_HASH_LEN] = {
    0xce, 0x94, 0x95, 0x2c, 0xfd, 0xdc, 0x57, 0x64, 0xb6, 0x8c, 0xda,
    0xfd, 0xd3, 0x92, 0xd9, 0xfe, 0xfe, 0xbb, 0xe9, 0x3a, 0x80, 0xef,
    0xf1, 0x6c, 0x13, 0xbe, 0x7f, 0x7f, 0xe6, 0xe5, 0x81, 0xd1};

static void key_seq(uint8_t key[SV_HOSTKEY_LEN], uint8_t start)
{
	for (int i = 0; i < SV_HOSTKEY_LEN; i++)
		key[i] = (uint8_t)(start + i);
}

/* ------------------------------------------------------------- base64 */

static void test_b64url_vectors(void **state)
{
	/* RFC 4648 section 10, in the url alphabet without padding */
	static const struct {
		const char *in, *out;
	} v[] = {{"", ""},
		 {"f", "Zg"},
		 {"fo", "Zm8"},
		 {"foo", "Zm9v"},
		 {"foob", "Zm9vYg"},
		 {"fooba", "Zm9vYmE"},
		 {"foobar", "Zm9vYmFy"}};
	char out[32];
	uint8_t dec[32];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t l = strlen(v[i].in);
		assert_int_equal(sv_b64url_enclen(l), strlen(v[i].out));
		assert_int_equal(sv_b64url_encode(v[i].in, l, out, sizeof(out)),
				 0);
		assert_string_equal(out, v[i].out);
		assert_int_equal(sv_b64url_decode(v[i].out, strlen(v[i].out),
						  dec, sizeof(dec), &n),
				 0);
		assert_int_equal(n, l);
		assert_memory_equal(dec, v[i].in, l);
	}
	/* the two characters that differ from the standard alphabet */
	{
		const uint8_t b[3] = {0xfb, 0xff, 0xbf};
		char *s = sv_b64url_encode_alloc(b, 3);
		assert_non_null(s);
		assert_string_equal(s, "-_-_");
		free(s);
		assert_int_equal(sv_b64_decode("+/+/", 4, dec, sizeof(dec), &n),
				 0);
		assert_int_equal(n, 3);
		assert_memory_equal(dec, b, 3);
	}
	assert_int_equal(sv_b64_decode("Zm9vYg==", 8, dec, sizeof(dec), &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(sv_b64_decode("Zm9vYmE=", 8, dec, sizeof(dec), &n), 0);
	assert_int_equal(n, 5);
}

static void test_b64_strict(void **state)
{
	static const char *const bad_url[] = {"Zg==",
					      "Zg=",
					      "Z",
					      "Zm9vY",
					      "Zh",
					      "Zm9",
					      "Zm+v",
					      "Zm/v",
					      "Zm v",
					      "Zm9v\n",
					      "Zm.v",
					      "Zm9=",
					      "\xc3\xa9\xc3\xa9",
					      "Zm9vZmF"};
	static const char *const bad_std[] = {
	    "Zg",   "Zg=",  "Zh==",   "Zm9vYmF=",  "Zg=a", "Z===", "====",
	    "Zm-v", "Zm_v", "Zm9v\n", "Zm9v Zg==", "=Zm9", "Zm=v", "Zg==Zg=="};
	uint8_t out[32];
	size_t n = 99;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_url) / sizeof(bad_url[0]); i++) {
		size_t l = strlen(bad_url[i]);
		assert_int_equal(
		    sv_b64url_decode(bad_url[i], l, out, sizeof(out), &n),
		    -EINVAL);
		assert_int_equal(n, 0);
	}
	for (size_t i = 0; i < sizeof(bad_std) / sizeof(bad_std[0]); i++)
		assert_int_equal(sv_b64_decode(bad_std[i], strlen(bad_std[i]),
					       out, sizeof(out), &n),
				 -EINVAL);
	/* too small an output, exactly large enough */
	assert_int_equal(sv_b64url_decode("Zm9vYmE", 7, out, 4, &n), -ENOSPC);
	assert_int_equal(sv_b64url_decode("Zm9vYmE", 7, out, 5, &n), 0);
	assert_int_equal(n, 5);
	assert_true(sv_b64_declen_max(7) >= 5);
	{
		char s[8];
		assert_int_equal(sv_b64url_encode("foo", 3, s, 4), -ENOSPC);
		assert_string_equal(s, "");
		assert_int_equal(sv_b64url_encode("foo", 3, s, 5), 0);
	}
	assert_int_equal(sv_b64url_enclen(SIZE_MAX), SIZE_MAX);
	assert_null(sv_b64url_encode_alloc("x", SIZE_MAX));
}

/* Every byte value and length round-trips; every encoding of random data
 * decodes back. */
static void test_b64_roundtrip(void **state)
{
	uint8_t in[256], dec[256];
	char enc[400];
	size_t n;

	(void)state;
	for (int i = 0; i < 256; i++)
		in[i] = (uint8_t)(i * 7 + 3);
	for (size_t l = 0; l <= sizeof(in); l++) {
		assert_int_equal(sv_b64url_encode(in, l, enc, sizeof(enc)), 0);
		assert_int_equal(strlen(enc), sv_b64url_enclen(l));
		assert_null(strchr(enc, '='));
		assert_int_equal(
		    sv_b64url_decode(enc, strlen(enc), dec, sizeof(dec), &n),
		    0);
		assert_int_equal(n, l);
		assert_memory_equal(dec, in, l);
	}
}

/* The table decoder for public data agrees with the branch-free one on
 * every input: all 1- to 3-character strings over every byte value at
 * the positions that matter, and every length of real encodings. */
static void test_b64_public_agrees(void **state)
{
	uint8_t a[8], b[8], in[256], dec1[256], dec2[256];
	char s[4], enc[400];
	size_t na, nb;

	(void)state;
	for (int len = 1; len <= 3; len++) {
		for (unsigned v = 0; v < (1u << (8 * len)) && v < (1u << 16);
		     v++) {
			for (int k = 0; k < len; k++)
				s[k] =
				    (char)(len == 3 && k == 0
					       ? 'Q'
					       : v >> (8 * (k - (len == 3))));
			int ra =
			    sv_b64url_decode(s, (size_t)len, a, sizeof(a), &na);
			int rb = sv_b64url_decode_public(s, (size_t)len, b,
							 sizeof(b), &nb);
			assert_int_equal(ra, rb);
			if (ra == 0) {
				assert_int_equal(na, nb);
				assert_memory_equal(a, b, na);
			}
		}
	}
	for (unsigned c = 0; c < 256; c++)
		assert_int_equal(
		    sv_b64url_is_char((unsigned char)c),
		    (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			(c >= '0' && c <= '9') || c == '-' || c == '_');
	for (int i = 0; i < 256; i++)
		in[i] = (uint8_t)(i * 13 + 5);
	for (size_t l = 0; l <= sizeof(in); l++) {
		assert_int_equal(sv_b64url_encode(in, l, enc, sizeof(enc)), 0);
		assert_int_equal(sv_b64url_decode_public(enc, strlen(enc), dec1,
							 sizeof(dec1), &na),
				 0);
		assert_int_equal(na, l);
		assert_memory_equal(dec1, in, l);
		/* a small output buffer is refused the same way */
		if (l > 0)
			assert_int_equal(
			    sv_b64url_decode_public(enc, strlen(enc), dec2,
						    l - 1, &nb),
			    -ENOSPC);
	}
}

/* ----------------------------------------------------------- secrets */

static bool in_set(char c, const char *set)
{
	return c && strchr(set, c);
}

static void test_generate_format(void **state)
{
	static const char *const hex = "0123456789abcdef";
	static const char *const b64 =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_";
	char s[SV_SECRET_LEN + 1], id[SV_CRED_ID_LEN + 1];
	char s2[SV_SECRET_LEN + 1], id2[SV_CRED_ID_LEN + 1];
	char pid[SV_CRED_ID_LEN + 1];

	(void)state;
	assert_int_equal(sv_secret_generate(s, id), 0);
	assert_int_equal(strlen(s), SV_SECRET_LEN);
	assert_int_equal(strlen(id), SV_CRED_ID_LEN);
	assert_memory_equal(s, "svcs_", 5);
	assert_memory_equal(s + 5, id, SV_CRED_ID_LEN);
	assert_int_equal(s[21], '_');
	assert_int_equal(s[65], '_');
	for (int i = 5; i < 21; i++)
		assert_true(in_set(s[i], hex));
	for (int i = 22; i < 65; i++)
		assert_true(in_set(s[i], b64));
	for (int i = 66; i < 74; i++)
		assert_true(in_set(s[i], hex));
	/* no character a JWS or the parts continuation could contain */
	assert_null(strpbrk(s, ".:= \t\n+/"));
	assert_true(sv_cred_id_valid(id));
	assert_true(sv_secret_looks_like(s, strlen(s)));
	assert_int_equal(sv_secret_parse(s, strlen(s), pid), 0);
	assert_string_equal(pid, id);

	/* fresh randomness each time */
	assert_int_equal(sv_secret_generate(s2, id2), 0);
	assert_string_not_equal(s, s2);
	assert_string_not_equal(id, id2);
	assert_memory_not_equal(s + 22, s2 + 22, 43);
}

static void test_generate_many(void **state)
{
	char s[SV_SECRET_LEN + 1], id[SV_CRED_ID_LEN + 1];
	char pid[SV_CRED_ID_LEN + 1];

	(void)state;
	for (int i = 0; i < 2000; i++) {
		assert_int_equal(sv_secret_generate(s, id), 0);
		assert_int_equal(strlen(s), SV_SECRET_LEN);
		assert_int_equal(sv_secret_parse(s, SV_SECRET_LEN, pid), 0);
		assert_string_equal(pid, id);
	}
}

static void test_parse_known(void **state)
{
	char id[SV_CRED_ID_LEN + 1];
	char buf[SV_SECRET_LEN + 8];

	(void)state;
	assert_int_equal(strlen(KAT_SECRET), SV_SECRET_LEN);
	assert_int_equal(sv_secret_parse(KAT_SECRET, SV_SECRET_LEN, id), 0);
	assert_string_equal(id, "0123456789abcdef");
	/* not NUL-terminated: only len bytes count */
	memcpy(buf, KAT_SECRET, SV_SECRET_LEN);
	memcpy(buf + SV_SECRET_LEN, "garbage", 8);
	assert_int_equal(sv_secret_parse(buf, SV_SECRET_LEN, id), 0);
	assert_int_equal(sv_secret_parse(buf, SV_SECRET_LEN + 7, id), -EINVAL);
}

/* A checksum must catch any single changed character. */
static void test_parse_single_change(void **state)
{
	static const char subst[] = "aZ09_-f.= A";
	char s[SV_SECRET_LEN + 1], id[SV_CRED_ID_LEN + 1];
	char t[SV_SECRET_LEN + 1], pid[SV_CRED_ID_LEN + 1];

	(void)state;
	assert_int_equal(sv_secret_generate(s, id), 0);
	for (int pos = 0; pos < SV_SECRET_LEN; pos++) {
		for (const char *c = subst; *c; c++) {
			if (*c == s[pos])
				continue;
			memcpy(t, s, sizeof(t));
			t[pos] = *c;
			assert_true(sv_secret_parse(t, SV_SECRET_LEN, pid) < 0);
			assert_string_equal(pid, "");
		}
	}
	/* a well-formed change (the checksum is what catches it) */
	memcpy(t, s, sizeof(t));
	t[30] = t[30] == 'B' ? 'C' : 'B';
	assert_int_equal(sv_secret_parse(t, SV_SECRET_LEN, pid), -EBADMSG);
	memcpy(t, s, sizeof(t));
	t[10] = t[10] == '7' ? '8' : '7';
	assert_int_equal(sv_secret_parse(t, SV_SECRET_LEN, pid), -EBADMSG);
	memcpy(t, s, sizeof(t));
	t[70] = t[70] == 'a' ? 'b' : 'a';
	assert_int_equal(sv_secret_parse(t, SV_SECRET_LEN, pid), -EBADMSG);
	/* two characters swapped */
	memcpy(t, KAT_SECRET, sizeof(t));
	t[5] = '1';
	t[6] = '0';
	assert_int_equal(sv_secret_parse(t, SV_SECRET_LEN, pid), -EBADMSG);
}

static void test_parse_malformed(void **state)
{
	char t[SV_SECRET_LEN + 2], id[SV_CRED_ID_LEN + 1];

	(void)state;
	/* wrong prefix, even with a matching checksum over it */
	memcpy(t, KAT_SECRET, SV_SECRET_LEN + 1);
	memcpy(t, "svcx_", 5);
	assert_int_equal(sv_secret_parse(t, SV_SECRET_LEN, id), -EINVAL);
	memcpy(t, "SVCS_", 5);
	assert_int_equal(sv_secret_parse(t, SV_SECRET_LEN, id), -EINVAL);
	/* wrong lengths */
	assert_int_equal(sv_secret_parse(KAT_SECRET, SV_SECRET_LEN - 1, id),
			 -EINVAL);
	assert_int_equal(sv_secret_parse("", 0, id), -EINVAL);
	assert_int_equal(sv_secret_parse(NULL, SV_SECRET_LEN, id), -EINVAL);
	memcpy(t, KAT_SECRET "x", SV_SECRET_LEN + 2);
	assert_int_equal(sv_secret_parse(t, SV_SECRET_LEN + 1, id), -EINVAL);
	/* one byte of the good secret changed */
	static const struct {
		size_t at;
		char c;
	} bad[] = {
	    {15, 'A'},	/* upper-case hex in the id */
	    {66, 'B'},	/* upper-case hex in the check */
	    {21, '-'},	/* a wrong separator */
	    {65, '.'},	/* a wrong separator */
	    {40, '\0'}, /* a NUL inside */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(t, KAT_SECRET, SV_SECRET_LEN + 1);
		t[bad[i].at] = bad[i].c;
		assert_int_equal(sv_secret_parse(t, SV_SECRET_LEN, id),
				 -EINVAL);
	}
	/* a JWS is not a secret */
	assert_int_equal(
	    sv_secret_parse("eyJhbGciOiJFUzI1NiJ9.e30.sig", 28, id), -EINVAL);
}

static void test_looks_like(void **state)
{
	(void)state;
	assert_true(sv_secret_looks_like(KAT_SECRET, SV_SECRET_LEN));
	assert_true(sv_secret_looks_like("svcs_", 5));
	assert_false(sv_secret_looks_like("svcs", 4));
	assert_false(sv_secret_looks_like("svcs_", 4));
	assert_false(sv_secret_looks_like("SVCS_abc", 8));
	assert_false(sv_secret_looks_like("eyJhbGciOiJFUzI1NiJ9", 20));
	assert_false(sv_secret_looks_like(NULL, 10));
	assert_false(sv_secret_looks_like("", 0));
}

static void test_cred_id(void **state)
{
	char id[SV_CRED_ID_LEN + 1], id2[SV_CRED_ID_LEN + 1];

	(void)state;
	assert_int_equal(sv_cred_id_generate(id), 0);
	assert_int_equal(strlen(id), SV_CRED_ID_LEN);
	assert_true(sv_cred_id_valid(id));
	assert_int_equal(sv_cred_id_generate(id2), 0);
	assert_string_not_equal(id, id2);
	assert_true(sv_cred_id_valid("0123456789abcdef"));
	assert_false(sv_cred_id_valid("0123456789ABCDEF"));
	assert_false(sv_cred_id_valid("0123456789abcde"));
	assert_false(sv_cred_id_valid("0123456789abcdef0"));
	assert_false(sv_cred_id_valid("0123456789abcdeg"));
	assert_false(sv_cred_id_valid("../3456789abcdef"));
	assert_false(sv_cred_id_valid(""));
	assert_false(sv_cred_id_valid(NULL));
}

static void test_hash(void **state)
{
	uint8_t k1[SV_HOSTKEY_LEN], k2[SV_HOSTKEY_LEN];
	uint8_t h1[SV_HASH_LEN], h2[SV_HASH_LEN], h3[SV_HASH_LEN];

	(void)state;
	key_seq(k1, 0);
	key_seq(k2, 1);
	/* the right primitive under the right key */
	assert_int_equal(sv_secret_hash(k1, KAT_HMAC_INPUT, SV_SECRET_LEN, h1),
			 0);
	assert_memory_equal(h1, kat_hmac, SV_HASH_LEN);
	/* deterministic */
	assert_int_equal(sv_secret_hash(k1, KAT_SECRET, SV_SECRET_LEN, h1), 0);
	assert_int_equal(sv_secret_hash(k1, KAT_SECRET, SV_SECRET_LEN, h2), 0);
	assert_memory_equal(h1, h2, SV_HASH_LEN);
	/* depends on the key */
	assert_int_equal(sv_secret_hash(k2, KAT_SECRET, SV_SECRET_LEN, h3), 0);
	assert_memory_not_equal(h1, h3, SV_HASH_LEN);
	/* and on every byte of the secret, length included */
	assert_int_equal(sv_secret_hash(k1, KAT_SECRET, SV_SECRET_LEN - 1, h3),
			 0);
	assert_memory_not_equal(h1, h3, SV_HASH_LEN);
	assert_int_equal(sv_secret_hash(k1, "", 0, h3), 0);
	assert_memory_not_equal(h1, h3, SV_HASH_LEN);
}

static void test_verify(void **state)
{
	uint8_t k1[SV_HOSTKEY_LEN], k2[SV_HOSTKEY_LEN];
	uint8_t h[SV_HASH_LEN + 1];
	char s[SV_SECRET_LEN + 1], id[SV_CRED_ID_LEN + 1];
	char other[SV_SECRET_LEN + 1];

	(void)state;
	key_seq(k1, 0x40);
	key_seq(k2, 0x41);
	assert_int_equal(sv_secret_generate(s, id), 0);
	assert_int_equal(sv_secret_hash(k1, s, SV_SECRET_LEN, h), 0);
	assert_int_equal(sv_secret_verify(k1, s, SV_SECRET_LEN, h, SV_HASH_LEN),
			 0);
	/* another secret, the same secret under another key */
	assert_int_equal(sv_secret_generate(other, id), 0);
	assert_int_equal(
	    sv_secret_verify(k1, other, SV_SECRET_LEN, h, SV_HASH_LEN),
	    -EACCES);
	assert_int_equal(sv_secret_verify(k2, s, SV_SECRET_LEN, h, SV_HASH_LEN),
			 -EACCES);
	/* one character off, a prefix of it */
	memcpy(other, s, sizeof(other));
	other[40] ^= 1;
	assert_int_equal(
	    sv_secret_verify(k1, other, SV_SECRET_LEN, h, SV_HASH_LEN),
	    -EACCES);
	assert_int_equal(
	    sv_secret_verify(k1, s, SV_SECRET_LEN - 1, h, SV_HASH_LEN),
	    -EACCES);
	/* a stored hash of the wrong length, even if its prefix matches */
	h[SV_HASH_LEN] = 0;
	assert_int_equal(
	    sv_secret_verify(k1, s, SV_SECRET_LEN, h, SV_HASH_LEN - 1),
	    -EACCES);
	assert_int_equal(
	    sv_secret_verify(k1, s, SV_SECRET_LEN, h, SV_HASH_LEN + 1),
	    -EACCES);
	assert_int_equal(sv_secret_verify(k1, s, SV_SECRET_LEN, h, 0), -EACCES);
	assert_int_equal(
	    sv_secret_verify(k1, s, SV_SECRET_LEN, NULL, SV_HASH_LEN), -EACCES);
	/* a damaged stored hash */
	h[31] ^= 0x80;
	assert_int_equal(sv_secret_verify(k1, s, SV_SECRET_LEN, h, SV_HASH_LEN),
			 -EACCES);
}

/* ---------------------------------------------------------- host key */

struct tmpdir {
	char base[64];
	char dir[128];
	int n;
};

/* The owner check can only pass as root. CI runs the tests as root and
 * must not skip them; elsewhere, say why they did not run. */
static bool need_root(void)
{
	const char *ci = getenv("CI");

	if (geteuid() == 0)
		return true;
	if (ci && strcmp(ci, "true") == 0)
		fail_msg("host key tests need root (CI=true: not skipping)");
	return false;
}

static void rm_flat(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) < 0 && errno == EISDIR)
			unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
	rmdir(dir);
}

static int hk_setup(void **state)
{
	static struct tmpdir t;

	snprintf(t.base, sizeof(t.base), "/tmp/test_secret.XXXXXX");
	if (!mkdtemp(t.base))
		return -1;
	t.n = 0;
	*state = &t;
	return 0;
}

static int hk_teardown(void **state)
{
	struct tmpdir *t = *state;

	rmdir(t->base);
	return 0;
}

/* A fresh state directory per test. */
static int hk_each_setup(void **state)
{
	struct tmpdir *t = *state;

	snprintf(t->dir, sizeof(t->dir), "%s/s%d", t->base, t->n++);
	return mkdir(t->dir, 0700);
}

static int hk_each_teardown(void **state)
{
	struct tmpdir *t = *state;

	rm_flat(t->dir);
	return 0;
}

static void cfg_for(struct sv_config *c, const char *dir)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->state_dir, sizeof(c->state_dir), "%s", dir);
}

static void path_of(char *buf, size_t n, const char *dir, const char *name)
{
	snprintf(buf, n, "%s/%s", dir, name);
}

static void write_file(const char *path, const void *p, size_t n, int mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void test_hostkey_create_load(void **state)
{
	struct tmpdir *t = *state;
	struct sv_config c;
	uint8_t k1[SV_HOSTKEY_LEN], k2[SV_HOSTKEY_LEN], zero[SV_HOSTKEY_LEN];
	char p[256];
	struct stat st;

	if (!need_root())
		skip();
	cfg_for(&c, t->dir);
	memset(zero, 0, sizeof(zero));
	assert_int_equal(sv_hostkey_load(&c, k1, false), -ENOENT);
	assert_int_equal(sv_hostkey_load(&c, k1, true), 0);
	assert_memory_not_equal(k1, zero, SV_HOSTKEY_LEN);
	path_of(p, sizeof(p), t->dir, "hostkey");
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_size, SV_HOSTKEY_LEN);
	assert_int_equal(st.st_nlink, 1);
	/* no temporary file left behind */
	assert_int_equal(count_entries(t->dir), 1);
	/* loaded again, with or without create: the same key, never a new
	 * one */
	assert_int_equal(sv_hostkey_load(&c, k2, false), 0);
	assert_memory_equal(k1, k2, SV_HOSTKEY_LEN);
	assert_int_equal(sv_hostkey_load(&c, k2, true), 0);
	assert_memory_equal(k1, k2, SV_HOSTKEY_LEN);
	/* a key written by someone else is read as it is */
	key_seq(k1, 7);
	unlink(p);
	write_file(p, k1, sizeof(k1), 0600);
	assert_int_equal(sv_hostkey_load(&c, k2, true), 0);
	assert_memory_equal(k1, k2, SV_HOSTKEY_LEN);
	/* an owner-only read-only key is as safe */
	assert_int_equal(chmod(p, 0400), 0);
	assert_int_equal(sv_hostkey_load(&c, k2, false), 0);
}

static void test_hostkey_umask(void **state)
{
	struct tmpdir *t = *state;
	struct sv_config c;
	uint8_t k[SV_HOSTKEY_LEN];
	char p[256];
	struct stat st;
	mode_t old;

	if (!need_root())
		skip();
	cfg_for(&c, t->dir);
	old = umask(0);
	assert_int_equal(sv_hostkey_load(&c, k, true), 0);
	umask(old);
	path_of(p, sizeof(p), t->dir, "hostkey");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
}

static void test_hostkey_unsafe(void **state)
{
	static const int bad_modes[] = {0644, 0640, 0604,  0660,
					0602, 0610, 04600, 0700 | 01000};
	struct tmpdir *t = *state;
	struct sv_config c;
	uint8_t k[SV_HOSTKEY_LEN], k2[SV_HOSTKEY_LEN], seq[SV_HOSTKEY_LEN];
	char p[256], other[256];

	if (!need_root())
		skip();
	cfg_for(&c, t->dir);
	path_of(p, sizeof(p), t->dir, "hostkey");
	key_seq(seq, 3);
	write_file(p, seq, sizeof(seq), 0600);
	for (size_t i = 0; i < sizeof(bad_modes) / sizeof(bad_modes[0]); i++) {
		assert_int_equal(chmod(p, (mode_t)bad_modes[i]), 0);
		memset(k, 0xaa, sizeof(k));
		assert_int_equal(sv_hostkey_load(&c, k, false), -EPERM);
		/* create never replaces an existing key, even an unsafe one */
		assert_int_equal(sv_hostkey_load(&c, k, true), -EPERM);
		/* nothing of the key is handed out */
		memset(k2, 0, sizeof(k2));
		assert_memory_equal(k, k2, SV_HOSTKEY_LEN);
	}
	/* not owned by root */
	assert_int_equal(chmod(p, 0600), 0);
	assert_int_equal(chown(p, 1, 1), 0);
	assert_int_equal(sv_hostkey_load(&c, k, false), -EPERM);
	assert_int_equal(sv_hostkey_load(&c, k, true), -EPERM);
	assert_int_equal(chown(p, 0, 0), 0);
	assert_int_equal(sv_hostkey_load(&c, k, false), 0);
	assert_memory_equal(k, seq, SV_HOSTKEY_LEN);

	/* a symlink, even to a good key */
	path_of(other, sizeof(other), t->dir, "real");
	assert_int_equal(rename(p, other), 0);
	assert_int_equal(symlink("real", p), 0);
	assert_int_equal(sv_hostkey_load(&c, k, false), -EPERM);
	assert_int_equal(sv_hostkey_load(&c, k, true), -EPERM);
	assert_int_equal(unlink(p), 0);

	/* a directory, a FIFO */
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(sv_hostkey_load(&c, k, true), -EPERM);
	assert_int_equal(rmdir(p), 0);
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(sv_hostkey_load(&c, k, true), -EPERM);
	assert_int_equal(unlink(p), 0);
}

static void test_hostkey_bad_size(void **state)
{
	struct tmpdir *t = *state;
	struct sv_config c;
	uint8_t k[SV_HOSTKEY_LEN], buf[SV_HOSTKEY_LEN + 1];
	char p[256];

	if (!need_root())
		skip();
	cfg_for(&c, t->dir);
	path_of(p, sizeof(p), t->dir, "hostkey");
	memset(buf, 0x5a, sizeof(buf));
	write_file(p, buf, SV_HOSTKEY_LEN - 1, 0600);
	assert_int_equal(sv_hostkey_load(&c, k, false), -EBADMSG);
	assert_int_equal(sv_hostkey_load(&c, k, true), -EBADMSG);
	write_file(p, buf, SV_HOSTKEY_LEN + 1, 0600);
	assert_int_equal(sv_hostkey_load(&c, k, true), -EBADMSG);
	write_file(p, buf, 0, 0600);
	assert_int_equal(sv_hostkey_load(&c, k, true), -EBADMSG);
	/* still there, untouched */
	assert_int_equal(count_entries(t->dir), 1);
}

static void test_hostkey_no_dir(void **state)
{
	struct tmpdir *t = *state;
	struct sv_config c;
	uint8_t k[SV_HOSTKEY_LEN];
	char p[256];

	if (!need_root())
		skip();
	path_of(p, sizeof(p), t->dir, "missing");
	cfg_for(&c, p);
	assert_int_equal(sv_hostkey_load(&c, k, false), -ENOENT);
	assert_int_equal(sv_hostkey_load(&c, k, true), -ENOENT);
	/* the state dir is a file */
	write_file(p, "x", 1, 0600);
	assert_int_equal(sv_hostkey_load(&c, k, true), -ENOTDIR);
}

int main(void)
{
	/* one group: the TAP driver accepts one plan per program */
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_b64url_vectors),
	    cmocka_unit_test(test_b64_strict),
	    cmocka_unit_test(test_b64_roundtrip),
	    cmocka_unit_test(test_b64_public_agrees),
	    cmocka_unit_test(test_generate_format),
	    cmocka_unit_test(test_generate_many),
	    cmocka_unit_test(test_parse_known),
	    cmocka_unit_test(test_parse_single_change),
	    cmocka_unit_test(test_parse_malformed),
	    cmocka_unit_test(test_looks_like),
	    cmocka_unit_test(test_cred_id),
	    cmocka_unit_test(test_hash),
	    cmocka_unit_test(test_verify),
	    cmocka_unit_test_setup_teardown(test_hostkey_create_load,
					    hk_each_setup, hk_each_teardown),
	    cmocka_unit_test_setup_teardown(test_hostkey_umask, hk_each_setup,
					    hk_each_teardown),
	    cmocka_unit_test_setup_teardown(test_hostkey_unsafe, hk_each_setup,
					    hk_each_teardown),
	    cmocka_unit_test_setup_teardown(test_hostkey_bad_size,
					    hk_each_setup, hk_each_teardown),
	    cmocka_unit_test_setup_teardown(test_hostkey_no_dir, hk_each_setup,
					    hk_each_teardown),
	};

	return cmocka_run_group_tests(tests, hk_setup, hk_teardown);
}
