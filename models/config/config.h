/* config: load a scenario (libconfig, with @include) into a `world`.
 *
 * Loading applies the schema (schema.h): types, ranges, defaults, unknown keys
 * (rejected with a "did you mean" suggestion), units in strings, ISO dates,
 * then the cross-field rules of config_resolve().  Every error is collected,
 * not just the first, each as "file:line: path: message".
 *
 * Overrides ("path=value", from --set) are applied to the tree before
 * checking.  `path` uses the schema's paths with list elements written as
 * [n] (0-based) or by their name: "apps.[0].bass_q" or "apps.whatsapp.bass_q".
 * `value` is libconfig syntax; a value that does not parse as such is taken as
 * a string (so --set scenario.start=2025-01-01 works without quotes).
 */
#ifndef BS_CONFIG_H
#define BS_CONFIG_H

#include "config/schema.h"
#include "world/world.h"

#include <stdio.h>

/* Load `path` with `n_set` overrides into *w (zeroed first).
 * Returns BS_OK, or BS_EINPUT with *errors set to a malloc'd text of every
 * error, one per line (caller frees), or BS_ERUNTIME / BS_ENOMEM.  On any
 * failure bs_last_error() holds a one-line summary. */
int config_load(const char *path, int n_set, char *const *set, world *w, char **errors);

/* The fully resolved configuration as libconfig text: every parameter of the
 * schema with its value in *w (defaults filled in), in schema order, which
 * config_load() reads back to the same world.  Caller frees; NULL on ENOMEM. */
char *config_dump(const world *w);

/* Print the parameter reference generated from the schema: a plain table, or
 * Markdown (the committed configs/PARAMETERS.md) when `markdown`. */
int config_params(FILE *out, int markdown);

/* The folder searched for @include files after those of BLOCKSHIFT_PATH
 * (an installed blockshift's share folder; NULL: none).  An @include of
 * the top file is read from the top file's folder when it is there (as
 * libconfig does), else from the first folder of BLOCKSHIFT_PATH (colon-
 * separated), then this one, holding it; an absolute path as it is.  The
 * files they include must name theirs relative to the top file's folder
 * (libconfig 1.5 has one include folder).  Set once, before loading. */
void config_search_share(const char *dir);

/* For config_resolve() and the rules of other kinds of file: the context
 * that collects errors while loading. */
typedef struct check_ctx check_ctx;

/* A file kind's rules that span settings, run after the schema walk has
 * filled *dst (also when it found errors: a value it could not read holds
 * its default, or zero).  They report through config_check_error() and
 * return BS_OK, or BS_ENOMEM (or another status with bs_fail) to abandon
 * the load. */
typedef int (*config_rules)(void *dst, check_ctx *c, void *arg);

/* Load any kind of file the way config_load() loads a scenario: libconfig
 * with @include (from the file's folder), its schema `sc` into *dst
 * (sc->root_size bytes, zeroed first): unknown keys ("did you mean"),
 * types, ranges and defaults; then rules(dst, c, arg) when not NULL.
 * Returns BS_OK, or BS_EINPUT with *errors every error, one per line, as
 * "file:line: path: message" (malloc'd; caller frees), or BS_ENOMEM. */
int config_load_file(const schema *sc, const char *path, void *dst, config_rules rules, void *arg,
                     char **errors);

/* For rules: the setting at `path` ("parameters.[2].values"; NULL: the
 * root), or NULL if the file has none; valid until the rules return.
 * PT_ANY values are read this way. */
struct config_setting_t;
const struct config_setting_t *config_check_setting(const check_ctx *c, const char *path);

/* For rules: the errors recorded so far. */
int config_check_count(const check_ctx *c);

/* Record an error at a configuration path ("events.[3].apps"); the message
 * gets the file:line of that setting (or of its nearest existing parent). */
void config_check_error(check_ctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fill the derived fields of *w and check the rules that span fields
 * (shares that must sum to one, names that must exist, dates inside the
 * scenario, ...), reporting through config_check_error().  Defined in config_resolve.c. */
void config_resolve(world *w, check_ctx *c);

#endif
