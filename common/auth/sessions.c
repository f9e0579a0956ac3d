/* SPDX-License-Identifier: MIT */
/* Session records (sessions.h). */
#include "sessions.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "names.h"
#include "statefile.h"

#define SESSIONS_DIR "sessions"
#define MAGIC	     "svcacct-session 1\n"

/* A decimal number of at most 20 digits, no sign, no leading garbage;
 * *end is the first byte after it. */
static int parse_u64(const char *p, const char *lim, uint64_t *v,
		     const char **end)
{
	uint64_t x = 0;
	const char *s = p;
	while (p < lim && *p >= '0' && *p <= '9') {
		unsigned d = (unsigned)(*p - '0');
		if (x > (UINT64_MAX - d) / 10)
			return -EBADMSG;
		x = x * 10 + d;
		p++;
	}
	if (p == s || p - s > 20)
		return -EBADMSG;
	*v = x;
	*end = p;
	return 0;
}

int sv_proc_stat_read(pid_t pid, struct sv_proc_stat *st)
{
	char path[40], buf[1024];
	const char *p, *lim;
	uint64_t f[20];
	ssize_t n;
	int fd, r;

	if (pid <= 0)
		return -EINVAL;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT || errno == ESRCH ? -ENOENT : -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	r = n < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		return r == -ESRCH ? -ENOENT : r;
	buf[n] = '\0';
	lim = buf + n;
	/* "PID (COMM) S PPID PGRP SID ..." where COMM may hold anything,
	 * ')' and spaces included: the fields start after the last ')' */
	p = strrchr(buf, ')');
	if (!p || p + 4 > lim || p[1] != ' ' || p[3] != ' ')
		return -EBADMSG;
	p += 4;			       /* field 4 */
	for (int i = 0; i < 19; i++) { /* fields 4 .. 22 */
		if (parse_u64(p, lim, &f[i], &p) < 0) {
			/* fields 4..22 are numbers; some may be negative
			 * (tty_nr, priority, nice): skip a sign once */
			if (p < lim && *p == '-' &&
			    parse_u64(p + 1, lim, &f[i], &p) == 0)
				f[i] = 0;
			else
				return -EBADMSG;
		}
		if (i < 18) {
			if (p >= lim || *p != ' ')
				return -EBADMSG;
			p++;
		}
	}
	if (f[0] > INT32_MAX || f[1] > INT32_MAX || f[2] > INT32_MAX)
		return -EBADMSG;
	st->ppid = (pid_t)f[0];
	st->pgrp = (pid_t)f[1];
	st->sid = (pid_t)f[2];
	st->start = f[18];
	return 0;
}

