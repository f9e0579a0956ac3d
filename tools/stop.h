/* SPDX-License-Identifier: MIT */
/* Ending the sessions that pam_svcacct recorded as opened with one
 * credential (common/auth/sessions.h), for `revoke --stop`. */
#ifndef SVCACCT_TOOLS_STOP_H
#define SVCACCT_TOOLS_STOP_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

struct stop_result {
	unsigned sessions;  /* live sessions ended */
	unsigned processes; /* processes signalled */
	unsigned stale;	    /* records of sessions already gone, removed */
	unsigned others;    /* records left: other credentials' sessions */
	unsigned shared;    /* sessions left running: their process holds
			       other accounts' or credentials' sessions too */
};

/* End the sessions of account (UID uid; has_uid false when it could not
 * be read, then no cgroup is used) recorded with credential cred: each
 * one's logind scope when it still exists, else the process that opened
 * the session (if its start time still matches the record), every
 * descendant of it, and the sessions and process groups they lead; SIGTERM,
 * then SIGKILL after a short wait. Records of ended or stale sessions are
 * removed, unreadable ones too. A session whose process (outside a scope)
 * also holds a session of another account or credential is left running
 * and counted in shared: ending it would end those. Never signals PID 1 or
 * the caller. 0 with
 * *res, or -errno when the records cannot be read. */
int stop_sessions(const struct sv_config *c, const char *account, uint32_t uid,
		  bool has_uid, const char *cred, struct stop_result *res);

#endif
