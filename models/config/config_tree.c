/* config_tree: the flat schema table (schema.c) as a tree of names, checked
 * as it is built, and the name nearest to a typo ("did you mean ...").
 *
 * The schema table (schema.c) is flat; it is turned into a tree once per call
 * (a few hundred nodes, no global state, so loading is thread-safe).
 */
#include "config/config_internal.h"

#include "base/status.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- schema tree */

/* The child of `parent` whose name is the `len` bytes at `name`, or -1. */
static int find_child_len(const stree *t, int parent, const char *name, int len)
{
    for (int k = t->n[parent].first; k >= 0; k = t->n[k].next)
        if (t->n[k].name_len == len && memcmp(t->n[k].name, name, (size_t)len) == 0)
            return k;
    return -1;
}

int config_find_child(const stree *t, int parent, const char *name)
{
    return find_child_len(t, parent, name, (int)strlen(name));
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
    case PT_STRINGS: /* checked as a whole by check_entry */
    default:
        return 0;
    }
}

/* Size of the struct a node's offsets are relative to: the file's root
 * struct (the world of a scenario), or the element struct of the nearest
 * enclosing list. */
static size_t container_size(const stree *t, int k)
{
    for (int p = t->n[k].parent; p >= 0; p = t->n[p].parent)
        if (t->n[p].type == PT_LIST)
            return t->n[p].e->size;
    return t->sc->root_size;
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
    } else if (e->type == PT_STRINGS) {
        if (e->size == 0 || e->max < e->min || e->max < 0 || e->max > 1e6 ||
            e->offset + (size_t)e->max * e->size > box || e->count_offset + sizeof(int) > box)
            return schema_bug(e, "strings storage or count range outside its struct");
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
    if (e->type == PT_ANY && e->def && e->def[0])
        return schema_bug(e, "a value of any type has no default");
    return BS_OK;
}

/* Build the tree from the table; BS_ERUNTIME on an inconsistent table. */
int config_tree_build(stree *t, const schema *sc)
{
    int cap = 1;
    t->sc = sc;
    t->count = 0;
    t->n = NULL;
    for (int i = 0; i < sc->n; i++) {
        if (!sc->table[i].path)
            return bs_fail(BS_ERUNTIME, "schema: entry %d has no path", i);
        for (const char *p = sc->table[i].path; *p; p++)
            cap += *p == '.';
    }
    cap += sc->n;
    t->n = calloc((size_t)cap, sizeof *t->n);
    if (!t->n)
        return bs_nomem("building the schema");
    t->n[0] = (snode){NULL, "", 0, PT_GROUP, -1, -1, -1, -1};
    t->count = 1;
    for (int i = 0; i < sc->n; i++) {
        const schema_entry *e = &sc->table[i];
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
            int k = find_child_len(t, at, p, len);
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

/* -------------------------------------------------------- did you mean ... */

/* Edit distance, for suggestions; names longer than 64 get none. */
int config_levenshtein(const char *a, const char *b, int b_len)
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
int config_close_enough(const char *typed, int d)
{
    int len = (int)strlen(typed);
    int limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
    return d <= limit && d < len;
}

/* The child of `parent` nearest to `name`, or -1. */
int config_suggest_child(const stree *t, int parent, const char *name)
{
    int best = -1, best_d = INT_MAX;
    for (int k = t->n[parent].first; k >= 0; k = t->n[k].next) {
        int d = config_levenshtein(name, t->n[k].name, t->n[k].name_len);
        if (d < best_d)
            best = k, best_d = d;
    }
    return best >= 0 && config_close_enough(name, best_d) ? best : -1;
}

/* The enum name nearest to `s`, or NULL. */
const char *config_suggest_name(const char *const *names, int n, const char *s)
{
    const char *best = NULL;
    int best_d = INT_MAX;
    for (int i = 0; i < n; i++) {
        int d = config_levenshtein(s, names[i], (int)strlen(names[i]));
        if (d < best_d)
            best = names[i], best_d = d;
    }
    return best && config_close_enough(s, best_d) ? best : NULL;
}
