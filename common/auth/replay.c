/* SPDX-License-Identifier: MIT */
/* The jti replay cache (replay.h). */
#include "replay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "names.h"
#include "statefile.h"

#define REPLAY_DIR	 "replay"
#define MAGIC		 "SVRPLAY1"
#define FILE_VERSION	 1
#define HDR		 64
#define SLOT		 48
#define MIN_SLOTS	 64u
#define MAX_SLOTS	 (1u << 22)
#define CHUNK		 64  /* slots read per pread while probing */
#define HEAD_SLOTS	 128 /* tables up to this size are read whole */
#define LOCK_DEADLINE_NS (2000LL * 1000 * 1000)

struct hdr {
	uint32_t nslots, used;
};

struct slot {
	uint8_t digest[32];
	int64_t expiry;
};

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}
static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int full_pread(int fd, void *buf, size_t n, off_t off)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r =
		    pread(fd, (char *)buf + got, n - got, off + (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EBADMSG; /* shorter than its header says */
		got += (size_t)r;
	}
	return 0;
}

static int full_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	size_t done = 0;
	while (done < n) {
		ssize_t r = pwrite(fd, (const char *)buf + done, n - done,
				   off + (off_t)done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		done += (size_t)r;
	}
	return 0;
}

static int write_header(int fd, const struct hdr *h)
{
	uint8_t b[HDR] = {0};
	memcpy(b, MAGIC, 8);
	put32(b + 8, FILE_VERSION);
	put32(b + 12, h->nslots);
	put32(b + 16, h->used);
	return full_pwrite(fd, b, HDR, 0);
}

/* A new account's file: an empty table written under a name of this
 * process's, then renamed to the account's name without replacing one
 * (RENAME_NOREPLACE; a hard link where the file system lacks it). So the
 * name only ever shows a whole table, and a file that is empty or short
 * is damage, refused like any other (never taken for a new, empty cache:
 * that would forget the jtis it held). */
static int create_table(int dfd, const char *account)
{
	char tmp[SV_NAME_MAX + 32];
	struct hdr h = {.nslots = MIN_SLOTS, .used = 0};
	int fd, r = 0;

	snprintf(tmp, sizeof(tmp), "%s.init-%ld", account, (long)getpid());
	unlinkat(dfd, tmp, 0); /* a leftover of a dead process with our pid */
	fd = sv_state_file_create(dfd, tmp);
	if (fd < 0)
		return fd;
	r = write_header(fd, &h);
	if (r == 0 && ftruncate(fd, HDR + (off_t)MIN_SLOTS * SLOT) < 0)
		r = -errno;
	close(fd);
	/* EEXIST: another login created it first, which is as good */
	if (r == 0 && renameat2(dfd, tmp, dfd, account, RENAME_NOREPLACE) < 0) {
		if (errno == EINVAL) { /* no RENAME_NOREPLACE here */
			if (linkat(dfd, tmp, dfd, account, 0) < 0 &&
			    errno != EEXIST)
				r = -errno;
		} else if (errno != EEXIST) {
			r = -errno;
		}
	}
	unlinkat(dfd, tmp, 0); /* gone after a rename: harmless */
	return r;
}

/* Where the account's file is: through the state dir fd sfd (one
 * fstatat and one openat, sv_state_open_in) while the file exists, or
 * through the replay directory itself, opened (and created) only when a
 * file must be created or rebuilt, or without sfd. */
struct where {
	const struct sv_config *c;
	int sfd; /* the state dir, or -1 */
	int dfd; /* STATE_DIR/replay once opened, or -1 */
};

static int where_dir(struct where *w)
{
	if (w->dfd < 0)
		w->dfd = sv_state_subdir_open(w->c, w->sfd, REPLAY_DIR, true);
	return w->dfd;
}

