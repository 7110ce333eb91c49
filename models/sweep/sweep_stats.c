/* sweep_stats: mean, standard deviation and Student t confidence interval
 * per parameter point (see sweep_stats.h). */
#include "sweep/sweep_stats.h"

#include "base/status.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

sweep_ci sweep_stats_ci(const double *x, int n)
{
    sweep_ci ci = {0, NAN, NAN, NAN, NAN};
    double *v = malloc((n > 0 ? (size_t)n : 1) * sizeof *v);
    if (!v)
        return ci;
    for (int i = 0; i < n; i++)
        if (isfinite(x[i]))
            v[ci.n++] = x[i];
    if (ci.n >= 1)
        ci.mean = gsl_stats_mean(v, 1, (size_t)ci.n);
    if (ci.n >= 2) {
        ci.sd = gsl_stats_sd_m(v, 1, (size_t)ci.n, ci.mean);
        double half = gsl_cdf_tdist_Pinv(0.975, ci.n - 1) * ci.sd / sqrt(ci.n);
        ci.low = ci.mean - half;
        ci.high = ci.mean + half;
    }
    free(v);
    return ci;
}

static const char *const stat_names[] = {"mean", "sd", "ci95_low", "ci95_high"};
enum { N_STATS = 4 };

int sweep_stats_points(const results_table *runs, const sweep_layout *l, results_table **out)
{
    const long long *point = runs->cols[l->point].data;
    char *const *status = runs->cols[l->status].data;
    int n_points = 0;
    for (int r = 0; r < runs->n_rows; r++)
        if (point[r] + 1 > n_points)
            n_points = (int)point[r] + 1;
    int first_stat = 1 + l->n_params + 1;
    int n_cols = first_stat + N_STATS * l->n_values;
    results_table *t = calloc(1, sizeof *t);
    size_t rows = runs->n_rows ? (size_t)runs->n_rows : 1;
    int *first = malloc(((size_t)n_points + 1) * sizeof *first);
    int *seen = calloc((size_t)n_points + 1, sizeof *seen), *order = malloc(rows * sizeof *order);
    double *x = malloc(rows * sizeof *x);
    int bad = !t || !first || !seen || !order || !x ||
              !(t->cols = calloc((size_t)n_cols, sizeof *t->cols));
    if (!bad) {
        t->n_rows = n_points;
        t->n_cols = n_cols;
    }
    for (int c = 0; c < n_cols && !bad; c++) {
        results_column *col = &t->cols[c];
        char name[300];
        if (c == 0 || c == first_stat - 1) {
            snprintf(name, sizeof name, "%s", c ? "n" : "point");
            col->type = RCOL_INT;
            col->units = strdup(c ? "runs" : "");
        } else if (c < first_stat) {
            const results_column *p = &runs->cols[l->first_param + c - 1];
            snprintf(name, sizeof name, "%s", p->name);
            col->type = p->type;
            col->units = strdup(p->units);
        } else {
            const results_column *v = &runs->cols[l->first_value + (c - first_stat) / N_STATS];
            snprintf(name, sizeof name, "%s_%s", v->name, stat_names[(c - first_stat) % N_STATS]);
            col->type = RCOL_DOUBLE;
            col->units = strdup(v->units);
        }
        col->name = strdup(name);
        col->data = calloc(n_points ? (size_t)n_points : 1, 8);
        bad = !col->name || !col->units || !col->data;
    }
    /* The runs of each point, in order: first[p] .. first[p + 1] in order[]. */
    for (int p = 0; p <= n_points && !bad; p++)
        first[p] = 0;
    for (int r = 0; r < runs->n_rows && !bad; r++)
        first[point[r] + 1]++;
    for (int p = 0; p < n_points && !bad; p++)
        first[p + 1] += first[p];
    for (int r = 0; r < runs->n_rows && !bad; r++)
        order[first[point[r]] + seen[point[r]]++] = r;
    for (int p = 0; p < n_points && !bad; p++) {
        int lo = first[p], hi = first[p + 1], r0 = lo < hi ? order[lo] : -1;
        ((long long *)t->cols[0].data)[p] = p;
        int ok = 0;
        for (int i = lo; i < hi; i++)
            ok += strcmp(status[order[i]], "ok") == 0;
        ((long long *)t->cols[first_stat - 1].data)[p] = ok;
        for (int j = 0; j < l->n_params && !bad; j++) {
            const results_column *src = &runs->cols[l->first_param + j];
            void *dst = (void *)t->cols[1 + j].data;
            if (src->type == RCOL_STRING)
                bad = !(((char **)dst)[p] = strdup(r0 >= 0 ? ((char *const *)src->data)[r0] : ""));
            else if (src->type == RCOL_INT)
                ((long long *)dst)[p] = r0 >= 0 ? ((const long long *)src->data)[r0] : 0;
            else
                ((double *)dst)[p] = r0 >= 0 ? ((const double *)src->data)[r0] : NAN;
        }
        for (int v = 0; v < l->n_values; v++) {
            const double *col = runs->cols[l->first_value + v].data;
            int n = 0;
            for (int i = lo; i < hi; i++)
                if (strcmp(status[order[i]], "ok") == 0)
                    x[n++] = col[order[i]];
            sweep_ci ci = sweep_stats_ci(x, n);
            double stats[N_STATS] = {ci.mean, ci.sd, ci.low, ci.high};
            for (int k = 0; k < N_STATS; k++)
                ((double *)t->cols[first_stat + N_STATS * v + k].data)[p] = stats[k];
        }
    }
    free(first);
    free(order);
    free(seen);
    free(x);
    if (bad) {
        results_table_free(t);
        return bs_nomem("summarising (sweep)");
    }
    *out = t;
    return BS_OK;
}
