/* fuzz_config: libFuzzer harness for the configuration loader.
 *
 * Each input is a scenario text.  It is written to SCRATCH/scenarios/in.cfg,
 * where SCRATCH/configs links to the shipped configs/, so an input can
 * @include "../configs/..." as the shipped scenarios do, and is loaded with
 * config_load().  Any answer (BS_OK, or BS_EINPUT with its list of errors)
 * is fine; a crash, a sanitizer report or a leak is a finding.
 *
 * The source tree is $BLOCKSHIFT_SOURCE_DIR, else BS_SOURCE_DIR (compiled
 * in).  Built by tests/fuzz/CMakeLists.txt, run by tests/fuzz/run.sh.
 */
#include "config/config.h"

#include "base/status.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char scratch[64], in_path[256], link_path[256], scen_path[256];
static world w; /* large: one, not on the stack */

static void cleanup(void)
{
    unlink(in_path);
    rmdir(scen_path);
    unlink(link_path);
    rmdir(scratch);
}

static void setup(void)
{
    const char *src = getenv("BLOCKSHIFT_SOURCE_DIR");
    if (!src || !src[0])
        src = BS_SOURCE_DIR;
    char configs[4096];
    snprintf(scratch, sizeof scratch, "/tmp/fuzz_config.XXXXXX");
    snprintf(configs, sizeof configs, "%s/configs", src);
    if (!mkdtemp(scratch)) {
        perror("fuzz_config: mkdtemp");
        abort();
    }
    snprintf(link_path, sizeof link_path, "%s/configs", scratch);
    snprintf(scen_path, sizeof scen_path, "%s/scenarios", scratch);
    snprintf(in_path, sizeof in_path, "%s/in.cfg", scen_path);
    if (symlink(configs, link_path) != 0 || mkdir(scen_path, 0700) != 0) {
        perror("fuzz_config: scratch folder");
        abort();
    }
    atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!scratch[0])
        setup();
    FILE *f = fopen(in_path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
        perror("fuzz_config: writing the input");
        abort();
    }
    char *errors = NULL;
    int rc = config_load(in_path, 0, NULL, &w, &errors);
    /* the contract of config_load(): an error list exactly when BS_EINPUT */
    if ((rc == BS_EINPUT) != (errors != NULL) && rc != BS_ENOMEM) {
        fprintf(stderr, "fuzz_config: config_load returned %d with%s an error list\n", rc,
                errors ? "" : "out");
        abort();
    }
    if (rc == BS_OK) {
        /* what loads can be written back out */
        char *text = config_dump(&w);
        if (!text)
            abort();
        free(text);
    }
    free(errors);
    return 0;
}
