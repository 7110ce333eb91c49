/* schema: the tables that declare every setting of the files we read.
 *
 * schema_table declares every scenario parameter; sweep files
 * (sweep/sweep_spec.c) and paper manifests (analysis/reproduce.c) have
 * tables of their own in the same form, read by the same engine
 * (config_load_file, config.h), so that every file reports its errors alike.
 *
 * Each entry names a path in the configuration tree, its type, where it is
 * stored in `world` (or in the element struct of the list it belongs to), its
 * default, range, unit, meaning and source.  config.c interprets the table to
 * load, check, override and dump configurations, and to print the parameter
 * reference; nothing else lists parameters.
 *
 * Paths: "population.scale" is a setting in a group; "apps.[].bass_q" is the
 * setting `bass_q` in every element of the list `apps`.  A PT_LIST entry
 * ("apps") comes before the entries of its elements, and those entries'
 * offsets are relative to the element struct.
 */
#ifndef BS_SCHEMA_H
#define BS_SCHEMA_H

#include <stddef.h>

enum ptype {
    PT_INT,      /* int64_t; libconfig int or int64 */
    PT_REAL,     /* double; libconfig float or int */
    PT_BOOL,     /* int 0/1; libconfig bool */
    PT_STRING,   /* char[size]; `size` holds the buffer size */
    PT_ENUM,     /* int; a string, one of enum_names */
    PT_DATE,     /* int32_t days since 1970-01-01; "2025-08-13" */
    PT_DURATION, /* double days; "90s", "30min", "6h", "7d", "2w", "3y" (365 d) */
    PT_RATE,     /* double bit/s; "130kbps", "1.5Mbps", "10Gbps", "64bps" */
    PT_BYTES,    /* double bytes; "500B", "2kB", "1.5MB", "1GB" (powers of 1000) */
    PT_NAMES,    /* strlist; ["a", "b"] (an array of strings) */
    PT_GROUP,    /* a group of settings; no storage */
    PT_LIST,     /* a list of groups; elements stored at offset, count at count_offset */
    PT_STRINGS,  /* char[max][size] at offset, the int count at count_offset; ["a", "b"] */
    PT_ANY,      /* any value, not stored: the file kind's rules read it (config_check_setting) */
    N_PTYPES
};

typedef struct schema_entry {
    const char *path;
    enum ptype type;
    size_t offset;
    size_t size;          /* PT_STRING: buffer size; PT_LIST: element size */
    size_t count_offset;  /* PT_LIST: offset of the int element count */
    const char *def;      /* default in libconfig syntax ("1000.0", "\"7d\""); NULL: required;
                           * "" on a value: optional, left zero when absent */
    double min, max;      /* range in the stored unit; PT_LIST, PT_STRINGS: element count;
                           * 0, 0: no range */
    const char *unit;     /* of the stored value: "people", "1/year", "bit/s", "days", "" */
    const char *const *enum_names; /* PT_ENUM */
    int n_enum;
    const char *desc;
    const char *source;   /* where the default comes from, or why it was assumed */
} schema_entry;

extern const schema_entry schema_table[];
extern const int schema_n;

/* A kind of file: its table, and the size of the struct that the offsets of
 * its top-level entries are relative to. */
typedef struct schema {
    const schema_entry *table;
    int n;
    size_t root_size;
} schema;

/* Scenarios: schema_table into a `world`. */
extern const schema schema_scenario;

extern const char *const schema_ptype_names[N_PTYPES];

#endif
