/* calib_out: posterior.h5, summary.txt, fitted.cfg and fit.png of a
 * calibration (see calib_out.h). */
#define _GNU_SOURCE
#include "cli/calib_out.h"

#include "analysis/plot_internal.h"
#include "base/atomic.h"
#include "base/hash.h"
#include "base/quote.h"
#include "base/status.h"
#include "io/results.h"
#include "analysis/obs_map.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t text_hash(const calib_spec *s)
{
    return hash_fnv1a64(s->text, strlen(s->text), HASH_FNV1A64_BASIS);
}

void calib_out_label(const calib_spec *s, int o, char *buf, size_t size)
{
    static const char *const short_names[N_OBS_MEASURES] = {"daily", "monthly", "audience",
                                                            "vpn-ratio", "vpn-installs"};
    char d[32];
    obs_map_date(s->obs[o].date, d, sizeof d);
    snprintf(buf, size, "%s%s%s %s", s->obs[o].app, s->obs[o].app[0] ? " " : "",
             short_names[s->obs[o].measure], d);
}

/* One generation as a table. */
static int write_gen(results *r, const calib_spec *s, const abc_gen *g, int t)
{
    int k = s->k, m = s->m, nc = 3 + k + m, n = g->n, st = BS_OK;
    results_column *cols = calloc((size_t)nc, sizeof *cols);
    long long *idx = malloc((size_t)n * sizeof *idx);
    double *vals = malloc((size_t)n * (size_t)(k + m) * sizeof *vals);
    char (*names)[32] = calloc((size_t)m + 1, sizeof *names);
    if (!cols || !idx || !vals || !names) {
        st = bs_nomem("writing the posterior");
        goto done;
    }
    for (int i = 0; i < n; i++) {
        idx[i] = g->index[i];
        for (int a = 0; a < k; a++)
            vals[(size_t)a * n + i] = g->theta[i * k + a];
        for (int o = 0; o < m; o++)
            vals[(size_t)(k + o) * n + i] = g->sim[i * m + o];
    }
    cols[0] = (results_column){"proposal", RCOL_INT, idx, ""};
    cols[1] = (results_column){"weight", RCOL_DOUBLE, g->w, ""};
    cols[2] = (results_column){"distance", RCOL_DOUBLE, g->d, "standard deviations"};
    for (int a = 0; a < k; a++)
        cols[3 + a] = (results_column){s->paths[a], RCOL_DOUBLE, vals + (size_t)a * n, ""};
    for (int o = 0; o < m; o++) {
        snprintf(names[o], sizeof names[o], "model_%03d", o);
        cols[3 + k + o] = (results_column){names[o], RCOL_DOUBLE, vals + (size_t)(k + o) * n,
                                           s->obs[o].unit};
    }
    char path[64], desc[160];
    snprintf(path, sizeof path, "/generations/g%03d", t);
    snprintf(desc, sizeof desc, "ABC-SMC generation %d: its particles, weights, distances and "
                                "model values", t);
    st = results_write_table(r, path, "particle", n, nc, cols, desc);
done:
    free(cols);
    free(idx);
    free(vals);
    free(names);
    return st;
}

