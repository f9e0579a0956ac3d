/* SPDX-License-Identifier: MIT */
/* Drive a PAM stack through real Linux-PAM (pam_start_confdir) and print
 * what each phase returned, for the shell tests.
 *
 *   pam_harness -c CONFDIR -s SERVICE -u USER
 *               [-f FILE]... [-p PART]... [-k SPLIT] [-r RHOST] [-t TTY]
 *               [-A] [-G GID,GID,...] [-E NAME=VALUE]... [-x] [-n]
 *               [-U USER] [-S NAME=VALUE]...
 *
 * Answers: each -f FILE (whole file) or -p PART answers one prompt, in
 * order; with -k N the first credential is cut into N-byte parts, each but
 * the last ending in the continuation mark '\'. A prompt with no answer
 * left fails the conversation (PAM_CONV_ERR).
 * -A skips auth (another module authenticated, as sshd public keys), -E
 * sets a PAM environment variable before the account phase (forgery
 * tests), -G installs these supplementary groups (as initgroups would)
 * before pam_setcred and prints getgroups() after it, -x runs
 * pam_chauthtok only, -n stops after auth, -U USER sets PAM_USER to USER
 * after the account phase (sudo: auth and account for the invoking user,
 * setcred and session for the target), -S sets a PAM environment
 * variable before the session phase (sshd fills SSH_AUTH_INFO_0 late),
 * -D CMD runs the shell command CMD while the session is open, then
 * closes it and deletes the credentials (pam_setcred(PAM_DELETE_CRED)),
 * as sshd does when a connection ends.
 * -B CMD makes the same process go through it all once more: after a
 * run's pam_end it runs the shell command CMD, then starts again with the
 * answers left (what a long-lived PAM application does between two logins,
 * with a change made in between); the next run's lines follow "again".
 * Each -B (up to 8) adds a run, its command run before it.
 * Output, one per line: "auth=PAM_...", "acct=...", "setcred=...",
 * "session=...", "close=...", "delcred=...", "env NAME=VALUE",
 * "groups=...", "msg ...".
 * Under tests/hardening's failmalloc shim (LD_PRELOAD), the allocations
 * made inside pam_authenticate, pam_acct_mgmt and pam_setcred are the
 * ones counted (failmalloc_arm), not the harness's own. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <security/pam_appl.h>

#include "../lib/pamconv.h"

#define MAX_ANS 4096

static char *answers[MAX_ANS];
static size_t n_answers, next_answer;

/* failmalloc_arm of the preloaded shim, if any */
static void (*arm)(const char *);

static void arm_phase(const char *phase)
{
	if (arm)
		arm(phase);
}

static const char *code(int r)
{
	static const struct {
		int c;
		const char *n;
	} t[] = {
#define C(x) {x, #x}
	    C(PAM_SUCCESS),
	    C(PAM_OPEN_ERR),
	    C(PAM_SYMBOL_ERR),
	    C(PAM_SERVICE_ERR),
	    C(PAM_SYSTEM_ERR),
	    C(PAM_BUF_ERR),
	    C(PAM_PERM_DENIED),
	    C(PAM_AUTH_ERR),
	    C(PAM_CRED_INSUFFICIENT),
	    C(PAM_AUTHINFO_UNAVAIL),
	    C(PAM_USER_UNKNOWN),
	    C(PAM_MAXTRIES),
	    C(PAM_NEW_AUTHTOK_REQD),
	    C(PAM_ACCT_EXPIRED),
	    C(PAM_SESSION_ERR),
	    C(PAM_CRED_UNAVAIL),
	    C(PAM_CRED_EXPIRED),
	    C(PAM_CRED_ERR),
	    C(PAM_NO_MODULE_DATA),
	    C(PAM_CONV_ERR),
	    C(PAM_AUTHTOK_ERR),
	    C(PAM_AUTHTOK_RECOVERY_ERR),
	    C(PAM_AUTHTOK_LOCK_BUSY),
	    C(PAM_AUTHTOK_DISABLE_AGING),
	    C(PAM_TRY_AGAIN),
	    C(PAM_IGNORE),
	    C(PAM_ABORT),
	    C(PAM_AUTHTOK_EXPIRED),
	    C(PAM_MODULE_UNKNOWN),
	    C(PAM_BAD_ITEM),
	    C(PAM_CONV_AGAIN),
	    C(PAM_INCOMPLETE),
#undef C
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].c == r)
			return t[i].n;
	return "PAM_UNKNOWN_CODE";
}

/* The next -f/-p answer, after printing the prompt; NULL when none is
 * left. */
