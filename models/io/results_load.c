/* results_load: a run's datasets for the analysis commands (results.h).
 *
 * The child process (results_isolated) opens the file with the checks of
 * results_check(), reads the dimensions, checks every dataset it is asked
 * for against them (type, rank, the extent of each axis) before reading it,
 * and passes everything back through the pipe in the form of base/wire.h:
 *
 *   u64 n_days, n_days x u64 day, str epoch, u64 has_classes, str classes,
 *   u64 replay, u64 n_labels, { str name, u64 n, n x str },
 *   u64 has_events, u64 n_events, { str date, str action, str apps },
 *   u64 n_arrays, { str path, u64 rank, rank x u64 extent, values (f64) }
 *
 * The parent checks every count against the bytes that arrived before it
 * allocates or copies.  Every HDF5 call of the child is checked; a failure
 * is BS_EINPUT naming the file and the dataset (the file is the user's
 * input), a failure to allocate BS_ENOMEM.
 */
#include "io/results.h"

#include "io/results_internal.h"
#include "base/status.h"
#include "base/wire.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* More entries than these is taken as damage, not data. */
#define MAX_LABELS 10000000ull
#define MAX_ROWS 10000000ull
#define MAX_VALUES (256ull * 1024 * 1024)

/* The dimensions a dataset's axis may refer to (/NAME; format version 1:
 * /dims/NAME). */
enum { D_DAY, D_HOUR, D_APP, D_REGION, D_VPN, D_LINK, D_MBOX, D_ISP, D_CLASS, D_CASE,
       D_CALL_CLASS, D_VALIDATION, N_DIMS };
static const char *const dim_names[N_DIMS] = {"day",  "hour", "app", "region", "vpn", "link",
                                              "mbox", "isp",  "class", "case", "call_class",
                                              "validation"};
/* Those of names handed to the caller (case and call_class: a testbed
 * matrix's, blockshift testbed without --replay). */
static const int label_dims[] = {D_APP, D_REGION, D_VPN, D_LINK, D_MBOX, D_CASE, D_CALL_CLASS,
                                 D_VALIDATION};
#define N_LABEL_DIMS (int)(sizeof label_dims / sizeof label_dims[0])

/* The layout: each dataset's axes.  "a|b": the first of /dims/a, /dims/b the
 * file has (a run has /dims/hour; a testbed replay writes its network
 * series a row per phase on /dims/day, and its boxes on /dims/isp). */
static const struct {
    const char *path;
    int rank;
    const char *axes[3];
} layout[] = {
    {"/population/installed", 3, {"day", "region", "app"}},
    {"/population/primary", 3, {"day", "region", "app"}},
    {"/population/vpn_users", 3, {"day", "region", "vpn"}},
    {"/calls/attempted", 2, {"day", "app"}},
    {"/calls/completed", 2, {"day", "app"}},
    {"/calls/failed", 2, {"day", "app"}},
    {"/calls/abandoned", 1, {"day"}},
    {"/network/link_capacity", 1, {"link"}},
    {"/network/link_offered", 2, {"hour|day", "link"}},
    {"/network/link_carried", 2, {"hour|day", "link"}},
    {"/network/app_carried", 3, {"hour|day", "app", "class"}},
    {"/network/vpn_carried", 1, {"hour|day"}},
    {"/network/border_app", 2, {"hour|day", "app"}},
    {"/network/border_vpn", 1, {"hour|day"}},
    {"/network/border_total", 1, {"hour|day"}},
    {"/network/hairpin", 1, {"hour|day"}},
    {"/censor/inspected", 2, {"hour|day", "mbox|isp"}},
    {"/censor/dropped", 2, {"hour|day", "mbox|isp"}},
    {"/censor/throttled", 2, {"hour|day", "mbox|isp"}},
    {"/censor/collateral", 2, {"hour|day", "mbox|isp"}},
    {"/censor/uninspected", 2, {"hour|day", "mbox|isp"}},
    {"/censor/overloaded", 1, {"hour|day"}},
    {"/testbed/setup_success", 2, {"case", "call_class"}},
    {"/testbed/usable", 2, {"case", "call_class"}},
    {"/testbed/detect", 2, {"case", "call_class"}},
    {"/testbed/media_loss", 2, {"case", "call_class"}},
    {"/testbed/goodput_share", 2, {"case", "call_class"}},
    {"/testbed/delay", 2, {"case", "call_class"}},
    {"/testbed/collateral", 1, {"case"}},
};
#define N_LAYOUT (int)(sizeof layout / sizeof layout[0])

