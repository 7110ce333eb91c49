/* config: load, check, override and dump configurations, driven by the schema.
 *
 * Loading is a pipeline over one libconfig tree:
 *
 *   check every @include target is a readable file (libconfig 1.5 exits
 *      the process on a directory)
 *   -> read (libconfig, @include relative to the scenario file's folder)
 *   -> scan the source text for integers libconfig 1.5 silently wraps
 *   -> apply the --set overrides to the tree
 *   -> walk the tree against the schema: unknown keys, types, units, ranges,
 *      defaults, into a zeroed `world`
 *   -> world_resolve(): derived fields and cross-field rules.
 *
 * Every stage records its errors and the next one still runs, so that a user
 * sees all the problems of a file at once.  An error names where it comes
 * from: "file:line" of the setting (or of its enclosing group when the
 * setting is missing), or "--set ARG" for a value given on the command line.
 *
 * The schema table (schema.c) is flat; it is turned into a tree once per call
 * (a few hundred nodes, no global state, so loading is thread-safe).
 *
 * Units: durations are stored in days, rates in bit/s, sizes in bytes, dates
 * as days since 1970-01-01 (the proleptic Gregorian calendar, H. Hinnant's
 * "chrono-compatible low-level date algorithms").  Numbers are converted as
 * number * mul / div with exact integer factors, so that "6h" is exactly 0.25.
 */
#include "config.h"

#include "schema.h"
#include "status.h"

#include <libconfig.h>

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* libconfig before 1.7 reads an integer without an L suffix into an `int`
 * with no range check: 99999999999 becomes 1215752191 without a word.  We
 * scan the source for such literals ourselves (scan_ints below). */
#if LIBCONFIG_VER_MAJOR == 1 && LIBCONFIG_VER_MINOR < 7
#define BS_LIBCONFIG_WRAPS_INTS 1
#else
#define BS_LIBCONFIG_WRAPS_INTS 0
#endif

#define MAX_DEPTH 64 /* deeper than any schema path; bounds our recursion */

/* ---------------------------------------------------------------- text buffer */

/* A growable string.  Out of memory sets `oom` and further appends are
 * ignored, so callers check once at the end. */
typedef struct sbuf {
    char *s;
    size_t len, cap;
    int oom;
} sbuf;

static void sb_vprintf(sbuf *b, const char *fmt, va_list ap)
{
    if (b->oom)
        return;
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->oom = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(b, fmt, ap);
    va_end(ap);
}

/* The text so far ("" when empty or out of memory); owned by b. */
static const char *sb_str(const sbuf *b) { return b->s && !b->oom ? b->s : ""; }

static void sb_free(sbuf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}

/* Append `s` as a libconfig string literal: the escapes libconfig reads back
 * (\" \\ \n \r \t \f \xHH), bytes >= 0x80 (UTF-8) as they are. */
static void sb_quote(sbuf *b, const char *s)
{
    sb_printf(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            sb_printf(b, "\\\"");
            break;
        case '\\':
            sb_printf(b, "\\\\");
            break;
        case '\n':
            sb_printf(b, "\\n");
            break;
        case '\r':
            sb_printf(b, "\\r");
            break;
        case '\t':
            sb_printf(b, "\\t");
            break;
        case '\f':
            sb_printf(b, "\\f");
            break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                sb_printf(b, "\\x%02x", *p);
            else
                sb_printf(b, "%c", *p);
        }
    }
    sb_printf(b, "\"");
}

/* A user's string for a message: quoted, escaped, cut at 60 bytes. */
static void sb_quote_short(sbuf *b, const char *s)
{
    char cut[64];
    size_t n = strlen(s);
    if (n <= 60) {
        sb_quote(b, s);
        return;
    }
    memcpy(cut, s, 57);
    memcpy(cut + 57, "...", 4);
    sb_quote(b, cut);
}

/* ---------------------------------------------------------------- schema tree */

/* A node per path component of the schema.  An entry's node carries the
 * entry; groups only implied by deeper paths have none.  The elements of a
 * PT_LIST node hang under its single child "[]" (a group with no entry). */
typedef struct snode {
    const schema_entry *e;
    const char *name; /* points into the entry's path, not NUL-terminated */
    int name_len;
    enum ptype type;
    int parent, first, next, last; /* node indices; -1: none */
} snode;

typedef struct stree {
    snode *n;
    int count;
} stree;

static int node_is(const snode *nd, const char *name)
{
    return (int)strlen(name) == nd->name_len && memcmp(nd->name, name, (size_t)nd->name_len) == 0;
}

static int find_child(const stree *t, int parent, const char *name)
{
    for (int k = t->n[parent].first; k >= 0; k = t->n[k].next)
        if (node_is(&t->n[k], name))
            return k;
    return -1;
}

/* Bytes a value of this type occupies in the world. */
static size_t field_size(const schema_entry *e)
{
    switch (e->type) {
    case PT_INT:
        return sizeof(int64_t);
    case PT_REAL:
    case PT_DURATION:
    case PT_RATE:
    case PT_BYTES:
        return sizeof(double);
    case PT_BOOL:
    case PT_ENUM:
        return sizeof(int);
    case PT_DATE:
        return sizeof(int32_t);
    case PT_STRING:
        return e->size;
    case PT_NAMES:
        return sizeof(strlist);
    default:
        return 0;
    }
}

/* Size of the struct a node's offsets are relative to: the world, or the
 * element struct of the nearest enclosing list. */
static size_t container_size(const stree *t, int k)
{
    for (int p = t->n[k].parent; p >= 0; p = t->n[p].parent)
        if (t->n[p].type == PT_LIST)
            return t->n[p].e->size;
    return sizeof(world);
}

static int add_node(stree *t, int parent, const char *name, int len)
{
    snode *nd = &t->n[t->count];
    memset(nd, 0, sizeof *nd);
    nd->name = name;
    nd->name_len = len;
    nd->type = PT_GROUP;
    nd->parent = parent;
    nd->first = nd->next = nd->last = -1;
    if (t->n[parent].last >= 0)
        t->n[t->n[parent].last].next = t->count;
    else
        t->n[parent].first = t->count;
    t->n[parent].last = t->count;
    return t->count++;
}

/* A schema bug is a programming error, but it is reported, not asserted, so
 * that `blockshift check` says what is wrong instead of dying. */
static int schema_bug(const schema_entry *e, const char *what)
{
    return bs_fail(BS_ERUNTIME, "schema: entry '%s': %s", e->path, what);
}

/* Check what can be checked of an entry once its node is placed: storage
 * inside its struct, enum names, a sane range. */
static int check_entry(const stree *t, int k)
{
    const schema_entry *e = t->n[k].e;
    size_t box = container_size(t, k);
    if (e->type >= N_PTYPES)
        return schema_bug(e, "unknown type");
    if (e->type == PT_LIST) {
        if (e->size == 0 || e->max < e->min || e->max < 0 || e->max > 1e6 ||
            e->offset + (size_t)e->max * e->size > box || e->count_offset + sizeof(int) > box)
            return schema_bug(e, "list storage or size range outside its struct");
    } else if (e->type != PT_GROUP && e->offset + field_size(e) > box) {
        return schema_bug(e, "storage outside its struct");
    }
    if (e->type == PT_STRING && e->size < 1)
        return schema_bug(e, "string without a buffer size");
    if (e->type == PT_ENUM && (!e->enum_names || e->n_enum < 1))
        return schema_bug(e, "enum without names");
    if (e->type == PT_NAMES && e->max > MAX_LIST)
        return schema_bug(e, "more names allowed than a strlist holds");
    if (e->min > e->max || isnan(e->min) || isnan(e->max))
        return schema_bug(e, "min > max");
    return BS_OK;
}

/* Build the tree from the table; BS_ERUNTIME on an inconsistent table. */
static int tree_build(stree *t)
{
    int cap = 1;
    for (int i = 0; i < n_schema; i++)
        for (const char *p = schema[i].path; *p; p++)
            cap += *p == '.';
    cap += n_schema;
    t->count = 0;
    t->n = calloc((size_t)cap, sizeof *t->n);
    if (!t->n)
        return bs_fail(BS_ENOMEM, "out of memory building the schema");
    t->n[0] = (snode){NULL, "", 0, PT_GROUP, -1, -1, -1, -1};
    t->count = 1;
    for (int i = 0; i < n_schema; i++) {
        const schema_entry *e = &schema[i];
        int at = 0;
        const char *p = e->path;
        if (!p || !*p)
            return bs_fail(BS_ERUNTIME, "schema: entry %d has no path", i);
        for (;;) {
            const char *dot = strchr(p, '.');
            int len = dot ? (int)(dot - p) : (int)strlen(p);
            int is_elem = len == 2 && memcmp(p, "[]", 2) == 0;
            if (len == 0)
                return schema_bug(e, "empty path component");
            if (!is_elem && !isalpha((unsigned char)p[0]))
                return schema_bug(e, "a name must start with a letter");
            for (int j = 1; j < len && !is_elem; j++)
                if (!isalnum((unsigned char)p[j]) && p[j] != '_' && p[j] != '-')
                    return schema_bug(e, "a name may hold letters, digits, _ and -");
            if (is_elem != (t->n[at].type == PT_LIST))
                return schema_bug(e, "[] must follow a list, and only [] may");
            if (at && t->n[at].e && t->n[at].type != PT_GROUP && t->n[at].type != PT_LIST)
                return schema_bug(e, "a value cannot have members");
            int k = -1;
            for (int j = t->n[at].first; j >= 0; j = t->n[j].next)
                if (t->n[j].name_len == len && memcmp(t->n[j].name, p, (size_t)len) == 0)
                    k = j;
            if (k < 0)
                k = add_node(t, at, p, len);
            if (!dot) {
                if (t->n[k].e)
                    return schema_bug(e, "declared twice");
                if (t->n[k].first >= 0 && e->type != PT_GROUP && e->type != PT_LIST)
                    return schema_bug(e, "declared after its members, but has a value type");
                t->n[k].e = e;
                t->n[k].type = e->type;
                int rc = check_entry(t, k);
                if (rc != BS_OK)
                    return rc;
                break;
            }
            at = k;
            p = dot + 1;
        }
    }
    return BS_OK;
}

