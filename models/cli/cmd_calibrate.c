/* blockshift calibrate: fit parameters of a scenario to observations by
 * ABC-SMC (sweep/abc.h), on the sweep's workers (local processes or MPI
 * ranks), with a checkpoint after every generation (--resume). */
#define _GNU_SOURCE
#include "cli/cli.h"

#include "base/atomic.h"
#include "base/fsutil.h"
#include "base/status.h"
#include "cli/calib_out.h"
#include "cli/calib_run.h"
#include "cli/sweep_mpi.h"
#include "sweep/abc.h"
#include "cli/calib_spec.h"
#include "sweep/sweep_pool.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char calibrate_usage[] =
    "usage: blockshift calibrate CALIBRATION.cfg [-o DIR] [-j N] [--resume] [--quiet]\n"
    "       mpirun -np N blockshift calibrate CALIBRATION.cfg --mpi [-o DIR] [--resume]\n"
    "\n"
    "Fit the parameters of a scenario to observations by approximate Bayesian\n"
    "computation with sequential Monte Carlo (ABC-SMC): generations of particles\n"
    "under a falling tolerance on the distance between the model's values and the\n"
    "observations, each divided by its uncertainty.  CALIBRATION.cfg names the\n"
    "scenario, the observation files, the dataset each measure reads, the\n"
    "parameters with their priors, the replications and the budget (README.md,\n"
    "\"Calibration\"; configs/calibrate/ has examples).  Everything is checked\n"
    "before anything runs.\n"
    "\n"
    "  -o DIR      the output folder (default results/calibrate/<name>/):\n"
    "              posterior.h5 (every generation's particles, weights, distances),\n"
    "              summary.txt (posterior median and 90% credible interval of each\n"
    "              parameter), fitted.cfg (the medians as a list `set` of overrides,\n"
    "              for a scenario to @include), fit.png; their paths go to stdout,\n"
    "              one a line\n"
    "  -j N        N local worker processes (default: the number of cores)\n"
    "  --mpi       an MPI task farm (start with mpirun)\n"
    "  --resume    continue from the last generation in DIR/posterior.h5\n"
    "  --quiet     no progress\n"
    "\n"
    "The same file and seed give the same posterior whatever -j or the ranks.\n"
    "Exit codes: 0 done; 1 interrupted (--resume continues) or runs failed; 2 bad\n"
    "input.\n";

typedef struct cal_args {
    const char *file, *out_dir;
    int jobs, mpi, resume, quiet;
} cal_args;

static int parse_args(int argc, char **argv, cal_args *a)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"jobs", required_argument, NULL, 'j'},
                                         {"mpi", no_argument, NULL, 'm'},
                                         {"resume", no_argument, NULL, 'r'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {NULL, 0, NULL, 0}};
    memset(a, 0, sizeof *a);
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:j:q", opts, NULL)) != -1) {
        char *end;
        long v;
        switch (c) {
        case 'o':
            a->out_dir = optarg;
            break;
        case 'j':
            errno = 0;
            v = strtol(optarg, &end, 10);
            if (errno || end == optarg || *end || v < 1 || v > 4096)
                return cli_fail(BS_EINPUT,
                                "calibrate: -j '%s' is not a number of workers in 1..4096", optarg);
            a->jobs = (int)v;
            break;
        case 'm':
            a->mpi = 1;
            break;
        case 'r':
            a->resume = 1;
            break;
        case 'q':
            a->quiet = 1;
            break;
        default:
            return cli_fail(BS_EINPUT,
                            "calibrate: unknown option or missing value in '%s' (try --help)",
                            argv[optind - 1]);
        }
    }
    if (optind + 1 < argc)
        return cli_fail(BS_EINPUT, "calibrate: more than one file ('%s', '%s')", argv[optind],
                        argv[optind + 1]);
    if (optind >= argc)
        return cli_fail(BS_EINPUT, "calibrate: no CALIBRATION.cfg given (try --help)");
    a->file = argv[optind];
    if (a->mpi && a->jobs)
        return cli_fail(BS_EINPUT, "calibrate: with --mpi, mpirun -np N sets the workers, not -j");
    return 0;
}

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

/* ABC's evaluation: the replications of each proposal, their mean, the
 * distance. */
typedef struct eval_ctx {
    calib_runner *cr;
    int quiet;
} eval_ctx;

