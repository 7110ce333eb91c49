/* Unit tests for named random streams (models/base/rng.h).
 *
 * A stream is fixed by (seed, run, name): the same triple gives the same
 * sequence, and changing any one of the three gives another.  "Another" is
 * checked on the first N draws: two Philox streams with different keys
 * agree on a 32-bit draw with probability 2^-32, so two different streams
 * match on more than a handful of N = 1000 draws only if they are the same
 * stream (the test allows up to 5 coincidences; the expected number is
 * 1000 * 2^-32, about 2e-7).
 */
#include <setjmp.h> /* before cmocka.h */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "base/rng.h"
#include "population/population.h"

#define N 1000

static void draw(uint64_t seed, uint64_t run, const char *name, unsigned long out[N])
{
    gsl_rng *r = rng_stream(seed, run, name);
    assert_non_null(r);
    for (int i = 0; i < N; i++)
        out[i] = gsl_rng_get(r);
    gsl_rng_free(r);
}

static int n_equal(const unsigned long *x, const unsigned long *y)
{
    int n = 0;
    for (int i = 0; i < N; i++)
        n += x[i] == y[i];
    return n;
}

/* (seed 42, run 3, "calls") twice: the same 1000 draws. */
static void same_triple_same_sequence(void **state)
{
    (void)state;
    static unsigned long x[N], y[N];
    draw(42, 3, "calls", x);
    draw(42, 3, "calls", y);
    assert_memory_equal(x, y, sizeof x);
    assert_true(rng_seed_of(42, 3, "calls") == rng_seed_of(42, 3, "calls"));
}

/* Changing the run (3 -> 4), the seed (42 -> 43) or the name ("calls" ->
 * "graph") gives another stream: at most 5 of 1000 draws coincide
 * (expected: none).  Swapping seed and run (42, 3) -> (3, 42) too. */
static void other_triple_other_sequence(void **state)
{
    (void)state;
    static unsigned long base[N], x[N];
    draw(42, 3, "calls", base);
    draw(42, 4, "calls", x);
    assert_true(n_equal(base, x) <= 5);
    draw(43, 3, "calls", x);
    assert_true(n_equal(base, x) <= 5);
    draw(42, 3, "graph", x);
    assert_true(n_equal(base, x) <= 5);
    draw(3, 42, "calls", x);
    assert_true(n_equal(base, x) <= 5);
    assert_true(rng_seed_of(42, 3, "calls") != rng_seed_of(42, 4, "calls"));
    assert_true(rng_seed_of(42, 3, "calls") != rng_seed_of(43, 3, "calls"));
    assert_true(rng_seed_of(42, 3, "calls") != rng_seed_of(3, 42, "calls"));
}

/* Runs 0..99 of one seed and name: 100 different 64-bit stream seeds and 100
 * different first draws (a collision among 100 values of 32 bits has
 * probability about 100^2 / 2^33, about 1e-6). */
static void runs_are_distinct(void **state)
{
    (void)state;
    uint64_t seeds[100];
    unsigned long first[100];
    for (int r = 0; r < 100; r++) {
        seeds[r] = rng_seed_of(7, (uint64_t)r, "population");
        gsl_rng *g = rng_stream(7, (uint64_t)r, "population");
        assert_non_null(g);
        first[r] = gsl_rng_get(g);
        gsl_rng_free(g);
    }
    for (int i = 0; i < 100; i++)
        for (int j = 0; j < i; j++) {
            assert_true(seeds[i] != seeds[j]);
            assert_true(first[i] != first[j]);
        }
}

/* With GSL_RNG_TYPE=ranlux in the environment and GSL's default generator set
 * from it (gsl_rng_env_setup makes gsl_rng_default ranlux), a stream is still
 * Philox: its type is rng_philox4x32 and its name "philox4x32-10", and
 * rng_generator_name() says so.  The sequence is the same as without the
 * variable (draws made before setenv). */
static void philox_despite_environment(void **state)
{
    (void)state;
    static unsigned long before[N], after[N];
    draw(5, 0, "adoption", before);

    assert_int_equal(setenv("GSL_RNG_TYPE", "ranlux", 1), 0);
    const gsl_rng_type *def = gsl_rng_env_setup();
    assert_ptr_equal(def, gsl_rng_ranlux); /* the environment did take effect */

    gsl_rng *r = rng_stream(5, 0, "adoption");
    assert_non_null(r);
    assert_ptr_equal(r->type, rng_philox4x32);
    assert_string_equal(gsl_rng_name(r), "philox4x32-10");
    gsl_rng_free(r);
    assert_string_equal(rng_generator_name(), "philox4x32-10");

    draw(5, 0, "adoption", after);
    assert_memory_equal(before, after, sizeof before);
    unsetenv("GSL_RNG_TYPE");
}

