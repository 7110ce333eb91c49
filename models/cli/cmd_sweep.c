/* blockshift sweep: read the arguments and the sweep file, check every
 * parameter point, then either write a Slurm script, or carry the sweep out
 * on local worker processes or MPI ranks (sweep_farm.h) with a progress
 * line; or summarise a sweep folder again. */
#define _GNU_SOURCE
#include "cli/cli.h"

#include "base/atomic.h"
#include "base/fsutil.h"
#include "base/progress.h"
#include "base/quote.h"
#include "base/status.h"
#include "sweep/sweep_config.h"
#include "sweep/sweep_farm.h"
#include "cli/sweep_mpi.h"
#include "cli/sweep_slurm.h"
#include "sweep/sweep_pool.h"
#include "sweep/sweep_spec.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char sweep_usage[] =
    "usage: blockshift sweep SWEEP [-o DIR] [-j N] [--sobol N] [--resume] [--quiet]\n"
    "       mpirun -np N blockshift sweep SWEEP --mpi [-o DIR] [--resume] [--quiet]\n"
    "       blockshift sweep SWEEP --slurm [--slurm-array] [--nodes N] [--ntasks N]\n"
    "                        [--time T] [--partition P] [--account A] [-o DIR]\n"
    "       blockshift sweep SWEEP --runs A-B [-o DIR] [-j N] [--quiet]\n"
    "       blockshift sweep --summarise DIR\n"
    "\n"
    "Run every point of a parameter sweep, each replicated with its own seed, and\n"
    "summarise the numbers collected from the runs (mean, standard deviation, 95%\n"
    "confidence interval).  SWEEP is a sweep file (configs/sweeps/ has examples;\n"
    "README.md, \"Sweeps\", says how to write one).  Every point is checked before\n"
    "anything runs.\n"
    "\n"
    "  -o DIR           the sweep folder (default results/sweeps/<name>/): runs/ with\n"
    "                   one results file per run, index.h5, summary.txt\n"
    "  -j N             N local worker processes (default: the number of cores)\n"
    "  --mpi            an MPI task farm: rank 0 hands out the runs, the other ranks\n"
    "                   do them (start it with mpirun)\n"
    "  --sobol N        Sobol sensitivity indices of every collected number: run\n"
    "                   Saltelli's design of N >= 2 base samples, N (k + 2) points for\n"
    "                   the k parameters (each with bounds, k <= 20), whatever the\n"
    "                   file's sample (as sample = { method = \"saltelli\"; points = N; });\n"
    "                   the indices go to index.h5 (/sobol) and summary.txt\n"
    "  --resume         continue a sweep in DIR: runs whose results file is complete\n"
    "                   and made from the same configuration are kept, the others run\n"
    "  --slurm          write DIR/sweep.sbatch, a Slurm batch script that runs the\n"
    "                   sweep with --mpi --resume (its path on stdout); then sbatch it.\n"
    "                   The coordinating rank runs beside the workers (mpirun\n"
    "                   --oversubscribe, --allow-run-as-root only as root), not on a task\n"
    "  --slurm-array    the script as a job array instead: one array task (one core)\n"
    "                   per chunk of consecutive runs (--runs); when all have ended,\n"
    "                   --resume gathers the runs into index.h5 without running them\n"
    "  --ntasks N       worker ranks, or array tasks (default: min(runs, 64))\n"
    "  --nodes N        machines for the worker ranks (default: Slurm chooses)\n"
    "  --time T         wall-time limit, MINUTES, HH:MM:SS or D-HH:MM:SS (default: the\n"
    "                   runs a task does x the longest run of an index.h5 already in DIR,\n"
    "                   else x 30 minutes, an assumption; x 1.5; said in the script)\n"
    "  --partition P    the #SBATCH partition (default: none, the cluster's default)\n"
    "  --account A      the #SBATCH account (default: none)\n"
    "  --runs A-B       only runs A to B (numbers from 0, as in runs/run-NNNNN.h5), with\n"
    "                   -j workers, into DIR/runs, keeping finished ones; no index (a\n"
    "                   chunk of --slurm-array; chunks may run at once in one folder)\n"
    "  --summarise DIR  recompute the summaries of DIR (also done at the end of a sweep)\n"
    "  --quiet          no progress (the paths written still go to stdout)\n"
    "\n"
    "One sweep at a time works in a folder: another sweep, --resume or --summarise\n"
    "of it is refused while one runs there (exit 1, naming its process).\n"
    "\n"
    "Exit codes: 0 every run ok; 1 some runs failed, the sweep was interrupted\n"
    "(--resume continues it) or another sweep works in DIR; 2 bad input, before\n"
    "anything runs.\n";

