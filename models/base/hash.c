#include "base/hash.h"

#include <string.h>

uint64_t hash_fnv1a64(const void *data, size_t n, uint64_t basis)
{
    const unsigned char *p = data;
    uint64_t h = basis;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * HASH_FNV1A64_PRIME;
    return h;
}

uint64_t hash_fnv1a64_str(const char *s, uint64_t basis)
{
    return hash_fnv1a64(s, strlen(s), basis);
}
