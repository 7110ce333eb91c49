/* sweep_farm: handing the runs of a sweep out to workers and keeping the
 * folder's index (see sweep_farm.h).
 *
 * The index is rewritten (whole, atomically) when runs finish, but not
 * sooner after the last rewrite than 20 times what that rewrite took (and
 * 0.1 s), and always at the end: a sweep of many short runs spends at most
 * about 5% of one core rewriting its growing table, and a reader (or a
 * crash) sees the index of a moment ago, never a broken one.  The results
 * files, not the index, decide what --resume reuses, so a stale index loses
 * nothing.
 */
#include "sweep/sweep_farm.h"

#include "base/fsutil.h"
#include "base/atomic.h"
#include "base/quote.h"
#include "base/status.h"
#include "io/results.h"
#include "sweep/sweep_config.h"
#include "sweep/sweep_index.h"
#include "sweep/sweep_sobol.h"
#include "sweep/sweep_stats.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define INDEX_GAP 20.0 /* times the last rewrite's duration between rewrites */
#define INDEX_MIN 1.0  /* seconds between rewrites, at least */
#define WAIT_MS 250    /* how long a wait for reports lasts before progress is redrawn */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int sweep_farm_exists(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/index.h5", dir);
    return access(path, F_OK) == 0;
}

/* Delete the temporary files that runs and index writes killed midway left
 * in `dir` (NAME.partial-PID: results.c and sweep_index.c name them so). */
static void remove_partials(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".partial-"))
            unlinkat(dirfd(d), e->d_name, 0);
    closedir(d);
}

/* Make the folder and runs/, hold DIR/.lock (fsutil_lock: a second sweep
 * into the folder, or a --resume or --summarise of it, is refused while
 * this one runs, naming its PID; exit 1); the lock's descriptor or a
 * negative status. */
static int take_folder(const char *dir, int must_be_new)
{
    char path[4200];
    int st = fsutil_make_dirs(dir);
    if (st != BS_OK)
        return st;
    int fd = fsutil_lock(dir, "sweep");
    if (fd < 0)
        return fd;
    if (must_be_new && sweep_farm_exists(dir)) {
        close(fd);
        return bs_fail(BS_EINPUT,
                       "%s already holds a sweep (index.h5): --resume continues it, or choose "
                       "another folder with -o",
                       dir);
    }
    snprintf(path, sizeof path, "%s/runs", dir);
    if ((st = fsutil_make_dirs(path)) != BS_OK) {
        close(fd);
        return st;
    }
    remove_partials(dir);
    remove_partials(path);
    atomic_clean(dir); /* index and summary temporaries (.NAME.tmp-PID-RANDOM) of dead sweeps */
    return fd;
}

/* A chunk's folder: DIR/runs made if missing, nothing locked or cleaned
 * (other chunks work there); 0 or a negative status. */
static int make_runs_folder(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/runs", dir);
    int st = fsutil_make_dirs(path);
    return st == BS_OK ? 0 : st;
}

typedef struct farm {
    const sweep_spec *s;
    const uint64_t *hashes;
    const sweep_farm_opts *o;
    const sweep_workers *w;
    sweep_row *rows;
    double *values; /* [k * n_collect + c] */
    int *flight;    /* [slots] the run in each slot, -1: none */
    int running, finished, failed, reused;
    double start, next_write;
    int dirty;
    int first, end; /* the runs handed out: first..end-1 */
    int part;       /* only those (a chunk): no index */
} farm;

static void run_path(const farm *f, int k, char *buf, size_t size)
{
    snprintf(buf, size, "%s/runs/run-%05d.h5", f->o->dir, k);
}

static void record(farm *f, const sweep_report *r)
{
    sweep_row *row = &f->rows[r->k];
    row->status = r->status;
    row->wall_seconds = r->wall_seconds;
    /* The hash of what the file holds: the expected one, unless the scenario
     * was edited while the sweep ran. */
    if (r->status == SWEEP_OK && r->config_hash)
        row->config_hash = r->config_hash;
    free(row->host);
    free(row->error);
    row->host = strdup(r->host);
    row->error = r->status == SWEEP_FAILED ? strdup(r->error) : NULL;
    for (int c = 0; c < f->s->n_collect; c++)
        f->values[(size_t)r->k * (size_t)f->s->n_collect + (size_t)c] = r->values[c];
}

