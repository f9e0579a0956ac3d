/* SPDX-License-Identifier: MIT */
#include "jwks_report.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>

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

void jwks_kids_join(json_t *kids, char *out, size_t cap)
{
	json_t *k;
	size_t i;
	out[0] = '\0';
	json_array_foreach (kids, i, k)
		snprintf(out + strlen(out), cap - strlen(out), "%s%s",
			 i ? "," : "", json_string_value(k));
}

void jwks_audit_error(const char *event, const char *what, const char *name,
		      const char *cred, const char *why)
{
	char clean[300];
	size_t i = 0;
	for (; why[i] && i + 1 < sizeof(clean); i++)
		clean[i] = (why[i] == ' ' || (unsigned char)why[i] < 0x20)
			       ? '_'
			       : why[i];
	clean[i] = '\0';
	openlog("svcacct", LOG_PID, LOG_AUTHPRIV);
	syslog(LOG_AUTHPRIV | LOG_ERR,
	       "svcacct: event=%s result=error %s=%s%s%s detail=%s", event,
	       what, name, cred ? " credential=" : "", cred ? cred : "", clean);
	closelog();
}
