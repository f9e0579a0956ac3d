/* SPDX-License-Identifier: MIT */
/* store_helper: drives the store library (store.h + codec.h, nothing else)
 * for tests/store/test_store.sh, so that the store is tested without the
 * admin CLI.
 *
 *   store_helper CONF COMMAND [ARGS...]
 *
 * Exit status: 0 ok, 1 the operation failed (the message, with the errno
 * name in brackets, on stderr), 2 usage. Each command's output is one
 * line on stdout unless said otherwise. Accounts written here carry a name,
 * a UID and a description; nothing else matters to the store.
 *
 * Under tests/hardening's failmalloc shim (LD_PRELOAD), the allocations
 * made inside sv_txn_begin are the ones counted (failmalloc_arm, phase
 * "begin"), not the helper's own. */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "codec.h"
#include "config.h"
#include "store.h"
#include "txn.h"
#include "util.h"

static const char *cmd = "?";
static struct sv_config cfg;
/* failmalloc_arm of the preloaded shim, if any */
static void (*fm_arm)(const char *);

static const char *errname(int e)
{
	static char buf[32];
	switch (e < 0 ? -e : e) {
#define E(x)                                                                   \
	case x: return #x
		E(EPERM);
		E(ENOENT);
		E(EIO);
		E(EBADF);
		E(ENOMEM);
		E(EACCES);
		E(EEXIST);
		E(ENOTDIR);
		E(EISDIR);
		E(EINVAL);
		E(EFBIG);
		E(ENOSPC);
		E(EROFS);
		E(ENAMETOOLONG);
		E(ELOOP);
		E(EWOULDBLOCK);
		E(EBADMSG);
		E(EPROTO);
		E(EOVERFLOW);
		E(EDQUOT);
#undef E
	}
	snprintf(buf, sizeof(buf), "errno%d", e);
	return buf;
}

