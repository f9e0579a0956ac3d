/* SPDX-License-Identifier: MIT */
/* What every libFuzzer target here shares: the entry point's prototype
 * (the targets build with -Wmissing-prototypes) and CHECK, which turns a
 * broken invariant into a crash that libFuzzer reports and keeps. */
#ifndef SVCACCT_FUZZ_H
#define SVCACCT_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#define CHECK(x)                                                               \
	do {                                                                   \
		if (!(x))                                                      \
			__builtin_trap();                                      \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
