/* blockshift testbed: run the packet-level matrix in ns-3 and write /testbed
 * to HDF5, and optionally the calibration table as a libconfig file. */
#include "cli/cli.h"

#ifndef BS_WITH_NS3
#include "base/status.h"

#include <stdio.h>
#include <string.h>

/* This build was configured --without-ns3: the packet engine is not in it. */
int cmd_testbed(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail(BS_EINPUT, "testbed: this build has no packet engine (it was configured "
                               "--without-ns3); install libns3-dev and rebuild with ./waf "
                               "configure");
}
#else
#include "ns3/bs_ns3.h"
#include "config/config.h"
#include "io/output.h"
#include "io/output_network.h"
#include "io/results.h"
#include "base/atomic.h"
#include "base/fsutil.h"
#include "base/progress.h"
#include "base/status.h"
#include "testbed/testbed.h"
#include "cli/testbed_replay.h"
#include "base/version.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_SET 256

static const char usage[] =
    "usage: blockshift testbed CONFIG [-o DIR] [--seed N] [--set key=value]...\n"
    "                          [--calibration-out FILE] [--progress] [--quiet]\n"
    "       blockshift testbed SCENARIO --replay [-o DIR] [--seed N] [--set key=value]...\n"
    "                          [--progress] [--quiet]\n"
    "\n"
    "Run the packet-level (ns-3) testbed of CONFIG: every case of its matrix (app,\n"
    "technique, VPN protocol; see the testbed.* parameters) on its network, and write\n"
    "DIR/<scenario>-testbed-seed<N>.h5 (default DIR: results/<scenario>/).\n"
    "\n"
    "  --calibration-out FILE  also write the measured table as a libconfig file\n"
    "  --replay                instead, run SCENARIO nationally, then replay its timeline\n"
    "                          in miniature: testbed.replay_users people calling each\n"
    "                          other through the censor boxes for testbed.phase_seconds\n"
    "                          of each phase between events; writes\n"
    "                          DIR/<scenario>-replay-seed<N>.h5, which blockshift plot draws\n"
    "  --progress              progress lines with the time left on stderr even when it is\n"
    "                          not a terminal (a tenth of the work a line); on a terminal\n"
    "                          the progress line is always shown\n"
    "  --quiet                 no progress and no messages (errors still go to stderr)\n"
    "\n"
    "The path of each file written goes to stdout, one a line; messages to stderr.\n";

typedef struct tb_args {
    const char *config, *out_dir, *calib;
    int quiet, progress, replay, n_set;
    char *set[MAX_SET];
    char seed[64];
} tb_args;

static int parse(int argc, char **argv, tb_args *a)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"seed", required_argument, NULL, 's'},
                                         {"set", required_argument, NULL, 'S'},
                                         {"calibration-out", required_argument, NULL, 'c'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"replay", no_argument, NULL, 'R'},
                                         {"progress", no_argument, NULL, 'P'},
                                         {NULL, 0, NULL, 0}};
    memset(a, 0, sizeof *a);
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:q", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            a->out_dir = optarg;
            break;
        case 'q':
            a->quiet = 1;
            break;
        case 'c':
            a->calib = optarg;
            break;
        case 'R':
            a->replay = 1;
            break;
        case 'P':
            a->progress = 1;
            break;
        case 's': {
            char *end;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (!*optarg || *end || optarg[0] == '-' || v > 4294967295ULL)
                return cli_fail(BS_EINPUT,
                                "testbed: --seed '%s' is not an integer in 0..4294967295", optarg);
            snprintf(a->seed, sizeof a->seed, "scenario.seed=%llu", v);
            if (a->n_set == MAX_SET)
                return cli_fail(BS_EINPUT, "testbed: more than %d overrides", MAX_SET);
            a->set[a->n_set++] = a->seed;
            break;
        }
        case 'S':
            if (a->n_set == MAX_SET)
                return cli_fail(BS_EINPUT, "testbed: more than %d overrides", MAX_SET);
            a->set[a->n_set++] = optarg;
            break;
        default:
            return cli_fail(BS_EINPUT,
                            "testbed: unknown option or missing value in '%s' (try --help)",
                            argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_fail(BS_EINPUT, "testbed: give exactly one CONFIG (try --help)");
    if (a->quiet && a->progress)
        return cli_fail(BS_EINPUT, "testbed: --quiet and --progress contradict each other");
    if (a->replay && a->calib)
        return cli_fail(BS_EINPUT, "testbed: --replay and --calibration-out do not go together");
    a->config = argv[optind];
    return cli_find_scenario(&a->config);
}

