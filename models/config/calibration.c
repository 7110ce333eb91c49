#include "config/calibration.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Index of `name` in names[0..n), -1 if none matches; "none" is -2. */
static int lookup(const char *name, const char *const *names, int n)
{
    return strcmp(name, "none") == 0 ? -2 : world_name_index(names, n, name);
}

void calibration_resolve(world *w, check_ctx *c)
{
    calibration_cfg *cal = &w->calibration;
    world_calibration_clear(cal);
    for (int i = 0; i < cal->n_cases; i++) {
        calib_case *r = &cal->cases[i];
        char path[96];
        int app = world_app(w, r->app);
        int cls = lookup(r->cls, world_class_names, N_CLASSES);
        int tech = lookup(r->technique, world_technique_names, N_TECHNIQUES);
        int tunnel = strcmp(r->vpn, "none") != 0;
        snprintf(path, sizeof path, "calibration.cases.[%d].class", i);
        if (cls != CLASS_VOICE && cls != CLASS_VIDEO)
            config_check_error(c, path, "unknown call class '%s' (use voice or video)", r->cls);
        snprintf(path, sizeof path, "calibration.cases.[%d].technique", i);
        if (tech == -1 || tech == TECH_SHUTDOWN)
            config_check_error(c, path, "unknown technique '%s' (use none, ip, sni, stun, throttle or vpn)",
                        r->technique);
        snprintf(path, sizeof path, "calibration.cases.[%d].usable", i);
        if (r->usable > r->set_up)
            config_check_error(c, path, "more calls usable (%g) than set up (%g)", r->usable, r->set_up);
        int v = tunnel ? world_vpn(w, r->vpn) : -1;
        if (tunnel && tech == TECH_VPN && v >= 0 && cls >= 0 && r->detect >= 0 &&
            cal->vpn_detect[v][cls] < 0)
            cal->vpn_detect[v][cls] = r->detect; /* the protocol's, whatever app it carries */
        if (app < 0 || tunnel || cls < 0 || tech < 0)
            continue; /* another world's app, a tunnel, no rule, or an error above */
        if (cal->fail[app][cls][tech] >= 0) {
            snprintf(path, sizeof path, "calibration.cases.[%d]", i);
            config_check_error(c, path, "a second row for %s/%s/%s/none", r->app, r->cls, r->technique);
            continue;
        }
        cal->fail[app][cls][tech] = 1.0 - r->usable;
        if (r->detect >= 0) {
            /* Measured on the mix: 1 - usable is the calls recognised times the share of
             * those that fail, so the consequence is (1 - usable) / detect (a rule that
             * recognises none leaves it unknown: the engines' 1). */
            cal->detect[app][cls][tech] = r->detect;
            cal->fail[app][cls][tech] =
                r->detect > 0 ? fmin(1.0, (1.0 - r->usable) / r->detect) : -1.0;
        }
        if (r->collateral >= 0)
            cal->collateral[app][tech] = r->collateral;
        if (tech == TECH_THROTTLE) {
            if (cal->throttle_rate <= 0)
                config_check_error(c, "calibration.throttle_rate",
                            "the table has throttle rows but not the rate they were measured at");
            cal->goodput[app][cls] = r->goodput_share;
        }
    }
}
