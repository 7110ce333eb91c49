/* calib_spec: reading and checking a calibration file or a validation
 * case (see calib_spec.h). */
#define _GNU_SOURCE
#include "cli/calib_spec.h"

#include "base/rng.h"
#include "base/status.h"
#include "config/config.h"
#include "config/schema.h"
#include "analysis/obs_map.h"
#include "sweep/sweep_spec.h"

#include <libconfig.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CALIB_MAX_FILES 16
#define CALIB_MAX_SET 64

/* What the schema engine fills in: the file as written. */
typedef struct file_param {
    char path[128];
    int prior; /* enum abc_prior_kind */
} file_param;

typedef struct file_map {
    int measure, dataset;
} file_map;

typedef struct calib_file {
    char description[512];
    char scenario[4096];
    int n_set;
    char set[CALIB_MAX_SET][SWEEP_SET_SIZE];
    int n_files;
    char files[CALIB_MAX_FILES][1024];
    int n_map;
    file_map map[N_OBS_MEASURES];
    int64_t seed, replications;
    int n_params;
    file_param params[CALIB_MAX_PARAMS];
    int64_t particles, generations, max_proposals;
    double quantile, min_tolerance;
} calib_file;

#define F(field) offsetof(calib_file, field)
#define FP(field) offsetof(file_param, field)
#define FM(field) offsetof(file_map, field)
#define SIZE(type, field) sizeof(((type *)0)->field)

static const schema_entry calib_table[] = {
    {"description", PT_STRING, F(description), SIZE(calib_file, description), 0, "\"\"", 0, 0, "",
     NULL, 0, "One line saying what the file is for", ""},
    {"scenario", PT_STRING, F(scenario), SIZE(calib_file, scenario), 0, NULL, 0, 0, "", NULL, 0,
     "The scenario file, from this file's folder", ""},
    {"set", PT_STRINGS, F(set), SWEEP_SET_SIZE, F(n_set), "[]", 0, CALIB_MAX_SET, "", NULL, 0,
     "Overrides \"path=value\" of every run", ""},
    {"observations", PT_STRINGS, F(files), 1024, F(n_files), NULL, 1, CALIB_MAX_FILES, "", NULL,
     0, "Observation files (configs/observations/), from this file's folder", ""},
    {"map", PT_LIST, F(map), sizeof(file_map), F(n_map), "()", 0, N_OBS_MEASURES, "", NULL, 0,
     "Which dataset a measure reads, where not the default (obs_map.h)", ""},
    {"map.[].measure", PT_ENUM, FM(measure), 0, 0, NULL, 0, 0, "", observations_measure_names,
     N_OBS_MEASURES, "The measure", ""},
    {"map.[].dataset", PT_ENUM, FM(dataset), 0, 0, NULL, 0, 0, "", obs_map_names, N_OBS_DATASETS,
     "The dataset it reads: installed, primary, vpn, vpn_growth, vpn_ratio, vpn_new_ratio", ""},
    {"seed", PT_INT, F(seed), 0, 0, "1", 0, 4294967295.0, "", NULL, 0, "The seed of every draw",
     ""},
    {"replications", PT_INT, F(replications), 0, 0, "1", 1, 1000, "runs", NULL, 0,
     "Runs of every parameter point (their mean is compared)", ""},
    {"parameters", PT_LIST, F(params), sizeof(file_param), F(n_params), "()", 0, CALIB_MAX_PARAMS,
     "", NULL, 0, "The parameters to fit (calibration only)", ""},
    {"parameters.[].path", PT_STRING, FP(path), 128, 0, NULL, 0, 0, "", NULL, 0,
     "The parameter's path, like apps.max.bass_q", ""},
    {"parameters.[].prior", PT_ENUM, FP(prior), 0, 0, "\"uniform\"", 0, 0, "", abc_prior_names,
     N_ABC_PRIORS, "uniform or log-uniform between the bounds", ""},
    {"parameters.[].bounds", PT_ANY, 0, 0, 0, NULL, 0, 0, "", NULL, 0, "[low, high]", ""},
    {"abc", PT_GROUP, 0, 0, 0, "", 0, 0, "", NULL, 0, "The budget of ABC-SMC (abc.h)", ""},
    {"abc.particles", PT_INT, F(particles), 0, 0, "40", 4, 100000, "particles", NULL, 0,
     "Particles per generation", "assumption: enough for a median and a 90% interval of a "
     "few parameters at tens of runs per generation"},
    {"abc.generations", PT_INT, F(generations), 0, 0, "5", 1, 1000, "generations", NULL, 0,
     "Most generations, the first (from the prior) included", "assumption: the tolerance halves "
     "each generation at quantile 0.5, five halvings"},
    {"abc.quantile", PT_REAL, F(quantile), 0, 0, "0.5", 0.05, 0.95, "", NULL, 0,
     "The next tolerance: this quantile of the last generation's distances",
     "Beaumont et al. 2009 and pyabc's default: the median"},
    {"abc.min_tolerance", PT_REAL, F(min_tolerance), 0, 0, "0.5", 0, 1e12, "", NULL, 0,
     "Stop once the tolerance reaches this distance (in standard deviations of the observations)",
     "assumption: half an observation's standard deviation on average, below its own noise"},
    {"abc.max_proposals", PT_INT, F(max_proposals), 0, 0, "0", 0, 10000000, "proposals", NULL, 0,
     "Most proposals in a generation (0: 20 times the particles)", "assumption"},
};

