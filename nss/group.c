/* SPDX-License-Identifier: MIT */
/* group: three kinds of groups, in this order of precedence for a name:
 *   the base role group "svcacct" (GID base_gid), every account a member;
 *   one user-private group per account (same name, GID = UID, no member);
 *   one group per role (the role's GID), its members the role's holders.
 * A group with more members than svcacct.conf's group_members_max is
 * served with an empty member list (sv_group_members_listed), as SSSD's
 * ignore_group_members does: listing a million names costs seconds to
 * every getgrgid of the base group (id, ls -l), and membership is answered
 * by initgroups_dyn (initgroups.c), which logins, sudo and id's group
 * list use. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "handle.h"
#include "nss_svcacct.h"
#include "util.h"

/* Bytes to skip so that the member array is aligned for char pointers. */
static size_t align_pad(const char *buf)
{
	return (size_t)(-(uintptr_t)buf) & (__alignof__(char *) - 1);
}

/* A group whose members come from a decoded list (NULL: no members). */
static int fill_group(struct sv_str name, uint32_t gid,
		      const struct sv_list *members, struct group *gr,
		      char *buf, size_t buflen)
{
	size_t count = members ? members->count : 0;
	size_t pad = align_pad(buf), ptrs, need = pad, off = 0, i = 0;
	uint32_t idx = 0;
	struct svnss_pack pk;
	struct group out;
	struct sv_str m;
	char **mem;

	if (sv_mul_overflow(count + 1, sizeof(char *), &ptrs) ||
	    sv_add_overflow(need, ptrs, &need) ||
	    !svnss_need_str(&need, name.n) || !svnss_need_str(&need, 1))
		return -ERANGE;
	while (members && sv_list_next(members, &off, &idx, &m))
		if (!svnss_need_str(&need, m.n))
			return -ERANGE;
	if (need > buflen)
		return -ERANGE;

	mem = (char **)(void *)(buf + pad);
	pk.p = buf + pad + ptrs;
	pk.left = buflen - pad - ptrs;
	off = 0;
	idx = 0;
	while (members && i < count && sv_list_next(members, &off, &idx, &m))
		mem[i++] = svnss_put(&pk, m.p, m.n);
	mem[i] = NULL;
	out.gr_name = svnss_put(&pk, name.p, name.n);
	out.gr_passwd = svnss_put(&pk, "x", 1);
	out.gr_gid = gid;
	out.gr_mem = mem;
	*gr = out;
	return 0;
}

/* The base group, built from one pass over the account keys: the member
 * names are the keys themselves (a name that fails sv_name_check is left
 * out). Pointers grow up from the start of buf, names down from its end,
 * so a single pass both fills the buffer and, when it is too small, learns
 * the size needed (*need), which the caller caches per generation: callers
 * that double their buffer then rescan only once more. With cap (> 0) the
 * pass stops at the member after the cap'th: 1, nothing written and *need
 * 0, when the group has more than cap members; so deciding that a group
 * is too large to list reads cap + 1 names, however large the store. */
