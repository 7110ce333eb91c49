/* results_read: checking and describing blockshift results files.
 *
 * results_check() decides, in this order, whether a file is missing, not a
 * regular file, not HDF5, damaged, not ours (no format="blockshift-results"),
 * of a newer format version than this build reads, or incomplete
 * (complete != 1).  The version comes before completeness because a newer
 * format may mark completeness differently.  Every answer other than BS_OK is
 * BS_EINPUT: the file is the user's input.
 *
 * Files given by users may be anything, so every attribute is read through
 * results_read_str_attr()/read_int(), which check the type class and that the
 * attribute holds exactly one value before reading it, and HDF5's automatic
 * error printing is off (for the whole process, as in results.c).
 * results_get.c reads values back through the same functions (declared in
 * results_internal.h).
 *
 * That is not enough: HDF5 1.10 trusts the global heap that holds
 * variable-length strings, and a file with flipped bits there makes
 * H5HG_read() copy past its buffer and crash (about 2% of files with a few
 * random bit flips did, in a fuzz run; also reported upstream for h5dump).
 * So both public functions do their reading in a child process (fork) and
 * pass the output, status and message back through pipes; a child killed by
 * a signal becomes "damaged file", BS_EINPUT.  The child ends with _exit(),
 * so it never flushes the parent's stdio buffers or runs HDF5's atexit
 * clean-up on files the parent has open.  If fork() fails the work is done
 * in-process.  results_info() also checks the layout of the file's datasets
 * against its dims (results_check_layout, results_load.c) before printing.
 * A damaged global heap can also make HDF5 decode it forever
 * (found by tests/fuzz): the child has a limit of CPU time
 * (RESULTS_CHILD_CPU_SECONDS; reading what it reads takes well under a
 * second) and one that runs out is "damaged file" too.
 */
#include "io/results.h"

#include "io/results_internal.h"
#include "base/quote.h"
#include "base/status.h"
#include "base/str.h"
#include "base/wire.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

/* Rows of /events printed at most; a longer table is cut with a note. */
#define MAX_EVENT_ROWS 1000
/* Strings printed in full up to this length. */
#define MAX_SHOWN 200
/* CPU seconds the reading child may take (see the top of the file). */
#define RESULTS_CHILD_CPU_SECONDS 60

static herr_t reason_walk(unsigned n, const H5E_error2_t *e, void *data)
{
    if (n == 0 && e->desc && e->desc[0])
        snprintf(data, 200, ": %s", e->desc);
    return 0;
}

/* Whether values of type `t` can be read without trusting a size field that
 * a damaged file may have made huge: HDF5 1.10 allocates (and clears) what
 * the type says, so a flipped bit in the character size of a string type
 * made it take 20 GB before failing.  Accepted: numbers of at most 16 bytes,
 * strings of 1-byte characters (variable length) or of at most 64 KiB
 * (fixed), and compounds of those.  The length stored with each variable-
 * length value cannot be checked through the HDF5 API: a damaged one can
 * still make HDF5 allocate up to 4 GiB. */
int results_sane_type(hid_t t)
{
    size_t size = H5Tget_size(t);
    switch (H5Tget_class(t)) {
    case H5T_INTEGER:
    case H5T_FLOAT:
        return size >= 1 && size <= 16;
    case H5T_STRING: {
        htri_t var = H5Tis_variable_str(t);
        if (var == 0)
            return size >= 1 && size <= 65536;
        if (var < 0)
            return 0;
        hid_t base = H5Tget_super(t);
        int ok = base >= 0 && H5Tget_size(base) == 1;
        CLOSE(H5Tclose, base);
        H5Eclear2(H5E_DEFAULT);
        return ok;
    }
    case H5T_COMPOUND: {
        int n = H5Tget_nmembers(t);
        if (n < 1 || n > 1024 || size > 65536)
            return 0;
        for (int i = 0; i < n; i++) {
            hid_t m = H5Tget_member_type(t, (unsigned)i);
            int ok = m >= 0 && results_sane_type(m);
            CLOSE(H5Tclose, m);
            if (!ok)
                return 0;
        }
        return 1;
    }
    default:
        return 0;
    }
}

/* What memory ran out for in a reader that carried on without it (NULL:
 * nothing); results_reader_run reports it when the reader is done. */
