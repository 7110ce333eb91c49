/* fuzz_results: libFuzzer harness for the results reader.
 *
 * Each input is taken as a results file: written to a scratch file, then
 * read by everything that reads results files given by users:
 * results_check(), results_info(), results_read_numbers() and
 * results_read_table() on /events.  The reading is done in this process
 * (results_set_isolation(0)), not in the child that the reader forks in
 * normal use, so that a crash in the reading is seen by the fuzzer instead
 * of becoming a "damaged file" answer.  Any status is fine; a crash, a
 * sanitizer report or a leak is a finding.
 *
 * HDF5 1.10 itself crashes on some damaged files (results_read.c says why
 * the reader forks): run.sh sorts the crashes by where they happen, and
 * replays those inside libhdf5 (crashes and endless loops) with
 * FUZZ_RESULTS_ISOLATED=1, which keeps the fork (with a limit of 1 s of
 * CPU time): then the reading functions must answer (a damaged file,
 * BS_EINPUT) without the crash or the loop reaching this process.
 *
 * Built by tests/fuzz/CMakeLists.txt, run by tests/fuzz/run.sh.
 */
#include "io/results.h"

#include "io/results_internal.h"
#include "base/status.h"

#include <hdf5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[64];
static FILE *sink;

static void cleanup(void) { unlink(path); }

static void setup(void)
{
    snprintf(path, sizeof path, "/tmp/fuzz_results.XXXXXX");
    int fd = mkstemp(path);
    sink = fopen("/dev/null", "w");
    if (fd < 0 || !sink) {
        perror("fuzz_results: scratch file");
        abort();
    }
    close(fd);
    atexit(cleanup);
    /* Speed only: HDF5 callocs a 1 MB type-conversion buffer for each
     * H5Dread and frees it past its free-list limits; ASan then maps fresh
     * pages for the next one (about 0.1 s per input).  Unlimited free lists
     * keep the block for reuse. */
    if (H5set_free_list_limits(-1, -1, -1, -1, -1, -1) < 0) {
        fprintf(stderr, "fuzz_results: H5set_free_list_limits failed\n");
        abort();
    }
    const char *iso = getenv("FUZZ_RESULTS_ISOLATED");
    if (!iso || strcmp(iso, "1") != 0)
        results_set_isolation(0);
    else
        results_set_child_cpu_limit(1); /* files that make HDF5 loop: quickly */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0])
        setup();
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
        perror("fuzz_results: writing the input");
        abort();
    }
    /* the others begin with the same checks (results_open_checked()) */
    if (results_check(path) != BS_OK)
        return 0;
    results_info(path, sink);
    results_numbers *n = NULL;
    if (results_read_numbers(path, &n) == BS_OK && !n)
        abort();
    results_numbers_free(n);
    results_table *t = NULL;
    if (results_read_table(path, "/events", &t) == BS_OK && !t)
        abort();
    results_table_free(t);
    return 0;
}
