/* bigmem: allocation of large per-agent arrays.
 *
 * The population engine reads per-agent arrays at random (a contact's state);
 * with 4 KiB pages, most such reads also miss the TLB.  Arrays of 2 MiB or
 * more are aligned to 2 MiB and marked for transparent huge pages
 * (madvise(MADV_HUGEPAGE); Linux, where THP is in "madvise" mode), which cuts
 * those misses.  Where that is unavailable the memory is ordinary.
 */
#ifndef BS_BIGMEM_H
#define BS_BIGMEM_H

#include <stddef.h>

/* Like calloc(n, size): zeroed, NULL on failure (or when n * size overflows). */
void *bigmem_calloc(size_t n, size_t size);

/* The bytes bigmem_calloc(n, size) keeps resident once written: n * size,
 * rounded up to whole huge pages for an array of 2 MiB or more (a huge page
 * is faulted in whole).  For memory estimates made before allocating. */
size_t bigmem_resident(size_t n, size_t size);

/* Free what bigmem_calloc returned; NULL is a no-op. */
void bigmem_free(void *p);

#endif