/* Datasets of format version 2 under their name of version 1. */
static const struct {
    const char *v2, *v1;
} renamed[] = {{"/population/vpn_users", "/population/vpn"}};

/* What the child knows of the open file. */
typedef struct ctx {
    hid_t f;
    const char *path;
    const char *pre; /* where the dims are: "/" or (version 1) "/dims/" */
    int has[N_DIMS];
    hsize_t len[N_DIMS];
} ctx;

static int fail_here(const ctx *c, const char *dset, const char *what)
{
    H5Eclear2(H5E_DEFAULT);
    return bs_fail(BS_EINPUT, "%s: %s: %s", c->path, dset, what);
}

/* Whether every link of `obj` exists: 1, 0, or a status (with a message)
 * when HDF5 cannot tell (H5Lexists needs the parents). */
static int has_path(const ctx *c, const char *obj)
{
    char buf[512];
    if (strlen(obj) >= sizeof buf || obj[0] != '/')
        return fail_here(c, obj, "not a dataset name");
    snprintf(buf, sizeof buf, "%s", obj);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char ch = *p;
        *p = '\0';
        htri_t ok = H5Lexists(c->f, buf, H5P_DEFAULT);
        if (ok < 0)
            return fail_here(c, buf, "cannot look it up (damaged file?)");
        if (ok == 0)
            return 0;
        if (ch == '\0')
            return 1;
        *p = ch;
    }
}

/* Open dataset `dset` with its type and space; its rank in *rank (checked
 * to be a simple extent of rank 0 to 4) and extents in len. */
static int open_dset(const ctx *c, const char *dset, hid_t *d, hid_t *t, hid_t *sp, int *rank,
                     hsize_t len[4])
{
    *d = *t = *sp = H5I_INVALID_HID;
    H5O_info_t oi;
    if (H5Oget_info_by_name(c->f, dset, &oi, H5P_DEFAULT) < 0)
        return fail_here(c, dset, "cannot read its header (damaged file?)");
    if (oi.type != H5O_TYPE_DATASET)
        return fail_here(c, dset, "not a dataset");
    if ((*d = H5Dopen2(c->f, dset, H5P_DEFAULT)) < 0)
        return fail_here(c, dset, "cannot open it (damaged file?)");
    if ((*t = H5Dget_type(*d)) < 0 || (*sp = H5Dget_space(*d)) < 0)
        return fail_here(c, dset, "cannot read its type or shape (damaged file?)");
    H5S_class_t cls = H5Sget_simple_extent_type(*sp);
    int r = H5Sget_simple_extent_ndims(*sp);
    if (cls == H5S_NO_CLASS || r < 0)
        return fail_here(c, dset, "cannot read its shape (damaged file?)");
    if (cls == H5S_NULL)
        return fail_here(c, dset, "has no values (an empty dataspace)");
    if (r > 4) {
        char what[64];
        snprintf(what, sizeof what, "has %d axes", r);
        return fail_here(c, dset, what);
    }
    if (r > 0 && H5Sget_simple_extent_dims(*sp, len, NULL) < 0)
        return fail_here(c, dset, "cannot read its shape (damaged file?)");
    *rank = r;
    return BS_OK;
}

static void close_dset(hid_t *d, hid_t *t, hid_t *sp)
{
    CLOSE(H5Sclose, *sp);
    CLOSE(H5Tclose, *t);
    CLOSE(H5Dclose, *d);
    H5Eclear2(H5E_DEFAULT);
}

/* Where dataset `dset` (named as in version 2) is in this file. */
static const char *in_file(const ctx *c, const char *dset)
{
    for (size_t i = 0; c->pre[1] && i < sizeof renamed / sizeof renamed[0]; i++)
        if (strcmp(dset, renamed[i].v2) == 0)
            return renamed[i].v1;
    return dset;
}

/* The length of every dim the file has, each checked to be a list (rank 1)
 * of integers (day, hour) or strings (the others). */