static _Thread_local const char *ran_short;

void *results_short(void *p, const char *what)
{
    if (!p && !ran_short)
        ran_short = what;
    return p;
}

/* The single value of a string attribute (malloc'd), variable or fixed
 * length; NULL if it is not one string. */
static char *read_str_attr_id(hid_t attr)
{
    char *out = NULL;
    hid_t t = H5Aget_type(attr), space = H5Aget_space(attr), mt = H5I_INVALID_HID;
    if (t < 0 || space < 0 || H5Tget_class(t) != H5T_STRING || !results_sane_type(t) ||
        H5Sget_simple_extent_npoints(space) != 1)
        goto done;
    htri_t var = H5Tis_variable_str(t);
    if (var > 0) {
        char *s = NULL;
        mt = H5Tcopy(H5T_C_S1);
        if (mt < 0 || H5Tset_size(mt, H5T_VARIABLE) < 0 || H5Tset_cset(mt, H5Tget_cset(t)) < 0 ||
            H5Aread(attr, mt, &s) < 0)
            goto done;
        out = results_short(str_dup(s ? s : ""), "a string attribute");
        H5free_memory(s);
    } else if (var == 0) {
        size_t n = H5Tget_size(t);
        char *s = results_short(calloc(1, n + 1), "a string attribute");
        mt = H5Tcopy(H5T_C_S1);
        if (s && mt >= 0 && H5Tset_size(mt, n + 1) >= 0 &&
            H5Tset_strpad(mt, H5T_STR_NULLTERM) >= 0 && H5Tset_cset(mt, H5Tget_cset(t)) >= 0 &&
            H5Aread(attr, mt, s) >= 0) {
            s[n] = '\0';
            out = s;
        } else
            free(s);
    }
done:
    CLOSE(H5Tclose, mt);
    CLOSE(H5Sclose, space);
    CLOSE(H5Tclose, t);
    return out;
}

char *results_read_str_attr(hid_t obj, const char *name)
{
    if (H5Aexists(obj, name) <= 0)
        return NULL;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    char *s = a >= 0 ? read_str_attr_id(a) : NULL;
    CLOSE(H5Aclose, a);
    return s;
}

/* The integer attribute `name` of `obj`: 1 read, 0 missing or not a single
 * integer. */
static int read_int(hid_t obj, const char *name, long long *v)
{
    int ok = 0;
    if (H5Aexists(obj, name) <= 0)
        return 0;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t t = a >= 0 ? H5Aget_type(a) : H5I_INVALID_HID;
    hid_t space = a >= 0 ? H5Aget_space(a) : H5I_INVALID_HID;
    if (t >= 0 && space >= 0 && H5Tget_class(t) == H5T_INTEGER && results_sane_type(t) &&
        H5Sget_simple_extent_npoints(space) == 1 && H5Aread(a, H5T_NATIVE_LLONG, v) >= 0)
        ok = 1;
    CLOSE(H5Sclose, space);
    CLOSE(H5Tclose, t);
    CLOSE(H5Aclose, a);
    return ok;
}

hid_t results_open_checked(const char *path)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (!path || !path[0])
        return bs_fail(BS_EINPUT, "results: no file name given");
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return bs_fail(BS_EINPUT, "%s: no such file", path);
        return bs_fail(BS_EINPUT, "%s: cannot read it: %s", path, strerror(errno));
    }
    if (S_ISDIR(st.st_mode))
        return bs_fail(BS_EINPUT, "%s: not an HDF5 file (it is a folder)", path);
    if (!S_ISREG(st.st_mode)) /* a FIFO would block H5Fis_hdf5 */
        return bs_fail(BS_EINPUT, "%s: not an HDF5 file (not a regular file)", path);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return bs_fail(BS_EINPUT, "%s: cannot read it: %s", path, strerror(errno));
    close(fd);

    htri_t is = H5Fis_hdf5(path);
    H5Eclear2(H5E_DEFAULT);
    if (is <= 0)
        return bs_fail(BS_EINPUT, "%s: not an HDF5 file", path);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        char why[200] = "";
        H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, reason_walk, why);
        H5Eclear2(H5E_DEFAULT);
        return bs_fail(BS_EINPUT, "%s: not an HDF5 file (damaged or truncated%s)", path, why);
    }

    char *format = results_read_str_attr(f, "format");
    int ours = format && strcmp(format, RESULTS_FORMAT) == 0;
    free(format);
    long long version = 0, complete = 0;
    if (!ours || !read_int(f, "format_version", &version)) {
        H5Fclose(f);
        H5Eclear2(H5E_DEFAULT);
        return bs_fail(BS_EINPUT, "%s: not a blockshift results file", path);
    }
    if (version > RESULTS_FORMAT_VERSION || version < 1) {
        H5Fclose(f);
        return bs_fail(BS_EINPUT,
                       "%s: results format version %lld, this blockshift reads version %d%s", path,
                       version, RESULTS_FORMAT_VERSION,
                       version > RESULTS_FORMAT_VERSION ? " (written by a newer blockshift)" : "");
    }
    if (!read_int(f, "complete", &complete) || complete != 1) {
        H5Fclose(f);
        H5Eclear2(H5E_DEFAULT);
        return bs_fail(BS_EINPUT, "%s: incomplete results file (the run did not finish)", path);
    }
    H5Eclear2(H5E_DEFAULT);
    return f;
}

