/* SPDX-License-Identifier: MIT */
/* libFuzzer target: `svcacct import` JSON (tools/port.c and the model
 * and validation code it drives: op_role_create, op_account_create, JWK
 * import, OpenSSH key lines), against a real store.
 *
 * Each input runs the command's own steps: json_loadb with duplicate keys
 * refused, cli_import_check, a real transaction on a store in a private
 * tmpfs directory (created once per process, removed at exit), then
 * cli_import_apply; the transaction is then always aborted, so that every
 * input starts from the same empty store and nothing accumulates.
 *
 * Oracle: a refused document says why; nothing is ever published (no
 * generation appears); no descriptor on the store stays open. Root
 * is needed (the store refuses other writers), as for the command. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "cli.h"
#include "port.h"
#include "store.h"
#include "txn.h"
#include "fuzz.h"

static struct cli cli = {.prog = "svcacct"};
static char top[200];

/* Descriptors open on the scratch store (files, generations, the lock,
 * the state dir). Others are not counted: the sanitizers' symbolizer
 * keeps pipes to a child it starts when libFuzzer reports a new function,
 * and libraries may open a device once and keep it. */
static int store_fds(bool print)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;
	CHECK(d);
	while ((e = readdir(d))) {
		char p[300], t[300];
		ssize_t len;
		snprintf(p, sizeof(p), "/proc/self/fd/%s", e->d_name);
		len = readlink(p, t, sizeof(t) - 1);
		if (len <= 0)
			continue;
		t[len] = '\0';
		if (strncmp(t, top, strlen(top)) == 0) {
			n++;
			if (print)
				fprintf(stderr, "fuzz_import: fd %s -> %s\n",
					e->d_name, t);
		}
	}
	closedir(d);
	return n;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static void cleanup(void)
{
	cli_snapshot_free(&cli);
	if (top[0])
		nftw(top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (geteuid() != 0) {
		fprintf(stderr, "fuzz_import: needs root (the store's "
				"writer does)\n");
		exit(1);
	}
	umask(022);
	/* SVCACCT_FUZZ_TMP (run.sh: the target's own scratch dir, removed
	 * with it even after a crash), else tmpfs when there is one: a
	 * transaction creates and removes files for every input */
	const char *base = getenv("SVCACCT_FUZZ_TMP");
	if (!base || !*base)
		base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	CHECK(snprintf(top, sizeof(top), "%s/svfuzz-import.XXXXXX", base) <
	      (int)sizeof(top));
	CHECK(mkdtemp(top));
	atexit(cleanup);
	sv_config_defaults(&cli.cfg);
	snprintf(cli.cfg.db_dir, sizeof(cli.cfg.db_dir), "%s/db", top);
	snprintf(cli.cfg.state_dir, sizeof(cli.cfg.state_dir), "%s/state", top);
	snprintf(cli.cfg.home_base, sizeof(cli.cfg.home_base), "%s/home", top);
	cli.cfg.lock_timeout = 1;
	/* clash checks against the host's users and groups, once, as the
	 * command does per run */
	CHECK(cli_snapshot_take(&cli) == 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *doc =
	    json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		return 0;
	cli.err[0] = '\0';
	if (cli_import_check(&cli, doc) < 0) {
		CHECK(cli.err[0] != '\0');
		if (getenv("SVCACCT_FUZZ_VERBOSE"))
			fprintf(stderr, "outcome: refused %s\n", cli.err);
		json_decref(doc);
		return 0;
	}
	struct sv_txn *t = NULL;
	char err[512] = "";
	CHECK(sv_txn_begin(&cli.cfg, &t, err, sizeof(err)) == 0);
	cli.err[0] = '\0';
	int e = cli_import_apply(&cli, t, doc);
	CHECK(e <= 0);
	if (getenv("SVCACCT_FUZZ_VERBOSE"))
		fprintf(stderr, "outcome: %s %s\n",
			e == 0 ? "imported" : "refused", cli.err);
	sv_txn_abort(t);
	json_decref(doc);
	ERR_clear_error();

	/* nothing was published */
	uint64_t *gens = NULL;
	size_t n = 0;
	sv_store_generations(&cli.cfg, &gens, &n);
	free(gens);
	CHECK(n == 0);
	/* no descriptor left on the store once the transaction is over:
	 * checked after every input, so that the artefact is the input that
	 * leaked */
	if (store_fds(false) != 0) {
		store_fds(true);
		CHECK(0);
	}
	return 0;
}
