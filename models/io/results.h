/* results: write and read blockshift results files (HDF5).
 *
 * The layout is the contract of models/README.md, section 8.  A file is
 * written to a temporary name next to its final path and renamed only by
 * results_commit(), after the root attribute complete=1 is set: a crash or an
 * error never leaves a file that looks finished.
 *
 * Every dataset is chunked and compressed (shuffle + deflate level 1), has
 * `units`, `description` and `long_name` attributes, and each of its axes is
 * attached to a dimension scale at the root, /NAME (with the axis labelled by
 * the dim's name): the root is an ancestor of every group, so netCDF-4 (and
 * ncdump, xarray's h5netcdf and netcdf4 engines) see every axis.  Links and
 * attributes are created in tracked order, as netCDF-4 writes its own files.  Every HDF5 call is checked; a failure
 * returns BS_ERUNTIME with a message naming the file and the object.
 */
#ifndef BS_RESULTS_H
#define BS_RESULTS_H

#include <stddef.h>
#include <stdio.h>

#define RESULTS_FORMAT "blockshift-results"
/* 1: axes under /dims, tables compound datasets, /population/vpn;
 * 2: netCDF-4/CF (models/README.md, section 8).  Readers read both. */
#define RESULTS_FORMAT_VERSION 2

typedef struct results results;

/* Start a results file whose final name is `path` (its folder must exist).
 * Returns NULL with a message (bs_last_error) on failure. */
results *results_create(const char *path);

/* Set the root attribute complete=1, close, and rename the temporary file to
 * its final path (replacing an older file).  Frees r whatever happens. */
int results_commit(results *r);

/* Close and delete the temporary file.  NULL is a no-op. */
void results_abort(results *r);

/* Attributes on an object ("/", "/summary", "/day", ...); groups are
 * created as needed.  Strings are stored as variable-length UTF-8. */
int results_attr_str(results *r, const char *obj, const char *name, const char *value);
int results_attr_int(results *r, const char *obj, const char *name, long long value);
int results_attr_double(results *r, const char *obj, const char *name, double value);

/* A dimension /NAME (at the root) of `n` string labels (app names, ...).
 * The name must not be taken by a group or dataset at the root. */
int results_dim_names(results *r, const char *name, int n, const char *const *labels,
                      const char *desc);

/* A 1-D variable of n strings at `path` on the existing dimension `dim`
 * (of length n): labels for an axis, as CF's string-valued auxiliary
 * coordinates (the apps' display names, /app_label on /app).  NULL strings
 * are written as "". */
int results_write_strings(results *r, const char *path, const char *dim, int n,
                          const char *const *v, const char *desc);

/* A dimension /NAME of the numbers 0..n-1 (int32) with units ("days since
 * 2025-07-01 00:00:00"). */
int results_dim_index(results *r, const char *name, int n, const char *units, const char *desc);
/* The same with the given values (NULL: 0, 1, ..., n - 1). */
int results_dim_values(results *r, const char *name, int n, const int *values, const char *units,
                       const char *desc);

/* A time axis /NAME: the values (NULL: 0..n-1) in CF units "UNIT since
 * EPOCH 00:00:00" (unit "days" or "hours", epoch an ISO date), with
 * calendar "standard", standard_name "time", axis "T" and the attribute
 * epoch (the ISO date), so that netCDF tools and xarray decode dates. */
int results_dim_time(results *r, const char *name, int n, const int *values, const char *unit,
                     const char *epoch, const char *desc);

/* A dataset of doubles at `path` (parent groups created) with `rank` axes;
 * dims[k] names the dimension of axis k, which must already exist, and the
 * axis length is that dimension's length.  `data` is row-major. */
int results_write(results *r, const char *path, int rank, const char *const *dims,
                  const double *data, const char *units, const char *desc);

/* A scalar variable-length string dataset (the resolved configuration). */
int results_write_text(results *r, const char *path, const char *text, const char *desc);

/* A table of n_rows rows (n_rows may be 0): the group `path` with one 1-D
 * dataset per column (path/NAME; names without '/'), all on the row
 * dimension path/DIM, which is the column named `dim` if there is one (of
 * integers), else the row numbers 0..n_rows-1.  The group's attribute
 * `columns` lists the columns in order; each column has its `units`. */
enum results_col_type { RCOL_STRING, RCOL_DOUBLE, RCOL_INT };
typedef struct results_column {
    const char *name;
    enum results_col_type type;
    const void *data; /* const char *const[n_rows], const double[n_rows] or const long long[n_rows] */
    const char *units;
} results_column;
int results_write_table(results *r, const char *path, const char *dim, int n_rows, int n_cols,
                        const results_column *cols, const char *desc);

/* Reading values back (results_get.c).  Both check the file first, as
 * results_check() does, and read it in a child process, as results_info()
 * does, so that a damaged file cannot crash the caller. */

