/* calib_run: the runs of `blockshift calibrate` and `blockshift validate`:
 * parameter points of a calibration file or validation case (calib_spec.h),
 * each replicated, carried out on the sweep's workers (local processes,
 * sweep_pool.h, or MPI ranks, sweep_mpi.h), each run's results read back
 * through obs_map.h into one number per observation, then deleted.
 *
 * Run r of point first + i of generation g has the seed
 * calib_spec_seed(s, g, first + i, r) and run number r, whichever worker
 * does it, so the numbers are the same for any -j or number of ranks. */
#ifndef BS_CALIB_RUN_H
#define BS_CALIB_RUN_H

#include "cli/calib_spec.h"
#include "sweep/sweep_farm.h"

#include <signal.h>

typedef struct calib_runner {
    const calib_spec *s;
    const sweep_workers *w;
    const char *rundir;           /* where runs write (created by the caller) */
    int threads;                  /* OpenMP threads per run (0: as they are) */
    volatile sig_atomic_t *stop;  /* set by a signal: BS_EINTR-like stop */
    int runs_done, runs_failed;   /* counters, for progress */
    char first_error[512];        /* the first failed run's error */
} calib_runner;

/* The status calib_run_points returns when *stop was set. */
#define CALIB_STOPPED 101

/* Run n points (theta[n * k], or NULL for the scenario as it is) times the
 * replications: y[(i * R + r) * m + o] the value of observation o in run r
 * of point i (NaN when the configuration refused the run's values, or the
 * results lack it).  BS_OK, CALIB_STOPPED, a worker's error status, or,
 * when a run failed for another reason (memory, disk, a crashed worker),
 * BS_ENOMEM or BS_ERUNTIME with the run's error: such a run says nothing of
 * its parameters, so the caller stops. */
int calib_run_points(calib_runner *cr, int g, int first, int n, const double *theta, double *y);

#endif
