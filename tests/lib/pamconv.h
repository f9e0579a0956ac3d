/* SPDX-License-Identifier: MIT */
/* The PAM conversation of the test programs that drive a PAM stack
 * (tests/pam/pam_harness.c, tests/bench/pam/pambench.c): they differ only
 * in where a prompt's answer comes from and whether other messages are
 * shown. */
#ifndef SVCACCT_TEST_PAMCONV_H
#define SVCACCT_TEST_PAMCONV_H

#include <stdlib.h>
#include <string.h>

#include <security/pam_appl.h>

/* The appdata_ptr of a struct pam_conv whose conv is test_conv. */
struct test_conv {
	/* The answer to a prompt (echo on or off), copied into the
	 * response; NULL fails the conversation. */
	const char *(*answer)(const char *prompt);
	/* Told every other message; may be NULL. */
	void (*note)(const char *msg);
};

/* Answers each prompt through data's answer. PAM_SUCCESS with *resp
 * (allocated, one per message, the caller frees), PAM_BUF_ERR, or
 * PAM_CONV_ERR with nothing left allocated when a prompt has no answer or
 * an answer cannot be copied. */
static int test_conv(int n, const struct pam_message **msg,
		     struct pam_response **resp, void *data)
{
	const struct test_conv *tc = data;
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		const char *a;
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
		case PAM_PROMPT_ECHO_ON:
			a = tc->answer(msg[i]->msg);
			if (!a)
				goto fail;
			r[i].resp = strdup(a);
			if (!r[i].resp)
				goto fail;
			break;
		default:
			if (tc->note)
				tc->note(msg[i]->msg);
			break;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
fail:
	for (int i = 0; i < n; i++)
		free(r[i].resp);
	free(r);
	return PAM_CONV_ERR;
}

#endif
