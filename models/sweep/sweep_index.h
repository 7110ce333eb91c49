/* sweep_index: a sweep folder's index.h5 and summary.txt.
 *
 * index.h5 is a blockshift results file (results.h: written under a
 * temporary name and renamed when complete, so a reader never sees half of
 * one) with the root attribute kind = "sweep-index":
 *
 *   /                attrs: format, format_version, kind, tool_version,
 *                    git_revision, created, scenario (the sweep's name)
 *   /config/text     the sweep file's text
 *   /runs            a table, one row per run, in the order of the runs:
 *                    k, point, replication, one column per varied parameter
 *                    (named by its path: numbers, or strings for lists of
 *                    strings), seed, run, status (ok, failed, pending),
 *                    error, wall_seconds, host, config_hash (16 hex digits),
 *                    file (the results file, from the folder), then one
 *                    column per collected number (NaN unless ok)
 *   /points          a table, one row per parameter point: point, the
 *                    parameters, n (runs ok), then for each collected number
 *                    X: X_mean, X_sd, X_ci95_low, X_ci95_high (sweep_stats.h)
 *   /summary         attrs: runs, ok, failed, pending, points
 *   /sobol           a Saltelli design's Sobol indices (sweep_sobol.h)
 *
 * The parameter columns of /runs are the ones between replication and seed,
 * the collected numbers the ones after file: that is how the table is read
 * back (sweep_index_layout).  Everything but wall_seconds and host is a
 * function of the sweep file and the runs' results, whatever the workers.
 *
 * summary.txt is /points as plain text that gnuplot reads: a '#' line with
 * the column names, then one line per point, whitespace-separated, strings
 * in double quotes when they hold blanks, NaN for a number not known; then
 * a Saltelli design's Sobol indices, in blocks of their own (sweep_sobol.h).
 */
#ifndef BS_SWEEP_INDEX_H
#define BS_SWEEP_INDEX_H

#include "io/results.h"
#include "sweep/sweep_job.h"
#include "sweep/sweep_spec.h"

#include <stdint.h>
#include <stdio.h>

/* What the farm knows of a run. */
typedef struct sweep_row {
    enum sweep_status status;
    double wall_seconds; /* NaN: not known */
    uint64_t config_hash;
    char *host, *error; /* malloc'd, or NULL for "" */
} sweep_row;

/* The /runs table from the spec, the rows and values[k * n_collect + c].
 * BS_OK or BS_ENOMEM; free *out with results_table_free. */
int sweep_index_runs(const sweep_spec *s, const sweep_row *rows, const double *values,
                     results_table **out);

/* Where the parts of a /runs table are (column numbers). */
typedef struct sweep_layout {
    int k, point, status, wall_seconds, host, config_hash, error;
    int first_param, n_params;
    int first_value, n_values;
} sweep_layout;

/* Find them; BS_EINPUT (naming `path`) if the table is not a sweep's. */
int sweep_index_layout(const results_table *runs, const char *path, sweep_layout *l);

/* More for index.h5 and summary.txt (sweep_sobol.h's indices): `write`
 * adds to the index before it is committed, `text` to the end of the
 * text table. */
typedef struct sweep_index_extra {
    int (*write)(results *r, const void *arg);
    void (*text)(FILE *f, const void *arg);
    const void *arg;
} sweep_index_extra;

/* Write DIR/index.h5 (atomically) from the tables; points and extra may be
 * NULL.  `name` is the sweep's, `sweep_text` the sweep file's text. */
int sweep_index_write(const char *dir, const char *name, const char *sweep_text,
                      const results_table *runs, const results_table *points,
                      const sweep_index_extra *extra);

/* Read DIR/index.h5 back: its /runs table, the sweep's name and the sweep
 * file's text (malloc'd; free all three).  BS_EINPUT if it is missing or
 * not a sweep index. */
int sweep_index_read(const char *dir, results_table **runs, char **name, char **sweep_text);

/* Write a table as plain text to `path` (atomically), under a '#' comment
 * line `title`, then extra's text (extra may be NULL). */
int sweep_index_write_text(const char *path, const char *title, const results_table *t,
                           const sweep_index_extra *extra);

/* A string cell of such a text: as it is, or quoted for gnuplot. */
void sweep_index_put_cell(FILE *f, const char *s);

#endif
