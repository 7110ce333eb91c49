/* sweep_slurm: the batch script of blockshift sweep --slurm (see
 * sweep_slurm.h).
 *
 * Every string of the script comes from here or from a user: paths go into
 * the shell part in single quotes (quote_sh), values of #SBATCH lines in
 * sbatch's own quoting (put_sbatch); the partition, account and time are
 * also checked against what Slurm accepts, so that a typo is exit 2 here
 * rather than a job that sbatch refuses. */
#define _GNU_SOURCE
#include "cli/sweep_slurm.h"

#include "cli/cli.h"

#include "base/atomic.h"
#include "base/quote.h"
#include "base/status.h"
#include "sweep/sweep_index.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SLURM_MAX_TASKS 64 /* default tasks: min(runs, this): a modest share of a cluster */
/* Minutes a run is assumed to take when the folder has no index with
 * measured runs: an assumption, on the long side on purpose.  A default run
 * took 10.5 s wall (10^5 agents, 243 days, 2 cores, README "Sweeps"), and
 * bench/RESULTS.md measures 30 s of daily steps for 10^7 agents over 60 days
 * on one core (before the second behaviour model, which takes 1.6-1.8 times
 * the CPU): roughly 10 min for the 608 days of the Russian timeline,
 * extrapolated; 30 min leaves room for slower
 * cluster cores and larger populations.  A job killed by its limit is
 * resumed by submitting it again; a sweep run once (or in part) in the
 * folder gives the measured time instead. */
#define SLURM_RUN_MINUTES 30.0
#define SLURM_MARGIN 1.5 /* times the estimate: runs vary, cluster cores differ */
#define SLURM_MIN_MINUTES 10

/* ---- options ---------------------------------------------------------------- */

static int parse_count(const char *name, const char *v, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < lo || n > hi) {
        char shown[256];
        return cli_fail(BS_EINPUT, "sweep: --%s %s is not a whole number in %d..%d", name,
                        quote_print(shown, sizeof shown, v), lo, hi);
    }
    *out = (int)n;
    return 0;
}

/* Digits only, at least one, at most `max` of them; their value in *n. */
static int digits(const char *s, size_t len, size_t max, long *n)
{
    if (len == 0 || len > max)
        return 0;
    *n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        *n = *n * 10 + (s[i] - '0');
    }
    return 1;
}

/* Slurm's time forms that this accepts: MINUTES, HH:MM:SS, D-HH:MM:SS
 * (minutes and seconds below 60, hours below 24 after a day count), not 0. */
static int valid_time(const char *t)
{
    long d = 0, h, m, s;
    const char *dash = strchr(t, '-');
    if (!strchr(t, ':'))
        return !dash && digits(t, strlen(t), 7, &m) && m > 0;
    if (dash) {
        if (!digits(t, (size_t)(dash - t), 3, &d))
            return 0;
        t = dash + 1;
    }
    const char *c1 = strchr(t, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c1 || !c2 || strchr(c2 + 1, ':'))
        return 0;
    if (!digits(t, (size_t)(c1 - t), dash ? 2 : 5, &h) ||
        !digits(c1 + 1, (size_t)(c2 - c1 - 1), 2, &m) || !digits(c2 + 1, strlen(c2 + 1), 2, &s))
        return 0;
    return m < 60 && s < 60 && (!dash || h < 24) && d * 86400 + h * 3600 + m * 60 + s > 0;
}

/* A partition or account name as Slurm names them: letters, digits, '_',
 * '-', '.', and (partitions: a list) ','; at most 64 bytes. */
