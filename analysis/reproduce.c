#include "analysis/reproduce.h"

#include "config/config.h"
#include "analysis/h5in.h"
#include "analysis/plot.h"
#include "io/results.h"
#include "base/status.h"

#include <dirent.h>
#include <errno.h>
#include <libconfig.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_FIG 64
#define MAX_FSET 32

typedef struct fig {
    char name[64], scenario[1024], plot[16];
    int n_set, seed, reps;
    char set[MAX_FSET][256];
} fig;

/* The datasets behind each standard figure. */
static const char *const behind[][4] = {
    {"primary", "/population/primary", NULL, NULL},
    {"failed", "/calls/failed", NULL, NULL},
    {"vpn", "/population/vpn", NULL, NULL},
    {"border", "/network/border_app", "/network/border_total", "/network/border_vpn"},
    {"censor", "/censor/inspected", "/censor/dropped", "/censor/uninspected"},
    {"links", "/network/link_carried", NULL, NULL},
};
#define N_KINDS (int)(sizeof behind / sizeof behind[0])

static int kind_of(const char *plot)
{
    for (int k = 0; k < N_KINDS; k++)
        if (strcmp(behind[k][0], plot) == 0)
            return k;
    return -1;
}

static int bad(const char *file, const config_setting_t *s, const char *path, const char *msg)
{
    return bs_fail(BS_EINPUT, "%s:%d: %s: %s", file, s ? config_setting_source_line(s) : 0, path, msg);
}

/* Read and check the manifest.  Paths made relative to its folder. */
static int read_manifest(const char *file, fig *figs, int *n)
{
    config_t c;
    config_init(&c);
    if (!config_read_file(&c, file)) {
        int st = config_error_type(&c) == CONFIG_ERR_FILE_IO
                     ? bs_fail(BS_EINPUT, "%s: cannot read the manifest", file)
                     : bs_fail(BS_EINPUT, "%s:%d: %s", file, config_error_line(&c), config_error_text(&c));
        config_destroy(&c);
        return st;
    }
    char base[1024];
    const char *slash = strrchr(file, '/');
    snprintf(base, sizeof base, "%.*s", slash ? (int)(slash - file + 1) : 0, file);
    config_setting_t *root = config_root_setting(&c), *list = config_lookup(&c, "figures");
    int st = BS_OK;
    for (int i = 0; i < config_setting_length(root) && st == BS_OK; i++) {
        const char *key = config_setting_name(config_setting_get_elem(root, (unsigned)i));
        if (strcmp(key, "paper") && strcmp(key, "figures"))
            st = bad(file, config_setting_get_elem(root, (unsigned)i), key,
                     "unknown setting (a manifest has paper and figures)");
    }
    if (st == BS_OK && (!list || !config_setting_is_list(list) || config_setting_length(list) < 1 ||
                        config_setting_length(list) > MAX_FIG))
        st = bad(file, list, "figures", "must be a list of 1 to 64 figures ( { ... }, ... )");
    *n = 0;
    for (int i = 0; st == BS_OK && i < config_setting_length(list); i++) {
        config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        fig *f = &figs[(*n)++];
        memset(f, 0, sizeof *f);
        char path[96];
        snprintf(path, sizeof path, "figures.[%d]", i);
        const char *name = NULL, *scen = NULL, *plot = NULL;
        int seed = 1, reps = 1;
        if (!config_setting_is_group(g)) {
            st = bad(file, g, path, "must be a group { name = ...; scenario = ...; plot = ...; }");
            break;
        }
        for (int k = 0; k < config_setting_length(g) && st == BS_OK; k++) {
            config_setting_t *e = config_setting_get_elem(g, (unsigned)k);
            const char *key = config_setting_name(e);
            if (strcmp(key, "name") && strcmp(key, "scenario") && strcmp(key, "plot") &&
                strcmp(key, "seed") && strcmp(key, "replications") && strcmp(key, "set"))
                st = bad(file, e, path, "unknown setting (name, scenario, plot, seed, replications, set)");
        }
        if (st != BS_OK)
            break;
        if (!config_setting_lookup_string(g, "name", &name) || !*name || strlen(name) >= sizeof f->name ||
            strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != strlen(name))
            st = bad(file, g, path, "name: a word of letters, digits, _ and - is required");
        else if (!config_setting_lookup_string(g, "scenario", &scen) || !*scen)
            st = bad(file, g, path, "scenario: the scenario file is required");
        else if (!config_setting_lookup_string(g, "plot", &plot) || kind_of(plot) < 0)
            st = bad(file, g, path, "plot: one of primary, failed, vpn, border, censor, links");
        config_setting_lookup_int(g, "seed", &seed);
        config_setting_lookup_int(g, "replications", &reps);
        if (st == BS_OK && (seed < 0 || reps < 1 || reps > 100))
            st = bad(file, g, path, "seed must be >= 0 and replications 1 to 100");
        for (int j = 0; j < i && st == BS_OK; j++)
            if (strcmp(figs[j].name, name) == 0)
                st = bad(file, g, path, "name: two figures have this name");
        config_setting_t *set = config_setting_get_member(g, "set");
        if (st == BS_OK && set && (!config_setting_is_array(set) || config_setting_length(set) > MAX_FSET))
            st = bad(file, set, path, "set: an array of up to 32 strings \"path=value\"");
        for (int k = 0; st == BS_OK && set && k < config_setting_length(set); k++) {
            const char *v = config_setting_get_string_elem(set, (unsigned)k);
            if (!v || !strchr(v, '=') || strlen(v) >= sizeof f->set[0])
                st = bad(file, set, path, "set: each element a string \"path=value\"");
            else
                snprintf(f->set[f->n_set++], sizeof f->set[0], "%s", v);
        }
        if (st != BS_OK)
            break;
        snprintf(f->name, sizeof f->name, "%s", name);
        snprintf(f->plot, sizeof f->plot, "%s", plot);
        snprintf(f->scenario, sizeof f->scenario, "%s%s", scen[0] == '/' ? "" : base, scen);
        f->seed = seed;
        f->reps = reps;
    }
    config_destroy(&c);
    return st;
}

