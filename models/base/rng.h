/* rng: named random streams.
 *
 * A run is (seed, run).  Each part of the model draws from its own stream,
 * named (seed, run, stream name), so that adding draws in one part never
 * changes another's, and results do not depend on how many threads or
 * workers there are.  The generator is named here, never taken from the
 * environment (GSL_RNG_TYPE is ignored).
 *
 * The generator: Philox4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel
 * random numbers: as easy as 1, 2, 3", SC 2011), a counter-based generator:
 * output block i of a stream is a 10-round keyed bijection of the 128-bit
 * counter (i, id_hi), under the 64-bit key id_lo, giving four 32-bit words.
 * It passes TestU01's BigCrush.  A stream's identity is the 128 bits
 * (id_lo, id_hi): two independent 64-bit hashes of (seed, run, name)
 * (rng_seed_of and rng_seed2_of).  Two streams with different identities
 * never share a counter-key pair, so they cannot overlap however long they
 * are (up to 2^66 draws each); they collide only if both 64-bit hashes do,
 * about n^2 / 2^129 for n streams: 1e-29 for the ~1.2e5 streams of a 200-run
 * sweep at 1e7 agents.
 *
 * Why not taus2 as before: GSL's taus2 takes a 32-bit seed, so the 64-bit
 * stream key was folded to 32 bits, and n streams collide with probability
 * about n^2 / 2^33 (1.8 expected identical pairs among the 1.2e5 streams of
 * such a sweep; one was seen).  Seeding taus2's 88 bits of state directly
 * would leave streams as random starting points on one cycle of 2^88, which
 * may overlap; a counter-based generator cannot.  Speed, the price of the
 * guarantee, measured on the shared 2-core build machine under a load
 * average of 5 to 8 (so as ranges): a gsl_rng_uniform in a loop of 1e8,
 * gcc -O2, 5.8-15 ns against 5.2-10.5 ns for taus2; the population engine
 * (Release, `OMP_NUM_THREADS=1 bench_population
 * bench/blocked-from-day-one.cfg 1e6 30`, 7 runs each, alternating) 3.9-5.1 s
 * against 2.9-5.0 s, best of each 3.89 against 2.88 s: about a third slower
 * on the daily loop.
 *
 * Keyed draws (rng_at, below): besides named streams read in sequence, a
 * draw can be a direct function of a counter, (word, x, y, z) under a key
 * from (seed, run, name), with no state kept between draws; the population
 * engine keys the draws of each agent and day so (common random numbers
 * between a run with a block and the same run without it).
 *
 * Streams are GSL generators (a gsl_rng_type of this file), so callers use
 * gsl_rng_uniform and gsl_ran_*; the outputs are 32-bit (min 0, max
 * 2^32 - 1), so gsl_rng_uniform has 32 bits of resolution as with taus2.
 * Integer draws: rng_below (exact, any n up to 2^64), never
 * gsl_rng_uniform(r) * n, which cannot reach every value when n > 2^32 and
 * is biased below that.
 */
#ifndef BS_RNG_H
#define BS_RNG_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

/* splitmix64's finaliser: a bijective mix of 64 bits, for seeds and for
 * values that must be a fixed function of their inputs (contacts abroad). */
static inline uint64_t rng_mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* The 64-bit seed of a stream: splitmix64 over (seed, run, FNV-1a(name));
 * the low half of the stream's identity (its Philox key). */
uint64_t rng_seed_of(uint64_t seed, uint64_t run, const char *name);

/* The high half of the stream's identity (the upper 64 bits of its Philox
 * counter): another hash of (seed, run, name), with the name hashed by
 * FNV-1a from another basis and the seed and run mixed in another order. */
uint64_t rng_seed2_of(uint64_t seed, uint64_t run, const char *name);

/* The generator type (Philox4x32-10 with 32-bit outputs).  gsl_rng_set(r, s)
 * on it sets the identity (s, 0) and rewinds to the first draw. */
extern const gsl_rng_type *rng_philox4x32;

/* One Philox4x32-10 block: out = bijection of ctr under key (exposed for the
 * known-answer tests of Random123). */