static int check_here(const char *path, FILE *out)
{
    (void)out;
    hid_t f = results_open_checked(path);
    if (f < 0)
        return (int)f;
    if (H5Fclose(f) < 0) {
        H5Eclear2(H5E_DEFAULT);
        return bs_fail(BS_EINPUT, "%s: cannot close it", path);
    }
    return BS_OK;
}

/* ---- printing ------------------------------------------------------------- */

/* Print a string, cut at MAX_SHOWN bytes and at the first newline. */
static void put_short(FILE *out, const char *s)
{
    size_t n = strcspn(s, "\n");
    int cut = s[n] != '\0';
    if (n > MAX_SHOWN) {
        n = MAX_SHOWN;
        cut = 1;
    }
    char line[MAX_SHOWN + 1], shown[QUOTE_ROOM(MAX_SHOWN)];
    snprintf(line, sizeof line, "%.*s", (int)n, s);
    fprintf(out, "%s%s", quote_print(shown, sizeof shown, line), cut ? " ..." : "");
}

/* Print the value of an attribute: strings, integers and floats, scalars or
 * short arrays; anything else by its type class. */
static void print_attr_value(hid_t attr, FILE *out)
{
    hid_t t = H5Aget_type(attr), space = H5Aget_space(attr);
    hssize_t n = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
    H5T_class_t cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    if (cls == H5T_STRING && n == 1) {
        char *s = read_str_attr_id(attr);
        put_short(out, s ? s : "(unreadable)");
        free(s);
    } else if ((cls == H5T_INTEGER || cls == H5T_FLOAT) && results_sane_type(t) && n >= 1 &&
               n <= 64) {
        double d[64];
        long long i[64];
        herr_t st = cls == H5T_INTEGER ? H5Aread(attr, H5T_NATIVE_LLONG, i)
                                       : H5Aread(attr, H5T_NATIVE_DOUBLE, d);
        if (st < 0)
            fputs("(unreadable)", out);
        else {
            if (n > 1)
                fputc('[', out);
            for (hssize_t k = 0; k < n; k++) {
                if (k)
                    fputs(", ", out);
                if (cls == H5T_INTEGER)
                    fprintf(out, "%lld", i[k]);
                else
                    fprintf(out, "%.10g", d[k]);
            }
            if (n > 1)
                fputc(']', out);
        }
    } else
        fprintf(out, "(%lld values of HDF5 class %d)", (long long)n, (int)cls);
    CLOSE(H5Sclose, space);
    CLOSE(H5Tclose, t);
    H5Eclear2(H5E_DEFAULT);
}

herr_t results_collect_name(hid_t obj, const char *name, const H5A_info_t *info, void *data)
{
    (void)obj;
    (void)info;
    results_names *l = data;
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 16;
        char **p = results_short(realloc(l->names, (size_t)cap * sizeof *p), "a list of names");
        if (!p)
            return -1;
        l->names = p;
        l->cap = cap;
    }
    if (!(l->names[l->n] = results_short(str_dup(name), "a list of names")))
        return -1;
    l->n++;
    return 0;
}

void results_names_free(results_names *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
    l->names = NULL;
    l->n = l->cap = 0;
}

