/* SPDX-License-Identifier: MIT */
/* The jti replay cache: STATE_DIR/replay.db (GDBM) under an exclusive lock
 * on STATE_DIR/replay.lock, shared by every process of the host.
 *
 *   key  account NUL jti          value  expiry (LE64, Unix seconds)
 *   key  "\x01c" account          value  live entries of the account (LE32)
 *   key  "\x01p"                  value  time of the last full prune (LE64)
 *
 * Account names never start with a control byte, so the bookkeeping keys
 * cannot collide with entries. Auth side (libc + GDBM). */
#ifndef SVCACCT_REPLAY_H
#define SVCACCT_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define SV_JTI_MAX 256

/* Atomically check that (account, jti) was never seen and record it until
 * expiry (the assertion's exp + clock skew). Call it only after every other
 * check passed: an entry is a used assertion.
 *   0          recorded
 *   -EEXIST    replay
 *   -EDQUOT    the account already holds replay_quota live entries
 *   other      the cache could not be read, locked (2 s) or written:
 *              the caller must refuse (fail closed).
 * Expired entries are pruned at most once a minute and whenever the
 * account is at its quota; the file is reorganised after large prunes so
 * it stays bounded. */
int sv_replay_check_insert(const struct sv_config *c, const char *account,
			   const char *jti, size_t jtilen, int64_t expiry,
			   int64_t now);

#endif