void rng_philox_block(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

/* Philox4x32 constants (Salmon et al. 2011; Random123's philox.h). */
#define RNG_PHILOX_M0 0xD2511F53u
#define RNG_PHILOX_M1 0xCD9E8D57u
#define RNG_PHILOX_W0 0x9E3779B9u /* golden ratio */
#define RNG_PHILOX_W1 0xBB67AE85u /* sqrt(3) - 1 */
#define RNG_PHILOX_ROUNDS 10

/* The same, inline (the keyed draws of the population engine's hot loops
 * call it once per agent and day). */
static inline void rng_philox_inline(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
    uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
    uint32_t k0 = key[0], k1 = key[1];
    for (int i = 0; i < RNG_PHILOX_ROUNDS; i++) {
        uint64_t p0 = (uint64_t)RNG_PHILOX_M0 * c0, p1 = (uint64_t)RNG_PHILOX_M1 * c2;
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0, n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
        c0 = n0;
        c1 = (uint32_t)p1;
        c2 = n2;
        c3 = (uint32_t)p0;
        k0 += RNG_PHILOX_W0;
        k1 += RNG_PHILOX_W1;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
}

/* A new generator for the stream; NULL (with a message) if out of memory.
 * Free with gsl_rng_free(). */
gsl_rng *rng_stream(uint64_t seed, uint64_t run, const char *name);

/* The stream's identity, the 128 bits that fix its draws: id[0] the key
 * (rng_seed_of), id[1] the counter's upper half (rng_seed2_of).  For a
 * generator of rng_stream; position in the stream is not included. */
void rng_identity(const gsl_rng *r, uint64_t id[2]);

/* Give generator r (of type rng_philox4x32, e.g. from rng_stream or
 * gsl_rng_alloc(rng_philox4x32)) the identity (id_lo, id_hi) and rewind it:
 * Philox under key id_lo, counters (j, id_hi).  For keyed streams read
 * through GSL's samplers: id_lo a stream's key and id_hi a structured
 * coordinate (y << 32 | x), which meets a named stream's hashed id_hi only if
 * that hash equals it (about one chance in 2^64 per coordinate); the social
 * graph names each agent's degree draws and each bucket's shuffle so. */
void rng_stream_seek(gsl_rng *r, uint64_t id_lo, uint64_t id_hi);

/* A uniform 64-bit draw (two 32-bit outputs, the first in the high half).
 * r must be a generator of rng_stream. */
uint64_t rng_u64(gsl_rng *r);

/* An exact uniform integer in [0, n), n >= 1 (n = 0 returns 0 without a
 * draw): Lemire's multiply-and-reject ("Fast random integer generation in
 * an interval", 2019) on one 32-bit output when n <= 2^32, on a 64-bit draw
 * (rng_u64) above.  r must be a generator of rng_stream. */
uint64_t rng_below(gsl_rng *r, uint64_t n);

/* The core of rng_below_frac and rng_at_below_frac: Lemire's
 * multiply-and-reject over a source of 32-bit words next(arg). */
static inline uint64_t rng_lemire(uint32_t (*next)(void *), void *arg, uint64_t n, double *frac)
{
    if (n == 0) {
        *frac = 0;
        return 0;
    }
    if (n <= 0x100000000ull) {
        uint64_t m = (uint64_t)next(arg) * n;
        uint32_t low = (uint32_t)m;
        if (low < n) {
            /* 2^32 mod n: the values of low that would make some results
             * one draw more likely than others. */
            uint32_t t = (uint32_t)((0x100000000ull - n) % n);
            while (low < t) {
                m = (uint64_t)next(arg) * n;
                low = (uint32_t)m;
            }
        }
        *frac = (double)low * 0x1.0p-32;
        return m >> 32;
    }
    __extension__ typedef unsigned __int128 u128;
    uint64_t v = (uint64_t)next(arg) << 32;
    v |= next(arg);
    u128 m = (u128)v * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
        uint64_t t = (0 - n) % n; /* 2^64 mod n */
        while (low < t) {
            v = (uint64_t)next(arg) << 32;
            v |= next(arg);
            m = (u128)v * n;
            low = (uint64_t)m;
        }
    }
    *frac = (double)(low >> 11) * 0x1.0p-53;
    return (uint64_t)(m >> 64);
}

/* rng_below, also giving the fractional part of the draw in *frac: with the
 * accepted draw v (b = 32 or 64 bits) the result is floor(v n / 2^b) and
 * *frac = (v n mod 2^b) / 2^b.  Given the result, *frac is uniform on a grid
 * of floor(2^b / n) equally spaced points of spacing n / 2^b, so it serves
 * as a second uniform to b - log2(n) bits, independent of the result. */
uint64_t rng_below_frac(gsl_rng *r, uint64_t n, double *frac);

/* ---- keyed draws: a stream per (x, y, z), for common random numbers ----
 *
 * A named stream is read in sequence, so one extra draw shifts every later
 * one.  For draws that belong to one agent on one day, the population
 * engine instead reads Philox at counters that name what the draw is for:
 * the draws of coordinates (x, y, z) under a key are the words of the
 * blocks with counter (j, x, y, z), j = 0, 1, 2, ... (word w of the stream
 * is word w mod 4 of block j = w / 4).  So a draw is a direct function of
 * (key, x, y, z, w), and a run that makes an extra draw for one (x, y, z)
 * (a retry, a failed call) changes no other coordinates' draws: a run with a
 * block and the same run without it see the same numbers wherever the block
 * does not act (common random numbers).  The population engine uses x =
 * agent, y = day, z = purpose | sub-index << 8 (models/population/population.c).
 *
 * The key is rng_seed_of(seed, run, name) (rng_at_key), so two runs' keyed
 * draws coincide only if their 64-bit keys do (about R^2 / 2^65 for R runs:
 * 1e-15 for 200) and, under one key, different coordinates never share a
 * counter.  They never share a counter-key pair with a named stream of
 * another name unless the 64-bit keys collide, and with a named stream of
 * the same name only if (x, y, z) equals the 96 bits (block high half,
 * rng_seed2_of): both never in practice.
 *
 * The state lives on the caller's stack (no allocation); setting it up
 * computes nothing (the first block is computed at the first draw), so a
 * purpose that needs no draw costs nothing.  A stream holds 2^32 words. */
typedef struct rng_key {
    uint32_t k[2];
} rng_key;

typedef struct rng_at {
    uint32_t key[2];
    uint32_t ctr[4]; /* ctr[0]: the block held in out[], if have */
    uint32_t out[4];
    uint32_t pos;    /* the next word's position in the stream: block pos / 4 */
    int have;        /* whether out[] holds block ctr[0] */
} rng_at;

/* The key of the keyed draws of (seed, run, name): rng_seed_of's 64 bits. */
rng_key rng_at_key(uint64_t seed, uint64_t run, const char *name);

/* Start the draws of coordinates (x, y, z) under key k, at word 0. */
static inline void rng_at_start(rng_at *s, rng_key k, uint32_t x, uint32_t y, uint32_t z)
{
    s->key[0] = k.k[0];
    s->key[1] = k.k[1];
    s->ctr[0] = 0;
    s->ctr[1] = x;
    s->ctr[2] = y;
    s->ctr[3] = z;
    s->pos = 0;
    s->have = 0;
}

/* Go to word w of the stream (to give a purpose's draws fixed places: the
 * draw at w is the same whatever was drawn before). */
static inline void rng_at_seek(rng_at *s, uint32_t w) { s->pos = w; }

/* The next 32-bit word. */
static inline uint32_t rng_at_u32(rng_at *s)
{
    uint32_t blk = s->pos >> 2;
    if (!s->have || s->ctr[0] != blk) {
        s->ctr[0] = blk;
        rng_philox_inline(s->ctr, s->key, s->out);
        s->have = 1;
    }
    return s->out[s->pos++ & 3u];
}

/* A uniform in [0, 1) with 32 bits (as gsl_rng_uniform on a named stream). */
static inline double rng_at_uniform(rng_at *s) { return rng_at_u32(s) * 0x1.0p-32; }

static inline uint32_t rng_at_next_(void *s) { return rng_at_u32(s); }

/* Exact uniform integers in [0, n), as rng_below and rng_below_frac. */
static inline uint64_t rng_at_below_frac(rng_at *s, uint64_t n, double *frac)
{
    return rng_lemire(rng_at_next_, s, n, frac);
}

static inline uint64_t rng_at_below(rng_at *s, uint64_t n)
{
    double frac;
    return rng_lemire(rng_at_next_, s, n, &frac);
}

/* The name of the generator, for provenance. */
const char *rng_generator_name(void);

#endif
