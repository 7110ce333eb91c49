/* blockshift testbed SCENARIO --replay: the national run, then its timeline in
 * miniature in ns-3 (replay.h), written in the layout of a run so that
 * `blockshift plot` draws the same figures (one row per phase). */
#include "cli/testbed_replay.h"

#include "ns3/bs_ns3.h"
#include "config/config.h"
#include "io/output.h"
#include "io/output_network.h"
#include "testbed/replay.h"
#include "io/results.h"
#include "sim/sim.h"
#include "base/progress.h"
#include "base/status.h"

#include <stdio.h>
#include <stdlib.h>

static int write_network(results *r, const world *w, const replay_out *o)
{
    BS_TRY(output_link_dim(r, w));
    const char *dl[] = {"day", "link"}, *l1[] = {"link"}, *da[] = {"day", "app"}, *d1[] = {"day"},
               *di[] = {"day", "isp"};
    BS_TRY(results_write(r, "/network/link_carried", 2, dl, o->link_load, "bit/s",
                         "Mean load of each directed link over the phase's simulated minutes "
                         "(ns-3; one row per phase)"));
    BS_TRY(results_write(r, "/network/link_capacity", 1, l1, o->link_capacity, "bit/s",
                         "Capacity of each directed link"));
    BS_TRY(
        results_write(r, "/network/border_app", 2, da, o->border_app, "bit/s",
                      "Packets of each app outside tunnels on border links, mean over the phase"));
    BS_TRY(results_write(r, "/network/border_vpn", 1, d1, o->border_vpn, "bit/s",
                         "VPN tunnel packets on border links, mean over the phase"));
    BS_TRY(results_write(r, "/network/border_total", 1, d1, o->border_total, "bit/s",
                         "All packets on border links, mean over the phase"));
    BS_TRY(results_write(r, "/censor/inspected", 2, di, o->inspected, "bit/s",
                         "Packets each ISP's box looked at, mean over the phase"));
    BS_TRY(results_write(r, "/censor/dropped", 2, di, o->dropped, "bit/s",
                         "Packets each box dropped, or its policers did"));
    double *zero = calloc((size_t)o->n_phases * o->n_boxes + 1, sizeof(double));
    if (!zero)
        return bs_nomem("a row of zeros (replay)");
    int st = results_write(r, "/censor/uninspected", 2, di, zero, "bit/s",
                           "Zero: the boxes of the packet level have no inspection capacity limit");
    free(zero);
    return st;
}

static int write_replay(results *r, const world *w, const replay_out *o)
{
    double *start = malloc(sizeof(double) * (size_t)o->n_phases);
    if (!start)
        return bs_nomem("the start of %d phases (replay)", o->n_phases);
    for (int p = 0; p < o->n_phases; p++)
        start[p] = o->phase_start[p];
    const char *d1[] = {"day"};
    int st = results_write(r, "/testbed/replay/phase_start", 1, d1, start, "days",
                           "First day of each phase (the row is its last day, which is sampled)");
    free(start);
    BS_TRY(st);
    const char *g = "/testbed/replay";
    BS_TRY(results_attr_int(r, g, "users", o->users));
    BS_TRY(results_attr_int(r, g, "calls_per_user", w->testbed.replay_calls));
    BS_TRY(results_attr_double(r, g, "phase_seconds", o->seconds));
    BS_TRY(results_attr_int(r, g, "simulations", o->simulations));
    BS_TRY(results_attr_double(r, g, "media_packets", (double)o->media_packets));
    BS_TRY(results_attr_double(r, g, "wall_seconds", o->wall_seconds));
    BS_TRY(results_attr_str(r, g, "description",
                            "The scenario's timeline in miniature: one row per phase (the days "
                            "between events), sampled on its last day.  /population counts the "
                            "testbed's people by first choice and VPN protocol, drawn from the "
                            "national run's shares that day; /calls counts their call attempts in "
                            "ns-3 through censor boxes applying that day's rules (completed: set "
                            "up, media loss within testbed.usable_loss); /network and /censor are "
                            "the packets' mean loads over the phase's simulated minutes"));
    BS_TRY(results_attr_str(r, "/provenance", "ns3", bs_ns3_version()));
    BS_TRY(results_attr_str(r, "/provenance", "engines",
                            "population and flow (the national run), packet (ns-3, the replay)"));
    return BS_OK;
}

int testbed_replay(const world *w, const char *config, int n_set, char *const *set, const char *dir,
                   int progress_mode)
{
    int quiet = progress_mode == PROGRESS_OFF;
    char path[4096 + 128];
    snprintf(path, sizeof path, "%s/%s-replay-seed%lld.h5", dir, w->scenario.name,
             (long long)w->scenario.seed);
    if (!quiet)
        fprintf(stderr,
                "blockshift: replay of %s: the national run (%d days), then %lld people "
                "in ns-3 %s\n",
                w->scenario.name, w->n_days, (long long)w->testbed.replay_users, bs_ns3_version());
    char *text = config_dump(w);
    if (!text)
        return bs_nomem("the configuration text (replay)");
    sim_out nat;
    progress *pg = progress_new("replay: the national run", "days", progress_mode);
    int st = sim_run(w, progress_step, pg, &nat);
    progress_end(pg);
    replay_out o;
    if (st == BS_OK) {
        pg = progress_new("replay in ns-3", "phases", progress_mode);
        st = replay_run_steps(w, &nat, &o, progress_step, pg);
        progress_end(pg);
        sim_out_free(&nat);
    }
    if (st == BS_OK) {
        results *r = results_create(path);
        run_meta m = {config, text, n_set, set};
        st = r ? output_begin(r, w, &o.pop, &m) : bs_last_status();
        if (st == BS_OK)
            st = write_network(r, w, &o);
        if (st == BS_OK)
            st = write_replay(r, w, &o);
        if (r && st == BS_OK)
            st = results_commit(r);
        else if (r)
            results_abort(r);
        if (st == BS_OK && !quiet)
            fprintf(stderr,
                    "blockshift: %d phases, %d simulations, %llu media packets, %.1f s in ns-3\n"
                    "blockshift: results in %s (blockshift plot draws them)\n",
                    o.n_phases, o.simulations, (unsigned long long)o.media_packets, o.wall_seconds,
                    path);
        if (st == BS_OK) {
            printf("%s\n", path);
            fflush(stdout);
        }
        replay_out_free(&o);
    }
    free(text);
    return st;
}
