/* results: writing blockshift results files (HDF5).  See results.h for the
 * contract and models/README.md, section 8, for the layout.
 *
 * Atomicity: everything is written to "<path>.partial-<pid>" in the folder of
 * the final file; results_commit() sets the root attribute complete=1, closes
 * the file (H5F_CLOSE_STRONG: no handle can keep it open), fsyncs it and
 * rename(2)s it over the final name, so a reader sees either the old file, no
 * file, or a finished one.  Any failure on the way deletes the temporary file.
 *
 * Storage choices:
 * - Every array is chunked.  The chunk takes the full extent of the trailing
 *   axes and as many leading elements as fit in CHUNK_BYTES (512 KiB: 64 Ki
 *   doubles), the HDF5 guidance being 10 KiB-1 MiB per chunk with the default
 *   1 MiB chunk cache.  A time series [hour][link] of 8760 x 200 gets chunks
 *   of 327 x 200; a [day][region][app] cube of a year usually fits in one.
 * - An axis of length 0 is declared extendible (H5S_UNLIMITED) because HDF5
 *   refuses a fixed axis shorter than its chunk; it stays at length 0.
 * - Numbers: shuffle + deflate level 1.  Strings and tables: deflate only
 *   (shuffling variable-length heap references gains nothing).
 * - The scalar /config/text dataset cannot be chunked (HDF5 chunks only
 *   simple dataspaces); it is the one contiguous dataset.
 * - Tables carry `units` ("col=unit;..." for every column) for the uniform
 *   rule "every dataset has units", and one attribute `units_<col>` per
 *   column, which is what readers should use.
 * - The file format is that of HDF5 1.8 (H5Pset_libver_bounds V18): object
 *   headers and most metadata carry checksums, so a damaged file is more
 *   often refused than misread, and any HDF5 since 1.8 (h5py, netCDF-4) reads
 *   it.
 *
 * HDF5's automatic error printing is switched off (for the whole process:
 * library code must not print); failures are reported through bs_fail() with
 * the file, the object and the innermost HDF5 error description.
 */
#define _GNU_SOURCE /* memfd_create */
#include "io/results.h"

#include "io/results_internal.h"
#include "base/atomic.h"
#include "base/status.h"
#include "base/str.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#define CHUNK_BYTES (512u * 1024u)
#define DEFLATE_LEVEL 1

struct results_dim {
    char *name;
    hsize_t len;
};

struct results {
    hid_t file;
    hid_t lcpl; /* link creation: intermediate groups created on demand */
    char *path; /* final name */
    char *tmp;  /* temporary name, renamed by results_commit() */
    struct results_dim *dims;
    int n_dims, cap_dims;
};

static void h5_quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/* HDF5 registers an exit handler that closes every file still open.  After a
 * failed H5Fflush (disk full), HDF5 1.10 can no longer close that file (its
 * metadata cache is left half in a flush: "slist already enabled?"), the
 * file stays half closed, and that handler crashes on it (exit 139).  Every
 * file blockshift writes is closed explicitly (results_commit, results_abort;
 * a file not closed is a temporary, removed), so the handler is switched off
 * before the library starts, which H5dont_atexit requires. */
__attribute__((constructor)) static void no_exit_handler(void) { H5dont_atexit(); }

/* The description of the innermost HDF5 error (where it was raised), which
 * usually says why ("name already exists", "No space left on device"). */
static herr_t reason_walk(unsigned n, const H5E_error2_t *e, void *data)
{
    if (n == 0 && e->desc && e->desc[0]) {
        /* A system call's failure: its reason, not HDF5's long dump of it. */
        const char *en = strstr(e->desc, "errno = ");
        int err = en ? atoi(en + 8) : 0;
        if (err > 0)
            snprintf(data, 200, " (%.*s: %s)", (int)strcspn(e->desc, ":"), e->desc, strerror(err));
        else
            snprintf(data, 200, " (HDF5: %s)", e->desc);
    }
    return 0;
}