static int evaluate(void *ctx, int g, int first, int n, const double *theta, double *d,
                    double *sim)
{
    eval_ctx *e = ctx;
    const calib_spec *s = e->cr->s;
    int R = s->replications, m = s->m;
    double *y = malloc((size_t)n * (size_t)R * (size_t)m * sizeof *y), obs[CALIB_MAX_OBS],
           sd[CALIB_MAX_OBS];
    if (!y)
        return bs_nomem("%d proposals", n);
    int st = calib_run_points(e->cr, g, first, n, theta, y);
    for (int o = 0; o < m; o++) {
        obs[o] = s->obs[o].value;
        sd[o] = s->obs[o].uncertainty;
    }
    for (int i = 0; st == BS_OK && i < n; i++) {
        for (int o = 0; o < m; o++) {
            double sum = 0;
            for (int r = 0; r < R; r++)
                sum += y[((size_t)i * R + r) * m + o];
            sim[(size_t)i * m + o] = sum / R; /* NaN if a run failed */
        }
        d[i] = abc_distance(sim + (size_t)i * m, obs, sd, m);
    }
    free(y);
    if (st == BS_OK && !e->quiet)
        fprintf(stderr, "blockshift: calibrate: generation %d: proposals %d-%d run (%d runs, %d "
                        "failed so far)\n",
                g, first, first + n - 1, e->cr->runs_done, e->cr->runs_failed);
    return st;
}

static int calibrate(const cal_args *a, const calib_spec *s, const char *dir,
                     const sweep_workers *w, int threads, int *interrupted)
{
    char rundir[PATH_MAX + 8];
    snprintf(rundir, sizeof rundir, "%s/runs", dir);
    int st = fsutil_make_dirs(rundir);
    if (st != BS_OK)
        return cli_fail(st, "%s", bs_last_error());
    abc_gen *gens = NULL;
    int n = 0, rc = 0;
    if (a->resume) {
        if ((st = calib_out_read(dir, s, &gens, &n)) != BS_OK)
            return cli_fail(st, "%s", bs_last_error());
        if (!a->quiet)
            fprintf(stderr, "blockshift: --resume: %d generation%s kept in %s/posterior.h5\n", n,
                    n == 1 ? "" : "s", dir);
    }
    abc_gen *more = realloc(gens, (size_t)(s->abc.generations + 1) * sizeof *gens);
    if (!more) {
        free(gens);
        return cli_fail(bs_nomem("the generations of %s", s->name), "%s", bs_last_error());
    }
    gens = more;
    calib_runner cr = {s, w, rundir, threads, &stop_flag, 0, 0, ""};
    eval_ctx e = {&cr, a->quiet};
    const char *why = "the generations of the budget were run";
    char whybuf[600];
    int batch = w->slots > s->abc.particles ? w->slots : s->abc.particles;
    /* Stop when the last generation's tolerance already was the least. */
    while (n < s->abc.generations && !(n > 0 && gens[n - 1].eps <= s->abc.min_tolerance)) {
        if (!a->quiet)
            fprintf(stderr, "blockshift: calibrate: generation %d, tolerance %g\n", n,
                    n ? abc_tolerance(&s->abc, &gens[n - 1]) : INFINITY);
        st = abc_generation(&s->abc, n ? &gens[n - 1] : NULL, n, batch, evaluate, &e, &gens[n]);
        if (st == CALIB_STOPPED) {
            *interrupted = 1;
            break;
        }
        if (st == ABC_EXHAUSTED) {
            snprintf(whybuf, sizeof whybuf, "stopped early: %s", bs_last_error());
            why = whybuf;
            break;
        }
        if (st != BS_OK) {
            rc = cli_fail(st, "%s", bs_last_error());
            goto done;
        }
        n++;
        if ((st = calib_out_posterior(dir, s, gens, n)) != BS_OK) {
            rc = cli_fail(st, "%s", bs_last_error());
            goto done;
        }
        if (!a->quiet)
            fprintf(stderr, "blockshift: calibrate: generation %d kept: %d particles from %d "
                            "proposals, effective sample size %.1f; checkpoint %s/posterior.h5\n",
                    n - 1, gens[n - 1].n, gens[n - 1].proposals,
                    abc_ess(gens[n - 1].w, gens[n - 1].n), dir);
    }
    if (n > 0 && gens[n - 1].eps <= s->abc.min_tolerance)
        why = "the tolerance reached abc.min_tolerance";
    if (*interrupted) {
        fprintf(stderr, "blockshift: interrupted after %d generation%s; continue with: "
                        "blockshift calibrate %s -o %s --resume\n",
                n, n == 1 ? "" : "s", a->file, dir);
        rc = 1;
        goto done;
    }
    if (n == 0) {
        rc = cli_fail(BS_ERUNTIME, "no generation was completed (%s)%s%s", why,
                      cr.first_error[0] ? "; the first failed run: " : "", cr.first_error);
        goto done;
    }
    if ((st = calib_out_posterior(dir, s, gens, n)) != BS_OK ||
        (st = calib_out_final(dir, s, &gens[n - 1], why)) != BS_OK) {
        rc = cli_fail(st, "%s", bs_last_error());
        goto done;
    }
    if (cr.runs_failed && cr.first_error[0])
        fprintf(stderr, "blockshift: %d runs failed (counted as infinitely far); the first: %s\n",
                cr.runs_failed, cr.first_error);
    if (!a->quiet)
        fprintf(stderr, "blockshift: calibrate done (%s)\n", why);
    /* What was written, one path a line, for scripts (as run and sweep):
     * messages stay on stderr. */
    static const char *const written[] = {"posterior.h5", "summary.txt", "fitted.cfg",
                                          "fit.png"};
    for (size_t i = 0; i < sizeof written / sizeof written[0]; i++)
        printf("%s/%s\n", dir, written[i]);
    fflush(stdout);
    rmdir(rundir);
done:
    for (int t = 0; t < n; t++)
        abc_gen_free(&gens[t]);
    free(gens);
    return rc;
}

