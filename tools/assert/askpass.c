/* SPDX-License-Identifier: MIT */
/* svcacct-assert PROMPT: ssh's SSH_ASKPASS helper. Answers pam_svcacct's
 * prompts with the parts of one fresh credential, kept between ssh's runs
 * of the helper in a private directory. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "assert.h"

/* Each part carries at most this many bytes of credential, plus the
 * continuation mark: ssh sends at most 1023 bytes in one answer. */
#define PART_SIZE 1000
#define CACHE_TTL 60

/* A fresh credential: the token file's content (an IdP token or a client
 * secret, trimmed), or an assertion minted now. */
static char *fresh_credential(const struct client_conf *cc)
{
	const struct sv_client_config *c = &cc->c;

	if (*c->token_file) {
		char *buf = NULL;
		size_t len = 0;
		if (read_private_file(c->token_file, TOKEN_MAX, &buf, &len))
			return NULL;
		while (len && isspace((unsigned char)buf[len - 1]))
			buf[--len] = '\0';
		if (!len || !printable(buf) || strchr(buf, CONT_MARK)) {
			fail("%s: not a credential", c->token_file);
			free_secret(buf, len);
			return NULL;
		}
		return buf;
	}
	char scope[sizeof(cc->scope)];
	struct mint m = {
	    .key = *c->key ? c->key : NULL,
	    .account = *c->account ? c->account : NULL,
	    .aud = *c->audience ? c->audience : NULL,
	    .kid = *c->kid ? c->kid : NULL,
	    .lifetime = c->lifetime,
	};
	if (*cc->scope) {
		if (scope_from_csv(cc->scope, scope, sizeof(scope)))
			return NULL;
		m.scope = scope;
	}
	if (check_mint(&m)) {
		fail("set SVCACCT_KEY, SVCACCT_ACCOUNT and SVCACCT_AUDIENCE "
		     "(or ~/.config/svcacct/assert.conf)");
		return NULL;
	}
	return mint_token(&m);
}

/* The private directory that keeps a credential between ssh's askpass
 * runs: created 0700, and if it exists it must be a real directory (no
 * symlink), ours, and not accessible to anybody else. Returns an fd. */
static int cache_dir(void)
{
	char path[PATH_MAX];
	const char *rt = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	int fd;

	if (rt && *rt && rt[0] == '/')
		snprintf(path, sizeof(path), "%s/svcacct-assert", rt);
	else
		snprintf(path, sizeof(path), "/tmp/svcacct-assert-%u",
			 (unsigned)geteuid());
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return fail("%s: %s", path, strerror(errno)), -1;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fail("%s: %s", path, strerror(errno)), -1;
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() ||
	    (st.st_mode & 077)) {
		close(fd);
		return fail("%s: not a private directory of yours (owner and "
			    "mode 0700 expected)",
			    path),
		       -1;
	}
	return fd;
}

/* Remove entries older than the TTL (ssh that died between prompts). */
static void cache_expire(int dfd)
{
	int d2 = dup(dfd);
	DIR *d = d2 >= 0 ? fdopendir(d2) : NULL;
	struct dirent *e;
	struct stat st;
	time_t now = time(NULL);

	if (!d) {
		if (d2 >= 0)
			close(d2);
		return;
	}
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "ppid-", 5))
			continue;
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (now - st.st_mtime > CACHE_TTL || now < st.st_mtime))
			unlinkat(dfd, e->d_name, 0);
	}
	closedir(d);
}

static int cache_store(int dfd, const char *name, const char *cred, size_t n)
{
	char tmp[64];
	int fd, r = 0;
	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail("askpass cache: %s", strerror(errno));
	for (size_t off = 0; off < n;) {
		ssize_t w = write(fd, cred + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			r = fail("askpass cache: %s", strerror(errno));
			break;
		}
		off += (size_t)w;
	}
	if (close(fd) < 0 && !r)
		r = fail("askpass cache: %s", strerror(errno));
	if (!r && renameat(dfd, tmp, dfd, name) < 0)
		r = fail("askpass cache: %s", strerror(errno));
	if (r)
		unlinkat(dfd, tmp, 0);
	return r;
}

