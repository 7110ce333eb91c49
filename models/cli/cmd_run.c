/* blockshift run and check: read the arguments, load and check the
 * configuration, run, write the results. */
#include "cli/cli.h"

#include "cli/memcheck.h"
#include "cli/memcheck.h"
#include "config/config.h"
#include "io/output.h"
#include "sim/sim.h"
#include "base/fsutil.h"
#include "base/atomic.h"
#include "base/status.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SET 256

typedef struct run_args {
    const char *config;
    const char *out_dir;
    int quiet;
    int n_set;
    char *set[MAX_SET];
    char owned[3][64]; /* --seed, --run, --scale turned into overrides */
} run_args;

static const char run_usage[] =
    "usage: blockshift run CONFIG [-o DIR] [--seed N] [--run K] [--set key=value]...\n"
    "                      [--scale X] [--output full|daily|summary] [--quiet]\n"
    "\n"
    "Run a scenario and write its results to DIR/<scenario>-seed<N>-run<K>.h5\n"
    "(default DIR: results/<scenario>/), and print its path on stdout; progress\n"
    "and messages go to stderr.\n"
    "CONFIG is a scenario file, or a scenario's name (NAME or NAME.cfg) looked up as\n"
    "NAME.cfg and scenarios/NAME.cfg in each folder of BLOCKSHIFT_PATH (colon-separated),\n"
    "then in the installed PREFIX/share/blockshift/scenarios/.\n"
    "\n"
    "Before allocating, run prints its estimated peak memory and refuses (exit 2)\n"
    "when that exceeds the memory available to the process (the memory cgroup's\n"
    "limit, RLIMIT_AS, RLIMIT_DATA, or MemAvailable: models/README.md, section 10),\n"
    "naming the largest --scale that fits; --set population.memory_check=false\n"
    "runs anyway.\n"
    "\n"
    "  -o DIR           output folder (created if missing)\n"
    "  --seed N         random seed (scenario.seed)\n"
    "  --run K          replication number: independent streams (scenario.run)\n"
    "  --set path=value override any parameter (see blockshift params); repeatable;\n"
    "                   list elements by index or name: apps.whatsapp.bass_q=0.5\n"
    "  --scale X        people per agent (population.scale)\n"
    "  --output LEVEL   what the results file keeps (scenario.output): full (the\n"
    "                   default: every dataset), daily (no hourly network and censor\n"
    "                   data, a fraction of the size), summary (only /config,\n"
    "                   /provenance and the /summary numbers); the summary numbers are\n"
    "                   the same whatever the level\n"
    "  --quiet          no progress and no messages (errors still go to stderr)\n";

static const char check_usage[] =
    "usage: blockshift check CONFIG [--set key=value]... [--quiet]\n"
    "\n"
    "Validate a configuration: every error is reported, as file:line: path: message.\n"
    "Exit 0 if it is clean, 2 otherwise.  A clean configuration's estimated peak\n"
    "memory (for its population.scale; --set population.scale=X for another) and\n"
    "the memory available are printed (models/README.md, section 10); --quiet\n"
    "prints only the errors (the exit code says the rest).\n";

/* A non-negative integer, whole string. */
static int parse_count(const char *s, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < 0)
        return 0;
    *out = v;
    return 1;
}

static int add_set(run_args *a, char *kv)
{
    if (a->n_set == MAX_SET)
        return cli_fail(BS_EINPUT, "too many --set options (at most %d)", MAX_SET);
    if (!strchr(kv, '=') || kv[0] == '=')
        return cli_fail(BS_EINPUT, "--set '%s': expected path=value", kv);
    a->set[a->n_set++] = kv;
    return 0;
}

/* Parse run's or check's arguments; returns 0, or an exit code.  GNU
 * getopt_long moves CONFIG behind the options, wherever it was given. */
