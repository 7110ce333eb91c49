/* status: status codes and the last error message of the calling thread.
 *
 * Library code never exits: it returns one of the codes below and records a
 * message with bs_fail(); only main() decides what to do with it.  The message
 * is kept per thread, so workers in a sweep do not overwrite each other's.
 */
#ifndef BS_STATUS_H
#define BS_STATUS_H

enum bs_status {
    BS_OK = 0,
    BS_ERUNTIME = -1, /* something failed while running (I/O, library) */
    BS_EINPUT = -2,   /* the user's input is wrong: config, command line, file */
    BS_ENOMEM = -3,   /* out of memory */
};

/* Record a message (printf-style) for the calling thread and return `code`,
 * so that callers can write `return bs_fail(BS_EINPUT, "...")`. */
int bs_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Record "out of memory: <what>" (what: printf-style, naming what was being
 * allocated, e.g. "the routes of %d nodes") and return BS_ENOMEM: the one
 * wording of every allocation failure, which exits 1 (tests/e2e/alloc_failure.py). */
int bs_nomem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The last message recorded by this thread ("" if none).  Owned by the
 * library; valid until the next bs_fail() on this thread. */
const char *bs_last_error(void);

/* The code passed with the last message (BS_OK if none): for functions that
 * return NULL on failure. */
int bs_last_status(void);

/* Forget the last message. */
void bs_clear_error(void);

/* The process exit code for a status: 0 ok, 2 bad input, 1 otherwise. */
int bs_exit_code(int status);

/* Return the status of `call` from the enclosing function unless it is BS_OK. */
#define BS_TRY(call)                                                                           \
    do {                                                                                       \
        int st_ = (call);                                                                      \
        if (st_ != BS_OK)                                                                      \
            return st_;                                                                        \
    } while (0)

#endif