static int read_dims(ctx *c)
{
    c->pre = results_dims_prefix(c->f);
    for (int k = 0; k < N_DIMS; k++) {
        char dset[64];
        snprintf(dset, sizeof dset, "%s%s", c->pre, dim_names[k]);
        int there = has_path(c, dset);
        if (there < 0)
            return there;
        if (!there)
            continue;
        hid_t d, t, sp;
        int rank = 0;
        hsize_t len[4] = {0};
        int rc = open_dset(c, dset, &d, &t, &sp, &rank, len);
        H5T_class_t want = k == D_DAY || k == D_HOUR ? H5T_INTEGER : H5T_STRING;
        if (rc == BS_OK && rank != 1) {
            char what[96];
            snprintf(what, sizeof what, "has %d axes, not 1 (a list of %s)", rank,
                     want == H5T_INTEGER ? "numbers" : "names");
            rc = fail_here(c, dset, what);
        } else if (rc == BS_OK && (H5Tget_class(t) != want || !results_sane_type(t)))
            rc = fail_here(c, dset, want == H5T_INTEGER ? "does not hold integers"
                                                        : "does not hold strings");
        else if (rc == BS_OK && len[0] > MAX_LABELS)
            rc = fail_here(c, dset, "too long");
        close_dset(&d, &t, &sp);
        if (rc != BS_OK)
            return rc;
        c->has[k] = 1;
        c->len[k] = len[0];
    }
    return BS_OK;
}

/* The dimension an axis ("hour|day") refers to in this file: the first
 * listed that it has; -1 with a message naming the dataset if none. */
static int axis_dim(const ctx *c, const char *dset, const char *alts)
{
    char first[32] = "";
    for (const char *p = alts; *p;) {
        size_t n = strcspn(p, "|");
        for (int k = 0; k < N_DIMS; k++)
            if (strlen(dim_names[k]) == n && strncmp(dim_names[k], p, n) == 0 && c->has[k])
                return k;
        if (!first[0])
            snprintf(first, sizeof first, "%.*s", (int)n, p);
        p += n + (p[n] == '|');
    }
    char what[96];
    snprintf(what, sizeof what, "its axis %s needs %s%s, which the file lacks", alts, c->pre,
             first);
    fail_here(c, dset, what);
    return -1;
}

static int events_column(const results_table *t, const char *name)
{
    for (int c = 0; c < t->n_cols; c++)
        if (strcmp(t->cols[c].name, name) == 0)
            return c;
    return -1;
}

static int layout_index(const char *dset)
{
    for (int i = 0; i < N_LAYOUT; i++)
        if (strcmp(layout[i].path, dset) == 0)
            return i;
    return -1;
}

/* Open numeric dataset `dset` and check it against the dims; its rank and
 * extents in *rank and len.  The caller closes d, t, sp. */
static int check_numbers(const ctx *c, const char *asked, hid_t *d, hid_t *t, hid_t *sp,
                         int *rank, hsize_t len[4])
{
    const char *dset = in_file(c, asked);
    int st = open_dset(c, dset, d, t, sp, rank, len);
    if (st != BS_OK)
        return st;
    H5T_class_t cls = H5Tget_class(*t);
    if (cls == H5T_NO_CLASS)
        return fail_here(c, dset, "cannot read its type (damaged file?)");
    if ((cls != H5T_FLOAT && cls != H5T_INTEGER) || !results_sane_type(*t))
        return fail_here(c, dset, "does not hold numbers (of at most 16 bytes)");
    int i = layout_index(asked);
    char what[256], shape[96] = "";
    if (i < 0) { /* not of the layout: any rank 1 to 4 */
        if (*rank < 1)
            return fail_here(c, dset, "is a single value, not an array");
        return BS_OK;
    }
    size_t n = 0;
    for (int k = 0; k < layout[i].rank; k++)
        n += (size_t)snprintf(shape + n, sizeof shape - n, "[%s]", layout[i].axes[k]);
    if (*rank != layout[i].rank) {
        snprintf(what, sizeof what, "has %d axes, not %d (%s)", *rank, layout[i].rank, shape);
        return fail_here(c, dset, what);
    }
    hsize_t total = 1;
    for (int k = 0; k < *rank; k++) {
        int dim = axis_dim(c, dset, layout[i].axes[k]);
        if (dim < 0)
            return BS_EINPUT;
        if (len[k] != c->len[dim]) {
            snprintf(what, sizeof what, "axis %d (%s) has %llu entries, %s%s has %llu (%s)", k,
                     dim_names[dim], (unsigned long long)len[k], c->pre, dim_names[dim],
                     (unsigned long long)c->len[dim], shape);
            return fail_here(c, dset, what);
        }
        total = len[k] && total > MAX_VALUES / len[k] ? MAX_VALUES + 1 : total * len[k];
    }
    if (total > MAX_VALUES)
        return fail_here(c, dset, "too large");
    return BS_OK;
}

