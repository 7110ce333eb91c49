/* blockshift validate: run shipped validation cases (a scenario and
 * observations it was not fitted to, calib_spec.h) and report, per
 * observation, the model's mean and 90% band over replications against the
 * observed value. */
#define _GNU_SOURCE
#include "cli/cli.h"

#include "base/atomic.h"
#include "base/fsutil.h"
#include "base/status.h"
#include "cli/calib_out.h"
#include "cli/calib_run.h"
#include "cli/calib_spec.h"
#include "sweep/sweep_pool.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char validate_usage[] =
    "usage: blockshift validate [CASE.cfg...] [-o DIR] [-j N] [--quiet]\n"
    "\n"
    "Run validation cases: each a scenario with observations it was not calibrated\n"
    "on (configs/validation/ has the shipped ones, run when no CASE is given).\n"
    "Each case's scenario runs `replications` times; for every observation the\n"
    "table on stdout gives the model's mean and 90% band over the replications\n"
    "(5% and 95% quantiles), the observed value and its uncertainty, the error of\n"
    "the mean (relative, and in the observation's standard deviations) and\n"
    "whether the observed value lies in the band.  A figure per case goes to\n"
    "DIR/CASE.png (default DIR: results/validate), the table to DIR/CASE.txt.\n"
    "\n"
    "  -o DIR     the output folder (default results/validate)\n"
    "  -j N       N local worker processes (default: the number of cores)\n"
    "  --quiet    no progress\n"
    "\n"
    "One validate at a time in a folder: a second one (or a calibrate) into DIR while\n"
    "one works there is refused (exit 1, naming its PID).\n"
    "\n"
    "Exit codes: 0 the cases ran, whatever the verdict; 1 runs failed, or DIR is\n"
    "another blockshift's; 2 bad input.\n";

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .cfg files of DIR/configs/validation, sorted, into *out; 0 if none. */
static int cases_in(const char *base, char ***out, int *n)
{
    char dir[PATH_MAX + 32];
    snprintf(dir, sizeof dir, "%s/configs/validation", base);
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    char **v = NULL;
    int k = 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".cfg") != 0 || e->d_name[0] == '.')
            continue;
        char **more = realloc(v, (size_t)(k + 1) * sizeof *v);
        if (!more)
            break;
        v = more;
        if (asprintf(&v[k], "%s/%s", dir, e->d_name) < 0)
            break;
        k++;
    }
    closedir(d);
    if (k == 0) {
        free(v);
        return 0;
    }
    qsort(v, (size_t)k, sizeof *v, by_name);
    *out = v;
    *n = k;
    return 1;
}

/* The shipped cases: configs/validation/ (files *.cfg) in the first folder
 * that has them: the current folder, BLOCKSHIFT_PATH's folders, the
 * installed share folder. */
static int shipped_cases(char ***out, int *n)
{
    if (cases_in(".", out, n))
        return 0;
    const char *cursor = NULL;
    char dir[PATH_MAX];
    while (fsutil_search_path(&cursor, dir, sizeof dir))
        if (cases_in(dir, out, n))
            return 0;
    if (cli_share_dir(dir, sizeof dir) == 0 && cases_in(dir, out, n))
        return 0;
    return cli_fail(BS_EINPUT, "validate: no CASE given and no configs/validation/ cases found "
                               "here, on BLOCKSHIFT_PATH (%s) or in the installed share folder",
                    fsutil_search_path_text());
}

