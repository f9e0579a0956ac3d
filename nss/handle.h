/* SPDX-License-Identifier: MIT */
/* nss_svcacct internals: the one cached store handle of the process, the
 * configuration, enumeration cursors, record validation and the packing of
 * entries into the caller's buffer. See docs/nss.md. */
#ifndef SVCACCT_NSS_HANDLE_H
#define SVCACCT_NSS_HANDLE_H

#include <errno.h>
#include <nss.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "config.h"
#include "names.h"
#include "store.h"

/* Internal results are 0 or -errno. svnss_status maps a lookup's result:
 *   -ENOENT  no such entry, or a record refused by validation -> NOTFOUND
 *   -ERANGE  the caller's buffer is too small                 -> TRYAGAIN
 *   -ENOMEM, -EMFILE, -ENFILE, -EAGAIN, -EINTR (transient)     -> TRYAGAIN
 *   anything else (I/O error, corrupt file)                   -> UNAVAIL
 * svnss_unavail maps a failure to reach the store (svnss_begin,
 * svnss_reader, cursors), where -ENOENT means "no store": UNAVAIL. */

/* What an entry point holds between svnss_begin and svnss_end: the module
 * lock, the configuration and (after svnss_reader) the lookup reader. */
struct svnss {
	const struct sv_config *conf;
	struct sv_reader *rd;
	uint64_t gen;	 /* generation rd holds */
	int entry_errno; /* errno as svnss_lookup found it */
	bool locked;
};

/* Take the module lock (refusing re-entry from the same thread) and make
 * sure the configuration is current. 0, or -errno (lock not held). */
int svnss_begin(struct svnss *s);
/* Make sure s->rd is the published generation's reader, reopening it after
 * a change, a fork, or fds closed behind our back. 0, or -errno with the
 * lock already released (svnss_end), so a caller just returns. */
int svnss_reader(struct svnss *s);
/* Release the lock. */
void svnss_end(struct svnss *s);

/* The status to return for a lookup's result, setting *errnop. */
enum nss_status svnss_status(int r, int *errnop);
/* The status to return when the store cannot be used. */
enum nss_status svnss_unavail(int r, int *errnop);

/* What every exported entry point returns through: errno as the entry
 * point found it (saved_errno), and *errnop written only with TRYAGAIN or
 * UNAVAIL (err). glibc passes &errno itself as errnop, so a SUCCESS or a
 * NOTFOUND leaves the caller's errno alone, as nss_files and nss-systemd
 * do: a miss is not an error, and a caller that checks errno after a
 * lookup must not see what a stat or a GDBM call left there. errno is
 * restored before *errnop is written, so that an error reaches a caller
 * whose errnop is &errno. */
static inline enum nss_status svnss_return(enum nss_status st, int saved_errno,
					   int err, int *errnop)
{
	errno = saved_errno;
	if (st != NSS_STATUS_SUCCESS && st != NSS_STATUS_NOTFOUND)
		*errnop = err;
	return st;
}

/* ------------------------------------------------------ initgroups guard */

/* initgroups_dyn asks the system's NSS who a name is, without the module
 * lock (the answer may come from this very module). A thread inside that
 * lookup has a svnss_guard on its stack, linked into a list under the
 * module lock, so that a re-entry of initgroups_dyn from the same thread
 * is refused instead of looping. When that lookup reaches this module's
 * getpwnam_r, every earlier source said no: the guard records it, and the
 * errno they left (glibc passes &errno to each source in turn). reached
 * and entry_errno are only ever touched by the guard's own thread. */
struct svnss_guard {
	pthread_t thread;
	struct svnss_guard *next;
	bool reached;
	int entry_errno;
};
/* (lock held) Link g for the calling thread: 0, or -EDEADLK when this
 * thread is already inside an initgroups lookup (g is then not linked). */
int svnss_guard_enter(struct svnss *s, struct svnss_guard *g);
/* Unlink g; takes the module lock, so call it without holding it. */
void svnss_guard_leave(struct svnss_guard *g);
/* (lock held) getpwnam_r was entered with errno entry_errno: if the
 * calling thread is inside initgroups' system lookup, note it in its
 * guard (the first time). */
void svnss_guard_note(struct svnss *s, int entry_errno);

/* ------------------------------------------------------ enumeration */

enum svnss_enum_db { SVNSS_PASSWD, SVNSS_GROUP, SVNSS_SHADOW, SVNSS_NDB };

/* An enumeration reads its own snapshot of one generation, from the first
 * getXXent to endXXent, so concurrent changes never make it skip or repeat
 * entries; lookups keep using the shared reader meanwhile. */
