/* blockshift plot of a testbed matrix (blockshift testbed without --replay):
 * its cases app/technique/vpn by call class, drawn as heat maps with a row
 * per app and VPN (or none) and a column per technique (or no rule), each
 * cell's value written in it:
 *   usable      share of calls set up that lost at most testbed.usable_loss
 *               of their media, a panel per call class (voice, video)
 *   detect      share of a case's calls the boxes classified (classifying
 *               techniques only; n/a elsewhere), a panel per call class
 *   collateral  share of the traffic mix's flows a classifying rule fails
 *   validation  each directed link's load in ns-3 against the flow engine's
 *               prediction, per validation run, with the line y = x
 * Each figure has NAME.dat and NAME.gp next to it, as a run's have; the
 * script finds its data wherever it is run from. */
#include "analysis/plot_internal.h"

#include "base/atomic.h"
#include "base/quote.h"
#include "base/status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_AXIS 256

/* The grid of a matrix: a case's row (app, vpn) and column (technique). */
typedef struct grid {
    int n_rows, n_techs, n_cases;
    char *row[MAX_AXIS], *tech[MAX_AXIS]; /* shown names, malloc'ed */
    int case_row[4096], case_tech[4096];
} grid;

static void grid_free(grid *g)
{
    for (int i = 0; i < g->n_rows; i++)
        free(g->row[i]);
    for (int i = 0; i < g->n_techs; i++)
        free(g->tech[i]);
}

/* The index of `name` in list[0..*n), added when new; -1 when full or out of memory. */
static int index_of(char **list, int *n, const char *name)
{
    for (int i = 0; i < *n; i++)
        if (strcmp(list[i], name) == 0)
            return i;
    if (*n >= MAX_AXIS || !(list[*n] = strdup(name)))
        return -1;
    return (*n)++;
}

/* The display name of `len` characters of `id`, an entry of dim ("app",
 * "vpn"): DIM_label's entry for it when the file has the dim and its labels
 * (testbed files since display names were added to them), else the id. */
static void shown_of(const run *r, const char *dim, const char *id, size_t len, char *out,
                     size_t size)
{
    const results_labels *ids = results_run_labels(r->f, dim);
    const results_labels *shown = results_run_display(r->f, dim);
    for (int k = 0; ids && shown && k < ids->n; k++)
        if (strlen(ids->v[k]) == len && strncmp(ids->v[k], id, len) == 0) {
            snprintf(out, size, "%s", shown->v[k]);
            return;
        }
    snprintf(out, size, "%.*s", (int)len, id);
}

/* Split each case APP/TECHNIQUE/VPN into its row "APP, no VPN" or "APP
 * via VPN" (by their display names) and its column ("no rule" for none). */
static int grid_of(const run *r, const results_labels *cases, grid *g)
{
    memset(g, 0, sizeof *g);
    if (cases->n > (int)(sizeof g->case_row / sizeof g->case_row[0]))
        return bs_fail(BS_EINPUT, "%s: /case: %d cases, more than plot draws (4096)", r->result,
                       cases->n);
    g->n_cases = cases->n;
    for (int c = 0; c < cases->n; c++) {
        const char *s = cases->v[c], *a = strchr(s, '/'), *b = a ? strchr(a + 1, '/') : NULL;
        if (!a || !b || strchr(b + 1, '/')) {
            char shown[QUOTE_ROOM(200)];
            return bs_fail(BS_EINPUT, "%s: /case: %s is not APP/TECHNIQUE/VPN", r->result,
                           quote_print(shown, sizeof shown, s));
        }
        char row[600], tech[300], app[260], vpn[260];
        shown_of(r, "app", s, (size_t)(a - s), app, sizeof app);
        shown_of(r, "vpn", b + 1, strlen(b + 1), vpn, sizeof vpn);
        snprintf(row, sizeof row, strcmp(b + 1, "none") ? "%s via %s" : "%s, no VPN", app, vpn);
        snprintf(tech, sizeof tech, "%.*s", (int)(b - a - 1), a + 1);
        g->case_row[c] = index_of(g->row, &g->n_rows, row);
        g->case_tech[c] = index_of(g->tech, &g->n_techs, strcmp(tech, "none") ? tech : "no rule");
        if (g->case_row[c] < 0 || g->case_tech[c] < 0)
            return bs_fail(BS_EINPUT, "%s: /case: more than %d apps and VPNs or techniques",
                           r->result, MAX_AXIS);
    }
    return BS_OK;
}