/* Record "results: FILE: OBJ: WHAT (HDF5: why)" and clear HDF5's error stack. */
static int h5fail(const results *r, const char *obj, const char *what)
{
    char why[200] = "";
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, reason_walk, why);
    H5Eclear2(H5E_DEFAULT);
    return bs_fail(BS_ERUNTIME, "results: %s: %s: %s%s", r->path, obj, what, why);
}

static int fail(const results *r, const char *obj, const char *what)
{
    return bs_fail(BS_ERUNTIME, "results: %s: %s: %s", r->path, obj, what);
}

static void results_free(results *r)
{
    if (!r)
        return;
    CLOSE(H5Fclose, r->file);
    CLOSE(H5Pclose, r->lcpl);
    for (int i = 0; i < r->n_dims; i++)
        free(r->dims[i].name);
    free(r->dims);
    free(r->path);
    free(r->tmp);
    free(r);
}

results *results_create(const char *path)
{
    if (!path || !path[0]) {
        bs_fail(BS_EINPUT, "results: empty output file name");
        return NULL;
    }
    h5_quiet();
    results *r = calloc(1, sizeof *r);
    if (!r) {
        bs_nomem("the results file %s", path);
        return NULL;
    }
    r->file = r->lcpl = H5I_INVALID_HID;
    size_t n = strlen(path) + 64;
    r->path = str_dup(path);
    r->tmp = malloc(n);
    if (!r->path || !r->tmp) {
        bs_nomem("the name of the results file %s", path);
        results_free(r);
        return NULL;
    }
    snprintf(r->tmp, n, "%s.partial-%ld", path, (long)getpid());

    /* Say clearly when the folder is missing: the usual user mistake. */
    const char *slash = strrchr(path, '/');
    if (slash && slash != path) {
        char *dir = str_dup(path);
        struct stat st;
        int ok = dir != NULL;
        if (ok) {
            dir[slash - path] = '\0';
            ok = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
        }
        if (!ok) {
            if (dir)
                bs_fail(BS_EINPUT, "results: %s: folder %s does not exist", path, dir);
            else
                bs_nomem("the folder's name of the results file %s", path);
            free(dir);
            results_free(r);
            return NULL;
        }
        free(dir);
    }

    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    r->lcpl = H5Pcreate(H5P_LINK_CREATE);
    if (fapl < 0 || r->lcpl < 0 || H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0 ||
        H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V18) < 0 ||
        H5Pset_create_intermediate_group(r->lcpl, 1) < 0) {
        h5fail(r, "/", "cannot set up property lists");
        CLOSE(H5Pclose, fapl);
        results_free(r);
        return NULL;
    }
    atomic_track(r->tmp);
    r->file = H5Fcreate(r->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    CLOSE(H5Pclose, fapl);
    if (r->file < 0) {
        char what[PATH_MAX + 64];
        snprintf(what, sizeof what, "cannot create temporary file %s", r->tmp);
        h5fail(r, "/", what);
        unlink(r->tmp); /* in case HDF5 created it before failing */
        atomic_untrack(r->tmp);
        results_free(r);
        return NULL;
    }
    return r;
}

/* Close the file whatever state it is in.  A failed H5Fclose (the metadata
 * cache or a chunk cannot be flushed: disk full) leaves the file half closed
 * in the library, whose exit handler then crashes closing it again.  The
 * content is being thrown away, so the close is given somewhere to write
 * that cannot be full: the file's bytes are copied into an anonymous memory
 * file (memfd) put under the descriptor HDF5 writes through, and the
 * temporary on disk is emptied at once.  If there is no memory for that, the
 * temporary is emptied in place, which frees the space for the flush.  A
 * close that fails all the same (after a failed H5Fflush HDF5 1.10 cannot
 * close) is not retried: that crashes; the exit handler is off (below). */
