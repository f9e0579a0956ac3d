/* SPDX-License-Identifier: MIT */
/* Session records: what pam_svcacct's session phase keeps of each session
 * it opens, so that `svcacct secret|key|sshkey revoke ... --stop` can end
 * the sessions opened with one credential. One file a session,
 * STATE_DIR/sessions/ACCOUNT/PID-START-CRED, written at open_session and
 * removed at close_session. A record names its processes by a handle that
 * survives PID reuse: the PID of the process that opened the session with
 * its start time (field 22 of /proc/PID/stat), and the session's cgroup
 * when systemd-logind made one for this very session. Auth side (libc). */
#ifndef SVCACCT_SESSIONS_H
#define SVCACCT_SESSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "codec.h"
#include "config.h"

#define SV_SESSION_CGROUP_MAX 256
/* the largest record file read; anything longer is not a record */
#define SV_SESSION_FILE_MAX 512
/* records kept per account: beyond it, stale ones are pruned, and a
 * session that still finds no room is not recorded */
#define SV_SESSIONS_MAX 1024
/* PID-START-CRED */
#define SV_SESSION_NAME_MAX (12 + 1 + 20 + 1 + SV_CRED_ID_LEN + 1)

struct sv_session_rec {
	char cred[SV_CRED_ID_LEN + 1];
	pid_t pid;	/* the process that opened the session */
	uint64_t start; /* its start time, clock ticks after boot */
	char cgroup[SV_SESSION_CGROUP_MAX]; /* "" when there is none */
};

/* What /proc/PID/stat says of a process. */
struct sv_proc_stat {
	pid_t ppid, pgrp, sid; /* fields 4, 5 and 6 */
	uint64_t start;	       /* field 22: start time, ticks after boot */
};

/* Read /proc/PID/stat (the command name, which the process chooses, is
 * skipped up to its last ')'): 0 with *st, -ENOENT when there is no such
 * process, -EBADMSG when the file cannot be read as one, or -errno. */
int sv_proc_stat_read(pid_t pid, struct sv_proc_stat *st);

/* Whether id can be a credential id in a record and a file name: 1 to
 * SV_CRED_ID_LEN of [0-9A-Za-z_-]. */
bool sv_session_cred_ok(const char *id);

/* Whether path is the cgroup (v2, relative to its mount) of a
 * systemd-logind session of uid: exactly
 * /user.slice/user-UID.slice/session-ID.scope with ID of [0-9A-Za-z]. */
bool sv_session_cgroup_ok(const char *path, uint32_t uid);

/* The cgroup of the calling process (/proc/self/cgroup, the v2 "0::"
 * line) when it is the logind session scope of uid named xdg_session_id
 * (the XDG_SESSION_ID pam_systemd set in this PAM transaction): 0 with
 * out filled, -ENOENT when it is not (no such session, another session,
 * another user's), or -errno. */
int sv_session_self_cgroup(uint32_t uid, const char *xdg_session_id, char *out,
			   size_t cap);

/* r's file name, PID-START-CRED, into out. 0 or -ENAMETOOLONG/-EINVAL. */
int sv_session_name(const struct sv_session_rec *r, char *out, size_t cap);

/* The record's text into out (at most SV_SESSION_FILE_MAX): its length,
 * or -EINVAL for a record that could not be read back (bad credential id
 * or cgroup). */
int sv_session_format(const struct sv_session_rec *r, char *out, size_t cap);

/* Read a record's text, strictly: 0 with r filled, or -EBADMSG. */
int sv_session_parse(const char *buf, size_t len, struct sv_session_rec *r);

/* Write r for account (written to a temporary name, then renamed into
 * place, so a reader never sees half a record). Directories are created
 * 0700 and must meet sv_state_subdir_open's rules. When the account has
 * SV_SESSIONS_MAX records, the stale ones (sv_session_is_live false) are
 * removed first; -ENOSPC if none was. 0 or -errno. */
int sv_session_write(const struct sv_config *c, const char *account,
		     const struct sv_session_rec *r);

/* Remove account's record named name. 0, -ENOENT, or -errno. */
int sv_session_remove(const struct sv_config *c, const char *account,
		      const char *name);

/* Whether r's process is still the one that opened the session: its PID
 * exists and has r's start time. */
bool sv_session_is_live(const struct sv_session_rec *r);

/* Whether r's process also holds a session recorded under another account
 * or with another credential (a process that opens one PAM session per
 * login in itself): 1 if so, 0 if not, or -errno when the records cannot
 * be listed. */
int sv_session_shared(const struct sv_config *c, const char *account,
		      const struct sv_session_rec *r);

/* Call fn for each of account's records: with the record, or with r NULL
 * for a file there that is no record (unsafe, too long, unreadable: the
 * caller may remove it by name). Stops at fn's first non-zero return,
 * which it returns. 0 when the account has no records (no directory), or
 * -errno (-EPERM for a directory that fails the rules). */
typedef int (*sv_session_fn)(const char *name, const struct sv_session_rec *r,
			     void *ctx);
int sv_sessions_each(const struct sv_config *c, const char *account,
		     sv_session_fn fn, void *ctx);

#endif
