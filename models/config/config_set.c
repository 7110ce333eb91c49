/* config_set: the --set overrides, "path=value", applied to the libconfig
 * tree before it is checked, so that a value from the command line gets the
 * same checks as one from a file.  Errors name the argument ("--set ARG").
 */
#include "config/config_internal.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void set_error(check_ctx *c, const char *arg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_error(check_ctx *c, const char *arg, const char *fmt, ...)
{
    sbuf loc = {0}, msg = {0};
    va_list ap;
    config_sb_printf(&loc, "--set %s", arg);
    va_start(ap, fmt);
    config_sb_vprintf(&msg, fmt, ap);
    va_end(ap);
    config_add_line(c, config_sb_str(&loc), NULL, config_sb_str(&msg));
    config_sb_free(&loc);
    config_sb_free(&msg);
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
            int d = config_levenshtein(comp, name, (int)strlen(name));
            if (d < near_d)
                near = name, near_d = d;
        }
        config_sb_printf(&names, "%s[%d] %s", i ? ", " : "", i, name);
    }
    if (near && config_close_enough(comp, near_d))
        set_error(c, arg, "%.*s has no element '%s' (did you mean '%s'?)", list_len, list, comp,
                  near);
    else if (n == 0)
        set_error(c, arg, "%.*s has no elements", list_len, list);
    else if (!near)
        set_error(c, arg, "%.*s has no element '%s'; its elements have no names: give an index "
                          "[0] to [%d]", list_len, list, comp, n - 1);
    else
        set_error(c, arg, "%.*s has no element '%s'; it has %s", list_len, list, comp,
                  config_sb_str(&names));
    config_sb_free(&names);
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
    int n_bad = config_scan_ints(text, strlen(text), bad, 4, &nul_line);
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
    const config_setting_t *v = config_parse_value(tmp, src);
    int nomem = !v && errno == ENOMEM;
    free(src);
    if (nomem) {
        c->err.oom = 1;
        return NULL;
    }
    if (v) {
        for (int i = 0; i < n_bad; i++) {
            if (!config_int_is_wrong(&bad[i]))
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
                    config_describe(value, &got);
                    set_error(c, arg, "a list element needs a group { ... }, got %s", config_sb_str(&got));
                    config_sb_free(&got);
                } else if (place_value(el, NULL, value, m) != CONFIG_TRUE) {
                    set_error(c, arg, "cannot store the value (nested too deeply?)");
                }
                return;
            }
            cur = el;
        } else {
            int child = config_find_child(&c->t, nd, comp);
            if (child < 0) {
                int near = config_suggest_child(&c->t, nd, comp);
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
                config_location(c, next, &loc);
                set_error(c, arg, "%s (%s) is not a %s", path, config_sb_str(&loc),
                          want == PT_LIST ? "list ( ... )" : "group { ... }");
                config_sb_free(&loc);
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
void config_apply_override(check_ctx *c, const char *arg, mark *m)
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
