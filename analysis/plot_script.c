/* The gnuplot script of a figure (plot_internal.h, plot_write_script), and
 * the look every figure shares: terminal, size, fonts, palette, margins. */
#include "analysis/plot_internal.h"
#include "analysis/plot_obs.h"

#include "base/atomic.h"
#include "base/quote.h"
#include "base/status.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *const plot_style_names[N_PLOT_STYLES] = {"screen", "paper", "slides"};

/* The look chosen for this process (plot_set_look). */
static int look_style = PLOT_SCREEN;
static double look_w, look_h; /* 0: the style's size */

/* Per style: size in pixels (png, svg) and inches (pdf), font size in
 * points for each, the lines' width, the plot area's right edge (a share of
 * the width; the legend is right of it) and the legend's sample lines'
 * length (characters; slides' large font leaves less room for names). */
static const struct {
    double px_w, px_h, px_font, in_w, in_h, in_font, lw, right, samplen;
} looks[N_PLOT_STYLES] = {
    [PLOT_SCREEN] = {1280, 720, 14, 7.0, 4.0, 10, 2.5, 0.78, 4},
    [PLOT_PAPER] = {1200, 750, 15, 6.5, 3.6, 9, 2.0, 0.78, 4},
    [PLOT_SLIDES] = {1600, 900, 24, 10.0, 5.6, 16, 4.0, 0.74, 2},
};

void plot_set_look(int style, double w, double h)
{
    look_style = style >= 0 && style < N_PLOT_STYLES ? style : PLOT_SCREEN;
    look_w = w > 0 ? w : 0;
    look_h = h > 0 ? h : 0;
}

void plot_terminal(int format, char *out, size_t size)
{
    int s = look_style;
    if (format == PLOT_PDF)
        snprintf(out, size, "pdfcairo size %.3gin,%.3gin font 'Sans,%g'",
                 look_w > 0 ? look_w : looks[s].in_w, look_h > 0 ? look_h : looks[s].in_h,
                 looks[s].in_font);
    else
        snprintf(out, size, "%s size %.0f,%.0f%s font 'Sans,%g'",
                 format == PLOT_SVG ? "svg" : "pngcairo", look_w > 0 ? look_w : looks[s].px_w,
                 look_h > 0 ? look_h : looks[s].px_h, format == PLOT_SVG ? " dynamic" : "",
                 looks[s].px_font);
}

void plot_look(int format, double *w, double *h, double *pt, double *em)
{
    const int s = look_style;
    int pdf = format == PLOT_PDF;
    *w = pdf ? 72 * (look_w > 0 ? look_w : looks[s].in_w) : (look_w > 0 ? look_w : looks[s].px_w);
    *h = pdf ? 72 * (look_h > 0 ? look_h : looks[s].in_h) : (look_h > 0 ? look_h : looks[s].px_h);
    *pt = pdf ? looks[s].in_font : looks[s].px_font;
    *em = pdf ? *pt : *pt * 4.0 / 3.0;
}

/* The palette: Okabe and Ito's eight colours safe for the common colour
 * blindnesses ("Color Universal Design", 2008), without their yellow
 * (#F0E442, too pale on white), with grey last; each line type also has its
 * own dash pattern, so that lines differ in print without colour. */
static const char *const colours[8] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                       "#E69F00", "#56B4E9", "#000000", "#999999"};
static const char *const dashes[8] = {"1", "(14,6)", "(3,4)", "(14,5,3,5)",
                                      "(8,4)", "(14,4,3,4,3,4)", "(24,6)", "(3,7)"};

/* The event strip: each event's label sits above the plot area at its date,
 * in the first of PLOT_EV_ROWS rows where it does not run into the label
 * before it (the widths estimated from the characters); rows[e] gets the
 * row, and the number of rows used is returned. */
#define PLOT_EV_ROWS 5 /* a timeline with labels clustered within weeks (russia-2024-2026) needs them */

/* An event's label: its action and its apps (a list of names with commas),
 * each app by its display name (results_run_display) when the file has one. */
