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
    hid_t lcpl; /* link creation: UTF-8 names */
    hid_t gcpl; /* group creation: links and attributes in creation order (netCDF-4) */
    hid_t dcpl_attr; /* the attribute-order part of every dataset's creation list */
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
    CLOSE(H5Pclose, r->gcpl);
    CLOSE(H5Pclose, r->dcpl_attr);
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
    r->file = r->lcpl = r->gcpl = r->dcpl_attr = H5I_INVALID_HID;
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

    /* netCDF-4 creates every group with the creation order of links and
     * attributes tracked and indexed (netcdf-c's hdf5create.c), and opens for
     * writing (nc_open NC_WRITE: NCO, netCDF4-python "a") only files that
     * have it: h5netcdf issue 128; reading works without.  With the order
     * kept (root: the file creation list; groups: gcpl; datasets: dcpl_attr)
     * netCDF tools can also append to a results file, and list its
     * variables in the order they were written. */
    unsigned order = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS), fcpl = H5Pcreate(H5P_FILE_CREATE);
    r->lcpl = H5Pcreate(H5P_LINK_CREATE);
    r->gcpl = H5Pcreate(H5P_GROUP_CREATE);
    r->dcpl_attr = H5Pcreate(H5P_DATASET_CREATE);
    if (fapl < 0 || fcpl < 0 || r->lcpl < 0 || r->gcpl < 0 || r->dcpl_attr < 0 ||
        H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0 ||
        H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V18) < 0 ||
        H5Pset_char_encoding(r->lcpl, H5T_CSET_UTF8) < 0 ||
        H5Pset_link_creation_order(fcpl, order) < 0 || H5Pset_attr_creation_order(fcpl, order) < 0 ||
        H5Pset_link_creation_order(r->gcpl, order) < 0 ||
        H5Pset_attr_creation_order(r->gcpl, order) < 0 ||
        H5Pset_attr_creation_order(r->dcpl_attr, order) < 0) {
        h5fail(r, "/", "cannot set up property lists");
        CLOSE(H5Pclose, fapl);
        CLOSE(H5Pclose, fcpl);
        results_free(r);
        return NULL;
    }
    atomic_track(r->tmp);
    r->file = H5Fcreate(r->tmp, H5F_ACC_TRUNC, fcpl, fapl);
    CLOSE(H5Pclose, fapl);
    CLOSE(H5Pclose, fcpl);
    if (r->file < 0) {
        char what[PATH_MAX + 64];
        snprintf(what, sizeof what, "cannot create temporary file %s", r->tmp);
        h5fail(r, "/", what);
        unlink(r->tmp); /* in case HDF5 created it before failing */
        atomic_untrack(r->tmp);
        results_free(r);
        return NULL;
    }
    /* every file follows the CF conventions (models/README.md, section 8) */
    if (results_attr_str(r, "/", "Conventions", "CF-1.8") != BS_OK) {
        results_abort(r);
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

/* Create every missing group on the way to `path` (all of it with
 * `whole`, else up to its last '/'), each with the creation order kept. */
static int make_groups(results *r, const char *path, int whole)
{
    size_t n = strlen(path);
    char *buf = malloc(n + 1);
    if (!buf)
        return bs_nomem("the name %s in %s", path, r->path);
    int rc = BS_OK;
    for (size_t i = 1; i <= n && rc == BS_OK; i++) {
        if (!(path[i] == '/' || (whole && path[i] == '\0')) || path[i - 1] == '/')
            continue;
        memcpy(buf, path, i);
        buf[i] = '\0';
        htri_t ex = H5Lexists(r->file, buf, H5P_DEFAULT);
        hid_t g = ex ? H5I_INVALID_HID : H5Gcreate2(r->file, buf, r->lcpl, r->gcpl, H5P_DEFAULT);
        if (ex < 0 || (!ex && g < 0))
            rc = h5fail(r, buf, ex < 0 ? "cannot look up object" : "cannot create group");
        CLOSE(H5Gclose, g);
    }
    free(buf);
    return rc;
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
    if (!ex && make_groups(r, obj, 1) != BS_OK)
        return H5I_INVALID_HID;
    hid_t id = H5Oopen(r->file, obj, H5P_DEFAULT);
    if (id < 0)
        h5fail(r, obj, "cannot open object");
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

/* units, description and long_name (CF: the same text), which every
 * dataset carries. */
static int put_units_desc(results *r, hid_t dset, const char *path, const char *units,
                          const char *desc)
{
    int rc = put_attr_str(r, dset, path, "units", units);
    if (rc == BS_OK)
        rc = put_attr_str(r, dset, path, "description", desc);
    if (rc == BS_OK)
        rc = put_attr_str(r, dset, path, "long_name", desc);
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
    if (make_groups(r, path, 0) != BS_OK)
        return H5I_INVALID_HID;
    space = H5Screate_simple(rank, dims, maxdims);
    dcpl = H5Pcopy(r->dcpl_attr);
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
    snprintf(path, sizeof path, "/%s", name);
    if (n < 0)
        return fail(r, path, "negative dimension length");
    if (find_dim(r, name))
        return fail(r, path, "dimension written twice");
    htri_t taken = H5Lexists(r->file, path, H5P_DEFAULT);
    if (taken != 0)
        return taken < 0 ? h5fail(r, path, "cannot look up object")
                         : fail(r, path, "a dimension's name is taken by a group or dataset");
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
            return bs_nomem("/%s of %s", name ? name : "?", r->path);
        for (int i = 0; i < n; i++)
            v[i] = labels[i] ? labels[i] : "";
    }
    hid_t t = vlen_str_type();
    int rc = t < 0 ? h5fail(r, "/", "cannot make string type")
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
            return bs_nomem("/%s of %s", name ? name : "?", r->path);
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

int results_dim_time(results *r, const char *name, int n, const int *values, const char *unit,
                     const char *epoch, const char *desc)
{
    char units[96], path[256];
    if (!unit || !epoch || strlen(epoch) != 10)
        return fail(r, name ? name : "?", "a time axis needs its unit and an ISO date epoch");
    snprintf(units, sizeof units, "%s since %s 00:00:00", unit, epoch);
    int rc = results_dim_values(r, name, n, values, units, desc);
    snprintf(path, sizeof path, "/%s", name);
    if (rc == BS_OK)
        rc = results_attr_str(r, path, "calendar", "standard");
    if (rc == BS_OK)
        rc = results_attr_str(r, path, "standard_name", "time");
    if (rc == BS_OK)
        rc = results_attr_str(r, path, "axis", "T");
    if (rc == BS_OK)
        rc = results_attr_str(r, path, "epoch", epoch);
    return rc;
}

/* Copy the attributes of `src` to `dst` (named dpath), but those that make
 * a dimension scale (H5DSset_scale writes CLASS and NAME; REFERENCE_LIST
 * lists what is attached). */
struct attr_copy {
    results *r;
    hid_t dst;
    const char *dpath;
    int rc;
};

static herr_t copy_attr(hid_t src, const char *name, const H5A_info_t *info, void *data)
{
    (void)info;
    struct attr_copy *c = data;
    if (!strcmp(name, "CLASS") || !strcmp(name, "NAME") || !strcmp(name, "REFERENCE_LIST"))
        return 0;
    hid_t a = H5Aopen(src, name, H5P_DEFAULT), t = H5I_INVALID_HID, sp = H5I_INVALID_HID;
    hid_t b = H5I_INVALID_HID;
    hssize_t n = -1;
    void *buf = NULL;
    int read = 0, tried = 0;
    if (a >= 0 && (t = H5Aget_type(a)) >= 0 && (sp = H5Aget_space(a)) >= 0 &&
        (n = H5Sget_simple_extent_npoints(sp)) >= 0 && (tried = 1) &&
        (buf = calloc(n ? (size_t)n : 1, H5Tget_size(t))) && (read = H5Aread(a, t, buf) >= 0) &&
        (b = H5Acreate2(c->dst, name, t, sp, H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
        H5Awrite(b, t, buf) >= 0)
        c->rc = BS_OK;
    else {
        char what[300];
        snprintf(what, sizeof what, "cannot copy attribute %s", name);
        c->rc = buf || !tried ? h5fail(c->r, c->dpath, what)
                    : bs_nomem("attribute %s of %s in %s", name, c->dpath, c->r->path);
    }
    if (read && H5Tdetect_class(t, H5T_VLEN) + H5Tis_variable_str(t) > 0)
        H5Dvlen_reclaim(t, sp, H5P_DEFAULT, buf);
    free(buf);
    CLOSE(H5Aclose, b);
    CLOSE(H5Sclose, sp);
    CLOSE(H5Tclose, t);
    CLOSE(H5Aclose, a);
    return c->rc == BS_OK ? 0 : -1;
}

/* Write the scale of dimension NAME again at `dst`: its values (read back
 * from the root's /NAME) and attributes.  HDF5's H5Ocopy would do it, but
 * 1.10's crashes when the disk is full (and on a dataset with dense
 * attributes tracked in creation order). */
static int copy_scale(results *r, const char *name, const char *dst)
{
    char src[256];
    snprintf(src, sizeof src, "/%s", name);
    const struct results_dim *dim = find_dim(r, name);
    hid_t s = H5Dopen2(r->file, src, H5P_DEFAULT);
    hid_t t = s >= 0 ? H5Dget_type(s) : H5I_INVALID_HID;
    hid_t sp = s >= 0 ? H5Dget_space(s) : H5I_INVALID_HID, d = H5I_INVALID_HID;
    hsize_t n = dim ? dim->len : 0;
    int str = t >= 0 && H5Tget_class(t) == H5T_STRING, read = 0, rc = BS_OK;
    void *buf = t >= 0 ? calloc(n ? (size_t)n : 1, H5Tget_size(t)) : NULL;
    if (!dim || s < 0 || t < 0 || sp < 0)
        rc = h5fail(r, dst, "cannot read the dimension's scale at the root");
    else if (!buf)
        rc = bs_nomem("%s of %s", dst, r->path);
    else if (n > 0 && !(read = H5Dread(s, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0))
        rc = h5fail(r, dst, "cannot read the dimension's scale at the root");
    else if ((d = create_chunked(r, dst, t, 1, &n, !str)) < 0)
        rc = BS_ERUNTIME;
    else if (n > 0 && H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
        rc = h5fail(r, dst, "cannot write dimension");
    else if (H5DSset_scale(d, name) < 0)
        rc = h5fail(r, dst, "cannot make dimension scale");
    else {
        struct attr_copy c = {r, d, dst, BS_OK};
        if (H5Aiterate2(s, H5_INDEX_CRT_ORDER, H5_ITER_INC, NULL, copy_attr, &c) < 0)
            rc = c.rc != BS_OK ? c.rc : h5fail(r, dst, "cannot copy the attributes");
    }
    if (read && str)
        H5Dvlen_reclaim(t, sp, H5P_DEFAULT, buf);
    free(buf);
    CLOSE(H5Dclose, d);
    CLOSE(H5Sclose, sp);
    CLOSE(H5Tclose, t);
    CLOSE(H5Dclose, s);
    return rc;
}

/* The scale of dimension NAME for a dataset at `path`: in the dataset's own
 * group, GROUP/NAME, a copy of the root's /NAME (copy_scale) made the first
 * time the group needs it.  netCDF-4 sees the root's dims from every group,
 * but xarray's open_dataset(file, group=G) labels only the axes whose
 * coordinate variables are in G itself.  Returns the open scale. */
static hid_t group_scale(results *r, const char *path, const char *name)
{
    char scale_path[600], what[700];
    const char *slash = strrchr(path, '/');
    int group_len = slash ? (int)(slash - path) : 0;
    snprintf(scale_path, sizeof scale_path, "%.*s/%s", group_len, path, name);
    htri_t ex = group_len ? H5Lexists(r->file, scale_path, H5P_DEFAULT) : 1;
    if (ex < 0) {
        h5fail(r, scale_path, "cannot look up object");
        return H5I_INVALID_HID;
    }
    if (ex == 0 && copy_scale(r, name, scale_path) != BS_OK)
        return H5I_INVALID_HID;
    hid_t scale = H5Dopen2(r->file, scale_path, H5P_DEFAULT);
    if (scale >= 0 && H5DSis_scale(scale) <= 0) {
        H5Dclose(scale);
        snprintf(what, sizeof what, "%s is taken by a dataset that is not the dimension %s",
                 scale_path, name);
        fail(r, path, what);
        return H5I_INVALID_HID;
    }
    if (scale < 0) {
        snprintf(what, sizeof what, "cannot open the scale %s of dimension %s", scale_path, name);
        h5fail(r, path, what);
    }
    return scale;
}

/* Attach NAME's scale (group_scale) to axis k of dset and label the axis. */
static int attach_axis(results *r, hid_t dset, const char *path, unsigned k, const char *name)
{
    char what[300];
    hid_t scale = group_scale(r, path, name);
    if (scale < 0)
        return BS_ERUNTIME;
    int rc = BS_OK;
    if (H5DSattach_scale(dset, scale, k) < 0 || H5DSset_label(dset, k, name) < 0) {
        snprintf(what, sizeof what, "cannot attach dimension %s to axis %u", name, k);
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

int results_write_strings(results *r, const char *path, const char *dim, int n,
                          const char *const *v, const char *desc)
{
    if (!path || !path[0])
        return bs_fail(BS_ERUNTIME, "results: %s: strings without a path", r->path);
    const struct results_dim *d = dim ? find_dim(r, dim) : NULL;
    if (!d || d->len != (hsize_t)n || n < 0 || (n > 0 && !v))
        return fail(r, path, "the strings do not match their dimension");
    const char **sv = malloc((n ? (size_t)n : 1) * sizeof *sv);
    if (!sv)
        return bs_nomem("%s of %s", path, r->path);
    for (int i = 0; i < n; i++)
        sv[i] = v[i] ? v[i] : "";
    hsize_t len = (hsize_t)n;
    hid_t t = vlen_str_type(), dset = H5I_INVALID_HID;
    int rc = BS_OK;
    if (t < 0)
        rc = h5fail(r, path, "cannot make string type");
    else if ((dset = create_chunked(r, path, t, 1, &len, 0)) < 0)
        rc = BS_ERUNTIME;
    else if (n > 0 && H5Dwrite(dset, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, sv) < 0)
        rc = h5fail(r, path, "cannot write strings");
    if (rc == BS_OK)
        rc = put_units_desc(r, dset, path, "", desc);
    if (rc == BS_OK)
        rc = attach_axis(r, dset, path, 0, dim);
    CLOSE(H5Dclose, dset);
    CLOSE(H5Tclose, t);
    free(sv);
    return rc;
}

int results_write_text(results *r, const char *path, const char *text, const char *desc)
{
    if (!path || !path[0])
        return bs_fail(BS_ERUNTIME, "results: %s: text dataset without a path", r->path);
    int rc = BS_OK;
    hid_t t = vlen_str_type(), space = H5Screate(H5S_SCALAR), dset = H5I_INVALID_HID;
    const char *v = text ? text : "";
    if (make_groups(r, path, 0) != BS_OK)
        rc = BS_ERUNTIME;
    else if (t < 0 || space < 0 ||
             (dset = H5Dcreate2(r->file, path, t, space, r->lcpl, r->dcpl_attr, H5P_DEFAULT)) < 0)
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

static int check_columns(results *r, const char *path, const char *dim, int n_rows, int n_cols,
                         const results_column *cols)
{
    char what[300];
    if (n_rows < 0)
        return fail(r, path, "negative number of rows");
    if (n_cols < 1 || !cols)
        return fail(r, path, "a table needs at least one column");
    if (!dim || !dim[0] || strchr(dim, '/') || strlen(dim) > 200)
        return fail(r, path, "a table needs the name of its row dimension");
    for (int c = 0; c < n_cols; c++) {
        if (!cols[c].name || !cols[c].name[0] || strlen(cols[c].name) > 200 ||
            strchr(cols[c].name, '/') || strcmp(cols[c].name, ".") == 0) {
            snprintf(what, sizeof what, "column %d has no name (or a too long one, or a '/')", c);
            return fail(r, path, what);
        }
        if (cols[c].type != RCOL_STRING && cols[c].type != RCOL_DOUBLE &&
            cols[c].type != RCOL_INT) {
            snprintf(what, sizeof what, "column %s has an unknown type", cols[c].name);
            return fail(r, path, what);
        }
        if (strcmp(cols[c].name, dim) == 0 && cols[c].type != RCOL_INT) {
            snprintf(what, sizeof what, "column %s, the row dimension, is not of integers", dim);
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

/* The attribute `columns` of a table's group: its columns' names in order,
 * a 1-D list of strings. */
static int put_column_names(results *r, hid_t g, const char *path, int n_cols,
                            const results_column *cols)
{
    const char **v = malloc((size_t)n_cols * sizeof *v);
    hsize_t n = (hsize_t)n_cols;
    hid_t t = vlen_str_type(), space = H5Screate_simple(1, &n, NULL), a = H5I_INVALID_HID;
    int rc = BS_OK;
    if (!v)
        rc = bs_nomem("the column names of %s in %s", path, r->path);
    else {
        for (int c = 0; c < n_cols; c++)
            v[c] = cols[c].name;
        if (t < 0 || space < 0 ||
            (a = H5Acreate2(g, "columns", t, space, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
            H5Awrite(a, t, v) < 0)
            rc = h5fail(r, path, "cannot write attribute columns");
    }
    CLOSE(H5Aclose, a);
    CLOSE(H5Sclose, space);
    CLOSE(H5Tclose, t);
    free(v);
    return rc;
}

/* One column of a table: a 1-D dataset path/NAME of n rows; the row
 * dimension's own column is made its scale, the others attached to it. */
static int write_column(results *r, const char *path, const char *dim, hsize_t n,
                        const results_column *col)
{
    char cpath[520], spath[520];
    snprintf(cpath, sizeof cpath, "%s/%s", path, col->name);
    snprintf(spath, sizeof spath, "%s/%s", path, dim);
    int is_dim = strcmp(col->name, dim) == 0;
    hid_t str = vlen_str_type(), ftype = H5T_IEEE_F64LE, mtype = H5T_NATIVE_DOUBLE;
    const void *data = col->data;
    const char **sv = NULL;
    if (str < 0)
        return h5fail(r, cpath, "cannot make string type");
    if (col->type == RCOL_INT) {
        ftype = H5T_STD_I64LE;
        mtype = H5T_NATIVE_LLONG;
    } else if (col->type == RCOL_STRING) {
        ftype = mtype = str;
        /* NULL strings are written as "" (readers handle a NULL badly) */
        if (n > 0 && !(sv = malloc((size_t)n * sizeof *sv))) {
            H5Tclose(str);
            return bs_nomem("%s of %s", cpath, r->path);
        }
        for (hsize_t i = 0; i < n; i++) {
            const char *x = ((const char *const *)col->data)[i];
            sv[i] = x ? x : "";
        }
        data = sv;
    }
    int rc = BS_OK;
    hid_t dset = create_chunked(r, cpath, ftype, 1, &n, col->type != RCOL_STRING);
    hid_t scale = H5I_INVALID_HID;
    if (dset < 0)
        rc = BS_ERUNTIME;
    else if (n > 0 && H5Dwrite(dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
        rc = h5fail(r, cpath, "cannot write column");
    else if (is_dim && H5DSset_scale(dset, dim) < 0)
        rc = h5fail(r, cpath, "cannot make dimension scale");
    else if (!is_dim && ((scale = H5Dopen2(r->file, spath, H5P_DEFAULT)) < 0 ||
                         H5DSattach_scale(dset, scale, 0) < 0 || H5DSset_label(dset, 0, dim) < 0))
        rc = h5fail(r, cpath, "cannot attach the row dimension");
    if (rc == BS_OK)
        rc = put_units_desc(r, dset, cpath, col->units, col->name);
    CLOSE(H5Dclose, scale);
    CLOSE(H5Dclose, dset);
    H5Tclose(str);
    free(sv);
    return rc;
}

int results_write_table(results *r, const char *path, const char *dim, int n_rows, int n_cols,
                        const results_column *cols, const char *desc)
{
    if (!path || !path[0])
        return bs_fail(BS_ERUNTIME, "results: %s: table without a path", r->path);
    int rc = check_columns(r, path, dim, n_rows, n_cols, cols);
    if (rc != BS_OK)
        return rc;
    htri_t ex = path_exists(r, path);
    if (ex == -2)
        return BS_ENOMEM;
    if (ex != 0)
        return ex < 0 ? h5fail(r, path, "cannot look up object")
                      : fail(r, path, "table written twice");
    hid_t g = open_or_create(r, path);
    if (g < 0)
        return BS_ERUNTIME;
    rc = put_attr_str(r, g, path, "description", desc);
    if (rc == BS_OK)
        rc = put_attr_str(r, g, path, "long_name", desc);
    if (rc == BS_OK)
        rc = put_column_names(r, g, path, n_cols, cols);
    H5Gclose(g);

    /* the row dimension first: a column of that name, or the row numbers */
    hsize_t n = (hsize_t)n_rows;
    int own = -1;
    for (int c = 0; c < n_cols; c++)
        if (strcmp(cols[c].name, dim) == 0)
            own = c;
    long long *rows = NULL;
    if (rc == BS_OK && own < 0 && !(rows = malloc((n ? (size_t)n : 1) * sizeof *rows)))
        rc = bs_nomem("the row numbers of %s in %s", path, r->path);
    for (hsize_t i = 0; rows && i < n; i++)
        rows[i] = (long long)i;
    results_column row_col = {dim, RCOL_INT, rows, ""};
    if (rc == BS_OK)
        rc = write_column(r, path, dim, n, own >= 0 ? &cols[own] : &row_col);
    free(rows);
    for (int c = 0; c < n_cols && rc == BS_OK; c++)
        if (c != own)
            rc = write_column(r, path, dim, n, &cols[c]);
    return rc;
}
