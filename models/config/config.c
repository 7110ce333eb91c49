/* config: load and check a configuration, driven by a schema: a scenario
 * (schema_table), or any other kind of file with a table of its own (sweep
 * files, paper manifests; config_load_file).
 *
 * Loading is a pipeline over one libconfig tree:
 *
 *   check every @include target is a readable file (libconfig 1.5 exits
 *      the process on a directory)                          (config_read.c)
 *   -> read (libconfig, @include relative to the scenario file's folder)
 *   -> scan the source text for integers libconfig 1.5 silently wraps
 *                                                           (config_read.c)
 *   -> apply the --set overrides to the tree                 (config_set.c)
 *   -> walk the tree against the schema: unknown keys, types, units, ranges,
 *      defaults, into a zeroed `world` (or the kind's own struct)
 *   -> config_resolve(): derived fields and cross-field rules (for other
 *      kinds, their own rules).
 *
 * Every stage records its errors and the next one still runs, so that a user
 * sees all the problems of a file at once.  An error names where it comes
 * from: "file:line" of the setting (or of its enclosing group when the
 * setting is missing), or "--set ARG" for a value given on the command line.
 *
 * The schema as a tree: config_tree.c; units and dates: config_units.c;
 * config_dump() and config_params(): config_dump.c and config_params.c.
 */
#include "config/config_internal.h"

#include "base/name.h"
#include "base/status.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------- load context */

/* Where a setting is: "file:line", "--set ARG", or the top file when nothing
 * nearer is known (the root has no line). */
void config_location(const check_ctx *c, const config_setting_t *s, sbuf *out)
{
    if (s && s->config != &c->cfg) {
        config_sb_printf(out, "schema default");
        return;
    }
    for (const config_setting_t *p = s; p; p = config_setting_parent(p)) {
        const mark *m = config_setting_get_hook(p);
        if (m && m->kind == MARK_OVERRIDE) {
            config_sb_printf(out, "--set %s", m->text);
            return;
        }
        if (config_setting_source_line(p) > 0) {
            char f[4096];
            config_display_file(c, config_setting_source_file(p), f, sizeof f);
            config_sb_printf(out, "%s:%u", f, config_setting_source_line(p));
            return;
        }
    }
    config_sb_printf(out, "%s", c->top);
}

/* Append one error line: "LOCATION: PATH: MESSAGE", with control characters
 * from user input escaped so that it stays one line. */
void config_add_line(check_ctx *c, const char *loc, const char *path, const char *msg)
{
    sbuf line = {0};
    config_sb_printf(&line, "%s: ", loc);
    if (path && *path)
        config_sb_printf(&line, "%s: ", path);
    config_sb_printf(&line, "%s", msg);
    const char *p = config_sb_str(&line);
    while (*p) {
        size_t run = 0; /* printable bytes, copied in one go */
        while (p[run] && !((unsigned char)p[run] < 0x20 || p[run] == 0x7f))
            run++;
        config_sb_printf(&c->err, "%.*s", (int)run, p);
        p += run;
        if (*p == '\n')
            config_sb_printf(&c->err, "\\n");
        else if (*p)
            config_sb_printf(&c->err, "\\x%02x", (unsigned char)*p);
        p += *p != '\0';
    }
    config_sb_printf(&c->err, "\n");
    c->err.oom |= line.oom;
    c->n_err++;
    config_sb_free(&line);
}

static void verror_at(check_ctx *c, const config_setting_t *at, const char *path, const char *fmt,
                      va_list ap)
{
    sbuf loc = {0}, msg = {0};
    if (path && *path && !c->resolving) {
        config_sb_printf(&c->tainted, "%s", path);
        config_sb_printf(&c->tainted, "%c", '\0'); /* the separator */
    }
    config_location(c, at, &loc);
    config_sb_vprintf(&msg, fmt, ap);
    config_add_line(c, config_sb_str(&loc), path, config_sb_str(&msg));
    c->err.oom |= loc.oom | msg.oom;
    config_sb_free(&loc);
    config_sb_free(&msg);
}