static void event_text(const run *r, const results_event *ev, char *out, size_t size)
{
    const results_labels *ids = r->f ? results_run_labels(r->f, "app") : NULL;
    const results_labels *shown = r->f ? results_run_display(r->f, "app") : NULL;
    size_t at = (size_t)snprintf(out, size, "%s", ev->action);
    for (const char *p = ev->apps; *p && at < size;) {
        size_t len = strcspn(p, ",");
        const char *name = NULL;
        for (int a = 0; ids && shown && a < ids->n && !name; a++)
            if (strlen(ids->v[a]) == len && strncmp(ids->v[a], p, len) == 0)
                name = shown->v[a];
        at += (size_t)(name ? snprintf(out + at, size - at, "%s%s", p == ev->apps ? " " : ", ", name)
                            : snprintf(out + at, size - at, "%s%.*s", p == ev->apps ? " " : ", ",
                                       (int)len, p));
        p += len + (p[len] == ',');
    }
}
/* Events drawn: a scenario has at most MAX_EVENTS (world.h, 256); a results
 * file crafted with more has only its first ones drawn. */
#define PLOT_MAX_EVENTS 256
static int event_rows(const run *r, int *rows, char (*text)[160])
{
    double first = (double)(r->epoch + (r->day_of ? r->day_of[0] : 0));
    double last = (double)(r->epoch + (r->day_of ? r->day_of[r->n_days - 1] : r->n_days - 1));
    double span = last > first ? last - first : 1, end[PLOT_EV_ROWS];
    /* the plot area is about 70% of the width; a character about 0.9% of it */
    double per_char = 0.009 * (look_style == PLOT_SLIDES ? 1.4 : 1.0) / 0.7;
    for (int k = 0; k < PLOT_EV_ROWS; k++)
        end[k] = -1;
    int used = 0;
    for (int e = 0; e < r->n_ev; e++) {
        event_text(r, &r->ev[e], text[e], 160);
        long day = plot_parse_date(r->ev[e].date);
        double x = day < 0 ? 0 : ((double)day - first) / span, w = strlen(text[e]) * per_char;
        int best = 0;
        for (int k = 0; k < PLOT_EV_ROWS; k++) {
            if (end[k] < x) {
                best = k;
                break;
            }
            if (end[k] < end[best])
                best = k;
        }
        rows[e] = best;
        end[best] = x + w + 0.01;
        used = best + 1 > used ? best + 1 : used;
    }
    return used;
}

/* The lines and strip labels of the events, for one panel (strip: labels). */
static void events(FILE *o, const run *r, const int *rows, char (*text)[160], int strip)
{
    for (int e = 0; e < r->n_ev; e++) {
        char date[QUOTE_ROOM(16)], label[QUOTE_ROOM(160)];
        quote_gp(date, sizeof date, r->ev[e].date);
        quote_gp(label, sizeof label, text[e]);
        fprintf(o, "set arrow from %s, graph 0 to %s, graph 1 nohead dt 2 lc rgb 'gray45' back\n",
                date, date);
        double pt = r->format == PLOT_PDF ? looks[look_style].in_font : looks[look_style].px_font;
        if (strip)
            fprintf(o,
                    "set label %s at %s, graph 1 offset char -0.3, char %.1f left "
                    "font ',%g' textcolor rgb 'gray20' front\n",
                    label, date, 0.7 + 1.25 * rows[e], 0.8 * pt);
    }
}

/* `plot` clauses: columns [from, to) (0-based) of dat.  Stacked areas sum
 * the columns from `from` up in gnuplot (the .dat holds each series' own
 * values), drawn from the top down; lines use line type i (colour and dash);
 * pair > 0: columns [from, from + pair) solid and the next pair dashed in the
 * same colours. */
