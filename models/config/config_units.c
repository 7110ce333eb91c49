/* config_units: numbers, dates and units, as the user writes them and as
 * config_dump() writes them back.
 *
 * Durations are stored in days, rates in bit/s, sizes in bytes, dates as days
 * since 1970-01-01 (the proleptic Gregorian calendar, H. Hinnant's
 * "chrono-compatible low-level date algorithms").  Numbers are converted as
 * number * mul / div with exact integer factors, so that "6h" is exactly 0.25.
 */
#include "config/config_internal.h"

#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- formatting */

/* The shortest %.Ng text of x that strtod reads back to the same double,
 * without an exponent up to 1e17 (1460 rather than 1.46e+03). */
void config_fmt_num(char *buf, size_t size, double x)
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
void config_fmt_real(char *buf, size_t size, double x)
{
    char num[40];
    config_fmt_num(num, sizeof num, x);
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

void config_fmt_date(char *buf, size_t size, long days)
{
    long y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(buf, size, "%04ld-%02d-%02d", y, m, d);
}

/* "YYYY-MM-DD", a real calendar day, into days since 1970-01-01.
 * Returns 0, or -1 with a reason in `why`. */
int config_parse_date(const char *s, long *days, const char **why)
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
const char *config_dump_unit(enum ptype t) { return t == PT_DURATION ? "d" : t == PT_RATE ? "bps" : "B"; }

const char *config_unit_list(enum ptype t)
{
    return t == PT_DURATION ? "s, min, h, d, w or y"
           : t == PT_RATE   ? "bps, kbps, Mbps or Gbps"
                            : "B, kB, MB or GB";
}

/* An example of the form: the schema's own default when it has one. */
const char *config_unit_example(const schema_entry *e)
{
    if (e->def && e->def[0] == '"')
        return e->def;
    return e->type == PT_DURATION ? "\"7d\"" : e->type == PT_RATE ? "\"130kbps\"" : "\"2MB\"";
}

/* Length of a decimal number at s ([+-]digits[.digits][e[+-]digits]), or 0.
 * Stricter than strtod: no hex, inf or nan, which "7d" style input never
 * means. */
size_t config_number_len(const char *s)
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
int config_parse_unit_value(const schema_entry *e, const char *s, double *out, sbuf *msg)
{
    const char *p = s;
    while (*p == ' ')
        p++;
    size_t n = config_number_len(p);
    if (n == 0 || n > 60) {
        config_sb_quote_short(msg, s);
        config_sb_printf(msg, " is not a %s: write a number and a unit, like %s", schema_ptype_names[e->type],
                  config_unit_example(e));
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
        config_sb_quote_short(msg, s);
        config_sb_printf(msg, " needs a unit, like %s (%s)", config_unit_example(e), config_unit_list(e->type));
        return -1;
    }
    for (const unit *un = units_of(e->type); un->name; un++) {
        if (strlen(un->name) == ulen && memcmp(un->name, u, ulen) == 0) {
            double x = strtod(num, NULL) * un->mul / un->div;
            if (!isfinite(x)) {
                config_sb_quote_short(msg, s);
                config_sb_printf(msg, " is too large");
                return -1;
            }
            *out = x;
            return 0;
        }
    }
    config_sb_printf(msg, "unknown unit ");
    config_sb_quote_short(msg, u);
    config_sb_printf(msg, " in ");
    config_sb_quote_short(msg, s);
    config_sb_printf(msg, " (use %s)", config_unit_list(e->type));
    return -1;
}

/* ------------------------------------------------------------------ ranges */

/* The range of an entry for messages and the reference: "0..1", ">= 1",
 * dates as ISO.  Empty when the entry declares none (min = max = 0). */
void config_range_text(const schema_entry *e, char *buf, size_t size)
{
    char lo[40], hi[40];
    buf[0] = '\0';
    if (e->min == 0 && e->max == 0)
        return;
    if (e->type == PT_DATE) {
        config_fmt_date(lo, sizeof lo, (long)e->min);
        if (e->max >= INT32_MAX)
            snprintf(buf, size, ">= %s", lo);
        else {
            config_fmt_date(hi, sizeof hi, (long)e->max);
            snprintf(buf, size, "%s..%s", lo, hi);
        }
        return;
    }
    config_fmt_num(lo, sizeof lo, e->min);
    config_fmt_num(hi, sizeof hi, e->max);
    if (e->max >= DBL_MAX)
        snprintf(buf, size, ">= %s", lo);
    else if (e->min <= -DBL_MAX)
        snprintf(buf, size, "<= %s", hi);
    else
        snprintf(buf, size, "%s..%s", lo, hi);
}
