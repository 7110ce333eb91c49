#include "analysis/compare.h"

#include "analysis/h5in.h"
#include "analysis/plot.h"
#include "analysis/plot_internal.h"
#include "io/results.h"
#include "base/atomic.h"
#include "base/status.h"
#include "world/world.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The datasets compared, when both files have them. */
static const char *const shared[] = {
    "/population/installed", "/population/primary", "/population/vpn",  "/calls/attempted",
    "/calls/completed",      "/calls/failed",       "/calls/abandoned", "/network/link_offered",
    "/network/link_carried", "/network/app_carried", "/network/vpn_carried", "/network/border_app",
    "/network/border_total", "/network/border_vpn", "/censor/inspected", "/censor/dropped",
    "/censor/collateral",    "/censor/uninspected",
};

/* Whether dims/NAME holds the same names in both (or is in neither). */
static int same_names(h5in *a, h5in *b, const char *dim, const char *pa, const char *pb)
{
    int ha = h5in_has(a, dim), hb = h5in_has(b, dim);
    if (!ha && !hb)
        return BS_OK;
    if (ha != hb)
        return bs_fail(BS_EINPUT, "%s and %s do not compare: only %s has %s", pa, pb,
                       ha ? pa : pb, dim);
    int na = 0, nb = 0;
    char **x = h5in_names(a, dim, &na), **y = x ? h5in_names(b, dim, &nb) : NULL;
    int st = x && y ? BS_OK : bs_last_status();
    if (st == BS_OK && na != nb)
        st = bs_fail(BS_EINPUT, "%s and %s do not compare: %s has %d names in one, %d in the other",
                     pa, pb, dim, na, nb);
    for (int i = 0; st == BS_OK && i < na; i++)
        if (strcmp(x[i], y[i]) != 0)
            st = bs_fail(BS_EINPUT, "%s and %s do not compare: %s[%d] is '%s' in one, '%s' in the other",
                         pa, pb, dim, i, x[i], y[i]);
    h5in_free_names(x, na);
    h5in_free_names(y, nb);
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
static void per_app(FILE *o, h5in *a, h5in *b, char **apps, int n_apps)
{
    static const char *const what[] = {"/population/primary", "/calls/completed", "/calls/failed"};
    fprintf(o, "# per app, mean over the days: A, B, B - A\n%-12s %-10s %16s %16s %16s\n", "app",
            "quantity", "A", "B", "B-A");
    for (int k = 0; k < 3; k++) {
        size_t sa[4], sb[4];
        int ra = 0, rb = 0;
        double *x = h5in_doubles(a, what[k], &ra, sa), *y = x ? h5in_doubles(b, what[k], &rb, sb) : NULL;
        if (x && y) {
            int regional = ra == 3;
            size_t days = sa[0], regions = regional ? sa[1] : 1;
            for (int app = 0; app < n_apps; app++) {
                double ma = 0, mb = 0;
                for (size_t g = 0; g < regions; g++) {
                    ma += mean(x + g * n_apps, days, regions * n_apps, (size_t)app);
                    mb += mean(y + g * n_apps, days, regions * n_apps, (size_t)app);
                }
                fprintf(o, "%-12s %-10s %16.6g %16.6g %16.6g\n", apps[app],
                        k == 0 ? "primary" : k == 1 ? "completed" : "failed", ma, mb, mb - ma);
            }
        }
        free(x);
        free(y);
    }
}

/* Per link class: mean carried load summed over the class's links. */
static void per_class(FILE *o, h5in *a, h5in *b)
{
    if (!h5in_has(a, "/network/link_carried"))
        return;
    char *classes = h5in_attr_str(a, "/dims/link", "classes");
    size_t sa[4], sb[4];
    int ra = 0, rb = 0;
    double *x = h5in_doubles(a, "/network/link_carried", &ra, sa);
    double *y = x ? h5in_doubles(b, "/network/link_carried", &rb, sb) : NULL;
    if (classes && x && y) {
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
    free(classes);
    free(x);
    free(y);
}

/* The largest difference of every dataset both files have; 1 if all equal. */
static int all_equal(FILE *o, h5in *a, h5in *b)
{
    int equal = 1;
    fprintf(o, "\n# every dataset both runs have: the largest |B - A|\n");
    for (size_t k = 0; k < sizeof shared / sizeof shared[0]; k++) {
        if (!h5in_has(a, shared[k]) || !h5in_has(b, shared[k]))
            continue;
        size_t sa[4], sb[4];
        int ra = 0, rb = 0;
        double *x = h5in_doubles(a, shared[k], &ra, sa), *y = x ? h5in_doubles(b, shared[k], &rb, sb) : NULL;
        size_t n = 1;
        for (int i = 0; i < ra; i++)
            n *= sa[i];
        double worst = 0;
        int same_shape = x && y && ra == rb && memcmp(sa, sb, sizeof(size_t) * (size_t)ra) == 0;
        for (size_t i = 0; same_shape && i < n; i++)
            worst = fmax(worst, fabs(y[i] - x[i]));
        equal &= same_shape && worst == 0;
        if (same_shape)
            fprintf(o, "%-26s %.6g\n", shared[k], worst);
        else
            fprintf(o, "%-26s shapes differ\n", shared[k]);
        free(x);
        free(y);
    }
    fprintf(o, "\n%s\n", equal ? "no differences" : "the runs differ");
    return equal;
}

/* A's and B's national [day][x] series of `path` side by side (A solid, B dashed). */
static int fig_pair(run *r, h5in *b, const char *path, int regional, int hourly, double k,
                    char **names, int n, const char *name, const char *title, const char *ylabel)
{
    size_t sa[4], sb[4];
    int ra = 0, rb = 0;
    double *x = h5in_doubles(r->f, path, &ra, sa), *y = x ? h5in_doubles(b, path, &rb, sb) : NULL;
    char **cols = calloc((size_t)(2 * n), sizeof *cols);
    size_t days = (size_t)r->n_days, per = hourly ? 24 : 1, regions = regional ? sa[1] : 1;
    double *v = calloc(days * (size_t)(2 * n) + 1, sizeof(double));
    int st = !x || !y ? (bs_last_status() ? bs_last_status()
                                          : bs_fail(BS_EINPUT, "%s: cannot read %s", r->result, path))
             : !cols || !v ? bs_fail(BS_ENOMEM, "compare: out of memory for figure %s", name)
                           : BS_OK;
    char (*lab)[80] = st == BS_OK ? calloc((size_t)(2 * n), sizeof *lab) : NULL;
    if (st == BS_OK && !lab)
        st = bs_fail(BS_ENOMEM, "compare: out of memory");
    for (int i = 0; st == BS_OK && i < 2 * n; i++) {
        snprintf(lab[i], sizeof lab[i], "%s_%s", names[i % n], i < n ? "A" : "B");
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
        figure g = {name, title, ylabel, 2 * n, cols, v, 0, n};
        st = plot_draw(r, &g);
    }
    free(x);
    free(y);
    free(cols);
    free(v);
    free(lab);
    return st;
}

int compare_run(const char *pa, const char *pb, const char *dir, int format, int *identical)
{
    *identical = 0;
    int st = results_check(pa);
    if (st == BS_OK)
        st = results_check(pb);
    if (st != BS_OK)
        return st;
    h5in *a = h5in_open(pa), *b = a ? h5in_open(pb) : NULL;
    if (!a || !b) {
        h5in_close(a);
        return bs_last_status();
    }
    char *ea = h5in_attr_str(a, "/dims/day", "epoch"), *eb = h5in_attr_str(b, "/dims/day", "epoch");
    size_t da[4] = {0}, db[4] = {0};
    int r1 = 0, r2 = 0;
    double *xa = h5in_doubles(a, "/dims/day", &r1, da), *xb = h5in_doubles(b, "/dims/day", &r2, db);
    if (!ea || !eb || !xa || !xb || strcmp(ea, eb) != 0 || da[0] != db[0])
        st = bs_fail(BS_EINPUT, "%s and %s do not compare: their days differ (%s, %zu days; %s, %zu days)",
                     pa, pb, ea ? ea : "?", da[0], eb ? eb : "?", db[0]);
    static const char *const dims[] = {"/dims/app", "/dims/region", "/dims/vpn", "/dims/link", "/dims/mbox"};
    for (size_t k = 0; st == BS_OK && k < sizeof dims / sizeof dims[0]; k++)
        st = same_names(a, b, dims[k], pa, pb);
    int n_apps = 0;
    char **apps = st == BS_OK ? h5in_names(a, "/dims/app", &n_apps) : NULL;
    if (st == BS_OK && !apps)
        st = bs_last_status();
    if (st == BS_OK)
        st = plot_need_gnuplot();
    if (st == BS_OK && mkdir(dir, 0777) != 0 && errno != EEXIST)
        st = bs_fail(BS_EINPUT, "%s: cannot make the folder (%s)", dir, strerror(errno));
    if (st == BS_OK)
        atomic_clean(dir); /* what killed compares left */
    char path[4200];
    snprintf(path, sizeof path, "%s/differences.txt", dir);
    atomic_file *af = st == BS_OK ? atomic_open(path) : NULL;
    if (st == BS_OK && !af)
        st = bs_last_status();
    if (st == BS_OK) {
        FILE *o = atomic_stream(af);
        fprintf(o, "# blockshift compare\n# A: %s\n# B: %s\n\n", pa, pb);
        per_app(o, a, b, apps, n_apps);
        per_class(o, a, b);
        *identical = all_equal(o, a, b);
        st = atomic_commit(af);
    }
    char *paths[4] = {0};
    int ne = 0;
    run r = {.f = a, .result = pa, .dir = dir, .format = format, .n_days = (int)da[0],
             .epoch = ea ? plot_parse_date(ea) : -1, .paths = paths};
    if (st == BS_OK && !(r.ev = h5in_events(a, &ne)))
        st = bs_last_status();
    r.n_ev = ne;
    if (st == BS_OK)
        st = fig_pair(&r, b, "/population/primary", 1, 0, 1e-6, apps, n_apps, "primary",
                      "People by first-choice app: A solid, B dashed", "million people");
    if (st == BS_OK && h5in_has(a, "/network/border_app"))
        st = fig_pair(&r, b, "/network/border_app", 0, 1, 1e-9, apps, n_apps, "border",
                      "Border load by app: A solid, B dashed", "Gbit/s (daily mean)");
    for (int i = 0; i < r.n_paths; i++) {
        if (st == BS_OK)
            fprintf(stderr, "blockshift: figure %s\n", paths[i]);
        free(paths[i]);
    }
    free(r.ev);
    h5in_free_names(apps, n_apps);
    free(ea);
    free(eb);
    free(xa);
    free(xb);
    h5in_close(a);
    h5in_close(b);
    if (st != BS_OK && !bs_last_error()[0]) /* never a failure without a word */
        st = bs_fail(st, "%s and %s: cannot be compared: a dataset is missing or malformed", pa, pb);
    return st;
}
