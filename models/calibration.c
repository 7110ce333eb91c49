#include "calibration.h"

#include <stdio.h>
#include <string.h>

/* Index of `name` in names[0..n), or -1; "none" is -2. */
static int lookup(const char *name, const char *const *names, int n)
{
    if (strcmp(name, "none") == 0)
        return -2;
    for (int i = 0; i < n; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

void calibration_clear(calibration_cfg *cal)
{
    for (int a = 0; a < MAX_APPS; a++)
        for (int k = 0; k < N_CLASSES; k++) {
            cal->goodput[a][k] = -1.0;
            for (int t = 0; t < N_TECHNIQUES; t++)
                cal->fail[a][k][t] = -1.0;
        }
}

void calibration_resolve(world *w, check_ctx *c)
{
    calibration_cfg *cal = &w->calibration;
    calibration_clear(cal);
    for (int i = 0; i < cal->n_cases; i++) {
        calib_case *r = &cal->cases[i];
        char path[96];
        r->app_i = world_app(w, r->app);
        r->cls_i = lookup(r->cls, class_names, N_CLASSES);
        r->tech_i = lookup(r->technique, technique_names, N_TECHNIQUES);
        r->vpn_i = strcmp(r->vpn, "none") == 0 ? -2 : world_vpn(w, r->vpn);
        snprintf(path, sizeof path, "calibration.cases.[%d].class", i);
        if (r->cls_i != CLASS_VOICE && r->cls_i != CLASS_VIDEO)
            check_error(c, path, "unknown call class '%s' (use voice or video)", r->cls);
        snprintf(path, sizeof path, "calibration.cases.[%d].technique", i);
        if (r->tech_i == -1 || r->tech_i == TECH_SHUTDOWN)
            check_error(c, path, "unknown technique '%s' (use none, ip, sni, stun, throttle or vpn)",
                        r->technique);
        snprintf(path, sizeof path, "calibration.cases.[%d].usable", i);
        if (r->usable > r->set_up)
            check_error(c, path, "more calls usable (%g) than set up (%g)", r->usable, r->set_up);
        if (r->app_i < 0 || r->vpn_i != -2 || r->cls_i < 0 || r->tech_i < 0)
            continue; /* another world's app, a tunnel, no rule, or an error above */
        if (cal->fail[r->app_i][r->cls_i][r->tech_i] >= 0) {
            snprintf(path, sizeof path, "calibration.cases.[%d]", i);
            check_error(c, path, "a second row for %s/%s/%s/none", r->app, r->cls, r->technique);
            continue;
        }
        cal->fail[r->app_i][r->cls_i][r->tech_i] = 1.0 - r->usable;
        if (r->tech_i == TECH_THROTTLE) {
            if (cal->throttle_rate <= 0)
                check_error(c, "calibration.throttle_rate",
                            "the table has throttle rows but not the rate they were measured at");
            cal->goodput[r->app_i][r->cls_i] = r->goodput_share;
        }
    }
}
