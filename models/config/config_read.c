/* config_read: reading the scenario files, and what libconfig 1.5 does not
 * check there.
 *
 *   before the read: the top file opens, every @include names a readable
 *      file (libconfig 1.5 exits the process on a directory);
 *   the read's own error, as one line;
 *   after the read: integers that libconfig 1.5 silently wraps, NUL bytes.
 *
 * Errors name "file:line" with file names as the user would open them.
 */
#include "config/config_internal.h"

#include "base/fsutil.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ------------------------------------------------------ files and their text */

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
void config_display_file(const check_ctx *c, const char *file, char *out, size_t size)
{
    if (!file || strcmp(file, c->top) == 0) {
        snprintf(out, size, "%s", c->top);
        return;
    }
    for (int k = 0; k < c->n_moved; k++)
        if (strcmp(file, c->moved_rel[k]) == 0) {
            snprintf(out, size, "%s", c->moved_full[k]);
            return;
        }
    char joined[4096];
    snprintf(joined, sizeof joined, "%s/%s", c->dir, file);
    tidy_path(out, size, joined);
}

/* Read a whole file (NUL-terminated; *len excludes the NUL).  NULL if it
 * cannot be read: the caller leaves the complaint to libconfig (but not
 * errno ENOMEM: memory ran out, c->err.oom). */
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
        errno = s ? EIO : ENOMEM;
        return NULL;
    }
    s[n] = '\0';
    *len = n;
    return s;
}

/* If p starts a comment (#, // or a block comment) or a string, where it
 * ends: at the newline of a line comment, just past a block comment or the
 * closing quote (or at `end`), with its newlines added to *line.  A NUL byte
 * in a string sets *nul_line to its line when that is still 0 (nul_line may
 * be NULL).  NULL if p starts neither. */
