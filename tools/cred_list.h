/* SPDX-License-Identifier: MIT */
/* What the credential lists (key/secret list, sshkey list) add to the
 * records cli_list_creds gives them before they are printed. */
#ifndef SVCACCT_TOOLS_CRED_LIST_H
#define SVCACCT_TOOLS_CRED_LIST_H

#include <stdbool.h>

#include <jansson.h>

#include "cli.h"

/* Each credential of arr gets its last use (cli_creds_last_used, with
 * its --unused filter) and its scope's role names (cli_scope_names); *scoped
 * tells whether some credential has a scope (the list's SCOPE column).
 * 0, or an exit code once reported (arr is still the caller's). */
int cred_list_annotate(struct cli *cli, const char *account, json_t *arr,
		       const char *unused, bool *scoped);

#endif