/* The numeric attributes of /summary (integers and floats, as doubles, in
 * name order; strings are left out), the text of /config/text and the root
 * attribute `scenario` ("" when the file has none). */
typedef struct results_numbers {
    int n;
    char **names;
    double *values;
    char *config_text;
    char *scenario;
} results_numbers;

/* Read them into *out (free with results_numbers_free; NULL is a no-op). */
int results_read_numbers(const char *path, results_numbers **out);
/* The same for a file this process has just written and committed, read
 * here rather than in a child: a fork costs more than the reading (1-10 ms
 * on a virtual machine) and our own fresh file cannot be damaged. */
int results_read_own_numbers(const char *path, results_numbers **out);
void results_numbers_free(results_numbers *n);

/* A table as results_write_table() writes it: string, integer and double
 * columns; every name, unit and column of data is malloc'd and belongs to
 * the table (strings: n_rows malloc'd char *). */
typedef struct results_table {
    int n_rows, n_cols;
    results_column *cols;
} results_table;

/* Read the table at `dset` into *out (free with results_table_free; NULL is
 * a no-op).  BS_EINPUT if the file or the table is not what it should be. */
int results_read_table(const char *path, const char *dset, results_table **out);
void results_table_free(results_table *t);

/* Loading a run's datasets for analysis (results_load.c): plot, compare and
 * reproduce read through this, in a child process as above, so that a
 * damaged file fails with BS_EINPUT and a message instead of crashing.
 *
 * Before reading anything the child checks it against the file's
 * dimensions: each dataset of the layout (models/README.md, section 8) must hold numbers
 * and have the rank and extents of its axes, e.g. /population/primary
 * [day][region][app] with the lengths of /day, /region and /app (format
 * version 1: /dims/day, ...), /calls/failed [day][app], /network/link_carried
 * [hour][link] (a testbed replay, which has no /hour: [day][link]); /day is a
 * list of integers, the dims of names lists of strings, /events a 1-D table
 * with string columns date, action and apps; /app_label and /vpn_label,
 * when there, lists of strings as long as /app and /vpn.  A mismatch is BS_EINPUT
 * naming the file and the dataset. */
typedef struct results_array {
    char *path; /* the dataset, as asked for */
    int rank;
    size_t shape[4];
    double *v; /* row-major, shape[0] x ... x shape[rank - 1] values */
} results_array;

typedef struct results_labels {
    char *name; /* "app": the dimension /app */
    int n;
    char **v;
} results_labels;

typedef struct results_event {
    char *date, *action, *apps;
} results_event;

typedef struct results_run {
    int n_days;
    int *day;           /* /day's values (a run: 0, 1, ...; a replay: a phase's day) */
    char *epoch;        /* attribute epoch of /day ("" when missing) */
    char *link_classes; /* attribute classes of /link (NULL when missing) */
    int replay;         /* the file has /testbed/replay */
    int has_events;     /* the file has /events (n_events may be 0) */
    int n_events;
    results_event *events;
    int n_labels;
    results_labels *labels; /* the dims of names the file has: app, region, vpn, link, mbox */
    int n_arrays;
    results_array *arrays; /* those of the datasets asked for that the file has */
} results_run;

/* Check `path` (results_check), then read /day, the dims of names,
 * /events and each dataset named in `datasets` (NULL-terminated) that the
 * file has, all validated as above.  A dataset the file lacks is left out
 * (results_run_array says NULL); the caller decides whether it needed it. */
int results_load(const char *path, const char *const *datasets, results_run **out);
void results_run_free(results_run *r);
const results_array *results_run_array(const results_run *r, const char *dataset);
const results_labels *results_run_labels(const results_run *r, const char *dim);
/* The names to show for dim's entries: DIM_label when the file has it (the
 * apps' and VPN protocols' display names, /app_label, /vpn_label), else DIM's own names (files written
 * before labels, format version 1); NULL when the file lacks DIM. */
const results_labels *results_run_display(const results_run *r, const char *dim);

/* Check that `path` is a complete blockshift results file.  Returns BS_OK, or
 * BS_EINPUT with a message saying what is wrong (missing, not HDF5, not ours,
 * incomplete, newer format version). */
int results_check(const char *path);

/* What a checked results file keeps (its root attribute `output`, written
 * by run: "full", "daily" or "summary"; "full" for files written before
 * it), into level[size].  BS_OK, or results_check's error. */
int results_output_level(const char *path, char *level, size_t size);

/* Print what is in a results file: scenario, seed and run, provenance,
 * events, every dataset with its shape, axes and units, and the /summary
 * numbers.  Checks the file first (results_check), then its layout as
 * results_load() does (the layout's datasets against the dims, /events a
 * table): a mismatch is BS_EINPUT naming the dataset. */
int results_info(const char *path, FILE *out);

#endif
