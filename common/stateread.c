/* SPDX-License-Identifier: MIT */
/* Reading the state directory: revocations and handed-out IDs. The reader
 * side (PAM, the tools' listings) needs these; writing them is state.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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

int svi_open_state_ro(const struct sv_config *c, enum sv_statefile f,
		      GDBM_FILE *db)
{
	_cleanup_close_ int dfd = sv_state_open_dir(c);
	if (dfd < 0)
		return dfd;
	return sv_open_gdbm_ro(dfd, sv_statenames[f], true, false, db, NULL,
			       NULL);
}

/* missing_ok: a file that does not exist means "nothing recorded" (the
 * ID list of an old store); otherwise it is an error. */
static int has_at(int sfd, enum sv_statefile f, const char *key, size_t klen,
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
	datum k = {(char *)key, (int)klen};
	*has = gdbm_exists(db, k) != 0;
	if (!*has && gdbm_last_errno(db) != GDBM_NO_ERROR &&
	    gdbm_last_errno(db) != GDBM_ITEM_NOT_FOUND)
		r = -EIO;
	gdbm_close(db);
	return r;
}

static int state_has(const struct sv_config *c, enum sv_statefile f,
		     const char *key, size_t klen, bool missing_ok, bool *has)
{
	_cleanup_close_ int sfd = sv_state_open_dir(c);
	*has = false;
	if (sfd < 0)
		return sfd;
	return has_at(sfd, f, key, klen, missing_ok, has);
}

int sv_state_is_revoked_at(int sfd, const char *id, bool *revoked)
{
	/* unlike the ID list, revoked.db always exists once there is a
	 * store: its absence (a restore without the state dir) fails closed */
	int r = has_at(sfd, SV_STATE_REVOKED, id, strlen(id), false, revoked);
	if (r < 0)
		*revoked = true; /* fail closed */
	return r;
}

int sv_state_is_revoked(const struct sv_config *c, const char *id,
			bool *revoked)
{
	_cleanup_close_ int sfd = sv_state_open_dir(c);
	if (sfd < 0) {
		*revoked = true;
		return sfd;
	}
	return sv_state_is_revoked_at(sfd, id, revoked);
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
