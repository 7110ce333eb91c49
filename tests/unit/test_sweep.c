/* Unit tests for sweeps: the sweep file and its expansion (sweep_spec.h),
 * the designs (sweep_sample.h), the check of every point against the
 * scenario (sweep_config.h), jobs as bytes (sweep_job.h), the index table
 * (sweep_index.h) and the summaries (sweep_stats.h).  End-to-end runs of
 * `blockshift sweep` are in tests/e2e/sweep.py.
 */
#include <setjmp.h> /* before cmocka.h */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "base/rng.h"
#include "base/status.h"
#include "sweep/sweep_config.h"
#include "sweep/sweep_index.h"
#include "sweep/sweep_job.h"
#include "sweep/sweep_sample.h"
#include "sweep/sweep_spec.h"
#include "sweep/sweep_stats.h"

/* Write a sweep file; its path is static. */
static const char *write_sweep(const char *text)
{
    static char path[64];
    strcpy(path, "/tmp/bs-sweep-XXXXXX.cfg");
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static sweep_spec *load_ok(const char *text)
{
    const char *path = write_sweep(text);
    sweep_spec *s = NULL;
    char *errors = NULL;
    int st = sweep_spec_load(path, &s, &errors);
    if (st != BS_OK)
        fprintf(stderr, "%s%s\n", errors ? errors : "", bs_last_error());
    assert_int_equal(st, BS_OK);
    unlink(path);
    return s;
}

/* The errors of a sweep file that must not load (malloc'd). */
static char *load_bad(const char *text, char *path_out)
{
    const char *path = write_sweep(text);
    strcpy(path_out, path);
    sweep_spec *s = NULL;
    char *errors = NULL;
    assert_int_equal(sweep_spec_load(path, &s, &errors), BS_EINPUT);
    assert_null(s);
    assert_non_null(errors);
    unlink(path);
    return errors;
}

#define NEAR(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

/* ---- summaries: hand-computed ------------------------------------------------ */

/* x = 1, 2, 3, 4, 5: mean 3; sd = sqrt(10 / 4) = 1.5811388300841898;
 * t(0.975, 4) = 2.7764451052 (tables); half-width = t * sd / sqrt(5)
 * = 2.7764451052 * 0.7071067812 = 1.9632431; CI [1.0367569, 4.9632431]. */
static void ci_five_values(void **state)
{
    (void)state;
    double x[] = {1, 2, 3, 4, 5};
    sweep_ci ci = sweep_stats_ci(x, 5);
    assert_int_equal(ci.n, 5);
    NEAR(ci.mean, 3.0, 1e-12);
    NEAR(ci.sd, 1.5811388300841898, 1e-12);
    NEAR(ci.low, 3.0 - 2.7764451052 * 0.70710678118654752, 1e-9);
    NEAR(ci.high, 3.0 + 2.7764451052 * 0.70710678118654752, 1e-9);
}

/* x = 10, 12: mean 11; sd = sqrt(2) = 1.41421356; t(0.975, 1) = 12.7062047362
 * (tables); half-width = 12.7062047362 * 1.41421356 / sqrt(2) = 12.7062047362:
 * CI [-1.7062047, 23.7062047].  NaN values are left out: adding one changes
 * nothing. */
static void ci_two_values(void **state)
{
    (void)state;
    double x[] = {10, NAN, 12};
    sweep_ci ci = sweep_stats_ci(x, 3);
    assert_int_equal(ci.n, 2);
    NEAR(ci.mean, 11.0, 1e-12);
    NEAR(ci.sd, sqrt(2.0), 1e-12);
    NEAR(ci.low, 11.0 - 12.7062047362, 1e-9);
    NEAR(ci.high, 11.0 + 12.7062047362, 1e-9);
}

/* Degenerate cases: three equal values (sd 0, CI a point); one value (sd
 * and CI not known: NaN); none (mean NaN too). */
static void ci_degenerate(void **state)
{
    (void)state;
    double same[] = {2, 2, 2}, one[] = {7};
    sweep_ci ci = sweep_stats_ci(same, 3);
    assert_true(ci.sd == 0 && ci.low == 2 && ci.high == 2 && ci.mean == 2);
    ci = sweep_stats_ci(one, 1);
    assert_true(ci.n == 1 && ci.mean == 7 && isnan(ci.sd) && isnan(ci.low) && isnan(ci.high));
    ci = sweep_stats_ci(one, 0);
    assert_true(ci.n == 0 && isnan(ci.mean));
}

/* ---- the sweep file ------------------------------------------------------------ */

/* A grid of a list (2 values) and a log range (1, 2, 4), 2 replications:
 * 6 points, 12 runs; the first parameter varies slowest and replications
 * are innermost, so run 3 is point 1 (0.3, 2), replication 1. */
static void grid_order_and_values(void **state)
{
    (void)state;
    sweep_spec *s = load_ok("scenario = \"/nonexistent/base.cfg\";\n"
                            "collect = [\"final_vpn_share\"];\n"
                            "seed = 9; replications = 2;\n"
                            "parameters = (\n"
                            "  { path = \"population.retry\"; values = [0.3, 0.7]; },\n"
                            "  { path = \"population.contacts_mean\"; from = 1.0; to = 4.0; "
                            "steps = 3; scale = \"log\"; }\n"
                            ");\n");
    assert_int_equal(s->n_points, 6);
    assert_int_equal(s->n_runs, 12);
    assert_true(strncmp(s->name, "bs-sweep-", 9) == 0); /* the file's name */
    double want[6][2] = {{0.3, 1}, {0.3, 2}, {0.3, 4}, {0.7, 1}, {0.7, 2}, {0.7, 4}};
    for (int p = 0; p < 6; p++)
        for (int j = 0; j < 2; j++) {
            NEAR(s->point_number[p * 2 + j], want[p][j], 1e-12);
            /* the text reads back to the same number, as a float */
            const char *t = s->point_text[p * 2 + j];
            assert_true(strtod(t, NULL) == s->point_number[p * 2 + j]);
            assert_non_null(strpbrk(t, ".e"));
        }
    sweep_run_id id = sweep_spec_run(s, 3);
    assert_int_equal(id.point, 1);
    assert_int_equal(id.replication, 1);
    assert_int_equal(id.run, 1);
    assert_int_equal(id.seed, (uint32_t)(rng_seed_of(9, 3, "sweep") & 0xffffffffu));
    char **set = NULL;
    int n = sweep_spec_overrides(s, 3, 1, &set);
    assert_int_equal(n, 4);
    assert_string_equal(set[0], "population.retry=0.3");
    assert_true(strncmp(set[1], "population.contacts_mean=", 25) == 0);
    char want_seed[64];
    snprintf(want_seed, sizeof want_seed, "scenario.seed=%u", id.seed);
    assert_string_equal(set[2], want_seed);
    assert_string_equal(set[3], "scenario.run=1");
    sweep_spec_free_set(n, set);
    /* every run its own seed */
    for (int a = 0; a < s->n_runs; a++)
        for (int b = 0; b < a; b++)
            assert_true(sweep_spec_run(s, a).seed != sweep_spec_run(s, b).seed);
    sweep_spec_free(s);
}

/* Common random numbers: replication r has the same seed at every point;
 * replications differ.  Strings and booleans are passed as libconfig text
 * and shown bare in labels. */
static void common_seeds_and_text_values(void **state)
{
    (void)state;
    sweep_spec *s = load_ok("scenario = \"base.cfg\"; collect = [\"x\"]; replications = 3;\n"
                            "common_random_numbers = true;\n"
                            "parameters = ( { path = \"population.graph\"; "
                            "values = [\"negbin\", \"say \\\"hi\\\"\"]; } );\n");
    assert_int_equal(s->n_runs, 6);
    for (int r = 0; r < 3; r++)
        assert_int_equal(sweep_spec_run(s, r).seed, sweep_spec_run(s, 3 + r).seed);
    assert_true(sweep_spec_run(s, 0).seed != sweep_spec_run(s, 1).seed);
    assert_true(s->params[0].text);
    assert_string_equal(s->point_text[0], "\"negbin\"");
    char label[64];
    sweep_spec_label(s, 1, 0, label, sizeof label);
    assert_string_equal(label, "say \"hi\"");
    sweep_spec_free(s);
}

/* Bounds sampled by a Latin hypercube: 4 points, each in its own quarter of
 * [0.1, 0.5] on each axis; on a log scale, each in its own quarter of the
 * logarithm. */
static void bounds_latin_hypercube(void **state)
{
    (void)state;
    sweep_spec *s =
        load_ok("scenario = \"base.cfg\"; collect = [\"x\"]; seed = 4;\n"
                "parameters = ( { path = \"population.retry\"; bounds = [0.1, 0.5]; },\n"
                "  { path = \"population.contacts_mean\"; bounds = [1.0, 16.0]; "
                "scale = \"log\"; } );\n"
                "sample = { method = \"lhs\"; points = 4; };\n");
    assert_int_equal(s->n_points, 4);
    int hit[2][4] = {{0}};
    for (int p = 0; p < 4; p++) {
        double a = (s->point_number[2 * p] - 0.1) / 0.4;
        double b = log(s->point_number[2 * p + 1]) / log(16.0);
        assert_true(a >= 0 && a < 1 && b >= 0 && b < 1);
        hit[0][(int)(a * 4)]++;
        hit[1][(int)(b * 4)]++;
    }
    for (int q = 0; q < 4; q++)
        assert_true(hit[0][q] == 1 && hit[1][q] == 1);
    sweep_spec_free(s);
}

/* The designs themselves: a Latin hypercube of 10 points in 3 dimensions
 * has one point in each tenth of each axis, and is the same for the same
 * seed and another for another seed; GSL's Sobol sequence begins (0.5, 0.5),
 * (0.75, 0.25), (0.25, 0.75), and has at most 40 dimensions. */
static void designs(void **state)
{
    (void)state;
    double a[30], b[30], c[30], q[6];
    assert_int_equal(sweep_sample(SWEEP_LHS, 10, 3, 1, a), BS_OK);
    assert_int_equal(sweep_sample(SWEEP_LHS, 10, 3, 1, b), BS_OK);
    assert_int_equal(sweep_sample(SWEEP_LHS, 10, 3, 2, c), BS_OK);
    assert_memory_equal(a, b, sizeof a);
    assert_true(memcmp(a, c, sizeof a) != 0);
    for (int j = 0; j < 3; j++) {
        int hit[10] = {0};
        for (int i = 0; i < 10; i++)
            hit[(int)(a[i * 3 + j] * 10)]++;
        for (int k = 0; k < 10; k++)
            assert_int_equal(hit[k], 1);
    }
    assert_int_equal(sweep_sample(SWEEP_SOBOL, 3, 2, 0, q), BS_OK);
    double want[6] = {0.5, 0.5, 0.75, 0.25, 0.25, 0.75};
    assert_memory_equal(q, want, sizeof q);
    assert_int_equal(sweep_sample(SWEEP_SOBOL, 1, 41, 0, a), BS_EINPUT);
}

/* Errors in the file, all at once, each with file:line and where. */
static void file_errors(void **state)
{
    (void)state;
    char path[64], want[128];
    char *e = load_bad("scenario = \"b.cfg\";\n"
                       "colect = [\"x\"];\n"
                       "replications = 0;\n"
                       "parameters = ( { path = \"population.retry\"; from = 0.1; to = 0.5; },\n"
                       "  { path = \"scenario.seed\"; values = [1, 2]; },\n"
                       "  { path = \"population.scale\"; bounds = [5.0, 1.0]; } );\n",
                       path);
    snprintf(want, sizeof want, "%s:2: colect: unknown key 'colect' (did you mean 'collect'?)",
             path);
    assert_non_null(strstr(e, want));
    snprintf(want, sizeof want, "%s:3: replications: 0 is out of range", path);
    assert_non_null(strstr(e, want));
    snprintf(want, sizeof want, "%s: collect: missing", path);
    assert_non_null(strstr(e, want));
    snprintf(want, sizeof want, "%s:4: parameters.[0].steps: missing", path);
    assert_non_null(strstr(e, want));
    snprintf(want, sizeof want, "%s:5: parameters.[1].path: scenario.seed is set by the sweep",
             path);
    assert_non_null(strstr(e, want));
    snprintf(want, sizeof want, "%s:6: parameters.[2].bounds: the low bound must be below", path);
    assert_non_null(strstr(e, want));
    assert_non_null(strstr(e, "sample: missing"));
    free(e);
    /* a syntax error: libconfig's message, with the line */
    e = load_bad("scenario = \"b.cfg\";\ncollect = [\"x\"\n", path);
    snprintf(want, sizeof want, "%s:", path);
    assert_true(strncmp(e, want, strlen(want)) == 0);
    free(e);
}

/* The schema engine's errors in a sweep file, the same as a scenario's: an
 * unknown key with "did you mean", a wrong type, a value out of range, each
 * at the line it is written on (counted in the text below: 1 scenario,
 * 2 collect, 3 replicatons, 4 seed, 5 parameters, 6 the group with steps),
 * and all three reported at once: exactly three lines.  The expected texts
 * are the engine's own messages (config.c: load_group, conv_int,
 * range_error with the table's range 1..1000000 and unit "values"). */
static void file_schema_errors(void **state)
{
    (void)state;
    char path[64], want[160];
    char *e = load_bad("scenario = \"b.cfg\";\n"
                       "collect = [\"final_vpn_share\"];\n"
                       "replicatons = 2;\n"
                       "seed = \"x\";\n"
                       "parameters = (\n"
                       "  { path = \"population.retry\"; from = 0.1; to = 0.5; steps = 0; } );\n",
                       path);
    snprintf(want, sizeof want,
             "%s:3: replicatons: unknown key 'replicatons' (did you mean 'replications'?)\n", path);
    assert_non_null(strstr(e, want));
    snprintf(want, sizeof want, "%s:4: seed: expected an integer, got the string \"x\"\n", path);
    assert_non_null(strstr(e, want));
    snprintf(want, sizeof want,
             "%s:6: parameters.[0].steps: 0 is out of range 1..1000000 values\n", path);
    assert_non_null(strstr(e, want));
    int lines = 0;
    for (const char *p = e; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 3);
    free(e);
}

/* ---- every point against the scenario ----------------------------------------- */

static char *sweep_on_default(const char *params)
{
    static char text[2048];
    snprintf(text, sizeof text,
             "scenario = \"%s/scenarios/whatsapp-then-facetime.cfg\";\n"
             "collect = [\"final_vpn_share\"];\nreplications = 2;\nparameters = (\n%s\n);\n",
             BS_SOURCE_DIR, params);
    return text;
}

/* A misspelt path and a value out of range: reported at the sweep file's
 * line of the parameter, with the loader's message ("did you mean"). */
static void check_maps_errors_to_lines(void **state)
{
    (void)state;
    sweep_spec *s =
        load_ok(sweep_on_default("  { path = \"population.retri\"; values = [0.5]; },\n"
                                 "  { path = \"population.home_region\"; values = [0.5, 2.0]; }"));
    uint64_t hashes[4];
    char *errors = NULL, want[256];
    assert_int_equal(sweep_config_check(s, hashes, &errors), BS_EINPUT);
    snprintf(want, sizeof want,
             "%s:5: parameters.[0] (population.retri=0.5): unknown parameter (did you mean "
             "population.retry?)",
             s->file);
    assert_non_null(strstr(errors, want));
    snprintf(want, sizeof want, "%s:6: parameters.[1] (population.home_region=2.0): ", s->file);
    assert_non_null(strstr(errors, want));
    assert_non_null(strstr(errors, "out of range"));
    free(errors);
    sweep_spec_free(s);
}

/* A good sweep: each run's hash is that of the configuration a worker loads
 * (the scenario with the run's overrides, seed and run included), so that
 * --resume recognises the files the runs wrote; runs differ. */
static void check_hashes_match_workers(void **state)
{
    (void)state;
    sweep_spec *s = load_ok(sweep_on_default("  { path = \"apps.whatsapp.bass_q\"; "
                                             "values = [0.2, 0.4]; }"));
    uint64_t hashes[4];
    char *errors = NULL;
    assert_int_equal(sweep_config_check(s, hashes, &errors), BS_OK);
    assert_null(errors);
    world *w = malloc(sizeof *w);
    for (int k = 0; k < s->n_runs; k++) {
        char **set = NULL;
        int n = sweep_spec_overrides(s, k, 1, &set);
        assert_int_equal(config_load(s->scenario, n, set, w, &errors), BS_OK);
        char *text = config_dump(w);
        assert_true(sweep_config_hash(text) == hashes[k]);
        free(text);
        sweep_spec_free_set(n, set);
        for (int j = 0; j < k; j++)
            assert_true(hashes[j] != hashes[k]);
    }
    free(w);
    sweep_spec_free(s);
}

/* ---- jobs, the index, the points ------------------------------------------------ */

static void job_round_trip(void **state)
{
    (void)state;
    char *set[] = {"a.b=1", "scenario.seed=7"}, *collect[] = {"x", "y"};
    sweep_job j = {42, 3, "s.cfg", "dir/runs/run-00042.h5", 2, set, 2, collect}, back;
    size_t len;
    char *buf = sweep_job_pack(&j, &len);
    assert_non_null(buf);
    assert_int_equal(sweep_job_unpack(buf, len, &back), BS_OK);
    assert_int_equal(back.k, 42);
    assert_int_equal(back.threads, 3);
    assert_string_equal(back.scenario, "s.cfg");
    assert_string_equal(back.out_path, "dir/runs/run-00042.h5");
    assert_int_equal(back.n_set, 2);
    assert_string_equal(back.set[1], "scenario.seed=7");
    assert_string_equal(back.collect[1], "y");
    sweep_job_free(&back);
    /* cut short: refused, not misread */
    assert_int_equal(sweep_job_unpack(buf, len - 1, &back), BS_ERUNTIME);
    free(buf);
}

/* Two points of three replications; point 0's runs are ok with x = 1, 2, 3,
 * point 1 has one failed run (its value is not counted) and x = 10, 12:
 * point 0: n 3, mean 2, sd 1, CI 2 -/+ 4.30265273 / sqrt(3) (t(0.975, 2) =
 * 4.30265273); point 1: n 2, mean 11, CI 11 -/+ 12.7062047362. */
static void index_and_points(void **state)
{
    (void)state;
    sweep_spec *s =
        load_ok("scenario = \"b.cfg\"; collect = [\"x\"]; replications = 3;\n"
                "parameters = ( { path = \"population.retry\"; values = [0.1, 0.9]; } );");
    sweep_row rows[6];
    double values[6] = {1, 2, 3, 10, 99, 12};
    for (int k = 0; k < 6; k++) {
        rows[k] = (sweep_row){k == 4 ? SWEEP_FAILED : SWEEP_OK, 1.5, (uint64_t)k, NULL,
                              k == 4 ? "boom" : NULL};
    }
    results_table *runs = NULL, *points = NULL;
    sweep_layout l;
    assert_int_equal(sweep_index_runs(s, rows, values, &runs), BS_OK);
    assert_int_equal(sweep_index_layout(runs, "t", &l), BS_OK);
    assert_int_equal(l.n_params, 1);
    assert_int_equal(l.n_values, 1);
    assert_string_equal(runs->cols[l.first_param].name, "population.retry");
    assert_string_equal(((char **)runs->cols[l.status].data)[4], "failed");
    assert_string_equal(((char **)runs->cols[l.error].data)[4], "boom");
    assert_string_equal(((char **)runs->cols[l.config_hash].data)[5], "0000000000000005");
    assert_int_equal(sweep_stats_points(runs, &l, &points), BS_OK);
    assert_int_equal(points->n_rows, 2);
    /* point, population.retry, n, x_mean, x_sd, x_ci95_low, x_ci95_high */
    assert_int_equal(points->n_cols, 7);
    assert_string_equal(points->cols[6].name, "x_ci95_high");
    const long long *n = points->cols[2].data;
    const double *retry = points->cols[1].data, *mean = points->cols[3].data,
                 *sd = points->cols[4].data, *lo = points->cols[5].data, *hi = points->cols[6].data;
    assert_true(n[0] == 3 && n[1] == 2);
    assert_true(retry[0] == 0.1 && retry[1] == 0.9);
    NEAR(mean[0], 2.0, 1e-12);
    NEAR(sd[0], 1.0, 1e-12);
    NEAR(lo[0], 2.0 - 4.30265273 / sqrt(3.0), 1e-8);
    NEAR(hi[1], 11.0 + 12.7062047362, 1e-9);
    NEAR(mean[1], 11.0, 1e-12);
    /* as text for gnuplot */
    char path[] = "/tmp/bs-sweep-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    assert_int_equal(sweep_index_write_text(path, "title", points, NULL), BS_OK);
    FILE *f = fopen(path, "r");
    char line[512];
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "# title\n");
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "# point population.retry n x_mean x_sd x_ci95_low x_ci95_high\n");
    assert_non_null(fgets(line, sizeof line, f));
    assert_true(strncmp(line, "0 0.1 3 2 1 ", 12) == 0);
    fclose(f);
    unlink(path);
    results_table_free(runs);
    results_table_free(points);
    sweep_spec_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ci_five_values),
        cmocka_unit_test(ci_two_values),
        cmocka_unit_test(ci_degenerate),
        cmocka_unit_test(grid_order_and_values),
        cmocka_unit_test(common_seeds_and_text_values),
        cmocka_unit_test(bounds_latin_hypercube),
        cmocka_unit_test(designs),
        cmocka_unit_test(file_errors),
        cmocka_unit_test(file_schema_errors),
        cmocka_unit_test(check_maps_errors_to_lines),
        cmocka_unit_test(check_hashes_match_workers),
        cmocka_unit_test(job_round_trip),
        cmocka_unit_test(index_and_points),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
