/* SPDX-License-Identifier: MIT */
/* mkstore: write accounts and roles into a store in ONE transaction,
 * straight through the store API (the CLI does one change per run; a
 * million accounts need a bulk path). For the NSS tests and benchmark.
 *
 *   mkstore CONF [-n N] [-r R] [--flat DIR] [-f SPEC|-]...
 *
 * -n N        accounts sa0000000.. with UID uid_min+i, description
 *             "bench account i", each granted role (i % R)
 * -r R        roles role0000.. with GID gid_min+j
 * --flat DIR  also write DIR/passwd, DIR/group, DIR/shadow with the same
 *             users and groups (for nss_files / nss_db comparisons)
 * -f SPEC     records from a file, one a line ('#' comments):
 *     account NAME uid=N [desc=T] [owner=T] [home=P] [shell=P]
 *             [expires=T] [updated=T] [created=T] [disabled=1]
 *             [roles=GID,GID] [uidkey=N|none]
 *     role NAME gid=N [desc=T] [members=a,b] [gidkey=N|none]
 *     delete NAME          (account 'a' key and its 'u' key)
 *     delete-role NAME
 *     raw PREFIX KEY HEX   (any bytes under PREFIX+KEY; KEY "#N" = BE32)
 *   Values are %XX-decoded (%20 space, %3A ':', %0A newline).
 * Prints the new generation number. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "config.h"
#include "names.h"
#include "store.h"
#include "txn.h"
#include "util.h"

#define BENCH_TIME 1700000000

static struct sv_txn *txn;
static struct sv_buf buf;

static void die(const char *what, int r)
{
	fprintf(stderr, "mkstore: %s: %s\n", what, strerror(r < 0 ? -r : r));
	exit(1);
}

static void put(char prefix, const void *k, size_t kn, const void *v, size_t vn)
{
	char key[512];
	size_t kl = sv_key_str(key, sizeof(key), prefix, k, kn);
	if (!kl)
		die("key too long", EINVAL);
	int r = sv_txn_store(txn, SV_DB_ACCOUNTS, key, kl, v, vn);
	if (r < 0)
		die("store", r);
}

static void put_u32key(char prefix, uint32_t id, const char *v, size_t vn)
{
	char key[8];
	size_t kl = sv_key_u32(key, sizeof(key), prefix, id);
	int r = sv_txn_store(txn, SV_DB_ACCOUNTS, key, kl, v, vn);
	if (r < 0)
		die("store", r);
}

static void del(const char *key, size_t kl)
{
	int r = sv_txn_delete(txn, SV_DB_ACCOUNTS, key, kl);
	if (r < 0 && r != -ENOENT)
		die("delete", r);
}

static void store_account(const struct sv_account *a, int64_t uidkey)
{
	int r = sv_encode_account(&buf, a);
	if (r < 0)
		die("encode account", r);
	put(SV_KEY_ACCOUNT, a->name.p, a->name.n, buf.p, buf.len);
	if (uidkey >= 0)
		put_u32key(SV_KEY_UID, (uint32_t)uidkey, a->name.p, a->name.n);
}

static void store_role(const struct sv_role *ro, int64_t gidkey)
{
	int r = sv_encode_role(&buf, ro);
	if (r < 0)
		die("encode role", r);
	put(SV_KEY_ROLE, ro->name.p, ro->name.n, buf.p, buf.len);
	if (gidkey >= 0)
		put_u32key(SV_KEY_GID, (uint32_t)gidkey, ro->name.p,
			   ro->name.n);
}

/* ------------------------------------------------------ generated */