/* ------------------------------------------------------------- formatting */

/* The shortest %.Ng text of x that strtod reads back to the same double,
 * without an exponent up to 1e17 (1460 rather than 1.46e+03). */
static void fmt_num(char *buf, size_t size, double x)
{
    int prec = 1;
    for (; prec < 17; prec++) {
        snprintf(buf, size, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    int exp10 = x != 0 && isfinite(x) ? (int)floor(log10(fabs(x))) : 0;
    if (exp10 >= prec && exp10 < 17)
        prec = exp10 + 1; /* more digits of the same value: still exact */
    snprintf(buf, size, "%.*g", prec, x);
}

/* A real that libconfig reads as a float: a decimal point is always there. */
static void fmt_real(char *buf, size_t size, double x)
{
    char num[40];
    fmt_num(num, sizeof num, x);
    if (strpbrk(num, ".ni")) { /* has a point, or is nan / inf */
        snprintf(buf, size, "%s", num);
        return;
    }
    char *e = strchr(num, 'e');
    if (e)
        snprintf(buf, size, "%.*s.0%s", (int)(e - num), num, e);
    else
        snprintf(buf, size, "%s.0", num);
}

/* ------------------------------------------------------------------- dates */

static int is_leap(long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(long y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

static long days_from_civil(long y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153L * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, long *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static void fmt_date(char *buf, size_t size, long days)
{
    long y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(buf, size, "%04ld-%02d-%02d", y, m, d);
}

/* "YYYY-MM-DD", a real calendar day, into days since 1970-01-01.
 * Returns 0, or -1 with a reason in `why`. */
static int parse_date(const char *s, long *days, const char **why)
{
    for (int i = 0; i < 10; i++) {
        int want_dash = i == 4 || i == 7;
        if (!s[i] || (want_dash ? s[i] != '-' : !isdigit((unsigned char)s[i]))) {
            *why = "is not an ISO date; write it like \"2025-08-13\"";
            return -1;
        }
    }
    if (s[10]) {
        *why = "is not an ISO date; write it like \"2025-08-13\"";
        return -1;
    }
    long y = strtol(s, NULL, 10);
    int m = (int)strtol(s + 5, NULL, 10), d = (int)strtol(s + 8, NULL, 10);
    if (m < 1 || m > 12) {
        *why = "is not a date: the month must be 01 to 12";
        return -1;
    }
    if (d < 1 || d > days_in_month(y, m)) {
        *why = "is not a date: that month has fewer days";
        return -1;
    }
    *days = days_from_civil(y, m, d);
    return 0;
}

/* ------------------------------------------------------------------- units */

typedef struct unit {
    const char *name;
    double mul, div; /* stored = number * mul / div */
} unit;

static const unit duration_units[] = {{"s", 1, 86400}, {"min", 1, 1440}, {"h", 1, 24}, {"d", 1, 1},
                                      {"w", 7, 1},     {"y", 365, 1},    {NULL, 0, 0}};
static const unit rate_units[] = {
    {"bps", 1, 1}, {"kbps", 1e3, 1}, {"Mbps", 1e6, 1}, {"Gbps", 1e9, 1}, {NULL, 0, 0}};
static const unit byte_units[] = {
    {"B", 1, 1}, {"kB", 1e3, 1}, {"MB", 1e6, 1}, {"GB", 1e9, 1}, {NULL, 0, 0}};

static const unit *units_of(enum ptype t)
{
    return t == PT_DURATION ? duration_units : t == PT_RATE ? rate_units : byte_units;
}

/* The unit we write back and the unit names for messages. */
static const char *dump_unit(enum ptype t)
{
    return t == PT_DURATION ? "d" : t == PT_RATE ? "bps" : "B";
}

static const char *unit_list(enum ptype t)
{
    return t == PT_DURATION ? "s, min, h, d, w or y"
           : t == PT_RATE   ? "bps, kbps, Mbps or Gbps"
                            : "B, kB, MB or GB";
}

/* An example of the form: the schema's own default when it has one. */
static const char *unit_example(const schema_entry *e)
{
    if (e->def && e->def[0] == '"')
        return e->def;
    return e->type == PT_DURATION ? "\"7d\"" : e->type == PT_RATE ? "\"130kbps\"" : "\"2MB\"";
}

/* Length of a decimal number at s ([+-]digits[.digits][e[+-]digits]), or 0.
 * Stricter than strtod: no hex, inf or nan, which "7d" style input never
 * means. */
static size_t number_len(const char *s)
{
    size_t i = 0, digits = 0;
    if (s[i] == '+' || s[i] == '-')
        i++;
    while (isdigit((unsigned char)s[i]))
        i++, digits++;
    if (s[i] == '.') {
        i++;
        while (isdigit((unsigned char)s[i]))
            i++, digits++;
    }
    if (!digits)
        return 0;
    if (s[i] == 'e' || s[i] == 'E') {
        size_t j = i + 1;
        if (s[j] == '+' || s[j] == '-')
            j++;
        if (isdigit((unsigned char)s[j])) {
            while (isdigit((unsigned char)s[j]))
                j++;
            i = j;
        }
    }
    return i;
}

/* "<number><unit>" into the stored unit.  Returns 0, or -1 with a message. */
static int parse_unit_value(const schema_entry *e, const char *s, double *out, sbuf *msg)
{
    const char *p = s;
    while (*p == ' ')
        p++;
    size_t n = number_len(p);
    if (n == 0 || n > 60) {
        sb_quote_short(msg, s);
        sb_printf(msg, " is not a %s: write a number and a unit, like %s", ptype_names[e->type],
                  unit_example(e));
        return -1;
    }
    char num[64];
    memcpy(num, p, n);
    num[n] = '\0';
    const char *u = p + n;
    while (*u == ' ')
        u++;
    size_t ulen = strlen(u);
    while (ulen && u[ulen - 1] == ' ')
        ulen--;
    if (ulen == 0) {
        sb_quote_short(msg, s);
        sb_printf(msg, " needs a unit, like %s (%s)", unit_example(e), unit_list(e->type));
        return -1;
    }
    for (const unit *un = units_of(e->type); un->name; un++) {
        if (strlen(un->name) == ulen && memcmp(un->name, u, ulen) == 0) {
            double x = strtod(num, NULL) * un->mul / un->div;
            if (!isfinite(x)) {
                sb_quote_short(msg, s);
                sb_printf(msg, " is too large");
                return -1;
            }
            *out = x;
            return 0;
        }
    }
    sb_printf(msg, "unknown unit ");
    sb_quote_short(msg, u);
    sb_printf(msg, " in ");
    sb_quote_short(msg, s);
    sb_printf(msg, " (use %s)", unit_list(e->type));
    return -1;
}

/* -------------------------------------------------------- did you mean ... */

/* Edit distance, for suggestions; names longer than 64 get none. */
static int levenshtein(const char *a, const char *b, int b_len)
{
    int la = (int)strlen(a);
    if (la > 64 || b_len > 64)
        return INT_MAX;
    int row[65];
    for (int j = 0; j <= b_len; j++)
        row[j] = j;
    for (int i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = i;
        for (int j = 1; j <= b_len; j++) {
            int up = row[j];
            int cost = a[i - 1] != b[j - 1];
            int best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[b_len];
}

/* Close enough to be a typo: a third of the word, at least one edit. */
static int close_enough(const char *typed, int d)
{
    int len = (int)strlen(typed);
    int limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
    return d <= limit && d < len;
}

/* The child of `parent` nearest to `name`, or -1. */
static int suggest_child(const stree *t, int parent, const char *name)
{
    int best = -1, best_d = INT_MAX;
    for (int k = t->n[parent].first; k >= 0; k = t->n[k].next) {
        int d = levenshtein(name, t->n[k].name, t->n[k].name_len);
        if (d < best_d)
            best = k, best_d = d;
    }
    return best >= 0 && close_enough(name, best_d) ? best : -1;
}

/* The enum name nearest to `s`, or NULL. */
static const char *suggest_name(const char *const *names, int n, const char *s)
{
    const char *best = NULL;
    int best_d = INT_MAX;
    for (int i = 0; i < n; i++) {
        int d = levenshtein(s, names[i], (int)strlen(names[i]));
        if (d < best_d)
            best = names[i], best_d = d;
    }
    return best && close_enough(s, best_d) ? best : NULL;
}

/* ---------------------------------------------------------- load context */

/* Settings we changed carry a mark in their libconfig hook: a value from the
 * command line (errors name the --set argument, not a file), or an integer
 * already reported as wrapped (not to be reported again as out of range). */
enum mark_kind { MARK_OVERRIDE = 1, MARK_WRAPPED };
typedef struct mark {
    enum mark_kind kind;
    const char *text; /* MARK_OVERRIDE: the "path=value" argument */
} mark;

struct check_ctx {
    const char *top; /* the scenario file as the user named it */
    char *dir;       /* its folder: the include directory */
    config_t cfg;
    stree t;
    config_t **defs; /* per schema node, the parsed default (lazily) */
    mark *marks;     /* one per --set argument */
    mark wrapped;
    sbuf err;
    int n_err;
    sbuf tainted; /* paths with an error before world_resolve, NUL-separated */
    int resolving;
};

/* Lexically tidy a path for messages: "scenarios/../configs/x.cfg" is
 * "configs/x.cfg".  Only for display: symbolic links are not resolved. */
static void tidy_path(char *out, size_t size, const char *path)
{
    const char *comp[256];
    int len[256], n = 0, absolute = path[0] == '/';
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        const char *q = strchr(p, '/');
        int l = q ? (int)(q - p) : (int)strlen(p);
        if (l == 1 && p[0] == '.') {
            /* skip */
        } else if (l == 2 && p[0] == '.' && p[1] == '.' && n > 0 &&
                   !(len[n - 1] == 2 && memcmp(comp[n - 1], "..", 2) == 0)) {
            n--;
        } else if (n < 256) {
            comp[n] = p, len[n] = l, n++;
        }
        p += l;
    }
    size_t at = 0;
    out[0] = '\0';
    if (absolute)
        at += (size_t)snprintf(out, size, "/");
    for (int i = 0; i < n && at < size; i++)
        at += (size_t)snprintf(out + at, size - at, "%s%.*s", i ? "/" : "", len[i], comp[i]);
    if (!out[0])
        snprintf(out, size, ".");
}

/* The file a setting came from, as the user would open it.  libconfig keeps
 * @include names as written; they are relative to the include directory. */
static void display_file(const check_ctx *c, const char *file, char *out, size_t size)
{
    if (!file || strcmp(file, c->top) == 0) {
        snprintf(out, size, "%s", c->top);
        return;
    }
    char joined[4096];
    snprintf(joined, sizeof joined, "%s/%s", c->dir, file);
    tidy_path(out, size, joined);
}

/* Where a setting is: "file:line", "--set ARG", or the top file when nothing
 * nearer is known (the root has no line). */
static void location(const check_ctx *c, const config_setting_t *s, sbuf *out)
{
    if (s && s->config != &c->cfg) {
        sb_printf(out, "schema default");
        return;
    }
    for (const config_setting_t *p = s; p; p = config_setting_parent(p)) {
        const mark *m = config_setting_get_hook(p);
        if (m && m->kind == MARK_OVERRIDE) {
            sb_printf(out, "--set %s", m->text);
            return;
        }
        if (config_setting_source_line(p) > 0) {
            char f[4096];
            display_file(c, config_setting_source_file(p), f, sizeof f);
            sb_printf(out, "%s:%u", f, config_setting_source_line(p));
            return;
        }
    }
    sb_printf(out, "%s", c->top);
}

/* Append one error line: "LOCATION: PATH: MESSAGE", with control characters
 * from user input escaped so that it stays one line. */
static void add_line(check_ctx *c, const char *loc, const char *path, const char *msg)
{
    sbuf line = {0};
    sb_printf(&line, "%s: ", loc);
    if (path && *path)
        sb_printf(&line, "%s: ", path);
    sb_printf(&line, "%s", msg);
    const char *p = sb_str(&line);
    while (*p) {
        size_t run = 0; /* printable bytes, copied in one go */
        while (p[run] && !((unsigned char)p[run] < 0x20 || p[run] == 0x7f))
            run++;
        sb_printf(&c->err, "%.*s", (int)run, p);
        p += run;
        if (*p == '\n')
            sb_printf(&c->err, "\\n");
        else if (*p)
            sb_printf(&c->err, "\\x%02x", (unsigned char)*p);
        p += *p != '\0';
    }
    sb_printf(&c->err, "\n");
    c->err.oom |= line.oom;
    c->n_err++;
    sb_free(&line);
}

static void verror_at(check_ctx *c, const config_setting_t *at, const char *path, const char *fmt,
                      va_list ap)
{
    sbuf loc = {0}, msg = {0};
    if (path && *path && !c->resolving) {
        sb_printf(&c->tainted, "%s", path);
        sb_printf(&c->tainted, "%c", '\0'); /* the separator */
    }
    location(c, at, &loc);
    sb_vprintf(&msg, fmt, ap);
    add_line(c, sb_str(&loc), path, sb_str(&msg));
    c->err.oom |= loc.oom | msg.oom;
    sb_free(&loc);
    sb_free(&msg);
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
static void describe(const config_setting_t *s, sbuf *out)
{
    char num[40];
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
        sb_printf(out, "the integer %d", config_setting_get_int(s));
        break;
    case CONFIG_TYPE_INT64:
        sb_printf(out, "the integer %lld", config_setting_get_int64(s));
        break;
    case CONFIG_TYPE_FLOAT:
        fmt_num(num, sizeof num, config_setting_get_float(s));
        sb_printf(out, "the number %s", num);
        break;
    case CONFIG_TYPE_BOOL:
        sb_printf(out, "%s", config_setting_get_bool(s) ? "true" : "false");
        break;
    case CONFIG_TYPE_STRING:
        sb_printf(out, "the string ");
        sb_quote_short(out, config_setting_get_string(s));
        break;
    case CONFIG_TYPE_GROUP:
        sb_printf(out, "a group { ... }");
        break;
    case CONFIG_TYPE_LIST:
        sb_printf(out, "a list ( ... )");
        break;
    case CONFIG_TYPE_ARRAY:
        sb_printf(out, "an array [ ... ]");
        break;
    default:
        sb_printf(out, "nothing");
        break;
    }
}

static void error_type(check_ctx *c, const config_setting_t *s, const char *path,
                       const char *expected)
{
    sbuf got = {0};
    describe(s, &got);
    error_at(c, s, path, "expected %s, got %s", expected, sb_str(&got));
    sb_free(&got);
}

/* A path into the libconfig tree, for messages: "apps.[2].name". */
static void setting_path(const config_setting_t *s, sbuf *out)
{
    const config_setting_t *chain[MAX_DEPTH];
    int n = 0;
    for (; s && !config_setting_is_root(s) && n < MAX_DEPTH; s = config_setting_parent(s))
        chain[n++] = s;
    for (int i = n - 1; i >= 0; i--) {
        const config_setting_t *p = config_setting_parent(chain[i]);
        const char *sep = i == n - 1 ? "" : ".";
        if (config_setting_is_group(p))
            sb_printf(out, "%s%s", sep, config_setting_name(chain[i]));
        else
            sb_printf(out, "%s[%d]", sep, config_setting_index(chain[i]));
    }
}

/* ------------------------------------------------- values in libconfig text */

/* Parse `text` as the value of one libconfig setting into a fresh config.
 * Returns its setting, or NULL when it does not parse (or holds more than one
 * value, as "1; x = 2" would). */
static config_setting_t *parse_value(config_t *tmp, const char *text)
{
    config_init(tmp);
    if (strchr(text, '\n')) /* keeps @include (start of a line only) out */
        return NULL;
    size_t n = strlen(text) + 16;
    char *src = malloc(n);
    if (!src)
        return NULL;
    snprintf(src, n, "v = %s;", text);
    int ok = config_read_string(tmp, src);
    free(src);
    if (ok != CONFIG_TRUE || config_setting_length(config_root_setting(tmp)) != 1)
        return NULL;
    return config_setting_get_member(config_root_setting(tmp), "v");
}

/* Copy src's value into dst, a fresh setting of the same type.  Returns
 * CONFIG_TRUE, or CONFIG_FALSE if libconfig refuses or it nests too deep. */
static int copy_value(config_setting_t *dst, const config_setting_t *src, int depth)
{
    switch (config_setting_type(src)) {
    case CONFIG_TYPE_INT:
        return config_setting_set_int(dst, config_setting_get_int(src));
    case CONFIG_TYPE_INT64:
        return config_setting_set_int64(dst, config_setting_get_int64(src));
    case CONFIG_TYPE_FLOAT:
        return config_setting_set_float(dst, config_setting_get_float(src));
    case CONFIG_TYPE_BOOL:
        return config_setting_set_bool(dst, config_setting_get_bool(src));
    case CONFIG_TYPE_STRING:
        return config_setting_set_string(dst, config_setting_get_string(src));
    case CONFIG_TYPE_GROUP:
    case CONFIG_TYPE_LIST:
    case CONFIG_TYPE_ARRAY:
        if (depth >= MAX_DEPTH)
            return CONFIG_FALSE;
        for (int i = 0; i < config_setting_length(src); i++) {
            const config_setting_t *el = config_setting_get_elem(src, (unsigned)i);
            const char *name = config_setting_is_group(src) ? config_setting_name(el) : NULL;
            config_setting_t *d = config_setting_add(dst, name, config_setting_type(el));
            if (!d || copy_value(d, el, depth + 1) != CONFIG_TRUE)
                return CONFIG_FALSE;
        }
        return CONFIG_TRUE;
    default:
        return CONFIG_FALSE;
    }
}

/* The parsed default of a node, cached; NULL if it does not parse (a schema
 * bug, reported by the caller). */
static const config_setting_t *default_of(check_ctx *c, int k)
{
    if (!c->defs[k]) {
        c->defs[k] = malloc(sizeof(config_t));
        if (!c->defs[k])
            return NULL;
        if (!parse_value(c->defs[k], c->t.n[k].e->def)) {
            config_destroy(c->defs[k]);
            config_init(c->defs[k]); /* keep it valid for the final destroy */
            return NULL;
        }
    }
    return config_setting_get_member(config_root_setting(c->defs[k]), "v");
}

/* ------------------------------------------- integers that libconfig wraps */

/* An integer literal libconfig 1.5 cannot hold. */
typedef struct bad_int {
    int line;
    char text[48];
    int is64;        /* written with an L suffix */
    int beyond64;    /* too large for any libconfig integer */
    long long value; /* what libconfig stored instead */
} bad_int;

/* Whether this libconfig gets the literal wrong (1.7 promotes to 64 bits). */
static int int_is_wrong(const bad_int *b) { return b->beyond64 || BS_LIBCONFIG_WRAPS_INTS; }

/* Find integer literals in libconfig source text that do not fit: beyond 32
 * bits without an L suffix, or beyond 64 bits at all.  Skips comments,
 * strings and names.  Returns how many were stored in bad[] (at most max);
 * *nul_line is the first line holding a NUL byte, or 0. */
static int scan_ints(const char *s, size_t len, bad_int *bad, int max, int *nul_line)
{
    int n = 0, line = 1;
    *nul_line = 0;
    const char *end = s + len;
    for (const char *p = s; p < end;) {
        char ch = *p;
        if (ch == '\0') {
            if (!*nul_line)
                *nul_line = line;
            p++;
        } else if (ch == '\n') {
            line++, p++;
        } else if (ch == '#' || (ch == '/' && p + 1 < end && p[1] == '/')) {
            while (p < end && *p != '\n')
                p++;
        } else if (ch == '/' && p + 1 < end && p[1] == '*') {
            for (p += 2; p < end && !(*p == '*' && p + 1 < end && p[1] == '/'); p++)
                line += *p == '\n';
            p += 2;
        } else if (ch == '"') {
            for (p++; p < end && *p != '"'; p++) {
                if (*p == '\\' && p + 1 < end)
                    p++;
                line += *p == '\n';
                if (*p == '\0' && !*nul_line)
                    *nul_line = line;
            }
            p++;
        } else if (isalpha((unsigned char)ch) || ch == '*' || ch == '_') {
            while (p < end && (isalnum((unsigned char)*p) || strchr("_*-", *p)))
                p++;
        } else if (isdigit((unsigned char)ch) ||
                   ((ch == '-' || ch == '+') && p + 1 < end && isdigit((unsigned char)p[1]))) {
            const char *q = p + (ch == '-' || ch == '+');
            int neg = ch == '-', hex = 0;
            unsigned long long mag = 0;
            int overflow = 0;
            if (q + 1 < end && q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
                hex = 1;
                for (q += 2; q < end && isxdigit((unsigned char)*q); q++) {
                    int dgt = isdigit((unsigned char)*q) ? *q - '0' : (tolower(*q) - 'a' + 10);
                    overflow |= mag > (ULLONG_MAX >> 4);
                    mag = mag << 4 | (unsigned)dgt;
                }
            } else {
                for (; q < end && isdigit((unsigned char)*q); q++) {
                    unsigned dgt = (unsigned)(*q - '0');
                    overflow |= mag > (ULLONG_MAX - dgt) / 10;
                    mag = mag * 10 + dgt;
                }
                if (q < end && (*q == '.' || *q == 'e' || *q == 'E')) { /* a float */
                    while (q < end && (isdigit((unsigned char)*q) || strchr(".eE+-", *q)))
                        q++;
                    p = q;
                    continue;
                }
            }
            int nl = 0;
            while (q < end && *q == 'L' && nl < 2)
                q++, nl++;
            unsigned long long lim32 = neg ? 2147483648ULL : 2147483647ULL;
            unsigned long long lim64 = neg ? 9223372036854775808ULL : 9223372036854775807ULL;
            if (hex) /* libconfig reads hex as unsigned bits */
                lim32 = 0xffffffffULL, lim64 = ULLONG_MAX;
            int bad_here = overflow || mag > lim64 || (nl == 0 && mag > lim32);
            if (bad_here && n < max) {
                bad_int *b = &bad[n++];
                b->line = line;
                snprintf(b->text, sizeof b->text, "%.*s", (int)(q - p > 40 ? 40 : q - p), p);
                b->is64 = nl > 0;
                b->beyond64 = overflow || mag > lim64;
                /* libconfig 1.5: strtoll/strtoull (saturating), cast to int */
                unsigned long long bits = hex ? (overflow ? ULLONG_MAX : mag)
                                          : overflow || mag > lim64
                                              ? (neg ? 1ULL << 63 : (1ULL << 63) - 1)
                                              : (neg ? 0 - mag : mag);
                b->value = b->is64 ? (long long)bits : (long long)(int32_t)(uint32_t)bits;
            }
            p = q;
        } else {
            p++;
        }
    }
    return n;
}

/* The integer setting libconfig made of a bad literal: in `file`, on the
 * literal's line or the nearest line above it, holding the wrapped value. */
static config_setting_t *find_wrapped(config_setting_t *s, const char *file, const bad_int *b,
                                      int depth, config_setting_t *best)
{
    int type = config_setting_type(s);
    if ((type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64) && !config_setting_get_hook(s) &&
        config_setting_source_file(s) && strcmp(config_setting_source_file(s), file) == 0 &&
        (int)config_setting_source_line(s) <= b->line && (type == CONFIG_TYPE_INT64) == b->is64 &&
        (b->is64 ? config_setting_get_int64(s) : config_setting_get_int(s)) == b->value &&
        (!best || config_setting_source_line(s) > config_setting_source_line(best)))
        best = s;
    if (config_setting_is_aggregate(s) && depth < MAX_DEPTH)
        for (int i = 0; i < config_setting_length(s); i++)
            best = find_wrapped(config_setting_get_elem(s, (unsigned)i), file, b, depth + 1, best);
    return best;
}

/* Read a whole file (NUL-terminated; *len excludes the NUL).  NULL if it
 * cannot be read: the caller leaves the complaint to libconfig. */
static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t n = 0, cap = 4096;
    char *s = malloc(cap);
    while (s) {
        n += fread(s + n, 1, cap - n - 1, f);
        if (n + 1 < cap || ferror(f) || feof(f))
            break;
        char *bigger = realloc(s, cap * 2);
        if (!bigger) {
            free(s);
            s = NULL;
        } else {
            s = bigger;
            cap *= 2;
        }
    }
    int failed = ferror(f);
    fclose(f);
    if (!s || failed) {
        free(s);
        return NULL;
    }
    s[n] = '\0';
    *len = n;
    return s;
}

/* Report the integers of every file read (the top file and its includes)
 * that libconfig stored wrongly, and NUL bytes, which it silently treats as
 * the end of a string. */
static void check_source_files(check_ctx *c)
{
    for (unsigned i = 0; i < c->cfg.num_filenames; i++) {
        const char *named = c->cfg.filenames[i];
        char path[4096];
        if (strcmp(named, c->top) == 0)
            snprintf(path, sizeof path, "%s", c->top);
        else
            snprintf(path, sizeof path, "%s/%s", c->dir, named);
        size_t len = 0;
        char *text = read_all(path, &len);
        if (!text)
            continue;
        bad_int bad[64];
        int nul_line;
        int n = scan_ints(text, len, bad, 64, &nul_line);
        free(text);
        char shown[4096];
        display_file(c, named, shown, sizeof shown);
        if (nul_line) {
            char loc[4200];
            snprintf(loc, sizeof loc, "%s:%d", shown, nul_line);
            add_line(c, loc, NULL, "the file contains a NUL byte (is it a text file?)");
        }
        for (int k = 0; k < n; k++) {
            if (!int_is_wrong(&bad[k]))
                continue;
            config_setting_t *s =
                find_wrapped(config_root_setting(&c->cfg), named, &bad[k], 0, NULL);
            sbuf path_of = {0}, msg = {0};
            char loc[4200];
            if (s) {
                config_setting_set_hook(s, &c->wrapped);
                setting_path(s, &path_of);
            }
            snprintf(loc, sizeof loc, "%s:%d", shown, bad[k].line);
            if (bad[k].beyond64)
                sb_printf(&msg, "integer %s does not fit in 64 bits", bad[k].text);
            else
                sb_printf(&msg,
                          "integer %s does not fit in 32 bits, and libconfig would silently "
                          "read it as %lld; write %sL",
                          bad[k].text, bad[k].value, bad[k].text);
            add_line(c, loc, sb_str(&path_of), sb_str(&msg));
            sb_free(&path_of);
            sb_free(&msg);
        }
    }
}

/* ------------------------------------------------------- @include targets */

/* libconfig 1.5 opens an @include target with fopen and lets flex read it;
 * a directory opens but cannot be read, and flex then calls exit().  So we
 * find every @include ourselves first (the way libconfig's scanner does: at
 * the start of a line, outside strings and block comments) and check that
 * each names a regular file. */

#define MAX_INCLUDE_DEPTH 10 /* libconfig's own limit */

typedef struct include_ref {
    int line;
    char name[1024];
    int bad_escape; /* a backslash other than \\ or \", which libconfig echoes */
} include_ref;

/* The @include directives of a file's text; returns how many (at most max). */
static int find_includes(const char *s, size_t len, include_ref *out, int max)
{
    int n = 0, line = 1, at_line_start = 1;
    const char *end = s + len;
    for (const char *p = s; p < end;) {
        if (at_line_start) {
            const char *q = p;
            while (q < end && (*q == ' ' || *q == '\t'))
                q++;
            if ((size_t)(end - q) > 8 && memcmp(q, "@include", 8) == 0 &&
                (q[8] == ' ' || q[8] == '\t')) {
                q += 8;
                while (q < end && (*q == ' ' || *q == '\t'))
                    q++;
                if (q < end && *q == '"') {
                    include_ref r = {line, "", 0};
                    size_t k = 0;
                    for (q++; q < end && *q != '"'; q++) {
                        char ch = *q;
                        if (ch == '\\') {
                            if (q + 1 < end && (q[1] == '\\' || q[1] == '"'))
                                ch = *++q;
                            else
                                r.bad_escape = 1;
                        }
                        line += ch == '\n';
                        if (k + 1 < sizeof r.name)
                            r.name[k++] = ch;
                    }
                    r.name[k] = '\0';
                    if (n < max)
                        out[n++] = r;
                    p = q < end ? q + 1 : end;
                    at_line_start = 0;
                    continue;
                }
            }
        }
        at_line_start = 0;
        if (*p == '\n') {
            line++, p++, at_line_start = 1;
        } else if (*p == '#' || (*p == '/' && p + 1 < end && p[1] == '/')) {
            while (p < end && *p != '\n')
                p++;
        } else if (*p == '/' && p + 1 < end && p[1] == '*') {
            for (p += 2; p < end && !(*p == '*' && p + 1 < end && p[1] == '/'); p++)
                line += *p == '\n';
            p = p < end ? p + 2 : end;
        } else if (*p == '"') {
            for (p++; p < end && *p != '"'; p++) {
                if (*p == '\\' && p + 1 < end)
                    p++;
                line += *p == '\n';
            }
            p = p < end ? p + 1 : end;
        } else {
            p++;
        }
    }
    return n;
}

/* Why a path cannot be read as a configuration file, or NULL if it can. */
static const char *unreadable(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return strerror(errno);
    if (S_ISDIR(st.st_mode))
        return strerror(EISDIR);
    if (!S_ISREG(st.st_mode))
        return "not a regular file";
    FILE *f = fopen(path, "r");
    if (!f)
        return strerror(errno);
    fclose(f);
    return NULL;
}

/* Check the @include targets of file `path` (shown as `shown`) and of the
 * files they include.  Returns the number of errors reported. */
static int check_includes(check_ctx *c, const char *path, const char *shown, int depth)
{
    size_t len = 0;
    char *text = read_all(path, &len);
    if (!text)
        return 0; /* libconfig will say it cannot read it */
    include_ref *refs = malloc(64 * sizeof *refs);
    if (!refs) {
        free(text);
        c->err.oom = 1;
        return 1;
    }
    int n = find_includes(text, len, refs, 64), bad = 0;
    free(text);
    for (int i = 0; i < n; i++) {
        char loc[4200], full[4096], tidy[4096];
        snprintf(loc, sizeof loc, "%s:%d", shown, refs[i].line);
        snprintf(full, sizeof full, "%s/%s", c->dir, refs[i].name);
        tidy_path(tidy, sizeof tidy, full);
        sbuf msg = {0};
        const char *why = refs[i].bad_escape ? NULL : unreadable(full);
        if (refs[i].bad_escape)
            sb_printf(&msg, "@include path with a backslash: only \\\\ and \\\" may follow one");
        else if (refs[i].name[0] == '/')
            sb_printf(&msg, "@include \"%s\": absolute paths are not supported (libconfig 1.5 "
                            "reads every @include relative to %s/): write it relative to that "
                            "folder", refs[i].name, c->dir);
        else if (why)
            sb_printf(&msg, "cannot open @include file \"%s\" (%s): %s", refs[i].name, tidy, why);
        if (msg.len) {
            add_line(c, loc, NULL, sb_str(&msg));
            bad++;
        } else if (depth < MAX_INCLUDE_DEPTH) {
            bad += check_includes(c, full, tidy, depth + 1);
        }
        sb_free(&msg);
    }
    free(refs);
    return bad;
}

/* ------------------------------------------------------------------ --set */

static void set_error(check_ctx *c, const char *arg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_error(check_ctx *c, const char *arg, const char *fmt, ...)
{
    sbuf loc = {0}, msg = {0};
    va_list ap;
    sb_printf(&loc, "--set %s", arg);
    va_start(ap, fmt);
    sb_vprintf(&msg, fmt, ap);
    va_end(ap);
    add_line(c, sb_str(&loc), NULL, sb_str(&msg));
    sb_free(&loc);
    sb_free(&msg);
}

/* The element of list `l` named by a path component: "[n]" or the element's
 * `name`.  NULL if there is none. */
static config_setting_t *select_elem(config_setting_t *l, const char *comp)
{
    int n = config_setting_length(l);
    if (comp[0] == '[') {
        char *end;
        errno = 0;
        long i = strtol(comp + 1, &end, 10);
        if (!isdigit((unsigned char)comp[1]) || errno || strcmp(end, "]") != 0 || i >= n)
            return NULL;
        return config_setting_get_elem(l, (unsigned)i);
    }
    for (int i = 0; i < n; i++) {
        config_setting_t *el = config_setting_get_elem(l, (unsigned)i);
        const char *name;
        if (config_setting_is_group(el) && config_setting_lookup_string(el, "name", &name) &&
            strcmp(name, comp) == 0)
            return el;
    }
    return NULL;
}

/* Error for a component that names no element: list the names there are. */
static void no_such_elem(check_ctx *c, const char *arg, const char *list, int list_len,
                         const char *comp, const config_setting_t *l)
{
    sbuf names = {0};
    int n = l ? config_setting_length(l) : 0;
    const char *near = NULL;
    int near_d = INT_MAX;
    for (int i = 0; i < n && i < 20; i++) {
        const char *name = "?";
        config_setting_t *el = config_setting_get_elem(l, (unsigned)i);
        if (config_setting_is_group(el) && config_setting_lookup_string(el, "name", &name)) {
            int d = levenshtein(comp, name, (int)strlen(name));
            if (d < near_d)
                near = name, near_d = d;
        }
        sb_printf(&names, "%s[%d] %s", i ? ", " : "", i, name);
    }
    if (near && close_enough(comp, near_d))
        set_error(c, arg, "%.*s has no element '%s' (did you mean '%s'?)", list_len, list, comp,
                  near);
    else if (n == 0)
        set_error(c, arg, "%.*s has no elements", list_len, list);
    else
        set_error(c, arg, "%.*s has no element '%s'; it has %s", list_len, list, comp,
                  sb_str(&names));
    sb_free(&names);
}

/* Put a copy of `value` at the end of the path: as member `name` of group
 * `cur`, or, when `cur` is a list element, into that element (a list element
 * keeps its place; libconfig can only append to lists). */
static int place_value(config_setting_t *cur, const char *name, const config_setting_t *value,
                       mark *m)
{
    config_setting_t *dst;
    if (name) {
        if (config_setting_get_member(cur, name) && config_setting_remove(cur, name) != CONFIG_TRUE)
            return CONFIG_FALSE;
        dst = config_setting_add(cur, name, config_setting_type(value));
    } else {
        while (config_setting_length(cur) > 0)
            if (config_setting_remove_elem(cur, 0) != CONFIG_TRUE)
                return CONFIG_FALSE;
        dst = cur;
    }
    if (!dst || copy_value(dst, value, 0) != CONFIG_TRUE)
        return CONFIG_FALSE;
    config_setting_set_hook(dst, m);
    return CONFIG_TRUE;
}

/* The value of an override as a setting in `tmp`: libconfig syntax, else the
 * text as a string (so that 2025-01-01 needs no quotes).  A lone integer
 * beyond 32 bits gets its L suffix, since libconfig 1.5 would wrap it (seeds
 * are like that).  NULL after reporting an error.  The caller destroys tmp. */
static const config_setting_t *override_value(check_ctx *c, const char *arg, const char *text,
                                              config_t *tmp)
{
    bad_int bad[4];
    int nul_line;
    int n_bad = scan_ints(text, strlen(text), bad, 4, &nul_line);
    size_t n = strlen(text);
    char *src = malloc(n + 2);
    if (!src) {
        config_init(tmp);
        c->err.oom = 1;
        return NULL;
    }
    memcpy(src, text, n + 1);
    if (BS_LIBCONFIG_WRAPS_INTS && n_bad == 1 && !bad[0].is64 && !bad[0].beyond64 &&
        strcmp(bad[0].text, text) == 0) {
        strcat(src, "L");
        n_bad = 0;
    }
    const config_setting_t *v = parse_value(tmp, src);
    free(src);
    if (v) {
        for (int i = 0; i < n_bad; i++) {
            if (!int_is_wrong(&bad[i]))
                continue;
            if (bad[i].beyond64)
                set_error(c, arg, "integer %s does not fit in 64 bits", bad[i].text);
            else
                set_error(c, arg, "integer %s does not fit in 32 bits; write %sL", bad[i].text,
                          bad[i].text);
            return NULL;
        }
        return v;
    }
    config_destroy(tmp);
    config_init(tmp);
    config_setting_t *s = config_setting_add(config_root_setting(tmp), "v", CONFIG_TYPE_STRING);
    if (!s || config_setting_set_string(s, text) != CONFIG_TRUE) {
        set_error(c, arg, "cannot store the value");
        return NULL;
    }
    return s;
}

/* Follow `path` (modified in place) through the schema and the tree
 * together, creating groups on the way (a file need not mention population
 * to have population.scale set), and put the value at its end. */
static void walk_override(check_ctx *c, const char *arg, char *path, const config_setting_t *value,
                          mark *m)
{
    int nd = 0;
    config_setting_t *cur = config_root_setting(&c->cfg);
    for (char *comp = path;;) {
        char *dot = strchr(comp, '.');
        const char *rest = dot ? dot + 1 : NULL;
        int plen = comp > path ? (int)(comp - path - 1) : 0; /* path before comp */
        if (dot)
            *dot = '\0';
        if (!*comp) {
            set_error(c, arg, "empty component in the path");
            return;
        }
        if (c->t.n[nd].type == PT_LIST) {
            /* comp selects an element; cur is what the file has for the list */
            config_setting_t *el = config_setting_is_list(cur) ? select_elem(cur, comp) : NULL;
            if (!el || !config_setting_is_group(el) || c->t.n[nd].first < 0) {
                no_such_elem(c, arg, path, plen, comp, config_setting_is_list(cur) ? cur : NULL);
                return;
            }
            nd = c->t.n[nd].first; /* "[]" */
            if (!rest) {
                if (!config_setting_is_group(value)) {
                    sbuf got = {0};
                    describe(value, &got);
                    set_error(c, arg, "a list element needs a group { ... }, got %s", sb_str(&got));
                    sb_free(&got);
                } else if (place_value(el, NULL, value, m) != CONFIG_TRUE) {
                    set_error(c, arg, "cannot store the value (nested too deeply?)");
                }
                return;
            }
            cur = el;
        } else {
            int child = find_child(&c->t, nd, comp);
            if (child < 0) {
                int near = suggest_child(&c->t, nd, comp);
                if (near >= 0)
                    set_error(c, arg, "unknown parameter (did you mean %.*s%s%.*s%s%s?)", plen,
                              path, plen ? "." : "", c->t.n[near].name_len, c->t.n[near].name,
                              rest ? "." : "", rest ? rest : "");
                else
                    set_error(c, arg, "unknown parameter (blockshift params lists them)");
                return;
            }
            if (!rest) {
                if (place_value(cur, comp, value, m) != CONFIG_TRUE)
                    set_error(c, arg, "cannot store the value (nested too deeply?)");
                return;
            }
            enum ptype want = c->t.n[child].type;
            config_setting_t *next = config_setting_get_member(cur, comp);
            if (!next && want == PT_GROUP) {
                next = config_setting_add(cur, comp, CONFIG_TYPE_GROUP);
                if (!next) {
                    set_error(c, arg, "cannot create the group %s", path);
                    return;
                }
                config_setting_set_hook(next, m);
            }
            if (!next && want == PT_LIST) {
                set_error(c, arg, "%s is not in the configuration, so it has no element %.*s", path,
                          (int)strcspn(rest, "."), rest);
                return;
            }
            if (want != PT_GROUP && want != PT_LIST) {
                set_error(c, arg, "unknown parameter: %s is a value, it has no members", path);
                return;
            }
            if ((want == PT_GROUP && !config_setting_is_group(next)) ||
                (want == PT_LIST && !config_setting_is_list(next))) {
                sbuf loc = {0};
                location(c, next, &loc);
                set_error(c, arg, "%s (%s) is not a %s", path, sb_str(&loc),
                          want == PT_LIST ? "list ( ... )" : "group { ... }");
                sb_free(&loc);
                return;
            }
            cur = next;
            nd = child;
        }
        *dot = '.';
        comp = dot + 1;
    }
}

/* Apply one "path=value" argument to the tree; errors name the argument. */
static void apply_override(check_ctx *c, const char *arg, mark *m)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        set_error(c, arg, "expected PATH=VALUE, like population.scale=500");
        return;
    }
    char *path = strndup(arg, (size_t)(eq - arg));
    if (!path) {
        c->err.oom = 1;
        return;
    }
    config_t tmp;
    const config_setting_t *value = override_value(c, arg, eq + 1, &tmp);
    if (value)
        walk_override(c, arg, path, value, m);
    config_destroy(&tmp);
    free(path);
}
/* ------------------------------------------------------ values into the world */

/* Results of converting one value. */
enum conv { CONV_OK, CONV_RANGE /* stored, but out of range */, CONV_BAD /* not stored */ };

/* The range of an entry for messages and the reference: "0..1", ">= 1",
 * dates as ISO.  Empty when the entry declares none (min = max = 0). */
static void range_text(const schema_entry *e, char *buf, size_t size)
{
    char lo[40], hi[40];
    buf[0] = '\0';
    if (e->min == 0 && e->max == 0)
        return;
    if (e->type == PT_DATE) {
        fmt_date(lo, sizeof lo, (long)e->min);
        if (e->max >= INT32_MAX)
            snprintf(buf, size, ">= %s", lo);
        else {
            fmt_date(hi, sizeof hi, (long)e->max);
            snprintf(buf, size, "%s..%s", lo, hi);
        }
        return;
    }
    fmt_num(lo, sizeof lo, e->min);
    fmt_num(hi, sizeof hi, e->max);
    if (e->max >= DBL_MAX)
        snprintf(buf, size, ">= %s", lo);
    else if (e->min <= -DBL_MAX)
        snprintf(buf, size, "<= %s", hi);
    else
        snprintf(buf, size, "%s..%s", lo, hi);
}

static int in_range(const schema_entry *e, double v)
{
    return (e->min == 0 && e->max == 0) || (v >= e->min && v <= e->max);
}

static enum conv range_error(const schema_entry *e, const char *shown, sbuf *msg)
{
    char r[96];
    range_text(e, r, sizeof r);
    sb_printf(msg, "%s is out of range %s%s%s", shown, r, e->unit[0] ? " " : "", e->unit);
    return CONV_RANGE;
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
    if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) {
        sb_printf(msg, "expected an integer, got ");
        describe(s, msg);
        return CONV_BAD;
    }
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
        sb_printf(msg, "expected a number, got ");
        describe(s, msg);
        if (config_setting_type(s) == CONFIG_TYPE_STRING &&
            number_len(config_setting_get_string(s)) == strlen(config_setting_get_string(s)))
            sb_printf(msg, " (write numbers without quotes)");
        return CONV_BAD;
    }
    if (!isfinite(v)) {
        sb_printf(msg, "%g is not a finite number", v);
        return CONV_BAD;
    }
    memcpy(dst, &v, sizeof v);
    char shown[40];
    fmt_num(shown, sizeof shown, v);
    return in_range(e, v) ? CONV_OK : range_error(e, shown, msg);
}

static enum conv conv_bool(const config_setting_t *s, void *dst, sbuf *msg)
{
    if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
        sb_printf(msg, "expected true or false, got ");
        describe(s, msg);
        return CONV_BAD;
    }
    int v = config_setting_get_bool(s) ? 1 : 0;
    memcpy(dst, &v, sizeof v);
    return CONV_OK;
}

static enum conv conv_string(const schema_entry *e, const config_setting_t *s, void *dst, sbuf *msg)
{
    if (config_setting_type(s) != CONFIG_TYPE_STRING) {
        sb_printf(msg, "expected a string in quotes, got ");
        describe(s, msg);
        return CONV_BAD;
    }
    const char *v = config_setting_get_string(s);
    size_t n = strlen(v);
    if (n >= e->size) {
        sb_printf(msg, "string of %zu bytes is too long (at most %zu)", n, e->size - 1);
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
        sb_quote_short(msg, v);
    else
        describe(s, msg);
    sb_printf(msg, " is not one of");
    for (int i = 0; i < e->n_enum; i++)
        sb_printf(msg, "%s \"%s\"", i ? "," : "", e->enum_names[i]);
    const char *near = v ? suggest_name(e->enum_names, e->n_enum, v) : NULL;
    if (near)
        sb_printf(msg, " (did you mean \"%s\"?)", near);
    return CONV_BAD;
}

static enum conv conv_date(const schema_entry *e, const config_setting_t *s, void *dst, sbuf *msg)
{
    if (config_setting_type(s) != CONFIG_TYPE_STRING) {
        sb_printf(msg, "expected an ISO date in quotes, like \"2025-08-13\", got ");
        describe(s, msg);
        return CONV_BAD;
    }
    const char *v = config_setting_get_string(s);
    const char *why;
    long days;
    if (parse_date(v, &days, &why) != 0) {
        sb_quote_short(msg, v);
        sb_printf(msg, " %s", why);
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
            sb_printf(msg, "a bare number needs a unit, like %s (%s)", unit_example(e),
                      unit_list(e->type));
        else {
            sb_printf(msg, "expected a %s in quotes, like %s, got ", ptype_names[e->type],
                      unit_example(e));
            describe(s, msg);
        }
        return CONV_BAD;
    }
    const char *text = config_setting_get_string(s);
    if (parse_unit_value(e, text, &v, msg) != 0)
        return CONV_BAD;
    memcpy(dst, &v, sizeof v);
    char num[40];
    sbuf shown = {0};
    fmt_num(num, sizeof num, v);
    sb_quote_short(&shown, text);
    if (strcmp(e->unit, "") != 0)
        sb_printf(&shown, " (%s %s)", num, e->unit);
    enum conv rc = in_range(e, v) ? CONV_OK : range_error(e, sb_str(&shown), msg);
    sb_free(&shown);
    return rc;
}

/* A list of names: ["a", "b"] (a list ("a", "b") is taken too). */
static enum conv conv_names(const schema_entry *e, const config_setting_t *s, void *dst, sbuf *msg)
{
    if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
        sb_printf(msg, "expected a list of names in brackets, like [\"a\", \"b\"], got ");
        describe(s, msg);
        return CONV_BAD;
    }
    strlist *l = dst;
    memset(l, 0, sizeof *l);
    int n = config_setting_length(s);
    int cap = e->max > 0 && e->max < MAX_LIST ? (int)e->max : MAX_LIST;
    if (n > cap) {
        sb_printf(msg, "has %d names; at most %d are allowed", n, cap);
        return CONV_BAD;
    }
    if (n < e->min) {
        sb_printf(msg, "needs at least %g name%s", e->min, e->min == 1 ? "" : "s");
        return CONV_BAD;
    }
    for (int i = 0; i < n; i++) {
        const config_setting_t *el = config_setting_get_elem(s, (unsigned)i);
        if (config_setting_type(el) != CONFIG_TYPE_STRING) {
            sb_printf(msg, "element %d: expected a name in quotes, got ", i);
            describe(el, msg);
            memset(l, 0, sizeof *l);
            return CONV_BAD;
        }
        const char *v = config_setting_get_string(el);
        size_t len = strlen(v);
        if (len >= W_NAME) {
            sb_printf(msg, "element %d: a name of %zu bytes is too long (at most %d)", i, len,
                      W_NAME - 1);
            memset(l, 0, sizeof *l);
            return CONV_BAD;
        }
        memcpy(l->v[i], v, len);
    }
    l->n = n;
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
    default:
        sb_printf(msg, "not a value");
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
            if (find_child(&c->t, k, name) >= 0)
                continue;
            size_t old = wpath_push(path, name, 64, 0);
            int near = suggest_child(&c->t, k, name);
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
    if (s) {
        const mark *m = config_setting_get_hook(s);
        if (m && m->kind == MARK_WRAPPED) /* reported by check_source_files */
            use_default = 1;
        else {
            enum conv rc = convert_leaf(e, s, dst, &msg);
            if (rc != CONV_OK)
                error_at(c, s, path->s, "%s", sb_str(&msg));
            use_default = rc == CONV_BAD; /* out of range: the value stays */
        }
    } else if (!e->def && !quiet) {
        error_at(c, where, path->s, "missing required setting");
    }
    if (use_default && e->def) {
        const config_setting_t *d = default_of(c, k);
        sbuf dmsg = {0};
        if (!d || convert_leaf(e, d, dst, &dmsg) != CONV_OK)
            error_at(c, where, path->s, "the schema's default %s is wrong: %s", e->def,
                     d ? sb_str(&dmsg) : "it does not parse");
        sb_free(&dmsg);
    }
    c->err.oom |= msg.oom;
    sb_free(&msg);
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

void check_error(check_ctx *c, const char *path, const char *fmt, ...)
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

/* Whether the top file can be read; if not, the reason as an error line. */
static int can_open(check_ctx *c)
{
    const char *why = unreadable(c->top);
    if (!why)
        return 1;
    sbuf msg = {0};
    sb_printf(&msg, "cannot open: %s", why);
    add_line(c, c->top, NULL, sb_str(&msg));
    sb_free(&msg);
    return 0;
}

/* The setting name that starts line `line` of `file` ("" if none), for
 * libconfig's "duplicate setting name", which does not say which. */
static void name_at_line(const char *file, int line, char *out, size_t n)
{
    out[0] = '\0';
    size_t len = 0;
    char *text = file ? read_all(file, &len) : NULL;
    if (!text)
        return;
    const char *p = text, *end = text + len;
    for (int l = 1; l < line && p < end; p++)
        if (*p == '\n')
            l++;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '{' || *p == ',' || *p == ';'))
        p++;
    size_t k = 0;
    while (p < end && k + 1 < n &&
           ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (k > 0 && ((*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))))
        out[k++] = *p++;
    out[k] = '\0';
    free(text);
}

