/* results_table: reading a table of an open results file, in either of its
 * forms (results_internal.h):
 *
 * - format version 2: the group TABLE with one 1-D dataset per column, in
 *   the order of the group's attribute `columns` (results_write_table);
 * - format version 1: the 1-D compound dataset TABLE, one member per column,
 *   the units of column C in the attribute units_C.
 *
 * Columns of strings, integers and floats are read (as char *, long long
 * and double); anything else, a column of another length, or a table of
 * more than MAX_TABLE_ROWS rows is BS_EINPUT naming the file and the table.
 * Allocations go through results_short: a reader run by results_isolated
 * then fails with "out of memory" rather than "damaged file".
 */
#include "io/results.h"

#include "io/results_internal.h"
#include "base/status.h"

#include <stdlib.h>
#include <string.h>

/* More rows than this in a table is taken as damage, not data. */
#define MAX_TABLE_ROWS 100000000ull
#define MAX_TABLE_COLS 4096

static int table_fail(const char *path, const char *dset, const char *what)
{
    H5Eclear2(H5E_DEFAULT);
    return bs_fail(BS_EINPUT, "%s: %s: %s", path, dset, what);
}

hid_t results_str_type(void)
{
    hid_t s = H5Tcopy(H5T_C_S1);
    if (s >= 0 && (H5Tset_size(s, H5T_VARIABLE) < 0 || H5Tset_cset(s, H5T_CSET_UTF8) < 0)) {
        H5Tclose(s);
        s = H5I_INVALID_HID;
    }
    return s;
}

static enum results_col_type col_type(H5T_class_t cls)
{
    return cls == H5T_STRING ? RCOL_STRING : cls == H5T_INTEGER ? RCOL_INT : RCOL_DOUBLE;
}

/* Copy n strings read by HDF5 into malloc'd ones (NULL read as ""). */
static int take_strings(char **dst, char **src, hsize_t n)
{
    for (hsize_t i = 0; i < n; i++)
        if (!(dst[i] = results_short(strdup(src[i] ? src[i] : ""), "the strings of a table")))
            return -1;
    return 0;
}

static results_table *table_new(hsize_t rows, int ncols)
{
    results_table *t = results_short(calloc(1, sizeof *t), "a table");
    if (!t || !(t->cols = results_short(calloc((size_t)ncols, sizeof *t->cols), "a table"))) {
        free(t);
        return NULL;
    }
    t->n_rows = (int)rows;
    return t;
}

/* Read column `name` (1-D, n values of class cls) of an open dataset: a
 * whole dataset (member NULL) or a compound's member. */