static int sobol_write(results *r, const void *arg) { return sweep_sobol_write(r, arg); }
static void sobol_text(FILE *f, const void *arg) { sweep_sobol_text(f, arg); }

/* The summaries of a /runs table: *points, and with a Saltelli design of
 * n_base > 0 base samples, its Sobol indices as *x (free *sobol). */
static int summaries(const results_table *runs, int n_base, uint64_t seed, results_table **points,
                     sweep_sobol **sobol, sweep_index_extra *x)
{
    sweep_layout l;
    *points = NULL;
    *sobol = NULL;
    memset(x, 0, sizeof *x);
    int st = sweep_index_layout(runs, "index", &l);
    if (st == BS_OK)
        st = sweep_stats_points(runs, &l, points);
    if (st == BS_OK && n_base > 0)
        st = sweep_sobol_compute(runs, &l, *points, n_base, seed, sobol);
    if (*sobol)
        *x = (sweep_index_extra){sobol_write, sobol_text, *sobol};
    return st;
}

/* The apps' display names of the first run's results file that has them
 * (/app_label), as the line "# apps (id = display name): a = A, ..." after
 * summary.txt's title (numbers such as final_primary_share_ID name an app by
 * its id); "" when no run's file has them (labels escaped, quote_print). */
static void app_labels(const char *dir, int first, int end, char *out, size_t size)
{
    out[0] = '\0';
    int tried = 0; /* a few files at most: files without days (--output summary) all fail */
    for (int k = first; k < end && !out[0] && tried < 3; k++) {
        char path[4200];
        results_run *r = NULL;
        snprintf(path, sizeof path, "%s/runs/run-%05d.h5", dir, k); /* run_path's */
        if (access(path, F_OK) != 0)
            continue;
        if (tried++, results_load(path, NULL, &r) != BS_OK) {
            bs_clear_error();
            continue;
        }
        const results_labels *ids = results_run_labels(r, "app"),
                             *shown = results_run_display(r, "app");
        size_t n = 0;
        for (int i = 0; ids && shown && shown != ids && shown->n == ids->n && i < ids->n; i++) {
            char qi[QUOTE_ROOM(64)], qs[QUOTE_ROOM(64)];
            n += (size_t)snprintf(out + n, size > n ? size - n : 0, "%s%s = %s",
                                  i ? ", " : "\n# apps (id = display name): ",
                                  quote_print(qi, sizeof qi, ids->v[i]),
                                  quote_print(qs, sizeof qs, shown->v[i]));
        }
        if (n >= size) /* cut: none rather than half */
            out[0] = '\0';
        results_run_free(r);
        if (!ids)
            break;
    }
}

/* DIR/summary.txt from the /points table (and the Sobol indices). */
static int write_text(const char *dir, const char *name, int first, int end,
                      const results_table *points, const sweep_index_extra *x)
{
    char path[4200], title[8192], labels[6144];
    snprintf(path, sizeof path, "%s/summary.txt", dir);
    app_labels(dir, first, end, labels, sizeof labels);
    snprintf(title, sizeof title,
             "blockshift sweep %s: per parameter point, mean, standard deviation and 95%% "
             "confidence interval (Student t) of each number across replications%s",
             name, labels);
    return sweep_index_write_text(path, title, points, x);
}

