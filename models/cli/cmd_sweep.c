/* blockshift sweep: read the arguments and the sweep file, check every
 * parameter point, then either write a Slurm script, or carry the sweep out
 * on local worker processes or MPI ranks (sweep_farm.h) with a progress
 * line; or summarise a sweep folder again. */
#define _GNU_SOURCE
#include "cli/cli.h"

#include "base/atomic.h"
#include "base/fsutil.h"
#include "base/quote.h"
#include "base/status.h"
#include "sweep/sweep_config.h"
#include "sweep/sweep_farm.h"
#include "cli/sweep_mpi.h"
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
    "       blockshift sweep SWEEP --slurm [-o DIR]\n"
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
    "                   sweep with --mpi --resume; edit its #SBATCH lines, then sbatch it\n"
    "  --summarise DIR  recompute the summaries of DIR (also done at the end of a sweep)\n"
    "  --quiet          no progress\n"
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
} sweep_args;

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
        if (a->file || a->out_dir || a->jobs || a->mpi || a->resume || a->slurm || a->sobol)
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
    return 0;
}

/* ---- progress -------------------------------------------------------------- */

typedef struct progress_state {
    int tty, shown_tenth, shown_failed;
} progress_state;

static void fmt_time(double s, char *buf, size_t n)
{
    long t = (long)(s + 0.5);
    if (t < 60)
        snprintf(buf, n, "%lds", t);
    else if (t < 3600)
        snprintf(buf, n, "%ldm%02lds", t / 60, t % 60);
    else
        snprintf(buf, n, "%ldh%02ldm", t / 3600, t / 60 % 60);
}