/* Read /events (a table of either form); with `columns`, check that it
 * has string columns date, action and apps. */
static int load_events(const ctx *c, int columns, results_table **t)
{
    const char *dset = "/events";
    int st = results_table_load(c->f, c->path, dset, t);
    if (st != BS_OK)
        return st;
    if ((unsigned long long)(*t)->n_rows > MAX_ROWS)
        return fail_here(c, dset, "too many rows");
    static const char *const need[] = {"date", "action", "apps"};
    for (int k = 0; columns && k < 3; k++) {
        int m = events_column(*t, need[k]);
        if (m < 0 || (*t)->cols[m].type != RCOL_STRING) {
            char what[96];
            snprintf(what, sizeof what, "column %s: %s", need[k],
                     m < 0 ? "missing" : "not a column of strings");
            return fail_here(c, dset, what);
        }
    }
    return BS_OK;
}

int results_check_layout(hid_t f, const char *path)
{
    ctx c = {.f = f, .path = path};
    int st = read_dims(&c);
    for (int i = 0; st == BS_OK && i < N_LAYOUT; i++) {
        int there = has_path(&c, in_file(&c, layout[i].path));
        if (there <= 0) {
            st = there;
            continue;
        }
        hid_t d, t, sp;
        int rank;
        hsize_t len[4];
        st = check_numbers(&c, layout[i].path, &d, &t, &sp, &rank, len);
        close_dset(&d, &t, &sp);
    }
    int there = st == BS_OK ? has_path(&c, "/events") : 0;
    if (there < 0)
        st = there;
    if (there > 0) {
        results_table *t = NULL;
        st = load_events(&c, 0, &t);
        results_table_free(t);
    }
    return st;
}

/* ---- the child ------------------------------------------------------------ */

/* Write the strings of list dataset `dset` (checked by read_dims), n of
 * them, variable or fixed length. */
static int put_names(const ctx *c, const char *dset, hsize_t n, FILE *out)
{
    hid_t d, t, sp, mt = H5I_INVALID_HID;
    int rank;
    hsize_t len[4];
    int st = open_dset(c, dset, &d, &t, &sp, &rank, len);
    htri_t var = st == BS_OK ? H5Tis_variable_str(t) : 0;
    size_t size = st == BS_OK ? H5Tget_size(t) : 0;
    char *buf = NULL;
    if (st == BS_OK && (var < 0 || size == 0))
        st = fail_here(c, dset, "cannot read its string type (damaged file?)");
    if (st == BS_OK) {
        size_t cell = var ? sizeof(char *) : size + 1;
        mt = var ? results_str_type() : H5Tcopy(H5T_C_S1);
        buf = calloc(n ? (size_t)n : 1, cell);
        if (!buf || mt < 0 ||
            (!var && (H5Tset_size(mt, size + 1) < 0 || H5Tset_strpad(mt, H5T_STR_NULLTERM) < 0)))
            st = bs_nomem("%s of %s", dset, c->path);
        else if (n > 0 && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
            st = fail_here(c, dset, "cannot read its names (damaged file?)");
        else {
            wire_put_u64(out, n);
            for (hsize_t i = 0; i < n; i++)
                wire_put_str(out, var ? ((char **)buf)[i] : buf + i * cell);
            if (var && n > 0 && H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, buf) < 0)
                st = fail_here(c, dset, "cannot free its names");
        }
    }
    free(buf);
    CLOSE(H5Tclose, mt);
    close_dset(&d, &t, &sp);
    return st;
}

