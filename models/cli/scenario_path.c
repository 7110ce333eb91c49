/* Finding a scenario by name (cli.h, cli_find_scenario). */
#include "cli/cli.h"

#include "base/fsutil.h"
#include "base/status.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int cli_share_dir(char *out, size_t size)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
#if defined(BS_BUILD_DIR) && defined(BS_SOURCE_DIR)
    /* Not installed: the command run from its build folder reads the
     * scenarios and configurations of the source tree it was built from. */
    size_t nb = strlen(BS_BUILD_DIR);
    if (strncmp(exe, BS_BUILD_DIR, nb) == 0 && exe[nb] == '/' && !strchr(exe + nb + 1, '/')) {
        int len = snprintf(out, size, "%s", BS_SOURCE_DIR);
        return len > 0 && (size_t)len < size ? 0 : -1;
    }
#endif
    for (int up = 0; up < 2; up++) { /* PREFIX/bin/blockshift -> PREFIX */
        char *slash = strrchr(exe, '/');
        if (!slash)
            return -1;
        *slash = '\0';
    }
    int len = snprintf(out, size, "%s/share/blockshift", exe);
    return len > 0 && (size_t)len < size ? 0 : -1;
}

/* DIR/NAME.cfg or DIR/scenarios/NAME.cfg into out, if one is a file. */
static int found_in(const char *dir, const char *name, char *out, size_t size)
{
    const char *sub[] = {"", "scenarios/"};
    for (int k = 0; k < 2; k++) {
        int len = snprintf(out, size, "%s/%s%s.cfg", dir, sub[k], name);
        if (len > 0 && (size_t)len < size && is_file(out))
            return 1;
    }
    return 0;
}

int cli_find_scenario(const char **config)
{
    static char path[PATH_MAX];
    const char *arg = *config;
    /* A file, or a path: as given (the loader reports a missing file). */
    if (is_file(arg) || strchr(arg, '/') || !*arg)
        return 0;
    char name[256];
    size_t len = strlen(arg);
    if (len >= sizeof name)
        return 0;
    memcpy(name, arg, len + 1);
    if (len > 4 && strcmp(name + len - 4, ".cfg") == 0)
        name[len - 4] = '\0';
    char dir[PATH_MAX];
    for (const char *cur = NULL; fsutil_search_path(&cur, dir, sizeof dir);)
        if (found_in(dir, name, path, sizeof path)) {
            *config = path;
            return 0;
        }
    char share[PATH_MAX];
    int have_share = cli_share_dir(share, sizeof share) == 0;
    if (have_share && found_in(share, name, path, sizeof path)) {
        *config = path;
        return 0;
    }
    return cli_fail(BS_EINPUT,
                    "'%s' is neither a file nor a scenario's name: no %s.cfg in BLOCKSHIFT_PATH "
                    "(%s) or in %s/scenarios",
                    arg, name, fsutil_search_path_text(), have_share ? share : "(no share folder)");
}
