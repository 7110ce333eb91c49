/* Unit tests for named random streams (models/rng.h).
 *
 * A stream is fixed by (seed, run, name): the same triple gives the same
 * sequence, and changing any one of the three gives another.  "Another" is
 * checked on the first N draws: two MT19937 streams with different seeds
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

#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "base/rng.h"

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
 * taus2: its type is gsl_rng_taus2 and its name "taus2", and
 * rng_generator_name() says "taus2".  The sequence is the same as without
 * the variable (draws made before setenv). */
static void taus2_despite_environment(void **state)
{
    (void)state;
    static unsigned long before[N], after[N];
    draw(5, 0, "adoption", before);

    assert_int_equal(setenv("GSL_RNG_TYPE", "ranlux", 1), 0);
    const gsl_rng_type *def = gsl_rng_env_setup();
    assert_ptr_equal(def, gsl_rng_ranlux); /* the environment did take effect */

    gsl_rng *r = rng_stream(5, 0, "adoption");
    assert_non_null(r);
    assert_ptr_equal(r->type, gsl_rng_taus2);
    assert_string_equal(gsl_rng_name(r), "taus2");
    gsl_rng_free(r);
    assert_string_equal(rng_generator_name(), "taus2");

    draw(5, 0, "adoption", after);
    assert_memory_equal(before, after, sizeof before);
    unsetenv("GSL_RNG_TYPE");
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
        cmocka_unit_test(runs_are_distinct),         cmocka_unit_test(taus2_despite_environment),
        cmocka_unit_test(names_one_char_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
