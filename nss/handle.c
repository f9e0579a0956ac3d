/* SPDX-License-Identifier: MIT */
/* The process-wide state of nss_svcacct: one mutex, one configuration, one
 * read-only store handle re-validated on every call, three enumeration
 * cursors. Nothing happens at load time; the first call sets up the fork
 * handlers, and a destructor frees the handles when the module is unloaded.
 * The module never prints, never reads the environment, starts no thread
 * and installs no signal or atexit handler. */
#include "handle.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "genword.h"
#include "names.h"
#include "util.h"

#ifndef SVCACCT_CONF_PATH
#error "the build must define SVCACCT_CONF_PATH"
#endif

/* accounts.db only: the module never touches credentials. A generation
 * with indexes is always read through its mapped index (file-backed pages:
 * the page cache, not the process's memory); for one read through GDBM,
 * measured (docs/nss.md): without SV_READER_MMAP a lookup costs a few
 * pread-sized syscalls but the resident set stays flat; with it the
 * mapped pages of a large store end up in the process's own RSS. */
#ifndef SVNSS_READER_FLAGS
#define SVNSS_READER_FLAGS SV_DBMASK(SV_DB_ACCOUNTS)
#endif

struct state {
	/* error-checking: a thread that re-enters the module (GDBM or malloc
	 * calling back into NSS) gets EDEADLK instead of a deadlock */
	pthread_mutex_t lock;
	bool fork_locked; /* the prepare handler holds lock */
	bool pid_check;	  /* pthread_atfork failed: compare pids */
	pid_t pid;
	unsigned long epoch; /* bumped in every child */

	/* configuration: reloaded when the file's stat changes */
	bool conf_known;
	bool conf_present;
	struct stat conf_st;
	int conf_err;
	unsigned long conf_serial;
	time_t conf_checked; /* CLOCK_MONOTONIC_COARSE second of last stat */
	struct sv_config conf;
	char current[sizeof(((struct sv_config *)0)->db_dir) + 8];

	/* the lookup reader */
	struct sv_reader *rd;
	unsigned long rd_epoch, rd_serial;

	/* db_dir's generation word (genword.h), mapped for conf_serial
	 * word_serial; NULL: none yet, `current` is read on every call */
	const uint64_t *word;
	unsigned long word_serial;
	/* the second (conf_checked's clock) `current` was last read in */
	time_t current_checked;

	/* size of the base group's entry, per generation */
	uint64_t base_gen;
	unsigned long base_serial;
	size_t base_need;

	struct svnss_cursor cursors[SVNSS_NDB];

	/* threads inside initgroups_dyn's system lookup (svnss_guard) */
	struct svnss_guard *guards;
};

static struct state S = {
    .lock = PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP,
};
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* ------------------------------------------------------ fork */

/* The prepare handler takes the lock so that the child inherits a
 * consistent state (no lookup half-way through GDBM); the child then only
 * resets the lock and bumps the epoch: the inherited fds share their file
 * offsets with the parent, so the next call in the child closes them (on
 * the child's side only) and opens its own. */
static void fork_prepare(void)
{
	S.fork_locked = pthread_mutex_lock(&S.lock) == 0;
}

static void fork_parent(void)
{
	if (S.fork_locked) {
		S.fork_locked = false;
		pthread_mutex_unlock(&S.lock);
	}
}

/* In a child only the forking thread exists: the guards of the other
 * threads go (their stacks are still mapped here, but glibc hands them to
 * the child's new threads, which may also get the same pthread_t). */
static void guards_keep_self(void)
{
	struct svnss_guard **pp = &S.guards;

	while (*pp) {
		if (pthread_equal((*pp)->thread, pthread_self()))
			pp = &(*pp)->next;
		else
			*pp = (*pp)->next;
	}
}

