#include "base/fsutil.h"

#include "base/status.h"
#include "base/str.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
        return bs_nomem("the name of folder %s", dir);
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

/* The command the lock file names, if the file is the holder's (its PID is
 * `pid`): "sweep " for "PID sweep"; "" when not known. */
static void holder_command(int fd, long pid, char *out, size_t n)
{
    char buf[128];
    ssize_t k = pread(fd, buf, sizeof buf - 1, 0);
    long file_pid = 0;
    char cmd[64] = "";
    out[0] = '\0';
    if (k <= 0)
        return;
    buf[k] = '\0';
    if (sscanf(buf, "%ld %63[a-z-]", &file_pid, cmd) == 2 && file_pid == pid)
        snprintf(out, n, "%s ", cmd);
}

int fsutil_lock(const char *dir, const char *command)
{
    char path[PATH_MAX];
    int w = snprintf(path, sizeof path, "%s/.lock", dir);
    if (w < 0 || (size_t)w >= sizeof path)
        return bs_fail(BS_EINPUT, "%s: the folder's name is too long", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0)
        return bs_fail(BS_ERUNTIME, "%s: cannot open its lock file .lock (%s)", dir,
                       strerror(errno));
    /* A lock released between the refusal and the look-up is tried again. */
    for (int tries = 0; tries < 16; tries++) {
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
        if (fcntl(fd, F_SETLK, &fl) == 0) {
            char line[96];
            int n = snprintf(line, sizeof line, "%ld %s\n", (long)getpid(), command);
            /* For people only: a full disk that refuses it leaves the lock held. */
            if (ftruncate(fd, 0) != 0 || pwrite(fd, line, (size_t)n, 0) != n)
                errno = 0;
            return fd;
        }
        if (errno != EACCES && errno != EAGAIN) {
            int e = errno;
            close(fd);
            return bs_fail(BS_ERUNTIME, "%s: cannot lock %s (%s)", dir, path, strerror(e));
        }
        fl.l_type = F_WRLCK;
        if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) {
            char cmd[80];
            holder_command(fd, (long)fl.l_pid, cmd, sizeof cmd);
            close(fd);
            if (fl.l_pid > 0)
                return bs_fail(BS_ERUNTIME,
                               "%s: another blockshift %s(pid %ld) is working in this folder; "
                               "wait until it ends, or choose another folder",
                               dir, cmd, (long)fl.l_pid);
            return bs_fail(BS_ERUNTIME,
                           "%s: another blockshift (on another machine?) is working in this "
                           "folder; wait until it ends, or choose another folder",
                           dir);
        }
    }
    close(fd);
    return bs_fail(BS_ERUNTIME, "%s: cannot lock %s: it is taken and released over and over",
                   dir, path);
}

int fsutil_search_path(const char **cursor, char *dir, unsigned long size)
{
    const char *p = *cursor ? *cursor : getenv("BLOCKSHIFT_PATH");
    while (p && *p) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        *cursor = end ? end + 1 : p + n;
        if (n > 0 && n < size) {
            memcpy(dir, p, n);
            dir[n] = '\0';
            return 1;
        }
        p = *cursor;
    }
    *cursor = "";
    return 0;
}

const char *fsutil_search_path_text(void)
{
    const char *sp = getenv("BLOCKSHIFT_PATH");
    return sp && *sp ? sp : "not set";
}
