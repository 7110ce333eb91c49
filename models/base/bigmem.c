#include "base/bigmem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)

void *bigmem_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    size_t bytes = n * size;
    if (bytes == 0)
        bytes = 1;
    if (bytes < HUGE_PAGE)
        return calloc(1, bytes);
    void *p = NULL;
    size_t rounded = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    if (posix_memalign(&p, HUGE_PAGE, rounded) != 0)
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, rounded, MADV_HUGEPAGE); /* advice only: failure changes nothing */
#endif
    memset(p, 0, bytes);
    return p;
}

size_t bigmem_resident(size_t n, size_t size)
{
    size_t bytes = size && n > SIZE_MAX / size ? SIZE_MAX : n * size;
    if (bytes < HUGE_PAGE)
        return bytes;
    return bytes > SIZE_MAX - HUGE_PAGE ? SIZE_MAX : (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
}

void bigmem_free(void *p) { free(p); }
