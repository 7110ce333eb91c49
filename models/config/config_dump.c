/* config_dump: the resolved configuration as libconfig text, every
 * parameter of the schema in schema order, which config_load() reads back to
 * the same world (numbers exactly, in the stored units).
 */
#include "config/config_internal.h"

#include "base/status.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
        config_sb_printf(out, "%lld%s", (long long)v, v > INT32_MAX || v < INT32_MIN ? "L" : "");
        break;
    }
    case PT_REAL: {
        double v;
        memcpy(&v, p, sizeof v);
        config_fmt_real(num, sizeof num, v);
        config_sb_printf(out, "%s", num);
        break;
    }
    case PT_BOOL: {
        int v;
        memcpy(&v, p, sizeof v);
        config_sb_printf(out, "%s", v ? "true" : "false");
        break;
    }
    case PT_STRING: {
        char buf[W_TEXT > W_NAME ? W_TEXT : W_NAME];
        size_t n = e->size < sizeof buf ? e->size : sizeof buf;
        memcpy(buf, p, n);
        buf[n - 1] = '\0';
        config_sb_quote(out, buf);
        break;
    }
    case PT_ENUM: {
        int v;
        memcpy(&v, p, sizeof v);
        if (v >= 0 && v < e->n_enum)
            config_sb_printf(out, "\"%s\"", e->enum_names[v]);
        else
            config_sb_printf(out, "%d", v); /* not a valid world; will not load back */
        break;
    }
    case PT_DATE: {
        int32_t v;
        memcpy(&v, p, sizeof v);
        config_fmt_date(num, sizeof num, v);
        config_sb_printf(out, "\"%s\"", num);
        break;
    }
    case PT_DURATION:
    case PT_RATE:
    case PT_BYTES: {
        /* In the stored unit, whose factor is exactly 1: reads back bit for bit. */
        double v;
        memcpy(&v, p, sizeof v);
        config_fmt_num(num, sizeof num, v);
        config_sb_printf(out, "\"%s%s\"", num, config_dump_unit(e->type));
        break;
    }
    case PT_NAMES: {
        const strlist *l = (const strlist *)p;
        int n = l->n < 0 ? 0 : l->n > MAX_LIST ? MAX_LIST : l->n;
        config_sb_printf(out, "[");
        for (int i = 0; i < n; i++) {
            char name[W_NAME];
            memcpy(name, l->v[i], W_NAME);
            name[W_NAME - 1] = '\0';
            config_sb_printf(out, "%s", i ? ", " : "");
            config_sb_quote(out, name);
        }
        config_sb_printf(out, "]");
        break;
    }
    default:
        break;
    }
}

static void dump_members(const stree *t, int k, const char *base, int indent, sbuf *out);

/* Keys added after results were first written, left out while empty (their
 * default): a configuration that does not set them dumps to the same text
 * as before, so that reproduce still finds its earlier runs up to date. */
static const char *const late_keys[] = {"apps.[].label", "vpns.[].label"};

static int left_out(const snode *nd, const char *base)
{
    if (!nd->e || nd->e->type != PT_STRING || base[nd->e->offset] != '\0')
        return 0;
    for (size_t i = 0; i < sizeof late_keys / sizeof late_keys[0]; i++)
        if (strcmp(nd->e->path, late_keys[i]) == 0)
            return 1;
    return 0;
}

static void dump_node(const stree *t, int k, const char *base, int indent, sbuf *out)
{
    const snode *nd = &t->n[k];
    if (left_out(nd, base))
        return;
    config_sb_printf(out, "%*s%.*s = ", indent, "", nd->name_len, nd->name);
    if (nd->type == PT_GROUP) {
        config_sb_printf(out, "{\n");
        dump_members(t, k, base, indent + 2, out);
        config_sb_printf(out, "%*s};\n", indent, "");
    } else if (nd->type == PT_LIST) {
        int n;
        memcpy(&n, base + nd->e->count_offset, sizeof n);
        if (n < 0 || n > nd->e->max)
            n = n < 0 ? 0 : (int)nd->e->max;
        if (n == 0) {
            config_sb_printf(out, "();\n");
            return;
        }
        config_sb_printf(out, "(\n");
        for (int i = 0; i < n; i++) {
            config_sb_printf(out, "%*s{\n", indent + 2, "");
            if (nd->first >= 0)
                dump_members(t, nd->first, base + nd->e->offset + (size_t)i * nd->e->size,
                             indent + 4, out);
            config_sb_printf(out, "%*s}%s\n", indent + 2, "", i + 1 < n ? "," : "");
        }
        config_sb_printf(out, "%*s);\n", indent, "");
    } else {
        dump_value(t, k, base, out);
        config_sb_printf(out, ";\n");
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
    if (!w || config_tree_build(&t, &schema_scenario) != BS_OK) {
        free(t.n);
        return NULL;
    }
    sbuf out = {0};
    config_sb_printf(&out, "# The resolved configuration: every parameter, defaults filled in.\n");
    dump_members(&t, 0, (const char *)w, 0, &out);
    free(t.n);
    if (out.oom) {
        config_sb_free(&out);
        bs_nomem("writing the configuration");
        return NULL;
    }
    return out.s;
}