static int write_tables(results *r, const calib_spec *s, const abc_gen *gens, int n)
{
    int st;
    {
        long long *gen = malloc((size_t)n * sizeof *gen), *prop = malloc((size_t)n * sizeof *prop);
        double *eps = malloc((size_t)n * sizeof *eps), *ess = malloc((size_t)n * sizeof *ess);
        if (!gen || !prop || !eps || !ess) {
            free(gen), free(prop), free(eps), free(ess);
            return bs_nomem("writing the posterior");
        }
        for (int t = 0; t < n; t++) {
            gen[t] = t;
            prop[t] = gens[t].proposals;
            eps[t] = gens[t].eps;
            ess[t] = abc_ess(gens[t].w, gens[t].n);
        }
        results_column c[4] = {{"generation", RCOL_INT, gen, ""},
                               {"epsilon", RCOL_DOUBLE, eps, "standard deviations"},
                               {"proposals", RCOL_INT, prop, ""},
                               {"ess", RCOL_DOUBLE, ess, "particles"}};
        st = results_write_table(r, "/tolerances", "generation", n, 4, c,
                                 "Each generation's tolerance (inf: the prior), proposals run, "
                                 "effective sample size");
        free(gen), free(prop), free(eps), free(ess);
        if (st != BS_OK)
            return st;
    }
    int m = s->m;
    const char **file = calloc((size_t)m + 1, sizeof *file), **meas = calloc((size_t)m + 1, sizeof *meas),
               **app = calloc((size_t)m + 1, sizeof *app), **ds = calloc((size_t)m + 1, sizeof *ds),
               **date = calloc((size_t)m + 1, sizeof *date);
    char (*dates)[32] = calloc((size_t)m + 1, sizeof *dates);
    long long *line = calloc((size_t)m + 1, sizeof *line);
    double *val = calloc((size_t)m + 1, sizeof *val), *sd = calloc((size_t)m + 1, sizeof *sd);
    if (!file || !meas || !app || !ds || !date || !dates || !line || !val || !sd) {
        st = bs_nomem("writing the posterior");
        goto done;
    }
    for (int o = 0; o < m; o++) {
        file[o] = s->obs_file[o];
        meas[o] = observations_measure_names[s->obs[o].measure];
        app[o] = s->obs[o].app;
        ds[o] = obs_map_names[s->ds[o]];
        obs_map_date(s->obs[o].date, dates[o], sizeof dates[o]);
        date[o] = dates[o];
        line[o] = s->obs[o].line;
        val[o] = s->obs[o].value;
        sd[o] = s->obs[o].uncertainty;
    }
    results_column c[8] = {{"file", RCOL_STRING, file, ""},     {"line", RCOL_INT, line, ""},
                           {"date", RCOL_STRING, date, ""},     {"measure", RCOL_STRING, meas, ""},
                           {"app", RCOL_STRING, app, ""},       {"dataset", RCOL_STRING, ds, ""},
                           {"value", RCOL_DOUBLE, val, ""},     {"uncertainty", RCOL_DOUBLE, sd, ""}};
    st = results_write_table(r, "/observations", "observation", m, 8, c,
                             "The observations, the dataset each is compared with (obs_map.h)");
done:
    free(file), free(meas), free(app), free(ds), free(date), free(dates), free(line), free(val),
        free(sd);
    return st;
}

/* Weighted quantiles of parameter a of generation g. */
static void param_q(const calib_spec *s, const abc_gen *g, int a, double q[3])
{
    double *x = malloc((size_t)g->n * sizeof *x);
    if (!x) {
        q[0] = q[1] = q[2] = NAN;
        return;
    }
    for (int i = 0; i < g->n; i++)
        x[i] = g->theta[i * s->k + a];
    q[0] = abc_wquantile(x, g->w, g->n, 0.05);
    q[1] = abc_wquantile(x, g->w, g->n, 0.5);
    q[2] = abc_wquantile(x, g->w, g->n, 0.95);
    free(x);
}

static int write_posterior_table(results *r, const calib_spec *s, const abc_gen *g)
{
    int k = s->k;
    const char *name[CALIB_MAX_PARAMS], *prior[CALIB_MAX_PARAMS];
    double lo[CALIB_MAX_PARAMS], hi[CALIB_MAX_PARAMS], q[3][CALIB_MAX_PARAMS];
    for (int a = 0; a < k; a++) {
        double v[3];
        param_q(s, g, a, v);
        name[a] = s->paths[a];
        prior[a] = abc_prior_names[s->prior[a].kind];
        lo[a] = s->prior[a].lo;
        hi[a] = s->prior[a].hi;
        q[0][a] = v[1];
        q[1][a] = v[0];
        q[2][a] = v[2];
    }
    results_column c[7] = {{"parameter", RCOL_STRING, name, ""}, {"prior", RCOL_STRING, prior, ""},
                           {"low", RCOL_DOUBLE, lo, ""},         {"high", RCOL_DOUBLE, hi, ""},
                           {"median", RCOL_DOUBLE, q[0], ""},    {"q05", RCOL_DOUBLE, q[1], ""},
                           {"q95", RCOL_DOUBLE, q[2], ""}};
    return results_write_table(r, "/posterior", "param", k, 7, c,
                               "Each parameter's prior bounds, weighted posterior median and 90% "
                               "credible interval (last generation)");
}

