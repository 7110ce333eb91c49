/* compare: two runs of the same scenario side by side (blockshift compare),
 * for counterfactuals: the default scenario against no-block, a run with
 * FaceTime's block against one without it.
 *
 * The two files must describe the same world: the same apps, regions and
 * days (epoch and length), and, when they have the flow engine's results,
 * the same links.  Otherwise BS_EINPUT names what differs.
 *
 * Written to the output folder:
 *   differences.txt  per app: mean first-choice people, completed and
 *                    failed calls a day in A and in B and B - A; per link
 *                    class: mean carried load; and the largest absolute
 *                    difference of every dataset the two files share;
 *   NAME.dat/.gp/.png (or svg, pdf) for primary (first choices) and, with
 *                    the flow engine, border (each app's border load): A's
 *                    lines solid, B's dashed, on shared axes.
 * *identical is set when every shared dataset is equal. */
#ifndef BS_COMPARE_H
#define BS_COMPARE_H

/* The figures' paths are printed on stdout, one a line. */
int compare_run(const char *a, const char *b, const char *dir, int format, int *identical);

#endif