static int write_validation(results *r, const world *w, const testbed_validation *v)
{
    const char *runs[VAL_RUNS] = {"uncongested", "congested"}, *dvl[] = {"validation", "link"};
    const char *dva[] = {"validation", "aggregate"}, *da[] = {"aggregate"};
    BS_TRY(
        results_dim_names(r, "validation", VAL_RUNS, runs,
                          "Validation runs: links as configured; every link at 2.5 calls' rate"));
    int na = v->n_aggregates;
    char (*label)[2 * W_NAME + 16] = malloc(sizeof *label * (size_t)(na > 0 ? na : 1));
    const char **labels = malloc(sizeof *labels * (size_t)(na > 0 ? na : 1));
    if (!label || !labels) {
        free(label);
        free(labels);
        return bs_nomem("the validation's aggregate names (testbed)");
    }
    for (int f = 0; f < na; f++) {
        snprintf(label[f], sizeof label[f], "%d:%s>%s", f / 2, w->network.nodes[v->agg_src[f]].name,
                 w->network.nodes[v->agg_dst[f]].name);
        labels[f] = label[f];
    }
    int st = results_dim_names(r, "aggregate", na, labels,
                               "Validation aggregates: PAIR:FROM>TO, the calls of an ordered pair of access nodes in one direction");
    free(label);
    free(labels);
    BS_TRY(st);
    BS_TRY(results_write(r, "/testbed/validation/measured", 2, dvl, v->measured, "bit/s",
                         "Load of each directed link in ns-3 over the calls' time"));
    BS_TRY(results_write(r, "/testbed/validation/predicted", 2, dvl, v->predicted, "bit/s",
                         "Load of each directed link the flow engine predicts for the same calls"));
    BS_TRY(results_write(r, "/testbed/validation/aggregate_measured", 2, dva, v->agg_measured,
                         "bit/s",
                         "What each aggregate's callees receive in ns-3, at the wire (payload and "
                         "headers), over the calls' time"));
    BS_TRY(results_write(r, "/testbed/validation/aggregate_predicted", 2, dva, v->agg_predicted,
                         "bit/s", "Each aggregate's rate from the flow engine (weighted max-min)"));
    BS_TRY(results_write(r, "/testbed/validation/aggregate_unweighted", 1, da, v->agg_unweighted,
                         "bit/s",
                         "Congested: each aggregate's rate had every aggregate one share whatever "
                         "its calls"));
    BS_TRY(results_attr_double(r, "/testbed/validation", "max_error_uncongested", v->max_error[0]));
    BS_TRY(results_attr_double(r, "/testbed/validation", "max_error_congested", v->max_error[1]));
    BS_TRY(results_attr_double(r, "/testbed/validation", "aggregate_error_uncongested",
                               v->agg_error[0]));
    BS_TRY(results_attr_double(r, "/testbed/validation", "aggregate_error_congested",
                               v->agg_error[1]));
    BS_TRY(results_attr_double(r, "/testbed/validation", "aggregate_error_congested_unweighted",
                               v->agg_error_unweighted));
    char text[1536];
    snprintf(text, sizeof text,
             "The i-th ordered pair of access nodes makes 1 + i mod %d calls at 1 Mbit/s each way "
             "in 1,200-byte packets, one aggregate per pair and direction for the flow engine, "
             "weighted by its calls.  The largest relative error against the flow engine, "
             "measured here: of a link's load, %.2f%% with the links as configured and %.2f%% "
             "congested; of an aggregate's rate, %.2f%% and %.2f%% (%.2f%% congested had every "
             "aggregate one share whatever its calls).  Congested, every link is full and "
             "constant-bit-rate UDP through drop-tail queues in series is not max-min fair: a "
             "flow loses packets at every full queue it crosses in proportion to its rate, so "
             "links at the end of long paths carry less than the max-min rates (the flow "
             "engine's model of sharing, which is what congestion-controlled traffic converges "
             "to)",
             VAL_CALLS_MAX, 100 * v->max_error[0], 100 * v->max_error[1], 100 * v->agg_error[0],
             100 * v->agg_error[1], 100 * v->agg_error_unweighted);
    return results_attr_str(r, "/testbed/validation", "description", text);
}