static const schema calib_schema = {calib_table, (int)(sizeof calib_table / sizeof calib_table[0]),
                                    sizeof(calib_file)};

/* ---------------------------------------------------------------- rules */

typedef struct rules_arg {
    calib_spec *s;
    int want_params;
    char *extra; /* errors in other files, one per line */
    size_t extra_len;
} rules_arg;

static void extra_error(rules_arg *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void extra_error(rules_arg *a, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    size_t n = strlen(line);
    char *e = realloc(a->extra, a->extra_len + n + 2);
    if (!e)
        return;
    memcpy(e + a->extra_len, line, n);
    e[a->extra_len + n] = '\n';
    e[a->extra_len + n + 1] = '\0';
    a->extra = e;
    a->extra_len += n + 1;
}

/* path relative to the folder of `file` (absolute when it exists). */
static char *beside(const char *file, const char *path)
{
    size_t n = strlen(file) + strlen(path) + 2;
    char *joined = malloc(n);
    if (!joined)
        return NULL;
    const char *slash = strrchr(file, '/');
    if (path[0] == '/' || !slash)
        snprintf(joined, n, "%s", path);
    else
        snprintf(joined, n, "%.*s/%s", (int)(slash - file), file, path);
    char *real = realpath(joined, NULL);
    if (real) {
        free(joined);
        return real;
    }
    return joined;
}

static int read_params(check_ctx *c, const calib_file *f, rules_arg *a)
{
    calib_spec *s = a->s;
    if (a->want_params && f->n_params == 0)
        config_check_error(c, "parameters", "a calibration needs at least one parameter to fit");
    if (!a->want_params && f->n_params > 0)
        config_check_error(c, "parameters", "a validation case fits nothing: no parameters");
    s->k = f->n_params;
    for (int j = 0; j < f->n_params; j++) {
        char where[64];
        snprintf(s->paths[j], sizeof s->paths[j], "%s", f->params[j].path);
        if (!f->params[j].path[0] || strpbrk(f->params[j].path, "= \t\n") ||
            strncmp(f->params[j].path, "scenario.seed", 13) == 0 ||
            strncmp(f->params[j].path, "scenario.run", 12) == 0) {
            snprintf(where, sizeof where, "parameters.[%d].path", j);
            config_check_error(c, where, "'%s' is not a parameter to fit", f->params[j].path);
        }
        s->prior[j].kind = f->params[j].prior;
        snprintf(where, sizeof where, "parameters.[%d].bounds", j);
        const config_setting_t *b = config_check_setting(c, where);
        int ok = b && (config_setting_is_array(b) || config_setting_is_list(b)) &&
                 config_setting_length(b) == 2;
        for (int i = 0; ok && i < 2; i++) {
            const config_setting_t *e = config_setting_get_elem(b, (unsigned)i);
            int t = config_setting_type(e);
            if (t == CONFIG_TYPE_FLOAT)
                (&s->prior[j].lo)[i] = config_setting_get_float(e);
            else if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64)
                (&s->prior[j].lo)[i] = (double)config_setting_get_int64(e);
            else
                ok = 0;
        }
        if (!b)
            continue; /* missing: the schema walk said so */
        if (!ok || !isfinite(s->prior[j].lo) || !isfinite(s->prior[j].hi))
            config_check_error(c, where, "expected two numbers [low, high]");
        else if (!(s->prior[j].lo < s->prior[j].hi))
            config_check_error(c, where, "the prior's low bound %g must be below its high one %g",
                               s->prior[j].lo, s->prior[j].hi);
        else if (s->prior[j].kind == ABC_LOG_UNIFORM && !(s->prior[j].lo > 0))
            config_check_error(c, where, "a log-uniform prior needs bounds above 0, not %g",
                               s->prior[j].lo);
    }
    return BS_OK;
}

