/* wire: numbers and strings as bytes, for what one blockshift process hands
 * another: a child reading a results file (results_get.c), a sweep's worker
 * process or MPI rank and the process that gave it the job (sweep_job.c).
 *
 * Both ends are the same program on the same kind of machine, so numbers go
 * as they are in memory; a string is its length (64 bits) and its bytes.  A
 * reader checks every length against what arrived and marks itself bad
 * rather than read past the end.
 */
#ifndef BS_WIRE_H
#define BS_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

void wire_put_u64(FILE *f, uint64_t x);
void wire_put_f64(FILE *f, double x);
void wire_put_str(FILE *f, const char *s); /* NULL is written as "" */

typedef struct wire_reader {
    const char *p, *end;
    int bad;   /* set when something did not fit (or memory ran out) */
    int nomem; /* set (with bad) when memory ran out */
} wire_reader;

/* The next value; 0 (and r->bad) if it is not all there. */
uint64_t wire_get_u64(wire_reader *r);
double wire_get_f64(wire_reader *r);
/* A malloc'd copy of the next string; NULL (and r->bad) if it is not all
 * there or memory runs out. */
char *wire_get_str(wire_reader *r);

/* Write all n bytes of buf to a file descriptor, again after a signal.
 * 0, or -1 with errno. */
int wire_write_all(int fd, const void *buf, size_t n);

#endif