static void close_hard(results *r)
{
    if (r->file < 0)
        return;
    void *handle = NULL;
    int fd = -1;
    if (H5Fget_vfd_handle(r->file, H5P_DEFAULT, &handle) >= 0 && handle)
        fd = *(int *)handle;
    if (fd >= 0) {
        int mem = memfd_create("blockshift-abort", MFD_CLOEXEC);
        char buf[65536];
        off_t off = 0;
        ssize_t k = 0;
        while (mem >= 0 && (k = pread(fd, buf, sizeof buf, off)) > 0) {
            if (write(mem, buf, (size_t)k) != k)
                break;
            off += k;
        }
        if (mem >= 0 && k == 0 && dup2(mem, fd) < 0)
            k = -1;
        if (mem >= 0)
            close(mem);
        int t = k == 0 ? open(r->tmp, O_WRONLY | O_CLOEXEC) : fd;
        if (t >= 0 && ftruncate(t, 0) != 0)
            H5Eclear2(H5E_DEFAULT); /* the close below may work all the same */
        if (t >= 0 && t != fd)
            close(t);
    }
    H5Fclose(r->file); /* never twice: a failed close cannot be retried */
    r->file = H5I_INVALID_HID;
    H5Eclear2(H5E_DEFAULT);
}

void results_abort(results *r)
{
    if (!r)
        return;
    close_hard(r);
    unlink(r->tmp);
    atomic_untrack(r->tmp);
    results_free(r);
}

/* fsync a file (or folder) by name: the data must be on disk before the
 * rename makes it visible as finished.  File systems that cannot sync
 * (EINVAL) are accepted. */
static int sync_path(const char *p, int dir)
{
    int fd = open(p, dir ? O_RDONLY | O_DIRECTORY : O_RDONLY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    if (rc != 0 && errno == EINVAL)
        rc = 0;
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

int results_commit(results *r)
{
    if (!r)
        return bs_fail(BS_ERUNTIME, "results: commit of a NULL results handle");
    int rc = results_attr_int(r, "/", "complete", 1);
    if (rc == BS_OK && H5Fflush(r->file, H5F_SCOPE_GLOBAL) < 0)
        rc = h5fail(r, "/", "cannot flush file");
    if (rc == BS_OK) {
        herr_t st = H5Fclose(r->file);
        r->file = H5I_INVALID_HID; /* closed or not, the id is gone */
        if (st < 0)
            rc = h5fail(r, "/", "cannot close file");
    }
    if (rc == BS_OK && sync_path(r->tmp, 0) != 0)
        rc = bs_fail(BS_ERUNTIME, "results: %s: cannot sync %s: %s", r->path, r->tmp,
                     strerror(errno));
    if (rc == BS_OK && rename(r->tmp, r->path) != 0)
        rc = bs_fail(BS_ERUNTIME, "results: %s: cannot rename %s to it: %s", r->path, r->tmp,
                     strerror(errno));
    if (rc == BS_OK) {
        atomic_untrack(r->tmp);
        /* Make the rename itself durable; failure here loses nothing.  (Its
         * folder's name on the stack: the file is complete, nothing that
         * could run out of memory is left to do.) */
        char dir[PATH_MAX];
        const char *slash = strrchr(r->path, '/');
        if (!slash)
            sync_path(".", 1);
        else if ((size_t)(slash - r->path) < sizeof dir) {
            size_t len = slash == r->path ? 1 : (size_t)(slash - r->path);
            memcpy(dir, r->path, len);
            dir[len] = '\0';
            sync_path(dir, 1);
        }
        results_free(r);
        return BS_OK;
    }
    results_abort(r);
    return rc;
}

/* ---- objects and attributes ---------------------------------------------- */

/* 1 if every component of `path` exists, 0 if one is missing, -1 on an
 * HDF5 error, -2 when memory ran out (said). */
static htri_t path_exists(results *r, const char *path)
{
    hid_t file = r->file;
    size_t n = strlen(path);
    char *buf = malloc(n + 1);
    if (!buf) {
        bs_nomem("the name %s in %s", path, r->path);
        return -2;
    }
    htri_t found = 1;
    for (size_t i = 0; i <= n && found > 0; i++) {
        if ((path[i] == '/' || path[i] == '\0') && i > 0 && path[i - 1] != '/') {
            memcpy(buf, path, i);
            buf[i] = '\0';
            found = H5Lexists(file, buf, H5P_DEFAULT);
        }
    }
    free(buf);
    return found;
}

/* Open the object at `obj`, creating it (and its parents) as a group if it
 * does not exist. */
static hid_t open_or_create(results *r, const char *obj)
{
    htri_t ex = path_exists(r, obj);
    if (ex < 0) {
        if (ex == -1)
            h5fail(r, obj, "cannot look up object");
        return H5I_INVALID_HID;
    }
    hid_t id = ex ? H5Oopen(r->file, obj, H5P_DEFAULT)
                  : H5Gcreate2(r->file, obj, r->lcpl, H5P_DEFAULT, H5P_DEFAULT);
    if (id < 0)
        h5fail(r, obj, ex ? "cannot open object" : "cannot create group");
    return id;
}

/* A variable-length UTF-8 string type (file and memory alike). */
static hid_t vlen_str_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0)
        return t;
    if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return H5I_INVALID_HID;
    }
    return t;
}