static void error_at(check_ctx *c, const config_setting_t *at, const char *path, const char *fmt,
                     ...) __attribute__((format(printf, 4, 5)));
static void error_at(check_ctx *c, const config_setting_t *at, const char *path, const char *fmt,
                     ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror_at(c, at, path, fmt, ap);
    va_end(ap);
}

/* How a value looks, for "expected X, got Y". */
void config_describe(const config_setting_t *s, sbuf *out)
{
    char num[40];
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
        config_sb_printf(out, "the integer %d", config_setting_get_int(s));
        break;
    case CONFIG_TYPE_INT64:
        config_sb_printf(out, "the integer %lld", config_setting_get_int64(s));
        break;
    case CONFIG_TYPE_FLOAT:
        config_fmt_num(num, sizeof num, config_setting_get_float(s));
        config_sb_printf(out, "the number %s", num);
        break;
    case CONFIG_TYPE_BOOL:
        config_sb_printf(out, "%s", config_setting_get_bool(s) ? "true" : "false");
        break;
    case CONFIG_TYPE_STRING:
        config_sb_printf(out, "the string ");
        config_sb_quote_short(out, config_setting_get_string(s));
        break;
    case CONFIG_TYPE_GROUP:
        config_sb_printf(out, "a group { ... }");
        break;
    case CONFIG_TYPE_LIST:
        config_sb_printf(out, "a list ( ... )");
        break;
    case CONFIG_TYPE_ARRAY:
        config_sb_printf(out, "an array [ ... ]");
        break;
    default:
        config_sb_printf(out, "nothing");
        break;
    }
}

static void error_type(check_ctx *c, const config_setting_t *s, const char *path,
                       const char *expected)
{
    sbuf got = {0};
    config_describe(s, &got);
    error_at(c, s, path, "expected %s, got %s", expected, config_sb_str(&got));
    config_sb_free(&got);
}

/* ------------------------------------------------- values in libconfig text */

/* Parse `text` as the value of one libconfig setting into a fresh config.
 * Returns its setting, or NULL when it does not parse (or holds more than one
 * value, as "1; x = 2" would; errno 0) or memory ran out (errno ENOMEM). */
config_setting_t *config_parse_value(config_t *tmp, const char *text)
{
    config_init(tmp);
    errno = 0;
    if (strchr(text, '\n')) /* keeps @include (start of a line only) out */
        return NULL;
    size_t n = strlen(text) + 16;
    char *src = malloc(n);
    if (!src) {
        errno = ENOMEM;
        return NULL;
    }
    snprintf(src, n, "v = %s;", text);
    int ok = config_read_string(tmp, src);
    free(src);
    if (ok != CONFIG_TRUE || config_setting_length(config_root_setting(tmp)) != 1) {
        errno = 0; /* libconfig's parser says nothing of memory: taken as not parsing */
        return NULL;
    }
    return config_setting_get_member(config_root_setting(tmp), "v");
}

/* The parsed default of a node, cached; NULL if it does not parse (a schema
 * bug, reported by the caller) or memory ran out (c->err.oom set). */
static const config_setting_t *default_of(check_ctx *c, int k)
{
    if (!c->defs[k]) {
        c->defs[k] = malloc(sizeof(config_t));
        if (!c->defs[k]) {
            c->err.oom = 1;
            return NULL;
        }
        if (!config_parse_value(c->defs[k], c->t.n[k].e->def)) {
            c->err.oom |= errno == ENOMEM;
            config_destroy(c->defs[k]);
            config_init(c->defs[k]); /* keep it valid for the final destroy */
            return NULL;
        }
    }
    return config_setting_get_member(config_root_setting(c->defs[k]), "v");
}

/* ------------------------------------------------------ values into the world */

/* Results of converting one value. */
enum conv { CONV_OK, CONV_RANGE /* stored, but out of range */, CONV_BAD /* not stored */ };

static int in_range(const schema_entry *e, double v)
{
    return (e->min == 0 && e->max == 0) || (v >= e->min && v <= e->max);
}

