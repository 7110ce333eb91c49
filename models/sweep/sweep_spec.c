/* sweep_spec: reading a sweep file and expanding it into parameter points
 * and runs (see sweep_spec.h for the file and the rules).
 *
 * Every error in the file is collected, not just the first, each as
 * "file:line: path: message" like the scenario loader's (config.h), where
 * path is the setting's place in the sweep file ("parameters.[1].steps").
 */
#include "sweep/sweep_spec.h"

#include "base/name.h"
#include "base/quote.h"
#include "base/rng.h"
#include "config/schema.h"
#include "base/status.h"
#include "sweep/sweep_job.h"
#include "sweep/sweep_sample.h"

#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Errors collected while reading. */
typedef struct errs {
    const char *file;
    FILE *f;
    char *buf;
    size_t len;
    int n;
} errs;

static void err_at(errs *e, const config_setting_t *s, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void err_at(errs *e, const config_setting_t *s, const char *path, const char *fmt, ...)
{
    int line = s ? (int)config_setting_source_line(s) : 0;
    const char *file = s && config_setting_source_file(s) ? config_setting_source_file(s) : e->file;
    if (line > 0)
        fprintf(e->f, "%s:%d: ", file, line);
    else
        fprintf(e->f, "%s: ", file);
    if (path)
        fprintf(e->f, "%s: ", path);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(e->f, fmt, ap);
    va_end(ap);
    fputc('\n', e->f);
    e->n++;
}

/* Whether every key of group g is one of `allowed` (NULL-terminated);
 * reports the others. */
static void check_keys(errs *e, const config_setting_t *g, const char *where,
                       const char *const *allowed)
{
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(s);
        int ok = 0;
        for (int k = 0; allowed[k] && !ok; k++)
            ok = strcmp(name, allowed[k]) == 0;
        if (ok)
            continue;
        char list[512] = "";
        for (int k = 0; allowed[k]; k++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "",
                     allowed[k]);
        char path[300];
        snprintf(path, sizeof path, "%s%s%s", where, where[0] ? "." : "", name);
        err_at(e, s, path, "unknown setting (a sweep%s has: %s)", where[0] ? " parameter" : "",
               list);
    }
}

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

/* An integer setting in [lo, hi]; `def` if absent.  Reports errors. */
static long long get_count(errs *e, const config_setting_t *g, const char *key, const char *path,
                           long long def, long long lo, long long hi)
{
    const config_setting_t *s = config_setting_get_member(g, key);
    if (!s)
        return def;
    int t = config_setting_type(s);
    if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
        err_at(e, s, path, "expected an integer");
        return def;
    }
    long long v = config_setting_get_int64(s);
    if (v < lo || v > hi) {
        err_at(e, s, path, "%lld is out of range %lld..%lld", v, lo, hi);
        return def;
    }
    return v;
}

/* A string setting (NULL if absent or wrong, reported when `required`). */
static const char *get_string(errs *e, const config_setting_t *g, const char *key, const char *path,
                              int required)
{
    const config_setting_t *s = config_setting_get_member(g, key);
    if (!s) {
        if (required)
            err_at(e, g, path, "missing");
        return NULL;
    }
    if (config_setting_type(s) != CONFIG_TYPE_STRING) {
        err_at(e, s, path, "expected a string in quotes");
        return NULL;
    }
    return config_setting_get_string(s);
}

/* The strings of an array or list setting into *out (malloc'd); count, or
 * -1 after reporting. */
static int get_strings(errs *e, const config_setting_t *s, const char *path, char ***out)
{
    *out = NULL;
    if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
        err_at(e, s, path, "expected a list of strings, like [\"a\", \"b\"]");
        return -1;
    }
    int n = config_setting_length(s);
    char **v = calloc(n ? (size_t)n : 1, sizeof *v);
    if (!v)
        return -1;
    for (int i = 0; i < n; i++) {
        const config_setting_t *el = config_setting_get_elem(s, (unsigned)i);
        if (config_setting_type(el) != CONFIG_TYPE_STRING) {
            err_at(e, el, path, "element %d is not a string", i);
            sweep_spec_free_set(i, v);
            return -1;
        }
        if (!(v[i] = strdup(config_setting_get_string(el)))) {
            sweep_spec_free_set(i, v);
            return -1;
        }
    }
    *out = v;
    return n;
}