static int where_open(struct where *w, const char *account)
{
	const int flags = O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;
	int fd;

	if (w->dfd < 0 && w->sfd >= 0) {
		fd = sv_state_open_in(w->sfd, REPLAY_DIR, account, O_RDWR, 0);
		if (fd != -ENOENT)
			return fd;
	}
	if (where_dir(w) < 0)
		return w->dfd;
	fd = openat(w->dfd, account, flags);
	return fd < 0 ? -errno : fd;
}

/* Open and lock the account's file. It is judged only once the lock is
 * ours and the file still has its name: a rebuild renames a new table
 * over the old one (which is then left with no name, st_nlink 0) while
 * holding the old one's lock, so a file judged before that could be one
 * just replaced, and one judged after it is the table in use. Nothing
 * else renames these files, and a file of ours has exactly one name
 * (sv_state_file_private), so a link count of 1 is that name. */
static int open_locked(struct where *w, const char *account, int *out,
		       off_t *size)
{
	int64_t deadline = mono_ns() + LOCK_DEADLINE_NS;
	long wait_ns = 50 * 1000;

	for (;;) {
		struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
		struct stat st;
		int r, fd = where_open(w, account);
		if (fd == -ENOENT) {
			r = where_dir(w);
			if (r >= 0)
				r = create_table(w->dfd, account);
			if (r < 0)
				return r;
			continue;
		}
		if (fd < 0)
			return fd;
		if (fcntl(fd, F_OFD_SETLK, &fl) == 0) {
			if (fstat(fd, &st) < 0) {
				r = -errno;
				close(fd);
				return r;
			}
			if (st.st_nlink != 0) {
				r = sv_state_file_private(&st);
				if (r < 0) {
					close(fd);
					return r;
				}
				/* a published table never changes size (a
				 * rebuild writes a new file, created ones
				 * appear whole) */
				*size = st.st_size;
				*out = fd;
				return 0;
			}
			close(fd); /* replaced: take the new one */
			if (mono_ns() >= deadline)
				return -ETIMEDOUT;
			continue;
		}
		r = -errno;
		close(fd);
		if (r != -EAGAIN && r != -EACCES && r != -EINTR)
			return r;
		if (mono_ns() >= deadline)
			return -ETIMEDOUT;
		struct timespec ts = {0, wait_ns};
		nanosleep(&ts, NULL);
		if (wait_ns < 4 * 1000 * 1000)
			wait_ns *= 2;
	}
}

/* The header of the table (of size bytes, from the fstat done when it
 * was opened: a published table never changes size; a rebuild writes a
 * new file), read into buf (cap bytes) with the slots that fit behind it:
 * a table of at most cap bytes is read whole, in one system call. *inmem:
 * how many slots buf holds (0 for a larger table, read by chunks). */
static int read_header(int fd, off_t size, struct hdr *h, uint8_t *buf,
		       size_t cap, uint32_t *inmem)
{
	size_t n = size <= (off_t)cap ? (size_t)size : HDR;
	int r;

	*inmem = 0;
	if (size < HDR)
		return -EBADMSG; /* new files are whole from the start */
	r = full_pread(fd, buf, n, 0);
	if (r < 0)
		return r;
	h->nslots = get32(buf + 12);
	h->used = get32(buf + 16);
	if (memcmp(buf, MAGIC, 8) != 0 || get32(buf + 8) != FILE_VERSION ||
	    h->nslots < MIN_SLOTS || h->nslots > MAX_SLOTS ||
	    (h->nslots & (h->nslots - 1)) || h->used > h->nslots ||
	    size != HDR + (off_t)h->nslots * SLOT)
		return -EBADMSG;
	if (n > HDR)
		*inmem = h->nslots;
	return 0;
}

static void slot_decode(const uint8_t *p, struct slot *s)
{
	memcpy(s->digest, p, 32);
	s->expiry = (int64_t)sv_le64_get(p + 32);
}

static void slot_encode(uint8_t *p, const struct slot *s)
{
	memset(p, 0, SLOT);
	memcpy(p, s->digest, 32);
	sv_le64_put(p + 32, (uint64_t)s->expiry);
}