static int read_col(hid_t d, const char *member, H5T_class_t cls, hsize_t n, results_column *col,
                    hid_t str)
{
    col->type = col_type(cls);
    void *buf = results_short(calloc(n ? (size_t)n : 1, 8), "a column of a table");
    col->data = buf;
    if (!buf)
        return -1;
    if (n == 0)
        return 0;
    hid_t mt = col->type == RCOL_STRING ? str
               : col->type == RCOL_INT  ? H5T_NATIVE_LLONG
                                        : H5T_NATIVE_DOUBLE;
    hid_t rt = mt, space = H5I_INVALID_HID;
    if (member && ((rt = H5Tcreate(H5T_COMPOUND, 8)) < 0 || H5Tinsert(rt, member, 0, mt) < 0)) {
        CLOSE(H5Tclose, rt);
        return -1;
    }
    int rc = H5Dread(d, rt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0 ? -1 : 0;
    if (rc == 0 && col->type == RCOL_STRING) {
        char **got = results_short(malloc((size_t)n * sizeof *got), "a column of a table");
        rc = got ? 0 : -1;
        if (got) {
            memcpy(got, buf, (size_t)n * sizeof *got);
            memset(buf, 0, (size_t)n * sizeof *got);
            rc = take_strings(buf, got, n);
            space = H5Screate_simple(1, &n, NULL);
            if (space < 0 || H5Dvlen_reclaim(rt, space, H5P_DEFAULT, got) < 0)
                rc = -1;
            free(got);
        }
    }
    CLOSE(H5Sclose, space);
    if (member)
        CLOSE(H5Tclose, rt);
    return rc;
}

/* Version 1: a compound dataset. */
static int load_compound(hid_t f, const char *path, const char *dset, results_table **out)
{
    int st = BS_OK, ncols = 0;
    hsize_t n = 0;
    hid_t d = H5Dopen2(f, dset, H5P_DEFAULT);
    hid_t ft = d >= 0 ? H5Dget_type(d) : H5I_INVALID_HID;
    hid_t space = d >= 0 ? H5Dget_space(d) : H5I_INVALID_HID, str = results_str_type();
    results_table *t = NULL;
    if (ft < 0 || space < 0 || H5Tget_class(ft) != H5T_COMPOUND || !results_sane_type(ft) ||
        H5Sget_simple_extent_ndims(space) != 1 || H5Sget_simple_extent_dims(space, &n, NULL) < 0 ||
        n > MAX_TABLE_ROWS || (ncols = H5Tget_nmembers(ft)) < 1 || ncols > MAX_TABLE_COLS) {
        st = table_fail(path, dset, "not a readable table");
        goto done;
    }
    if (str < 0 || !(t = table_new(n, ncols))) {
        st = bs_nomem("the table %s of %s", dset, path);
        goto done;
    }
    for (int c = 0; c < ncols && st == BS_OK; c++) {
        char *name = H5Tget_member_name(ft, (unsigned)c);
        H5T_class_t cls = H5Tget_member_class(ft, (unsigned)c);
        char attr[300], what[300];
        snprintf(attr, sizeof attr, "units_%s", name ? name : "");
        results_column *col = &t->cols[c];
        t->n_cols = c + 1;
        col->type = RCOL_DOUBLE;
        char *units = name ? results_read_str_attr(d, attr) : NULL;
        col->name = name ? results_short(strdup(name), "a column's name") : NULL;
        col->units = results_short(strdup(units ? units : ""), "a column's units");
        if (!name || (cls != H5T_STRING && cls != H5T_INTEGER && cls != H5T_FLOAT)) {
            snprintf(what, sizeof what, "column %s: cannot read it", name ? name : "?");
            st = table_fail(path, dset, what);
        } else if (!col->name || !col->units || read_col(d, name, cls, n, col, str) < 0) {
            snprintf(what, sizeof what, "column %s: cannot read it (damaged file?)", name);
            st = table_fail(path, dset, what);
        }
        free(units);
        H5free_memory(name);
    }
done:
    CLOSE(H5Tclose, str);
    CLOSE(H5Sclose, space);
    CLOSE(H5Tclose, ft);
    CLOSE(H5Dclose, d);
    H5Eclear2(H5E_DEFAULT);
    if (st == BS_OK)
        *out = t;
    else
        results_table_free(t);
    return st;
}

/* The attribute `columns` of group g: ncols names (malloc'd, free with
 * free_names), or NULL. */
static char **column_names(hid_t g, int *ncols)
{
    *ncols = 0;
    hid_t a = H5Aexists(g, "columns") > 0 ? H5Aopen(g, "columns", H5P_DEFAULT) : H5I_INVALID_HID;
    hid_t t = a >= 0 ? H5Aget_type(a) : H5I_INVALID_HID;
    hid_t sp = a >= 0 ? H5Aget_space(a) : H5I_INVALID_HID, mt = results_str_type();
    hsize_t n = 0;
    char **v = NULL, **out = NULL;
    if (t >= 0 && sp >= 0 && mt >= 0 && H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) > 0 &&
        H5Sget_simple_extent_ndims(sp) == 1 && H5Sget_simple_extent_dims(sp, &n, NULL) >= 0 &&
        n >= 1 && n <= MAX_TABLE_COLS &&
        (v = results_short(calloc((size_t)n, sizeof *v), "the column names of a table")) &&
        H5Aread(a, mt, v) >= 0 &&
        (out = results_short(calloc((size_t)n, sizeof *out), "the column names of a table"))) {
        *ncols = (int)n;
        if (take_strings(out, v, n) < 0) {
            for (hsize_t i = 0; i < n; i++)
                free(out[i]);
            free(out);
            out = NULL;
            *ncols = 0;
        }
    }
    for (hsize_t i = 0; v && i < n; i++)
        H5free_memory(v[i]);
    free(v);
    CLOSE(H5Tclose, mt);
    CLOSE(H5Sclose, sp);
    CLOSE(H5Tclose, t);
    CLOSE(H5Aclose, a);
    H5Eclear2(H5E_DEFAULT);
    return out;
}

