/* sweep_pool: a child process per run (see sweep_pool.h). */
#define _GNU_SOURCE
#include "sweep/sweep_pool.h"

#include "base/atomic.h"
#include "base/status.h"
#include "base/wire.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#endif

typedef struct slot {
    pid_t pid; /* 0: free */
    int fd;    /* read end of the child's pipe */
    int k;
    char *out_path;
    sweep_report report;
    size_t got; /* bytes of the report read so far */
} slot;

/* Children whose report is in and who are still leaving (freeing a run's
 * memory takes a few milliseconds): reaped later, so that the next run
 * need not wait for it. */
#define MAX_EXITING 64

struct sweep_pool {
    int n;
    slot *slots;
    pid_t exiting[MAX_EXITING];
    int n_exiting;
};

/* Reap the children that have left (all of them, waiting, when `block`). */
static void reap_exiting(sweep_pool *p, int block)
{
    for (int i = 0; i < p->n_exiting;) {
        pid_t r;
        while ((r = waitpid(p->exiting[i], NULL, block ? 0 : WNOHANG)) < 0 && errno == EINTR)
            ;
        if (r == 0) {
            i++;
            continue;
        }
        p->exiting[i] = p->exiting[--p->n_exiting];
    }
}

sweep_pool *sweep_pool_new(int slots)
{
    sweep_pool *p = calloc(1, sizeof *p);
    if (p && slots > 0)
        p->slots = calloc((size_t)slots, sizeof *p->slots);
    if (!p || !p->slots) {
        free(p);
        bs_nomem("%d workers (sweep)", slots);
        return NULL;
    }
    p->n = slots;
    for (int i = 0; i < slots; i++)
        p->slots[i].fd = -1;
    return p;
}

/* The child: run the job, send the report, leave without running the
 * parent's exit handlers or flushing its stdio buffers. */
static void child(const sweep_job *j, int fd, pid_t parent)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        signal(sigs[i], SIG_DFL);
    if (atomic_die_with(parent) != 0) /* the parent died before it */
        _exit(1);
    sweep_report r;
    sweep_job_run(j, &r);
    wire_write_all(fd, &r, sizeof r);
    close(fd);
    _exit(0);
}

static int pool_start(void *ctx, const sweep_job *j)
{
    sweep_pool *p = ctx;
    slot *s = NULL;
    for (int i = 0; i < p->n && !s; i++)
        if (!p->slots[i].pid)
            s = &p->slots[i];
    if (!s)
        return bs_fail(BS_ERUNTIME, "sweep: no free worker for run %d", j->k);
    char *path = strdup(j->out_path);
    int fds[2];
    if (!path)
        return bs_nomem("the path of run %d (sweep)", j->k);
    if (pipe(fds) != 0) {
        free(path);
        return bs_fail(BS_ERUNTIME, "sweep: cannot start a worker for run %d: %s", j->k,
                       strerror(errno));
    }
    fflush(NULL);
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        free(path);
        return bs_fail(BS_ERUNTIME, "sweep: cannot start a worker for run %d: %s", j->k,
                       strerror(e));
    }
    if (pid == 0) {
        close(fds[0]);
        child(j, fds[1], parent);
    }
    close(fds[1]);
    s->pid = pid;
    s->fd = fds[0];
    s->k = j->k;
    s->out_path = path;
    s->got = 0;
    return BS_OK;
}

/* Delete what a child that died while writing left behind (results.c names
 * its temporary file PATH.partial-PID). */
static void remove_partial(const slot *s)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.partial-%ld", s->out_path, (long)s->pid);
    unlink(tmp);
}

/* The child of slot s has closed its pipe: its report, or why there is
 * none.  A child that sent its whole report is reaped later if it has not
 * left yet; one that did not is waited for, to learn what ended it. */
static void finish(sweep_pool *p, slot *s, sweep_report *r)
{
    close(s->fd);
    s->fd = -1;
    int status = 0, complete = s->got == sizeof s->report;
    pid_t gone;
    while ((gone = waitpid(s->pid, &status, complete ? WNOHANG : 0)) < 0 && errno == EINTR)
        ;
    if (complete && gone == 0) {
        if (p->n_exiting == MAX_EXITING)
            reap_exiting(p, 1);
        p->exiting[p->n_exiting++] = s->pid;
        *r = s->report;
    } else if (complete && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        *r = s->report;
    } else {
        memset(r, 0, sizeof *r);
        r->k = s->k;
        r->status = SWEEP_FAILED;
        r->missing = -1;
        for (int c = 0; c < SWEEP_MAX_COLLECT; c++)
            r->values[c] = 0.0 / 0.0;
        if (WIFSIGNALED(status))
            snprintf(r->error, sizeof r->error, "worker process %ld killed by signal %d (%s)",
                     (long)s->pid, WTERMSIG(status), strsignal(WTERMSIG(status)));
        else
            snprintf(r->error, sizeof r->error,
                     "worker process %ld ended (status %d) without a report", (long)s->pid,
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        remove_partial(s);
    }
    free(s->out_path);
    s->out_path = NULL;
    s->pid = 0;
}

static int pool_wait(void *ctx, int timeout_ms, sweep_report *r)
{
    sweep_pool *p = ctx;
    reap_exiting(p, 0);
    struct pollfd fds[p->n];
    int map[p->n], n = 0;
    for (int i = 0; i < p->n; i++)
        if (p->slots[i].pid) {
            fds[n].fd = p->slots[i].fd;
            fds[n].events = POLLIN;
            fds[n].revents = 0;
            map[n++] = i;
        }
    if (n == 0)
        return 0;
    int ready = poll(fds, (nfds_t)n, timeout_ms);
    if (ready < 0 && errno == EINTR)
        return 0;
    if (ready < 0)
        return bs_fail(BS_ERUNTIME, "sweep: waiting for workers: %s", strerror(errno));
    for (int i = 0; i < n; i++) {
        if (!fds[i].revents)
            continue;
        slot *s = &p->slots[map[i]];
        char *dst = (char *)&s->report + s->got;
        size_t room = sizeof s->report - s->got;
        char sink[256];
        ssize_t k = read(s->fd, room ? (void *)dst : sink, room ? room : sizeof sink);
        if (k < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (k > 0) {
            if (room)
                s->got += (size_t)k;
            continue;
        }
        finish(p, s, r); /* end of the pipe (or an error on it) */
        return 1;
    }
    return 0;
}

static void pool_cancel(void *ctx)
{
    sweep_pool *p = ctx;
    for (int i = 0; i < p->n; i++)
        if (p->slots[i].pid)
            kill(p->slots[i].pid, SIGTERM);
    for (int i = 0; i < p->n; i++) {
        slot *s = &p->slots[i];
        if (!s->pid)
            continue;
        int status;
        while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
            ;
        close(s->fd);
        s->fd = -1;
        remove_partial(s);
        free(s->out_path);
        s->out_path = NULL;
        s->pid = 0;
    }
}

void sweep_pool_free(sweep_pool *p)
{
    if (!p)
        return;
    pool_cancel(p);
    reap_exiting(p, 1);
    free(p->slots);
    free(p);
}

sweep_workers sweep_pool_workers(sweep_pool *p)
{
    sweep_workers w = {p, p->n, pool_start, pool_wait, pool_cancel};
    return w;
}
