/* sweep_spec: reading a sweep file and expanding it into parameter points
 * and runs (see sweep_spec.h for the file and the rules).
 *
 * The file is read by the configuration's schema engine (config.h,
 * config_load_file) against the table below, like a scenario: unknown keys
 * (with "did you mean"), types, ranges and defaults, every error collected
 * as "file:line: path: message", where path is the setting's place in the
 * sweep file ("parameters.[1].steps").  sweep_rules() then checks what
 * spans settings and expands the file into points.
 */
#include "sweep/sweep_spec.h"

#include "base/name.h"
#include "base/quote.h"
#include "base/rng.h"
#include "base/status.h"
#include "config/config.h"
#include "config/schema.h"
#include "sweep/sweep_job.h"
#include "sweep/sweep_sample.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A parameter path's longest (it is a column of the sweep's tables). */
#define SWEEP_MAX_PATH 127

/* ------------------------------------------------------------ the schema */

/* What the schema engine fills in: a sweep file as written. */
typedef struct file_param {
    char path[SWEEP_PATH_SIZE];
    double from, to;
    int64_t steps;
    int scale; /* index in scale_names */
} file_param;

typedef struct sweep_file {
    char name[SWEEP_NAME_SIZE];
    char description[1024];
    char scenario[4096];
    int n_set;
    char set[SWEEP_MAX_SET][SWEEP_SET_SIZE];
    int64_t seed, replications;
    int common_random_numbers;
    int n_collect;
    char collect[SWEEP_MAX_COLLECT][SWEEP_NAME_SIZE];
    int n_params;
    file_param params[SWEEP_MAX_PARAMS];
    int method; /* enum sweep_method */
    int output; /* enum output_level: each run's results file */
    int64_t points;
} sweep_file;

static const char *const scale_names[] = {"linear", "log"};
static const char *const method_names[] = {"lhs", "sobol", "saltelli"}; /* enum sweep_method */

#define F(field) offsetof(sweep_file, field)
#define FP(field) offsetof(file_param, field)
#define SIZE(type, field) sizeof(((type *)0)->field)
#define ENUM(names) names, (int)(sizeof names / sizeof names[0])

/* def "": optional, no default; sweep_rules looks at what is there. */
static const schema_entry sweep_table[] = {
    {"name", PT_STRING, F(name), SIZE(sweep_file, name), 0, "", 0, 0, "", NULL, 0,
     "The sweep's name, its output folder (letters, digits, _ . -); default: the file's name",
     ""},
    {"description", PT_STRING, F(description), SIZE(sweep_file, description), 0, "\"\"", 0, 0,
     "", NULL, 0, "One line saying what the sweep is for", ""},
    {"scenario", PT_STRING, F(scenario), SIZE(sweep_file, scenario), 0, NULL, 0, 0, "", NULL, 0,
     "The base scenario file, from the sweep file's folder", ""},
    {"set", PT_STRINGS, F(set), SWEEP_SET_SIZE, F(n_set), "[]", 0, SWEEP_MAX_SET, "", NULL, 0,
     "Overrides \"path=value\" for every run", ""},
    {"seed", PT_INT, F(seed), 0, 0, "1", 0, 4294967295.0, "", NULL, 0, "The sweep's seed", ""},
    {"output", PT_ENUM, F(output), 0, 0, "\"full\"", 0, 0, "", world_output_names,
     N_OUTPUT_LEVELS,
     "What each run's results file keeps (scenario.output): full, daily (no hourly network "
     "and censor data) or summary (only the summary numbers, which are what a sweep collects)",
     ""},
    {"replications", PT_INT, F(replications), 0, 0, "1", 1, SWEEP_MAX_RUNS, "runs", NULL, 0,
     "Runs of every parameter point", ""},
    {"common_random_numbers", PT_BOOL, F(common_random_numbers), 0, 0, "false", 0, 0, "", NULL,
     0, "Replication r has the same seed at every point", ""},
    {"collect", PT_STRINGS, F(collect), SWEEP_NAME_SIZE, F(n_collect), NULL, 1, SWEEP_MAX_COLLECT,
     "", NULL, 0, "The /summary numbers to collect (blockshift info RESULT.h5 lists them)", ""},
    {"parameters", PT_LIST, F(params), sizeof(file_param), F(n_params), "()", 0, SWEEP_MAX_PARAMS,
     "", NULL, 0, "The parameters varied", ""},
    {"parameters.[].path", PT_STRING, FP(path), SWEEP_PATH_SIZE, 0, NULL, 0, 0, "", NULL, 0,
     "The override path of the parameter, like population.retry", ""},
    {"parameters.[].values", PT_ANY, 0, 0, 0, "", 0, 0, "", NULL, 0,
     "A list of values: numbers, strings or booleans", ""},
    {"parameters.[].from", PT_REAL, FP(from), 0, 0, "", 0, 0, "", NULL, 0,
     "First value of a range", ""},
    {"parameters.[].to", PT_REAL, FP(to), 0, 0, "", 0, 0, "", NULL, 0, "Last value of a range",
     ""},
    {"parameters.[].steps", PT_INT, FP(steps), 0, 0, "", 1, SWEEP_MAX_RUNS, "values", NULL, 0,
     "Values of a range", ""},
    {"parameters.[].scale", PT_ENUM, FP(scale), 0, 0, "\"linear\"", 0, 0, "", ENUM(scale_names),
     "Scale of a range or of bounds", ""},
    {"parameters.[].bounds", PT_ANY, 0, 0, 0, "", 0, 0, "", NULL, 0,
     "[low, high]: the parameter is sampled between them", ""},
    {"sample", PT_GROUP, 0, 0, 0, "", 0, 0, "", NULL, 0,
     "How the parameters with bounds are sampled", ""},
    {"sample.method", PT_ENUM, F(method), 0, 0, "\"lhs\"", 0, 0, "", ENUM(method_names),
     "lhs (a Latin hypercube, seeded from the sweep's seed), sobol (a Sobol sequence) or "
     "saltelli (Saltelli's design for Sobol indices; blockshift sweep --sobol N)", ""},
    {"sample.points", PT_INT, F(points), 0, 0, "", 1, SWEEP_MAX_RUNS, "points", NULL, 0,
     "Points sampled; for saltelli, base samples N (N (k + 2) points for k parameters)", ""},
};