/* Print every attribute of `obj` as "  name<sep>value", names aligned. */
static void print_attrs(hid_t obj, FILE *out, const char *sep)
{
    results_names l = {0};
    hsize_t idx = 0;
    H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, results_collect_name, &l);
    H5Eclear2(H5E_DEFAULT);
    int w = 0;
    for (int i = 0; i < l.n; i++)
        if ((int)strlen(l.names[i]) > w)
            w = (int)strlen(l.names[i]);
    for (int i = 0; i < l.n; i++) {
        hid_t a = H5Aopen(obj, l.names[i], H5P_DEFAULT);
        char shown[QUOTE_ROOM(64)];
        fprintf(out, "  %-*s%s", w, quote_print(shown, sizeof shown, l.names[i]), sep);
        if (a >= 0)
            print_attr_value(a, out);
        else
            fputs("(unreadable)", out);
        fputc('\n', out);
        CLOSE(H5Aclose, a);
    }
    if (l.n == 0)
        fputs("  (none)\n", out);
    results_names_free(&l);
    H5Eclear2(H5E_DEFAULT);
}

/* A grid of strings printed as aligned columns. */
struct grid {
    int cols, rows, cap;
    char **cell; /* rows x cols, row-major, malloc'd strings (NULL = "") */
};

static int grid_add_row(struct grid *g)
{
    if (g->rows == g->cap) {
        int cap = g->cap ? 2 * g->cap : 16;
        char **p = results_short(realloc(g->cell, (size_t)cap * (size_t)g->cols * sizeof *p),
                                 "the rows of a table");
        if (!p)
            return -1;
        g->cell = p;
        g->cap = cap;
    }
    for (int c = 0; c < g->cols; c++)
        g->cell[(size_t)g->rows * (size_t)g->cols + (size_t)c] = NULL;
    g->rows++;
    return 0;
}

/* Set a cell of the last row (takes a copy, cut at the first newline). */
static void grid_set(struct grid *g, int c, const char *s)
{
    char shown[MAX_SHOWN + 8]; /* names from the file: control characters escaped */
    quote_print(shown, sizeof shown, s);
    char *d = results_short(strdup(shown), "a cell of a table");
    g->cell[(size_t)(g->rows - 1) * (size_t)g->cols + (size_t)c] = d;
}

static void grid_print(const struct grid *g, FILE *out, const char *indent)
{
    int *w = results_short(calloc((size_t)g->cols, sizeof *w), "the widths of a table");
    if (!w)
        return;
    for (int r = 0; r < g->rows; r++)
        for (int c = 0; c < g->cols; c++) {
            const char *s = g->cell[(size_t)r * (size_t)g->cols + (size_t)c];
            if (s && (int)strlen(s) > w[c])
                w[c] = (int)strlen(s);
        }
    for (int r = 0; r < g->rows; r++) {
        fputs(indent, out);
        for (int c = 0; c < g->cols; c++) {
            const char *s = g->cell[(size_t)r * (size_t)g->cols + (size_t)c];
            if (c == g->cols - 1)
                fprintf(out, "%s\n", s ? s : "");
            else
                fprintf(out, "%-*s  ", w[c], s ? s : "");
        }
    }
    free(w);
}

static void grid_free(struct grid *g)
{
    for (size_t i = 0; i < (size_t)g->rows * (size_t)g->cols; i++)
        free(g->cell[i]);
    free(g->cell);
}

/* Print a table (either form: results_table_load) with a header line
 * (column names and units) and one line per row, at most MAX_EVENT_ROWS. */
