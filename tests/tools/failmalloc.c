/* failmalloc: an LD_PRELOAD library that makes one allocation of blockshift's
 * own code fail, for tests/e2e/alloc_failure.py.
 *
 *   BS_FAIL_AT=N       the Nth counted allocation (1-based) returns NULL with
 *                      errno ENOMEM (operator new: throws std::bad_alloc);
 *                      only that one, the ones after it succeed again
 *   BS_FAIL_REPORT=F   at the exit of the first process, write
 *                      "count=C failed=0|1" to F: how many allocations were
 *                      counted and whether the Nth was reached
 *   BS_FAIL_TRACE=1    when the Nth fails, print the addresses of the
 *                      executable's frames (for addr2line -f -e blockshift)
 *
 * Counted: malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign,
 * strdup, strndup, realpath(p, NULL), open_memstream and operator new/new[]
 * when they are called from the blockshift executable itself (the return
 * address lies in its text), once its main() has begun.  Everything else
 * is let through: allocations made inside HDF5, GSL, libconfig, libstdc++,
 * ns-3's shared libraries, glibc and the dynamic loader (their failures
 * would test those libraries, not us), the static initialisers that run
 * before main (ns-3's IidManager::AllocateUid throws std::bad_alloc there
 * otherwise), and every process that is not blockshift (gnuplot inherits
 * LD_PRELOAD from plot).
 *
 * The counter lives in a shared anonymous mapping, so the children blockshift
 * forks (the isolated results reader, plot's and sweep's workers) count on
 * the same numbers as their parent: BS_FAIL_AT=N fails one allocation of the
 * whole tree.  A child that execs blockshift again (reproduce) starts its
 * own count.
 *
 * The real allocators are glibc's __libc_* entry points, so that looking
 * them up never allocates. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

struct shared {
    unsigned long count;  /* allocations counted so far */
    int failed;           /* whether the one at fail_at was made to fail */
};

static struct shared *sh;          /* NULL: inactive (not blockshift, no env) */
static unsigned long fail_at;      /* 0: count only */
static uintptr_t text_lo, text_hi; /* the executable's code */
static uintptr_t load_base;        /* where it is loaded */
static int trace;
static pid_t first_pid;
static const char *report;
static int in_main;                /* set as main() is entered */
static __thread int force_next;    /* operator new decided: fail its malloc */

static int main_text(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size, (void)data;
    /* the first object is the executable itself */
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
            uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
            if (text_lo == 0 || lo < text_lo)
                text_lo = lo;
            if (hi > text_hi)
                text_hi = hi;
        }
    }
    load_base = info->dlpi_addr;
    return 1;
}

__attribute__((constructor)) static void failmalloc_init(void)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return;
    exe[n] = '\0';
    const char *base = strrchr(exe, '/');
    base = base ? base + 1 : exe;
    if (strcmp(base, "blockshift") != 0)
        return;
    const char *at = getenv("BS_FAIL_AT");
    report = getenv("BS_FAIL_REPORT");
    if (!at && !report)
        return;
    fail_at = at ? strtoul(at, NULL, 10) : 0;
    trace = getenv("BS_FAIL_TRACE") != NULL;
    dl_iterate_phdr(main_text, NULL);
    void *m = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return;
    first_pid = getpid();
    sh = m;
}

