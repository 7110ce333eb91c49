/* Helpers shared by the cmocka tests (header-only: each test is one program). */
#ifndef BS_TESTUTIL_H
#define BS_TESTUTIL_H

#include "config/config.h"
#include "base/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Write `text` to a fresh temporary .cfg file; returns its path (static buffer). */
static inline const char *tu_write_cfg(const char *text)
{
    static char path[64];
    strcpy(path, "/tmp/bs-test-XXXXXX.cfg");
    int fd = mkstemps(path, 4);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

/* Load a world from configuration text; aborts the test program with the
 * errors if it does not load (a test's config must be valid). */
static inline void tu_load(const char *text, world *w)
{
    const char *path = tu_write_cfg(text);
    char *errors = NULL;
    int st = path ? config_load(path, 0, NULL, w, &errors) : BS_ERUNTIME;
    if (path)
        unlink(path);
    if (st != BS_OK) {
        fprintf(stderr, "test config does not load: %s\n%s", bs_last_error(),
                errors ? errors : "");
        abort();
    }
    free(errors);
}

/* The text of a file of the source tree (path relative to it), in a
 * static buffer; NULL if it cannot be read whole. */
static inline const char *tu_source_file(const char *rel)
{
    static char buf[65536];
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", BS_SOURCE_DIR, rel);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    int whole = feof(f) != 0 || fgetc(f) == EOF;
    fclose(f);
    buf[n] = '\0';
    return whole ? buf : NULL;
}

#endif
