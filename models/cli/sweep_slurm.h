/* sweep_slurm: blockshift sweep --slurm, a Slurm batch script for a sweep.
 *
 * Two forms:
 *   - an MPI task farm (sweep_mpi.h): --ntasks worker ranks, each doing one
 *     run at a time, and the coordinator as one extra rank beside them
 *     (mpirun --oversubscribe): it only hands runs out and sleeps between
 *     polls, so it does not take a task of the allocation;
 *   - a job array (--slurm-array): --ntasks array tasks, each of one core,
 *     doing its chunk of consecutive runs (sweep --runs A-B) into the same
 *     folder; `sweep --resume` afterwards finds every finished run and
 *     writes the index (nothing is run again).
 * Either way each run's results file depends only on the sweep file and the
 * run's number, so the folder ends up the same whatever the tasks or chunks.
 *
 * Defaults are sized from the sweep and said in the script's comments:
 * tasks = min(runs, 64); the time limit from the longest run of an index
 * already in the folder, else from an assumed time a run (SLURM_RUN_MINUTES).
 */
#ifndef BS_SWEEP_SLURM_H
#define BS_SWEEP_SLURM_H

#include "sweep/sweep_spec.h"

typedef struct sweep_slurm_opts {
    int nodes;                /* 0: not set (Slurm places the tasks) */
    int ntasks;               /* 0: min(runs, 64) */
    const char *time;         /* NULL: estimated */
    const char *partition;    /* NULL: not set */
    const char *account;      /* NULL: not set */
    int array;                /* --slurm-array */
    int given;                /* some option above was given */
    int quiet;                /* --quiet: no message (the script's path on stdout) */
} sweep_slurm_opts;

/* The options, by long name ("nodes", "ntasks", "time", "partition",
 * "account") with their value, checked: 0, or exit code 2 after a message
 * naming the option and the value. */
int sweep_slurm_option(sweep_slurm_opts *o, const char *name, const char *value);

/* Whether the options fit together and with the sweep (e.g. --nodes with
 * --slurm-array, more nodes than tasks): 0, or exit code 2. */
int sweep_slurm_check(const sweep_slurm_opts *o);

/* A folder the batch script cannot name faithfully (a control character,
 * a backslash): exit code 2 after a message; else 0. */
int sweep_slurm_unfit_dir(const char *dir);

/* Write DIR/sweep.sbatch (atomically, executable) for the sweep `s` read
 * from `file`; print its path on stdout.  0, or an exit code. */
int sweep_slurm_write(const sweep_spec *s, const char *file, const char *dir,
                      const sweep_slurm_opts *o);

#endif
