/* SPDX-License-Identifier: MIT */
/* Role policy on the login path: which roles a login holds (granted,
 * narrowed by an assertion's scope or by the PAM environment, never widened),
 * whether they allow a PAM service from a source, and which supplementary
 * groups setcred must drop. Auth side (store reads only, no crypto).
 *
 * The base role "svcacct" is implicit: it is not in a role set, its group
 * is never dropped, and what it allows (its record, sv_get_base_role) is
 * allowed to every login, whatever the scope. */
#ifndef SVCACCT_POLICY_H
#define SVCACCT_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "names.h"
#include "store.h"

/* An account holding more roles than this cannot log in (fail closed). */
#define SV_ROLES_MAX 128

struct sv_roleset {
	size_t n;
	struct {
		uint32_t gid;
		char name[SV_NAME_MAX + 1];
	} r[SV_ROLES_MAX];
};

/* The account's granted roles, resolved to names through the store. A GID
 * whose role record is missing, malformed or outside the role range is
 * skipped (it grants nothing). 0; -E2BIG over SV_ROLES_MAX; -EIO/-ENOMEM. */
int sv_policy_granted(struct sv_reader *rd, const struct sv_config *c,
		      const struct sv_account *a, struct sv_roleset *out);

/* The next space-separated word of s[0..len) from *pos on: true with it at
 * s + *start, *n bytes, and *pos past it; false when only spaces are left.
 * Start with *pos = 0. */
bool sv_next_word(const char *s, size_t len, size_t *pos, size_t *start,
		  size_t *n);

/* Narrow granted by an assertion's "scope" (space-separated role names,
 * RFC 8693 style). Every name must be granted (or be the base role); one
 * that is not fails with -EACCES and *reason "scope_not_granted"; an empty
 * or malformed scope -EINVAL "bad_scope". */
int sv_policy_scope(const struct sv_roleset *granted, const char *scope,
		    size_t len, struct sv_roleset *eff, const char **reason);

/* Narrow granted by a comma-separated list from the PAM environment:
 * the intersection, so a forged variable can only remove roles. NULL csv
 * leaves all granted roles effective. */
void sv_policy_narrow_csv(const struct sv_roleset *granted, const char *csv,
			  struct sv_roleset *eff);

/* A credential's scope (docs/FORMAT.md, credential version 3) as far as
 * a login can hold it: the roles of granted (already resolved through the
 * store) whose GIDs its record lists, in granted's order, into *scope; a
 * listed role no longer granted, or gone, grants nothing and is left out,
 * so the store is not read again. *base tells whether the record names
 * base_gid, the base role, which is never in a set. */
void sv_policy_cred_roles(const struct sv_roleset *granted, uint32_t base_gid,
			  const struct sv_u32list *gids,
			  struct sv_roleset *scope, bool *base);

/* Narrow eff, in place, to the roles that scope holds too (by GID): the
 * intersection, so it only ever removes. */
void sv_policy_intersect(struct sv_roleset *eff,
			 const struct sv_roleset *scope);

/* Whether a credential's source list lets rhost in: an empty list does
 * (the roles decide alone), otherwise rhost must match one of them
 * (sv_source_match). */
bool sv_policy_cred_source_ok(const struct sv_list *sources, const char *rhost);

/* Whether a space-separated token scope names the base role. */
bool sv_scope_names_base(const char *scope, size_t len);

/* "a,b,c" (empty string for no role). -ENOSPC if cap is too small. */
int sv_roleset_csv(const struct sv_roleset *s, char *out, size_t cap);

/* Whether one of the roles of s has group gid. */
bool sv_roleset_has_gid(const struct sv_roleset *s, uint32_t gid);

/* Whether a numeric rhost lies in a source ("local" or a CIDR). A NULL
 * or empty rhost matches only "local"; a numeric one only CIDRs; a
 * non-numeric one (a host name: sshd with UseDNS, login -h) matches
 * nothing, since it names a remote host. Only inet_pton: no name is ever
 * resolved.
 * IPv4-mapped IPv6 addresses match IPv4 networks. */
bool sv_source_match(const char *source, const char *rhost);

/* Whether service is in the configured list of UI services. */
bool sv_is_ui_service(const struct sv_config *c, const char *service);

/* Whether some effective role, or the base role, allows service from rhost
 * (the base role is effective for every login). 0 allowed;
 * -EACCES with *reason "service_not_allowed" (no role lists the service)
 * or "source_not_allowed" (some do, none from this source); -EIO etc. when
 * a role cannot be read (reason "store_error"). */
int sv_policy_allows(struct sv_reader *rd, const struct sv_config *c,
		     const struct sv_roleset *eff, const char *service,
		     const char *rhost, const char **reason);

#endif
