/* population_internal: the population's state, shared by the files of the
 * engine (population.c: the day; switch.c: pairwise switching; use.c: use
 * and returns; vpn_spread.c: VPN adoption and dropping).  Not for other
 * modules: they use population.h. */
#ifndef BS_POPULATION_INTERNAL_H
#define BS_POPULATION_INTERNAL_H

#include "base/rng.h"
#include "censor/censor.h"
#include "population/graph.h"
#include "population/population.h"

#include <stddef.h>
#include <stdint.h>

#define FLAG_IOS 1u /* graph.h relies on bit 0 meaning iOS */
#define FLAG_AVERSE 2u
#define FLAG_VPN 4u         /* had a VPN when the day's calls were drawn (word of mouth reads it) */
#define FLAG_VPN_CALLS 8u   /* took its VPN up in the run, for calls (vpn_spread.c) */
#define FLAG_SCREEN_SHIFT 4 /* bits 4-7: the top 4 bits of the day's adoption word */
#define NO_APP 0xffu
#define POISSON_TABLE 32
#define BLOCK (1u << 16)

/* A block of agents: its tallies of the day. */
typedef struct lane {
    uint32_t *inst_agent; /* installs decided today, applied after every block decided */
    uint8_t *inst_app;    /* the app, | INST_PRE when pre-installation brought it */
    size_t n_inst, cap_inst;
    uint32_t *sw_agent; /* pairwise switches to apply after the calls (switch.c) */
    uint8_t *sw_app;
    size_t n_sw, cap_sw;
    double *primary, *vpn; /* changes to the counts, [region][app] and [region][vpn] */
    double *installed;     /* changes to the installs ([region][app]): uninstalls */
    double *use;           /* this block's use counts, [POP_USES][region][app] (use.c) */
    uint64_t *use_bytes;   /* [region][POP_USES][2]: the same in 8-bit counters, one byte an
                              app (use.c), flushed into `use` before they can overflow */
    uint32_t *use_n;       /* [region]: agents counted in use_bytes since the last flush */
    double attempted[MAX_APPS], completed[MAX_APPS], failed[MAX_APPS], abandoned;
    float frust_max; /* bounds every F in the block (adoption's first screen) */
    int oom;         /* a list could not grow */
} lane;
#define INST_PRE 0x80u

/* Hot per-agent state, stored by field (struct of arrays). */
struct population {
    const world *w;
    uint32_t n;
    uint8_t *region, *flags;
    uint8_t *habit;     /* habitual first choice, NO_APP if none */
    uint8_t *first;     /* current first choice for calls, NO_APP if none */
    uint8_t *first_day; /* first at the end of the day before: what a call reads of its contact */
    uint8_t *away;      /* days the habitual app has not been first (use.c), at most 255 */
    uint16_t *installed;
    uint16_t *msg;    /* apps used for messages (use.c) */
    uint16_t *called; /* apps used for calls today (set during the calls, atomically) */
    uint16_t *month_msg, *month_call; /* apps used this calendar month */
    uint32_t *card;                   /* usable apps | ISP << 16 | VPN state << 24 */
    uint64_t *order;                  /* 4-bit slots: slot 0 is the first choice */
    float *frust;
    graph g;
    uint16_t averse_apps; /* apps averse agents refuse */
    uint16_t runs_on[N_PLATFORMS];
    uint64_t abroad_seed;
    rng_key key;       /* of the keyed draws per agent and day (population.agent-day) */
    uint32_t day;      /* days stepped so far: the day coordinate of the keyed draws */
    int new_month;     /* today is the first day of a calendar month (use.c) */
    int any_msg_block; /* some app's messages are blocked somewhere today (use.c) */
    int atomic_marks;  /* calls run on several threads: mark the contact's use atomically */
    double poisson_cdf[POISSON_TABLE];       /* calls per agent per day */
    double *n_installed, *n_primary, *n_vpn; /* running counts, agents */
    double *vpn_detect; /* [isp][vpn] today's detection, copied from the censor */
    double *msg_block;  /* [isp][app] today's messaging block, 1 - pass (use.c) */
    uint32_t *msg_thr;  /* [isp][app] ceil(msg_daily (1 - block) 2^16): a direct user's
                           16-bit activity draw k is active when k < it (use.c) */
    int any_detect;     /* whether any protocol is detected anywhere today */
    int n_lanes;
    lane *lanes;
    /* The flow engine's tally of call attempts (population_tally_on): one
     * array per thread, summed after the calls (integer counts, so the sum
     * does not depend on which thread counted what). */
    int n_thr;
    size_t tally_cells;
    uint64_t **tally_thr, *tally;
};