/* Put s into an in-memory table of n slots (n a power of two). */
static void table_put(uint8_t *tab, uint32_t n, const struct slot *s)
{
	uint32_t i = (uint32_t)sv_le64_get(s->digest) & (n - 1);
	for (;; i = (i + 1) & (n - 1)) {
		uint8_t *p = tab + (size_t)i * SLOT;
		if (sv_le64_get(p + 32) == 0) {
			slot_encode(p, s);
			return;
		}
	}
}

/* Rebuild the table with its live entries and s, in a file renamed over
 * the old one. -EDQUOT if the live entries already fill the quota. */
static int rebuild(int dfd, int fd, const char *account, const struct hdr *h,
		   const struct slot *s, unsigned quota, int64_t now)
{
	uint8_t *old = NULL, *tab = NULL;
	char tmp[SV_NAME_MAX + 8];
	size_t oldsz = (size_t)h->nslots * SLOT, tabsz;
	uint32_t live = 0, n = MIN_SLOTS, cap = MIN_SLOTS;
	int nfd = -1, r;

	/* the cap: room for the quota at half load */
	while (cap < MAX_SLOTS && cap / 2 < quota)
		cap *= 2;
	old = malloc(oldsz);
	if (!old) {
		r = -ENOMEM;
		goto out;
	}
	r = full_pread(fd, old, oldsz, HDR);
	if (r < 0)
		goto out;
	for (uint32_t i = 0; i < h->nslots; i++) {
		int64_t e = (int64_t)sv_le64_get(old + (size_t)i * SLOT + 32);
		if (e != 0 && e >= now)
			live++;
	}
	if (live >= quota || live + 1 > cap / 2) {
		r = -EDQUOT;
		goto out;
	}
	while (n < cap && n / 2 < live + 1)
		n *= 2;
	tabsz = (size_t)n * SLOT;
	tab = calloc(1, tabsz);
	if (!tab) {
		r = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < h->nslots; i++) {
		struct slot o;
		slot_decode(old + (size_t)i * SLOT, &o);
		if (o.expiry != 0 && o.expiry >= now)
			table_put(tab, n, &o);
	}
	table_put(tab, n, s);
	snprintf(tmp, sizeof(tmp), "%s.new", account);
	/* only a holder of the account's lock writes this name; whatever is
	 * there (a dead rebuild's file, or a planted link) is unlinked, never
	 * written through */
	unlinkat(dfd, tmp, 0);
	nfd = sv_state_file_create(dfd, tmp);
	if (nfd < 0) {
		r = nfd;
		goto out;
	}
	struct hdr nh = {.nslots = n, .used = live + 1};
	r = write_header(nfd, &nh);
	if (r == 0)
		r = full_pwrite(nfd, tab, tabsz, HDR);
	if (r == 0 && renameat(dfd, tmp, dfd, account) < 0)
		r = -errno;
	if (r < 0)
		unlinkat(dfd, tmp, 0);
out:
	if (nfd >= 0)
		close(nfd);
	free(old);
	free(tab);
	return r;
}

int sv_replay_check_insert(const struct sv_config *c, const char *account,
			   const char *jti, size_t jtilen, int64_t expiry,
			   int64_t now)
{
	return sv_replay_check_insert_at(c, -1, account, jti, jtilen, expiry,
					 now);
}