static void fork_child(void)
{
	static const pthread_mutex_t fresh =
	    PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP;

	if (S.fork_locked) {
		guards_keep_self();
	} else {
		/* fork() from inside the module (a signal handler): the
		 * handles may be half-way through a call, so forget them
		 * rather than touch them, and parse the config again */
		S.rd = NULL;
		S.conf_known = false;
		for (int i = 0; i < SVNSS_NDB; i++) {
			S.cursors[i].rd = NULL;
			S.cursors[i].key.p = NULL;
			S.cursors[i].key.n = 0;
			S.cursors[i].phase = SVNSS_PHASE_DONE;
		}
		/* the list may be half-way through an update: the forking
		 * thread's own guard is dropped too (svnss_guard_leave copes),
		 * which only loses the guard of this one lookup */
		S.guards = NULL;
	}
	/* the owner recorded in the mutex is the parent's thread */
	memcpy(&S.lock, &fresh, sizeof(fresh));
	S.fork_locked = false;
	S.epoch++;
}

static void setup_once(void)
{
	if (pthread_atfork(fork_prepare, fork_parent, fork_child) != 0) {
		S.pid_check = true;
		S.pid = getpid();
	}
}

/* ------------------------------------------------------ state */

static void drop_reader(void);

/* glibc unloads NSS modules only in __libc_freeres, which valgrind and
 * mtrace run at exit; every other process runs this at exit, from
 * _dl_fini. Either way the store handles are freed, so that a leak
 * checker of any program finds nothing of ours.
 *
 * Only when no thread is inside the module: a trylock. If another thread
 * holds the lock (a process exiting while a thread looks a user up), or
 * this one does (exit from a signal handler that interrupted a lookup),
 * nothing is touched: freeing the handles under a running lookup would
 * crash it, and the memory goes with the process anyway. A thread in
 * initgroups_dyn's system lookup holds no handle; it takes the lock
 * afterwards and finds the reader gone, as after any change.
 *
 * In a forked child the reader's fds are the child's copies of read-only
 * files opened without locks (GDBM_NOLOCK): closing them leaves the
 * parent's untouched, which is what the child's next lookup would do
 * anyway. A vfork child shares the parent's memory but may only call
 * _exit or exec, which run no destructor (posix_spawn's child too). */
__attribute__((destructor)) static void svnss_unload(void)
{
	int saved_errno = errno;

	if (pthread_mutex_trylock(&S.lock) == 0) {
		drop_reader();
		sv_genword_unmap(S.word);
		S.word = NULL;
		for (int i = 0; i < SVNSS_NDB; i++)
			svnss_cursor_reset(&S.cursors[i]);
		pthread_mutex_unlock(&S.lock);
	}
	errno = saved_errno;
}