/* The observation files, each checked (observations.h). */
static int read_observations(check_ctx *c, const calib_file *f, rules_arg *a)
{
    calib_spec *s = a->s;
    observation_set *set = malloc(sizeof *set);
    if (!set)
        return BS_ENOMEM;
    for (int i = 0; i < f->n_files; i++) {
        char *path = beside(s->file, f->files[i]), *errors = NULL;
        if (!path) {
            free(set);
            return BS_ENOMEM;
        }
        int st = observations_load(path, set, &errors);
        if (st == BS_ENOMEM) {
            free(path);
            free(set);
            return st;
        }
        if (st != BS_OK) {
            char where[64];
            snprintf(where, sizeof where, "observations.[%d]", i);
            if (errors && errors[0]) {
                config_check_error(c, where, "the observation file %s has errors (below)",
                                   f->files[i]);
                extra_error(a, "%s", errors);
                /* the errors end with a newline: drop the blank one */
                if (a->extra_len >= 2 && a->extra[a->extra_len - 2] == '\n')
                    a->extra[--a->extra_len] = '\0';
            } else {
                config_check_error(c, where, "%s", bs_last_error());
            }
            free(errors);
            free(path);
            continue;
        }
        for (int r = 0; r < set->n; r++) {
            if (s->m == CALIB_MAX_OBS) {
                config_check_error(c, "observations", "more than %d observations in all",
                                   CALIB_MAX_OBS);
                break;
            }
            s->obs[s->m] = set->rows[r];
            snprintf(s->obs_file[s->m], sizeof s->obs_file[s->m], "%s", path);
            s->m++;
        }
        free(path);
    }
    free(set);
    return BS_OK;
}

static int name_in(const char *name, int n, const char *base, size_t stride)
{
    for (int i = 0; i < n; i++)
        if (strcmp(base + (size_t)i * stride, name) == 0)
            return 1;
    return 0;
}

/* Load the scenario with the file's `set` (and the parameters at `which`
 * bound: -1 none, 0 low, 1 high) into *w; its errors become the file's. */
static int load_world(check_ctx *c, rules_arg *a, int which, world *w, int *ok)
{
    calib_spec *s = a->s;
    int n = s->n_set + (which >= 0 ? s->k : 0);
    char **set = calloc((size_t)n + 1, sizeof *set);
    if (!set)
        return BS_ENOMEM;
    for (int i = 0; i < s->n_set; i++)
        set[i] = s->set[i];
    char buf[CALIB_MAX_PARAMS][192];
    for (int j = 0; which >= 0 && j < s->k; j++) {
        snprintf(buf[j], sizeof buf[j], "%s=%.17g", s->paths[j],
                 which ? s->prior[j].hi : s->prior[j].lo);
        if (!strpbrk(buf[j] + strlen(s->paths[j]) + 1, ".eEin"))
            strcat(buf[j], ".0"); /* a real, as libconfig reads it */
        set[s->n_set + j] = buf[j];
    }
    char *errors = NULL;
    int st = config_load(s->scenario, n, set, w, &errors);
    free(set);
    *ok = st == BS_OK;
    if (st == BS_ENOMEM) {
        free(errors);
        return st;
    }
    if (st != BS_OK) {
        config_check_error(c, which >= 0 ? "parameters" : "scenario",
                           which >= 0 ? "the scenario does not take the parameters at their %s "
                                        "bounds (below)"
                                      : "the scenario %s does not load (below)",
                           which >= 0 ? (which ? "high" : "low") : s->scenario);
        extra_error(a, "%s", errors && errors[0] ? errors : bs_last_error());
        if (a->extra_len >= 2 && a->extra[a->extra_len - 2] == '\n')
            a->extra[--a->extra_len] = '\0';
    }
    free(errors);
    return BS_OK;
}