int calib_out_posterior(const char *dir, const calib_spec *s, const abc_gen *gens, int n)
{
    char path[4200], hash[32];
    snprintf(path, sizeof path, "%s/posterior.h5", dir);
    snprintf(hash, sizeof hash, "%016llx", (unsigned long long)text_hash(s));
    results *r = results_create(path);
    if (!r)
        return bs_last_status();
    int st = results_attr_str(r, "/", "format", RESULTS_FORMAT);
    if (st == BS_OK)
        st = results_attr_int(r, "/", "format_version", RESULTS_FORMAT_VERSION);
    if (st == BS_OK)
        st = results_attr_str(r, "/", "kind", "posterior");
    if (st == BS_OK)
        st = results_attr_str(r, "/", "calibration", s->file);
    if (st == BS_OK)
        st = results_attr_str(r, "/", "calibration_hash", hash);
    if (st == BS_OK)
        st = results_attr_int(r, "/", "generations", n);
    if (st == BS_OK)
        st = results_write_text(r, "/config/text", s->text, "The calibration file");
    for (int t = 0; st == BS_OK && t < n; t++)
        st = write_gen(r, s, &gens[t], t);
    if (st == BS_OK)
        st = write_tables(r, s, gens, n);
    if (st == BS_OK && n > 0)
        st = write_posterior_table(r, s, &gens[n - 1]);
    if (st != BS_OK) {
        results_abort(r);
        return st;
    }
    return results_commit(r);
}

static const results_column *column(const results_table *t, const char *name)
{
    for (int c = 0; c < t->n_cols; c++)
        if (strcmp(t->cols[c].name, name) == 0)
            return &t->cols[c];
    return NULL;
}

int calib_out_read(const char *dir, const calib_spec *s, abc_gen **gens, int *n)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/posterior.h5", dir);
    *gens = NULL;
    *n = 0;
    results_numbers *nums = NULL;
    results_table *tol = NULL;
    int st = results_read_table(path, "/tolerances", &tol);
    if (st != BS_OK)
        return bs_fail(BS_EINPUT, "--resume: %s", bs_last_error());
    /* The checkpoint must be of this calibration file, as it is now. */
    st = results_read_numbers(path, &nums);
    if (st != BS_OK || !nums->config_text || strcmp(nums->config_text, s->text) != 0) {
        results_numbers_free(nums);
        results_table_free(tol);
        return bs_fail(BS_EINPUT,
                       "--resume: %s was written by another calibration file (or this one "
                       "before it changed): start afresh in another folder",
                       path);
    }
    results_numbers_free(nums);
    int ng = tol->n_rows;
    const results_column *eps = column(tol, "epsilon"), *prop = column(tol, "proposals");
    abc_gen *g = calloc((size_t)(ng > 0 ? ng : 1), sizeof *g);
    if (!g || !eps || !prop) {
        results_table_free(tol);
        free(g);
        return bs_fail(g ? BS_EINPUT : BS_ENOMEM, "%s: /tolerances is not what it should be",
                       path);
    }
    st = BS_OK;
    for (int t = 0; t < ng && st == BS_OK; t++) {
        char dset[64];
        snprintf(dset, sizeof dset, "/generations/g%03d", t);
        results_table *gt = NULL;
        if ((st = results_read_table(path, dset, &gt)) != BS_OK)
            break;
        if ((st = abc_gen_alloc(&s->abc, gt->n_rows, &g[t])) != BS_OK) {
            results_table_free(gt);
            break;
        }
        g[t].eps = ((const double *)eps->data)[t];
        g[t].proposals = (int)((const long long *)prop->data)[t];
        const results_column *w = column(gt, "weight"), *d = column(gt, "distance"),
                             *ix = column(gt, "proposal");
        if (!w || !d || !ix) {
            st = bs_fail(BS_EINPUT, "%s: %s lacks weight, distance or proposal", path, dset);
            results_table_free(gt);
            break;
        }
        for (int i = 0; i < gt->n_rows; i++) {
            g[t].w[i] = ((const double *)w->data)[i];
            g[t].d[i] = ((const double *)d->data)[i];
            g[t].index[i] = (int)((const long long *)ix->data)[i];
        }
        for (int a = 0; a < s->k && st == BS_OK; a++) {
            const results_column *c = column(gt, s->paths[a]);
            if (!c || c->type != RCOL_DOUBLE)
                st = bs_fail(BS_EINPUT, "%s: %s has no column %s: another calibration's", path,
                             dset, s->paths[a]);
            for (int i = 0; c && st == BS_OK && i < gt->n_rows; i++)
                g[t].theta[i * s->k + a] = ((const double *)c->data)[i];
        }
        for (int o = 0; o < s->m && st == BS_OK; o++) {
            char name[32];
            snprintf(name, sizeof name, "model_%03d", o);
            const results_column *c = column(gt, name);
            if (!c || c->type != RCOL_DOUBLE)
                st = bs_fail(BS_EINPUT, "%s: %s has no column %s: another calibration's", path,
                             dset, name);
            for (int i = 0; c && st == BS_OK && i < gt->n_rows; i++)
                g[t].sim[i * s->m + o] = ((const double *)c->data)[i];
        }
        results_table_free(gt);
    }
    results_table_free(tol);
    if (st != BS_OK) {
        for (int t = 0; t < ng; t++)
            abc_gen_free(&g[t]);
        free(g);
        return st;
    }
    *gens = g;
    *n = ng;
    return BS_OK;
}

