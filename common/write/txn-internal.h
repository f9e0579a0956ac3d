/* SPDX-License-Identifier: MIT */
/* The transaction's innards, shared by txn.c (the generation being built,
 * commit, rollback) and state.c (the state dir's files rewritten in the
 * same transaction). txn.c calls into state.c, never the reverse: state.c
 * reads the generation being built through svw_txn_view and writes its
 * files through gdbmio.h. Not a public header. */
#ifndef SVCACCT_TXN_INTERNAL_H
#define SVCACCT_TXN_INTERNAL_H

#include <gdbm.h>
#include <stdbool.h>
#include <stdint.h>

#include "indexw.h"
#include "store-internal.h"
#include "txn.h"

struct sv_txn {
	const struct sv_config *cfg;
	int dirfd;   /* db_dir */
	int lockfd;  /* db_dir/.lock, F_OFD_SETLK held */
	int statefd; /* state_dir */
	uint64_t base_gen;
	int basefd; /* base generation directory, -1 if none */
	char tmpname[64];
	int tmpfd; /* generation being built */
	GDBM_FILE old[SV_DB_COUNT];
	GDBM_FILE new[SV_DB_COUNT];
	int newfd[SV_DB_COUNT];	      /* dup of new[]'s fd, for fsync */
	GDBM_FILE st[SV_STATE_COUNT]; /* state files being rewritten */
	int stfd[SV_STATE_COUNT];
	/* stores made to each file, for svw_gdbm_make_room */
	unsigned puts[SV_DB_COUNT];
	unsigned stputs[SV_STATE_COUNT];
	/* the base may hold revoked credentials (a rollback, `current`
	 * moved back, a store of an older writer): publish leaves them out */
	bool sweep_revoked;
	/* every change to each file, for its index */
	struct svw_ixlog *ixlog[SV_DB_COUNT];
	/* build every index from its GDBM file (check --repair-index) */
	bool rebuild_index;
};

/* The transaction's view of db: its copy once it wrote one, else the base
 * generation's file (NULL: neither, a first generation). */
static inline GDBM_FILE svw_txn_view(const struct sv_txn *t, enum sv_db db)
{
	return t->new[db] ? t->new[db] : t->old[db];
}

/* The generation from which on every credential revoked.db lists is left
 * out (its "gen" entry): *known false for a store that never recorded
 * one. Read / set inside the transaction. */
int svi_state_revoked_through(struct sv_txn *t, uint64_t *gen, bool *known);
int svi_state_note_revoked_through(struct sv_txn *t, uint64_t gen);

/* Publish the transaction's rewritten state files (rename into place). */
int sv_state_commit(struct sv_txn *t, char *err, size_t errlen);
void sv_state_abort(struct sv_txn *t);
/* Remove state files a crashed writer left half-built. */
void sv_state_cleanup(struct sv_txn *t);
/* Make sure ids.db and revoked.db exist (created in this transaction). */
int sv_state_init(struct sv_txn *t);

#endif