static int write_index(farm *f, int final)
{
    results_table *runs = NULL, *points = NULL;
    sweep_sobol *sobol = NULL;
    sweep_index_extra x;
    double t0 = now();
    int n_base = f->s->method == SWEEP_SALTELLI ? f->s->sample_points : 0;
    int st = sweep_index_runs(f->s, f->rows, f->values, &runs);
    if (st == BS_OK)
        st = summaries(runs, n_base, f->s->seed, &points, &sobol, &x);
    if (st == BS_OK)
        st = sweep_index_write(f->o->dir, f->s->name, f->s->text, runs, points, &x);
    if (st == BS_OK && final)
        st = write_text(f->o->dir, f->s->name, f->first, f->end, points, &x);
    results_table_free(runs);
    results_table_free(points);
    sweep_sobol_free(sobol);
    double t = now();
    f->next_write = t + (INDEX_GAP * (t - t0) > INDEX_MIN ? INDEX_GAP * (t - t0) : INDEX_MIN);
    f->dirty = 0;
    return st;
}

/* The error of a number to collect that the runs' results lack. */
static int missing_number(const farm *f, int k, const sweep_report *r)
{
    return bs_fail(BS_EINPUT, "%s:%d: collect: '%s' is not a summary number of run %d; %s",
                   f->s->file, f->s->collect_line, f->s->collect[r->missing], k, r->error);
}

/* With --resume: the runs whose results file is complete and made from
 * their configuration are done.  Their wall time and host come from the old
 * index, when it has them. */
static int reuse(farm *f)
{
    results_table *old = NULL;
    char *name = NULL, *text = NULL;
    sweep_layout l;
    if (sweep_index_read(f->o->dir, &old, &name, &text) != BS_OK ||
        sweep_index_layout(old, "index", &l) != BS_OK) {
        results_table_free(old);
        old = NULL;
    }
    free(name);
    free(text);
    bs_clear_error();
    int st = BS_OK;
    for (int k = f->first; k < f->end && st == BS_OK && !(f->o->stop && *f->o->stop); k++) {
        char path[4200];
        results_numbers *nums = NULL;
        run_path(f, k, path, sizeof path);
        if (access(path, F_OK) != 0 || results_read_numbers(path, &nums) != BS_OK) {
            bs_clear_error();
            continue;
        }
        if (sweep_config_hash(nums->config_text) == f->hashes[k]) {
            sweep_report r;
            memset(&r, 0, sizeof r);
            r.k = k;
            r.status = SWEEP_OK;
            r.wall_seconds = NAN;
            sweep_job_collect(nums, f->s->n_collect, f->s->collect, &r);
            if (old && k < old->n_rows &&
                strcmp(((char *const *)old->cols[l.status].data)[k], "ok") == 0) {
                char hex[32];
                snprintf(hex, sizeof hex, "%016llx", (unsigned long long)f->hashes[k]);
                if (strcmp(((char *const *)old->cols[l.config_hash].data)[k], hex) == 0) {
                    r.wall_seconds = ((const double *)old->cols[l.wall_seconds].data)[k];
                    snprintf(r.host, sizeof r.host, "%s",
                             ((char *const *)old->cols[l.host].data)[k]);
                }
            }
            record(f, &r);
            f->reused++;
            if (r.missing >= 0)
                st = missing_number(f, k, &r);
        }
        results_numbers_free(nums);
    }
    results_table_free(old);
    return st;
}

static void progress(farm *f, int final)
{
    if (!f->o->progress)
        return;
    sweep_progress p;
    p.total = f->end - f->first;
    p.done = f->finished + f->reused;
    p.running = f->running;
    p.failed = f->failed;
    p.reused = f->reused;
    p.elapsed = now() - f->start;
    p.eta = f->finished ? (p.total - p.done) * p.elapsed / f->finished : -1;
    f->o->progress(&p, final, f->o->arg);
}