static void clauses(FILE *o, const char *dat, int from, int to, int stacked, int pair,
                    int points, int band, int *first)
{
    const char *sep = *first ? "plot " : ", \\\n     ";
    if (to <= from)
        return;
    *first = 0;
    if (band > 0 && !stacked && pair <= 0) { /* the intervals first, under the lines */
        fprintf(o,
                "%sfor [i=%d:%d] %s using 1:(column(i+%d)):(column(i+%d)) with filledcurves "
                "lt (i-%d) fs transparent solid 0.22 noborder notitle",
                sep, from + 2, to + 1, dat, band, 2 * band, from + 1);
        sep = ", \\\n     ";
    }
    if (stacked)
        fprintf(o,
                "%sfor [i=%d:%d:-1] %s using 1:(sum [c=%d:i] column(c)) with filledcurves x1 "
                "lt (i-%d) fs solid 0.9 noborder title keytitle[i-1]",
                sep, to + 1, from + 2, dat, from + 2, from + 1);
    else if (pair > 0) /* the legend: the apps' colours once, then the two runs' dashes */
        fprintf(o,
                "%sfor [i=%d:%d] %s using 1:i with lines lt (i-%d) dt 1 title keytitle[i-1], "
                "\\\n     for [i=%d:%d] %s using 1:i with lines lt (i-%d) dt 2 notitle, "
                "\\\n     %s using 1:(NaN) with lines lc rgb 'gray40' dt 1 title 'run A', "
                "\\\n     %s using 1:(NaN) with lines lc rgb 'gray40' dt 2 title 'run B'",
                sep, from + 2, from + pair + 1, dat, from + 1, from + pair + 2, from + 2 * pair + 1,
                dat, from + pair + 1, dat, dat);
    else
        fprintf(o, "%sfor [i=%d:%d] %s using 1:i with %s lt (i-%d) title keytitle[i-1]", sep,
                from + 2, to + 1, dat, points ? "linespoints pt 7" : "lines", from + 1);
}

/* The characters a legend line holds in the room right of the plot area
 * (right of the look's right margin): the room less the sample line's and
 * the padding's (samplen + 2.6 font sizes), over an average character (0.78
 * of the font size), measured on the links figure of the default scenario
 * at 1280x720 and 14 points (a 19-character line took 206 pixels, the
 * sample and padding 93); at least 12, at most KEY_MAX. */
#define KEY_MAX 40
static size_t key_width(int format)
{
    const int s = look_style;
    double w = format == PLOT_PDF ? 72 * (look_w > 0 ? look_w : looks[s].in_w)
                                  : (look_w > 0 ? look_w : looks[s].px_w);
    double font = format == PLOT_PDF ? looks[s].in_font : looks[s].px_font;
    double chars = ((1 - looks[s].right) * w - (looks[s].samplen + 2.6) * font) / (0.78 * font);
    return chars < 12 ? 12 : chars > KEY_MAX ? KEY_MAX : (size_t)chars;
}

/* The y axis's label sits at a fixed place near the figure's left edge (a
 * label rotated by 90 degrees, centred on its panel), the same in every
 * figure, and the plot area's left edge (a share of the width) leaves room
 * between it and the axis for tic labels of six characters ("100000"): in
 * font heights, the label's 1.6, a tic label's six digits 6 x 0.66 and
 * gnuplot's gap before the axis 0.6, plus 0.3 of air (6.5 in all).  Too
 * little room (a fixed 0.09 of the width) pushed gnuplot's own ylabel off
 * the left edge at slides and paper where the tic labels reach 10000.  A
 * font height is the font size in points, in pixels at 4/3 pixel a point
 * (png, svg: measured, a digit of the 14-point font is 12.6 pixels wide,
 * 0.68 of 18.7) and in points for pdf. */
static double left_margin(int format, double *label_x)
{
    double w, h, pt, em;
    plot_look(format, &w, &h, &pt, &em);
    double m = 6.5 * em / w;
    *label_x = 0.9 * em / w; /* the label's middle */
    return m < 0.06 ? 0.06 : m > 0.3 ? 0.3 : m;
}

/* The y axis's label of the panel drawn next (ylabel, a gnuplot string), in
 * the middle of the panel (y < 0), or at y on the screen (the middle of two
 * panels that share it); in a font of `small` points when > 0 (two labels
 * one above the other, each shorter than its panel). */
