/* plot_band: the mean of a figure over replications, with the 95% interval
 * of each mean (plot_internal.h; the statistics of base/mean_ci.h). */
#include "analysis/plot_internal.h"

#include "base/mean_ci.h"
#include "base/status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BAND_FIGS 16 /* more than the standard figures of plot.c */

typedef struct band_fig {
    char name[64];
    int n_days, n_cols, seen, differs;
    char **cols; /* replication 0's column names */
    double *x;   /* [rep][day][col] */
    double *out; /* while drawing: mean, lo, hi, each [day][col] */
    char note[160];
} band_fig;

struct plot_band {
    int reps, k; /* k: the replication gathered, -1 while drawing */
    int n;
    band_fig f[BAND_FIGS];
};

struct plot_band *plot_band_new(int reps)
{
    struct plot_band *b = calloc(1, sizeof *b);
    if (b)
        b->reps = reps;
    return b;
}

void plot_band_free(struct plot_band *b)
{
    if (!b)
        return;
    for (int i = 0; i < b->n; i++) {
        for (int c = 0; b->f[i].cols && c < b->f[i].n_cols; c++)
            free(b->f[i].cols[c]);
        free(b->f[i].cols);
        free(b->f[i].x);
        free(b->f[i].out);
    }
    free(b);
}

void plot_band_pass(struct plot_band *b, int k) { b->k = k; }

static band_fig *find(struct plot_band *b, const char *name)
{
    for (int i = 0; i < b->n; i++)
        if (strcmp(b->f[i].name, name) == 0)
            return &b->f[i];
    return NULL;
}

/* Keep replication k's values of g (the first replication sets the shape
 * and the column names the others must have). */
static int gather(struct plot_band *b, const run *r, const figure *g)
{
    band_fig *f = find(b, g->name);
    if (!f) {
        if (b->k != 0 || b->n == BAND_FIGS) /* a figure replication 0 did not draw */
            return BS_OK;
        f = &b->f[b->n++];
        snprintf(f->name, sizeof f->name, "%s", g->name);
        f->n_days = r->n_days;
        f->n_cols = g->n_cols;
        f->cols = calloc((size_t)g->n_cols + 1, sizeof *f->cols);
        f->x = malloc(sizeof(double) * ((size_t)b->reps * r->n_days * g->n_cols + 1));
        for (int c = 0; f->cols && c < g->n_cols; c++)
            if (!(f->cols[c] = strdup(g->cols[c])))
                f->x = (free(f->x), NULL);
        if (!f->cols || !f->x)
            return bs_nomem("the replications of figure %s (plot)", g->name);
    }
    if (f->differs || f->seen != b->k)
        return BS_OK;
    int same = r->n_days == f->n_days && g->n_cols == f->n_cols;
    for (int c = 0; same && c < g->n_cols; c++)
        same = strcmp(g->cols[c], f->cols[c]) == 0;
    if (!same) {
        f->differs = 1;
        return BS_OK;
    }
    size_t cells = (size_t)f->n_days * f->n_cols;
    memcpy(f->x + (size_t)b->k * cells, g->v, cells * sizeof(double));
    f->seen++;
    return BS_OK;
}

/* Mean and interval of every cell of f over its replications. */
static int summarise(struct plot_band *b, band_fig *f)
{
    size_t cells = (size_t)f->n_days * f->n_cols;
    double *one = malloc(sizeof(double) * ((size_t)b->reps + 1));
    f->out = malloc(sizeof(double) * (3 * cells + 1));
    if (!one || !f->out) {
        free(one);
        return bs_nomem("the mean of figure %s over %d replications (plot)", f->name, b->reps);
    }
    for (size_t i = 0; i < cells; i++) {
        for (int k = 0; k < b->reps; k++)
            one[k] = f->x[(size_t)k * cells + i];
        mean_ci ci = mean_ci_of(one, b->reps);
        f->out[i] = ci.mean;
        f->out[cells + i] = ci.low;
        f->out[2 * cells + i] = ci.high;
    }
    free(one);
    return BS_OK;
}

int plot_band_figure(struct plot_band *b, const run *r, const figure *g, figure *out, int *drawn)
{
    *out = *g;
    if (b->k >= 0) {
        *drawn = 0;
        return gather(b, r, g);
    }
    *drawn = 1;
    band_fig *f = find(b, g->name);
    if (!f || f->differs || f->seen != b->reps) {
        if (f) {
            snprintf(f->note, sizeof f->note,
                     "replication 0 of %d (the replications differ in what this figure shows)",
                     b->reps);
            out->note = f->note;
        }
        return BS_OK;
    }
    if (!f->out)
        BS_TRY(summarise(b, f));
    size_t cells = (size_t)f->n_days * f->n_cols;
    out->v = f->out;
    out->lo = f->out + cells;
    out->hi = f->out + 2 * cells;
    out->reps = b->reps;
    snprintf(f->note, sizeof f->note,
             "mean of %d replications; %s: 95%% confidence interval of the mean", b->reps,
             g->n_stack > 0 ? "bands around the lines" : "band");
    out->note = f->note;
    return BS_OK;
}