static void print_table(hid_t file, const char *path, FILE *out)
{
    results_table *t = NULL;
    struct grid g = {0};
    if (results_table_load(file, path, path, &t) != BS_OK) {
        fprintf(out, "%s: not a readable table\n", path);
        return;
    }
    int n = t->n_rows, shown = n < MAX_EVENT_ROWS ? n : MAX_EVENT_ROWS;
    fprintf(out, "%s (%d row%s)\n", path, n, n == 1 ? "" : "s");
    g.cols = t->n_cols;
    int ok = grid_add_row(&g) == 0;
    for (int c = 0; ok && c < t->n_cols; c++) {
        const results_column *col = &t->cols[c];
        char head[600];
        snprintf(head, sizeof head, "%s%s%s%s", col->name, col->units[0] ? " [" : "",
                 col->units, col->units[0] ? "]" : "");
        grid_set(&g, c, head);
    }
    for (int r = 0; ok && r < shown && (ok = grid_add_row(&g) == 0); r++)
        for (int c = 0; c < t->n_cols; c++) {
            const results_column *col = &t->cols[c];
            char num[64];
            if (col->type == RCOL_STRING) {
                grid_set(&g, c, ((char *const *)col->data)[r]);
                continue;
            }
            if (col->type == RCOL_INT)
                snprintf(num, sizeof num, "%lld", ((const long long *)col->data)[r]);
            else
                snprintf(num, sizeof num, "%.10g", ((const double *)col->data)[r]);
            grid_set(&g, c, num);
        }
    if (ok) {
        grid_print(&g, out, "  ");
        if (shown < n)
            fprintf(out, "  ... %d more rows\n", n - shown);
    } else
        fprintf(out, "  (cannot read %s)\n", path);
    grid_free(&g);
    results_table_free(t);
}

/* The name of axis k: its label, else the NAME of its first scale. */
static herr_t scale_name(hid_t dset, unsigned dim, hid_t scale, void *data)
{
    (void)dset;
    (void)dim;
    char *buf = data;
    if (H5DSget_scale_name(scale, buf, 64) <= 0)
        buf[0] = '\0';
    return 1; /* the first is enough */
}

/* Whether attribute `name` of `obj` exists, holds a type that passes
 * `check` and is a list of `n` values: the dimension-scale functions read
 * them without looking, in their own type, into room for one value per
 * axis of the dataset (a damaged file with more values, or fixed-length
 * labels, made H5DSget_label() write past that: tests/fuzz). */
static int attr_type_ok(hid_t obj, const char *name, int (*check)(hid_t), int n)
{
    if (H5Aexists(obj, name) <= 0)
        return 0;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t t = a >= 0 ? H5Aget_type(a) : H5I_INVALID_HID;
    hid_t space = a >= 0 ? H5Aget_space(a) : H5I_INVALID_HID;
    int ok = t >= 0 && check(t) && space >= 0 && H5Sget_simple_extent_ndims(space) == 1 &&
             H5Sget_simple_extent_npoints(space) == n;
    CLOSE(H5Sclose, space);
    CLOSE(H5Tclose, t);
    CLOSE(H5Aclose, a);
    H5Eclear2(H5E_DEFAULT);
    return ok;
}

/* DIMENSION_LIST: variable-length sequences of object references. */
static int ref_list_type(hid_t t)
{
    if (H5Tget_class(t) != H5T_VLEN)
        return 0;
    hid_t base = H5Tget_super(t);
    int ok =
        base >= 0 && H5Tget_class(base) == H5T_REFERENCE && H5Tget_size(base) == sizeof(hobj_ref_t);
    CLOSE(H5Tclose, base);
    return ok;
}

/* DIMENSION_LABELS: variable-length strings (H5DSget_label reads them as
 * char pointers). */
static int label_type(hid_t t)
{
    return H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) > 0 && results_sane_type(t);
}

/* Label k of the `rank` in DIMENSION_LABELS into buf ("" if none), read
 * here rather than by H5DSget_label(): HDF5 1.10's reads the labels into
 * an uninitialised array and, when the read fails (a damaged file), frees
 * whatever pointers it holds (a crash found by tests/fuzz). */
static void axis_label(hid_t d, int rank, unsigned k, char *buf, size_t size)
{
    buf[0] = '\0';
    hid_t a = H5Aopen(d, "DIMENSION_LABELS", H5P_DEFAULT);
    hid_t mt = H5Tcopy(H5T_C_S1);
    char **s = results_short(calloc((size_t)rank, sizeof *s), "the labels of an axis");
    if (a >= 0 && mt >= 0 && s && H5Tset_size(mt, H5T_VARIABLE) >= 0 && H5Aread(a, mt, s) >= 0 &&
        s[k])
        snprintf(buf, size, "%s", s[k]);
    for (int i = 0; s && i < rank; i++)
        H5free_memory(s[i]); /* those read before a failure too */
    free(s);
    CLOSE(H5Tclose, mt);
    CLOSE(H5Aclose, a);
    H5Eclear2(H5E_DEFAULT);
}

