/* SPDX-License-Identifier: MIT */
/* The kids of a canonical JWKS "keys" array, as the CLI reports them after
 * an issuer's or an account's set was fetched or cached. */
#ifndef SVCACCT_TOOLS_JWKS_KIDS_H
#define SVCACCT_TOOLS_JWKS_KIDS_H

#include <stddef.h>

#include <jansson.h>

/* A new JSON array of each key's "kid" (null where a key has none). */
json_t *jwks_kids_json(json_t *keys);

/* The kids comma-separated into out (cap bytes, truncated), "?" where a
 * key has none. */
void jwks_kids_text(json_t *keys, char *out, size_t cap);

#endif