/* Each observation against the scenario: names and days. */
static void check_against(check_ctx *c, rules_arg *a, const world *w)
{
    calib_spec *s = a->s;
    (void)c;
    for (int i = 0; i < s->m; i++) {
        const observation *o = &s->obs[i];
        int ds = s->ds[i];
        int vpn = ds == OBS_VPN || ds == OBS_VPN_GROWTH || ds == OBS_VPN_RATIO || ds == OBS_VPN_NEW_RATIO;
        char why[256];
        if (o->app[0] && !vpn &&
            !name_in(o->app, w->n_apps, w->apps[0].name, sizeof w->apps[0]))
            extra_error(a, "%s:%d: observations: app '%s' is not one of the scenario's apps",
                        s->obs_file[i], o->line, o->app);
        if (o->app[0] && vpn && !name_in(o->app, w->n_vpns, w->vpns[0].name, sizeof w->vpns[0]))
            extra_error(a, "%s:%d: observations: '%s' is not one of the scenario's VPN protocols",
                        s->obs_file[i], o->line, o->app);
        if (!o->app[0] && !vpn)
            extra_error(a, "%s:%d: observations: %s reads the dataset %s, which needs an app",
                        s->obs_file[i], o->line, observations_measure_names[o->measure],
                        obs_map_names[ds]);
        if (o->region[0] &&
            !name_in(o->region, w->n_regions, w->regions[0].name, sizeof w->regions[0]))
            extra_error(a, "%s:%d: observations: region '%s' is not one of the scenario's",
                        s->obs_file[i], o->line, o->region);
        if (obs_map_fits(ds, o, w->scenario.start, w->scenario.end, why, sizeof why) != 0)
            extra_error(a, "%s:%d: observations: %s", s->obs_file[i], o->line, why);
    }
}

static int calib_rules(void *dst, check_ctx *c, void *arg)
{
    const calib_file *f = dst;
    rules_arg *a = arg;
    calib_spec *s = a->s;
    int st;
    snprintf(s->description, sizeof s->description, "%s", f->description);
    if (f->scenario[0] && !(s->scenario = beside(s->file, f->scenario)))
        return BS_ENOMEM;
    s->n_set = f->n_set;
    if (!(s->set = calloc((size_t)f->n_set + 1, sizeof *s->set)))
        return BS_ENOMEM;
    for (int i = 0; i < f->n_set; i++) {
        if (!(s->set[i] = strdup(f->set[i])))
            return BS_ENOMEM;
        if (!strchr(f->set[i], '=')) {
            char where[32];
            snprintf(where, sizeof where, "set");
            config_check_error(c, where, "'%s' is not path=value", f->set[i]);
        }
    }
    s->seed = (uint64_t)f->seed;
    s->replications = (int)f->replications;
    if ((st = read_params(c, f, a)) != BS_OK)
        return st;
    int map[N_OBS_MEASURES];
    for (int i = 0; i < N_OBS_MEASURES; i++)
        map[i] = obs_map_default(i);
    for (int i = 0; i < f->n_map; i++)
        if (f->map[i].measure >= 0 && f->map[i].measure < N_OBS_MEASURES &&
            f->map[i].dataset >= 0 && f->map[i].dataset < N_OBS_DATASETS)
            map[f->map[i].measure] = f->map[i].dataset;
    if ((st = read_observations(c, f, a)) != BS_OK)
        return st;
    for (int i = 0; i < s->m; i++)
        s->ds[i] = map[s->obs[i].measure];
    s->abc = (abc_opts){s->k, s->m, s->prior, (int)f->particles, (int)f->generations,
                        f->max_proposals ? (int)f->max_proposals : 20 * (int)f->particles,
                        f->quantile, f->min_tolerance, s->seed};
    if (!s->scenario || config_check_count(c) > 0 || a->extra)
        return BS_OK; /* the scenario's own checks would only repeat these */
    world *w = malloc(sizeof *w);
    if (!w)
        return BS_ENOMEM;
    int ok;
    if ((st = load_world(c, a, -1, w, &ok)) == BS_OK && ok) {
        s->start = w->scenario.start;
        s->end = w->scenario.end;
        check_against(c, a, w);
        for (int b = 0; b < 2 && s->k > 0 && ok && st == BS_OK; b++)
            st = load_world(c, a, b, w, &ok);
    }
    free(w);
    return st;
}

