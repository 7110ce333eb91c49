/* config_internal: what the config_*.c files share; not for other modules.
 *
 * config.c         loading: the context, error collection, the schema walk
 * config_text.c    a growable text buffer, and quoting
 * config_tree.c    the schema table as a tree, and names near a typo
 * config_units.c   numbers, dates and units: parsed and written back
 * config_read.c    reading the files, with what libconfig 1.5 does not check
 * config_set.c     the --set overrides
 * config_dump.c    config_dump()
 * config_params.c  config_params()
 *
 * Everything else in those files is static.  The names below carry no
 * config_ prefix: they are private to these files, not part of config.h.
 */
#ifndef BS_CONFIG_INTERNAL_H
#define BS_CONFIG_INTERNAL_H

#include "config/config.h"
#include "config/schema.h"

#include <libconfig.h>

#include <stdarg.h>
#include <stddef.h>

/* libconfig before 1.7 reads an integer without an L suffix into an `int`
 * with no range check: 99999999999 becomes 1215752191 without a word.  We
 * scan the source for such literals ourselves (scan_ints, config_read.c). */
#if LIBCONFIG_VER_MAJOR == 1 && LIBCONFIG_VER_MINOR < 7
#define BS_LIBCONFIG_WRAPS_INTS 1
#else
#define BS_LIBCONFIG_WRAPS_INTS 0
#endif

#define MAX_DEPTH 64 /* deeper than any schema path; bounds our recursion */

/* ---------------------------------------------------- text (config_text.c) */

/* A growable string.  Out of memory sets `oom` and further appends are
 * ignored, so callers check once at the end. */
typedef struct sbuf {
    char *s;
    size_t len, cap;
    int oom;
} sbuf;

void config_sb_vprintf(sbuf *b, const char *fmt, va_list ap);
void config_sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text so far ("" when empty or out of memory); owned by b. */
const char *config_sb_str(const sbuf *b);
void config_sb_free(sbuf *b);
/* Append `s` as a libconfig string literal. */
void config_sb_quote(sbuf *b, const char *s);
/* A user's string for a message: quoted, escaped, cut at 60 bytes. */
void config_sb_quote_short(sbuf *b, const char *s);

/* ---------------------------------------------- schema tree (config_tree.c) */

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
    const schema *sc;
    snode *n;
    int count;
} stree;

/* Build the tree of a table into t->n (node 0 is the root; the caller
 * frees t->n, also on failure); BS_ERUNTIME on an inconsistent table. */
int config_tree_build(stree *t, const schema *sc);
/* The child of `parent` called `name`, or -1. */
int config_find_child(const stree *t, int parent, const char *name);

/* Did you mean ...: edit distance, and whether it is close enough to be a
 * typo of `typed`. */
int config_levenshtein(const char *a, const char *b, int b_len);
int config_close_enough(const char *typed, int d);
/* The child of `parent` nearest to `name`, or -1. */
int config_suggest_child(const stree *t, int parent, const char *name);
/* The enum name nearest to `s`, or NULL. */
const char *config_suggest_name(const char *const *names, int n, const char *s);

/* ------------------------------------------------------ units (config_units.c) */

/* x as the shortest %g text that reads back exactly; config_fmt_real() always with
 * a decimal point, so that libconfig reads it as a float. */
void config_fmt_num(char *buf, size_t size, double x);
void config_fmt_real(char *buf, size_t size, double x);
/* Days since 1970-01-01 as "YYYY-MM-DD", and back (0, or -1 with `why`). */
void config_fmt_date(char *buf, size_t size, long days);
int config_parse_date(const char *s, long *days, const char **why);
/* Durations, rates and sizes (by the entry's type): the unit written back,
 * the units for messages, an example of the form. */
const char *config_dump_unit(enum ptype t);
const char *config_unit_list(enum ptype t);
const char *config_unit_example(const schema_entry *e);
/* Length of a decimal number at s, or 0. */
size_t config_number_len(const char *s);
/* "<number><unit>" into the stored unit.  Returns 0, or -1 with a message. */
int config_parse_unit_value(const schema_entry *e, const char *s, double *out, sbuf *msg);
/* The range of an entry for messages and the reference ("" if none). */
void config_range_text(const schema_entry *e, char *buf, size_t size);