/* The name of axis k of dataset d, which has `rank` axes. */
static void axis_name(hid_t d, int rank, unsigned k, char *buf, size_t size)
{
    buf[0] = '\0';
    if (!attr_type_ok(d, "DIMENSION_LIST", ref_list_type, rank))
        return;
    if (attr_type_ok(d, "DIMENSION_LABELS", label_type, rank))
        axis_label(d, rank, k, buf, size);
    if (buf[0])
        return;
    if (H5DSget_num_scales(d, k) > 0) {
        char name[64] = "";
        H5DSiterate_scales(d, k, NULL, scale_name, name);
        name[sizeof name - 1] = '\0';
        snprintf(buf, size, "%s", name);
    }
    H5Eclear2(H5E_DEFAULT);
}

static void type_name(hid_t d, char *buf, size_t size)
{
    hid_t t = H5Dget_type(d);
    H5T_class_t cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    size_t bits = t >= 0 ? 8 * H5Tget_size(t) : 0;
    switch (cls) {
    case H5T_FLOAT:
        snprintf(buf, size, "float%zu", bits);
        break;
    case H5T_INTEGER:
        snprintf(buf, size, "%sint%zu", H5Tget_sign(t) == H5T_SGN_NONE ? "u" : "", bits);
        break;
    case H5T_STRING:
        snprintf(buf, size, "string");
        break;
    case H5T_COMPOUND:
        snprintf(buf, size, "table(%d cols)", H5Tget_nmembers(t));
        break;
    default:
        snprintf(buf, size, "class%d", (int)cls);
    }
    CLOSE(H5Tclose, t);
}

struct visit {
    struct grid g;
    int failed;
};

static herr_t visit_link(hid_t group, const char *name, const H5L_info_t *info, void *data)
{
    struct visit *v = data;
    if (info->type != H5L_TYPE_HARD)
        return 0;
    hid_t obj = H5Oopen(group, name, H5P_DEFAULT);
    if (obj < 0) {
        H5Eclear2(H5E_DEFAULT);
        return 0;
    }
    if (H5Iget_type(obj) != H5I_DATASET) {
        H5Oclose(obj);
        return 0;
    }
    if (grid_add_row(&v->g) < 0) {
        H5Oclose(obj);
        v->failed = 1;
        return -1;
    }
    char path[1024], type[64], shape[1024], ax[64];
    snprintf(path, sizeof path, "/%s", name);
    grid_set(&v->g, 0, path);
    type_name(obj, type, sizeof type);
    if (H5DSis_scale(obj) > 0)
        strcat(type, " (dim)");
    grid_set(&v->g, 1, type);

    hid_t space = H5Dget_space(obj);
    int rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    hsize_t dims[H5S_MAX_RANK];
    if (rank == 0)
        snprintf(shape, sizeof shape, "scalar");
    else if (rank > 0 && rank <= H5S_MAX_RANK &&
             H5Sget_simple_extent_dims(space, dims, NULL) >= 0) {
        size_t len = 0;
        shape[len++] = '[';
        for (int k = 0; k < rank && len < sizeof shape - 80; k++) {
            axis_name(obj, rank, (unsigned)k, ax, sizeof ax);
            len += (size_t)snprintf(shape + len, sizeof shape - len, "%s%s%s%llu", k ? ", " : "",
                                    ax, ax[0] ? "=" : "", (unsigned long long)dims[k]);
        }
        snprintf(shape + len, sizeof shape - len, "]");
    } else
        snprintf(shape, sizeof shape, "?");
    CLOSE(H5Sclose, space);
    grid_set(&v->g, 2, shape);

    /* a table's `units` lists every column: too wide here, and /events
     * shows them in its header */
    int table = strncmp(type, "table", 5) == 0;
    char *units = table ? NULL : results_read_str_attr(obj, "units"),
         *desc = results_read_str_attr(obj, "description");
    grid_set(&v->g, 3, table ? "(per column)" : units ? (units[0] ? units : "-") : "(no units)");
    grid_set(&v->g, 4, desc ? desc : "(no description)");
    free(units);
    free(desc);
    H5Oclose(obj);
    H5Eclear2(H5E_DEFAULT);
    return 0;
}

