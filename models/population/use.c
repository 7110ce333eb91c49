/* use: what people use each app for, day by day, and the return to the
 * habitual app (models/README.md, section 4, steps 4 and 6).
 *
 * Per agent and app, bit sets of 16 apps: installed (population.c), used for
 * messages (msg), used for calls today (called: set during the calls, for
 * the caller and the contact of every call that connected) and this calendar
 * month (month_msg, month_call).  The first choice for calls is the order's.
 *
 * The end of an agent's day, from its draws of purpose PURPOSE_USE (16 bits an
 * app of activity_word for the day's messaging activity; of its rng_at
 * draws, word 8 + a for a change of its use of app a, word 24 + a for an
 * uninstall):
 *  - a messaging user of a is active today with probability msg_daily (the
 *    app's apps.[].msg_daily, else population.msg_daily) times the chance
 *    its messages pass the box (messaging class, its VPN state);
 *  - a messaging user whose messages on a are blocked (share b) stops using a
 *    for messages with probability msg_quit b; one who has a usable a and does
 *    not message with it starts with probability msg_start_calls when it calls
 *    on a (called with it this month, or its first choice: an app installed
 *    for a pair's calls), else msg_start (an idle app, e.g. pre-installed);
 *  - an installed app it neither messages with nor called with this month,
 *    that is neither its first choice nor its habitual app, is uninstalled
 *    with probability uninstall_rate;
 *  - the habit: while the habitual app is not first, the days away count up;
 *    a calm person (F below return_frustration) puts it first again with
 *    probability return_rate exp(-days away / habit_time); after 3
 *    habit_time days away the current first choice becomes the habit
 *    (habit_time 0: the habit never fades, the old model). */
#include "population/population_internal.h"

#include "censor/censor.h"

#include <math.h>
#include <string.h>
#include <time.h>

/* Whether day `day` of the scenario is the first of a calendar month. */
static int month_starts(const world *w, uint32_t day)
{
    time_t t = ((time_t)w->scenario.start + (time_t)day) * 86400;
    struct tm tm;
    return gmtime_r(&t, &tm) && tm.tm_mday == 1;
}

void use_start_day(population *p, const censor *c)
{
    const world *w = p->w;
    p->new_month = month_starts(w, p->day);
    if (w->population.habit_time > 0)
        for (int k = 0; k < 256; k++) /* the expression habit_return had: the same values */
            p->habit_decay[k] = exp(-k / w->population.habit_time);
    p->any_msg_block = 0;
    int na = w->n_apps, nv = w->n_vpns + 1;
    for (int isp = 0; isp < w->n_all_isps; isp++)
        for (int a = 0; a < na; a++) {
            double daily = w->apps[a].msg_daily >= 0 ? w->apps[a].msg_daily
                                                     : w->population.msg_daily;
            double b = 1.0 - censor_pass(c, isp, a, CLASS_MESSAGING, 0);
            p->msg_block[isp * na + a] = b;
            uint32_t *thr = p->msg_thr + (size_t)isp * nv * na + a;
            thr[0] = (uint32_t)ceil(daily * (1.0 - b) * 65536.0);
            /* A VPN user's k is active when k 2^-16 < msg_daily pass: k times
             * 2^16 is exact, so for an integer k that is k < ceil(msg_daily
             * pass 2^16), the same decision. */
            for (int vs = 1; vs < nv; vs++)
                thr[(size_t)vs * na] =
                    (uint32_t)ceil(daily * censor_pass(c, isp, a, CLASS_MESSAGING, vs) * 65536.0);
            p->any_msg_block |= b > 0;
        }
}

static void habit_return(population *p, lane *l, uint32_t i, rng_at *r)
{
    const population_cfg *pc = &p->w->population;
    int h = p->habit[i];
    if (h == NO_APP || p->first[i] == h) {
        p->away[i] = 0;
        return;
    }
    if (p->away[i] < 255)
        p->away[i]++;
    if (pc->habit_time > 0 && p->away[i] >= 3.0 * pc->habit_time && p->first[i] != NO_APP) {
        p->habit[i] = p->first[i]; /* the new app has become the habit */
        p->away[i] = 0;
        return;
    }
    if (p->frust[i] >= pc->return_frustration || !(card_usable(p->card[i]) >> h & 1u))
        return;
    double rate = pc->return_rate;
    if (pc->habit_time > 0)
        rate *= p->habit_decay[p->away[i]]; /* exp(-away / habit_time) */
    rng_at_seek(r, 0);
    if (rng_at_uniform(r) < rate)
        population_put_first(p, i, h, l->primary);
}

