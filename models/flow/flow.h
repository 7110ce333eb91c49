/* flow: weighted max-min fair sharing of link capacity among demand
 * aggregates, the bandwidth solver of the flow engine (models/README.md, section 5).
 *
 * The system.  Links l = 0..n_links-1 have capacities c_l >= 0 (bit/s).
 * Aggregates f = 0..n_flows-1 have demands d_f >= 0 (bit/s; INFINITY for an
 * elastic aggregate that takes whatever the network leaves it), weights
 * w_f > 0 (the number of flows the aggregate stands for: the engine's
 * aggregates are made of many concurrent calls or connections, and a link is
 * shared fairly among flows, not among aggregates; all 1 without weights) and
 * a path, a list of links.  An aggregate that lists a link k times (a hairpin
 * out and back over one link) loads it k times: m_fl is that multiplicity.
 * Rates x are feasible when
 *     0 <= x_f <= d_f   and   sum_f m_fl x_f <= c_l   for every link l.
 * They are weighted max-min fair when no x_f can be raised without lowering
 * some x_g with x_g / w_g <= x_f / w_f (Bertsekas and Gallager, Data
 * Networks, 2nd ed., 1992, section 6.5.2, with weights: max-min fairness of
 * the per-flow rates x_f / w_f).  Equivalently (the optimality conditions):
 * every aggregate is at its demand, or has a bottleneck link, one that is
 * saturated and on which no aggregate has a larger rate per weight
 * x_g / w_g.  The weighted max-min fair rates exist and are unique.  An
 * aggregate of w flows gets what w aggregates of one flow each would get
 * together.
 *
 * Weighted progressive filling finds them: a level L rises from 0 and every
 * unfrozen aggregate has the rate w_f L; an aggregate freezes when it
 * reaches its demand (at L = d_f / w_f) or when a link on its path
 * saturates, and the others go on rising.  An aggregate frozen by a link that
 * saturates at level L has x_f / w_f = L, every other aggregate on that link
 * has x_g / w_g <= L, so the link is its bottleneck: the result is weighted
 * max-min fair.
 *
 * The event-driven algorithm.  A link with r_l capacity left over by its
 * frozen aggregates (r_l = c_l - their load) and unfrozen entries of total
 * weight W_l (sum of m_fl w_f over the unfrozen f) saturates when the level
 * reaches
 *     L_l = r_l / W_l.
 * The next event is the smaller of the least d_f / w_f of an unfrozen
 * aggregate and the least L_l: the level jumps there, the aggregates
 * concerned freeze (at their demand, or at w_f L), and r_l, W_l of every link
 * on their paths are updated (one "flow-link update" per path entry; each
 * entry is updated exactly once).
 *
 * Why L_l never falls below the level: before an event at level L, every
 * link has L_l >= L (L is at most the least L_l), so its slack
 * s_l = r_l - W_l L >= 0.  Every aggregate freezes at w_f L (at its demand,
 * d_f = w_f L, or on a saturated link), and freezing one of weight w that
 * crosses l m times gives r_l' = r_l - m w L and W_l' = W_l - m w, so
 *     L_l' = (r_l - m w L) / (W_l - m w) = L + s_l / (W_l - m w) >= L:
 * the slack stays and is shared by less weight.  So a link's saturation
 * level only rises, the level only rises, and taking the events in order of
 * level is weighted progressive filling exactly.
 *
 * Because keys only rise, the links sit in a binary min-heap whose keys may
 * be stale: a stale key is a lower bound of the link's L_l.  An update only
 * marks its link; when a marked link reaches the top, its key is recomputed
 * and sifted down.  An unmarked top has the least L_l of all (its key is exact
 * and bounds every other link's L_l from below).  Each re-sift pays for at
 * least one update, so the work is O(entries log links) at worst, much less in
 * practice.  Aggregates are sorted by d_f / w_f (a radix sort on the bits of
 * the double, O(flows)), ties by index.  Total O(flows + entries log links).
 *
 * Rounding: r_l and W_l are kept by subtraction, so a recomputed L_l may come
 * out a few units in the last place below the level; a key is then left as
 * it was, never lowered.  W_l is summed afresh from its unfrozen entries
 * when it has fallen below 1/256 of its last sum (weights far apart: the
 * errors of the subtractions would be large beside what is left).  Rates
 * and loads are exact to within about (entries on the link) * 2^-53 of the
 * capacity.  The result depends only on the input (ties go by index, the
 * work is done in an order fixed by the input).
 */
#ifndef BS_FLOW_H
#define BS_FLOW_H

#include <stdint.h>

/* One problem.  The caller owns the arrays; the solver only reads them.
 * Aggregate f crosses the links path_link[path_off[f] .. path_off[f+1]). */
typedef struct flow_problem {
    uint32_t n_links;
    const double *capacity; /* [n_links] bit/s: finite, >= 0 */
    uint32_t n_flows;
    const double *demand;      /* [n_flows] bit/s: >= 0, INFINITY for elastic */
    const uint32_t *path_off;  /* [n_flows + 1]: path_off[0] = 0, non-decreasing */
    const uint32_t *path_link; /* [path_off[n_flows]]: link indices < n_links */
    const double *weight;      /* [n_flows] w_f: finite, > 0; NULL: every weight 1 */
} flow_problem;

/* What one solve did. */
typedef struct flow_stats {
    uint64_t rounds;      /* events: a link saturating, or the aggregates of one
                             demand value reaching it */
    uint64_t bottlenecks; /* links that saturated and froze aggregates */
    uint64_t at_demand;   /* aggregates that got their demand (empty paths too) */
    uint64_t updates;     /* flow-link updates: one per path entry */
    uint64_t resifts;     /* stale heap keys recomputed at the top */
} flow_stats;

typedef struct flow_solver flow_solver;

/* A solver: the workspace of flow_solve, kept across calls and grown as
 * needed (so the engine pays for memory once per run, not per hour).  NULL
 * with a message if out of memory.  flow_solver_free(NULL) does nothing. */
flow_solver *flow_solver_new(void);
void flow_solver_free(flow_solver *s);

/* Solve p: rate[f] gets the weighted max-min fair rate of aggregate f ([n_flows],
 * required if n_flows > 0), link_load[l] the carried load of link l, the sum
 * of m_fl rate[f] ([n_links], or NULL), *stats what was done (or NULL).
 * An aggregate with an empty path gets its demand.
 *
 * Returns BS_OK; BS_EINPUT with a message naming the aggregate or link
 * (a demand or capacity that is NaN or negative, an infinite capacity, a
 * weight that is not finite and > 0, a link index out of range, offsets that
 * go down, an infinite demand on an empty path); BS_ENOMEM.  On those
 * failures the outputs are left untouched.  BS_ERUNTIME would mean a bug (an
 * invariant of the algorithm broken).  One solver serves one thread at a
 * time. */
int flow_solve(flow_solver *s, const flow_problem *p, double *rate, double *link_load,
               flow_stats *stats);

#endif