static int valid_name(const char *v, int list)
{
    size_t n = strlen(v);
    if (n == 0 || n > 64)
        return 0;
    for (const char *p = v; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-' || *p == '.' || (list && *p == ',')))
            return 0;
    return 1;
}

int sweep_slurm_option(sweep_slurm_opts *o, const char *name, const char *value)
{
    char shown[256];
    o->given = 1;
    if (strcmp(name, "nodes") == 0)
        return parse_count(name, value, 1, 100000, &o->nodes);
    if (strcmp(name, "ntasks") == 0)
        return parse_count(name, value, 1, 1000000, &o->ntasks);
    quote_print(shown, sizeof shown, value);
    if (strcmp(name, "time") == 0) {
        if (!valid_time(value))
            return cli_fail(BS_EINPUT,
                            "sweep: --time %s is not a time limit: give MINUTES, HH:MM:SS or "
                            "D-HH:MM:SS (more than 0; minutes and seconds below 60)",
                            shown);
        o->time = value;
        return 0;
    }
    int list = strcmp(name, "partition") == 0;
    if (!valid_name(value, list))
        return cli_fail(BS_EINPUT,
                        "sweep: --%s %s is not a Slurm %s name: letters, digits, '_', '-', "
                        "'.'%s, at most 64 (no blanks or newlines)",
                        name, shown, name, list ? ", ',' between partitions" : "");
    *(list ? &o->partition : &o->account) = value;
    return 0;
}

int sweep_slurm_check(const sweep_slurm_opts *o)
{
    if (o->array && o->nodes)
        return cli_fail(BS_EINPUT, "sweep: --slurm-array runs each chunk on one core of one "
                                   "machine: it takes no --nodes (--ntasks sets the chunks)");
    if (o->nodes && o->ntasks && o->nodes > o->ntasks)
        return cli_fail(BS_EINPUT, "sweep: --nodes %d is more than --ntasks %d: every machine "
                                   "needs one task at least",
                        o->nodes, o->ntasks);
    return 0;
}

int sweep_slurm_unfit_dir(const char *dir)
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

/* ---- sizing ----------------------------------------------------------------- */

/* The longest ok run of DIR/index.h5 (an earlier or partial sweep there),
 * in seconds; -1 when there is none. */
static double measured_run_seconds(const char *dir)
{
    results_table *runs = NULL;
    char *name = NULL, *text = NULL;
    sweep_layout l;
    double longest = -1;
    if (sweep_index_read(dir, &runs, &name, &text) == BS_OK &&
        sweep_index_layout(runs, dir, &l) == BS_OK) {
        const double *w = runs->cols[l.wall_seconds].data;
        char *const *status = runs->cols[l.status].data;
        for (int r = 0; r < runs->n_rows; r++)
            if (strcmp(status[r], "ok") == 0 && isfinite(w[r]) && w[r] > longest)
                longest = w[r];
    }
    bs_clear_error();
    results_table_free(runs);
    free(name);
    free(text);
    return longest;
}

typedef struct sizing {
    int tasks;          /* MPI worker ranks, or array tasks */
    int chunk;          /* array: runs per task */
    char time[32];      /* the --time value */
    char why[200];      /* where the time comes from, for a comment */
} sizing;

static void size_job(const sweep_spec *s, const char *dir, const sweep_slurm_opts *o, sizing *z)
{
    int runs = s->n_runs > 0 ? s->n_runs : 1;
    z->tasks = o->ntasks ? o->ntasks : (runs < SLURM_MAX_TASKS ? runs : SLURM_MAX_TASKS);
    if (z->tasks > runs)
        z->tasks = runs; /* a task without a run is wasted */
    int waves = (runs + z->tasks - 1) / z->tasks;
    z->chunk = waves;
    if (o->array)
        z->tasks = (runs + z->chunk - 1) / z->chunk; /* no empty chunk */
    if (o->time) {
        snprintf(z->time, sizeof z->time, "%s", o->time);
        snprintf(z->why, sizeof z->why, "as given (--time)");
        return;
    }
    double run_s = measured_run_seconds(dir);
    if (run_s > 0)
        snprintf(z->why, sizeof z->why,
                 "%d run(s) a task x %.0f s (the longest run in index.h5) x %.1f margin", waves,
                 run_s, SLURM_MARGIN);
    else {
        run_s = 60 * SLURM_RUN_MINUTES;
        snprintf(z->why, sizeof z->why,
                 "%d run(s) a task x %.0f min a run (an assumption: no measured run here) x "
                 "%.1f margin",
                 waves, SLURM_RUN_MINUTES, SLURM_MARGIN);
    }
    long minutes = (long)ceil(waves * run_s * SLURM_MARGIN / 60.0);
    if (minutes < SLURM_MIN_MINUTES)
        minutes = SLURM_MIN_MINUTES;
    if (minutes >= 24 * 60)
        snprintf(z->time, sizeof z->time, "%ld-%02ld:%02ld:00", minutes / 1440,
                 minutes / 60 % 24, minutes % 60);
    else
        snprintf(z->time, sizeof z->time, "%02ld:%02ld:00", minutes / 60, minutes % 60);
}

/* ---- writing ---------------------------------------------------------------- */

/* A shell word in single quotes (quote_sh); 0, or -1 if out of memory. */
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
 * (checked before). */
static void put_sbatch(FILE *f, const char *opt, const char *s, int pattern, const char *tail)
{
    fprintf(f, "#SBATCH --%s=\"", opt);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        if (*s == '%' && pattern)
            fputc('%', f);
        fputc(*s, f);
    }
    fprintf(f, "%s\"%s\n", pattern ? tail : "", pattern ? "" : tail);
}