static int mkdirs(const char *dir)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1;; p++) {
        char c = *p;
        if (c == '/' || c == '\0') {
            *p = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return bs_fail(BS_EINPUT, "%s: cannot make the folder (%s)", buf, strerror(errno));
            *p = c;
        }
        if (c == '\0')
            return BS_OK;
    }
}

/* The results file of replication r in dir, if there is one. */
static int find_result(const char *dir, int seed, int r, char *out, size_t size)
{
    char suffix[64];
    snprintf(suffix, sizeof suffix, "-seed%d-run%d.h5", seed, r);
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;
    while (d && (e = readdir(d)))
        if (strlen(e->d_name) > strlen(suffix) &&
            strcmp(e->d_name + strlen(e->d_name) - strlen(suffix), suffix) == 0) {
            snprintf(out, size, "%s/%s", dir, e->d_name);
            found = 1;
        }
    if (d)
        closedir(d);
    return found;
}

/* Whether `result` is complete and was made from the configuration the
 * figure asks for now (its resolved text is the same). */
static int up_to_date(const char *result, const fig *f, int r)
{
    results_numbers *then = NULL;
    if (results_read_numbers(result, &then) != BS_OK) {
        bs_clear_error();
        return 0;
    }
    char *set[MAX_FSET + 2], seed[64], run[64];
    int n = 0;
    for (int k = 0; k < f->n_set; k++)
        set[n++] = (char *)f->set[k];
    snprintf(seed, sizeof seed, "scenario.seed=%d", f->seed);
    snprintf(run, sizeof run, "scenario.run=%d", r);
    set[n++] = seed;
    set[n++] = run;
    world *w = malloc(sizeof *w);
    char *errors = NULL, *now = NULL;
    int same = w && config_load(f->scenario, n, set, w, &errors) == BS_OK &&
               (now = config_dump(w)) && strcmp(now, then->config_text) == 0;
    free(errors);
    free(now);
    results_numbers_free(then);
    free(w);
    return same;
}