static const schema sweep_schema = {sweep_table, (int)(sizeof sweep_table / sizeof sweep_table[0]),
                                    sizeof(sweep_file)};

/* ------------------------------------------------------------- the values */

static int is_number(const config_setting_t *s)
{
    int t = config_setting_type(s);
    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 || t == CONFIG_TYPE_FLOAT;
}

static double number_of(const config_setting_t *s)
{
    int t = config_setting_type(s);
    return t == CONFIG_TYPE_FLOAT   ? config_setting_get_float(s)
           : t == CONFIG_TYPE_INT64 ? (double)config_setting_get_int64(s)
                                    : (double)config_setting_get_int(s);
}

/* A name fit for a file name and an HDF5 column: letters, digits, _ . - */
static int plain_name(const char *s)
{
    if (!s[0] || strlen(s) > 200 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return 0; /* "." and "..": results/sweeps/.. is results/ */
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' && *s != '-')
            return 0;
    return 1;
}

/* The schema entry for an override path: "apps.whatsapp.bass_q" matches
 * "apps.[].bass_q" (a list element by name or [index]).  NULL if none. */
static const schema_entry *schema_of(const char *path)
{
    for (int i = 0; i < schema_n; i++) {
        const char *p = path, *q = schema_table[i].path;
        for (;;) {
            size_t lp = strcspn(p, "."), lq = strcspn(q, ".");
            if (!(lq == 2 && q[0] == '[' && q[1] == ']') && (lp != lq || strncmp(p, q, lp) != 0))
                break;
            p += lp;
            q += lq;
            if (!*p && !*q)
                return &schema_table[i];
            if (!*p || !*q)
                break;
            p++;
            q++;
        }
    }
    return NULL;
}

/* x as libconfig text: an integer, or a float that reads back exactly and
 * always has a decimal point (libconfig reads 5 as an int). */
static void format_number(char *buf, size_t size, double x, int integer)
{
    if (integer) {
        snprintf(buf, size, "%lld", (long long)llround(x));
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    if (!strpbrk(buf, ".en")) /* "nan"/"inf" cannot occur: values are finite */
        strncat(buf, ".0", size - strlen(buf) - 1);
    else if (!strchr(buf, '.') && strchr(buf, 'e')) {
        char tail[32];
        char *ex = strchr(buf, 'e');
        snprintf(tail, sizeof tail, "%s", ex);
        snprintf(ex, size - (size_t)(ex - buf), ".0%s", tail);
    }
}

/* A scalar setting as libconfig text (malloc'd); NULL if it is no scalar. */
static char *scalar_text(const config_setting_t *s, int *text, double *num)
{
    char buf[64];
    *num = NAN;
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        snprintf(buf, sizeof buf, "%lld", config_setting_get_int64(s));
        *num = number_of(s);
        return strdup(buf);
    case CONFIG_TYPE_FLOAT:
        if (!isfinite(config_setting_get_float(s)))
            return NULL;
        format_number(buf, sizeof buf, config_setting_get_float(s), 0);
        *num = config_setting_get_float(s);
        return strdup(buf);
    case CONFIG_TYPE_BOOL:
        *text = 1;
        return strdup(config_setting_get_bool(s) ? "true" : "false");
    case CONFIG_TYPE_STRING: {
        const char *v = config_setting_get_string(s);
        size_t n = strlen(v);
        char *q = malloc(2 * n + 3), *o = q;
        if (!q)
            return NULL;
        *o++ = '"';
        static const char special[] = "\"\\\n\r\t\f", escaped[] = "\"\\nrtf";
        for (; *v; v++) {
            const char *esc = strchr(special, *v);
            if (esc) { /* libconfig's escapes */
                *o++ = '\\';
                *o++ = escaped[esc - special];
            } else
                *o++ = *v;
        }
        *o++ = '"';
        *o = '\0';
        *text = 1;
        return q;
    }
    default:
        return NULL;
    }
}

/* The n values of a range on its scale, as the decimals a user writes: the
 * ends exactly, the others rounded to 15 significant digits (what a double
 * holds of any decimal), so that a log range from 0.03 to 3 has 0.3, not
 * exp(log(0.03) + ...) = 0.30000000000000004, and its text is "0.3"
 * (format_number) in the runs' overrides and the index. */
static double range_value(const sweep_param *p, int i)
{
    if (i == 0 || p->n == 1)
        return p->lo;
    if (i == p->n - 1)
        return p->hi;
    double t = (double)i / (p->n - 1);
    double v = p->log ? exp(log(p->lo) + t * (log(p->hi) - log(p->lo))) : p->lo + t * (p->hi - p->lo);
    char buf[32];
    snprintf(buf, sizeof buf, "%.15g", v);
    return strtod(buf, NULL);
}

/* A point of [0,1) onto bounds, on the parameter's scale (ints rounded,
 * kept inside the bounds). */
static double bounds_value(const sweep_param *p, double u)
{
    double v =
        p->log ? exp(log(p->lo) + u * (log(p->hi) - log(p->lo))) : p->lo + u * (p->hi - p->lo);
    if (p->integer) {
        v = round(v);
        v = v < p->lo ? ceil(p->lo) : v > p->hi ? floor(p->hi) : v;
    }
    return v;
}

/* Fixed columns of the sweep index, which collected names must not take. */
static const char *const reserved_columns[] = {
    "k",    "point",       "replication", "seed", "run", "status", "error", "wall_seconds",
    "host", "config_hash", "file",        "n",    NULL};

/* Every grid point with every sample point into point_text/point_number. */
static int expand(check_ctx *c, sweep_spec *s)
{
    int np = s->n_params, n_bounds = 0;
    long long grid = 1;
    for (int j = 0; j < np; j++) {
        if (s->params[j].kind == SWEEP_BOUNDS)
            n_bounds++;
        else
            grid *= s->params[j].n;
        if (grid > SWEEP_MAX_RUNS)
            break;
    }
    long long design = !n_bounds                      ? 1
                       : s->method == SWEEP_SALTELLI ? (long long)s->sample_points * (n_bounds + 2)
                                                     : s->sample_points;
    long long points = grid * design;
    if (grid > SWEEP_MAX_RUNS || points > SWEEP_MAX_RUNS ||
        points * s->replications > SWEEP_MAX_RUNS) {
        config_check_error(c, NULL, "the sweep has more than %d runs", SWEEP_MAX_RUNS);
        return BS_EINPUT;
    }
    s->n_points = (int)points;
    s->n_runs = (int)(points * s->replications);
    size_t cells = (size_t)points * (size_t)(np ? np : 1);
    double *u = n_bounds ? malloc((size_t)design * (size_t)n_bounds * sizeof *u) : NULL;
    s->point_text = calloc(cells, sizeof *s->point_text);
    s->point_number = calloc(cells, sizeof *s->point_number);
    if ((n_bounds && !u) || !s->point_text || !s->point_number) {
        free(u);
        return BS_ENOMEM;
    }
    int st = !n_bounds                      ? BS_OK
             : s->method == SWEEP_SALTELLI ? sweep_sample_saltelli(s->sample_points, n_bounds, u)
                                           : sweep_sample(s->method, (int)design, n_bounds, s->seed, u);
    for (long long p = 0; p < points && st == BS_OK; p++) {
        long long g = p / design, d = p % design, stride = grid;
        for (int j = 0, b = 0; j < np; j++) {
            sweep_param *q = &s->params[j];
            size_t cell = (size_t)p * (size_t)np + (size_t)j;
            if (q->kind == SWEEP_BOUNDS) {
                char buf[64];
                double v = bounds_value(q, u[(size_t)d * (size_t)n_bounds + (size_t)b++]);
                format_number(buf, sizeof buf, v, q->integer);
                s->point_number[cell] = v;
                if (!(s->point_text[cell] = strdup(buf)))
                    st = BS_ENOMEM;
            } else {
                stride /= q->n;
                int i = (int)(g / stride % q->n);
                s->point_number[cell] = q->numbers[i];
                if (!(s->point_text[cell] = strdup(q->values[i])))
                    st = BS_ENOMEM;
            }
        }
    }
    free(u);
    return st;
}


/* A member of the setting at `path`, or NULL (also when it is no group). */
static const config_setting_t *member(const check_ctx *c, const char *path, const char *key)
{
    const config_setting_t *g = config_check_setting(c, path);
    return g && config_setting_is_group(g) ? config_setting_get_member(g, key) : NULL;
}

/* Parameter j: what the schema could not say (which kind it is, values,
 * bounds), into *p.  BS_OK or BS_ENOMEM. */
static int read_param(check_ctx *c, const file_param *fp, int j, sweep_param *p)
{
    char where[64], path[128];
    snprintf(where, sizeof where, "parameters.[%d]", j);
    const config_setting_t *g = config_check_setting(c, where);
    p->line = g ? (int)config_setting_source_line(g) : 0;
    snprintf(path, sizeof path, "%s.path", where);
    const char *pp = fp->path;
    char why[160];
    if (name_check(pp, SWEEP_MAX_PATH, 0, why, sizeof why) != 0) {
        config_check_error(c, path, "the parameter path %s", why);
        pp = NULL;
    } else if (!pp[0] || strpbrk(pp, "= \t\n")) {
        config_check_error(c, path, "'%s' is not a parameter path (like population.retry)", pp);
        pp = NULL;
    } else if (strcmp(pp, "scenario.seed") == 0 || strcmp(pp, "scenario.run") == 0) {
        config_check_error(c, path,
                           "%s is set by the sweep for each run (from its seed and replications)",
                           pp);
        pp = NULL;
    }
    if (!(p->path = strdup(pp ? pp : "?")))
        return BS_ENOMEM;
    if (!g || !config_setting_is_group(g))
        return BS_OK; /* reported by the schema walk */
    const schema_entry *se = pp ? schema_of(pp) : NULL;
    p->integer = se && se->type == PT_INT;
    const config_setting_t *values = member(c, where, "values"), *from = member(c, where, "from"),
                           *bounds = member(c, where, "bounds"), *scale = member(c, where, "scale");
    int kinds = !!values + !!from + !!bounds;
    if (kinds != 1) {
        config_check_error(c, where, "%s",
                           kinds ? "give only one of values, from/to/steps and bounds"
                                 : "no values: give values = [...], from/to/steps, or bounds");
        return BS_OK;
    }
    if (scale) {
        snprintf(path, sizeof path, "%s.scale", where);
        if (values)
            config_check_error(c, path, "a list of values has no scale");
        else
            p->log = fp->scale == 1;
    }
    if (values) {
        p->kind = SWEEP_VALUES;
        snprintf(path, sizeof path, "%s.values", where);
        int n = config_setting_is_array(values) || config_setting_is_list(values)
                    ? config_setting_length(values)
                    : -1;
        if (n < 1) {
            config_check_error(c, path, "%s",
                               n ? "expected a list of values, like [0.1, 0.2]"
                                 : "the list is empty");
            return BS_OK;
        }
        p->values = calloc((size_t)n, sizeof *p->values);
        p->numbers = calloc((size_t)n, sizeof *p->numbers);
        if (!p->values || !p->numbers)
            return BS_ENOMEM;
        p->n = n;
        for (int i = 0; i < n; i++) {
            const config_setting_t *el = config_setting_get_elem(values, (unsigned)i);
            int t = config_setting_type(el);
            int scalar = t == CONFIG_TYPE_STRING || t == CONFIG_TYPE_BOOL ||
                         t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 ||
                         (t == CONFIG_TYPE_FLOAT && isfinite(config_setting_get_float(el)));
            p->values[i] = scalar_text(el, &p->text, &p->numbers[i]);
            if (!p->values[i] && scalar)
                return BS_ENOMEM; /* a value scalar_text takes, not copied */
            if (!p->values[i])
                config_check_error(c, path, "element %d is not a number, string or boolean", i);
        }
        return BS_OK;
    }
    if (se && se->type != PT_INT && se->type != PT_REAL)
        config_check_error(c, where,
                           "%s is of type %s: ranges and bounds need an int or real parameter; "
                           "give its values as a list",
                           pp, schema_ptype_names[se->type]);
    if (from) {
        p->kind = SWEEP_RANGE;
        const config_setting_t *to = member(c, where, "to"), *steps = member(c, where, "steps");
        if (!to) {
            snprintf(path, sizeof path, "%s.to", where);
            config_check_error(c, path, "missing (a range needs from, to and steps)");
        }
        if (!steps) {
            snprintf(path, sizeof path, "%s.steps", where);
            config_check_error(c, path, "missing (a range needs from, to and steps)");
        }
        /* wrong types and ranges: reported by the schema walk */
        if (!to || !steps || !is_number(from) || !is_number(to) || !isfinite(fp->from) ||
            !isfinite(fp->to) || fp->steps < 1 || fp->steps > SWEEP_MAX_RUNS)
            return BS_OK;
        p->lo = fp->from;
        p->hi = fp->to;
        p->n = (int)fp->steps;
    } else {
        p->kind = SWEEP_BOUNDS;
        snprintf(path, sizeof path, "%s.bounds", where);
        if (!(config_setting_is_array(bounds) || config_setting_is_list(bounds)) ||
            config_setting_length(bounds) != 2 || !is_number(config_setting_get_elem(bounds, 0)) ||
            !is_number(config_setting_get_elem(bounds, 1))) {
            config_check_error(c, path, "expected two numbers [low, high]");
            return BS_OK;
        }
        p->lo = number_of(config_setting_get_elem(bounds, 0));
        p->hi = number_of(config_setting_get_elem(bounds, 1));
        if (!(p->lo < p->hi)) {
            config_check_error(c, path, "the low bound must be below the high one");
            return BS_OK;
        }
    }
    if (p->log && !(p->lo > 0 && p->hi > 0)) {
        config_check_error(c, where, "a logarithmic scale needs values above 0");
        return BS_OK;
    }
    if (p->kind == SWEEP_RANGE) {
        p->values = calloc((size_t)p->n, sizeof *p->values);
        p->numbers = calloc((size_t)p->n, sizeof *p->numbers);
        if (!p->values || !p->numbers) {
            p->n = 0;
            return BS_ENOMEM;
        }
        for (int i = 0; i < p->n; i++) {
            char buf[64];
            double v = range_value(p, i);
            p->numbers[i] = p->integer ? (double)llround(v) : v;
            format_number(buf, sizeof buf, v, p->integer);
            if (!(p->values[i] = strdup(buf))) {
                p->n = i;
                return BS_ENOMEM;
            }
        }
    }
    return BS_OK;
}

/* The line of a setting, or 0. */
static int line_of(const check_ctx *c, const char *path)
{
    const config_setting_t *s = config_check_setting(c, path);
    return s ? (int)config_setting_source_line(s) : 0;
}

/* n strings of `size` bytes each as malloc'd copies; NULL if out of memory. */
static char **copy_strings(const char *v, int n, size_t size)
{
    char **out = calloc(n ? (size_t)n : 1, sizeof *out);
    for (int i = 0; out && i < n; i++)
        if (!(out[i] = strdup(v + (size_t)i * size))) {
            sweep_spec_free_set(i, out);
            return NULL;
        }
    return out;
}

static int read_collect(check_ctx *c, const sweep_file *f, sweep_spec *s)
{
    s->collect_line = line_of(c, "collect");
    if (!(s->collect = copy_strings(f->collect[0], f->n_collect, SWEEP_NAME_SIZE)))
        return BS_ENOMEM;
    s->n_collect = f->n_collect;
    for (int i = 0; i < s->n_collect; i++) {
        int bad = !plain_name(s->collect[i]);
        for (int k = 0; reserved_columns[k] && !bad; k++)
            bad = strcmp(s->collect[i], reserved_columns[k]) == 0;
        if (bad)
            config_check_error(c, "collect", "'%s' is not the name of a summary number",
                               s->collect[i]);
        for (int k = 0; k < i; k++)
            if (strcmp(s->collect[i], s->collect[k]) == 0)
                config_check_error(c, "collect", "'%s' is listed twice", s->collect[i]);
    }
    return BS_OK;
}

static int read_set(check_ctx *c, const sweep_file *f, sweep_spec *s)
{
    s->set_line = line_of(c, "set");
    if (!(s->set = copy_strings(f->set[0], f->n_set, SWEEP_SET_SIZE)))
        return BS_ENOMEM;
    s->n_set = f->n_set;
    if (f->output != OUTPUT_FULL) { /* the runs' level, as an override every run gets */
        char kv[64];
        snprintf(kv, sizeof kv, "scenario.output=\"%s\"", world_output_names[f->output]);
        char **more = realloc(s->set, (size_t)(s->n_set + 1) * sizeof *more);
        if (!more)
            return BS_ENOMEM;
        s->set = more;
        if (!(s->set[s->n_set] = strdup(kv)))
            return BS_ENOMEM;
        s->n_set++;
    }
    for (int i = 0; i < s->n_set; i++) {
        const char *eq = strchr(s->set[i], '=');
        if (!eq || eq == s->set[i])
            config_check_error(c, "set", "'%s': expected path=value", s->set[i]);
        else if (strncmp(s->set[i], "scenario.seed=", 14) == 0 ||
                 strncmp(s->set[i], "scenario.run=", 13) == 0)
            config_check_error(c, "set", "'%s': the sweep sets the seed and run of each run",
                               s->set[i]);
    }
    return BS_OK;
}

/* The base scenario: relative to the sweep file's folder; absolute if it
 * exists, so that workers elsewhere (MPI) find the same file. */
static int read_scenario(const sweep_file *f, sweep_spec *s)
{
    const char *sc = f->scenario;
    if (!sc[0])
        return BS_OK; /* missing or not a string: reported by the schema walk */
    size_t n = strlen(s->file) + strlen(sc) + 2;
    char *joined = malloc(n);
    if (!joined)
        return BS_ENOMEM;
    const char *slash = strrchr(s->file, '/');
    if (sc[0] == '/' || !slash)
        snprintf(joined, n, "%s", sc);
    else
        snprintf(joined, n, "%.*s/%s", (int)(slash - s->file), s->file, sc);
    char *real = realpath(joined, NULL);
    s->scenario = real ? real : joined;
    if (real)
        free(joined);
    return BS_OK;
}

/* The name: the file's own, else the file name up to its first dot. */
static int read_name(check_ctx *c, const sweep_file *f, sweep_spec *s)
{
    int given = config_check_setting(c, "name") != NULL;
    if (given && !plain_name(f->name)) {
        char shown[QUOTE_ROOM(64)];
        config_check_error(c, "name",
                           "'%s': use letters, digits, '_', '.' and '-', and not \".\" or \"..\" "
                           "(it names the output folder)",
                           quote_print(shown, sizeof shown, f->name));
    }
    if (given && plain_name(f->name)) {
        s->name = strdup(f->name);
    } else {
        const char *base = strrchr(s->file, '/');
        base = base ? base + 1 : s->file;
        size_t n = strcspn(base, ".");
        s->name = malloc(n + 1);
        if (s->name)
            snprintf(s->name, n + 1, "%.*s", (int)n, base);
        if (s->name && !plain_name(s->name)) {
            free(s->name);
            s->name = strdup("sweep");
        }
    }
    return s->name ? BS_OK : BS_ENOMEM;
}

/* The Saltelli design's rules: N >= 2, every parameter with bounds, at most
 * SWEEP_SALTELLI_MAX_PARAMS of them; `where` names what chose it. */
static void read_saltelli(check_ctx *c, sweep_spec *s, const char *where, const char *path)
{
    if (s->sample_points < 2)
        config_check_error(c, path, "%s: Sobol indices need at least 2 base samples, not %d",
                           where, s->sample_points);
    if (s->n_params > SWEEP_SALTELLI_MAX_PARAMS)
        config_check_error(c, "parameters",
                           "%s: a Saltelli design takes at most %d parameters (2k dimensions of "
                           "a Sobol sequence), not %d",
                           where, SWEEP_SALTELLI_MAX_PARAMS, s->n_params);
    if (s->n_params == 0)
        config_check_error(c, "parameters", "%s: no parameter to compute Sobol indices of", where);
    for (int j = 0; j < s->n_params; j++)
        if (s->params[j].kind != SWEEP_BOUNDS) {
            char at[64];
            snprintf(at, sizeof at, "parameters.[%d]", j);
            config_check_error(c, at,
                               "%s: Sobol indices need bounds = [low, high] for every parameter, "
                               "not a list or range",
                               where);
        }
}

static void read_sample(check_ctx *c, const sweep_file *f, sweep_spec *s, int n_bounds)
{
    const config_setting_t *g = config_check_setting(c, "sample");
    if (s->sobol_option) {
        s->method = SWEEP_SALTELLI;
        s->sample_points = s->sobol_option;
        read_saltelli(c, s, "--sobol", "parameters");
        return;
    }
    if (!g) {
        if (n_bounds)
            config_check_error(c, "sample",
                               "missing: parameters with bounds need sample = { method = \"lhs\"; "
                               "points = N; }");
        return;
    }
    if (!config_setting_is_group(g))
        return; /* reported by the schema walk */
    if (!n_bounds)
        config_check_error(c, "sample", "no parameter has bounds to sample");
    if (!config_check_setting(c, "sample.points"))
        config_check_error(c, "sample.points", "missing required setting");
    s->method = f->method == SWEEP_SOBOL || f->method == SWEEP_SALTELLI ? (enum sweep_method)f->method
                                                                         : SWEEP_LHS;
    s->sample_points = f->points >= 1 && f->points <= SWEEP_MAX_RUNS ? (int)f->points : 0;
    if (s->method == SWEEP_SALTELLI && config_check_setting(c, "sample.points"))
        read_saltelli(c, s, "sample.method = \"saltelli\"", "sample.points");
    if (s->method == SWEEP_SOBOL && n_bounds > SWEEP_SOBOL_MAX_DIM)
        config_check_error(c, "sample.method",
                           "a Sobol sequence has at most %d dimensions; %d "
                           "parameters have bounds",
                           SWEEP_SOBOL_MAX_DIM, n_bounds);
}

static int read_params(check_ctx *c, const sweep_file *f, sweep_spec *s)
{
    int n = f->n_params, n_bounds = 0;
    s->params = calloc(n ? (size_t)n : 1, sizeof *s->params);
    if (!s->params)
        return BS_ENOMEM;
    s->n_params = n;
    for (int j = 0; j < n; j++) {
        int st = read_param(c, &f->params[j], j, &s->params[j]);
        if (st != BS_OK)
            return st;
        n_bounds += s->params[j].kind == SWEEP_BOUNDS;
        for (int k = 0; k < j; k++)
            if (strcmp(s->params[j].path, s->params[k].path) == 0 &&
                strcmp(s->params[j].path, "?") != 0) {
                char where[64];
                snprintf(where, sizeof where, "parameters.[%d].path", j);
                config_check_error(c, where, "%s is varied twice (also parameters.[%d])",
                                   s->params[j].path, k);
            }
    }
    read_sample(c, f, s, n_bounds);
    for (int j = 0; j < n; j++) /* the index has a column for each */
        for (int k = 0; k < s->n_collect; k++)
            if (strcmp(s->params[j].path, s->collect[k]) == 0)
                config_check_error(c, "collect", "'%s' is also a parameter's path",
                                   s->collect[k]);
    return BS_OK;
}

/* The sweep file's rules, after the schema walk: what spans settings, then
 * (when there is no error) the expansion into points. */
static int sweep_rules(void *dst, check_ctx *c, void *arg)
{
    const sweep_file *f = dst;
    sweep_spec *s = arg;
    int st = read_name(c, f, s);
    if (st == BS_OK)
        st = read_scenario(f, s);
    if (st == BS_OK)
        st = read_set(c, f, s);
    s->seed = (uint64_t)f->seed;
    s->replications = f->replications >= 1 && f->replications <= SWEEP_MAX_RUNS
                          ? (int)f->replications
                          : 1;
    s->common_seeds = f->common_random_numbers;
    if (st == BS_OK)
        st = read_collect(c, f, s);
    if (st == BS_OK)
        st = read_params(c, f, s);
    if (st == BS_OK && config_check_count(c) == 0)
        st = expand(c, s);
    return st == BS_EINPUT ? BS_OK : st; /* BS_EINPUT: reported */
}

/* The whole text of a file (malloc'd), or NULL. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    char chunk[8192];
    size_t k;
    while (mem && (k = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, k, mem);
    int bad = ferror(f);
    fclose(f);
    if (!mem || fclose(mem) != 0 || bad) {
        free(buf);
        return NULL;
    }
    return buf;
}

int sweep_spec_load(const char *file, sweep_spec **out, char **errors)
{
    return sweep_spec_load_sobol(file, 0, out, errors);
}

int sweep_spec_load_sobol(const char *file, int sobol_n, sweep_spec **out, char **errors)
{
    *out = NULL;
    *errors = NULL;
    sweep_spec *s = calloc(1, sizeof *s);
    sweep_file *f = malloc(sizeof *f);
    if (!s || !f || !(s->file = strdup(file))) {
        free(s);
        free(f);
        return bs_nomem("loading %s (sweep)", file);
    }
    s->sobol_option = sobol_n;
    int st = config_load_file(&sweep_schema, file, f, sweep_rules, s, errors);
    free(f);
    if (st == BS_OK && !(s->text = slurp(file))) {
        int err = errno ? errno : EIO;
        st = bs_fail(BS_EINPUT, "%s: cannot read the sweep file: %s", file, strerror(err));
    }
    if (st == BS_OK) {
        *out = s;
        return BS_OK;
    }
    sweep_spec_free(s);
    return st;
}

void sweep_spec_free_set(int n, char **set)
{
    if (!set)
        return;
    for (int i = 0; i < n; i++)
        free(set[i]);
    free(set);
}

void sweep_spec_free(sweep_spec *s)
{
    if (!s)
        return;
    for (int j = 0; j < s->n_params; j++) {
        sweep_param *p = &s->params[j];
        free(p->path);
        sweep_spec_free_set(p->n, p->values);
        free(p->numbers);
    }
    free(s->params);
    if (s->point_text)
        sweep_spec_free_set(s->n_points * s->n_params, s->point_text);
    free(s->point_number);
    sweep_spec_free_set(s->n_set, s->set);
    sweep_spec_free_set(s->n_collect, s->collect);
    free(s->file);
    free(s->text);
    free(s->name);
    free(s->scenario);
    free(s);
}

sweep_run_id sweep_spec_run(const sweep_spec *s, int k)
{
    sweep_run_id id;
    id.point = k / s->replications;
    id.replication = k % s->replications;
    uint64_t from = s->common_seeds ? (uint64_t)id.replication : (uint64_t)k;
    id.seed = (uint32_t)(rng_seed_of(s->seed, from, "sweep") & 0xffffffffu);
    id.run = (uint32_t)id.replication;
    return id;
}

int sweep_spec_overrides(const sweep_spec *s, int k, int with_seed, char ***set)
{
    sweep_run_id id = sweep_spec_run(s, k);
    int n = s->n_set + s->n_params + (with_seed ? 2 : 0);
    char **v = calloc((size_t)n + 1, sizeof *v);
    if (!v)
        return -1;
    int m = 0, ok = 1;
    for (int i = 0; i < s->n_set && ok; i++)
        ok = (v[m++] = strdup(s->set[i])) != NULL;
    for (int j = 0; j < s->n_params && ok; j++) {
        const char *val = s->point_text[(size_t)id.point * (size_t)s->n_params + (size_t)j];
        size_t len = strlen(s->params[j].path) + strlen(val) + 2;
        if ((v[m] = malloc(len)) != NULL)
            snprintf(v[m], len, "%s=%s", s->params[j].path, val);
        ok = v[m++] != NULL;
    }
    if (with_seed && ok) {
        char buf[64];
        snprintf(buf, sizeof buf, "scenario.seed=%lu", (unsigned long)id.seed);
        ok = (v[m++] = strdup(buf)) != NULL;
        snprintf(buf, sizeof buf, "scenario.run=%lu", (unsigned long)id.run);
        ok = ok && (v[m++] = strdup(buf)) != NULL;
    }
    if (!ok) {
        sweep_spec_free_set(m, v);
        return -1;
    }
    *set = v;
    return n;
}

void sweep_spec_label(const sweep_spec *s, int point, int j, char *buf, size_t size)
{
    const char *v = s->point_text[(size_t)point * (size_t)s->n_params + (size_t)j];
    size_t n = strlen(v);
    if (n < 2 || v[0] != '"') {
        snprintf(buf, size, "%s", v);
        return;
    }
    static const char escaped[] = "\"\\nrtf", plain[] = "\"\\\n\r\t\f";
    size_t o = 0;
    for (size_t i = 1; i + 1 < n && o + 1 < size; i++) {
        const char *esc = v[i] == '\\' ? strchr(escaped, v[i + 1]) : NULL;
        if (esc && v[i + 1]) {
            buf[o++] = plain[esc - escaped];
            i++;
        } else
            buf[o++] = v[i];
    }
    buf[o] = '\0';
}
