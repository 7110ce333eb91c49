/* fsutil: file-system helpers shared by the command, sweeps and analysis. */
#ifndef BS_FSUTIL_H
#define BS_FSUTIL_H

/* mkdir -p: make the folder `dir` and every missing parent (mode 0777 before
 * the umask).  Folders that exist already are fine.  BS_OK, or BS_EINPUT with
 * a message naming the path when it is empty, when a part of it exists and
 * is not a folder ("x: exists and is not a folder"), or when a folder cannot
 * be made ("x: cannot create folder: REASON"); BS_ENOMEM if out of memory. */
int fsutil_make_dirs(const char *dir);

#endif
