/* sweep_job: one run of a sweep, as a worker does it (see sweep_job.h). */
#include "sweep/sweep_job.h"

#include "config/config.h"
#include "io/output.h"
#include "io/results.h"
#include "sim/sim.h"
#include "base/status.h"
#include "sweep/sweep_config.h"
#include "sweep/sweep_spec.h"
#include "base/wire.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *const sweep_status_names[N_SWEEP_STATUS] = {"pending", "ok", "failed"};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void failed(sweep_report *r, const char *what, const char *why)
{
    r->status = SWEEP_FAILED;
    snprintf(r->error, sizeof r->error, "%s%s%s", what, why && why[0] ? ": " : "", why ? why : "");
}

void sweep_job_collect(const struct results_numbers *nums, int n_collect, char *const *collect,
                       sweep_report *r)
{
    r->missing = -1;
    for (int c = 0; c < n_collect && c < SWEEP_MAX_COLLECT; c++) {
        int found = -1;
        for (int i = 0; i < nums->n && found < 0; i++)
            if (strcmp(nums->names[i], collect[c]) == 0)
                found = i;
        r->values[c] = found >= 0 ? nums->values[found] : NAN;
        if (found >= 0 || r->missing >= 0)
            continue;
        r->missing = c;
        size_t len = (size_t)snprintf(r->error, sizeof r->error, "its summary numbers are:");
        for (int i = 0; i < nums->n && len < sizeof r->error; i++)
            len += (size_t)snprintf(r->error + len, sizeof r->error - len, " %s", nums->names[i]);
    }
}

void sweep_job_run(const sweep_job *j, sweep_report *r)
{
    double t0 = now();
    memset(r, 0, sizeof *r);
    r->k = j->k;
    r->status = SWEEP_OK;
    r->missing = -1;
    for (int c = 0; c < SWEEP_MAX_COLLECT; c++)
        r->values[c] = NAN;
    if (gethostname(r->host, sizeof r->host - 1) != 0)
        snprintf(r->host, sizeof r->host, "unknown");
    if (j->threads > 0)
        omp_set_num_threads(j->threads);

    world *w = malloc(sizeof *w);
    char *errors = NULL, *text = NULL;
    if (!w) {
        bs_nomem("the world of run %d", j->k);
        failed(r, "run", bs_last_error());
        goto done;
    }
    int st = config_load(j->scenario, j->n_set, j->set, w, &errors);
    if (st != BS_OK) {
        /* The first error says most; the summary counts them. */
        if (errors)
            errors[strcspn(errors, "\n")] = '\0';
        failed(r, "configuration", errors && errors[0] ? errors : bs_last_error());
        r->refused = st == BS_EINPUT;
        goto done;
    }
    if (!(text = config_dump(w))) {
        failed(r, "run", bs_last_error()); /* config_dump's "out of memory: ..." */
        goto done;
    }
    r->config_hash = sweep_config_hash(text);
    sim_out out;
    if ((st = sim_run(w, NULL, NULL, &out)) != BS_OK) {
        failed(r, "run", bs_last_error());
        goto done;
    }
    run_meta m = {j->scenario, text, j->n_set, j->set};
    st = output_write(j->out_path, w, &out, &m);
    sim_out_free(&out);
    if (st != BS_OK) {
        failed(r, bs_last_error(), NULL);
        goto done;
    }
    results_numbers *nums = NULL;
    if ((st = results_read_own_numbers(j->out_path, &nums)) != BS_OK) {
        failed(r, "reading the results back", bs_last_error());
        goto done;
    }
    sweep_job_collect(nums, j->n_collect, j->collect, r);
    results_numbers_free(nums);
done:
    if (r->status != SWEEP_OK)
        for (int c = 0; c < SWEEP_MAX_COLLECT; c++)
            r->values[c] = NAN;
    free(errors);
    free(text);
    free(w);
    r->wall_seconds = now() - t0;
}

/* ---- the job as bytes ----------------------------------------------------- */

char *sweep_job_pack(const sweep_job *j, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    wire_put_u64(f, (uint64_t)j->k);
    wire_put_u64(f, (uint64_t)j->threads);
    wire_put_str(f, j->scenario);
    wire_put_str(f, j->out_path);
    wire_put_u64(f, (uint64_t)j->n_set);
    for (int i = 0; i < j->n_set; i++)
        wire_put_str(f, j->set[i]);
    wire_put_u64(f, (uint64_t)j->n_collect);
    for (int i = 0; i < j->n_collect; i++)
        wire_put_str(f, j->collect[i]);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* A count of strings and the strings (malloc'd); NULL (and r->bad) if they
 * do not fit in what is left. */
static char **get_strs(wire_reader *r, int *n)
{
    uint64_t m = wire_get_u64(r);
    *n = 0;
    if (r->bad || m > (uint64_t)(r->end - r->p) / 8) { /* each takes 8 bytes at least */
        r->bad = 1;
        return NULL;
    }
    char **v = calloc((size_t)m + 1, sizeof *v);
    if (!v) {
        r->bad = 1;
        return NULL;
    }
    *n = (int)m;
    for (int i = 0; i < *n && !r->bad; i++)
        v[i] = wire_get_str(r);
    return v;
}

int sweep_job_unpack(const char *buf, size_t len, sweep_job *j)
{
    memset(j, 0, sizeof *j);
    wire_reader r = {buf, buf + len, 0, 0};
    uint64_t k = wire_get_u64(&r), threads = wire_get_u64(&r);
    j->k = k <= SWEEP_MAX_RUNS ? (int)k : -1;
    j->threads = threads <= 4096 ? (int)threads : -1;
    j->scenario = wire_get_str(&r);
    j->out_path = wire_get_str(&r);
    j->set = get_strs(&r, &j->n_set);
    j->collect = get_strs(&r, &j->n_collect);
    if (r.bad || r.p != r.end || j->k < 0 || j->threads < 0 || j->n_collect > SWEEP_MAX_COLLECT) {
        sweep_job_free(j);
        return bs_fail(BS_ERUNTIME, "sweep: a garbled job arrived (%zu bytes)", len);
    }
    return BS_OK;
}

void sweep_job_free(sweep_job *j)
{
    free(j->scenario);
    free(j->out_path);
    sweep_spec_free_set(j->n_set, j->set);
    sweep_spec_free_set(j->n_collect, j->collect);
    memset(j, 0, sizeof *j);
}
