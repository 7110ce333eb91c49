#include "analysis/compare.h"

#include "analysis/plot.h"
#include "analysis/plot_internal.h"
#include "io/results.h"
#include "base/fsutil.h"
#include "base/quote.h"
#include "base/atomic.h"
#include "base/status.h"
#include "world/world.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The datasets compared, when both files have them. */
static const char *const shared[] = {
    "/population/installed", "/population/primary", "/population/vpn_users",  "/calls/attempted",
    "/calls/completed",      "/calls/failed",       "/calls/abandoned", "/network/link_offered",
    "/network/link_carried", "/network/app_carried", "/network/vpn_carried", "/network/border_app",
    "/network/border_total", "/network/border_vpn", "/censor/inspected", "/censor/dropped",
    "/censor/collateral",    "/censor/uninspected", NULL,
};

/* Both files' dataset `path` with the same shape (rank `rank` when > 0),
 * or 0: one of them lacks it or their shapes differ (the dims that make
 * them are compared first, so that is a damaged file's doing). */
static int pair(const results_run *a, const results_run *b, const char *path, int rank,
                const results_array **x, const results_array **y)
{
    *x = results_run_array(a, path);
    *y = results_run_array(b, path);
    return *x && *y && (*x)->rank == (*y)->rank && (rank <= 0 || (*x)->rank == rank) &&
           memcmp((*x)->shape, (*y)->shape, sizeof(*x)->shape) == 0;
}

/* Whether dims/NAME holds the same names in both (or is in neither). */
static int same_names(const results_run *a, const results_run *b, const char *dim,
                      const char *pa, const char *pb)
{
    const results_labels *la = results_run_labels(a, dim), *lb = results_run_labels(b, dim);
    if (!la && !lb)
        return BS_OK;
    if (!la || !lb)
        return bs_fail(BS_EINPUT, "%s and %s do not compare: only %s has dimension %s", pa, pb,
                       la ? pa : pb, dim);
    int na = la->n, nb = lb->n;
    char **x = la->v, **y = lb->v;
    int st = BS_OK;
    if (na != nb)
        st = bs_fail(BS_EINPUT, "%s and %s do not compare: dimension %s has %d names in one, %d in the other",
                     pa, pb, dim, na, nb);
    for (int i = 0; st == BS_OK && i < na; i++)
        if (strcmp(x[i], y[i]) != 0) {
            char qx[QUOTE_ROOM(64)], qy[QUOTE_ROOM(64)];
            st = bs_fail(BS_EINPUT, "%s and %s do not compare: dimension %s[%d] is '%s' in one, '%s' in the other",
                         pa, pb, dim, i, quote_print(qx, sizeof qx, x[i]),
                         quote_print(qy, sizeof qy, y[i]));
        }
    return st;
}

static double mean(const double *x, size_t n, size_t stride, size_t col)
{
    double t = 0;
    for (size_t i = 0; i < n; i++)
        t += x[i * stride + col];
    return n ? t / n : 0;
}

/* Per app: mean people with it first, completed and failed calls a day. */
static void per_app(FILE *o, const results_run *a, const results_run *b, char **apps, int n_apps)
{
    static const char *const what[] = {"/population/primary", "/calls/completed", "/calls/failed"};
    fprintf(o, "# per app (by display name; one with a space in double quotes), mean over the "
               "days: A, B, B - A\n%-12s %-10s %16s %16s %16s\n", "app",
            "quantity", "A", "B", "B-A");
    for (int k = 0; k < 3; k++) {
        const results_array *xa, *ya;
        if (pair(a, b, what[k], 0, &xa, &ya) && xa->rank >= 2 &&
            xa->shape[xa->rank - 1] == (size_t)n_apps) {
            const double *x = xa->v, *y = ya->v;
            const size_t *sa = xa->shape;
            int regional = xa->rank == 3;
            size_t days = sa[0], regions = regional ? sa[1] : 1;
            for (int app = 0; app < n_apps; app++) {
                double ma = 0, mb = 0;
                for (size_t g = 0; g < regions; g++) {
                    ma += mean(x + g * n_apps, days, regions * n_apps, (size_t)app);
                    mb += mean(y + g * n_apps, days, regions * n_apps, (size_t)app);
                }
                /* a name from the file: no control characters; one with a
                 * space (a display name, "Other apps") in double quotes, "
                 * inside it as \", so that a row is still five fields */
                char shown[QUOTE_ROOM(64)], field[QUOTE_ROOM(64) * 2 + 3];
                quote_print(shown, sizeof shown, apps[app]);
                if (strpbrk(shown, " \"")) {
                    size_t n = 0;
                    field[n++] = '"';
                    for (const char *c = shown; *c && n + 3 < sizeof field; c++) {
                        if (*c == '"')
                            field[n++] = '\\';
                        field[n++] = *c;
                    }
                    field[n++] = '"';
                    field[n] = '\0';
                } else
                    snprintf(field, sizeof field, "%s", shown);
                fprintf(o, "%-12s %-10s %16.6g %16.6g %16.6g\n", field,
                        k == 0 ? "primary" : k == 1 ? "completed" : "failed", ma, mb, mb - ma);
            }
        }
    }
}