/* ------------------------------------------------------- loading (config.c) */

/* Settings we changed carry a mark in their libconfig hook: a value from the
 * command line or from a scenario's `set` list (errors name the --set
 * argument, or the list's file:line, not the setting's file), or an integer
 * already reported as wrapped (not to be reported again as out of range). */
enum mark_kind { MARK_OVERRIDE = 1, MARK_WRAPPED };
typedef struct mark {
    enum mark_kind kind;
    const char *text; /* MARK_OVERRIDE: the "path=value" argument */
    char *where;      /* NULL: --set; else "file:line: set" of a scenario's list (owned) */
} mark;

#define MAX_MOVED 64
struct check_ctx {
    const char *top; /* the file as the user named it */
    char *dir;       /* its folder: the include directory */
    config_t cfg;
    stree t;
    config_t **defs; /* per schema node, the parsed default (lazily) */
    mark *marks;     /* one per `set` entry of the file, then one per --set argument */
    int n_marks;
    const char *set_where; /* while a file's `set` entry is applied: its mark's where */
    mark wrapped;
    sbuf err;
    int n_err;
    sbuf tainted; /* paths with an error before config_resolve, NUL-separated */
    int resolving;
    /* The top file's @include lines found on the search path (or absolute):
     * their line, the file found, and the name libconfig is given for it
     * (relative to dir); the top file is then read from its rewritten text. */
    int n_moved;
    int moved_line[MAX_MOVED];
    char *moved_full[MAX_MOVED], *moved_rel[MAX_MOVED];
};

/* Where a setting is: "file:line", "--set ARG", or the top file. */
void config_location(const check_ctx *c, const config_setting_t *s, sbuf *out);
/* Append one error line: "LOCATION: PATH: MESSAGE" (path may be NULL). */
void config_add_line(check_ctx *c, const char *loc, const char *path, const char *msg);
/* How a value looks, for "expected X, got Y". */
void config_describe(const config_setting_t *s, sbuf *out);
/* `text` as the value of one setting in a fresh config `tmp` (which the
 * caller destroys), or NULL if it does not parse. */
config_setting_t *config_parse_value(config_t *tmp, const char *text);

/* ---------------------------------------------- reading (config_read.c) */

/* An integer literal libconfig 1.5 cannot hold. */
typedef struct bad_int {
    int line;
    char text[48];
    int is64;        /* written with an L suffix */
    int beyond64;    /* too large for any libconfig integer */
    long long value; /* what libconfig stored instead */
} bad_int;

/* Whether this libconfig gets the literal wrong (1.7 promotes to 64 bits). */
int config_int_is_wrong(const bad_int *b);
/* The integer literals of source text that do not fit (at most max); the
 * first line with a NUL byte in *nul_line (0: none). */
int config_scan_ints(const char *s, size_t len, bad_int *bad, int max, int *nul_line);

/* The file a setting came from, as the user would open it. */
void config_display_file(const check_ctx *c, const char *file, char *out, size_t size);
/* Before the read: whether the top file can be read (else an error), and
 * the errors in the @include targets (their number). */
int config_can_open(check_ctx *c);
int config_check_includes(check_ctx *c, const char *path, const char *shown, int depth);
/* The top file's text with its moved @include names rewritten (malloc'd;
 * NULL with c->err.oom set, or when it cannot be read). */
char *config_rewrite_includes(check_ctx *c);
/* libconfig's read error, as one error line. */
void config_parse_error(check_ctx *c);
/* After the read: integers libconfig stored wrongly, and NUL bytes. */
void config_check_source_files(check_ctx *c);

/* --------------------------------------------------- --set (config_set.c) */

/* Apply one "path=value" argument to the tree; errors name the argument. */
void config_apply_override(check_ctx *c, const char *arg, mark *m);
/* A scenario's own overrides: the top-level list `set = ["path=value", ...]`
 * (the form of calibrate's fitted.cfg, @included by a scenario), taken out
 * of the tree and applied in order before the n_set --set arguments, which
 * therefore win.  Fills c->marks (n file entries + n_set + 1). */
void config_apply_file_set(check_ctx *c, int n_set);

#endif