/* The script's head: where its data is, the terminal, the look of a heat map. */
static void script_head(FILE *o, const run *r, const char *name, const char *title)
{
    char qd[QUOTE_ROOM(300)], qo[QUOTE_ROOM(300)], qr[QUOTE_ROOM(4200)], buf[300], term[160];
    snprintf(buf, sizeof buf, "%s.dat", name);
    quote_gp(qd, sizeof qd, buf);
    snprintf(buf, sizeof buf, "%s.%s", name, plot_format_names[r->format]);
    quote_gp(qo, sizeof qo, buf);
    plot_terminal(r->format, term, sizeof term);
    fprintf(o,
            "# %s: %s.\n# Data: %s (next to this script), written by blockshift plot from %s.\n"
            "# Restyle by editing this script, then: gnuplot %s.gp (from any folder)\n"
            "here = ''; do for [k=1:strlen(ARG0)] { if (ARG0[k:k] eq '/') { here = ARG0[1:k] } }\n"
            "if (!exists(\"outfile\")) outfile = here . %s\n"
            "data = here . %s\n"
            "stats data using 1 nooutput prefix 'DATA'\n"
            "if (!exists('DATA_records')) { print 'cannot read the data file ', data, "
            "' (it belongs next to this script)'; exit status 2 }\n"
            "set terminal %s\nset termoption noenhanced\nset output outfile\n",
            name, title, qd, quote_gp(qr, sizeof qr, r->result), name, qo, qd, term);
}

/* The figure's data file `ad` committed, then its script `gp` opened and its
 * head written (*as; NULL on failure, with the status). */
static int script_open(atomic_file *ad, const char *gp, const run *r, const char *name,
                       const char *title, atomic_file **as)
{
    int st = atomic_commit(ad);
    *as = st == BS_OK ? atomic_open(gp) : NULL;
    if (st == BS_OK && !*as)
        st = bs_last_status();
    if (st == BS_OK)
        script_head(atomic_stream(*as), r, name, title);
    return st;
}

/* A heat map of `v` ([case][panel], n_panels panels named panel[]) into
 * NAME: a cell a case, its value in it, n/a for negative or non-finite
 * values (not measured for that case).  scale 0: v is a share, shown as a
 * percentage on the colours 0 to 1; else v times scale (the .dat holds it),
 * shown as a whole number on the colours 0 to the largest value. */