/* Hand run k to a worker.  A run that cannot start is recorded as failed. */
static void start_run(farm *f, int k)
{
    char path[4200];
    run_path(f, k, path, sizeof path);
    sweep_job j = {k, f->o->threads, f->s->scenario, path, 0, NULL, f->s->n_collect, f->s->collect};
    j.n_set = sweep_spec_overrides(f->s, k, 1, &j.set);
    int st = j.n_set < 0 ? bs_nomem("the overrides of run %d (sweep)", k) : f->w->start(f->w->ctx, &j);
    sweep_spec_free_set(j.n_set, j.set);
    if (st == BS_OK) {
        for (int i = 0; i < f->w->slots; i++)
            if (f->flight[i] < 0) {
                f->flight[i] = k;
                break;
            }
        f->running++;
        return;
    }
    sweep_report r;
    memset(&r, 0, sizeof r);
    r.k = k;
    r.status = SWEEP_FAILED;
    r.wall_seconds = 0;
    snprintf(r.error, sizeof r.error, "%s", bs_last_error());
    for (int c = 0; c < SWEEP_MAX_COLLECT; c++)
        r.values[c] = NAN;
    record(f, &r);
    f->finished++;
    f->failed++;
    f->dirty = 1;
}

/* A report came: take it off the flight list and record it.  Returns
 * whether it was one the farm was waiting for. */
static int take_report(farm *f, const sweep_report *r)
{
    for (int i = 0; i < f->w->slots; i++)
        if (f->flight[i] == r->k && r->k >= 0) {
            f->flight[i] = -1;
            f->running--;
            f->finished++;
            f->failed += r->status == SWEEP_FAILED;
            record(f, r);
            f->dirty = 1;
            return 1;
        }
    return 0;
}

/* The loop: keep every worker busy, take reports as they come. */
static int dispatch(farm *f, sweep_tally *t)
{
    const sweep_spec *s = f->s;
    int next = f->first, st = BS_OK, halt = 0;
    sweep_report r;
    for (;;) {
        if (f->o->stop && *f->o->stop) {
            f->w->cancel(f->w->ctx);
            for (int i = 0; i < f->w->slots; i++)
                f->flight[i] = -1;
            f->running = 0;
            t->interrupted = 1;
            break;
        }
        while (!halt && f->running < f->w->slots && next < f->end) {
            if (f->rows[next].status == SWEEP_PENDING)
                start_run(f, next);
            next++;
        }
        if (f->running == 0 && (halt || next == f->end))
            break;
        progress(f, 0);
        int got = f->w->wait(f->w->ctx, WAIT_MS, &r);
        if (got < 0) {
            st = got;
            f->w->cancel(f->w->ctx);
            f->running = 0;
            break;
        }
        if (got == 1) {
            if (r.k < 0 || r.k >= s->n_runs || !take_report(f, &r)) {
                st = bs_fail(BS_ERUNTIME, "sweep: a report for run %d, which was not running", r.k);
                f->w->cancel(f->w->ctx);
                f->running = 0;
                break;
            }
            if (r.status == SWEEP_OK && r.missing >= 0 && !halt) {
                halt = 1; /* bad input: finish what runs, start nothing more */
                missing_number(f, r.k, &r);
                st = BS_EINPUT;
            }
        }
        if (f->dirty && !f->part && now() >= f->next_write) {
            int wst = write_index(f, 0);
            if (wst != BS_OK) {
                f->w->cancel(f->w->ctx);
                f->running = 0;
                return wst;
            }
        }
    }
    return st;
}