/* A string attribute of object `obj`: 1 and the value in *s (malloc'd), 0
 * when missing, or a status when it is there but not one string. */
static int str_attr(const ctx *c, const char *obj, const char *name, char **s)
{
    *s = NULL;
    htri_t there = H5Aexists_by_name(c->f, obj, name, H5P_DEFAULT);
    if (there < 0)
        return fail_here(c, obj, "cannot read its attributes (damaged file?)");
    if (!there)
        return 0;
    hid_t o = H5Oopen(c->f, obj, H5P_DEFAULT);
    if (o < 0)
        return fail_here(c, obj, "cannot open it (damaged file?)");
    *s = results_read_str_attr(o, name);
    CLOSE(H5Oclose, o);
    H5Eclear2(H5E_DEFAULT);
    if (!*s) {
        char what[128];
        snprintf(what, sizeof what, "attribute %s: not a string", name);
        return fail_here(c, obj, what);
    }
    return 1;
}

static int put_days(const ctx *c, FILE *out)
{
    char dset[32], link[32];
    snprintf(dset, sizeof dset, "%sday", c->pre);
    snprintf(link, sizeof link, "%slink", c->pre);
    if (!c->has[D_DAY] && !c->has[D_CASE]) { /* not a run: say what it is when it says */
        char *kind = NULL;
        int k = str_attr(c, "/", "kind", &kind), st;
        const char *slash = strrchr(c->path, '/');
        int dir_len = slash ? (int)(slash - c->path) : 1;
        const char *dir = slash ? c->path : ".";
        H5Eclear2(H5E_DEFAULT);
        if (k == 1 && strcmp(kind, "posterior") == 0)
            st = bs_fail(BS_EINPUT,
                         "%s: a calibration's posterior (blockshift calibrate), not a run's "
                         "results: calibrate drew its fit next to it (%.*s/fit.png; redraw it with gnuplot "
                         "%.*s/fit.gp) and listed the posterior in %.*s/summary.txt",
                         c->path, dir_len, dir, dir_len, dir, dir_len, dir);
        else if (k == 1 && strcmp(kind, "sweep-index") == 0)
            st = bs_fail(BS_EINPUT,
                         "%s: a sweep's index, not a run's results: for the sweep's figures, "
                         "blockshift plot %.*s",
                         c->path, dir_len, dir);
        else
            st = k < 0 ? k : fail_here(c, dset, "missing");
        free(kind);
        return st;
    }
    if (!c->has[D_DAY]) { /* a testbed matrix: cases, no days (n_days 0) */
        wire_put_u64(out, 0);
        wire_put_str(out, "");
        wire_put_u64(out, 0);
        wire_put_str(out, NULL);
        return BS_OK;
    }
    hid_t d, t, sp;
    int rank;
    hsize_t len[4];
    int st = open_dset(c, dset, &d, &t, &sp, &rank, len);
    long long *day = st == BS_OK ? calloc(len[0] ? (size_t)len[0] : 1, sizeof *day) : NULL;
    if (st == BS_OK && !day)
        st = bs_nomem("%s of %s", dset, c->path);
    if (st == BS_OK && len[0] > 0 && H5Dread(d, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, day) < 0)
        st = fail_here(c, dset, "cannot read its days (damaged file?)");
    if (st == BS_OK) {
        wire_put_u64(out, len[0]);
        for (hsize_t i = 0; i < len[0]; i++)
            wire_put_u64(out, (uint64_t)day[i]);
    }
    free(day);
    close_dset(&d, &t, &sp);
    char *epoch = NULL, *classes = NULL;
    if (st == BS_OK && (st = str_attr(c, dset, "epoch", &epoch)) >= 0) {
        wire_put_str(out, epoch);
        st = c->has[D_LINK] ? str_attr(c, link, "classes", &classes) : 0;
    }
    if (st >= 0) {
        wire_put_u64(out, classes != NULL);
        wire_put_str(out, classes);
        st = BS_OK;
    }
    free(epoch);
    free(classes);
    return st;
}

