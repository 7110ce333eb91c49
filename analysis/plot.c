#include "analysis/plot.h"

#include "analysis/plot_internal.h"
#include "analysis/obs_map.h"
#include "analysis/plot_obs.h"
#include "io/results.h"
#include "base/fsutil.h"
#include "base/quote.h"
#include "base/atomic.h"
#include "base/status.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *const plot_format_names[N_PLOT_FORMATS] = {"png", "svg", "pdf"};


static int have_gnuplot(void)
{
    const char *path = getenv("PATH");
    char dir[4096], exe[4200];
    for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
        size_t len = strcspn(p, ":");
        snprintf(dir, sizeof dir, "%.*s", (int)len, p);
        snprintf(exe, sizeof exe, "%s/gnuplot", dir[0] ? dir : ".");
        if (access(exe, X_OK) == 0)
            return 1;
        p += len + (p[len] == ':');
    }
    return 0;
}

int plot_need_gnuplot(void)
{
    return have_gnuplot() ? BS_OK
                          : bs_fail(BS_ERUNTIME, "gnuplot is not installed: install it with "
                                                 "`apt-get install gnuplot-nox` (or ./waf deps)");
}

long plot_parse_date(const char *iso) { return obs_map_parse_date(iso); }

static void date_of(long days, char out[11]) { obs_map_date(days, out, 11); }

static int write_dat(const run *r, const figure *g, const char *path)
{
    FILE *o = fopen(path, "w");
    if (!o)
        return bs_fail(BS_ERUNTIME, "%s: cannot write (%s)", path, strerror(errno));
    /* every string quoted: a name with spaces is one column, one with a
     * newline cannot start a line of its own */
    char qt[QUOTE_ROOM(256)], ql[QUOTE_ROOM(256)], qr[QUOTE_ROOM(4200)], qc[QUOTE_ROOM(256)];
    fprintf(o, "# %s (%s), from %s%s%s\n\"date\"", quote_gp(qt, sizeof qt, g->title),
            quote_gp(ql, sizeof ql, g->ylabel), quote_gp(qr, sizeof qr, r->result),
            g->note ? "; " : "", g->note ? g->note : "");
    /* a mean of replications: each column's mean, then the low ends of the
     * 95% intervals, then the high ends, in the same column order */
    int parts = g->lo && g->hi ? 3 : 1;
    for (int k = 0; k < parts; k++)
        for (int c = 0; c < g->n_cols; c++) {
            char name[300];
            snprintf(name, sizeof name, "%s%s", g->cols[c],
                     k == 0 ? "" : k == 1 ? " (95% low)" : " (95% high)");
            fprintf(o, " %s", quote_gp_data(qc, sizeof qc, name));
        }
    fputc('\n', o);
    for (int d = 0; d < r->n_days; d++) {
        char date[11];
        date_of(r->epoch + (r->day_of ? r->day_of[d] : d), date);
        fputs(date, o);
        for (int k = 0; k < parts; k++) {
            const double *x = k == 0 ? g->v : k == 1 ? g->lo : g->hi;
            for (int c = 0; c < g->n_cols; c++)
                fprintf(o, " %.9g", x[(size_t)d * g->n_cols + c]);
        }
        fputc('\n', o);
    }
    if (g->obs && g->obs->n > 0) { /* a second block (gnuplot's index 1) */
        fputs("\n\n# observations (the scenario's file): date value sd column-of-app\n", o);
        for (int i = 0; i < g->obs->n; i++) {
            char date[11];
            date_of(r->epoch + g->obs->day[i], date);
            fprintf(o, "%s %.9g %.9g %d\n", date, g->obs->value[i], g->obs->sd[i],
                    g->obs->col[i]);
        }
    }
    return atomic_close_stream(o, path); /* every write checked: a full disk is an error */
}

/* Whether the image file `path` is complete for its format `ext` (".png",
 * ".pdf", ".svg"): a PNG ends with its IEND chunk, a PDF has its %%EOF, an SVG
 * ends with </svg>.  gnuplot exits 0 after a failed write (disk full), so a
 * successful exit proves nothing. */
