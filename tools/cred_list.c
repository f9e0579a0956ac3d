/* SPDX-License-Identifier: MIT */
#include "cred_list.h"

int cred_list_annotate(struct cli *cli, const char *account, json_t *arr,
		       const char *unused, bool *scoped)
{
	struct sv_reader *ard;
	json_t *it;
	size_t i;
	int r = cli_creds_last_used(cli, account, arr, unused);

	if (r)
		return r;
	ard = cli_reader(cli, SV_DBMASK(SV_DB_ACCOUNTS));
	if (!ard)
		return EXIT_FAIL;
	cli_scope_names(ard, arr);
	sv_reader_close(ard);
	*scoped = false;
	json_array_foreach (arr, i, it)
		*scoped = *scoped ||
			  json_array_size(json_object_get(it, "roles")) ||
			  json_array_size(json_object_get(it, "from"));
	return 0;
}
