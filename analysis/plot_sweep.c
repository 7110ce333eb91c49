/* blockshift plot SWEEPDIR: a sweep's summary numbers against its parameters,
 * from its summary.txt (blockshift sweep --summarise writes it): for one
 * varied parameter, each number's mean against it with its 95% confidence
 * band; for two, a heat map of each number's mean over the grid (viridis, log
 * axes for log-spaced parameters, a note when the means differ by less than
 * their 95% intervals); for more,
 * each number against each parameter with 95% error bars.  A sweep of
 * Saltelli's design (Sobol indices, sweep_sobol.h) first has, per number,
 * sobol-NAME: bars of its first-order and total indices per parameter with
 * their bootstrap intervals, from the blocks after the /points table.  At
 * most 8 figures.  As for a run, every figure has its gnuplot script next
 * to it (reading ../summary.txt). */
#include "analysis/plot.h"
#include "analysis/plot_internal.h"

#include "base/fsutil.h"
#include "base/name.h"
#include "base/quote.h"
#include "base/atomic.h"
#include "base/status.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLS 512
#define MAX_FIGURES 8

/* Whether the values of column `col` (1-based) in the first block of
 * summary.txt `file` are a log-spaced design: at least three distinct
 * values, all positive, each the last times the same ratio (to 1e-6) while
 * their steps differ; or two positive values a factor 10 or more apart. */
static int log_spaced(const char *file, int col, double *lo, double *hi)
{
    *lo = *hi = 0;
    FILE *in = fopen(file, "r");
    if (!in)
        return 0;
    double v[64];
    int n = 0;
    char line[4096];
    while (fgets(line, sizeof line, in)) {
        if (line[0] == '#')
            continue;
        if (line[0] == '\n' || line[0] == '\0')
            break; /* the end of block 0 */
        char *p = line, *end;
        double x = 0;
        for (int k = 1; k <= col; k++, p = end) {
            x = strtod(p, &end);
            if (end == p)
                break;
        }
        int seen = 0;
        for (int i = 0; i < n; i++)
            seen |= v[i] == x;
        if (!seen && n < 64)
            v[n++] = x;
    }
    fclose(in);
    for (int i = 1; i < n; i++) /* sort (a few values) */
        for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
            double t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    if (n < 2 || v[0] <= 0)
        return 0;
    *lo = v[0];
    *hi = v[n - 1];
    if (n == 2)
        return v[1] / v[0] >= 10;
    int ratio = 1, step = 1;
    for (int i = 2; i < n; i++) {
        ratio &= fabs(v[i] / v[i - 1] - v[1] / v[0]) <= 1e-6 * (v[1] / v[0]);
        step &= fabs((v[i] - v[i - 1]) - (v[1] - v[0])) <= 1e-6 * (v[n - 1] - v[0]);
    }
    return ratio && !step;
}

/* The name of number `name` to show: "final_primary_share_whatsapp
 * (WhatsApp)" when it ends in _ID of an app that summary.txt `file` lists
 * with its display name ("# apps (id = display name): ID = LABEL, ..."),
 * else the name. */
static void shown_name(const char *file, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s", name);
    FILE *in = fopen(file, "r");
    if (!in)
        return;
    static const char head[] = "# apps (id = display name): ";
    char line[8192];
    while (fgets(line, sizeof line, in) && line[0] == '#') {
        if (strncmp(line, head, sizeof head - 1) != 0)
            continue;
        line[strcspn(line, "\n")] = '\0';
        size_t len = strlen(name), best = 0;
        for (char *p = line + sizeof head - 1; p && *p;) {
            char *next = strstr(p, ", "), *eq = strstr(p, " = ");
            if (next)
                *next = '\0';
            if (eq && eq > p) {
                size_t n = (size_t)(eq - p);
                if (n > best && len > n + 1 && name[len - n - 1] == '_' &&
                    !strncmp(name + len - n, p, n)) {
                    best = n;
                    snprintf(out, size, "%s (%s)", name, eq + 3);
                }
            }
            p = next ? next + 2 : NULL;
        }
        break;
    }
    fclose(in);
}

/* A log axis (x or y) over [lo, hi] spanning under two decades: tics at 1,
 * 2 and 5 times each power of ten inside it besides gnuplot's decades
 * (which alone leave one tic or none), and at lo and hi when those are
 * fewer than two.  Nothing for wider spans. */