static enum conv range_error(const schema_entry *e, const char *shown, sbuf *msg)
{
    char r[96];
    config_range_text(e, r, sizeof r);
    config_sb_printf(msg, "%s is out of range %s%s%s", shown, r, e->unit[0] ? " " : "", e->unit);
    return CONV_RANGE;
}

/* "expected WHAT, got ..." for a value of the wrong type: not stored. */
static enum conv conv_expected(const config_setting_t *s, const char *what, sbuf *msg)
{
    config_sb_printf(msg, "expected %s, got ", what);
    config_describe(s, msg);
    return CONV_BAD;
}

/* A libconfig number as a double; 0 if it is not one. */
static int get_number(const config_setting_t *s, double *x)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
        *x = config_setting_get_int(s);
        return 1;
    case CONFIG_TYPE_INT64:
        *x = (double)config_setting_get_int64(s);
        return 1;
    case CONFIG_TYPE_FLOAT:
        *x = config_setting_get_float(s);
        return 1;
    default:
        return 0;
    }
}

static enum conv conv_int(const schema_entry *e, const config_setting_t *s, void *dst, sbuf *msg)
{
    int type = config_setting_type(s);
    if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
        return conv_expected(s, "an integer", msg);
    int64_t v = config_setting_get_int64(s);
    memcpy(dst, &v, sizeof v);
    char shown[32];
    snprintf(shown, sizeof shown, "%lld", (long long)v);
    return in_range(e, (double)v) ? CONV_OK : range_error(e, shown, msg);
}

static enum conv conv_real(const schema_entry *e, const config_setting_t *s, void *dst, sbuf *msg)
{
    double v;
    if (!get_number(s, &v)) {
        conv_expected(s, "a number", msg);
        if (config_setting_type(s) == CONFIG_TYPE_STRING &&
            config_number_len(config_setting_get_string(s)) == strlen(config_setting_get_string(s)))
            config_sb_printf(msg, " (write numbers without quotes)");
        return CONV_BAD;
    }
    if (!isfinite(v)) {
        config_sb_printf(msg, "%g is not a finite number", v);
        return CONV_BAD;
    }
    memcpy(dst, &v, sizeof v);
    char shown[40];
    config_fmt_num(shown, sizeof shown, v);
    return in_range(e, v) ? CONV_OK : range_error(e, shown, msg);
}

static enum conv conv_bool(const config_setting_t *s, void *dst, sbuf *msg)
{
    if (config_setting_type(s) != CONFIG_TYPE_BOOL)
        return conv_expected(s, "true or false", msg);
    int v = config_setting_get_bool(s) ? 1 : 0;
    memcpy(dst, &v, sizeof v);
    return CONV_OK;
}

static enum conv conv_string(const schema_entry *e, const config_setting_t *s, void *dst, sbuf *msg)
{
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return conv_expected(s, "a string in quotes", msg);
    const char *v = config_setting_get_string(s);
    size_t n = strlen(v);
    char why[160];
    /* a W_NAME string is a name: base/name.h's rule; the scenario's also
     * names its results folder */
    if (e->size == W_NAME &&
        name_check(v, W_NAME - 1, strcmp(e->path, "scenario.name") == 0, why, sizeof why) != 0) {
        config_sb_printf(msg, "%s", why);
        return CONV_BAD;
    }
    if (n >= e->size) {
        config_sb_printf(msg, "string of %zu bytes is too long (at most %zu)", n, e->size - 1);
        return CONV_BAD;
    }
    memset(dst, 0, e->size);
    memcpy(dst, v, n);
    return CONV_OK;
}

static enum conv conv_enum(const schema_entry *e, const config_setting_t *s, void *dst, sbuf *msg)
{
    const char *v =
        config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : NULL;
    for (int i = 0; v && i < e->n_enum; i++) {
        if (strcmp(v, e->enum_names[i]) == 0) {
            memcpy(dst, &i, sizeof i);
            return CONV_OK;
        }
    }
    if (v)
        config_sb_quote_short(msg, v);
    else
        config_describe(s, msg);
    config_sb_printf(msg, " is not one of");
    for (int i = 0; i < e->n_enum; i++)
        config_sb_printf(msg, "%s \"%s\"", i ? "," : "", e->enum_names[i]);
    const char *near = v ? config_suggest_name(e->enum_names, e->n_enum, v) : NULL;
    if (near)
        config_sb_printf(msg, " (did you mean \"%s\"?)", near);
    return CONV_BAD;
}