struct svnss_cursor {
	struct sv_reader *rd;
	unsigned long epoch;	   /* fork epoch rd was opened in */
	unsigned long conf_serial; /* configuration rd was opened under */
	struct sv_blob key;	   /* last key read ({NULL,0} before any) */
	int phase;		   /* per database; SVNSS_PHASE_DONE at end */
	bool pending;		   /* entry not delivered: retry it next */
	size_t need;		   /* known size of the pending entry, or 0 */
};
#define SVNSS_PHASE_DONE 99

/* The cursor of a database (lock held). */
struct svnss_cursor *svnss_cursor(enum svnss_enum_db db);
/* Forget the position and the snapshot (setXXent, endXXent). */
void svnss_cursor_reset(struct svnss_cursor *c);
/* Open the snapshot if needed and check it is still usable; after a fork
 * or a lost fd it is reopened and the walk resumes after the last key.
 * 0 ready, 1 when the walk is over or enumeration is switched off in
 * svcacct.conf, or -errno (store unusable). */
int svnss_cursor_prepare(struct svnss *s, struct svnss_cursor *c);
/* Step to the next key with prefix (or stay on a pending one). 0 with
 * c->key set, -ENOENT at the end, or -errno. */
int svnss_cursor_next(struct svnss_cursor *c, char prefix);

/* setXXent/endXXent: forget the walk and its snapshot. */
enum nss_status svnss_setent(enum svnss_enum_db db);
enum nss_status svnss_endent(enum svnss_enum_db db);
/* Whether a result is worth retrying on the same entry. */
bool svnss_transient(int r);

/* Hands one account to the caller's entry (struct passwd, spwd, group,
 * or the database's own), in buf: 0, -ERANGE, or -errno. s is locked. */
typedef int (*svnss_fill_fn)(struct svnss *s, const struct sv_account *a,
			     void *ent, char *buf, size_t buflen);
/* One step of a walk: the next entry into ent (fill: for the steps over
 * accounts). 0, -ENOENT at the end, or -errno; c->pending set when the
 * next call must deliver the same entry again (a transient error). */
typedef int (*svnss_step_fn)(struct svnss *s, struct svnss_cursor *c,
			     svnss_fill_fn fill, void *ent, char *buf,
			     size_t buflen);
/* getXXent_r, as an entry point returns it (svnss_return): the lock, the
 * database's cursor, one step. A walk that ends or fails for good is over
 * (restarting it would repeat entries). */
enum nss_status svnss_getent(enum svnss_enum_db db, svnss_step_fn step,
			     svnss_fill_fn fill, void *ent, char *buf,
			     size_t buflen, int *errnop);
/* The step over the accounts, skipping refused records (a svnss_step_fn). */
int svnss_next_account(struct svnss *s, struct svnss_cursor *c,
		       svnss_fill_fn fill, void *ent, char *buf, size_t buflen);

/* The enumeration entry points of database db (pw, gr, sp), which walks
 * with step and fill into entries of type T: _nss_svcacct_set<db>ent and
 * _nss_svcacct_end<db>ent forget the walk, _nss_svcacct_get<db>ent_r takes
 * one step. */
#define SVNSS_DEFINE_ENUM(db, which, T, step, fill)                            \
	enum nss_status _nss_svcacct_set##db##ent(int stayopen)                \
	{                                                                      \
		(void)stayopen;                                                \
		return svnss_setent(which);                                    \
	}                                                                      \
	enum nss_status _nss_svcacct_get##db##ent_r(                           \
	    T *ent, char *buf, size_t buflen, int *errnop)                     \
	{                                                                      \
		return svnss_getent(which, step, fill, ent, buf, buflen,       \
				    errnop);                                   \
	}                                                                      \
	enum nss_status _nss_svcacct_end##db##ent(void)                        \
	{                                                                      \
		return svnss_endent(which);                                    \
	}

/* Cached size of the base group's entry for the generation the lookup
 * reader holds (0: unknown), so that callers doubling their buffer do not
 * rescan the whole store at every step. */
size_t svnss_base_need_get(const struct svnss *s);
void svnss_base_need_set(const struct svnss *s, size_t need);

/* ------------------------------------------------------ lookups */

/* What a getXXnam_r/getXXid_r asks, and where its answer goes. */
struct svnss_query {
	const char *name; /* by name, unless by_id */
	uint32_t id;	  /* by UID or GID */
	bool by_id;
	bool base_name;	    /* SV_BASE_ROLE is a name too (group) */
	svnss_fill_fn fill; /* for svnss_find_account */
	void *ent;
	char *buf;
	size_t buflen;
};
/* pre: under the lock, before any store I/O: 0, or -ENOENT when no record
 * can answer. find: with the reader current, fetch (blob keeps the
 * storage, freed afterwards) and fill q->ent: 0 or -errno. */
typedef int (*svnss_pre_fn)(struct svnss *s, const struct svnss_query *q);
typedef int (*svnss_find_fn)(struct svnss *s, const struct svnss_query *q,
			     struct sv_blob *blob);