int sweep_farm_run(const sweep_spec *s, const uint64_t *hashes, const sweep_farm_opts *o,
                   const sweep_workers *w, sweep_tally *t)
{
    memset(t, 0, sizeof *t);
    int part = o->last >= 0;
    int lock = part ? make_runs_folder(o->dir) : take_folder(o->dir, !o->resume);
    if (lock < 0)
        return lock;
    farm f = {s, hashes, o, w, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0, 0, 0, s->n_runs, part};
    if (part) {
        f.first = o->first;
        f.end = o->last + 1 < s->n_runs ? o->last + 1 : s->n_runs;
    }
    size_t n = (size_t)s->n_runs, nv = n * (size_t)s->n_collect;
    f.rows = calloc(n, sizeof *f.rows);
    f.values = malloc((nv ? nv : 1) * sizeof *f.values);
    f.flight = malloc((size_t)(w->slots > 0 ? w->slots : 1) * sizeof *f.flight);
    int st = BS_OK;
    if (!f.rows || !f.values || !f.flight || w->slots < 1) {
        st = bs_nomem("%d runs (sweep)", s->n_runs);
        goto done;
    }
    for (size_t k = 0; k < n; k++) {
        f.rows[k].status = SWEEP_PENDING;
        f.rows[k].wall_seconds = NAN;
        f.rows[k].config_hash = hashes[k];
    }
    for (size_t i = 0; i < nv; i++)
        f.values[i] = NAN;
    for (int i = 0; i < w->slots; i++)
        f.flight[i] = -1;
    if ((o->resume || part) && (st = reuse(&f)) != BS_OK) {
        if (!part)
            write_index(&f, 1);
        goto done;
    }
    if (!part && (st = write_index(&f, 0)) != BS_OK)
        goto done;
    f.start = now();
    progress(&f, 0);
    st = dispatch(&f, t);
    char keep[2048];
    snprintf(keep, sizeof keep, "%s", bs_last_error()); /* writing may overwrite it */
    int wst = part ? BS_OK : write_index(&f, 1);
    progress(&f, 1);
    if (st == BS_OK)
        st = wst;
    else
        bs_fail(st, "%s", keep);
done:
    t->total = f.end - f.first;
    for (size_t k = 0; f.rows && k < n; k++) {
        if ((int)k < f.first || (int)k >= f.end) {
            free(f.rows[k].host);
            free(f.rows[k].error);
            continue;
        }
        t->ok += f.rows[k].status == SWEEP_OK;
        t->failed += f.rows[k].status == SWEEP_FAILED;
        if (f.rows[k].status == SWEEP_FAILED && !t->first_error[0] && f.rows[k].error)
            snprintf(t->first_error, sizeof t->first_error, "%s", f.rows[k].error);
        t->pending += f.rows[k].status == SWEEP_PENDING;
        free(f.rows[k].host);
        free(f.rows[k].error);
    }
    t->reused = f.reused;
    free(f.rows);
    free(f.values);
    free(f.flight);
    if (!part)
        close(lock);
    return st;
}

int sweep_farm_summarise(const char *dir, sweep_tally *t)
{
    memset(t, 0, sizeof *t);
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return bs_fail(BS_EINPUT, "%s: no such folder", dir);
    if (!sweep_farm_exists(dir))
        return bs_fail(BS_EINPUT, "%s: no sweep there (no index.h5)", dir);
    int lock = take_folder(dir, 0);
    if (lock < 0)
        return lock;
    results_table *runs = NULL, *points = NULL;
    sweep_sobol *sobol = NULL;
    sweep_index_extra x;
    char *name = NULL, *text = NULL, index[4200];
    sweep_layout l;
    int n_base = 0;
    uint64_t seed = 0;
    snprintf(index, sizeof index, "%s/index.h5", dir);
    int st = sweep_index_read(dir, &runs, &name, &text);
    if (st == BS_OK)
        st = sweep_index_layout(runs, dir, &l);
    if (st == BS_OK) {
        int found = sweep_sobol_design_of(index, &n_base, &seed);
        st = found < 0 ? found : BS_OK;
    }
    if (st == BS_OK)
        st = summaries(runs, n_base, seed, &points, &sobol, &x);
    if (st == BS_OK)
        st = sweep_index_write(dir, name, text, runs, points, &x);
    if (st == BS_OK)
        st = write_text(dir, name, 0, runs->n_rows, points, &x);
    if (st == BS_OK) {
        t->total = runs->n_rows;
        for (int r = 0; r < runs->n_rows; r++) {
            const char *v = ((char *const *)runs->cols[l.status].data)[r];
            t->ok += strcmp(v, "ok") == 0;
            t->failed += strcmp(v, "failed") == 0;
            t->pending += strcmp(v, "pending") == 0;
        }
    }
    results_table_free(runs);
    results_table_free(points);
    sweep_sobol_free(sobol);
    free(name);
    free(text);
    close(lock);
    return st;
}