static void vdie(int r, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0), noreturn));
static void vdie(int r, const char *fmt, va_list ap)
{
	fprintf(stderr, "store_helper: %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	if (r)
		fprintf(stderr, " [%s]", errname(r));
	fputc('\n', stderr);
	exit(1);
}

static void die(int r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
static void die(int r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdie(r, fmt, ap);
}

/* On a negative r, the transaction t is aborted (nothing of it published)
 * and the helper dies as die() does. */
static void check_txn(struct sv_txn *t, int r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void check_txn(struct sv_txn *t, int r, const char *fmt, ...)
{
	va_list ap;
	if (r >= 0)
		return;
	sv_txn_abort(t);
	va_start(ap, fmt);
	vdie(r, fmt, ap);
}

static void usage(void) __attribute__((noreturn));
static void usage(void)
{
	fputs("usage: store_helper CONF COMMAND [ARGS...]\n"
	      "  put-account NAME UID [DESCLEN [REVOKE_ID]]  one commit\n"
	      "  del-account NAME        delete, retire its UID\n"
	      "  create NAME             next free UID (printed), one commit\n"
	      "  note-id UID | revoke ID | is-revoked ID | is-retired UID\n"
	      "  touch-all TAG           write to all three databases\n"
	      "  get NAME | get-uid UID | count | dump\n"
	      "  generation | generations | open MASK | verify MASK\n"
	      "  rollback [GEN]\n"
	      "  put-raw acc|cred|pub KEY VALUE  one commit (KEY, VALUE: text\n"
	      "                          with \\xHH escapes)\n"
	      "  hold-txn SECONDS READYFILE [GOFILE]\n"
	      "  hold-reader READYFILE GOFILE TIMEOUT [mmap]\n"
	      "  writer TAG COMMITS UIDBASE\n"
	      "  batch-writer TAG N SECONDS UIDBASE PAUSE_MS\n"
	      "  reader-loop SECONDS\n"
	      "MASK: comma-separated acc, cred, pub, all, mmap\n",
	      stderr);
	exit(2);
}

static unsigned long num(const char *s)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || !*s || *end)
		usage();
	return v;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void msleep(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static uint32_t fnv(const void *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ ((const uint8_t *)p)[i]) * 16777619u;
	return h;
}

/* ------------------------------------------------------------ writing */

static struct sv_txn *begin(void)
{
	struct sv_txn *t;
	char err[512] = "";
	if (fm_arm)
		fm_arm("begin");
	int r = sv_txn_begin(&cfg, &t, err, sizeof(err));
	if (fm_arm)
		fm_arm(NULL);
	if (r < 0)
		die(r, "begin: %s", err);
	return t;
}

static uint64_t commit(struct sv_txn *t)
{
	char err[512] = "";
	uint64_t gen = 0;
	int r = sv_txn_commit(t, &gen, err, sizeof(err));
	if (r < 0)
		die(r, "commit: %s", err);
	return gen;
}

static void txn_put_account(struct sv_txn *t, const char *name, uint32_t uid,
			    const char *desc)
{
	struct sv_buf b = {0};
	struct sv_account a = {
	    .uid = uid,
	    .created = (int64_t)time(NULL),
	    .updated = (int64_t)time(NULL),
	    .name = SV_STR(name),
	    .description = SV_STR(desc),
	    .home = SV_STR("/var/lib/svcacct/home"),
	    .shell = SV_STR("/usr/sbin/nologin"),
	};
	char key[SV_STR_MAX + 2];
	int r = sv_encode_account(&b, &a);
	if (r < 0)
		die(r, "encoding %s", name);
	size_t kl =
	    sv_key_str(key, sizeof(key), SV_KEY_ACCOUNT, name, strlen(name));
	r = sv_txn_store(t, SV_DB_ACCOUNTS, key, kl, b.p, b.len);
	if (r == 0) {
		kl = sv_key_u32(key, sizeof(key), SV_KEY_UID, uid);
		r = sv_txn_store(t, SV_DB_ACCOUNTS, key, kl, name,
				 strlen(name));
	}
	sv_buf_free(&b);
	check_txn(t, r, "storing %s", name);
}

static char *filler(size_t n, char c)
{
	char *s = malloc(n + 1);
	if (!s)
		die(-ENOMEM, "malloc");
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static int cmd_put_account(int argc, char **argv)
{
	if (argc < 2 || argc > 4)
		usage();
	size_t dl = argc >= 3 ? num(argv[2]) : 0;
	char *desc = dl ? filler(dl, 'd') : NULL;
	struct sv_txn *t = begin();
	txn_put_account(t, argv[0], (uint32_t)num(argv[1]),
			desc ? desc : "plain");
	if (argc == 4) {
		int r = sv_state_revoke(t, argv[3]);
		check_txn(t, r, "revoke %s", argv[3]);
	}
	printf("%" PRIu64 "\n", commit(t));
	free(desc);
	return 0;
}

/* "\\xHH" escapes decoded in place; the length. */
static size_t unescape(char *s)
{
	size_t o = 0;
	for (size_t i = 0; s[i]; i++) {
		unsigned v;
		if (s[i] == '\\' && s[i + 1] == 'x' &&
		    sscanf(s + i + 2, "%2x", &v) == 1) {
			s[o++] = (char)v;
			i += 3;
		} else {
			s[o++] = s[i];
		}
	}
	return o;
}

/* A record of any shape, as a damaged or hand-edited store would hold. */
static int cmd_put_raw(int argc, char **argv)
{
	enum sv_db db;
	if (argc != 3)
		usage();
	if (!strcmp(argv[0], "acc"))
		db = SV_DB_ACCOUNTS;
	else if (!strcmp(argv[0], "cred"))
		db = SV_DB_CREDENTIALS;
	else if (!strcmp(argv[0], "pub"))
		db = SV_DB_PUBKEYS;
	else
		usage();
	size_t kl = unescape(argv[1]), vl = unescape(argv[2]);
	struct sv_txn *t = begin();
	int r = sv_txn_store(t, db, argv[1], kl, argv[2], vl);
	check_txn(t, r, "store");
	printf("%" PRIu64 "\n", commit(t));
	return 0;
}

static int cmd_del_account(int argc, char **argv)
{
	struct sv_blob blob = {0};
	struct sv_account a;
	char key[SV_STR_MAX + 2];
	if (argc != 1)
		usage();
	struct sv_txn *t = begin();
	int r = sv_txn_get_account(t, argv[0], &blob, &a);
	check_txn(t, r, "%s", argv[0]);
	uint32_t uid = a.uid;
	sv_blob_free(&blob);
	size_t kl = sv_key_str(key, sizeof(key), SV_KEY_ACCOUNT, argv[0],
			       strlen(argv[0]));
	r = sv_txn_delete(t, SV_DB_ACCOUNTS, key, kl);
	if (r == 0) {
		kl = sv_key_u32(key, sizeof(key), SV_KEY_UID, uid);
		r = sv_txn_delete(t, SV_DB_ACCOUNTS, key, kl);
	}
	if (r == 0)
		r = sv_state_retire_id(t, false, uid);
	check_txn(t, r, "deleting %s", argv[0]);
	printf("%" PRIu64 "\n", commit(t));
	return 0;
}

static int cmd_create(int argc, char **argv)
{
	uint32_t uid = 0;
	if (argc != 1)
		usage();
	struct sv_txn *t = begin();
	int r = sv_state_next_id(t, false, &uid);
	check_txn(t, r, "next_id");
	txn_put_account(t, argv[0], uid, "created");
	commit(t);
	printf("%" PRIu32 "\n", uid);
	return 0;
}

static int cmd_note_id(int argc, char **argv)
{
	if (argc != 1)
		usage();
	struct sv_txn *t = begin();
	int r = sv_state_note_id(t, false, (uint32_t)num(argv[0]));
	check_txn(t, r, "note_id");
	printf("%" PRIu64 "\n", commit(t));
	return 0;
}

static int cmd_revoke(int argc, char **argv)
{
	if (argc != 1)
		usage();
	struct sv_txn *t = begin();
	int r = sv_state_revoke(t, argv[0]);
	check_txn(t, r, "revoke");
	printf("%" PRIu64 "\n", commit(t));
	return 0;
}

static int cmd_is_revoked(int argc, char **argv)
{
	bool yes = false;
	if (argc != 1)
		usage();
	int r = sv_state_is_revoked(&cfg, argv[0], &yes);
	if (r < 0)
		die(r, "is_revoked (answer %s)", yes ? "yes" : "no");
	puts(yes ? "revoked" : "not-revoked");
	return 0;
}

static int cmd_is_retired(int argc, char **argv)
{
	bool yes = false;
	if (argc != 1)
		usage();
	int r = sv_state_id_retired(&cfg, false, (uint32_t)num(argv[0]), &yes);
	if (r < 0)
		die(r, "id_retired");
	puts(yes ? "retired" : "not-retired");
	return 0;
}

/* One record in each database: a secret in credentials.db, an SSH key in
 * pubkeys.db (with the account's id lists), an account in accounts.db. */
static int cmd_touch_all(int argc, char **argv)
{
	char id[80], key[200];
	struct sv_buf b = {0};
	int r = 0;
	if (argc != 1)
		usage();
	struct sv_txn *t = begin();
	uint32_t uid = 70000 + fnv(argv[0], strlen(argv[0])) % 9000;
	txn_put_account(t, argv[0], uid, "touch-all");
	for (int db = SV_DB_CREDENTIALS; db <= SV_DB_PUBKEYS && r == 0; db++) {
		snprintf(id, sizeof(id), "%s-%d", argv[0], db);
		struct sv_cred c = {
		    .type =
			db == SV_DB_PUBKEYS ? SV_CRED_SSHKEY : SV_CRED_SECRET,
		    .created = (int64_t)time(NULL),
		    .uid = uid,
		    .id = SV_STR(id),
		    .account = SV_STR(argv[0]),
		    .material = SV_STR("material"),
		};
		struct sv_str idv = SV_STR(id);
		struct sv_list ids = {.count = 1, .items = &idv};
		r = sv_encode_cred(&b, &c);
		size_t kl =
		    sv_key_str(key, sizeof(key), SV_KEY_CRED, id, strlen(id));
		if (r == 0)
			r = sv_txn_store(t, (enum sv_db)db, key, kl, b.p,
					 b.len);
		if (r == 0)
			r = sv_encode_idlist(&b, &ids);
		kl = sv_key_str(key, sizeof(key), SV_KEY_CREDLIST, argv[0],
				strlen(argv[0]));
		if (r == 0)
			r = sv_txn_store(t, (enum sv_db)db, key, kl, b.p,
					 b.len);
	}
	sv_buf_free(&b);
	check_txn(t, r, "touch-all");
	printf("%" PRIu64 "\n", commit(t));
	return 0;
}

/* ------------------------------------------------------------ reading */

static unsigned parse_mask(const char *s)
{
	unsigned m = 0;
	char buf[128];
	char *save = NULL;
	snprintf(buf, sizeof(buf), "%s", s);
	for (char *tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "acc"))
			m |= SV_DBMASK(SV_DB_ACCOUNTS);
		else if (!strcmp(tok, "cred"))
			m |= SV_DBMASK(SV_DB_CREDENTIALS);
		else if (!strcmp(tok, "pub"))
			m |= SV_DBMASK(SV_DB_PUBKEYS);
		else if (!strcmp(tok, "all"))
			m |= SV_DBMASK_ALL;
		else if (!strcmp(tok, "mmap"))
			m |= SV_READER_MMAP;
		else
			usage();
	}
	return m;
}

static struct sv_reader *ropen(unsigned mask)
{
	struct sv_reader *r = NULL;
	int e = sv_reader_open(&cfg, mask, &r);
	if (e < 0)
		die(e, "sv_reader_open");
	return r;
}

struct line {
	char *s;
};

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(((const struct line *)a)->s, ((const struct line *)b)->s);
}