/* A name fit for a file name and an HDF5 column: letters, digits, _ . - */
/* A parameter path's longest (it is a column of the sweep's tables). */
#define SWEEP_MAX_PATH 127

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

/* The n values of a range on its scale. */
static double range_value(const sweep_param *p, int i)
{
    if (p->n == 1)
        return p->lo;
    double t = (double)i / (p->n - 1);
    if (p->log)
        return exp(log(p->lo) + t * (log(p->hi) - log(p->lo)));
    return p->lo + t * (p->hi - p->lo);
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

static const char *const param_keys[] = {"path",  "values", "from",   "to",
                                         "steps", "scale",  "bounds", NULL};

/* Read parameter j (group g) into *p. */
static void read_param(errs *e, const config_setting_t *g, int j, sweep_param *p)
{
    char where[64], path[128];
    snprintf(where, sizeof where, "parameters.[%d]", j);
    p->line = (int)config_setting_source_line(g);
    if (!config_setting_is_group(g)) {
        err_at(e, g, where, "expected a group { path = \"...\"; values = [...]; }");
        return;
    }
    check_keys(e, g, where, param_keys);
    snprintf(path, sizeof path, "%s.path", where);
    const char *pp = get_string(e, g, "path", path, 1);
    char why[160];
    if (pp && name_check(pp, SWEEP_MAX_PATH, 0, why, sizeof why) != 0) {
        err_at(e, config_setting_get_member(g, "path"), path, "the parameter path %s", why);
        pp = NULL;
    } else if (pp && (!pp[0] || strpbrk(pp, "= \t\n"))) {
        err_at(e, config_setting_get_member(g, "path"), path,
               "'%s' is not a parameter path (like population.retry)", pp);
        pp = NULL;
    } else if (pp && (strcmp(pp, "scenario.seed") == 0 || strcmp(pp, "scenario.run") == 0)) {
        err_at(e, config_setting_get_member(g, "path"), path,
               "%s is set by the sweep for each run (from its seed and replications)", pp);
        pp = NULL;
    }
    p->path = strdup(pp ? pp : "?");
    const schema_entry *se = pp ? schema_of(pp) : NULL;
    p->integer = se && se->type == PT_INT;
    const config_setting_t *values = config_setting_get_member(g, "values"),
                           *from = config_setting_get_member(g, "from"),
                           *bounds = config_setting_get_member(g, "bounds"),
                           *scale = config_setting_get_member(g, "scale");
    int kinds = !!values + !!from + !!bounds;
    if (kinds != 1) {
        err_at(e, g, where,
               kinds ? "give only one of values, from/to/steps and bounds"
                     : "no values: give values = [...], from/to/steps, or bounds");
        return;
    }
    if (scale) {
        const char *sc = config_setting_type(scale) == CONFIG_TYPE_STRING
                             ? config_setting_get_string(scale)
                             : "";
        snprintf(path, sizeof path, "%s.scale", where);
        if (values)
            err_at(e, scale, path, "a list of values has no scale");
        else if (strcmp(sc, "log") == 0)
            p->log = 1;
        else if (strcmp(sc, "linear") != 0)
            err_at(e, scale, path, "expected \"linear\" or \"log\"");
    }
    if (values) {
        p->kind = SWEEP_VALUES;
        snprintf(path, sizeof path, "%s.values", where);
        int n = config_setting_is_array(values) || config_setting_is_list(values)
                    ? config_setting_length(values)
                    : -1;
        if (n < 1) {
            err_at(e, values, path,
                   n ? "expected a list of values, like [0.1, 0.2]" : "the list is empty");
            return;
        }
        p->values = calloc((size_t)n, sizeof *p->values);
        p->numbers = calloc((size_t)n, sizeof *p->numbers);
        if (!p->values || !p->numbers)
            return;
        p->n = n;
        for (int i = 0; i < n; i++) {
            const config_setting_t *el = config_setting_get_elem(values, (unsigned)i);
            p->values[i] = scalar_text(el, &p->text, &p->numbers[i]);
            if (!p->values[i])
                err_at(e, el, path, "element %d is not a number, string or boolean", i);
        }
        return;
    }
    if (se && se->type != PT_INT && se->type != PT_REAL)
        err_at(e, g, where,
               "%s is of type %s: ranges and bounds need an int or real parameter; give its "
               "values as a list",
               pp, schema_ptype_names[se->type]);
    if (from) {
        p->kind = SWEEP_RANGE;
        const config_setting_t *to = config_setting_get_member(g, "to");
        snprintf(path, sizeof path, "%s.to", where);
        if (!to)
            err_at(e, g, path, "missing (a range needs from, to and steps)");
        snprintf(path, sizeof path, "%s.steps", where);
        int steps = (int)get_count(e, g, "steps", path, 0, 1, SWEEP_MAX_RUNS);
        if (!config_setting_get_member(g, "steps"))
            err_at(e, g, path, "missing (a range needs from, to and steps)");
        if (!is_number(from) || (to && !is_number(to))) {
            snprintf(path, sizeof path, "%s.%s", where, is_number(from) ? "to" : "from");
            err_at(e, is_number(from) ? to : from, path, "expected a number");
            return;
        }
        if (!to || steps < 1)
            return;
        p->lo = number_of(from);
        p->hi = number_of(to);
        p->n = steps;
    } else {
        p->kind = SWEEP_BOUNDS;
        snprintf(path, sizeof path, "%s.bounds", where);
        if (!(config_setting_is_array(bounds) || config_setting_is_list(bounds)) ||
            config_setting_length(bounds) != 2 || !is_number(config_setting_get_elem(bounds, 0)) ||
            !is_number(config_setting_get_elem(bounds, 1))) {
            err_at(e, bounds, path, "expected two numbers [low, high]");
            return;
        }
        p->lo = number_of(config_setting_get_elem(bounds, 0));
        p->hi = number_of(config_setting_get_elem(bounds, 1));
        if (!(p->lo < p->hi)) {
            err_at(e, bounds, path, "the low bound must be below the high one");
            return;
        }
    }
    if (p->log && !(p->lo > 0 && p->hi > 0)) {
        err_at(e, g, where, "a logarithmic scale needs values above 0");
        return;
    }
    if (p->kind == SWEEP_RANGE) {
        p->values = calloc((size_t)p->n, sizeof *p->values);
        p->numbers = calloc((size_t)p->n, sizeof *p->numbers);
        if (!p->values || !p->numbers) {
            p->n = 0;
            return;
        }
        for (int i = 0; i < p->n; i++) {
            char buf[64];
            double v = range_value(p, i);
            p->numbers[i] = p->integer ? (double)llround(v) : v;
            format_number(buf, sizeof buf, v, p->integer);
            p->values[i] = strdup(buf);
        }
    }
}

static const char *const top_keys[] = {
    "name",    "description", "scenario", "set", "seed", "replications", "common_random_numbers",
    "collect", "parameters",  "sample",   NULL};

/* Fixed columns of the sweep index, which collected names must not take. */
static const char *const reserved_columns[] = {
    "k",    "point",       "replication", "seed", "run", "status", "error", "wall_seconds",
    "host", "config_hash", "file",        "n",    NULL};

static void read_collect(errs *e, const config_setting_t *root, sweep_spec *s)
{
    const config_setting_t *c = config_setting_get_member(root, "collect");
    if (!c) {
        err_at(e, NULL, "collect",
               "missing: the /summary numbers to collect, like [\"final_vpn_share\"] "
               "(blockshift info RESULT.h5 lists them)");
        return;
    }
    s->collect_line = (int)config_setting_source_line(c);
    s->n_collect = get_strings(e, c, "collect", &s->collect);
    if (s->n_collect == 0)
        err_at(e, c, "collect", "the list is empty");
    if (s->n_collect > SWEEP_MAX_COLLECT)
        err_at(e, c, "collect", "%d numbers; at most %d can be collected", s->n_collect,
               SWEEP_MAX_COLLECT);
    for (int i = 0; i < s->n_collect; i++) {
        int bad = !plain_name(s->collect[i]);
        for (int k = 0; reserved_columns[k] && !bad; k++)
            bad = strcmp(s->collect[i], reserved_columns[k]) == 0;
        char shown[QUOTE_ROOM(64)];
        if (bad)
            err_at(e, c, "collect", "'%s' is not the name of a summary number",
                   quote_print(shown, sizeof shown, s->collect[i]));
        for (int k = 0; k < i; k++)
            if (strcmp(s->collect[i], s->collect[k]) == 0)
                err_at(e, c, "collect", "'%s' is listed twice", s->collect[i]);
    }
}

static void read_set(errs *e, const config_setting_t *root, sweep_spec *s)
{
    const config_setting_t *c = config_setting_get_member(root, "set");
    if (!c)
        return;
    s->set_line = (int)config_setting_source_line(c);
    s->n_set = get_strings(e, c, "set", &s->set);
    for (int i = 0; i < s->n_set; i++) {
        const char *eq = strchr(s->set[i], '=');
        if (!eq || eq == s->set[i])
            err_at(e, c, "set", "'%s': expected path=value", s->set[i]);
        else if (strncmp(s->set[i], "scenario.seed=", 14) == 0 ||
                 strncmp(s->set[i], "scenario.run=", 13) == 0)
            err_at(e, c, "set", "'%s': the sweep sets the seed and run of each run", s->set[i]);
    }
    if (s->n_set < 0)
        s->n_set = 0;
}

/* The base scenario: relative to the sweep file's folder; absolute if it
 * exists, so that workers elsewhere (MPI) find the same file. */
static void read_scenario(errs *e, const config_setting_t *root, sweep_spec *s)
{
    const char *sc = get_string(e, root, "scenario", "scenario", 0);
    if (!sc) {
        if (!config_setting_get_member(root, "scenario"))
            err_at(e, NULL, "scenario", "missing: the base scenario file");
        return;
    }
    size_t n = strlen(s->file) + strlen(sc) + 2;
    char *joined = malloc(n);
    if (!joined)
        return;
    const char *slash = strrchr(s->file, '/');
    if (sc[0] == '/' || !slash)
        snprintf(joined, n, "%s", sc);
    else
        snprintf(joined, n, "%.*s/%s", (int)(slash - s->file), s->file, sc);
    char *real = realpath(joined, NULL);
    s->scenario = real ? real : joined;
    if (real)
        free(joined);
}

static void read_sample(errs *e, const config_setting_t *root, sweep_spec *s, int n_bounds)
{
    const config_setting_t *g = config_setting_get_member(root, "sample");
    if (!g) {
        if (n_bounds)
            err_at(e, NULL, "sample",
                   "missing: parameters with bounds need sample = { method = \"lhs\"; "
                   "points = N; }");
        return;
    }
    if (!config_setting_is_group(g)) {
        err_at(e, g, "sample", "expected a group { method = \"lhs\"; points = N; }");
        return;
    }
    static const char *const keys[] = {"method", "points", NULL};
    check_keys(e, g, "sample", keys);
    if (!n_bounds)
        err_at(e, g, "sample", "no parameter has bounds to sample");
    const char *m = get_string(e, g, "method", "sample.method", 1);
    if (m && strcmp(m, "sobol") == 0)
        s->method = SWEEP_SOBOL;
    else if (m && strcmp(m, "lhs") != 0)
        err_at(e, config_setting_get_member(g, "method"), "sample.method",
               "expected \"lhs\" (Latin hypercube) or \"sobol\"");
    if (!config_setting_get_member(g, "points"))
        err_at(e, g, "sample.points", "missing");
    s->sample_points = (int)get_count(e, g, "points", "sample.points", 0, 1, SWEEP_MAX_RUNS);
    if (s->method == SWEEP_SOBOL && n_bounds > SWEEP_SOBOL_MAX_DIM)
        err_at(e, g, "sample.method",
               "a Sobol sequence has at most %d dimensions; %d "
               "parameters have bounds",
               SWEEP_SOBOL_MAX_DIM, n_bounds);
}

/* Every grid point with every sample point into point_text/point_number. */
static int expand(errs *e, sweep_spec *s)
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
    long long design = n_bounds ? s->sample_points : 1;
    long long points = grid * design;
    if (grid > SWEEP_MAX_RUNS || points > SWEEP_MAX_RUNS ||
        points * s->replications > SWEEP_MAX_RUNS) {
        err_at(e, NULL, NULL, "the sweep has more than %d runs", SWEEP_MAX_RUNS);
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
    int st = n_bounds ? sweep_sample(s->method, (int)design, n_bounds, s->seed, u) : BS_OK;
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

static void read_top(errs *e, const config_setting_t *root, sweep_spec *s)
{
    check_keys(e, root, "", top_keys);
    const char *name = get_string(e, root, "name", "name", 0);
    if (name && !plain_name(name)) {
        char shown[QUOTE_ROOM(64)];
        err_at(e, config_setting_get_member(root, "name"), "name",
               "'%s': use letters, digits, '_', '.' and '-', and not \".\" or \"..\" (it names "
               "the output folder)", quote_print(shown, sizeof shown, name));
    }
    if (!name || !plain_name(name)) {
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
    } else
        s->name = strdup(name);
    get_string(e, root, "description", "description", 0);
    read_scenario(e, root, s);
    read_set(e, root, s);
    s->seed = (uint64_t)get_count(e, root, "seed", "seed", 1, 0, 4294967295LL);
    s->replications = (int)get_count(e, root, "replications", "replications", 1, 1, SWEEP_MAX_RUNS);
    const config_setting_t *crn = config_setting_get_member(root, "common_random_numbers");
    if (crn && config_setting_type(crn) != CONFIG_TYPE_BOOL)
        err_at(e, crn, "common_random_numbers", "expected true or false");
    else if (crn)
        s->common_seeds = config_setting_get_bool(crn);
    read_collect(e, root, s);
}

static void read_params(errs *e, const config_setting_t *root, sweep_spec *s)
{
    const config_setting_t *ps = config_setting_get_member(root, "parameters");
    int n_bounds = 0;
    if (ps && !config_setting_is_list(ps) &&
        !(config_setting_is_array(ps) && config_setting_length(ps) == 0)) {
        err_at(e, ps, "parameters", "expected a list of groups ( { path = ...; }, ... )");
        ps = NULL;
    }
    int n = ps ? config_setting_length(ps) : 0;
    s->params = calloc(n ? (size_t)n : 1, sizeof *s->params);
    if (!s->params)
        return;
    s->n_params = n;
    for (int j = 0; j < n; j++) {
        read_param(e, config_setting_get_elem(ps, (unsigned)j), j, &s->params[j]);
        n_bounds += s->params[j].kind == SWEEP_BOUNDS;
        for (int k = 0; k < j; k++)
            if (strcmp(s->params[j].path, s->params[k].path) == 0 &&
                strcmp(s->params[j].path, "?") != 0) {
                char where[64];
                snprintf(where, sizeof where, "parameters.[%d].path", j);
                err_at(e, config_setting_get_elem(ps, (unsigned)j), where,
                       "%s is varied twice (also parameters.[%d])", s->params[j].path, k);
            }
    }
    read_sample(e, root, s, n_bounds);
    for (int j = 0; j < n; j++) /* the index has a column for each */
        for (int c = 0; c < s->n_collect; c++)
            if (strcmp(s->params[j].path, s->collect[c]) == 0)
                err_at(e, config_setting_get_member(root, "collect"), "collect",
                       "'%s' is also a parameter's path", s->collect[c]);
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
    *out = NULL;
    *errors = NULL;
    errs e = {file, NULL, NULL, 0, 0};
    sweep_spec *s = calloc(1, sizeof *s);
    if (!s || !(e.f = open_memstream(&e.buf, &e.len))) {
        free(s);
        return bs_fail(BS_ENOMEM, "sweep: out of memory");
    }
    s->file = strdup(file);
    config_t cfg;
    config_init(&cfg);
    int st = BS_OK;
    if (!s->file)
        st = BS_ENOMEM;
    else if (!(s->text = slurp(file))) {
        err_at(&e, NULL, NULL, "cannot read the sweep file: %s", strerror(errno ? errno : EIO));
    } else {
        char *dir = strdup(file), *slash = dir ? strrchr(dir, '/') : NULL;
        if (slash)
            *slash = '\0';
        config_set_include_dir(&cfg, slash ? dir : ".");
        if (config_read_string(&cfg, s->text) != CONFIG_TRUE) {
            const char *f = config_error_file(&cfg) ? config_error_file(&cfg) : file;
            fprintf(e.f, "%s:%d: %s\n", f, config_error_line(&cfg), config_error_text(&cfg));
            e.n++;
        } else {
            const config_setting_t *root = config_root_setting(&cfg);
            read_top(&e, root, s);
            read_params(&e, root, s);
        }
        free(dir);
    }
    if (st == BS_OK && e.n == 0)
        st = expand(&e, s);
    config_destroy(&cfg);
    if (fclose(e.f) != 0 && st == BS_OK)
        st = BS_ENOMEM;
    if (st == BS_OK && e.n == 0) {
        free(e.buf);
        *out = s;
        return BS_OK;
    }
    sweep_spec_free(s);
    if (st == BS_ENOMEM) {
        free(e.buf);
        return bs_fail(BS_ENOMEM, "sweep: out of memory reading %s", file);
    }
    *errors = e.buf;
    return bs_fail(BS_EINPUT, "%d error%s in %s", e.n, e.n == 1 ? "" : "s", file);
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
