#include "base/rng.h"

#include "base/hash.h"
#include "base/status.h"

uint64_t rng_seed_of(uint64_t seed, uint64_t run, const char *name)
{
    uint64_t h = hash_fnv1a64_str(name, HASH_FNV1A64_BASIS);
    return rng_mix64(rng_mix64(rng_mix64(seed) ^ run) ^ h);
}

uint64_t rng_seed2_of(uint64_t seed, uint64_t run, const char *name)
{
    /* Another basis (the first 64 bits of pi's fraction) and the run first,
     * with odd constants, so that it is no function of rng_seed_of. */
    uint64_t h = hash_fnv1a64_str(name, 0x243f6a8885a308d3ull);
    return rng_mix64(rng_mix64(rng_mix64(run ^ 0x6a09e667f3bcc909ull) ^ seed) ^
                     rng_mix64(h ^ 0xbb67ae8584caa73bull));
}

void rng_philox_block(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
    rng_philox_inline(ctr, key, out);
}

/* A stream: its identity (key = id_lo, upper counter = id_hi), the index of
 * the next block, and the block being read. */
typedef struct philox_state {
    uint64_t id_lo, id_hi, block;
    uint32_t out[4];
    unsigned used; /* words of out[] already returned; 4: compute the next block */
} philox_state;

static void philox_refill(philox_state *s)
{
    uint32_t ctr[4] = {(uint32_t)s->block, (uint32_t)(s->block >> 32), (uint32_t)s->id_hi,
                       (uint32_t)(s->id_hi >> 32)};
    uint32_t key[2] = {(uint32_t)s->id_lo, (uint32_t)(s->id_lo >> 32)};
    rng_philox_block(ctr, key, s->out);
    s->block++;
    s->used = 0;
}

static inline unsigned long philox_get(void *vs)
{
    philox_state *s = vs;
    if (s->used == 4)
        philox_refill(s);
    return s->out[s->used++];
}

static double philox_get_double(void *vs) { return (double)philox_get(vs) / 4294967296.0; }

static void philox_rewind(philox_state *s, uint64_t id_lo, uint64_t id_hi)
{
    s->id_lo = id_lo;
    s->id_hi = id_hi;
    s->block = 0;
    s->used = 4;
}

static void philox_set(void *vs, unsigned long seed) { philox_rewind(vs, (uint64_t)seed, 0); }

static const gsl_rng_type philox_type = {"philox4x32-10", 0xffffffffUL, 0, sizeof(philox_state),
                                         philox_set, philox_get, philox_get_double};

const gsl_rng_type *rng_philox4x32 = &philox_type;

gsl_rng *rng_stream(uint64_t seed, uint64_t run, const char *name)
{
    gsl_rng *r = gsl_rng_alloc(rng_philox4x32);
    if (!r) {
        bs_nomem("random stream '%s'", name);
        return NULL;
    }
    philox_rewind(r->state, rng_seed_of(seed, run, name), rng_seed2_of(seed, run, name));
    return r;
}

void rng_stream_seek(gsl_rng *r, uint64_t id_lo, uint64_t id_hi)
{
    philox_rewind(r->state, id_lo, id_hi);
}

void rng_identity(const gsl_rng *r, uint64_t id[2])
{
    const philox_state *s = r->state;
    id[0] = s->id_lo;
    id[1] = s->id_hi;
}

static inline uint32_t draw32(gsl_rng *r)
{
    return (uint32_t)(r->type == rng_philox4x32 ? philox_get(r->state) : gsl_rng_get(r));
}

uint64_t rng_u64(gsl_rng *r)
{
    uint64_t hi = draw32(r);
    return hi << 32 | draw32(r);
}

static uint32_t next_of_gsl(void *r) { return draw32(r); }

uint64_t rng_below_frac(gsl_rng *r, uint64_t n, double *frac)
{
    return rng_lemire(next_of_gsl, r, n, frac);
}

uint64_t rng_below(gsl_rng *r, uint64_t n)
{
    double frac;
    return rng_below_frac(r, n, &frac);
}

rng_key rng_at_key(uint64_t seed, uint64_t run, const char *name)
{
    uint64_t k = rng_seed_of(seed, run, name);
    return (rng_key){{(uint32_t)k, (uint32_t)(k >> 32)}};
}

const char *rng_generator_name(void) { return philox_type.name; }