static void free_lines(struct line *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].s);
	free(v);
}

/* Every account in the reader's generation, as sorted "name uid desclen
 * deschash" lines, each also looked up by name and by UID. */
static int snapshot(struct sv_reader *rd, struct line **out, size_t *n_out,
		    char *err, size_t errlen)
{
	struct sv_blob key = {0};
	struct line *v = NULL;
	size_t n = 0, cap = 0;
	int r;

	*out = NULL;
	*n_out = 0;
	while ((r = sv_reader_next_key(rd, SV_DB_ACCOUNTS, SV_KEY_ACCOUNT,
				       &key)) == 0) {
		struct sv_blob blob = {0}, blob2 = {0};
		struct sv_account a, a2;
		char name[SV_STR_MAX + 1];
		memcpy(name, (char *)key.p + 1, key.n - 1);
		name[key.n - 1] = '\0';
		r = sv_get_account(rd, name, &blob, &a);
		if (r < 0) {
			snprintf(err, errlen, "get %.64s: %s", name,
				 errname(r));
			break;
		}
		r = sv_get_account_by_uid(rd, a.uid, &blob2, &a2);
		if (r == 0 && !sv_str_eq(a2.name, name))
			r = -EBADMSG;
		sv_blob_free(&blob2);
		if (r < 0) {
			snprintf(err, errlen, "get uid %u (%.64s): %s", a.uid,
				 name, errname(r));
			sv_blob_free(&blob);
			break;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			struct line *nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				die(-ENOMEM, "realloc");
			v = nv;
		}
		char desc[48];
		size_t dl = a.description.n < 40 ? a.description.n : 40;
		memcpy(desc, a.description.p, dl);
		desc[dl] = '\0';
		if (asprintf(&v[n].s, "%s %u %zu %08x %s", name, a.uid,
			     a.description.n,
			     fnv(a.description.p, a.description.n),
			     a.description.n > 40 ? "-" : desc) < 0)
			die(-ENOMEM, "asprintf");
		n++;
		sv_blob_free(&blob);
	}
	sv_blob_free(&key);
	if (r != -ENOENT) {
		if (r == 0)
			r = -EIO;
		if (!*err)
			snprintf(err, errlen, "iterating: %s", errname(r));
		free_lines(v, n);
		return r;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_lines);
	*out = v;
	*n_out = n;
	return 0;
}