/* Version 2: a group of columns. */
static int load_columns(hid_t f, const char *path, const char *dset, results_table **out)
{
    int st = BS_OK, ncols = 0;
    hid_t g = H5Gopen2(f, dset, H5P_DEFAULT), str = results_str_type();
    char **names = g >= 0 ? column_names(g, &ncols) : NULL;
    results_table *t = NULL;
    hsize_t rows = 0;
    if (!names) {
        st = table_fail(path, dset, "not a readable table (no list of columns)");
        goto done;
    }
    if (str < 0 || !(t = table_new(0, ncols))) {
        st = bs_nomem("the table %s of %s", dset, path);
        goto done;
    }
    for (int c = 0; c < ncols && st == BS_OK; c++) {
        char what[400];
        results_column *col = &t->cols[c];
        t->n_cols = c + 1;
        col->type = RCOL_DOUBLE;
        col->name = results_short(strdup(names[c]), "a column's name");
        hid_t d = H5I_INVALID_HID, ft = H5I_INVALID_HID, sp = H5I_INVALID_HID;
        hsize_t n = 0;
        H5O_info_t oi;
        H5T_class_t cls = H5T_NO_CLASS;
        if (!col->name || strchr(names[c], '/') || !names[c][0] ||
            H5Lexists(g, names[c], H5P_DEFAULT) <= 0 ||
            H5Oget_info_by_name(g, names[c], &oi, H5P_DEFAULT) < 0 ||
            oi.type != H5O_TYPE_DATASET || (d = H5Dopen2(g, names[c], H5P_DEFAULT)) < 0 ||
            (ft = H5Dget_type(d)) < 0 || (sp = H5Dget_space(d)) < 0 ||
            ((cls = H5Tget_class(ft)) != H5T_STRING && cls != H5T_INTEGER && cls != H5T_FLOAT) ||
            !results_sane_type(ft) || (cls == H5T_STRING && H5Tis_variable_str(ft) <= 0) ||
            H5Sget_simple_extent_ndims(sp) != 1 || H5Sget_simple_extent_dims(sp, &n, NULL) < 0) {
            snprintf(what, sizeof what, "column %s: not a list of numbers or strings", names[c]);
            st = table_fail(path, dset, what);
        } else if (n > MAX_TABLE_ROWS || (c > 0 && n != rows)) {
            snprintf(what, sizeof what, "column %s: %llu rows, not %llu", names[c],
                     (unsigned long long)n, (unsigned long long)rows);
            st = table_fail(path, dset, what);
        } else {
            rows = n;
            char *units = results_read_str_attr(d, "units");
            col->units = results_short(strdup(units ? units : ""), "a column's units");
            free(units);
            if (!col->units || read_col(d, NULL, cls, n, col, str) < 0) {
                snprintf(what, sizeof what, "column %s: cannot read it (damaged file?)", names[c]);
                st = table_fail(path, dset, what);
            }
        }
        CLOSE(H5Sclose, sp);
        CLOSE(H5Tclose, ft);
        CLOSE(H5Dclose, d);
    }
    if (t)
        t->n_rows = (int)rows;
done:
    for (int c = 0; names && c < ncols; c++)
        free(names[c]);
    free(names);
    CLOSE(H5Tclose, str);
    CLOSE(H5Gclose, g);
    H5Eclear2(H5E_DEFAULT);
    if (st == BS_OK)
        *out = t;
    else
        results_table_free(t);
    return st;
}

int results_table_load(hid_t f, const char *path, const char *dset, results_table **out)
{
    *out = NULL;
    H5O_info_t oi;
    if (H5Lexists(f, dset, H5P_DEFAULT) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return table_fail(path, dset, "no such table");
    }
    if (H5Oget_info_by_name(f, dset, &oi, H5P_DEFAULT) < 0)
        return table_fail(path, dset, "cannot read its header (damaged file?)");
    if (oi.type == H5O_TYPE_GROUP)
        return load_columns(f, path, dset, out);
    if (oi.type == H5O_TYPE_DATASET)
        return load_compound(f, path, dset, out);
    return table_fail(path, dset, "not a table");
}

const char *results_dims_prefix(hid_t f)
{
    htri_t v1 = H5Lexists(f, "/dims", H5P_DEFAULT);
    H5Eclear2(H5E_DEFAULT);
    return v1 > 0 ? "/dims/" : "/";
}