static enum conv conv_date(const schema_entry *e, const config_setting_t *s, void *dst, sbuf *msg)
{
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return conv_expected(s, "an ISO date in quotes, like \"2025-08-13\"", msg);
    const char *v = config_setting_get_string(s);
    const char *why;
    long days;
    if (config_parse_date(v, &days, &why) != 0) {
        config_sb_quote_short(msg, v);
        config_sb_printf(msg, " %s", why);
        return CONV_BAD;
    }
    int32_t d = (int32_t)days; /* years 0000-9999 fit */
    memcpy(dst, &d, sizeof d);
    char shown[64];
    snprintf(shown, sizeof shown, "%s", v);
    return in_range(e, (double)d) ? CONV_OK : range_error(e, shown, msg);
}

/* Durations, rates and sizes: a string with a unit. */
static enum conv conv_unit(const schema_entry *e, const config_setting_t *s, void *dst, sbuf *msg)
{
    double v;
    if (config_setting_type(s) != CONFIG_TYPE_STRING) {
        if (get_number(s, &v))
            config_sb_printf(msg, "a bare number needs a unit, like %s (%s)", config_unit_example(e),
                      config_unit_list(e->type));
        else {
            config_sb_printf(msg, "expected a %s in quotes, like %s, got ", schema_ptype_names[e->type],
                      config_unit_example(e));
            config_describe(s, msg);
        }
        return CONV_BAD;
    }
    const char *text = config_setting_get_string(s);
    if (config_parse_unit_value(e, text, &v, msg) != 0)
        return CONV_BAD;
    memcpy(dst, &v, sizeof v);
    char num[40];
    sbuf shown = {0};
    config_fmt_num(num, sizeof num, v);
    config_sb_quote_short(&shown, text);
    if (strcmp(e->unit, "") != 0)
        config_sb_printf(&shown, " (%s %s)", num, e->unit);
    enum conv rc = in_range(e, v) ? CONV_OK : range_error(e, config_sb_str(&shown), msg);
    msg->oom |= shown.oom; /* the caller says out of memory */
    config_sb_free(&shown);
    return rc;
}

/* A list of names: ["a", "b"] (a list ("a", "b") is taken too). */
static enum conv conv_names(const schema_entry *e, const config_setting_t *s, void *dst, sbuf *msg)
{
    if (!config_setting_is_array(s) && !config_setting_is_list(s))
        return conv_expected(s, "a list of names in brackets, like [\"a\", \"b\"]", msg);
    strlist *l = dst;
    memset(l, 0, sizeof *l);
    int n = config_setting_length(s);
    int cap = e->max > 0 && e->max < MAX_LIST ? (int)e->max : MAX_LIST;
    if (n > cap) {
        config_sb_printf(msg, "has %d names; at most %d are allowed", n, cap);
        return CONV_BAD;
    }
    if (n < e->min) {
        config_sb_printf(msg, "needs at least %g name%s", e->min, e->min == 1 ? "" : "s");
        return CONV_BAD;
    }
    for (int i = 0; i < n; i++) {
        const config_setting_t *el = config_setting_get_elem(s, (unsigned)i);
        if (config_setting_type(el) != CONFIG_TYPE_STRING) {
            config_sb_printf(msg, "element %d: expected a name in quotes, got ", i);
            config_describe(el, msg);
            memset(l, 0, sizeof *l);
            return CONV_BAD;
        }
        const char *v = config_setting_get_string(el);
        size_t len = strlen(v);
        char why[160];
        if (name_check(v, W_NAME - 1, 0, why, sizeof why) != 0) {
            config_sb_printf(msg, "element %d: %s", i, why);
            memset(l, 0, sizeof *l);
            return CONV_BAD;
        }
        memcpy(l->v[i], v, len);
    }
    l->n = n;
    return CONV_OK;
}