static int cmd_get(int argc, char **argv)
{
	struct sv_blob blob = {0};
	struct sv_account a;
	int r;
	if (argc != 1)
		usage();
	struct sv_reader *rd = ropen(SV_DBMASK(SV_DB_ACCOUNTS));
	if (!strcmp(cmd, "get-uid"))
		r = sv_get_account_by_uid(rd, (uint32_t)num(argv[0]), &blob,
					  &a);
	else
		r = sv_get_account(rd, argv[0], &blob, &a);
	if (r < 0)
		die(r, "%s", argv[0]);
	printf("%.*s %u %zu\n", (int)a.name.n, a.name.p, a.uid,
	       a.description.n);
	sv_blob_free(&blob);
	sv_reader_close(rd);
	return 0;
}

static int cmd_dump(int argc, char **argv)
{
	struct line *v;
	size_t n;
	char err[256] = "";
	(void)argv;
	if (argc != 0)
		usage();
	struct sv_reader *rd = ropen(SV_DBMASK(SV_DB_ACCOUNTS));
	int r = snapshot(rd, &v, &n, err, sizeof(err));
	if (r < 0)
		die(r, "%s", err);
	if (!strcmp(cmd, "count")) {
		printf("%zu\n", n);
	} else {
		for (size_t i = 0; i < n; i++)
			puts(v[i].s);
	}
	free_lines(v, n);
	sv_reader_close(rd);
	return 0;
}

