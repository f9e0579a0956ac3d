/* SPDX-License-Identifier: MIT */
/* OpenSSH public key lines (sshkey.h). */
#include "sshkey.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "b64.h"
#include "util.h"

#define BLOB_MAX 4096

void sshkey_free(struct sshkey *k)
{
	free(k->b64);
	k->b64 = NULL;
}

/* One SSH wire "string": uint32 length, then bytes. */
static int wire_string(const uint8_t **p, const uint8_t *end, const uint8_t **s,
		       size_t *n)
{
	uint32_t len;
	if (end - *p < 4)
		return -1;
	len = (uint32_t)(*p)[0] << 24 | (uint32_t)(*p)[1] << 16 |
	      (uint32_t)(*p)[2] << 8 | (*p)[3];
	*p += 4;
	if ((size_t)(end - *p) < len)
		return -1;
	*s = *p;
	*n = len;
	*p += len;
	return 0;
}

static bool wire_eq(const uint8_t *s, size_t n, const char *c)
{
	return n == strlen(c) && !memcmp(s, c, n);
}

/* Bits of an mpint (positive: no sign bit set, no superfluous zero). */
static int mpint_bits(const uint8_t *s, size_t n, unsigned *bits)
{
	if (n == 0 || (s[0] & 0x80))
		return -1;
	if (s[0] == 0) {
		if (n < 2 || !(s[1] & 0x80))
			return -1;
		s++;
		n--;
	}
	unsigned b = (unsigned)n * 8;
	for (uint8_t top = s[0]; !(top & 0x80); top <<= 1)
		b--;
	*bits = b;
	return 0;
}

/* Walk the blob of a key of the given type. 0 or -1 with err set. */
static int check_blob(const char *type, const uint8_t *blob, size_t n,
		      unsigned *bits, char *err, size_t errlen)
{
	const uint8_t *p = blob, *end = blob + n, *s;
	size_t sn;

	if (wire_string(&p, end, &s, &sn) < 0 || !wire_eq(s, sn, type)) {
		snprintf(err, errlen, "the key type inside the key is not %s",
			 type);
		return -1;
	}
	if (!strcmp(type, "ssh-ed25519")) {
		if (wire_string(&p, end, &s, &sn) < 0 || sn != 32)
			goto bad;
		*bits = 256;
	} else if (!strncmp(type, "ecdsa-sha2-nistp", 16)) {
		const char *curve = type + 11; /* "nistpNNN" */
		size_t qlen = !strcmp(curve, "nistp256")   ? 65
			      : !strcmp(curve, "nistp384") ? 97
							   : 133;
		if (wire_string(&p, end, &s, &sn) < 0 ||
		    !wire_eq(s, sn, curve) ||
		    wire_string(&p, end, &s, &sn) < 0 || sn != qlen ||
		    s[0] != 0x04)
			goto bad;
		*bits = qlen == 65 ? 256 : qlen == 97 ? 384 : 521;
	} else { /* ssh-rsa: e, then n */
		unsigned ebits;
		if (wire_string(&p, end, &s, &sn) < 0 ||
		    mpint_bits(s, sn, &ebits) < 0 || ebits < 2 || ebits > 32 ||
		    !(s[sn - 1] & 1) || wire_string(&p, end, &s, &sn) < 0 ||
		    mpint_bits(s, sn, bits) < 0)
			goto bad;
		if (*bits < 2048 || *bits > 16384) {
			snprintf(err, errlen,
				 "RSA key of %u bits: 2048 to 16384 accepted",
				 *bits);
			return -1;
		}
	}
	if (p != end)
		goto bad;
	return 0;
bad:
	snprintf(err, errlen, "malformed %s key", type);
	return -1;
}

int sshkey_parse_line(const char *line, struct sshkey *k, char *err,
		      size_t errlen)
{
	static const char *const types[] = {
	    "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
	    "ecdsa-sha2-nistp521", "ssh-rsa"};
	uint8_t blob[BLOB_MAX], md[32];
	size_t tl, bl, blen;
	const char *b, *c;
	bool known = false;

	memset(k, 0, sizeof(*k));
	for (const unsigned char *q = (const unsigned char *)line; *q; q++)
		if ((*q < 0x20 && *q != '\t') || *q == 0x7f) {
			snprintf(err, errlen,
				 "the key line contains a control character");
			return -1;
		}
	tl = strcspn(line, " \t");
	for (size_t i = 0; i < SV_ARRAY_SIZE(types); i++)
		known |= strlen(types[i]) == tl && !strncmp(line, types[i], tl);
	if (!known) {
		snprintf(err, errlen,
			 "not an OpenSSH public key line of a supported type "
			 "(ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa; "
			 "no options before the type)");
		return -1;
	}
	memcpy(k->type, line, tl);
	b = line + tl + strspn(line + tl, " \t");
	bl = strcspn(b, " \t");
	c = b + bl + strspn(b + bl, " \t");
	if (bl == 0 || sv_b64_decode(b, bl, blob, sizeof(blob), &blen) < 0) {
		snprintf(err, errlen, "the key is not valid base64");
		return -1;
	}
	if (check_blob(k->type, blob, blen, &k->bits, err, errlen) < 0)
		return -1;
	snprintf(k->comment, sizeof(k->comment), "%s", c);
	for (size_t i = strlen(k->comment);
	     i > 0 && (k->comment[i - 1] == ' ' || k->comment[i - 1] == '\t');
	     i--)
		k->comment[i - 1] = '\0';
	k->b64 = strndup(b, bl);
	if (!k->b64) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* the fingerprint ssh-keygen -l and sshd's logs show */
	if (EVP_Digest(blob, blen, md, NULL, EVP_sha256(), NULL) != 1) {
		snprintf(err, errlen, "cannot hash the key");
		sshkey_free(k);
		return -1;
	}
	char fb[48];
	size_t fl;
	EVP_EncodeBlock((unsigned char *)fb, md, sizeof(md));
	fl = strcspn(fb, "=");
	snprintf(k->fpr, sizeof(k->fpr), "SHA256:%.*s", (int)fl, fb);
	return 0;
}