static const char *skip_comment_or_string(const char *p, const char *end, int *line, int *nul_line)
{
    if (*p == '#' || (*p == '/' && p + 1 < end && p[1] == '/')) {
        while (p < end && *p != '\n')
            p++;
        return p;
    }
    if (*p == '/' && p + 1 < end && p[1] == '*') {
        for (p += 2; p < end && !(*p == '*' && p + 1 < end && p[1] == '/'); p++)
            *line += *p == '\n';
        return p < end ? p + 2 : end;
    }
    if (*p == '"') {
        for (p++; p < end && *p != '"'; p++) {
            if (*p == '\\' && p + 1 < end)
                p++;
            *line += *p == '\n';
            if (*p == '\0' && nul_line && !*nul_line)
                *nul_line = *line;
        }
        return p < end ? p + 1 : end;
    }
    return NULL;
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
        const char *skipped;
        if (*p == '\n') {
            line++, p++, at_line_start = 1;
        } else if ((skipped = skip_comment_or_string(p, end, &line, NULL)) != NULL) {
            p = skipped;
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

static const char *search_share; /* config_search_share() */

void config_search_share(const char *dir) { search_share = dir; }

/* Where an @include of `name` is: c->dir/name when that is a readable file
 * (libconfig's own rule; 0), else `name` itself when absolute, else the
 * first folder of BLOCKSHIFT_PATH, then the share folder, holding it (1,
 * the path in full[]); -1 if none (full[]: c->dir/name). */
static int resolve_include(const check_ctx *c, const char *name, char *full, size_t size)
{
    if (name[0] == '/') {
        snprintf(full, size, "%s", name);
        return unreadable(full) ? -1 : 1;
    }
    snprintf(full, size, "%s/%s", c->dir, name);
    if (!unreadable(full))
        return 0;
    char dir[4096];
    for (const char *cur = NULL; fsutil_search_path(&cur, dir, sizeof dir);) {
        int len = snprintf(full, size, "%s/%s", dir, name);
        if (len > 0 && (size_t)len < size && !unreadable(full))
            return 1;
    }
    if (search_share) {
        snprintf(full, size, "%s/%s", search_share, name);
        if (!unreadable(full))
            return 1;
    }
    snprintf(full, size, "%s/%s", c->dir, name);
    return -1;
}

/* The name libconfig, which joins c->dir and an @include name, must be
 * given for the file at `full`: up from c->dir's real folder to / and down
 * to full's real path ("../../../usr/share/..."); NULL if either has no
 * real path, or out of memory. */
static char *name_from_dir(const check_ctx *c, const char *full)
{
    char *dir = realpath(c->dir, NULL), *target = realpath(full, NULL), *out = NULL;
    if (dir && target) {
        int up = 0;
        for (const char *p = dir; *p; p++)
            up += *p == '/' && p[1] != '\0';
        size_t len = (size_t)up * 3 + strlen(target);
        out = malloc(len + 1);
        if (out) {
            out[0] = '\0';
            for (int k = 0; k < up; k++)
                strcat(out, "../");
            strcat(out, target + 1);
        }
    }
    free(dir);
    free(target);
    return out;
}

/* Check the @include targets of file `path` (shown as `shown`) and of the
 * files they include.  Returns the number of errors reported. */
int config_check_includes(check_ctx *c, const char *path, const char *shown, int depth)
{
    size_t len = 0;
    char *text = read_all(path, &len);
    if (!text) {
        c->err.oom |= errno == ENOMEM;
        return 0; /* libconfig will say it cannot read it */
    }
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
        int where = refs[i].bad_escape ? -1 : resolve_include(c, refs[i].name, full, sizeof full);
        tidy_path(tidy, sizeof tidy, full);
        sbuf msg = {0};
        if (refs[i].bad_escape)
            config_sb_printf(&msg, "@include path with a backslash: only \\\\ and \\\" may follow one");
        else if (where < 0 && refs[i].name[0] == '/')
            config_sb_printf(&msg, "cannot open @include file \"%s\": %s", refs[i].name,
                             unreadable(full));
        else if (where < 0)
            config_sb_printf(&msg, "cannot open @include file \"%s\" (%s): %s; nor is it in "
                             "BLOCKSHIFT_PATH (%s) or %s",
                             refs[i].name, tidy, unreadable(full), fsutil_search_path_text(),
                             search_share ? search_share : "a share folder (none)");
        else if (where > 0 && depth > 1)
            config_sb_printf(&msg, "@include \"%s\" in an included file: found as %s, but "
                             "libconfig 1.5 reads an included file's @include from %s/ only: "
                             "include it from the top file, or name it relative to that folder",
                             refs[i].name, tidy, c->dir);
        else if (where > 0) {
            char *rel = c->n_moved < MAX_MOVED ? name_from_dir(c, full) : NULL;
            char *kept = rel ? strdup(tidy) : NULL;
            if (!rel || !kept) {
                free(rel);
                free(kept);
                config_sb_printf(&msg, "@include \"%s\": cannot use %s (more than %d such "
                                 "@include lines, or out of memory)", refs[i].name, tidy, MAX_MOVED);
            } else {
                c->moved_line[c->n_moved] = refs[i].line;
                c->moved_rel[c->n_moved] = rel;
                c->moved_full[c->n_moved++] = kept;
            }
        }
        if (msg.len) {
            config_add_line(c, loc, NULL, config_sb_str(&msg));
            bad++;
        } else if (depth < MAX_INCLUDE_DEPTH) {
            bad += config_check_includes(c, full, tidy, depth + 1);
        }
        config_sb_free(&msg);
    }
    free(refs);
    return bad;
}

char *config_rewrite_includes(check_ctx *c)
{
    size_t len = 0;
    char *text = read_all(c->top, &len);
    if (!text) {
        c->err.oom |= errno == ENOMEM;
        return NULL;
    }
    sbuf out = {0};
    int line = 1, k = 0;
    for (const char *p = text; *p;) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p + 1) : strlen(p);
        const char *at = NULL;
        while (k < c->n_moved && c->moved_line[k] < line)
            k++;
        if (k < c->n_moved && c->moved_line[k] == line)
            at = strstr(p, "@include");
        const char *q1 = at && at < p + n ? strchr(at, '"') : NULL;
        const char *q2 = q1 ? q1 + 1 : NULL;
        while (q2 && *q2 && *q2 != '"' && *q2 != '\n')
            q2 += *q2 == '\\' && q2[1] ? 2 : 1;
        if (q2 && *q2 == '"') { /* the name written on one line, as find_includes read it */
            config_sb_printf(&out, "%.*s\"", (int)(q1 - p), p);
            for (const char *r = c->moved_rel[k]; *r; r++)
                config_sb_printf(&out, "%s%c", *r == '"' || *r == '\\' ? "\\" : "", *r);
            config_sb_printf(&out, "%.*s", (int)(p + n - q2), q2);
        } else {
            config_sb_printf(&out, "%.*s", (int)n, p);
        }
        p += n;
        line++;
    }
    free(text);
    if (out.oom) {
        c->err.oom = 1;
        config_sb_free(&out);
        return NULL;
    }
    char *s = strdup(config_sb_str(&out));
    config_sb_free(&out);
    if (!s)
        c->err.oom = 1;
    return s;
}

