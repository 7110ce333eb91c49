/* atomic: output files that appear whole or not at all.
 *
 * A file is written to a temporary of a name unique to the process and the
 * call, ".NAME.tmp-PID-RANDOM", in the folder of its final name; every write
 * and the close are checked, the data are fsync'ed, and rename(2) puts it
 * over the final name (then the folder is fsync'ed).  Any failure removes the
 * temporary: a reader sees the old file, no file, or the new complete one,
 * and two processes writing the same name both succeed (the last rename
 * wins, each file complete).
 *
 * Temporaries left by a process that was killed (SIGKILL, power) are found
 * by atomic_clean(): ".NAME.tmp-PID-RANDOM" (files or folders) and
 * "NAME.partial-PID" (results files, io/results.c) whose PID no longer
 * exists, or is a zombie (a worker whose parent was killed, not yet reaped),
 * are removed.  The PID is looked up on this machine: a folder that
 * processes on several machines write into at once (a shared file system)
 * must not be cleaned so; blockshift run, testbed, plot, compare, reproduce,
 * validate (and its runs' folder) and sweep --slurm clean their output folder
 * (testbed also its calibration
 * file's), a sweep and a calibrate clean theirs under their lock
 * (base/fsutil.h).
 *
 * Interrupts: atomic_signals() installs SIGINT/SIGTERM/SIGHUP handlers that
 * remove every temporary registered with atomic_track(), kill the process
 * group registered with atomic_child() (gnuplot), then die of the signal.
 */
#ifndef BS_ATOMIC_H
#define BS_ATOMIC_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

typedef struct atomic_file atomic_file;

/* Open a temporary for `path` (its folder must exist).  NULL with a message
 * (bs_fail: BS_ERUNTIME, BS_ENOMEM) on failure. */
atomic_file *atomic_open(const char *path);

/* The stream to write to. */
FILE *atomic_stream(const atomic_file *a);

/* Finish: flush, check the stream for write errors, fsync, close, rename
 * over the final name.  Frees `a` and removes the temporary on failure.
 * BS_OK or BS_ERUNTIME with a message naming the file and the reason. */
int atomic_commit(atomic_file *a);

/* Give up: close, remove the temporary, free.  NULL is fine. */
void atomic_abort(atomic_file *a);

/* Close a stream written to `path` with every check: fflush, ferror, fsync,
 * fclose.  BS_OK or BS_ERUNTIME naming `path` and the reason. */
int atomic_close_stream(FILE *f, const char *path);

/* A unique temporary name for `path`: DIR/.BASE.tmp-PID-RANDOM (nothing is
 * created).  BS_OK, or BS_EINPUT if it does not fit in n bytes. */
int atomic_temp_name(const char *path, char *out, size_t n);

/* Make a unique temporary folder DIR/.NAME.tmp-PID-RANDOM; its name in out. */
int atomic_temp_dir(const char *dir, const char *name, char *out, size_t n);

/* Remove a folder and the files in it (not recursive beyond one level). */
void atomic_remove_dir(const char *dir);

/* fsync the file `tmp`, rename it to `path`, fsync the folder.  BS_OK or
 * BS_ERUNTIME with the reason. */
int atomic_publish(const char *tmp, const char *path);

/* Remove the temporaries of dead processes in `dir` (see above).  Returns
 * how many it removed. */
int atomic_clean(const char *dir);

/* Interrupt handling (see above).  atomic_track returns 0, or -1 when the
 * table (64 names) is full: the name is then not removed on an interrupt. */
void atomic_signals(void);
int atomic_track(const char *tmp);
void atomic_untrack(const char *tmp);
void atomic_child(pid_t pgid);

/* In a child just forked by `parent` (its getpid() before the fork): have
 * the kernel kill this process (SIGKILL) when the parent dies, however it
 * dies (kill -9 too), and so across an exec (PR_SET_PDEATHSIG; Linux).  The
 * signal comes when the thread that forked ends: fork from the main thread.
 * 0, or -1 if the parent has died already (before the call): the child
 * should then _exit at once. */
int atomic_die_with(pid_t parent);

#endif
