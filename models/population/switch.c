/* switch: a failed call, and the pair agreeing there and then on another app
 * (models/README.md, section 4, step 1b).
 *
 * The caller and the contact of a call whose attempt on app a failed agree on
 * app b != a with the competing hazards
 *   eta_b = sigma (1 + gamma U_a) iota_b (epsilon + C_b) P_b,
 * sigma = switch_rate, gamma = switch_use, epsilon = switch_new; U_a the
 * share of the two who use a for messages (how much the failed app is used:
 * 0, 1/2 or 1), C_b the share of the two whose first choice for calls is b
 * (how many of the pair's other calls b carries: 0, 1/2 or 1; the contact's
 * as it was at the end of the day before, the caller's as it is now), iota_b 1 when
 * both have b and switch_install when one of them must install it, P_b the
 * chance a call on b passes between the two (people know which apps work).
 * Candidates are apps that both can run (platform, aversion) and one of them
 * has.  They agree on some app with probability 1 - exp(-eta), eta = sum
 * eta_b, and on b with eta_b / eta of it.
 *
 * The call is then attempted on b, an ordinary attempt (population_attempt:
 * counted, and when it fails learnt from as any failure: frustration, b one
 * place down in the caller's order); the call ends there.  The caller, whose own state only its
 * block changes during the calls, puts b first at once when it has b; what
 * changes the contact (or installs b for the caller: an app installed for the
 * pair's calls, not a messaging app) is noted in the block's
 * list and applied after every block has made its calls, in block order, so
 * that no block reads a contact another is changing and the result does not
 * depend on the threads.  The draws are the call's own (PURPOSE_SWITCH, the
 * call's number): word 0 the agreement, word 1 the attempt on b. */
#include "population/population_internal.h"

#include "censor/censor.h"

#include <math.h>
#include <stdlib.h>

double switch_probs(const world *w, const double *pass, uint16_t has_i, uint16_t has_j,
                    uint16_t can_i, uint16_t can_j, int first_i, int first_j, double use_a, int a,
                    double *prob)
{
    const population_cfg *pc = &w->population;
    double eta[MAX_APPS], total = 0;
    double scale = pc->switch_rate * (1.0 + pc->switch_use * use_a);
    for (int b = 0; b < w->n_apps; b++) {
        eta[b] = 0;
        int have = (has_i >> b & 1u) + (has_j >> b & 1u);
        if (b == a || !have || !(can_i >> b & 1u) || !(can_j >> b & 1u))
            continue;
        double carry = 0.5 * ((first_i == b) + (first_j == b));
        eta[b] =
            scale * (have == 2 ? 1.0 : pc->switch_install) * (pc->switch_new + carry) * pass[b];
        total += eta[b];
    }
    double any = total > 0 ? -expm1(-total) : 0.0;
    for (int b = 0; b < w->n_apps; b++)
        prob[b] = total > 0 ? eta[b] / total * any : 0.0;
    return any;
}

static int note_switch(lane *l, uint32_t i, int b, int install)
{
    if (l->n_sw == l->cap_sw) {
        size_t cap = l->cap_sw ? 2 * l->cap_sw : 1024;
        uint32_t *ag = realloc(l->sw_agent, cap * sizeof *ag);
        if (ag)
            l->sw_agent = ag;
        uint8_t *ap = realloc(l->sw_app, cap);
        if (ap)
            l->sw_app = ap;
        if (!ag || !ap)
            return 0;
        l->cap_sw = cap;
    }
    l->sw_agent[l->n_sw] = i;
    l->sw_app[l->n_sw++] = (uint8_t)(b | (install ? INST_PRE : 0));
    return 1;
}

/* What agent j (domestic) can run: its platform's apps, minus those it refuses. */
static uint16_t can_run(const population *p, uint32_t j)
{
    /* Its block writes other bits of the flags during the calls (atomically). */
    uint8_t f = __atomic_load_n(&p->flags[j], __ATOMIC_RELAXED);
    uint16_t can = p->runs_on[f & FLAG_IOS ? PLATFORM_IOS : PLATFORM_ANDROID];
    return f & FLAG_AVERSE ? can & (uint16_t)~p->averse_apps : can;
}

int switch_after_failure(population *p, const censor *c, const pair_call *call, int a, lane *l,
                         uint64_t *tally)
{
    const world *w = p->w;
    uint32_t i = call->caller;
    uint16_t has_i = card_usable(call->mine), has_j = card_usable(call->theirs);
    uint16_t can_i = can_run(p, i), can_j = call->domestic ? can_run(p, call->who) : has_j;
    int first_j = call->domestic ? p->first_day[call->who] : NO_APP;
    double use_a =
        0.5 * ((p->msg[i] >> a & 1u) + (call->domestic ? (p->msg[call->who] >> a & 1u) : 1u));
    double pass[MAX_APPS];
    for (int b = 0; b < w->n_apps; b++) {
        pass[b] = censor_pass(c, card_isp(call->mine), b, CLASS_VOICE, card_vpn(call->mine));
        if (call->domestic)
            pass[b] *=
                censor_pass(c, card_isp(call->theirs), b, CLASS_VOICE, card_vpn(call->theirs));
    }
    double prob[MAX_APPS];
    double any =
        switch_probs(w, pass, has_i, has_j, can_i, can_j, p->first[i], first_j, use_a, a, prob);
    if (any <= 0)
        return 0;
    rng_at r;
    agent_day(p, &r, i, PURPOSE_SWITCH, call->n);
    double u = rng_at_uniform(&r);
    if (u >= any)
        return 0;
    int b = 0;
    for (; b < w->n_apps - 1; b++) {
        if (u < prob[b])
            break;
        u -= prob[b];
    }
    while (prob[b] <= 0) /* rounding at the top end: the last candidate */
        b--;
    /* The call on b: an ordinary attempt (its counts, and a failure learnt
     * from as any other); the call ends either way. */
    double rest;
    if (!population_attempt(p, c, call, b, &r, l, tally, &rest)) {
        l->abandoned += 1;
        return 1;
    }
    uint16_t bit = (uint16_t)(1u << b);
    if (has_i & bit)
        population_put_first(p, i, b, l->primary);
    else if (!note_switch(l, i, b, 1))
        l->oom = 1;
    if (call->domestic && !note_switch(l, call->who, b, !(has_j & bit)))
        l->oom = 1;
    return 1;
}

void switch_apply(population *p)
{
    for (int k = 0; k < p->n_lanes; k++) {
        lane *l = &p->lanes[k];
        for (size_t x = 0; x < l->n_sw; x++) {
            uint32_t j = l->sw_agent[x];
            int b = l->sw_app[x] & ~INST_PRE;
            /* Installed for the pair's calls: used for calls, not for
             * messages (a start on it is use.c's msg_start_calls). */
            if (!(p->installed[j] >> b & 1u))
                population_install(p, j, b);
            if (card_usable(p->card[j]) >> b & 1u)
                population_put_first(p, j, b, p->n_primary);
        }
        l->n_sw = 0;
    }
}
