/* SPDX-License-Identifier: MIT */
/* Role policy on the login path (policy.h). */
#include "policy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "codec.h"
#include "util.h"

/* The role of a grant's gid into *blob and *role: 1, to sv_blob_free;
 * 0 for a dangling grant (no such role, or a damaged record: it grants
 * nothing); or -errno. Nothing to free unless 1. */
static int role_of_grant(struct sv_reader *rd, uint32_t gid,
			 struct sv_blob *blob, struct sv_role *role)
{
	int r = sv_get_role_by_gid(rd, gid, blob, role);
	if (r >= 0)
		return 1;
	sv_blob_free(blob);
	return r == -ENOENT || r == -EBADMSG || r == -EPROTO ? 0 : r;
}

/* gids resolved through the store into *out, each once, in order; the
 * base role is implicit and grants nothing, so it is never a member of a
 * set: *base tells whether gids name it. Shared by an account's grants
 * and a credential's scope, which must resolve alike. */
static int roles_of_gids(struct sv_reader *rd, const struct sv_config *c,
			 const struct sv_u32list *gids, struct sv_roleset *out,
			 bool *base)
{
	out->n = 0;
	*base = false;
	for (uint32_t i = 0; i < gids->count; i++) {
		uint32_t gid = sv_u32list_get(gids, i);
		struct sv_blob blob = {0};
		struct sv_role role;
		int r;

		if (gid == c->base_gid) {
			*base = true;
			continue;
		}
		if (!sv_role_gid_acceptable(c, gid) ||
		    sv_roleset_has_gid(out, gid))
			continue;
		r = role_of_grant(rd, gid, &blob, &role);
		if (r < 0)
			return r;
		if (r == 0)
			continue;
		if (role.gid != gid || role.name.n == 0 ||
		    role.name.n > SV_NAME_MAX) {
			sv_blob_free(&blob);
			continue;
		}
		if (out->n >= SV_ROLES_MAX) {
			sv_blob_free(&blob);
			return -E2BIG;
		}
		out->r[out->n].gid = gid;
		memcpy(out->r[out->n].name, role.name.p, role.name.n);
		out->r[out->n].name[role.name.n] = '\0';
		out->n++;
		sv_blob_free(&blob);
	}
	return 0;
}

int sv_policy_granted(struct sv_reader *rd, const struct sv_config *c,
		      const struct sv_account *a, struct sv_roleset *out)
{
	bool base;

	return roles_of_gids(rd, c, &a->roles, out, &base);
}

bool sv_roleset_has_gid(const struct sv_roleset *s, uint32_t gid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->r[i].gid == gid)
			return true;
	return false;
}

static int find_name(const struct sv_roleset *s, const char *p, size_t n)
{
	for (size_t i = 0; i < s->n; i++)
		if (strlen(s->r[i].name) == n &&
		    memcmp(s->r[i].name, p, n) == 0)
			return (int)i;
	return -1;
}

static void add_once(struct sv_roleset *eff, const struct sv_roleset *g,
		     int idx)
{
	if (sv_roleset_has_gid(eff, g->r[idx].gid) || eff->n >= SV_ROLES_MAX)
		return;
	eff->r[eff->n++] = g->r[idx];
}

bool sv_next_word(const char *s, size_t len, size_t *pos, size_t *start,
		  size_t *n)
{
	size_t i = *pos;
	while (i < len && s[i] == ' ')
		i++;
	*pos = i;
	if (i == len)
		return false;
	*start = i;
	while (i < len && s[i] != ' ')
		i++;
	*n = i - *start;
	*pos = i;
	return true;
}

