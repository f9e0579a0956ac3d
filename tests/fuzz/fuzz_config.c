/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the svcacct.conf(5) text parser (common/store/config.c,
 * sv_config_parse, which sv_config_load runs on the file's bytes).
 *
 * Oracle: a refusal always comes with a "NAME:LINE: what" message; an
 * accepted file yields a config whose strings are terminated within their
 * arrays, whose lists stay within their bounds and whose ranges are
 * ordered (what the rest of the code relies on without rechecking). */
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"

#define TERMINATED(a) CHECK(memchr((a), '\0', sizeof(a)) != NULL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sv_config c;
	char err[SV_CONF_ERRLEN];

	sv_config_defaults(&c);
	memset(err, 0, sizeof(err));
	int r = sv_config_parse(&c, (const char *)data, size, "fuzz.conf", err,
				sizeof(err));
	if (r < 0) {
		CHECK(strncmp(err, "fuzz.conf", 9) == 0);
		TERMINATED(err);
		return 0;
	}
	CHECK(r == 0);
	TERMINATED(c.db_dir);
	TERMINATED(c.state_dir);
	TERMINATED(c.home_base);
	TERMINATED(c.default_shell);
	TERMINATED(c.keys_group);
	CHECK(c.uid_min <= c.uid_max);
	CHECK(c.gid_min <= c.gid_max);
	CHECK(c.n_audiences <= SV_CONF_MAX_LIST);
	CHECK(c.n_ui_services <= SV_CONF_MAX_LIST);
	for (size_t i = 0; i < c.n_audiences; i++)
		TERMINATED(c.audiences[i]);
	for (size_t i = 0; i < c.n_ui_services; i++)
		TERMINATED(c.ui_services[i]);
	return 0;
}