/* One case: run it, print its table, write its figure. */
static int one_case(const calib_spec *s, const char *dir, const sweep_workers *w, int threads,
                    int quiet, int *failed)
{
    int R = s->replications, m = s->m;
    char rundir[PATH_MAX + 64];
    snprintf(rundir, sizeof rundir, "%s/.runs-%s", dir, s->name);
    int st = fsutil_make_dirs(rundir);
    if (st != BS_OK)
        return st;
    atomic_clean(dir); /* what killed validates left: the figure's and table's temporaries */
    atomic_clean(rundir); /* and their workers' runs (NAME.partial-PID) */
    calib_runner cr = {s, w, rundir, threads, NULL, 0, 0, ""};
    double *y = malloc((size_t)R * (size_t)m * sizeof *y), *x = malloc((size_t)R * sizeof *x),
           *q = malloc((size_t)m * 4 * sizeof *q);
    if (!y || !x || !q) {
        free(y), free(x), free(q);
        return bs_nomem("the model values of %d replications", R);
    }
    if (!quiet)
        fprintf(stderr, "blockshift: validate %s: %d replications of %s on %d workers\n",
                s->name, R, s->scenario, w->slots);
    st = calib_run_points(&cr, 0, 0, 1, NULL, y);
    rmdir(rundir);
    *failed += cr.runs_failed;
    if (st == BS_OK && cr.runs_failed)
        fprintf(stderr, "blockshift: validate %s: %d of %d runs failed; the first: %s\n", s->name,
                cr.runs_failed, R, cr.first_error);
    double *q05 = q, *mean = q + m, *q95 = q + 2 * m, *med = q + 3 * m;
    char text[PATH_MAX + 64];
    snprintf(text, sizeof text, "%s/%s.txt", dir, s->name);
    /* the table's file appears whole or not at all (a full disk: exit 1) */
    atomic_file *ta = st == BS_OK ? atomic_open(text) : NULL;
    if (st == BS_OK && !ta)
        st = BS_ERUNTIME;
    FILE *t = ta ? atomic_stream(ta) : NULL;
    FILE *outs[2] = {stdout, t};
    for (int f = 0; f < 2 && st == BS_OK; f++) {
        if (!outs[f])
            continue;
        fprintf(outs[f], "\n%s: %s (%d replications)\n", s->name, s->description, R);
        fprintf(outs[f], "%-28s %11s %11s %11s %11s %11s %8s %7s %6s\n", "observation", "observed",
                "sd", "model mean", "band 5%", "band 95%", "error", "error/sd", "inside");
    }
    for (int o = 0; o < m && st == BS_OK; o++) {
        int n = 0;
        for (int r = 0; r < R; r++)
            if (!isnan(y[(size_t)r * m + o]))
                x[n++] = y[(size_t)r * m + o];
        gsl_sort(x, 1, (size_t)n);
        double sum = 0; /* not gsl_stats_mean: its running mean makes inf NaN */
        for (int i = 0; i < n; i++)
            sum += x[i];
        mean[o] = n ? sum / n : NAN;
        q05[o] = n ? gsl_stats_quantile_from_sorted_data(x, 1, (size_t)n, 0.05) : NAN;
        q95[o] = n ? gsl_stats_quantile_from_sorted_data(x, 1, (size_t)n, 0.95) : NAN;
        med[o] = n ? gsl_stats_quantile_from_sorted_data(x, 1, (size_t)n, 0.5) : NAN;
        const observation *ob = &s->obs[o];
        double err = (mean[o] - ob->value) / ob->value, z = (mean[o] - ob->value) / ob->uncertainty;
        int inside = ob->value >= q05[o] && ob->value <= q95[o];
        char label[128];
        calib_out_label(s, o, label, sizeof label);
        for (int f = 0; f < 2; f++)
            if (outs[f])
                fprintf(outs[f], "%-28s %11.4g %11.4g %11.4g %11.4g %11.4g %+7.1f%% %+7.2f %6s\n",
                        label, ob->value, ob->uncertainty, mean[o], q05[o], q95[o], 100 * err, z,
                        n == 0 ? "n/a" : inside ? "yes" : "no");
    }
    if (ta && st == BS_OK)
        st = atomic_commit(ta);
    else
        atomic_abort(ta);
    fflush(stdout);
    if (st == BS_OK) {
        char title[700];
        snprintf(title, sizeof title, "Validation %s: %d runs against the observations", s->name,
                 R);
        st = calib_out_figure(dir, s->name, title, s, q05, med, q95);
        if (st == BS_OK && !quiet)
            fprintf(stderr, "blockshift: validate %s: %s/%s.png, %s\n", s->name, dir, s->name,
                    text);
    }
    free(y), free(x), free(q);
    return st;
}