static const char *next_prompt_answer(const char *prompt)
{
	printf("prompt %s\n", prompt);
	if (next_answer >= n_answers)
		return NULL;
	return answers[next_answer++];
}

static void print_msg(const char *msg)
{
	printf("msg %s\n", msg);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	if (!f) {
		perror(path);
		exit(2);
	}
	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap + 1);
			if (!buf)
				exit(2);
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	fclose(f);
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	buf[len] = '\0';
	return buf;
}

static void add_answer(char *s)
{
	if (n_answers >= MAX_ANS)
		exit(2);
	answers[n_answers++] = s;
}

/* Cut answers[0] into parts of k bytes with continuation marks. */
static void split_first(size_t k)
{
	char *s = answers[0];
	size_t len = strlen(s), parts = (len + k - 1) / k;
	if (parts <= 1)
		return;
	if (parts + n_answers - 1 > MAX_ANS)
		exit(2);
	memmove(answers + parts, answers + 1, (n_answers - 1) * sizeof(char *));
	for (size_t i = 0; i < parts; i++) {
		size_t n = len - i * k < k ? len - i * k : k;
		char *p = malloc(n + 2);
		memcpy(p, s + i * k, n);
		if (i + 1 < parts)
			p[n++] = '\\';
		p[n] = '\0';
		answers[i] = p;
	}
	n_answers += parts - 1;
	free(s);
}

static void print_env(pam_handle_t *pamh)
{
	char **env = pam_getenvlist(pamh);
	if (!env)
		return;
	for (char **e = env; *e; e++) {
		if (!strncmp(*e, "SVCACCT_", 8))
			printf("env %s\n", *e);
		free(*e);
	}
	free(env);
}

static void print_groups(void)
{
	gid_t g[256];
	int n = getgroups(256, g);
	printf("groups=");
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", (unsigned)g[i]);
	printf("\n");
}

/* Under the failmalloc shim with FAILMALLOC_WARM=1: bring libcrypto up as
 * sshd has before any login (its configuration and providers loaded, host
 * keys of the EC kind used, SHA-256 fetched), so that the allocations
 * counted are the login's, not OpenSSL's one-time setup of the process
 * (thousands, which a cold series covers once). */
static void warm_openssl(void)
{
	unsigned char md[EVP_MAX_MD_SIZE], sig[256];
	size_t siglen = sizeof(sig);
	unsigned int mdlen = 0;
	EVP_PKEY *k = NULL;
	EVP_MD_CTX *c = NULL;

	OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL);
	(void)EVP_Digest("x", 1, md, &mdlen, EVP_sha256(), NULL);
	k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	c = EVP_MD_CTX_new();
	if (k && c && EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, k) == 1 &&
	    EVP_DigestSign(c, sig, &siglen, md, mdlen) == 1 &&
	    EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL, k) == 1)
		(void)EVP_DigestVerify(c, sig, siglen, md, mdlen);
	EVP_MD_CTX_free(c);
	EVP_PKEY_free(k);
}

/* Appends an -E or -S "NAME=value" to list (32 of them; more are
 * dropped). */
static void add_env(const char **list, size_t *n, const char *env)
{
	if (*n < 32)
		list[(*n)++] = env;
}

/* What one run of the stack needs (main's options). */
struct opts {
	const char *confdir, *service, *user, *rhost, *tty, *groups, *target,
	    *during;
	const char **envs, **senvs;
	size_t n_envs, n_senvs;
	int skip_auth, chauthtok, auth_only;
};

