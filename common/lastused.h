/* SPDX-License-Identifier: MIT */
/* "Last used" of credentials: STATE_DIR/lastused/<credential id>, an empty
 * file whose mtime is the last successful login with that credential.
 *
 * Why a file per credential rather than one database: updating a timestamp
 * is a single atomic syscall, so logins need no lock, cannot tear or
 * corrupt a shared file, never wait for each other, and the common case
 * (used within the last minute) costs one fstatat. Only ids of credentials
 * that just authenticated are ever written, so nobody can fill the
 * directory by guessing. Auth side (libc). */
#ifndef SVCACCT_LASTUSED_H
#define SVCACCT_LASTUSED_H

#include <stdint.h>

#include "config.h"

/* Record a use at now, at most once a minute per credential. Best effort:
 * never fails, never blocks on a lock; errors are ignored. */
void sv_lastused_touch(const struct sv_config *c, const char *cred_id,
		       int64_t now);

/* When the credential was last used. 0 with *when; -ENOENT never used. */
int sv_lastused_get(const struct sv_config *c, const char *cred_id,
		    int64_t *when);

#endif