/* An array of strings into char[max][size] at dst, the count at the
 * entry's count_offset (dst is the entry's place in its struct). */
static enum conv conv_strings(const schema_entry *e, const config_setting_t *s, void *dst,
                              sbuf *msg)
{
    if (!config_setting_is_array(s) && !config_setting_is_list(s))
        return conv_expected(s, "a list of strings in brackets, like [\"a\", \"b\"]", msg);
    int n = config_setting_length(s);
    if (n > e->max) {
        config_sb_printf(msg, "has %d strings; at most %g are allowed", n, e->max);
        return CONV_BAD;
    }
    if (n < e->min) {
        config_sb_printf(msg, "needs at least %g string%s", e->min, e->min == 1 ? "" : "s");
        return CONV_BAD;
    }
    for (int i = 0; i < n; i++) {
        const config_setting_t *el = config_setting_get_elem(s, (unsigned)i);
        if (config_setting_type(el) != CONFIG_TYPE_STRING) {
            config_sb_printf(msg, "element %d: expected a string in quotes, got ", i);
            config_describe(el, msg);
            return CONV_BAD;
        }
        size_t len = strlen(config_setting_get_string(el));
        if (len >= e->size) {
            config_sb_printf(msg, "element %d: a string of %zu bytes is too long (at most %zu)", i,
                             len, e->size - 1);
            return CONV_BAD;
        }
    }
    char *box = (char *)dst - e->offset; /* the struct the entry is in */
    memset(dst, 0, (size_t)e->max * e->size);
    for (int i = 0; i < n; i++) {
        const char *v = config_setting_get_string(config_setting_get_elem(s, (unsigned)i));
        memcpy((char *)dst + (size_t)i * e->size, v, strlen(v));
    }
    memcpy(box + e->count_offset, &n, sizeof n);
    return CONV_OK;
}

static enum conv convert_leaf(const schema_entry *e, const config_setting_t *s, void *dst,
                              sbuf *msg)
{
    switch (e->type) {
    case PT_INT:
        return conv_int(e, s, dst, msg);
    case PT_REAL:
        return conv_real(e, s, dst, msg);
    case PT_BOOL:
        return conv_bool(s, dst, msg);
    case PT_STRING:
        return conv_string(e, s, dst, msg);
    case PT_ENUM:
        return conv_enum(e, s, dst, msg);
    case PT_DATE:
        return conv_date(e, s, dst, msg);
    case PT_DURATION:
    case PT_RATE:
    case PT_BYTES:
        return conv_unit(e, s, dst, msg);
    case PT_NAMES:
        return conv_names(e, s, dst, msg);
    case PT_STRINGS:
        return conv_strings(e, s, dst, msg);
    case PT_ANY: /* read by the file kind's rules */
        return CONV_OK;
    default:
        config_sb_printf(msg, "not a value");
        return CONV_BAD;
    }
}

/* ----------------------------------------------------------- the schema walk */

/* A path being walked, with real list indices: "events.[3].apps". */
typedef struct wpath {
    char s[512];
    size_t len;
} wpath;

static size_t wpath_push(wpath *p, const char *name, int name_len, int index)
{
    size_t old = p->len;
    int n = name
                ? snprintf(p->s + p->len, sizeof p->s - p->len, "%s%.*s", p->len ? "." : "",
                           name_len, name)
                : snprintf(p->s + p->len, sizeof p->s - p->len, "%s[%d]", p->len ? "." : "", index);
    if (n > 0)
        p->len = p->len + (size_t)n < sizeof p->s ? p->len + (size_t)n : sizeof p->s - 1;
    return old;
}

static void wpath_pop(wpath *p, size_t old)
{
    p->len = old;
    p->s[old] = '\0';
}

static void load_node(check_ctx *c, int k, const config_setting_t *s, const config_setting_t *where,
                      char *base, wpath *path, int quiet);

/* Fill the members of group node `k` from libconfig group `g` (NULL: absent)
 * into `base`.  `where` locates errors about absent members; `quiet` skips
 * them (the group itself was already reported as wrong). */
