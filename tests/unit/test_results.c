/* Unit tests for results (models/results.c, models/results_read.c).
 *
 * Each test works in a fresh folder under /tmp and reads the files back with
 * plain HDF5 calls, so it checks the file layout of models/README.md, section 8,
 * rather than our own reader.
 */
#include <setjmp.h> /* before cmocka.h */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "io/results.h"
#include "base/status.h"

/* Open HDF5 files, groups, datasets, named types and attributes (in any
 * file): the same before and after a test, since results closes every handle
 * it opens (and so does the test).  HDF5 1.10 cannot count open dataspaces,
 * types and property lists from outside. */
static ssize_t count_ids(void) { return H5Fget_obj_count((hid_t)H5F_OBJ_ALL, H5F_OBJ_ALL); }

struct fixture {
    ssize_t ids;
    char dir[64];
    char path[128]; /* dir/run.h5 */
    char tmp[160];  /* dir/run.h5.partial-<pid> */
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    snprintf(fx->dir, sizeof fx->dir, "/tmp/bs_test_results_XXXXXX");
    if (!mkdtemp(fx->dir)) {
        free(fx);
        return -1;
    }
    snprintf(fx->path, sizeof fx->path, "%s/run.h5", fx->dir);
    snprintf(fx->tmp, sizeof fx->tmp, "%s.partial-%ld", fx->path, (long)getpid());
    H5open();
    fx->ids = count_ids();
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    ssize_t now = count_ids();
    int leaks = now != fx->ids;
    if (leaks)
        print_error("open HDF5 objects: %zd before the test, %zd after\n", fx->ids, now);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    int rc = system(cmd);
    free(fx);
    return rc == 0 && !leaks ? 0 : -1;
}

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* The number of entries of a folder, without . and .. */
static int count_entries(const char *dir)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p) {
        if (fscanf(p, "%d", &n) != 1)
            n = -1;
        pclose(p);
    }
    return n;
}

/* A string attribute read back with HDF5 (vlen strings only, which is what
 * results writes); malloc'd. */
static char *get_str_attr(hid_t obj, const char *name)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    assert_true(a >= 0);
    hid_t t = H5Aget_type(a);
    assert_int_equal(H5Tget_class(t), H5T_STRING);
    assert_true(H5Tis_variable_str(t) > 0);
    assert_int_equal(H5Tget_cset(t), H5T_CSET_UTF8);
    char *s = NULL;
    assert_true(H5Aread(a, t, &s) >= 0);
    char *copy = strdup(s);
    H5free_memory(s);
    H5Tclose(t);
    H5Aclose(a);
    return copy;
}

static long long get_int_attr(hid_t obj, const char *name)
{
    long long v = -12345;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    assert_true(a >= 0);
    assert_true(H5Aread(a, H5T_NATIVE_LLONG, &v) >= 0);
    H5Aclose(a);
    return v;
}

static double get_double_attr(hid_t obj, const char *name)
{
    double v = -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    assert_true(a >= 0);
    assert_true(H5Aread(a, H5T_NATIVE_DOUBLE, &v) >= 0);
    H5Aclose(a);
    return v;
}

/* Chunked layout with shuffle and deflate, the storage every array gets. */
static void assert_chunked(hid_t d, int want_shuffle)
{
    hid_t dcpl = H5Dget_create_plist(d);
    assert_true(dcpl >= 0);
    assert_int_equal(H5Pget_layout(dcpl), H5D_CHUNKED);
    int nf = H5Pget_nfilters(dcpl);
    assert_true(nf >= (want_shuffle ? 2 : 1));
    int shuffle = 0, deflate = 0;
    for (int i = 0; i < nf; i++) {
        unsigned flags, cd[4];
        size_t ncd = 4;
        H5Z_filter_t f = H5Pget_filter2(dcpl, (unsigned)i, &flags, &ncd, cd, 0, NULL, NULL);
        shuffle |= f == H5Z_FILTER_SHUFFLE;
        if (f == H5Z_FILTER_DEFLATE) {
            deflate = 1;
            assert_int_equal(cd[0], 1); /* level 1 */
        }
    }
    assert_int_equal(shuffle, want_shuffle);
    assert_true(deflate);
    H5Pclose(dcpl);
}

/* Write the file used by several tests: days 0..2, four apps, a [day][app]
 * array of 10*day + app, an events table of two rows, the config text and a
 * few attributes. */
static const char *const apps[] = {"whatsapp", "telegram", "signal", "skype"};
static const double failed[3][4] = {{0, 1, 2, 3}, {10, 11, 12, 13}, {20, 21, 22, 23}};

