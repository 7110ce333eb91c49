/* vpn_spread: VPN adoption that spreads by word of mouth, and dropping
 * (models/README.md, section 4, step 3).
 *
 * A person without a VPN adopts one with probability 1 - exp(-h),
 *   h = v0 A(t) N_i (1 + k_social s_i),   N_i = F_i / (F_i + F_half),
 * v0 = vpn_rate, A(t) the availability (store removals, protocol blocks),
 * N_i the need (the share of one's use that fails, measured by frustration),
 * k_social = vpn_social, s_i the share of i's contacts with a VPN (at the
 * start of the day), estimated without bias from one contact drawn at random
 * (a contact abroad counts as without: abroad one needs none).  A VPN user
 * whose protocol is detected notices with that probability and moves to a
 * less detectable protocol with probability vpn_switch, else gives up; one
 * not detected who took the VPN up in the run gives it up with probability
 * vpn_drop + vpn_unneeded (1 - N_i) a day (dropped when no longer needed, or
 * at a per-day hazard).  Those who had one at the start keep it unless it is
 * detected: they have needs beyond calls (blocked sites) the model does not
 * represent, and without an event their share stays where it started.
 *
 * The flags are read by other blocks' agents (word of mouth): they change
 * here only by atomic operations on bit FLAG_VPN_CALLS, which no one else
 * reads, so the bit FLAG_VPN others read does not change during this step.
 *
 * Draws: words 1 (notice or adopt), 2 (switch, or drop), 3 (protocol) of the
 * agent's PURPOSE_DAY draws, then from word 4 the contact. */
#include "population/population_internal.h"

#include <math.h>

void vpn_spread_step(population *p, lane *l, const day_rules *d, uint32_t i, rng_at *r)
{
    const population_cfg *pc = &p->w->population;
    rng_at_seek(r, 1);
    int isp = card_isp(p->card[i]), vs = card_vpn(p->card[i]);
    float f = p->frust[i];
    double need = f > 0 ? f / (f + pc->vpn_half) : 0.0;
    if (vs) {
        double det = p->any_detect ? p->vpn_detect[isp * p->w->n_vpns + vs - 1] : 0.0;
        if (det > 0 && rng_at_uniform(r) < det) {
            int v = -1;
            if (rng_at_uniform(r) < pc->vpn_switch)
                v = population_pick_vpn(p, rng_at_uniform(r), isp, det);
            population_set_vpn(p, i, v + 1, l->vpn);
            if (v < 0)
                __atomic_fetch_and(&p->flags[i], (uint8_t)~FLAG_VPN_CALLS, __ATOMIC_RELAXED);
            return;
        }
        if (!(__atomic_load_n(&p->flags[i], __ATOMIC_RELAXED) & FLAG_VPN_CALLS))
            return;
        double drop = pc->vpn_drop + pc->vpn_unneeded * (1.0 - need);
        if (drop <= 0)
            return;
        rng_at_seek(r, 2);
        if (rng_at_uniform(r) < drop) {
            population_set_vpn(p, i, 0, l->vpn);
            __atomic_fetch_and(&p->flags[i], (uint8_t)~FLAG_VPN_CALLS, __ATOMIC_RELAXED);
        }
        return;
    }
    if (need <= 0 || d->vpn_availability <= 0 || pc->vpn_rate <= 0)
        return;
    double base = pc->vpn_rate * d->vpn_availability * need;
    double u = rng_at_uniform(r);
    if (u >= base * (1.0 + pc->vpn_social)) /* 1 - exp(-h) <= h <= this */
        return;
    double h = base;
    uint64_t nc = pc->vpn_social > 0 ? population_n_contacts(p, i) : 0;
    if (nc && u >= -expm1(-h)) {
        /* Only now does the contact matter: draw it. */
        rng_at_seek(r, 4);
        uint32_t who;
        if (population_resolve_contact(p, i, rng_at_below(r, nc), &who) &&
            (__atomic_load_n(&p->flags[who], __ATOMIC_RELAXED) & FLAG_VPN))
            h = base * (1.0 + pc->vpn_social);
    }
    if (u < h && u < -expm1(-h)) {
        rng_at_seek(r, 3);
        int v = population_pick_vpn(p, rng_at_uniform(r), isp, 2.0);
        population_set_vpn(p, i, v + 1, l->vpn);
        if (v >= 0)
            __atomic_fetch_or(&p->flags[i], (uint8_t)FLAG_VPN_CALLS, __ATOMIC_RELAXED);
    }
}