static int write_h5(results *r, const world *w, const testbed_out *o, const testbed_validation *v,
                    const char *config)
{
    BS_TRY(output_root(r, w, config));
    BS_TRY(results_attr_str(r, "/provenance", "ns3", bs_ns3_version()));
    BS_TRY(results_attr_str(r, "/provenance", "engines", "packet (ns-3)"));
    BS_TRY(results_attr_double(r, "/provenance", "testbed_seconds", o->wall_seconds));
    int n = o->n_cases;
    const char **names = malloc(sizeof *names * (size_t)n);
    double *col = malloc(sizeof(double) * (size_t)n * (size_t)(o->n_links > 8 ? o->n_links : 8));
    if (!names || !col) {
        free(names);
        free(col);
        return bs_nomem("the columns of %d cases (testbed)", n);
    }
    int st = BS_OK;
    for (int k = 0; k < n; k++)
        names[k] = o->cases[k].name;
    st = results_dim_names(r, "case", n, names, "Testbed cases: app/technique/vpn");
    if (st == BS_OK) /* the apps' and VPNs' display names, for the figures */
        st = output_app_vpn_dims(r, w);
    if (st == BS_OK)
        st = output_link_dim(r, w);
    const char *classes[TB_CLASSES] = {"voice", "video"};
    if (st == BS_OK)
        st = results_dim_names(r, "call_class", TB_CLASSES, classes,
                               "Call classes, measured apart: voice and video calls alternate");
    const char *dc[] = {"case"}, *dcl[] = {"case", "link"}, *dck[] = {"case", "call_class"};
    struct {
        const char *path, *units, *desc;
        size_t off;
    } metrics[] = {
        {"/testbed/setup_success", "share", "Calls whose set-up was answered in time",
         offsetof(testbed_case, setup_success)},
        {"/testbed/usable", "share",
         "Calls set up that lost at most testbed.usable_loss of their media packets",
         offsetof(testbed_case, usable)},
        {"/testbed/media_loss", "share", "Media packets of connected calls that were lost",
         offsetof(testbed_case, media_loss)},
        {"/testbed/delay", "s", "Mean one-way delay of media packets",
         offsetof(testbed_case, delay)},
        {"/testbed/goodput", "bit/s",
         "Media payload received per connected call and direction, over its media time",
         offsetof(testbed_case, goodput)},
        {"/testbed/goodput_share", "share",
         "Media payload delivered over the payload the connected calls sent",
         offsetof(testbed_case, goodput_share)},
        {"/testbed/call_rate", "bit/s", "The calls' media rate (goodput without loss or policing)",
         offsetof(testbed_case, call_rate)},
    };
    for (size_t m = 0; m < sizeof metrics / sizeof metrics[0] && st == BS_OK; m++) {
        for (int k = 0; k < n; k++)
            memcpy(col + (size_t)k * TB_CLASSES, (const char *)&o->cases[k] + metrics[m].off,
                   sizeof(double) * TB_CLASSES);
        st = results_write(r, metrics[m].path, 2, dck, col, metrics[m].units, metrics[m].desc);
    }
    if (st == BS_OK) {
        for (int k = 0; k < n; k++)
            memcpy(col + (size_t)k * TB_CLASSES, o->cases[k].detect, sizeof(double) * TB_CLASSES);
        st = results_write(r, "/testbed/detect", 2, dck, col, "share",
                           "Classifying techniques (ip, sni, stun, vpn): share of the case's calls "
                           "the boxes' classifier caught from their wire features; -1: not a "
                           "classifying case");
    }
    if (st == BS_OK) {
        for (int k = 0; k < n; k++)
            col[k] = o->cases[k].collateral;
        st = results_write(r, "/testbed/collateral", 1, dc, col, "share",
                           "Classifying techniques: share of the traffic mix's flows (testbed.mix) "
                           "that failed to set up under the rule; -1: no mix in the case");
    }
    const char *boxes[] = {"/testbed/box_passed", "/testbed/box_dropped", "/testbed/box_policed"};
    for (int b = 0; b < 3 && st == BS_OK; b++) {
        for (int k = 0; k < n; k++)
            col[k] = (double)(b == 0   ? o->cases[k].box_passed
                              : b == 1 ? o->cases[k].box_dropped
                                       : o->cases[k].box_policed);
        st = results_write(r, boxes[b], 1, dc, col, "packets",
                           b == 0   ? "Packets the censor boxes passed"
                           : b == 1 ? "Packets the censor boxes dropped"
                                    : "Packets the boxes' policers dropped");
    }
    for (int k = 0; k < n && st == BS_OK; k++)
        memcpy(col + (size_t)k * o->n_links, o->cases[k].link_load,
               sizeof(double) * (size_t)o->n_links);
    if (st == BS_OK)
        st = results_write(r, "/testbed/link_load", 2, dcl, col, "bit/s",
                           "Mean load of each directed link over the case's simulated time");
    free(names);
    free(col);
    return st == BS_OK ? write_validation(r, w, v) : st;
}