static int cmd_generation(int argc, char **argv)
{
	uint64_t g;
	(void)argv;
	if (argc != 0)
		usage();
	if (!strcmp(cmd, "generations")) {
		uint64_t *v;
		size_t n;
		int r = sv_store_generations(&cfg, &v, &n);
		if (r < 0)
			die(r, "sv_store_generations");
		for (size_t i = 0; i < n; i++)
			printf("%s%" PRIu64, i ? " " : "", v[i]);
		putchar('\n');
		free(v);
		return 0;
	}
	int r = sv_store_current_generation(&cfg, &g);
	if (r < 0)
		die(r, "sv_store_current_generation");
	printf("%" PRIu64 "\n", g);
	return 0;
}

/* open: just open (and report the generation); verify: also read every
 * record of every opened database and decode what has a known kind. */
static int cmd_open(int argc, char **argv)
{
	if (argc != 1)
		usage();
	unsigned mask = parse_mask(argv[0]);
	struct sv_reader *rd = ropen(mask);
	if (!strcmp(cmd, "verify")) {
		size_t n = 0;
		for (int db = 0; db < SV_DB_COUNT; db++) {
			if (!(mask & SV_DBMASK(db)))
				continue;
			static const char prefixes[] = {
			    SV_KEY_ACCOUNT, SV_KEY_UID,	 SV_KEY_ROLE,
			    SV_KEY_GID,	    SV_KEY_CRED, SV_KEY_CREDLIST};
			for (size_t p = 0; p < sizeof(prefixes); p++) {
				struct sv_blob key = {0};
				int r;
				while ((r = sv_reader_next_key(
					    rd, (enum sv_db)db, prefixes[p],
					    &key)) == 0) {
					struct sv_blob val = {0};
					r = sv_reader_fetch(rd, (enum sv_db)db,
							    key.p, key.n, &val);
					if (r < 0)
						die(r, "fetch");
					union {
						struct sv_account a;
						struct sv_cred c;
						struct sv_list l;
					} u;
					if (prefixes[p] == SV_KEY_ACCOUNT)
						r = sv_decode_account(
						    val.p, val.n, &u.a);
					else if (prefixes[p] == SV_KEY_CRED)
						r = sv_decode_cred(val.p, val.n,
								   &u.c);
					else if (prefixes[p] == SV_KEY_CREDLIST)
						r = sv_decode_idlist(
						    val.p, val.n, &u.l);
					sv_blob_free(&val);
					if (r < 0)
						die(r, "decode");
					n++;
				}
				if (r != -ENOENT)
					die(r, "iterate");
			}
		}
		printf("%" PRIu64 " %zu\n", sv_reader_generation(rd), n);
	} else {
		printf("%" PRIu64 "\n", sv_reader_generation(rd));
	}
	sv_reader_close(rd);
	return 0;
}