static int image_complete(const char *path, const char *ext)
{
    FILE *f = fopen(path, "rb");
    if (!f || !ext)
        return f ? fclose(f), 0 : 0;
    unsigned char head[8] = {0}, tail[1024];
    size_t nh = fread(head, 1, sizeof head, f), nt = 0;
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (size > 0) {
        long from = size > (long)sizeof tail ? size - (long)sizeof tail : 0;
        if (fseek(f, from, SEEK_SET) == 0)
            nt = fread(tail, 1, sizeof tail, f);
    }
    fclose(f);
    if (!strcmp(ext, ".png")) {
        static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        static const unsigned char iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
        return nh == 8 && !memcmp(head, sig, 8) && nt >= 12 && !memcmp(tail + nt - 12, iend, 12);
    }
    if (!strcmp(ext, ".pdf")) {
        int eof = 0;
        for (size_t i = 0; i + 5 <= nt && !eof; i++)
            eof = !memcmp(tail + i, "%%EOF", 5);
        return nh >= 5 && !memcmp(head, "%PDF-", 5) && eof;
    }
    if (!strcmp(ext, ".svg")) {
        while (nt > 0 && (tail[nt - 1] == '\n' || tail[nt - 1] == '\r' || tail[nt - 1] == ' '))
            nt--;
        return nt >= 6 && !memcmp(tail + nt - 6, "</svg>", 6);
    }
    return 0;
}

/* gnuplot SCRIPT in folder `cwd`, drawing to `outfile` (a name in cwd), in a
 * process group of its own that dies with us: killed with its group by the
 * interrupt handlers (base/atomic.h), and by the kernel (PR_SET_PDEATHSIG)
 * if we are killed outright.  BS_OK once the image is complete. */
