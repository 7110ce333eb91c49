/* hash: FNV-1a, 64 bits, the one hash of the project.
 *
 * Random streams are seeded by the FNV-1a hash of their name (rng.c), a
 * sweep's runs are known by the hash of their resolved configuration
 * (sweep_config.c), and `reproduce` checksums the datasets behind a figure
 * (analysis/reproduce.c).  Seeds, run hashes and checksums are recorded in
 * results, so the values must never change.
 */
#ifndef BS_HASH_H
#define BS_HASH_H

#include <stddef.h>
#include <stdint.h>

/* The published FNV-1a 64 offset basis and prime (Fowler, Noll, Vo). */
#define HASH_FNV1A64_BASIS 0xcbf29ce484222325ull
#define HASH_FNV1A64_PRIME 0x100000001b3ull

/* FNV-1a 64 over the n bytes at data, starting from `basis` (for the standard
 * hash, HASH_FNV1A64_BASIS; passing a previous result continues a hash over
 * more bytes).  data may be NULL when n is 0. */
uint64_t hash_fnv1a64(const void *data, size_t n, uint64_t basis);

/* The same over the bytes of a NUL-terminated string (without the NUL). */
uint64_t hash_fnv1a64_str(const char *s, uint64_t basis);

#endif
