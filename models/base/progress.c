/* progress: see progress.h. */
#include "base/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define REDRAW_SECONDS 0.25 /* a terminal line at most this often */

struct progress {
    char what[64], unit[32];
    int tty, lines;       /* where it shows, and whether plain lines are wanted */
    int shown, tenth;     /* whether anything was shown; the last tenth shown */
    int done, total;
    double start, drawn;  /* monotonic seconds */
};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

const char *progress_time(double s, char *buf, unsigned size)
{
    long t = s > 0 ? (long)(s + 0.5) : 0;
    if (t < 60)
        snprintf(buf, size, "%lds", t);
    else if (t < 3600)
        snprintf(buf, size, "%ldm%02lds", t / 60, t % 60);
    else
        snprintf(buf, size, "%ldh%02ldm", t / 3600, t / 60 % 60);
    return buf;
}

progress *progress_new(const char *what, const char *unit, int mode)
{
    progress *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    snprintf(p->what, sizeof p->what, "%s", what);
    snprintf(p->unit, sizeof p->unit, "%s", unit);
    p->tty = mode != PROGRESS_OFF && isatty(2);
    p->lines = mode == PROGRESS_LINES && !p->tty;
    p->tenth = -1;
    p->start = p->drawn = now();
    return p;
}

static void line(const progress *p, int final, char *out, size_t n)
{
    char t[32];
    double elapsed = now() - p->start;
    if (final)
        snprintf(out, n, "%s: %d/%d %s in %s", p->what, p->done, p->total, p->unit,
                 progress_time(elapsed, t, sizeof t));
    else if (p->done > 0)
        snprintf(out, n, "%s: %d/%d %s, %s left", p->what, p->done, p->total, p->unit,
                 progress_time(elapsed * (p->total - p->done) / p->done, t, sizeof t));
    else
        snprintf(out, n, "%s: 0/%d %s, time left unknown", p->what, p->total, p->unit);
}

void progress_step(int done, int total, void *arg)
{
    progress *p = arg;
    if (!p || total <= 0)
        return;
    p->done = done;
    p->total = total;
    char text[200];
    if (p->tty) {
        double t = now();
        if (p->shown && t - p->drawn < REDRAW_SECONDS && done < total)
            return;
        p->drawn = t;
        line(p, 0, text, sizeof text);
        fprintf(stderr, "\r%-79s", text);
        p->shown = 1;
    } else if (p->lines) {
        int tenth = (int)(10LL * done / total);
        if (tenth == p->tenth || done == total) /* the end has its own line */
            return;
        p->tenth = tenth;
        line(p, 0, text, sizeof text);
        fprintf(stderr, "blockshift: %s\n", text);
        p->shown = 1;
    }
}

void progress_end(progress *p)
{
    if (!p)
        return;
    if (p->shown) {
        char text[200];
        line(p, 1, text, sizeof text);
        if (p->tty)
            fprintf(stderr, "\r%-79s\n", text);
        else
            fprintf(stderr, "blockshift: %s\n", text);
    }
    free(p);
}
