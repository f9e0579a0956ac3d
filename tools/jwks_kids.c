/* SPDX-License-Identifier: MIT */
#include "jwks_kids.h"

#include <stdio.h>
#include <string.h>

json_t *jwks_kids_json(json_t *keys)
{
	json_t *a = json_array(), *k;
	size_t i;
	json_array_foreach (keys, i, k)
		json_array_append(a, json_object_get(k, "kid"));
	return a;
}

void jwks_kids_text(json_t *keys, char *out, size_t cap)
{
	json_t *k;
	size_t i;
	out[0] = '\0';
	json_array_foreach (keys, i, k) {
		const char *kid = json_string_value(json_object_get(k, "kid"));
		snprintf(out + strlen(out), cap - strlen(out), "%s%s",
			 i ? "," : "", kid ? kid : "?");
	}
}