typedef struct sweep_args {
    const char *file, *out_dir, *summarise;
    int jobs, mpi, resume, slurm, quiet, sobol;
    int first, last; /* --runs A-B; last < 0: every run */
    sweep_slurm_opts so;
} sweep_args;

/* --runs A-B (or K): run numbers, 0 <= A <= B; checked against the sweep later. */
static int parse_runs(const char *v, sweep_args *a)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10), y = x;
    if (!errno && end != v && *end == '-') {
        const char *b = end + 1;
        y = strtol(b, &end, 10);
        if (end == b)
            end = (char *)v; /* "3-": no second number */
    }
    if (errno || end == v || *end || *v == '-' || x < 0 || y < x || y >= SWEEP_MAX_RUNS)
        return cli_fail(BS_EINPUT,
                        "sweep: --runs '%s' is not a range of run numbers A-B (0 <= A <= B) or "
                        "one run K",
                        v);
    a->first = (int)x;
    a->last = (int)y;
    return 0;
}

static int parse_args(int argc, char **argv, sweep_args *a)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"jobs", required_argument, NULL, 'j'},
                                         {"mpi", no_argument, NULL, 'm'},
                                         {"resume", no_argument, NULL, 'r'},
                                         {"slurm", no_argument, NULL, 's'},
                                         {"summarise", required_argument, NULL, 'S'},
                                         {"summarize", required_argument, NULL, 'S'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"sobol", required_argument, NULL, 'b'},
                                         {"runs", required_argument, NULL, 'R'},
                                         {"slurm-array", no_argument, NULL, 'A'},
                                         {"nodes", required_argument, NULL, 1},
                                         {"ntasks", required_argument, NULL, 1},
                                         {"time", required_argument, NULL, 1},
                                         {"partition", required_argument, NULL, 1},
                                         {"account", required_argument, NULL, 1},
                                         {NULL, 0, NULL, 0}};
    memset(a, 0, sizeof *a);
    a->last = -1;
    opterr = 0;
    optind = 1;
    int c;
    int at;
    while ((c = getopt_long(argc, argv, "o:j:q", opts, &at)) != -1) {
        char *end;
        long v;
        int rc;
        switch (c) {
        case 1: /* a Slurm option */
            if ((rc = sweep_slurm_option(&a->so, opts[at].name, optarg)) != 0)
                return rc;
            break;
        case 'A':
            a->so.array = 1;
            a->slurm = 1;
            break;
        case 'R':
            if ((rc = parse_runs(optarg, a)) != 0)
                return rc;
            break;
        case 'o':
            a->out_dir = optarg;
            break;
        case 'j':
            errno = 0;
            v = strtol(optarg, &end, 10);
            if (errno || end == optarg || *end || v < 1 || v > 4096)
                return cli_fail(BS_EINPUT, "sweep: -j '%s' is not a number of workers in 1..4096",
                                optarg);
            a->jobs = (int)v;
            break;
        case 'b':
            errno = 0;
            v = strtol(optarg, &end, 10);
            if (errno || end == optarg || *end || v < 2 || v > SWEEP_MAX_RUNS)
                return cli_fail(BS_EINPUT,
                                "sweep: --sobol '%s' is not a number of base samples in 2..%d",
                                optarg, SWEEP_MAX_RUNS);
            a->sobol = (int)v;
            break;
        case 'm':
            a->mpi = 1;
            break;
        case 'r':
            a->resume = 1;
            break;
        case 's':
            a->slurm = 1;
            break;
        case 'S':
            a->summarise = optarg;
            break;
        case 'q':
            a->quiet = 1;
            break;
        default:
            return cli_fail(BS_EINPUT,
                            "sweep: unknown option or missing value in '%s' (try --help)",
                            argv[optind - 1]);
        }
    }
    if (optind + 1 < argc)
        return cli_fail(BS_EINPUT, "sweep: more than one SWEEP ('%s', '%s')", argv[optind],
                        argv[optind + 1]);
    a->file = optind < argc ? argv[optind] : NULL;
    if (a->summarise) {
        if (a->file || a->out_dir || a->jobs || a->mpi || a->resume || a->slurm || a->sobol ||
            a->so.given || a->last >= 0)
            return cli_fail(BS_EINPUT, "sweep: --summarise DIR takes nothing else (try --help)");
        return 0;
    }
    if (!a->file)
        return cli_fail(BS_EINPUT, "sweep: no SWEEP file given (try --help)");
    if (a->slurm && (a->mpi || a->jobs || a->resume))
        return cli_fail(BS_EINPUT, "sweep: --slurm only writes a script (with -o DIR); it takes "
                                   "no -j, --mpi or --resume");
    if (a->mpi && a->jobs)
        return cli_fail(BS_EINPUT, "sweep: with --mpi, mpirun -np N sets the workers, not -j");
    if (a->so.given && !a->slurm)
        return cli_fail(BS_EINPUT, "sweep: --nodes, --ntasks, --time, --partition and --account "
                                   "size the --slurm batch script: give --slurm too");
    if (a->last >= 0 && (a->slurm || a->mpi || a->resume))
        return cli_fail(BS_EINPUT, "sweep: --runs A-B (a chunk of a --slurm-array job) takes no "
                                   "--slurm, --mpi or --resume (it always keeps finished runs)");
    return a->slurm ? sweep_slurm_check(&a->so) : 0;
}