int calib_out_figure(const char *dir, const char *name, const char *title, const calib_spec *s,
                     const double *q05, const double *q50, const double *q95)
{
    char dat[4200], gp[4200], img[300], script[300];
    snprintf(dat, sizeof dat, "%s/%s.dat", dir, name);
    snprintf(gp, sizeof gp, "%s/%s.gp", dir, name);
    atomic_file *a = atomic_open(dat);
    if (!a)
        return bs_last_status();
    FILE *f = atomic_stream(a);
    fprintf(f, "# %s: each observation and the model, divided by the observed value\n"
               "# label observed sd model_q05 model_median model_q95 (in the measure's unit)\n",
            title);
    for (int o = 0; o < s->m; o++) {
        char label[128], q[300];
        calib_out_label(s, o, label, sizeof label);
        quote_gp_data(q, sizeof q, label);
        fprintf(f, "%s %.9g %.9g %.9g %.9g %.9g\n", q, s->obs[o].value, s->obs[o].uncertainty,
                q05[o], q50[o], q95[o]);
    }
    int st = atomic_commit(a);
    if (st != BS_OK)
        return st;
    if (!(a = atomic_open(gp)))
        return bs_last_status();
    f = atomic_stream(a);
    char term[200], qt[600], qd[400];
    plot_terminal(PLOT_PNG, term, sizeof term);
    quote_gp(qt, sizeof qt, title);
    snprintf(img, sizeof img, "%s.dat", name);
    quote_gp(qd, sizeof qd, img);
    snprintf(img, sizeof img, "%s.png", name);
    fprintf(f,
            "# %s: the model's 90%% band (over particles or replications) and median against\n"
            "# each observation with its error bar (one standard deviation), all divided by\n"
            "# the observed value.  Written by blockshift; restyle and run: gnuplot %s.gp\n"
            "here = ''; do for [k=1:strlen(ARG0)] { if (ARG0[k:k] eq '/') { here = ARG0[1:k] } }\n"
            "if (!exists(\"outfile\")) outfile = here . '%s'\n"
            "data = here . %s\n"
            "set terminal %s\nset termoption noenhanced\nset output outfile\n"
            "set title %s\n"
            "set ylabel 'value / observed value'\n"
            "set xtics rotate by 40 right font ',9'\n"
            "set grid ytics\nset key bottom right box opaque\nset bmargin 9\n"
            "set xrange [-0.7:%d-0.3]\n"
            "set yrange [0:*]\n"
            "plot data using 0:($5/$2):($4/$2):($6/$2):xticlabels(1) with yerrorbars "
            "lc rgb '#0072B2' lw 3 pt 7 ps 1.2 title 'model: median and 90%% band', \\\n"
            "     data using ($0+0.15):(1):($3/$2) with yerrorbars lc rgb '#D55E00' lw 2 pt 5 "
            "ps 1.0 title 'observed, +-1 sd', \\\n"
            "     1 with lines lc rgb '#999999' dt 2 notitle\n",
            name, name, img, qd, term, qt, s->m);
    if ((st = atomic_commit(a)) != BS_OK)
        return st;
    snprintf(script, sizeof script, "%s.gp", name);
    return plot_gnuplot(dir, script, img);
}

