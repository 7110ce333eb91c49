/* sweep_mpi: blockshift sweep --mpi, a sweep as an MPI task farm.
 *
 * Under `mpirun -np N blockshift sweep FILE --mpi`, rank 0 does what
 * `blockshift sweep` does alone (checks, the folder, the index) and hands
 * the runs out one at a time to ranks 1..N-1 as they come free (sweep_farm.h);
 * each worker rank does its runs in-process and sends a report back.  With
 * one rank, rank 0 does the runs itself.  Rank 0 waits by polling every
 * millisecond, and idle workers likewise, so that waiting ranks do not spin
 * on a core that a run could use.
 *
 * Only the command links MPI, and MPI_Init is called only under --mpi.
 * Open MPI ends the whole job when a rank dies: rank 0 then records the runs
 * in flight as pending, writes the index and aborts; --resume continues.
 */
#ifndef BS_SWEEP_MPI_H
#define BS_SWEEP_MPI_H

#include "sweep/sweep_farm.h"

#include <signal.h>

/* MPI_Init; *rank and *size of MPI_COMM_WORLD.  BS_OK or BS_ERUNTIME. */
int sweep_mpi_init(int *rank, int *size);

/* A worker rank's life: do jobs until rank 0 says stop.  The exit code. */
int sweep_mpi_worker(void);

/* Rank 0's workers: the other ranks (or rank 0 itself when alone).  A wait
 * ends at once when *stop is set (by a signal handler). */
sweep_workers sweep_mpi_workers(volatile sig_atomic_t *stop);

/* The end: tell the workers to stop and MPI_Finalize, or, when runs may
 * still be in flight (`abort`), MPI_Abort with `code`. */
void sweep_mpi_finish(int abort, int code);

#endif