int sv_policy_scope(const struct sv_roleset *granted, const char *scope,
		    size_t len, struct sv_roleset *eff, const char **reason)
{
	size_t i = 0, start, n;
	bool any = false;

	eff->n = 0;
	while (sv_next_word(scope, len, &i, &start, &n)) {
		int idx;

		any = true;
		if (n > SV_NAME_MAX) {
			*reason = "bad_scope";
			return -EINVAL;
		}
		if (n == sizeof(SV_BASE_ROLE) - 1 &&
		    memcmp(scope + start, SV_BASE_ROLE, n) == 0)
			continue; /* always held, never in a set */
		idx = find_name(granted, scope + start, n);
		if (idx < 0) {
			*reason = "scope_not_granted";
			eff->n = 0;
			return -EACCES;
		}
		add_once(eff, granted, idx);
	}
	if (!any) {
		*reason = "bad_scope";
		return -EINVAL;
	}
	return 0;
}

void sv_policy_narrow_csv(const struct sv_roleset *granted, const char *csv,
			  struct sv_roleset *eff)
{
	if (!csv) {
		*eff = *granted;
		return;
	}
	eff->n = 0;
	while (*csv) {
		const char *end = strchr(csv, ',');
		size_t n = end ? (size_t)(end - csv) : strlen(csv);
		int idx = find_name(granted, csv, n);
		if (idx >= 0)
			add_once(eff, granted, idx);
		csv += n;
		if (*csv == ',')
			csv++;
	}
}

void sv_policy_cred_roles(const struct sv_roleset *granted, uint32_t base_gid,
			  const struct sv_u32list *gids,
			  struct sv_roleset *scope, bool *base)
{
	*base = false;
	scope->n = 0;
	for (uint32_t i = 0; i < gids->count; i++)
		*base = *base || sv_u32list_get(gids, i) == base_gid;
	for (size_t g = 0; g < granted->n; g++)
		for (uint32_t i = 0; i < gids->count; i++)
			if (sv_u32list_get(gids, i) == granted->r[g].gid) {
				scope->r[scope->n++] = granted->r[g];
				break;
			}
}

void sv_policy_intersect(struct sv_roleset *eff, const struct sv_roleset *scope)
{
	size_t kept = 0;

	for (size_t i = 0; i < eff->n; i++)
		if (sv_roleset_has_gid(scope, eff->r[i].gid))
			eff->r[kept++] = eff->r[i];
	eff->n = kept;
}

/* Whether one entry of a source list matches rhost (an empty list
 * matches nothing; callers decide what an empty list means). */
static bool sources_match(const struct sv_list *sources, const char *rhost)
{
	size_t off = 0;
	uint32_t idx = 0;
	struct sv_str src;

	while (sv_list_next(sources, &off, &idx, &src)) {
		char s[64];
		if (src.n >= sizeof(s))
			continue;
		memcpy(s, src.p, src.n);
		s[src.n] = '\0';
		if (sv_source_match(s, rhost))
			return true;
	}
	return false;
}

bool sv_policy_cred_source_ok(const struct sv_list *sources, const char *rhost)
{
	return sources->count == 0 || sources_match(sources, rhost);
}

bool sv_scope_names_base(const char *scope, size_t len)
{
	size_t i = 0, start, n;

	while (sv_next_word(scope, len, &i, &start, &n))
		if (n == sizeof(SV_BASE_ROLE) - 1 &&
		    memcmp(scope + start, SV_BASE_ROLE, n) == 0)
			return true;
	return false;
}

int sv_roleset_csv(const struct sv_roleset *s, char *out, size_t cap)
{
	size_t off = 0;

	if (cap == 0)
		return -ENOSPC;
	out[0] = '\0';
	for (size_t i = 0; i < s->n; i++) {
		int w = snprintf(out + off, cap - off, "%s%s", i ? "," : "",
				 s->r[i].name);
		if (w < 0 || (size_t)w >= cap - off) {
			out[0] = '\0';
			return -ENOSPC;
		}
		off += (size_t)w;
	}
	return 0;
}