static void generate(const struct sv_config *c, unsigned long n,
		     unsigned long nroles, const char *flat)
{
	FILE *pw = NULL, *gr = NULL, *sp = NULL;
	char name[32], desc[64], home[320];
	uint32_t roles[1];
	struct sv_str *members = NULL;
	char(*names)[24] = NULL;
	int r;

	if (flat) {
		char p[4096];
		snprintf(p, sizeof(p), "%s/passwd", flat);
		pw = fopen(p, "w");
		snprintf(p, sizeof(p), "%s/group", flat);
		gr = fopen(p, "w");
		snprintf(p, sizeof(p), "%s/shadow", flat);
		sp = fopen(p, "w");
		if (!pw || !gr || !sp)
			die(flat, errno);
	}
	if ((uint64_t)c->uid_min + n - 1 > c->uid_max)
		die("UID range too small for -n", ERANGE);
	if (nroles && (uint64_t)c->gid_min + nroles - 1 > c->gid_max)
		die("GID range too small for -r", ERANGE);
	for (unsigned long i = 0; i < n; i++) {
		struct sv_account a = {0};
		snprintf(name, sizeof(name), "sa%07lu", i);
		snprintf(desc, sizeof(desc), "bench account %lu", i);
		snprintf(home, sizeof(home), "%s/%s", c->home_base, name);
		a.uid = c->uid_min + (uint32_t)i;
		a.created = a.updated = BENCH_TIME;
		a.name = SV_STR(name);
		a.description = SV_STR(desc);
		a.owner = SV_STR("bench");
		a.home = SV_STR(home);
		a.shell = SV_STR("/usr/sbin/nologin");
		if (nroles) {
			roles[0] = c->gid_min + (uint32_t)(i % nroles);
			a.roles.items = roles;
			a.roles.count = 1;
		}
		store_account(&a, a.uid);
		if (pw) {
			fprintf(pw, "%s:x:%u:%u:%s:%s:%s\n", name, a.uid, a.uid,
				desc, home, "/usr/sbin/nologin");
			fprintf(gr, "%s:x:%u:\n", name, a.uid);
			fprintf(sp, "%s:*:%d::::::\n", name,
				BENCH_TIME / 86400);
		}
	}
	if (nroles) {
		/* members of role j: accounts i with i % nroles == j */
		unsigned long per = n / nroles + 1;
		members = calloc(per, sizeof(*members));
		names = calloc(per, sizeof(*names));
		if (!members || !names)
			die("calloc", ENOMEM);
	}
	for (unsigned long j = 0; j < nroles; j++) {
		struct sv_role ro = {0};
		uint32_t cnt = 0;
		char rname[32];
		snprintf(rname, sizeof(rname), "role%04lu", j);
		for (unsigned long i = j; i < n; i += nroles) {
			snprintf(names[cnt], sizeof(names[cnt]), "sa%07lu", i);
			members[cnt] = SV_STR(names[cnt]);
			cnt++;
		}
		ro.gid = c->gid_min + (uint32_t)j;
		ro.created = ro.updated = BENCH_TIME;
		ro.name = SV_STR(rname);
		ro.description = SV_STR("bench role");
		ro.members.items = members;
		ro.members.count = cnt;
		store_role(&ro, ro.gid);
		if (gr) {
			fprintf(gr, "%s:x:%u:", rname, ro.gid);
			for (uint32_t k = 0; k < cnt; k++)
				fprintf(gr, "%s%s", k ? "," : "", names[k]);
			fputc('\n', gr);
		}
	}
	if (gr) {
		fprintf(gr, "%s:x:%u:", SV_BASE_ROLE, c->base_gid);
		for (unsigned long i = 0; i < n; i++)
			fprintf(gr, "%ssa%07lu", i ? "," : "", i);
		fputc('\n', gr);
	}
	if (n) {
		r = sv_state_note_id(txn, false, c->uid_min + (uint32_t)n - 1);
		if (r < 0)
			die("note uid", r);
	}
	if (nroles) {
		r = sv_state_note_id(txn, true,
				     c->gid_min + (uint32_t)nroles - 1);
		if (r < 0)
			die("note gid", r);
	}
	free(members);
	free(names);
	if (pw && (fclose(pw) || fclose(gr) || fclose(sp)))
		die("writing flat files", errno);
}

/* ------------------------------------------------------ spec files */