static int gnuplot_in(const char *cwd, const char *script, const char *outfile, const char *ext)
{
    char arg[QUOTE_ROOM(320) + 16], gp[4600], img[4600];
    snprintf(gp, sizeof gp, "%s/%s", cwd, script);
    snprintf(img, sizeof img, "%s/%s", cwd, outfile);
    char qout[QUOTE_ROOM(320)];
    if (strlen(outfile) >= 320 ||
        snprintf(arg, sizeof arg, "outfile=%s", quote_gp(qout, sizeof qout, outfile)) >= (int)sizeof arg)
        return bs_fail(BS_EINPUT, "plot: %s: the name is too long", outfile);
    int errpipe[2];
    if (pipe(errpipe) != 0)
        return bs_fail(BS_ERUNTIME, "plot: pipe: %s", strerror(errno));
    pid_t parent = getpid(), pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        if (atomic_die_with(parent) != 0) /* we died before it */
            _exit(125);
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        dup2(errpipe[1], 2);
        close(errpipe[0]);
        if (chdir(cwd) != 0)
            _exit(126);
        execlp("gnuplot", "gnuplot", "-e", arg, script, (char *)NULL);
        _exit(127);
    }
    close(errpipe[1]);
    if (pid < 0) {
        close(errpipe[0]);
        return bs_fail(BS_ERUNTIME, "plot: cannot start gnuplot (%s)", strerror(errno));
    }
    setpgid(pid, pid); /* also here: no race with the child's own call */
    atomic_child(pid);
    char msg[600] = "", rest[4096];
    size_t got = 0;
    ssize_t k;
    while ((k = read(errpipe[0], got < sizeof msg - 1 ? msg + got : rest,
                     got < sizeof msg - 1 ? sizeof msg - 1 - got : sizeof rest)) != 0) {
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            break;
        if (got < sizeof msg - 1)
            got += (size_t)k;
    }
    msg[got] = '\0';
    while (got > 0 && msg[got - 1] == '\n')
        msg[--got] = '\0';
    close(errpipe[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    atomic_child(0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return bs_fail(BS_ERUNTIME, "plot: gnuplot failed on %s%s%s", gp, msg[0] ? ": " : "", msg);
    if (!image_complete(img, ext))
        return bs_fail(BS_ERUNTIME, "plot: gnuplot's image %s is incomplete (is the disk full?)%s%s",
                       img, msg[0] ? ": " : "", msg);
    return BS_OK;
}

/* The last message with the temporary name `tmp` replaced by the final
 * one (the user knows the files by those); returns st. */
static int final_names(int st, const char *tmp, const char *final)
{
    char msg[8600];
    const char *e = bs_last_error(), *at = strstr(e, tmp);
    if (at) {
        snprintf(msg, sizeof msg, "%.*s%s%s", (int)(at - e), e, final, at + strlen(tmp));
        bs_fail(st, "%s", msg);
    }
    return st;
}

int plot_gnuplot(const char *dir, const char *script, const char *out)
{
    char tmp[4200], dst[4200];
    snprintf(dst, sizeof dst, "%s/%s", dir, out);
    BS_TRY(atomic_temp_name(dst, tmp, sizeof tmp));
    atomic_track(tmp);
    int st = gnuplot_in(dir, script, strrchr(tmp, '/') + 1, strrchr(out, '.'));
    if (st == BS_OK)
        st = atomic_publish(tmp, dst);
    if (st != BS_OK) {
        unlink(tmp);
        atomic_untrack(tmp);
        final_names(st, tmp, dst);
    }
    return st;
}

/* NAME.dat, NAME.gp and NAME.EXT are made together in a temporary folder of
 * the output folder (.NAME.tmp-PID-RANDOM), where gnuplot reads the data
 * this call wrote whatever another process does, then each is renamed into
 * place, the figure last.  On failure the temporary folder goes, with all. */
int plot_draw(run *r, const figure *given)
{
    figure mean;
    const figure *g = given;
    if (r->band) { /* replications: gathered, or their mean drawn */
        int drawn = 0;
        BS_TRY(plot_band_figure(r->band, r, given, &mean, &drawn));
        if (!drawn)
            return BS_OK;
        g = &mean;
    }
    char work[4200], dat[4600], gp[4600], img[4600], script[300], out[300], path[4600];
    const char *ext = plot_format_names[r->format];
    snprintf(script, sizeof script, "%s.gp", g->name);
    snprintf(out, sizeof out, "%s.%s", g->name, ext);
    BS_TRY(atomic_temp_dir(r->dir, g->name, work, sizeof work));
    snprintf(dat, sizeof dat, "%s/%s.dat", work, g->name);
    snprintf(gp, sizeof gp, "%s/%s", work, script);
    snprintf(img, sizeof img, "%s/%s", work, out);
    atomic_track(dat);
    atomic_track(gp);
    atomic_track(img);
    int st = write_dat(r, g, dat);
    if (st == BS_OK)
        st = plot_write_script(r, g, gp);
    if (st == BS_OK)
        st = gnuplot_in(work, script, out, strrchr(out, '.'));
    const char *from[3] = {dat, gp, img}, *name[3] = {"dat", "gp", ext};
    for (int i = 0; i < 3 && st == BS_OK; i++) {
        snprintf(path, sizeof path, "%s/%s.%s", r->dir, g->name, name[i]);
        st = atomic_publish(from[i], path);
    }
    for (int i = 0; i < 3; i++)
        atomic_untrack(from[i]);
    atomic_remove_dir(work); /* empty after success; with what was made after a failure */
    if (st != BS_OK)
        return final_names(st, work, r->dir);
    if (r->n_paths >= PLOT_MAX_FIGURES)
        return bs_fail(BS_ERUNTIME, "plot: more than %d figures (%s is one too many)",
                      PLOT_MAX_FIGURES, path);
    char *copy = strdup(path);
    if (!copy)
        return bs_nomem("the name of figure %s (plot)", path);
    r->paths[r->n_paths++] = copy;
    return BS_OK;
}

/* Sum a [day][region][x] dataset over regions into [day][x], scaled. */
static double *national(const double *x, const size_t *shape, double k)
{
    size_t nd = shape[0], nr = shape[1], nx = shape[2];
    double *v = calloc(nd * nx + 1, sizeof(double));
    for (size_t d = 0; v && d < nd; d++)
        for (size_t g = 0; g < nr; g++)
            for (size_t i = 0; i < nx; i++)
                v[d * nx + i] += k * x[(d * nr + g) * nx + i];
    return v;
}

/* The datasets the figures use (those the file has are read, validated). */
static const char *const plot_datasets[] = {
    OBS_PATH_PRIMARY,      "/calls/failed",          OBS_PATH_VPN,
    "/network/border_app", "/network/border_total",  "/network/border_vpn",
    "/censor/inspected",   "/censor/dropped",        "/censor/uninspected",
    "/network/link_carried", "/network/link_capacity", OBS_PATH_INSTALLED,
    OBS_PATH_DAILY,        OBS_PATH_MONTHLY,
    "/calls/completed",    "/calls/abandoned", /* a replay's calls figure */
    /* a testbed matrix's (plot_testbed.c) */
    "/testbed/usable", "/testbed/detect", "/testbed/collateral", "/testbed/media_loss",
    "/testbed/goodput_share", "/testbed/delay", "/testbed/setup_success",
    "/testbed/validation/measured", "/testbed/validation/predicted", NULL,
};

/* The figures drawn only for a scenario's observations (plot_obs.h): the
 * dataset each measure reads (obs_map.h), its file name and title. */
static const struct {
    int ds;
    const char *name, *title;
} obs_figures[] = {
    {OBS_DAILY, "daily_users", "Daily users of each app (messages or calls)"},
    {OBS_MONTHLY_REACH, "monthly_reach", "Monthly reach of each app, month to date"},
    {OBS_INSTALLED, "installed", "People with each app"},
};

/* Dataset `path` (rank `rank`), its shape in shape[], or NULL with a
 * message naming it. */
static const double *need(run *r, const char *path, int rank, size_t shape[4])
{
    const results_array *a = results_run_array(r->f, path);
    if (!a) {
        bs_fail(BS_EINPUT, "%s: %s: missing", r->result, path);
        return NULL;
    }
    if (a->rank != rank) {
        bs_fail(BS_EINPUT, "%s: %s has %d axes, not %d", r->result, path, a->rank, rank);
        return NULL;
    }
    memcpy(shape, a->shape, sizeof a->shape);
    return a->v;
}

/* The names of /dims/DIM, *n of them, or NULL with a message. */
static char **names_of(run *r, const char *dim, int *n)
{
    const results_labels *l = results_run_labels(r->f, dim);
    if (!l) {
        bs_fail(BS_EINPUT, "%s: /dims/%s: missing", r->result, dim);
        return NULL;
    }
    *n = l->n;
    return l->v;
}

/* The names to show for DIM's entries (the apps' display names, else their
 * names: results_run_display), *n of them, or NULL with a message. */
static char **shown_of(run *r, const char *dim, int *n)
{
    const results_labels *l = results_run_display(r->f, dim);
    if (!l)
        return names_of(r, dim, n);
    *n = l->n;
    return l->v;
}

static int fig_population(run *r, const char *path, const char *dim, const char *name,
                          const char *title, const char *ylabel, int obs_ds)
{
    size_t sh[4];
    int n = 0, n_ids = 0;
    const double *x = need(r, path, 3, sh);
    char **ids = x ? names_of(r, dim, &n_ids) : NULL; /* observations name apps by these */
    char **cols = ids ? shown_of(r, dim, &n) : NULL;
    double *v = cols ? national(x, sh, r->replay ? 1.0 : 1e-6) : NULL;
    if (r->replay)
        ylabel = "people on the testbed";
    int st = BS_OK;
    if (!x || !cols)
        st = bs_last_status() ? bs_last_status() : bs_fail(BS_EINPUT, "%s: cannot read %s or %s", r->result, path, dim);
    else if (!v)
        st = bs_nomem("the national sums of %s (plot)", path);
    else if ((size_t)n != sh[2])
        st = bs_fail(BS_EINPUT, "%s: %s has %zu columns but %s has %d names", r->result, path,
                     sh[2], dim, n);
    plot_obs pts = {0};
    if (st == BS_OK && obs_ds >= 0 && !r->replay)
        plot_obs_points(r->obs, obs_ds, ids, n, 1e-6, r->epoch, r->n_days, &pts);
    if (st == BS_OK) {
        figure g = {name, title, ylabel, n, cols, v, 0, 0, 0, NULL, {NULL, NULL}, &pts, NULL, NULL, 0, NULL};
        st = plot_draw(r, &g);
    }
    free(v);
    return st;
}

static int fig_failed(run *r)
{
    size_t sh[4];
    int n = 0;
    const double *in = need(r, "/calls/failed", 2, sh);
    char **cols = in ? shown_of(r, "app", &n) : NULL;
    if (!cols)
        return bs_last_status();
    if ((size_t)n != sh[1])
        return bs_fail(BS_EINPUT, "%s: /calls/failed has %zu apps, /dims/app %d", r->result, sh[1], n);
    double *x = malloc(sizeof(double) * (sh[0] * sh[1] + 1));
    if (!x)
        return bs_nomem("the failed calls of %s (plot)", r->result);
    for (size_t i = 0; i < sh[0] * sh[1]; i++)
        x[i] = in[i] * (r->replay ? 1.0 : 1e-6);
    figure g = {"failed", "Failed calls (\"User not available\") by app",
                r->replay ? "calls in the phase" : "million calls a day",
                n, cols, x, 0, 0, 0, NULL, {NULL, NULL}, NULL, NULL, NULL, 0, NULL};
    int st = plot_draw(r, &g);
    free(x);
    return st;
}

/* A replay's call attempts in each phase: completed, failed ("User not
 * available"), abandoned, summed over the apps (the testbed's own counts). */
static int fig_calls(run *r)
{
    size_t sc[4], sf[4], sa[4];
    const double *done = need(r, "/calls/completed", 2, sc);
    const double *fail = done ? need(r, "/calls/failed", 2, sf) : NULL;
    const double *gone = fail ? need(r, "/calls/abandoned", 1, sa) : NULL;
    if (!gone)
        return bs_last_status();
    if (sc[0] != (size_t)r->n_days || sf[0] != sc[0] || sa[0] != sc[0] || sf[1] != sc[1])
        return bs_fail(BS_EINPUT, "%s: /calls/completed, failed and abandoned differ in shape",
                       r->result);
    double *v = calloc(sc[0] * 3 + 1, sizeof(double));
    if (!v)
        return bs_nomem("the calls of %s (plot)", r->result);
    for (size_t d = 0; d < sc[0]; d++) {
        for (size_t a = 0; a < sc[1]; a++) {
            v[d * 3] += done[d * sc[1] + a];
            v[d * 3 + 1] += fail[d * sc[1] + a];
        }
        v[d * 3 + 2] = gone[d];
    }
    char *cols[3] = {"completed", "failed (User not available)", "abandoned"};
    figure g = {"calls", "Call attempts on the testbed, by outcome", "calls in the phase", 3, cols, v,
                0, 0, 0, NULL, {NULL, NULL}, NULL, NULL, NULL, 0, NULL};
    int st = plot_draw(r, &g);
    free(v);
    return st;
}

/* Rows of a network series per row of days: 24 for hours, 1 for a series
 * with a row per day row (a replay's phases); 0, with a message, otherwise. */
static size_t per_day(const run *r, const char *path, size_t rows)
{
    if (rows == (size_t)r->n_days * 24)
        return 24;
    if (rows == (size_t)r->n_days)
        return 1;
    bs_fail(BS_EINPUT, "%s: %s has %zu rows: neither 24 an hour per day nor one per day (%d days)",
            r->result, path, rows, r->n_days);
    return 0;
}

/* Gbit/s, or Mbit/s for loads below 0.1 Gbit/s (a replay's handful of calls). */
static double bit_unit(const double *x, size_t n, const char **label, int daily)
{
    double top = 0;
    for (size_t i = 0; i < n; i++)
        top = x[i] > top ? x[i] : top;
    if (top >= 1e8) {
        *label = daily ? "Gbit/s (daily mean)" : "Gbit/s (mean over the phase)";
        return 1e-9;
    }
    *label = daily ? "Mbit/s (daily mean)" : "Mbit/s (mean over the phase)";
    return 1e-6;
}

/* Border load stacked by app and the rest, and the tunnelled part. */
static int fig_border(run *r)
{
    size_t sa[4], st1[4], sv[4];
    int n = 0;
    const double *app = need(r, "/network/border_app", 2, sa);
    const double *tot = app ? need(r, "/network/border_total", 1, st1) : NULL;
    const double *vpn = tot ? need(r, "/network/border_vpn", 1, sv) : NULL;
    char **names = vpn ? shown_of(r, "app", &n) : NULL;
    int st = names ? BS_OK : bs_last_status();
    if (st == BS_OK && (size_t)n != sa[1])
        st = bs_fail(BS_EINPUT, "%s: /network/border_app has %zu apps, /dims/app %d", r->result,
                     sa[1], n);
    size_t per = st == BS_OK ? per_day(r, "/network/border_app", sa[0]) : 0;
    if (st == BS_OK && (!per || st1[0] != sa[0] || sv[0] != sa[0]))
        st = per ? bs_fail(BS_EINPUT, "%s: /network/border_* have different lengths", r->result)
                 : BS_EINPUT;
    size_t hours = sa[0], na = sa[1], nc = na + 2;
    char **cols = st == BS_OK ? calloc(nc, sizeof *cols) : NULL;
    double *v = cols ? calloc((hours / per) * nc + 1, sizeof(double)) : NULL;
    if (st == BS_OK && !v)
        st = bs_nomem("the border traffic of %s (plot)", r->result);
    if (st == BS_OK) {
        const char *label;
        double k = bit_unit(tot, hours, &label, per == 24);
        for (size_t i = 0; i < na; i++)
            cols[i] = names[i];
        cols[na] = "other traffic";
        cols[na + 1] = "all via VPN tunnels";
        for (size_t h = 0; h < hours / per * per; h++) {
            double *row = v + (h / per) * nc, apps = 0;
            for (size_t i = 0; i < na; i++) {
                apps += app[h * na + i];
                row[i] += app[h * na + i] * k / per; /* each series' own: gnuplot stacks */
            }
            row[na] += (tot[h] - apps) * k / per;
            row[na + 1] += vpn[h] * k / per;
        }
        /* Two panels: the apps' calls and messages, stacked, on their own
         * scale; below, the rest of the border's traffic, far larger, with
         * the part of all of it that goes through VPN tunnels. */
        figure g = {"border", "Load on border links: the apps (above), all the rest (below)",
                    label, (int)nc, cols, v, (int)na, 0, (int)na + 1, label, {NULL, NULL}, NULL, NULL, NULL, 0, NULL};
        st = plot_draw(r, &g);
    }
    free(cols);
    free(v);
    return st;
}

static int fig_censor(run *r)
{
    /* in the .dat's order: the upper panel's lines, then the lower's area */
    const char *paths[3] = {"/censor/inspected", "/censor/uninspected", "/censor/dropped"};
    char *cols[3] = {"inspected", "passed uninspected (overload)", "dropped"};
    size_t sh[4], per = 0, rows = 0;
    double *v = NULL;
    int st = BS_OK;
    for (int k = 0; k < 3 && st == BS_OK; k++) {
        const double *x = need(r, paths[k], 2, sh);
        if (!x || (k == 0 && !(per = per_day(r, paths[k], sh[0]))) || (k > 0 && sh[0] != rows)) {
            st = !x || !per ? (bs_last_status() ? bs_last_status() : BS_EINPUT)
                            : bs_fail(BS_EINPUT, "%s: /censor/* have different lengths", r->result);
            break;
        }
        rows = sh[0];
        if (!v && !(v = calloc(rows / per * 3 + 1, sizeof(double)))) {
            st = bs_nomem("the hourly sums of %s (plot)", r->result);
            break;
        }
        for (size_t h = 0; h < rows / per * per; h++)
            for (size_t b = 0; b < sh[1]; b++)
                v[(h / per) * 3 + (size_t)k] += x[h * sh[1] + b] / per;
    }
    if (st == BS_OK) {
        /* Two panels, each on its own scale and unit: what the boxes inspect
         * (thousands of Gbit/s in a country) above, what they drop (a few
         * Gbit/s: a hundredth of it or less) below, where it can be read. */
        const char *label = "", *lower_label = "";
        size_t days = rows / per;
        double *top = malloc(sizeof(double) * (2 * days + 1)), *low = malloc(sizeof(double) * (days + 1));
        if (!top || !low)
            st = bs_nomem("the hourly sums of %s (plot)", r->result);
        for (size_t d = 0; st == BS_OK && d < days; d++) {
            top[2 * d] = v[3 * d];
            top[2 * d + 1] = v[3 * d + 1];
            low[d] = v[3 * d + 2];
        }
        double k = st == BS_OK ? bit_unit(top, 2 * days, &label, per == 24) : 0;
        double kd = st == BS_OK ? bit_unit(low, days, &lower_label, per == 24) : 0;
        for (size_t d = 0; st == BS_OK && d < days; d++) {
            v[3 * d] *= k;
            v[3 * d + 1] *= k;
            v[3 * d + 2] *= kd;
        }
        char dropped[64];
        if (st == BS_OK && kd != k) { /* the unit where it differs from the panel above */
            snprintf(dropped, sizeof dropped, "dropped (%.6s)", lower_label);
            cols[2] = dropped;
        }
        figure g = {"censor", "The censor's boxes, all together: traffic inspected (above), dropped (below)",
                    label, 3, cols, v, 0, 0, 3, lower_label, {NULL, NULL}, NULL, NULL, NULL, 0, NULL};
        if (st == BS_OK)
            st = plot_draw(r, &g);
        free(top);
        free(low);
    }
    free(v);
    return st;
}

/* The five links with the highest peak utilisation: their daily peak hour. */
static int fig_links(run *r)
{
    size_t sc[4], sk[4];
    int n = 0;
    const double *car = need(r, "/network/link_carried", 2, sc);
    const double *cap = car ? need(r, "/network/link_capacity", 1, sk) : NULL;
    char **names = cap ? names_of(r, "link", &n) : NULL;
    int st = names ? BS_OK : bs_last_status();
    if (st == BS_OK && ((size_t)n != sc[1] || sk[0] != sc[1]))
        st = bs_fail(BS_EINPUT, "%s: /network/link_carried has %zu links, /network/link_capacity "
                                "%zu, /dims/link %d", r->result, sc[1], sk[0], n);
    size_t per = st == BS_OK ? per_day(r, "/network/link_carried", sc[0]) : 0;
    if (st == BS_OK && !per)
        st = BS_EINPUT;
    size_t hours = st == BS_OK ? sc[0] : 0, nl = st == BS_OK ? sc[1] : 0;
    int top[5], nt = 0;
    double *peak = st == BS_OK ? calloc(nl + 1, sizeof(double)) : NULL;
    for (size_t h = 0; peak && h < hours; h++)
        for (size_t l = 0; l < nl; l++)
            if (car[h * nl + l] / cap[l] > peak[l])
                peak[l] = car[h * nl + l] / cap[l];
    for (; peak && nt < 5 && (size_t)nt < nl; nt++) {
        int best = -1;
        for (size_t l = 0; l < nl; l++) {
            int taken = 0;
            for (int j = 0; j < nt; j++)
                taken |= top[j] == (int)l;
            if (!taken && (best < 0 || peak[l] > peak[best]))
                best = (int)l;
        }
        top[nt] = best;
    }
    char *cols[5];
    double *v = peak ? calloc(hours / (per ? per : 1) * 5 + 1, sizeof(double)) : NULL;
    if (st == BS_OK && !v)
        st = bs_nomem("the busiest links of %s (plot)", r->result);
    if (st == BS_OK) {
        for (int j = 0; j < nt; j++)
            cols[j] = names[top[j]];
        for (size_t h = 0; h < hours / per * per; h++)
            for (int j = 0; j < nt; j++) {
                double u = 100 * car[h * nl + (size_t)top[j]] / cap[top[j]];
                if (u > v[(h / per) * (size_t)nt + (size_t)j])
                    v[(h / per) * (size_t)nt + (size_t)j] = u;
            }
        figure g = {"links",
                    per == 24 ? "The busiest links (their peak hour each day)"
                              : "The busiest links (their mean over each phase)",
                    "utilisation, %", nt, cols, v, 0, 0, 0, NULL, {NULL, NULL}, NULL, NULL, NULL, 0, NULL};
        st = plot_draw(r, &g);
    }
    free(peak);
    free(v);
    return st;
}

/* Every figure of `result`; band non-NULL: through it (plot_runs). */
static int plot_with(const char *result, const char *dir, int format, char **paths, int *n,
                     struct plot_band *band)
{
    *n = 0;
    results_run *f = NULL;
    int st = results_load(result, plot_datasets, &f);
    if (st != BS_OK)
        return st;
    if ((st = plot_need_gnuplot()) != BS_OK) {
        results_run_free(f);
        return st;
    }
    observation_set *obs = calloc(1, sizeof *obs);
    if (!obs) {
        results_run_free(f);
        return bs_nomem("the observations of %s", result);
    }
    if ((st = plot_obs_load(result, obs)) != BS_OK) {
        free(obs);
        results_run_free(f);
        return st;
    }
    run r = {.f = f, .result = result, .dir = dir, .format = format, .paths = paths, .obs = obs,
             .band = band};
    if (f->n_days == 0 && results_run_labels(f, "case")) { /* a testbed matrix: no days */
        st = fsutil_make_dirs(dir);
        if (st == BS_OK)
            atomic_clean(dir);
        if (st == BS_OK)
            st = plot_testbed(&r);
        results_run_free(f);
        free(obs);
        *n = r.n_paths;
        return st;
    }
    r.epoch = f->epoch[0] ? plot_parse_date(f->epoch) : -1;
    r.n_days = f->n_days;
    r.replay = f->replay;
    r.day_of = f->day;
    for (int d = 0; d < r.n_days; d++)
        if (f->day[d] < 0 || f->day[d] > 36600 || (d > 0 && f->day[d] <= f->day[d - 1]))
            r.n_days = 0; /* not days in order: refused below */
    if (r.epoch < 0 || r.n_days < 1)
        st = bs_fail(BS_EINPUT, "%s: /dims/day has no days or no epoch", result);
    if (st == BS_OK && !f->has_events)
        st = bs_fail(BS_EINPUT, "%s: /events: missing", result);
    r.ev = f->events;
    r.n_ev = f->n_events;
    if (st == BS_OK)
        st = fsutil_make_dirs(dir);
    if (st == BS_OK)
        atomic_clean(dir); /* what killed plots left */
    if (st == BS_OK)
        st = fig_population(&r, OBS_PATH_PRIMARY, "app", "primary",
                            "People by first-choice calling app", "million people", -1);
    if (st == BS_OK)
        st = fig_failed(&r);
    if (st == BS_OK && r.replay && results_run_array(f, "/calls/completed"))
        st = fig_calls(&r);
    if (st == BS_OK)
        st = fig_population(&r, OBS_PATH_VPN, "vpn", "vpn", "VPN users by protocol",
                            "million people", -1);
    /* Daily users, monthly reach, people with each app: drawn for the
     * observations of audiences and reach that the scenario names. */
    const results_labels *apps = results_run_labels(f, "app");
    for (size_t k = 0; k < sizeof obs_figures / sizeof obs_figures[0]; k++) {
        plot_obs pts = {0};
        const char *path = obs_map_ds_path[obs_figures[k].ds];
        if (st == BS_OK && obs->n > 0 && apps && results_run_array(f, path))
            plot_obs_points(obs, obs_figures[k].ds, apps->v, apps->n, 1e-6, r.epoch, r.n_days,
                            &pts);
        if (st == BS_OK && pts.n > 0)
            st = fig_population(&r, path, "app", obs_figures[k].name, obs_figures[k].title,
                                "million people", obs_figures[k].ds);
    }
    if (st == BS_OK && results_run_array(f, "/network/border_app"))
        st = fig_border(&r);
    if (st == BS_OK && results_run_array(f, "/censor/inspected"))
        st = fig_censor(&r);
    if (st == BS_OK && results_run_array(f, "/network/link_carried"))
        st = fig_links(&r);
    results_run_free(f);
    free(obs);
    *n = r.n_paths;
    if (st != BS_OK && !bs_last_error()[0]) /* never a failure without a word */
        st = bs_fail(st, "%s: cannot be plotted: a dataset is missing or malformed", result);
    return st;
}

int plot_run(const char *result, const char *dir, int format, char **paths, int *n)
{
    return plot_with(result, dir, format, paths, n, NULL);
}

int plot_runs(const char *const *results, int reps, const char *dir, int format, char **paths,
              int *n)
{
    if (reps <= 1)
        return plot_run(results[0], dir, format, paths, n);
    struct plot_band *band = plot_band_new(reps);
    if (!band)
        return bs_nomem("the replications of %s (plot)", results[0]);
    int st = BS_OK;
    for (int k = 0; k < reps && st == BS_OK; k++) {
        plot_band_pass(band, k);
        st = plot_with(results[k], dir, format, paths, n, band);
    }
    if (st == BS_OK) {
        plot_band_pass(band, -1);
        st = plot_with(results[0], dir, format, paths, n, band);
    }
    plot_band_free(band);
    return st;
}