/* BIN sweep FILE -o DIR [--sobol N], every path quoted; nonzero if out of memory. */
static int put_command(FILE *f, const sweep_spec *s, const char *self, const char *afile,
                       const char *adir)
{
    int bad = put_quoted(f, self) != 0;
    fputs(" sweep ", f);
    bad |= put_quoted(f, afile) != 0;
    fputs(" -o ", f);
    bad |= put_quoted(f, adir) != 0;
    if (s->sobol_option)
        fprintf(f, " --sobol %d", s->sobol_option);
    return bad;
}

static void put_directives(FILE *f, const sweep_spec *s, const char *dir,
                           const sweep_slurm_opts *o, const sizing *z)
{
    char job[SWEEP_NAME_SIZE + 8];
    snprintf(job, sizeof job, "bs-%s", s->name);
    put_sbatch(f, "job-name", job, 0, "");
    if (o->array) {
        fprintf(f, "#SBATCH --array=0-%d          # %d chunks of at most %d run(s), one core each\n",
                z->tasks - 1, z->tasks, z->chunk);
        fputs("#SBATCH --nodes=1\n#SBATCH --ntasks=1\n", f);
    } else {
        fprintf(f, "#SBATCH --ntasks=%d             # worker ranks, one run each at a time%s\n",
                z->tasks, o->ntasks ? "" : " (min(runs, 64))");
        if (o->nodes)
            fprintf(f, "#SBATCH --nodes=%d\n", o->nodes);
    }
    fputs("#SBATCH --cpus-per-task=1\n"
          "#SBATCH --mem-per-cpu=2G        # memory of one run (10^5 agents: well under 1G)\n",
          f);
    fprintf(f, "#SBATCH --time=%s         # wall-time limit: %s\n", z->time, z->why);
    put_sbatch(f, "output", dir, 1, o->array ? "/slurm-%A_%a.out" : "/slurm-%j.out");
    if (o->partition)
        put_sbatch(f, "partition", o->partition, 0, "");
    else
        fputs("##SBATCH --partition=PARTITION  # or --partition P on the command line\n", f);
    if (o->account)
        put_sbatch(f, "account", o->account, 0, "");
    else
        fputs("##SBATCH --account=ACCOUNT      # or --account A on the command line\n", f);
}

/* The shell part; nonzero if a quoted path did not fit in memory. */
static int put_body(FILE *f, const sweep_spec *s, const char *cwd, const char *self,
                    const char *afile, const char *adir, const sweep_slurm_opts *o,
                    const sizing *z)
{
    fputs("\n"
          "set -euo pipefail\n"
          "# module load openmpi            # if your cluster provides MPI as a module\n"
          "export OMP_NUM_THREADS=1\n"
          "cd ",
          f);
    int bad = put_quoted(f, cwd) != 0;
    if (o->array) {
        fprintf(f,
                "\n# This task's chunk: runs first..last of 0..%d.\n"
                "first=$((${SLURM_ARRAY_TASK_ID:-0} * %d))\n"
                "last=$((first + %d > %d ? %d : first + %d))\n",
                s->n_runs - 1, z->chunk, z->chunk - 1, s->n_runs - 1, s->n_runs - 1,
                z->chunk - 1);
        bad |= put_command(f, s, self, afile, adir);
        fputs(" --runs \"$first-$last\" -j 1\n", f);
        return bad;
    }
    fputs("\n# The coordinator (rank 0) hands the runs out and sleeps between polls: it\n"
          "# runs beside the worker ranks (one more rank, --oversubscribe), not on a task\n"
          "# of its own.  mpirun refuses root unless told: told only when this is root.\n"
          "as_root=()\n"
          "if [ \"$EUID\" -eq 0 ]; then as_root=(--allow-run-as-root); fi\n",
          f);
    fprintf(f,
            "mpirun \"${as_root[@]}\" --oversubscribe --bind-to none "
            "-np \"$((${SLURM_NTASKS:-%d} + 1))\" ",
            z->tasks);
    bad |= put_command(f, s, self, afile, adir);
    fputs(" --mpi --resume\n", f);
    return bad;
}

