/* SPDX-License-Identifier: MIT */
/* Ending the sessions opened with one credential (stop.h). Every process
 * is signalled through a pidfd opened while its start time (or its cgroup)
 * was checked: a PID that was reused meanwhile is never signalled. */
#include "stop.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sessions.h"

/* where the unified (v2) hierarchy is: systemd mounts it at the first on
 * a unified host, at the second on a hybrid one */
static const char *const cgroup_roots[] = {"/sys/fs/cgroup",
					   "/sys/fs/cgroup/unified"};
#define GRACE_US (200 * 1000) /* between SIGTERM and SIGKILL */

struct proc {
	pid_t pid;
	struct sv_proc_stat st;
	bool mark;
};

/* The pidfds of the processes to end. */
struct targets {
	int *fd;
	pid_t *pid;
	size_t n, cap;
};

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int pidfd_signal(int fd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
}

static bool targets_has(const struct targets *t, pid_t pid)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->pid[i] == pid)
			return true;
	return false;
}

/* Keep fd (a pidfd of pid) in t; closes it when t cannot grow. */
static int targets_add(struct targets *t, pid_t pid, int fd)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		int *f = realloc(t->fd, cap * sizeof(*f));
		if (f)
			t->fd = f;
		pid_t *p = f ? realloc(t->pid, cap * sizeof(*p)) : NULL;
		if (p)
			t->pid = p;
		if (!f || !p) {
			close(fd);
			return -ENOMEM;
		}
		t->cap = cap;
	}
	t->fd[t->n] = fd;
	t->pid[t->n++] = pid;
	return 0;
}

static void targets_free(struct targets *t)
{
	for (size_t i = 0; i < t->n; i++)
		close(t->fd[i]);
	free(t->fd);
	free(t->pid);
	memset(t, 0, sizeof(*t));
}

static unsigned targets_signal(const struct targets *t, int sig)
{
	unsigned n = 0;
	for (size_t i = 0; i < t->n; i++)
		n += pidfd_signal(t->fd[i], sig) == 0;
	return n;
}

/* A pidfd of pid if it is still the process that started at start. */
static int open_verified(pid_t pid, uint64_t start)
{
	struct sv_proc_stat st;
	int fd;

	if (pid <= 1 || pid == getpid())
		return -EPERM;
	fd = pidfd_open_(pid);
	if (fd < 0)
		return -errno;
	/* checked after the pidfd holds the process: from here on the PID
	 * cannot name another one */
	if (sv_proc_stat_read(pid, &st) < 0 || st.start != start) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

/* Every process of /proc. */
static int scan(struct proc **out, size_t *n)
{
	struct proc *v = NULL;
	size_t cap = 0;
	DIR *d = opendir("/proc");
	struct dirent *de;

	*n = 0;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		struct sv_proc_stat st;
		if (*end || pid <= 0 || pid > INT32_MAX ||
		    sv_proc_stat_read((pid_t)pid, &st) < 0)
			continue;
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 256;
			struct proc *nv = realloc(v, nc * sizeof(*nv));
			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
			cap = nc;
		}
		v[(*n)++] = (struct proc){.pid = (pid_t)pid, .st = st};
	}
	closedir(d);
	*out = v;
	return 0;
}

/* Mark the process that opened the session (if it is still that one),
 * its descendants (a child started after its parent), and the members of
 * the sessions and process groups a marked process leads: what setsid or
 * a double fork alone does not take away. */
static void mark_tree(struct proc *v, size_t n, pid_t leader, uint64_t start)
{
	bool changed = false;
	for (size_t i = 0; i < n; i++)
		if (v[i].pid == leader && v[i].st.start == start)
			changed = v[i].mark = true;
	while (changed) {
		changed = false;
		for (size_t i = 0; i < n; i++) {
			if (v[i].mark)
				continue;
			for (size_t j = 0; j < n; j++) {
				const struct proc *m = &v[j];
				if (!m->mark)
					continue;
				if ((v[i].st.ppid == m->pid &&
				     v[i].st.start >= m->st.start) ||
				    (m->st.sid == m->pid &&
				     v[i].st.sid == m->pid) ||
				    (m->st.pgrp == m->pid &&
				     v[i].st.pgrp == m->pid)) {
					v[i].mark = changed = true;
					break;
				}
			}
		}
	}
}

/* Add the session tree of the record's process to t. */
static int collect_tree(const struct sv_session_rec *r, struct targets *t)
{
	struct proc *v = NULL;
	size_t n = 0;
	int e = scan(&v, &n);
	if (e < 0)
		return e;
	mark_tree(v, n, r->pid, r->start);
	for (size_t i = 0; i < n && e == 0; i++) {
		if (!v[i].mark || targets_has(t, v[i].pid))
			continue;
		int fd = open_verified(v[i].pid, v[i].st.start);
		if (fd >= 0)
			e = targets_add(t, v[i].pid, fd);
	}
	free(v);
	return e;
}

/* Whether pid is in cgroup cg now (its /proc/PID/cgroup "0::" line). */
static bool in_cgroup(pid_t pid, const char *cg)
{
	char path[40], buf[1024];
	ssize_t n;
	int fd;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (const char *p = buf; *p; p += strcspn(p, "\n"), p += *p == '\n')
		if (strncmp(p, "0::", 3) == 0)
			return strncmp(p + 3, cg, strlen(cg)) == 0 &&
			       (p[3 + strlen(cg)] == '\n' ||
				p[3 + strlen(cg)] == '/' ||
				p[3 + strlen(cg)] == '\0');
	return false;
}