/* The attributes of group `path` under a heading, or "(none)". */
static void print_group(hid_t f, const char *path, const char *sep, FILE *out)
{
    fprintf(out, "\n%s\n", path + 1);
    hid_t g = H5Lexists(f, path, H5P_DEFAULT) > 0 ? H5Oopen(f, path, H5P_DEFAULT) : H5I_INVALID_HID;
    if (g >= 0)
        print_attrs(g, out, sep);
    else
        fputs("  (none)\n", out);
    CLOSE(H5Oclose, g);
    H5Eclear2(H5E_DEFAULT);
}

static int info_here(const char *path, FILE *out)
{
    hid_t f = results_open_checked(path);
    if (f < 0)
        return (int)f;
    int st = results_check_layout(f, path);
    if (st != BS_OK) {
        H5Fclose(f);
        H5Eclear2(H5E_DEFAULT);
        return st;
    }

    static const char *const head[] = {"scenario",     "seed",         "run", "created",
                                       "tool_version", "git_revision", NULL};
    size_t cap = QUOTE_ROOM(strlen(path));
    char *shown = results_short(malloc(cap), "the file's name");
    fprintf(out, "%s\n", shown ? quote_print(shown, cap, path) : "?");
    free(shown);
    for (int i = 0; head[i]; i++) {
        fprintf(out, "  %-14s", head[i]);
        hid_t a = H5Aexists(f, head[i]) > 0 ? H5Aopen(f, head[i], H5P_DEFAULT) : H5I_INVALID_HID;
        if (a >= 0)
            print_attr_value(a, out);
        else
            fputs("(missing)", out);
        fputc('\n', out);
        CLOSE(H5Aclose, a);
    }
    long long version = 0;
    read_int(f, "format_version", &version); /* checked by results_open_checked */
    fprintf(out, "  %-14s%s %lld\n", "format", RESULTS_FORMAT, version);
    char *level = H5Aexists(f, "output") > 0 ? results_read_str_attr(f, "output") : NULL;
    if (level && strcmp(level, "full") != 0)
        fprintf(out, "  %-14s%s (%s)\n", "output", level,
                strcmp(level, "daily") == 0
                    ? "no hourly network and censor data; the summary numbers are all there"
                    : "only /config, /provenance and the /summary numbers");
    free(level);
    H5Eclear2(H5E_DEFAULT);

    print_group(f, "/provenance", "  ", out);

    fputc('\n', out);
    if (H5Lexists(f, "/events", H5P_DEFAULT) > 0)
        print_table(f, "/events", out);
    else
        fputs("events: none\n", out);
    H5Eclear2(H5E_DEFAULT);

    struct visit v = {.g = {.cols = 5}};
    if (grid_add_row(&v.g) == 0) {
        static const char *const hdr[] = {"dataset", "type", "shape", "units", "description"};
        for (int c = 0; c < 5; c++)
            grid_set(&v.g, c, hdr[c]);
        H5Lvisit(f, H5_INDEX_NAME, H5_ITER_INC, visit_link, &v);
        H5Eclear2(H5E_DEFAULT);
        fputs("\ndatasets\n", out);
        grid_print(&v.g, out, "  ");
    }
    grid_free(&v.g);

    print_group(f, "/summary", " = ", out);

    H5Fclose(f);
    H5Eclear2(H5E_DEFAULT);
    if (v.failed || ferror(out))
        return bs_fail(BS_ERUNTIME, "%s: cannot write the description", path);
    return BS_OK;
}

/* ---- isolation ------------------------------------------------------------ */

static int isolate = 1, child_cpu_seconds = RESULTS_CHILD_CPU_SECONDS;

void results_set_isolation(int on) { isolate = on; }

void results_set_child_cpu_limit(int seconds)
{
    child_cpu_seconds = seconds > 0 ? seconds : RESULTS_CHILD_CPU_SECONDS;
}

/* fn(path, out), and "out of memory: <what>, reading PATH" if memory ran
 * out for something fn carried on without (results_short). */
int results_reader_run(const char *path, FILE *out, int (*fn)(const char *, FILE *))
{
    ran_short = NULL;
    int rc = fn(path, out);
    if (ran_short && rc != BS_ENOMEM)
        rc = bs_nomem("%s, reading %s", ran_short, path);
    ran_short = NULL;
    return rc;
}

/* Run fn(path, out) in a child process (see the top of the file).  Output
 * goes through one pipe to `out` (NULL: none), the status and message come
 * back through another after the output is closed, so neither can block. */
