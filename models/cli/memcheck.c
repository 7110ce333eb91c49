/* memcheck: the memory a run will need, against the memory this process may
 * use, before anything large is allocated (models/README.md, section 10).
 *
 * Need: what the process holds now (VmRSS: the program, its libraries, the
 * configuration) plus the larger of the run (sim_estimate: the graph's build,
 * or population, flow engine and results at the last day) and the writing of
 * the results (the results arrays and HDF5's buffers, output_estimate; the
 * population is freed by then).
 *
 * Available, the tightest of:
 * - the memory cgroup: for the process's cgroup and each of its ancestors
 *   (/proc/self/cgroup; v2 memory.max, v1 memory.limit_in_bytes), the limit
 *   less what the cgroup holds apart from its page cache and this process
 *   (v2 memory.current - memory.stat "file"; v1 memory.usage_in_bytes -
 *   memory.stat "total_cache"): page cache is reclaimed before the kernel
 *   kills anything;
 * - physical memory: MemAvailable of /proc/meminfo plus this process's
 *   resident size.  MemAvailable is the kernel's estimate of what can be had
 *   without swapping, page cache that can be dropped included, so a machine
 *   full of cache does not refuse; MemTotal would let a run start that
 *   other processes' memory then gets killed.  Swap is not counted (a run
 *   that swaps takes days);
 * - RLIMIT_AS (ulimit -v) against the address space the run will reserve:
 *   VmSize now, the run's arrays (the results arrays count from the start),
 *   and a stack for each OpenMP thread but the first (glibc's default
 *   thread stack, which libgomp uses: RLIMIT_STACK, or 2 MiB when that is
 *   unlimited);
 * - RLIMIT_DATA (ulimit -d; Linux counts private writable mappings, thread
 *   stacks included) against VmData now plus the same.
 */
#include "cli/memcheck.h"

#include "cli/cli.h"
#include "io/output.h"
#include "sim/sim.h"
#include "base/status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define CGROUP_ROOT "/sys/fs/cgroup"
#define UNLIMITED 1e300

/* The number after `key` in a "key value [kB]" file, in bytes (kB scaled);
 * -1 when absent. */
static double field_of(const char *path, const char *key)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[512];
    double v = -1;
    size_t k = strlen(key);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, k) == 0 && (line[k] == ' ' || line[k] == ':' || line[k] == '\t')) {
            char *end;
            v = strtod(line + k + 1, &end);
            if (strstr(end, "kB"))
                v *= 1024;
            break;
        }
    fclose(f);
    return v;
}

/* A file holding one number ("max": UNLIMITED); -1 if unreadable. */
static double number_in(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char buf[64] = "";
    double v = -1;
    if (fgets(buf, sizeof buf, f))
        v = strncmp(buf, "max", 3) == 0 ? UNLIMITED : strtod(buf, NULL);
    fclose(f);
    return v;
}

/* Tighten *best with the memory cgroup's limits along dir and its ancestors
 * (v2 when v1 is 0). */
static void cgroup_room(char *dir, int v1, double own, double *best, char *from, size_t n)
{
    size_t root = strlen(CGROUP_ROOT) + (v1 ? strlen("/memory") : 0);
    for (;;) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, v1 ? "memory.limit_in_bytes" : "memory.max");
        double limit = number_in(path);
        /* v1 writes "no limit" as the largest page-aligned 63-bit number. */
        if (limit > 0 && limit < 4e18) {
            snprintf(path, sizeof path, "%s/%s", dir, v1 ? "memory.usage_in_bytes" : "memory.current");
            double used = number_in(path);
            snprintf(path, sizeof path, "%s/memory.stat", dir);
            double cache = field_of(path, v1 ? "total_cache" : "file");
            double others = used - (cache > 0 ? cache : 0) - own;
            double room = limit - (others > 0 ? others : 0);
            if (room < *best) {
                *best = room;
                snprintf(from, n, "memory cgroup limit %.0f bytes, %s", limit, dir);
            }
        }
        char *slash = strrchr(dir, '/');
        if (strlen(dir) <= root || !slash)
            break;
        *slash = '\0';
    }
}

/* The resident memory this process may reach, and what sets it. */
static double resident_room(double own, char *from, size_t n)
{
    double best = UNLIMITED;
    double avail = field_of("/proc/meminfo", "MemAvailable");
    if (avail >= 0) {
        best = avail + own;
        snprintf(from, n, "physical memory: MemAvailable %.0f bytes, plus this process's %.0f",
                 avail, own);
    }
    FILE *f = fopen("/proc/self/cgroup", "r");
    char line[4096];
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        *c2 = '\0';
        const char *ctl = c1 + 1, *rel = c2 + 1;
        char dir[4096 + 64];
        int v1 = strcmp(ctl, "memory") == 0 || strstr(ctl, "memory,") || strstr(ctl, ",memory");
        if (v1)
            snprintf(dir, sizeof dir, CGROUP_ROOT "/memory%s", strcmp(rel, "/") ? rel : "");
        else if (strcmp(line, "0") == 0 && *ctl == '\0')
            snprintf(dir, sizeof dir, CGROUP_ROOT "%s", strcmp(rel, "/") ? rel : "");
        else
            continue;
        cgroup_room(dir, v1, own, &best, from, n);
    }
    if (f)
        fclose(f);
    return best;
}

