/* SPDX-License-Identifier: MIT */
/* What the CLI reports of an issuer's or an account's JWKS once fetched
 * or cached: the kids of its canonical "keys" array, and a refresh that
 * failed. */
#ifndef SVCACCT_TOOLS_JWKS_REPORT_H
#define SVCACCT_TOOLS_JWKS_REPORT_H

#include <stddef.h>

#include <jansson.h>

/* A new JSON array of each key's "kid" (null where a key has none). */
json_t *jwks_kids_json(json_t *keys);

/* The kids comma-separated into out (cap bytes, truncated), "?" where a
 * key has none. */
void jwks_kids_text(json_t *keys, char *out, size_t cap);

/* A cache's "kids" array of strings (as list and show report a cached
 * set) comma-separated into out (cap bytes, truncated). */
void jwks_kids_join(json_t *kids, char *out, size_t cap);

/* A refresh that failed and changed nothing, to syslog (authpriv; a timer
 * runs refreshes unattended): "svcacct: event=EVENT result=error
 * WHAT=NAME [credential=CRED] detail=WHY" (cred may be NULL), why made one
 * token (spaces and control bytes as '_', at most 299 bytes). */
void jwks_audit_error(const char *event, const char *what, const char *name,
		      const char *cred, const char *why);

#endif