/* blockshift run for replication r of f, into dir. */
static int run_one(const char *self, const fig *f, int r, const char *dir, int quiet)
{
    char seed[32], run[32];
    snprintf(seed, sizeof seed, "%d", f->seed);
    snprintf(run, sizeof run, "%d", r);
    /* self run SCENARIO -o DIR --quiet (6), --set S per set (2 each),
     * --seed N --run K (4), and the NULL that ends it. */
    char *argv[6 + 2 * MAX_FSET + 4 + 1];
    int a = 0;
    argv[a++] = (char *)self;
    argv[a++] = "run";
    argv[a++] = (char *)f->scenario;
    argv[a++] = "-o";
    argv[a++] = (char *)dir;
    argv[a++] = "--quiet";
    for (int k = 0; k < f->n_set; k++) {
        argv[a++] = "--set";
        argv[a++] = (char *)f->set[k];
    }
    argv[a++] = "--seed";
    argv[a++] = seed;
    argv[a++] = "--run";
    argv[a++] = run;
    argv[a] = NULL;
    _Static_assert(sizeof argv / sizeof argv[0] == 6 + 2 * MAX_FSET + 4 + 1, "argv holds every argument");
    if (!quiet)
        fprintf(stderr, "blockshift: figure %s: running replication %d of %s\n", f->name, r, f->scenario);
    pid_t pid = fork();
    if (pid == 0) {
        execv(self, argv);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
        return bs_fail(BS_ERUNTIME, "figure %s: replication %d did not finish", f->name, r);
    if (WEXITSTATUS(status) != 0)
        return bs_fail(WEXITSTATUS(status) == 2 ? BS_EINPUT : BS_ERUNTIME,
                       "figure %s: blockshift run %s failed (exit %d; its message is above)", f->name,
                       f->scenario, WEXITSTATUS(status));
    return BS_OK;
}

/* 64 bits over the bytes of a dataset (FNV-1a, then mixed). */
static uint64_t checksum(const double *x, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    const unsigned char *p = (const unsigned char *)x;
    for (size_t i = 0; i < n * sizeof(double); i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    return h ^ (h >> 29);
}

static int write_checksums(FILE *o, const fig *f, int r, const char *result)
{
    h5in *h = h5in_open(result);
    if (!h)
        return bs_last_status();
    int k = kind_of(f->plot), st = BS_OK;
    for (int j = 1; j < 4 && behind[k][j] && st == BS_OK; j++) {
        size_t shape[4];
        int rank = 0;
        double *x = h5in_doubles(h, behind[k][j], &rank, shape);
        if (!x) {
            st = bs_last_status();
            break;
        }
        size_t n = 1;
        for (int i = 0; i < rank; i++)
            n *= shape[i];
        fprintf(o, "%s %d %s %016llx\n", f->name, r, behind[k][j],
                (unsigned long long)checksum(x, n));
        free(x);
    }
    h5in_close(h);
    return st;
}

/* Lines of the checksum file of figure `name` (sorted as written). */
static char *lines_of(const char *file, const char *name)
{
    FILE *in = fopen(file, "r");
    if (!in)
        return NULL;
    size_t cap = 4096, len = 0;
    char *out = calloc(cap, 1), line[1024];
    while (out && fgets(line, sizeof line, in)) {
        size_t l = strlen(name);
        if (strncmp(line, name, l) != 0 || line[l] != ' ')
            continue;
        if (len + strlen(line) + 1 > cap) {
            char *x = realloc(out, cap *= 2);
            if (!x)
                break;
            out = x;
        }
        strcpy(out + len, line);
        len += strlen(line);
    }
    fclose(in);
    return out;
}

int reproduce_run(const char *manifest, const char *dir, const char *self, int quiet,
                  int *reproduced, int *compared)
{
    static fig figs[MAX_FIG];
    int n = 0;
    *reproduced = *compared = 0;
    int st = read_manifest(manifest, figs, &n);
    if (st == BS_OK)
        st = mkdirs(dir);
    char sums[4200], prev[4200], tmp[4300];
    snprintf(sums, sizeof sums, "%s/checksums.txt", dir);
    snprintf(prev, sizeof prev, "%s/checksums.previous.txt", dir);
    snprintf(tmp, sizeof tmp, "%s/.checksums.tmp", dir);
    FILE *o = st == BS_OK ? fopen(tmp, "w") : NULL;
    if (st == BS_OK && !o)
        st = bs_fail(BS_ERUNTIME, "%s: cannot write (%s)", tmp, strerror(errno));
    for (int i = 0; i < n && st == BS_OK; i++) {
        const fig *f = &figs[i];
        char rundir[4300], figdir[4300], result[4600], first[4600] = "";
        snprintf(rundir, sizeof rundir, "%s/runs/%s", dir, f->name);
        snprintf(figdir, sizeof figdir, "%s/figures/%s", dir, f->name);
        st = mkdirs(rundir);
        for (int r = 0; r < f->reps && st == BS_OK; r++) {
            if (!find_result(rundir, f->seed, r, result, sizeof result) || !up_to_date(result, f, r)) {
                st = run_one(self, f, r, rundir, quiet);
                if (st == BS_OK && !find_result(rundir, f->seed, r, result, sizeof result))
                    st = bs_fail(BS_ERUNTIME, "figure %s: replication %d wrote no results", f->name, r);
            } else if (!quiet) {
                fprintf(stderr, "blockshift: figure %s: replication %d is there already\n", f->name, r);
            }
            if (st == BS_OK)
                st = write_checksums(o, f, r, result);
            if (st == BS_OK && r == 0)
                snprintf(first, sizeof first, "%s", result);
        }
        char *paths[8] = {0};
        int np = 0;
        if (st == BS_OK)
            st = mkdirs(figdir);
        if (st == BS_OK)
            st = plot_run(first, figdir, PLOT_PNG, paths, &np);
        for (int k = 0; k < np; k++) {
            const char *base = strrchr(paths[k], '/');
            base = base ? base + 1 : paths[k];
            if (st == BS_OK && !quiet && strncmp(base, f->plot, strlen(f->plot)) == 0 &&
                base[strlen(f->plot)] == '.')
                fprintf(stderr, "blockshift: figure %s: %s\n", f->name, paths[k]);
            free(paths[k]);
        }
    }
    if (o && fclose(o) != 0 && st == BS_OK)
        st = bs_fail(BS_ERUNTIME, "%s: cannot write", tmp);
    if (st != BS_OK) {
        unlink(tmp);
        return st;
    }
    /* Compare with an earlier checksums.txt, then put the new one in place. */
    int had = access(sums, R_OK) == 0;
    for (int i = 0; had && i < n; i++) {
        char *old = lines_of(sums, figs[i].name), *now = lines_of(tmp, figs[i].name);
        int same = old && now && *old && strcmp(old, now) == 0;
        (*compared)++;
        *reproduced += same;
        if (!quiet || !same)
            fprintf(stderr, "blockshift: figure %s: %s\n", figs[i].name,
                    same ? "reproduced bit for bit" : "DIFFERS from the earlier checksums");
        free(old);
        free(now);
    }
    if (had && rename(sums, prev) != 0)
        return bs_fail(BS_ERUNTIME, "%s: cannot keep the earlier checksums", prev);
    if (rename(tmp, sums) != 0)
        return bs_fail(BS_ERUNTIME, "%s: cannot write", sums);
    return BS_OK;
}