static int parse_args(int argc, char **argv, run_args *a, int is_run)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'O'}, {"seed", required_argument, NULL, 's'},
        {"run", required_argument, NULL, 'r'},    {"set", required_argument, NULL, 'S'},
        {"scale", required_argument, NULL, 'x'},  {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0}};
    memset(a, 0, sizeof *a);
    const char *cmd = is_run ? "run" : "check";
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:q", opts, NULL)) != -1) {
        if (!is_run && c != 'S' && c != 'q' && c != '?' && c != ':')
            return cli_fail(BS_EINPUT, "check: '%s' is an option of run; check takes only CONFIG "
                                       "and --set (try --help)",
                            argv[optind - 1 - (optarg && optarg == argv[optind - 1])]);
        long long v;
        char *end;
        int rc = 0;
        switch (c) {
        case 'o':
            a->out_dir = optarg;
            break;
        case 'q':
            a->quiet = 1;
            break;
        case 'O': {
            static char *const levels[] = {"scenario.output=\"full\"", "scenario.output=\"daily\"",
                                           "scenario.output=\"summary\""};
            int k = 0;
            while (k < N_OUTPUT_LEVELS && strcmp(optarg, world_output_names[k]) != 0)
                k++;
            if (k == N_OUTPUT_LEVELS)
                return cli_fail(BS_EINPUT, "run: --output '%s': use full, daily or summary (the "
                                           "output folder is -o DIR)", optarg);
            rc = add_set(a, levels[k]);
            break;
        }
        case 'S':
            rc = add_set(a, optarg);
            break;
        case 's':
        case 'r': {
            const char *what = c == 's' ? "seed" : "run";
            char *slot = a->owned[c == 's' ? 0 : 1];
            if (!parse_count(optarg, &v) || v > 4294967295LL)
                return cli_fail(BS_EINPUT, "%s: --%s '%s' is not an integer in 0..4294967295",
                                cmd, what, optarg);
            snprintf(slot, 64, "scenario.%s=%lld", what, v);
            rc = add_set(a, slot);
            break;
        }
        case 'x': {
            errno = 0;
            double x = strtod(optarg, &end);
            /* Plain decimal only: strtod also takes hex, spaces, inf and nan. */
            if (errno || end == optarg || *end || strspn(optarg, "0123456789.eE+-") != strlen(optarg) ||
                !(x >= 1 && x <= 1e9))
                return cli_fail(BS_EINPUT,
                                "%s: --scale '%s' is not a number of people per agent in 1..1e9",
                                cmd, optarg);
            snprintf(a->owned[2], 64, "population.scale=%.17g", x);
            rc = add_set(a, a->owned[2]);
            break;
        }
        default:
            return cli_fail(BS_EINPUT, "%s: unknown option or missing value in '%s' (try --help)",
                            cmd, argv[optind - 1]);
        }
        if (rc)
            return rc;
    }
    if (optind == argc)
        return cli_fail(BS_EINPUT, "%s: no CONFIG given (try --help)", cmd);
    if (optind + 1 < argc)
        return cli_fail(BS_EINPUT, "%s: more than one CONFIG ('%s', '%s')", cmd, argv[optind],
                        argv[optind + 1]);
    a->config = argv[optind];
    return cli_find_scenario(&a->config);
}

/* Load the configuration; print every error.  Returns 0 or an exit code. */
int cli_load(const char *config, int n_set, char *const *set, world *w)
{
    char *errors = NULL;
    int st = config_load(config, n_set, set, w, &errors);
    return st == BS_OK ? 0 : cli_report_errors(st, errors);
}

int cli_report_errors(int st, char *errors)
{
    /* The summary ("3 errors in x.cfg") adds nothing to a single error. */
    int lines = 0;
    for (const char *p = errors; p && *p; p++)
        lines += *p == '\n';
    if (errors)
        fputs(errors, stderr);
    int code = lines == 1 ? bs_exit_code(st) : cli_fail(st, "%s", bs_last_error());
    free(errors);
    return code;
}

