/* sweep_job: one run of a sweep as a worker does it (load the scenario with
 * the run's overrides, run, write the results file, read back the numbers
 * to collect), and the report it sends back.
 *
 * Workers are separate processes (a forked child, sweep_pool.h, or an MPI
 * rank), so a job and its report travel as bytes: sweep_job_pack/unpack for
 * the job (strings), and the report as the plain struct (no pointers).  Both
 * ends run the same program, so the byte order and layout agree.
 */
#ifndef BS_SWEEP_JOB_H
#define BS_SWEEP_JOB_H

#include <stddef.h>
#include <stdint.h>

/* Most numbers a sweep can collect. */
#define SWEEP_MAX_COLLECT 128

typedef struct sweep_job {
    int k;          /* the run */
    int threads;    /* OpenMP threads for the run (0: leave as they are) */
    char *scenario; /* the base scenario */
    char *out_path; /* the run's results file */
    int n_set;
    char **set; /* overrides, "path=value", seed and run included */
    int n_collect;
    char **collect; /* /summary numbers to report */
} sweep_job;

enum sweep_status { SWEEP_PENDING, SWEEP_OK, SWEEP_FAILED, N_SWEEP_STATUS };
extern const char *const sweep_status_names[N_SWEEP_STATUS]; /* "pending", "ok", "failed" */

typedef struct sweep_report {
    int k;
    enum sweep_status status;
    int missing; /* index of a collected name the results lack; -1: none */
    int refused; /* 1: the configuration refused the run's values (an input error) */
    double wall_seconds;
    uint64_t config_hash;
    char host[64];
    char error[2048];                 /* why it failed; with `missing`, the names there are */
    double values[SWEEP_MAX_COLLECT]; /* [n_collect]; NaN when not ok */
} sweep_report;

/* Do job j and fill *r (never fails: a failure is in r->status, r->error). */
void sweep_job_run(const sweep_job *j, sweep_report *r);

/* Fill r->values from the numbers of a results file (results_numbers):
 * NaN and r->missing for a name it lacks, with the names it has in
 * r->error. */
struct results_numbers;
void sweep_job_collect(const struct results_numbers *nums, int n_collect, char *const *collect,
                       sweep_report *r);

/* The job as bytes (malloc'd, *len set), and back (the strings of *j are
 * malloc'd: free with sweep_job_free).  NULL / BS_ENOMEM, BS_ERUNTIME. */
char *sweep_job_pack(const sweep_job *j, size_t *len);
int sweep_job_unpack(const char *buf, size_t len, sweep_job *j);
void sweep_job_free(sweep_job *j);

#endif