static int cmd_rollback(int argc, char **argv)
{
	char err[512] = "";
	uint64_t g = 0;
	if (argc > 1)
		usage();
	int r = sv_store_rollback(&cfg, argc ? num(argv[0]) : 0, &g, err,
				  sizeof(err));
	if (r < 0)
		die(r, "%s", err);
	printf("%" PRIu64 "\n", g);
	return 0;
}

/* ------------------------------------------------------------ concurrency */

static void write_file(const char *path, const char *text)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) != 0)
		die(-errno, "writing %s", path);
}

/* Take the writer lock and sit on it. */
/* Hold the writer's lock for SECONDS, or until GOFILE appears: a test
 * that must see something happen while the lock is held keeps it as long
 * as it needs, whatever the machine's load. */
static int cmd_hold_txn(int argc, char **argv)
{
	char pid[32];
	struct stat st;
	if (argc != 2 && argc != 3)
		usage();
	unsigned long ms = num(argv[0]) * 1000;
	struct sv_txn *t = begin();
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	write_file(argv[1], pid);
	for (unsigned long waited = 0; waited < ms; waited += 50) {
		if (argc == 3 && stat(argv[2], &st) == 0)
			break;
		msleep(50);
	}
	sv_txn_abort(t);
	return 0;
}

/* Open one generation and keep reading it, comparing with what it held at
 * first, until GOFILE appears (writers commit and prune meanwhile). */
static int cmd_hold_reader(int argc, char **argv)
{
	struct line *first, *v;
	size_t nfirst, n;
	unsigned passes = 0, bad = 0;
	char err[256] = "", buf[64];
	if (argc < 3 || argc > 4)
		usage();
	unsigned mask = SV_DBMASK(SV_DB_ACCOUNTS);
	if (argc == 4 && !strcmp(argv[3], "mmap"))
		mask |= SV_READER_MMAP;
	struct sv_reader *rd = ropen(mask);
	int r = snapshot(rd, &first, &nfirst, err, sizeof(err));
	if (r < 0)
		die(r, "%s", err);
	snprintf(buf, sizeof(buf), "%" PRIu64 " %zu\n",
		 sv_reader_generation(rd), nfirst);
	write_file(argv[0], buf);
	double until = now() + (double)num(argv[2]);
	for (bool last = false;;) {
		last = access(argv[1], F_OK) == 0 || now() > until;
		if (!sv_reader_fds_intact(rd)) {
			fprintf(stderr, "fds not intact\n");
			bad++;
		}
		err[0] = '\0';
		r = snapshot(rd, &v, &n, err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "pass %u: %s\n", passes, err);
			bad++;
		} else {
			bool same = n == nfirst;
			for (size_t i = 0; same && i < n; i++)
				same = !strcmp(v[i].s, first[i].s);
			if (!same) {
				fprintf(stderr,
					"pass %u: content changed "
					"(%zu records, was %zu)\n",
					passes, n, nfirst);
				bad++;
			}
			free_lines(v, n);
		}
		passes++;
		if (last || bad > 10)
			break;
		msleep(5);
	}
	printf("gen=%" PRIu64 " records=%zu passes=%u bad=%u timeout=%d\n",
	       sv_reader_generation(rd), nfirst, passes, bad,
	       access(argv[1], F_OK) != 0);
	free_lines(first, nfirst);
	sv_reader_close(rd);
	return bad ? 1 : 0;
}

/* COMMITS commits, each adding TAG-i with UID UIDBASE+i. */
static int cmd_writer(int argc, char **argv)
{
	char name[64];
	if (argc != 3)
		usage();
	unsigned long commits = num(argv[1]), base = num(argv[2]);
	for (unsigned long i = 0; i < commits; i++) {
		snprintf(name, sizeof(name), "%s-%lu", argv[0], i);
		struct sv_txn *t = begin();
		txn_put_account(t, name, (uint32_t)(base + i), argv[0]);
		commit(t);
	}
	return 0;
}