/* Per link class: mean carried load summed over the class's links. */
static void per_class(FILE *o, const results_run *a, const results_run *b)
{
    const char *classes = a->link_classes;
    const results_array *xa, *ya;
    if (classes && pair(a, b, "/network/link_carried", 2, &xa, &ya)) {
        const double *x = xa->v, *y = ya->v;
        const size_t *sa = xa->shape;
        fprintf(o, "\n# per link class: mean carried load summed over its links, bit/s\n"
                   "%-12s %16s %16s %16s\n", "class", "A", "B", "B-A");
        const char *const *names = world_link_class_names;
        for (int c = 0; c < N_LINK_CLASSES; c++) {
            double ma = 0, mb = 0;
            const char *p = classes;
            for (size_t l = 0; l < sa[1] && *p; l++) {
                size_t len = strcspn(p, ",");
                if (len == strlen(names[c]) && strncmp(p, names[c], len) == 0) {
                    ma += mean(x, sa[0], sa[1], l);
                    mb += mean(y, sa[0], sa[1], l);
                }
                p += len + (p[len] == ',');
            }
            fprintf(o, "%-12s %16.6g %16.6g %16.6g\n", names[c], ma, mb, mb - ma);
        }
    }
}

/* The largest difference of every dataset both files have; 1 if all equal. */
static int all_equal(FILE *o, const results_run *a, const results_run *b)
{
    int equal = 1;
    fprintf(o, "\n# every dataset both runs have: the largest |B - A|\n");
    for (size_t k = 0; shared[k]; k++) {
        const results_array *xa, *ya;
        if (!results_run_array(a, shared[k]) || !results_run_array(b, shared[k]))
            continue;
        int same_shape = pair(a, b, shared[k], 0, &xa, &ya);
        size_t n = 1;
        for (int i = 0; same_shape && i < xa->rank; i++)
            n *= xa->shape[i];
        double worst = 0;
        for (size_t i = 0; same_shape && i < n; i++)
            worst = fmax(worst, fabs(ya->v[i] - xa->v[i]));
        equal &= same_shape && worst == 0;
        if (same_shape)
            fprintf(o, "%-26s %.6g\n", shared[k], worst);
        else
            fprintf(o, "%-26s shapes differ\n", shared[k]);
    }
    fprintf(o, "\n%s\n", equal ? "no differences" : "the runs differ");
    return equal;
}

/* A run's name in a legend: its file's name without folder and ".h5"
 * (SCENARIO-seedN-runK for the files blockshift run writes). */
static void run_label(const char *path, char *out, size_t size)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    size_t len = strlen(base);
    if (len > 3 && strcmp(base + len - 3, ".h5") == 0)
        len -= 3;
    snprintf(out, size, "%.*s", (int)(len < size ? len : size - 1), base);
}

/* A's and B's national [day][x] series of `path` side by side (A solid, B dashed). */
static int fig_pair(run *r, const results_run *b, const char *pb, const char *path, int regional, double k,
                    char **names, int n, const char *name, const char *title, const char *ylabel)
{
    const results_array *xa, *ya;
    size_t days = (size_t)r->n_days, per = 1;
    int st = BS_OK;
    /* [day][region][name] or [hour|day][name], the same in A and B */
    if (!pair(r->f, b, path, regional ? 3 : 2, &xa, &ya) || xa->shape[xa->rank - 1] != (size_t)n)
        st = bs_fail(BS_EINPUT, "%s and %s do not compare: %s is missing from one or of another shape",
                     r->result, pb, path);
    else if (xa->shape[0] == days * 24 && !regional)
        per = 24;
    else if (xa->shape[0] != days)
        st = bs_fail(BS_EINPUT, "%s: %s has %zu rows: neither 24 an hour per day nor one per day "
                                "(%zu days)", r->result, path, xa->shape[0], days);
    const double *x = st == BS_OK ? xa->v : NULL, *y = st == BS_OK ? ya->v : NULL;
    size_t regions = st == BS_OK && regional ? xa->shape[1] : 1;
    char **cols = st == BS_OK ? calloc((size_t)(2 * n) + 1, sizeof *cols) : NULL;
    double *v = st == BS_OK ? calloc(days * (size_t)(2 * n) + 1, sizeof(double)) : NULL;
    if (st == BS_OK && (!cols || !v))
        st = bs_nomem("the columns of %s (compare)", path);
    char (*lab)[200] = st == BS_OK ? calloc((size_t)(2 * n), sizeof *lab) : NULL;
    if (st == BS_OK && !lab)
        st = bs_nomem("the labels of %s (compare)", path);
    /* the legend names each run by its file (SCENARIO-seedN-runK) */
    char run_a[80], run_b[80];
    run_label(r->result, run_a, sizeof run_a);
    run_label(pb, run_b, sizeof run_b);
    for (int i = 0; st == BS_OK && i < 2 * n; i++) {
        snprintf(lab[i], sizeof lab[i], "%s%s", names[i % n], i < n ? "" : " (B)");
        cols[i] = lab[i];
    }
    for (size_t t = 0; st == BS_OK && t < days * per; t++)
        for (size_t g = 0; g < regions; g++)
            for (int i = 0; i < n; i++) {
                size_t at = (t * regions + g) * (size_t)n + (size_t)i;
                v[(t / per) * (size_t)(2 * n) + (size_t)i] += k * x[at] / per;
                v[(t / per) * (size_t)(2 * n) + (size_t)(n + i)] += k * y[at] / per;
            }
    if (st == BS_OK) {
        figure g = {name, title, ylabel, 2 * n, cols, v, 0, n, 0, NULL, {run_a, run_b}, NULL, NULL, NULL, 0, NULL};
        st = plot_draw(r, &g);
    }
    free(cols);
    free(v);
    free(lab);
    return st;
}

