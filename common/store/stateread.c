/* SPDX-License-Identifier: MIT */
/* Reading the state directory: revocations and handed-out IDs. The reader
 * side (PAM, the tools' listings) needs these; writing them is state.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store-internal.h"
#include "util.h"

const char *const sv_statenames[SV_STATE_COUNT] = {"ids.db", "revoked.db"};

int sv_state_open_dir(const struct sv_config *c)
{
	int fd = open(c->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int svi_state_has_at(int sfd, enum sv_statefile f, const char *key, size_t klen,
		     bool missing_ok, bool *has)
{
	GDBM_FILE db = NULL;
	int r = sv_open_gdbm_ro(sfd, sv_statenames[f], true, false, &db, NULL,
				NULL);
	*has = false;
	if (r == -ENOENT && missing_ok)
		return 0; /* nothing ever recorded */
	if (r < 0)
		return r;
	r = svi_exists(db, key, klen, has);
	gdbm_close(db);
	return r;
}

static int state_has(const struct sv_config *c, enum sv_statefile f,
		     const char *key, size_t klen, bool missing_ok, bool *has)
{
	int sfd = sv_state_open_dir(c);
	int r;
	*has = false;
	if (sfd < 0)
		return sfd;
	r = svi_state_has_at(sfd, f, key, klen, missing_ok, has);
	close(sfd);
	return r;
}

int sv_state_is_revoked_at(int sfd, const char *id, bool *revoked)
{
	/* unlike the ID list, revoked.db always exists once there is a
	 * store: its absence (a restore without the state dir) fails closed */
	int r = svi_state_has_at(sfd, SV_STATE_REVOKED, id, strlen(id), false,
				 revoked);
	if (r < 0)
		*revoked = true; /* fail closed */
	return r;
}

int sv_state_is_revoked(const struct sv_config *c, const char *id,
			bool *revoked)
{
	int sfd = sv_state_open_dir(c);
	int r;
	if (sfd < 0) {
		*revoked = true;
		return sfd;
	}
	r = sv_state_is_revoked_at(sfd, id, revoked);
	close(sfd);
	return r;
}

size_t svi_id_key(char *k, bool gid, uint32_t id)
{
	return sv_key_u32(k, 8, gid ? 'g' : 'u', id);
}

/* Every ID ever handed out is recorded too, not just the high-water mark:
 * once the range is used up, sv_state_next_id looks below the mark, and
 * must not find an ID whose account a rollback made disappear. */
size_t svi_handed_key(char *k, bool gid, uint32_t id)
{
	return sv_key_u32(k, 8, gid ? 'H' : 'h', id);
}

int sv_state_id_retired(const struct sv_config *c, bool gid, uint32_t id,
			bool *retired)
{
	char k[8];
	int r = state_has(c, SV_STATE_IDS, k, svi_id_key(k, gid, id), true,
			  retired);
	if (r == 0 && !*retired)
		r = state_has(c, SV_STATE_IDS, k, svi_handed_key(k, gid, id),
			      true, retired);
	return r;
}

/* ------------------------------------------------------------- revocations */

struct sv_revocations {
	GDBM_FILE db;
};

static int revocations_open(int dirfd, bool private_file,
			    struct sv_revocations **out)
{
	struct sv_revocations *rv;
	int r;

	*out = NULL;
	rv = calloc(1, sizeof(*rv));
	if (!rv)
		return -ENOMEM;
	r = sv_open_gdbm_ro(dirfd, sv_statenames[SV_STATE_REVOKED],
			    private_file, false, &rv->db, NULL, NULL);
	if (r < 0) {
		free(rv);
		return r;
	}
	*out = rv;
	return 0;
}

int sv_revocations_open_state(int sfd, struct sv_revocations **out)
{
	return revocations_open(sfd, true, out);
}

int sv_revocations_open_public(const struct sv_config *c,
			       struct sv_revocations **out)
{
	int dfd = -1;
	int r = svi_open_dbdir(c, &dfd);
	if (r < 0) {
		*out = NULL;
		return r;
	}
	/* the list keeps its file open, not the directory */
	r = revocations_open(dfd, false, out);
	close(dfd);
	return r;
}

static int revocations_lookup(struct sv_revocations *rv, const char *key,
			      size_t klen, bool *revoked)
{
	*revoked = true;
	if (!rv || !rv->db || klen > INT32_MAX)
		return -EINVAL;
	bool has = false;
	int r = svi_exists(rv->db, key, klen, &has);
	if (r == 0)
		*revoked = has;
	return r;
}

int sv_revocations_has(struct sv_revocations *rv, const char *id, bool *revoked)
{
	return revocations_lookup(rv, id, strlen(id), revoked);
}

int sv_revocations_has_key(struct sv_revocations *rv, const char *fpr,
			   bool *revoked)
{
	char k[SV_REVOKED_KEY_MAX];
	size_t n = svi_revoked_key(k, sizeof(k), fpr);
	if (!n) {
		*revoked = true;
		return -EINVAL;
	}
	return revocations_lookup(rv, k, n, revoked);
}

void sv_revocations_close(struct sv_revocations *rv)
{
	if (!rv)
		return;
	if (rv->db)
		gdbm_close(rv->db);
	free(rv);
}

/* A revoked key's entry: "k:" + fingerprint. Credential ids are 16 hex
 * digits, so the two kinds of key never meet. */
size_t svi_revoked_key(char *k, size_t cap, const char *fpr)
{
	size_t n = strlen(fpr);
	if (n == 0 || n > SV_FPR_MAX || n + 2 > cap)
		return 0;
	memcpy(k, "k:", 2);
	memcpy(k + 2, fpr, n);
	return n + 2;
}
