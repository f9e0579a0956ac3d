/* SPDX-License-Identifier: MIT */
/* The PAM login benchmark's inner loops (tests/bench/pam/run.sh drives it).
 *
 *   pambench pam  CONFDIR SERVICE USER CREDFILE
 *       per credential (one a line): pam_start_confdir + pam_authenticate
 *       + pam_end, the conversation answering that credential; every
 *       login must return PAM_SUCCESS.
 *   pambench count CONFDIR SERVICE USER CREDFILE
 *       the same logins, none required to succeed: prints "count n=N
 *       ok=K fail=F" (the load tests: replays, races)
 *   pambench raw  CONF USER CREDFILE
 *       per assertion: what the module cannot avoid, the raw OpenSSL cost:
 *       build the key from its stored blob (sv_key_load) and verify the
 *       signature of the same token (base64url decode, r||s to DER,
 *       EVP_DigestVerify). The store is read once, outside the loop.
 *   pambench sink SOCKET COUNTFILE
 *       a stand-in for the host's syslog daemon: binds a datagram socket
 *       (/dev/log in the benchmark's namespace), reads every message and,
 *       on SIGTERM, writes to COUNTFILE how many were auth decisions that
 *       allowed a login (so the benchmark can check that every login was
 *       decided and logged).
 *   pambench identity USER N
 *       N identity lookups of USER as the module makes them, once per PAM
 *       handle (sv_identity_resolve: getpwnam_r through the system's NSS),
 *       so that the benchmark can leave their system calls out of the
 *       module's own (strace -c of two counts, the difference) and report
 *       what they cost.
 *   pambench log N
 *       the cost of the one syslog line a login writes: N lines of the
 *       module's length, each after 100 us of idling (so the reader is
 *       asleep, as between logins), timing only the syslog() calls.
 * Prints "MODE n=N total_s=S per_op_us=U" (CPU time, see now()). */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "../../lib/pamconv.h"

#include "assertion.h"
#include "codec.h"
#include "config.h"
#include "keys.h"
#include "login.h"
#include "store.h"

static char **creds;
static size_t n_creds, cur;

static void load(const char *path)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	if (!f) {
		perror(path);
		exit(2);
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!n)
			continue;
		creds = realloc(creds, (n_creds + 1) * sizeof(*creds));
		if (!creds)
			exit(2);
		creds[n_creds++] = strdup(line);
	}
	free(line);
	fclose(f);
}

/* Every prompt is answered with the current credential. */
static const char *current_cred(const char *prompt)
{
	(void)prompt;
	return creds[cur];
}

/* CPU time of this process (user + system), not wall time: the cost of a
 * login is the CPU it burns, and on a busy machine wall time also counts
 * the time other processes held the CPU. PAMBENCH_WALL=1 measures wall
 * time instead. */