int sweep_slurm_write(const sweep_spec *s, const char *file, const char *dir,
                      const sweep_slurm_opts *o)
{
    char script[PATH_MAX + 64], self[PATH_MAX], cwd[PATH_MAX];
    char *adir = realpath(dir, NULL), *afile = realpath(file, NULL), *qscript = NULL;
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    int rc = 0;
    if (!adir || !afile || n <= 0 || !getcwd(cwd, sizeof cwd)) {
        rc = cli_fail(BS_ERUNTIME, "sweep --slurm: cannot find the absolute paths: %s",
                      strerror(errno));
        goto done;
    }
    self[n] = '\0';
    if ((rc = sweep_slurm_unfit_dir(adir)) != 0) /* the absolute path too */
        goto done;
    sizing z;
    size_job(s, adir, o, &z);
    snprintf(script, sizeof script, "%s/sweep.sbatch", adir);
    atomic_signals(); /* an interrupt removes the temporary */
    atomic_clean(adir); /* the temporaries of killed --slurm and sweeps */
    atomic_file *af = atomic_open(script);
    if (!af) {
        rc = cli_fail(bs_last_status(), "%s", bs_last_error());
        goto done;
    }
    FILE *f = atomic_stream(af);
    qscript = malloc(QUOTE_ROOM(strlen(script))); /* for a command to copy */
    if (!qscript || quote_sh(qscript, QUOTE_ROOM(strlen(script)), script) != 0) {
        atomic_abort(af);
        rc = cli_fail(BS_ENOMEM, "%s: out of memory for its quoted name", script);
        goto done;
    }
    if (o->array)
        fprintf(f,
                "#!/bin/bash\n"
                "# blockshift sweep %s (%d runs) as a Slurm job array: each array task does\n"
                "# its chunk of consecutive runs into runs/.  Submit:  sbatch %s\n"
                "# When every task has ended, gather the runs into index.h5 and summary.txt\n"
                "# (nothing runs again):  blockshift sweep SWEEP -o DIR --resume\n"
                "# (the command is printed when this script is written).  A task stopped by\n"
                "# its time limit: submit again; finished runs are kept.\n",
                s->name, s->n_runs, qscript);
    else
        fprintf(f,
                "#!/bin/bash\n"
                "# blockshift sweep %s (%d runs) as an MPI task farm under Slurm: rank 0 hands\n"
                "# the runs out, every other rank does them, one run per rank and core.\n"
                "# Submit:  sbatch %s\n"
                "# Stopped by the time limit or a failure?  Submit it again: --resume keeps\n"
                "# every finished run.\n",
                s->name, s->n_runs, qscript);
    put_directives(f, s, adir, o, &z);
    if (put_body(f, s, cwd, self, afile, adir, o, &z) != 0) {
        atomic_abort(af);
        rc = cli_fail(BS_ENOMEM, "out of memory: the quoted paths of %s", script);
        goto done;
    }
    if (fchmod(fileno(f), 0755) != 0) {
        int e = errno;
        atomic_abort(af);
        rc = cli_fail(BS_ERUNTIME, "%s: cannot make it executable (%s)", script, strerror(e));
        goto done;
    }
    if (atomic_commit(af) != BS_OK) { /* every write checked, then renamed into place */
        rc = cli_fail(BS_ERUNTIME, "%s", bs_last_error());
        goto done;
    }
    printf("%s\n", script);
    fflush(stdout);
    if (!o->quiet)
        fprintf(stderr, "blockshift: wrote %s (%d %s, time limit %s); submit it: sbatch %s\n",
                script, z.tasks, o->array ? "array tasks" : "worker ranks", z.time, qscript);
    if (o->array && !o->quiet) {
        fputs("blockshift: when every array task has ended, gather the runs: ", stderr);
        int bad = put_command(stderr, s, self, afile, adir);
        fprintf(stderr, "%s --resume\n", bad ? " (out of memory)" : "");
    }
done:
    free(qscript);
    free(adir);
    free(afile);
    return rc;
}