/* Parse a numeric address; IPv4-mapped IPv6 becomes IPv4. */
static int parse_addr(const char *s, unsigned char addr[16], bool *v6)
{
	if (inet_pton(AF_INET, s, addr) == 1) {
		*v6 = false;
		return 0;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		static const unsigned char mapped[12] = {
		    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (memcmp(addr, mapped, sizeof(mapped)) == 0) {
			memmove(addr, addr + 12, 4);
			*v6 = false;
		} else {
			*v6 = true;
		}
		return 0;
	}
	return -EINVAL;
}

bool sv_source_match(const char *source, const char *rhost)
{
	unsigned char net[16], host[16];
	char buf[64];
	bool nv6, hv6;
	char *slash, *end;
	unsigned long bits;

	bool local = !rhost || !*rhost;
	bool numeric =
	    !local && strlen(rhost) < 64 && parse_addr(rhost, host, &hv6) == 0;
	/* a host name is remote (sshd with UseDNS, login -h): it must not
	 * pass for "local", and it never matches a network */
	if (strcmp(source, "local") == 0)
		return local;
	if (!numeric)
		return false;
	if (strlen(source) >= sizeof(buf))
		return false;
	snprintf(buf, sizeof(buf), "%s", source);
	slash = strchr(buf, '/');
	if (!slash || !slash[1])
		return false;
	*slash = '\0';
	errno = 0;
	bits = strtoul(slash + 1, &end, 10);
	if (errno || *end || slash[1] < '0' || slash[1] > '9')
		return false;
	nv6 = strchr(buf, ':') != NULL;
	if (inet_pton(nv6 ? AF_INET6 : AF_INET, buf, net) != 1)
		return false;
	if (nv6 != hv6 || bits > (nv6 ? 128u : 32u))
		return false;
	for (size_t i = 0; i < (nv6 ? 16u : 4u); i++) {
		unsigned keep = bits >= (i + 1) * 8 ? 8
				: bits > i * 8	    ? (unsigned)(bits - i * 8)
						    : 0;
		unsigned char mask = (unsigned char)(0xff00u >> keep);
		if ((net[i] & mask) != (host[i] & mask))
			return false;
	}
	return true;
}

bool sv_is_ui_service(const struct sv_config *c, const char *service)
{
	if (!service)
		return false;
	for (size_t i = 0; i < c->n_ui_services; i++)
		if (strcmp(c->ui_services[i], service) == 0)
			return true;
	return false;
}

/* Whether a role allows service from rhost: 1 yes; 0 no, with *seen set
 * when it lists the service. */
static int role_allows(const struct sv_role *role, const char *service,
		       const char *rhost, bool *seen)
{
	if (!sv_list_contains(&role->services, SV_STR(service)))
		return 0;
	*seen = true;
	return sources_match(&role->sources, rhost) ? 1 : 0;
}

int sv_policy_allows(struct sv_reader *rd, const struct sv_config *c,
		     const struct sv_roleset *eff, const char *service,
		     const char *rhost, const char **reason)
{
	bool service_seen = false;
	struct sv_blob blob = {0};
	struct sv_role role;
	int r;

	*reason = "service_not_allowed";
	if (!service || !*service)
		return -EACCES;
	for (size_t i = 0; i < eff->n; i++) {
		r = role_of_grant(rd, eff->r[i].gid, &blob, &role);
		if (r < 0) {
			*reason = "store_error";
			return r;
		}
		if (r == 0)
			continue;
		r = role_allows(&role, service, rhost, &service_seen);
		sv_blob_free(&blob);
		if (r) {
			*reason = "ok";
			return 0;
		}
	}
	/* the base role is in every login's set, whatever a credential's or
	 * a token's scope: it is the group every account holds, which setcred
	 * never drops. No record: it allows nothing; a damaged one neither. */
	r = sv_get_base_role(rd, &blob, &role);
	if (r < 0 && r != -ENOENT && r != -EBADMSG && r != -EPROTO) {
		*reason = "store_error";
		return r;
	}
	if (r == 0) {
		r = role_allows(&role, service, rhost, &service_seen);
		sv_blob_free(&blob);
		if (r) {
			*reason = "ok";
			return 0;
		}
	}
	(void)c;
	*reason = service_seen ? "source_not_allowed" : "service_not_allowed";
	return -EACCES;
}