static int heat_map(run *r, const grid *g, const char *name, const char *title, const double *v,
                    int n_panels, char **panel, double scale)
{
    double top = scale > 0 ? 0 : 1; /* the colours' top */
    for (size_t i = 0; scale > 0 && i < (size_t)g->n_cases * (size_t)n_panels; i++)
        if (isfinite(v[i]) && v[i] * scale > top)
            top = v[i] * scale;
    top = top > 0 ? top : 1;
    char dat[4600], gp[4600], script[300], out[300];
    snprintf(dat, sizeof dat, "%s/%s.dat", r->dir, name);
    snprintf(script, sizeof script, "%s.gp", name);
    snprintf(gp, sizeof gp, "%s/%s", r->dir, script);
    snprintf(out, sizeof out, "%s.%s", name, plot_format_names[r->format]);
    atomic_file *ad = atomic_open(dat);
    if (!ad)
        return bs_last_status();
    FILE *o = atomic_stream(ad);
    char q[QUOTE_ROOM(600)];
    fprintf(o, "# %s, from %s: a block per call class; technique row value label\n",
            title, r->result);
    for (int p = 0; p < n_panels; p++) {
        fprintf(o, "%s# %s\n", p ? "\n\n" : "", quote_gp(q, sizeof q, panel[p]));
        for (int row = 0; row < g->n_rows; row++)
            for (int t = 0; t < g->n_techs; t++) {
                int c = 0;
                while (c < g->n_cases && (g->case_row[c] != row || g->case_tech[c] != t))
                    c++;
                double x = c < g->n_cases ? v[(size_t)c * n_panels + p] : NAN;
                if (isfinite(x) && x >= 0 && scale > 0)
                    fprintf(o, "%d %d %.9g \"%.0f\"\n", t, row, x * scale, x * scale);
                else if (isfinite(x) && x >= 0)
                    fprintf(o, "%d %d %.9g \"%.0f%%\"\n", t, row, x, 100 * x);
                else
                    fprintf(o, "%d %d NaN \"%s\"\n", t, row, c < g->n_cases ? "n/a" : "");
            }
    }
    atomic_file *as;
    int st = script_open(ad, gp, r, name, title, &as);
    if (st != BS_OK)
        return st;
    o = atomic_stream(as);
    /* The layout, in shares of the figure: the rows' names left of the
     * first panel only; the panels side by side; fonts no taller than a
     * row (1.25 lines a row) and cell values no wider than a cell ("100%":
     * 4 characters of 0.62 of a font height and a margin); a character
     * 0.6 of a font height on average. */
    double w, h, pt, em;
    plot_look(r->format, &w, &h, &pt, &em);
    size_t row_chars = 1, tech_chars = 1;
    for (int row = 0; row < g->n_rows; row++)
        row_chars = strlen(g->row[row]) > row_chars ? strlen(g->row[row]) : row_chars;
    for (int t = 0; t < g->n_techs; t++)
        tech_chars = strlen(g->tech[t]) > tech_chars ? strlen(g->tech[t]) : tech_chars;
    double top_at = 1 - 5.0 * em / h; /* two title lines */
    double bottom = (1.2 + 0.6 * (double)tech_chars * 0.5) * em / h; /* tics at 30 degrees */
    if (top_at < 0.6 || bottom > 0.35) { /* a figure too small for its text (--size) */
        top_at = top_at < 0.6 ? 0.6 : top_at;
        bottom = bottom > 0.35 ? 0.35 : bottom;
    }
    double row_em = (top_at - bottom) * h / g->n_rows / 1.25;      /* a row's font height */
    double tic_pt = row_em < em ? pt * row_em / em : pt;
    tic_pt = tic_pt < 4 ? 4 : tic_pt; /* at least 4 points, however many rows */
    double tic_em = em * tic_pt / pt;
    double left = 0.015 + (0.6 * (double)row_chars + 0.8) * tic_em / w, gap = 0.025;
    left = left > 0.5 ? 0.5 : left;
    double pw = (0.98 - left - gap * (n_panels - 1)) / n_panels;
    double cell_em = pw * w / (g->n_techs > 0 ? g->n_techs : 1) / (4 * 0.62 + 0.6);
    double cell_pt = pt * (cell_em < 0.8 * em ? cell_em : 0.8 * em) / em;
    cell_pt = cell_pt < tic_pt ? cell_pt : tic_pt;
    cell_pt = cell_pt < 4 ? 4 : cell_pt;
    fprintf(o, "set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', "
               "4 '#fde725')\ntop = %.9g\nset cbrange [0:top]\nunset colorbox\n"
               "set xrange [-0.5:%d.5]\nset yrange [%d.5:-0.5]\nset tics scale 0\n"
               "set xtics rotate by -30 left font ',%.3g'\nset ytics font ',%.3g'\n"
               "set object 1 rectangle from graph 0,0 to graph 1,1 "
               "behind fc rgb '#e0e0e0' fs solid\n"
               "set tmargin at screen %.4f\nset bmargin at screen %.4f\n",
            top, g->n_techs - 1, g->n_rows - 1, tic_pt, tic_pt, top_at, bottom);
    fputs("set xtics (", o);
    for (int t = 0; t < g->n_techs; t++)
        fprintf(o, "%s%s %d", t ? ", " : "", quote_gp(q, sizeof q, g->tech[t]), t);
    fputs(")\nset ytics (", o);
    for (int row = 0; row < g->n_rows; row++)
        fprintf(o, "%s%s %d", row ? ", " : "", quote_gp(q, sizeof q, g->row[row]), row);
    fprintf(o, ")\nset multiplot title %s\n", quote_gp(q, sizeof q, title));
    for (int p = 0; p < n_panels; p++)
        fprintf(o, "%sset lmargin at screen %.4f\nset rmargin at screen %.4f\n"
                   "set title %s\nplot data index %d using 1:2:3 with image notitle, "
                   "'' index %d using 1:2:4:($3 < 0.6 * top ? 0xffffff : 0) with labels "
                   "tc rgb variable font ',%.3g' notitle\n",
                p ? "set ytics format ''\nunset ytics\n" : "", left + p * (pw + gap),
                left + p * (pw + gap) + pw,
                /* one panel: the figure's title says it all */
                n_panels > 1 ? quote_gp(q, sizeof q, panel[p]) : "''", p, p, cell_pt);
    fputs("unset multiplot\n", o);
    st = plot_commit_draw(r->dir, as, script, out, r->paths, &r->n_paths);
    return st;
}