/* Add the processes of the cgroup dfd (path cg) to t. */
static int collect_cgroup(int dfd, const char *cg, struct targets *t)
{
	char buf[8192];
	int fd = openat(dfd, "cgroup.procs", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	FILE *f;
	int e = 0;

	if (fd < 0)
		return -errno;
	f = fdopen(fd, "re");
	if (!f) {
		close(fd);
		return -errno;
	}
	while (e == 0 && fgets(buf, sizeof(buf), f)) {
		char *end;
		long pid = strtol(buf, &end, 10);
		if (pid <= 1 || pid > INT32_MAX || pid == getpid() ||
		    targets_has(t, (pid_t)pid))
			continue;
		int pfd = pidfd_open_((pid_t)pid);
		if (pfd < 0)
			continue;
		if (!in_cgroup((pid_t)pid, cg)) {
			close(pfd);
			continue;
		}
		e = targets_add(t, (pid_t)pid, pfd);
	}
	fclose(f);
	return e;
}

/* The record's logind scope, opened if it still exists: an fd, or -errno
 * (-ENOENT: gone, or no scope recorded). */
static int open_scope(const struct sv_session_rec *r, uint32_t uid,
		      bool has_uid)
{
	char path[64 + SV_SESSION_CGROUP_MAX];
	struct statfs sfs;

	if (!has_uid || !r->cgroup[0] || !sv_session_cgroup_ok(r->cgroup, uid))
		return -ENOENT;
	for (size_t i = 0; i < sizeof(cgroup_roots) / sizeof(*cgroup_roots);
	     i++) {
		if (statfs(cgroup_roots[i], &sfs) < 0 ||
		    sfs.f_type != CGROUP2_SUPER_MAGIC)
			continue;
		snprintf(path, sizeof(path), "%s%s", cgroup_roots[i],
			 r->cgroup);
		int fd =
		    open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	return -ENOENT;
}

/* End one live session: its scope when it exists, else its tree. The
 * number of processes signalled, or -errno. */
static int end_session(const struct sv_session_rec *r, int scope)
{
	struct targets t = {0};
	int e;

	e = scope >= 0 ? collect_cgroup(scope, r->cgroup, &t)
		       : collect_tree(r, &t);
	if (e < 0)
		goto out;
	(void)targets_signal(&t, SIGTERM);
	usleep(GRACE_US);
	/* what forked meanwhile, then everything that is left */
	e = scope >= 0 ? collect_cgroup(scope, r->cgroup, &t)
		       : collect_tree(r, &t);
	/* cgroup.kill would take the caller too when it runs in the scope
	 * (sudo from within the session): then process by process */
	if (scope >= 0 && !in_cgroup(getpid(), r->cgroup)) {
		int kfd = openat(scope, "cgroup.kill",
				 O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
		if (kfd >= 0) {
			if (write(kfd, "1", 1) != 1)
				e = e ? e : -errno;
			close(kfd);
		}
	}
	(void)targets_signal(&t, SIGKILL);
	e = e < 0 ? e : (int)t.n;
out:
	targets_free(&t);
	return e;
}

struct stop_ctx {
	const struct sv_config *c;
	const char *account, *cred;
	uint32_t uid;
	bool has_uid;
	struct stop_result *res;
	int err;
};

static int stop_one(const char *name, const struct sv_session_rec *r,
		    void *vctx)
{
	struct stop_ctx *x = vctx;
	int scope, e;

	if (!r) {
		/* no record: not ours to keep */
		(void)sv_session_remove(x->c, x->account, name);
		return 0;
	}
	if (strcmp(r->cred, x->cred) != 0) {
		x->res->others++;
		return 0;
	}
	scope = open_scope(r, x->uid, x->has_uid);
	if (scope < 0 && !sv_session_is_live(r)) {
		x->res->stale++;
		(void)sv_session_remove(x->c, x->account, name);
		return 0;
	}
	if (scope < 0) {
		e = sv_session_shared(x->c, x->account, r);
		if (e != 0) {
			if (e > 0)
				x->res->shared++;
			else
				x->err = x->err ? x->err : e;
			return 0;
		}
	}
	e = end_session(r, scope);
	if (scope >= 0)
		close(scope);
	if (e < 0) {
		x->err = x->err ? x->err : e;
		return 0; /* the others all the same */
	}
	x->res->sessions++;
	x->res->processes += (unsigned)e;
	(void)sv_session_remove(x->c, x->account, name);
	return 0;
}

int stop_sessions(const struct sv_config *c, const char *account, uint32_t uid,
		  bool has_uid, const char *cred, struct stop_result *res)
{
	struct stop_ctx x = {.c = c,
			     .account = account,
			     .cred = cred,
			     .uid = uid,
			     .has_uid = has_uid,
			     .res = res};
	int e;

	memset(res, 0, sizeof(*res));
	e = sv_sessions_each(c, account, stop_one, &x);
	return e < 0 ? e : x.err;
}
