/* SPDX-License-Identifier: MIT */
/* Small helpers shared by every part: scope-bound cleanup, checked
 * arithmetic, secret wiping. Header-only so the NSS module pulls in nothing
 * it does not use. */
#ifndef SVCACCT_UTIL_H
#define SVCACCT_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SV_EXPORT	 __attribute__((visibility("default")))
#define SV_UNUSED	 __attribute__((unused))
#define SV_NODISCARD	 __attribute__((warn_unused_result))
#define SV_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Overflow-checked size arithmetic: true on overflow. */
static inline bool sv_add_overflow(size_t a, size_t b, size_t *r)
{
	return __builtin_add_overflow(a, b, r);
}
static inline bool sv_mul_overflow(size_t a, size_t b, size_t *r)
{
	return __builtin_mul_overflow(a, b, r);
}

/* Wipe memory that held a secret; the compiler may not elide it. */
static inline void sv_wipe(void *p, size_t n)
{
	if (p && n)
		explicit_bzero(p, n);
}

/* Take ownership of a pointer, leaving NULL behind (for returning a value
 * that a cleanup attribute would otherwise free). */
#define SV_TAKE_PTR(p)                                                         \
	({                                                                     \
		__typeof__(p) _tmp_ = (p);                                     \
		(p) = NULL;                                                    \
		_tmp_;                                                         \
	})

/* The values of a small enum and their names, written once for both
 * directions of the lookup. */
struct sv_enum_name {
	int value;
	const char *name;
};
/* The name of value v in the n rows of t, or none. */
static inline const char *sv_enum_to_name(const struct sv_enum_name *t,
					  size_t n, int v, const char *none)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == v)
			return t[i].name;
	return none;
}
/* The value named s (NULL names nothing) in the n rows of t, or none. */
static inline int sv_enum_from_name(const struct sv_enum_name *t, size_t n,
				    const char *s, int none)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(t[i].name, s))
			return t[i].value;
	return none;
}

#endif