/* ns-3's link loads against the flow engine's, per validation run. */
static int fig_validation(run *r)
{
    const results_array *m = results_run_array(r->f, "/testbed/validation/measured");
    const results_array *p = results_run_array(r->f, "/testbed/validation/predicted");
    const results_labels *runs = results_run_labels(r->f, "validation");
    if (!m || !p)
        return BS_OK; /* a matrix without validation: nothing to draw */
    if (m->rank != 2 || p->rank != 2 || m->shape[0] != p->shape[0] || m->shape[1] != p->shape[1] ||
        (runs && (size_t)runs->n != m->shape[0]))
        return bs_fail(BS_EINPUT, "%s: /testbed/validation/measured and predicted differ in "
                                  "shape or from /validation", r->result);
    const char *name = "validation", *title = "Link loads: ns-3 against the flow engine";
    char dat[4600], gp[4600], q[QUOTE_ROOM(300)];
    snprintf(dat, sizeof dat, "%s/%s.dat", r->dir, name);
    snprintf(gp, sizeof gp, "%s/%s.gp", r->dir, name);
    atomic_file *ad = atomic_open(dat);
    if (!ad)
        return bs_last_status();
    FILE *o = atomic_stream(ad);
    fprintf(o, "# %s (Mbit/s), from %s: a block per validation run; predicted measured\n",
            title, r->result);
    size_t nl = m->shape[1];
    for (size_t k = 0; k < m->shape[0]; k++) {
        fprintf(o, "%s# %s\n", k ? "\n\n" : "", runs ? runs->v[k] : "");
        for (size_t l = 0; l < nl; l++)
            if (p->v[k * nl + l] > 0 || m->v[k * nl + l] > 0) /* links the calls cross */
                fprintf(o, "%.9g %.9g\n", p->v[k * nl + l] * 1e-6, m->v[k * nl + l] * 1e-6);
    }
    atomic_file *as;
    int st = script_open(ad, gp, r, name, title, &as);
    if (st != BS_OK)
        return st;
    o = atomic_stream(as);
    fprintf(o, "set title %s\nset xlabel 'flow engine, Mbit/s'\nset ylabel 'ns-3, Mbit/s'\n"
               "set grid\nset key top left\nset size ratio -1\nset xrange [0:*]\nset yrange [0:*]\n"
               "plot x with lines lc rgb '#999999' dt (8,4) title 'equal', ",
            quote_gp(q, sizeof q, title));
    static const char *const look[] = {"pt 7 ps 1.5 lc rgb '#0072B2'", "pt 5 ps 1.2 lc rgb '#D55E00'",
                                       "pt 9 ps 1.5 lc rgb '#009E73'", "pt 13 ps 1.5 lc rgb '#CC79A7'"};
    for (size_t k = 0; k < m->shape[0]; k++) {
        char t[300];
        snprintf(t, sizeof t, "links, %s", runs ? runs->v[k] : "run");
        fprintf(o, "%sdata index %zu using 1:2 with points %s title %s", k ? ", " : "", k,
                look[k % 4], quote_gp(q, sizeof q, t));
    }
    fputc('\n', o);
    char script[300], out[300];
    snprintf(script, sizeof script, "%s.gp", name);
    snprintf(out, sizeof out, "%s.%s", name, plot_format_names[r->format]);
    return plot_commit_draw(r->dir, as, script, out, r->paths, &r->n_paths);
}