/* spread[b]: byte j is bit j of b. */
static const uint64_t spread[256] = {
#define S1(b)                                                                                      \
    (((uint64_t)((b) >> 0 & 1)) | ((uint64_t)((b) >> 1 & 1)) << 8 |                                \
     ((uint64_t)((b) >> 2 & 1)) << 16 | ((uint64_t)((b) >> 3 & 1)) << 24 |                         \
     ((uint64_t)((b) >> 4 & 1)) << 32 | ((uint64_t)((b) >> 5 & 1)) << 40 |                         \
     ((uint64_t)((b) >> 6 & 1)) << 48 | ((uint64_t)((b) >> 7 & 1)) << 56)
#define S4(b) S1(b), S1((b) + 1), S1((b) + 2), S1((b) + 3)
#define S16(b) S4(b), S4((b) + 4), S4((b) + 8), S4((b) + 12)
#define S64(b) S16(b), S16((b) + 16), S16((b) + 32), S16((b) + 48)
    S64(0), S64(64), S64(128), S64(192)
#undef S64
#undef S16
#undef S4
#undef S1
};

/* Empty region reg's byte counters into the block's counts. */
static void use_flush(const world *w, lane *l, int reg)
{
    int na = w->n_apps;
    uint64_t *acc = l->use_bytes + (size_t)reg * POP_USES * 2;
    size_t stride = (size_t)w->n_regions * na;
    double *u = l->use + (size_t)reg * na;
    for (int k = 0; k < POP_USES; k++) {
        for (int a = 0; a < na; a++)
            u[k * stride + a] += (double)(acc[2 * k + a / 8] >> (8 * (a % 8)) & 0xffu);
        acc[2 * k] = acc[2 * k + 1] = 0;
    }
    l->use_n[reg] = 0;
}

/* The day's messaging activity draws of agent i: 16 bits an app, four apps
 * a 64-bit word, word k = mix(mix(key, agent, day) + k): keyed by (seed,
 * run, agent, day, purpose) like every draw of the day, but a lighter
 * function than Philox (two multiplications a mix, one mix for the agent's
 * day and one a word, against ten rounds a block: this draw is made for
 * every messaging user every day). */
static inline uint64_t activity_key(const population *p, uint32_t i)
{
    uint64_t key = (uint64_t)p->key.k[0] << 32 | p->key.k[1];
    return rng_mix64(key ^ ((uint64_t)i << 32 | p->day));
}
static inline uint64_t activity_word(uint64_t h, int k)
{
    return rng_mix64(h + 0x9e3779b97f4a7c15ull * (uint64_t)(PURPOSE_USE << 8 | k));
}

