#include "base/rng.h"

#include "base/hash.h"
#include "base/status.h"

uint64_t rng_seed_of(uint64_t seed, uint64_t run, const char *name)
{
    uint64_t h = hash_fnv1a64_str(name, HASH_FNV1A64_BASIS);
    return rng_mix64(rng_mix64(rng_mix64(seed) ^ run) ^ h);
}

gsl_rng *rng_stream(uint64_t seed, uint64_t run, const char *name)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    if (!r) {
        bs_fail(BS_ENOMEM, "rng: cannot allocate stream '%s'", name);
        return NULL;
    }
    /* taus2 takes a 32-bit seed; fold the 64 bits so both halves count.
     * A zero seed means "default" to GSL, so avoid it. */
    uint64_t s = rng_seed_of(seed, run, name);
    unsigned long s32 = (unsigned long)((s ^ (s >> 32)) & 0xffffffffu);
    gsl_rng_set(r, s32 ? s32 : 1);
    return r;
}

const char *rng_generator_name(void) { return gsl_rng_taus2->name; }