static void log_tics(FILE *o, char axis, double lo, double hi)
{
    if (!(lo > 0) || !(hi > lo) || hi / lo >= 100)
        return;
    static const double steps[3] = {1, 2, 5};
    double tics[16];
    int n = 0;
    for (int e = (int)floor(log10(lo)); e <= (int)ceil(log10(hi)) && n < 13; e++)
        for (int k = 0; k < 3; k++) {
            double t = steps[k] * pow(10, e);
            if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9))
                tics[n++] = t;
        }
    if (n < 2) {
        tics[n++] = lo;
        tics[n++] = hi;
    }
    fprintf(o, "set %ctics add (", axis);
    for (int i = 0; i < n; i++)
        fprintf(o, "%s'%.3g' %.17g", i ? ", " : "", tics[i], tics[i]);
    fputs(")\n", o);
}

/* Viridis (matplotlib's, van der Walt and Smith 2015) at nine stops: light
 * to dark in one hue order, readable in grey and by the colour-blind. */
static const char viridis[] =
    "set palette defined (0 '#440154', 1 '#472d7b', 2 '#3b528b', 3 '#2c728e', 4 '#21918c', "
    "5 '#28ae80', 6 '#5ec962', 7 '#addc30', 8 '#fde725')\n";

/* A folder that is not a sweep's but holds figures its command drew
 * (calibrate: fit.gp; validate: CASE.gp): 1 with a message saying so and
 * how to redraw them, else 0. */
static int drawn_folder(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char first[256] = "";
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len > 3 && len < sizeof first && e->d_name[0] != '.' &&
            !strcmp(e->d_name + len - 3, ".gp") && (!n++ || strcmp(e->d_name, first) < 0))
            snprintf(first, sizeof first, "%s", e->d_name);
    }
    closedir(d);
    if (!n)
        return 0;
    char path[4400], shown[QUOTE_ROOM(4400)];
    snprintf(path, sizeof path, "%s/%s", dir, first);
    bs_fail(BS_EINPUT, "%s: not a sweep folder (no summary.txt with a '# point' header): it holds "
                       "%d figure%s already drawn by the command that wrote it (calibrate, "
                       "validate), each with its gnuplot script; redraw one with gnuplot %s",
            dir, n, n > 1 ? "s" : "", quote_print(shown, sizeof shown, path));
    return 1;
}

int plot_commit_draw(const char *dir, atomic_file *a, const char *script, const char *out,
                     char **paths, int *n)
{
    int st = atomic_commit(a);
    if (st == BS_OK)
        st = plot_gnuplot(dir, script, out);
    if (st == BS_OK) {
        char full[4600];
        snprintf(full, sizeof full, "%s/%s", dir, out);
        if (*n >= PLOT_MAX_FIGURES)
            st = bs_fail(BS_ERUNTIME, "plot: more than %d figures (%s is one too many)",
                        PLOT_MAX_FIGURES, full);
        else if (!(paths[*n] = strdup(full)))
            st = bs_nomem("the name of figure %s (plot)", full);
        else
            (*n)++;
    }
    return st;
}

/* The figures of the Sobol indices: block 1 + i of `file` is number i's
 * (sweep_sobol_text). */
static int sobol_figures(const char *file, const char *dir, int format, char **paths, int *n)
{
    FILE *in = fopen(file, "r");
    if (!in)
        return bs_fail(BS_EINPUT, "%s: cannot read it: %s", file, strerror(errno));
    static const char head[] = "# Sobol indices of ";
    char line[4096];
    int block = 0, st = BS_OK;
    while (st == BS_OK && *n < MAX_FIGURES && fgets(line, sizeof line, in)) {
        if (strncmp(line, head, sizeof head - 1) != 0)
            continue;
        block++;
        char name[256], script[300], out[300], why[200], path[4600], t[400];
        snprintf(name, sizeof name, "%.*s", (int)strcspn(line + sizeof head - 1, ":\n"),
                 line + sizeof head - 1);
        if (name_check(name, 200, 1, why, sizeof why) != 0) {
            char shown[QUOTE_ROOM(256)];
            st = bs_fail(BS_EINPUT, "%s: the Sobol indices of %s: the name %s", file,
                         quote_print(shown, sizeof shown, name), why);
            break;
        }
        snprintf(script, sizeof script, "sobol-%s.gp", name);
        snprintf(out, sizeof out, "sobol-%s.%s", name, plot_format_names[format]);
        snprintf(path, sizeof path, "%s/%s", dir, script);
        snprintf(t, sizeof t, "%s: Sobol indices with %s", name,
                 "95% bootstrap intervals");
        atomic_file *af = atomic_open(path);
        if (!af) {
            st = bs_last_status();
            break;
        }
        /* names are gnuplot single-quoted constants (quote_gp): data, never code */
        char qn[QUOTE_ROOM(256)], qs[QUOTE_ROOM(300)], qo[QUOTE_ROOM(300)], qt[QUOTE_ROOM(400)];
        char term[160];
        plot_terminal(format, term, sizeof term);
        fprintf(atomic_stream(af),
                "# Sobol indices of %s per parameter (data: ../summary.txt, block %d).\n"
                "# Restyle by editing this script, then: gnuplot %s\n"
                "if (!exists(\"outfile\")) outfile = %s\n"
                "set terminal %s\nset termoption noenhanced\nset output outfile\n"
                "set title %s\nset ylabel 'index'\nset grid ytics\nset key outside right top\n"
                "set yrange [*<0:1<*]\nset xzeroaxis\nset xtics rotate by -20\n"
                "set style data histograms\nset style histogram errorbars gap 2 lw 1.5\n"
                "set style fill solid 0.6 border -1\n"
                "plot '../summary.txt' index %d using 2:3:4:xtic(1) lc rgb '#0072B2' "
                "title 'first order S1', '' index %d using 5:6:7 lc rgb '#D55E00' title 'total ST'\n",
                quote_gp(qn, sizeof qn, name), block, quote_gp(qs, sizeof qs, script),
                quote_gp(qo, sizeof qo, out), term, quote_gp(qt, sizeof qt, t),
                block, block);
        st = plot_commit_draw(dir, af, script, out, paths, n);
    }
    fclose(in);
    return st;
}

