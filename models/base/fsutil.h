/* fsutil: file-system helpers shared by the command, sweeps and analysis. */
#ifndef BS_FSUTIL_H
#define BS_FSUTIL_H

/* mkdir -p: make the folder `dir` and every missing parent (mode 0777 before
 * the umask).  Folders that exist already are fine.  BS_OK, or BS_EINPUT with
 * a message naming the path when it is empty, when a part of it exists and
 * is not a folder ("x: exists and is not a folder"), or when a folder cannot
 * be made ("x: cannot create folder: REASON"); BS_ENOMEM if out of memory. */
int fsutil_make_dirs(const char *dir);

/* Hold the folder `dir` for a command that must have it to itself: an
 * advisory lock (fcntl F_SETLK, a write lock on the whole file) on the file
 * DIR/.lock, created if missing.  The lock is the process's own: children it
 * forks do not hold it, and it goes when the process ends however it ends
 * (kill -9 too), so a lock of a dead process never blocks; closing the
 * descriptor releases it (and so would closing any other descriptor of
 * DIR/.lock this process opened: open it only here).  The file holds the
 * holder's PID and `command`, for people.  The descriptor (>= 0), or
 * BS_ERUNTIME naming the folder and the other process's PID ("DIR: another
 * blockshift COMMAND (pid N) is working in this folder") when another
 * process holds the lock, or the reason the lock cannot be taken. */
int fsutil_lock(const char *dir, const char *command);

/* The folders of blockshift's search path, BLOCKSHIFT_PATH (colon-separated;
 * empty entries skipped), one per call: *cursor starts at NULL; each call
 * writes the next folder to dir[size] and returns 1, or returns 0 when none
 * is left (or the variable is unset).  A folder too long for dir is skipped.
 * Those who search it then look in the installed share folder. */
int fsutil_search_path(const char **cursor, char *dir, unsigned long size);

/* BLOCKSHIFT_PATH as set, or "not set", for messages. */
const char *fsutil_search_path_text(void);

#endif