/* A parse error: one line, in the file libconfig names (an @include file,
 * possibly). */
static void parse_error(check_ctx *c)
{
    char f[4096], loc[4200];
    const char *text = config_error_text(&c->cfg) ? config_error_text(&c->cfg) : "unreadable";
    display_file(c, config_error_file(&c->cfg), f, sizeof f);
    if (config_error_line(&c->cfg) > 0)
        snprintf(loc, sizeof loc, "%s:%d", f, config_error_line(&c->cfg));
    else
        snprintf(loc, sizeof loc, "%s", f);
    sbuf msg = {0};
    if (strcmp(text, "syntax error") == 0)
        sb_printf(&msg, "syntax error");
    else if (strcmp(text, "cannot open include file") == 0)
        sb_printf(&msg, "cannot open an @include file (paths are relative to %s/)", c->dir);
    else if (strcmp(text, "memory exhausted") == 0)
        sb_printf(&msg, "syntax error: nested too deeply");
    else if (strcmp(text, "duplicate setting name") == 0) {
        char name[64];
        name_at_line(config_error_file(&c->cfg), config_error_line(&c->cfg), name, sizeof name);
        sb_printf(&msg, "'%s' is set twice in the same group (an @included file may set it "
                        "already)", name[0] ? name : "a setting");
    }
    else
        sb_printf(&msg, "syntax error: %s", text);
    add_line(c, loc, NULL, sb_str(&msg));
    sb_free(&msg);
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
    sb_free(&c->err);
    sb_free(&c->tainted);
}