/* Rewrite the same N records TAG-0..TAG-(N-1) in each commit, all with
 * description "batch:TAG:B:N" for the commit's number B, for SECONDS,
 * pausing PAUSE_MS between commits. (Without a pause, writers that commit
 * back to back starve the others: the lock is polled, not queued.) */
static int cmd_batch_writer(int argc, char **argv)
{
	char name[64], desc[128];
	unsigned long b = 0;
	if (argc != 5)
		usage();
	unsigned long n = num(argv[1]), base = num(argv[3]);
	unsigned pause = (unsigned)num(argv[4]);
	double until = now() + (double)num(argv[2]);
	for (b = 1; now() < until; b++) {
		struct sv_txn *t = begin();
		snprintf(desc, sizeof(desc), "batch:%s:%lu:%lu", argv[0], b, n);
		for (unsigned long k = 0; k < n; k++) {
			snprintf(name, sizeof(name), "%s-%lu", argv[0], k);
			txn_put_account(t, name, (uint32_t)(base + k), desc);
		}
		commit(t);
		msleep(pause);
	}
	printf("%lu\n", b - 1);
	return 0;
}

#define MAX_TAGS 16
struct tagstate {
	char tag[32];
	unsigned long batch, want, seen, last_batch;
	bool mixed;
};
struct tags {
	struct tagstate v[MAX_TAGS];
	size_t n;
};

static struct tagstate *tag_find(struct tags *t, const char *tag)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].tag, tag))
			return &t->v[i];
	if (t->n == MAX_TAGS)
		die(-ENOMEM, "too many tags");
	snprintf(t->v[t->n].tag, sizeof(t->v[0].tag), "%s", tag);
	return &t->v[t->n++];
}

/* Tally the batch records of one open generation. Returns the number of
 * errors (each reported). */
static unsigned long read_batches(struct sv_reader *rd, struct tags *t)
{
	struct sv_blob key = {0};
	unsigned long errors = 0;
	uint64_t gen = sv_reader_generation(rd);
	int r;

	for (size_t i = 0; i < t->n; i++) {
		t->v[i].seen = 0;
		t->v[i].mixed = false;
		t->v[i].batch = 0;
	}
	while ((r = sv_reader_next_key(rd, SV_DB_ACCOUNTS, SV_KEY_ACCOUNT,
				       &key)) == 0) {
		struct sv_blob blob = {0};
		struct sv_account a;
		char d[128], tag[32];
		unsigned long bn, want;

		r = sv_reader_fetch(rd, SV_DB_ACCOUNTS, key.p, key.n, &blob);
		if (r == 0)
			r = sv_decode_account(blob.p, blob.n, &a);
		if (r < 0) {
			fprintf(stderr, "gen %" PRIu64 ": %s\n", gen,
				errname(r));
			errors++;
			sv_blob_free(&blob);
			continue;
		}
		size_t dl = a.description.n < sizeof(d) - 1 ? a.description.n
							    : sizeof(d) - 1;
		memcpy(d, a.description.p, dl);
		d[dl] = '\0';
		sv_blob_free(&blob);
		if (sscanf(d, "batch:%31[^:]:%lu:%lu", tag, &bn, &want) != 3)
			continue;
		struct tagstate *ts = tag_find(t, tag);
		if (ts->seen && ts->batch != bn)
			ts->mixed = true;
		ts->batch = bn;
		ts->want = want;
		ts->seen++;
	}
	sv_blob_free(&key);
	if (r != -ENOENT) {
		fprintf(stderr, "gen %" PRIu64 ": iterating: %s\n", gen,
			errname(r));
		errors++;
	}
	return errors;
}

/* Every batch seen whole, from one commit, not older than last time, and
 * none vanished. Returns the number of violations (each reported). */
