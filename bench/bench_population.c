/* bench_population: speed and memory of the population engine.
 *
 * usage: bench_population SCENARIO AGENTS DAYS
 * Runs the first DAYS days of SCENARIO with population.scale chosen so the
 * population has about AGENTS agents, and prints one Markdown table row:
 * agents, contact entries, days, threads, daily-loop seconds (wall clock),
 * agent-days per second, the process's CPU seconds (user + system, whole
 * program: graph build and daily loop; steadier than wall clock on a shared
 * machine), its peak RSS, and peak RSS divided by the agents (a measured
 * figure: everything the process holds, contacts and fixed overheads
 * included; bench/RESULTS.md also gives the marginal figure between two
 * sizes).
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
    double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec +
                 ru.ru_stime.tv_usec * 1e-6;
    double rss = ru.ru_maxrss * 1024.0; /* ru_maxrss is in KiB on Linux */
    printf("| %u | %llu | %d | %d | %.2f | %.3g | %.2f | %.0f | %.1f |\n", out.agents,
           (unsigned long long)out.contacts, w->n_days, omp_get_max_threads(), out.seconds,
           agent_days / out.seconds, cpu, rss / (1024.0 * 1024.0), rss / out.agents);
    sim_out_free(&out);
    free(w);
    return 0;
}
