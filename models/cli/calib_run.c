/* calib_run: runs of calibrations and validation cases (see calib_run.h). */
#define _GNU_SOURCE
#include "cli/calib_run.h"

#include "base/status.h"
#include "io/results.h"
#include "analysis/obs_map.h"
#include "sweep/sweep_spec.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Run k's results file. */
static void run_path(const calib_runner *cr, int g, int k, char *buf, size_t size)
{
    snprintf(buf, size, "%s/g%03d-run-%06d.h5", cr->rundir, g, k);
}

/* Read run k's observations into y[m]; the file is deleted. */
static void read_run(calib_runner *cr, const char *path, double *y)
{
    const calib_spec *s = cr->s;
    results_run *rr = NULL;
    int st = results_load(path, obs_map_paths, &rr);
    for (int o = 0; o < s->m; o++) {
        char why[256];
        y[o] = NAN;
        if (st == BS_OK && obs_map_value(rr, s->ds[o], &s->obs[o], &y[o], why, sizeof why) != BS_OK &&
            !cr->first_error[0])
            snprintf(cr->first_error, sizeof cr->first_error, "%.250s: %.250s", path, why);
    }
    if (st != BS_OK && !cr->first_error[0])
        snprintf(cr->first_error, sizeof cr->first_error, "%s", bs_last_error());
    results_run_free(rr);
    unlink(path);
}

int calib_run_points(calib_runner *cr, int g, int first, int n, const double *theta, double *y)
{
    const calib_spec *s = cr->s;
    int R = s->replications, total = n * R, next = 0, inflight = 0, st = BS_OK;
    for (int i = 0; i < total * s->m; i++)
        y[i] = NAN;
    while ((next < total || inflight > 0) && st == BS_OK) {
        if (cr->stop && *cr->stop) {
            cr->w->cancel(cr->w->ctx);
            return CALIB_STOPPED;
        }
        while (next < total && inflight < cr->w->slots) {
            int i = next / R, r = next % R;
            char **set = NULL, out[4200];
            int ns = calib_spec_overrides(s, theta ? theta + (size_t)i * (size_t)s->k : NULL,
                                          calib_spec_seed(s, g, first + i, r), (uint32_t)r, &set);
            if (ns < 0)
                return bs_nomem("a run's overrides");
            run_path(cr, g, next, out, sizeof out);
            sweep_job j = {next, cr->threads, s->scenario, out, ns, set, 0, NULL};
            st = cr->w->start(cr->w->ctx, &j);
            sweep_spec_free_set(ns, set);
            if (st != BS_OK)
                return st;
            next++;
            inflight++;
        }
        sweep_report rep;
        int got = cr->w->wait(cr->w->ctx, 200, &rep);
        if (got < 0)
            return got;
        if (got == 0)
            continue;
        inflight--;
        cr->runs_done++;
        char path[4200];
        run_path(cr, g, rep.k, path, sizeof path);
        if (rep.status == SWEEP_OK) {
            read_run(cr, path, y + (size_t)rep.k * (size_t)s->m);
        } else {
            cr->runs_failed++;
            if (!cr->first_error[0])
                snprintf(cr->first_error, sizeof cr->first_error, "%.500s", rep.error);
            unlink(path);
            /* Only a run whose drawn values the configuration refuses says
             * something of its parameters (that corner of the prior is
             * infeasible: infinitely far).  Any other failure (memory, a
             * full disk, a crashed worker) says nothing of them: counted as
             * infinitely far it would bias the posterior, so the calibration
             * stops there, exit 1. */
            if (!rep.refused) {
                cr->w->cancel(cr->w->ctx);
                const char *oom = strstr(rep.error, "out of memory: ");
                if (oom)
                    return bs_nomem("a run of generation %d: %.900s", g,
                                    oom + strlen("out of memory: "));
                return bs_fail(BS_ERUNTIME, "a run of generation %d failed: %.900s", g, rep.error);
            }
        }
    }
    return st;
}