static void drop_reader(void)
{
	sv_reader_close(S.rd);
	S.rd = NULL;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_size == b->st_size && a->st_mode == b->st_mode &&
	       a->st_uid == b->st_uid &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	       a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* At most one stat a second; the file is parsed again only when it changed. */
static int refresh_config(void)
{
	char err[SV_CONF_ERRLEN];
	struct stat st;
	bool present = true;
	int r;

	/* At most one stat a second: a lookup costs ~2 us and the stat
	 * ~0.4 us of it; an edit of svcacct.conf is seen within a second. */
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	if (S.conf_known && now.tv_sec == S.conf_checked)
		return S.conf_err;
	S.conf_checked = now.tv_sec;
	if (stat(SVCACCT_CONF_PATH, &st) < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			return -errno;
		present = false;
	}
	if (S.conf_known && present == S.conf_present &&
	    (!present || same_file(&st, &S.conf_st)))
		return S.conf_err;

	S.conf_serial++;
	drop_reader();
	S.conf_known = true;
	S.conf_present = present;
	if (present)
		S.conf_st = st;
	if (!present) {
		sv_config_defaults(&S.conf);
		r = 0;
	} else {
		r = sv_config_load(&S.conf, SVCACCT_CONF_PATH, true, err,
				   sizeof(err));
		if (r == -ENOENT) {
			/* removed between stat and open: look again at the
			 * next call */
			S.conf_known = false;
			sv_config_defaults(&S.conf);
			r = 0;
		}
	}
	sv_config_fill_shell(&S.conf);
	snprintf(S.current, sizeof(S.current), "%s/current", S.conf.db_dir);
	S.conf_err = r;
	return r;
}

/* The generation `current` names: what sv_store_current_generation reads,
 * in one readlink instead of open+fstat+readlinkat+close (this runs on
 * every lookup). The directory's owner and mode are checked whenever a
 * reader is opened. */
static int current_generation(uint64_t *gen)
{
	char buf[32];
	ssize_t n = readlink(S.current, buf, sizeof(buf));

	if (n < 0)
		return errno == EINVAL ? -EIO : -errno;
	return sv_store_parse_gen(buf, (size_t)n, gen) < 0 ? -EIO : 0;
}

int svnss_begin(struct svnss *s)
{
	int r;

	memset(s, 0, sizeof(*s));
	pthread_once(&once, setup_once);
	r = pthread_mutex_lock(&S.lock);
	if (r != 0)
		return -r; /* EDEADLK: re-entered from this very thread */
	s->locked = true;
	if (S.pid_check && getpid() != S.pid) {
		S.pid = getpid();
		S.epoch++;
		guards_keep_self();
	}
	r = refresh_config();
	if (r < 0) {
		svnss_end(s);
		return r;
	}
	s->conf = &S.conf;
	return 0;
}

void svnss_end(struct svnss *s)
{
	if (s->locked) {
		s->locked = false;
		pthread_mutex_unlock(&S.lock);
	}
	s->rd = NULL;
	s->conf = NULL;
}

int svnss_guard_enter(struct svnss *s, struct svnss_guard *g)
{
	(void)s; /* proof that the lock is held */
	for (struct svnss_guard *p = S.guards; p; p = p->next)
		if (pthread_equal(p->thread, pthread_self()))
			return -EDEADLK;
	g->thread = pthread_self();
	g->reached = false;
	g->entry_errno = 0;
	g->next = S.guards;
	S.guards = g;
	return 0;
}

void svnss_guard_note(struct svnss *s, int entry_errno)
{
	(void)s; /* proof that the lock is held */
	for (struct svnss_guard *p = S.guards; p; p = p->next) {
		if (pthread_equal(p->thread, pthread_self())) {
			if (!p->reached) {
				p->reached = true;
				p->entry_errno = entry_errno;
			}
			return;
		}
	}
}

void svnss_guard_leave(struct svnss_guard *g)
{
	/* An error-checking mutex only refuses the thread that holds it,
	 * and the caller does not: this lock cannot fail. A guard missing
	 * from the list (a fork from inside the module cleared it) is
	 * simply not found. */
	if (pthread_mutex_lock(&S.lock) != 0)
		return;
	for (struct svnss_guard **pp = &S.guards; *pp; pp = &(*pp)->next) {
		if (*pp == g) {
			*pp = g->next;
			break;
		}
	}
	pthread_mutex_unlock(&S.lock);
}

/* The word of the configuration's db_dir, mapped once per configuration,
 * or again when asked (a store without one yet: tried whenever a reader
 * is opened). */
static void map_word(bool again)
{
	if (S.word && S.word_serial == S.conf_serial && !again)
		return;
	sv_genword_unmap(S.word);
	S.word = NULL;
	if (sv_genword_map(&S.conf, &S.word) < 0)
		S.word = NULL;
	S.word_serial = S.conf_serial;
}

static int reader_current(struct svnss *s)
{
	uint64_t gen = 0;
	int r;

	if (S.rd && (S.rd_epoch != S.epoch || S.rd_serial != S.conf_serial))
		drop_reader();
	/* A hit: the reader answers from mapped indexes (no descriptor a
	 * program could close or reuse), the word names its generation, and
	 * `current` was read this second. No system call: the word is a
	 * load from memory, the clock (refresh_config) a vDSO call. The
	 * once-a-second look at `current` covers a word a writer could not
	 * store (it died after the swap, leaving 0, or it could not write
	 * the file): readers are never stale longer than that. */
	if (S.rd && S.word && S.current_checked == S.conf_checked &&
	    sv_reader_mapped(S.rd) &&
	    sv_genword_load(S.word) == sv_reader_generation(S.rd)) {
		s->rd = S.rd;
		s->gen = sv_reader_generation(S.rd);
		return 0;
	}
	S.current_checked = S.conf_checked;
	/* The generation number comes from the `current` symlink: an inode
	 * number could be reused by a later generation, this cannot. */
	r = current_generation(&gen);
	if (r < 0) {
		drop_reader();
		return r;
	}
	/* Programs close fds they do not own (closefrom, daemon()) and may
	 * reuse the numbers: check ours are still the files we opened. */
	if (S.rd &&
	    (sv_reader_generation(S.rd) != gen || !sv_reader_fds_intact(S.rd)))
		drop_reader();
	if (!S.rd) {
		r = sv_reader_open(&S.conf, SVNSS_READER_FLAGS, &S.rd);
		if (r < 0) {
			S.rd = NULL;
			return r;
		}
		S.rd_epoch = S.epoch;
		S.rd_serial = S.conf_serial;
		/* a word that names neither this generation nor "changing"
		 * may be a store's that was replaced (db_dir removed and made
		 * anew): map the one db_dir has now */
		map_word(S.word && sv_genword_load(S.word) != 0 &&
			 sv_genword_load(S.word) != sv_reader_generation(S.rd));
	}
	s->rd = S.rd;
	s->gen = sv_reader_generation(S.rd);
	return 0;
}

int svnss_reader(struct svnss *s)
{
	int r = reader_current(s);
	if (r < 0)
		svnss_end(s);
	return r;
}

enum nss_status svnss_status(int r, int *errnop)
{
	switch (r) {
	case 0: return NSS_STATUS_SUCCESS;
	case -ENOENT: *errnop = ENOENT; return NSS_STATUS_NOTFOUND;
	case -ERANGE: *errnop = ERANGE; return NSS_STATUS_TRYAGAIN;
	case -ENOMEM:
	case -EMFILE:
	case -ENFILE:
	case -EAGAIN:
	case -EINTR: *errnop = -r; return NSS_STATUS_TRYAGAIN;
	case -EBADMSG:
	case -EPROTO:
		/* a corrupt file: the store, not the entry, is unusable */
		*errnop = EIO;
		return NSS_STATUS_UNAVAIL;
	default: *errnop = r < 0 ? -r : EIO; return NSS_STATUS_UNAVAIL;
	}
}

enum nss_status svnss_unavail(int r, int *errnop)
{
	if (r == -ENOENT || r == -ENOTDIR) {
		/* no store (yet): "a necessary input file cannot be found" */
		*errnop = ENOENT;
		return NSS_STATUS_UNAVAIL;
	}
	if (r == -ERANGE || r == 0)
		r = -EIO;
	return svnss_status(r, errnop);
}

size_t svnss_base_need_get(const struct svnss *s)
{
	if (S.base_need && S.base_gen == s->gen &&
	    S.base_serial == S.conf_serial)
		return S.base_need;
	return 0;
}

void svnss_base_need_set(const struct svnss *s, size_t need)
{
	S.base_gen = s->gen;
	S.base_serial = S.conf_serial;
	S.base_need = need;
}

/* ------------------------------------------------------ enumeration */

struct svnss_cursor *svnss_cursor(enum svnss_enum_db db)
{
	return &S.cursors[db];
}

void svnss_cursor_reset(struct svnss_cursor *c)
{
	sv_blob_free(&c->key);
	sv_reader_close(c->rd);
	c->rd = NULL;
	c->phase = 0;
	c->pending = false;
	c->need = 0;
}

int svnss_cursor_prepare(struct svnss *s, struct svnss_cursor *c)
{
	int r;

	if (!s->conf->enumerate) {
		svnss_cursor_reset(c);
		c->phase = SVNSS_PHASE_DONE;
		return 1;
	}
	if (c->phase == SVNSS_PHASE_DONE)
		return 1;
	if (c->rd && c->conf_serial != S.conf_serial) {
		/* another store now: this walk is over */
		svnss_cursor_reset(c);
		c->phase = SVNSS_PHASE_DONE;
		return 1;
	}
	if (c->rd && (c->epoch != S.epoch || !sv_reader_fds_intact(c->rd))) {
		/* forked, or our fd was closed: reopen and go on after the
		 * last key (the same generation unless a writer published
		 * meanwhile, in which case the walk ends early or goes on in
		 * the new one) */
		sv_reader_close(c->rd);
		c->rd = NULL;
	}
	if (!c->rd) {
		r = sv_reader_open(&S.conf, SVNSS_READER_FLAGS, &c->rd);
		if (r < 0) {
			c->rd = NULL;
			return r;
		}
		c->epoch = S.epoch;
		c->conf_serial = S.conf_serial;
	}
	return 0;
}

int svnss_cursor_next(struct svnss_cursor *c, char prefix)
{
	int r;

	if (c->pending) {
		c->pending = false;
		return c->key.p ? 0 : -EIO;
	}
	r = sv_reader_next_key(c->rd, SV_DB_ACCOUNTS, prefix, &c->key);
	if (r < 0)
		sv_blob_free(&c->key);
	return r;
}

/* ------------------------------------------------------ records */

bool svnss_name_ok(struct sv_str s)
{
	char buf[SV_NAME_MAX + 1];

	if (s.n == 0 || s.n > SV_NAME_MAX)
		return false;
	memcpy(buf, s.p, s.n);
	buf[s.n] = '\0';
	return sv_name_check(buf, NULL, 0) == 0;
}

bool svnss_cname_ok(const char *name)
{
	return name && strnlen(name, SV_NAME_MAX + 1) <= SV_NAME_MAX &&
	       sv_name_check(name, NULL, 0) == 0;
}

/* No ':' (it would split a passwd line), no newline or other control
 * character (it would split the file). */
static bool text_ok(struct sv_str s)
{
	for (size_t i = 0; i < s.n; i++) {
		unsigned char ch = (unsigned char)s.p[i];
		if (ch < 0x20 || ch == 0x7f || ch == ':')
			return false;
	}
	return true;
}

static bool path_ok(struct sv_str s)
{
	return text_ok(s) && (s.n == 0 || s.p[0] == '/');
}

bool svnss_account_ok(const struct sv_config *c, const struct sv_account *a)
{
	return svnss_name_ok(a->name) && sv_uid_acceptable(c, a->uid) &&
	       text_ok(a->description) && path_ok(a->home) && path_ok(a->shell);
}

bool svnss_role_ok(const struct sv_config *c, const struct sv_role *r)
{
	size_t off = 0;
	uint32_t idx = 0;
	struct sv_str m;

	/* a role never takes the base group's GID */
	if (!svnss_name_ok(r->name) || r->gid == c->base_gid ||
	    !sv_role_gid_acceptable(c, r->gid))
		return false;
	while (sv_list_next(&r->members, &off, &idx, &m))
		if (!svnss_name_ok(m))
			return false;
	return idx == r->members.count;
}

static int fetch(struct sv_reader *rd, char prefix, const void *k, size_t kn,
		 struct sv_blob *v)
{
	/* names are at most SV_NAME_MAX: a small key on the stack (callers
	 * may run on small thread stacks) */
	char key[1 + SV_NAME_MAX + 1];
	size_t kl = sv_key_str(key, sizeof(key), prefix, k, kn);

	v->p = NULL;
	v->n = 0;
	if (!kl)
		return -ENOENT;
	return sv_reader_fetch(rd, SV_DB_ACCOUNTS, key, kl, v);
}

/* Decode a record into rec: whether it decodes and may be served at all
 * (svnss_account_ok, svnss_role_ok). */
typedef bool (*decode_fn)(const struct sv_config *c, const struct sv_blob *v,
			  void *rec);

static bool decode_account(const struct sv_config *c, const struct sv_blob *v,
			   void *rec)
{
	struct sv_account *a = rec;

	return sv_decode_account(v->p, v->n, a) >= 0 && svnss_account_ok(c, a);
}

static bool decode_role(const struct sv_config *c, const struct sv_blob *v,
			void *rec)
{
	struct sv_role *role = rec;

	return sv_decode_role(v->p, v->n, role) >= 0 && svnss_role_ok(c, role);
}

/* The record under prefix+name, decoded into rec; got is where rec keeps
 * its decoded name (not a pointer to const: GCC takes one for a read at
 * the call, where rec is not decoded yet). */
static int get_named(struct sv_reader *rd, const struct sv_config *c,
		     char prefix, decode_fn decode, const char *name,
		     size_t namelen, struct sv_blob *blob, void *rec,
		     struct sv_str *got)
{
	int r;

	/* the name is checked once, on the record (it must equal the key) */
	r = fetch(rd, prefix, name, namelen, blob);
	if (r < 0)
		return r;
	/* A record that does not decode, does not match its key or breaks
	 * the rules is refused: NOTFOUND, never a partial or forged entry. */
	if (!decode(c, blob, rec) || got->n != namelen ||
	    memcmp(got->p, name, namelen) != 0) {
		sv_blob_free(blob);
		return -ENOENT;
	}
	return 0;
}

/* The record the id key (SV_KEY_UID, SV_KEY_GID) names, which must carry
 * that id; got_name and got_id are where rec keeps its decoded name and
 * id. */
static int get_by_id(struct sv_reader *rd, const struct sv_config *c,
		     char id_prefix, char prefix, decode_fn decode, uint32_t id,
		     struct sv_blob *blob, void *rec, struct sv_str *got_name,
		     uint32_t *got_id)
{
	struct sv_blob name = {0};
	char key[8];
	size_t kl = sv_key_u32(key, sizeof(key), id_prefix, id);
	int r;

	r = sv_reader_fetch(rd, SV_DB_ACCOUNTS, key, kl, &name);
	if (r < 0)
		return r;
	r = get_named(rd, c, prefix, decode, name.p, name.n, blob, rec,
		      got_name);
	sv_blob_free(&name);
	if (r == 0 && *got_id != id) {
		sv_blob_free(blob);
		r = -ENOENT;
	}
	return r;
}

/* Fetch and decode an account, by name or UID; it is refused (-ENOENT)
 * unless it passes svnss_account_ok. blob keeps the storage. */
static int svnss_get_account(struct sv_reader *rd, const struct sv_config *c,
			     const char *name, size_t namelen,
			     struct sv_blob *blob, struct sv_account *a)
{
	return get_named(rd, c, SV_KEY_ACCOUNT, decode_account, name, namelen,
			 blob, a, &a->name);
}

static int svnss_get_account_by_uid(struct sv_reader *rd,
				    const struct sv_config *c, uint32_t uid,
				    struct sv_blob *blob, struct sv_account *a)
{
	blob->p = NULL;
	blob->n = 0;
	if (!sv_uid_acceptable(c, uid))
		return -ENOENT;
	return get_by_id(rd, c, SV_KEY_UID, SV_KEY_ACCOUNT, decode_account, uid,
			 blob, a, &a->name, &a->uid);
}

int svnss_get_role(struct sv_reader *rd, const struct sv_config *c,
		   const char *name, size_t namelen, struct sv_blob *blob,
		   struct sv_role *role)
{
	return get_named(rd, c, SV_KEY_ROLE, decode_role, name, namelen, blob,
			 role, &role->name);
}

int svnss_get_role_by_gid(struct sv_reader *rd, const struct sv_config *c,
			  uint32_t gid, struct sv_blob *blob,
			  struct sv_role *role)
{
	blob->p = NULL;
	blob->n = 0;
	if (gid == c->base_gid || !sv_role_gid_acceptable(c, gid))
		return -ENOENT;
	return get_by_id(rd, c, SV_KEY_GID, SV_KEY_ROLE, decode_role, gid, blob,
			 role, &role->name, &role->gid);
}

/* ------------------------------------------------------ packing */

bool svnss_need_str(size_t *need, size_t n)
{
	size_t t;
	if (sv_add_overflow(n, 1, &t))
		return false;
	return !sv_add_overflow(*need, t, need);
}

char *svnss_put(struct svnss_pack *pk, const char *s, size_t n)
{
	char *out = pk->p;
	if (n)
		memcpy(out, s, n);
	out[n] = '\0';
	pk->p += n + 1;
	pk->left -= n + 1;
	return out;
}

int svnss_pack_account(struct svnss_pack *pk, char *buf, size_t buflen,
		       size_t more, const struct sv_account *a,
		       const char *passwd, char **name_out, char **passwd_out)
{
	size_t need = more;

	if (!svnss_need_str(&need, a->name.n) || !svnss_need_str(&need, 1) ||
	    need > buflen)
		return -ERANGE;
	pk->p = buf;
	pk->left = buflen;
	*name_out = svnss_put(pk, a->name.p, a->name.n);
	*passwd_out = svnss_put(pk, passwd, 1);
	return 0;
}

struct sv_str svnss_shell(const struct sv_config *c, const struct sv_account *a)
{
	if (a->shell.n)
		return a->shell;
	return (struct sv_str){c->default_shell, strlen(c->default_shell)};
}

struct sv_str svnss_home(const struct sv_config *c, const struct sv_account *a,
			 char *tmp, size_t tmplen)
{
	int n;

	if (a->home.n)
		return a->home;
	n = snprintf(tmp, tmplen, "%s/%.*s", c->home_base, (int)a->name.n,
		     a->name.p);
	if (n < 0 || (size_t)n >= tmplen)
		n = 0;
	return (struct sv_str){tmp, (size_t)n};
}

/* ------------------------------------------------------ enumeration glue */

enum nss_status svnss_setent(enum svnss_enum_db db)
{
	int saved_errno = errno;

	pthread_once(&once, setup_once);
	if (pthread_mutex_lock(&S.lock) != 0) {
		errno = saved_errno;
		return NSS_STATUS_UNAVAIL;
	}
	/* the snapshot is taken by the first getXXent */
	svnss_cursor_reset(&S.cursors[db]);
	pthread_mutex_unlock(&S.lock);
	/* closing the snapshot's files may have set it */
	errno = saved_errno;
	return NSS_STATUS_SUCCESS;
}

enum nss_status svnss_endent(enum svnss_enum_db db)
{
	return svnss_setent(db);
}

bool svnss_transient(int r)
{
	return r == -ENOMEM || r == -EMFILE || r == -ENFILE || r == -EAGAIN ||
	       r == -EINTR || r == -ERANGE;
}

static enum nss_status getent(enum svnss_enum_db db, svnss_step_fn step,
			      svnss_fill_fn fill, void *ent, char *buf,
			      size_t buflen, int *errnop)
{
	struct svnss s;
	struct svnss_cursor *c;
	int r;

	r = svnss_begin(&s);
	if (r < 0)
		return svnss_unavail(r, errnop);
	c = svnss_cursor(db);
	r = svnss_cursor_prepare(&s, c);
	if (r != 0) {
		svnss_end(&s);
		return r > 0 ? svnss_status(-ENOENT, errnop)
			     : svnss_unavail(r, errnop);
	}
	r = step(&s, c, fill, ent, buf, buflen);
	if (r < 0 && !c->pending) {
		/* end, or an error that a retry would not fix: the walk is
		 * over (restarting it would repeat entries) */
		svnss_cursor_reset(c);
		c->phase = SVNSS_PHASE_DONE;
	}
	svnss_end(&s);
	return svnss_status(r, errnop);
}

enum nss_status svnss_getent(enum svnss_enum_db db, svnss_step_fn step,
			     svnss_fill_fn fill, void *ent, char *buf,
			     size_t buflen, int *errnop)
{
	int saved_errno = errno, err = 0;
	enum nss_status st = getent(db, step, fill, ent, buf, buflen, &err);
	return svnss_return(st, saved_errno, err, errnop);
}

int svnss_next_account(struct svnss *s, struct svnss_cursor *c,
		       svnss_fill_fn fill, void *ent, char *buf, size_t buflen)
{
	for (;;) {
		struct sv_blob blob = {0};
		struct sv_account a;
		int r;

		r = svnss_cursor_next(c, SV_KEY_ACCOUNT);
		if (r < 0)
			return r;
		r = svnss_get_account(c->rd, s->conf,
				      (const char *)c->key.p + 1, c->key.n - 1,
				      &blob, &a);
		if (r == -ENOENT)
			continue; /* refused record: skip it */
		if (r == 0)
			r = fill(s, &a, ent, buf, buflen);
		sv_blob_free(&blob);
		if (svnss_transient(r))
			/* the same entry again next time: a caller that
			 * grows its buffer must not lose it */
			c->pending = true;
		return r;
	}
}

/* ------------------------------------------------------ lookups */

static enum nss_status lookup(const struct svnss_query *q, int entry_errno,
			      svnss_pre_fn pre, svnss_find_fn find, int *errnop)
{
	struct sv_blob blob = {0};
	struct svnss s;
	int r;

	/* not a name an account or role can have (root, ...): no I/O */
	if (!q->by_id && !svnss_cname_ok(q->name) &&
	    !(q->base_name && q->name && strcmp(q->name, SV_BASE_ROLE) == 0))
		return svnss_status(-ENOENT, errnop);
	r = svnss_begin(&s);
	if (r < 0)
		return svnss_unavail(r, errnop);
	s.entry_errno = entry_errno;
	if (pre) {
		r = pre(&s, q);
		if (r < 0) {
			svnss_end(&s);
			return svnss_status(r, errnop);
		}
	}
	r = svnss_reader(&s);
	if (r < 0)
		return svnss_unavail(r, errnop);
	r = find(&s, q, &blob);
	sv_blob_free(&blob);
	svnss_end(&s);
	return svnss_status(r, errnop);
}

enum nss_status svnss_lookup(const struct svnss_query *q, svnss_pre_fn pre,
			     svnss_find_fn find, int *errnop)
{
	int saved_errno = errno, err = 0;
	enum nss_status st = lookup(q, saved_errno, pre, find, &err);
	return svnss_return(st, saved_errno, err, errnop);
}

enum nss_status svnss_get(const struct svnss_lookups *l, bool by_id,
			  const char *name, uint32_t id, void *ent, char *buf,
			  size_t buflen, int *errnop)
{
	const struct svnss_steps *st = by_id ? &l->by_id : &l->by_name;
	struct svnss_query q = {.name = name,
				.id = id,
				.by_id = by_id,
				.base_name = l->base_name,
				.fill = l->fill,
				.ent = ent,
				.buf = buf,
				.buflen = buflen};

	return svnss_lookup(&q, st->pre, st->find, errnop);
}

int svnss_pre_uid(struct svnss *s, const struct svnss_query *q)
{
	/* outside the account range (root, regular users): no I/O */
	return sv_uid_acceptable(s->conf, q->id) ? 0 : -ENOENT;
}

int svnss_find_account(struct svnss *s, const struct svnss_query *q,
		       struct sv_blob *blob)
{
	struct sv_account a;
	int r;

	if (q->by_id)
		r = svnss_get_account_by_uid(s->rd, s->conf, q->id, blob, &a);
	else
		r = svnss_get_account(s->rd, s->conf, q->name, strlen(q->name),
				      blob, &a);
	if (r == 0)
		r = q->fill(s, &a, q->ent, q->buf, q->buflen);
	return r;
}