int config_load(const char *path, int n_set, char *const *set, world *w, char **errors)
{
    if (errors)
        *errors = NULL;
    if (w)
        memset(w, 0, sizeof *w);
    if (!path || !w || n_set < 0 || (n_set > 0 && !set))
        return bs_fail(BS_EINPUT, "config_load: no file or no world");
    check_ctx c;
    memset(&c, 0, sizeof c);
    c.top = path;
    c.wrapped.kind = MARK_WRAPPED;
    int rc = tree_build(&c.t);
    if (rc != BS_OK) {
        ctx_free(&c);
        return rc;
    }
    c.dir = folder_of(path);
    c.defs = calloc((size_t)c.t.count, sizeof *c.defs);
    c.marks = calloc((size_t)n_set + 1, sizeof *c.marks);
    if (!c.dir || !c.defs || !c.marks) {
        ctx_free(&c);
        return bs_fail(BS_ENOMEM, "out of memory loading %s", path);
    }
    config_init(&c.cfg);
    config_set_include_dir(&c.cfg, c.dir);

    int opened = can_open(&c);
    int includes_ok = opened && check_includes(&c, path, path, 1) == 0;
    int parsed = includes_ok && config_read_file(&c.cfg, path) == CONFIG_TRUE;
    if (includes_ok && !parsed)
        parse_error(&c);
    if (parsed) {
        check_source_files(&c);
        for (int i = 0; i < n_set; i++) {
            c.marks[i] = (mark){MARK_OVERRIDE, set[i] ? set[i] : ""};
            apply_override(&c, c.marks[i].text, &c.marks[i]);
        }
        wpath wp = {{0}, 0};
        load_group(&c, 0, config_root_setting(&c.cfg), config_root_setting(&c.cfg), (char *)w, &wp,
                   0);
        c.resolving = 1;
        world_resolve(w, &c);
    }
    config_destroy(&c.cfg);

    if (c.err.oom) {
        ctx_free(&c);
        return bs_fail(BS_ENOMEM, "out of memory loading %s", path);
    }
    if (c.n_err == 0) {
        ctx_free(&c);
        return BS_OK;
    }
    if (!opened)
        rc = bs_fail(BS_EINPUT, "%.*s", (int)(c.err.len ? c.err.len - 1 : 0), sb_str(&c.err));
    else
        rc = bs_fail(BS_EINPUT, "%d error%s in %s", c.n_err, c.n_err == 1 ? "" : "s", path);
    if (errors) {
        *errors = c.err.s; /* handed over */
        c.err.s = NULL;
    }
    ctx_free(&c);
    return rc;
}