bool sv_session_cred_ok(const char *id)
{
	size_t n = id ? strlen(id) : 0;
	if (n == 0 || n > SV_CRED_ID_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = id[i];
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

bool sv_session_cgroup_ok(const char *path, uint32_t uid)
{
	char want[64];
	int n = snprintf(want, sizeof(want),
			 "/user.slice/user-%" PRIu32 ".slice/session-", uid);
	size_t len, idlen;
	const char *id;

	if (!path || n < 0 || (size_t)n >= sizeof(want))
		return false;
	len = strlen(path);
	if (len >= SV_SESSION_CGROUP_MAX || strncmp(path, want, (size_t)n) != 0)
		return false;
	id = path + n;
	idlen = strcspn(id, ".");
	if (idlen == 0 || idlen > 32 || strcmp(id + idlen, ".scope") != 0)
		return false;
	for (size_t i = 0; i < idlen; i++)
		if (!((id[i] >= '0' && id[i] <= '9') ||
		      (id[i] >= 'a' && id[i] <= 'z') ||
		      (id[i] >= 'A' && id[i] <= 'Z')))
			return false;
	return true;
}

int sv_session_self_cgroup(uint32_t uid, const char *xdg_session_id, char *out,
			   size_t cap)
{
	char buf[2048], want[96];
	const char *line = NULL;
	ssize_t n;
	size_t len;
	int fd, r;

	if (!xdg_session_id || !*xdg_session_id || strlen(xdg_session_id) > 32)
		return -ENOENT;
	fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	r = n < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		return r;
	buf[n] = '\0';
	/* the unified hierarchy's line: "0::/PATH" */
	for (const char *p = buf; *p; p += strcspn(p, "\n"), p += *p == '\n')
		if (strncmp(p, "0::", 3) == 0) {
			line = p + 3;
			break;
		}
	if (!line)
		return -ENOENT;
	len = strcspn(line, "\n");
	if (len >= cap || len >= SV_SESSION_CGROUP_MAX)
		return -ENOENT;
	memcpy(out, line, len);
	out[len] = '\0';
	/* this very session's scope: pam_systemd named it in this
	 * transaction; a process inside someone's session that opens
	 * another (su, sudo) is in that other session's scope */
	snprintf(want, sizeof(want), "session-%s.scope", xdg_session_id);
	len = strlen(out);
	if (!sv_session_cgroup_ok(out, uid) || len <= strlen(want) ||
	    strcmp(out + len - strlen(want), want) != 0 ||
	    out[len - strlen(want) - 1] != '/') {
		out[0] = '\0';
		return -ENOENT;
	}
	return 0;
}

int sv_session_name(const struct sv_session_rec *r, char *out, size_t cap)
{
	int n;
	if (r->pid <= 0 || !sv_session_cred_ok(r->cred))
		return -EINVAL;
	n = snprintf(out, cap, "%d-%" PRIu64 "-%s", (int)r->pid, r->start,
		     r->cred);
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

int sv_session_format(const struct sv_session_rec *r, char *out, size_t cap)
{
	int n;
	if (r->pid <= 0 || !sv_session_cred_ok(r->cred) ||
	    memchr(r->cgroup, '\0', sizeof(r->cgroup)) == NULL ||
	    strchr(r->cgroup, '\n'))
		return -EINVAL;
	n = snprintf(out, cap,
		     MAGIC "credential=%s\npid=%d\nstart=%" PRIu64
			   "\ncgroup=%s\n",
		     r->cred, (int)r->pid, r->start, r->cgroup);
	if (n < 0 || (size_t)n >= cap || n > SV_SESSION_FILE_MAX)
		return -EINVAL;
	return n;
}

/* "key=VALUE\n" at *p: VALUE's start and length, *p moved past it. */
static int field(const char **p, const char *lim, const char *key,
		 const char **val, size_t *len)
{
	size_t k = strlen(key);
	const char *nl;
	if ((size_t)(lim - *p) < k + 1 || memcmp(*p, key, k) != 0 ||
	    (*p)[k] != '=')
		return -EBADMSG;
	*val = *p + k + 1;
	nl = memchr(*val, '\n', (size_t)(lim - *val));
	if (!nl)
		return -EBADMSG;
	*len = (size_t)(nl - *val);
	*p = nl + 1;
	return 0;
}

static int field_num(const char **p, const char *lim, const char *key,
		     uint64_t *v)
{
	const char *val, *end;
	size_t len;
	if (field(p, lim, key, &val, &len) < 0 ||
	    parse_u64(val, val + len, v, &end) < 0 || end != val + len)
		return -EBADMSG;
	return 0;
}

int sv_session_parse(const char *buf, size_t len, struct sv_session_rec *r)
{
	const char *p = buf, *lim = buf + len, *val;
	size_t n;
	uint64_t pid;

	memset(r, 0, sizeof(*r));
	if (len > SV_SESSION_FILE_MAX || len < strlen(MAGIC) ||
	    memchr(buf, '\0', len) || memcmp(p, MAGIC, strlen(MAGIC)) != 0)
		return -EBADMSG;
	p += strlen(MAGIC);
	if (field(&p, lim, "credential", &val, &n) < 0 || n > SV_CRED_ID_LEN)
		return -EBADMSG;
	memcpy(r->cred, val, n);
	if (!sv_session_cred_ok(r->cred) ||
	    field_num(&p, lim, "pid", &pid) < 0 || pid == 0 ||
	    pid > INT32_MAX || field_num(&p, lim, "start", &r->start) < 0 ||
	    field(&p, lim, "cgroup", &val, &n) < 0 ||
	    n >= SV_SESSION_CGROUP_MAX || p != lim)
		goto bad;
	r->pid = (pid_t)pid;
	memcpy(r->cgroup, val, n);
	/* a cgroup is only ever a logind session scope (checked against
	 * the account's UID by whoever uses it) */
	if (n && (r->cgroup[0] != '/' || strstr(r->cgroup, "/..") ||
		  strstr(r->cgroup, "//")))
		goto bad;
	return 0;
bad:
	memset(r, 0, sizeof(*r));
	return -EBADMSG;
}

/* STATE_DIR/sessions/account, an fd, or -errno. */
static int account_dir(const struct sv_config *c, const char *account,
		       bool create)
{
	int top, fd;
	if (!account || sv_name_check(account, NULL, 0) < 0)
		return -EINVAL;
	top = sv_state_subdir_open(c, -1, SESSIONS_DIR, create);
	if (top < 0)
		return top;
	fd = sv_state_subdir_open(c, top, account, create);
	close(top);
	return fd;
}

bool sv_session_is_live(const struct sv_session_rec *r)
{
	struct sv_proc_stat st;
	return sv_proc_stat_read(r->pid, &st) == 0 && st.start == r->start;
}

/* One record file through dfd: 0 with r, -EBADMSG when it is none, or
 * -errno (-ENOENT: gone meanwhile). */
static int read_record(int dfd, const char *name, struct sv_session_rec *r)
{
	char buf[SV_SESSION_FILE_MAX + 1];
	struct stat st;
	ssize_t n;
	int fd, e;

	fd = openat(dfd, name,
		    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno == ELOOP ? -EBADMSG : -errno;
	if (fstat(fd, &st) < 0 || sv_state_file_private(&st) < 0 ||
	    st.st_size > SV_SESSION_FILE_MAX) {
		e = -EBADMSG;
		goto out;
	}
	n = read(fd, buf, sizeof(buf));
	if (n < 0) {
		e = -errno;
		goto out;
	}
	e = sv_session_parse(buf, (size_t)n, r);
out:
	close(fd);
	return e;
}

/* A directory stream over a duplicate of dfd: closedir leaves dfd open
 * for the openat/unlinkat calls made while walking it. NULL with errno. */
static DIR *dir_stream(int dfd)
{
	int fd = dup(dfd), e;
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d) {
		e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	/* a dup shares its offset with dfd and every stream made before:
	 * without this, a second walk would start where the first ended */
	rewinddir(d);
	return d;
}

/* The number of records (names not starting with '.') in dfd; with
 * prune_stale, the stale ones are removed first and only the readable,
 * live ones left are counted. Or -errno. */
static int count(int dfd, bool prune_stale)
{
	DIR *d = dir_stream(dfd);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		struct sv_session_rec r;
		if (de->d_name[0] == '.')
			continue;
		if (!prune_stale) {
			n++;
			continue;
		}
		int e = read_record(dfd, de->d_name, &r);
		if (e == -EBADMSG || (e == 0 && !sv_session_is_live(&r)))
			(void)unlinkat(dfd, de->d_name, 0);
		else if (e == 0)
			n++;
	}
	closedir(d);
	return n;
}

int sv_session_write(const struct sv_config *c, const char *account,
		     const struct sv_session_rec *r)
{
	char text[SV_SESSION_FILE_MAX + 1], name[SV_SESSION_NAME_MAX],
	    tmp[SV_SESSION_NAME_MAX + 1];
	int dfd = -1, fd = -1, len, e;

	len = sv_session_format(r, text, sizeof(text));
	if (len < 0)
		return len;
	e = sv_session_name(r, name, sizeof(name));
	if (e < 0)
		return e;
	tmp[0] = '.';
	memcpy(tmp + 1, name, strlen(name) + 1);
	dfd = account_dir(c, account, true);
	if (dfd < 0)
		return dfd;
	e = count(dfd, false);
	if (e >= SV_SESSIONS_MAX)
		e = count(dfd, true);
	if (e < 0)
		goto out;
	if (e >= SV_SESSIONS_MAX) {
		e = -ENOSPC;
		goto out;
	}
	/* a temporary name left by a crash of this very process's PID */
	(void)unlinkat(dfd, tmp, 0);
	fd = sv_state_file_create(dfd, tmp);
	if (fd < 0) {
		e = fd;
		goto out;
	}
	errno = 0;
	if (write(fd, text, (size_t)len) != len) {
		e = errno ? -errno : -EIO;
		(void)unlinkat(dfd, tmp, 0);
		goto out;
	}
	if (renameat(dfd, tmp, dfd, name) < 0) {
		e = -errno;
		(void)unlinkat(dfd, tmp, 0);
		goto out;
	}
	e = 0;
out:
	if (fd >= 0)
		close(fd);
	close(dfd);
	return e;
}

int sv_session_remove(const struct sv_config *c, const char *account,
		      const char *name)
{
	int dfd, e = 0;
	if (!name || !*name || name[0] == '.' || strchr(name, '/'))
		return -EINVAL;
	dfd = account_dir(c, account, false);
	if (dfd < 0)
		return dfd;
	if (unlinkat(dfd, name, 0) < 0)
		e = -errno;
	close(dfd);
	return e;
}

int sv_sessions_each(const struct sv_config *c, const char *account,
		     sv_session_fn fn, void *ctx)
{
	DIR *d = NULL;
	struct dirent *de;
	int dfd, e = 0;

	dfd = account_dir(c, account, false);
	if (dfd == -ENOENT)
		return 0;
	if (dfd < 0)
		return dfd;
	d = dir_stream(dfd);
	if (!d) {
		e = -errno;
		goto out;
	}
	while (e == 0 && (de = readdir(d))) {
		struct sv_session_rec r;
		if (de->d_name[0] == '.')
			continue;
		int rr = read_record(dfd, de->d_name, &r);
		if (rr == -ENOENT)
			continue; /* closed meanwhile */
		e = fn(de->d_name, rr == 0 ? &r : NULL, ctx);
	}
out:
	if (d)
		closedir(d);
	close(dfd);
	return e;
}

/* Whether dfd holds a record of r's process (by name: PID-START-) other
 * than the one of cred skip (NULL: none skipped). 1, 0 or -errno. */
static int names_process(int dfd, const struct sv_session_rec *r,
			 const char *skip)
{
	char prefix[48];
	DIR *d = dir_stream(dfd);
	struct dirent *de;
	int found = 0;
	size_t n;

	if (!d)
		return -errno;
	snprintf(prefix, sizeof(prefix), "%d-%" PRIu64 "-", (int)r->pid,
		 r->start);
	n = strlen(prefix);
	while (!found && (de = readdir(d)))
		found = strncmp(de->d_name, prefix, n) == 0 &&
			(!skip || strcmp(de->d_name + n, skip) != 0);
	closedir(d);
	return found;
}

int sv_session_shared(const struct sv_config *c, const char *account,
		      const struct sv_session_rec *r)
{
	DIR *d = NULL;
	struct dirent *de;
	int top, e = 0;

	top = sv_state_subdir_open(c, -1, SESSIONS_DIR, false);
	if (top < 0)
		return top == -ENOENT ? 0 : top;
	d = dir_stream(top);
	if (!d) {
		e = -errno;
		goto out;
	}
	while (e == 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    sv_name_check(de->d_name, NULL, 0) < 0)
			continue;
		int dfd = sv_state_subdir_open(c, top, de->d_name, false);
		if (dfd < 0) {
			e = dfd == -ENOENT ? 0 : dfd;
			continue;
		}
		e = names_process(dfd, r,
				  strcmp(de->d_name, account) ? NULL : r->cred);
		close(dfd);
	}
out:
	if (d)
		closedir(d);
	close(top);
	return e;
}