static int put_events(const ctx *c, FILE *out)
{
    int there = has_path(c, "/events");
    if (there < 0)
        return there;
    wire_put_u64(out, (uint64_t)there);
    if (!there) {
        wire_put_u64(out, 0);
        return BS_OK;
    }
    results_table *t = NULL;
    int st = load_events(c, 1, &t);
    if (st == BS_OK) {
        char *const *col[3] = {t->cols[events_column(t, "date")].data,
                               t->cols[events_column(t, "action")].data,
                               t->cols[events_column(t, "apps")].data};
        wire_put_u64(out, (uint64_t)t->n_rows);
        for (int i = 0; i < t->n_rows; i++)
            for (int k = 0; k < 3; k++)
                wire_put_str(out, col[k][i]);
    }
    results_table_free(t);
    return st;
}

static int put_array(const ctx *c, const char *dset, FILE *out)
{
    hid_t d, t, sp;
    int rank = 0;
    hsize_t len[4] = {0};
    int st = check_numbers(c, dset, &d, &t, &sp, &rank, len);
    size_t n = 1;
    for (int k = 0; st == BS_OK && k < rank; k++)
        n *= (size_t)len[k];
    double *v = st == BS_OK ? malloc(sizeof(double) * (n ? n : 1)) : NULL;
    if (st == BS_OK && !v)
        st = bs_nomem("%s of %s", dset, c->path);
    if (st == BS_OK && n > 0 && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0)
        st = fail_here(c, in_file(c, dset), "cannot be read as numbers (damaged file?)");
    if (st == BS_OK) {
        wire_put_str(out, dset);
        wire_put_u64(out, (uint64_t)rank);
        for (int k = 0; k < rank; k++)
            wire_put_u64(out, len[k]);
        fwrite(v, sizeof(double), n, out);
    }
    free(v);
    close_dset(&d, &t, &sp);
    return st;
}

/* The dims whose entries have display names, DIM_label (the apps' and the
 * VPN protocols', format version 2 since they were added). */
static const int shown_dims[] = {D_APP, D_VPN};
#define N_SHOWN_DIMS (int)(sizeof shown_dims / sizeof shown_dims[0])

/* Whether the file has the display names of dim k, /DIM_label (older files:
 * 0, figures show the names): 1 once checked to be a list of strings as
 * long as /DIM, else 0, or a status naming it. */
static int dim_labels(const ctx *c, int k, char *dset, size_t size)
{
    snprintf(dset, size, "/%s_label", dim_names[k]);
    if (c->pre[1] || !c->has[k])
        return 0;
    int there = has_path(c, dset);
    if (there <= 0)
        return there;
    hid_t d, t, sp;
    int rank = 0, rc;
    hsize_t len[4] = {0};
    if ((rc = open_dset(c, dset, &d, &t, &sp, &rank, len)) != BS_OK)
        ;
    else if (rank != 1 || H5Tget_class(t) != H5T_STRING || !results_sane_type(t))
        rc = fail_here(c, dset, "is not a list of names");
    else if (len[0] != c->len[k]) {
        char what[128];
        snprintf(what, sizeof what, "has %llu names, /%s %llu", (unsigned long long)len[0],
                 dim_names[k], (unsigned long long)c->len[k]);
        rc = fail_here(c, dset, what);
    }
    close_dset(&d, &t, &sp);
    return rc == BS_OK ? 1 : rc;
}

/* The child's second argument (results_isolated passes only the path): set
 * by results_load just before it forks. */
static _Thread_local const char *const *load_datasets;