/* The traffic mix of the classifying cases, in words (calibration.mix). */
static void mix_text(const world *w, char *buf, size_t n)
{
    const testbed_cfg *tb = &w->testbed;
    size_t k = (size_t)snprintf(buf, n, "%s", tb->n_mix ? "" : "no other traffic");
    for (int e = 0; e < tb->n_mix && k < n; e++)
        k += (size_t)snprintf(buf + k, n - k, "%s%s (%s, %lld flows, shared %g, hosting %g)",
                              e ? "; " : "", tb->mix[e].name, world_wire_names[tb->mix[e].kind],
                              (long long)tb->mix[e].flows, tb->mix[e].shared, tb->mix[e].hosting);
    if (k < n)
        snprintf(buf + k, n - k, "; vpn rules %s", tb->vpn_aggressive ? "aggressive (TLS to the "
                                                                        "hosting range)"
                                                                      : "on fingerprints only");
}

/* A row's measured detect and collateral (a classifying case), or "". */
static const char *measured_text(const testbed_case *c, int j)
{
    static char buf[96];
    buf[0] = 0;
    size_t k = 0;
    if (c->detect[j] >= 0)
        k = (size_t)snprintf(buf, sizeof buf, " detect = %.6f;", c->detect[j]);
    if (c->collateral >= 0)
        snprintf(buf + k, sizeof buf - k, " collateral = %.6f;", c->collateral);
    return buf;
}