static void y_label(FILE *o, const char *ylabel, double x, double y, double small)
{
    char at[64], font[32] = "";
    if (y < 0)
        snprintf(at, sizeof at, "screen %.4f, graph 0.5", x);
    else
        snprintf(at, sizeof at, "screen %.4f, screen %.4f", x, y);
    if (small > 0)
        snprintf(font, sizeof font, " font ',%g'", small);
    fprintf(o,
            "# the y axis's label: label 990, at the same place in every figure (not ylabel, "
            "which moves with the tic labels)\n"
            "unset ylabel\nset label 990 %s at %s rotate by 90 center%s front\n",
            ylabel, at, font);
}

/* A legend entry: name as a gnuplot string expression into out, broken into
 * lines of at most KEY_WIDTH (key_width) characters where it is longer (after the last
 * "->" in the line, else its last space, '-', '_' or '/', else at the width),
 * so that long names (links "north-caucasian-metro->north-caucasian-mobile")
 * stay inside the room the fixed right margin leaves for the legend. */
static const char *key_title(char *out, size_t size, const char *name, size_t KEY_WIDTH)
{
    /* a long link FROM->TO whose ends share a prefix up to a '-' (the
     * region's "far-eastern-metro->far-eastern-mobile"): "far-eastern:
     * metro->mobile" */
    char short_name[300];
    const char *s = name, *arrow = strstr(name, "->");
    size_t len = strlen(name), common = 0;
    for (size_t k = 0; arrow && len > KEY_WIDTH && !strstr(arrow + 2, "->") &&
                       name + k < arrow && arrow[2 + k] && name[k] == arrow[2 + k]; k++)
        if (name[k] == '-')
            common = k + 1;
    if (common > 1 && len < sizeof short_name) {
        snprintf(short_name, sizeof short_name, "%.*s: %.*s->%s", (int)(common - 1), name,
                 (int)(arrow - name - (ptrdiff_t)common), name + common, arrow + 2 + common);
        s = short_name;
        len = strlen(s);
    }
    size_t n = 0;
    out[0] = '\0';
    for (int line = 0; len > 0 && n < size; line++) {
        size_t take = len;
        if (len > KEY_WIDTH) {
            take = 0;
            /* "PREFIX: " first (its space, dropped at the line's end, may be one past) */
            for (size_t k = KEY_WIDTH + 1; k >= KEY_WIDTH / 3 && !take; k--)
                if (s[k - 2] == ':' && s[k - 1] == ' ')
                    take = k;
            for (size_t k = KEY_WIDTH; k >= KEY_WIDTH / 3 && !take; k--) /* then a link's "->" */
                if (s[k - 2] == '-' && s[k - 1] == '>')
                    take = k;
            for (size_t k = KEY_WIDTH; k >= KEY_WIDTH / 3 && !take; k--)
                if (strchr(" -_/", s[k - 1]))
                    take = k;
            if (!take)
                take = KEY_WIDTH;
            if (take < len && s[take] == '>') /* never between '-' and '>' */
                take++;
        }
        char piece[KEY_MAX + 2], q[QUOTE_ROOM(KEY_MAX + 2)];
        size_t shown = take;
        while (shown > 1 && take < len && s[shown - 1] == ' ') /* no space at a line's end */
            shown--;
        snprintf(piece, sizeof piece, "%.*s", (int)shown, s);
        n += (size_t)snprintf(out + n, size - n, "%s%s", line ? " . \"\\n\" . " : "",
                              quote_gp(q, sizeof q, piece));
        s += take;
        len -= take;
    }
    if (!out[0]) /* an empty name: an empty title */
        snprintf(out, size, "''");
    return out;
}

/* The legend's line spacing for the entries of columns [from, to): room
 * for the longest one's lines (lines_of[c], 0 past PLOT_MAX_KEYS). */
#define PLOT_MAX_KEYS 64
static void key_spacing(FILE *o, const int *lines_of, int from, int to)
{
    int most = 1;
    for (int c = from; c < to && c < PLOT_MAX_KEYS; c++)
        most = lines_of[c] > most ? lines_of[c] : most;
    if (most > 1)
        fprintf(o, "set key spacing %d.1\n", most);
    else
        fputs("set key spacing 1\n", o);
}