static int calibrate_main(int argc, char **argv, int *interrupted)
{
    cal_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc;
    calib_spec *s = NULL;
    char *errors = NULL;
    int st = calib_spec_load(a.file, 1, &s, &errors);
    if (st != BS_OK)
        return errors ? cli_report_errors(st, errors) : cli_fail(st, "%s", bs_last_error());
    char dir[PATH_MAX];
    if (a.out_dir)
        snprintf(dir, sizeof dir, "%s", a.out_dir);
    else
        snprintf(dir, sizeof dir, "results/calibrate/%s", s->name);
    char post[PATH_MAX + 16];
    snprintf(post, sizeof post, "%s/posterior.h5", dir);
    struct stat sb;
    if (!a.resume && stat(post, &sb) == 0) {
        calib_spec_free(s);
        return cli_fail(BS_EINPUT, "%s already holds a calibration: --resume continues it, or "
                                   "choose another folder with -o",
                        dir);
    }
    if (a.resume && stat(post, &sb) != 0) {
        calib_spec_free(s);
        return cli_fail(BS_EINPUT, "--resume: %s has no posterior.h5 to continue", dir);
    }
    if ((st = fsutil_make_dirs(dir)) != BS_OK) {
        calib_spec_free(s);
        return cli_fail(st, "%s", bs_last_error());
    }
    int lock = fsutil_lock(dir, "calibrate");
    if (lock < 0) {
        calib_spec_free(s);
        return cli_fail(lock, "%s", bs_last_error());
    }
    /* Again under the lock: another calibrate may have finished into the
     * folder since the look above. */
    if (!a.resume && stat(post, &sb) == 0) {
        close(lock);
        calib_spec_free(s);
        return cli_fail(BS_EINPUT, "%s already holds a calibration (written by another "
                                   "blockshift calibrate meanwhile): --resume continues it, or "
                                   "choose another folder with -o",
                        dir);
    }
    /* The temporaries of killed calibrates (posterior.h5, the figures) and of
     * their workers' runs (runs/NAME.partial-PID); under the lock no live
     * calibrate writes here. */
    atomic_clean(dir);
    char rundir[PATH_MAX + 8];
    snprintf(rundir, sizeof rundir, "%s/runs", dir);
    atomic_clean(rundir);
    sweep_pool *pool = NULL;
    sweep_workers w;
    int slots = a.jobs ? a.jobs : cli_cores();
#ifdef BS_WITH_MPI
    if (a.mpi)
        w = sweep_mpi_workers(&stop_flag);
    else
#endif
    {
        if (!(pool = sweep_pool_new(slots))) {
            close(lock);
            calib_spec_free(s);
            return cli_fail(BS_ENOMEM, "%s", bs_last_error());
        }
        w = sweep_pool_workers(pool);
    }
    int threads = 0;
    if (!a.mpi && !getenv("OMP_NUM_THREADS"))
        threads = cli_cores() / slots > 0 ? cli_cores() / slots : 1;
    if (!a.quiet)
        fprintf(stderr,
                "blockshift: calibrate %s: %d parameters, %d observations, %d particles, at "
                "most %d generations, %d replications a point, on %d %s; into %s\n",
                a.file, s->k, s->m, s->abc.particles, s->abc.generations, s->replications,
                w.slots, a.mpi ? "MPI workers" : "worker processes", dir);
    struct sigaction sa, old[3];
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    stop_flag = 0;
    for (int i = 0; i < 3; i++)
        sigaction(sigs[i], &sa, &old[i]);
    rc = calibrate(&a, s, dir, &w, threads, interrupted);
    for (int i = 0; i < 3; i++)
        sigaction(sigs[i], &old[i], NULL);
    sweep_pool_free(pool);
    close(lock);
    calib_spec_free(s);
    return rc;
}

int cmd_calibrate(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(calibrate_usage, stdout);
        return 0;
    }
    int mpi = 0, interrupted = 0;
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        mpi |= strcmp(argv[i], "--mpi") == 0;
#ifndef BS_WITH_MPI
    if (mpi)
        return cli_fail(BS_EINPUT, "calibrate --mpi: this build has no MPI (configured "
                                   "--without-mpi); use -j N, or rebuild with ./waf configure");
#else
    if (mpi) {
        int rank = 0, size = 1;
        if (sweep_mpi_init(&rank, &size) != BS_OK)
            return cli_fail(BS_ERUNTIME, "%s", bs_last_error());
        if (rank > 0)
            return sweep_mpi_worker();
    }
#endif
    int rc = calibrate_main(argc, argv, &interrupted);
#ifdef BS_WITH_MPI
    if (mpi)
        sweep_mpi_finish(interrupted, rc);
#endif
    return rc;
}