static void load_group(check_ctx *c, int k, const config_setting_t *g,
                       const config_setting_t *where, char *base, wpath *path, int quiet)
{
    if (g) {
        for (int i = 0; i < config_setting_length(g); i++) {
            const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
            const char *name = config_setting_name(m);
            if (config_find_child(&c->t, k, name) >= 0)
                continue;
            size_t old = wpath_push(path, name, 64, 0);
            int near = config_suggest_child(&c->t, k, name);
            if (near >= 0)
                error_at(c, m, path->s, "unknown key '%.64s' (did you mean '%.*s'?)", name,
                         c->t.n[near].name_len, c->t.n[near].name);
            else
                error_at(c, m, path->s, "unknown key '%.64s'", name);
            wpath_pop(path, old);
        }
    }
    for (int ch = c->t.n[k].first; ch >= 0; ch = c->t.n[ch].next) {
        char name[64];
        snprintf(name, sizeof name, "%.*s", c->t.n[ch].name_len, c->t.n[ch].name);
        const config_setting_t *m = g ? config_setting_get_member(g, name) : NULL;
        size_t old = wpath_push(path, name, (int)strlen(name), 0);
        load_node(c, ch, m, g ? g : where, base, path, quiet);
        wpath_pop(path, old);
    }
}

/* A list of groups: count, then each element against the element node. */
static void load_list(check_ctx *c, int k, const config_setting_t *s, const config_setting_t *where,
                      char *base, wpath *path, int quiet)
{
    const schema_entry *e = c->t.n[k].e;
    int elem = c->t.n[k].first; /* the "[]" node; -1 if elements have no parameters */
    const config_setting_t *l = s;
    if (!l) {
        if (!e->def) {
            if (!quiet)
                error_at(c, where, path->s, "missing required setting");
            return;
        }
        l = default_of(c, k);
        if (!l) {
            if (!c->err.oom)
                error_at(c, where, path->s, "the schema's default %s does not parse", e->def);
            return;
        }
        where = l;
    }
    if (!config_setting_is_list(l) &&
        !(config_setting_is_array(l) && config_setting_length(l) == 0)) {
        error_type(c, l, path->s, "a list of groups ( { ... }, ... )");
        return;
    }
    int n = config_setting_length(l);
    if (n > (int)e->max) {
        error_at(c, l, path->s, "has %d elements; at most %g are allowed", n, e->max);
        n = (int)e->max;
    } else if (n < e->min) {
        error_at(c, l, path->s, "needs at least %g element%s", e->min, e->min == 1 ? "" : "s");
    }
    for (int i = 0; i < n; i++) {
        const config_setting_t *el = config_setting_get_elem(l, (unsigned)i);
        char *eb = base + e->offset + (size_t)i * e->size;
        size_t old = wpath_push(path, NULL, 0, i);
        if (!config_setting_is_group(el)) {
            error_type(c, el, path->s, "a group { ... }");
            if (elem >= 0)
                load_group(c, elem, NULL, el, eb, path, 1);
        } else if (elem >= 0) {
            load_group(c, elem, el, el, eb, path, quiet);
        }
        wpath_pop(path, old);
    }
    memcpy(base + e->count_offset, &n, sizeof n);
}

/* A value: convert, or apply the default when absent.  After a value that
 * cannot be read, the default is stored (silently) so that the cross-field
 * rules see a plausible world instead of reporting follow-on errors. */
