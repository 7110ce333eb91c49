/* bench_population: speed and memory of the population engine.
 *
 * usage: bench_population SCENARIO AGENTS DAYS
 * Runs the first DAYS days of SCENARIO with population.scale chosen so the
 * population has about AGENTS agents, and prints one Markdown table row:
 * agents, contact entries, days, daily-loop seconds, agent-days per second,
 * bytes per agent (without contacts), bytes per contact, peak RSS, threads.
 * Threads: OMP_NUM_THREADS (default: every core); with 1, agent-days per
 * second is per core.  The scenario's network is dropped: this times the
 * population engine alone.
 */
#include "config/config.h"
#include "sim/sim.h"
#include "base/status.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench_population SCENARIO AGENTS DAYS\n");
        return 2;
    }
    double agents = atof(argv[2]);
    int days = atoi(argv[3]);
    world *w = malloc(sizeof *w);
    char *errors = NULL;
    if (!w || config_load(argv[1], 0, NULL, w, &errors) != BS_OK) {
        fprintf(stderr, "%s\n%s", bs_last_error(), errors ? errors : "");
        return 2;
    }
    double people = 0;
    for (int r = 0; r < w->n_regions; r++)
        people += w->regions[r].population;
    char scale[64];
    snprintf(scale, sizeof scale, "population.scale=%.17g", people / agents);
    char *set[] = {scale};
    if (config_load(argv[1], 1, set, w, &errors) != BS_OK) {
        fprintf(stderr, "%s\n%s", bs_last_error(), errors ? errors : "");
        return 2;
    }
    /* Cut the run short: events after the new end are never reached (an
     * ended config would reject them, so this is done after loading). */
    if (days > 0 && days < w->n_days) {
        w->n_days = days;
        w->scenario.end = w->scenario.start + days;
    }
    /* The population engine alone: without its network the run has no flow
     * engine (bench/run.sh times whole runs with it separately). */
    w->network.n_nodes = 0;
    w->network.n_links = 0;
    sim_out out;
    if (sim_run(w, NULL, NULL, &out) != BS_OK) {
        fprintf(stderr, "%s\n", bs_last_error());
        return 1;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double agent_days = (double)out.agents * w->n_days;
    double contact_bytes = 4.0 * (double)out.contacts;
    printf("| %u | %llu | %d | %d | %.2f | %.3g | %.1f | %.1f | %.0f |\n", out.agents,
           (unsigned long long)out.contacts, w->n_days, omp_get_max_threads(), out.seconds, agent_days / out.seconds,
           ((double)out.bytes - contact_bytes) / out.agents,
           out.contacts ? contact_bytes / (double)out.contacts : 0.0, ru.ru_maxrss / 1024.0);
    sim_out_free(&out);
    free(w);
    return 0;
}