/* ------------------------------------------------------------- config_dump */

static void dump_value(const stree *t, int k, const char *base, sbuf *out)
{
    const schema_entry *e = t->n[k].e;
    const char *p = base + e->offset;
    char num[48];
    switch (e->type) {
    case PT_INT: {
        int64_t v;
        memcpy(&v, p, sizeof v);
        /* libconfig 1.5 needs the L beyond 32 bits */
        sb_printf(out, "%lld%s", (long long)v, v > INT32_MAX || v < INT32_MIN ? "L" : "");
        break;
    }
    case PT_REAL: {
        double v;
        memcpy(&v, p, sizeof v);
        fmt_real(num, sizeof num, v);
        sb_printf(out, "%s", num);
        break;
    }
    case PT_BOOL: {
        int v;
        memcpy(&v, p, sizeof v);
        sb_printf(out, "%s", v ? "true" : "false");
        break;
    }
    case PT_STRING: {
        char buf[W_TEXT > W_NAME ? W_TEXT : W_NAME];
        size_t n = e->size < sizeof buf ? e->size : sizeof buf;
        memcpy(buf, p, n);
        buf[n - 1] = '\0';
        sb_quote(out, buf);
        break;
    }
    case PT_ENUM: {
        int v;
        memcpy(&v, p, sizeof v);
        if (v >= 0 && v < e->n_enum)
            sb_printf(out, "\"%s\"", e->enum_names[v]);
        else
            sb_printf(out, "%d", v); /* not a valid world; will not load back */
        break;
    }
    case PT_DATE: {
        int32_t v;
        memcpy(&v, p, sizeof v);
        fmt_date(num, sizeof num, v);
        sb_printf(out, "\"%s\"", num);
        break;
    }
    case PT_DURATION:
    case PT_RATE:
    case PT_BYTES: {
        /* In the stored unit, whose factor is exactly 1: reads back bit for bit. */
        double v;
        memcpy(&v, p, sizeof v);
        fmt_num(num, sizeof num, v);
        sb_printf(out, "\"%s%s\"", num, dump_unit(e->type));
        break;
    }
    case PT_NAMES: {
        const strlist *l = (const strlist *)p;
        int n = l->n < 0 ? 0 : l->n > MAX_LIST ? MAX_LIST : l->n;
        sb_printf(out, "[");
        for (int i = 0; i < n; i++) {
            char name[W_NAME];
            memcpy(name, l->v[i], W_NAME);
            name[W_NAME - 1] = '\0';
            sb_printf(out, "%s", i ? ", " : "");
            sb_quote(out, name);
        }
        sb_printf(out, "]");
        break;
    }
    default:
        break;
    }
}

