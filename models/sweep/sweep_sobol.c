/* sweep_sobol: Sobol indices with bootstrap intervals, and where they are
 * written (see sweep_sobol.h). */
#include "sweep/sweep_sobol.h"

#include "base/rng.h"
#include "base/status.h"

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The indices of every parameter over the base samples rows[0..m-1] (with
 * repeats, for a bootstrap resample) into s1[k] and st[k]. */
static void indices(const double *y, int n, int k, const int *rows, int m, double *s1,
                    double *st)
{
    double sum = 0, ss = 0;
    for (int t = 0; t < m; t++)
        sum += y[rows[t]] + y[n + rows[t]];
    double mean = sum / (2.0 * m);
    for (int t = 0; t < m; t++) {
        double da = y[rows[t]] - mean, db = y[n + rows[t]] - mean;
        ss += da * da + db * db;
    }
    double v = m >= 2 ? ss / (2.0 * m - 1) : 0;
    for (int i = 0; i < k; i++) {
        double first = 0, total = 0;
        const double *ab = y + (size_t)(2 + i) * (size_t)n;
        for (int t = 0; t < m; t++) {
            int j = rows[t];
            first += (y[n + j] - mean) * (ab[j] - y[j]); /* Saltelli 2010, centred */
            total += (y[j] - ab[j]) * (y[j] - ab[j]);    /* Jansen 1999 */
        }
        s1[i] = v > 0 ? first / m / v : NAN;
        st[i] = v > 0 ? total / (2.0 * m) / v : NAN;
    }
}

/* The percentile interval of the finite values among x[0], x[stride], ...
 * (sorted in place into buf). */
static void percentiles(const double *x, int count, int stride, double level, double *buf,
                        double *lo, double *hi)
{
    int m = 0;
    for (int b = 0; b < count; b++)
        if (isfinite(x[(size_t)b * (size_t)stride]))
            buf[m++] = x[(size_t)b * (size_t)stride];
    *lo = *hi = NAN;
    if (m < 2)
        return;
    gsl_sort(buf, 1, (size_t)m);
    *lo = gsl_stats_quantile_from_sorted_data(buf, 1, (size_t)m, (1 - level) / 2);
    *hi = gsl_stats_quantile_from_sorted_data(buf, 1, (size_t)m, 1 - (1 - level) / 2);
}

int sweep_sobol_estimate(const double *y, int n, int k, int resamples, double level,
                         uint64_t seed, uint64_t run, sweep_sobol_index *out, int *used)
{
    int *ok = calloc((size_t)n + 1, sizeof *ok), *rows = calloc((size_t)n + 1, sizeof *rows);
    double *s1 = malloc((size_t)k * sizeof *s1), *st = malloc((size_t)k * sizeof *st);
    size_t nb = (size_t)resamples * (size_t)k;
    double *b1 = malloc(nb * sizeof *b1), *bt = malloc(nb * sizeof *bt);
    double *buf = malloc((size_t)resamples * sizeof *buf);
    gsl_rng *r = rng_stream(seed, run, "sweep-sobol-bootstrap");
    int st_ = BS_OK;
    if (!ok || !rows || !s1 || !st || !b1 || !bt || !buf || !r) {
        st_ = bs_nomem("Sobol indices (sweep)");
        goto done;
    }
    int m = 0;
    for (int j = 0; j < n; j++) {
        int good = 1;
        for (int b = 0; b < k + 2 && good; b++)
            good = isfinite(y[(size_t)b * (size_t)n + (size_t)j]);
        if (good)
            ok[m++] = j;
    }
    *used = m;
    indices(y, n, k, ok, m, s1, st);
    for (int b = 0; b < resamples && m >= 2; b++) {
        for (int t = 0; t < m; t++)
            rows[t] = ok[rng_below(r, (uint64_t)m)];
        indices(y, n, k, rows, m, b1 + (size_t)b * (size_t)k, bt + (size_t)b * (size_t)k);
    }
    for (int i = 0; i < k; i++) {
        sweep_sobol_index *o = &out[i];
        o->s1 = m >= 2 ? s1[i] : NAN;
        o->st = m >= 2 ? st[i] : NAN;
        o->s1_low = o->s1_high = o->st_low = o->st_high = NAN;
        if (m >= 2) {
            percentiles(b1 + i, resamples, k, level, buf, &o->s1_low, &o->s1_high);
            percentiles(bt + i, resamples, k, level, buf, &o->st_low, &o->st_high);
        }
    }
done:
    if (r)
        gsl_rng_free(r);
    free(ok);
    free(rows);
    free(s1);
    free(st);
    free(b1);
    free(bt);
    free(buf);
    return st_;
}

