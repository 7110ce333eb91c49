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

/* A new generator for the stream; NULL (with a message) if out of memory.
 * Free with gsl_rng_free(). */
gsl_rng *rng_stream(uint64_t seed, uint64_t run, const char *name);

/* The stream's identity, the 128 bits that fix its draws: id[0] the key
 * (rng_seed_of), id[1] the counter's upper half (rng_seed2_of).  For a
 * generator of rng_stream; position in the stream is not included. */
void rng_identity(const gsl_rng *r, uint64_t id[2]);

/* A uniform 64-bit draw (two 32-bit outputs, the first in the high half).
 * r must be a generator of rng_stream. */
uint64_t rng_u64(gsl_rng *r);

/* An exact uniform integer in [0, n), n >= 1 (n = 0 returns 0 without a
 * draw): Lemire's multiply-and-reject ("Fast random integer generation in
 * an interval", 2019) on one 32-bit output when n <= 2^32, on a 64-bit draw
 * (rng_u64) above.  r must be a generator of rng_stream. */
uint64_t rng_below(gsl_rng *r, uint64_t n);

/* rng_below, also giving the fractional part of the draw in *frac: with the
 * accepted draw v (b = 32 or 64 bits) the result is floor(v n / 2^b) and
 * *frac = (v n mod 2^b) / 2^b.  Given the result, *frac is uniform on a grid
 * of floor(2^b / n) equally spaced points of spacing n / 2^b, so it serves
 * as a second uniform to b - log2(n) bits, independent of the result. */
uint64_t rng_below_frac(gsl_rng *r, uint64_t n, double *frac);

/* The name of the generator, for provenance. */
const char *rng_generator_name(void);

#endif