static void dump_members(const stree *t, int k, const char *base, int indent, sbuf *out);

static void dump_node(const stree *t, int k, const char *base, int indent, sbuf *out)
{
    const snode *nd = &t->n[k];
    sb_printf(out, "%*s%.*s = ", indent, "", nd->name_len, nd->name);
    if (nd->type == PT_GROUP) {
        sb_printf(out, "{\n");
        dump_members(t, k, base, indent + 2, out);
        sb_printf(out, "%*s};\n", indent, "");
    } else if (nd->type == PT_LIST) {
        int n;
        memcpy(&n, base + nd->e->count_offset, sizeof n);
        if (n < 0 || n > nd->e->max)
            n = n < 0 ? 0 : (int)nd->e->max;
        if (n == 0) {
            sb_printf(out, "();\n");
            return;
        }
        sb_printf(out, "(\n");
        for (int i = 0; i < n; i++) {
            sb_printf(out, "%*s{\n", indent + 2, "");
            if (nd->first >= 0)
                dump_members(t, nd->first, base + nd->e->offset + (size_t)i * nd->e->size,
                             indent + 4, out);
            sb_printf(out, "%*s}%s\n", indent + 2, "", i + 1 < n ? "," : "");
        }
        sb_printf(out, "%*s);\n", indent, "");
    } else {
        dump_value(t, k, base, out);
        sb_printf(out, ";\n");
    }
}