/* One lookup, as an entry point returns it (svnss_return): a name that no
 * account or role can have answers NOTFOUND without any I/O; otherwise the
 * lock, pre (NULL: none), the reader, find, and the status of find's
 * result (svnss_status) or of a store that cannot be used. */
enum nss_status svnss_lookup(const struct svnss_query *q, svnss_pre_fn pre,
			     svnss_find_fn find, int *errnop);
/* How a database answers its getXXnam_r and getXXid_r: the fill its
 * entries are made with (for svnss_find_account), whether SV_BASE_ROLE is
 * a name too (group), and svnss_lookup's pre and find for each key. */
struct svnss_steps {
	svnss_pre_fn pre;
	svnss_find_fn find;
};
struct svnss_lookups {
	svnss_fill_fn fill;
	bool base_name;
	struct svnss_steps by_name, by_id;
};
/* svnss_lookup of a name, or of an id when by_id, with l's steps for that
 * key, into ent and buf. */
enum nss_status svnss_get(const struct svnss_lookups *l, bool by_id,
			  const char *name, uint32_t id, void *ent, char *buf,
			  size_t buflen, int *errnop);
/* The exported lookups of database db (pw, gr, sp) with entries of type
 * T, through svnss_get with lookups: _nss_svcacct_get<db>nam_r by name,
 * _nss_svcacct_get<byid>_r (pwuid, grgid) by an id of type IdT. */
#define SVNSS_DEFINE_BYNAME(db, T, lookups)                                    \
	enum nss_status _nss_svcacct_get##db##nam_r(                           \
	    const char *name, T *ent, char *buf, size_t buflen, int *errnop)   \
	{                                                                      \
		return svnss_get(&(lookups), false, name, 0, ent, buf, buflen, \
				 errnop);                                      \
	}
#define SVNSS_DEFINE_BYID(byid, IdT, T, lookups)                               \
	enum nss_status _nss_svcacct_get##byid##_r(IdT id, T *ent, char *buf,  \
						   size_t buflen, int *errnop) \
	{                                                                      \
		return svnss_get(&(lookups), true, NULL, id, ent, buf, buflen, \
				 errnop);                                      \
	}
/* A svnss_pre_fn: q->id is in the account UID range. */
int svnss_pre_uid(struct svnss *s, const struct svnss_query *q);
/* A svnss_find_fn: the account q->name (or UID q->id), handed to q->fill. */
int svnss_find_account(struct svnss *s, const struct svnss_query *q,
		       struct sv_blob *blob);

/* ------------------------------------------------------ records */

/* Fetch and decode a role, by name or GID; it is refused (-ENOENT) unless
 * it passes svnss_role_ok. blob keeps the storage. */
int svnss_get_role(struct sv_reader *rd, const struct sv_config *c,
		   const char *name, size_t namelen, struct sv_blob *blob,
		   struct sv_role *role);
int svnss_get_role_by_gid(struct sv_reader *rd, const struct sv_config *c,
			  uint32_t gid, struct sv_blob *blob,
			  struct sv_role *role);

/* Defence in depth: whether a decoded record may be served at all. */
bool svnss_account_ok(const struct sv_config *c, const struct sv_account *a);
bool svnss_role_ok(const struct sv_config *c, const struct sv_role *r);
/* Whether a view is a valid account or role name. */
bool svnss_name_ok(struct sv_str s);
/* Whether a C string (from the caller) is a valid name; cheap, no I/O. */
bool svnss_cname_ok(const char *name);

/* ------------------------------------------------------ packing */

/* Strings are copied into the caller's buffer; the entry is only written
 * once everything fits, so a caller never sees a partial entry. */
struct svnss_pack {
	char *p;     /* next free byte */
	size_t left; /* bytes left */
};

/* Bytes a string takes (with its NUL); checked addition into *need. */
bool svnss_need_str(size_t *need, size_t n);
/* Copy a view as a C string; the caller checked the room. */
char *svnss_put(struct svnss_pack *pk, const char *s, size_t n);

/* The start of an account's passwd or shadow entry, its name then its
 * one-character password field: checks that these and `more` bytes for
 * the rest of the entry fit in buf, then begins packing at buf with them.
 * 0, or -ERANGE with nothing written. */
int svnss_pack_account(struct svnss_pack *pk, char *buf, size_t buflen,
		       size_t more, const struct sv_account *a,
		       const char *passwd, char **name_out, char **passwd_out);

/* Fields derived from the configuration. */
struct sv_str svnss_shell(const struct sv_config *c,
			  const struct sv_account *a);
/* Home: the record's, or home_base/name (written into tmp). */
struct sv_str svnss_home(const struct sv_config *c, const struct sv_account *a,
			 char *tmp, size_t tmplen);

#endif
