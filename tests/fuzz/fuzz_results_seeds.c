/* fuzz_results_seeds: small results files for the fuzz_results corpus.
 *
 *   fuzz_results_seeds FOLDER
 *
 * A results file of a real run is 250 KB even for one day (45 datasets with
 * their attributes and dimension scales), too big to mutate well.  These are
 * written with the same writer (results.c) and hold one of each thing the
 * reader reads: the root attributes that results_check() wants, provenance,
 * /config/text, /summary numbers, an /events table (string, double and
 * integer columns, with units), and a dataset on two dimension scales.
 * seed-events.h5 has two events, seed-empty.h5 none and no /summary.
 * run.sh writes them at the start of a run; tests/fuzz/corpus/results holds
 * a real run's file besides.
 */
#include "io/results.h"

#include "base/status.h"

#include <stdio.h>

static int write_seed(const char *dir, const char *name, int n_events)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    results *r = results_create(path);
    if (!r)
        return BS_ERUNTIME;
    static const char *const notes[] = {"WhatsApp blocked", "FaceTime \"slowed\""};
    static const double days[] = {62, 150.5};
    static const long long apps[] = {3, -1};
    const results_column cols[] = {{"note", RCOL_STRING, notes, ""},
                                   {"day", RCOL_DOUBLE, days, "days"},
                                   {"app", RCOL_INT, apps, NULL}};
    static const char *const regions[] = {"Moscow", "Siberia"};
    static const double installed[] = {0.25, 0.5, 0.75, 1, 1.25, 1.5};
    const char *const dims[] = {"region", "day"};
    int rc = BS_OK;
#define TRY(x)                                                                                     \
    if (rc == BS_OK)                                                                               \
    rc = (x)
    TRY(results_attr_str(r, "/", "format", RESULTS_FORMAT));
    TRY(results_attr_int(r, "/", "format_version", RESULTS_FORMAT_VERSION));
    TRY(results_attr_str(r, "/", "scenario", "seed"));
    TRY(results_attr_int(r, "/", "seed", 1));
    TRY(results_attr_int(r, "/", "run", 0));
    TRY(results_attr_str(r, "/provenance", "host", "fuzz"));
    TRY(results_attr_double(r, "/provenance", "wall_seconds", 0.5));
    TRY(results_write_text(r, "/config/text", "scenario = { name = \"seed\"; };\n",
                           "the resolved configuration"));
    TRY(results_write_table(r, "/events", "event", n_events, 3, cols, "the events"));
    TRY(results_dim_names(r, "region", 2, regions, "regions"));
    TRY(results_dim_index(r, "day", 3, "days", "days since the start"));
    TRY(results_write(r, "/population/installed", 2, dims, installed, "share", "installed"));
    if (n_events > 0) {
        TRY(results_attr_double(r, "/summary", "share", 0.125));
        TRY(results_attr_int(r, "/summary", "calls", 42));
        TRY(results_attr_str(r, "/summary", "label", "not a number"));
    }
#undef TRY
    if (rc != BS_OK) {
        results_abort(r);
        return rc;
    }
    return results_commit(r);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fuzz_results_seeds FOLDER\n");
        return 2;
    }
    if (write_seed(argv[1], "seed-events.h5", 2) != BS_OK ||
        write_seed(argv[1], "seed-empty.h5", 0) != BS_OK) {
        fprintf(stderr, "fuzz_results_seeds: %s\n", bs_last_error());
        return 1;
    }
    return 0;
}