static void write_sample(results *r)
{
    assert_int_equal(results_attr_str(r, "/", "format", RESULTS_FORMAT), BS_OK);
    assert_int_equal(results_attr_int(r, "/", "format_version", RESULTS_FORMAT_VERSION), BS_OK);
    assert_int_equal(results_attr_str(r, "/", "scenario", "test"), BS_OK);
    assert_int_equal(results_attr_int(r, "/", "seed", 42), BS_OK);
    assert_int_equal(results_attr_int(r, "/", "run", 3), BS_OK);
    assert_int_equal(results_attr_str(r, "/provenance", "compiler", "gcc"), BS_OK);

    assert_int_equal(
        results_dim_time(r, "day", 3, NULL, "days", "2022-09-21", "days since the start"), BS_OK);
    assert_int_equal(results_dim_names(r, "app", 4, apps, "messaging apps"), BS_OK);
    /* a second dimension of the same name, or one named like a group at the
     * root, is refused (netCDF-4 wants unique names in a group) */
    assert_int_equal(results_dim_names(r, "app", 4, apps, "again"), BS_ERUNTIME);
    assert_int_equal(results_dim_names(r, "provenance", 4, apps, "a group"), BS_ERUNTIME);
    assert_non_null(strstr(bs_last_error(), "taken"));

    const char *dims[] = {"day", "app"};
    assert_int_equal(
        results_write(r, "/calls/failed", 2, dims, &failed[0][0], "calls", "attempts that failed"),
        BS_OK);

    const char *date[] = {"2022-09-21", "2022-09-22"};
    const char *action[] = {"block", NULL}; /* NULL is written as "" */
    const double strength[] = {1.0, 0.5};
    const long long scope[] = {7, -1};
    const results_column cols[] = {
        {"date", RCOL_STRING, date, ""},
        {"action", RCOL_STRING, action, NULL},
        {"strength", RCOL_DOUBLE, strength, "1"},
        {"scope", RCOL_INT, scope, "regions"},
    };
    assert_int_equal(results_write_table(r, "/events", "event", 2, 4, cols, "censorship events"), BS_OK);
    assert_int_equal(results_write_text(r, "/config/text", "a = 1;\nb = \"x\";\n", "config"),
                     BS_OK);
    assert_int_equal(results_attr_double(r, "/summary", "final_share_signal", 0.25), BS_OK);
    /* Overwriting an attribute keeps the last value. */
    assert_int_equal(results_attr_double(r, "/summary", "peak_load", 1.0), BS_OK);
    assert_int_equal(results_attr_double(r, "/summary", "peak_load", 2.5), BS_OK);
}

/* A committed file: the final name exists, the temporary name is gone, the
 * root says complete=1, the array reads back equal with chunked + shuffle +
 * deflate storage, each axis is attached to its scale at the root and
 * labelled, units, descriptions and long names are present, the day axis
 * has CF time units, a table is a group of columns on its row dimension
 * (format version 2), and the root says Conventions = CF-1.8. */