static void dump_members(const stree *t, int k, const char *base, int indent, sbuf *out)
{
    for (int ch = t->n[k].first; ch >= 0; ch = t->n[ch].next)
        dump_node(t, ch, base, indent, out);
}

char *config_dump(const world *w)
{
    stree t = {0};
    if (!w || tree_build(&t) != BS_OK) {
        free(t.n);
        return NULL;
    }
    sbuf out = {0};
    sb_printf(&out, "# The resolved configuration: every parameter, defaults filled in.\n");
    dump_members(&t, 0, (const char *)w, 0, &out);
    free(t.n);
    if (out.oom) {
        sb_free(&out);
        bs_fail(BS_ENOMEM, "out of memory writing the configuration");
        return NULL;
    }
    return out.s;
}

/* ----------------------------------------------------------- config_params */

/* The cells of one reference row. */
typedef struct prow {
    char path[128], type[16], def[96], range[160], unit[32];
    const char *desc, *source;
} prow;

static void param_row(const schema_entry *e, prow *r)
{
    snprintf(r->path, sizeof r->path, "%s", e->path);
    snprintf(r->type, sizeof r->type, "%s", ptype_names[e->type]);
    if (e->type == PT_GROUP)
        r->def[0] = '\0';
    else
        snprintf(r->def, sizeof r->def, "%s", e->def ? e->def : "required");
    snprintf(r->unit, sizeof r->unit, "%s", e->unit ? e->unit : "");
    r->range[0] = '\0';
    if (e->type == PT_ENUM) {
        size_t at = 0;
        for (int i = 0; i < e->n_enum && at < sizeof r->range; i++)
            at += (size_t)snprintf(r->range + at, sizeof r->range - at, "%s%s", i ? ", " : "",
                                   e->enum_names[i]);
    } else if (e->type == PT_STRING) {
        snprintf(r->range, sizeof r->range, "<= %zu bytes", e->size - 1);
    } else if (e->type == PT_LIST || e->type == PT_NAMES) {
        char tmp[96];
        range_text(e, tmp, sizeof tmp);
        snprintf(r->range, sizeof r->range, "%s %s", tmp,
                 e->type == PT_LIST ? "elements" : "names");
    } else if (e->type != PT_BOOL && e->type != PT_GROUP) {
        range_text(e, r->range, sizeof r->range);
    }
    r->desc = e->desc ? e->desc : "";
    r->source = e->source ? e->source : "";
}