/* The keyed draws (population.c, above population_streams). */
enum {
    PURPOSE_CALLS,
    PURPOSE_CALL,
    PURPOSE_ADOPT,
    PURPOSE_ADOPT_CONTACT,
    PURPOSE_DAY,
    PURPOSE_SWITCH, /* sub = the call's number: the pair's choice (switch.c) */
    PURPOSE_USE     /* the day's messaging activity (use.c, activity_word), changes of use */
};

static inline void agent_day(const population *p, rng_at *s, uint32_t i, int purpose, uint32_t sub)
{
    rng_at_start(s, p->key, i, p->day, (uint32_t)purpose | sub << 8);
}

static inline double unit_of(uint64_t h) { return (double)(h >> 11) * 0x1.0p-53; }

/* Mark app bit `bit` as used for calls today by agent j.  Several threads'
 * calls may mark the same agent: then atomically (an OR: the result does
 * not depend on the order); on one thread a plain OR gives the same result
 * without the locked instruction, which stalls the calls' prefetching. */
static inline void mark_called(population *p, uint32_t j, uint16_t bit)
{
    if (p->atomic_marks)
        __atomic_fetch_or(&p->called[j], bit, __ATOMIC_RELAXED);
    else
        p->called[j] |= bit;
}

static inline uint16_t card_usable(uint32_t card) { return (uint16_t)(card & 0xffffu); }
static inline int card_isp(uint32_t card) { return (int)(card >> 16 & 0xffu); }
static inline int card_vpn(uint32_t card) { return (int)(card >> 24); }

/* The chance one endpoint's box passes a call attempt on app a with tunnel
 * state `tunnel`: a direct attempt the box stops still gets through the
 * app's built-in circumvention (apps[].circumvention) with probability circ. */
static inline double end_pass(const censor *c, int isp, int a, int cls, int tunnel, double circ)
{
    double q = censor_pass_tunnel(c, isp, a, cls, tunnel);
    return tunnel ? q : q + (1.0 - q) * circ;
}

/* Contact count and contact number c of agent i (population.c). */
uint64_t population_n_contacts(const population *p, uint32_t i);
int population_resolve_contact(const population *p, uint32_t i, uint64_t c, uint32_t *who);

/* State changes that keep the counts right (population.c). */
void population_put_first(population *p, uint32_t i, int a, double *primary);
void population_install(population *p, uint32_t i, int app);
void population_set_vpn(population *p, uint32_t i, int vstate, double *vpn);
int population_pick_vpn(population *p, double u, int isp, double below);

/* switch.c: after the attempt of a call on app `a` failed, caller and
 * contact may agree on another app (models/README.md, section 4, step 1b).
 * Returns 1 when they agreed (the call then ends: on the app agreed, which
 * was attempted), 0 otherwise (an allocation failure sets the lane's oom). */
typedef struct pair_call {
    uint32_t caller, n, who;
    int domestic, tin, tout;
    uint32_t mine, theirs;
    double u_class;
    size_t cell; /* the call's cell in the flow engine's tally (tally != NULL) */
} pair_call;
int switch_after_failure(population *p, const censor *c, const pair_call *call, int a, lane *l,
                         uint64_t *tally);
/* Apply the blocks' switches (installs and first choices), in block order. */
void switch_apply(population *p);
/* The switching probabilities of one failure (for tests): prob[b] that the
 * pair agrees on app b, given the pair's state; returns their sum. */
double switch_probs(const world *w, const double *pass, uint16_t has_i, uint16_t has_j,
                    uint16_t can_i, uint16_t can_j, int first_i, int first_j, double use_a, int a,
                    double *prob);

/* use.c */
void use_start_day(population *p, const censor *c);
void use_agent_day(population *p, const censor *c, lane *l, uint32_t i, rng_at *day);
void use_gather(population *p, pop_day *out);

/* vpn_spread.c: the VPN step of agent i (words 1-3 of its PURPOSE_DAY draws
 * r, then word 4 on for a contact). */
void vpn_spread_step(population *p, lane *l, const day_rules *d, uint32_t i, rng_at *r);

#endif
