/* bench_ns3_wrapper: the ns-3 shim's cost (bench/RESULTS.md, issue 4).
 *
 * usage: bench_ns3_wrapper CALLS SECONDS
 * A dumbbell built through the C interface (bs_ns3.h): CALLS callers on one
 * side, CALLS callees on the other, 100 Mbit/s access links of 1 ms, a
 * 1 Gbit/s core link of 10 ms; each pair has one call of 128 kbit/s each way
 * in 160-byte packets for SECONDS, started 1 ms apart.  No box.  Prints one
 * Markdown row: calls, media packets, wall seconds, packets per second.
 * bench_ns3_native builds the same in C++ against ns-3 directly. */
#include "ns3/bs_ns3.h"
#include "base/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench_ns3_wrapper CALLS SECONDS\n");
        return 2;
    }
    int n = atoi(argv[1]);
    double secs = atof(argv[2]);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    bs_ns3 *s = bs_ns3_new(1, 1);
    if (!s)
        return 1;
    int left = bs_ns3_add_node(s), right = bs_ns3_add_node(s);
    bs_ns3_add_link(s, left, right, 1e9, 0.010, 1000);
    int *a = malloc(sizeof(int) * (size_t)n), *b = malloc(sizeof(int) * (size_t)n);
    for (int i = 0; i < n; i++) {
        a[i] = bs_ns3_add_node(s);
        b[i] = bs_ns3_add_node(s);
        bs_ns3_add_link(s, a[i], left, 100e6, 0.001, 1000);
        bs_ns3_add_link(s, b[i], right, 100e6, 0.001, 1000);
    }
    if (bs_ns3_install(s) != BS_OK) {
        fprintf(stderr, "%s\n", bs_last_error());
        return 1;
    }
    for (int i = 0; i < n; i++) {
        bs_ns3_call_cfg c = {.caller = a[i], .callee = b[i], .relay = -1, .exit = -1,
                             .callee_exit = -1, .app = 0, .cls = 0, .rate_bps = 128e3,
                             .packet_bytes = 160, .start_s = 1.0 + 0.001 * i,
                             .duration_s = secs, .timeout_s = 3.0};
        if (bs_ns3_add_call(s, &c) < 0) {
            fprintf(stderr, "%s\n", bs_last_error());
            return 1;
        }
    }
    bs_ns3_run(s, 1.0 + 0.001 * n + secs + 1.0);
    unsigned long long pk = 0;
    for (int i = 0; i < n; i++) {
        bs_ns3_call_stats st;
        bs_ns3_get_call(s, i, &st);
        pk += st.rx[0] + st.rx[1];
    }
    bs_ns3_free(s);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double w = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    printf("| wrapper (C, bs_ns3.h) | %d | %llu | %.2f | %.3g |\n", n, pk, w, pk / w);
    free(a);
    free(b);
    return 0;
}
