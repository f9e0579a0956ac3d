/* SPDX-License-Identifier: MIT */
/* "Last used" records (lastused.h). */
#include "lastused.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "names.h"
#include "secret.h"
#include "statefile.h"

#define LASTUSED_EVERY 60 /* seconds between two updates of one record */
#define REC	       32

/* STATE_DIR/lastused/account, created (0600) for write, and only by root:
 * a file of another owner would be refused ever after
 * (sv_state_file_private); its records, up to SV_LASTUSED_MAX, read into
 * buf. Through sfd (an open state dir) an existing file costs an fstatat
 * and an openat (sv_state_open_in). 0 with the fd in *out, or -errno. */
static int open_file(const struct sv_config *c, int sfd, const char *account,
		     bool write, int *out, uint8_t *buf, size_t *len)
{
	const int flags = (write ? O_RDWR : O_RDONLY) | O_NONBLOCK;
	struct stat st;
	ssize_t n;
	int dfd = -1, fd = -ENOENT, r;

	if (!account || sv_name_check(account, NULL, 0) < 0)
		return -EINVAL;
	if (sfd >= 0)
		fd = sv_state_open_in(sfd, "lastused", account, flags, 0);
	if (fd == -ENOENT) {
		if (write && geteuid() != 0)
			return -EPERM;
		dfd = sv_state_subdir_open(c, sfd, "lastused", write);
		if (dfd < 0)
			return dfd;
		fd = openat(dfd, account,
			    flags | (write ? O_CREAT : 0) | O_NOFOLLOW |
				O_CLOEXEC | O_NOCTTY,
			    0600);
		if (fd < 0)
			fd = -errno;
	}
	if (fd < 0) {
		r = fd;
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		r = -EPERM;
		goto out;
	}
	r = sv_state_file_private(&st);
	if (r < 0)
		goto out;
	n = pread(fd, buf, SV_LASTUSED_MAX * REC, 0);
	if (n < 0) {
		r = -errno;
		goto out;
	}
	*len = (size_t)n - (size_t)n % REC;
	*out = fd;
	fd = -1;
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	return r;
}

/* What this process knows is on disk: a direct-mapped table from a hash of
 * (state dir, account, credential) to the time its record held when this
 * process last read or wrote it. Records only move forward (a later use),
 * so while that time is less than LASTUSED_EVERY old the record needs no
 * write, and a login of a long-lived PAM application that uses the same
 * credential again skips the file (five system calls) altogether. This is
 * process-wide state because it only ever saves a write the file would
 * have refused too; a wrong hit (a hash collision, a record replaced by
 * SV_LASTUSED_MAX newer ones) delays one record by at most a minute,
 * within the best effort the records promise. The lock is only tried. */
#define MEMO_SLOTS 1024
static struct memo_slot {
	uint64_t key;
	int64_t t;
} memo[MEMO_SLOTS];
static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t memo_key(const struct sv_config *c, const char *account,
			 const char *cred_id)
{
	const char *parts[] = {c->state_dir, account, cred_id};
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < 3; i++)
		for (const char *p = parts[i];; p++) {
			h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
			if (!*p)
				break;
		}
	return h | 1; /* 0 is an empty slot */
}

/* Whether the record of key is known to be fresh at now. */
static bool memo_fresh(uint64_t key, int64_t now)
{
	bool fresh = false;
	if (pthread_mutex_trylock(&memo_lock) != 0)
		return false;
	const struct memo_slot *m = &memo[key % MEMO_SLOTS];
	fresh = m->key == key && now >= m->t && now - m->t < LASTUSED_EVERY;
	pthread_mutex_unlock(&memo_lock);
	return fresh;
}

static void memo_note(uint64_t key, int64_t t)
{
	if (pthread_mutex_trylock(&memo_lock) != 0)
		return;
	memo[key % MEMO_SLOTS] = (struct memo_slot){key, t};
	pthread_mutex_unlock(&memo_lock);
}

void sv_lastused_touch(const struct sv_config *c, const char *account,
		       const char *cred_id, int64_t now)
{
	sv_lastused_touch_at(c, -1, account, cred_id, now);
}

/* Where the record of cred_id goes (its own, a new one, or the oldest when
 * full); false if it was written less than a minute ago. */
static bool plan(const uint8_t *buf, size_t len, const char *cred_id,
		 int64_t now, size_t *where, int64_t *fresh_t)
{
	size_t at = len, oldest = 0; /* append unless found */
	int64_t oldest_t = INT64_MAX;

	for (size_t off = 0; off < len; off += REC) {
		int64_t t = (int64_t)sv_le64_get(buf + off + SV_CRED_ID_LEN);
		if (memcmp(buf + off, cred_id, SV_CRED_ID_LEN) == 0) {
			if (now >= t && now - t < LASTUSED_EVERY) {
				*fresh_t = t;
				return false;
			}
			at = off;
			break;
		}
		if (t < oldest_t) {
			oldest_t = t;
			oldest = off;
		}
	}
	if (at == len && len >= SV_LASTUSED_MAX * REC)
		at = oldest;
	*where = at;
	return true;
}

void sv_lastused_touch_at(const struct sv_config *c, int sfd,
			  const char *account, const char *cred_id, int64_t now)
{
	uint8_t buf[SV_LASTUSED_MAX * REC], rec[REC] = {0};
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	size_t len = 0, at;
	int64_t t = 0;
	uint64_t key;
	ssize_t n;
	int fd = -1;

	if (!sv_cred_id_valid(cred_id) || !account)
		return;
	key = memo_key(c, account, cred_id);
	if (memo_fresh(key, now) ||
	    open_file(c, sfd, account, true, &fd, buf, &len) < 0)
		return;
	/* most logins find a fresh record and write nothing: they read
	 * without the lock, and only a writer takes it (never waiting: a
	 * concurrent login records it) and reads again under it */
	if (!plan(buf, len, cred_id, now, &at, &t)) {
		memo_note(key, t);
		goto out;
	}
	if (fcntl(fd, F_OFD_SETLK, &fl) < 0)
		goto out;
	n = pread(fd, buf, SV_LASTUSED_MAX * REC, 0);
	if (n < 0)
		goto out;
	len = (size_t)n - (size_t)n % REC;
	if (!plan(buf, len, cred_id, now, &at, &t)) {
		memo_note(key, t);
		goto out;
	}
	memcpy(rec, cred_id, SV_CRED_ID_LEN);
	sv_le64_put(rec + SV_CRED_ID_LEN, (uint64_t)now);
	if (pwrite(fd, rec, REC, (off_t)at) == REC)
		memo_note(key, now);
out:
	close(fd);
}

int sv_lastused_get(const struct sv_config *c, const char *account,
		    const char *cred_id, int64_t *when)
{
	uint8_t buf[SV_LASTUSED_MAX * REC];
	size_t len = 0;
	int fd = -1, r;

	if (!sv_cred_id_valid(cred_id))
		return -EINVAL;
	r = open_file(c, -1, account, false, &fd, buf, &len);
	if (r < 0)
		return r;
	r = -ENOENT;
	for (size_t off = 0; off < len; off += REC)
		if (memcmp(buf + off, cred_id, SV_CRED_ID_LEN) == 0) {
			*when =
			    (int64_t)sv_le64_get(buf + off + SV_CRED_ID_LEN);
			r = 0;
			break;
		}
	close(fd);
	return r;
}