/* Whether the top file can be read; if not, the reason as an error line. */
int config_can_open(check_ctx *c)
{
    const char *why = unreadable(c->top);
    if (!why)
        return 1;
    sbuf msg = {0};
    config_sb_printf(&msg, "cannot open: %s", why);
    config_add_line(c, c->top, NULL, config_sb_str(&msg));
    config_sb_free(&msg);
    return 0;
}

/* ------------------------------------------------------------ read errors */

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
void config_parse_error(check_ctx *c)
{
    char f[4096], loc[4200];
    const char *text = config_error_text(&c->cfg) ? config_error_text(&c->cfg) : "unreadable";
    config_display_file(c, config_error_file(&c->cfg), f, sizeof f);
    if (config_error_line(&c->cfg) > 0)
        snprintf(loc, sizeof loc, "%s:%d", f, config_error_line(&c->cfg));
    else
        snprintf(loc, sizeof loc, "%s", f);
    sbuf msg = {0};
    if (strcmp(text, "syntax error") == 0)
        config_sb_printf(&msg, "syntax error");
    else if (strcmp(text, "cannot open include file") == 0)
        config_sb_printf(&msg, "cannot open an @include file (paths are relative to %s/)", c->dir);
    else if (strcmp(text, "memory exhausted") == 0)
        config_sb_printf(&msg, "syntax error: nested too deeply");
    else if (strcmp(text, "duplicate setting name") == 0) {
        char name[64];
        const char *ef = config_error_file(&c->cfg);
        name_at_line(ef ? ef : c->top, config_error_line(&c->cfg), name, sizeof name);
        config_sb_printf(&msg, "'%s' is set twice in the same group (an @included file may set it "
                        "already)", name[0] ? name : "a setting");
    }
    else
        config_sb_printf(&msg, "syntax error: %s", text);
    config_add_line(c, loc, NULL, config_sb_str(&msg));
    config_sb_free(&msg);
}

/* ------------------------------------------- integers that libconfig wraps */

/* Whether this libconfig gets the literal wrong (1.7 promotes to 64 bits). */
int config_int_is_wrong(const bad_int *b) { return b->beyond64 || BS_LIBCONFIG_WRAPS_INTS; }

/* Find integer literals in libconfig source text that do not fit: beyond 32
 * bits without an L suffix, or beyond 64 bits at all.  Skips comments,
 * strings and names.  Returns how many were stored in bad[] (at most max);
 * *nul_line is the first line holding a NUL byte, or 0. */