static int load_here(const char *path, FILE *out)
{
    const char *const *want = load_datasets;
    hid_t f = results_open_checked(path);
    if (f < 0)
        return (int)f;
    ctx c = {.f = f, .path = path};
    int st = read_dims(&c);
    if (st == BS_OK)
        st = put_days(&c, out);
    int replay = st == BS_OK ? has_path(&c, "/testbed/replay") : 0;
    if (replay < 0)
        st = replay;
    int shown[N_SHOWN_DIMS] = {0}, n_shown = 0;
    char shown_dset[N_SHOWN_DIMS][64];
    for (int k = 0; st == BS_OK && k < N_SHOWN_DIMS; k++) {
        shown[k] = dim_labels(&c, shown_dims[k], shown_dset[k], sizeof shown_dset[k]);
        if (shown[k] < 0)
            st = shown[k];
        else
            n_shown += shown[k];
    }
    if (st == BS_OK) {
        wire_put_u64(out, (uint64_t)replay);
        int n = n_shown;
        for (int k = 0; k < N_LABEL_DIMS; k++)
            n += c.has[label_dims[k]];
        wire_put_u64(out, (uint64_t)n);
    }
    for (int k = 0; st == BS_OK && k < N_LABEL_DIMS; k++) {
        int dim = label_dims[k];
        if (!c.has[dim])
            continue;
        char dset[64];
        snprintf(dset, sizeof dset, "%s%s", c.pre, dim_names[dim]);
        wire_put_str(out, dim_names[dim]);
        st = put_names(&c, dset, c.len[dim], out);
    }
    for (int k = 0; st == BS_OK && k < N_SHOWN_DIMS; k++)
        if (shown[k]) {
            wire_put_str(out, shown_dset[k] + 1);
            st = put_names(&c, shown_dset[k], c.len[shown_dims[k]], out);
        }
    if (st == BS_OK)
        st = put_events(&c, out);
    int n = 0, *there = NULL;
    while (want && want[n])
        n++;
    if (st == BS_OK && !(there = calloc((size_t)n + 1, sizeof *there)))
        st = bs_nomem("the list of datasets of %s", path);
    int count = 0;
    for (int i = 0; st == BS_OK && i < n; i++) {
        int h = has_path(&c, in_file(&c, want[i]));
        if (h < 0)
            st = h;
        else
            count += there[i] = h;
    }
    if (st == BS_OK)
        wire_put_u64(out, (uint64_t)count);
    for (int i = 0; st == BS_OK && i < n; i++)
        if (there[i])
            st = put_array(&c, want[i], out);
    free(there);
    if (H5Fclose(f) < 0 && st == BS_OK)
        st = bs_fail(BS_EINPUT, "%s: cannot close it (damaged file?)", path);
    H5Eclear2(H5E_DEFAULT);
    if (st == BS_OK && ferror(out))
        st = bs_fail(BS_ERUNTIME, "%s: cannot pass the values on", path);
    return st;
}

/* ---- the parent ----------------------------------------------------------- */

void results_run_free(results_run *r)
{
    if (!r)
        return;
    free(r->day);
    free(r->epoch);
    free(r->link_classes);
    for (int i = 0; r->events && i < r->n_events; i++) {
        free(r->events[i].date);
        free(r->events[i].action);
        free(r->events[i].apps);
    }
    free(r->events);
    for (int i = 0; r->labels && i < r->n_labels; i++) {
        for (int k = 0; r->labels[i].v && k < r->labels[i].n; k++)
            free(r->labels[i].v[k]);
        free(r->labels[i].v);
        free(r->labels[i].name);
    }
    free(r->labels);
    for (int i = 0; r->arrays && i < r->n_arrays; i++) {
        free(r->arrays[i].path);
        free(r->arrays[i].v);
    }
    free(r->arrays);
    free(r);
}

/* A count of items of at least `min` bytes each that the rest of the
 * message can hold; marks the reader bad otherwise. */
static uint64_t get_count(wire_reader *w, size_t min)
{
    uint64_t n = wire_get_u64(w);
    if (!w->bad && n > (uint64_t)(w->end - w->p) / min)
        w->bad = 1;
    return w->bad ? 0 : n;
}

/* Whether p (just allocated) is there; if not, w is bad for want of memory. */
static int got(wire_reader *w, const void *p)
{
    if (!p)
        w->bad = w->nomem = 1;
    return p != NULL;
}

