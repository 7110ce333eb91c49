/* progress: a progress line with the time left, on stderr, for commands
 * whose work comes in counted steps (testbed cases, replay phases, runs).
 *
 *   progress *p = progress_new("testbed", PROGRESS_AUTO);
 *   testbed_run_steps(w, &o, progress_step, p);   // calls progress_step(done, total, p)
 *   progress_end(p);                              // the last line; frees p
 *
 * On a terminal the line is redrawn in place ("\r"), at most four times a
 * second.  Otherwise (a log file, a pipe) nothing is shown unless asked
 * (PROGRESS_LINES, a --progress option): then one plain line at each tenth
 * of the work, so that a log gets about ten lines, not thousands.
 * PROGRESS_OFF (--quiet) shows nothing.  The time left is the time so far
 * times the steps left over the steps done: steps are assumed to cost alike.
 *
 * Single-threaded: call it from one thread.  progress_new returns NULL when
 * out of memory; every function takes NULL and then does nothing. */
#ifndef BS_PROGRESS_H
#define BS_PROGRESS_H

enum progress_mode {
    PROGRESS_OFF,   /* --quiet */
    PROGRESS_AUTO,  /* a line on a terminal, nothing otherwise */
    PROGRESS_LINES  /* --progress: a line on a terminal, else a line a tenth */
};

typedef struct progress progress;

/* `what` names the work in each line ("testbed: 3/16 cases ..."), copied;
 * `unit` the steps, plural ("cases"). */
progress *progress_new(const char *what, const char *unit, int mode);

/* `done` of `total` steps are done (a callback for library loops: the
 * same signature as sim_run's). */
void progress_step(int done, int total, void *p);

/* The final line (the elapsed time) when something was shown; frees p. */
void progress_end(progress *p);

/* "42s", "3m05s", "1h02m": seconds for a person; buf of 32 bytes at least. */
const char *progress_time(double seconds, char *buf, unsigned size);

#endif
