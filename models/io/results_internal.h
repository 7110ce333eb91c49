/* results_internal: what the results_*.c files share; not for other modules
 * (they use results.h).
 *
 * results.c       writing files
 * results_read.c  checking and describing files (results_check, results_info)
 * results_get.c   reading values back (results_read_numbers, results_read_table)
 * results_load.c reading a run's datasets for analysis, validated (results_load)
 * results_table.c reading a table of either format version
 */
#ifndef BS_RESULTS_INTERNAL_H
#define BS_RESULTS_INTERNAL_H

#include <hdf5.h>
#include <stdio.h>

/* Close an HDF5 id (with fn) if it is open, and forget it. */
#define CLOSE(fn, id)                                                                              \
    do {                                                                                           \
        if ((id) >= 0) {                                                                           \
            fn(id);                                                                                \
            (id) = H5I_INVALID_HID;                                                                \
        }                                                                                          \
    } while (0)

/* Open `path` read-only after the checks of results_check() (ours, not
 * newer, complete); the file id, or a negative status with a message. */
hid_t results_open_checked(const char *path);

/* Run fn(path, out) in a child process, so that a damaged file that crashes
 * the HDF5 library cannot crash the caller: what fn writes to its FILE
 * arrives in `out` (NULL: none), and its status and message come back as if
 * fn had run here (a crash becomes BS_EINPUT, "damaged HDF5 file").  If
 * fork() fails, fn runs in this process. */
int results_isolated(const char *path, FILE *out, int (*fn)(const char *, FILE *));

/* Whether results_isolated() forks (on, the default) or runs fn in this
 * process (off): for the fuzz harness (tests/fuzz/fuzz_results.c), which
 * must see a crash in the reading code, not a "damaged file" answer. */
void results_set_isolation(int on);

/* The limit of CPU time of that child, in seconds (<= 0: the default,
 * RESULTS_CHILD_CPU_SECONDS in results_read.c); past it the file is taken
 * as damaged.  For the fuzz harness, which replays files that make HDF5
 * loop forever. */
void results_set_child_cpu_limit(int seconds);

/* Whether values of HDF5 type `t` can be read without trusting a size that
 * a damaged file may have made huge (numbers, strings, compounds of them). */
int results_sane_type(hid_t t);

/* The string attribute `name` of `obj` (malloc'd), or NULL if it is missing
 * or not a single string. */
char *results_read_str_attr(hid_t obj, const char *name);

/* p, noting when it is NULL that memory ran out for `what` (a phrase, e.g.
 * "a list of names"): for readers that carry on without it.  Whatever the
 * reader returns, results_isolated then fails with "out of memory: <what>,
 * reading PATH". */
void *results_short(void *p, const char *what);

/* fn(path, out) in this process, failing with "out of memory: <what>,
 * reading PATH" if memory ran out for something fn carried on without. */
int results_reader_run(const char *path, FILE *out, int (*fn)(const char *, FILE *));

/* Check the layout of open file `f` (named `path`) against its dimensions,
 * as results_load() does, without reading values: every dataset of the
 * layout that the file has, the dims and /events (which only has to be a
 * 1-D table here).  BS_OK or BS_EINPUT naming the dataset (results_load.c). */
int results_check_layout(hid_t f, const char *path);

/* Names gathered by H5Aiterate2(..., results_collect_name, &names): each
 * malloc'd; the iteration stops (returns < 0) if memory runs out. */
typedef struct results_names {
    char **names;
    int n, cap;
} results_names;
herr_t results_collect_name(hid_t obj, const char *name, const H5A_info_t *info, void *data);
void results_names_free(results_names *l);

struct results_table;

/* A variable-length UTF-8 string type for reading into char * (results_table.c). */
hid_t results_str_type(void);

/* Read the table `dset` of open file `f` (named `path`): a group of
 * columns (format version 2) or a compound dataset (version 1).  BS_OK and
 * *out (free with results_table_free), or BS_EINPUT naming the table. */
int results_table_load(hid_t f, const char *path, const char *dset, struct results_table **out);

/* Where the dimension scales of open file `f` are: "/dims/" in a file of
 * format version 1, "/" (the root) from version 2. */
const char *results_dims_prefix(hid_t f);

#endif