/* A Markdown table cell: | escaped, no line breaks. */
static void md_cell(FILE *out, const char *s, int code)
{
    fputs(code && *s ? " `" : " ", out);
    for (const char *p = s; *p; p++) {
        if (*p == '|')
            fputs("\\|", out);
        else if (*p == '\n' || *p == '\r')
            fputc(' ', out);
        else
            fputc(*p, out);
    }
    fputs(code && *s ? "` |" : " |", out);
}

static void params_markdown(FILE *out, const stree *t)
{
    fprintf(out, "# blockshift parameters\n\n");
    fprintf(out, "_Generated by `blockshift params --markdown` from the schema "
                 "(models/schema.c); do not edit by hand: change the schema and "
                 "regenerate._\n\n");
    fprintf(out, "Every parameter of a configuration, with its type, default, allowed range "
                 "and unit (of the stored value), meaning and source. Durations are written "
                 "with a unit (\"90s\", \"30min\", \"6h\", \"7d\", \"2w\", \"3y\" = 365 days) "
                 "and stored in days; rates in bps, kbps, Mbps or Gbps; sizes in B, kB, MB "
                 "or GB (powers of 1000); dates as ISO \"YYYY-MM-DD\". \"required\" means "
                 "there is no default. `[]` stands for every element of a list.\n");
    for (int sec = t->n[0].first; sec >= 0; sec = t->n[sec].next) {
        const snode *s = &t->n[sec];
        fprintf(out, "\n## %.*s\n\n", s->name_len, s->name);
        if (s->e && s->e->desc && *s->e->desc)
            fprintf(out, "%s.\n\n", s->e->desc);
        fprintf(out, "| parameter | type | default | range | unit | description | source |\n");
        fprintf(out, "|---|---|---|---|---|---|---|\n");
        for (int i = 0; i < n_schema; i++) {
            const schema_entry *e = &schema[i];
            size_t n = (size_t)s->name_len;
            if (strncmp(e->path, s->name, n) != 0 || (e->path[n] != '.' && e->path[n] != '\0'))
                continue;
            if (e->path[n] == '\0' && e->type == PT_GROUP)
                continue; /* the section itself: its heading */
            prow r;
            param_row(e, &r);
            fputc('|', out);
            md_cell(out, r.path, 1);
            md_cell(out, r.type, 0);
            md_cell(out, r.def, schema[i].def != NULL); /* "required" is no code */
            md_cell(out, r.range, 0);
            md_cell(out, r.unit, 0);
            md_cell(out, r.desc, 0);
            md_cell(out, r.source, 0);
            fputc('\n', out);
        }
    }
}

static void params_plain(FILE *out)
{
    int wp = 9, wt = 4, wd = 7, wr = 5;
    prow r;
    for (int i = 0; i < n_schema; i++) {
        param_row(&schema[i], &r);
        int lp = (int)strlen(r.path), lt = (int)strlen(r.type);
        int ld = (int)strlen(r.def), lr = (int)strlen(r.range);
        wp = lp > wp ? lp : wp;
        wt = lt > wt ? lt : wt;
        wd = ld > wd && ld <= 24 ? ld : wd; /* a long default does not widen the table */
        wr = lr > wr && lr <= 32 ? lr : wr;
    }
    fprintf(out, "%-*s  %-*s  %-*s  %-*s  %s\n", wp, "parameter", wt, "type", wd, "default", wr,
            "range", "unit");
    for (int i = 0; i < n_schema; i++) {
        param_row(&schema[i], &r);
        if (!strchr(r.path, '.') && i > 0)
            fputc('\n', out);
        char line[512];
        int n = snprintf(line, sizeof line, "%-*s  %-*s  %-*s  %-*s  %s", wp, r.path, wt, r.type,
                         wd, r.def, wr, r.range, r.unit);
        while (n > 0 && (size_t)n < sizeof line && line[n - 1] == ' ')
            line[--n] = '\0'; /* no trailing blanks where there is no unit */
        fprintf(out, "%s\n", line);
        if (*r.desc)
            fprintf(out, "    %s\n", r.desc);
        if (*r.source)
            fprintf(out, "    source: %s\n", r.source);
    }
}

int config_params(FILE *out, int markdown)
{
    stree t = {0};
    int rc = tree_build(&t);
    if (rc != BS_OK) {
        free(t.n);
        return rc;
    }
    if (markdown)
        params_markdown(out, &t);
    else
        params_plain(out);
    free(t.n);
    if (fflush(out) != 0 || ferror(out))
        return bs_fail(BS_ERUNTIME, "cannot write the parameter reference: %s", strerror(errno));
    return BS_OK;
}
