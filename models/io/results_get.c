/* results_get: reading values back from results files (results.h): the
 * /summary numbers with /config/text, and tables.
 *
 * Like results_info(), the reading is done in a child process
 * (results_isolated), because a damaged file can crash the HDF5 library.
 * The child sends what it read through a pipe in a small binary form (tagged
 * records of 64-bit numbers and length-prefixed strings, in the machine's
 * byte order: both ends are the same program); the parent checks every
 * length against what arrived before using it.
 */
#include "io/results.h"

#include "io/results_internal.h"
#include "base/status.h"
#include "base/wire.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* More rows than this in a table is taken as damage, not data (as in
 * results_table.c). */
#define MAX_TABLE_ROWS 100000000ull

/* Run fn on `path` (in a child when `isolate`) and hand back what it wrote
 * (malloc'd). */
static int fetch(const char *path, int (*fn)(const char *, FILE *), int isolate, char **buf,
                 size_t *len)
{
    *buf = NULL;
    *len = 0;
    FILE *mem = open_memstream(buf, len);
    if (!mem)
        return bs_nomem("a buffer to read %s", path);
    int st = isolate ? results_isolated(path, mem, fn) : results_reader_run(path, mem, fn);
    if (fclose(mem) != 0 && st == BS_OK)
        st = bs_nomem("a buffer to read %s", path);
    if (st != BS_OK) {
        free(*buf);
        *buf = NULL;
    }
    return st;
}

/* ---- /summary and /config/text --------------------------------------------- */

enum { TAG_NUMBER = 'N', TAG_TEXT = 'T', TAG_SCENARIO = 'S' };

/* A numeric scalar attribute as a double: 1 read, 0 not a number. */
static int attr_number(hid_t obj, const char *name, double *v)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t t = a >= 0 ? H5Aget_type(a) : H5I_INVALID_HID;
    hid_t space = a >= 0 ? H5Aget_space(a) : H5I_INVALID_HID;
    H5T_class_t cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    int ok = (cls == H5T_INTEGER || cls == H5T_FLOAT) && results_sane_type(t) && space >= 0 &&
             H5Sget_simple_extent_npoints(space) == 1 && H5Aread(a, H5T_NATIVE_DOUBLE, v) >= 0;
    CLOSE(H5Sclose, space);
    CLOSE(H5Tclose, t);
    CLOSE(H5Aclose, a);
    H5Eclear2(H5E_DEFAULT);
    return ok;
}

/* The text of /config/text, a scalar variable-length string (malloc'd), or
 * NULL if there is none. */
static char *config_text(hid_t f)
{
    const char *path = "/config/text";
    char *out = NULL, *s = NULL;
    if (H5Lexists(f, "/config", H5P_DEFAULT) <= 0 || H5Lexists(f, path, H5P_DEFAULT) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return NULL;
    }
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    hid_t t = d >= 0 ? H5Dget_type(d) : H5I_INVALID_HID;
    hid_t space = d >= 0 ? H5Dget_space(d) : H5I_INVALID_HID;
    hid_t mt = H5I_INVALID_HID;
    if (t >= 0 && space >= 0 && H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) > 0 &&
        results_sane_type(t) && H5Sget_simple_extent_type(space) == H5S_SCALAR &&
        (mt = H5Tcopy(H5T_C_S1)) >= 0 && H5Tset_size(mt, H5T_VARIABLE) >= 0 &&
        H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, &s) >= 0) {
        out = strdup(s ? s : "");
        H5free_memory(s);
    }
    CLOSE(H5Tclose, mt);
    CLOSE(H5Sclose, space);
    CLOSE(H5Tclose, t);
    CLOSE(H5Dclose, d);
    H5Eclear2(H5E_DEFAULT);
    return out;
}