static void load_leaf(check_ctx *c, int k, const config_setting_t *s, const config_setting_t *where,
                      char *base, wpath *path, int quiet)
{
    const schema_entry *e = c->t.n[k].e;
    void *dst = base + e->offset;
    sbuf msg = {0};
    int use_default = !s;
    if (!s && e->def && !e->def[0]) /* optional: stays zero */
        return;
    if (s) {
        const mark *m = config_setting_get_hook(s);
        if (m && m->kind == MARK_WRAPPED) /* reported by check_source_files */
            use_default = 1;
        else {
            enum conv rc = convert_leaf(e, s, dst, &msg);
            if (rc != CONV_OK)
                error_at(c, s, path->s, "%s", config_sb_str(&msg));
            use_default = rc == CONV_BAD; /* out of range: the value stays */
        }
    } else if (!e->def && !quiet) {
        error_at(c, where, path->s, "missing required setting");
    }
    if (use_default && e->def && e->def[0]) {
        const config_setting_t *d = default_of(c, k);
        sbuf dmsg = {0};
        if (!d && c->err.oom)
            ; /* out of memory: reported once, by config_load */
        else if (!d || convert_leaf(e, d, dst, &dmsg) != CONV_OK)
            error_at(c, where, path->s, "the schema's default %s is wrong: %s", e->def,
                     d ? config_sb_str(&dmsg) : "it does not parse");
        c->err.oom |= dmsg.oom;
        config_sb_free(&dmsg);
    }
    c->err.oom |= msg.oom;
    config_sb_free(&msg);
}

static void load_node(check_ctx *c, int k, const config_setting_t *s, const config_setting_t *where,
                      char *base, wpath *path, int quiet)
{
    switch (c->t.n[k].type) {
    case PT_GROUP:
        if (s && !config_setting_is_group(s)) {
            error_type(c, s, path->s, "a group { ... }");
            load_group(c, k, NULL, s, base, path, 1);
        } else {
            load_group(c, k, s, where, base, path, quiet);
        }
        break;
    case PT_LIST:
        load_list(c, k, s, where, base, path, quiet);
        break;
    default:
        load_leaf(c, k, s, where, base, path, quiet);
        break;
    }
}

/* -------------------------------------------------------------- check_error */

/* Whether `a` is `b` or one of its parents ("events.[1]" of "events.[1].date"). */
static int path_within(const char *a, const char *b)
{
    size_t n = strlen(a);
    return strncmp(a, b, n) == 0 && (b[n] == '\0' || b[n] == '.');
}

/* A rule about a setting that already has an error, or whose parent or
 * member has one, works on a value we could not read: it would only add a
 * false error ("the scenario ends before it starts" when `end` is no date). */
static int follows_earlier_error(const check_ctx *c, const char *path)
{
    const char *t = c->tainted.s;
    for (size_t at = 0; t && at < c->tainted.len; at += strlen(t + at) + 1)
        if (path_within(t + at, path) || path_within(path, t + at))
            return 1;
    return 0;
}

const config_setting_t *config_check_setting(const check_ctx *c, const char *path)
{
    return path ? config_lookup(&c->cfg, path) : config_root_setting(&c->cfg);
}

int config_check_count(const check_ctx *c) { return c->n_err; }

