/* SPDX-License-Identifier: MIT */
/* Credential-parts reassembly: the pure half of reading a credential from
 * the PAM conversation, kept apart from the conversation so that it can be
 * tested and fuzzed without a PAM handle (tests/fuzz/fuzz_parts.c).
 *
 * A client whose prompt buffer is too short for a JWS (some ssh clients
 * cut answers at 512 or 1024 bytes) sends it in parts: an answer that ends
 * in '\' means "more follows"; the mark is dropped, and no secret or JWS
 * contains it. At most max_parts answers and max bytes in all. */
#ifndef SVCACCT_PAM_PARTS_H
#define SVCACCT_PAM_PARTS_H

#include <stdbool.h>
#include <stddef.h>

#define SVP_CONT_MARK '\\'

struct svp_parts {
	char *buf; /* max + 1 bytes, NUL-terminated when finished */
	size_t len, max;
	unsigned part, max_parts;
};

/* Start a reassembly of at most max bytes in at most max_parts answers.
 * 0 or -ENOMEM. */
int svp_parts_init(struct svp_parts *p, size_t max, unsigned max_parts);

/* Append one answer (a C string). *more tells whether another answer is
 * wanted. 0, or -EINVAL with *reason "too_long" (the total would exceed
 * max) or "too_many_parts" (a continuation mark on the last allowed part).
 * On error the reassembly is over: svp_parts_free it. */
int svp_parts_add(struct svp_parts *p, const char *ans, bool *more,
		  const char **reason);

/* Hand over the credential: *out is malloc'd, NUL-terminated, *outlen
 * bytes (wipe it with svp_cred_free). 0, or -EINVAL with *reason "empty".
 * The reassembly is consumed either way. */
int svp_parts_finish(struct svp_parts *p, char **out, size_t *outlen,
		     const char **reason);

/* Wipe and free what the reassembly holds (safe after finish). */
void svp_parts_free(struct svp_parts *p);

#endif
