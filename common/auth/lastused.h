/* SPDX-License-Identifier: MIT */
/* "Last used" of credentials: STATE_DIR/lastused/<account>, a small file
 * of 32-byte records: the credential id (16 hex characters), the Unix time
 * of its last successful login (i64, little endian) and 8 zero bytes.
 *
 * Why a file per account, updated in place, rather than one GDBM file:
 * gdbm_close fsyncs a writer's file (hundreds of microseconds on a disk,
 * on every login), and creating a file per credential costs an inode on
 * the first use of each. An account's file is created once and then
 * rewritten one record at a time with pwrite, under a non-blocking OFD
 * lock: a login never waits for it (a busy file is skipped). At most
 * SV_LASTUSED_MAX records per account (the oldest is replaced), so the
 * file stays bounded whatever happens. Auth side (libc). */
#ifndef SVCACCT_LASTUSED_H
#define SVCACCT_LASTUSED_H

#include <stdint.h>

#include "config.h"

#define SV_LASTUSED_MAX 256

/* Record a use at now, at most once a minute per credential. Best effort:
 * never fails, never waits for a lock; errors are ignored. */
void sv_lastused_touch(const struct sv_config *c, const char *account,
		       const char *cred_id, int64_t now);
/* The same through an open state dir fd (sv_state_open_dir); -1 opens it. */
void sv_lastused_touch_at(const struct sv_config *c, int sfd,
			  const char *account, const char *cred_id,
			  int64_t now);

/* When the credential was last used. 0 with *when; -ENOENT never (or not
 * since its record was replaced); other -errno. */
int sv_lastused_get(const struct sv_config *c, const char *account,
		    const char *cred_id, int64_t *when);

#endif