static void test_write_commit(void **state)
{
    struct fixture *fx = *state;
    results *r = results_create(fx->path);
    assert_non_null(r);
    write_sample(r);
    assert_true(exists(fx->tmp));
    assert_false(exists(fx->path));
    assert_int_equal(results_commit(r), BS_OK);
    assert_true(exists(fx->path));
    assert_false(exists(fx->tmp));
    assert_int_equal(count_entries(fx->dir), 1);

    hid_t f = H5Fopen(fx->path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    assert_int_equal(get_int_attr(f, "complete"), 1);
    assert_int_equal(get_int_attr(f, "seed"), 42);
    char *s = get_str_attr(f, "format");
    assert_string_equal(s, RESULTS_FORMAT);
    free(s);

    /* the array */
    hid_t d = H5Dopen2(f, "/calls/failed", H5P_DEFAULT);
    assert_true(d >= 0);
    hid_t sp = H5Dget_space(d);
    hsize_t shape[2];
    assert_int_equal(H5Sget_simple_extent_ndims(sp), 2);
    H5Sget_simple_extent_dims(sp, shape, NULL);
    assert_int_equal(shape[0], 3);
    assert_int_equal(shape[1], 4);
    H5Sclose(sp);
    double back[3][4];
    assert_true(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) >= 0);
    assert_memory_equal(back, failed, sizeof failed);
    assert_chunked(d, 1);
    s = get_str_attr(d, "units");
    assert_string_equal(s, "calls");
    free(s);
    s = get_str_attr(d, "description");
    assert_string_equal(s, "attempts that failed");
    free(s);

    /* the dimension scales */
    s = get_str_attr(d, "long_name");
    assert_string_equal(s, "attempts that failed");
    free(s);
    s = get_str_attr(f, "Conventions");
    assert_string_equal(s, "CF-1.8");
    free(s);
    assert_int_equal(H5Lexists(f, "/dims", H5P_DEFAULT), 0);
    /* the root's scales, copied into /calls, which has the data */
    hid_t rday = H5Dopen2(f, "/day", H5P_DEFAULT), rapp = H5Dopen2(f, "/app", H5P_DEFAULT);
    assert_true(rday >= 0 && rapp >= 0);
    assert_true(H5DSis_scale(rday) > 0 && H5DSis_scale(rapp) > 0);
    s = get_str_attr(rday, "units");
    assert_string_equal(s, "days since 2022-09-21 00:00:00");
    free(s);
    H5Dclose(rday);
    H5Dclose(rapp);
    hid_t day = H5Dopen2(f, "/calls/day", H5P_DEFAULT), app = H5Dopen2(f, "/calls/app", H5P_DEFAULT);
    assert_true(day >= 0 && app >= 0);
    assert_true(H5DSis_scale(day) > 0);
    assert_true(H5DSis_scale(app) > 0);
    assert_true(H5DSis_attached(d, day, 0) > 0);
    assert_true(H5DSis_attached(d, app, 1) > 0);
    assert_true(H5DSis_attached(d, app, 0) == 0);
    char label[32];
    assert_true(H5DSget_label(d, 0, label, sizeof label) > 0);
    assert_string_equal(label, "day");
    assert_true(H5DSget_label(d, 1, label, sizeof label) > 0);
    assert_string_equal(label, "app");
    assert_true(H5DSget_scale_name(day, label, sizeof label) > 0);
    assert_string_equal(label, "day");
    s = get_str_attr(day, "units");
    assert_string_equal(s, "days since 2022-09-21 00:00:00");
    free(s);
    s = get_str_attr(day, "calendar");
    assert_string_equal(s, "standard");
    free(s);
    s = get_str_attr(day, "standard_name");
    assert_string_equal(s, "time");
    free(s);
    s = get_str_attr(day, "epoch");
    assert_string_equal(s, "2022-09-21");
    free(s);
    s = get_str_attr(app, "units");
    assert_string_equal(s, "");
    free(s);
    s = get_str_attr(app, "description");
    assert_string_equal(s, "messaging apps");
    free(s);
    int days[3];
    assert_true(H5Dread(day, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, days) >= 0);
    assert_int_equal(days[0], 0);
    assert_int_equal(days[2], 2);
    assert_chunked(day, 1);
    char *names[4] = {0};
    hid_t st = H5Dget_type(app);
    assert_true(H5Tis_variable_str(st) > 0);
    assert_true(H5Dread(app, st, H5S_ALL, H5S_ALL, H5P_DEFAULT, names) >= 0);
    for (int i = 0; i < 4; i++) {
        assert_string_equal(names[i], apps[i]);
        H5free_memory(names[i]);
    }
    H5Tclose(st);
    assert_chunked(app, 0);
    H5Dclose(day);
    H5Dclose(app);
    H5Dclose(d);

    /* the table: a group, its columns in order, each on the row dimension */
    hid_t g = H5Gopen2(f, "/events", H5P_DEFAULT);
    assert_true(g >= 0);
    s = get_str_attr(g, "description");
    assert_string_equal(s, "censorship events");
    free(s);
    hid_t a = H5Aopen(g, "columns", H5P_DEFAULT);
    assert_true(a >= 0);
    hid_t at = H5Aget_type(a);
    char *cn[4] = {0};
    assert_true(H5Aread(a, at, cn) >= 0);
    const char *want_cols[] = {"date", "action", "strength", "scope"};
    for (int i = 0; i < 4; i++) {
        assert_string_equal(cn[i], want_cols[i]);
        H5free_memory(cn[i]);
    }
    H5Tclose(at);
    H5Aclose(a);
    H5Gclose(g);
    hid_t ev = H5Dopen2(f, "/events/event", H5P_DEFAULT);
    assert_true(ev >= 0 && H5DSis_scale(ev) > 0);
    long long rowno[2];
    assert_true(H5Dread(ev, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, rowno) >= 0);
    assert_true(rowno[0] == 0 && rowno[1] == 1);
    d = H5Dopen2(f, "/events/strength", H5P_DEFAULT);
    assert_true(d >= 0);
    assert_true(H5DSis_attached(d, ev, 0) > 0);
    sp = H5Dget_space(d);
    H5Sget_simple_extent_dims(sp, shape, NULL);
    assert_int_equal(shape[0], 2);
    H5Sclose(sp);
    assert_chunked(d, 1);
    s = get_str_attr(d, "units");
    assert_string_equal(s, "1");
    free(s);
    double strength_back[2];
    assert_true(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, strength_back) >= 0);
    assert_true(strength_back[0] == 1.0 && strength_back[1] == 0.5);
    H5Dclose(d);
    d = H5Dopen2(f, "/events/scope", H5P_DEFAULT);
    long long scope_back[2];
    assert_true(H5Dread(d, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, scope_back) >= 0);
    assert_true(scope_back[0] == 7 && scope_back[1] == -1);
    H5Dclose(d);
    d = H5Dopen2(f, "/events/action", H5P_DEFAULT);
    assert_chunked(d, 0);
    s = get_str_attr(d, "units");
    assert_string_equal(s, "");
    free(s);
    hid_t t = H5Dget_type(d);
    char *act[2] = {0};
    assert_true(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, act) >= 0);
    assert_string_equal(act[0], "block");
    assert_string_equal(act[1], ""); /* NULL written as "" */
    H5free_memory(act[0]);
    H5free_memory(act[1]);
    H5Tclose(t);
    H5Dclose(d);
    H5Dclose(ev);

    /* the text */
    d = H5Dopen2(f, "/config/text", H5P_DEFAULT);
    assert_true(d >= 0);
    t = H5Dget_type(d);
    char *text = NULL;
    assert_true(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) >= 0);
    assert_string_equal(text, "a = 1;\nb = \"x\";\n");
    H5free_memory(text);
    H5Tclose(t);
    s = get_str_attr(d, "units");
    assert_string_equal(s, "");
    free(s);
    s = get_str_attr(d, "description");
    assert_string_equal(s, "config");
    free(s);
    H5Dclose(d);

    /* attributes on groups, overwritten once */
    g = H5Gopen2(f, "/summary", H5P_DEFAULT);
    assert_true(g >= 0);
    assert_true(get_double_attr(g, "peak_load") == 2.5);
    H5Gclose(g);
    g = H5Gopen2(f, "/provenance", H5P_DEFAULT);
    assert_true(g >= 0);
    s = get_str_attr(g, "compiler");
    assert_string_equal(s, "gcc");
    free(s);
    H5Gclose(g);

    assert_int_equal(H5Fget_obj_count(f, H5F_OBJ_ALL), 1);
    H5Fclose(f);

    assert_int_equal(results_check(fx->path), BS_OK);
}