/* The calibration table: what the packet level measured, per case. */
static int write_calibration(const char *path, const world *w, const testbed_out *o)
{
    if (o->n_cases * TB_CLASSES > MAX_CALIB)
        return bs_fail(BS_EINPUT, "%s: %d rows do not fit a calibration table (at most %d)", path,
                       o->n_cases * TB_CLASSES, MAX_CALIB);
    char mix[W_TEXT * 4], apps[W_TEXT * 4];
    mix_text(w, mix, sizeof mix);
    size_t len = 0;
    for (int a = 0; a < w->n_apps && len < sizeof apps; a++)
        len += (size_t)snprintf(apps + len, sizeof apps - len, "%s%s %g/%g/%g", a ? ", " : "",
                                w->apps[a].name, w->apps[a].shared, w->apps[a].rotated,
                                w->apps[a].sni_share);
    /* A unique temporary beside it, renamed into place when complete
     * (base/atomic.h): every write checked, a full disk is exit 1. */
    atomic_file *af = atomic_open(path);
    if (!af)
        return bs_last_status();
    FILE *f = atomic_stream(af);
    char source[W_TEXT];
    snprintf(source, sizeof source, "blockshift testbed %s, seed %lld, ns-3 %s, blockshift %s",
             w->scenario.name, (long long)w->scenario.seed, bs_ns3_version(), BS_VERSION);
    fprintf(f,
            "# Calibration measured by the packet-level testbed (ns-3 %s):\n"
            "#   blockshift testbed %s, seed %lld, %lld calls a case (voice and video\n"
            "#   alternately) of %g s, blockshift %s (%s).\n"
            "# Each row: what one rule at strength 1 (technique) does to the calls of an app\n"
            "# and class, made directly or through a VPN protocol (every box covers every\n"
            "# flow): the share of calls set up, the share usable (set up, losing at most\n"
            "# usable_loss of their media), the media loss and the share of the payload\n"
            "# delivered of the connected calls.  For ip, sni, stun and vpn the boxes are\n"
            "# classifiers that see only each flow's wire features (addresses from the\n"
            "# app's ranges, TLS server name, STUN cookie, handshake), never its app, and\n"
            "# the calls cross them with the traffic mix below: detect is the share of the\n"
            "# calls the classifier caught, collateral the share of the mix's flows that\n"
            "# failed.  The apps' features (apps.[].shared, rotated, sni_share):\n"
            "#   %s\n"
            "# The engines read the rows without a VPN (a recognised call fails with\n"
            "# (1 - usable) / detect where detect is measured, else 1 - usable; detect\n"
            "# replaces censor.<technique>.<class>, collateral censor.<technique>.collateral),\n"
            "# the vpn rows' detect of tunnels (replacing detectability x censor.vpn), and a\n"
            "# throttle at throttle_rate delivers goodput_share.  Coverage, and detection\n"
            "# of throttled and messaging traffic, stay the configuration's assumptions.\n"
            "# Regenerated deterministically from the seed:\n"
            "#   blockshift testbed configs/testbeds/tspu.cfg --calibration-out FILE\n"
            "calibration = {\n"
            "  source = \"%s\";\n"
            "  throttle_rate = \"%.0fbps\";\n"
            "  usable_loss = %g;\n"
            "  mix = \"%s\";\n"
            "  cases = (\n",
            bs_ns3_version(), w->scenario.name, (long long)w->scenario.seed,
            (long long)w->testbed.calls, w->testbed.call_seconds * 86400.0, BS_VERSION,
            BS_GIT_REVISION, apps, source, w->censor.throttle_rate, w->testbed.usable_loss, mix);
    const char *classes[TB_CLASSES] = {"voice", "video"};
    for (int k = 0; k < o->n_cases; k++) {
        const testbed_case *c = &o->cases[k];
        for (int j = 0; j < TB_CLASSES; j++)
            fprintf(f,
                    "    { app = \"%s\"; class = \"%s\"; technique = \"%s\"; vpn = \"%s\"; "
                    "calls = %d; set_up = %.6f; usable = %.6f; media_loss = %.6f; "
                    "goodput_share = %.6f;%s }%s\n",
                    w->apps[c->app].name, classes[j],
                    c->technique < 0 ? "none" : world_technique_names[c->technique],
                    c->vpn < 0 ? "none" : w->vpns[c->vpn].name, c->calls[j], c->setup_success[j],
                    c->usable[j], c->media_loss[j], c->goodput_share[j], measured_text(c, j),
                    k + 1 < o->n_cases || j + 1 < TB_CLASSES ? "," : "");
    }
    fputs("  );\n};\n", f);
    return atomic_commit(af);
}

/* The folder of a file's path ("." for a bare name). */
static void folder_of(const char *path, char *out, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, n, ".");
    else
        snprintf(out, n, "%.*s", slash == path ? 1 : (int)(slash - path), path);
}

