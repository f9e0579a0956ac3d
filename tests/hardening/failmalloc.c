/* SPDX-License-Identifier: MIT */
/* failmalloc: an LD_PRELOAD shim that fails one chosen heap allocation of
 * a process, for the allocation-failure tests (test_failmalloc.sh).
 *
 * Counting starts and stops only when the program says so: a driver calls
 * failmalloc_arm("auth") right before the call under test and
 * failmalloc_arm(NULL) after it (pam_harness around pam_authenticate and
 * pam_acct_mgmt, nss_probe around each call into the module; both look
 * the function up with dlsym and do nothing without the shim). So the
 * driver's own setup is never counted, and what is counted is every
 * allocation made on behalf of the call: libpam, the module, OpenSSL
 * (CRYPTO_malloc -> malloc), jansson, GDBM, and glibc itself (strdup,
 * asprintf, fopen, ... all end in malloc, which glibc lets a preloaded
 * object interpose).
 *
 *   FAILMALLOC_N=N        fail the Nth counted allocation (1-based) and
 *                         only that one; 0 or unset: count only
 *   FAILMALLOC_PHASE=P    count from the start of the process, as phase P,
 *                         for a program that arms nothing (the CLI): every
 *                         allocation from the shim's constructor on is
 *                         counted, the C library's start-up before it is
 *                         not
 *   FAILMALLOC_REPORT=F   append to F: "inject n=N phase=P size=S",
 *                         "caller=OBJECT+0xOFFSET" (who called the
 *                         allocator: libc.so.6 inside strdup or asprintf,
 *                         libcrypto.so.3, pam_svcacct.so...),
 *                         "site=OBJECT+0xOFFSET" (the first caller outside
 *                         the C library, e.g. libcrypto.so.3 or
 *                         pam_svcacct.so) and the call stack
 *                         (backtrace_symbols_fd, which does not allocate)
 *                         when the failure is injected, and
 *                         "total=K" at exit: the number of counted
 *                         allocations, so a driver knows when N went past
 *                         the last one.
 *
 * Interposed: malloc, calloc, realloc, reallocarray, posix_memalign,
 * aligned_alloc, memalign, valloc, pvalloc; strdup, strndup, asprintf and
 * the rest reach these. The real allocator is glibc's __libc_* entry
 * points (no dlsym, which itself allocates). */
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <malloc.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

void failmalloc_arm(const char *phase);
void *pvalloc(size_t size);

static atomic_long counted;
static long fail_at;
static int report_fd = -1;
static const char *volatile phase;
static __thread int busy; /* our own calls (backtrace) are not counted */

__attribute__((constructor)) static void fm_init(void)
{
	const char *n = getenv("FAILMALLOC_N"),
		   *r = getenv("FAILMALLOC_REPORT"),
		   *p = getenv("FAILMALLOC_PHASE");
	void *warm[4];

	fail_at = n ? strtol(n, NULL, 10) : 0;
	if (r)
		report_fd =
		    open(r, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	/* backtrace loads libgcc_s on its first use, which allocates */
	busy = 1;
	backtrace(warm, 4);
	busy = 0;
	if (p && *p)
		phase = p;
}

__attribute__((destructor)) static void fm_fini(void)
{
	if (report_fd >= 0)
		dprintf(report_fd, "total=%ld\n", atomic_load(&counted));
}

void failmalloc_arm(const char *p)
{
	phase = p;
}

static void print_frame(const char *key, void *frame)
{
	Dl_info di;
	const char *base;

	if (!dladdr(frame, &di) || !di.dli_fname) {
		dprintf(report_fd, "%s=?\n", key);
		return;
	}
	base = strrchr(di.dli_fname, '/');
	dprintf(report_fd, "%s=%s+0x%lx\n", key, base ? base + 1 : di.dli_fname,
		(unsigned long)((char *)frame - (char *)di.dli_fbase));
}

/* Who asked: "caller=" the object that called the allocator (the C
 * library itself inside strdup, asprintf, fopen...), "site=" the first
 * caller outside the C library and this shim. */
static void print_site(void *const *frames, int n)
{
	Dl_info self, libc, di;

	if (!dladdr((void *)print_site, &self) || !dladdr((void *)free, &libc))
		return;
	for (int i = 0; i < n; i++) {
		if (dladdr(frames[i], &di) && di.dli_fbase != self.dli_fbase) {
			print_frame("caller", frames[i]);
			break;
		}
	}
	for (int i = 0; i < n; i++) {
		if (!dladdr(frames[i], &di) || !di.dli_fname)
			continue;
		if (di.dli_fbase == self.dli_fbase ||
		    di.dli_fbase == libc.dli_fbase)
			continue;
		print_frame("site", frames[i]);
		return;
	}
	dprintf(report_fd, "site=?\n");
}

/* true when this allocation is the one to fail */
static int fm_fail(size_t size)
{
	void *frames[48];
	int n;

	if (!phase || busy)
		return 0;
	long k = atomic_fetch_add(&counted, 1) + 1;
	if (k != fail_at)
		return 0;
	if (report_fd >= 0) {
		busy = 1;
		dprintf(report_fd, "inject n=%ld phase=%s size=%zu\n", k, phase,
			size);
		n = backtrace(frames, 48);
		print_site(frames + 1, n - 1);
		backtrace_symbols_fd(frames + 1, n - 1, report_fd);
		dprintf(report_fd, "end\n");
		busy = 0;
	}
	errno = ENOMEM;
	return 1;
}

void *malloc(size_t size)
{
	return fm_fail(size) ? NULL : __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	return fm_fail(n * size) ? NULL : __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	/* realloc(p, 0) frees: nothing to fail */
	if (size && fm_fail(size))
		return NULL;
	return __libc_realloc(p, size);
}

void *reallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, n * size);
}

void *memalign(size_t align, size_t size)
{
	return fm_fail(size) ? NULL : __libc_memalign(align, size);
}

void *aligned_alloc(size_t align, size_t size)
{
	return memalign(align, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
	void *p;
	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	p = memalign(align, size);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

void *valloc(size_t size)
{
	return memalign((size_t)sysconf(_SC_PAGESIZE), size);
}

void *pvalloc(size_t size)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	return memalign(pg, (size + pg - 1) & ~(pg - 1));
}