static char *cache_load(int dfd, const char *name, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	ssize_t n;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		fail("no credential kept for this ssh (first part not asked, "
		     "or older than %d s)",
		     CACHE_TTL);
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 077) || st.st_size <= 0 ||
	    st.st_size > TOKEN_MAX || time(NULL) - st.st_mtime > CACHE_TTL) {
		fail("askpass cache: stale or unsafe entry");
		unlinkat(dfd, name, 0);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		goto out;
	n = read(fd, buf, (size_t)st.st_size);
	if (n != st.st_size) {
		free_secret(buf, (size_t)st.st_size + 1);
		buf = NULL;
		fail("askpass cache: short read");
		goto out;
	}
	buf[n] = '\0';
	*len = (size_t)n;
out:
	close(fd);
	return buf;
}

/* Bytes per part: PART_SIZE, or less with SVCACCT_PART_SIZE (a client
 * with a smaller limit than ssh's; every askpass run of one ssh sees the
 * same environment, so all parts agree). */
static size_t part_size = PART_SIZE;

static size_t nparts(size_t n)
{
	return (n + part_size - 1) / part_size;
}

/* Print part `part` (1-based) of cred, with the mark if more follow. */
static void print_part(const char *cred, size_t n, unsigned part)
{
	size_t off = (size_t)(part - 1) * part_size;
	size_t k = n - off < part_size ? n - off : part_size;
	fwrite(cred + off, 1, k, stdout);
	if (off + k < n)
		putchar(CONT_MARK);
	putchar('\n');
}

/* ssh runs the helper once per prompt, as a new process, with the prompt
 * as its only argument (keyboard-interactive prompts prefixed with
 * "(user@host) "). The first prompt mints; the next ones read the rest of
 * the same credential from the cache, keyed by the pid of the ssh that
 * runs us. */
int askpass(const char *prompt)
{
	const char *p = getenv("SSH_ASKPASS_PROMPT");
	struct client_conf cc;
	char name[32];
	char *cred = NULL;
	size_t n = 0;
	unsigned part = 0;
	int dfd = -1, r = 1;
	const char *q;

	const char *ps = getenv("SVCACCT_PART_SIZE");
	if (ps && *ps) {
		unsigned long v = strtoul(ps, NULL, 10);
		if (v < 16 || v > PART_SIZE)
			return fail("SVCACCT_PART_SIZE must be 16..%d",
				    PART_SIZE);
		part_size = v;
	}
	if (p && *p)
		/* "confirm" (host keys, agent use) or "none": a question we
		 * must not answer on the user's behalf */
		return fail("refusing to answer a %s prompt", p);
	if ((q = strstr(prompt, "svcacct credential (part "))) {
		unsigned long v = strtoul(q + 25, NULL, 10);
		if (v < 2 || v > 64)
			return fail("bad part prompt");
		part = (unsigned)v;
	} else if (strstr(prompt, "svcacct credential for ") ||
		   (strlen(prompt) >= 10 &&
		    !strcmp(prompt + strlen(prompt) - 10, "password: "))) {
		/* the server's hint of an audience is ignored: we sign for
		 * our own configured one */
		part = 1;
	} else {
		return fail("not a svcacct prompt; not answering: %.80s",
			    prompt);
	}
	snprintf(name, sizeof(name), "ppid-%ld", (long)getppid());
	dfd = cache_dir();
	if (dfd < 0)
		return 1;
	cache_expire(dfd);
	if (part == 1) {
		if (load_client_conf(&cc))
			goto out;
		cred = fresh_credential(&cc);
		OPENSSL_cleanse(&cc, sizeof(cc));
		if (!cred)
			goto out;
		n = strlen(cred);
		unlinkat(dfd, name, 0);
		if (nparts(n) > 1 && cache_store(dfd, name, cred, n))
			goto out;
	} else {
		cred = cache_load(dfd, name, &n);
		if (!cred)
			goto out;
		if (part > nparts(n)) {
			fail("part %u asked, the credential has %zu", part,
			     nparts(n));
			unlinkat(dfd, name, 0);
			goto out;
		}
	}
	print_part(cred, n, part);
	if (part == nparts(n) && part > 1)
		unlinkat(dfd, name, 0);
	r = fflush(stdout) != 0;
out:
	if (cred)
		free_secret(cred, n);
	if (dfd >= 0)
		close(dfd);
	return r;
}
