/* h5in: reading a results file for the analysis commands (plot).
 *
 * Small and strict: a dataset is read whole as doubles (its shape returned),
 * a dimension of names as strings, the /events table's date, action and
 * apps columns.  Errors are statuses with a message naming the file and the
 * object; a missing optional dataset is not an error (h5in_has says so). */
#ifndef BS_H5IN_H
#define BS_H5IN_H

#include <stddef.h>

typedef struct h5in h5in;

/* Open a results file that results_check() passed.  NULL with a message. */
h5in *h5in_open(const char *path);
void h5in_close(h5in *f);

int h5in_has(h5in *f, const char *path);

/* Dataset `path` as doubles, row-major; shape[0..*rank) filled (rank <= 4).
 * NULL with a message. */
double *h5in_doubles(h5in *f, const char *path, int *rank, size_t shape[4]);

/* A dimension of names (/dims/app ...): *n strings, free with h5in_free_names. */
char **h5in_names(h5in *f, const char *path, int *n);
void h5in_free_names(char **names, int n);

/* A string attribute of an object, or NULL. */
char *h5in_attr_str(h5in *f, const char *obj, const char *name);

/* The events: date ("YYYY-MM-DD"), action, apps of each row.  *n rows. */
typedef struct h5in_event {
    char date[11];
    char action[32];
    char apps[96];
} h5in_event;
h5in_event *h5in_events(h5in *f, int *n);

#endif