static char *unescape(char *s)
{
	char *o = s;
	for (char *p = s; *p; p++) {
		if (p[0] == '%' && p[1] && p[2]) {
			char hex[3] = {p[1], p[2], 0};
			*o++ = (char)strtoul(hex, NULL, 16);
			p += 2;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return s;
}

static int64_t num(const char *v)
{
	if (!strcmp(v, "none"))
		return -1;
	return strtoll(v, NULL, 0);
}

/* Split "a,b,c" in place; returns the count. */
static uint32_t split(char *v, struct sv_str *out, uint32_t cap)
{
	uint32_t n = 0;
	char *save = NULL;
	for (char *t = strtok_r(v, ",", &save); t && n < cap;
	     t = strtok_r(NULL, ",", &save))
		out[n++] = SV_STR(unescape(t));
	return n;
}

static size_t hexbytes(const char *h, uint8_t *out, size_t cap)
{
	size_t n = 0;
	while (h[0] && h[1] && n < cap) {
		char x[3] = {h[0], h[1], 0};
		out[n++] = (uint8_t)strtoul(x, NULL, 16);
		h += 2;
	}
	return n;
}

static void spec_line(char *line, unsigned lineno)
{
	char *save = NULL, *words[64];
	int nw = 0;
	for (char *t = strtok_r(line, " \t\n", &save); t && nw < 64;
	     t = strtok_r(NULL, " \t\n", &save))
		words[nw++] = t;
	if (nw == 0 || words[0][0] == '#')
		return;
	if (nw < 2) {
		fprintf(stderr, "mkstore: line %u: too short\n", lineno);
		exit(2);
	}
	const char *kind = words[0];
	char *name = unescape(words[1]);

	if (!strcmp(kind, "account")) {
		static uint32_t roles[256];
		struct sv_account a = {0};
		int64_t uidkey = -2;
		a.name = SV_STR(name);
		a.created = a.updated = BENCH_TIME;
		for (int i = 2; i < nw; i++) {
			char *eq = strchr(words[i], '=');
			if (!eq)
				continue;
			*eq = '\0';
			char *k = words[i], *v = eq + 1;
			if (!strcmp(k, "uid"))
				a.uid = (uint32_t)num(v);
			else if (!strcmp(k, "desc"))
				a.description = SV_STR(unescape(v));
			else if (!strcmp(k, "owner"))
				a.owner = SV_STR(unescape(v));
			else if (!strcmp(k, "home"))
				a.home = SV_STR(unescape(v));
			else if (!strcmp(k, "shell"))
				a.shell = SV_STR(unescape(v));
			else if (!strcmp(k, "expires"))
				a.expires = num(v);
			else if (!strcmp(k, "updated"))
				a.updated = num(v);
			else if (!strcmp(k, "created"))
				a.created = num(v);
			else if (!strcmp(k, "disabled"))
				a.flags |= num(v) ? SV_ACCT_DISABLED : 0;
			else if (!strcmp(k, "uidkey"))
				uidkey = num(v);
			else if (!strcmp(k, "roles")) {
				char *s2 = NULL;
				uint32_t n = 0;
				for (char *t = strtok_r(v, ",", &s2);
				     t && n < 256; t = strtok_r(NULL, ",", &s2))
					roles[n++] = (uint32_t)num(t);
				a.roles.items = roles;
				a.roles.count = n;
			} else {
				fprintf(stderr, "mkstore: line %u: key %s?\n",
					lineno, k);
				exit(2);
			}
		}
		store_account(&a, uidkey == -2 ? (int64_t)a.uid : uidkey);
	} else if (!strcmp(kind, "role")) {
		static struct sv_str members[4096];
		struct sv_role ro = {0};
		int64_t gidkey = -2;
		ro.name = SV_STR(name);
		ro.created = ro.updated = BENCH_TIME;
		for (int i = 2; i < nw; i++) {
			char *eq = strchr(words[i], '=');
			if (!eq)
				continue;
			*eq = '\0';
			char *k = words[i], *v = eq + 1;
			if (!strcmp(k, "gid"))
				ro.gid = (uint32_t)num(v);
			else if (!strcmp(k, "desc"))
				ro.description = SV_STR(unescape(v));
			else if (!strcmp(k, "members")) {
				ro.members.items = members;
				ro.members.count = split(v, members, 4096);
			} else if (!strcmp(k, "gidkey"))
				gidkey = num(v);
			else {
				fprintf(stderr, "mkstore: line %u: key %s?\n",
					lineno, k);
				exit(2);
			}
		}
		store_role(&ro, gidkey == -2 ? (int64_t)ro.gid : gidkey);
	} else if (!strcmp(kind, "delete") || !strcmp(kind, "delete-role")) {
		bool role = !strcmp(kind, "delete-role");
		struct sv_blob blob = {0};
		char key[64];
		size_t kl;
		uint32_t id = 0;
		if (role) {
			struct sv_role ro;
			if (sv_txn_get_role(txn, name, &blob, &ro) == 0)
				id = ro.gid;
		} else {
			struct sv_account a;
			if (sv_txn_get_account(txn, name, &blob, &a) == 0)
				id = a.uid;
		}
		sv_blob_free(&blob);
		kl = sv_key_str(key, sizeof(key),
				role ? SV_KEY_ROLE : SV_KEY_ACCOUNT, name,
				strlen(name));
		del(key, kl);
		if (id) {
			kl = sv_key_u32(key, sizeof(key),
					role ? SV_KEY_GID : SV_KEY_UID, id);
			del(key, kl);
		}
	} else if (!strcmp(kind, "raw") && nw == 4) {
		static uint8_t val[65536];
		char prefix = name[0];
		char *k = unescape(words[2]);
		size_t vn = hexbytes(words[3], val, sizeof(val));
		if (k[0] == '#')
			put_u32key(prefix, (uint32_t)strtoul(k + 1, NULL, 0),
				   (const char *)val, vn);
		else
			put(prefix, k, strlen(k), val, vn);
	} else {
		fprintf(stderr, "mkstore: line %u: unknown '%s'\n", lineno,
			kind);
		exit(2);
	}
}

static void spec_file(const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char line[65536 * 3];
	unsigned lineno = 0;
	if (!f)
		die(path, errno);
	while (fgets(line, sizeof(line), f))
		spec_line(line, ++lineno);
	if (f != stdin)
		fclose(f);
}

int main(int argc, char **argv)
{
	struct sv_config c;
	char err[SV_CONF_ERRLEN];
	unsigned long n = 0, nroles = 0;
	const char *flat = NULL;
	uint64_t gen = 0;
	int r;

	if (argc < 2) {
		fprintf(stderr,
			"usage: mkstore CONF [-n N] [-r R] [--flat DIR] "
			"[-f SPEC]...\n");
		return 2;
	}
	r = sv_config_load(&c, argv[1], true, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "mkstore: %s\n", err);
		return 1;
	}
	r = sv_txn_begin(&c, &txn, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "mkstore: %s\n", err);
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			n = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "-r") && i + 1 < argc)
			nroles = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--flat") && i + 1 < argc)
			flat = argv[++i];
		else if (!strcmp(argv[i], "-f") && i + 1 < argc)
			i++; /* after the generated records */
		else {
			fprintf(stderr, "mkstore: unknown argument %s\n",
				argv[i]);
			sv_txn_abort(txn);
			return 2;
		}
	}
	if (n || nroles)
		generate(&c, n, nroles, flat);
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], "-f") && i + 1 < argc)
			spec_file(argv[++i]);
	r = sv_txn_commit(txn, &gen, err, sizeof(err));
	sv_buf_free(&buf);
	if (r < 0) {
		fprintf(stderr, "mkstore: %s\n", err);
		return 1;
	}
	printf("%" PRIu64 "\n", gen);
	return 0;
}