void sweep_sobol_free(sweep_sobol *s)
{
    if (!s)
        return;
    for (int i = 0; s->params && i < s->k; i++)
        free(s->params[i]);
    for (int v = 0; s->numbers && v < s->n_numbers; v++)
        free(s->numbers[v]);
    free(s->params);
    free(s->numbers);
    free(s->used);
    free(s->ix);
    free(s);
}

int sweep_sobol_compute(const results_table *runs, const sweep_layout *l,
                        const results_table *points, int n_base, uint64_t seed,
                        sweep_sobol **out)
{
    *out = NULL;
    int k = l->n_params, nv = l->n_values, first_stat = 1 + k + 1;
    if (k < 1 || n_base < 2 || points->n_rows != n_base * (k + 2) ||
        points->n_cols != first_stat + 4 * nv)
        return bs_fail(BS_EINPUT,
                       "sweep: the index does not hold a Saltelli design of %d base samples "
                       "(%d points, %d parameters)",
                       n_base, points->n_rows, k);
    sweep_sobol *s = calloc(1, sizeof *s);
    double *y = malloc((size_t)points->n_rows * sizeof *y);
    int bad = !s || !y;
    if (!bad) {
        s->n_base = n_base;
        s->k = k;
        s->n_numbers = nv;
        s->resamples = SWEEP_SOBOL_RESAMPLES;
        s->level = SWEEP_SOBOL_LEVEL;
        s->seed = seed;
        s->params = calloc((size_t)k, sizeof *s->params);
        s->numbers = calloc(nv ? (size_t)nv : 1, sizeof *s->numbers);
        s->used = calloc(nv ? (size_t)nv : 1, sizeof *s->used);
        s->ix = calloc(nv ? (size_t)nv * (size_t)k : 1, sizeof *s->ix);
        bad = !s->params || !s->numbers || !s->used || !s->ix;
    }
    for (int i = 0; i < k && !bad; i++)
        bad = !(s->params[i] = strdup(runs->cols[l->first_param + i].name));
    int st = bad ? bs_nomem("Sobol indices (sweep)") : BS_OK;
    for (int v = 0; v < nv && st == BS_OK; v++) {
        if (!(s->numbers[v] = strdup(runs->cols[l->first_value + v].name))) {
            st = bs_nomem("Sobol indices (sweep)");
            break;
        }
        const double *mean = points->cols[first_stat + 4 * v].data; /* X_mean */
        memcpy(y, mean, (size_t)points->n_rows * sizeof *y);
        st = sweep_sobol_estimate(y, n_base, k, s->resamples, s->level, seed, (uint64_t)v,
                                  s->ix + (size_t)v * (size_t)k, &s->used[v]);
    }
    free(y);
    if (st != BS_OK) {
        sweep_sobol_free(s);
        return st;
    }
    *out = s;
    return BS_OK;
}