/* ---- progress -------------------------------------------------------------- */

typedef struct progress_state {
    int tty, shown_tenth, shown_failed;
} progress_state;

static void show_progress(const sweep_progress *p, int final, void *arg)
{
    progress_state *ps = arg;
    char t[32] = "", reused[48] = "", line[200];
    if (final || p->eta >= 0)
        progress_time(final ? p->elapsed : p->eta, t, sizeof t);
    if (p->reused)
        snprintf(reused, sizeof reused, " (%d from before)", p->reused);
    snprintf(line, sizeof line, "sweep: %d/%d done%s, %d running, %d failed, %s%s", p->done,
             p->total, reused, p->running, p->failed,
             final || p->eta >= 0 ? t : "time left unknown",
             final         ? " in all"
             : p->eta >= 0 ? " left"
                           : "");
    int tenth = p->total ? 10 * p->done / p->total : 10;
    if (ps->tty) {
        fprintf(stderr, "\r%-79s%s", line, final ? "\n" : "");
    } else if (final || (p->done < p->total &&
                         (tenth != ps->shown_tenth || p->failed != ps->shown_failed))) {
        fprintf(stderr, "blockshift: %s\n", line);
        ps->shown_tenth = tenth;
        ps->shown_failed = p->failed;
    }
}

/* ---- signals --------------------------------------------------------------- */

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void catch_signals(struct sigaction *old)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: waits return early */
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; i++)
        sigaction(sigs[i], &sa, &old[i]);
}

static void restore_signals(const struct sigaction *old)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (int i = 0; i < 3; i++)
        sigaction(sigs[i], &old[i], NULL);
}

/* ---- the steps ------------------------------------------------------------- */

/* The sweep file, checked point by point; 0 or an exit code.  With `hashes`,
 * also the hash of every run's configuration (for --resume), which costs a
 * configuration dump a run: a --slurm script does not need them. */