/* The block function against the three known answers of Random123 1.14's
 * tests/kat_vectors, rows "philox4x32 10" (counter[4] key[2] -> out[4]). */
static void philox_known_answers(void **state)
{
    (void)state;
    static const uint32_t kat[3][10] = {
        {0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
        {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x408f276d,
         0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
        {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, 0xd16cfe09,
         0x94fdcceb, 0x5001e420, 0x24126ea1},
    };
    for (int k = 0; k < 3; k++) {
        uint32_t out[4];
        rng_philox_block(kat[k], kat[k] + 4, out);
        assert_memory_equal(out, kat[k] + 6, sizeof out);
    }
}

/* A stream's draws are the Philox blocks 0, 1, 2, ... of its identity, four
 * words each, in order: the counter is (block, block >> 32, id[1], id[1] >>
 * 32) and the key (id[0], id[0] >> 32), id[0] = rng_seed_of and id[1] =
 * rng_seed2_of of the triple.  Checked on the first 3 blocks (12 draws). */
static void stream_is_philox_of_its_identity(void **state)
{
    (void)state;
    gsl_rng *r = rng_stream(2026, 7, "population.calls.3");
    assert_non_null(r);
    uint64_t id[2];
    rng_identity(r, id);
    assert_true(id[0] == rng_seed_of(2026, 7, "population.calls.3"));
    assert_true(id[1] == rng_seed2_of(2026, 7, "population.calls.3"));
    assert_true(id[0] != id[1]);
    uint32_t key[2] = {(uint32_t)id[0], (uint32_t)(id[0] >> 32)};
    for (uint32_t b = 0; b < 3; b++) {
        uint32_t ctr[4] = {b, 0, (uint32_t)id[1], (uint32_t)(id[1] >> 32)}, out[4];
        rng_philox_block(ctr, key, out);
        for (int j = 0; j < 4; j++)
            assert_true(gsl_rng_get(r) == out[j]);
    }
    /* gsl_rng_uniform is the 32-bit draw over 2^32 */
    uint32_t ctr[4] = {3, 0, (uint32_t)id[1], (uint32_t)(id[1] >> 32)}, out[4];
    rng_philox_block(ctr, key, out);
    assert_true(gsl_rng_uniform(r) == out[0] / 4294967296.0);
    gsl_rng_free(r);
}

/* ---- stream keys of a whole sweep ---- */

/* A stream's first four draws (128 bits: equal for equal starting states)
 * and its identity. */
typedef struct stream_key {
    uint32_t first[4];
    uint64_t id[2];
} stream_key;

typedef struct key_set {
    stream_key *k;
    size_t n, cap;
    uint64_t seed, run;
} key_set;

static void add_stream(const char *name, void *arg)
{
    key_set *s = arg;
    assert_true(s->n < s->cap);
    gsl_rng *r = rng_stream(s->seed, s->run, name);
    assert_non_null(r);
    stream_key *k = &s->k[s->n++];
    for (int j = 0; j < 4; j++)
        k->first[j] = (uint32_t)gsl_rng_get(r);
    rng_identity(r, k->id);
    gsl_rng_free(r);
}

static int cmp_first(const void *a, const void *b)
{
    return memcmp(((const stream_key *)a)->first, ((const stream_key *)b)->first, 16);
}

static int cmp_id(const void *a, const void *b)
{
    const uint64_t *x = ((const stream_key *)a)->id, *y = ((const stream_key *)b)->id;
    for (int j = 0; j < 2; j++)
        if (x[j] != y[j])
            return x[j] < y[j] ? -1 : 1;
    return 0;
}

/* Pairs of streams with the same first four draws, and with the same
 * identity. */
static void count_twins(key_set *s, int *same_first, int *same_id)
{
    *same_first = *same_id = 0;
    qsort(s->k, s->n, sizeof *s->k, cmp_first);
    for (size_t i = 1; i < s->n; i++)
        *same_first += cmp_first(&s->k[i - 1], &s->k[i]) == 0;
    qsort(s->k, s->n, sizeof *s->k, cmp_id);
    for (size_t i = 1; i < s->n; i++)
        *same_id += cmp_id(&s->k[i - 1], &s->k[i]) == 0;
}

#define SWEEP_RUNS 200
#define SWEEP_AGENTS 10000000u

/* Every stream of a 200-run sweep at 1e7 agents is a different stream.
 * The streams: those population_streams names for 1e7 agents (init, graph,
 * and the key of the keyed draws per agent and day: 3; the keyed draws of
 * one run are distinct from each other by their counters, rng_at), keyed
 * two ways:
 * (a) replications: seed 1, runs 0..199;
 * (b) a sweep of seed 1 with 200 points of one replication each: run k has
 *     seed the low 32 bits of rng_seed_of(1, k, "sweep") and run 0
 *     (sweep_spec_run's keying, sweep_spec.h).
 * 600 streams each.  No two may share their first four draws or their
 * identity.  Expected number of such pairs: with 128-bit identities, about
 * 600^2 / 2 / 2^128 = 5e-34.  (Before the keyed draws there were 4 named
 * streams per block of agents, 122,800 in all; no pair either.)  With the former 32-bit fold of the key
 * into taus2's seed, 122800^2 / 2 / 2^32 = 1.8 expected identical pairs in
 * each set (and so this test failed on it: see the commit message). */
static void sweep_streams_distinct(void **state)
{
    (void)state;
    int per_run = population_streams(SWEEP_AGENTS, NULL, NULL);
    assert_int_equal(per_run, 3);
    key_set s = {NULL, 0, (size_t)per_run * SWEEP_RUNS, 0, 0};
    s.k = malloc(s.cap * sizeof *s.k);
    assert_non_null(s.k);
    for (int how = 0; how < 2; how++) {
        s.n = 0;
        for (uint64_t k = 0; k < SWEEP_RUNS; k++) {
            s.seed = how == 0 ? 1 : rng_seed_of(1, k, "sweep") & 0xffffffffu;
            s.run = how == 0 ? k : 0;
            assert_int_equal(population_streams(SWEEP_AGENTS, add_stream, &s), per_run);
        }
        assert_int_equal(s.n, s.cap);
        int same_first, same_id;
        count_twins(&s, &same_first, &same_id);
        print_message("%s: %zu streams, %d pairs with the same first 4 draws, %d with the "
                      "same identity\n",
                      how == 0 ? "runs 0..199 of seed 1" : "sweep of seed 1", s.n, same_first,
                      same_id);
        assert_int_equal(same_first, 0);
        assert_int_equal(same_id, 0);
    }
    free(s.k);
}

/* ---- keyed draws ---- */

/* Word w of the keyed draws of (x, y, z) under rng_at_key(seed, run, name)
 * is word w mod 4 of the Philox block of counter (w / 4, x, y, z) under the
 * key's two halves (rng.h): checked for 40 words, after seeking back (word
 * 5 again), and for a key that is rng_seed_of's 64 bits.  Changing any of
 * x, y, z or the run gives other draws (at most 5 of 1000 may coincide, as
 * for named streams: expected 2e-7). */
static void keyed_draws_are_philox_of_coordinates(void **state)
{
    (void)state;
    rng_key k = rng_at_key(9, 2, "population.agent-day");
    uint64_t seed = rng_seed_of(9, 2, "population.agent-day");
    assert_true(k.k[0] == (uint32_t)seed && k.k[1] == (uint32_t)(seed >> 32));
    rng_at s;
    rng_at_start(&s, k, 123456, 77, 3 | 5u << 8);
    for (uint32_t w = 0; w < 40; w++) {
        uint32_t ctr[4] = {w / 4, 123456, 77, 3 | 5u << 8}, out[4];
        rng_philox_block(ctr, k.k, out);
        assert_int_equal(rng_at_u32(&s), out[w % 4]);
    }
    uint32_t ctr[4] = {1, 123456, 77, 3 | 5u << 8}, out[4];
    rng_philox_block(ctr, k.k, out);
    rng_at_seek(&s, 5);
    assert_int_equal(rng_at_u32(&s), out[1]);
    static unsigned long x[N], y[N];
    const uint32_t coord[5][3] = {{1, 2, 3}, {2, 2, 3}, {1, 3, 3}, {1, 2, 4}, {1, 2, 3}};
    for (int c = 0; c < 5; c++) {
        rng_key kc = c == 4 ? rng_at_key(9, 3, "population.agent-day") : k;
        rng_at_start(&s, kc, coord[c][0], coord[c][1], coord[c][2]);
        for (int i = 0; i < N; i++)
            (c ? y : x)[i] = rng_at_u32(&s);
        if (c)
            assert_true(n_equal(x, y) <= 5);
    }
}

/* rng_at_below shares rng_below's code (rng_lemire): the same exactness
 * check as below_is_exact, on the keyed draws of 30000 coordinates (one
 * draw each, as the population engine draws a contact): n = 3 * 2^30, the
 * count divisible by 3 is Binomial(30000, 1/3), mean 10000, sd 81.6, 5 sd
 * allowed (floor(u n) would give 1/2: 15000). */
static void keyed_below_is_exact(void **state)
{
    (void)state;
    rng_key k = rng_at_key(13, 0, "test.keyed.below");
    const uint64_t n = 3ull << 30;
    int by3 = 0;
    for (uint32_t i = 0; i < 30000; i++) {
        rng_at s;
        rng_at_start(&s, k, i, 0, 0);
        uint64_t v = rng_at_below(&s, n);
        assert_true(v < n);
        by3 += v % 3 == 0;
    }
    print_message("keyed: %d of 30000 draws divisible by 3 (expected 10000 +- 82)\n", by3);
    assert_true(abs(by3 - 10000) <= 408);
}

/* ---- exact integer draws ---- */

/* n = 3 * 2^30 (32-bit path) and n = 3 * 2^62 (64-bit path): 2^b / n = 4/3,
 * so floor(u n) from a b-bit uniform u gives results divisible by 3 twice as
 * often as the others (P = 1/2), an exact draw with P = 1/3.  Of 30000
 * draws, the count divisible by 3 is Binomial(30000, 1/3): mean 10000, sd
 * 81.6; the test allows 5 sd (408).  Every result is below n.  For n = 3 *
 * 2^62, gsl_rng_uniform(r) * n reaches only multiples of 3 * 2^30; an exact
 * draw has its low 30 bits zero with probability 2^-30: at most 1 of the
 * 30000 draws may. */
static void below_is_exact(void **state)
{
    (void)state;
    const uint64_t ns[2] = {3ull << 30, 3ull << 62};
    gsl_rng *r = rng_stream(11, 0, "test.below");
    assert_non_null(r);
    for (int t = 0; t < 2; t++) {
        int by3 = 0, low_zero = 0;
        for (int i = 0; i < 30000; i++) {
            uint64_t c = rng_below(r, ns[t]);
            assert_true(c < ns[t]);
            by3 += c % 3 == 0;
            low_zero += (c & ((1ull << 30) - 1)) == 0;
        }
        print_message("n = %llu: %d of 30000 draws divisible by 3 (expected 10000 +- 82)\n",
                      (unsigned long long)ns[t], by3);
        assert_true(by3 > 10000 - 408 && by3 < 10000 + 408);
        if (t == 1)
            assert_true(low_zero <= 1);
    }
    /* the edges: n = 1 gives 0, n = 2^32 and n = 2^64 - 1 stay below n */
    for (int i = 0; i < 100; i++) {
        assert_true(rng_below(r, 1) == 0);
        assert_true(rng_below(r, 1ull << 32) < (1ull << 32));
        assert_true(rng_below(r, UINT64_MAX) < UINT64_MAX);
    }
    gsl_rng_free(r);
}

/* rng_below_frac(n = 10): each result 0..9 comes 1/10 of the time, and the
 * fraction's mean is 1/2 within each result (independent of it).  Of 100000
 * draws: counts Binomial(1e5, 0.1), mean 10000, sd 95, allowed 5 sd (475);
 * the mean of ~10000 uniforms has sd 0.0029, allowed 5 sd (0.0144). */
static void below_frac_independent(void **state)
{
    (void)state;
    gsl_rng *r = rng_stream(12, 0, "test.below.frac");
    assert_non_null(r);
    int count[10] = {0};
    double sum[10] = {0};
    for (int i = 0; i < 100000; i++) {
        double f;
        uint64_t c = rng_below_frac(r, 10, &f);
        assert_true(c < 10 && f >= 0 && f < 1);
        count[c]++;
        sum[c] += f;
    }
    for (int c = 0; c < 10; c++) {
        assert_true(count[c] > 10000 - 475 && count[c] < 10000 + 475);
        assert_true(fabs(sum[c] / count[c] - 0.5) < 0.0144);
    }
    gsl_rng_free(r);
}

/* Names one character apart give different 64-bit seeds and different
 * streams: "calls"/"callt" (last), "calls"/"balls" (first), "vpn"/"vpN"
 * (case), "a"/"b", "a"/"" (length), "ab"/"ba" (order). */
static void names_one_char_apart(void **state)
{
    (void)state;
    const char *pairs[][2] = {
        {"calls", "callt"}, {"calls", "balls"}, {"vpn", "vpN"},        {"a", "b"},
        {"a", ""},          {"ab", "ba"},       {"graph.0", "graph.1"}};
    static unsigned long x[N], y[N];
    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
        assert_true(rng_seed_of(1, 0, pairs[p][0]) != rng_seed_of(1, 0, pairs[p][1]));
        draw(1, 0, pairs[p][0], x);
        draw(1, 0, pairs[p][1], y);
        assert_true(n_equal(x, y) <= 5);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_triple_same_sequence), cmocka_unit_test(other_triple_other_sequence),
        cmocka_unit_test(runs_are_distinct),         cmocka_unit_test(philox_despite_environment),
        cmocka_unit_test(names_one_char_apart),      cmocka_unit_test(philox_known_answers),
        cmocka_unit_test(stream_is_philox_of_its_identity),
        cmocka_unit_test(sweep_streams_distinct),    cmocka_unit_test(below_is_exact),
        cmocka_unit_test(below_frac_independent),
        cmocka_unit_test(keyed_draws_are_philox_of_coordinates),
        cmocka_unit_test(keyed_below_is_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