typedef struct progress_state {
    int tty, last_shown;
} progress_state;

static void show_progress(int done, int total, void *arg)
{
    progress_state *ps = arg;
    int pct = (int)(100.0 * done / total);
    if (ps->tty) {
        int width = 40, fill = width * done / total;
        fprintf(stderr, "\r[%.*s%*s] %3d%% day %d/%d", fill,
                "========================================", width - fill, "", pct, done, total);
        if (done == total)
            fputc('\n', stderr);
    } else if (pct / 10 > ps->last_shown / 10 || done == total) {
        fprintf(stderr, "blockshift: day %d/%d (%d%%)\n", done, total, pct);
    }
    ps->last_shown = pct;
}

int cmd_run(int argc, char **argv)
{
    atomic_signals(); /* an interrupt removes our temporaries and kills gnuplot */
    if (cli_wants_help(argc, argv)) {
        fputs(run_usage, stdout);
        return 0;
    }
    run_args a;
    int rc = parse_args(argc, argv, &a, 1);
    if (rc)
        return rc;
    world *w = malloc(sizeof *w);
    if (!w)
        return cli_fail(bs_nomem("the world"), "%s", bs_last_error());
    if ((rc = cli_load(a.config, a.n_set, a.set, w)) != 0)
        goto done;
    /* Before the output folder and anything large exist. */
    if ((rc = memcheck(w, 1, !a.quiet)) != 0)
        goto done;
    char dir[4096], path[4096 + 128];
    if (a.out_dir)
        snprintf(dir, sizeof dir, "%s", a.out_dir);
    else
        snprintf(dir, sizeof dir, "results/%s", w->scenario.name);
    int st = fsutil_make_dirs(dir);
    if (st != BS_OK) {
        rc = cli_fail(st, "%s", bs_last_error());
        goto done;
    }
    atomic_clean(dir); /* the temporaries of killed runs into this folder */
    snprintf(path, sizeof path, "%s/%s-seed%lld-run%lld.h5", dir, w->scenario.name,
             (long long)w->scenario.seed, (long long)w->scenario.run);
    char *text = config_dump(w);
    if (!text) {
        rc = cli_fail(bs_nomem("the configuration text for %s", path), "%s", bs_last_error());
        goto done;
    }
    progress_state ps = {isatty(2), -1};
    if (!a.quiet)
        fprintf(stderr, "blockshift: running %s (%s, %d days)\n", w->scenario.name, a.config,
                w->n_days);
    sim_out s;
    st = sim_run(w, a.quiet ? NULL : show_progress, &ps, &s);
    if (st == BS_OK) {
        run_meta m = {a.config, text, a.n_set, a.set};
        st = output_write(path, w, &s, &m);
        sim_out_free(&s);
    }
    free(text);
    if (st != BS_OK) {
        rc = cli_fail(st, "%s", bs_last_error());
        goto done;
    }
    if (!a.quiet)
        fprintf(stderr, "blockshift: results in %s\n", path);
    printf("%s\n", path); /* what was written, for scripts: messages stay on stderr */
    fflush(stdout);
    rc = 0;
done:
    free(w);
    return rc;
}

int cmd_check(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(check_usage, stdout);
        return 0;
    }
    run_args a;
    int rc = parse_args(argc, argv, &a, 0);
    if (rc)
        return rc;
    world *w = malloc(sizeof *w);
    if (!w)
        return cli_fail(bs_nomem("the world"), "%s", bs_last_error());
    rc = cli_load(a.config, a.n_set, a.set, w);
    if (rc == 0) {
        if (!a.quiet)
            fprintf(stderr, "%s: ok (%d regions, %d apps, %d VPN protocols, %d events, %d days)\n",
                    a.config, w->n_regions, w->n_apps, w->n_vpns, w->n_events, w->n_days);
        memcheck(w, 0, !a.quiet);
    }
    free(w);
    return rc;
}