int calib_out_final(const char *dir, const calib_spec *s, const abc_gen *g, const char *why_stopped)
{
    char path[4200];
    int k = s->k, m = s->m;
    /* summary.txt */
    snprintf(path, sizeof path, "%s/summary.txt", dir);
    atomic_file *a = atomic_open(path);
    if (!a)
        return bs_last_status();
    FILE *f = atomic_stream(a);
    fprintf(f, "# blockshift calibrate %s: ABC-SMC posterior (last generation: %d particles, "
               "tolerance %g, effective sample size %.1f)\n# %s\n",
            s->file, g->n, g->eps, abc_ess(g->w, g->n), why_stopped);
    fprintf(f, "# %-38s %-11s %12s %12s %12s %12s %12s\n", "parameter", "prior", "low", "high",
            "median", "q05", "q95");
    double med[CALIB_MAX_PARAMS];
    for (int p = 0; p < k; p++) {
        double q[3];
        param_q(s, g, p, q);
        med[p] = q[1];
        fprintf(f, "%-40s %-11s %12.5g %12.5g %12.5g %12.5g %12.5g\n", s->paths[p],
                abc_prior_names[s->prior[p].kind], s->prior[p].lo, s->prior[p].hi, q[1], q[0],
                q[2]);
    }
    double *q05 = malloc((size_t)m * 3 * sizeof *q05), *x = malloc((size_t)g->n * sizeof *x);
    if (!q05 || !x) {
        free(q05), free(x);
        atomic_abort(a);
        return bs_nomem("the summary");
    }
    double *q50 = q05 + m, *q95 = q05 + 2 * m;
    fprintf(f, "\n\n# %-36s %12s %12s %12s %12s %12s\n", "observation", "observed", "sd",
            "model_q05", "model_median", "model_q95");
    for (int o = 0; o < m; o++) {
        for (int i = 0; i < g->n; i++)
            x[i] = g->sim[i * m + o];
        q05[o] = abc_wquantile(x, g->w, g->n, 0.05);
        q50[o] = abc_wquantile(x, g->w, g->n, 0.5);
        q95[o] = abc_wquantile(x, g->w, g->n, 0.95);
        char label[128], q[300];
        calib_out_label(s, o, label, sizeof label);
        quote_gp_data(q, sizeof q, label);
        fprintf(f, "%-38s %12.5g %12.5g %12.5g %12.5g %12.5g\n", q, s->obs[o].value,
                s->obs[o].uncertainty, q05[o], q50[o], q95[o]);
    }
    free(x);
    int st = atomic_commit(a);
    /* fitted.cfg */
    if (st == BS_OK) {
        snprintf(path, sizeof path, "%s/fitted.cfg", dir);
        if (!(a = atomic_open(path)))
            st = bs_last_status();
    }
    if (st == BS_OK) {
        f = atomic_stream(a);
        fprintf(f, "# The posterior medians of blockshift calibrate %s (summary.txt beside this\n"
                   "# file has their 90%% credible intervals).  A list of overrides, applied in\n"
                   "# order before any --set: @include this file at the top level of a scenario\n"
                   "# (one that has no `set` of its own), or use the list as the `set` of a\n"
                   "# sweep, calibration or validation file, or as --set arguments.\n"
                   "set = [\n",
                s->file);
        for (int p = 0; p < k; p++)
            fprintf(f, "  \"%s=%.6g\"%s\n", s->paths[p], med[p], p + 1 < k ? "," : "");
        fputs("];\n", f);
        st = atomic_commit(a);
    }
    if (st == BS_OK)
        st = calib_out_figure(dir, "fit", "Calibration: posterior model against the observations",
                              s, q05, q50, q95);
    free(q05);
    return st;
}