static int load_spec(const char *file, int sobol, sweep_spec **s, uint64_t **hashes)
{
    char *errors = NULL;
    int st = sweep_spec_load_sobol(file, sobol, s, &errors);
    if (st != BS_OK)
        return errors ? cli_report_errors(st, errors) : cli_fail(st, "%s", bs_last_error());
    if (hashes && !(*hashes = calloc((size_t)(*s)->n_runs, sizeof **hashes)))
        return cli_fail(bs_nomem("the hashes of %d runs", (*s)->n_runs), "%s", bs_last_error());
    st = sweep_config_check(*s, hashes ? *hashes : NULL, &errors);
    if (st != BS_OK)
        return errors ? cli_report_errors(st, errors) : cli_fail(st, "%s", bs_last_error());
    return 0;
}

int cli_cores(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* --summarise DIR: the files written on stdout, the tally on stderr
 * unless quiet. */
static int summarise(const char *dir, int quiet)
{
    sweep_tally t;
    int st = sweep_farm_summarise(dir, &t);
    if (st != BS_OK)
        return cli_fail(st, "%s", bs_last_error());
    printf("%s/index.h5\n%s/summary.txt\n", dir, dir);
    fflush(stdout);
    if (!quiet)
        fprintf(stderr,
                "blockshift: summarised %d runs (%d ok, %d failed, %d pending) into %s/index.h5 "
                "and %s/summary.txt\n",
                t.total, t.ok, t.failed, t.pending, dir, dir);
    return 0;
}

/* Carry the sweep out; the exit code.  *interrupted tells the MPI caller
 * that runs may still be in flight elsewhere. */
static int carry_out(const sweep_args *a, const sweep_spec *s, const uint64_t *hashes,
                     const char *dir, int *interrupted)
{
    sweep_pool *pool = NULL;
    sweep_workers w;
    int slots = a->jobs ? a->jobs : cli_cores();
#ifdef BS_WITH_MPI
    if (a->mpi)
        w = sweep_mpi_workers(&stop_flag);
    else
#endif
    {
        if (!(pool = sweep_pool_new(slots)))
            return cli_fail(bs_last_status(), "%s", bs_last_error());
        w = sweep_pool_workers(pool);
    }
    /* Runs share the cores (OMP_NUM_THREADS, when set, decides). */
    int threads = 0;
    if (!a->mpi && !getenv("OMP_NUM_THREADS"))
        threads = cli_cores() / slots > 0 ? cli_cores() / slots : 1;
    progress_state ps = {isatty(2), -1, 0};
    sweep_farm_opts o = {dir,      a->resume, threads, &stop_flag, a->quiet ? NULL : show_progress,
                         &ps,      a->first,  a->last};
    int part = a->last >= 0;
    if (!a->quiet && part)
        fprintf(stderr, "blockshift: sweep %s: runs %d-%d of 0-%d on %d worker process%s, into %s/runs\n",
                s->name, a->first, a->last, s->n_runs - 1, w.slots, w.slots == 1 ? "" : "es", dir);
    else if (!a->quiet)
        fprintf(stderr,
                "blockshift: sweep %s: %d runs (%d points x %d replications) on %d %s, into "
                "%s\n",
                s->name, s->n_runs, s->n_points, s->replications, w.slots,
                a->mpi ? (w.slots == 1 ? "MPI rank" : "MPI worker ranks")
                       : (w.slots == 1 ? "worker process" : "worker processes"),
                dir);
    if ((a->resume || part) && !a->quiet)
        fprintf(stderr, "blockshift: checking the results files already in %s/runs\n", dir);
    struct sigaction old[3];
    stop_flag = 0;
    catch_signals(old);
    sweep_tally t;
    int st = sweep_farm_run(s, hashes, &o, &w, &t);
    restore_signals(old);
    sweep_pool_free(pool);
    *interrupted = t.interrupted;
    if (st != BS_OK)
        return cli_fail(st, "%s", bs_last_error());
    if (t.interrupted && part) {
        fprintf(stderr, "blockshift: interrupted: %d of runs %d-%d done; run the chunk again "
                        "to continue it\n", t.ok + t.failed, a->first, a->last);
        return 1;
    }
    if (t.interrupted) {
        fprintf(stderr,
                "blockshift: interrupted: %d of %d runs done; the index is in %s/index.h5.\n"
                "blockshift: continue with: blockshift sweep %s -o %s --resume\n",
                t.ok + t.failed, t.total, dir, a->file, dir);
        return 1;
    }
    if (t.failed && part) {
        fprintf(stderr, "blockshift: %d of runs %d-%d failed; the gathering --resume runs them "
                        "again\n", t.failed, a->first, a->last);
        if (t.first_error[0])
            fprintf(stderr, "blockshift: the first failure: %s\n", t.first_error);
        return 1;
    }
    if (t.failed) {
        fprintf(stderr,
                "blockshift: %d of %d runs failed (their errors are in the error column of "
                "%s/index.h5); --resume runs them again\n",
                t.failed, t.total, dir);
        if (t.first_error[0])
            fprintf(stderr, "blockshift: the first failure: %s\n", t.first_error);
        return 1;
    }
    if (part) {
        if (!a->quiet)
            fprintf(stderr, "blockshift: runs %d-%d done (%d from before) in %s/runs; when every "
                            "chunk is done, --resume gathers them into the index\n",
                    a->first, a->last, t.reused, dir);
        return 0;
    }
    if (!a->quiet)
        fprintf(stderr, "blockshift: sweep done: %d runs ok (%d from before)\n", t.ok, t.reused);
    printf("%s/index.h5\n%s/summary.txt\n", dir, dir); /* what was written, for scripts */
    return 0;
}

static int sweep_main(int argc, char **argv, int *interrupted)
{
    sweep_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc;
    if (a.summarise)
        return summarise(a.summarise, a.quiet);
    sweep_spec *s = NULL;
    uint64_t *hashes = NULL;
    char dir[PATH_MAX];
    if ((rc = load_spec(a.file, a.sobol, &s, a.slurm ? NULL : &hashes)) != 0)
        goto done;
    if (a.out_dir)
        snprintf(dir, sizeof dir, "%s", a.out_dir);
    else
        snprintf(dir, sizeof dir, "results/sweeps/%s", s->name);
    if (a.last >= s->n_runs) {
        rc = cli_fail(BS_EINPUT, "sweep: --runs %d-%d: the sweep has runs 0-%d", a.first, a.last,
                      s->n_runs - 1);
        goto done;
    }
    if (!a.slurm && !a.resume && a.last < 0 && sweep_farm_exists(dir)) {
        int lock = fsutil_lock(dir, "sweep"); /* a sweep at work there is said so (exit 1) */
        if (lock < 0) {
            rc = cli_fail(lock, "%s", bs_last_error());
            goto done;
        }
        close(lock);
        rc = cli_fail(BS_EINPUT,
                      "%s already holds a sweep (index.h5): --resume continues it, or choose "
                      "another folder with -o",
                      dir);
        goto done;
    }
    if (a.slurm && (rc = sweep_slurm_unfit_dir(dir)) != 0) /* before making it */
        goto done;
    int st = fsutil_make_dirs(dir);
    if (st != BS_OK) {
        rc = cli_fail(st, "%s", bs_last_error());
        goto done;
    }
    a.so.quiet = a.quiet;
    rc = a.slurm ? sweep_slurm_write(s, a.file, dir, &a.so)
                 : carry_out(&a, s, hashes, dir, interrupted);
done:
    sweep_spec_free(s);
    free(hashes);
    return rc;
}

int cmd_sweep(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(sweep_usage, stdout);
        return 0;
    }
    int mpi = 0, rank = 0, size = 1, interrupted = 0;
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        mpi |= strcmp(argv[i], "--mpi") == 0;
#ifndef BS_WITH_MPI
    if (mpi)
        return cli_fail(BS_EINPUT, "sweep --mpi: this build has no MPI (it was configured "
                                   "--without-mpi); use -j N, or rebuild with ./waf configure");
    (void)rank;
    (void)size;
#else
    if (mpi) {
        if (sweep_mpi_init(&rank, &size) != BS_OK)
            return cli_fail(BS_ERUNTIME, "%s", bs_last_error());
        if (rank > 0)
            return sweep_mpi_worker();
    }
#endif
    int rc = sweep_main(argc, argv, &interrupted);
#ifdef BS_WITH_MPI
    if (mpi)
        sweep_mpi_finish(interrupted, rc);
#endif
    return rc;
}