__attribute__((destructor)) static void failmalloc_report(void)
{
    if (!sh || !report || getpid() != first_pid)
        return;
    int fd = open(report, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return;
    char line[64];
    int len = snprintf(line, sizeof line, "count=%lu failed=%d\n",
                       __atomic_load_n(&sh->count, __ATOMIC_SEQ_CST),
                       __atomic_load_n(&sh->failed, __ATOMIC_SEQ_CST));
    if (write(fd, line, (size_t)len) != len)
        _exit(99);
    close(fd);
}

/* The executable's frames of this call, as offsets, on stderr. */
static void print_trace(void)
{
    void *frames[32];
    int n = backtrace(frames, 32);
    char line[64];
    int len = snprintf(line, sizeof line, "failmalloc: allocation %lu failed at:", fail_at);
    if (write(2, line, (size_t)len) < 0)
        return;
    for (int i = 0; i < n; i++)
        if ((uintptr_t)frames[i] >= text_lo && (uintptr_t)frames[i] < text_hi) {
            len = snprintf(line, sizeof line, " 0x%lx", (unsigned long)((uintptr_t)frames[i] - load_base));
            if (write(2, line, (size_t)len) < 0)
                return;
        }
    if (write(2, "\n", 1) < 0)
        return;
}

/* Whether the allocation asked for from `caller` is to fail. */
static int should_fail(const void *caller)
{
    if (force_next) {
        force_next = 0;
        return 1;
    }
    if (!sh || !in_main || (uintptr_t)caller < text_lo || (uintptr_t)caller >= text_hi)
        return 0;
    unsigned long k = __atomic_add_fetch(&sh->count, 1, __ATOMIC_SEQ_CST);
    if (k != fail_at)
        return 0;
    __atomic_store_n(&sh->failed, 1, __ATOMIC_SEQ_CST);
    if (trace)
        print_trace();
    return 1;
}

#define CALLER __builtin_extract_return_addr(__builtin_return_address(0))
#define FAIL_IF_CHOSEN(ret)                                                                    \
    do {                                                                                       \
        if (should_fail(CALLER)) {                                                             \
            errno = ENOMEM;                                                                    \
            return ret;                                                                        \
        }                                                                                      \
    } while (0)

void *malloc(size_t n)
{
    FAIL_IF_CHOSEN(NULL);
    return __libc_malloc(n);
}

void *calloc(size_t k, size_t n)
{
    FAIL_IF_CHOSEN(NULL);
    return __libc_calloc(k, n);
}

void *realloc(void *p, size_t n)
{
    FAIL_IF_CHOSEN(NULL);
    return __libc_realloc(p, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
    if (should_fail(CALLER))
        return ENOMEM;
    if (align < sizeof(void *) || (align & (align - 1)) != 0)
        return EINVAL;
    void *p = __libc_memalign(align, n);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

void *aligned_alloc(size_t align, size_t n)
{
    FAIL_IF_CHOSEN(NULL);
    return __libc_memalign(align, n);
}

void *memalign(size_t align, size_t n)
{
    FAIL_IF_CHOSEN(NULL);
    return __libc_memalign(align, n);
}

char *strdup(const char *s)
{
    FAIL_IF_CHOSEN(NULL);
    size_t n = strlen(s) + 1;
    char *d = __libc_malloc(n);
    return d ? memcpy(d, s, n) : NULL;
}

char *strndup(const char *s, size_t max)
{
    FAIL_IF_CHOSEN(NULL);
    size_t n = strnlen(s, max);
    char *d = __libc_malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* The next three are let through to glibc's own (looked up once main has
 * begun, when dlsym's own allocations are let through anyway). */
static void *next(const char *name)
{
    void *f = dlsym(RTLD_NEXT, name);
    if (!f) {
        static const char msg[] = "failmalloc: a symbol is missing\n";
        if (write(2, msg, sizeof msg - 1) < 0)
            _exit(98);
        _exit(98);
    }
    return f;
}

char *realpath(const char *path, char *resolved)
{
    if (!resolved)
        FAIL_IF_CHOSEN(NULL);
    char *(*real)(const char *, char *) = next("realpath");
    return real(path, resolved);
}

FILE *open_memstream(char **buf, size_t *size)
{
    FAIL_IF_CHOSEN(NULL);
    FILE *(*real)(char **, size_t *) = next("open_memstream");
    return real(buf, size);
}

/* operator new and new[] (plain and nothrow): when the caller is ours and
 * this is the chosen one, the malloc that libstdc++'s operator new makes is
 * failed (force_next), so that it throws std::bad_alloc (or returns NULL)
 * exactly as it would. */
#define NEW_WRAPPER(sym, params, args)                                                         \
    void *sym params                                                                           \
    {                                                                                          \
        void *(*real) params = next(#sym); /* before: dlsym may allocate */                 \
        if (should_fail(CALLER))                                                               \
            force_next = 1;                                                                    \
        return real args;                                                                      \
    }
NEW_WRAPPER(_Znwm, (size_t n), (n))
NEW_WRAPPER(_Znam, (size_t n), (n))
NEW_WRAPPER(_ZnwmRKSt9nothrow_t, (size_t n, const void *t), (n, t))
NEW_WRAPPER(_ZnamRKSt9nothrow_t, (size_t n, const void *t), (n, t))

/* main() is entered: from here on, our allocations count. */
typedef int (*main_fn)(int, char **, char **);
static main_fn real_main;

static int main_hook(int argc, char **argv, char **envp)
{
    in_main = 1;
    return real_main(argc, argv, envp);
}

int __libc_start_main(main_fn main, int argc, char **argv, void (*init)(void),
                      void (*fini)(void), void (*rtld_fini)(void), void *stack_end)
{
    int (*real)(main_fn, int, char **, void (*)(void), void (*)(void), void (*)(void),
                void *) = next("__libc_start_main");
    real_main = main;
    return real(main_hook, argc, argv, init, fini, rtld_fini, stack_end);
}