int plot_write_script(const run *r, const figure *g, const char *path)
{
    FILE *o = fopen(path, "w");
    if (!o)
        return bs_fail(BS_ERUNTIME, "%s: cannot write (%s)", path, strerror(errno));
    /* every string spliced in is a gnuplot single-quoted constant (quote_gp):
     * names are data, never code */
    char name[QUOTE_ROOM(256)], title[QUOTE_ROOM(256)], ylabel[QUOTE_ROOM(256)];
    char result[QUOTE_ROOM(4200)], dat[QUOTE_ROOM(300)], out[QUOTE_ROOM(300)], buf[300];
    char lower[QUOTE_ROOM(256)], term[160];
    const char *ext = plot_format_names[r->format];
    quote_gp(name, sizeof name, g->name);
    quote_gp(title, sizeof title, g->title);
    quote_gp(ylabel, sizeof ylabel, g->ylabel);
    quote_gp(lower, sizeof lower, g->lower_ylabel ? g->lower_ylabel : g->ylabel);
    quote_gp(result, sizeof result, r->result);
    snprintf(buf, sizeof buf, "%s.dat", g->name);
    quote_gp(dat, sizeof dat, buf);
    snprintf(buf, sizeof buf, "%s.%s", g->name, ext);
    quote_gp(out, sizeof out, buf);
    plot_terminal(r->format, term, sizeof term);
    double lw = looks[look_style].lw;
    fprintf(o,
            "# %s: %s.\n# Data: %s (next to this script), written by blockshift plot from %s.\n"
            "# Restyle by editing this script, then: gnuplot %s.gp (from any folder)\n"
            "# the data file next to this script, and the figure, wherever it is run from\n"
            "here = ''; do for [k=1:strlen(ARG0)] { if (ARG0[k:k] eq '/') { here = ARG0[1:k] } }\n"
            "if (!exists(\"outfile\")) outfile = here . %s\n"
            "data = here . %s\n"
            "stats data using 0 nooutput prefix 'DATA'\n"
            "if (!exists('DATA_records')) { print 'cannot read the data file ', data, "
            "' (it belongs next to this script)'; exit status 2 }\n"
            "set terminal %s\nset termoption noenhanced\nset output outfile\n",
            name, title, dat, result, g->name, out, dat, term);
    for (int k = 0; k < 8; k++)
        fprintf(o, "set linetype %d lc rgb '%s' lw %g dt %s\n", k + 1, colours[k], lw, dashes[k]);
    fputs("set linetype cycle 8\n", o);
    /* the legend's entries: column i of the data is keytitle[i - 1] */
    fprintf(o, "array keytitle[%d]\n", g->n_cols > 0 ? g->n_cols : 1);
    int lines_of[PLOT_MAX_KEYS] = {0};
    for (int c = 0; c < g->n_cols; c++) {
        char key[QUOTE_ROOM(300) + 64];
        key_title(key, sizeof key, g->cols[c], key_width(r->format));
        int k = 1;
        for (const char *p = key; (p = strstr(p, "\"\\n\"")); p++)
            k++;
        if (c < PLOT_MAX_KEYS)
            lines_of[c] = k;
        fprintf(o, "keytitle[%d] = %s\n", c + 1, key);
    }
    if (g->pair > 0) {
        char qa[QUOTE_ROOM(200)], qb[QUOTE_ROOM(200)], t[200];
        snprintf(t, sizeof t, "A (solid): %s", g->pair_name[0] ? g->pair_name[0] : "");
        quote_gp(qa, sizeof qa, t);
        snprintf(t, sizeof t, "B (dashed): %s", g->pair_name[1] ? g->pair_name[1] : "");
        quote_gp(qb, sizeof qb, t);
        fprintf(o, "runA = %s\nrunB = %s\n", qa, qb);
    }
    int rows[PLOT_MAX_EVENTS] = {0}, n_ev = r->n_ev < PLOT_MAX_EVENTS ? r->n_ev : PLOT_MAX_EVENTS;
    char text[PLOT_MAX_EVENTS][160];
    run rr = *r;
    rr.n_ev = n_ev;
    int strip = event_rows(&rr, rows, text);
    /* Margins fixed on the screen, so the plot areas of every figure line up;
     * the top leaves room for the title and the event strip. */
    double top = 0.90 - 0.045 * strip * (look_style == PLOT_SLIDES ? 1.3 : 1.0);
    double split = g->lower ? 0.14 + 0.42 * (top - 0.14) : 0; /* the lower panel's top */
    double label_x, left = left_margin(r->format, &label_x);
    fprintf(o,
            "set lmargin at screen %.4f\nset rmargin at screen %.2f\n"
            "set key outside right top noenhanced samplen %g\n"
            "set xdata time\nset timefmt '%%Y-%%m-%%d'\nset format x '%%b %%Y'\n"
            "set xtics rotate by -30 nomirror\nset ytics nomirror\nset grid lc rgb 'gray85'\n"
            "set yrange [0:*]\nset autoscale xfix\nset border 3\n",
            left, looks[look_style].right, looks[look_style].samplen);
    if (g->lower)
        fputs("set multiplot\n", o);
    char note[QUOTE_ROOM(200)];
    if (g->pair > 0) /* the runs' names under the title */
        fprintf(o, "set title %s . \"\\n\" . runA . '    ' . runB offset 0, %.1f\n", title,
                1.25 * strip);
    else if (g->note) /* replications: what the lines and bands are */
        fprintf(o, "set title %s . \"\\n\" . %s offset 0, %.1f\n", title,
                quote_gp(note, sizeof note, g->note), 1.25 * strip);
    else
        fprintf(o, "set title %s offset 0, %.1f\n", title, 1.25 * strip);
    /* two panels: one label in the middle of both when they share it, else
     * a smaller one on each */
    int shared = g->lower && strcmp(ylabel, lower) == 0;
    double pt = r->format == PLOT_PDF ? looks[look_style].in_font : looks[look_style].px_font;
    y_label(o, ylabel, label_x, shared ? (top + 0.14) / 2 : -1, g->lower && !shared ? 0.8 * pt : 0);
    fprintf(o, "set tmargin at screen %.3f\n", top - (g->pair > 0 || g->note ? 0.03 : 0));
    fprintf(o, "set bmargin at screen %.3f\n", g->lower ? split + 0.06 : 0.14);
    if (g->lower)
        fputs("set format x ''\n", o);
    events(o, &rr, rows, text, 1);
    int first = 1;
    int upper_to = g->lower ? g->lower - 1 : g->n_cols;
    /* With observations, the .dat has a second block (index 1) of them. */
    int with_obs = g->obs && g->obs->n > 0;
    const char *d0 = with_obs ? "data index 0" : "data";
    int band = g->lo && g->hi ? g->n_cols : 0; /* columns from a mean to its interval */
    key_spacing(o, lines_of, 0, upper_to);
    clauses(o, d0, 0, g->n_stack, 1, 0, 0, 0, &first);
    if (g->pair > 0)
        clauses(o, d0, 0, 2 * g->pair, 0, g->pair, 0, 0, &first);
    else
        clauses(o, d0, g->n_stack, upper_to, 0, 0, r->replay, band, &first);
    if (with_obs) /* in the colour of the app's line (its line type) */
        fprintf(o, "%sdata index 1 using 1:2:3:4 with yerrorbars lc variable dt 1 pt 7 ps 1.3 "
                   "lw 2 title 'observed (+-1 sd)'",
                first ? "plot " : ", \\\n     ");
    fputc('\n', o);
    if (g->lower) { /* the lower panel: column lower - 1 as an area, the rest lines */
        fprintf(o,
                "unset title\nunset label\nset format x '%%b %%Y'\n"
                "set tmargin at screen %.3f\nset bmargin at screen 0.14\n",
                split - 0.02);
        if (!shared)
            y_label(o, lower, label_x, -1, 0.8 * pt);
        events(o, &rr, rows, text, 0);
        key_spacing(o, lines_of, g->lower - 1, g->n_cols);
        fprintf(o,
                "plot data using 1:%d with filledcurves x1 lt 8 fs solid 0.5 noborder "
                "title keytitle[%d]",
                g->lower + 1, g->lower);
        first = 0;
        clauses(o, "data", g->lower, g->n_cols, 0, 0, r->replay, band, &first);
        fputs("\nunset multiplot\n", o);
    }
    return atomic_close_stream(o, path); /* every write checked: a full disk is an error */
}
