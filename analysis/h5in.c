#include "analysis/h5in.h"

#include "base/status.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct h5in {
    hid_t file;
    char path[1024];
};

h5in *h5in_open(const char *path)
{
    h5in *f = calloc(1, sizeof *f);
    if (!f) {
        bs_fail(BS_ENOMEM, "out of memory");
        return NULL;
    }
    snprintf(f->path, sizeof f->path, "%s", path);
    H5E_BEGIN_TRY { f->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT); }
    H5E_END_TRY;
    if (f->file < 0) {
        bs_fail(BS_EINPUT, "%s: cannot open as HDF5", path);
        free(f);
        return NULL;
    }
    return f;
}

void h5in_close(h5in *f)
{
    if (!f)
        return;
    H5Fclose(f->file);
    free(f);
}

/* Whether every link of the path exists (H5Lexists needs the parents). */
int h5in_has(h5in *f, const char *path)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        htri_t ok;
        H5E_BEGIN_TRY { ok = H5Lexists(f->file, buf, H5P_DEFAULT); }
        H5E_END_TRY;
        if (ok <= 0)
            return 0;
        if (c == '\0')
            return 1;
        *p = c;
    }
}

double *h5in_doubles(h5in *f, const char *path, int *rank, size_t shape[4])
{
    hid_t d = -1, sp = -1;
    double *x = NULL;
    H5E_BEGIN_TRY
    {
        d = H5Dopen2(f->file, path, H5P_DEFAULT);
        sp = d >= 0 ? H5Dget_space(d) : -1;
    }
    H5E_END_TRY;
    int r = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    hsize_t dims[4] = {0};
    size_t n = 1;
    if (r < 1 || r > 4) {
        bs_fail(BS_EINPUT, "%s: %s: missing or not an array of rank 1 to 4", f->path, path);
        goto done;
    }
    H5Sget_simple_extent_dims(sp, dims, NULL);
    for (int k = 0; k < r; k++) {
        shape[k] = (size_t)dims[k];
        n *= (size_t)dims[k];
    }
    x = malloc(sizeof(double) * (n ? n : 1));
    if (!x) {
        bs_fail(BS_ENOMEM, "%s: %s: out of memory", f->path, path);
        goto done;
    }
    herr_t st;
    H5E_BEGIN_TRY { st = H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x); }
    H5E_END_TRY;
    if (st < 0) {
        bs_fail(BS_EINPUT, "%s: %s: cannot be read as numbers", f->path, path);
        free(x);
        x = NULL;
        goto done;
    }
    *rank = r;
done:
    if (sp >= 0)
        H5Sclose(sp);
    if (d >= 0)
        H5Dclose(d);
    return x;
}

/* A variable-length UTF-8 string type for reading. */
static hid_t vlen_str(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

char **h5in_names(h5in *f, const char *path, int *n)
{
    hid_t d = -1, sp = -1, t = vlen_str();
    char **names = NULL, **raw = NULL;
    H5E_BEGIN_TRY
    {
        d = H5Dopen2(f->file, path, H5P_DEFAULT);
        sp = d >= 0 ? H5Dget_space(d) : -1;
    }
    H5E_END_TRY;
    hsize_t len = 0;
    if (sp < 0 || H5Sget_simple_extent_ndims(sp) != 1) {
        bs_fail(BS_EINPUT, "%s: %s: missing or not a list of names", f->path, path);
        goto done;
    }
    H5Sget_simple_extent_dims(sp, &len, NULL);
    raw = calloc(len ? len : 1, sizeof *raw);
    names = calloc(len ? len : 1, sizeof *names);
    herr_t st = -1;
    if (raw && names)
        H5E_BEGIN_TRY { st = H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw); }
    H5E_END_TRY;
    if (st < 0) {
        bs_fail(BS_EINPUT, "%s: %s: cannot be read as names", f->path, path);
        free(names);
        names = NULL;
        goto done;
    }
    for (hsize_t i = 0; i < len; i++)
        names[i] = strdup(raw[i] ? raw[i] : "");
    H5Dvlen_reclaim(t, sp, H5P_DEFAULT, raw);
    *n = (int)len;
done:
    free(raw);
    if (sp >= 0)
        H5Sclose(sp);
    if (d >= 0)
        H5Dclose(d);
    H5Tclose(t);
    return names;
}

void h5in_free_names(char **names, int n)
{
    for (int i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

char *h5in_attr_str(h5in *f, const char *obj, const char *name)
{
    hid_t a = -1, t = vlen_str();
    char *v = NULL, *out = NULL;
    H5E_BEGIN_TRY { a = H5Aopen_by_name(f->file, obj, name, H5P_DEFAULT, H5P_DEFAULT); }
    H5E_END_TRY;
    if (a >= 0 && H5Aread(a, t, &v) >= 0 && v) {
        out = strdup(v);
        H5free_memory(v);
    }
    if (a >= 0)
        H5Aclose(a);
    H5Tclose(t);
    return out;
}

h5in_event *h5in_events(h5in *f, int *n)
{
    struct row {
        char *date, *action, *apps;
    };
    hid_t d = -1, sp = -1, s = vlen_str(), mt = H5Tcreate(H5T_COMPOUND, sizeof(struct row));
    H5Tinsert(mt, "date", HOFFSET(struct row, date), s);
    H5Tinsert(mt, "action", HOFFSET(struct row, action), s);
    H5Tinsert(mt, "apps", HOFFSET(struct row, apps), s);
    h5in_event *ev = NULL;
    struct row *rows = NULL;
    *n = 0;
    H5E_BEGIN_TRY
    {
        d = H5Dopen2(f->file, "/events", H5P_DEFAULT);
        sp = d >= 0 ? H5Dget_space(d) : -1;
    }
    H5E_END_TRY;
    hsize_t len = 0;
    if (sp < 0) {
        bs_fail(BS_EINPUT, "%s: /events: missing", f->path);
        goto done;
    }
    H5Sget_simple_extent_dims(sp, &len, NULL);
    rows = calloc(len ? len : 1, sizeof *rows);
    ev = calloc(len ? len : 1, sizeof *ev);
    herr_t st = -1;
    if (rows && ev)
        H5E_BEGIN_TRY { st = H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows); }
    H5E_END_TRY;
    if (st < 0) {
        bs_fail(BS_EINPUT, "%s: /events: cannot be read (date, action, apps)", f->path);
        free(ev);
        ev = NULL;
        goto done;
    }
    for (hsize_t i = 0; i < len; i++) {
        snprintf(ev[i].date, sizeof ev[i].date, "%s", rows[i].date ? rows[i].date : "");
        snprintf(ev[i].action, sizeof ev[i].action, "%s", rows[i].action ? rows[i].action : "");
        snprintf(ev[i].apps, sizeof ev[i].apps, "%s", rows[i].apps ? rows[i].apps : "");
    }
    H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, rows);
    *n = (int)len;
done:
    free(rows);
    if (sp >= 0)
        H5Sclose(sp);
    if (d >= 0)
        H5Dclose(d);
    H5Tclose(mt);
    H5Tclose(s);
    return ev;
}