static int probe(const struct sv_config *c, int sfd, const char *account,
		 const char *jti, size_t jtilen, int64_t expiry, int64_t now,
		 bool insert)
{
	/* a table of up to HEAD_SLOTS slots (the first two sizes) is read in
	 * one pread and updated in one pwrite; larger ones by chunks */
	uint8_t buf[HDR + HEAD_SLOTS * SLOT], p[SLOT];
	struct where w = {.c = c, .sfd = sfd, .dfd = -1};
	struct slot s;
	struct hdr h;
	unsigned mdlen = 0;
	uint32_t i, seen = 0, inmem = 0;
	int64_t at = -1;
	off_t size = 0;
	bool reuse = false;
	int fd = -1, r;

	if (!account || sv_name_check(account, NULL, 0) < 0 || !jti ||
	    jtilen == 0 || jtilen > SV_JTI_MAX || expiry <= 0)
		return -EINVAL;
	if (EVP_Digest(jti, jtilen, s.digest, &mdlen, EVP_sha256(), NULL) !=
		1 ||
	    mdlen != 32)
		return -EIO;
	s.expiry = expiry;
	r = open_locked(&w, account, &fd, &size);
	if (r < 0)
		goto out;
	r = read_header(fd, size, &h, buf, sizeof(buf), &inmem);
	if (r < 0)
		goto out;
	/* probe from the home slot to this jti or the first empty slot;
	 * a jti is in a table at most once */
	i = (uint32_t)sv_le64_get(s.digest) & (h.nslots - 1);
	while (at < 0) {
		uint32_t k = CHUNK < h.nslots - i ? CHUNK : h.nslots - i;
		const uint8_t *chunk = buf + HDR + (size_t)i * SLOT;
		if (!inmem) {
			r = full_pread(fd, buf, (size_t)k * SLOT,
				       HDR + (off_t)i * SLOT);
			if (r < 0)
				goto out;
			chunk = buf;
		}
		for (uint32_t j = 0; j < k && at < 0; j++) {
			struct slot o;
			slot_decode(chunk + (size_t)j * SLOT, &o);
			if (o.expiry == 0) {
				at = i + j;
			} else if (CRYPTO_memcmp(o.digest, s.digest, 32) == 0) {
				if (o.expiry >= now) {
					r = -EEXIST;
					goto out;
				}
				at = i + j; /* expired: reuse its slot */
				reuse = true;
			}
		}
		seen += k;
		if (at < 0 && seen >= h.nslots) {
			r = -EBADMSG; /* never full by construction */
			goto out;
		}
		i = (i + k) & (h.nslots - 1);
	}
	r = 0;
	if (!insert)
		goto out;
	if (!reuse && (h.used >= c->replay_quota ||
		       (uint64_t)(h.used + 1) * 2 > h.nslots)) {
		r = where_dir(&w);
		if (r >= 0)
			r = rebuild(w.dfd, fd, account, &h, &s, c->replay_quota,
				    now);
		goto out;
	}
	if (inmem && !reuse) {
		/* the slot and the count in one write, of the bytes from
		 * the header to the slot as read under this lock: the same
		 * bytes as the two writes below */
		size_t end = HDR + ((size_t)at + 1) * SLOT;
		slot_encode(buf + end - SLOT, &s);
		put32(buf + 16, h.used + 1);
		r = full_pwrite(fd, buf, end, 0);
		goto out;
	}
	slot_encode(p, &s);
	r = full_pwrite(fd, p, SLOT, HDR + (off_t)at * SLOT);
	if (r < 0 || reuse)
		goto out;
	h.used++;
	/* a crash between the two writes only undercounts; a rebuild
	 * recounts */
	r = write_header(fd, &h);
out:
	if (fd >= 0)
		close(fd);
	if (w.dfd >= 0)
		close(w.dfd);
	return r;
}

int sv_replay_check_insert_at(const struct sv_config *c, int sfd,
			      const char *account, const char *jti,
			      size_t jtilen, int64_t expiry, int64_t now)
{
	return probe(c, sfd, account, jti, jtilen, expiry, now, true);
}

int sv_replay_seen(const struct sv_config *c, const char *account,
		   const char *jti, size_t jtilen, int64_t now)
{
	return sv_replay_seen_at(c, -1, account, jti, jtilen, now);
}

int sv_replay_seen_at(const struct sv_config *c, int sfd, const char *account,
		      const char *jti, size_t jtilen, int64_t now)
{
	/* any positive expiry: it is not stored */
	return probe(c, sfd, account, jti, jtilen, 1, now, false);
}