static int numbers_here(const char *path, FILE *out)
{
    hid_t f = results_open_checked(path);
    if (f < 0)
        return (int)f;
    results_names l = {0};
    hid_t g = H5I_INVALID_HID;
    int listed = 1;
    if (H5Lexists(f, "/summary", H5P_DEFAULT) > 0 &&
        (g = H5Oopen(f, "/summary", H5P_DEFAULT)) >= 0) {
        hsize_t idx = 0;
        listed = H5Aiterate2(g, H5_INDEX_NAME, H5_ITER_INC, &idx, results_collect_name, &l) >= 0;
    }
    H5Eclear2(H5E_DEFAULT);
    for (int i = 0; i < l.n; i++) {
        double v;
        if (attr_number(g, l.names[i], &v)) {
            fputc(TAG_NUMBER, out);
            wire_put_str(out, l.names[i]);
            wire_put_f64(out, v);
        }
    }
    char *text = config_text(f);
    if (text) {
        fputc(TAG_TEXT, out);
        wire_put_str(out, text);
    }
    free(text);
    char *scenario = results_read_str_attr(f, "scenario");
    if (scenario) {
        fputc(TAG_SCENARIO, out);
        wire_put_str(out, scenario);
    }
    free(scenario);
    results_names_free(&l);
    CLOSE(H5Oclose, g);
    H5Fclose(f);
    H5Eclear2(H5E_DEFAULT);
    if (!listed)
        return bs_fail(BS_EINPUT, "%s: /summary: cannot list its numbers", path);
    return ferror(out) ? bs_fail(BS_ERUNTIME, "%s: cannot pass the values on", path) : BS_OK;
}

void results_numbers_free(results_numbers *n)
{
    if (!n)
        return;
    for (int i = 0; i < n->n; i++)
        free(n->names[i]);
    free(n->names);
    free(n->values);
    free(n->config_text);
    free(n->scenario);
    free(n);
}

static int read_numbers(const char *path, int isolate, results_numbers **out)
{
    *out = NULL;
    char *buf;
    size_t len;
    int st = fetch(path, numbers_here, isolate, &buf, &len);
    if (st != BS_OK)
        return st;
    results_numbers *n = calloc(1, sizeof *n);
    wire_reader c = {buf, buf + len, !n, !n};
    int cap = 0;
    while (!c.bad && c.p < c.end) {
        char tag = *c.p++;
        if (tag == TAG_TEXT && !n->config_text) {
            n->config_text = wire_get_str(&c);
        } else if (tag == TAG_SCENARIO && !n->scenario) {
            n->scenario = wire_get_str(&c);
        } else if (tag == TAG_NUMBER) {
            if (n->n == cap) {
                cap = cap ? 2 * cap : 32;
                char **names = realloc(n->names, (size_t)cap * sizeof *names);
                if (names)
                    n->names = names;
                double *values = realloc(n->values, (size_t)cap * sizeof *values);
                if (values)
                    n->values = values;
                if (!names || !values) {
                    c.bad = c.nomem = 1;
                    break;
                }
            }
            char *name = wire_get_str(&c);
            double v = wire_get_f64(&c);
            if (c.bad) {
                free(name);
                break;
            }
            n->names[n->n] = name;
            n->values[n->n++] = v;
        } else
            c.bad = 1;
    }
    free(buf);
    if (n && !c.bad && !n->config_text)
        n->config_text = strdup("");
    if (n && !c.bad && !n->scenario)
        n->scenario = strdup("");
    if (!n || c.bad || !n->config_text || !n->scenario) {
        results_numbers_free(n);
        return c.nomem || !c.bad ? bs_nomem("the summary numbers of %s", path)
                                 : bs_fail(BS_ERUNTIME, "%s: cannot read /summary", path);
    }
    *out = n;
    return BS_OK;
}

/* ---- tables --------------------------------------------------------------- */

/* The child's second argument (results_isolated passes only the path): set
 * by results_read_table just before it forks. */
static _Thread_local const char *table_dset;

/* Read the table (either format version: results_table_load) and pass it
 * on: rows, columns, then per column its type, name, units and values. */