static int fill_base(struct sv_reader *rd, const struct sv_config *c,
		     size_t known, size_t cap, struct group *gr, char *buf,
		     size_t buflen, size_t *need)
{
	static const char tail[] = SV_BASE_ROLE "\0x"; /* name, passwd */
	size_t pad = align_pad(buf), n = 0;
	struct sv_blob key = {0};
	struct group out;
	char *lo, *hi;
	bool fits;
	int r;

	*need = 0;
	if (known && buflen < known)
		return -ERANGE;
	*need = pad + sizeof(tail) + sizeof(char *);
	fits = *need <= buflen;
	lo = buf + pad;
	hi = fits ? buf + buflen - sizeof(tail) : NULL;
	while ((r = sv_reader_next_key(rd, SV_DB_ACCOUNTS, SV_KEY_ACCOUNT,
				       &key)) == 0) {
		struct sv_str m = {(const char *)key.p + 1, key.n - 1};
		if (!svnss_name_ok(m))
			continue;
		if (cap && ++n > cap) {
			sv_blob_free(&key);
			*need = 0;
			return 1;
		}
		if (!svnss_need_str(need, m.n) ||
		    sv_add_overflow(*need, sizeof(char *), need)) {
			sv_blob_free(&key);
			return -ERANGE;
		}
		if (fits && *need <= buflen) {
			hi -= m.n + 1;
			memcpy(hi, m.p, m.n);
			hi[m.n] = '\0';
			memcpy(lo, &hi, sizeof(char *));
			lo += sizeof(char *);
		} else {
			fits = false;
		}
	}
	sv_blob_free(&key);
	if (r != -ENOENT) {
		*need = 0;
		return r;
	}
	if (!fits)
		return -ERANGE;
	hi = NULL; /* the array's terminator */
	memcpy(lo, &hi, sizeof(hi));
	hi = buf + buflen - sizeof(tail);
	memcpy(hi, tail, sizeof(tail));
	out.gr_name = hi;
	out.gr_passwd = hi + sizeof(SV_BASE_ROLE);
	out.gr_gid = c->base_gid;
	out.gr_mem = (char **)(void *)(buf + pad);
	*gr = out;
	return 0;
}

/* The number of members of the base group when the store knows it without
 * a walk: the account count in the header of the generation's index (the
 * accounts fill_base would list, but for records a walk would refuse as
 * invalid, which only a tampered store holds). 0 with *count, or -ENODATA
 * for a generation read through GDBM, which keeps no count: fill_base's
 * pass then stops at the limit by itself. */
static int base_member_count(struct sv_reader *rd, size_t *count)
{
	uint32_t accounts = 0, roles = 0;

	if (!sv_reader_counts(rd, SV_DB_ACCOUNTS, &accounts, &roles))
		return -ENODATA;
	*count = accounts;
	return 0;
}

/* The base group's entry: its members, or none when it has more than
 * group_members_max (known and *need as for fill_base). */
static int base_entry(struct sv_reader *rd, const struct sv_config *c,
		      size_t known, struct group *gr, char *buf, size_t buflen,
		      size_t *need)
{
	static const struct sv_str name = {SV_BASE_ROLE,
					   sizeof(SV_BASE_ROLE) - 1};
	size_t count = 0;
	int r;

	*need = 0;
	r = base_member_count(rd, &count);
	if (r == 0 && !sv_group_members_listed(c, count))
		r = 1;
	else if (r == 0 || r == -ENODATA)
		r = fill_base(rd, c, known, c->group_members_max, gr, buf,
			      buflen, need);
	if (r == 1) /* more members than group_members_max */
		r = fill_group(name, c->base_gid, NULL, gr, buf, buflen);
	return r;
}

static int base_lookup(struct svnss *s, struct group *gr, char *buf,
		       size_t buflen)
{
	size_t need = 0;
	int r = base_entry(s->rd, s->conf, svnss_base_need_get(s), gr, buf,
			   buflen, &need);
	if (need)
		svnss_base_need_set(s, need);
	return r;
}

/* A role's group: its holders as members, unless they are more than
 * group_members_max. */
static int fill_role(const struct sv_config *c, const struct sv_role *role,
		     struct group *gr, char *buf, size_t buflen)
{
	bool listed = sv_group_members_listed(c, role->members.count);

	return fill_group(role->name, role->gid, listed ? &role->members : NULL,
			  gr, buf, buflen);
}

/* A user-private group (a svnss_fill_fn). */
static int upg(struct svnss *s, const struct sv_account *a, void *ent,
	       char *buf, size_t buflen)
{
	(void)s;
	return fill_group(a->name, a->uid, NULL, ent, buf, buflen);
}