/* One run: pam_start_confdir to pam_end. 0, or 1 when PAM did not start. */
static int run(const struct opts *o)
{
	struct test_conv tc = {next_prompt_answer, print_msg};
	struct pam_conv pc = {test_conv, &tc};
	pam_handle_t *pamh = NULL;
	int r;

	r = pam_start_confdir(o->service, o->user, &pc, o->confdir, &pamh);
	if (r != PAM_SUCCESS) {
		printf("start=%s\n", code(r));
		return 1;
	}
	if (o->rhost)
		pam_set_item(pamh, PAM_RHOST, o->rhost);
	if (o->tty)
		pam_set_item(pamh, PAM_TTY, o->tty);
	if (o->chauthtok) {
		r = pam_chauthtok(pamh, 0);
		printf("chauthtok=%s\n", code(r));
		goto end;
	}
	if (!o->skip_auth) {
		arm_phase("auth");
		r = pam_authenticate(pamh, PAM_SILENT);
		arm_phase(NULL);
		printf("auth=%s\n", code(r));
		print_env(pamh);
		if (r != PAM_SUCCESS || o->auth_only)
			goto end;
	}
	for (size_t i = 0; i < o->n_envs; i++)
		pam_putenv(pamh, o->envs[i]);
	arm_phase("acct");
	r = pam_acct_mgmt(pamh, 0);
	arm_phase(NULL);
	printf("acct=%s\n", code(r));
	if (r != PAM_SUCCESS)
		goto end;
	if (o->target &&
	    pam_set_item(pamh, PAM_USER, o->target) != PAM_SUCCESS) {
		printf("user=failed\n");
		goto end;
	}
	if (o->groups) {
		/* what sshd does between its two setcred calls */
		gid_t g[256];
		size_t n = 0;
		char *dup = strdup(o->groups), *save = NULL;
		for (char *t = strtok_r(dup, ",", &save); t && n < 256;
		     t = strtok_r(NULL, ",", &save))
			g[n++] = (gid_t)strtoul(t, NULL, 10);
		free(dup);
		if (setgroups(n, g) < 0) {
			perror("setgroups");
			return 1;
		}
	}
	arm_phase("setcred");
	r = pam_setcred(pamh, PAM_ESTABLISH_CRED);
	arm_phase(NULL);
	printf("setcred=%s\n", code(r));
	if (o->groups)
		print_groups();
	for (size_t i = 0; i < o->n_senvs; i++)
		pam_putenv(pamh, o->senvs[i]);
	r = pam_open_session(pamh, 0);
	printf("session=%s\n", code(r));
	print_env(pamh);
	if (r == PAM_SUCCESS) {
		if (o->during && system(o->during) != 0)
			printf("msg -D command failed\n");
		r = pam_close_session(pamh, 0);
		printf("close=%s\n", code(r));
		if (o->during) {
			r = pam_setcred(pamh, PAM_DELETE_CRED);
			printf("delcred=%s\n", code(r));
		}
	}
end:
	pam_end(pamh, r);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *envs[32], *senvs[32];
	struct opts o = {.envs = envs, .senvs = senvs};
	const char *between[8];
	size_t n_between = 0;
	size_t split = 0;
	int opt, r;

	while ((opt = getopt(argc, argv, "c:s:u:f:p:k:r:t:AG:E:xnU:S:D:B:")) !=
	       -1) {
		switch (opt) {
		case 'c': o.confdir = optarg; break;
		case 's': o.service = optarg; break;
		case 'u': o.user = optarg; break;
		case 'f': add_answer(slurp(optarg)); break;
		case 'p': add_answer(strdup(optarg)); break;
		case 'k': split = strtoul(optarg, NULL, 10); break;
		case 'r': o.rhost = optarg; break;
		case 't': o.tty = optarg; break;
		case 'A': o.skip_auth = 1; break;
		case 'G': o.groups = optarg; break;
		case 'E': add_env(envs, &o.n_envs, optarg); break;
		case 'x': o.chauthtok = 1; break;
		case 'n': o.auth_only = 1; break;
		case 'U': o.target = optarg; break;
		case 'S': add_env(senvs, &o.n_senvs, optarg); break;
		case 'D': o.during = optarg; break;
		case 'B':
			if (n_between == 8) {
				fprintf(stderr, "at most 8 -B\n");
				return 2;
			}
			between[n_between++] = optarg;
			break;
		default: fprintf(stderr, "usage: see the source\n"); return 2;
		}
	}
	if (!o.confdir || !o.service || !o.user) {
		fprintf(stderr, "need -c, -s and -u\n");
		return 2;
	}
	if (split && n_answers)
		split_first(split);
	setvbuf(stdout, NULL, _IOLBF, 0);
	arm = (void (*)(const char *))dlsym(RTLD_DEFAULT, "failmalloc_arm");
	/* as every PAM application does before it authenticates (sshd and
	 * sudo resolve the user first): glibc sets up its NSS databases on
	 * the first lookup, and glibc 2.36 crashes when an allocation of
	 * that one-time setup fails, which is not the module's to survive */
	(void)getpwnam(o.user);
	if (arm && getenv("FAILMALLOC_WARM") &&
	    !strcmp(getenv("FAILMALLOC_WARM"), "1"))
		warm_openssl();
	r = run(&o);
	for (size_t i = 0; r == 0 && i < n_between; i++) {
		if (system(between[i]) != 0)
			printf("msg -B command failed\n");
		printf("again\n");
		r = run(&o);
	}
	for (size_t i = 0; i < n_answers; i++) {
		if (answers[i]) {
			memset(answers[i], 0, strlen(answers[i]));
			free(answers[i]);
		}
	}
	return r;
}