void use_agent_day(population *p, lane *l, uint32_t i, rng_at *day)
{
    const world *w = p->w;
    const population_cfg *pc = &w->population;
    int na = w->n_apps;
    habit_return(p, l, i, day);
    if (p->new_month)
        p->month_msg[i] = p->month_call[i] = 0;
    rng_at s;
    agent_day(p, &s, i, PURPOSE_USE, 0);
    uint32_t card = p->card[i];
    int isp = card_isp(card), vs = card_vpn(card);
    const double *blk = p->msg_block + (size_t)isp * na;
    const uint32_t *thr = p->msg_thr + ((size_t)isp * (w->n_vpns + 1) + (size_t)vs) * na;
    uint16_t active = 0, msg = p->msg[i];
    if (msg) {
        /* k / 2^16 < msg_daily pass, as k < ceil(msg_daily pass 2^16) (the
         * same decision, in integers).  Every app's bits are drawn (a draw
         * is a function of (agent, day, app) alone, so drawing the ones of
         * apps it does not use changes nothing) and kept for the apps it
         * uses: a loop of fixed length without data-dependent branches. */
        uint64_t h = activity_key(p, i);
        for (int g = 0; 4 * g < na; g++) {
            uint64_t word = activity_word(h, g);
            int top = na - 4 * g < 4 ? na - 4 * g : 4;
            for (int x = 0; x < top; x++) {
                uint32_t k = (uint32_t)(word >> (16 * x) & 0xffffu);
                active |= (uint16_t)((uint32_t)(k < thr[4 * g + x]) << (4 * g + x));
            }
        }
        active &= msg;
    }
    uint16_t called = p->called[i];
    p->called[i] = 0;
    p->month_msg[i] |= active;
    p->month_call[i] |= called;
    /* Changes of use: quitting a blocked messenger, starting with an installed app. */
    uint16_t usable = card_usable(card);
    uint16_t change = p->any_msg_block ? (uint16_t)(usable | msg) : (uint16_t)(usable & ~msg);
    int first = p->first[i], habit = p->habit[i]; /* NO_APP: no bit (branch-free) */
    uint16_t calls_on =
        (uint16_t)(p->month_call[i] | (uint32_t)(first != NO_APP) << (first & 15));
    for (uint16_t x = change; x; x &= (uint16_t)(x - 1)) {
        int a = __builtin_ctz(x);
        uint16_t bit = (uint16_t)(1u << a);
        double prob = msg & bit     ? pc->msg_quit * blk[a] * (vs ? 1.0 - pc->vpn_on : 1.0)
                      : calls_on & bit ? pc->msg_start_calls
                                       : pc->msg_start;
        if (prob <= 0)
            continue;
        rng_at_seek(&s, 8 + (uint32_t)a);
        if (rng_at_uniform(&s) < prob)
            msg ^= bit;
    }
    p->msg[i] = msg;
    /* Uninstalls of apps not used at all. */
    uint16_t keep = (uint16_t)(msg | calls_on | (uint32_t)(habit != NO_APP) << (habit & 15));
    uint16_t idle = (uint16_t)(p->installed[i] & ~keep);
    if (idle && pc->uninstall_rate > 0) {
        for (uint16_t x = idle; x; x &= (uint16_t)(x - 1)) {
            int a = __builtin_ctz(x);
            rng_at_seek(&s, 24 + (uint32_t)a);
            if (rng_at_uniform(&s) >= pc->uninstall_rate)
                continue;
            p->installed[i] &= (uint16_t) ~(1u << a);
            l->installed[(size_t)p->region[i] * na + a] -= 1;
        }
        uint16_t use = p->flags[i] & FLAG_AVERSE ? p->installed[i] & (uint16_t)~p->averse_apps
                                                 : p->installed[i];
        p->card[i] = (p->card[i] & 0xffff0000u) | use;
        p->msg[i] &= p->installed[i];
    }
    /* The counts of the day: each set's bits spread one to a byte and added
     * as 64-bit words, eight apps at a time (a byte counts up to 255 agents
     * before use_flush empties it). */
    int reg = p->region[i];
    uint64_t *acc = l->use_bytes + (size_t)reg * POP_USES * 2;
    uint16_t sets[POP_USES] = {p->msg[i],
                               active,
                               called,
                               (uint16_t)(active | called),
                               p->month_msg[i],
                               p->month_call[i],
                               (uint16_t)(p->month_msg[i] | p->month_call[i])};
    for (int k = 0; k < POP_USES; k++) {
        acc[2 * k] += spread[sets[k] & 0xffu];
        acc[2 * k + 1] += spread[sets[k] >> 8];
    }
    if (++l->use_n[reg] == 255)
        use_flush(w, l, reg);
    p->first_day[i] = p->first[i];
}

void use_gather(population *p, pop_day *out)
{
    const world *w = p->w;
    size_t ra = (size_t)w->n_regions * w->n_apps;
    for (int k = 0; k < POP_USES; k++)
        if (out && out->use[k])
            memset(out->use[k], 0, ra * sizeof(double));
    for (int j = 0; j < p->n_lanes; j++) {
        lane *l = &p->lanes[j];
        for (int reg = 0; reg < w->n_regions; reg++)
            use_flush(w, l, reg);
        for (int k = 0; k < POP_USES; k++)
            if (out && out->use[k])
                for (size_t x = 0; x < ra; x++)
                    out->use[k][x] += l->use[k * ra + x];
        memset(l->use, 0, POP_USES * ra * sizeof(double));
    }
}
