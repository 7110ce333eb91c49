/* atomic: output files that appear whole or not at all (see atomic.h). */
#include "base/atomic.h"

#include "base/status.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <time.h>
#include <unistd.h>

struct atomic_file {
    FILE *f;
    char *path, *tmp;
};

/* ---- interrupts ---------------------------------------------------------- */

#define N_TRACK 64
#define TRACK_LEN 4352

static char track_name[N_TRACK][TRACK_LEN];
static volatile sig_atomic_t track_used[N_TRACK];
static volatile sig_atomic_t child_pgid;

int atomic_track(const char *tmp)
{
    size_t len = strlen(tmp);
    if (len >= TRACK_LEN)
        return -1;
    for (int i = 0; i < N_TRACK; i++)
        if (!track_used[i]) {
            memcpy(track_name[i], tmp, len + 1);
            track_used[i] = 1;
            return 0;
        }
    return -1;
}

void atomic_untrack(const char *tmp)
{
    for (int i = 0; i < N_TRACK; i++)
        if (track_used[i] && strcmp(track_name[i], tmp) == 0) {
            track_used[i] = 0;
            return;
        }
}

void atomic_child(pid_t pgid) { child_pgid = (sig_atomic_t)pgid; }

int atomic_die_with(pid_t parent)
{
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
    return getppid() == parent ? 0 : -1;
}

/* Only async-signal-safe calls: kill, unlink, rmdir, signal, raise. */
static void on_signal(int sig)
{
    if (child_pgid > 0)
        kill(-(pid_t)child_pgid, SIGKILL);
    for (int i = 0; i < N_TRACK; i++) /* files first, then their folders */
        if (track_used[i])
            unlink(track_name[i]);
    for (int i = N_TRACK - 1; i >= 0; i--)
        if (track_used[i])
            rmdir(track_name[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

void atomic_signals(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(&sa.sa_mask, sigs[i]);
    sa.sa_flags = SA_RESTART;
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
}

/* ---- names --------------------------------------------------------------- */

/* A random 32-bit tag: the clock's nanoseconds, the PID and a counter mixed
 * (uniqueness comes from PID + counter; the tag only guards against a
 * recycled PID meeting a stale name). */
static uint32_t tag(void)
{
    static uint32_t counter;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^
                 ((uint64_t)getpid() << 20) ^ (uint64_t)++counter * 0x9E3779B97F4A7C15ull;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return (uint32_t)x;
}

int atomic_temp_name(const char *path, char *out, size_t n)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    int dir_len = slash ? (int)(slash - path + 1) : 0;
    int w = snprintf(out, n, "%.*s.%s.tmp-%ld-%08x", dir_len, path, base, (long)getpid(),
                     (unsigned)tag());
    if (w < 0 || (size_t)w >= n)
        return bs_fail(BS_EINPUT, "%s: the name is too long", path);
    return BS_OK;
}

int atomic_temp_dir(const char *dir, const char *name, char *out, size_t n)
{
    char path[PATH_MAX];
    int w = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (w < 0 || (size_t)w >= sizeof path)
        return bs_fail(BS_EINPUT, "%s/%s: the name is too long", dir, name);
    for (int tries = 0; tries < 16; tries++) {
        BS_TRY(atomic_temp_name(path, out, n));
        if (mkdir(out, 0777) == 0) {
            atomic_track(out);
            return BS_OK;
        }
        if (errno != EEXIST)
            return bs_fail(BS_ERUNTIME, "%s: cannot make a temporary folder (%s)", out,
                           strerror(errno));
    }
    return bs_fail(BS_ERUNTIME, "%s: cannot find a free temporary name", path);
}

void atomic_remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                unlinkat(dirfd(d), e->d_name, 0);
        closedir(d);
    }
    rmdir(dir);
    atomic_untrack(dir);
}

/* ---- writing ------------------------------------------------------------- */

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

atomic_file *atomic_open(const char *path)
{
    atomic_file *a = calloc(1, sizeof *a);
    size_t n = strlen(path) + 64;
    char *tmp = a ? malloc(n) : NULL;
    char *dup = tmp ? dup_str(path) : NULL;
    if (!dup) {
        free(a);
        free(tmp);
        bs_nomem("the name of the temporary file for %s", path);
        return NULL;
    }
    a->path = dup;
    a->tmp = tmp;
    int said = 0;
    for (int tries = 0; tries < 16 && !said; tries++) {
        if (atomic_temp_name(path, a->tmp, n) != BS_OK) {
            said = 1;
            break;
        }
        int fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno == EEXIST)
            continue;
        if (fd < 0) {
            said = bs_fail(BS_ERUNTIME, "%s: cannot write (%s)", path, strerror(errno)) != 0;
            break;
        }
        atomic_track(a->tmp);
        a->f = fdopen(fd, "w");
        if (!a->f) {
            said = bs_nomem("a stream to write %s", path) != 0;
            close(fd);
            unlink(a->tmp);
            atomic_untrack(a->tmp);
            break;
        }
        return a;
    }
    if (!said)
        bs_fail(BS_ERUNTIME, "%s: cannot find a free temporary name", path);
    free(a->path);
    free(a->tmp);
    free(a);
    return NULL;
}