int cmd_testbed(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return 0;
    }
    atomic_signals(); /* an interrupt removes our temporaries */
    tb_args a;
    int rc = parse(argc, argv, &a);
    if (rc)
        return rc;
    world *w = malloc(sizeof *w);
    if (!w)
        return cli_fail(bs_nomem("the world"), "%s", bs_last_error());
    if ((rc = cli_load(a.config, a.n_set, a.set, w)) != 0)
        goto done;
    if (w->network.n_nodes == 0) {
        rc = cli_fail(BS_EINPUT, "%s: network: the testbed needs a network (network.nodes)",
                      a.config);
        goto done;
    }
    char dir[4096], path[4096 + 128];
    snprintf(dir, sizeof dir, "%s", a.out_dir ? a.out_dir : "results");
    if (!a.out_dir)
        snprintf(dir, sizeof dir, "results/%s", w->scenario.name);
    char cdir[4096];
    struct stat sb;
    if (a.calib) { /* its folder must be there before ns-3 runs for minutes */
        folder_of(a.calib, cdir, sizeof cdir);
        if (stat(cdir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            rc = cli_fail(BS_EINPUT, "--calibration-out %s: folder %s does not exist", a.calib,
                          cdir);
            goto done;
        }
    }
    int st = fsutil_make_dirs(dir);
    if (st != BS_OK) {
        rc = cli_fail(st, "%s", bs_last_error());
        goto done;
    }
    atomic_clean(dir); /* the temporaries of killed testbeds and runs into this folder */
    if (a.calib)
        atomic_clean(cdir); /* the temporaries of killed calibration writes */
    int mode = a.quiet ? PROGRESS_OFF : a.progress ? PROGRESS_LINES : PROGRESS_AUTO;
    if (a.replay) {
        st = testbed_replay(w, a.config, a.n_set, a.set, dir, mode);
        rc = st == BS_OK ? 0 : cli_fail(st, "%s", bs_last_error());
        goto done;
    }
    snprintf(path, sizeof path, "%s/%s-testbed-seed%lld.h5", dir, w->scenario.name,
             (long long)w->scenario.seed);
    if (!a.quiet)
        fprintf(stderr, "blockshift: testbed %s in ns-3 %s\n", w->scenario.name, bs_ns3_version());
    testbed_out o;
    testbed_validation v;
    progress *pg = progress_new("testbed", "cases", mode);
    st = testbed_run_steps(w, &o, progress_step, pg);
    progress_end(pg);
    if (st == BS_OK && !a.quiet)
        fprintf(stderr, "blockshift: testbed: the validation against the flow engine\n");
    if (st == BS_OK && (st = testbed_validate(w, &v)) != BS_OK)
        testbed_out_free(&o);
    if (st == BS_OK) {
        results *r = results_create(path);
        st = r ? write_h5(r, w, &o, &v, a.config) : bs_last_status();
        if (r && st == BS_OK)
            st = results_commit(r);
        else if (r)
            results_abort(r);
        if (st == BS_OK && a.calib)
            st = write_calibration(a.calib, w, &o);
        if (st == BS_OK && !a.quiet)
            fprintf(stderr,
                    "blockshift: %d cases, %llu media packets, %.1f s; flow engine against "
                    "ns-3: link loads within %.1f%% uncongested, %.1f%% congested\n"
                    "blockshift: results in %s%s%s\n",
                    o.n_cases, (unsigned long long)o.media_packets, o.wall_seconds,
                    100 * v.max_error[0], 100 * v.max_error[1], path,
                    a.calib ? ", calibration in " : "", a.calib ? a.calib : "");
        if (st == BS_OK) {
            printf("%s\n", path);
            if (a.calib)
                printf("%s\n", a.calib);
            fflush(stdout);
        }
        testbed_out_free(&o);
        testbed_validation_free(&v);
    }
    rc = st == BS_OK ? 0 : cli_fail(st, "%s", bs_last_error());
done:
    free(w);
    return rc;
}
#endif /* BS_WITH_NS3 */