int results_isolated(const char *path, FILE *out, int (*fn)(const char *, FILE *))
{
    if (!isolate)
        return results_reader_run(path, out, fn);
    int data[2] = {-1, -1}, msg[2] = {-1, -1};
    if (pipe(data) != 0 || pipe(msg) != 0) {
        for (int i = 0; i < 2; i++) {
            if (data[i] >= 0)
                close(data[i]);
        }
        return results_reader_run(path, out, fn);
    }
    if (out)
        fflush(out);
    pid_t pid = fork();
    if (pid < 0) {
        close(data[0]), close(data[1]), close(msg[0]), close(msg[1]);
        return results_reader_run(path, out, fn);
    }
    if (pid == 0) {
        /* Die of a crash, whatever handlers the program (or a test
         * framework, which would longjmp back into its runner) installed. */
        static const int crash[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
        for (size_t i = 0; i < sizeof crash / sizeof *crash; i++)
            signal(crash[i], SIG_DFL);
        /* and of SIGXCPU if HDF5 loops (a second more for the hard limit) */
        signal(SIGXCPU, SIG_DFL);
        struct rlimit cpu = {(rlim_t)child_cpu_seconds, (rlim_t)child_cpu_seconds + 1};
        setrlimit(RLIMIT_CPU, &cpu);
        close(data[0]);
        close(msg[0]);
        FILE *w = out ? fdopen(data[1], "w") : NULL;
        if (!w)
            close(data[1]);
        int rc = out && !w ? bs_fail(BS_ERUNTIME, "%s: cannot pass the description on", path)
                           : results_reader_run(path, w, fn);
        if (w)
            fclose(w); /* the parent sees the end of the output */
        const char *m = bs_last_error();
        wire_write_all(msg[1], &rc, sizeof rc);
        wire_write_all(msg[1], m, strlen(m));
        close(msg[1]);
        _exit(0);
    }
    close(data[1]);
    close(msg[1]);
    char buf[4096];
    ssize_t k;
    while ((k = read(data[0], buf, sizeof buf)) != 0) {
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            break;
        if (out)
            fwrite(buf, 1, (size_t)k, out);
    }
    close(data[0]);
    char reply[sizeof(int) + 2048];
    size_t got = 0;
    while (got < sizeof reply - 1 && (k = read(msg[0], reply + got, sizeof reply - 1 - got)) != 0) {
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            break;
        got += (size_t)k;
    }
    close(msg[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (WIFSIGNALED(st) && WTERMSIG(st) == SIGXCPU)
        return bs_fail(BS_EINPUT,
                       "%s: damaged HDF5 file (reading it did not end within %d s of CPU time)",
                       path, child_cpu_seconds);
    if (WIFSIGNALED(st) || got < sizeof(int))
        return bs_fail(BS_EINPUT, "%s: damaged HDF5 file (reading it crashed the HDF5 library%s)",
                       path, WIFSIGNALED(st) ? "" : ": no answer");
    int rc;
    memcpy(&rc, reply, sizeof rc);
    reply[got] = '\0';
    if (rc != BS_OK)
        return bs_fail(rc, "%s", reply + sizeof rc);
    if (out && ferror(out))
        return bs_fail(BS_ERUNTIME, "%s: cannot write the description", path);
    return BS_OK;
}

int results_check(const char *path) { return results_isolated(path, NULL, check_here); }

/* The root attribute `output` of a checked file, printed to out. */
static int output_here(const char *path, FILE *out)
{
    hid_t f = results_open_checked(path);
    if (f < 0)
        return (int)f;
    char *v = H5Aexists(f, "output") > 0 ? results_read_str_attr(f, "output") : NULL;
    fputs(v ? v : "full", out);
    free(v);
    H5Fclose(f);
    H5Eclear2(H5E_DEFAULT);
    return BS_OK;
}

int results_output_level(const char *path, char *level, size_t size)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (!m)
        return bs_nomem("the output level of %s", path);
    int st = results_isolated(path, m, output_here);
    fclose(m);
    snprintf(level, size, "%s", st == BS_OK && text ? text : "");
    free(text);
    return st;
}

int results_info(const char *path, FILE *out) { return results_isolated(path, out, info_here); }