FILE *atomic_stream(const atomic_file *a) { return a->f; }

int atomic_close_stream(FILE *f, const char *path)
{
    int e = 0;
    if (fflush(f) != 0 || ferror(f))
        e = errno ? errno : EIO;
    if (!e && fsync(fileno(f)) != 0 && errno != EINVAL)
        e = errno;
    if (fclose(f) != 0 && !e)
        e = errno ? errno : EIO;
    if (e)
        return bs_fail(BS_ERUNTIME, "%s: cannot write (%s)", path, strerror(e));
    return BS_OK;
}

/* fsync a folder by name; failures lose nothing and are ignored. */
static void sync_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[PATH_MAX];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int atomic_publish(const char *tmp, const char *path)
{
    int fd = open(tmp, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return bs_fail(BS_ERUNTIME, "%s: cannot open its temporary %s (%s)", path, tmp,
                       strerror(errno));
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    if (rc != 0 && e != EINVAL)
        return bs_fail(BS_ERUNTIME, "%s: cannot write (%s)", path, strerror(e));
    if (rename(tmp, path) != 0)
        return bs_fail(BS_ERUNTIME, "%s: cannot rename %s to it (%s)", path, tmp,
                       strerror(errno));
    atomic_untrack(tmp);
    sync_dir_of(path);
    return BS_OK;
}

int atomic_commit(atomic_file *a)
{
    if (!a)
        return bs_fail(BS_ERUNTIME, "atomic: commit of a NULL file");
    int st = atomic_close_stream(a->f, a->path);
    a->f = NULL;
    if (st == BS_OK)
        st = atomic_publish(a->tmp, a->path);
    if (st != BS_OK) {
        unlink(a->tmp);
        atomic_untrack(a->tmp);
    }
    free(a->path);
    free(a->tmp);
    free(a);
    return st;
}

void atomic_abort(atomic_file *a)
{
    if (!a)
        return;
    if (a->f)
        fclose(a->f);
    unlink(a->tmp);
    atomic_untrack(a->tmp);
    free(a->path);
    free(a->tmp);
    free(a);
}

/* ---- stale temporaries ---------------------------------------------------- */

/* The PID in a temporary's name (".X.tmp-PID-HEX" or "X.partial-PID"), or 0
 * when the name is not one of ours. */
static long pid_in(const char *name)
{
    const char *p = NULL;
    if (name[0] == '.') {
        const char *t = NULL;
        for (const char *s = strstr(name, ".tmp-"); s; s = strstr(s + 1, ".tmp-"))
            t = s;
        p = t ? t + 5 : NULL;
    } else {
        const char *t = NULL;
        for (const char *s = strstr(name, ".partial-"); s; s = strstr(s + 1, ".partial-"))
            t = s;
        p = t ? t + 9 : NULL;
    }
    if (!p || *p < '1' || *p > '9')
        return 0;
    char *end;
    long pid = strtol(p, &end, 10);
    int tail_ok = name[0] == '.' ? *end == '-' && strspn(end + 1, "0123456789abcdef") == 8 &&
                                       end[9] == '\0'
                                 : *end == '\0';
    return tail_ok && pid > 0 && pid <= INT_MAX ? pid : 0;
}

/* Whether process pid is gone: no such process, or a zombie (it has exited
 * and writes nothing more; a parent killed with -9 leaves its children so
 * until init reaps them, which may take a while). */
static int pid_gone(long pid)
{
    if (kill((pid_t)pid, 0) != 0)
        return errno == ESRCH;
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *paren = strrchr(buf, ')'); /* "PID (COMM) STATE ..." */
    return paren && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X');
}

int atomic_clean(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        long pid = pid_in(e->d_name);
        if (!pid || pid == (long)getpid() || !pid_gone(pid))
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0) {
            removed++;
            continue;
        }
        if (errno == EISDIR || errno == EPERM) {
            char sub[PATH_MAX];
            int w = snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
            if (w > 0 && (size_t)w < sizeof sub) {
                atomic_remove_dir(sub);
                removed += access(sub, F_OK) != 0;
            }
        }
    }
    closedir(d);
    return removed;
}
