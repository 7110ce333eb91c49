#include "analysis/reproduce.h"

#include "config/config.h"
#include "analysis/plot.h"
#include "io/results.h"
#include "base/fsutil.h"
#include "base/hash.h"
#include "base/atomic.h"
#include "base/progress.h"
#include "base/status.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_FIG 64
#define MAX_FSET 32

typedef struct fig {
    char name[64], scenario[1024], plot[16];
    int n_set, seed, reps;
    char set[MAX_FSET][256];
} fig;

/* The datasets behind each standard figure. */
static const char *const behind[][4] = {
    {"primary", "/population/primary", NULL, NULL},
    {"failed", "/calls/failed", NULL, NULL},
    {"vpn", "/population/vpn_users", NULL, NULL},
    {"border", "/network/border_app", "/network/border_total", "/network/border_vpn"},
    {"censor", "/censor/inspected", "/censor/dropped", "/censor/uninspected"},
    {"links", "/network/link_carried", NULL, NULL},
};
#define N_KINDS (int)(sizeof behind / sizeof behind[0])

static int kind_of(const char *plot)
{
    for (int k = 0; k < N_KINDS; k++)
        if (strcmp(behind[k][0], plot) == 0)
            return k;
    return -1;
}

/* ---------------------------------------------------------------- the manifest
 *
 * Read by the configuration's schema engine (config_load_file) against the
 * table below, as scenarios and sweep files are: unknown keys with "did you
 * mean", types, ranges, every error at once as "file:line: path: message";
 * manifest_rules() checks what the table cannot. */

/* What the schema engine fills in: the manifest as written. */
typedef struct man_fig {
    char name[64], scenario[1024];
    int plot; /* index in plot_names */
    int64_t seed, reps;
    int n_set;
    char set[MAX_FSET][256];
} man_fig;

typedef struct manifest {
    char paper[1024];
    int n_figs;
    man_fig figs[MAX_FIG];
} manifest;

/* The standard figures a manifest may ask for (the kinds of `behind`). */
static const char *const plot_names[] = {"primary", "failed", "vpn", "border", "censor", "links"};

#define M(field) offsetof(manifest, field)
#define MF(field) offsetof(man_fig, field)
#define MSIZE(type, field) sizeof(((type *)0)->field)

static const schema_entry manifest_table[] = {
    {"paper", PT_STRING, M(paper), MSIZE(manifest, paper), 0, "\"\"", 0, 0, "", NULL, 0,
     "The paper's title", ""},
    {"figures", PT_LIST, M(figs), sizeof(man_fig), M(n_figs), NULL, 1, MAX_FIG, "", NULL, 0,
     "The figures of the paper", ""},
    {"figures.[].name", PT_STRING, MF(name), MSIZE(man_fig, name), 0, NULL, 0, 0, "", NULL, 0,
     "The figure's name (letters, digits, _ and -): its folders under runs/ and figures/", ""},
    {"figures.[].scenario", PT_STRING, MF(scenario), MSIZE(man_fig, scenario), 0, NULL, 0, 0, "",
     NULL, 0, "The scenario file, from the manifest's folder", ""},
    {"figures.[].plot", PT_ENUM, MF(plot), 0, 0, NULL, 0, 0, "", plot_names,
     (int)(sizeof plot_names / sizeof plot_names[0]), "The standard figure drawn (plot.h)", ""},
    {"figures.[].seed", PT_INT, MF(seed), 0, 0, "1", 0, 2147483647.0, "", NULL, 0,
     "The seed of every replication", ""},
    {"figures.[].replications", PT_INT, MF(reps), 0, 0, "1", 1, 100, "runs", NULL, 0,
     "Replications run (run numbers 0, 1, ...)", ""},
    {"figures.[].set", PT_STRINGS, MF(set), MSIZE(man_fig, set[0]), MF(n_set), "[]", 0, MAX_FSET,
     "", NULL, 0, "Overrides \"path=value\", as --set", ""},
};

static const schema manifest_schema = {
    manifest_table, (int)(sizeof manifest_table / sizeof manifest_table[0]), sizeof(manifest)};

typedef struct manifest_out {
    const char *file;
    fig *figs;
    int n;
} manifest_out;

