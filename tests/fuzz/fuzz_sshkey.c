/* SPDX-License-Identifier: MIT */
/* libFuzzer target: OpenSSH public key lines (tools/sshkey.c), as given to
 * `svcacct sshkey add` and `svcacct import`.
 *
 * Oracle: an accepted line has a known type, a canonical base64 that
 * decodes, a "SHA256:" fingerprint and no control character in its comment;
 * the stored form "TYPE BASE64" parses again to the same type, bits and
 * fingerprint. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sshkey.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sshkey k = {0}, k2 = {0};
	char err[256];
	/* the CLI hands it a NUL-terminated line or file */
	char *line = malloc(size + 1);

	CHECK(line);
	memcpy(line, data, size);
	line[size] = '\0';
	err[0] = '\0';
	if (sshkey_parse_line(line, &k, err, sizeof(err)) < 0) {
		CHECK(err[0] != '\0');
		CHECK(k.b64 == NULL);
		free(line);
		return 0;
	}
	CHECK(k.b64 && *k.b64);
	CHECK(!strncmp(k.fpr, "SHA256:", 7));
	for (const char *q = k.comment; *q; q++)
		CHECK((unsigned char)*q >= 0x20 || *q == '\t');
	CHECK(k.bits >= 256);
	char *stored = NULL;
	CHECK(asprintf(&stored, "%s %s", k.type, k.b64) > 0);
	CHECK(sshkey_parse_line(stored, &k2, err, sizeof(err)) == 0);
	CHECK(!strcmp(k.type, k2.type) && k.bits == k2.bits &&
	      !strcmp(k.fpr, k2.fpr) && !strcmp(k.b64, k2.b64));
	CHECK(k2.comment[0] == '\0');
	free(stored);
	sshkey_free(&k);
	sshkey_free(&k2);
	free(line);
	return 0;
}