/* Write a scalar attribute on an open object, replacing an older one. */
static int put_attr(results *r, hid_t obj, const char *objname, const char *name, hid_t ftype,
                    hid_t mtype, const void *buf)
{
    char what[300];
    hid_t space = H5I_INVALID_HID, attr = H5I_INVALID_HID;
    int rc = BS_OK;
    htri_t ex = H5Aexists(obj, name);
    if (ex < 0 || (ex > 0 && H5Adelete(obj, name) < 0)) {
        snprintf(what, sizeof what, "cannot replace attribute %s", name);
        rc = h5fail(r, objname, what);
        goto done;
    }
    space = H5Screate(H5S_SCALAR);
    if (space < 0 || (attr = H5Acreate2(obj, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
        H5Awrite(attr, mtype, buf) < 0) {
        snprintf(what, sizeof what, "cannot write attribute %s", name);
        rc = h5fail(r, objname, what);
    }
done:
    CLOSE(H5Aclose, attr);
    CLOSE(H5Sclose, space);
    return rc;
}

static int put_attr_str(results *r, hid_t obj, const char *objname, const char *name,
                        const char *value)
{
    hid_t t = vlen_str_type();
    if (t < 0)
        return h5fail(r, objname, "cannot make string type");
    const char *v = value ? value : "";
    int rc = put_attr(r, obj, objname, name, t, t, &v);
    H5Tclose(t);
    return rc;
}

static int attr_on(results *r, const char *obj, const char *name, hid_t ftype, hid_t mtype,
                   const void *buf)
{
    if (!obj || !name || !name[0])
        return bs_fail(BS_ERUNTIME, "results: %s: attribute without an object or a name", r->path);
    hid_t id = open_or_create(r, obj);
    if (id < 0)
        return BS_ERUNTIME;
    int rc = put_attr(r, id, obj, name, ftype, mtype, buf);
    H5Oclose(id);
    return rc;
}

int results_attr_str(results *r, const char *obj, const char *name, const char *value)
{
    hid_t t = vlen_str_type();
    if (t < 0)
        return h5fail(r, obj ? obj : "?", "cannot make string type");
    const char *v = value ? value : "";
    int rc = attr_on(r, obj, name, t, t, &v);
    H5Tclose(t);
    return rc;
}

int results_attr_int(results *r, const char *obj, const char *name, long long value)
{
    return attr_on(r, obj, name, H5T_STD_I64LE, H5T_NATIVE_LLONG, &value);
}

int results_attr_double(results *r, const char *obj, const char *name, double value)
{
    return attr_on(r, obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

/* units and description, which every dataset carries. */
static int put_units_desc(results *r, hid_t dset, const char *path, const char *units,
                          const char *desc)
{
    int rc = put_attr_str(r, dset, path, "units", units);
    if (rc == BS_OK)
        rc = put_attr_str(r, dset, path, "description", desc);
    return rc;
}

/* ---- datasets ------------------------------------------------------------- */

/* Chunk shape: the trailing axes whole, then as much of the next axis as fits
 * in CHUNK_BYTES, then 1.  Empty axes count as 1. */
static void chunk_shape(int rank, const hsize_t *dims, size_t elem, hsize_t *chunk)
{
    hsize_t budget = CHUNK_BYTES / (elem ? elem : 1);
    if (budget < 1)
        budget = 1;
    for (int k = rank - 1; k >= 0; k--) {
        hsize_t d = dims[k] ? dims[k] : 1;
        if (d <= budget) {
            chunk[k] = d;
            budget /= d;
        } else {
            chunk[k] = budget;
            budget = 1;
        }
    }
}

/* Create a chunked, deflated (and optionally shuffled) dataset; parents are
 * created.  Returns the dataset or a negative id with the message set. */
static hid_t create_chunked(results *r, const char *path, hid_t ftype, int rank,
                            const hsize_t *dims, int shuffle)
{
    hsize_t maxdims[H5S_MAX_RANK], chunk[H5S_MAX_RANK];
    hid_t space = H5I_INVALID_HID, dcpl = H5I_INVALID_HID, dset = H5I_INVALID_HID;
    for (int k = 0; k < rank; k++)
        maxdims[k] = dims[k] ? dims[k] : H5S_UNLIMITED;
    chunk_shape(rank, dims, H5Tget_size(ftype), chunk);
    space = H5Screate_simple(rank, dims, maxdims);
    dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (space < 0 || dcpl < 0 || H5Pset_chunk(dcpl, rank, chunk) < 0 ||
        (shuffle && H5Pset_shuffle(dcpl) < 0) || H5Pset_deflate(dcpl, DEFLATE_LEVEL) < 0) {
        h5fail(r, path, "cannot set up chunked, compressed storage");
        goto done;
    }
    dset = H5Dcreate2(r->file, path, ftype, space, r->lcpl, dcpl, H5P_DEFAULT);
    if (dset < 0)
        h5fail(r, path, "cannot create dataset");
done:
    CLOSE(H5Pclose, dcpl);
    CLOSE(H5Sclose, space);
    return dset;
}

static struct results_dim *find_dim(results *r, const char *name)
{
    for (int i = 0; i < r->n_dims; i++)
        if (strcmp(r->dims[i].name, name) == 0)
            return &r->dims[i];
    return NULL;
}

/* Common part of the two dimension kinds: check the name, write the data,
 * make the dataset a scale with units and description, remember its length. */
static int write_dim(results *r, const char *name, int n, hid_t ftype, hid_t mtype,
                     const void *data, int shuffle, const char *units, const char *desc)
{
    char path[256];
    if (!name || !name[0] || strchr(name, '/') || strlen(name) > 200)
        return bs_fail(BS_ERUNTIME, "results: %s: bad dimension name \"%s\"", r->path,
                       name ? name : "(null)");
    snprintf(path, sizeof path, "/dims/%s", name);
    if (n < 0)
        return fail(r, path, "negative dimension length");
    if (find_dim(r, name))
        return fail(r, path, "dimension written twice");
    if (n > 0 && !data)
        return fail(r, path, "no labels given");
    if (r->n_dims == r->cap_dims) {
        int cap = r->cap_dims ? 2 * r->cap_dims : 8;
        struct results_dim *d = realloc(r->dims, (size_t)cap * sizeof *d);
        if (!d)
            return bs_nomem("%s of %s", path, r->path);
        r->dims = d;
        r->cap_dims = cap;
    }
    char *copy = str_dup(name);
    if (!copy)
        return bs_nomem("%s of %s", path, r->path);

    int rc = BS_OK;
    hsize_t len = (hsize_t)n;
    hid_t dset = create_chunked(r, path, ftype, 1, &len, shuffle);
    if (dset < 0)
        rc = BS_ERUNTIME;
    else if (n > 0 && H5Dwrite(dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
        rc = h5fail(r, path, "cannot write dimension");
    else if (H5DSset_scale(dset, name) < 0)
        rc = h5fail(r, path, "cannot make dimension scale");
    else
        rc = put_units_desc(r, dset, path, units, desc);
    CLOSE(H5Dclose, dset);
    if (rc != BS_OK) {
        free(copy);
        return rc;
    }
    r->dims[r->n_dims].name = copy;
    r->dims[r->n_dims].len = len;
    r->n_dims++;
    return BS_OK;
}

int results_dim_names(results *r, const char *name, int n, const char *const *labels,
                      const char *desc)
{
    /* NULL labels are written as "" (HDF5 would store a NULL that readers
     * handle badly). */
    const char **v = NULL;
    if (n > 0 && labels) {
        v = malloc((size_t)n * sizeof *v);
        if (!v)
            return bs_nomem("/dims/%s of %s", name ? name : "?", r->path);
        for (int i = 0; i < n; i++)
            v[i] = labels[i] ? labels[i] : "";
    }
    hid_t t = vlen_str_type();
    int rc = t < 0 ? h5fail(r, "/dims", "cannot make string type")
                   : write_dim(r, name, n, t, t, v, 0, "", desc);
    CLOSE(H5Tclose, t);
    free(v);
    return rc;
}

int results_dim_values(results *r, const char *name, int n, const int *values, const char *units,
                       const char *desc)
{
    int *v = NULL;
    if (n > 0) {
        v = malloc((size_t)n * sizeof *v);
        if (!v)
            return bs_nomem("/dims/%s of %s", name ? name : "?", r->path);
        for (int i = 0; i < n; i++)
            v[i] = values ? values[i] : i;
    }
    int rc = write_dim(r, name, n, H5T_STD_I32LE, H5T_NATIVE_INT, v, 1, units, desc);
    free(v);
    return rc;
}

int results_dim_index(results *r, const char *name, int n, const char *units, const char *desc)
{
    return results_dim_values(r, name, n, NULL, units, desc);
}

/* Attach /dims/NAME to axis k of dset and label the axis with NAME. */
static int attach_axis(results *r, hid_t dset, const char *path, unsigned k, const char *name)
{
    char scale_path[256], what[300];
    snprintf(scale_path, sizeof scale_path, "/dims/%s", name);
    hid_t scale = H5Dopen2(r->file, scale_path, H5P_DEFAULT);
    int rc = BS_OK;
    if (scale < 0 || H5DSattach_scale(dset, scale, k) < 0 || H5DSset_label(dset, k, name) < 0) {
        snprintf(what, sizeof what, "cannot attach dimension %s to axis %u", scale_path, k);
        rc = h5fail(r, path, what);
    }
    CLOSE(H5Dclose, scale);
    return rc;
}

int results_write(results *r, const char *path, int rank, const char *const *dims,
                  const double *data, const char *units, const char *desc)
{
    if (!path || !path[0])
        return bs_fail(BS_ERUNTIME, "results: %s: dataset without a path", r->path);
    if (rank < 1 || rank > H5S_MAX_RANK)
        return fail(r, path, "rank must be between 1 and 32");
    if (!dims)
        return fail(r, path, "no dimension names");
    hsize_t shape[H5S_MAX_RANK];
    hsize_t total = 1;
    for (int k = 0; k < rank; k++) {
        const struct results_dim *d = dims[k] ? find_dim(r, dims[k]) : NULL;
        if (!d) {
            char what[300];
            snprintf(what, sizeof what, "unknown dimension \"%s\" for axis %d",
                     dims[k] ? dims[k] : "(null)", k);
            return fail(r, path, what);
        }
        shape[k] = d->len;
        if (d->len && total > (hsize_t)SIZE_MAX / sizeof(double) / d->len)
            return fail(r, path, "dataset too large");
        total *= d->len;
    }
    if (total > 0 && !data)
        return fail(r, path, "no data for a non-empty dataset");

    int rc = BS_OK;
    hid_t dset = create_chunked(r, path, H5T_IEEE_F64LE, rank, shape, 1);
    if (dset < 0)
        return BS_ERUNTIME;
    if (total > 0 && H5Dwrite(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
        rc = h5fail(r, path, "cannot write data");
    if (rc == BS_OK)
        rc = put_units_desc(r, dset, path, units, desc);
    for (int k = 0; k < rank && rc == BS_OK; k++)
        rc = attach_axis(r, dset, path, (unsigned)k, dims[k]);
    H5Dclose(dset);
    return rc;
}

int results_write_text(results *r, const char *path, const char *text, const char *desc)
{
    if (!path || !path[0])
        return bs_fail(BS_ERUNTIME, "results: %s: text dataset without a path", r->path);
    int rc = BS_OK;
    hid_t t = vlen_str_type(), space = H5Screate(H5S_SCALAR), dset = H5I_INVALID_HID;
    const char *v = text ? text : "";
    if (t < 0 || space < 0 ||
        (dset = H5Dcreate2(r->file, path, t, space, r->lcpl, H5P_DEFAULT, H5P_DEFAULT)) < 0)
        rc = h5fail(r, path, "cannot create dataset");
    else if (H5Dwrite(dset, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) < 0)
        rc = h5fail(r, path, "cannot write text");
    else
        rc = put_units_desc(r, dset, path, "", desc);
    CLOSE(H5Dclose, dset);
    CLOSE(H5Sclose, space);
    CLOSE(H5Tclose, t);
    return rc;
}

/* ---- tables --------------------------------------------------------------- */

/* One field of a record in memory; every column takes 8 bytes. */
union cell {
    const char *s;
    double d;
    long long i;
};

static int check_columns(results *r, const char *path, int n_rows, int n_cols,
                         const results_column *cols)
{
    char what[300];
    if (n_rows < 0)
        return fail(r, path, "negative number of rows");
    if (n_cols < 1 || !cols)
        return fail(r, path, "a table needs at least one column");
    for (int c = 0; c < n_cols; c++) {
        if (!cols[c].name || !cols[c].name[0] || strlen(cols[c].name) > 200) {
            snprintf(what, sizeof what, "column %d has no name (or a too long one)", c);
            return fail(r, path, what);
        }
        if (cols[c].type != RCOL_STRING && cols[c].type != RCOL_DOUBLE &&
            cols[c].type != RCOL_INT) {
            snprintf(what, sizeof what, "column %s has an unknown type", cols[c].name);
            return fail(r, path, what);
        }
        if (n_rows > 0 && !cols[c].data) {
            snprintf(what, sizeof what, "column %s has no data", cols[c].name);
            return fail(r, path, what);
        }
        for (int d = 0; d < c; d++)
            if (strcmp(cols[c].name, cols[d].name) == 0) {
                snprintf(what, sizeof what, "column %s appears twice", cols[c].name);
                return fail(r, path, what);
            }
    }
    return BS_OK;
}

/* The `units` summary "col=unit;col=unit" of a table. */
static char *units_summary(int n_cols, const results_column *cols)
{
    size_t n = 1;
    for (int c = 0; c < n_cols; c++)
        n += strlen(cols[c].name) + (cols[c].units ? strlen(cols[c].units) : 0) + 2;
    char *s = malloc(n), *p = s;
    if (!s)
        return NULL;
    *p = '\0';
    for (int c = 0; c < n_cols; c++)
        p += sprintf(p, "%s%s=%s", c ? ";" : "", cols[c].name, cols[c].units ? cols[c].units : "");
    return s;
}

int results_write_table(results *r, const char *path, int n_rows, int n_cols,
                        const results_column *cols, const char *desc)
{
    if (!path || !path[0])
        return bs_fail(BS_ERUNTIME, "results: %s: table without a path", r->path);
    int rc = check_columns(r, path, n_rows, n_cols, cols);
    if (rc != BS_OK)
        return rc;

    size_t rec = (size_t)n_cols * sizeof(union cell);
    union cell *buf = NULL;
    char *units = NULL;
    hid_t str = H5I_INVALID_HID, mtype = H5I_INVALID_HID, ftype = H5I_INVALID_HID;
    hid_t dset = H5I_INVALID_HID;

    if (n_rows > 0 && !(buf = calloc((size_t)n_rows, rec))) {
        rc = bs_nomem("%s of %s", path, r->path);
        goto done;
    }
    str = vlen_str_type();
    mtype = H5Tcreate(H5T_COMPOUND, rec);
    ftype = H5Tcreate(H5T_COMPOUND, rec);
    if (str < 0 || mtype < 0 || ftype < 0) {
        rc = h5fail(r, path, "cannot make record type");
        goto done;
    }
    for (int c = 0; c < n_cols; c++) {
        size_t off = (size_t)c * sizeof(union cell);
        hid_t mt = str, ft = str;
        if (cols[c].type == RCOL_DOUBLE) {
            mt = H5T_NATIVE_DOUBLE;
            ft = H5T_IEEE_F64LE;
        } else if (cols[c].type == RCOL_INT) {
            mt = H5T_NATIVE_LLONG;
            ft = H5T_STD_I64LE;
        }
        if (H5Tinsert(mtype, cols[c].name, off, mt) < 0 ||
            H5Tinsert(ftype, cols[c].name, off, ft) < 0) {
            char what[300];
            snprintf(what, sizeof what, "cannot add column %s", cols[c].name);
            rc = h5fail(r, path, what);
            goto done;
        }
        for (int i = 0; i < n_rows; i++) {
            union cell *cell = &buf[(size_t)i * (size_t)n_cols + (size_t)c];
            if (cols[c].type == RCOL_STRING) {
                const char *s = ((const char *const *)cols[c].data)[i];
                cell->s = s ? s : "";
            } else if (cols[c].type == RCOL_DOUBLE)
                cell->d = ((const double *)cols[c].data)[i];
            else
                cell->i = ((const long long *)cols[c].data)[i];
        }
    }

    hsize_t len = (hsize_t)n_rows;
    dset = create_chunked(r, path, ftype, 1, &len, 0);
    if (dset < 0) {
        rc = BS_ERUNTIME;
        goto done;
    }
    if (n_rows > 0 && H5Dwrite(dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
        rc = h5fail(r, path, "cannot write rows");
        goto done;
    }
    if (!(units = units_summary(n_cols, cols))) {
        rc = bs_nomem("%s of %s", path, r->path);
        goto done;
    }
    rc = put_units_desc(r, dset, path, units, desc);
    for (int c = 0; c < n_cols && rc == BS_OK; c++) {
        char name[256];
        snprintf(name, sizeof name, "units_%s", cols[c].name);
        rc = put_attr_str(r, dset, path, name, cols[c].units);
    }
done:
    CLOSE(H5Dclose, dset);
    CLOSE(H5Tclose, ftype);
    CLOSE(H5Tclose, mtype);
    CLOSE(H5Tclose, str);
    free(units);
    free(buf);
    return rc;
}
