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
#include "sweep/sweep_sobol.h"
#include "sweep/sweep_spec.h"
#include "base/mean_ci.h"
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
    mean_ci ci = mean_ci_of(x, 5);
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
    mean_ci ci = mean_ci_of(x, 3);
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
    mean_ci ci = mean_ci_of(same, 3);
    assert_true(ci.sd == 0 && ci.low == 2 && ci.high == 2 && ci.mean == 2);
    ci = mean_ci_of(one, 1);
    assert_true(ci.n == 1 && ci.mean == 7 && isnan(ci.sd) && isnan(ci.low) && isnan(ci.high));
    ci = mean_ci_of(one, 0);
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

/* Range values are the decimals a user would write: a log range from 0.03
 * to 3 in 3 steps is 0.03, 0.3, 3 and a linear range from 0.1 to 0.5 in 5
 * steps 0.1 ... 0.5, as the literals (exp(log(0.03) + (log(3) -
 * log(0.03)) / 2) is 0.30000000000000004 and 0.1 + 0.5 * 0.4 too, by hand
 * in Python), and their text is "0.3", not "0.30000000000000004". */
static void range_values_exact(void **state)
{
    (void)state;
    sweep_spec *s = load_ok("scenario = \"/nonexistent/base.cfg\";\n"
                            "collect = [\"final_vpn_share\"];\n"
                            "parameters = (\n"
                            "  { path = \"population.retry\"; from = 0.03; to = 3.0; "
                            "steps = 3; scale = \"log\"; },\n"
                            "  { path = \"population.contacts_mean\"; from = 0.1; to = 0.5; "
                            "steps = 5; }\n"
                            ");\n");
    assert_int_equal(s->n_points, 15);
    const double logv[3] = {0.03, 0.3, 3.0}, linv[5] = {0.1, 0.2, 0.3, 0.4, 0.5};
    const char *logt[3] = {"0.03", "0.3", "3.0"}, *lint[5] = {"0.1", "0.2", "0.3", "0.4", "0.5"};
    for (int p = 0; p < 15; p++) {
        assert_true(s->point_number[p * 2] == logv[p / 5]);
        assert_string_equal(s->point_text[p * 2], logt[p / 5]);
        assert_true(s->point_number[p * 2 + 1] == linv[p % 5]);
        assert_string_equal(s->point_text[p * 2 + 1], lint[p % 5]);
    }
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

/* ---- Sobol indices ------------------------------------------------------------- */

/* Saltelli's design (sweep_sample.h): of n = 16 base samples and k = 3
 * parameters, n (k + 2) = 80 rows; block 0 is A, block 1 is B, block 2 + i
 * is A with column i from B; every coordinate is in (0,1) (GSL's sequence
 * starts at 1/2) and the rows of A and B differ (they are different
 * dimensions of one Sobol point) but for the first, all 1/2. */
static void saltelli_design(void **state)
{
    (void)state;
    enum { N = 16, K = 3 };
    double u[N * (K + 2) * K];
    assert_int_equal(sweep_sample_saltelli(N, K, u), BS_OK);
    for (int j = 0; j < N; j++) {
        const double *a = u + (size_t)j * K, *b = u + (size_t)(N + j) * K;
        int differ = 0;
        for (int c = 0; c < K; c++) {
            assert_true(a[c] > 0 && a[c] < 1 && b[c] > 0 && b[c] < 1);
            differ |= a[c] != b[c];
        }
        assert_true(differ == (j > 0));
        for (int i = 0; i < K; i++) {
            const double *ab = u + (size_t)((2 + i) * N + j) * K;
            for (int c = 0; c < K; c++)
                assert_true(ab[c] == (c == i ? b[c] : a[c]));
        }
    }
    assert_true(u[0] == 0.5 && u[N * K] == 0.5); /* the first Sobol point */
    assert_int_equal(sweep_sample_saltelli(N, SWEEP_SALTELLI_MAX_PARAMS + 1, u), BS_EINPUT);
}

/* The Ishigami function (Ishigami and Homma 1990), x1, x2, x3 uniform on
 * [-pi, pi]:  f = sin x1 + a sin^2 x2 + b x3^4 sin x1,  a = 7, b = 0.1.
 * Its variance decomposition (Sobol' and Levitan 1999; Saltelli et al.
 * 2010, section 5) with E[sin^2] = 1/2, E[sin^4] = 3/8, E[x^4] = pi^4/5,
 * E[x^8] = pi^8/9:
 *   V1  = Var E[f|x1] = (1 + b pi^4/5)^2 / 2      = 4.345888
 *   V2  = Var E[f|x2] = a^2 (3/8 - 1/4) = a^2/8    = 6.125
 *   V3  = 0 (x3 enters only through x3^4 sin x1, of mean 0 given x3)
 *   V13 = b^2 sin-term: b^2 (pi^8/9 - pi^8/25) / 2 = 8 b^2 pi^8 / 225 = 3.373700
 *   V   = V1 + V2 + V13 = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2 = 13.844588
 * so S1 = V1/V = 0.3139, S2 = V2/V = 0.4424, S3 = 0, and ST1 = (V1 + V13)/V
 * = 0.5576, ST2 = 0.4424, ST3 = V13/V = 0.2437.  Estimated by the code the
 * sweep uses (sweep_sample_saltelli, sweep_sobol_estimate) from 1024 base
 * samples (5120 evaluations), each analytic value must lie within its 95%
 * bootstrap interval, and the intervals must be narrower than 0.25 (at this
 * N they are about 0.1 wide: Saltelli et al. 2010, figure 3, put the
 * estimators' error at about 0.05 for N ~ 1000). */
static double ishigami(const double *u)
{
    double x[3];
    for (int c = 0; c < 3; c++)
        x[c] = -M_PI + 2 * M_PI * u[c];
    return sin(x[0]) + 7 * sin(x[1]) * sin(x[1]) + 0.1 * pow(x[2], 4) * sin(x[0]);
}

static void sobol_ishigami(void **state)
{
    (void)state;
    enum { N = 1024, K = 3 };
    const double v1 = pow(1 + 0.1 * pow(M_PI, 4) / 5, 2) / 2, v2 = 49.0 / 8,
                 v13 = 8 * 0.01 * pow(M_PI, 8) / 225, v = v1 + v2 + v13;
    const double s1[K] = {v1 / v, v2 / v, 0}, st[K] = {(v1 + v13) / v, v2 / v, v13 / v};
    NEAR(s1[0], 0.3139, 5e-5); /* the published values */
    NEAR(s1[1], 0.4424, 5e-5);
    NEAR(st[0], 0.5576, 5e-5);
    NEAR(st[2], 0.2437, 5e-5);
    double *u = malloc(sizeof(double) * N * (K + 2) * K), *y = malloc(sizeof(double) * N * (K + 2));
    assert_non_null(u);
    assert_non_null(y);
    assert_int_equal(sweep_sample_saltelli(N, K, u), BS_OK);
    for (int r = 0; r < N * (K + 2); r++)
        y[r] = ishigami(u + (size_t)r * K);
    sweep_sobol_index ix[K], again[K];
    int used = 0;
    assert_int_equal(sweep_sobol_estimate(y, N, K, SWEEP_SOBOL_RESAMPLES, SWEEP_SOBOL_LEVEL, 7, 0,
                                          ix, &used),
                     BS_OK);
    assert_int_equal(used, N);
    for (int i = 0; i < K; i++) {
        fprintf(stderr, "x%d: S1 %.4f [%.4f, %.4f] (analytic %.4f)  ST %.4f [%.4f, %.4f] (%.4f)\n",
                i + 1, ix[i].s1, ix[i].s1_low, ix[i].s1_high, s1[i], ix[i].st, ix[i].st_low,
                ix[i].st_high, st[i]);
        assert_true(ix[i].s1_low <= s1[i] && s1[i] <= ix[i].s1_high);
        assert_true(ix[i].st_low <= st[i] && st[i] <= ix[i].st_high);
        assert_true(ix[i].s1_low <= ix[i].s1 && ix[i].s1 <= ix[i].s1_high);
        assert_true(ix[i].st_low <= ix[i].st && ix[i].st <= ix[i].st_high);
        assert_true(ix[i].s1_high - ix[i].s1_low < 0.25);
        assert_true(ix[i].st_high - ix[i].st_low < 0.25);
    }
    /* deterministic: the same stream gives the same intervals, another
     * stream (another number's) other ones */
    assert_int_equal(sweep_sobol_estimate(y, N, K, SWEEP_SOBOL_RESAMPLES, SWEEP_SOBOL_LEVEL, 7, 0,
                                          again, &used),
                     BS_OK);
    assert_memory_equal(ix, again, sizeof ix);
    assert_int_equal(sweep_sobol_estimate(y, N, K, SWEEP_SOBOL_RESAMPLES, SWEEP_SOBOL_LEVEL, 7, 1,
                                          again, &used),
                     BS_OK);
    assert_true(again[0].s1 == ix[0].s1 && again[0].s1_low != ix[0].s1_low);
    /* a base sample with a value missing (a failed run) is left out */
    y[N + 5] = NAN;
    assert_int_equal(sweep_sobol_estimate(y, N, K, 10, SWEEP_SOBOL_LEVEL, 7, 0, again, &used),
                     BS_OK);
    assert_int_equal(used, N - 1);
    assert_true(isfinite(again[0].s1) && isfinite(again[2].st_high));
    free(u);
    free(y);
}

/* A sweep file with sample.method = "saltelli" (or --sobol N): N (k + 2)
 * points, block after block, on each parameter's bounds and scale: point
 * 2N + j (block A_B^(1)) has parameter 0 of point N + j (B) and parameter 1
 * of point j (A). */
static void saltelli_sweep_file(void **state)
{
    (void)state;
    static const char text[] = "scenario = \"/nonexistent/base.cfg\";\n"
                               "collect = [\"final_vpn_share\"];\n"
                               "replications = 2;\n"
                               "parameters = (\n"
                               "  { path = \"population.retry\"; bounds = [0.2, 0.6]; },\n"
                               "  { path = \"apps.a.bass_q\"; bounds = [0.1, 1.0]; scale = \"log\"; }\n"
                               ");\n";
    char file[sizeof text + 64];
    snprintf(file, sizeof file, "%ssample = { method = \"saltelli\"; points = 4; };\n", text);
    sweep_spec *s = load_ok(file);
    assert_int_equal(s->method, SWEEP_SALTELLI);
    assert_int_equal(s->n_points, 4 * (2 + 2));
    assert_int_equal(s->n_runs, 2 * 16);
    for (int j = 0; j < 4; j++) {
        const double *a = s->point_number + 2 * j, *b = s->point_number + 2 * (4 + j);
        const double *ab1 = s->point_number + 2 * (8 + j), *ab2 = s->point_number + 2 * (12 + j);
        assert_true(ab1[0] == b[0] && ab1[1] == a[1] && ab2[0] == a[0] && ab2[1] == b[1]);
        assert_true(a[0] >= 0.2 && a[0] <= 0.6 && b[1] >= 0.1 && b[1] <= 1.0);
    }
    /* the first Sobol point (1/2, ...): the middle of the linear bounds,
     * the geometric middle of the log ones */
    NEAR(s->point_number[0], 0.4, 1e-12);
    NEAR(s->point_number[1], sqrt(0.1), 1e-12);
    sweep_spec_free(s);
    /* --sobol 3 instead of the file's `sample` (here none) */
    const char *path = write_sweep(text);
    char *errors = NULL;
    assert_int_equal(sweep_spec_load_sobol(path, 3, &s, &errors), BS_OK);
    assert_int_equal(s->n_points, 3 * 4);
    sweep_spec_free(s);
    unlink(path);
}

/* What a Saltelli design refuses, each with the file's line: N < 2, a
 * parameter without bounds, more than 20 parameters; and with --sobol. */
static void saltelli_errors(void **state)
{
    (void)state;
    char path[64], want[200];
    char *e = load_bad("scenario = \"b.cfg\";\n"
                       "collect = [\"x\"];\n"
                       "parameters = (\n"
                       "  { path = \"population.retry\"; values = [0.1, 0.5]; },\n"
                       "  { path = \"population.scale\"; bounds = [1.0, 5.0]; } );\n"
                       "sample = { method = \"saltelli\";\n"
                       "  points = 1; };\n",
                       path);
    snprintf(want, sizeof want,
             "%s:7: sample.points: sample.method = \"saltelli\": Sobol indices need at least 2 "
             "base samples, not 1",
             path);
    assert_non_null(strstr(e, want));
    snprintf(want, sizeof want,
             "%s:4: parameters.[0]: sample.method = \"saltelli\": Sobol indices need bounds", path);
    assert_non_null(strstr(e, want));
    free(e);
    /* 21 parameters with bounds */
    char big[8192];
    int o = snprintf(big, sizeof big, "scenario = \"b.cfg\";\ncollect = [\"x\"];\nparameters = (\n");
    for (int j = 0; j < 21; j++)
        o += snprintf(big + o, sizeof big - (size_t)o,
                      "  { path = \"apps.a%d.bass_q\"; bounds = [0.1, 0.5]; }%s\n", j,
                      j < 20 ? "," : "");
    snprintf(big + o, sizeof big - (size_t)o, ");\nsample = { method = \"saltelli\"; points = 4; };\n");
    e = load_bad(big, path);
    snprintf(want, sizeof want,
             "%s:3: parameters: sample.method = \"saltelli\": a Saltelli design takes at most 20 "
             "parameters",
             path);
    assert_non_null(strstr(e, want));
    free(e);
    /* --sobol N: the same rules, named after the option */
    const char *file = write_sweep("scenario = \"b.cfg\";\ncollect = [\"x\"];\nparameters = (\n"
                                   "  { path = \"population.retry\"; from = 0.1; to = 0.5; "
                                   "steps = 2; } );\n");
    sweep_spec *s = NULL;
    assert_int_equal(sweep_spec_load_sobol(file, 4, &s, &e), BS_EINPUT);
    snprintf(want, sizeof want, "%s:4: parameters.[0]: --sobol: Sobol indices need bounds", file);
    assert_non_null(strstr(e, want));
    free(e);
    unlink(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ci_five_values),
        cmocka_unit_test(ci_two_values),
        cmocka_unit_test(ci_degenerate),
        cmocka_unit_test(grid_order_and_values),
        cmocka_unit_test(range_values_exact),
        cmocka_unit_test(common_seeds_and_text_values),
        cmocka_unit_test(bounds_latin_hypercube),
        cmocka_unit_test(designs),
        cmocka_unit_test(file_errors),
        cmocka_unit_test(file_schema_errors),
        cmocka_unit_test(check_maps_errors_to_lines),
        cmocka_unit_test(check_hashes_match_workers),
        cmocka_unit_test(job_round_trip),
        cmocka_unit_test(index_and_points),
        cmocka_unit_test(saltelli_design),
        cmocka_unit_test(sobol_ishigami),
        cmocka_unit_test(saltelli_sweep_file),
        cmocka_unit_test(saltelli_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