/* A role's group, from its record. */
static int role_group(struct sv_reader *rd, const struct sv_config *c,
		      const char *name, size_t namelen, struct group *gr,
		      char *buf, size_t buflen)
{
	struct sv_blob blob = {0};
	struct sv_role role;
	int r;

	r = svnss_get_role(rd, c, name, namelen, &blob, &role);
	if (r == 0)
		r = fill_role(c, &role, gr, buf, buflen);
	sv_blob_free(&blob);
	return r;
}

static int find_grnam(struct svnss *s, const struct svnss_query *q,
		      struct sv_blob *blob)
{
	int r;

	if (strcmp(q->name, SV_BASE_ROLE) == 0)
		return base_lookup(s, q->ent, q->buf, q->buflen);
	r = svnss_find_account(s, q, blob);
	if (r != -ENOENT)
		return r;
	return role_group(s->rd, s->conf, q->name, strlen(q->name), q->ent,
			  q->buf, q->buflen);
}

/* the three kinds live in disjoint ranges (svcacct.conf(5) rejects
 * overlaps); a GID in none of them costs no I/O */
static int pre_grgid(struct svnss *s, const struct svnss_query *q)
{
	if (q->id != s->conf->base_gid && !sv_uid_acceptable(s->conf, q->id) &&
	    !sv_role_gid_acceptable(s->conf, q->id))
		return -ENOENT;
	return 0;
}

static int find_grgid(struct svnss *s, const struct svnss_query *q,
		      struct sv_blob *blob)
{
	struct sv_role role;
	int r;

	if (q->id == s->conf->base_gid)
		return base_lookup(s, q->ent, q->buf, q->buflen);
	if (sv_uid_acceptable(s->conf, q->id))
		return svnss_find_account(s, q, blob);
	r = svnss_get_role_by_gid(s->rd, s->conf, q->id, blob, &role);
	if (r == 0)
		r = fill_role(s->conf, &role, q->ent, q->buf, q->buflen);
	return r;
}

/* Phases of the group walk. */
enum { PH_BASE = 0, PH_UPG, PH_ROLE };

/* One step of the walk (a svnss_step_fn; fill is upg). */
static int next_group(struct svnss *s, struct svnss_cursor *c,
		      svnss_fill_fn fill, void *ent, char *buf, size_t buflen)
{
	size_t need = 0;
	int r;

	switch (c->phase) {
	case PH_BASE:
		/* the base group is built again, however the caller retries */
		r = base_entry(c->rd, s->conf, c->need, ent, buf, buflen,
			       &need);
		if (need)
			c->need = need;
		c->pending = svnss_transient(r);
		if (r == 0) {
			c->phase = PH_UPG;
			c->need = 0;
		}
		return r;
	case PH_UPG:
		r = svnss_next_account(s, c, fill, ent, buf, buflen);
		if (r != -ENOENT)
			return r;
		c->phase = PH_ROLE;
		/* fall through */
	case PH_ROLE:
		for (;;) {
			r = svnss_cursor_next(c, SV_KEY_ROLE);
			if (r < 0)
				return r;
			r = role_group(c->rd, s->conf,
				       (const char *)c->key.p + 1, c->key.n - 1,
				       ent, buf, buflen);
			if (r == -ENOENT)
				continue; /* refused record */
			if (svnss_transient(r))
				c->pending = true;
			return r;
		}
	default: return -ENOENT;
	}
}

/* A name is the base group's, an account's or a role's; a GID too. */
static const struct svnss_lookups group_lookups = {
    .fill = upg,
    .base_name = true,
    .by_name = {NULL, find_grnam},
    .by_id = {pre_grgid, find_grgid},
};

/* getgrnam_r, getgrgid_r */
SVNSS_DEFINE_BYNAME(gr, struct group, group_lookups)
SVNSS_DEFINE_BYID(grgid, gid_t, struct group, group_lookups)

/* setgrent, getgrent_r, endgrent */
SVNSS_DEFINE_ENUM(gr, SVNSS_GROUP, struct group, next_group, upg)