static unsigned long check_batches(struct tags *t, uint64_t gen)
{
	unsigned long bad = 0;
	for (size_t i = 0; i < t->n; i++) {
		struct tagstate *s = &t->v[i];
		if (!s->seen) {
			if (s->last_batch) {
				fprintf(stderr,
					"gen %" PRIu64 ": %s vanished\n", gen,
					s->tag);
				bad++;
			}
			continue;
		}
		if (s->mixed || s->seen != s->want) {
			fprintf(stderr,
				"gen %" PRIu64 ": torn batch %s: %lu of %lu "
				"records%s\n",
				gen, s->tag, s->seen, s->want,
				s->mixed ? ", from several commits" : "");
			bad++;
		}
		if (s->batch < s->last_batch) {
			fprintf(stderr,
				"gen %" PRIu64 ": %s went back from %lu "
				"to %lu\n",
				gen, s->tag, s->last_batch, s->batch);
			bad++;
		}
		s->last_batch = s->batch;
	}
	return bad;
}

/* Open, check every batch is whole and not older than before, close;
 * again and again for SECONDS. Any error at all fails. */
static int cmd_reader_loop(int argc, char **argv)
{
	struct tags tags;
	unsigned long loops = 0, bad = 0, errors = 0;
	uint64_t lastgen = 0;
	if (argc != 1)
		usage();
	memset(&tags, 0, sizeof(tags));
	double until = now() + (double)num(argv[0]);
	while (now() < until && bad + errors < 20) {
		struct sv_reader *rd = NULL;
		int r = sv_reader_open(&cfg, SV_DBMASK(SV_DB_ACCOUNTS), &rd);
		loops++;
		if (r < 0) {
			fprintf(stderr, "loop %lu: sv_reader_open: %s\n", loops,
				errname(r));
			errors++;
			continue;
		}
		uint64_t gen = sv_reader_generation(rd);
		if (gen < lastgen) {
			fprintf(stderr,
				"generation went back: %" PRIu64
				" after %" PRIu64 "\n",
				gen, lastgen);
			bad++;
		}
		lastgen = gen;
		errors += read_batches(rd, &tags);
		bad += check_batches(&tags, gen);
		sv_reader_close(rd);
	}
	printf("loops=%lu bad=%lu errors=%lu tags=%zu lastgen=%" PRIu64 "\n",
	       loops, bad, errors, tags.n, lastgen);
	return bad || errors ? 1 : 0;
}

/* ------------------------------------------------------------ main */

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
    {"put-account", cmd_put_account},
    {"del-account", cmd_del_account},
    {"put-raw", cmd_put_raw},
    {"create", cmd_create},
    {"note-id", cmd_note_id},
    {"revoke", cmd_revoke},
    {"is-revoked", cmd_is_revoked},
    {"is-retired", cmd_is_retired},
    {"touch-all", cmd_touch_all},
    {"get", cmd_get},
    {"get-uid", cmd_get},
    {"count", cmd_dump},
    {"dump", cmd_dump},
    {"generation", cmd_generation},
    {"generations", cmd_generation},
    {"open", cmd_open},
    {"verify", cmd_open},
    {"rollback", cmd_rollback},
    {"hold-txn", cmd_hold_txn},
    {"hold-reader", cmd_hold_reader},
    {"writer", cmd_writer},
    {"batch-writer", cmd_batch_writer},
    {"reader-loop", cmd_reader_loop},
};

int main(int argc, char **argv)
{
	char err[SV_CONF_ERRLEN] = "";
	if (argc < 3)
		usage();
	cmd = argv[2];
	/* a test that kills a writer must not kill us through a pipe */
	signal(SIGPIPE, SIG_IGN);
	fm_arm = (void (*)(const char *))dlsym(RTLD_DEFAULT, "failmalloc_arm");
	int r = sv_config_load(&cfg, argv[1], true, err, sizeof(err));
	if (r < 0)
		die(r, "%s", err);
	for (size_t i = 0; i < SV_ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, cmd)) {
			r = commands[i].fn(argc - 3, argv + 3);
			if (fflush(stdout) != 0)
				die(-errno, "stdout");
			return r;
		}
	usage();
}