/* results_info prints the run, the events, every dataset with its axes and
 * units, and the summary. */
static void test_info(void **state)
{
    struct fixture *fx = *state;
    results *r = results_create(fx->path);
    assert_non_null(r);
    write_sample(r);
    assert_int_equal(results_commit(r), BS_OK);

    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    assert_int_equal(results_info(fx->path, out), BS_OK);
    fclose(out);
    const char *want[] = {"scenario",
                          "test",
                          "seed          42",
                          "/events (2 rows)",
                          "2022-09-22",
                          "/calls/failed",
                          "[day=3, app=4]",
                          "attempts that failed",
                          "/app",
                          "final_share_signal = 0.25",
                          "peak_load          = 2.5",
                          "compiler  gcc",
                          "strength [1]",
                          "/events/strength"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        if (!strstr(text, want[i]))
            fail_msg("results_info output lacks \"%s\":\n%s", want[i], text);
    free(text);
}

/* results_abort leaves nothing behind; so does a failed commit. */
static void test_abort(void **state)
{
    struct fixture *fx = *state;
    results *r = results_create(fx->path);
    assert_non_null(r);
    write_sample(r);
    assert_true(exists(fx->tmp));
    results_abort(r);
    assert_false(exists(fx->tmp));
    assert_false(exists(fx->path));
    assert_int_equal(count_entries(fx->dir), 0);
    results_abort(NULL);

    /* A commit that cannot rename (the final name is a folder) fails and
     * deletes the temporary file. */
    assert_int_equal(mkdir(fx->path, 0700), 0);
    r = results_create(fx->path);
    assert_non_null(r);
    write_sample(r);
    assert_int_equal(results_commit(r), BS_ERUNTIME);
    assert_non_null(strstr(bs_last_error(), "cannot rename"));
    assert_false(exists(fx->tmp));
    assert_int_equal(count_entries(fx->dir), 1);
}

/* Mistakes of the caller are errors with messages naming the object, and
 * leave the handle usable. */
static void test_write_errors(void **state)
{
    struct fixture *fx = *state;
    results *r = results_create(fx->path);
    assert_non_null(r);
    assert_int_equal(results_dim_index(r, "day", 2, "days", "d"), BS_OK);
    assert_int_equal(results_dim_index(r, "day", 2, "days", "d"), BS_ERUNTIME);

    const char *bad[] = {"day", "nope"};
    double v[4] = {0};
    assert_int_equal(results_write(r, "/x/y", 2, bad, v, "1", "x"), BS_ERUNTIME);
    assert_non_null(strstr(bs_last_error(), "/x/y"));
    assert_non_null(strstr(bs_last_error(), "nope"));

    const char *one[] = {"day"};
    assert_int_equal(results_write(r, "/x/y", 1, one, NULL, "1", "x"), BS_ERUNTIME);
    assert_int_equal(results_write(r, "/x/y", 1, one, v, "1", "x"), BS_OK);
    /* the same path twice: HDF5 refuses, the message names the dataset */
    assert_int_equal(results_write(r, "/x/y", 1, one, v, "1", "x"), BS_ERUNTIME);
    assert_non_null(strstr(bs_last_error(), "/x/y: cannot create dataset"));
    assert_non_null(strstr(bs_last_error(), fx->path));
    /* a dataset under a dataset */
    assert_int_equal(results_write(r, "/x/y/z", 1, one, v, "1", "x"), BS_ERUNTIME);

    const results_column dup[] = {{"a", RCOL_DOUBLE, v, ""}, {"a", RCOL_DOUBLE, v, ""}};
    assert_int_equal(results_write_table(r, "/t", "row", 2, 2, dup, "t"), BS_ERUNTIME);
    const results_column nodata[] = {{"a", RCOL_DOUBLE, NULL, ""}};
    assert_int_equal(results_write_table(r, "/t", "row", 2, 1, nodata, "t"), BS_ERUNTIME);

    /* a dataset named like one of its axes (netCDF: a variable of that name
     * is the axis's coordinate variable) is refused */
    assert_int_equal(results_write(r, "/g/day", 1, one, v, "1", "x"), BS_ERUNTIME);
    assert_non_null(strstr(bs_last_error(), "/g/day is taken by a dataset"));

    /* an attribute on an existing dataset is fine; the handle still works */
    assert_int_equal(results_attr_str(r, "/x/y", "note", "ok"), BS_OK);
    assert_int_equal(results_attr_str(r, "/", "format", RESULTS_FORMAT), BS_OK);
    assert_int_equal(results_attr_int(r, "/", "format_version", 1), BS_OK);
    assert_int_equal(results_commit(r), BS_OK);
    assert_int_equal(results_check(fx->path), BS_OK);
}

/* A folder that does not exist is reported, and nothing is created. */
static void test_create_missing_folder(void **state)
{
    struct fixture *fx = *state;
    char p[200];
    snprintf(p, sizeof p, "%s/nope/run.h5", fx->dir);
    assert_null(results_create(p));
    assert_non_null(strstr(bs_last_error(), "does not exist"));
    assert_int_equal(count_entries(fx->dir), 0);
}

/* Zero-length axes and a table of no rows are written and read back with
 * length 0 (an empty app list, a run without events). */
static void test_empty(void **state)
{
    struct fixture *fx = *state;
    results *r = results_create(fx->path);
    assert_non_null(r);
    assert_int_equal(results_attr_str(r, "/", "format", RESULTS_FORMAT), BS_OK);
    assert_int_equal(results_attr_int(r, "/", "format_version", RESULTS_FORMAT_VERSION), BS_OK);
    assert_int_equal(results_dim_index(r, "day", 5, "days", "d"), BS_OK);
    assert_int_equal(results_dim_names(r, "vpn", 0, NULL, "no VPNs"), BS_OK);
    const char *dims[] = {"day", "vpn"};
    /* not /population/vpn_users, which the layout has as [day][region][vpn]:
     * info would refuse it (results_check_layout) */
    assert_int_equal(results_write(r, "/series/vpn_users", 2, dims, NULL, "people", "x"), BS_OK);
    const results_column cols[] = {{"date", RCOL_STRING, NULL, ""},
                                   {"strength", RCOL_DOUBLE, NULL, "1"}};
    assert_int_equal(results_write_table(r, "/events", "event", 0, 2, cols, "no events"), BS_OK);
    assert_int_equal(results_commit(r), BS_OK);

    hid_t f = H5Fopen(fx->path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t d = H5Dopen2(f, "/series/vpn_users", H5P_DEFAULT);
    assert_true(d >= 0);
    hid_t sp = H5Dget_space(d);
    hsize_t shape[2];
    H5Sget_simple_extent_dims(sp, shape, NULL);
    assert_int_equal(shape[0], 5);
    assert_int_equal(shape[1], 0);
    H5Sclose(sp);
    assert_chunked(d, 1);
    hid_t vpn = H5Dopen2(f, "/series/vpn", H5P_DEFAULT);
    assert_true(H5DSis_attached(d, vpn, 1) > 0);
    H5Dclose(vpn);
    H5Dclose(d);
    d = H5Dopen2(f, "/events/strength", H5P_DEFAULT);
    assert_true(d >= 0);
    sp = H5Dget_space(d);
    H5Sget_simple_extent_dims(sp, shape, NULL);
    assert_int_equal(shape[0], 0);
    H5Sclose(sp);
    H5Dclose(d);
    H5Fclose(f);

    FILE *out = fopen("/dev/null", "w");
    assert_non_null(out);
    assert_int_equal(results_info(fx->path, out), BS_OK);
    fclose(out);
}

/* Write `n` bytes of `data` to `p`. */
static void put_file(const char *p, const void *data, size_t n)
{
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

/* results_check (and results_info) on files that are not complete results:
 * each is BS_EINPUT with the expected message, HDF5 prints nothing on
 * stderr, and nothing crashes. */
static void check_bad(const char *p, const char *msg)
{
    assert_int_equal(results_check(p), BS_EINPUT);
    if (!strstr(bs_last_error(), msg))
        fail_msg("results_check(%s): \"%s\" lacks \"%s\"", p, bs_last_error(), msg);
    FILE *out = fopen("/dev/null", "w");
    assert_non_null(out);
    assert_int_equal(results_info(p, out), BS_EINPUT);
    fclose(out);
}

static void hdf5_with_root_attrs(const char *p, const char *format, long long version,
                                 long long complete)
{
    hid_t f = H5Fcreate(p, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t sp = H5Screate(H5S_SCALAR);
    if (format) {
        hid_t t = H5Tcopy(H5T_C_S1);
        H5Tset_size(t, strlen(format)); /* fixed length, as h5py writes */
        H5Tset_strpad(t, H5T_STR_NULLPAD);
        hid_t a = H5Acreate2(f, "format", t, sp, H5P_DEFAULT, H5P_DEFAULT);
        H5Awrite(a, t, format);
        H5Aclose(a);
        H5Tclose(t);
    }
    if (version >= 0) {
        hid_t a = H5Acreate2(f, "format_version", H5T_STD_I32LE, sp, H5P_DEFAULT, H5P_DEFAULT);
        H5Awrite(a, H5T_NATIVE_LLONG, &version);
        H5Aclose(a);
    }
    if (complete >= 0) {
        hid_t a = H5Acreate2(f, "complete", H5T_STD_I8LE, sp, H5P_DEFAULT, H5P_DEFAULT);
        H5Awrite(a, H5T_NATIVE_LLONG, &complete);
        H5Aclose(a);
    }
    H5Sclose(sp);
    H5Fclose(f);
}

static void test_check_bad_files(void **state)
{
    struct fixture *fx = *state;
    char p[200];

    /* Capture stderr: HDF5 must not print its error stacks. */
    char errpath[200];
    snprintf(errpath, sizeof errpath, "%s/stderr.txt", fx->dir);
    fflush(stderr);
    int saved = dup(2);
    int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, 2);
    close(fd);

    snprintf(p, sizeof p, "%s/missing.h5", fx->dir);
    check_bad(p, "no such file");
    check_bad(fx->dir, "not an HDF5 file");

    snprintf(p, sizeof p, "%s/text.h5", fx->dir);
    put_file(p, "hello, world\n", 13);
    check_bad(p, "not an HDF5 file");
    put_file(p, "", 0);
    check_bad(p, "not an HDF5 file");

    /* the HDF5 signature followed by garbage */
    unsigned char junk[4096];
    memcpy(junk, "\x89HDF\r\n\x1a\n", 8);
    srand(7);
    for (size_t i = 8; i < sizeof junk; i++)
        junk[i] = (unsigned char)rand();
    put_file(p, junk, sizeof junk);
    check_bad(p, "not an HDF5 file");

    /* a good file cut at several lengths */
    results *r = results_create(fx->path);
    assert_non_null(r);
    write_sample(r);
    assert_int_equal(results_commit(r), BS_OK);
    FILE *in = fopen(fx->path, "rb");
    assert_non_null(in);
    static unsigned char whole[1 << 20];
    size_t n = fread(whole, 1, sizeof whole, in);
    fclose(in);
    assert_true(n > 1000 && n < sizeof whole);
    size_t cuts[] = {n / 2, n - 1, 100, 9};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        put_file(p, whole, cuts[i]);
        check_bad(p, "not an HDF5 file");
    }

    /* HDF5, but not ours */
    hdf5_with_root_attrs(p, NULL, -1, -1);
    check_bad(p, "not a blockshift results file");
    hdf5_with_root_attrs(p, "something-else", 1, 1);
    check_bad(p, "not a blockshift results file");
    /* ours, but unfinished, or newer */
    hdf5_with_root_attrs(p, RESULTS_FORMAT, 1, -1);
    check_bad(p, "incomplete results file (the run did not finish)");
    hdf5_with_root_attrs(p, RESULTS_FORMAT, 1, 0);
    check_bad(p, "incomplete results file");
    hdf5_with_root_attrs(p, RESULTS_FORMAT, RESULTS_FORMAT_VERSION + 1, 1);
    check_bad(p, "newer");
    /* and the same with fixed-length strings and small integers is fine */
    hdf5_with_root_attrs(p, RESULTS_FORMAT, 1, 1);
    assert_int_equal(results_check(p), BS_OK);

    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    struct stat st;
    assert_int_equal(stat(errpath, &st), 0);
    if (st.st_size != 0) {
        char cmd[260];
        snprintf(cmd, sizeof cmd, "cat '%s'", errpath);
        assert_int_equal(system(cmd), 0);
        fail_msg("something was printed on stderr (%lld bytes)", (long long)st.st_size);
    }
}

/* A file whose global heap (where HDF5 keeps variable-length strings) says
 * the "blockshift-results" string is 2^40 bytes long: HDF5 1.10 copies that
 * much and crashes.  results_check and results_info must survive it and say
 * the file is damaged (or, with a more careful HDF5, not ours). */
static void test_check_damaged_heap(void **state)
{
    struct fixture *fx = *state;
    results *r = results_create(fx->path);
    assert_non_null(r);
    write_sample(r);
    assert_int_equal(results_commit(r), BS_OK);

    FILE *in = fopen(fx->path, "rb");
    assert_non_null(in);
    static unsigned char whole[1 << 20];
    size_t n = fread(whole, 1, sizeof whole, in);
    fclose(in);
    const char *needle = RESULTS_FORMAT;
    size_t len = strlen(needle), at = 0;
    for (size_t i = 16; i + len <= n && !at; i++)
        if (memcmp(whole + i, needle, len) == 0)
            at = i;
    assert_true(at > 0);
    /* heap object header: index (2), references (2), reserved (4), size (8) */
    unsigned char *size = whole + at - 8;
    assert_int_equal(size[0], len); /* little-endian size: really the header */
    memset(size, 0, 8);
    size[5] = 1; /* 2^40 */
    char p[200];
    snprintf(p, sizeof p, "%s/damaged.h5", fx->dir);
    put_file(p, whole, n);

    assert_int_equal(results_check(p), BS_EINPUT);
    const char *m = bs_last_error();
    if (!strstr(m, "damaged HDF5 file") && !strstr(m, "not a blockshift results file"))
        fail_msg("unexpected message: %s", m);
    char *text = NULL;
    size_t tlen = 0;
    FILE *out = open_memstream(&text, &tlen);
    assert_non_null(out);
    assert_int_equal(results_info(p, out), BS_EINPUT);
    fclose(out);
    free(text);
    /* and the good file still reads */
    assert_int_equal(results_check(fx->path), BS_OK);
}

/* A small run for results_load: days 0..2 (epoch 2022-09-21), regions
 * north and south, the four apps, /calls/failed [day][app] as in
 * write_sample, /population/primary of 100*day + 10*region + app with the
 * axes `prim` (the layout's [day][region][app] or a wrong order), and an
 * /events table (date, action, apps) of one row. */
static void write_run(const char *path, const char *const prim[3])
{
    static const char *const regions[] = {"north", "south"};
    results *r = results_create(path);
    assert_non_null(r);
    assert_int_equal(results_attr_str(r, "/", "format", RESULTS_FORMAT), BS_OK);
    assert_int_equal(results_attr_int(r, "/", "format_version", RESULTS_FORMAT_VERSION), BS_OK);
    assert_int_equal(results_dim_time(r, "day", 3, NULL, "days", "2022-09-21", "d"), BS_OK);
    assert_int_equal(results_dim_names(r, "region", 2, regions, "regions"), BS_OK);
    assert_int_equal(results_dim_names(r, "app", 4, apps, "apps"), BS_OK);
    const char *da[] = {"day", "app"};
    assert_int_equal(results_write(r, "/calls/failed", 2, da, &failed[0][0], "calls", "x"), BS_OK);
    double prim_v[24];
    for (int i = 0; i < 24; i++)
        prim_v[i] = 100 * (i / 8) + 10 * (i / 4 % 2) + i % 4;
    assert_int_equal(results_write(r, "/population/primary", 3, prim, prim_v, "people", "x"), BS_OK);
    const char *date[] = {"2022-09-22"}, *action[] = {"block"}, *which[] = {"whatsapp"};
    const results_column cols[] = {{"date", RCOL_STRING, date, ""},
                                   {"action", RCOL_STRING, action, ""},
                                   {"apps", RCOL_STRING, which, ""}};
    assert_int_equal(results_write_table(r, "/events", "event", 1, 3, cols, "events"), BS_OK);
    assert_int_equal(results_commit(r), BS_OK);
}

/* results_load hands back the days, the names, the events and the datasets
 * asked for (a missing one left out), values as written; a dataset whose
 * axes do not match the dims is BS_EINPUT naming it, and so is info. */
static void test_load(void **state)
{
    struct fixture *fx = *state;
    const char *good[] = {"day", "region", "app"}, *swapped[] = {"day", "app", "region"};
    write_run(fx->path, good);
    const char *want[] = {"/calls/failed", "/population/primary", "/calls/completed", NULL};
    results_run *run = NULL;
    assert_int_equal(results_load(fx->path, want, &run), BS_OK);
    assert_int_equal(run->n_days, 3);
    assert_int_equal(run->day[2], 2);
    assert_string_equal(run->epoch, "2022-09-21");
    assert_int_equal(run->replay, 0);
    assert_int_equal(run->has_events, 1);
    assert_int_equal(run->n_events, 1);
    assert_string_equal(run->events[0].date, "2022-09-22");
    assert_string_equal(run->events[0].action, "block");
    assert_string_equal(run->events[0].apps, "whatsapp");
    const results_labels *l = results_run_labels(run, "app");
    assert_non_null(l);
    assert_int_equal(l->n, 4);
    assert_string_equal(l->v[3], "skype");
    assert_null(results_run_labels(run, "vpn")); /* not in the file */
    assert_int_equal(run->n_arrays, 2);          /* /calls/completed is not there */
    assert_null(results_run_array(run, "/calls/completed"));
    const results_array *a = results_run_array(run, "/calls/failed");
    assert_non_null(a);
    assert_int_equal(a->rank, 2);
    assert_int_equal(a->shape[0], 3);
    assert_int_equal(a->shape[1], 4);
    for (int i = 0; i < 12; i++)
        assert_true(a->v[i] == failed[i / 4][i % 4]);
    a = results_run_array(run, "/population/primary");
    assert_non_null(a);
    assert_int_equal(a->shape[1], 2);
    /* [day 2][south][signal]: 100*2 + 10*1 + 2 */
    assert_true(a->v[(2 * 2 + 1) * 4 + 2] == 212);
    results_run_free(run);

    /* [day][app][region]: 4 where /region has 2 */
    unlink(fx->path);
    write_run(fx->path, swapped);
    run = NULL;
    assert_int_equal(results_load(fx->path, want, &run), BS_EINPUT);
    assert_null(run);
    const char *m = bs_last_error();
    if (!strstr(m, fx->path) ||
        !strstr(m, "/population/primary: axis 1 (region) has 4 entries, /region has 2"))
        fail_msg("unexpected message: %s", m);
    FILE *out = fopen("/dev/null", "w");
    assert_non_null(out);
    assert_int_equal(results_info(fx->path, out), BS_EINPUT);
    fclose(out);
    if (!strstr(bs_last_error(), "/population/primary: axis 1 (region)"))
        fail_msg("info: unexpected message: %s", bs_last_error());
}

/* Axis labels that are not what results.c writes (one variable-length
 * string per axis): here fixed-length strings, 32 bytes each.  HDF5's
 * H5DSget_label() reads them in the file's type into room for one pointer
 * per axis and then takes the bytes for pointers: the reading child
 * crashed and results_info said "damaged HDF5 file" (as it did, before the
 * fix, for labels that fuzz_results found).  Now such labels are passed
 * over and the axes named by their dimension scales, as written by
 * results_dim_*: "[day=3, app=4]", the same as with good labels. */
static void test_info_odd_axis_labels(void **state)
{
    struct fixture *fx = *state;
    results *r = results_create(fx->path);
    assert_non_null(r);
    write_sample(r);
    assert_int_equal(results_commit(r), BS_OK);

    hid_t f = H5Fopen(fx->path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t d = H5Dopen2(f, "/calls/failed", H5P_DEFAULT);
    assert_true(d >= 0);
    assert_true(H5Adelete(d, "DIMENSION_LABELS") >= 0);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, 32);
    hsize_t two = 2;
    hid_t sp = H5Screate_simple(1, &two, NULL);
    hid_t a = H5Acreate2(d, "DIMENSION_LABELS", t, sp, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(a >= 0);
    char labels[2][32] = {"day", "app"};
    assert_true(H5Awrite(a, t, labels) >= 0);
    H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(t);
    H5Dclose(d);
    H5Fclose(f);

    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    int st = results_info(fx->path, out);
    fclose(out);
    if (st != BS_OK)
        fail_msg("results_info: %d, %s", st, bs_last_error());
    if (!strstr(text, "[day=3, app=4]"))
        fail_msg("results_info output lacks \"[day=3, app=4]\":\n%s", text);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_missing_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_bad_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_damaged_heap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_info_odd_axis_labels, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