void config_check_error(check_ctx *c, const char *path, const char *fmt, ...)
{
    if (path && follows_earlier_error(c, path))
        return;
    /* The setting itself, else its nearest parent that exists in the tree
     * (an element from a default, a missing list), else the top file. */
    char look[512];
    snprintf(look, sizeof look, "%s", path ? path : "");
    const config_setting_t *s = NULL;
    while (look[0] && !(s = config_lookup(&c->cfg, look))) {
        char *dot = strrchr(look, '.');
        if (!dot)
            break;
        *dot = '\0';
    }
    va_list ap;
    va_start(ap, fmt);
    verror_at(c, s, path, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------- config_load */

/* The folder of the top file: where libconfig looks for @include files. */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

static void ctx_free(check_ctx *c)
{
    for (int k = 0; c->defs && k < c->t.count; k++) {
        if (c->defs[k]) {
            config_destroy(c->defs[k]);
            free(c->defs[k]);
        }
    }
    free(c->defs);
    free(c->marks);
    free(c->t.n);
    free(c->dir);
    for (int k = 0; k < c->n_moved; k++) {
        free(c->moved_full[k]);
        free(c->moved_rel[k]);
    }
    config_sb_free(&c->err);
    config_sb_free(&c->tainted);
}

/* Every kind of file: read, check against the schema into dst, then the
 * kind's rules; see config_load_file() in config.h. */
static int load_file(const schema *sc, const char *path, int n_set, char *const *set, void *dst,
                     config_rules rules, void *arg, char **errors)
{
    if (errors)
        *errors = NULL;
    if (dst)
        memset(dst, 0, sc->root_size);
    if (!path || !dst || n_set < 0 || (n_set > 0 && !set))
        return bs_fail(BS_EINPUT, "config_load: no file or no world");
    check_ctx c;
    memset(&c, 0, sizeof c);
    c.top = path;
    c.wrapped.kind = MARK_WRAPPED;
    int rc = config_tree_build(&c.t, sc);
    if (rc != BS_OK) {
        ctx_free(&c);
        return rc;
    }
    c.dir = folder_of(path);
    c.defs = calloc((size_t)c.t.count, sizeof *c.defs);
    c.marks = calloc((size_t)n_set + 1, sizeof *c.marks);
    if (!c.dir || !c.defs || !c.marks) {
        ctx_free(&c);
        return bs_nomem("loading %s", path);
    }
    config_init(&c.cfg);
    config_set_include_dir(&c.cfg, c.dir);

    int opened = config_can_open(&c);
    int includes_ok = opened && config_check_includes(&c, path, path, 1) == 0;
    int parsed = 0;
    if (includes_ok && c.n_moved == 0) {
        parsed = config_read_file(&c.cfg, path) == CONFIG_TRUE;
    } else if (includes_ok) {
        /* Some @include of the top file is found on the search path: the
         * file is read from its text with those names made relative to its
         * folder (libconfig 1.5 reads every @include from there). */
        char *text = config_rewrite_includes(&c);
        parsed = text && config_read_string(&c.cfg, text) == CONFIG_TRUE;
        free(text);
    }
    int ruled = BS_OK;
    if (includes_ok && !parsed)
        config_parse_error(&c);
    if (parsed) {
        config_check_source_files(&c);
        for (int i = 0; i < n_set; i++) {
            c.marks[i] = (mark){MARK_OVERRIDE, set[i] ? set[i] : ""};
            config_apply_override(&c, c.marks[i].text, &c.marks[i]);
        }
        wpath wp = {{0}, 0};
        load_group(&c, 0, config_root_setting(&c.cfg), config_root_setting(&c.cfg), (char *)dst,
                   &wp, 0);
        c.resolving = 1;
        if (rules)
            ruled = rules(dst, &c, arg);
    }
    config_destroy(&c.cfg);

    if (c.err.oom || ruled == BS_ENOMEM) {
        ctx_free(&c);
        /* the rules' own message when they said it, else the file's */
        return ruled == BS_ENOMEM && bs_last_status() == BS_ENOMEM ? ruled
                                                                    : bs_nomem("reading %s", path);
    }
    if (ruled != BS_OK) { /* the rules' own failure, with its message */
        ctx_free(&c);
        return ruled;
    }
    if (c.n_err == 0) {
        ctx_free(&c);
        return BS_OK;
    }
    if (!opened)
        rc = bs_fail(BS_EINPUT, "%.*s", (int)(c.err.len ? c.err.len - 1 : 0), config_sb_str(&c.err));
    else
        rc = bs_fail(BS_EINPUT, "%d error%s in %s", c.n_err, c.n_err == 1 ? "" : "s", path);
    if (errors) {
        *errors = c.err.s; /* handed over */
        c.err.s = NULL;
    }
    ctx_free(&c);
    return rc;
}

int config_load_file(const schema *sc, const char *path, void *dst, config_rules rules, void *arg,
                     char **errors)
{
    if (!sc) {
        if (errors)
            *errors = NULL;
        return bs_fail(BS_EINPUT, "config_load_file: no schema");
    }
    return load_file(sc, path, 0, NULL, dst, rules, arg, errors);
}

/* A scenario's rules: config_resolve(). */
static int scenario_rules(void *dst, check_ctx *c, void *arg)
{
    (void)arg;
    config_resolve(dst, c);
    return BS_OK;
}

int config_load(const char *path, int n_set, char *const *set, world *w, char **errors)
{
    return load_file(&schema_scenario, path, n_set, set, w, scenario_rules, NULL, errors);
}
