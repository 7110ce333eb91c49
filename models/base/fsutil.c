#include "base/fsutil.h"

#include "base/status.h"
#include "base/str.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* One folder: BS_OK if it is (now) a folder. */
static int make_one(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (mkdir(path, 0777) == 0)
            return BS_OK;
        if (errno != EEXIST)
            return bs_fail(BS_EINPUT, "%s: cannot create folder: %s", path, strerror(errno));
        /* made meanwhile by someone else: check what it is */
        if (stat(path, &sb) != 0)
            return bs_fail(BS_EINPUT, "%s: cannot create folder: %s", path, strerror(errno));
    }
    if (!S_ISDIR(sb.st_mode))
        return bs_fail(BS_EINPUT, "%s: exists and is not a folder", path);
    return BS_OK;
}

int fsutil_make_dirs(const char *dir)
{
    if (!dir || !dir[0])
        return bs_fail(BS_EINPUT, "empty folder name");
    char *buf = str_dup(dir);
    if (!buf)
        return bs_fail(BS_ENOMEM, "%s: out of memory", dir);
    int st = BS_OK;
    /* Each prefix that ends before a '/' (the root itself is not made). */
    for (char *p = buf + 1; st == BS_OK; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char keep = *p;
        *p = '\0';
        st = make_one(buf);
        *p = keep;
        if (!keep)
            break;
    }
    free(buf);
    return st;
}
