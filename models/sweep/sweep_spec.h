/* sweep_spec: a sweep file and the runs it stands for.
 *
 * A sweep file is libconfig (configs/sweeps/ has examples):
 *
 *   name = "retry-bass";                        # default: the file's name
 *   scenario = "../../scenarios/whatsapp-then-facetime.cfg";  # from this file's folder
 *   set = ["population.scale=73000.0"];         # overrides for every run
 *   seed = 1;                                   # the sweep's seed
 *   replications = 3;
 *   common_random_numbers = false;              # see below
 *   collect = ["final_vpn_share", "peak_failed_calls_per_day"];  # /summary numbers
 *   parameters = (
 *     { path = "population.retry"; values = [0.3, 0.5, 0.7]; },
 *     { path = "apps.whatsapp.bass_q"; from = 0.2; to = 0.8; steps = 4; scale = "log"; },
 *     { path = "population.contacts_mean"; bounds = [5.0, 20.0]; }
 *   );
 *   sample = { method = "lhs"; points = 8; };   # "lhs", "sobol" or "saltelli"
 *
 * A parameter is a list of values (any libconfig scalars), a range (`steps`
 * values from `from` to `to`, evenly spaced on a linear or logarithmic
 * scale), or bounds to be sampled.  The values of lists and ranges form a
 * grid (every combination; the first parameter varies slowest); the
 * parameters with bounds are sampled together, `points` points of a Latin
 * hypercube (seeded from the sweep's seed) or of a Sobol sequence (GSL), on
 * each parameter's scale.  The parameter points are every grid point with
 * every sample point.  method = "saltelli" is the design of Sobol
 * sensitivity indices (sweep_sobol.h): every parameter must have bounds,
 * `points` is the number N >= 2 of base samples, and the points are the
 * N (k + 2) rows of Saltelli's matrices A, B, A_B^(1) .. A_B^(k) for k <= 20
 * parameters; `blockshift sweep --sobol N` selects it from the command line
 * (sweep_spec_load_sobol) whatever the file's `sample`.  Ranges and bounds
 * need an int or real parameter; an int parameter's values are rounded.
 *
 * Runs: run k is replication r = k mod R of point p = k div R.  Its seed is
 * the low 32 bits of rng_seed_of(seed, k, "sweep") and its run number is r;
 * with common_random_numbers, replication r has the same seed at every point
 * (rng_seed_of(seed, r, "sweep")), so that points differ by their
 * parameters and not by their random numbers.  Either way a run is a
 * function of the sweep file and k alone: `blockshift run SCENARIO` with the
 * run's overrides (sweep_spec_overrides) writes the same datasets.
 *
 * Loading checks the file itself with the configuration's schema engine
 * (config_load_file: types, ranges, unknown keys with "did you mean", every
 * error as file:line: path: message, all of them at once); sweep_config.h
 * checks every point against the scenario's schema.  Limits: at most
 * SWEEP_MAX_SET overrides in `set` of SWEEP_SET_SIZE - 1 bytes each, at most
 * SWEEP_MAX_PARAMS parameters with paths of SWEEP_PATH_SIZE - 1 bytes, names
 * (`name`, `collect`) of SWEEP_NAME_SIZE - 1 bytes.
 */
#ifndef BS_SWEEP_SPEC_H
#define BS_SWEEP_SPEC_H

#include <stddef.h>
#include <stdint.h>

/* At most this many runs in one sweep. */
#define SWEEP_MAX_RUNS 1000000
#define SWEEP_MAX_SET 256
#define SWEEP_SET_SIZE 1024
#define SWEEP_MAX_PARAMS 256
#define SWEEP_PATH_SIZE 256
#define SWEEP_NAME_SIZE 201

enum sweep_kind { SWEEP_VALUES, SWEEP_RANGE, SWEEP_BOUNDS };
enum sweep_method { SWEEP_LHS, SWEEP_SOBOL, SWEEP_SALTELLI };

typedef struct sweep_param {
    char *path; /* an override path ("apps.whatsapp.bass_q") */
    int line;   /* of its group in the sweep file */
    enum sweep_kind kind;
    int text;        /* its values are strings or booleans (a string column) */
    int integer;     /* the schema's type is int: range and sample values rounded */
    int log;         /* range or bounds on a logarithmic scale */
    double lo, hi;   /* range from/to, or bounds */
    int n;           /* values of a list or range; 0 for bounds */
    char **values;   /* [n] list or range values as libconfig text */
    double *numbers; /* [n] the same as numbers (NaN for text) */
} sweep_param;

typedef struct sweep_spec {
    char *file; /* the sweep file as given */
    char *text; /* its content */
    char *name;
    char *scenario; /* the base scenario's path (absolute when it exists) */
    int n_set;
    char **set; /* "path=value" for every run */
    int set_line, collect_line;
    uint64_t seed;
    int replications, common_seeds;
    int n_collect;
    char **collect; /* /summary numbers to collect */
    int n_params;
    sweep_param *params;
    enum sweep_method method;
    int sample_points; /* 0 when no parameter has bounds; N base samples for saltelli */
    int sobol_option;  /* N of --sobol N, or 0 */
    int n_points, n_runs;
    char **point_text;    /* [point * n_params + j] value as libconfig text */
    double *point_number; /* [point * n_params + j] the value (NaN for text) */
} sweep_spec;

/* Read and expand `file`.  BS_OK with *out (free with sweep_spec_free), or
 * BS_EINPUT with *errors a malloc'd text of every error, one per line
 * (caller frees), or BS_ENOMEM.  On failure bs_last_error() has a summary. */
int sweep_spec_load(const char *file, sweep_spec **out, char **errors);
/* The same with `blockshift sweep --sobol N` (sobol_n > 0): the Saltelli
 * design of N base samples, whatever the file's `sample`. */
int sweep_spec_load_sobol(const char *file, int sobol_n, sweep_spec **out, char **errors);
void sweep_spec_free(sweep_spec *s);

/* Run k's point, replication, seed and run number. */
typedef struct sweep_run_id {
    int point, replication;
    uint32_t seed, run;
} sweep_run_id;
sweep_run_id sweep_spec_run(const sweep_spec *s, int k);

/* The overrides of run k, "path=value": the sweep's `set`, its point's
 * parameters, then scenario.seed and scenario.run (with_seed = 0 leaves
 * those two out).  *set is malloc'd with its strings (free with
 * sweep_spec_free_set).  Returns the count, or -1 if out of memory. */
int sweep_spec_overrides(const sweep_spec *s, int k, int with_seed, char ***set);
void sweep_spec_free_set(int n, char **set);

/* Parameter j's value at a point as a label for tables: the value itself,
 * without the quotes and escapes of libconfig text.  Cut to fit `size`. */
void sweep_spec_label(const sweep_spec *s, int point, int j, char *buf, size_t size);

#endif
