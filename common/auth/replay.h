/* SPDX-License-Identifier: MIT */
/* The jti replay cache, shared by every process of the host:
 * STATE_DIR/replay/<account>, one file per account, each an open-addressed
 * hash table of the SHA-256 of the jtis that account used, with their
 * expiry. Auth side (libc + OpenSSL's SHA-256).
 *
 * Why not GDBM (as the rest of the state dir): gdbm_close fsyncs a writer's
 * file, and every assertion login writes, so each login paid a full fsync
 * (~300 us on the test machine's ext4, three times the ECDSA verify). A
 * table updated in place with pread/pwrite under an OFD lock costs a dozen
 * syscalls. The entries are as durable as the page cache: they survive the
 * crash of any process, not a power cut (an assertion lives at most
 * max_assertion_lifetime + 2 * clock_skew).
 * Why a file per account: the quota is enforced on that account's own
 * entries, a full table costs only its owner a rebuild, and accounts never
 * wait for each other's lock.
 *
 * File (little endian):
 *   header 64 bytes: "SVRPLAY1", u32 version (1), u32 nslots (a power of
 *                    two, 64 .. 2^22), u32 used (occupied slots), zeros
 *   nslots slots of 48 bytes: SHA-256(jti) (32), i64 expiry (0 = empty),
 *                    8 zero bytes
 * Linear probing from the first 8 digest bytes. Slots are never emptied in
 * place: expired entries are dropped when the table is rebuilt (into
 * <account>.new, renamed over the file under the lock), which happens when
 * it is half full or the account is at its quota. A file that does not
 * check out is an error (fail closed), never silently reset. */
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
 *   -EEXIST    replay (also of an expired entry not yet dropped)
 *   -EDQUOT    the account already holds replay_quota live entries
 *   other      the cache could not be read, locked (2 s) or written:
 *              the caller must refuse (fail closed). */
int sv_replay_check_insert(const struct sv_config *c, const char *account,
			   const char *jti, size_t jtilen, int64_t expiry,
			   int64_t now);
/* The same through an open state dir fd (sv_state_open_dir); -1 opens it. */
int sv_replay_check_insert_at(const struct sv_config *c, int sfd,
			      const char *account, const char *jti,
			      size_t jtilen, int64_t expiry, int64_t now);

/* Whether (account, jti) is in the cache and live, without recording it
 * (svcacct verify): 0 not seen, -EEXIST seen, other -errno as above. The
 * quota is not evaluated. */
int sv_replay_seen(const struct sv_config *c, const char *account,
		   const char *jti, size_t jtilen, int64_t now);
/* The same through an open state dir fd (sv_state_open_dir); -1 opens it. */
int sv_replay_seen_at(const struct sv_config *c, int sfd, const char *account,
		      const char *jti, size_t jtilen, int64_t now);

#endif