static results_run *parse_run(wire_reader *w)
{
    results_run *r = calloc(1, sizeof *r);
    if (!got(w, r))
        return NULL;
    uint64_t n = get_count(w, 8);
    r->day = calloc(n ? n : 1, sizeof *r->day);
    w->bad |= !got(w, r->day) || n > INT32_MAX;
    for (uint64_t i = 0; !w->bad && i < n; i++) {
        uint64_t x = wire_get_u64(w);
        r->day[i] = (int64_t)x < INT32_MIN || (int64_t)x > INT32_MAX ? -1 : (int)(int64_t)x;
    }
    r->n_days = (int)n;
    r->epoch = wire_get_str(w);
    uint64_t has_classes = wire_get_u64(w);
    r->link_classes = wire_get_str(w);
    if (!has_classes) {
        free(r->link_classes);
        r->link_classes = NULL;
    }
    r->replay = wire_get_u64(w) != 0;
    n = get_count(w, 16);
    r->labels = calloc(n ? n : 1, sizeof *r->labels);
    w->bad |= !got(w, r->labels);
    for (uint64_t i = 0; !w->bad && i < n; i++) {
        results_labels *l = &r->labels[i];
        r->n_labels = (int)i + 1;
        l->name = wire_get_str(w);
        uint64_t m = get_count(w, 8);
        l->v = calloc(m ? m : 1, sizeof *l->v);
        w->bad |= !got(w, l->v) || m > INT32_MAX;
        for (uint64_t k = 0; !w->bad && k < m; k++) {
            l->v[k] = wire_get_str(w);
            l->n = (int)k + 1;
        }
    }
    r->has_events = wire_get_u64(w) != 0;
    n = get_count(w, 24);
    r->events = calloc(n ? n : 1, sizeof *r->events);
    w->bad |= !got(w, r->events) || n > INT32_MAX;
    for (uint64_t i = 0; !w->bad && i < n; i++) {
        results_event *e = &r->events[i];
        r->n_events = (int)i + 1;
        e->date = wire_get_str(w);
        e->action = wire_get_str(w);
        e->apps = wire_get_str(w);
    }
    n = get_count(w, 16);
    r->arrays = calloc(n ? n : 1, sizeof *r->arrays);
    w->bad |= !got(w, r->arrays);
    for (uint64_t i = 0; !w->bad && i < n; i++) {
        results_array *a = &r->arrays[i];
        r->n_arrays = (int)i + 1;
        a->path = wire_get_str(w);
        uint64_t rank = wire_get_u64(w), values = 1;
        w->bad |= rank > 4;
        for (uint64_t k = 0; !w->bad && k < rank; k++) {
            uint64_t e = wire_get_u64(w);
            a->shape[k] = (size_t)e;
            values = e && values > MAX_VALUES / e ? MAX_VALUES + 1 : values * e;
        }
        w->bad |= values > MAX_VALUES || values > (uint64_t)(w->end - w->p) / sizeof(double);
        if (w->bad)
            break;
        a->rank = (int)rank;
        if (!got(w, a->v = malloc(sizeof(double) * (values ? values : 1))))
            break;
        memcpy(a->v, w->p, sizeof(double) * values);
        w->p += sizeof(double) * values;
    }
    if (w->bad || w->p != w->end) {
        results_run_free(r);
        return NULL;
    }
    return r;
}

int results_load(const char *path, const char *const *datasets, results_run **out)
{
    *out = NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem)
        return bs_nomem("a buffer to read %s", path);
    load_datasets = datasets;
    int st = results_isolated(path, mem, load_here);
    load_datasets = NULL;
    if (fclose(mem) != 0 && st == BS_OK)
        st = bs_nomem("a buffer to read %s", path);
    if (st == BS_OK) {
        wire_reader w = {buf, buf + len, 0, 0};
        if (!(*out = parse_run(&w)))
            st = w.nomem ? bs_nomem("what was read from %s", path)
                         : bs_fail(BS_ERUNTIME, "%s: cannot take over what was read", path);
    }
    free(buf);
    return st;
}

const results_array *results_run_array(const results_run *r, const char *dataset)
{
    for (int i = 0; r && i < r->n_arrays; i++)
        if (r->arrays[i].path && strcmp(r->arrays[i].path, dataset) == 0)
            return &r->arrays[i];
    return NULL;
}

const results_labels *results_run_labels(const results_run *r, const char *dim)
{
    for (int i = 0; r && i < r->n_labels; i++)
        if (r->labels[i].name && strcmp(r->labels[i].name, dim) == 0)
            return &r->labels[i];
    return NULL;
}

const results_labels *results_run_display(const results_run *r, const char *dim)
{
    char name[64];
    snprintf(name, sizeof name, "%s_label", dim);
    const results_labels *shown = results_run_labels(r, name), *id = results_run_labels(r, dim);
    return shown && id && shown->n == id->n ? shown : id;
}
