/* SPDX-License-Identifier: MIT */
/* The generation word: db_dir/generation, a root-owned 0644 file whose
 * first eight bytes hold the number of the published generation (host
 * byte order, 0 while a commit swaps `current`). Readers map it once and
 * compare it with the generation they hold on every lookup: a load from
 * memory instead of a readlink. The writer creates it once and changes it
 * only by an aligned store through its own mapping (genword_write in
 * common/write/genword.c); it is never replaced, truncated or written
 * with write(2), so a mapped word can never fault. A reader treats the
 * word as a hint: it reads `current` itself whenever the word differs
 * from its generation, and at least once a second anyway. */
#ifndef SVCACCT_GENWORD_H
#define SVCACCT_GENWORD_H

#include <stdint.h>

#include "config.h"

#define SV_GENWORD	"generation"
#define SV_GENWORD_SIZE 4096

/* Map c's word read-only: it must be a regular file owned by root, not
 * writable by group or others, at least SV_GENWORD_SIZE bytes.
 * 0 with *word; -ENOENT none yet; -EPERM unsafe; -EBADMSG too small;
 * other -errno. */
int sv_genword_map(const struct sv_config *c, const uint64_t **word);
void sv_genword_unmap(const uint64_t *word);

/* The generation the word names now (0: being changed, look yourself). */
static inline uint64_t sv_genword_load(const uint64_t *word)
{
	return __atomic_load_n(word, __ATOMIC_ACQUIRE);
}

#endif
