/* sweep_farm: carrying out a sweep: hand the runs out to workers as they
 * come free (a task farm: long and short runs balance themselves), record
 * each report, and keep the sweep folder's index.h5 up to date.
 *
 * The workers are anything that can start a job and wait for reports:
 * local processes (sweep_pool.h) or MPI ranks (models/cli/sweep_mpi.c).
 * Whatever the workers, the folder ends up the same: every run's results
 * file depends only on the sweep file and the run's number, and the index
 * is built from the sweep file and the reports, in the order of the runs.
 *
 * The sweep folder DIR:
 *   DIR/runs/run-00042.h5   run 42's results (results.h: written under a
 *                           temporary name, renamed when complete)
 *   DIR/index.h5            every run's parameters, seed, status, numbers;
 *                           and the summaries per point (sweep_index.h)
 *   DIR/summary.txt         the summaries as a plain table for gnuplot
 *   DIR/.lock               held while a sweep runs in the folder
 *
 * Resuming: a run whose results file is complete and whose /config/text
 * hashes to the run's configuration hash (sweep_config.h) is not run again;
 * every other run is.  Interrupted (the `stop` flag), the farm stops the runs
 * in flight, records them as pending, writes the index and returns.
 */
#ifndef BS_SWEEP_FARM_H
#define BS_SWEEP_FARM_H

#include "sweep/sweep_job.h"
#include "sweep/sweep_spec.h"

#include <signal.h>
#include <stdint.h>

typedef struct sweep_workers {
    void *ctx;
    int slots; /* runs that can be in flight at once */
    /* Start a job on a free worker (the job's memory is the caller's again
     * on return).  BS_OK, or a status with a message. */
    int (*start)(void *ctx, const sweep_job *j);
    /* Wait up to timeout_ms for a report: 1 with *r filled, 0 if none came
     * (or a signal arrived), or a negative status with a message. */
    int (*wait)(void *ctx, int timeout_ms, sweep_report *r);
    /* Stop every run in flight at once (their reports never come). */
    void (*cancel)(void *ctx);
} sweep_workers;

typedef struct sweep_progress {
    int total; /* runs in the sweep */
    int done;  /* finished, ok or failed, this time or before (reused) */
    int running, failed, reused;
    double elapsed; /* seconds since the farm started handing out runs */
    double eta;     /* seconds left, estimated; < 0 before any run ended */
} sweep_progress;

typedef struct sweep_farm_opts {
    const char *dir;             /* the sweep folder (created if missing) */
    int resume;                  /* reuse complete results; else the folder must hold no sweep */
    int threads;                 /* OpenMP threads per run (0: as the environment says) */
    volatile sig_atomic_t *stop; /* set (by a signal handler) to interrupt; may be NULL */
    void (*progress)(const sweep_progress *p, int final, void *arg); /* may be NULL */
    void *arg;
    /* Only runs first..last (a chunk of a Slurm job array, sweep_slurm.h):
     * their results files, reusing complete ones as --resume does, and no
     * index, no lock and no clean-up of the folder (other chunks work in it
     * at the same time); a later --resume of the whole sweep gathers them.
     * last < 0: every run, with the index. */
    int first, last;
} sweep_farm_opts;

typedef struct sweep_tally {
    int total, ok, failed, pending, reused;
    int interrupted;
    char first_error[512]; /* the first failed run's error ("" if none) */
} sweep_tally;

/* Whether `dir` already holds a sweep (an index.h5). */
int sweep_farm_exists(const char *dir);

/* Carry out the sweep.  hashes[k]: run k's configuration hash
 * (sweep_config_check).  Returns BS_OK when every run was handed out and
 * reported (some may have failed: see *t), or after an interruption
 * (t->interrupted); BS_EINPUT if the folder cannot be used or a number to
 * collect is not in the runs' results (the runs in flight are finished and
 * recorded first); BS_ERUNTIME if the index cannot be written. */
int sweep_farm_run(const sweep_spec *s, const uint64_t *hashes, const sweep_farm_opts *o,
                   const sweep_workers *w, sweep_tally *t);

/* Summarise the sweep in `dir` again from its index.h5 (after the runs, or
 * of a sweep in progress): /points and summary.txt. */
int sweep_farm_summarise(const char *dir, sweep_tally *t);

#endif