static void show_progress(const sweep_progress *p, int final, void *arg)
{
    progress_state *ps = arg;
    char t[32] = "", reused[48] = "", line[200];
    if (final || p->eta >= 0)
        fmt_time(final ? p->elapsed : p->eta, t, sizeof t);
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

/* A path for a shell script, in single quotes (quote_sh); 0, or -1 if too long. */
static int put_quoted(FILE *f, const char *s)
{
    size_t cap = QUOTE_ROOM(strlen(s));
    char *q = malloc(cap);
    int rc = q ? quote_sh(q, cap, s) : -1;
    if (rc == 0)
        fputs(q, f);
    free(q);
    return rc;
}

/* A value of an #SBATCH line, as sbatch reads those (src/sbatch/opt.c,
 * _get_argument: blanks end a word, '#' starts a comment, quotes group, '\'
 * takes the next character as it is): in double quotes with '"' and '\'
 * escaped; with `pattern`, '%' doubled ('%%' is '%' in Slurm's file name
 * patterns, where %j is the job).  The text holds no control character
 * (write_slurm refuses those). */
static void put_sbatch(FILE *f, const char *s, int pattern)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        if (*s == '%' && pattern)
            fputc('%', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* A folder the batch script cannot name faithfully: a control character
 * would end the #SBATCH and comment lines and start a line of its own; a
 * '\' turns Slurm's file name patterns off (--output's %j would stay %j). */
static int unfit_for_slurm(const char *dir)
{
    if (!quote_has_control(dir) && !strchr(dir, '\\'))
        return 0;
    char shown[QUOTE_ROOM(PATH_MAX)];
    return cli_fail(BS_EINPUT,
                    "sweep --slurm: the output folder %s holds a control character (a newline?) "
                    "or a backslash: it would break the batch script's #SBATCH lines; choose "
                    "another with -o",
                    quote_print(shown, sizeof shown, dir));
}

/* DIR/sweep.sbatch, written to a unique temporary and renamed into place
 * when complete (base/atomic.h): a full disk or a kill leaves no half
 * script, and two --slurm into one folder both succeed. */
static int write_slurm(const sweep_spec *s, const char *file, const char *dir)
{
    char script[PATH_MAX + 64], self[PATH_MAX], cwd[PATH_MAX];
    char *adir = realpath(dir, NULL), *afile = realpath(file, NULL);
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    int rc = 0;
    if (!adir || !afile || n <= 0 || !getcwd(cwd, sizeof cwd)) {
        rc = cli_fail(BS_ERUNTIME, "sweep --slurm: cannot find the absolute paths: %s",
                      strerror(errno));
        goto done;
    }
    self[n] = '\0';
    if ((rc = unfit_for_slurm(adir)) != 0) /* the absolute path too */
        goto done;
    snprintf(script, sizeof script, "%s/sweep.sbatch", adir);
    atomic_signals(); /* an interrupt removes the temporary */
    atomic_clean(adir); /* the temporaries of killed --slurm and sweeps */
    atomic_file *af = atomic_open(script);
    if (!af) {
        rc = cli_fail(bs_last_status(), "%s", bs_last_error());
        goto done;
    }
    FILE *f = atomic_stream(af);
    char *qscript = malloc(QUOTE_ROOM(strlen(script))); /* for a command to copy */
    if (!qscript || quote_sh(qscript, QUOTE_ROOM(strlen(script)), script) != 0) {
        free(qscript);
        atomic_abort(af);
        rc = cli_fail(bs_nomem("the quoted name of %s", script), "%s", bs_last_error());
        goto done;
    }
    fprintf(f,
            "#!/bin/bash\n"
            "# blockshift sweep %s (%d runs) as an MPI task farm under Slurm: rank 0 hands\n"
            "# the runs out, every other rank does them, one run per rank and core.\n"
            "# Edit the #SBATCH lines for your cluster, then submit:  sbatch %s\n"
            "# Stopped by the time limit or a failure?  Submit it again: --resume keeps\n"
            "# every finished run.\n"
            "#SBATCH --job-name=",
            s->name, s->n_runs, qscript);
    char job[SWEEP_NAME_SIZE + 8];
    snprintf(job, sizeof job, "bs-%s", s->name);
    put_sbatch(f, job, 0);
    fputs("\n"
          "#SBATCH --nodes=2               # machines\n"
          "#SBATCH --ntasks-per-node=32    # MPI ranks per machine: one per core\n"
          "#SBATCH --cpus-per-task=1\n"
          "#SBATCH --mem-per-cpu=2G        # memory of one run (10^5 agents: well under 1G)\n"
          "#SBATCH --time=04:00:00         # wall-time limit\n"
          "#SBATCH --output=",
          f);
    put_sbatch(f, adir, 1);
    fputs("/slurm-%j.out\n"
          "##SBATCH --partition=PARTITION  # remove one '#' to use these\n"
          "##SBATCH --account=ACCOUNT\n"
          "\n"
          "set -euo pipefail\n"
          "# module load openmpi            # if your cluster provides MPI as a module\n"
          "export OMP_NUM_THREADS=1\n"
          "cd ",
          f);
    int bad = put_quoted(f, cwd) != 0;
    fputs("\nmpirun ", f);
    bad |= put_quoted(f, self) != 0;
    fputs(" sweep ", f);
    bad |= put_quoted(f, afile) != 0;
    fputs(" -o ", f);
    bad |= put_quoted(f, adir) != 0;
    if (s->sobol_option)
        fprintf(f, " --sobol %d", s->sobol_option);
    fputs(" --mpi --resume\n", f);
    if (bad) {
        free(qscript);
        atomic_abort(af);
        rc = cli_fail(bs_nomem("the quoted paths of %s", script), "%s", bs_last_error());
        goto done;
    }
    if (fchmod(fileno(f), 0755) != 0) {
        int e = errno;
        free(qscript);
        atomic_abort(af);
        rc = cli_fail(BS_ERUNTIME, "%s: cannot make it executable (%s)", script, strerror(e));
        goto done;
    }
    if (atomic_commit(af) != BS_OK) { /* every write checked, then renamed into place */
        free(qscript);
        rc = cli_fail(BS_ERUNTIME, "%s", bs_last_error());
        goto done;
    }
    fprintf(stderr,
            "blockshift: wrote %s\n"
            "blockshift: edit its #SBATCH lines (machines, ranks, memory, time), then: sbatch %s\n",
            script, qscript);
    free(qscript);
done:
    free(adir);
    free(afile);
    return rc;
}

int cli_cores(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static int summarise(const char *dir)
{
    sweep_tally t;
    int st = sweep_farm_summarise(dir, &t);
    if (st != BS_OK)
        return cli_fail(st, "%s", bs_last_error());
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
    sweep_farm_opts o = {dir, a->resume, threads, &stop_flag, a->quiet ? NULL : show_progress, &ps};
    if (!a->quiet)
        fprintf(stderr,
                "blockshift: sweep %s: %d runs (%d points x %d replications) on %d %s, into "
                "%s\n",
                s->name, s->n_runs, s->n_points, s->replications, w.slots,
                a->mpi ? (w.slots == 1 ? "MPI rank" : "MPI worker ranks")
                       : (w.slots == 1 ? "worker process" : "worker processes"),
                dir);
    if (a->resume && !a->quiet)
        fprintf(stderr, "blockshift: --resume: checking the results files already in %s/runs\n",
                dir);
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
    if (t.interrupted) {
        fprintf(stderr,
                "blockshift: interrupted: %d of %d runs done; the index is in %s/index.h5.\n"
                "blockshift: continue with: blockshift sweep %s -o %s --resume\n",
                t.ok + t.failed, t.total, dir, a->file, dir);
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
    if (!a->quiet)
        fprintf(stderr,
                "blockshift: sweep done: %d runs ok (%d from before); %s/index.h5, "
                "%s/summary.txt\n",
                t.ok, t.reused, dir, dir);
    return 0;
}

static int sweep_main(int argc, char **argv, int *interrupted)
{
    sweep_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc;
    if (a.summarise)
        return summarise(a.summarise);
    sweep_spec *s = NULL;
    uint64_t *hashes = NULL;
    char dir[PATH_MAX];
    if ((rc = load_spec(a.file, a.sobol, &s, a.slurm ? NULL : &hashes)) != 0)
        goto done;
    if (a.out_dir)
        snprintf(dir, sizeof dir, "%s", a.out_dir);
    else
        snprintf(dir, sizeof dir, "results/sweeps/%s", s->name);
    if (!a.slurm && !a.resume && sweep_farm_exists(dir)) {
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
    if (a.slurm && (rc = unfit_for_slurm(dir)) != 0) /* before making it */
        goto done;
    int st = fsutil_make_dirs(dir);
    if (st != BS_OK) {
        rc = cli_fail(st, "%s", bs_last_error());
        goto done;
    }
    rc = a.slurm ? write_slurm(s, a.file, dir) : carry_out(&a, s, hashes, dir, interrupted);
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
