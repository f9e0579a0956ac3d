/* SPDX-License-Identifier: MIT */
/* Credential-parts reassembly (parts.h). */
#include "parts.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int svp_parts_init(struct svp_parts *p, size_t max, unsigned max_parts)
{
	memset(p, 0, sizeof(*p));
	if (max == SIZE_MAX)
		return -EINVAL;
	/* +1: the NUL; the total never exceeds max */
	p->buf = malloc(max + 1);
	if (!p->buf)
		return -ENOMEM;
	p->max = max;
	p->max_parts = max_parts;
	return 0;
}

int svp_parts_add(struct svp_parts *p, const char *ans, bool *more,
		  const char **reason)
{
	size_t n = strlen(ans);

	*more = n > 0 && ans[n - 1] == SVP_CONT_MARK;
	if (*more)
		n--;
	p->part++;
	if (n > p->max - p->len) {
		*reason = "too_long";
		return -EINVAL;
	}
	memcpy(p->buf + p->len, ans, n);
	p->len += n;
	if (*more && p->part >= p->max_parts) {
		*reason = "too_many_parts";
		return -EINVAL;
	}
	return 0;
}

int svp_parts_finish(struct svp_parts *p, char **out, size_t *outlen,
		     const char **reason)
{
	*out = NULL;
	*outlen = 0;
	if (p->len == 0) {
		*reason = "empty";
		svp_parts_free(p);
		return -EINVAL;
	}
	p->buf[p->len] = '\0';
	*outlen = p->len;
	*out = SV_TAKE_PTR(p->buf);
	p->len = 0;
	return 0;
}

void svp_parts_free(struct svp_parts *p)
{
	if (p->buf) {
		sv_wipe(p->buf, p->max + 1);
		free(p->buf);
	}
	p->buf = NULL;
	p->len = 0;
}