int config_scan_ints(const char *s, size_t len, bad_int *bad, int max, int *nul_line)
{
    int n = 0, line = 1;
    *nul_line = 0;
    const char *end = s + len;
    for (const char *p = s; p < end;) {
        char ch = *p;
        const char *skipped;
        if (ch == '\0') {
            if (!*nul_line)
                *nul_line = line;
            p++;
        } else if (ch == '\n') {
            line++, p++;
        } else if ((skipped = skip_comment_or_string(p, end, &line, nul_line)) != NULL) {
            p = skipped;
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

/* Whether two of libconfig's file names are the same file's (NULL: the
 * top file read from its rewritten text). */
static int same_file(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) == 0 : a == b;
}

/* The integer setting libconfig made of a bad literal: in `file`, on the
 * literal's line or the nearest line above it, holding the wrapped value. */
static config_setting_t *find_wrapped(config_setting_t *s, const char *file, const bad_int *b,
                                      int depth, config_setting_t *best)
{
    int type = config_setting_type(s);
    if ((type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64) && !config_setting_get_hook(s) &&
        same_file(config_setting_source_file(s), file) &&
        (int)config_setting_source_line(s) <= b->line && (type == CONFIG_TYPE_INT64) == b->is64 &&
        (b->is64 ? config_setting_get_int64(s) : config_setting_get_int(s)) == b->value &&
        (!best || config_setting_source_line(s) > config_setting_source_line(best)))
        best = s;
    if (config_setting_is_aggregate(s) && depth < MAX_DEPTH)
        for (int i = 0; i < config_setting_length(s); i++)
            best = find_wrapped(config_setting_get_elem(s, (unsigned)i), file, b, depth + 1, best);
    return best;
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
            config_sb_printf(out, "%s%s", sep, config_setting_name(chain[i]));
        else
            config_sb_printf(out, "%s[%d]", sep, config_setting_index(chain[i]));
    }
}

/* Report the integers of every file read (the top file and its includes)
 * that libconfig stored wrongly, and NUL bytes, which it silently treats as
 * the end of a string. */
static void check_source_file(check_ctx *c, const char *named, const char *path);

void config_check_source_files(check_ctx *c)
{
    if (c->n_moved > 0) /* the top file, read from its text, has no name */
        check_source_file(c, NULL, c->top);
    for (unsigned i = 0; i < c->cfg.num_filenames; i++) {
        const char *named = c->cfg.filenames[i];
        char path[4096];
        if (strcmp(named, c->top) == 0)
            snprintf(path, sizeof path, "%s", c->top);
        else
            snprintf(path, sizeof path, "%s/%s", c->dir, named);
        check_source_file(c, named, path);
    }
}

/* One file's integers and NUL bytes (named: libconfig's name for it, NULL
 * for a top file read from its text). */
static void check_source_file(check_ctx *c, const char *named, const char *path)
{
    size_t len = 0;
    char *text = read_all(path, &len);
    if (!text) {
        c->err.oom |= errno == ENOMEM;
        return;
    }
    bad_int bad[64];
    int nul_line;
    int n = config_scan_ints(text, len, bad, 64, &nul_line);
    free(text);
    char shown[4096];
    config_display_file(c, named, shown, sizeof shown);
    if (nul_line) {
        char loc[4200];
        snprintf(loc, sizeof loc, "%s:%d", shown, nul_line);
        config_add_line(c, loc, NULL, "the file contains a NUL byte (is it a text file?)");
    }
    for (int k = 0; k < n; k++) {
        if (!config_int_is_wrong(&bad[k]))
            continue;
        config_setting_t *s = find_wrapped(config_root_setting(&c->cfg), named, &bad[k], 0, NULL);
        sbuf path_of = {0}, msg = {0};
        char loc[4200];
        if (s) {
            config_setting_set_hook(s, &c->wrapped);
            setting_path(s, &path_of);
        }
        snprintf(loc, sizeof loc, "%s:%d", shown, bad[k].line);
        if (bad[k].beyond64)
            config_sb_printf(&msg, "integer %s does not fit in 64 bits", bad[k].text);
        else
            config_sb_printf(&msg,
                             "integer %s does not fit in 32 bits, and libconfig would silently "
                             "read it as %lld; write %sL",
                             bad[k].text, bad[k].value, bad[k].text);
        config_add_line(c, loc, config_sb_str(&path_of), config_sb_str(&msg));
        config_sb_free(&path_of);
        config_sb_free(&msg);
    }
}
