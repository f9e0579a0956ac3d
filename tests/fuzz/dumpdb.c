/* SPDX-License-Identifier: MIT */
/* dumpdb: write every value of a GDBM file to DIR/PREFIX-N, for the codec
 * fuzzer's seeds (tests/fuzz/mkseeds.sh): real records as the store wrote
 * them.   dumpdb FILE DIR PREFIX */
#include <gdbm.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	GDBM_FILE db;
	datum k, next, v;
	unsigned n = 0;

	if (argc != 4)
		return 2;
	db = gdbm_open(argv[1], 0, GDBM_READER, 0, NULL);
	if (!db)
		return 1;
	for (k = gdbm_firstkey(db); k.dptr; k = next) {
		v = gdbm_fetch(db, k);
		if (v.dptr) {
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s-%u", argv[2],
				 argv[3], n++);
			FILE *f = fopen(path, "wb");
			if (!f ||
			    fwrite(v.dptr, 1, (size_t)v.dsize, f) !=
				(size_t)v.dsize ||
			    fclose(f) != 0)
				return 1;
			free(v.dptr);
		}
		next = gdbm_nextkey(db, k);
		free(k.dptr);
	}
	gdbm_close(db);
	return 0;
}