static int table_here(const char *path, FILE *out)
{
    const char *dset = table_dset;
    hid_t f = results_open_checked(path);
    if (f < 0)
        return (int)f;
    results_table *t = NULL;
    int st = results_table_load(f, path, dset, &t);
    H5Fclose(f);
    H5Eclear2(H5E_DEFAULT);
    if (st != BS_OK)
        return st;
    wire_put_u64(out, (uint64_t)t->n_rows);
    wire_put_u64(out, (uint64_t)t->n_cols);
    for (int c = 0; c < t->n_cols; c++) {
        const results_column *col = &t->cols[c];
        wire_put_u64(out, col->type);
        wire_put_str(out, col->name);
        wire_put_str(out, col->units);
        if (col->type != RCOL_STRING)
            fwrite(col->data, 8, (size_t)t->n_rows, out); /* in the machine's layout */
        else
            for (int i = 0; i < t->n_rows; i++)
                wire_put_str(out, ((char *const *)col->data)[i]);
    }
    results_table_free(t);
    if (ferror(out))
        return bs_fail(BS_ERUNTIME, "%s: %s: cannot pass the table on", path, dset);
    return BS_OK;
}

int results_read_numbers(const char *path, results_numbers **out)
{
    return read_numbers(path, 1, out);
}

int results_read_own_numbers(const char *path, results_numbers **out)
{
    return read_numbers(path, 0, out);
}

void results_table_free(results_table *t)
{
    if (!t)
        return;
    for (int c = 0; c < t->n_cols; c++) {
        results_column *col = &t->cols[c];
        if (col->type == RCOL_STRING && col->data)
            for (int i = 0; i < t->n_rows; i++)
                free(((char **)col->data)[i]);
        free((void *)col->data);
        free((void *)col->name);
        free((void *)col->units);
    }
    free(t->cols);
    free(t);
}

/* Parse the child's answer into a table; NULL if it does not add up. */
static results_table *parse_table(wire_reader *c)
{
    uint64_t rows = wire_get_u64(c), ncols = wire_get_u64(c);
    if (c->bad || rows > MAX_TABLE_ROWS || ncols < 1 || ncols > 4096)
        return NULL;
    results_table *t = calloc(1, sizeof *t);
    if (!t || !(t->cols = calloc(ncols, sizeof *t->cols))) {
        free(t);
        c->bad = c->nomem = 1;
        return NULL;
    }
    t->n_rows = (int)rows;
    for (uint64_t k = 0; k < ncols && !c->bad; k++) {
        results_column *col = &t->cols[k];
        uint64_t type = wire_get_u64(c);
        col->type = type == RCOL_STRING ? RCOL_STRING : type == RCOL_INT ? RCOL_INT : RCOL_DOUBLE;
        t->n_cols = (int)k + 1;
        col->name = wire_get_str(c);
        col->units = wire_get_str(c);
        if (c->bad || type > RCOL_INT ||
            (type != RCOL_STRING && (uint64_t)(c->end - c->p) / 8 < rows)) {
            c->bad = 1;
            break;
        }
        void *data = calloc(rows ? rows : 1, 8);
        col->data = data;
        if (!data) {
            c->bad = c->nomem = 1;
            break;
        }
        if (col->type != RCOL_STRING) {
            memcpy(data, c->p, rows * 8);
            c->p += rows * 8;
        }
        for (uint64_t i = 0; col->type == RCOL_STRING && i < rows && !c->bad; i++)
            ((char **)data)[i] = wire_get_str(c);
    }
    if (c->bad || c->p != c->end) {
        results_table_free(t);
        return NULL;
    }
    return t;
}

int results_read_table(const char *path, const char *dset, results_table **out)
{
    *out = NULL;
    char *buf;
    size_t len;
    table_dset = dset;
    int st = fetch(path, table_here, 1, &buf, &len);
    if (st != BS_OK)
        return st;
    wire_reader c = {buf, buf + len, 0, 0};
    results_table *t = parse_table(&c);
    free(buf);
    if (!t)
        return c.nomem ? bs_nomem("the table %s of %s", dset, path)
                       : bs_fail(BS_ERUNTIME, "%s: %s: cannot read the table", path, dset);
    *out = t;
    return BS_OK;
}