int compare_run(const char *pa, const char *pb, const char *dir, int format, int *identical)
{
    *identical = 0;
    results_run *a = NULL, *b = NULL;
    int st = results_load(pa, shared, &a);
    if (st == BS_OK)
        st = results_load(pb, shared, &b);
    if (st != BS_OK) {
        results_run_free(a);
        return st;
    }
    const char *ea = a->epoch, *eb = b->epoch;
    size_t da = (size_t)a->n_days, db = (size_t)b->n_days;
    if (!ea[0] || !eb[0] || strcmp(ea, eb) != 0 || da != db)
        st = bs_fail(BS_EINPUT, "%s and %s do not compare: their days differ (%s, %zu days; %s, %zu days)",
                     pa, pb, ea[0] ? ea : "?", da, eb[0] ? eb : "?", db);
    static const char *const dims[] = {"app", "region", "vpn", "link", "mbox"};
    for (size_t k = 0; st == BS_OK && k < sizeof dims / sizeof dims[0]; k++)
        st = same_names(a, b, dims[k], pa, pb);
    const results_labels *al = st == BS_OK ? results_run_labels(a, "app") : NULL;
    int n_apps = al ? al->n : 0;
    char **apps = al ? al->v : NULL;
    if (st == BS_OK && !apps)
        st = bs_fail(BS_EINPUT, "%s: dimension app: missing", pa);
    if (st == BS_OK && !a->has_events)
        st = bs_fail(BS_EINPUT, "%s: /events: missing", pa);
    if (st == BS_OK)
        st = plot_need_gnuplot();
    if (st == BS_OK)
        st = fsutil_make_dirs(dir);
    if (st == BS_OK)
        atomic_clean(dir); /* what killed compares left */
    char path[4200];
    snprintf(path, sizeof path, "%s/differences.txt", dir);
    atomic_file *af = st == BS_OK ? atomic_open(path) : NULL;
    if (st == BS_OK && !af)
        st = bs_last_status();
    if (st == BS_OK) {
        FILE *o = atomic_stream(af);
        size_t cap = QUOTE_ROOM(strlen(pa) + strlen(pb));
        char *qa = malloc(cap), *qb = malloc(cap);
        if (qa && qb) {
            fprintf(o, "# blockshift compare\n# A: %s\n# B: %s\n\n", quote_print(qa, cap, pa),
                    quote_print(qb, cap, pb));
            /* the apps by A's display names (/app_label), else their ids */
            const results_labels *dl = results_run_display(a, "app");
            per_app(o, a, b, dl && dl->n == n_apps ? dl->v : apps, n_apps);
            per_class(o, a, b);
            *identical = all_equal(o, a, b);
            st = atomic_commit(af);
        } else {
            atomic_abort(af);
            st = bs_nomem("the names of %s and %s (compare)", pa, pb);
        }
        free(qa);
        free(qb);
    }
    char *paths[4] = {0};
    run r = {.f = a, .result = pa, .dir = dir, .format = format, .n_days = (int)da,
             .epoch = ea[0] ? plot_parse_date(ea) : -1, .paths = paths,
             .ev = a->events, .n_ev = a->n_events};
    /* the figures show A's display names of the apps (its ids when it has none) */
    const results_labels *shown = st == BS_OK ? results_run_display(a, "app") : NULL;
    char **labels = shown && shown->n == n_apps ? shown->v : apps;
    if (st == BS_OK)
        st = fig_pair(&r, b, pb, "/population/primary", 1, 1e-6, labels, n_apps, "primary",
                      "People by first-choice app, two runs", "million people");
    if (st == BS_OK && results_run_array(a, "/network/border_app"))
        st = fig_pair(&r, b, pb, "/network/border_app", 0, 1e-9, labels, n_apps, "border",
                      "Border load by app, two runs", "Gbit/s (daily mean)");
    for (int i = 0; i < r.n_paths; i++) {
        if (st == BS_OK)
            printf("%s\n", paths[i]); /* the figures written, for scripts */
        free(paths[i]);
    }
    results_run_free(a);
    results_run_free(b);
    if (st != BS_OK && !bs_last_error()[0]) /* never a failure without a word */
        st = bs_fail(st, "%s and %s: cannot be compared: a dataset is missing or malformed", pa, pb);
    return st;
}