int calib_spec_load(const char *file, int want_params, calib_spec **out, char **errors)
{
    *out = NULL;
    *errors = NULL;
    calib_spec *s = calloc(1, sizeof *s);
    calib_file *f = calloc(1, sizeof *f);
    if (!s || !f || !(s->file = strdup(file))) {
        free(f);
        calib_spec_free(s);
        return bs_nomem("%s", file);
    }
    const char *base = strrchr(file, '/');
    snprintf(s->name, sizeof s->name, "%s", base ? base + 1 : file);
    s->name[strcspn(s->name, ".")] = '\0';
    FILE *fp = fopen(file, "r");
    if (fp) {
        size_t cap = 1 << 16, n = 0;
        s->text = malloc(cap);
        size_t got;
        while (s->text && (got = fread(s->text + n, 1, cap - n - 1, fp)) > 0) {
            n += got;
            if (n + 1 == cap) {
                char *t = realloc(s->text, cap *= 2);
                if (!t) {
                    free(s->text);
                    s->text = NULL;
                }
                s->text = t;
            }
        }
        if (s->text)
            s->text[n] = '\0';
        fclose(fp);
    }
    rules_arg a = {s, want_params, NULL, 0};
    int st = config_load_file(&calib_schema, file, f, calib_rules, &a, errors);
    free(f);
    if (st == BS_OK && a.extra) {
        *errors = a.extra;
        a.extra = NULL;
        st = bs_fail(BS_EINPUT, "%s: errors in the files it names", file);
    } else if (st == BS_EINPUT && a.extra && *errors) {
        size_t n = strlen(*errors), m = strlen(a.extra);
        char *e = realloc(*errors, n + m + 1);
        if (e) {
            memcpy(e + n, a.extra, m + 1);
            *errors = e;
        }
    }
    free(a.extra);
    if (st == BS_OK && !s->text)
        st = bs_nomem("reading %s", file);
    if (st != BS_OK) {
        calib_spec_free(s);
        return st;
    }
    *out = s;
    return BS_OK;
}

void calib_spec_free(calib_spec *s)
{
    if (!s)
        return;
    if (s->set)
        sweep_spec_free_set(s->n_set, s->set);
    free(s->file);
    free(s->text);
    free(s->scenario);
    free(s);
}

uint32_t calib_spec_seed(const calib_spec *s, int g, int j, int r)
{
    uint64_t key = (uint64_t)g << 40 | (uint64_t)(uint32_t)j << 12 | (uint64_t)(uint32_t)r;
    return (uint32_t)(rng_seed_of(s->seed, key, "calibrate") & 0xffffffffu);
}

int calib_spec_overrides(const calib_spec *s, const double *theta, uint32_t seed, uint32_t run,
                         char ***set)
{
    int k = theta ? s->k : 0, n = s->n_set + k + 3, m = 0, ok = 1;
    char **v = calloc((size_t)n + 1, sizeof *v);
    if (!v)
        return -1;
    /* The observations read /population and /events only: no hourly network
     * data written and deleted for every run (first, so a file's own `set`
     * can ask for more). */
    ok = (v[m++] = strdup("scenario.output=\"daily\"")) != NULL;
    for (int i = 0; i < s->n_set && ok; i++)
        ok = (v[m++] = strdup(s->set[i])) != NULL;
    for (int j = 0; j < k && ok; j++) {
        char buf[256];
        snprintf(buf, sizeof buf, "%s=%.17g", s->paths[j], theta[j]);
        if (!strpbrk(buf + strlen(s->paths[j]) + 1, ".eEin"))
            strcat(buf, ".0");
        ok = (v[m++] = strdup(buf)) != NULL;
    }
    char buf[64];
    snprintf(buf, sizeof buf, "scenario.seed=%lu", (unsigned long)seed);
    ok = ok && (v[m++] = strdup(buf)) != NULL;
    snprintf(buf, sizeof buf, "scenario.run=%lu", (unsigned long)run);
    ok = ok && (v[m++] = strdup(buf)) != NULL;
    if (!ok) {
        sweep_spec_free_set(m, v);
        return -1;
    }
    *set = v;
    return m;
}
