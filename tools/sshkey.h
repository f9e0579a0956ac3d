/* SPDX-License-Identifier: MIT */
/* OpenSSH public key lines, parsed without ssh-keygen (sshkey.c): used by
 * `svcacct sshkey add` and `svcacct import`, and fuzzed on its own
 * (tests/fuzz/fuzz_sshkey.c). */
#ifndef SVCACCT_SSHKEY_H
#define SVCACCT_SSHKEY_H

#include <stddef.h>

struct sshkey {
	char type[32];
	char *b64;     /* canonical base64 of the blob, malloc'd */
	unsigned bits; /* RSA modulus bits, EC/ed25519 field bits */
	char fpr[64];  /* "SHA256:..." as ssh-keygen -l prints it */
	char comment[129];
};

/* Parse "TYPE BASE64 [COMMENT]" (a NUL-terminated line): the type one of
 * ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa (2048..16384 bits); the
 * base64 strict and canonical; the wire blob walked field by field (the type
 * inside equal to the type outside, nothing after the last field); no
 * control characters. 0 with *k filled (free with sshkey_free), or -1 with
 * the reason in err. */
int sshkey_parse_line(const char *line, struct sshkey *k, char *err,
		      size_t errlen);
void sshkey_free(struct sshkey *k);

#endif