int plot_sweep(const char *sweepdir, int format, char **paths, int *n)
{
    *n = 0;
    char file[4200], dir[4200], line[65536];
    snprintf(file, sizeof file, "%s/summary.txt", sweepdir);
    FILE *in = fopen(file, "r");
    if (!in && drawn_folder(sweepdir))
        return BS_EINPUT;
    if (!in)
        return bs_fail(BS_EINPUT, "%s: no summary.txt (is it a sweep folder? blockshift sweep "
                                  "--summarise %s writes it)", sweepdir, sweepdir);
    char *cols[MAX_COLS];
    int nc = 0, nomem = 0;
    while (fgets(line, sizeof line, in))
        if (strncmp(line, "# point ", 8) == 0) {
            for (char *tok = strtok(line + 2, " \n"); tok && nc < MAX_COLS;
                 tok = strtok(NULL, " \n")) {
                if (!(cols[nc] = strdup(tok))) {
                    nomem = 1;
                    break;
                }
                nc++;
            }
            break;
        }
    fclose(in);
    int np = 0;
    while (np + 1 < nc && strcmp(cols[np + 1], "n") != 0)
        np++;
    int st = BS_OK;
    if (nomem)
        st = bs_nomem("the column names of %s", file);
    else if ((nc < 3 || np < 1 || np + 2 >= nc) && drawn_folder(sweepdir))
        st = BS_EINPUT;
    else if (nc < 3 || np < 1 || np + 2 >= nc)
        st = bs_fail(BS_EINPUT, "%s: no '# point PARAMETERS n NUMBERS' header line", file);
    snprintf(dir, sizeof dir, "%s/plots", sweepdir);
    if (st == BS_OK)
        st = fsutil_make_dirs(dir);
    if (st == BS_OK)
        atomic_clean(dir); /* what killed plots left */
    const char *ext = plot_format_names[format];
    if (st == BS_OK)
        st = sobol_figures(file, dir, format, paths, n);
    /* Numbers: every column NAME_mean followed by _sd, _ci95_low, _ci95_high. */
    for (int c = np + 2; c + 3 < nc && st == BS_OK && *n < MAX_FIGURES; c += 4) {
        size_t len = strlen(cols[c]);
        if (len < 6 || strcmp(cols[c] + len - 5, "_mean") != 0)
            break;
        char name[256], script[300], out[300], why[200];
        snprintf(name, sizeof name, "%.*s", (int)(len - 5), cols[c]);
        /* a number's name names files: NAME.gp, NAME.png */
        if (name_check(name, 200, 1, why, sizeof why) != 0) {
            char shown[QUOTE_ROOM(256)];
            st = bs_fail(BS_EINPUT, "%s: the column %s %s", file,
                         quote_print(shown, sizeof shown, cols[c]), why);
            break;
        }
        snprintf(script, sizeof script, "%s.gp", name);
        snprintf(out, sizeof out, "%s.%s", name, ext);
        char path[4600], shown[600];
        shown_name(file, name, shown, sizeof shown);
        snprintf(path, sizeof path, "%s/%s", dir, script);
        atomic_file *af = atomic_open(path);
        if (!af) {
            st = bs_last_status();
            break;
        }
        FILE *o = atomic_stream(af);
        /* every string spliced in is a gnuplot single-quoted constant
         * (quote_gp): names are data, never code */
        char qn[QUOTE_ROOM(256)], qs[QUOTE_ROOM(300)], qo[QUOTE_ROOM(300)], qt[QUOTE_ROOM(1000)];
        char qx[QUOTE_ROOM(300)], term[160];
        plot_terminal(format, term, sizeof term);
        quote_gp(qn, sizeof qn, name);
        quote_gp(qs, sizeof qs, script);
        quote_gp(qo, sizeof qo, out);
        /* columns are 1-based in gnuplot: point is 1, parameter k is k + 2 */
        int mean = c + 1, lo = c + 3, hi = c + 4;
        fprintf(o, "# %s across the sweep's points (data: ../summary.txt).\n"
                   "# Restyle by editing this script, then: gnuplot %s\n"
                   "if (!exists(\"outfile\")) outfile = %s\n"
                   "set terminal %s\nset termoption noenhanced\nset output outfile\n"
                   "set grid\nset key outside right top\n",
                qn, qs, qo, term);
        if (np == 1) {
            char t[700];
            snprintf(t, sizeof t, "%s: mean and 95%% confidence interval", shown);
            fprintf(o, "set title %s\nset xlabel %s\n"
                       "set ylabel %s\n"
                       "plot '../summary.txt' index 0 using 2:%d:%d with filledcurves fs transparent solid 0.3 "
                       "title '95%% CI', '' index 0 using 2:%d with linespoints lw 2 title 'mean'\n",
                    quote_gp(qt, sizeof qt, t), quote_gp(qx, sizeof qx, cols[1]), qn, lo, hi, mean);
        } else if (np == 2) {
            char t[700], qy[QUOTE_ROOM(300)];
            snprintf(t, sizeof t, "%s: mean over the grid", shown);
            /* log axes for log-spaced designs; a note under the title when
             * the means differ by less than the widest 95% interval (the
             * colours then show noise, not structure) */
            double from[2], to[2];
            int logx = log_spaced(file, 2, &from[0], &to[0]), logy = log_spaced(file, 3, &from[1], &to[1]);
            fprintf(o, "%s%s%s", viridis, logx ? "set logscale x\n" : "", logy ? "set logscale y\n" : "");
            if (logx)
                log_tics(o, 'x', from[0], to[0]);
            if (logy)
                log_tics(o, 'y', from[1], to[1]);
            fprintf(o, "stats '../summary.txt' index 0 using %d nooutput prefix 'M'\n"
                       "stats '../summary.txt' index 0 using (column(%d) - column(%d)) nooutput prefix 'W'\n"
                       "note = M_max - M_min < W_max ? \"\\n(all differences are within the 95%% "
                       "confidence intervals: the colours show noise)\" : ''\n",
                    mean, hi, lo);
            /* the axes a little beyond the grid, so that the points at its
             * edges are drawn whole, clear of the border and the colour box
             * (after the stats above, which the ranges would filter) */
            for (int k = 0; k < 2; k++) {
                int lg = k ? logy : logx;
                char a = k ? 'y' : 'x', A = k ? 'Y' : 'X';
                fprintf(o, "stats '../summary.txt' index 0 using %d nooutput prefix '%c'\n", k + 2, A);
                if (lg)
                    fprintf(o, "f%c = %c_max > %c_min ? (%c_max / %c_min) ** 0.08 : 1.2\n"
                               "set %crange [%c_min / f%c : %c_max * f%c]\n",
                            a, A, A, A, A, a, A, a, A, a);
                else
                    fprintf(o, "p%c = %c_max > %c_min ? (%c_max - %c_min) * 0.08 : 0.5\n"
                               "set %crange [%c_min - p%c : %c_max + p%c]\n",
                            a, A, A, A, A, a, A, a, A, a);
            }
            fprintf(o, "set title %s . note\nset xlabel %s\nset ylabel %s\n"
                       "set cblabel %s\n"
                       "plot '../summary.txt' index 0 using 2:3:%d with points pt 5 ps 4 palette notitle\n",
                    quote_gp(qt, sizeof qt, t), quote_gp(qx, sizeof qx, cols[1]),
                    quote_gp(qy, sizeof qy, cols[2]), qn, mean);
        } else {
            fprintf(o, "set multiplot layout 1,%d\n", np);
            for (int k = 0; k < np; k++) {
                char t[1000];
                snprintf(t, sizeof t, "%s against %s", shown, cols[1 + k]);
                fprintf(o, "set title %s\nset xlabel %s\n"
                           "plot '../summary.txt' index 0 using %d:%d:%d:%d with yerrorbars title 'mean, 95%% CI'\n",
                        quote_gp(qt, sizeof qt, t), quote_gp(qx, sizeof qx, cols[1 + k]), k + 2,
                        mean, lo, hi);
            }
        }
        if (np > 2)
            fputs("unset multiplot\n", o);
        st = plot_commit_draw(dir, af, script, out, paths, n);
    }
    for (int c = 0; c < nc; c++)
        free(cols[c]);
    return st;
}
