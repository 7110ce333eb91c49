/* sweep_mpi: the MPI task farm of blockshift sweep --mpi (see sweep_mpi.h).
 *
 * Messages (MPI_COMM_WORLD, raw bytes: every rank runs the same program):
 *   rank 0 -> worker   TAG_JOB     a packed job (sweep_job_pack)
 *   rank 0 -> worker   TAG_STOP    no more jobs: finalise and exit
 *   worker -> rank 0   TAG_REPORT  a sweep_report
 */
#define _GNU_SOURCE
#include "cli/sweep_mpi.h"

#include "base/status.h"

#include <mpi.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { TAG_JOB = 1, TAG_STOP = 2, TAG_REPORT = 3 };

static int world_rank, world_size;
static volatile sig_atomic_t *stop_flag; /* rank 0: the farm's; waits end when it is set */
static int threads_here;                 /* OpenMP threads for a run on this rank (0: as set) */
static unsigned char *busy;              /* [size] rank 0: whether each worker has a job */

static void nap(void)
{
    struct timespec ts = {0, 1000000}; /* 1 ms */
    nanosleep(&ts, NULL);
}

/* Threads per run: OMP_NUM_THREADS when set; else the cores this rank may
 * use, shared among the worker ranks of its machine. */
static int threads_for_rank(void)
{
    if (getenv("OMP_NUM_THREADS"))
        return 0;
    MPI_Comm node;
    int local = 1, has0 = 0, is0 = world_rank == 0;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, world_rank, MPI_INFO_NULL,
                            &node) == MPI_SUCCESS) {
        MPI_Comm_size(node, &local);
        MPI_Allreduce(&is0, &has0, 1, MPI_INT, MPI_MAX, node);
        MPI_Comm_free(&node);
    }
    int workers = world_size == 1 ? 1 : local - has0;
    cpu_set_t set;
    int mine = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    int share = (int)(online > 0 ? online : 1) / (workers > 0 ? workers : 1);
    int t = mine < share ? mine : share;
    return t > 0 ? t : 1;
}

int sweep_mpi_init(int *rank, int *size)
{
    if (MPI_Init(NULL, NULL) != MPI_SUCCESS)
        return bs_fail(BS_ERUNTIME, "sweep --mpi: MPI_Init failed");
    MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &world_size);
    threads_here = threads_for_rank(); /* collective: every rank, now */
    *rank = world_rank;
    *size = world_size;
    return BS_OK;
}

int sweep_mpi_worker(void)
{
    for (;;) {
        int flag = 0;
        MPI_Status st;
        while (MPI_Iprobe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st) == MPI_SUCCESS && !flag)
            nap();
        int len = 0;
        MPI_Get_count(&st, MPI_BYTE, &len);
        char *buf = malloc(len > 0 ? (size_t)len : 1);
        if (!buf)
            MPI_Abort(MPI_COMM_WORLD, 1);
        MPI_Recv(buf, len, MPI_BYTE, 0, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (st.MPI_TAG == TAG_STOP) {
            free(buf);
            break;
        }
        sweep_job j;
        sweep_report r;
        if (sweep_job_unpack(buf, (size_t)len, &j) != BS_OK) {
            /* Cannot happen between ranks of one program; say so and stop. */
            fprintf(stderr, "blockshift: rank %d: %s\n", world_rank, bs_last_error());
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
        free(buf);
        if (j.threads == 0)
            j.threads = threads_here;
        sweep_job_run(&j, &r);
        sweep_job_free(&j);
        MPI_Send(&r, (int)sizeof r, MPI_BYTE, 0, TAG_REPORT, MPI_COMM_WORLD);
    }
    MPI_Finalize();
    return 0;
}

/* ---- rank 0 --------------------------------------------------------------- */

static sweep_report alone_report; /* one rank: the report of the run just done */
static int alone_has_report;

static int mpi_start(void *ctx, const sweep_job *j)
{
    (void)ctx;
    if (world_size == 1) { /* nobody to hand it to: do it here */
        sweep_job mine = *j;
        if (mine.threads == 0)
            mine.threads = threads_here;
        sweep_job_run(&mine, &alone_report);
        alone_has_report = 1;
        return BS_OK;
    }
    int w = 1;
    while (w < world_size && busy[w])
        w++;
    if (w == world_size)
        return bs_fail(BS_ERUNTIME, "sweep --mpi: no free rank for run %d", j->k);
    size_t len;
    char *buf = sweep_job_pack(j, &len);
    if (!buf)
        return bs_nomem("the message for run %d (sweep --mpi)", j->k);
    int rc = MPI_Send(buf, (int)len, MPI_BYTE, w, TAG_JOB, MPI_COMM_WORLD);
    free(buf);
    if (rc != MPI_SUCCESS)
        return bs_fail(BS_ERUNTIME, "sweep --mpi: cannot send run %d to rank %d", j->k, w);
    busy[w] = 1;
    return BS_OK;
}

static int mpi_wait(void *ctx, int timeout_ms, sweep_report *r)
{
    (void)ctx;
    if (world_size == 1) {
        if (!alone_has_report)
            return 0;
        *r = alone_report;
        alone_has_report = 0;
        return 1;
    }
    for (int waited = 0; waited <= timeout_ms; waited++) {
        int flag = 0;
        MPI_Status st;
        if (MPI_Iprobe(MPI_ANY_SOURCE, TAG_REPORT, MPI_COMM_WORLD, &flag, &st) != MPI_SUCCESS)
            return bs_fail(BS_ERUNTIME, "sweep --mpi: waiting for reports failed");
        if (flag) {
            int len = 0;
            MPI_Get_count(&st, MPI_BYTE, &len);
            if (len != (int)sizeof *r)
                return bs_fail(BS_ERUNTIME, "sweep --mpi: a report of %d bytes from rank %d", len,
                               st.MPI_SOURCE);
            MPI_Recv(r, len, MPI_BYTE, st.MPI_SOURCE, TAG_REPORT, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
            busy[st.MPI_SOURCE] = 0;
            return 1;
        }
        if (stop_flag && *stop_flag)
            return 0; /* mpirun gives a second between SIGTERM and SIGKILL */
        nap();
    }
    return 0;
}

/* Runs in flight on other ranks cannot be stopped from here: the farm
 * records them as pending, and sweep_mpi_finish aborts the job. */
static void mpi_cancel(void *ctx) { (void)ctx; }

sweep_workers sweep_mpi_workers(volatile sig_atomic_t *stop)
{
    stop_flag = stop;
    if (!busy)
        busy = calloc((size_t)world_size, 1);
    sweep_workers w = {NULL, world_size > 1 ? world_size - 1 : 1, mpi_start, mpi_wait, mpi_cancel};
    if (!busy)
        w.slots = 0; /* the farm reports it as out of memory */
    return w;
}

void sweep_mpi_finish(int abort, int code)
{
    fflush(NULL);
    if (abort)
        MPI_Abort(MPI_COMM_WORLD, code ? code : 1);
    for (int w = 1; w < world_size; w++)
        MPI_Send(NULL, 0, MPI_BYTE, w, TAG_STOP, MPI_COMM_WORLD);
    free(busy);
    busy = NULL;
    MPI_Finalize();
}