static double rlimit_of(int resource)
{
    struct rlimit r;
    if (getrlimit(resource, &r) != 0 || r.rlim_cur == RLIM_INFINITY)
        return UNLIMITED;
    return (double)r.rlim_cur;
}

/* The need and the room of world w as it is configured; 1 if it fits. */
typedef struct fit {
    sim_memory sim;
    double need, vm, data;        /* resident, address space, data */
    double room, as_room, data_room;
    char from[4400];
} fit;

static int fits(const world *w, fit *f, int measure_room)
{
    double own = field_of("/proc/self/status", "VmRSS");
    double vm_now = field_of("/proc/self/status", "VmSize");
    double data_now = field_of("/proc/self/status", "VmData");
    f->sim = sim_estimate(w);
    double write = f->sim.results + output_estimate(w);
    f->need = (own > 0 ? own : 0) + (f->sim.peak > write ? f->sim.peak : write);
    double stack = rlimit_of(RLIMIT_STACK);
    if (stack >= UNLIMITED)
        stack = 2 << 20; /* glibc's thread stack under an unlimited RLIMIT_STACK */
    double reserve = f->sim.reserved + output_estimate(w) + (f->sim.threads - 1) * stack;
    f->vm = vm_now + reserve;
    f->data = data_now + reserve;
    if (measure_room) {
        f->room = resident_room(own > 0 ? own : 0, f->from, sizeof f->from);
        f->as_room = rlimit_of(RLIMIT_AS);
        f->data_room = rlimit_of(RLIMIT_DATA);
    }
    return f->need <= f->room && f->vm <= f->as_room && f->data <= f->data_room;
}

static void print_bytes(char *buf, size_t n, double b)
{
    if (b >= 1e9)
        snprintf(buf, n, "%.2f GB", b / 1e9);
    else
        snprintf(buf, n, "%.1f MB", b / 1e6);
}

/* The smallest population.scale (the most agents) at which w fits the room
 * of *f; 0 if none up to the schema's largest, 1e9. */
static double best_scale(world *w, const fit *f)
{
    double keep = w->population.scale, lo = keep, hi = 1e9;
    fit t = *f;
    w->population.scale = hi;
    int ok = fits(w, &t, 0) && t.need <= f->room && t.vm <= f->as_room && t.data <= f->data_room;
    for (int k = 0; ok && k < 60 && hi / lo > 1.0001; k++) {
        double mid = sqrt(lo * hi);
        w->population.scale = mid;
        fits(w, &t, 0);
        if (t.need <= f->room && t.vm <= f->as_room && t.data <= f->data_room)
            hi = mid;
        else
            lo = mid;
    }
    w->population.scale = keep;
    return ok ? hi : 0;
}

int memcheck(world *w, int enforce, int verbose)
{
    fit f;
    int ok = fits(w, &f, 1);
    char need[32], room[32], pop[32], build[32], flow[32], res[32];
    print_bytes(need, sizeof need, f.need);
    print_bytes(pop, sizeof pop, f.sim.population);
    print_bytes(build, sizeof build, f.sim.build_peak);
    print_bytes(flow, sizeof flow, f.sim.flow);
    print_bytes(res, sizeof res, f.sim.results);
    if (verbose) {
        print_bytes(room, sizeof room, f.room);
        fprintf(stderr,
                "blockshift: memory: about %s at the peak for %.0f agents and %.0f contact "
                "entries (population %s, %s while its graph is built; flow engine %s; results %s); "
                "%s available (%s)\n",
                need, f.sim.agents, f.sim.contacts, pop, build, flow, res,
                f.room >= UNLIMITED ? "no limit" : room, f.room >= UNLIMITED ? "none found" : f.from);
    }
    if (ok || !enforce || w->population.memory_check == 0)
        return 0;
    char what[4600], avail[32];
    if (f.need > f.room) {
        print_bytes(avail, sizeof avail, f.room);
        snprintf(what, sizeof what, "needs about %s, more than the %s available (%s)", need, avail,
                 f.from);
    } else if (f.vm > f.as_room) {
        print_bytes(need, sizeof need, f.vm);
        print_bytes(avail, sizeof avail, f.as_room);
        snprintf(what, sizeof what, "needs about %s of address space, more than its limit of %s "
                 "(RLIMIT_AS, ulimit -v)", need, avail);
    } else {
        print_bytes(need, sizeof need, f.data);
        print_bytes(avail, sizeof avail, f.data_room);
        snprintf(what, sizeof what, "needs about %s of data, more than its limit of %s "
                 "(RLIMIT_DATA, ulimit -d)", need, avail);
    }
    /* Printed to 4 digits, a scale may round below the one found, to more
     * agents than fit: round it up instead (%.4g's error is under 5e-4). */
    double s = best_scale(w, &f) * (1 + 1e-3);
    char fit_msg[160] = "no scale fits, not even --scale 1e9";
    if (s > 0) {
        char printed[32];
        snprintf(printed, sizeof printed, "%.4g", s);
        s = strtod(printed, NULL);
        double keep = w->population.scale;
        w->population.scale = s;
        sim_memory m = sim_estimate(w);
        w->population.scale = keep;
        snprintf(fit_msg, sizeof fit_msg, "the largest run that fits is --scale %.4g (%.0f agents)",
                 s, m.agents);
    }
    return cli_fail(BS_EINPUT,
                    "run: %.0f agents at population.scale %g %s; %s; "
                    "--set population.memory_check=false runs anyway",
                    f.sim.agents, w->population.scale, what, fit_msg);
}
