/* calib_spec: a calibration file (blockshift calibrate) or a validation
 * case (blockshift validate): a scenario, the observations it is compared
 * with, which dataset each measure reads, and, for a calibration, the
 * parameters to fit with their priors and the budget.
 *
 *   description = "...";
 *   scenario = "../../scenarios/russia-2024-2026.cfg";  # from this file's folder
 *   set = ["population.scale=3000.0"];                   # overrides of every run
 *   observations = ["../observations/russia-2025.cfg"];  # from this file's folder
 *   map = ( { measure = "daily_users"; dataset = "primary"; } );  # default: obs_map.h
 *   seed = 1;
 *   replications = 2;                                    # runs per parameter point
 *   parameters = (                                       # calibration only
 *     { path = "apps.max.bass_q"; prior = "log-uniform"; bounds = [0.05, 2.0]; }
 *   );
 *   abc = { particles = 40; generations = 5; quantile = 0.5; min_tolerance = 0.5;
 *           max_proposals = 400; };
 *
 * Checked on loading, every error at once as file:line: path: message:
 * the file's own keys, types and ranges (the schema engine, config.h); an
 * unknown dataset or measure (with "did you mean"); bounds low >= high or a
 * log-uniform prior reaching zero; the observation files (observations.h:
 * a negative uncertainty is an error there, at its line); each observation
 * against the scenario, loaded with `set`: its app (or VPN protocol) and
 * region must exist and the days its dataset reads must lie inside the
 * scenario's dates (at the observation's line in its file); each parameter
 * path must be one the scenario takes (loaded at both bounds).
 */
#ifndef BS_CALIB_SPEC_H
#define BS_CALIB_SPEC_H

#include "config/observations.h"
#include "sweep/abc.h"

#include <stdint.h>

#define CALIB_MAX_PARAMS 20
#define CALIB_MAX_OBS 256

typedef struct calib_spec {
    char *file;     /* as given */
    char *text;     /* its content (hashed for --resume) */
    char name[128]; /* the file name up to its first dot */
    char description[512];
    char *scenario; /* absolute when it exists */
    int n_set;
    char **set;
    uint64_t seed;
    int replications;
    int k;
    char paths[CALIB_MAX_PARAMS][128];
    abc_prior prior[CALIB_MAX_PARAMS];
    abc_opts abc; /* prior points at the array above */
    int m;
    observation obs[CALIB_MAX_OBS];
    int ds[CALIB_MAX_OBS];           /* obs_map dataset of each */
    char obs_file[CALIB_MAX_OBS][256]; /* the file each came from, for messages */
    long start, end;                 /* the scenario's days (days since 1970), end exclusive */
} calib_spec;

/* Read and check `file` (want_params: a calibration, which needs at least
 * one parameter; 0: a validation case, which takes none).  BS_OK with *out
 * (free with calib_spec_free), BS_EINPUT with *errors every error, one per
 * line (malloc'd), or BS_ENOMEM. */
int calib_spec_load(const char *file, int want_params, calib_spec **out, char **errors);
void calib_spec_free(calib_spec *s);

/* The overrides of one run: scenario.output = "daily", the spec's `set`,
 * parameter values theta[k] (NULL: none), scenario.seed and scenario.run.
 * *set malloc'd with its strings (sweep_spec_free_set frees).  The count,
 * or -1 out of memory. */
int calib_spec_overrides(const calib_spec *s, const double *theta, uint32_t seed, uint32_t run,
                         char ***set);

/* The seed of replication r of proposal j of generation g (validation: g =
 * j = 0): the low 32 bits of rng_seed_of(seed, g << 40 | j << 12 | r,
 * "calibrate"), so that every run has its own stream whatever the workers. */
uint32_t calib_spec_seed(const calib_spec *s, int g, int j, int r);

#endif