/* What spans settings, and the figures with their paths made relative to
 * the manifest's folder. */
static int manifest_rules(void *dst, check_ctx *c, void *arg)
{
    const manifest *m = dst;
    manifest_out *o = arg;
    const char *slash = strrchr(o->file, '/');
    int base = slash ? (int)(slash - o->file + 1) : 0;
    static const char word[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
    o->n = 0;
    for (int i = 0; i < m->n_figs; i++) {
        const man_fig *g = &m->figs[i];
        fig *f = &o->figs[o->n++];
        memset(f, 0, sizeof *f);
        char path[96];
        snprintf(path, sizeof path, "figures.[%d].name", i);
        if (!g->name[0] || strspn(g->name, word) != strlen(g->name))
            config_check_error(c, path, "'%s' is not a word of letters, digits, _ and -", g->name);
        for (int j = 0; j < i; j++)
            if (strcmp(m->figs[j].name, g->name) == 0)
                config_check_error(c, path, "two figures have this name (also figures.[%d])", j);
        snprintf(path, sizeof path, "figures.[%d].scenario", i);
        if (!g->scenario[0])
            config_check_error(c, path, "the scenario file is required");
        int full = snprintf(f->scenario, sizeof f->scenario, "%.*s%s", g->scenario[0] == '/' ? 0 : base,
                            o->file, g->scenario);
        if (full < 0 || (size_t)full >= sizeof f->scenario)
            config_check_error(c, path, "the path from the manifest's folder is too long (at most %zu bytes)",
                               sizeof f->scenario - 1);
        snprintf(path, sizeof path, "figures.[%d].set", i);
        for (int k = 0; k < g->n_set; k++) {
            const char *eq = strchr(g->set[k], '=');
            if (!eq || eq == g->set[k])
                config_check_error(c, path, "element %d: '%s': expected \"path=value\"", k, g->set[k]);
            snprintf(f->set[k], sizeof f->set[k], "%s", g->set[k]);
        }
        f->n_set = g->n_set;
        snprintf(f->name, sizeof f->name, "%s", g->name);
        snprintf(f->plot, sizeof f->plot, "%s", plot_names[g->plot]);
        f->seed = (int)g->seed;
        f->reps = (int)g->reps;
    }
    return BS_OK;
}

/* Read and check the manifest into figs[*n].  BS_EINPUT: with errors, *errors
 * has every one, one per line (caller frees); without, bs_last_error() has
 * them (cut to its size). */
static int read_manifest(const char *file, fig *figs, int *n, char **errors)
{
    manifest *m = malloc(sizeof *m);
    manifest_out o = {file, figs, 0};
    char *text = NULL;
    *n = 0;
    if (errors)
        *errors = NULL;
    if (!m)
        return bs_nomem("reading %s", file);
    int st = config_load_file(&manifest_schema, file, m, manifest_rules, &o, &text);
    free(m);
    if (st == BS_OK)
        *n = o.n;
    else if (text && errors)
        *errors = text;
    else if (text) {
        size_t len = strlen(text);
        bs_fail(st, "%.*s", (int)(len && text[len - 1] == '\n' ? len - 1 : len), text);
        free(text);
    }
    return st;
}

int reproduce_check(const char *manifest, char **errors)
{
    static fig figs[MAX_FIG];
    int n = 0;
    return read_manifest(manifest, figs, &n, errors);
}

/* The results file of replication r in dir, if there is one. */
static int find_result(const char *dir, int seed, int r, char *out, size_t size)
{
    char suffix[64];
    snprintf(suffix, sizeof suffix, "-seed%d-run%d.h5", seed, r);
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;
    while (d && (e = readdir(d)))
        if (strlen(e->d_name) > strlen(suffix) &&
            strcmp(e->d_name + strlen(e->d_name) - strlen(suffix), suffix) == 0) {
            snprintf(out, size, "%s/%s", dir, e->d_name);
            found = 1;
        }
    if (d)
        closedir(d);
    return found;
}

/* Whether `result` is complete and was made from the configuration the
 * figure asks for now (its resolved text is the same). */
static int up_to_date(const char *result, const fig *f, int r)
{
    results_numbers *then = NULL;
    if (results_read_numbers(result, &then) != BS_OK) {
        bs_clear_error();
        return 0;
    }
    char *set[MAX_FSET + 2], seed[64], run[64];
    int n = 0;
    for (int k = 0; k < f->n_set; k++)
        set[n++] = (char *)f->set[k];
    snprintf(seed, sizeof seed, "scenario.seed=%d", f->seed);
    snprintf(run, sizeof run, "scenario.run=%d", r);
    set[n++] = seed;
    set[n++] = run;
    world *w = malloc(sizeof *w);
    char *errors = NULL, *now = NULL;
    int same = w && config_load(f->scenario, n, set, w, &errors) == BS_OK &&
               (now = config_dump(w)) && strcmp(now, then->config_text) == 0;
    free(errors);
    free(now);
    results_numbers_free(then);
    free(w);
    return same;
}

/* blockshift run for replication r of f, into dir. */
static int run_one(const char *self, const fig *f, int r, const char *dir, int quiet)
{
    char seed[32], run[32];
    snprintf(seed, sizeof seed, "%d", f->seed);
    snprintf(run, sizeof run, "%d", r);
    /* self run SCENARIO -o DIR --quiet (6), --set S per set (2 each),
     * --seed N --run K (4), and the NULL that ends it. */
    char *argv[6 + 2 * MAX_FSET + 4 + 1];
    int a = 0;
    argv[a++] = (char *)self;
    argv[a++] = "run";
    argv[a++] = (char *)f->scenario;
    argv[a++] = "-o";
    argv[a++] = (char *)dir;
    argv[a++] = "--quiet";
    for (int k = 0; k < f->n_set; k++) {
        argv[a++] = "--set";
        argv[a++] = (char *)f->set[k];
    }
    argv[a++] = "--seed";
    argv[a++] = seed;
    argv[a++] = "--run";
    argv[a++] = run;
    argv[a] = NULL;
    _Static_assert(sizeof argv / sizeof argv[0] == 6 + 2 * MAX_FSET + 4 + 1, "argv holds every argument");
    if (!quiet)
        fprintf(stderr, "blockshift: figure %s: running replication %d of %s\n", f->name, r, f->scenario);
    pid_t parent = getpid(), pid = fork();
    if (pid == 0) {
        /* The run dies with us: killed, we leave no run writing into the
         * folder. */
        if (atomic_die_with(parent) != 0)
            _exit(127);
        /* Its results file's path is ours to report (we report the figures):
         * its stdout goes nowhere, its messages stay on stderr. */
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 1);
        execv(self, argv);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
        return bs_fail(BS_ERUNTIME, "figure %s: replication %d did not finish", f->name, r);
    if (WEXITSTATUS(status) != 0)
        return bs_fail(WEXITSTATUS(status) == 2 ? BS_EINPUT : BS_ERUNTIME,
                       "figure %s: blockshift run %s failed (exit %d; its message is above)", f->name,
                       f->scenario, WEXITSTATUS(status));
    return BS_OK;
}

/* 64 bits over the bytes of a dataset (FNV-1a, then mixed).  The start is
 * not FNV's offset basis 14695981039346656037 but 1469598103934665603, that
 * number without its last digit: so it has always been, and the checksums
 * already written in checksums.txt files depend on it. */
#define CHECKSUM_BASIS 1469598103934665603ULL

static uint64_t checksum(const double *x, size_t n)
{
    uint64_t h = hash_fnv1a64(x, n * sizeof(double), CHECKSUM_BASIS);
    return h ^ (h >> 29);
}

static int write_checksums(FILE *o, const fig *f, int r, const char *result)
{
    int k = kind_of(f->plot), st = BS_OK;
    const char *want[4] = {NULL};
    for (int j = 1; j < 4 && behind[k][j]; j++)
        want[j - 1] = behind[k][j];
    results_run *h = NULL;
    if ((st = results_load(result, want, &h)) != BS_OK)
        return st;
    for (int j = 0; want[j] && st == BS_OK; j++) {
        const results_array *a = results_run_array(h, want[j]);
        if (!a) {
            st = bs_fail(BS_EINPUT, "%s: %s: missing", result, want[j]);
            break;
        }
        size_t n = 1;
        for (int i = 0; i < a->rank; i++)
            n *= a->shape[i];
        fprintf(o, "%s %d %s %016llx\n", f->name, r, want[j],
                (unsigned long long)checksum(a->v, n));
    }
    results_run_free(h);
    return st;
}

/* Lines of the checksum file of figure `name` (sorted as written). */
static char *lines_of(const char *file, const char *name)
{
    FILE *in = fopen(file, "r");
    if (!in)
        return NULL;
    size_t cap = 4096, len = 0;
    char *out = calloc(cap, 1), line[1024];
    while (out && fgets(line, sizeof line, in)) {
        size_t l = strlen(name);
        if (strncmp(line, name, l) != 0 || line[l] != ' ')
            continue;
        if (len + strlen(line) + 1 > cap) {
            char *x = realloc(out, cap *= 2);
            if (!x)
                break;
            out = x;
        }
        strcpy(out + len, line);
        len += strlen(line);
    }
    fclose(in);
    return out;
}

/* Copy `from` to `to` atomically (base/atomic.h). */
static int copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    if (!in)
        return bs_fail(BS_ERUNTIME, "%s: cannot read (%s)", from, strerror(errno));
    atomic_file *a = atomic_open(to);
    if (!a) {
        fclose(in);
        return bs_last_status();
    }
    char buf[65536];
    size_t k;
    int ok = 1;
    while (ok && (k = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, k, atomic_stream(a)) == k;
    ok = ok && !ferror(in);
    fclose(in);
    if (!ok) {
        atomic_abort(a);
        return bs_fail(BS_ERUNTIME, "%s: cannot copy %s to it", to, from);
    }
    return atomic_commit(a);
}

/* Whether figures f and g run the same runs: the same scenario, overrides
 * and seed (replication r of each is then the same run). */
static int same_runs(const fig *f, const fig *g)
{
    if (strcmp(f->scenario, g->scenario) != 0 || f->seed != g->seed || f->n_set != g->n_set)
        return 0;
    for (int k = 0; k < f->n_set; k++)
        if (strcmp(f->set[k], g->set[k]) != 0)
            return 0;
    return 1;
}

/* The earlier figure whose replication r is this figure's, or -1. */
static int run_before(const fig *figs, int i, int r)
{
    for (int j = 0; j < i; j++)
        if (figs[j].reps > r && same_runs(&figs[j], &figs[i]))
            return j;
    return -1;
}

int reproduce_run(const char *manifest, const char *dir, const char *self, int mode,
                  int *reproduced, int *compared)
{
    int quiet = mode == PROGRESS_OFF;
    static fig figs[MAX_FIG];
    int n = 0;
    *reproduced = *compared = 0;
    int st = read_manifest(manifest, figs, &n, NULL);
    if (st == BS_OK)
        st = fsutil_make_dirs(dir);
    char sums[4200], prev[4200], tmp[4300];
    snprintf(sums, sizeof sums, "%s/checksums.txt", dir);
    snprintf(prev, sizeof prev, "%s/checksums.previous.txt", dir);
    if (st == BS_OK) {
        atomic_clean(dir); /* what killed reproduces left */
        st = atomic_temp_name(sums, tmp, sizeof tmp); /* unique: another reproduce may run */
    }
    FILE *o = st == BS_OK ? fopen(tmp, "wx") : NULL;
    if (st == BS_OK && !o)
        st = bs_fail(BS_ERUNTIME, "%s: cannot write (%s)", tmp, strerror(errno));
    if (o)
        atomic_track(tmp);
    int distinct = 0, done = 0;
    for (int i = 0; i < n; i++)
        for (int r = 0; r < figs[i].reps; r++)
            distinct += run_before(figs, i, r) < 0;
    progress *pg = progress_new("reproduce", "runs", mode);
    progress_step(0, distinct, pg);
    for (int i = 0; i < n && st == BS_OK; i++) {
        const fig *f = &figs[i];
        char rundir[4300], figdir[4300], result[4600];
        /* every replication's file, for the figure's mean and band */
        char(*files)[4600] = calloc((size_t)f->reps, sizeof *files);
        const char **file_of = calloc((size_t)f->reps, sizeof *file_of);
        if (!files || !file_of)
            st = bs_nomem("the results paths of figure %s (reproduce)", f->name);
        snprintf(rundir, sizeof rundir, "%.4000s/runs/%.63s", dir, f->name);
        snprintf(figdir, sizeof figdir, "%.4000s/figures/%.63s", dir, f->name);
        if (st == BS_OK)
            st = fsutil_make_dirs(rundir);
        for (int r = 0; r < f->reps && st == BS_OK; r++) {
            int j = run_before(figs, i, r);
            if (j >= 0) { /* an identical run, done for an earlier figure: not again */
                char other[4300];
                snprintf(other, sizeof other, "%.4000s/runs/%.63s", dir, figs[j].name);
                if (!find_result(other, f->seed, r, result, sizeof result))
                    st = bs_fail(BS_ERUNTIME, "figure %s: replication %d of figure %s is missing",
                                 f->name, r, figs[j].name);
                else if (!quiet)
                    fprintf(stderr, "blockshift: figure %s: replication %d is figure %s's\n",
                            f->name, r, figs[j].name);
            } else if (!find_result(rundir, f->seed, r, result, sizeof result) ||
                       !up_to_date(result, f, r)) {
                st = run_one(self, f, r, rundir, quiet);
                if (st == BS_OK && !find_result(rundir, f->seed, r, result, sizeof result))
                    st = bs_fail(BS_ERUNTIME, "figure %s: replication %d wrote no results", f->name, r);
            } else if (!quiet) {
                fprintf(stderr, "blockshift: figure %s: replication %d is there already\n", f->name, r);
            }
            if (j < 0 && st == BS_OK)
                progress_step(++done, distinct, pg);
            if (st == BS_OK)
                st = write_checksums(o, f, r, result);
            if (st == BS_OK) {
                snprintf(files[r], sizeof files[r], "%s", result);
                file_of[r] = files[r];
            }
        }
        char *paths[PLOT_MAX_FIGURES] = {0};
        int np = 0;
        if (st == BS_OK)
            st = fsutil_make_dirs(figdir);
        if (st == BS_OK)
            atomic_clean(rundir);
        if (st == BS_OK)
            st = plot_runs(file_of, f->reps, figdir, PLOT_PNG, paths, &np);
        free(files);
        free(file_of);
        for (int k = 0; k < np; k++) {
            const char *base = strrchr(paths[k], '/');
            base = base ? base + 1 : paths[k];
            if (st == BS_OK && strncmp(base, f->plot, strlen(f->plot)) == 0 &&
                base[strlen(f->plot)] == '.')
                printf("%s\n", paths[k]); /* the figure, for scripts */
            free(paths[k]);
        }
    }
    progress_end(pg);
    fflush(stdout);
    if (o) {
        int cs = atomic_close_stream(o, tmp); /* every write checked */
        st = st == BS_OK ? cs : st;
    }
    if (st != BS_OK) {
        if (o) {
            unlink(tmp);
            atomic_untrack(tmp);
        }
        return st;
    }
    /* Compare with an earlier checksums.txt, then put the new one in place. */
    int had = access(sums, R_OK) == 0;
    for (int i = 0; had && i < n; i++) {
        char *old = lines_of(sums, figs[i].name), *now = lines_of(tmp, figs[i].name);
        int same = old && now && *old && strcmp(old, now) == 0;
        (*compared)++;
        *reproduced += same;
        if (!quiet || !same)
            fprintf(stderr, "blockshift: figure %s: %s\n", figs[i].name,
                    same ? "reproduced bit for bit" : "DIFFERS from the earlier checksums");
        free(old);
        free(now);
    }
    /* The earlier checksums become checksums.previous.txt, a copy written
     * atomically: checksums.txt itself is never missing, only replaced. */
    if (had)
        st = copy_file(sums, prev);
    if (st == BS_OK)
        st = atomic_publish(tmp, sums);
    if (st != BS_OK) {
        unlink(tmp);
        atomic_untrack(tmp);
    }
    return st;
}