int cmd_validate(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(validate_usage, stdout);
        return 0;
    }
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"jobs", required_argument, NULL, 'j'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {NULL, 0, NULL, 0}};
    const char *dir = "results/validate";
    int jobs = 0, quiet = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:j:q", opts, NULL)) != -1) {
        char *end;
        long v;
        switch (c) {
        case 'o':
            dir = optarg;
            break;
        case 'j':
            errno = 0;
            v = strtol(optarg, &end, 10);
            if (errno || end == optarg || *end || v < 1 || v > 4096)
                return cli_fail(BS_EINPUT,
                                "validate: -j '%s' is not a number of workers in 1..4096", optarg);
            jobs = (int)v;
            break;
        case 'q':
            quiet = 1;
            break;
        default:
            return cli_fail(BS_EINPUT,
                            "validate: unknown option or missing value in '%s' (try --help)",
                            argv[optind - 1]);
        }
    }
    char **files = NULL;
    int n = 0, rc = 0;
    if (optind < argc) {
        n = argc - optind;
        if (!(files = calloc((size_t)n, sizeof *files)))
            return cli_fail(bs_nomem("the list of cases"), "%s", bs_last_error());
        for (int i = 0; i < n; i++)
            files[i] = strdup(argv[optind + i]);
    } else if ((rc = shipped_cases(&files, &n)) != 0) {
        return rc;
    }
    /* Every case checked before anything runs. */
    calib_spec **specs = calloc((size_t)n, sizeof *specs);
    if (!specs)
        return cli_fail(bs_nomem("the cases' files"), "%s", bs_last_error());
    for (int i = 0; i < n && rc == 0; i++) {
        char *errors = NULL;
        int st = files[i] ? calib_spec_load(files[i], 0, &specs[i], &errors)
                          : bs_nomem("the name of case %d", i + 1);
        if (st != BS_OK)
            rc = errors ? cli_report_errors(st, errors) : cli_fail(st, "%s", bs_last_error());
    }
    int st = rc == 0 ? fsutil_make_dirs(dir) : BS_OK;
    if (st != BS_OK)
        rc = cli_fail(st, "%s", bs_last_error());
    /* One validate at a time in a folder: two would share DIR/.runs-CASE,
     * each reading (and removing) the other's runs.  A second one, or a
     * calibrate, is refused with exit 1 naming the holder's PID. */
    int lock = rc == 0 ? fsutil_lock(dir, "validate") : -1;
    if (rc == 0 && lock < 0)
        rc = cli_fail(lock, "%s", bs_last_error());
    int slots = jobs ? jobs : cli_cores(), failed = 0;
    sweep_pool *pool = rc == 0 ? sweep_pool_new(slots) : NULL;
    if (rc == 0 && !pool)
        rc = cli_fail(BS_ENOMEM, "%s", bs_last_error());
    if (rc == 0) {
        sweep_workers w = sweep_pool_workers(pool);
        int threads = getenv("OMP_NUM_THREADS") ? 0 : (cli_cores() / slots > 0 ? cli_cores() / slots : 1);
        for (int i = 0; i < n && rc == 0; i++)
            if ((st = one_case(specs[i], dir, &w, threads, quiet, &failed)) != BS_OK)
                rc = cli_fail(st, "%s", bs_last_error());
    }
    sweep_pool_free(pool);
    if (lock >= 0)
        close(lock);
    for (int i = 0; i < n; i++) {
        calib_spec_free(specs[i]);
        free(files[i]);
    }
    free(specs);
    free(files);
    return rc ? rc : failed ? 1 : 0;
}
