/* sweep_config: checking every point of a sweep against the scenario, and
 * the configuration hash of every run (see sweep_config.h).
 *
 * The scenario loader names an override's errors by the argument
 * ("--set apps.whatsap.bass_q=0.5: apps has no element 'whatsap' (did you
 * mean 'whatsapp'?)", config_set.c); here such a line is put back where the
 * user wrote the value: the line of the parameter (or of `set`) in the
 * sweep file.  Lines that repeat from point to point are shown once.
 */
#include "sweep/sweep_config.h"

#include "config/config.h"
#include "base/hash.h"
#include "base/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Show at most this many distinct errors. */
#define MAX_SHOWN 30

uint64_t sweep_config_hash(const char *text)
{
    return hash_fnv1a64_str(text, HASH_FNV1A64_BASIS);
}

typedef struct shown {
    FILE *f;
    char **lines;
    int n, cap, more, oom;
} shown;

/* Add a line unless it was shown already. */
static void show(shown *sh, const char *line)
{
    for (int i = 0; i < sh->n; i++)
        if (strcmp(sh->lines[i], line) == 0)
            return;
    if (sh->n == MAX_SHOWN) {
        sh->more++;
        return;
    }
    if (sh->n == sh->cap) {
        int cap = sh->cap ? 2 * sh->cap : 16;
        char **v = realloc(sh->lines, (size_t)cap * sizeof *v);
        if (!v) {
            sh->oom = 1;
            return;
        }
        sh->lines = v;
        sh->cap = cap;
    }
    if (!(sh->lines[sh->n] = strdup(line))) {
        sh->oom = 1;
        return;
    }
    sh->n++;
    fprintf(sh->f, "%s\n", line);
}

/* Map one error line of the loader for point p; returns whether the line was
 * about one of the point's overrides. */
static int map_line(const sweep_spec *s, char *const *set, const char *line, shown *sh)
{
    char buf[4096];
    if (strncmp(line, "--set ", 6) == 0) {
        const char *arg = line + 6;
        for (int i = 0; i < s->n_set + s->n_params; i++) {
            size_t n = strlen(set[i]);
            if (strncmp(arg, set[i], n) != 0 || strncmp(arg + n, ": ", 2) != 0)
                continue;
            const char *msg = arg + n + 2;
            if (i < s->n_set)
                snprintf(buf, sizeof buf, "%s:%d: set (%s): %s", s->file, s->set_line, set[i], msg);
            else {
                int j = i - s->n_set;
                snprintf(buf, sizeof buf, "%s:%d: parameters.[%d] (%s): %s", s->file,
                         s->params[j].line, j, set[i], msg);
            }
            show(sh, buf);
            return 1;
        }
    }
    show(sh, line);
    return 0;
}

int sweep_config_check(const sweep_spec *s, uint64_t *hashes, char **errors)
{
    *errors = NULL;
    char *buf = NULL;
    size_t len = 0;
    shown sh = {0};
    world *w = malloc(sizeof *w);
    if (!w || !(sh.f = open_memstream(&buf, &len))) {
        free(w);
        return bs_nomem("checking %s (sweep)", s->file);
    }
    int st = BS_OK, bad_points = 0, base_broken = 0;
    for (int p = 0; p < s->n_points && st != BS_ENOMEM && st != BS_ERUNTIME; p++) {
        char **set = NULL;
        int n = sweep_spec_overrides(s, p * s->replications, 0, &set);
        if (n < 0) {
            st = BS_ENOMEM;
            break;
        }
        char *text = NULL;
        int rc = config_load(s->scenario, n, set, w, &text);
        if (rc == BS_EINPUT) {
            bad_points++;
            for (char *line = text, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                    *next++ = '\0';
                if (*line)
                    base_broken |= !map_line(s, set, line, &sh);
            }
            st = BS_EINPUT;
            if (base_broken) { /* the same for every point: one is enough */
                free(text);
                sweep_spec_free_set(n, set);
                break;
            }
        } else if (rc != BS_OK) {
            st = rc;
        } else if (hashes) {
            for (int r = 0; r < s->replications && st == BS_OK; r++) {
                int k = p * s->replications + r;
                sweep_run_id id = sweep_spec_run(s, k);
                w->scenario.seed = id.seed;
                w->scenario.run = id.run;
                char *dump = config_dump(w);
                if (!dump)
                    st = BS_ENOMEM;
                else
                    hashes[k] = sweep_config_hash(dump);
                free(dump);
            }
        }
        free(text);
        sweep_spec_free_set(n, set);
    }
    free(w);
    if (sh.more)
        fprintf(sh.f, "... and %d more error%s\n", sh.more, sh.more == 1 ? "" : "s");
    int closed = fclose(sh.f) == 0;
    for (int i = 0; i < sh.n; i++)
        free(sh.lines[i]);
    free(sh.lines);
    if (st == BS_EINPUT && closed && !sh.oom) {
        *errors = buf;
        if (base_broken)
            return bs_fail(BS_EINPUT, "%s: the scenario %s does not load with these settings",
                           s->file, s->scenario);
        return bs_fail(BS_EINPUT, "%s: %d of %d parameter points do not load", s->file, bad_points,
                       s->n_points);
    }
    free(buf);
    if (st == BS_EINPUT || st == BS_ENOMEM || !closed || sh.oom)
        return bs_nomem("checking %s (sweep)", s->file);
    if (st != BS_OK)
        return st; /* config_load's message stands */
    return BS_OK;
}
