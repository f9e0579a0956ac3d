/* SPDX-License-Identifier: MIT */
/* The credential from PAM_AUTHTOK or the conversation, in parts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "pam_svcacct.h"
#include "parts.h"
#include "util.h"

void svp_cred_free(char *p, size_t len)
{
	if (!p)
		return;
	sv_wipe(p, len);
	free(p);
}

void svp_message(pam_handle_t *pamh, int style, const char *text)
{
	const struct pam_conv *conv = NULL;
	struct pam_message msg = {.msg_style = style, .msg = text};
	const struct pam_message *pmsg = &msg;
	struct pam_response *resp = NULL;

	if (pam_get_item(pamh, PAM_CONV, (const void **)&conv) != PAM_SUCCESS ||
	    !conv || !conv->conv)
		return;
	if (conv->conv(1, &pmsg, &resp, conv->appdata_ptr) == PAM_SUCCESS &&
	    resp) {
		if (resp->resp) {
			sv_wipe(resp->resp, strlen(resp->resp));
			free(resp->resp);
		}
		free(resp);
	}
}

/* One prompt, echo off. *ans is malloc'd by the application. */
static int ask(pam_handle_t *pamh, const char *prompt, char **ans)
{
	const struct pam_conv *conv = NULL;
	struct pam_message msg = {.msg_style = PAM_PROMPT_ECHO_OFF,
				  .msg = prompt};
	const struct pam_message *pmsg = &msg;
	struct pam_response *resp = NULL;
	int r;

	*ans = NULL;
	r = pam_get_item(pamh, PAM_CONV, (const void **)&conv);
	if (r != PAM_SUCCESS || !conv || !conv->conv)
		return PAM_CONV_ERR;
	r = conv->conv(1, &pmsg, &resp, conv->appdata_ptr);
	if (r != PAM_SUCCESS) {
		if (resp) {
			if (resp->resp) {
				sv_wipe(resp->resp, strlen(resp->resp));
				free(resp->resp);
			}
			free(resp);
		}
		return r == PAM_CONV_AGAIN ? PAM_INCOMPLETE : PAM_CONV_ERR;
	}
	if (!resp)
		return PAM_CONV_ERR;
	*ans = resp->resp;
	free(resp);
	return *ans ? PAM_SUCCESS : PAM_CONV_ERR;
}

static int from_authtok(pam_handle_t *pamh, const struct sv_config *cfg,
			char **out, size_t *outlen, const char **reason)
{
	const void *tok = NULL;
	size_t n;

	if (pam_get_item(pamh, PAM_AUTHTOK, &tok) != PAM_SUCCESS || !tok)
		return PAM_AUTHTOK_RECOVERY_ERR;
	n = strnlen(tok, (size_t)cfg->max_credential_length + 1);
	if (n > cfg->max_credential_length) {
		*reason = "too_long";
		return PAM_AUTH_ERR;
	}
	*out = strndup(tok, n);
	if (!*out) {
		*reason = "no_memory";
		return PAM_BUF_ERR;
	}
	*outlen = n;
	return PAM_SUCCESS;
}

int svp_get_credential(pam_handle_t *pamh, const struct svp_args *a,
		       const struct sv_config *cfg, const char *audience,
		       char **out, size_t *outlen, const char **reason)
{
	char prompt[320];
	char *ans = NULL;
	struct svp_parts parts;
	bool more = true;
	int r;

	*out = NULL;
	*outlen = 0;
	if (a->use_first_pass || a->try_first_pass) {
		r = from_authtok(pamh, cfg, out, outlen, reason);
		if (r == PAM_SUCCESS || a->use_first_pass) {
			if (r == PAM_AUTHTOK_RECOVERY_ERR) {
				*reason = "no_credential";
				r = PAM_AUTH_ERR;
			}
			return r;
		}
		if (r != PAM_AUTHTOK_RECOVERY_ERR)
			return r;
	}
	if (svp_parts_init(&parts, cfg->max_credential_length, cfg->max_parts) <
	    0) {
		*reason = "no_memory";
		return PAM_BUF_ERR;
	}
	while (more) {
		if (parts.part == 0)
			snprintf(prompt, sizeof(prompt),
				 "svcacct credential for %s: ", audience);
		else
			snprintf(
			    prompt, sizeof(prompt),
			    "svcacct credential (part %u): ", parts.part + 1);
		r = ask(pamh, prompt, &ans);
		if (r != PAM_SUCCESS) {
			*reason = "conv_error";
			goto out;
		}
		r = svp_parts_add(&parts, ans, &more, reason) < 0 ? PAM_AUTH_ERR
								  : PAM_SUCCESS;
		sv_wipe(ans, strlen(ans));
		free(ans);
		ans = NULL;
		if (r != PAM_SUCCESS)
			goto out;
	}
	r = svp_parts_finish(&parts, out, outlen, reason) < 0 ? PAM_AUTH_ERR
							      : PAM_SUCCESS;
out:
	if (ans) {
		sv_wipe(ans, strlen(ans));
		free(ans);
	}
	svp_parts_free(&parts);
	return r;
}