static double now(void)
{
	static int wall = -1;
	struct timespec ts;
	if (wall < 0) {
		const char *w = getenv("PAMBENCH_WALL");
		wall = w && !strcmp(w, "1");
	}
	clock_gettime(wall ? CLOCK_MONOTONIC : CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Keep the modules of PAMBENCH_PIN (paths, ':'-separated) loaded between
 * logins: libpam dlopens and dlcloses every module of a stack per handle,
 * and pam_svcacct, linked -z nodelete, pays the mapping once per process
 * while pam_permit paid it on every login (its dlopen and munmap cost ten
 * times its work on a guest where page faults and TLB flushes are dear),
 * which made "module's own cost" the difference of two unlike things. */
static void pin_modules(void)
{
	const char *list = getenv("PAMBENCH_PIN");
	char path[4096];

	while (list && *list) {
		size_t n = strcspn(list, ":");
		if (n && n < sizeof(path)) {
			memcpy(path, list, n);
			path[n] = '\0';
			if (!dlopen(path, RTLD_NOW | RTLD_NODELETE))
				fprintf(stderr, "pambench: pin %s: %s\n", path,
					dlerror());
		}
		list += n + (list[n] == ':');
	}
}

static int bench_pam(const char *confdir, const char *service, const char *user,
		     bool count)
{
	pin_modules();
	struct test_conv tc = {current_cred, NULL};
	struct pam_conv pc = {test_conv, &tc};
	size_t ok = 0;
	double t0 = now();
	for (cur = 0; cur < n_creds; cur++) {
		pam_handle_t *pamh = NULL;
		int r = pam_start_confdir(service, user, &pc, confdir, &pamh);
		if (r == PAM_SUCCESS)
			r = pam_authenticate(pamh, PAM_SILENT);
		pam_end(pamh, r);
		if (count) {
			ok += r == PAM_SUCCESS;
			continue;
		}
		if (r != PAM_SUCCESS) {
			fprintf(stderr, "login %zu: %s\n", cur,
				pam_strerror(NULL, r));
			return 1;
		}
	}
	double t = now() - t0;
	if (count) {
		printf("count n=%zu ok=%zu fail=%zu total_s=%.4f\n", n_creds,
		       ok, n_creds - ok, t);
		return 0;
	}
	printf("pam n=%zu total_s=%.4f per_op_us=%.2f\n", n_creds, t,
	       t / (double)n_creds * 1e6);
	return 0;
}

/* The blob of the account's key with this kid, read once. */
static int find_blob(const struct sv_config *c, const char *user,
		     const char *kid, uint8_t **blob, size_t *len)
{
	struct sv_reader *rd = NULL;
	struct sv_blob lb = {0};
	struct sv_list ids;
	size_t off = 0;
	uint32_t idx = 0;
	struct sv_str it;
	int ret = -ENOENT;

	if (sv_reader_open(c, SV_DBMASK_ALL, &rd) < 0)
		return -EIO;
	if (sv_get_cred_ids(rd, SV_DB_CREDENTIALS, user, &lb, &ids) == 0) {
		while (ret && sv_list_next(&ids, &off, &idx, &it)) {
			char id[64];
			struct sv_blob cb = {0};
			struct sv_cred cr;
			snprintf(id, sizeof(id), "%.*s", (int)it.n, it.p);
			if (sv_get_cred(rd, SV_DB_CREDENTIALS, id, &cb, &cr) ==
				0 &&
			    cr.type == SV_CRED_KEY && sv_str_eq(cr.kid, kid)) {
				*blob = malloc(cr.material.n);
				memcpy(*blob, cr.material.p, cr.material.n);
				*len = cr.material.n;
				ret = 0;
			}
			sv_blob_free(&cb);
		}
	}
	sv_blob_free(&lb);
	sv_reader_close(rd);
	return ret;
}

static int bench_raw(const char *conf, const char *user)
{
	struct sv_config c;
	char err[512];
	uint8_t *blob = NULL;
	size_t bloblen = 0;
	struct sv_jws j;
	const char *reason;

	if (sv_config_load(&c, conf, true, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	/* the kid of the first token names the key */
	if (sv_jws_split(creds[0], strlen(creds[0]), 65536, &j, &reason) < 0 ||
	    sv_jws_parse_header(&j, 0, &reason) < 0 || !j.has_kid ||
	    find_blob(&c, user, j.kid, &blob, &bloblen) < 0) {
		fprintf(stderr, "cannot find the key\n");
		return 2;
	}
	sv_jws_free(&j);
	double t0 = now();
	for (cur = 0; cur < n_creds; cur++) {
		EVP_PKEY *pk = NULL;
		enum sv_alg alg;
		struct sv_jws t;
		if (sv_jws_split(creds[cur], strlen(creds[cur]), 65536, &t,
				 &reason) < 0 ||
		    sv_key_load(blob, bloblen, &pk, &alg) < 0 ||
		    sv_jws_verify(&t, pk, alg) < 0) {
			fprintf(stderr, "verify %zu failed\n", cur);
			return 1;
		}
		EVP_PKEY_free(pk);
	}
	double t = now() - t0;
	printf("raw n=%zu total_s=%.4f per_op_us=%.2f\n", n_creds, t,
	       t / (double)n_creds * 1e6);
	free(blob);
	return 0;
}

static volatile sig_atomic_t stop;
static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int sink(const char *path, const char *countfile)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct sigaction sa = {.sa_handler = on_term};
	char buf[4096];
	unsigned long allowed = 0;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	FILE *f;

	if (fd < 0 || strlen(path) >= sizeof(a.sun_path))
		return 2;
	memcpy(a.sun_path, path, strlen(path) + 1);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror(path);
		return 2;
	}
	sigaction(SIGTERM, &sa, NULL); /* no SA_RESTART: recv returns */
	while (!stop) {
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		if (strstr(buf, "event=auth result=allow"))
			allowed++;
	}
	f = fopen(countfile, "we");
	if (!f)
		return 2;
	fprintf(f, "%lu\n", allowed);
	return fclose(f) == 0 ? 0 : 2;
}

static void spin_us(long us)
{
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000000L +
		   (b.tv_nsec - a.tv_nsec) / 1000 <
	       us);
}

static int bench_log(long n)
{
	double t = 0;
	openlog("pambench", LOG_NDELAY, LOG_AUTHPRIV);
	for (long i = 0; i < n; i++) {
		spin_us(100);
		double t0 = now();
		syslog(LOG_AUTHPRIV | LOG_INFO,
		       "pam_svcacct(bench:auth): svcacct: event=bench "
		       "result=none account=bench0 credential=0123456789abcdef "
		       "service=bench rhost=- reason=ok method=assertion "
		       "roles=ops jti=00000000-0000-0000-0000-%012ld",
		       i);
		t += now() - t0;
	}
	closelog();
	printf("log n=%ld total_s=%.4f per_op_us=%.2f\n", n, t,
	       t / (double)n * 1e6);
	return 0;
}

static int bench_identity(const char *user, long n)
{
	double t0 = now();
	for (long i = 0; i < n; i++) {
		uint32_t uid;
		if (sv_identity_resolve(user, &uid) < 0) {
			fprintf(stderr, "%s: no such user\n", user);
			return 1;
		}
	}
	double t = now() - t0;
	printf("identity n=%ld total_s=%.4f per_op_us=%.2f\n", n, t,
	       t / (double)n * 1e6);
	return 0;
}

/* The cost of the cheapest system call here (getppid): the module's own
 * cost is mostly system calls (store, state, log), the raw verify none. */
static int bench_syscall(long n)
{
	double t0 = now();
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	double t = now() - t0;
	printf("syscall n=%ld total_s=%.4f per_op_us=%.3f\n", n, t,
	       t / (double)n * 1e6);
	return 0;
}

int main(int argc, char **argv)
{
	int r;
	if (argc == 4 && !strcmp(argv[1], "sink"))
		return sink(argv[2], argv[3]);
	if (argc == 3 &&
	    (!strcmp(argv[1], "log") || !strcmp(argv[1], "syscall"))) {
		char *end;
		errno = 0;
		long n = strtol(argv[2], &end, 10);
		if (errno || end == argv[2] || *end || n < 1) {
			fprintf(stderr,
				"pambench: %s: N must be a count from 1 to "
				"%ld, not '%s'\n",
				argv[1], LONG_MAX, argv[2]);
			return 2;
		}
		return strcmp(argv[1], "log") ? bench_syscall(n) : bench_log(n);
	}
	if (argc == 4 && !strcmp(argv[1], "identity")) {
		char *end;
		errno = 0;
		long n = strtol(argv[3], &end, 10);
		if (errno || end == argv[3] || *end || n < 1) {
			fprintf(stderr,
				"pambench: identity: N must be a count "
				"from 1, not '%s'\n",
				argv[3]);
			return 2;
		}
		return bench_identity(argv[2], n);
	}
	if (argc == 6 && !strcmp(argv[1], "pam")) {
		load(argv[5]);
		r = bench_pam(argv[2], argv[3], argv[4], false);
	} else if (argc == 6 && !strcmp(argv[1], "count")) {
		load(argv[5]);
		r = bench_pam(argv[2], argv[3], argv[4], true);
	} else if (argc == 5 && !strcmp(argv[1], "raw")) {
		load(argv[4]);
		r = bench_raw(argv[2], argv[3]);
	} else {
		fprintf(stderr,
			"usage: pambench pam|count CONFDIR SERVICE USER FILE | "
			"raw CONF USER FILE | sink SOCKET COUNTFILE | log N | "
			"syscall N | identity USER N\n");
		return 2;
	}
	for (size_t i = 0; i < n_creds; i++)
		free(creds[i]);
	free(creds);
	return r;
}