int plot_testbed(run *r)
{
    const results_labels *cases = results_run_labels(r->f, "case");
    const results_labels *classes = results_run_labels(r->f, "call_class");
    if (!cases || !classes)
        return bs_fail(BS_EINPUT, "%s: no days and no /case and /call_class: neither a run nor "
                                  "a testbed matrix", r->result);
    if (cases->n < 1 || classes->n < 1)
        return bs_fail(BS_EINPUT, "%s: /case or /call_class is empty: a testbed matrix without "
                                  "cases has nothing to draw", r->result);
    grid g;
    int st = grid_of(r, cases, &g);
    /* The shares, then the delay in ms.  Not drawn: the boxes' packet
     * counts (box_passed, dropped, policed), totals over a case's calls
     * that the shares above say per call; goodput in bit/s, whose voice and
     * video differ by an order of magnitude (goodput_share is it over what
     * was sent); call_rate, the configured rate. */
    static const struct {
        const char *path, *name, *title;
        double scale;
        int connected; /* of connected calls: n/a where none was set up */
    } maps[] = {
        {"/testbed/usable", "usable", "Calls usable (set up, media loss within testbed.usable_loss)", 0, 0},
        {"/testbed/detect", "detect", "Calls the boxes classified (classifying techniques)", 0, 0},
        {"/testbed/collateral", "collateral",
         "Collateral: flows of the traffic mix (testbed.mix) the rule fails", 0, 0},
        {"/testbed/media_loss", "media_loss", "Media packets lost (connected calls)", 0, 1},
        {"/testbed/goodput_share", "goodput_share",
         "Goodput: media payload delivered over payload sent (connected calls)", 0, 1},
        {"/testbed/delay", "delay", "Mean one-way delay of media packets (connected calls), ms",
         1e3, 1},
    };
    char *all[1] = {"the flows of the traffic mix"};
    int drawn = 0;
    for (size_t k = 0; st == BS_OK && k < sizeof maps / sizeof maps[0]; k++) {
        const results_array *a = results_run_array(r->f, maps[k].path);
        if (!a)
            continue;
        int panels = a->rank == 2 ? classes->n : 1;
        size_t n = (size_t)cases->n * (size_t)panels;
        double *v = malloc(sizeof(double) * (n ? n : 1));
        if (!v) {
            st = bs_nomem("a heat map of %s (plot)", r->result);
            break;
        }
        /* where no call of a case's class was set up, the measures of the
         * connected calls are not measured: n/a (-1), not 0 */
        const results_array *up = results_run_array(r->f, "/testbed/setup_success");
        int mask = maps[k].connected && up && up->rank == 2 && a->rank == 2 &&
                   up->shape[0] == a->shape[0] && up->shape[1] == a->shape[1];
        for (size_t i = 0; i < n; i++)
            v[i] = mask && !(up->v[i] > 0) ? -1 : a->v[i];
        st = heat_map(r, &g, maps[k].name, maps[k].title, v, panels,
                      a->rank == 2 ? classes->v : all, maps[k].scale);
        free(v);
        drawn++;
    }
    if (st == BS_OK)
        st = fig_validation(r);
    if (st == BS_OK && !drawn)
        st = bs_fail(BS_EINPUT, "%s: a testbed matrix without /testbed/usable, detect or "
                                "collateral: nothing to draw", r->result);
    grid_free(&g);
    return st;
}