int sweep_sobol_write(results *r, const sweep_sobol *s)
{
    static const char *const names[] = {"S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"};
    static const char *const descs[] = {
        "First-order Sobol index (Saltelli et al. 2010, Table 2 (b))",
        "Low end of the first-order index's bootstrap percentile interval",
        "High end of the first-order index's bootstrap percentile interval",
        "Total Sobol index (Jansen 1999; Saltelli et al. 2010, Table 2 (f))",
        "Low end of the total index's bootstrap percentile interval",
        "High end of the total index's bootstrap percentile interval"};
    size_t cells = (size_t)s->n_numbers * (size_t)s->k;
    double *d = malloc((cells ? cells : 1) * sizeof *d);
    if (!d)
        return bs_nomem("writing Sobol indices (sweep)");
    const char *const dims2[] = {"sobol_number", "sobol_parameter"};
    int st = results_dim_names(r, "sobol_number", s->n_numbers, (const char *const *)s->numbers,
                               "The collected numbers whose Sobol indices /sobol holds");
    if (st == BS_OK)
        st = results_dim_names(r, "sobol_parameter", s->k, (const char *const *)s->params,
                               "The parameters of the Saltelli design");
    for (int q = 0; q < 6 && st == BS_OK; q++) {
        char path[32];
        for (size_t c = 0; c < cells; c++) {
            const sweep_sobol_index *x = &s->ix[c];
            const double v[6] = {x->s1, x->s1_low, x->s1_high, x->st, x->st_low, x->st_high};
            d[c] = v[q];
        }
        snprintf(path, sizeof path, "/sobol/%s", names[q]);
        st = results_write(r, path, 2, dims2, d, "", descs[q]);
    }
    for (int v = 0; v < s->n_numbers && st == BS_OK; v++)
        d[v] = s->used[v];
    if (st == BS_OK)
        st = results_write(r, "/sobol/base_samples_used", 1, dims2, d, "samples",
                           "Base samples whose k + 2 points all have a value");
    free(d);
    if (st == BS_OK)
        st = results_attr_int(r, "/sobol", "base_samples", s->n_base);
    if (st == BS_OK)
        st = results_attr_int(r, "/sobol", "bootstrap_resamples", s->resamples);
    if (st == BS_OK)
        st = results_attr_double(r, "/sobol", "confidence_level", s->level);
    if (st == BS_OK)
        st = results_attr_str(r, "/sobol", "bootstrap_stream",
                              "sweep-sobol-bootstrap (rng.h), seeded from the sweep's seed, run = "
                              "the number's place in sobol_number");
    if (st == BS_OK)
        st = results_attr_str(r, "/sobol", "method",
                              "Saltelli design from a Sobol sequence; a point's value is the mean "
                              "over its replications; percentile bootstrap intervals over the base "
                              "samples (models/README.md, Sobol indices)");
    if (st == BS_OK)
        st = results_attr_int(r, "/summary", "sobol_base_samples", s->n_base);
    if (st == BS_OK)
        st = results_attr_int(r, "/summary", "sobol_seed", (long long)s->seed);
    return st;
}

static void put_number(FILE *f, double x)
{
    if (isfinite(x))
        fprintf(f, " %.6g", x);
    else
        fputs(" NaN", f);
}

void sweep_sobol_text(FILE *f, const sweep_sobol *s)
{
    for (int v = 0; v < s->n_numbers; v++) {
        fprintf(f,
                "\n\n# Sobol indices of %s: first order S1 (Saltelli 2010), total ST (Jansen "
                "1999), %g%% bootstrap percentile intervals (%d resamples of %d of %d base "
                "samples)\n# parameter S1 S1_low S1_high ST ST_low ST_high\n",
                s->numbers[v], 100 * s->level, s->resamples, s->used[v], s->n_base);
        for (int i = 0; i < s->k; i++) {
            const sweep_sobol_index *x = &s->ix[(size_t)v * (size_t)s->k + (size_t)i];
            sweep_index_put_cell(f, s->params[i]);
            put_number(f, x->s1);
            put_number(f, x->s1_low);
            put_number(f, x->s1_high);
            put_number(f, x->st);
            put_number(f, x->st_low);
            put_number(f, x->st_high);
            fputc('\n', f);
        }
    }
}

int sweep_sobol_design_of(const char *path, int *n_base, uint64_t *seed)
{
    results_numbers *nums = NULL;
    int st = results_read_numbers(path, &nums);
    if (st != BS_OK)
        return st;
    int found = 0;
    double n = NAN, sd = NAN;
    for (int i = 0; i < nums->n; i++) {
        if (strcmp(nums->names[i], "sobol_base_samples") == 0)
            n = nums->values[i];
        else if (strcmp(nums->names[i], "sobol_seed") == 0)
            sd = nums->values[i];
    }
    if (n >= 2 && n <= 1e6 && sd >= 0 && sd <= 4294967295.0) {
        *n_base = (int)n;
        *seed = (uint64_t)sd;
        found = 1;
    }
    results_numbers_free(nums);
    return found;
}
